/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exception vectors for EL1: each of the 16 entries saves the interrupted state into a struct
 * pt_regs (plus the FP/SIMD registers below it) on the current stack and calls
 * arm64_handle_trap(regs, vector index); if that returns, restore and eret (it may change pc).
 */
#include <arch/ptrace.h>

#define S_X(n)		((n) * 8)
#define S_SP		(31 * 8)
#define S_PC		(32 * 8)
#define S_PSTATE	(33 * 8)
#define S_ESR		(34 * 8)
#define S_FAR		(35 * 8)
#define STACK_SIZE	16384		/* boot and secondary stacks alike */

	.arch	armv8-a+fp+simd

	/*
	 * Each entry (room for 32 instructions) saves x0/x1, names its vector, joins the common path.
	 * An exception taken with the boot stack exhausted would fault again on the guard page for
	 * ever: such an entry moves to the emergency stack first and leaves the old sp for the
	 * handler (TPIDRRO_EL0 and TPIDR_EL1, unused otherwise, hold x0/x1 meanwhile). The stack's
	 * top comes from the per-CPU area (TPIDR_EL0 - 24); every stack is STACK_SIZE bytes with an
	 * unmapped page below.
	 */
	.macro	vector_entry idx
	.balign	0x80
	msr	tpidrro_el0, x0
	msr	tpidr_el1, x1
	mrs	x1, tpidr_el0
	ldur	x1, [x1, #-24]		/* struct percpu.stack_top (0: boot stack, early) */
	cbnz	x1, 2f
	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
2:	mov	x0, sp
	sub	x1, x1, #STACK_SIZE
	add	x1, x1, #(PT_REGS_SIZE + FPSIMD_SAVE_SIZE + 64)
	cmp	x0, x1
	b.hs	1f			/* room for a frame */
	sub	x1, x1, #(PT_REGS_SIZE + FPSIMD_SAVE_SIZE + 64)
	sub	x1, x1, #4096
	cmp	x0, x1
	b.lo	1f			/* below the guard page: not this CPU's stack */
	adrp	x1, arm64_overflow_sp
	str	x0, [x1, :lo12:arm64_overflow_sp]
	adrp	x0, arm64_emergency_stack_top
	add	x0, x0, :lo12:arm64_emergency_stack_top
	mov	sp, x0
1:	mrs	x0, tpidrro_el0
	mrs	x1, tpidr_el1
	sub	sp, sp, #PT_REGS_SIZE
	stp	x0, x1, [sp, #S_X(0)]
	mov	x1, #\idx
	b	arm64_trap_common
	.endm

	.section .text
	.balign	2048
	.globl	vectors
vectors:
	vector_entry 0		/* current EL with SP_EL0: sync, IRQ, FIQ, SError */
	vector_entry 1
	vector_entry 2
	vector_entry 3
	vector_entry 4		/* current EL with SP_ELx */
	vector_entry 5
	vector_entry 6
	vector_entry 7
	vector_entry 8		/* lower EL, AArch64 */
	vector_entry 9
	vector_entry 10
	vector_entry 11
	vector_entry 12		/* lower EL, AArch32 */
	vector_entry 13
	vector_entry 14
	vector_entry 15

	.balign	4
arm64_trap_common:
	stp	x2, x3, [sp, #S_X(2)]
	stp	x4, x5, [sp, #S_X(4)]
	stp	x6, x7, [sp, #S_X(6)]
	stp	x8, x9, [sp, #S_X(8)]
	stp	x10, x11, [sp, #S_X(10)]
	stp	x12, x13, [sp, #S_X(12)]
	stp	x14, x15, [sp, #S_X(14)]
	stp	x16, x17, [sp, #S_X(16)]
	stp	x18, x19, [sp, #S_X(18)]
	stp	x20, x21, [sp, #S_X(20)]
	stp	x22, x23, [sp, #S_X(22)]
	stp	x24, x25, [sp, #S_X(24)]
	stp	x26, x27, [sp, #S_X(26)]
	stp	x28, x29, [sp, #S_X(28)]
	add	x2, sp, #PT_REGS_SIZE
	stp	x30, x2, [sp, #S_X(30)]		/* x30 and the sp at the time of the exception */
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #S_PC]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #S_ESR]

	/* Below pt_regs: FPSR, FPCR, then q0..q31. */
	sub	sp, sp, #FPSIMD_SAVE_SIZE
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [sp]
	stp	q0, q1, [sp, #16 + 0 * 32]
	stp	q2, q3, [sp, #16 + 1 * 32]
	stp	q4, q5, [sp, #16 + 2 * 32]
	stp	q6, q7, [sp, #16 + 3 * 32]
	stp	q8, q9, [sp, #16 + 4 * 32]
	stp	q10, q11, [sp, #16 + 5 * 32]
	stp	q12, q13, [sp, #16 + 6 * 32]
	stp	q14, q15, [sp, #16 + 7 * 32]
	stp	q16, q17, [sp, #16 + 8 * 32]
	stp	q18, q19, [sp, #16 + 9 * 32]
	stp	q20, q21, [sp, #16 + 10 * 32]
	stp	q22, q23, [sp, #16 + 11 * 32]
	stp	q24, q25, [sp, #16 + 12 * 32]
	stp	q26, q27, [sp, #16 + 13 * 32]
	stp	q28, q29, [sp, #16 + 14 * 32]
	stp	q30, q31, [sp, #16 + 15 * 32]

	/* x1 = vector index; x29 still holds the interrupted frame pointer. */
	add	x0, sp, #FPSIMD_SAVE_SIZE
	bl	arm64_handle_trap

	ldp	x2, x3, [sp]
	msr	fpsr, x2
	msr	fpcr, x3
	ldp	q0, q1, [sp, #16 + 0 * 32]
	ldp	q2, q3, [sp, #16 + 1 * 32]
	ldp	q4, q5, [sp, #16 + 2 * 32]
	ldp	q6, q7, [sp, #16 + 3 * 32]
	ldp	q8, q9, [sp, #16 + 4 * 32]
	ldp	q10, q11, [sp, #16 + 5 * 32]
	ldp	q12, q13, [sp, #16 + 6 * 32]
	ldp	q14, q15, [sp, #16 + 7 * 32]
	ldp	q16, q17, [sp, #16 + 8 * 32]
	ldp	q18, q19, [sp, #16 + 9 * 32]
	ldp	q20, q21, [sp, #16 + 10 * 32]
	ldp	q22, q23, [sp, #16 + 11 * 32]
	ldp	q24, q25, [sp, #16 + 12 * 32]
	ldp	q26, q27, [sp, #16 + 13 * 32]
	ldp	q28, q29, [sp, #16 + 14 * 32]
	ldp	q30, q31, [sp, #16 + 15 * 32]
	add	sp, sp, #FPSIMD_SAVE_SIZE

	ldp	x2, x3, [sp, #S_PC]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #S_X(2)]
	ldp	x4, x5, [sp, #S_X(4)]
	ldp	x6, x7, [sp, #S_X(6)]
	ldp	x8, x9, [sp, #S_X(8)]
	ldp	x10, x11, [sp, #S_X(10)]
	ldp	x12, x13, [sp, #S_X(12)]
	ldp	x14, x15, [sp, #S_X(14)]
	ldp	x16, x17, [sp, #S_X(16)]
	ldp	x18, x19, [sp, #S_X(18)]
	ldp	x20, x21, [sp, #S_X(20)]
	ldp	x22, x23, [sp, #S_X(22)]
	ldp	x24, x25, [sp, #S_X(24)]
	ldp	x26, x27, [sp, #S_X(26)]
	ldp	x28, x29, [sp, #S_X(28)]
	ldr	x30, [sp, #S_X(30)]
	ldp	x0, x1, [sp, #S_X(0)]
	add	sp, sp, #PT_REGS_SIZE
	eret

	.section .bss
	.balign	16
	.globl	arm64_overflow_sp
arm64_overflow_sp:
	.quad	0
	.balign	16
arm64_emergency_stack:
	.space	8192
arm64_emergency_stack_top:
