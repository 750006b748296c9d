// SPDX-License-Identifier: BSD-2-Clause
// Address spaces for the rmap workload: an mm with its own page-table tree and ASID, VMAs that
// map device folios at PTE, PMD or PUD size, and the address_space (Linux's i_mmap) through
// which a folio finds every VMA that may map it (include/linux/mm_types.h, fs.h, mm/mmap.c).
// Differs from Linux: VMAs are a sorted list, not a maple tree; one lock per mm for its tables.
#ifndef ZONEDEV_MM_MM_TYPES_H
#define ZONEDEV_MM_MM_TYPES_H

#include <platform/list.h>
#include <platform/types.h>

#include <mm/mm_lock.h>
#include <mm/page.h>
#include <mm/pgtable.h>

/**
 * struct address_space - the object VMAs map (a file, a DAX device): folios point at it through
 * ->mapping, and it lists every VMA mapping it, for rmap_walk()
 * @i_mmap: VMAs (vm_area_struct.shared), any order
 * @i_mmap_lock: protects @i_mmap
 * @name: for messages
 */
struct address_space {
	struct list_head i_mmap;
	struct mm_lock i_mmap_lock;
	const char *name;
};

/**
 * struct mm_struct - one address space in the lower half
 * @pgt: its page-table tree (the root is this mm's pgd)
 * @vmas: VMAs sorted by address (vm_area_struct.vm_list)
 * @nr_vmas: how many
 * @map_count: page-table entries currently mapping folios (all levels)
 */
struct mm_struct {
	struct pgtable pgt;
	struct list_head vmas;
	unsigned long nr_vmas;
	unsigned long map_count;
};

/* vm_flags */
#define VM_READ (1UL << 0)
#define VM_WRITE (1UL << 1)
#define VM_USER (1UL << 40) /* entries carry the user bit (an EL0/U-mode mapping) */

/**
 * struct vm_area_struct - [@vm_start, @vm_end) of @vm_mm mapping @vm_mapping from page offset
 * @vm_pgoff
 * @vm_mm: the mm
 * @vm_start, @vm_end: page-aligned, @vm_start < @vm_end
 * @vm_pgoff: page offset in @vm_mapping of @vm_start
 * @vm_flags: VM_*
 * @vm_mapping: the object mapped (NULL: anonymous, not found by rmap_walk())
 * @vm_list: in @vm_mm->vmas
 * @shared: in @vm_mapping->i_mmap
 */
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start, vm_end;
	unsigned long vm_pgoff;
	unsigned long vm_flags;
	struct address_space *vm_mapping;
	struct list_head vm_list;
	struct list_head shared;
};

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/** address_space_init() - an empty object named @name. */
void address_space_init(struct address_space *as, const char *name);

/**
 * mm_init() - an empty address space with a fresh root table of format @cfg and ASID @asid
 * Return: 0, or -ENOMEM (no table page).
 */
int mm_init(struct mm_struct *mm, const struct pgtable_cfg *cfg, uint16_t asid);

/**
 * mm_destroy() - unmap and free every VMA of @mm, then its page tables. The folios it mapped
 * lose those mappings (their map counts drop).
 */
void mm_destroy(struct mm_struct *mm);

/**
 * vma_create() - a VMA of @mm at [@start, @start + @len) mapping @as from page @pgoff
 * @flags: VM_*; the page protection of later mappings follows VM_WRITE and VM_USER
 * Return: the VMA (from a fixed pool), or ERR_PTR(): -EINVAL (unaligned, empty, wrapping, not in
 * the lower half of the format, pgoff overflow), -EEXIST (overlaps another VMA), -ENOMEM.
 */
struct vm_area_struct *vma_create(struct mm_struct *mm, unsigned long start, unsigned long len,
				  unsigned long flags, struct address_space *as, unsigned long pgoff);

/** vma_destroy() - unmap everything @vma maps (zap), unlink it and free it. */
void vma_destroy(struct vm_area_struct *vma);

/** find_vma() - the VMA of @mm containing @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);

/** vma_prot() - the pgprot of a mapping in @vma: read, write per VM_WRITE, user per VM_USER. */
pgprot_t vma_prot(const struct vm_area_struct *vma);

/**
 * vma_map_folio() - map @nr_pages pages of @folio, from its page @first, at @addr in @vma with
 * leaves of @level (PGTABLE_LEVEL_PTE, _PMD or _PUD), as a fault handler would
 * @folio: a compound (or order-0) page; when it has a mapping, @addr must be where @vma maps
 *	   folio->index + @first (rmap_walk() must be able to find it)
 * @first, @nr_pages: the part to map; for a PMD or PUD leaf exactly one leaf's worth, the pfn
 *	   and @addr aligned to it
 * Each entry raises the folio's map count by one (folio_mapcount()).
 * Return: 0; -EINVAL (outside @vma, misaligned, outside the folio, not at the place rmap
 * expects); -EEXIST (already mapped); -ENOMEM (no table page); -EOPNOTSUPP (no leaf at @level).
 */
int vma_map_folio(struct vm_area_struct *vma, unsigned long addr, struct folio *folio,
		  unsigned long first, unsigned long nr_pages, int level);

/**
 * folio_mapcount() - page-table entries mapping any page of @folio, at any level (Linux's
 * large mapcount; kept in the head: tails are identical and hold nothing of their own)
 */
static inline int folio_mapcount(const struct folio *folio)
{
	return page_mapcount(&folio->page);
}

/** folio_mapcount_add() - change the count by @delta (an entry made or removed). */
void folio_mapcount_add(struct folio *folio, int delta);

/** vma_pgoff_address() - where @vma maps page offset @pgoff: 0 and *@addr, or -EFAULT. */
long vma_pgoff_address(const struct vm_area_struct *vma, unsigned long pgoff, unsigned long *addr);

#endif
