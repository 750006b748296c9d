// SPDX-License-Identifier: BSD-2-Clause
// Bus-to-CPU address translation through the parents' "ranges" (the rules of Linux's
// of_translate_address() for the default bus, stricter where Linux would silently go wrong).

#include <platform/dt.h>
#include <platform/errno.h>

#include <string.h>

static uint64_t read_cells(const uint8_t *p, int n)
{
	return n == 2 ? dt_be64(p) : dt_be32(p);
}

/* Blob offset of property @name of @node, the node's own offset when absent (for messages). */
static uint32_t prop_blob_off(const struct dt *dt, int node, const char *name)
{
	for (int prop = dt_first_prop(dt, node); prop >= 0; prop = dt_next_prop(dt, prop)) {
		const char *pn = NULL;

		dt_prop_by_offset(dt, prop, &pn, NULL);
		if (pn && !strcmp(pn, name))
			return dt->off_struct + (uint32_t)prop;
	}
	return dt->off_struct + (uint32_t)node;
}

/*
 * One level: @addr..+@size is an address on the child side of @bus, whose parent is @parent.
 * Return: 0 with *@addr rewritten to @parent's address space, or a negative errno with
 * dt->error set against @node (the node whose reg is being translated).
 */
static int translate_one(struct dt *dt, int node, int bus, int parent, uint64_t *addr,
			 uint64_t size)
{
	char bpath[DT_PATH_MAX];
	const uint8_t *ranges;
	uint32_t len, entry;
	int ca, cs, pa;
	uint32_t roff = prop_blob_off(dt, bus, "ranges");

	if (dt_node_path(dt, bus, bpath, sizeof(bpath)))
		memcpy(bpath, "(path too long)", sizeof("(path too long)"));
	ranges = dt_getprop(dt, bus, "ranges", &len);
	if (!ranges)
		return dt_set_error(dt, -ENOENT, node, dt->off_struct + (uint32_t)bus,
				    "address 0x%llx cannot be translated: bus %s has no \"ranges\" "
				    "(its addresses do not map to the CPU's)",
				    (unsigned long long)*addr, bpath);
	if (!len)
		return 0; /* empty: the bus sees the parent's addresses unchanged */
	ca = dt_addr_cells(dt, bus);
	if (ca < 0)
		return ca;
	cs = dt_size_cells(dt, bus);
	if (cs < 0)
		return cs;
	pa = dt_addr_cells(dt, parent);
	if (pa < 0)
		return pa;
	entry = 4u * (uint32_t)(ca + pa + cs);
	if (len % entry)
		return dt_set_error(dt, -EINVAL, node, roff,
				    "property \"ranges\" of %s at offset 0x%x: length %u is not a "
				    "multiple of %u (child %d + parent %d + size %d cells)",
				    bpath, roff, len, entry, ca, pa, cs);
	for (uint32_t off = 0; off < len; off += entry) {
		uint64_t child = read_cells(ranges + off, ca);
		uint64_t paddr = read_cells(ranges + off + 4u * (uint32_t)ca, pa);
		uint64_t wsize = cs ? read_cells(ranges + off + 4u * (uint32_t)(ca + pa), cs) : 0;
		uint64_t delta, out, last;

		/* Written so that no sum can wrap: a window that ends past 2^64 still matches. */
		if (*addr < child || *addr - child >= wsize)
			continue;
		delta = *addr - child;
		if (size && size - 1 > wsize - 1 - delta)
			return dt_set_error(dt, -ERANGE, node, roff,
					    "range 0x%llx+0x%llx cannot be translated: it runs past "
					    "the end of the window 0x%llx+0x%llx in \"ranges\" of %s",
					    (unsigned long long)*addr, (unsigned long long)size,
					    (unsigned long long)child, (unsigned long long)wsize, bpath);
		out = paddr + delta;
		last = out + (size ? size - 1 : 0);
		if (out < paddr || last < out || (pa == 1 && last > 0xffffffffull))
			return dt_set_error(dt, -ERANGE, node, roff,
					    "range 0x%llx+0x%llx cannot be translated: through "
					    "\"ranges\" of %s it ends past what the parent's %d "
					    "address cell%s can hold",
					    (unsigned long long)*addr, (unsigned long long)size, bpath,
					    pa, pa == 1 ? "" : "s");
		*addr = out;
		return 0;
	}
	return dt_set_error(dt, -ERANGE, node, roff,
			    "address 0x%llx cannot be translated: no window of \"ranges\" of %s "
			    "covers it",
			    (unsigned long long)*addr, bpath);
}

int dt_translate_address(struct dt *dt, int node, uint64_t *addr, uint64_t size)
{
	int bus = dt_parent(dt, node);

	if (bus == -ENOENT)
		return 0; /* the root's own reg is already a CPU address */
	if (bus < 0)
		return bus;
	/* Up to, not including, the root: the root's address space is the CPU's. */
	for (;;) {
		int parent = dt_parent(dt, bus);
		int err;

		if (parent == -ENOENT)
			return 0;
		if (parent < 0)
			return parent;
		err = translate_one(dt, node, bus, parent, addr, size);
		if (err)
			return err;
		bus = parent;
	}
}

int dt_reg_cpu(struct dt *dt, int node, int idx, uint64_t *addr, uint64_t *size)
{
	int err = dt_reg(dt, node, idx, addr, size);

	if (err)
		return err;
	if (*size && *addr + *size - 1 < *addr)
		return dt_set_error(dt, -ERANGE, node, prop_blob_off(dt, node, "reg"),
				    "property \"reg\" at offset 0x%x: range %d 0x%llx+0x%llx wraps "
				    "around the address space",
				    prop_blob_off(dt, node, "reg"), idx, (unsigned long long)*addr,
				    (unsigned long long)*size);
	return dt_translate_address(dt, node, addr, *size);
}
