// SPDX-License-Identifier: BSD-2-Clause
// RISC-V Sv39/Sv48/Sv57 page-table entry format (privileged spec, "Supervisor-Level ISA",
// Sv39/Sv48/Sv57 and the Svpbmt extension): pure encode/decode, no effects. Plays the role of
// Linux's arch/riscv/include/asm/pgtable-bits.h and pgtable-64.h.
#ifndef ZONEDEV_ARCH_PGTABLE_H
#define ZONEDEV_ARCH_PGTABLE_H

#include <platform/memory.h>
#include <platform/types.h>
#include <mm/pgtable_types.h>

/*
 * One entry, 64 bits, the same for Sv39, Sv48 and Sv57 (only the PPN split differs):
 *
 *  63   62 61  60      54 53                       10 9   8 7 6 5 4 3 2 1 0
 * +---+------+----------+---------------------------+-----+-+-+-+-+-+-+-+-+
 * | N | PBMT | reserved |            PPN            | RSW |D|A|G|U|X|W|R|V|
 * +---+------+----------+---------------------------+-----+-+-+-+-+-+-+-+-+
 *
 *  PPN[0] 18:10, PPN[1] 27:19, PPN[2] 36:28 (Sv39: 53:28), PPN[3] 45:37 (Sv48: 53:37),
 *  PPN[4] 53:46 (Sv57). Physical address = PPN << 12, 56 bits.
 *  V=0: invalid, every other bit is ignored by hardware.
 *  V=1, R=W=X=0: pointer to the next-level table (A, D, U, PBMT must be 0; we leave G 0).
 *  V=1, R|W|X != 0: leaf at any level; a leaf at level i needs PPN[i-1:0] == 0 (else a
 *  misaligned superpage: page fault). R=0 W=1 is reserved.
 *  PBMT (Svpbmt, leaves only, 0 without Svpbmt): 0 PMA, 1 NC, 2 IO, 3 reserved.
 *  N (Svnapot) is never set nor interpreted here.
 */
#define _PAGE_PRESENT (1ULL << 0)
#define _PAGE_READ (1ULL << 1)
#define _PAGE_WRITE (1ULL << 2)
#define _PAGE_EXEC (1ULL << 3)
#define _PAGE_USER (1ULL << 4)
#define _PAGE_GLOBAL (1ULL << 5)
#define _PAGE_ACCESSED (1ULL << 6)
#define _PAGE_DIRTY (1ULL << 7)
#define _PAGE_RSW_SHIFT 8
#define _PAGE_RSW_MASK (3ULL << _PAGE_RSW_SHIFT)
#define _PAGE_PFN_SHIFT 10
#define _PAGE_PFN_MASK (((1ULL << 44) - 1) << _PAGE_PFN_SHIFT) /* bits 53:10 */
#define _PAGE_PBMT_SHIFT 61
#define _PAGE_PBMT_MASK (3ULL << _PAGE_PBMT_SHIFT)
#define _PAGE_PBMT_PMA (0ULL << _PAGE_PBMT_SHIFT)
#define _PAGE_PBMT_NC (1ULL << _PAGE_PBMT_SHIFT)
#define _PAGE_PBMT_IO (2ULL << _PAGE_PBMT_SHIFT)
#define _PAGE_NAPOT (1ULL << 63)
#define _PAGE_LEAF (_PAGE_READ | _PAGE_WRITE | _PAGE_EXEC)

/* Geometry: 512 entries of 8 bytes per 4 KiB table at every level. */
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512
#define PTRS_PER_PUD 512
#define PTRS_PER_P4D 512
#define PTRS_PER_PGD 512
#define PMD_SHIFT 21
#define PUD_SHIFT 30
#define P4D_SHIFT 39
#define PMD_SIZE (1ULL << PMD_SHIFT)
#define PUD_SIZE (1ULL << PUD_SHIFT)
#define P4D_SIZE (1ULL << P4D_SHIFT)

#define ARCH_PGTABLE_MIN_LEVELS 3
#define ARCH_PGTABLE_MAX_LEVELS 5
#define ARCH_PA_BITS 56

