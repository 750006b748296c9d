// SPDX-License-Identifier: BSD-2-Clause
// Suite "memremap": the iomem tree built from the device tree, region_intersects(), memremap()
// of RAM and pmem with WB/WT/WC as the seed iomem.c describes, and devm_ release on remove.
#include <string.h>

#include <platform/boot.h>
#include <platform/device.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/fault.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <mm/ioresource.h>
#include <mm/hugetlb.h>
#include <mm/memblock.h>
#include <mm/page_alloc.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/page.h>
#include <mm/vmalloc.h>
#include <pmem/scratch.h>

static const struct pmem_region *first_pmem(bool persistent)
{
	const char *kind = persistent ? "persistent" : "volatile";

	for (int i = 0; i < boot.nr_pmem; i++) {
		const struct pmem_region *p = &boot.pmem[i];

		if (p->valid && p->is_volatile != persistent) {
			pr_debug("memremap: using %s [mem 0x%016llx-0x%016llx]: the first valid %s "
				 "range\n", p->node, (unsigned long long)p->base,
				 (unsigned long long)(p->base + p->size - 1), kind);
			return p;
		}
	}
	pr_debug("memremap: no valid %s pmem range\n", kind);
	return NULL;
}

/*
 * Device memory this suite may write: only what the pmem driver hands out as scratch (a free
 * volatile range). Persistent ranges may hold someone's data; they are only read here.
 */
static bool get_scratch(struct ktap_test *t, phys_addr_t min_size, struct pmem_scratch *s)
{
	char why[160];

	if (pmem_scratch_get(min_size, s, why, sizeof(why)) == 0)
		return true;
	ktap_skip(t, "%s", why);
	return false;
}

static int take_first(struct resource *res, void *arg)
{
	*(struct resource *)arg = *res;
	return 1;
}

/* The end of the first System RAM resource: what lies right after it is not System RAM. */
static phys_addr_t system_ram_end(void)
{
	struct resource r = { 0 };

	walk_system_ram_res(0, ~(phys_addr_t)0, &r, take_first);
	return r.end + 1;
}

static int init(char *why, size_t len)
{
	if (!paging_installed()) {
		scnprintf(why, len, "the final page tables are not installed");
		return -ENODEV;
	}
	return 0;
}

/* The console UART's MMIO is the device window these checks use; a refused one has none. */
static bool have_uart(void)
{
	return !boot.bi.uart_refused && boot.bi.uart_base;
}

static void region_intersects_classifies(struct ktap_test *t)
{
	phys_addr_t ram_end = system_ram_end();

	KTAP_EXPECT_EQ(t, region_intersects(boot.image_base, PAGE_SIZE, IORESOURCE_SYSTEM_RAM,
					    IORES_DESC_NONE), REGION_INTERSECTS);
	/* The UART's window is smaller than a page: ask about its first registers only. */
	if (have_uart()) {
		KTAP_EXPECT_EQ(t, region_intersects(boot.bi.uart_base, 8, IORESOURCE_SYSTEM_RAM,
						    IORES_DESC_NONE), REGION_DISJOINT);
		KTAP_EXPECT_EQ(t, region_intersects(boot.bi.uart_base, 8, IORESOURCE_MEM,
						    IORES_DESC_NONE), REGION_INTERSECTS);
	}
	/* Straddling the end of RAM: part RAM, part not. */
	KTAP_EXPECT_EQ(t, region_intersects(ram_end - PAGE_SIZE, 2 * PAGE_SIZE,
					    IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE), REGION_MIXED);
	const struct pmem_region *p = first_pmem(true);
	if (p) {
		KTAP_EXPECT_EQ(t, region_intersects(p->base, p->size, IORESOURCE_MEM,
						    IORES_DESC_PERSISTENT_MEMORY), REGION_INTERSECTS);
		KTAP_EXPECT_EQ(t, region_intersects(p->base, p->size, IORESOURCE_SYSTEM_RAM,
						    IORES_DESC_NONE), REGION_DISJOINT);
	}
}

static void request_region_conflicts(struct ktap_test *t)
{
	struct resource *a;

	if (!have_uart()) {
		ktap_skip(t, "no console UART window to claim (its reg was refused)");
		return;
	}
	a = request_mem_region(boot.bi.uart_base, 8, "memremap-test");

	if (!KTAP_EXPECT(t, !IS_ERR(a)))
		return;
	struct resource *b = request_mem_region(boot.bi.uart_base, 8, "memremap-test-2");
	KTAP_EXPECT(t, IS_ERR(b) && PTR_ERR(b) == -EBUSY);
	KTAP_EXPECT_EQ(t, release_mem_region(boot.bi.uart_base, 8), 0);
	b = request_mem_region(boot.bi.uart_base, 8, "memremap-test-2");
	KTAP_EXPECT(t, !IS_ERR(b));
	if (!IS_ERR(b))
		release_mem_region(boot.bi.uart_base, 8);
}

