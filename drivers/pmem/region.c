// SPDX-License-Identifier: BSD-2-Clause
// pmem-region checks: alignment (memremap_compat_align), no usable RAM, no overlap with other
// regions, the device tree or the kernel. Every refusal says how to fix the tree.
#include <string.h>

#include <platform/device.h>
#include <platform/printk.h>
#include <pmem/pmem.h>
#include <pmem/region.h>

static bool overlaps(phys_addr_t a, phys_addr_t asz, phys_addr_t b, phys_addr_t bsz)
{
	return a < b + bsz && b < a + asz;
}

/* Whether [base, end) is wholly covered by the union of no-map reserved-memory ranges. */
static bool covered_by_nomap(const struct boot_info *bi, phys_addr_t base, phys_addr_t end)
{
	bool progress = true;

	while (base < end && progress) {
		progress = false;
		for (int i = 0; i < bi->nr_reserved; i++) {
			const struct bi_range *r = &bi->reserved[i];
			if (r->no_map && r->base <= base && base < r->base + r->size) {
				base = r->base + r->size;
				progress = true;
			}
		}
	}
	return base >= end;
}

static int check_one(const struct boot_info *bi, phys_addr_t image_base, phys_addr_t image_size,
		     const struct pmem_region *out, int idx, char *msg, size_t len)
{
	const struct pmem_region *p = &out[idx];
	phys_addr_t end = p->base + p->size;
	unsigned long long b = p->base, e = end - 1;

	int in_node = 0;

	if (p->size == 0)
		return scnprintf(msg, len, "%s: reg entry has size 0", p->node);
	/*
	 * Limits of ours, said as such: the device model keeps DEVICE_MAX_REG ranges per node (a
	 * node with more gets no device at all) and the driver PMEM_MAX_RANGES ranges in all.
	 */
	for (int i = 0; i < bi->nr_pmem; i++)
		in_node += !strcmp(bi->pmem[i].node, p->node);
	if (in_node > DEVICE_MAX_REG)
		return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx]: the node has %d pmem "
				 "ranges, a device holds at most %d: every range of the node is "
				 "refused (split it into nodes)", p->node, b, e, in_node,
				 DEVICE_MAX_REG);
	if (idx >= PMEM_MAX_RANGES)
		return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx] is pmem range %d in tree "
				 "order; the pmem driver holds at most %d ranges: refused", p->node,
				 b, e, idx + 1, PMEM_MAX_RANGES);
	if (end < p->base)
		return scnprintf(msg, len, "%s: [mem 0x%016llx + 0x%llx] wraps past the top of the "
				 "physical address space", p->node, b, (unsigned long long)p->size);
	if (!IS_ALIGNED(p->base, PMEM_REGION_ALIGN) || !IS_ALIGNED(p->size, PMEM_REGION_ALIGN)) {
		phys_addr_t lo = ALIGN_UP(p->base, PMEM_REGION_ALIGN);
		phys_addr_t hi = ALIGN_DOWN(end, PMEM_REGION_ALIGN);
		return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx] %s is not aligned to 2 MiB "
				 "(memremap_compat_align); the largest aligned range inside is "
				 "[mem 0x%016llx-0x%016llx]", p->node, b, e,
				 !IS_ALIGNED(p->base, PMEM_REGION_ALIGN) ? "start" : "size",
				 (unsigned long long)lo, (unsigned long long)(hi > lo ? hi - 1 : lo));
	}
	for (int i = 0; i < bi->nr_memory; i++) {
		const struct bi_range *m = &bi->memory[i];
		if (!overlaps(p->base, p->size, m->base, m->size))
			continue;
		if (covered_by_nomap(bi, p->base, end))
			break;
		return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx] overlaps %s [mem "
				 "0x%016llx-0x%016llx] (usable RAM): shrink the bank or add a no-map "
				 "reserved-memory node covering the region", p->node, b, e, m->node,
				 (unsigned long long)m->base,
				 (unsigned long long)(m->base + m->size - 1));
	}
	for (int i = 0; i < idx; i++) {
		const struct pmem_region *q = &out[i];
		if (q->valid && overlaps(p->base, p->size, q->base, q->size))
			return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx] overlaps pmem %s "
					 "[mem 0x%016llx-0x%016llx], which was accepted first",
					 p->node, b, e, q->node, (unsigned long long)q->base,
					 (unsigned long long)(q->base + q->size - 1));
	}
	if (bi->dtb_size && overlaps(p->base, p->size, bi->dtb_base, bi->dtb_size))
		return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx] contains the device tree "
				 "blob at 0x%016llx (firmware writes it there on every boot, e.g. QEMU "
				 "riscv64's top 2 MiB below min(RAM end, 3 GiB)): move the region",
				 p->node, b, e, (unsigned long long)bi->dtb_base);
	if (image_size && overlaps(p->base, p->size, image_base, image_size))
		return scnprintf(msg, len, "%s: [mem 0x%016llx-0x%016llx] contains the kernel image "
				 "[mem 0x%016llx-0x%016llx]: move the region", p->node, b, e,
				 (unsigned long long)image_base,
				 (unsigned long long)(image_base + image_size - 1));
	return 0;
}

int pmem_regions_validate(const struct boot_info *bi, phys_addr_t image_base,
			  phys_addr_t image_size, struct pmem_region *out,
			  void (*report)(const char *msg, void *ctx), void *ctx)
{
	int refused = 0;

	for (int i = 0; i < bi->nr_pmem; i++) {
		char msg[400];
		struct pmem_region *p = &out[i];

		p->base = bi->pmem[i].base;
		p->size = bi->pmem[i].size;
		p->is_volatile = bi->pmem[i].is_volatile;
		memcpy(p->node, bi->pmem[i].node, sizeof(p->node));
		p->node[sizeof(p->node) - 1] = '\0';
		p->valid = false;
		if (check_one(bi, image_base, image_size, out, i, msg, sizeof(msg)) > 0) {
			refused++;
			if (report)
				report(msg, ctx);
			continue;
		}
		p->valid = true;
	}
	return refused;
}
