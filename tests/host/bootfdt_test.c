// SPDX-License-Identifier: BSD-2-Clause
// Host tests of bootfdt_parse() (platform/common/bootfdt.c) on the dts/fixtures/ trees, compiled
// by dtc at build time. Usage: bootfdt_test boot-riscv.dtb boot-arm64.dtb bad-reg.dtb [qemu.dtb...]
// Fixtures are recognised by file name; any other DTB must decode with no problem reported.

#include <platform/bootinfo.h>
#include <platform/dt.h>
#include <platform/errno.h>

#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "tap.h"

int tap_failed_checks;

struct reports {
	int n;
	char lines[32][DT_PATH_MAX + 340];
	uint32_t offsets[32];
};

static void collect(const struct dt_error *e, void *ctx)
{
	struct reports *r = ctx;

	printf("# report: %s: %s\n", e->path, e->msg);
	if (r->n < 32) {
		snprintf(r->lines[r->n], sizeof(r->lines[0]), "%s: %s", e->path, e->msg);
		r->offsets[r->n] = e->offset;
	}
	r->n++;
}

static bool reported(const struct reports *r, const char *needle)
{
	for (int i = 0; i < r->n && i < 32; i++)
		if (strstr(r->lines[i], needle))
			return true;
	printf("# no report contains \"%s\"\n", needle);
	return false;
}

static struct dt dt;
static struct boot_info bi;
static struct reports rep;

#define CHECK_RANGE(r, b, s, name)                                                                 \
	do {                                                                                       \
		CHECK_EQ((r).base, (b));                                                           \
		CHECK_EQ((r).size, (s));                                                           \
		CHECK_STREQ((r).node, (name));                                                     \
	} while (0)

static void check_riscv(void)
{
	CHECK_EQ(bi.errors, 0);
	CHECK_EQ(rep.n, 0);
	CHECK_STREQ(bi.model, "zonedev fixture riscv");
	CHECK_STREQ(bi.bootargs, "zonedev.suite=all zonedev.seed=42");
	CHECK_STREQ(bi.stdout_path, "serial0");
	CHECK_EQ(bi.uart_kind, BI_UART_NS16550);
	CHECK_EQ(bi.uart_base, 0x10000000);
	CHECK_STREQ(bi.uart_node, "serial@10000000");

	CHECK_EQ(bi.nr_memory, 3);
	CHECK_RANGE(bi.memory[0], 0x80000000, 0x40000000, "memory@80000000");
	CHECK_RANGE(bi.memory[1], 0x100000000, 0x10000000, "memory@100000000");
	CHECK_RANGE(bi.memory[2], 0x120000000, 0x08000000, "memory@100000000");
	CHECK_EQ(bi.memory[1].dt_offset, bi.memory[2].dt_offset);

	CHECK_EQ(bi.nr_reserved, 4);
	CHECK_RANGE(bi.reserved[0], 0x80000000, 0x40000, "mmode_resv0@80000000");
	CHECK(bi.reserved[0].no_map);
	CHECK_RANGE(bi.reserved[1], 0x90000000, 0x100000, "framebuffer@90000000");
	CHECK(!bi.reserved[1].no_map);
	CHECK_RANGE(bi.reserved[2], 0x80000000, 0x20000, "/memreserve/");
	CHECK_RANGE(bi.reserved[3], 0xbff00000, 0x100000, "/memreserve/");
	CHECK_EQ(bi.reserved[2].dt_offset, dt.off_rsvmap);
	CHECK_EQ(bi.reserved[3].dt_offset, dt.off_rsvmap + 16);
	CHECK(!bi.reserved[2].no_map);

	CHECK_EQ(bi.nr_pmem, 3);
	CHECK_RANGE(bi.pmem[0], 0xc0000000, 0x08000000, "pmem@c0000000");
	CHECK_RANGE(bi.pmem[1], 0xd0000000, 0x04000000, "pmem@c0000000");
	CHECK_RANGE(bi.pmem[2], 0xe0000000, 0x02000000, "pmem@e0000000");
	CHECK(!bi.pmem[0].is_volatile && !bi.pmem[1].is_volatile);
	CHECK(bi.pmem[2].is_volatile);
	CHECK(bi.pmem[0].dt_offset > dt.off_struct && bi.pmem[0].dt_offset < dt.size);

	CHECK_EQ(bi.nr_cpus, 3);
	CHECK_EQ(bi.cpus[0].hwid, 0);
	CHECK_EQ(bi.cpus[1].hwid, 2);
	CHECK_EQ(bi.cpus[2].hwid, 5);
	CHECK(bi.cpus[0].okay && !bi.cpus[1].okay && bi.cpus[2].okay);
	CHECK_STREQ(bi.cpus[0].enable_method, "");
	CHECK_EQ(bi.timebase_hz, 10000000);
	CHECK_STREQ(bi.isa, "rv64imafdc_zicbom_zicsr");
	CHECK_STREQ(bi.isa_extensions, "i,m,a,f,d,c,zicbom,zicsr");

	CHECK_EQ(bi.finisher_base, 0x100000);
	CHECK_EQ(bi.psci, BI_PSCI_NONE);
	CHECK_STREQ(bi.psci_compat, "");
	CHECK_EQ(bi.gic_version, 0);
}

