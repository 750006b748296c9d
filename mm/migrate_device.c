// SPDX-License-Identifier: BSD-2-Clause
// migrate_vma_setup()/_pages()/_finalize() (see <mm/migrate.h>), on the seeds' migration
// entries: between setup and finalize every collected page is unreachable, exactly as
// try_to_migrate() leaves a folio.
#include <platform/errno.h>
#include <platform/memory.h>

#include <mm/memremap.h>
#include <mm/migrate.h>
#include <mm/mmzone.h>
#include <mm/page.h>
#include <mm/pgtable.h>
#include <mm/rmap.h>

static void mm_count(struct vm_area_struct *vma, long delta)
{
	__atomic_fetch_add(&vma->vm_mm->map_count, (unsigned long)delta, __ATOMIC_RELAXED);
}

static bool is_private_page(const struct page *page)
{
	const struct dev_pagemap *pgmap = page_pgmap(page);

	return pgmap && pgmap->type == MEMORY_DEVICE_PRIVATE;
}

/* What entry @e of @args's VMA gives: a src[] value (0: not collected). */
static unsigned long collect(const struct migrate_vma *args, struct pgtable *pt, pteval_t e)
{
	unsigned long pfn;
	struct page *page;

	if (arch_pte_present(e)) {
		if (!(args->flags & MIGRATE_VMA_SELECT_SYSTEM))
			return 0;
		pfn = PHYS_PFN(arch_pte_addr(e, PGTABLE_LEVEL_PTE));
		if (!pfn_valid(pfn) || page_pgmap(pfn_to_page(pfn)))
			return 0; /* device memory of any kind stays where its owner put it */
		return migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE |
		       (pgprot_val(arch_pte_pgprot(&pt->cfg, e)) & PGPROT_WRITE ?
				MIGRATE_PFN_WRITE : 0);
	}
	if (!is_device_private_entry(e) || !(args->flags & MIGRATE_VMA_SELECT_DEVICE_PRIVATE))
		return 0;
	pfn = swp_entry_pfn(e);
	page = pfn_to_page(pfn);
	/* another driver's device memory is not ours to move */
	if (!is_private_page(page) || page_pgmap(page)->owner != args->pgmap_owner)
		return 0;
	return migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE |
	       (swp_entry_type(e) == SWP_DEVICE_PRIVATE_WRITE ? MIGRATE_PFN_WRITE : 0);
}

int migrate_vma_setup(struct migrate_vma *args)
{
	struct vm_area_struct *vma = args->vma;
	struct pgtable *pt;
	unsigned long flags;

	if (!vma || !args->src || !args->dst || !args->flags ||
	    !IS_ALIGNED(args->start, PAGE_SIZE) || !IS_ALIGNED(args->end, PAGE_SIZE) ||
	    args->start >= args->end || args->start < vma->vm_start || args->end > vma->vm_end)
		return -EINVAL;
	pt = &vma->vm_mm->pgt;
	args->npages = (args->end - args->start) >> PAGE_SHIFT;
	args->cpages = 0;
	flags = pgtable_lock(pt);
	for (unsigned long i = 0; i < args->npages; i++) {
		unsigned long addr = args->start + (i << PAGE_SHIFT);
		pteval_t *p = pgtable_find_entry(pt, addr, PGTABLE_LEVEL_PTE);

		args->dst[i] = 0;
		args->src[i] = p ? collect(args, pt, *p) : 0;
		if (!args->src[i])
			continue;
		pgtable_update_entry_locked(pt, p, PGTABLE_LEVEL_PTE, addr,
					    swp_entry(args->src[i] & MIGRATE_PFN_WRITE ?
							      SWP_MIGRATION_WRITE :
							      SWP_MIGRATION_READ,
						      migrate_pfn_to_pfn(args->src[i])));
		folio_mapcount_add(page_folio(pfn_to_page(migrate_pfn_to_pfn(args->src[i]))), -1);
		mm_count(vma, -1);
		args->cpages++;
	}
	pgtable_unlock(pt, flags);
	return 0;
}

void migrate_vma_pages(struct migrate_vma *args)
{
	for (unsigned long i = 0; i < args->npages; i++)
		if ((args->src[i] & MIGRATE_PFN_MIGRATE) && !(args->dst[i] & MIGRATE_PFN_VALID))
			args->src[i] &= ~MIGRATE_PFN_MIGRATE;
}

void migrate_vma_finalize(struct migrate_vma *args)
{
	struct vm_area_struct *vma = args->vma;
	struct pgtable *pt = &vma->vm_mm->pgt;
	unsigned long flags = pgtable_lock(pt);

	for (unsigned long i = 0; i < args->npages; i++) {
		unsigned long addr = args->start + (i << PAGE_SHIFT);
		bool moved = args->src[i] & MIGRATE_PFN_MIGRATE;
		bool write = args->src[i] & MIGRATE_PFN_WRITE;
		unsigned long pfn;
		struct page *page;
		pteval_t *p, e;

		if (!(args->src[i] & MIGRATE_PFN_VALID))
			continue;
		pfn = migrate_pfn_to_pfn(moved ? args->dst[i] : args->src[i]);
		page = pfn_to_page(pfn);
		p = pgtable_find_entry(pt, addr, PGTABLE_LEVEL_PTE);
		if (!p || !is_migration_entry(*p))
			continue; /* taken down meanwhile (unmap): nothing to map again */
		if (is_private_page(page)) {
			e = swp_entry(write ? SWP_DEVICE_PRIVATE_WRITE : SWP_DEVICE_PRIVATE_READ, pfn);
		} else {
			unsigned int prot = pgprot_val(vma_prot(vma));

			if (!write)
				prot &= ~(PGPROT_WRITE | PGPROT_DIRTY);
			e = arch_mk_leaf(&pt->cfg, PFN_PHYS(pfn), __pgprot(prot), PGTABLE_LEVEL_PTE);
		}
		pgtable_update_entry_locked(pt, p, PGTABLE_LEVEL_PTE, addr, e);
		folio_mapcount_add(page_folio(page), 1);
		mm_count(vma, 1);
	}
	pgtable_unlock(pt, flags);
	/* outside the table lock: page_free() is the owner's code */
	for (unsigned long i = 0; i < args->npages; i++) {
		struct page *old = pfn_to_page(migrate_pfn_to_pfn(args->src[i]));

		if ((args->src[i] & MIGRATE_PFN_MIGRATE) && is_private_page(old))
			put_page(old);
	}
}
