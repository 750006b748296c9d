// SPDX-License-Identifier: BSD-2-Clause
// Resource tree (mm/resource.c): request/insert/release, busy claims, pool exhaustion,
// region_intersects() cases and a random check against a page-granular model, boot-info import.
#include <stdlib.h>

#include <platform/err.h>
#include <platform/errno.h>
#include <mm/ioresource.h>
#include <pmem/scratch.h>

#include "fakes.h"
#include "tap.h"

#define RAM IORESOURCE_SYSTEM_RAM
#define MEM IORESOURCE_MEM
#define BUSY IORESOURCE_BUSY

static struct resource *add(struct resource *parent, phys_addr_t start, phys_addr_t size,
			    const char *name, unsigned long flags, unsigned long desc)
{
	struct resource *r = resource_new(start, size, name, flags, desc);

	CHECK(!IS_ERR(r));
	if (IS_ERR(r))
		return NULL;
	CHECK(insert_resource_conflict(parent, r) == NULL);
	return r;
}

/* Two RAM banks with a hole, a reserved range nested in the first, pmem above. */
static void std_tree(void)
{
	iomem_reset();
	struct resource *ram0 = add(&iomem_resource, 0x80000000, 0x10000000, "System RAM",
				    RAM | BUSY, IORES_DESC_NONE);
	add(ram0, 0x80200000, 0x100000, "reserved", MEM | BUSY, IORES_DESC_RESERVED);
	add(&iomem_resource, 0xa0000000, 0x10000000, "System RAM", RAM | BUSY, IORES_DESC_NONE);
	add(&iomem_resource, 0xb0000000, 0x10000000, "System RAM", RAM | BUSY, IORES_DESC_NONE);
	add(&iomem_resource, 0x100000000ULL, 0x40000000, "Persistent Memory", MEM,
	    IORES_DESC_PERSISTENT_MEMORY);
}

static void request_resource_conflict_names_the_overlap(void)
{
	struct resource a = { .start = 0x1000, .end = 0x1fff, .name = "a" };
	struct resource b = { .start = 0x3000, .end = 0x3fff, .name = "b" };
	struct resource c = { .start = 0x1800, .end = 0x2fff, .name = "c" };
	struct resource d = { .start = 0x2000, .end = 0x2fff, .name = "d" };
	struct resource root = { .start = 0, .end = 0xffff, .name = "root" };
	struct resource out = { .start = 0xf000, .end = 0x10000, .name = "out" };
	struct resource bad = { .start = 0x5000, .end = 0x4fff, .name = "bad" };

	CHECK_EQ(request_resource(&root, &b), 0);
	CHECK_EQ(request_resource(&root, &a), 0);
	CHECK(root.child == &a && a.sibling == &b && !b.sibling);
	CHECK(a.parent == &root);
	CHECK(request_resource_conflict(&root, &c) == &a);
	CHECK_EQ(request_resource(&root, &c), -EBUSY);
	CHECK(c.parent == NULL);
	CHECK(request_resource_conflict(&root, &out) == &root);
	CHECK_EQ(request_resource(&root, &bad), -EINVAL);
	/* Fits exactly in the gap. */
	CHECK_EQ(request_resource(&root, &d), 0);
	CHECK(a.sibling == &d && d.sibling == &b);
	CHECK_EQ(release_resource(&d), 0);
	CHECK(a.sibling == &b && !d.parent);
	CHECK_EQ(release_resource(&d), -EINVAL);
}

