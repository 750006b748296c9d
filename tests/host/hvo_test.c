// SPDX-License-Identifier: BSD-2-Clause
// HugeTLB Vmemmap Optimization (mm/hugetlb_vmemmap.c) and the HugeTLB pools (mm/hugetlb.c) over
// what the kernel gives them (both entry formats): a vmemmap of PMD leaves in a real page table
// over the simulated physical memory (sparse_env.h), and the buddy allocator after the memblock
// hand-over of platform/common/mm_init.c (page-table pages and vmemmap backing from the buddy).
// Checked through the page table and the vmemmap itself: the tail-only vmemmap pages map the
// shared read-only page, the freed backing really reached the buddy (page by page), restore
// gives private writable copies, refusals change nothing, the pools give every page back, and a
// 1 GiB folio reserved at boot is optimized across its 8 vmemmap PMDs. Boot folios born
// optimized (hugetlb_bootmem_reserve()) and their freeing to the buddy: hugetlb_bootmem_test.c.
//
// HVO keeps its shared pages for the life of the kernel and has no reset, so the cases share one
// environment set up by the first case and run in order; each gives back what it took, and the
// last one checks the whole account.
#include <stdlib.h>

#include <mm/hugetlb.h>
#include <mm/page_alloc.h>

#include "hvo_env.h"


/*
 * A 1 GiB range described as RAM but reserved at boot, like Linux's bootmem gigantic pages
 * (hugepagesz=1G reserved from memblock): sparse_init() gives it boot struct pages (8 PMD leaves
 * of memblock memory), memblock_free_all() marks them PG_reserved and the buddy never owns it. The
 * host has no memory behind it (HOSTMMU_PHYS_SIZE is 256 MiB) and nothing but its struct pages
 * is ever touched: HVO works on the memmap only.
 */
#define GIGA_BASE 0xc0000000ULL
#define GIGA_PFN PHYS_PFN(GIGA_BASE)
#define GIGA_PAGES (SZ_1G >> PAGE_SHIFT)

#define ORDER_2M HUGETLB_ORDER_2M
#define ORDER_1G HUGETLB_ORDER_1G
#define PAGES_2M (1UL << ORDER_2M)
#define TAILS_PER_VMEMMAP_PAGE (PAGE_SIZE / sizeof(struct page)) /* 64 */

/* ---- the kernel's memblock -> buddy hand-over (platform/common/mm_init.c) ------------------ */

/* State right after the hand-over. */
static unsigned long free0, total0, tables0;
/* PMD splits whose PTE table went back with a hot-removed memmap; pages a restore re-made. */
static unsigned long splits_gone;
/* Boot backing of the memmap: RAM (one PMD leaf) and the gigantic range (8 PMD leaves). */
static phys_addr_t ram_memmap_pa, giga_memmap_pa[8];

/*
 * Flush spy in front of the host MMU's hook (which drops the host mappings of a flushed range):
 * counts flushes, keeps the last range, and for @watch records what the table held at the last
 * flush covering it (break-before-make on arm64: nothing; riscv64: the new leaf).
 */
static void (*mmu_flush_hook)(const struct pgtable *pt, uintptr_t start, uintptr_t end);
static struct {
	unsigned long calls;
	uintptr_t start, end;
	uintptr_t watch;
	bool seen, present;
	phys_addr_t pa;
	bool flushed;		     /* a flush covered @watch (a full flush covers all) */
	unsigned long free_at_flush; /* free pages of the buddy at the first such flush */
} spy;

static void spy_hook(const struct pgtable *pt, uintptr_t start, uintptr_t end)
{
	spy.calls++;
	if (spy.watch && !spy.flushed &&
	    ((!start && !end) || (spy.watch >= start && spy.watch < end))) {
		spy.flushed = true;
		spy.free_at_flush = nr_free_pages();
	}
	spy.start = start;
	spy.end = end;
	if (pt == &env_pt && spy.watch >= start && spy.watch < end) {
		struct pgtable_walk_result r;

		spy.seen = true;
		spy.present = pgtable_walk(&env_pt, spy.watch, &r) == 0;
		spy.pa = r.pa;
	}
	mmu_flush_hook(pt, start, end);
}

static void spy_reset(uintptr_t watch)
{
	memset(&spy, 0, sizeof(spy));
	spy.watch = watch;
}

static void need(bool ok, const char *what)
{
	if (!ok) {
		printf("Bail out! %s\n", what);
		exit(1);
	}
}

/* ---- helpers ------------------------------------------------------------------------------- */

static uintptr_t vm(unsigned long pfn)
{
	return (uintptr_t)pfn_to_page(pfn);
}

static unsigned long vmemmap_pages(const struct folio *f)
{
	return folio_nr_pages(f) * sizeof(struct page) / PAGE_SIZE;
}

/* vmemmap address of the @i-th vmemmap page of @f. */
static uintptr_t vmemmap_page(const struct folio *f, unsigned long i)
{
	return (uintptr_t)&f->page + i * PAGE_SIZE;
}

static struct folio *alloc_folio(unsigned int order)
{
	struct page *p = alloc_pages(__GFP_COMP, order);

	need(p != NULL, "no 2 MiB block for a test folio");
	return page_folio(p);
}

static void free_folio(struct folio *f)
{
	CHECK_EQ(__free_pages(&f->page, folio_order(f)), 0);
}

/* The tail every order-@order compound page of ZONE_NORMAL holds (prep_compound_page()). */
static void canonical_tail(struct page *t, unsigned int order)
{
	memset(t, 0, sizeof(*t));
	set_page_zone(t, ZONE_NORMAL);
	t->compound_info = compound_info_for_order(order);
	atomic_store_explicit(&t->_mapcount, -1, memory_order_relaxed);
}

/* The shared page of @order holds 64 canonical tails. */
static bool shared_page_canonical(unsigned int order)
{
	phys_addr_t shared = hugetlb_vmemmap_shared_page(order);
	const struct page *s;
	struct page canon;

	if (!shared)
		return false;
	canonical_tail(&canon, order);
	s = __va(shared);
	for (unsigned long i = 0; i < TAILS_PER_VMEMMAP_PAGE; i++)
		if (memcmp(&s[i], &canon, sizeof(canon)))
			return false;
	return true;
}

/* Tails of @f: every one resolves to the head and is canonical. Return: the bad ones. */
static unsigned long check_tails(struct folio *f)
{
	unsigned long bad = 0;
	struct page canon;

	canonical_tail(&canon, folio_order(f));
	for (unsigned long i = 1; i < folio_nr_pages(f); i++) {
		const struct page *t = folio_page(f, i);

		bad += compound_head(t) != &f->page || memcmp(t, &canon, sizeof(canon)) != 0;
	}
	return bad;
}

/*
 * @f is optimized: its first vmemmap page is a private writable 4 KiB leaf, every tail-only one
 * maps the shared page of its order read-only, the tails read as before. Return: problems found.
 */
