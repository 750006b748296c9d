// SPDX-License-Identifier: BSD-2-Clause
// arm64 CPU start through PSCI CPU_ON at the physical address of arm64_secondary_entry, with the
// boot slots head.S reads while the new CPU's MMU and data cache are still off.
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/smp.h>
#include <arch/psci.h>

extern char arm64_secondary_entry[];
extern uint64_t arm64_boot_tcr, arm64_smp_boot_sp, arm64_smp_boot_tp;

void arch_cpu_prepare(uintptr_t stack_top, uintptr_t tls)
{
	arm64_smp_boot_sp = stack_top;
	arm64_smp_boot_tp = tls;
	/*
	 * The slots share one cache line; the new CPU reads them with its data cache off, so clean
	 * the line to the point of coherency (the boot tables were written before our MMU was on).
	 */
	__asm__ volatile("dc cvac, %0\n\tdsb sy" ::"r"(&arm64_boot_tcr) : "memory");
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid)
{
	return psci_cpu_on(hwid, __pa_symbol(arm64_secondary_entry), cpu);
}
