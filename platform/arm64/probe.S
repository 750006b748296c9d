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

/*
 * Conduit probes for PSCI calls the tree did not announce (platform/arm64/psci.c): x0 = SMCCC
 * function id, x1 = where to store the result. Returns 0 if the call was served, -ENOSYS (-38)
 * if the hvc/smc was an undefined instruction (nothing at EL2/EL3 answers it); the trap
 * handler then resumes at the *_fixup label.
 */
	.section .text
	.balign 4
	.globl arm64_probe_hvc, arm64_probe_hvc_insn, arm64_probe_hvc_fixup
arm64_probe_hvc:
	str	x1, [sp, #-16]!
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
arm64_probe_hvc_insn:
	hvc	#0
	ldr	x1, [sp], #16
	str	x0, [x1]
	mov	x0, #0
	ret
arm64_probe_hvc_fixup:
	add	sp, sp, #16
	mov	x0, #-38
	ret

	.globl arm64_probe_smc, arm64_probe_smc_insn, arm64_probe_smc_fixup
arm64_probe_smc:
	str	x1, [sp, #-16]!
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
arm64_probe_smc_insn:
	smc	#0
	ldr	x1, [sp], #16
	str	x0, [x1]
	mov	x0, #0
	ret
arm64_probe_smc_fixup:
	add	sp, sp, #16
	mov	x0, #-38
	ret
