// SPDX-License-Identifier: BSD-2-Clause
// Boot-time gigantic HugeTLB folios (mm/hugetlb.c hugetlb_bootmem_reserve(), Linux's
// hugepagesz=1G hugepages=N) over what the kernel gives them (both entry formats): reserved from
// memblock before sparse_init(), one born vmemmap-optimized (a head vmemmap page, every other
// one mapping HVO's shared page), two with plain struct pages (hvo=off: written by the
// hand-over; sparse fell back: skipped by the hand-over, so they hold whatever the memory
// held), then the buddy hand-over of platform/common/mm_init.c. Shrinking the 1 GiB pool gives
// them to the buddy: the optimized one after its vmemmap is restored (all or nothing: short of
// memory it stays optimized, whole, in the pool, nothing leaked, a later shrink frees it), the
// plain ones at once.
//
// Its own process, not a case of hvo_test.c: the born-optimized folio must exist from
// sparse_init() on, and HVO (its shared pages) has no reset.
//
// The two GiBs are described as RAM but the host has no memory behind them (HOSTMMU_PHYS_SIZE
// is 256 MiB): only their struct pages are touched. Once freed they are taken back out of the
// buddy at once, so no later allocation is served from them.
#include <stdlib.h>

#include <mm/hugetlb.h>
#include <mm/page_alloc.h>

#include "hvo_env.h"


/*
 * memblock_phys_alloc() takes the highest free aligned GiB: B first (optimized), then A
 * (hvo=off), then F (plain struct pages the hand-over skipped, as where sparse fell back).
 */
#define GIGA_F 0xc0000000ULL
#define GIGA_A 0x100000000ULL
#define GIGA_B 0x140000000ULL
#define GIGA_PAGES (SZ_1G >> PAGE_SHIFT)
#define ORDER_1G HUGETLB_ORDER_1G
#define NVM (GIGA_PAGES * sizeof(struct page) / PAGE_SIZE) /* 4096 vmemmap pages a GiB */

static struct hstate *h = &hstates[1];
static struct folio *opt_folio, *plain_folio, *fallback_folio;
static struct hvo_stats st0;

static void need(bool ok, const char *what)
{
	if (!ok) {
		printf("Bail out! %s\n", what);
		exit(1);
	}
}

static uintptr_t vmemmap_page(const struct folio *f, unsigned long i)
{
	return (uintptr_t)&f->page + i * PAGE_SIZE;
}

static void canonical_tail(struct page *t)
{
	memset(t, 0, sizeof(*t));
	set_page_zone(t, ZONE_NORMAL);
	t->compound_info = compound_info_for_order(ORDER_1G);
	atomic_store_explicit(&t->_mapcount, -1, memory_order_relaxed);
}

/* Every tail of @f resolves to its head and is the canonical tail. Return: the bad ones. */
static unsigned long check_tails(struct folio *f)
{
	unsigned long bad = 0;
	struct page canon;

	canonical_tail(&canon);
	for (unsigned long i = 1; i < folio_nr_pages(f); i++) {
		const struct page *t = folio_page(f, i);

		bad += compound_head(t) != &f->page || memcmp(t, &canon, sizeof(canon)) != 0;
	}
	return bad;
}

/* The first vmemmap page of @f private and writable, the 4095 others the shared page, RO. */
static unsigned long check_optimized(struct folio *f)
{
	phys_addr_t shared = hugetlb_vmemmap_shared_page(ORDER_1G);
	struct pgtable_walk_result r;
	unsigned long bad = 0;

	if (!hugetlb_vmemmap_optimized(f) || !shared)
		return 1;
	if (pgtable_walk(&env_pt, vmemmap_page(f, 0), &r) || r.level != PGTABLE_LEVEL_PTE ||
	    r.pa == shared || !(pgprot_val(r.prot) & PGPROT_WRITE))
		bad++;
	for (unsigned long i = 1; i < NVM; i++)
		if (pgtable_walk(&env_pt, vmemmap_page(f, i), &r) || r.level != PGTABLE_LEVEL_PTE ||
		    r.pa != shared || (pgprot_val(r.prot) & PGPROT_WRITE))
			bad++;
	return bad;
}

/*
 * The vmemmap of the GiB at @pfn0 is full again: each tail-only vmemmap page is a writable 4 KiB
 * leaf on a RAM page of its own, allocated from the buddy (not reserved, not free, refcount 1,
 * none twice), none of them the shared page. Return: the bad ones.
 */
