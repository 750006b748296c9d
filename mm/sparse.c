// SPDX-License-Identifier: BSD-2-Clause
// The sparse memory model: 128 MiB sections with 2 MiB subsections, their presence and online
// state, boot population of RAM and hot-add/hot-remove of pfn ranges (Linux mm/sparse.c,
// SPARSEMEM_VMEMMAP with subsection hotplug; seed 002 for the vmemmap part).
#include <string.h>

#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/layout.h>
#include <mm/memblock.h>
#include <mm/memremap.h>
#include <mm/mm_lock.h>
#include <mm/hugetlb.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

/*
 * The section table covers the physical window of the linear map, which is up to 2^55 bytes
 * (Sv57), 2^28 sections: too many for one array. Three levels, like SPARSEMEM_EXTREME with one
 * more: a root sized from the window at sparse_init() (Sv48 and arm64: 8 pointers; Sv57: 32 KiB)
 * points to "mid" pages of 512 pointers, which point to pages of 128 mem_sections. Mid and
 * section pages are allocated when a section in them is first added and freed when the last
 * one goes.
 *
 *   section index (nr - first section of the window)
 *   +---------------------+-----------+---------+
 *   |        root         |    mid    | section |
 *   +---------------------+-----------+---------+
 *                          16        7 6       0
 */
#define SECTIONS_PER_PAGE (PAGE_SIZE / sizeof(struct mem_section))
#define CHUNKS_PER_MID (PAGE_SIZE / sizeof(void *))
#define SECTIONS_PER_MID (SECTIONS_PER_PAGE * CHUNKS_PER_MID)

_Static_assert(sizeof(struct mem_section) == 32, "128 sections per table page");

static struct {
	bool ready;
	unsigned long first_nr;
	unsigned long nr_sections;
	unsigned long nr_mids;
	size_t root_size;
	struct mem_section ***root;
	unsigned long table_pages;
} sp;

struct mem_section *__nr_to_section(unsigned long nr)
{
	unsigned long idx = nr - sp.first_nr;
	struct mem_section **mid;
	struct mem_section *chunk;

	if (!sp.ready || nr < sp.first_nr || idx >= sp.nr_sections)
		return NULL;
	mid = sp.root[idx / SECTIONS_PER_MID];
	if (!mid)
		return NULL;
	chunk = mid[(idx / SECTIONS_PER_PAGE) % CHUNKS_PER_MID];
	return chunk ? &chunk[idx % SECTIONS_PER_PAGE] : NULL;
}

bool present_section_nr(unsigned long nr)
{
	return present_section(__nr_to_section(nr));
}

bool online_section_nr(unsigned long nr)
{
	return online_section(__nr_to_section(nr));
}

bool pfn_valid(unsigned long pfn)
{
	const struct mem_section *ms = __pfn_to_section(pfn);

	return ms && ((ms->subsection_map >> subsection_map_index(pfn)) & 1);
}

static void *alloc_table_page(void)
{
	void *p = vmemmap_alloc_block(PAGE_SIZE);

	if (p) {
		memset(p, 0, PAGE_SIZE);
		sp.table_pages++;
	}
	return p;
}

static void free_table_page(void *p)
{
	vmemmap_free_block(p, PAGE_SIZE);
	sp.table_pages--;
}

/* The mem_section of @nr, allocating its table pages. NULL: no memory. */
static struct mem_section *ensure_section(unsigned long nr)
{
	unsigned long idx = nr - sp.first_nr;
	struct mem_section ***midp = &sp.root[idx / SECTIONS_PER_MID];
	struct mem_section **chunkp;

	if (!*midp && !(*midp = alloc_table_page()))
		return NULL;
	chunkp = &(*midp)[(idx / SECTIONS_PER_PAGE) % CHUNKS_PER_MID];
	if (!*chunkp && !(*chunkp = alloc_table_page()))
		return NULL;
	return &(*chunkp)[idx % SECTIONS_PER_PAGE];
}

