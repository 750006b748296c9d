// SPDX-License-Identifier: BSD-2-Clause
// riscv64 CPU hooks for <platform/atomic.h> and the locks: spin-wait hint, RVWMO barriers and the
// local interrupt mask (sstatus.SIE). Mirrors Linux arch/riscv/include/asm/{processor,irqflags}.h.
#ifndef ZONEDEV_ARCH_PROCESSOR_H
#define ZONEDEV_ARCH_PROCESSOR_H

#include <stdbool.h>

/* sstatus.SIE: supervisor interrupts enabled. */
#define SR_SIE (1UL << 1)

/**
 * arch_cpu_relax() - hint inside a spin-wait loop
 *
 * PAUSE (Zihintpause) by its encoding, FENCE w,0: harts without the extension run it as a
 * harmless fence, so it needs no -march support and no probing (the RISC-V spec chose the
 * encoding for that). It also lets an emulator running harts in turn move to the next one.
 */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile(".4byte 0x0100000f" ::: "memory");
}

/**
 * arch_cpu_yield() - in a wait that has spun long, let the CPU waited for run: sleep ~50 us in
 * wfi on an SBI timer (under QEMU with more vCPUs than host cores that frees a core for it).
 */
void arch_cpu_yield(void);
/** arch_cpu_yield_sleeps() - arch_cpu_yield() sleeps on the running CPU (not only a hint). */
bool arch_cpu_yield_sleeps(void);

/** arch_smp_rmb() - order earlier loads before later loads (fence r,r). */
static inline void arch_smp_rmb(void)
{
	__asm__ volatile("fence r, r" ::: "memory");
}

/** arch_smp_wmb() - order earlier stores before later stores (fence w,w). */
static inline void arch_smp_wmb(void)
{
	__asm__ volatile("fence w, w" ::: "memory");
}

/**
 * arch_local_irq_save() - mask interrupts on this CPU (clear sstatus.SIE)
 * Return: the previous sstatus.SIE bit, for arch_local_irq_restore().
 */
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("csrrc %0, sstatus, %1" : "=r"(flags) : "rK"(SR_SIE) : "memory");
	return flags & SR_SIE;
}

/** arch_local_irq_restore() - set sstatus.SIE back to what @flags recorded. */
static inline void arch_local_irq_restore(unsigned long flags)
{
	__asm__ volatile("csrs sstatus, %0" ::"rK"(flags & SR_SIE) : "memory");
}

/** arch_local_irq_enable() - unmask interrupts on this CPU. */
static inline void arch_local_irq_enable(void)
{
	__asm__ volatile("csrs sstatus, %0" ::"rK"(SR_SIE) : "memory");
}

/** arch_local_irq_disable() - mask interrupts on this CPU. */
static inline void arch_local_irq_disable(void)
{
	__asm__ volatile("csrc sstatus, %0" ::"rK"(SR_SIE) : "memory");
}

/** arch_irqs_disabled_flags() - whether @flags (from arch_local_irq_save()) had them masked. */
static inline bool arch_irqs_disabled_flags(unsigned long flags)
{
	return !(flags & SR_SIE);
}

#endif
