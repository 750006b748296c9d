// SPDX-License-Identifier: BSD-2-Clause
// riscv64 CPU start through SBI HSM: hart_start at the physical address of
// riscv_secondary_entry, with the per-cpu boot slots head.S reads before it has a stack.
#include <string.h>

#include <platform/arch.h>
#include <platform/bootinfo.h>
#include <platform/errno.h>
#include <platform/paging.h>
#include <platform/printk.h>
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

int arch_cpu_start(unsigned int cpu, const struct bi_cpu *c)
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
	return sbi_hart_start(c->hwid, __pa_symbol(riscv_secondary_entry), cpu);
}

int riscv_mmu_type_levels(const char *mmu_type);

/* Page-table levels an "mmu-type" walks at most; 0 for none ("riscv,none", absent). */
int riscv_mmu_type_levels(const char *mmu_type)
{
	if (!strcmp(mmu_type, "riscv,sv39"))
		return 3;
	if (!strcmp(mmu_type, "riscv,sv48"))
		return 4;
	if (!strcmp(mmu_type, "riscv,sv57"))
		return 5;
	return 0;
}

const char *arch_cpu_unusable(const struct bi_cpu *c)
{
	static char why[96];
	int levels = riscv_mmu_type_levels(c->mmu_type);

	/* The sifive_u E51 and its kind: M-mode monitor cores with no S-mode and no MMU. */
	if (!levels)
		return c->mmu_type[0] ? "mmu-type names no MMU: a hart that cannot run a kernel" :
					"no mmu-type: a hart without an MMU (a monitor core)";
	if (paging_installed() && levels < kernel_pgtable.cfg.levels) {
		scnprintf(why, sizeof(why), "its MMU (%s) cannot walk the kernel's %s table",
			  c->mmu_type, arch_pgtable_name(&kernel_pgtable.cfg));
		return why;
	}
	return NULL;
}
