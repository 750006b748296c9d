// SPDX-License-Identifier: BSD-2-Clause
// memremap_pages(): struct pages for device memory in ZONE_DEVICE, the pfn-keyed pagemap lookup
// and the pagemap's reference count, after Linux mm/memremap.c as the seed
// 001_273b8a4c6011fe55 and include/linux/memremap.h describe them.

#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/printk.h>
#include <platform/types.h>

#include <mm/ioresource.h>
#include <mm/memremap.h>
#include <mm/memtype.h>
#include <mm/mm_lock.h>
#include <mm/mmzone.h>
#include <mm/page.h>
#include <mm/page_alloc.h>

#include <string.h>

/*
 * The lookup keeps every registered range sorted by start pfn, so get_dev_pagemap() is a binary
 * search. Linux uses an xarray with one entry per pfn; a short sorted array does the same job
 * for the few device ranges a board has, in a fixed amount of memory.
 */
#define PGMAP_LOOKUP_MAX 64

struct pgmap_slot {
	unsigned long start_pfn, end_pfn;
	struct dev_pagemap *pgmap;
};

static struct {
	struct mm_lock lock;
	struct memremap_pages_ops ops;
	bool have_ops;
	int nr;
	struct pgmap_slot slot[PGMAP_LOOKUP_MAX];
	unsigned long live_pagemaps;
	unsigned long device_pages;
} pm;

void memremap_pages_init(const struct memremap_pages_ops *ops)
{
	mm_lock_init(&pm.lock);
	pm.have_ops = ops != NULL;
	if (ops)
		pm.ops = *ops;
}

unsigned long pgmap_pfn_end(const struct dev_pagemap *pgmap, int i)
{
	return PHYS_PFN(pgmap->ranges[i].end) + 1;
}

unsigned long pgmap_pfn_first(const struct dev_pagemap *pgmap, int i)
{
	unsigned long pfn = PHYS_PFN(pgmap->ranges[i].start);

	if (i == 0 && (pgmap->flags & PGMAP_ALTMAP_VALID))
		pfn += vmem_altmap_offset(&pgmap->altmap);
	return pfn;
}

