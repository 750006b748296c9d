// SPDX-License-Identifier: BSD-2-Clause
// memremap()/memunmap() of memory without I/O side effects (pmem, device memory), after Linux
// kernel/iomem.c as seed 001_273b8a4c6011fe55 describes it, plus the devm_ variants.
// The second half is Linux's include/linux/memremap.h: vmem_altmap and dev_pagemap, the struct
// pages of device memory (memremap_pages(), mm/memremap_pages.c).
#ifndef ZONEDEV_MM_MEMREMAP_H
#define ZONEDEV_MM_MEMREMAP_H

#include <stdatomic.h>

#include <platform/types.h>

struct device;
struct page;

/* memremap() flags, Linux's values. MEMREMAP_ENC/DEC are not supported (no memory encryption). */
enum {
	MEMREMAP_WB = 1 << 0,
	MEMREMAP_WT = 1 << 1,
	MEMREMAP_WC = 1 << 2,
};

/**
 * enum memremap_type - memory type of a new mapping in the ioremap region
 * @MEMREMAP_TYPE_WB: normal memory, write-back cacheable (MEMREMAP_WB on non-RAM)
 * @MEMREMAP_TYPE_WT: normal memory, write-through (MEMREMAP_WT)
 * @MEMREMAP_TYPE_NC: normal memory, non-cacheable, writes may combine (MEMREMAP_WC)
 *
 * The page-table layer turns these into its pgprot memory types (arm64: MAIR indexes for
 * Normal-WB / Normal-WT / Normal-NC; riscv64: PMA or Svpbmt NC). Device (nGnRE / IO) is never
 * asked for: memremap() is for memory without side effects; ioremap() would be its user.
 */
enum memremap_type {
	MEMREMAP_TYPE_WB,
	MEMREMAP_TYPE_WT,
	MEMREMAP_TYPE_NC,
};

/**
 * struct memremap_ops - how memremap() makes and removes mappings (connected to the page tables
 * by the kernel, to a recorder by the host tests)
 * @map: map [@pa, @pa + @size) at [@va, @va + @size) with memory type @t, kernel RW, not
 *	 executable; @va, @pa, @size are page aligned. Return: 0 or a negative errno (nothing must
 *	 be left mapped on failure).
 * @unmap: remove what @map made at [@va, @va + @size), including the TLB flush.
 * @type_supported: whether the platform can make a mapping of type @t at all (riscv64 without
 *	 Svpbmt: WB only). NULL means every type is supported.
 * @ctx: passed to every hook
 */
struct memremap_ops {
	int (*map)(uintptr_t va, phys_addr_t pa, size_t size, enum memremap_type t, void *ctx);
	void (*unmap)(uintptr_t va, size_t size, void *ctx);
	bool (*type_supported)(enum memremap_type t, void *ctx);
	void *ctx;
};

/**
 * memremap_init() - give memremap() its mapping hooks and the ioremap region [@ioremap_start,
 * @ioremap_end), whose VA allocator (vmalloc_init()) it initializes. Call once at boot, or in
 * tests while no mapping is live; the statistics and the memory-type reservations
 * (<mm/memtype.h>, memremap_pages() included) restart from zero. Other users of the region
 * (ioremap()) must take their areas with get_vm_area() after this call; memunmap() only ever
 * takes down areas memremap() made (VM_MEMREMAP).
 * @ops: copied; its @map and @unmap must be set
 * Return: 0, or -EINVAL for missing hooks or a bad region.
 */
int memremap_init(const struct memremap_ops *ops, uintptr_t ioremap_start,
		  uintptr_t ioremap_end);

/**
 * enum memremap_action - what memremap() does with a request
 * @MEMREMAP_ACT_LINEAR: System RAM with MEMREMAP_WB: return the linear-map address __va(offset)
 * @MEMREMAP_ACT_MAP: map it in the ioremap region with memory type memremap_decision.type
 * @MEMREMAP_ACT_REFUSE: return NULL (memremap_decision.err and .reason say why)
 */
enum memremap_action {
	MEMREMAP_ACT_LINEAR,
	MEMREMAP_ACT_MAP,
	MEMREMAP_ACT_REFUSE,
};

