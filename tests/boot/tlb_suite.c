// SPDX-License-Identifier: BSD-2-Clause
// Suite "tlb": remote TLB shootdown. CPU 1 keeps reading through a mapping (so its TLB holds the
// translation) while CPU 0 remaps it to another page each round; after each remap CPU 1 must
// read the new page at once, never the old one.
#include <platform/arch.h>
#include <platform/atomic.h>
#include <platform/boot.h>
#include <platform/err.h>
#include <platform/fault.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <arch/tlbflush.h>
#include <mm/memblock.h>
#include <mm/page_alloc.h>
#include <mm/vmalloc.h>

#define ROUNDS 300
#define NR_PAGES 3

struct shoot {
	uintptr_t va;
	uint64_t pattern[NR_PAGES];
	unsigned long gen;	/* round whose mapping is installed and shot down */
	unsigned long seen;	/* last round the reader read in */
	unsigned long stale;
	unsigned long reads;
	unsigned long gaps;	/* reads that faulted in a break-before-make window */
	int stop;
	int done;
};

static struct shoot sh;

static void reader(void *info)
{
	struct shoot *s = info;
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		unsigned long g = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
		uint64_t v;
		/*
		 * arm64 remaps through break-before-make: a read inside the window finds no
		 * translation. That is correct behaviour, not a stale read; count it apart.
		 */
		if (probe_read((void *)s->va, &v)) {
			s->gaps++;
			cpu_relax();
			continue;
		}
		/* The writer may already be one round ahead, never behind. */
		if (v != s->pattern[g % NR_PAGES] && v != s->pattern[(g + 1) % NR_PAGES])
			s->stale++;
		s->reads++;
		__atomic_store_n(&s->seen, g, __ATOMIC_RELEASE);
		cpu_relax();
	}
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
}

static bool wait_seen(struct shoot *s, unsigned long g)
{
	uint64_t start = arch_counter(), limit = arch_counter_hz();

	while (__atomic_load_n(&s->seen, __ATOMIC_ACQUIRE) < g) {
		if (arch_counter() - start > limit)
			return false;
		cpu_relax();
	}
	return true;
}

static void remap_is_seen_at_once_by_other_cpu(struct ktap_test *t)
{
	phys_addr_t pa[NR_PAGES];
	struct vm_struct *area;
	unsigned int reader_cpu = 1;

	if (num_online_cpus() < 2 || !cpu_online(reader_cpu)) {
		ktap_skip(t, "needs a second CPU");
		return;
	}
	sh = (struct shoot){ 0 };
	for (int i = 0; i < NR_PAGES; i++) {
		pa[i] = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
		if (!KTAP_EXPECT(t, pa[i] != 0))
			return;
		sh.pattern[i] = 0xa5a5000000000000ULL | pa[i];
		*(volatile uint64_t *)__va(pa[i]) = sh.pattern[i];
	}
	area = get_vm_area(PAGE_SIZE, PAGE_SIZE, VM_MAP);
	if (!KTAP_EXPECT(t, !IS_ERR(area)))
		return;
	sh.va = area->addr;
	KTAP_EXPECT_EQ(t, pgtable_map(&kernel_pgtable, sh.va, pa[0], PAGE_SIZE, PAGE_KERNEL, 0), 0);
	KTAP_EXPECT_EQ(t, smp_call_function_single(reader_cpu, reader, &sh, false), 0);
	/* the reader is running (an idle riscv64 hart would be skipped by the first shootdown) */
	uint64_t t0 = arch_counter();
	while (!__atomic_load_n(&sh.reads, __ATOMIC_ACQUIRE) &&
	       arch_counter() - t0 < arch_counter_hz())
		cpu_relax();
	KTAP_EXPECT(t, __atomic_load_n(&sh.reads, __ATOMIC_ACQUIRE) != 0);

	unsigned long shoot0 = tlb_remote_shootdowns;
	uint64_t insn0 = arch_insn_count();
	for (unsigned long r = 1; r <= ROUNDS; r++) {
		if (pgtable_map(&kernel_pgtable, sh.va, pa[r % NR_PAGES], PAGE_SIZE, PAGE_KERNEL,
				PGTABLE_MAP_REPLACE)) {
			ktap_fail(t, __FILE__, __LINE__, "remap %lu failed", r);
			break;
		}
		__atomic_store_n(&sh.gen, r, __ATOMIC_RELEASE);
		if (!wait_seen(&sh, r)) {
			ktap_fail(t, __FILE__, __LINE__, "reader stopped at round %lu", sh.seen);
			break;
		}
	}
	uint64_t insns = arch_insn_count() - insn0;
	__atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh.done, __ATOMIC_ACQUIRE))
		cpu_relax();
	KTAP_EXPECT_EQ(t, sh.stale, 0);
	KTAP_EXPECT(t, tlb_remote_shootdowns - shoot0 >= ROUNDS);
	ktap_printf("    # %d remaps, %lu reads on cpu%u, %lu stale, %lu in a break-before-make "
		    "window, %lu shootdowns\n", ROUNDS, sh.reads, reader_cpu, sh.stale, sh.gaps,
		    tlb_remote_shootdowns - shoot0);
	if (insns)
		ktap_metric("tlb_remap_round_insns", insns / ROUNDS, "insns");
	pgtable_unmap(&kernel_pgtable, sh.va, PAGE_SIZE);
	free_vm_area(area);
	for (int i = 0; i < NR_PAGES; i++)
		page_free_phys(pa[i], PAGE_SIZE);
}

static struct {
	int running;
	int stop;
} spinner;

static void spin(void *info)
{
	(void)info;
	__atomic_store_n(&spinner.running, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&spinner.stop, __ATOMIC_ACQUIRE))
		cpu_relax();
	__atomic_store_n(&spinner.running, 0, __ATOMIC_RELEASE);
}

/* Keep @cpu running (riscv64 skips idle harts in shootdowns: they fence on waking). */
static int busy_start(unsigned int cpu)
{
	int ret;

	spinner.stop = 0;
	ret = smp_call_function_single(cpu, spin, NULL, false);
	while (!ret && !__atomic_load_n(&spinner.running, __ATOMIC_ACQUIRE))
		cpu_relax();
	return ret;
}

static void busy_stop(void)
{
	__atomic_store_n(&spinner.stop, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&spinner.running, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void shootdown_cost(struct ktap_test *t)
{
	uintptr_t va = (uintptr_t)__stack_bottom;
	bool busy = num_online_cpus() > 1 && cpu_online(1);
	unsigned long before;
	uint64_t start;

	if (busy)
		KTAP_EXPECT_EQ(t, busy_start(1), 0);
	before = tlb_remote_shootdowns;
	start = arch_insn_count();
	for (int i = 0; i < 100; i++)
		flush_tlb_kernel_range(&kernel_pgtable, va, va + PAGE_SIZE);
	uint64_t per = (arch_insn_count() - start) / 100;
	if (busy) {
		KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 100);
		busy_stop();
	}
	ktap_printf("    # one-page shootdown with %u CPUs online, cpu1 busy\n", num_online_cpus());
	if (per)
		ktap_metric("tlb_shootdown_insns", per, "insns");
}

struct first_read {
	uintptr_t va;
	uint64_t val;
	int err;
};

static void read_once(void *info)
{
	struct first_read *f = info;

	f->err = probe_read((const void *)f->va, &f->val);
}

/*
 * A new mapping is fenced on no other CPU (arm64 never holds invalid entries; riscv64 serves the
 * fault of a hart holding a stale one, riscv_fixup_stale_tlb()), so making it costs no shootdown;
 * another CPU reads through it at once. Taking it away again costs one.
 */
static void new_mapping_costs_no_shootdown(struct ktap_test *t)
{
	struct first_read f = { 0 };
	struct vm_struct *area;
	phys_addr_t pa;
	unsigned long before;

	if (num_online_cpus() < 2 || !cpu_online(1)) {
		ktap_skip(t, "needs a second CPU");
		return;
	}
	pa = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	if (!KTAP_EXPECT(t, pa != 0))
		return;
	*(volatile uint64_t *)__va(pa) = 0x5eed0000c0ffeeULL;
	area = get_vm_area(PAGE_SIZE, PAGE_SIZE, VM_MAP);
	if (!KTAP_EXPECT(t, !IS_ERR(area))) {
		page_free_phys(pa, PAGE_SIZE);
		return;
	}
	f.va = area->addr;
	/* cpu1 busy: riscv64 would have an idle one fence itself on waking instead */
	KTAP_EXPECT_EQ(t, busy_start(1), 0);
	before = tlb_remote_shootdowns;
	KTAP_EXPECT_EQ(t, pgtable_map(&kernel_pgtable, f.va, pa, PAGE_SIZE, PAGE_KERNEL, 0), 0);
	KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 0);
	busy_stop();
	KTAP_EXPECT_EQ(t, smp_call_function_single(1, read_once, &f, true), 0);
	KTAP_EXPECT_EQ(t, f.err, 0);
	KTAP_EXPECT_EQ(t, f.val, 0x5eed0000c0ffeeULL);
	KTAP_EXPECT_EQ(t, busy_start(1), 0);
	before = tlb_remote_shootdowns;
	pgtable_unmap(&kernel_pgtable, f.va, PAGE_SIZE);
	KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 1);
	busy_stop();
	free_vm_area(area);
	page_free_phys(pa, PAGE_SIZE);
}

