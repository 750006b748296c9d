// SPDX-License-Identifier: BSD-2-Clause
// Suite "pmem": the pmem driver binds every pmem-region range; persistent ranges carry an info
// block (found from an earlier boot or written on a blank range) and, by default, their struct
// pages inside themselves; data pages are written, flushed and, across two boots over the same
// RAM file, verified; unbinding gives everything back.
#include <string.h>

#include <platform/boot.h>
#include <platform/cacheflush.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/fault.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <mm/ioresource.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/page.h>
#include <mm/page_alloc.h>
#include <mm/pgtable.h>
#include <pmem/pmem.h>

static unsigned long free_before;

static bool boot_range_valid(phys_addr_t base, phys_addr_t size, bool *is_volatile)
{
	for (int i = 0; i < boot.nr_pmem; i++) {
		const struct pmem_region *p = &boot.pmem[i];

		if (p->base == base && p->size == size) {
			*is_volatile = p->is_volatile;
			return p->valid;
		}
	}
	return false;
}

static int init(char *why, size_t len)
{
	struct pmem_options opts = {
		.memmap_in_device = boot.args.pmem_memmap != BOOTARGS_PMEM_MEMMAP_RAM,
		.memmap_compact = boot.args.pmem_memmap == BOOTARGS_PMEM_MEMMAP_COMPACT,
		.compound_order = boot.args.compound_order,
		.seed = boot.args.seed,
		.convert_linux = boot.args.pmem_convert_linux,
		.range_valid = boot_range_valid,
	};
	int ret;

	if (!paging_installed() || boot.mm_failed) {
		scnprintf(why, len, "no final page tables or no page allocator");
		return -ENODEV;
	}
	free_before = nr_free_pages();
	ret = pmem_driver_register(&opts);
	if (ret)
		scnprintf(why, len, "pmem driver registration failed: %d", ret);
	return ret;
}

static int valid_boot_ranges(void)
{
	int n = 0;

	for (int i = 0; i < boot.nr_pmem; i++)
		n += boot.pmem[i].valid;
	return n;
}

/* Every range the boot accepted is live, or refused for a reason that was reported. */
static void driver_binds_every_valid_range(struct ktap_test *t)
{
	int live = 0, bad_info = 0, btt = 0;
	unsigned int metrics_done = 0;

	for (int i = 0; i < pmem_nr_ranges(); i++) {
		const struct pmem_range *r = pmem_get_range(i);

		ktap_printf("    # %s %s [mem 0x%016llx-0x%016llx] %s: %s, info %s, %llu data pages, "
			    "struct pages %llu KiB RAM / %llu KiB device, %llu insns\n",
			    r->name, r->node, (unsigned long long)r->base,
			    (unsigned long long)(r->base + r->size - 1),
			    r->is_volatile ? "volatile" : "persistent",
			    r->live ? "live" : "not attached", pmem_info_state_name(r->info_state),
			    (unsigned long long)(r->data_size / PAGE_SIZE),
			    (unsigned long long)(r->memmap_ram_bytes >> 10),
			    (unsigned long long)(r->memmap_dev_bytes >> 10),
			    (unsigned long long)r->probe_insns);
		live += r->live;
		bad_info += r->invalid;
		btt += r->info_state == PMEM_INFO_BTT;
		if (r->live && !(metrics_done & (1u << r->is_volatile))) {
			const char *kind = r->is_volatile ? "volatile" : "persistent";
			char name[64];

			/* The first range of each kind: metric names are unique in the summary. */
			metrics_done |= 1u << r->is_volatile;
			scnprintf(name, sizeof(name), "pmem_%s_attach_insns", kind);
			ktap_metric(name, r->probe_insns, "insns");
			scnprintf(name, sizeof(name), "pmem_%s_memmap_ram_bytes", kind);
			ktap_metric(name, r->memmap_ram_bytes, "bytes");
			scnprintf(name, sizeof(name), "pmem_%s_memmap_device_bytes", kind);
			ktap_metric(name, r->memmap_dev_bytes, "bytes");
			scnprintf(name, sizeof(name), "pmem_%s_vmemmap_pages", kind);
			ktap_metric(name, r->memmap_pages, "pages");
		}
	}
	KTAP_EXPECT_EQ(t, live + bad_info + btt, valid_boot_ranges());
	ktap_printf("    # pmem: %d range(s) live, %d refused as invalid input, %d BTT left alone\n",
		    live, bad_info, btt);
}