static void insert_resource_nests_and_adopts(void)
{
	iomem_reset();
	struct resource *x = add(&iomem_resource, 0x10000, 0x1000, "x", MEM, 0);
	struct resource *y = add(&iomem_resource, 0x12000, 0x1000, "y", MEM, 0);
	struct resource *z = add(&iomem_resource, 0x20000, 0x1000, "z", MEM, 0);
	/* Wholly containing x and y: they become its children. */
	struct resource *big = add(&iomem_resource, 0x10000, 0x8000, "big", MEM, 0);

	CHECK(iomem_resource.child == big && big->sibling == z);
	CHECK(big->child == x && x->sibling == y && !y->sibling);
	CHECK(x->parent == big && y->parent == big);
	/* Wholly inside y: nested two levels down. */
	struct resource *in = add(&iomem_resource, 0x12100, 0x100, "in", MEM, 0);
	CHECK(in->parent == y && y->child == in);
	/* The same range as z: z moves below the new one (Linux). */
	struct resource *same = add(&iomem_resource, 0x20000, 0x1000, "same", MEM, 0);
	CHECK(same->parent == &iomem_resource && same->child == z && z->parent == same);

	/* Partial overlap with y: refused, tree unchanged. */
	struct resource *part = resource_new(0x12800, 0x1000, "part", MEM, 0);
	CHECK(insert_resource_conflict(&iomem_resource, part) == y);
	CHECK_EQ(insert_resource(&iomem_resource, part), -EBUSY);
	CHECK(part->parent == NULL && big->child == x);

	/* remove_resource() lifts the children; release_resource() takes the subtree. */
	CHECK_EQ(remove_resource(big), 0);
	CHECK(iomem_resource.child == x && x->sibling == y && y->sibling == same);
	CHECK(x->parent == &iomem_resource);
	CHECK_EQ(release_resource(y), 0);
	CHECK(x->sibling == same && y->child == in && in->parent == y);
}

static void pool_exhaustion_is_enomem(void)
{
	struct resource *r[IORESOURCE_POOL_SIZE];

	iomem_reset();
	for (unsigned int i = 0; i < IORESOURCE_POOL_SIZE; i++) {
		r[i] = resource_new(0x1000ULL * i, 0x1000, "r", MEM, 0);
		CHECK(!IS_ERR(r[i]));
	}
	CHECK_EQ(resource_pool_in_use(), IORESOURCE_POOL_SIZE);
	CHECK_EQ(PTR_ERR(resource_new(0, 1, "one too many", MEM, 0)), -ENOMEM);
	CHECK(strstr(fake_last_log, "pool exhausted") != NULL);
	CHECK_EQ(PTR_ERR(request_mem_region(0x1000, 0x1000, "claim")), -ENOMEM);
	resource_free(r[7]);
	CHECK_EQ(resource_pool_in_use(), IORESOURCE_POOL_SIZE - 1);
	CHECK(resource_new(0, 1, "again", MEM, 0) == r[7]);
	/* Bad ranges. */
	CHECK_EQ(PTR_ERR(resource_new(0, 0, "empty", MEM, 0)), -EINVAL);
	CHECK_EQ(PTR_ERR(resource_new(~0ULL, 2, "wraps", MEM, 0)), -EINVAL);
	iomem_reset();
	CHECK_EQ(resource_pool_in_use(), 0);
}

static void request_region_claims_inside_non_busy(void)
{
	std_tree();
	unsigned int used = resource_pool_in_use();
	struct resource *ns = request_mem_region(0x100000000ULL, 0x20000000, "namespace0.0");

	CHECK(!IS_ERR(ns));
	CHECK_STREQ(ns->parent->name, "Persistent Memory");
	CHECK_EQ(ns->flags, MEM | BUSY);
	/* Overlapping a busy claim, System RAM (busy), straddling, empty: refused. */
	CHECK_EQ(PTR_ERR(request_mem_region(0x110000000ULL, 0x1000, "again")), -EBUSY);
	CHECK(strstr(fake_last_log, "namespace0.0") != NULL);
	CHECK_EQ(PTR_ERR(request_mem_region(0x80000000, 0x1000, "ram")), -EBUSY);
	CHECK_EQ(PTR_ERR(request_mem_region(0x13ffff000ULL, 0x2000, "straddle")), -EBUSY);
	CHECK_EQ(PTR_ERR(request_mem_region(0x120000000ULL, 0, "empty")), -EINVAL);
	/* A free hole can be claimed at the top level. */
	struct resource *mmio = request_mem_region(0x10000000, 0x1000, "uart");
	CHECK(!IS_ERR(mmio) && mmio->parent == &iomem_resource);
	CHECK_EQ(resource_pool_in_use(), used + 2);
	CHECK_EQ(release_mem_region(0x100000000ULL, 0x10000000), -ENOENT);
	CHECK_EQ(release_mem_region(0x100000000ULL, 0x20000000), 0);
	CHECK_EQ(release_mem_region(0x10000000, 0x1000), 0);
	CHECK_EQ(release_mem_region(0x10000000, 0x1000), -ENOENT);
	CHECK_EQ(resource_pool_in_use(), used);
}

static void region_intersects_cases(void)
{
	std_tree();
	/* Exact bank, inside a bank. */
	CHECK_EQ(region_intersects(0x80000000, 0x10000000, RAM, 0), REGION_INTERSECTS);
	CHECK_EQ(region_intersects(0x80001000, 0x1000, RAM, 0), REGION_INTERSECTS);
	/* Inside the reserved range nested in RAM: still RAM. */
	CHECK_EQ(region_intersects(0x80200000, 0x1000, RAM, 0), REGION_INTERSECTS);
	/* Running off the end of a bank into the hole. */
	CHECK_EQ(region_intersects(0x8ffff000, 0x2000, RAM, 0), REGION_MIXED);
	/* Spanning two banks across a hole: mixed; two touching banks: intersects. */
	CHECK_EQ(region_intersects(0x80000000, 0x30000000, RAM, 0), REGION_MIXED);
	CHECK_EQ(region_intersects(0xa0000000, 0x20000000, RAM, 0), REGION_INTERSECTS);
	/* Wholly in the hole, wholly in pmem. */
	CHECK_EQ(region_intersects(0x90000000, 0x1000, RAM, 0), REGION_DISJOINT);
	CHECK_EQ(region_intersects(0x100000000ULL, 0x1000, RAM, 0), REGION_DISJOINT);
	/* RAM + pmem: mixed. */
	CHECK_EQ(region_intersects(0xbffff000, 0x40002000, RAM, 0), REGION_MIXED);
	/* Descriptor filters: the reserved child matches below a non-matching parent. */
	CHECK_EQ(region_intersects(0x80200000, 0x100000, MEM, IORES_DESC_RESERVED),
		 REGION_INTERSECTS);
	CHECK_EQ(region_intersects(0x801ff000, 0x2000, MEM, IORES_DESC_RESERVED), REGION_MIXED);
	CHECK_EQ(region_intersects(0x80000000, 0x1000, MEM, IORES_DESC_RESERVED),
		 REGION_DISJOINT);
	CHECK_EQ(region_intersects(0x100000000ULL, 0x40000000, MEM,
				   IORES_DESC_PERSISTENT_MEMORY),
		 REGION_INTERSECTS);
	CHECK_EQ(region_intersects(0x100000000ULL, 0x40000001, MEM,
				   IORES_DESC_PERSISTENT_MEMORY),
		 REGION_MIXED);
	/* Edges: zero size, a single byte, wrapping, the top of the address space. */
	CHECK_EQ(region_intersects(0x80000000, 0, RAM, 0), REGION_DISJOINT);
	CHECK_EQ(region_intersects(0x8fffffff, 1, RAM, 0), REGION_INTERSECTS);
	CHECK_EQ(region_intersects(0x90000000, 1, RAM, 0), REGION_DISJOINT);
	CHECK_EQ(region_intersects(~0ULL - 0xfff, 0x2000, RAM, 0), REGION_MIXED);
	add(&iomem_resource, ~0ULL - 0xfff, 0x1000, "top", RAM, 0);
	CHECK_EQ(region_intersects(~0ULL - 0xfff, 0x1000, RAM, 0), REGION_INTERSECTS);
	CHECK_EQ(region_intersects(~0ULL - 0x1fff, 0x2000, RAM, 0), REGION_MIXED);
}

