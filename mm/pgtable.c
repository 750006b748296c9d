// SPDX-License-Identifier: BSD-2-Clause
// Page-table updates written once over <arch/pgtable.h> with a runtime level count: map with the
// largest leaves, unmap (freeing emptied tables), split, merge, protect, walk. Behaviour follows
// Linux's kernel page-table code (vmap/ioremap_page_range, set_memory, arm64 break-before-make).
#include <string.h>

#include <platform/errno.h>
#include <platform/memory.h>
#include <arch/pgtable.h>
#include <arch/tlbflush.h>
#include <mm/pgtable.h>

unsigned long tlb_flush_count;

static struct pgtable_page_ops page_ops;

/* Subtrees unlinked by an update wait here until the TLB flush that makes them unreachable. */
#define DEFERRED_SUBTREES 16

/*
 * State of one update. Pending flushes are gathered into one request at the end; table pages
 * taken out of the tree are freed only after that request (a walker may still hold them).
 * Emptied tables are chained through their (otherwise zero) entry 0: a page-aligned address has
 * bit 0 clear, so the page still reads as all-invalid to a walker. Subtrees that still hold
 * valid entries are remembered in @subtree[] instead and never written before they are freed.
 */
struct pt_op {
	struct pgtable *pt;
	bool pending;
	bool tables;		/* a non-leaf entry was removed since the last flush */
	bool written;		/* entries written since the last flush or barrier */
	uintptr_t first, last; /* pending range, inclusive */
	phys_addr_t empty_list;
	unsigned int nr_subtrees;
	phys_addr_t subtree[DEFERRED_SUBTREES];
	int subtree_level[DEFERRED_SUBTREES];
};

void pgtable_set_page_ops(const struct pgtable_page_ops *ops)
{
	if (ops)
		page_ops = *ops;
	else
		memset(&page_ops, 0, sizeof(page_ops));
}

static inline pteval_t *entry_ptr(phys_addr_t table, int level, uintptr_t va)
{
	return (pteval_t *)__va(table) + pgtable_index(level, va);
}

static inline pteval_t read_entry(const pteval_t *p)
{
	return *(const volatile pteval_t *)p;
}

static inline void write_entry(struct pt_op *op, pteval_t *p, pteval_t v)
{
	*(volatile pteval_t *)p = v;
	op->written = true;
}

static int alloc_table(struct pgtable *pt, phys_addr_t *pa)
{
	phys_addr_t page;

	if (!page_ops.alloc)
		return -ENOMEM;
	page = page_ops.alloc(page_ops.ctx);
	if (!page)
		return -ENOMEM;
	memset(__va(page), 0, PAGE_SIZE);
	pt->nr_table_pages++;
	*pa = page;
	return 0;
}

static void free_table(struct pgtable *pt, phys_addr_t pa)
{
	pt->nr_table_pages--;
	page_ops.free(pa, page_ops.ctx);
}

static void free_subtree(struct pgtable *pt, phys_addr_t table, int level)
{
	const pteval_t *t = __va(table);

	for (unsigned int i = 0; i < 512 && level > 0; i++)
		if (pgtable_entry_is_table(t[i], level))
			free_subtree(pt, arch_pte_addr(t[i], level), level - 1);
	free_table(pt, table);
}

static void issue_flush(struct pgtable *pt, uintptr_t first, uintptr_t last, bool tables)
{
	tlb_flush_count++;
	if ((tables && !ARCH_RANGE_FLUSH_COVERS_TABLES) || last == UINTPTR_MAX)
		flush_tlb_all();
	else
		flush_tlb_kernel_range(pt, first, last + 1);
}

static void op_pend(struct pt_op *op, uintptr_t va, uint64_t size, bool tables)
{
	uintptr_t last = va + size - 1;

	if (!op->pending) {
		op->first = va;
		op->last = last;
	} else {
		op->first = MIN(op->first, va);
		op->last = MAX(op->last, last);
	}
	op->pending = true;
	op->tables |= tables;
}

/* Flush what is pending, then free what waited for it. */
static void op_flush(struct pt_op *op)
{
	if (op->pending) {
		issue_flush(op->pt, op->first, op->last, op->tables);
		op->pending = false;
		op->tables = false;
		op->written = false;
	}
	while (op->empty_list) {
		phys_addr_t pa = op->empty_list;
		pteval_t *t = __va(pa);

		op->empty_list = t[0];
		t[0] = 0;
		free_table(op->pt, pa);
	}
	for (unsigned int i = 0; i < op->nr_subtrees; i++)
		free_subtree(op->pt, op->subtree[i], op->subtree_level[i]);
	op->nr_subtrees = 0;
}

static void op_finish(struct pt_op *op)
{
	op_flush(op);
	if (op->written)
		arch_pgtable_publish();
}

/* @table (at @level) was unlinked and is empty: free it after the flush. */
static void op_defer_empty(struct pt_op *op, phys_addr_t table)
{
	pteval_t *t = __va(table);

	t[0] = op->empty_list;
	op->empty_list = table;
}

/* @table (at @level) was unlinked with its entries intact: free it and below after the flush. */
static void op_defer_subtree(struct pt_op *op, phys_addr_t table, int level)
{
	if (op->nr_subtrees == DEFERRED_SUBTREES)
		op_flush(op);
	op->subtree[op->nr_subtrees] = table;
	op->subtree_level[op->nr_subtrees] = level;
	op->nr_subtrees++;
}

