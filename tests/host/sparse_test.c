// SPDX-License-Identifier: BSD-2-Clause
// mm/sparse.c over real page tables (riscv64 Sv48 / arm64 encodings) and the real memblock:
// boot population, subsection-granular pfn_valid(), hot-add/hot-remove over random section
// layouts against a model, error cases, leak checks (every page back after removal), and
// sections shared by RAM, altmaps and volatile ranges, added and removed in every order.
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
	init_pages(pfn_to_page(pfn), SUB_PAGES, ZONE_DEVICE); /* memmap_init_zone_device()'s part */
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
			if (r.zone == ZONE_DEVICE) /* memmap_init_zone_device()'s part */
				init_pages(pfn_to_page(first + r.sub * SUB_PAGES), r.n * SUB_PAGES,
					   ZONE_DEVICE);
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

/* ---- sections shared by owners: RAM, two altmaps and a volatile range ------------------- */

/*
 * Section 17 (the backed "pmem" section) split four ways, one range spilling into section 18:
 * RAM [0, 16), altmap A [16, 32), altmap B [32, 48), volatile [48, 72) in subsections of 17.
 * The altmaps are heap objects freed as soon as their range is removed, so ASan catches any
 * section state still pointing at one.
 */
enum owner_kind { OWN_RAM, OWN_ALTMAP, OWN_VOLATILE };

struct shared_range {
	const char *name;
	unsigned long sub, n; /* subsections from the start of section 17 */
	enum owner_kind kind;
	struct vmem_altmap *am;
	bool live;
};

#define SHARED_PFN section_nr_to_pfn(17)

static unsigned long sr_pfn(const struct shared_range *r)
{
	return SHARED_PFN + r->sub * SUB_PAGES;
}

static unsigned long sr_pages(const struct shared_range *r)
{
	return r->n * SUB_PAGES;
}

static unsigned long marker(unsigned long pfn)
{
	return pfn * 0x9e3779b97f4a7c15UL ^ 0x5aUL;
}

static struct vmem_altmap *new_altmap(unsigned long base, unsigned long end, unsigned long free)
{
	struct vmem_altmap init = { .base_pfn = base, .end_pfn = end, .reserve = 1, .free = free };
	struct vmem_altmap *am = malloc(sizeof(*am));

	memcpy(am, &init, sizeof(*am));
	return am;
}

static int sr_add(struct shared_range *r)
{
	enum zone_type zone = r->kind == OWN_RAM ? ZONE_NORMAL : ZONE_DEVICE;
	int ret;

	if (r->kind == OWN_ALTMAP)
		r->am = new_altmap(sr_pfn(r), sr_pfn(r) + sr_pages(r), r->n * 8 + 7);
	ret = sparse_add_section(sr_pfn(r), sr_pages(r), r->am, zone);
	if (ret) {
		free(r->am);
		r->am = NULL;
		return ret;
	}
	r->live = true;
	if (zone == ZONE_DEVICE) /* memmap_init_zone_device()'s part */
		init_pages(pfn_to_page(sr_pfn(r)), sr_pages(r), ZONE_DEVICE);
	/* each struct page remembers its pfn: nobody else's add or remove may change it */
	for (unsigned long p = sr_pfn(r); p < sr_pfn(r) + sr_pages(r); p++)
		pfn_to_page(p)->private = marker(p);
	return 0;
}

static int sr_remove(struct shared_range *r)
{
	int ret = sparse_remove_section(sr_pfn(r), sr_pages(r), r->am);

	if (ret)
		return ret;
	if (r->am) {
		CHECK_EQ(r->am->alloc, 0);
		CHECK_EQ(r->am->align, 0);
		free(r->am);
		r->am = NULL;
	}
	r->live = false;
	return 0;
}

/* Where the memmap of @pfn physically is: in @r's own altmap storage, or in RAM. */
static bool backing_ok(const struct shared_range *r, unsigned long pfn)
{
	phys_addr_t pa;

	if (env_leaf((uintptr_t)pfn_to_page(pfn), &pa) < 0)
		return false;
	if (r->am)
		return PHYS_PFN(pa) >= r->am->base_pfn + r->am->reserve &&
		       PHYS_PFN(pa) < r->am->base_pfn + r->am->reserve + r->am->free;
	return pa >= RAM_BASE && pa < RAM_BASE + RAM_SIZE;
}

