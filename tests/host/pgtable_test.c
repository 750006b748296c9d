// SPDX-License-Identifier: BSD-2-Clause
// mm/pgtable.c over the real entry formats (built once with the riscv64 and once with the arm64
// <arch/pgtable.h>): encodings bit by bit against the specs, then map/unmap/split/merge/protect
// checked against a reference model, table-page accounting, TLB flushes and break-before-make.
#include <stdlib.h>

#include <platform/errno.h>
#include <arch/tlbflush.h>
#include <mm/pgtable.h>

#include "physmem.h"
#include "tap.h"

#define SZ_512G (512 * SZ_1G)

static const struct pgtable_cfg cfgs[] = {
#ifdef TEST_ARCH_RISCV64
	{ 3, false }, { 3, true }, { 4, false }, { 4, true }, { 5, false }, { 5, true },
#else
	{ 4, false },
#endif
};

static struct pgtable pt;
static const struct pgtable_cfg *cfg;

static void setup(const struct pgtable_cfg *c)
{
	cfg = c;
	physmem_init();
	pgtable_set_page_ops(&physmem_page_ops);
	fake_tlb_reset();
	tlb_flush_count = 0;
	CHECK_EQ(pgtable_init(&pt, c, 0), 0);
	CHECK_EQ(pt.nr_table_pages, 1);
}

static void teardown(void)
{
	pgtable_destroy(&pt);
	CHECK_EQ(pt.nr_table_pages, 0);
	CHECK_EQ(physmem_outstanding(), 0);
}

#define FOR_EACH_CFG(c)                                                                        \
	for (const struct pgtable_cfg *c = cfgs; c < cfgs + ARRAY_SIZE(cfgs); c++)           \
		for (int _once = (setup(c), printf("# cfg levels=%d svpbmt=%d\n", c->levels,    \
							  c->svpbmt),                         \
				  1);                                                        \
		     _once; _once = 0, teardown())

static uintptr_t half_start(void)
{
	return (uintptr_t)0 - (1ULL << (arch_va_bits(cfg) - 1));
}

static pgprot_t canon(pgprot_t p)
{
	return arch_pgprot_canonical(cfg, p);
}

/* ---- encodings ---------------------------------------------------------------------------- */

#ifdef TEST_ARCH_RISCV64
static const struct pgtable_cfg sv39 = { 3, false }, sv48 = { 4, false }, sv57 = { 5, false };
static const struct pgtable_cfg sv48_pbmt = { 4, true };

/* Sv39/48/57 PTE: V0 R1 W2 X3 U4 G5 A6 D7 RSW9:8 PPN53:10 PBMT62:61 N63. */
static void riscv_leaf_bits_match_spec(void)
{
	/* V R W G A D = 0x1 0x2 0x4 0x20 0x40 0x80; PPN 0x80200 << 10 */
	CHECK_EQ(arch_mk_leaf(&sv48, 0x80200000, PAGE_KERNEL, 0), 0x00000000200800e7ULL);
	/* V R G A D, 2 MiB */
	CHECK_EQ(arch_mk_leaf(&sv48, 0x80200000, PAGE_KERNEL_RO, 1), 0x00000000200800e3ULL);
	/* V R X G A D, 1 GiB */
	CHECK_EQ(arch_mk_leaf(&sv39, 0x80000000, PAGE_KERNEL_EXEC, 2), 0x00000000200000ebULL);
	/* user, not global: V R W U A D */
	CHECK_EQ(arch_mk_leaf(&sv48, 0x1234000,
			      __pgprot(PGPROT_READ | PGPROT_WRITE | PGPROT_USER | PGPROT_ACCESSED |
				       PGPROT_DIRTY),
			      0),
		 0x000000000048d0d7ULL);
	/* execute-only is legal on RISC-V: V X G A */
	CHECK_EQ(arch_mk_leaf(&sv48, 0x1000,
			      __pgprot(PGPROT_EXEC | PGPROT_GLOBAL | PGPROT_ACCESSED), 0),
		 0x0000000000000469ULL);
	/* every PPN bit (53:10) for the highest 56-bit page */
	CHECK_EQ(arch_mk_leaf(&sv48, (1ULL << 56) - 0x1000, PAGE_KERNEL, 0), 0x003ffffffffffce7ULL);
	/* no R, W or X, W without R: not encodable */
	CHECK_EQ(arch_mk_leaf(&sv48, 0x1000, __pgprot(PGPROT_GLOBAL), 0), 0);
	CHECK_EQ(arch_mk_leaf(&sv48, 0x1000, __pgprot(PGPROT_WRITE), 0), 0);
	CHECK(!arch_pgprot_supported(&sv48, __pgprot(PGPROT_WRITE | PGPROT_EXEC)));
	/* PA beyond 56 bits, misaligned superpages */
	CHECK_EQ(arch_mk_leaf(&sv48, 1ULL << 56, PAGE_KERNEL, 0), 0);
	CHECK_EQ(arch_mk_leaf(&sv48, 0x80201000, PAGE_KERNEL, 1), 0);
	CHECK_EQ(arch_mk_leaf(&sv48, 0x80200000, PAGE_KERNEL, 2), 0);
}

static void riscv_superpages_at_every_level(void)
{
	/* Sv48 root leaf: 512 GiB at 2^39, PPN 2^27 << 10 */
	CHECK_EQ(arch_mk_leaf(&sv48, 1ULL << 39, PAGE_KERNEL, 3), 0x00000020000000e7ULL);
	/* Sv57 root leaf: 256 TiB at 2^48 */
	CHECK_EQ(arch_mk_leaf(&sv57, 1ULL << 48, PAGE_KERNEL, 4), 0x00004000000000e7ULL);
	/* no level above the root */
	CHECK_EQ(arch_mk_leaf(&sv39, 1ULL << 39, PAGE_KERNEL, 3), 0);
	CHECK_EQ(arch_mk_leaf(&sv48, 1ULL << 48, PAGE_KERNEL, 4), 0);
	for (int l = 0; l < 3; l++)
		CHECK(arch_level_may_be_leaf(&sv39, l));
	CHECK(arch_level_may_be_leaf(&sv57, 4));
	CHECK(!arch_level_may_be_leaf(&sv39, 3));
}

static void riscv_table_entry_is_v_and_ppn_only(void)
{
	pteval_t t = arch_mk_table(&sv48, 0x80001000);

	CHECK_EQ(t, 0x0000000020000401ULL);
	CHECK(arch_pte_present(t));
	for (int l = 0; l < 5; l++)
		CHECK(!arch_pte_is_leaf(t, l));
	CHECK_EQ(arch_pte_addr(t, 2), 0x80001000);
	CHECK(!arch_pte_present(0xfffffffffffffffeULL)); /* V=0: all else ignored */
}

static void riscv_pbmt_only_with_svpbmt(void)
{
	/* IO = 2 in 62:61, NC = 1; WT has no Svpbmt type and becomes NC */
	CHECK_EQ(arch_mk_leaf(&sv48_pbmt, 0x10000000, PAGE_KERNEL_IO, 0), 0x40000000040000e7ULL);
	CHECK_EQ(arch_mk_leaf(&sv48_pbmt, 0x10000000, PAGE_KERNEL_NC, 0), 0x20000000040000e7ULL);
	CHECK_EQ(arch_mk_leaf(&sv48_pbmt, 0x10000000, PAGE_KERNEL_WT, 0), 0x20000000040000e7ULL);
	CHECK_EQ(arch_mk_leaf(&sv48_pbmt, 0x10000000, PAGE_KERNEL, 0), 0x00000000040000e7ULL);
	CHECK_EQ(pgprot_val(arch_pgprot_canonical(&sv48_pbmt, PAGE_KERNEL_WT)),
		 pgprot_val(PAGE_KERNEL_NC));
	/* without Svpbmt: NC and WT refused, never silently WB */
	CHECK(!arch_pgprot_supported(&sv48, PAGE_KERNEL_NC));
	CHECK(!arch_pgprot_supported(&sv48, PAGE_KERNEL_WT));
	CHECK_EQ(arch_mk_leaf(&sv48, 0x10000000, PAGE_KERNEL_NC, 0), 0);
	/* device without Svpbmt: PBMT 0, the platform's PMA of the MMIO range decides */
	CHECK(arch_pgprot_supported(&sv48, PAGE_KERNEL_IO));
	CHECK_EQ(arch_mk_leaf(&sv48, 0x10000000, PAGE_KERNEL_IO, 0), 0x00000000040000e7ULL);
	CHECK_EQ(pgprot_val(arch_pgprot_canonical(&sv48, PAGE_KERNEL_IO)),
		 pgprot_val(PAGE_KERNEL));
	/* N (bit 63) is never set */
	CHECK_EQ(arch_mk_leaf(&sv48_pbmt, 0x10000000, PAGE_KERNEL_IO, 0) & _PAGE_NAPOT, 0);
}

