// SPDX-License-Identifier: BSD-2-Clause
// TLB maintenance and the page-table publication barrier the generic page-table code calls
// (Linux: arch/arm64/include/asm/tlbflush.h). Implemented in platform/arm64/ on target and by
// tests/host/fakes/tlbflush_host.c on the build machine.
#ifndef ZONEDEV_ARCH_TLBFLUSH_H
#define ZONEDEV_ARCH_TLBFLUSH_H

#include <platform/types.h>

struct pgtable;

/**
 * flush_tlb_kernel_range() - drop cached translations of [@start, @end) in @pt
 * @pt: the page table that changed (its asid selects the address space; kernel mappings are
 *      global)
 * @start: first byte, page aligned
 * @end: exclusive end, page aligned, > @start (the caller uses flush_tlb_all() when the range
 *       would wrap past the top of the address space)
 *
 * arm64: DSB ISHST; TLBI VAAE1IS (or VAE1IS with the ASID) per page, not the last-level form,
 * so cached table walks go too (ARCH_RANGE_FLUSH_COVERS_TABLES); DSB ISH; ISB. Above a size
 * threshold, TLBI VMALLE1IS.
 */
void flush_tlb_kernel_range(const struct pgtable *pt, uintptr_t start, uintptr_t end);

/** tlb_remote_shootdowns - broadcast flushes issued (benchmarks). */
extern unsigned long tlb_remote_shootdowns;

/** flush_tlb_all() - DSB ISHST; TLBI VMALLE1IS; DSB ISH; ISB. */
void flush_tlb_all(void);

/**
 * arch_pgtable_publish() - order page-table stores before what follows: called after a new table
 * page is filled and before the entry pointing at it is written, and at the end of an update that
 * wrote entries but needs no TLB flush, so the walker sees them (arm64: DSB ISHST; ISB).
 */
void arch_pgtable_publish(void);

#endif
