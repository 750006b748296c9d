// SPDX-License-Identifier: BSD-2-Clause
// mm/sparse-vmemmap.c and vmem_altmap: base-page and PMD-leaf population over real page tables,
// populate/free cycles that return every page, fallbacks, altmap reserve/alignment/exhaustion
// with full unwinding, and hot-add/hot-remove through sparse with and without an altmap.
#include <stdlib.h>

#include <mm/vmemmap_tails.h>

#include "sparse_env.h"

static void init_ok(void)
{
	env_setup();
	CHECK_EQ(sparse_init(&env_pt, &env_layout), 0);
}

/* vmemmap address of the struct page of @pfn. */
static unsigned long vm(unsigned long pfn)
{
	return (unsigned long)pfn_to_page(pfn);
}

/* A free area of the vmemmap: the memmap of sections 100.. */
#define FREE_PFN section_nr_to_pfn(100)
#define SZ_256K 0x40000UL
#define SZ_512K 0x80000UL

static unsigned long count_level(unsigned long start, unsigned long end, int level)
{
	unsigned long n = 0;

	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		n += env_leaf(a, NULL) == level;
	return n;
}

static void populate_base_pages_and_free_leave_nothing(void)
{
	unsigned long start, end;
	struct env_snap a, b;

	init_ok();
	start = vm(FREE_PFN) + SZ_1M + 0x8000;
	end = start + 3 * SZ_1M;
	env_snapshot(&a);
	for (int cycle = 0; cycle < 3; cycle++) {
		CHECK_EQ(vmemmap_populate_basepages(start, end, NULL), 0);
		CHECK_EQ(count_level(start, end, PGTABLE_LEVEL_PTE), (end - start) / PAGE_SIZE);
		CHECK_EQ(env_leaf(start - PAGE_SIZE, NULL), -1);
		CHECK_EQ(env_leaf(end, NULL), -1);
		/* the memory is there, through the page table */
		memset((void *)start, 0x3c, end - start);
		CHECK_EQ(((unsigned char *)end)[-1], 0x3c);
		env_snapshot(&b);
		CHECK_EQ(b.vs.pte_leaves - a.vs.pte_leaves, (end - start) / PAGE_SIZE);
		CHECK_EQ(b.vs.ram_bytes - a.vs.ram_bytes, end - start);
		CHECK_EQ(b.vs.table_pages - a.vs.table_pages, (long)(b.tables - a.tables));
		CHECK(b.tables > a.tables);
		vmemmap_free(start, end, NULL);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
	}
	env_teardown();
}

static void populate_hugepages_uses_pmd_leaves_where_whole(void)
{
	/* 0.5 MiB + two whole PMDs + 0.25 MiB */
	unsigned long start, end;
	unsigned long flushes0;
	struct env_snap a, b;

	init_ok();
	start = vm(FREE_PFN) + SZ_2M - SZ_512K;
	end = start + SZ_512K + 2 * SZ_2M + SZ_256K;
	env_snapshot(&a);
	CHECK_EQ(vmemmap_populate_hugepages(start, end, NULL), 0);
	env_snapshot(&b);
	CHECK_EQ(b.vs.pmd_leaves - a.vs.pmd_leaves, 2);
	CHECK_EQ(b.vs.pte_leaves - a.vs.pte_leaves, (SZ_512K + SZ_256K) / PAGE_SIZE);
	CHECK_EQ(env_leaf(start + SZ_512K, NULL), PGTABLE_LEVEL_PMD);
	CHECK_EQ(env_leaf(start + SZ_512K + SZ_2M, NULL), PGTABLE_LEVEL_PMD);
	CHECK_EQ(env_leaf(start, NULL), PGTABLE_LEVEL_PTE);
	CHECK_EQ(env_leaf(end - PAGE_SIZE, NULL), PGTABLE_LEVEL_PTE);
	memset((void *)start, 0, end - start);
	/* a populated range is refused and nothing changes */
	CHECK_EQ(vmemmap_populate(start + SZ_1M, end + SZ_2M, NULL), -EEXIST);
	CHECK_EQ(vmemmap_populate_basepages(end - PAGE_SIZE, end + PAGE_SIZE, NULL), -EEXIST);
	env_snapshot(&a);
	CHECK(env_same(&a, &b));
	flushes0 = fake_flush_calls;
	vmemmap_free(start, end, NULL);
	CHECK_EQ(fake_flush_calls - flushes0, 1); /* one flush for the whole range */
	env_teardown();
}

