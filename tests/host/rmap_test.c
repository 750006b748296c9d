// SPDX-License-Identifier: BSD-2-Clause
// Address spaces, page_vma_mapped_walk() and rmap_walk() users over real page tables (both entry
// formats) with struct pages from the sparse model: PTE-, PMD- and PUD-size mappings, partial
// VMAs, mkclean, unmap, migration entries and their removal, device-private entries,
// overflow-safe stepping at the top of the address space, a random model check, leak checks.
#include <stdlib.h>

#include <platform/err.h>

#include <mm/memremap.h>
#include <mm/migrate.h>
#include <mm/mm_types.h>
#include <mm/rmap.h>

#include "sparse_env.h"

static struct address_space as;
static struct mm_struct mm1, mm2;
static struct env_snap snap0;

static void setup(void)
{
	env_setup();
	CHECK_EQ(sparse_init(&env_pt, &env_layout), 0);
	/* struct pages for the "pmem" section: the folios of these tests */
	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES, NULL, ZONE_DEVICE), 0);
	env_snapshot(&snap0);
	address_space_init(&as, "test-object");
	CHECK_EQ(mm_init(&mm1, &env_cfg, 1), 0);
	CHECK_EQ(mm_init(&mm2, &env_cfg, 2), 0);
}

static void teardown(void)
{
	struct env_snap s;

	mm_destroy(&mm1);
	mm_destroy(&mm2);
	CHECK_EQ(mm1.map_count, 0);
	CHECK_EQ(mm2.map_count, 0);
	CHECK(list_empty(&as.i_mmap));
	env_snapshot(&s);
	CHECK(env_same(&snap0, &s)); /* every table page of both mms given back */
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), 0);
	env_teardown();
}

/* A folio of 2^@order pages at @pfn (aligned), belonging to the test object at @index. */
static struct folio *make_folio(unsigned long pfn, unsigned int order, unsigned long index)
{
	struct page *head = pfn_to_page(pfn);

	for (unsigned long i = 0; i < (1UL << order); i++)
		init_single_page(pfn_to_page(pfn + i), ZONE_DEVICE);
	if (order)
		prep_compound_page(head, order);
	folio_set_mapping(page_folio(head), &as, index);
	return page_folio(head);
}

/* Every (vma, address, level) where @folio is mapped, through rmap_walk() + pvmw. */
struct found {
	int n;
	unsigned long addr[1100];
	struct vm_area_struct *vma[1100];
	int level[1100];
	unsigned int flags;
};

static bool collect_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			void *arg)
{
	struct found *f = arg;
	struct page_vma_mapped_walk pvmw = { .pfn = folio_pfn(folio),
					     .nr_pages = folio_nr_pages(folio),
					     .vma = vma,
					     .address = addr,
					     .flags = f->flags };

	while (page_vma_mapped_walk(&pvmw)) {
		CHECK(pvmw.locked);
		if (f->n < 1100) {
			f->addr[f->n] = pvmw.address;
			f->vma[f->n] = vma;
			f->level[f->n] = pvmw.level;
		}
		f->n++;
	}
	CHECK(!pvmw.locked);
	return true;
}

static int find_all(struct folio *folio, unsigned int flags, struct found *f)
{
	const struct rmap_walk_control rwc = { .arg = f, .rmap_one = collect_one };

	memset(f, 0, sizeof(*f));
	f->flags = flags;
	rmap_walk(folio, &rwc);
	return f->n;
}

static struct found F;

