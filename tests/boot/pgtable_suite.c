// SPDX-License-Identifier: BSD-2-Clause
// Suite "pgtable": translations the hardware really uses, and the faults it really raises.
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/fault.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/atomic.h>
#include <platform/smp_call.h>
#include <platform/smp.h>
#include <mm/memblock.h>
#include <mm/page_alloc.h>
#include <mm/vmalloc.h>

/*
 * In the kernel half but in no region: the guard gap below the ioremap region once the final
 * tables are in, else an address the boot tables leave out (above the identity map, below the
 * image).
 */
#define UNMAPPED_VA unmapped_va()

static uintptr_t unmapped_va(void)
{
	if (paging_installed())
		return kernel_layout.region[LAYOUT_IOREMAP].start - LAYOUT_GUARD_GAP / 2;
	return (uintptr_t)0xffffffc000000000ULL;
}

static uint64_t probe_target = 0x1122334455667788ULL;

static void probe_reads_mapped_memory(struct ktap_test *t)
{
	uint64_t v = 0;

	KTAP_EXPECT_EQ(t, probe_read(&probe_target, &v), 0);
	KTAP_EXPECT_EQ(t, v, 0x1122334455667788ULL);
	KTAP_EXPECT_EQ(t, probe_write(&probe_target, 42), 0);
	KTAP_EXPECT_EQ(t, probe_target, 42);
}

static void unmapped_read_faults(struct ktap_test *t)
{
	unsigned long before = fault_caught_count();
	uint64_t v = 0;

	KTAP_EXPECT_EQ(t, probe_read((void *)UNMAPPED_VA, &v), -EFAULT);
	KTAP_EXPECT_EQ(t, fault_caught_count(), before + 1);
	KTAP_EXPECT_EQ(t, fault_last()->access, FAULT_READ);
	KTAP_EXPECT_EQ(t, fault_last()->addr, UNMAPPED_VA);
	KTAP_EXPECT(t, !fault_last()->is_permission);
	ktap_printf("    # caught: %s\n", fault_last()->what);
}

static void unmapped_write_faults(struct ktap_test *t)
{
	KTAP_EXPECT_EQ(t, probe_write((void *)(UNMAPPED_VA + 64), 1), -EFAULT);
	KTAP_EXPECT_EQ(t, fault_last()->access, FAULT_WRITE);
	KTAP_EXPECT_EQ(t, fault_last()->addr, UNMAPPED_VA + 64);
}

static void unmapped_exec_faults(struct ktap_test *t)
{
	KTAP_EXPECT_EQ(t, probe_exec((void *)(UNMAPPED_VA + 4096)), -EFAULT);
	KTAP_EXPECT_EQ(t, fault_last()->access, FAULT_EXEC);
	KTAP_EXPECT_EQ(t, fault_last()->pc, UNMAPPED_VA + 4096);
}

static const uint64_t rodata_word = 0x0123456789abcdefULL;

static int init(char *why, size_t len)
{
	(void)why;
	(void)len;
	return 0;
}

static bool need_final_tables(struct ktap_test *t)
{
	if (boot.paging_failed || !strcmp(paging_mode_name(), "boot")) {
		ktap_skip(t, "the final page tables are not installed");
		return false;
	}
	return true;
}

static void final_tables_installed(struct ktap_test *t)
{
	KTAP_EXPECT(t, !boot.paging_failed);
	KTAP_EXPECT(t, strcmp(paging_mode_name(), "boot") != 0);
	KTAP_EXPECT(t, kernel_pgtable.nr_table_pages > 0);
	ktap_metric("pgtable_pages_linear", paging_stats.table_pages_linear, "pages");
	ktap_metric("pgtable_bytes_linear", paging_stats.table_pages_linear * PAGE_SIZE, "bytes");
	ktap_metric("pgtable_pages_kernel", paging_stats.table_pages, "pages");
	ktap_metric("paging_init_insns", paging_stats.insns, "insns");
	ktap_metric("paging_init_tlb_flushes", paging_stats.flushes, "count");
}

static void text_is_not_writable(struct ktap_test *t)
{
	if (!need_final_tables(t))
		return;
	KTAP_EXPECT_EQ(t, probe_write((void *)ALIGN_UP((uintptr_t)init, 8), 0), -EFAULT);
	KTAP_EXPECT_EQ(t, fault_last()->access, FAULT_WRITE);
	KTAP_EXPECT(t, fault_last()->is_permission);
	ktap_printf("    # caught: %s\n", fault_last()->what);
}

