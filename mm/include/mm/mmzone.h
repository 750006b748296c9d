// SPDX-License-Identifier: BSD-2-Clause
// The sparse memory model with a virtually mapped memmap (Linux include/linux/mmzone.h
// SPARSEMEM_VMEMMAP part, mm/sparse.c) and vmemmap population (seed 002, mm/sparse-vmemmap.c).
// Differs from Linux: no NUMA node arguments, sections are found through a three-level table.
#ifndef ZONEDEV_MM_MMZONE_H
#define ZONEDEV_MM_MMZONE_H

#include <platform/memory.h>
#include <platform/types.h>
#include <mm/page.h>

struct kernel_layout;
struct pgtable;
struct vmem_altmap;

/*
 * A section is 128 MiB of physical address space, a subsection 2 MiB. The memmap of a section
 * is 32768 struct pages = 2 MiB of vmemmap (one PMD leaf); that of a subsection is 32 KiB
 * (8 base pages), so no vmemmap page is ever shared by two subsections.
 */
#define SECTION_SIZE_BITS 27
#define PFN_SECTION_SHIFT (SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION (1UL << PFN_SECTION_SHIFT)
#define PAGE_SECTION_MASK (~(PAGES_PER_SECTION - 1))

#define SUBSECTION_SHIFT 21
#define SUBSECTION_SIZE (1UL << SUBSECTION_SHIFT)
#define PFN_SUBSECTION_SHIFT (SUBSECTION_SHIFT - PAGE_SHIFT)
#define PAGES_PER_SUBSECTION (1UL << PFN_SUBSECTION_SHIFT)
#define PAGE_SUBSECTION_MASK (~(PAGES_PER_SUBSECTION - 1))
#define SUBSECTIONS_PER_SECTION (1UL << (SECTION_SIZE_BITS - SUBSECTION_SHIFT))

_Static_assert(SUBSECTIONS_PER_SECTION == 64, "the subsection map is one unsigned long");

/* mem_section.flags */
#define SECTION_IS_ONLINE (1UL << 0) /* holds RAM handed to the page allocator */
#define SECTION_IS_EARLY (1UL << 1)  /* populated by sparse_init() */

/**
 * struct mem_section - one 128 MiB section
 * @subsection_map: bit i set: subsection i is present (its struct pages exist and are
 *		    initialized; pfn_valid() is true for its pfns)
 * @altmap_map: bit i set: the memmap of present subsection i lives in @altmap[i]; clear: in RAM
 * @altmap: the owner of each subsection's memmap, one entry per subsection: the altmap its
 *	    backing came from and goes back to (NULL: RAM); an entry is set only while its
 *	    subsection is present, and the array exists only while @altmap_map is not 0, so no
 *	    section state outlives the pagemap that owns it. Any number of altmaps may share a
 *	    section; a 32 KiB subsection memmap is 8 whole vmemmap pages, never shared.
 * @flags: SECTION_IS_ONLINE, SECTION_IS_EARLY
 *
 * A PMD leaf maps a section's memmap only when one owner added the whole section at once;
 * parts of it removed later stay mapped (backing still the owner's, as in Linux) until the
 * section is empty or another owner adds a subsection, which first gives the present
 * subsections base pages of their own (vmemmap_split_section_leaf()).
 */
struct mem_section {
	unsigned long subsection_map;
	unsigned long altmap_map;
	struct vmem_altmap **altmap;
	unsigned long flags;
};

/** pfn_to_section_nr() - number of the section holding @pfn. */
static inline unsigned long pfn_to_section_nr(unsigned long pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}

/** section_nr_to_pfn() - first pfn of section @nr. */
static inline unsigned long section_nr_to_pfn(unsigned long nr)
{
	return nr << PFN_SECTION_SHIFT;
}

/** subsection_map_index() - index of @pfn's subsection within its section (0..63). */
static inline unsigned int subsection_map_index(unsigned long pfn)
{
	return (unsigned int)((pfn & ~PAGE_SECTION_MASK) >> PFN_SUBSECTION_SHIFT);
}

/**
 * __nr_to_section() - the mem_section of section @nr
 * Return: the section, or NULL when @nr lies outside the window sparse_init() was given or no
 * subsection of its 128-section group was ever added.
 */
struct mem_section *__nr_to_section(unsigned long nr);