static void check_arm64(void)
{
	CHECK_EQ(bi.errors, 0);
	CHECK_EQ(rep.n, 0);
	/* a long model is cut to fit, silently */
	CHECK_EQ(strlen(bi.model), BI_NAME_MAX - 1);
	CHECK(!strncmp(bi.model, "zonedev fixture arm64 with a model", 34));
	CHECK_STREQ(bi.bootargs, "");
	CHECK_STREQ(bi.stdout_path, "/pl011@9000000");
	CHECK_EQ(bi.uart_kind, BI_UART_PL011);
	CHECK_EQ(bi.uart_base, 0x9000000);
	CHECK_STREQ(bi.uart_node, "pl011@9000000");
	CHECK_EQ(bi.nr_memory, 1);
	CHECK_RANGE(bi.memory[0], 0x40000000, 0x80000000, "memory@40000000");
	CHECK_EQ(bi.nr_reserved, 0);
	CHECK_EQ(bi.nr_pmem, 1);
	CHECK_RANGE(bi.pmem[0], 0x140000000, 0x40000000, "pmem@140000000");
	CHECK_EQ(bi.nr_cpus, 3);
	CHECK_EQ(bi.cpus[0].hwid, 0);
	CHECK_EQ(bi.cpus[1].hwid, 0x100);
	CHECK_EQ(bi.cpus[2].hwid, 0x100000000);
	CHECK_STREQ(bi.cpus[0].enable_method, "psci");
	CHECK_STREQ(bi.cpus[2].enable_method, "spin-table");
	CHECK_EQ(bi.timebase_hz, 62500000);
	CHECK_STREQ(bi.isa, "");
	CHECK_STREQ(bi.isa_extensions, "");
	CHECK_EQ(bi.psci, BI_PSCI_SMC);
	CHECK_STREQ(bi.psci_compat, "arm,psci-1.0");
	CHECK_EQ(bi.gic_version, 3);
	CHECK_EQ(bi.finisher_base, 0);
	CHECK_EQ(bi.cpus[2].release_addr, 0x8000fff8);
	CHECK_EQ(bi.cpus[0].release_addr, 0);
}

