// SPDX-License-Identifier: BSD-2-Clause
// Buddy allocator and contiguous-range allocator (mm/page_alloc.c) over simulated RAM: a host
// vmemmap array (mm/page.c's vmemmap pointed at it), memblock layouts with holes, reserved and
// no-map ranges, and a reference model.
#include <stdlib.h>

#include <platform/errno.h>
#include <mm/memblock.h>
#include <mm/page.h>
#include <mm/page_alloc.h>

#include "fakes.h"
#include "physmem.h"
#include "tap.h"

/* struct pages for pfns [VM_BASE_PFN, VM_BASE_PFN + VM_PAGES): 3 GiB from 0x80000000. */
#define VM_BASE_PFN 0x80000UL
#define VM_PAGES 0xc0000UL
#define PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))

static struct page *vm_buf;
static unsigned long span_start, span_end;
/* Pages whose struct pages the allocator may touch (whole pages of non-NOMAP RAM). */
static bool *is_ram;
/* Pages free right after memblock_free_all(). */
static bool *free_at_init;
static unsigned long nr_free_at_init;

struct range {
	phys_addr_t base, size;
};

static void fill_poison(struct page *p)
{
	memset(p, 0xff, sizeof(*p));
}

static bool is_poisoned(const struct page *p)
{
	const unsigned char *b = (const unsigned char *)p;

	for (size_t i = 0; i < sizeof(*p); i++)
		if (b[i] != 0xff)
			return false;
	return true;
}

/*
 * setup() - a fresh memblock layout, struct pages for it (non-RAM ones poisoned: the allocator
 * must never read or write them), page_alloc_init() and memblock_free_all().
 */
static void setup(const struct range *mem, size_t nmem, const struct range *res, size_t nres,
		  const struct range *nomap, size_t nnomap)
{
	phys_addr_t s, e;
	uint64_t idx;

	if (!vm_buf) {
		vm_buf = aligned_alloc(16UL << 20, VM_PAGES * sizeof(struct page));
		is_ram = calloc(VM_PAGES, 1);
		free_at_init = calloc(VM_PAGES, 1);
		if (!vm_buf || !is_ram || !free_at_init)
			abort();
		physmem_init();
		/* vmemmap + pfn is vm_buf + (pfn - VM_BASE_PFN); 16 MiB aligned as page.h requires */
		vmemmap = (struct page *)((uintptr_t)vm_buf - VM_BASE_PFN * sizeof(struct page));
	}
	memblock_reset();
	for (size_t i = 0; i < nmem; i++)
		memblock_add(mem[i].base, mem[i].size);
	for (size_t i = 0; i < nres; i++)
		memblock_reserve(res[i].base, res[i].size);
	for (size_t i = 0; i < nnomap; i++)
		memblock_mark_nomap(nomap[i].base, nomap[i].size);

	span_start = PFN(mem[0].base);
	span_end = PFN(mem[nmem - 1].base + mem[nmem - 1].size);
	memset(is_ram, 0, VM_PAGES);
	memset(free_at_init, 0, VM_PAGES);
	for (unsigned long pfn = span_start; pfn < span_end; pfn++) {
		phys_addr_t pa = PFN_PHYS(pfn);
		bool ram = memblock_is_region_memory(pa, PAGE_SIZE);

		for (size_t i = 0; i < nnomap; i++)
			if (pa < nomap[i].base + nomap[i].size && nomap[i].base < pa + PAGE_SIZE)
				ram = false;
		is_ram[pfn - VM_BASE_PFN] = ram;
		if (ram)
			init_single_page(pfn_to_page(pfn), ZONE_NORMAL);
		else
			fill_poison(pfn_to_page(pfn));
	}
	nr_free_at_init = 0;
	for_each_free_mem_range(idx, &s, &e) {
		for (unsigned long pfn = PFN_UP(s); pfn < PFN_DOWN(e); pfn++) {
			free_at_init[pfn - VM_BASE_PFN] = true;
			nr_free_at_init++;
		}
	}
	page_alloc_init(span_start, span_end);
	CHECK(!page_alloc_ready());
	CHECK_EQ(memblock_free_all(), nr_free_at_init);
	CHECK(page_alloc_ready());
	page_alloc_reset_stats();
}

/* 64 MiB in two banks with a 4 MiB hole, an image, odd reservations and a no-map range. */
static const struct range small_mem[] = {
	{ 0x80000000, 0x2000000 },
	{ 0x82400000, 0x1c00000 },
};
static const struct range small_res[] = {
	{ 0x80000000, 0x200000 },   /* image */
	{ 0x80300800, 0x1000 },	    /* straddles two pages */
	{ 0x81000000, 0x3000 },
	{ 0x83ff0000, 0x10000 },    /* top of RAM */
};
static const struct range small_nomap[] = {
	{ 0x83000000, 0x100000 },
};

static void setup_small(void)
{
	setup(small_mem, ARRAY_SIZE(small_mem), small_res, ARRAY_SIZE(small_res), small_nomap,
	      ARRAY_SIZE(small_nomap));
}

/* 2 GiB of RAM (only the first 64 MiB backed by physmem: no __GFP_ZERO here). */
static const struct range big_mem[] = { { 0x80000000, 0x80000000 } };
static const struct range big_res[] = { { 0x80000000, 0x200000 } };

