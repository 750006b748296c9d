// SPDX-License-Identifier: BSD-2-Clause
// Suite "hugetlb": pools of 2 MiB (hugepages=) and 1 GiB (hugepages_1g=) folios with HugeTLB
// Vmemmap Optimization: the tail vmemmap pages map the shared read-only page, a write to an
// optimized tail struct page is caught, restore and re-optimize work, a self-hosted vmemmap
// (struct pages in device memory) is refused, readers on every other CPU never fault nor see a
// wrong head while folios are optimized and restored, and shrinking the pools gives every page
// back.
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/exit.h>
#include <platform/fault.h>
#include <platform/ktap.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <platform/stop_machine.h>
#include <arch/pgtable.h>
#include <arch/processor.h>
#include <mm/hugetlb.h>
#include <mm/vmemmap_tails.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/page_alloc.h>
#include <pmem/scratch.h>

static struct {
	unsigned long free0, tables0;
	struct folio *probe_folio;
	long boot_pages; /* what the boot folios given to the buddy added to its free pages */
} hs;

static int init(char *why, size_t len)
{
	if (!paging_installed() || boot.mm_failed) {
		scnprintf(why, len, "no final page tables or no page allocator");
		return -ENODEV;
	}
	hs.free0 = nr_free_pages();
	hs.tables0 = kernel_pgtable.nr_table_pages;
	hs.boot_pages = 0;
	hugetlb_init(boot.args.hvo);
	return 0;
}

/* The physical page backing the vmemmap page that holds struct page @p. */
static phys_addr_t vmemmap_backing(const struct page *p, struct pgtable_walk_result *r)
{
	if (pgtable_walk(&kernel_pgtable, (uintptr_t)p, r))
		return 0;
	return ALIGN_DOWN(r->pa, PAGE_SIZE);
}

/* Every tail-only vmemmap page of @f is the shared page, read-only; the first is private. */
static unsigned long check_optimized(struct ktap_test *t, struct folio *f)
{
	phys_addr_t shared = hugetlb_vmemmap_shared_page(folio_order(f));
	unsigned long n = folio_nr_pages(f), bad = 0;
	struct pgtable_walk_result r;

	KTAP_EXPECT(t, hugetlb_vmemmap_optimized(f));
	KTAP_EXPECT(t, vmemmap_backing(&f->page, &r) != shared);
	for (unsigned long i = PAGE_SIZE / sizeof(struct page); i < n; i += 64) {
		struct page *tail = folio_page(f, i);

		bad += vmemmap_backing(tail, &r) != shared || (pgprot_val(r.prot) & PGPROT_WRITE);
		bad += compound_head(tail) != &f->page; /* still resolves through the shared page */
	}
	return bad;
}

static void pool_of_2m_folios_is_optimized(struct ktap_test *t)
{
	struct hstate *h = &hstates[0];
	struct hvo_stats before, after;
	unsigned long want = boot.args.hugepages, got, free_before = nr_free_pages(), bad = 0;
	uint64_t insn0, off;

	if (!want) {
		ktap_skip(t, "hugepages=0");
		return;
	}
	if (boot.args.hvo) {
		/* the same growth with HVO off first, for the price of HVO per folio */
		hugetlb_init(false);
		off = arch_insn_count();
		got = hugetlb_pool_grow(h, want);
		off = arch_insn_count() - off;
		KTAP_EXPECT_EQ(t, hugetlb_pool_shrink(h, got), got);
		if (got)
			ktap_metric("hvo_2m_grow_off_insns_per_folio", off / got, "insns");
		hugetlb_init(true);
	}
	hugetlb_vmemmap_get_stats(&before);
	insn0 = arch_insn_count();
	got = hugetlb_pool_grow(h, want);
	insn0 = arch_insn_count() - insn0;
	hugetlb_vmemmap_get_stats(&after);
	KTAP_EXPECT_EQ(t, got, want);
	KTAP_EXPECT_EQ(t, h->nr, got);
	if (!boot.args.hvo) {
		KTAP_EXPECT_EQ(t, h->optimized, 0);
		ktap_printf("    # hvo=off: %lu folios, vmemmap left as it is\n", got);
		return;
	}
	KTAP_EXPECT_EQ(t, h->optimized, got);
	KTAP_EXPECT_EQ(t, after.pages_freed - before.pages_freed, got * 7);
	/* folios are on the pool list; look at each through it */
	{
		struct page *p;

		list_for_each_entry(p, &h->list, lru) {
			bad += check_optimized(t, page_folio(p));
			hs.probe_folio = page_folio(p);
		}
	}
	KTAP_EXPECT_EQ(t, bad, 0);
	ktap_printf("    # %lu x 2 MiB: vmemmap 8 -> 1 page each, %lu pages freed, %lu PMD split(s), "
		    "%lu flushes in %lu batch(es), pool cost %lu pages net\n",
		    got, after.pages_freed - before.pages_freed, after.pmd_splits - before.pmd_splits,
		    after.flushes - before.flushes, after.batches - before.batches,
		    free_before - nr_free_pages());
	ktap_metric("hvo_2m_vmemmap_pages_kept_per_folio", 1, "pages");
	ktap_metric("hvo_2m_vmemmap_bytes_saved_per_folio",
		    (after.pages_freed - before.pages_freed) / got * PAGE_SIZE, "bytes");
	ktap_metric("hvo_2m_grow_insns_per_folio", insn0 / got, "insns");
	ktap_metric("hvo_2m_flushes_per_folio", (after.flushes - before.flushes) / got, "count");
	/* the growth is one batch: one flush, its vmemmap PMD splits included */
	KTAP_EXPECT_EQ(t, after.batches - before.batches, 1);
	KTAP_EXPECT_EQ(t, after.flushes - before.flushes, 1);
	if (after.batches > before.batches)
		ktap_metric("hvo_flushes_per_batch", (after.flushes - before.flushes) /
			    (after.batches - before.batches), "count");
}