static void riscv_decode_inverts_encode(void)
{
	static const pgprot_t prots[] = { PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_EXEC,
					  PAGE_KERNEL_IO, PAGE_KERNEL_NC, PAGE_KERNEL_WT,
					  __pgprot(PGPROT_READ | PGPROT_USER) };

	for (size_t i = 0; i < ARRAY_SIZE(prots); i++)
		for (int l = 0; l < 4; l++) {
			pteval_t v = arch_mk_leaf(&sv48_pbmt, 1ULL << 40, prots[i], l);

			CHECK(arch_pte_is_leaf(v, l));
			CHECK_EQ(arch_pte_addr(v, l), 1ULL << 40);
			CHECK_EQ(pgprot_val(arch_pte_pgprot(&sv48_pbmt, v)),
				 pgprot_val(arch_pgprot_canonical(&sv48_pbmt, prots[i])));
		}
}

static void riscv_canonical_addresses(void)
{
	CHECK_EQ(arch_va_bits(&sv39), 39);
	CHECK_EQ(arch_va_bits(&sv48), 48);
	CHECK_EQ(arch_va_bits(&sv57), 57);
	CHECK(arch_va_canonical(&sv39, 0x0000003fffffffffULL));
	CHECK(!arch_va_canonical(&sv39, 0x0000004000000000ULL));
	CHECK(arch_va_canonical(&sv39, 0xffffffc000000000ULL));
	CHECK(!arch_va_canonical(&sv39, 0xffffffbfffffffffULL));
	CHECK(!arch_va_canonical(&sv48, 0x0000800000000000ULL));
	CHECK(arch_va_canonical(&sv48, 0xffff800000000000ULL));
	CHECK(arch_va_canonical(&sv57, 0x00ff000000000000ULL));
	CHECK(!arch_va_canonical(&sv57, 0x0100000000000000ULL));
	CHECK(arch_va_canonical(&sv57, 0xff00000000000000ULL));
	CHECK(!ARCH_NEEDS_BBM);
}
#else
static const struct pgtable_cfg a64 = { 4, false };

/*
 * VMSAv8-64 4K: bits 1:0 (0b11 page/table, 0b01 block), AttrIndx 4:2, AP 7:6, SH 9:8, AF 10,
 * nG 11, OA 47:12, PXN 53, UXN 54, SW 55 (our dirty).
 */
static void arm64_leaf_bits_match_arm_arm(void)
{
	/* page, AttrIndx 0, AP 00, SH 11, AF, PXN UXN, SW dirty */
	CHECK_EQ(arch_mk_leaf(&a64, 0x40200000, PAGE_KERNEL, 0), 0x00e0000040200703ULL);
	/* 2 MiB block, RO (AP[2]), kernel exec (UXN only) */
	CHECK_EQ(arch_mk_leaf(&a64, 0x40200000, PAGE_KERNEL_EXEC, 1), 0x00c0000040200781ULL);
	/* 1 GiB block, RO, no exec */
	CHECK_EQ(arch_mk_leaf(&a64, 0x40000000, PAGE_KERNEL_RO, 2), 0x00e0000040000781ULL);
	/* Device-nGnRE (AttrIndx 3), SH 00, 2 MiB block */
	CHECK_EQ(arch_mk_leaf(&a64, 0x09000000, PAGE_KERNEL_IO, 1), 0x00e000000900040dULL);
	/* Normal-NC (2) and Normal-WT (1), inner shareable */
	CHECK_EQ(arch_mk_leaf(&a64, 0x10000000, PAGE_KERNEL_NC, 0), 0x00e000001000070bULL);
	CHECK_EQ(arch_mk_leaf(&a64, 0x10000000, PAGE_KERNEL_WT, 0), 0x00e0000010000707ULL);
	/* user RW, not global: AP[1], nG */
	CHECK_EQ(arch_mk_leaf(&a64, 0x1234000,
			      __pgprot(PGPROT_READ | PGPROT_WRITE | PGPROT_USER | PGPROT_ACCESSED |
				       PGPROT_DIRTY),
			      0),
		 0x00e0000001234f43ULL);
	/* user RX: AP 11, nG, PXN only */
	CHECK_EQ(arch_mk_leaf(&a64, 0x1234000,
			      __pgprot(PGPROT_READ | PGPROT_EXEC | PGPROT_USER | PGPROT_ACCESSED),
			      0),
		 0x0020000001234fc3ULL);
	/* OA bits 47:12 all set; beyond 48 bits refused */
	CHECK_EQ(arch_mk_leaf(&a64, (1ULL << 48) - 0x1000, PAGE_KERNEL_RO, 0),
		 0x00e0fffffffff783ULL);
	CHECK_EQ(arch_mk_leaf(&a64, 1ULL << 48, PAGE_KERNEL, 0), 0);
	/* misaligned blocks */
	CHECK_EQ(arch_mk_leaf(&a64, 0x40201000, PAGE_KERNEL, 1), 0);
	CHECK_EQ(arch_mk_leaf(&a64, 0x40200000, PAGE_KERNEL, 2), 0);
	/* unreadable is not expressible with AP */
	CHECK(!arch_pgprot_supported(&a64, __pgprot(PGPROT_EXEC | PGPROT_GLOBAL)));
	CHECK(arch_pgprot_supported(&a64, PAGE_KERNEL_WT));
}

static void arm64_no_block_at_level0(void)
{
	CHECK_EQ(arch_mk_leaf(&a64, 1ULL << 39, PAGE_KERNEL, 3), 0);
	CHECK(!arch_level_may_be_leaf(&a64, 3));
	CHECK(arch_level_may_be_leaf(&a64, 2) && arch_level_may_be_leaf(&a64, 1));
	/* 0b01 at Arm L3 is reserved: not a leaf; 0b11 at L1/L2 is a table */
	CHECK(!arch_pte_is_leaf(0x40200001ULL, 0));
	CHECK(!arch_pte_is_leaf(0x40200003ULL, 1));
	CHECK(arch_pte_is_leaf(0x40200001ULL, 1));
	CHECK(!arch_pte_is_leaf(0x40200001ULL, 3));
}

static void arm64_table_descriptor(void)
{
	pteval_t t = arch_mk_table(&a64, 0x40001000);

	CHECK_EQ(t, 0x0000000040001003ULL);
	CHECK(arch_pte_present(t));
	for (int l = 1; l < 4; l++)
		CHECK(!arch_pte_is_leaf(t, l));
	CHECK_EQ(arch_pte_addr(t, 2), 0x40001000);
	CHECK_EQ(MAIR_EL1_VALUE, 0x0444bbffULL);
}

static void arm64_decode_inverts_encode(void)
{
	static const pgprot_t prots[] = { PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_EXEC,
					  PAGE_KERNEL_IO, PAGE_KERNEL_NC, PAGE_KERNEL_WT,
					  __pgprot(PGPROT_READ | PGPROT_USER | PGPROT_EXEC) };

	for (size_t i = 0; i < ARRAY_SIZE(prots); i++)
		for (int l = 0; l < 3; l++) {
			pteval_t v = arch_mk_leaf(&a64, 1ULL << 40, prots[i], l);

			CHECK(arch_pte_is_leaf(v, l));
			CHECK_EQ(arch_pte_addr(v, l), 1ULL << 40);
			CHECK_EQ(pgprot_val(arch_pte_pgprot(&a64, v)),
				 pgprot_val(arch_pgprot_canonical(&a64, prots[i])));
		}
}