static void setup_big(void)
{
	setup(big_mem, 1, big_res, 1, NULL, 0);
}

/*
 * check_state() - the struct pages agree with the counters: free heads (PG_buddy) are aligned,
 * inside RAM, cover only free pages; their total is nr_free_pages() and per-order counts match;
 * non-RAM struct pages are still poisoned. @owned (may be NULL) marks pages the test holds.
 */
static void check_state(const bool *owned)
{
	unsigned long per_order[NR_PAGE_ORDERS] = { 0 }, total = 0;
	int bad = 0;

	for (unsigned long pfn = span_start; pfn < span_end; pfn++) {
		const struct page *p = pfn_to_page(pfn);
		unsigned long i = pfn - VM_BASE_PFN;

		if (!is_ram[i]) {
			bad += !is_poisoned(p);
			continue;
		}
		if (!free_at_init[i]) {
			bad += !PageFlag(p, PG_reserved) || page_ref_count(p) != 1;
			continue;
		}
		if (!PageFlag(p, PG_buddy))
			continue;
		unsigned long order = p->private, nr = 1UL << order;

		if (order > MAX_PAGE_ORDER || (pfn & (nr - 1)) || pfn + nr > span_end) {
			bad++;
			continue;
		}
		per_order[order]++;
		total += nr;
		for (unsigned long k = 0; k < nr; k++) {
			const struct page *q = p + k;

			bad += !free_at_init[i + k] || (owned && owned[i + k]);
			bad += page_ref_count(q) != 0 || PageFlag(q, PG_reserved) || PageTail(q);
			bad += k && PageFlag(q, PG_buddy);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(total, nr_free_pages());
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		CHECK_EQ(per_order[o], nr_free_blocks(o));
}

static unsigned long bad_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.bad_pages;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Not initialized yet: nothing to allocate, not ready. Must run first. */
static void alloc_pages_before_init_fails(void)
{
	CHECK(!page_alloc_ready());
	CHECK(alloc_pages(GFP_KERNEL, 0) == NULL);
	CHECK(alloc_contig_pages(1, 1, __GFP_NOWARN) == NULL);
	CHECK_EQ(nr_free_pages(), 0);
}

static void memblock_free_all_releases_free_ranges(void)
{
	setup_small();
	CHECK_EQ(nr_free_pages(), nr_free_at_init);
	CHECK_EQ(totalram_pages(), nr_free_at_init);
	check_state(NULL);
	/* memblock must not hand out what the buddy owns any more */
	CHECK_EQ(memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE), 0);
	CHECK_EQ(memblock_free_all(), 0);
	/* the 2 MiB image and the top 64 KiB are reserved: no block covers them */
	CHECK(PageFlag(pfn_to_page(PFN(0x80000000ULL)), PG_reserved));
	CHECK(PageFlag(pfn_to_page(PFN(0x80300000ULL)), PG_reserved));
	CHECK(PageFlag(pfn_to_page(PFN(0x80301000ULL)), PG_reserved));
}

static void alloc_pages_every_order_round_trip(void)
{
	struct page_alloc_snapshot snap;
	struct page_alloc_stats st;

	setup_big();
	page_alloc_snapshot(&snap);
	for (unsigned int order = 0; order <= MAX_PAGE_ORDER; order++) {
		for (int comp = 0; comp < 2; comp++) {
			gfp_t gfp = comp ? __GFP_COMP : GFP_KERNEL;
			struct page *page = alloc_pages(gfp, order);
			unsigned long pfn, nr = 1UL << order;

			CHECK(page != NULL);
			if (!page)
				continue;
			pfn = page_to_pfn(page);
			CHECK_EQ(pfn & (nr - 1), 0);
			CHECK(pfn >= span_start && pfn + nr <= span_end);
			CHECK(free_at_init[pfn - VM_BASE_PFN] && free_at_init[pfn + nr - 1 - VM_BASE_PFN]);
			CHECK_EQ(page_ref_count(page), 1);
			CHECK(!PageFlag(page, PG_buddy));
			CHECK_EQ(nr_free_pages(), snap.free_pages - nr);
			if (comp && order) {
				CHECK(PageHead(page));
				CHECK_EQ(compound_order(page), order);
				CHECK(compound_head(page + nr - 1) == page);
				CHECK(compound_head(page + nr / 2) == page);
			} else {
				CHECK(!PageCompound(page));
			}
			CHECK_EQ(__free_pages(page, order), 0);
			CHECK_EQ(page_alloc_compare(&snap), 0);
			CHECK(!PageCompound(page + nr - 1));
		}
	}
	page_alloc_get_stats(&st);
	CHECK_EQ(st.alloc[MAX_PAGE_ORDER], 2);
	CHECK_EQ(st.free[0], 2);
	CHECK_EQ(st.bad_pages, 0);
	check_state(NULL);
}

static void alloc_pages_order_above_max_fails(void)
{
	struct page_alloc_snapshot snap;

	setup_small();
	page_alloc_snapshot(&snap);
	fake_last_log[0] = 0;
	CHECK(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1) == NULL);
	CHECK(strstr(fake_last_log, "order 19 above MAX_PAGE_ORDER") != NULL);
	CHECK(alloc_pages(GFP_KERNEL, 40) == NULL);
	CHECK_EQ(bad_pages(), 2);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	/* no block of 1 GiB in 64 MiB: a plain failure */
	CHECK(alloc_pages(__GFP_NOWARN, MAX_PAGE_ORDER) == NULL);
	CHECK_EQ(page_alloc_compare(&snap), 0);
}

