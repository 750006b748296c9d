// SPDX-License-Identifier: BSD-2-Clause
// arm64 hooks for the boot flow: early PL011 console, facts from the tree and the ID registers,
// generic timer and PMU counters, backtrace, exit (semihosting or PSCI).
#include <string.h>

#include <platform/cacheflush.h>
#include <platform/dt.h>
#include <platform/errno.h>
#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/bootargs.h>
#include <platform/exit.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <arch/psci.h>
#include <arch/semihost.h>
#include <arch/sysreg.h>

extern char __tdata_start[], __tdata_end[];
extern char __tls_size[], __tls_align[];

void arm64_tls_init(void);

/* Written by head.S: the exception level we were entered at and the boot CPU's MPIDR_EL1. */
uint64_t arm64_boot_el;
uint64_t arm64_boot_mpidr;

/*
 * picolibc keeps errno in TLS; TPIDR_EL0 points at the running CPU's TLS block (in its per-CPU
 * area). AArch64 uses TLS variant I: a 16-byte TCB at the thread pointer, the TLS image at
 * tp + 16 rounded up to its alignment (that is the offset local-exec code adds).
 */
#define TLS_TCB_SIZE 16

/*
 * An address that faults on every board, MMU on or off: bit 54 set is beyond any physical
 * address size (<= 52 bits), so with the MMU off it is an address size fault at level 0 (Arm
 * ARM D8.2 "The effects of disabling an address translation stage"); with it on, it is outside
 * both VA halves, so a translation fault. Low addresses are no good on QEMU virt: 0x8 is flash.
 */
#define ARM64_FAULT_ADDR 0x0040000000000000ULL

static bool semihosting;
static bool pmu_inst_retired;
static bool pmu_probed;

void arm64_tls_init(void)
{
	size_t align = MAX((size_t)(uintptr_t)__tls_align, (size_t)1);
	size_t start = ALIGN_UP((size_t)TLS_TCB_SIZE, align);
	size_t tdata = (size_t)(__tdata_end - __tdata_start);
	size_t total = (size_t)(uintptr_t)__tls_size;

	uint8_t *block = (uint8_t *)arch_thread_pointer();

	/* A TLS image larger than the block is a build error we can only report by hanging. */
	if (start + total > PERCPU_TLS_SIZE || align > 64)
		for (;;)
			__asm__ volatile("wfi");
	/* The rest of the block (.tbss) is zero: it lives in .bss, cleared by head.S. */
	for (size_t i = 0; i < tdata; i++)
		block[start + i] = (uint8_t)__tdata_start[i];
}

uintptr_t arch_thread_pointer(void)
{
	uintptr_t tp;

	__asm__("mrs %0, tpidr_el0" : "=r"(tp));
	return tp;
}

const char *arch_name(void)
{
	return "arm64";
}

#ifdef EARLY_UART_PL011
/*
 * A bring-up build's pinned PL011, printed to only while the tree names no console we drive.
 * Physical until paging_init() remaps it (the boot identity map covers it until then).
 */
volatile uint32_t *arm64_early_uart = (volatile uint32_t *)(uintptr_t)EARLY_UART_BASE;
#endif

void arch_early_console_check(struct dt *dt)
{
#ifdef EARLY_UART_PL011
	/* On a board whose RAM is at the pinned address, writing there would corrupt memory. */
	for (int n = dt_next_node(dt, -1, NULL); n >= 0; n = dt_next_node(dt, n, NULL)) {
		uint64_t base, size;
		const char *type = dt_prop_string(dt, n, "device_type");

		if (!type || strcmp(type, "memory"))
			continue;
		for (int i = 0; dt_reg_cpu(dt, n, i, &base, &size) == 0; i++)
			if (EARLY_UART_BASE >= base && EARLY_UART_BASE - base < size)
				arm64_early_uart = NULL;
	}
#else
	(void)dt;
#endif
}

