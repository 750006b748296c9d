// SPDX-License-Identifier: BSD-2-Clause
// stop_machine(): park every other online CPU with a cross-CPU call, run a function, release.
#include <platform/arch.h>
#include <platform/atomic.h>
#include <platform/errno.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <platform/spinlock.h>
#include <platform/stop_machine.h>

#include <arch/processor.h>

/*
 * One rendezvous at a time (@lock). @door is (generation << 16) | SM_OPEN | CPUs arrived: a CPU
 * checks in with one compare-and-swap that also proves the door is open for ITS generation, so
 * a park call that arrives after its rendezvous was given up or finished returns at once, and
 * the count the initiator reads when it closes the door is exact. @release lets the parked
 * CPUs go; @left counts those out of the loop; the initiator returns only when all have left.
 */
#define SM_OPEN (1UL << 15)
#define SM_ARRIVED 0x7fffUL

unsigned int stop_machine_timeout_ms = 10000;

static struct {
	spinlock_t lock;
	unsigned long gen;
	unsigned long door;
	int release;
	unsigned int left;
	unsigned long count;
} sm = { .lock = __SPIN_LOCK_UNLOCKED(lock) };

static void resync_context(void)
{
#ifdef __aarch64__
	/* the broadcast TLBI completed before the release; drop what this CPU fetched meanwhile */
	__asm__ volatile("isb" ::: "memory");
#endif
}

static void park(void *info)
{
	unsigned long gen = (unsigned long)info;
	unsigned long flags = arch_local_irq_save();

	unsigned long door = __atomic_load_n(&sm.door, __ATOMIC_ACQUIRE);

	do {
		if (door >> 16 != gen || !(door & SM_OPEN)) {
			arch_local_irq_restore(flags); /* too late: that rendezvous is over */
			return;
		}
	} while (!__atomic_compare_exchange_n(&sm.door, &door, door + 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	while (!__atomic_load_n(&sm.release, __ATOMIC_ACQUIRE))
		cpu_relax();
	resync_context();
	__atomic_fetch_add(&sm.left, 1, __ATOMIC_ACQ_REL);
	arch_local_irq_restore(flags);
}

static bool wait_arrived(unsigned int n)
{
	uint64_t hz = arch_counter_hz(), start = arch_counter();
	uint64_t limit = hz / 1000 * stop_machine_timeout_ms;

	for (unsigned long spins = 0;; spins++) {
		if ((__atomic_load_n(&sm.door, __ATOMIC_ACQUIRE) & SM_ARRIVED) == n)
			return true;
		if (hz ? arch_counter() - start > limit : spins > 1000000000UL)
			return false;
		cpu_relax();
	}
}

int stop_machine(int (*fn)(void *data), void *data)
{
	unsigned long flags = arch_local_irq_save();
	unsigned int self = smp_processor_id(), n, cpu, arrived;
	struct cpumask others;
	int ret;

	/* another initiator may be parking us: serve our calls while waiting for our turn */
	while (!spin_trylock(&sm.lock)) {
		smp_call_handle_ipi();
		cpu_relax();
	}
	cpumask_clear(&others);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu != self && cpu_online(cpu))
			__cpumask_set_cpu(cpu, &others);
	n = cpumask_weight(&others);
	if (!n || !smp_ipis_available()) {
		ret = fn(data);
		goto out;
	}
	sm.gen = (sm.gen + 1) & (~0UL >> 16);
	sm.left = 0;
	__atomic_store_n(&sm.release, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sm.door, sm.gen << 16 | SM_OPEN, __ATOMIC_RELEASE);
	smp_call_function_many(&others, park, (void *)sm.gen, false);
	ret = wait_arrived(n) ? 0 : -ETIMEDOUT;
	/* close the door: no CPU checks in after this; the count is final */
	arrived = __atomic_fetch_and(&sm.door, ~SM_OPEN, __ATOMIC_ACQ_REL) & SM_ARRIVED;
	if (!ret) {
		sm.count++;
		ret = fn(data);
	} else {
		pr_err("stop_machine: %u of %u CPUs checked in within %u ms: not run\n", arrived,
		       n, stop_machine_timeout_ms);
	}
	/* @fn's stores and completed flushes come before the release */
	smp_mb();
	__atomic_store_n(&sm.release, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&sm.left, __ATOMIC_ACQUIRE) != arrived)
		cpu_relax();
out:
	spin_unlock(&sm.lock);
	arch_local_irq_restore(flags);
	return ret;
}

unsigned long stop_machine_count(void)
{
	return __atomic_load_n(&sm.count, __ATOMIC_RELAXED);
}
