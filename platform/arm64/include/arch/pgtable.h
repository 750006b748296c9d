// SPDX-License-Identifier: BSD-2-Clause
// Arm VMSAv8-64 stage 1 descriptors, 4 KiB granule, 48-bit VA, 4 levels (Arm ARM D8.3):
// pure encode/decode and the fixed MAIR layout, no effects. Plays the role of Linux's
// arch/arm64/include/asm/pgtable-hwdef.h and pgtable-prot.h.
#ifndef ZONEDEV_ARCH_PGTABLE_H
#define ZONEDEV_ARCH_PGTABLE_H

#include <platform/memory.h>
#include <platform/types.h>
#include <mm/pgtable_types.h>

/*
 * Descriptor, 64 bits (our level = 3 - Arm level):
 *
 * Table (Arm L0-L2, bits 1:0 = 0b11):
 *  63  62 61  60  59   58     52 51  48 47                  12 11    2 1 0
 * +---+-----+----+----+---------+------+----------------------+-------+-+-+
 * |NST| APT |UXNT|PXNT| ignored | res0 | next-level table PA  |ignored|1|1|
 * +---+-----+----+----+---------+------+----------------------+-------+-+-+
 *  (hierarchical controls NSTable/APTable/UXNTable/PXNTable are left 0)
 *
 * Block (Arm L1, L2: bits 1:0 = 0b01) and page (Arm L3: bits 1:0 = 0b11):
 *  63   59 58 55 54  53  52  51  50 49  48 47        12 11 10  9 8  7 6   5  4    2 1 0
 * +-------+-----+---+---+----+---+--+----+------------+--+--+----+-----+--+--------+-+-+
 * |ignored| SW  |UXN|PXN|Cont|DBM|GP|res0|   OA       |nG|AF| SH |AP2:1|NS|AttrIndx|b|1|
 * +-------+-----+---+---+----+---+--+----+------------+--+--+----+-----+--+--------+-+-+
 *  OA: bits 47:12 (page), 47:21 (2 MiB block, Arm L2), 47:30 (1 GiB block, Arm L1).
 *  No block at Arm L0 with the 4 KiB granule (no 512 GiB leaf); 0b01 at Arm L3 is reserved.
 *  AP[2:1]: 00 EL1 RW, 01 EL1+EL0 RW, 10 EL1 RO, 11 EL1+EL0 RO.  SH: 11 inner shareable.
 *  SW bit 55 is our software dirty bit (as Linux's PTE_DIRTY): there is no hardware D bit.
 */
#define PTE_VALID (1ULL << 0)
#define PTE_NON_BLOCK (1ULL << 1) /* table at Arm L0-L2, page at Arm L3 */
#define PTE_ATTRINDX_SHIFT 2
#define PTE_ATTRINDX_MASK (7ULL << PTE_ATTRINDX_SHIFT)
#define PTE_ATTRINDX(i) ((pteval_t)(i) << PTE_ATTRINDX_SHIFT)
#define PTE_NS (1ULL << 5)
#define PTE_USER (1ULL << 6)	/* AP[1] */
#define PTE_RDONLY (1ULL << 7) /* AP[2] */
#define PTE_SH_SHIFT 8
#define PTE_SH_MASK (3ULL << PTE_SH_SHIFT)
#define PTE_SH_INNER (3ULL << PTE_SH_SHIFT)
#define PTE_AF (1ULL << 10)
#define PTE_NG (1ULL << 11)
#define PTE_ADDR_MASK (((1ULL << 48) - 1) & ~((1ULL << 12) - 1)) /* bits 47:12 */
#define PTE_DBM (1ULL << 51)
#define PTE_CONT (1ULL << 52)
#define PTE_PXN (1ULL << 53)
#define PTE_UXN (1ULL << 54)
#define PTE_SW_DIRTY (1ULL << 55)

/*
 * MAIR_EL1 layout the kernel programs (AttrIndx -> attribute byte), Arm ARM D19 MAIR_EL1:
 *   0 Normal, inner/outer write-back non-transient, read/write-allocate    0xff
 *   1 Normal, inner/outer write-through non-transient, read/write-allocate 0xbb
 *   2 Normal, inner/outer non-cacheable                                    0x44
 *   3 Device-nGnRE                                                          0x04
 */