static unsigned long check_shared(const struct shared_range *rs, int n)
{
	unsigned long bad = 0;

	for (int i = 0; i < n; i++) {
		const struct shared_range *r = &rs[i];

		for (unsigned long p = sr_pfn(r); p < sr_pfn(r) + sr_pages(r); p += 61) {
			if (pfn_valid(p) != r->live) {
				bad++;
				continue;
			}
			if (!r->live)
				continue;
			bad += pfn_to_page(p)->private != marker(p);
			bad += page_zonenum(pfn_to_page(p)) !=
			       (r->kind == OWN_RAM ? ZONE_NORMAL : ZONE_DEVICE);
			bad += !backing_ok(r, p);
		}
		if (r->live && r->am)
			bad += r->am->alloc != r->n * 8; /* 8 vmemmap pages per subsection */
	}
	return bad;
}

static void swap_int(int *a, int *b)
{
	int t = *a;

	*a = *b;
	*b = t;
}

/* The next permutation of @p in lexicographic order (the first after the last). */
static void next_perm(int *p, int n)
{
	int i = n - 2, j = n - 1;

	while (i >= 0 && p[i] > p[i + 1])
		i--;
	if (i < 0) {
		for (i = 0; i < n; i++)
			p[i] = i;
		return;
	}
	while (p[j] < p[i])
		j--;
	swap_int(&p[i], &p[j]);
	for (i++, j = n - 1; i < j; i++, j--)
		swap_int(&p[i], &p[j]);
}

static void four_owners_share_a_section_in_every_order(void)
{
	struct shared_range rs[4] = {
		{ "ram", 0, 16, OWN_RAM, NULL, false },
		{ "altmap A", 16, 16, OWN_ALTMAP, NULL, false },
		{ "altmap B", 32, 16, OWN_ALTMAP, NULL, false },
		{ "volatile", 48, 24, OWN_VOLATILE, NULL, false },
	};
	int add[4] = { 0, 1, 2, 3 }, del[4] = { 0, 1, 2, 3 };
	unsigned long bad = 0, errors = 0, combos = 0;
	struct env_snap a, b;

	init_ok();
	env_snapshot(&a);
	for (int x = 0; x < 24; x++, next_perm(add, 4)) {
		for (int y = 0; y < 24; y++, next_perm(del, 4)) {
			for (int k = 0; k < 4; k++) {
				int ret = sr_add(&rs[add[k]]);

				if (ret && !errors++)
					printf("# adding %s after %d others: %d\n", rs[add[k]].name, k, ret);
				bad += check_shared(rs, 4);
			}
			for (int k = 0; k < 4; k++) {
				int ret = sr_remove(&rs[del[k]]);

				if (ret && !errors++)
					printf("# removing %s: %d\n", rs[del[k]].name, ret);
				bad += check_shared(rs, 4);
				/* the removed one comes back at once, then goes again */
				if (k == 1 && !ret) {
					errors += sr_add(&rs[del[k]]) != 0;
					bad += check_shared(rs, 4);
					errors += sr_remove(&rs[del[k]]) != 0;
				}
			}
			env_snapshot(&b);
			bad += !env_same(&a, &b);
			combos++;
			if (errors || bad)
				goto out;
		}
	}
out:
	printf("# %lu add/remove orders\n", combos);
	CHECK_EQ(errors, 0);
	CHECK_EQ(bad, 0);
	for (int i = 0; i < 4; i++)
		if (rs[i].live)
			sr_remove(&rs[i]);
	env_teardown();
}

