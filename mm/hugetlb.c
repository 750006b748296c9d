// SPDX-License-Identifier: BSD-2-Clause
// HugeTLB pools: 2 MiB folios from the buddy allocator, 1 GiB folios from the contiguous-range
// allocator or reserved from memblock at boot, optionally vmemmap-optimized as they enter the
// pool; shrinking restores the vmemmap and gives every folio, boot ones included, to the buddy
// (Linux mm/hugetlb.c, the alloc_fresh_hugetlb_folio / update_and_free_hugetlb_folio paths).
#include <platform/errno.h>
#include <platform/printk.h>

#include <mm/hugetlb.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include <mm/page_alloc.h>

struct hstate hstates[2] = {
	{ .order = HUGETLB_ORDER_2M, .name = "2M" },
	{ .order = HUGETLB_ORDER_1G, .name = "1G" },
};

static bool optimize_on_grow;

#define BOOTMEM_MAX 16 /* said in hugetlb_bootmem_reserve()'s message */

/* The boot folios still held (a shrink gives them to the buddy), in reservation order. */
static struct {
	unsigned long pfn[BOOTMEM_MAX];
	bool adopted[BOOTMEM_MAX]; /* made a HugeTLB folio by a first bootmem_to_pool() */
	unsigned int nr;
} bootmem;

unsigned long hugetlb_bootmem_reserve(unsigned long nr, bool optimize)
{
	while (bootmem.nr < nr && bootmem.nr < BOOTMEM_MAX) {
		phys_addr_t pa = memblock_phys_alloc(SZ_1G, SZ_1G);
		unsigned long pfn = PHYS_PFN(pa);

		if (!pa)
			break;
		if (optimize && (sparse_boot_compound_add(pfn, HUGETLB_ORDER_1G) ||
				 page_alloc_skip_init(pfn, 1UL << HUGETLB_ORDER_1G))) {
			memblock_phys_free(pa, SZ_1G);
			break;
		}
		bootmem.adopted[bootmem.nr] = false;
		bootmem.pfn[bootmem.nr++] = pfn;
	}
	/* asking for more than the machine has is the boot argument's fault: the caller counts it */
	if (bootmem.nr < nr)
		pr_err("hugetlb: hugepages_1g=%lu: only %u 1 GiB folio(s) reserved at boot (%s)\n",
		       nr, bootmem.nr, bootmem.nr == BOOTMEM_MAX ? "zonedev keeps at most 16" :
		       "no more free 1 GiB-aligned GiB of RAM");
	return bootmem.nr;
}

unsigned long hugetlb_bootmem_count(void)
{
	return bootmem.nr;
}

/*
 * The boot folios still held into @h's pool. The first time they become HugeTLB folios: the
 * ones sparse made born-optimized are adopted by HVO; any other (hvo=off, or sparse fell back)
 * gets its tails written.
 */
static void bootmem_to_pool(struct hstate *h)
{
	for (unsigned int i = 0; i < bootmem.nr; i++) {
		/* the head itself: page_folio() would decode whatever an unwritten page holds */
		struct page *head = pfn_to_page(bootmem.pfn[i]);
		struct folio *f;

		if (!bootmem.adopted[i]) {
			if (sparse_boot_compound_done(bootmem.pfn[i])) {
				hugetlb_vmemmap_adopt(page_folio(head));
			} else {
				/*
				 * Written whole: where sparse fell back, the hand-over skipped these
				 * struct pages (page_alloc_skip_init()) and the head holds whatever
				 * its memblock memory held; a shrink gives the folio to the buddy.
				 */
				page_init_raw(head, 0, 0, page_counts(-1, 1));
				set_page_zone(head, ZONE_NORMAL);
				prep_compound_page(head, HUGETLB_ORDER_1G);
			}
			SetPageFlag(head, PG_hugetlb);
			/* memblock's until a shrink hands it over (free_bootmem_folio()) */
			SetPageFlag(head, PG_reserved);
			bootmem.adopted[i] = true;
		}
		f = page_folio(head);
		list_add_tail(&f->page.lru, &h->list);
		h->nr++;
		h->free++;
		h->optimized += hugetlb_vmemmap_optimized(f);
	}
}

