// SPDX-License-Identifier: BSD-2-Clause
// mm/layout.c: the kernel half derived from each VA width (Sv39, Sv48, Sv57, arm64 48-bit):
// regions disjoint, aligned, inside the half, guard gaps kept, image slot at the top 2 GiB.
#include <platform/errno.h>
#include <arch/pgtable.h>
#include <mm/layout.h>

#include "fakes.h"
#include "tap.h"

/* Widths to derive for the arch the binary is built for (its <arch/pgtable.h>). */
static const int widths[] = {
#if ARCH_PGTABLE_MAX_LEVELS == 5
	39, 48, 57,
#else
	48,
#endif
};

static const struct {
	phys_addr_t start, end;
} rams[] = {
	{ 0x80000000ULL, 0x80000000ULL + (128ULL << 20) },   /* riscv virt, 128 MiB */
	{ 0x40000000ULL, 0x40000000ULL + (2ULL << 30) },     /* arm64 virt, 2 GiB */
	{ 0x80000000ULL, 0x80000000ULL + (16ULL << 30) },    /* 16 GiB */
	{ 0x80200000ULL, 0x80000000ULL + (3ULL << 30) + 5 }, /* odd ends */
};

static uint64_t last_of(const struct layout_region *r)
{
	return r->start + r->size - 1;
}

static void check_layout(const struct kernel_layout *l, int va_bits, phys_addr_t ram_start,
			 phys_addr_t ram_end)
{
	uint64_t half = 1ULL << (va_bits - 1);
	const struct layout_region *lin = &l->region[LAYOUT_LINEAR];
	const struct layout_region *vmm = &l->region[LAYOUT_VMEMMAP];

	CHECK_EQ(l->half_start, (uintptr_t)0 - half);
	for (int i = 0; i < LAYOUT_NR_REGIONS; i++) {
		const struct layout_region *r = &l->region[i];

		CHECK(r->size > 0);
		CHECK(r->name != NULL);
		/* inside the kernel half, no wrap except to exactly 2^64 */
		CHECK(r->start >= l->half_start);
		CHECK(last_of(r) >= r->start);
		/* aligned to the largest leaf the region uses */
		CHECK(r->align >= SZ_2M);
		CHECK(IS_ALIGNED(r->start, r->align));
		CHECK(IS_ALIGNED(r->size, r->align));
		/* in address order, disjoint, with a guard gap of at least 2 MiB */
		if (i > 0) {
			const struct layout_region *p = &l->region[i - 1];

			CHECK(r->start > last_of(p));
			CHECK(r->start - last_of(p) - 1 >= SZ_2M);
			CHECK(r->start - last_of(p) - 1 >= LAYOUT_GUARD_GAP);
		}
	}
	CHECK_EQ(lin->start, l->half_start);
	CHECK_EQ(l->region[LAYOUT_IMAGE].start, 0xffffffff80000000ULL);
	CHECK_EQ(last_of(&l->region[LAYOUT_IMAGE]), UINT64_MAX);
	/* linear map: holds RAM, pa -> va by one offset */
	CHECK(IS_ALIGNED(l->phys_base, SZ_1G));
	CHECK(l->phys_base <= ram_start);
	CHECK(ram_end - l->phys_base <= lin->size);
	CHECK(l->linear_mapped >= ram_end - l->phys_base);
	CHECK(IS_ALIGNED(l->linear_mapped, SZ_1G));
	CHECK(l->linear_mapped <= lin->size);
	CHECK_EQ(l->va_pa_offset + l->phys_base, lin->start);
	CHECK_EQ(l->va_pa_offset + ram_end - 1 <= last_of(lin), 1);
	/* vmemmap: a 64-byte struct page for every 4 KiB page the linear map can hold */
	CHECK_EQ(l->phys_span, lin->size);
	CHECK(vmm->size >= lin->size / 4096 * STRUCT_PAGE_SIZE);
	CHECK_EQ(l->vmemmap + (l->phys_base >> 12) * STRUCT_PAGE_SIZE, vmm->start);
	CHECK(l->vmemmap + ((l->phys_base + l->phys_span) >> 12) * STRUCT_PAGE_SIZE - 1 <=
	      last_of(vmm));
	/* every region fits the format: canonical from start to end */
	CHECK(l->region[LAYOUT_IOREMAP].size >= half / 8);
}