/*
 * Update rules the generic code follows:
 * ARCH_NEEDS_BBM: 0 - a valid entry may be overwritten with another valid one and then fenced.
 * ARCH_MAP_NEEDS_FLUSH: 0 - a hart may keep an invalid translation cached (priv. spec,
 *   "Supervisor Memory-Management Fence"), but a new mapping is not fenced: the hart that faults
 *   on such a stale entry finds the leaf in the tables, fences itself and retries
 *   (riscv_fixup_stale_tlb()), so mapping costs no SBI RFENCE to every other hart.
 * ARCH_RANGE_FLUSH_COVERS_TABLES: 0 - SFENCE.VMA with rs1 != x0 only orders/invalidates leaf
 *   entries, so removing a non-leaf entry needs a full fence (flush_tlb_all()).
 */
#define ARCH_NEEDS_BBM 0
#define ARCH_MAP_NEEDS_FLUSH 0
#define ARCH_RANGE_FLUSH_COVERS_TABLES 0

_Static_assert(PTRS_PER_PTE * sizeof(pte_t) == PAGE_SIZE, "a table fills one page");
_Static_assert(PMD_SHIFT == PAGE_SHIFT + 9 && PUD_SHIFT == PMD_SHIFT + 9 &&
		       P4D_SHIFT == PUD_SHIFT + 9,
	       "9 bits of VA per level");

/** arch_pgtable_cfg_valid() - whether @cfg names a format this arch has (Sv39/48/57). */
static inline bool arch_pgtable_cfg_valid(const struct pgtable_cfg *cfg)
{
	return cfg->levels >= ARCH_PGTABLE_MIN_LEVELS && cfg->levels <= ARCH_PGTABLE_MAX_LEVELS;
}

/** arch_va_bits() - virtual-address width of @cfg: 39, 48 or 57. */
static inline unsigned int arch_va_bits(const struct pgtable_cfg *cfg)
{
	return PAGE_SHIFT + 9 * (unsigned int)cfg->levels;
}

/**
 * arch_va_canonical() - whether @va is a valid address for @cfg: bits 63..(va_bits - 1) all
 * equal (priv. spec: "bits 63-39 must equal bit 38" for Sv39, likewise Sv48/Sv57).
 */
static inline bool arch_va_canonical(const struct pgtable_cfg *cfg, uint64_t va)
{
	unsigned int sh = arch_va_bits(cfg) - 1;
	uint64_t top = va >> sh;

	return top == 0 || top == (~0ULL >> sh);
}

/** arch_level_may_be_leaf() - every level of every Sv mode can hold a leaf (superpages). */
static inline bool arch_level_may_be_leaf(const struct pgtable_cfg *cfg, int level)
{
	return level >= 0 && level < cfg->levels;
}

/**
 * arch_pgprot_supported() - whether @prot can be expressed
 *
 * Refused: no R and no X (would read as a table pointer), W without R (reserved encoding),
 * unknown flags, and WT/NC without Svpbmt (never silently downgraded to WB). DEVICE is always
 * possible: without Svpbmt the entry says PMA and the platform's PMA of an MMIO range is I/O,
 * which is how Linux maps ioremap() on such harts.
 */
static inline bool arch_pgprot_supported(const struct pgtable_cfg *cfg, pgprot_t prot)
{
	uint32_t p = pgprot_val(prot);

	if (p & ~PGPROT_ALL_MASK)
		return false;
	if (!(p & (PGPROT_READ | PGPROT_EXEC)))
		return false;
	if ((p & PGPROT_WRITE) && !(p & PGPROT_READ))
		return false;
	return pgprot_memtype(prot) == PGPROT_MT_WB || pgprot_memtype(prot) == PGPROT_MT_DEVICE ||
	       cfg->svpbmt;
}

/**
 * arch_pgprot_canonical() - what arch_pte_pgprot() reads back after @prot was encoded.
 * Svpbmt has no write-through type: WT is mapped NC, which keeps WT's promise that every write
 * reaches memory (and also makes reads uncached).
 */
static inline pgprot_t arch_pgprot_canonical(const struct pgtable_cfg *cfg, pgprot_t prot)
{
	if (pgprot_memtype(prot) == PGPROT_MT_DEVICE && !cfg->svpbmt)
		return pgprot_set_memtype(prot, PGPROT_MT_WB);
	if (pgprot_memtype(prot) == PGPROT_MT_WT)
		return pgprot_set_memtype(prot, PGPROT_MT_NC);
	return prot;
}