static void arm64_canonical_addresses(void)
{
	CHECK_EQ(arch_va_bits(&a64), 48);
	CHECK(arch_va_canonical(&a64, 0x00007fffffffffffULL));
	CHECK(!arch_va_canonical(&a64, 0x0000800000000000ULL));
	CHECK(arch_va_canonical(&a64, 0xffff800000000000ULL));
	CHECK(!arch_va_canonical(&a64, 0xfff0000000000000ULL));
	CHECK(ARCH_NEEDS_BBM);
}
#endif

/* ---- reference model: sorted, disjoint extents ------------------------------------------- */

struct ext {
	uint64_t va, pa, size;
	uint32_t prot;
};

#define MODEL_MAX 8192
static struct ext model[MODEL_MAX], scratch[MODEL_MAX], got[MODEL_MAX];
static int nmodel, ngot;

static void push_ext(struct ext *list, int *n, struct ext e)
{
	if (!e.size)
		return;
	if (*n) {
		struct ext *p = &list[*n - 1];

		if (p->va + p->size == e.va && p->pa + p->size == e.pa && p->prot == e.prot) {
			p->size += e.size;
			return;
		}
	}
	if (*n == MODEL_MAX) {
		printf("Bail out! model full\n");
		exit(1);
	}
	list[(*n)++] = e;
}

/* Replace [va, va + size) by a mapping (map) or a hole; or only change prot where mapped. */
enum model_op { M_MAP, M_UNMAP, M_PROTECT };

static void model_apply(enum model_op op, uint64_t va, uint64_t size, uint64_t pa, uint32_t prot)
{
	uint64_t end = va + size;
	int n = 0;
	bool placed = false;

	for (int i = 0; i < nmodel; i++) {
		struct ext e = model[i];
		uint64_t ee = e.va + e.size;

		if (op == M_MAP && !placed && e.va >= va) {
			push_ext(scratch, &n, (struct ext){ va, pa, size, prot });
			placed = true;
		}
		if (ee <= va || e.va >= end) {
			push_ext(scratch, &n, e);
			continue;
		}
		if (e.va < va)
			push_ext(scratch, &n, (struct ext){ e.va, e.pa, va - e.va, e.prot });
		if (op == M_MAP && !placed) {
			push_ext(scratch, &n, (struct ext){ va, pa, size, prot });
			placed = true;
		}
		if (op == M_PROTECT) {
			uint64_t s = MAX(e.va, va), t = MIN(ee, end);

			push_ext(scratch, &n, (struct ext){ s, e.pa + (s - e.va), t - s, prot });
		}
		if (ee > end)
			push_ext(scratch, &n,
				 (struct ext){ end, e.pa + (end - e.va), ee - end, e.prot });
	}
	if (op == M_MAP && !placed)
		push_ext(scratch, &n, (struct ext){ va, pa, size, prot });
	memcpy(model, scratch, n * sizeof(model[0]));
	nmodel = n;
}

static bool model_overlaps(uint64_t va, uint64_t size)
{
	for (int i = 0; i < nmodel; i++)
		if (model[i].va < va + size && va < model[i].va + model[i].size)
			return true;
	return false;
}

static const struct ext *model_find(uint64_t va)
{
	for (int i = 0; i < nmodel; i++)
		if (va >= model[i].va && va < model[i].va + model[i].size)
			return &model[i];
	return NULL;
}

struct collect {
	uint64_t lo, hi;
};

static int collect_leaf(void *arg, uintptr_t va, int level, pteval_t e)
{
	struct collect *c = arg;
	uint64_t size = pgtable_level_size(level);
	uint64_t s = MAX(va, c->lo), t = MIN(va + size, c->hi);
	uint64_t pa = arch_pte_addr(e, level) + (s - va);

	push_ext(got, &ngot, (struct ext){ s, pa, t - s, pgprot_val(arch_pte_pgprot(cfg, e)) });
	return 0;
}

/* The tree over [lo, hi) equals the model there. */
static bool check_against_model(uint64_t lo, uint64_t hi)
{
	struct collect c = { lo, hi };
	int n = 0;
	bool ok;

	ngot = 0;
	CHECK_EQ(pgtable_walk_leaves(&pt, lo, hi - lo, collect_leaf, &c), 0);
	for (int i = 0; i < nmodel; i++) {
		struct ext e = model[i];
		uint64_t s = MAX(e.va, lo), t = MIN(e.va + e.size, hi);

		if (s < t)
			push_ext(scratch, &n, (struct ext){ s, e.pa + (s - e.va), t - s, e.prot });
	}
	ok = n == ngot;
	for (int i = 0; ok && i < n; i++)
		ok = scratch[i].va == got[i].va && scratch[i].pa == got[i].pa &&
		     scratch[i].size == got[i].size && scratch[i].prot == got[i].prot;
	if (!ok) {
		printf("# model mismatch in [0x%llx, 0x%llx): model %d extents, tree %d\n",
		       (unsigned long long)lo, (unsigned long long)hi, n, ngot);
		for (int i = 0; i < n || i < ngot; i++) {
			if (i < n)
				printf("#  model %llx+%llx -> %llx p%x\n",
				       (unsigned long long)scratch[i].va,
				       (unsigned long long)scratch[i].size,
				       (unsigned long long)scratch[i].pa, scratch[i].prot);
			if (i < ngot)
				printf("#  tree  %llx+%llx -> %llx p%x\n",
				       (unsigned long long)got[i].va,
				       (unsigned long long)got[i].size,
				       (unsigned long long)got[i].pa, got[i].prot);
			if (i > 8)
				break;
		}
	}
	CHECK(ok);
	return ok;
}

/* Table pages reachable from the root; every one but the root holds an entry. */
static unsigned long count_tables(phys_addr_t table, int level, bool root, bool *empty_found)
{
	const pteval_t *t = __va(table);
	unsigned long n = 1;
	bool any = false;

	for (int i = 0; i < 512; i++) {
		any |= t[i] != 0;
		if (pgtable_entry_is_table(t[i], level))
			n += count_tables(arch_pte_addr(t[i], level), level - 1, false,
					  empty_found);
	}
	if (!any && !root)
		*empty_found = true;
	return n;
}

static void check_tables(void)
{
	bool empty = false;

	CHECK_EQ(count_tables(pt.root, pgtable_root_level(&pt), true, &empty), pt.nr_table_pages);
	CHECK(!empty);
	CHECK_EQ(physmem_outstanding(), pt.nr_table_pages);
}

/* ---- deterministic cases ------------------------------------------------------------------ */

struct level_count {
	unsigned long n[PGTABLE_MAX_LEVELS];
};

static int count_leaf(void *arg, uintptr_t va, int level, pteval_t e)
{
	(void)va;
	(void)e;
	((struct level_count *)arg)->n[level]++;
	return 0;
}

static struct level_count leaves(uintptr_t va, uint64_t size)
{
	struct level_count c = { 0 };

	CHECK_EQ(pgtable_walk_leaves(&pt, va, size, count_leaf, &c), 0);
	return c;
}

static void map_uses_largest_leaves(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + SZ_1G - 3 * SZ_4K;
		phys_addr_t pa = 0x80000000ULL + SZ_1G - 3 * SZ_4K;
		uint64_t size = 3 * SZ_4K + SZ_1G + SZ_2M + SZ_4K;
		struct level_count n;

		CHECK_EQ(pgtable_map(&pt, va, pa, size, PAGE_KERNEL, 0), 0);
		n = leaves(va, size);
		CHECK_EQ(n.n[0], 4);
		CHECK_EQ(n.n[1], 1);
		CHECK_EQ(n.n[2], 1);
		nmodel = 0;
		model_apply(M_MAP, va, size, pa, pgprot_val(canon(PAGE_KERNEL)));
		check_against_model(half_start(), va + 3 * SZ_1G);
		/* pa not congruent with va: 4 KiB leaves only */
		CHECK_EQ(pgtable_map(&pt, va + 2 * SZ_1G, pa + SZ_4K, 4 * SZ_2M, PAGE_KERNEL, 0),
			 0);
		n = leaves(va + 2 * SZ_1G, 4 * SZ_2M);
		CHECK_EQ(n.n[0], 4 * 512);
		CHECK_EQ(n.n[1] + n.n[2], 0);
		check_tables();
	}
}