/* @pfn's boot folio is the buddy's now: hugetlb_init() must not put it in the pool again. */
static void bootmem_forget(struct hstate *h, unsigned long pfn)
{
	unsigned long flags = mm_lock(&h->lock);

	for (unsigned int i = 0; i < bootmem.nr; i++) {
		if (bootmem.pfn[i] != pfn)
			continue;
		for (bootmem.nr--; i < bootmem.nr; i++) {
			bootmem.pfn[i] = bootmem.pfn[i + 1];
			bootmem.adopted[i] = bootmem.adopted[i + 1];
		}
		break;
	}
	mm_unlock(&h->lock, flags);
}

/*
 * A boot folio, its vmemmap whole (restored, or never optimized), leaves the pool for the buddy
 * as Linux frees a bootmem gigantic folio: its pages were never the allocator's, so they are
 * counted as managed now, and the free dissolves the compound page (every tail a plain page
 * again: zone, _mapcount -1, _refcount 0) and puts the GiB on the free lists in blocks of
 * MAX_PAGE_ORDER. The memblock reservation goes with it, as page_free_phys() does for boot
 * blocks. Return: 0, or free_contig_range()'s refusal (nothing changed then).
 */
static int free_bootmem_folio(struct hstate *h, struct folio *folio)
{
	unsigned long pfn = folio_pfn(folio), nr = folio_nr_pages(folio);
	int ret;

	ClearPageFlag(&folio->page, PG_hugetlb);
	ClearPageFlag(&folio->page, PG_reserved);
	adjust_managed_page_count(&folio->page, (long)nr);
	ret = free_contig_range(pfn, nr);
	if (ret) {
		adjust_managed_page_count(&folio->page, -(long)nr);
		SetPageFlag(&folio->page, PG_reserved);
		SetPageFlag(&folio->page, PG_hugetlb);
		return ret;
	}
	memblock_phys_free(PFN_PHYS(pfn), PFN_PHYS(nr));
	bootmem_forget(h, pfn);
	return 0;
}

void hugetlb_init(bool optimize)
{
	optimize_on_grow = optimize;
	for (unsigned int i = 0; i < 2; i++) {
		struct hstate *h = &hstates[i];

		h->nr = h->free = h->optimized = 0;
		INIT_LIST_HEAD(&h->list);
		mm_lock_init(&h->lock);
	}
	bootmem_to_pool(&hstates[1]);
}

/*
 * Struct pages in the vmemmap page of a folio's head: the tails HVO keeps private. The others
 * end up mapping HVO's shared page, so a folio about to be optimized gets only these written.
 */
#define HEAD_VMEMMAP_PAGES (PAGE_SIZE / sizeof(struct page))

/*
 * A new folio of @h: a compound page with PG_hugetlb. @head_tails_only: only the tails in the
 * head's vmemmap page are written (the folio goes to HVO next, which maps the others onto its
 * shared page; finish_tails() writes them if it does not).
 */
static struct folio *alloc_fresh(const struct hstate *h, bool head_tails_only)
{
	gfp_t gfp = (head_tails_only ? 0 : __GFP_COMP) | __GFP_NOWARN;
	struct page *p;

	if (h->order <= HUGETLB_ORDER_2M)
		p = alloc_pages(gfp, h->order);
	else
		p = alloc_contig_pages(1UL << h->order, 1UL << h->order, gfp);
	if (!p)
		return NULL;
	if (head_tails_only) {
		prep_compound_head(p, h->order);
		prep_compound_tails(p, h->order, 1, HEAD_VMEMMAP_PAGES);
	}
	SetPageFlag(p, PG_hugetlb);
	return page_folio(p);
}

/* The tails alloc_fresh() left unwritten, for a folio HVO did not optimize. */
static void finish_tails(struct folio *folio)
{
	prep_compound_tails(&folio->page, folio_order(folio), HEAD_VMEMMAP_PAGES,
			    folio_nr_pages(folio));
}

static int free_fresh(const struct hstate *h, struct folio *folio)
{
	int ret;

	ClearPageFlag(&folio->page, PG_hugetlb);
	if (h->order <= HUGETLB_ORDER_2M)
		ret = __free_pages(&folio->page, h->order);
	else
		ret = free_contig_range(folio_pfn(folio), 1UL << h->order);
	if (ret) /* refused, nothing changed: it goes back to the pool a HugeTLB folio */
		SetPageFlag(&folio->page, PG_hugetlb);
	return ret;
}

