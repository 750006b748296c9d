// SPDX-License-Identifier: BSD-2-Clause
// Suite "vmemmap": struct pages for all RAM, hot-add and hot-remove of a pmem range with and
// without an altmap (struct pages in RAM vs in the device), and leak checks after each remove.
#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/errno.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/atomic.h>
#include <platform/smp_call.h>
#include <platform/smp.h>
#include <platform/printk.h>
#include <mm/memblock.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/page.h>
#include <mm/page_alloc.h>

static int init(char *why, size_t len)
{
	if (!paging_installed() || boot.mm_failed || !page_alloc_ready()) {
		scnprintf(why, len, "no struct pages (paging or mm_core_init failed)");
		return -ENODEV;
	}
	return 0;
}

static void struct_pages_cover_ram(struct ktap_test *t)
{
	unsigned long checked = 0;

	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		if (r->flags & MEMBLOCK_NOMAP)
			continue;
		unsigned long first = PFN_UP(r->base), last = PFN_DOWN(r->base + r->size) - 1;
		unsigned long probe[3] = { first, first + (last - first) / 2, last };
		for (int k = 0; k < 3; k++) {
			KTAP_EXPECT(t, pfn_valid(probe[k]));
			KTAP_EXPECT_EQ(t, page_to_pfn(pfn_to_page(probe[k])), probe[k]);
			KTAP_EXPECT_EQ(t, page_zonenum(pfn_to_page(probe[k])), ZONE_NORMAL);
			checked++;
		}
	}
	/* The image is never the allocator's. */
	KTAP_EXPECT(t, PageFlag(phys_to_page(boot.image_base), PG_reserved));
	/* A page the allocator hands out has one reference and is not reserved. */
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	if (KTAP_EXPECT(t, p != NULL)) {
		KTAP_EXPECT(t, pfn_valid(page_to_pfn(p)));
		KTAP_EXPECT_EQ(t, page_ref_count(p), 1);
		KTAP_EXPECT(t, !PageFlag(p, PG_reserved));
		__free_pages(p, 0);
	}
	ktap_metric("vmemmap_ram_bytes_boot", mm_init_stats.vmemmap_ram_bytes, "bytes");
	ktap_metric("vmemmap_boot_insns", mm_init_stats.sparse_insns, "insns");
	ktap_metric("buddy_handover_insns", mm_init_stats.buddy_insns, "insns");
	KTAP_EXPECT(t, checked > 0);
}

static void device_and_holes_are_invalid(struct ktap_test *t)
{
	KTAP_EXPECT(t, !pfn_valid(PHYS_PFN(boot.bi.uart_base)));
	for (int i = 0; i < boot.nr_pmem; i++)
		if (boot.pmem[i].valid)
			KTAP_EXPECT(t, !pfn_valid(PHYS_PFN(boot.pmem[i].base)));
}

/*
 * A volatile range only: these tests write struct pages over the start of the range, which on a
 * persistent range is the info block and data an earlier boot left (the pmem suite owns those).
 */
static const struct pmem_region *pmem_for_test(void)
{
	for (int i = 0; i < boot.nr_pmem; i++) {
		const struct pmem_region *p = &boot.pmem[i];

		if (p->valid && p->is_volatile) {
			pr_debug("vmemmap: hot-adding %s [mem 0x%016llx-0x%016llx]: the first valid "
				 "volatile range (persistent ones hold data)\n", p->node,
				 (unsigned long long)p->base,
				 (unsigned long long)(p->base + p->size - 1));
			return p;
		}
	}
	pr_debug("vmemmap: no valid volatile pmem range to hot-add\n");
	return NULL;
}

/* Hot-add @p with @altmap (or not), check, hot-remove, and check nothing leaked. */
static void hot_add_remove(struct ktap_test *t, const struct pmem_region *p,
			   struct vmem_altmap *altmap, bool huge, const char *tag)
{
	unsigned long pfn = PHYS_PFN(p->base), nr = PHYS_PFN(p->size);
	struct page_alloc_snapshot snap;
	struct vmemmap_stats before, mid, after;
	unsigned long tables = kernel_pgtable.nr_table_pages;

