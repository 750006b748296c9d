// SPDX-License-Identifier: BSD-2-Clause
// memblock against a page-granular reference model, plus its edge cases.
#include <stdlib.h>

#include <platform/errno.h>
#include <mm/memblock.h>

#include "tap.h"

#define BASE 0x80000000ULL
#define PAGES 512
#define PG 4096ULL

static bool mem[PAGES], nomap[PAGES], res[PAGES];

static void model_reset(void)
{
	memset(mem, 0, sizeof(mem));
	memset(nomap, 0, sizeof(nomap));
	memset(res, 0, sizeof(res));
	memblock_reset();
}

static bool lists_are_canonical(const struct memblock_type *t)
{
	for (unsigned int i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];
		if (r->size == 0)
			return false;
		if (i) {
			const struct memblock_region *p = &t->regions[i - 1];
			if (p->base + p->size > r->base)
				return false;
			if (p->base + p->size == r->base && p->flags == r->flags)
				return false;
		}
	}
	return true;
}

static void compare_with_model(void)
{
	bool seen_free[PAGES] = { false };
	phys_addr_t s, e, free_sum = 0;
	uint64_t idx;

	CHECK(lists_are_canonical(&memblock.memory));
	CHECK(lists_are_canonical(&memblock.reserved));
	for (int p = 0; p < PAGES; p++) {
		phys_addr_t a = BASE + p * PG;
		CHECK_EQ(memblock_is_memory(a), mem[p]);
		CHECK_EQ(memblock_is_region_reserved(a, PG), res[p]);
	}
	for_each_free_mem_range(idx, &s, &e) {
		CHECK(s < e);
		free_sum += e - s;
		for (phys_addr_t a = s; a < e; a += PG) {
			int p = (int)((a - BASE) / PG);
			CHECK(p >= 0 && p < PAGES);
			if (p >= 0 && p < PAGES)
				seen_free[p] = true;
		}
	}
	phys_addr_t want_free = 0;
	for (int p = 0; p < PAGES; p++) {
		bool f = mem[p] && !nomap[p] && !res[p];
		want_free += f ? PG : 0;
		if (seen_free[p] != f) {
			printf("# page %d: free %d, model %d\n", p, seen_free[p], f);
			tap_failed_checks++;
			break;
		}
	}
	CHECK_EQ(free_sum, want_free);
	CHECK_EQ(memblock_free_size(), want_free);
}

static void random_ops_match_model(void)
{
	srand(12345);
	model_reset();
	for (int step = 0; step < 3000; step++) {
		int a = rand() % PAGES, n = 1 + rand() % 64;
		if (a + n > PAGES)
			n = PAGES - a;
		int op = rand() % 6;
		int ret = 0;
		switch (op) {
		case 0:
		case 1:
			ret = memblock_add(BASE + a * PG, n * PG);
			for (int p = a; p < a + n; p++) {
				if (!mem[p])
					nomap[p] = false;
				mem[p] = true;
			}
			break;
		case 2:
			ret = memblock_remove(BASE + a * PG, n * PG);
			for (int p = a; p < a + n; p++)
				mem[p] = nomap[p] = false;
			break;
		case 3:
			ret = memblock_reserve(BASE + a * PG, n * PG);
			for (int p = a; p < a + n; p++)
				res[p] = true;
			break;
		case 4:
			ret = memblock_phys_free(BASE + a * PG, n * PG);
			for (int p = a; p < a + n; p++)
				res[p] = false;
			break;
		case 5:
			ret = memblock_mark_nomap(BASE + a * PG, n * PG);
			for (int p = a; p < a + n; p++)
				if (mem[p])
					nomap[p] = true;
			break;
		}
		CHECK_EQ(ret, 0);
		if (step % 50 == 0)
			compare_with_model();
		if (tap_failed_checks) {
			printf("# diverged at step %d (op %d, pages %d+%d)\n", step, op, a, n);
			return;
		}
	}
	compare_with_model();
}

static void alloc_is_top_down_aligned_and_bounded(void)
{
	model_reset();
	CHECK_EQ(memblock_add(BASE, 64 * PG), 0);
	CHECK_EQ(memblock_reserve(BASE + 60 * PG, 4 * PG), 0);
	phys_addr_t a = memblock_phys_alloc(2 * PG, 8 * PG);
	CHECK_EQ(a, BASE + 56 * PG);
	CHECK(memblock_is_region_reserved(a, 2 * PG));
	memblock.alloc_limit = BASE + 20 * PG;
	phys_addr_t b = memblock_phys_alloc(PG, PG);
	CHECK_EQ(b, BASE + 19 * PG);
	CHECK_EQ(memblock_phys_alloc(64 * PG, PG), 0);
	CHECK_EQ(memblock_phys_alloc(PG, 3 * PG), 0); /* not a power of two */
	CHECK_EQ(memblock_phys_alloc(0, PG), 0);
	CHECK_EQ(memblock_mark_nomap(BASE, 20 * PG), 0);
	CHECK_EQ(memblock_phys_alloc(PG, PG), 0); /* everything below the limit is no-map */
}

static void full_list_fails_unchanged(void)
{
	model_reset();
	for (unsigned int i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		CHECK_EQ(memblock_add(BASE + 2 * i * PG, PG), 0);
	CHECK_EQ(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS);
	phys_addr_t before = memblock_phys_mem_size();
	CHECK_EQ(memblock_add(BASE + 2 * MEMBLOCK_MAX_REGIONS * PG, PG), -ENOSPC);
	/* Splitting one region in two also needs a slot. */
	CHECK_EQ(memblock_mark_nomap(BASE, PG / 2), -ENOSPC);
	CHECK_EQ(memblock_phys_mem_size(), before);
	CHECK_EQ(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS);
	/* Filling a gap merges three into one and frees slots. */
	CHECK_EQ(memblock_add(BASE + PG, PG), 0);
	CHECK_EQ(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS - 1);
}

static void wrap_and_zero_sizes(void)
{
	model_reset();
	CHECK_EQ(memblock_add(~0ULL - PG, 2 * PG), -EINVAL);
	CHECK_EQ(memblock_add(BASE, 0), 0);
	CHECK_EQ(memblock.memory.cnt, 0);
	CHECK(!memblock_is_region_memory(~0ULL - 1, 4));
	CHECK_EQ(memblock_add(0, PG), 0);
	CHECK(memblock_is_memory(0));
	CHECK(!memblock_is_memory(PG));
}

static const struct tap_case cases[] = {
	TAP_CASE(random_ops_match_model), TAP_CASE(alloc_is_top_down_aligned_and_bounded),
	TAP_CASE(full_list_fails_unchanged), TAP_CASE(wrap_and_zero_sizes),
};

TAP_MAIN("memblock", cases)
