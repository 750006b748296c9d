// SPDX-License-Identifier: BSD-2-Clause
// page_vma_mapped_walk(): where a pfn range is mapped inside one VMA, at any leaf size, with the
// page-table lock held on each match, as seed 003_5f7b0f777da50e81 describes Linux's
// mm/page_vma_mapped.c. One walker serves PTE, PMD and PUD leaves and the software entries.
#include <platform/errno.h>
#include <platform/memory.h>

#include <mm/rmap.h>

static void lock(struct page_vma_mapped_walk *pvmw)
{
	if (!pvmw->locked) {
		pvmw->lock_flags = pgtable_lock(&pvmw->vma->vm_mm->pgt);
		pvmw->locked = true;
	}
}

static void unlock(struct page_vma_mapped_walk *pvmw)
{
	if (pvmw->locked) {
		pgtable_unlock(&pvmw->vma->vm_mm->pgt, pvmw->lock_flags);
		pvmw->locked = false;
	}
}

void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
{
	unlock(pvmw);
	pvmw->pte = NULL;
}

static bool not_found(struct page_vma_mapped_walk *pvmw)
{
	page_vma_mapped_walk_done(pvmw);
	return false;
}

/* Next boundary of @size after the address; past the top of the address space ends the walk. */
static void step_forward(struct page_vma_mapped_walk *pvmw, uint64_t size)
{
	unsigned long next = (pvmw->address + size) & ~(unsigned long)(size - 1);

	pvmw->address = next > pvmw->address ? next : ~0UL;
}

/*
 * Whether @e at @level names a pfn of the range. Compared as [first, last] both ways so that
 * neither a range at the top of the pfn space nor a 1 GiB leaf can overflow.
 */
static bool check_entry(const struct page_vma_mapped_walk *pvmw, pteval_t e, int level)
{
	unsigned long first, n = 1UL << (9 * level);

	if (arch_pte_present(e)) {
		if ((pvmw->flags & PVMW_MIGRATION) || (level && !arch_pte_is_leaf(e, level)))
			return false;
		first = PHYS_PFN(arch_pte_addr(e, level));
	} else if (is_migration_entry(e)) {
		if (!(pvmw->flags & PVMW_MIGRATION))
			return false;
		first = swp_entry_pfn(e);
	} else if (is_device_private_entry(e) || is_device_exclusive_entry(e)) {
		if ((pvmw->flags & PVMW_MIGRATION) || level)
			return false;
		first = swp_entry_pfn(e);
	} else {
		return false;
	}
	return first <= pvmw->pfn + (pvmw->nr_pages - 1) && pvmw->pfn <= first + (n - 1);
}

/*
 * The entry that decides @addr: a leaf or software entry at PUD or PMD level, or the PTE.
 * NULL with *@level the level of an empty entry (nothing mapped for that whole span).
 */
static pteval_t *lookup(struct pgtable *pt, unsigned long addr, int *level)
{
	for (int l = pgtable_root_level(pt); l >= 0; l--) {
		pteval_t *p = pgtable_find_entry(pt, addr, l);
		pteval_t e;

		if (!p) {
			*level = l + 1;
			return NULL;
		}
		e = *(volatile pteval_t *)p;
		if (l == 0 || (e && !pgtable_entry_is_table(e, l))) {
			*level = l;
			return p;
		}
		if (!e) {
			*level = l;
			return NULL;
		}
	}
	*level = 0;
	return NULL;
}

static void set_end(struct page_vma_mapped_walk *pvmw)
{
	unsigned long len = pvmw->nr_pages << PAGE_SHIFT;
	struct vm_area_struct *vma = pvmw->vma;

	/* The pfn range is mapped at most nr_pages from where it starts; never past the VMA. */
	if (pvmw->nr_pages > (vma->vm_end - pvmw->address) >> PAGE_SHIFT)
		pvmw->end = vma->vm_end;
	else
		pvmw->end = pvmw->address + len;
}

bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	struct pgtable *pt = &pvmw->vma->vm_mm->pgt;
	pteval_t *p = NULL, *prev = NULL;
	int level = PGTABLE_LEVEL_PTE;

	if (pvmw->pte) {
		/* After a huge leaf: a folio larger than the leaf may have more of them. */
		if (pvmw->level > PGTABLE_LEVEL_PTE) {
			pvmw->pte = NULL;
			unlock(pvmw);
			step_forward(pvmw, pgtable_level_size(pvmw->level));
			goto walk;
		}
		p = pvmw->pte;
		goto next_pte;
	}
	if (!pvmw->nr_pages || pvmw->address < pvmw->vma->vm_start ||
	    pvmw->address >= pvmw->vma->vm_end)
		return false;
	pvmw->address &= ~(unsigned long)(PAGE_SIZE - 1);
	set_end(pvmw);
walk:
	while (pvmw->address < pvmw->end) {
		/*
		 * Tables are looked up under the lock, PVMW_SYNC or not: an emptied table is freed
		 * right after its flush, and without RCU a lockless descent could follow a freed
		 * table's stale entries (Linux's non-sync mode relies on RCU-freed page tables).
		 */
		lock(pvmw);
		/* Within one PTE table under the lock, the next entry is simply the next slot. */
		if (prev && pvmw->locked) {
			p = prev + 1;
			level = PGTABLE_LEVEL_PTE;
		} else {
			p = lookup(pt, pvmw->address, &level);
		}
		prev = NULL;
		if (!p) {
			unlock(pvmw);
			step_forward(pvmw, pgtable_level_size(level));
			continue;
		}
		if (!*(volatile pteval_t *)p)
			goto next_pte;
		if (check_entry(pvmw, *p, level)) {
			pvmw->pte = p;
			pvmw->level = level;
			pvmw->address &= ~(unsigned long)(pgtable_level_size(level) - 1);
			if (pvmw->address < pvmw->vma->vm_start)
				pvmw->address = pvmw->vma->vm_start;
			return true;
		}
		if (level > PGTABLE_LEVEL_PTE) {
			unlock(pvmw);
			step_forward(pvmw, pgtable_level_size(level));
			continue;
		}
next_pte:
		pvmw->pte = NULL;
		step_forward(pvmw, PAGE_SIZE);
		/* Leaving a PTE table: the next one is looked up (and locked) afresh. */
		if (IS_ALIGNED(pvmw->address, pgtable_level_size(PGTABLE_LEVEL_PMD)))
			unlock(pvmw);
		else
			prev = p;
	}
	return not_found(pvmw);
}

long vma_address_of(const struct vm_area_struct *vma, unsigned long pgoff, unsigned long nr,
		    unsigned long *addr)
{
	unsigned long first = pgoff > vma->vm_pgoff ? pgoff : vma->vm_pgoff;

	/* [pgoff, pgoff + nr) against [vm_pgoff, vm_pgoff + pages), without overflow */
	if (!nr || first - pgoff >= nr || first - vma->vm_pgoff >= vma_pages(vma))
		return -EFAULT;
	*addr = vma->vm_start + ((first - vma->vm_pgoff) << PAGE_SHIFT);
	return 0;
}
