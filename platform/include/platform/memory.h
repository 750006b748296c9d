// SPDX-License-Identifier: BSD-2-Clause
// Physical <-> virtual conversions. mm/ turns a physical address into a pointer only through
// __va() and back through __pa(): on target these follow the linear map, on the host they index
// the simulated physical memory of the unit tests (tests/host/fakes/physmem.c), with the same code.
//
// Until the MMU is on, va_pa_offset is 0 (identity); the page-table setup changes it once.
#ifndef ZONEDEV_PLATFORM_MEMORY_H
#define ZONEDEV_PLATFORM_MEMORY_H

#include <platform/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PFN_DOWN(x) ((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_UP(x) ((unsigned long)(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT))

/* Linear map: va = pa + va_pa_offset. */
extern uintptr_t va_pa_offset;

static inline void *__va(phys_addr_t pa)
{
	return (void *)(uintptr_t)(pa + va_pa_offset);
}

static inline phys_addr_t __pa(const void *va)
{
	return (phys_addr_t)((uintptr_t)va - va_pa_offset);
}

/* Kernel image: link address = load address + kimage_voffset (0 until the MMU is on). */
extern uintptr_t kimage_voffset;

#define __pa_symbol(x) ((phys_addr_t)((uintptr_t)(x) - kimage_voffset))

#endif