/* A whole section added by one owner is one PMD leaf; part removed, another owner comes in. */
static void leaf_of_one_owner_is_split_for_another(void)
{
	for (int ram_leaf = 0; ram_leaf < 2; ram_leaf++) {
		struct shared_range whole = { "whole", 0, 64, ram_leaf ? OWN_VOLATILE : OWN_ALTMAP,
					      NULL, false };
		struct shared_range hole = { "hole", 40, 8, OWN_VOLATILE, NULL, false };
		struct shared_range b = { "altmap B", 40, 8, OWN_ALTMAP, NULL, false };
		struct env_snap a, s;
		phys_addr_t pa;

		init_ok();
		env_snapshot(&a);
		if (!ram_leaf) /* room for a 2 MiB aligned block after the reserve */
			whole.am = new_altmap(SHARED_PFN, SHARED_PFN + SEC_PAGES, 1023);
		CHECK_EQ(sparse_add_section(SHARED_PFN, SEC_PAGES, whole.am, ZONE_DEVICE), 0);
		init_pages(pfn_to_page(SHARED_PFN), SEC_PAGES, ZONE_DEVICE);
		whole.live = true;
		for (unsigned long p = SHARED_PFN; p < SHARED_PFN + SEC_PAGES; p++)
			pfn_to_page(p)->private = marker(p);
		CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(SHARED_PFN), NULL), PGTABLE_LEVEL_PMD);
		CHECK_EQ(sparse_remove_section(sr_pfn(&hole), sr_pages(&hole), whole.am), 0);
		/* the leaf stays for the others */
		CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(sr_pfn(&hole)), NULL), PGTABLE_LEVEL_PMD);
		CHECK_EQ(sr_add(&b), 0);
		CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(SHARED_PFN), &pa), PGTABLE_LEVEL_PTE);
		CHECK(backing_ok(&b, sr_pfn(&b)) && backing_ok(&b, sr_pfn(&b) + sr_pages(&b) - 1));
		CHECK_EQ(b.am->alloc, 64);
		if (whole.am) /* the hole's 64 pages went back, the rest is counted page by page */
			CHECK_EQ(whole.am->alloc, 512 - 64);
		env_snapshot(&s);
		CHECK_EQ(s.vs.ram_bytes - a.vs.ram_bytes, ram_leaf ? 56 * 8 * PAGE_SIZE : 0);
		CHECK_EQ(s.vs.altmap_bytes - a.vs.altmap_bytes,
			 (ram_leaf ? 8 : 64) * 8 * PAGE_SIZE);
		/* every struct page of the first owner is where it was, through the new pages */
		{
			unsigned long wrong = 0;

			for (unsigned long p = SHARED_PFN; p < SHARED_PFN + SEC_PAGES; p += 7) {
				if (p >= sr_pfn(&hole) && p < sr_pfn(&hole) + sr_pages(&hole))
					continue;
				wrong += pfn_to_page(p)->private != marker(p);
				wrong += !pfn_valid(p);
			}
			CHECK_EQ(wrong, 0);
		}
		/* the first owner goes in two pieces, B last; then everything is back */
		CHECK_EQ(sparse_remove_section(SHARED_PFN, 40 * SUB_PAGES, whole.am), 0);
		CHECK(pfn_valid(sr_pfn(&b)) && pfn_to_page(sr_pfn(&b))->private == marker(sr_pfn(&b)));
		CHECK_EQ(sparse_remove_section(SHARED_PFN + 48 * SUB_PAGES, 16 * SUB_PAGES, whole.am),
			 0);
		if (whole.am) {
			CHECK_EQ(whole.am->alloc, 0);
			CHECK_EQ(whole.am->align, 0);
			free(whole.am);
		}
		CHECK_EQ(sr_remove(&b), 0);
		env_snapshot(&s);
		CHECK(env_same(&a, &s));
		env_teardown();
	}
}

/* RAM that runs out after @ram_budget blocks. */
static long ram_budget;

static phys_addr_t budget_block_alloc(size_t size, size_t align, void *ctx)
{
	(void)ctx;
	if (ram_budget == 0)
		return 0;
	ram_budget--;
	return memblock_phys_alloc(size, align);
}

static void budget_block_free(phys_addr_t pa, size_t size, void *ctx)
{
	(void)ctx;
	memblock_phys_free(pa, size);
}

/* No RAM for the split copy: the other owner is refused, the leaf and its struct pages stay. */
static void leaf_split_without_ram_changes_nothing(void)
{
	struct shared_range hole = { "hole", 40, 8, OWN_VOLATILE, NULL, false };
	struct shared_range b = { "altmap B", 40, 8, OWN_ALTMAP, NULL, false };
	struct env_snap a, s;
	unsigned long wrong = 0;

	init_ok();
	env_snapshot(&a);
	CHECK_EQ(sparse_add_section(SHARED_PFN, SEC_PAGES, NULL, ZONE_DEVICE), 0);
	init_pages(pfn_to_page(SHARED_PFN), SEC_PAGES, ZONE_DEVICE);
	for (unsigned long p = SHARED_PFN; p < SHARED_PFN + SEC_PAGES; p++)
		pfn_to_page(p)->private = marker(p);
	CHECK_EQ(sparse_remove_section(sr_pfn(&hole), sr_pages(&hole), NULL), 0);
	env_snapshot(&s);
	for (long budget = 0; budget < 448; budget += 111) {
		struct env_snap now;

		ram_budget = budget;
		vmemmap_set_allocator(budget_block_alloc, budget_block_free, NULL);
		CHECK_EQ(sr_add(&b), -ENOMEM);
		vmemmap_set_allocator(NULL, NULL, NULL);
		env_snapshot(&now);
		CHECK(env_same(&s, &now));
		CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(SHARED_PFN), NULL), PGTABLE_LEVEL_PMD);
	}
	for (unsigned long p = SHARED_PFN; p < SHARED_PFN + SEC_PAGES; p += 5)
		if (p < sr_pfn(&hole) || p >= sr_pfn(&hole) + sr_pages(&hole))
			wrong += pfn_to_page(p)->private != marker(p);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(sr_add(&b), 0);
	CHECK_EQ(sparse_remove_section(SHARED_PFN, 40 * SUB_PAGES, NULL), 0);
	CHECK_EQ(sparse_remove_section(SHARED_PFN + 48 * SUB_PAGES, 16 * SUB_PAGES, NULL), 0);
	CHECK_EQ(sr_remove(&b), 0);
	env_snapshot(&s);
	CHECK(env_same(&a, &s));
	env_teardown();
}

