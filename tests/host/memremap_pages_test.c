// SPDX-License-Identifier: BSD-2-Clause
// mm/memremap_pages.c over real page tables and the sparse model: dev_pagemap registration with
// and without an altmap, compound device pages, the pfn-keyed lookup and its references, every
// refusal (types, alignment, overlaps, System RAM, bad altmap) and leak-free unwinding; every
// refusal or failure leaves the pagemap byte for byte as it was.
#include <platform/err.h>

#include <platform/device.h>
#include <mm/ioresource.h>
#include <mm/memtype.h>
#include <mm/vmemmap_tails.h>

#include "sparse_env.h"

/* The linear-map hook records what memremap_pages() asked for; __va() reaches all of it here. */
static struct {
	int adds, removes, fail_countdown; /* the fail_countdown-th add from now fails */
	enum memremap_type last_type;
	uint64_t live_bytes;
} lin;

static int rec_add(phys_addr_t pa, uint64_t size, enum memremap_type type, void *ctx)
{
	(void)pa;
	(void)ctx;
	lin.last_type = type;
	if (lin.fail_countdown && --lin.fail_countdown == 0)
		return -ENOMEM;
	lin.adds++;
	lin.live_bytes += size;
	return 0;
}

static int rec_remove(phys_addr_t pa, uint64_t size, void *ctx)
{
	(void)pa;
	(void)ctx;
	lin.removes++;
	lin.live_bytes -= size;
	return 0;
}

static const struct memremap_pages_ops rec_ops = { rec_add, rec_remove, NULL };

static struct resource *ram_res;

static void setup(void)
{
	env_setup();
	CHECK_EQ(sparse_init(&env_pt, &env_layout), 0);
	memremap_pages_init(&rec_ops);
	memset(&lin, 0, sizeof(lin));
	memtype_reset();
	iomem_reset();
	ram_res = resource_new(RAM_BASE, RAM_SIZE, "System RAM",
			       IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_NONE);
	CHECK(!IS_ERR(ram_res));
	CHECK_EQ(request_resource(&iomem_resource, ram_res), 0);
}

static void teardown(void)
{
	struct memremap_pages_stats st;

	memremap_pages_get_stats(&st);
	CHECK_EQ(st.live_pagemaps, 0);
	CHECK_EQ(st.live_ranges, 0);
	CHECK_EQ(st.device_pages, 0);
	CHECK_EQ(lin.live_bytes, 0);
	CHECK_EQ(lin.adds, lin.removes);
	CHECK_EQ(memtype_count(), 0);
	iomem_reset();
	env_teardown();
}

static void one_range(struct dev_pagemap *pg, enum memory_type type, phys_addr_t start,
		      uint64_t size)
{
	memset(pg, 0, sizeof(*pg));
	pg->type = type;
	pg->nr_range = 1;
	pg->ranges[0] = (struct range){ start, start + size - 1 };
}

static void generic_pagemap_in_ram(void)
{
	struct dev_pagemap pg;
	struct env_snap a, b;
	void *va;

	setup();
	env_snapshot(&a);
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_64M);
	va = memremap_pages(&pg);
	CHECK(!IS_ERR(va));
	CHECK(va == __va(PMEM_BASE));
	CHECK_EQ(lin.adds, 1);
	CHECK_EQ(lin.live_bytes, SZ_64M);
	for (unsigned long pfn = PMEM_PFN; pfn < PMEM_PFN + SZ_64M / PAGE_SIZE; pfn += 331) {
		struct page *p = pfn_to_page(pfn);

		CHECK(pfn_valid(pfn));
		CHECK_EQ(page_zonenum(p), ZONE_DEVICE);
		CHECK(page_pgmap(p) == &pg);
		CHECK(PageFlag(p, PG_reserved));
		CHECK_EQ(page_ref_count(p), 1); /* generic pages start in use */
		CHECK(!PageCompound(p));
	}
	CHECK(!pfn_valid(PMEM_PFN + SZ_64M / PAGE_SIZE));
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes - a.vs.ram_bytes, SZ_64M / PAGE_SIZE * sizeof(struct page));
	/* a page still mapped, or referenced beyond its idle count, keeps the pagemap alive */
	atomic_fetch_add(&pfn_to_page(PMEM_PFN + 77)->_mapcount, 1);
	CHECK_EQ(memunmap_pages(&pg), -EBUSY);
	atomic_fetch_sub(&pfn_to_page(PMEM_PFN + 77)->_mapcount, 1);
	page_ref_inc(pfn_to_page(PMEM_PFN + 78));
	CHECK_EQ(memunmap_pages(&pg), -EBUSY);
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == &pg); /* still live */
	put_dev_pagemap(&pg);
	page_ref_dec_and_test(pfn_to_page(PMEM_PFN + 78));
	CHECK_EQ(memunmap_pages(&pg), 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	CHECK(!pfn_valid(PMEM_PFN));
	CHECK_EQ(memunmap_pages(&pg), -EINVAL); /* twice */
	teardown();
}

