// SPDX-License-Identifier: BSD-2-Clause
// The kernel half of the virtual address space, derived from the VA width alone (Linux:
// Documentation/arch/riscv/vm-layout.rst and arm64/memory.rst, PAGE_OFFSET/VMEMMAP_START/...).
#ifndef ZONEDEV_MM_LAYOUT_H
#define ZONEDEV_MM_LAYOUT_H

#include <platform/types.h>

/* sizeof(struct page) the vmemmap region is sized for (SPEC: 64 bytes per 4 KiB page). */
#define STRUCT_PAGE_SIZE 64
/* The image is linked in the top 2 GiB: KIMAGE_VADDR .. 2^64. */
#define KIMAGE_VADDR 0xffffffff80000000ULL
#define KIMAGE_SLOT_SIZE 0x80000000ULL
/* Unmapped space left between regions. */
#define LAYOUT_GUARD_GAP 0x40000000ULL

enum layout_region_id {
	LAYOUT_LINEAR,
	LAYOUT_VMEMMAP,
	LAYOUT_IOREMAP,
	LAYOUT_IMAGE,
	LAYOUT_NR_REGIONS,
};

/**
 * struct layout_region - one region of the kernel half
 * @name: for the boot table
 * @start: first address
 * @size: bytes (@start + @size may wrap to 0 for the image slot)
 * @align: largest leaf the region may use; @start and @size are multiples of it
 */
struct layout_region {
	const char *name;
	uintptr_t start;
	uint64_t size;
	uint64_t align;
};

/**
 * struct kernel_layout - where everything lives for one VA width
 * @va_bits: 39, 48 or 57
 * @half_start: first kernel address, -(2^(va_bits - 1))
 * @phys_base: physical address mapped at the start of the linear region
 * @phys_span: bytes of physical space the linear region (and so the vmemmap) can cover
 * @linear_mapped: bytes from the linear start up to the end of RAM, 1 GiB rounded
 * @va_pa_offset: linear address - physical address
 * @vmemmap: address of the struct page of pfn 0 (struct page of pfn N at + N * 64); may lie
 *           below the vmemmap region when @phys_base is not 0
 * @region: the regions, in address order, LAYOUT_IMAGE last
 */
struct kernel_layout {
	int va_bits;
	uintptr_t half_start;
	phys_addr_t phys_base;
	uint64_t phys_span;
	uint64_t linear_mapped;
	uintptr_t va_pa_offset;
	uintptr_t vmemmap;
	struct layout_region region[LAYOUT_NR_REGIONS];
};

/**
 * kernel_layout_init() - derive the layout for @va_bits and the RAM span
 * @l: filled in
 * @va_bits: 39, 48 or 57 (arm64: 48)
 * @ram_start: lowest RAM address
 * @ram_end: end (exclusive) of the highest RAM bank, > @ram_start
 *
 * The rule, with H = 2^(va_bits - 1) the size of the kernel half (H = 256 GiB for Sv39):
 *  - linear map at the bottom of the half, H/2 of VA: it covers the physical window
 *    [@phys_base, @phys_base + H/2) with @phys_base = align_down(@ram_start, 1 GiB) (Linux
 *    arm64's memstart_addr; riscv's phys_ram_base); RAM must fit in it, and device ranges that
 *    get struct pages (pmem) must too, as Linux's arch_get_mappable_range() requires.
 *  - vmemmap: a struct page (64 bytes) for every 4 KiB page of that window, H/128, rounded up
 *    to 1 GiB; so RAM and every device range the linear map could hold have struct pages.
 *  - ioremap/memremap: H/4.
 *  - each region 1 GiB aligned, with LAYOUT_GUARD_GAP (1 GiB) unmapped between them, and the
 *    image slot in the top 2 GiB.
 * Return: 0, -EINVAL for a width outside 39..57 or an empty RAM range, -ERANGE if the RAM span
 * does not fit the linear window.
 */
int kernel_layout_init(struct kernel_layout *l, int va_bits, phys_addr_t ram_start,
		       phys_addr_t ram_end);

/** kernel_layout_print() - the layout as a table, through printk(). */
void kernel_layout_print(const struct kernel_layout *l);

#endif
