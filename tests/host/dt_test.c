// SPDX-License-Identifier: BSD-2-Clause
// Host tests of platform/common/dt.c: differential against the host's libfdt on every DTB given on
// the command line (and $DT_TEST_DTBS), a malformed-blob corpus, and random byte-flip mutations.
// Usage: dt_test [file.dtb ...]   (replays tests/host/dt_corpus/*.bin the same way if given)

#include <platform/bootinfo.h>
#include <platform/dt.h>
#include <platform/errno.h>

#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "tap.h"

_Static_assert(EINVAL == 22 && ENOENT == 2 && ERANGE == 34, "errno values agree with Linux");

int tap_failed_checks;

/* ------------------------------------------------------------------------------------------ */
/* A raw blob builder: lets the tests write any token sequence, valid or not.                 */

struct bb {
	uint8_t st[16384];
	uint32_t nst;
	char strs[2048];
	uint32_t nstr;
	uint64_t rsv[8][2];
	int nrsv;
	bool no_rsv_end;
	/* filled by bb_finish() */
	uint32_t off_rsv, off_struct, off_strings, total;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static void bb_tok(struct bb *b, uint32_t v)
{
	put_be32(b->st + b->nst, v);
	b->nst += 4;
}

static void bb_pad(struct bb *b)
{
	while (b->nst & 3)
		b->st[b->nst++] = 0;
}

static uint32_t bb_begin(struct bb *b, const char *name)
{
	uint32_t off = b->nst;
	size_t n = strlen(name) + 1;

	bb_tok(b, 1);
	memcpy(b->st + b->nst, name, n);
	b->nst += (uint32_t)n;
	bb_pad(b);
	return off;
}

static void bb_end_node(struct bb *b)
{
	bb_tok(b, 2);
}

static uint32_t bb_string(struct bb *b, const char *name)
{
	size_t n = strlen(name) + 1;

	for (uint32_t i = 0; i + n <= b->nstr; i++)
		if (!memcmp(b->strs + i, name, n))
			return i;
	memcpy(b->strs + b->nstr, name, n);
	b->nstr += (uint32_t)n;
	return b->nstr - (uint32_t)n;
}

static uint32_t bb_prop(struct bb *b, const char *name, const void *val, uint32_t len)
{
	uint32_t off = b->nst;

	bb_tok(b, 3);
	bb_tok(b, len);
	bb_tok(b, bb_string(b, name));
	memcpy(b->st + b->nst, val, len);
	b->nst += len;
	bb_pad(b);
	return off;
}

static uint32_t bb_str(struct bb *b, const char *name, const char *s)
{
	return bb_prop(b, name, s, (uint32_t)strlen(s) + 1);
}

static uint32_t bb_cells(struct bb *b, const char *name, int n, ...)
{
	uint8_t v[64];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put_be32(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	return bb_prop(b, name, v, 4u * (uint32_t)n);
}

/* Lays out header, reserve map, structure block, strings block; returns the total size. */
static uint32_t bb_finish(struct bb *b, uint8_t *out, size_t cap)
{
	uint32_t off = 40;

	memset(out, 0, cap);
	b->off_rsv = off;
	for (int i = 0; i < b->nrsv; i++, off += 16) {
		put_be64(out + off, b->rsv[i][0]);
		put_be64(out + off + 8, b->rsv[i][1]);
	}
	if (!b->no_rsv_end)
		off += 16;
	b->off_struct = off;
	memcpy(out + off, b->st, b->nst);
	off += b->nst;
	b->off_strings = off;
	memcpy(out + off, b->strs, b->nstr);
	off += b->nstr;
	b->total = off;
	put_be32(out + 0, 0xd00dfeed);
	put_be32(out + 4, b->total);
	put_be32(out + 8, b->off_struct);
	put_be32(out + 12, b->off_strings);
	put_be32(out + 16, b->off_rsv);
	put_be32(out + 20, 17);
	put_be32(out + 24, 16);
	put_be32(out + 28, 0);
	put_be32(out + 32, b->nstr);
	put_be32(out + 36, b->nst);
	return b->total;
}

/* Offsets of interesting tokens in the base tree (structure-block relative). */
struct base_offs {
	uint32_t root, soc, serial, serial_reg, bus, dev, pci, memory, cpus, nop;
};

static void build_base(struct bb *b, struct base_offs *o)
{
	memset(b, 0, sizeof(*b));
	b->rsv[0][0] = 0x1000;
	b->rsv[0][1] = 0x2000;
	b->rsv[1][0] = 0x80000000;
	b->rsv[1][1] = 0x200000;
	b->nrsv = 2;
	o->root = bb_begin(b, "");
	bb_cells(b, "#address-cells", 1, 2);
	bb_cells(b, "#size-cells", 1, 2);
	bb_str(b, "model", "zonedev,test");
	bb_prop(b, "compatible", "zonedev,test\0zonedev,base", 26);
	bb_begin(b, "aliases");
	bb_str(b, "serial0", "/soc/serial@10000000");
	bb_str(b, "con", "/soc");
	bb_end_node(b);
	bb_begin(b, "chosen");
	bb_str(b, "stdout-path", "serial0:115200n8");
	bb_str(b, "bootargs", "x=1");
	bb_end_node(b);
	o->memory = bb_begin(b, "memory@80000000");
	bb_str(b, "device_type", "memory");
	bb_cells(b, "reg", 4, 0, 0x80000000, 0, 0x10000000);
	bb_end_node(b);
	o->cpus = bb_begin(b, "cpus");
	bb_cells(b, "#address-cells", 1, 1);
	bb_cells(b, "#size-cells", 1, 0);
	bb_cells(b, "timebase-frequency", 1, 10000000);
	bb_begin(b, "cpu@0");
	bb_str(b, "device_type", "cpu");
	bb_cells(b, "reg", 1, 0);
	bb_cells(b, "phandle", 1, 1);
	bb_str(b, "riscv,isa", "rv64imafdc");
	bb_end_node(b);
	bb_begin(b, "cpu@3");
	bb_str(b, "device_type", "cpu");
	bb_cells(b, "reg", 1, 3);
	bb_cells(b, "linux,phandle", 1, 2);
	bb_str(b, "status", "disabled");
	bb_end_node(b);
	bb_end_node(b);
	o->soc = bb_begin(b, "soc");
	bb_cells(b, "#address-cells", 1, 2);
	bb_cells(b, "#size-cells", 1, 2);
	bb_prop(b, "ranges", "", 0);
	o->serial = bb_begin(b, "serial@10000000");
	bb_str(b, "compatible", "ns16550a");
	o->serial_reg = bb_cells(b, "reg", 4, 0, 0x10000000, 0, 0x100);
	bb_end_node(b);
	o->bus = bb_begin(b, "bus@0");
	bb_cells(b, "#address-cells", 1, 1);
	bb_cells(b, "#size-cells", 1, 1);
	o->nop = b->nst;
	bb_tok(b, 4);
	o->dev = bb_begin(b, "dev@40");
	bb_cells(b, "reg", 4, 0x40, 0x10, 0x80, 0x10);
	bb_end_node(b);
	bb_end_node(b);
	o->pci = bb_begin(b, "pci@30000000");
	bb_cells(b, "#address-cells", 1, 3);
	bb_cells(b, "#size-cells", 1, 2);
	bb_begin(b, "ep@0");
	bb_cells(b, "reg", 5, 0, 0, 0, 0, 0);
	bb_end_node(b);
	bb_end_node(b);
	bb_end_node(b);
	bb_begin(b, "pmem@c0000000");
	bb_str(b, "compatible", "pmem-region");
	bb_prop(b, "volatile", "", 0);
	bb_cells(b, "reg", 4, 0, 0xc0000000, 0, 0x1000000);
	bb_end_node(b);
	bb_end_node(b);
	bb_tok(b, 9);
}

/* ------------------------------------------------------------------------------------------ */
/* Differential walk against libfdt.                                                           */

static int lf_cells_ok(int v, int lo)
{
	return v >= lo && v <= 2;
}

/*
 * Oracle for dt_translate_address(): Linux's of_translate_address() for the default bus, written
 * over libfdt (cells as libfdt reads them, without Linux's deprecated inheritance). Walks up from
 * the bus holding @node to the root: no "ranges" fails, an empty one is 1:1, otherwise the first
 * entry with child <= addr < child + size (sum in 64 bits, as Linux) moves addr to the parent's
 * space, truncated to 32 bits when the parent has one address cell, as Linux's cell write-back
 * does. *@strict is cleared when the range [addr, addr+size) does not lie wholly in each window
 * or a step overflows or truncates: there dt_translate_address() refuses where Linux goes on.
 * Return: 0 and *@addr, or -1 when Linux cannot translate either.
 */
static int translated_regs;

static uint64_t lf_cells(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int k = 0; k < n; k++)
		v = v << 32 | dt_be32(p + 4 * k);
	return v;
}

static int lf_translate(const void *fdt, int node, uint64_t *addr, uint64_t size, bool *strict)
{
	int bus = fdt_parent_offset(fdt, node);

	*strict = !(size && *addr + size - 1 < *addr);
	while (bus >= 0) {
		int parent = fdt_parent_offset(fdt, bus), rlen, na, ns, pna, rone;
		const uint8_t *ranges;
		bool found = false;

		if (parent < 0)
			return 0; /* reached the root */
		ranges = fdt_getprop(fdt, bus, "ranges", &rlen);
		if (!ranges)
			return -1;
		na = fdt_address_cells(fdt, bus);
		ns = fdt_size_cells(fdt, bus);
		pna = fdt_address_cells(fdt, parent);
		if (rlen == 0) {
			bus = parent;
			continue;
		}
		if (na < 1 || na > 2 || ns < 0 || ns > 2 || pna < 1 || pna > 2)
			return -1;
		rone = 4 * (na + pna + ns);
		for (int off = 0; off + rone <= rlen; off += rone) {
			uint64_t cp = lf_cells(ranges + off, na);
			uint64_t pa = lf_cells(ranges + off + 4 * na, pna);
			uint64_t s = lf_cells(ranges + off + 4 * (na + pna), ns);
			uint64_t a;

			if (*addr < cp || *addr >= cp + s)
				continue;
			if (cp + s < cp || (size && *addr + size - 1 > cp + s - 1))
				*strict = false;
			a = pa + (*addr - cp);
			if (a < pa || (size && a + size - 1 < a))
				*strict = false;
			if (pna == 1 && (a > 0xffffffffu || (size && a + size - 1 > 0xffffffffu)))
				*strict = false;
			*addr = pna == 1 ? a & 0xffffffffu : a;
			found = true;
			break;
		}
		if (!found)
			return -1;
		if (rlen % rone)
			*strict = false;
		bus = parent;
	}
	return 0;
}

static void compare_node(struct dt *dt, const void *fdt, int node)
{
	char p1[DT_PATH_MAX], p2[DT_PATH_MAX];
	int lf_len, prop, lprop;
	const char *name = fdt_get_name(fdt, node, &lf_len);
	int lpar = fdt_parent_offset(fdt, node);

	CHECK_STREQ(dt_node_name(dt, node), name);
	CHECK_EQ(dt_parent(dt, node), lpar < 0 ? -ENOENT : lpar);
	/* a path too long for the buffer is -ERANGE for us where libfdt says NOSPACE */
	if (fdt_get_path(fdt, node, p2, sizeof(p2)) == -FDT_ERR_NOSPACE) {
		CHECK_EQ(dt_node_path(dt, node, p1, sizeof(p1)), -ERANGE);
		return;
	}
	CHECK_EQ(dt_node_path(dt, node, p1, sizeof(p1)), 0);
	CHECK_STREQ(p1, p2);
	/*
	 * A path must lead back to a node with that same path (with duplicate names in a mutated
	 * tree, to the first of them), and to the same node as libfdt whenever libfdt finds it.
	 */
	{
		int back = dt_path_offset(dt, p1), lback = fdt_path_offset(fdt, p1);
		char p3[DT_PATH_MAX] = "";

		if (back >= 0) {
			dt_node_path(dt, back, p3, sizeof(p3));
			CHECK_STREQ(p3, p1);
		} else { /* a duplicate sibling name on the way hides it, for libfdt too */
			CHECK(lback < 0);
		}
		if (lback == node)
			CHECK_EQ(back, node);
	}
	{
		int c1 = dt_first_child(dt, node), c2 = fdt_first_subnode(fdt, node);

		CHECK_EQ(c1, c2 < 0 ? -ENOENT : c2);
		CHECK_EQ(dt_next_sibling(dt, node),
			 node == 0
				 ? -ENOENT
				 : (fdt_next_subnode(fdt, node) < 0 ? -ENOENT
								    : fdt_next_subnode(fdt, node)));
	}

	prop = dt_first_prop(dt, node);
	lprop = fdt_first_property_offset(fdt, node);
	for (;;) {
		const char *n1 = NULL, *n2 = NULL;
		uint32_t l1 = 0;
		int l2 = 0;
		const void *v1, *v2;

		CHECK_EQ(prop, lprop < 0 ? -ENOENT : lprop);
		if (prop < 0 || lprop < 0)
			break;
		v1 = dt_prop_by_offset(dt, prop, &n1, &l1);
		v2 = fdt_getprop_by_offset(fdt, lprop, &n2, &l2);
		CHECK(v1 && v2);
		CHECK_STREQ(n1, n2);
		CHECK_EQ(l1, l2);
		if (v1 && v2 && l1 == (uint32_t)l2)
			CHECK(!memcmp(v1, v2, l1));
		if (n1) {
			uint32_t gl = 0;
			int gl2 = 0;
			const void *g1 = dt_getprop(dt, node, n1, &gl);
			const void *g2 = fdt_getprop(fdt, node, n1, &gl2);

			CHECK(g1 == g2);
			CHECK_EQ(gl, gl2);
		}
		prop = dt_next_prop(dt, prop);
		lprop = fdt_next_property_offset(fdt, lprop);
	}

	{
		int ac = fdt_address_cells(fdt, node), sc = fdt_size_cells(fdt, node);
		int da = dt_addr_cells(dt, node), ds = dt_size_cells(dt, node);

		CHECK_EQ(da, lf_cells_ok(ac, 1) ? ac : -EINVAL);
		CHECK_EQ(ds, lf_cells_ok(sc, 0) ? sc : -EINVAL);
	}

	if (lpar >= 0) {
		int ac = fdt_address_cells(fdt, lpar), sc = fdt_size_cells(fdt, lpar);
		int rl;
		const uint8_t *reg = fdt_getprop(fdt, node, "reg", &rl);
		int cnt = dt_reg_count(dt, node);

		if (!reg) {
			CHECK_EQ(cnt, lf_cells_ok(ac, 1) && lf_cells_ok(sc, 0) ? -ENOENT : -EINVAL);
		} else if (!lf_cells_ok(ac, 1) || !lf_cells_ok(sc, 0)) {
			CHECK_EQ(cnt, -EINVAL);
		} else if (rl % (4 * (ac + sc))) {
			CHECK_EQ(cnt, -EINVAL);
			CHECK(strstr(dt->error.msg, "is not a multiple of") != NULL);
		} else {
			CHECK_EQ(cnt, rl / (4 * (ac + sc)));
			for (int i = 0; i < cnt; i++) {
				const uint8_t *e = reg + i * 4 * (ac + sc);
				uint64_t a = 0, s = 0, da, ds;

				for (int k = 0; k < ac; k++)
					a = a << 32 | dt_be32(e + 4 * k);
				for (int k = 0; k < sc; k++)
					s = s << 32 | dt_be32(e + 4 * (ac + k));
				CHECK_EQ(dt_reg(dt, node, i, &da, &ds), 0);
				CHECK_EQ(da, a);
				CHECK_EQ(ds, s);
				{
					uint64_t ca = 0, cs = 0, la = a;
					bool strict;
					int ours = dt_reg_cpu(dt, node, i, &ca, &cs);
					int linux_ = lf_translate(fdt, node, &la, s, &strict);

					if (ours == 0) {
						CHECK_EQ(linux_, 0);
						CHECK(strict);
						CHECK_EQ(ca, la);
						CHECK_EQ(cs, s);
						if (ca != a)
							translated_regs++;
					} else if (linux_ == 0 && strict) {
						printf("# %s reg %d: refused (%s) where Linux gives "
						       "0x%llx\n", dt->error.path, i, dt->error.msg,
						       (unsigned long long)la);
						CHECK(ours != -ENOENT && ours != -ERANGE);
					}
				}
			}
			CHECK_EQ(dt_reg(dt, node, cnt, &(uint64_t){ 0 }, &(uint64_t){ 0 }),
				 -ERANGE);
		}
	}

	{
		uint32_t ph = fdt_get_phandle(fdt, node);

		if (ph && ph != 0xffffffffu)
			CHECK_EQ(dt_node_by_phandle(dt, ph), fdt_node_offset_by_phandle(fdt, ph));
	}
	{
		int cl;
		const char *compat = fdt_getprop(fdt, node, "compatible", &cl);

		/* skip an empty first string: libfdt 1.6.1 then reads one byte past the list */
		if (compat && cl > 0 && compat[0] && memchr(compat, 0, (size_t)cl)) {
			CHECK(dt_node_is_compatible(dt, node, compat));
			CHECK_EQ(dt_next_compatible(dt, -1, compat),
				 fdt_node_offset_by_compatible(fdt, -1, compat));
			CHECK_EQ(dt_next_compatible(dt, node, compat),
				 fdt_node_offset_by_compatible(fdt, node, compat) < 0
					 ? -ENOENT
					 : fdt_node_offset_by_compatible(fdt, node, compat));
		}
	}
}

/* Returns the number of nodes compared. Both readers must have accepted @blob. */
static int compare_with_libfdt(const uint8_t *blob, size_t size)
{
	struct dt dt;
	int n1, n2, d1 = 0, d2 = 0, nodes = 0;
	int err = dt_init(&dt, blob, size);

	CHECK_EQ(err, 0);
	CHECK_EQ(fdt_check_full(blob, size), 0);
	if (err) {
		printf("# dt_init: %s: %s\n", dt.error.path, dt.error.msg);
		return 0;
	}
	CHECK_EQ(dt.size, fdt_totalsize(blob));
	CHECK_EQ(dt.off_struct, fdt_off_dt_struct(blob));
	CHECK_EQ(dt.off_strings, fdt_off_dt_strings(blob));
	CHECK_EQ(dt.boot_cpuid, fdt_boot_cpuid_phys(blob));
	CHECK_EQ(dt_root(&dt), fdt_path_offset(blob, "/"));

	n1 = dt_next_node(&dt, -1, &d1);
	n2 = fdt_next_node(blob, -1, &d2);
	for (;;) {
		CHECK_EQ(n1, n2 < 0 ? -ENOENT : n2);
		if (n1 < 0 || n2 < 0)
			break;
		CHECK_EQ(d1, d2);
		compare_node(&dt, blob, n1);
		nodes++;
		n1 = dt_next_node(&dt, n1, &d1);
		n2 = fdt_next_node(blob, n2, &d2);
	}

	CHECK_EQ(dt_num_mem_rsv(&dt), fdt_num_mem_rsv(blob));
	for (int i = 0; i < dt_num_mem_rsv(&dt); i++) {
		uint64_t a1, s1, a2, s2;

		CHECK_EQ(dt_get_mem_rsv(&dt, i, &a1, &s1), 0);
		CHECK_EQ(fdt_get_mem_rsv(blob, i, &a2, &s2), 0);
		CHECK_EQ(a1, a2);
		CHECK_EQ(s1, s2);
	}
	CHECK_EQ(dt_get_mem_rsv(&dt, dt_num_mem_rsv(&dt), &(uint64_t){ 0 }, &(uint64_t){ 0 }),
		 -ENOENT);

	{
		int al = fdt_path_offset(blob, "/aliases");

		for (int p = al >= 0 ? fdt_first_property_offset(blob, al) : -1; p >= 0;
		     p = fdt_next_property_offset(blob, p)) {
			const char *an;
			int l;
			const char *v = fdt_getprop_by_offset(blob, p, &an, &l);

			int o1, o2;

			if (!v || l < 2 || v[l - 1] || v[0] != '/' || !an[0])
				continue;
			o1 = dt_path_offset(&dt, an);
			o2 = fdt_path_offset(blob, an);
			/*
			 * A value whose last component has no unit address where libfdt took a
			 * "name@unit" node: several siblings may match, and we refuse what libfdt
			 * resolves to the first (as for "/cpus/cpu" above). Mutants make such
			 * values (a NUL over the '@' of "/soc/serial@1040").
			 */
			if (o1 == -ENOENT && o2 >= 0) {
				const char *last = strrchr(v, '/') + 1;
				const char *got = fdt_get_name(blob, o2, NULL);

				if (got && strcmp(got, last) && !strchr(last, '@'))
					continue;
			}
			if (o1 >= 0 || o2 >= 0)
				CHECK_EQ(o1, o2);
		}
	}
	return nodes;
}

/* Exercises every reader entry point on an accepted blob (no oracle; ASan/UBSan watch). */
static unsigned long walk_everything(struct dt *dt)
{
	static struct boot_info bi;
	unsigned long work = 0;
	int depth = 0;

	for (int n = dt_next_node(dt, -1, &depth); n >= 0; n = dt_next_node(dt, n, &depth)) {
		char path[DT_PATH_MAX];
		uint32_t len, u;
		int cnt;

		work += strlen(dt_node_name(dt, n));
		if (!dt_node_path(dt, n, path, sizeof(path)))
			work += (unsigned long)dt_path_offset(dt, path);
		work += (unsigned long)(dt_parent(dt, n) + dt_first_child(dt, n) +
					dt_next_sibling(dt, n));
		for (int p = dt_first_prop(dt, n); p >= 0; p = dt_next_prop(dt, p)) {
			const char *pn = NULL;
			const uint8_t *v = dt_prop_by_offset(dt, p, &pn, &len);

			CHECK(v && pn);
			if (v && pn) {
				CHECK(dt_getprop(dt, n, pn, NULL) != NULL);
				for (uint32_t i = 0; i < len; i++)
					work += v[i];
				dt_prop_u32(dt, n, pn, &u);
				dt_prop_string(dt, n, pn);
				dt_stringlist_contains(dt, n, pn, "x");
			}
		}
		dt_node_available(dt, n);
		dt_addr_cells(dt, n);
		dt_size_cells(dt, n);
		cnt = dt_reg_count(dt, n);
		for (int i = 0; i < cnt && i < 64; i++) {
			uint64_t a, s;

			if (!dt_reg(dt, n, i, &a, &s))
				work += a + s;
		}
		dt_path_offset(dt, "serial0");
		dt_next_compatible(dt, n, "pmem-region");
	}
	dt_node_by_phandle(dt, 1);
	for (int i = 0; i < dt_num_mem_rsv(dt); i++) {
		uint64_t a, s;

		dt_get_mem_rsv(dt, i, &a, &s);
	}
	bootfdt_parse(dt, &bi, NULL, NULL);
	return work;
}

/* ------------------------------------------------------------------------------------------ */
/* Fixed cases.                                                                                */

static uint8_t base_blob[32768];
static uint32_t base_size;
static struct bb base_bb;
static struct base_offs base_o;

static void make_base(void)
{
	build_base(&base_bb, &base_o);
	base_size = bb_finish(&base_bb, base_blob, sizeof(base_blob));
}

static void dt_init_base_tree_matches_libfdt(void)
{
	make_base();
	CHECK_EQ(compare_with_libfdt(base_blob, base_size), 14);
}

static void dt_init_accepts_unaligned_blob(void)
{
	static uint8_t buf[sizeof(base_blob) + 8];
	struct dt dt;

	make_base();
	for (int shift = 1; shift < 8; shift++) {
		memcpy(buf + shift, base_blob, base_size);
		CHECK_EQ(dt_init(&dt, buf + shift, base_size), 0);
		walk_everything(&dt);
	}
}

static void dt_path_offset_unit_address_rule(void)
{
	struct dt dt;
	int cpus;

	make_base();
	CHECK_EQ(dt_init(&dt, base_blob, base_size), 0);
	cpus = dt_path_offset(&dt, "/cpus");
	CHECK_EQ(cpus, base_o.cpus);
	CHECK_EQ(dt_path_offset(&dt, "/"), 0);
	CHECK_EQ(dt_path_offset(&dt, "//soc//serial@10000000/"), base_o.serial);
	CHECK_EQ(dt_path_offset(&dt, "/memory"), base_o.memory); /* sole memory@ */
	CHECK_EQ(dt_path_offset(&dt, "/cpus/cpu"), -ENOENT); /* two cpu@ siblings */
	CHECK(fdt_path_offset(base_blob, "/cpus/cpu") > 0); /* where libfdt takes the first */
	CHECK_EQ(dt_path_offset(&dt, "/soc/serial"), base_o.serial);
	CHECK_EQ(dt_path_offset(&dt, "/soc/serial@1"), -ENOENT);
	CHECK_EQ(dt_path_offset(&dt, "/soc/seria"), -ENOENT);
	CHECK_EQ(dt_path_offset(&dt, "/nothing"), -ENOENT);
	CHECK_EQ(dt_path_offset(&dt, ""), -EINVAL);
	CHECK_EQ(dt_path_offset(&dt, "serial0"), base_o.serial);
	CHECK_EQ(dt_path_offset(&dt, "con/bus@0/dev@40"), base_o.dev);
	CHECK_EQ(dt_path_offset(&dt, "nosuchalias"), -ENOENT);
	CHECK_EQ(dt_subnode_offset(&dt, base_o.soc, "bus"), base_o.bus);
	CHECK_EQ(dt_subnode_offset(&dt, base_o.soc, "bus@0"), base_o.bus);
}

static void dt_props_helpers(void)
{
	struct dt dt;
	uint32_t v = 0;
	int cpu0, cpu3;

	make_base();
	CHECK_EQ(dt_init(&dt, base_blob, base_size), 0);
	cpu0 = dt_path_offset(&dt, "/cpus/cpu@0");
	cpu3 = dt_path_offset(&dt, "/cpus/cpu@3");
	CHECK_EQ(dt_prop_u32(&dt, base_o.cpus, "timebase-frequency", &v), 0);
	CHECK_EQ(v, 10000000);
	CHECK_EQ(dt_prop_u32(&dt, base_o.cpus, "nothing", &v), -ENOENT);
	CHECK_EQ(dt_prop_u32(&dt, base_o.serial, "reg", &v), -EINVAL);
	CHECK_STREQ(dt.error.path, "/soc/serial@10000000");
	CHECK_EQ(dt.error.offset, base_bb.off_struct + base_o.serial_reg);
	CHECK_STREQ(dt_prop_string(&dt, 0, "model"), "zonedev,test");
	CHECK(dt_prop_string(&dt, base_o.cpus, "timebase-frequency") == NULL);
	CHECK(dt_stringlist_contains(&dt, 0, "compatible", "zonedev,base"));
	CHECK(dt_stringlist_contains(&dt, 0, "compatible", "zonedev,test"));
	CHECK(!dt_stringlist_contains(&dt, 0, "compatible", "zonedev"));
	CHECK(dt_prop_bool(&dt, base_o.soc, "ranges"));
	CHECK(!dt_prop_bool(&dt, base_o.soc, "dma-ranges"));
	CHECK(dt_node_available(&dt, cpu0));
	CHECK(!dt_node_available(&dt, cpu3));
	CHECK_EQ(dt_node_by_phandle(&dt, 1), cpu0);
	CHECK_EQ(dt_node_by_phandle(&dt, 2), cpu3);
	CHECK_EQ(dt_node_by_phandle(&dt, 3), -ENOENT);
	CHECK_EQ(dt_node_by_phandle(&dt, 0), -ENOENT);
	CHECK_STREQ(dt_node_name(&dt, 0), "");
	CHECK(dt_node_name(&dt, base_o.nop) == NULL);
	CHECK_EQ(dt_first_prop(&dt, base_o.nop), -EINVAL);
	CHECK_EQ(dt_first_child(&dt, 3), -EINVAL);
	CHECK_EQ(dt_parent(&dt, 0), -ENOENT);
	CHECK_EQ(dt_parent(&dt, base_o.nop), -EINVAL);
	CHECK_EQ(dt_node_path(&dt, 12345, (char[8]){ 0 }, 8), -ENOENT);
	{
		char small[8];

		CHECK_EQ(dt_node_path(&dt, base_o.serial, small, sizeof(small)), -ERANGE);
		CHECK_STREQ(small, "/soc/se");
	}
	CHECK_EQ(dt_next_compatible(&dt, -1, "ns16550a"), base_o.serial);
	CHECK_EQ(dt_next_compatible(&dt, base_o.serial, "ns16550a"), -ENOENT);
}

static void dt_reg_decodes_with_parent_cells(void)
{
	struct dt dt;
	uint64_t a, s;

	make_base();
	CHECK_EQ(dt_init(&dt, base_blob, base_size), 0);
	CHECK_EQ(dt_reg_count(&dt, base_o.dev), 2);
	CHECK_EQ(dt_reg(&dt, base_o.dev, 1, &a, &s), 0);
	CHECK_EQ(a, 0x80);
	CHECK_EQ(s, 0x10);
	CHECK_EQ(dt_reg(&dt, base_o.dev, 2, &a, &s), -ERANGE);
	CHECK_EQ(dt_reg(&dt, base_o.dev, -1, &a, &s), -ERANGE);
	CHECK_EQ(dt_reg_count(&dt, base_o.bus), -ENOENT);
	CHECK_EQ(dt_addr_cells(&dt, base_o.pci), -EINVAL);
	CHECK_STREQ(dt.error.path, "/soc/pci@30000000");
	CHECK(strstr(dt.error.msg, "#address-cells") != NULL);
	CHECK_EQ(dt_reg_count(&dt, dt_first_child(&dt, base_o.pci)), -EINVAL);
	CHECK_EQ(dt_reg(&dt, base_o.serial, 0, &a, &s), 0);
	CHECK_EQ(a, 0x10000000);
	CHECK_EQ(s, 0x100);
	CHECK_EQ(dt_num_mem_rsv(&dt), 2);
}

static void dt_reg_count_reports_bad_length(void)
{
	static uint8_t blob[4096];
	struct bb b;
	struct dt dt;
	uint32_t node, reg, size;

	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	bb_begin(&b, "soc");
	bb_cells(&b, "#address-cells", 1, 2);
	bb_cells(&b, "#size-cells", 1, 2);
	node = bb_begin(&b, "serial@10000000");
	reg = bb_cells(&b, "reg", 3, 0, 0x10000000, 0x100);
	bb_end_node(&b);
	bb_end_node(&b);
	bb_end_node(&b);
	bb_tok(&b, 9);
	size = bb_finish(&b, blob, sizeof(blob));
	CHECK_EQ(dt_init(&dt, blob, size), 0);
	CHECK_EQ(dt_reg_count(&dt, (int)node), -EINVAL);
	CHECK_EQ(dt.error.err, -EINVAL);
	CHECK_STREQ(dt.error.path, "/soc/serial@10000000");
	CHECK_EQ(dt.error.offset, b.off_struct + reg);
	printf("# %s: %s\n", dt.error.path, dt.error.msg);
	CHECK(strstr(dt.error.msg, "property \"reg\" at offset 0x") != NULL);
	CHECK(strstr(
		dt.error.msg,
		"length 12 is not a multiple of 16 (#address-cells=2, #size-cells=2 of /soc)"));
}

/* ------------------------------------------------------------------------------------------ */
/* Malformed corpus.                                                                           */

static void expect_reject(const char *what, const uint8_t *blob, size_t avail, int err,
			  const char *path, uint32_t offset, const char *needle)
{
	struct dt dt;
	int ret;
	uint8_t *copy = malloc(avail ? avail : 1);

	memcpy(copy, blob, avail); /* exact-size copy: ASan sees any read past @avail */
	ret = dt_init(&dt, copy, avail);
	printf("# %s -> %d %s: %s\n", what, ret, dt.error.path, dt.error.msg);
	CHECK_EQ(ret, err);
	CHECK_EQ(dt.error.err, err);
	CHECK_STREQ(dt.error.path, path);
	if (offset != ~0u)
		CHECK_EQ(dt.error.offset, offset);
	CHECK(strstr(dt.error.msg, needle) != NULL);
	/* the reader stays usable (and harmless) after a failed init */
	CHECK_EQ(dt_root(&dt), -ENOENT);
	CHECK_EQ(dt_next_node(&dt, -1, NULL), -ENOENT);
	CHECK_EQ(dt_num_mem_rsv(&dt), 0);
	free(copy);
}

/*
 * The version rule is libfdt's (fdt_check_header): last_comp_version <= 17 and
 * version >= last_comp_version; we also need version >= 16 (libfdt reads older ones).
 */
static void dt_init_version_rule_matches_libfdt(void)
{
	static const uint32_t versions[] = { 16, 17, 18, 0x20, 0xffffffffu };
	static const uint32_t comps[] = { 0, 1, 2, 15, 16, 17, 18, 0xffffffffu };
	static uint8_t m[sizeof(base_blob)];

	make_base();
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(comps); j++) {
			struct dt dt;
			int ours, theirs;

			memcpy(m, base_blob, base_size);
			put_be32(m + 20, versions[i]);
			put_be32(m + 24, comps[j]);
			ours = dt_init(&dt, m, base_size);
			theirs = fdt_check_header(m);
			if ((ours == 0) != (theirs == 0))
				printf("# version %u last_comp_version %u: ours %d (%s), libfdt %d\n",
				       versions[i], comps[j], ours, dt.error.msg, theirs);
			CHECK_EQ(ours == 0, theirs == 0);
		}
	}
}

