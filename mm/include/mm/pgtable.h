// SPDX-License-Identifier: BSD-2-Clause
// Generic page tables written once over <arch/pgtable.h>: Linux's pgd/p4d/pud/pmd/pte navigation
// with runtime folding (include/linux/pgtable.h, arch/riscv's pgtable_l4/l5_enabled), and the
// map/unmap/split/merge/protect operations of mm/pgtable.c (cf. Linux vmalloc/ioremap page-table
// code, set_memory, and arm64's break-before-make rules).
#ifndef ZONEDEV_MM_PGTABLE_H
#define ZONEDEV_MM_PGTABLE_H

#include <platform/memory.h>
#include <platform/types.h>
#include <arch/pgtable.h>
#include <mm/mm_lock.h>
#include <mm/pgtable_types.h>

/*
 * Virtual address split (4 KiB pages, 9 bits of index per level):
 *
 *   56      48 47      39 38      30 29      21 20      12 11         0
 *  +----------+----------+----------+----------+----------+------------+
 *  |  pgd(5)  |   p4d    |   pud    |   pmd    |   pte    |   offset   |
 *  +----------+----------+----------+----------+----------+------------+
 *   level 4    level 3    level 2    level 1    level 0
 *
 * 5 levels (Sv57): every name is real. 4 levels (Sv48, arm64): the root is level 3, p4d is folded
 * into pgd. 3 levels (Sv39): the root is level 2, p4d and pud are folded into pgd. As in Linux,
 * a folded level's pointer is the pointer of the level above, its none/present/leaf checks are
 * trivial (not none, present, not a leaf) and the real check happens on the lowest name that
 * aliases the root entry (p4d with 4 levels, pud with 3).
 */

/**
 * struct pgtable - one page-table tree (the kernel's, or an address space's)
 * @root: physical address of the root table page
 * @cfg: the format (levels; Svpbmt)
 * @asid: address-space id given to flush_tlb_kernel_range() (0 for the kernel)
 * @nr_table_pages: table pages in the tree, root included
 * @lock: where the SMP issue puts the page-table lock; unused (no locking yet)
 */
struct pgtable {
	phys_addr_t root;
	struct pgtable_cfg cfg;
	uint16_t asid;
	unsigned long nr_table_pages;
	struct mm_lock lock;
};

/**
 * struct pgtable_page_ops - where table pages come from (memblock at boot, the page allocator
 * later, a fake on the host)
 * @alloc: return the physical address of a free 4 KiB page, or 0 if none; need not be zeroed
 * @free: give back a page @alloc returned
 * @ctx: passed to both
 */
struct pgtable_page_ops {
	phys_addr_t (*alloc)(void *ctx);
	void (*free)(phys_addr_t pa, void *ctx);
	void *ctx;
};

/**
 * struct pgtable_walk_result - what pgtable_walk() found for one address
 * @found: a leaf maps the address
 * @level: level of the leaf, or of the entry where the walk stopped (none or malformed)
 * @entry: that entry's raw value
 * @pa: the translated physical address (@found only)
 * @prot: the leaf's protection (@found only)
 * @nr: entries read, root first (the chain for a fault report)
 * @chain: their raw values; @chain[@nr - 1] == @entry
 * @table: physical address of the table each @chain entry was read from
 */
struct pgtable_walk_result {
	bool found;
	int level;
	pteval_t entry;
	phys_addr_t pa;
	pgprot_t prot;
	int nr;
	pteval_t chain[PGTABLE_MAX_LEVELS];
	phys_addr_t table[PGTABLE_MAX_LEVELS];
};

/* Every TLB flush request of mm/ (range or all), for the benchmarks. */
extern unsigned long tlb_flush_count;

