// SPDX-License-Identifier: BSD-2-Clause
// Buddy page allocator over the struct pages of RAM, plus a contiguous-range allocator for
// gigantic blocks (Linux mm/page_alloc.c, include/linux/gfp.h, mm/page_isolation.c's scan).
// Differs from Linux: one zone (ZONE_NORMAL), no NUMA, no per-CPU lists, no migration types, no
// watermarks or reclaim; free functions return 0 / -errno instead of void.
#ifndef ZONEDEV_MM_PAGE_ALLOC_H
#define ZONEDEV_MM_PAGE_ALLOC_H

#include <platform/list.h>
#include <platform/types.h>
#include <mm/mm_lock.h>
#include <mm/page.h>

/*
 * Allocation flags. gfp_t is Linux's name, kept as a typedef as Linux does (the one exception to
 * the house rule, like phys_addr_t).
 */
typedef unsigned int gfp_t;

#define __GFP_ZERO 0x1u	  /* fill the block with zeroes (through __va()) */
#define __GFP_COMP 0x2u	  /* order > 0: make a compound page (prep_compound_page()) */
#define __GFP_NOWARN 0x4u /* no message when the allocation fails */
#define GFP_KERNEL 0u

/* Largest order the buddy lists hold: 2^18 pages of 4 KiB = 1 GiB. */
#define MAX_PAGE_ORDER 18
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)

_Static_assert(MAX_PAGE_ORDER <= MAX_FOLIO_ORDER, "a buddy block must fit a compound page");

/**
 * struct free_area - free blocks of one order
 * @free_list: head pages of the free blocks (linked through struct page @lru)
 * @nr_free: blocks on @free_list
 */
struct free_area {
	struct list_head free_list;
	unsigned long nr_free;
};

/**
 * struct page_alloc_stats - event counters since page_alloc_init() or page_alloc_reset_stats()
 * @alloc: successful alloc_pages() per order
 * @free: blocks given back per order (__free_pages() that reached the buddy)
 * @alloc_fail: alloc_pages() that found no block (order <= MAX_PAGE_ORDER)
 * @splits: blocks halved to serve a smaller order (expand())
 * @merges: buddy pairs joined on free
 * @bad_pages: requests refused (double free, reserved/tail page, misaligned, order above
 *	       MAX_PAGE_ORDER, page still in use, bad arguments)
 * @contig_allocs: successful alloc_contig_pages()
 * @contig_fails: alloc_contig_pages() that found no free range
 * @contig_frees: successful free_contig_range()
 * @contig_scanned: pfns examined by alloc_contig_pages()
 */
struct page_alloc_stats {
	unsigned long alloc[NR_PAGE_ORDERS];
	unsigned long free[NR_PAGE_ORDERS];
	unsigned long alloc_fail;
	unsigned long splits;
	unsigned long merges;
	unsigned long bad_pages;
	unsigned long contig_allocs;
	unsigned long contig_fails;
	unsigned long contig_frees;
	unsigned long contig_scanned;
};

/**
 * struct zone - the one memory zone (ZONE_NORMAL)
 * @lock: protects @free_area and the counters (zone_lock()/zone_unlock())
 * @lock_flags: interrupt state saved by the current holder of @lock
 * @zone_start_pfn: first pfn of the span the struct pages cover
 * @zone_end_pfn: one past the last pfn of the span
 * @managed_pages: pages given to the buddy (memblock_free_all(), free_reserved_page())
 * @free_pages: pages now free on the lists
 * @free_area: free lists per order
 * @stats: event counters
 * @initialized: page_alloc_init() ran
 */
struct zone {
	struct mm_lock lock;
	unsigned long lock_flags;
	unsigned long zone_start_pfn;
	unsigned long zone_end_pfn;
	unsigned long managed_pages;
	unsigned long free_pages;
	struct free_area free_area[NR_PAGE_ORDERS];
	struct page_alloc_stats stats;
	bool initialized;
};

/**
 * zone_lock() - enter a zone critical section (free lists, counters).
 * @zone: the zone
 *
 * Takes @zone->lock with interrupts off (a no-op in single-threaded host tests); the saved
 * interrupt state is kept in the zone, which only the holder touches.
 */
