// SPDX-License-Identifier: BSD-2-Clause
// pmem_regions_validate(): the decision table of SPEC/issue 2 (alignment, RAM, overlap, DTB).
#include <pmem/region.h>

#include "tap.h"

static char last[512];
static int reports;

static void rec(const char *msg, void *ctx)
{
	(void)ctx;
	snprintf(last, sizeof(last), "%s", msg);
	reports++;
}

static void add(struct bi_range *r, int *n, uint64_t base, uint64_t size, const char *node,
		bool flag)
{
	r[*n].base = base;
	r[*n].size = size;
	snprintf(r[*n].node, sizeof(r[*n].node), "%s", node);
	r[*n].no_map = flag;
	r[*n].is_volatile = flag;
	(*n)++;
}

/* QEMU riscv64 virt with -m 512M. */
static void base_tree(struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	add(bi->memory, &bi->nr_memory, 0x80000000, 512ULL << 20, "memory@80000000", false);
	add(bi->reserved, &bi->nr_reserved, 0x80000000, 512 << 10, "mmode_resv0@80000000", false);
	bi->dtb_base = 0x9fe00000;
	bi->dtb_size = 0x2000;
}

static int validate(struct boot_info *bi, struct pmem_region *out)
{
	reports = 0;
	last[0] = '\0';
	int n = pmem_regions_validate(bi, 0x80200000, 0x20000, out, rec, NULL);
	CHECK_EQ(n, reports);
	return n;
}

static void nomap_covered_regions_accepted(void)
{
	struct boot_info bi;
	struct pmem_region out[BI_MAX_PMEM];

	base_tree(&bi);
	add(bi.reserved, &bi.nr_reserved, 0x90000000, 64 << 20, "pmem@90000000", true);
	/* Two adjacent no-map nodes together cover the second region. */
	add(bi.reserved, &bi.nr_reserved, 0x94000000, 32 << 20, "a", true);
	add(bi.reserved, &bi.nr_reserved, 0x96000000, 32 << 20, "b", true);
	add(bi.pmem, &bi.nr_pmem, 0x90000000, 64 << 20, "pmem@90000000", false);
	add(bi.pmem, &bi.nr_pmem, 0x94000000, 64 << 20, "pmem@94000000", true);
	/* Outside every bank: nothing to reserve. */
	add(bi.pmem, &bi.nr_pmem, 0x100000000ULL, 1ULL << 30, "pmem@100000000", false);
	CHECK_EQ(validate(&bi, out), 0);
	CHECK(out[0].valid && out[1].valid && out[2].valid);
	CHECK(!out[0].is_volatile && out[1].is_volatile);
	CHECK_STREQ(out[2].node, "pmem@100000000");
}

