// SPDX-License-Identifier: BSD-2-Clause
// Suite "smp": every CPU of the tree came up, has its own per-CPU area, stack and TLS, and
// answers IPIs.
#include <string.h>

#include <arch/processor.h>
#include <platform/arch.h>
#include <platform/atomic.h>
#include <platform/boot.h>
#include <platform/bootinfo.h>
#include <platform/ktap.h>
#include <platform/smp.h>
#include <platform/smp_call.h>

static void all_cpus_online(struct ktap_test *t)
{
	unsigned int listed = 0, alone = 0;

	for (int i = 0; i < boot.bi.nr_cpus; i++) {
		const struct bi_cpu *c = &boot.bi.cpus[i];
		bool boot_cpu = c->hwid == (boot.boot_cpu_hwid & 0xff00ffffffULL);

		/* A cpu that cannot run us (no MMU, an enable method we lack) is left alone. */
		if (c->okay && !boot_cpu && arch_cpu_unusable(c))
			alone++;
		else
			listed += c->okay;
	}
	if (alone)
		ktap_printf("    # %u cpu(s) of the tree left alone (cannot run this kernel)\n", alone);
	KTAP_EXPECT_EQ(t, num_possible_cpus(), listed);
	KTAP_EXPECT_EQ(t, num_online_cpus(), listed);
	ktap_metric("cpus_online", num_online_cpus(), "count");
	for (unsigned int cpu = 0; cpu < num_possible_cpus(); cpu++)
		ktap_printf("    # cpu%u: hwid 0x%llx %s, stack top 0x%lx\n", cpu,
			    (unsigned long long)per_cpu(cpu)->hwid,
			    cpu_online(cpu) ? "online" : "OFFLINE",
			    (unsigned long)per_cpu(cpu)->stack_top);
}

static void per_cpu_areas_distinct(struct ktap_test *t)
{
	KTAP_EXPECT_EQ(t, smp_processor_id(), 0);
	KTAP_EXPECT(t, this_cpu() == per_cpu(0));
	for (unsigned int a = 0; a < num_possible_cpus(); a++) {
		KTAP_EXPECT_EQ(t, per_cpu(a)->cpu, a);
		for (unsigned int b = 0; b < a; b++) {
			KTAP_EXPECT(t, per_cpu(a)->hwid != per_cpu(b)->hwid);
			KTAP_EXPECT(t, per_cpu(a)->stack_top != per_cpu(b)->stack_top);
		}
	}
}

static bool wait_for(volatile unsigned long *counter, unsigned long want)
{
	/*
	 * Half a second per eight online CPUs: under TCG every vCPU is a host thread, and with
	 * dozens of them on a few host cores the target may wait that long for a host core.
	 */
	uint64_t start = arch_counter();
	uint64_t limit = arch_counter_hz() / 2 * (1 + num_online_cpus() / 8);

	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want) {
		if (arch_counter() - start > limit)
			return false;
		cpu_relax();
	}
	return true;
}

static void every_cpu_answers_ipis(struct ktap_test *t)
{
	if (!smp_ipis_available()) {
		ktap_skip(t, "no IPIs on this machine");
		return;
	}
	for (unsigned int cpu = 1; cpu < num_possible_cpus(); cpu++) {
		if (!cpu_online(cpu))
			continue;
		unsigned long before = per_cpu(cpu)->ipis;
		for (int i = 0; i < 10; i++) {
			arch_send_ipi(cpu);
			if (!wait_for(&per_cpu(cpu)->ipis, before + (unsigned long)i + 1)) {
				ktap_fail(t, __FILE__, __LINE__, "cpu%u did not take IPI %d", cpu, i);
				break;
			}
		}
	}
}

struct own_stack {
	unsigned long ran[NR_CPUS];
	unsigned long wrong;
};

/* What this CPU runs on is what was set up for it (not, say, the next CPU's stack and TLS). */
static void check_own_stack(void *info)
{
	struct own_stack *o = info;
	unsigned int cpu = smp_processor_id();
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t top = per_cpu(cpu)->stack_top;
	uintptr_t bottom = cpu ? top - 16 * 1024 : (uintptr_t)__stack_bottom;

	if (this_cpu()->cpu != cpu || sp > top || sp < bottom)
		__atomic_fetch_add(&o->wrong, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&o->ran[cpu], 1, __ATOMIC_RELAXED);
}