static bool needs_bbm(const struct pgtable_cfg *cfg, pteval_t old, pteval_t new, int level)
{
	if (!arch_pte_is_leaf(old, level) || !arch_pte_is_leaf(new, level))
		return true;
	if (arch_pte_addr(old, level) != arch_pte_addr(new, level))
		return true;
	return pgprot_memtype(arch_pte_pgprot(cfg, old)) !=
	       pgprot_memtype(arch_pte_pgprot(cfg, new));
}

/*
 * Replace the entry *@p (old value @old, at @level, covering @base) by @new.
 * An invalid old entry is simply written. Otherwise, where the arch needs it and the change
 * is one of output address, size or memory type: break-before-make (invalid, flush, new);
 * else write the new entry and leave the flush pending. A replaced table is freed after the
 * flush that covers it.
 */
static void set_entry(struct pt_op *op, pteval_t *p, pteval_t old, pteval_t new, int level,
		      uintptr_t base)
{
	uint64_t size = pgtable_level_size(level);
	bool was_table = pgtable_entry_is_table(old, level);

	if (old == new)
		return;
	if (!arch_pte_present(old)) {
		write_entry(op, p, new);
		if (ARCH_MAP_NEEDS_FLUSH)
			op_pend(op, base, size, false);
		return;
	}
	if (ARCH_NEEDS_BBM && needs_bbm(&op->pt->cfg, old, new, level)) {
		write_entry(op, p, 0);
		op_pend(op, base, size, was_table);
		op_flush(op);
		write_entry(op, p, new);
	} else {
		write_entry(op, p, new);
		op_pend(op, base, size, was_table);
	}
	if (was_table)
		op_defer_subtree(op, arch_pte_addr(old, level), level - 1);
}

/* Leaf at @level (*@p, covering @base) -> table of 512 leaves at @level - 1. */
static int split_entry(struct pt_op *op, pteval_t *p, int level, uintptr_t base)
{
	const struct pgtable_cfg *cfg = &op->pt->cfg;
	pteval_t old = read_entry(p);
	phys_addr_t opa = arch_pte_addr(old, level);
	pgprot_t prot = arch_pte_pgprot(cfg, old);
	uint64_t sub = pgtable_level_size(level - 1);
	phys_addr_t table;
	pteval_t *t;
	int err;

	err = alloc_table(op->pt, &table);
	if (err)
		return err;
	t = __va(table);
	for (unsigned int i = 0; i < 512; i++)
		t[i] = arch_mk_leaf(cfg, opa + i * sub, prot, level - 1);
	arch_pgtable_publish();
	set_entry(op, p, old, arch_mk_table(cfg, table), level, base);
	return 0;
}

/* Make sure no leaf straddles @va: split the one containing it down until @va is its start. */
static int split_around(struct pt_op *op, uintptr_t va)
{
	struct pgtable *pt = op->pt;
	phys_addr_t table = pt->root;

	for (int level = pgtable_root_level(pt); level > 0; level--) {
		pteval_t *p = entry_ptr(table, level, va);
		pteval_t e = read_entry(p);
		uint64_t size = pgtable_level_size(level);

		if (!arch_pte_present(e))
			return 0;
		if (arch_pte_is_leaf(e, level)) {
			int err;

			if (IS_ALIGNED(va, size))
				return 0;
			err = split_entry(op, p, level, va & ~(size - 1));
			if (err)
				return err;
			e = read_entry(p);
		}
		table = arch_pte_addr(e, level);
	}
	return 0;
}

static int check_range(const struct pgtable *pt, uintptr_t va, uint64_t size)
{
	uintptr_t last = va + size - 1;

	if (!size || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || last < va)
		return -EINVAL;
	if (!arch_va_canonical(&pt->cfg, va) || !arch_va_canonical(&pt->cfg, last) ||
	    (va >> 63) != (last >> 63))
		return -ERANGE;
	return 0;
}

static bool range_has_leaf(phys_addr_t table, int level, uintptr_t va, uintptr_t end)
{
	uintptr_t addr = va, next;

	do {
		pteval_t e = read_entry(entry_ptr(table, level, addr));

		next = pgtable_addr_end(level, addr, end);
		if (!arch_pte_present(e)) {
			if (e) /* a software entry occupies its slot like a leaf */
				return true;
			continue;
		}
		if (level == 0 || arch_pte_is_leaf(e, level))
			return true;
		if (range_has_leaf(arch_pte_addr(e, level), level - 1, addr, next))
			return true;
	} while (addr = next, addr != end);
	return false;
}