#define MAIR_IDX_NORMAL_WB 0
#define MAIR_IDX_NORMAL_WT 1
#define MAIR_IDX_NORMAL_NC 2
#define MAIR_IDX_DEVICE_nGnRE 3
#define MAIR_ATTR_NORMAL_WB 0xffULL
#define MAIR_ATTR_NORMAL_WT 0xbbULL
#define MAIR_ATTR_NORMAL_NC 0x44ULL
#define MAIR_ATTR_DEVICE_nGnRE 0x04ULL
#define MAIR_ATTR(attr, idx) ((attr) << (8 * (idx)))
#define MAIR_EL1_VALUE                                                                        \
	(MAIR_ATTR(MAIR_ATTR_NORMAL_WB, MAIR_IDX_NORMAL_WB) |                                 \
	 MAIR_ATTR(MAIR_ATTR_NORMAL_WT, MAIR_IDX_NORMAL_WT) |                                 \
	 MAIR_ATTR(MAIR_ATTR_NORMAL_NC, MAIR_IDX_NORMAL_NC) |                                 \
	 MAIR_ATTR(MAIR_ATTR_DEVICE_nGnRE, MAIR_IDX_DEVICE_nGnRE))

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

#define ARCH_PGTABLE_MIN_LEVELS 4
#define ARCH_PGTABLE_MAX_LEVELS 4
#define ARCH_PA_BITS 48

/*
 * Update rules the generic code follows:
 * ARCH_NEEDS_BBM: 1 - changing the output address, the size (block <-> table) or the memory
 *   type of a valid entry needs break-before-make: invalid, TLBI, new (Arm ARM D8.16.1).
 * ARCH_MAP_NEEDS_FLUSH: 0 - invalid entries are never held in a TLB.
 * ARCH_RANGE_FLUSH_COVERS_TABLES: 1 - TLBI VAE1IS (not the "last level" form) also removes
 *   cached table walks for the address.
 */
#define ARCH_NEEDS_BBM 1
#define ARCH_MAP_NEEDS_FLUSH 0
#define ARCH_RANGE_FLUSH_COVERS_TABLES 1

_Static_assert(PTRS_PER_PTE * sizeof(pte_t) == PAGE_SIZE, "a table fills one page");
_Static_assert(PMD_SHIFT == PAGE_SHIFT + 9 && PUD_SHIFT == PMD_SHIFT + 9 &&
		       P4D_SHIFT == PUD_SHIFT + 9,
	       "9 bits of VA per level");
_Static_assert(MAIR_EL1_VALUE == 0x0444bbffULL, "MAIR layout");

/** arch_pgtable_cfg_valid() - only the 4-level, 48-bit format exists here. */
static inline bool arch_pgtable_cfg_valid(const struct pgtable_cfg *cfg)
{
	return cfg->levels == 4 && !cfg->svpbmt;
}

/** arch_va_bits() - 48. */
static inline unsigned int arch_va_bits(const struct pgtable_cfg *cfg)
{
	(void)cfg;
	return 48;
}

/**
 * arch_va_canonical() - whether @va is translated at all: bits 63:48 all 0 (TTBR0) or all 1
 * (TTBR1), with T0SZ = T1SZ = 16 and no top-byte-ignore.
 */
static inline bool arch_va_canonical(const struct pgtable_cfg *cfg, uint64_t va)
{
	uint64_t top = va >> (arch_va_bits(cfg) - 1);

	return top == 0 || top == (~0ULL >> (arch_va_bits(cfg) - 1));
}

/** arch_level_may_be_leaf() - pages at Arm L3, blocks at L2 and L1 only (not at L0). */
static inline bool arch_level_may_be_leaf(const struct pgtable_cfg *cfg, int level)
{
	(void)cfg;
	return level >= 0 && level <= 2;
}

/**
 * arch_pgprot_supported() - whether @prot can be expressed: AP cannot make a mapping
 * unreadable, so PGPROT_READ is required; every memory type exists (MAIR).
 */
static inline bool arch_pgprot_supported(const struct pgtable_cfg *cfg, pgprot_t prot)
{
	(void)cfg;
	if (pgprot_val(prot) & ~PGPROT_ALL_MASK)
		return false;
	return pgprot_val(prot) & PGPROT_READ;
}

/** arch_pgprot_canonical() - what reads back: AF is always set, so PGPROT_ACCESSED is too. */
static inline pgprot_t arch_pgprot_canonical(const struct pgtable_cfg *cfg, pgprot_t prot)
{
	(void)cfg;
	return __pgprot(pgprot_val(prot) | PGPROT_ACCESSED);
}

/**
 * arch_mk_leaf() - block or page descriptor mapping @pa with @prot at @level
 * @cfg: format
 * @pa: output address, aligned to the level's size, below 2^48
 * @prot: protection, must be arch_pgprot_supported()
 * @level: 0 (page), 1 (2 MiB block) or 2 (1 GiB block)
 *
 * Normal memory is inner shareable; Device memory leaves SH 0 (it is always treated as outer
 * shareable). AF is set. Kernel executable: PXN=0 UXN=1; user executable: UXN=0 PXN=1.
 * Return: the descriptor, or 0 (invalid) if @prot, @level or @pa cannot be encoded.
 */
