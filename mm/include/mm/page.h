// SPDX-License-Identifier: BSD-2-Clause
// struct page: 64 bytes per 4 KiB page frame, reached by plain arithmetic on the vmemmap
// (Linux include/linux/mm_types.h, page-flags.h, SPARSEMEM_VMEMMAP's pfn_to_page()).
//
// Compound pages: a tail page does not point at its head. It holds a mask derived from the
// compound order (bit 0 set marks it a tail); the head is (struct page *)(tail & mask), which
// works because a compound page of order N has a head pfn aligned to 2^N and vmemmap is aligned
// to 64 << MAX_FOLIO_ORDER. Every tail of every compound page of one order is therefore
// byte-identical, so HVO and compound device mappings can back all tails with one shared
// read-only page. The order lives in the head's flags, never in a tail.
// Differs from Linux: no memcg, no page_type union, no per-page NUMA node.
#ifndef ZONEDEV_MM_PAGE_H
#define ZONEDEV_MM_PAGE_H

#include <stdatomic.h>

#include <platform/list.h>
#include <platform/memory.h>
#include <platform/types.h>

struct dev_pagemap;

/**
 * struct page - one page frame
 * @flags: PG_* bits (low), order of a compound head (PAGE_ORDER_*), zone (PAGE_ZONE_*)
 * @lru: buddy free-list link (free pages), or list of a user
 * @mapping: address space / anon_vma the page is mapped through (rmap issue)
 * @index: page offset within @mapping
 * @private: buddy order while free (PG_buddy), else owner data
 * @compound_info: tails only: mask to the head with bit 0 set (overlays @lru.next, whose bit 0
 *		   is never set in a valid pointer)
 * @pgmap: ZONE_DEVICE pages: the dev_pagemap that owns them
 * @zone_device_data: ZONE_DEVICE pages: owner data
 * @_mapcount: page-table mappings - 1 (so -1 = unmapped, as Linux)
 * @_refcount: references; 0 = free
 * @_counts: both counts as one word, for initialization only (page_counts())
 * @_pad: keeps the size at 64 bytes; zero
 */
struct page {
	unsigned long flags;
	union {
		struct {
			struct list_head lru;
			void *mapping;
			unsigned long index;
			unsigned long private;
		};
		struct {
			unsigned long compound_info;
			unsigned long _tail_pad[4];
		};
		/*
		 * Over @lru, so a device page keeps @mapping and @index for rmap (fs-dax).
		 * @pgmap shares the word of @compound_info: a pointer has bit 0 clear, so a
		 * device head page never looks like a tail.
		 */
		struct {
			struct dev_pagemap *pgmap;
			void *zone_device_data;
			unsigned long _dev_pad[3];
		};
	};
	/*
	 * @_counts lets initialization write both counts with one plain store: a page being
	 * initialized is not yet visible to anyone, and an atomic store costs an AMO on riscv64.
	 */
	union {
		struct {
			atomic_int _mapcount;
			atomic_int _refcount;
		};
		unsigned long _counts;
	};
	unsigned long _pad;
};

_Static_assert(sizeof(struct page) == 64, "struct page must be exactly 64 bytes");

/* Flag bits (the low byte), Linux's names. */
enum pageflags {
	PG_locked = 0,
	PG_reserved = 1, /* never handed to the page allocator (firmware, image, holes) */
	PG_head = 2,	 /* first page of a compound page */
	PG_buddy = 3,	 /* free, on a buddy list; @private holds the order */
	PG_hugetlb = 4,	 /* head of a HugeTLB folio */
	PG_vmemmap_optimized = 5, /* HugeTLB folio whose tail vmemmap is shared (HVO) */
	PG_dirty = 6,
	PG_uptodate = 7,
};

#define PAGE_ORDER_SHIFT 8
#define PAGE_ORDER_MASK (0x3fUL << PAGE_ORDER_SHIFT)
#define PAGE_ZONE_SHIFT 14
#define PAGE_ZONE_MASK (0x3UL << PAGE_ZONE_SHIFT)

enum zone_type { ZONE_NORMAL = 0, ZONE_DEVICE = 1 };

/* Largest compound order whose tails resolve by mask: 1 GiB of 4 KiB pages. */
#define MAX_FOLIO_ORDER 18

/* vmemmap: struct page of pfn N lives at vmemmap + N. Set once by the sparse model. */
extern struct page *vmemmap;

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return vmemmap + pfn;
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - vmemmap);
}

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return PFN_PHYS(page_to_pfn(page));
}

static inline struct page *phys_to_page(phys_addr_t pa)
{
	return pfn_to_page(PHYS_PFN(pa));
}

static inline bool PageFlag(const struct page *p, enum pageflags f)
{
	return (p->flags >> f) & 1;
}

static inline void SetPageFlag(struct page *p, enum pageflags f)
{
	p->flags |= 1UL << f;
}

static inline void ClearPageFlag(struct page *p, enum pageflags f)
{
	p->flags &= ~(1UL << f);
}