/* ---- random trees against a page-granular model ---- */

#define MPAGES 256
#define MPG 0x1000ULL

static bool page_matches(phys_addr_t a, unsigned long flags, unsigned long desc)
{
	/* Walk down the chain of resources containing @a; any match counts. */
	for (struct resource *p = iomem_resource.child; p;) {
		if (a < p->start || a > p->end) {
			p = p->sibling;
			continue;
		}
		if ((p->flags & flags) == flags && (desc == IORES_DESC_NONE || p->desc == desc))
			return true;
		p = p->child;
	}
	return false;
}

static void region_intersects_matches_model(void)
{
	static const unsigned long kinds[][2] = {
		{ RAM | BUSY, IORES_DESC_NONE },
		{ MEM, IORES_DESC_RESERVED },
		{ MEM, IORES_DESC_PERSISTENT_MEMORY },
		{ MEM | BUSY, IORES_DESC_NONE },
	};
	unsigned int bad = 0;

	srand(1234);
	for (int round = 0; round < 200; round++) {
		iomem_reset();
		for (int i = 0; i < 12; i++) {
			unsigned int k = (unsigned int)rand() % 4;
			phys_addr_t s = (phys_addr_t)(rand() % MPAGES) * MPG;
			phys_addr_t n = (phys_addr_t)(1 + rand() % 32) * MPG;
			struct resource *r = resource_new(s, n, "r", kinds[k][0], kinds[k][1]);

			if (IS_ERR(r))
				continue;
			if (insert_resource(&iomem_resource, r))
				resource_free(r);
		}
		for (int q = 0; q < 50; q++) {
			unsigned int k = (unsigned int)rand() % 4;
			unsigned long fl = kinds[k][0] & ~BUSY, de = kinds[k][1];
			phys_addr_t s = (phys_addr_t)(rand() % MPAGES) * MPG;
			unsigned int np = 1 + (unsigned int)rand() % 40;
			bool any = false, all = true;

			for (unsigned int p = 0; p < np; p++) {
				bool m = page_matches(s + p * MPG, fl, de);
				any |= m;
				all &= m;
			}
			int want = !any ? REGION_DISJOINT : all ? REGION_INTERSECTS : REGION_MIXED;
			int got = region_intersects(s, np * MPG, fl, de);
			if (got != want && bad++ < 5)
				printf("# round %d: [0x%llx +%u pages] flags 0x%lx desc %lu: "
				       "got %d want %d\n",
				       round, (unsigned long long)s, np, fl, de, got, want);
		}
	}
	CHECK_EQ(bad, 0);
}

static int count_cb(struct resource *r, void *arg)
{
	struct resource *last = arg;

	*last = *r;
	last->flags++; /* used as a counter by the test: flags is a copy */
	return 0;
}

struct walk_log {
	int n;
	phys_addr_t start[8], end[8];
	int stop_at;
};

static int log_cb(struct resource *r, void *arg)
{
	struct walk_log *l = arg;

	CHECK(r->parent == NULL && r->child == NULL && r->sibling == NULL);
	if (l->n < 8) {
		l->start[l->n] = r->start;
		l->end[l->n] = r->end;
	}
	l->n++;
	return l->n == l->stop_at ? 42 : 0;
}

