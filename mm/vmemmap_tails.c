// SPDX-License-Identifier: BSD-2-Clause
// Shared tail struct pages (<mm/vmemmap_tails.h>): every tail of an order-N compound page of a
// zone is the same 64 bytes (page.h), so HVO's optimized HugeTLB folios and compound device
// pages map their tail-only vmemmap pages onto one read-only page per (order, zone, altmap),
// counted by its users. Device tails carry ZONE_DEVICE in their flags and nothing of their
// pagemap (a tail reaches it through its head), so all RAM-backed device memmaps of one order
// share a page; a memmap in a device (altmap) gets its own, stored in that device.
#include <stdio.h>
#include <string.h>

#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/printk.h>

#include <mm/mm_lock.h>
#include <mm/mmzone.h>
#include <mm/memremap.h>
#include <mm/pgtable.h>
#include <mm/vmemmap_tails.h>
#include <arch/pgtable.h>

static struct {
	struct mm_lock lock;
	bool ready;
	struct vmemmap_tail t[VMEMMAP_TAILS_MAX];
	struct vmemmap_tail_stats st;
	phys_addr_t pool;	/* VMEMMAP_TAIL_POOL pages whose linear alias is page-mapped */
	unsigned long pool_used; /* bitmap */
} vt;

void vmemmap_tail_pool_init(phys_addr_t pa)
{
	vt.pool = pa;
	vt.pool_used = 0;
}

/* A RAM page for a shared tail page: from the pool while it lasts (see protect_alias()). */
static int ram_backing(phys_addr_t *pa)
{
	for (unsigned int i = 0; vt.pool && i < VMEMMAP_TAIL_POOL; i++)
		if (!(vt.pool_used & (1UL << i))) {
			vt.pool_used |= 1UL << i;
			vt.st.pool_used++;
			*pa = vt.pool + (phys_addr_t)i * PAGE_SIZE;
			return 0;
		}
	return vmemmap_tail_backing(NULL, pa);
}

static bool in_pool(phys_addr_t pa)
{
	return vt.pool && pa >= vt.pool && pa < vt.pool + VMEMMAP_TAIL_POOL * PAGE_SIZE;
}

static void free_backing(phys_addr_t pa, struct vmem_altmap *altmap)
{
	if (altmap || !in_pool(pa)) {
		vmemmap_tail_backing_free(pa, altmap);
		return;
	}
	vt.pool_used &= ~(1UL << ((pa - vt.pool) / PAGE_SIZE));
	vt.st.pool_used--;
}

static unsigned long tails_lock(void)
{
	if (!vt.ready) {
		mm_lock_init(&vt.lock);
		vt.ready = true;
	}
	return mm_lock(&vt.lock);
}

/*
 * The linear map also reaches a shared page: a stray write through that alias would change
 * the tails of every compound page mapping it, so the alias is read-only while the page is
 * shared and writable again before it is freed. RAM shared pages come from a pool that
 * paging_init() set aside with its linear alias already made of page leaves (before the table
 * went live), so the protection is one leaf changed, with no split, on every arch: on arm64
 * making one page of a live linear-map block read-only would split the block with a
 * break-before-make this CPU itself could fall into (its page tables are reached through that
 * block). An alias that is still a block there (the pool run dry) stays writable and is
 * counted; riscv64 splits it. A shared page in a device (altmap) is treated alike on both
 * arches: its alias is left writable where its range's linear map has a block there, as the
 * head pages beside it are (a stray store through the device's alias can hit those too), so
 * bring-up does not split the range's 1 GiB leaf (two table pages, ~30 k instructions).
 */