/**
 * struct memremap_decision - the outcome of memremap_decide()
 * @action: see enum memremap_action
 * @type: for MEMREMAP_ACT_MAP, the memory type of the new mapping
 * @region: region_intersects() of the range against System RAM (REGION_*), or -1 when the
 *	    request was refused before looking (bad size or flags)
 * @err: 0, or for MEMREMAP_ACT_REFUSE the errno memremap() stands for: -EINVAL (empty or
 *	 wrapping range, no or unknown flags, range mixing System RAM with anything else),
 *	 -EPERM (WT/WC on System RAM: it would alias the cacheable linear map),
 *	 -EOPNOTSUPP (no requested type is supported by the platform), -ENODEV (a new mapping is
 *	 needed but memremap_init() was not called)
 * @reason: for MEMREMAP_ACT_REFUSE, a short phrase for messages ("mixes System RAM and ...")
 */
struct memremap_decision {
	enum memremap_action action;
	enum memremap_type type;
	int region;
	int err;
	const char *reason;
};

/**
 * memremap_decide() - what memremap(@offset, @size, @flags) would do, without doing it
 *
 * The rules (seed 001): the range is classified with region_intersects(IORESOURCE_SYSTEM_RAM).
 * REGION_MIXED is refused. Then the requested types are tried in the order WB, WT, WC: WB on
 * System RAM is the linear map; WB elsewhere maps with MEMREMAP_TYPE_WB; WT/WC on System RAM are
 * refused (when WB was not requested or could not be used); WT elsewhere maps with
 * MEMREMAP_TYPE_WT and WC with MEMREMAP_TYPE_NC. A type the platform does not support
 * (memremap_ops.type_supported) is skipped, never replaced by another: if no requested type
 * is left the request is refused with -EOPNOTSUPP.
 * Return: 0 when @d->action is LINEAR or MAP, else @d->err (negative).
 */
int memremap_decide(phys_addr_t offset, size_t size, unsigned long flags,
		    struct memremap_decision *d);

/**
 * memremap() - a kernel pointer to [@offset, @offset + @size) of memory without side effects
 * @flags: MEMREMAP_WB, MEMREMAP_WT, MEMREMAP_WC, or several (tried in that order)
 *
 * Does what memremap_decide() says. A new mapping covers the whole pages around the range in a
 * fresh area of the ioremap region (aligned to the mapping size, up to 1 GiB, where the
 * physical address allows, so large leaves can be used) and the returned pointer keeps
 * @offset's position within its page. Refusals print a message naming the range and why.
 * Return: the address, or NULL.
 */
void *memremap(phys_addr_t offset, size_t size, unsigned long flags);

/**
 * memunmap() - undo memremap(). For an address in the ioremap region the mapping is removed
 * and its VA range freed; a linear-map address needs nothing. NULL is ignored. An address
 * memremap() did not return is reported and ignored.
 */
void memunmap(void *addr);

/**
 * struct memremap_stats - counters for leak checks and metrics
 * @live_mappings: ioremap-region mappings made and not yet unmapped
 * @live_bytes: bytes they map (whole pages)
 * @total_mappings: ioremap-region mappings made since memremap_init()
 * @linear_hits: requests answered with the linear map
 * @refused: requests refused
 */
struct memremap_stats {
	unsigned long live_mappings;
	uint64_t live_bytes;
	unsigned long total_mappings;
	unsigned long linear_hits;
	unsigned long refused;
};

/** memremap_get_stats() - fill @st. */
void memremap_get_stats(struct memremap_stats *st);

/**
 * devm_memremap() - memremap() whose mapping is undone (memunmap()) when @dev is unbound from
 * its driver or its probe fails.
 * Return: the address, or ERR_PTR(): the memremap_decide() error for a refusal, -ENOMEM when
 * the mapping or the devres entry could not be allocated.
 */
void *devm_memremap(struct device *dev, phys_addr_t offset, size_t size, unsigned long flags);

/**
 * devm_memunmap() - undo devm_memremap() now instead of at unbind.
 * Return: 0, or -ENOENT if @addr is not a devm_memremap() address of @dev (nothing is done).
 */
int devm_memunmap(struct device *dev, void *addr);

/* ---- vmem_altmap: struct pages kept in the device itself (mm/sparse-vmemmap.c) ----------- */

/**
 * struct vmem_altmap - pre-allocated storage for vmemmap_populate() inside a device range
 * (Linux include/linux/memremap.h)
 * @base_pfn: first pfn of the device range whose struct pages this altmap holds
 * @end_pfn: end (exclusive) of that range; ranges given to sparse_add_section() with this
 *	     altmap must lie inside [@base_pfn, @end_pfn)
 * @reserve: pages at @base_pfn kept for the driver (info block), never allocated
 * @free: pages after the reserve that may hold the memmap
 * @align: pages skipped to align allocations (and, after frees that were not the last
 *	   allocation, pages no longer used but not yet given back)
 * @alloc: pages currently holding memmap
 * @inaccessible: the device range cannot be written by the CPU (its memmap must come from RAM;
 *	   sparse_add_section() refuses such an altmap)
 *
 * The next allocation starts at @base_pfn + @reserve + @alloc + @align (rounded up to its own
 * alignment); @free - (@alloc + @align) pages are left.
 */
