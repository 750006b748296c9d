// SPDX-License-Identifier: BSD-2-Clause
// Our own bounds-checked flattened-device-tree reader (see <platform/dt.h>): one full validation
// pass in dt_init(), then navigation that still checks every read against the blob's bounds.

#include <platform/dt.h>
#include <platform/errno.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Structure-block tokens (Devicetree Specification v0.4, section 5.4.1). */
#define TOK_BEGIN_NODE 0x1u
#define TOK_END_NODE 0x2u
#define TOK_PROP 0x3u
#define TOK_NOP 0x4u
#define TOK_END 0x9u

/*
 * Header (all fields big-endian 32-bit):
 *
 *   0x00 magic            0x14 version
 *   0x04 totalsize        0x18 last_comp_version
 *   0x08 off_dt_struct    0x1c boot_cpuid_phys
 *   0x0c off_dt_strings   0x20 size_dt_strings
 *   0x10 off_mem_rsvmap   0x24 size_dt_struct   (version >= 17 only)
 */
#define HDR_MAGIC 0x00
#define HDR_TOTALSIZE 0x04
#define HDR_OFF_STRUCT 0x08
#define HDR_OFF_STRINGS 0x0c
#define HDR_OFF_RSVMAP 0x10
#define HDR_VERSION 0x14
#define HDR_LAST_COMP 0x18
#define HDR_BOOT_CPUID 0x1c
#define HDR_SIZE_STRINGS 0x20
#define HDR_SIZE_STRUCT 0x24
#define HDR_LEN_V16 0x24
#define HDR_LEN_V17 0x28

/* Keeps every offset (and offset + 3 for token alignment) representable as a positive int. */
#define DT_SIZE_LIMIT 0x7ffffff0u

#define RSV_ENTRY 16u

/* Only meaningful after a successful dt_init(): a failed one leaves blob NULL. */
static const uint8_t *struct_base(const struct dt *dt)
{
	return dt->blob ? dt->blob + dt->off_struct : NULL;
}

static uint32_t blob_off(const struct dt *dt, int struct_off)
{
	return dt->off_struct + (uint32_t)struct_off;
}

/*
 * next_tag() - decode the token at structure offset @off
 * Return: the token (positive), or a negative errno when @off is not a token boundary inside the
 * block or what the token carries (name, property header or value) does not fit in it. On
 * success *@next is the aligned offset of the following token, always >= @off + 4, so every walk
 * built on it makes progress.
 */
static int next_tag(const struct dt *dt, int off, int *next)
{
	const uint8_t *s = struct_base(dt);
	uint32_t end = dt->size_struct;
	uint32_t p, tag, len;
	const uint8_t *nul;

	if (!dt->blob || off < 0 || (off & 3) || (uint32_t)off > end || end - (uint32_t)off < 4)
		return -ERANGE;
	tag = dt_be32(s + off);
	p = (uint32_t)off + 4;
	switch (tag) {
	case TOK_BEGIN_NODE:
		nul = memchr(s + p, 0, end - p);
		if (!nul)
			return -EINVAL;
		p = (uint32_t)(nul - s) + 1;
		break;
	case TOK_PROP:
		if (end - p < 8)
			return -ERANGE;
		len = dt_be32(s + p);
		p += 8;
		if (len > end - p)
			return -ERANGE;
		p += len;
		break;
	case TOK_END_NODE:
	case TOK_NOP:
	case TOK_END:
		break;
	default:
		return -EINVAL;
	}
	*next = (int)ALIGN_UP(p, 4u);
	return (int)tag;
}

/* The NUL-terminated string at @nameoff of the strings block, or NULL if it does not fit. */
static const char *string_at(const struct dt *dt, uint32_t nameoff)
{
	const uint8_t *str;

	if (!dt->blob || nameoff >= dt->size_strings)
		return NULL;
	str = dt->blob + dt->off_strings;
	if (!memchr(str + nameoff, 0, dt->size_strings - nameoff))
		return NULL;
	return (const char *)str + nameoff;
}

