// SPDX-License-Identifier: BSD-2-Clause
// rmap_walk() over a folio's address_space and its users: mkclean, unmap, migrate (Linux
// mm/rmap.c, the migration-entry half of mm/migrate.c, and the device-private entries of HMM).
#include <platform/errno.h>
#include <platform/memory.h>

#include <mm/memremap.h>
#include <mm/rmap.h>

void folio_set_mapping(struct folio *folio, struct address_space *as, unsigned long index)
{
	folio->page.mapping = as;
	folio->page.index = index;
}

int rmap_walk(struct folio *folio, const struct rmap_walk_control *rwc)
{
	struct address_space *as = folio->page.mapping;
	struct vm_area_struct *vma;
	unsigned long flags, addr;
	int visited = 0;

	if (!as)
		return 0;
	/* Held across the walk so no VMA leaves the list under us (Linux: i_mmap_lock_read). */
	flags = mm_lock(&as->i_mmap_lock);
	list_for_each_entry(vma, &as->i_mmap, shared) {
		if (vma_address_of(vma, folio->page.index, folio_nr_pages(folio), &addr))
			continue;
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		visited++;
		if (!rwc->rmap_one(folio, vma, addr, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
	mm_unlock(&as->i_mmap_lock, flags);
	return visited;
}

static void pvmw_init(struct page_vma_mapped_walk *pvmw, struct folio *folio,
		      struct vm_area_struct *vma, unsigned long addr, unsigned int flags)
{
	*pvmw = (struct page_vma_mapped_walk){
		.pfn = folio_pfn(folio),
		.nr_pages = folio_nr_pages(folio),
		.vma = vma,
		.address = addr,
		.flags = flags,
	};
}

static void mm_count(struct vm_area_struct *vma, long delta)
{
	__atomic_fetch_add(&vma->vm_mm->map_count, (unsigned long)delta, __ATOMIC_RELAXED);
}

/* ---- mkclean --------------------------------------------------------------------------- */

static bool mkclean_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			void *arg)
{
	struct pgtable *pt = &vma->vm_mm->pgt;
	struct page_vma_mapped_walk pvmw;
	int *cleaned = arg;

	pvmw_init(&pvmw, folio, vma, addr, PVMW_SYNC);
	while (page_vma_mapped_walk(&pvmw)) {
		pteval_t e = *pvmw.pte;
		unsigned int p;

		if (!arch_pte_present(e))
			continue; /* device-private: nothing the CPU can dirty */
		p = pgprot_val(arch_pte_pgprot(&pt->cfg, e));
		if (!(p & (PGPROT_WRITE | PGPROT_DIRTY)))
			continue;
		p &= ~(PGPROT_WRITE | PGPROT_DIRTY);
		pgtable_update_entry_locked(pt, pvmw.pte, pvmw.level, pvmw.address,
					    arch_mk_leaf(&pt->cfg, arch_pte_addr(e, pvmw.level),
							 __pgprot(p), pvmw.level));
		(*cleaned)++;
	}
	return true;
}

int folio_mkclean(struct folio *folio)
{
	int cleaned = 0;
	const struct rmap_walk_control rwc = { .arg = &cleaned, .rmap_one = mkclean_one };

	rmap_walk(folio, &rwc);
	return cleaned;
}

/* ---- unmap ----------------------------------------------------------------------------- */

static bool folio_not_mapped(struct folio *folio)
{
	return folio_mapcount(folio) == 0;
}

static bool unmap_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
		      void *arg)
{
	struct pgtable *pt = &vma->vm_mm->pgt;
	struct page_vma_mapped_walk pvmw;

	(void)arg;
	pvmw_init(&pvmw, folio, vma, addr, 0);
	while (page_vma_mapped_walk(&pvmw)) {
		pgtable_update_entry_locked(pt, pvmw.pte, pvmw.level, pvmw.address, 0);
		folio_mapcount_add(folio, -1);
		mm_count(vma, -1);
	}
	return true;
}

bool try_to_unmap(struct folio *folio)
{
	const struct rmap_walk_control rwc = { .rmap_one = unmap_one, .done = folio_not_mapped };

	rmap_walk(folio, &rwc);
	return folio_not_mapped(folio);
}

/* ---- migration ------------------------------------------------------------------------- */

static bool migrate_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			void *arg)
{
	struct pgtable *pt = &vma->vm_mm->pgt;
	struct page_vma_mapped_walk pvmw;

	(void)arg;
	pvmw_init(&pvmw, folio, vma, addr, 0);
	while (page_vma_mapped_walk(&pvmw)) {
		pteval_t e = *pvmw.pte;
		bool write;

		if (!arch_pte_present(e))
			continue; /* device-private pages migrate through their owner */
		write = pgprot_val(arch_pte_pgprot(&pt->cfg, e)) & PGPROT_WRITE;
		pgtable_update_entry_locked(
			pt, pvmw.pte, pvmw.level, pvmw.address,
			swp_entry(write ? SWP_MIGRATION_WRITE : SWP_MIGRATION_READ,
				  PHYS_PFN(arch_pte_addr(e, pvmw.level))));
		folio_mapcount_add(folio, -1);
		mm_count(vma, -1);
	}
	return true;
}

