// SPDX-License-Identifier: BSD-2-Clause
// CPUs: bring-up of every CPU the tree lists, per-CPU areas, the current CPU's id.
// Each CPU's area holds its struct percpu followed by its TLS block; the arch thread pointer
// (riscv tp, arm64 TPIDR_EL0) points at the TLS block, so the per-CPU data is found from it
// without a register of its own.
#ifndef ZONEDEV_PLATFORM_SMP_H
#define ZONEDEV_PLATFORM_SMP_H

#include <platform/types.h>

#define NR_CPUS 64
#define PERCPU_TLS_OFFSET 64
#define PERCPU_TLS_SIZE 256

/**
 * struct percpu - one CPU's own data (64 bytes, the head of its per-CPU area)
 * @cpu: logical id (0 = boot CPU, then tree order)
 * @hwid: hart id / MPIDR affinity
 * @ipis: IPIs received
 * @tlb_flushes: local TLB flushes done for remote requests
 * @calls: cross-CPU calls run
 * @stack_top: top of this CPU's stack (the trap entry reads it to catch stack overflows)
 * @_pad: _pad[0] is the trap entry's scratch word (riscv64)
 */
struct percpu {
	unsigned int cpu;
	unsigned int _pad0;
	uint64_t hwid;
	unsigned long ipis;
	unsigned long tlb_flushes;
	unsigned long calls;
	uintptr_t stack_top;
	unsigned long _pad[2];
};

_Static_assert(sizeof(struct percpu) == PERCPU_TLS_OFFSET, "struct percpu is the area's head");

struct percpu_area {
	struct percpu pc;
	uint8_t tls[PERCPU_TLS_SIZE];
} __attribute__((aligned(64)));

extern struct percpu_area percpu_areas[NR_CPUS];

/** arch_thread_pointer() - the TLS block of the running CPU (tp / TPIDR_EL0). */
uintptr_t arch_thread_pointer(void);

static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)(arch_thread_pointer() - PERCPU_TLS_OFFSET);
}

static inline struct percpu *per_cpu(unsigned int cpu)
{
	return &percpu_areas[cpu].pc;
}

/** smp_processor_id() - logical id of the running CPU. */
unsigned int smp_processor_id(void);

/** cpu_online() / num_online_cpus() / num_possible_cpus(): what smp_init() brought up. */
bool cpu_online(unsigned int cpu);
unsigned int num_online_cpus(void);
unsigned int num_possible_cpus(void);

/**
 * smp_init() - start every available CPU of the tree but the boot one, one at a time
 *
 * Each gets a stack with an unmapped guard page below it, its TLS block, the trap vector and
 * the kernel page tables, and reports in; one that does not within a timeout is reported and
 * the rest go on.
 * Return: number of CPUs online (boot CPU included).
 */
unsigned int smp_init(void);

struct bi_cpu;

/**
 * arch_cpu_start() - start the tree's cpu @c (its enable method: PSCI CPU_ON or a spin-table
 * release on arm64, SBI HSM on riscv64) at the secondary entry as logical CPU @cpu; the entry
 * takes its stack and thread pointer from the arch's boot slots, which arch_cpu_prepare() fills.
 * Return: 0 or a negative errno (firmware error converted).
 */
int arch_cpu_start(unsigned int cpu, const struct bi_cpu *c);

/**
 * arch_cpu_unusable() - why the tree's cpu @c cannot run this kernel (a riscv64 hart without an
 * MMU, or one that cannot walk the kernel's table; an arm64 cpu whose enable method we cannot
 * use), or NULL when it can. Such a cpu is left alone.
 */
const char *arch_cpu_unusable(const struct bi_cpu *c);
void arch_cpu_prepare(uintptr_t stack_top, uintptr_t tls);

/**
 * arch_send_ipi() - interrupt CPU @cpu (riscv64: SBI IPI; arm64: a GIC SGI); the target's
 * interrupt handler calls smp_ipi_received().
 */
void arch_send_ipi(unsigned int cpu);
/** arch_ipi_init() - make the running CPU accept IPIs. Return: 0 or negative errno. */
int arch_ipi_init(void);
/** smp_ipi_received() - called by the arch interrupt handler for every IPI. */
void smp_ipi_received(void);
/** smp_ipis_available() - the boot CPU could set up IPIs. */
bool smp_ipis_available(void);

/** secondary_start_kernel() - C entry of a secondary CPU, on its own stack, final tables on. */
__noreturn void secondary_start_kernel(unsigned int cpu, uint64_t hwid);

#endif
