/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trap entry: save every register into a struct pt_regs on the current stack, call
 * riscv_handle_trap(regs), restore (the handler may have changed sepc to resume elsewhere).
 * The kernel only ever runs in S-mode, so the current sp is the kernel stack.
 */
#define PT_SIZE (36 * 8)
#define STACK_SIZE 16384	/* boot and secondary stacks alike */

	.section .text
	.balign 4
	.globl riscv_trap_entry
riscv_trap_entry:
	/*
	 * A trap taken with this CPU's stack exhausted would fault again on its guard page for
	 * ever: move to the emergency stack first and leave the old sp for the handler to report.
	 * The stack's top comes from the per-CPU area (struct percpu.stack_top, at tp - 24; 0 on
	 * the boot CPU before smp_init(): then the boot stack); every stack is STACK_SIZE bytes
	 * with an unmapped page below. t1 is parked in the per-CPU scratch word at tp - 16.
	 */
	csrw	sscratch, t0
	sd	t1, -16(tp)
	ld	t0, -24(tp)
	bnez	t0, 2f
	la	t0, __stack_top
2:	li	t1, STACK_SIZE - PT_SIZE - 64
	sub	t0, t0, t1		/* lowest sp that still has room for a frame */
	bgeu	sp, t0, 1f
	li	t1, PT_SIZE + 64 + 4096
	sub	t0, t0, t1		/* start of the guard page */
	bltu	sp, t0, 1f		/* further below: not this CPU's stack */
	la	t0, riscv_overflow_sp
	sd	sp, 0(t0)
	la	sp, riscv_emergency_stack_top
1:	ld	t1, -16(tp)
	csrr	t0, sscratch
	addi	sp, sp, -PT_SIZE
	sd	x1, 1*8(sp)
	sd	x3, 3*8(sp)
	sd	x4, 4*8(sp)
	sd	x5, 5*8(sp)
	sd	x6, 6*8(sp)
	sd	x7, 7*8(sp)
	sd	x8, 8*8(sp)
	sd	x9, 9*8(sp)
	sd	x10, 10*8(sp)
	sd	x11, 11*8(sp)
	sd	x12, 12*8(sp)
	sd	x13, 13*8(sp)
	sd	x14, 14*8(sp)
	sd	x15, 15*8(sp)
	sd	x16, 16*8(sp)
	sd	x17, 17*8(sp)
	sd	x18, 18*8(sp)
	sd	x19, 19*8(sp)
	sd	x20, 20*8(sp)
	sd	x21, 21*8(sp)
	sd	x22, 22*8(sp)
	sd	x23, 23*8(sp)
	sd	x24, 24*8(sp)
	sd	x25, 25*8(sp)
	sd	x26, 26*8(sp)
	sd	x27, 27*8(sp)
	sd	x28, 28*8(sp)
	sd	x29, 29*8(sp)
	sd	x30, 30*8(sp)
	sd	x31, 31*8(sp)
	addi	t0, sp, PT_SIZE
	sd	t0, 2*8(sp)
	sd	zero, 0(sp)
	csrr	t0, sepc
	sd	t0, 32*8(sp)
	csrr	t0, sstatus
	sd	t0, 33*8(sp)
	csrr	t0, scause
	sd	t0, 34*8(sp)
	csrr	t0, stval
	sd	t0, 35*8(sp)

	mv	a0, sp
	call	riscv_handle_trap

	ld	t0, 32*8(sp)
	csrw	sepc, t0
	ld	t0, 33*8(sp)
	csrw	sstatus, t0
	ld	x1, 1*8(sp)
	ld	x3, 3*8(sp)
	ld	x4, 4*8(sp)
	ld	x5, 5*8(sp)
	ld	x6, 6*8(sp)
	ld	x7, 7*8(sp)
	ld	x8, 8*8(sp)
	ld	x9, 9*8(sp)
	ld	x10, 10*8(sp)
	ld	x11, 11*8(sp)
	ld	x12, 12*8(sp)
	ld	x13, 13*8(sp)
	ld	x14, 14*8(sp)
	ld	x15, 15*8(sp)
	ld	x16, 16*8(sp)
	ld	x17, 17*8(sp)
	ld	x18, 18*8(sp)
	ld	x19, 19*8(sp)
	ld	x20, 20*8(sp)
	ld	x21, 21*8(sp)
	ld	x22, 22*8(sp)
	ld	x23, 23*8(sp)
	ld	x24, 24*8(sp)
	ld	x25, 25*8(sp)
	ld	x26, 26*8(sp)
	ld	x27, 27*8(sp)
	ld	x28, 28*8(sp)
	ld	x29, 29*8(sp)
	ld	x30, 30*8(sp)
	ld	x31, 31*8(sp)
	addi	sp, sp, PT_SIZE
	sret

	.section .bss
	.balign	16
	.globl	riscv_overflow_sp
riscv_overflow_sp:
	.dword	0
	.balign	16
riscv_emergency_stack:
	.space	8192
riscv_emergency_stack_top:
