// SPDX-License-Identifier: BSD-2-Clause
// Suite "memmap": the early memory map built from the tree, and the pmem verdicts.
#include <platform/boot.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <mm/memblock.h>
#include <mm/page_alloc.h>

static bool overlaps(phys_addr_t a, phys_addr_t asz, phys_addr_t b, phys_addr_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static void image_and_dtb_reserved(struct ktap_test *t)
{
	KTAP_EXPECT(t, memblock_is_region_memory(boot.image_base, boot.image_size));
	KTAP_EXPECT(t, memblock_is_region_reserved(boot.image_base, boot.image_size));
	KTAP_EXPECT(t, memblock_is_region_reserved(boot.bi.dtb_base, boot.bi.dtb_size));
}

static void usable_excludes_reserved(struct ktap_test *t)
{
	phys_addr_t s, e;
	uint64_t idx;
	int ranges = 0;

	for_each_free_mem_range(idx, &s, &e) {
		ranges++;
		KTAP_EXPECT(t, memblock_is_region_memory(s, e - s));
		KTAP_EXPECT(t, !overlaps(s, e - s, boot.image_base, boot.image_size));
		KTAP_EXPECT(t, !overlaps(s, e - s, boot.bi.dtb_base, boot.bi.dtb_size));
		for (int i = 0; i < boot.bi.nr_reserved; i++) {
			const struct bi_range *r = &boot.bi.reserved[i];
			if (overlaps(s, e - s, r->base, r->size))
				ktap_fail(t, __FILE__, __LINE__,
					  "usable [0x%llx-0x%llx) overlaps reserved %s",
					  (unsigned long long)s, (unsigned long long)e, r->node);
		}
	}
	KTAP_EXPECT(t, ranges > 0);
}

static void pmem_outside_usable(struct ktap_test *t)
{
	phys_addr_t s, e;
	uint64_t idx;
	int valid = 0;

	for (int i = 0; i < boot.nr_pmem; i++) {
		const struct pmem_region *p = &boot.pmem[i];
		if (!p->valid)
			continue;
		valid++;
		KTAP_EXPECT(t, IS_ALIGNED(p->base, PMEM_REGION_ALIGN));
		KTAP_EXPECT(t, IS_ALIGNED(p->size, PMEM_REGION_ALIGN));
		for_each_free_mem_range(idx, &s, &e)
			if (overlaps(s, e - s, p->base, p->size))
				ktap_fail(t, __FILE__, __LINE__, "%s overlaps usable RAM", p->node);
		for (int j = 0; j < i; j++)
			if (boot.pmem[j].valid)
				KTAP_EXPECT(t, !overlaps(p->base, p->size, boot.pmem[j].base,
							 boot.pmem[j].size));
	}
	if (!valid)
		ktap_skip(t, "no valid pmem region");
}

static void totals_add_up(struct ktap_test *t)
{
	phys_addr_t nomap = 0, reserved_in_ram = 0;

	for (unsigned int i = 0; i < memblock.memory.cnt; i++)
		if (memblock.memory.regions[i].flags & MEMBLOCK_NOMAP)
			nomap += memblock.memory.regions[i].size;
	/* Reserved bytes that lie in mapped RAM: intersect the two lists. */
	for (unsigned int i = 0; i < memblock.reserved.cnt; i++) {
		const struct memblock_region *r = &memblock.reserved.regions[i];
		for (unsigned int j = 0; j < memblock.memory.cnt; j++) {
			const struct memblock_region *m = &memblock.memory.regions[j];
			phys_addr_t lo = MAX(r->base, m->base);
			phys_addr_t hi = MIN(r->base + r->size, m->base + m->size);
			if (hi > lo && !(m->flags & MEMBLOCK_NOMAP))
				reserved_in_ram += hi - lo;
		}
	}
	KTAP_EXPECT_EQ(t, memblock_free_size() + reserved_in_ram + nomap, memblock_phys_mem_size());
}

/* Write a pattern through the linear map and read it back. */
static bool memory_holds_pattern(phys_addr_t pa, size_t size)
{
	volatile uint64_t *p = __va(pa);
	bool same = true;

	for (unsigned int i = 0; i < size / 8; i += 61)
		p[i] = pa ^ i;
	for (unsigned int i = 0; i < size / 8; i += 61)
		same &= p[i] == (pa ^ i);
	return same;
}

static void alloc_roundtrip(struct ktap_test *t)
{
	phys_addr_t before, pa;

	if (!page_alloc_ready()) {
		/* Still the boot allocator: it must hand out free RAM and take it back. */
		before = memblock_free_size();
		pa = memblock_phys_alloc(SZ_64K, SZ_64K);
		if (!KTAP_EXPECT(t, pa != 0))
			return;
		KTAP_EXPECT_EQ(t, memblock_free_size(), before - SZ_64K);
		KTAP_EXPECT(t, memory_holds_pattern(pa, SZ_64K));
		KTAP_EXPECT_EQ(t, memblock_phys_free(pa, SZ_64K), 0);
		KTAP_EXPECT_EQ(t, memblock_free_size(), before);
		return;
	}
	/* After the hand-over memblock gives nothing: every free page belongs to the buddy. */
	KTAP_EXPECT_EQ(t, memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE), 0);
	unsigned long free_before = nr_free_pages();
	pa = page_alloc_phys(SZ_64K, SZ_64K, GFP_KERNEL);
	if (!KTAP_EXPECT(t, pa != 0))
		return;
	KTAP_EXPECT(t, IS_ALIGNED(pa, SZ_64K));
	KTAP_EXPECT(t, memblock_is_region_memory(pa, SZ_64K));
	KTAP_EXPECT(t, !overlaps(pa, SZ_64K, boot.image_base, boot.image_size));
	KTAP_EXPECT(t, !overlaps(pa, SZ_64K, boot.bi.dtb_base, boot.bi.dtb_size));
	KTAP_EXPECT_EQ(t, nr_free_pages(), free_before - SZ_64K / PAGE_SIZE);
	KTAP_EXPECT(t, memory_holds_pattern(pa, SZ_64K));
	KTAP_EXPECT_EQ(t, page_free_phys(pa, SZ_64K), 0);
	KTAP_EXPECT_EQ(t, nr_free_pages(), free_before);
}

static const struct ktap_case memmap_cases[] = {
	KTAP_CASE(image_and_dtb_reserved), KTAP_CASE(usable_excludes_reserved),
	KTAP_CASE(pmem_outside_usable),	   KTAP_CASE(totals_add_up),
	KTAP_CASE(alloc_roundtrip),
};

const struct ktap_suite memmap_suite = {
	.name = "memmap",
	.cases = memmap_cases,
	.nr_cases = ARRAY_SIZE(memmap_cases),
};