/* Writes "/a/b" for the chain of BEGIN_NODE offsets @stack[0..depth) (stack[0] is the root). */
static int build_path(const struct dt *dt, const int *stack, int depth, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
		return -ERANGE;
	if (depth <= 1) {
		if (len < 2) {
			buf[0] = '\0';
			return -ERANGE;
		}
		buf[0] = '/';
		buf[1] = '\0';
		return 0;
	}
	for (int i = 1; i < depth; i++) {
		const char *name = (const char *)struct_base(dt) + stack[i] + 4;
		size_t n = strlen(name);

		if (pos + 1 + n + 1 > len) {
			size_t room = len - 1 - pos;

			if (room) {
				buf[pos++] = '/';
				room--;
			}
			n = MIN(n, room);
			memcpy(buf + pos, name, n);
			buf[pos + n] = '\0';
			return -ERANGE;
		}
		buf[pos++] = '/';
		memcpy(buf + pos, name, n);
		pos += n;
	}
	buf[pos] = '\0';
	return 0;
}

static int set_error_va(struct dt *dt, int err, const char *path, uint32_t offset, const char *fmt,
			va_list ap)
{
	size_t n = strlen(path);

	if (n >= sizeof(dt->error.path))
		n = sizeof(dt->error.path) - 1;
	memmove(dt->error.path, path, n);
	dt->error.path[n] = '\0';
	dt->error.err = err;
	dt->error.offset = offset;
	vsnprintf(dt->error.msg, sizeof(dt->error.msg), fmt, ap);
	return err;
}

static __printf(5, 6) int set_error_path(struct dt *dt, int err, const char *path, uint32_t offset,
					 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error_va(dt, err, path, offset, fmt, ap);
	va_end(ap);
	return err;
}

/*
 * Walks from the start of the structure block to @node, leaving its ancestors and itself in
 * @stack (stack[0] the root, stack[*depth - 1] == @node). Return: 0, or -ENOENT when @node is not
 * the offset of a node.
 */
static int find_ancestors(const struct dt *dt, int node, int *stack, int *depth)
{
	int off = 0, next, tag, d = 0;

	if (node < 0)
		return -ENOENT;
	for (;;) {
		tag = next_tag(dt, off, &next);
		if (tag < 0 || tag == (int)TOK_END || off > node)
			return -ENOENT;
		if (tag == (int)TOK_BEGIN_NODE) {
			if (d == DT_MAX_DEPTH)
				return -ENOENT;
			stack[d++] = off;
			if (off == node) {
				*depth = d;
				return 0;
			}
		} else if (tag == (int)TOK_END_NODE) {
			if (d == 0)
				return -ENOENT;
			d--;
		}
		off = next;
	}
}

int dt_set_error(struct dt *dt, int err, int node, uint32_t offset, const char *fmt, ...)
{
	char path[DT_PATH_MAX] = "";
	int stack[DT_MAX_DEPTH], depth;
	va_list ap;

	if (node >= 0 && !find_ancestors(dt, node, stack, &depth))
		build_path(dt, stack, depth, path, sizeof(path));
	va_start(ap, fmt);
	set_error_va(dt, err, path, offset, fmt, ap);
	va_end(ap);
	return err;
}

