// SPDX-License-Identifier: BSD-2-Clause
// HugeTLB pools of 2 MiB and 1 GiB folios and HugeTLB Vmemmap Optimization (HVO), after Linux
// mm/hugetlb.c and mm/hugetlb_vmemmap.c (seed 004_f140d65910cca1fa).
//
// HVO here relies on the tail encoding of <mm/page.h>: every tail struct page of an order-N
// folio is the same 64 bytes, so the vmemmap pages that hold only tails of a HugeTLB folio can
// all be backed by ONE read-only page per order, shared by every optimized folio. A folio keeps
// its first vmemmap page (head and the first 63 tails): a 2 MiB folio goes from 8 vmemmap pages
// to 1, a 1 GiB folio from 4096 to 1 (Linux's fake-head trick is not needed).
#ifndef ZONEDEV_MM_HUGETLB_H
#define ZONEDEV_MM_HUGETLB_H

#include <platform/list.h>
#include <platform/types.h>

#include <mm/mm_lock.h>
#include <mm/page.h>

#define HUGETLB_ORDER_2M 9
#define HUGETLB_ORDER_1G 18

/**
 * struct hstate - one pool of HugeTLB folios of one size
 * @order: 9 (2 MiB) or 18 (1 GiB)
 * @name: "2M", "1G"
 * @nr: folios in the pool
 * @free: folios in the pool not handed out
 * @optimized: folios whose vmemmap is optimized
 * @list: the free folios (head page lru)
 * @lock: protects the counters and @list
 */
struct hstate {
	unsigned int order;
	const char *name;
	unsigned long nr, free, optimized;
	struct list_head list;
	struct mm_lock lock;
};

extern struct hstate hstates[2];

/**
 * hugetlb_init() - empty pools; @optimize: pool growth optimizes each new folio's vmemmap.
 * The boot-time gigantic folios still held (hugetlb_bootmem_count()) are put in the 1 GiB pool
 * again.
 */
void hugetlb_init(bool optimize);

/**
 * hugetlb_bootmem_reserve() - before mm_core_init(): take @nr 1 GiB-aligned GiBs from memblock
 * (hugepages_1g=, Linux's hugepagesz=1G hugepages=N) as gigantic folios whose vmemmap is
 * optimized as it is populated (sparse_boot_compound_add()): a head vmemmap page each, every
 * tail-only one mapping HVO's shared page; no tail struct page is written one by one and the
 * full 16 MiB of vmemmap per folio never exists (@optimize false, hvo=off: plain struct pages,
 * made a compound page when they enter the pool). Return: how many were reserved.
 */
unsigned long hugetlb_bootmem_reserve(unsigned long nr, bool optimize);

/**
 * hugetlb_bootmem_count() - boot-time gigantic folios still held: reserved at boot and not yet
 * given to the buddy allocator by a shrink of the 1 GiB pool (hugetlb_pool_shrink()).
 */
unsigned long hugetlb_bootmem_count(void);

/** hugetlb_vmemmap_adopt() - count @folio, born optimized, as HVO's (a user of its page). */
void hugetlb_vmemmap_adopt(struct folio *folio);

/**
 * hugetlb_pool_grow() - add up to @count folios to @h: 2 MiB from the buddy allocator, 1 GiB from
 * the contiguous-range allocator; each becomes a compound page with PG_hugetlb and, when the
 * pools optimize, gets HVO (a folio HVO refuses stays in the pool unoptimized, reported).
 * Return: folios added (fewer than @count when memory ran out).
 */
unsigned long hugetlb_pool_grow(struct hstate *h, unsigned long count);

/**
 * hugetlb_pool_shrink() - give up to @count free folios back (vmemmap restored first): to the
 * allocator they came from, boot-time gigantic ones to the buddy allocator (their 2^18 pages
 * counted as managed from then on, one block of MAX_PAGE_ORDER; with hvo=off just dissolved
 * and freed). A folio whose restore finds no memory stays optimized, whole, in the pool (said
 * in the log), as does one the allocator refuses.
 * Return: folios freed; fewer when some could not be restored (no memory for their vmemmap).
 */
unsigned long hugetlb_pool_shrink(struct hstate *h, unsigned long count);

/** hugetlb_folio_alloc() - take a free folio of @h, or NULL. */
struct folio *hugetlb_folio_alloc(struct hstate *h);

/** hugetlb_folio_free() - put a folio taken with hugetlb_folio_alloc() back. */
void hugetlb_folio_free(struct hstate *h, struct folio *folio);

