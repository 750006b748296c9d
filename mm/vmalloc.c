// SPDX-License-Identifier: BSD-2-Clause
// VA range allocator for the ioremap region (after Linux mm/vmalloc.c): a sorted, coalesced free
// list and a fixed table of live areas, each followed by a guard page.
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <mm/mm_lock.h>
#include <mm/vmalloc.h>

/* [start, end) */
struct free_range {
	uintptr_t start, end;
};

/*
 * Live areas and free ranges alternate along the region, so there is at most one more free
 * range than there are areas.
 */
static struct free_range free_list[VMAP_MAX_AREAS + 1];
static unsigned int nr_free;
static struct vm_struct areas[VMAP_MAX_AREAS];
static bool area_used[VMAP_MAX_AREAS];
static unsigned int nr_areas;
static uintptr_t region_start, region_end;
/* Every CPU may memremap()/memunmap(): the free list and the area table change together. */
static struct mm_lock vmap_lock;

int vmalloc_init(uintptr_t start, uintptr_t end)
{
	if (start >= end || !IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE))
		return -EINVAL;
	mm_lock_init(&vmap_lock);
	region_start = start;
	region_end = end;
	free_list[0].start = start;
	free_list[0].end = end;
	nr_free = 1;
	for (unsigned int i = 0; i < VMAP_MAX_AREAS; i++)
		area_used[i] = false;
	nr_areas = 0;
	return 0;
}

static uintptr_t area_end(const struct vm_struct *a)
{
	return a->addr + a->size + ((a->flags & VM_NO_GUARD) ? 0 : PAGE_SIZE);
}

static void free_list_remove(unsigned int i)
{
	for (; i + 1 < nr_free; i++)
		free_list[i] = free_list[i + 1];
	nr_free--;
}

static void free_list_insert(unsigned int i, uintptr_t start, uintptr_t end)
{
	for (unsigned int j = nr_free; j > i; j--)
		free_list[j] = free_list[j - 1];
	free_list[i].start = start;
	free_list[i].end = end;
	nr_free++;
}

static struct vm_struct *get_vm_area_locked(size_t size, size_t align, unsigned long flags)
{
	size_t guard = (flags & VM_NO_GUARD) ? 0 : PAGE_SIZE;
	unsigned int slot;

	if (region_end == 0 || size == 0 || (align & (align - 1)))
		return ERR_PTR(-EINVAL);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (size > region_end - region_start)
		return ERR_PTR(-ENOMEM);
	size = ALIGN_UP(size, PAGE_SIZE);
	if (nr_areas == VMAP_MAX_AREAS)
		return ERR_PTR(-ENOMEM);
	for (slot = 0; area_used[slot]; slot++)
		;

	for (unsigned int i = 0; i < nr_free; i++) {
		struct free_range f = free_list[i];
		uintptr_t addr = ALIGN_UP(f.start, (uintptr_t)align);

		/* Each step checked separately so nothing can wrap. */
		if (addr < f.start || addr >= f.end || f.end - addr < size ||
		    f.end - addr - size < guard)
			continue;
		uintptr_t used_end = addr + size + guard;

		if (used_end == f.end)
			free_list_remove(i);
		else
			free_list[i].start = used_end;
		if (addr > f.start)
			free_list_insert(i, f.start, addr);

		areas[slot] = (struct vm_struct){ .addr = addr, .size = size, .flags = flags };
		area_used[slot] = true;
		nr_areas++;
		return &areas[slot];
	}
	return ERR_PTR(-ENOMEM);
}

struct vm_struct *get_vm_area(size_t size, size_t align, unsigned long flags)
{
	unsigned long irq = mm_lock(&vmap_lock);
	struct vm_struct *a = get_vm_area_locked(size, align, flags);

	mm_unlock(&vmap_lock, irq);
	return a;
}

struct vm_struct *find_vm_area(uintptr_t addr)
{
	unsigned long irq = mm_lock(&vmap_lock);
	struct vm_struct *a = NULL;

	for (unsigned int i = 0; i < VMAP_MAX_AREAS; i++) {
		if (area_used[i] && addr >= areas[i].addr && addr - areas[i].addr < areas[i].size) {
			a = &areas[i];
			break;
		}
	}
	mm_unlock(&vmap_lock, irq);
	return a;
}

static int free_vm_area_locked(struct vm_struct *area)
{
	uintptr_t start, end;
	unsigned int i;

	if (area < areas || area >= areas + VMAP_MAX_AREAS || !area_used[area - areas])
		return -EINVAL;
	start = area->addr;
	end = area_end(area);
	area_used[area - areas] = false;
	nr_areas--;

	for (i = 0; i < nr_free && free_list[i].start < start; i++)
		;
	/* i: first free range after the area; merge with it and with the one before. */
	bool join_prev = i > 0 && free_list[i - 1].end == start;
	bool join_next = i < nr_free && free_list[i].start == end;

	if (join_prev && join_next) {
		free_list[i - 1].end = free_list[i].end;
		free_list_remove(i);
	} else if (join_prev) {
		free_list[i - 1].end = end;
	} else if (join_next) {
		free_list[i].start = start;
	} else {
		free_list_insert(i, start, end);
	}
	return 0;
}

int free_vm_area(struct vm_struct *area)
{
	unsigned long irq = mm_lock(&vmap_lock);
	int ret = free_vm_area_locked(area);

	mm_unlock(&vmap_lock, irq);
	return ret;
}

bool is_ioremap_addr(uintptr_t addr)
{
	return region_end && addr >= region_start && addr < region_end;
}

void vmalloc_get_stats(struct vmalloc_stats *st)
{
	unsigned long irq = mm_lock(&vmap_lock);

	*st = (struct vmalloc_stats){ .nr_areas = nr_areas, .nr_free_ranges = nr_free };
	for (unsigned int i = 0; i < VMAP_MAX_AREAS; i++)
		if (area_used[i])
			st->used_bytes += areas[i].size;
	for (unsigned int i = 0; i < nr_free; i++) {
		size_t len = free_list[i].end - free_list[i].start;

		st->free_bytes += len;
		st->largest_free = MAX(st->largest_free, len);
	}
	mm_unlock(&vmap_lock, irq);
}