	vmemmap_set_hugepages(huge);
	page_alloc_snapshot(&snap);
	vmemmap_get_stats(&before);
	uint64_t insn0 = arch_insn_count();
	int ret = sparse_add_section(pfn, nr, altmap, ZONE_DEVICE);
	uint64_t insns = arch_insn_count() - insn0;
	vmemmap_set_hugepages(true);
	if (!KTAP_EXPECT_EQ(t, ret, 0))
		return;
	/* The device pages are memmap_init_zone_device()'s to write (the hot-add leaves them). */
	struct dev_pagemap pg = { .type = MEMORY_DEVICE_GENERIC };
	insn0 = arch_insn_count();
	KTAP_EXPECT_EQ(t, memmap_init_zone_device(pfn, nr, &pg), nr);
	uint64_t init_insns = arch_insn_count() - insn0;
	KTAP_EXPECT_EQ(t, page_ref_count(pfn_to_page(pfn + nr - 1)), 1);
	KTAP_EXPECT(t, PageFlag(pfn_to_page(pfn), PG_reserved));
	vmemmap_get_stats(&mid);
	KTAP_EXPECT(t, pfn_valid(pfn) && pfn_valid(pfn + nr - 1));
	/* What follows may be RAM (a carve-out in the middle of a bank), never this range. */
	KTAP_EXPECT(t, !pfn_valid(pfn + nr) || page_zonenum(pfn_to_page(pfn + nr)) != ZONE_DEVICE);
	KTAP_EXPECT_EQ(t, page_zonenum(pfn_to_page(pfn + nr / 2)), ZONE_DEVICE);
	KTAP_EXPECT_EQ(t, page_to_pfn(pfn_to_page(pfn + nr - 1)), pfn + nr - 1);
	uint64_t ram = mid.ram_bytes - before.ram_bytes;
	uint64_t dev = mid.altmap_bytes - before.altmap_bytes;
	if (altmap) {
		/* Every struct page lives in the device: no RAM besides page tables. */
		KTAP_EXPECT_EQ(t, ram, 0);
		KTAP_EXPECT(t, dev >= nr * sizeof(struct page));
		struct pgtable_walk_result r;
		KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, (uintptr_t)pfn_to_page(pfn + nr - 1), &r),
			       0);
		KTAP_EXPECT(t, r.pa >= p->base && r.pa < p->base + p->size);
	} else {
		KTAP_EXPECT(t, ram >= nr * sizeof(struct page));
		KTAP_EXPECT_EQ(t, dev, 0);
	}
	ktap_printf("    # %s: %lu pages, struct pages %llu bytes RAM + %llu bytes device, "
		    "%lu pmd leaves, %llu insns\n", tag, nr, (unsigned long long)ram,
		    (unsigned long long)dev, mid.pmd_leaves - before.pmd_leaves,
		    (unsigned long long)insns);
	/* Scale to one GiB of pmem so figures compare across region sizes. */
	char name[48];
	scnprintf(name, sizeof(name), "vmemmap_%s_ram_bytes_per_gib", tag);
	ktap_metric(name, ram * (SZ_1G / p->size), "bytes");
	if (insns) {
		scnprintf(name, sizeof(name), "vmemmap_%s_insns_per_gib", tag);
		ktap_metric(name, insns * (SZ_1G / p->size), "insns");
	}
	/* Base pages, the whole call over the range (the "struct page init per page"). */
	if (init_insns && !altmap && huge) {
		ktap_printf("    # memmap_init_zone_device: %lu pages, %llu insns\n", nr,
			    (unsigned long long)init_insns);
		ktap_metric("struct_page_init_insns_per_page", (init_insns + nr - 1) / nr, "insns");
	}
	KTAP_EXPECT_EQ(t, sparse_remove_section(pfn, nr, altmap), 0);
	KTAP_EXPECT(t, !pfn_valid(pfn));
	vmemmap_get_stats(&after);
	KTAP_EXPECT_EQ(t, after.ram_bytes, before.ram_bytes);
	KTAP_EXPECT_EQ(t, after.altmap_bytes, before.altmap_bytes);
	KTAP_EXPECT_EQ(t, page_alloc_compare(&snap), 0);
	KTAP_EXPECT_EQ(t, kernel_pgtable.nr_table_pages, tables);
	if (altmap)
		KTAP_EXPECT_EQ(t, altmap->alloc + altmap->align, 0);
}

