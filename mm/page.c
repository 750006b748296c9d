// SPDX-License-Identifier: BSD-2-Clause
// struct page helpers: single-page init and compound pages whose tails are all byte-identical
// (Linux mm/mm_init.c __init_single_page(), mm/page_alloc.c prep_compound_page()).
#include <mm/page.h>

struct page *vmemmap;

/*
 * The hot loop of every struct page initialization: eight stores per page from values held in
 * registers (arm64 pairs them into four stp). No memset call (with -ffreestanding and
 * -mstrict-align even __builtin_memset stays a call), no read-modify-write, no atomics.
 */
void init_pages_raw(struct page *p, unsigned long nr, unsigned long flags, unsigned long word1,
		    unsigned long counts)
{
	for (struct page *end = p + nr; p != end; p++)
		page_init_raw(p, flags, word1, counts);
}

void init_single_page(struct page *p, enum zone_type zone)
{
	page_init_raw(p, (unsigned long)zone << PAGE_ZONE_SHIFT, 0, page_counts(-1, 1));
}

void init_pages(struct page *p, unsigned long nr, enum zone_type zone)
{
	init_pages_raw(p, nr, (unsigned long)zone << PAGE_ZONE_SHIFT, 0, page_counts(-1, 1));
}

void prep_compound_head(struct page *head, unsigned int order)
{
	head->flags = (head->flags & ~PAGE_ORDER_MASK) | ((unsigned long)order << PAGE_ORDER_SHIFT) |
		      (1UL << PG_head);
}

void prep_compound_tails(struct page *head, unsigned int order, unsigned long from,
			 unsigned long to)
{
	/* Tails: the canonical tail of this order (page.h), _mapcount -1, _refcount 0. */
	init_pages_raw(head + from, to - from, head->flags & PAGE_ZONE_MASK,
		       compound_info_for_order(order), page_counts(-1, 0));
}

void prep_compound_page(struct page *head, unsigned int order)
{
	prep_compound_head(head, order);
	prep_compound_tails(head, order, 1, 1UL << order);
}

void destroy_compound_page(struct page *head)
{
	unsigned long zone_bits = head->flags & PAGE_ZONE_MASK;

	init_pages_raw(head + 1, (1UL << compound_order(head)) - 1, zone_bits, 0,
		       page_counts(-1, 0));
	head->flags &= ~(PAGE_ORDER_MASK | (1UL << PG_head));
}
