// SPDX-License-Identifier: BSD-2-Clause
// The hooks each platform/<arch>/ provides to the arch-neutral boot flow (platform/common/).
// Generic code never names an architecture: it reaches the hardware only through these.
#ifndef ZONEDEV_PLATFORM_ARCH_H
#define ZONEDEV_PLATFORM_ARCH_H

#include <platform/bootinfo.h>
#include <platform/types.h>

struct bootargs;

/**
 * start_kernel() - arch-neutral entry, called by head.S on the boot CPU with a stack, BSS
 * cleared, TLS pointer set, traps installed.
 * @cpu_hwid: hart id (riscv64) or MPIDR (arm64) of the boot CPU
 * @dtb: physical address of the flattened device tree (0 if the firmware gave none)
 */
__noreturn void start_kernel(uint64_t cpu_hwid, phys_addr_t dtb);

/** arch_name() - "riscv64" or "arm64". */
const char *arch_name(void);

/**
 * arch_early_console_putc() - print when the device tree names no UART we drive (riscv64: SBI;
 * arm64: the UART a bring-up build pins, if any). Return: false when there is no such console.
 */
bool arch_early_console_putc(char c);

/**
 * arch_early_console_check() - the tree @dt is valid but names no console we drive: drop a
 * pinned early UART whose address the tree says is RAM (another board's address).
 */
struct dt;
void arch_early_console_check(struct dt *dt);

/**
 * arch_early_ioremap() - an address for device registers at @pa usable before paging_init()
 * (through the boot identity map, made Device memory there if it was not). 0: unreachable.
 */
uintptr_t arch_early_ioremap(phys_addr_t pa);

/**
 * arch_fallback_dtb() - where to look for a tree when the firmware passed none (0: nowhere).
 */
phys_addr_t arch_fallback_dtb(void);

/**
 * arch_setup() - take in what the tree says (exit device, conduit, features, timer) and the
 * boot arguments that concern the arch (exit method). Prints the arch facts.
 * Return: number of problems found (each printed), counted as invalid input.
 */
int arch_setup(const struct boot_info *bi, const struct bootargs *ba);

/** arch_exit() - end the run with @status (0..3); never returns. */
__noreturn void arch_exit(int status);

/** arch_counter() - free-running time counter (riscv rdtime, arm64 CNTVCT). */
uint64_t arch_counter(void);
/** arch_counter_hz() - its frequency (tree timebase on riscv64, CNTFRQ on arm64). */
uint64_t arch_counter_hz(void);
/** arch_insn_count() - instructions retired (exact under qemu -icount shift=0). */
uint64_t arch_insn_count(void);

/** arch_cpu_idle() - wait for an interrupt (returns after one arrived, or spuriously). */
void arch_cpu_idle(void);

/** arch_backtrace() - print a frame-pointer backtrace starting at @fp. */
void arch_backtrace(uintptr_t fp);
/** arch_current_fp() - the caller's frame pointer, for panic(). */
uintptr_t arch_current_fp(void);

/** arch_fault_address() - an address no access can succeed at (crash=load/store/exec). */
uintptr_t arch_fault_address(void);

/**
 * arch_trigger_trap() - deliberately take an unexpected exception of @kind ("illegal",
 * "break") so a boot test can check the trap report. Returns only if @kind is unknown.
 */
void arch_trigger_trap(const char *kind);

struct pgtable;
struct pgtable_cfg;

/**
 * arch_pgtable_candidates() - page-table formats to try, best first
 * @ba: pgtable= may ask for one; a format the arch does not have is reported (invalid input)
 * Return: number of entries written to @out (at least 1), or -EINVAL after a report.
 */
int arch_pgtable_candidates(const struct boot_info *bi, const struct bootargs *ba,
			    struct pgtable_cfg *out, int max);

/**
 * arch_phys_bits() - physical-address width @cfg's leaves can reach on this CPU (arm64: the
 * lesser of ID_AA64MMFR0_EL1.PARange and the format's 48-bit output address; riscv64: the
 * 56-bit PA of every Sv mode). An address at or above 1 << width cannot be mapped.
 */
unsigned int arch_phys_bits(const struct pgtable_cfg *cfg);
/** arch_pgtable_name() - "sv39", "sv48", "sv57", "arm64-4k-48". */
const char *arch_pgtable_name(const struct pgtable_cfg *cfg);

/**
 * arch_paging_prepare() - map the arch's own devices (exit finisher, ...) with ioremap() into the
 * table being built; the addresses take effect in arch_paging_commit().
 * Return: 0 or a negative errno.
 */
int arch_paging_prepare(void);

/**
 * arch_install_pgtable() - make @pt the kernel's table (riscv64 satp, arm64 TTBR1 with an empty
 * TTBR0) and drop every stale translation.
 * Return: false, with the old table still in use, when the CPU refused the format.
 */
bool arch_install_pgtable(const struct pgtable *pt);

/**
 * arch_switch_mm() - run the lower half through @pt (an address space's table, same format as
 * the kernel's, tagged with its ASID), or through no table again when @pt is NULL. This CPU
 * only. riscv64 has one root for both halves: the kernel's upper-half root entries are copied
 * into @pt's root on the way in and cleared on the way out, so switch away before destroying
 * @pt. arm64 loads TTBR0_EL1 (ASID in bits 63:48).
 */
void arch_switch_mm(struct pgtable *pt);

/** arch_paging_commit() - start using the addresses arch_paging_prepare() mapped. */
void arch_paging_commit(void);

/** Linker-script symbols: the image (physical == virtual while the MMU is off). */
extern char _start[], _end[], _etext[], _sdata[], __bss_start[], __bss_end[], __stack_top[],
	__stack_guard[], __stack_bottom[];

#endif