static unsigned long check_optimized(struct folio *f)
{
	phys_addr_t shared = hugetlb_vmemmap_shared_page(folio_order(f));
	struct pgtable_walk_result r;
	unsigned long bad = 0;

	if (!hugetlb_vmemmap_optimized(f) || !shared)
		return 1;
	if (pgtable_walk(&env_pt, vmemmap_page(f, 0), &r) || r.level != PGTABLE_LEVEL_PTE ||
	    r.pa == shared || !(pgprot_val(r.prot) & PGPROT_WRITE))
		bad++;
	for (unsigned long i = 1; i < vmemmap_pages(f); i++) {
		if (pgtable_walk(&env_pt, vmemmap_page(f, i), &r) || r.level != PGTABLE_LEVEL_PTE ||
		    r.pa != shared || (pgprot_val(r.prot) & PGPROT_WRITE))
			bad++;
	}
	return bad + check_tails(f) + !shared_page_canonical(folio_order(f));
}


/* @f is not optimized and each tail-only vmemmap page has a fresh private page. Return: bad. */
static unsigned long check_restored(struct folio *f)
{
	unsigned long bad = hugetlb_vmemmap_optimized(f);

	backing_forget();
	for (unsigned long i = 1; i < vmemmap_pages(f); i++)
		bad += !private_backing(vmemmap_page(f, i), true);
	return bad;
}

/*
 * hugetlb_vmemmap_optimize_folio() where it must refuse: should it succeed all the same, it is
 * undone, so that the case can go on writing struct pages (a write to a read-only tail would
 * not fault cleanly on the host).
 */
static int optimize_refused(struct folio *f)
{
	int ret = hugetlb_vmemmap_optimize_folio(f);

	if (!ret)
		hugetlb_vmemmap_restore_folio(f);
	return ret;
}

/* Everything an optimize or restore may change, for "nothing changed" checks on 2 MiB folios. */
struct snap {
	unsigned long free, total, tables;
	struct hvo_stats st;
	unsigned long flags;
	pteval_t entry[PAGES_2M * sizeof(struct page) / PAGE_SIZE];
	int level[PAGES_2M * sizeof(struct page) / PAGE_SIZE];
	struct page pages[PAGES_2M];
};

static struct snap snap_a, snap_b;

static void snap_take(struct snap *s, struct folio *f)
{
	struct pgtable_walk_result r;

	memset(s, 0, sizeof(*s));
	s->free = nr_free_pages();
	s->total = totalram_pages();
	s->tables = env_pt.nr_table_pages;
	hugetlb_vmemmap_get_stats(&s->st);
	s->flags = f->page.flags;
	for (unsigned long i = 0; i < ARRAY_SIZE(s->entry); i++) {
		pgtable_walk(&env_pt, vmemmap_page(f, i), &r);
		s->entry[i] = r.entry;
		s->level[i] = r.level;
	}
	memcpy(s->pages, &f->page, sizeof(s->pages));
}

static bool snap_same(const struct snap *a, const struct snap *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* ---- 0: the environment -------------------------------------------------------------------- */

static void handover_gives_hvo_a_pmd_vmemmap_and_a_buddy(void)
{
	unsigned long nr_free_mb = 0;
	phys_addr_t s, e;
	struct hvo_stats st;
	uint64_t idx;

	env_setup();
	mmu_flush_hook = fake_flush_hook;
	need(mmu_flush_hook != NULL, "the host MMU installs no flush hook");
	fake_flush_hook = spy_hook;
	CHECK_EQ(memblock_add(GIGA_BASE, SZ_1G), 0);
	CHECK_EQ(memblock_reserve(GIGA_BASE, SZ_1G), 0);
	need(sparse_init(&env_pt, &env_layout) == 0, "sparse_init failed");

	/* the memmap of RAM is one PMD leaf, that of the gigantic range eight, all from memblock */
	CHECK_EQ(env_leaf(vm(RAM_PFN), &ram_memmap_pa), PGTABLE_LEVEL_PMD);
	CHECK(IS_ALIGNED(ram_memmap_pa, SZ_2M));
	CHECK(memblock_is_region_reserved(ram_memmap_pa, SZ_2M));
	for (unsigned int i = 0; i < 8; i++) {
		CHECK_EQ(env_leaf(vm(GIGA_PFN) + i * SZ_2M, &giga_memmap_pa[i]), PGTABLE_LEVEL_PMD);
		CHECK(giga_memmap_pa[i] >= RAM_BASE && giga_memmap_pa[i] < RAM_BASE + RAM_SIZE);
	}

	/* mm_core_init(): the buddy over the span of memblock.memory, then the switch */
	for_each_free_mem_range(idx, &s, &e)
		nr_free_mb += PFN_DOWN(e) - PFN_UP(s);
	page_alloc_init(RAM_PFN, GIGA_PFN + GIGA_PAGES);
	CHECK_EQ(memblock_free_all(), nr_free_mb);
	pgtable_set_page_ops(&page_alloc_table_ops);
	vmemmap_set_allocator(page_alloc_vmemmap_alloc, page_alloc_vmemmap_free, NULL);
	CHECK(page_alloc_ready());
	CHECK(memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE) == 0); /* memblock is closed */

	free0 = nr_free_pages();
	total0 = totalram_pages();
	tables0 = env_pt.nr_table_pages;
	CHECK_EQ(free0, nr_free_mb);
	CHECK_EQ(total0, free0);
	CHECK(free0 > RAM_PAGES / 2); /* the 16 MiB memmap of the gigantic range is out of RAM */
	/* boot memmap stays reserved: the buddy never had it */
	CHECK(PageFlag(phys_to_page(ram_memmap_pa), PG_reserved));
	CHECK(PageFlag(phys_to_page(giga_memmap_pa[7] + SZ_2M - PAGE_SIZE), PG_reserved));
	CHECK(PageFlag(pfn_to_page(GIGA_PFN + 12345), PG_reserved));

	hugetlb_vmemmap_get_stats(&st);
	CHECK_EQ(st.optimized + st.pages_freed + st.shared_pages + st.pmd_splits, 0);
	CHECK_EQ(hugetlb_vmemmap_shared_page(ORDER_2M), 0);
}

/* ---- 1: optimize a 2 MiB folio ------------------------------------------------------------- */

/* Kept optimized for the restore case. */
static struct folio *opt1, *opt2;