/** __pfn_to_section() - the mem_section holding @pfn, or NULL (see __nr_to_section()). */
static inline struct mem_section *__pfn_to_section(unsigned long pfn)
{
	return __nr_to_section(pfn_to_section_nr(pfn));
}

/**
 * memmap_altmap() - the altmap holding the struct page of @pfn, NULL when it lives in RAM or
 * @pfn has none (only meaningful while @pfn's subsection is present)
 */
static inline struct vmem_altmap *memmap_altmap(unsigned long pfn)
{
	const struct mem_section *ms = __pfn_to_section(pfn);
	unsigned int i = subsection_map_index(pfn);

	return ms && ((ms->altmap_map >> i) & 1) ? ms->altmap[i] : NULL;
}

/** present_section() - some subsection of @ms is present. */
static inline bool present_section(const struct mem_section *ms)
{
	return ms && ms->subsection_map;
}

/** present_section_nr() - some subsection of section @nr is present. */
bool present_section_nr(unsigned long nr);

/** online_section() - @ms holds RAM given to the page allocator. */
static inline bool online_section(const struct mem_section *ms)
{
	return ms && (ms->flags & SECTION_IS_ONLINE);
}

/** online_section_nr() - section @nr is online. */
bool online_section_nr(unsigned long nr);

/**
 * pfn_valid() - @pfn has an initialized struct page: its subsection is present
 * (subsection granular, as Linux's pfn_section_valid()).
 */
bool pfn_valid(unsigned long pfn);

/**
 * sparse_init() - set up the section table and give every memblock RAM range struct pages
 * @kernel_pt: the kernel page table; the vmemmap is mapped in it (its table pages come from
 *	       pgtable_set_page_ops())
 * @layout: the kernel layout: @layout->vmemmap becomes the vmemmap base (struct page of pfn
 *	    0), the section table covers [@layout->phys_base, + @layout->phys_span)
 *
 * Must run with @kernel_pt installed (struct pages are written through the vmemmap) and before
 * the page allocator, which needs the struct pages of RAM. Every memblock.memory range without
 * MEMBLOCK_NOMAP is added, rounded out to subsections (the rounding slack and RAM outside any
 * range get PG_reserved); zone ZONE_NORMAL, sections online. Backing and the table come from
 * the vmemmap allocator (vmemmap_set_allocator(), memblock by default).
 * Return: 0; -EBUSY if called twice without sparse_exit(); -EINVAL for a bad layout;
 * -ENOMEM (everything done so far is undone).
 */
int sparse_init(struct pgtable *kernel_pt, const struct kernel_layout *layout);

/**
 * sparse_exit() - remove every present subsection (vmemmap unmapped and freed, altmaps given
 * back) and free the section table: the state before sparse_init(). For tests and leak checks;
 * altmaps still referenced by sections must be alive.
 */
void sparse_exit(void);

/**
 * sparse_add_section() - hot-add [@pfn, @pfn + @nr_pages): struct pages for a memory range
 * @pfn: first pfn, 2 MiB (subsection) aligned
 * @nr_pages: a multiple of PAGES_PER_SUBSECTION, > 0; the range may span sections
 * @altmap: if not NULL, every vmemmap backing page comes from it (never from RAM); the range
 *	    must lie in [@altmap->base_pfn, @altmap->end_pfn). Subsections of one section may
 *	    have different altmaps (or RAM): each keeps its own.
 * @zone: zone of the new pages (ZONE_DEVICE for memremap_pages(); any other zone makes the
 *	  sections online)
 *
 * Marks the subsections present, populates the vmemmap (vmemmap_populate(): PMD leaves where
 * a whole section is added at once and a 2 MiB block can be had) and initializes every struct
 * page with init_single_page(@zone), except for ZONE_DEVICE: there only the pages of @altmap's
 * own storage (below base_pfn + vmem_altmap_offset()) are initialized, the others are left for
 * memmap_init_zone_device() to write once. A section whose memmap is still one PMD leaf of another
 * owner (part of a whole-section add was removed) is first split so every owner has its own
 * pages (vmemmap_split_section_leaf()). Failure leaves everything (page tables, altmap
 * counters, section table, allocator) as it was, except such a split, which stays (the
 * struct pages it moved are the same). Page-table pages come from the page-table allocator.
 * Return: 0; -EINVAL (alignment, empty range, range outside @altmap, inaccessible altmap);
 * -ERANGE (outside the sparse window); -EEXIST (a subsection is already present); -ENOMEM
 * (message printed for an exhausted altmap); -ENODEV before sparse_init().
 */
