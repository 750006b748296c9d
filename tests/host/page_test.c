// SPDX-License-Identifier: BSD-2-Clause
// struct page layout and mm/page.c: pristine pages, compound heads found from every tail by the
// order mask, byte-identical tails (what HVO relies on), folio helpers; over a host-array vmemmap.
#include <stddef.h>
#include <stdlib.h>

#include <mm/page.h>

#include "tap.h"

/* A vmemmap aligned like the real one (64 << MAX_FOLIO_ORDER) holding 2 orders-18 of pages. */
#define NR_FAKE_PAGES (2UL << MAX_FOLIO_ORDER)
#define FAKE_BASE_PFN 0x80000UL

static struct page *pages;

static void setup(void)
{
	if (!pages) {
		pages = aligned_alloc(sizeof(struct page) << MAX_FOLIO_ORDER,
				      NR_FAKE_PAGES * sizeof(struct page));
		if (!pages)
			abort();
	}
	vmemmap = pages - FAKE_BASE_PFN;
	for (unsigned long i = 0; i < NR_FAKE_PAGES; i++)
		init_single_page(&pages[i], ZONE_DEVICE);
}

static void struct_page_is_64_bytes_with_fixed_offsets(void)
{
	CHECK_EQ(sizeof(struct page), 64);
	CHECK_EQ(offsetof(struct page, flags), 0);
	CHECK_EQ(offsetof(struct page, lru), 8);
	CHECK_EQ(offsetof(struct page, compound_info), 8);
	CHECK_EQ(offsetof(struct page, mapping), 24);
	CHECK_EQ(offsetof(struct page, index), 32);
	CHECK_EQ(offsetof(struct page, private), 40);
	/* a device page's pgmap shares the tail-link word (a pointer: bit 0 clear, never a tail)
	 * and leaves mapping and index to rmap */
	CHECK_EQ(offsetof(struct page, pgmap), 8);
	CHECK_EQ(offsetof(struct page, zone_device_data), 16);
	CHECK_EQ(offsetof(struct page, _mapcount), 48);
	CHECK_EQ(offsetof(struct page, _refcount), 52);
	CHECK_EQ(offsetof(struct page, _pad), 56);
	CHECK_EQ(sizeof(struct folio), sizeof(struct page));
}

static void init_single_page_is_pristine(void)
{
	struct page p;

	memset(&p, 0x5a, sizeof(p));
	init_single_page(&p, ZONE_DEVICE);
	CHECK_EQ(page_zonenum(&p), ZONE_DEVICE);
	CHECK_EQ(p.flags, (unsigned long)ZONE_DEVICE << PAGE_ZONE_SHIFT);
	CHECK_EQ(page_ref_count(&p), 1);
	CHECK_EQ(page_mapcount(&p), 0);
	CHECK(!PageCompound(&p));
	CHECK(p.mapping == NULL && p.index == 0 && p.private == 0 && p._pad == 0);
	CHECK(compound_head(&p) == &p);
	init_single_page(&p, ZONE_NORMAL);
	CHECK_EQ(p.flags, 0);
}

static void pfn_page_round_trip_on_the_vmemmap(void)
{
	setup();
	for (unsigned long i = 0; i < NR_FAKE_PAGES; i += 4099) {
		unsigned long pfn = FAKE_BASE_PFN + i;

		CHECK(pfn_to_page(pfn) == &pages[i]);
		CHECK_EQ(page_to_pfn(&pages[i]), pfn);
		CHECK_EQ(page_to_phys(&pages[i]), PFN_PHYS(pfn));
		CHECK(phys_to_page(PFN_PHYS(pfn) + 123) == &pages[i]);
	}
}

/* Every tail of a compound page of @order at @head_idx finds the head, tails identical. */
static void check_compound(unsigned long head_idx, unsigned int order)
{
	struct page *head = &pages[head_idx];
	unsigned long nr = 1UL << order, bad_head = 0, bad_bytes = 0;
	struct page ref;

	head->mapping = (void *)0x1234;
	head->index = 77;
	set_page_count(head, 3);
	prep_compound_page(head, order);
	CHECK(PageHead(head) && !PageTail(head));
	CHECK_EQ(compound_order(head), order);
	CHECK_EQ(folio_nr_pages(page_folio(head)), nr);
	CHECK_EQ(folio_pfn(page_folio(head)), FAKE_BASE_PFN + head_idx);
	CHECK_EQ(page_zonenum(head), ZONE_DEVICE);
	CHECK_EQ(page_ref_count(head), 3); /* the head keeps its other fields */
	CHECK(head->mapping == (void *)0x1234);
	ref = head[1];
	CHECK(PageTail(&ref) && !PageHead(&ref));
	CHECK_EQ(ref.flags, (unsigned long)ZONE_DEVICE << PAGE_ZONE_SHIFT);
	CHECK_EQ(ref.compound_info, compound_info_for_order(order));
	CHECK_EQ(atomic_load(&ref._mapcount), -1);
	CHECK_EQ(page_ref_count(&ref), 0);
	CHECK(ref._tail_pad[0] == 0 && ref._tail_pad[1] == 0 && ref._tail_pad[2] == 0 &&
	      ref._tail_pad[3] == 0 && ref._pad == 0);
	for (unsigned long i = 1; i < nr; i++) {
		bad_head += compound_head(&head[i]) != head;
		bad_head += page_folio(&head[i]) != page_folio(head);
		bad_bytes += memcmp(&head[i], &ref, sizeof(ref)) != 0;
	}
	CHECK_EQ(bad_head, 0);
	CHECK_EQ(bad_bytes, 0);
	CHECK(compound_head(head) == head);
	/* The page after the compound page is not part of it. */
	if (head_idx + nr < NR_FAKE_PAGES)
		CHECK(compound_head(&head[nr]) == &head[nr]);
}

