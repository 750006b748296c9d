// SPDX-License-Identifier: BSD-2-Clause
// Suite "rmap": device folios (2 MiB compound pages of the volatile pmem range) mapped into a
// real address space at PMD and PTE size, found again by rmap_walk() + page_vma_mapped_walk(),
// and each rmap user checked through the MMU itself: after mkclean a write faults, after
// try_to_migrate a read faults, after remove_migration_ptes the address reads the new folio,
// device-private entries fault, and nothing leaks.
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/fault.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <mm/pgtable.h>
#include <platform/printk.h>
#include <platform/atomic.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <mm/memremap.h>
#include <mm/migrate.h>
#include <mm/mm_types.h>
#include <mm/page_alloc.h>
#include <mm/rmap.h>
#include <pmem/scratch.h>

#define VA_PMD 0x40000000UL /* VMA 1: the object from page 0, 4 MiB, folio A as one PMD */
#define VA_PTE 0x50000000UL /* VMA 2: the same object, folio A again as 512 PTEs */
#define VA_DEV 0x60000000UL /* VMA 3: a device-private folio */
#define VA_DEV2 0x70000000UL /* VMA 4: a device-private base page the CPU faults back to RAM */
#define VA_MIG 0x78000000UL /* VMA 5: a RAM page migrate_vma_*() moves to the device and back */

static struct {
	struct dev_pagemap pgmap;
	struct dev_pagemap private_pgmap;
	bool have_private;
	int private_frees;
	/* device-private base pages (order 0) whose data live in @shadow, the "device memory" */
	struct dev_pagemap private2;
	bool have_private2;
	struct page *shadow, *migrated;
	int migrations;
	struct vm_area_struct *v4, *v5;
	struct page *to_free[4];
	int nr_free;
	struct address_space as, dev_as;
	struct mm_struct mm;
	struct vm_area_struct *v1, *v2, *v3;
	struct folio *a, *b, *c;
	unsigned long free0;
	bool ready;
} rs;

/* The owner's hooks of the device-private pagemap (a GPU driver's, in Linux). */
static void private_page_free(struct page *page)
{
	(void)page;
	rs.private_frees++;
}

/*
 * The CPU touched a device-private page. The folio of the first pagemap is never given back
 * (its fault stays a fault); the pages of the second have their data in @rs.shadow: copied to
 * a new RAM page that replaces the device-private entry, then the access is retried.
 */
