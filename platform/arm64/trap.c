// SPDX-License-Identifier: BSD-2-Clause
// arm64 exception handling: IRQs (GIC SGIs as IPIs) and faults inside probes are served;
// anything else is unexpected: decode the syndrome (ESR_EL1, Arm ARM D17.2.37 "ESR_EL1"),
// print it whole with the table walk and a backtrace, and end with status 3.
#include <platform/arch.h>
#include <platform/fault.h>
#include <platform/paging.h>
#include <platform/panic.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <arch/ptrace.h>

void arm64_handle_trap(struct pt_regs *regs, unsigned int vector);
void arm64_handle_irq(void);


#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL (1ULL << 25)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)

#define ESR_EC_UNKNOWN 0x00
#define ESR_EC_SVC64 0x15
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_EC_SERROR 0x2f
#define ESR_EC_BRK64 0x3c

/* Data/instruction abort ISS bits */
#define ESR_ISS_FSC(iss) ((iss) & 0x3f)
#define ESR_ISS_WNR (1u << 6)
#define ESR_ISS_S1PTW (1u << 7)
#define ESR_ISS_CM (1u << 8)
#define ESR_ISS_EA (1u << 9)
#define ESR_ISS_FNV (1u << 10)

static const char *const ec_names[64] = {
	[0x00] = "unknown reason (undefined instruction)",
	[0x01] = "WFI/WFE trapped",
	[0x03] = "AArch32 MCR/MRC cp15",
	[0x04] = "AArch32 MCRR/MRRC cp15",
	[0x05] = "AArch32 MCR/MRC cp14",
	[0x06] = "AArch32 LDC/STC cp14",
	[0x07] = "SVE/SIMD/FP access trapped",
	[0x0c] = "AArch32 MRRC cp14",
	[0x0d] = "branch target exception",
	[0x0e] = "illegal execution state",
	[0x11] = "SVC (AArch32)",
	[0x15] = "SVC (AArch64)",
	[0x16] = "HVC (AArch64)",
	[0x17] = "SMC (AArch64)",
	[0x18] = "MSR/MRS/system instruction trapped",
	[0x19] = "SVE access trapped",
	[0x1c] = "pointer authentication failure",
	[0x20] = "instruction abort from a lower EL",
	[0x21] = "instruction abort from the same EL",
	[0x22] = "PC alignment fault",
	[0x24] = "data abort from a lower EL",
	[0x25] = "data abort from the same EL",
	[0x26] = "SP alignment fault",
	[0x28] = "floating-point exception (AArch32)",
	[0x2c] = "floating-point exception (AArch64)",
	[0x2f] = "SError",
	[0x30] = "breakpoint from a lower EL",
	[0x31] = "breakpoint from the same EL",
	[0x32] = "software step from a lower EL",
	[0x33] = "software step from the same EL",
	[0x34] = "watchpoint from a lower EL",
	[0x35] = "watchpoint from the same EL",
	[0x38] = "BKPT (AArch32)",
	[0x3c] = "BRK (AArch64)",
};

static const char *const vector_names[16] = {
	"Synchronous, current EL with SP_EL0", "IRQ, current EL with SP_EL0",
	"FIQ, current EL with SP_EL0",	       "SError, current EL with SP_EL0",
	"Synchronous, current EL with SP_ELx", "IRQ, current EL with SP_ELx",
	"FIQ, current EL with SP_ELx",	       "SError, current EL with SP_ELx",
	"Synchronous, lower EL (AArch64)",     "IRQ, lower EL (AArch64)",
	"FIQ, lower EL (AArch64)",	       "SError, lower EL (AArch64)",
	"Synchronous, lower EL (AArch32)",     "IRQ, lower EL (AArch32)",
	"FIQ, lower EL (AArch32)",	       "SError, lower EL (AArch32)",
};

/* DFSC/IFSC: the fault status code of an abort. *level is set for the per-level kinds. */
static const char *fault_status_name(unsigned int fsc, int *level)
{
	*level = -1;
	switch (fsc >> 2) {
	case 0x0:
		*level = (int)(fsc & 3);
		return "address size fault";
	case 0x1:
		*level = (int)(fsc & 3);
		return "translation fault";
	case 0x2:
		*level = (int)(fsc & 3);
		return "access flag fault";
	case 0x3:
		*level = (int)(fsc & 3);
		return "permission fault";
	case 0x5:
		*level = (int)(fsc & 3);
		return "synchronous external abort on table walk";
	case 0x7:
		*level = (int)(fsc & 3);
		return "synchronous parity/ECC error on table walk";
	}
	switch (fsc) {
	case 0x10:
		return "synchronous external abort";
	case 0x11:
		return "synchronous tag check fault";
	case 0x18:
		return "synchronous parity/ECC error";
	case 0x21:
		return "alignment fault";
	case 0x30:
		return "TLB conflict abort";
	case 0x31:
		return "unsupported atomic hardware update fault";
	case 0x34:
		return "IMPLEMENTATION DEFINED fault (lockdown)";
	case 0x35:
		return "IMPLEMENTATION DEFINED fault (unsupported exclusive or atomic access)";
	default:
		return "reserved fault status";
	}
}