static void check_bad_reg(void)
{
	CHECK_EQ(bi.errors, 10);
	CHECK_EQ(rep.n, 10);
	CHECK(reported(&rep, "/chosen: property \"bootargs\" at offset 0x"));
	CHECK(reported(&rep, "not a NUL-terminated string"));
	CHECK(reported(&rep, "\"/soc/nothing@0\" names no node"));
	CHECK(reported(&rep, "/memory@80000000: property \"reg\" at offset 0x"));
	CHECK(reported(&rep, "length 12 is not a multiple of 16 (#address-cells=2, "
			     "#size-cells=2 of /)"));
	/* memory@0's size-0 entry is a boot loader's placeholder: skipped, not reported */
	CHECK(!reported(&rep, "/memory@0:"));
	CHECK(!reported(&rep, "has size 0"));
	CHECK(reported(&rep, "/reserved-memory/nothing@0: node at offset 0x"));
	CHECK(reported(&rep, "/pmem@c0000000: property \"reg\""));
	CHECK(reported(&rep, "/pmem@100000000: property \"reg\""));
	CHECK(reported(&rep, "more than 16 pmem-region ranges"));
	CHECK(reported(&rep, "/psci: property \"method\""));
	CHECK(reported(&rep, "\"svc\" is neither"));
	CHECK(reported(&rep, "/cpus: property \"timebase-frequency\""));
	CHECK(reported(&rep, "/cpus/cpu@1: node at offset 0x"));
	CHECK(reported(&rep, "/cpus/cpu@2: property \"reg\""));
	CHECK(reported(&rep, "(#address-cells=1, #size-cells=0 of /cpus)"));
	for (int i = 0; i < rep.n && i < 32; i++)
		CHECK(rep.offsets[i] > dt.off_struct && rep.offsets[i] < dt.off_strings);

	/* what was valid is still decoded */
	CHECK_STREQ(bi.model, "zonedev fixture bad-reg");
	CHECK_STREQ(bi.bootargs, "");
	CHECK_STREQ(bi.stdout_path, "/soc/nothing@0");
	CHECK_EQ(bi.uart_kind, BI_UART_NONE);
	CHECK_EQ(bi.nr_memory, 1);
	CHECK_RANGE(bi.memory[0], 0x1000000, 0x1000000, "memory@0");
	CHECK_EQ(bi.nr_reserved, 1);
	CHECK_RANGE(bi.reserved[0], 0x88000000, 0x10000, "good@88000000");
	CHECK(bi.reserved[0].no_map);
	CHECK_EQ(bi.nr_pmem, BI_MAX_PMEM);
	CHECK_RANGE(bi.pmem[BI_MAX_PMEM - 1], 0x10f000000, 0x100000, "pmem@100000000");
	CHECK_EQ(bi.nr_cpus, 1);
	CHECK_EQ(bi.cpus[0].hwid, 0);
	CHECK_EQ(bi.timebase_hz, 0);
	CHECK_EQ(bi.psci, BI_PSCI_NONE);
	CHECK_STREQ(bi.psci_compat, "arm,psci-1.0");
}

/* Raspberry Pi 3 shape: bus 0x7e000000 is CPU 0x3f000000, a 1-cell bus under a 1-cell root. */
static void check_rpi3(void)
{
	CHECK_EQ(bi.errors, 0);
	CHECK_EQ(rep.n, 0);
	CHECK_STREQ(bi.stdout_path, "serial0");
	CHECK_STREQ(bi.uart_node, "serial@7e201000");
	CHECK_EQ(bi.uart_kind, BI_UART_PL011);
	CHECK_EQ(bi.uart_base, 0x3f201000);
	CHECK(!bi.uart_refused);
	CHECK_EQ(bi.nr_memory, 1);
	CHECK_RANGE(bi.memory[0], 0, 0x3b400000, "memory@0");
	CHECK_EQ(bi.nr_reserved, 1);
	CHECK_RANGE(bi.reserved[0], 0x3b000000, 0x400000, "carveout@3b000000");
	{
		uint64_t a, sz;
		int n = dt_path_offset(&dt, "/soc/serial@7e215040");

		CHECK_EQ(dt_reg_cpu(&dt, n, 0, &a, &sz), 0);
		CHECK_EQ(a, 0x3f215040);
		CHECK_EQ(sz, 0x40);
		n = dt_path_offset(&dt, "/soc/local_intc@40000000");
		CHECK_EQ(dt_reg_cpu(&dt, n, 0, &a, &sz), 0);
		CHECK_EQ(a, 0x40000000);
	}
}

