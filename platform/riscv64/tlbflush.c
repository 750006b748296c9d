// SPDX-License-Identifier: BSD-2-Clause
// riscv64 TLB maintenance for the generic page-table code (priv. spec "SFENCE.VMA"): the local
// hart fences itself; every other online hart that may use the entries (all running ones for the
// kernel's table, those running in it for an address space) is fenced by the firmware through
// SBI RFENCE, one call per request and window of 64 hart ids (one range, all those harts), so a
// hart busy with anything still drops the stale translation before the call returns; an idle
// hart fences itself when it wakes. New mappings are not flushed at all (ARCH_MAP_NEEDS_FLUSH,
// riscv_fixup_stale_tlb()). Under QEMU an RFENCE waits until every target vCPU thread has run,
// which with more vCPUs than host cores is what a multi-CPU run spends its time on.
#include <platform/smp.h>
#include <arch/sbi.h>
#include <arch/tlbflush.h>
#include <mm/pgtable.h>

/* Beyond this many pages one full fence is cheaper than a fence per page. */
#define FLUSH_PAGE_LIMIT 64

unsigned long tlb_remote_shootdowns;

/* Per hart: running; idle (in wfi, translating nothing); idle and owing itself a fence. */
enum { TLB_RUNNING, TLB_IDLE, TLB_IDLE_STALE };
static int tlb_state[NR_CPUS];

void riscv_tlb_idle_enter(void)
{
	__atomic_store_n(&tlb_state[smp_processor_id()], TLB_IDLE, __ATOMIC_SEQ_CST);
}

bool riscv_tlb_idle(unsigned int cpu)
{
	return cpu < NR_CPUS && __atomic_load_n(&tlb_state[cpu], __ATOMIC_SEQ_CST) != TLB_RUNNING;
}

void riscv_tlb_idle_exit(void)
{
	if (__atomic_exchange_n(&tlb_state[smp_processor_id()], TLB_RUNNING, __ATOMIC_SEQ_CST) ==
	    TLB_IDLE_STALE)
		__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

/*
 * Whether @cpu must be fenced now: not while it idles, it is told to fence itself on waking
 * instead. Either the mark lands while it idles (it reads it on the way out, after the entry
 * stores) or it is running again and gets the RFENCE.
 */
static bool needs_remote_fence(unsigned int cpu)
{
	int s = __atomic_load_n(&tlb_state[cpu], __ATOMIC_SEQ_CST);

	while (s != TLB_RUNNING) {
		if (s == TLB_IDLE_STALE)
			return false;
		if (__atomic_compare_exchange_n(&tlb_state[cpu], &s, TLB_IDLE_STALE, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return false;
	}
	return true;
}

/*
 * The other CPUs that may cache entries of @pt and use them before fencing themselves: all
 * running ones for the kernel's (global) table or none given; for an address space (ASID != 0)
 * only those running in it now. Idle harts are marked to fence on waking instead.
 */
static uint64_t cpus_to_fence(const struct pgtable *pt)
{
	uint64_t cpus = 0;
	unsigned int self = smp_processor_id();

	_Static_assert(NR_CPUS <= 64, "one bit per CPU");
	/* the entry stores before the look at who runs @pt (pairs with arch_switch_mm()) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int cpu = 0; cpu < num_possible_cpus(); cpu++) {
		if (cpu == self || !cpu_online(cpu))
			continue;
		if (pt && pt->asid && !riscv_mm_active_on(pt, cpu))
			continue;
		if (needs_remote_fence(cpu))
			cpus |= 1ULL << cpu;
	}
	return cpus;
}

/*
 * One RFENCE per window of 64 hart ids (an SBI hart mask is a word above its base), lowest
 * window first: hart ids are the tree's and need not be small or dense.
 */
static void remote_fence(const struct pgtable *pt, unsigned long start, unsigned long size)
{
	uint64_t cpus = cpus_to_fence(pt);
	unsigned long base = 0;

	if (!cpus || !sbi_info.has_rfence)
		return;
	while (cpus) {
		unsigned long mask = 0, next = ~0UL;

		for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
			unsigned long hwid = (unsigned long)per_cpu(cpu)->hwid;

			if (!(cpus & (1ULL << cpu)))
				continue;
			if (hwid - base < 64) {
				mask |= 1UL << (hwid - base);
				cpus &= ~(1ULL << cpu);
			} else if (hwid > base && (hwid & ~63UL) < next) {
				next = hwid & ~63UL;
			}
		}
		if (mask)
			sbi_remote_sfence_vma(mask, base, start, size);
		if (next == ~0UL)
			break;
		base = next;
	}
	__atomic_fetch_add(&tlb_remote_shootdowns, 1, __ATOMIC_RELAXED);
}

void flush_tlb_kernel_range(const struct pgtable *pt, uintptr_t start, uintptr_t end)
{
	if (end - start > FLUSH_PAGE_LIMIT * PAGE_SIZE) {
		flush_tlb_all();
		return;
	}
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		if (pt->asid)
			__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"((unsigned long)pt->asid)
					 : "memory");
		else
			__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
	}
	remote_fence(pt, start, end - start);
}

void flush_tlb_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	remote_fence(NULL, 0, ~0UL);
}

void arch_pgtable_publish(void)
{
	/* Table stores must be visible to the walker before the entry that links them. */
	__asm__ volatile("fence w, w" ::: "memory");
}
