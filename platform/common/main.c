// SPDX-License-Identifier: BSD-2-Clause
// The boot flow: device tree, console, boot arguments, early memory map, then the suites, the
// report and the exit status (SPEC "The workload, in order").
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/console.h>
#include <platform/errno.h>
#include <platform/exit.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/panic.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <arch/tlbflush.h>
#include <mm/hugetlb.h>
#include <mm/memblock.h>

/* A blob bigger than this is refused rather than trusted: we cannot know what lies beyond. */
#define DTB_MAX_SIZE (8u << 20)

struct boot_state boot;

int iomem_boot_init(void);
void mm_locks_init(void);
uintptr_t va_pa_offset;
uintptr_t kimage_voffset;


/*
 * Until the page tables exist, the guard below the boot stack is a pattern, not an unmapped page:
 * an overflow is found afterwards instead of at the faulting store.
 */
#define STACK_GUARD_PATTERN 0x5a5aa5a5c3c33c3cULL

static void stack_guard_fill(void)
{
	for (uint64_t *p = (uint64_t *)__stack_guard; p < (uint64_t *)__stack_bottom; p++)
		*p = STACK_GUARD_PATTERN;
}

static void stack_guard_check(void)
{
	/* Once the final tables are in, the guard page is unmapped and the MMU does the checking. */
	if (paging_installed())
		return;
	for (uint64_t *p = (uint64_t *)__stack_guard; p < (uint64_t *)__stack_bottom; p++)
		if (*p != STACK_GUARD_PATTERN)
			panic("boot stack overflow: guard word at 0x%lx was overwritten",
			      (unsigned long)(uintptr_t)p);
}

/* The stack starts zeroed (it lives in BSS): the lowest non-zero word marks the deepest use. */
static uint64_t stack_high_water(void)
{
	uint64_t *p = (uint64_t *)__stack_bottom;

	while (p < (uint64_t *)__stack_top && *p == 0)
		p++;
	return (uint64_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* crash=stack: recurse (the bound is far beyond any stack) until the guard page stops it. */
static __attribute__((noinline)) uint64_t recurse_deep(volatile uint64_t depth)
{
	volatile uint64_t frame[64];

	frame[depth % 64] = depth;
	if (depth > (1ULL << 40))
		return depth;
	return recurse_deep(depth + 1) + frame[depth % 64];
}

/* crash=load|store|exec|illegal|break: take that exception, unexpected, for the trap report. */
static void trigger_fault(const char *kind)
{
	/* Through a variable the compiler cannot see into, so it emits the access. */
	static volatile uintptr_t bad_addr;
	volatile uint64_t *bad;

	bad_addr = arch_fault_address();
	bad = (volatile uint64_t *)bad_addr;
	if (!strcmp(kind, "load"))
		(void)*bad;
	else if (!strcmp(kind, "store"))
		*bad = 1;
	else if (!strcmp(kind, "exec"))
		((void (*)(void))bad_addr)();
	else
		arch_trigger_trap(kind);
}

/*
 * crash=hvo: a plain store to a tail struct page of an HVO-optimized folio, which must be
 * caught (read-only shared vmemmap page) and reported as such.
 */
static void write_optimized_tail(void)
{
	struct folio *f;

	hugetlb_init(true);
	if (hugetlb_pool_grow(&hstates[0], 1) != 1)
		panic("crash=hvo: no 2 MiB folio to optimize");
	f = hugetlb_folio_alloc(&hstates[0]);
	if (!f || !hugetlb_vmemmap_optimized(f))
		panic("crash=hvo: the folio was not optimized");
	pr_info("crash=hvo: writing the struct page of pfn 0x%lx\n", folio_pfn(f) + 100);
	*(volatile unsigned long *)&folio_page(f, 100)->flags = 0;
}

static void recurse_on_cpu(void *info)
{
	(void)info;
	recurse_deep(0);
}

/*
 * What each suite cost: instructions, guest time and TLB shootdowns reaching other CPUs, so a
 * slow multi-CPU run shows where its time went.
 */
static void run_suite_timed(const struct ktap_suite *s, size_t num)
{
	uint64_t insns = arch_insn_count(), t0 = arch_counter(), hz = arch_counter_hz();
	unsigned long shoot = tlb_remote_shootdowns;
	uint64_t ms;

	ktap_run_suite(s, num);
	ms = hz ? (arch_counter() - t0) * 1000 / hz : 0;
	ktap_printf("# suite %s: %llu insns on cpu%u, %llu.%03llu s, %lu remote TLB shootdowns\n",
		    s->name, (unsigned long long)(arch_insn_count() - insns), smp_processor_id(),
		    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		    tlb_remote_shootdowns - shoot);
}

static const struct ktap_suite *const suites[] = {
	&fdt_suite,  &memmap_suite, &pgtable_suite, &memremap_suite, &vmemmap_suite,
	&pmem_suite, &rmap_suite,   &hugetlb_suite, &smp_suite,      &locks_suite,
	&tlb_suite,
};

static void report_dt_error(const struct dt_error *e, void *ctx)
{
	(void)ctx;
	pr_err("dt: %s: %s (at byte offset 0x%x)\n", e->path[0] ? e->path : "/", e->msg,
	       e->offset);
}

static void report_arg(const char *msg, void *ctx)
{
	(void)ctx;
	pr_err("bootargs: %s\n", msg);
}

static void report_pmem(const char *msg, void *ctx)
{
	(void)ctx;
	pr_err("pmem: %s; region skipped\n", msg);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * "volatile" is a boolean: Linux reads its presence as true whatever value it carries, and so
 * do we; a value that says otherwise (<0>, "no") is a tree that probably means something else.
 */
static void warn_valued_volatile(void)
{
	const struct dt *dt = &boot.dt;

	for (int node = dt_next_compatible(dt, -1, "pmem-region"); node >= 0;
	     node = dt_next_compatible(dt, node, "pmem-region")) {
		uint32_t len = 0;
		char path[DT_PATH_MAX];

		if (!dt_getprop(dt, node, "volatile", &len) || len == 0)
			continue;
		if (dt_node_path(dt, node, path, sizeof(path)))
			path[0] = '\0';
		pr_warn("dt: %s: property \"volatile\" has a %u-byte value: a boolean, its presence "
			"alone makes the range volatile (as Linux reads it), whatever the value\n",
			path, len);
	}
}

static void read_device_tree(phys_addr_t dtb)
{
	int ret;

	if (!dtb) {
		pr_err("dt: the firmware passed no device tree and none was found\n");
		boot.dt_problems++;
		return;
	}
	const uint8_t *blob = (const uint8_t *)(uintptr_t)dtb;
	/* The header says how big the blob is; cap what we are willing to read. */
	uint32_t total = be32(blob) == DT_MAGIC ? be32(blob + 4) : 40;
	ret = dt_init(&boot.dt, blob, MIN(total, DTB_MAX_SIZE));
	if (ret) {
		pr_err("dt: invalid device tree at 0x%llx: %s: %s (at byte offset 0x%x)\n",
		       (unsigned long long)dtb, boot.dt.error.path[0] ? boot.dt.error.path : "/",
		       boot.dt.error.msg, boot.dt.error.offset);
		boot.dt_problems++;
		return;
	}
	boot.dt_valid = true;
	/*
	 * The cpu we run on is the boot cpu, whatever the header says: OpenSBI picks any hart and
	 * does not rewrite boot_cpuid_phys (on sifive_u it names the E51 monitor hart, 0, and starts
	 * us on a U54); the running hart's riscv,isa and mmu-type are the ones that count. Affinity
	 * fields only on arm64 (MPIDR's RES1/MT/U go).
	 */
	boot.dt.boot_cpuid = (uint32_t)(boot.boot_cpu_hwid & 0xff00ffffffULL);
	boot.dt_problems += bootfdt_parse(&boot.dt, &boot.bi, report_dt_error, NULL);
	warn_valued_volatile();
	boot.bi.dtb_base = dtb;
	boot.bi.dtb_size = boot.dt.size;
}

static void switch_console(void)
{
	const struct boot_info *bi = &boot.bi;

	struct bi_uart u = { bi->uart_kind, bi->uart_base, bi->uart_reg_shift, bi->uart_io_width };

	if (bi->uart_kind == BI_UART_NONE) {
		if (!bi->uart_refused && bi->stdout_path[0] && bi->uart_node[0])
			pr_warn("console: /chosen/stdout-path \"%s\" names %s (compatible \"%s\"), a "
				"UART we do not drive; staying on the %s console\n", bi->stdout_path,
				bi->uart_node, bi->uart_compat[0] ? bi->uart_compat : "(none)",
				console_name());
		else
			pr_warn("console: /chosen/stdout-path %s; staying on the %s console\n",
				bi->uart_refused    ? "names a UART whose address is unusable (above)" :
				bi->stdout_path[0] ? "names no UART we drive" :
						     "is absent",
				console_name());
		return;
	}
	/* Usually already there since console_early_init(); the tree decode is the one reported. */
	console_use_uart(&u, arch_early_ioremap(u.base));
	pr_info("console: %s (stdout-path \"%s\")\n", console_name(), bi->stdout_path);
}

static void print_ranges(const char *what, const struct bi_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		phys_addr_t sz = r[i].size;
		pr_info("  %-8s [mem 0x%016llx-0x%016llx] %pH %s%s\n", what,
			(unsigned long long)r[i].base, (unsigned long long)(r[i].base + r[i].size - 1),
			&sz, r[i].node, r[i].no_map ? " no-map" : "");
	}
}

static void note_memblock_error(int ret, const char *what, const struct bi_range *r)
{
	if (!ret)
		return;
	pr_err("memblock: cannot record %s %s [mem 0x%016llx + 0x%llx]: %s\n", what, r->node,
	       (unsigned long long)r->base, (unsigned long long)r->size,
	       ret == -ENOSPC ? "too many ranges" : "range wraps");
	boot.memblock_problems++;
}

static void build_memory_map(void)
{
	const struct boot_info *bi = &boot.bi;

	pr_info("device tree ranges:\n");
	print_ranges("memory", bi->memory, bi->nr_memory);
	print_ranges("reserved", bi->reserved, bi->nr_reserved);
	if (bi->nr_memory == 0) {
		pr_err("dt: no /memory node with a usable reg: there is no RAM to work with\n");
		boot.memblock_problems++;
	}
	for (int i = 0; i < bi->nr_memory; i++)
		note_memblock_error(memblock_add(bi->memory[i].base, bi->memory[i].size), "memory",
				    &bi->memory[i]);
	for (int i = 0; i < bi->nr_reserved; i++) {
		const struct bi_range *r = &bi->reserved[i];
		int ret = r->no_map ? memblock_mark_nomap(r->base, r->size) :
				      memblock_reserve(r->base, r->size);

		/*
		 * no-map splits memory regions; when their table is full, a reservation (the other
		 * table) still keeps the range from the page allocator, though it stays mapped.
		 */
		if (ret == -ENOSPC && r->no_map && !memblock_reserve(r->base, r->size)) {
			pr_err("memblock: no-map %s [mem 0x%016llx + 0x%llx] recorded as reserved "
			       "only (too many memory regions): kept from the page allocator but "
			       "mapped\n", r->node, (unsigned long long)r->base,
			       (unsigned long long)r->size);
			boot.memblock_problems++;
			continue;
		}
		note_memblock_error(ret, "reserved", r);
	}
	if (bi->reserved_dropped)
		pr_err("dt: %d reserved range%s could not be recorded (see above): the page "
		       "allocator may hand out what %s\n", bi->reserved_dropped,
		       bi->reserved_dropped == 1 ? "" : "s",
		       bi->reserved_dropped == 1 ? "it covers" : "they cover");
	memblock_reserve(boot.image_base, boot.image_size);
	if (bi->dtb_size)
		memblock_reserve(bi->dtb_base, ALIGN_UP((phys_addr_t)bi->dtb_size, SZ_4K));

	boot.nr_pmem = bi->nr_pmem;
	boot.pmem_problems = pmem_regions_validate(bi, boot.image_base, boot.image_size, boot.pmem,
						   report_pmem, NULL);
	pr_info("pmem regions: %d found, %d valid\n", boot.nr_pmem,
		boot.nr_pmem - boot.pmem_problems);
	for (int i = 0; i < boot.nr_pmem; i++) {
		const struct pmem_region *p = &boot.pmem[i];
		phys_addr_t sz = p->size;
		pr_info("  pmem%d: [mem 0x%016llx-0x%016llx] %pH %s %s%s\n", i,
			(unsigned long long)p->base, (unsigned long long)(p->base + p->size - 1), &sz,
			p->is_volatile ? "volatile" : "persistent", p->node,
			p->valid ? "" : " (refused)");
	}
	memblock_dump();
}

/*
 * Before anything reads a pmem range, check that something answers there: a range over an
 * unbacked hole would fault at its first use (the info-block read), a trap instead of status 2.
 * Its first and last word are read; a range is all one device in any tree we accept.
 */
static void probe_pmem(void)
{
	for (int i = 0; i < boot.nr_pmem; i++) {
		struct pmem_region *p = &boot.pmem[i];
		phys_addr_t at[2] = { p->base, p->base + p->size - 8 };

		for (int j = 0; p->valid && j < 2; j++) {
			int ret = paging_probe_phys(at[j]);

			if (ret == 0)
				continue;
			pr_err("pmem: %s: [mem 0x%016llx-0x%016llx]: %s 0x%016llx%s; region refused\n",
			       p->node, (unsigned long long)p->base,
			       (unsigned long long)(p->base + p->size - 1),
			       ret == -EFAULT ? "no memory responds at" : "cannot map a probe of",
			       (unsigned long long)at[j],
			       ret == -EFAULT ? " (the read faulted)" : "");
			p->valid = false;
			boot.pmem_problems++;
		}
	}
}

static int run_status(void)
{
	unsigned int p, f, s;

	ktap_counts(&p, &f, &s);
	if (f)
		return STATUS_TEST_FAILED;
	if (invalid_input_count())
		return STATUS_INVALID_INPUT;
	return STATUS_OK;
}

/* Where the invalid input was found, for the status test's diagnostic line. */
static void describe_invalid_input(int before_suites)
{
	const struct { const char *what; int n; } where[] = {
		{ "device tree", boot.dt_problems },
		{ "boot arguments", boot.arg_problems },
		{ "arch setup", boot.arch_problems },
		{ "pmem regions", boot.pmem_problems },
		{ "memory map", boot.memblock_problems },
		{ "during the suites", invalid_input_count() - before_suites },
	};
	char buf[160];
	int n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(where); i++)
		if (where[i].n > 0)
			n += scnprintf(buf + n, sizeof(buf) - (size_t)n, "%s%s %d", n ? ", " : "",
				       where[i].what, where[i].n);
	ktap_invalid_input_detail(buf);
}

static void select_suites(bool *run)
{
	char known_list[128];
	int n = 0;

	for (size_t j = 0; j < ARRAY_SIZE(suites); j++)
		n += scnprintf(known_list + n, sizeof(known_list) - (size_t)n, " %s", suites[j]->name);
	for (int i = 0; i < boot.args.nr_suites; i++) {
		bool known = false;
		for (size_t j = 0; j < ARRAY_SIZE(suites); j++)
			known |= !strcmp(boot.args.suites[i], suites[j]->name);
		if (!known) {
			pr_err("bootargs: suites=: unknown suite '%s' (known:%s)\n",
			       boot.args.suites[i], known_list);
			boot.arg_problems++;
		}
	}
	for (size_t j = 0; j < ARRAY_SIZE(suites); j++)
		run[j] = bootargs_wants_suite(&boot.args, suites[j]->name);
}

__noreturn void start_kernel(uint64_t cpu_hwid, phys_addr_t dtb)
{
	uint64_t insn_start = arch_insn_count();
	bool run[ARRAY_SIZE(suites)];

	stack_guard_fill();
	if (!dtb)
		dtb = arch_fallback_dtb();
	console_early_init(dtb);
	mm_locks_init();
	boot.boot_cpu_hwid = cpu_hwid;
	boot.image_base = __pa_symbol(_start);
	boot.image_size = (phys_addr_t)((uintptr_t)_end - (uintptr_t)_start);
	pr_info("zonedev " ZONEDEV_VERSION " (%s) booting on cpu 0x%llx, device tree at 0x%llx\n",
		arch_name(), (unsigned long long)cpu_hwid, (unsigned long long)dtb);
	pr_info("image: [mem 0x%016llx-0x%016llx] linked at 0x%016lx\n",
		(unsigned long long)boot.image_base,
		(unsigned long long)(boot.image_base + boot.image_size - 1), (unsigned long)_start);

	read_device_tree(dtb);
	if (boot.dt_valid) {
		switch_console();
		pr_info("dt: %s, %u bytes, version %u, model \"%s\"\n",
			boot.bi.model[0] ? "valid" : "valid (no /model)", boot.dt.size,
			boot.dt.version, boot.bi.model);
	}
	boot.arg_problems += bootargs_parse(boot.bi.bootargs, &boot.args, report_arg, NULL);
	printk_set_level(boot.args.loglevel);
	pr_info("bootargs: \"%s\"\n", boot.bi.bootargs);
	select_suites(run);
	boot.arch_problems = arch_setup(&boot.bi, &boot.args);
	if (boot.dt_valid) {
		build_memory_map();
		if (paging_init(&boot.args) == 0) {
			/* The identity map is gone: the blob is reached through the linear map. */
			boot.dt.blob = __va(boot.bi.dtb_base);
			probe_pmem();
			if (iomem_boot_init() == -EBUSY)
				boot.memblock_problems++;
			/* boot-time gigantic folios: from memblock, before struct pages exist */
			if (boot.args.hugepages_1g &&
			    hugetlb_bootmem_reserve(boot.args.hugepages_1g, boot.args.hvo) <
				    boot.args.hugepages_1g)
				boot.arg_problems++;
			if (mm_core_init())
				boot.mm_failed = true;
			smp_init();
		} else {
			boot.paging_failed = true;
		}
	}
	ktap_result_set("pgtable", paging_mode_name());

	int problems = boot.dt_problems + boot.arg_problems + boot.arch_problems +
		       boot.pmem_problems + boot.memblock_problems;
	for (int i = 0; i < problems; i++)
		invalid_input();
	if (problems)
		pr_err("%d invalid input%s found (see the errors above): the run's status is at "
		       "least 2\n", problems, problems == 1 ? "" : "s");

	uint64_t insn_boot = arch_insn_count() - insn_start;
	ktap_begin(suites, ARRAY_SIZE(suites));
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		if (!run[i])
			ktap_skip_suite(suites[i], i + 1, "not selected by suites=");
		else if (!boot.dt_valid)
			ktap_skip_suite(suites[i], i + 1, "no valid device tree");
		else if (boot.bi.nr_memory == 0)
			/* Reported at boot (status 2): nothing to run on, which is not our failure. */
			ktap_skip_suite(suites[i], i + 1, "the tree describes no usable RAM");
		else
			run_suite_timed(suites[i], i + 1);
	}
	if (boot.args.crash[0]) {
		pr_info("crash=%s: provoking it now, as asked\n", boot.args.crash);
		if (!strcmp(boot.args.crash, "panic"))
			panic("crash=panic requested on the command line");
		if (!strcmp(boot.args.crash, "stack"))
			recurse_deep(0);
		if (!strcmp(boot.args.crash, "stack-secondary") && num_online_cpus() > 1)
			smp_call_function_single(num_online_cpus() - 1, recurse_on_cpu, NULL, true);
		if (!strcmp(boot.args.crash, "hvo"))
			write_optimized_tail();
		trigger_fault(boot.args.crash);
		panic("crash=%s did not trap", boot.args.crash);
	}
	ktap_metric("boot_insns", insn_boot, "insns");
	ktap_metric("total_insns", arch_insn_count() - insn_start, "insns");
	ktap_metric("image_bytes", boot.image_size, "bytes");
	ktap_metric("invalid_inputs", (uint64_t)invalid_input_count(), "count");
	ktap_metric("boot_stack_bytes", stack_high_water(), "bytes");
	stack_guard_check();
	describe_invalid_input(problems);
	plat_exit(run_status());
}