static int map_level(struct pt_op *op, phys_addr_t table, int level, uintptr_t va, uintptr_t end,
		     phys_addr_t pa, pgprot_t prot, unsigned int flags)
{
	const struct pgtable_cfg *cfg = &op->pt->cfg;
	unsigned int cap = flags >> PGTABLE_MAP_MAX_LEAF_SHIFT;
	bool replace = flags & PGTABLE_MAP_REPLACE;
	uintptr_t addr = va, next;
	int err;

	if (level == 0 && (flags & PGTABLE_MAP_SAME_PA) && !replace) {
		/* one leaf value over empty slots (range_has_leaf() checked them) */
		pteval_t *p = entry_ptr(table, 0, va), *e = p + (end - va) / PAGE_SIZE;
		pteval_t leaf = arch_mk_leaf(cfg, pa, prot, 0);

		for (; p != e; p++)
			*(volatile pteval_t *)p = leaf;
		op->written = true;
		if (ARCH_MAP_NEEDS_FLUSH)
			op_pend(op, va, end - va, false);
		return 0;
	}
	do {
		pteval_t *p = entry_ptr(table, level, addr);
		pteval_t old = read_entry(p);
		uint64_t size = pgtable_level_size(level);
		phys_addr_t child;

		next = pgtable_addr_end(level, addr, end);
		if ((!cap || level < (int)cap) && arch_level_may_be_leaf(cfg, level) &&
		    next - addr == size && IS_ALIGNED(pa, size)) {
			bool is_table = pgtable_entry_is_table(old, level);

			if (!arch_pte_present(old) || replace) {
				set_entry(op, p, old, arch_mk_leaf(cfg, pa, prot, level), level,
					  addr);
				goto next;
			}
			if (!is_table)
				return -EEXIST;
			/* a table in the way: fill it with smaller leaves */
		}
		if (!arch_pte_present(old)) {
			err = alloc_table(op->pt, &child);
			if (err)
				return err;
			arch_pgtable_publish();
			write_entry(op, p, arch_mk_table(cfg, child));
		} else if (arch_pte_is_leaf(old, level)) {
			if (!replace)
				return -EEXIST;
			err = split_entry(op, p, level, addr & ~(size - 1));
			if (err)
				return err;
			child = arch_pte_addr(read_entry(p), level);
		} else {
			child = arch_pte_addr(old, level);
		}
		err = map_level(op, child, level - 1, addr, next, pa, prot, flags);
		if (err)
			return err;
next:
		if (!(flags & PGTABLE_MAP_SAME_PA))
			pa += next - addr;
	} while (addr = next, addr != end);
	return 0;
}

static bool table_empty(phys_addr_t table)
{
	const pteval_t *t = __va(table);

	for (unsigned int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

/* Clear [va, end) below @table; leaves there lie wholly inside (split_around() ran). */
static void unmap_level(struct pt_op *op, phys_addr_t table, int level, uintptr_t va,
			uintptr_t end)
{
	uintptr_t addr = va, next;

	do {
		pteval_t *p = entry_ptr(table, level, addr);
		pteval_t e = read_entry(p);
		uint64_t size = pgtable_level_size(level);
		phys_addr_t child;

		next = pgtable_addr_end(level, addr, end);
		if (!arch_pte_present(e)) {
			/* a software entry (migration, device-private): nothing cached, just clear */
			if (e)
				write_entry(op, p, 0);
			continue;
		}
		if (level == 0 || arch_pte_is_leaf(e, level)) {
			write_entry(op, p, 0);
			op_pend(op, addr & ~(size - 1), size, false);
			continue;
		}
		child = arch_pte_addr(e, level);
		unmap_level(op, child, level - 1, addr, next);
		if (next - addr == size || table_empty(child)) {
			write_entry(op, p, 0);
			op_pend(op, addr & ~(size - 1), size, true);
			op_defer_empty(op, child);
		}
	} while (addr = next, addr != end);
}

static int pgtable_map_locked(struct pgtable *pt, uintptr_t va, phys_addr_t pa, uint64_t size, pgprot_t prot,
		unsigned int flags)
{
	struct pt_op op = { .pt = pt };
	uintptr_t end = va + size;
	int err;

	err = check_range(pt, va, size);
	if (err)
		return err;
	if (flags & PGTABLE_MAP_SAME_PA) /* 4 KiB leaves, every one onto the page at @pa */
		flags = (flags & ~(0xffu << PGTABLE_MAP_MAX_LEAF_SHIFT)) | PGTABLE_MAP_NO_BLOCKS;
	if (!IS_ALIGNED(pa, PAGE_SIZE) ||
	    (!(flags & PGTABLE_MAP_SAME_PA) && (pa + size - 1 < pa ||
						(pa + size - 1) >> ARCH_PA_BITS)) ||
	    pa >> ARCH_PA_BITS)
		return -EINVAL;
	if (!arch_pgprot_supported(&pt->cfg, prot))
		return -EOPNOTSUPP;
	if (!(flags & PGTABLE_MAP_REPLACE) &&
	    range_has_leaf(pt->root, pgtable_root_level(pt), va, end))
		return -EEXIST;
	err = map_level(&op, pt->root, pgtable_root_level(pt), va, end, pa, prot, flags);
	if (err && !(flags & PGTABLE_MAP_REPLACE))
		unmap_level(&op, pt->root, pgtable_root_level(pt), va, end);
	op_finish(&op);
	return err;
}

static int pgtable_unmap_locked(struct pgtable *pt, uintptr_t va, uint64_t size)
{
	struct pt_op op = { .pt = pt };
	uintptr_t end = va + size;
	int err;

	err = check_range(pt, va, size);
	if (err)
		return err;
	err = split_around(&op, va);
	if (!err && end)
		err = split_around(&op, end);
	if (!err)
		unmap_level(&op, pt->root, pgtable_root_level(pt), va, end);
	op_finish(&op);
	return err;
}

static void protect_level(struct pt_op *op, phys_addr_t table, int level, uintptr_t va,
			  uintptr_t end, pgprot_t prot)
{
	const struct pgtable_cfg *cfg = &op->pt->cfg;
	uintptr_t addr = va, next;

	do {
		pteval_t *p = entry_ptr(table, level, addr);
		pteval_t e = read_entry(p);

		next = pgtable_addr_end(level, addr, end);
		if (!arch_pte_present(e))
			continue;
		if (level == 0 || arch_pte_is_leaf(e, level)) {
			pteval_t new = arch_mk_leaf(cfg, arch_pte_addr(e, level), prot, level);

			if (new != e)
				set_entry(op, p, e, new, level,
					  addr & ~(pgtable_level_size(level) - 1));
			continue;
		}
		protect_level(op, arch_pte_addr(e, level), level - 1, addr, next, prot);
	} while (addr = next, addr != end);
}

static int pgtable_protect_locked(struct pgtable *pt, uintptr_t va, uint64_t size, pgprot_t prot)
{
	struct pt_op op = { .pt = pt };
	uintptr_t end = va + size;
	int err;

	err = check_range(pt, va, size);
	if (err)
		return err;
	if (!arch_pgprot_supported(&pt->cfg, prot))
		return -EOPNOTSUPP;
	err = split_around(&op, va);
	if (!err && end)
		err = split_around(&op, end);
	if (!err)
		protect_level(&op, pt->root, pgtable_root_level(pt), va, end, prot);
	op_finish(&op);
	return err;
}

/* The entry at @level on @va's path, or NULL if the walk ends above it (not a table there). */
static pteval_t *find_entry(const struct pgtable *pt, uintptr_t va, int level)
{
	phys_addr_t table = pt->root;

	for (int l = pgtable_root_level(pt); l > level; l--) {
		pteval_t e = read_entry(entry_ptr(table, l, va));

		if (!pgtable_entry_is_table(e, l))
			return NULL;
		table = arch_pte_addr(e, l);
	}
	return entry_ptr(table, level, va);
}

pteval_t *pgtable_find_entry(const struct pgtable *pt, uintptr_t va, int level)
{
	if (level < 0 || level > pgtable_root_level(pt) || !arch_va_canonical(&pt->cfg, va))
		return NULL;
	return find_entry(pt, va, level);
}

void pgtable_update_entry_locked(struct pgtable *pt, pteval_t *p, int level, uintptr_t va,
				 pteval_t new)
{
	struct pt_op op = { .pt = pt };

	set_entry(&op, p, read_entry(p), new, level, va & ~(pgtable_level_size(level) - 1));
	op_finish(&op);
}

/* PMD leaves a remap batch splits: their new PTE tables are filled before they are linked. */
#define REMAP_MAX_SPLITS PGTABLE_REMAP_MAX_SPLITS

struct remap_split {
	pteval_t *pmdp;
	phys_addr_t table;
	uintptr_t base;
};

struct remap_state {
	unsigned int nr_splits;
	struct remap_split split[REMAP_MAX_SPLITS];
};

/*
 * The PTE slot for @va. Under a PMD leaf it is a slot of a new table, made here on first use
 * with the leaves the split gives (same output, same protection) and not linked yet: nobody
 * else can see it, so it is written directly and linked at the end.
 */
static int remap_slot(struct pgtable *pt, struct remap_state *st, uintptr_t va, pteval_t **slot)
{
	const struct pgtable_cfg *cfg = &pt->cfg;
	pteval_t *pmdp = find_entry(pt, va, PGTABLE_LEVEL_PMD), e;
	struct remap_split *sp;
	pteval_t *t;
	int err;

	if (!pmdp)
		return -ENOENT;
	/* first: a PMD being split reads as broken (0) once the break has begun */
	for (unsigned int k = 0; k < st->nr_splits; k++)
		if (st->split[k].pmdp == pmdp) {
			*slot = entry_ptr(st->split[k].table, PGTABLE_LEVEL_PTE, va);
			return 0;
		}
	e = read_entry(pmdp);
	if (pgtable_entry_is_table(e, PGTABLE_LEVEL_PMD)) {
		*slot = entry_ptr(arch_pte_addr(e, PGTABLE_LEVEL_PMD), PGTABLE_LEVEL_PTE, va);
		return 0;
	}
	if (!arch_pte_is_leaf(e, PGTABLE_LEVEL_PMD))
		return -ENOENT;
	if (st->nr_splits == REMAP_MAX_SPLITS)
		return -E2BIG;
	sp = &st->split[st->nr_splits];
	err = alloc_table(pt, &sp->table);
	if (err)
		return err;
	st->nr_splits++;
	sp->pmdp = pmdp;
	sp->base = va & ~(pgtable_level_size(PGTABLE_LEVEL_PMD) - 1);
	t = __va(sp->table);
	for (unsigned int i = 0; i < 512; i++)
		t[i] = arch_mk_leaf(cfg, arch_pte_addr(e, PGTABLE_LEVEL_PMD) + i * PAGE_SIZE,
				    arch_pte_pgprot(cfg, e), PGTABLE_LEVEL_PTE);
	*slot = entry_ptr(sp->table, PGTABLE_LEVEL_PTE, va);
	return 0;
}

/* Page @i of @r needs a walk for its slot: it starts the range or a PMD span (a new table). */
static bool new_span(const struct pgtable_remap *r, unsigned long i)
{
	return !i || !((r->va + (i << PAGE_SHIFT)) & (pgtable_level_size(PGTABLE_LEVEL_PMD) - 1));
}

static bool in_new_table(const struct remap_state *st, const pteval_t *p)
{
	for (unsigned int k = 0; k < st->nr_splits; k++)
		if (ALIGN_DOWN((uintptr_t)p, PAGE_SIZE) == (uintptr_t)__va(st->split[k].table))
			return true;
	return false;
}

static int pgtable_remap_ptes_locked(struct pgtable *pt, struct pgtable_remap *rs,
				     unsigned int n)
{
	const struct pgtable_cfg *cfg = &pt->cfg;
	struct pt_op op = { .pt = pt };
	struct remap_state st = { 0 };
	pteval_t *p;
	int err = 0;

	/*
	 * All or nothing: every slot of every range must be a 4 KiB leaf, or lie under a PMD leaf
	 * (its table is made now), before anything visible changes.
	 */
	for (unsigned int k = 0; k < n && !err; k++) {
		struct pgtable_remap *r = &rs[k];

		err = check_range(pt, r->va, (uint64_t)r->nr << PAGE_SHIFT);
		if (!err && !arch_pgprot_supported(cfg, r->prot))
			err = -EOPNOTSUPP;
		p = NULL;
		for (unsigned long i = 0; i < r->nr && !err; i++) {
			pteval_t e;

			/* slots of one PMD span are consecutive entries of one table */
			if (new_span(r, i)) {
				err = remap_slot(pt, &st, r->va + (i << PAGE_SHIFT), &p);
				if (err)
					break;
				if (!i)
					r->slot = p; /* the next passes start here without a walk */
			} else {
				p++;
			}
			e = read_entry(p);
			if (!arch_pte_present(e))
				err = -ENOENT;
			else
				r->old[i] = arch_pte_addr(e, PGTABLE_LEVEL_PTE);
		}
	}
	if (err) {
		for (unsigned int k = 0; k < st.nr_splits; k++)
			free_table(pt, st.split[k].table);
		return err;
	}
	/*
	 * arm64: break every live entry (the PTEs, the PMD leaves being split), one flush, then
	 * make them (no entry changes twice in between). The window is open to every CPU that
	 * reads the ranges: a caller remapping a live range (HVO) runs this with the other CPUs
	 * parked (stop_machine()). riscv64 writes the new entries over the old ones and flushes
	 * once at the end; until then a hart reads through either.
	 */
	if (ARCH_NEEDS_BBM) {
		for (unsigned int k = 0; k < n; k++) {
			bool fresh = false;

			for (unsigned long i = 0; i < rs[k].nr; i++) {
				if (new_span(&rs[k], i)) {
					if (i)
						remap_slot(pt, &st, rs[k].va + (i << PAGE_SHIFT), &p);
					else
						p = rs[k].slot;
					fresh = in_new_table(&st, p);
				} else {
					p++;
				}
				if (!fresh) /* a new table is not reachable yet: no break */
					write_entry(&op, p, 0);
			}
			op_pend(&op, rs[k].va, (uint64_t)rs[k].nr << PAGE_SHIFT, false);
		}
		for (unsigned int k = 0; k < st.nr_splits; k++) {
			write_entry(&op, st.split[k].pmdp, 0);
			op_pend(&op, st.split[k].base, pgtable_level_size(PGTABLE_LEVEL_PMD), false);
		}
		op_flush(&op);
	}
	/* what the caller wrote into the new pages is visible before a walker can reach them */
	arch_pgtable_publish();
	for (unsigned int k = 0; k < n; k++) {
		const struct pgtable_remap *r = &rs[k];
		pteval_t one = r->pas ? 0 : arch_mk_leaf(cfg, r->one_pa, r->prot, PGTABLE_LEVEL_PTE);

		for (unsigned long i = 0; i < r->nr; i++) {
			if (!i)
				p = r->slot;
			else if (new_span(r, i))
				remap_slot(pt, &st, r->va + (i << PAGE_SHIFT), &p);
			else
				p++;
			write_entry(&op, p, r->pas ? arch_mk_leaf(cfg, r->pas[i], r->prot,
								  PGTABLE_LEVEL_PTE) : one);
		}
		if (!ARCH_NEEDS_BBM || ARCH_MAP_NEEDS_FLUSH)
			op_pend(&op, r->va, (uint64_t)r->nr << PAGE_SHIFT, false);
	}
	if (st.nr_splits) {
		/* the new tables are complete before they are linked */
		arch_pgtable_publish();
		for (unsigned int k = 0; k < st.nr_splits; k++) {
			write_entry(&op, st.split[k].pmdp, arch_mk_table(cfg, st.split[k].table));
			if (!ARCH_NEEDS_BBM || ARCH_MAP_NEEDS_FLUSH)
				op_pend(&op, st.split[k].base, pgtable_level_size(PGTABLE_LEVEL_PMD),
					false);
		}
	}
	op_finish(&op);
	return 0;
}

int pgtable_remap_ptes_many(struct pgtable *pt, struct pgtable_remap *rs, unsigned int n)
{
	unsigned long flags = mm_lock(&pt->lock);
	int ret = pgtable_remap_ptes_locked(pt, rs, n);

	mm_unlock(&pt->lock, flags);
	return ret;
}

int pgtable_remap_ptes(struct pgtable *pt, uintptr_t va, unsigned long nr, const phys_addr_t *pas,
		       phys_addr_t one_pa, pgprot_t prot, phys_addr_t *old)
{
	struct pgtable_remap r = { .va = va, .nr = nr, .pas = pas, .one_pa = one_pa, .prot = prot,
				   .old = old };

	return pgtable_remap_ptes_many(pt, &r, 1);
}

static int pgtable_split_locked(struct pgtable *pt, uintptr_t va, int level)
{
	struct pt_op op = { .pt = pt };
	pteval_t *p;
	int err;

	if (level <= 0 || level > pgtable_root_level(pt) || !arch_va_canonical(&pt->cfg, va))
		return -EINVAL;
	p = find_entry(pt, va, level);
	if (!p || !arch_pte_is_leaf(read_entry(p), level))
		return -ENOENT;
	err = split_entry(&op, p, level, va & ~(pgtable_level_size(level) - 1));
	op_finish(&op);
	return err;
}

static int pgtable_merge_locked(struct pgtable *pt, uintptr_t va, int level)
{
	const struct pgtable_cfg *cfg = &pt->cfg;
	struct pt_op op = { .pt = pt };
	uint64_t sub = pgtable_level_size(level - 1);
	pteval_t *p, old, new;
	const pteval_t *t;
	phys_addr_t base;
	pgprot_t prot;

	if (level <= 0 || level > pgtable_root_level(pt) || !arch_va_canonical(cfg, va) ||
	    !arch_level_may_be_leaf(cfg, level))
		return -EINVAL;
	p = find_entry(pt, va, level);
	if (!p)
		return -ENOENT;
	old = read_entry(p);
	if (!pgtable_entry_is_table(old, level))
		return -ENOENT;
	t = __va(arch_pte_addr(old, level));
	if (!arch_pte_is_leaf(t[0], level - 1))
		return -EBUSY;
	base = arch_pte_addr(t[0], level - 1);
	prot = arch_pte_pgprot(cfg, t[0]);
	new = arch_mk_leaf(cfg, base, prot, level);
	if (!new)
		return -EBUSY; /* base not aligned to the larger leaf */
	/* every entry exactly what a split of the new leaf would write */
	for (unsigned int i = 0; i < 512; i++)
		if (t[i] != arch_mk_leaf(cfg, base + i * sub, prot, level - 1))
			return -EBUSY;
	set_entry(&op, p, old, new, level, va & ~(pgtable_level_size(level) - 1));
	op_finish(&op);
	return 0;
}

int pgtable_walk(const struct pgtable *pt, uintptr_t va, struct pgtable_walk_result *r)
{
	phys_addr_t table = pt->root;

	memset(r, 0, sizeof(*r));
	if (!arch_va_canonical(&pt->cfg, va))
		return -ERANGE;
	for (int level = pgtable_root_level(pt); level >= 0; level--) {
		pteval_t e = read_entry(entry_ptr(table, level, va));

		r->table[r->nr] = table;
		r->chain[r->nr++] = e;
		r->level = level;
		r->entry = e;
		if (arch_pte_is_leaf(e, level)) {
			uint64_t size = pgtable_level_size(level);

			r->found = true;
			r->pa = arch_pte_addr(e, level) + (va & (size - 1));
			r->prot = arch_pte_pgprot(&pt->cfg, e);
			return 0;
		}
		if (!pgtable_entry_is_table(e, level))
			return -ENOENT;
		table = arch_pte_addr(e, level);
	}
	return -ENOENT;
}

static int walk_leaves_level(phys_addr_t table, int level, uintptr_t va, uintptr_t end,
			     pgtable_leaf_fn fn, void *arg)
{
	uintptr_t addr = va, next;
	int ret;

	do {
		pteval_t e = read_entry(entry_ptr(table, level, addr));

		next = pgtable_addr_end(level, addr, end);
		/* software entries (migration, device-private) are reported like leaves */
		if (arch_pte_is_leaf(e, level) || (e && !arch_pte_present(e)))
			ret = fn(arg, addr & ~(pgtable_level_size(level) - 1), level, e);
		else if (pgtable_entry_is_table(e, level))
			ret = walk_leaves_level(arch_pte_addr(e, level), level - 1, addr, next, fn,
						arg);
		else
			ret = 0;
		if (ret)
			return ret;
	} while (addr = next, addr != end);
	return 0;
}

int pgtable_walk_leaves(const struct pgtable *pt, uintptr_t va, uint64_t size, pgtable_leaf_fn fn,
			void *arg)
{
	int err = check_range(pt, va, size);

	if (err)
		return err;
	return walk_leaves_level(pt->root, pgtable_root_level(pt), va, va + size, fn, arg);
}

int pgtable_init(struct pgtable *pt, const struct pgtable_cfg *cfg, uint16_t asid)
{
	memset(pt, 0, sizeof(*pt));
	if (!arch_pgtable_cfg_valid(cfg))
		return -EINVAL;
	pt->cfg = *cfg;
	pt->asid = asid;
	mm_lock_init(&pt->lock);
	return alloc_table(pt, &pt->root);
}

void pgtable_destroy(struct pgtable *pt)
{
	if (pt->root)
		free_subtree(pt, pt->root, pgtable_root_level(pt));
	pt->root = 0;
}

/* Updates of one table are serialised by its lock (walks read without it). */
int pgtable_map(struct pgtable *pt, uintptr_t va, phys_addr_t pa, uint64_t size, pgprot_t prot,
		unsigned int flags)
{
	unsigned long irq = mm_lock(&pt->lock);
	int ret = pgtable_map_locked(pt, va, pa, size, prot, flags);

	mm_unlock(&pt->lock, irq);
	return ret;
}

int pgtable_unmap(struct pgtable *pt, uintptr_t va, uint64_t size)
{
	unsigned long irq = mm_lock(&pt->lock);
	int ret = pgtable_unmap_locked(pt, va, size);

	mm_unlock(&pt->lock, irq);
	return ret;
}

int pgtable_protect(struct pgtable *pt, uintptr_t va, uint64_t size, pgprot_t prot)
{
	unsigned long irq = mm_lock(&pt->lock);
	int ret = pgtable_protect_locked(pt, va, size, prot);

	mm_unlock(&pt->lock, irq);
	return ret;
}

int pgtable_split(struct pgtable *pt, uintptr_t va, int level)
{
	unsigned long irq = mm_lock(&pt->lock);
	int ret = pgtable_split_locked(pt, va, level);

	mm_unlock(&pt->lock, irq);
	return ret;
}

int pgtable_merge(struct pgtable *pt, uintptr_t va, int level)
{
	unsigned long irq = mm_lock(&pt->lock);
	int ret = pgtable_merge_locked(pt, va, level);

	mm_unlock(&pt->lock, irq);
	return ret;
}

/*
 * Link @table (a filled table of @level - 1 entries nobody may change through this tree) at
 * the empty @level entry covering @va, making the tables above it as needed.
 */
static int link_table_locked(struct pgtable *pt, uintptr_t va, int level, phys_addr_t table)
{
	struct pt_op op = { .pt = pt };
	phys_addr_t t = pt->root;
	int err = 0;

	for (int l = pgtable_root_level(pt); l > level; l--) {
		pteval_t *p = entry_ptr(t, l, va), e = read_entry(p);

		if (!arch_pte_present(e)) {
			phys_addr_t child;

			err = alloc_table(pt, &child);
			if (err)
				goto out;
			arch_pgtable_publish();
			write_entry(&op, p, arch_mk_table(&pt->cfg, child));
			e = read_entry(p);
		}
		if (!pgtable_entry_is_table(e, l)) {
			err = -EEXIST;
			goto out;
		}
		t = arch_pte_addr(e, l);
	}
	if (read_entry(entry_ptr(t, level, va))) {
		err = -EEXIST;
		goto out;
	}
	arch_pgtable_publish(); /* the table's entries before the link that makes them reachable */
	set_entry(&op, entry_ptr(t, level, va), 0, arch_mk_table(&pt->cfg, table), level,
		  va & ~(pgtable_level_size(level) - 1));
out:
	op_finish(&op);
	return err;
}

int pgtable_link_table(struct pgtable *pt, uintptr_t va, int level, phys_addr_t table)
{
	unsigned long irq;
	int ret;

	if (level < 1 || level > pgtable_root_level(pt) || !arch_va_canonical(&pt->cfg, va))
		return -EINVAL;
	irq = mm_lock(&pt->lock);
	ret = link_table_locked(pt, va, level, table);
	mm_unlock(&pt->lock, irq);
	return ret;
}

int pgtable_unlink_table(struct pgtable *pt, uintptr_t va, int level, phys_addr_t table)
{
	struct pt_op op = { .pt = pt };
	unsigned long irq;
	pteval_t *p, e;
	int ret = 0;

	if (level < 1 || level > pgtable_root_level(pt) || !arch_va_canonical(&pt->cfg, va))
		return -EINVAL;
	irq = mm_lock(&pt->lock);
	p = find_entry(pt, va, level);
	e = p ? read_entry(p) : 0;
	if (!pgtable_entry_is_table(e, level) || arch_pte_addr(e, level) != table) {
		ret = -ENOENT;
	} else {
		/* cleared and flushed, the table itself left alone: it is not this tree's to free */
		write_entry(&op, p, 0);
		op_pend(&op, va & ~(pgtable_level_size(level) - 1), pgtable_level_size(level), true);
	}
	op_finish(&op);
	mm_unlock(&pt->lock, irq);
	return ret;
}

/*
 * Write the batch's @nr leaves at @t (the slot of its first page) without arch_mk_leaf() per
 * slot: both formats hold the frame number in one field, so a leaf is the attributes (the leaf
 * of pa 0) plus pfn times the leaf of pfn 1 less them. That is checked, before anything is
 * written, on the batch's highest page, which also proves every page encodable (a page beyond
 * the format's reach makes arch_mk_leaf() return 0).
 * Return: 0, or -EINVAL (nothing written) when the check fails.
 */
static int fill_batch(const struct pgtable_cfg *cfg, pteval_t *t, unsigned long nr,
		      const struct pgtable_pte_batch *b)
{
	unsigned long stride = b->stride ? b->stride : 1, nr_own = (nr + stride - 1) / stride;
	phys_addr_t max_pa = b->pa + (nr_own - 1) * PAGE_SIZE;
	pteval_t attr = arch_mk_leaf(cfg, 0, b->prot, 0);
	pteval_t unit = arch_mk_leaf(cfg, PAGE_SIZE, b->prot, 0) - attr;
	phys_addr_t bits = b->pa;
	pteval_t ro = 0;

	if (b->pas) {
		max_pa = 0;
		for (unsigned long k = 0; k < nr_own; k++) {
			max_pa = MAX(max_pa, b->pas[k]);
			bits |= b->pas[k];
		}
	}
	if (!attr || bits & ~PAGE_MASK ||
	    arch_mk_leaf(cfg, max_pa, b->prot, 0) != attr + (pteval_t)(max_pa >> PAGE_SHIFT) * unit)
		return -EINVAL;
	if (stride > 1) {
		ro = arch_mk_leaf(cfg, b->ro_pa, b->ro_prot, 0);
		if (!ro)
			return -EINVAL;
	}
	for (unsigned long i = 0, k = 0; i < nr; i += stride, k++) {
		phys_addr_t pa = b->pas ? b->pas[k] : b->pa + k * PAGE_SIZE;

		*(volatile pteval_t *)&t[i] = attr + (pteval_t)(pa >> PAGE_SHIFT) * unit;
		for (unsigned long j = 1; j < stride && i + j < nr; j++)
			*(volatile pteval_t *)&t[i + j] = ro;
	}
	return 0;
}

static int map_pte_batch_locked(struct pgtable *pt, uintptr_t va, unsigned long nr,
				const struct pgtable_pte_batch *b)
{
	struct pt_op op = { .pt = pt };
	uintptr_t end = va + nr * PAGE_SIZE;
	phys_addr_t t = pt->root, child;
	pteval_t *p = NULL, e;
	int err, l;

	err = check_range(pt, va, nr * PAGE_SIZE);
	if (err)
		return err;
	if (pgtable_addr_end(PGTABLE_LEVEL_PMD, va, end) != end)
		return -EINVAL;
	if (!arch_pgprot_supported(&pt->cfg, b->prot) ||
	    (b->stride > 1 && !arch_pgprot_supported(&pt->cfg, b->ro_prot)))
		return -EOPNOTSUPP;
	for (l = pgtable_root_level(pt); l > PGTABLE_LEVEL_PTE; l--) {
		p = entry_ptr(t, l, va);
		e = read_entry(p);
		if (!e)
			break;
		if (!pgtable_entry_is_table(e, l))
			return -EEXIST; /* a leaf (or a software entry) above */
		t = arch_pte_addr(e, l);
	}
	if (l == PGTABLE_LEVEL_PTE) {
		/* an existing table: every slot must be free, checked before any is written */
		pteval_t *s = entry_ptr(t, PGTABLE_LEVEL_PTE, va);

		for (unsigned long i = 0; i < nr; i++)
			if (read_entry(&s[i]))
				return -EEXIST;
		err = fill_batch(&pt->cfg, s, nr, b);
		if (err)
			return err;
		op.written = true;
		if (ARCH_MAP_NEEDS_FLUSH)
			op_pend(&op, va, end - va, false);
		op_finish(&op);
		return 0;
	}
	/*
	 * The path ends at *@p (level @l, empty): the tables below it down to the PTE table are
	 * made and filled while unreachable, then linked with one entry.
	 */
	phys_addr_t top = 0, parent = 0;

	for (int k = l; k > PGTABLE_LEVEL_PTE; k--) {
		err = alloc_table(pt, &child);
		if (err)
			goto undo;
		if (parent)
			*entry_ptr(parent, k, va) = arch_mk_table(&pt->cfg, child);
		else
			top = child;
		parent = child;
	}
	err = fill_batch(&pt->cfg, entry_ptr(parent, PGTABLE_LEVEL_PTE, va), nr, b);
	if (err)
		goto undo;
	arch_pgtable_publish(); /* the new tables' entries before the link that reaches them */
	set_entry(&op, p, 0, arch_mk_table(&pt->cfg, top), l, va & ~(pgtable_level_size(l) - 1));
	op_finish(&op);
	return 0;
undo:
	if (top)
		free_subtree(pt, top, l - 1); /* never linked: freed at once */
	return err;
}

int pgtable_map_pte_batch(struct pgtable *pt, uintptr_t va, unsigned long nr,
			  const struct pgtable_pte_batch *b)
{
	unsigned long irq;
	int ret;

	if (!nr || nr > 512)
		return -EINVAL;
	irq = mm_lock(&pt->lock);
	ret = map_pte_batch_locked(pt, va, nr, b);
	mm_unlock(&pt->lock, irq);
	return ret;
}
