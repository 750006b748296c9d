// SPDX-License-Identifier: BSD-2-Clause
// TLB maintenance and the page-table publication barrier the generic page-table code calls
// (Linux: arch/riscv/include/asm/tlbflush.h). Implemented in platform/riscv64/ on target and by
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
 * riscv64: SFENCE.VMA per page (rs1 = address, rs2 = ASID or x0), or one full SFENCE.VMA above
 * a size threshold. Only leaf entries are covered (see ARCH_RANGE_FLUSH_COVERS_TABLES).
 */
void flush_tlb_kernel_range(const struct pgtable *pt, uintptr_t start, uintptr_t end);

/** tlb_remote_shootdowns - flush requests that reached other CPUs (benchmarks). */
extern unsigned long tlb_remote_shootdowns;

/** flush_tlb_all() - drop every cached translation and table walk (SFENCE.VMA x0, x0). */
void flush_tlb_all(void);

/**
 * arch_pgtable_publish() - order page-table stores before what follows: called after a new table
 * page is filled and before the entry pointing at it is written, and at the end of an update that
 * wrote entries but needs no TLB flush, so the walker sees them (riscv64: fence w,w).
 */
void arch_pgtable_publish(void);

#endif