/* pgtable_map() flags. */
#define PGTABLE_MAP_REPLACE (1u << 0) /* existing mappings in the range are replaced */
/* Every 4 KiB leaf of the range maps the one page at @pa (a shared read-only page). */
#define PGTABLE_MAP_SAME_PA (1u << 1)
#define PGTABLE_MAP_MAX_LEAF_SHIFT 8
/* Leaves no larger than @level (0: 4 KiB only, 1: up to 2 MiB, ...). */
#define PGTABLE_MAP_MAX_LEAF(level) ((unsigned int)((level) + 1) << PGTABLE_MAP_MAX_LEAF_SHIFT)
#define PGTABLE_MAP_NO_BLOCKS PGTABLE_MAP_MAX_LEAF(PGTABLE_LEVEL_PTE)

/** pgtable_set_page_ops() - set the source of table pages (copied; NULL: none). */
void pgtable_set_page_ops(const struct pgtable_page_ops *ops);

/**
 * pgtable_init() - create an empty tree (one zeroed root page)
 * @pt: filled in
 * @cfg: format; must be valid for the arch
 * @asid: address-space id (0 for the kernel)
 * Return: 0, -EINVAL for a format the arch lacks, -ENOMEM without a root page.
 */
int pgtable_init(struct pgtable *pt, const struct pgtable_cfg *cfg, uint16_t asid);

/**
 * pgtable_destroy() - free every table page, root included. No TLB flush: the tree must no
 * longer be in use by any CPU (switched away from and its ASID flushed by the caller).
 */
void pgtable_destroy(struct pgtable *pt);

/**
 * pgtable_map() - map [@va, @va + @size) to [@pa, @pa + @size) with @prot
 * @pt: tree
 * @va: page aligned, canonical, and the range must not cross into the other half
 * @pa: page aligned
 * @size: page multiple, > 0
 * @prot: protection, arch_pgprot_supported()
 * @flags: PGTABLE_MAP_REPLACE, PGTABLE_MAP_MAX_LEAF(level) / PGTABLE_MAP_NO_BLOCKS
 *
 * Each step uses the largest leaf that the alignment of va and pa, the remaining size, the
 * format and the flags allow. Without PGTABLE_MAP_REPLACE any existing leaf in the range makes
 * the call fail with -EEXIST, and a failed call leaves nothing of itself mapped (nor any table
 * page allocated). With it, old leaves and tables in the way are replaced (break-before-make on
 * arches that need it) and partially covered larger leaves are split first; a failure
 * (-ENOMEM) then may leave part of the range unmapped. Flushes the TLB as needed.
 * Return: 0, -EINVAL (alignment, size, overflow), -ERANGE (non-canonical), -EOPNOTSUPP (@prot),
 * -EEXIST, -ENOMEM.
 */
int pgtable_map(struct pgtable *pt, uintptr_t va, phys_addr_t pa, uint64_t size, pgprot_t prot,
		unsigned int flags);

/**
 * pgtable_unmap() - remove every mapping in [@va, @va + @size)
 *
 * Leaves straddling the range's ends are split first so what lies outside stays mapped; table
 * pages that become empty are freed (after the flush). Holes are fine. If a split fails, nothing
 * was unmapped. One TLB flush for the whole call.
 * Return: 0, -EINVAL, -ERANGE, -ENOMEM (from a split).
 */
int pgtable_unmap(struct pgtable *pt, uintptr_t va, uint64_t size);

/**
 * pgtable_split() - replace the leaf at @level covering @va by a table of 512 leaves one level
 * down that map the same memory with the same protection (break-before-make where needed)
 * Return: 0, -EINVAL (@level 0 or above the root, bad @va), -ENOENT (no leaf at @level), -ENOMEM.
 */
int pgtable_split(struct pgtable *pt, uintptr_t va, int level);

/**
 * pgtable_merge() - collapse the table below the @level entry covering @va into one leaf at
 * @level: allowed when all 512 entries are leaves (level - 1) with the same protection mapping
 * contiguous memory whose start is aligned to the @level size. The table page is freed.
 * Return: 0, -EINVAL (@level cannot hold a leaf, bad @va), -ENOENT (no table there), -EBUSY
 * (the entries do not qualify).
 */
int pgtable_merge(struct pgtable *pt, uintptr_t va, int level);