/* The block on the medium decodes to the layout in use (a v1 block kept as it was: its own). */
static void info_block_on_media_matches(struct ktap_test *t)
{
	int checked = 0;

	for (int i = 0; i < pmem_nr_ranges(); i++) {
		const struct pmem_range *r = pmem_get_range(i);
		struct pfn_info now;
		struct pfn_v1 v1;
		char why[192];

		if (!r->live || r->is_volatile)
			continue;
		if (r->info_format == PMEM_FORMAT_ZONEDEV_V1) {
			KTAP_EXPECT_EQ(t, pfn_v1_decode(r->virt, PFN_V1_SIZE, r->size, &v1, why,
							sizeof(why)),
				       PFN_V1_VALID);
			KTAP_EXPECT_EQ(t, v1.data_offset, r->info.data_offset);
			KTAP_EXPECT_EQ(t, v1.npfns, r->info.npfns);
			checked++;
			continue;
		}
		KTAP_EXPECT_EQ(t, pfn_info_decode(r->virt, PFN_INFO_RESERVE, r->base, r->size, &now,
						  why, sizeof(why)),
			       PFN_INFO_VALID);
		KTAP_EXPECT_EQ(t, now.kind, r->info.kind);
		KTAP_EXPECT_EQ(t, now.data_offset, r->info.data_offset);
		KTAP_EXPECT_EQ(t, now.npfns, r->info.npfns);
		KTAP_EXPECT_EQ(t, now.mode, r->info.mode);
		KTAP_EXPECT_EQ(t, now.vmemmap_shift, r->info.vmemmap_shift);
		KTAP_EXPECT_EQ(t, r->pgmap.type, now.kind == PFN_INFO_DEVDAX ? MEMORY_DEVICE_GENERIC :
						 MEMORY_DEVICE_FS_DAX);
		checked++;
	}
	if (!checked)
		ktap_skip(t, "no live persistent range");
}

/*
 * Data pages: device pages of the range's pagemap, read through the linear map. A range the run
 * owns is written too (each word put back); any other persistent range must refuse the store:
 * it is mapped read-only, so what an earlier boot or another system left stays intact.
 */
static void data_pages_are_device_pages(struct ktap_test *t)
{
	int checked = 0;

	for (int i = 0; i < pmem_nr_ranges(); i++) {
		const struct pmem_range *r = pmem_get_range(i);
		unsigned long first = PHYS_PFN(r->data_phys), n = r->data_size / PAGE_SIZE, bad = 0;
		struct dev_pagemap *pg;

		if (!r->live)
			continue;
		for (unsigned long k = 0; k < n; k += 61) {
			struct page *p = pfn_to_page(first + k);
			volatile uint64_t *w = (volatile uint64_t *)((uint8_t *)r->data + k * PAGE_SIZE +
								     (k % 64) * 64);

			uint64_t old = *w;

			bad += page_pgmap(p) != &r->pgmap || page_zonenum(p) != ZONE_DEVICE;
			if (!r->owned) {
				if (probe_write(w, ~old) != -EFAULT) {
					bad++;
					*w = old; /* it landed: put the owner's word back */
				}
				bad += *w != old;
				continue;
			}
			*w = 0x5eed0000 + k;
			bad += *(volatile uint64_t *)__va(PFN_PHYS(first + k) + (k % 64) * 64) !=
			       0x5eed0000 + k;
			*w = old; /* laid out this boot, but leave even that as found */
		}
		if (!r->owned)
			ktap_printf("    # %s: info %s: data read-only to the run, stores fault\n",
				    r->name, pmem_info_state_name(r->info_state));
		KTAP_EXPECT_EQ(t, bad, 0);
		pg = get_dev_pagemap(first + n - 1, NULL);
		KTAP_EXPECT(t, pg == &r->pgmap);
		put_dev_pagemap(pg);
		if (r->pgmap.vmemmap_shift) {
			struct page *head = pfn_to_page(first);

			KTAP_EXPECT(t, PageHead(head));
			KTAP_EXPECT_EQ(t, compound_order(head), r->pgmap.vmemmap_shift);
		}
		checked++;
	}
	if (!checked)
		ktap_skip(t, "no live pmem range");
}

