// SPDX-License-Identifier: BSD-2-Clause
// Buddy page allocator over RAM struct pages and a contiguous-range allocator for gigantic
// blocks (after Linux mm/page_alloc.c: __free_one_page(), expand(), __rmqueue_smallest(),
// memblock_free_all(); mm/page_alloc.c alloc_contig_range() without migration).
#include <stdarg.h>
#include <string.h>

#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/memblock.h>
#include <mm/page_alloc.h>
#include <mm/pgtable.h>

/*
 * Page states the allocator relies on (page.h fields only):
 *   reserved  PG_reserved, refcount 1: never handed out (firmware, image, memblock allocations)
 *   free      refcount 0; the first page of each free block has PG_buddy, @private = order and
 *             sits on free_area[order].free_list through @lru; the other pages have no PG_buddy
 *   allocated first page refcount >= 1, the others 0 (or compound tails)
 * Free blocks are always merged as far as they go, so the free-list state for a given set of free
 * pages is unique (what page_alloc_compare() relies on).
 */

/*
 * Whole RAM pages (memblock.memory without NOMAP, clipped to the zone): the pfns whose struct
 * pages the allocator may touch. Copied at page_alloc_init() so that later memblock changes do
 * not move it.
 */
struct pfn_range {
	unsigned long start, end;
};

static struct zone zone_normal;
static struct pfn_range ram_ranges[MEMBLOCK_MAX_REGIONS];
static unsigned int nr_ram_ranges;
static bool released;
static unsigned int reported;

/* Reports printed before bad_report() goes quiet (Linux rate-limits bad_page() likewise). */
#define BAD_PAGE_REPORTS 32

bool page_alloc_check_pages = true;

enum bad_reason {
	BAD_ORDER,
	BAD_OUTSIDE,
	BAD_MISALIGNED,
	BAD_TAIL,
	BAD_RESERVED,
	BAD_NOT_IN_USE,
	BAD_COMPOUND_ORDER,
	BAD_MAPPED,
	BAD_FLAGS,
	BAD_SUBPAGE,
	BAD_NOT_RESERVED,
	BAD_FREE_PAGE,
	BAD_ARGS,
};

static const char *const bad_reason_str[] = {
	[BAD_ORDER] = "order above MAX_PAGE_ORDER",
	[BAD_OUTSIDE] = "pfn range outside the zone's RAM",
	[BAD_MISALIGNED] = "pfn not aligned to the order",
	[BAD_TAIL] = "tail page of a compound page",
	[BAD_RESERVED] = "reserved page",
	[BAD_NOT_IN_USE] = "page not in use (double free?)",
	[BAD_COMPOUND_ORDER] = "compound order differs from the order freed",
	[BAD_MAPPED] = "page still mapped",
	[BAD_FLAGS] = "page still locked, HugeTLB or vmemmap-optimized",
	[BAD_SUBPAGE] = "a page of the block is free, reserved, referenced or mapped",
	[BAD_NOT_RESERVED] = "page not reserved",
	[BAD_FREE_PAGE] = "free page in a bad state (leaked)",
	[BAD_ARGS] = "bad arguments",
};

/*
 * bad_report() - count a refused request; print @fmt for the first BAD_PAGE_REPORTS refusals
 * since page_alloc_init(), then once more to say the rest are suppressed.
 */
static void __printf(1, 2) bad_report(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	zone_normal.stats.bad_pages++;
	if (reported > BAD_PAGE_REPORTS)
		return;
	if (reported++ == BAD_PAGE_REPORTS) {
		pr_warn("page_alloc: further bad page reports suppressed\n");
		return;
	}
	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_warn("%s\n", buf);
}

/* bad_page() - refuse a request on the block of order @order at @pfn. */
static void bad_page(const char *func, unsigned long pfn, unsigned int order, enum bad_reason why)
{
	bad_report("%s: %s: pfn 0x%lx order %u", func, bad_reason_str[why], pfn, order);
}

/* bad_range() - refuse a request on the @nr pages at @pfn. */
static void bad_range(const char *func, unsigned long pfn, unsigned long nr, enum bad_reason why)
{
	bad_report("%s: %s: pfn 0x%lx, %lu pages", func, bad_reason_str[why], pfn, nr);
}