#ifdef __riscv
#include <arch/ptrace.h>

/*
 * The trap path's side of it: a page fault on an address the tables now map with the access
 * allowed is a stale entry of this hart (fenced, retried); a real one (nothing mapped, a store to
 * a read-only page, the same fault again right after the fence) stays a fault. QEMU refills its
 * TLB on every miss, so such faults never happen there: the handler is called as the trap would.
 */
static void stale_entry_fault_is_fenced_and_retried(struct ktap_test *t)
{
	static const char ro_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE))) = { 1 };
	phys_addr_t pa = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	uintptr_t mapped = (uintptr_t)__va(pa);
	struct vm_struct *hole = get_vm_area(PAGE_SIZE, PAGE_SIZE, VM_MAP);
	unsigned long fixed = riscv_stale_tlb_fixups;
	struct pt_regs r = { .sepc = (uintptr_t)stale_entry_fault_is_fenced_and_retried };

	if (!KTAP_EXPECT(t, pa != 0 && !IS_ERR(hole))) {
		if (pa)
			page_free_phys(pa, PAGE_SIZE);
		if (!IS_ERR(hole))
			free_vm_area(hole);
		return;
	}
	r.scause = 13; /* load page fault on a mapped page: stale */
	r.stval = mapped + 8;
	KTAP_EXPECT(t, riscv_fixup_stale_tlb(&r));
	KTAP_EXPECT(t, !riscv_fixup_stale_tlb(&r)); /* the fence did not cure it: real */
	r.sepc += 4;
	r.scause = 15; /* store to it: stale too */
	KTAP_EXPECT(t, riscv_fixup_stale_tlb(&r));
	r.stval = (uintptr_t)ro_page; /* store to a read-only page of the image: real */
	KTAP_EXPECT(t, !riscv_fixup_stale_tlb(&r));
	r.scause = 12; /* fetch from it (not executable): real */
	KTAP_EXPECT(t, !riscv_fixup_stale_tlb(&r));
	r.scause = 13; /* load from an address nothing maps: real */
	r.stval = hole->addr;
	KTAP_EXPECT(t, !riscv_fixup_stale_tlb(&r));
	r.scause = 5; /* an access fault is never a TLB matter */
	r.stval = mapped;
	KTAP_EXPECT(t, !riscv_fixup_stale_tlb(&r));
	KTAP_EXPECT_EQ(t, riscv_stale_tlb_fixups - fixed, 2);
	free_vm_area(hole);
	page_free_phys(pa, PAGE_SIZE);
}

/*
 * An idle hart is not interrupted by a shootdown: it fences itself when it wakes. cpu1 caches a
 * translation, goes idle, the page is remapped with no RFENCE, and cpu1 woken reads the new page
 * (QEMU keeps a vCPU's TLB across wfi: without the fence it would read the old one).
 */
static void idle_cpu_fences_itself_on_waking(struct ktap_test *t)
{
	struct first_read f = { 0 };
	struct vm_struct *area;
	phys_addr_t pa[2];
	unsigned long before;
	uint64_t start;

	if (num_online_cpus() < 2 || !cpu_online(1)) {
		ktap_skip(t, "needs a second CPU");
		return;
	}
	pa[0] = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	pa[1] = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	area = get_vm_area(PAGE_SIZE, PAGE_SIZE, VM_MAP);
	if (!KTAP_EXPECT(t, pa[0] && pa[1] && !IS_ERR(area)))
		goto out;
	*(volatile uint64_t *)__va(pa[0]) = 0x01d;
	*(volatile uint64_t *)__va(pa[1]) = 0x9e3;
	f.va = area->addr;
	KTAP_EXPECT_EQ(t, pgtable_map(&kernel_pgtable, f.va, pa[0], PAGE_SIZE, PAGE_KERNEL, 0), 0);
	KTAP_EXPECT_EQ(t, smp_call_function_single(1, read_once, &f, true), 0);
	KTAP_EXPECT_EQ(t, f.val, 0x01d);
	start = arch_counter();
	while (!riscv_tlb_idle(1) && arch_counter() - start < arch_counter_hz())
		cpu_relax();
	KTAP_EXPECT(t, riscv_tlb_idle(1));
	before = tlb_remote_shootdowns;
	KTAP_EXPECT_EQ(t, pgtable_map(&kernel_pgtable, f.va, pa[1], PAGE_SIZE, PAGE_KERNEL,
				      PGTABLE_MAP_REPLACE), 0);
	KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 0);
	KTAP_EXPECT_EQ(t, smp_call_function_single(1, read_once, &f, true), 0);
	KTAP_EXPECT_EQ(t, f.err, 0);
	KTAP_EXPECT_EQ(t, f.val, 0x9e3);
	pgtable_unmap(&kernel_pgtable, f.va, PAGE_SIZE);