struct vmem_altmap {
	unsigned long base_pfn;
	const unsigned long end_pfn;
	unsigned long reserve;
	unsigned long free;
	unsigned long align;
	unsigned long alloc;
	bool inaccessible;
};

/**
 * vmem_altmap_offset() - pfns from @altmap->base_pfn to the first pfn that is neither reserved
 * nor memmap storage (the first pfn a driver may hand out as data); 0 without an altmap
 */
static inline unsigned long vmem_altmap_offset(const struct vmem_altmap *altmap)
{
	return altmap ? altmap->reserve + altmap->free : 0;
}

/**
 * vmem_altmap_free() - @nr_pfns pages of memmap storage are no longer used (Linux semantics:
 * @alloc drops by @nr_pfns). The allocation point itself only moves back over pages that were
 * the last allocated: vmemmap_free() recomputes @align from what is still mapped, so storage
 * freed below a live allocation stays counted in @align until everything above it is freed.
 * @altmap: the altmap
 * @nr_pfns: pages, at most @altmap->alloc
 */
void vmem_altmap_free(struct vmem_altmap *altmap, unsigned long nr_pfns);

/* ---- dev_pagemap: struct pages for device memory (mm/memremap_pages.c) ------------------- */

/**
 * enum memory_type - what kind of device memory a dev_pagemap describes (Linux's values)
 * @MEMORY_DEVICE_PRIVATE: not addressable by the CPU (device-private); no linear map; needs
 *	@ops->page_free and @ops->migrate_to_ram
 * @MEMORY_DEVICE_COHERENT: device memory the CPU can access coherently; needs @ops->page_free
 * @MEMORY_DEVICE_FS_DAX: pmem used for DAX file data; pages idle at refcount 0
 * @MEMORY_DEVICE_GENERIC: device memory with no special handling (device DAX, volatile pmem)
 * @MEMORY_DEVICE_PCI_P2PDMA: memory on a PCI BAR for peer-to-peer DMA; its linear map is
 *	non-cacheable
 */
enum memory_type {
	MEMORY_DEVICE_PRIVATE = 1,
	MEMORY_DEVICE_COHERENT,
	MEMORY_DEVICE_FS_DAX,
	MEMORY_DEVICE_GENERIC,
	MEMORY_DEVICE_PCI_P2PDMA,
};

/** struct range - [start, end], end inclusive (Linux include/linux/range.h) */
struct range {
	uint64_t start;
	uint64_t end;
};

static inline uint64_t range_len(const struct range *r)
{
	return r->end - r->start + 1;
}

/**
 * struct dev_pagemap_ops - the owner's callbacks
 * @page_free: a device page's last reference is gone (PRIVATE and COHERENT must have it)
 * @migrate_to_ram: the CPU touched a device-private page (PRIVATE must have it); the rmap
 *	issue calls it; Return: 0 or a negative errno
 */
struct dev_pagemap_ops {
	void (*page_free)(struct page *page);
	int (*migrate_to_ram)(struct page *page, void *ctx);
};

/* @flags: the altmap member is in use (only with a single range, as Linux). */
#define PGMAP_ALTMAP_VALID (1U << 0)
/*
 * memremap_pages()'s own, while the pagemap is live: its compound pages share their tail
 * vmemmap pages (vmemmap_populate_compound_pages()), so memmap_init_zone_device() writes the
 * head vmemmap pages only.
 */
#define PGMAP_TAILS_SHARED (1U << 1)

#define PGMAP_MAX_RANGES 8