/* ram_range_of() - index of the RAM range holding @pfn, or -1. */
static int ram_range_of(unsigned long pfn)
{
	for (unsigned int i = 0; i < nr_ram_ranges; i++) {
		if (pfn < ram_ranges[i].start)
			return -1;
		if (pfn < ram_ranges[i].end)
			return (int)i;
	}
	return -1;
}

/* range_in_ram() - [@pfn, @pfn + @nr) lies inside one RAM range (so its struct pages exist). */
static bool range_in_ram(unsigned long pfn, unsigned long nr)
{
	int i = ram_range_of(pfn);

	return i >= 0 && nr <= ram_ranges[i].end - pfn;
}

/*
 * low_order() - number of trailing zero bits of @x, at most MAX_FOLIO_ORDER (so 0 gives
 * MAX_FOLIO_ORDER). A loop, not __builtin_ctzl(): without Zbb, riscv64 GCC calls libgcc's
 * __ctzdi2, whose hard-float objects do not link into the soft-float kernel.
 */
static inline unsigned int low_order(unsigned long x)
{
	unsigned int o = 0;

	while (o < MAX_FOLIO_ORDER && !(x & (1UL << o)))
		o++;
	return o;
}

static inline unsigned int buddy_order(const struct page *page)
{
	return (unsigned int)page->private;
}

static inline bool page_is_free_head(const struct page *page)
{
	return PageFlag(page, PG_buddy);
}

static void add_to_free_list(struct zone *zone, struct page *page, unsigned int order)
{
	SetPageFlag(page, PG_buddy);
	page->private = order;
	list_add(&page->lru, &zone->free_area[order].free_list);
	zone->free_area[order].nr_free++;
	zone->free_pages += 1UL << order;
}

static void del_from_free_list(struct zone *zone, struct page *page, unsigned int order)
{
	list_del(&page->lru);
	ClearPageFlag(page, PG_buddy);
	page->private = 0;
	zone->free_area[order].nr_free--;
	zone->free_pages -= 1UL << order;
}

/*
 * buddy_is_free() - the block of order @order at @buddy_pfn is free and may merge. Its struct
 * page is read only when the pfn is RAM of the zone (holes may have no memmap), and it must be
 * a free head of exactly @order (a free block of another order does not pair with ours).
 */
static bool buddy_is_free(const struct zone *zone, unsigned long buddy_pfn, unsigned int order)
{
	const struct page *buddy;

	if (buddy_pfn < zone->zone_start_pfn || buddy_pfn >= zone->zone_end_pfn)
		return false;
	if (ram_range_of(buddy_pfn) < 0)
		return false;
	buddy = pfn_to_page(buddy_pfn);
	return page_is_free_head(buddy) && buddy_order(buddy) == order &&
	       page_zonenum(buddy) == ZONE_NORMAL;
}

/*
 * __free_one_page() - put the block of order @order at @pfn on the free lists, merging it with
 * its buddy (pfn ^ 2^order) while that one is free, as Linux does. Zone lock held; the pages are
 * clean (refcount 0, no PG_buddy / PG_reserved).
 */
static void __free_one_page(struct zone *zone, unsigned long pfn, unsigned int order)
{
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);

		if (!buddy_is_free(zone, buddy_pfn, order))
			break;
		del_from_free_list(zone, pfn_to_page(buddy_pfn), order);
		zone->stats.merges++;
		pfn &= buddy_pfn;
		order++;
	}
	add_to_free_list(zone, pfn_to_page(pfn), order);
}

/* free_pfn_range() - free clean pages [@start, @end) in the largest aligned blocks. Lock held. */
static void free_pfn_range(struct zone *zone, unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = low_order(start);

		order = MIN(order, MAX_PAGE_ORDER);
		while (order && (1UL << order) > end - start)
			order--;
		__free_one_page(zone, start, order);
		start += 1UL << order;
	}
}

/*
 * expand() - the block of order @high at @page serves order @low: hand its upper halves back to
 * the free lists, largest first (Linux expand()). Lock held.
 */
static void expand(struct zone *zone, struct page *page, unsigned int low, unsigned int high)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(zone, &page[size], high);
		zone->stats.splits++;
	}
}

/* __rmqueue_smallest() - take the smallest free block of order >= @order and split it. */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order)
{
	for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++) {
		struct free_area *area = &zone->free_area[o];
		struct page *page;

		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		del_from_free_list(zone, page, o);
		expand(zone, page, order, o);
		return page;
	}
	return NULL;
}

