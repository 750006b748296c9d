// SPDX-License-Identifier: BSD-2-Clause
// mm/sparse.c over real page tables (riscv64 Sv48 / arm64 encodings) and the real memblock:
// boot population, subsection-granular pfn_valid(), hot-add/hot-remove over random section
// layouts against a model, error cases, and leak checks (every page back after removal).
#include <stdlib.h>

#include "sparse_env.h"

static void setup(void)
{
	env_setup();
}

static void init_ok(void)
{
	env_setup();
	CHECK_EQ(sparse_init(&env_pt, &env_layout), 0);
}

/* The bytes of @pfn's struct page as stored in physical memory (not through the window). */
static const struct page *page_in_backing(unsigned long pfn)
{
	phys_addr_t pa;

	if (env_leaf((uintptr_t)pfn_to_page(pfn), &pa) < 0)
		return NULL;
	return __va(pa);
}

static void sparse_init_gives_ram_struct_pages(void)
{
	struct sparse_stats ss;
	struct vmemmap_stats vs;
	unsigned long ram_pfn = PHYS_PFN(RAM_BASE);
	/* more "RAM" far away: a section with a no-map hole, and an unaligned bank */
	phys_addr_t far = 0x200000000ULL, odd = 0x300100000ULL;

	setup();
	memblock_add(far, SZ_128M);
	memblock_mark_nomap(far + 4 * SZ_2M, 2 * SZ_2M);
	memblock_add(odd, 3 * SZ_1M + 0x3000);
	env_free0 += SZ_128M - 2 * SZ_2M + 3 * SZ_1M + 0x3000; /* free RAM now, for the leak check */
	CHECK_EQ(sparse_init(&env_pt, &env_layout), 0);
	CHECK_EQ(sparse_init(&env_pt, &env_layout), -EBUSY);

	CHECK(pfn_valid(ram_pfn) && pfn_valid(ram_pfn + SEC_PAGES - 1));
	CHECK(!pfn_valid(ram_pfn - 1) && !pfn_valid(ram_pfn + SEC_PAGES));
	CHECK(present_section_nr(pfn_to_section_nr(ram_pfn)));
	CHECK(online_section_nr(pfn_to_section_nr(ram_pfn)));
	CHECK(__pfn_to_section(ram_pfn)->flags & SECTION_IS_EARLY);
	/* the no-map hole has no struct pages, its neighbours do */
	CHECK(pfn_valid(PHYS_PFN(far + 4 * SZ_2M) - 1));
	CHECK(!pfn_valid(PHYS_PFN(far + 4 * SZ_2M)));
	CHECK(!pfn_valid(PHYS_PFN(far + 6 * SZ_2M) - 1));
	CHECK(pfn_valid(PHYS_PFN(far + 6 * SZ_2M)));
	/* the odd bank is rounded out to subsections: [0x300000000, 0x300400000+2M) */
	CHECK(pfn_valid(PHYS_PFN(0x300000000ULL)));
	CHECK(pfn_valid(PHYS_PFN(0x300600000ULL) - 1));
	CHECK(!pfn_valid(PHYS_PFN(0x300600000ULL)));
	CHECK(PageFlag(pfn_to_page(PHYS_PFN(0x300000000ULL)), PG_reserved));
	CHECK(PageFlag(pfn_to_page(PHYS_PFN(odd) - 1), PG_reserved));
	CHECK(!PageFlag(pfn_to_page(PHYS_PFN(odd)), PG_reserved));
	CHECK(!PageFlag(pfn_to_page(PHYS_PFN(odd + 3 * SZ_1M)), PG_reserved));
	CHECK(PageFlag(pfn_to_page(PHYS_PFN(odd + 3 * SZ_1M + 0x3000)), PG_reserved));
	CHECK(!PageFlag(pfn_to_page(ram_pfn + 5), PG_reserved));

	/* pristine pages, written through the vmemmap and stored where the page table says */
	CHECK_EQ(page_zonenum(pfn_to_page(ram_pfn + 77)), ZONE_NORMAL);
	CHECK_EQ(page_ref_count(pfn_to_page(ram_pfn + 77)), 1);
	CHECK_EQ(page_mapcount(pfn_to_page(ram_pfn + 77)), 0);
	CHECK_EQ(memcmp(page_in_backing(ram_pfn + 77), pfn_to_page(ram_pfn + 77),
			sizeof(struct page)), 0);
	CHECK(hostmmu_faults() > 0);

	/* a whole section at once gets one PMD leaf; the holed one base pages */
	CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(ram_pfn), NULL), PGTABLE_LEVEL_PMD);
	CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(PHYS_PFN(far)), NULL), PGTABLE_LEVEL_PTE);
	sparse_get_stats(&ss);
	vmemmap_get_stats(&vs);
	CHECK_EQ(ss.present_sections, 3);
	CHECK_EQ(ss.present_subsections, 64 + 62 + 3);
	CHECK_EQ(ss.online_sections, 3);
	CHECK_EQ(ss.window_sections, WINDOW_SPAN >> SECTION_SIZE_BITS);
	CHECK_EQ(vs.pmd_leaves, 1);
	CHECK_EQ(vs.pte_leaves, (62 + 3) * 8);
	CHECK_EQ(vs.ram_bytes, SZ_2M + (62 + 3) * 8 * PAGE_SIZE);
	CHECK_EQ(vs.altmap_bytes, 0);
	printf("# section table %llu bytes, vmemmap %llu bytes RAM, %ld table pages\n",
	       (unsigned long long)ss.table_bytes, (unsigned long long)vs.ram_bytes,
	       vs.table_pages);
	env_teardown();
}