static void optimize_2m_folio_shares_its_tail_vmemmap(void)
{
	struct folio *f = alloc_folio(ORDER_2M);
	uintptr_t start = vmemmap_page(f, 0), watch = (uintptr_t)folio_page(f, 100);
	phys_addr_t old[8], pa, shared;
	struct hvo_stats a, b;
	char buf[256];

	CHECK(!hugetlb_vmemmap_optimized(f));
	CHECK_EQ(vmemmap_pages(f), 8);
	CHECK_EQ(check_tails(f), 0);
	/* before: one PMD leaf of boot memmap covers the whole RAM memmap */
	for (unsigned int i = 0; i < 8; i++) {
		CHECK_EQ(env_leaf(vmemmap_page(f, i), &old[i]), PGTABLE_LEVEL_PMD);
		CHECK_EQ(old[i], ram_memmap_pa + (vmemmap_page(f, i) - vm(RAM_PFN)));
		CHECK(PageFlag(phys_to_page(old[i]), PG_reserved));
	}
	snap_take(&snap_a, f);
	hugetlb_vmemmap_get_stats(&a);
	spy_reset(watch);

	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);

	hugetlb_vmemmap_get_stats(&b);
	shared = hugetlb_vmemmap_shared_page(ORDER_2M);
	CHECK(shared != 0);
	CHECK(hugetlb_vmemmap_optimized(f));
	CHECK_EQ(b.optimized - a.optimized, 1);
	CHECK_EQ(b.pages_freed - a.pages_freed, 7);
	CHECK_EQ(b.pmd_splits - a.pmd_splits, 1); /* the RAM memmap's PMD leaf */
	CHECK_EQ(b.shared_pages, 1);
	CHECK_EQ(b.pages_allocated, a.pages_allocated);
	CHECK_EQ(b.refused_self_hosted, a.refused_self_hosted);
	CHECK_EQ(b.flushes - a.flushes, 1); /* the split and the remap in one break-flush-make */
	CHECK_EQ(spy.calls, 1);
	CHECK_EQ(b.batches - a.batches, 1);
	CHECK_EQ(env_pt.nr_table_pages, snap_a.tables + 1);
	/* the buddy gained the 7 pages, less the PTE table of the split and the shared page */
	CHECK_EQ(nr_free_pages(), snap_a.free + 7 - 1 - 1);
	CHECK_EQ(totalram_pages(), snap_a.total + 7); /* boot pages the buddy now manages */

	/* what the page table says */
	CHECK_EQ(check_optimized(f), 0);
	CHECK_EQ(env_leaf(start, &pa), PGTABLE_LEVEL_PTE);
	CHECK_EQ(pa, old[0]); /* the first vmemmap page keeps its boot page */
	CHECK(PageFlag(phys_to_page(old[0]), PG_reserved));
	for (unsigned int i = 1; i < 8; i++)
		CHECK(!PageFlag(phys_to_page(old[i]), PG_reserved)); /* handed to the buddy */
	/* the rest of the split PMD still maps the boot memmap */
	CHECK_EQ(env_leaf(vm(RAM_PFN), &pa), PGTABLE_LEVEL_PTE);
	CHECK_EQ(pa, ram_memmap_pa);
	CHECK_EQ(env_leaf(vm(RAM_PFN) + SZ_2M - PAGE_SIZE, &pa), PGTABLE_LEVEL_PTE);
	CHECK_EQ(pa, ram_memmap_pa + SZ_2M - PAGE_SIZE);

	/* one flush for the split PMD and the 7 tail pages; arm64 flushed while they were broken */
	CHECK_EQ(spy.start, ALIGN_DOWN(start, SZ_2M));
	CHECK_EQ(spy.end, ALIGN_DOWN(start, SZ_2M) + SZ_2M);
	CHECK(spy.seen);
#ifdef TEST_ARCH_ARM64
	CHECK(!spy.present);
#else
	CHECK(spy.present);
	CHECK_EQ(spy.pa, shared + (watch & (PAGE_SIZE - 1)));
#endif

	/* the tails read the same; the freed pages are really out of use: scribble on them */
	snap_a.pages[0].flags |= 1UL << PG_vmemmap_optimized;
	CHECK_EQ(memcmp(&f->page, snap_a.pages, sizeof(snap_a.pages)), 0);
	for (unsigned int i = 1; i < 8; i++)
		memset(__va(old[i]), 0x5a, PAGE_SIZE);
	CHECK_EQ(check_optimized(f), 0);
	CHECK_EQ(memcmp(&f->page, snap_a.pages, sizeof(snap_a.pages)), 0);

	/* a fault report can name an optimized tail, not the head */
	CHECK(hugetlb_vmemmap_describe(watch, buf, sizeof(buf)));
	CHECK(strstr(buf, "order-9") != NULL);
	{
		char want[64];

		snprintf(want, sizeof(want), "folio at pfn 0x%lx", folio_pfn(f));
		CHECK(strstr(buf, want) != NULL);
		snprintf(want, sizeof(want), "struct page of pfn 0x%lx", folio_pfn(f) + 100);
		CHECK(strstr(buf, want) != NULL);
	}
	CHECK(!hugetlb_vmemmap_describe((uintptr_t)&f->page, buf, sizeof(buf)));

	/* again: -EALREADY, nothing changed */
	snap_take(&snap_a, f);
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), -EALREADY);
	snap_take(&snap_b, f);
	CHECK(snap_same(&snap_a, &snap_b));

	/* a second folio: PMD already split, shared page there: exactly 7 pages, one flush */
	opt1 = f;
	f = opt2 = alloc_folio(ORDER_2M);
	snap_take(&snap_a, f);
	spy_reset(0);
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(a.pages_freed - b.pages_freed, 7);
	CHECK_EQ(a.pmd_splits, b.pmd_splits);
	CHECK_EQ(a.shared_pages, 1);
	CHECK_EQ(a.flushes - b.flushes, 1);
	CHECK_EQ(spy.calls, 1);
	CHECK_EQ(nr_free_pages(), snap_a.free + 7);
	CHECK_EQ(env_pt.nr_table_pages, snap_a.tables);
	CHECK_EQ(check_optimized(f), 0);
	CHECK_EQ(check_optimized(opt1), 0);
}

/* ---- 2: restore ---------------------------------------------------------------------------- */