static int check_header(struct dt *dt, const uint8_t *b, size_t avail)
{
	uint32_t magic, totalsize, version, last_comp, hdrlen;
	uint32_t off_rsv, off_struct, size_struct, off_strings, size_strings;
	uint32_t rsv_limit, off;

	if (avail < HDR_LAST_COMP + 4)
		return set_error_path(dt, -EINVAL, "/", 0,
				      "header: only %zu bytes available, too short for a header",
				      avail);
	magic = dt_be32(b + HDR_MAGIC);
	if (magic != DT_MAGIC)
		return set_error_path(dt, -EINVAL, "/", HDR_MAGIC,
				      "header at offset 0x0: bad magic 0x%08x (expected 0x%08x)",
				      magic, DT_MAGIC);
	version = dt_be32(b + HDR_VERSION);
	last_comp = dt_be32(b + HDR_LAST_COMP);
	if (version < 16)
		return set_error_path(
			dt, -EINVAL, "/", HDR_VERSION,
			"header at offset 0x%x: version %u is older than 16, the oldest "
			"this reader understands",
			HDR_VERSION, version);
	if (last_comp > 17)
		return set_error_path(
			dt, -EINVAL, "/", HDR_LAST_COMP,
			"header at offset 0x%x: last_comp_version %u is newer than 17, "
			"the newest this reader understands",
			HDR_LAST_COMP, last_comp);
	/* A blob cannot be compatible back to a version newer than itself (libfdt's rule). */
	if (version < last_comp)
		return set_error_path(
			dt, -EINVAL, "/", HDR_LAST_COMP,
			"header at offset 0x%x: last_comp_version %u is newer than the version %u",
			HDR_LAST_COMP, last_comp, version);
	hdrlen = version >= 17 ? HDR_LEN_V17 : HDR_LEN_V16;
	if (avail < hdrlen)
		return set_error_path(
			dt, -EINVAL, "/", 0,
			"header: only %zu bytes available, a version %u header needs %u", avail,
			version, hdrlen);
	totalsize = dt_be32(b + HDR_TOTALSIZE);
	if (totalsize < hdrlen)
		return set_error_path(
			dt, -EINVAL, "/", HDR_TOTALSIZE,
			"header at offset 0x%x: totalsize %u is smaller than the header",
			HDR_TOTALSIZE, totalsize);
	if (totalsize > avail)
		return set_error_path(
			dt, -ERANGE, "/", HDR_TOTALSIZE,
			"header at offset 0x%x: totalsize 0x%x exceeds the 0x%zx bytes "
			"available",
			HDR_TOTALSIZE, totalsize, avail);
	if (totalsize > DT_SIZE_LIMIT)
		return set_error_path(dt, -ERANGE, "/", HDR_TOTALSIZE,
				      "header at offset 0x%x: totalsize 0x%x is too large",
				      HDR_TOTALSIZE, totalsize);

	off_rsv = dt_be32(b + HDR_OFF_RSVMAP);
	off_struct = dt_be32(b + HDR_OFF_STRUCT);
	off_strings = dt_be32(b + HDR_OFF_STRINGS);
	size_strings = dt_be32(b + HDR_SIZE_STRINGS);

	if (off_rsv < hdrlen || off_rsv > totalsize)
		return set_error_path(
			dt, -ERANGE, "/", HDR_OFF_RSVMAP,
			"header at offset 0x%x: memory reservation map offset 0x%x is "
			"outside the blob (0x%x..0x%x)",
			HDR_OFF_RSVMAP, off_rsv, hdrlen, totalsize);
	if (off_rsv & 7)
		return set_error_path(
			dt, -EINVAL, "/", HDR_OFF_RSVMAP,
			"header at offset 0x%x: memory reservation map offset 0x%x is "
			"not 8-byte aligned",
			HDR_OFF_RSVMAP, off_rsv);
	if (off_struct < hdrlen || off_struct > totalsize)
		return set_error_path(
			dt, -ERANGE, "/", HDR_OFF_STRUCT,
			"header at offset 0x%x: structure block offset 0x%x is outside "
			"the blob (0x%x..0x%x)",
			HDR_OFF_STRUCT, off_struct, hdrlen, totalsize);
	if (off_struct & 3)
		return set_error_path(dt, -EINVAL, "/", HDR_OFF_STRUCT,
				      "header at offset 0x%x: structure block offset 0x%x is not "
				      "4-byte aligned",
				      HDR_OFF_STRUCT, off_struct);
	if (off_strings < hdrlen || off_strings > totalsize ||
	    size_strings > totalsize - off_strings)
		return set_error_path(
			dt, -ERANGE, "/", HDR_OFF_STRINGS,
			"header at offset 0x%x: strings block 0x%x+0x%x is outside the "
			"blob (0x%x..0x%x)",
			HDR_OFF_STRINGS, off_strings, size_strings, hdrlen, totalsize);
	if (version >= 17) {
		size_struct = dt_be32(b + HDR_SIZE_STRUCT);
		if (size_struct > totalsize - off_struct)
			return set_error_path(dt, -ERANGE, "/", HDR_SIZE_STRUCT,
					      "header at offset 0x%x: structure block 0x%x+0x%x "
					      "ends past totalsize 0x%x",
					      HDR_SIZE_STRUCT, off_struct, size_struct, totalsize);
	} else {
		/* Version 16 has no size_dt_struct: the block runs to the next block or the end. */
		uint32_t end = totalsize;

		if (off_rsv > off_struct && off_rsv < end)
			end = off_rsv;
		if (off_strings > off_struct && off_strings < end)
			end = off_strings;
		size_struct = end - off_struct;
	}
	if (size_struct && size_strings && off_struct < off_strings + size_strings &&
	    off_strings < off_struct + size_struct)
		return set_error_path(
			dt, -EINVAL, "/", HDR_OFF_STRINGS,
			"header at offset 0x%x: strings block 0x%x..0x%x overlaps the "
			"structure block 0x%x..0x%x",
			HDR_OFF_STRINGS, off_strings, off_strings + size_strings, off_struct,
			off_struct + size_struct);

	/* The reserve map must end (size 0 entry) before the next non-empty block after it. */
	rsv_limit = totalsize;
	if (size_struct && off_struct > off_rsv)
		rsv_limit = MIN(rsv_limit, off_struct);
	if (size_strings && off_strings > off_rsv)
		rsv_limit = MIN(rsv_limit, off_strings);
	for (off = off_rsv;; off += RSV_ENTRY) {
		if (rsv_limit - off < RSV_ENTRY)
			return set_error_path(
				dt, -EINVAL, "/", off_rsv,
				"memory reservation map at offset 0x%x: not terminated "
				"before offset 0x%x",
				off_rsv, rsv_limit);
		if (dt_be64(b + off + 8) == 0)
			break;
	}
	off += RSV_ENTRY;
	if ((size_struct && off_struct < off && off_rsv < off_struct + size_struct) ||
	    (size_strings && off_strings < off && off_rsv < off_strings + size_strings))
		return set_error_path(dt, -EINVAL, "/", HDR_OFF_RSVMAP,
				      "header at offset 0x%x: memory reservation map 0x%x..0x%x "
				      "overlaps the %s block",
				      HDR_OFF_RSVMAP, off_rsv, off,
				      size_struct && off_struct < off &&
						      off_rsv < off_struct + size_struct
					      ? "structure"
					      : "strings");

	dt->blob = b;
	dt->size = totalsize;
	dt->off_struct = off_struct;
	dt->size_struct = size_struct;
	dt->off_strings = off_strings;
	dt->size_strings = size_strings;
	dt->off_rsvmap = off_rsv;
	dt->version = version;
	dt->last_comp_version = last_comp;
	dt->boot_cpuid = dt_be32(b + HDR_BOOT_CPUID);
	return 0;
}

