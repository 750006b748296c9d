// SPDX-License-Identifier: BSD-2-Clause
// The memory-type tracker (mm/memtype.c): overlapping reservations of one type nest, another
// type is refused wherever it overlaps, frees are exact, and a random sequence agrees with a
// per-page model.
#include <stdlib.h>

#include <platform/errno.h>
#include <platform/memory.h>
#include <mm/memtype.h>

#include "tap.h"

#define B 0x90000000ULL

static void same_type_nests_other_type_is_refused(void)
{
	enum memremap_type held = MEMREMAP_TYPE_NC;

	memtype_reset();
	CHECK_EQ(memtype_reserve(B, B + SZ_4M, MEMREMAP_TYPE_WB, "pagemap"), 0);
	CHECK_EQ(memtype_reserve(B + SZ_1M, B + SZ_2M, MEMREMAP_TYPE_WB, "memremap"), 0);
	CHECK_EQ(memtype_reserve(B + SZ_1M, B + SZ_2M, MEMREMAP_TYPE_NC, "memremap"), -EBUSY);
	CHECK_EQ(memtype_check(B + SZ_4M - PAGE_SIZE, B + SZ_8M, MEMREMAP_TYPE_WT, &held), -EBUSY);
	CHECK_EQ(held, MEMREMAP_TYPE_WB);
	/* touching is not overlapping */
	CHECK_EQ(memtype_reserve(B + SZ_4M, B + SZ_8M, MEMREMAP_TYPE_NC, "memremap"), 0);
	CHECK_EQ(memtype_reserve(B - PAGE_SIZE, B, MEMREMAP_TYPE_WT, "memremap"), 0);
	CHECK_EQ(memtype_count(), 4);
	/* the outer reservation goes, the nested one still holds its pages */
	CHECK_EQ(memtype_free(B, B + SZ_4M), 0);
	CHECK_EQ(memtype_check(B, B + SZ_1M, MEMREMAP_TYPE_NC, NULL), 0);
	CHECK_EQ(memtype_check(B, B + SZ_1M + 1, MEMREMAP_TYPE_NC, NULL), -EBUSY);
	CHECK_EQ(memtype_free(B, B + SZ_4M), -ENOENT);
	CHECK_EQ(memtype_free(B + SZ_1M, B + SZ_2M), 0);
	CHECK_EQ(memtype_free(B + SZ_4M, B + SZ_8M), 0);
	CHECK_EQ(memtype_free(B - PAGE_SIZE, B), 0);
	CHECK_EQ(memtype_count(), 0);
	CHECK_EQ(memtype_reserve(B, B, MEMREMAP_TYPE_WB, "x"), -EINVAL);
}

static void full_tracker_refuses(void)
{
	memtype_reset();
	for (int i = 0; i < MEMTYPE_MAX; i++)
		CHECK_EQ(memtype_reserve(B + (phys_addr_t)i * PAGE_SIZE,
					 B + (phys_addr_t)(i + 1) * PAGE_SIZE, MEMREMAP_TYPE_WB, "x"), 0);
	CHECK_EQ(memtype_reserve(B, B + PAGE_SIZE, MEMREMAP_TYPE_WB, "x"), -ENOSPC);
	memtype_reset();
	CHECK_EQ(memtype_count(), 0);
}

/* Against a model: per page, a count of reservations and their type. */
#define NP 64
static void random_sequences_match_a_page_model(void)
{
	struct { phys_addr_t s, e; } live[MEMTYPE_MAX];
	int nlive = 0, cnt[NP] = { 0 };
	enum memremap_type ty[NP];

	memtype_reset();
	srand(9);
	for (int step = 0; step < 20000; step++) {
		if (nlive && (rand() % 3 == 0 || nlive == MEMTYPE_MAX)) {
			int k = rand() % nlive;
			int s = (int)((live[k].s - B) / PAGE_SIZE), e = (int)((live[k].e - B) / PAGE_SIZE);

			CHECK_EQ(memtype_free(live[k].s, live[k].e), 0);
			for (int p = s; p < e; p++)
				cnt[p]--;
			live[k] = live[--nlive];
		} else {
			int s = rand() % NP, e = s + 1 + rand() % 8;
			enum memremap_type t = (enum memremap_type)(rand() % 3);
			bool ok = true;

			if (e > NP)
				e = NP;
			for (int p = s; p < e; p++)
				ok = ok && (!cnt[p] || ty[p] == t);
			CHECK_EQ(memtype_reserve(B + (phys_addr_t)s * PAGE_SIZE,
						 B + (phys_addr_t)e * PAGE_SIZE, t, "model"),
				 ok ? 0 : -EBUSY);
			if (ok) {
				for (int p = s; p < e; p++) {
					cnt[p]++;
					ty[p] = t;
				}
				live[nlive].s = B + (phys_addr_t)s * PAGE_SIZE;
				live[nlive++].e = B + (phys_addr_t)e * PAGE_SIZE;
			}
		}
		CHECK_EQ(memtype_count(), (unsigned int)nlive);
	}
}

static const struct tap_case cases[] = {
	TAP_CASE(same_type_nests_other_type_is_refused),
	TAP_CASE(full_tracker_refuses),
	TAP_CASE(random_sequences_match_a_page_model),
};

TAP_MAIN("mm_memtype", cases)
