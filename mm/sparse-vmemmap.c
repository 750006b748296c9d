// SPDX-License-Identifier: BSD-2-Clause
// Virtual memory map population: struct pages mapped at vmemmap + pfn with base pages or PMD
// leaves, backed by RAM or by a device's vmem_altmap (seed 002, Linux mm/sparse-vmemmap.c).
// Differs from Linux: no NUMA node, no vmemmap_verify(); mappings go through mm/pgtable.c.
#include <string.h>

#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/memblock.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/vmemmap_tails.h>

/* Largest alignment altmap_alloc_block_buf() pays for: a PMD leaf's. */
#define ALTMAP_MAX_ALIGN_PAGES (PMD_SIZE >> PAGE_SHIFT)

static phys_addr_t memblock_block_alloc(size_t size, size_t align, void *ctx)
{
	(void)ctx;
	return memblock_phys_alloc(size, align);
}

static void memblock_block_free(phys_addr_t pa, size_t size, void *ctx)
{
	(void)ctx;
	memblock_phys_free(pa, size);
}

static phys_addr_t (*block_alloc)(size_t size, size_t align, void *ctx) = memblock_block_alloc;
static void (*block_free)(phys_addr_t pa, size_t size, void *ctx) = memblock_block_free;
static void *block_ctx;
static unsigned long (*block_alloc_bulk)(unsigned long nr, phys_addr_t *pas, void *ctx);

static struct pgtable *vm_pt;
static unsigned long vm_start, vm_end;
static bool vm_huge = true;
static struct vmemmap_stats stats;

void vmemmap_set_allocator(phys_addr_t (*alloc)(size_t size, size_t align, void *ctx),
			   void (*free)(phys_addr_t pa, size_t size, void *ctx), void *ctx)
{
	block_alloc_bulk = NULL; /* a bulk hook serves one allocator: set again after this */
	if (!alloc || !free) {
		block_alloc = memblock_block_alloc;
		block_free = memblock_block_free;
		block_ctx = NULL;
		return;
	}
	block_alloc = alloc;
	block_free = free;
	block_ctx = ctx;
}

void vmemmap_set_bulk_allocator(unsigned long (*bulk)(unsigned long nr, phys_addr_t *pas,
						      void *ctx))
{
	block_alloc_bulk = bulk;
}

struct pgtable *vmemmap_pgtable(void)
{
	return vm_pt;
}

void vmemmap_set_pgtable(struct pgtable *pt, unsigned long start, unsigned long end)
{
	vm_pt = pt;
	vm_start = start;
	vm_end = end;
}

void vmemmap_set_hugepages(bool enable)
{
	vm_huge = enable;
}

void vmemmap_get_stats(struct vmemmap_stats *st)
{
	*st = stats;
}

/* ---- backing blocks ---------------------------------------------------------------------- */

static bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

void *vmemmap_alloc_block(size_t size)
{
	phys_addr_t pa;

	if (!size || size % PAGE_SIZE)
		return NULL;
	pa = block_alloc(size, is_pow2(size) ? size : PAGE_SIZE, block_ctx);
	return pa ? __va(pa) : NULL;
}

void vmemmap_free_block(void *addr, size_t size)
{
	block_free(__pa(addr), size, block_ctx);
}

static unsigned long altmap_next_pfn(const struct vmem_altmap *a)
{
	return a->base_pfn + a->reserve + a->alloc + a->align;
}

static unsigned long altmap_nr_free(const struct vmem_altmap *a)
{
	unsigned long used = a->alloc + a->align;

	return a->free > used ? a->free - used : 0;
}

/* Take @size bytes from @a; *@pad gets the alignment pages skipped. 0 or -ENOMEM/-EINVAL. */
static int altmap_take(struct vmem_altmap *a, size_t size, phys_addr_t *pa, unsigned long *pad)
{
	unsigned long nr, align, pfn;

	if (!size || size % PAGE_SIZE)
		return -EINVAL;
	nr = size >> PAGE_SHIFT;
	/* The largest power of two dividing the page count, so a 2 MiB block is 2 MiB aligned. */
	align = MIN(nr & -nr, ALTMAP_MAX_ALIGN_PAGES);
	pfn = altmap_next_pfn(a);
	align = ALIGN_UP(pfn, align) - pfn;
	if (nr + align > altmap_nr_free(a))
		return -ENOMEM;
	a->alloc += nr;
	a->align += align;
	*pa = PFN_PHYS(pfn + align);
	*pad = align;
	return 0;
}