static int private_migrate_to_ram(struct page *page, void *ctx)
{
	struct page *new;
	int ret;

	if (page_pgmap(page) != &rs.private2 || !rs.shadow)
		return -EOPNOTSUPP;
	new = alloc_page(GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	memcpy(__va(PFN_PHYS(page_to_pfn(new))), __va(PFN_PHYS(page_to_pfn(rs.shadow))), PAGE_SIZE);
	ret = migrate_device_private_to_ram(ctx, new);
	if (ret) {
		__free_page(new);
		return ret;
	}
	rs.migrated = new;
	rs.migrations++;
	if (rs.nr_free < (int)ARRAY_SIZE(rs.to_free))
		rs.to_free[rs.nr_free++] = new;
	return 0;
}

static const struct dev_pagemap_ops private_ops = { private_page_free, private_migrate_to_ram };

/*
 * Device-private memory the CPU cannot reach: a MEMORY_DEVICE_PRIVATE pagemap over the first
 * 2 MiB of the persistent range (free again after the pmem suite): struct pages in RAM, no
 * linear mapping, nothing ever written to the range itself.
 */
static struct folio *private_folio(void)
{
	for (int i = 0; i < boot.nr_pmem; i++) {
		const struct pmem_region *p = &boot.pmem[i];
		void *va;

		if (!p->valid || p->is_volatile)
			continue;
		rs.private_pgmap.type = MEMORY_DEVICE_PRIVATE;
		rs.private_pgmap.ops = &private_ops;
		rs.private_pgmap.owner = &rs;
		rs.private_pgmap.nr_range = 1;
		rs.private_pgmap.ranges[0] = (struct range){ p->base, p->base + SZ_2M - 1 };
		rs.private_pgmap.vmemmap_shift = 9;
		va = memremap_pages(&rs.private_pgmap);
		if (IS_ERR(va))
			return NULL;
		rs.have_private = true;
		rs.private2.type = MEMORY_DEVICE_PRIVATE;
		rs.private2.ops = &private_ops;
		rs.private2.owner = &rs;
		rs.private2.nr_range = 1;
		rs.private2.ranges[0] = (struct range){ p->base + SZ_2M, p->base + SZ_4M - 1 };
		rs.have_private2 = !IS_ERR(memremap_pages(&rs.private2));
		return page_folio(pfn_to_page(PHYS_PFN(p->base)));
	}
	return NULL;
}

static int init(char *why, size_t len)
{
	struct pmem_scratch sc, *p = &sc;
	void *va;
	int ret;

	if (!paging_installed() || boot.mm_failed) {
		scnprintf(why, len, "no final page tables or no page allocator");
		return -ENODEV;
	}
	/* the folios are written through user mappings: scratch memory only */
	if (pmem_scratch_get(SZ_8M, &sc, why, len))
		return -ENODEV;
	memset(&rs, 0, sizeof(rs));
	rs.free0 = nr_free_pages();
	rs.pgmap.type = MEMORY_DEVICE_GENERIC;
	rs.pgmap.nr_range = 1;
	rs.pgmap.ranges[0] = (struct range){ p->base, p->base + p->size - 1 };
	rs.pgmap.vmemmap_shift = 9;
	va = memremap_pages(&rs.pgmap);
	if (IS_ERR(va)) {
		scnprintf(why, len, "memremap_pages of the volatile range: %ld", PTR_ERR(va));
		return (int)PTR_ERR(va);
	}
	address_space_init(&rs.as, "rmap-object");
	address_space_init(&rs.dev_as, "rmap-device-private");
	rs.a = page_folio(pfn_to_page(PHYS_PFN(p->base)));
	rs.b = page_folio(pfn_to_page(PHYS_PFN(p->base + SZ_2M)));
	rs.c = private_folio();
	if (!rs.c) /* no persistent range: a GENERIC folio stands in for device memory */
		rs.c = page_folio(pfn_to_page(PHYS_PFN(p->base + SZ_4M)));
	folio_set_mapping(rs.a, &rs.as, 0);
	folio_set_mapping(rs.c, &rs.dev_as, 0);
	ret = mm_init(&rs.mm, &kernel_pgtable.cfg, 7);
	if (!ret) {
		rs.v1 = vma_create(&rs.mm, VA_PMD, SZ_4M, VM_READ | VM_WRITE, &rs.as, 0);
		rs.v2 = vma_create(&rs.mm, VA_PTE, SZ_2M, VM_READ | VM_WRITE, &rs.as, 0);
		rs.v3 = vma_create(&rs.mm, VA_DEV, SZ_2M, VM_READ | VM_WRITE, &rs.dev_as, 0);
		rs.v4 = vma_create(&rs.mm, VA_DEV2, SZ_2M, VM_READ | VM_WRITE, NULL, 0);
		rs.v5 = vma_create(&rs.mm, VA_MIG, SZ_2M, VM_READ | VM_WRITE, NULL, 0);
		if (IS_ERR(rs.v1) || IS_ERR(rs.v2) || IS_ERR(rs.v3) || IS_ERR(rs.v4) ||
		    IS_ERR(rs.v5))
			ret = -ENOMEM;
	}
	if (ret) {
		scnprintf(why, len, "address space setup failed: %d", ret);
		if (rs.mm.pgt.root)
			mm_destroy(&rs.mm);
		if (rs.have_private)
			memunmap_pages(&rs.private_pgmap);
		if (rs.have_private2)
			memunmap_pages(&rs.private2);
		memunmap_pages(&rs.pgmap);
		return ret;
	}
	rs.ready = true;
	return 0;
}

struct count_arg {
	unsigned int flags;
	unsigned int found;
};

static bool count_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
		      void *arg)
{
	struct count_arg *c = arg;
	struct page_vma_mapped_walk pvmw = { .pfn = folio_pfn(folio),
					     .nr_pages = folio_nr_pages(folio),
					     .vma = vma,
					     .address = addr,
					     .flags = c->flags };

	while (page_vma_mapped_walk(&pvmw))
		c->found++;
	return true;
}