#define MAX_LIVE 20000

static struct page *live[MAX_LIVE];
static unsigned int live_order[MAX_LIVE];

static void alloc_pages_exhaustion_returns_null(void)
{
	struct page_alloc_snapshot snap;
	static const unsigned int orders[] = { 0, 3, 9 };

	setup_small();
	page_alloc_snapshot(&snap);
	for (size_t k = 0; k < ARRAY_SIZE(orders); k++) {
		unsigned int order = orders[k];
		unsigned long n = 0, expect = 0;
		struct page *page;

		for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++)
			expect += nr_free_blocks(o) << (o - order);
		while (n < MAX_LIVE && (page = alloc_pages(__GFP_NOWARN, order)))
			live[n++] = page;
		CHECK_EQ(n, expect);
		for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++)
			CHECK_EQ(nr_free_blocks(o), 0);
		CHECK(alloc_pages(__GFP_NOWARN, order) == NULL);
		check_state(NULL);
		for (unsigned long i = 0; i < n; i++)
			CHECK_EQ(__free_pages(live[n - 1 - i], order), 0);
		CHECK_EQ(page_alloc_compare(&snap), 0);
	}
	/* order 0 takes every page */
	unsigned long n = 0;
	struct page *page;

	while (n < MAX_LIVE && (page = alloc_page(__GFP_NOWARN)))
		live[n++] = page;
	CHECK_EQ(n, nr_free_at_init);
	CHECK_EQ(nr_free_pages(), 0);
	fake_last_log[0] = 0;
	CHECK(alloc_page(GFP_KERNEL) == NULL);
	CHECK(strstr(fake_last_log, "page allocation failure: order:0") != NULL);
	/* free in a shuffled order: everything merges back */
	for (unsigned long i = n - 1; i > 0; i--) {
		unsigned long j = rnd() % (i + 1);
		struct page *t = live[i];

		live[i] = live[j];
		live[j] = t;
	}
	for (unsigned long i = 0; i < n; i++)
		__free_page(live[i]);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	check_state(NULL);
}

static void alloc_pages_blocks_aligned_to_order(void)
{
	setup_small();
	for (unsigned int order = 0; order <= 11; order++) {
		unsigned long n = 0;
		struct page *page;
		int misaligned = 0;

		while (n < MAX_LIVE && (page = alloc_pages(__GFP_NOWARN, order))) {
			live[n++] = page;
			misaligned += (page_to_pfn(page) & ((1UL << order) - 1)) != 0;
		}
		CHECK_EQ(misaligned, 0);
		CHECK(n > 0);
		while (n)
			__free_pages(live[--n], order);
	}
	check_state(NULL);
}

static void free_pages_merges_back_to_initial_state(void)
{
	struct page_alloc_snapshot snap;
	struct page_alloc_stats st;
	unsigned long n = 0;

	setup_small();
	page_alloc_snapshot(&snap);
	for (unsigned int i = 0; i < 300; i++) {
		live_order[n] = (unsigned int)(rnd() % 8);
		live[n] = alloc_pages(GFP_KERNEL, live_order[n]);
		CHECK(live[n] != NULL);
		if (live[n])
			n++;
	}
	CHECK(page_alloc_compare(&snap) != 0);
	/* free every other block, then the rest, highest first */
	for (unsigned long i = 0; i < n; i += 2)
		__free_pages(live[i], live_order[i]);
	check_state(NULL);
	for (unsigned long i = n - 1 - (n % 2 == 0 ? 0 : 1); i < n; i -= 2)
		__free_pages(live[i], live_order[i]);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	page_alloc_get_stats(&st);
	CHECK(st.splits > 0);
	CHECK(st.merges > 0);
	check_state(NULL);
}

/* Splits and merges are counted exactly: an order-0 page out of an order-k block splits k times. */
static void alloc_pages_counts_splits_and_merges(void)
{
	struct page_alloc_stats st;
	struct page *a, *b;
	unsigned int k = 0;

	setup_big();
	while (k <= MAX_PAGE_ORDER && nr_free_blocks(k) == 0)
		k++;
	CHECK(k > 0);
	a = alloc_page(GFP_KERNEL);
	page_alloc_get_stats(&st);
	CHECK_EQ(st.splits, k);
	b = alloc_page(GFP_KERNEL);
	CHECK_EQ(page_to_pfn(b), page_to_pfn(a) ^ 1);
	__free_page(a);
	__free_page(b);
	page_alloc_get_stats(&st);
	CHECK_EQ(st.merges, k);
	CHECK_EQ(st.alloc[0], 2);
	CHECK_EQ(st.free[0], 2);
}

