// SPDX-License-Identifier: BSD-2-Clause
// riscv64 CPU start through SBI HSM: hart_start at the physical address of
// riscv_secondary_entry, with the per-cpu boot slots head.S reads before it has a stack.
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/smp.h>
#include <arch/sbi.h>

extern char riscv_secondary_entry[];
extern uint64_t riscv_smp_boot_sp[NR_CPUS], riscv_smp_boot_tp[NR_CPUS];

_Static_assert(NR_CPUS == 64, "head.S sizes riscv_smp_boot_sp/tp for 64 cpus");

static uintptr_t prepared_sp, prepared_tp;

void arch_cpu_prepare(uintptr_t stack_top, uintptr_t tls)
{
	prepared_sp = stack_top;
	prepared_tp = tls;
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid)
{
	if (!sbi_info.has_hsm)
		return -EOPNOTSUPP;
	/*
	 * Slots of its own, indexed by the cpu number hart_start hands it: one that comes up after
	 * smp_init() gave up waiting must not read the stack meant for the next cpu.
	 */
	riscv_smp_boot_sp[cpu] = prepared_sp;
	riscv_smp_boot_tp[cpu] = prepared_tp;
	/* The new hart reads the slots with its MMU off: make the stores visible first. */
	__asm__ volatile("fence rw, rw" ::: "memory");
	return sbi_hart_start(hwid, __pa_symbol(riscv_secondary_entry), cpu);
}