void *altmap_alloc_block_buf(size_t size, struct vmem_altmap *altmap)
{
	unsigned long pad;
	phys_addr_t pa;

	if (altmap_take(altmap, size, &pa, &pad))
		return NULL;
	return __va(pa);
}

void *vmemmap_alloc_block_buf(size_t size, struct vmem_altmap *altmap)
{
	if (altmap)
		return altmap_alloc_block_buf(size, altmap);
	return vmemmap_alloc_block(size);
}

void vmem_altmap_free(struct vmem_altmap *altmap, unsigned long nr_pfns)
{
	if (nr_pfns > altmap->alloc) {
		pr_warn("vmemmap: freeing %lu pages of altmap [pfn 0x%lx-0x%lx] holding %lu\n",
			nr_pfns, altmap->base_pfn, altmap->end_pfn, altmap->alloc);
		nr_pfns = altmap->alloc;
	}
	altmap->alloc -= nr_pfns;
}

static bool altmap_owns(const struct vmem_altmap *a, phys_addr_t pa)
{
	unsigned long pfn = PHYS_PFN(pa), first = a->base_pfn + a->reserve;

	return pfn >= first && pfn - first < a->free;
}

struct altmap_top {
	const struct vmem_altmap *a;
	unsigned long top_pfn;
};

static int altmap_top_leaf(void *arg, uintptr_t va, int level, pteval_t e)
{
	struct altmap_top *t = arg;
	phys_addr_t pa = arch_pte_addr(e, level);

	(void)va;
	if (altmap_owns(t->a, pa))
		t->top_pfn = MAX(t->top_pfn, PHYS_PFN(pa + pgtable_level_size(level)));
	return 0;
}

/*
 * After a free, move @a's allocation point back to the end of its highest block still mapped:
 * every block of an altmap is memmap of its own range [base_pfn, end_pfn), so a walk of that
 * range's vmemmap finds them all. What lies below the point and is not allocated is padding
 * or storage freed under a live block; both are counted in @align.
 */
static void altmap_recompute(struct vmem_altmap *a)
{
	struct altmap_top t = { a, a->base_pfn + a->reserve };
	uintptr_t s = (uintptr_t)pfn_to_page(a->base_pfn), e = (uintptr_t)pfn_to_page(a->end_pfn);
	unsigned long used;

	if (e > s)
		pgtable_walk_leaves(vm_pt, s, e - s, altmap_top_leaf, &t);
	used = t.top_pfn - (a->base_pfn + a->reserve);
	if (used < a->alloc) {
		pr_warn("vmemmap: altmap [pfn 0x%lx-0x%lx]: %lu pages allocated but only %lu mapped\n",
			a->base_pfn, a->end_pfn, a->alloc, used);
		return;
	}
	a->align = used - a->alloc;
}

/* Backing for one leaf; *@pad as altmap_take() (0 for RAM). */
static int get_block(size_t size, struct vmem_altmap *altmap, phys_addr_t *pa, unsigned long *pad)
{
	*pad = 0;
	if (altmap)
		return altmap_take(altmap, size, pa, pad);
	*pa = block_alloc(size, size, block_ctx);
	return *pa ? 0 : -ENOMEM;
}

/* Undo get_block() at once (the block was the last one taken). */
static void unget_block(phys_addr_t pa, size_t size, struct vmem_altmap *altmap,
			unsigned long pad)
{
	if (altmap) {
		altmap->alloc -= size >> PAGE_SHIFT;
		altmap->align -= pad;
		return;
	}
	block_free(pa, size, block_ctx);
}

static void account_leaf(size_t size, struct vmem_altmap *altmap, bool add)
{
	uint64_t *bytes = altmap ? &stats.altmap_bytes : &stats.ram_bytes;
	unsigned long *leaves = size == PMD_SIZE ? &stats.pmd_leaves : &stats.pte_leaves;

	if (add) {
		*bytes += size;
		(*leaves)++;
	} else {
		*bytes -= size;
		(*leaves)--;
	}
}

/* Backing of one PTE table's batch: where the pages are, and what to undo. */
struct batch_pages {
	phys_addr_t pas[PTRS_PER_PTE]; /* RAM: each page */
	phys_addr_t first;             /* altmap: consecutive from here */
	unsigned long nr;
};

/* The hotplug lock serialises population: one batch at a time. */
static struct batch_pages batch;