static void protect_alias(struct vmemmap_tail *t, bool ro)
{
	struct pgtable *pt = vmemmap_pgtable();
	uintptr_t va = (uintptr_t)__va(t->page);
	struct pgtable_walk_result r;

	if (!pt || pgtable_walk(pt, va, &r))
		return; /* no alias in this table (host tests: the linear map is not in it) */
	if (ro && !(pgprot_val(r.prot) & PGPROT_WRITE)) {
		t->alias_kept = true; /* read-only already (a range we do not own): left so */
		return;
	}
	if (t->alias_kept)
		return;
	if (ro && r.level != PGTABLE_LEVEL_PTE && (ARCH_NEEDS_BBM || t->altmap)) {
		t->alias_writable = true;
		vt.st.alias_writable++;
		return;
	}
	if (!ro && t->alias_writable) {
		vt.st.alias_writable--;
		return;
	}
	if (ro && r.level != PGTABLE_LEVEL_PTE) {
		t->alias_split = r.level;
		vt.st.alias_split++;
	}
	if (pgtable_protect(pt, va, PAGE_SIZE, ro ? PAGE_KERNEL_RO : PAGE_KERNEL))
		pr_warn("vmemmap: the linear alias of the shared tail page 0x%llx stays %s\n",
			(unsigned long long)t->page, ro ? "writable" : "read-only");
	/* a leaf split for it (riscv64 only: no break-before-make) is made whole again */
	for (int level = PGTABLE_LEVEL_PMD; !ro && level <= t->alias_split; level++)
		pgtable_merge(pt, va, level);
	if (!ro && t->alias_split)
		vt.st.alias_split--;
}

struct vmemmap_tail *vmemmap_tail_find(unsigned int order, enum zone_type zone,
				       const struct vmem_altmap *altmap)
{
	for (unsigned int i = 0; i < VMEMMAP_TAILS_MAX; i++) {
		struct vmemmap_tail *t = &vt.t[i];

		if (t->page && t->order == order && t->zone == zone && t->altmap == altmap)
			return t;
	}
	return NULL;
}

struct vmemmap_tail *vmemmap_tail_by_page(phys_addr_t pa)
{
	for (unsigned int i = 0; i < VMEMMAP_TAILS_MAX; i++)
		if (vt.t[i].page && vt.t[i].page == pa)
			return &vt.t[i];
	return NULL;
}

struct vmemmap_tail *vmemmap_tail_by_table(phys_addr_t pa)
{
	for (unsigned int i = 0; i < VMEMMAP_TAILS_MAX; i++)
		if (vt.t[i].table && vt.t[i].table == pa)
			return &vt.t[i];
	return NULL;
}

/*
 * 64 canonical tails of @order in @zone, written before sharing: through the linear map, or
 * through a writable temporary mapping at the free vmemmap address @fill_va (a device page:
 * its linear alias is read-only when the range holds someone's data, as the memmap area of
 * an info block found on it is only written through the vmemmap).
 */
static int fill_tails(phys_addr_t pa, unsigned int order, enum zone_type zone, uintptr_t fill_va)
{
	struct pgtable *pt = vmemmap_pgtable();
	int ret;

	if (fill_va) {
		ret = pgtable_map(pt, fill_va, pa, PAGE_SIZE, PAGE_KERNEL, PGTABLE_MAP_NO_BLOCKS);
		if (ret)
			return ret;
	}
	init_pages_raw(fill_va ? (struct page *)fill_va : (struct page *)__va(pa),
		       PAGE_SIZE / sizeof(struct page), (unsigned long)zone << PAGE_ZONE_SHIFT,
		       compound_info_for_order(order), page_counts(-1, 0));
	return fill_va ? pgtable_unmap(pt, fill_va, PAGE_SIZE) : 0;
}

struct vmemmap_tail *vmemmap_tail_get(unsigned int order, enum zone_type zone,
				      struct vmem_altmap *altmap, unsigned long n, bool keep)
{
	return vmemmap_tail_get_at(order, zone, altmap, n, keep, 0);
}

struct vmemmap_tail *vmemmap_tail_get_at(unsigned int order, enum zone_type zone,
					 struct vmem_altmap *altmap, unsigned long n, bool keep,
					 uintptr_t fill_va)
{
	unsigned long flags = tails_lock();
	struct vmemmap_tail *t = vmemmap_tail_find(order, zone, altmap);
	phys_addr_t pa;

	if (t) {
		t->users += n;
		goto out;
	}
	for (unsigned int i = 0; i < VMEMMAP_TAILS_MAX && !t; i++)
		if (!vt.t[i].page)
			t = &vt.t[i];
	if (!t) {
		pr_err("vmemmap: more than %d shared tail pages\n", VMEMMAP_TAILS_MAX);
		goto out;
	}
	if (altmap ? vmemmap_tail_backing(altmap, &pa) : ram_backing(&pa)) {
		t = NULL;
		goto out;
	}
	if (fill_tails(pa, order, zone, fill_va)) {
		free_backing(pa, altmap);
		t = NULL;
		goto out;
	}
	*t = (struct vmemmap_tail){ .page = pa, .altmap = altmap, .order = order, .zone = zone,
				    .users = n, .keep = keep };
	protect_alias(t, true);
	vt.st.pages++;
out:
	mm_unlock(&vt.lock, flags);
	return t;
}

