// SPDX-License-Identifier: BSD-2-Clause
// GICv2 and GICv3 as far as IPIs and the yield's wake-up need them (Arm GIC architecture spec
// IHI 0048/0069): find the controller in the tree, enable SGIs on each CPU, send SGI 0 as the
// IPI, acknowledge it; enable the generic timer's PPI so that a timer can end a WFI. A tree
// without a GIC may have the BCM2836 per-core mailboxes and timer routing instead (Raspberry
// Pi 2/3).
#include <arch/gic.h>
#include <platform/boot.h>
#include <platform/dt.h>
#include <platform/errno.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/smp.h>

#define IPI_SGI 0
/*
 * Priorities (lower is more urgent). Cross-CPU calls run inside the IPI's handler, so the SGI
 * is active while they spin-wait: the timer that ends a yield's WFI must be more urgent, or the
 * CPU interface would not signal it under the IPI's running priority and the WFI would last.
 */
#define IPI_PRIO 0xa0
#define TIMER_PRIO 0x80
/* Priority masks: everything we use; during a yield's sleep, the timer alone. */
#define PMR_ALL 0xf0
#define PMR_TIMER_ONLY 0x90
#define GIC_SPURIOUS 1020

/* Distributor (both versions). */
#define GICD_CTLR 0x000
#define GICD_ISENABLER0 0x100
#define GICD_ISPENDR0 0x200
#define GICD_ICPENDR0 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_SGIR 0xf00
#define GICD_CTLR_RWP (1U << 31)
/* GICv2 CPU interface. */
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
/* GICv3 redistributor: RD_base frame, then SGI_base frame 64 KiB above. */
#define GICR_FRAME_STRIDE 0x20000
#define GICR_TYPER 0x08
#define GICR_WAKER 0x14
#define GICR_TYPER_LAST (1ULL << 4)
#define GICR_WAKER_SLEEP (1U << 1)
#define GICR_WAKER_ASLEEP (1U << 2)
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 0x080
#define GICR_ISENABLER0 0x100
#define GICR_ISPENDR0 0x200
#define GICR_ICPENDR0 0x280
#define GICR_IPRIORITYR0 0x400

/* BCM2836 ARM-local block (QA7_rev3.4, "Mailboxes"): 4 mailboxes per core, IPIs on mailbox 0. */
#define L1_MBOX_CTRL(core) (0x50 + 4 * (core))
#define L1_MBOX_SET(core) (0x80 + 0x10 * (core))
#define L1_MBOX_CLR(core) (0xc0 + 0x10 * (core))
#define L1_CORES 4
/* Per-core timer routing and IRQ source (QA7_rev3.4 "Core timers interrupts", "Core interrupt
 * sources"): bit n routes/reports timer line n (0 CNTPS, 1 CNTPNS, 2 CNTHP, 3 CNTV). */
#define L1_TIMER_CTRL(core) (0x40 + 4 * (core))
#define L1_IRQ_SOURCE(core) (0x60 + 4 * (core))

/* 2 or 3: a GIC; 1: BCM2836 local mailboxes (l1); 0: nothing to send IPIs with. */
static int version;
static volatile uint8_t *l1;
static volatile uint8_t *dist, *cpuif, *redist;
static uint64_t redist_size;
static uint8_t gicv2_target[NR_CPUS];
/* GIC INTID (or BCM2836 timer line) of the virtual timer; 0 until gic_timer_irq_enable(). */
static unsigned int timer_irq;
/* This CPU's GICv3 redistributor (RD_base), found once in arch_ipi_init(). */
static __thread volatile uint8_t *my_rd;