static void vmemmap_set_hugepages_false_gives_base_pages(void)
{
	struct vmemmap_stats vs;

	init_ok();
	vmemmap_set_hugepages(false);
	CHECK_EQ(vmemmap_populate(vm(FREE_PFN), vm(FREE_PFN) + SZ_2M, NULL), 0);
	vmemmap_get_stats(&vs);
	CHECK_EQ(env_leaf(vm(FREE_PFN), NULL), PGTABLE_LEVEL_PTE);
	CHECK_EQ(vs.pte_leaves, 512);
	vmemmap_free(vm(FREE_PFN), vm(FREE_PFN) + SZ_2M, NULL);
	vmemmap_set_hugepages(true);
	env_teardown();
}

/* An allocator that cannot give anything bigger than a page. */
static unsigned long small_allocs, small_frees;

static phys_addr_t small_alloc(size_t size, size_t align, void *ctx)
{
	(void)ctx;
	if (size > PAGE_SIZE)
		return 0;
	small_allocs++;
	return memblock_phys_alloc(size, align);
}

static void small_free(phys_addr_t pa, size_t size, void *ctx)
{
	(void)ctx;
	small_frees++;
	memblock_phys_free(pa, size);
}

static void hugepages_fall_back_to_base_pages_without_a_2m_block(void)
{
	struct vmemmap_stats vs0, vs;
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	vmemmap_get_stats(&vs0);
	vmemmap_set_allocator(small_alloc, small_free, NULL);
	CHECK_EQ(vmemmap_populate(vm(FREE_PFN), vm(FREE_PFN) + 2 * SZ_2M, NULL), 0);
	vmemmap_get_stats(&vs);
	CHECK_EQ(vs.pmd_fallbacks - vs0.pmd_fallbacks, 2);
	CHECK_EQ(vs.pte_leaves - vs0.pte_leaves, 1024);
	CHECK_EQ(small_allocs, 1024);
	vmemmap_free(vm(FREE_PFN), vm(FREE_PFN) + 2 * SZ_2M, NULL);
	CHECK_EQ(small_frees, 1024);
	vmemmap_set_allocator(NULL, NULL, NULL);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

/* Page-table pages that run out after @n. */
static long table_budget;

static phys_addr_t budget_alloc(void *ctx)
{
	if (table_budget == 0)
		return 0;
	table_budget--;
	return memblock_page_ops.alloc(ctx);
}

static const struct pgtable_page_ops budget_ops = { budget_alloc, NULL, NULL };

static void populate_without_table_pages_unwinds(void)
{
	struct pgtable_page_ops ops = budget_ops;
	struct env_snap a, b;

	ops.free = memblock_page_ops.free;
	init_ok();
	env_snapshot(&a);
	pgtable_set_page_ops(&ops);
	/* 2 MiB across a PMD boundary: two new PTE tables */
	for (long budget = 0; budget < 3; budget++) {
		unsigned long start = vm(FREE_PFN) + SZ_1M, end = start + SZ_2M;

		table_budget = budget;
		CHECK_EQ(vmemmap_populate_basepages(start, end, NULL), budget < 2 ? -ENOMEM : 0);
		if (budget == 2) {
			CHECK_EQ(count_level(start, end, PGTABLE_LEVEL_PTE), 512);
			vmemmap_free(start, end, NULL);
		}
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
	}
	pgtable_set_page_ops(&memblock_page_ops);
	env_teardown();
}

/* ---- batches: one PTE table at a time -------------------------------------------------- */

/* A bulk hook over memblock that gives out @bulk_budget pages in all, then comes up short. */
static unsigned long bulk_calls, bulk_pages, bulk_budget;

static unsigned long test_bulk(unsigned long nr, phys_addr_t *pas, void *ctx)
{
	unsigned long n = 0;

	(void)ctx;
	bulk_calls++;
	for (; n < nr && bulk_budget; n++, bulk_budget--) {
		pas[n] = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!pas[n])
			break;
	}
	bulk_pages += n;
	return n;
}