static void rodata_is_read_only(struct ktap_test *t)
{
	uint64_t v = 0;

	if (!need_final_tables(t))
		return;
	KTAP_EXPECT_EQ(t, probe_read(&rodata_word, &v), 0);
	KTAP_EXPECT_EQ(t, v, rodata_word);
	KTAP_EXPECT_EQ(t, probe_write((void *)&rodata_word, 1), -EFAULT);
	KTAP_EXPECT(t, fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, rodata_word, 0x0123456789abcdefULL);
}

/* The linear map's alias of the image must not undo W^X: readable, not writable, not executable. */
static void image_linear_alias_is_read_only(struct ktap_test *t)
{
	uint64_t *text = __va(__pa_symbol(ALIGN_UP((uintptr_t)init, 8)));
	uint64_t *ro = __va(__pa_symbol(&rodata_word));
	uint64_t v = 0;

	if (!need_final_tables(t))
		return;
	KTAP_EXPECT_EQ(t, probe_read(ro, &v), 0);
	KTAP_EXPECT_EQ(t, v, rodata_word);
	KTAP_EXPECT_EQ(t, probe_write(ro, 1), -EFAULT);
	KTAP_EXPECT(t, fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, probe_write(text, 0), -EFAULT);
	KTAP_EXPECT(t, fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, probe_exec(__va(__pa_symbol(init))), -EFAULT);
	/* data right after rodata stays writable through the alias */
	KTAP_EXPECT_EQ(t, probe_write(__va(__pa_symbol(&probe_target)), 7), 0);
	KTAP_EXPECT_EQ(t, probe_target, 7);
}

static void data_and_stack_are_not_executable(struct ktap_test *t)
{
	/* A return instruction would run if the page were executable: no false pass. */
	uint32_t ret_insn[2] = { 0x00008067u, 0xd65f03c0u }; /* riscv "ret", arm64 "ret" */

	if (!need_final_tables(t))
		return;
	memcpy(&probe_target, ret_insn, sizeof(ret_insn));
	KTAP_EXPECT_EQ(t, probe_exec(&probe_target), -EFAULT);
	KTAP_EXPECT_EQ(t, fault_last()->access, FAULT_EXEC);
	KTAP_EXPECT_EQ(t, probe_exec(ret_insn), -EFAULT);
	KTAP_EXPECT_EQ(t, fault_last()->pc, (uintptr_t)ret_insn);
}

static void stack_guard_is_unmapped(struct ktap_test *t)
{
	uint64_t v;

	if (!need_final_tables(t))
		return;
	KTAP_EXPECT_EQ(t, probe_read(__stack_guard + 128, &v), -EFAULT);
	KTAP_EXPECT(t, !fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, probe_read(__stack_bottom, &v), 0);
}

static void identity_map_is_gone(struct ktap_test *t)
{
	uint64_t v;

	if (!need_final_tables(t))
		return;
	/* The blob's physical address was readable through the boot identity map. */
	KTAP_EXPECT_EQ(t, probe_read((void *)(uintptr_t)boot.bi.dtb_base, &v), -EFAULT);
	KTAP_EXPECT_EQ(t, probe_read(__va(boot.bi.dtb_base), &v), 0);
	KTAP_EXPECT_EQ(t, v & 0xffffffffu, 0xedfe0dd0u); /* FDT magic, big-endian, read LE */
}

static void linear_map_translates(struct ktap_test *t)
{
	struct pgtable_walk_result r;
	phys_addr_t s, e;
	uint64_t idx;

	if (!need_final_tables(t))
		return;
	for_each_free_mem_range(idx, &s, &e) {
		phys_addr_t probe_pa[3] = { s, s + (e - s) / 2, e - PAGE_SIZE };
		for (int i = 0; i < 3; i++) {
			phys_addr_t pa = ALIGN_DOWN(probe_pa[i], PAGE_SIZE);
			if (!KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, (uintptr_t)__va(pa), &r), 0))
				continue;
			KTAP_EXPECT(t, r.found);
			KTAP_EXPECT_EQ(t, r.pa, pa);
			KTAP_EXPECT(t, !(pgprot_val(r.prot) & PGPROT_EXEC));
		}
	}
}