static void ram_wb_is_the_linear_map(struct ktap_test *t)
{
	phys_addr_t pa = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	struct memremap_stats before, after;

	if (!KTAP_EXPECT(t, pa != 0))
		return;
	memremap_get_stats(&before);
	void *va = memremap(pa, PAGE_SIZE, MEMREMAP_WB);
	KTAP_EXPECT(t, va == __va(pa));
	memremap_get_stats(&after);
	KTAP_EXPECT_EQ(t, after.linear_hits, before.linear_hits + 1);
	KTAP_EXPECT_EQ(t, after.live_mappings, before.live_mappings);
	memunmap(va);
	page_free_phys(pa, PAGE_SIZE);
}

static void ram_wt_wc_and_mixed_refused(struct ktap_test *t)
{
	KTAP_EXPECT(t, memremap(boot.image_base, PAGE_SIZE, MEMREMAP_WT) == NULL);
	KTAP_EXPECT(t, memremap(boot.image_base, PAGE_SIZE, MEMREMAP_WC) == NULL);
	KTAP_EXPECT(t, memremap(system_ram_end() - PAGE_SIZE, 2 * PAGE_SIZE, MEMREMAP_WB) == NULL);
}

/*
 * Map scratch pmem with @flags, write through it, read back, check the table entry's memory
 * type.
 */
static void map_pmem_as(struct ktap_test *t, unsigned long flags, uint32_t want_mt,
			const char *name)
{
	struct pmem_scratch p;
	struct pgtable_walk_result r;
	struct memremap_stats before, after;

	if (!get_scratch(t, SZ_2M, &p))
		return;
	memremap_get_stats(&before);
	volatile uint64_t *va = memremap(p.base + SZ_1M, SZ_64K, flags);
	pgprot_t want = pgprot_set_memtype(PAGE_KERNEL, want_mt);
	if (!arch_pgprot_supported(&kernel_pgtable.cfg, want)) {
		/* riscv64 without Svpbmt: refused as unsupported, never silently WB. */
		KTAP_EXPECT(t, va == NULL);
		ktap_printf("    # %s: refused, the CPU cannot express the type\n", name);
		return;
	}
	if (!KTAP_EXPECT(t, va != NULL))
		return;
	KTAP_EXPECT(t, is_ioremap_addr((uintptr_t)va));
	for (unsigned int i = 0; i < SZ_64K / 8; i += 64)
		va[i] = 0x5eed0000ULL + i;
	bool same = true;
	for (unsigned int i = 0; i < SZ_64K / 8; i += 64)
		same &= va[i] == 0x5eed0000ULL + i;
	KTAP_EXPECT(t, same);
	KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, (uintptr_t)va, &r), 0);
	KTAP_EXPECT_EQ(t, r.pa, p.base + SZ_1M);
	KTAP_EXPECT_EQ(t, pgprot_memtype(r.prot),
		       pgprot_memtype(arch_pgprot_canonical(&kernel_pgtable.cfg, want)));
	ktap_printf("    # %s: pmem 0x%llx at %p, entry 0x%016llx\n", name,
		    (unsigned long long)(p.base + SZ_1M), (void *)va, (unsigned long long)r.entry);
	memunmap((void *)va);
	uint64_t v;
	KTAP_EXPECT_EQ(t, probe_read((void *)va, &v), -EFAULT);
	memremap_get_stats(&after);
	KTAP_EXPECT_EQ(t, after.live_mappings, before.live_mappings);
	KTAP_EXPECT_EQ(t, after.live_bytes, before.live_bytes);
}

static void pmem_wb(struct ktap_test *t)
{
	map_pmem_as(t, MEMREMAP_WB, PGPROT_MT_WB, "WB");
}

static void pmem_wt(struct ktap_test *t)
{
	map_pmem_as(t, MEMREMAP_WT, PGPROT_MT_WT, "WT");
}

static void pmem_wc(struct ktap_test *t)
{
	map_pmem_as(t, MEMREMAP_WC, PGPROT_MT_NC, "WC");
}

/*
 * Persistent memory nobody laid out this boot is someone's data: memremap() maps it read-only,
 * so it can be inspected while a store faults and leaves the bytes as they were.
 */