static void map_flags_cap_leaf_size(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 4 * SZ_1G;
		struct level_count n;

		CHECK_EQ(pgtable_map(&pt, va, 0x100000000ULL, SZ_1G, PAGE_KERNEL,
				     PGTABLE_MAP_MAX_LEAF(PGTABLE_LEVEL_PMD)),
			 0);
		n = leaves(va, SZ_1G);
		CHECK_EQ(n.n[1], 512);
		CHECK_EQ(n.n[2], 0);
		CHECK_EQ(pgtable_map(&pt, va + SZ_1G, 0x100000000ULL, 4 * SZ_2M, PAGE_KERNEL,
				     PGTABLE_MAP_NO_BLOCKS),
			 0);
		n = leaves(va + SZ_1G, 4 * SZ_2M);
		CHECK_EQ(n.n[0], 4 * 512);
		CHECK_EQ(n.n[1], 0);
	}
}

static void map_root_level_leaves_where_allowed(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start();
		struct pgtable_walk_result r;
		struct level_count n;

		if (arch_va_bits(cfg) - 1 < 40) {
			/* Sv39: the root holds 1 GiB leaves */
			CHECK_EQ(pgtable_map(&pt, va, 0, 4 * SZ_1G, PAGE_KERNEL, 0), 0);
			CHECK_EQ(leaves(va, 4 * SZ_1G).n[2], 4);
			CHECK_EQ(pt.nr_table_pages, 1);
			continue;
		}
		CHECK_EQ(pgtable_map(&pt, va, SZ_512G, SZ_512G, PAGE_KERNEL, 0), 0);
		n = leaves(va, SZ_512G);
		if (arch_level_may_be_leaf(cfg, 3)) {
			CHECK_EQ(n.n[3], 1); /* riscv: a 512 GiB leaf */
		} else {
			CHECK_EQ(n.n[2], 512); /* arm64: no block at L0 */
			CHECK_EQ(n.n[3], 0);
		}
		CHECK_EQ(pgtable_walk(&pt, va + SZ_512G - SZ_4K, &r), 0);
		CHECK_EQ(r.pa, 2 * SZ_512G - SZ_4K);
		if (cfg->levels == 5) {
			uint64_t big = 1ULL << 48;

			CHECK_EQ(pgtable_map(&pt, va + big, big, big, PAGE_KERNEL, 0), 0);
			CHECK_EQ(leaves(va + big, big).n[4], 1); /* 256 TiB leaf at the Sv57 root */
		}
		CHECK_EQ(pgtable_unmap(&pt, va, SZ_512G), 0);
	}
}

static void map_existing_is_eexist_and_atomic(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 8 * SZ_1G;
		unsigned long tables, flushes;

		CHECK_EQ(pgtable_map(&pt, va + SZ_1G + 5 * SZ_2M, 0x90000000, SZ_4K, PAGE_KERNEL,
				     0),
			 0);
		tables = pt.nr_table_pages;
		flushes = fake_flush_calls;
		/* a range whose first gigabyte is free and whose last page collides */
		CHECK_EQ(pgtable_map(&pt, va, 0x40000000, SZ_1G + 5 * SZ_2M + SZ_4K, PAGE_KERNEL,
				     0),
			 -EEXIST);
		CHECK_EQ(pt.nr_table_pages, tables);
		CHECK_EQ(fake_flush_calls, flushes);
		CHECK_EQ(leaves(va, 2 * SZ_1G).n[0], 1);
		CHECK_EQ(leaves(va, 2 * SZ_1G).n[2], 0);
		/* the same with replace works and leaves 1 GiB + 5 x 2 MiB + 1 page */
		CHECK_EQ(pgtable_map(&pt, va, 0x40000000, SZ_1G + 5 * SZ_2M + SZ_4K, PAGE_KERNEL,
				     PGTABLE_MAP_REPLACE),
			 0);
		CHECK_EQ(leaves(va, 2 * SZ_1G).n[2], 1);
		CHECK_EQ(leaves(va, 2 * SZ_1G).n[1], 5);
		CHECK_EQ(leaves(va, 2 * SZ_1G).n[0], 1);
		check_tables();
	}
}

static void map_enomem_leaves_nothing(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 3 * SZ_1G - SZ_2M;

		CHECK_EQ(pgtable_map(&pt, va - SZ_4K, 0x1000, SZ_4K, PAGE_KERNEL, 0), 0);
		for (long k = 0; k < 6; k++) {
			unsigned long tables = pt.nr_table_pages;
			int err;

			physmem_fail_after(k);
			/* 2 MiB + 1 GiB + 3 x 2 MiB + 4 KiB: needs a pmd and a pte table */
			err = pgtable_map(&pt, va, 0x80000000ULL - SZ_2M, SZ_1G + 4 * SZ_2M + SZ_4K,
					  PAGE_KERNEL, 0);
			physmem_fail_after(-1);
			if (err == 0) {
				CHECK(k >= 2);
				CHECK_EQ(pgtable_unmap(&pt, va, SZ_1G + 4 * SZ_2M + SZ_4K), 0);
			} else {
				CHECK_EQ(err, -ENOMEM);
			}
			CHECK_EQ(pt.nr_table_pages, tables);
			CHECK_EQ(leaves(va - SZ_1G, 3 * SZ_1G).n[0], 1);
			check_tables();
		}
	}
}

/* One PTE table in one call: own leaves, shared read-only ones, all or nothing. */
static void map_pte_batch_fills_one_table_all_or_nothing(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 5 * SZ_1G + SZ_2M;
		phys_addr_t pas[64];
		struct pgtable_pte_batch b = { .pas = pas, .prot = PAGE_KERNEL, .stride = 8,
					       .ro_pa = 0x7000000, .ro_prot = PAGE_KERNEL_RO };
		struct pgtable_walk_result r;
		unsigned long tables;

		for (unsigned int k = 0; k < 64; k++)
			pas[k] = 0x90000000ULL + (63 - k) * 3 * SZ_4K; /* any order */
		/* a new path: every table made, filled, then linked */
		for (long k = 0; k < 6; k++) {
			tables = pt.nr_table_pages;
			physmem_fail_after(k);
			int err = pgtable_map_pte_batch(&pt, va, 512, &b);

			physmem_fail_after(-1);
			if (!err)
				break;
			CHECK_EQ(err, -ENOMEM);
			CHECK_EQ(pt.nr_table_pages, tables);
			CHECK_EQ(leaves(va, SZ_2M).n[0], 0);
		}
		CHECK_EQ(leaves(va, SZ_2M).n[0], 512);
		for (unsigned int i = 0; i < 512; i++) {
			CHECK_EQ(pgtable_walk(&pt, va + i * SZ_4K, &r), 0);
			CHECK_EQ(r.pa, i % 8 ? b.ro_pa : pas[i / 8]);
			CHECK_EQ(pgprot_val(r.prot), pgprot_val(canon(i % 8 ? PAGE_KERNEL_RO : PAGE_KERNEL)));
		}
		/* an existing table: a slot in use anywhere fails the call, nothing written */
		CHECK_EQ(pgtable_unmap(&pt, va + SZ_1M, SZ_1M), 0);
		CHECK_EQ(pgtable_map(&pt, va + SZ_1M + 77 * SZ_4K, 0x1000, SZ_4K, PAGE_KERNEL, 0), 0);
		b.pas = NULL;
		b.pa = 0xa0000000ULL;
		b.stride = 0;
		CHECK_EQ(pgtable_map_pte_batch(&pt, va + SZ_1M, 256, &b), -EEXIST);
		CHECK_EQ(leaves(va + SZ_1M, SZ_1M).n[0], 1);
		CHECK_EQ(pgtable_map_pte_batch(&pt, va + SZ_1M, 77, &b), 0);
		CHECK_EQ(pgtable_walk(&pt, va + SZ_1M + 76 * SZ_4K, &r), 0);
		CHECK_EQ(r.pa, 0xa0000000ULL + 76 * SZ_4K);
		/* across a table, a leaf above, bad pages: refused */
		CHECK_EQ(pgtable_map_pte_batch(&pt, va + SZ_2M - SZ_4K, 2, &b), -EINVAL);
		CHECK_EQ(pgtable_map(&pt, va + SZ_2M, 0x40000000, SZ_2M, PAGE_KERNEL, 0), 0);
		CHECK_EQ(pgtable_map_pte_batch(&pt, va + SZ_2M, 1, &b), -EEXIST);
		b.pa = 1ULL << 60;
		CHECK_EQ(pgtable_map_pte_batch(&pt, va + 3 * SZ_2M, 1, &b), -EINVAL);
		b.pa = 0xa0000800ULL;
		CHECK_EQ(pgtable_map_pte_batch(&pt, va + 3 * SZ_2M, 1, &b), -EINVAL);
		CHECK_EQ(leaves(va + 3 * SZ_2M, SZ_2M).n[0], 0);
		check_tables();
	}
}

