// SPDX-License-Identifier: BSD-2-Clause
// arm64 CPU hooks for <platform/atomic.h> and the locks: spin-wait hint, barriers and the local
// interrupt mask (PSTATE.DAIF). Mirrors Linux arch/arm64/include/asm/{processor,irqflags}.h.
#ifndef ZONEDEV_ARCH_PROCESSOR_H
#define ZONEDEV_ARCH_PROCESSOR_H

#include <stdbool.h>

/* DAIF bits as read with `mrs daif`: I (IRQ) and F (FIQ). */
#define DAIF_IRQ (1UL << 7)
#define DAIF_FIQ (1UL << 6)

/* Calls of arch_cpu_relax() after which it sleeps once (platform/arm64/cpu_yield.c). */
#define RELAX_SPINS_PER_SLEEP 256

extern __thread unsigned int arm64_relax_spins;

/**
 * arch_cpu_yield() - in a wait that has spun long, let the CPU waited for run: sleep ~50 us in
 * WFI until the virtual timer fires (a relax hint where the timer cannot end a WFI)
 */
void arch_cpu_yield(void);
/** arch_cpu_yield_sleeps() - arch_cpu_yield() sleeps on the running CPU (not only a hint). */
bool arch_cpu_yield_sleeps(void);

/**
 * arch_cpu_relax() - hint inside a spin-wait loop (`yield`); every RELAX_SPINS_PER_SLEEP calls
 * on a CPU, arch_cpu_yield()'s short sleep instead, so that no spin-wait keeps the CPU it waits
 * for off a shared host core
 */
static inline void arch_cpu_relax(void)
{
	if (__builtin_expect(++arm64_relax_spins < RELAX_SPINS_PER_SLEEP, 1)) {
		__asm__ volatile("yield" ::: "memory");
		return;
	}
	arm64_relax_spins = 0;
	arch_cpu_yield();
}

/** arch_smp_rmb() - order earlier loads before later loads and stores (dmb ishld). */
static inline void arch_smp_rmb(void)
{
	__asm__ volatile("dmb ishld" ::: "memory");
}

/** arch_smp_wmb() - order earlier stores before later stores (dmb ishst). */
static inline void arch_smp_wmb(void)
{
	__asm__ volatile("dmb ishst" ::: "memory");
}

/**
 * arch_local_irq_save() - mask IRQ and FIQ on this CPU
 * Return: the previous DAIF, for arch_local_irq_restore().
 */
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("mrs %0, daif\n\tmsr daifset, #3" : "=r"(flags)::"memory");
	return flags;
}

/** arch_local_irq_restore() - put DAIF back to what @flags recorded. */
static inline void arch_local_irq_restore(unsigned long flags)
{
	__asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

/** arch_local_irq_enable() - unmask IRQ and FIQ on this CPU. */
static inline void arch_local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #3" ::: "memory");
}

/** arch_local_irq_disable() - mask IRQ and FIQ on this CPU. */
static inline void arch_local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #3" ::: "memory");
}

/** arch_irqs_disabled_flags() - whether @flags (from arch_local_irq_save()) had IRQs masked. */
static inline bool arch_irqs_disabled_flags(unsigned long flags)
{
	return flags & DAIF_IRQ;
}

#endif