void vmemmap_tail_ref(struct vmemmap_tail *t, unsigned long n)
{
	unsigned long flags = tails_lock();

	t->users += n;
	mm_unlock(&vt.lock, flags);
}

static void free_locked(struct vmemmap_tail *t)
{
	protect_alias(t, false);
	free_backing(t->page, t->altmap);
	memset(t, 0, sizeof(*t));
	vt.st.pages--;
}

void vmemmap_tail_put(struct vmemmap_tail *t, unsigned long n)
{
	unsigned long flags = tails_lock();

	if (n > t->users) {
		pr_err("vmemmap: shared tail page 0x%llx: %lu references dropped, %lu held\n",
		       (unsigned long long)t->page, n, t->users);
		n = t->users;
	}
	t->users -= n;
	if (!t->users && !t->keep)
		free_locked(t);
	mm_unlock(&vt.lock, flags);
}

void vmemmap_tail_drop(struct vmemmap_tail *t)
{
	unsigned long flags = tails_lock();

	if (t->page && !t->users)
		free_locked(t);
	mm_unlock(&vt.lock, flags);
}

phys_addr_t vmemmap_tail_table_get(struct vmemmap_tail *t)
{
	struct pgtable *pt = vmemmap_pgtable();
	unsigned long flags = tails_lock();
	phys_addr_t table = t->table;

	if (!table) {
		pteval_t *e = vmemmap_alloc_block(PAGE_SIZE);

		if (!e)
			goto out;
		for (unsigned int i = 0; i < PAGE_SIZE / sizeof(pteval_t); i++)
			e[i] = arch_mk_leaf(&pt->cfg, t->page, PAGE_KERNEL_RO, PGTABLE_LEVEL_PTE);
		table = t->table = __pa(e);
		t->users++; /* the table's leaves map the page */
		vt.st.tables++;
	}
	t->table_users++;
out:
	mm_unlock(&vt.lock, flags);
	return table;
}

void vmemmap_tail_table_put(struct vmemmap_tail *t)
{
	unsigned long flags = tails_lock();

	if (t->table && !--t->table_users) {
		vmemmap_free_block(__va(t->table), PAGE_SIZE);
		t->table = 0;
		vt.st.tables--;
		if (!--t->users && !t->keep)
			free_locked(t);
	}
	mm_unlock(&vt.lock, flags);
}

void vmemmap_tail_get_stats(struct vmemmap_tail_stats *st)
{
	*st = vt.st;
}

bool vmemmap_tail_describe(uintptr_t va, char *buf, size_t len)
{
	struct pgtable *pt = vmemmap_pgtable();
	struct pgtable_walk_result r;
	struct vmemmap_tail *t;
	unsigned long pfn;

	if (!pt || pgtable_walk(pt, va, &r))
		return false;
	t = vmemmap_tail_by_page(ALIGN_DOWN(r.pa, PAGE_SIZE));
	if (!t)
		return false;
	pfn = (unsigned long)(((struct page *)ALIGN_DOWN(va, sizeof(struct page))) - vmemmap);
	if (t->zone == ZONE_DEVICE)
		snprintf(buf, len,
			 "write to the struct page of pfn 0x%lx: a tail of the order-%u compound "
			 "device page at pfn 0x%lx, whose tail struct pages are a shared read-only "
			 "page%s", pfn, t->order, pfn & ~((1UL << t->order) - 1),
			 t->altmap ? " (in the device)" : "");
	else
		snprintf(buf, len,
			 "write to the struct page of pfn 0x%lx: a tail of the HVO-optimized "
			 "order-%u folio at pfn 0x%lx, whose tail struct pages are a shared read-only "
			 "page", pfn, t->order, pfn & ~((1UL << t->order) - 1));
	return true;
}