static void walk_iomem_res_desc_clips_and_stops(void)
{
	struct walk_log l = { 0 };
	struct resource last;

	std_tree();
	CHECK_EQ(walk_system_ram_res(0x8fff0000, 0xafffffff, &l, log_cb), 0);
	CHECK_EQ(l.n, 2);
	CHECK_EQ(l.start[0], 0x8fff0000);
	CHECK_EQ(l.end[0], 0x8fffffff);
	CHECK_EQ(l.start[1], 0xa0000000);
	CHECK_EQ(l.end[1], 0xafffffff);
	/* Nested match is found too (the reserved child of RAM). */
	l = (struct walk_log){ 0 };
	CHECK_EQ(walk_iomem_res_desc(IORES_DESC_RESERVED, MEM, 0, ~0ULL, &l, log_cb), 0);
	CHECK_EQ(l.n, 1);
	CHECK_EQ(l.start[0], 0x80200000);
	/* A non-zero return stops the walk and is returned. */
	l = (struct walk_log){ .stop_at = 2 };
	CHECK_EQ(walk_system_ram_res(0, ~0ULL, &l, log_cb), 42);
	CHECK_EQ(l.n, 2);
	/* Nothing matching. */
	CHECK_EQ(walk_system_ram_res(0x90000000, 0x9fffffff, &last, count_cb), -EINVAL);
}

static void iomem_print_indents_children(void)
{
	std_tree();
	unsigned int before = fake_log_count;

	iomem_print();
	CHECK_EQ(fake_log_count - before, 5);
	CHECK_STREQ(fake_last_log, "100000000-13fffffff : Persistent Memory\n");
}

static void add_bi(struct bi_range *r, int *n, uint64_t base, uint64_t size, const char *node,
		   bool flag)
{
	r[*n] = (struct bi_range){ .base = base, .size = size, .no_map = flag,
				   .is_volatile = flag };
	snprintf(r[*n].node, sizeof(r[*n].node), "%s", node);
	(*n)++;
}

static struct resource *find(struct resource *parent, phys_addr_t start)
{
	for (struct resource *p = parent->child; p; p = p->sibling)
		if (p->start == start)
			return p;
	return NULL;
}

