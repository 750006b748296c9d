// SPDX-License-Identifier: BSD-2-Clause
// HugeTLB Vmemmap Optimization: the tail-only vmemmap pages of a HugeTLB folio are remapped
// read-only onto one shared page of canonical tails and their backing is freed; restore gives
// them private pages again (mm/hugetlb_vmemmap.c of Linux, with the shared-tail variant that the
// mask-encoded tails of <mm/page.h> allow).
#include <stdio.h>
#include <string.h>

#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/printk.h>

#include <mm/hugetlb.h>
#include <mm/mm_lock.h>
#include <mm/mmzone.h>
#include <mm/page_alloc.h>
#include <mm/pgtable.h>

#define VMEMMAP_PMD_SIZE SZ_2M
#define PTES_PER_PMD 512

static struct {
	struct mm_lock lock;
	bool ready;
	phys_addr_t shared[MAX_FOLIO_ORDER + 1];
	phys_addr_t old[PTES_PER_PMD];
	phys_addr_t fresh[PTES_PER_PMD];
	struct hvo_stats st;
} hvo;

static unsigned long hvo_lock(void)
{
	if (!hvo.ready) {
		mm_lock_init(&hvo.lock);
		hvo.ready = true;
	}
	return mm_lock(&hvo.lock);
}

phys_addr_t hugetlb_vmemmap_shared_page(unsigned int order)
{
	return order <= MAX_FOLIO_ORDER ? hvo.shared[order] : 0;
}

void hugetlb_vmemmap_get_stats(struct hvo_stats *st)
{
	*st = hvo.st;
}

/* The 64 bytes every tail of an order-@order folio of @zone holds (prep_compound_page()). */
static void canonical_tail(struct page *tail, unsigned int order, enum zone_type zone)
{
	memset(tail, 0, sizeof(*tail));
	set_page_zone(tail, zone);
	tail->compound_info = compound_info_for_order(order);
	atomic_store_explicit(&tail->_mapcount, -1, memory_order_relaxed);
}

/* 64 canonical tails: the page all optimized folios of @order share. Set *@created if new. */
static phys_addr_t shared_page(unsigned int order, bool *created)
{
	struct page *p, tail;

	*created = false;
	if (hvo.shared[order])
		return hvo.shared[order];
	p = alloc_page(__GFP_ZERO);
	if (!p)
		return 0;
	canonical_tail(&tail, order, ZONE_NORMAL);
	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(struct page); i++)
		memcpy((struct page *)__va(page_to_phys(p)) + i, &tail, sizeof(tail));
	hvo.shared[order] = page_to_phys(p);
	hvo.st.shared_pages++;
	*created = true;
	return hvo.shared[order];
}

/* Undo shared_page() when the optimization that created it did not happen. */
static void drop_new_shared_page(unsigned int order)
{
	__free_pages(phys_to_page(hvo.shared[order]), 0);
	hvo.shared[order] = 0;
	hvo.st.shared_pages--;
}

/* The vmemmap address range of @folio's struct pages: [*start, *end). */
static void folio_vmemmap(const struct folio *folio, uintptr_t *start, uintptr_t *end)
{
	*start = (uintptr_t)&folio->page;
	*end = *start + (folio_nr_pages(folio) * sizeof(struct page));
}

static bool self_hosted(const struct folio *folio, uintptr_t start)
{
	struct pgtable_walk_result r;
	unsigned long pfn = folio_pfn(folio);
	struct mem_section *ms = __pfn_to_section(pfn);
	phys_addr_t lo = PFN_PHYS(pfn), hi = lo + PFN_PHYS(folio_nr_pages(folio));

	if (ms && ms->altmap)
		return true; /* the memmap lives in the device range (memmap_on_memory / altmap) */
	if (pgtable_walk(vmemmap_pgtable(), start, &r))
		return true;
	return r.pa >= lo && r.pa < hi;
}

/*
 * A vmemmap PMD leaf the buddy gave (memmap added after the hand-over) is one non-compound
 * order-9 block: only its first page holds a reference. Once split, its pages are freed one by
 * one (here, and by vmemmap_free() of the PTE leaves), so each gets its own reference, as
 * Linux's vmemmap_split_pmd() does with split_page(). Boot blocks are PG_reserved: nothing to do.
 */
static void split_backing(phys_addr_t pa)
{
	struct page *p = phys_to_page(ALIGN_DOWN(pa, VMEMMAP_PMD_SIZE));

	if (PageFlag(p, PG_reserved))
		return;
	for (unsigned int i = 1; i < PTES_PER_PMD; i++)
		set_page_count(p + i, 1);
}