/* dts/fixtures/translate.dts: what each node's comment says. */
static void check_translate(void)
{
	CHECK_EQ(bi.uart_kind, BI_UART_NS16550);
	CHECK_EQ(bi.uart_base, 0x10000000);
	CHECK_EQ(bi.finisher_base, 0x10100000);
	CHECK_EQ(bi.nr_pmem, 4);
	CHECK_RANGE(bi.pmem[0], 0x90000000, 0x2000000, "pmem@90000000");
	CHECK_RANGE(bi.pmem[1], 0x100000000, 0x2000000, "pmem@20000000");
	CHECK_RANGE(bi.pmem[2], 0xa4200000, 0x2000000, "pmem@1200000");
	CHECK(bi.pmem[2].is_volatile);
	CHECK_RANGE(bi.pmem[3], 0xfffffffffff00000, 0x100000, "pmem@0");
	CHECK_EQ(bi.pmem_refused, 4);
	CHECK(reported(&rep, "/soc/pmem@24000000: pmem-region range 0 refused: range "
			     "0x24000000+0x8000000 cannot be translated: it runs past the end of "
			     "the window 0x20000000+0x8000000 in \"ranges\" of /soc"));
	CHECK(reported(&rep, "/soc/pmem@40000000: pmem-region range 0 refused: address "
			     "0x40000000 cannot be translated: no window of \"ranges\" of /soc "
			     "covers it"));
	CHECK(reported(&rep, "/i2c@0/pmem@0: pmem-region range 0 refused: address 0x0 cannot "
			     "be translated: bus /i2c@0 has no \"ranges\""));
	CHECK(reported(&rep, "/top/pmem@100000: pmem-region range 0 refused: range "
			     "0x100000+0x100000 cannot be translated"));
	/* the reservation whose parent has no ranges is kept where the tree put it */
	CHECK_EQ(bi.nr_reserved, 1);
	CHECK_RANGE(bi.reserved[0], 0x9f000000, 0x100000, "carveout@9f000000");
	CHECK(bi.reserved[0].no_map);
	CHECK_EQ(bi.reserved_dropped, 0);
	CHECK(reported(&rep, "/reserved-memory/carveout@9f000000: reserved-memory range 0 "
			     "reserved at 0x9f000000 as given: address 0x9f000000 cannot be "
			     "translated: bus /reserved-memory has no \"ranges\""));
	CHECK_EQ(bi.errors, 5);
	CHECK_EQ(rep.n, 5);
}

/* 5 x 60-byte names: the 5th level's path is 5 * (1 + 60) = 305 bytes, reported once. */
static void check_long_path(void)
{
	char a[64];

	memset(a, 'a', 59);
	a[59] = '\0';
	CHECK_EQ(bi.errors, 1);
	CHECK_EQ(rep.n, 1);
	CHECK(reported(&rep, "its path is 305 bytes, longer than the 255 this kernel names nodes "
			     "by"));
	CHECK(strstr(rep.lines[0], a) != NULL);
	CHECK_EQ(bi.nr_memory, 1);
}

/* dt_corpus/duplicate-sibling-names.bin: two /memory@80000000; the second one is named. */
static void check_duplicate_names(void)
{
	CHECK(reported(&rep, "/memory@80000000: node at offset 0x"));
	CHECK(reported(&rep, "has the same name; its path names that one"));
	CHECK(bi.errors >= 1);
}

/* The UART at @path decodes to @kind at @base with @shift and @width (bootfdt_uart()). */
static void check_uart(const char *path, enum bi_uart_kind kind, uint64_t base, int shift,
		       int width)
{
	struct bi_uart u = { BI_UART_NONE, 0, 0, 0 };
	int node = dt_path_offset(&dt, path);

	printf("# %s\n", path);
	CHECK(node >= 0);
	CHECK_EQ(bootfdt_uart(&dt, node, &u), 0);
	CHECK_EQ(u.kind, kind);
	CHECK_EQ(u.base, base);
	CHECK_EQ(u.reg_shift, shift);
	CHECK_EQ(u.io_width, width);
}

/* The UART at @path is refused with @err and, when @msg, a message containing it. */
static void check_uart_refused(const char *path, int err, const char *msg)
{
	struct bi_uart u = { BI_UART_NONE, 0, 0, 0 };
	int node = dt_path_offset(&dt, path);

	printf("# %s\n", path);
	CHECK(node >= 0);
	dt.error.msg[0] = '\0';
	CHECK_EQ(bootfdt_uart(&dt, node, &u), err);
	CHECK_EQ(u.kind, BI_UART_NONE);
	if (msg && !strstr(dt.error.msg, msg)) {
		printf("# \"%s\" does not contain \"%s\"\n", dt.error.msg, msg);
		tap_failed_checks++;
	}
}