/* One pass over the token stream; on success every later next_tag() on a node/prop succeeds. */
static int check_struct(struct dt *dt)
{
	const uint8_t *s = struct_base(dt);
	uint32_t end = dt->size_struct;
	uint32_t off = 0, p, len, nameoff;
	int stack[DT_MAX_DEPTH] = { 0 };
	char path[DT_PATH_MAX];
	int depth = 0;
	bool seen_root = false;
	const uint8_t *nul;

#define STRUCT_ERR(err, at, ...)                                                                   \
	do {                                                                                       \
		build_path(dt, stack, depth, path, sizeof(path));                                  \
		if (!depth)                                                                        \
			path[0] = '\0';                                                            \
		return set_error_path(dt, err, path, dt->off_struct + (at), __VA_ARGS__);          \
	} while (0)

	for (;;) {
		if (off > end || end - off < 4)
			STRUCT_ERR(-EINVAL, MIN(off, end),
				   "structure block ends at offset 0x%x without FDT_END",
				   dt->off_struct + end);
		switch (dt_be32(s + off)) {
		case TOK_BEGIN_NODE:
			if (!depth && seen_root)
				STRUCT_ERR(-EINVAL, off, "node at offset 0x%x: a second root node",
					   dt->off_struct + off);
			if (depth == DT_MAX_DEPTH)
				STRUCT_ERR(-EINVAL, off,
					   "node at offset 0x%x: nesting deeper than %d levels",
					   dt->off_struct + off, DT_MAX_DEPTH);
			p = off + 4;
			nul = memchr(s + p, 0, end - p);
			if (!nul)
				STRUCT_ERR(
					-EINVAL, off,
					"node at offset 0x%x: name not NUL-terminated inside the "
					"structure block",
					dt->off_struct + off);
			if (!depth && nul != s + p)
				STRUCT_ERR(
					-EINVAL, off,
					"node at offset 0x%x: the root node has a name (\"%.32s\")",
					dt->off_struct + off, (const char *)s + p);
			if (depth && nul == s + p)
				STRUCT_ERR(-EINVAL, off, "node at offset 0x%x: empty node name",
					   dt->off_struct + off);
			if (memchr(s + p, '/', (size_t)(nul - (s + p))))
				STRUCT_ERR(-EINVAL, off,
					   "node at offset 0x%x: name \"%.32s\" contains '/'",
					   dt->off_struct + off, (const char *)s + p);
			stack[depth++] = (int)off;
			seen_root = true;
			off = ALIGN_UP((uint32_t)(nul - s) + 1, 4u);
			break;
		case TOK_END_NODE:
			if (!depth)
				STRUCT_ERR(-EINVAL, off,
					   "FDT_END_NODE at offset 0x%x without a matching "
					   "FDT_BEGIN_NODE",
					   dt->off_struct + off);
			depth--;
			off += 4;
			break;
		case TOK_PROP:
			if (!depth)
				STRUCT_ERR(-EINVAL, off, "property at offset 0x%x outside any node",
					   dt->off_struct + off);
			p = off + 4;
			if (end - p < 8)
				STRUCT_ERR(
					-ERANGE, off,
					"property at offset 0x%x: header runs past the end of the "
					"structure block",
					dt->off_struct + off);
			len = dt_be32(s + p);
			nameoff = dt_be32(s + p + 4);
			p += 8;
			if (nameoff >= dt->size_strings)
				STRUCT_ERR(
					-ERANGE, off,
					"property at offset 0x%x: name offset 0x%x is outside the "
					"strings block (size 0x%x)",
					dt->off_struct + off, nameoff, dt->size_strings);
			if (!string_at(dt, nameoff))
				STRUCT_ERR(
					-EINVAL, off,
					"property at offset 0x%x: name at strings offset 0x%x not "
					"NUL-terminated inside the strings block",
					dt->off_struct + off, nameoff);
			if (len > end - p)
				STRUCT_ERR(
					-ERANGE, off,
					"property \"%s\" at offset 0x%x: length %u runs past the "
					"end of the structure block (0x%x bytes left)",
					string_at(dt, nameoff), dt->off_struct + off, len, end - p);
			off = ALIGN_UP(p + len, 4u);
			break;
		case TOK_NOP:
			off += 4;
			break;
		case TOK_END:
			if (depth)
				STRUCT_ERR(-EINVAL, off,
					   "FDT_END at offset 0x%x inside a node (%d unclosed)",
					   dt->off_struct + off, depth);
			if (!seen_root)
				STRUCT_ERR(-EINVAL, off, "FDT_END at offset 0x%x: no root node",
					   dt->off_struct + off);
			return 0;
		default:
			STRUCT_ERR(-EINVAL, off, "unknown token 0x%08x at offset 0x%x",
				   dt_be32(s + off), dt->off_struct + off);
		}
	}
#undef STRUCT_ERR
}

