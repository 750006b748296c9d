// SPDX-License-Identifier: BSD-2-Clause
// Helpers shared by the HVO host tests (hvo_test.c, hugetlb_bootmem_test.c) over sparse_env.h's
// RAM: running the buddy out of memory, and checking that a vmemmap page has a private backing.
#ifndef ZONEDEV_TESTS_HVO_ENV_H
#define ZONEDEV_TESTS_HVO_ENV_H

#include <string.h>

#include <mm/hugetlb.h>
#include <mm/page_alloc.h>

#include "sparse_env.h"

#define RAM_PFN PHYS_PFN(RAM_BASE)
#define RAM_PAGES (RAM_SIZE >> PAGE_SHIFT)

/* Every free page of the buddy, one by one (the most fragmenting way to run out). */
static struct page *hoard[RAM_PAGES];
static unsigned long nr_hoard;

static __unused void hoard_all(void)
{
	struct page *p;

	nr_hoard = 0;
	while (nr_hoard < RAM_PAGES && (p = alloc_page(__GFP_NOWARN)) != NULL)
		hoard[nr_hoard++] = p;
	CHECK(nr_free_pages() == 0); /* more free pages than RAM: the hoard cannot hold them */
}

static __unused void release_hoard(unsigned long keep)
{
	while (nr_hoard > keep)
		CHECK_EQ(__free_page(hoard[--nr_hoard]), 0);
}

/* pfns of RAM seen as vmemmap backing since backing_forget(): no page may back two. */
static bool backing_seen[RAM_PAGES];

static __unused void backing_forget(void)
{
	memset(backing_seen, 0, sizeof(backing_seen));
}

/*
 * The vmemmap page at @va is a writable 4 KiB leaf on a RAM page that backs nothing else seen
 * since backing_forget(); @fresh: that page was taken from the buddy (a restore): allocated
 * (refcount 1, not reserved, not free) and none of HVO's shared pages.
 */
static __unused bool private_backing(uintptr_t va, bool fresh)
{
	struct pgtable_walk_result r;
	const struct page *p;
	unsigned long pfn;

	if (pgtable_walk(&env_pt, va, &r) || r.level != PGTABLE_LEVEL_PTE ||
	    !(pgprot_val(r.prot) & PGPROT_WRITE))
		return false;
	pfn = PHYS_PFN(r.pa);
	if (pfn < RAM_PFN || pfn >= RAM_PFN + RAM_PAGES || backing_seen[pfn - RAM_PFN])
		return false;
	backing_seen[pfn - RAM_PFN] = true;
	p = pfn_to_page(pfn);
	if (!fresh)
		return true;
	return r.pa != hugetlb_vmemmap_shared_page(HUGETLB_ORDER_2M) &&
	       r.pa != hugetlb_vmemmap_shared_page(HUGETLB_ORDER_1G) &&
	       !PageFlag(p, PG_reserved) && !PageFlag(p, PG_buddy) && page_ref_count(p) == 1;
}

#endif
