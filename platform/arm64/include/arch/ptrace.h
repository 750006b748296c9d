// SPDX-License-Identifier: BSD-2-Clause
// Register frame saved by the exception vectors (platform/arm64/entry.S lays it out in this order).
#ifndef ZONEDEV_ARCH_PTRACE_H
#define ZONEDEV_ARCH_PTRACE_H

#define PT_REGS_SIZE (36 * 8)
#define FPSIMD_SAVE_SIZE (32 * 16 + 16)

#ifndef __ASSEMBLER__
#include <stdint.h>

/**
 * struct pt_regs - state of the interrupted code
 * @regs: x0..x30 (x29 = frame pointer, x30 = link register)
 * @sp: the stack pointer at the time of the exception (not restored on return)
 * @pc: ELR_EL1, where eret resumes; a handler may change it
 * @pstate: SPSR_EL1, restored on return
 * @esr: ESR_EL1, the syndrome
 * @far: FAR_EL1, the faulting address (meaningful for aborts and watchpoints only)
 *
 * The vectors also save q0..q31, FPSR and FPCR below this frame (FPSIMD_SAVE_SIZE bytes):
 * picolibc's string routines use SIMD registers, so a handler that returns must not lose them.
 */
struct pt_regs {
	uint64_t regs[31];
	uint64_t sp;
	uint64_t pc;
	uint64_t pstate;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct pt_regs) == PT_REGS_SIZE, "entry.S and struct pt_regs disagree");
_Static_assert(PT_REGS_SIZE % 16 == 0 && FPSIMD_SAVE_SIZE % 16 == 0, "sp must stay 16-aligned");
#endif

#endif
