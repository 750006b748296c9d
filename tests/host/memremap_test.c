// SPDX-License-Identifier: BSD-2-Clause
// memremap()/memunmap() (mm/memremap.c): the decision table of seed 001 / issue 3, what is
// mapped where with which memory type (through a recording fake of struct memremap_ops),
// memunmap() of both kinds of address, leak counters, devm_memremap() release on unbind.
#include <platform/device.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <mm/ioresource.h>
#include <mm/memremap.h>
#include <mm/memtype.h>
#include <mm/vmalloc.h>

#include "fakes.h"
#include "tap.h"

/*
 * No simulated physical memory is needed (nothing is dereferenced), so the linear map is just
 * an offset. Remove this definition once tests/host/fakes/physmem.c provides it.
 */
uintptr_t va_pa_offset = 0xffffffc000000000UL - 0x80000000UL;

#define IOREMAP_START 0xffffffd000000000UL
#define IOREMAP_END (IOREMAP_START + 16 * SZ_1G)

#define RAM_BASE 0x80000000ULL   /* System RAM: 256 MiB, then a hole of 256 MiB */
#define HOLE_BASE 0x90000000ULL
#define PMEM_BASE 0x100000000ULL /* Persistent Memory: 4 GiB */
#define MMIO_BASE 0x10000000ULL

/* ---- the recording fake ---- */

struct call {
	char op; /* 'm' map, 'u' unmap */
	uintptr_t va;
	phys_addr_t pa;
	size_t size;
	enum memremap_type type;
};

static struct call calls[64];
static unsigned int ncalls;
static unsigned int supported = 1u << MEMREMAP_TYPE_WB | 1u << MEMREMAP_TYPE_WT |
				1u << MEMREMAP_TYPE_NC;
static int map_result;

static int fake_map(uintptr_t va, phys_addr_t pa, size_t size, enum memremap_type t, void *ctx)
{
	CHECK(ctx == &ncalls);
	CHECK(va % PAGE_SIZE == 0 && pa % PAGE_SIZE == 0 && size % PAGE_SIZE == 0);
	if (ncalls < ARRAY_SIZE(calls))
		calls[ncalls++] = (struct call){ 'm', va, pa, size, t };
	return map_result;
}

static void fake_unmap(uintptr_t va, size_t size, void *ctx)
{
	CHECK(ctx == &ncalls);
	if (ncalls < ARRAY_SIZE(calls))
		calls[ncalls++] = (struct call){ 'u', va, 0, size, 0 };
}

static bool fake_supported(enum memremap_type t, void *ctx)
{
	(void)ctx;
	return supported & (1u << t);
}

static const struct memremap_ops fake_ops = {
	.map = fake_map,
	.unmap = fake_unmap,
	.type_supported = fake_supported,
	.ctx = &ncalls,
};

static void add(struct resource *parent, phys_addr_t start, phys_addr_t size, const char *name,
		unsigned long flags, unsigned long desc)
{
	struct resource *r = resource_new(start, size, name, flags, desc);

	CHECK(!IS_ERR(r) && insert_resource(parent, r) == 0);
}

static void setup(void)
{
	iomem_reset();
	add(&iomem_resource, MMIO_BASE, PAGE_SIZE, "serial", IORESOURCE_MEM, IORES_DESC_NONE);
	add(&iomem_resource, RAM_BASE, 0x10000000, "System RAM",
	    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_NONE);
	add(&iomem_resource, RAM_BASE + 0x200000, 0x100000, "reserved",
	    IORESOURCE_MEM | IORESOURCE_BUSY, IORES_DESC_RESERVED);
	add(&iomem_resource, PMEM_BASE, 4 * SZ_1G, "Persistent Memory", IORESOURCE_MEM,
	    IORES_DESC_PERSISTENT_MEMORY);
	supported = 1u << MEMREMAP_TYPE_WB | 1u << MEMREMAP_TYPE_WT | 1u << MEMREMAP_TYPE_NC;
	map_result = 0;
	ncalls = 0;
	memtype_reset();
	CHECK_EQ(memremap_init(&fake_ops, IOREMAP_START, IOREMAP_END), 0);
}

static void no_leaks(void)
{
	struct memremap_stats st;
	struct vmalloc_stats vs;

	memremap_get_stats(&st);
	vmalloc_get_stats(&vs);
	CHECK_EQ(st.live_mappings, 0);
	CHECK_EQ(st.live_bytes, 0);
	CHECK_EQ(vs.nr_areas, 0);
	CHECK_EQ(vs.nr_free_ranges, 1);
	CHECK_EQ(memtype_count(), 0);
}

/* ---- cases ---- */

static void decide_before_init_needs_ioremap_region(void)
{
	struct memremap_decision d;

	iomem_reset();
	add(&iomem_resource, RAM_BASE, 0x10000000, "System RAM", IORESOURCE_SYSTEM_RAM, 0);
	/* The linear map needs no region; a new mapping does. */
	CHECK_EQ(memremap_decide(RAM_BASE, PAGE_SIZE, MEMREMAP_WB, &d), 0);
	CHECK_EQ(d.action, MEMREMAP_ACT_LINEAR);
	CHECK_EQ(memremap_decide(PMEM_BASE, PAGE_SIZE, MEMREMAP_WB, &d), -ENODEV);
	CHECK(memremap(PMEM_BASE, PAGE_SIZE, MEMREMAP_WB) == NULL);
	struct memremap_ops no_unmap = { .map = fake_map };
	CHECK_EQ(memremap_init(&no_unmap, IOREMAP_START, IOREMAP_END), -EINVAL);
	CHECK_EQ(memremap_init(&fake_ops, IOREMAP_START + 1, IOREMAP_END), -EINVAL);
}

static const struct {
	const char *what;
	phys_addr_t offset;
	size_t size;
	unsigned long flags;
	unsigned int supported; /* bit per enum memremap_type; 0 = all */
	enum memremap_action action;
	enum memremap_type type;
	int err;
	int region;
} table[] = {
#define ALL 0
#define WB_ONLY (1u << MEMREMAP_TYPE_WB)
#define NO_WT (1u << MEMREMAP_TYPE_WB | 1u << MEMREMAP_TYPE_NC)
	{ "RAM WB", RAM_BASE, PAGE_SIZE, MEMREMAP_WB, ALL, MEMREMAP_ACT_LINEAR, 0, 0,
	  REGION_INTERSECTS },
	{ "RAM WB whole bank", RAM_BASE, 0x10000000, MEMREMAP_WB, ALL, MEMREMAP_ACT_LINEAR, 0, 0,
	  REGION_INTERSECTS },
	{ "RAM WB in reserved", RAM_BASE + 0x200000, PAGE_SIZE, MEMREMAP_WB, ALL,
	  MEMREMAP_ACT_LINEAR, 0, 0, REGION_INTERSECTS },
	{ "RAM WB|WT", RAM_BASE, PAGE_SIZE, MEMREMAP_WB | MEMREMAP_WT, ALL, MEMREMAP_ACT_LINEAR,
	  0, 0, REGION_INTERSECTS },
	{ "RAM WT", RAM_BASE, PAGE_SIZE, MEMREMAP_WT, ALL, MEMREMAP_ACT_REFUSE, 0, -EPERM,
	  REGION_INTERSECTS },
	{ "RAM WC", RAM_BASE, PAGE_SIZE, MEMREMAP_WC, ALL, MEMREMAP_ACT_REFUSE, 0, -EPERM,
	  REGION_INTERSECTS },
	{ "RAM WT|WC", RAM_BASE, PAGE_SIZE, MEMREMAP_WT | MEMREMAP_WC, ALL, MEMREMAP_ACT_REFUSE, 0,
	  -EPERM, REGION_INTERSECTS },
	{ "RAM+hole WB", HOLE_BASE - PAGE_SIZE, 2 * PAGE_SIZE, MEMREMAP_WB, ALL,
	  MEMREMAP_ACT_REFUSE, 0, -EINVAL, REGION_MIXED },
	{ "MMIO+RAM WC", MMIO_BASE, RAM_BASE - MMIO_BASE + 1, MEMREMAP_WC, ALL,
	  MEMREMAP_ACT_REFUSE, 0, -EINVAL, REGION_MIXED },
	{ "pmem WB", PMEM_BASE, SZ_2M, MEMREMAP_WB, ALL, MEMREMAP_ACT_MAP, MEMREMAP_TYPE_WB, 0,
	  REGION_DISJOINT },
	{ "pmem WT", PMEM_BASE, SZ_2M, MEMREMAP_WT, ALL, MEMREMAP_ACT_MAP, MEMREMAP_TYPE_WT, 0,
	  REGION_DISJOINT },
	{ "pmem WC", PMEM_BASE, SZ_2M, MEMREMAP_WC, ALL, MEMREMAP_ACT_MAP, MEMREMAP_TYPE_NC, 0,
	  REGION_DISJOINT },
	{ "pmem WT|WC", PMEM_BASE, SZ_2M, MEMREMAP_WT | MEMREMAP_WC, ALL, MEMREMAP_ACT_MAP,
	  MEMREMAP_TYPE_WT, 0, REGION_DISJOINT },
	{ "pmem WT|WC without WT", PMEM_BASE, SZ_2M, MEMREMAP_WT | MEMREMAP_WC, NO_WT,
	  MEMREMAP_ACT_MAP, MEMREMAP_TYPE_NC, 0, REGION_DISJOINT },
	{ "pmem WT without WT", PMEM_BASE, SZ_2M, MEMREMAP_WT, NO_WT, MEMREMAP_ACT_REFUSE, 0,
	  -EOPNOTSUPP, REGION_DISJOINT },
	{ "pmem WC, WB only (riscv64 without Svpbmt)", PMEM_BASE, SZ_2M, MEMREMAP_WC, WB_ONLY,
	  MEMREMAP_ACT_REFUSE, 0, -EOPNOTSUPP, REGION_DISJOINT },
	{ "pmem WT, WB only", PMEM_BASE, SZ_2M, MEMREMAP_WT, WB_ONLY, MEMREMAP_ACT_REFUSE, 0,
	  -EOPNOTSUPP, REGION_DISJOINT },
	{ "pmem WB|WC, WB only", PMEM_BASE, SZ_2M, MEMREMAP_WB | MEMREMAP_WC, WB_ONLY,
	  MEMREMAP_ACT_MAP, MEMREMAP_TYPE_WB, 0, REGION_DISJOINT },
	{ "hole WB", HOLE_BASE, PAGE_SIZE, MEMREMAP_WB, ALL, MEMREMAP_ACT_MAP, MEMREMAP_TYPE_WB, 0,
	  REGION_DISJOINT },
	{ "size 0", PMEM_BASE, 0, MEMREMAP_WB, ALL, MEMREMAP_ACT_REFUSE, 0, -EINVAL, -1 },
	{ "wrapping", ~0ULL - PAGE_SIZE + 1, 2 * PAGE_SIZE, MEMREMAP_WB, ALL, MEMREMAP_ACT_REFUSE,
	  0, -EINVAL, -1 },
	{ "no flags", PMEM_BASE, PAGE_SIZE, 0, ALL, MEMREMAP_ACT_REFUSE, 0, -EINVAL, -1 },
	{ "unknown flag", PMEM_BASE, PAGE_SIZE, MEMREMAP_WB | 8, ALL, MEMREMAP_ACT_REFUSE, 0,
	  -EINVAL, -1 },
};

static void memremap_decision_table(void)
{
	setup();
	for (unsigned int i = 0; i < ARRAY_SIZE(table); i++) {
		struct memremap_decision d;
		int ret;

		supported = table[i].supported ? table[i].supported : ~0u;
		ret = memremap_decide(table[i].offset, table[i].size, table[i].flags, &d);
		bool ok = ret == table[i].err && d.err == table[i].err &&
			  d.action == table[i].action && d.region == table[i].region &&
			  (d.action != MEMREMAP_ACT_MAP || d.type == table[i].type) &&
			  (d.action != MEMREMAP_ACT_REFUSE || d.reason != NULL);
		if (!ok) {
			printf("# %s: ret %d action %d type %d region %d\n", table[i].what, ret,
			       d.action, d.type, d.region);
			tap_failed_checks++;
		}

		/* memremap() does what the decision says. */
		ncalls = 0;
		void *p = memremap(table[i].offset, table[i].size, table[i].flags);
		switch (table[i].action) {
		case MEMREMAP_ACT_LINEAR:
			CHECK(p == __va(table[i].offset));
			CHECK_EQ(ncalls, 0);
			break;
		case MEMREMAP_ACT_MAP:
			CHECK(p && is_ioremap_addr((uintptr_t)p));
			CHECK_EQ(ncalls, 1);
			CHECK_EQ(calls[0].type, table[i].type);
			CHECK_EQ(calls[0].pa, table[i].offset);
			break;
		case MEMREMAP_ACT_REFUSE:
			CHECK(p == NULL);
			CHECK_EQ(ncalls, 0);
			CHECK(strstr(fake_last_log, "refused") != NULL);
			break;
		}
		memunmap(p);
		CHECK_EQ(ncalls, table[i].action == MEMREMAP_ACT_MAP ? 2 : 0);
	}
	no_leaks();
}

static void refusals_name_the_range(void)
{
	setup();
	CHECK(memremap(HOLE_BASE - PAGE_SIZE, 2 * PAGE_SIZE, MEMREMAP_WB) == NULL);
	CHECK(strstr(fake_last_log, "[mem 0x8ffff000-0x90000fff]") != NULL);
	CHECK(strstr(fake_last_log, "mixes System RAM") != NULL);
	CHECK(memremap(RAM_BASE, PAGE_SIZE, MEMREMAP_WT) == NULL);
	CHECK(strstr(fake_last_log, "WT refused") != NULL);
	CHECK(strstr(fake_last_log, "System RAM") != NULL);
	supported = 1u << MEMREMAP_TYPE_WB;
	CHECK(memremap(PMEM_BASE, PAGE_SIZE, MEMREMAP_WC) == NULL);
	CHECK(strstr(fake_last_log, "unsupported") != NULL);
	struct memremap_stats st;
	memremap_get_stats(&st);
	CHECK_EQ(st.refused, 3);
	CHECK_EQ(ncalls, 0);
}

static void mapping_keeps_page_offset_and_aligns(void)
{
	struct memremap_stats st;
	char *p, *q, *r;

	setup();
	/* Unaligned start and length: whole pages mapped, offset kept. */
	p = memremap(PMEM_BASE + 0x10, 0x20, MEMREMAP_WB);
	CHECK(p != NULL);
	CHECK_EQ((uintptr_t)p % PAGE_SIZE, 0x10);
	CHECK_EQ(calls[0].pa, PMEM_BASE);
	CHECK_EQ(calls[0].size, PAGE_SIZE);
	CHECK_EQ(calls[0].va, (uintptr_t)p - 0x10);
	/* Crossing a page boundary: two pages. */
	q = memremap(PMEM_BASE + 0x1ff0, 0x20, MEMREMAP_WT);
	CHECK(q && calls[1].size == 2 * PAGE_SIZE && calls[1].pa == PMEM_BASE + 0x1000);
	/* 2 MiB-aligned physical, 4 MiB long: VA aligned to 2 MiB (not 4: pa is not). */
	r = memremap(PMEM_BASE + SZ_2M, 2 * SZ_2M, MEMREMAP_WC);
	CHECK(r && (uintptr_t)r % SZ_2M == 0);
	/* 1 GiB-aligned, 2 GiB long: VA aligned to 1 GiB so PUD leaves can be used. */
	char *g = memremap(PMEM_BASE + SZ_1G, 2 * SZ_1G, MEMREMAP_WB);
	CHECK(g && (uintptr_t)g % SZ_1G == 0);
	CHECK_EQ(calls[3].size, 2 * SZ_1G);
	memremap_get_stats(&st);
	CHECK_EQ(st.live_mappings, 4);
	CHECK_EQ(st.live_bytes, 3 * PAGE_SIZE + 2 * SZ_2M + 2 * SZ_1G);
	CHECK_EQ(st.total_mappings, 4);

	/* memunmap() of a pointer inside the first page (as returned) removes the whole area. */
	memunmap(p);
	CHECK(calls[4].op == 'u' && calls[4].va == (uintptr_t)p - 0x10 &&
	      calls[4].size == PAGE_SIZE);
	memunmap(q);
	memunmap(r);
	memunmap(g);
	CHECK_EQ(ncalls, 8);
	no_leaks();
}

static void memunmap_of_both_kinds_and_of_garbage(void)
{
	struct memremap_stats st;

	setup();
	void *lin = memremap(RAM_BASE + 0x1234, 100, MEMREMAP_WB);
	CHECK(lin == __va(RAM_BASE + 0x1234));
	void *io = memremap(PMEM_BASE, 3 * PAGE_SIZE, MEMREMAP_WB);
	CHECK(io != NULL);
	unsigned int logs = fake_log_count;

	memunmap(lin); /* nothing to do, nothing said */
	CHECK_EQ(fake_log_count, logs);
	memunmap(NULL);
	/* Not what memremap() returned: inside the area but past its first page; in the region
	 * but no area; neither linear nor ioremap. */
	memunmap((char *)io + PAGE_SIZE);
	CHECK(strstr(fake_last_log, "not returned by memremap") != NULL);
	memunmap((void *)(IOREMAP_END - PAGE_SIZE));
	CHECK(strstr(fake_last_log, "not returned by memremap") != NULL);
	/* Another user's area in the same region (e.g. ioremap()) is not memunmap()'s. */
	struct vm_struct *other = get_vm_area(PAGE_SIZE, 0, VM_IOREMAP);
	CHECK(!IS_ERR(other));
	memunmap((void *)other->addr);
	CHECK(strstr(fake_last_log, "not returned by memremap") != NULL);
	CHECK_EQ(free_vm_area(other), 0);
	memunmap(__va(HOLE_BASE));
	CHECK(strstr(fake_last_log, "neither") != NULL);
	CHECK_EQ(ncalls, 1);
	memremap_get_stats(&st);
	CHECK_EQ(st.live_mappings, 1);
	CHECK_EQ(st.linear_hits, 1);
	memunmap(io);
	CHECK_EQ(ncalls, 2);
	no_leaks();
}

static void failed_map_frees_the_va_range(void)
{
	setup();
	map_result = -ENOMEM;
	CHECK(memremap(PMEM_BASE, PAGE_SIZE, MEMREMAP_WB) == NULL);
	CHECK(strstr(fake_last_log, "mapping failed: -12") != NULL);
	CHECK_EQ(ncalls, 1);
	no_leaks();
	/* The ioremap region running out is reported the same way. */
	map_result = 0;
	CHECK_EQ(memremap_init(&fake_ops, IOREMAP_START, IOREMAP_START + 4 * PAGE_SIZE), 0);
	CHECK(memremap(PMEM_BASE, 4 * PAGE_SIZE, MEMREMAP_WB) == NULL); /* no room for the guard */
	void *p = memremap(PMEM_BASE, 3 * PAGE_SIZE, MEMREMAP_WB);
	CHECK(p != NULL);
	memunmap(p);
	CHECK_EQ(memremap_init(&fake_ops, IOREMAP_START, IOREMAP_END), 0);
}

static int probe_maps(struct device *dev)
{
	void *a = devm_memremap(dev, PMEM_BASE, PAGE_SIZE, MEMREMAP_WB);
	void *b = devm_memremap(dev, PMEM_BASE + SZ_2M, PAGE_SIZE, MEMREMAP_WC);
	void *c = devm_memremap(dev, RAM_BASE, PAGE_SIZE, MEMREMAP_WB);

	CHECK(!IS_ERR(a) && !IS_ERR(b) && c == __va(RAM_BASE));
	/* A refusal is an ERR_PTR carrying the decision's errno, and adds no devres. */
	CHECK_EQ(PTR_ERR(devm_memremap(dev, RAM_BASE, PAGE_SIZE, MEMREMAP_WT)), -EPERM);
	CHECK_EQ(devres_count(dev), 3);
	/* Undo one early. */
	CHECK_EQ(devm_memunmap(dev, b), 0);
	CHECK_EQ(devm_memunmap(dev, b), -ENOENT);
	CHECK_EQ(devres_count(dev), 2);
	dev_set_drvdata(dev, a);
	return 0;
}

static void devm_memremap_released_on_unbind(void)
{
	static const char *const compat[] = { "pmem-region", NULL };
	static struct device_driver drv = { .name = "pmem", .compatible = compat,
					    .probe = probe_maps };
	static struct device dev;
	static const char dev_compat[] = "pmem-region";

	setup();
	device_reset_all();
	CHECK_EQ(device_init(&dev, "pmem@100000000", -1, dev_compat, sizeof(dev_compat)), 0);
	CHECK_EQ(device_register(&dev), 0);
	CHECK_EQ(driver_register(&drv), 0);
	CHECK(dev.driver == &drv);
	struct memremap_stats st;
	memremap_get_stats(&st);
	CHECK_EQ(st.live_mappings, 1);
	uintptr_t a = (uintptr_t)dev_get_drvdata(&dev);

	ncalls = 0;
	device_unregister(&dev);
	CHECK_EQ(ncalls, 1);
	CHECK(calls[0].op == 'u' && calls[0].va == a);
	CHECK_EQ(devres_pool_in_use(), 0);
	no_leaks();
}

/* One memory type per page: WC over what a pagemap maps write-back, WB over a WC mapping. */
static void a_second_memory_type_for_a_range_is_refused(void)
{
	struct memremap_decision d;
	void *wc, *wb;

	setup();
	/* what memremap_pages() reserves for a pagemap's write-back linear map */
	CHECK_EQ(memtype_reserve(PMEM_BASE, PMEM_BASE + SZ_4M, MEMREMAP_TYPE_WB, "memremap_pages"), 0);
	CHECK_EQ(memremap_decide(PMEM_BASE + SZ_1M, PAGE_SIZE, MEMREMAP_WC, &d), -EBUSY);
	CHECK_EQ(d.action, MEMREMAP_ACT_REFUSE);
	CHECK(strstr(d.reason, "write-back") != NULL);
	CHECK(memremap(PMEM_BASE + SZ_1M, PAGE_SIZE, MEMREMAP_WC) == NULL);
	CHECK(memremap(PMEM_BASE + SZ_4M - 1, 2, MEMREMAP_WT) == NULL); /* straddles the end */
	CHECK_EQ(ncalls, 0);
	wb = memremap(PMEM_BASE + SZ_1M, PAGE_SIZE, MEMREMAP_WB);
	CHECK(wb != NULL);
	/* beside it, another type is fine; then WB there is refused */
	wc = memremap(PMEM_BASE + SZ_4M, PAGE_SIZE, MEMREMAP_WC);
	CHECK(wc != NULL);
	CHECK(memremap(PMEM_BASE + SZ_4M, SZ_2M, MEMREMAP_WB) == NULL);
	memunmap(wc);
	/* the WC mapping gone, its pages take WB again */
	wc = memremap(PMEM_BASE + SZ_4M, SZ_2M, MEMREMAP_WB);
	CHECK(wc != NULL);
	memunmap(wc);
	memunmap(wb);
	CHECK_EQ(memtype_free(PMEM_BASE, PMEM_BASE + SZ_4M), 0);
	/* a failed map leaves no reservation */
	map_result = -ENOMEM;
	CHECK(memremap(PMEM_BASE, PAGE_SIZE, MEMREMAP_WC) == NULL);
	map_result = 0;
	no_leaks();
}

static const struct tap_case cases[] = {
	TAP_CASE(decide_before_init_needs_ioremap_region),
	TAP_CASE(memremap_decision_table),
	TAP_CASE(refusals_name_the_range),
	TAP_CASE(mapping_keeps_page_offset_and_aligns),
	TAP_CASE(memunmap_of_both_kinds_and_of_garbage),
	TAP_CASE(failed_map_frees_the_va_range),
	TAP_CASE(devm_memremap_released_on_unbind),
	TAP_CASE(a_second_memory_type_for_a_range_is_refused),
};

TAP_MAIN("mm_memremap", cases)