bool try_to_migrate(struct folio *folio)
{
	const struct rmap_walk_control rwc = { .rmap_one = migrate_one, .done = folio_not_mapped };

	rmap_walk(folio, &rwc);
	return folio_not_mapped(folio);
}

struct restore_arg {
	struct folio *dst;
	int restored;
};

static bool restore_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			void *arg)
{
	struct pgtable *pt = &vma->vm_mm->pgt;
	struct restore_arg *ra = arg;
	struct page_vma_mapped_walk pvmw;

	pvmw_init(&pvmw, folio, vma, addr, PVMW_MIGRATION);
	while (page_vma_mapped_walk(&pvmw)) {
		pteval_t e = *pvmw.pte;
		unsigned long idx = swp_entry_pfn(e) - folio_pfn(folio);
		unsigned int p = pgprot_val(vma_prot(vma));

		if (swp_entry_type(e) == SWP_MIGRATION_READ)
			p &= ~(PGPROT_WRITE | PGPROT_DIRTY);
		pgtable_update_entry_locked(pt, pvmw.pte, pvmw.level, pvmw.address,
					    arch_mk_leaf(&pt->cfg, PFN_PHYS(folio_pfn(ra->dst) + idx),
							 __pgprot(p), pvmw.level));
		folio_mapcount_add(ra->dst, 1);
		mm_count(vma, 1);
		ra->restored++;
	}
	return true;
}

int remove_migration_ptes(struct folio *src, struct folio *dst)
{
	struct restore_arg ra = { dst, 0 };
	const struct rmap_walk_control rwc = { .arg = &ra, .rmap_one = restore_one };

	if (folio_nr_pages(src) != folio_nr_pages(dst))
		return -EINVAL;
	rmap_walk(src, &rwc);
	if (dst != src && ra.restored)
		folio_set_mapping(dst, src->page.mapping, src->page.index);
	return ra.restored;
}

/* ---- device-private -------------------------------------------------------------------- */