static void pte_mapped_folio_in_two_mms(void)
{
	struct vm_area_struct *a, *b;
	struct folio *folio;

	setup();
	folio = make_folio(PMEM_PFN, 4, 100);
	a = vma_create(&mm1, 0x10000000, SZ_1M, VM_READ | VM_WRITE, &as, 0);
	b = vma_create(&mm2, 0x20000000, SZ_64K, VM_READ | VM_WRITE, &as, 96); /* pgoff 96..111 */
	CHECK(!IS_ERR(a) && !IS_ERR(b));
	CHECK_EQ(vma_map_folio(a, 0x10000000 + 100 * PAGE_SIZE, folio, 0, 16, PGTABLE_LEVEL_PTE), 0);
	CHECK_EQ(vma_map_folio(b, 0x20000000 + 4 * PAGE_SIZE, folio, 0, 12, PGTABLE_LEVEL_PTE), 0);
	CHECK_EQ(folio_mapcount(folio), 28);
	CHECK_EQ(find_all(folio, 0, &F), 28);
	for (int i = 0; i < 16; i++) {
		CHECK(F.vma[i] == a);
		CHECK_EQ(F.addr[i], 0x10000000 + (100 + i) * PAGE_SIZE);
		CHECK_EQ(F.level[i], PGTABLE_LEVEL_PTE);
	}
	for (int i = 0; i < 12; i++)
		CHECK_EQ(F.addr[16 + i], 0x20000000 + (4 + i) * PAGE_SIZE);
	/* a walk for one page of the folio finds only that page's entries */
	{
		struct page_vma_mapped_walk pvmw = { .pfn = folio_pfn(folio) + 7, .nr_pages = 1,
						     .vma = a, .address = 0x10000000 + 107 * PAGE_SIZE };
		CHECK(page_vma_mapped_walk(&pvmw));
		CHECK_EQ(pvmw.address, 0x10000000 + 107 * PAGE_SIZE);
		CHECK(!page_vma_mapped_walk(&pvmw));
	}
	/* mkclean: every entry was writable and dirty; a second pass finds nothing to clean */
	CHECK_EQ(folio_mkclean(folio), 28);
	CHECK_EQ(folio_mkclean(folio), 0);
	CHECK_EQ(find_all(folio, 0, &F), 28); /* still mapped, read-only */
	CHECK(try_to_unmap(folio));
	CHECK_EQ(folio_mapcount(folio), 0);
	CHECK_EQ(find_all(folio, 0, &F), 0);
	CHECK_EQ(mm1.map_count + mm2.map_count, 0);
	teardown();
}

static void pmd_mapped_folio_migrates_to_another(void)
{
	struct folio *src, *dst;
	struct vm_area_struct *v;
	struct page_vma_mapped_walk pvmw;
	struct pgtable_walk_result r;

	setup();
	src = make_folio(PMEM_PFN + 512, 9, 512);
	dst = make_folio(PMEM_PFN + 1024, 9, 0);
	dst->page.mapping = NULL;
	v = vma_create(&mm1, 0x40000000, SZ_4M, VM_READ | VM_WRITE, &as, 0);
	CHECK(!IS_ERR(v));
	CHECK_EQ(vma_map_folio(v, 0x40000000 + SZ_2M, src, 0, 512, PGTABLE_LEVEL_PMD), 0);
	CHECK_EQ(folio_mapcount(src), 1);
	CHECK_EQ(find_all(src, 0, &F), 1);
	CHECK_EQ(F.level[0], PGTABLE_LEVEL_PMD);
	CHECK_EQ(F.addr[0], 0x40000000 + SZ_2M);
	/* part of the folio: the huge leaf still matches, once */
	pvmw = (struct page_vma_mapped_walk){ .pfn = folio_pfn(src) + 300, .nr_pages = 1,
					      .vma = v, .address = 0x40000000 + SZ_2M + 300 * PAGE_SIZE };
	CHECK(page_vma_mapped_walk(&pvmw));
	CHECK_EQ(pvmw.level, PGTABLE_LEVEL_PMD);
	CHECK_EQ(pvmw.address, 0x40000000 + SZ_2M);
	CHECK(!page_vma_mapped_walk(&pvmw));
	CHECK_EQ(folio_mkclean(src), 1);

	CHECK(try_to_migrate(src));
	CHECK_EQ(folio_mapcount(src), 0);
	CHECK_EQ(find_all(src, 0, &F), 0);		/* no present mapping */
	CHECK_EQ(find_all(src, PVMW_MIGRATION, &F), 1); /* one PMD migration entry */
	CHECK_EQ(F.level[0], PGTABLE_LEVEL_PMD);
	CHECK(pgtable_walk(&mm1.pgt, 0x40000000 + SZ_2M, &r) != 0); /* not translatable */
	CHECK_EQ(remove_migration_ptes(src, dst), 1);
	CHECK_EQ(folio_mapcount(dst), 1);
	CHECK(dst->page.mapping == &as);
	CHECK_EQ(find_all(src, PVMW_MIGRATION, &F), 0);
	CHECK_EQ(pgtable_walk(&mm1.pgt, 0x40000000 + SZ_2M + 5 * PAGE_SIZE, &r), 0);
	CHECK_EQ(r.pa, PFN_PHYS(folio_pfn(dst) + 5));
	CHECK_EQ(r.level, PGTABLE_LEVEL_PMD);
	/* it was made clean (read-only) before: the restored entry is read-only too */
	teardown();
}

