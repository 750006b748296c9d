// SPDX-License-Identifier: BSD-2-Clause
// What the device tree told us, decoded once at boot (platform/common/bootfdt.c) so that the rest
// of the kernel never re-reads the blob. Portable: the host tests fill it from fixture trees.
#ifndef ZONEDEV_PLATFORM_BOOTINFO_H
#define ZONEDEV_PLATFORM_BOOTINFO_H

#include <platform/dt.h>
#include <platform/types.h>

#define BI_MAX_MEMORY 16
/* Qualcomm SM8450 trees carry 43-44 reserved ranges; memblock (128 regions) is the next limit. */
#define BI_MAX_RESERVED 256
#define BI_MAX_PMEM 16
#define BI_MAX_CPUS 64
#define BI_NAME_MAX 64

/**
 * struct bi_range - one physical range with the node it came from
 * @base, @size: the range
 * @node: unit name of the node ("memory@80000000"), or "/memreserve/" for header entries
 * @no_map: reserved-memory node carries "no-map"
 * @is_volatile: pmem-region node carries "volatile"
 * @dt_offset: byte offset of the node in the blob, for messages
 */
struct bi_range {
	uint64_t base, size;
	char node[BI_NAME_MAX];
	bool no_map;
	bool is_volatile;
	uint32_t dt_offset;
};

/*
 * The UART families we drive by polling: the 16550 register set (ns16550a, snps,dw-apb-uart,
 * brcm,bcm2835-aux-uart) at any register stride and access width, Arm PL011, SiFive's UART and
 * Cadence's (Xilinx Zynq/ZynqMP).
 */
enum bi_uart_kind { BI_UART_NONE, BI_UART_NS16550, BI_UART_PL011, BI_UART_SIFIVE, BI_UART_CDNS };

/**
 * struct bi_uart - how to reach a console UART
 * @kind: register set; BI_UART_NONE when unknown or undecodable
 * @base: CPU address of register 0 (reg, translated, plus "reg-offset")
 * @reg_shift: registers are 1 << @reg_shift bytes apart ("reg-shift"; 16550 family only)
 * @io_width: bytes per access, 1 or 4 ("reg-io-width"; 16550 family only)
 */
struct bi_uart {
	enum bi_uart_kind kind;
	uint64_t base;
	uint8_t reg_shift;
	uint8_t io_width;
};
enum bi_psci_conduit { BI_PSCI_NONE, BI_PSCI_HVC, BI_PSCI_SMC };

/**
 * struct bi_cpu - one /cpus/cpu@N node
 * @hwid: "reg" (hart id on riscv64, MPIDR affinity on arm64)
 * @okay: status absent/"okay"
 * @enable_method: "psci", "spin-table", or "" (riscv: SBI HSM)
 * @release_addr: "cpu-release-addr" (spin-table), 0 when absent
 * @mmu_type: "mmu-type" (riscv: "riscv,sv39", ...), "" when absent: a hart without one has no
 *	      MMU (a monitor core) and cannot run us
 */
struct bi_cpu {
	uint64_t hwid;
	bool okay;
	char enable_method[16];
	uint64_t release_addr;
	char mmu_type[16];
};