static void dt_init_rejects_bad_headers(void)
{
	static uint8_t m[sizeof(base_blob)];
	uint32_t total;

	make_base();
	total = base_size;

#define MUT(field_off, val)                                                                        \
	do {                                                                                       \
		memcpy(m, base_blob, base_size);                                                   \
		put_be32(m + (field_off), (val));                                                  \
	} while (0)

	MUT(0, 0xd00dfeee);
	expect_reject("bad magic", m, total, -EINVAL, "/", 0, "bad magic 0xd00dfeee");
	MUT(20, 15);
	expect_reject("version 15", m, total, -EINVAL, "/", 20, "version 15");
	MUT(24, 18);
	expect_reject("last_comp 18", m, total, -EINVAL, "/", 24, "last_comp_version 18");
	MUT(20, 16);
	put_be32(m + 24, 17);
	expect_reject("version 16, last_comp 17", m, total, -EINVAL, "/", 24,
		      "last_comp_version 17 is newer than the version 16");
	memcpy(m, base_blob, base_size);
	expect_reject("totalsize > avail", m, total - 1, -ERANGE, "/", 4, "exceeds the");
	expect_reject("tiny", m, 16, -EINVAL, "/", 0, "too short");
	MUT(4, 20);
	expect_reject("totalsize < header", m, total, -EINVAL, "/", 4, "smaller than the header");
	MUT(12, total + 4);
	expect_reject("strings outside", m, total, -ERANGE, "/", 12, "strings block");
	MUT(32, total);
	expect_reject("strings size outside", m, total, -ERANGE, "/", 12, "outside the blob");
	MUT(36, total);
	expect_reject("struct size outside", m, total, -ERANGE, "/", 36, "ends past totalsize");
	MUT(8, total + 4);
	expect_reject("struct outside", m, total, -ERANGE, "/", 8, "structure block offset");
	MUT(16, total + 8);
	expect_reject("rsvmap outside", m, total, -ERANGE, "/", 16, "memory reservation map");
	MUT(16, 8);
	expect_reject("rsvmap in header", m, total, -ERANGE, "/", 16, "memory reservation map");
	MUT(8, base_bb.off_struct + 2);
	expect_reject("misaligned struct", m, total, -EINVAL, "/", 8, "not 4-byte aligned");
	MUT(16, base_bb.off_rsv + 4);
	expect_reject("misaligned rsvmap", m, total, -EINVAL, "/", 16, "not 8-byte aligned");
	MUT(12, base_bb.off_struct + 8);
	put_be32(m + 32, 16);
	expect_reject("strings overlap struct", m, total, -EINVAL, "/", 12, "overlaps");
	MUT(16, base_bb.off_struct + 16);
	expect_reject("rsvmap overlaps struct", m, total, -EINVAL, "/", 16,
		      "overlaps the structure block");
	MUT(16, base_bb.off_strings & ~7u);
	expect_reject("rsvmap in strings", m, total, -EINVAL, "/", ~0u, "");
	/* truncated structure block: the root's FDT_END_NODE and FDT_END cut off */
	MUT(36, base_bb.nst - 8);
	expect_reject("truncated struct", m, total, -EINVAL, "/",
		      base_bb.off_struct + base_bb.nst - 8, "without FDT_END");
	/* FDT_END replaced by NOP: the stream runs off the end of the block */
	MUT(base_bb.off_struct + base_bb.nst - 4, 4);
	expect_reject("missing FDT_END", m, total, -EINVAL, "", base_bb.off_struct + base_bb.nst,
		      "without FDT_END");
	/* reserve map entry in place of its terminator */
	memcpy(m, base_blob, base_size);
	put_be64(m + base_bb.off_rsv + 32, 0x1234);
	put_be64(m + base_bb.off_rsv + 40, 0x1000);
	expect_reject("memreserve not terminated", m, total, -EINVAL, "/", base_bb.off_rsv,
		      "not terminated before offset");
	/* version 16: no size_dt_struct, the block runs up to the strings */
	MUT(20, 16);
	put_be32(m + 36, 0xffffffff);
	{
		struct dt dt;

		CHECK_EQ(dt_init(&dt, m, total), 0);
		CHECK_EQ(dt.size_struct, base_bb.nst);
		walk_everything(&dt);
	}
#undef MUT
}

