// SPDX-License-Identifier: BSD-2-Clause
// Validation of the pmem-region ranges the device tree describes, before anything maps them.
#ifndef ZONEDEV_PMEM_REGION_H
#define ZONEDEV_PMEM_REGION_H

#include <platform/bootinfo.h>
#include <platform/types.h>

/* Linux's memremap_compat_align(): the granule device-memory ranges must be aligned to. */
#define PMEM_REGION_ALIGN SZ_2M

/**
 * struct pmem_region - one pmem-region reg range, as accepted or refused
 * @base, @size: the range
 * @is_volatile: the node carries "volatile" (struct pages then live in RAM, not in the region)
 * @node: the node's unit name
 * @valid: passed every check; only valid regions are used
 */
struct pmem_region {
	phys_addr_t base, size;
	bool is_volatile;
	char node[BI_NAME_MAX];
	bool valid;
};

/**
 * pmem_regions_validate() - check each bi->pmem range, in tree order
 * @bi: decoded tree (memory banks, reserved-memory, dtb location, pmem ranges)
 * @image_base, @image_size: the running kernel image, which no region may cover
 * @out: one entry per bi->pmem entry (bi->nr_pmem of them)
 * @report: called once per problem with a message that names the node, the range, what is
 *	    wrong and how to fix it
 *
 * A range is refused when: its size is 0 or it wraps; start or size is not 2 MiB aligned; it
 * overlaps a /memory bank without lying wholly inside no-map reserved-memory; it overlaps an
 * earlier accepted pmem range; it covers the device-tree blob or the kernel image; its node has
 * more ranges than a device holds (DEVICE_MAX_REG); it comes after the PMEM_MAX_RANGES-th range.
 * Return: number of refused ranges.
 */
int pmem_regions_validate(const struct boot_info *bi, phys_addr_t image_base,
			  phys_addr_t image_size, struct pmem_region *out,
			  void (*report)(const char *msg, void *ctx), void *ctx);

#endif