static void hot_add_remove_in_ram(struct ktap_test *t)
{
	const struct pmem_region *p = pmem_for_test();

	if (!p) {
		ktap_skip(t, "no valid volatile pmem region to scribble on");
		return;
	}
	hot_add_remove(t, p, NULL, true, "ram_pmd");
	hot_add_remove(t, p, NULL, false, "ram_base");
}

static void hot_add_remove_with_altmap(struct ktap_test *t)
{
	const struct pmem_region *p = pmem_for_test();

	if (!p) {
		ktap_skip(t, "no valid volatile pmem region to scribble on");
		return;
	}
	unsigned long pfn = PHYS_PFN(p->base), nr = PHYS_PFN(p->size);
	/* Room for the struct pages of the whole region, rounded to 2 MiB leaves. */
	unsigned long need = ALIGN_UP(nr * sizeof(struct page), SZ_2M) / PAGE_SIZE;
	struct vmem_altmap altmap = { .base_pfn = pfn, .end_pfn = pfn + nr, .free = need };
	hot_add_remove(t, p, &altmap, true, "altmap_pmd");
	struct vmem_altmap altmap2 = { .base_pfn = pfn, .end_pfn = pfn + nr, .free = need };
	hot_add_remove(t, p, &altmap2, false, "altmap_base");
}

static void altmap_exhaustion_unwinds(struct ktap_test *t)
{
	const struct pmem_region *p = pmem_for_test();
	struct page_alloc_snapshot snap;
	struct vmemmap_stats before, after;

	if (!p) {
		ktap_skip(t, "no valid volatile pmem region to scribble on");
		return;
	}
	unsigned long pfn = PHYS_PFN(p->base), nr = PHYS_PFN(p->size);
	/* Half of what the struct pages need. */
	struct vmem_altmap altmap = { .base_pfn = pfn, .end_pfn = pfn + nr,
				      .free = nr * sizeof(struct page) / PAGE_SIZE / 2 };
	unsigned long tables = kernel_pgtable.nr_table_pages;

	page_alloc_snapshot(&snap);
	vmemmap_get_stats(&before);
	KTAP_EXPECT_EQ(t, sparse_add_section(pfn, nr, &altmap, ZONE_DEVICE), -ENOMEM);
	vmemmap_get_stats(&after);
	KTAP_EXPECT(t, !pfn_valid(pfn));
	KTAP_EXPECT_EQ(t, altmap.alloc + altmap.align, 0);
	KTAP_EXPECT_EQ(t, after.ram_bytes, before.ram_bytes);
	KTAP_EXPECT_EQ(t, after.altmap_bytes, before.altmap_bytes);
	KTAP_EXPECT_EQ(t, kernel_pgtable.nr_table_pages, tables);
	KTAP_EXPECT_EQ(t, page_alloc_compare(&snap), 0);
}

/*
 * A 1 GiB-aligned GiB of the window that nothing of this layout uses (no present section, no
 * RAM bank, no pmem range), searched from the middle of the window up; 0 if there is none.
 */
