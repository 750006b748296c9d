// SPDX-License-Identifier: BSD-2-Clause
// Persistence flush on arm64: DC CVAP where FEAT_DPB is implemented, else DC CVAC.
#include <platform/cacheflush.h>

#include <arch/sysreg.h>

static bool have_cvap;
static unsigned int dline = 64;
static unsigned long lines;

void cacheflush_init(const struct boot_info *bi)
{
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
	uint64_t ctr = read_sysreg(ctr_el0);

	(void)bi;
	have_cvap = (isar1 & 0xf) >= 1; /* ID_AA64ISAR1_EL1.DPB, bits [3:0] */
	dline = 4U << ((ctr >> 16) & 0xf); /* CTR_EL0.DminLine: log2 of words per line */
}

void arch_wb_cache_pmem(void *addr, size_t size)
{
	uintptr_t p, end = (uintptr_t)addr + size;

	for (p = (uintptr_t)addr & ~(uintptr_t)(dline - 1); p < end; p += dline) {
		if (have_cvap)
			/* DC CVAP by encoding: older assemblers want armv8.2-a for the name */
			__asm__ volatile("sys #3, c7, c12, #1, %0" : : "r"(p) : "memory");
		else
			__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
		lines++;
	}
	__asm__ volatile("dsb sy" ::: "memory");
}

const char *arch_pmem_flush_name(void)
{
	return have_cvap ? "dc cvap" : "dc cvac";
}

unsigned long arch_pmem_flush_lines(void)
{
	return lines;
}