static void persistent_not_ours_is_readonly(struct ktap_test *t)
{
	const struct pmem_region *p = first_pmem(true);
	struct pgtable_walk_result r;
	unsigned long bad = 0;
	volatile uint64_t *va;

	if (!p) {
		ktap_skip(t, "no valid persistent pmem region");
		return;
	}
	if (iomem_range_writable(p->base, p->size)) {
		ktap_skip(t, "the persistent range was laid out by this boot already");
		return;
	}
	va = memremap(p->base + SZ_1M, SZ_64K, MEMREMAP_WB);
	if (!KTAP_EXPECT(t, va != NULL))
		return;
	KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, (uintptr_t)va, &r), 0);
	KTAP_EXPECT(t, !(pgprot_val(r.prot) & PGPROT_WRITE));
	for (unsigned int i = 0; i < SZ_64K / 8; i += 512) {
		uint64_t old = va[i];

		bad += probe_write(&va[i], ~old) != -EFAULT || va[i] != old;
	}
	KTAP_EXPECT_EQ(t, bad, 0);
	ktap_printf("    # pmem 0x%llx: mapped read-only, %u stores faulted, bytes unchanged\n",
		    (unsigned long long)(p->base + SZ_1M), (unsigned int)(SZ_64K / 8 / 512));
	memunmap((void *)va);
}

static int pmem_probe_calls;

static int test_pmem_probe(struct device *dev)
{
	(void)dev;
	pmem_probe_calls++;
	return 0;
}

static const char *const test_pmem_compat[] = { "pmem-region", NULL };
static struct device_driver test_pmem_driver = {
	.name = "memremap-test",
	.compatible = test_pmem_compat,
	.probe = test_pmem_probe,
};

static void devm_released_on_remove(struct ktap_test *t)
{
	struct device *dev = NULL;
	struct memremap_stats before, mid, after;

	KTAP_EXPECT_EQ(t, driver_register(&test_pmem_driver), 0);
	for (struct device *d = device_first(); d; d = d->next)
		if (d->driver == &test_pmem_driver && d->nr_reg)
			dev = d;
	if (!dev) {
		ktap_skip(t, "no pmem-region device to bind");
		driver_unregister(&test_pmem_driver);
		return;
	}
	KTAP_EXPECT(t, pmem_probe_calls > 0);
	memremap_get_stats(&before);
	void *a = devm_memremap(dev, dev->reg[0].base, SZ_64K, MEMREMAP_WB);
	void *b = devm_memremap(dev, dev->reg[0].base + SZ_1M, SZ_64K, MEMREMAP_WB);
	KTAP_EXPECT(t, !IS_ERR(a) && !IS_ERR(b));
	memremap_get_stats(&mid);
	KTAP_EXPECT_EQ(t, mid.live_mappings, before.live_mappings + 2);
	KTAP_EXPECT_EQ(t, devres_count(dev), 2);
	device_release_driver(dev);
	memremap_get_stats(&after);
	KTAP_EXPECT_EQ(t, after.live_mappings, before.live_mappings);
	KTAP_EXPECT_EQ(t, devres_count(dev), 0);
	uint64_t v;
	if (!IS_ERR(a))
		KTAP_EXPECT_EQ(t, probe_read(a, &v), -EFAULT);
	driver_unregister(&test_pmem_driver);
}

static void pagemap_for(struct dev_pagemap *pg, const struct pmem_scratch *p, enum memory_type t)
{
	memset(pg, 0, sizeof(*pg));
	pg->type = t;
	pg->nr_range = 1;
	pg->ranges[0] = (struct range){ p->base, p->base + p->size - 1 };
}

/* Write a pattern through the linear map, one word per page, and read it back. */
static unsigned long pattern_mismatches(unsigned long first, unsigned long end, uint64_t salt)
{
	unsigned long bad = 0;

	for (unsigned long pfn = first; pfn < end; pfn++)
		*(volatile uint64_t *)__va(PFN_PHYS(pfn) + (pfn % 512) * 8) = pfn ^ salt;
	for (unsigned long pfn = first; pfn < end; pfn++)
		bad += *(volatile uint64_t *)__va(PFN_PHYS(pfn) + (pfn % 512) * 8) != (pfn ^ salt);
	return bad;
}

/*
 * Volatile pmem as MEMORY_DEVICE_GENERIC: struct pages in RAM, the range in the linear map
 * while registered and gone from it afterwards, every page findable by pfn.
 */
static void memremap_pages_volatile_in_ram(struct ktap_test *t)
{
	struct pmem_scratch sc, *p = &sc;
	unsigned long free0 = nr_free_pages(), first, end;
	struct dev_pagemap pg, *got;
	struct memremap_pages_stats st;
	uint64_t v;
	void *va;

	if (!get_scratch(t, SZ_2M, &sc))
		return;
	KTAP_EXPECT_EQ(t, probe_read(__va(p->base), &v), -EFAULT); /* not yet linear-mapped */
	pagemap_for(&pg, p, MEMORY_DEVICE_GENERIC);
	va = memremap_pages(&pg);
	if (IS_ERR(va)) {
		ktap_fail(t, __FILE__, __LINE__, "memremap_pages: %ld", PTR_ERR(va));
		return;
	}
	KTAP_EXPECT(t, va == __va(p->base));
	first = pgmap_pfn_first(&pg, 0);
	end = pgmap_pfn_end(&pg, 0);
	KTAP_EXPECT_EQ(t, pattern_mismatches(first, end, 0x5a5a), 0);
	got = get_dev_pagemap(first + (end - first) / 2, NULL);
	KTAP_EXPECT(t, got == &pg);
	put_dev_pagemap(got);
	KTAP_EXPECT(t, page_pgmap(pfn_to_page(end - 1)) == &pg);
	KTAP_EXPECT_EQ(t, page_zonenum(pfn_to_page(first)), ZONE_DEVICE);
	KTAP_EXPECT_EQ(t, page_ref_count(pfn_to_page(first)), 1);
	memremap_pages_get_stats(&st);
	KTAP_EXPECT_EQ(t, st.device_pages, end - first);
	ktap_printf("    # %llu MiB volatile: %lu device pages, %lu RAM pages for struct pages "
		    "and tables\n", (unsigned long long)(p->size >> 20), end - first,
		    free0 - nr_free_pages());
	ktap_metric("memremap_pages_ram_bytes_volatile", (free0 - nr_free_pages()) * PAGE_SIZE,
		    "bytes");
	KTAP_EXPECT_EQ(t, memunmap_pages(&pg), 0);
	KTAP_EXPECT_EQ(t, probe_read(__va(p->base), &v), -EFAULT);
	KTAP_EXPECT(t, get_dev_pagemap(first, NULL) == NULL);
	KTAP_EXPECT(t, !pfn_valid(first));
	KTAP_EXPECT_EQ(t, nr_free_pages(), free0);
}

/*
 * An FS_DAX pagemap with its struct pages in the device (an altmap after a one-page reserve, as
 * an info block would need) and 2 MiB compound pages: no RAM holds struct pages. On scratch
 * (volatile) memory: the data pages of a persistent one belong to earlier boots.
 */