/**
 * pgtable_protect() - give every mapped page of [@va, @va + @size) protection @prot; leaves
 * straddling the ends are split first, holes are skipped. One TLB flush (and break-before-make
 * for memory-type changes where the arch needs it).
 * Return: 0, -EINVAL, -ERANGE, -EOPNOTSUPP, -ENOMEM (from a split; nothing changed then).
 */
int pgtable_protect(struct pgtable *pt, uintptr_t va, uint64_t size, pgprot_t prot);

/**
 * pgtable_walk() - translate @va as the hardware would and record the entries read
 * Return: 0 (mapped), -ENOENT (not mapped; @r says where the walk stopped), -ERANGE
 * (non-canonical; @r->nr is 0).
 */
int pgtable_walk(const struct pgtable *pt, uintptr_t va, struct pgtable_walk_result *r);

/**
 * typedef pgtable_leaf_fn - called by pgtable_walk_leaves() for each leaf
 * @arg: the caller's
 * @va: first address the leaf maps (may lie before the range asked for)
 * @level: the leaf's level
 * @entry: the raw entry
 * Return: 0 to go on, anything else to stop the walk and return it.
 */
/**
 * pgtable_find_entry() - the entry at @level on @va's path (present or not), or NULL when the
 * walk ends above @level (no table there) or @va is outside the format. For walkers that read
 * and update entries in place (page_vma_mapped_walk()); the caller holds @pt's lock
 * (pgtable_lock()) for as long as it uses the pointer.
 */
pteval_t *pgtable_find_entry(const struct pgtable *pt, uintptr_t va, int level);

/**
 * pgtable_update_entry_locked() - replace *@p, the entry at @level for @va, by @new with the
 * same rules as every other update (break-before-make on arm64 when the output or the memory
 * type changes, a flush when a valid entry changes, a replaced table freed after it). @new may
 * be a software (non-present) entry. The caller holds pgtable_lock().
 */
void pgtable_update_entry_locked(struct pgtable *pt, pteval_t *p, int level, uintptr_t va,
				 pteval_t new);

/**
 * pgtable_remap_ptes() - point the @nr 4 KiB leaves from @va at new pages, in one batch
 * @pas: the new page of each leaf, or NULL to point all of them at @one_pa
 * @prot: their protection
 * @old: gets the page each leaf mapped before (@nr entries)
 *
 * Every slot must already hold a present 4 KiB leaf (split larger leaves first), else nothing
 * changes (-ENOENT). The whole range costs one TLB flush: on riscv64 after the new leaves are
 * written over the old (a hart reads through either until then), on arm64 between breaking all
 * leaves and making them (break-before-make; a new leaf over an invalid one needs no flush
 * there). On arm64 a read of the range inside that window faults: the caller of a live range
 * parks the other CPUs (stop_machine()). The stores to the new pages made before the call are
 * visible before the leaves that map them (a barrier precedes the first new leaf).
 * (HVO's vmemmap remap: Linux vmemmap_remap_range().)
 * Return: 0, -ENOENT, -EINVAL/-ERANGE for a bad range, -EOPNOTSUPP for @prot.
 */
int pgtable_remap_ptes(struct pgtable *pt, uintptr_t va, unsigned long nr, const phys_addr_t *pas,
		       phys_addr_t one_pa, pgprot_t prot, phys_addr_t *old);

/* PMD leaves one pgtable_remap_ptes_many() call may split */
#define PGTABLE_REMAP_MAX_SPLITS 16

/**
 * struct pgtable_remap - one range for pgtable_remap_ptes_many(), with the arguments of
 * pgtable_remap_ptes(); @slot is the call's own (the entry of @va, found once)
 */
struct pgtable_remap {
	uintptr_t va;
	unsigned long nr;
	const phys_addr_t *pas;
	phys_addr_t one_pa;
	pgprot_t prot;
	phys_addr_t *old;
	pteval_t *slot;
};

