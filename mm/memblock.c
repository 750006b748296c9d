// SPDX-License-Identifier: BSD-2-Clause
// Early memory map: two sorted lists of disjoint ranges. Every update rebuilds the list into a
// scratch copy first, so a full list fails cleanly (-ENOSPC) and never half-applies.
#include <string.h>

#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/memblock.h>

struct memblock memblock = {
	.memory.name = "memory",
	.reserved.name = "reserved",
	.alloc_limit = ~(phys_addr_t)0,
};

enum op { OP_ADD, OP_REMOVE, OP_SET_FLAGS, OP_CLEAR_FLAGS };

static struct memblock_region scratch[MEMBLOCK_MAX_REGIONS];

void memblock_reset(void)
{
	memblock.memory.cnt = 0;
	memblock.reserved.cnt = 0;
	memblock.alloc_limit = ~(phys_addr_t)0;
}

static bool push(unsigned int *n, phys_addr_t base, phys_addr_t end, unsigned int flags)
{
	if (end <= base)
		return true;
	if (*n && scratch[*n - 1].base + scratch[*n - 1].size == base &&
	    scratch[*n - 1].flags == flags) {
		scratch[*n - 1].size += end - base;
		return true;
	}
	if (*n == MEMBLOCK_MAX_REGIONS)
		return false;
	scratch[*n].base = base;
	scratch[*n].size = end - base;
	scratch[*n].flags = flags;
	(*n)++;
	return true;
}

static int apply(struct memblock_type *t, phys_addr_t base, phys_addr_t size, enum op op,
		 unsigned int flags)
{
	phys_addr_t end = base + size;
	phys_addr_t cur = base;
	unsigned int n = 0;
	bool ok = true;

	if (size == 0)
		return 0;
	if (end < base)
		return -EINVAL;
	for (unsigned int i = 0; i < t->cnt && ok; i++) {
		const struct memblock_region *r = &t->regions[i];
		phys_addr_t rb = r->base, re = r->base + r->size;

		switch (op) {
		case OP_ADD:
			if (cur < end && rb > cur)
				ok &= push(&n, cur, MIN(rb, end), MEMBLOCK_NONE);
			if (re > cur)
				cur = re;
			ok &= push(&n, rb, re, r->flags);
			break;
		case OP_REMOVE:
			ok &= push(&n, rb, MIN(re, base), r->flags);
			ok &= push(&n, MAX(rb, end), re, r->flags);
			break;
		case OP_SET_FLAGS:
		case OP_CLEAR_FLAGS: {
			unsigned int nf = op == OP_SET_FLAGS ? r->flags | flags : r->flags & ~flags;
			ok &= push(&n, rb, MIN(re, base), r->flags);
			ok &= push(&n, MAX(rb, base), MIN(re, end), nf);
			ok &= push(&n, MAX(rb, end), re, r->flags);
			break;
		}
		}
	}
	if (op == OP_ADD && ok && cur < end)
		ok &= push(&n, cur, end, MEMBLOCK_NONE);
	if (!ok)
		return -ENOSPC;
	memcpy(t->regions, scratch, n * sizeof(scratch[0]));
	t->cnt = n;
	return 0;
}

int memblock_add(phys_addr_t base, phys_addr_t size)
{
	return apply(&memblock.memory, base, size, OP_ADD, 0);
}

int memblock_remove(phys_addr_t base, phys_addr_t size)
{
	return apply(&memblock.memory, base, size, OP_REMOVE, 0);
}

int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	return apply(&memblock.reserved, base, size, OP_ADD, 0);
}

int memblock_mark_nomap(phys_addr_t base, phys_addr_t size)
{
	return apply(&memblock.memory, base, size, OP_SET_FLAGS, MEMBLOCK_NOMAP);
}

int memblock_phys_free(phys_addr_t base, phys_addr_t size)
{
	return apply(&memblock.reserved, base, size, OP_REMOVE, 0);
}