static void restore_gives_private_writable_pages_back(void)
{
	struct folio *f = opt1, *g;
	phys_addr_t priv[8], pa0;
	struct hvo_stats a, b;
	unsigned long free_a;

	need(f && opt2, "no optimized folios from the previous case");
	env_leaf(vmemmap_page(f, 0), &pa0);
	snap_take(&snap_a, f);
	hugetlb_vmemmap_get_stats(&a);
	spy_reset(0);

	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), 0);

	hugetlb_vmemmap_get_stats(&b);
	CHECK(!hugetlb_vmemmap_optimized(f));
	CHECK_EQ(a.optimized - b.optimized, 1);
	CHECK_EQ(b.pages_allocated - a.pages_allocated, 7);
	CHECK_EQ(b.pages_freed, a.pages_freed);
	CHECK_EQ(b.pmd_splits, a.pmd_splits);
	CHECK_EQ(b.shared_pages, a.shared_pages);
	CHECK_EQ(b.flushes - a.flushes, 1); /* one batch */
	CHECK_EQ(spy.calls, 1);
	CHECK_EQ(nr_free_pages(), snap_a.free - 7);
	CHECK_EQ(totalram_pages(), snap_a.total);
	CHECK_EQ(env_pt.nr_table_pages, snap_a.tables);
	CHECK_EQ(check_restored(f), 0);
	CHECK(!backing_seen[PHYS_PFN(pa0) - RAM_PFN]); /* none is the first vmemmap page's */
	CHECK_EQ(env_leaf(vmemmap_page(f, 0), &priv[0]), PGTABLE_LEVEL_PTE);
	CHECK_EQ(priv[0], pa0);
	for (unsigned int i = 1; i < 8; i++)
		env_leaf(vmemmap_page(f, i), &priv[i]);
	/* the content is what it was (the flag aside) */
	snap_a.pages[0].flags &= ~(1UL << PG_vmemmap_optimized);
	CHECK_EQ(memcmp(&f->page, snap_a.pages, sizeof(snap_a.pages)), 0);
	CHECK_EQ(check_tails(f), 0);

	/* writable and private: a write lands in the folio's own page, not in the shared one */
	folio_page(f, 100)->_pad = 0x1234;
	CHECK_EQ(folio_page(f, 100)->_pad, 0x1234);
	CHECK_EQ(((const struct page *)__va(priv[1]))[100 - 64]._pad, 0x1234);
	CHECK(shared_page_canonical(ORDER_2M));
	CHECK_EQ(folio_page(opt2, 100)->_pad, 0);
	CHECK_EQ(check_optimized(opt2), 0);
	/* ... so that tail is not canonical any more: optimize refuses */
	CHECK_EQ(optimize_refused(f), -EBUSY);
	folio_page(f, 100)->_pad = 0;

	/* optimize again: the private pages go back to the buddy */
	free_a = nr_free_pages();
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(a.pages_freed - b.pages_freed, 7);
	CHECK_EQ(a.pmd_splits, b.pmd_splits);
	CHECK_EQ(nr_free_pages(), free_a + 7);
	CHECK_EQ(check_optimized(f), 0);
	for (unsigned int i = 1; i < 8; i++)
		CHECK_EQ(page_ref_count(phys_to_page(priv[i])), 0);

	/* an optimized folio cannot go back to the buddy as it is */
	snap_take(&snap_a, f);
	CHECK_EQ(__free_pages(&f->page, ORDER_2M), -EINVAL);
	snap_take(&snap_b, f);
	CHECK(snap_same(&snap_a, &snap_b));

	/* restore of a folio that is not optimized: -EINVAL, nothing changed */
	g = alloc_folio(ORDER_2M);
	snap_take(&snap_a, g);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(g), -EINVAL);
	snap_take(&snap_b, g);
	CHECK(snap_same(&snap_a, &snap_b));
	free_folio(g);

	/* restore both, restore twice, free */
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), 0);
	snap_take(&snap_a, f);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), -EINVAL);
	snap_take(&snap_b, f);
	CHECK(snap_same(&snap_a, &snap_b));
	CHECK_EQ(hugetlb_vmemmap_restore_folio(opt2), 0);
	CHECK_EQ(check_restored(opt2), 0);
	CHECK_EQ(check_tails(opt2), 0);
	free_folio(f);
	free_folio(opt2);
	opt1 = opt2 = NULL;
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(a.optimized, 0);
	CHECK_EQ(a.pages_freed, a.pages_allocated);
	/* all that is gone for good: the PTE table of the split and the shared page */
	CHECK_EQ(nr_free_pages(), free0 - a.pmd_splits - a.shared_pages);
}

/* ---- 3: a tail that is not canonical ------------------------------------------------------- */

static void noncanonical_tail_is_refused_and_nothing_changes(void)
{
	static const unsigned long which[] = { 64, 100, 511 };
	struct folio *f = alloc_folio(ORDER_2M);
	unsigned int logs;

	for (unsigned int k = 0; k < ARRAY_SIZE(which); k++) {
		struct page *t = folio_page(f, which[k]);

		t->index = 0xdead; /* e.g. a stray write through a stale pointer */
		snap_take(&snap_a, f);
		logs = fake_log_count;
		spy_reset(0);
		CHECK_EQ(optimize_refused(f), -EBUSY);
		snap_take(&snap_b, f);
		CHECK(snap_same(&snap_a, &snap_b)); /* tables, stats, free pages, the write itself */
		CHECK_EQ(spy.calls, 0);
		CHECK(!hugetlb_vmemmap_optimized(f));
		CHECK_EQ(fake_log_count, logs + 1);
		CHECK(strstr(fake_last_log, "differs from the canonical tail") != NULL);
		CHECK_EQ(t->index, 0xdead);
		t->index = 0;
	}
	/* canonical again: optimized */
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);
	CHECK_EQ(check_optimized(f), 0);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), 0);
	free_folio(f);
}

/* ---- 4: not a compound page of order >= 9 -------------------------------------------------- */

static void non_compound_and_small_orders_are_refused(void)
{
	struct page *plain = alloc_pages(GFP_KERNEL, ORDER_2M);
	struct page *small = alloc_pages(__GFP_COMP, ORDER_2M - 1);
	struct page *single = alloc_page(GFP_KERNEL);
	struct folio *f = alloc_folio(ORDER_2M);
	struct folio *bad[4];

	need(plain && small && single, "no memory for the refused folios");
	bad[0] = (struct folio *)plain;			/* 512 pages, not compound */
	bad[1] = page_folio(small);			/* compound, order 8 */
	bad[2] = (struct folio *)single;		/* order 0 */
	bad[3] = (struct folio *)folio_page(f, 1);	/* a tail, not a head */
	CHECK_EQ(folio_order(page_folio(small)), 8);
	snap_take(&snap_a, f);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(hugetlb_vmemmap_optimize_folio(bad[i]), -EINVAL);
		CHECK_EQ(hugetlb_vmemmap_restore_folio(bad[i]), -EINVAL);
	}
	snap_take(&snap_b, f);
	CHECK(snap_same(&snap_a, &snap_b));
	CHECK_EQ(__free_pages(plain, ORDER_2M), 0);
	CHECK_EQ(__free_pages(small, ORDER_2M - 1), 0);
	CHECK_EQ(__free_page(single), 0);
	free_folio(f);
}

/* ---- 5: self-hosted vmemmap ---------------------------------------------------------------- */

static void self_hosted_vmemmap_is_refused(void)
{
	struct vmem_altmap am = { .base_pfn = PMEM_PFN, .end_pfn = PMEM_PFN + SEC_PAGES,
				  .reserve = 2, .free = 1024 };
	unsigned long free_a = nr_free_pages(), tables_a = env_pt.nr_table_pages, pfn;
	static struct page saved[PAGES_2M];
	struct page *head;
	struct folio *f;
	phys_addr_t pa;

	/* (a) a "pmem" section whose struct pages the altmap put inside the device */
	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES, &am, ZONE_DEVICE), 0);
	init_pages(pfn_to_page(PMEM_PFN), SEC_PAGES, ZONE_DEVICE); /* memmap_init_zone_device() */
	pfn = PMEM_PFN + 8 * PAGES_2M;
	head = pfn_to_page(pfn);
	prep_compound_page(head, ORDER_2M);
	f = page_folio(head);
	CHECK_EQ(env_leaf(vm(pfn), &pa), PGTABLE_LEVEL_PMD);
	CHECK(pa >= PFN_PHYS(PMEM_PFN) && pa < PFN_PHYS(PMEM_PFN + 2 + 1024));
	snap_take(&snap_a, f);
	spy_reset(0);
	CHECK_EQ(optimize_refused(f), -EOPNOTSUPP);
	snap_take(&snap_b, f);
	CHECK_EQ(snap_b.st.refused_self_hosted - snap_a.st.refused_self_hosted, 1);
	snap_b.st.refused_self_hosted--;
	CHECK(snap_same(&snap_a, &snap_b)); /* not split, nothing freed, no shared page made */
	CHECK_EQ(spy.calls, 0);
	CHECK(!hugetlb_vmemmap_optimized(f));
	CHECK(strstr(fake_last_log, "self-hosted") != NULL);
	CHECK(hugetlb_vmemmap_shared_page(ORDER_2M) != 0); /* case 1's, none for ZONE_DEVICE */
	destroy_compound_page(head);
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, &am), 0);
	CHECK_EQ(am.alloc, 0);
	CHECK_EQ(nr_free_pages(), free_a); /* the page-table pages of the hot-add came back */
	CHECK_EQ(env_pt.nr_table_pages, tables_a);

	/*
	 * (b) no altmap, but the struct pages lie inside the folio itself: the folio made of the
	 * boot memmap block of RAM (what memmap_on_memory gives). Its pages are reserved, never in
	 * the buddy; their struct pages are put back afterwards.
	 */
	pfn = PHYS_PFN(ram_memmap_pa);
	head = pfn_to_page(pfn);
	CHECK_EQ(env_leaf(vm(pfn), &pa), PGTABLE_LEVEL_PTE); /* the PMD was split by case 1 */
	CHECK(pa >= ram_memmap_pa && pa < ram_memmap_pa + SZ_2M);
	memcpy(saved, head, sizeof(saved));
	prep_compound_page(head, ORDER_2M);
	f = page_folio(head);
	snap_take(&snap_a, f);
	CHECK_EQ(optimize_refused(f), -EOPNOTSUPP);
	snap_take(&snap_b, f);
	CHECK_EQ(snap_b.st.refused_self_hosted - snap_a.st.refused_self_hosted, 1);
	snap_b.st.refused_self_hosted--;
	CHECK(snap_same(&snap_a, &snap_b));
	memcpy(head, saved, sizeof(saved));
	CHECK(PageFlag(folio_page(f, 511), PG_reserved));
}