static void fsdax_pagemap_with_altmap_keeps_memmap_in_device(void)
{
	const unsigned long nr = SEC_PAGES;
	struct dev_pagemap pg;
	struct env_snap a, b;
	unsigned long first;

	setup();
	env_snapshot(&a);
	one_range(&pg, MEMORY_DEVICE_FS_DAX, PMEM_BASE, SZ_128M);
	pg.flags = PGMAP_ALTMAP_VALID;
	*(unsigned long *)&pg.altmap.end_pfn = PMEM_PFN + nr;
	pg.altmap.base_pfn = PMEM_PFN;
	pg.altmap.reserve = 1;			  /* the info block */
	pg.altmap.free = nr * sizeof(struct page) / PAGE_SIZE + 511; /* room for alignment */
	CHECK(!IS_ERR(memremap_pages(&pg)));
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes, a.vs.ram_bytes); /* no RAM for struct pages */
	CHECK_EQ(b.vs.altmap_bytes - a.vs.altmap_bytes, nr * sizeof(struct page));
	first = pgmap_pfn_first(&pg, 0);
	CHECK_EQ(first, PMEM_PFN + 1 + pg.altmap.free);
	/* storage pages: reserved, not the pagemap's; data pages: idle fs-dax pages */
	CHECK(page_pgmap(pfn_to_page(PMEM_PFN)) == NULL);
	CHECK(PageFlag(pfn_to_page(first - 1), PG_reserved));
	CHECK(page_pgmap(pfn_to_page(first)) == &pg);
	CHECK_EQ(page_ref_count(pfn_to_page(first)), 0);
	CHECK(page_pgmap(pfn_to_page(PMEM_PFN + nr - 1)) == &pg);
	{
		struct memremap_pages_stats st;

		memremap_pages_get_stats(&st);
		CHECK_EQ(st.device_pages, PMEM_PFN + nr - first);
	}
	CHECK_EQ(memunmap_pages(&pg), 0);
	CHECK_EQ(pg.altmap.alloc, 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	teardown();
}

static void compound_device_pages_have_identical_tails(void)
{
	struct dev_pagemap pg;
	const unsigned int order = 9;

	setup();
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_8M);
	pg.vmemmap_shift = order;
	CHECK(!IS_ERR(memremap_pages(&pg)));
	for (unsigned long h = PMEM_PFN; h < PMEM_PFN + SZ_8M / PAGE_SIZE; h += 1UL << order) {
		struct page *head = pfn_to_page(h);

		CHECK(PageHead(head));
		CHECK_EQ(compound_order(head), order);
		CHECK(page_pgmap(head) == &pg);
		for (unsigned long i = 1; i < (1UL << order); i += 37) {
			struct page *tail = pfn_to_page(h + i);

			CHECK(compound_head(tail) == head);
			CHECK(page_pgmap(tail) == &pg); /* through the head */
			CHECK_EQ(memcmp(tail, pfn_to_page(PMEM_PFN + 1), sizeof(*tail)), 0);
		}
	}
	CHECK_EQ(memunmap_pages(&pg), 0);
	teardown();
}

/* Tails of [@first, @end) in compound pages of @order are right, seen through their heads. */
static void check_compound(struct dev_pagemap *pg, unsigned long first, unsigned long end,
			   unsigned int order)
{
	struct page want;

	init_pages_raw(&want, 1, (unsigned long)ZONE_DEVICE << PAGE_ZONE_SHIFT,
		       compound_info_for_order(order), page_counts(-1, 0));
	for (unsigned long h = first; h < end; h += 1UL << order) {
		struct page *head = pfn_to_page(h);

		CHECK(PageHead(head));
		CHECK_EQ(compound_order(head), order);
		CHECK(page_pgmap(head) == pg);
		for (unsigned long i = 1; i < (1UL << order); i += i < 80 ? 1 : 4093) {
			struct page *tail = pfn_to_page(h + i);

			CHECK(compound_head(tail) == head);
			CHECK(page_pgmap(tail) == pg);
			CHECK_EQ(memcmp(tail, &want, sizeof(want)), 0);
		}
	}
}

/* Every tail-only vmemmap page of the compound page at @head maps the shared page read-only. */
static void check_shared(unsigned long head, unsigned int order, phys_addr_t shared)
{
	uintptr_t va = (uintptr_t)pfn_to_page(head);
	struct pgtable_walk_result r;
	char line[256];

	CHECK_EQ(pgtable_walk(&env_pt, va, &r), 0);
	CHECK(r.pa != shared);
	CHECK(!vmemmap_tail_describe(va, line, sizeof(line)));
	for (uintptr_t a = va + PAGE_SIZE; a < va + (sizeof(struct page) << order); a += PAGE_SIZE) {
		CHECK_EQ(pgtable_walk(&env_pt, a, &r), 0);
		CHECK_EQ(r.pa, shared);
		CHECK(!pte_write(&env_pt, (pte_t){ r.entry }));
	}
	/* a write there is named as HVO's is */
	CHECK(vmemmap_tail_describe(va + PAGE_SIZE + 8, line, sizeof(line)));
	CHECK(strstr(line, "compound device page") != NULL);
}

/*
 * Compound device pages share their tails: one head vmemmap page per compound page, one shared
 * page per order (two pagemaps of an order share it), a whole 2 MiB of tails through one shared
 * table, everything back at memunmap_pages().
 */
