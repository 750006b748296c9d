// SPDX-License-Identifier: BSD-2-Clause
// Reverse mapping: software page-table entries (migration, device-private), page_vma_mapped_walk()
// as the seed 003_5f7b0f777da50e81 describes Linux mm/page_vma_mapped.c, and rmap_walk() with
// its users (mkclean, unmap, migrate) after mm/rmap.c and mm/migrate.c.
#ifndef ZONEDEV_MM_RMAP_H
#define ZONEDEV_MM_RMAP_H

#include <platform/types.h>

#include <mm/mm_types.h>

/*
 * Software entries: a non-present entry (bit 0, the valid bit of both formats, clear) that
 * still names a pfn. Neither MMU looks at the other bits of an invalid entry, so the encoding
 * is the same for both:
 *   bit 0      0 (not valid)
 *   bits 1..5  type (SWP_*; never 0, so a software entry is never the empty entry)
 *   bits 12..  pfn
 * Linux keeps these in the swap-entry format (include/linux/swapops.h); there is no swap here.
 */
enum swp_type {
	SWP_MIGRATION_READ = 1,
	SWP_MIGRATION_WRITE = 2,
	SWP_DEVICE_PRIVATE_READ = 3,
	SWP_DEVICE_PRIVATE_WRITE = 4,
	SWP_DEVICE_EXCLUSIVE = 5,
};

#define SWP_TYPE_SHIFT 1
#define SWP_TYPE_MASK 0x1fULL
#define SWP_PFN_SHIFT 12

static inline pteval_t swp_entry(enum swp_type type, unsigned long pfn)
{
	return ((pteval_t)pfn << SWP_PFN_SHIFT) | ((pteval_t)type << SWP_TYPE_SHIFT);
}

/** swp_entry_type() - the SWP_* of @e, or 0 when @e is valid or empty. */
static inline unsigned int swp_entry_type(pteval_t e)
{
	return (e & 1) ? 0 : (unsigned int)((e >> SWP_TYPE_SHIFT) & SWP_TYPE_MASK);
}

static inline unsigned long swp_entry_pfn(pteval_t e)
{
	return (unsigned long)(e >> SWP_PFN_SHIFT);
}

static inline bool is_migration_entry(pteval_t e)
{
	unsigned int t = swp_entry_type(e);

	return t == SWP_MIGRATION_READ || t == SWP_MIGRATION_WRITE;
}

static inline bool is_device_private_entry(pteval_t e)
{
	unsigned int t = swp_entry_type(e);

	return t == SWP_DEVICE_PRIVATE_READ || t == SWP_DEVICE_PRIVATE_WRITE;
}

static inline bool is_device_exclusive_entry(pteval_t e)
{
	return swp_entry_type(e) == SWP_DEVICE_EXCLUSIVE;
}

/* page_vma_mapped_walk() flags (Linux's). */
/* Accepted for Linux callers; here every lookup is made under the lock anyway. */
#define PVMW_SYNC (1u << 0)
#define PVMW_MIGRATION (1u << 1) /* look for migration entries, not present mappings */

/**
 * struct page_vma_mapped_walk - where @pfn .. @pfn + @nr_pages - 1 are mapped in @vma
 * @pfn, @nr_pages: the pfns looked for (a folio, or part of one)
 * @vma: the VMA searched
 * @address: in: where to start; out: the address of the entry found
 * @flags: PVMW_*
 * @level: out: level of the entry found (PGTABLE_LEVEL_PTE, _PMD or _PUD)
 * @pte: out: the entry found, at @level (Linux has pmd and pte; one pointer with its level
 *	 serves all three sizes here)
 * @locked: out: the mm's page-table lock is held (always, after a true return)
 * @lock_flags: what pgtable_lock() returned
 * @end: internal: where the walk stops (the VMA end or the end of the pfn range's addresses)
 */
struct page_vma_mapped_walk {
	unsigned long pfn;
	unsigned long nr_pages;
	struct vm_area_struct *vma;
	unsigned long address;
	unsigned int flags;
	int level;
	pteval_t *pte;
	bool locked;
	unsigned long lock_flags;
	unsigned long end;
};

/**
 * page_vma_mapped_walk() - find the next entry of @pvmw->vma that maps (or, with
 * PVMW_MIGRATION, is a migration entry for) a pfn of [@pfn, @pfn + @nr_pages)
 *
 * First call with @pte NULL and @address set; call again after a true return to continue after
 * that entry. Present leaves at PTE, PMD and PUD level are checked against the whole pfn range
 * (a huge leaf matches when any of its pfns is in it); without PVMW_MIGRATION device-private
 * and device-exclusive entries count as mappings, with it only migration entries do. After a
 * PMD or PUD leaf the walk goes on at the next leaf boundary (a folio may span several).
 * Stepping never overflows past the VMA end or the top of the address space. The lock is
 * released at each PTE-table boundary and taken again for the next lookup.
 * Return: true with @address, @level and @pte set and the page-table lock held; false when
 * nothing more is mapped (the lock released, @pte NULL).
 */
bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw);

/** page_vma_mapped_walk_done() - end a walk early: release the lock a true return held. */
void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw);

/**
 * vma_address_of() - first address of @vma that can map a page of [@pgoff, @pgoff + @nr), or
 * -EFAULT when @vma maps none of them
 */
long vma_address_of(const struct vm_area_struct *vma, unsigned long pgoff, unsigned long nr,
		    unsigned long *addr);

/**
 * struct rmap_walk_control - what rmap_walk() does at each VMA
 * @arg: passed to the hooks
 * @rmap_one: called for each VMA that may map the folio, with the first address it would;
 *	      return false to stop the walk
 * @done: if set, checked after each VMA: true stops the walk (e.g. the folio is unmapped)
 * @invalid_vma: if set, a VMA for which it returns true is skipped
 */
struct rmap_walk_control {
	void *arg;
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			 void *arg);
	bool (*done)(struct folio *folio);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
};

/**
 * rmap_walk() - call @rwc->rmap_one for every VMA of @folio->mapping's i_mmap that covers part
 * of the folio's page offsets [@folio->index, + folio_nr_pages()). A folio without a mapping is
 * not walked. Return: number of VMAs visited.
 */
int rmap_walk(struct folio *folio, const struct rmap_walk_control *rwc);

/** folio_set_mapping() - @folio belongs to @as at page offset @index (what rmap_walk() follows). */
void folio_set_mapping(struct folio *folio, struct address_space *as, unsigned long index);

/**
 * folio_mkclean() - write-protect and clean every present mapping of @folio (before writeback,
 * so the next write faults and dirties it again)
 * Return: entries that were writable or dirty and are now clean.
 */
int folio_mkclean(struct folio *folio);

/**
 * try_to_unmap() - remove every mapping of @folio (present and device-private entries)
 * Return: true when no mapping is left (folio_mapcount() is 0).
 */
bool try_to_unmap(struct folio *folio);

/**
 * try_to_migrate() - replace every present mapping of @folio by a migration entry for the same
 * pfn (read or write, as the mapping was), so accesses wait while the data move. The map count
 * drops for each.
 * Return: true when no present mapping is left.
 */
bool try_to_migrate(struct folio *folio);

/**
 * remove_migration_ptes() - turn every migration entry for @src into a present mapping of the
 * same page of @dst (the folio the data moved to; @src itself to abort), with the permission
 * the entry recorded; @dst's map count rises for each
 * @dst: same order and same mapping/index as @src
 * Return: entries restored.
 */
int remove_migration_ptes(struct folio *src, struct folio *dst);

/**
 * vma_map_device_private() - map device-private @folio at @addr in @vma as device-private
 * entries (PTE level, one per page): the CPU cannot reach the memory, a touch would fault
 * to the owner's migrate_to_ram(). The map count rises for each.
 * Return: 0, or as vma_map_folio().
 */
int vma_map_device_private(struct vm_area_struct *vma, unsigned long addr, struct folio *folio,
			   bool writable);

/**
 * struct vm_fault - a CPU fault on a device-private entry, as the owner's migrate_to_ram() gets
 * it (its ctx argument)
 * @pt: the address space's table
 * @vma: the VMA of @address
 * @address: the faulting page
 * @orig_pte: the device-private entry found there
 * @page: the device-private page it names
 */
struct vm_fault {
	struct pgtable *pt;
	struct vm_area_struct *vma;
	unsigned long address;
	pteval_t orig_pte;
	struct page *page;
};

/**
 * handle_device_private_fault() - the fault path's part for a lower-half access in address
 * space table @pt at @addr: if the entry is device-private, its pagemap's migrate_to_ram()
 * gets the fault (struct vm_fault as ctx) and, on success, the access is retried.
 * Return: 0 when the owner migrated the page (retry); -ENOENT when the entry is not
 * device-private (an ordinary fault); else the owner's error (the fault stays a fault).
 */
int handle_device_private_fault(struct pgtable *pt, unsigned long addr);

/**
 * migrate_device_private_to_ram() - for migrate_to_ram(): @new (a RAM page the owner filled
 * with the device page's data) replaces the device-private entry of @vmf, present, writable
 * if the entry was; map counts move from the device folio to @new's, and the device page
 * loses the reference its mapping held (put_page(): page_free() when it was the last).
 * Return: 0, or -EBUSY when the entry changed since the fault (nothing done).
 */
int migrate_device_private_to_ram(struct vm_fault *vmf, struct page *new);

#endif