/* A second mapping of one RAM page in the ioremap region sees what the linear map wrote. */
static void alias_mapping_sees_writes(struct ktap_test *t)
{
	phys_addr_t pa;
	struct vm_struct *area;

	if (!need_final_tables(t))
		return;
	pa = page_alloc_phys(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	if (!KTAP_EXPECT(t, pa != 0))
		return;
	area = get_vm_area(PAGE_SIZE, PAGE_SIZE, VM_MAP);
	if (!KTAP_EXPECT(t, !IS_ERR(area)))
		goto out_free;
	KTAP_EXPECT_EQ(t, pgtable_map(&kernel_pgtable, area->addr, pa, PAGE_SIZE, PAGE_KERNEL, 0), 0);
	*(volatile uint64_t *)__va(pa) = 0xfeedfacecafebeefULL;
	KTAP_EXPECT_EQ(t, *(volatile uint64_t *)area->addr, 0xfeedfacecafebeefULL);
	*(volatile uint64_t *)(area->addr + 8) = 7;
	KTAP_EXPECT_EQ(t, ((volatile uint64_t *)__va(pa))[1], 7);
	KTAP_EXPECT_EQ(t, pgtable_unmap(&kernel_pgtable, area->addr, PAGE_SIZE), 0);
	uint64_t v;
	KTAP_EXPECT_EQ(t, probe_read((void *)area->addr, &v), -EFAULT);
	free_vm_area(area);
out_free:
	page_free_phys(pa, PAGE_SIZE);
}

/* Split a live 2 MiB leaf, write-protect one page of it, then merge it back. */
static void split_protect_merge_live(struct ktap_test *t)
{
	struct pgtable_walk_result r;
	struct vm_struct *area;
	phys_addr_t pa;
	unsigned long tables = kernel_pgtable.nr_table_pages;

	if (!need_final_tables(t))
		return;
	pa = page_alloc_phys(SZ_2M, SZ_2M, GFP_KERNEL);
	if (!KTAP_EXPECT(t, pa != 0))
		return;
	area = get_vm_area(SZ_2M, SZ_2M, VM_MAP);
	if (!KTAP_EXPECT(t, !IS_ERR(area)))
		goto out_free;
	uintptr_t va = area->addr;
	volatile uint64_t *p = (volatile uint64_t *)va;
	KTAP_EXPECT_EQ(t, pgtable_map(&kernel_pgtable, va, pa, SZ_2M, PAGE_KERNEL, 0), 0);
	KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, va, &r), 0);
	KTAP_EXPECT_EQ(t, r.level, PGTABLE_LEVEL_PMD);
	for (unsigned int i = 0; i < SZ_2M / 8; i += 512)
		p[i] = pa + i;
	KTAP_EXPECT_EQ(t, pgtable_split(&kernel_pgtable, va, PGTABLE_LEVEL_PMD), 0);
	KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, va + 5 * PAGE_SIZE, &r), 0);
	KTAP_EXPECT_EQ(t, r.level, PGTABLE_LEVEL_PTE);
	KTAP_EXPECT_EQ(t, r.pa, pa + 5 * PAGE_SIZE);
	bool same = true;
	for (unsigned int i = 0; i < SZ_2M / 8; i += 512)
		same &= p[i] == pa + i;
	KTAP_EXPECT(t, same);
	KTAP_EXPECT_EQ(t, pgtable_protect(&kernel_pgtable, va + 3 * PAGE_SIZE, PAGE_SIZE,
					  PAGE_KERNEL_RO), 0);
	KTAP_EXPECT_EQ(t, probe_write((void *)(va + 3 * PAGE_SIZE), 1), -EFAULT);
	KTAP_EXPECT(t, fault_last()->is_permission);
	KTAP_EXPECT_EQ(t, probe_write((void *)(va + 4 * PAGE_SIZE), 1), 0);
	KTAP_EXPECT_EQ(t, pgtable_protect(&kernel_pgtable, va + 3 * PAGE_SIZE, PAGE_SIZE,
					  PAGE_KERNEL), 0);
	KTAP_EXPECT_EQ(t, pgtable_merge(&kernel_pgtable, va, PGTABLE_LEVEL_PMD), 0);
	KTAP_EXPECT_EQ(t, pgtable_walk(&kernel_pgtable, va, &r), 0);
	KTAP_EXPECT_EQ(t, r.level, PGTABLE_LEVEL_PMD);
	KTAP_EXPECT_EQ(t, probe_write((void *)(va + 3 * PAGE_SIZE), 2), 0);
	KTAP_EXPECT_EQ(t, pgtable_unmap(&kernel_pgtable, va, SZ_2M), 0);
	/* Tables emptied by the unmap are freed again. */
	KTAP_EXPECT_EQ(t, kernel_pgtable.nr_table_pages, tables);
	free_vm_area(area);