static void iomem_init_from_bootinfo_builds_tree(void)
{
	static struct boot_info bi;
	static const struct iomem_range mmio[] = {
		{ "serial@10000000", 0x10000000, 0x100 },
		{ "test@100000", 0x100000, 0x1000 },
	};
	struct resource *r;

	memset(&bi, 0, sizeof(bi));
	/* Two banks given out of order, touching: merged into one. */
	add_bi(bi.memory, &bi.nr_memory, 0x90000000, 0x10000000, "memory@90000000", false);
	add_bi(bi.memory, &bi.nr_memory, 0x80000000, 0x10000000, "memory@80000000", false);
	add_bi(bi.memory, &bi.nr_memory, 0x200000000ULL, 0x10000000, "memory@200000000", false);
	/* OpenSBI's no-map range at the start of RAM, a pmem carve-out covered by two no-maps. */
	add_bi(bi.reserved, &bi.nr_reserved, 0x80000000, 0x40000, "mmode_resv0@80000000", true);
	add_bi(bi.reserved, &bi.nr_reserved, 0x98000000, 0x2000000, "a", true);
	add_bi(bi.reserved, &bi.nr_reserved, 0x9a000000, 0x2000000, "b", true);
	/* Mapped reserved ranges: overlapping each other, and one reaching past RAM. */
	add_bi(bi.reserved, &bi.nr_reserved, 0x8fe00000, 0x100000, "/memreserve/", false);
	add_bi(bi.reserved, &bi.nr_reserved, 0x8fe80000, 0x100000, "fb@8fe80000", false);
	add_bi(bi.reserved, &bi.nr_reserved, 0x20ffff000ULL, 0x2000, "edge", false);
	add_bi(bi.pmem, &bi.nr_pmem, 0x98000000, 0x4000000, "pmem@98000000", false);
	add_bi(bi.pmem, &bi.nr_pmem, 0x100000000ULL, 0x40000000, "pmem@100000000", false);
	add_bi(bi.pmem, &bi.nr_pmem, 0x140000000ULL, 0x10000000, "pmem@140000000", true);

	CHECK_EQ(iomem_init_from_bootinfo(&bi, mmio, ARRAY_SIZE(mmio)), 0);
	iomem_print();

	r = find(&iomem_resource, 0x100000);
	CHECK(r && r->desc == IORES_DESC_NONE && r->flags == MEM);
	CHECK(find(&iomem_resource, 0x10000000) != NULL);
	r = find(&iomem_resource, 0x80000000);
	CHECK(r && r->flags == MEM && r->desc == IORES_DESC_RESERVED && r->end == 0x8003ffff);
	r = find(&iomem_resource, 0x80040000);
	CHECK(r && r->flags == (RAM | BUSY) && r->end == 0x97ffffff);
	/* Overlapping reserved ranges: split, not refused. */
	struct resource *c1 = r ? find(r, 0x8fe00000) : NULL;
	struct resource *c2 = r ? find(r, 0x8ff00000) : NULL;
	CHECK(c1 && c1->end == 0x8fefffff && c1->desc == IORES_DESC_RESERVED);
	CHECK(c2 && c2->end == 0x8ff7ffff);
	/* The pmem carve-out adopted both no-map entries. */
	r = find(&iomem_resource, 0x98000000);
	CHECK(r && r->desc == IORES_DESC_PERSISTENT_MEMORY && (r->flags & IORESOURCE_READONLY));
	CHECK(r && r->child && r->child->end == 0x99ffffff && r->child->sibling &&
	      r->child->sibling->start == 0x9a000000);
	r = find(&iomem_resource, 0x9c000000);
	CHECK(r && r->flags == (RAM | BUSY) && r->end == 0x9fffffff);
	r = find(&iomem_resource, 0x140000000ULL);
	CHECK(r && r->desc == IORES_DESC_SOFT_RESERVED);
	CHECK_STREQ(r ? r->name : NULL, "Volatile Memory");
	/* The reserved range reaching past the last bank: nested part + top-level part. */
	r = find(&iomem_resource, 0x200000000ULL);
	CHECK(r && find(r, 0x20ffff000ULL) != NULL);
	CHECK(find(&iomem_resource, 0x210000000ULL) != NULL);

	CHECK_EQ(region_intersects(0x98000000, 0x4000000, RAM, 0), REGION_DISJOINT);
	CHECK_EQ(region_intersects(0x97fff000, 0x2000, RAM, 0), REGION_MIXED);
	CHECK_EQ(region_intersects(0x98000000, 0x4000000, MEM, IORES_DESC_PERSISTENT_MEMORY),
		 REGION_INTERSECTS);

	/* A conflicting MMIO window is reported by node name and skipped. */
	static const struct iomem_range clash[] = { { "bad@80100000", 0x80100000, 0x1000 } };
	CHECK_EQ(iomem_init_from_bootinfo(&bi, clash, 1), -EBUSY);
	CHECK(strstr(fake_last_log, "bad@80100000") != NULL);
	CHECK(strstr(fake_last_log, "System RAM") != NULL);
	CHECK(find(&iomem_resource, 0x80040000) != NULL);
}

/*
 * Persistent memory starts read-only (someone's data until the pmem driver lays it out); volatile
 * memory nobody claimed is the only scratch, lowest first; a claim or a small size disqualifies.
 */
