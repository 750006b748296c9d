// SPDX-License-Identifier: BSD-2-Clause
// Cross-CPU calls (platform/common/smp_call.c) with threads as CPUs: each polls a kick flag that
// the test's arch_send_call_ipi() sets, as if an IPI arrived. Targets, exactly-once delivery,
// wait semantics, FIFO order, full queues, and a many-to-many stress with exact totals.
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <platform/atomic.h>
#include <platform/errno.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <platform/spinlock.h>

#include <arch/processor.h>

#include "tap.h"

#define NCPUS 4

/* ---- host stand-ins for the lead's <platform/smp.h> and the arch IPI ---- */

_Thread_local unsigned long host_irq_disabled;
static _Thread_local unsigned int this_cpu_id;
static int kick[NR_CPUS];
static atomic_long_t kicks_sent = ATOMIC_LONG_INIT(0);
static int hold[NR_CPUS]; /* a held CPU ignores kicks, as if it ran with interrupts masked */

unsigned int smp_processor_id(void)
{
	return this_cpu_id;
}

bool cpu_online(unsigned int cpu)
{
	return cpu < NCPUS;
}

void arch_send_call_ipi(unsigned int cpu)
{
	if (cpu == this_cpu_id || cpu >= NCPUS)
		abort(); /* the core never kicks itself or a CPU that is not online */
	atomic_long_inc(&kicks_sent);
	__atomic_store_n(&kick[cpu], 1, __ATOMIC_RELEASE);
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	abort();
}

/* The "interrupt": run the queue when kicked, with interrupts masked as in a real handler. */
static bool poll_ipi(void)
{
	if (__atomic_load_n(&hold[this_cpu_id], __ATOMIC_ACQUIRE) ||
	    !__atomic_exchange_n(&kick[this_cpu_id], 0, __ATOMIC_ACQUIRE))
		return false;
	unsigned long flags = arch_local_irq_save();
	smp_call_handle_ipi();
	arch_local_irq_restore(flags);
	return true;
}

/* CPUs 1..NCPUS-1: poll for kicks until told to stop; the main thread is CPU 0. */
static pthread_t cpu_threads[NCPUS];
static int cpus_stop;
static void *(*cpu_work)(void *);

static void *cpu_main(void *arg)
{
	this_cpu_id = (unsigned int)(uintptr_t)arg;
	if (cpu_work)
		cpu_work(arg);
	while (!__atomic_load_n(&cpus_stop, __ATOMIC_ACQUIRE))
		if (!poll_ipi())
			sched_yield();
	return NULL;
}

static void cpus_start(void *(*work)(void *))
{
	this_cpu_id = 0;
	cpu_work = work;
	__atomic_store_n(&cpus_stop, 0, __ATOMIC_RELEASE);
	for (uintptr_t cpu = 1; cpu < NCPUS; cpu++)
		if (pthread_create(&cpu_threads[cpu], NULL, cpu_main, (void *)cpu))
			abort();
}