/**
 * arch_mk_leaf() - leaf entry mapping @pa with @prot at @level
 * @cfg: format
 * @pa: output address, aligned to the level's size
 * @prot: protection, must be arch_pgprot_supported()
 * @level: 0 (4 KiB) .. cfg->levels - 1
 * Return: the entry, or 0 (an invalid entry) if @prot, @level or @pa cannot be encoded.
 */
static inline pteval_t arch_mk_leaf(const struct pgtable_cfg *cfg, phys_addr_t pa, pgprot_t prot,
				    int level)
{
	uint32_t p = pgprot_val(prot);
	pteval_t v = _PAGE_PRESENT;

	if (!arch_pgprot_supported(cfg, prot) || !arch_level_may_be_leaf(cfg, level))
		return 0;
	if (pa & ((1ULL << (PAGE_SHIFT + 9 * level)) - 1) || pa >> ARCH_PA_BITS)
		return 0;
	if (p & PGPROT_READ)
		v |= _PAGE_READ;
	if (p & PGPROT_WRITE)
		v |= _PAGE_WRITE;
	if (p & PGPROT_EXEC)
		v |= _PAGE_EXEC;
	if (p & PGPROT_USER)
		v |= _PAGE_USER;
	if (p & PGPROT_GLOBAL)
		v |= _PAGE_GLOBAL;
	if (p & PGPROT_ACCESSED)
		v |= _PAGE_ACCESSED;
	if (p & PGPROT_DIRTY)
		v |= _PAGE_DIRTY;
	switch (pgprot_memtype(prot)) {
	case PGPROT_MT_WT:
	case PGPROT_MT_NC:
		v |= _PAGE_PBMT_NC;
		break;
	case PGPROT_MT_DEVICE:
		if (cfg->svpbmt)
			v |= _PAGE_PBMT_IO;
		break;
	default:
		break;
	}
	return v | ((pa >> PAGE_SHIFT) << _PAGE_PFN_SHIFT);
}

/** arch_mk_table() - non-leaf entry pointing at the table page at @pa (V only, no A/D/U/G). */
static inline pteval_t arch_mk_table(const struct pgtable_cfg *cfg, phys_addr_t pa)
{
	(void)cfg;
	return _PAGE_PRESENT | ((pa >> PAGE_SHIFT) << _PAGE_PFN_SHIFT);
}

/** arch_pte_present() - V bit. */
static inline bool arch_pte_present(pteval_t v)
{
	return v & _PAGE_PRESENT;
}

/** arch_pte_is_leaf() - valid with R, W or X set; the same at every @level. */
static inline bool arch_pte_is_leaf(pteval_t v, int level)
{
	(void)level;
	return (v & _PAGE_PRESENT) && (v & _PAGE_LEAF);
}

/** arch_pte_addr() - output address: the next table, or the start of what a leaf maps. */
static inline phys_addr_t arch_pte_addr(pteval_t v, int level)
{
	(void)level;
	return ((v & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT) << PAGE_SHIFT;
}

/** arch_pte_pgprot() - the protection a leaf @v encodes (inverse of arch_mk_leaf()). */
static inline pgprot_t arch_pte_pgprot(const struct pgtable_cfg *cfg, pteval_t v)
{
	uint32_t p = 0;

	(void)cfg;
	if (v & _PAGE_READ)
		p |= PGPROT_READ;
	if (v & _PAGE_WRITE)
		p |= PGPROT_WRITE;
	if (v & _PAGE_EXEC)
		p |= PGPROT_EXEC;
	if (v & _PAGE_USER)
		p |= PGPROT_USER;
	if (v & _PAGE_GLOBAL)
		p |= PGPROT_GLOBAL;
	if (v & _PAGE_ACCESSED)
		p |= PGPROT_ACCESSED;
	if (v & _PAGE_DIRTY)
		p |= PGPROT_DIRTY;
	switch (v & _PAGE_PBMT_MASK) {
	case _PAGE_PBMT_NC:
		p |= PGPROT_MT_NC;
		break;
	case _PAGE_PBMT_IO:
		p |= PGPROT_MT_DEVICE;
		break;
	default:
		break;
	}
	return __pgprot(p);
}

#endif