static void compound_head_from_every_tail_orders_1_to_9(void)
{
	setup();
	for (unsigned int order = 1; order <= 9; order++) {
		/* several compound pages of this order, at different aligned places */
		for (unsigned long k = 0; k < 3; k++)
			check_compound((k * 7 + 1) << order, order);
	}
}

static void compound_head_from_every_tail_order_18(void)
{
	setup();
	check_compound(0, MAX_FOLIO_ORDER);
	check_compound(1UL << MAX_FOLIO_ORDER, MAX_FOLIO_ORDER);
}

static void tails_of_one_order_are_identical_across_pages(void)
{
	setup();
	/* Two compound pages of order 9 far apart: every tail of both has the same 64 bytes. */
	prep_compound_page(&pages[512], 9);
	prep_compound_page(&pages[512 * 300], 9);
	CHECK_EQ(memcmp(&pages[513], &pages[512 * 300 + 1], sizeof(struct page)), 0);
	CHECK_EQ(memcmp(&pages[1023], &pages[512 * 301 - 1], sizeof(struct page)), 0);
	/* a different order gives a different mask */
	CHECK(compound_info_for_order(9) != compound_info_for_order(8));
	for (unsigned int o = 1; o <= MAX_FOLIO_ORDER; o++)
		CHECK_EQ(compound_info_for_order(o) & 1, 1);
}

static void destroy_compound_page_gives_plain_pages(void)
{
	setup();
	prep_compound_page(&pages[64], 6);
	destroy_compound_page(&pages[64]);
	CHECK(!PageHead(&pages[64]) && !PageCompound(&pages[64]));
	CHECK_EQ(compound_order(&pages[64]), 0);
	CHECK_EQ(folio_nr_pages(page_folio(&pages[64])), 1);
	for (unsigned long i = 65; i < 128; i++) {
		CHECK(!PageTail(&pages[i]));
		CHECK(compound_head(&pages[i]) == &pages[i]);
		CHECK_EQ(page_zonenum(&pages[i]), ZONE_DEVICE);
	}
	/* the same place can become a compound page of another order */
	prep_compound_page(&pages[64], 5);
	CHECK(compound_head(&pages[95]) == &pages[64]);
	CHECK(compound_head(&pages[96]) == &pages[96]);
}

static void compound_mask_arithmetic_for_every_order(void)
{
	/* No memory needed: the head follows from any tail address by the mask alone. */
	uintptr_t base = (uintptr_t)0xffffffc000000000ULL;

	for (unsigned int o = 1; o <= MAX_FOLIO_ORDER; o++) {
		uintptr_t head = base + ((uintptr_t)5 << o) * sizeof(struct page);
		unsigned long info = compound_info_for_order(o);

		for (unsigned long i = 1; i < (1UL << o); i += (1UL << o) / 7 + 1) {
			uintptr_t tail = head + i * sizeof(struct page);

			CHECK_EQ(tail & (info & ~1UL), head);
		}
		CHECK_EQ((head + ((1UL << o) - 1) * sizeof(struct page)) & (info & ~1UL), head);
	}
}

static const struct tap_case cases[] = {
	TAP_CASE(struct_page_is_64_bytes_with_fixed_offsets),
	TAP_CASE(init_single_page_is_pristine),
	TAP_CASE(pfn_page_round_trip_on_the_vmemmap),
	TAP_CASE(compound_head_from_every_tail_orders_1_to_9),
	TAP_CASE(compound_head_from_every_tail_order_18),
	TAP_CASE(tails_of_one_order_are_identical_across_pages),
	TAP_CASE(destroy_compound_page_gives_plain_pages),
	TAP_CASE(compound_mask_arithmetic_for_every_order),
};

TAP_MAIN("mm_page", cases)