static inline uint32_t rd32(volatile uint8_t *base, unsigned long off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void wr32(volatile uint8_t *base, unsigned long off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static inline uint64_t rd64(volatile uint8_t *base, unsigned long off)
{
	return *(volatile uint64_t *)(base + off);
}

static int find_gic(phys_addr_t *d, phys_addr_t *c, phys_addr_t *csize)
{
	static const char *const v3[] = { "arm,gic-v3" };
	static const char *const v2[] = { "arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic" };
	uint64_t dsize;
	int node = dt_next_compatible(&boot.dt, -1, v3[0]);

	version = 3;
	for (size_t i = 0; node < 0 && i < ARRAY_SIZE(v2); i++) {
		node = dt_next_compatible(&boot.dt, -1, v2[i]);
		version = 2;
	}
	if (node < 0) {
		version = 0;
		return -ENODEV;
	}
	if (dt_reg_cpu(&boot.dt, node, 0, d, &dsize) || dt_reg_cpu(&boot.dt, node, 1, c, csize)) {
		pr_err("gic: %s: no usable distributor and %s in reg: %s\n",
		       dt_node_name(&boot.dt, node),
		       version == 3 ? "redistributor" : "CPU interface", boot.dt.error.msg);
		version = 0;
		return -EINVAL;
	}
	return 0;
}

static void wait_rwp(void)
{
	for (int i = 0; i < 1000000 && (rd32(dist, GICD_CTLR) & GICD_CTLR_RWP); i++)
		;
}

static int l1_global_init(void)
{
	int node = dt_next_compatible(&boot.dt, -1, "brcm,bcm2836-l1-intc");
	uint64_t base, size;

	if (node < 0)
		return -ENODEV;
	if (dt_reg_cpu(&boot.dt, node, 0, &base, &size)) {
		pr_err("ipi: %s: no usable reg: %s\n", dt_node_name(&boot.dt, node),
		       boot.dt.error.msg);
		return -EINVAL;
	}
	l1 = ioremap(base, 0x100);
	if (!l1)
		return -ENOMEM;
	version = 1;
	pr_info("ipi: BCM2836 local mailboxes at 0x%llx (no GIC)\n", (unsigned long long)base);
	return 0;
}

static unsigned int core_of(uint64_t hwid)
{
	return (unsigned int)(hwid & 0xff);
}

static int gic_global_init(void)
{
	phys_addr_t d, c, csize;
	int ret = find_gic(&d, &c, &csize);

	if (ret == -ENODEV)
		return l1_global_init();
	if (ret)
		return ret;
	dist = ioremap(d, 0x10000);
	cpuif = version == 2 ? ioremap(c, 0x2000) : NULL;
	redist = version == 3 ? ioremap(c, csize) : NULL;
	redist_size = csize;
	if (!dist || (version == 2 && !cpuif) || (version == 3 && !redist))
		return -ENOMEM;
	if (version == 2) {
		wr32(dist, GICD_CTLR, 1);
	} else {
		/* Affinity routing, both groups (one security state under QEMU virt). */
		wr32(dist, GICD_CTLR, (1U << 4) | (1U << 1) | 1U);
		wait_rwp();
	}
	pr_info("gic: GICv%d, distributor 0x%llx, %s 0x%llx\n", version, (unsigned long long)d,
		version == 3 ? "redistributors" : "CPU interface", (unsigned long long)c);
	return 0;
}

static volatile uint8_t *my_redistributor(void)
{
	uint64_t mpidr;

	__asm__("mrs %0, mpidr_el1" : "=r"(mpidr));
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
	for (uint64_t off = 0; off + GICR_FRAME_STRIDE <= redist_size; off += GICR_FRAME_STRIDE) {
		uint64_t typer = rd64(redist, off + GICR_TYPER);
		if ((typer >> 32) == aff)
			return redist + off;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return NULL;
}

static int ipi_init(void)
{
	unsigned int cpu = smp_processor_id();

	if (cpu == 0 && gic_global_init())
		return -ENODEV;
	if (!version)
		return -ENODEV;
	if (version == 1) {
		unsigned int core = core_of(per_cpu(cpu)->hwid);

		if (core >= L1_CORES)
			return -ENODEV;
		wr32(l1, L1_MBOX_CLR(core), ~0U);
		wr32(l1, L1_MBOX_CTRL(core), 1U << 0); /* mailbox 0 -> IRQ */
		return 0;
	}
	if (version == 2) {
		/* The banked ITARGETSR0 reads back this CPU interface's own bit. */
		gicv2_target[cpu] = (uint8_t)rd32(dist, GICD_ITARGETSR);
		wr32(dist, GICD_ISENABLER0, 1U << IPI_SGI);
		wr32(dist, GICD_IPRIORITYR, IPI_PRIO);
		wr32(cpuif, GICC_PMR, PMR_ALL);
		wr32(cpuif, GICC_CTLR, 1);
		return 0;
	}
	volatile uint8_t *rd = my_redistributor();
	my_rd = rd;
	if (!rd) {
		pr_err("gic: cpu%u: no redistributor matches its MPIDR\n", cpu);
		return -ENODEV;
	}
	wr32(rd, GICR_WAKER, rd32(rd, GICR_WAKER) & ~GICR_WAKER_SLEEP);
	for (int i = 0; i < 1000000 && (rd32(rd, GICR_WAKER) & GICR_WAKER_ASLEEP); i++)
		;
	wr32(rd, GICR_SGI_BASE + GICR_IGROUPR0, ~0U);
	wr32(rd, GICR_SGI_BASE + GICR_IPRIORITYR0, IPI_PRIO);
	wr32(rd, GICR_SGI_BASE + GICR_ISENABLER0, 1U << IPI_SGI);
	uint64_t sre;
	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));
	__asm__ volatile("msr S3_0_C12_C12_5, %0\n\tisb" ::"r"(sre | 1));
	__asm__ volatile("msr S3_0_C4_C6_0, %0" ::"r"((unsigned long)PMR_ALL)); /* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0\n\tisb" ::"r"(1UL)); /* ICC_IGRPEN1_EL1 */
	return 0;
}

int arch_ipi_init(void)
{
	int ret = ipi_init();

	if (!ret)
		arm64_yield_init();
	return ret;
}

void arch_send_ipi(unsigned int cpu)
{
	uint64_t aff = per_cpu(cpu)->hwid;

	/* Make the caller's stores visible before the target can run. */
	__asm__ volatile("dsb ishst" ::: "memory");
	if (version == 1) {
		wr32(l1, L1_MBOX_SET(core_of(aff)), 1U);
		return;
	}
	if (version == 2) {
		wr32(dist, GICD_SGIR, (uint32_t)gicv2_target[cpu] << 16 | IPI_SGI);
		return;
	}
	uint64_t v = ((aff >> 32) & 0xff) << 48 | ((aff >> 16) & 0xff) << 32 |
		     (uint64_t)IPI_SGI << 24 | ((aff >> 8) & 0xff) << 16 | (1ULL << (aff & 0xf));
	__asm__ volatile("msr S3_0_C12_C11_5, %0\n\tisb" ::"r"(v)); /* ICC_SGI1R_EL1 */
}

/* Called by the IRQ vectors. */
void arm64_handle_irq(void);

void arm64_handle_irq(void)
{
	if (version == 1) {
		unsigned int core = core_of(this_cpu()->hwid);
		uint32_t pending = rd32(l1, L1_MBOX_CLR(core));

		/* Cleared before the queue is run: a call queued meanwhile raises it again. */
		wr32(l1, L1_MBOX_CLR(core), pending);
		if (pending)
			smp_ipi_received();
		return;
	}
	for (;;) {
		uint64_t iar;
		if (version == 2)
			iar = rd32(cpuif, GICC_IAR);
		else
			__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
		unsigned int id = (unsigned int)(iar & 0x3ff);
		if (id >= GIC_SPURIOUS)
			return;
		if (id == IPI_SGI)
			smp_ipi_received();
		else if (timer_irq && id == timer_irq)
			; /* a yield's wake-up taken after all: nothing to do */
		else
			pr_warn("gic: unexpected interrupt %u\n", id);
		if (version == 2)
			wr32(cpuif, GICC_EOIR, (uint32_t)iar);
		else
			__asm__ volatile("msr S3_0_C12_C12_1, %0" ::"r"(iar)); /* ICC_EOIR1_EL1 */
	}
}

/*
 * The virtual timer's line: the third entry of the arm,armv8-timer node's interrupts (secure
 * physical, non-secure physical, virtual, hypervisor), 3 cells <type number flags> under a GIC
 * (a PPI's INTID is number + 16), 2 cells <line flags> under the BCM2836 local controller.
 * Without such a node, the lines the SBSA and the BCM2836 give it.
 */
static unsigned int virtual_timer_irq(void)
{
	static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer" };
	unsigned int cells = version == 1 ? 2 : 3;
	unsigned int fallback = version == 1 ? 3 : 27;
	const uint8_t *v = NULL;
	uint32_t len = 0;

	for (size_t i = 0; !v && i < ARRAY_SIZE(compat); i++) {
		int node = dt_next_compatible(&boot.dt, -1, compat[i]);
		if (node >= 0)
			v = dt_getprop(&boot.dt, node, "interrupts", &len);
	}
	if (!v || len < 3 * cells * 4)
		return fallback;
	uint32_t type = dt_be32(v + 2 * cells * 4), num = dt_be32(v + (2 * cells + 1) * 4);
	if (version == 1)
		return type < 4 ? type : fallback;
	return type == 1 && num < 16 ? num + 16 : fallback; /* 1: PPI */
}

unsigned int gic_timer_irq_enable(void)
{
	unsigned int cpu = smp_processor_id();

	if (!version)
		return 0;
	if (cpu == 0)
		timer_irq = virtual_timer_irq();
	if (version == 1) {
		unsigned int core = core_of(per_cpu(cpu)->hwid);
		if (core >= L1_CORES)
			return 0;
		wr32(l1, L1_TIMER_CTRL(core), rd32(l1, L1_TIMER_CTRL(core)) | 1U << timer_irq);
		return timer_irq;
	}
	unsigned int shift = (timer_irq % 4) * 8;
	unsigned long prio = timer_irq / 4 * 4;
	if (version == 2) {
		wr32(dist, GICD_IPRIORITYR + prio,
		     (rd32(dist, GICD_IPRIORITYR + prio) & ~(0xffU << shift)) | TIMER_PRIO << shift);
		wr32(dist, GICD_ISENABLER0, 1U << timer_irq);
		return timer_irq;
	}
	if (!my_rd)
		return 0;
	volatile uint8_t *sgi = my_rd + GICR_SGI_BASE;
	wr32(sgi, GICR_IPRIORITYR0 + prio,
	     (rd32(sgi, GICR_IPRIORITYR0 + prio) & ~(0xffU << shift)) | TIMER_PRIO << shift);
	wr32(sgi, GICR_ISENABLER0, 1U << timer_irq);
	return timer_irq;
}

bool gic_timer_irq_pending(void)
{
	if (version == 1)
		return rd32(l1, L1_IRQ_SOURCE(core_of(this_cpu()->hwid))) & 1U << timer_irq;
	if (version == 2)
		return rd32(dist, GICD_ISPENDR0) & 1U << timer_irq;
	return my_rd && (rd32(my_rd + GICR_SGI_BASE, GICR_ISPENDR0) & 1U << timer_irq);
}

void gic_timer_irq_clear(void)
{
	/* The BCM2836 line follows the timer's level: nothing latched to clear. */
	if (version == 2)
		wr32(dist, GICD_ICPENDR0, 1U << timer_irq);
	else if (version == 3 && my_rd)
		wr32(my_rd + GICR_SGI_BASE, GICR_ICPENDR0, 1U << timer_irq);
}

void gic_timer_only(bool only)
{
	if (version == 1) {
		unsigned int core = core_of(this_cpu()->hwid);
		if (core < L1_CORES)
			wr32(l1, L1_MBOX_CTRL(core), only ? 0 : 1U << 0);
	} else if (version == 2) {
		wr32(cpuif, GICC_PMR, only ? PMR_TIMER_ONLY : PMR_ALL);
	} else if (version == 3) {
		__asm__ volatile("msr S3_0_C4_C6_0, %0\n\tisb" /* ICC_PMR_EL1 */
				 ::"r"((unsigned long)(only ? PMR_TIMER_ONLY : PMR_ALL)) : "memory");
	}
}