/*
 * @nr 4 KiB pages for one batch: consecutive altmap pfns (no alignment: they are base pages),
 * or RAM pages from the bulk hook (one call per page without one). All or nothing.
 * Return: 0, or -ENOSPC with *@got the pages there were room for (nothing kept).
 */
static int get_pages(struct batch_pages *b, unsigned long nr, struct vmem_altmap *altmap,
		     unsigned long *got)
{
	b->nr = 0;
	if (altmap) {
		unsigned long left = altmap_nr_free(altmap);

		if (nr > left) {
			*got = left;
			return -ENOSPC;
		}
		b->first = PFN_PHYS(altmap_next_pfn(altmap));
		altmap->alloc += nr;
		b->nr = nr;
		return 0;
	}
	if (block_alloc_bulk) {
		b->nr = block_alloc_bulk(nr, b->pas, block_ctx);
	} else {
		while (b->nr < nr && (b->pas[b->nr] = block_alloc(PAGE_SIZE, PAGE_SIZE, block_ctx)))
			b->nr++;
	}
	if (b->nr == nr)
		return 0;
	*got = b->nr;
	while (b->nr)
		block_free(b->pas[--b->nr], PAGE_SIZE, block_ctx);
	return -ENOSPC;
}

/* Undo get_pages() at once (the batch was the last one taken). */
static void unget_pages(struct batch_pages *b, struct vmem_altmap *altmap)
{
	if (altmap)
		altmap->alloc -= b->nr;
	else
		while (b->nr)
			block_free(b->pas[--b->nr], PAGE_SIZE, block_ctx);
	b->nr = 0;
}

static void account_pages(unsigned long nr, struct vmem_altmap *altmap)
{
	*(altmap ? &stats.altmap_bytes : &stats.ram_bytes) += nr * PAGE_SIZE;
	stats.pte_leaves += nr;
}

/*
 * Map the batch @b over [@va, @va + nr * PAGE_SIZE) (one PTE table), with @stride and the
 * shared page @ro_pa as pgtable_map_pte_batch() takes them; the backing is given back if the
 * mapping fails. Return: 0, -ENOMEM (no table page), -EEXIST, ...
 */
static int map_batch(struct batch_pages *bp, unsigned long va, unsigned long nr,
		     unsigned long stride, phys_addr_t ro_pa, struct vmem_altmap *altmap)
{
	struct pgtable_pte_batch b = {
		.pas = altmap ? NULL : bp->pas, .pa = bp->first, .prot = PAGE_KERNEL,
		.stride = stride, .ro_pa = ro_pa, .ro_prot = PAGE_KERNEL_RO,
	};
	int ret = pgtable_map_pte_batch(vm_pt, va, nr, &b);

	if (ret) {
		unget_pages(bp, altmap);
		return ret;
	}
	account_pages(bp->nr, altmap);
	bp->nr = 0;
	return 0;
}

static int map_leaf(unsigned long addr, size_t size, struct vmem_altmap *altmap)
{
	unsigned int flags = size == PMD_SIZE ? PGTABLE_MAP_MAX_LEAF(PGTABLE_LEVEL_PMD)
					      : PGTABLE_MAP_NO_BLOCKS;
	unsigned long pad;
	phys_addr_t pa;
	int ret;

	/* -ENOSPC: no backing (callers fall back or report); -ENOMEM: no table page. */
	if (get_block(size, altmap, &pa, &pad))
		return -ENOSPC;
	ret = pgtable_map(vm_pt, addr, pa, size, PAGE_KERNEL, flags);
	if (ret) {
		unget_block(pa, size, altmap, pad);
		return ret;
	}
	account_leaf(size, altmap, true);
	return 0;
}

/* ---- population -------------------------------------------------------------------------- */

/* Where populate_base() found the altmap empty (0: it did not). */
static unsigned long exhausted_at;

static void report_exhausted(const struct vmem_altmap *a, unsigned long start, unsigned long end,
			     unsigned long left)
{
	stats.altmap_exhausted++;
	pr_err("vmemmap: altmap [pfn 0x%lx-0x%lx] exhausted: vmemmap 0x%lx-0x%lx needs %lu pages, "
	       "%lu were left (reserve %lu, free %lu, alloc %lu, align %lu); ran out at 0x%lx\n",
	       a->base_pfn, a->end_pfn - 1, start, end - 1, (end - start) >> PAGE_SHIFT, left,
	       a->reserve, a->free, a->alloc, a->align, exhausted_at);
}

