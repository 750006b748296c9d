// SPDX-License-Identifier: BSD-2-Clause
// riscv64 trap handling: IPIs (supervisor software interrupt), page faults on a stale TLB entry
// and faults inside probes are served; anything else is unexpected: print it whole, with the
// table walk for page faults, status 3.
#include <platform/arch.h>
#include <platform/fault.h>
#include <platform/paging.h>
#include <platform/panic.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <arch/csr.h>
#include <arch/ptrace.h>
#include <arch/tlbflush.h>

void riscv_handle_trap(struct pt_regs *regs);
void riscv_handle_ipi(void);


static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store/AMO address misaligned",
	[7] = "store/AMO access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store/AMO page fault",
	[18] = "software check",
	[19] = "hardware error",
};

static const char *const interrupt_names[] = {
	[1] = "supervisor software interrupt",
	[5] = "supervisor timer interrupt",
	[9] = "supervisor external interrupt",
	[13] = "counter overflow interrupt",
};

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTERRUPT;
	const char *n = NULL;

	if (scause & SCAUSE_INTERRUPT) {
		if (code < ARRAY_SIZE(interrupt_names))
			n = interrupt_names[code];
	} else if (code < ARRAY_SIZE(exception_names)) {
		n = exception_names[code];
	}
	return n ? n : "reserved";
}

extern char riscv_probe_read_insn[], riscv_probe_read_fixup[];
extern char riscv_probe_write_insn[], riscv_probe_write_fixup[];
extern char riscv_probe_exec_fixup[];
extern uintptr_t riscv_probe_exec_target;

/* A fault inside a probe (platform/fault.h) is expected: record it and resume the probe. */
static bool probe_fixup(struct pt_regs *regs)
{
	uint64_t code = regs->scause;
	struct fault_record r = { .addr = regs->stval, .pc = regs->sepc, .cause = code };
	uintptr_t resume;

	if (code & SCAUSE_INTERRUPT)
		return false;
	if (regs->sepc == (uintptr_t)riscv_probe_read_insn && (code == 5 || code == 13 || code == 4)) {
		r.access = FAULT_READ;
		resume = (uintptr_t)riscv_probe_read_fixup;
	} else if (regs->sepc == (uintptr_t)riscv_probe_write_insn &&
		   (code == 7 || code == 15 || code == 6)) {
		r.access = FAULT_WRITE;
		resume = (uintptr_t)riscv_probe_write_fixup;
	} else if (riscv_probe_exec_target && regs->sepc == riscv_probe_exec_target &&
		   (code == 1 || code == 12 || code == 0)) {
		r.access = FAULT_EXEC;
		resume = (uintptr_t)riscv_probe_exec_fixup;
	} else {
		return false;
	}
	/* scause does not tell a missing translation from a refused access; the table does. */
	r.is_permission = paging_fault_is_permission(regs->stval);
	scnprintf(r.what, sizeof(r.what), "%s at 0x%016llx", cause_name(code),
		  (unsigned long long)regs->stval);
	fault_record_caught(&r);
	regs->sepc = resume;
	return true;
}

#define SR_SUM (1ULL << 18) /* S-mode may load and store through U pages */
#define SR_MXR (1ULL << 19) /* loads may read execute-only pages */

/* Whether a leaf of protection @prot lets the faulting access @code through, as the MMU decides. */
static bool leaf_permits(pgprot_t prot, uint64_t code, uint64_t sstatus)
{
	unsigned int p = pgprot_val(prot);

	if (!(p & PGPROT_ACCESSED))
		return false;
	if ((p & PGPROT_USER) && (code == 12 || !(sstatus & SR_SUM)))
		return false;
	switch (code) {
	case 12:
		return p & PGPROT_EXEC;
	case 13:
		return (p & PGPROT_READ) || ((p & PGPROT_EXEC) && (sstatus & SR_MXR));
	case 15:
		return (p & PGPROT_WRITE) && (p & PGPROT_DIRTY);
	default:
		return false;
	}
}

/* The last stale-entry fault fenced on each CPU, until another trap comes (0: none). */
struct stale_fixup {
	uint64_t sepc, stval, scause;
};
static struct stale_fixup last_fixup[NR_CPUS];

unsigned long riscv_stale_tlb_fixups;