static void write_to_optimized_tail_is_caught(struct ktap_test *t)
{
	struct folio *f = hs.probe_folio;
	struct hvo_stats st;
	struct page *tail;
	uint64_t v, *shared;
	char line[200];

	if (!f) {
		ktap_skip(t, "no optimized folio");
		return;
	}
	tail = folio_page(f, 100);
	KTAP_EXPECT_EQ(t, probe_read(&tail->flags, &v), 0);
	KTAP_EXPECT_EQ(t, probe_write(&tail->flags, v), -EFAULT); /* even the same value */
	KTAP_EXPECT(t, fault_last()->is_permission);
	KTAP_EXPECT(t, hugetlb_vmemmap_describe((uintptr_t)&tail->flags, line, sizeof(line)));
	ktap_printf("    # caught: %s\n", line);
	/* the shared page's own linear-map alias is read-only too (unless an arm64 block maps it) */
	hugetlb_vmemmap_get_stats(&st);
	shared = (uint64_t *)__va(hugetlb_vmemmap_shared_page(folio_order(f)));
	KTAP_EXPECT_EQ(t, probe_read(shared, &v), 0);
	/* read-only on every arch: the page comes from the boot pool mapped with page leaves */
	KTAP_EXPECT_EQ(t, probe_write(shared, v), -EFAULT);
	KTAP_EXPECT(t, !vmemmap_tail_by_page(__pa(shared))->alias_writable);
	ktap_printf("    # the linear alias of the shared page is read-only\n");
	/* the first vmemmap page (head and tails 1..63) stays the folio's own and writable */
	KTAP_EXPECT_EQ(t, probe_read(&folio_page(f, 5)->flags, &v), 0);
	KTAP_EXPECT_EQ(t, probe_write(&folio_page(f, 5)->flags, v), 0);
	KTAP_EXPECT(t, !hugetlb_vmemmap_describe((uintptr_t)&folio_page(f, 5)->flags, line,
						 sizeof(line)));
}

static void restore_then_optimize_again(struct ktap_test *t)
{
	struct folio *f = hs.probe_folio;
	struct page *tail;
	uint64_t v, insn0, restore;

	if (!f) {
		ktap_skip(t, "no optimized folio");
		return;
	}
	tail = folio_page(f, 300);
	insn0 = arch_insn_count();
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_restore_folio(f), 0);
	restore = arch_insn_count() - insn0;
	KTAP_EXPECT(t, !hugetlb_vmemmap_optimized(f));
	KTAP_EXPECT_EQ(t, probe_read(&tail->flags, &v), 0);
	KTAP_EXPECT_EQ(t, probe_write(&tail->flags, v), 0); /* writable again */
	KTAP_EXPECT(t, compound_head(tail) == &f->page);
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_restore_folio(f), -EINVAL);
	insn0 = arch_insn_count();
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_optimize_folio(f), 0);
	ktap_metric("hvo_2m_optimize_insns", arch_insn_count() - insn0, "insns");
	ktap_metric("hvo_2m_restore_insns", restore, "insns");
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_optimize_folio(f), -EALREADY);
	KTAP_EXPECT_EQ(t, check_optimized(t, f), 0);
}

/*
 * Concurrency: while CPU 0 optimizes and restores folios over and over, every other online CPU
 * reads their tail struct pages and resolves compound_head() through them, as a pfn walker or an
 * interrupt handler would, and serves its cross-CPU calls between two passes (the IPIs CPU 0
 * keeps sending, and whatever HVO itself asks of it). A read that finds no translation (a
 * break-before-make window another CPU fell into) is counted, not fatal, so the count is seen.
 */
#define RACE_FOLIOS 2
#define RACE_ROUNDS 1000
/*
 * Each arm64 optimize or restore is a rendezvous of every CPU, each riscv64 one a remote fence
 * of every hart: under TCG with more CPUs than host cores that can take tens of milliseconds, so
 * rounds past the first RACE_MIN_ROUNDS stop after RACE_BUDGET_S seconds. The minimum itself is
 * waited for up to RACE_LIMIT_S, so that a loaded host makes the case slower, not failed. With
 * -smp 2 to 4 the 1000 rounds take about a second; -smp 64 on two host cores runs about 380
 * (arm64) and 50 (riscv64) in the budget alone, 4 to 9 (riscv64) beside another QEMU; 2 to 4
 * while the readers slept every 256 passes or never.
 */
#define RACE_BUDGET_S 8
#define RACE_LIMIT_S 120
#define RACE_MIN_ROUNDS 8
/* A reader's passes over the tails between two arch_cpu_yield() sleeps. */
#define RACE_PASSES_PER_SLEEP 16

static struct {
	struct folio *f[RACE_FOLIOS];
	int stop;
	unsigned int running, done;
	unsigned long reads, faults, wrong;
} race;

/* Tails in each of the 7 tail-only vmemmap pages (64 struct pages a page), both ends. */
static const unsigned int race_tails[] = { 64, 127, 128, 200, 300, 320, 400, 448, 511 };

static void race_reader(void *info)
{
	unsigned long reads = 0, faults = 0, wrong = 0, passes = 0;

	__atomic_fetch_add(&race.running, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE)) {
		for (unsigned int i = 0; i < RACE_FOLIOS; i++) {
			for (unsigned int j = 0; j < ARRAY_SIZE(race_tails); j++) {
				struct page *tail = folio_page(race.f[i], race_tails[j]);
				uint64_t v;

				if (probe_read(&tail->compound_info, &v)) {
					faults++;
					continue;
				}
				wrong += compound_head(tail) != &race.f[i]->page;
				reads++;
			}
		}
		smp_call_handle_ipi();
		/*
		 * A short sleep now and then: readers that never give their host core away keep
		 * CPU 0 and the CPUs each rendezvous or remote fence waits for off the host cores.
		 */
		if (++passes % RACE_PASSES_PER_SLEEP == 0)
			arch_cpu_yield();
	}
	__atomic_fetch_add(&race.reads, reads, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.faults, faults, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.wrong, wrong, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.done, 1, __ATOMIC_ACQ_REL);
}

static void race_nop(void *info)
{
}

