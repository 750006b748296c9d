// SPDX-License-Identifier: BSD-2-Clause
// arm64 TLB maintenance for the generic page-table code (Arm ARM D8.13 "TLB maintenance"):
// broadcast (inner-shareable) forms, so the SMP issue needs no change here.
#include <arch/tlbflush.h>
#include <mm/pgtable.h>

#define FLUSH_PAGE_LIMIT 64

/* Every flush is broadcast (the IS forms): each one is a shootdown of all CPUs. */
unsigned long tlb_remote_shootdowns;

void flush_tlb_kernel_range(const struct pgtable *pt, uintptr_t start, uintptr_t end)
{
	if (end - start > FLUSH_PAGE_LIMIT * PAGE_SIZE) {
		flush_tlb_all();
		return;
	}
	__asm__ volatile("dsb ishst" ::: "memory");
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		/* VA[55:12] in bits 43:0, ASID in 63:48; not the last-level form (walks go too). */
		uint64_t arg = (va >> 12) & ((1ULL << 44) - 1);
		if (pt->asid)
			__asm__ volatile("tlbi vae1is, %0" ::"r"(arg | (uint64_t)pt->asid << 48)
					 : "memory");
		else
			__asm__ volatile("tlbi vaae1is, %0" ::"r"(arg) : "memory");
	}
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
	__atomic_fetch_add(&tlb_remote_shootdowns, 1, __ATOMIC_RELAXED);
}

void flush_tlb_all(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
	__atomic_fetch_add(&tlb_remote_shootdowns, 1, __ATOMIC_RELAXED);
}

void arch_pgtable_publish(void)
{
	/* Table stores complete before the walker can reach them; no stale fetch after. */
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
}
