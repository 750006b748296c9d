// SPDX-License-Identifier: BSD-2-Clause
// arm64 side of paging_init(): one format (4 KiB granule, 48-bit VA, 4 levels), TTBR1 for the
// kernel half, TTBR0 left pointing at an empty table for the address spaces of later issues.
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/errno.h>
#include <platform/exit.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <mm/memblock.h>

void arm64_replace_ttbr1(uint64_t ttbr1, uint64_t empty, uint64_t voffset);

static phys_addr_t empty_table;
#ifdef EARLY_UART_PL011
extern volatile uint32_t *arm64_early_uart;
static volatile uint32_t *pending_early_uart;
#endif

unsigned int arch_phys_bits(const struct pgtable_cfg *cfg)
{
	/* PARange encodings (Arm ARM D19.2.64); 52 needs LPA2/64 KiB pages, which we do not use. */
	static const unsigned int bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t mmfr0;
	unsigned int pa;

	(void)cfg;
	__asm__("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	pa = (mmfr0 & 0xf) < ARRAY_SIZE(bits) ? bits[mmfr0 & 0xf] : 48;
	return MIN(pa, 48u);
}

const char *arch_pgtable_name(const struct pgtable_cfg *cfg)
{
	(void)cfg;
	return "arm64-4k-48";
}

int arch_pgtable_candidates(const struct boot_info *bi, const struct bootargs *ba,
			    struct pgtable_cfg *out, int max)
{
	(void)bi;
	if (max < 1)
		return -EINVAL;
	if (ba->pgtable != BOOTARGS_PGTABLE_AUTO) {
		pr_err("bootargs: pgtable=sv%d is a RISC-V format; arm64 has 4 KiB granule, 48-bit "
		       "VA (pgtable=auto)\n", 12 + 9 * (int)ba->pgtable);
		invalid_input();
	}
	out[0] = (struct pgtable_cfg){ .levels = 4 };
	return 1;
}

int arch_paging_prepare(void)
{
	if (!empty_table) {
		empty_table = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!empty_table)
			return -ENOMEM;
		memset(__va(empty_table), 0, PAGE_SIZE);
	}
#ifdef EARLY_UART_PL011
	if (arm64_early_uart) {
		pending_early_uart = ioremap(EARLY_UART_BASE, PAGE_SIZE);
		if (!pending_early_uart)
			return -ENOMEM;
	}
#endif
	return 0;
}

extern uint64_t arm64_smp_boot_ttbr1, arm64_smp_boot_ttbr0;

bool arch_install_pgtable(const struct pgtable *pt)
{
	arm64_replace_ttbr1(pt->root, empty_table, kimage_voffset);
	/* Secondary CPUs make the same swap (head.S, arm64_secondary_entry). */
	arm64_smp_boot_ttbr1 = pt->root;
	arm64_smp_boot_ttbr0 = empty_table;
	return true;
}

void arch_switch_mm(struct pgtable *pt)
{
	uint64_t ttbr0 = pt ? pt->root | (uint64_t)pt->asid << 48 : empty_table;

	/* The old ASID's entries stay tagged; nothing to flush for the switch itself. */
	__asm__ volatile("dsb ishst\n\tmsr ttbr0_el1, %0\n\tisb" ::"r"(ttbr0) : "memory");
	if (!pt)
		__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
}

void arch_paging_commit(void)
{
#ifdef EARLY_UART_PL011
	arm64_early_uart = pending_early_uart;
#endif
}