static void readers_on_other_cpus_never_fault(struct ktap_test *t)
{
	struct hstate *h = &hstates[0];
	unsigned int others = num_online_cpus() - 1, cpu, self = smp_processor_id();
	unsigned long ops = 0, failed = 0, ipis = 0;
	unsigned long sm0 = stop_machine_count();
	struct hvo_stats before, after;
	struct list_head list;
	struct cpumask mask;
	unsigned int r;
	uint64_t start;

	if (!others) {
		ktap_skip(t, "needs a second CPU");
		return;
	}
	if (!boot.args.hvo || h->nr < RACE_FOLIOS) {
		ktap_skip(t, "needs HVO and %d 2 MiB folios", RACE_FOLIOS);
		return;
	}
	memset(&race, 0, sizeof(race));
	INIT_LIST_HEAD(&list);
	for (unsigned int i = 0; i < RACE_FOLIOS; i++) {
		race.f[i] = hugetlb_folio_alloc(h);
		if (!KTAP_EXPECT(t, race.f[i] && hugetlb_vmemmap_optimized(race.f[i])))
			return;
		list_add_tail(&race.f[i]->page.lru, &list);
	}
	cpumask_clear(&mask);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu != self && cpu_online(cpu))
			__cpumask_set_cpu(cpu, &mask);
	hugetlb_vmemmap_get_stats(&before);
	smp_call_function_many(&mask, race_reader, NULL, false);
	start = arch_counter();
	while (__atomic_load_n(&race.running, __ATOMIC_ACQUIRE) < others &&
	       arch_counter() - start < arch_counter_hz())
		cpu_relax();
	KTAP_EXPECT_EQ(t, race.running, others);
	start = arch_counter();
	for (r = 0; r < RACE_ROUNDS; r++) {
		uint64_t spent = arch_counter() - start;

		if ((r >= RACE_MIN_ROUNDS && spent > RACE_BUDGET_S * arch_counter_hz()) ||
		    spent > RACE_LIMIT_S * arch_counter_hz())
			break;
		if (r % 2) {
			/* one folio at a time, tails compared byte by byte */
			for (unsigned int i = 0; i < RACE_FOLIOS; i++) {
				failed += hugetlb_vmemmap_restore_folio(race.f[i]) != 0;
				failed += hugetlb_vmemmap_optimize_folio(race.f[i]) != 0;
			}
		} else {
			/* all in one batch each way */
			failed += hugetlb_vmemmap_restore_folios(&list) != RACE_FOLIOS;
			failed += hugetlb_vmemmap_optimize_folios(&list, false) != RACE_FOLIOS;
		}
		ops += 2 * RACE_FOLIOS;
		if (r % 8 == 0) {
			smp_call_function_many(&mask, race_nop, NULL, false);
			ipis++;
		}
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&race.done, __ATOMIC_ACQUIRE) < others)
		cpu_relax();
	hugetlb_vmemmap_get_stats(&after);
	KTAP_EXPECT_EQ(t, failed, 0);
	KTAP_EXPECT_EQ(t, race.faults, 0);
	KTAP_EXPECT_EQ(t, race.wrong, 0);
	KTAP_EXPECT(t, race.reads > 0);
	KTAP_EXPECT(t, r >= RACE_MIN_ROUNDS);
	for (unsigned int i = 0; i < RACE_FOLIOS; i++) {
		KTAP_EXPECT_EQ(t, check_optimized(t, race.f[i]), 0);
		list_del(&race.f[i]->page.lru);
		hugetlb_folio_free(h, race.f[i]);
	}
	ktap_printf("    # %u reader CPU(s): %lu optimize/restore in %u rounds, %lu IPI rounds, %lu "
		    "tail reads, %lu faults, %lu wrong heads, %lu flushes, %lu rendezvous\n", others,
		    ops, r, ipis, race.reads, race.faults, race.wrong,
		    after.flushes - before.flushes, stop_machine_count() - sm0);
}

/*
 * A CPU that keeps interrupts masked and never polls its calls cannot be parked: the arm64
 * rendezvous gives up after stop_machine_timeout_ms (shortened here), the restore fails with -ETIMEDOUT and
 * nothing changed; the park call that reaches the CPU later returns at once (its rendezvous is
 * over) and the next one works.
 */
static struct {
	int go, stop, done;
} deaf;

static void deaf_cpu(void *info)
{
	__atomic_store_n(&deaf.go, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&deaf.stop, __ATOMIC_ACQUIRE))
		cpu_relax(); /* interrupts masked (a call), no polling */
	__atomic_store_n(&deaf.done, 1, __ATOMIC_RELEASE);
}