static void readonly_migration_restores_readonly(void)
{
	struct folio *f;
	struct vm_area_struct *v;
	struct pgtable_walk_result r;

	setup();
	f = make_folio(PMEM_PFN + 2048, 3, 8);
	v = vma_create(&mm2, 0x7000000, SZ_64K, VM_READ, &as, 0);
	CHECK(!IS_ERR(v));
	CHECK_EQ(vma_map_folio(v, 0x7000000 + 8 * PAGE_SIZE, f, 0, 8, PGTABLE_LEVEL_PTE), 0);
	CHECK_EQ(folio_mkclean(f), 0); /* never writable */
	CHECK(try_to_migrate(f));
	CHECK_EQ(find_all(f, PVMW_MIGRATION, &F), 8);
	CHECK_EQ(remove_migration_ptes(f, f), 8); /* abort: back to the same folio */
	CHECK_EQ(folio_mapcount(f), 8);
	CHECK_EQ(pgtable_walk(&mm2.pgt, 0x7000000 + 9 * PAGE_SIZE, &r), 0);
	CHECK(!(pgprot_val(r.prot) & PGPROT_WRITE));
	CHECK_EQ(r.pa, PFN_PHYS(folio_pfn(f) + 1));
	teardown();
}

static void device_private_entries_are_mappings_not_migrations(void)
{
	struct folio *f;
	struct vm_area_struct *v;

	setup();
	f = make_folio(PMEM_PFN + 4096, 2, 0);
	v = vma_create(&mm1, 0x300000, SZ_64K, VM_READ | VM_WRITE, &as, 0);
	CHECK_EQ(vma_map_device_private(v, 0x300000, f, true), 0);
	CHECK_EQ(folio_mapcount(f), 4);
	CHECK_EQ(find_all(f, 0, &F), 4);
	CHECK_EQ(find_all(f, PVMW_MIGRATION, &F), 0);
	{
		struct pgtable_walk_result r;

		CHECK(pgtable_walk(&mm1.pgt, 0x300000, &r) != 0); /* the CPU cannot reach it */
	}
	CHECK_EQ(folio_mkclean(f), 0);
	CHECK(!try_to_migrate(f)); /* device-private pages move through their owner */
	CHECK(try_to_unmap(f));
	CHECK_EQ(find_all(f, 0, &F), 0);
	/* mapped again, then torn down with the VMA: the count follows */
	CHECK_EQ(vma_map_device_private(v, 0x300000, f, false), 0);
	vma_destroy(v);
	CHECK_EQ(folio_mapcount(f), 0);
	teardown();
}