static phys_addr_t unused_gib(void)
{
	phys_addr_t lo = kernel_layout.phys_base, hi = lo + kernel_layout.phys_span;

	for (phys_addr_t pa = ALIGN_UP(lo + (hi - lo) / 2, SZ_1G); pa + SZ_1G <= hi; pa += SZ_1G) {
		bool used = false;

		for (unsigned int i = 0; i < memblock.memory.cnt && !used; i++) {
			const struct memblock_region *r = &memblock.memory.regions[i];

			used = r->base < pa + SZ_1G && pa < r->base + r->size;
		}
		for (int i = 0; i < boot.nr_pmem && !used; i++)
			used = boot.pmem[i].base < pa + SZ_1G && pa < boot.pmem[i].base + boot.pmem[i].size;
		for (unsigned long nr = pfn_to_section_nr(PHYS_PFN(pa));
		     nr < pfn_to_section_nr(PHYS_PFN(pa + SZ_1G)) && !used; nr++)
			used = present_section_nr(nr);
		if (!used) {
			pr_debug("vmemmap: unused GiB at [mem 0x%016llx-0x%016llx] of the window "
				 "[mem 0x%016llx-0x%016llx]: the first from its middle up with no RAM, "
				 "pmem or present section\n", (unsigned long long)pa,
				 (unsigned long long)(pa + SZ_1G - 1), (unsigned long long)lo,
				 (unsigned long long)(hi - 1));
			return pa;
		}
	}
	pr_debug("vmemmap: no unused GiB in the window [mem 0x%016llx-0x%016llx]\n",
		 (unsigned long long)lo, (unsigned long long)(hi - 1));
	return 0;
}

/*
 * Free blocks page_alloc_phys() could hand out as a 2 MiB vmemmap leaf: those of order 9 and
 * up, less one at physical address 0 (0 is its failure value, so it never returns that one).
 */
static unsigned long free_2m_blocks(void)
{
	unsigned long n = 0;

	for (unsigned int o = PMD_SHIFT - PAGE_SHIFT; o <= MAX_PAGE_ORDER; o++)
		n += nr_free_blocks(o);
	if (n && pfn_valid(0) && PageFlag(pfn_to_page(0), PG_buddy) &&
	    pfn_to_page(0)->private >= PMD_SHIFT - PAGE_SHIFT)
		n--;
	return n;
}

/*
 * Population cost alone: the vmemmap of 1 GiB of pfns (16 MiB of struct pages) in an unused
 * part of the window, with 2 MiB leaves and with base pages; everything goes back afterwards.
 */
static void populate_cost_per_gib(struct ktap_test *t)
{
	phys_addr_t gib = unused_gib();
	uintptr_t start = (uintptr_t)pfn_to_page(PHYS_PFN(gib));
	uintptr_t end = start + (SZ_1G / PAGE_SIZE) * sizeof(struct page);
	struct page_alloc_snapshot snap;

	if (!gib) {
		ktap_skip(t, "no unused GiB in the physical window of this layout");
		return;
	}
	for (int huge = 1; huge >= 0; huge--) {
		struct vmemmap_stats before, mid;

		page_alloc_snapshot(&snap);
		vmemmap_get_stats(&before);
		uint64_t insn0 = arch_insn_count();
		int ret = huge ? vmemmap_populate_hugepages(start, end, NULL) :
				 vmemmap_populate_basepages(start, end, NULL);
		uint64_t insns = arch_insn_count() - insn0;
		if (!KTAP_EXPECT_EQ(t, ret, 0))
			continue;
		vmemmap_get_stats(&mid);
		KTAP_EXPECT_EQ(t, mid.ram_bytes - before.ram_bytes, end - start);
		unsigned long fallbacks = mid.pmd_fallbacks - before.pmd_fallbacks;
		if (huge) {
			KTAP_EXPECT_EQ(t, mid.pmd_leaves - before.pmd_leaves + fallbacks,
				       (end - start) / SZ_2M);
			/*
			 * Fragmented RAM may have fewer free 2 MiB blocks than the GiB needs; base
			 * pages are then right, but only once none is left (base pages and tables
			 * taken after the fallback come from smaller blocks first).
			 */
			if (fallbacks)
				KTAP_EXPECT_EQ(t, free_2m_blocks(), 0);
		}
		ktap_printf("    # %s: %lu table pages, %llu insns\n", huge ? "2 MiB leaves" : "4 KiB pages",
			    (long)(mid.table_pages - before.table_pages), (unsigned long long)insns);
		if (fallbacks) {
			/* A mix of leaf sizes: its cost compares with neither figure. */
			ktap_printf("    # %lu of %lu PMDs fell back to base pages: no free 2 MiB block "
				    "left in RAM; the 2 MiB-leaf cost metrics are not reported\n",
				    fallbacks, (unsigned long)((end - start) / SZ_2M));
		} else {
			if (insns)
				ktap_metric(huge ? "vmemmap_populate_pmd_insns_per_gib" :
						   "vmemmap_populate_base_insns_per_gib", insns, "insns");
			/* the "per vmemmap page" figure: 4 KiB of struct pages mapped */
			if (insns && !huge)
				ktap_metric("vmemmap_populate_insns_per_4k_page",
					    (insns + (end - start) / PAGE_SIZE / 2) /
						    ((end - start) / PAGE_SIZE), "insns");
			ktap_metric(huge ? "vmemmap_populate_pmd_table_pages_per_gib" :
					   "vmemmap_populate_base_table_pages_per_gib",
				    (uint64_t)(mid.table_pages - before.table_pages), "pages");
		}
		vmemmap_free(start, end, NULL);
		KTAP_EXPECT_EQ(t, page_alloc_compare(&snap), 0);
	}
}