static void compound_tails_are_shared_in_ram(void)
{
	static const struct { phys_addr_t base; uint64_t size; unsigned int order; } c[] = {
		{ PMEM_BASE, SZ_64M, 9 },
		{ PMEM_BASE, SZ_64M, 7 },
		{ PMEM_BASE, SZ_64M, 12 },
		{ 0xc0000000, SZ_1G, 18 },
		{ 0xc0000000, 2 * SZ_1G, 18 },
	};

	for (unsigned int k = 0; k < ARRAY_SIZE(c); k++) {
		unsigned long nr = c[k].size / PAGE_SIZE, heads = nr >> c[k].order;
		struct dev_pagemap pg, pg2;
		struct vmemmap_tail_stats ts;
		struct vmemmap_tail *t;
		struct env_snap a, b;
		phys_addr_t shared;

		setup();
		env_snapshot(&a);
		one_range(&pg, MEMORY_DEVICE_GENERIC, c[k].base, c[k].size);
		pg.vmemmap_shift = c[k].order;
		CHECK(!IS_ERR(memremap_pages(&pg)));
		env_snapshot(&b);
		/* a head page each and the shared page: nothing else of RAM backs the memmap */
		CHECK_EQ(b.vs.ram_bytes - a.vs.ram_bytes, (heads + 1) * PAGE_SIZE);
		t = vmemmap_tail_find(c[k].order, ZONE_DEVICE, NULL);
		CHECK(t != NULL);
		shared = t->page;
		check_compound(&pg, PHYS_PFN(c[k].base), PHYS_PFN(c[k].base) + nr, c[k].order);
		for (unsigned long h = PHYS_PFN(c[k].base); h < PHYS_PFN(c[k].base) + nr;
		     h += 1UL << c[k].order)
			check_shared(h, c[k].order, shared);
		vmemmap_tail_get_stats(&ts);
		CHECK_EQ(ts.pages, 1);
		CHECK_EQ(ts.tables, c[k].order == 18);
		if (c[k].order == 18) /* the head's table and the shared one: 2 MiB spans of tails */
			CHECK_EQ(t->table_users, heads * 7);
		/* a second pagemap of the order maps the same page */
		one_range(&pg2, MEMORY_DEVICE_GENERIC, 0x100000000ULL + c[k].base, c[k].size);
		pg2.vmemmap_shift = c[k].order;
		CHECK(!IS_ERR(memremap_pages(&pg2)));
		CHECK(vmemmap_tail_find(c[k].order, ZONE_DEVICE, NULL) == t && t->page == shared);
		check_shared(PHYS_PFN(pg2.ranges[0].start), c[k].order, shared);
		CHECK_EQ(memunmap_pages(&pg), 0);
		check_compound(&pg2, PHYS_PFN(pg2.ranges[0].start),
			       PHYS_PFN(pg2.ranges[0].start) + nr, c[k].order);
		CHECK_EQ(memunmap_pages(&pg2), 0);
		vmemmap_tail_get_stats(&ts);
		CHECK_EQ(ts.pages + ts.tables, 0);
		CHECK(vmemmap_tail_find(c[k].order, ZONE_DEVICE, NULL) == NULL);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
		teardown();
	}
}

/*
 * With an altmap the head pages and the shared tail page come from the device; only the part
 * of the altmap's own pfns its storage uses gets struct pages; all of it back at unmap.
 */
static void compound_tails_are_shared_in_the_device(void)
{
	static const unsigned int orders[] = { 9, 12, 14 };

	for (unsigned int k = 0; k < ARRAY_SIZE(orders); k++) {
		unsigned int order = orders[k];
		unsigned long nr = SEC_PAGES, first, heads, unit = 1UL << order;
		struct dev_pagemap pg;
		struct env_snap a, b;
		struct vmemmap_tail *t;

		setup();
		env_snapshot(&a);
		one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_128M);
		pg.flags = PGMAP_ALTMAP_VALID;
		pg.vmemmap_shift = order;
		pg.altmap.base_pfn = PMEM_PFN;
		*(unsigned long *)&pg.altmap.end_pfn = PMEM_PFN + nr;
		pg.altmap.reserve = 2;
		/* the data start on the compound alignment after a small reservation */
		pg.altmap.free = ALIGN_UP(2 + 1024, unit) - 2;
		first = PMEM_PFN + 2 + pg.altmap.free;
		heads = (PMEM_PFN + nr - first) >> order;
		CHECK(!IS_ERR(memremap_pages(&pg)));
		env_snapshot(&b);
		CHECK_EQ(b.vs.ram_bytes, a.vs.ram_bytes);
		CHECK_EQ(b.vs.altmap_bytes - a.vs.altmap_bytes, (heads + 1) * PAGE_SIZE);
		CHECK_EQ(pg.altmap.alloc, heads + 1);
		t = vmemmap_tail_find(order, ZONE_DEVICE, &pg.altmap);
		CHECK(t != NULL && PHYS_PFN(t->page) >= PMEM_PFN && PHYS_PFN(t->page) < first);
		check_compound(&pg, first, PMEM_PFN + nr, order);
		for (unsigned long h = first; h < PMEM_PFN + nr; h += unit)
			check_shared(h, order, t->page);
		/* the altmap's own pfns (info block, heads, padding) get no struct pages */
		CHECK_EQ(pg.memmap_prefix, 0);
		CHECK(!pfn_valid(PMEM_PFN));
		CHECK(!pfn_valid(first - 1));
		CHECK(pfn_valid(first));
		CHECK_EQ(memunmap_pages(&pg), 0);
		CHECK_EQ(pg.altmap.alloc, 0);
		CHECK(vmemmap_tail_find(order, ZONE_DEVICE, &pg.altmap) == NULL);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
		teardown();
	}
}