static uint32_t finish_into(struct bb *b, uint8_t *out, size_t cap)
{
	return bb_finish(b, out, cap);
}

static void dt_init_rejects_bad_structure(void)
{
	static uint8_t m[20000];
	static struct bb b;
	uint32_t total, at, node, prop;
	char deep[DT_PATH_MAX] = "";

	/* unbalanced END_NODE */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	bb_end_node(&b);
	at = b.nst;
	bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("unbalanced END_NODE", m, total, -EINVAL, "", b.off_struct + at,
		      "without a matching");

	/* FDT_END inside a node */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	bb_begin(&b, "a");
	bb_end_node(&b);
	at = b.nst;
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("END inside node", m, total, -EINVAL, "/", b.off_struct + at,
		      "inside a node (1 unclosed)");

	/* second root */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	bb_end_node(&b);
	at = bb_begin(&b, "");
	bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("second root", m, total, -EINVAL, "", b.off_struct + at, "second root");

	/* depth > DT_MAX_DEPTH */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	for (int i = 1; i < DT_MAX_DEPTH; i++) {
		bb_begin(&b, "n");
		strcat(deep, "/n");
	}
	at = bb_begin(&b, "toodeep");
	for (int i = 0; i <= DT_MAX_DEPTH; i++)
		bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("depth > 32", m, total, -EINVAL, deep, b.off_struct + at, "nesting deeper");

	/* node name running to the end of the block */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	at = b.nst;
	bb_tok(&b, 1);
	memcpy(b.st + b.nst, "abcdefgh", 8);
	b.nst += 8;
	bb_str(&b, "x", "y"); /* gives the strings block a NUL-free tail neighbour check */
	b.nst -= 16; /* drop that property again: the name now ends the block */
	total = finish_into(&b, m, sizeof(m));
	expect_reject("name not terminated", m, total, -EINVAL, "/", b.off_struct + at,
		      "not NUL-terminated");

	/* property length past the end of the block */
	memset(&b, 0, sizeof(b));
	node = bb_begin(&b, "");
	bb_begin(&b, "dev");
	prop = bb_cells(&b, "reg", 2, 1, 2);
	bb_end_node(&b);
	bb_end_node(&b);
	bb_tok(&b, 9);
	put_be32(b.st + prop + 4, 0x100);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("prop len past end", m, total, -ERANGE, "/dev", b.off_struct + prop,
		      "property \"reg\" at offset");
	(void)node;

	/* property header cut by the end of the block */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	at = b.nst;
	bb_tok(&b, 3);
	bb_tok(&b, 0);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("prop header cut", m, total, -ERANGE, "/", b.off_struct + at,
		      "header runs past");

	/* name offset past the strings block */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	prop = bb_cells(&b, "x", 1, 1);
	bb_end_node(&b);
	bb_tok(&b, 9);
	put_be32(b.st + prop + 8, 0x40);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("nameoff past strings", m, total, -ERANGE, "/", b.off_struct + prop,
		      "outside the strings block");

	/* property name not terminated inside the strings block */
	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	bb_cells(&b, "first", 1, 1);
	prop = bb_cells(&b, "second", 1, 1);
	bb_end_node(&b);
	bb_tok(&b, 9);
	b.nstr--; /* "second" loses its NUL */
	total = finish_into(&b, m, sizeof(m));
	expect_reject("string not terminated", m, total, -EINVAL, "/", b.off_struct + prop,
		      "not NUL-terminated inside the strings block");

	/* property outside any node, unknown token, named root, empty child name, no root */
	memset(&b, 0, sizeof(b));
	at = bb_cells(&b, "x", 1, 1);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("prop outside node", m, total, -EINVAL, "", b.off_struct + at,
		      "outside any node");

	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	at = b.nst;
	bb_tok(&b, 7);
	bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("unknown token", m, total, -EINVAL, "/", b.off_struct + at,
		      "unknown token 0x00000007");

	memset(&b, 0, sizeof(b));
	at = bb_begin(&b, "root");
	bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("named root", m, total, -EINVAL, "", b.off_struct + at, "has a name");

	memset(&b, 0, sizeof(b));
	bb_begin(&b, "");
	at = bb_begin(&b, "");
	bb_end_node(&b);
	bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("empty name", m, total, -EINVAL, "/", b.off_struct + at, "empty node name");

	memset(&b, 0, sizeof(b));
	bb_tok(&b, 4);
	at = b.nst;
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	expect_reject("no root", m, total, -EINVAL, "", b.off_struct + at, "no root node");

	/* leading NOPs before the root are fine */
	memset(&b, 0, sizeof(b));
	bb_tok(&b, 4);
	bb_begin(&b, "");
	bb_begin(&b, "a");
	bb_end_node(&b);
	bb_end_node(&b);
	bb_tok(&b, 9);
	total = finish_into(&b, m, sizeof(m));
	{
		struct dt dt;

		CHECK_EQ(dt_init(&dt, m, total), 0);
		CHECK_EQ(dt_root(&dt), 4);
		CHECK_EQ(dt_path_offset(&dt, "/a"), 12);
		CHECK_EQ(dt_parent(&dt, 12), 4);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Random mutations, checked against fdt_check_full().                                        */

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

struct mut_stats {
	int runs, ours, theirs, both, only_ours;
};

static void mutate_and_check(const uint8_t *base, uint32_t size, int runs, uint64_t seed,
			     struct mut_stats *st)
{
	uint8_t *m = malloc(size);

	rng_state = seed;
	for (int r = 0; r < runs; r++) {
		struct dt dt;
		int flips = 1 + (int)(rng() % 4);
		int ours, theirs;

		memcpy(m, base, size);
		for (int i = 0; i < flips; i++) {
			uint32_t at = rng() % size;

			switch (rng() % 4) {
			case 0:
				m[at] ^= (uint8_t)(1u << (rng() % 8));
				break;
			case 1:
				m[at] = (uint8_t)rng();
				break;
			case 2:
				m[at] = 0;
				break;
			default: /* a whole big-endian word: hits lengths, offsets, tokens */
				at &= ~3u;
				if (at + 4 <= size)
					put_be32(m + at, rng() % 3 ? rng() % 64 : rng());
			}
		}
		ours = dt_init(&dt, m, size);
		theirs = fdt_check_full(m, size);
		st->runs++;
		st->ours += !ours;
		st->theirs += !theirs;
		if (!ours) {
			walk_everything(&dt);
			if (!theirs) {
				st->both++;
				int before = tap_failed_checks;

				if (dt.version >= 17)
					compare_with_libfdt(m, size);
				if (tap_failed_checks != before && getenv("DT_TEST_SAVE")) {
					char name[64];
					FILE *f;

					snprintf(name, sizeof(name), "/tmp/mut-%d.bin", r);
					f = fopen(name, "wb");
					fwrite(m, 1, size, f);
					fclose(f);
					printf("# saved %s\n", name);
				}
			} else {
				st->only_ours++;
				printf("# run %d: accepted by dt_init, libfdt says %s\n", r,
				       fdt_strerror(theirs));
			}
		} else {
			CHECK(dt.error.msg[0] != '\0');
			CHECK(dt.error.err == ours);
		}
	}
	free(m);
}

static void dt_init_random_mutations(void)
{
	struct mut_stats st = { 0 };

	make_base();
	mutate_and_check(base_blob, base_size, 20000, 0x5eed2024u, &st);
	printf("# %d mutants: dt_init accepted %d, fdt_check_full %d, both %d, only ours %d\n",
	       st.runs, st.ours, st.theirs, st.both, st.only_ours);
	CHECK_EQ(st.only_ours, 0);
	CHECK(st.ours > 100);
}

/* ------------------------------------------------------------------------------------------ */
/* Runner: the fixed cases, then one case per file named on the command line.                 */

static const struct tap_case cases[] = {
	TAP_CASE(dt_init_base_tree_matches_libfdt), TAP_CASE(dt_init_accepts_unaligned_blob),
	TAP_CASE(dt_path_offset_unit_address_rule), TAP_CASE(dt_props_helpers),
	TAP_CASE(dt_reg_decodes_with_parent_cells), TAP_CASE(dt_reg_count_reports_bad_length),
	TAP_CASE(dt_init_rejects_bad_headers), TAP_CASE(dt_init_version_rule_matches_libfdt),	    TAP_CASE(dt_init_rejects_bad_structure),
	TAP_CASE(dt_init_random_mutations),
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/*
 * A file ending in ".dtb" must be accepted by both readers and walk identically; any other file
 * (a crash reproducer from tests/host/dt_corpus/) only has to be handled safely, and when both
 * readers accept it, identically.
 */
static void file_case(const char *path)
{
	size_t size = 0, n = strlen(path);
	uint8_t *blob = read_file(path, &size);
	struct dt dt;
	int nodes;

	if (!blob) {
		printf("# cannot read %s\n", path);
		tap_failed_checks++;
		return;
	}
	if (n > 4 && !strcmp(path + n - 4, ".dtb")) {
		struct mut_stats st = { 0 };
		uint8_t *packed = malloc(size);

		translated_regs = 0;
		nodes = compare_with_libfdt(blob, size);
		printf("# %s: %d nodes, %d reserve entries, totalsize %u, %d reg entries translated "
		       "through \"ranges\" as Linux does\n", base_name(path), nodes,
		       fdt_num_mem_rsv(blob), fdt_totalsize(blob), translated_regs);
		CHECK(nodes > 0);
		/* mutate a packed copy (QEMU pads its dumps to 1 MiB) */
		if (packed && !fdt_open_into(blob, packed, (int)size) && !fdt_pack(packed)) {
			mutate_and_check(packed, fdt_totalsize(packed), 200, size, &st);
			printf("# %d mutants: dt_init took %d, fdt_check_full %d, only ours %d\n",
			       st.runs, st.ours, st.theirs, st.only_ours);
			CHECK_EQ(st.only_ours, 0);
		}
		free(packed);
	} else if (!dt_init(&dt, blob, size)) {
		walk_everything(&dt);
		if (!fdt_check_full(blob, size) && dt.version >= 17) {
			translated_regs = 0;
			compare_with_libfdt(blob, size);
			printf("# %s: %d reg entries translated through \"ranges\", as Linux "
			       "does\n", base_name(path), translated_regs);
		}
	} else {
		printf("# %s rejected: %s: %s\n", base_name(path), dt.error.path, dt.error.msg);
	}
	free(blob);
}

int main(int argc, char **argv)
{
	const char *env = getenv("DT_TEST_DTBS");
	char *envcopy = env ? malloc(strlen(env) + 1) : NULL;
	const char *files[256];
	size_t nfiles = 0, n = ARRAY_SIZE(cases);

	if (envcopy)
		memcpy(envcopy, env, strlen(env) + 1);
	for (int i = 1; i < argc && nfiles < ARRAY_SIZE(files); i++)
		files[nfiles++] = argv[i];
	for (char *t = envcopy ? strtok(envcopy, ": ") : NULL; t && nfiles < ARRAY_SIZE(files);
	     t = strtok(NULL, ": "))
		files[nfiles++] = t;

	printf("TAP version 13\n1..%zu\n", n + nfiles);
	for (size_t i = 0; i < n; i++) {
		tap_failed_checks = 0;
		cases[i].fn();
		printf("%s %zu dt:%s\n", tap_failed_checks ? "not ok" : "ok", i + 1, cases[i].name);
		fflush(stdout);
	}
	for (size_t i = 0; i < nfiles; i++) {
		tap_failed_checks = 0;
		file_case(files[i]);
		printf("%s %zu dt:file_%s\n", tap_failed_checks ? "not ok" : "ok", n + i + 1,
		       base_name(files[i]));
		fflush(stdout);
	}
	free(envcopy);
	return 0;
}
