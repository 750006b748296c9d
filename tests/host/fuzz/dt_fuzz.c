// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for platform/common/dt.c and bootfdt.c: validate arbitrary bytes, and when
// dt_init() accepts them, walk every node, property and reg entry and decode the boot facts.

#include <platform/bootinfo.h>
#include <platform/dt.h>

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
	bootfdt_parse(dt, &bi, NULL, NULL);
	if (bi.nr_memory > BI_MAX_MEMORY || bi.nr_reserved > BI_MAX_RESERVED ||
	    bi.nr_pmem > BI_MAX_PMEM || bi.nr_cpus > BI_MAX_CPUS)
		fail("boot_info array overflow");
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