static void lookup_finds_every_range_and_counts_references(void)
{
	struct dev_pagemap pg, other;

	setup();
	memset(&pg, 0, sizeof(pg));
	pg.type = MEMORY_DEVICE_GENERIC;
	pg.nr_range = 3;
	pg.ranges[0] = (struct range){ PMEM_BASE + SZ_32M, PMEM_BASE + SZ_32M + SZ_2M - 1 };
	pg.ranges[1] = (struct range){ PMEM_BASE, PMEM_BASE + SZ_4M - 1 };
	pg.ranges[2] = (struct range){ PMEM_BASE + SZ_64M, PMEM_BASE + SZ_64M + SZ_8M - 1 };
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK_EQ(lin.adds, 3);
	for (int i = 0; i < 3; i++) {
		unsigned long s = PHYS_PFN(pg.ranges[i].start), e = PHYS_PFN(pg.ranges[i].end);
		struct dev_pagemap *got;

		CHECK((got = get_dev_pagemap(s, NULL)) == &pg);
		put_dev_pagemap(got);
		CHECK((got = get_dev_pagemap(e, NULL)) == &pg);
		put_dev_pagemap(got);
		CHECK(get_dev_pagemap(e + 1, NULL) == NULL || i == 1); /* range 1 ends in a hole */
	}
	CHECK(get_dev_pagemap(PMEM_PFN + SZ_4M / PAGE_SIZE, NULL) == NULL); /* the hole */
	CHECK(get_dev_pagemap(PHYS_PFN(RAM_BASE), NULL) == NULL);
	/* a held reference blocks memunmap_pages(), which then leaves everything live */
	CHECK(get_dev_pagemap(PMEM_PFN, &pg) == &pg);
	CHECK_EQ(atomic_load(&pg.ref), 2);
	CHECK_EQ(memunmap_pages(&pg), -EBUSY);
	CHECK(pfn_valid(PMEM_PFN));
	CHECK(get_dev_pagemap(PMEM_PFN + 1, NULL) == &pg);
	put_dev_pagemap(&pg);
	/* another pagemap may not take any of those pfns, even partly */
	one_range(&other, MEMORY_DEVICE_GENERIC, PMEM_BASE + SZ_64M + SZ_4M, SZ_8M);
	CHECK_EQ(PTR_ERR(memremap_pages(&other)), -EBUSY);
	one_range(&other, MEMORY_DEVICE_GENERIC, PMEM_BASE + SZ_16M, SZ_2M);
	CHECK(!IS_ERR(memremap_pages(&other))); /* a gap between the ranges is fine */
	CHECK(get_dev_pagemap(PHYS_PFN(PMEM_BASE + SZ_16M), NULL) == &other);
	put_dev_pagemap(&other);
	put_dev_pagemap(&pg);
	CHECK_EQ(memunmap_pages(&pg), 0);
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == NULL);
	CHECK_EQ(memunmap_pages(&other), 0);
	teardown();
}

static void noop_free(struct page *p)
{
	(void)p;
}

static int noop_migrate(struct page *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return 0;
}

static void private_pagemap_gets_no_linear_map(void)
{
	static const struct dev_pagemap_ops ops = { noop_free, noop_migrate };
	static const struct dev_pagemap_ops half = { noop_free, NULL };
	struct dev_pagemap pg;

	setup();
	one_range(&pg, MEMORY_DEVICE_PRIVATE, PMEM_BASE, SZ_4M);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* no ops */
	pg.ops = &half;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* no migrate_to_ram */
	pg.ops = &ops;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* no owner */
	pg.owner = &lin;
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK_EQ(lin.adds, 0);
	CHECK_EQ(page_ref_count(pfn_to_page(PMEM_PFN)), 0);
	CHECK(page_pgmap(pfn_to_page(PMEM_PFN)) == &pg);
	CHECK_EQ(memunmap_pages(&pg), 0);
	one_range(&pg, MEMORY_DEVICE_COHERENT, PMEM_BASE, SZ_4M);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* coherent needs page_free */
	pg.ops = &half;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* no owner */
	pg.owner = &lin;
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK_EQ(memunmap_pages(&pg), 0);
	teardown();
}