static void map_refuses_bad_arguments(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t hs = half_start();
		uintptr_t low_top = (1ULL << (arch_va_bits(cfg) - 1)) - SZ_4K;
		struct pgtable_cfg bad = { 6, false };
		struct pgtable_walk_result r;
		struct pgtable other;

		CHECK_EQ(pgtable_map(&pt, hs + 1, 0, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
		CHECK_EQ(pgtable_map(&pt, hs, 1, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
		CHECK_EQ(pgtable_map(&pt, hs, 0, 0, PAGE_KERNEL, 0), -EINVAL);
		CHECK_EQ(pgtable_map(&pt, hs, 0, 100, PAGE_KERNEL, 0), -EINVAL);
		CHECK_EQ(pgtable_map(&pt, hs, 1ULL << ARCH_PA_BITS, SZ_4K, PAGE_KERNEL, 0),
			 -EINVAL);
		CHECK_EQ(pgtable_map(&pt, hs, 0, SZ_4K, __pgprot(PGPROT_WRITE), 0), -EOPNOTSUPP);
		if (!arch_pgprot_supported(cfg, PAGE_KERNEL_NC))
			CHECK_EQ(pgtable_map(&pt, hs, 0, SZ_4K, PAGE_KERNEL_NC, 0), -EOPNOTSUPP);
		/* non-canonical: just above the lower half, just below the upper one */
		CHECK_EQ(pgtable_map(&pt, low_top + SZ_4K, 0, SZ_4K, PAGE_KERNEL, 0), -ERANGE);
		CHECK_EQ(pgtable_map(&pt, hs - SZ_4K, 0, SZ_4K, PAGE_KERNEL, 0), -ERANGE);
		/* a range that would run off the lower half */
		CHECK_EQ(pgtable_map(&pt, low_top, 0, 2 * SZ_4K, PAGE_KERNEL, 0), -ERANGE);
		CHECK_EQ(pgtable_unmap(&pt, low_top + SZ_4K, SZ_4K), -ERANGE);
		CHECK_EQ(pgtable_protect(&pt, low_top + SZ_4K, SZ_4K, PAGE_KERNEL), -ERANGE);
		CHECK_EQ(pgtable_walk(&pt, low_top + SZ_4K, &r), -ERANGE);
		/* the top page of each half is fine */
		CHECK_EQ(pgtable_map(&pt, low_top, 0, SZ_4K, PAGE_KERNEL, 0), 0);
		CHECK_EQ(pgtable_map(&pt, (uintptr_t)0 - SZ_2M, SZ_2M, SZ_2M, PAGE_KERNEL, 0), 0);
		CHECK_EQ(leaves((uintptr_t)0 - SZ_2M, SZ_2M).n[1], 1);
		CHECK_EQ(pgtable_unmap(&pt, (uintptr_t)0 - SZ_4K, SZ_4K), 0);
		CHECK_EQ(leaves((uintptr_t)0 - SZ_2M, SZ_2M).n[0], 511);
		CHECK_EQ(pt.nr_table_pages, physmem_outstanding());
		CHECK_EQ(pgtable_init(&other, &bad, 0), -EINVAL);
	}
}

static void walk_reports_the_chain(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 5 * SZ_1G + 7 * SZ_2M + 3 * SZ_4K + 0x123;
		struct pgtable_walk_result r;
		pteval_t leaf;
		pgd_t *pgd;
		p4d_t *p4d;
		pud_t *pud;
		pmd_t *pmd;
		pte_t *pte;

		CHECK_EQ(pgtable_walk(&pt, va, &r), -ENOENT);
		CHECK(!r.found);
		CHECK_EQ(r.nr, 1);
		CHECK_EQ(r.level, pgtable_root_level(&pt));
		CHECK_EQ(pgtable_map(&pt, va & ~0xfffULL, 0xabc000, SZ_4K, PAGE_KERNEL_RO, 0), 0);
		CHECK_EQ(pgtable_walk(&pt, va, &r), 0);
		CHECK(r.found);
		CHECK_EQ(r.level, 0);
		CHECK_EQ(r.nr, cfg->levels);
		CHECK_EQ(r.pa, 0xabc123);
		CHECK_EQ(pgprot_val(r.prot), pgprot_val(canon(PAGE_KERNEL_RO)));
		CHECK_EQ(r.table[0], pt.root);
		for (int i = 0; i + 1 < r.nr; i++) {
			CHECK(pgtable_entry_is_table(r.chain[i], cfg->levels - 1 - i));
			CHECK_EQ(arch_pte_addr(r.chain[i], cfg->levels - 1 - i), r.table[i + 1]);
		}
		CHECK_EQ(r.chain[r.nr - 1], r.entry);
		leaf = r.entry;
		/* next page: the walk ends at the empty pte */
		CHECK_EQ(pgtable_walk(&pt, va + SZ_4K, &r), -ENOENT);
		CHECK_EQ(r.level, 0);
		CHECK_EQ(r.entry, 0);

		/* Linux navigation reaches the same entry, with folding per level count */
		pgd = pgd_offset_pgd(&pt, va);
		CHECK(pgd_present(&pt, *pgd) && !pgd_none(&pt, *pgd) && !pgd_leaf(&pt, *pgd));
		p4d = p4d_offset(&pt, pgd, va);
		if (cfg->levels < 5)
			CHECK(p4d == (p4d_t *)pgd);
		CHECK(p4d_present(&pt, *p4d) && !p4d_leaf(&pt, *p4d));
		pud = pud_offset(&pt, p4d, va);
		if (cfg->levels < 4)
			CHECK(pud == (pud_t *)p4d);
		CHECK(pud_present(*pud) && !pud_leaf(*pud));
		pmd = pmd_offset(pud, va);
		CHECK(pmd_present(*pmd) && !pmd_leaf(*pmd) && !pmd_none(*pmd));
		pte = pte_offset_kernel(pmd, va);
		CHECK(pte_present(*pte));
		CHECK_EQ(pte_val(*pte), leaf);
		CHECK_EQ(pte_pfn(*pte), 0xabc);
		CHECK(!pte_write(&pt, *pte));
		CHECK_EQ(pte_val(pfn_pte(&pt, 0xabc, PAGE_KERNEL_RO)), pte_val(*pte));
		CHECK(pte_none(pte[1]));
		CHECK_EQ(pgd_index(&pt, va), pgtable_index(pgtable_root_level(&pt), va));
		CHECK_EQ(pmd_addr_end(va, va + SZ_1G), (va | (SZ_2M - 1)) + 1);
		CHECK_EQ(pmd_addr_end(va, va + 5), va + 5);
		CHECK_EQ(pud_addr_end((uintptr_t)0 - SZ_4K, 0), 0);
		CHECK_EQ(pgd_addr_end(&pt, va, 0),
			 ALIGN_UP(va + 1, pgtable_level_size(pgtable_root_level(&pt))));
	}
}

/* BBM observation: the state of the entry for bbm_va at each flush. */
static uintptr_t bbm_va;
static int bbm_flushes, bbm_found_at_flush;

static void bbm_hook(const struct pgtable *unused, uintptr_t start, uintptr_t end)
{
	struct pgtable_walk_result r;

	(void)unused;
	(void)start;
	(void)end;
	bbm_flushes++;
	if (pgtable_walk(&pt, bbm_va, &r) == 0)
		bbm_found_at_flush++;
}

static void bbm_arm(uintptr_t va)
{
	bbm_va = va;
	bbm_flushes = 0;
	bbm_found_at_flush = 0;
	fake_flush_hook = bbm_hook;
}

static void split_and_merge_keep_the_translation(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 6 * SZ_1G;
		phys_addr_t pa = 0x3c0000000ULL;
		struct pgtable_walk_result r;
		unsigned long before;

		nmodel = 0;
		CHECK_EQ(pgtable_map(&pt, va, pa, SZ_1G, PAGE_KERNEL_EXEC, 0), 0);
		model_apply(M_MAP, va, SZ_1G, pa, pgprot_val(canon(PAGE_KERNEL_EXEC)));

		/* 1 GiB -> 512 x 2 MiB: one flush; on arm64 the entry is invalid during it */
		bbm_arm(va + 5 * SZ_2M);
		before = tlb_flush_count;
		CHECK_EQ(pgtable_split(&pt, va + 5 * SZ_2M, PGTABLE_LEVEL_PUD), 0);
		CHECK_EQ(tlb_flush_count - before, 1);
		CHECK_EQ(bbm_flushes, 1);
		CHECK_EQ(bbm_found_at_flush, ARCH_NEEDS_BBM ? 0 : 1);
		CHECK_EQ(leaves(va, SZ_1G).n[1], 512);
		check_against_model(va, va + SZ_1G);

		/* 2 MiB -> 4 KiB, then the same back */
		CHECK_EQ(pgtable_split(&pt, va + 5 * SZ_2M, PGTABLE_LEVEL_PMD), 0);
		CHECK_EQ(pgtable_walk(&pt, va + 5 * SZ_2M + 0x5000, &r), 0);
		CHECK_EQ(r.level, 0);
		CHECK_EQ(r.pa, pa + 5 * SZ_2M + 0x5000);
		check_against_model(va, va + SZ_1G);
		CHECK_EQ(pgtable_split(&pt, va, PGTABLE_LEVEL_PTE), -EINVAL);
		CHECK_EQ(pgtable_split(&pt, va + 5 * SZ_2M, PGTABLE_LEVEL_PMD), -ENOENT);
		CHECK_EQ(pgtable_merge(&pt, va + 5 * SZ_2M, PGTABLE_LEVEL_PUD), -EBUSY);
		bbm_arm(va + 5 * SZ_2M);
		CHECK_EQ(pgtable_merge(&pt, va + 5 * SZ_2M, PGTABLE_LEVEL_PMD), 0);
		CHECK_EQ(bbm_found_at_flush, ARCH_NEEDS_BBM ? 0 : 1);
		CHECK_EQ(pgtable_merge(&pt, va + 5 * SZ_2M, PGTABLE_LEVEL_PMD), -ENOENT);
		before = pt.nr_table_pages;
		CHECK_EQ(pgtable_merge(&pt, va, PGTABLE_LEVEL_PUD), 0);
		CHECK_EQ(pt.nr_table_pages, before - 1);
		CHECK_EQ(leaves(va, SZ_1G).n[2], 1);
		check_against_model(va, va + SZ_1G);

		/* not mergeable: a changed protection in the middle, or an unaligned base */
		CHECK_EQ(pgtable_protect(&pt, va + SZ_2M, SZ_4K, PAGE_KERNEL_RO), 0);
		CHECK_EQ(pgtable_merge(&pt, va + SZ_2M, PGTABLE_LEVEL_PMD), -EBUSY);
		CHECK_EQ(pgtable_protect(&pt, va + SZ_2M, SZ_4K, PAGE_KERNEL_EXEC), 0);
		CHECK_EQ(pgtable_merge(&pt, va + SZ_2M, PGTABLE_LEVEL_PMD), 0);
		CHECK_EQ(pgtable_merge(&pt, va, PGTABLE_LEVEL_PUD), 0);
		CHECK_EQ(pgtable_map(&pt, va + SZ_1G, pa + SZ_4K, SZ_2M, PAGE_KERNEL, 0), 0);
		CHECK_EQ(pgtable_merge(&pt, va + SZ_1G, PGTABLE_LEVEL_PMD), -EBUSY);
		if (!arch_level_may_be_leaf(cfg, 3) && cfg->levels > 3)
			CHECK_EQ(pgtable_merge(&pt, va, 3), -EINVAL);
		check_tables();
	}
}

static void replace_and_protect_follow_bbm(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 2 * SZ_1G;
		pgprot_t other = arch_pgprot_supported(cfg, PAGE_KERNEL_NC) ? PAGE_KERNEL_NC
									    : PAGE_KERNEL_EXEC;
		unsigned long before;

		CHECK_EQ(pgtable_map(&pt, va, 0x40000000, SZ_2M, PAGE_KERNEL, 0), 0);
		/* remap to another pa: arm64 invalidates and flushes first */
		bbm_arm(va);
		CHECK_EQ(pgtable_map(&pt, va, 0x80000000, SZ_2M, PAGE_KERNEL, PGTABLE_MAP_REPLACE),
			 0);
		CHECK(bbm_flushes >= 1);
		CHECK_EQ(bbm_found_at_flush, ARCH_NEEDS_BBM ? 0 : bbm_flushes);
		/* permission-only change: no break on either arch */
		bbm_arm(va);
		CHECK_EQ(pgtable_protect(&pt, va, SZ_2M, PAGE_KERNEL_RO), 0);
		CHECK_EQ(bbm_flushes, 1);
		CHECK_EQ(bbm_found_at_flush, 1);
		/* memory-type change: a break on arm64 */
		bbm_arm(va);
		CHECK_EQ(pgtable_protect(&pt, va, SZ_2M, other), 0);
		CHECK_EQ(bbm_found_at_flush, ARCH_NEEDS_BBM && pgprot_memtype(other) ? 0 : 1);
		/* the same protection again: nothing to do, no flush */
		before = tlb_flush_count;
		CHECK_EQ(pgtable_protect(&pt, va, SZ_2M, other), 0);
		CHECK_EQ(tlb_flush_count, before);
		/* replacing a table of small leaves by one large leaf frees the table */
		CHECK_EQ(pgtable_map(&pt, va + SZ_2M, 0x1000, 8 * SZ_4K, PAGE_KERNEL, 0), 0);
		before = pt.nr_table_pages;
		bbm_arm(va + SZ_2M);
		CHECK_EQ(pgtable_map(&pt, va + SZ_2M, 0x40000000, SZ_2M, PAGE_KERNEL,
				     PGTABLE_MAP_REPLACE),
			 0);
		CHECK_EQ(pt.nr_table_pages, before - 1);
		CHECK_EQ(bbm_found_at_flush, ARCH_NEEDS_BBM ? 0 : 1);
		check_tables();
	}
}

