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
#include <platform/stop_machine.h>

#include <mm/hugetlb.h>
#include <mm/mm_lock.h>
#include <mm/mmzone.h>
#include <mm/page_alloc.h>
#include <mm/pgtable.h>
#include <mm/vmemmap_tails.h>
#include <arch/pgtable.h>

#define VMEMMAP_PMD_SIZE SZ_2M
#define PTES_PER_PMD 512
/* One batch remaps at most this many tail vmemmap pages (585 2 MiB folios, or one 1 GiB). */
#define HVO_BATCH_PTES 4096
#define HVO_BATCH_FOLIOS 512

static struct {
	struct mm_lock lock;
	bool ready;
	phys_addr_t old[HVO_BATCH_PTES];
	phys_addr_t fresh[HVO_BATCH_PTES];
	struct pgtable_remap remap[HVO_BATCH_FOLIOS];
	phys_addr_t split_pa[HVO_BATCH_FOLIOS];
	unsigned short idx[HVO_BATCH_FOLIOS]; /* b->folios[] index of each hvo.remap[] */
	struct hvo_stats st;
} hvo;

/*
 * One batch: the folios, what happened to each, and whether their tails are known canonical
 * (fresh folios: the private ones just written, the rest about to be replaced; no byte-by-byte
 * check needed).
 */
struct hvo_batch {
	struct folio **folios;
	int *ret;
	unsigned int nr;
	unsigned int nr_done; /* folios looked at: the rest (-E2BIG) go to the next batch */
	bool proven;
};

static unsigned long hvo_lock(void)
{
	if (!hvo.ready) {
		mm_lock_init(&hvo.lock);
		hvo.ready = true;
	}
	return mm_lock(&hvo.lock);
}

/*
 * Run @fn (which takes hvo.lock) so that no other CPU can read a vmemmap entry while it is
 * broken: on arm64 every change of a live vmemmap entry is a break-before-make (the output
 * address changes; FEAT_BBM, at any level, relaxes only block-size changes), so the other CPUs
 * are parked for it. riscv64 has no such rule: a hart reads through the old or the new entry,
 * both of which show the same bytes, until the flush.
 */
static int hvo_run(int (*fn)(void *), struct hvo_batch *b)
{
	int ret;

	if (!ARCH_NEEDS_BBM)
		return fn(b);
	ret = stop_machine(fn, b);
	if (ret == -ETIMEDOUT)
		for (unsigned int i = 0; i < b->nr; i++)
			b->ret[i] = -ETIMEDOUT;
	return ret;
}

/* HVO's shared pages: RAM tails of ZONE_NORMAL, kept for the next optimization. */
static struct vmemmap_tail *hvo_tail(unsigned int order)
{
	return order <= MAX_FOLIO_ORDER ? vmemmap_tail_find(order, ZONE_NORMAL, NULL) : NULL;
}

phys_addr_t hugetlb_vmemmap_shared_page(unsigned int order)
{
	struct vmemmap_tail *t = hvo_tail(order);

	return t ? t->page : 0;
}

unsigned long hugetlb_vmemmap_shared_users(unsigned int order)
{
	struct vmemmap_tail *t = hvo_tail(order);

	return t ? t->users : 0;
}

void hugetlb_vmemmap_get_stats(struct hvo_stats *st)
{
	struct vmemmap_tail_stats ts;

	*st = hvo.st;
	vmemmap_tail_get_stats(&ts);
	st->alias_writable = ts.alias_writable;
	st->shared_pages = 0;
	for (unsigned int order = 0; order <= MAX_FOLIO_ORDER; order++)
		st->shared_pages += hvo_tail(order) != NULL;
}

/* The 64 bytes every tail of an order-@order folio of @zone holds (prep_compound_page()). */
static void canonical_tail(struct page *tail, unsigned int order, enum zone_type zone)
{
	memset(tail, 0, sizeof(*tail));
	set_page_zone(tail, zone);
	tail->compound_info = compound_info_for_order(order);
	atomic_store_explicit(&tail->_mapcount, -1, memory_order_relaxed);
}

/*
 * The page all optimized folios of @order share (vmemmap_tails.c), made on first use (bit
 * @order of *@created set then) and kept while no folio maps it, for the next optimization.
 * No reference is taken here: the folios count once their remap is done.
 */