static void pfn_valid_is_subsection_granular(void)
{
	unsigned long sec = 40, pfn = section_nr_to_pfn(sec) + 5 * SUB_PAGES;

	init_ok();
	CHECK_EQ(sparse_add_section(pfn, SUB_PAGES, NULL, ZONE_DEVICE), 0);
	CHECK(pfn_valid(pfn) && pfn_valid(pfn + SUB_PAGES - 1));
	CHECK(!pfn_valid(pfn - 1) && !pfn_valid(pfn + SUB_PAGES));
	CHECK(present_section_nr(sec));
	CHECK(!online_section_nr(sec)); /* ZONE_DEVICE */
	CHECK_EQ(__nr_to_section(sec)->subsection_map, 1UL << 5);
	CHECK_EQ(page_zonenum(pfn_to_page(pfn + 3)), ZONE_DEVICE);
	CHECK_EQ(sparse_add_section(pfn + SUB_PAGES, SUB_PAGES, NULL, ZONE_NORMAL), 0);
	CHECK(online_section_nr(sec));
	CHECK_EQ(__nr_to_section(sec)->subsection_map, 3UL << 5);
	CHECK(!pfn_valid(PHYS_PFN(env_layout.phys_base) - 1));
	CHECK(!pfn_valid(PHYS_PFN(env_layout.phys_base + WINDOW_SPAN)));
	CHECK(__nr_to_section(pfn_to_section_nr(PHYS_PFN(env_layout.phys_base)) - 1) == NULL);
	CHECK_EQ(sparse_remove_section(pfn, 2 * SUB_PAGES, NULL), 0);
	CHECK(!pfn_valid(pfn) && !present_section_nr(sec) && !online_section_nr(sec));
	env_teardown();
}