static int split_vmemmap_pmds(struct pgtable *pt, uintptr_t start, uintptr_t end)
{
	for (uintptr_t a = ALIGN_DOWN(start, VMEMMAP_PMD_SIZE); a < end; a += VMEMMAP_PMD_SIZE) {
		struct pgtable_walk_result r;
		int ret;

		if (pgtable_walk(pt, a < start ? start : a, &r))
			return -ENOENT;
		if (r.level != PGTABLE_LEVEL_PMD)
			continue;
		ret = pgtable_split(pt, a, PGTABLE_LEVEL_PMD);
		if (ret)
			return ret;
		split_backing(r.pa);
		hvo.st.pmd_splits++;
	}
	return 0;
}

static void free_backing(phys_addr_t pa)
{
	struct page *p = phys_to_page(pa);

	/* boot vmemmap came from memblock (reserved); later blocks from the buddy */
	if (PageFlag(p, PG_reserved))
		free_reserved_page(p);
	else
		__free_pages(p, 0);
}

/*
 * Give the tail vmemmap pages in [@from, @to) private pages again, filled with the canonical
 * tails; pages that were already private (a partial restore) are replaced and freed.
 */
static int restore_range(unsigned int order, uintptr_t from, uintptr_t to)
{
	struct pgtable *pt = vmemmap_pgtable();

	for (uintptr_t va = from; va < to;) {
		uintptr_t stop = ALIGN_DOWN(va + VMEMMAP_PMD_SIZE, VMEMMAP_PMD_SIZE);
		unsigned long n = ((stop < to ? stop : to) - va) >> PAGE_SHIFT, got = 0;
		int ret;

		for (; got < n; got++) {
			struct page *p = alloc_page(GFP_KERNEL);

			if (!p)
				break;
			hvo.fresh[got] = page_to_phys(p);
			memcpy(__va(hvo.fresh[got]), __va(hvo.shared[order]), PAGE_SIZE);
		}
		if (got < n) {
			while (got--)
				__free_pages(phys_to_page(hvo.fresh[got]), 0);
			return -ENOMEM;
		}
		ret = pgtable_remap_ptes(pt, va, n, hvo.fresh, 0, PAGE_KERNEL, hvo.old);
		if (ret) {
			for (unsigned long i = 0; i < n; i++)
				__free_pages(phys_to_page(hvo.fresh[i]), 0);
			return ret;
		}
		for (unsigned long i = 0; i < n; i++)
			if (hvo.old[i] != hvo.shared[order])
				free_backing(hvo.old[i]);
		hvo.st.pages_allocated += n;
		va += n << PAGE_SHIFT;
	}
	return 0;
}