static void rendezvous_timeout_changes_nothing(struct ktap_test *t)
{
	struct hstate *h = &hstates[0];
	unsigned int cpu = smp_processor_id() == 1 ? 0 : 1;
	unsigned long sm0 = stop_machine_count();
	unsigned int timeout_ms;
	struct folio *f;
	uint64_t start;

	if (!ARCH_NEEDS_BBM) {
		ktap_skip(t, "no rendezvous on this arch (no break-before-make rule)");
		return;
	}
	if (num_online_cpus() < 2 || !cpu_online(cpu) || !boot.args.hvo) {
		ktap_skip(t, "needs a second CPU and HVO");
		return;
	}
	f = hugetlb_folio_alloc(h);
	if (!KTAP_EXPECT(t, f && hugetlb_vmemmap_optimized(f)))
		return;
	memset(&deaf, 0, sizeof(deaf));
	KTAP_EXPECT_EQ(t, smp_call_function_single(cpu, deaf_cpu, NULL, false), 0);
	while (!__atomic_load_n(&deaf.go, __ATOMIC_ACQUIRE))
		cpu_relax();
	timeout_ms = stop_machine_timeout_ms;
	stop_machine_timeout_ms = 300;
	start = arch_counter();
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_restore_folio(f), -ETIMEDOUT);
	KTAP_EXPECT(t, arch_counter() - start >= arch_counter_hz() / 1000 * stop_machine_timeout_ms);
	stop_machine_timeout_ms = timeout_ms;
	KTAP_EXPECT_EQ(t, stop_machine_count(), sm0);
	KTAP_EXPECT_EQ(t, check_optimized(t, f), 0);
	__atomic_store_n(&deaf.stop, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&deaf.done, __ATOMIC_ACQUIRE))
		cpu_relax();
	/* the late park call is dropped; the next rendezvous parks everyone */
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_restore_folio(f), 0);
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_optimize_folio(f), 0);
	KTAP_EXPECT_EQ(t, stop_machine_count(), sm0 + 2);
	KTAP_EXPECT_EQ(t, check_optimized(t, f), 0);
	hugetlb_folio_free(h, f);
}

/*
 * hugepages_1g=N: folios reserved from memblock at boot, born optimized (sparse_init() never
 * made their full vmemmap and wrote no tail one by one): per folio one private vmemmap page
 * (the head's) and its PTE tables, every other one the shared page; compound_head() of every
 * tail right.
 */
static void boot_gigantic_folios(struct ktap_test *t, struct hstate *h)
{
	unsigned long nb = hugetlb_bootmem_count(), seen = 0, priv = 0, bad = 0;
	phys_addr_t shared = hugetlb_vmemmap_shared_page(HUGETLB_ORDER_1G);
	struct pgtable_walk_result r;
	struct page *p;

	/* fewer than asked only where the machine has no more, reported as invalid input */
	KTAP_EXPECT(t, nb == boot.args.hugepages_1g ||
			       (nb < boot.args.hugepages_1g && invalid_input_count() > 0));
	KTAP_EXPECT(t, !nb || shared != 0); /* none reserved (no free GiB): no shared page made */
	list_for_each_entry(p, &h->list, lru) {
		struct folio *f = page_folio(p);

		if (!PageFlag(&f->page, PG_reserved))
			continue;
		seen++;
		KTAP_EXPECT(t, PageHead(&f->page) && folio_order(f) == HUGETLB_ORDER_1G);
		KTAP_EXPECT(t, PageFlag(&f->page, PG_hugetlb));
		KTAP_EXPECT_EQ(t, check_optimized(t, f), 0);
		/* every vmemmap page of the folio: only the head's is not the shared one */
		for (unsigned long i = 0; i < folio_nr_pages(f); i += PAGE_SIZE / sizeof(struct page))
			priv += vmemmap_backing(folio_page(f, i), &r) != shared;
		for (unsigned long i = 1; i < folio_nr_pages(f); i += 4099)
			bad += compound_head(folio_page(f, i)) != &f->page;
		bad += compound_head(folio_page(f, folio_nr_pages(f) - 1)) != &f->page;
	}
	KTAP_EXPECT_EQ(t, seen, nb);
	KTAP_EXPECT_EQ(t, priv, nb);
	KTAP_EXPECT_EQ(t, bad, 0);
	ktap_printf("    # %lu boot 1 GiB folio(s), born optimized: %lu private vmemmap page(s) "
		    "(heads), every other one the shared page; %lu wrong heads\n", nb, priv, bad);
	if (nb)
		ktap_metric("hugetlb_1g_boot_vmemmap_pages_per_folio", priv / nb, "pages");
}