static unsigned long check_vmemmap_private(unsigned long pfn0)
{
	uintptr_t va0 = (uintptr_t)pfn_to_page(pfn0);
	unsigned long bad = 0;

	backing_forget();
	for (unsigned long i = 1; i < NVM; i++)
		bad += !private_backing(va0 + i * PAGE_SIZE, true);
	return bad;
}

/*
 * Every struct page of the GiB at @pfn0 is a valid free RAM page of the buddy: the first the
 * head of one free block of MAX_PAGE_ORDER, the others plain (zone bits only, no compound
 * info, _mapcount -1, _refcount 0, nothing else). Return: the bad ones.
 */
static unsigned long check_free_gigabyte(unsigned long pfn0)
{
	struct page plain;
	const struct page *head = pfn_to_page(pfn0);
	unsigned long bad = 0;

	memset(&plain, 0, sizeof(plain));
	set_page_zone(&plain, ZONE_NORMAL);
	atomic_store_explicit(&plain._mapcount, -1, memory_order_relaxed);
	bad += !PageFlag(head, PG_buddy) || head->private != MAX_PAGE_ORDER ||
	       page_zonenum(head) != ZONE_NORMAL || PageFlag(head, PG_reserved) ||
	       PageFlag(head, PG_hugetlb) || PageFlag(head, PG_vmemmap_optimized) ||
	       PageCompound(head) || page_ref_count(head) != 0;
	for (unsigned long i = 1; i < GIGA_PAGES; i++) {
		const struct page *p = head + i;

		bad += memcmp(p, &plain, sizeof(plain)) != 0 || compound_head(p) != p;
	}
	return bad;
}


/*
 * The free blocks of MAX_PAGE_ORDER (RAM has none that large) back out: exactly the GiBs at
 * @pfn0 and @pfn1 (0: none).
 */
static void take_gigabytes_back(unsigned long pfn0, unsigned long pfn1)
{
	unsigned long n = 1 + !!pfn1;

	CHECK_EQ(nr_free_blocks(MAX_PAGE_ORDER), n);
	for (unsigned long i = 0; i < n; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);

		CHECK(p && (page_to_pfn(p) == pfn0 || page_to_pfn(p) == pfn1));
	}
	CHECK_EQ(nr_free_blocks(MAX_PAGE_ORDER), 0);
}

/* ---- 0: reserve, born optimized ------------------------------------------------------------ */