static void flushes_are_batched_and_counted(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 10 * SZ_1G;
		unsigned long before = tlb_flush_count;

		CHECK_EQ(pgtable_map(&pt, va, 0x1000, 300 * SZ_4K, PAGE_KERNEL, 0), 0);
		CHECK_EQ(tlb_flush_count - before, ARCH_MAP_NEEDS_FLUSH);
		CHECK(fake_publish_calls > 0);
		before = tlb_flush_count;
		CHECK_EQ(pgtable_protect(&pt, va, 300 * SZ_4K, PAGE_KERNEL_RO), 0);
		CHECK_EQ(tlb_flush_count - before, 1);
		CHECK_EQ(fake_flush_log[fake_flush_calls - 1].kind, FAKE_FLUSH_RANGE);
		CHECK_EQ(fake_flush_log[fake_flush_calls - 1].start, va);
		CHECK_EQ(fake_flush_log[fake_flush_calls - 1].end, va + 300 * SZ_4K);
		/* unmapping 300 pages and freeing their tables: one request */
		before = tlb_flush_count;
		CHECK_EQ(pgtable_unmap(&pt, va, 300 * SZ_4K), 0);
		CHECK_EQ(tlb_flush_count - before, 1);
		/* a removed table needs the full flush where a range flush keeps table walks */
		CHECK_EQ(fake_flush_log[fake_flush_calls - 1].kind,
			 ARCH_RANGE_FLUSH_COVERS_TABLES ? FAKE_FLUSH_RANGE : FAKE_FLUSH_ALL);
		CHECK_EQ(pt.nr_table_pages, 1);
		/* unmapping a hole flushes nothing */
		before = tlb_flush_count;
		CHECK_EQ(pgtable_unmap(&pt, va, SZ_1G), 0);
		CHECK_EQ(tlb_flush_count, before);
		CHECK_EQ(tlb_flush_count, fake_flush_calls);
	}
}