static void gigantic_1g_folio(struct ktap_test *t)
{
	struct hstate *h = &hstates[1];
	struct hvo_stats before, after;
	unsigned long nb = hugetlb_bootmem_count(), nr0;
	struct page *p;
	uint64_t insn0;

	if (!boot.args.hugepages_1g) {
		ktap_skip(t, "hugepages_1g=0");
		return;
	}
	if (boot.args.hvo)
		boot_gigantic_folios(t, h);
	/* one more at run time, from the contiguous-range allocator, optimized as it is added */
	hugetlb_vmemmap_get_stats(&before);
	nr0 = h->nr;
	insn0 = arch_insn_count();
	if (hugetlb_pool_grow(h, 1) != 1) {
		ktap_printf("    # no free aligned GiB left for a run-time 1 GiB folio (%lu at boot)\n",
			    nb);
		return;
	}
	insn0 = arch_insn_count() - insn0;
	hugetlb_vmemmap_get_stats(&after);
	if (!boot.args.hvo)
		return;
	KTAP_EXPECT_EQ(t, after.pages_freed - before.pages_freed, (h->nr - nr0) * 4095);
	list_for_each_entry(p, &h->list, lru)
		KTAP_EXPECT_EQ(t, check_optimized(t, page_folio(p)), 0);
	ktap_printf("    # %lu x 1 GiB: vmemmap 4096 -> 1 page each, %lu PMD split(s), %lu flushes\n",
		    h->nr - nr0, after.pmd_splits - before.pmd_splits, after.flushes - before.flushes);
	ktap_metric("hvo_1g_vmemmap_bytes_saved_per_folio",
		    (after.pages_freed - before.pages_freed) / (h->nr - nr0) * PAGE_SIZE, "bytes");
	ktap_metric("hvo_1g_grow_insns_per_folio", insn0 / (h->nr - nr0), "insns");
}

static void self_hosted_vmemmap_is_refused(struct ktap_test *t)
{
	struct pmem_scratch scratch, *p = &scratch;
	char why[160];
	struct dev_pagemap pg;
	unsigned long pfn0, memmap;
	struct hvo_stats st;
	void *va;

	/* Its struct pages take a 2 MiB-aligned altmap: 4 MiB leaves at least one folio beside. */
	if (pmem_scratch_get(SZ_4M, &scratch, why, sizeof(why))) {
		ktap_skip(t, "%s", why);
		return;
	}
	/* a compound device folio whose struct pages live in the device itself (altmap) */
	memset(&pg, 0, sizeof(pg));
	pg.type = MEMORY_DEVICE_GENERIC;
	pg.nr_range = 1;
	pg.ranges[0] = (struct range){ p->base, p->base + p->size - 1 };
	pg.vmemmap_shift = HUGETLB_ORDER_2M;
	pg.flags = PGMAP_ALTMAP_VALID;
	pfn0 = PHYS_PFN(p->base);
	memmap = PHYS_PFN(p->size) * sizeof(struct page) / PAGE_SIZE;
	pg.altmap.base_pfn = pfn0;
	*(unsigned long *)&pg.altmap.end_pfn = pfn0 + PHYS_PFN(p->size);
	pg.altmap.free = ALIGN_UP(memmap, 512);
	va = memremap_pages(&pg);
	if (!KTAP_EXPECT(t, !IS_ERR(va)))
		return;
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_optimize_folio(page_folio(pfn_to_page(
				  pgmap_pfn_first(&pg, 0)))),
		       -EOPNOTSUPP);
	hugetlb_vmemmap_get_stats(&st);
	KTAP_EXPECT(t, st.refused_self_hosted > 0);
	KTAP_EXPECT_EQ(t, memunmap_pages(&pg), 0);
	/* the same device folios with their struct pages in RAM: not RAM folios, refused too */
	pg.flags = 0;
	memset(&pg.altmap, 0, sizeof(pg.altmap));
	va = memremap_pages(&pg);
	if (!KTAP_EXPECT(t, !IS_ERR(va)))
		return;
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_optimize_folio(page_folio(pfn_to_page(pfn0 + 512))),
		       -EINVAL);
	KTAP_EXPECT_EQ(t, memunmap_pages(&pg), 0);
}

#define BOOT_FOLIOS_MAX 16 /* as hugetlb_bootmem_reserve() keeps */
#define VMEMMAP_PAGES_1G ((1UL << HUGETLB_ORDER_1G) * sizeof(struct page) / PAGE_SIZE)

static phys_addr_t boot_vmemmap_pa[VMEMMAP_PAGES_1G];

