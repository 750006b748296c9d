// SPDX-License-Identifier: BSD-2-Clause
// Where a suite may write: the only source of pmem scratch ranges. A persistent range may hold
// someone's data (or the stamp this boot leaves for the next), so only volatile ranges nobody
// has claimed are handed out; everything else stays as the run found it.
#ifndef ZONEDEV_PMEM_SCRATCH_H
#define ZONEDEV_PMEM_SCRATCH_H
#include <stddef.h>
#include <platform/types.h>

/**
 * struct pmem_scratch - a device-memory range a caller may overwrite for the rest of the run
 * @base, @size: the whole range (2 MiB aligned as boot validation requires)
 */
struct pmem_scratch {
	phys_addr_t base, size;
};

/**
 * pmem_scratch_get() - find scratch device memory of at least @min_size bytes
 * @s: filled with the range on success
 * @why, @len: on failure, a sentence for the caller's skip message (may be NULL)
 *
 * A range qualifies when it is "Volatile Memory" in the iomem tree (a pmem-region node marked
 * volatile that boot validation accepted), is writable (not IORESOURCE_READONLY) and nothing
 * has claimed any part of it (no busy resource nested in it, at any depth). The lowest such range is returned, so
 * repeated calls agree. Persistent memory is never scratch, not even a range laid out this boot:
 * it carries the info block and the data the next boot verifies.
 * Return: 0, or -ENOSPC when no range qualifies.
 */
int pmem_scratch_get(phys_addr_t min_size, struct pmem_scratch *s, char *why, size_t len);

#endif