/* Entries rmap finds for @folio (@flags: PVMW_*). */
static unsigned int rmap_count(struct folio *folio, unsigned int flags)
{
	struct count_arg c = { flags, 0 };
	const struct rmap_walk_control rwc = { .arg = &c, .rmap_one = count_one };

	rmap_walk(folio, &rwc);
	return c.found;
}

static void mappings_translate_and_are_found(struct ktap_test *t)
{
	uint64_t v = 0, insn0;
	unsigned int found;
	uint64_t *lin = __va(PFN_PHYS(folio_pfn(rs.a)) + 0x1238);

	KTAP_EXPECT_EQ(t, vma_map_folio(rs.v1, VA_PMD, rs.a, 0, 512, PGTABLE_LEVEL_PMD), 0);
	KTAP_EXPECT_EQ(t, vma_map_folio(rs.v2, VA_PTE, rs.a, 0, 512, PGTABLE_LEVEL_PTE), 0);
	KTAP_EXPECT_EQ(t, folio_mapcount(rs.a), 513);
	switch_mm(&rs.mm.pgt);
	KTAP_EXPECT_EQ(t, probe_write((void *)(VA_PMD + 0x1238), 0xfeedf00d), 0);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_PTE + 0x1238), &v), 0);
	switch_mm(NULL);
	KTAP_EXPECT_EQ(t, v, 0xfeedf00d);
	KTAP_EXPECT_EQ(t, *lin, 0xfeedf00d); /* the same physical page, three ways */
	insn0 = arch_insn_count();
	found = rmap_count(rs.a, 0);
	insn0 = arch_insn_count() - insn0;
	KTAP_EXPECT_EQ(t, found, 513);
	ktap_printf("    # folio A: 1 PMD + 512 PTE mappings found in %llu insns\n",
		    (unsigned long long)insn0);
	ktap_metric("rmap_walk_513_mappings_insns", insn0, "insns");
}

struct conc_walk {
	int rounds;
	int bad_counts;
	int cleaned;
	int done;
};

/*
 * Every CPU walks all 513 mappings over and over while CPU 0 cleans them once: the walkers
 * and mkclean's PVMW_SYNC walk contend for the page-table lock, no walk may see a mapping
 * appear or vanish (cleaning only changes permissions), and each entry is cleaned exactly once.
 */
static void conc_walker(void *info)
{
	struct conc_walk *c = info;

	for (int r = 0; r < c->rounds; r++) {
		if (rmap_count(rs.a, 0) != 513)
			__atomic_fetch_add(&c->bad_counts, 1, __ATOMIC_RELAXED);
		if (smp_processor_id() == 0 && r == c->rounds / 2)
			__atomic_fetch_add(&c->cleaned, folio_mkclean(rs.a), __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

static void concurrent_walks_and_mkclean_on_all_cpus(struct ktap_test *t)
{
	struct conc_walk c = { .rounds = 6 };

	on_each_cpu(conc_walker, &c, true);
	while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) < (int)num_online_cpus())
		cpu_relax();
	KTAP_EXPECT_EQ(t, c.bad_counts, 0);
	KTAP_EXPECT_EQ(t, c.cleaned, 513);
	ktap_printf("    # %u CPUs x %d walks of 513 mappings, mkclean once in between\n",
		    num_online_cpus(), c.rounds);
}

static void mkclean_makes_writes_fault(struct ktap_test *t)
{
	uint64_t v;

	KTAP_EXPECT_EQ(t, folio_mkclean(rs.a), 0); /* cleaned by the concurrent case */
	switch_mm(&rs.mm.pgt);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_PMD + 8), &v), 0);
	KTAP_EXPECT_EQ(t, probe_write((void *)(VA_PMD + 8), 1), -EFAULT);
	KTAP_EXPECT(t, fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, probe_write((void *)(VA_PTE + 4096 * 7), 1), -EFAULT);
	switch_mm(NULL);
	KTAP_EXPECT_EQ(t, folio_mkclean(rs.a), 0);
}