static bool section_unused(const struct mem_section *ms)
{
	return !ms->subsection_map && !ms->altmap_map && !ms->altmap && !ms->flags;
}

/* Free the table pages around section @nr that no longer hold a used section. */
static void release_section_storage(unsigned long nr)
{
	unsigned long idx = nr - sp.first_nr;
	struct mem_section ***midp = &sp.root[idx / SECTIONS_PER_MID];
	struct mem_section **chunkp;
	unsigned long i;

	if (!*midp)
		return;
	chunkp = &(*midp)[(idx / SECTIONS_PER_PAGE) % CHUNKS_PER_MID];
	if (*chunkp) {
		for (i = 0; i < SECTIONS_PER_PAGE; i++)
			if (!section_unused(&(*chunkp)[i]))
				return;
		free_table_page(*chunkp);
		*chunkp = NULL;
	}
	for (i = 0; i < CHUNKS_PER_MID; i++)
		if ((*midp)[i])
			return;
	free_table_page(*midp);
	*midp = NULL;
}

/* Bits of section @nr's subsection map that [@pfn, @end_pfn) covers. */
static unsigned long subsection_mask(unsigned long nr, unsigned long pfn, unsigned long end_pfn)
{
	unsigned long s = MAX(pfn, section_nr_to_pfn(nr));
	unsigned long e = MIN(end_pfn, section_nr_to_pfn(nr + 1));
	unsigned int first = subsection_map_index(s);
	unsigned int n = (unsigned int)((e - s) >> PFN_SUBSECTION_SHIFT);

	return n == SUBSECTIONS_PER_SECTION ? ~0UL : ((1UL << n) - 1) << first;
}

static int check_range(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long first = section_nr_to_pfn(sp.first_nr);

	if (!sp.ready)
		return -ENODEV;
	if (!nr_pages || pfn % PAGES_PER_SUBSECTION || nr_pages % PAGES_PER_SUBSECTION ||
	    pfn + nr_pages < pfn)
		return -EINVAL;
	if (pfn < first || pfn + nr_pages - first > section_nr_to_pfn(sp.nr_sections))
		return -ERANGE;
	return 0;
}

#define for_each_section_in(nr, pfn, end_pfn) \
	for (nr = pfn_to_section_nr(pfn); nr <= pfn_to_section_nr((end_pfn) - 1); nr++)

/* Section @nr's memmap is one PMD leaf (a whole-section add, parts maybe removed since). */
static bool section_leaf(unsigned long nr)
{
	struct pgtable_walk_result r;
	uintptr_t va = (uintptr_t)pfn_to_page(section_nr_to_pfn(nr));

	return pgtable_walk(vmemmap_pgtable(), va, &r) == 0 && r.level == PGTABLE_LEVEL_PMD;
}

/* Owner of subsection @i's memmap: its altmap, or NULL for RAM. */
static struct vmem_altmap *sub_owner(const struct mem_section *ms, unsigned int i)
{
	return (ms->altmap_map >> i) & 1 ? ms->altmap[i] : NULL;
}

/* Owner of the present subsections of a leaf section (one, by the rule in mmzone.h). */
static struct vmem_altmap *leaf_owner(const struct mem_section *ms)
{
	unsigned int i = 0;

	while (!((ms->subsection_map >> i) & 1))
		i++;
	return sub_owner(ms, i);
}

/* Drop the owner array of @ms when no subsection uses it. */
static void put_owners(struct mem_section *ms)
{
	if (ms->altmap && !ms->altmap_map) {
		free_table_page(ms->altmap);
		ms->altmap = NULL;
	}
}

_Static_assert(SUBSECTIONS_PER_SECTION * sizeof(struct vmem_altmap *) <= PAGE_SIZE,
	       "one page holds the owners of a section");