/* A free page must carry none of these; a page being freed none but PG_dirty / PG_uptodate. */
#define PAGE_FLAGS_CHECK_AT_PREP                                                   \
	((1UL << PG_locked) | (1UL << PG_reserved) | (1UL << PG_head) | (1UL << PG_buddy) | \
	 (1UL << PG_hugetlb) | (1UL << PG_vmemmap_optimized))
#define PAGE_FLAGS_CLEAR_AT_FREE ((1UL << PG_dirty) | (1UL << PG_uptodate))

/* free_page_ok() - a page just taken off the free lists is in the free state. */
static bool free_page_ok(const struct page *page)
{
	return !(page->flags & PAGE_FLAGS_CHECK_AT_PREP) && !PageTail(page) &&
	       page_ref_count(page) == 0;
}

/* prep_new_page() - turn a free block into an allocated one: refcount, zeroing, compound. */
static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	set_page_count(page, 1);
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	if (gfp & __GFP_ZERO)
		memset(__va(page_to_phys(page)), 0, PAGE_SIZE << order);
	if ((gfp & __GFP_COMP) && order)
		prep_compound_page(page, order);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct zone *zone = &zone_normal;
	struct page *page;

	if (order > MAX_PAGE_ORDER) {
		bad_report("%s: order %u above MAX_PAGE_ORDER (%u)", __func__, order, MAX_PAGE_ORDER);
		return NULL;
	}
	if (!zone->initialized)
		return NULL;

	zone_lock(zone);
	for (;;) {
		page = __rmqueue_smallest(zone, order);
		if (!page || free_page_ok(page))
			break;
		/* Corrupted free block: leak it, as Linux's check_new_pages() does, and retry. */
		bad_page(__func__, page_to_pfn(page), order, BAD_FREE_PAGE);
	}
	if (page)
		zone->stats.alloc[order]++;
	else
		zone->stats.alloc_fail++;
	zone_unlock(zone);

	if (!page) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("page allocation failure: order:%u, %lu pages free\n", order,
				zone->free_pages);
		return NULL;
	}
	prep_new_page(page, order, gfp);
	return page;
}

unsigned long alloc_pages_bulk_phys(unsigned long nr, phys_addr_t *pas)
{
	struct zone *zone = &zone_normal;
	struct page *zero = NULL;
	unsigned long got = 0;

	if (!zone->initialized)
		return 0;
	zone_lock(zone);
	while (got < nr) {
		unsigned int o = 0, low = 0;
		struct page *page;

		/* the smallest free block first, as single-page allocations would take them */
		while (o <= MAX_PAGE_ORDER && list_empty(&zone->free_area[o].free_list))
			o++;
		if (o > MAX_PAGE_ORDER)
			break;
		page = list_first_entry(&zone->free_area[o].free_list, struct page, lru);
		del_from_free_list(zone, page, o);
		while (low < o && (2UL << low) <= nr - got)
			low++;
		expand(zone, page, low, o);
		/* split at once: each page is allocated, and freed, on its own */
		for (unsigned long i = 0; i < 1UL << low; i++) {
			struct page *p = page + i;

			if (!free_page_ok(p)) {
				/* leaked, as alloc_pages() leaks a corrupted free block */
				bad_page(__func__, page_to_pfn(p), 0, BAD_FREE_PAGE);
				continue;
			}
			if (page_to_pfn(p) == 0) {
				zero = p; /* 0 is the failure value: given back below */
				continue;
			}
			set_page_count(p, 1);
			p->mapping = NULL;
			p->index = 0;
			p->private = 0;
			pas[got++] = page_to_phys(p);
			zone->stats.alloc[0]++;
		}
	}
	if (zero)
		__free_one_page(zone, 0, 0);
	if (got < nr)
		zone->stats.alloc_fail++;
	zone_unlock(zone);
	return got;
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_COMP, order);

	return page ? (unsigned long)(uintptr_t)__va(page_to_phys(page)) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/*
 * check_block_pages() - every page after the first of the @nr-page block at @page is
 * allocated-and-idle: a plain page (or a tail of @page's compound page) with refcount 0,
 * unmapped, neither free nor reserved. O(nr); skipped when page_alloc_check_pages is off.
 */