/*
 * RAM with one free 2 MiB block where two PMDs want one each, as a demanding user's layout may
 * leave it (forced here by holding every other block of order 9 and up): one PMD leaf, one PMD
 * of base pages, and vmemmap_free() gives back both kinds.
 */
static void populate_with_one_2m_block_left(struct ktap_test *t)
{
	const unsigned int order = PMD_SHIFT - PAGE_SHIFT;
	phys_addr_t gib = unused_gib();
	uintptr_t start = (uintptr_t)pfn_to_page(PHYS_PFN(gib)), end = start + 2 * PMD_SIZE;
	struct page_alloc_snapshot snap;
	struct vmemmap_stats before, mid;
	struct page *held = NULL, *p, *spare = NULL;
	unsigned long nr_held = 0;

	if (!gib) {
		ktap_skip(t, "no unused GiB in the physical window of this layout");
		return;
	}
	page_alloc_snapshot(&snap);
	/* Held blocks are chained through ->private (the owner's field while allocated). */
	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order)) != NULL) {
		if (!spare && page_to_pfn(p) != 0) {
			spare = p;
			continue;
		}
		p->private = (unsigned long)held;
		held = p;
		nr_held++;
	}
	/* The base pages and any table pages must come from smaller blocks. */
	bool room = spare && nr_free_pages() >= 2 * PTRS_PER_PTE;
	if (spare)
		__free_pages(spare, order);
	if (room) {
		vmemmap_get_stats(&before);
		int ret = vmemmap_populate_hugepages(start, end, NULL);
		vmemmap_get_stats(&mid);
		if (KTAP_EXPECT_EQ(t, ret, 0)) {
			KTAP_EXPECT_EQ(t, mid.pmd_leaves - before.pmd_leaves, 1);
			KTAP_EXPECT_EQ(t, mid.pmd_fallbacks - before.pmd_fallbacks, 1);
			KTAP_EXPECT_EQ(t, mid.pte_leaves - before.pte_leaves, PTRS_PER_PTE);
			KTAP_EXPECT_EQ(t, mid.ram_bytes - before.ram_bytes, end - start);
			KTAP_EXPECT_EQ(t, free_2m_blocks(), 0);
			vmemmap_free(start, end, NULL);
		}
		ktap_printf("    # %lu blocks of 2 MiB held, one left\n", nr_held);
	}
	for (; held; held = p) {
		p = (struct page *)held->private;
		held->private = 0;
		__free_pages(held, order);
	}
	KTAP_EXPECT_EQ(t, page_alloc_compare(&snap), 0);
	if (!room)
		ktap_skip(t, spare ? "too little free RAM outside 2 MiB blocks for a PMD of base pages"
				   : "no free 2 MiB block in RAM");
}