/* Populate and initialize [@pfn, @end_pfn), whose subsections are all absent. */
static int add_range(unsigned long pfn, unsigned long end_pfn, struct vmem_altmap *altmap,
		     enum zone_type zone, unsigned long flags, unsigned int order)
{
	unsigned long nr, p;
	int ret = -ENOMEM;

	for_each_section_in(nr, pfn, end_pfn) {
		struct mem_section *ms = ensure_section(nr);

		if (!ms)
			goto err_release_storage;
		if (altmap && !ms->altmap && !(ms->altmap = alloc_table_page()))
			goto err_release_storage;
		/* A leaf of another owner cannot hold this owner's memmap: split it first. */
		if (ms->subsection_map && section_leaf(nr) && leaf_owner(ms) != altmap) {
			ret = vmemmap_split_section_leaf(
				(unsigned long)pfn_to_page(section_nr_to_pfn(nr)), ms->subsection_map,
				leaf_owner(ms));
			if (ret)
				goto err_release_storage;
			ret = -ENOMEM;
		}
	}
	if (order >= VMEMMAP_TAIL_MIN_ORDER)
		ret = vmemmap_populate_compound_pages(pfn, end_pfn - pfn, order, altmap, zone);
	else
		ret = vmemmap_populate((unsigned long)pfn_to_page(pfn),
				       (unsigned long)pfn_to_page(end_pfn), altmap);
	if (ret)
		goto err_release_storage;
	if (zone != ZONE_DEVICE && order >= VMEMMAP_TAIL_MIN_ORDER) {
		/* born optimized: the head's vmemmap page only (its tails are the shared page's) */
		unsigned long zone_bits = (unsigned long)zone << PAGE_ZONE_SHIFT;

		page_init_raw(pfn_to_page(pfn), zone_bits | (1UL << PG_head) |
			      ((unsigned long)order << PAGE_ORDER_SHIFT) |
			      (1UL << PG_vmemmap_optimized), 0, page_counts(-1, 1));
		init_pages_raw(pfn_to_page(pfn) + 1, PAGE_SIZE / sizeof(struct page) - 1, zone_bits,
			       compound_info_for_order(order), page_counts(-1, 0));
	} else if (zone != ZONE_DEVICE) {
		init_pages(pfn_to_page(pfn), end_pfn - pfn, zone);
	} else if (altmap && order < VMEMMAP_TAIL_MIN_ORDER) {
		/*
		 * Device pages are memmap_init_zone_device()'s to write, once: only the altmap's
		 * own pages (info block, memmap storage), which no pagemap covers, are set here.
		 */
		p = MIN(end_pfn, altmap->base_pfn + vmem_altmap_offset(altmap));
		if (p > pfn)
			init_pages(pfn_to_page(pfn), p - pfn, zone);
	}
	for_each_section_in(nr, pfn, end_pfn) {
		struct mem_section *ms = __nr_to_section(nr);
		unsigned long mask = subsection_mask(nr, pfn, end_pfn);

		ms->subsection_map |= mask;
		if (altmap) {
			ms->altmap_map |= mask;
			for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION; i++)
				if ((mask >> i) & 1)
					ms->altmap[i] = altmap;
		}
		ms->flags |= flags | (zone != ZONE_DEVICE ? SECTION_IS_ONLINE : 0);
	}
	return 0;

err_release_storage:
	for_each_section_in(nr, pfn, end_pfn) {
		struct mem_section *ms = __nr_to_section(nr);

		if (ms)
			put_owners(ms);
		release_section_storage(nr);
	}
	return ret;
}