bool arch_early_console_putc(char c)
{
#ifdef EARLY_UART_PL011
	/* Polled PL011 at the pinned address; firmware has set it up (QEMU: no init). */
	volatile uint32_t *base = arm64_early_uart;

	if (!base)
		return false;

	for (int i = 0; i < 1000000; i++) {
		if (!(base[0x18 / 4] & (1u << 5)))	/* FR.TXFF */
			break;
	}
	base[0] = (uint8_t)c;
	return true;
#else
	(void)c;
	return false;
#endif
}

phys_addr_t arch_fallback_dtb(void)
{
	/*
	 * QEMU virt booting an ELF passes x0 = 0 but still places the tree at RAM base when the ELF
	 * does not cover it. Only QEMU virt has RAM at 0x40000000 for sure; check the magic.
	 */
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)0x40000000;

	if (p[0] == 0xd0 && p[1] == 0x0d && p[2] == 0xfe && p[3] == 0xed)
		return 0x40000000;
	return 0;
}

uint64_t arch_counter(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t arch_counter_hz(void)
{
	return read_sysreg(cntfrq_el0);
}

/*
 * Count INST_RETIRED in event counter 0. QEMU implements that event only with -icount (its
 * PMCEID0_EL0 then says so); without it there is nothing honest to count and we return 0.
 * The counter is per CPU: each CPU programs its own on its first call, and the high half is
 * kept per CPU too, since PMEVCNTR<n> is 32 bits wide (unless PMCR.LP on PMUv3p5, which we
 * leave clear): a count is exact as long as its CPU calls at least once per 2^32 instructions.
 * One shared high/last pair made every CPU's small count look like a wrap of the boot CPU's.
 */
static struct {
	uint64_t high;
	uint32_t last;
	bool enabled;
} __attribute__((aligned(64))) insn_ctr[NR_CPUS];

static void pmu_probe(void)
{
	uint64_t ver = ID_AA64DFR0_PMUVER(read_sysreg(id_aa64dfr0_el1));

	pmu_probed = true;
	if (ver == 0 || ver == 0xf)
		return;
	if (PMCR_N(read_sysreg(pmcr_el0)) == 0)
		return;
	if (!(read_sysreg(pmceid0_el0) & (1ULL << PMU_EVT_INST_RETIRED)))
		return;
	pmu_inst_retired = true;
}

static void pmu_enable_this_cpu(void)
{
	write_sysreg(pmcntenclr_el0, 1);
	write_sysreg(pmevtyper0_el0, PMU_EVT_INST_RETIRED);	/* count at EL0 and EL1 */
	write_sysreg(pmevcntr0_el0, 0);
	write_sysreg(pmcr_el0, (read_sysreg(pmcr_el0) & ~PMCR_P) | PMCR_E);
	write_sysreg(pmcntenset_el0, 1);
	isb();
}

uint64_t arch_insn_count(void)
{
	unsigned int cpu = smp_processor_id();
	uint32_t now;

	if (!pmu_probed)
		pmu_probe();
	if (!pmu_inst_retired || cpu >= NR_CPUS)
		return 0;
	if (!insn_ctr[cpu].enabled) {
		pmu_enable_this_cpu();
		insn_ctr[cpu].enabled = true;
	}
	isb();
	now = (uint32_t)read_sysreg(pmevcntr0_el0);
	if (now < insn_ctr[cpu].last)
		insn_ctr[cpu].high += 1ULL << 32;
	insn_ctr[cpu].last = now;
	return insn_ctr[cpu].high | now;
}

void arch_cpu_idle(void)
{
	/* IRQs are taken only here: one that arrived before wfi makes it return at once. */
	__asm__ volatile("msr daifclr, #2\n\twfi\n\tmsr daifset, #2" ::: "memory");
}

uintptr_t arch_current_fp(void)
{
	/*
	 * Our own frame record is gone once we return and the caller's next call reuses it, so
	 * hand back the caller's frame pointer (the first word of our record), which stays live.
	 */
	return *(const uintptr_t *)__builtin_frame_address(0);
}

void arch_backtrace(uintptr_t fp)
{
	/* AAPCS64 frame record: [fp] = caller's fp, [fp + 8] = return address (lr). */
	pr_emerg("Call trace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp < (uintptr_t)__stack_bottom || fp > (uintptr_t)__stack_top - 16 || (fp & 7))
			break;
		uint64_t lr = ((const uint64_t *)fp)[1];
		uint64_t prev = ((const uint64_t *)fp)[0];

		if (!lr)
			break;
		pr_emerg("  [<0x%016llx>]\n", (unsigned long long)lr);
		if (prev <= fp)
			break;
		fp = prev;
	}
}

struct midr_part {
	uint8_t implementer;
	uint16_t part;
	const char *name;
};

static const struct midr_part midr_parts[] = {
	{ 0x41, 0xd03, "Cortex-A53" }, { 0x41, 0xd04, "Cortex-A35" },
	{ 0x41, 0xd05, "Cortex-A55" }, { 0x41, 0xd07, "Cortex-A57" },
	{ 0x41, 0xd08, "Cortex-A72" }, { 0x41, 0xd09, "Cortex-A73" },
	{ 0x41, 0xd0a, "Cortex-A75" }, { 0x41, 0xd0b, "Cortex-A76" },
	{ 0x41, 0xd0c, "Neoverse-N1" }, { 0x41, 0xd0d, "Cortex-A77" },
	{ 0x41, 0xd40, "Neoverse-V1" }, { 0x41, 0xd41, "Cortex-A78" },
	{ 0x41, 0xd44, "Cortex-X1" }, { 0x41, 0xd46, "Cortex-A510" },
	{ 0x41, 0xd47, "Cortex-A710" }, { 0x41, 0xd48, "Cortex-X2" },
	{ 0x41, 0xd49, "Neoverse-N2" }, { 0x41, 0xd4f, "Neoverse-V2" },
	{ 0x00, 0x051, "QEMU max" },
};

static const char *implementer_name(unsigned int imp)
{
	switch (imp) {
	case 0x00:
		return "software";
	case 0x41:
		return "Arm";
	case 0x42:
		return "Broadcom";
	case 0x43:
		return "Cavium";
	case 0x46:
		return "Fujitsu";
	case 0x48:
		return "HiSilicon";
	case 0x4e:
		return "NVIDIA";
	case 0x51:
		return "Qualcomm";
	case 0x61:
		return "Apple";
	case 0xc0:
		return "Ampere";
	default:
		return "unknown implementer";
	}
}

static void print_cpu(void)
{
	uint64_t midr = read_sysreg(midr_el1);
	unsigned int imp = MIDR_IMPLEMENTER(midr), part = MIDR_PARTNUM(midr);
	const char *name = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(midr_parts); i++)
		if (midr_parts[i].implementer == imp && midr_parts[i].part == part)
			name = midr_parts[i].name;
	pr_info("cpu: MIDR_EL1 0x%08llx: %s %s r%up%u (implementer 0x%02x, part 0x%03x), "
		"MPIDR_EL1 0x%llx\n",
		(unsigned long long)midr, implementer_name(imp), name ? name : "unknown part",
		(unsigned int)MIDR_VARIANT(midr), (unsigned int)MIDR_REVISION(midr), imp, part,
		(unsigned long long)arm64_boot_mpidr);
	pr_info("cpu: entered at EL%llu%s\n", (unsigned long long)arm64_boot_el,
		arm64_boot_el == 2 ? ", dropped to EL1" : "");
}

int arch_setup(const struct boot_info *bi, const struct bootargs *ba)
{
	int problems = 0;
	int ver;

	semihosting = ba->exit == BOOTARGS_EXIT_SEMIHOSTING;
	psci_set_conduit(bi->psci);

	print_cpu();
	cacheflush_init(bi);
	pr_info("pmem: persistence flush by %s\n", arch_pmem_flush_name());
	if (bi->psci == BI_PSCI_NONE) {
		pr_warn("psci: no /psci method in the device tree: no PSCI calls, no power-off\n");
	} else {
		ver = psci_version();
		if (ver >= 0)
			pr_info("psci: v%d.%d via %s (\"%s\")\n", PSCI_VERSION_MAJOR(ver),
				PSCI_VERSION_MINOR(ver), psci_conduit_name(), bi->psci_compat);
		else
			pr_warn("psci: PSCI_VERSION via %s failed (%d)\n", psci_conduit_name(), ver);
	}
	if (bi->gic_version)
		pr_info("gic: GICv%d\n", bi->gic_version);
	else
		pr_info("gic: none found in the device tree\n");
	if (!arch_counter_hz()) {
		pr_err("time: CNTFRQ_EL0 is 0 (firmware did not set it): timestamps and timeouts are "
		       "unavailable\n");
		problems++;
	} else {
		pr_info("time: CNTFRQ_EL0 %llu Hz\n", (unsigned long long)arch_counter_hz());
	}
	if (!pmu_probed)
		pmu_probe();
	pr_info("pmu: %s\n", pmu_inst_retired ? "INST_RETIRED counted in PMEVCNTR0" :
			     "INST_RETIRED is not counted by QEMU without -icount: insns read 0");
	pr_info("exit: %s\n", semihosting ? "semihosting" :
			      bi->poweroff_base ? "syscon-poweroff (no status)" :
			      bi->psci != BI_PSCI_NONE ? "PSCI SYSTEM_OFF (no status)" :
			      boot.dt_valid ? "none named by the tree: park after the result line" :
					      "no tree to name one: at the end PSCI SYSTEM_OFF is tried "
					      "through hvc and smc, else park");
	return problems;
}