static bool check_block_pages(struct page *page, unsigned long nr)
{
	bool compound = PageHead(page);

	if (!page_alloc_check_pages)
		return true;
	for (unsigned long i = 1; i < nr; i++) {
		const struct page *p = page + i;

		if (p->flags & PAGE_FLAGS_CHECK_AT_PREP)
			return false;
		if (page_ref_count(p) != 0)
			return false;
		/* Tails carry no map count of their own (rmap counts on the head). */
		if (compound ? compound_head(p) != page : (PageTail(p) || page_mapcount(p) != 0))
			return false;
	}
	return true;
}

/*
 * check_head() - the first page of the @nr-page block at @pfn may be freed: the block lies in
 * RAM of the zone, @pfn is aligned to @nr (when @aligned), the page is not a tail, not reserved,
 * in use, and a compound head only of @nr pages.
 * Return: -1 when it may, else the enum bad_reason.
 */
static int check_head(struct page *page, unsigned long pfn, unsigned long nr, bool aligned)
{
	const struct zone *zone = &zone_normal;

	if (!zone->initialized || pfn < zone->zone_start_pfn || pfn >= zone->zone_end_pfn ||
	    !range_in_ram(pfn, nr))
		return BAD_OUTSIDE;
	if (aligned && (pfn & (nr - 1)))
		return BAD_MISALIGNED;
	if (PageTail(page))
		return BAD_TAIL;
	if (PageFlag(page, PG_reserved))
		return BAD_RESERVED;
	if (page_is_free_head(page) || page_ref_count(page) <= 0)
		return BAD_NOT_IN_USE;
	if (PageHead(page) && (1UL << compound_order(page)) != nr)
		return BAD_COMPOUND_ORDER;
	return -1;
}

/*
 * free_pages_prepare() - the last reference to the block at @page is gone: check it and make
 * its pages plain and clean. Return: -1 when it may join the free lists, else the reason (the
 * block is then left allocated, untouched).
 */
static int free_pages_prepare(struct page *page, unsigned long nr)
{
	if (page_mapcount(page) != 0)
		return BAD_MAPPED;
	if (page->flags & ((1UL << PG_locked) | (1UL << PG_hugetlb) | (1UL << PG_vmemmap_optimized)))
		return BAD_FLAGS;
	if (!check_block_pages(page, nr))
		return BAD_SUBPAGE;
	if (PageHead(page))
		destroy_compound_page(page);
	page->flags &= ~PAGE_FLAGS_CLEAR_AT_FREE;
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	return -1;
}

int __free_pages(struct page *page, unsigned int order)
{
	struct zone *zone = &zone_normal;
	unsigned long pfn;
	int why;

	if (!page) {
		bad_report("%s: NULL page, order %u", __func__, order);
		return -EINVAL;
	}
	pfn = page_to_pfn(page);
	if (order > MAX_PAGE_ORDER) {
		bad_page(__func__, pfn, order, BAD_ORDER);
		return -EINVAL;
	}
	why = check_head(page, pfn, 1UL << order, true);
	if (why >= 0)
		goto bad;
	if (!page_ref_dec_and_test(page))
		return 0;
	why = free_pages_prepare(page, 1UL << order);
	if (why >= 0) {
		set_page_count(page, 1);
		goto bad;
	}

	zone_lock(zone);
	__free_one_page(zone, pfn, order);
	zone->stats.free[order]++;
	zone_unlock(zone);
	return 0;
bad:
	bad_page(__func__, pfn, order, (enum bad_reason)why);
	return -EINVAL;
}

int free_pages(unsigned long addr, unsigned int order)
{
	if (!addr)
		return 0;
	return __free_pages(phys_to_page(__pa((const void *)(uintptr_t)addr)), order);
}

/*
 * find_free_block() - the free block holding @pfn, if any: a PG_buddy head at @pfn rounded down
 * to some order whose own order reaches @pfn. Never looks below @floor (the RAM range start).
 */
static bool find_free_block(unsigned long pfn, unsigned long floor, unsigned long *head,
			    unsigned int *order)
{
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++) {
		unsigned long h = pfn & ~((1UL << o) - 1);
		const struct page *p;

		if (h < floor)
			break;
		p = pfn_to_page(h);
		if (page_is_free_head(p) && buddy_order(p) >= o) {
			*head = h;
			*order = buddy_order(p);
			return true;
		}
	}
	return false;
}

/*
 * scan_contig() - find @nr free pages aligned to @align inside RAM range @r; true with the first
 * pfn in *@found. Candidates advance past the first page in use, so each pfn is probed about
 * once (free blocks are stepped over whole).
 */
