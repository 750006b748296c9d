// SPDX-License-Identifier: BSD-2-Clause
// Kernel virtual layout derived from the VA width (one rule for Sv39, Sv48, Sv57 and arm64
// 48-bit), in place of Linux's per-mode tables in Documentation/arch/*/vm-layout.
#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/layout.h>

static void set_region(struct layout_region *r, const char *name, uintptr_t start, uint64_t size,
		       uint64_t align)
{
	r->name = name;
	r->start = start;
	r->size = size;
	r->align = align;
}

int kernel_layout_init(struct kernel_layout *l, int va_bits, phys_addr_t ram_start,
		       phys_addr_t ram_end)
{
	uint64_t half, span, vmemmap_size;
	phys_addr_t base;
	uintptr_t va;

	if (va_bits < 39 || va_bits > 57 || ram_end <= ram_start)
		return -EINVAL;
	half = 1ULL << (va_bits - 1);
	span = half / 2;
	base = ALIGN_DOWN(ram_start, SZ_1G);
	if (ram_end - base > span)
		return -ERANGE;

	l->va_bits = va_bits;
	l->half_start = (uintptr_t)0 - half;
	l->phys_base = base;
	l->phys_span = span;
	l->linear_mapped = ALIGN_UP(ram_end - base, SZ_1G);

	va = l->half_start;
	set_region(&l->region[LAYOUT_LINEAR], "linear map", va, span, SZ_1G);
	va += span + LAYOUT_GUARD_GAP;
	vmemmap_size = ALIGN_UP(span / SZ_4K * STRUCT_PAGE_SIZE, SZ_1G);
	set_region(&l->region[LAYOUT_VMEMMAP], "vmemmap", va, vmemmap_size, SZ_2M);
	va += vmemmap_size + LAYOUT_GUARD_GAP;
	set_region(&l->region[LAYOUT_IOREMAP], "ioremap", va, half / 4, SZ_1G);
	set_region(&l->region[LAYOUT_IMAGE], "kernel image", KIMAGE_VADDR, KIMAGE_SLOT_SIZE, SZ_2M);

	l->va_pa_offset = l->region[LAYOUT_LINEAR].start - base;
	l->vmemmap = l->region[LAYOUT_VMEMMAP].start - (base / SZ_4K) * STRUCT_PAGE_SIZE;
	return 0;
}

void kernel_layout_print(const struct kernel_layout *l)
{
	uint64_t user = l->half_start ? -(uint64_t)l->half_start : 0;

	pr_info("virtual layout (%d-bit VA):\n", l->va_bits);
	pr_info("  %-13s 0x%016llx-0x%016llx %pH\n", "user", 0ULL, (unsigned long long)user - 1,
		&user);
	for (int i = 0; i < LAYOUT_NR_REGIONS; i++) {
		const struct layout_region *r = &l->region[i];
		unsigned long long last = (unsigned long long)(r->start + r->size - 1);

		pr_info("  %-13s 0x%016llx-0x%016llx %pH\n", r->name,
			(unsigned long long)r->start, last, &r->size);
	}
	pr_info("  linear map covers pa %pa + %pH, RAM part %pH, va_pa_offset 0x%016llx\n",
		&l->phys_base, &l->phys_span, &l->linear_mapped,
		(unsigned long long)l->va_pa_offset);
}