/*
 * The run must end whatever the input was. Semihosting first when announced (the only path
 * that carries the status); then the tree's syscon-poweroff, its PSCI conduit; then, when the
 * tree could not say (rejected, absent) or its conduit failed, SYSTEM_OFF through each conduit
 * with the undefined-instruction trap caught; and if nothing answers, park: the result line is
 * out.
 */
__noreturn void arch_exit(int status)
{
	static bool exiting;

	if (semihosting) {
		/* Once only: if nobody serves the hlt, the trap path comes back here. */
		semihosting = false;
		semihost_exit(status);
	}
	if (!exiting) {
		exiting = true;
		exit_syscon_poweroff();
		if (strcmp(psci_conduit_name(), "none")) {
			exit_note_statusless("PSCI SYSTEM_OFF (the tree's conduit)");
			psci_system_off();
		}
		/*
		 * A valid tree without /psci says there is none: an smc into an EL3 that has no
		 * handler (QEMU raspi3b, a Raspberry Pi's spin-table firmware) never comes back.
		 * Only a tree that could not say, or whose conduit failed, is followed by blind
		 * probes.
		 */
		if (!boot.dt_valid || strcmp(psci_conduit_name(), "none")) {
			/* Entered at EL2, an hvc would land in our own EL2, which has no vectors. */
			if (arm64_boot_el != 2) {
				exit_note_statusless("PSCI SYSTEM_OFF via hvc (not named by the tree)");
				psci_system_off_probe(BI_PSCI_HVC);
			}
			exit_note_statusless("PSCI SYSTEM_OFF via smc (not named by the tree)");
			psci_system_off_probe(BI_PSCI_SMC);
		}
		exit_note_parked();
	}
	for (;;)
		__asm__ volatile("wfi");
}

uintptr_t arch_fault_address(void)
{
	return ARM64_FAULT_ADDR;
}

void arch_trigger_trap(const char *kind)
{
	if (!strcmp(kind, "illegal"))
		__asm__ volatile("udf #0");
	else if (!strcmp(kind, "break"))
		__asm__ volatile("brk #0");
}
