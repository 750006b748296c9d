// SPDX-License-Identifier: BSD-2-Clause
// riscv64 CPU start through SBI HSM: hart_start at the physical address of
// riscv_secondary_entry, with the boot slots head.S reads before it has a stack.
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/smp.h>
#include <arch/sbi.h>

extern char riscv_secondary_entry[];
extern uint64_t riscv_smp_boot_sp, riscv_smp_boot_tp;

void arch_cpu_prepare(uintptr_t stack_top, uintptr_t tls)
{
	riscv_smp_boot_sp = stack_top;
	riscv_smp_boot_tp = tls;
	/* The new hart reads the slots with its MMU off: make the stores visible first. */
	__asm__ volatile("fence rw, rw" ::: "memory");
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid)
{
	if (!sbi_info.has_hsm)
		return -EOPNOTSUPP;
	return sbi_hart_start(hwid, __pa_symbol(riscv_secondary_entry), cpu);
}