/* ---- 5b: a memmap the buddy backs --------------------------------------------------------- */

/*
 * Struct pages added after the hand-over (a hot-added ZONE_NORMAL section): the vmemmap PMD
 * leaf is an order-9 block of the buddy, not a reserved boot block. The 7 pages HVO frees out
 * of it must reach the buddy one by one, and removing the memmap later must give all of it back.
 */
static void memmap_from_the_buddy_is_freed_page_by_page(void)
{
	unsigned long free_a = nr_free_pages(), tables_a = env_pt.nr_table_pages;
	unsigned long pfn = PMEM_PFN + 4 * PAGES_2M, free_b;
	phys_addr_t block, old[8];
	struct hvo_stats a, b;
	struct page *head;
	struct folio *f;

	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES, NULL, ZONE_NORMAL), 0);
	CHECK_EQ(env_leaf(vm(PMEM_PFN), &block), PGTABLE_LEVEL_PMD);
	CHECK(block >= RAM_BASE && block < RAM_BASE + RAM_SIZE);
	CHECK(!PageFlag(phys_to_page(block), PG_reserved));
	CHECK_EQ(page_ref_count(phys_to_page(block)), 1);
	CHECK_EQ(nr_free_pages(), free_a - PAGES_2M - (env_pt.nr_table_pages - tables_a));

	head = pfn_to_page(pfn);
	prep_compound_page(head, ORDER_2M);
	f = page_folio(head);
	for (unsigned int i = 0; i < 8; i++)
		env_leaf(vmemmap_page(f, i), &old[i]);
	free_b = nr_free_pages();
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(b.pages_freed - a.pages_freed, 7);
	CHECK_EQ(b.pmd_splits - a.pmd_splits, 1);
	CHECK_EQ(check_optimized(f), 0);
	/* the 7 pages reached the buddy, less the PTE table of the split */
	CHECK_EQ(nr_free_pages(), free_b + 7 - 1);
	for (unsigned int i = 1; i < 8; i++)
		CHECK_EQ(page_ref_count(phys_to_page(old[i])), 0);
	/* the rest of the block: each page now holds its own reference */
	CHECK_EQ(page_ref_count(phys_to_page(old[0])), 1);
	CHECK_EQ(page_ref_count(phys_to_page(block + SZ_2M - PAGE_SIZE)), 1);

	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), 0);
	CHECK_EQ(check_restored(f), 0);
	CHECK_EQ(check_tails(f), 0);
	destroy_compound_page(head);
	/* hot-remove: every 4 KiB leaf of the split PMD and the PTE table go back */
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), 0);
	CHECK_EQ(nr_free_pages(), free_a);
	CHECK_EQ(env_pt.nr_table_pages, tables_a);
	splits_gone++;
}


/* ---- 5c: hot-remove and the shared page ---------------------------------------------------- */

/*
 * A hot-added section holding optimized folios: its vmemmap maps the shared tail page, which
 * is not the section's to free. Removal is refused (and says why) until they are restored; the
 * shared page is counted by the folios that map it and outlives each of them.
 */
static void hot_remove_of_optimized_folios_is_refused(void)
{
	unsigned long free_a = nr_free_pages(), tables_a = env_pt.nr_table_pages;
	unsigned long users_a = hugetlb_vmemmap_shared_users(ORDER_2M), free_b;
	struct folio *f[2];
	phys_addr_t shared;
	struct hvo_stats a;

	CHECK_EQ(sparse_add_section(PMEM_PFN, SEC_PAGES, NULL, ZONE_NORMAL), 0);
	for (unsigned int i = 0; i < 2; i++) {
		prep_compound_page(pfn_to_page(PMEM_PFN + (3 + i) * PAGES_2M), ORDER_2M);
		f[i] = page_folio(pfn_to_page(PMEM_PFN + (3 + i) * PAGES_2M));
		CHECK_EQ(hugetlb_vmemmap_optimize_folio(f[i]), 0);
	}
	shared = hugetlb_vmemmap_shared_page(ORDER_2M);
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_2M), users_a + 2);
	CHECK(hvo_range_busy(PMEM_PFN, SEC_PAGES));
	CHECK(hvo_range_busy(PMEM_PFN + 3 * PAGES_2M + 100, 1)); /* one tail is enough */
	CHECK(!hvo_range_busy(PMEM_PFN, 3 * PAGES_2M));

	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), -EBUSY);
	CHECK(strstr(fake_last_log, "HVO-optimized folio") != NULL);
	CHECK(strstr(fake_last_log, "before removing them") != NULL);
	CHECK_EQ(check_optimized(f[0]), 0);
	CHECK_EQ(check_optimized(f[1]), 0);
	CHECK(shared_page_canonical(ORDER_2M));

	/* one restored: still refused; the shared page stays, the other folio maps it */
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f[0]), 0);
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_2M), users_a + 1);
	CHECK_EQ(hugetlb_vmemmap_shared_page(ORDER_2M), shared);
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), -EBUSY);
	CHECK_EQ(check_optimized(f[1]), 0);

	CHECK_EQ(hugetlb_vmemmap_restore_folio(f[1]), 0);
	CHECK_EQ(hugetlb_vmemmap_shared_users(ORDER_2M), users_a);
	CHECK(!hvo_range_busy(PMEM_PFN, SEC_PAGES));
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(hugetlb_vmemmap_shared_page(ORDER_2M), shared); /* kept for the next one */
	CHECK(PageFlag(phys_to_page(shared), PG_reserved) || page_ref_count(phys_to_page(shared)));
	destroy_compound_page(&f[0]->page);
	destroy_compound_page(&f[1]->page);
	/* the vmemmap backing goes back only after the flush that unmaps it */
	free_b = nr_free_pages();
	spy_reset(vm(PMEM_PFN + 3 * PAGES_2M));
	CHECK_EQ(sparse_remove_section(PMEM_PFN, SEC_PAGES, NULL), 0);
	CHECK(spy.flushed);
	CHECK_EQ(spy.free_at_flush, free_b);
	CHECK_EQ(nr_free_pages(), free_a);
	CHECK_EQ(env_pt.nr_table_pages, tables_a);
	CHECK(shared_page_canonical(ORDER_2M));
	splits_gone++;
}

