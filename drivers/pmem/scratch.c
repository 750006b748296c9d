// SPDX-License-Identifier: BSD-2-Clause
// Scratch device memory for the suites (see scratch.h): decided from the iomem tree alone, so
// the pmem driver's claims and the read-only marking of persistent memory are what govern it.
// Only the tree's own entry points are used: they take the resource lock.
#include <stdio.h>

#include <platform/bootinfo.h>
#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/ioresource.h>
#include <pmem/scratch.h>

/* iomem holds at most the pmem ranges the boot decodes */
#define MAX_CANDIDATES BI_MAX_PMEM

struct candidates {
	struct { phys_addr_t base, size; bool readonly; } r[MAX_CANDIDATES];
	unsigned int nr;
};

/*
 * The "Volatile Memory" ranges themselves: the only SOFT_RESERVED resources that are not busy
 * (a claim inside one is busy, whatever desc it inherits).
 */
static int collect(struct resource *res, void *arg)
{
	struct candidates *c = arg;

	if ((res->flags & IORESOURCE_BUSY) || c->nr == MAX_CANDIDATES)
		return 0;
	c->r[c->nr].base = res->start;
	c->r[c->nr].size = resource_size(res);
	c->r[c->nr].readonly = res->flags & IORESOURCE_READONLY;
	c->nr++;
	return 0;
}

int pmem_scratch_get(phys_addr_t min_size, struct pmem_scratch *s, char *why, size_t len)
{
	struct candidates c;
	int volatile_ranges = 0, readonly = 0, claimed = 0, small = 0;

	c.nr = 0;
	walk_iomem_res_desc(IORES_DESC_SOFT_RESERVED, IORESOURCE_MEM, 0, ~(phys_addr_t)0, &c,
			    collect);
	for (unsigned int i = 0; i < c.nr; i++) {
		if (c.r[i].readonly) {
			readonly++;
			continue;
		}
		volatile_ranges++;
		/* a claim is a busy resource anywhere inside; no-map "reserved" only describes */
		if (region_intersects(c.r[i].base, c.r[i].size, IORESOURCE_BUSY, IORES_DESC_NONE) !=
		    REGION_DISJOINT) {
			claimed++;
			continue;
		}
		if (c.r[i].size < min_size) {
			small++;
			continue;
		}
		s->base = c.r[i].base;
		s->size = c.r[i].size;
		pr_debug("scratch: %llu KiB wanted: [mem 0x%016llx-0x%016llx], the lowest volatile "
			 "pmem range that is writable, unclaimed and large enough (passed over: %d "
			 "read-only, %d claimed, %d smaller; persistent ranges are never scratch)\n",
			 (unsigned long long)(min_size >> 10), (unsigned long long)s->base,
			 (unsigned long long)(s->base + s->size - 1), readonly, claimed, small);
		return 0;
	}
	pr_debug("scratch: %llu KiB wanted: none (%d read-only, %d claimed, %d smaller; persistent "
		 "ranges are never scratch)\n", (unsigned long long)(min_size >> 10), readonly,
		 claimed, small);
	if (why && len) {
		if (!volatile_ranges)
			snprintf(why, len, "no volatile pmem range to use as scratch (persistent ones "
				 "are never written by the suites)");
		else
			snprintf(why, len, "no free volatile pmem range of %llu KiB (%d claimed, %d "
				 "smaller)", (unsigned long long)(min_size >> 10), claimed, small);
	}
	return -ENOSPC;
}