/**
 * pgtable_remap_ptes_many() - pgtable_remap_ptes() over the @n ranges @rs at once: all or
 * nothing over all of them, and one TLB flush for the whole batch. A slot may also lie under a
 * PMD leaf (up to PGTABLE_REMAP_MAX_SPLITS of them a call): its new PTE table gets the leaves a split gives, with the
 * remapped ones already in place, and replaces the leaf in the same break-flush-make, so the
 * split costs no flush of its own. The old page of such a slot is the one the split gave.
 * Return: as pgtable_remap_ptes(); also -ENOMEM (no table page), -E2BIG (too many PMD leaves).
 */
int pgtable_remap_ptes_many(struct pgtable *pt, struct pgtable_remap *rs, unsigned int n);

/**
 * pgtable_link_table() - point the empty @level entry covering @va at @table, a filled table
 * of the level below that this tree does not own (several entries, of this tree or of others,
 * may point at it; nothing of this tree writes or frees it). Tables above are made as needed.
 * Return: 0, -EINVAL, -EEXIST (the entry, or a leaf above it, is in use), -ENOMEM.
 */
int pgtable_link_table(struct pgtable *pt, uintptr_t va, int level, phys_addr_t table);

/**
 * pgtable_unlink_table() - clear the @level entry covering @va, which must point at @table,
 * with the TLB flush, leaving @table as it is (the owner frees it).
 * Return: 0, -EINVAL, -ENOENT (the entry does not point at @table).
 */
int pgtable_unlink_table(struct pgtable *pt, uintptr_t va, int level, phys_addr_t table);

/**
 * struct pgtable_pte_batch - the leaves pgtable_map_pte_batch() writes into one PTE table
 * @pas: the page of each own leaf, or NULL for consecutive pages from @pa
 * @pa: first page when @pas is NULL
 * @prot: protection of the own leaves
 * @stride: 0: every slot is an own leaf; else only every @stride-th slot from the first is,
 *	    the others map @ro_pa with @ro_prot (a compound page's head vmemmap page, then its
 *	    tail-only pages onto a shared page)
 * @ro_pa: the one page the other slots map
 * @ro_prot: their protection
 */
struct pgtable_pte_batch {
	const phys_addr_t *pas;
	phys_addr_t pa;
	pgprot_t prot;
	unsigned long stride;
	phys_addr_t ro_pa;
	pgprot_t ro_prot;
};

/**
 * pgtable_map_pte_batch() - map the @nr empty 4 KiB slots from @va, all in one PTE table, as
 * @b says, in one pass under one lock: the tables above are made as needed, a new PTE table is
 * filled before it is linked, an existing one is checked (every slot empty) then written.
 * All or nothing: a failure leaves nothing mapped and no table page of the call allocated.
 * Return: 0, -EINVAL (range crosses a PTE table, alignment), -ERANGE, -EOPNOTSUPP (@prot),
 * -EEXIST (a slot or a leaf above in use), -ENOMEM (no table page).
 */
int pgtable_map_pte_batch(struct pgtable *pt, uintptr_t va, unsigned long nr,
			  const struct pgtable_pte_batch *b);

/** pgtable_lock() - take @pt's lock (the page-table lock of Linux, one per table tree). */
static inline unsigned long pgtable_lock(struct pgtable *pt)
{
	return mm_lock(&pt->lock);
}

/** pgtable_unlock() - release what pgtable_lock() took. */
static inline void pgtable_unlock(struct pgtable *pt, unsigned long flags)
{
	mm_unlock(&pt->lock, flags);
}

typedef int (*pgtable_leaf_fn)(void *arg, uintptr_t va, int level, pteval_t entry);

/**
 * pgtable_walk_leaves() - call @fn on every leaf that maps part of [@va, @va + @size), in
 * address order (Linux: ptdump / walk_page_range for reading). The tree must not change.
 * Software entries (non-present but non-zero: migration, device-private) are passed to @fn too;
 * it tells them apart with arch_pte_present().
 * Return: 0, -EINVAL/-ERANGE for a bad range, or the first non-zero value of @fn.
 */