static void add_and_remove_refuse_bad_ranges(void)
{
	unsigned long pfn = section_nr_to_pfn(50);
	unsigned long first = PHYS_PFN(env_layout.phys_base);
	struct env_snap a, b;

	CHECK_EQ(sparse_add_section(pfn, SUB_PAGES, NULL, ZONE_NORMAL), -ENODEV);
	init_ok();
	env_snapshot(&a);
	CHECK_EQ(sparse_add_section(pfn + 1, SUB_PAGES, NULL, ZONE_NORMAL), -EINVAL);
	CHECK_EQ(sparse_add_section(pfn, SUB_PAGES + 1, NULL, ZONE_NORMAL), -EINVAL);
	CHECK_EQ(sparse_add_section(pfn, 0, NULL, ZONE_NORMAL), -EINVAL);
	CHECK_EQ(sparse_add_section(first - SUB_PAGES, SUB_PAGES, NULL, ZONE_NORMAL), -ERANGE);
	CHECK_EQ(sparse_add_section(first + PHYS_PFN(WINDOW_SPAN) - SUB_PAGES, 2 * SUB_PAGES,
				    NULL, ZONE_NORMAL), -ERANGE);
	CHECK_EQ(sparse_add_section(PHYS_PFN(RAM_BASE) + SUB_PAGES, SUB_PAGES, NULL, ZONE_NORMAL),
		 -EEXIST);
	CHECK_EQ(sparse_remove_section(pfn, SUB_PAGES, NULL), -ENOENT);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));

	/* a range partly present is refused as a whole, both ways */
	CHECK_EQ(sparse_add_section(pfn, 4 * SUB_PAGES, NULL, ZONE_NORMAL), 0);
	CHECK_EQ(sparse_add_section(pfn - SUB_PAGES, 2 * SUB_PAGES, NULL, ZONE_NORMAL), -EEXIST);
	CHECK(!pfn_valid(pfn - 1));
	CHECK_EQ(sparse_remove_section(pfn + 2 * SUB_PAGES, 4 * SUB_PAGES, NULL), -ENOENT);
	CHECK(pfn_valid(pfn + 3 * SUB_PAGES));
	CHECK_EQ(sparse_remove_section(pfn, 4 * SUB_PAGES, NULL), 0);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static void removing_part_of_a_pmd_section_keeps_the_leaf(void)
{
	unsigned long pfn = section_nr_to_pfn(60);
	struct vmemmap_stats vs;
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	CHECK_EQ(sparse_add_section(pfn, SEC_PAGES, NULL, ZONE_NORMAL), 0);
	CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(pfn), NULL), PGTABLE_LEVEL_PMD);
	CHECK_EQ(sparse_remove_section(pfn + 8 * SUB_PAGES, SUB_PAGES, NULL), 0);
	CHECK(!pfn_valid(pfn + 8 * SUB_PAGES) && pfn_valid(pfn + 9 * SUB_PAGES));
	CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(pfn + 8 * SUB_PAGES), NULL), PGTABLE_LEVEL_PMD);
	/* added again: the leaf still holds its memmap, nothing new is allocated */
	vmemmap_get_stats(&vs);
	CHECK_EQ(sparse_add_section(pfn + 8 * SUB_PAGES, SUB_PAGES, NULL, ZONE_NORMAL), 0);
	CHECK_EQ(page_ref_count(pfn_to_page(pfn + 8 * SUB_PAGES)), 1);
	env_snapshot(&b);
	CHECK_EQ(b.vs.ram_bytes, vs.ram_bytes);
	CHECK_EQ(sparse_remove_section(pfn, 32 * SUB_PAGES, NULL), 0);
	CHECK_EQ(sparse_remove_section(pfn + 32 * SUB_PAGES, 32 * SUB_PAGES, NULL), 0);
	CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(pfn), NULL), -1);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	env_teardown();
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned long rnd(unsigned long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)(rng % n);
}

#define NSUB (PHYS_PFN(WINDOW_SPAN) / SUB_PAGES)
static bool model[NSUB];

struct sub_range {
	unsigned long sub, n;
	enum zone_type zone;
};

static void check_model(unsigned long first)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < NSUB; i++) {
		unsigned long pfn = first + i * SUB_PAGES + rnd(SUB_PAGES);

		if (pfn_valid(pfn) != model[i]) {
			if (!bad)
				printf("# subsection %lu: pfn_valid %d, model %d\n", i, !model[i],
				       model[i]);
			bad++;
			continue;
		}
		if (model[i]) {
			struct page *p = pfn_to_page(pfn);

			bad += page_to_pfn(p) != pfn;
			bad += pfn_to_page(page_to_pfn(p)) != p;
			bad += page_to_phys(p) != PFN_PHYS(pfn);
			bad += page_ref_count(p) != 1;
		}
	}
	CHECK_EQ(bad, 0);
}