static bool type_covers(const struct memblock_type *t, phys_addr_t base, phys_addr_t end)
{
	for (unsigned int i = 0; i < t->cnt && base < end; i++) {
		const struct memblock_region *r = &t->regions[i];
		if (r->base <= base && base < r->base + r->size)
			base = r->base + r->size;
	}
	return base >= end;
}

static bool type_overlaps(const struct memblock_type *t, phys_addr_t base, phys_addr_t end)
{
	for (unsigned int i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];
		if (r->base < end && base < r->base + r->size)
			return true;
	}
	return false;
}

bool memblock_is_memory(phys_addr_t addr)
{
	return type_covers(&memblock.memory, addr, addr + 1);
}

bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size)
{
	return base + size >= base && type_covers(&memblock.memory, base, base + size);
}

bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size)
{
	return type_overlaps(&memblock.reserved, base, base + size);
}

bool memblock_next_free_range(uint64_t *idx, phys_addr_t *start, phys_addr_t *end)
{
	const struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved;

	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *m = &mem->regions[i];
		phys_addr_t me = m->base + m->size;
		phys_addr_t s = MAX(m->base, (phys_addr_t)*idx);

		if (m->flags & MEMBLOCK_NOMAP)
			continue;
		/* Skip reserved ranges covering s; the list is sorted, so one pass suffices. */
		for (unsigned int j = 0; j < res->cnt && s < me; j++) {
			const struct memblock_region *r = &res->regions[j];
			if (r->base <= s && s < r->base + r->size)
				s = r->base + r->size;
		}
		if (s >= me)
			continue;
		phys_addr_t e = me;
		for (unsigned int j = 0; j < res->cnt; j++) {
			if (res->regions[j].base > s) {
				e = MIN(e, res->regions[j].base);
				break;
			}
		}
		*start = s;
		*end = e;
		*idx = e;
		return true;
	}
	return false;
}

phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align)
{
	phys_addr_t best = 0, s, e;
	uint64_t idx;

	if (size == 0 || align == 0 || (align & (align - 1)))
		return 0;
	for_each_free_mem_range(idx, &s, &e) {
		e = MIN(e, memblock.alloc_limit);
		if (e <= s || e - s < size)
			continue;
		phys_addr_t cand = ALIGN_DOWN(e - size, align);
		if (cand >= s && cand != 0 && cand > best)
			best = cand;
	}
	if (best && memblock_reserve(best, size))
		return 0;
	return best;
}

static phys_addr_t type_size(const struct memblock_type *t)
{
	phys_addr_t sum = 0;

	for (unsigned int i = 0; i < t->cnt; i++)
		sum += t->regions[i].size;
	return sum;
}

phys_addr_t memblock_phys_mem_size(void)
{
	return type_size(&memblock.memory);
}

phys_addr_t memblock_reserved_size(void)
{
	return type_size(&memblock.reserved);
}

phys_addr_t memblock_free_size(void)
{
	phys_addr_t sum = 0, s, e;
	uint64_t idx;

	for_each_free_mem_range(idx, &s, &e)
		sum += e - s;
	return sum;
}

static void dump_type(const struct memblock_type *t)
{
	phys_addr_t total = type_size(t);

	pr_info("memblock %s: %u regions, %pH\n", t->name, t->cnt, &total);
	for (unsigned int i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];
		pr_info("  %s[%u] [mem 0x%016llx-0x%016llx] %pH%s\n", t->name, i,
			(unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
			&r->size, r->flags & MEMBLOCK_NOMAP ? " no-map" : "");
	}
}

void memblock_dump(void)
{
	phys_addr_t s, e, total = memblock_free_size();
	uint64_t idx;
	unsigned int i = 0;

	dump_type(&memblock.memory);
	dump_type(&memblock.reserved);
	pr_info("memblock usable: %pH\n", &total);
	for_each_free_mem_range(idx, &s, &e) {
		phys_addr_t sz = e - s;
		pr_info("  usable[%u] [mem 0x%016llx-0x%016llx] %pH\n", i++, (unsigned long long)s,
			(unsigned long long)(e - 1), &sz);
	}
}