static void pud_leaf_and_top_of_address_space(void)
{
	unsigned long top = 1UL << (arch_va_bits(&env_cfg) - 1);
	struct vm_area_struct *huge, *last;
	struct page_vma_mapped_walk pvmw;
	struct folio *f;

	setup();
	/* a 1 GiB leaf over pfns with no struct pages: the walker needs none */
	huge = vma_create(&mm1, SZ_1G, SZ_1G, VM_READ, NULL, 0);
	CHECK(!IS_ERR(huge));
	CHECK_EQ(pgtable_map(&mm1.pgt, SZ_1G, 4 * SZ_1G, SZ_1G, vma_prot(huge),
			     PGTABLE_MAP_MAX_LEAF(PGTABLE_LEVEL_PUD)), 0);
	pvmw = (struct page_vma_mapped_walk){ .pfn = PHYS_PFN(4 * SZ_1G) + 12345, .nr_pages = 2,
					      .vma = huge, .address = SZ_1G + 12345 * PAGE_SIZE };
	CHECK(page_vma_mapped_walk(&pvmw));
	CHECK_EQ(pvmw.level, PGTABLE_LEVEL_PUD);
	CHECK_EQ(pvmw.address, SZ_1G);
	CHECK(!page_vma_mapped_walk(&pvmw));
	/* pfns just past the leaf are not in it */
	pvmw = (struct page_vma_mapped_walk){ .pfn = PHYS_PFN(5 * SZ_1G), .nr_pages = 1,
					      .vma = huge, .address = SZ_1G };
	CHECK(!page_vma_mapped_walk(&pvmw));
	/* a pfn range at the very top of the pfn space: no overflow in the comparisons */
	pvmw = (struct page_vma_mapped_walk){ .pfn = ~0UL - 1, .nr_pages = 2, .vma = huge,
					      .address = SZ_1G };
	CHECK(!page_vma_mapped_walk(&pvmw));
	pgtable_unmap(&mm1.pgt, SZ_1G, SZ_1G);

	/* the last page of the lower half: stepping past it must end, not wrap to 0 */
	f = make_folio(PMEM_PFN + 8192, 0, 0);
	f->page.mapping = NULL;
	last = vma_create(&mm2, top - SZ_2M, SZ_2M, VM_READ | VM_WRITE, NULL, 0);
	CHECK(!IS_ERR(last));
	CHECK_EQ(vma_map_folio(last, top - PAGE_SIZE, f, 0, 1, PGTABLE_LEVEL_PTE), 0);
	pvmw = (struct page_vma_mapped_walk){ .pfn = folio_pfn(f), .nr_pages = 1, .vma = last,
					      .address = top - SZ_2M, .flags = PVMW_SYNC };
	pvmw.nr_pages = 1;
	/* a walk of the whole VMA: nr_pages spans it */
	pvmw.nr_pages = SZ_2M / PAGE_SIZE;
	pvmw.pfn = folio_pfn(f) - (SZ_2M / PAGE_SIZE - 1);
	CHECK(page_vma_mapped_walk(&pvmw));
	CHECK_EQ(pvmw.address, top - PAGE_SIZE);
	CHECK(!page_vma_mapped_walk(&pvmw));
	CHECK(!pvmw.locked);
	teardown();
}

static void refusals(void)
{
	unsigned long top = 1UL << (arch_va_bits(&env_cfg) - 1);
	struct vm_area_struct *v;
	struct folio *f;

	setup();
	f = make_folio(PMEM_PFN + 512, 9, 0);
	v = vma_create(&mm1, SZ_2M, SZ_4M, VM_READ, &as, 0);
	CHECK(!IS_ERR(v));
	CHECK_EQ(PTR_ERR(vma_create(&mm1, SZ_4M, SZ_4M, VM_READ, &as, 0)), -EEXIST);
	CHECK_EQ(PTR_ERR(vma_create(&mm1, 0x1001, PAGE_SIZE, VM_READ, &as, 0)), -EINVAL);
	CHECK_EQ(PTR_ERR(vma_create(&mm1, top, PAGE_SIZE, VM_READ, &as, 0)), -EINVAL);
	CHECK_EQ(PTR_ERR(vma_create(&mm1, top - PAGE_SIZE, 2 * PAGE_SIZE, VM_READ, &as, 0)),
		 -EINVAL);
	CHECK_EQ(PTR_ERR(vma_create(&mm1, 0, 0, VM_READ, &as, 0)), -EINVAL);
	/* not where the VMA maps the folio's index */
	CHECK_EQ(vma_map_folio(v, SZ_4M, f, 0, 512, PGTABLE_LEVEL_PMD), -EINVAL);
	/* a PMD leaf must be a whole, aligned 2 MiB */
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 1, 511, PGTABLE_LEVEL_PMD), -EINVAL);
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 0, 513, PGTABLE_LEVEL_PTE), -EINVAL);
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 0, 512, PGTABLE_LEVEL_PMD), 0);
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 0, 512, PGTABLE_LEVEL_PTE), -EEXIST);
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 0, 1, 3), -EINVAL);
	CHECK_EQ(folio_mapcount(f), 1);
	teardown();
}

