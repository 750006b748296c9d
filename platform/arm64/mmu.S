/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arm64_replace_ttbr1(x0 = new TTBR1, x1 = empty table, x2 = kimage_voffset): swap the kernel
 * half's table without ever letting the TLB hold entries of both tables for one address (a TLB
 * conflict, Arm ARM D8.16.1): run from the identity map, point TTBR1 at an empty table,
 * invalidate, install the new one, come back, then retire the identity map (TTBR0 = empty).
 * No memory is touched while TTBR1 is empty: the stack is not mapped then.
 */
	.section .text
	.balign 4
	.globl arm64_replace_ttbr1
arm64_replace_ttbr1:
	adr	x3, 1f
	sub	x3, x3, x2
	br	x3
1:	msr	ttbr1_el1, x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	ttbr1_el1, x0
	isb
	adr	x3, 2f
	add	x3, x3, x2
	br	x3
2:	msr	ttbr0_el1, x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ret