/* ---- 5d: batches ---------------------------------------------------------------------------- */

#define BATCH_N 5

/* A list of folios: one rendezvous and one flush for all, optimize and restore alike. */
static void a_batch_costs_one_flush(void)
{
	struct folio *f[BATCH_N + 1];
	struct list_head list;
	struct hvo_stats a, b;
	unsigned long free_a = nr_free_pages();

	INIT_LIST_HEAD(&list);
	for (unsigned int i = 0; i < BATCH_N; i++) {
		f[i] = alloc_folio(ORDER_2M);
		list_add_tail(&f[i]->page.lru, &list);
	}
	/* a folio HVO refuses (order 0 is not a HugeTLB size) does not spoil the batch */
	f[BATCH_N] = page_folio(alloc_page(0));
	list_add_tail(&f[BATCH_N]->page.lru, &list);
	hugetlb_vmemmap_get_stats(&a);
	spy_reset(0);
	CHECK_EQ(hugetlb_vmemmap_optimize_folios(&list, true), BATCH_N);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(b.batches - a.batches, 1);
	CHECK_EQ(b.flushes - a.flushes, 1);
	CHECK_EQ(spy.calls, 1);
	CHECK_EQ(b.pages_freed - a.pages_freed, 7 * BATCH_N);
	for (unsigned int i = 0; i < BATCH_N; i++)
		CHECK_EQ(check_optimized(f[i]), 0);
	CHECK(!hugetlb_vmemmap_optimized(f[BATCH_N]));

	/* restore: short of memory for the whole batch, none is restored */
	hoard_all();
	release_hoard(nr_hoard - (7 * BATCH_N - 1));
	CHECK_EQ(hugetlb_vmemmap_restore_folios(&list), 0);
	CHECK_EQ(nr_free_pages(), 7 * BATCH_N - 1);
	for (unsigned int i = 0; i < BATCH_N; i++)
		CHECK_EQ(check_optimized(f[i]), 0);
	release_hoard(0);
	spy_reset(0);
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(hugetlb_vmemmap_restore_folios(&list), BATCH_N);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(b.batches - a.batches, 1);
	CHECK_EQ(b.flushes - a.flushes, 1);
	CHECK_EQ(spy.calls, 1);
	for (unsigned int i = 0; i < BATCH_N; i++) {
		CHECK_EQ(check_restored(f[i]), 0);
		CHECK_EQ(check_tails(f[i]), 0);
		list_del(&f[i]->page.lru);
		free_folio(f[i]);
	}
	list_del(&f[BATCH_N]->page.lru);
	CHECK_EQ(__free_pages(&f[BATCH_N]->page, 0), 0);
	CHECK_EQ(nr_free_pages(), free_a);
}

#define SPREAD_N (PGTABLE_REMAP_MAX_SPLITS + 1)
#define SPREAD_PFN PHYS_PFN(GIGA_BASE + SZ_1G) /* sections past the gigantic range */

/*
 * Folios in more sections than one remap may split PMD leaves: the batch stops before the one
 * that would pass the limit and the next batch takes the rest; all are optimized.
 */
static void a_batch_splits_at_most_the_remap_limit(void)
{
	unsigned long free_a = nr_free_pages(), tables_a = env_pt.nr_table_pages;
	struct folio *f[SPREAD_N];
	struct list_head list;
	struct hvo_stats a, b;

	INIT_LIST_HEAD(&list);
	for (unsigned int i = 0; i < SPREAD_N; i++) {
		unsigned long pfn = SPREAD_PFN + (unsigned long)i * SEC_PAGES;

		CHECK_EQ(sparse_add_section(pfn, SEC_PAGES, NULL, ZONE_NORMAL), 0);
		CHECK_EQ(env_leaf(vm(pfn), NULL), PGTABLE_LEVEL_PMD);
		prep_compound_page(pfn_to_page(pfn + PAGES_2M), ORDER_2M);
		f[i] = page_folio(pfn_to_page(pfn + PAGES_2M));
		list_add_tail(&f[i]->page.lru, &list);
	}
	hugetlb_vmemmap_get_stats(&a);
	spy_reset(0);
	CHECK_EQ(hugetlb_vmemmap_optimize_folios(&list, true), SPREAD_N);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(b.pmd_splits - a.pmd_splits, SPREAD_N);
	CHECK_EQ(b.batches - a.batches, 2);
	CHECK_EQ(b.flushes - a.flushes, 2);
	for (unsigned int i = 0; i < SPREAD_N; i++)
		CHECK_EQ(check_optimized(f[i]), 0);
	CHECK_EQ(hugetlb_vmemmap_restore_folios(&list), SPREAD_N);
	for (unsigned int i = 0; i < SPREAD_N; i++) {
		unsigned long pfn = SPREAD_PFN + (unsigned long)i * SEC_PAGES;

		CHECK_EQ(check_restored(f[i]), 0);
		list_del(&f[i]->page.lru);
		destroy_compound_page(&f[i]->page);
		CHECK_EQ(sparse_remove_section(pfn, SEC_PAGES, NULL), 0);
	}
	CHECK_EQ(nr_free_pages(), free_a);
	CHECK_EQ(env_pt.nr_table_pages, tables_a);
	splits_gone += SPREAD_N;
}

/* ---- 6: the pools -------------------------------------------------------------------------- */

#define POOL_N 6