/* A persistent range with an altmap uses no RAM for struct pages: they sit in the range. */
static void struct_pages_live_in_the_device(struct ktap_test *t)
{
	int checked = 0;

	for (int i = 0; i < pmem_nr_ranges(); i++) {
		const struct pmem_range *r = pmem_get_range(i);
		struct pgtable_walk_result w;

		if (!r->live || !(r->pgmap.flags & PGMAP_ALTMAP_VALID))
			continue;
		KTAP_EXPECT_EQ(t, r->memmap_ram_bytes, 0);
		/* the pagemap covers the range less a tail too short for a compound page */
		if (r->pgmap.flags & PGMAP_TAILS_SHARED) {
			/* a head page per compound page and the shared tail page */
			unsigned long first = pgmap_pfn_first(&r->pgmap, 0);
			unsigned long heads = (pgmap_pfn_end(&r->pgmap, 0) - first) >>
					      r->pgmap.vmemmap_shift;

			KTAP_EXPECT_EQ(t, r->memmap_dev_bytes,
				       (heads + 1) * PAGE_SIZE);
		} else {
			KTAP_EXPECT_EQ(t, r->memmap_dev_bytes,
				       PHYS_PFN(range_len(&r->pgmap.ranges[0])) *
				       sizeof(struct page));
		}
		KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable,
					       (uintptr_t)pfn_to_page(PHYS_PFN(r->data_phys)), &w), 0);
		KTAP_EXPECT(t, w.pa >= r->base + r->info_reserve && w.pa < r->data_phys);
		checked++;
	}
	if (!checked)
		ktap_skip(t, "no persistent range with its memmap in the device");
}

/*
 * Write, flush, reboot, verify: the first data page of the first persistent range holds a
 * stamp (generation, seed) and the rest of the first PERSIST_PAGES a pattern derived from it.
 * A boot that lays a blank range out writes generation 0, flushing the pattern before the stamp
 * so a torn run never leaves a stamp over stale data. A boot that finds the block only verifies:
 * the range is not ours to write (it is mapped read-only), so a later boot verifies it again.
 */
#define PERSIST_PAGES 64
#define PERSIST_MAGIC 0x5453495352455050ULL /* "PPERSIST" */

struct persist_stamp {
	uint64_t magic;
	uint64_t generation;
	uint64_t seed;
	uint64_t pages;
};

static uint64_t persist_word(uint64_t gen, uint64_t seed, unsigned long page, unsigned long w)
{
	uint64_t x = gen * 0x9e3779b97f4a7c15ULL ^ seed ^ ((uint64_t)page << 20) ^ w;

	x ^= x >> 31;
	x *= 0xd6e8feb86659fd93ULL;
	return x ^ (x >> 29);
}

