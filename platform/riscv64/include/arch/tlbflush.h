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

struct pt_regs;

/**
 * riscv_fixup_stale_tlb() - serve a page fault that this hart's stale TLB entry caused: new
 * mappings are fenced on no hart (ARCH_MAP_NEEDS_FLUSH), so a hart that cached the invalid entry
 * before may fault on an address the tables now map with the access allowed; it fences itself
 * (SFENCE.VMA x0, x0) and retries. Called from the trap path, before probes see the fault.
 * Return: true when the access may be retried; false for a real fault, and for the same fault
 * again right after such a fence (reported, not retried forever).
 */
bool riscv_fixup_stale_tlb(struct pt_regs *regs);

/**
 * riscv_mm_active_on() - whether @cpu runs in address space @pt now (and so may cache its
 * entries: a hart leaving one drops them all with SFENCE.VMA x0, x0).
 */
bool riscv_mm_active_on(const struct pgtable *pt, unsigned int cpu);

/**
 * riscv_tlb_idle_enter() - this hart is about to wait in wfi touching nothing a shootdown may
 * change: shootdowns skip it and mark it instead (interrupts stay masked until the exit).
 */
void riscv_tlb_idle_enter(void);

/** riscv_tlb_idle_exit() - back from wfi: fence this hart if a shootdown skipped it. */
void riscv_tlb_idle_exit(void);

/** riscv_tlb_idle() - whether @cpu waits in wfi, between riscv_tlb_idle_enter() and exit (tests). */
bool riscv_tlb_idle(unsigned int cpu);

/** riscv_stale_tlb_fixups - page faults riscv_fixup_stale_tlb() served (tests). */
extern unsigned long riscv_stale_tlb_fixups;

/** flush_tlb_all() - drop every cached translation and table walk (SFENCE.VMA x0, x0). */
void flush_tlb_all(void);

/**
 * arch_pgtable_publish() - order page-table stores before what follows: called after a new table
 * page is filled and before the entry pointing at it is written, and at the end of an update that
 * wrote entries but needs no TLB flush, so the walker sees them (riscv64: fence w,w).
 */
void arch_pgtable_publish(void);

#endif
