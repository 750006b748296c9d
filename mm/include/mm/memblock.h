// SPDX-License-Identifier: BSD-2-Clause
// Early physical memory map (after Linux's memblock): RAM banks, reserved ranges and the
// no-map flag, with a bump-free top-down allocator used until the page allocator exists.
// Differs from Linux: fixed-size arrays (no doubling), no NUMA node ids, no mirror/hotplug flags.
#ifndef ZONEDEV_MM_MEMBLOCK_H
#define ZONEDEV_MM_MEMBLOCK_H

#include <platform/types.h>

#define MEMBLOCK_MAX_REGIONS 128

enum memblock_flags {
	MEMBLOCK_NONE = 0,
	MEMBLOCK_NOMAP = 1 << 0, /* RAM that must not be mapped nor allocated */
};

/**
 * struct memblock_region - one range
 * @base: first byte
 * @size: length in bytes (never 0 in a list)
 * @flags: enum memblock_flags
 */
struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
	unsigned int flags;
};

/**
 * struct memblock_type - a sorted list of disjoint ranges; touching ranges with equal flags are
 * merged
 */
struct memblock_type {
	unsigned int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
	const char *name;
};

/**
 * struct memblock - @memory: RAM; @reserved: ranges in RAM not to be allocated
 * @alloc_limit: allocations stay below this address (until the linear map covers more)
 */
struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
	phys_addr_t alloc_limit;
};

extern struct memblock memblock;

/** memblock_reset() - empty both lists (boot and tests). */
void memblock_reset(void);

/**
 * memblock_add() - add RAM; memblock_remove() - take a range out of RAM;
 * memblock_reserve() - mark a range as in use; memblock_mark_nomap() - flag RAM as not to be
 * mapped. Ranges may overlap existing ones; size 0 is a no-op.
 * Return: 0, -EINVAL if base + size overflows, -ENOSPC if the list is full (the list is then
 * unchanged).
 */
int memblock_add(phys_addr_t base, phys_addr_t size);
int memblock_remove(phys_addr_t base, phys_addr_t size);
int memblock_reserve(phys_addr_t base, phys_addr_t size);
int memblock_mark_nomap(phys_addr_t base, phys_addr_t size);

/**
 * memblock_phys_alloc() - allocate @size bytes aligned to @align (a power of two) from the
 * highest free RAM below memblock.alloc_limit; the range is then reserved.
 * Return: the physical address, or 0 when nothing fits. Not zeroed (the caller maps it first).
 */
phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align);

/** memblock_phys_free() - give back a range from memblock_phys_alloc(). */
int memblock_phys_free(phys_addr_t base, phys_addr_t size);

/** memblock_is_memory() - @addr lies in RAM. */
bool memblock_is_memory(phys_addr_t addr);
/** memblock_is_region_memory() - all of [@base, @base+@size) is RAM. */
bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size);
/** memblock_is_region_reserved() - some of the range is reserved. */
bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size);

/**
 * memblock_next_free_range() - iterate RAM minus reserved minus no-map, ascending.
 * @idx: iterator state, start with 0
 * Return: true and the range in @start/@end (exclusive), or false when done.
 */
bool memblock_next_free_range(uint64_t *idx, phys_addr_t *start, phys_addr_t *end);

#define for_each_free_mem_range(idx, start, end) \
	for (idx = 0; memblock_next_free_range(&idx, start, end);)

/** memblock_phys_mem_size() / memblock_reserved_size() / memblock_free_size(): totals. */
phys_addr_t memblock_phys_mem_size(void);
phys_addr_t memblock_reserved_size(void);
phys_addr_t memblock_free_size(void);

/** memblock_dump() - print both lists and the free ranges. */
void memblock_dump(void);

#endif
