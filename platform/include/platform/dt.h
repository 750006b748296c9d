// SPDX-License-Identifier: BSD-2-Clause
// Bounds-checked reader of flattened device trees (DTB, version 16/17).
// libfdt is not available freestanding for both targets here, so this is our own; the host's
// libfdt serves as the test oracle (tests/host/dt_test.c).
#ifndef ZONEDEV_PLATFORM_DT_H
#define ZONEDEV_PLATFORM_DT_H

#include <platform/types.h>

#define DT_MAGIC 0xd00dfeedu
#define DT_MAX_DEPTH 32
#define DT_PATH_MAX 256

/**
 * struct dt_error - the first problem found in a blob
 * @err: negative errno (-EINVAL malformed, -ERANGE out of bounds, -ENOENT missing, ...)
 * @offset: byte offset from the start of the blob where the problem was found
 * @path: full path of the node concerned ("/" for the header, "" when unknown)
 * @msg: what is wrong, in words a firmware engineer can act on; it names the subject and
 *	 its offset itself (`property "reg" at offset 0x1234: ...`), so "<path>: <msg>" is the
 *	 whole line
 */
struct dt_error {
	int err;
	uint32_t offset;
	char path[DT_PATH_MAX];
	char msg[320];
};

/**
 * struct dt - a validated blob
 * @blob: first byte of the blob
 * @size: totalsize from the header (already checked against what the caller said is readable)
 * @off_struct, @size_struct, @off_strings, @size_strings, @off_rsvmap: header fields, validated
 * @version, @last_comp_version, @boot_cpuid: header fields
 * @error: filled by any call that fails
 */
struct dt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
	uint32_t version, last_comp_version, boot_cpuid;
	struct dt_error error;
};

/*
 * Nodes and properties are named by the byte offset of their FDT_BEGIN_NODE / FDT_PROP token
 * from the start of the structure block (as libfdt does), so offsets compare equal to libfdt's.
 * A negative value is an error (-ENOENT: no such node; -EINVAL: the offset given is not a node or
 * property). Byte offsets in struct dt_error and dt_set_error() are from the start of the blob.
 * Values returned by the getters point into the blob and may be unaligned: decode them with
 * dt_be32()/dt_be64().
 */

/** dt_be32() - big-endian 32-bit value at @p, by byte loads (no alignment needed). */
static inline uint32_t dt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/** dt_be64() - big-endian 64-bit value at @p, by byte loads (no alignment needed). */
static inline uint64_t dt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)dt_be32(b) << 32 | dt_be32(b + 4);
}

/**
 * dt_init() - validate a blob and prepare it for reading
 * @dt: filled in
 * @blob: the blob
 * @avail: bytes readable at @blob (the blob's totalsize must fit in it)
 *
 * Checks the header (magic, version >= 16, last_comp_version <= 17, version >= last_comp_version
 * as libfdt requires, totalsize <= @avail, every
 * block inside totalsize and non-overlapping, 8-byte aligned rsvmap, 4-byte aligned struct
 * block), the reserve map (terminated inside the blob), and the whole structure block: token
 * stream, nesting depth <= DT_MAX_DEPTH, balanced BEGIN/END, one root, FDT_END last, node names
 * NUL-terminated inside the block, property lengths inside the block, property name offsets
 * inside the strings block and NUL-terminated there.
 * Return: 0, or a negative errno with @dt->error naming the node path and byte offset.
 */
int dt_init(struct dt *dt, const void *blob, size_t avail);

/** dt_root() - the root node's offset. */
int dt_root(const struct dt *dt);
/** dt_first_child() - first subnode of @node, or -ENOENT. */
int dt_first_child(const struct dt *dt, int node);
/** dt_next_sibling() - next node at the same depth as @node, or -ENOENT. */
int dt_next_sibling(const struct dt *dt, int node);
/** dt_parent() - the parent of @node, -ENOENT for the root. */
int dt_parent(const struct dt *dt, int node);
/** dt_node_name() - full unit name ("memory@80000000"); "" for the root; NULL if not a node. */
const char *dt_node_name(const struct dt *dt, int node);
/**
 * dt_node_path() - write the full path of @node into @buf.
 * Return: 0, -ERANGE if truncated, -ENOENT if @node is not a node.
 */
int dt_node_path(const struct dt *dt, int node, char *buf, size_t len);
/**
 * dt_path_offset() - find a node by absolute path ("/soc/serial@10000000"); a component without
 * a unit address ("memory") matches a child of exactly that name first, else "memory@..." only
 * when it is the sole such sibling (differs from libfdt, which takes the first "memory@...").
 * Also resolves an alias name as the first component when the path does not start with '/'.
 */
int dt_path_offset(const struct dt *dt, const char *path);
/** dt_subnode_offset() - the child of @parent named @name (same matching rule). */
int dt_subnode_offset(const struct dt *dt, int parent, const char *name);
/** dt_node_by_phandle() - the node whose "phandle" (or "linux,phandle") is @phandle. */
int dt_node_by_phandle(const struct dt *dt, uint32_t phandle);