static void alloc_pages_stress_against_model(void)
{
	static bool owned[VM_PAGES];
	struct page_alloc_snapshot snap;
	unsigned long n = 0, used = 0;
	int overlap = 0, bad_free = 0, count_mismatch = 0;

	setup_small();
	rng = 0x2545f4914f6cdd1dULL;
	printf("# seed 0x2545f4914f6cdd1d\n");
	memset(owned, 0, sizeof(owned));
	page_alloc_snapshot(&snap);
	for (int op = 0; op < 20000; op++) {
		bool do_alloc = n == 0 || (n < MAX_LIVE && rnd() % 100 < 55);

		if (do_alloc) {
			uint64_t r = rnd();
			unsigned int order = r % 4 ? (unsigned int)(r >> 8) % 4 : (unsigned int)(r >> 8) % 12;
			gfp_t gfp = __GFP_NOWARN | ((r >> 20) & 1 ? __GFP_COMP : 0);
			struct page *page = alloc_pages(gfp, order);
			unsigned long nr = 1UL << order;

			if (!page)
				continue;
			unsigned long pfn = page_to_pfn(page), i = pfn - VM_BASE_PFN;

			overlap += (pfn & (nr - 1)) != 0;
			for (unsigned long k = 0; k < nr; k++) {
				overlap += owned[i + k] || !free_at_init[i + k];
				owned[i + k] = true;
			}
			live[n] = page;
			live_order[n++] = order;
			used += nr;
		} else {
			unsigned long j = rnd() % n;
			unsigned long pfn = page_to_pfn(live[j]), nr = 1UL << live_order[j];

			bad_free += __free_pages(live[j], live_order[j]) != 0;
			for (unsigned long k = 0; k < nr; k++)
				owned[pfn - VM_BASE_PFN + k] = false;
			used -= nr;
			live[j] = live[--n];
			live_order[j] = live_order[n];
		}
		count_mismatch += nr_free_pages() != nr_free_at_init - used;
		if (op % 2000 == 0)
			check_state(owned);
	}
	CHECK_EQ(overlap, 0);
	CHECK_EQ(bad_free, 0);
	CHECK_EQ(count_mismatch, 0);
	check_state(owned);
	while (n) {
		n--;
		CHECK_EQ(__free_pages(live[n], live_order[n]), 0);
	}
	CHECK_EQ(page_alloc_compare(&snap), 0);
	CHECK_EQ(bad_pages(), 0);
	check_state(NULL);
}