static void persistent_is_readonly_and_scratch_is_volatile(void)
{
	static struct boot_info bi;
	struct pmem_scratch s;
	struct resource *claim;
	char why[160];

	memset(&bi, 0, sizeof(bi));
	add_bi(bi.memory, &bi.nr_memory, 0x80000000, 0x10000000, "memory@80000000", false);
	add_bi(bi.pmem, &bi.nr_pmem, 0x90000000, 0x4000000, "pmem@90000000", false);
	CHECK_EQ(iomem_init_from_bootinfo(&bi, NULL, 0), 0);
	CHECK(!iomem_range_writable(0x90000000, 0x4000000));
	CHECK(!iomem_range_writable(0x93fff000, 0x1000));	 /* the last page */
	CHECK(!iomem_range_writable(0x8ffff000, 0x2000));	 /* straddling RAM and pmem */
	CHECK(iomem_range_writable(0x80000000, 0x1000));	 /* RAM */
	CHECK(iomem_range_writable(0x94000000, 0x1000));	 /* nothing there: MMIO, say */
	CHECK(!iomem_range_writable(0x90000000, 0));		 /* empty */
	CHECK(!iomem_range_writable(~(phys_addr_t)0 - 0xfff, 0x2000)); /* wraps */
	/* persistent only: no scratch, and the reason says so */
	CHECK_EQ(pmem_scratch_get(SZ_2M, &s, why, sizeof(why)), -ENOSPC);
	CHECK(strstr(why, "no volatile pmem range") != NULL);

	add_bi(bi.pmem, &bi.nr_pmem, 0x98000000, 0x800000, "pmem@98000000", true);
	add_bi(bi.pmem, &bi.nr_pmem, 0x94000000, 0x4000000, "pmem@94000000", true);
	/* the no-map reserved-memory node over it nests as a description, not a claim */
	add_bi(bi.reserved, &bi.nr_reserved, 0x94000000, 0x4000000, "pmem@94000000", true);
	CHECK_EQ(iomem_init_from_bootinfo(&bi, NULL, 0), 0);
	CHECK(iomem_range_writable(0x94000000, 0x4000000));
	CHECK_EQ(pmem_scratch_get(SZ_2M, &s, why, sizeof(why)), 0);
	CHECK_EQ(s.base, 0x94000000);
	CHECK_EQ(s.size, 0x4000000);
	CHECK_EQ(pmem_scratch_get(SZ_16M, &s, why, sizeof(why)), 0);
	CHECK_EQ(s.base, 0x94000000);
	/* a claim inside the range takes it out; the smaller one is left and too small */
	claim = request_mem_region(0x94000000, 0x1000, "user");
	CHECK(!IS_ERR(claim));
	CHECK_EQ(pmem_scratch_get(SZ_2M, &s, why, sizeof(why)), 0);
	CHECK_EQ(s.base, 0x98000000);
	CHECK_EQ(pmem_scratch_get(SZ_16M, &s, why, sizeof(why)), -ENOSPC);
	CHECK(strstr(why, "1 claimed, 1 smaller") != NULL);
	CHECK_EQ(release_mem_region(0x94000000, 0x1000), 0);

	/* ownership moves only by the exact range, and back */
	CHECK_EQ(iomem_set_readonly(0x90000000, 0x2000000, false), -ENOENT);
	CHECK_EQ(iomem_set_readonly(0x90000000, 0x4000000, false), 0);
	CHECK(iomem_range_writable(0x90000000, 0x4000000));
	/* a laid-out persistent range is still never scratch */
	CHECK_EQ(pmem_scratch_get(SZ_64M, &s, why, sizeof(why)), 0);
	CHECK_EQ(s.base, 0x94000000);
	CHECK_EQ(iomem_set_readonly(0x90000000, 0x4000000, true), 0);
	CHECK(!iomem_range_writable(0x92000000, 0x1000));
}

static const struct tap_case cases[] = {
	TAP_CASE(request_resource_conflict_names_the_overlap),
	TAP_CASE(insert_resource_nests_and_adopts),
	TAP_CASE(pool_exhaustion_is_enomem),
	TAP_CASE(request_region_claims_inside_non_busy),
	TAP_CASE(region_intersects_cases),
	TAP_CASE(region_intersects_matches_model),
	TAP_CASE(walk_iomem_res_desc_clips_and_stops),
	TAP_CASE(iomem_print_indents_children),
	TAP_CASE(iomem_init_from_bootinfo_builds_tree),
	TAP_CASE(persistent_is_readonly_and_scratch_is_volatile),
};

TAP_MAIN("mm_resource", cases)