/*
 * Where an existing leaf covering @addr lies. Return: 0 if none (the walk stopped at *@level),
 * 1 if a leaf whose [*@ls, *@ls + *@lsize) is wholly inside [@start, @end), 2 if one reaching
 * beyond it (a neighbour's PMD leaf).
 */
static int existing_leaf(unsigned long addr, unsigned long start, unsigned long end, int *level,
			 unsigned long *ls, unsigned long *lsize)
{
	struct pgtable_walk_result r;

	pgtable_walk(vm_pt, addr, &r);
	*level = r.level;
	if (!r.found)
		return 0;
	*lsize = pgtable_level_size(r.level);
	*ls = addr & ~(*lsize - 1);
	return *ls >= start && *ls + *lsize <= end ? 1 : 2;
}

/*
 * Base pages for [@start, @end); *@done is how far the range is mapped by this call. One PTE
 * table at a time: its pages in one batch (consecutive altmap pfns, or one bulk allocation),
 * all its leaves written in one pass under one lock. A slot in use fails the whole table
 * before anything of it is mapped.
 */
static int populate_base(unsigned long start, unsigned long end, struct vmem_altmap *altmap,
			 unsigned long *done)
{
	unsigned long addr, next, ls, lsize, nr, got;
	int level, ret;

	for (addr = start; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		switch (existing_leaf(addr, start, end, &level, &ls, &lsize)) {
		case 1:
			return -EEXIST; /* (other slots in use are found by the batch) */
		case 2:
			next = MIN(ls + lsize, end);
			*done = next;
			continue;
		}
		nr = (next - addr) / PAGE_SIZE;
		if (get_pages(&batch, nr, altmap, &got)) {
			exhausted_at = addr + got * PAGE_SIZE;
			return -ENOMEM;
		}
		ret = map_batch(&batch, addr, nr, 0, 0, altmap);
		if (ret)
			return ret;
		*done = next;
	}
	return 0;
}

static int free_range(unsigned long start, unsigned long end, struct vmem_altmap *altmap);

static int populate_huge(unsigned long start, unsigned long end, struct vmem_altmap *altmap,
			 unsigned long *done)
{
	unsigned long addr, next, ls, lsize, stop = end, tail_done;
	int level, ret;

	/*
	 * From an altmap, the partial PMD at the end first: its base pages then sit in the room the
	 * first leaf's 2 MiB alignment skips, as the leading partial PMD's do. The reservation of a
	 * block (Linux's too: ALIGN(8 KiB + memmap, 2 MiB)) holds both partials and the leaves only
	 * in that order: a 130 MiB range laid out with leaves first ran out 8 pages short.
	 */
	if (altmap && end % PMD_SIZE && ALIGN_DOWN(end, PMD_SIZE) > start) {
		stop = tail_done = ALIGN_DOWN(end, PMD_SIZE);
		ret = populate_base(stop, end, altmap, &tail_done);
		if (ret) {
			if (tail_done > stop)
				free_range(stop, tail_done, altmap);
			return ret;
		}
	}
	ret = 0;
	for (addr = start; addr < stop && !ret; addr = next) {
		next = pmd_addr_end(addr, stop);
		if (next - addr == PMD_SIZE) {
			ret = existing_leaf(addr, start, end, &level, &ls, &lsize);
			if (ret) {
				ret = -EEXIST;
				break;
			}
			/* The walk stopped at the PMD or above: no table below this PMD yet. */
			if (level >= PGTABLE_LEVEL_PMD) {
				ret = map_leaf(addr, PMD_SIZE, altmap);
				if (ret == 0) {
					*done = next;
					continue;
				}
				if (ret != -ENOSPC)
					break;
				stats.pmd_fallbacks++;
			}
		}
		ret = populate_base(addr, next, altmap, done);
	}
	/* the caller undoes [start, *done); the tail mapped first is undone here */
	if (ret && stop != end)
		free_range(stop, end, altmap);
	return ret;
}

/* What a populate call changes besides the page table, so that a failed one can put it back. */
struct populate_undo {
	struct vmem_altmap *altmap;
	unsigned long alloc, align;
	long tables0;
};

static void populate_begin(struct populate_undo *u, struct vmem_altmap *altmap)
{
	stats.populate_calls++;
	u->tables0 = (long)vm_pt->nr_table_pages;
	u->altmap = altmap;
	if (altmap) {
		u->alloc = altmap->alloc;
		u->align = altmap->align;
	}
	exhausted_at = 0;
}

