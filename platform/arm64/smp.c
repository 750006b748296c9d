// SPDX-License-Identifier: BSD-2-Clause
// arm64 CPU start by the tree's enable method: PSCI CPU_ON, or a spin-table release (the cpu
// waits in firmware polling its cpu-release-addr, Documentation/arch/arm64/booting.rst), at the
// physical address of our secondary entry, with the boot slots head.S reads while the new
// CPU's MMU and data cache are still off.
#include <string.h>

#include <platform/bootinfo.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <arch/psci.h>

extern char arm64_secondary_entry[], arm64_spin_table_entry[];
extern uint64_t arm64_boot_tcr, arm64_smp_boot_sp, arm64_smp_boot_tp, arm64_smp_boot_cpu;

/* The slots share one cache line, read by a CPU whose data cache is off: clean it to PoC. */
static void clean_boot_slots(void)
{
	__asm__ volatile("dc cvac, %0\n\tdsb sy" ::"r"(&arm64_boot_tcr) : "memory");
}

void arch_cpu_prepare(uintptr_t stack_top, uintptr_t tls)
{
	arm64_smp_boot_sp = stack_top;
	arm64_smp_boot_tp = tls;
	clean_boot_slots();
}

static int spin_table_release(unsigned int cpu, const struct bi_cpu *c)
{
	volatile uint64_t *mailbox;

	/* The holding pen enters with x0 = 0: the logical number travels in a boot slot. */
	arm64_smp_boot_cpu = cpu;
	clean_boot_slots();
	/*
	 * Device memory, so the store reaches RAM where the pen reads it with its cache off; the
	 * mapping is kept (a few bytes of the ioremap region per cpu, once per boot).
	 */
	mailbox = ioremap(c->release_addr, sizeof(uint64_t));
	if (!mailbox)
		return -ENOMEM;
	*mailbox = __pa_symbol(arm64_spin_table_entry);
	__asm__ volatile("dsb sy\n\tsev" ::: "memory");
	pr_info("smp: cpu%u (hwid 0x%llx): spin-table release at 0x%llx\n", cpu,
		(unsigned long long)c->hwid, (unsigned long long)c->release_addr);
	return 0;
}

int arch_cpu_start(unsigned int cpu, const struct bi_cpu *c)
{
	if (!strcmp(c->enable_method, "spin-table"))
		return spin_table_release(cpu, c);
	return psci_cpu_on(c->hwid, __pa_symbol(arm64_secondary_entry), cpu);
}

const char *arch_cpu_unusable(const struct bi_cpu *c)
{
	static char why[96];

	if (!strcmp(c->enable_method, "spin-table"))
		return c->release_addr ? NULL :
					 "spin-table without a (usable) cpu-release-addr: nothing to "
					 "release it through";
	if (!strcmp(c->enable_method, "psci"))
		return strcmp(psci_conduit_name(), "none") ? NULL :
							       "enable-method \"psci\" but no /psci "
							       "conduit in the tree";
	scnprintf(why, sizeof(why), "enable-method \"%s\" is neither psci nor spin-table",
		  c->enable_method[0] ? c->enable_method : "(absent)");
	return why;
}