static void use_test_bulk(unsigned long budget)
{
	small_allocs = small_frees = 0;
	bulk_calls = bulk_pages = 0;
	bulk_budget = budget;
	vmemmap_set_allocator(small_alloc, small_free, NULL);
	vmemmap_set_bulk_allocator(test_bulk);
}

static void base_pages_come_in_one_bulk_call_per_table(void)
{
	/* 0.5 MiB + one whole PTE table + 0.25 MiB: three tables, three calls */
	unsigned long start, end;
	struct env_snap a, b;

	init_ok();
	start = vm(FREE_PFN) + SZ_2M - SZ_512K;
	end = start + SZ_512K + SZ_2M + SZ_256K;
	env_snapshot(&a);
	use_test_bulk(~0UL);
	CHECK_EQ(vmemmap_populate_basepages(start, end, NULL), 0);
	CHECK_EQ(bulk_calls, 3);
	CHECK_EQ(bulk_pages, (end - start) / PAGE_SIZE);
	CHECK_EQ(small_allocs, 0);
	CHECK_EQ(count_level(start, end, PGTABLE_LEVEL_PTE), (end - start) / PAGE_SIZE);
	memset((void *)start, 0x5a, end - start);
	CHECK_EQ(((unsigned char *)end)[-1], 0x5a);
	vmemmap_free(start, end, NULL);
	CHECK_EQ(small_frees, bulk_pages);
	/* vmemmap_set_allocator() drops the bulk hook: one call per page then */
	vmemmap_set_allocator(small_alloc, small_free, NULL);
	bulk_calls = 0;
	CHECK_EQ(vmemmap_populate_basepages(start, end, NULL), 0);
	CHECK_EQ(bulk_calls, 0);
	CHECK_EQ(small_allocs, (end - start) / PAGE_SIZE);
	vmemmap_free(start, end, NULL);
	vmemmap_set_allocator(NULL, NULL, NULL);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void bulk_short_in_the_middle_unwinds_everything(void)
{
	unsigned long start, end;
	struct env_snap a, b;

	init_ok();
	start = vm(FREE_PFN) + SZ_1M;
	end = start + 2 * SZ_2M; /* tables of 256, 512 and 256 pages */
	env_snapshot(&a);
	/* short in the first, the second (in the middle of its batch) and the last table */
	static const unsigned long budgets[] = { 0, 100, 256 + 300, 256 + 512 + 255 };

	for (unsigned int i = 0; i < ARRAY_SIZE(budgets); i++) {
		use_test_bulk(budgets[i]);
		CHECK_EQ(vmemmap_populate_basepages(start, end, NULL), -ENOMEM);
		CHECK_EQ(small_frees, bulk_pages); /* the short batch and every table before it */
		CHECK_EQ(env_leaf(start, NULL), -1);
		CHECK_EQ(env_leaf(end - PAGE_SIZE, NULL), -1);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
	}
	vmemmap_set_allocator(NULL, NULL, NULL);
	env_teardown();
}

static void a_slot_in_use_fails_its_table_before_anything_is_mapped(void)
{
	unsigned long start, mid, end;
	struct env_snap a, b;

	init_ok();
	start = vm(FREE_PFN);
	end = start + SZ_2M;
	mid = start + SZ_1M;
	CHECK_EQ(vmemmap_populate_basepages(mid, mid + PAGE_SIZE, NULL), 0);
	env_snapshot(&a);
	use_test_bulk(~0UL);
	/* the slot in use is not the first of the range: found by the batch, under the lock */
	CHECK_EQ(vmemmap_populate_basepages(start, end, NULL), -EEXIST);
	CHECK_EQ(small_frees, bulk_pages);
	CHECK_EQ(count_level(start, end, PGTABLE_LEVEL_PTE), 1);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	/* the free slots of that table are taken in one batch around it */
	CHECK_EQ(vmemmap_populate_basepages(start, mid, NULL), 0);
	CHECK_EQ(vmemmap_populate_basepages(mid + PAGE_SIZE, end, NULL), 0);
	CHECK_EQ(count_level(start, end, PGTABLE_LEVEL_PTE), 512);
	vmemmap_free(start, end, NULL);
	CHECK_EQ(small_frees, bulk_pages + 1); /* and the page mapped first */
	vmemmap_set_allocator(NULL, NULL, NULL);
	env_teardown();
}

/* Order-9 compound pages: 64 a PTE table, a head vmemmap page each and 7 shared tail pages. */
#define CPAGES_PER_TABLE (SZ_2M / sizeof(struct page))

static void compound_heads_come_in_one_batch_per_table(void)
{
	unsigned long nr = 3 * CPAGES_PER_TABLE, start = vm(FREE_PFN), end = vm(FREE_PFN + nr);
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 2, .free = 1 + 3 * 64 };
	struct pgtable_walk_result r;
	struct vmemmap_tail *t;
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	use_test_bulk(~0UL);
	CHECK_EQ(vmemmap_populate_compound_pages(FREE_PFN, nr, 9, NULL, ZONE_DEVICE), 0);
	CHECK_EQ(bulk_calls, 3);
	CHECK_EQ(bulk_pages, 3 * 64);
	t = vmemmap_tail_find(9, ZONE_DEVICE, NULL);
	CHECK(t != NULL);
	CHECK_EQ(t->users, 3 * (512 - 64));
	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		CHECK_EQ(pgtable_walk(&env_pt, va, &r), 0);
		if ((va - start) % (8 * PAGE_SIZE)) {
			CHECK_EQ(r.pa, t->page);
			CHECK(!(pgprot_val(r.prot) & PGPROT_WRITE));
		} else {
			CHECK(r.pa != t->page && (pgprot_val(r.prot) & PGPROT_WRITE));
		}
	}
	CHECK_EQ(vmemmap_free(start, end, NULL), 0);
	CHECK(vmemmap_tail_find(9, ZONE_DEVICE, NULL) == NULL);
	CHECK_EQ(small_frees, bulk_pages + 1); /* the shared page came through @alloc */
	/* in the device: heads are consecutive altmap pages after the shared one */
	CHECK_EQ(vmemmap_populate_compound_pages(FREE_PFN, nr, 9, &am, ZONE_DEVICE), 0);
	CHECK_EQ(am.alloc, 1 + 3 * 64);
	CHECK_EQ(pgtable_walk(&env_pt, start, &r), 0);
	CHECK_EQ(PHYS_PFN(r.pa), PMEM_PFN + 2 + 1);
	CHECK_EQ(pgtable_walk(&env_pt, end - 8 * PAGE_SIZE, &r), 0);
	CHECK_EQ(PHYS_PFN(r.pa), PMEM_PFN + 2 + 3 * 64);
	CHECK_EQ(vmemmap_free(start, end, &am), 0);
	CHECK_EQ(am.alloc, 0);
	vmemmap_set_allocator(NULL, NULL, NULL);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void compound_batch_short_in_the_middle_unwinds_everything(void)
{
	unsigned long nr = 3 * CPAGES_PER_TABLE, start = vm(FREE_PFN), end = vm(FREE_PFN + nr);
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 2, .free = 1 + 64 + 30 };
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	for (int zone = 0; zone < 2; zone++) {
		enum zone_type z = zone ? ZONE_NORMAL : ZONE_DEVICE;

		/* the second table's batch comes up short after 10 heads */
		use_test_bulk(64 + 10);
		CHECK_EQ(vmemmap_populate_compound_pages(FREE_PFN, nr, 9, NULL, z), -ENOMEM);
		CHECK_EQ(small_frees, bulk_pages + small_allocs); /* heads and the shared page */
		CHECK(vmemmap_tail_find(9, z, NULL) == NULL);
		CHECK_EQ(env_leaf(start, NULL), -1);
		CHECK_EQ(env_leaf(end - PAGE_SIZE, NULL), -1);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
	}
	/* an altmap with room for the shared page and a table and a half of heads */
	CHECK_EQ(vmemmap_populate_compound_pages(FREE_PFN, nr, 9, &am, ZONE_DEVICE), -ENOMEM);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(am.align, 0);
	CHECK(vmemmap_tail_find(9, ZONE_DEVICE, &am) == NULL);
	CHECK_EQ(env_leaf(start, NULL), -1);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	vmemmap_set_allocator(NULL, NULL, NULL);
	env_teardown();
}

