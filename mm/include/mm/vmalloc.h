// SPDX-License-Identifier: BSD-2-Clause
// Virtual address range allocator for the ioremap/memremap region (after Linux mm/vmalloc.c:
// get_vm_area(), find_vm_area(), a guard page after every area). Addresses only: mapping the
// range is the caller's business. Differs from Linux: first-fit over a sorted free list in fixed
// arrays (no rb-tree, no lazy purge), one region, ERR_PTR returns, one lock for the whole allocator.
#ifndef ZONEDEV_MM_VMALLOC_H
#define ZONEDEV_MM_VMALLOC_H

#include <platform/types.h>

#define VMAP_MAX_AREAS 256

/* vm_struct.flags, Linux's values for the ones we use. */
#define VM_IOREMAP 0x00000001
#define VM_MAP 0x00000004
#define VM_NO_GUARD 0x00000040 /* no guard page after this area */
/* Project-own: the area was made by memremap(), so memunmap() may take it down. */
#define VM_MEMREMAP 0x00010000

/**
 * struct vm_struct - one allocated range of the region
 * @addr: first byte, aligned as requested
 * @size: usable bytes (a multiple of PAGE_SIZE). Differs from Linux, whose size includes the
 *	  guard page: here the guard page [@addr + @size, @addr + @size + PAGE_SIZE) is extra and
 *	  never given to anyone, unless VM_NO_GUARD
 * @flags: VM_*
 * @phys_addr: physical address the owner mapped there (set by the owner, e.g. memremap())
 * @caller: free-form tag of the owner, for dumps (may be NULL)
 */
struct vm_struct {
	uintptr_t addr;
	size_t size;
	unsigned long flags;
	phys_addr_t phys_addr;
	const char *caller;
};

/**
 * struct vmalloc_stats - state of the allocator (leak checks, metrics)
 * @nr_areas: areas allocated
 * @used_bytes: their usable bytes (guards not counted)
 * @free_bytes: bytes in the free list
 * @largest_free: largest free range
 * @nr_free_ranges: entries in the free list (1 when everything is free)
 */
struct vmalloc_stats {
	unsigned int nr_areas;
	size_t used_bytes;
	size_t free_bytes;
	size_t largest_free;
	unsigned int nr_free_ranges;
};

/**
 * vmalloc_init() - manage [@start, @end) from now on, all free. Forgets every earlier area, so
 * call it once at boot (or in tests).
 * Return: 0, or -EINVAL unless @start < @end and both are page aligned.
 */
int vmalloc_init(uintptr_t start, uintptr_t end);

/**
 * get_vm_area() - allocate a range of @size bytes (rounded up to pages) at an address that is a
 * multiple of @align, followed by a guard page unless @flags has VM_NO_GUARD. First fit: the
 * lowest suitable address.
 * @align: a power of two; 0 or anything below PAGE_SIZE means PAGE_SIZE
 * Return: the area; ERR_PTR(-EINVAL) for size 0, a bad @align, or before vmalloc_init();
 * ERR_PTR(-ENOMEM) when no free range fits or all VMAP_MAX_AREAS descriptors are used.
 */
struct vm_struct *get_vm_area(size_t size, size_t align, unsigned long flags);

/**
 * find_vm_area() - the area whose usable range [addr, addr + size) contains @addr.
 * Differs from Linux, which wants the area's start exactly.
 * Return: the area, or NULL (also for an address in a guard page).
 */
struct vm_struct *find_vm_area(uintptr_t addr);

/**
 * free_vm_area() - give @area's range (and its guard page) back; neighbouring free ranges are
 * merged. Does not unmap anything.
 * Return: 0, or -EINVAL if @area is not a live area of this allocator.
 */
int free_vm_area(struct vm_struct *area);

/** is_ioremap_addr() - @addr lies in the region given to vmalloc_init(). */
bool is_ioremap_addr(uintptr_t addr);

/** vmalloc_get_stats() - fill @st. */
void vmalloc_get_stats(struct vmalloc_stats *st);

#endif
