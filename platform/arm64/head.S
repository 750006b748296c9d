/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arm64 entry from QEMU's loader or U-Boot's booti: x0 = device tree, MMU off, at EL1 or EL2
 * (Documentation/arch/arm64/booting.rst). The header is the Linux arm64 Image header, so QEMU
 * and booti load the image at RAM base + text_offset, where it is linked.
 */
#define CURRENTEL_EL2		(2 << 2)
#define HCR_EL2_RW		(1 << 31)		/* EL1 is AArch64 */
#define CNTHCTL_EL1PCTEN_EL1PCEN 3			/* EL1 may read the physical counter/timer */
#define CPTR_EL2_RES1		0x33ff			/* and TFP (bit 10) clear: no FP trap */
#define SPSR_EL1H_DAIF		0x3c5			/* EL1h, D, A, I, F masked */
#define SCTLR_EL1_RES1		0x30d00800		/* ARMv8.0 RES1 bits */
#define SCTLR_EL1_SA		(1 << 3)		/* SP alignment check */
#define CPACR_EL1_FPEN		(3 << 20)		/* no FP/SIMD trap at EL0/EL1 */
#define SCTLR_EL1_M		(1 << 0)		/* MMU on */
#define SCTLR_EL1_C		(1 << 2)		/* data cache on */
#define SCTLR_EL1_I		(1 << 12)		/* instruction cache on */
/* MAIR: 0 Normal-WB, 1 Normal-WT, 2 Normal-NC, 3 Device-nGnRE (the final tables use the same). */
#define MAIR_BOOT		0x0444bbff

	.section .head.text, "ax"
	.globl _start
_start:
	b	real_start		/* code0 */
	.word	0			/* code1 */
	.quad	0x200000		/* text_offset from RAM base */
	.quad	__image_size		/* bytes the image occupies, bss included */
	.quad	0x2			/* flags: LE, 4K pages, placed at base + text_offset */
	.quad	0, 0, 0			/* res2..res4 */
	.word	0x644d5241		/* magic "ARM\x64" */
	.word	0			/* res5 */

/* Leave EL2 for EL1h if entered there (x20 = CurrentEL on exit); clobbers x0, x1. */
	.macro	enter_el1
	mrs	x20, CurrentEL
	cmp	x20, #CURRENTEL_EL2
	b.ne	8f
	/* At EL2: hand EL1 the counters, FP and the PMU, then drop to EL1h. */
	mov	x0, #HCR_EL2_RW
	msr	hcr_el2, x0
	mov	x0, #CNTHCTL_EL1PCTEN_EL1PCEN
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #CPTR_EL2_RES1
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	/* MDCR_EL2.HPMN = PMCR_EL0.N gives EL1 every event counter (only if there is a PMUv3). */
	mov	x0, xzr
	mrs	x1, id_aa64dfr0_el1
	ubfx	x1, x1, #8, #4
	cbz	x1, 7f
	cmp	x1, #0xf
	b.eq	7f
	mrs	x0, pmcr_el0
	ubfx	x0, x0, #11, #5
7:	msr	mdcr_el2, x0
	/* SCTLR_EL1 is UNKNOWN out of reset on hardware; it is set below before anything uses it. */
	mov	x0, #SPSR_EL1H_DAIF
	msr	spsr_el2, x0
	adr	x0, 8f
	msr	elr_el2, x0
	eret
8:
	ldr	x0, =(SCTLR_EL1_RES1 | SCTLR_EL1_SA)	/* MMU, caches, alignment check off; LE */
	msr	sctlr_el1, x0
	/* picolibc's string routines use SIMD registers; our own C is -mgeneral-regs-only. */
	mov	x0, #CPACR_EL1_FPEN
	msr	cpacr_el1, x0
	isb
	.endm

/* Turn the MMU on with the boot tables (TCR in \tcr); clobbers x0. */
	.macro	enable_boot_mmu tcr
	msr	tcr_el1, \tcr
	ldr	x0, =MAIR_BOOT
	msr	mair_el1, x0
	adrp	x0, early_id_l0
	msr	ttbr0_el1, x0
	adrp	x0, early_k_l0
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #SCTLR_EL1_M
	orr	x0, x0, #SCTLR_EL1_C
	orr	x0, x0, #SCTLR_EL1_I
	msr	sctlr_el1, x0
	isb
	.endm

real_start:
	msr	daifset, #0xf
	/* Keep x0 and the entry EL in callee-saved registers until start_kernel. */
	mov	x19, x0
	enter_el1

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	cmp	x0, x1
	b.hs	3f
	str	xzr, [x0], #8
	b	2b