static inline void zone_lock(struct zone *zone)
{
	unsigned long flags = mm_lock(&zone->lock);

	zone->lock_flags = flags;
}

/** zone_unlock() - leave the critical section zone_lock() entered. @zone: the zone */
static inline void zone_unlock(struct zone *zone)
{
	mm_unlock(&zone->lock, zone->lock_flags);
}

/**
 * page_alloc_init() - set up the (empty) zone over [@start_pfn, @end_pfn)
 * @start_pfn: first pfn covered by struct pages
 * @end_pfn: one past the last
 *
 * Precondition: the struct pages of every pfn of memblock.memory (without MEMBLOCK_NOMAP) inside
 * the span exist (sparse_init()). No struct page is written here: memblock_free_all(), which
 * must follow before the allocator is used, rewrites each such page once, whole, as a reserved
 * page (ZONE_NORMAL, PG_reserved, refcount 1, unmapped, other fields zero) or a free one.
 * Pages outside memblock.memory, and NOMAP ones, are never read or written by the allocator.
 * Calling it again resets the allocator (host tests).
 */
void page_alloc_init(unsigned long start_pfn, unsigned long end_pfn);

/**
 * memblock_free_all() - give every free memblock range to the buddy allocator
 *
 * For each range of for_each_free_mem_range() inside the zone span (pages wholly inside it), the
 * pages become free (refcount 0, no PG_reserved) and join the free lists in the largest aligned
 * blocks; every other RAM page of the zone becomes reserved (see page_alloc_init()). Afterwards memblock_phys_alloc() fails (its limit is set to
 * 0): from here on pages come from alloc_pages(); a range memblock had reserved is given back
 * with free_reserved_page().
 * Return: the number of pages released.
 */
unsigned long memblock_free_all(void);

/**
 * page_alloc_skip_init() - before memblock_free_all(): the reserved pfns [@pfn, + @nr) have
 * their struct pages initialized already (a boot-time gigantic folio, born vmemmap-optimized:
 * its tails are read-only), so the hand-over leaves them as they are. Return: 0, -ENOSPC.
 */
int page_alloc_skip_init(unsigned long pfn, unsigned long nr);

/**
 * free_reserved_page() - hand a PG_reserved page (boot allocation, firmware area no longer
 * needed) to the buddy allocator for good
 * @page: the page; must lie in the zone span and in memblock.memory
 * Return: 0, -EINVAL if the page is outside the zone or not PG_reserved (warned).
 */
int free_reserved_page(struct page *page);

/**
 * free_reserved_pages() - free_reserved_page() of the @nr consecutive pages from @page, under
 * one lock and in the largest aligned blocks (HVO gives back 7 adjacent vmemmap pages a folio)
 * Return: 0, -EINVAL (one outside the zone or RAM, or not PG_reserved: nothing freed, warned).
 */
int free_reserved_pages(struct page *page, unsigned long nr);

/**
 * adjust_managed_page_count() - @count more (or, negative, fewer) pages are the allocator's to
 * manage (totalram_pages()): for a boot reservation that is handed over whole, as HugeTLB's
 * boot-time gigantic folios are when their pool shrinks, then freed like any allocated range.
 * @page: the first of them (its zone, for Linux's signature; there is one zone here)
 */
void adjust_managed_page_count(struct page *page, long count);

/**
 * page_alloc_phys() - @size bytes of RAM aligned to @align, by physical address: the shape of
 * the page-table and vmemmap allocator hooks once they switch from memblock to the buddy
 * @size: a multiple of PAGE_SIZE, > 0
 * @align: a power of two (0: PAGE_SIZE)
 * @gfp: as alloc_pages() (__GFP_COMP is ignored)
 *
 * A power-of-two size with @align <= @size is one alloc_pages() block; anything else comes
 * from alloc_contig_pages(). A block at physical address 0 (RAM there) is never returned, as
 * 0 means failure: another is allocated instead, or none.
 * Return: the physical address, or 0.
 */