/* ---- altmap ---------------------------------------------------------------------------- */

static void altmap_alloc_block_buf_aligns_dynamically(void)
{
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 3, .free = 1100 };
	void *p;

	init_ok();
	CHECK_EQ(vmem_altmap_offset(&am), 1103);
	CHECK_EQ(vmem_altmap_offset(NULL), 0);
	p = altmap_alloc_block_buf(PAGE_SIZE, &am);
	CHECK_EQ(__pa(p), PFN_PHYS(PMEM_PFN + 3));
	CHECK_EQ(am.alloc, 1);
	CHECK_EQ(am.align, 0);
	/* 2 pages: aligned to 2 pfns, next is +4: no padding */
	p = altmap_alloc_block_buf(2 * PAGE_SIZE, &am);
	CHECK_EQ(__pa(p), PFN_PHYS(PMEM_PFN + 4));
	CHECK_EQ(am.align, 0);
	/* 8 pages: next is +6, aligned to +8: 2 pages of padding */
	p = altmap_alloc_block_buf(8 * PAGE_SIZE, &am);
	CHECK_EQ(__pa(p), PFN_PHYS(PMEM_PFN + 8));
	CHECK_EQ(am.alloc, 11);
	CHECK_EQ(am.align, 2);
	/* 12 pages: the largest power of two dividing 12 is 4: +16 is aligned already */
	p = altmap_alloc_block_buf(12 * PAGE_SIZE, &am);
	CHECK_EQ(__pa(p), PFN_PHYS(PMEM_PFN + 16));
	CHECK_EQ(am.align, 2);
	/* 2 MiB: 512-pfn aligned, 484 pages of padding */
	p = altmap_alloc_block_buf(SZ_2M, &am);
	CHECK_EQ(__pa(p), PFN_PHYS(PMEM_PFN + 512));
	CHECK_EQ(am.alloc, 23 + 512);
	CHECK_EQ(am.align, 2 + 484);
	/* 4 MiB aligns to 2 MiB only (the cap) but does not fit: nothing changes */
	CHECK(altmap_alloc_block_buf(2 * SZ_2M, &am) == NULL);
	CHECK(altmap_alloc_block_buf(100, &am) == NULL);
	CHECK_EQ(am.alloc, 535);
	CHECK_EQ(am.align, 486);
	/* exactly what is left (1100 - 535 - 486 = 79 pages; 79 is odd: no padding) */
	p = altmap_alloc_block_buf(79 * PAGE_SIZE, &am);
	CHECK_EQ(__pa(p), PFN_PHYS(PMEM_PFN + 1024));
	CHECK(altmap_alloc_block_buf(PAGE_SIZE, &am) == NULL);
	CHECK(vmemmap_alloc_block_buf(PAGE_SIZE, &am) == NULL); /* never falls back to RAM */
	vmem_altmap_free(&am, 79);
	CHECK_EQ(am.alloc, 535);
	env_teardown();
}