int vma_map_device_private(struct vm_area_struct *vma, unsigned long addr, struct folio *folio,
			   bool writable)
{
	struct pgtable *pt = &vma->vm_mm->pgt;
	unsigned long n = folio_nr_pages(folio), want, flags;
	int ret;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || addr < vma->vm_start || addr >= vma->vm_end ||
	    n > (vma->vm_end - addr) >> PAGE_SHIFT)
		return -EINVAL;
	if (folio->page.mapping &&
	    (folio->page.mapping != vma->vm_mapping ||
	     vma_pgoff_address(vma, folio->page.index, &want) || want != addr))
		return -EINVAL;
	/*
	 * The PTE tables come from an ordinary map of the range, replaced entry by entry under
	 * the lock before rmap can find the VMA's pages. It never maps the device's pfns (those
	 * must not be reachable, not for a moment) but the mm's own root table page, read-only
	 * for the kernel alone: RAM the kernel reads anyway.
	 */
	for (unsigned long i = 0; i < n; i++) {
		ret = pgtable_map(pt, addr + (i << PAGE_SHIFT), pt->root, PAGE_SIZE,
				  __pgprot(PGPROT_READ), PGTABLE_MAP_NO_BLOCKS);
		if (ret) {
			pgtable_unmap(pt, addr, i << PAGE_SHIFT);
			return ret;
		}
	}
	flags = pgtable_lock(pt);
	for (unsigned long i = 0; i < n; i++) {
		unsigned long a = addr + (i << PAGE_SHIFT);
		pteval_t *p = pgtable_find_entry(pt, a, PGTABLE_LEVEL_PTE);

		pgtable_update_entry_locked(pt, p, PGTABLE_LEVEL_PTE, a,
					    swp_entry(writable ? SWP_DEVICE_PRIVATE_WRITE :
								 SWP_DEVICE_PRIVATE_READ,
						      folio_pfn(folio) + i));
	}
	pgtable_unlock(pt, flags);
	folio_mapcount_add(folio, (int)n);
	mm_count(vma, (long)n);
	return 0;
}

/* ---- CPU faults on device-private entries ------------------------------------------------ */

int handle_device_private_fault(struct pgtable *pt, unsigned long addr)
{
	struct vm_fault vmf = { .pt = pt, .address = ALIGN_DOWN(addr, PAGE_SIZE) };
	struct dev_pagemap *pgmap;
	unsigned long flags;
	pteval_t *p;

	flags = pgtable_lock(pt);
	p = pgtable_find_entry(pt, vmf.address, PGTABLE_LEVEL_PTE);
	vmf.orig_pte = p ? *p : 0;
	pgtable_unlock(pt, flags);
	if (!is_device_private_entry(vmf.orig_pte))
		return -ENOENT;
	/* only vma_map_device_private() makes such entries, always in an mm's own tree */
	vmf.vma = find_vma(container_of(pt, struct mm_struct, pgt), vmf.address);
	vmf.page = pfn_to_page(swp_entry_pfn(vmf.orig_pte));
	pgmap = page_pgmap(vmf.page);
	if (!vmf.vma || !pgmap || pgmap->type != MEMORY_DEVICE_PRIVATE)
		return -EFAULT;
	return pgmap->ops->migrate_to_ram(vmf.page, &vmf);
}

int migrate_device_private_to_ram(struct vm_fault *vmf, struct page *new)
{
	struct pgtable *pt = vmf->pt;
	struct folio *old = page_folio(vmf->page);
	unsigned int prot = pgprot_val(vma_prot(vmf->vma));
	unsigned long flags = pgtable_lock(pt);
	pteval_t *p = pgtable_find_entry(pt, vmf->address, PGTABLE_LEVEL_PTE);

	/* someone else migrated or unmapped it meanwhile: the retried access finds out */
	if (!p || *p != vmf->orig_pte) {
		pgtable_unlock(pt, flags);
		return -EBUSY;
	}
	if (swp_entry_type(vmf->orig_pte) == SWP_DEVICE_PRIVATE_READ)
		prot &= ~(PGPROT_WRITE | PGPROT_DIRTY);
	pgtable_update_entry_locked(pt, p, PGTABLE_LEVEL_PTE, vmf->address,
				    arch_mk_leaf(&pt->cfg, PFN_PHYS(page_to_pfn(new)),
						 __pgprot(prot), PGTABLE_LEVEL_PTE));
	folio_mapcount_add(page_folio(new), 1);
	folio_mapcount_add(old, -1);
	pgtable_unlock(pt, flags);
	/* the mapping's reference on the device page is gone: its owner may get it back */
	put_page(vmf->page);
	return 0;
}