/* dts/fixtures/uarts.dts: what each node's comment and the file's header say. */
static void check_uarts(void)
{
	struct bi_uart u = { BI_UART_NONE, 0, 0, 0 };

	/* stdout-path through an alias to the mini UART: a 16550 at stride 4, 32-bit accesses */
	CHECK_STREQ(bi.stdout_path, "serial1");
	CHECK_STREQ(bi.uart_node, "serial@1040");
	CHECK_STREQ(bi.uart_compat, "brcm,bcm2835-aux-uart");
	CHECK_EQ(bi.uart_kind, BI_UART_NS16550);
	CHECK_EQ(bi.uart_base, 0x20001040);
	CHECK_EQ(bi.uart_reg_shift, 2);
	CHECK_EQ(bi.uart_io_width, 4);
	CHECK_EQ(bootfdt_stdout_uart(&dt, &u), 0);
	CHECK_EQ(u.kind, BI_UART_NS16550);
	CHECK_EQ(u.base, 0x20001040);
	check_uart("/soc/serial@0", BI_UART_NS16550, 0x20000000, 2, 4);
	check_uart("/soc/serial@1040", BI_UART_NS16550, 0x20001040, 2, 4);
	check_uart("/soc/serial@2000", BI_UART_NS16550, 0x20002040, 0, 2);
	check_uart("/soc/serial@3000", BI_UART_SIFIVE, 0x20003000, 0, 4);
	check_uart("/soc/serial@4000", BI_UART_CDNS, 0x20004000, 0, 4);
	check_uart("/soc/serial@5000", BI_UART_PL011, 0x20005000, 0, 4);
	check_uart_refused("/soc/serial@6000", -EINVAL, "\"reg-shift\" at offset 0x");
	check_uart_refused("/soc/serial@7000", -EINVAL, "\"reg-io-width\" at offset 0x");
	check_uart_refused("/soc/serial@8000", -EOPNOTSUPP, NULL);
	check_uart_refused("/soc/serial@9000", -EINVAL, "expected 4 (one cell)");
	check_uart_refused("/soc/serial@a000", -ERANGE, "no window of \"ranges\" of /soc");

	/* spin-table release addresses: 2 cells, 1 cell; 3 cells are reported */
	CHECK_EQ(bi.nr_cpus, 4);
	CHECK_STREQ(bi.cpus[0].enable_method, "spin-table");
	CHECK_EQ(bi.cpus[0].release_addr, 0xd8);
	CHECK_STREQ(bi.cpus[0].mmu_type, "riscv,sv39");
	CHECK_STREQ(bi.mmu_type, "riscv,sv39");
	CHECK_EQ(bi.cpus[1].release_addr, 0xe0);
	CHECK_STREQ(bi.cpus[1].mmu_type, "");
	CHECK_EQ(bi.cpus[2].release_addr, 0);
	CHECK_EQ(bi.cpus[3].release_addr, 0);
	CHECK_EQ(bi.poweroff_base, 0x20080008);
	CHECK_EQ(bi.poweroff_value, 1);
	CHECK_EQ(bi.poweroff_mask, 1);
	/* a missing one is the firmware's to add (shipped Qualcomm trees): not reported */
	CHECK_EQ(bi.errors, 1);
	CHECK(reported(&rep, "/cpus/cpu@3: property \"cpu-release-addr\" at offset 0x"));
	CHECK(reported(&rep, "length 12, expected 8 (two cells)"));
}

/*
 * QEMU riscv64 virt with 72 harts, more than BI_MAX_CPUS: the ones past the limit are named;
 * the boot cpu (here hart 70, as OpenSBI may pick) keeps a place, the 64th recorded gives it up.
 */
static void check_many_harts(void)
{
	bool listed = false;

	CHECK_EQ(bi.nr_cpus, BI_MAX_CPUS);
	CHECK(reported(&rep, "cpu 0x40 dropped, more than 64 cpus"));
	memset(&rep, 0, sizeof(rep));
	dt.boot_cpuid = 70;
	CHECK_EQ(bootfdt_parse(&dt, &bi, collect, &rep), bi.errors);
	CHECK_EQ(bi.nr_cpus, BI_MAX_CPUS);
	for (int i = 0; i < bi.nr_cpus; i++)
		listed |= bi.cpus[i].hwid == 70;
	CHECK(listed);
	CHECK(reported(&rep, "cpu 0x3f dropped for boot cpu 0x46, more than 64 cpus"));
	CHECK(reported(&rep, "cpu 0x47 dropped, more than 64 cpus"));
}