static void altmap_populate_takes_every_page_from_the_altmap(void)
{
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 2, .free = 2048 };
	unsigned long start, end;
	struct env_snap a, b;
	phys_addr_t pa;

	init_ok();
	start = vm(PMEM_PFN);
	end = vm(PMEM_PFN + SEC_PAGES);
	env_snapshot(&a);
	CHECK_EQ(vmemmap_populate(start, end, &am), 0);
	CHECK_EQ(env_leaf(start, &pa), PGTABLE_LEVEL_PMD);
	CHECK_EQ(pa, PFN_PHYS(PMEM_PFN + 512));
	CHECK_EQ(am.alloc, 512);
	CHECK_EQ(am.align, 510);
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes, a.vs.ram_bytes);
	CHECK_EQ(b.vs.altmap_bytes - a.vs.altmap_bytes, SZ_2M);
	CHECK_EQ(a.memblock_free - b.memblock_free, (b.tables - a.tables) * PAGE_SIZE);
	vmemmap_free(start, end, &am);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(am.align, 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));

	/* base pages: 512 single pages from the altmap, no padding */
	vmemmap_set_hugepages(false);
	CHECK_EQ(vmemmap_populate(start, end, &am), 0);
	CHECK_EQ(env_leaf(end - PAGE_SIZE, &pa), PGTABLE_LEVEL_PTE);
	CHECK_EQ(pa, PFN_PHYS(PMEM_PFN + 2 + 511));
	CHECK_EQ(am.alloc, 512);
	CHECK_EQ(am.align, 0);
	/* freeing the lower half first: the allocation point stays until the top goes */
	vmemmap_free(start, start + SZ_1M, &am);
	CHECK_EQ(am.alloc, 256);
	CHECK_EQ(am.align, 256);
	vmemmap_free(start + SZ_1M, end, &am);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(am.align, 0);
	vmemmap_set_hugepages(true);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void altmap_without_2m_falls_back_to_its_own_base_pages(void)
{
	/* reserve 5: a 2 MiB block would need 507 + 512 pages, only 600 are there */
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 5, .free = 600 };
	unsigned long start, end;
	struct env_snap a, b;
	phys_addr_t pa;

	init_ok();
	start = vm(PMEM_PFN);
	end = vm(PMEM_PFN + SEC_PAGES);
	env_snapshot(&a);
	CHECK_EQ(vmemmap_populate(start, end, &am), 0);
	env_snapshot(&b);
	CHECK_EQ(b.vs.pmd_fallbacks - a.vs.pmd_fallbacks, 1);
	CHECK_EQ(b.vs.ram_bytes, a.vs.ram_bytes);
	CHECK_EQ(am.alloc, 512);
	CHECK_EQ(am.align, 0);
	CHECK_EQ(env_leaf(start, &pa), PGTABLE_LEVEL_PTE);
	CHECK_EQ(pa, PFN_PHYS(PMEM_PFN + 5));
	vmemmap_free(start, end, &am);
	CHECK_EQ(am.alloc, 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void altmap_exhausted_mid_range_unwinds_everything(void)
{
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 1, .free = 200 };
	unsigned long start, end;
	struct env_snap a, b;
	unsigned int logs;
	unsigned long exhausted0;
	void *first;

	init_ok();
	start = vm(PMEM_PFN);
	end = vm(PMEM_PFN + SEC_PAGES);
	/* something allocated already, with padding, must survive the unwinding exactly */
	first = altmap_alloc_block_buf(4 * PAGE_SIZE, &am);
	CHECK_EQ(__pa(first), PFN_PHYS(PMEM_PFN + 4));
	CHECK_EQ(am.align, 3);
	env_snapshot(&a);
	exhausted0 = a.vs.altmap_exhausted;
	logs = fake_log_count;
	for (int huge = 0; huge < 2; huge++) {
		vmemmap_set_hugepages(huge);
		CHECK_EQ(vmemmap_populate(start, end, &am), -ENOMEM);
		CHECK_EQ(am.alloc, 4);
		CHECK_EQ(am.align, 3);
		CHECK_EQ(env_leaf(start, NULL), -1);
		CHECK_EQ(env_leaf(end - PAGE_SIZE, NULL), -1);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
		CHECK_EQ(fake_log_count, logs + 1);
		logs = fake_log_count;
		CHECK(strstr(fake_last_log, "altmap [pfn 0x88000-0x8ffff] exhausted") != NULL);
		CHECK(strstr(fake_last_log, "needs 512 pages, 193 were left") != NULL);
	}
	vmemmap_set_hugepages(true);
	vmemmap_get_stats(&b.vs);
	CHECK_EQ(b.vs.altmap_exhausted - exhausted0, 2);
	env_teardown();
}

