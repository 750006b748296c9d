// SPDX-License-Identifier: BSD-2-Clause
// riscv64 side of paging_init(): which Sv modes to try, satp, and the devices the arch maps.
#include <string.h>

#include <platform/smp.h>
#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/bootargs.h>
#include <platform/errno.h>
#include <platform/exit.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <arch/csr.h>

#define SATP_MODE_SHIFT 60
#define SATP_ASID_SHIFT 44

bool riscv_isa_has(const struct boot_info *bi, const char *ext);
void riscv_set_finisher(volatile uint32_t *finisher);
int riscv_mmu_type_levels(const char *mmu_type);

static volatile uint32_t *pending_finisher;

/* Secondary harts switch to the same table (head.S, riscv_secondary_entry). */
extern uint64_t riscv_smp_boot_satp;

unsigned int arch_phys_bits(const struct pgtable_cfg *cfg)
{
	/* Sv39, Sv48 and Sv57 PTEs all hold a 44-bit PPN: a 56-bit physical address. */
	(void)cfg;
	return 56;
}

const char *arch_pgtable_name(const struct pgtable_cfg *cfg)
{
	switch (cfg->levels) {
	case 3:
		return "sv39";
	case 4:
		return "sv48";
	case 5:
		return "sv57";
	default:
		return "sv?";
	}
}

int arch_pgtable_candidates(const struct boot_info *bi, const struct bootargs *ba,
			    struct pgtable_cfg *out, int max)
{
	bool svpbmt = riscv_isa_has(bi, "svpbmt");
	/* Sv48 by default (SPEC); a requested mode first, then the smaller ones it implies. */
	int first = ba->pgtable ? (int)ba->pgtable : 4;
	/* The tree's mmu-type is the largest mode the hart walks (an Sv39-only U54, say). */
	int most = riscv_mmu_type_levels(bi->mmu_type);
	int n = 0;

	if (most && first > most && ba->pgtable) {
		/*
		 * Asked for more than the tree says: QEMU 7.2's virt tree says riscv,sv48 for a
		 * CPU that walks Sv57 too. The hart decides: satp keeps a mode it lacks, and the
		 * next smaller format is tried.
		 */
		pr_warn("paging: pgtable=%s asked, the boot hart's mmu-type is \"%s\": trying it "
			"anyway\n", arch_pgtable_name(&(struct pgtable_cfg){ .levels = first }),
			bi->mmu_type);
	} else if (most && first > most) {
		pr_info("paging: the boot hart's mmu-type is \"%s\": %s at most\n", bi->mmu_type,
			arch_pgtable_name(&(struct pgtable_cfg){ .levels = most }));
		first = most;
	}
	for (int levels = first; levels >= 3 && n < max; levels--)
		out[n++] = (struct pgtable_cfg){ .levels = levels, .svpbmt = svpbmt };
	return n;
}

int arch_paging_prepare(void)
{
	pending_finisher = NULL;
	if (!boot.bi.finisher_base)
		return 0;
	pending_finisher = ioremap(boot.bi.finisher_base, sizeof(uint32_t));
	return pending_finisher ? 0 : -ENOMEM;
}

bool arch_install_pgtable(const struct pgtable *pt)
{
	uint64_t mode = pt->cfg.levels == 3 ? 8 : pt->cfg.levels == 4 ? 9 : 10;
	uint64_t satp = mode << SATP_MODE_SHIFT | (uint64_t)pt->asid << SATP_ASID_SHIFT |
			pt->root >> PAGE_SHIFT;

	/* A mode the hart does not implement leaves satp unchanged (priv. spec, satp). */
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	csr_write(satp, satp);
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	if (csr_read(satp) >> SATP_MODE_SHIFT != mode)
		return false;
	riscv_smp_boot_satp = satp;
	return true;
}

/* The address space each hart runs in its lower half (NULL: none). */
static struct pgtable *active_mm_pt[NR_CPUS];

static bool mm_active_elsewhere(const struct pgtable *pt, unsigned int self)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu != self && __atomic_load_n(&active_mm_pt[cpu], __ATOMIC_ACQUIRE) == pt)
			return true;
	return false;
}

/*
 * A hart holds translations of an address space only while it runs in it: switching away ends
 * with SFENCE.VMA x0, x0, which drops them for every ASID.
 */
bool riscv_mm_active_on(const struct pgtable *pt, unsigned int cpu)
{
	return cpu < NR_CPUS && __atomic_load_n(&active_mm_pt[cpu], __ATOMIC_SEQ_CST) == pt;
}

void arch_switch_mm(struct pgtable *pt)
{
	const struct pgtable *k = &kernel_pgtable;
	uint64_t mode = k->cfg.levels == 3 ? 8 : k->cfg.levels == 4 ? 9 : 10;
	const struct pgtable *use = pt ? pt : k;
	unsigned int self = smp_processor_id();
	struct pgtable *old = active_mm_pt[self];

	/*
	 * One root serves both halves: the kernel's upper-half root entries are (re)copied into
	 * the address space's root on every switch in, so a kernel root entry made since the last
	 * switch is picked up.
	 */
	if (pt)
		memcpy((pteval_t *)__va(pt->root) + 256, (pteval_t *)__va(k->root) + 256,
		       256 * sizeof(pteval_t));
	/*
	 * Published before this hart can walk @pt, and ordered against a flusher's entry stores:
	 * either the flusher sees @pt active here and fences this hart, or this hart's walks see
	 * the new entries (riscv_mm_active_on()).
	 */
	__atomic_store_n(&active_mm_pt[self], pt, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	csr_write(satp, mode << SATP_MODE_SHIFT | (uint64_t)use->asid << SATP_ASID_SHIFT |
				use->root >> PAGE_SHIFT);
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	/* The last hart leaving an address space takes the kernel's entries out of its root. */
	if (old && old != pt && !mm_active_elsewhere(old, self))
		memset((pteval_t *)__va(old->root) + 256, 0, 256 * sizeof(pteval_t));
}

void arch_paging_commit(void)
{
	if (pending_finisher)
		riscv_set_finisher(pending_finisher);
}