static void migration_entries_fault_then_lead_to_the_new_folio(struct ktap_test *t)
{
	uint64_t v = 0;

	/* the data move from A to B while every mapping is a migration entry */
	KTAP_EXPECT(t, try_to_migrate(rs.a));
	KTAP_EXPECT_EQ(t, rmap_count(rs.a, 0), 0);
	KTAP_EXPECT_EQ(t, rmap_count(rs.a, PVMW_MIGRATION), 513);
	switch_mm(&rs.mm.pgt);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_PMD + 0x1238), &v), -EFAULT);
	KTAP_EXPECT(t, !fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_PTE + 0x1238), &v), -EFAULT);
	switch_mm(NULL);
	memcpy(__va(PFN_PHYS(folio_pfn(rs.b))), __va(PFN_PHYS(folio_pfn(rs.a))), SZ_2M);
	*(uint64_t *)__va(PFN_PHYS(folio_pfn(rs.b)) + 0x2000) = 0xb0b0b0b0;
	KTAP_EXPECT_EQ(t, remove_migration_ptes(rs.a, rs.b), 513);
	KTAP_EXPECT_EQ(t, folio_mapcount(rs.b), 513);
	KTAP_EXPECT_EQ(t, rmap_count(rs.b, 0), 513);
	switch_mm(&rs.mm.pgt);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_PMD + 0x1238), &v), 0);
	KTAP_EXPECT_EQ(t, v, 0xfeedf00d);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_PTE + 0x2000), &v), 0);
	KTAP_EXPECT_EQ(t, v, 0xb0b0b0b0);
	/* entries were clean (read-only) when migrated: still read-only */
	KTAP_EXPECT_EQ(t, probe_write((void *)(VA_PTE + 0x2000), 1), -EFAULT);
	switch_mm(NULL);
}

static void device_private_entries_fault(struct ktap_test *t)
{
	uint64_t v;

	if (rs.have_private)
		KTAP_EXPECT(t, page_pgmap(&rs.c->page)->type == MEMORY_DEVICE_PRIVATE);
	KTAP_EXPECT_EQ(t, vma_map_device_private(rs.v3, VA_DEV, rs.c, true), 0);
	KTAP_EXPECT_EQ(t, rmap_count(rs.c, 0), 512);
	KTAP_EXPECT_EQ(t, rmap_count(rs.c, PVMW_MIGRATION), 0);
	switch_mm(&rs.mm.pgt);
	KTAP_EXPECT_EQ(t, probe_read((void *)(VA_DEV + 4096 * 3), &v), -EFAULT);
	switch_mm(NULL);
	KTAP_EXPECT(t, try_to_unmap(rs.c));
	KTAP_EXPECT_EQ(t, rmap_count(rs.c, 0), 0);
}

/*
 * The device-page lifecycle through the real MMU: a read of a device-private page faults, the
 * fault path calls the owner's migrate_to_ram(), the access is retried and returns the
 * device's data from a RAM page; the device page's last reference goes back (page_free).
 */
