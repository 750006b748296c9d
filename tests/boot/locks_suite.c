// SPDX-License-Identifier: BSD-2-Clause
// Suite "locks": spinlock and rwlock torture on every online CPU at once; totals must be exact.
#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/ktap.h>
#include <platform/rwlock.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <platform/spinlock.h>

#define TORTURE_ROUNDS 2000
/*
 * Beyond 8 CPUs the total, not the per-CPU count, stays that of 8: every round is a lock handoff,
 * and with tens of vCPUs on a few host cores each handoff waits for a thread to be scheduled.
 */
#define TORTURE_TOTAL (8 * TORTURE_ROUNDS)

/* Rounds per CPU for @n CPUs: a multiple of 4 (every 4th round of a writer writes). */
static int torture_rounds(unsigned int n)
{
	return n <= 8 ? TORTURE_ROUNDS : (int)(TORTURE_TOTAL / n) & ~3;
}

struct torture {
	spinlock_t lock;
	rwlock_t rw;
	unsigned long counter;	/* only under lock */
	unsigned long pair_a, pair_b; /* written together under rw (write) */
	unsigned long torn;	/* reads that saw pair_a != pair_b */
	unsigned long reads, writes;
	int rounds;		/* per CPU */
	int done;
	uint64_t insns[NR_CPUS];
};

static struct torture tt;

static void spin_torture(void *info)
{
	struct torture *t = info;
	uint64_t start = arch_insn_count();

	for (int i = 0; i < t->rounds; i++) {
		spin_lock(&t->lock);
		/* Non-atomic read-modify-write: a broken lock loses increments. */
		unsigned long v = t->counter;
		t->counter = v + 1;
		spin_unlock(&t->lock);
	}
	t->insns[smp_processor_id()] = arch_insn_count() - start;
	__atomic_fetch_add(&t->done, 1, __ATOMIC_RELEASE);
}

static void wait_done(struct torture *t, int want)
{
	while (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE) < want)
		cpu_relax();
}

static void spinlock_torture_exact_total(struct ktap_test *t)
{
	unsigned int n = num_online_cpus();

	tt = (struct torture){ .rounds = torture_rounds(n) };
	spin_lock_init(&tt.lock);
	on_each_cpu(spin_torture, &tt, true);
	wait_done(&tt, (int)n);
	KTAP_EXPECT_EQ(t, tt.counter, (unsigned long)n * (unsigned long)tt.rounds);
	ktap_printf("    # %u CPUs x %d rounds: counter %lu\n", n, tt.rounds, tt.counter);
	if (tt.insns[0])
		ktap_metric(n > 1 ? "spin_lock_contended_insns" : "spin_lock_single_cpu_insns",
			    tt.insns[0] / (uint64_t)tt.rounds, "insns");
}

static void spinlock_uncontended_cost(struct ktap_test *t)
{
	spinlock_t l;
	uint64_t start;

	spin_lock_init(&l);
	start = arch_insn_count();
	for (int i = 0; i < 1000; i++) {
		spin_lock(&l);
		spin_unlock(&l);
	}
	uint64_t per = (arch_insn_count() - start) / 1000;
	KTAP_EXPECT(t, !spin_is_locked(&l));
	KTAP_EXPECT(t, spin_trylock(&l));
	KTAP_EXPECT(t, !spin_trylock(&l));
	spin_unlock(&l);
	if (per)
		ktap_metric("spin_lock_uncontended_insns", per, "insns");
}

static void rw_torture(void *info)
{
	struct torture *t = info;
	bool writer = smp_processor_id() % 2 == 0;

	for (int i = 0; i < t->rounds; i++) {
		if (writer && i % 4 == 0) {
			write_lock(&t->rw);
			t->pair_a++;
			t->pair_b++;
			t->writes++;
			write_unlock(&t->rw);
		} else {
			read_lock(&t->rw);
			unsigned long a = READ_ONCE(t->pair_a);
			unsigned long b = READ_ONCE(t->pair_b);
			read_unlock(&t->rw);
			if (a != b)
				__atomic_fetch_add(&t->torn, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&t->reads, 1, __ATOMIC_RELAXED);
		}
	}
	__atomic_fetch_add(&t->done, 1, __ATOMIC_RELEASE);
}

static void rwlock_readers_see_whole_updates(struct ktap_test *t)
{
	unsigned int n = num_online_cpus();
	unsigned long writers = 0;

	tt = (struct torture){ .rounds = torture_rounds(n) };
	rwlock_init(&tt.rw);
	on_each_cpu(rw_torture, &tt, true);
	wait_done(&tt, (int)n);
	for (unsigned int cpu = 0; cpu < num_possible_cpus(); cpu++)
		writers += cpu_online(cpu) && cpu % 2 == 0;
	KTAP_EXPECT_EQ(t, tt.torn, 0);
	KTAP_EXPECT_EQ(t, tt.pair_a, writers * (unsigned long)(tt.rounds / 4));
	KTAP_EXPECT_EQ(t, tt.pair_a, tt.pair_b);
	KTAP_EXPECT_EQ(t, tt.reads + tt.writes, (unsigned long)n * (unsigned long)tt.rounds);
}

static unsigned long ran_on[NR_CPUS];

static void mark_cpu(void *info)
{
	(void)info;
	__atomic_fetch_add(&ran_on[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static void work_runs_on_one_some_all(struct ktap_test *t)
{
	unsigned int n = num_possible_cpus();

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		ran_on[cpu] = 0;
	for (unsigned int cpu = 0; cpu < n; cpu++)
		if (cpu_online(cpu))
			KTAP_EXPECT_EQ(t, smp_call_function_single(cpu, mark_cpu, NULL, true), 0);
	struct cpumask odd;
	cpumask_clear(&odd);
	for (unsigned int cpu = 1; cpu < n; cpu += 2)
		cpumask_set_cpu(cpu, &odd);
	on_each_cpu_mask(&odd, mark_cpu, NULL, true);
	on_each_cpu(mark_cpu, NULL, true);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		if (!cpu_online(cpu))
			continue;
		unsigned long want = 2 + (cpu % 2);
		if (ran_on[cpu] != want)
			ktap_fail(t, __FILE__, __LINE__, "cpu%u ran %lu calls, want %lu", cpu,
				  ran_on[cpu], want);
	}
}

static const struct ktap_case locks_cases[] = {
	KTAP_CASE(spinlock_uncontended_cost),
	KTAP_CASE(spinlock_torture_exact_total),
	KTAP_CASE(rwlock_readers_see_whole_updates),
	KTAP_CASE(work_runs_on_one_some_all),
};

const struct ktap_suite locks_suite = {
	.name = "locks",
	.cases = locks_cases,
	.nr_cases = ARRAY_SIZE(locks_cases),
};