static void pools_grow_optimized_and_shrink_back(void)
{
	struct hstate *h = &hstates[0];
	struct folio *taken[POOL_N + 1];
	unsigned long free_a, n = 0;
	struct hvo_stats a, b;
	struct page *p;

	hugetlb_init(true);
	CHECK_EQ(h->nr + h->free + h->optimized, 0);
	free_a = nr_free_pages();
	hugetlb_vmemmap_get_stats(&a);

	CHECK_EQ(hugetlb_pool_grow(h, POOL_N), POOL_N);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(h->nr, POOL_N);
	CHECK_EQ(h->free, POOL_N);
	CHECK_EQ(h->optimized, POOL_N);
	CHECK_EQ(b.optimized - a.optimized, POOL_N);
	CHECK_EQ(b.pages_freed - a.pages_freed, 7 * POOL_N);
	CHECK_EQ(b.pmd_splits, a.pmd_splits);
	CHECK_EQ(b.shared_pages, a.shared_pages);
	/* 512 pages per folio out, 7 vmemmap pages per folio in */
	CHECK_EQ(nr_free_pages(), free_a - POOL_N * (PAGES_2M - 7));
	list_for_each_entry(p, &h->list, lru) {
		n++;
		CHECK(PageFlag(p, PG_hugetlb));
		CHECK_EQ(folio_order(page_folio(p)), ORDER_2M);
		CHECK_EQ(check_optimized(page_folio(p)), 0);
	}
	CHECK_EQ(n, POOL_N);

	/* hand out every folio, then no more; give them back */
	for (n = 0; n <= POOL_N; n++) {
		taken[n] = hugetlb_folio_alloc(h);
		if (!taken[n])
			break;
		CHECK(hugetlb_vmemmap_optimized(taken[n]));
		CHECK_EQ(h->free, POOL_N - n - 1);
	}
	CHECK_EQ(n, POOL_N);
	CHECK(list_empty(&h->list));
	for (unsigned long i = 0; i < n; i++)
		hugetlb_folio_free(h, taken[i]);
	CHECK_EQ(h->free, POOL_N);
	CHECK_EQ(h->nr, POOL_N);

	/* give all back: every vmemmap page restored, every folio page free again */
	CHECK_EQ(hugetlb_pool_shrink(h, POOL_N + 3), POOL_N);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(h->nr + h->free + h->optimized, 0);
	CHECK_EQ(b.optimized, a.optimized);
	CHECK_EQ(b.pages_allocated - a.pages_allocated, 7 * POOL_N);
	CHECK_EQ(nr_free_pages(), free_a);
	CHECK_EQ(nr_free_pages(), free0 - (b.pmd_splits - splits_gone) - b.shared_pages);
	CHECK_EQ(hugetlb_pool_shrink(h, 1), 0);

	/* pools that do not optimize: the vmemmap stays as it is */
	hugetlb_init(false);
	CHECK_EQ(hugetlb_pool_grow(h, 2), 2);
	CHECK_EQ(h->optimized, 0);
	CHECK_EQ(nr_free_pages(), free_a - 2 * PAGES_2M);
	list_for_each_entry(p, &h->list, lru)
		CHECK(!hugetlb_vmemmap_optimized(page_folio(p)));
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(a.pages_freed, b.pages_freed);
	CHECK_EQ(hugetlb_pool_shrink(h, 2), 2);
	CHECK_EQ(nr_free_pages(), free_a);
}

static void out_of_memory_restore_changes_nothing(void)
{
	struct hstate *h = &hstates[0];
	unsigned long free_a = nr_free_pages();
	struct folio *f, *g = alloc_folio(ORDER_2M);

	hugetlb_init(true);
	CHECK_EQ(hugetlb_pool_grow(h, 1), 1);
	f = page_folio(list_first_entry(&h->list, struct page, lru));

	/* 3 pages left: restoring needs 7 */
	hoard_all();
	CHECK_EQ(nr_free_pages(), 0);
	release_hoard(nr_hoard - 3);
	CHECK_EQ(nr_free_pages(), 3);
	snap_take(&snap_a, f);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), -ENOMEM);
	snap_take(&snap_b, f);
	CHECK(snap_same(&snap_a, &snap_b)); /* the 3 taken pages went back */
	CHECK_EQ(check_optimized(f), 0);
	/* the pool cannot shrink: the folio stays, optimized */
	CHECK_EQ(hugetlb_pool_shrink(h, 1), 0);
	CHECK(strstr(fake_last_log, "could not be freed") != NULL);
	CHECK_EQ(h->nr, 1);
	CHECK_EQ(h->free, 1);
	CHECK_EQ(h->optimized, 1);
	snap_take(&snap_b, f);
	CHECK(snap_same(&snap_a, &snap_b));
	/* nor grow */
	CHECK_EQ(hugetlb_pool_grow(h, 1), 0);
	CHECK_EQ(h->nr, 1);
	CHECK_EQ(nr_free_pages(), 3);

	/* optimizing needs no memory once the PMD is split and the shared page exists */
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(g), 0);
	CHECK_EQ(nr_free_pages(), 3 + 7);
	CHECK_EQ(check_optimized(g), 0);

	release_hoard(0);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(g), 0);
	free_folio(g);
	CHECK_EQ(hugetlb_pool_shrink(h, 1), 1);
	CHECK_EQ(h->nr, 0);
	CHECK_EQ(nr_free_pages(), free_a);
}

/* fakes/stop_machine_host.c: how many of the next rendezvous time out */
extern unsigned int stop_machine_host_timeouts;

/*
 * Growth with HVO writes only the tails in a folio's head vmemmap page (the other vmemmap pages
 * are about to map the shared page). A folio HVO then refuses, here because the arm64
 * rendezvous times out, must get every other tail written before it enters the pool: the
 * block's struct pages are scribbled on first, and every tail must read canonical.
 */
static void refused_growth_still_writes_every_tail(void)
{
	struct hstate *h = &hstates[0];
	struct page *blk = alloc_pages(0, ORDER_2M), want, *p;
	unsigned long pfn, wrong = 0;
	struct folio *f;

	need(blk != NULL, "no 2 MiB block");
	pfn = page_to_pfn(blk);
	for (unsigned long i = 1; i < PAGES_2M; i++)
		blk[i].index = 0x5a5a0000UL + i; /* what a canonical tail has 0 in */
	CHECK_EQ(__free_pages(blk, ORDER_2M), 0);

	hugetlb_init(true);
	stop_machine_host_timeouts = ARCH_NEEDS_BBM ? 1 : 0;
	CHECK_EQ(hugetlb_pool_grow(h, 1), 1);
	stop_machine_host_timeouts = 0;
	p = list_first_entry(&h->list, struct page, lru);
	f = page_folio(p);
	CHECK_EQ(folio_pfn(f), pfn); /* the block just freed (the buddy hands it out first) */
	CHECK_EQ(hugetlb_vmemmap_optimized(f), !ARCH_NEEDS_BBM);
	CHECK_EQ(h->optimized, !ARCH_NEEDS_BBM);
	canonical_tail(&want, ORDER_2M);
	for (unsigned long i = 1; i < PAGES_2M; i++)
		wrong += memcmp(&f->page + i, &want, sizeof(want)) != 0 ||
			 compound_head(&f->page + i) != &f->page;
	CHECK_EQ(wrong, 0);
	printf("# %s: %lu wrong tails\n", ARCH_NEEDS_BBM ? "refused (rendezvous timed out)" :
	       "optimized (no rendezvous on this arch)", wrong);
	CHECK_EQ(hugetlb_pool_shrink(h, 1), 1);
	CHECK_EQ(h->nr, 0);
}

/* ---- 7: 1 GiB ------------------------------------------------------------------------------ */