static void device_private_fault_migrates_to_ram(struct ktap_test *t)
{
	struct pgtable_walk_result w;
	struct page *dp;
	uint64_t v = 0, *dev;
	int frees0 = rs.private_frees, r1, r2;

	if (!rs.have_private2) {
		ktap_skip(t, "no persistent range to stand in for device-private memory");
		return;
	}
	dp = pfn_to_page(PHYS_PFN(rs.private2.ranges[0].start) + 5);
	KTAP_EXPECT(t, pgmap_pfn_valid(&rs.private2, page_to_pfn(dp)));
	KTAP_EXPECT(t, !pgmap_pfn_valid(&rs.private2, PHYS_PFN(rs.private2.ranges[0].end) + 1));
	rs.shadow = alloc_page(GFP_KERNEL);
	if (!rs.shadow) {
		ktap_fail(t, __FILE__, __LINE__, "no RAM page for the device data");
		return;
	}
	dev = __va(PFN_PHYS(page_to_pfn(rs.shadow)));
	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		dev[i] = 0xdec0de0000000000ULL | i;
	zone_device_page_init(dp); /* the owner hands the page out, holding its data */
	KTAP_EXPECT_EQ(t, vma_map_device_private(rs.v4, VA_DEV2, page_folio(dp), true), 0);
	KTAP_EXPECT_EQ(t, pgtable_walk(&rs.mm.pgt, VA_DEV2, &w), -ENOENT); /* not present */
	switch_mm(&rs.mm.pgt);
	r1 = probe_read((void *)(VA_DEV2 + 0x238), &v);
	r2 = probe_write((void *)(VA_DEV2 + 0x240), 0x5eed);
	switch_mm(NULL);
	KTAP_EXPECT_EQ(t, r1, 0);
	KTAP_EXPECT_EQ(t, v, 0xdec0de0000000000ULL | (0x238 / 8));
	KTAP_EXPECT_EQ(t, r2, 0); /* the entry was writable: so is the RAM page */
	KTAP_EXPECT_EQ(t, rs.migrations, 1);
	KTAP_EXPECT_EQ(t, rs.private_frees, frees0 + 1);
	KTAP_EXPECT_EQ(t, page_ref_count(dp), 0);
	KTAP_EXPECT_EQ(t, folio_mapcount(page_folio(dp)), 0);
	if (rs.migrated) {
		KTAP_EXPECT_EQ(t, pgtable_walk(&rs.mm.pgt, VA_DEV2, &w), 0);
		KTAP_EXPECT_EQ(t, PHYS_PFN(w.pa), page_to_pfn(rs.migrated));
		KTAP_EXPECT_EQ(t, *(uint64_t *)__va(PFN_PHYS(page_to_pfn(rs.migrated)) + 0x240),
			       0x5eed);
	}
	/* the RAM page is an ordinary mapping now: gone with its VMA */
	vma_destroy(rs.v4);
	if (rs.migrated)
		KTAP_EXPECT_EQ(t, folio_mapcount(page_folio(rs.migrated)), 0);
	ktap_printf("    # device-private page faulted back to RAM: %d migration(s), %d page_free\n",
		    rs.migrations, rs.private_frees - frees0);
}

/*
 * The other direction: a RAM page of a VMA goes to device-private memory with
 * migrate_vma_setup()/_pages()/_finalize() (the "device" copies its data into @rs.shadow), is
 * then unreachable by the CPU, and a read brings it back through migrate_to_ram().
 */