static int sparse_add_section_locked(unsigned long pfn, unsigned long nr_pages,
				     struct vmem_altmap *altmap, enum zone_type zone,
				     unsigned int order)
{
	unsigned long end_pfn = pfn + nr_pages, nr;
	int ret = check_range(pfn, nr_pages);

	if (ret)
		return ret;
	if (altmap && (altmap->inaccessible || pfn < altmap->base_pfn ||
		       end_pfn > altmap->end_pfn)) {
		pr_err("sparse: [pfn 0x%lx-0x%lx] cannot use altmap [pfn 0x%lx-0x%lx]%s\n", pfn,
		       end_pfn - 1, altmap->base_pfn, altmap->end_pfn - 1,
		       altmap->inaccessible ? " (inaccessible)" : " (outside it)");
		return -EINVAL;
	}
	for_each_section_in(nr, pfn, end_pfn) {
		const struct mem_section *ms = __nr_to_section(nr);

		if (ms && (ms->subsection_map & subsection_mask(nr, pfn, end_pfn)))
			return -EEXIST;
	}
	if (order >= VMEMMAP_TAIL_MIN_ORDER &&
	    (zone != ZONE_DEVICE || (pfn | nr_pages) & ((1UL << order) - 1)))
		return -EINVAL;
	return add_range(pfn, end_pfn, altmap, zone, 0, order);
}

/* The checks of sparse_add_section_locked() that need no memory: what it refuses up front. */
static int check_add(unsigned long pfn, unsigned long nr_pages, const struct vmem_altmap *altmap)
{
	unsigned long end_pfn = pfn + nr_pages, nr;
	int ret = check_range(pfn, nr_pages);

	if (ret)
		return ret;
	if (altmap && (altmap->inaccessible || pfn < altmap->base_pfn ||
		       end_pfn > altmap->end_pfn))
		return -EINVAL;
	for_each_section_in(nr, pfn, end_pfn) {
		const struct mem_section *ms = __nr_to_section(nr);

		if (ms && (ms->subsection_map & subsection_mask(nr, pfn, end_pfn)))
			return -EEXIST;
	}
	return 0;
}

/* Remove the subsections @mask of section @nr, each run of one owner with its own altmap. */
static int free_subsections(unsigned long nr, struct mem_section *ms, unsigned long mask)
{
	unsigned long base = section_nr_to_pfn(nr);
	struct vmem_altmap *owner = NULL;
	bool leaf = section_leaf(nr);
	unsigned int i = 0;
	int ret = 0, err;

	while (i < SUBSECTIONS_PER_SECTION) {
		unsigned int j;

		if (!((mask >> i) & 1)) {
			i++;
			continue;
		}
		owner = sub_owner(ms, i);
		for (j = i + 1; j < SUBSECTIONS_PER_SECTION && ((mask >> j) & 1) &&
				sub_owner(ms, j) == owner;
		     j++)
			;
		/* A leaf stays whole while the rest of the section lives in it. */
		if (!leaf) {
			err = vmemmap_free((unsigned long)pfn_to_page(base + i * PAGES_PER_SUBSECTION),
					   (unsigned long)pfn_to_page(base + j * PAGES_PER_SUBSECTION),
					   owner);
			ret = ret ? ret : err;
		}
		i = j;
	}
	ms->subsection_map &= ~mask;
	if (leaf && !ms->subsection_map) {
		/* The last subsection, so the leaf's owner: the leaf goes with it. */
		err = vmemmap_free((unsigned long)pfn_to_page(base),
				   (unsigned long)pfn_to_page(base) + PMD_SIZE, owner);
		ret = ret ? ret : err;
	}
	for (i = 0; ms->altmap && i < SUBSECTIONS_PER_SECTION; i++)
		if ((mask >> i) & 1)
			ms->altmap[i] = NULL;
	ms->altmap_map &= ~mask;
	put_owners(ms);
	if (ms->subsection_map)
		return ret;
	ms->flags = 0;
	release_section_storage(nr);
	return ret;
}