/* Shell sort of @n physical addresses; Return: whether two are the same. */
static bool has_duplicates(phys_addr_t *a, unsigned long n)
{
	for (unsigned long gap = n / 2; gap; gap /= 2)
		for (unsigned long i = gap; i < n; i++)
			for (unsigned long j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
				phys_addr_t x = a[j];

				a[j] = a[j - gap];
				a[j - gap] = x;
			}
	for (unsigned long i = 1; i < n; i++)
		if (a[i] == a[i - 1])
			return true;
	return false;
}

/*
 * The GiB at @pfn0 went back to the buddy: the struct pages of all its 2^18 pfns are free RAM
 * pages (the first the head of one free block of MAX_PAGE_ORDER, every other a plain page:
 * zone bits only, its own head, no reference, no mapping) and the vmemmap pages holding them
 * are real: 4096 writable leaves on distinct pages, none the shared tail page, each written
 * (with the value it holds). Return: problems found.
 */
static unsigned long check_gigabyte_freed(unsigned long pfn0)
{
	phys_addr_t shared = hugetlb_vmemmap_shared_page(HUGETLB_ORDER_1G);
	const struct page *head = pfn_to_page(pfn0);
	unsigned long bad = 0, zone = head->flags & PAGE_ZONE_MASK;
	struct pgtable_walk_result r;
	uint64_t v;

	bad += !PageFlag(head, PG_buddy) || head->private != MAX_PAGE_ORDER ||
	       page_zonenum(head) != ZONE_NORMAL || PageFlag(head, PG_reserved) ||
	       PageFlag(head, PG_hugetlb) || PageFlag(head, PG_vmemmap_optimized) ||
	       PageCompound(head) || page_ref_count(head) != 0;
	for (unsigned long i = 1; i < (1UL << HUGETLB_ORDER_1G); i++) {
		const struct page *p = head + i;

		bad += p->flags != zone || compound_head(p) != p || page_ref_count(p) != 0 ||
		       page_mapcount(p) != 0 || p->mapping || p->private;
	}
	for (unsigned long i = 0; i < VMEMMAP_PAGES_1G; i++) {
		struct page *p = (struct page *)head + i * (PAGE_SIZE / sizeof(struct page));

		boot_vmemmap_pa[i] = vmemmap_backing(p, &r);
		bad += !boot_vmemmap_pa[i] || boot_vmemmap_pa[i] == shared ||
		       !(pgprot_val(r.prot) & PGPROT_WRITE);
		bad += probe_read(&p->_pad, &v) || probe_write(&p->_pad, v);
	}
	bad += has_duplicates(boot_vmemmap_pa, VMEMMAP_PAGES_1G);
	return bad;
}

/*
 * hugepages_1g=N: shrinking the 1 GiB pool gives the boot folios to the buddy as well (Linux
 * frees bootmem gigantic folios like any other): the vmemmap of a born-optimized one is
 * restored first (4095 pages from the buddy), then its GiB joins the free lists as one block of
 * MAX_PAGE_ORDER; a plain one (hvo=off) is dissolved and freed. Every page of each GiB is then
 * counted free, and its struct pages are real, writable, private vmemmap. The run-time folios
 * follow.
 */
