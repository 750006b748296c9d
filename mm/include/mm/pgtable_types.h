// SPDX-License-Identifier: BSD-2-Clause
// Arch-neutral page-table vocabulary shared by <arch/pgtable.h> and <mm/pgtable.h>: abstract
// protections (pgprot_t) that each arch translates once, the format configuration and the level
// numbering. Mirrors Linux's pgprot_t / PAGE_KERNEL* and the x86 "enum pg_level" idea.
#ifndef ZONEDEV_MM_PGTABLE_TYPES_H
#define ZONEDEV_MM_PGTABLE_TYPES_H

#include <platform/types.h>

/*
 * Levels are counted from the leaf up, so a level has the same meaning in every format:
 *
 *   level  name  entry maps   riscv Sv39/48/57 (spec "level i")   arm64 4K/48-bit (Arm ARM)
 *     0    pte   4 KiB        0                                    L3
 *     1    pmd   2 MiB        1                                    L2
 *     2    pud   1 GiB        2 (Sv39 root)                        L1
 *     3    p4d   512 GiB      3 (Sv48 root)                        L0 (root)
 *     4    pgd   256 TiB      4 (Sv57 root)                        -
 *
 * The root is level (levels - 1); the Linux names above the root are folded into it.
 */
#define PGTABLE_LEVEL_PTE 0
#define PGTABLE_LEVEL_PMD 1
#define PGTABLE_LEVEL_PUD 2
#define PGTABLE_LEVEL_P4D 3
#define PGTABLE_LEVEL_PGD5 4
#define PGTABLE_MAX_LEVELS 5

/**
 * struct pgtable_cfg - the page-table format in use, passed to every arch encoder
 * @levels: number of levels: riscv64 3 (Sv39), 4 (Sv48), 5 (Sv57); arm64 4
 * @svpbmt: riscv64 only: the hart implements Svpbmt, so PBMT (bits 62:61) may be used
 */
struct pgtable_cfg {
	int levels;
	bool svpbmt;
};

/**
 * typedef pgprot_t - abstract protection of a mapping, translated to entry bits by the arch
 *
 * Access bits PGPROT_READ/WRITE/EXEC/USER, PGPROT_GLOBAL (the mapping is the same in every
 * address space: riscv G, arm64 nG clear), PGPROT_ACCESSED/PGPROT_DIRTY (pre-set the hardware
 * A/D state so no fault or hardware update is ever needed; arm64 always sets AF and has no
 * dirty bit without DBM), and a memory type in bits 8..9.
 */
typedef struct {
	uint32_t pgprot;
} pgprot_t;

#define pgprot_val(x) ((x).pgprot)
#define __pgprot(x) ((pgprot_t){ (x) })

#define PGPROT_READ (1u << 0)
#define PGPROT_WRITE (1u << 1)
#define PGPROT_EXEC (1u << 2)
#define PGPROT_USER (1u << 3)
#define PGPROT_GLOBAL (1u << 4)
#define PGPROT_ACCESSED (1u << 5)
#define PGPROT_DIRTY (1u << 6)
#define PGPROT_ACCESS_MASK 0x7fu

/* Memory type: the attribute memremap() asks for. */
#define PGPROT_MT_SHIFT 8
#define PGPROT_MT_MASK (3u << PGPROT_MT_SHIFT)
#define PGPROT_MT_WB (0u << PGPROT_MT_SHIFT)	 /* normal, write-back cacheable */
#define PGPROT_MT_WT (1u << PGPROT_MT_SHIFT)	 /* normal, write-through */
#define PGPROT_MT_NC (2u << PGPROT_MT_SHIFT)	 /* normal, non-cacheable (write-combine) */
#define PGPROT_MT_DEVICE (3u << PGPROT_MT_SHIFT) /* device / I/O, strongly ordered */
#define PGPROT_ALL_MASK (PGPROT_ACCESS_MASK | PGPROT_MT_MASK)

#define _PGPROT_KERNEL (PGPROT_READ | PGPROT_GLOBAL | PGPROT_ACCESSED | PGPROT_DIRTY)
#define PAGE_KERNEL __pgprot(_PGPROT_KERNEL | PGPROT_WRITE)
#define PAGE_KERNEL_RO __pgprot(_PGPROT_KERNEL)
#define PAGE_KERNEL_EXEC __pgprot(_PGPROT_KERNEL | PGPROT_EXEC)
#define PAGE_KERNEL_NC __pgprot(_PGPROT_KERNEL | PGPROT_WRITE | PGPROT_MT_NC)
#define PAGE_KERNEL_WT __pgprot(_PGPROT_KERNEL | PGPROT_WRITE | PGPROT_MT_WT)
#define PAGE_KERNEL_IO __pgprot(_PGPROT_KERNEL | PGPROT_WRITE | PGPROT_MT_DEVICE)

/** pgprot_memtype() - the PGPROT_MT_* of @prot. */
static inline uint32_t pgprot_memtype(pgprot_t prot)
{
	return pgprot_val(prot) & PGPROT_MT_MASK;
}

/** pgprot_set_memtype() - @prot with its memory type replaced by @mt (a PGPROT_MT_*). */
static inline pgprot_t pgprot_set_memtype(pgprot_t prot, uint32_t mt)
{
	return __pgprot((pgprot_val(prot) & ~PGPROT_MT_MASK) | (mt & PGPROT_MT_MASK));
}

/** pgprot_writecombine() - @prot as normal non-cacheable memory (Linux: the same name). */
static inline pgprot_t pgprot_writecombine(pgprot_t prot)
{
	return pgprot_set_memtype(prot, PGPROT_MT_NC);
}

/** pgprot_writethrough() - @prot as normal write-through memory. */
static inline pgprot_t pgprot_writethrough(pgprot_t prot)
{
	return pgprot_set_memtype(prot, PGPROT_MT_WT);
}

/** pgprot_device() - @prot as device memory (Linux: the same name). */
static inline pgprot_t pgprot_device(pgprot_t prot)
{
	return pgprot_set_memtype(prot, PGPROT_MT_DEVICE);
}

/** pgprot_equal() - whether @a and @b are the same protection. */
static inline bool pgprot_equal(pgprot_t a, pgprot_t b)
{
	return pgprot_val(a) == pgprot_val(b);
}

/*
 * Entries: both formats have 64-bit descriptors; one-member structs per level so a pmd cannot be
 * passed where a pte is meant (Linux's pte_t/pmd_t...).
 */
typedef uint64_t pteval_t;

typedef struct {
	pteval_t pte;
} pte_t;
typedef struct {
	pteval_t pmd;
} pmd_t;
typedef struct {
	pteval_t pud;
} pud_t;
typedef struct {
	pteval_t p4d;
} p4d_t;
typedef struct {
	pteval_t pgd;
} pgd_t;

#define pte_val(x) ((x).pte)
#define pmd_val(x) ((x).pmd)
#define pud_val(x) ((x).pud)
#define p4d_val(x) ((x).p4d)
#define pgd_val(x) ((x).pgd)
#define __pte(x) ((pte_t){ (x) })
#define __pmd(x) ((pmd_t){ (x) })
#define __pud(x) ((pud_t){ (x) })
#define __p4d(x) ((p4d_t){ (x) })
#define __pgd(x) ((pgd_t){ (x) })

_Static_assert(sizeof(pteval_t) == 8, "entries are 64 bits");
_Static_assert(sizeof(pte_t) == 8 && sizeof(pmd_t) == 8 && sizeof(pud_t) == 8 &&
		       sizeof(p4d_t) == 8 && sizeof(pgd_t) == 8,
	       "entry wrappers add nothing");

#endif