3:
	/* Still at the load address: adrp is PC-relative, so these are physical addresses. */
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0
	adr	x22, _start
	ldr	x23, link_start
	mov	x0, x22
	mov	x1, x23
	mov	x2, x19
	bl	arm64_early_map		/* returns TCR_EL1 for the boot tables */
	adrp	x1, arm64_boot_tcr
	str	x0, [x1, :lo12:arm64_boot_tcr]
	mov	x1, x0
	enable_boot_mmu x1

	/* Jump to the same code at its link address. */
	sub	x24, x23, x22
	adr	x0, 5f
	add	x0, x0, x24
	br	x0
5:
	adrp	x0, kimage_voffset
	str	x24, [x0, :lo12:kimage_voffset]
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0
	mov	x29, xzr		/* terminates frame-pointer backtraces */
	mov	x30, xzr

	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	msr	vbar_el1, x0
	isb
	/* Debug and SError may be taken from now on; IRQs are unmasked only while idle (IPIs). */
	msr	daifclr, #0xc

	/* Facts for the boot report: the EL we were entered at and the boot CPU. */
	lsr	x0, x20, #2
	adrp	x1, arm64_boot_el
	str	x0, [x1, :lo12:arm64_boot_el]
	mrs	x21, mpidr_el1
	adrp	x1, arm64_boot_mpidr
	str	x21, [x1, :lo12:arm64_boot_mpidr]

	adrp	x0, percpu_areas + 64	/* PERCPU_TLS_OFFSET */
	add	x0, x0, :lo12:percpu_areas + 64
	msr	tpidr_el0, x0
	bl	arm64_tls_init

	mov	x0, x21
	mov	x1, x19
	bl	start_kernel
4:	wfi
	b	4b
	.ltorg
	.balign 8
link_start:
	.quad	_start

/*
 * Secondary CPUs, started through PSCI CPU_ON (x0 = logical cpu) or released from a spin
 * table (x0 = 0, the cpu taken from a boot slot), MMU off, EL1 or EL2. The boot
 * tables get them to the link address; then they swap to the kernel's final tables and take the
 * stack and thread pointer the starting CPU left in arm64_smp_boot_*.
 */
	.section .text
	.balign 4
/* Released from a spin-table holding pen (x0 = 0): the logical cpu is in a boot slot. */
	.globl	arm64_spin_table_entry
arm64_spin_table_entry:
	adrp	x0, arm64_smp_boot_cpu
	ldr	x0, [x0, :lo12:arm64_smp_boot_cpu]
	.globl	arm64_secondary_entry
arm64_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	enter_el1
	adrp	x1, arm64_boot_tcr
	ldr	x1, [x1, :lo12:arm64_boot_tcr]
	enable_boot_mmu x1
	adr	x22, _start
	ldr	x23, 9f
	sub	x24, x23, x22
	adr	x0, 1f
	add	x0, x0, x24
	br	x0
1:
	adrp	x0, arm64_smp_boot_ttbr1
	ldr	x0, [x0, :lo12:arm64_smp_boot_ttbr1]
	adrp	x1, arm64_smp_boot_ttbr0
	ldr	x1, [x1, :lo12:arm64_smp_boot_ttbr0]
	mov	x2, x24
	bl	arm64_replace_ttbr1
	adrp	x0, arm64_smp_boot_sp
	ldr	x0, [x0, :lo12:arm64_smp_boot_sp]
	mov	sp, x0
	mov	x29, xzr
	mov	x30, xzr
	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	msr	vbar_el1, x0
	isb
	msr	daifclr, #0xc
	adrp	x0, arm64_smp_boot_tp
	ldr	x0, [x0, :lo12:arm64_smp_boot_tp]
	msr	tpidr_el0, x0
	bl	arm64_tls_init
	mov	x0, x19
	mrs	x1, mpidr_el1
	bl	secondary_start_kernel
2:	wfi
	b	2b
	.ltorg
	.balign 8
9:	.quad	_start

	.section .data
	.balign	64
	.globl	arm64_boot_tcr, arm64_smp_boot_ttbr1, arm64_smp_boot_ttbr0, arm64_smp_boot_sp
	.globl	arm64_smp_boot_tp, arm64_smp_boot_cpu
/* One cache line: read by CPUs whose MMU (and so data cache) is still off. */
arm64_boot_tcr:
	.quad	0
arm64_smp_boot_ttbr1:
	.quad	0
arm64_smp_boot_ttbr0:
	.quad	0
arm64_smp_boot_sp:
	.quad	0
arm64_smp_boot_tp:
	.quad	0
arm64_smp_boot_cpu:
	.quad	0