static void boot_gigantic_folios_go_back_to_the_buddy(struct ktap_test *t)
{
	struct hstate *h = &hstates[1];
	unsigned long nb = hugetlb_bootmem_count(), pfn[BOOT_FOLIOS_MAX], nopt = 0, n = 0, bad = 0;
	unsigned long free0 = nr_free_pages(), total0 = totalram_pages(), blocks0, freed;
	struct hvo_stats before, after;
	struct page *p;
	uint64_t insn;

	if (!nb) {
		ktap_skip(t, boot.args.hugepages_1g ? "no boot 1 GiB folio reserved" :
			  "hugepages_1g=0");
		return;
	}
	/* the boot folios lead the pool (hugetlb_init() put them first): a shrink takes them */
	list_for_each_entry(p, &h->list, lru) {
		if (n == nb)
			break;
		KTAP_EXPECT(t, PageFlag(p, PG_reserved) && PageFlag(p, PG_hugetlb));
		nopt += hugetlb_vmemmap_optimized(page_folio(p));
		pfn[n++] = page_to_pfn(p);
	}
	KTAP_EXPECT_EQ(t, n, nb);
	KTAP_EXPECT_EQ(t, nopt, boot.args.hvo ? nb : 0);
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_shared_users(HUGETLB_ORDER_1G), h->optimized);
	blocks0 = nr_free_blocks(MAX_PAGE_ORDER);
	hugetlb_vmemmap_get_stats(&before);
	insn = arch_insn_count();
	freed = hugetlb_pool_shrink(h, n);
	insn = arch_insn_count() - insn;
	hugetlb_vmemmap_get_stats(&after);
	KTAP_EXPECT_EQ(t, freed, n);
	KTAP_EXPECT_EQ(t, hugetlb_bootmem_count(), 0);
	/* every page of each GiB is free now, less the vmemmap pages the restores took */
	KTAP_EXPECT_EQ(t, after.pages_allocated - before.pages_allocated,
		       nopt * (VMEMMAP_PAGES_1G - 1));
	KTAP_EXPECT_EQ(t, nr_free_pages() - free0,
		       freed * (1UL << HUGETLB_ORDER_1G) - nopt * (VMEMMAP_PAGES_1G - 1));
	KTAP_EXPECT_EQ(t, totalram_pages() - total0, freed * (1UL << HUGETLB_ORDER_1G));
	KTAP_EXPECT_EQ(t, nr_free_blocks(MAX_PAGE_ORDER) - blocks0, freed);
	KTAP_EXPECT_EQ(t, hugetlb_vmemmap_shared_users(HUGETLB_ORDER_1G), h->optimized);
	hs.boot_pages = (long)(nr_free_pages() - free0);
	for (unsigned long i = 0; i < n; i++)
		bad += check_gigabyte_freed(pfn[i]);
	KTAP_EXPECT_EQ(t, bad, 0);
	ktap_printf("    # %lu boot 1 GiB folio(s) (%lu optimized) given to the buddy: +%lu free "
		    "pages, %lu vmemmap pages restored; struct pages free and vmemmap private: %lu "
		    "problems\n", freed, nopt, nr_free_pages() - free0,
		    after.pages_allocated - before.pages_allocated, bad);
	if (freed)
		ktap_metric("hugetlb_1g_boot_free_insns_per_folio", insn / freed, "insns");
	/* none of them is in the pool any more */
	list_for_each_entry(p, &h->list, lru)
		for (unsigned long i = 0; i < freed; i++)
			KTAP_EXPECT(t, page_to_pfn(p) != pfn[i]);
}

static void shrinking_gives_every_page_back(struct ktap_test *t)
{
	struct vmemmap_tail_stats ts;
	unsigned long tables;
	struct hvo_stats st;

	hugetlb_pool_shrink(&hstates[0], hstates[0].nr);
	hugetlb_pool_shrink(&hstates[1], hstates[1].nr);
	/* boot-time folios too: they went to the buddy (boot_gigantic_folios_go_back_...) */
	KTAP_EXPECT_EQ(t, hstates[0].nr + hstates[1].nr, 0);
	KTAP_EXPECT_EQ(t, hugetlb_bootmem_count(), 0);
	hugetlb_vmemmap_get_stats(&st);
	KTAP_EXPECT_EQ(t, st.optimized, 0);
	/* what stays: the PTE tables of split vmemmap PMDs and the shared tail pages */
	tables = kernel_pgtable.nr_table_pages - hs.tables0;
	/* shared pages from the boot pool never were the page allocator's */
	vmemmap_tail_get_stats(&ts);
	KTAP_EXPECT_EQ(t, nr_free_pages() + tables + st.shared_pages - ts.pool_used,
		       hs.free0 + hs.boot_pages);
	ktap_printf("    # after shrinking: %lu split vmemmap table page(s), %lu shared tail "
		    "page(s) kept\n", tables, st.shared_pages);
}

static const struct ktap_case hugetlb_cases[] = {
	KTAP_CASE(pool_of_2m_folios_is_optimized),
	KTAP_CASE(write_to_optimized_tail_is_caught),
	KTAP_CASE(restore_then_optimize_again),
	KTAP_CASE(readers_on_other_cpus_never_fault),
	KTAP_CASE(rendezvous_timeout_changes_nothing),
	KTAP_CASE(gigantic_1g_folio),
	KTAP_CASE(self_hosted_vmemmap_is_refused),
	KTAP_CASE(boot_gigantic_folios_go_back_to_the_buddy),
	KTAP_CASE(shrinking_gives_every_page_back),
};

const struct ktap_suite hugetlb_suite = {
	.name = "hugetlb",
	.cases = hugetlb_cases,
	.nr_cases = ARRAY_SIZE(hugetlb_cases),
	.init = init,
};