static void boot_folios_enter_the_1g_pool(void)
{
	unsigned long nr_free_mb = 0;
	phys_addr_t s, e;
	struct page canon;
	uint64_t idx;

	env_setup();
	CHECK_EQ(memblock_add(GIGA_F, SZ_1G), 0);
	CHECK_EQ(memblock_add(GIGA_A, SZ_1G), 0);
	CHECK_EQ(memblock_add(GIGA_B, SZ_1G), 0);
	/* hugepages_1g=: the GiBs are memblock's before any struct page exists */
	memblock.alloc_limit = GIGA_B + SZ_1G;
	CHECK_EQ(hugetlb_bootmem_reserve(1, true), 1);
	CHECK_EQ(hugetlb_bootmem_reserve(3, false), 3); /* plain struct pages (hvo=off) */
	memblock.alloc_limit = RAM_BASE + RAM_SIZE;     /* the memmap from (host-backed) RAM */
	CHECK(memblock_is_region_reserved(GIGA_F, SZ_1G));
	CHECK(memblock_is_region_reserved(GIGA_A, SZ_1G));
	CHECK(memblock_is_region_reserved(GIGA_B, SZ_1G));
	CHECK_EQ(hugetlb_bootmem_count(), 3);
	need(sparse_init(&env_pt, &env_layout) == 0, "sparse_init failed");
	/* F as where sparse fell back: the hand-over leaves its struct pages as memory held them */
	CHECK_EQ(page_alloc_skip_init(PHYS_PFN(GIGA_F), GIGA_PAGES), 0);
	memset(pfn_to_page(PHYS_PFN(GIGA_F)), 0xa5, 4 * PAGE_SIZE);

	for_each_free_mem_range(idx, &s, &e)
		nr_free_mb += PFN_DOWN(e) - PFN_UP(s);
	page_alloc_init(RAM_PFN, PHYS_PFN(GIGA_B) + GIGA_PAGES);
	CHECK_EQ(memblock_free_all(), nr_free_mb);
	CHECK_EQ(pfn_to_page(PHYS_PFN(GIGA_F))->flags, 0xa5a5a5a5a5a5a5a5UL);
	pgtable_set_page_ops(&page_alloc_table_ops);
	vmemmap_set_allocator(page_alloc_vmemmap_alloc, page_alloc_vmemmap_free, NULL);
	need(page_alloc_ready(), "no buddy");
	CHECK_EQ(totalram_pages(), nr_free_mb); /* the GiBs are not the buddy's */

	hugetlb_init(true);
	CHECK_EQ(h->nr, 3);
	CHECK_EQ(h->free, 3);
	CHECK_EQ(h->optimized, 1);
	opt_folio = page_folio(pfn_to_page(PHYS_PFN(GIGA_B)));
	plain_folio = page_folio(pfn_to_page(PHYS_PFN(GIGA_A)));
	fallback_folio = page_folio(pfn_to_page(PHYS_PFN(GIGA_F)));
	need(PageHead(&opt_folio->page) && PageHead(&plain_folio->page) &&
	     PageHead(&fallback_folio->page), "no boot folios");
	CHECK_EQ(list_first_entry(&h->list, struct page, lru), &opt_folio->page);

	/* born optimized: the head's vmemmap page, 4095 leaves onto the shared page */
	CHECK_EQ(folio_order(opt_folio), ORDER_1G);
	CHECK(PageFlag(&opt_folio->page, PG_hugetlb));
	CHECK(PageFlag(&opt_folio->page, PG_reserved));
	CHECK_EQ(page_ref_count(&opt_folio->page), 1);
	CHECK_EQ(check_optimized(opt_folio), 0);
	CHECK_EQ(check_tails(opt_folio), 0); /* every tail's compound_head() is the head */
	canonical_tail(&canon);
	CHECK(!memcmp(__va(hugetlb_vmemmap_shared_page(ORDER_1G)), &canon, sizeof(canon)));
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_1G), 1);
	hugetlb_vmemmap_get_stats(&st0);
	CHECK_EQ(st0.optimized, 1);
	CHECK_EQ(st0.pages_allocated, 0);

	/* plain: a compound page made as it entered the pool, its head written whole */
	for (struct folio *f = plain_folio; f; f = f == plain_folio ? fallback_folio : NULL) {
		CHECK_EQ(folio_order(f), ORDER_1G);
		CHECK_EQ(f->page.flags, (1UL << PG_reserved) | (1UL << PG_head) |
					(1UL << PG_hugetlb) | ((unsigned long)ORDER_1G << PAGE_ORDER_SHIFT) |
					((unsigned long)ZONE_NORMAL << PAGE_ZONE_SHIFT));
		CHECK(!hugetlb_vmemmap_optimized(f));
		CHECK_EQ(page_ref_count(&f->page), 1);
		CHECK_EQ(page_mapcount(&f->page), 0);
		CHECK(!f->page.mapping && !f->page.private && !f->page.index);
		CHECK_EQ(check_tails(f), 0);
	}

	/* hugetlb_init() again puts the same three back, adopted once */
	hugetlb_init(true);
	CHECK_EQ(h->nr, 3);
	CHECK_EQ(h->optimized, 1);
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_1G), 1);
}

/* ---- 1: short of memory -------------------------------------------------------------------- */

/*
 * The restore of the optimized folio needs 4095 pages; 4094 are free. All or nothing: it stays
 * optimized, whole, in the pool, and the log says so; none of the 4094 is held. The plain
 * folio needs no memory: it goes to the buddy in the same shrink.
 */