static void unmap_splits_edges_and_frees_tables(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t va = half_start() + 12 * SZ_1G;
		struct level_count n;

		CHECK_EQ(pgtable_map(&pt, va, 0x40000000, 2 * SZ_1G, PAGE_KERNEL, 0), 0);
		CHECK_EQ(pt.nr_table_pages, cfg->levels - 2);
		/* cut a hole that straddles both 1 GiB leaves at odd offsets */
		CHECK_EQ(pgtable_unmap(&pt, va + SZ_1G - 3 * SZ_2M - SZ_4K, 5 * SZ_2M), 0);
		n = leaves(va, 2 * SZ_1G);
		CHECK_EQ(n.n[2], 0);
		CHECK_EQ(n.n[1], 2 * 512 - 6);
		CHECK_EQ(n.n[0], 511 + 1);
		nmodel = 0;
		model_apply(M_MAP, va, 2 * SZ_1G, 0x40000000, pgprot_val(canon(PAGE_KERNEL)));
		model_apply(M_UNMAP, va + SZ_1G - 3 * SZ_2M - SZ_4K, 5 * SZ_2M, 0, 0);
		check_against_model(va - SZ_1G, va + 3 * SZ_1G);
		check_tables();
		/* a split that cannot get a page leaves the mapping as it was */
		physmem_fail_after(0);
		CHECK_EQ(pgtable_unmap(&pt, va + SZ_4K, SZ_4K), -ENOMEM);
		CHECK_EQ(pgtable_protect(&pt, va + SZ_4K, SZ_4K, PAGE_KERNEL_RO), -ENOMEM);
		physmem_fail_after(-1);
		check_against_model(va - SZ_1G, va + 3 * SZ_1G);
		CHECK_EQ(pgtable_unmap(&pt, va, 2 * SZ_1G), 0);
		CHECK_EQ(pt.nr_table_pages, 1);
		check_tables();
	}
}

/* ---- random operations against the model -------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

#define WINDOW (8 * SZ_1G)

static pgprot_t random_prot(void)
{
	static const pgprot_t prots[] = {
		PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_EXEC, PAGE_KERNEL_NC, PAGE_KERNEL_IO,
		PAGE_KERNEL_WT, { PGPROT_READ | PGPROT_WRITE | PGPROT_USER | PGPROT_ACCESSED },
	};

	for (;;) {
		pgprot_t p = prots[rnd_below(ARRAY_SIZE(prots))];

		if (arch_pgprot_supported(cfg, p))
			return p;
	}
}

/* A random range in the window: sizes from one page to 2 GiB, various alignments. */
static void random_range(uintptr_t base, uintptr_t *va, uint64_t *size, phys_addr_t *pa)
{
	uint64_t off, sz, p;

	switch (rnd_below(10)) {
	case 0: case 1: case 2: case 3: /* pages */
		off = rnd_below(WINDOW / SZ_4K) * SZ_4K;
		sz = (1 + rnd_below(48)) * SZ_4K;
		p = rnd_below(1ULL << 28) * SZ_4K;
		break;
	case 4: case 5: case 6: /* 2 MiB blocks, sometimes with a page offset */
		off = rnd_below(WINDOW / SZ_2M) * SZ_2M;
		sz = (1 + rnd_below(6)) * SZ_2M;
		p = rnd_below(1ULL << 19) * SZ_2M;
		if (rnd_below(3) == 0) {
			off += 5 * SZ_4K;
			p += 5 * SZ_4K;
			sz += rnd_below(8) * SZ_4K;
		}
		break;
	case 7: case 8: /* gigabytes */
		off = rnd_below(WINDOW / SZ_1G) * SZ_1G;
		sz = (1 + rnd_below(2)) * SZ_1G;
		p = rnd_below(1ULL << 10) * SZ_1G;
		break;
	default: /* anything, pa congruent with va modulo 1 GiB */
		off = rnd_below(WINDOW / SZ_4K) * SZ_4K;
		sz = (1 + rnd_below(SZ_1G / SZ_4K + 1024)) * SZ_4K;
		p = rnd_below(1ULL << 10) * SZ_1G + (off & (SZ_1G - 1));
		break;
	}
	if (off + sz > WINDOW)
		sz = WINDOW - off;
	*va = base + off;
	*size = sz;
	*pa = p;
}

static int recent_split[16], nrecent;
/* what the random run did: map ok/-EEXIST/-ENOMEM, replace, unmap, protect, split, merge
 * ok/-EBUSY/-ENOENT/-EINVAL */
enum { S_MAP, S_EEXIST, S_ENOMEM, S_REPLACE, S_UNMAP, S_PROTECT, S_SPLIT, S_MERGE, S_BUSY,
       S_NOENT, S_INVAL, S_NR };
static unsigned long stats[S_NR];
static uintptr_t recent_va[16];

