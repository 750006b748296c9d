// SPDX-License-Identifier: BSD-2-Clause
// Host fake for vmemmap tests: a simulated physical memory in a memfd, and a window of host
// virtual addresses that follows a struct pgtable like an MMU with a software-refilled TLB.
#ifndef ZONEDEV_TESTS_FAKES_HOSTMMU_H
#define ZONEDEV_TESTS_FAKES_HOSTMMU_H

#include <platform/types.h>

struct pgtable;
struct pgtable_page_ops;

/* Simulated physical memory: HOSTMMU_PHYS_SIZE bytes at HOSTMMU_PHYS_BASE, through __va(). */
#define HOSTMMU_PHYS_BASE 0x80000000ULL
#define HOSTMMU_PHYS_SIZE (256ULL << 20)

/**
 * hostmmu_init() - create (once) and reset the physical memory (filled with 0xa5) and set
 * va_pa_offset. Replaces physmem.c (do not link both).
 */
void hostmmu_init(void);

/**
 * hostmmu_window() - reserve (once) a @size-byte window of host addresses aligned to @align
 * and return its start. Accesses to it fault; the fault handler walks the tree given by
 * hostmmu_attach() and maps the leaf found (shared with the physical memory, read-only when
 * the leaf is), so the window shows exactly what the page table maps. A flush of the tree
 * (tlbflush_host.c's fake_flush_hook) drops the host mappings of the range.
 */
uintptr_t hostmmu_window(uint64_t size, uint64_t align);

/** hostmmu_attach() - follow @pt (NULL: detach); also installs the flush hook. */
void hostmmu_attach(const struct pgtable *pt);

/** hostmmu_faults() - faults the handler resolved since hostmmu_init(). */
unsigned long hostmmu_faults(void);

/** Page-table pages from the real memblock (what the kernel does at boot). */
extern const struct pgtable_page_ops memblock_page_ops;

#endif