/* Removing with the wrong owner is refused for the whole range and changes nothing. */
static void remove_with_another_owners_altmap_is_refused(void)
{
	struct shared_range ra = { "altmap A", 16, 16, OWN_ALTMAP, NULL, false };
	struct shared_range rb = { "altmap B", 32, 16, OWN_ALTMAP, NULL, false };
	struct env_snap a, b;

	init_ok();
	CHECK_EQ(sr_add(&ra), 0);
	CHECK_EQ(sr_add(&rb), 0);
	env_snapshot(&a);
	CHECK_EQ(sparse_remove_section(sr_pfn(&ra), sr_pages(&ra), rb.am), -EINVAL);
	CHECK_EQ(sparse_remove_section(sr_pfn(&ra), sr_pages(&ra), NULL), -EINVAL);
	/* a range over both: A's part matches, B's does not */
	CHECK_EQ(sparse_remove_section(sr_pfn(&ra), 2 * sr_pages(&ra), ra.am), -EINVAL);
	env_snapshot(&b);
	CHECK(env_same(&a, &b));
	CHECK_EQ(check_shared(&ra, 1) + check_shared(&rb, 1), 0);
	CHECK_EQ(sr_remove(&rb), 0);
	CHECK_EQ(sr_remove(&ra), 0);
	env_teardown();
}

/*
 * A device hot-add writes only the struct pages of the altmap's own storage: the others are
 * memmap_init_zone_device()'s, written once there. The storage is poisoned first, so a struct
 * page the hot-add wrote shows.
 */
static void device_pages_are_left_for_memmap_init_zone_device(void)
{
	struct vmem_altmap *am = new_altmap(SHARED_PFN, SHARED_PFN + SEC_PAGES, 1023);
	unsigned long first = SHARED_PFN + vmem_altmap_offset(am);
	const unsigned long poison = 0xa5a5a5a5a5a5a5a5UL;

	init_ok();
	memset(__va(PFN_PHYS(SHARED_PFN)), 0xa5, PFN_PHYS(first - SHARED_PFN));
	CHECK_EQ(sparse_add_section(SHARED_PFN, SEC_PAGES, am, ZONE_DEVICE), 0);
	CHECK_EQ(env_leaf((uintptr_t)pfn_to_page(SHARED_PFN), NULL), PGTABLE_LEVEL_PMD);
	CHECK_EQ(page_zonenum(pfn_to_page(SHARED_PFN)), ZONE_DEVICE);
	CHECK_EQ(page_ref_count(pfn_to_page(first - 1)), 1);
	CHECK_EQ(pfn_to_page(first - 1)->_pad, 0);
	CHECK_EQ(pfn_to_page(first)->flags, poison);
	CHECK_EQ(pfn_to_page(SHARED_PFN + SEC_PAGES - 1)->_pad, poison);
	CHECK_EQ(sparse_remove_section(SHARED_PFN, SEC_PAGES, am), 0);
	free(am);
	env_teardown();
}

static const struct tap_case cases[] = {
	TAP_CASE(sparse_init_gives_ram_struct_pages),
	TAP_CASE(pfn_valid_is_subsection_granular),
	TAP_CASE(add_and_remove_refuse_bad_ranges),
	TAP_CASE(removing_part_of_a_pmd_section_keeps_the_leaf),
	TAP_CASE(random_section_layouts_round_trip),
	TAP_CASE(device_pages_are_left_for_memmap_init_zone_device),
	TAP_CASE(section_table_pages_come_and_go),
	TAP_CASE(sparse_exit_returns_everything),
	TAP_CASE(four_owners_share_a_section_in_every_order),
	TAP_CASE(leaf_of_one_owner_is_split_for_another),
	TAP_CASE(leaf_split_without_ram_changes_nothing),
	TAP_CASE(remove_with_another_owners_altmap_is_refused),
};

TAP_MAIN("mm_sparse", cases)