static bool scan_contig(struct zone *zone, const struct pfn_range *r, unsigned long nr,
			unsigned long align, unsigned long *found)
{
	unsigned long s = ALIGN_UP(r->start, align);

	while (s >= r->start && s < r->end && nr <= r->end - s) {
		unsigned long pfn = s, head;
		unsigned int order;

		while (pfn < s + nr && find_free_block(pfn, r->start, &head, &order))
			pfn = head + (1UL << order);
		zone->stats.contig_scanned += pfn - s + 1;
		if (pfn >= s + nr) {
			*found = s;
			return true;
		}
		s = ALIGN_UP(pfn + 1, align);
	}
	return false;
}

/* isolate_range() - take the free pages [@s, @e) off the lists (all free; lock held). */
static void isolate_range(struct zone *zone, unsigned long floor, unsigned long s, unsigned long e)
{
	unsigned long pfn = s;

	while (pfn < e) {
		unsigned long head, end;
		unsigned int order;

		if (!find_free_block(pfn, floor, &head, &order)) {
			/* Cannot happen: the range was found free under the same lock. */
			bad_range(__func__, pfn, e - pfn, BAD_FREE_PAGE);
			return;
		}
		end = head + (1UL << order);
		del_from_free_list(zone, pfn_to_page(head), order);
		/* Give back the parts of the block outside the range; they cannot merge with it. */
		if (head < s)
			free_pfn_range(zone, head, s);
		if (end > e)
			free_pfn_range(zone, e, end);
		pfn = end;
	}
}

struct page *alloc_contig_pages(unsigned long nr_pages, unsigned long align_pages, gfp_t gfp)
{
	struct zone *zone = &zone_normal;
	unsigned long start = 0;
	struct page *page;
	bool found = false;
	unsigned int i;

	if (!align_pages)
		align_pages = 1;
	if (!nr_pages || (align_pages & (align_pages - 1)) ||
	    ((gfp & __GFP_COMP) && ((nr_pages & (nr_pages - 1)) || align_pages < nr_pages ||
				    nr_pages > (1UL << MAX_FOLIO_ORDER)))) {
		bad_report("%s: bad arguments: %lu pages aligned to %lu%s", __func__, nr_pages,
			   align_pages, gfp & __GFP_COMP ? " (compound)" : "");
		return NULL;
	}
	if (!zone->initialized)
		return NULL;

	/* The scan and isolation are one critical section (Linux isolates pageblocks instead). */
	zone_lock(zone);
	for (i = 0; i < nr_ram_ranges && !found; i++)
		found = scan_contig(zone, &ram_ranges[i], nr_pages, align_pages, &start);
	if (found) {
		isolate_range(zone, ram_ranges[i - 1].start, start, start + nr_pages);
		zone->stats.contig_allocs++;
	} else {
		zone->stats.contig_fails++;
	}
	zone_unlock(zone);

	if (!found) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("alloc_contig_pages: no free range of %lu pages aligned to %lu\n",
				nr_pages, align_pages);
		return NULL;
	}
	page = pfn_to_page(start);
	set_page_count(page, 1);
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	if (gfp & __GFP_ZERO)
		memset(__va(PFN_PHYS(start)), 0, PAGE_SIZE * nr_pages);
	if ((gfp & __GFP_COMP) && nr_pages > 1)
		prep_compound_page(page, low_order(nr_pages));
	return page;
}

int free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	struct zone *zone = &zone_normal;
	struct page *page;
	int why;

	if (!nr_pages) {
		bad_range(__func__, pfn, 0, BAD_ARGS);
		return -EINVAL;
	}
	if (!zone->initialized || !range_in_ram(pfn, nr_pages)) {
		why = BAD_OUTSIDE;
		goto bad;
	}
	page = pfn_to_page(pfn);
	why = check_head(page, pfn, nr_pages, false);
	if (why >= 0)
		goto bad;
	if (!page_ref_dec_and_test(page))
		return 0;
	why = free_pages_prepare(page, nr_pages);
	if (why >= 0) {
		set_page_count(page, 1);
		goto bad;
	}

	zone_lock(zone);
	free_pfn_range(zone, pfn, pfn + nr_pages);
	zone->stats.contig_frees++;
	zone_unlock(zone);
	return 0;
bad:
	bad_range(__func__, pfn, nr_pages, (enum bad_reason)why);
	return -EINVAL;
}