static void alloc_pages_never_hands_out_reserved_or_holes(void)
{
	unsigned long n = 0, bad = 0;
	struct page *page;

	setup_small();
	while (n < MAX_LIVE && (page = alloc_page(__GFP_NOWARN))) {
		unsigned long pfn = page_to_pfn(page);

		live[n++] = page;
		bad += !free_at_init[pfn - VM_BASE_PFN];
		bad += memblock_is_region_reserved(PFN_PHYS(pfn), PAGE_SIZE);
		bad += !memblock_is_region_memory(PFN_PHYS(pfn), PAGE_SIZE);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(n, nr_free_at_init);
	/* the hole [0x82000000, 0x82400000) and the no-map range stayed untouched */
	check_state(NULL);
	while (n)
		__free_page(live[--n]);
	check_state(NULL);
	CHECK_EQ(nr_free_pages(), nr_free_at_init);
}

static void get_free_pages_zeroes_and_frees_by_address(void)
{
	struct page_alloc_snapshot snap;
	unsigned long a, z;
	int nonzero = 0;

	setup_small();
	page_alloc_snapshot(&snap);
	z = get_zeroed_page(GFP_KERNEL);
	CHECK(z != 0);
	for (unsigned long i = 0; z && i < PAGE_SIZE; i++)
		nonzero += ((unsigned char *)z)[i] != 0;
	a = __get_free_pages(__GFP_ZERO, 4);
	CHECK(a != 0);
	CHECK_EQ(__pa((void *)a) & ((PAGE_SIZE << 4) - 1), 0);
	for (unsigned long i = 0; a && i < (PAGE_SIZE << 4); i++)
		nonzero += ((unsigned char *)a)[i] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK(page_ref_count(phys_to_page(__pa((void *)a))) == 1);
	CHECK_EQ(free_pages(a, 4), 0);
	CHECK_EQ(free_page(z), 0);
	CHECK_EQ(free_pages(0, 3), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);
}

/* A block with several references is freed by the last __free_pages(). */
static void free_pages_drops_references_first(void)
{
	struct page_alloc_snapshot snap;
	struct page *page;

	setup_small();
	page_alloc_snapshot(&snap);
	page = alloc_pages(__GFP_COMP, 2);
	page_ref_inc(page);
	CHECK_EQ(__free_pages(page, 2), 0);
	CHECK_EQ(page_ref_count(page), 1);
	CHECK(PageHead(page));
	CHECK(page_alloc_compare(&snap) != 0);
	CHECK_EQ(__free_pages(page, 2), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);
}

static void free_reserved_page_adds_a_managed_page(void)
{
	struct page *page;
	unsigned long managed, nfree;

	setup_small();
	page = pfn_to_page(PFN(0x81001000ULL));
	managed = totalram_pages();
	nfree = nr_free_pages();
	CHECK(PageFlag(page, PG_reserved));
	CHECK_EQ(free_reserved_page(page), 0);
	CHECK(!PageFlag(page, PG_reserved));
	CHECK_EQ(totalram_pages(), managed + 1);
	CHECK_EQ(nr_free_pages(), nfree + 1);
	/* it is an ordinary free page now: not reserved any more */
	CHECK_EQ(free_reserved_page(page), -EINVAL);
	CHECK_EQ(free_reserved_page(pfn_to_page(PFN(0x82100000ULL))), -EINVAL); /* hole */
	CHECK_EQ(nr_free_pages(), nfree + 1);
}

/* Every refused operation warns naming the pfn, counts, and leaves the lists as they were. */
static void free_pages_refuses_bad_frees_without_damage(void)
{
	struct page_alloc_snapshot snap;
	struct page *a, *c, *d, *e;
	char want[64];
	unsigned long bad0;

	setup_small();
	a = alloc_page(GFP_KERNEL);
	c = alloc_pages(__GFP_COMP, 3);
	d = alloc_pages(GFP_KERNEL, 1);
	CHECK(a && c && d);
	page_alloc_snapshot(&snap);
	bad0 = bad_pages();

#define EXPECT_REFUSED(call, pfn, what)                                        \
	do {                                                                    \
		fake_last_log[0] = 0;                                           \
		CHECK_EQ(call, -EINVAL);                                        \
		snprintf(want, sizeof(want), "pfn 0x%lx", (unsigned long)(pfn)); \
		CHECK(strstr(fake_last_log, want) != NULL);                     \
		CHECK(strstr(fake_last_log, what) != NULL);                     \
		CHECK_EQ(page_alloc_compare(&snap), 0);                         \
		check_state(NULL);                                              \
	} while (0)

	/* reserved page (the image), tail page, misaligned pfn, compound order mismatch */
	EXPECT_REFUSED(__free_page(pfn_to_page(PFN(0x80000000ULL))), PFN(0x80000000ULL),
		       "reserved page");
	EXPECT_REFUSED(__free_page(c + 5), page_to_pfn(c + 5), "tail page");
	EXPECT_REFUSED(__free_pages(d + 1, 1), page_to_pfn(d + 1), "not aligned");
	EXPECT_REFUSED(__free_pages(c, 2), page_to_pfn(c), "compound order");
	/* freeing with too large an order: the other half of the block is not ours */
	e = alloc_contig_pages(8, 16, GFP_KERNEL);
	CHECK(e != NULL);
	page_alloc_snapshot(&snap);
	EXPECT_REFUSED(__free_pages(e, 4), page_to_pfn(e), "a page of the block");
	EXPECT_REFUSED(free_contig_range(page_to_pfn(e), 9), page_to_pfn(e), "a page of the block");
	CHECK_EQ(free_contig_range(page_to_pfn(e), 8), 0);
	page_alloc_snapshot(&snap);
	/* a hole, and an order above the maximum */
	EXPECT_REFUSED(__free_page(pfn_to_page(PFN(0x82100000ULL))), PFN(0x82100000ULL),
		       "outside");
	EXPECT_REFUSED(__free_pages(a, MAX_PAGE_ORDER + 1), page_to_pfn(a), "above MAX_PAGE_ORDER");
	/* still mapped */
	atomic_store(&a->_mapcount, 0);
	EXPECT_REFUSED(__free_page(a), page_to_pfn(a), "still mapped");
	atomic_store(&a->_mapcount, -1);
	CHECK_EQ(page_ref_count(a), 1);

	/* the real frees work, then double frees are refused */
	CHECK_EQ(__free_page(a), 0);
	CHECK_EQ(__free_pages(c, 3), 0);
	page_alloc_snapshot(&snap);
	EXPECT_REFUSED(__free_page(a), page_to_pfn(a), "not in use");
	EXPECT_REFUSED(__free_pages(c, 3), page_to_pfn(c), "");
	/* a page inside a merged free block */
	EXPECT_REFUSED(__free_page(c + 1), page_to_pfn(c + 1), "");
	EXPECT_REFUSED(free_contig_range(page_to_pfn(c), 8), page_to_pfn(c), "");
	CHECK_EQ(__free_pages(d, 1), 0);
	CHECK(bad_pages() >= bad0 + 12);
	CHECK_EQ(nr_free_pages(), nr_free_at_init);
#undef EXPECT_REFUSED
}

static void alloc_contig_pages_large_aligned_range(void)
{
	struct page_alloc_snapshot snap;
	struct page *page, *in_way;
	unsigned long nr = 1UL << MAX_PAGE_ORDER;

	setup_big();
	page_alloc_snapshot(&snap);
	/* one 1 GiB-aligned range is wholly free: [0xc0000000, 0x100000000) */
	page = alloc_contig_pages(nr, nr, __GFP_COMP);
	CHECK(page != NULL);
	if (!page)
		return;
	CHECK_EQ(page_to_pfn(page), PFN(0xc0000000ULL));
	CHECK(PageHead(page) && compound_order(page) == MAX_PAGE_ORDER);
	CHECK(compound_head(page + nr - 1) == page);
	CHECK_EQ(nr_free_pages(), snap.free_pages - nr);
	CHECK(alloc_contig_pages(nr, nr, __GFP_NOWARN) == NULL);
	check_state(NULL);
	/* a HugeTLB-sized contig block may also go back through __free_pages() */
	CHECK_EQ(__free_pages(page, MAX_PAGE_ORDER), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);

	/* more than the buddy's largest block, not a power of two, across the 1 GiB boundary */
	page = alloc_contig_pages(nr + 1000, 512, GFP_KERNEL);
	CHECK(page != NULL);
	if (page) {
		CHECK_EQ(page_to_pfn(page) & 511, 0);
		CHECK_EQ(nr_free_pages(), snap.free_pages - nr - 1000);
		check_state(NULL);
		CHECK_EQ(free_contig_range(page_to_pfn(page), nr + 1000), 0);
	}
	CHECK_EQ(page_alloc_compare(&snap), 0);

	/* an allocated page in the way: the 1 GiB range is refused, nothing changes */
	in_way = alloc_contig_pages(1UL << 17, nr, GFP_KERNEL);
	CHECK_EQ(page_to_pfn(in_way), PFN(0xc0000000ULL));
	page_alloc_snapshot(&snap);
	fake_last_log[0] = 0;
	CHECK(alloc_contig_pages(nr, nr, GFP_KERNEL) == NULL);
	CHECK(strstr(fake_last_log, "no free range") != NULL);
	CHECK(alloc_pages(__GFP_NOWARN, MAX_PAGE_ORDER) == NULL);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	CHECK_EQ(free_contig_range(page_to_pfn(in_way), 1UL << 17), 0);
	CHECK(alloc_pages(__GFP_NOWARN, MAX_PAGE_ORDER) != NULL);
}

static void alloc_contig_pages_splits_partial_blocks(void)
{
	struct page_alloc_snapshot snap;
	struct page *p, *q;
	int zero = 0;

	setup_small();
	page_alloc_snapshot(&snap);
	/* 3 pages at the first free pfn: the rest of that block goes back, in smaller blocks */
	p = alloc_contig_pages(3, 1, __GFP_ZERO);
	CHECK(p != NULL);
	CHECK_EQ(page_to_pfn(p), PFN(0x80200000ULL));
	CHECK_EQ(nr_free_pages(), snap.free_pages - 3);
	CHECK_EQ(page_ref_count(p), 1);
	CHECK_EQ(page_ref_count(p + 1), 0);
	for (unsigned long i = 0; i < 3 * PAGE_SIZE; i++)
		zero += ((unsigned char *)__va(page_to_phys(p)))[i] != 0;
	CHECK_EQ(zero, 0);
	check_state(NULL);
	/* an unaligned range in the middle of a block, then the biggest range of bank 2 */
	q = alloc_contig_pages(777, 64, GFP_KERNEL);
	CHECK(q != NULL);
	CHECK_EQ(page_to_pfn(q) & 63, 0);
	check_state(NULL);
	CHECK_EQ(free_contig_range(page_to_pfn(q), 777), 0);
	CHECK_EQ(free_contig_range(page_to_pfn(p), 3), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);

	/* 12 MiB fit in a free run; 32 MiB (more than any bank) do not */
	q = alloc_contig_pages(PFN(0xc00000ULL), 1, GFP_KERNEL);
	CHECK(q != NULL);
	CHECK(alloc_contig_pages(PFN(0x2000000ULL), 1, __GFP_NOWARN) == NULL);
	if (q) {
		CHECK_EQ(free_contig_range(page_to_pfn(q) + 1, 4), -EINVAL);
		CHECK_EQ(free_contig_range(page_to_pfn(q), PFN(0xc00000ULL)), 0);
	}
	CHECK_EQ(page_alloc_compare(&snap), 0);
	/* bad arguments */
	CHECK(alloc_contig_pages(0, 1, GFP_KERNEL) == NULL);
	CHECK(alloc_contig_pages(16, 3, GFP_KERNEL) == NULL);
	CHECK(alloc_contig_pages(12, 16, __GFP_COMP) == NULL);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	check_state(NULL);
}

/* With the per-page checks off (benchmarks), the bare paths keep the same state. */
static void free_pages_without_page_checks(void)
{
	struct page_alloc_snapshot snap;
	unsigned long n = 0;

	setup_small();
	page_alloc_snapshot(&snap);
	page_alloc_check_pages = false;
	for (int i = 0; i < 2000; i++) {
		if (n && rnd() % 2) {
			n--;
			CHECK_EQ(__free_pages(live[n], live_order[n]), 0);
			continue;
		}
		live_order[n] = (unsigned int)(rnd() % 6);
		live[n] = alloc_pages(__GFP_NOWARN | (rnd() % 2 ? __GFP_COMP : 0), live_order[n]);
		if (live[n])
			n++;
	}
	while (n--)
		CHECK_EQ(__free_pages(live[n], live_order[n]), 0);
	page_alloc_check_pages = true;
	CHECK_EQ(page_alloc_compare(&snap), 0);
	check_state(NULL);
	page_alloc_dump();
}

/* The hook shape for page tables and vmemmap: buddy blocks, contig blocks and boot blocks. */
static void page_alloc_phys_serves_and_takes_back_every_kind(void)
{
	struct page_alloc_snapshot snap;
	phys_addr_t a, b, c, boot = 0x81000000ULL;
	unsigned long managed;

	setup_small();
	page_alloc_snapshot(&snap);
	a = page_alloc_phys(PAGE_SIZE, 0, GFP_KERNEL);
	b = page_alloc_phys(SZ_2M, SZ_2M, __GFP_ZERO);
	c = page_alloc_phys(3 * PAGE_SIZE, SZ_64K, GFP_KERNEL);
	CHECK(a && b && c);
	CHECK_EQ(b & (SZ_2M - 1), 0);
	CHECK_EQ(c & (SZ_64K - 1), 0);
	CHECK_EQ(*(unsigned long *)__va(b + SZ_2M - sizeof(long)), 0);
	CHECK_EQ(page_alloc_phys(PAGE_SIZE + 1, 0, GFP_KERNEL), 0);
	CHECK_EQ(page_alloc_phys(PAGE_SIZE, 3 * PAGE_SIZE, GFP_KERNEL), 0);
	CHECK_EQ(nr_free_pages(), snap.free_pages - 1 - 512 - 3);
	CHECK_EQ(page_free_phys(c, 3 * PAGE_SIZE), 0);
	CHECK_EQ(page_free_phys(b, SZ_2M), 0);
	CHECK_EQ(page_free_phys(a, PAGE_SIZE), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	CHECK_EQ(page_free_phys(a, PAGE_SIZE), -EINVAL);
	CHECK_EQ(page_free_phys(0x82000000ULL, PAGE_SIZE), -EINVAL); /* hole */
	CHECK_EQ(page_alloc_compare(&snap), 0);

	/* a block memblock handed out at boot ([0x81000000, +12 KiB) is reserved) */
	managed = totalram_pages();
	CHECK_EQ(page_free_phys(boot + 0x2000, 0x2000), -EINVAL); /* runs into free pages */
	CHECK_EQ(totalram_pages(), managed);
	CHECK_EQ(page_free_phys(boot, 0x3000), 0);
	CHECK_EQ(totalram_pages(), managed + 3);
	CHECK_EQ(nr_free_pages(), snap.free_pages + 3);
	CHECK(!memblock_is_region_reserved(boot, 0x3000));
	CHECK(!PageFlag(phys_to_page(boot), PG_reserved));
}

/*
 * RAM at physical address 0 (ZynqMP, Raspberry Pi): 0 is page_alloc_phys()'s failure value,
 * so the block at 0 must never be handed out by it, and never be lost either. The ZCU102 boot
 * lost it: vmemmap population took the 2 MiB block at 0 for a failure, fell back to base
 * pages and never freed the block (512 pages gone after vmemmap_free()).
 */
#define LOW_PAGES 2048UL /* 8 MiB of struct pages at pfn 0 */

static void setup_at_zero(const struct range *res, size_t nres)
{
	static struct page *low_buf;

	if (!low_buf) {
		low_buf = aligned_alloc(16UL << 20, 16UL << 20);
		if (!low_buf)
			abort();
	}
	vmemmap = low_buf;
	memblock_reset();
	memblock_add(0, PFN_PHYS(LOW_PAGES));
	for (size_t i = 0; i < nres; i++)
		memblock_reserve(res[i].base, res[i].size);
	for (unsigned long pfn = 0; pfn < LOW_PAGES; pfn++)
		init_single_page(pfn_to_page(pfn), ZONE_NORMAL);
	page_alloc_init(0, LOW_PAGES);
	CHECK(memblock_free_all() > 0);
	CHECK(page_alloc_ready());
}

static void page_alloc_phys_never_returns_or_loses_the_block_at_zero(void)
{
	/* Only [0, 2 MiB) is a free 2 MiB block: 4 KiB reserved in each of the other three. */
	static const struct range res[] = {
		{ 0x200000, 0x1000 }, { 0x400000, 0x1000 }, { 0x600000, 0x1000 },
	};
	static const struct range two_blocks[] = { { 0x200000, 0x1000 }, { 0x600000, 0x1000 } };
	struct page *saved = vmemmap;
	struct page_alloc_snapshot snap;
	phys_addr_t pa, got[LOW_PAGES];
	unsigned long n = 0, free0;

	setup_at_zero(res, ARRAY_SIZE(res));
	CHECK_EQ(nr_free_blocks(9), 1);
	page_alloc_snapshot(&snap);
	free0 = nr_free_pages();
	/* The one 2 MiB block cannot be reported: a failure, with nothing taken. */
	CHECK_EQ(page_alloc_phys(SZ_2M, SZ_2M, GFP_KERNEL), 0);
	CHECK_EQ(nr_free_pages(), free0);
	CHECK_EQ(page_alloc_compare(&snap), 0);

	/* Page by page, every free page but pfn 0 is handed out, then all come back. */
	while ((pa = page_alloc_phys(PAGE_SIZE, 0, GFP_KERNEL)) != 0) {
		CHECK(n < LOW_PAGES);
		got[n++] = pa;
	}
	CHECK_EQ(n, free0 - 1);
	CHECK_EQ(nr_free_pages(), 1);
	while (n)
		CHECK_EQ(page_free_phys(got[--n], PAGE_SIZE), 0);
	CHECK_EQ(nr_free_pages(), free0);
	CHECK_EQ(page_alloc_compare(&snap), 0);

	/* With a second 2 MiB block free, that one is returned, each time. */
	setup_at_zero(two_blocks, ARRAY_SIZE(two_blocks));
	CHECK_EQ(nr_free_blocks(9), 2);
	free0 = nr_free_pages();
	for (int i = 0; i < 2; i++) {
		pa = page_alloc_phys(SZ_2M, SZ_2M, GFP_KERNEL);
		CHECK_EQ(pa, 0x400000);
		CHECK_EQ(nr_free_pages(), free0 - 512);
		CHECK_EQ(page_free_phys(pa, SZ_2M), 0);
		CHECK_EQ(nr_free_pages(), free0);
	}
	/* A contiguous range, first fit at 0, comes from elsewhere. */
	pa = page_alloc_phys(3 * PAGE_SIZE, 0, GFP_KERNEL);
	CHECK(pa != 0);
	CHECK_EQ(nr_free_pages(), free0 - 3);
	CHECK_EQ(page_free_phys(pa, 3 * PAGE_SIZE), 0);
	CHECK_EQ(nr_free_pages(), free0);
	vmemmap = saved;
}

/* Bulk: distinct single pages, each freed on its own; short memory gives fewer; never pfn 0. */
static void alloc_pages_bulk_gives_single_pages_freed_one_by_one(void)
{
	static phys_addr_t pas[LOW_PAGES];
	static const struct range res[] = { { 0x200000, 0x1000 } };
	struct page *saved = vmemmap;
	struct page_alloc_snapshot snap;
	unsigned long n, free0;

	setup_small();
	page_alloc_snapshot(&snap);
	free0 = nr_free_pages();
	n = alloc_pages_bulk_phys(700, pas);
	CHECK_EQ(n, 700);
	CHECK_EQ(nr_free_pages(), free0 - 700);
	for (unsigned long i = 0; i < n; i++) {
		struct page *p = phys_to_page(pas[i]);

		CHECK_EQ(pas[i] & ~PAGE_MASK, 0);
		CHECK_EQ(page_ref_count(p), 1);
		CHECK(!PageFlag(p, PG_buddy) && !PageCompound(p));
		for (unsigned long j = 0; j < i; j++)
			CHECK(pas[j] != pas[i]);
	}
	/* in any order, one page at a time: the free lists come back as they were */
	for (unsigned long i = 0; i < n; i += 2)
		CHECK_EQ(page_free_phys(pas[i], PAGE_SIZE), 0);
	for (unsigned long i = 1; i < n; i += 2)
		CHECK_EQ(__free_pages(phys_to_page(pas[i]), 0), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	check_state(NULL);

	/* RAM at 0: asked for everything, pfn 0 is never among them and stays free */
	setup_at_zero(res, ARRAY_SIZE(res));
	page_alloc_snapshot(&snap);
	free0 = nr_free_pages();
	n = alloc_pages_bulk_phys(LOW_PAGES, pas);
	CHECK_EQ(n, free0 - 1);
	CHECK_EQ(nr_free_pages(), 1);
	CHECK(PageFlag(pfn_to_page(0), PG_buddy));
	for (unsigned long i = 0; i < n; i++)
		CHECK(pas[i] != 0);
	CHECK_EQ(alloc_pages_bulk_phys(4, pas + n), 0);
	while (n)
		CHECK_EQ(page_free_phys(pas[--n], PAGE_SIZE), 0);
	CHECK_EQ(page_alloc_compare(&snap), 0);
	vmemmap = saved;
}

static const struct tap_case cases[] = {
	TAP_CASE(alloc_pages_before_init_fails),
	TAP_CASE(memblock_free_all_releases_free_ranges),
	TAP_CASE(alloc_pages_every_order_round_trip),
	TAP_CASE(alloc_pages_order_above_max_fails),
	TAP_CASE(alloc_pages_exhaustion_returns_null),
	TAP_CASE(alloc_pages_blocks_aligned_to_order),
	TAP_CASE(free_pages_merges_back_to_initial_state),
	TAP_CASE(alloc_pages_counts_splits_and_merges),
	TAP_CASE(alloc_pages_stress_against_model),
	TAP_CASE(alloc_pages_never_hands_out_reserved_or_holes),
	TAP_CASE(get_free_pages_zeroes_and_frees_by_address),
	TAP_CASE(free_pages_drops_references_first),
	TAP_CASE(free_reserved_page_adds_a_managed_page),
	TAP_CASE(free_pages_refuses_bad_frees_without_damage),
	TAP_CASE(alloc_contig_pages_large_aligned_range),
	TAP_CASE(alloc_contig_pages_splits_partial_blocks),
	TAP_CASE(free_pages_without_page_checks),
	TAP_CASE(page_alloc_phys_serves_and_takes_back_every_kind),
	TAP_CASE(page_alloc_phys_never_returns_or_loses_the_block_at_zero),
	TAP_CASE(alloc_pages_bulk_gives_single_pages_freed_one_by_one),
};

TAP_MAIN("mm_page_alloc", cases)