static void print_abort(uint64_t esr, uint64_t far, bool data)
{
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	unsigned int fsc = ESR_ISS_FSC(iss);
	int level;
	const char *name = fault_status_name(fsc, &level);
	char lvl[16] = "";

	if (level >= 0)
		scnprintf(lvl, sizeof(lvl), ", level %d", level);
	pr_emerg("  %s 0x%02x: %s%s\n", data ? "DFSC" : "IFSC", fsc, name, lvl);
	if (data)
		pr_emerg("  WnR=%u (%s) CM=%u S1PTW=%u EA=%u\n", !!(iss & ESR_ISS_WNR),
			 iss & ESR_ISS_WNR ? "write" : "read", !!(iss & ESR_ISS_CM),
			 !!(iss & ESR_ISS_S1PTW), !!(iss & ESR_ISS_EA));
	else
		pr_emerg("  S1PTW=%u EA=%u\n", !!(iss & ESR_ISS_S1PTW), !!(iss & ESR_ISS_EA));
	if (iss & ESR_ISS_FNV)
		pr_emerg("  FAR not valid (FnV=1)\n");
	else
		pr_emerg("  faulting address 0x%016llx\n", (unsigned long long)far);
}

static void print_regs(const struct pt_regs *regs)
{
	for (int i = 0; i < 31; i += 3) {
		char line[160];
		int n = 0;

		for (int j = i; j < i + 3 && j < 31; j++)
			n += scnprintf(line + n, sizeof(line) - (size_t)n, " %sx%d 0x%016llx",
				       j < 10 ? " " : "", j, (unsigned long long)regs->regs[j]);
		pr_emerg(" %s\n", line);
	}
	pr_emerg("   sp 0x%016llx  pc 0x%016llx  pstate 0x%08llx\n",
		 (unsigned long long)regs->sp, (unsigned long long)regs->pc,
		 (unsigned long long)regs->pstate);
}

extern char arm64_probe_read_insn[], arm64_probe_read_fixup[];
extern char arm64_probe_write_insn[], arm64_probe_write_fixup[];
extern char arm64_probe_exec_fixup[];
extern uintptr_t arm64_probe_exec_target;
extern char arm64_probe_hvc_insn[], arm64_probe_hvc_fixup[];
extern char arm64_probe_smc_insn[], arm64_probe_smc_fixup[];

/*
 * An hvc or smc that nothing at a higher EL serves is an undefined instruction; the conduit
 * probes (probe.S) expect that and resume with -ENOSYS. Not a fault: nothing is recorded.
 */
static bool conduit_fixup(struct pt_regs *regs, unsigned int vector)
{
	if ((vector & 3) != 0 || ESR_EC(regs->esr) != ESR_EC_UNKNOWN)
		return false;
	if (regs->pc == (uintptr_t)arm64_probe_hvc_insn)
		regs->pc = (uintptr_t)arm64_probe_hvc_fixup;
	else if (regs->pc == (uintptr_t)arm64_probe_smc_insn)
		regs->pc = (uintptr_t)arm64_probe_smc_fixup;
	else
		return false;
	return true;
}

/* A fault inside a probe (platform/fault.h) is expected: record it and resume the probe. */
static bool probe_fixup(struct pt_regs *regs, unsigned int vector)
{
	unsigned int ec = ESR_EC(regs->esr);
	struct fault_record r = { .addr = regs->far, .pc = regs->pc, .cause = regs->esr };
	unsigned int fsc = regs->esr & 0x3f;
	int level;
	uintptr_t resume;

	if ((vector & 3) != 0)
		return false;
	if (ec == ESR_EC_DABT_CUR && regs->pc == (uintptr_t)arm64_probe_read_insn) {
		r.access = FAULT_READ;
		resume = (uintptr_t)arm64_probe_read_fixup;
	} else if (ec == ESR_EC_DABT_CUR && regs->pc == (uintptr_t)arm64_probe_write_insn) {
		r.access = FAULT_WRITE;
		resume = (uintptr_t)arm64_probe_write_fixup;
	} else if (ec == ESR_EC_IABT_CUR && arm64_probe_exec_target &&
		   regs->pc == arm64_probe_exec_target) {
		r.access = FAULT_EXEC;
		resume = (uintptr_t)arm64_probe_exec_fixup;
	} else {
		return false;
	}
	/* DFSC/IFSC 0b0011LL is a permission fault at level LL. */
	r.is_permission = (fsc & 0x3c) == 0x0c;
	scnprintf(r.what, sizeof(r.what), "%s at 0x%016llx", fault_status_name(fsc, &level),
		  (unsigned long long)regs->far);
	fault_record_caught(&r);
	regs->pc = resume;
	return true;
}