/* Random partial PTE mappings of one folio in three VMAs against a model of what is mapped. */
static void random_mappings_match_a_model(void)
{
	enum { ORDER = 6, NP = 1 << ORDER };
	struct vm_area_struct *v[3];
	static const unsigned long base[3] = { 0x1000000, 0x2000000, 0x3000000 };
	static const unsigned long pgoff[3] = { 0, 40, 64 }; /* folio index 64: 64..127 */
	bool model[3][NP];
	struct folio *f;

	srand(7);
	setup();
	f = make_folio(PMEM_PFN + 64, ORDER, 64);
	v[0] = vma_create(&mm1, base[0], SZ_1M, VM_READ | VM_WRITE, &as, pgoff[0]);
	v[1] = vma_create(&mm1, base[1], 64 * PAGE_SIZE, VM_READ | VM_WRITE, &as, pgoff[1]);
	v[2] = vma_create(&mm2, base[2], 16 * PAGE_SIZE, VM_READ, &as, pgoff[2]);
	for (int round = 0; round < 20; round++) {
		int expect = 0;

		memset(model, 0, sizeof(model));
		for (int k = 0; k < 3; k++) {
			for (int i = 0; i < NP; i++) {
				unsigned long addr;

				if (vma_pgoff_address(v[k], 64 + (unsigned long)i, &addr) ||
				    rand() % 3 == 0)
					continue;
				CHECK_EQ(vma_map_folio(v[k], addr, f, (unsigned long)i, 1,
						       PGTABLE_LEVEL_PTE), 0);
				model[k][i] = true;
				expect++;
			}
		}
		CHECK_EQ(folio_mapcount(f), expect);
		CHECK_EQ(find_all(f, 0, &F), expect);
		for (int j = 0; j < F.n && j < 1100; j++) {
			int k = F.vma[j] == v[0] ? 0 : F.vma[j] == v[1] ? 1 : 2;
			long i = (long)((F.addr[j] - v[k]->vm_start) >> PAGE_SHIFT) +
				 (long)pgoff[k] - 64;

			CHECK(i >= 0 && i < NP && model[k][i]);
			model[k][i] = false; /* each found once */
		}
		if (rand() % 2) {
			CHECK(try_to_migrate(f));
			CHECK_EQ(find_all(f, PVMW_MIGRATION, &F), expect);
			CHECK_EQ(remove_migration_ptes(f, f), expect);
		}
		CHECK(try_to_unmap(f));
		CHECK_EQ(folio_mapcount(f), 0);
	}
	teardown();
}

/* Review findings, kept as regressions. */
static void huge_leaf_over_an_emptied_table_is_one_entry(void)
{
	struct folio *f;
	struct vm_area_struct *v;

	setup();
	f = make_folio(PMEM_PFN + 512, 9, 0);
	v = vma_create(&mm1, SZ_2M, SZ_2M, VM_READ | VM_WRITE, &as, 0);
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 0, 512, PGTABLE_LEVEL_PTE), 0);
	CHECK(try_to_unmap(f)); /* leaves an empty PTE table behind */
	CHECK_EQ(vma_map_folio(v, SZ_2M, f, 0, 512, PGTABLE_LEVEL_PMD), 0);
	CHECK_EQ(folio_mapcount(f), 1);
	CHECK_EQ(find_all(f, 0, &F), 1);
	CHECK_EQ(F.level[0], PGTABLE_LEVEL_PMD);
	CHECK(try_to_unmap(f));
	CHECK_EQ(folio_mapcount(f), 0);
	CHECK_EQ(mm1.map_count, 0);
	teardown();
}

static void folio_larger_than_its_leaves_is_found_whole(void)
{
	struct folio *f;
	struct vm_area_struct *v;

	setup();
	f = make_folio(PMEM_PFN + 1024, 10, 0); /* 4 MiB, mapped by two PMD leaves */
	v = vma_create(&mm1, SZ_4M, SZ_4M, VM_READ | VM_WRITE, &as, 0);
	CHECK_EQ(vma_map_folio(v, SZ_4M, f, 0, 512, PGTABLE_LEVEL_PMD), 0);
	CHECK_EQ(vma_map_folio(v, SZ_4M + SZ_2M, f, 512, 512, PGTABLE_LEVEL_PMD), 0);
	CHECK_EQ(find_all(f, 0, &F), 2);
	CHECK_EQ(F.addr[1], SZ_4M + SZ_2M);
	CHECK(try_to_unmap(f));
	CHECK_EQ(folio_mapcount(f), 0);
	CHECK_EQ(vma_map_folio(v, SZ_4M, f, 0, 512, PGTABLE_LEVEL_PMD), 0); /* slot free again */
	teardown();
}

static void device_private_outside_its_vma_is_refused(void)
{
	struct folio *f;
	struct vm_area_struct *v;

	setup();
	f = make_folio(PMEM_PFN + 4096, 0, 0);
	f->page.mapping = NULL;
	v = vma_create(&mm1, SZ_4M, SZ_2M, VM_READ, NULL, 0);
	CHECK_EQ(vma_map_device_private(v, 16 * SZ_4M, f, false), -EINVAL);
	CHECK_EQ(mm1.map_count, 0);
	teardown();
}

static int dev_frees;

static void dev_free(struct page *p)
{
	(void)p;
	dev_frees++;
}

static int dev_migrate(struct page *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return -EOPNOTSUPP;
}

static pteval_t entry_at(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *p = pgtable_find_entry(&mm->pgt, addr, PGTABLE_LEVEL_PTE);

	return p ? *p : 0;
}