int dt_init(struct dt *dt, const void *blob, size_t avail)
{
	int err;

	memset(dt, 0, sizeof(*dt));
	if (!blob)
		return set_error_path(dt, -EINVAL, "", 0, "no blob");
	err = check_header(dt, blob, avail);
	if (!err)
		err = check_struct(dt);
	if (err) {
		struct dt_error e = dt->error;

		memset(dt, 0, sizeof(*dt));
		dt->error = e;
	}
	return err;
}

int dt_root(const struct dt *dt)
{
	int off = 0, next, tag;

	for (;;) {
		tag = next_tag(dt, off, &next);
		if (tag == (int)TOK_BEGIN_NODE)
			return off;
		if (tag != (int)TOK_NOP)
			return -ENOENT;
		off = next;
	}
}

/* The offset just past @node's name, or -EINVAL when @node is not a node's offset. */
static int node_body(const struct dt *dt, int node)
{
	int next;

	if (next_tag(dt, node, &next) != (int)TOK_BEGIN_NODE)
		return -EINVAL;
	return next;
}

int dt_next_node(const struct dt *dt, int node, int *depth)
{
	int off = 0, next, tag;

	if (node >= 0) {
		off = node_body(dt, node);
		if (off < 0)
			return off;
	}
	for (;;) {
		tag = next_tag(dt, off, &next);
		if (tag < 0 || tag == (int)TOK_END)
			return -ENOENT;
		if (tag == (int)TOK_BEGIN_NODE) {
			if (depth)
				(*depth)++;
			return off;
		}
		if (tag == (int)TOK_END_NODE && depth && --(*depth) < 0)
			return -ENOENT;
		off = next;
	}
}