#define FREE_FLAGS ((unsigned long)ZONE_NORMAL << PAGE_ZONE_SHIFT)
#define RESERVED_FLAGS (FREE_FLAGS | (1UL << PG_reserved))

/*
 * Rewrite the RAM pages from *@pos (in RAM range *@ri on) up to @limit whole as reserved pages,
 * and leave the cursor at @limit.
 */
/* Reserved ranges whose struct pages are initialized already (boot gigantic folios). */
#define SKIP_MAX 16
static struct pfn_range skip[SKIP_MAX];
static unsigned int nr_skip;

int page_alloc_skip_init(unsigned long pfn, unsigned long nr)
{
	if (nr_skip == SKIP_MAX)
		return -ENOSPC;
	skip[nr_skip++] = (struct pfn_range){ pfn, pfn + nr };
	return 0;
}

/* The reserved pages of [@s, @e) but those of the skip ranges. */
static void init_reserved(unsigned long s, unsigned long e)
{
	for (unsigned int i = 0; i < nr_skip && s < e; i++) {
		if (skip[i].end <= s || skip[i].start >= e)
			continue;
		if (skip[i].start > s)
			init_reserved(s, skip[i].start);
		s = MAX(s, skip[i].end);
	}
	if (s < e)
		init_pages_raw(pfn_to_page(s), e - s, RESERVED_FLAGS, 0, page_counts(-1, 1));
}

static void reserve_upto(unsigned int *ri, unsigned long *pos, unsigned long limit)
{
	for (; *ri < nr_ram_ranges; (*ri)++) {
		const struct pfn_range *r = &ram_ranges[*ri];
		unsigned long s = MAX(*pos, r->start), e = MIN(r->end, limit);

		if (s < e)
			init_reserved(s, e);
		if (limit < r->end) {
			*pos = MAX(*pos, limit);
			return;
		}
	}
}

void page_alloc_init(unsigned long start_pfn, unsigned long end_pfn)
{
	struct zone *zone = &zone_normal;
	const struct memblock_type *mem = &memblock.memory;

	memset(zone, 0, sizeof(*zone));
	mm_lock_init(&zone->lock);
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		INIT_LIST_HEAD(&zone->free_area[o].free_list);
	zone->zone_start_pfn = start_pfn;
	zone->zone_end_pfn = end_pfn;
	released = false;
	reported = 0;

	nr_ram_ranges = 0;
	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		unsigned long s = MAX(PFN_UP(r->base), start_pfn);
		unsigned long e = MIN(PFN_DOWN(r->base + r->size), end_pfn);

		if ((r->flags & MEMBLOCK_NOMAP) || s >= e)
			continue;
		/* Touching ranges with different flags were split by memblock; join them here. */
		if (nr_ram_ranges && ram_ranges[nr_ram_ranges - 1].end == s) {
			ram_ranges[nr_ram_ranges - 1].end = e;
		} else {
			ram_ranges[nr_ram_ranges].start = s;
			ram_ranges[nr_ram_ranges].end = e;
			nr_ram_ranges++;
		}
	}
	zone->initialized = true;
}

unsigned long memblock_free_all(void)
{
	struct zone *zone = &zone_normal;
	unsigned long total = 0, pos = 0;
	unsigned int ri = 0;
	phys_addr_t start, end;
	uint64_t idx;

	if (!zone->initialized || released) {
		pr_warn("memblock_free_all: %s\n",
			released ? "already done" : "page_alloc_init() has not run");
		return 0;
	}
	zone_lock(zone);
	for_each_free_mem_range(idx, &start, &end) {
		unsigned long s = MAX(PFN_UP(start), zone->zone_start_pfn);
		unsigned long e = MIN(PFN_DOWN(end), zone->zone_end_pfn);

		if (s >= e)
			continue;
		/*
		 * One pass over the RAM in address order writes each page once, whole, with plain
		 * stores (no read, no AMO on riscv64): reserved up to this free range, free in it.
		 */
		reserve_upto(&ri, &pos, s);
		init_pages_raw(pfn_to_page(s), e - s, FREE_FLAGS, 0, page_counts(-1, 0));
		pos = MAX(pos, e);
		free_pfn_range(zone, s, e);
		total += e - s;
	}
	reserve_upto(&ri, &pos, ~0UL);
	zone->managed_pages += total;
	zone_unlock(zone);

	/* memblock would hand out pages the buddy owns: stop it (allocations now fail cleanly). */
	memblock.alloc_limit = 0;
	released = true;
	return total;
}