static inline enum zone_type page_zonenum(const struct page *p)
{
	return (enum zone_type)((p->flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT);
}

static inline void set_page_zone(struct page *p, enum zone_type z)
{
	p->flags = (p->flags & ~PAGE_ZONE_MASK) | ((unsigned long)z << PAGE_ZONE_SHIFT);
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "page_counts() assumes _mapcount is the low half of _counts"
#endif

/** page_counts() - the @_counts word of a page with @mapcount and @refcount. */
static inline unsigned long page_counts(int mapcount, int refcount)
{
	return (unsigned long)(unsigned int)mapcount | (unsigned long)(unsigned int)refcount << 32;
}

/**
 * page_init_raw() - write all 64 bytes of the unpublished page @p: @flags, @word1 in the word
 * shared by lru.next / compound_info / pgmap, @counts (page_counts()) and zeros elsewhere.
 * Eight full-width plain stores, no read of @p: the unit every init path is built from.
 */
static inline void page_init_raw(struct page *p, unsigned long flags, unsigned long word1,
				 unsigned long counts)
{
	p->flags = flags;
	p->compound_info = word1;
	p->_tail_pad[0] = 0;
	p->_tail_pad[1] = 0;
	p->_tail_pad[2] = 0;
	p->_tail_pad[3] = 0;
	p->_counts = counts;
	p->_pad = 0;
}

/**
 * init_pages_raw() - page_init_raw(@flags, @word1, @counts) on the @nr pages from @p. Every
 * value is decided by the caller once, outside the loop.
 */
void init_pages_raw(struct page *p, unsigned long nr, unsigned long flags, unsigned long word1,
		    unsigned long counts);

/** compound_info_for_order() - the value every tail of an order-@order compound page holds. */
static inline unsigned long compound_info_for_order(unsigned int order)
{
	return ~((sizeof(struct page) << order) - 1) | 1UL;
}

static inline bool PageTail(const struct page *p)
{
	return p->compound_info & 1;
}

static inline bool PageHead(const struct page *p)
{
	return PageFlag(p, PG_head);
}

static inline bool PageCompound(const struct page *p)
{
	return PageHead(p) || PageTail(p);
}

/** compound_head() - the head of @p's compound page, or @p itself. */
static inline struct page *compound_head(const struct page *p)
{
	unsigned long info = p->compound_info;

	if (info & 1)
		return (struct page *)((uintptr_t)p & (info & ~1UL));
	return (struct page *)p;
}

/** compound_order() - order of the compound page whose head is @head (0 for a plain page). */
static inline unsigned int compound_order(const struct page *head)
{
	return PageHead(head) ? (unsigned int)((head->flags & PAGE_ORDER_MASK) >> PAGE_ORDER_SHIFT) : 0;
}

/**
 * prep_compound_page() - make @head the head of an order-@order compound page
 * @head: struct page of a pfn aligned to 2^@order; its fields other than flags are kept
 * @order: 1 .. MAX_FOLIO_ORDER
 *
 * The head gets PG_head and @order in its flags. Every tail is rewritten whole to the same 64
 * bytes: flags = the head's zone bits only, compound_info = compound_info_for_order(@order),
 * lru/mapping/index/private and _pad zero, _mapcount -1, _refcount 0.
 */
void prep_compound_page(struct page *head, unsigned int order);

/** prep_compound_head() - prep_compound_page()'s work on the head alone (no tail written). */
void prep_compound_head(struct page *head, unsigned int order);

/**
 * prep_compound_tails() - write tails [@from, @to) of the order-@order compound page headed by
 * @head as prep_compound_page() does (1 <= @from <= @to <= 2^@order). Used for a folio whose
 * other tails are about to be mapped onto HVO's shared page: they are never written.
 */
void prep_compound_tails(struct page *head, unsigned int order, unsigned long from,
			 unsigned long to);

/**
 * destroy_compound_page() - turn the compound page headed by @head back into 2^order plain
 * pages: PG_head and the order are cleared in the head; former tails keep only the zone bits,
 * _mapcount -1 and _refcount 0.
 */
void destroy_compound_page(struct page *head);

/*
 * Folios: a folio is the head page seen as the whole compound page (Linux include/linux/mm.h).
 */
struct folio {
	struct page page;
};

static inline struct folio *page_folio(const struct page *p)
{
	return (struct folio *)compound_head(p);
}

static inline struct page *folio_page(struct folio *f, unsigned long n)
{
	return &f->page + n;
}

static inline unsigned int folio_order(const struct folio *f)
{
	return compound_order(&f->page);
}

static inline unsigned long folio_nr_pages(const struct folio *f)
{
	return 1UL << folio_order(f);
}

static inline unsigned long folio_pfn(const struct folio *f)
{
	return page_to_pfn(&f->page);
}

static inline int page_ref_count(const struct page *p)
{
	return atomic_load_explicit(&p->_refcount, memory_order_relaxed);
}

static inline void set_page_count(struct page *p, int v)
{
	atomic_store_explicit(&p->_refcount, v, memory_order_relaxed);
}

static inline void page_ref_inc(struct page *p)
{
	atomic_fetch_add_explicit(&p->_refcount, 1, memory_order_relaxed);
}

/** page_ref_dec_and_test() - drop a reference; true when it was the last. */
static inline bool page_ref_dec_and_test(struct page *p)
{
	return atomic_fetch_sub_explicit(&p->_refcount, 1, memory_order_acq_rel) == 1;
}

static inline int page_mapcount(const struct page *p)
{
	return atomic_load_explicit(&p->_mapcount, memory_order_relaxed) + 1;
}

/**
 * init_single_page() - a pristine page of @zone: all 64 bytes rewritten, refcount 1, unmapped
 * (_mapcount -1), no flags but the zone (Linux __init_single_page()).
 */
void init_single_page(struct page *p, enum zone_type zone);

/** init_pages() - init_single_page(@zone) on the @nr pages from @p, in one pass. */
void init_pages(struct page *p, unsigned long nr, enum zone_type zone);

#endif