int pgtable_walk_leaves(const struct pgtable *pt, uintptr_t va, uint64_t size, pgtable_leaf_fn fn,
			void *arg);

/* ---- Levels and entries, generic over the arch interface --------------------------------- */

/** pgtable_root_level() - level of the root table: levels - 1. */
static inline int pgtable_root_level(const struct pgtable *pt)
{
	return pt->cfg.levels - 1;
}

/** pgtable_level_shift() - log2 of what one entry at @level maps (12, 21, 30, 39, 48). */
static inline unsigned int pgtable_level_shift(int level)
{
	return PAGE_SHIFT + 9 * (unsigned int)level;
}

/** pgtable_level_size() - bytes one entry at @level maps. */
static inline uint64_t pgtable_level_size(int level)
{
	return 1ULL << pgtable_level_shift(level);
}

/** pgtable_index() - index of @va's entry in a table at @level. */
static inline unsigned int pgtable_index(int level, uintptr_t va)
{
	return (unsigned int)(va >> pgtable_level_shift(level)) & 511;
}

/**
 * pgtable_addr_end() - end of the @level entry containing @addr, or @end if sooner; an @end of 0
 * means the top of the address space (Linux pXd_addr_end()).
 */
static inline uintptr_t pgtable_addr_end(int level, uintptr_t addr, uintptr_t end)
{
	uintptr_t boundary = (addr + pgtable_level_size(level)) & ~(pgtable_level_size(level) - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

/** pgtable_entry_is_leaf() - @v is a valid leaf at @level. */
static inline bool pgtable_entry_is_leaf(pteval_t v, int level)
{
	return arch_pte_is_leaf(v, level);
}

/** pgtable_entry_is_table() - @v at @level points to a next-level table. */
static inline bool pgtable_entry_is_table(pteval_t v, int level)
{
	return level > 0 && arch_pte_present(v) && !arch_pte_is_leaf(v, level);
}

/* ---- Linux navigation names --------------------------------------------------------------
 * Differs from Linux: the runtime level count comes from a struct pgtable argument where a
 * name's meaning depends on it (Linux riscv reads the globals pgtable_l4/l5_enabled instead);
 * pgd_offset_k() belongs to whoever owns the kernel's struct pgtable.
 */

/** pte_index() .. pgd_index() - index of @va in the table of that level. */
static inline unsigned int pte_index(uintptr_t va)
{
	return pgtable_index(PGTABLE_LEVEL_PTE, va);
}

static inline unsigned int pmd_index(uintptr_t va)
{
	return pgtable_index(PGTABLE_LEVEL_PMD, va);
}

static inline unsigned int pud_index(uintptr_t va)
{
	return pgtable_index(PGTABLE_LEVEL_PUD, va);
}

static inline unsigned int p4d_index(uintptr_t va)
{
	return pgtable_index(PGTABLE_LEVEL_P4D, va);
}

static inline unsigned int pgd_index(const struct pgtable *pt, uintptr_t va)
{
	return pgtable_index(pgtable_root_level(pt), va);
}

/** pmd_addr_end() .. pgd_addr_end() - Linux pXd_addr_end(): see pgtable_addr_end(). */
static inline uintptr_t pmd_addr_end(uintptr_t addr, uintptr_t end)
{
	return pgtable_addr_end(PGTABLE_LEVEL_PMD, addr, end);
}

static inline uintptr_t pud_addr_end(uintptr_t addr, uintptr_t end)
{
	return pgtable_addr_end(PGTABLE_LEVEL_PUD, addr, end);
}

static inline uintptr_t p4d_addr_end(uintptr_t addr, uintptr_t end)
{
	return pgtable_addr_end(PGTABLE_LEVEL_P4D, addr, end);
}

static inline uintptr_t pgd_addr_end(const struct pgtable *pt, uintptr_t addr, uintptr_t end)
{
	return pgtable_addr_end(pgtable_root_level(pt), addr, end);
}

/** pgd_offset_pgd() - the root entry for @va (Linux takes the root pointer instead of @pt). */
static inline pgd_t *pgd_offset_pgd(const struct pgtable *pt, uintptr_t va)
{
	return (pgd_t *)__va(pt->root) + pgd_index(pt, va);
}

#define pgd_offset(pt, va) pgd_offset_pgd(pt, va)

/** pgd_none(), pgd_present(), pgd_leaf() - real only with 5 levels, folded otherwise. */
static inline bool pgd_none(const struct pgtable *pt, pgd_t pgd)
{
	return pt->cfg.levels == 5 && pgd_val(pgd) == 0;
}

static inline bool pgd_present(const struct pgtable *pt, pgd_t pgd)
{
	return pt->cfg.levels != 5 || arch_pte_present(pgd_val(pgd));
}

static inline bool pgd_leaf(const struct pgtable *pt, pgd_t pgd)
{
	return pt->cfg.levels == 5 && arch_pte_is_leaf(pgd_val(pgd), PGTABLE_LEVEL_PGD5);
}

/** p4d_offset() - the p4d entry for @va below *@pgd (the same entry when p4d is folded). */
static inline p4d_t *p4d_offset(const struct pgtable *pt, pgd_t *pgd, uintptr_t va)
{
	if (pt->cfg.levels < 5)
		return (p4d_t *)pgd;
	return (p4d_t *)__va(arch_pte_addr(pgd_val(*pgd), PGTABLE_LEVEL_PGD5)) + p4d_index(va);
}

/** p4d_none(), p4d_present(), p4d_leaf() - real with 4 or 5 levels, folded with 3. */
static inline bool p4d_none(const struct pgtable *pt, p4d_t p4d)
{
	return pt->cfg.levels >= 4 && p4d_val(p4d) == 0;
}

static inline bool p4d_present(const struct pgtable *pt, p4d_t p4d)
{
	return pt->cfg.levels < 4 || arch_pte_present(p4d_val(p4d));
}

static inline bool p4d_leaf(const struct pgtable *pt, p4d_t p4d)
{
	return pt->cfg.levels >= 4 && arch_pte_is_leaf(p4d_val(p4d), PGTABLE_LEVEL_P4D);
}

/** pud_offset() - the pud entry for @va below *@p4d (the same entry when pud is folded). */
static inline pud_t *pud_offset(const struct pgtable *pt, p4d_t *p4d, uintptr_t va)
{
	if (pt->cfg.levels < 4)
		return (pud_t *)p4d;
	return (pud_t *)__va(arch_pte_addr(p4d_val(*p4d), PGTABLE_LEVEL_P4D)) + pud_index(va);
}

/** pud_none(), pud_present(), pud_leaf() (a 1 GiB leaf) - always real. */
static inline bool pud_none(pud_t pud)
{
	return pud_val(pud) == 0;
}

static inline bool pud_present(pud_t pud)
{
	return arch_pte_present(pud_val(pud));
}

static inline bool pud_leaf(pud_t pud)
{
	return arch_pte_is_leaf(pud_val(pud), PGTABLE_LEVEL_PUD);
}

/** pmd_offset() - the pmd entry for @va in the table *@pud points to. */
static inline pmd_t *pmd_offset(pud_t *pud, uintptr_t va)
{
	return (pmd_t *)__va(arch_pte_addr(pud_val(*pud), PGTABLE_LEVEL_PUD)) + pmd_index(va);
}

/** pmd_none(), pmd_present(), pmd_leaf() (a 2 MiB leaf). */
static inline bool pmd_none(pmd_t pmd)
{
	return pmd_val(pmd) == 0;
}

static inline bool pmd_present(pmd_t pmd)
{
	return arch_pte_present(pmd_val(pmd));
}

static inline bool pmd_leaf(pmd_t pmd)
{
	return arch_pte_is_leaf(pmd_val(pmd), PGTABLE_LEVEL_PMD);
}

/** pte_offset_kernel() - the pte for @va in the table *@pmd points to. */
static inline pte_t *pte_offset_kernel(pmd_t *pmd, uintptr_t va)
{
	return (pte_t *)__va(arch_pte_addr(pmd_val(*pmd), PGTABLE_LEVEL_PMD)) + pte_index(va);
}

/** pte_none(), pte_present(). */
static inline bool pte_none(pte_t pte)
{
	return pte_val(pte) == 0;
}

static inline bool pte_present(pte_t pte)
{
	return arch_pte_is_leaf(pte_val(pte), PGTABLE_LEVEL_PTE);
}

/** pte_pfn(), pmd_pfn(), pud_pfn() - first page frame a leaf maps (or the table's frame). */
static inline unsigned long pte_pfn(pte_t pte)
{
	return PHYS_PFN(arch_pte_addr(pte_val(pte), PGTABLE_LEVEL_PTE));
}

static inline unsigned long pmd_pfn(pmd_t pmd)
{
	return PHYS_PFN(arch_pte_addr(pmd_val(pmd), PGTABLE_LEVEL_PMD));
}

static inline unsigned long pud_pfn(pud_t pud)
{
	return PHYS_PFN(arch_pte_addr(pud_val(pud), PGTABLE_LEVEL_PUD));
}

/** pte_pgprot() - protection of a valid leaf pte. */
static inline pgprot_t pte_pgprot(const struct pgtable *pt, pte_t pte)
{
	return arch_pte_pgprot(&pt->cfg, pte_val(pte));
}

/**
 * pfn_pte(), pfn_pmd(), pfn_pud() - leaf entries for @pfn with @prot (a zero entry if the
 * format cannot express it: check arch_pgprot_supported() and alignment first).
 */
static inline pte_t pfn_pte(const struct pgtable *pt, unsigned long pfn, pgprot_t prot)
{
	return __pte(arch_mk_leaf(&pt->cfg, PFN_PHYS(pfn), prot, PGTABLE_LEVEL_PTE));
}

static inline pmd_t pfn_pmd(const struct pgtable *pt, unsigned long pfn, pgprot_t prot)
{
	return __pmd(arch_mk_leaf(&pt->cfg, PFN_PHYS(pfn), prot, PGTABLE_LEVEL_PMD));
}

static inline pud_t pfn_pud(const struct pgtable *pt, unsigned long pfn, pgprot_t prot)
{
	return __pud(arch_mk_leaf(&pt->cfg, PFN_PHYS(pfn), prot, PGTABLE_LEVEL_PUD));
}

/** pte_write() - the leaf allows writes. */
static inline bool pte_write(const struct pgtable *pt, pte_t pte)
{
	return pgprot_val(pte_pgprot(pt, pte)) & PGPROT_WRITE;
}

/**
 * set_pte(), pte_clear(), set_pmd(), set_pud() - raw stores of one entry. No flush, no
 * break-before-make, no barrier: for entries the caller knows are not live, or inside its own
 * update protocol (Linux: the same names).
 */
static inline void set_pte(pte_t *ptep, pte_t pte)
{
	*(volatile pteval_t *)&ptep->pte = pte_val(pte);
}

static inline void pte_clear(pte_t *ptep)
{
	set_pte(ptep, __pte(0));
}

static inline void set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	*(volatile pteval_t *)&pmdp->pmd = pmd_val(pmd);
}

static inline void set_pud(pud_t *pudp, pud_t pud)
{
	*(volatile pteval_t *)&pudp->pud = pud_val(pud);
}

/**
 * pmd_populate_kernel(), pud_populate() - point an empty entry at a table page. The caller
 * fills the table first and calls arch_pgtable_publish() (<arch/tlbflush.h>) before this.
 */
static inline void pmd_populate_kernel(const struct pgtable *pt, pmd_t *pmdp, pte_t *table)
{
	set_pmd(pmdp, __pmd(arch_mk_table(&pt->cfg, __pa(table))));
}

static inline void pud_populate(const struct pgtable *pt, pud_t *pudp, pmd_t *table)
{
	set_pud(pudp, __pud(arch_mk_table(&pt->cfg, __pa(table))));
}

#endif