phys_addr_t page_alloc_phys(size_t size, size_t align, gfp_t gfp);

/**
 * page_free_phys() - give back a block by physical address, whoever allocated it
 * @pa: its first byte, page aligned
 * @size: its size, a multiple of PAGE_SIZE
 *
 * A block from page_alloc_phys() goes back to the buddy. A block memblock allocated before
 * memblock_free_all() (its pages are PG_reserved) is released page by page with
 * free_reserved_page() and dropped from memblock.reserved, as Linux's vmemmap and page-table
 * teardown does for bootmem pages (free_reserved_page() when PageReserved()).
 * Return: 0, -EINVAL (bad arguments or a refused free, warned).
 */
int page_free_phys(phys_addr_t pa, size_t size);

/** page_alloc_ready() - page_alloc_init() and memblock_free_all() have run. */
bool page_alloc_ready(void);

/**
 * alloc_pages() - allocate 2^@order contiguous pages, aligned to their size
 * @gfp: GFP_KERNEL, optionally | __GFP_ZERO, __GFP_COMP, __GFP_NOWARN
 * @order: 0 .. MAX_PAGE_ORDER
 *
 * The head page comes back with refcount 1 and the others with 0; with __GFP_COMP and
 * @order > 0 the block is a compound page (prep_compound_page()), else 2^@order plain pages.
 * Return: the first page, or NULL when no block is free or @order > MAX_PAGE_ORDER (warned).
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);

/** alloc_page() - alloc_pages(@gfp, 0). */
static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/**
 * __free_pages() - drop a reference to a block from alloc_pages(); the last one frees it
 * @page: the first page of the block
 * @order: the order it was allocated with
 *
 * Buddies are merged. A compound page is destroyed first (destroy_compound_page()).
 * Refused with a warning naming the pfn and the reason (the first 32 refusals after
 * page_alloc_init(), as Linux rate-limits bad_page()), counted in @bad_pages, state untouched:
 * pfn outside the zone's RAM, @order > MAX_PAGE_ORDER, pfn not aligned to @order, tail page,
 * reserved page, not in use (double free), compound order not @order, page still mapped, locked
 * or HugeTLB-flagged, another page of the block free, reserved, referenced or mapped.
 * Return: 0 (freed, or a reference dropped), -EINVAL when refused.
 */
int __free_pages(struct page *page, unsigned int order);

/** __free_page() - __free_pages(@page, 0). */
static inline int __free_page(struct page *page)
{
	return __free_pages(page, 0);
}

/**
 * alloc_pages_bulk_phys() - up to @nr single pages in one go (Linux alloc_pages_bulk()): one
 * lock, the smallest free blocks first, each block split into pages that are allocated and
 * freed on their own (__free_pages(page, 0), page_free_phys(pa, PAGE_SIZE)); not zeroed, never
 * the page at physical address 0.
 * @pas: gets the physical address of each page
 * Return: how many were allocated (fewer than @nr when memory ran short; the caller frees them).
 */
unsigned long alloc_pages_bulk_phys(unsigned long nr, phys_addr_t *pas);

/**
 * __get_free_pages() - alloc_pages() returning the linear-map address
 * @gfp: as alloc_pages()
 * @order: as alloc_pages()
 * Return: __va() of the block, or 0.
 */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);

/** get_zeroed_page() - one zero-filled page by address, or 0. @gfp: as alloc_pages() */
unsigned long get_zeroed_page(gfp_t gfp);

/**
 * free_pages() - __free_pages() by linear-map address
 * @addr: from __get_free_pages() (0 is ignored)
 * @order: the order it was allocated with
 * Return: as __free_pages().
 */
int free_pages(unsigned long addr, unsigned int order);

/** free_page() - free_pages(@addr, 0). */
static inline int free_page(unsigned long addr)
{
	return free_pages(addr, 0);
}