/**
 * struct boot_info - decoded device-tree facts
 * @dtb_base, @dtb_size: where the blob lives (physical) and its totalsize
 * @model: /model, "" when absent
 * @bootargs: /chosen/bootargs ("" when absent)
 * @stdout_path: /chosen/stdout-path (options after ':' stripped), "" when absent
 * @uart_kind, @uart_base, @uart_node: the console the stdout-path names; @uart_kind is set only
 *	 once its reg is decoded and translated to a CPU address
 * @uart_reg_shift, @uart_io_width: its register layout (see struct bi_uart)
 * @uart_compat: its first compatible string, "" when absent (names a UART we do not drive)
 * @uart_refused: the stdout UART is one we drive but its address could not be decoded (reported)
 * @memory: every reg range of every device_type = "memory" node (in blob order)
 * @reserved: /reserved-memory children's reg ranges, then /memreserve/ entries; a child that
 *	       cannot be translated is kept at its untranslated address (and reported)
 * @reserved_dropped: reserved ranges reported and not recorded (malformed, wrapping, or past
 *		      BI_MAX_RESERVED): what they cover may be handed out as RAM
 * @pmem: every reg range of every available compatible = "pmem-region" node, as CPU addresses
 * @pmem_refused: pmem-region reg ranges reported and not recorded (malformed, empty, wrapping,
 *		  untranslatable, or past BI_MAX_PMEM)
 * @cpus: /cpus children with device_type "cpu"
 * @timebase_hz: /cpus "timebase-frequency" (riscv), 0 when absent
 * @isa: the boot cpu's "riscv,isa" string, "" when absent
 * @isa_extensions: the boot cpu's "riscv,isa-extensions" list joined with ',' ("" if absent)
 * @mmu_type: the boot cpu's "mmu-type" (riscv), "" when absent
 * @cbom_block_size: the boot cpu's "riscv,cbom-block-size" (Zicbom cache-block bytes), 0 if absent
 * @psci: PSCI conduit from /psci "method"
 * @psci_compat: first /psci compatible string
 * @finisher_base: "sifive,test0"/"sifive,test1" node's reg base as a CPU address, 0 when absent
 *		   or not translatable
 * @poweroff_base: CPU address of the register a "syscon-poweroff" node names (its regmap
 *		   node's reg, translated, plus "offset"), 0 when absent or unusable
 * @poweroff_value, @poweroff_mask: what to write there ("value", "mask"; bits outside the mask
 *				     keep their value)
 * @gic_version: 2 or 3 if an "arm,gic-400"/"arm,cortex-a15-gic"/"arm,gic-v3" node exists, else 0
 * @errors: number of problems reported while decoding (each printed with node and offset);
 *	    anything non-zero makes the run's status 2
 */
struct boot_info {
	uint64_t dtb_base;
	uint32_t dtb_size;
	char model[BI_NAME_MAX];
	char bootargs[512];
	char stdout_path[DT_PATH_MAX];
	enum bi_uart_kind uart_kind;
	uint64_t uart_base;
	uint8_t uart_reg_shift;
	uint8_t uart_io_width;
	char uart_node[BI_NAME_MAX];
	char uart_compat[BI_NAME_MAX];
	bool uart_refused;
	struct bi_range memory[BI_MAX_MEMORY];
	int nr_memory;
	struct bi_range reserved[BI_MAX_RESERVED];
	int nr_reserved;
	int reserved_dropped;
	struct bi_range pmem[BI_MAX_PMEM];
	int nr_pmem;
	int pmem_refused;
	struct bi_cpu cpus[BI_MAX_CPUS];
	int nr_cpus;
	uint64_t timebase_hz;
	char isa[256];
	char isa_extensions[256];
	uint32_t cbom_block_size;
	char mmu_type[16];
	enum bi_psci_conduit psci;
	char psci_compat[32];
	uint64_t finisher_base;
	uint64_t poweroff_base;
	uint32_t poweroff_value, poweroff_mask;
	int gic_version;
	int errors;
};

/**
 * bootfdt_parse() - decode @dt into @bi
 * @report: called for every problem found (message names node path, property and byte offset);
 *	    may be NULL. Decoding goes on past a bad node where it safely can.
 * Return: number of problems (also in bi->errors); 0 when everything was valid.
 */
int bootfdt_parse(struct dt *dt, struct boot_info *bi,
		  void (*report)(const struct dt_error *e, void *ctx), void *ctx);

/**
 * bootfdt_uart() - decode UART node @node into @out: its family by compatible, its register
 * layout (reg-shift, reg-io-width, reg-offset for the 16550 family; fixed for the others) and
 * reg translated to a CPU address.
 * Return: 0; -EOPNOTSUPP for a UART we do not drive (dt->error untouched); -ENOENT when it has
 * no "reg" at all; another negative errno with dt->error set (a malformed property, a reg that
 * cannot be decoded or translated).
 */
int bootfdt_uart(struct dt *dt, int node, struct bi_uart *out);

/**
 * bootfdt_stdout_uart() - the console UART /chosen/stdout-path names, decoded without reporting
 * anything (for the early console, before anything can be printed; bootfdt_parse() reports).
 * Return: 0 with @out filled, or a negative errno (no stdout-path, a UART we do not drive, an
 * address that cannot be decoded).
 */
int bootfdt_stdout_uart(struct dt *dt, struct bi_uart *out);

#endif