static void bad_pagemaps_are_refused_and_leave_nothing(void)
{
	struct dev_pagemap pg;
	struct env_snap a, b;

	setup();
	env_snapshot(&a);
	one_range(&pg, (enum memory_type)0, PMEM_BASE, SZ_4M);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* unknown type */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE + SZ_1M, SZ_4M);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* start not 2 MiB aligned */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M + PAGE_SIZE);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* size not 2 MiB aligned */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	pg.ranges[0].end = PMEM_BASE - 1;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* empty */
	one_range(&pg, MEMORY_DEVICE_GENERIC, RAM_BASE + RAM_SIZE - SZ_2M, SZ_4M);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENXIO); /* half in System RAM */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	pg.vmemmap_shift = 19;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* above MAX_FOLIO_ORDER */
	pg.vmemmap_shift = 11;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* 8 MiB compound in a 4 MiB range */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	pg.nr_range = 0;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL);
	pg.nr_range = 2;
	pg.ranges[1] = (struct range){ PMEM_BASE + SZ_2M, PMEM_BASE + SZ_8M - 1 };
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* ranges overlap each other */
	pg.ranges[1] = (struct range){ PMEM_BASE + SZ_8M, PMEM_BASE + SZ_16M - 1 };
	pg.flags = PGMAP_ALTMAP_VALID;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL); /* altmap with two ranges */
	one_range(&pg, MEMORY_DEVICE_FS_DAX, PMEM_BASE, SZ_4M);
	pg.flags = PGMAP_ALTMAP_VALID;
	pg.altmap.base_pfn = PMEM_PFN + 1; /* not the range start */
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL);
	pg.altmap.base_pfn = PMEM_PFN;
	*(unsigned long *)&pg.altmap.end_pfn = PMEM_PFN + SZ_4M / PAGE_SIZE;
	pg.altmap.free = SZ_4M / PAGE_SIZE; /* leaves no data page */
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL);
	pg.altmap.free = 16;
	pg.vmemmap_shift = 9; /* first data pfn 16 is not 2 MiB aligned */
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	CHECK_EQ(lin.adds, 0);
	teardown();
}

static void failures_midway_unwind_every_range(void)
{
	struct dev_pagemap pg;
	struct env_snap a, b;

	setup();
	env_snapshot(&a);
	memset(&pg, 0, sizeof(pg));
	pg.type = MEMORY_DEVICE_GENERIC;
	pg.nr_range = 2;
	pg.ranges[0] = (struct range){ PMEM_BASE, PMEM_BASE + SZ_4M - 1 };
	pg.ranges[1] = (struct range){ PMEM_BASE + SZ_8M, PMEM_BASE + SZ_16M - 1 };
	/* the linear map of range 1 fails: range 0 is taken down again */
	lin.fail_countdown = 2;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENOMEM);
	CHECK_EQ(lin.adds, 1);
	CHECK_EQ(lin.removes, 1);
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == NULL);
	CHECK(!pfn_valid(PMEM_PFN));
	/* and the same pagemap then goes in whole */
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK_EQ(memunmap_pages(&pg), 0);
	/* an exhausted altmap: sparse fails, the linear map and lookup are undone */
	one_range(&pg, MEMORY_DEVICE_FS_DAX, PMEM_BASE, SZ_64M);
	pg.flags = PGMAP_ALTMAP_VALID;
	pg.altmap.base_pfn = PMEM_PFN;
	*(unsigned long *)&pg.altmap.end_pfn = PMEM_PFN + SZ_64M / PAGE_SIZE;
	pg.altmap.free = 8; /* far too little for 1 MiB of struct pages: refused up front */
	CHECK_EQ(memremap_pages_check(&pg), -ENOSPC);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENOSPC);
	CHECK_EQ(pg.altmap.alloc, 0);
	CHECK_EQ(lin.adds, lin.removes);
	/* room in the altmap, but no RAM for page tables: only sparse finds out, midway */
	pg.altmap.free = 512;
	CHECK_EQ(memremap_pages_check(&pg), 0);
	memblock.alloc_limit = RAM_BASE;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENOMEM);
	memblock.alloc_limit = RAM_BASE + RAM_SIZE;
	CHECK_EQ(pg.altmap.alloc, 0);
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == NULL);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	teardown();
}

/* ---- refusals leave the pagemap exactly as it was ----------------------------------------- */

static void altmap_pagemap(struct dev_pagemap *pg, phys_addr_t start, uint64_t size)
{
	unsigned long nr = size / PAGE_SIZE;

	one_range(pg, MEMORY_DEVICE_FS_DAX, start, size);
	pg->flags = PGMAP_ALTMAP_VALID;
	pg->altmap.base_pfn = PHYS_PFN(start);
	*(unsigned long *)&pg->altmap.end_pfn = PHYS_PFN(start) + nr;
	pg->altmap.reserve = 1;
	pg->altmap.free = nr * sizeof(struct page) / PAGE_SIZE + 511;
}

static void second_memremap_of_a_live_pagemap_changes_nothing(void)
{
	struct dev_pagemap pg, snap;
	struct env_snap a, b;
	struct dev_pagemap *got;

	setup();
	altmap_pagemap(&pg, PMEM_BASE, SZ_64M);
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK(get_dev_pagemap(PMEM_PFN + 4000, NULL) == &pg); /* a user holds a reference */
	CHECK(pg.altmap.alloc > 0);
	memcpy(&snap, &pg, sizeof(pg));
	env_snapshot(&a);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EBUSY);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	CHECK_EQ(atomic_load(&pg.ref), 2);
	CHECK_EQ(pg.altmap.alloc, snap.altmap.alloc);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	CHECK((got = get_dev_pagemap(PMEM_PFN + 5000, NULL)) == &pg);
	put_dev_pagemap(got);
	put_dev_pagemap(&pg);
	CHECK_EQ(memunmap_pages(&pg), 0);
	CHECK_EQ(pg.altmap.alloc, 0);
	teardown();
}