/*
 * Every CPU runs once on its own stack. A CPU that came up after smp_init() stopped waiting for
 * it used to take the boot slots already filled for the next one (seen with 512 vCPUs).
 */
static void every_cpu_runs_on_its_own_stack(struct ktap_test *t)
{
	static struct own_stack o;

	o = (struct own_stack){ 0 };
	on_each_cpu(check_own_stack, &o, true);
	KTAP_EXPECT_EQ(t, o.wrong, 0);
	for (unsigned int cpu = 0; cpu < num_possible_cpus(); cpu++)
		if (cpu_online(cpu) && !KTAP_EXPECT_EQ(t, o.ran[cpu], 1))
			ktap_printf("    # cpu%u ran the call %lu times\n", cpu, o.ran[cpu]);
}

#define YIELDS 32

static struct {
	unsigned long done;
	uint64_t ticks[NR_CPUS];
	bool sleeps[NR_CPUS];
} yields;

static void time_yields(void *info)
{
	unsigned int cpu = smp_processor_id();
	uint64_t start = arch_counter();

	(void)info;
	/*
	 * Inside a call, an IPI raised after the handler took its own stays pending: a yield
	 * must sleep all the same (riscv64 once woke from every such wfi at once).
	 */
	if (cpu != 0)
		arch_send_ipi(cpu);
	for (int i = 0; i < YIELDS; i++)
		arch_cpu_yield();
	yields.ticks[cpu] = arch_counter() - start;
	yields.sleeps[cpu] = arch_cpu_yield_sleeps();
	__atomic_fetch_add(&yields.done, 1, __ATOMIC_RELEASE);
}

/*
 * Spin-waits give the host core away: arch_cpu_yield() sleeps ~50 us where the arch can end a
 * sleep with a timer, and wakes again even inside a cross-CPU call (where the call's IPI is
 * still active: an arm64 timer interrupt no more urgent than the IPI would never end the WFI),
 * and sleeps there even with another IPI pending.
 */
static void yields_sleep_and_wake_in_calls(struct ktap_test *t)
{
	unsigned int others = 0, sleepers = 0;
	uint64_t min = ~0ULL, max = 0, us = arch_counter_hz() / 1000000;

	memset(&yields, 0, sizeof(yields));
	if (smp_ipis_available()) {
		for (unsigned int cpu = 1; cpu < num_possible_cpus(); cpu++) {
			if (cpu_online(cpu)) {
				KTAP_EXPECT_EQ(t, smp_call_function_single(cpu, time_yields, NULL,
									   false), 0);
				others++;
			}
		}
	}
	time_yields(NULL);
	if (!wait_for(&yields.done, others + 1)) {
		ktap_fail(t, __FILE__, __LINE__, "%lu of %u CPUs came back from %d yields in a call",
			  __atomic_load_n(&yields.done, __ATOMIC_ACQUIRE), others + 1, YIELDS);
		return;
	}
	for (unsigned int cpu = 0; cpu < num_possible_cpus(); cpu++) {
		if (!cpu_online(cpu) || (cpu && !smp_ipis_available()))
			continue;
		if (yields.sleeps[cpu]) {
			sleepers++;
			/* the timer fires no earlier than hz / 20000 ticks after it was set */
			KTAP_EXPECT(t, yields.ticks[cpu] >= YIELDS * (arch_counter_hz() / 20000));
		}
		min = yields.ticks[cpu] < min ? yields.ticks[cpu] : min;
		max = yields.ticks[cpu] > max ? yields.ticks[cpu] : max;
	}
	ktap_printf("    # %u of %u CPU(s) sleep in a yield; %d yields took %llu..%llu us\n",
		    sleepers, others + 1, YIELDS, (unsigned long long)(us ? min / us : 0),
		    (unsigned long long)(us ? max / us : 0));
}

static const struct ktap_case smp_cases[] = {
	KTAP_CASE(all_cpus_online),
	KTAP_CASE(per_cpu_areas_distinct),
	KTAP_CASE(every_cpu_answers_ipis),
	KTAP_CASE(every_cpu_runs_on_its_own_stack),
	KTAP_CASE(yields_sleep_and_wake_in_calls),
};

const struct ktap_suite smp_suite = {
	.name = "smp",
	.cases = smp_cases,
	.nr_cases = ARRAY_SIZE(smp_cases),
};