static void random_ops_one(const struct pgtable_cfg *c, int ops)
{
	uintptr_t base = half_start() + (cfg->levels > 3 ? SZ_512G : 128 * SZ_1G) - WINDOW / 2;
	int mismatches = 0;

	(void)c;
	nmodel = 0;
	nrecent = 0;
	memset(stats, 0, sizeof(stats));
	rng_state = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(c->levels * 2 + c->svpbmt);
	for (int i = 0; i < ops && mismatches < 3; i++) {
		uintptr_t va, lo, hi;
		uint64_t size;
		phys_addr_t pa;
		pgprot_t prot = random_prot();
		unsigned long flushes_before = tlb_flush_count;
		unsigned long calls_before = fake_flush_calls;
		bool fail = rnd_below(20) == 0;
		int kind = (int)rnd_below(100), err, expect;

		random_range(base, &va, &size, &pa);
		if (fail)
			physmem_fail_after((long)rnd_below(3));
		if (kind < 35) {
			bool blocks = rnd_below(8) != 0 || size <= 32 * SZ_2M;
			unsigned int flags = blocks ? 0 : PGTABLE_MAP_MAX_LEAF(1);

			expect = model_overlaps(va, size) ? -EEXIST : 0;
			err = pgtable_map(&pt, va, pa, size, prot, flags);
			if (err == -ENOMEM && fail && !expect)
				expect = -ENOMEM;
			CHECK_EQ(err, expect);
			stats[err == 0 ? S_MAP : err == -EEXIST ? S_EEXIST : S_ENOMEM]++;
			if (!err)
				model_apply(M_MAP, va, size, pa, pgprot_val(canon(prot)));
		} else if (kind < 45 && !fail) {
			err = pgtable_map(&pt, va, pa, size, prot, PGTABLE_MAP_REPLACE);
			CHECK_EQ(err, 0);
			stats[S_REPLACE]++;
			model_apply(M_MAP, va, size, pa, pgprot_val(canon(prot)));
		} else if (kind < 65) {
			bool had = model_overlaps(va, size);

			err = pgtable_unmap(&pt, va, size);
			CHECK(err == 0 || (fail && err == -ENOMEM));
			if (!err)
				model_apply(M_UNMAP, va, size, 0, 0);
			stats[S_UNMAP] += !err;
			if (!err && !ARCH_NEEDS_BBM)
				CHECK_EQ(tlb_flush_count - flushes_before, had ? 1 : 0);
			if (!err && ARCH_NEEDS_BBM && had)
				CHECK(tlb_flush_count - flushes_before >= 1 &&
				      tlb_flush_count - flushes_before <= 1 + 2 * 3);
			if (!had)
				CHECK_EQ(tlb_flush_count, flushes_before);
		} else if (kind < 80) {
			err = pgtable_protect(&pt, va, size, prot);
			CHECK(err == 0 || (fail && err == -ENOMEM));
			if (!err)
				model_apply(M_PROTECT, va, size, 0, pgprot_val(canon(prot)));
			stats[S_PROTECT] += !err;
		} else if (kind < 90) {
			struct pgtable_walk_result r;

			if (pgtable_walk(&pt, va, &r) == 0 && r.level > 0) {
				err = pgtable_split(&pt, va, r.level);
				CHECK(err == 0 || (fail && err == -ENOMEM));
				stats[S_SPLIT] += !err;
				if (!err) {
					recent_split[nrecent % 16] = r.level;
					recent_va[nrecent % 16] = va;
					nrecent++;
				}
			}
		} else {
			struct pgtable_walk_result r;
			int level;

			if (nrecent && rnd_below(4)) {
				int k = (int)rnd_below(MIN(nrecent, 16));

				va = recent_va[k];
				level = recent_split[k];
			} else {
				level = 1 + (int)rnd_below(pgtable_root_level(&pt));
			}
			pgtable_walk(&pt, va, &r);
			size = pgtable_level_size(level);
			lo = va & ~(size - 1);
			if (!arch_level_may_be_leaf(cfg, level)) {
				expect = -EINVAL;
			} else if (r.nr < cfg->levels - level + 1) {
				/* the walk did not get below @level: no table there */
				expect = -ENOENT;
			} else {
				/* a table at @level: mergeable iff uniform leaves one level down */
				const struct ext *e = model_find(lo);

				expect = -EBUSY;
				if (e && e->va <= lo && e->va + e->size >= lo + size &&
				    IS_ALIGNED(e->pa + (lo - e->va), size)) {
					expect = 0;
					for (int j = 0; j < 512 && !expect; j++) {
						struct pgtable_walk_result s;

						pgtable_walk(&pt, lo + j * (size / 512), &s);
						if (s.level != level - 1)
							expect = -EBUSY;
					}
				}
			}
			err = pgtable_merge(&pt, va, level);
			CHECK_EQ(err, expect);
			if (err == 0)
				stats[S_MERGE]++;
			else if (err == -EBUSY)
				stats[S_BUSY]++;
			else if (err == -ENOENT)
				stats[S_NOENT]++;
			else
				stats[S_INVAL]++;
			if (err != expect)
				printf("# merge va 0x%llx level %d walk level %d nr %d\n",
				       (unsigned long long)va, level, r.level, r.nr);
		}
		physmem_fail_after(-1);
		CHECK_EQ(tlb_flush_count - flushes_before, fake_flush_calls - calls_before);

		lo = MAX(base, (va & ~(SZ_1G - 1)) - SZ_1G);
		hi = MIN(base + WINDOW, ALIGN_UP(va + size, SZ_1G) + SZ_1G);
		if (!check_against_model(lo, hi))
			mismatches++;
		for (int k = 0; k < 4; k++) {
			uintptr_t probe = base + rnd_below(WINDOW);
			const struct ext *e = model_find(probe);
			struct pgtable_walk_result r;

			CHECK_EQ(pgtable_walk(&pt, probe, &r), e ? 0 : -ENOENT);
			if (e) {
				CHECK_EQ(r.pa, e->pa + (probe - e->va));
				CHECK_EQ(pgprot_val(r.prot), e->prot);
			}
		}
		CHECK_EQ(physmem_outstanding(), pt.nr_table_pages);
		if (i % 64 == 63) {
			check_against_model(base, base + WINDOW);
			check_tables();
		}
	}
	check_against_model(base, base + WINDOW);
	check_tables();
	printf("# %d ops: map %lu, -EEXIST %lu, -ENOMEM %lu, replace %lu, unmap %lu, protect %lu, "
	       "split %lu, merge %lu, -EBUSY %lu, -ENOENT %lu, -EINVAL %lu; %lu table pages\n",
	       ops, stats[S_MAP], stats[S_EEXIST], stats[S_ENOMEM], stats[S_REPLACE],
	       stats[S_UNMAP], stats[S_PROTECT], stats[S_SPLIT], stats[S_MERGE], stats[S_BUSY],
	       stats[S_NOENT], stats[S_INVAL], pt.nr_table_pages);
	/* everything gone: only the root remains */
	CHECK_EQ(pgtable_unmap(&pt, base, WINDOW), 0);
	CHECK_EQ(pt.nr_table_pages, 1);
	check_tables();
}

static void random_ops_match_model(void)
{
	int ops = ARRAY_SIZE(cfgs) > 1 ? 800 : 3000;

	FOR_EACH_CFG(c)
		random_ops_one(c, ops);
}

static void destroy_returns_every_page(void)
{
	FOR_EACH_CFG(c) {
		uintptr_t hs = half_start();

		CHECK_EQ(pgtable_map(&pt, hs + SZ_4K, 0x5000, 70 * SZ_2M, PAGE_KERNEL, 0), 0);
		CHECK_EQ(pgtable_map(&pt, 0x1000, 0x5000, 10 * SZ_4K, PAGE_KERNEL, 0), 0);
		CHECK(physmem_outstanding() > 40);
		CHECK_EQ(physmem_outstanding(), pt.nr_table_pages);
	}
	/* teardown() checked that nothing is outstanding */
}

static const struct tap_case cases[] = {
#ifdef TEST_ARCH_RISCV64
	TAP_CASE(riscv_leaf_bits_match_spec),
	TAP_CASE(riscv_superpages_at_every_level),
	TAP_CASE(riscv_table_entry_is_v_and_ppn_only),
	TAP_CASE(riscv_pbmt_only_with_svpbmt),
	TAP_CASE(riscv_decode_inverts_encode),
	TAP_CASE(riscv_canonical_addresses),
#else
	TAP_CASE(arm64_leaf_bits_match_arm_arm),
	TAP_CASE(arm64_no_block_at_level0),
	TAP_CASE(arm64_table_descriptor),
	TAP_CASE(arm64_decode_inverts_encode),
	TAP_CASE(arm64_canonical_addresses),
#endif
	TAP_CASE(map_uses_largest_leaves),
	TAP_CASE(map_flags_cap_leaf_size),
	TAP_CASE(map_root_level_leaves_where_allowed),
	TAP_CASE(map_existing_is_eexist_and_atomic),
	TAP_CASE(map_enomem_leaves_nothing),
	TAP_CASE(map_pte_batch_fills_one_table_all_or_nothing),
	TAP_CASE(map_refuses_bad_arguments),
	TAP_CASE(walk_reports_the_chain),
	TAP_CASE(split_and_merge_keep_the_translation),
	TAP_CASE(replace_and_protect_follow_bbm),
	TAP_CASE(flushes_are_batched_and_counted),
	TAP_CASE(unmap_splits_edges_and_frees_tables),
	TAP_CASE(random_ops_match_model),
	TAP_CASE(destroy_returns_every_page),
};

#ifdef TEST_ARCH_RISCV64
TAP_MAIN("mm_pgtable_riscv64", cases)
#else
TAP_MAIN("mm_pgtable_arm64", cases)
#endif