/* Put the folios of @list into @h's pool. */
static void pool_add(struct hstate *h, struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *p = list_first_entry(list, struct page, lru);
		unsigned long flags;
		bool opt = hugetlb_vmemmap_optimized(page_folio(p));

		list_del(&p->lru);
		if (optimize_on_grow && !opt)
			pr_warn("hugetlb: %s folio at pfn 0x%lx kept unoptimized\n", h->name,
				folio_pfn(page_folio(p)));
		flags = mm_lock(&h->lock);
		list_add_tail(&p->lru, &h->list);
		h->nr++;
		h->free++;
		h->optimized += opt;
		mm_unlock(&h->lock, flags);
	}
}

unsigned long hugetlb_pool_grow(struct hstate *h, unsigned long count)
{
	unsigned long added = 0;
	struct list_head fresh;

	INIT_LIST_HEAD(&fresh);
	while (added < count) {
		struct folio *folio = alloc_fresh(h, optimize_on_grow);

		if (!folio)
			break;
		list_add_tail(&folio->page.lru, &fresh);
		added++;
	}
	/*
	 * One batch (one rendezvous, one flush) for all of them. Their private tails are
	 * canonical by construction (alloc_fresh() just wrote them, nobody else has the folios);
	 * the others are never read before the remap replaces them with the shared page's.
	 */
	if (optimize_on_grow && added) {
		struct page *p;

		hugetlb_vmemmap_optimize_folios(&fresh, true);
		list_for_each_entry(p, &fresh, lru)
			if (!hugetlb_vmemmap_optimized(page_folio(p)))
				finish_tails(page_folio(p));
	}
	pool_add(h, &fresh);
	return added;
}

unsigned long hugetlb_pool_shrink(struct hstate *h, unsigned long count)
{
	unsigned long freed = 0, taken = 0, restored, flags;
	struct list_head list;

	INIT_LIST_HEAD(&list);
	while (taken < count) {
		struct folio *folio = hugetlb_folio_alloc(h);

		if (!folio)
			break;
		list_add_tail(&folio->page.lru, &list);
		taken++;
	}
	/* the optimized ones get their vmemmap back in batches; a batch short of memory none */
	restored = hugetlb_vmemmap_restore_folios(&list);
	flags = mm_lock(&h->lock);
	h->optimized -= restored;
	mm_unlock(&h->lock, flags);
	while (!list_empty(&list)) {
		struct folio *folio = page_folio(list_first_entry(&list, struct page, lru));
		bool boot = PageFlag(&folio->page, PG_reserved);
		int ret;

		list_del(&folio->page.lru);
		if (hugetlb_vmemmap_optimized(folio)) {
			/* the restore said why: no memory for the pages, or no rendezvous */
			pr_warn("hugetlb: %s %sfolio at pfn 0x%lx could not be freed (its vmemmap "
				"could not be restored): it stays optimized and whole in the pool\n",
				h->name, boot ? "boot " : "", folio_pfn(folio));
			hugetlb_folio_free(h, folio);
			continue;
		}
		/* a boot folio's memory was memblock's: it joins the buddy for the first time */
		ret = boot ? free_bootmem_folio(h, folio) : free_fresh(h, folio);
		if (ret) {
			pr_warn("hugetlb: %s %sfolio at pfn 0x%lx could not be freed (the page "
				"allocator refused it: %d): it stays in the pool\n", h->name,
				boot ? "boot " : "", folio_pfn(folio), ret);
			hugetlb_folio_free(h, folio);
			continue;
		}
		flags = mm_lock(&h->lock);
		h->nr--;
		mm_unlock(&h->lock, flags);
		freed++;
	}
	return freed;
}

struct folio *hugetlb_folio_alloc(struct hstate *h)
{
	unsigned long flags = mm_lock(&h->lock);
	struct folio *folio = NULL;

	if (!list_empty(&h->list)) {
		struct page *p = list_first_entry(&h->list, struct page, lru);

		list_del(&p->lru);
		h->free--;
		folio = page_folio(p);
	}
	mm_unlock(&h->lock, flags);
	return folio;
}

void hugetlb_folio_free(struct hstate *h, struct folio *folio)
{
	unsigned long flags = mm_lock(&h->lock);

	list_add_tail(&folio->page.lru, &h->list);
	h->free++;
	mm_unlock(&h->lock, flags);
}