out_free:
	page_free_phys(pa, SZ_2M);
}

/* Every CPU maps, uses and unmaps its own pages in one shared region at the same time. */
#define CONC_PAGES 32
#define CONC_ROUNDS 8

struct conc {
	uintptr_t base;
	phys_addr_t pa[NR_CPUS];
	unsigned long errors;
	int done;
};

static void conc_worker(void *info)
{
	struct conc *c = info;
	unsigned int cpu = smp_processor_id();
	uintptr_t va = c->base + (uintptr_t)cpu * CONC_PAGES * PAGE_SIZE;

	for (int round = 0; round < CONC_ROUNDS; round++) {
		/* All CPUs' windows share one PTE table: its population is contended. */
		if (pgtable_map(&kernel_pgtable, va, c->pa[cpu], CONC_PAGES * PAGE_SIZE, PAGE_KERNEL,
				PGTABLE_MAP_NO_BLOCKS))
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
		for (unsigned int i = 0; i < CONC_PAGES; i++)
			*(volatile uint64_t *)(va + i * PAGE_SIZE) = ((uint64_t)cpu << 32) | i;
		for (unsigned int i = 0; i < CONC_PAGES; i++)
			if (*(volatile uint64_t *)__va(c->pa[cpu] + i * PAGE_SIZE) !=
			    (((uint64_t)cpu << 32) | i))
				__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
		if (pgtable_unmap(&kernel_pgtable, va, CONC_PAGES * PAGE_SIZE))
			__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

static void concurrent_map_unmap_on_all_cpus(struct ktap_test *t)
{
	static struct conc c;
	unsigned int n = num_possible_cpus();
	unsigned long tables = kernel_pgtable.nr_table_pages;
	struct vm_struct *area;

	if (!need_final_tables(t))
		return;
	c = (struct conc){ 0 };
	area = get_vm_area((size_t)n * CONC_PAGES * PAGE_SIZE, SZ_2M, VM_MAP);
	if (!KTAP_EXPECT(t, !IS_ERR(area)))
		return;
	c.base = area->addr;
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		c.pa[cpu] = page_alloc_phys(CONC_PAGES * PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
		KTAP_EXPECT(t, c.pa[cpu] != 0);
	}
	on_each_cpu(conc_worker, &c, true);
	while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) < (int)num_online_cpus())
		cpu_relax();
	KTAP_EXPECT_EQ(t, c.errors, 0);
	KTAP_EXPECT_EQ(t, kernel_pgtable.nr_table_pages, tables);
	ktap_printf("    # %u CPUs x %d rounds x %d pages mapped, written, unmapped\n",
		    num_online_cpus(), CONC_ROUNDS, CONC_PAGES);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		if (c.pa[cpu])
			page_free_phys(c.pa[cpu], CONC_PAGES * PAGE_SIZE);
	free_vm_area(area);
}

static const struct ktap_case pgtable_cases[] = {
	KTAP_CASE(final_tables_installed),
	KTAP_CASE(probe_reads_mapped_memory),
	KTAP_CASE(unmapped_read_faults),
	KTAP_CASE(unmapped_write_faults),
	KTAP_CASE(unmapped_exec_faults),
	KTAP_CASE(text_is_not_writable),
	KTAP_CASE(rodata_is_read_only),
	KTAP_CASE(image_linear_alias_is_read_only),
	KTAP_CASE(data_and_stack_are_not_executable),
	KTAP_CASE(stack_guard_is_unmapped),
	KTAP_CASE(identity_map_is_gone),
	KTAP_CASE(linear_map_translates),
	KTAP_CASE(alias_mapping_sees_writes),
	KTAP_CASE(split_protect_merge_live),
	KTAP_CASE(concurrent_map_unmap_on_all_cpus),
};

const struct ktap_suite pgtable_suite = {
	.name = "pgtable",
	.cases = pgtable_cases,
	.nr_cases = ARRAY_SIZE(pgtable_cases),
	.init = init,
};
