// SPDX-License-Identifier: BSD-2-Clause
// Spin-waits that give the host core away: arch_cpu_yield() sleeps ~50 us in WFI, woken by the
// virtual timer, and arch_cpu_relax() does so every RELAX_SPINS_PER_SLEEP calls.
//
// Why: under QEMU with more vCPUs than host cores (8 vCPUs on 2 cores in CI), a CPU spinning
// for a lock holder, a cross-CPU call or a rendezvous keeps the CPU it waits for off the host
// core for a whole host time slice; `yield` and `wfe` do not sleep under TCG. A full run at
// -smp 8 took 255 s this way (241 s in one suite of lock handoffs), and a rendezvous could miss
// its timeout. WFI with a pending timer sleeps the vCPU's thread. On hardware the sleep costs a
// waiter at most 50 us, only after it has spun RELAX_SPINS_PER_SLEEP times.
#include <arch/gic.h>
#include <arch/processor.h>
#include <arch/sysreg.h>
#include <platform/arch.h>
#include <platform/printk.h>
#include <platform/smp.h>

#define CNTV_CTL_ENABLE (1UL << 0)
#define CNTV_CTL_ISTATUS (1UL << 2)

__thread unsigned int arm64_relax_spins;
/* This CPU passed arm64_yield_init()'s check: its timer interrupt ends a WFI. */
static __thread bool can_sleep;

void arm64_yield_init(void)
{
	unsigned long flags = arch_local_irq_save();
	bool seen = false;

	if (!arch_counter_hz() || !gic_timer_irq_enable())
		goto out;
	/*
	 * A compare value in the past asserts the line at once; seeing it pending at the
	 * controller proves a WFI would end. Otherwise a sleep could last until the next IPI.
	 */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	for (int i = 0; i < 1000 && !seen; i++)
		seen = (read_sysreg(cntv_ctl_el0) & CNTV_CTL_ISTATUS) && gic_timer_irq_pending();
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	gic_timer_irq_clear();
out:
	can_sleep = seen;
	arch_local_irq_restore(flags);
	if (!seen)
		pr_info("cpu%u: no timer wake-up from WFI: spin-waits do not sleep\n",
			smp_processor_id());
}

bool arch_cpu_yield_sleeps(void)
{
	return can_sleep;
}

void arch_cpu_yield(void)
{
	if (!can_sleep) {
		__asm__ volatile("yield" ::: "memory");
		return;
	}
	/*
	 * Interrupts masked, and only the timer let through the controller: WFI ends when it
	 * fires, not at once on an IPI left pending (raised during a cross-CPU call, or while the
	 * caller masks interrupts); that IPI is taken when the caller's mask comes back. The timer
	 * is off again before that, and the pending state a GIC latched from it is cleared, so it
	 * is never taken.
	 */
	unsigned long flags = arch_local_irq_save();

	gic_timer_only(true);
	write_sysreg(cntv_tval_el0, arch_counter_hz() / 20000 + 1);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	gic_timer_irq_clear();
	gic_timer_only(false);
	arch_local_irq_restore(flags);
}