/* After a failure: the altmap as it was, and where it ran out if it did. */
static void populate_rewind_altmap(const struct populate_undo *u, unsigned long start,
				   unsigned long end)
{
	if (!u->altmap)
		return;
	u->altmap->alloc = u->alloc;
	u->altmap->align = u->align;
	if (exhausted_at)
		report_exhausted(u->altmap, start, end, altmap_nr_free(u->altmap));
}

static int populate_end(const struct populate_undo *u, int ret)
{
	stats.table_pages += (long)vm_pt->nr_table_pages - u->tables0;
	return ret;
}

static int populate(unsigned long start, unsigned long end, struct vmem_altmap *altmap,
		    bool huge)
{
	unsigned long done = start;
	struct populate_undo undo;
	int ret;

	if (!vm_pt)
		return -ENODEV;
	if (start >= end || start % PAGE_SIZE || end % PAGE_SIZE || start < vm_start ||
	    end > vm_end)
		return -EINVAL;
	populate_begin(&undo, altmap);
	ret = huge ? populate_huge(start, end, altmap, &done)
		   : populate_base(start, end, altmap, &done);
	if (ret) {
		if (done > start)
			free_range(start, done, altmap);
		populate_rewind_altmap(&undo, start, end);
	}
	return populate_end(&undo, ret);
}

int vmemmap_populate_basepages(unsigned long start, unsigned long end,
			       struct vmem_altmap *altmap)
{
	return populate(start, end, altmap, false);
}

int vmemmap_populate_hugepages(unsigned long start, unsigned long end,
			       struct vmem_altmap *altmap)
{
	return populate(start, end, altmap, true);
}

int vmemmap_populate(unsigned long start, unsigned long end, struct vmem_altmap *altmap)
{
	return populate(start, end, altmap, vm_huge);
}

/* ---- compound pages sharing their tails ------------------------------------------------ */

int vmemmap_tail_backing(struct vmem_altmap *altmap, phys_addr_t *pa)
{
	unsigned long pad;

	if (get_block(PAGE_SIZE, altmap, pa, &pad))
		return -ENOMEM;
	*(altmap ? &stats.altmap_bytes : &stats.ram_bytes) += PAGE_SIZE;
	stats.shared_tail_pages++;
	return 0;
}

static unsigned long released_altmap;

void vmemmap_tail_backing_free(phys_addr_t pa, struct vmem_altmap *altmap)
{
	*(altmap ? &stats.altmap_bytes : &stats.ram_bytes) -= PAGE_SIZE;
	stats.shared_tail_pages--;
	if (altmap) {
		vmem_altmap_free(altmap, 1);
		released_altmap++; /* the allocation point is recomputed by vmemmap_free() */
	} else {
		block_free(pa, PAGE_SIZE, block_ctx);
	}
}

/*
 * The tails of one compound page from @va (its head's vmemmap page excluded) up to @end: whole
 * 2 MiB spans link the shared table, the rest are leaves onto the shared page.
 */
static int map_tails(struct vmemmap_tail *t, unsigned long va, unsigned long end)
{
	unsigned long next;
	phys_addr_t table;
	int ret;

	for (; va < end; va = next) {
		next = pmd_addr_end(va, end);
		if (next - va == PMD_SIZE) {
			table = vmemmap_tail_table_get(t);
			if (!table)
				return -ENOMEM;
			ret = pgtable_link_table(vm_pt, va, PGTABLE_LEVEL_PMD, table);
			if (ret) {
				vmemmap_tail_table_put(t);
				return ret;
			}
			stats.shared_table_links++;
			continue;
		}
		ret = pgtable_map(vm_pt, va, t->page, next - va, PAGE_KERNEL_RO,
				  PGTABLE_MAP_SAME_PA);
		if (ret)
			return ret;
		vmemmap_tail_ref(t, (next - va) / PAGE_SIZE);
	}
	return 0;
}

/*
 * Undo of a failed ZONE_NORMAL population of [@start, @done): unmapped one PTE table at a time,
 * the head pages found in it given back after its flush.
 */
static void unmap_normal_heads(unsigned long start, unsigned long done, unsigned long step)
{
	struct pgtable_walk_result r;
	unsigned long va, next;

	for (va = start; va < done; va = next) {
		next = pmd_addr_end(va, done);
		batch.nr = 0;
		for (unsigned long h = va; h < next; h += step)
			if ((h - start) % step == 0 && !pgtable_walk(vm_pt, h, &r))
				batch.pas[batch.nr++] = r.pa;
		pgtable_unmap(vm_pt, va, next - va);
		stats.pte_leaves -= batch.nr;
		stats.ram_bytes -= batch.nr * PAGE_SIZE;
		unget_pages(&batch, NULL);
	}
}

