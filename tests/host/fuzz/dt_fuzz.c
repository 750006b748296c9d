// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for platform/common/dt.c and bootfdt.c: validate arbitrary bytes, and when
// dt_init() accepts them, walk every node, property and reg entry and decode the boot facts,
// then validate the pmem ranges (drivers/pmem/region.c). Oracle: the status-2 contract: every
// problem counted is reported with a message naming a node, and whatever is kept is usable
// (no empty or wrapping range, accepted pmem aligned and disjoint).

#include <platform/bootinfo.h>
#include <platform/dt.h>
#include <pmem/region.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "dt_fuzz: %s\n", why);
	abort();
}

struct reports {
	int n;
};

static void on_dt_error(const struct dt_error *e, void *ctx)
{
	((struct reports *)ctx)->n++;
	if (!e->msg[0])
		fail("bootfdt reported a problem without a message");
}

static void on_pmem_refusal(const char *msg, void *ctx)
{
	((struct reports *)ctx)->n++;
	/* Every refusal starts with the node it is about. */
	if (!msg[0] || msg[0] == ':' || !strchr(msg, ':'))
		fail("pmem refusal does not name its node");
}

static void check_ranges(const struct bi_range *r, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		if (!r[i].size || r[i].base + r[i].size - 1 < r[i].base || !r[i].node[0]) {
			fprintf(stderr, "dt_fuzz: %s range %d kept unusable\n", what, i);
			abort();
		}
}

/* The decoded facts and the pmem verdicts hold what the contract says. */
static void check_boot_facts(struct dt *dt, struct boot_info *bi)
{
	static struct pmem_region out[BI_MAX_PMEM];
	struct reports dt_rep = { 0 }, pmem_rep = { 0 };
	int problems, refused;

	problems = bootfdt_parse(dt, bi, on_dt_error, &dt_rep);
	if (problems < 0 || problems != dt_rep.n)
		fail("bootfdt problem count differs from the reports made");
	if (bi->nr_memory > BI_MAX_MEMORY || bi->nr_reserved > BI_MAX_RESERVED ||
	    bi->nr_pmem > BI_MAX_PMEM || bi->nr_cpus > BI_MAX_CPUS)
		fail("boot_info array overflow");
	check_ranges(bi->memory, bi->nr_memory, "memory");
	check_ranges(bi->reserved, bi->nr_reserved, "reserved");
	check_ranges(bi->pmem, bi->nr_pmem, "pmem");
	refused = pmem_regions_validate(bi, 0x80200000, 0x100000, out, on_pmem_refusal, &pmem_rep);
	if (refused != pmem_rep.n || refused < 0 || refused > bi->nr_pmem)
		fail("pmem refusal count differs from the reports made");
	for (int i = 0; i < bi->nr_pmem; i++) {
		if (!out[i].valid)
			continue;
		refused++;
		if (out[i].base % PMEM_REGION_ALIGN || out[i].size % PMEM_REGION_ALIGN)
			fail("accepted pmem range is not 2 MiB aligned");
		for (int j = 0; j < i; j++)
			if (out[j].valid && out[i].base < out[j].base + out[j].size &&
			    out[j].base < out[i].base + out[i].size)
				fail("two accepted pmem ranges overlap");
	}
	if (refused != bi->nr_pmem)
		fail("a pmem range is neither accepted nor refused");
}

static int same_name_siblings(const struct dt *dt, int n)
{
	const char *name = dt_node_name(dt, n);
	int count = 0;

	for (int c = dt_first_child(dt, dt_parent(dt, n)); c >= 0; c = dt_next_sibling(dt, c))
		count += !strcmp(dt_node_name(dt, c), name);
	return count;
}

static bool unique_path(const struct dt *dt, int n)
{
	for (; n != dt_root(dt); n = dt_parent(dt, n))
		if (same_name_siblings(dt, n) != 1)
			return false;
	return true;
}

static void walk(struct dt *dt)
{
	static struct boot_info bi;
	int depth = 0, nodes = 0;

	for (int n = dt_next_node(dt, -1, &depth); n >= 0; n = dt_next_node(dt, n, &depth)) {
		char path[DT_PATH_MAX];
		const char *name = dt_node_name(dt, n);
		int cnt;

		if (!name || depth < 1 || depth > DT_MAX_DEPTH)
			fail("dt_next_node gave a bad node");
		nodes++;
		if (!dt_node_path(dt, n, path, sizeof(path))) {
			int back = dt_path_offset(dt, path);

			/*
			 * With a duplicate name anywhere on the way a path may resolve elsewhere
			 * (a "name" lookup may also match a sole "name@unit" under the first of
			 * two twins), so only unique paths must lead back to the very node.
			 */
			if (unique_path(dt, n) && back != n)
				fail("unique path does not lead back");
		}
		if ((dt_parent(dt, n) < 0) != (n == dt_root(dt)))
			fail("only the root has no parent");
		for (int c = dt_first_child(dt, n); c >= 0; c = dt_next_sibling(dt, c))
			if (dt_parent(dt, c) != n)
				fail("child's parent differs");
		for (int p = dt_first_prop(dt, n); p >= 0; p = dt_next_prop(dt, p)) {
			const char *pn = NULL;
			uint32_t len = 0, u;
			const uint8_t *v = dt_prop_by_offset(dt, p, &pn, &len);
			volatile uint8_t sink = 0;

			if (!v || !pn)
				fail("listed property unreadable");
			for (uint32_t i = 0; i < len; i++)
				sink ^= v[i];
			if (!dt_getprop(dt, n, pn, NULL))
				fail("listed property not found by name");
			dt_prop_u32(dt, n, pn, &u);
			dt_prop_string(dt, n, pn);
			dt_stringlist_contains(dt, n, pn, "okay");
			if (len && !v[len - 1] && v[0] == '/')
				dt_path_offset(dt, (const char *)v);
			(void)sink;
		}
		dt_node_available(dt, n);
		dt_addr_cells(dt, n);
		dt_size_cells(dt, n);
		cnt = dt_reg_count(dt, n);
		for (int i = 0; i < cnt && i < 256; i++) {
			uint64_t a, s;

			if (dt_reg(dt, n, i, &a, &s))
				fail("dt_reg failed inside dt_reg_count");
			/* translation may refuse, but a success is a range that does not wrap */
			if (!dt_reg_cpu(dt, n, i, &a, &s) && s && a + s - 1 < a)
				fail("dt_reg_cpu returned a wrapping range");
		}
	}
	if (nodes < 1)
		fail("accepted tree without nodes");
	dt_path_offset(dt, "serial0:115200");
	dt_path_offset(dt, "/memory");
	dt_node_by_phandle(dt, 1);
	for (int i = 0; i < dt_num_mem_rsv(dt); i++) {
		uint64_t a, s;

		if (dt_get_mem_rsv(dt, i, &a, &s))
			fail("memreserve entry unreadable");
	}
	check_boot_facts(dt, &bi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt dt;
	/* an exact-size heap copy, so ASan flags any read past what we said is available */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (!dt_init(&dt, copy, size))
		walk(&dt);
	else if (!dt.error.msg[0] || dt.error.err >= 0)
		fail("rejection without a message");
	free(copy);
	return 0;
}