int sparse_add_section(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap,
		       enum zone_type zone);

/**
 * sparse_add_section_compound() - sparse_add_section() in ZONE_DEVICE of a range made of
 * compound pages of @order (@pfn and @nr_pages aligned to it): from VMEMMAP_TAIL_MIN_ORDER on,
 * the vmemmap is vmemmap_populate_compound_pages()'s, whose tails are initialized already
 * (memmap_init_zone_device() writes the head vmemmap pages only); below, as
 * sparse_add_section(). sparse_remove_section() takes it back exactly.
 */
int sparse_add_section_compound(unsigned long pfn, unsigned long nr_pages,
				struct vmem_altmap *altmap, unsigned int order);

/**
 * sparse_remove_section() - hot-remove [@pfn, @pfn + @nr_pages), the reverse of
 * sparse_add_section(): the vmemmap of the range is unmapped and its backing returned (to the
 * altmap or the allocator), subsections cleared, and a section's memory (a PMD leaf kept for
 * the rest of its section, its slot in the section table) freed when its last subsection goes.
 * Other owners' subsections in the same sections are left whole.
 * @altmap: the altmap given when the range was added (NULL if none)
 * Return: 0; -EINVAL (alignment, or @altmap is not the owner of some subsection's memmap);
 * -ERANGE; -ENOENT (a subsection of the range is not present); nothing is removed on these.
 * An error of the page-table unmap (a bug: the range never splits a leaf) is returned after
 * the subsections are gone.
 */
int sparse_remove_section(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap);

/**
 * sparse_check_add() - whether sparse_add_section() would refuse these arguments up front
 * (alignment, the sparse window, the range outside @altmap or an inaccessible altmap, a
 * subsection already present), without changing anything. It cannot promise memory: the add
 * may still fail with -ENOMEM.
 * Return: 0 or the errno sparse_add_section() would return for those checks.
 */
int sparse_check_add(unsigned long pfn, unsigned long nr_pages, const struct vmem_altmap *altmap);

/**
 * sparse_check_remove() - what sparse_remove_section() would return for these arguments,
 * without changing anything (so a caller with several ranges can refuse before removing any)
 * Return: 0 or the errno of its checks.
 */
int sparse_check_remove(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap);

/**
 * struct sparse_stats - the section model's state
 * @present_sections: sections with at least one present subsection
 * @present_subsections: present subsections
 * @online_sections: sections with SECTION_IS_ONLINE
 * @table_bytes: RAM used by the section table (root and section pages)
 * @window_sections: sections the window covers
 */
struct sparse_stats {
	unsigned long present_sections;
	unsigned long present_subsections;
	unsigned long online_sections;
	uint64_t table_bytes;
	unsigned long window_sections;
};

/** sparse_get_stats() - fill @st. */
void sparse_get_stats(struct sparse_stats *st);

/* ---- vmemmap population (mm/sparse-vmemmap.c) ------------------------------------------- */

/**
 * vmemmap_set_allocator() - where vmemmap backing (and the section table) comes from
 * @alloc: return @size bytes aligned to @align (both powers of two, page multiples) or 0; the
 *	   memory need not be zeroed
 * @free: give back a block @alloc returned (same @size)
 * @ctx: passed to both
 *
 * NULL @alloc restores the default, memblock_phys_alloc()/memblock_phys_free(). Switch to the
 * page allocator once it exists; blocks allocated before the switch are still freed through
 * the hooks current at free time, so the new @free must accept memblock blocks (or the switch
 * must happen before anything is freed).
 */
void vmemmap_set_allocator(phys_addr_t (*alloc)(size_t size, size_t align, void *ctx),
			   void (*free)(phys_addr_t pa, size_t size, void *ctx), void *ctx);

/**
 * vmemmap_set_bulk_allocator() - where 4 KiB vmemmap pages come from in batches (a PTE table's
 * worth at a time): @bulk fills @pas with up to @nr single pages, each freed on its own through
 * the @free of vmemmap_set_allocator(), and returns how many (the @ctx given there is passed).
 * NULL, and every vmemmap_set_allocator() call, make batches one @alloc call per page.
 */
void vmemmap_set_bulk_allocator(unsigned long (*bulk)(unsigned long nr, phys_addr_t *pas,
						      void *ctx));