int free_reserved_page(struct page *page)
{
	struct zone *zone = &zone_normal;
	unsigned long pfn = page_to_pfn(page);

	if (!zone->initialized || pfn < zone->zone_start_pfn || pfn >= zone->zone_end_pfn ||
	    ram_range_of(pfn) < 0) {
		bad_page(__func__, pfn, 0, BAD_OUTSIDE);
		return -EINVAL;
	}
	if (!PageFlag(page, PG_reserved) || PageCompound(page)) {
		bad_page(__func__, pfn, 0, BAD_NOT_RESERVED);
		return -EINVAL;
	}
	ClearPageFlag(page, PG_reserved);
	page->flags &= ~PAGE_FLAGS_CLEAR_AT_FREE;
	set_page_count(page, 0);
	zone_lock(zone);
	zone->managed_pages++;
	__free_one_page(zone, pfn, 0);
	zone_unlock(zone);
	return 0;
}

int free_reserved_pages(struct page *page, unsigned long nr)
{
	struct zone *zone = &zone_normal;
	unsigned long pfn = page_to_pfn(page);

	if (!zone->initialized || pfn < zone->zone_start_pfn || nr > zone->zone_end_pfn - pfn ||
	    !range_in_ram(pfn, nr)) {
		bad_page(__func__, pfn, 0, BAD_OUTSIDE);
		return -EINVAL;
	}
	for (unsigned long i = 0; i < nr; i++)
		if (!PageFlag(page + i, PG_reserved) || PageCompound(page + i)) {
			bad_page(__func__, pfn + i, 0, BAD_NOT_RESERVED);
			return -EINVAL;
		}
	for (unsigned long i = 0; i < nr; i++) {
		ClearPageFlag(page + i, PG_reserved);
		page[i].flags &= ~PAGE_FLAGS_CLEAR_AT_FREE;
		set_page_count(page + i, 0);
	}
	zone_lock(zone);
	zone->managed_pages += nr;
	free_pfn_range(zone, pfn, pfn + nr);
	zone_unlock(zone);
	return 0;
}

void adjust_managed_page_count(struct page *page, long count)
{
	struct zone *zone = &zone_normal;

	(void)page;
	zone_lock(zone);
	zone->managed_pages += (unsigned long)count;
	zone_unlock(zone);
}

static struct page *alloc_phys_block(unsigned long nr, size_t size, size_t align, gfp_t gfp)
{
	if (!(nr & (nr - 1)) && align <= size && nr <= MAX_ORDER_NR_PAGES)
		return alloc_pages(gfp, low_order(nr));
	return alloc_contig_pages(nr, MAX(align >> PAGE_SHIFT, 1UL), gfp);
}

phys_addr_t page_alloc_phys(size_t size, size_t align, gfp_t gfp)
{
	unsigned long nr = size >> PAGE_SHIFT;
	struct page *page;

	if (!align)
		align = PAGE_SIZE;
	if (!nr || (size & ~PAGE_MASK) || (align & (align - 1)))
		return 0;
	gfp &= ~__GFP_COMP;
	page = alloc_phys_block(nr, size, align, gfp);
	if (page && page_to_phys(page) == 0) {
		/*
		 * Physical address 0 is RAM on some boards (ZynqMP, Raspberry Pi) but 0 is also our
		 * failure value: a caller would take that block for a failure and never free it.
		 * Hold it while another block is found, then give it back.
		 */
		page = alloc_phys_block(nr, size, align, gfp);
		page_free_phys(0, size);
	}
	return page ? page_to_phys(page) : 0;
}

int page_free_phys(phys_addr_t pa, size_t size)
{
	unsigned long pfn = PHYS_PFN(pa), nr = size >> PAGE_SHIFT;
	struct page *page = pfn_to_page(pfn);

	if (!nr || (size & ~PAGE_MASK) || (pa & ~PAGE_MASK) || !range_in_ram(pfn, nr)) {
		bad_range(__func__, pfn, nr, BAD_OUTSIDE);
		return -EINVAL;
	}
	if (PageFlag(page, PG_reserved)) {
		/* All or nothing: every page must be a boot page. */
		for (unsigned long i = 0; i < nr; i++) {
			if (!PageFlag(page + i, PG_reserved) || PageCompound(page + i)) {
				bad_range(__func__, pfn + i, nr - i, BAD_NOT_RESERVED);
				return -EINVAL;
			}
		}
		for (unsigned long i = 0; i < nr; i++)
			free_reserved_page(page + i);
		memblock_phys_free(pa, PFN_PHYS(nr));
		return 0;
	}
	if (!(nr & (nr - 1)) && nr <= MAX_ORDER_NR_PAGES && !(pfn & (nr - 1)))
		return __free_pages(page, low_order(nr));
	return free_contig_range(pfn, nr);
}

