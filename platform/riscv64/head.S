/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * riscv64 entry from OpenSBI (directly or through U-Boot's booti) in S-mode:
 * a0 = hart id, a1 = device tree. The header is the Linux RISC-V image header
 * (Documentation/arch/riscv/boot-image-header.rst) so booti accepts the image.
 */
	.section .head.text, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	j	real_start		/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset from RAM base */
	.dword	__image_size		/* bytes the image occupies, bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0
	.option pop

real_start:
	csrw	sie, zero
	csrw	sip, zero
	/* Keep a0/a1 in callee-saved registers: they must survive the calls below. */
	mv	s2, a0
	mv	s3, a1

	/*
	 * Only the first hart here is the boot hart. OpenSBI 1.1 can send a hart it is starting
	 * through HSM to the cold-boot address instead (hart_start publishes START_PENDING before
	 * it writes the start address, and the waiting hart may look in between); such a hart
	 * must not clear BSS under the running kernel: it goes on as the secondary it was meant
	 * to be. The flag lives in .data, which the BSS clear does not touch.
	 */
	la	t0, riscv_boot_claimed
	li	t1, 1
	amoswap.d t1, t1, (t0)
	bnez	t1, misdirected_secondary

	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	/* Still at the load address: la is PC-relative, so these are physical addresses. */
	la	sp, __stack_top
	mv	s0, zero
	la	t0, riscv_trap_entry
	csrw	stvec, t0
	la	a0, _start
	ld	a1, link_start
	mv	s4, a0
	mv	s5, a1
	call	riscv_early_map		/* returns the satp value of the boot page table */
	la	t0, riscv_early_satp
	sd	a0, 0(t0)
	sfence.vma
	csrw	satp, a0
	sfence.vma

	/* Jump to the same code at its link address. */
	sub	t1, s5, s4
	la	t0, 3f
	add	t0, t0, t1
	jr	t0
3:
	la	t0, kimage_voffset
	sd	t1, 0(t0)
	la	sp, __stack_top
	mv	s0, zero		/* terminates frame-pointer backtraces */
	la	t0, riscv_trap_entry
	csrw	stvec, t0
	la	tp, percpu_areas + 64	/* PERCPU_TLS_OFFSET */
	call	riscv_tls_init

	mv	a0, s2
	mv	a1, s3
	call	start_kernel
4:	wfi
	j	4b

/* Find the logical cpu whose hwid is this hart's (percpu_areas[i].pc.hwid), then start as it. */
misdirected_secondary:
	la	t0, percpu_areas
	li	t2, 1
	li	t3, 64			/* NR_CPUS */
1:	addi	t0, t0, 320		/* sizeof(struct percpu_area) */
	ld	t4, 8(t0)		/* offsetof(struct percpu, hwid) */
	beq	t4, s2, 2f
	addi	t2, t2, 1
	blt	t2, t3, 1b
3:	wfi				/* not a CPU the kernel is starting: stay out of the way */
	j	3b
2:	mv	a0, s2
	mv	a1, t2
	j	riscv_secondary_entry

/*
 * Secondary harts, started through SBI HSM hart_start: a0 = hart id, a1 = logical cpu, MMU off.
 * The boot page table gets them to the link address; then they switch to the kernel's final
 * table, whose satp the starting CPU left in riscv_smp_boot_satp, and their stack and thread
 * pointer in riscv_smp_boot_sp/tp[cpu].
 */
	.section .text
	.balign 4
	.globl riscv_secondary_entry
riscv_secondary_entry:
	csrw	sie, zero
	csrw	sip, zero
	mv	s2, a0
	mv	s3, a1
	la	t0, riscv_early_satp
	ld	t0, 0(t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	la	a0, _start
	ld	a1, link_start
	sub	t1, a1, a0
	la	t0, 1f
	add	t0, t0, t1
	jr	t0
1:
	la	t0, riscv_smp_boot_satp
	ld	t0, 0(t0)
	csrw	satp, t0
	sfence.vma
	/* this cpu's own slots: a hart that starts late must not take the next one's stack */
	slli	t1, s3, 3
	la	t0, riscv_smp_boot_sp
	add	t0, t0, t1
	ld	sp, 0(t0)
	la	t0, riscv_smp_boot_tp
	add	t0, t0, t1
	ld	tp, 0(t0)
	mv	s0, zero
	la	t0, riscv_trap_entry
	csrw	stvec, t0
	call	riscv_tls_init
	mv	a0, s3
	mv	a1, s2
	call	secondary_start_kernel
2:	wfi
	j	2b

	.section .rodata
	.balign 8
link_start:
	.dword	_start

	.section .data
	.balign 8
	.globl riscv_early_satp, riscv_smp_boot_satp, riscv_smp_boot_sp, riscv_smp_boot_tp
riscv_boot_claimed:
	.dword	0
riscv_early_satp:
	.dword	0
riscv_smp_boot_satp:
	.dword	0
riscv_smp_boot_sp:
	.fill	64, 8, 0		/* NR_CPUS */
riscv_smp_boot_tp:
	.fill	64, 8, 0		/* NR_CPUS */