static void misaligned_refused_with_hint(void)
{
	struct boot_info bi;
	struct pmem_region out[BI_MAX_PMEM];

	base_tree(&bi);
	add(bi.pmem, &bi.nr_pmem, 0x100100000ULL, 64 << 20, "pmem@100100000", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(!out[0].valid);
	CHECK(strstr(last, "start is not aligned to 2 MiB") != NULL);
	CHECK(strstr(last, "[mem 0x0000000100200000-0x0000000103ffffff]") != NULL);
	base_tree(&bi);
	add(bi.pmem, &bi.nr_pmem, 0x100000000ULL, (64 << 20) + 4096, "pmem@100000000", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(strstr(last, "size is not aligned") != NULL);
}

static void usable_ram_overlap_refused(void)
{
	struct boot_info bi;
	struct pmem_region out[BI_MAX_PMEM];

	base_tree(&bi);
	/* Only half of the region is no-map: the other half is usable RAM. */
	add(bi.reserved, &bi.nr_reserved, 0x90000000, 32 << 20, "half", true);
	add(bi.pmem, &bi.nr_pmem, 0x90000000, 64 << 20, "pmem@90000000", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(strstr(last, "overlaps memory@80000000") != NULL);
	CHECK(strstr(last, "shrink the bank or add a no-map reserved-memory node") != NULL);
	/* A reservation without no-map does not take RAM out of the linear map. */
	base_tree(&bi);
	add(bi.reserved, &bi.nr_reserved, 0x90000000, 64 << 20, "keep-mapped", false);
	add(bi.pmem, &bi.nr_pmem, 0x90000000, 64 << 20, "pmem@90000000", false);
	CHECK_EQ(validate(&bi, out), 1);
}

static void overlapping_regions_first_wins(void)
{
	struct boot_info bi;
	struct pmem_region out[BI_MAX_PMEM];

	base_tree(&bi);
	add(bi.pmem, &bi.nr_pmem, 0x100000000ULL, 64 << 20, "pmem@100000000", false);
	add(bi.pmem, &bi.nr_pmem, 0x102000000ULL, 64 << 20, "pmem@102000000", false);
	add(bi.pmem, &bi.nr_pmem, 0x104000000ULL, 32 << 20, "pmem@104000000", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(out[0].valid && !out[1].valid && out[2].valid);
	CHECK(strstr(last, "pmem@102000000") && strstr(last, "overlaps pmem pmem@100000000"));
	/* An earlier refused region does not block a later one. */
	base_tree(&bi);
	add(bi.pmem, &bi.nr_pmem, 0x100100000ULL, 64 << 20, "bad", false);
	add(bi.pmem, &bi.nr_pmem, 0x100000000ULL, 64 << 20, "good", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(!out[0].valid && out[1].valid);
}

static void dtb_image_zero_and_wrap_refused(void)
{
	struct boot_info bi;
	struct pmem_region out[BI_MAX_PMEM];

	base_tree(&bi);
	add(bi.reserved, &bi.nr_reserved, 0x9fe00000, 2 << 20, "slot", true);
	add(bi.pmem, &bi.nr_pmem, 0x9fe00000, 2 << 20, "pmem@9fe00000", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(strstr(last, "contains the device tree blob at 0x000000009fe00000") != NULL);
	base_tree(&bi);
	add(bi.reserved, &bi.nr_reserved, 0x80200000, 2 << 20, "img", true);
	add(bi.pmem, &bi.nr_pmem, 0x80200000, 2 << 20, "pmem@80200000", false);
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(strstr(last, "contains the kernel image") != NULL);
	base_tree(&bi);
	add(bi.pmem, &bi.nr_pmem, 0x100000000ULL, 0, "zero", false);
	add(bi.pmem, &bi.nr_pmem, 0xffffffffffe00000ULL, 4 << 20, "wrap", false);
	CHECK_EQ(validate(&bi, out), 2);
	CHECK(strstr(last, "wraps") != NULL);
}

/* Limits of ours are refusals (status 2), never a range the driver then silently drops. */
static void limits_refused(void)
{
	struct boot_info bi;
	struct pmem_region out[BI_MAX_PMEM];
	char name[16];

	/* 9 ranges over 3 nodes: the driver holds 8, the 9th is refused. */
	base_tree(&bi);
	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "pmem@%d", i / 3);
		add(bi.pmem, &bi.nr_pmem, 0x100000000ULL + (uint64_t)i * (4 << 20), 2 << 20, name,
		    true);
	}
	CHECK_EQ(validate(&bi, out), 1);
	CHECK(out[7].valid && !out[8].valid);
	CHECK(strstr(last, "the pmem driver holds at most 8 ranges") != NULL);
	/* One node with more ranges than a device holds: the whole node is refused. */
	base_tree(&bi);
	add(bi.pmem, &bi.nr_pmem, 0x200000000ULL, 2 << 20, "other", true);
	for (int i = 0; i < 5; i++)
		add(bi.pmem, &bi.nr_pmem, 0x100000000ULL + (uint64_t)i * (4 << 20), 2 << 20, "big",
		    true);
	CHECK_EQ(validate(&bi, out), 5);
	CHECK(out[0].valid && !out[1].valid && !out[5].valid);
	CHECK(strstr(last, "a device holds at most 4") != NULL);
}

static const struct tap_case cases[] = {
	TAP_CASE(nomap_covered_regions_accepted), TAP_CASE(misaligned_refused_with_hint),
	TAP_CASE(usable_ram_overlap_refused),	  TAP_CASE(overlapping_regions_first_wins),
	TAP_CASE(dtb_image_zero_and_wrap_refused), TAP_CASE(limits_refused),
};

TAP_MAIN("pmem_region", cases)