static inline pteval_t arch_mk_leaf(const struct pgtable_cfg *cfg, phys_addr_t pa, pgprot_t prot,
				    int level)
{
	uint32_t p = pgprot_val(prot);
	pteval_t v = PTE_VALID | PTE_AF;

	if (!arch_pgprot_supported(cfg, prot) || !arch_level_may_be_leaf(cfg, level))
		return 0;
	if (pa & ((1ULL << (PAGE_SHIFT + 9 * level)) - 1) || pa >> ARCH_PA_BITS)
		return 0;
	if (level == 0)
		v |= PTE_NON_BLOCK;
	switch (pgprot_memtype(prot)) {
	case PGPROT_MT_WT:
		v |= PTE_ATTRINDX(MAIR_IDX_NORMAL_WT) | PTE_SH_INNER;
		break;
	case PGPROT_MT_NC:
		v |= PTE_ATTRINDX(MAIR_IDX_NORMAL_NC) | PTE_SH_INNER;
		break;
	case PGPROT_MT_DEVICE:
		v |= PTE_ATTRINDX(MAIR_IDX_DEVICE_nGnRE);
		break;
	default:
		v |= PTE_ATTRINDX(MAIR_IDX_NORMAL_WB) | PTE_SH_INNER;
		break;
	}
	if (p & PGPROT_USER)
		v |= PTE_USER;
	if (!(p & PGPROT_WRITE))
		v |= PTE_RDONLY;
	if (!(p & PGPROT_GLOBAL))
		v |= PTE_NG;
	if (p & PGPROT_DIRTY)
		v |= PTE_SW_DIRTY;
	if (!(p & PGPROT_EXEC))
		v |= PTE_PXN | PTE_UXN;
	else if (p & PGPROT_USER)
		v |= PTE_PXN;
	else
		v |= PTE_UXN;
	return v | (pa & PTE_ADDR_MASK);
}

/** arch_mk_table() - table descriptor pointing at the table page at @pa. */
static inline pteval_t arch_mk_table(const struct pgtable_cfg *cfg, phys_addr_t pa)
{
	(void)cfg;
	return PTE_VALID | PTE_NON_BLOCK | (pa & PTE_ADDR_MASK);
}

/** arch_pte_present() - valid bit. */
static inline bool arch_pte_present(pteval_t v)
{
	return v & PTE_VALID;
}

/**
 * arch_pte_is_leaf() - a page (@level 0, bits 1:0 = 0b11) or a block (@level 1..2,
 * bits 1:0 = 0b01).
 */
static inline bool arch_pte_is_leaf(pteval_t v, int level)
{
	if (!(v & PTE_VALID))
		return false;
	if (level == 0)
		return v & PTE_NON_BLOCK;
	return level <= 2 && !(v & PTE_NON_BLOCK);
}

/** arch_pte_addr() - output address: the next table, or the start of what a leaf maps. */
static inline phys_addr_t arch_pte_addr(pteval_t v, int level)
{
	if (arch_pte_is_leaf(v, level))
		return v & PTE_ADDR_MASK & ~((1ULL << (PAGE_SHIFT + 9 * level)) - 1);
	return v & PTE_ADDR_MASK;
}

/** arch_pte_pgprot() - the protection a leaf @v encodes (inverse of arch_mk_leaf()). */
static inline pgprot_t arch_pte_pgprot(const struct pgtable_cfg *cfg, pteval_t v)
{
	uint32_t p = PGPROT_READ | PGPROT_ACCESSED;

	(void)cfg;
	if (v & PTE_USER)
		p |= PGPROT_USER;
	if (!(v & PTE_RDONLY))
		p |= PGPROT_WRITE;
	if (!(v & PTE_NG))
		p |= PGPROT_GLOBAL;
	if (v & PTE_SW_DIRTY)
		p |= PGPROT_DIRTY;
	if (!(v & ((p & PGPROT_USER) ? PTE_UXN : PTE_PXN)))
		p |= PGPROT_EXEC;
	switch ((v & PTE_ATTRINDX_MASK) >> PTE_ATTRINDX_SHIFT) {
	case MAIR_IDX_NORMAL_WT:
		p |= PGPROT_MT_WT;
		break;
	case MAIR_IDX_NORMAL_NC:
		p |= PGPROT_MT_NC;
		break;
	case MAIR_IDX_DEVICE_nGnRE:
		p |= PGPROT_MT_DEVICE;
		break;
	default:
		break;
	}
	return __pgprot(p);
}

#endif
