// SPDX-License-Identifier: BSD-2-Clause
// The boot page table head.S turns the MMU on with: Sv39 (every riscv64 hart with an MMU has it),
// the low 256 GiB identity-mapped with 1 GiB leaves so the device tree and devices stay reachable
// at their physical addresses, and the image at its link address with 2 MiB leaves. The final
// tables (page-table issue) replace it. Runs at the load address with the MMU off: only
// PC-relative addressing, no pointer tables, no calls into other files.
#include <platform/types.h>

#define SATP_MODE_SV39 (8ULL << 60)
#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_G (1ULL << 5)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)
#define PTE_PPN_SHIFT 10
#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)

uint64_t riscv_early_map(uintptr_t load_pa, uintptr_t link_va);

static uint64_t early_root[512] __attribute__((aligned(4096)));
static uint64_t early_image_pmd[512] __attribute__((aligned(4096)));

extern char _start[], _end[];

uint64_t riscv_early_map(uintptr_t load_pa, uintptr_t link_va)
{
	/* _start/_end evaluate PC-relative here, i.e. to physical addresses. */
	uintptr_t image_size = (uintptr_t)_end - (uintptr_t)_start;
	uint64_t root_pa = (uint64_t)(uintptr_t)early_root;
	uint64_t pmd_pa = (uint64_t)(uintptr_t)early_image_pmd;

	for (uint64_t i = 0; i < 256; i++)
		early_root[i] = ((i << 30) >> 12) << PTE_PPN_SHIFT | LEAF_RWX;
	early_root[(link_va >> 30) & 511] = (pmd_pa >> 12) << PTE_PPN_SHIFT | PTE_V;
	for (uintptr_t off = 0; off < image_size; off += SZ_2M)
		early_image_pmd[((link_va + off) >> 21) & 511] =
			((load_pa + off) >> 12) << PTE_PPN_SHIFT | LEAF_RWX;
	return SATP_MODE_SV39 | (root_pa >> 12);
}