static void persistence_across_boots(struct ktap_test *t)
{
	const struct pmem_range *r = NULL;
	struct persist_stamp *st;
	uint64_t *data, gen = 0;
	unsigned long words = (PERSIST_PAGES - 1) * PAGE_SIZE / 8, bad = 0;
	unsigned long lines0 = arch_pmem_flush_lines();

	for (int i = 0; i < pmem_nr_ranges() && !r; i++)
		if (pmem_get_range(i)->live && !pmem_get_range(i)->is_volatile)
			r = pmem_get_range(i);
	if (!r || r->data_size < PERSIST_PAGES * PAGE_SIZE) {
		ktap_skip(t, "no live persistent range of %d pages", PERSIST_PAGES);
		return;
	}
	st = r->data;
	data = (uint64_t *)((uint8_t *)r->data + PAGE_SIZE);
	if (r->info_state == PMEM_INFO_FOUND && st->magic == PERSIST_MAGIC &&
	    st->pages == PERSIST_PAGES) {
		for (unsigned long w = 0; w < words; w++)
			bad += data[w] != persist_word(st->generation, st->seed, w / 512, w % 512);
		KTAP_EXPECT_EQ(t, bad, 0);
		ktap_printf("    # %s: generation %llu from the previous boot verified: %lu of %lu "
			    "words wrong\n", r->name, (unsigned long long)st->generation, bad, words);
		gen = st->generation;
	} else {
		ktap_printf("    # %s: info %s, no earlier generation to verify\n", r->name,
			    pmem_info_state_name(r->info_state));
	}
	if (!r->owned) {
		ktap_printf("    # %s: info %s: not laid out by this boot, nothing written\n",
			    r->name, pmem_info_state_name(r->info_state));
		ktap_metric("pmem_persist_generation", gen, "count");
		return;
	}
	st->magic = 0;
	arch_wb_cache_pmem(st, sizeof(*st));
	for (unsigned long w = 0; w < words; w++)
		data[w] = persist_word(gen, boot.args.seed, w / 512, w % 512);
	arch_wb_cache_pmem(data, words * 8);
	*st = (struct persist_stamp){ PERSIST_MAGIC, gen, boot.args.seed, PERSIST_PAGES };
	arch_wb_cache_pmem(st, sizeof(*st));
	ktap_printf("    # %s: generation %llu written and flushed (%s, %lu lines)\n", r->name,
		    (unsigned long long)gen, arch_pmem_flush_name(),
		    arch_pmem_flush_lines() - lines0);
	ktap_metric("pmem_persist_generation", gen, "count");
}

static void unbind_gives_everything_back(struct ktap_test *t)
{
	struct memremap_pages_stats st;
	struct resource *res;
	uint64_t v;

	KTAP_EXPECT_EQ(t, pmem_driver_unregister(), 0);
	memremap_pages_get_stats(&st);
	KTAP_EXPECT_EQ(t, st.live_pagemaps, 0);
	KTAP_EXPECT_EQ(t, st.device_pages, 0);
	KTAP_EXPECT_EQ(t, nr_free_pages(), free_before);
	for (int i = 0; i < pmem_nr_ranges(); i++) {
		const struct pmem_range *r = pmem_get_range(i);

		if (r->err)
			continue;
		KTAP_EXPECT(t, !r->live);
		KTAP_EXPECT_EQ(t, probe_read(r->virt, &v), -EFAULT); /* out of the linear map */
		res = request_mem_region(r->base, r->size, "pmem-recheck");
		KTAP_EXPECT(t, !IS_ERR(res)); /* the region was released */
		if (!IS_ERR(res))
			release_mem_region(r->base, r->size);
	}
}

static const struct ktap_case pmem_cases[] = {
	KTAP_CASE(driver_binds_every_valid_range),
	KTAP_CASE(info_block_on_media_matches),
	KTAP_CASE(data_pages_are_device_pages),
	KTAP_CASE(struct_pages_live_in_the_device),
	KTAP_CASE(persistence_across_boots),
	KTAP_CASE(unbind_gives_everything_back),
};

const struct ktap_suite pmem_suite = {
	.name = "pmem",
	.cases = pmem_cases,
	.nr_cases = ARRAY_SIZE(pmem_cases),
	.init = init,
};
