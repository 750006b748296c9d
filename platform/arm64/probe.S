/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Probes for expected faults (platform/fault.h). A data abort at one of the *_insn labels
 * resumes at the matching *_fixup label; an instruction abort at arm64_probe_exec_target
 * resumes at arm64_probe_exec_fixup. See arm64_handle_trap().
 */
	.section .text
	.balign 4

	.globl probe_read, arm64_probe_read_insn, arm64_probe_read_fixup
probe_read:
arm64_probe_read_insn:
	ldr	x2, [x0]
	str	x2, [x1]
	mov	x0, #0
	ret
arm64_probe_read_fixup:
	mov	x0, #-14
	ret

	.globl probe_write, arm64_probe_write_insn, arm64_probe_write_fixup
probe_write:
arm64_probe_write_insn:
	str	x1, [x0]
	mov	x0, #0
	ret
arm64_probe_write_fixup:
	mov	x0, #-14
	ret

	.globl probe_exec, arm64_probe_exec_fixup
probe_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	adrp	x1, arm64_probe_exec_target
	str	x0, [x1, :lo12:arm64_probe_exec_target]
	blr	x0
	mov	x0, #0
	b	1f
arm64_probe_exec_fixup:
	mov	x0, #-14
1:	adrp	x1, arm64_probe_exec_target
	str	xzr, [x1, :lo12:arm64_probe_exec_target]
	ldp	x29, x30, [sp], #16
	ret

	.section .bss
	.balign 8
	.globl arm64_probe_exec_target
arm64_probe_exec_target:
	.quad	0
