// SPDX-License-Identifier: BSD-2-Clause
// Scratch device memory for the suites (see scratch.h): decided from the iomem tree alone, so
// the pmem driver's claims and the read-only marking of persistent memory are what govern it.
#include <stdio.h>

#include <platform/errno.h>
#include <mm/ioresource.h>
#include <pmem/scratch.h>

/* A claim is a busy resource anywhere below; non-busy children (no-map "reserved") only describe. */
static bool claimed_below(const struct resource *r)
{
	for (const struct resource *c = r->child; c; c = c->sibling)
		if ((c->flags & IORESOURCE_BUSY) || claimed_below(c))
			return true;
	return false;
}

int pmem_scratch_get(phys_addr_t min_size, struct pmem_scratch *s, char *why, size_t len)
{
	int volatile_ranges = 0, claimed = 0, small = 0;

	for (const struct resource *r = iomem_resource.child; r; r = r->sibling) {
		if (r->desc != IORES_DESC_SOFT_RESERVED || (r->flags & IORESOURCE_READONLY))
			continue;
		volatile_ranges++;
		if (claimed_below(r)) {
			claimed++;
			continue;
		}
		if (resource_size(r) < min_size) {
			small++;
			continue;
		}
		s->base = r->start;
		s->size = resource_size(r);
		return 0;
	}
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