static void failed_memremap_leaves_the_pagemap_as_given(void)
{
	struct dev_pagemap pg, snap;

	setup();
	/* the linear map of range 1 fails after range 0 went in */
	memset(&pg, 0, sizeof(pg));
	pg.type = MEMORY_DEVICE_GENERIC;
	pg.nr_range = 2;
	pg.ranges[0] = (struct range){ PMEM_BASE, PMEM_BASE + SZ_4M - 1 };
	pg.ranges[1] = (struct range){ PMEM_BASE + SZ_8M, PMEM_BASE + SZ_16M - 1 };
	atomic_store(&pg.ref, 5); /* whatever the caller had there */
	memcpy(&snap, &pg, sizeof(pg));
	lin.fail_countdown = 2;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENOMEM);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	/* an altmap too small, refused up front, with counters the caller left in it */
	altmap_pagemap(&pg, PMEM_BASE, SZ_64M);
	pg.altmap.free = 8;
	pg.altmap.alloc = 3;
	pg.altmap.align = 2;
	memcpy(&snap, &pg, sizeof(pg));
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENOSPC);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	/* sparse out of RAM midway, with the same leftover counters */
	pg.altmap.free = 512;
	memcpy(&snap, &pg, sizeof(pg));
	memblock.alloc_limit = RAM_BASE;
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ENOMEM);
	memblock.alloc_limit = RAM_BASE + RAM_SIZE;
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	/* a conflict with another pagemap */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	CHECK(!IS_ERR(memremap_pages(&pg)));
	{
		struct dev_pagemap other;

		one_range(&other, MEMORY_DEVICE_GENERIC, PMEM_BASE + SZ_2M, SZ_4M);
		atomic_store(&other.dying, true);
		memcpy(&snap, &other, sizeof(other));
		CHECK_EQ(PTR_ERR(memremap_pages(&other)), -EBUSY);
		CHECK_EQ(memcmp(&snap, &other, sizeof(other)), 0);
	}
	CHECK_EQ(memunmap_pages(&pg), 0);
	teardown();
}

static void refused_memunmap_leaves_the_pagemap_live(void)
{
	struct dev_pagemap pg, snap, stranger;
	struct env_snap a, b;
	struct dev_pagemap *got;

	setup();
	altmap_pagemap(&pg, PMEM_BASE, SZ_64M);
	CHECK(!IS_ERR(memremap_pages(&pg)));
	memcpy(&snap, &pg, sizeof(pg));
	env_snapshot(&a);
	/* a reference held */
	CHECK(get_dev_pagemap(PMEM_PFN + 4000, NULL) == &pg);
	memcpy(&snap, &pg, sizeof(pg));
	CHECK_EQ(memunmap_pages(&pg), -EBUSY);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	put_dev_pagemap(&pg);
	/* a page mapped */
	memcpy(&snap, &pg, sizeof(pg));
	atomic_fetch_add(&pfn_to_page(pgmap_pfn_first(&pg, 0))->_mapcount, 1);
	CHECK_EQ(memunmap_pages(&pg), -EBUSY);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	atomic_fetch_sub(&pfn_to_page(pgmap_pfn_first(&pg, 0))->_mapcount, 1);
	/* a copy that was never registered */
	memcpy(&stranger, &pg, sizeof(pg));
	CHECK_EQ(memunmap_pages(&stranger), -EINVAL);
	CHECK_EQ(memcmp(&stranger, &pg, sizeof(pg)), 0);
	/* sparse lost a subsection behind the pagemap's back: refused before anything goes */
	CHECK_EQ(sparse_remove_section(PMEM_PFN + 30 * SUB_PAGES, SUB_PAGES, &pg.altmap), 0);
	memcpy(&snap, &pg, sizeof(pg));
	CHECK_EQ(memunmap_pages(&pg), -ENOENT);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	CHECK(pfn_valid(PMEM_PFN + 31 * SUB_PAGES));
	CHECK((got = get_dev_pagemap(PMEM_PFN + 31 * SUB_PAGES, NULL)) == &pg);
	put_dev_pagemap(got);
	CHECK_EQ(sparse_add_section(PMEM_PFN + 30 * SUB_PAGES, SUB_PAGES, &pg.altmap, ZONE_DEVICE),
		 0);
	memmap_init_zone_device(PMEM_PFN + 30 * SUB_PAGES, SUB_PAGES, &pg);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	CHECK_EQ(memunmap_pages(&pg), 0);
	teardown();
}

/* Errors of the linear-map unmap are returned, not dropped. */
static int failing_remove(phys_addr_t pa, uint64_t size, void *ctx)
{
	rec_remove(pa, size, ctx);
	return -ENOMEM;
}

static void memunmap_returns_the_unmap_error(void)
{
	static const struct memremap_pages_ops ops = { rec_add, failing_remove, NULL };
	struct dev_pagemap pg;

	setup();
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	CHECK(!IS_ERR(memremap_pages(&pg)));
	memremap_pages_init(&ops);
	CHECK_EQ(memunmap_pages(&pg), -ENOMEM);
	memremap_pages_init(&rec_ops);
	CHECK(!pfn_valid(PMEM_PFN)); /* taken down as far as it could be */
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == NULL);
	/* a linear mapping that may still be there keeps its memory type */
	CHECK_EQ(memtype_check(PMEM_BASE, PMEM_BASE + PAGE_SIZE, MEMREMAP_TYPE_NC, NULL), -EBUSY);
	CHECK_EQ(memtype_free(PMEM_BASE, PMEM_BASE + SZ_4M), 0);
	teardown();
}