static int check_remove(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap)
{
	unsigned long end_pfn = pfn + nr_pages, nr;
	int ret = check_range(pfn, nr_pages);

	if (ret)
		return ret;
	for_each_section_in(nr, pfn, end_pfn) {
		const struct mem_section *ms = __nr_to_section(nr);
		unsigned long mask = subsection_mask(nr, pfn, end_pfn);

		if (!ms || (ms->subsection_map & mask) != mask)
			return -ENOENT;
		for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION; i++) {
			struct vmem_altmap *owner = sub_owner(ms, i);
			unsigned long at = section_nr_to_pfn(nr) + i * PAGES_PER_SUBSECTION;

			if (!((mask >> i) & 1) || owner == altmap)
				continue;
			if (owner)
				pr_err("sparse: removing [pfn 0x%lx-0x%lx]: the memmap of pfn 0x%lx is in "
				       "altmap [pfn 0x%lx-0x%lx], not the one given\n", pfn, end_pfn - 1,
				       at, owner->base_pfn, owner->end_pfn - 1);
			else
				pr_err("sparse: removing [pfn 0x%lx-0x%lx]: the memmap of pfn 0x%lx is in "
				       "RAM, not in the altmap given\n", pfn, end_pfn - 1, at);
			return -EINVAL;
		}
	}
	if (hvo_range_busy(pfn, nr_pages))
		return -EBUSY; /* its vmemmap maps the shared tail page: not ours to free */
	return 0;
}

static int sparse_remove_section_locked(unsigned long pfn, unsigned long nr_pages,
					struct vmem_altmap *altmap)
{
	unsigned long end_pfn = pfn + nr_pages, nr;
	int ret = check_remove(pfn, nr_pages, altmap), err;

	if (ret)
		return ret;
	for_each_section_in(nr, pfn, end_pfn) {
		err = free_subsections(nr, __nr_to_section(nr), subsection_mask(nr, pfn, end_pfn));
		ret = ret ? ret : err;
	}
	return ret;
}

/* ---- boot -------------------------------------------------------------------------------- */

static bool pfn_is_ram(unsigned long pfn)
{
	phys_addr_t s = PFN_PHYS(pfn), e = PFN_PHYS(pfn + 1);

	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		if (r->base <= s && e <= r->base + r->size)
			return !(r->flags & MEMBLOCK_NOMAP);
	}
	return false;
}

/* Add the absent subsections of [@pfn, @end_pfn) (RAM at boot), in runs. */
static int add_boot_range(unsigned long pfn, unsigned long end_pfn)
{
	unsigned long run = pfn, p;
	int ret;

	for (p = pfn; p <= end_pfn; p += PAGES_PER_SUBSECTION) {
		if (p < end_pfn && !pfn_valid(p))
			continue;
		if (run < p) {
			ret = add_range(run, p, NULL, ZONE_NORMAL, SECTION_IS_EARLY, 0);
			if (ret)
				return ret;
		}
		run = p + PAGES_PER_SUBSECTION;
	}
	return 0;
}

/* Pages in the rounding slack of [@pfn, @end_pfn) that are not RAM are PG_reserved. */
static void reserve_slack(unsigned long s, unsigned long pfn, unsigned long end_pfn,
			  unsigned long e)
{
	for (unsigned long p = s; p < e; p++) {
		if (p == pfn)
			p = MAX(end_pfn, p);
		if (p < e && !pfn_is_ram(p))
			SetPageFlag(pfn_to_page(p), PG_reserved);
	}
}

static struct mm_lock hotplug_lock;

#define BOOT_COMPOUND_MAX 16

static struct {
	unsigned long pfn;
	unsigned int order;
	bool done;
} boot_compound[BOOT_COMPOUND_MAX];
static unsigned int nr_boot_compound;

int sparse_boot_compound_add(unsigned long pfn, unsigned int order)
{
	if (nr_boot_compound == BOOT_COMPOUND_MAX || order < VMEMMAP_TAIL_MIN_ORDER ||
	    pfn & ((1UL << order) - 1))
		return nr_boot_compound == BOOT_COMPOUND_MAX ? -ENOSPC : -EINVAL;
	boot_compound[nr_boot_compound].pfn = pfn;
	boot_compound[nr_boot_compound].order = order;
	boot_compound[nr_boot_compound++].done = false;
	return 0;
}