int dt_first_child(const struct dt *dt, int node)
{
	int depth = 0;
	int off = dt_next_node(dt, node, &depth);

	if (off < 0)
		return off;
	return depth == 1 ? off : -ENOENT;
}

int dt_next_sibling(const struct dt *dt, int node)
{
	int depth = 1;
	int off = node;

	do {
		off = dt_next_node(dt, off, &depth);
		if (off < 0)
			return off;
	} while (depth != 1);
	return off;
}

int dt_parent(const struct dt *dt, int node)
{
	int stack[DT_MAX_DEPTH], depth;

	if (find_ancestors(dt, node, stack, &depth))
		return -EINVAL;
	return depth > 1 ? stack[depth - 2] : -ENOENT;
}

const char *dt_node_name(const struct dt *dt, int node)
{
	if (node_body(dt, node) < 0)
		return NULL;
	return (const char *)struct_base(dt) + node + 4;
}

int dt_node_path(const struct dt *dt, int node, char *buf, size_t len)
{
	int stack[DT_MAX_DEPTH], depth;

	if (find_ancestors(dt, node, stack, &depth)) {
		if (len)
			buf[0] = '\0';
		return -ENOENT;
	}
	return build_path(dt, stack, depth, buf, len);
}

/* Child of @parent named by @name[0..n): exact name first, else the sole "name@unit" child. */
static int subnode_n(const struct dt *dt, int parent, const char *name, size_t n)
{
	bool has_unit = memchr(name, '@', n) != NULL;
	int found = -ENOENT, nfound = 0;
	int child;

	for (child = dt_first_child(dt, parent); child >= 0; child = dt_next_sibling(dt, child)) {
		const char *cn = (const char *)struct_base(dt) + child + 4;

		if (strncmp(cn, name, n))
			continue;
		if (!cn[n])
			return child;
		if (!has_unit && cn[n] == '@') {
			found = child;
			nfound++;
		}
	}
	if (child != -ENOENT)
		return child;
	return nfound == 1 ? found : -ENOENT;
}

int dt_subnode_offset(const struct dt *dt, int parent, const char *name)
{
	return subnode_n(dt, parent, name, strlen(name));
}

static int find_prop_n(const struct dt *dt, int node, const char *name, size_t n)
{
	int prop;

	for (prop = dt_first_prop(dt, node); prop >= 0; prop = dt_next_prop(dt, prop)) {
		const char *pn;

		dt_prop_by_offset(dt, prop, &pn, NULL);
		if (pn && !strncmp(pn, name, n) && !pn[n])
			return prop;
	}
	return prop;
}

static int find_prop(const struct dt *dt, int node, const char *name)
{
	return find_prop_n(dt, node, name, strlen(name));
}

/* Resolves "/a/b" starting at the root; repeated slashes are tolerated. */
static int path_from(const struct dt *dt, int node, const char *p, const char *end)
{
	while (p < end) {
		const char *q;

		if (*p == '/') {
			p++;
			continue;
		}
		q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		node = subnode_n(dt, node, p, (size_t)(q - p));
		if (node < 0)
			return node;
		p = q;
	}
	return node;
}

int dt_path_offset(const struct dt *dt, const char *path)
{
	const char *end = path + strlen(path);
	int root = dt_root(dt);

	if (root < 0)
		return root;
	if (path == end)
		return -EINVAL;
	if (*path != '/') {
		const char *q = memchr(path, '/', (size_t)(end - path));
		const char *alias;
		uint32_t len;
		int aliases, prop, node;

		if (!q)
			q = end;
		aliases = subnode_n(dt, root, "aliases", 7);
		if (aliases < 0)
			return -ENOENT;
		prop = find_prop_n(dt, aliases, path, (size_t)(q - path));
		if (prop < 0)
			return -ENOENT;
		alias = dt_prop_by_offset(dt, prop, NULL, &len);
		if (!alias || !len || alias[len - 1] || alias[0] != '/')
			return -EINVAL;
		node = path_from(dt, root, alias, alias + strlen(alias));
		if (node < 0)
			return node;
		return path_from(dt, node, q, end);
	}
	return path_from(dt, root, path, end);
}

int dt_first_prop(const struct dt *dt, int node)
{
	int off = node_body(dt, node), next, tag;

	if (off < 0)
		return off;
	for (;;) {
		tag = next_tag(dt, off, &next);
		if (tag == (int)TOK_PROP)
			return off;
		if (tag != (int)TOK_NOP)
			return -ENOENT;
		off = next;
	}
}

