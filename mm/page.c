// SPDX-License-Identifier: BSD-2-Clause
// struct page helpers: single-page init and compound pages whose tails are all byte-identical
// (Linux mm/mm_init.c __init_single_page(), mm/page_alloc.c prep_compound_page()).
#include <string.h>

#include <mm/page.h>

struct page *vmemmap;

void init_single_page(struct page *p, enum zone_type zone)
{
	memset(p, 0, sizeof(*p));
	set_page_zone(p, zone);
	atomic_store_explicit(&p->_mapcount, -1, memory_order_relaxed);
	set_page_count(p, 1);
}

/* The state every tail of an order-@order compound page of zone bits @zone_bits is in. */
static void prep_tail(struct page *p, unsigned long zone_bits, unsigned long info)
{
	memset(p, 0, sizeof(*p));
	p->flags = zone_bits;
	p->compound_info = info;
	atomic_store_explicit(&p->_mapcount, -1, memory_order_relaxed);
}

void prep_compound_page(struct page *head, unsigned int order)
{
	unsigned long zone_bits = head->flags & PAGE_ZONE_MASK;
	unsigned long info = compound_info_for_order(order);
	unsigned long nr = 1UL << order;

	head->flags = (head->flags & ~PAGE_ORDER_MASK) | ((unsigned long)order << PAGE_ORDER_SHIFT);
	SetPageFlag(head, PG_head);
	for (unsigned long i = 1; i < nr; i++)
		prep_tail(head + i, zone_bits, info);
}

void destroy_compound_page(struct page *head)
{
	unsigned long zone_bits = head->flags & PAGE_ZONE_MASK;
	unsigned long nr = 1UL << compound_order(head);

	for (unsigned long i = 1; i < nr; i++)
		prep_tail(head + i, zone_bits, 0);
	head->flags &= ~PAGE_ORDER_MASK;
	ClearPageFlag(head, PG_head);
}