static void gigantic_folio_spans_eight_vmemmap_pmds(void)
{
	const unsigned long nvm = GIGA_PAGES * sizeof(struct page) / PAGE_SIZE; /* 4096 */
	struct page *head = pfn_to_page(GIGA_PFN), *saved;
	unsigned long free_a, total_a, tables_a, bad = 0;
	struct hvo_stats a, b;
	struct folio *f;

	/* the buddy has no free 1 GiB range (128 MiB of RAM): the 1G pool cannot grow */
	hugetlb_init(true);
	free_a = nr_free_pages();
	CHECK_EQ(hugetlb_pool_grow(&hstates[1], 1), 0);
	CHECK_EQ(hstates[1].nr, 0);
	CHECK_EQ(nr_free_pages(), free_a);

	/* a gigantic page from the boot reservation; its struct pages are put back at the end */
	saved = malloc(GIGA_PAGES * sizeof(struct page));
	need(saved != NULL, "no host memory");
	memcpy(saved, head, GIGA_PAGES * sizeof(struct page));
	prep_compound_page(head, ORDER_1G);
	f = page_folio(head);
	CHECK_EQ(folio_nr_pages(f), GIGA_PAGES);

	total_a = totalram_pages();
	tables_a = env_pt.nr_table_pages;
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(hugetlb_vmemmap_shared_page(ORDER_1G), 0);
	spy_reset(0);
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);
	hugetlb_vmemmap_get_stats(&b);
	CHECK_EQ(b.pages_freed - a.pages_freed, nvm - 1); /* 4095 of 4096 */
	CHECK_EQ(b.pmd_splits - a.pmd_splits, 8);
	CHECK_EQ(b.shared_pages - a.shared_pages, 1); /* the order-18 one */
	CHECK_EQ(b.flushes - a.flushes, 1); /* the 8 splits and the remap: one break-flush-make */
	CHECK_EQ(spy.calls, 1);
	CHECK_EQ(env_pt.nr_table_pages, tables_a + 8);
	CHECK_EQ(nr_free_pages(), free_a + (nvm - 1) - 8 - 1);
	CHECK_EQ(totalram_pages(), total_a + nvm - 1);
	CHECK(hugetlb_vmemmap_shared_page(ORDER_1G) != hugetlb_vmemmap_shared_page(ORDER_2M));
	CHECK_EQ(check_optimized(f), 0);
	for (unsigned int i = 0; i < 8; i++)
		for (unsigned long j = i ? 0 : 1; j < 512; j++)
			bad += PageFlag(phys_to_page(giga_memmap_pa[i] + j * PAGE_SIZE), PG_reserved);
	CHECK_EQ(bad, 0); /* every boot page but the first handed to the buddy */
	CHECK(PageFlag(phys_to_page(giga_memmap_pa[0]), PG_reserved));
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), -EALREADY);

	/*
	 * Short of memory: 600 pages free, the restore needs 4095. All or nothing: every page is
	 * allocated before any entry changes, so none is restored, none is held, the folio stays
	 * optimized and whole, the error says so; a retry with memory allocates exactly 4095.
	 */
	hoard_all();
	release_hoard(nr_hoard - 600);
	spy_reset(0);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), -ENOMEM);
	CHECK(strstr(fake_last_log, "none restored, they stay optimized and whole") != NULL);
	CHECK_EQ(nr_free_pages(), 600);
	CHECK_EQ(spy.calls, 0);
	CHECK(hugetlb_vmemmap_optimized(f));
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(a.optimized, b.optimized);
	CHECK_EQ(a.pages_allocated, b.pages_allocated);
	CHECK_EQ(a.flushes, b.flushes);
	CHECK_EQ(check_optimized(f), 0);
	CHECK_EQ(check_tails(f), 0);
	release_hoard(0);

	spy_reset(0);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), 0);
	hugetlb_vmemmap_get_stats(&a);
	CHECK_EQ(a.pages_allocated - b.pages_allocated, nvm - 1);
	CHECK_EQ(a.flushes - b.flushes, 1);
	CHECK_EQ(nr_free_pages(), free_a - 8 - 1);
	CHECK_EQ(check_restored(f), 0);
	CHECK_EQ(check_tails(f), 0);

	/* optimize again from private pages, and back */
	CHECK_EQ(hugetlb_vmemmap_optimize_folio(f), 0);
	CHECK_EQ(nr_free_pages(), free_a + (nvm - 1) - 8 - 1);
	CHECK_EQ(check_optimized(f), 0);
	CHECK_EQ(hugetlb_vmemmap_restore_folio(f), 0);
	CHECK_EQ(check_tails(f), 0);
	memcpy(head, saved, GIGA_PAGES * sizeof(struct page));
	free(saved);
	CHECK(PageFlag(pfn_to_page(GIGA_PFN + GIGA_PAGES - 1), PG_reserved));
}

/* ---- the account --------------------------------------------------------------------------- */

/*
 * Each vmemmap page of the boot memmap (RAM and gigantic range) is either still backed by its
 * boot page (reserved) or by a page of its own from the buddy; every boot page released went
 * to the buddy; the buddy lost exactly the PTE tables of the splits and the shared pages.
 */
static void every_vmemmap_page_is_accounted_for(void)
{
	unsigned long released = 0, bad = 0, replaced = 0;
	struct hvo_stats st;

	hugetlb_vmemmap_get_stats(&st);
	CHECK_EQ(st.optimized, 0);
	CHECK_EQ(st.pages_freed, st.pages_allocated);
	CHECK_EQ(st.shared_pages, 2);
	CHECK_EQ(st.pmd_splits - splits_gone, 1 + 8);
	CHECK_EQ(nr_free_pages(), free0 - (st.pmd_splits - splits_gone) - st.shared_pages);
	CHECK_EQ(env_pt.nr_table_pages, tables0 + st.pmd_splits - splits_gone);

	backing_forget();
	for (unsigned int pmd = 0; pmd < 9; pmd++) {
		uintptr_t va = pmd ? vm(GIGA_PFN) + (pmd - 1) * SZ_2M : vm(RAM_PFN);
		phys_addr_t boot = pmd ? giga_memmap_pa[pmd - 1] : ram_memmap_pa;

		for (unsigned long i = 0; i < 512; i++) {
			phys_addr_t pa, b = boot + i * PAGE_SIZE;

			released += !PageFlag(phys_to_page(b), PG_reserved);
			if (env_leaf(va + i * PAGE_SIZE, &pa) != PGTABLE_LEVEL_PTE) {
				bad++;
				continue;
			}
			if (PageFlag(phys_to_page(pa), PG_reserved)) {
				bad += pa != b || !private_backing(va + i * PAGE_SIZE, false);
			} else {
				replaced++;
				bad += !private_backing(va + i * PAGE_SIZE, true);
			}
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(replaced >= 7);
	CHECK_EQ(replaced, released); /* every position optimized once now has a page of its own */
	CHECK_EQ(totalram_pages(), total0 + released);
	printf("# %lu boot vmemmap pages now belong to the buddy, %lu vmemmap pages are backed "
	       "by buddy pages; %lu free pages (%lu at the hand-over)\n",
	       released, replaced, nr_free_pages(), free0);
}

static const struct tap_case cases[] = {
	TAP_CASE(handover_gives_hvo_a_pmd_vmemmap_and_a_buddy),
	TAP_CASE(optimize_2m_folio_shares_its_tail_vmemmap),
	TAP_CASE(restore_gives_private_writable_pages_back),
	TAP_CASE(noncanonical_tail_is_refused_and_nothing_changes),
	TAP_CASE(non_compound_and_small_orders_are_refused),
	TAP_CASE(self_hosted_vmemmap_is_refused),
	TAP_CASE(memmap_from_the_buddy_is_freed_page_by_page),
	TAP_CASE(hot_remove_of_optimized_folios_is_refused),
	TAP_CASE(a_batch_costs_one_flush),
	TAP_CASE(a_batch_splits_at_most_the_remap_limit),
	TAP_CASE(pools_grow_optimized_and_shrink_back),
	TAP_CASE(out_of_memory_restore_changes_nothing),
	TAP_CASE(refused_growth_still_writes_every_tail),
	TAP_CASE(gigantic_folio_spans_eight_vmemmap_pmds),
	TAP_CASE(every_vmemmap_page_is_accounted_for),
};

TAP_MAIN("mm_hvo", cases)
