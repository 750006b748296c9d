// SPDX-License-Identifier: BSD-2-Clause
// The pmem driver: each reg range of a "pmem-region" node becomes a pmem range with struct
// pages. Persistent ranges are laid out by an on-media info block (pfn_info.c) found at probe or
// written on a blank range; the struct pages then live in the range itself (vmem_altmap) unless
// the block says RAM. A block that is neither valid nor blank is never overwritten: it may be
// someone's data, so the range is refused as invalid input and the rest goes on. Persistent
// memory is mapped read-only (iomem_range_writable()) until this driver lays a blank range out:
// only then is it ours to write, for the rest of the boot.
#include <stdio.h>
#include <string.h>

#include <platform/arch.h>
#include <platform/cacheflush.h>
#include <platform/device.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/exit.h>
#include <platform/memory.h>
#include <platform/printk.h>

#include <mm/ioresource.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <pmem/pmem.h>

static struct {
	struct pmem_options opts;
	struct pmem_range range[PMEM_MAX_RANGES];
	int nr;
	bool registered;
} pm;

/* The block is built here and copied in whole, so the medium never holds a half-encoded one. */
static uint8_t info_buf[PFN_INFO_SIZE];

const char *pmem_info_state_name(enum pmem_info_state s)
{
	static const char *const names[] = { "none", "found", "written", "bad" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

int pmem_nr_ranges(void)
{
	return pm.nr;
}

struct pmem_range *pmem_get_range(int i)
{
	return i >= 0 && i < pm.nr ? &pm.range[i] : NULL;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A range the configuration or the medium makes unusable: reported, counted (status 2). */
static int refuse(struct pmem_range *r, const char *why)
{
	pr_err("pmem: %s %s [mem 0x%016llx-0x%016llx]: %s\n", r->name, r->node,
	       (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1), why);
	invalid_input();
	r->invalid = true;
	return -EINVAL;
}

/* Whether [base, base + size) can hold compound pages of 4 KiB << @order. */
static bool fits_order(const struct pmem_range *r, unsigned int order)
{
	uint64_t unit = (uint64_t)PAGE_SIZE << order;

	return !(r->base & (unit - 1)) && !(r->size & (unit - 1));
}

/* Largest of 2 MiB (memremap_compat_align) and the compound page size. */
static uint64_t data_align(unsigned int order)
{
	uint64_t compound = (uint64_t)PAGE_SIZE << order;

	return compound > SZ_2M ? compound : SZ_2M;
}

/* Read the info block; on a blank range write a new one. */
static int read_or_write_info(struct pmem_range *r)
{
	char why[160];
	uint8_t *blk = memremap(r->base, PFN_INFO_SIZE, MEMREMAP_WB);
	enum pfn_info_status st;
	int ret = 0;

	if (!blk)
		return -ENOMEM;
	st = pfn_info_decode(blk, PFN_INFO_SIZE, r->size, &r->info, why, sizeof(why));
	switch (st) {
	case PFN_INFO_VALID:
		r->info_state = PMEM_INFO_FOUND;
		/* the block was written for this range; its base must still suit the layout */
		if ((r->base & (r->info.align - 1)) ||
		    (r->base & (((uint64_t)PAGE_SIZE << r->info.vmemmap_shift) - 1))) {
			snprintf(why, sizeof(why), "the info block asks for %llu KiB alignment and "
				 "compound order %u, the range base does not have it (moved range? "
				 "clear its first 4 KiB to start afresh)",
				 (unsigned long long)(r->info.align >> 10), r->info.vmemmap_shift);
			ret = refuse(r, why);
			break;
		}
		pr_info("pmem: %s: info block v%u.%u found: data at +0x%llx, %llu pages, memmap in "
			"%s, compound order %u\n", r->name, r->info.version_major,
			r->info.version_minor, (unsigned long long)r->info.data_offset,
			(unsigned long long)r->info.npfns,
			r->info.flags & PFN_INFO_F_MEMMAP_IN_DEVICE ? "the device" : "RAM",
			r->info.vmemmap_shift);
		break;
	case PFN_INFO_BLANK:
		/* checked before anything is written: a block the range cannot use would stay */
		if (r->base & (data_align(pm.opts.compound_order) - 1)) {
			snprintf(why, sizeof(why), "compound_order=%u needs the range base aligned to "
				 "%llu KiB: nothing written (use a smaller order)",
				 pm.opts.compound_order,
				 (unsigned long long)(data_align(pm.opts.compound_order) >> 10));
			ret = refuse(r, why);
			break;
		}
		ret = pfn_info_layout(r->size, data_align(pm.opts.compound_order),
				      pm.opts.compound_order, pm.opts.memmap_in_device, &r->info);
		if (ret) {
			snprintf(why, sizeof(why), "no layout for a %llu KiB range with compound "
				 "order %u (%d): nothing written (use a smaller order or a larger range)",
				 (unsigned long long)(r->size >> 10), pm.opts.compound_order, ret);
			ret = refuse(r, why);
			break;
		}
		for (int i = 0; i < PFN_INFO_ID_LEN; i++)
			r->info.id[i] = (uint8_t)(mix64(pm.opts.seed ^ r->base ^ (uint64_t)i) >> 8);
		/*
		 * Every check passed: the range becomes ours for this boot. Until now it was mapped
		 * read-only like all persistent memory we do not own; the new mapping is writable.
		 */
		memunmap(blk);
		blk = NULL;
		ret = iomem_set_readonly(r->base, r->size, false);
		if (!ret && !iomem_range_writable(r->base, r->size))
			ret = -EPERM; /* nested in another persistent range we do not own */
		if (!ret)
			blk = memremap(r->base, PFN_INFO_SIZE, MEMREMAP_WB);
		if (!blk) {
			snprintf(why, sizeof(why), "cannot take the range over for writing (%d%s): "
				 "nothing written", ret ? ret : -ENOMEM,
				 ret == -EPERM ? ": it lies inside persistent memory the tree describes "
				 "as another range" : "");
			iomem_set_readonly(r->base, r->size, true);
			return refuse(r, why);
		}
		r->owned = true;
		pfn_info_encode(&r->info, info_buf);
		memcpy(blk, info_buf, PFN_INFO_SIZE);
		arch_wb_cache_pmem(blk, PFN_INFO_SIZE);
		r->info_state = PMEM_INFO_WRITTEN;
		pr_info("pmem: %s: blank range: info block written: data at +0x%llx, %llu pages, "
			"memmap in %s, compound order %u\n", r->name,
			(unsigned long long)r->info.data_offset, (unsigned long long)r->info.npfns,
			r->info.flags & PFN_INFO_F_MEMMAP_IN_DEVICE ? "the device" : "RAM",
			r->info.vmemmap_shift);
		break;
	default:
		r->info_state = PMEM_INFO_BAD;
		pr_err("pmem: %s %s [mem 0x%016llx-0x%016llx]: info block invalid: %s; the range is "
		       "left untouched (clear its first 4 KiB to start it afresh)\n", r->name, r->node,
		       (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1), why);
		invalid_input();
		r->invalid = true;
		ret = -EINVAL;
		break;
	}
	memunmap(blk);
	return ret;
}

static void setup_pagemap(struct pmem_range *r)
{
	struct dev_pagemap *pg = &r->pgmap;
	unsigned long pfn = PHYS_PFN(r->base), nr = PHYS_PFN(r->size);

	memset(pg, 0, sizeof(*pg));
	pg->nr_range = 1;
	pg->ranges[0] = (struct range){ r->base, r->base + r->size - 1 };
	if (r->is_volatile) {
		pg->type = MEMORY_DEVICE_GENERIC;
		pg->vmemmap_shift = pm.opts.compound_order;
		return;
	}
	pg->type = MEMORY_DEVICE_FS_DAX;
	pg->vmemmap_shift = r->info.vmemmap_shift;
	if (r->info.flags & PFN_INFO_F_MEMMAP_IN_DEVICE) {
		pg->flags = PGMAP_ALTMAP_VALID;
		pg->altmap.base_pfn = pfn;
		*(unsigned long *)&pg->altmap.end_pfn = pfn + nr;
		pg->altmap.reserve = PFN_INFO_SIZE / PAGE_SIZE;
		pg->altmap.free = PHYS_PFN(r->info.data_offset) - pg->altmap.reserve;
	}
}

static int attach(struct pmem_range *r)
{
	struct vmemmap_stats before, after;
	struct resource *res;
	void *va;
	int ret;

	if (pm.opts.range_valid && !pm.opts.range_valid(r->base, r->size, &r->is_volatile)) {
		pr_warn("pmem: %s %s [mem 0x%016llx-0x%016llx]: refused at boot (see the memory "
			"map), not attached\n", r->name, r->node, (unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1));
		return -EINVAL;
	}
	res = request_mem_region(r->base, r->size, r->name);
	if (IS_ERR(res)) {
		pr_err("pmem: %s [mem 0x%016llx-0x%016llx]: region busy or unusable: %ld\n", r->name,
		       (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
		       PTR_ERR(res));
		return (int)PTR_ERR(res);
	}
	r->owned = r->is_volatile;
	if (r->is_volatile && !fits_order(r, pm.opts.compound_order)) {
		char why[128];

		snprintf(why, sizeof(why), "compound_order=%u does not divide the range's base and "
			 "size (use a smaller order)", pm.opts.compound_order);
		ret = refuse(r, why);
		goto err_release;
	}
	if (!r->is_volatile) {
		ret = read_or_write_info(r);
		if (ret)
			goto err_release;
	}
	setup_pagemap(r);
	vmemmap_get_stats(&before);
	va = memremap_pages(&r->pgmap);
	if (IS_ERR(va)) {
		ret = (int)PTR_ERR(va);
		pr_err("pmem: %s [mem 0x%016llx-0x%016llx]: memremap_pages failed: %d\n", r->name,
		       (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1), ret);
		goto err_release;
	}
	vmemmap_get_stats(&after);
	r->memmap_ram_bytes = after.ram_bytes - before.ram_bytes;
	r->memmap_dev_bytes = after.altmap_bytes - before.altmap_bytes;
	r->virt = va;
	if (r->is_volatile) {
		r->data = va;
		r->data_phys = r->base;
		r->data_size = r->size;
	} else {
		r->data = (uint8_t *)va + r->info.data_offset;
		r->data_phys = r->base + r->info.data_offset;
		r->data_size = r->info.npfns * PAGE_SIZE;
	}
	r->live = true;
	return 0;

err_release:
	release_mem_region(r->base, r->size);
	return ret;
}

static int detach(struct pmem_range *r)
{
	int ret;

	if (!r->live)
		return 0;
	ret = memunmap_pages(&r->pgmap);
	if (ret) {
		pr_err("pmem: %s: cannot remove its pagemap: %d\n", r->name, ret);
		return ret;
	}
	release_mem_region(r->base, r->size);
	r->live = false;
	return 0;
}

static int pmem_probe(struct device *dev)
{
	int live = 0, first_err = 0;
	for (unsigned int i = 0; i < dev->nr_reg; i++) {
		struct pmem_range *r;
		uint64_t insn0 = arch_insn_count();

		if (pm.nr == PMEM_MAX_RANGES) {
			pr_err("pmem: %s: more than %d pmem ranges, the rest are ignored\n", dev->name,
			       PMEM_MAX_RANGES);
			return live ? 0 : -ENOSPC;
		}
		r = &pm.range[pm.nr];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "pmem%d", pm.nr);
		pm.nr++;
		r->node = dev->name;
		r->base = dev->reg[i].base;
		r->size = dev->reg[i].size;
		r->err = attach(r);
		r->probe_insns = arch_insn_count() - insn0;
		if (r->err) {
			first_err = first_err ? first_err : r->err;
			continue;
		}
		live++;
		pr_info("pmem: %s %s [mem 0x%016llx-0x%016llx] %s: %llu data pages at "
			"[mem 0x%016llx], struct pages: %llu KiB in RAM, %llu KiB in the device\n",
			r->name, r->node, (unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1),
			r->is_volatile ? "volatile" : "persistent",
			(unsigned long long)(r->data_size / PAGE_SIZE),
			(unsigned long long)r->data_phys,
			(unsigned long long)(r->memmap_ram_bytes >> 10),
			(unsigned long long)(r->memmap_dev_bytes >> 10));
	}
	return live ? 0 : first_err;
}

static void pmem_remove(struct device *dev)
{
	for (int i = 0; i < pm.nr; i++)
		if (pm.range[i].node == dev->name)
			detach(&pm.range[i]);
}

static const char *const pmem_compat[] = { "pmem-region", NULL };

static struct device_driver pmem_driver = {
	.name = "pmem",
	.compatible = pmem_compat,
	.probe = pmem_probe,
	.remove = pmem_remove,
};

int pmem_driver_register(const struct pmem_options *opts)
{
	int ret;

	if (pm.registered)
		return -EBUSY;
	/* ranges a failed unregister left live still own their pagemaps */
	for (int i = 0; i < pm.nr; i++)
		if (pm.range[i].live)
			return -EBUSY;
	pm.opts = *opts;
	pm.nr = 0;
	ret = driver_register(&pmem_driver);
	if (!ret)
		pm.registered = true;
	return ret;
}

int pmem_driver_unregister(void)
{
	int ret = 0;

	if (!pm.registered)
		return 0;
	driver_unregister(&pmem_driver);
	for (int i = 0; i < pm.nr; i++)
		if (pm.range[i].live)
			ret = -EBUSY;
	pm.registered = false;
	return ret;
}