/**
 * vmemmap_set_pgtable() - the page table the vmemmap lives in and the vmemmap region
 * [@start, @end) populate may touch (sparse_init() calls it).
 */
void vmemmap_set_pgtable(struct pgtable *pt, unsigned long start, unsigned long end);

/** vmemmap_pgtable() - the table the vmemmap lives in (NULL before vmemmap_set_pgtable()). */
struct pgtable *vmemmap_pgtable(void);

/**
 * vmemmap_set_hugepages() - let vmemmap_populate() use PMD leaves (default true); false makes
 * it use base pages only (for benchmarks and the pmd_leaves=off boot argument).
 */
void vmemmap_set_hugepages(bool enable);

/**
 * vmemmap_alloc_block() - @size bytes (power of two, page multiple) of RAM, naturally aligned,
 * from the vmemmap allocator; not zeroed
 * Return: the linear-map address, or NULL.
 */
void *vmemmap_alloc_block(size_t size);

/** vmemmap_free_block() - give back a block of @size bytes vmemmap_alloc_block() returned. */
void vmemmap_free_block(void *addr, size_t size);

/**
 * altmap_alloc_block_buf() - @size bytes from @altmap, aligned to the largest power of two
 * dividing @size's page count (capped at 2 MiB); the pages skipped are counted in
 * @altmap->align (seed 002, "dynamic alignment")
 * Return: the __va() of the block (device memory may not be mapped there: use it only as an
 * address), or NULL when @size is not a page multiple or @altmap has not enough left.
 */
void *altmap_alloc_block_buf(size_t size, struct vmem_altmap *altmap);

/**
 * vmemmap_alloc_block_buf() - @size bytes of vmemmap backing: from @altmap if given (never
 * from RAM then), else vmemmap_alloc_block()
 * Return: the address, or NULL.
 */
void *vmemmap_alloc_block_buf(size_t size, struct vmem_altmap *altmap);

/**
 * vmemmap_populate_basepages() - map [@start, @end) of the vmemmap with 4 KiB pages, missing
 * upper levels allocated on demand
 * @start: page aligned, in the vmemmap region
 * @end: page aligned, > @start
 * @altmap: source of every backing page, or NULL for RAM
 *
 * Parts covered by an existing PMD leaf that extends beyond the range (a neighbour's) are
 * left as they are; any other existing mapping is an error. On failure everything this call
 * mapped is unmapped and freed again, @altmap's counters are restored.
 * Return: 0; -EINVAL (range); -EEXIST; -ENOMEM (altmap exhausted: message printed, or no
 * RAM / table page).
 */
int vmemmap_populate_basepages(unsigned long start, unsigned long end,
			       struct vmem_altmap *altmap);

/**
 * vmemmap_populate_hugepages() - as vmemmap_populate_basepages(), but each 2 MiB of the range
 * that is PMD aligned, wholly inside it and not yet mapped gets one PMD leaf backed by a 2 MiB
 * aligned block (from @altmap if given, else RAM); when no such block can be had that PMD
 * falls back to base pages (from the same source).
 * Differs from Linux: an altmap that cannot give an aligned 2 MiB block falls back to base
 * pages from the altmap instead of failing.
 * Return: as vmemmap_populate_basepages().
 */
int vmemmap_populate_hugepages(unsigned long start, unsigned long end,
			       struct vmem_altmap *altmap);

/**
 * vmemmap_populate() - vmemmap_populate_hugepages(), or vmemmap_populate_basepages() when
 * vmemmap_set_hugepages(false) was called.
 */
int vmemmap_populate(unsigned long start, unsigned long end, struct vmem_altmap *altmap);

/**
 * vmemmap_free() - unmap [@start, @end) of the vmemmap and return its backing: pages inside
 * @altmap's range to @altmap (vmem_altmap_free(), then @altmap->align is recomputed from what
 * of @altmap is still mapped), all others to the vmemmap allocator; table pages that became
 * empty are freed. A PMD leaf only partly inside the range is kept. One TLB flush. As in
 * Linux's remove_pagetable(), backing is released before the flush: nothing may use the range.
 * @start: page aligned
 * @end: page aligned
 * Return: 0; -EINVAL (bad range, nothing done); or the error of the page-table unmap (the
 * backing is released already: the unmap never splits a leaf, so this is a bug, printed).
 */
int vmemmap_free(unsigned long start, unsigned long end, struct vmem_altmap *altmap);