static phys_addr_t shared_page(unsigned int order, unsigned long *created)
{
	struct vmemmap_tail *t = hvo_tail(order);

	if (t)
		return t->page;
	t = vmemmap_tail_get(order, ZONE_NORMAL, NULL, 0, true);
	if (!t)
		return 0;
	*created |= 1UL << order;
	return t->page;
}

/* Undo shared_page() for the orders of @created whose optimizations all failed. */
static void drop_unused_shared_pages(unsigned long created)
{
	for (unsigned int order = 0; order <= MAX_FOLIO_ORDER; order++)
		if (created & (1UL << order))
			vmemmap_tail_drop(hvo_tail(order));
}

/* The vmemmap address range of @folio's struct pages: [*start, *end). */
static void folio_vmemmap(const struct folio *folio, uintptr_t *start, uintptr_t *end)
{
	*start = (uintptr_t)&folio->page;
	*end = *start + (folio_nr_pages(folio) * sizeof(struct page));
}

static unsigned long folio_tail_vmemmap_pages(const struct folio *folio)
{
	return folio_nr_pages(folio) * sizeof(struct page) / PAGE_SIZE - 1;
}

/* @r: the walk of the folio's first struct page */
static bool self_hosted(const struct folio *folio, const struct pgtable_walk_result *r)
{
	unsigned long pfn = folio_pfn(folio);
	struct mem_section *ms = __pfn_to_section(pfn);
	phys_addr_t lo = PFN_PHYS(pfn), hi = lo + PFN_PHYS(folio_nr_pages(folio));

	if (ms && ms->altmap)
		return true; /* the memmap lives in the device range (memmap_on_memory / altmap) */
	if (!r->found)
		return true;
	return r->pa >= lo && r->pa < hi;
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
 * free_backing() of @pas[0..@nr): a run of adjacent boot (reserved) pages, what the tails of a
 * folio usually had, goes back in one call.
 */
static void free_backing_many(const phys_addr_t *pas, unsigned long nr)
{
	for (unsigned long i = 0, run; i < nr; i += run) {
		run = 1;
		if (PageFlag(phys_to_page(pas[i]), PG_reserved))
			while (i + run < nr && pas[i + run] == pas[i] + run * PAGE_SIZE &&
			       PageFlag(phys_to_page(pas[i + run]), PG_reserved))
				run++;
		if (run > 1)
			free_reserved_pages(phys_to_page(pas[i]), run);
		else
			free_backing(pas[i]);
	}
}

/* Every tail of @folio is the canonical one (what is read must not change with the remap). */
static int tails_canonical(const struct folio *folio, uintptr_t start, uintptr_t end)
{
	unsigned int order = folio_order(folio);
	struct page tail;

	canonical_tail(&tail, order, ZONE_NORMAL);
	for (uintptr_t va = start + PAGE_SIZE; va < end; va += sizeof(struct page)) {
		/* the first tail page struct by struct, every later one against it whole */
		const void *want = va < start + 2 * PAGE_SIZE ? (const void *)&tail :
			(const void *)(start + PAGE_SIZE);
		size_t len = va < start + 2 * PAGE_SIZE ? sizeof(tail) : PAGE_SIZE;

		if (memcmp((const void *)va, want, len)) {
			pr_err("hvo: folio at pfn 0x%lx: the tail struct page at 0x%lx differs from "
			       "the canonical tail: not optimized\n", folio_pfn(folio),
			       (unsigned long)va);
			return -EBUSY;
		}
		if (len == PAGE_SIZE)
			va += PAGE_SIZE - sizeof(struct page);
	}
	return 0;
}

/* Whether @folio may be optimized: 0 or why not (reported). @r: the walk of its head. */
static int optimizable(struct folio *folio, bool proven, struct pgtable_walk_result *r)
{
	unsigned int order = folio_order(folio);
	uintptr_t start, end;

	if (!PageHead(&folio->page) || order < HUGETLB_ORDER_2M || order > MAX_FOLIO_ORDER)
		return -EINVAL;
	if (hugetlb_vmemmap_optimized(folio))
		return -EALREADY;
	folio_vmemmap(folio, &start, &end);
	pgtable_walk(vmemmap_pgtable(), start, r);
	if (self_hosted(folio, r)) {
		hvo.st.refused_self_hosted++;
		pr_err("hvo: folio at pfn 0x%lx: its struct pages are self-hosted (inside device or "
		       "folio memory): not optimized\n", folio_pfn(folio));
		return -EOPNOTSUPP;
	}
	/* RAM folios only: the shared tails carry ZONE_NORMAL, and only RAM vmemmap is freed. */
	if (page_zonenum(&folio->page) != ZONE_NORMAL) {
		pr_err("hvo: folio at pfn 0x%lx is not in ZONE_NORMAL: not optimized\n",
		       folio_pfn(folio));
		return -EINVAL;
	}
	return proven ? 0 : tails_canonical(folio, start, end);
}

/* The PMD leaf @r found, if it is one (its backing is split with it): its pa. */
static phys_addr_t vmemmap_pmd_leaf(const struct pgtable_walk_result *r)
{
	if (!r->found || r->level != PGTABLE_LEVEL_PMD)
		return 0;
	return ALIGN_DOWN(r->pa, VMEMMAP_PMD_SIZE);
}

/*
 * Optimize the folios of @b in one remap: the vmemmap PMD leaves they lie under are split in
 * the same break-flush-make, so the whole batch costs one TLB flush. The old backing is freed
 * after it. A folio refused gets its reason in b->ret[] and leaves the others alone.
 */
static int optimize_batch(void *arg)
{
	struct hvo_batch *b = arg;
	struct pgtable *pt = vmemmap_pgtable();
	unsigned long flags = hvo_lock(), flush0, nptes = 0, created = 0;
	unsigned int n = 0, nsplit = 0, more, order;
	int ret;

	b->nr_done = b->nr;
	for (unsigned int i = 0; i < b->nr; i++) {
		struct folio *f = b->folios[i];
		struct pgtable_walk_result r;
		uintptr_t start, end;
		phys_addr_t shared, leaf;

		b->ret[i] = optimizable(f, b->proven, &r);
		if (b->ret[i])
			continue;
		order = folio_order(f);
		shared = shared_page(order, &created);
		if (!shared) {
			pr_err("hvo: no page for the shared order-%u tails: folio at pfn 0x%lx not "
			       "optimized\n", order, folio_pfn(f));
			b->ret[i] = -ENOMEM;
			continue;
		}
		folio_vmemmap(f, &start, &end);
		/* the leaves under the tails (1 for a 2 MiB folio, 8 for a 1 GiB one), new ones */
		more = 0;
		for (uintptr_t a = start; a < end; a += VMEMMAP_PMD_SIZE) {
			if (a != start)
				pgtable_walk(pt, a, &r); /* the head's walk serves the first */
			leaf = vmemmap_pmd_leaf(&r);
			for (unsigned int k = 0; k < nsplit + more && leaf; k++)
				if (hvo.split_pa[k] == leaf)
					leaf = 0;
			if (leaf)
				hvo.split_pa[nsplit + more++] = leaf;
		}
		if (nsplit + more > PGTABLE_REMAP_MAX_SPLITS) {
			/* one remap splits no more: this folio and the rest go to the next batch */
			for (unsigned int j = i; j < b->nr; j++)
				b->ret[j] = -E2BIG;
			b->nr_done = i;
			break;
		}
		nsplit += more;
		hvo.remap[n] = (struct pgtable_remap){
			.va = start + PAGE_SIZE, .nr = folio_tail_vmemmap_pages(f), .one_pa = shared,
			.prot = PAGE_KERNEL_RO, .old = &hvo.old[nptes] };
		nptes += hvo.remap[n].nr;
		hvo.idx[n++] = i;
	}
	flush0 = tlb_flush_count; /* the remap's, not those of a new shared page's alias */
	ret = n ? pgtable_remap_ptes_many(pt, hvo.remap, n) : 0;
	hvo.st.flushes += tlb_flush_count - flush0;
	if (ret) {
		/* nothing changed: the folios stay whole and unoptimized */
		pr_err("hvo: remapping the tails of %u folio(s) failed: %d; none optimized\n", n,
		       ret);
		for (unsigned int i = 0; i < n; i++)
			b->ret[hvo.idx[i]] = ret;
	} else {
		for (unsigned int k = 0; k < nsplit; k++)
			split_backing(hvo.split_pa[k]);
		hvo.st.pmd_splits += nsplit;
		free_backing_many(hvo.old, nptes);
		hvo.st.pages_freed += nptes;
		for (unsigned int i = 0; i < n; i++) {
			struct folio *f = b->folios[hvo.idx[i]];

			SetPageFlag(&f->page, PG_vmemmap_optimized);
			hvo_tail(folio_order(f))->users++;
			hvo.st.optimized++;
		}
		hvo.st.batches += n > 0;
	}
	drop_unused_shared_pages(created);
	mm_unlock(&hvo.lock, flags);
	return 0;
}

/*
 * Restore the folios of @b: every page the batch needs is allocated before any entry
 * changes; short of one, none is restored (-ENOMEM) and nothing changed.
 */
static int restore_batch(void *arg)
{
	struct hvo_batch *b = arg;
	struct pgtable *pt = vmemmap_pgtable();
	unsigned long flags = hvo_lock(), flush0 = tlb_flush_count, nptes = 0, got;
	unsigned int n = 0;
	int ret = 0;

	b->nr_done = b->nr;
	for (unsigned int i = 0; i < b->nr; i++) {
		struct folio *f = b->folios[i];
		uintptr_t start, end;

		if (!hugetlb_vmemmap_optimized(f)) {
			b->ret[i] = -EINVAL;
			continue;
		}
		folio_vmemmap(f, &start, &end);
		hvo.remap[n] = (struct pgtable_remap){
			.va = start + PAGE_SIZE, .nr = folio_tail_vmemmap_pages(f),
			.pas = &hvo.fresh[nptes], .prot = PAGE_KERNEL, .old = &hvo.old[nptes] };
		nptes += hvo.remap[n].nr;
		b->ret[i] = 0;
		hvo.idx[n++] = i;
	}
	for (got = 0; got < nptes; got++) {
		struct page *p = alloc_page(GFP_KERNEL | __GFP_NOWARN);

		if (!p)
			break;
		hvo.fresh[got] = page_to_phys(p);
	}
	if (got < nptes) {
		ret = -ENOMEM;
		pr_err("hvo: %lu of the %lu pages needed to restore the vmemmap of %u folio(s) "
		       "(first at pfn 0x%lx): none restored, they stay optimized and whole\n",
		       got, nptes, n, folio_pfn(b->folios[hvo.idx[0]]));
	} else {
		/* the tails read the same through the new pages (copied from the shared one) */
		for (unsigned int i = 0, off = 0; i < n; off += hvo.remap[i].nr, i++)
			for (unsigned long j = 0; j < hvo.remap[i].nr; j++)
				memcpy(__va(hvo.fresh[off + j]),
				       __va(hugetlb_vmemmap_shared_page(
					       folio_order(b->folios[hvo.idx[i]]))),
				       PAGE_SIZE);
		ret = n ? pgtable_remap_ptes_many(pt, hvo.remap, n) : 0;
		if (ret)
			pr_err("hvo: remapping the tails of %u folio(s) failed: %d; none restored\n",
			       n, ret);
	}
	if (ret) {
		while (got--)
			__free_pages(phys_to_page(hvo.fresh[got]), 0);
		for (unsigned int i = 0; i < n; i++)
			b->ret[hvo.idx[i]] = ret;
		goto out;
	}
	hvo.st.pages_allocated += nptes;
	for (unsigned int i = 0, off = 0; i < n; off += hvo.remap[i].nr, i++) {
		struct folio *f = b->folios[hvo.idx[i]];
		struct vmemmap_tail *t = hvo_tail(folio_order(f));

		for (unsigned long j = 0; j < hvo.remap[i].nr; j++)
			if (hvo.old[off + j] != t->page)
				free_backing(hvo.old[off + j]);
		ClearPageFlag(&f->page, PG_vmemmap_optimized);
		hvo.st.optimized--;
		vmemmap_tail_put(t, 1); /* kept at 0 for the next one */
	}
	hvo.st.batches += n > 0;
out:
	hvo.st.flushes += tlb_flush_count - flush0;
	mm_unlock(&hvo.lock, flags);
	return 0;
}

/*
 * Take up to HVO_BATCH_FOLIOS folios (HVO_BATCH_PTES tail pages) from @list, starting at
 * *@pos, into @folios. Return: how many.
 */
static unsigned int next_batch(struct list_head *list, struct list_head **pos,
			       struct folio **folios)
{
	unsigned long ptes = 0;
	unsigned int n = 0;

	while (*pos != list && n < HVO_BATCH_FOLIOS) {
		struct folio *f = page_folio(list_entry(*pos, struct page, lru));
		unsigned long need = folio_order(f) >= HUGETLB_ORDER_2M &&
				     folio_order(f) <= MAX_FOLIO_ORDER ?
				     folio_tail_vmemmap_pages(f) : 0;

		if (n && ptes + need > HVO_BATCH_PTES)
			break;
		ptes += need;
		folios[n++] = f;
		*pos = (*pos)->next;
	}
	return n;
}

static struct folio *batch_folios[HVO_BATCH_FOLIOS];
static int batch_ret[HVO_BATCH_FOLIOS];
static int batch_busy;

/* Run @fn over @list in batches. Return: folios it did something to. */
static unsigned long run_batches(struct list_head *list, int (*fn)(void *), bool proven)
{
	struct list_head *pos = list->next;
	unsigned long done = 0;

	for (;;) {
		struct hvo_batch b = { .folios = batch_folios, .ret = batch_ret, .proven = proven };

		b.nr = next_batch(list, &pos, batch_folios);
		if (!b.nr)
			break;
		b.nr_done = b.nr;
		hvo_run(fn, &b);
		if (b.nr_done < b.nr) /* the rest starts the next batch */
			pos = &batch_folios[b.nr_done]->page.lru;
		/* why a folio was left as it was is already reported (or is no error) */
		for (unsigned int i = 0; i < b.nr_done; i++)
			done += !b.ret[i];
	}
	return done;
}

static int run_one(struct folio *folio, int (*fn)(void *), bool proven)
{
	struct folio *f = folio;
	int ret = 0;
	struct hvo_batch b = { .folios = &f, .ret = &ret, .nr = 1, .proven = proven };

	if (!vmemmap_pgtable())
		return -EINVAL;
	hvo_run(fn, &b);
	return ret;
}

void hugetlb_vmemmap_adopt(struct folio *folio)
{
	unsigned long flags = hvo_lock();
	struct vmemmap_tail *t = hvo_tail(folio_order(folio));

	if (t && hugetlb_vmemmap_optimized(folio)) {
		t->users++;
		hvo.st.optimized++;
	}
	mm_unlock(&hvo.lock, flags);
}

int hugetlb_vmemmap_optimize_folio(struct folio *folio)
{
	return run_one(folio, optimize_batch, false);
}

int hugetlb_vmemmap_restore_folio(struct folio *folio)
{
	return run_one(folio, restore_batch, false);
}

/*
 * The batch arrays are one set: batches of two callers run one after the other (the lock is
 * taken with interrupts on, so a CPU waiting here can still be parked by the other's batch).
 */
static void batches_lock(void)
{
	while (__atomic_exchange_n(&batch_busy, 1, __ATOMIC_ACQUIRE))
		;
}

static void batches_unlock(void)
{
	__atomic_store_n(&batch_busy, 0, __ATOMIC_RELEASE);
}

unsigned long hugetlb_vmemmap_optimize_folios(struct list_head *folios, bool fresh)
{
	unsigned long n;

	if (!vmemmap_pgtable())
		return 0;
	batches_lock();
	n = run_batches(folios, optimize_batch, fresh);
	batches_unlock();
	return n;
}

unsigned long hugetlb_vmemmap_restore_folios(struct list_head *folios)
{
	unsigned long n;

	if (!vmemmap_pgtable())
		return 0;
	batches_lock();
	n = run_batches(folios, restore_batch, false);
	batches_unlock();
	return n;
}

bool hvo_range_busy(unsigned long pfn, unsigned long nr)
{
	unsigned long flags, end = pfn + nr, found = 0;

	if (!__atomic_load_n(&hvo.st.optimized, __ATOMIC_RELAXED))
		return false;
	flags = hvo_lock();
	/* an optimized folio is 512-aligned: one struct page per 512 pfns meets each of them */
	for (unsigned long p = pfn; p < end && !found; p = ALIGN_DOWN(p + 512, 512)) {
		struct page *head = compound_head(pfn_to_page(p));

		if (PageHead(head) && PageFlag(head, PG_vmemmap_optimized))
			found = page_to_pfn(head);
	}
	mm_unlock(&hvo.lock, flags);
	if (found)
		pr_err("hvo: pfns 0x%lx-0x%lx hold struct pages of the HVO-optimized folio at pfn "
		       "0x%lx (mapped onto the shared tail page): restore it (or shrink its pool) "
		       "before removing them\n", pfn, end - 1, found);
	return found;
}

bool hugetlb_vmemmap_describe(uintptr_t va, char *buf, size_t len)
{
	/* HVO's shared pages and compound device pages' alike (vmemmap_tails.c) */
	return vmemmap_tail_describe(va, buf, len);
}