extern uintptr_t arm64_overflow_sp;

void arm64_handle_trap(struct pt_regs *regs, unsigned int vector)
{
	static bool in_trap;

	if (arm64_overflow_sp) {
		pr_emerg("kernel stack overflow: sp 0x%016lx ran into the guard page below the stack of "
			 "cpu%u (top 0x%016lx); ESR 0x%08llx at 0x%016llx, FAR 0x%016llx\n",
			 (unsigned long)arm64_overflow_sp, smp_processor_id(),
			 (unsigned long)(this_cpu()->stack_top ? this_cpu()->stack_top :
							   (uintptr_t)__stack_top),
			 (unsigned long long)regs->esr,
			 (unsigned long long)regs->pc, (unsigned long long)regs->far);
		panic_finish("stack overflow");
	}
	/* a translation fault (DFSC 0b0001LL) on device-private memory: migrated, then retried */
	if ((vector & 3) == 0 && ESR_EC(regs->esr) == ESR_EC_DABT_CUR &&
	    (regs->esr & 0x3c) == 0x04 && paging_handle_user_fault(regs->far))
		return;
	if (probe_fixup(regs, vector) || conduit_fixup(regs, vector))
		return;
	if ((vector & 3) == 1 && vector < 8) {
		arm64_handle_irq();
		return;
	}
	bool sync = (vector & 3) == 0, serror = (vector & 3) == 3;
	uint64_t esr = regs->esr;
	unsigned int ec = ESR_EC(esr);
	const char *what;

	if (in_trap) {
		/* Faulted while reporting a fault: do not recurse, just leave. */
		pr_emerg("Unhandled exception while reporting one: vector %u, ESR 0x%08llx, "
			 "ELR 0x%016llx\n", vector, (unsigned long long)esr,
			 (unsigned long long)regs->pc);
		panic_finish("trap");
	}
	in_trap = true;

	if (sync || serror)
		what = ec_names[ec] ? ec_names[ec] : "reserved exception class";
	else
		what = (vector & 3) == 1 ? "IRQ" : "FIQ";
	pr_emerg("Unhandled exception: %s (EC 0x%02x)\n", what, ec);
	pr_emerg("  vector %u: %s\n", vector, vector_names[vector & 15]);
	pr_emerg("  ESR 0x%08llx FAR 0x%016llx ELR 0x%016llx SPSR 0x%08llx\n",
		 (unsigned long long)esr, (unsigned long long)regs->far,
		 (unsigned long long)regs->pc, (unsigned long long)regs->pstate);

	if (sync) {
		switch (ec) {
		case ESR_EC_DABT_CUR:
		case ESR_EC_DABT_LOW:
			print_abort(esr, regs->far, true);
			paging_dump_walk(regs->far);
			break;
		case ESR_EC_IABT_CUR:
		case ESR_EC_IABT_LOW:
			print_abort(esr, regs->far, false);
			paging_dump_walk(regs->far);
			break;
		case ESR_EC_UNKNOWN:
			/* The instruction was fetched, so reading it again is safe. */
			pr_emerg("  instruction 0x%08x at 0x%016llx\n",
				 *(const uint32_t *)(uintptr_t)regs->pc,
				 (unsigned long long)regs->pc);
			break;
		case ESR_EC_BRK64:
			pr_emerg("  brk #0x%x\n", (unsigned int)(esr & 0xffff));
			break;
		case ESR_EC_SVC64:
			pr_emerg("  svc #0x%x\n", (unsigned int)(esr & 0xffff));
			break;
		}
	}
	if (regs->sp < (uintptr_t)__stack_bottom + 512 && regs->sp >= (uintptr_t)__stack_guard)
		pr_emerg("  sp 0x%016llx is in the stack guard: kernel stack overflow\n",
			 (unsigned long long)regs->sp);
	print_regs(regs);
	arch_backtrace(regs->regs[29]);
	panic_finish("trap");
}
