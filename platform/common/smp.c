// SPDX-License-Identifier: BSD-2-Clause
// CPU bring-up (one CPU at a time, each with a timeout), per-CPU areas and stacks.
#include <platform/arch.h>
#include <platform/atomic.h>
#include <platform/boot.h>
#include <platform/bootinfo.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <mm/page_alloc.h>
#include <mm/vmalloc.h>

/* The trap entries assume this size for every stack (entry.S STACK_SIZE). */
#define SECONDARY_STACK_SIZE (16 * 1024)
/*
 * How long a CPU may take to report in before we go on without it: Linux arm64 waits 5 s too,
 * and under QEMU with many vCPUs on few host cores a new CPU can wait seconds for a host core.
 */
#define CPU_UP_TIMEOUT_MS 5000

struct percpu_area percpu_areas[NR_CPUS];

/* riscv64 head.S walks the areas by these numbers before it has a stack. */
_Static_assert(sizeof(struct percpu_area) == 320, "head.S: sizeof(struct percpu_area)");
_Static_assert(offsetof(struct percpu, hwid) == 8, "head.S: offsetof(struct percpu, hwid)");
_Static_assert(NR_CPUS == 64, "head.S: NR_CPUS");
/* The trap entries find the stack top and a scratch word by these offsets from the TLS block. */
_Static_assert(PERCPU_TLS_OFFSET - offsetof(struct percpu, stack_top) == 24, "entry.S: stack_top");
_Static_assert(PERCPU_TLS_OFFSET - offsetof(struct percpu, _pad) == 16, "entry.S: scratch");
_Static_assert(SECONDARY_STACK_SIZE == 16384, "entry.S: STACK_SIZE");

static uint64_t online_mask = 1;
static unsigned int nr_possible = 1;

unsigned int smp_processor_id(void)
{
	return this_cpu()->cpu;
}

bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && (__atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) >> cpu) & 1;
}

unsigned int num_online_cpus(void)
{
	/* Not __builtin_popcountll: riscv64 would call libgcc, whose Debian build is lp64d. */
	uint64_t m = __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
	unsigned int n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

unsigned int num_possible_cpus(void)
{
	return nr_possible;
}

/* A stack in the ioremap region with an unmapped guard page below it. */
static uintptr_t alloc_stack(void)
{
	phys_addr_t pa = page_alloc_phys(SECONDARY_STACK_SIZE, PAGE_SIZE, GFP_KERNEL);
	struct vm_struct *area;

	if (!pa)
		return 0;
	area = get_vm_area(SECONDARY_STACK_SIZE + PAGE_SIZE, PAGE_SIZE, VM_MAP);
	if (IS_ERR(area))
		goto err_free;
	if (pgtable_map(&kernel_pgtable, area->addr + PAGE_SIZE, pa, SECONDARY_STACK_SIZE,
			PAGE_KERNEL, 0))
		goto err_area;
	return area->addr + PAGE_SIZE + SECONDARY_STACK_SIZE;

err_area:
	free_vm_area(area);
err_free:
	page_free_phys(pa, SECONDARY_STACK_SIZE);
	return 0;
}

static bool wait_online(unsigned int cpu)
{
	uint64_t hz = arch_counter_hz();
	uint64_t start = arch_counter();
	uint64_t limit = hz ? hz / 1000 * CPU_UP_TIMEOUT_MS : 0;

	for (unsigned long spins = 0;; spins++) {
		if (cpu_online(cpu))
			return true;
		if (hz ? arch_counter() - start > limit : spins > 100000000UL)
			return false;
		cpu_relax();
	}
}

/* arm64 MPIDR carries RES1/MT/U bits beyond the affinity fields the tree's reg holds. */
static uint64_t affinity(uint64_t hwid)
{
	return hwid & 0xff00ffffffULL;
}

static bool ipis_ok;

void smp_ipi_received(void)
{
	__atomic_fetch_add(&this_cpu()->ipis, 1, __ATOMIC_RELAXED);
	smp_call_handle_ipi();
}

void arch_send_call_ipi(unsigned int cpu)
{
	arch_send_ipi(cpu);
}

bool smp_ipis_available(void)
{
	return ipis_ok;
}

unsigned int smp_init(void)
{
	const struct boot_info *bi = &boot.bi;
	unsigned int next = 1;
	int ret;

	per_cpu(0)->cpu = 0;
	per_cpu(0)->hwid = affinity(boot.boot_cpu_hwid);
	per_cpu(0)->stack_top = (uintptr_t)__stack_top;
	ret = arch_ipi_init();
	ipis_ok = ret == 0;
	if (ret)
		pr_err("smp: no IPIs (%d): CPUs other than the boot one cannot be asked to work\n",
		       ret);
	for (int i = 0; i < bi->nr_cpus; i++) {
		const struct bi_cpu *c = &bi->cpus[i];
		unsigned int cpu;

		const char *why;

		if (!c->okay || c->hwid == affinity(boot.boot_cpu_hwid))
			continue;
		why = arch_cpu_unusable(c);
		if (why) {
			pr_info("smp: hwid 0x%llx left alone: %s\n", (unsigned long long)c->hwid, why);
			continue;
		}
		if (next == NR_CPUS) {
			pr_warn("smp: more than %d CPUs in the tree; hwid 0x%llx and later stay off\n",
				NR_CPUS, (unsigned long long)c->hwid);
			break;
		}
		cpu = next++;
		nr_possible++;
		per_cpu(cpu)->cpu = cpu;
		per_cpu(cpu)->hwid = c->hwid;
		per_cpu(cpu)->stack_top = alloc_stack();
		if (!per_cpu(cpu)->stack_top) {
			pr_err("smp: cpu%u (hwid 0x%llx): no memory for its stack\n", cpu,
			       (unsigned long long)c->hwid);
			continue;
		}
		arch_cpu_prepare(per_cpu(cpu)->stack_top, (uintptr_t)percpu_areas[cpu].tls);
		int ret = arch_cpu_start(cpu, c);
		if (ret) {
			pr_err("smp: cpu%u (hwid 0x%llx): the firmware refused to start it: %d\n", cpu,
			       (unsigned long long)c->hwid, ret);
			continue;
		}
		if (!wait_online(cpu))
			pr_err("smp: cpu%u (hwid 0x%llx) did not come up within %d ms; going on "
			       "without it\n", cpu, (unsigned long long)c->hwid, CPU_UP_TIMEOUT_MS);
	}
	pr_info("smp: %u of %u CPUs online\n", num_online_cpus(), nr_possible);
	return num_online_cpus();
}

__noreturn void secondary_start_kernel(unsigned int cpu, uint64_t hwid)
{
	struct percpu *pc = this_cpu();

	pc->cpu = cpu;
	if (ipis_ok && arch_ipi_init())
		pr_err("smp: cpu%u cannot take IPIs\n", cpu);
	pr_info("smp: cpu%u (hwid 0x%llx) online, stack top 0x%lx\n", cpu,
		(unsigned long long)hwid, (unsigned long)pc->stack_top);
	__atomic_fetch_or(&online_mask, 1ULL << cpu, __ATOMIC_RELEASE);
	for (;;)
		arch_cpu_idle();
}