/* A tree QEMU made: no problems, and the basics a boot needs are there. */
static void check_generic(void)
{
	CHECK_EQ(bi.errors, 0);
	CHECK(bi.nr_memory >= 1);
	CHECK(bi.nr_cpus >= 1);
	CHECK(bi.uart_kind != BI_UART_NONE || bi.stdout_path[0] == '\0');
	CHECK(bi.uart_kind == BI_UART_NONE || bi.uart_base != 0);
	printf("# model \"%s\", %d memory, %d reserved, %d pmem, %d cpus, console %s at 0x%llx, "
	       "timebase %llu, psci %d, gic %d, finisher 0x%llx\n",
	       bi.model, bi.nr_memory, bi.nr_reserved, bi.nr_pmem, bi.nr_cpus, bi.uart_node,
	       (unsigned long long)bi.uart_base, (unsigned long long)bi.timebase_hz, bi.psci,
	       bi.gic_version, (unsigned long long)bi.finisher_base);
}

static const struct {
	const char *file;
	void (*check)(void);
} fixtures[] = {
	{ "boot-riscv.dtb", check_riscv },
	{ "boot-arm64.dtb", check_arm64 },
	{ "bad-reg.dtb", check_bad_reg },
	{ "rpi3-soc.dtb", check_rpi3 },
	{ "translate.dtb", check_translate },
	{ "long-path.dtb", check_long_path },
	{ "uarts.dtb", check_uarts },
	{ "duplicate-sibling-names.bin", check_duplicate_names },
	{ "qemu-riscv64-smp72.dtb", check_many_harts },
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static void run_file(const char *path)
{
	size_t size = 0;
	uint8_t *blob = read_file(path, &size);
	void (*check)(void) = check_generic;
	int ret;

	if (!blob) {
		printf("# cannot read %s\n", path);
		tap_failed_checks++;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++)
		if (!strcmp(base_name(path), fixtures[i].file))
			check = fixtures[i].check;
	memset(&rep, 0, sizeof(rep));
	CHECK_EQ(dt_init(&dt, blob, size), 0);
	ret = bootfdt_parse(&dt, &bi, collect, &rep);
	CHECK_EQ(ret, bi.errors);
	CHECK_EQ(bi.dtb_size, dt.size);
	CHECK_EQ(bi.dtb_base, (uint64_t)(uintptr_t)blob);
	check();
	free(blob);
}

static void bootfdt_parse_rejects_unvalidated_tree(void)
{
	static const uint8_t junk[64];
	struct reports r = { 0 };

	CHECK(dt_init(&dt, junk, sizeof(junk)) < 0);
	CHECK_EQ(bootfdt_parse(&dt, &bi, collect, &r), 1);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(bootfdt_parse(&dt, &bi, NULL, NULL), 1);
}

int main(int argc, char **argv)
{
	bool seen[ARRAY_SIZE(fixtures)] = { false };
	int n = 1;

	printf("TAP version 13\n1..%zu\n", (size_t)(argc - 1) + 1 + ARRAY_SIZE(fixtures));
	tap_failed_checks = 0;
	bootfdt_parse_rejects_unvalidated_tree();
	printf("%s %d bootfdt:bootfdt_parse_rejects_unvalidated_tree\n",
	       tap_failed_checks ? "not ok" : "ok", n++);
	for (int i = 1; i < argc; i++) {
		for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++)
			if (!strcmp(base_name(argv[i]), fixtures[k].file))
				seen[k] = true;
		tap_failed_checks = 0;
		run_file(argv[i]);
		printf("%s %d bootfdt:file_%s\n", tap_failed_checks ? "not ok" : "ok", n++,
		       base_name(argv[i]));
		fflush(stdout);
	}
	/* every fixture must have been given: a missing one is a failure, not a silent pass */
	for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++)
		printf("%s %d bootfdt:fixture_given_%s\n", seen[k] ? "ok" : "not ok", n++,
		       fixtures[k].file);
	return 0;
}