/* The dry run: the verdict memremap_pages() would give, and nothing changed either way. */
static void check_is_a_dry_run_with_memremap_pages_verdict(void)
{
	struct dev_pagemap pg, snap;
	struct env_snap a, b;

	setup();
	env_snapshot(&a);
	altmap_pagemap(&pg, PMEM_BASE, SZ_64M);
	memcpy(&snap, &pg, sizeof(pg));
	CHECK_EQ(memremap_pages_check(&pg), 0);
	CHECK_EQ(memcmp(&snap, &pg, sizeof(pg)), 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	CHECK_EQ(lin.adds, 0);
	CHECK(get_dev_pagemap(PMEM_PFN + 4000, NULL) == NULL);
	/* 62 MiB: not whole 4 MiB compound pages; 60 MiB (the end trimmed) is */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_64M - SZ_2M);
	pg.vmemmap_shift = 10;
	CHECK_EQ(memremap_pages_check(&pg), -EINVAL);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EINVAL);
	pg.ranges[0].end -= SZ_2M;
	CHECK_EQ(memremap_pages_check(&pg), 0);
	/* too small an altmap */
	altmap_pagemap(&pg, PMEM_BASE, SZ_64M);
	pg.altmap.free = 100;
	CHECK_EQ(memremap_pages_check(&pg), -ENOSPC);
	/* outside the sparse window */
	one_range(&pg, MEMORY_DEVICE_GENERIC, RAM_BASE + WINDOW_SPAN, SZ_4M);
	CHECK_EQ(memremap_pages_check(&pg), -ERANGE);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -ERANGE);
	/* struct pages already there (a hot-add that is no pagemap) */
	CHECK_EQ(sparse_add_section(PMEM_PFN + SZ_8M / PAGE_SIZE, SUB_PAGES, NULL, ZONE_DEVICE), 0);
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_16M);
	CHECK_EQ(memremap_pages_check(&pg), -EEXIST);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EEXIST);
	CHECK_EQ(sparse_remove_section(PMEM_PFN + SZ_8M / PAGE_SIZE, SUB_PAGES, NULL), 0);
	/* a range another pagemap holds, and a pagemap that is live already */
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK_EQ(memremap_pages_check(&pg), -EBUSY);
	{
		struct dev_pagemap other;

		one_range(&other, MEMORY_DEVICE_GENERIC, PMEM_BASE + SZ_2M, SZ_4M);
		CHECK_EQ(memremap_pages_check(&other), -EBUSY);
	}
	CHECK_EQ(memunmap_pages(&pg), 0);
	/* no linear-map hooks: refused for the types that need them, not for PRIVATE */
	memremap_pages_init(NULL);
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	CHECK_EQ(memremap_pages_check(&pg), -ENODEV);
	memremap_pages_init(&rec_ops);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	teardown();
}