int vmemmap_populate_compound_pages(unsigned long start_pfn, unsigned long nr_pages,
				    unsigned int order, struct vmem_altmap *altmap, enum zone_type zone)
{
	unsigned long start = (unsigned long)pfn_to_page(start_pfn), va, next, done;
	unsigned long step = sizeof(struct page) << order;
	unsigned long end = start + nr_pages * sizeof(struct page);
	struct populate_undo undo;
	struct vmemmap_tail *t;
	int ret = 0;

	if (!vm_pt)
		return -ENODEV;
	if (order < VMEMMAP_TAIL_MIN_ORDER || order > MAX_FOLIO_ORDER ||
	    (start_pfn | nr_pages) & ((1UL << order) - 1) || !nr_pages || start < vm_start ||
	    end > vm_end)
		return -EINVAL;
	populate_begin(&undo, altmap);
	/*
	 * ZONE_NORMAL: boot-time HugeTLB folios born optimized, HVO's shared page (kept, counted
	 * by the folios, which HVO adopts): no shared table, so HVO can restore them leaf by leaf.
	 * ZONE_DEVICE: held (0 references) by the first leaf mapped below; dropped on failure.
	 */
	if (zone == ZONE_NORMAL && altmap)
		return -EINVAL;
	t = vmemmap_tail_get_at(order, zone, altmap, 0, zone == ZONE_NORMAL,
				altmap ? start + PAGE_SIZE : 0);
	if (!t) {
		ret = -ENOMEM;
		goto out;
	}
	for (va = start, done = start; va < end; va = next) {
		unsigned long nr, heads, got;

		next = pmd_addr_end(va, end);
		if ((va - start) % step) {
			/* tails only (orders of more than one PMD of vmemmap) */
			if (zone == ZONE_NORMAL)
				ret = pgtable_map(vm_pt, va, t->page, next - va, PAGE_KERNEL_RO,
						  PGTABLE_MAP_SAME_PA);
			else
				ret = map_tails(t, va, next);
			done = next; /* what map_tails() did is found and undone by the walk */
			if (ret)
				break;
			continue;
		}
		/*
		 * One PTE table: the head vmemmap page of each compound page in it (the head and
		 * its first 63 tails, written by their init) from one batch of backing, and the
		 * tail-only pages onto the shared page, in one pass.
		 */
		nr = (next - va) / PAGE_SIZE;
		heads = (next - va + step - 1) / step;
		ret = get_pages(&batch, heads, altmap, &got);
		if (ret) {
			exhausted_at = va + got * step;
			ret = -ENOMEM;
			break;
		}
		ret = map_batch(&batch, va, nr, MIN(step, PMD_SIZE) / PAGE_SIZE, t->page, altmap);
		if (ret)
			break;
		if (zone != ZONE_NORMAL && nr > heads)
			vmemmap_tail_ref(t, nr - heads);
		done = next;
	}
	if (ret && zone == ZONE_NORMAL) {
		/* leaves onto a kept page hold no reference: unmap them, then free the heads */
		unmap_normal_heads(start, done, step);
		vmemmap_tail_drop(t);
	} else if (ret) {
		vmemmap_tail_get(order, ZONE_DEVICE, altmap, 1, false); /* kept over the undo */
		free_range(start, done, altmap);
		vmemmap_tail_put(t, 1);
		populate_rewind_altmap(&undo, start, end);
	}
out:
	return populate_end(&undo, ret);
}

/* ---- removal ----------------------------------------------------------------------------- */

/* Leaves released so far: a free of an empty range skips the unmap and the altmap walk. */
static unsigned long released;

static void release(phys_addr_t pa, size_t size, struct vmem_altmap *altmap)
{
	bool from_altmap = altmap && altmap_owns(altmap, pa);
	struct vmemmap_tail *t = size == PAGE_SIZE ? vmemmap_tail_by_page(pa) : NULL;

	if (t) {
		/* a leaf onto a shared tail page: one reference less, the page is not ours */
		vmemmap_tail_put(t, 1);
		return;
	}

	released++;
	released_altmap += from_altmap;
	if (from_altmap)
		vmem_altmap_free(altmap, size >> PAGE_SHIFT);
	else
		block_free(pa, size, block_ctx);
	account_leaf(size, from_altmap ? altmap : NULL, false);
}

