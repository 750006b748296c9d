// SPDX-License-Identifier: BSD-2-Clause
// riscv64 IPIs: SBI IPI raises the supervisor software interrupt (SSIP) on the target hart.
#include <platform/errno.h>
#include <platform/smp.h>
#include <arch/csr.h>
#include <arch/sbi.h>

#define SIE_SSIE (1UL << 1)

int arch_ipi_init(void)
{
	if (!sbi_info.has_ipi)
		return -EOPNOTSUPP;
	csr_write(sip, 0);
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_SSIE) : "memory");
	return 0;
}

void arch_send_ipi(unsigned int cpu)
{
	uint64_t hart = per_cpu(cpu)->hwid;

	/* The mask is relative to its base: one bit, at the hart itself. */
	sbi_send_ipi(1UL, (unsigned long)hart);
}

/* Called from the trap handler for a supervisor software interrupt. */
void riscv_handle_ipi(void);

void riscv_handle_ipi(void)
{
	__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE) : "memory");
	smp_ipi_received();
}