/**
 * alloc_contig_pages() - allocate @nr_pages contiguous pages of any size (gigantic pages)
 * @nr_pages: pages wanted (> 0)
 * @align_pages: alignment of the first pfn, a power of two (0 or 1: none)
 * @gfp: __GFP_ZERO, __GFP_NOWARN; __GFP_COMP when @nr_pages is a power of two of order
 *	 <= MAX_FOLIO_ORDER aligned to itself (a HugeTLB page)
 *
 * Scans the buddy state for an aligned range of free pages inside one RAM range, takes every
 * free block covering it off the lists and gives back the parts of those blocks outside it (as
 * Linux's alloc_contig_range() without migration: pages in use are never moved). Works whether
 * or not the buddy formed blocks of that order. The first page has refcount 1, the others 0.
 * Return: the first page, or NULL (bad arguments are warned).
 */
struct page *alloc_contig_pages(unsigned long nr_pages, unsigned long align_pages, gfp_t gfp);

/**
 * free_contig_range() - give back a range from alloc_contig_pages() (or a boot reservation
 * allocated like one, its pages counted in first with adjust_managed_page_count())
 * @pfn: its first pfn
 * @nr_pages: its size
 *
 * A compound page made with __GFP_COMP (or later by prep_compound_page()) is destroyed first.
 * Return: 0, -EINVAL when refused (range outside the zone, page reserved, free, tail of another
 * compound page, still mapped): nothing is changed then.
 */
int free_contig_range(unsigned long pfn, unsigned long nr_pages);

/** nr_free_pages() - pages now on the free lists. */
unsigned long nr_free_pages(void);

/** nr_free_blocks() - free blocks of order @order (0 when @order > MAX_PAGE_ORDER). */
unsigned long nr_free_blocks(unsigned int order);

/** totalram_pages() - pages managed by the allocator (free or allocated). */
unsigned long totalram_pages(void);

/** page_alloc_get_stats() - copy the event counters into @stats. */
void page_alloc_get_stats(struct page_alloc_stats *stats);

/** page_alloc_reset_stats() - zero the event counters. */
void page_alloc_reset_stats(void);

/**
 * struct page_alloc_snapshot - free-list state for a leak check
 * @nr_free: free blocks per order
 * @free_pages: free pages in all
 * @managed_pages: pages managed
 */
struct page_alloc_snapshot {
	unsigned long nr_free[NR_PAGE_ORDERS];
	unsigned long free_pages;
	unsigned long managed_pages;
};

/** page_alloc_snapshot() - record the current free-list state in @snap. */
void page_alloc_snapshot(struct page_alloc_snapshot *snap);

/**
 * page_alloc_compare() - leak check: is the state back to @snap?
 * @snap: from page_alloc_snapshot()
 *
 * The buddy state is canonical (free blocks are always merged as far as they can be), so when
 * every page allocated since @snap was freed, the counts per order are equal again.
 * Return: 0 when equal; -EBUSY otherwise, with a message giving the free pages missing (or
 * gained) and the orders that differ.
 */
int page_alloc_compare(const struct page_alloc_snapshot *snap);

/**
 * page_alloc_check_pages - check every page of a block on free (Linux check_pages_enabled)
 *
 * True by default: __free_pages() then refuses a block one of whose pages is free, reserved,
 * referenced or mapped (O(2^order)). Benchmarks may turn it off to measure the bare path.
 */
extern bool page_alloc_check_pages;

/** page_alloc_dump() - print the counters and the free blocks per order. */
void page_alloc_dump(void);

/*
 * After the hand-over, page-table pages and vmemmap backing come from here:
 * pgtable_set_page_ops(&page_alloc_table_ops) and
 * vmemmap_set_allocator(page_alloc_vmemmap_alloc, page_alloc_vmemmap_free, NULL).
 */
struct pgtable_page_ops;
extern const struct pgtable_page_ops page_alloc_table_ops;
phys_addr_t page_alloc_vmemmap_alloc(size_t size, size_t align, void *ctx);
/* the bulk hook: vmemmap_set_bulk_allocator(page_alloc_vmemmap_alloc_bulk) */
unsigned long page_alloc_vmemmap_alloc_bulk(unsigned long nr, phys_addr_t *pas, void *ctx);
void page_alloc_vmemmap_free(phys_addr_t pa, size_t size, void *ctx);

#endif
