// SPDX-License-Identifier: BSD-2-Clause
// riscv64 hooks for the boot flow: early console, facts from the tree, counters, backtrace, exit.
#include <string.h>

#include <platform/cacheflush.h>
#include <platform/arch.h>
#include <platform/bootargs.h>
#include <platform/exit.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <arch/csr.h>
#include <arch/processor.h>
#include <arch/tlbflush.h>
#include <arch/sbi.h>

extern char __tdata_start[], __tdata_end[];
extern char __tls_size[], __tls_align[];

void riscv_tls_init(void);
bool riscv_isa_has(const struct boot_info *bi, const char *ext);
void riscv_set_finisher(volatile uint32_t *f);


static uint64_t timebase_hz;
static volatile uint32_t *finisher;
static bool semihosting;

/*
 * picolibc keeps errno in TLS; tp points at the running hart's TLS block (in its per-CPU area),
 * the TLS image starts right there (RISC-V psABI, TLS variant I without a TCB).
 */
void riscv_tls_init(void)
{
	uint8_t *block = (uint8_t *)arch_thread_pointer();
	size_t tdata = (size_t)(__tdata_end - __tdata_start);
	size_t total = (size_t)(uintptr_t)__tls_size;

	/* A TLS image larger than the block is a build error we can only report by hanging. */
	if (total > PERCPU_TLS_SIZE || (uintptr_t)__tls_align > 64)
		for (;;)
			__asm__ volatile("wfi");
	/* The rest (.tbss) is zero: the areas live in .bss. */
	for (size_t i = 0; i < tdata; i++)
		block[i] = (uint8_t)__tdata_start[i];
}

uintptr_t arch_thread_pointer(void)
{
	uintptr_t tp;

	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

void riscv_set_finisher(volatile uint32_t *f)
{
	finisher = f;
}

const char *arch_name(void)
{
	return "riscv64";
}

bool arch_early_console_putc(char c)
{
	sbi_console_putchar(c);
	return true;
}

void arch_early_console_check(struct dt *dt)
{
	(void)dt;
}

/* The boot table maps the low 256 GiB identity; the PMAs, not the PTEs, make devices devices. */
uintptr_t arch_early_ioremap(phys_addr_t pa)
{
	return pa < (256ULL << 30) ? (uintptr_t)pa : 0;
}

phys_addr_t arch_fallback_dtb(void)
{
	return 0;
}

uint64_t arch_counter(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

uint64_t arch_counter_hz(void)
{
	return timebase_hz;
}

uint64_t arch_insn_count(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)

void arch_cpu_yield(void)
{
	/*
	 * Give the host core away for ~50 us: a vCPU in wfi sleeps, letting the one we wait for run
	 * (QEMU with more vCPUs than host cores). Only the timer is enabled in sie meanwhile: inside
	 * a cross-CPU call the IPI handler has already run, and a later IPI left pending would end
	 * every such wfi at once (a 64-hart HVO race spun instead of sleeping). The timer is off
	 * again before sie and sstatus.SIE come back, so it is never taken; a pending IPI is then.
	 */
	if (!sbi_info.has_time || !timebase_hz) {
		arch_cpu_relax();
		return;
	}
	unsigned long flags = arch_local_irq_save();
	unsigned long sie = csr_read(sie);

	sbi_set_timer(arch_counter() + timebase_hz / 20000 + 1);
	__asm__ volatile("csrw sie, %0\n\twfi" ::"r"((sie & ~SIE_SSIE) | SIE_STIE) : "memory");
	sbi_set_timer(~0ULL);
	__asm__ volatile("csrw sie, %0" ::"r"(sie) : "memory");
	arch_local_irq_restore(flags);
}

bool arch_cpu_yield_sleeps(void)
{
	return sbi_info.has_time && timebase_hz;
}

void arch_cpu_idle(void)
{
	/*
	 * Between enter and exit this hart runs only this function (no interrupt is taken: wfi
	 * wakes on one enabled in sie whatever sstatus.SIE says), so TLB shootdowns may skip it and
	 * it fences itself on the way out if one did (riscv_tlb_idle_enter()).
	 */
	riscv_tlb_idle_enter();
	__asm__ volatile("wfi" ::: "memory");
	riscv_tlb_idle_exit();
	/* Interrupts are taken only here: an IPI that arrived before wfi made it return at once. */
	__asm__ volatile("csrs sstatus, %0\n\tnop\n\tcsrc sstatus, %0" ::"r"(2UL) : "memory");
}

uintptr_t arch_current_fp(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

void arch_backtrace(uintptr_t fp)
{
	/* With frame pointers, ra is saved at fp-8 and the caller's fp at fp-16. */
	pr_emerg("Call trace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp < (uintptr_t)__stack_bottom + 16 || fp > (uintptr_t)__stack_top || (fp & 7))
			break;
		uint64_t ra = ((uint64_t *)fp)[-1];
		uint64_t prev = ((uint64_t *)fp)[-2];
		pr_emerg("  [<0x%016llx>]\n", (unsigned long long)ra);
		if (prev <= fp)
			break;
		fp = prev;
	}
}

static bool ext_eq(const char *s, size_t n, const char *ext)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != ext[i])
			return false;
	}
	return ext[n] == '\0';
}