static void random_section_layouts_round_trip(void)
{
	unsigned long first = PHYS_PFN(env_layout.phys_base);
	struct sub_range live[24];
	struct env_snap a, b;
	int nlive;

	init_ok();
	memset(model, 0, sizeof(model));
	for (unsigned long i = 0; i < 64; i++)
		model[(PHYS_PFN(RAM_BASE) - first) / SUB_PAGES + i] = true;
	env_snapshot(&a);
	for (int round = 0; round < 6; round++) {
		nlive = 0;
		for (int k = 0; k < 40 && nlive < (int)ARRAY_SIZE(live); k++) {
			struct sub_range r;
			bool clash = false;
			int ret;

			/* lengths from one subsection to a bit more than a section */
			r.n = 1 + (rnd(4) == 0 ? rnd(80) : rnd(12));
			r.sub = rnd(NSUB - r.n);
			r.zone = rnd(2) ? ZONE_DEVICE : ZONE_NORMAL;
			if (rnd(3) == 0) /* section aligned, so PMD leaves get used */
				r.sub = ALIGN_DOWN(r.sub, 64);
			for (unsigned long i = 0; i < r.n; i++)
				clash |= model[r.sub + i];
			ret = sparse_add_section(first + r.sub * SUB_PAGES, r.n * SUB_PAGES, NULL,
						 r.zone);
			CHECK_EQ(ret, clash ? -EEXIST : 0);
			if (ret)
				continue;
			for (unsigned long i = 0; i < r.n; i++)
				model[r.sub + i] = true;
			live[nlive++] = r;
		}
		check_model(first);
		/* remove in random order, sometimes in two pieces */
		while (nlive) {
			int k = (int)rnd((unsigned long)nlive);
			struct sub_range r = live[k];
			unsigned long cut = r.n > 1 && rnd(2) ? 1 + rnd(r.n - 1) : r.n;

			CHECK_EQ(sparse_remove_section(first + r.sub * SUB_PAGES, cut * SUB_PAGES, NULL),
				 0);
			for (unsigned long i = 0; i < cut; i++)
				model[r.sub + i] = false;
			if (cut < r.n) {
				live[k].sub += cut;
				live[k].n -= cut;
			} else {
				live[k] = live[--nlive];
			}
			if (rnd(4) == 0)
				check_model(first);
		}
		check_model(first);
		env_snapshot(&b);
		CHECK(env_same(&a, &b));
	}
	env_teardown();
}

static void section_table_pages_come_and_go(void)
{
	struct sparse_stats s0, s1;
	/* sections 16 (RAM) and 300: different 128-section pages of the table */
	unsigned long pfn = section_nr_to_pfn(300);

	init_ok();
	sparse_get_stats(&s0);
	CHECK_EQ(s0.table_bytes, PAGE_SIZE + 2 * PAGE_SIZE); /* root page, one mid, one chunk */
	CHECK_EQ(sparse_add_section(pfn, SUB_PAGES, NULL, ZONE_DEVICE), 0);
	sparse_get_stats(&s1);
	CHECK_EQ(s1.table_bytes, s0.table_bytes + PAGE_SIZE);
	CHECK_EQ(sparse_remove_section(pfn, SUB_PAGES, NULL), 0);
	sparse_get_stats(&s1);
	CHECK_EQ(s1.table_bytes, s0.table_bytes);
	env_teardown();
}

static void sparse_exit_returns_everything(void)
{
	init_ok();
	CHECK_EQ(sparse_add_section(section_nr_to_pfn(100), 3 * SEC_PAGES, NULL, ZONE_NORMAL), 0);
	CHECK_EQ(sparse_add_section(section_nr_to_pfn(200) + SUB_PAGES, 7 * SUB_PAGES, NULL,
				    ZONE_DEVICE), 0);
	env_teardown(); /* sparse_exit() and the leak checks */
	CHECK(!pfn_valid(PHYS_PFN(RAM_BASE)));
	CHECK_EQ(sparse_remove_section(PHYS_PFN(RAM_BASE), SUB_PAGES, NULL), -ENODEV);
}

static const struct tap_case cases[] = {
	TAP_CASE(sparse_init_gives_ram_struct_pages),
	TAP_CASE(pfn_valid_is_subsection_granular),
	TAP_CASE(add_and_remove_refuse_bad_ranges),
	TAP_CASE(removing_part_of_a_pmd_section_keeps_the_leaf),
	TAP_CASE(random_section_layouts_round_trip),
	TAP_CASE(section_table_pages_come_and_go),
	TAP_CASE(sparse_exit_returns_everything),
};

TAP_MAIN("mm_sparse", cases)