static void cpus_stop_all(void)
{
	__atomic_store_n(&cpus_stop, 1, __ATOMIC_RELEASE);
	for (unsigned int cpu = 1; cpu < NCPUS; cpu++)
		pthread_join(cpu_threads[cpu], NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- what the called functions record ---- */

static atomic_t ran_on[NCPUS];
static atomic_t irqs_were_on;

static void reset_counts(void)
{
	for (unsigned int i = 0; i < NCPUS; i++)
		atomic_set(&ran_on[i], 0);
	atomic_set(&irqs_were_on, 0);
}

static void count_cpu(void *info)
{
	(void)info;
	if (!host_irq_disabled)
		atomic_inc(&irqs_were_on);
	atomic_inc(&ran_on[smp_processor_id()]);
}

/* Slow on purpose, and stores a result the waiting caller must see. */
static void slow_store(void *info)
{
	int *slots = info;

	usleep(2000 * (smp_processor_id() + 1));
	slots[smp_processor_id()] = 100 + (int)smp_processor_id();
}

/* ---- cases ---- */

static void cpumask_ops(void)
{
	struct cpumask m;
	unsigned int cpu, n = 0, seen[8];

	cpumask_clear(&m);
	CHECK(cpumask_empty(&m));
	CHECK_EQ(cpumask_first(&m), NR_CPUS);
	cpumask_set_cpu(0, &m);
	cpumask_set_cpu(5, &m);
	__cpumask_set_cpu(63, &m);
	cpumask_set_cpu(5, &m);
	CHECK_EQ(cpumask_weight(&m), 3);
	CHECK(cpumask_test_cpu(5, &m));
	CHECK(!cpumask_test_cpu(6, &m));
	CHECK(!cpumask_test_cpu(NR_CPUS, &m));
	for_each_cpu(cpu, &m)
		seen[n++] = cpu;
	CHECK_EQ(n, 3);
	CHECK(seen[0] == 0 && seen[1] == 5 && seen[2] == 63);
	CHECK_EQ(cpumask_next(5, &m), 63);
	CHECK_EQ(cpumask_next(63, &m), NR_CPUS);
	cpumask_clear_cpu(0, &m);
	CHECK_EQ(cpumask_first(&m), 5);
	struct cpumask c;
	cpumask_copy(&c, &m);
	CHECK_EQ(cpumask_weight(&c), 2);
}

static void single_runs_once_on_the_target_with_irqs_masked(void)
{
	reset_counts();
	cpus_start(NULL);
	for (unsigned int cpu = 1; cpu < NCPUS; cpu++)
		CHECK_EQ(smp_call_function_single(cpu, count_cpu, NULL, true), 0);
	for (unsigned int cpu = 0; cpu < NCPUS; cpu++)
		CHECK_EQ(atomic_read(&ran_on[cpu]), cpu ? 1 : 0);
	CHECK_EQ(atomic_read(&irqs_were_on), 0);
	cpus_stop_all();
}

static void single_on_self_runs_directly(void)
{
	reset_counts();
	host_irq_disabled = 0;
	long k0 = atomic_long_read(&kicks_sent);
	/* No other CPU runs: a call to ourselves must not need one. */
	CHECK_EQ(smp_call_function_single(0, count_cpu, NULL, true), 0);
	CHECK_EQ(atomic_read(&ran_on[0]), 1);
	CHECK_EQ(atomic_read(&irqs_were_on), 0); /* masked during the call */
	CHECK_EQ(host_irq_disabled, 0);          /* and restored after */
	CHECK_EQ(atomic_long_read(&kicks_sent), k0);
}

static void single_to_offline_cpu_fails(void)
{
	reset_counts();
	CHECK_EQ(smp_call_function_single(NCPUS, count_cpu, NULL, true), -ENODEV);
	CHECK_EQ(smp_call_function_single(NR_CPUS, count_cpu, NULL, false), -ENODEV);
	CHECK_EQ(smp_call_function_single(~0U, count_cpu, NULL, false), -ENODEV);
	for (unsigned int cpu = 0; cpu < NCPUS; cpu++)
		CHECK_EQ(atomic_read(&ran_on[cpu]), 0);
}

static void wait_returns_after_every_target_ran(void)
{
	int slots[NCPUS] = { 0 };

	cpus_start(NULL);
	on_each_cpu(slow_store, slots, true);
	/* Plain reads: the wait's acquire makes the targets' stores visible. */
	for (unsigned int cpu = 0; cpu < NCPUS; cpu++)
		CHECK_EQ(slots[cpu], 100 + (int)cpu);

	memset(slots, 0, sizeof(slots));
	smp_call_function_single(3, slow_store, slots, true);
	CHECK_EQ(slots[3], 103);
	CHECK_EQ(slots[1], 0);
	cpus_stop_all();
}

static void many_skips_self_and_offline_cpus(void)
{
	struct cpumask m;

	reset_counts();
	cpus_start(NULL);
	cpumask_clear(&m);
	cpumask_set_cpu(0, &m);
	cpumask_set_cpu(1, &m);
	cpumask_set_cpu(3, &m);
	cpumask_set_cpu(9, &m); /* not online */
	smp_call_function_many(&m, count_cpu, NULL, true);
	CHECK_EQ(atomic_read(&ran_on[0]), 0);
	CHECK_EQ(atomic_read(&ran_on[1]), 1);
	CHECK_EQ(atomic_read(&ran_on[2]), 0);
	CHECK_EQ(atomic_read(&ran_on[3]), 1);

	on_each_cpu_mask(&m, count_cpu, NULL, true);
	CHECK_EQ(atomic_read(&ran_on[0]), 1);
	CHECK_EQ(atomic_read(&ran_on[1]), 2);
	CHECK_EQ(atomic_read(&ran_on[2]), 0);
	CHECK_EQ(atomic_read(&ran_on[3]), 2);

	smp_call_function(count_cpu, NULL, true);
	CHECK_EQ(atomic_read(&ran_on[0]), 1);
	CHECK_EQ(atomic_read(&ran_on[2]), 1);

	cpumask_clear(&m);
	smp_call_function_many(&m, count_cpu, NULL, true); /* nothing to do, returns */
	CHECK_EQ(atomic_read(&irqs_were_on), 0);
	cpus_stop_all();
}

#define FIFO_CALLS (3 * SMP_CALL_QUEUE_LEN)

static int fifo_seq[FIFO_CALLS];
static unsigned int fifo_n;

static void record_seq(void *info)
{
	fifo_seq[fifo_n++] = (int)(uintptr_t)info; /* only CPU 2 runs these */
}

static void *unhold_later(void *arg)
{
	(void)arg;
	usleep(50000);
	__atomic_store_n(&hold[2], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&kick[2], 1, __ATOMIC_RELEASE);
	return NULL;
}

static void nowait_calls_run_in_order_through_a_full_queue(void)
{
	unsigned long ran0, kicks0, ran1, kicks1;
	pthread_t t;

	cpus_start(NULL);
	__atomic_store_n(&hold[2], 1, __ATOMIC_RELEASE);
	smp_call_stats(2, &ran0, &kicks0);
	/* Fill CPU 2's queue while it does not listen: one kick, for the first call only. */
	for (int i = 0; i < SMP_CALL_QUEUE_LEN; i++)
		CHECK_EQ(smp_call_function_single(2, record_seq, (void *)(uintptr_t)i, false), 0);
	smp_call_stats(2, &ran1, &kicks1);
	CHECK_EQ(kicks1 - kicks0, 1);
	CHECK_EQ(ran1 - ran0, 0);
	CHECK_EQ(fifo_n, 0);
	/* The queue is full: the next call waits for room, which comes once CPU 2 listens again. */
	pthread_create(&t, NULL, unhold_later, NULL);
	for (int i = SMP_CALL_QUEUE_LEN; i < FIFO_CALLS - 1; i++)
		smp_call_function_single(2, record_seq, (void *)(uintptr_t)i, false);
	smp_call_function_single(2, record_seq, (void *)(uintptr_t)(FIFO_CALLS - 1), true);
	pthread_join(t, NULL);
	CHECK_EQ(fifo_n, FIFO_CALLS);
	for (int i = 0; i < FIFO_CALLS; i++)
		CHECK_EQ(fifo_seq[i], i);
	smp_call_stats(2, &ran1, NULL);
	CHECK_EQ(ran1 - ran0, FIFO_CALLS);
	cpus_stop_all();
}

/* Many-to-many: every CPU calls every other, some waiting, some not, nested self-service. */
#define STRESS_ROUNDS 2000

static atomic_t stress_hits[NCPUS][NCPUS]; /* [caller][target] */
static unsigned int stress_expect[NCPUS][NCPUS];
static atomic_t stress_done;
static atomic_t stress_ready; /* all CPUs start together */

static void stress_fn(void *info)
{
	unsigned int caller = (unsigned int)(uintptr_t)info;

	if (!host_irq_disabled)
		atomic_inc(&irqs_were_on);
	atomic_inc(&stress_hits[caller][smp_processor_id()]);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void *stress_work(void *arg)
{
	unsigned int self = (unsigned int)(uintptr_t)arg;
	uint32_t seed = 12345 + self;
	void *me = (void *)(uintptr_t)self;

	atomic_inc(&stress_ready);
	while (atomic_read_acquire(&stress_ready) < NCPUS)
		sched_yield();
	for (int r = 0; r < STRESS_ROUNDS; r++) {
		uint32_t x = lcg(&seed);
		bool wait = x & 1;
		unsigned int target = (x >> 1) % NCPUS;
		struct cpumask m;

		switch ((x >> 4) % 4) {
		case 0:
			smp_call_function_single(target, stress_fn, me, wait);
			break;
		case 1:
			cpumask_clear(&m);
			for (unsigned int c = 0; c < NCPUS; c++)
				if ((x >> (8 + c)) & 1)
					cpumask_set_cpu(c, &m);
			smp_call_function_many(&m, stress_fn, me, wait);
			break;
		case 2:
			cpumask_clear(&m);
			for (unsigned int c = 0; c < NCPUS; c++)
				if ((x >> (8 + c)) & 1)
					cpumask_set_cpu(c, &m);
			on_each_cpu_mask(&m, stress_fn, me, wait);
			break;
		default:
			on_each_cpu(stress_fn, me, wait);
			break;
		}
		poll_ipi();
	}
	/* FIFO per queue: this waited call to everybody comes after all our earlier ones. */
	smp_call_function(stress_fn, me, true);
	atomic_inc(&stress_done);
	return NULL;
}

static void expected_totals(void)
{
	for (unsigned int self = 0; self < NCPUS; self++) {
		uint32_t seed = 12345 + self;

		for (int r = 0; r < STRESS_ROUNDS; r++) {
			uint32_t x = lcg(&seed);
			unsigned int target = (x >> 1) % NCPUS;

			switch ((x >> 4) % 4) {
			case 0:
				stress_expect[self][target]++;
				break;
			case 1:
			case 2:
				for (unsigned int c = 0; c < NCPUS; c++)
					if (((x >> (8 + c)) & 1) &&
					    (c != self || (x >> 4) % 4 == 2))
						stress_expect[self][c]++;
				break;
			default:
				for (unsigned int c = 0; c < NCPUS; c++)
					stress_expect[self][c]++;
				break;
			}
		}
		/* The final smp_call_function(): every CPU but the caller. */
		for (unsigned int c = 0; c < NCPUS; c++)
			stress_expect[self][c] += c != self;
	}
}

static void many_to_many_stress_counts_exactly(void)
{
	double t0 = now();
	unsigned long ran_total = 0, kicks_total = 0;

	reset_counts();
	expected_totals();
	cpus_start(stress_work);
	stress_work((void *)(uintptr_t)0);
	/* Serve the others until they are all done too. */
	while (atomic_read(&stress_done) < NCPUS)
		if (!poll_ipi())
			sched_yield();
	cpus_stop_all();

	for (unsigned int s = 0; s < NCPUS; s++)
		for (unsigned int t = 0; t < NCPUS; t++)
			CHECK_EQ(atomic_read(&stress_hits[s][t]), stress_expect[s][t]);
	CHECK_EQ(atomic_read(&irqs_were_on), 0);
	for (unsigned int c = 0; c < NCPUS; c++) {
		unsigned long ran, kicks;

		smp_call_stats(c, &ran, &kicks);
		ran_total += ran;
		kicks_total += kicks;
	}
	printf("# %d rounds x %d CPUs in %.3f s; %lu queued calls ran, %lu kicks\n", STRESS_ROUNDS,
	       NCPUS, now() - t0, ran_total, kicks_total);
}

static const struct tap_case cases[] = {
	TAP_CASE(cpumask_ops),
	TAP_CASE(single_runs_once_on_the_target_with_irqs_masked),
	TAP_CASE(single_on_self_runs_directly),
	TAP_CASE(single_to_offline_cpu_fails),
	TAP_CASE(wait_returns_after_every_target_ran),
	TAP_CASE(many_skips_self_and_offline_cpus),
	TAP_CASE(nowait_calls_run_in_order_through_a_full_queue),
	TAP_CASE(many_to_many_stress_counts_exactly),
};

TAP_MAIN("smp_call", cases)
