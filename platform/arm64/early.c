// SPDX-License-Identifier: BSD-2-Clause
// The boot page tables head.S turns the MMU on with (4 KiB granule, 48-bit VA): TTBR0 maps the
// low 512 GiB identity with 1 GiB blocks, Device-nGnRE except the blocks holding the image and
// the device tree, which are Normal write-back; TTBR1 maps the image at its link address with
// 2 MiB blocks. The final tables (page-table issue) replace them. Runs at the load address with
// the MMU off: PC-relative addressing only, no pointer tables.
#include <platform/memory.h>
#include <platform/types.h>

#define DESC_TABLE 3ULL
#define DESC_BLOCK 1ULL
#define ATTR_IDX(i) ((uint64_t)(i) << 2)
#define SH_INNER (3ULL << 8)
#define AF (1ULL << 10)
#define PXN (1ULL << 53)
#define UXN (1ULL << 54)
/* MAIR indices, shared with the final tables: 0 Normal-WB, 1 Normal-WT, 2 Normal-NC, 3 Device. */
#define MT_NORMAL 0
#define MT_DEVICE_nGnRE 3

#define TCR_T0SZ(n) ((uint64_t)(n) << 0)
#define TCR_T1SZ(n) ((uint64_t)(n) << 16)
#define TCR_WBWA_INNER_SHAREABLE ((1ULL << 8) | (1ULL << 10) | (3ULL << 12) | \
				  (1ULL << 24) | (1ULL << 26) | (3ULL << 28))
#define TCR_TG0_4K (0ULL << 14)
#define TCR_TG1_4K (2ULL << 30)
#define TCR_IPS_SHIFT 32

uint64_t arm64_early_map(uintptr_t load_pa, uintptr_t link_va, uintptr_t dtb_pa);

uint64_t early_id_l0[512] __attribute__((aligned(4096)));
static uint64_t early_id_l1[512] __attribute__((aligned(4096)));
uint64_t early_k_l0[512] __attribute__((aligned(4096)));
static uint64_t early_k_l1[512] __attribute__((aligned(4096)));
static uint64_t early_k_l2[512] __attribute__((aligned(4096)));

extern char _start[], _end[];

uint64_t arm64_early_map(uintptr_t load_pa, uintptr_t link_va, uintptr_t dtb_pa)
{
	uintptr_t image_size = (uintptr_t)_end - (uintptr_t)_start;
	uint64_t normal = DESC_BLOCK | ATTR_IDX(MT_NORMAL) | SH_INNER | AF;
	uint64_t device = DESC_BLOCK | ATTR_IDX(MT_DEVICE_nGnRE) | AF | PXN | UXN;
	uint64_t mmfr0;

	for (uint64_t i = 0; i < 512; i++) {
		bool ram = i == (load_pa >> 30) || (dtb_pa && i == (dtb_pa >> 30));
		early_id_l1[i] = (i << 30) | (ram ? normal : device);
	}
	early_id_l0[0] = (uint64_t)(uintptr_t)early_id_l1 | DESC_TABLE;

	early_k_l0[(link_va >> 39) & 511] = (uint64_t)(uintptr_t)early_k_l1 | DESC_TABLE;
	early_k_l1[(link_va >> 30) & 511] = (uint64_t)(uintptr_t)early_k_l2 | DESC_TABLE;
	for (uintptr_t off = 0; off < image_size; off += SZ_2M)
		early_k_l2[((link_va + off) >> 21) & 511] = (load_pa + off) | normal;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	uint64_t ips = mmfr0 & 7; /* PARange encodes the same values as TCR.IPS */
	return TCR_T0SZ(16) | TCR_T1SZ(16) | TCR_WBWA_INNER_SHAREABLE | TCR_TG0_4K | TCR_TG1_4K |
	       ips << TCR_IPS_SHIFT;
}

/*
 * Called with the MMU on (from console_early_init()), not from head.S. A console UART in a GiB
 * the boot map made Normal (the image's or the tree's: on a Raspberry Pi 3 the peripherals share
 * the first GiB with RAM) gets that GiB split into 2 MiB blocks, the UART's one Device memory.
 * One such split is all the early console needs.
 */
static uint64_t early_id_l2[512] __attribute__((aligned(4096)));

uintptr_t arch_early_ioremap(phys_addr_t pa)
{
	uint64_t normal = DESC_BLOCK | ATTR_IDX(MT_NORMAL) | SH_INNER | AF;
	uint64_t device = DESC_BLOCK | ATTR_IDX(MT_DEVICE_nGnRE) | AF | PXN | UXN;
	uint64_t *l1e = &early_id_l1[(pa >> 30) & 511];
	uint64_t l2_pa = __pa_symbol(early_id_l2);

	if (pa >= (512ULL << 30))
		return 0;
	if ((*l1e & 3) == DESC_BLOCK && (*l1e & ATTR_IDX(7)) == ATTR_IDX(MT_DEVICE_nGnRE))
		return (uintptr_t)pa;
	if ((*l1e & 3) == DESC_TABLE) {
		if ((*l1e & ~0xfffULL & ((1ULL << 48) - 1)) != l2_pa)
			return 0;
		early_id_l2[(pa >> 21) & 511] = (pa & ~(uint64_t)(SZ_2M - 1)) | device;
		__asm__ volatile("dsb ishst\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
		return (uintptr_t)pa;
	}
	for (uint64_t i = 0; i < 512; i++)
		early_id_l2[i] = (((pa >> 30) << 30) + (i << 21)) | normal;
	early_id_l2[(pa >> 21) & 511] = (pa & ~(uint64_t)(SZ_2M - 1)) | device;
	/* Break before make: the old block leaves the TLB before the table replaces it. */
	*l1e = 0;
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
	*l1e = l2_pa | DESC_TABLE;
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
	return (uintptr_t)pa;
}
