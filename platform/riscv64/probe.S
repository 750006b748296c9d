/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Probes for expected faults (platform/fault.h). A fault at one of the *_insn labels resumes at
 * the matching *_fixup label; an instruction fault at probe_exec_target resumes at
 * probe_exec_fixup (the callee's frame was never built). See riscv_handle_trap().
 */
	.section .text
	.balign 4

	.globl probe_read, riscv_probe_read_insn, riscv_probe_read_fixup
probe_read:
riscv_probe_read_insn:
	ld	t0, 0(a0)
	sd	t0, 0(a1)
	li	a0, 0
	ret
riscv_probe_read_fixup:
	li	a0, -14
	ret

	.globl probe_write, riscv_probe_write_insn, riscv_probe_write_fixup
probe_write:
riscv_probe_write_insn:
	sd	a1, 0(a0)
	li	a0, 0
	ret
riscv_probe_write_fixup:
	li	a0, -14
	ret

	.globl probe_exec, riscv_probe_exec_fixup
probe_exec:
	addi	sp, sp, -16
	sd	ra, 8(sp)
	sd	s0, 0(sp)
	addi	s0, sp, 16
	la	t0, riscv_probe_exec_target
	sd	a0, 0(t0)
	jalr	a0
	li	a0, 0
	j	1f
riscv_probe_exec_fixup:
	li	a0, -14
1:	la	t0, riscv_probe_exec_target
	sd	zero, 0(t0)
	ld	ra, 8(sp)
	ld	s0, 0(sp)
	addi	sp, sp, 16
	ret

	.section .bss
	.balign 8
	.globl riscv_probe_exec_target
riscv_probe_exec_target:
	.dword	0