bool sparse_boot_compound_done(unsigned long pfn)
{
	for (unsigned int i = 0; i < nr_boot_compound; i++)
		if (boot_compound[i].pfn == pfn)
			return boot_compound[i].done;
	return false;
}

/* The boot compound pages first: the RAM loop then finds their subsections present. */
static void add_boot_compound(void)
{
	for (unsigned int i = 0; i < nr_boot_compound; i++) {
		unsigned long pfn = boot_compound[i].pfn, end = pfn + (1UL << boot_compound[i].order);
		int ret = check_range(pfn, end - pfn);

		if (!ret)
			ret = add_range(pfn, end, NULL, ZONE_NORMAL, SECTION_IS_EARLY,
					boot_compound[i].order);
		boot_compound[i].done = !ret;
		if (ret)
			pr_warn("sparse: boot compound page at pfn 0x%lx: %d; its memmap is populated "
				"whole\n", pfn, ret);
	}
}

int sparse_init(struct pgtable *kernel_pt, const struct kernel_layout *layout)
{
	mm_lock_init(&hotplug_lock);
	const struct layout_region *vr = &layout->region[LAYOUT_VMEMMAP];
	unsigned long win_first, win_end;
	int ret;

	if (sp.ready)
		return -EBUSY;
	if (layout->phys_base % SZ_128M || !layout->phys_span || layout->phys_span % SZ_128M ||
	    layout->vmemmap % (sizeof(struct page) << MAX_FOLIO_ORDER))
		return -EINVAL;
	vmemmap = (struct page *)layout->vmemmap;
	vmemmap_set_pgtable(kernel_pt, vr->start, vr->start + vr->size);
	sp.first_nr = pfn_to_section_nr(PHYS_PFN(layout->phys_base));
	sp.nr_sections = (unsigned long)(layout->phys_span >> SECTION_SIZE_BITS);
	sp.nr_mids = (sp.nr_sections + SECTIONS_PER_MID - 1) / SECTIONS_PER_MID;
	sp.root_size = ALIGN_UP(sp.nr_mids * sizeof(void *), PAGE_SIZE);
	sp.root = vmemmap_alloc_block(sp.root_size);
	if (!sp.root)
		return -ENOMEM;
	memset(sp.root, 0, sp.root_size);
	sp.table_pages = 0;
	sp.ready = true;

	win_first = section_nr_to_pfn(sp.first_nr);
	win_end = win_first + section_nr_to_pfn(sp.nr_sections);
	add_boot_compound();
	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long pfn = PFN_DOWN(r->base), end_pfn = PFN_UP(r->base + r->size);
		unsigned long s = ALIGN_DOWN(pfn, PAGES_PER_SUBSECTION);
		unsigned long e = ALIGN_UP(end_pfn, PAGES_PER_SUBSECTION);

		if (r->flags & MEMBLOCK_NOMAP)
			continue;
		if (s < win_first || e > win_end) {
			pr_warn("sparse: RAM [mem 0x%016llx-0x%016llx] outside the vmemmap window; "
				"ignoring the part outside\n", (unsigned long long)r->base,
				(unsigned long long)(r->base + r->size - 1));
			s = MAX(s, win_first);
			e = MIN(e, win_end);
			if (s >= e)
				continue;
		}
		ret = add_boot_range(s, e);
		if (ret) {
			pr_err("sparse: no struct pages for [mem 0x%016llx-0x%016llx]: %d\n",
			       (unsigned long long)r->base,
			       (unsigned long long)(r->base + r->size - 1), ret);
			sparse_exit();
			return ret;
		}
	}
	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long pfn = PFN_DOWN(r->base), end_pfn = PFN_UP(r->base + r->size);
		unsigned long s = MAX(ALIGN_DOWN(pfn, PAGES_PER_SUBSECTION), win_first);
		unsigned long e = MIN(ALIGN_UP(end_pfn, PAGES_PER_SUBSECTION), win_end);

		if (!(r->flags & MEMBLOCK_NOMAP) && s < e)
			reserve_slack(s, MAX(pfn, s), MIN(end_pfn, e), e);
	}
	return 0;
}