/*
 * Backing found by free_range(), given back only after the unmap's TLB flush: until then
 * another CPU may still read or write it through a cached translation. Callers are serialised
 * (the hotplug lock); two PMD spans of PTE leaves fit.
 */
#define PENDING_MAX 1024

static struct {
	phys_addr_t pa;
	size_t size;
} pending[PENDING_MAX];
static unsigned int nr_pending;

/*
 * Unmap [@ustart, @uend) (one flush), then release what was found in it. The range cuts no
 * leaf, so the unmap cannot need a split: an error is a bug, returned to the caller.
 */
static int unmap_then_release(unsigned long ustart, unsigned long uend,
			      struct vmem_altmap *altmap)
{
	int ret = 0;

	if (!nr_pending)
		return 0;
	if (ustart < uend) {
		ret = pgtable_unmap(vm_pt, ustart, uend - ustart);
		if (ret)
			pr_err("vmemmap: unmapping 0x%lx-0x%lx failed: %d\n", ustart, uend - 1, ret);
	}
	for (unsigned int i = 0; i < nr_pending; i++)
		release(pending[i].pa, pending[i].size, altmap);
	nr_pending = 0;
	return ret;
}

static void defer_release(phys_addr_t pa, size_t size)
{
	pending[nr_pending].pa = pa;
	pending[nr_pending].size = size;
	nr_pending++;
}

static int free_range(unsigned long start, unsigned long end, struct vmem_altmap *altmap)
{
	unsigned long addr, next, ustart = start, uend = end;
	struct pgtable_walk_result r;
	int ret = 0;

	for (addr = start; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		pgtable_walk(vm_pt, addr, &r);
		if (r.found && r.level == PGTABLE_LEVEL_PTE && r.nr > 1) {
			struct vmemmap_tail *t = vmemmap_tail_by_table(r.table[r.nr - 1]);

			if (t) {
				/* a whole 2 MiB of tails through the shared table: unlink it only */
				if ((addr | (next - addr)) & (PMD_SIZE - 1) ||
				    pgtable_unlink_table(vm_pt, addr, PGTABLE_LEVEL_PMD, t->table)) {
					pr_err("vmemmap: 0x%lx-0x%lx cuts a shared tail table\n", addr,
					       next - 1);
					ret = ret ?: -EINVAL;
				} else {
					vmemmap_tail_table_put(t);
				}
				continue;
			}
		}
		if (r.found && r.level >= PGTABLE_LEVEL_PMD) {
			unsigned long lsize = pgtable_level_size(r.level);
			unsigned long ls = addr & ~(lsize - 1);

			if (ls < start || ls + lsize > end) {
				/* A leaf shared with memmap outside the range stays. */
				if (ls < start)
					ustart = MAX(ustart, MIN(ls + lsize, end));
				if (ls + lsize > end)
					uend = MIN(uend, MAX(ls, start));
				continue;
			}
			if (nr_pending == PENDING_MAX) {
				int err = unmap_then_release(ustart, addr, altmap);

				ret = ret ?: err;
				ustart = addr;
			}
			defer_release(arch_pte_addr(r.entry, r.level), lsize);
			next = ls + lsize;
			continue;
		}
		if (!r.found && r.level >= PGTABLE_LEVEL_PMD)
			continue;
		if (nr_pending + PTRS_PER_PTE > PENDING_MAX) {
			int err = unmap_then_release(ustart, addr, altmap);

			ret = ret ?: err;
			ustart = addr;
		}
		for (unsigned long a = addr; a < next; a += PAGE_SIZE) {
			if (pgtable_walk(vm_pt, a, &r) == 0)
				defer_release(arch_pte_addr(r.entry, r.level), PAGE_SIZE);
		}
	}
	return unmap_then_release(ustart, uend, altmap) ?: ret;
}

int vmemmap_free(unsigned long start, unsigned long end, struct vmem_altmap *altmap)
{
	unsigned long altmap0 = released_altmap;
	long tables0;
	int ret;

	if (!vm_pt || start >= end || start % PAGE_SIZE || end % PAGE_SIZE) {
		pr_warn("vmemmap: vmemmap_free(0x%lx, 0x%lx) ignored\n", start, end);
		return -EINVAL;
	}
	stats.free_calls++;
	tables0 = (long)vm_pt->nr_table_pages;
	ret = free_range(start, end, altmap);
	if (released_altmap != altmap0)
		altmap_recompute(altmap);
	stats.table_pages += (long)vm_pt->nr_table_pages - tables0;
	return ret;
}

/* ---- a section leaf shared by owners ------------------------------------------------------ */

