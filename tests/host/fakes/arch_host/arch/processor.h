// SPDX-License-Identifier: BSD-2-Clause
// Host stand-in for <arch/processor.h> in unit tests: "CPUs" are threads, so there are no
// interrupts to mask, and a spin-wait yields the core (the build machine may have fewer cores
// than the tests have threads, and a ticket lock convoys if its next owner is not running).
#ifndef ZONEDEV_ARCH_PROCESSOR_H
#define ZONEDEV_ARCH_PROCESSOR_H

#include <sched.h>
#include <stdbool.h>

static inline void arch_cpu_relax(void)
{
	sched_yield();
}

static inline void arch_cpu_yield(void)
{
	sched_yield();
}

static inline void arch_smp_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void arch_smp_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* Interrupt masking is a per-thread flag, so tests can check it is set and restored. */
extern _Thread_local unsigned long host_irq_disabled;

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags = host_irq_disabled;

	host_irq_disabled = 1;
	return flags;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	host_irq_disabled = flags;
}

static inline void arch_local_irq_enable(void)
{
	host_irq_disabled = 0;
}

static inline void arch_local_irq_disable(void)
{
	host_irq_disabled = 1;
}

static inline bool arch_irqs_disabled_flags(unsigned long flags)
{
	return flags;
}

#endif