/**
 * vmemmap_split_section_leaf() - the memmap of a section, [@start, @start + PMD_SIZE), is one
 * PMD leaf backed by @altmap (NULL: RAM); give each subsection in @keep (bit i: the i-th 32
 * KiB) base pages of its own and release the backing of the others, so another owner can
 * populate them. An altmap leaf is split in place (its pages are counted per page from then
 * on); a RAM block is copied to new pages and freed whole (RAM allocators free whole blocks),
 * so nothing may write those struct pages meanwhile (callers hold the hotplug lock).
 * Return: 0; -ENOENT (no PMD leaf there); -ENOMEM (no table page or RAM: nothing changed).
 */
int vmemmap_split_section_leaf(unsigned long start, unsigned long keep,
			       struct vmem_altmap *altmap);

/**
 * struct vmemmap_stats - what the vmemmap costs (for leak checks and benchmarks)
 * @ram_bytes: backing now mapped that came from RAM (the vmemmap allocator)
 * @altmap_bytes: backing now mapped that came from altmaps
 * @table_pages: page-table pages vmemmap population added and did not free (net)
 * @pte_leaves: 4 KiB leaves now mapped
 * @pmd_leaves: 2 MiB leaves now mapped
 * @pmd_fallbacks: PMDs that wanted a 2 MiB block and used base pages instead
 * @altmap_exhausted: populate calls that failed because an altmap ran out
 * @populate_calls: vmemmap_populate*() calls
 * @free_calls: vmemmap_free() calls
 */
struct vmemmap_stats {
	uint64_t ram_bytes;
	uint64_t altmap_bytes;
	long table_pages;
	unsigned long pte_leaves;
	unsigned long pmd_leaves;
	unsigned long pmd_fallbacks;
	unsigned long altmap_exhausted;
	unsigned long populate_calls;
	unsigned long free_calls;
	unsigned long shared_tail_pages;
	unsigned long shared_table_links;
};

/*
 * Smallest order whose struct pages fill more than one vmemmap page: from it on, the
 * tail-only vmemmap pages of a compound device page map a shared tail page.
 */
#define VMEMMAP_TAIL_MIN_ORDER (PAGE_SHIFT - 6 + 1)

/**
 * vmemmap_populate_compound_pages() - vmemmap for [@start_pfn, + @nr_pages) in compound pages
 * of @order (>= VMEMMAP_TAIL_MIN_ORDER; both aligned to it): each compound page gets its own
 * head vmemmap page (from @altmap, or RAM), and every tail-only vmemmap page maps the shared
 * read-only page of canonical ZONE_DEVICE tails of @order (<mm/vmemmap_tails.h>; in @altmap's
 * device when there is one), whole 2 MiB spans of them through one shared PTE table. The
 * tails are thereby initialized: only the head page's 64 struct pages are left to write.
 * vmemmap_free() undoes it (a shared leaf or table is a reference dropped, not a page freed).
 * Return: 0, -EINVAL, -ENOMEM (nothing left of the call), -ENODEV.
 */
int vmemmap_populate_compound_pages(unsigned long start_pfn, unsigned long nr_pages,
				    unsigned int order, struct vmem_altmap *altmap, enum zone_type zone);

/**
 * sparse_boot_compound_add() - before sparse_init(): [@pfn, + 2^@order) of RAM (memblock-
 * reserved by the caller) is one compound page born vmemmap-optimized (a boot-time gigantic
 * HugeTLB folio): sparse_init() gives it a head vmemmap page and maps every tail-only one onto
 * HVO's shared page, writes its head vmemmap page only (the head: PG_head, the order,
 * PG_vmemmap_optimized, refcount 1), and never the full vmemmap. Return: 0, -ENOSPC (full).
 */
int sparse_boot_compound_add(unsigned long pfn, unsigned int order);

/** sparse_boot_compound_done() - whether sparse_init() made [@pfn, ...) so (else: plain). */
bool sparse_boot_compound_done(unsigned long pfn);

/* One page for a shared tail page (vmemmap_tails.c), from @altmap or RAM, and back. */
int vmemmap_tail_backing(struct vmem_altmap *altmap, phys_addr_t *pa);
void vmemmap_tail_backing_free(phys_addr_t pa, struct vmem_altmap *altmap);

/** vmemmap_get_stats() - fill @st. */
void vmemmap_get_stats(struct vmemmap_stats *st);

#endif