/**
 * hugetlb_vmemmap_optimize_folio() - back the tail-only vmemmap pages of @folio by the shared
 * read-only tail page of its order and free their own backing
 *
 * Checks that every tail is canonical (byte-identical to the shared page), then remaps the
 * tail pages read-only in one batch: the vmemmap PMD leaves that cover them are split in the
 * same update, and the whole costs one TLB flush (arm64: break all, flush, make all, with every
 * other CPU parked by stop_machine() meanwhile, so none can read a broken entry; riscv64: new
 * entries over the old, then the flush). The old backing is freed after the flush. A folio
 * whose struct pages live inside device memory or inside the folio itself (self-hosted
 * vmemmap, an altmap) is refused: their backing cannot be freed to RAM.
 * Return: 0; -EINVAL (not a compound page of order >= 9, or not in ZONE_NORMAL: the shared
 * tails carry that zone and only RAM vmemmap is given back), -EALREADY (already optimized),
 * -EOPNOTSUPP (self-hosted vmemmap), -EBUSY (a tail not canonical: something wrote it),
 * -ENOMEM (no table page or shared page), -ETIMEDOUT (another CPU never answered the
 * rendezvous). On error nothing changed.
 */
int hugetlb_vmemmap_optimize_folio(struct folio *folio);

/**
 * hugetlb_vmemmap_restore_folio() - give @folio its own writable vmemmap pages again (new
 * pages from the buddy allocator, filled with its tails), undoing the optimization; one flush
 * (with the other CPUs parked on arm64), as for the optimization.
 * Return: 0, -EINVAL (not optimized), -ENOMEM: all or nothing: every page is allocated before
 * any entry changes, so short of one the folio stays optimized and whole, nothing is held, and
 * a later call starts afresh; -ETIMEDOUT as for the optimization.
 */
int hugetlb_vmemmap_restore_folio(struct folio *folio);

/**
 * hugetlb_vmemmap_optimize_folios() - optimize the folios on @folios (linked by page.lru) in
 * batches of up to 512 folios (4096 tail vmemmap pages): one rendezvous and one TLB flush per
 * batch. @fresh: every folio was just made and not handed out yet: the tails in its head's
 * vmemmap page were just written canonical and the others are not read (the remap replaces
 * them; hugetlb_pool_grow() leaves them unwritten), so nothing is compared byte by byte.
 * A folio refused stays on the list unoptimized (reported, as hugetlb_vmemmap_optimize_folio()
 * would refuse it). Return: folios optimized.
 */
unsigned long hugetlb_vmemmap_optimize_folios(struct list_head *folios, bool fresh);

/**
 * hugetlb_vmemmap_restore_folios() - restore the optimized folios on @folios in batches, one
 * flush per batch; a batch short of memory restores none of its folios (they stay optimized).
 * Return: folios restored.
 */
unsigned long hugetlb_vmemmap_restore_folios(struct list_head *folios);

/**
 * hvo_range_busy() - whether a struct page of pfns [@pfn, @pfn + @nr) is a tail mapped onto a
 * shared tail page (an optimized folio): its vmemmap must not be torn down (its backing is not
 * its own). For hot-remove.
 */
bool hvo_range_busy(unsigned long pfn, unsigned long nr);

/** hugetlb_vmemmap_optimized() - @folio's tails are backed by the shared page. */
static inline bool hugetlb_vmemmap_optimized(const struct folio *folio)
{
	return PageFlag(&folio->page, PG_vmemmap_optimized);
}

/**
 * hugetlb_vmemmap_shared_page() - physical address of the shared tail page of @order, or 0 when
 * none exists yet (for checks and fault reports)
 */
phys_addr_t hugetlb_vmemmap_shared_page(unsigned int order);

/**
 * hugetlb_vmemmap_shared_users() - optimized folios of @order mapping its shared tail page: it
 * is never freed while there is one (kept afterwards, for the next optimization)
 */
unsigned long hugetlb_vmemmap_shared_users(unsigned int order);

/**
 * struct hvo_stats - what HVO did
 * @optimized: folios optimized so far (minus restored)
 * @pages_freed: vmemmap pages given back by optimizations
 * @pages_allocated: vmemmap pages allocated by restores
 * @shared_pages: shared tail pages in use (one per order)
 * @pmd_splits: vmemmap PMD leaves split
 * @flushes: TLB flush requests of HVO's remaps (a new shared page's alias protection aside)
 * @batches: optimize and restore batches run (a single-folio call is a batch of one)
 * @refused_self_hosted: folios refused for a self-hosted vmemmap
 * @alias_writable: shared pages whose linear-map alias stays writable (an arm64 block leaf)
 */
struct hvo_stats {
	unsigned long optimized;
	unsigned long pages_freed;
	unsigned long pages_allocated;
	unsigned long shared_pages;
	unsigned long pmd_splits;
	unsigned long flushes;
	unsigned long batches;
	unsigned long refused_self_hosted;
	unsigned long alias_writable;
};

/** hugetlb_vmemmap_get_stats() - fill @st. */
void hugetlb_vmemmap_get_stats(struct hvo_stats *st);

/**
 * hugetlb_vmemmap_describe() - if @va is a read-only (HVO-shared) struct page, write a line
 * naming it into @buf for a fault report. Return: true when it is one.
 */
bool hugetlb_vmemmap_describe(uintptr_t va, char *buf, size_t len);

#endif