static void short_of_memory_the_optimized_boot_folio_stays(void)
{
	unsigned long total_a = totalram_pages(), free_a;
	struct page_alloc_stats pa, pb;
	struct hvo_stats st;

	hoard_all();
	release_hoard(nr_hoard - (NVM - 2));
	free_a = nr_free_pages();
	CHECK_EQ(free_a, NVM - 2);

	/* the restore alone: refused whole, and it says so */
	CHECK_EQ(hugetlb_vmemmap_restore_folio(opt_folio), -ENOMEM);
	CHECK(strstr(fake_last_log, "4094 of the 4095 pages needed to restore the vmemmap of 1 "
				    "folio(s) (first at pfn 0x140000): none restored, they stay "
				    "optimized and whole") != NULL);
	CHECK_EQ(nr_free_pages(), free_a);
	CHECK_EQ(check_optimized(opt_folio), 0);

	CHECK_EQ(hugetlb_pool_shrink(h, 1), 0);
	CHECK(strstr(fake_last_log, "boot folio at pfn 0x140000 could not be freed (its vmemmap "
				    "could not be restored): it stays optimized and whole") != NULL);
	CHECK_EQ(nr_free_pages(), free_a); /* nothing leaked */
	CHECK_EQ(totalram_pages(), total_a);
	CHECK_EQ(h->nr, 3);
	CHECK_EQ(h->free, 3);
	CHECK_EQ(h->optimized, 1);
	CHECK_EQ(hugetlb_bootmem_count(), 3);
	CHECK_EQ(check_optimized(opt_folio), 0);
	CHECK_EQ(check_tails(opt_folio), 0);
	CHECK(PageFlag(&opt_folio->page, PG_reserved) && PageFlag(&opt_folio->page, PG_hugetlb));
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_1G), 1);
	hugetlb_vmemmap_get_stats(&st);
	CHECK_EQ(st.optimized, st0.optimized);
	CHECK_EQ(st.pages_allocated, st0.pages_allocated);
	CHECK(memblock_is_region_reserved(GIGA_B, SZ_1G));

	/* all three: the optimized one stays, the plain ones are dissolved and freed */
	page_alloc_get_stats(&pa);
	CHECK_EQ(hugetlb_pool_shrink(h, 3), 2);
	page_alloc_get_stats(&pb);
	CHECK_EQ(pb.contig_frees - pa.contig_frees, 2);
	CHECK_EQ(h->nr, 1);
	CHECK_EQ(h->free, 1);
	CHECK_EQ(h->optimized, 1);
	CHECK_EQ(list_first_entry(&h->list, struct page, lru), &opt_folio->page);
	CHECK_EQ(hugetlb_bootmem_count(), 1);
	CHECK_EQ(nr_free_pages(), free_a + 2 * GIGA_PAGES);
	CHECK_EQ(totalram_pages(), total_a + 2 * GIGA_PAGES);
	CHECK_EQ(check_free_gigabyte(PHYS_PFN(GIGA_A)), 0);
	CHECK_EQ(check_free_gigabyte(PHYS_PFN(GIGA_F)), 0);
	CHECK(!memblock_is_region_reserved(GIGA_A, SZ_1G));
	CHECK(!memblock_is_region_reserved(GIGA_F, SZ_1G));
	take_gigabytes_back(PHYS_PFN(GIGA_A), PHYS_PFN(GIGA_F));
	CHECK_EQ(nr_free_pages(), free_a);
	CHECK_EQ(check_optimized(opt_folio), 0);
	release_hoard(0);
}

/* ---- 2: shrink ----------------------------------------------------------------------------- */

static void shrink_gives_the_optimized_gigabyte_to_the_buddy(void)
{
	unsigned long free_a = nr_free_pages(), total_a = totalram_pages();
	unsigned long tables_a = env_pt.nr_table_pages;
	struct hvo_stats st;

	/* the retry with memory: 4095 vmemmap pages in, the GiB out */
	CHECK_EQ(hugetlb_pool_shrink(h, 1), 1);
	CHECK_EQ(h->nr + h->free + h->optimized, 0);
	CHECK_EQ(hugetlb_bootmem_count(), 0);
	CHECK_EQ(nr_free_pages(), free_a - (NVM - 1) + GIGA_PAGES);
	CHECK_EQ(totalram_pages(), total_a + GIGA_PAGES);
	CHECK_EQ(env_pt.nr_table_pages, tables_a); /* born with PTE tables: none split */
	hugetlb_vmemmap_get_stats(&st);
	CHECK_EQ(st.optimized, st0.optimized - 1);
	CHECK_EQ(st.pages_allocated - st0.pages_allocated, NVM - 1);
	/* the shared page loses its user and is kept for the next optimization */
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_1G), 0);
	CHECK(hugetlb_vmemmap_shared_page(ORDER_1G) != 0);
	/* the vmemmap is full again, on pages of its own; the struct pages are free RAM pages */
	CHECK_EQ(check_vmemmap_private(PHYS_PFN(GIGA_B)), 0);
	CHECK_EQ(check_free_gigabyte(PHYS_PFN(GIGA_B)), 0);
	CHECK(!memblock_is_region_reserved(GIGA_B, SZ_1G));

	/* gone for good: not put in the pool again, nothing left to shrink */
	hugetlb_init(true);
	CHECK_EQ(h->nr, 0);
	CHECK_EQ(hugetlb_pool_shrink(h, 1), 0);
	take_gigabytes_back(PHYS_PFN(GIGA_B), 0);
	CHECK_EQ(nr_free_pages(), free_a - (NVM - 1));
	printf("# 3 boot GiBs (one born optimized, two plain) given to the buddy; %lu free pages\n",
	       nr_free_pages());
}

static const struct tap_case cases[] = {
	TAP_CASE(boot_folios_enter_the_1g_pool),
	TAP_CASE(short_of_memory_the_optimized_boot_folio_stays),
	TAP_CASE(shrink_gives_the_optimized_gigabyte_to_the_buddy),
};

TAP_MAIN("mm_hugetlb_bootmem", cases)