/*
 * New mappings are fenced on no other hart (ARCH_MAP_NEEDS_FLUSH 0 in <arch/pgtable.h>): a hart
 * may still hold the invalid or weaker entry it cached before, and fault on an address the
 * tables now map (priv. spec, "Supervisor Memory-Management Fence": such a stale entry is the
 * faulting hart's to drop). The fault is then spurious: fence this hart and retry. The same fault
 * as the last one fenced, with no other trap in between, is what the retry gave: not a stale
 * entry but tables the hardware reads differently from the walk, reported instead of looping.
 * (No counter can bound "right after": instret and time advance with the host under QEMU.)
 */
bool riscv_fixup_stale_tlb(struct pt_regs *regs)
{
	unsigned int cpu = smp_processor_id();
	struct stale_fixup now = { regs->sepc, regs->stval, regs->scause };
	struct stale_fixup *last = cpu < NR_CPUS ? &last_fixup[cpu] : NULL;
	pgprot_t prot;

	if (now.scause != 12 && now.scause != 13 && now.scause != 15)
		return false;
	if (!paging_leaf_prot(regs->stval, &prot) || !leaf_permits(prot, now.scause, regs->sstatus))
		return false;
	if (last && last->sepc == now.sepc && last->stval == now.stval &&
	    last->scause == now.scause)
		return false;
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	if (last)
		*last = now;
	__atomic_fetch_add(&riscv_stale_tlb_fixups, 1, __ATOMIC_RELAXED);
	return true;
}

/* Any trap but a fenced stale-entry fault ends the run of retries riscv_fixup_stale_tlb() tracks. */
static void stale_fixup_forget(void)
{
	unsigned int cpu = smp_processor_id();

	if (cpu < NR_CPUS)
		last_fixup[cpu] = (struct stale_fixup){ 0 };
}

extern uintptr_t riscv_overflow_sp;

void riscv_handle_trap(struct pt_regs *regs)
{
	uint64_t code = regs->scause & ~SCAUSE_INTERRUPT;

	if (riscv_overflow_sp) {
		pr_emerg("kernel stack overflow: sp 0x%016lx ran into the guard page below the stack of "
			 "cpu%u (top 0x%016lx); trap %llu at 0x%016llx, stval 0x%016llx\n",
			 (unsigned long)riscv_overflow_sp, smp_processor_id(),
			 (unsigned long)(this_cpu()->stack_top ? this_cpu()->stack_top :
							   (uintptr_t)__stack_top),
			 (unsigned long long)code,
			 (unsigned long long)regs->sepc, (unsigned long long)regs->stval);
		panic_finish("stack overflow");
	}
	/* a load/store/fetch page fault on device-private memory: migrated, then retried */
	if ((regs->scause == 12 || regs->scause == 13 || regs->scause == 15) &&
	    paging_handle_user_fault(regs->stval))
		return;
	if (riscv_fixup_stale_tlb(regs))
		return;
	stale_fixup_forget();
	if (probe_fixup(regs))
		return;
	if (regs->scause == (SCAUSE_INTERRUPT | 1)) {
		riscv_handle_ipi();
		return;
	}

	pr_emerg("Unhandled %s %llu: %s\n",
		 regs->scause & SCAUSE_INTERRUPT ? "interrupt" : "exception",
		 (unsigned long long)code, cause_name(regs->scause));
	pr_emerg("  scause 0x%016llx sepc 0x%016llx stval 0x%016llx sstatus 0x%016llx\n",
		 (unsigned long long)regs->scause, (unsigned long long)regs->sepc,
		 (unsigned long long)regs->stval, (unsigned long long)regs->sstatus);
	for (int i = 1; i < 32; i += 3) {
		char line[160];
		int n = 0;
		for (int j = i; j < i + 3 && j < 32; j++)
			n += scnprintf(line + n, sizeof(line) - (size_t)n, " %4s 0x%016llx",
				       reg_names[j], (unsigned long long)regs->x[j]);
		pr_emerg(" %s\n", line);
	}
	pr_emerg("  pc at trap: 0x%016llx\n", (unsigned long long)regs->sepc);
	if (code == 12 || code == 13 || code == 15)
		paging_dump_walk(regs->stval);
	arch_backtrace(regs->x[8]);
	panic_finish("trap");
}