/* riscv,isa is "rv64imafdc_zicsr_svpbmt..."; multi-letter extensions follow underscores. */
bool riscv_isa_has(const struct boot_info *bi, const char *ext)
{
	size_t n = strlen(ext);
	const char *lists[2] = { bi->isa, bi->isa_extensions };

	for (int l = 0; l < 2; l++) {
		const char *s = lists[l];
		while (s && *s) {
			const char *e = s;
			while (*e && *e != '_' && *e != ',')
				e++;
			if ((size_t)(e - s) == n && ext_eq(s, n, ext))
				return true;
			s = *e ? e + 1 : e;
		}
	}
	return false;
}

int arch_setup(const struct boot_info *bi, const struct bootargs *ba)
{
	static const char *const exts[] = { "svpbmt", "svnapot", "zicbom", "sstc", "svinval" };
	int problems = 0;
	char line[160];
	int n = 0;

	timebase_hz = bi->timebase_hz;
	if (!timebase_hz) {
		pr_err("dt: /cpus: no timebase-frequency: timestamps and timeouts are unavailable\n");
		problems++;
	}
	semihosting = ba->exit == BOOTARGS_EXIT_SEMIHOSTING;
	if (bi->finisher_base)
		finisher = (volatile uint32_t *)(uintptr_t)bi->finisher_base;

	if (sbi_probe() == 0)
		pr_info("sbi: SBI v%u.%u, %s v%ld.%ld; extensions:%s%s%s%s%s%s\n",
			sbi_info.spec_major, sbi_info.spec_minor, sbi_impl_name(sbi_info.impl_id),
			sbi_info.impl_version >> 16, sbi_info.impl_version & 0xffff,
			sbi_info.has_time ? " TIME" : "", sbi_info.has_ipi ? " IPI" : "",
			sbi_info.has_rfence ? " RFENCE" : "", sbi_info.has_hsm ? " HSM" : "",
			sbi_info.has_srst ? " SRST" : "", sbi_info.has_dbcn ? " DBCN" : "");
	else
		pr_warn("sbi: base extension probe failed: legacy calls only\n");
	pr_info("cpu: riscv,isa \"%s\"\n", bi->isa[0] ? bi->isa : "(absent)");
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
		n += scnprintf(line + n, sizeof(line) - (size_t)n, " %s=%s", exts[i],
			       riscv_isa_has(bi, exts[i]) ? "yes" : "no");
	pr_info("cpu: extensions:%s\n", line);
	cacheflush_init(bi);
	pr_info("pmem: persistence flush by %s\n", arch_pmem_flush_name());
	pr_info("time: timebase %llu Hz\n", (unsigned long long)timebase_hz);
	pr_info("exit: %s\n", semihosting ? "semihosting" :
			      finisher ? "sifive,test finisher" :
			      bi->poweroff_base ? "syscon-poweroff, then SBI system reset (no status)" :
						  "SBI system reset (no status)");
	return problems;
}

static void semihost_exit(int status)
{
	/* SYS_EXIT with ADP_Stopped_ApplicationExit and the code (RISC-V semihosting spec). */
	static uint64_t block[2];
	block[0] = 0x20026;
	block[1] = (uint64_t)status;
	register uint64_t a0 __asm__("a0") = 0x18;
	register uint64_t a1 __asm__("a1") = (uint64_t)(uintptr_t)block;
	__asm__ volatile(".option push\n.option norvc\n"
			 "slli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
			 : "+r"(a0)
			 : "r"(a1)
			 : "memory");
}

/*
 * The run must end whatever the input was: the finisher (from the tree) carries the status;
 * without one (tree rejected or absent) SBI SRST, then the legacy shutdown, which lose it; if
 * nothing answers, park: the result line is already out.
 */
__noreturn void arch_exit(int status)
{
	static bool exiting;

	if (semihosting) {
		semihosting = false;
		semihost_exit(status);
	}
	if (finisher)
		*finisher = status == 0 ? 0x5555u : 0x3333u | ((uint32_t)status << 16);
	if (!exiting) {
		exiting = true;
		exit_syscon_poweroff();
		/* A rejected tree means arch_setup() may not have probed the SBI yet. */
		if (!sbi_info.spec_major && !sbi_info.spec_minor)
			sbi_probe();
		/*
		 * SRST refuses a reset type the platform cannot do (sifive_u has a reboot line and
		 * no power-off) and returns; the legacy call has no way to refuse, and OpenSBI then
		 * hangs the hart in M-mode, before our parked line: only without SRST.
		 */
		if (sbi_info.has_srst) {
			exit_note_statusless("SBI SRST shutdown");
			sbi_system_reset(0, status ? 1 : 0);
		} else {
			exit_note_statusless("SBI legacy shutdown");
			sbi_legacy_shutdown();
		}
		exit_note_parked();
	}
	for (;;)
		__asm__ volatile("wfi");
}

uintptr_t arch_fault_address(void)
{
	return 8;
}

void arch_trigger_trap(const char *kind)
{
	if (!strcmp(kind, "illegal"))
		__asm__ volatile(".4byte 0");
	else if (!strcmp(kind, "break"))
		__asm__ volatile("ebreak");
}
