// SPDX-License-Identifier: BSD-2-Clause
// Cross-CPU function calls: run a function on one, some or all CPUs and optionally wait, over
// per-CPU call queues and an arch "kick" IPI. Mirrors Linux kernel/smp.c and
// include/linux/cpumask.h.
#ifndef ZONEDEV_PLATFORM_SMP_CALL_H
#define ZONEDEV_PLATFORM_SMP_CALL_H

#include <platform/atomic.h>
#include <platform/smp.h>
#include <platform/types.h>

#define BITS_PER_LONG 64
#define CPUMASK_LONGS ((NR_CPUS + BITS_PER_LONG - 1) / BITS_PER_LONG)

/**
 * struct cpumask - a set of CPUs, one bit per logical id below NR_CPUS
 * @bits: the bitmap; bit n of bits[n / BITS_PER_LONG] is CPU n
 *
 * Differs from Linux: fixed NR_CPUS bits, no nr_cpu_ids trimming, no cpumask_var_t.
 */
struct cpumask {
	unsigned long bits[CPUMASK_LONGS];
};

/** cpumask_clear() - empty @m. */
static inline void cpumask_clear(struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		m->bits[i] = 0;
}

/** cpumask_copy() - *@dst = *@src. */
static inline void cpumask_copy(struct cpumask *dst, const struct cpumask *src)
{
	*dst = *src;
}

/** cpumask_set_cpu() - add @cpu to @m, atomically (concurrent setters of other bits are safe). */
static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	__atomic_fetch_or(&m->bits[cpu / BITS_PER_LONG], 1UL << (cpu % BITS_PER_LONG),
			  __ATOMIC_RELAXED);
}

/** __cpumask_set_cpu() - add @cpu to @m, non-atomically (@m is private to the caller). */
static inline void __cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	m->bits[cpu / BITS_PER_LONG] |= 1UL << (cpu % BITS_PER_LONG);
}

/** cpumask_clear_cpu() - remove @cpu from @m, atomically. */
static inline void cpumask_clear_cpu(unsigned int cpu, struct cpumask *m)
{
	__atomic_fetch_and(&m->bits[cpu / BITS_PER_LONG], ~(1UL << (cpu % BITS_PER_LONG)),
			   __ATOMIC_RELAXED);
}

/** cpumask_test_cpu() - whether @cpu is in @m (false for @cpu >= NR_CPUS). */
static inline bool cpumask_test_cpu(unsigned int cpu, const struct cpumask *m)
{
	if (cpu >= NR_CPUS)
		return false;
	return (__atomic_load_n(&m->bits[cpu / BITS_PER_LONG], __ATOMIC_RELAXED) >>
		(cpu % BITS_PER_LONG)) & 1;
}

/** cpumask_weight() - number of CPUs in @m. */
static inline unsigned int cpumask_weight(const struct cpumask *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		for (unsigned long w = m->bits[i]; w; w &= w - 1)
			n++;
	return n;
}

/** cpumask_empty() - whether @m has no CPU. */
static inline bool cpumask_empty(const struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		if (m->bits[i])
			return false;
	return true;
}

/**
 * cpumask_next() - the first CPU of @m above @n
 * @n: where to start (excluded); -1 to start at CPU 0
 * Return: its id, or NR_CPUS if there is none.
 */
static inline unsigned int cpumask_next(int n, const struct cpumask *m)
{
	for (unsigned int cpu = (unsigned int)(n + 1); cpu < NR_CPUS;) {
		unsigned long w = m->bits[cpu / BITS_PER_LONG] >> (cpu % BITS_PER_LONG);

		if (w) {
			/* No __builtin_ctzl: riscv64 would call libgcc, whose Debian build is lp64d. */
			while (!(w & 1)) {
				w >>= 1;
				cpu++;
			}
			return cpu;
		}
		cpu = ALIGN_DOWN(cpu, BITS_PER_LONG) + BITS_PER_LONG;
	}
	return NR_CPUS;
}

/** cpumask_first() - the lowest CPU of @m, or NR_CPUS if it is empty. */
static inline unsigned int cpumask_first(const struct cpumask *m)
{
	return cpumask_next(-1, m);
}

/** for_each_cpu() - iterate @cpu (an unsigned int) over the CPUs of @mask, in increasing order. */
#define for_each_cpu(cpu, mask) \
	for ((cpu) = cpumask_first(mask); (cpu) < NR_CPUS; (cpu) = cpumask_next((int)(cpu), (mask)))

/** smp_call_func_t - a function run by a cross-CPU call, with the caller's @info. */
typedef void (*smp_call_func_t)(void *info);

/* Calls one CPU can have queued before senders wait for room. */
#define SMP_CALL_QUEUE_LEN 16

/*
 * The arch side, provided by platform/<arch>/ (the test harness on the host):
 *   - arch_send_call_ipi(cpu) makes @cpu call smp_call_handle_ipi() soon. It is called after the
 *     call was queued and an smp_mb(); what the interrupt controller needs beyond that is the
 *     arch's (arm64: dsb ishst before the SGI write). Several kicks before the handler runs may
 *     be merged into one.
 *   - smp_processor_id() and cpu_online() come from <platform/smp.h>.
 */

/**
 * arch_send_call_ipi() - kick @cpu so that it runs smp_call_handle_ipi() (arch hook).
 * @cpu: logical id of an online CPU other than the caller
 */
void arch_send_call_ipi(unsigned int cpu);

/**
 * smp_call_handle_ipi() - run every call queued to this CPU, oldest first
 *
 * Called by the arch IPI handler (interrupts masked). Each function runs with interrupts
 * masked; a waiting caller is released after its function returned.
 */
void smp_call_handle_ipi(void);

/**
 * smp_call_function_single() - run @func(@info) on @cpu
 * @cpu: target CPU; the calling CPU runs @func at once, with interrupts masked
 * @func: function to run; it must not sleep and should be short
 * @info: its argument
 * @wait: return only after @func returned on @cpu (its stores are then visible to the caller)
 *
 * Without @wait, @info must stay valid until @func ran. While it waits (for @func, or for room
 * in a full queue) the caller runs the calls queued to itself, so two CPUs calling each other
 * make progress even with interrupts masked.
 * Differs from Linux: -ENODEV instead of -ENXIO for a CPU that is not online.
 * Return: 0, or -ENODEV if @cpu is not online.
 */
int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait);

/**
 * smp_call_function_many() - run @func(@info) on the online CPUs of @mask but the caller
 * @mask: target CPUs; the calling CPU and offline CPUs in it are skipped (as in Linux)
 * @func: function to run
 * @info: its argument, shared by all targets
 * @wait: return only after every target ran @func
 */
void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info,
			    bool wait);

/** smp_call_function() - run @func(@info) on every online CPU but the caller. */
void smp_call_function(smp_call_func_t func, void *info, bool wait);

/**
 * on_each_cpu_mask() - run @func(@info) on the online CPUs of @mask, the caller included if it
 * is in @mask (locally, with interrupts masked, after the others were kicked).
 */
void on_each_cpu_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait);

/** on_each_cpu() - run @func(@info) on every online CPU, the caller included. */
void on_each_cpu(smp_call_func_t func, void *info, bool wait);

/**
 * smp_call_stats() - counters for benchmarks
 * @cpu: CPU whose queue to read
 * @ran: if not NULL, calls taken from @cpu's queue and run
 * @kicks: if not NULL, IPIs sent to @cpu (a kick is sent only when its queue was empty)
 */
void smp_call_stats(unsigned int cpu, unsigned long *ran, unsigned long *kicks);

#endif