#define SUBSECTION_MEMMAP ((unsigned long)(PMD_SIZE / SUBSECTIONS_PER_SECTION)) /* 32 KiB */
#define SUBSECTION_MEMMAP_PAGES (SUBSECTION_MEMMAP / PAGE_SIZE)

/* New RAM pages for the kept part of a RAM leaf; the hotplug lock serialises their use. */
static phys_addr_t split_fresh[PTRS_PER_PTE], split_old[SUBSECTION_MEMMAP_PAGES];

/* Release the memmap of the subsections not in @keep (the leaf is split already). */
static int release_unkept(unsigned long start, unsigned long keep, struct vmem_altmap *altmap)
{
	unsigned long altmap0 = released_altmap;
	int ret = 0;

	for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION && !ret; i++) {
		unsigned long s = start + i * SUBSECTION_MEMMAP;

		if (!((keep >> i) & 1))
			ret = free_range(s, s + SUBSECTION_MEMMAP, altmap);
	}
	if (released_altmap != altmap0)
		altmap_recompute(altmap);
	return ret;
}

static int split_ram_leaf(unsigned long start, unsigned long keep, phys_addr_t block)
{
	unsigned long n = 0;
	int ret;

	/* All new pages first: a failure leaves the leaf as it was. */
	for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION; i++) {
		if (!((keep >> i) & 1))
			continue;
		for (unsigned long k = 0; k < SUBSECTION_MEMMAP_PAGES; k++, n++) {
			split_fresh[n] = block_alloc(PAGE_SIZE, PAGE_SIZE, block_ctx);
			if (!split_fresh[n])
				goto no_memory;
			memcpy(__va(split_fresh[n]),
			       (const void *)(start + i * SUBSECTION_MEMMAP + k * PAGE_SIZE), PAGE_SIZE);
		}
	}
	ret = pgtable_split(vm_pt, start, PGTABLE_LEVEL_PMD);
	if (ret)
		goto unwind;
	account_leaf(PMD_SIZE, NULL, false);
	n = 0;
	for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION; i++) {
		if (!((keep >> i) & 1))
			continue;
		/* Every slot is a present 4 KiB leaf now: this cannot fail. */
		ret = pgtable_remap_ptes(vm_pt, start + i * SUBSECTION_MEMMAP, SUBSECTION_MEMMAP_PAGES,
					 &split_fresh[n], 0, PAGE_KERNEL, split_old);
		if (ret) {
			pr_err("vmemmap: remapping 0x%lx failed: %d\n", start + i * SUBSECTION_MEMMAP,
			       ret);
			return ret;
		}
		for (unsigned long k = 0; k < SUBSECTION_MEMMAP_PAGES; k++)
			account_leaf(PAGE_SIZE, NULL, true);
		n += SUBSECTION_MEMMAP_PAGES;
	}
	for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION; i++) {
		if ((keep >> i) & 1)
			continue;
		ret = pgtable_unmap(vm_pt, start + i * SUBSECTION_MEMMAP, SUBSECTION_MEMMAP);
		if (ret) {
			pr_err("vmemmap: unmapping 0x%lx failed: %d\n", start + i * SUBSECTION_MEMMAP,
			       ret);
			return ret;
		}
	}
	block_free(block, PMD_SIZE, block_ctx);
	return 0;

no_memory:
	ret = -ENOMEM;
unwind:
	while (n--)
		block_free(split_fresh[n], PAGE_SIZE, block_ctx);
	return ret;
}

int vmemmap_split_section_leaf(unsigned long start, unsigned long keep,
			       struct vmem_altmap *altmap)
{
	struct pgtable_walk_result r;
	long tables0;
	int ret;

	if (!vm_pt || start % PMD_SIZE || pgtable_walk(vm_pt, start, &r) ||
	    r.level != PGTABLE_LEVEL_PMD)
		return -ENOENT;
	tables0 = (long)vm_pt->nr_table_pages;
	if (!altmap) {
		ret = split_ram_leaf(start, keep, r.pa);
	} else {
		ret = pgtable_split(vm_pt, start, PGTABLE_LEVEL_PMD);
		if (!ret) {
			account_leaf(PMD_SIZE, altmap, false);
			for (unsigned long k = 0; k < PTRS_PER_PTE; k++)
				account_leaf(PAGE_SIZE, altmap, true);
			ret = release_unkept(start, keep, altmap);
		}
	}
	stats.table_pages += (long)vm_pt->nr_table_pages - tables0;
	return ret;
}
