// SPDX-License-Identifier: BSD-2-Clause
// Decodes the boot facts (memory, reservations, pmem, cpus, console, PSCI, finisher, GIC) from a
// validated device tree into struct boot_info, reporting every problem and carrying on.

#include <platform/bootinfo.h>
#include <platform/dt.h>
#include <platform/errno.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct bootfdt {
	struct dt *dt;
	struct boot_info *bi;
	void (*report)(const struct dt_error *e, void *ctx);
	void *ctx;
};

/* Hands dt->error (already filled) to the callback and counts it. */
static void report_dt(struct bootfdt *b)
{
	b->bi->errors++;
	if (b->report)
		b->report(&b->dt->error, b->ctx);
}

static __printf(4, 5) void problem(struct bootfdt *b, int node, uint32_t offset, const char *fmt,
				   ...)
{
	char msg[sizeof(b->dt->error.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dt_set_error(b->dt, -EINVAL, node, offset, "%s", msg);
	report_dt(b);
}

/*
 * Reports dt->error (just set by a dt_* call) about @node with @what put in front of its message,
 * and counts it.
 */
static void report_dt_prefixed(struct bootfdt *b, int node, const char *what)
{
	char msg[sizeof(b->dt->error.msg)];

	memcpy(msg, b->dt->error.msg, sizeof(msg));
	dt_set_error(b->dt, b->dt->error.err, node, b->dt->error.offset, "%s: %s", what, msg);
	report_dt(b);
}

static uint32_t node_off(const struct dt *dt, int node)
{
	return dt->off_struct + (uint32_t)node;
}

/* Blob offset of property @name of @node (the node's own offset when absent). */
static uint32_t prop_off(const struct dt *dt, int node, const char *name)
{
	int prop;

	for (prop = dt_first_prop(dt, node); prop >= 0; prop = dt_next_prop(dt, prop)) {
		const char *pn = NULL;

		dt_prop_by_offset(dt, prop, &pn, NULL);
		if (pn && !strcmp(pn, name))
			return dt->off_struct + (uint32_t)prop;
	}
	return node_off(dt, node);
}

/*
 * Copies string property @name of @node into @dst. Absent: "" and false, silently. Not
 * NUL-terminated: reported. Too long for @dst: truncated, and reported when @must_fit (the value
 * would be misread if cut, e.g. bootargs; a cut model name is harmless).
 */
static bool copy_string(struct bootfdt *b, int node, const char *name, char *dst, size_t size,
			bool must_fit)
{
	uint32_t len;
	const char *val = dt_getprop(b->dt, node, name, &len);

	dst[0] = '\0';
	if (!val)
		return false;
	if (!len || val[len - 1]) {
		problem(b, node, prop_off(b->dt, node, name),
			"property \"%s\" at offset 0x%x: not a NUL-terminated string", name,
			prop_off(b->dt, node, name));
		return false;
	}
	if (len > size && must_fit)
		problem(b, node, prop_off(b->dt, node, name),
			"property \"%s\" at offset 0x%x: %u bytes, longer than the %zu kept", name,
			prop_off(b->dt, node, name), len - 1, size - 1);
	if (len > size)
		len = (uint32_t)size;
	memcpy(dst, val, len - 1);
	dst[len - 1] = '\0';
	return true;
}

static void copy_name(char *dst, const char *src, size_t size)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/*
 * Appends every reg range of @node to @arr (capacity @max, count *@nr), translated to CPU
 * addresses through the parents' "ranges". Zero-size ranges and ranges that wrap around the
 * address space are reported and skipped; so are the ranges that cannot be translated (unless
 * @keep_untranslated) and those that do not fit. Every range reported and not appended is
 * counted in *@refused (may be NULL). Return: the number of ranges appended.
 */
static int add_reg_ranges(struct bootfdt *b, int node, const char *what, struct bi_range *arr,
			  int max, int *nr, bool no_map, bool is_volatile, bool keep_untranslated,
			  int *refused)
{
	struct dt *dt = b->dt;
	int count = dt_reg_count(dt, node);
	int added = 0;
	int dummy;

	if (!refused)
		refused = &dummy;
	if (count == -ENOENT) {
		problem(b, node, node_off(dt, node), "node at offset 0x%x: %s node has no \"reg\"",
			node_off(dt, node), what);
		(*refused)++;
		return 0;
	}
	if (count < 0) {
		report_dt(b);
		(*refused)++;
		return 0;
	}
	if (count == 0)
		problem(b, node, prop_off(dt, node, "reg"),
			"property \"reg\" at offset 0x%x: empty, %s node describes no range",
			prop_off(dt, node, "reg"), what);
	for (int i = 0; i < count; i++) {
		struct bi_range *r;
		uint64_t base, size;

		if (dt_reg(dt, node, i, &base, &size)) {
			report_dt(b);
			*refused += count - i;
			return added;
		}
		/*
		 * A memory or reservation entry of size 0 is a placeholder the boot loader fills in
		 * (upstream board trees ship memory@80000000 with reg <0 0x80000000 0 0>): Linux
		 * skips it without a word, so it is no invalid input. A pmem range of size 0 is.
		 */
		if (!size && strcmp(what, "pmem-region"))
			continue;
		if (!size) {
			problem(b, node, prop_off(dt, node, "reg"),
				"property \"reg\" at offset 0x%x: range %d at 0x%llx has size 0, "
				"ignored",
				prop_off(dt, node, "reg"), i, (unsigned long long)base);
			(*refused)++;
			continue;
		}
		if (base + size - 1 < base) {
			problem(b, node, prop_off(dt, node, "reg"),
				"property \"reg\" at offset 0x%x: range %d 0x%llx+0x%llx wraps "
				"around the address space, ignored",
				prop_off(dt, node, "reg"), i, (unsigned long long)base,
				(unsigned long long)size);
			(*refused)++;
			continue;
		}
		{
			uint64_t bus = base;

			if (dt_translate_address(dt, node, &base, size)) {
				char head[96];

				if (!keep_untranslated) {
					snprintf(head, sizeof(head), "%s range %d refused", what, i);
					report_dt_prefixed(b, node, head);
					(*refused)++;
					continue;
				}
				/*
				 * A reservation is never dropped: reserving what may not be RAM
				 * costs nothing, using RAM the firmware reserved corrupts it.
				 */
				snprintf(head, sizeof(head), "%s range %d reserved at 0x%llx as given",
					 what, i, (unsigned long long)bus);
				report_dt_prefixed(b, node, head);
				base = bus;
			}
		}
		if (*nr >= max) {
			problem(b, node, prop_off(dt, node, "reg"),
				"property \"reg\" at offset 0x%x: range %d 0x%llx+0x%llx dropped, "
				"more than %d %s ranges",
				prop_off(dt, node, "reg"), i, (unsigned long long)base,
				(unsigned long long)size, max, what);
			(*refused)++;
			continue;
		}
		r = &arr[(*nr)++];
		r->base = base;
		r->size = size;
		copy_name(r->node, dt_node_name(dt, node), sizeof(r->node));
		r->no_map = no_map;
		r->is_volatile = is_volatile;
		r->dt_offset = node_off(dt, node);
		added++;
	}
	return added;
}

/*
 * The register layout of a 16550-family node: "reg-shift" (register stride), "reg-io-width"
 * (access size) and "reg-offset" (where register 0 sits past reg), as Linux's of_serial reads
 * them; @shift and @width arrive holding the family's defaults. Return: 0, or a negative errno
 * with dt->error set.
 */
static int uart_16550_layout(struct dt *dt, int node, uint8_t *shift, uint8_t *width,
			     uint64_t *offset)
{
	uint32_t v;
	int err;

	err = dt_prop_u32(dt, node, "reg-shift", &v);
	if (!err && v > 4)
		return dt_set_error(dt, -EINVAL, node, prop_off(dt, node, "reg-shift"),
				    "property \"reg-shift\" at offset 0x%x: %u, registers %u bytes "
				    "apart is no 16550 we know (0..4)",
				    prop_off(dt, node, "reg-shift"), v, 1u << (v & 31));
	if (!err)
		*shift = (uint8_t)v;
	else if (err != -ENOENT)
		return err;
	err = dt_prop_u32(dt, node, "reg-io-width", &v);
	if (!err && v != 1 && v != 2 && v != 4)
		return dt_set_error(dt, -EINVAL, node, prop_off(dt, node, "reg-io-width"),
				    "property \"reg-io-width\" at offset 0x%x: %u, not an access "
				    "width we drive (1, 2 or 4 bytes)",
				    prop_off(dt, node, "reg-io-width"), v);
	if (!err)
		*width = (uint8_t)v;
	else if (err != -ENOENT)
		return err;
	err = dt_prop_u32(dt, node, "reg-offset", &v);
	if (!err)
		*offset = v;
	else if (err != -ENOENT)
		return err;
	return 0;
}

int bootfdt_uart(struct dt *dt, int node, struct bi_uart *out)
{
	static const char *const ns16550[] = { "ns16550a", "ns16550", "snps,dw-apb-uart", NULL };
	static const char *const cdns[] = { "cdns,uart-r1p12", "xlnx,xuartps", "cdns,uart-r1p8",
					    NULL };
	struct bi_uart u = { .kind = BI_UART_NONE, .io_width = 1 };
	uint64_t offset = 0, size;
	int err;

	for (int i = 0; ns16550[i]; i++)
		if (dt_node_is_compatible(dt, node, ns16550[i]))
			u.kind = BI_UART_NS16550;
	for (int i = 0; cdns[i]; i++)
		if (dt_node_is_compatible(dt, node, cdns[i]))
			u.kind = BI_UART_CDNS;
	if (dt_node_is_compatible(dt, node, "brcm,bcm2835-aux-uart")) {
		/* The mini UART: a 16550 subset with 32-bit registers 4 bytes apart, no properties. */
		u.kind = BI_UART_NS16550;
		u.reg_shift = 2;
		u.io_width = 4;
	} else if (dt_node_is_compatible(dt, node, "arm,pl011")) {
		u.kind = BI_UART_PL011;
	} else if (dt_node_is_compatible(dt, node, "sifive,uart0")) {
		u.kind = BI_UART_SIFIVE;
	}
	if (u.kind == BI_UART_NONE)
		return -EOPNOTSUPP;
	if (u.kind == BI_UART_NS16550) {
		err = uart_16550_layout(dt, node, &u.reg_shift, &u.io_width, &offset);
		if (err)
			return err;
	}
	if (u.kind == BI_UART_PL011 || u.kind == BI_UART_SIFIVE || u.kind == BI_UART_CDNS)
		u.io_width = 4;
	err = dt_reg_cpu(dt, node, 0, &u.base, &size);
	if (err)
		return err == -ENOENT && !dt_prop_bool(dt, node, "reg") ? -ENOENT :
		       err == -ENOENT ? -EINVAL : err;
	u.base += offset;
	*out = u;
	return 0;
}

/* The node stdout-path (or linux,stdout-path) of @chosen names, options after ':' dropped. */
static int stdout_node(struct dt *dt, int chosen, const char **prop, char *path, size_t size)
{
	uint32_t len;
	const char *val;
	char *colon;

	*prop = "stdout-path";
	if (!dt_prop_bool(dt, chosen, *prop))
		*prop = "linux,stdout-path";
	val = dt_getprop(dt, chosen, *prop, &len);
	if (!val || !len || val[len - 1] || len > size)
		return -EINVAL;
	memcpy(path, val, len);
	colon = strchr(path, ':');
	if (colon)
		*colon = '\0';
	return path[0] ? dt_path_offset(dt, path) : -EINVAL;
}

int bootfdt_stdout_uart(struct dt *dt, struct bi_uart *out)
{
	char path[DT_PATH_MAX];
	const char *prop;
	int root = dt_root(dt);
	int chosen = root < 0 ? root : dt_subnode_offset(dt, root, "chosen");
	int uart = chosen < 0 ? chosen : stdout_node(dt, chosen, &prop, path, sizeof(path));

	if (uart < 0)
		return uart;
	return bootfdt_uart(dt, uart, out);
}

static void parse_chosen(struct bootfdt *b, int root)
{
	struct dt *dt = b->dt;
	struct boot_info *bi = b->bi;
	char path[sizeof(bi->stdout_path)];
	const char *prop = "stdout-path";
	int chosen = dt_subnode_offset(dt, root, "chosen");
	struct bi_uart u;
	int uart, err;
	char *colon;

	if (chosen < 0)
		return;
	copy_string(b, chosen, "bootargs", bi->bootargs, sizeof(bi->bootargs), true);
	if (!dt_prop_bool(dt, chosen, prop))
		prop = "linux,stdout-path";
	if (!copy_string(b, chosen, prop, path, sizeof(path), true))
		return;
	colon = strchr(path, ':');
	if (colon)
		*colon = '\0';
	memcpy(bi->stdout_path, path, sizeof(path));
	if (!path[0]) {
		problem(b, chosen, prop_off(dt, chosen, prop),
			"property \"%s\" at offset 0x%x: empty path", prop,
			prop_off(dt, chosen, prop));
		return;
	}
	uart = dt_path_offset(dt, path);
	if (uart < 0) {
		problem(b, chosen, prop_off(dt, chosen, prop),
			"property \"%s\" at offset 0x%x: \"%s\" names no node", prop,
			prop_off(dt, chosen, prop), path);
		return;
	}
	copy_name(bi->uart_node, dt_node_name(dt, uart), sizeof(bi->uart_node));
	copy_name(bi->uart_compat, dt_prop_string(dt, uart, "compatible"), sizeof(bi->uart_compat));
	/* Nothing is committed until the address is fully known: the early console stays. */
	err = bootfdt_uart(dt, uart, &u);
	if (err == -EOPNOTSUPP)
		return; /* a console we do not drive is not an error in the tree */
	if (err == -ENOENT) {
		problem(b, uart, node_off(dt, uart),
			"node at offset 0x%x: console UART has no \"reg\"; staying on the early "
			"console", node_off(dt, uart));
		bi->uart_refused = true;
		return;
	}
	if (err) {
		report_dt_prefixed(b, uart, "console UART not used, staying on the early console");
		bi->uart_refused = true;
		return;
	}
	bi->uart_base = u.base;
	bi->uart_reg_shift = u.reg_shift;
	bi->uart_io_width = u.io_width;
	bi->uart_kind = u.kind;
}

static void parse_memory(struct bootfdt *b)
{
	struct dt *dt = b->dt;
	int node;

	for (node = dt_next_node(dt, -1, NULL); node >= 0; node = dt_next_node(dt, node, NULL)) {
		uint32_t len;
		const char *type = dt_getprop(dt, node, "device_type", &len);

		if (!type || len != sizeof("memory") || memcmp(type, "memory", len))
			continue;
		if (!dt_node_available(dt, node))
			continue;
		add_reg_ranges(b, node, "memory", b->bi->memory, BI_MAX_MEMORY, &b->bi->nr_memory,
			       false, false, false, NULL);
	}
}

static void parse_reserved(struct bootfdt *b, int root)
{
	struct dt *dt = b->dt;
	struct boot_info *bi = b->bi;
	int rmem = dt_subnode_offset(dt, root, "reserved-memory");
	int n = dt_num_mem_rsv(dt);

	if (rmem >= 0) {
		for (int c = dt_first_child(dt, rmem); c >= 0; c = dt_next_sibling(dt, c)) {
			if (!dt_node_available(dt, c))
				continue;
			if (!dt_prop_bool(dt, c, "reg") && dt_prop_bool(dt, c, "size"))
				continue; /* dynamically placed: nothing fixed to reserve */
			add_reg_ranges(b, c, "reserved-memory", bi->reserved, BI_MAX_RESERVED,
				       &bi->nr_reserved, dt_prop_bool(dt, c, "no-map"), false, true,
				       &bi->reserved_dropped);
		}
	}
	for (int i = 0; i < n; i++) {
		uint32_t off = dt->off_rsvmap + 16u * (uint32_t)i;
		struct bi_range *r;
		uint64_t base, size;

		if (dt_get_mem_rsv(dt, i, &base, &size))
			break;
		if (base + size - 1 < base) {
			dt_set_error(
				dt, -EINVAL, -1, off,
				"memreserve entry %d at offset 0x%x: 0x%llx+0x%llx wraps around "
				"the address space, ignored",
				i, off, (unsigned long long)base, (unsigned long long)size);
			copy_name(dt->error.path, "/memreserve/", sizeof(dt->error.path));
			report_dt(b);
			bi->reserved_dropped++;
			continue;
		}
		if (bi->nr_reserved >= BI_MAX_RESERVED) {
			dt_set_error(
				dt, -ENOSPC, -1, off,
				"memreserve entry %d at offset 0x%x: 0x%llx+0x%llx dropped, more "
				"than %d reserved ranges",
				i, off, (unsigned long long)base, (unsigned long long)size,
				BI_MAX_RESERVED);
			copy_name(dt->error.path, "/memreserve/", sizeof(dt->error.path));
			report_dt(b);
			bi->reserved_dropped++;
			continue;
		}
		r = &bi->reserved[bi->nr_reserved++];
		r->base = base;
		r->size = size;
		copy_name(r->node, "/memreserve/", sizeof(r->node));
		r->dt_offset = off;
	}
}

static void parse_pmem(struct bootfdt *b)
{
	struct dt *dt = b->dt;
	int node;

	for (node = dt_next_compatible(dt, -1, "pmem-region"); node >= 0;
	     node = dt_next_compatible(dt, node, "pmem-region")) {
		int parent = dt_parent(dt, node);

		if (!dt_node_available(dt, node))
			continue;
		/*
		 * Devices are made for children of the root and of simple-bus nodes only. Without
		 * "ranges" the parent cannot translate the address either, which add_reg_ranges()
		 * reports more precisely.
		 */
		if (parent >= 0 && parent != dt_root(dt) && dt_prop_bool(dt, parent, "ranges") &&
		    !dt_node_is_compatible(dt, parent, "simple-bus")) {
			problem(b, node, node_off(dt, node),
				"node at offset 0x%x: pmem-region node under a node that is not a "
				"bus (no \"simple-bus\" compatible): no device is made for it; "
				"node ignored", node_off(dt, node));
			b->bi->pmem_refused++;
			continue;
		}
		add_reg_ranges(b, node, "pmem-region", b->bi->pmem, BI_MAX_PMEM, &b->bi->nr_pmem,
			       false, dt_prop_bool(dt, node, "volatile"), false,
			       &b->bi->pmem_refused);
	}
}

/* riscv,isa-extensions is a stringlist: joined with ',' into bi->isa_extensions. */
static void join_isa_extensions(struct bootfdt *b, int cpu)
{
	struct boot_info *bi = b->bi;
	uint32_t len, pos = 0;
	const char *val = dt_getprop(b->dt, cpu, "riscv,isa-extensions", &len);
	const char *name = "riscv,isa-extensions";

	if (!val)
		return;
	if (!len || val[len - 1]) {
		problem(b, cpu, prop_off(b->dt, cpu, name),
			"property \"%s\" at offset 0x%x: not a NUL-terminated string list", name,
			prop_off(b->dt, cpu, name));
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		char c = val[i] ? val[i] : ',';

		if (i == len - 1)
			break;
		if (pos + 1 >= sizeof(bi->isa_extensions)) {
			problem(b, cpu, prop_off(b->dt, cpu, name),
				"property \"%s\" at offset 0x%x: %u bytes, longer than the %zu "
				"kept",
				name, prop_off(b->dt, cpu, name), len - 1,
				sizeof(bi->isa_extensions) - 1);
			break;
		}
		bi->isa_extensions[pos++] = c;
	}
	bi->isa_extensions[pos] = '\0';
}

/*
 * "cpu-release-addr" of a spin-table cpu: the word its holding pen polls, two cells (the
 * binding; Linux also takes one). A spin-table cpu without one cannot be started.
 */
static void parse_release_addr(struct bootfdt *b, int c, struct bi_cpu *cpu)
{
	struct dt *dt = b->dt;
	const char *name = "cpu-release-addr";
	uint32_t len;
	const uint8_t *val = dt_getprop(dt, c, name, &len);

	if (val && len == 8)
		cpu->release_addr = dt_be64(val);
	else if (val && len == 4)
		cpu->release_addr = dt_be32(val);
	else if (val)
		problem(b, c, prop_off(dt, c, name),
			"property \"%s\" at offset 0x%x: length %u, expected 8 (two cells)", name,
			prop_off(dt, c, name), len);
	/*
	 * Absent is no error in the tree: boot firmware adds it to many shipped trees (Qualcomm
	 * MSM8939 and the like, where its own loader fills it in); such a cpu is left alone.
	 */
}

static void parse_cpus(struct bootfdt *b, int root)
{
	struct dt *dt = b->dt;
	struct boot_info *bi = b->bi;
	int cpus = dt_subnode_offset(dt, root, "cpus");
	int boot = -ENOENT, first = -ENOENT;
	uint32_t len;
	const void *tb;

	if (cpus < 0)
		return;
	tb = dt_getprop(dt, cpus, "timebase-frequency", &len);
	if (tb && len == 4)
		bi->timebase_hz = dt_be32(tb);
	else if (tb && len == 8)
		bi->timebase_hz = dt_be64(tb);
	else if (tb)
		problem(b, cpus, prop_off(dt, cpus, "timebase-frequency"),
			"property \"timebase-frequency\" at offset 0x%x: length %u, expected 4 or "
			"8",
			prop_off(dt, cpus, "timebase-frequency"), len);

	if (dt_addr_cells(dt, cpus) < 0 || dt_size_cells(dt, cpus) < 0) {
		report_dt(b);
		return;
	}
	for (int c = dt_first_child(dt, cpus); c >= 0; c = dt_next_sibling(dt, c)) {
		const char *type = dt_getprop(dt, c, "device_type", &len);
		struct bi_cpu *cpu;
		uint64_t hwid, size;
		int err;

		if (!type || len != sizeof("cpu") || memcmp(type, "cpu", len))
			continue;
		err = dt_reg(dt, c, 0, &hwid, &size);
		if (err == -ENOENT) {
			problem(b, c, node_off(dt, c),
				"node at offset 0x%x: cpu node has no \"reg\"", node_off(dt, c));
			continue;
		}
		if (err) {
			report_dt(b);
			continue;
		}
		if (first < 0)
			first = c;
		if (boot < 0 && hwid == dt->boot_cpuid)
			boot = c;
		if (bi->nr_cpus < BI_MAX_CPUS) {
			cpu = &bi->cpus[bi->nr_cpus++];
		} else if (c == boot) {
			/* The boot cpu (the one we run on) keeps a place: the last one recorded
			 * gives it up, so the boot cpu is always among those listed. */
			cpu = &bi->cpus[BI_MAX_CPUS - 1];
			problem(b, c, node_off(dt, c),
				"node at offset 0x%x: cpu 0x%llx dropped for boot cpu 0x%llx, more "
				"than %d cpus",
				node_off(dt, c), (unsigned long long)cpu->hwid,
				(unsigned long long)hwid, BI_MAX_CPUS);
		} else {
			problem(b, c, node_off(dt, c),
				"node at offset 0x%x: cpu 0x%llx dropped, more than %d cpus",
				node_off(dt, c), (unsigned long long)hwid, BI_MAX_CPUS);
			continue;
		}
		cpu->hwid = hwid;
		cpu->okay = dt_node_available(dt, c);
		copy_string(b, c, "enable-method", cpu->enable_method, sizeof(cpu->enable_method),
			    false);
		copy_string(b, c, "mmu-type", cpu->mmu_type, sizeof(cpu->mmu_type), false);
		parse_release_addr(b, c, cpu);
	}
	/* boot_cpuid_phys (main.c sets it to the cpu we run on) when it names a cpu, else the first. */
	if (boot < 0)
		boot = first;
	if (boot >= 0) {
		copy_string(b, boot, "riscv,isa", bi->isa, sizeof(bi->isa), true);
		copy_string(b, boot, "mmu-type", bi->mmu_type, sizeof(bi->mmu_type), false);
		join_isa_extensions(b, boot);
		tb = dt_getprop(dt, boot, "riscv,cbom-block-size", &len);
		if (tb && len == 4)
			bi->cbom_block_size = dt_be32(tb);
		if (!bi->timebase_hz) {
			tb = dt_getprop(dt, boot, "timebase-frequency", &len);
			if (tb && len == 4)
				bi->timebase_hz = dt_be32(tb);
			else if (tb && len == 8)
				bi->timebase_hz = dt_be64(tb);
		}
	}
}

static void parse_psci(struct bootfdt *b, int root)
{
	static const char *const compats[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
	struct dt *dt = b->dt;
	struct boot_info *bi = b->bi;
	int psci = dt_subnode_offset(dt, root, "psci");
	char method[8];
	uint32_t len;
	const char *compat;

	for (size_t i = 0; psci < 0 && i < ARRAY_SIZE(compats); i++)
		psci = dt_next_compatible(dt, -1, compats[i]);
	if (psci < 0 || !dt_node_available(dt, psci))
		return;
	compat = dt_getprop(dt, psci, "compatible", &len);
	if (compat && len && memchr(compat, 0, len))
		copy_name(bi->psci_compat, compat, sizeof(bi->psci_compat));
	if (!dt_prop_bool(dt, psci, "method")) {
		problem(b, psci, node_off(dt, psci),
			"node at offset 0x%x: PSCI node has no \"method\"", node_off(dt, psci));
		return;
	}
	if (!copy_string(b, psci, "method", method, sizeof(method), false))
		return;
	if (!strcmp(method, "hvc"))
		bi->psci = BI_PSCI_HVC;
	else if (!strcmp(method, "smc"))
		bi->psci = BI_PSCI_SMC;
	else
		problem(b, psci, prop_off(dt, psci, "method"),
			"property \"method\" at offset 0x%x: \"%s\" is neither \"hvc\" nor \"smc\"",
			prop_off(dt, psci, "method"), method);
}

/* First available node compatible with one of @compats (NULL-terminated list), or -ENOENT. */
static int find_compatible(struct dt *dt, const char *const *compats)
{
	for (; *compats; compats++) {
		int node;

		for (node = dt_next_compatible(dt, -1, *compats); node >= 0;
		     node = dt_next_compatible(dt, node, *compats))
			if (dt_node_available(dt, node))
				return node;
	}
	return -ENOENT;
}

static void parse_finisher_gic(struct bootfdt *b)
{
	static const char *const finisher[] = { "sifive,test1", "sifive,test0", NULL };
	static const char *const gic3[] = { "arm,gic-v3", NULL };
	static const char *const gic2[] = { "arm,gic-400", "arm,cortex-a15-gic", NULL };
	struct dt *dt = b->dt;
	int node = find_compatible(dt, finisher);

	if (node >= 0) {
		uint64_t base, size;
		int err = dt_reg_cpu(dt, node, 0, &base, &size);

		if (!err)
			b->bi->finisher_base = base;
		else if (err == -ENOENT)
			problem(b, node, node_off(dt, node),
				"node at offset 0x%x: test finisher has no \"reg\"",
				node_off(dt, node));
		else
			report_dt(b);
	}
	if (find_compatible(dt, gic3) >= 0)
		b->bi->gic_version = 3;
	else if (find_compatible(dt, gic2) >= 0)
		b->bi->gic_version = 2;
}

/*
 * "syscon-poweroff": a register, in the syscon node its "regmap" phandle names (the older
 * binding; the newer one puts the node under its syscon), where "value" under "mask" powers the
 * board off. Linux takes the mask for the value when only the mask is given.
 */
static void parse_poweroff(struct bootfdt *b)
{
	static const char *const compat[] = { "syscon-poweroff", NULL };
	struct dt *dt = b->dt;
	int node = find_compatible(dt, compat);
	uint32_t phandle, offset, value, mask = 0xffffffff;
	bool has_value, has_mask;
	uint64_t base, size;
	int map, err;

	if (node < 0)
		return;
	if (dt_prop_u32(dt, node, "regmap", &phandle) == 0)
		map = dt_node_by_phandle(dt, phandle);
	else
		map = dt_parent(dt, node);
	if (map < 0 || dt_prop_u32(dt, node, "offset", &offset)) {
		problem(b, node, node_off(dt, node),
			"node at offset 0x%x: syscon-poweroff without a usable \"regmap\" or "
			"\"offset\"; not used to power off", node_off(dt, node));
		return;
	}
	has_value = dt_prop_u32(dt, node, "value", &value) == 0;
	has_mask = dt_prop_u32(dt, node, "mask", &mask) == 0;
	if (!has_value && !has_mask) {
		problem(b, node, node_off(dt, node),
			"node at offset 0x%x: syscon-poweroff with neither \"value\" nor \"mask\"; "
			"not used to power off", node_off(dt, node));
		return;
	}
	err = dt_reg_cpu(dt, map, 0, &base, &size);
	if (err) {
		report_dt_prefixed(b, node, "syscon-poweroff not used: its regmap node");
		return;
	}
	b->bi->poweroff_base = base + offset;
	b->bi->poweroff_value = has_value ? value : mask;
	b->bi->poweroff_mask = mask;
}

/*
 * Paths are what messages and stdout-path name nodes by; a node whose path does not fit
 * DT_PATH_MAX bytes cannot be named whole, so it is reported once here rather than cut silently.
 */
static void check_path_lengths(struct bootfdt *b)
{
	struct dt *dt = b->dt;
	size_t len[DT_MAX_DEPTH + 1] = { 0 };
	int depth = 0, node;

	for (node = dt_next_node(dt, -1, &depth); node >= 0; node = dt_next_node(dt, node, &depth)) {
		const char *name = dt_node_name(dt, node);

		if (depth < 1 || depth > DT_MAX_DEPTH || !name)
			continue;
		len[depth] = depth == 1 ? 1 : len[depth - 1] + (depth > 2) + strlen(name);
		if (len[depth] >= DT_PATH_MAX && (depth == 1 || len[depth - 1] < DT_PATH_MAX))
			problem(b, node, node_off(dt, node),
				"node \"%s\" at offset 0x%x: its path is %zu bytes, longer than the "
				"%d this kernel names nodes by (messages show it cut)",
				name, node_off(dt, node), len[depth], DT_PATH_MAX - 1);
	}
}

/*
 * Two siblings of one name (the specification forbids it, dtc refuses it) make a path name two
 * nodes: lookups reach the first, so the later one is reported rather than silently shadowed.
 */
static void check_sibling_names(struct bootfdt *b)
{
	struct dt *dt = b->dt;
	int node;

	for (node = dt_next_node(dt, -1, NULL); node >= 0; node = dt_next_node(dt, node, NULL)) {
		const char *name = dt_node_name(dt, node);

		if (!name || !name[0])
			continue;
		for (int s = dt_next_sibling(dt, node); s >= 0; s = dt_next_sibling(dt, s)) {
			const char *other = dt_node_name(dt, s);

			if (other && !strcmp(name, other)) {
				problem(b, s, node_off(dt, s),
					"node at offset 0x%x: a sibling at offset 0x%x has the same "
					"name; its path names that one",
					node_off(dt, s), node_off(dt, node));
				break;
			}
		}
	}
}

int bootfdt_parse(struct dt *dt, struct boot_info *bi,
		  void (*report)(const struct dt_error *e, void *ctx), void *ctx)
{
	struct bootfdt b = { .dt = dt, .bi = bi, .report = report, .ctx = ctx };
	int root = dt_root(dt);

	memset(bi, 0, sizeof(*bi));
	bi->dtb_base = (uint64_t)(uintptr_t)dt->blob;
	bi->dtb_size = dt->size;
	if (root < 0) {
		dt_set_error(dt, -EINVAL, -1, 0, "the tree was not validated (dt_init failed)");
		report_dt(&b);
		return bi->errors;
	}
	copy_string(&b, root, "model", bi->model, sizeof(bi->model), false);
	check_path_lengths(&b);
	check_sibling_names(&b);
	parse_chosen(&b, root);
	parse_memory(&b);
	parse_reserved(&b, root);
	parse_pmem(&b);
	parse_cpus(&b, root);
	parse_psci(&b, root);
	parse_finisher_gic(&b);
	parse_poweroff(&b);
	return bi->errors;
}