/* RAM -> device-private -> RAM through migrate_vma_*, with owners and a page left behind. */
static void migrate_vma_between_ram_and_device_private(void)
{
	static const struct dev_pagemap_ops ops = { dev_free, dev_migrate };
	struct dev_pagemap dev = { .type = MEMORY_DEVICE_PRIVATE, .ops = &ops };
	const unsigned long va = 0x400000, dpfn = PMEM_PFN + 512, rpfn = PMEM_PFN + 64;
	unsigned long src[4], dst[4];
	struct migrate_vma m = { .src = src, .dst = dst, .start = va, .end = va + 4 * PAGE_SIZE };
	struct vm_area_struct *v;
	int other;

	setup();
	dev.owner = &dev;
	dev_frees = 0;
	v = vma_create(&mm1, va, 16 * PAGE_SIZE, VM_READ | VM_WRITE, &as, 0);
	CHECK(!IS_ERR(v));
	for (unsigned long i = 0; i < 4; i++) {
		struct page *d = pfn_to_page(dpfn + i);

		CHECK_EQ(vma_map_folio(v, va + i * PAGE_SIZE, make_folio(PMEM_PFN + i, 0, i), 0, 1,
				       PGTABLE_LEVEL_PTE), 0);
		init_single_page(d, ZONE_DEVICE);
		d->pgmap = &dev;
		init_single_page(pfn_to_page(rpfn + i), ZONE_DEVICE);
	}
	CHECK_EQ(mm1.map_count, 4);
	m.vma = v;
	m.flags = MIGRATE_VMA_SELECT_SYSTEM;
	CHECK_EQ(migrate_vma_setup(&m), 0);
	CHECK_EQ(m.cpages, 4);
	CHECK_EQ(mm1.map_count, 0);
	for (unsigned long i = 0; i < 4; i++) {
		CHECK(is_migration_entry(entry_at(&mm1, va + i * PAGE_SIZE)));
		CHECK_EQ(migrate_pfn_to_pfn(src[i]), PMEM_PFN + i);
		CHECK(src[i] & MIGRATE_PFN_WRITE);
		if (i < 3) { /* the last page stays in RAM */
			zone_device_page_init(pfn_to_page(dpfn + i));
			dst[i] = migrate_pfn(dpfn + i);
		}
	}
	migrate_vma_pages(&m);
	migrate_vma_finalize(&m);
	CHECK_EQ(mm1.map_count, 4);
	for (unsigned long i = 0; i < 3; i++) {
		pteval_t e = entry_at(&mm1, va + i * PAGE_SIZE);

		CHECK(is_device_private_entry(e) && swp_entry_type(e) == SWP_DEVICE_PRIVATE_WRITE);
		CHECK_EQ(swp_entry_pfn(e), dpfn + i);
		CHECK_EQ(folio_mapcount(page_folio(pfn_to_page(dpfn + i))), 1);
		CHECK_EQ(folio_mapcount(page_folio(pfn_to_page(PMEM_PFN + i))), 0);
	}
	CHECK(arch_pte_present(entry_at(&mm1, va + 3 * PAGE_SIZE)));
	CHECK_EQ(folio_mapcount(page_folio(pfn_to_page(PMEM_PFN + 3))), 1);
	/* another owner's migration does not take these pages */
	m.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
	m.pgmap_owner = &other;
	CHECK_EQ(migrate_vma_setup(&m), 0);
	CHECK_EQ(m.cpages, 0);
	CHECK(is_device_private_entry(entry_at(&mm1, va)));
	/* back to (new) RAM pages: the device pages go back to their owner */
	m.pgmap_owner = &dev;
	CHECK_EQ(migrate_vma_setup(&m), 0);
	CHECK_EQ(m.cpages, 3);
	for (unsigned long i = 0; i < 3; i++)
		dst[i] = migrate_pfn(rpfn + i);
	migrate_vma_pages(&m);
	migrate_vma_finalize(&m);
	CHECK_EQ(dev_frees, 3);
	CHECK_EQ(mm1.map_count, 4);
	for (unsigned long i = 0; i < 3; i++) {
		pteval_t e = entry_at(&mm1, va + i * PAGE_SIZE);

		CHECK(arch_pte_present(e));
		CHECK_EQ(PHYS_PFN(arch_pte_addr(e, PGTABLE_LEVEL_PTE)), rpfn + i);
		CHECK_EQ(page_ref_count(pfn_to_page(dpfn + i)), 0);
		CHECK_EQ(folio_mapcount(page_folio(pfn_to_page(dpfn + i))), 0);
	}
	CHECK_EQ(PHYS_PFN(arch_pte_addr(entry_at(&mm1, va + 3 * PAGE_SIZE), PGTABLE_LEVEL_PTE)),
		 PMEM_PFN + 3);
	/* refusals */
	m.start = va + 1;
	CHECK_EQ(migrate_vma_setup(&m), -EINVAL);
	m.start = va;
	m.flags = 0;
	CHECK_EQ(migrate_vma_setup(&m), -EINVAL);
	teardown();
}

static const struct tap_case cases[] = {
	TAP_CASE(migrate_vma_between_ram_and_device_private),
	TAP_CASE(huge_leaf_over_an_emptied_table_is_one_entry),
	TAP_CASE(folio_larger_than_its_leaves_is_found_whole),
	TAP_CASE(device_private_outside_its_vma_is_refused),
	TAP_CASE(pte_mapped_folio_in_two_mms),
	TAP_CASE(pmd_mapped_folio_migrates_to_another),
	TAP_CASE(readonly_migration_restores_readonly),
	TAP_CASE(device_private_entries_are_mappings_not_migrations),
	TAP_CASE(pud_leaf_and_top_of_address_space),
	TAP_CASE(refusals),
	TAP_CASE(random_mappings_match_a_model),
};

TAP_MAIN("mm_rmap", cases)