int dt_next_prop(const struct dt *dt, int prop)
{
	int off, tag;

	if (next_tag(dt, prop, &off) != (int)TOK_PROP)
		return -EINVAL;
	for (;;) {
		int next;

		tag = next_tag(dt, off, &next);
		if (tag == (int)TOK_PROP)
			return off;
		if (tag != (int)TOK_NOP)
			return -ENOENT;
		off = next;
	}
}

const void *dt_prop_by_offset(const struct dt *dt, int prop, const char **name, uint32_t *len)
{
	const uint8_t *s = struct_base(dt);
	const char *pn;
	int next;

	if (next_tag(dt, prop, &next) != (int)TOK_PROP)
		return NULL;
	pn = string_at(dt, dt_be32(s + prop + 8));
	if (!pn)
		return NULL;
	if (name)
		*name = pn;
	if (len)
		*len = dt_be32(s + prop + 4);
	return s + prop + 12;
}

const void *dt_getprop(const struct dt *dt, int node, const char *name, uint32_t *len)
{
	int prop = find_prop(dt, node, name);

	if (prop < 0)
		return NULL;
	return dt_prop_by_offset(dt, prop, NULL, len);
}

int dt_prop_u32(struct dt *dt, int node, const char *name, uint32_t *out)
{
	int prop = find_prop(dt, node, name);
	const void *val;
	uint32_t len;

	if (prop < 0)
		return -ENOENT;
	val = dt_prop_by_offset(dt, prop, NULL, &len);
	if (!val)
		return -ENOENT;
	if (len != 4)
		return dt_set_error(
			dt, -EINVAL, node, blob_off(dt, prop),
			"property \"%s\" at offset 0x%x: length %u, expected 4 (one cell)", name,
			blob_off(dt, prop), len);
	*out = dt_be32(val);
	return 0;
}

const char *dt_prop_string(const struct dt *dt, int node, const char *name)
{
	uint32_t len;
	const char *val = dt_getprop(dt, node, name, &len);

	if (!val || !len || val[len - 1])
		return NULL;
	return val;
}

bool dt_prop_bool(const struct dt *dt, int node, const char *name)
{
	return find_prop(dt, node, name) >= 0;
}

bool dt_stringlist_contains(const struct dt *dt, int node, const char *name, const char *str)
{
	size_t n = strlen(str);
	uint32_t len;
	const char *val = dt_getprop(dt, node, name, &len);

	while (val && len > n) {
		const char *nul = memchr(val, 0, len);

		if (!nul)
			return false;
		if ((size_t)(nul - val) == n && !memcmp(val, str, n))
			return true;
		len -= (uint32_t)(nul - val) + 1;
		val = nul + 1;
	}
	return false;
}

bool dt_node_is_compatible(const struct dt *dt, int node, const char *compat)
{
	return dt_stringlist_contains(dt, node, "compatible", compat);
}

int dt_next_compatible(const struct dt *dt, int from, const char *compat)
{
	int node = from;

	for (;;) {
		node = dt_next_node(dt, node < 0 ? -1 : node, NULL);
		if (node < 0)
			return node;
		if (dt_node_is_compatible(dt, node, compat))
			return node;
	}
}

bool dt_node_available(const struct dt *dt, int node)
{
	uint32_t len;
	const char *val = dt_getprop(dt, node, "status", &len);

	if (!val)
		return node_body(dt, node) >= 0;
	return (len == 5 && !memcmp(val, "okay", 5)) || (len == 3 && !memcmp(val, "ok", 3));
}

int dt_node_by_phandle(const struct dt *dt, uint32_t phandle)
{
	int node;

	if (phandle == 0 || phandle == 0xffffffffu)
		return -ENOENT;
	for (node = dt_next_node(dt, -1, NULL); node >= 0; node = dt_next_node(dt, node, NULL)) {
		uint32_t len;
		const void *val = dt_getprop(dt, node, "phandle", &len);

		if (!val || len != 4)
			val = dt_getprop(dt, node, "linux,phandle", &len);
		if (val && len == 4 && dt_be32(val) == phandle)
			return node;
	}
	return -ENOENT;
}

