// SPDX-License-Identifier: BSD-2-Clause
// State the boot flow (platform/common/main.c) builds and the in-image suites inspect.
#ifndef ZONEDEV_PLATFORM_BOOT_H
#define ZONEDEV_PLATFORM_BOOT_H

#include <platform/bootargs.h>
#include <platform/bootinfo.h>
#include <platform/dt.h>
#include <platform/ktap.h>
#include <pmem/region.h>

/**
 * struct boot_state - everything learnt before the suites run
 * @dt_valid: the blob passed dt_init(); when false, @bi is empty
 * @dt: the validated blob
 * @bi: decoded facts
 * @args: boot arguments
 * @pmem, @nr_pmem: pmem-region ranges with their validation verdicts
 * @image_base, @image_size: this kernel in physical memory
 * @dt_problems, @arg_problems, @pmem_problems, @arch_problems, @memblock_problems: counts of
 *	invalid input found by each step (each was printed where found)
 * @boot_cpu_hwid: hart id / MPIDR of the boot CPU
 * @paging_failed: paging_init() could not install the final tables (printed; a test fails)
 * @mm_failed: mm_core_init() failed (printed; the vmemmap suite fails)
 */
struct boot_state {
	bool dt_valid;
	struct dt dt;
	struct boot_info bi;
	struct bootargs args;
	struct pmem_region pmem[BI_MAX_PMEM];
	int nr_pmem;
	phys_addr_t image_base, image_size;
	int dt_problems, arg_problems, pmem_problems, arch_problems, memblock_problems;
	uint64_t boot_cpu_hwid;
	bool paging_failed;
	bool mm_failed;
};

extern struct boot_state boot;

/* The in-image suites, in the order they run. */
extern const struct ktap_suite fdt_suite;
extern const struct ktap_suite memmap_suite;
extern const struct ktap_suite pgtable_suite;
extern const struct ktap_suite memremap_suite;
extern const struct ktap_suite vmemmap_suite;
extern const struct ktap_suite pmem_suite;
extern const struct ktap_suite rmap_suite;
extern const struct ktap_suite hugetlb_suite;
extern const struct ktap_suite smp_suite;
extern const struct ktap_suite locks_suite;
extern const struct ktap_suite tlb_suite;

#endif