/* ---- hot-add / hot-remove through sparse ----------------------------------------------- */

static void check_device_pages(unsigned long pfn, unsigned long n)
{
	unsigned long bad = 0;

	/* memmap_init_zone_device()'s part (the hot-add leaves device pages to it): all writable */
	init_pages(pfn_to_page(pfn), n, ZONE_DEVICE);
	for (unsigned long p = pfn; p < pfn + n; p += 97)
		bad += !pfn_valid(p) || page_zonenum(pfn_to_page(p)) != ZONE_DEVICE ||
		       page_ref_count(pfn_to_page(p)) != 1;
	CHECK_EQ(bad, 0);
}

static void hot_add_with_altmap_uses_no_ram_for_struct_pages(void)
{
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 2, .free = 1024 };
	struct env_snap a, b;
	phys_addr_t pa;

	init_ok();
	env_snapshot(&a);
	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES, &am, ZONE_DEVICE), 0);
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes, a.vs.ram_bytes);
	CHECK_EQ(b.vs.altmap_bytes - a.vs.altmap_bytes, SZ_2M);
	/* RAM spent: page-table pages and the section's owner table only */
	CHECK_EQ(a.memblock_free - b.memblock_free,
		 (b.tables - a.tables) * PAGE_SIZE + (b.ss.table_bytes - a.ss.table_bytes));
	CHECK_EQ(b.ss.table_bytes - a.ss.table_bytes, PAGE_SIZE);
	CHECK_EQ(am.alloc, 512);
	check_device_pages(PMEM_PFN, SEC_PAGES);
	CHECK(!online_section_nr(pfn_to_section_nr(PMEM_PFN)));
	/* the struct pages are physically inside the device, where the altmap put them */
	CHECK_EQ(env_leaf(vm(PMEM_PFN + 1000), &pa), PGTABLE_LEVEL_PMD);
	CHECK(pa >= PFN_PHYS(PMEM_PFN + 2) && pa < PFN_PHYS(PMEM_PFN + 2 + 1024));
	CHECK_EQ(memcmp(__va(pa), pfn_to_page(PMEM_PFN + 1000), sizeof(struct page)), 0);
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), -EINVAL); /* wrong altmap */
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, &am), 0);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(am.align, 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));

	/* the same range without an altmap: 2 MiB of RAM */
	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES, NULL, ZONE_DEVICE), 0);
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes - a.vs.ram_bytes, SZ_2M);
	CHECK_EQ(b.vs.altmap_bytes, a.vs.altmap_bytes);
	check_device_pages(PMEM_PFN, SEC_PAGES);
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void hot_add_subsections_with_altmap_and_ram_side_by_side(void)
{
	/* two 64 MiB devices in one section: the first with an altmap, the second without */
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES / 2,
				  .reserve = 1, .free = 300 };
	struct vmem_altmap other = { .base_pfn = PMEM_PFN + SEC_PAGES / 2,
				     .end_pfn = PMEM_PFN + SEC_PAGES, .free = 300 };
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES / 2, &am, ZONE_DEVICE), 0);
	CHECK_EQ(am.alloc, 256);
	CHECK_EQ(sparse_add_section(PMEM_PFN + SEC_PAGES / 2, SEC_PAGES / 2, NULL, ZONE_DEVICE), 0);
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes - a.vs.ram_bytes, SZ_1M);
	CHECK_EQ(b.vs.altmap_bytes - a.vs.altmap_bytes, SZ_1M);
	check_device_pages(PMEM_PFN, SEC_PAGES);
	/* a range outside the altmap is refused; another altmap in the same section is not */
	CHECK_EQ(sparse_remove_section(PMEM_PFN + SEC_PAGES / 2, SEC_PAGES / 2, NULL), 0);
	CHECK_EQ(sparse_add_section(PMEM_PFN + SEC_PAGES / 2, SUB_PAGES, &am, ZONE_DEVICE),
		 -EINVAL);
	CHECK_EQ(sparse_add_section(PMEM_PFN + SEC_PAGES / 2, SUB_PAGES, &other, ZONE_DEVICE), 0);
	CHECK_EQ(other.alloc, 8);
	CHECK(memmap_altmap(PMEM_PFN + SEC_PAGES / 2) == &other);
	CHECK(memmap_altmap(PMEM_PFN) == &am);
	CHECK_EQ(sparse_remove_section(PMEM_PFN + SEC_PAGES / 2, SUB_PAGES, &am), -EINVAL);
	CHECK_EQ(sparse_remove_section(PMEM_PFN + SEC_PAGES / 2, SUB_PAGES, &other), 0);
	CHECK_EQ(other.alloc, 0);
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES / 2, &am), 0);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(am.align, 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void hot_add_with_exhausted_altmap_leaves_everything(void)
{
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 8, .free = 100 };
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES / 2, &am, ZONE_DEVICE), -ENOMEM);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(am.align, 0);
	CHECK(!pfn_valid(PMEM_PFN));
	CHECK(!present_section_nr(pfn_to_section_nr(PMEM_PFN)));
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	/* an inaccessible altmap cannot hold struct pages */
	am.inaccessible = true;
	CHECK_EQ(sparse_add_section(PMEM_PFN, SUB_PAGES, &am, ZONE_DEVICE), -EINVAL);
	env_teardown();
}

