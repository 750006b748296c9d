// SPDX-License-Identifier: BSD-2-Clause
// Moving the pages of a VMA range between RAM and device-private memory (Linux
// include/linux/migrate.h, mm/migrate_device.c): migrate_vma_setup() collects the pages and
// puts migration entries in their place, the caller allocates and fills the destination
// pages, migrate_vma_pages() commits to them, migrate_vma_finalize() maps the result.
#ifndef ZONEDEV_MM_MIGRATE_H
#define ZONEDEV_MM_MIGRATE_H

#include <platform/types.h>

#include <mm/mm_types.h>

struct page;

/* src[]/dst[] entries: a pfn shifted by MIGRATE_PFN_SHIFT and these flags (Linux's). */
#define MIGRATE_PFN_VALID (1UL << 0)
#define MIGRATE_PFN_MIGRATE (1UL << 1)
#define MIGRATE_PFN_WRITE (1UL << 3)
#define MIGRATE_PFN_SHIFT 6

static inline unsigned long migrate_pfn(unsigned long pfn)
{
	return (pfn << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID;
}

static inline unsigned long migrate_pfn_to_pfn(unsigned long mpfn)
{
	return mpfn >> MIGRATE_PFN_SHIFT;
}

/* migrate_vma.flags: what to collect */
enum {
	MIGRATE_VMA_SELECT_SYSTEM = 1 << 0,	    /* present pages that are not device memory */
	MIGRATE_VMA_SELECT_DEVICE_PRIVATE = 1 << 1, /* device-private pages of @pgmap_owner */
};

/**
 * struct migrate_vma - one migration of [@start, @end) of @vma
 * @vma: the VMA; the range must lie in it, page aligned
 * @src: one entry per page, filled by migrate_vma_setup(): 0 for a page not collected, else
 *	 migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE (| MIGRATE_PFN_WRITE when it was writable)
 * @dst: one entry per page, filled by the caller: migrate_pfn() of the destination page (a
 *	 device-private page: after zone_device_page_init()), or 0 to leave the page where it is
 * @start, @end: the range
 * @npages: pages in the range (set by migrate_vma_setup())
 * @cpages: pages collected (set by migrate_vma_setup())
 * @pgmap_owner: the owner whose device-private pages are collected
 * @flags: MIGRATE_VMA_SELECT_*
 */
struct migrate_vma {
	struct vm_area_struct *vma;
	unsigned long *src, *dst;
	unsigned long start, end;
	unsigned long npages, cpages;
	void *pgmap_owner;
	unsigned long flags;
};

/**
 * migrate_vma_setup() - collect the pages of the range that @args->flags select (4 KiB leaves
 * only) and replace each entry by a migration entry, so no CPU reaches the page until
 * migrate_vma_finalize(); device-private pages of another owner, huge leaves and holes are
 * left alone (src 0).
 * Return: 0; -EINVAL for a bad range, no flags, or no @src/@dst.
 */
int migrate_vma_setup(struct migrate_vma *args);

/** migrate_vma_pages() - commit: a collected page without a valid dst stays (MIGRATE cleared). */
void migrate_vma_pages(struct migrate_vma *args);

/**
 * migrate_vma_finalize() - map every collected page again: the destination where the
 * migration went ahead (a device-private entry for a device-private page, a present leaf
 * otherwise, writable when the source was), the source where it did not. A device-private
 * source that was replaced loses the reference its data held (put_page(): page_free() on the
 * last); map counts move with the mappings.
 */
void migrate_vma_finalize(struct migrate_vma *args);

#endif