/**
 * struct dev_pagemap - struct pages for one or more ranges of device memory
 * @altmap: where the struct pages of ranges[0] live when PGMAP_ALTMAP_VALID (the device itself);
 *	the caller sets base_pfn, end_pfn, reserve and free; memremap_pages() keeps the counters
 * @ref: 1 while registered, plus one per get_dev_pagemap() not yet put; memunmap_pages()
 *	refuses while it is above 1
 * @dying: set by memunmap_pages(): get_dev_pagemap() fails from then on
 * @type: see enum memory_type
 * @flags: PGMAP_*
 * @vmemmap_shift: the device's pages are compound pages of order @vmemmap_shift (0: base
 *	pages); every range start and length must be a multiple of PAGE_SIZE << @vmemmap_shift
 * @ops: callbacks (may be NULL for FS_DAX, GENERIC, PCI_P2PDMA)
 * @owner: the owner's cookie: required for PRIVATE and COHERENT (migration moves only the
 *	   pages of the owner it is given)
 * @nr_range: ranges in use, 1..PGMAP_MAX_RANGES
 * @ranges: physical ranges, each 2 MiB (subsection) aligned in start and length, disjoint
 *
 * Differs from Linux: @ref is a plain atomic counter rather than a percpu_ref (a unikernel with a
 * few CPUs does not need the per-CPU fast path), and the ranges are a fixed array.
 */
struct dev_pagemap {
	struct vmem_altmap altmap;
	atomic_long ref;
	atomic_bool dying;
	enum memory_type type;
	unsigned int flags;
	unsigned long vmemmap_shift;
	const struct dev_pagemap_ops *ops;
	void *owner;
	int nr_range;
	struct range ranges[PGMAP_MAX_RANGES];
	/* memremap_pages()'s: altmap pfns before the data given struct pages (0: tails shared) */
	unsigned long memmap_prefix;
};

/**
 * struct memremap_pages_ops - how memremap_pages() maps device memory into the linear map
 * (arch_add_memory()'s page-table half; the kernel installs it, host tests a recorder)
 * @add_linear: map [@pa, @pa + @size) at __va(@pa), kernel RW, not executable, with memory
 *	type @type (write-back; non-cacheable for PCI_P2PDMA); Return: 0 or a negative errno
 *	(nothing left mapped; -EOPNOTSUPP when the CPU cannot express @type)
 * @remove_linear: unmap it again, with the TLB flush; Return: 0 or a negative errno
 * @ctx: passed to both
 */
struct memremap_pages_ops {
	int (*add_linear)(phys_addr_t pa, uint64_t size, enum memremap_type type, void *ctx);
	int (*remove_linear)(phys_addr_t pa, uint64_t size, void *ctx);
	void *ctx;
};

/** memremap_pages_init() - install the linear-map hooks (copied); NULL removes them. */
void memremap_pages_init(const struct memremap_pages_ops *ops);

/**
 * memremap_pages() - give the ranges of @pgmap struct pages in ZONE_DEVICE (Linux mm/memremap.c)
 * @pgmap: filled by the caller (type, ranges, flags, altmap, vmemmap_shift, ops); must stay
 *	   alive and unmoved until memunmap_pages()
 *
 * Refused, with a message naming the range and what is wrong: an unknown type, missing @ops
 * callbacks the type needs, no @owner for PRIVATE or COHERENT, no or too many ranges, an
 * altmap with more than one range, a range that is empty, wraps, or is not 2 MiB aligned, a @vmemmap_shift above MAX_FOLIO_ORDER or
 * that does not divide a range, ranges that overlap each other or another registered pagemap
 * (-EBUSY), a range that touches System RAM (-ENXIO). Then, for each range in order: the
 * pfn-keyed lookup learns it, the linear map gets it (not for PRIVATE), sparse_add_section()
 * gives it struct pages (from the altmap for ranges[0] when PGMAP_ALTMAP_VALID), and
 * memmap_init_zone_device() initialises them. A failure undoes every range already done, and
 * every refusal or failure leaves @pgmap byte for byte as it was (a pagemap already registered
 * is refused with -EBUSY before anything of it is touched).
 * Return: the linear-map address of ranges[0].start (for PRIVATE: the address it would have,
 * not mapped), or ERR_PTR(-errno).
 */
void *memremap_pages(struct dev_pagemap *pgmap);

/**
 * memremap_pages_check() - every check memremap_pages() makes before it changes anything, and
 * nothing else: a caller about to commit to a layout (the pmem driver, before it writes an
 * info block) learns whether memremap_pages() would refuse it. Besides the refusals listed
 * above: an altmap whose free pages cannot hold the struct pages of its range (-ENOSPC), no
 * linear-map hooks for a type that needs them (-ENODEV), and what sparse_check_add() refuses
 * (a range outside the sparse window, a subsection that has struct pages already). Messages
 * are printed as memremap_pages() prints them.
 * Return: 0 when memremap_pages() would go ahead (it may still fail for want of memory), or
 * the errno memremap_pages() would return.
 */
int memremap_pages_check(const struct dev_pagemap *pgmap);