/* Index of the first slot whose end is above @pfn (the one that may hold it). */
static int slot_search(unsigned long pfn)
{
	int lo = 0, hi = pm.nr;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (pm.slot[mid].end_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool slot_overlaps(unsigned long start, unsigned long end, struct dev_pagemap **owner)
{
	int i = slot_search(start);

	if (i < pm.nr && pm.slot[i].start_pfn < end) {
		*owner = pm.slot[i].pgmap;
		return true;
	}
	return false;
}

static void slot_remove(struct dev_pagemap *pgmap, unsigned long start_pfn)
{
	int i = slot_search(start_pfn);

	if (i >= pm.nr || pm.slot[i].start_pfn != start_pfn || pm.slot[i].pgmap != pgmap)
		return;
	memmove(&pm.slot[i], &pm.slot[i + 1], (size_t)(pm.nr - i - 1) * sizeof(pm.slot[0]));
	pm.nr--;
}

static bool slot_holds(const struct dev_pagemap *pgmap)
{
	for (int i = 0; i < pm.nr; i++)
		if (pm.slot[i].pgmap == pgmap)
			return true;
	return false;
}

/*
 * Claim all of @pgmap's ranges in the lookup at once, under the lock, so two concurrent
 * memremap_pages() calls cannot both pass the conflict check for the same pfns. Only when
 * every check passed is the pagemap's state reset (not findable until its pages are ready).
 */
static int slots_check_locked(const struct dev_pagemap *pgmap)
{
	struct dev_pagemap *owner = NULL;

	if (slot_holds(pgmap)) {
		pr_err("memremap_pages: [mem 0x%016llx-0x%016llx]: this pagemap is registered "
		       "already\n", (unsigned long long)pgmap->ranges[0].start,
		       (unsigned long long)pgmap->ranges[pgmap->nr_range - 1].end);
		return -EBUSY;
	}
	if (pm.nr + pgmap->nr_range > PGMAP_LOOKUP_MAX) {
		pr_err("memremap_pages: more than %d device ranges registered\n", PGMAP_LOOKUP_MAX);
		return -ENOSPC;
	}
	for (int i = 0; i < pgmap->nr_range; i++) {
		const struct range *r = &pgmap->ranges[i];

		if (slot_overlaps(PHYS_PFN(r->start), PHYS_PFN(r->end) + 1, &owner)) {
			pr_err("memremap_pages: [mem 0x%016llx-0x%016llx] conflicts with a "
			       "registered device range [mem 0x%016llx-0x%016llx]\n",
			       (unsigned long long)r->start, (unsigned long long)r->end,
			       (unsigned long long)owner->ranges[0].start,
			       (unsigned long long)owner->ranges[owner->nr_range - 1].end);
			return -EBUSY;
		}
	}
	return 0;
}

static int slots_claim(struct dev_pagemap *pgmap)
{
	unsigned long flags = mm_lock(&pm.lock);
	int ret = slots_check_locked(pgmap), i;

	if (ret)
		goto out;
	atomic_store(&pgmap->dying, true);
	atomic_store(&pgmap->ref, 1);
	if (pgmap->flags & PGMAP_ALTMAP_VALID)
		pgmap->altmap.alloc = pgmap->altmap.align = 0;
	for (i = 0; i < pgmap->nr_range; i++) {
		unsigned long start = PHYS_PFN(pgmap->ranges[i].start);
		int at = slot_search(start);

		memmove(&pm.slot[at + 1], &pm.slot[at], (size_t)(pm.nr - at) * sizeof(pm.slot[0]));
		pm.slot[at] = (struct pgmap_slot){ start, pgmap_pfn_end(pgmap, i), pgmap };
		pm.nr++;
	}
out:
	mm_unlock(&pm.lock, flags);
	return ret;
}

static void slots_release(struct dev_pagemap *pgmap, int nr_range)
{
	unsigned long flags = mm_lock(&pm.lock);

	for (int i = 0; i < nr_range; i++)
		slot_remove(pgmap, PHYS_PFN(pgmap->ranges[i].start));
	mm_unlock(&pm.lock, flags);
}

struct dev_pagemap *get_dev_pagemap(unsigned long pfn, struct dev_pagemap *pgmap)
{
	unsigned long flags;
	int i;

	flags = mm_lock(&pm.lock);
	/*
	 * Every reference is taken under the lock memunmap_pages() sets @dying and reads the count
	 * under: a hint checked outside it could pass the @dying test just before memunmap_pages()
	 * and add its reference just after, to a pagemap then torn down.
	 */
	if (pgmap) {
		for (i = 0; i < pgmap->nr_range; i++)
			if (pfn >= PHYS_PFN(pgmap->ranges[i].start) && pfn < pgmap_pfn_end(pgmap, i))
				break;
		if (i < pgmap->nr_range && !atomic_load(&pgmap->dying)) {
			atomic_fetch_add(&pgmap->ref, 1);
			mm_unlock(&pm.lock, flags);
			return pgmap;
		}
	}
	i = slot_search(pfn);
	pgmap = NULL;
	if (i < pm.nr && pm.slot[i].start_pfn <= pfn && !atomic_load(&pm.slot[i].pgmap->dying)) {
		pgmap = pm.slot[i].pgmap;
		atomic_fetch_add(&pgmap->ref, 1);
	}
	mm_unlock(&pm.lock, flags);
	return pgmap;
}

void put_dev_pagemap(struct dev_pagemap *pgmap)
{
	if (pgmap)
		atomic_fetch_sub(&pgmap->ref, 1);
}

struct dev_pagemap *page_pgmap(const struct page *page)
{
	const struct page *head = compound_head(page);

	return page_zonenum(head) == ZONE_DEVICE ? head->pgmap : NULL;
}

void zone_device_page_init(struct page *page)
{
	set_page_count(compound_head(page), 1);
}

void put_page(struct page *page)
{
	struct page *head = compound_head(page);
	struct dev_pagemap *pgmap;

	if (page_zonenum(head) != ZONE_DEVICE) {
		if (page_ref_dec_and_test(head))
			__free_pages(head, compound_order(head));
		return;
	}
	if (!page_ref_dec_and_test(head))
		return;
	/* the last reference: the page goes back to its owner, who may hand it out again */
	pgmap = head->pgmap;
	head->zone_device_data = NULL;
	if (pgmap->ops && pgmap->ops->page_free)
		pgmap->ops->page_free(head);
}

bool pgmap_pfn_valid(const struct dev_pagemap *pgmap, unsigned long pfn)
{
	for (int i = 0; i < pgmap->nr_range; i++)
		if (pfn >= PHYS_PFN(pgmap->ranges[i].start) && pfn < pgmap_pfn_end(pgmap, i))
			return pfn >= pgmap_pfn_first(pgmap, i);
	return false;
}

/* Pages of these types are in use at refcount 1 from the start; the others idle at 0. */
static bool pgmap_pages_start_referenced(const struct dev_pagemap *pgmap)
{
	return pgmap->type == MEMORY_DEVICE_GENERIC || pgmap->type == MEMORY_DEVICE_PCI_P2PDMA;
}

/*
 * One pass, one write per struct page, every decision taken once per call: a base page and a
 * compound head are the same device-page template (the head adds PG_head and the order), and
 * tails are the canonical tail of the order (page.h), zone bits only. A trailing part too short
 * for a whole compound page is base pages.
 */
unsigned long memmap_init_zone_device(unsigned long start_pfn, unsigned long nr_pages,
				      struct dev_pagemap *pgmap)
{
	unsigned int order = (unsigned int)pgmap->vmemmap_shift;
	unsigned long step = 1UL << order, zone_bits = (unsigned long)ZONE_DEVICE << PAGE_ZONE_SHIFT;
	unsigned long flags = zone_bits | (1UL << PG_reserved);
	unsigned long counts = page_counts(-1, pgmap_pages_start_referenced(pgmap) ? 1 : 0);
	unsigned long whole = order ? nr_pages & ~(step - 1) : 0;
	struct page *p = pfn_to_page(start_pfn), *end = p + whole;

	if (order) {
		unsigned long head_flags = flags | (1UL << PG_head) |
					   ((unsigned long)order << PAGE_ORDER_SHIFT);
		unsigned long info = compound_info_for_order(order);
		unsigned long tail_counts = page_counts(-1, 0);

		/* shared tails are initialized already: the head's vmemmap page is left */
		unsigned long tails = pgmap->flags & PGMAP_TAILS_SHARED ?
				      PAGE_SIZE / sizeof(struct page) - 1 : step - 1;

		for (; p != end; p += step) {
			page_init_raw(p, head_flags, (unsigned long)pgmap, counts);
			init_pages_raw(p + 1, tails, zone_bits, info, tail_counts);
		}
	}
	init_pages_raw(p, nr_pages - whole, flags, (unsigned long)pgmap, counts);
	return nr_pages;
}

static const char *const type_names[] = {
	[MEMORY_DEVICE_PRIVATE] = "private",	 [MEMORY_DEVICE_COHERENT] = "coherent",
	[MEMORY_DEVICE_FS_DAX] = "fs-dax",	 [MEMORY_DEVICE_GENERIC] = "generic",
	[MEMORY_DEVICE_PCI_P2PDMA] = "pci-p2pdma",
};

static const char *type_name(enum memory_type t)
{
	return t >= MEMORY_DEVICE_PRIVATE && t <= MEMORY_DEVICE_PCI_P2PDMA ? type_names[t] : "?";
}

static int check_range(const struct dev_pagemap *pgmap, int i)
{
	const struct range *r = &pgmap->ranges[i];
	uint64_t unit = (uint64_t)PAGE_SIZE << pgmap->vmemmap_shift;

	if (r->end < r->start || r->end == UINT64_MAX) {
		pr_err("memremap_pages: range %d [0x%llx-0x%llx] is empty or wraps\n", i,
		       (unsigned long long)r->start, (unsigned long long)r->end);
		return -EINVAL;
	}
	if ((r->start | (r->end + 1)) & (PAGES_PER_SUBSECTION * PAGE_SIZE - 1)) {
		pr_err("memremap_pages: [mem 0x%016llx-0x%016llx] is not 2 MiB aligned in start "
		       "and size (memremap_compat_align)\n",
		       (unsigned long long)r->start, (unsigned long long)r->end);
		return -EINVAL;
	}
	if ((r->start | (r->end + 1)) & (unit - 1)) {
		pr_err("memremap_pages: [mem 0x%016llx-0x%016llx] is not a multiple of the "
		       "vmemmap_shift %lu compound size (%llu KiB)\n",
		       (unsigned long long)r->start, (unsigned long long)r->end,
		       pgmap->vmemmap_shift, (unsigned long long)(unit >> 10));
		return -EINVAL;
	}
	for (int j = 0; j < i; j++) {
		const struct range *o = &pgmap->ranges[j];

		if (r->start <= o->end && o->start <= r->end) {
			pr_err("memremap_pages: ranges %d and %d of one pagemap overlap\n", j, i);
			return -EINVAL;
		}
	}
	if (region_intersects(r->start, range_len(r), IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("memremap_pages: [mem 0x%016llx-0x%016llx] overlaps System RAM: device "
		       "pages must not alias the page allocator's memory\n",
		       (unsigned long long)r->start, (unsigned long long)r->end);
		return -ENXIO;
	}
	return 0;
}

/* Pages that hold the struct pages of @nr pfns. */
static unsigned long memmap_pages(unsigned long nr)
{
	return (unsigned long)ALIGN_UP((uint64_t)nr * sizeof(struct page), PAGE_SIZE) / PAGE_SIZE;
}

static bool tails_shared(const struct dev_pagemap *pgmap)
{
	return pgmap->vmemmap_shift >= VMEMMAP_TAIL_MIN_ORDER;
}

/* Altmap pages the memmap of @pgmap's range 0 needs (its reserve not included). */
static unsigned long altmap_need(const struct dev_pagemap *pgmap)
{
	const struct vmem_altmap *a = &pgmap->altmap;
	unsigned long first = pgmap_pfn_first(pgmap, 0), end = pgmap_pfn_end(pgmap, 0);

	if (!tails_shared(pgmap))
		return memmap_pages(end - a->base_pfn);
	/* a head page each and the shared tail page */
	return ((end - first) >> pgmap->vmemmap_shift) + 1;
}

static int check_pagemap(const struct dev_pagemap *pgmap)
{
	const struct dev_pagemap_ops *ops = pgmap->ops;
	int ret;

	switch (pgmap->type) {
	case MEMORY_DEVICE_PRIVATE:
		if (!ops || !ops->page_free || !ops->migrate_to_ram) {
			pr_err("memremap_pages: a device-private pagemap needs page_free and "
			       "migrate_to_ram\n");
			return -EINVAL;
		}
		/* migration tells its own device's pages from others' by the owner */
		if (!pgmap->owner) {
			pr_err("memremap_pages: a device-private pagemap needs an owner\n");
			return -EINVAL;
		}
		break;
	case MEMORY_DEVICE_COHERENT:
		if (!ops || !ops->page_free) {
			pr_err("memremap_pages: a device-coherent pagemap needs page_free\n");
			return -EINVAL;
		}
		if (!pgmap->owner) {
			pr_err("memremap_pages: a device-coherent pagemap needs an owner\n");
			return -EINVAL;
		}
		break;
	case MEMORY_DEVICE_FS_DAX:
	case MEMORY_DEVICE_GENERIC:
	case MEMORY_DEVICE_PCI_P2PDMA:
		break;
	default:
		pr_err("memremap_pages: unknown memory type %d\n", (int)pgmap->type);
		return -EINVAL;
	}
	if (pgmap->nr_range < 1 || pgmap->nr_range > PGMAP_MAX_RANGES) {
		pr_err("memremap_pages: %d ranges (1 to %d allowed)\n", pgmap->nr_range,
		       PGMAP_MAX_RANGES);
		return -EINVAL;
	}
	if ((pgmap->flags & PGMAP_ALTMAP_VALID) && pgmap->nr_range > 1) {
		pr_err("memremap_pages: an altmap serves one range, this pagemap has %d\n",
		       pgmap->nr_range);
		return -EINVAL;
	}
	if (pgmap->vmemmap_shift > MAX_FOLIO_ORDER) {
		pr_err("memremap_pages: vmemmap_shift %lu above the largest folio order %d\n",
		       pgmap->vmemmap_shift, MAX_FOLIO_ORDER);
		return -EINVAL;
	}
	for (int i = 0; i < pgmap->nr_range; i++) {
		ret = check_range(pgmap, i);
		if (ret)
			return ret;
	}
	if (pgmap->flags & PGMAP_ALTMAP_VALID) {
		const struct vmem_altmap *a = &pgmap->altmap;
		unsigned long first = PHYS_PFN(pgmap->ranges[0].start);

		if (a->base_pfn != first || a->end_pfn > pgmap_pfn_end(pgmap, 0) ||
		    vmem_altmap_offset(a) >= pgmap_pfn_end(pgmap, 0) - first) {
			pr_err("memremap_pages: altmap (base pfn 0x%lx, reserve %lu, free %lu) does "
			       "not fit range [mem 0x%016llx-0x%016llx]\n",
			       a->base_pfn, a->reserve, a->free,
			       (unsigned long long)pgmap->ranges[0].start,
			       (unsigned long long)pgmap->ranges[0].end);
			return -EINVAL;
		}
		/*
		 * The memmap of the whole range (storage pages included: sparse gives them struct
		 * pages too) must fit the altmap's free pages, or the add runs dry halfway.
		 */
		if (altmap_need(pgmap) > a->free) {
			pr_err("memremap_pages: altmap of [mem 0x%016llx-0x%016llx] has %lu free "
			       "pages, its struct pages need %lu\n",
			       (unsigned long long)pgmap->ranges[0].start,
			       (unsigned long long)pgmap->ranges[0].end, a->free, altmap_need(pgmap));
			return -ENOSPC;
		}
		/* Compound pages must start on their own alignment after the altmap's storage. */
		if (pgmap_pfn_first(pgmap, 0) & ((1UL << pgmap->vmemmap_shift) - 1)) {
			pr_err("memremap_pages: the first data pfn 0x%lx after the altmap is not "
			       "aligned to vmemmap_shift %lu\n",
			       pgmap_pfn_first(pgmap, 0), pgmap->vmemmap_shift);
			return -EINVAL;
		}
	}
	return 0;
}

static bool wants_linear_map(const struct dev_pagemap *pgmap)
{
	return pgmap->type != MEMORY_DEVICE_PRIVATE;
}

/* A PCI BAR for peer-to-peer DMA is not coherent with CPU caches: mapped uncached (Linux). */
static enum memremap_type linear_type(const struct dev_pagemap *pgmap)
{
	return pgmap->type == MEMORY_DEVICE_PCI_P2PDMA ? MEMREMAP_TYPE_NC : MEMREMAP_TYPE_WB;
}

static void stats_add(long pagemaps, long pages)
{
	unsigned long flags = mm_lock(&pm.lock);

	pm.live_pagemaps += (unsigned long)pagemaps;
	pm.device_pages += (unsigned long)pages;
	mm_unlock(&pm.lock, flags);
}

static struct vmem_altmap *range_altmap(struct dev_pagemap *pgmap, int i)
{
	return i == 0 && (pgmap->flags & PGMAP_ALTMAP_VALID) ? &pgmap->altmap : NULL;
}

/* The reverse of range_add() for range @i; the first error is returned, the rest still done. */
static int range_remove(struct dev_pagemap *pgmap, int i)
{
	const struct range *r = &pgmap->ranges[i];
	unsigned long pfn = PHYS_PFN(r->start), nr = pgmap_pfn_end(pgmap, i) - pfn;
	unsigned long first = pgmap_pfn_first(pgmap, i);
	int ret, err;

	if (tails_shared(pgmap)) {
		ret = sparse_remove_section(first, pfn + nr - first, range_altmap(pgmap, i));
	} else {
		ret = sparse_remove_section(pfn, nr, range_altmap(pgmap, i));
	}
	if (ret)
		pr_err("memremap_pages: removing the struct pages of [mem 0x%016llx-0x%016llx] "
		       "failed: %d\n", (unsigned long long)r->start, (unsigned long long)r->end, ret);
	if (wants_linear_map(pgmap) && pm.have_ops) {
		err = pm.ops.remove_linear(r->start, range_len(r), pm.ops.ctx);
		if (err)
			pr_err("memremap_pages: unmapping [mem 0x%016llx-0x%016llx] from the linear "
			       "map failed: %d\n", (unsigned long long)r->start,
			       (unsigned long long)r->end, err);
		else
			memtype_free(r->start, r->end + 1); /* a mapping left keeps its type */
		ret = ret ? ret : err;
	}
	stats_add(0, -(long)(pgmap_pfn_end(pgmap, i) - pgmap_pfn_first(pgmap, i)));
	return ret;
}

/*
 * Struct pages for range @i. With shared tails, only the compound part [first, end): the
 * altmap's own pfns before it (info block, head pages, the shared tail page, padding up to
 * the compound alignment: up to 1 GiB less 8 KiB) hold no page anyone maps, no pagemap
 * covers them, and they get no struct pages (pfn_valid() is false there), so the memmap
 * costs O(compound pages) however large the padding. Otherwise the whole range, as Linux.
 */
static int add_struct_pages(struct dev_pagemap *pgmap, int i)
{
	const struct range *r = &pgmap->ranges[i];
	unsigned long pfn = PHYS_PFN(r->start), end = pgmap_pfn_end(pgmap, i);
	unsigned long first = pgmap_pfn_first(pgmap, i);
	struct vmem_altmap *altmap = range_altmap(pgmap, i);

	if (tails_shared(pgmap))
		return sparse_add_section_compound(first, end - first, altmap,
						   (unsigned int)pgmap->vmemmap_shift);
	if (i == 0)
		pgmap->memmap_prefix = first - pfn;
	return sparse_add_section(pfn, end - pfn, altmap, ZONE_DEVICE);
}

static int range_add(struct dev_pagemap *pgmap, int i)
{
	const struct range *r = &pgmap->ranges[i];
	unsigned long pfn = PHYS_PFN(r->start), first = pgmap_pfn_first(pgmap, i);
	int ret;

	if (wants_linear_map(pgmap)) {
		if (!pm.have_ops) {
			pr_err("memremap_pages: no linear-map hooks (memremap_pages_init)\n");
			return -ENODEV;
		}
		/* one memory type for the range: no other mapping of it may differ */
		ret = memtype_reserve(r->start, r->end + 1, linear_type(pgmap), "memremap_pages");
		if (ret)
			return ret;
		ret = pm.ops.add_linear(r->start, range_len(r), linear_type(pgmap), pm.ops.ctx);
		if (ret) {
			memtype_free(r->start, r->end + 1);
			pr_err("memremap_pages: linear map of [mem 0x%016llx-0x%016llx] failed: %d\n",
			       (unsigned long long)r->start, (unsigned long long)r->end, ret);
			return ret;
		}
	}
	ret = add_struct_pages(pgmap, i);
	if (ret) {
		pr_err("memremap_pages: struct pages for [mem 0x%016llx-0x%016llx] failed: %d\n",
		       (unsigned long long)r->start, (unsigned long long)r->end, ret);
		if (wants_linear_map(pgmap) &&
		    !pm.ops.remove_linear(r->start, range_len(r), pm.ops.ctx))
			memtype_free(r->start, r->end + 1);
		return ret;
	}
	/* The altmap's own pages (info block, memmap storage) stay reserved, outside the pagemap. */
	for (unsigned long p = pfn; p < pfn + (i ? 0 : pgmap->memmap_prefix); p++)
		SetPageFlag(pfn_to_page(p), PG_reserved);
	stats_add(0, (long)memmap_init_zone_device(first, pgmap_pfn_end(pgmap, i) - first, pgmap));
	return 0;
}

int memremap_pages_check(const struct dev_pagemap *pgmap)
{
	unsigned long flags;
	int ret;

	if (!pgmap)
		return -EINVAL;
	ret = check_pagemap(pgmap);
	if (ret)
		return ret;
	if (wants_linear_map(pgmap) && !pm.have_ops) {
		pr_err("memremap_pages: no linear-map hooks (memremap_pages_init)\n");
		return -ENODEV;
	}
	flags = mm_lock(&pm.lock);
	ret = slots_check_locked(pgmap);
	mm_unlock(&pm.lock, flags);
	if (ret)
		return ret;
	for (int i = 0; i < pgmap->nr_range; i++) {
		const struct range *r = &pgmap->ranges[i];
		unsigned long pfn = PHYS_PFN(r->start);
		enum memremap_type held;

		if (wants_linear_map(pgmap) &&
		    memtype_check(r->start, r->end + 1, linear_type(pgmap), &held) == -EBUSY) {
			pr_err("memremap_pages: [mem 0x%016llx-0x%016llx] is mapped %s already: "
			       "its %s linear map would alias it\n",
			       (unsigned long long)r->start, (unsigned long long)r->end,
			       memtype_name(held), memtype_name(linear_type(pgmap)));
			return -EBUSY;
		}
		ret = sparse_check_add(pfn, pgmap_pfn_end(pgmap, i) - pfn,
				       i == 0 && (pgmap->flags & PGMAP_ALTMAP_VALID) ?
					       &pgmap->altmap : NULL);
		if (ret) {
			pr_err("memremap_pages: [mem 0x%016llx-0x%016llx] cannot get struct pages: "
			       "%s (%d)\n", (unsigned long long)r->start, (unsigned long long)r->end,
			       ret == -EEXIST ? "part of it has them already" :
			       ret == -ERANGE ? "outside the sparse window" :
			       ret == -ENODEV ? "sparse is not initialised" :
			       "the range does not suit its altmap", ret);
			return ret;
		}
	}
	return 0;
}

void *memremap_pages(struct dev_pagemap *pgmap)
{
	long saved_ref;
	bool saved_dying;
	unsigned long saved_alloc, saved_align, saved_prefix;
	int ret, i;

	ret = memremap_pages_check(pgmap);
	if (ret)
		return ERR_PTR(ret);
	/* What slots_claim() resets, given back on failure: a refusal changes nothing. */
	saved_ref = atomic_load(&pgmap->ref);
	saved_dying = atomic_load(&pgmap->dying);
	saved_alloc = pgmap->altmap.alloc;
	saved_align = pgmap->altmap.align;
	saved_prefix = pgmap->memmap_prefix;
	ret = slots_claim(pgmap);
	if (ret)
		return ERR_PTR(ret);
	pgmap->memmap_prefix = 0;
	if (tails_shared(pgmap))
		pgmap->flags |= PGMAP_TAILS_SHARED;
	for (i = 0; i < pgmap->nr_range; i++) {
		ret = range_add(pgmap, i);
		if (ret)
			break;
	}
	if (ret) {
		while (i-- > 0)
			range_remove(pgmap, i);
		slots_release(pgmap, pgmap->nr_range);
		pgmap->altmap.alloc = saved_alloc;
		pgmap->altmap.align = saved_align;
		pgmap->flags &= ~PGMAP_TAILS_SHARED;
		pgmap->memmap_prefix = saved_prefix;
		atomic_store(&pgmap->ref, saved_ref);
		atomic_store(&pgmap->dying, saved_dying);
		return ERR_PTR(ret);
	}
	stats_add(1, 0);
	atomic_store(&pgmap->dying, false);
	pr_debug("memremap_pages: %s pagemap, %d range(s) from [mem 0x%016llx], %s\n",
		 type_name(pgmap->type), pgmap->nr_range,
		 (unsigned long long)pgmap->ranges[0].start,
		 pgmap->flags & PGMAP_ALTMAP_VALID ? "memmap in the device" : "memmap in RAM");
	return __va(pgmap->ranges[0].start);
}

/* Device pages still mapped somewhere or referenced beyond their idle count. */
static unsigned long pages_in_use(const struct dev_pagemap *pgmap)
{
	int idle = pgmap_pages_start_referenced(pgmap) ? 1 : 0;
	unsigned long step = 1UL << pgmap->vmemmap_shift, busy = 0;

	for (int i = 0; i < pgmap->nr_range; i++) {
		for (unsigned long pfn = pgmap_pfn_first(pgmap, i); pfn < pgmap_pfn_end(pgmap, i);
		     pfn += step) {
			const struct page *p = pfn_to_page(pfn);

			busy += page_mapcount(p) != 0 || page_ref_count(p) != idle;
		}
	}
	return busy;
}

/* References other than the registration and the pages' own: get_dev_pagemap() holders. */
static long pgmap_users(struct dev_pagemap *pgmap)
{
	return atomic_load(&pgmap->ref) - 1;
}

int memunmap_pages(struct dev_pagemap *pgmap)
{
	unsigned long flags, busy;
	bool registered;
	long users;
	int ret = 0;

	if (!pgmap)
		return -EINVAL;
	flags = mm_lock(&pm.lock);
	if (pgmap->nr_range > 0 && pgmap->nr_range <= PGMAP_MAX_RANGES) {
		int i = slot_search(PHYS_PFN(pgmap->ranges[0].start));

		registered = i < pm.nr && pm.slot[i].pgmap == pgmap && !atomic_load(&pgmap->dying);
	} else {
		registered = false;
	}
	users = 0;
	if (registered) {
		/* Under the lock get_dev_pagemap() takes, so no reference can slip in after. */
		atomic_store(&pgmap->dying, true);
		users = pgmap_users(pgmap);
		if (users)
			atomic_store(&pgmap->dying, false);
	}
	mm_unlock(&pm.lock, flags);
	if (!registered) {
		pr_err("memunmap_pages: pagemap is not registered\n");
		return -EINVAL;
	}
	if (users) {
		pr_err("memunmap_pages: [mem 0x%016llx-0x%016llx] still has %ld "
		       "get_dev_pagemap() reference(s)\n",
		       (unsigned long long)pgmap->ranges[0].start,
		       (unsigned long long)pgmap->ranges[pgmap->nr_range - 1].end, users);
		return -EBUSY;
	}
	/*
	 * Sparse must still hold every range as it was added: else refuse before reading the
	 * pages (some may have no struct page now) or taking anything down.
	 */
	for (int i = 0; i < pgmap->nr_range; i++) {
		const struct range *r = &pgmap->ranges[i];
		unsigned long pfn = PHYS_PFN(r->start), first = pgmap_pfn_first(pgmap, i);

		if (tails_shared(pgmap)) {
			ret = sparse_check_remove(first, pgmap_pfn_end(pgmap, i) - first,
						  range_altmap(pgmap, i));
		} else {
			ret = sparse_check_remove(pfn, pgmap_pfn_end(pgmap, i) - pfn,
						  range_altmap(pgmap, i));
		}
		if (ret) {
			atomic_store(&pgmap->dying, false);
			pr_err("memunmap_pages: [mem 0x%016llx-0x%016llx] cannot lose its struct "
			       "pages: %d\n", (unsigned long long)r->start,
			       (unsigned long long)r->end, ret);
			return ret;
		}
	}
	/* No new user can come (dying); pages mapped or held must not lose their struct pages. */
	busy = pages_in_use(pgmap);
	if (busy) {
		atomic_store(&pgmap->dying, false);
		pr_err("memunmap_pages: [mem 0x%016llx-0x%016llx] still has %lu page(s) mapped or "
		       "referenced\n", (unsigned long long)pgmap->ranges[0].start,
		       (unsigned long long)pgmap->ranges[pgmap->nr_range - 1].end, busy);
		return -EBUSY;
	}
	for (int i = pgmap->nr_range - 1; i >= 0; i--) {
		int err = range_remove(pgmap, i);

		ret = ret ? ret : err;
	}
	slots_release(pgmap, pgmap->nr_range);
	pgmap->flags &= ~PGMAP_TAILS_SHARED;
	atomic_store(&pgmap->ref, 0);
	stats_add(-1, 0);
	return ret;
}

void memremap_pages_get_stats(struct memremap_pages_stats *st)
{
	unsigned long flags = mm_lock(&pm.lock);

	st->live_pagemaps = pm.live_pagemaps;
	st->live_ranges = (unsigned long)pm.nr;
	st->device_pages = pm.device_pages;
	mm_unlock(&pm.lock, flags);
}