static void migrate_vma_to_device_and_fault_back(struct ktap_test *t)
{
	unsigned long src[1], dst[1];
	struct migrate_vma m = { .vma = rs.v5, .src = src, .dst = dst, .start = VA_MIG,
				 .end = VA_MIG + PAGE_SIZE, .pgmap_owner = &rs,
				 .flags = MIGRATE_VMA_SELECT_SYSTEM };
	struct pgtable_walk_result w;
	struct page *ram, *dp;
	uint64_t v = 0;
	int frees0 = rs.private_frees, migrations0 = rs.migrations, r;

	if (!rs.have_private2 || !rs.shadow) {
		ktap_skip(t, "no device-private pagemap");
		return;
	}
	ram = alloc_page(GFP_KERNEL);
	if (!ram) {
		ktap_fail(t, __FILE__, __LINE__, "no RAM page");
		return;
	}
	rs.to_free[rs.nr_free++] = ram;
	*(uint64_t *)__va(PFN_PHYS(page_to_pfn(ram)) + 0x100) = 0x0ddba11;
	KTAP_EXPECT_EQ(t, vma_map_folio(rs.v5, VA_MIG, page_folio(ram), 0, 1, PGTABLE_LEVEL_PTE), 0);
	KTAP_EXPECT_EQ(t, migrate_vma_setup(&m), 0);
	KTAP_EXPECT_EQ(t, m.cpages, 1);
	dp = pfn_to_page(PHYS_PFN(rs.private2.ranges[0].start) + 9);
	zone_device_page_init(dp);
	/* the device's copy: the CPU cannot address device-private memory, the shadow stands in */
	memcpy(__va(PFN_PHYS(page_to_pfn(rs.shadow))), __va(PFN_PHYS(page_to_pfn(ram))), PAGE_SIZE);
	dst[0] = migrate_pfn(page_to_pfn(dp));
	migrate_vma_pages(&m);
	migrate_vma_finalize(&m);
	KTAP_EXPECT_EQ(t, folio_mapcount(page_folio(ram)), 0);
	KTAP_EXPECT_EQ(t, folio_mapcount(page_folio(dp)), 1);
	KTAP_EXPECT_EQ(t, pgtable_walk(&rs.mm.pgt, VA_MIG, &w), -ENOENT);
	switch_mm(&rs.mm.pgt);
	r = probe_read((void *)(VA_MIG + 0x100), &v);
	switch_mm(NULL);
	KTAP_EXPECT_EQ(t, r, 0);
	KTAP_EXPECT_EQ(t, v, 0x0ddba11);
	KTAP_EXPECT_EQ(t, rs.migrations, migrations0 + 1);
	KTAP_EXPECT_EQ(t, rs.private_frees, frees0 + 1);
	KTAP_EXPECT_EQ(t, page_ref_count(dp), 0);
	vma_destroy(rs.v5);
	ktap_printf("    # RAM -> device-private (migrate_vma) -> RAM (fault): data kept\n");
}

static void unmap_and_teardown_leak_nothing(struct ktap_test *t)
{
	struct memremap_pages_stats st;
	uint64_t v;

	KTAP_EXPECT(t, try_to_unmap(rs.b));
	KTAP_EXPECT_EQ(t, folio_mapcount(rs.b), 0);
	KTAP_EXPECT_EQ(t, rs.mm.map_count, 0);
	switch_mm(&rs.mm.pgt);
	KTAP_EXPECT_EQ(t, probe_read((void *)VA_PMD, &v), -EFAULT);
	switch_mm(NULL);
	mm_destroy(&rs.mm);
	for (int i = 0; i < rs.nr_free; i++)
		__free_page(rs.to_free[i]);
	if (rs.shadow)
		__free_page(rs.shadow);
	folio_set_mapping(rs.a, NULL, 0);
	folio_set_mapping(rs.b, NULL, 0);
	folio_set_mapping(rs.c, NULL, 0);
	if (rs.have_private)
		KTAP_EXPECT_EQ(t, memunmap_pages(&rs.private_pgmap), 0);
	if (rs.have_private2)
		KTAP_EXPECT_EQ(t, memunmap_pages(&rs.private2), 0);
	KTAP_EXPECT_EQ(t, memunmap_pages(&rs.pgmap), 0);
	memremap_pages_get_stats(&st);
	KTAP_EXPECT_EQ(t, st.live_pagemaps, 0);
	KTAP_EXPECT_EQ(t, nr_free_pages(), rs.free0);
	rs.ready = false;
}

static const struct ktap_case rmap_cases[] = {
	KTAP_CASE(mappings_translate_and_are_found),
	KTAP_CASE(concurrent_walks_and_mkclean_on_all_cpus),
	KTAP_CASE(mkclean_makes_writes_fault),
	KTAP_CASE(migration_entries_fault_then_lead_to_the_new_folio),
	KTAP_CASE(device_private_entries_fault),
	KTAP_CASE(device_private_fault_migrates_to_ram),
	KTAP_CASE(migrate_vma_to_device_and_fault_back),
	KTAP_CASE(unmap_and_teardown_leak_nothing),
};

const struct ktap_suite rmap_suite = {
	.name = "rmap",
	.cases = rmap_cases,
	.nr_cases = ARRAY_SIZE(rmap_cases),
	.init = init,
};