void sparse_exit(void)
{
	if (!sp.ready)
		return;
	for (unsigned long m = 0; m < sp.nr_mids; m++) {
		for (unsigned long c = 0; sp.root[m] && c < CHUNKS_PER_MID; c++) {
			for (unsigned long i = 0; sp.root[m] && sp.root[m][c] && i < SECTIONS_PER_PAGE;
			     i++) {
				unsigned long nr = sp.first_nr + m * SECTIONS_PER_MID +
						   c * SECTIONS_PER_PAGE + i;
				struct mem_section *ms = &sp.root[m][c][i];

				if (ms->subsection_map)
					free_subsections(nr, ms, ms->subsection_map);
			}
		}
	}
	vmemmap_free_block(sp.root, sp.root_size);
	sp.root = NULL;
	sp.ready = false;
}

/* Bits set in @w (no libgcc: rv64imac has no popcount instruction to inline). */
static unsigned long hweight_long(unsigned long w)
{
	unsigned long n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

void sparse_get_stats(struct sparse_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->window_sections = sp.nr_sections;
	if (!sp.ready)
		return;
	st->table_bytes = sp.root_size + (uint64_t)sp.table_pages * PAGE_SIZE;
	for (unsigned long m = 0; m < sp.nr_mids; m++) {
		for (unsigned long c = 0; sp.root[m] && c < CHUNKS_PER_MID; c++) {
			const struct mem_section *chunk = sp.root[m][c];

			for (unsigned long i = 0; chunk && i < SECTIONS_PER_PAGE; i++) {
				st->present_sections += chunk[i].subsection_map != 0;
				st->present_subsections += hweight_long(chunk[i].subsection_map);
				st->online_sections += online_section(&chunk[i]);
			}
		}
	}
}

/*
 * Hot-add and hot-remove are serialised: they share the section table, the vmemmap page tables
 * and the altmap counters (Linux: mem_hotplug_lock).
 */
int sparse_add_section(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap,
		       enum zone_type zone)
{
	unsigned long flags = mm_lock(&hotplug_lock);
	int ret = sparse_add_section_locked(pfn, nr_pages, altmap, zone, 0);

	mm_unlock(&hotplug_lock, flags);
	return ret;
}

int sparse_add_section_compound(unsigned long pfn, unsigned long nr_pages,
				struct vmem_altmap *altmap, unsigned int order)
{
	unsigned long flags = mm_lock(&hotplug_lock);
	int ret = sparse_add_section_locked(pfn, nr_pages, altmap, ZONE_DEVICE, order);

	mm_unlock(&hotplug_lock, flags);
	return ret;
}

int sparse_remove_section(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap)
{
	unsigned long flags = mm_lock(&hotplug_lock);
	int ret = sparse_remove_section_locked(pfn, nr_pages, altmap);

	mm_unlock(&hotplug_lock, flags);
	return ret;
}

int sparse_check_remove(unsigned long pfn, unsigned long nr_pages, struct vmem_altmap *altmap)
{
	unsigned long flags = mm_lock(&hotplug_lock);
	int ret = check_remove(pfn, nr_pages, altmap);

	mm_unlock(&hotplug_lock, flags);
	return ret;
}

int sparse_check_add(unsigned long pfn, unsigned long nr_pages, const struct vmem_altmap *altmap)
{
	unsigned long flags = mm_lock(&hotplug_lock);
	int ret = check_add(pfn, nr_pages, altmap);

	mm_unlock(&hotplug_lock, flags);
	return ret;
}