int hugetlb_vmemmap_optimize_folio(struct folio *folio)
{
	struct pgtable *pt = vmemmap_pgtable();
	unsigned int order = folio_order(folio);
	uintptr_t start, end, va;
	phys_addr_t shared;
	unsigned long flags, flush0 = tlb_flush_count;
	struct page tail;
	bool created;
	int ret = 0;

	if (!pt || !PageHead(&folio->page) || order < HUGETLB_ORDER_2M || order > MAX_FOLIO_ORDER)
		return -EINVAL;
	folio_vmemmap(folio, &start, &end);
	flags = hvo_lock();
	if (hugetlb_vmemmap_optimized(folio)) {
		ret = -EALREADY;
		goto out;
	}
	if (self_hosted(folio, start)) {
		hvo.st.refused_self_hosted++;
		pr_err("hvo: folio at pfn 0x%lx: its struct pages are self-hosted (inside device or "
		       "folio memory): not optimized\n", folio_pfn(folio));
		ret = -EOPNOTSUPP;
		goto out;
	}
	/* RAM folios only: the shared tails carry ZONE_NORMAL, and only RAM vmemmap is freed. */
	if (page_zonenum(&folio->page) != ZONE_NORMAL) {
		pr_err("hvo: folio at pfn 0x%lx is not in ZONE_NORMAL: not optimized\n",
		       folio_pfn(folio));
		ret = -EINVAL;
		goto out;
	}
	/* Every tail must already be the canonical one: the remap must not change what is read. */
	canonical_tail(&tail, order, ZONE_NORMAL);
	for (va = start + PAGE_SIZE; va < end; va += sizeof(struct page)) {
		/* the first tail page struct by struct, every later one against it whole */
		const void *want = va < start + 2 * PAGE_SIZE ? (const void *)&tail :
			(const void *)(start + PAGE_SIZE);
		size_t len = va < start + 2 * PAGE_SIZE ? sizeof(tail) : PAGE_SIZE;

		if (memcmp((const void *)va, want, len)) {
			pr_err("hvo: folio at pfn 0x%lx: the tail struct page at 0x%lx differs from "
			       "the canonical tail: not optimized\n", folio_pfn(folio),
			       (unsigned long)va);
			ret = -EBUSY;
			goto out;
		}
		if (len == PAGE_SIZE)
			va += PAGE_SIZE - sizeof(struct page);
	}
	shared = shared_page(order, &created);
	if (!shared) {
		ret = -ENOMEM;
		goto out;
	}
	ret = split_vmemmap_pmds(pt, start, end);
	if (ret) {
		if (created)
			drop_new_shared_page(order);
		goto out;
	}
	/* One batch (one flush) per vmemmap PMD: the tails of a 1 GiB folio span 8 of them. */
	for (va = start + PAGE_SIZE; va < end;) {
		uintptr_t stop = ALIGN_DOWN(va + VMEMMAP_PMD_SIZE, VMEMMAP_PMD_SIZE);
		unsigned long n = ((stop < end ? stop : end) - va) >> PAGE_SHIFT;

		ret = pgtable_remap_ptes(pt, va, n, NULL, shared, PAGE_KERNEL_RO, hvo.old);
		if (ret) {
			/* give the part already shared its own pages back: the folio stays whole */
			pr_err("hvo: remapping the tails at 0x%lx failed: %d; undoing\n",
			       (unsigned long)va, ret);
			if (restore_range(order, start + PAGE_SIZE, va)) {
				/* no memory to undo: the folio stays (partly) optimized, restore later */
				SetPageFlag(&folio->page, PG_vmemmap_optimized);
				hvo.st.optimized++;
			}
			goto out;
		}
		for (unsigned long i = 0; i < n; i++)
			free_backing(hvo.old[i]);
		hvo.st.pages_freed += n;
		va += n << PAGE_SHIFT;
	}
	SetPageFlag(&folio->page, PG_vmemmap_optimized);
	hvo.st.optimized++;
out:
	hvo.st.flushes += tlb_flush_count - flush0;
	mm_unlock(&hvo.lock, flags);
	return ret;
}

int hugetlb_vmemmap_restore_folio(struct folio *folio)
{
	uintptr_t start, end;
	unsigned long flags, flush0 = tlb_flush_count;
	int ret = 0;

	if (!vmemmap_pgtable())
		return -EINVAL;
	folio_vmemmap(folio, &start, &end);
	flags = hvo_lock();
	if (!hugetlb_vmemmap_optimized(folio)) {
		ret = -EINVAL;
		goto out;
	}
	ret = restore_range(folio_order(folio), start + PAGE_SIZE, end);
	if (ret) {
		pr_err("hvo: no memory to restore the vmemmap of the folio at pfn 0x%lx: %d\n",
		       folio_pfn(folio), ret);
		goto out; /* what is restored stays restored; a later restore finishes the rest */
	}
	ClearPageFlag(&folio->page, PG_vmemmap_optimized);
	hvo.st.optimized--;
out:
	hvo.st.flushes += tlb_flush_count - flush0;
	mm_unlock(&hvo.lock, flags);
	return ret;
}

bool hugetlb_vmemmap_describe(uintptr_t va, char *buf, size_t len)
{
	struct pgtable_walk_result r;
	struct pgtable *pt = vmemmap_pgtable();
	unsigned long pfn;
	unsigned int order;

	if (!pt || pgtable_walk(pt, va, &r))
		return false;
	for (order = 0; order <= MAX_FOLIO_ORDER; order++)
		if (hvo.shared[order] && ALIGN_DOWN(r.pa, PAGE_SIZE) == hvo.shared[order])
			break;
	if (order > MAX_FOLIO_ORDER)
		return false;
	pfn = (unsigned long)(((struct page *)ALIGN_DOWN(va, sizeof(struct page))) - vmemmap);
	snprintf(buf, len,
		 "write to the struct page of pfn 0x%lx: a tail of the HVO-optimized order-%u "
		 "folio at pfn 0x%lx, whose tail struct pages are a shared read-only page",
		 pfn, order, pfn & ~((1UL << order) - 1));
	return true;
}