/* The linear map of a pagemap is write-back: it holds that type, and meets others refused. */
static void pagemap_keeps_one_memory_type(void)
{
	struct dev_pagemap pg, priv;
	enum memremap_type held = MEMREMAP_TYPE_NC;
	static const struct dev_pagemap_ops ops = { (void (*)(struct page *))1,
						    (int (*)(struct page *, void *))1 };

	setup();
	one_range(&pg, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	CHECK(!IS_ERR(memremap_pages(&pg)));
	CHECK_EQ(memtype_check(PMEM_BASE + SZ_2M, PMEM_BASE + SZ_2M + PAGE_SIZE, MEMREMAP_TYPE_NC,
			       &held), -EBUSY);
	CHECK_EQ(held, MEMREMAP_TYPE_WB);
	CHECK_EQ(memtype_check(PMEM_BASE, PMEM_BASE + PAGE_SIZE, MEMREMAP_TYPE_WB, NULL), 0);
	CHECK_EQ(memunmap_pages(&pg), 0);
	CHECK_EQ(memtype_count(), 0);
	/* a range someone maps non-cacheable gets no write-back linear map */
	CHECK_EQ(memtype_reserve(PMEM_BASE + SZ_2M, PMEM_BASE + SZ_2M + PAGE_SIZE,
				 MEMREMAP_TYPE_NC, "memremap"), 0);
	CHECK_EQ(memremap_pages_check(&pg), -EBUSY);
	CHECK_EQ(PTR_ERR(memremap_pages(&pg)), -EBUSY);
	CHECK_EQ(lin.adds, 1); /* the first registration's only */
	/* a P2PDMA BAR is mapped non-cacheable, and keeps that type */
	{
		struct dev_pagemap bar;

		one_range(&bar, MEMORY_DEVICE_PCI_P2PDMA, PMEM_BASE + SZ_16M, SZ_4M);
		CHECK(!IS_ERR(memremap_pages(&bar)));
		CHECK_EQ(lin.last_type, MEMREMAP_TYPE_NC);
		CHECK_EQ(memtype_check(PMEM_BASE + SZ_16M, PMEM_BASE + SZ_16M + PAGE_SIZE,
				       MEMREMAP_TYPE_WB, &held), -EBUSY);
		CHECK_EQ(held, MEMREMAP_TYPE_NC);
		CHECK_EQ(memunmap_pages(&bar), 0);
	}
	/* device-private memory has no CPU mapping: no type to keep */
	one_range(&priv, MEMORY_DEVICE_PRIVATE, PMEM_BASE, SZ_4M);
	priv.ops = &ops;
	priv.owner = &priv;
	CHECK(!IS_ERR(memremap_pages(&priv)));
	CHECK_EQ(memunmap_pages(&priv), 0);
	CHECK_EQ(memtype_free(PMEM_BASE + SZ_2M, PMEM_BASE + SZ_2M + PAGE_SIZE), 0);
	teardown();
}

static int frees_seen;

static void count_free(struct page *p)
{
	(void)p;
	frees_seen++;
}

static int never_migrate(struct page *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return -EOPNOTSUPP;
}

/*
 * The device-page lifecycle without an MMU: put_page() of the last reference gives a device
 * page to its owner; pgmap_pfn_valid() knows the data pfns; devm_memremap_pages() goes with
 * its device.
 */
static void device_pages_go_back_to_their_owner(void)
{
	static const struct dev_pagemap_ops ops = { count_free, never_migrate };
	static struct device dev;
	struct dev_pagemap pg, gen;
	struct page *p;

	setup();
	frees_seen = 0;
	one_range(&pg, MEMORY_DEVICE_PRIVATE, PMEM_BASE, SZ_4M);
	pg.ops = &ops;
	pg.owner = &pg;
	CHECK(!IS_ERR(memremap_pages(&pg)));
	p = pfn_to_page(PMEM_PFN + 7);
	zone_device_page_init(p);
	CHECK_EQ(page_ref_count(p), 1);
	page_ref_inc(p);
	put_page(p);
	CHECK_EQ(frees_seen, 0); /* not the last reference */
	put_page(p);
	CHECK_EQ(frees_seen, 1);
	CHECK_EQ(page_ref_count(p), 0);
	CHECK(pgmap_pfn_valid(&pg, PMEM_PFN));
	CHECK(pgmap_pfn_valid(&pg, PMEM_PFN + SZ_4M / PAGE_SIZE - 1));
	CHECK(!pgmap_pfn_valid(&pg, PMEM_PFN + SZ_4M / PAGE_SIZE));
	CHECK(!pgmap_pfn_valid(&pg, PMEM_PFN - 1));
	CHECK_EQ(memunmap_pages(&pg), 0);
	/* the altmap's own pages are no data pfns */
	altmap_pagemap(&pg, PMEM_BASE, SZ_64M);
	CHECK(!pgmap_pfn_valid(&pg, PMEM_PFN));
	CHECK(!pgmap_pfn_valid(&pg, pgmap_pfn_first(&pg, 0) - 1));
	CHECK(pgmap_pfn_valid(&pg, pgmap_pfn_first(&pg, 0)));
	/* devm: removed at unbind */
	device_reset_all();
	CHECK_EQ(device_init(&dev, "dev", -1, "x", 2), 0);
	CHECK_EQ(device_register(&dev), 0);
	one_range(&gen, MEMORY_DEVICE_GENERIC, PMEM_BASE, SZ_4M);
	CHECK(!IS_ERR(devm_memremap_pages(&dev, &gen)));
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == &gen);
	put_dev_pagemap(&gen);
	CHECK_EQ(devres_release_all(&dev), 1);
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == NULL);
	CHECK(!IS_ERR(devm_memremap_pages(&dev, &gen)));
	CHECK_EQ(devm_memunmap_pages(&dev, &gen), 0);
	CHECK(get_dev_pagemap(PMEM_PFN, NULL) == NULL);
	device_unregister(&dev);
	teardown();
}

static const struct tap_case cases[] = {
	TAP_CASE(check_is_a_dry_run_with_memremap_pages_verdict),
	TAP_CASE(generic_pagemap_in_ram),
	TAP_CASE(fsdax_pagemap_with_altmap_keeps_memmap_in_device),
	TAP_CASE(compound_device_pages_have_identical_tails),
	TAP_CASE(compound_tails_are_shared_in_ram),
	TAP_CASE(compound_tails_are_shared_in_the_device),
	TAP_CASE(lookup_finds_every_range_and_counts_references),
	TAP_CASE(private_pagemap_gets_no_linear_map),
	TAP_CASE(bad_pagemaps_are_refused_and_leave_nothing),
	TAP_CASE(failures_midway_unwind_every_range),
	TAP_CASE(second_memremap_of_a_live_pagemap_changes_nothing),
	TAP_CASE(failed_memremap_leaves_the_pagemap_as_given),
	TAP_CASE(refused_memunmap_leaves_the_pagemap_live),
	TAP_CASE(memunmap_returns_the_unmap_error),
	TAP_CASE(pagemap_keeps_one_memory_type),
	TAP_CASE(device_pages_go_back_to_their_owner),
};

TAP_MAIN("mm_memremap_pages", cases)