/* Every CPU allocates and frees blocks of many orders at once; the allocator ends as it began. */
struct conc_alloc {
	unsigned long failures;
	int done;
};

static void alloc_worker(void *info)
{
	struct conc_alloc *c = info;
	struct page *held[8];
	uint64_t x = 0x9e3779b97f4a7c15ULL * (smp_processor_id() + 1);

	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 8; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			held[i] = alloc_pages(GFP_KERNEL, (unsigned int)(x % 5));
			if (!held[i])
				__atomic_fetch_add(&c->failures, 1, __ATOMIC_RELAXED);
			else
				held[i]->private = (unsigned long)(x % 5);
		}
		for (int i = 0; i < 8; i++)
			if (held[i])
				__free_pages(held[i], (unsigned int)held[i]->private);
	}
	__atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

static void concurrent_alloc_free_on_all_cpus(struct ktap_test *t)
{
	static struct conc_alloc c;
	struct page_alloc_snapshot snap;

	c = (struct conc_alloc){ 0 };
	page_alloc_snapshot(&snap);
	on_each_cpu(alloc_worker, &c, true);
	while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) < (int)num_online_cpus())
		cpu_relax();
	KTAP_EXPECT_EQ(t, c.failures, 0);
	KTAP_EXPECT_EQ(t, page_alloc_compare(&snap), 0);
	ktap_printf("    # %u CPUs x 1600 allocations of orders 0-4\n", num_online_cpus());
}

/* Every CPU hot-adds and removes its own 2 MiB subsections of the pmem region at once. */
struct conc_hotplug {
	const struct pmem_region *p;
	unsigned long errors;
	int done;
};

static void hotplug_worker(void *info)
{
	struct conc_hotplug *c = info;
	unsigned int cpu = smp_processor_id();
	unsigned long sub = PHYS_PFN(SZ_2M);
	unsigned long nsub = PHYS_PFN(c->p->size) / sub;

	for (unsigned long i = cpu; i < nsub; i += num_possible_cpus()) {
		unsigned long pfn = PHYS_PFN(c->p->base) + i * sub;
		if (sparse_add_section(pfn, sub, NULL, ZONE_DEVICE) || !pfn_valid(pfn) ||
		    sparse_remove_section(pfn, sub, NULL) || pfn_valid(pfn))
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

static void concurrent_hotplug_on_all_cpus(struct ktap_test *t)
{
	static struct conc_hotplug c;
	struct page_alloc_snapshot snap;
	unsigned long tables = kernel_pgtable.nr_table_pages;

	c = (struct conc_hotplug){ .p = pmem_for_test() };
	if (!c.p) {
		ktap_skip(t, "no valid volatile pmem region to scribble on");
		return;
	}
	page_alloc_snapshot(&snap);
	on_each_cpu(hotplug_worker, &c, true);
	while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) < (int)num_online_cpus())
		cpu_relax();
	KTAP_EXPECT_EQ(t, c.errors, 0);
	KTAP_EXPECT_EQ(t, page_alloc_compare(&snap), 0);
	KTAP_EXPECT_EQ(t, kernel_pgtable.nr_table_pages, tables);
}

static const struct ktap_case vmemmap_cases[] = {
	KTAP_CASE(struct_pages_cover_ram),
	KTAP_CASE(device_and_holes_are_invalid),
	KTAP_CASE(hot_add_remove_in_ram),
	KTAP_CASE(hot_add_remove_with_altmap),
	KTAP_CASE(altmap_exhaustion_unwinds),
	KTAP_CASE(populate_cost_per_gib),
	KTAP_CASE(concurrent_alloc_free_on_all_cpus),
	KTAP_CASE(concurrent_hotplug_on_all_cpus),
	KTAP_CASE(populate_with_one_2m_block_left),
};

const struct ktap_suite vmemmap_suite = {
	.name = "vmemmap",
	.cases = vmemmap_cases,
	.nr_cases = ARRAY_SIZE(vmemmap_cases),
	.init = init,
};