/**
 * devm_memremap_pages() - memremap_pages() undone (memunmap_pages()) when @dev is unbound
 * from its driver or its probe fails.
 * Return: as memremap_pages(); ERR_PTR(-ENOMEM) when the devres entry cannot be had (the
 * pagemap is removed again).
 */
void *devm_memremap_pages(struct device *dev, struct dev_pagemap *pgmap);

/** devm_memunmap_pages() - undo devm_memremap_pages() now. Return: as devm_memunmap(). */
int devm_memunmap_pages(struct device *dev, struct dev_pagemap *pgmap);

/**
 * memunmap_pages() - undo memremap_pages(): no new get_dev_pagemap() succeeds; then, when no
 * reference other than the pages' own is held, every range loses its struct pages, its linear
 * mapping and its lookup entry.
 * Return: 0; -EBUSY when get_dev_pagemap() references are still held, or a page is still mapped
 * (map count) or referenced beyond its idle count (nothing is undone, the pagemap is live again,
 * the count is reported); -EINVAL for a pagemap not registered; the error of
 * sparse_check_remove() when the sparse model no longer holds a range as it was added
 * (nothing is undone either). These refusals leave @pgmap as it was. An error while taking the
 * ranges down (sparse_remove_section(), the linear-map unmap: bugs) is returned after the
 * pagemap is gone as far as it could be taken down.
 * Differs from Linux, which sleeps until the references are dropped: here nothing can sleep,
 * and a leaked reference must show up as an error rather than a hang.
 */
int memunmap_pages(struct dev_pagemap *pgmap);

/**
 * get_dev_pagemap() - the live dev_pagemap whose ranges hold @pfn, with a reference taken
 * @pgmap: a pagemap the caller already holds: returned again (with a new reference) if it
 *	   holds @pfn, which skips the lookup
 * Return: the pagemap, or NULL when @pfn is not device memory or its pagemap is going away.
 */
struct dev_pagemap *get_dev_pagemap(unsigned long pfn, struct dev_pagemap *pgmap);

/** put_dev_pagemap() - drop a get_dev_pagemap() reference; NULL is ignored. */
void put_dev_pagemap(struct dev_pagemap *pgmap);

/**
 * memmap_init_zone_device() - initialise the struct pages of [@start_pfn, @start_pfn + @nr_pages)
 * as device pages of @pgmap: ZONE_DEVICE, PG_reserved (never the page allocator's), @pgmap set,
 * refcount 1 for GENERIC and PCI_P2PDMA and 0 (idle) for the others, and, with @pgmap's
 * vmemmap_shift, compound pages of that order whose tails are byte-identical (the head alone
 * carries @pgmap).
 * Return: the number of struct pages written.
 */
unsigned long memmap_init_zone_device(unsigned long start_pfn, unsigned long nr_pages,
				      struct dev_pagemap *pgmap);

/**
 * page_pgmap() - the dev_pagemap of a ZONE_DEVICE page (through its compound head), or NULL
 * for any other page.
 */
struct dev_pagemap *page_pgmap(const struct page *page);

/**
 * zone_device_page_init() - the owner hands out device page @page (its compound head): it
 * now holds one reference, dropped with put_page().
 */
void zone_device_page_init(struct page *page);

/**
 * put_page() - drop a reference on @page (through its compound head). The last one on a
 * ZONE_DEVICE page gives it back to its pagemap's owner (@ops->page_free, when set); on any
 * other page it frees the page to the page allocator.
 */
void put_page(struct page *page);

/**
 * pgmap_pfn_valid() - whether @pfn is a data pfn of @pgmap: inside one of its ranges and not
 * one of the altmap's own pages (info block, memmap storage) at the start of range 0.
 */
bool pgmap_pfn_valid(const struct dev_pagemap *pgmap, unsigned long pfn);

/** pgmap_pfn_first() - first pfn of range @i that holds data (after the altmap's storage). */
unsigned long pgmap_pfn_first(const struct dev_pagemap *pgmap, int i);

/** pgmap_pfn_end() - end pfn (exclusive) of range @i. */
unsigned long pgmap_pfn_end(const struct dev_pagemap *pgmap, int i);

/**
 * struct memremap_pages_stats - for leak checks and metrics
 * @live_pagemaps: registered pagemaps
 * @live_ranges: registered ranges
 * @device_pages: struct pages initialised as device pages and not yet removed
 */
struct memremap_pages_stats {
	unsigned long live_pagemaps;
	unsigned long live_ranges;
	unsigned long device_pages;
};

/** memremap_pages_get_stats() - fill @st. */
void memremap_pages_get_stats(struct memremap_pages_stats *st);

#endif