/**
 * dt_getprop() - a property's value
 * @len: set to the value's length (may be NULL)
 * Return: pointer into the blob, or NULL if absent.
 */
const void *dt_getprop(const struct dt *dt, int node, const char *name, uint32_t *len);
/** dt_first_prop()/dt_next_prop(): iterate properties; return an offset or -ENOENT. */
int dt_first_prop(const struct dt *dt, int node);
int dt_next_prop(const struct dt *dt, int prop);
/** dt_prop_by_offset() - name, value and length of the property at @prop. */
const void *dt_prop_by_offset(const struct dt *dt, int prop, const char **name, uint32_t *len);

/**
 * dt_prop_u32() - read a one-cell property.
 * Return: 0, -ENOENT if absent, -EINVAL (with dt->error set) if its length is not 4.
 */
int dt_prop_u32(struct dt *dt, int node, const char *name, uint32_t *out);
/** dt_prop_string() - a NUL-terminated string property, or NULL (absent or not terminated). */
const char *dt_prop_string(const struct dt *dt, int node, const char *name);
/** dt_prop_bool() - true when the property exists (any length). */
bool dt_prop_bool(const struct dt *dt, int node, const char *name);
/** dt_stringlist_contains() - whether the stringlist property @name of @node holds @str. */
bool dt_stringlist_contains(const struct dt *dt, int node, const char *name, const char *str);
/** dt_node_is_compatible() - "compatible" holds @compat. */
bool dt_node_is_compatible(const struct dt *dt, int node, const char *compat);
/** dt_next_compatible() - next node after @from (-1: from the start) compatible with @compat. */
int dt_next_compatible(const struct dt *dt, int from, const char *compat);
/** dt_next_node() - depth-first successor of @node (-1: the root), @depth adjusted; -ENOENT at end. */
int dt_next_node(const struct dt *dt, int node, int *depth);
/** dt_node_available() - "status" absent, "okay" or "ok". */
bool dt_node_available(const struct dt *dt, int node);

/**
 * dt_addr_cells()/dt_size_cells() - #address-cells / #size-cells that apply to the "reg" of
 * children of @parent (defaults 2 and 1 when absent, as the specification says).
 * Return: the value, or -EINVAL (with dt->error set) if present but malformed or > 2 (we
 * decode at most 64-bit addresses) or #address-cells is 0.
 */
int dt_addr_cells(struct dt *dt, int parent);
int dt_size_cells(struct dt *dt, int parent);

/**
 * dt_reg_count() - number of (address, size) entries in @node's "reg", using the parent's
 * cells. Return: count >= 0, or -EINVAL (dt->error set) if the length is not a multiple of the
 * entry size, -ENOENT if there is no "reg".
 */
int dt_reg_count(struct dt *dt, int node);
/** dt_reg() - entry @idx of @node's "reg". Return: 0 or negative errno (dt->error set). */
int dt_reg(struct dt *dt, int node, int idx, uint64_t *addr, uint64_t *size);

/**
 * dt_translate_address() - turn @addr..+@size, an address in the space of @node's parent (what
 * @node's "reg" holds), into a CPU physical address, through the "ranges" of every ancestor
 * below the root (platform/common/dt_address.c). An empty "ranges" passes addresses unchanged;
 * a missing one means the bus is not memory-mapped, so nothing below it can be translated.
 * Each level uses its own #address-cells/#size-cells and the first window that holds @addr, as
 * Linux's of_translate_address() does for the default bus; unlike Linux, the whole range must
 * lie in that window and the result must fit the parent's cells (no silent wrap or truncation).
 * Return: 0 with *@addr rewritten, or a negative errno with dt->error naming the bus (-ENOENT
 * no "ranges", -ERANGE not covered or overflowing, -EINVAL malformed "ranges" or cells).
 */
int dt_translate_address(struct dt *dt, int node, uint64_t *addr, uint64_t size);
/**
 * dt_reg_cpu() - entry @idx of @node's "reg" as a CPU physical range: dt_reg(), a check that
 * the range does not wrap, then dt_translate_address(). Use it for every reg acted upon.
 * Return: 0 or negative errno (dt->error set).
 */
int dt_reg_cpu(struct dt *dt, int node, int idx, uint64_t *addr, uint64_t *size);

/**
 * dt_num_mem_rsv()/dt_get_mem_rsv(): the /memreserve/ entries; the map ends at the first entry
 * of size 0 (as libfdt counts). dt_get_mem_rsv() returns 0 or -ENOENT.
 */
int dt_num_mem_rsv(const struct dt *dt);
int dt_get_mem_rsv(const struct dt *dt, int idx, uint64_t *addr, uint64_t *size);

/**
 * dt_set_error() - record an error about @node (path resolved here; -1: none) at blob byte
 * @offset; the message is formatted from @fmt. Return: @err.
 */
int dt_set_error(struct dt *dt, int err, int node, uint32_t offset, const char *fmt, ...)
	__printf(5, 6);

#endif
