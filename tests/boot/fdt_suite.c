// SPDX-License-Identifier: BSD-2-Clause
// Suite "fdt": what the device tree said, checked against the live blob and the hardware.
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/console.h>
#include <platform/errno.h>
#include <platform/ktap.h>

static void header_valid(struct ktap_test *t)
{
	KTAP_EXPECT(t, boot.dt_valid);
	KTAP_EXPECT(t, boot.dt.version >= 16);
	KTAP_EXPECT_EQ(t, boot.bi.dtb_size, boot.dt.size);
	KTAP_EXPECT(t, boot.dt.off_struct < boot.dt.size && boot.dt.off_strings < boot.dt.size);
}

static bool same_path(const char *path, int node)
{
	char other[DT_PATH_MAX];

	return node >= 0 && !dt_node_path(&boot.dt, node, other, sizeof(other)) &&
	       !strcmp(path, other);
}

/* Every node's path must lead back to the node: walk, path and lookup agree on the live tree. */
static void every_path_resolves(struct ktap_test *t)
{
	char path[DT_PATH_MAX];
	int depth = 0, nodes = 0, too_long = 0, shadowed = 0;

	for (int n = dt_next_node(&boot.dt, -1, &depth); n >= 0;
	     n = dt_next_node(&boot.dt, n, &depth)) {
		nodes++;
		/* a path too long to name was reported at decode (invalid input, status 2) */
		if (dt_node_path(&boot.dt, n, path, sizeof(path)) == -ERANGE) {
			too_long++;
			continue;
		}
		/* a sibling of the same name shadows it; reported at decode (status 2) */
		if (dt_path_offset(&boot.dt, path) != n && same_path(path, dt_path_offset(&boot.dt, path))) {
			shadowed++;
			continue;
		}
		if (dt_path_offset(&boot.dt, path) != n) {
			ktap_fail(t, __FILE__, __LINE__, "%s resolves to %d, walk found %d", path,
				  dt_path_offset(&boot.dt, path), n);
		}
	}
	ktap_printf("    # fdt: %d nodes, %d with a path longer than %d bytes, %d shadowed by a "
		    "sibling of the same name\n", nodes, too_long, DT_PATH_MAX - 1, shadowed);
	KTAP_EXPECT(t, nodes > 3);
}

static void memory_found(struct ktap_test *t)
{
	const struct boot_info *bi = &boot.bi;

	KTAP_EXPECT(t, bi->nr_memory >= 1);
	for (int i = 0; i < bi->nr_memory; i++) {
		KTAP_EXPECT(t, bi->memory[i].size > 0);
		for (int j = 0; j < i; j++)
			KTAP_EXPECT(t, bi->memory[i].base >= bi->memory[j].base + bi->memory[j].size ||
					       bi->memory[j].base >= bi->memory[i].base +
									     bi->memory[i].size);
	}
	/* This image runs from RAM, so some bank must hold it. */
	bool holds_image = false;
	for (int i = 0; i < bi->nr_memory; i++)
		holds_image |= boot.image_base >= bi->memory[i].base &&
			       boot.image_base + boot.image_size <=
				       bi->memory[i].base + bi->memory[i].size;
	KTAP_EXPECT(t, holds_image);
}

static void chosen_console(struct ktap_test *t)
{
	const struct boot_info *bi = &boot.bi;

	if (!bi->stdout_path[0]) {
		ktap_skip(t, "no /chosen/stdout-path");
		return;
	}
	if (bi->uart_refused) {
		ktap_skip(t, "the stdout UART's address could not be decoded (reported at boot)");
		return;
	}
	if (bi->uart_kind == BI_UART_NONE) {
		/* Names no node (reported at boot, status 2) or a UART we do not drive. */
		ktap_skip(t, "stdout-path \"%s\" names no UART we drive", bi->stdout_path);
		return;
	}
	KTAP_EXPECT(t, bi->uart_base != 0);
	KTAP_EXPECT(t, strstr(console_name(), "@0x") != NULL);
}

static void cpus_found(struct ktap_test *t)
{
	const struct boot_info *bi = &boot.bi;
	bool boot_cpu_listed = false;

	KTAP_EXPECT(t, bi->nr_cpus >= 1);
	for (int i = 0; i < bi->nr_cpus; i++) {
		ktap_printf("    # cpu%d: hwid 0x%llx %s%s%s\n", i, (unsigned long long)bi->cpus[i].hwid,
			    bi->cpus[i].okay ? "okay" : "disabled",
			    bi->cpus[i].enable_method[0] ? " enable-method " : "",
			    bi->cpus[i].enable_method);
		for (int j = 0; j < i; j++)
			KTAP_EXPECT(t, bi->cpus[i].hwid != bi->cpus[j].hwid);
		/* arm64 MPIDR carries bits beyond affinity; compare the affinity fields. */
		boot_cpu_listed |= bi->cpus[i].hwid == (boot.boot_cpu_hwid & 0xff00ffffffULL);
	}
	KTAP_EXPECT(t, boot_cpu_listed);
}

static void timer_runs(struct ktap_test *t)
{
	uint64_t hz = arch_counter_hz();
	uint64_t a = arch_counter();

	KTAP_EXPECT(t, hz >= 1000000 && hz <= 10000000000ULL);
	for (volatile int i = 0; i < 20000; i++)
		;
	KTAP_EXPECT(t, arch_counter() > a);
}

static void pmem_nodes_decoded(struct ktap_test *t)
{
	int nodes = 0, ranges = 0;

	for (int n = dt_next_compatible(&boot.dt, -1, "pmem-region"); n >= 0;
	     n = dt_next_compatible(&boot.dt, n, "pmem-region")) {
		if (!dt_node_available(&boot.dt, n))
			continue;
		nodes++;
		/* A node whose reg is missing or malformed counts as one refused range. */
		int count = dt_reg_count(&boot.dt, n);
		ranges += count >= 0 ? count : 1;
	}
	if (nodes == 0) {
		ktap_skip(t, "the tree has no pmem-region node");
		return;
	}
	/* One range per reg entry, less those refused at decode (each reported as invalid input). */
	KTAP_EXPECT_EQ(t, boot.bi.nr_pmem + boot.bi.pmem_refused, ranges);
	for (int i = 0; i < boot.bi.nr_pmem; i++) {
		const struct bi_range *p = &boot.bi.pmem[i];
		ktap_printf("    # pmem-region %s: [mem 0x%016llx-0x%016llx] %s\n", p->node,
			    (unsigned long long)p->base, (unsigned long long)(p->base + p->size - 1),
			    p->is_volatile ? "volatile" : "persistent");
	}
}

static const struct ktap_case fdt_cases[] = {
	KTAP_CASE(header_valid),   KTAP_CASE(every_path_resolves), KTAP_CASE(memory_found),
	KTAP_CASE(chosen_console), KTAP_CASE(cpus_found),	   KTAP_CASE(timer_runs),
	KTAP_CASE(pmem_nodes_decoded),
};

const struct ktap_suite fdt_suite = {
	.name = "fdt",
	.cases = fdt_cases,
	.nr_cases = ARRAY_SIZE(fdt_cases),
};