static void memremap_pages_altmap_compound(struct ktap_test *t)
{
	struct pmem_scratch sc, *p = &sc;
	unsigned long free0 = nr_free_pages(), first, end, pfn0, nr, memmap_pages;
	struct pgtable_walk_result r;
	struct dev_pagemap pg;
	struct page *head;
	void *va;

	if (!get_scratch(t, SZ_8M, &sc))
		return;
	pagemap_for(&pg, p, MEMORY_DEVICE_FS_DAX);
	pfn0 = PHYS_PFN(p->base);
	nr = PHYS_PFN(p->size);
	memmap_pages = nr * sizeof(struct page) / PAGE_SIZE;
	pg.flags = PGMAP_ALTMAP_VALID;
	pg.vmemmap_shift = 9;
	pg.altmap.base_pfn = pfn0;
	*(unsigned long *)&pg.altmap.end_pfn = pfn0 + nr;
	pg.altmap.reserve = 1;
	/* room for the memmap, rounded so the data starts on a 2 MiB compound boundary */
	pg.altmap.free = ALIGN_UP(1 + memmap_pages, 512) - 1;
	va = memremap_pages(&pg);
	if (IS_ERR(va)) {
		ktap_fail(t, __FILE__, __LINE__, "memremap_pages: %ld", PTR_ERR(va));
		return;
	}
	first = pgmap_pfn_first(&pg, 0);
	end = pgmap_pfn_end(&pg, 0);
	KTAP_EXPECT_EQ(t, first, pfn0 + ALIGN_UP(1 + memmap_pages, 512));
	/* shared tails: a head page per compound page and the shared page */
	KTAP_EXPECT_EQ(t, pg.altmap.alloc, ((end - first) >> 9) + 1);
	/* the struct page of a data pfn physically lives in the device's memmap area */
	KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, (uintptr_t)pfn_to_page(end - 1), &r), 0);
	KTAP_EXPECT(t, r.pa >= PFN_PHYS(pfn0 + 1) && r.pa < PFN_PHYS(first));
	/* ... in the shared tail page, read-only: a store faults and is named */
	{
		struct page *tail = pfn_to_page(end - 1);
		uint64_t v = 0;
		char line[200];

		KTAP_EXPECT_EQ(t, probe_read(&tail->flags, &v), 0);
		KTAP_EXPECT_EQ(t, probe_write(&tail->flags, v), -EFAULT);
		KTAP_EXPECT(t, hugetlb_vmemmap_describe((uintptr_t)&tail->flags, line, sizeof(line)));
		ktap_printf("    # caught: %s\n", line);
	}
	head = pfn_to_page(first + 512);
	KTAP_EXPECT(t, PageHead(head) && compound_order(head) == 9);
	KTAP_EXPECT(t, compound_head(pfn_to_page(first + 512 + 300)) == head);
	KTAP_EXPECT(t, page_pgmap(pfn_to_page(first + 700)) == &pg);
	KTAP_EXPECT_EQ(t, page_ref_count(head), 0); /* fs-dax pages idle at 0 */
	KTAP_EXPECT_EQ(t, pattern_mismatches(first, end, 0xa5a5), 0);
	ktap_printf("    # %llu MiB with altmap: %lu struct-page pages in the device, %lu RAM pages "
		    "(page tables only)\n", (unsigned long long)(p->size >> 20), pg.altmap.alloc,
		    free0 - nr_free_pages());
	ktap_metric("memremap_pages_ram_bytes_altmap_tables", (free0 - nr_free_pages()) * PAGE_SIZE,
		    "bytes");
	KTAP_EXPECT(t, (free0 - nr_free_pages()) * PAGE_SIZE < memmap_pages * PAGE_SIZE / 8);
	KTAP_EXPECT_EQ(t, memunmap_pages(&pg), 0);
	KTAP_EXPECT_EQ(t, pg.altmap.alloc, 0);
	KTAP_EXPECT_EQ(t, nr_free_pages(), free0);
}

static void memremap_pages_refusals(struct ktap_test *t)
{
	struct pmem_scratch sc, *p = &sc;
	struct dev_pagemap pg, again;
	struct resource ram = { 0 };
	struct dev_pagemap *held;

	walk_system_ram_res(0, ~(phys_addr_t)0, &ram, take_first);
	memset(&pg, 0, sizeof(pg));
	pg.type = MEMORY_DEVICE_GENERIC;
	pg.nr_range = 1;
	pg.ranges[0] = (struct range){ ALIGN_UP(ram.start, SZ_2M),
				       ALIGN_UP(ram.start, SZ_2M) + SZ_2M - 1 };
	KTAP_EXPECT_EQ(t, PTR_ERR(memremap_pages(&pg)), -ENXIO);
	if (!get_scratch(t, SZ_2M, &sc))
		return;
	pagemap_for(&pg, p, MEMORY_DEVICE_GENERIC);
	KTAP_EXPECT(t, !IS_ERR(memremap_pages(&pg)));
	pagemap_for(&again, p, MEMORY_DEVICE_FS_DAX);
	KTAP_EXPECT_EQ(t, PTR_ERR(memremap_pages(&again)), -EBUSY);
	held = get_dev_pagemap(PHYS_PFN(p->base), NULL);
	KTAP_EXPECT(t, held == &pg);
	KTAP_EXPECT_EQ(t, memunmap_pages(&pg), -EBUSY); /* a reference is held */
	put_dev_pagemap(held);
	KTAP_EXPECT_EQ(t, memunmap_pages(&pg), 0);
}

static const struct ktap_case memremap_cases[] = {
	KTAP_CASE(region_intersects_classifies), KTAP_CASE(request_region_conflicts),
	KTAP_CASE(ram_wb_is_the_linear_map),	 KTAP_CASE(ram_wt_wc_and_mixed_refused),
	KTAP_CASE(pmem_wb),			 KTAP_CASE(pmem_wt),
	KTAP_CASE(pmem_wc),			 KTAP_CASE(persistent_not_ours_is_readonly),
	KTAP_CASE(devm_released_on_remove),
	KTAP_CASE(memremap_pages_volatile_in_ram), KTAP_CASE(memremap_pages_altmap_compound),
	KTAP_CASE(memremap_pages_refusals),
};

const struct ktap_suite memremap_suite = {
	.name = "memremap",
	.cases = memremap_cases,
	.nr_cases = ARRAY_SIZE(memremap_cases),
	.init = init,
};
