// SPDX-License-Identifier: BSD-2-Clause
// The pmem driver: each reg range of a "pmem-region" node becomes a pmem range with struct
// pages. Persistent ranges are laid out by libnvdimm's on-media info block (pfn_info.c, at +4 KiB,
// so Linux reads what we write and we read what Linux or ndctl wrote) found at probe or written
// on a blank range (first 8 KiB zero); the struct pages then live in the range itself
// (vmem_altmap) unless the block says RAM. A BTT namespace is left alone; our earlier v1 block
// (pfn_v1.c) is still read. A block that is neither valid nor blank is never overwritten: it may
// be someone's data, so the range is refused as invalid input and the rest goes on. Persistent
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
#include <mm/vmemmap_tails.h>
#include <pmem/pmem.h>

static struct {
	struct pmem_options opts;
	struct pmem_range range[PMEM_MAX_RANGES];
	int nr;
	bool registered;
} pm;

/*
 * The first 8 KiB of a range are copied here and decoded from the copy (what is checked is what
 * is used); a new block is built here and copied in whole, so the medium never holds a
 * half-encoded one.
 */
static uint8_t ns_buf[PFN_INFO_RESERVE];

const char *pmem_info_state_name(enum pmem_info_state s)
{
	static const char *const names[] = { "none", "found", "written", "bad", "btt",
						 "converted" };

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

/* The pagemap granule: 2 MiB (memremap_compat_align), or the compound page when larger. */
static uint64_t data_align(unsigned int order)
{
	uint64_t compound = (uint64_t)PAGE_SIZE << order;

	return compound > SZ_2M ? compound : SZ_2M;
}

/*
 * How a blank range is laid out for compound_order: base pages are an fsdax namespace (Linux's
 * default 2 MiB alignment); 2 MiB or 1 GiB compound pages a devdax one of that alignment, the
 * only compound sizes Linux's devdax records. Return: the alignment, 0 for other orders.
 */
static uint64_t blank_align(unsigned int order, enum pfn_info_kind *kind)
{
	*kind = order ? PFN_INFO_DEVDAX : PFN_INFO_FSDAX;
	if (!order)
		return SZ_2M;
	return order == 9 || order == 18 ? (uint64_t)PAGE_SIZE << order : 0;
}

static const char *kind_name(enum pfn_info_kind kind)
{
	return kind == PFN_INFO_DEVDAX ? "devdax" : "fsdax";
}

static void report_layout(const struct pmem_range *r, const char *what)
{
	pr_info("pmem: %s: %s: data at +0x%llx, %llu pages, memmap in %s, compound order %u\n",
		r->name, what, (unsigned long long)r->info.data_offset,
		(unsigned long long)r->info.npfns,
		r->info.mode == PFN_MODE_PMEM ? "the device" :
		r->info.mode == PFN_MODE_COMPACT ? "the device (zonedev compact: heads only)" : "RAM",
		r->info.vmemmap_shift);
}

/* The uuid of a block we write: random-looking, from the run's seed and the range. */
static void make_uuid(const struct pmem_range *r, uint8_t *uuid)
{
	for (int i = 0; i < PFN_INFO_UUID_LEN; i++)
		uuid[i] = (uint8_t)(mix64(pm.opts.seed ^ r->base ^ (uint64_t)i) >> 8);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);	/* RFC 4122 version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

/*
 * Make the range writable and map its first 8 KiB; NULL (the range read-only again) when it
 * cannot be: it lies inside another persistent range we do not own, or no mapping.
 */
static uint8_t *map_for_writing(struct pmem_range *r, int *err)
{
	uint8_t *ns = NULL;
	int ret = iomem_set_readonly(r->base, r->size, false);

	if (!ret && !iomem_range_writable(r->base, r->size))
		ret = -EPERM; /* nested in another persistent range we do not own */
	if (!ret)
		ns = memremap(r->base, PFN_INFO_RESERVE, MEMREMAP_WB);
	if (!ns) {
		iomem_set_readonly(r->base, r->size, true);
		*err = ret ? ret : -ENOMEM;
	}
	return ns;
}

static int refuse_takeover(struct pmem_range *r, int err)
{
	char why[192];

	snprintf(why, sizeof(why), "cannot take the range over for writing (%d%s): nothing written",
		 err, err == -EPERM ? ": it lies inside persistent memory the tree describes as "
		 "another range" : "");
	return refuse(r, why);
}

/*
 * A blank range (first 8 KiB zero): its Linux layout in r->info, nothing written yet
 * (r->info_state stays NONE): attach() has memremap_pages() check the whole layout first.
 */
static int layout_blank(struct pmem_range *r)
{
	enum pfn_info_kind kind;
	unsigned int order = pm.opts.compound_order;
	uint64_t align = blank_align(order, &kind);
	char why[192];
	int ret;

	if (!align) {
		snprintf(why, sizeof(why), "compound_order=%u: a Linux namespace holds compound pages "
			 "of order 9 or 18 only (devdax): nothing written", order);
		return refuse(r, why);
	}
	/* checked before anything is written: a block the range cannot use would stay */
	if (r->base & (align - 1)) {
		snprintf(why, sizeof(why), "compound_order=%u needs the range base aligned to "
			 "%llu KiB: nothing written (use a smaller order)", order,
			 (unsigned long long)(align >> 10));
		return refuse(r, why);
	}
	ret = pfn_info_layout(r->base, r->size, kind, align,
			      !pm.opts.memmap_in_device ? PFN_MODE_RAM :
			      pm.opts.memmap_compact && order ? PFN_MODE_COMPACT : PFN_MODE_PMEM,
			      &r->info);
	if (ret) {
		snprintf(why, sizeof(why), "no layout for a %llu KiB range with compound order %u "
			 "(%d): nothing written (use a smaller order or a larger range)",
			 (unsigned long long)(r->size >> 10), order, ret);
		return refuse(r, why);
	}
	make_uuid(r, r->info.uuid);
	return 0;
}

/* Write the block of a blank range whose whole layout memremap_pages() has accepted. */
static int write_info(struct pmem_range *r)
{
	uint8_t *ns;
	int ret;

	/*
	 * Every check passed: the range becomes ours for this boot. Until now it was mapped
	 * read-only like all persistent memory we do not own; the new mapping is writable.
	 */
	ns = map_for_writing(r, &ret);
	if (!ns)
		return refuse_takeover(r, ret);
	r->owned = true;
	pfn_info_encode(&r->info, ns_buf);
	memcpy(ns + PFN_INFO_OFFSET, ns_buf, PFN_INFO_SIZE);
	arch_wb_cache_pmem(ns + PFN_INFO_OFFSET, PFN_INFO_SIZE);
	memunmap(ns);
	r->info_state = PMEM_INFO_WRITTEN;
	report_layout(r, r->info.mode == PFN_MODE_COMPACT ?
		      "blank range: info block written (zonedev compact devdax, Linux refuses it)" :
		      r->info.kind == PFN_INFO_DEVDAX ?
		      "blank range: info block written (Linux devdax)" :
		      "blank range: info block written (Linux fsdax)");
	return 0;
}

/*
 * pmem_convert=linux: the v1 layout (@r->info, data offset unchanged) as a Linux block at
 * +4 KiB, then the v1 block at offset 0 cleared. The new block is checked by the decoder before
 * anything is written; a torn conversion leaves both, and the Linux one is read first.
 */
static int convert_v1(struct pmem_range *r)
{
	struct pfn_info li = r->info, chk;
	uint64_t eff, end = r->base + r->size;
	char why[160];
	uint8_t *ns;
	int ret;

	li.version_major = PFN_INFO_VERSION_MAJOR;
	li.version_minor = PFN_INFO_VERSION_MINOR;
	eff = li.align > PFN_INFO_COMPAT_ALIGN ? li.align : PFN_INFO_COMPAT_ALIGN;
	li.end_trunc = (uint32_t)(end - ALIGN_DOWN(end, eff));
	make_uuid(r, li.uuid);
	memset(ns_buf, 0, sizeof(ns_buf));
	pfn_info_encode(&li, ns_buf + PFN_INFO_OFFSET);
	if (pfn_info_decode(ns_buf, sizeof(ns_buf), r->base, r->size, &chk, why, sizeof(why)) !=
	    PFN_INFO_VALID || chk.vmemmap_shift != r->info.vmemmap_shift) {
		pr_warn("pmem: %s: zonedev v1 block not converted (%s): kept as it is\n", r->name,
			why[0] ? why : "its compound order has no devdax alignment");
		return 0;
	}
	ns = map_for_writing(r, &ret);
	if (!ns) {
		pr_warn("pmem: %s: zonedev v1 block not converted: cannot write the range (%d)\n",
			r->name, ret);
		return 0;
	}
	memcpy(ns + PFN_INFO_OFFSET, ns_buf + PFN_INFO_OFFSET, PFN_INFO_SIZE);
	arch_wb_cache_pmem(ns + PFN_INFO_OFFSET, PFN_INFO_SIZE);
	memset(ns, 0, PFN_V1_SIZE);
	arch_wb_cache_pmem(ns, PFN_V1_SIZE);
	memunmap(ns);
	/* the data were laid out by an earlier boot: they stay read-only to this one */
	iomem_set_readonly(r->base, r->size, true);
	r->info = chk;
	r->info_format = PMEM_FORMAT_LINUX;
	r->info_reserve = PFN_INFO_RESERVE;
	r->info_state = PMEM_INFO_CONVERTED;
	report_layout(r, chk.kind == PFN_INFO_DEVDAX ?
		      "zonedev v1 block converted to a Linux devdax info block" :
		      "zonedev v1 block converted to a Linux fsdax info block");
	return 0;
}

/* A range carrying our earlier ZONEDEV_PFN_INF block at offset 0: used as it is, or converted. */
static int use_v1(struct pmem_range *r)
{
	struct pfn_v1 v1;
	char why[160];

	if (pfn_v1_decode(ns_buf, PFN_V1_SIZE, r->size, &v1, why, sizeof(why)) != PFN_V1_VALID) {
		r->info_state = PMEM_INFO_BAD;
		pr_err("pmem: %s %s [mem 0x%016llx-0x%016llx]: zonedev v1 info block invalid: %s; "
		       "the range is left untouched\n", r->name, r->node, (unsigned long long)r->base,
		       (unsigned long long)(r->base + r->size - 1), why);
		invalid_input();
		r->invalid = true;
		return -EINVAL;
	}
	/* the block was written for this range; its base must still suit the layout */
	if ((r->base & (v1.align - 1)) ||
	    (r->base & (((uint64_t)PAGE_SIZE << v1.vmemmap_shift) - 1))) {
		snprintf(why, sizeof(why), "the info block asks for %llu KiB alignment and compound "
			 "order %u, the range base does not have it (moved range? clear its first "
			 "8 KiB to start afresh)", (unsigned long long)(v1.align >> 10),
			 v1.vmemmap_shift);
		r->info_state = PMEM_INFO_FOUND;
		return refuse(r, why);
	}
	memset(&r->info, 0, sizeof(r->info));
	r->info.kind = v1.vmemmap_shift ? PFN_INFO_DEVDAX : PFN_INFO_FSDAX;
	r->info.version_major = v1.version_major;
	r->info.version_minor = v1.version_minor;
	r->info.data_offset = v1.data_offset;
	r->info.npfns = v1.npfns;
	r->info.mode = v1.flags & PFN_V1_F_MEMMAP_IN_DEVICE ? PFN_MODE_PMEM : PFN_MODE_RAM;
	r->info.align = v1.vmemmap_shift ? (uint64_t)PAGE_SIZE << v1.vmemmap_shift : v1.align;
	r->info.page_size = v1.page_size;
	r->info.page_struct_size = v1.struct_page_size;
	r->info.vmemmap_shift = v1.vmemmap_shift;
	r->info_format = PMEM_FORMAT_ZONEDEV_V1;
	r->info_reserve = PFN_V1_SIZE;
	r->info_state = PMEM_INFO_FOUND;
	if (pm.opts.convert_linux)
		return convert_v1(r);
	report_layout(r, "zonedev v1 block found (kept: pmem_convert=linux rewrites it for Linux)");
	return 0;
}

/*
 * Read the range's first 8 KiB: a Linux block is used, a blank range gets a layout (written
 * only after memremap_pages_check(), by write_info()), a BTT namespace is left alone (-ENODEV,
 * not an error), our v1 block used or converted; anything else refused.
 */
static int read_info(struct pmem_range *r)
{
	char why[192];
	uint8_t *ns = memremap(r->base, PFN_INFO_RESERVE, MEMREMAP_WB);
	enum pfn_info_status st;

	if (!ns)
		return -ENOMEM;
	memcpy(ns_buf, ns, PFN_INFO_RESERVE);
	memunmap(ns);
	r->info_format = PMEM_FORMAT_LINUX;
	r->info_reserve = PFN_INFO_RESERVE;
	st = pfn_info_decode(ns_buf, PFN_INFO_RESERVE, r->base, r->size, &r->info, why,
			     sizeof(why));
	switch (st) {
	case PFN_INFO_VALID:
		r->info_state = PMEM_INFO_FOUND;
		pr_info("pmem: %s: Linux %s info block v%u.%u found: data at +0x%llx, %llu pages, "
			"memmap in %s, compound order %u\n", r->name, kind_name(r->info.kind),
			r->info.version_major, r->info.version_minor,
			(unsigned long long)r->info.data_offset, (unsigned long long)r->info.npfns,
			r->info.mode == PFN_MODE_RAM ? "RAM" : r->info.mode == PFN_MODE_PMEM ?
			"the device" : "the device (zonedev compact)", r->info.vmemmap_shift);
		return 0;
	case PFN_INFO_BLANK:
		return layout_blank(r);
	case PFN_INFO_BTT:
		r->info_state = PMEM_INFO_BTT;
		pr_info("pmem: %s %s [mem 0x%016llx-0x%016llx]: %s: a BTT namespace (a block "
			"device), left alone, not attached\n",
			r->name, r->node, (unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1), why);
		return -ENODEV;
	default:
		break;
	}
	if (!memcmp(ns_buf, PFN_V1_MAGIC, PFN_V1_MAGIC_LEN))
		return use_v1(r);
	r->info_state = PMEM_INFO_BAD;
	pr_err("pmem: %s %s [mem 0x%016llx-0x%016llx]: info block invalid: %s; the range is left "
	       "untouched (clear its first 8 KiB to start it afresh)\n", r->name, r->node,
	       (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1), why);
	invalid_input();
	r->invalid = true;
	return -EINVAL;
}

/*
 * Bytes of a persistent range the pagemap covers: up to the end of the data rounded up to the
 * pagemap's granule (2 MiB, or the compound page when larger), so a range that is not a whole
 * number of compound pages loses its tail (Linux's end_trunc) instead of being refused.
 */
static uint64_t pagemap_span(const struct pmem_range *r)
{
	uint64_t span = ALIGN_UP(r->info.data_offset + r->info.npfns * PAGE_SIZE,
				 data_align(r->info.vmemmap_shift));

	return span < r->size ? span : r->size;
}

static void setup_pagemap(struct pmem_range *r)
{
	struct dev_pagemap *pg = &r->pgmap;
	unsigned long pfn = PHYS_PFN(r->base);
	uint64_t span = r->is_volatile ? r->size : pagemap_span(r);

	memset(pg, 0, sizeof(*pg));
	pg->nr_range = 1;
	pg->ranges[0] = (struct range){ r->base, r->base + span - 1 };
	if (r->is_volatile) {
		pg->type = MEMORY_DEVICE_GENERIC;
		pg->vmemmap_shift = pm.opts.compound_order;
		return;
	}
	/* as Linux's dax driver (devdax) and pmem driver (fsdax) set them up */
	pg->type = r->info.kind == PFN_INFO_DEVDAX ? MEMORY_DEVICE_GENERIC : MEMORY_DEVICE_FS_DAX;
	pg->vmemmap_shift = r->info.vmemmap_shift;
	if (r->info.mode == PFN_MODE_PMEM || r->info.mode == PFN_MODE_COMPACT) {
		pg->flags = PGMAP_ALTMAP_VALID;
		pg->altmap.base_pfn = pfn;
		*(unsigned long *)&pg->altmap.end_pfn = pfn + PHYS_PFN(span);
		pg->altmap.reserve = r->info_reserve / PAGE_SIZE;
		pg->altmap.free = PHYS_PFN(r->info.data_offset) - pg->altmap.reserve;
	}
}

static int attach(struct pmem_range *r)
{
	struct vmemmap_stats before, after;
	struct vmemmap_tail_stats tb, ta;
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
		ret = read_info(r);
		if (ret)
			goto err_release;
	}
	/* The whole layout is checked before the first byte of the range is written. */
	setup_pagemap(r);
	ret = memremap_pages_check(&r->pgmap);
	if (ret) {
		char why[160];

		snprintf(why, sizeof(why), "memremap_pages() refuses the layout (%d, see above)%s",
			 ret, r->is_volatile || r->info_state == PMEM_INFO_FOUND ? "" :
			 ": nothing written");
		ret = refuse(r, why);
		goto err_release;
	}
	if (!r->is_volatile && pagemap_span(r) < r->size)
		pr_info("pmem: %s: the last %llu KiB are not a whole compound page of order %u: "
			"left unused\n", r->name, (unsigned long long)((r->size - pagemap_span(r)) >> 10),
			r->info.vmemmap_shift);
	if (!r->is_volatile && r->info_state == PMEM_INFO_NONE) {
		ret = write_info(r);
		if (ret)
			goto err_release;
	}
	vmemmap_get_stats(&before);
	vmemmap_tail_get_stats(&tb);
	va = memremap_pages(&r->pgmap);
	if (IS_ERR(va)) {
		ret = (int)PTR_ERR(va);
		pr_err("pmem: %s [mem 0x%016llx-0x%016llx]: memremap_pages failed: %d\n", r->name,
		       (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1), ret);
		goto err_release;
	}
	vmemmap_get_stats(&after);
	vmemmap_tail_get_stats(&ta);
	r->memmap_ram_bytes = after.ram_bytes - before.ram_bytes;
	/* every page the vmemmap gained: backing (a pool page too), shared tables, page tables */
	r->memmap_pages = (unsigned long)((after.ram_bytes + after.altmap_bytes - before.ram_bytes -
					   before.altmap_bytes) / PAGE_SIZE) +
			  (unsigned long)(after.table_pages - before.table_pages) +
			  (ta.tables - tb.tables) + (ta.pool_used - tb.pool_used);
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
			/* a BTT namespace is someone's block device: not ours, not an error */
			if (r->info_state != PMEM_INFO_BTT)
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