out:
	if (!IS_ERR(area))
		free_vm_area(area);
	for (int i = 0; i < 2; i++)
		if (pa[i])
			page_free_phys(pa[i], PAGE_SIZE);
}

struct run_in {
	struct pgtable *pt;
	int running;
	int stop;
};

/* Run in an address space, busy, until told to stop. */
static void run_in(void *info)
{
	struct run_in *r = info;

	switch_mm(r->pt);
	__atomic_store_n(&r->running, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		cpu_relax();
	switch_mm(NULL);
	__atomic_store_n(&r->running, 0, __ATOMIC_RELEASE);
}

/*
 * A change in an address space (ASID != 0) is fenced on the harts running in it, not on all:
 * none while it runs nowhere else, the one running in it, none again once it has left (busy
 * elsewhere).
 */
static void address_space_flush_reaches_only_its_harts(struct ktap_test *t)
{
	static struct pgtable pt;
	static struct run_in in;
	const uintptr_t va = 0x40000000;
	phys_addr_t pa;
	unsigned long before;

	if (num_online_cpus() < 2 || !cpu_online(1)) {
		ktap_skip(t, "needs a second CPU");
		return;
	}
	in = (struct run_in){ .pt = &pt };
	pa = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	if (!KTAP_EXPECT(t, pa != 0))
		return;
	if (!KTAP_EXPECT_EQ(t, pgtable_init(&pt, &kernel_pgtable.cfg, 9), 0)) {
		page_free_phys(pa, PAGE_SIZE);
		return;
	}
	KTAP_EXPECT_EQ(t, pgtable_map(&pt, va, pa, PAGE_SIZE, PAGE_KERNEL, 0), 0);
	before = tlb_remote_shootdowns;
	KTAP_EXPECT_EQ(t, pgtable_protect(&pt, va, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 0);
	KTAP_EXPECT_EQ(t, smp_call_function_single(1, run_in, &in, false), 0);
	while (!__atomic_load_n(&in.running, __ATOMIC_ACQUIRE))
		cpu_relax();
	before = tlb_remote_shootdowns;
	KTAP_EXPECT_EQ(t, pgtable_protect(&pt, va, PAGE_SIZE, PAGE_KERNEL), 0);
	KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 1);
	__atomic_store_n(&in.stop, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&in.running, __ATOMIC_ACQUIRE))
		cpu_relax();
	/* cpu1 busy but elsewhere: still not fenced */
	KTAP_EXPECT_EQ(t, busy_start(1), 0);
	before = tlb_remote_shootdowns;
	KTAP_EXPECT_EQ(t, pgtable_protect(&pt, va, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	KTAP_EXPECT_EQ(t, tlb_remote_shootdowns - before, 0);
	busy_stop();
	pgtable_destroy(&pt);
	page_free_phys(pa, PAGE_SIZE);
}
#endif

static const struct ktap_case tlb_cases[] = {
	KTAP_CASE(remap_is_seen_at_once_by_other_cpu),
	KTAP_CASE(shootdown_cost),
	KTAP_CASE(new_mapping_costs_no_shootdown),
#ifdef __riscv
	KTAP_CASE(stale_entry_fault_is_fenced_and_retried),
	KTAP_CASE(address_space_flush_reaches_only_its_harts),
	KTAP_CASE(idle_cpu_fences_itself_on_waking),
#endif
};

static int init(char *why, size_t len)
{
	if (!paging_installed()) {
		scnprintf(why, len, "the final page tables are not installed");
		return -1;
	}
	return 0;
}

const struct ktap_suite tlb_suite = {
	.name = "tlb",
	.cases = tlb_cases,
	.nr_cases = ARRAY_SIZE(tlb_cases),
	.init = init,
};