static void layout_derived_for_each_width(void)
{
	for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
		for (size_t i = 0; i < ARRAY_SIZE(rams); i++) {
			struct kernel_layout l;

			printf("# %d-bit VA, RAM 0x%llx..0x%llx\n", widths[w],
			       (unsigned long long)rams[i].start, (unsigned long long)rams[i].end);
			CHECK_EQ(kernel_layout_init(&l, widths[w], rams[i].start, rams[i].end), 0);
			check_layout(&l, widths[w], rams[i].start, rams[i].end);
		}
}

static void layout_sv39_fits_256g_half(void)
{
	struct kernel_layout l;

	CHECK_EQ(kernel_layout_init(&l, 39, 0x80000000ULL, 0x100000000ULL), 0);
	CHECK_EQ(l.half_start, 0xffffffc000000000ULL);
	CHECK_EQ(l.region[LAYOUT_LINEAR].size, 128 * SZ_1G);
	CHECK_EQ(l.region[LAYOUT_VMEMMAP].start, 0xffffffe040000000ULL);
	CHECK_EQ(l.region[LAYOUT_VMEMMAP].size, 2 * SZ_1G);
	CHECK_EQ(l.region[LAYOUT_IOREMAP].start, 0xffffffe100000000ULL);
	CHECK_EQ(l.region[LAYOUT_IOREMAP].size, 64 * SZ_1G);
	CHECK(last_of(&l.region[LAYOUT_IOREMAP]) + LAYOUT_GUARD_GAP <
	      l.region[LAYOUT_IMAGE].start);
	CHECK_EQ(l.phys_base, 0x80000000ULL);
	CHECK_EQ(l.va_pa_offset, 0xffffffc000000000ULL - 0x80000000ULL);
	CHECK_EQ(l.linear_mapped, 2 * SZ_1G);
}

static void layout_sv48_and_sv57_scale_with_the_half(void)
{
	struct kernel_layout l48, l57;

	CHECK_EQ(kernel_layout_init(&l48, 48, 0x40000000ULL, 0x80000000ULL), 0);
	CHECK_EQ(l48.half_start, 0xffff800000000000ULL);
	CHECK_EQ(l48.region[LAYOUT_LINEAR].size, 64ULL << 40);
	CHECK_EQ(l48.region[LAYOUT_VMEMMAP].size, 1ULL << 40);
	CHECK_EQ(kernel_layout_init(&l57, 57, 0x40000000ULL, 0x80000000ULL), 0);
	CHECK_EQ(l57.half_start, 0xff00000000000000ULL);
	CHECK_EQ(l57.region[LAYOUT_LINEAR].size, 32ULL << 50);
	CHECK_EQ(l57.region[LAYOUT_VMEMMAP].size, 512ULL << 40);
}

static void layout_refuses_what_does_not_fit(void)
{
	struct kernel_layout l;

	CHECK_EQ(kernel_layout_init(&l, 38, 0x80000000ULL, 0x90000000ULL), -EINVAL);
	CHECK_EQ(kernel_layout_init(&l, 58, 0x80000000ULL, 0x90000000ULL), -EINVAL);
	CHECK_EQ(kernel_layout_init(&l, 39, 0x90000000ULL, 0x90000000ULL), -EINVAL);
	/* Sv39 maps at most 128 GiB of physical span */
	CHECK_EQ(kernel_layout_init(&l, 39, 0x80000000ULL, 0x80000000ULL + 128 * SZ_1G), 0);
	CHECK_EQ(kernel_layout_init(&l, 39, 0x80000000ULL, 0x80000000ULL + 129 * SZ_1G),
		 -ERANGE);
	CHECK_EQ(kernel_layout_init(&l, 48, 0x80000000ULL, 0x80000000ULL + 129 * SZ_1G), 0);
}

static void layout_print_names_every_region(void)
{
	struct kernel_layout l;
	unsigned int before = fake_log_count;

	CHECK_EQ(kernel_layout_init(&l, widths[0], 0x80000000ULL, 0x88000000ULL), 0);
	kernel_layout_print(&l);
	CHECK_EQ(fake_log_count - before, 3 + LAYOUT_NR_REGIONS);
	CHECK(strstr(fake_last_log, "va_pa_offset") != NULL);
}

static const struct tap_case cases[] = {
	TAP_CASE(layout_derived_for_each_width),
	TAP_CASE(layout_sv39_fits_256g_half),
	TAP_CASE(layout_sv48_and_sv57_scale_with_the_half),
	TAP_CASE(layout_refuses_what_does_not_fit),
	TAP_CASE(layout_print_names_every_region),
};

TAP_MAIN("mm_layout", cases)