static int cells(struct dt *dt, int node, const char *name, int dflt, int min)
{
	uint32_t val;
	int err = dt_prop_u32(dt, node, name, &val);

	if (err == -ENOENT)
		return node_body(dt, node) < 0 ? -EINVAL : dflt;
	if (err)
		return err;
	if (val < (uint32_t)min || val > 2) {
		int prop = find_prop(dt, node, name);

		return dt_set_error(dt, -EINVAL, node, blob_off(dt, prop),
				    "property \"%s\" at offset 0x%x: value %u is not supported "
				    "(%d to 2 cells)",
				    name, blob_off(dt, prop), val, min);
	}
	return (int)val;
}

int dt_addr_cells(struct dt *dt, int parent)
{
	return cells(dt, parent, "#address-cells", 2, 1);
}

int dt_size_cells(struct dt *dt, int parent)
{
	return cells(dt, parent, "#size-cells", 1, 0);
}

struct reg_info {
	const uint8_t *val;
	int count, prop;
	int ac, sc;
};

static int reg_info(struct dt *dt, int node, struct reg_info *ri)
{
	char ppath[DT_PATH_MAX];
	int parent = dt_parent(dt, node);
	uint32_t len, entry;

	if (parent == -ENOENT)
		parent = node; /* the root: its own cells, though a reg there is unusual */
	if (parent < 0)
		return parent;
	ri->ac = dt_addr_cells(dt, parent);
	if (ri->ac < 0)
		return ri->ac;
	ri->sc = dt_size_cells(dt, parent);
	if (ri->sc < 0)
		return ri->sc;
	ri->prop = find_prop(dt, node, "reg");
	if (ri->prop < 0)
		return -ENOENT;
	ri->val = dt_prop_by_offset(dt, ri->prop, NULL, &len);
	if (!ri->val)
		return -ENOENT;
	entry = 4u * (uint32_t)(ri->ac + ri->sc);
	if (len % entry) {
		dt_node_path(dt, parent, ppath, sizeof(ppath));
		return dt_set_error(dt, -EINVAL, node, blob_off(dt, ri->prop),
				    "property \"reg\" at offset 0x%x: length %u is not a multiple "
				    "of %u (#address-cells=%d, #size-cells=%d of %s)",
				    blob_off(dt, ri->prop), len, entry, ri->ac, ri->sc, ppath);
	}
	ri->count = (int)(len / entry);
	return 0;
}

int dt_reg_count(struct dt *dt, int node)
{
	struct reg_info ri;
	int err = reg_info(dt, node, &ri);

	return err ? err : ri.count;
}

static uint64_t read_cells(const uint8_t *p, int n)
{
	if (n == 2)
		return dt_be64(p);
	return n == 1 ? dt_be32(p) : 0;
}

int dt_reg(struct dt *dt, int node, int idx, uint64_t *addr, uint64_t *size)
{
	struct reg_info ri;
	const uint8_t *e;
	int err = reg_info(dt, node, &ri);

	if (err)
		return err;
	if (idx < 0 || idx >= ri.count)
		return dt_set_error(
			dt, -ERANGE, node, blob_off(dt, ri.prop),
			"property \"reg\" at offset 0x%x: entry %d asked for, it has %d",
			blob_off(dt, ri.prop), idx, ri.count);
	e = ri.val + (size_t)idx * 4u * (size_t)(ri.ac + ri.sc);
	*addr = read_cells(e, ri.ac);
	*size = read_cells(e + 4 * ri.ac, ri.sc);
	return 0;
}

/* Entries end at the first one of size 0 (libfdt counts the same way); checked by dt_init. */
int dt_num_mem_rsv(const struct dt *dt)
{
	uint32_t off;
	int n = 0;

	if (!dt->blob)
		return 0;
	for (off = dt->off_rsvmap; off <= dt->size && dt->size - off >= RSV_ENTRY;
	     off += RSV_ENTRY, n++) {
		if (dt_be64(dt->blob + off + 8) == 0)
			return n;
	}
	return n;
}

int dt_get_mem_rsv(const struct dt *dt, int idx, uint64_t *addr, uint64_t *size)
{
	const uint8_t *e;

	if (idx < 0 || idx >= dt_num_mem_rsv(dt))
		return -ENOENT;
	e = dt->blob + dt->off_rsvmap + (uint32_t)idx * RSV_ENTRY;
	*addr = dt_be64(e);
	*size = dt_be64(e + 8);
	return 0;
}