static const struct tap_case cases[] = {
	TAP_CASE(populate_base_pages_and_free_leave_nothing),
	TAP_CASE(populate_hugepages_uses_pmd_leaves_where_whole),
	TAP_CASE(vmemmap_set_hugepages_false_gives_base_pages),
	TAP_CASE(hugepages_fall_back_to_base_pages_without_a_2m_block),
	TAP_CASE(populate_without_table_pages_unwinds),
	TAP_CASE(base_pages_come_in_one_bulk_call_per_table),
	TAP_CASE(bulk_short_in_the_middle_unwinds_everything),
	TAP_CASE(a_slot_in_use_fails_its_table_before_anything_is_mapped),
	TAP_CASE(compound_heads_come_in_one_batch_per_table),
	TAP_CASE(compound_batch_short_in_the_middle_unwinds_everything),
	TAP_CASE(altmap_alloc_block_buf_aligns_dynamically),
	TAP_CASE(altmap_populate_takes_every_page_from_the_altmap),
	TAP_CASE(altmap_without_2m_falls_back_to_its_own_base_pages),
	TAP_CASE(altmap_exhausted_mid_range_unwinds_everything),
	TAP_CASE(hot_add_with_altmap_uses_no_ram_for_struct_pages),
	TAP_CASE(hot_add_subsections_with_altmap_and_ram_side_by_side),
	TAP_CASE(hot_add_with_exhausted_altmap_leaves_everything),
};

TAP_MAIN("mm_vmemmap", cases)