bool page_alloc_ready(void)
{
	return zone_normal.initialized && released;
}

unsigned long nr_free_pages(void)
{
	return zone_normal.free_pages;
}

unsigned long nr_free_blocks(unsigned int order)
{
	return order <= MAX_PAGE_ORDER ? zone_normal.free_area[order].nr_free : 0;
}

unsigned long totalram_pages(void)
{
	return zone_normal.managed_pages;
}

void page_alloc_get_stats(struct page_alloc_stats *stats)
{
	*stats = zone_normal.stats;
}

void page_alloc_reset_stats(void)
{
	memset(&zone_normal.stats, 0, sizeof(zone_normal.stats));
}

void page_alloc_snapshot(struct page_alloc_snapshot *snap)
{
	struct zone *zone = &zone_normal;

	zone_lock(zone);
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		snap->nr_free[o] = zone->free_area[o].nr_free;
	snap->free_pages = zone->free_pages;
	snap->managed_pages = zone->managed_pages;
	zone_unlock(zone);
}

int page_alloc_compare(const struct page_alloc_snapshot *snap)
{
	struct page_alloc_snapshot now;
	bool same = true;

	page_alloc_snapshot(&now);
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		same &= now.nr_free[o] == snap->nr_free[o];
	same &= now.free_pages == snap->free_pages && now.managed_pages == snap->managed_pages;
	if (same)
		return 0;
	pr_warn("page_alloc: leak check: %ld free pages missing (%lu then, %lu now), managed %lu -> "
		"%lu\n", (long)(snap->free_pages - now.free_pages), snap->free_pages, now.free_pages,
		snap->managed_pages, now.managed_pages);
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		if (now.nr_free[o] != snap->nr_free[o])
			pr_warn("  order %2u: %lu free blocks then, %lu now\n", o, snap->nr_free[o],
				now.nr_free[o]);
	return -EBUSY;
}

void page_alloc_dump(void)
{
	const struct zone *zone = &zone_normal;
	const struct page_alloc_stats *st = &zone->stats;

	pr_info("page_alloc: zone Normal pfn 0x%lx-0x%lx, %lu managed, %lu free pages\n",
		zone->zone_start_pfn, zone->zone_end_pfn, zone->managed_pages, zone->free_pages);
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++) {
		if (!zone->free_area[o].nr_free && !st->alloc[o] && !st->free[o])
			continue;
		pr_info("  order %2u: %lu free, %lu allocs, %lu frees\n", o,
			zone->free_area[o].nr_free, st->alloc[o], st->free[o]);
	}
	pr_info("  splits %lu, merges %lu, failures %lu, bad pages %lu, contig %lu/%lu/%lu\n",
		st->splits, st->merges, st->alloc_fail, st->bad_pages, st->contig_allocs,
		st->contig_fails, st->contig_frees);
}

/* ---- the page allocator as the source of page-table pages and vmemmap backing ----------- */

static phys_addr_t table_alloc(void *ctx)
{
	(void)ctx;
	return page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
}

static void table_free(phys_addr_t pa, void *ctx)
{
	(void)ctx;
	page_free_phys(pa, PAGE_SIZE);
}

const struct pgtable_page_ops page_alloc_table_ops = { table_alloc, table_free, NULL };

phys_addr_t page_alloc_vmemmap_alloc(size_t size, size_t align, void *ctx)
{
	(void)ctx;
	return page_alloc_phys(size, align, GFP_KERNEL);
}

unsigned long page_alloc_vmemmap_alloc_bulk(unsigned long nr, phys_addr_t *pas, void *ctx)
{
	(void)ctx;
	return alloc_pages_bulk_phys(nr, pas);
}

void page_alloc_vmemmap_free(phys_addr_t pa, size_t size, void *ctx)
{
	(void)ctx;
	page_free_phys(pa, size);
}
