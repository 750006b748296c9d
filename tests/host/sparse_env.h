// SPDX-License-Identifier: BSD-2-Clause
// Shared setup of the sparse and vmemmap host tests: a kernel page table (Sv48 or arm64 4K/48)
// over the memfd physical memory, memblock RAM in it, and a vmemmap window the host MMU fake
// follows, so struct pages are really read and written through the page tables.
#ifndef ZONEDEV_TESTS_SPARSE_ENV_H
#define ZONEDEV_TESTS_SPARSE_ENV_H

#include <platform/errno.h>
#include <arch/tlbflush.h>
#include <mm/layout.h>
#include <mm/memblock.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

#include "fakes.h"
#include "hostmmu.h"
#include "physmem.h"
#include "tap.h"

/* RAM [0x80000000, +128 MiB) = section 16; "pmem" [0x88000000, +128 MiB) = section 17. */
#define RAM_BASE HOSTMMU_PHYS_BASE
#define RAM_SIZE SZ_128M
#define PMEM_BASE (RAM_BASE + RAM_SIZE)
#define PMEM_PFN PHYS_PFN(PMEM_BASE)
#define WINDOW_SPAN (64 * SZ_1G) /* physical window: 512 sections */
#define SEC_PAGES PAGES_PER_SECTION
#define SUB_PAGES PAGES_PER_SUBSECTION

static struct pgtable env_pt;
static struct kernel_layout env_layout;
static const struct pgtable_cfg env_cfg = { 4, false };
static phys_addr_t env_free0;

/* Page tables, layout and memblock; sparse_init() is left to the test. */
static __unused void env_setup(void)
{
	uintptr_t win;

	hostmmu_init();
	memblock_reset();
	memblock_add(RAM_BASE, RAM_SIZE);
	memblock.alloc_limit = RAM_BASE + RAM_SIZE;
	pgtable_set_page_ops(&memblock_page_ops);
	vmemmap_set_allocator(NULL, NULL, NULL);
	vmemmap_set_hugepages(true);
	fake_tlb_reset();
	env_free0 = memblock_free_size();
	CHECK_EQ(pgtable_init(&env_pt, &env_cfg, 0), 0);
	win = hostmmu_window(WINDOW_SPAN / 64, SZ_1G);
	hostmmu_attach(&env_pt);
	memset(&env_layout, 0, sizeof(env_layout));
	env_layout.va_bits = 48;
	env_layout.phys_base = ALIGN_DOWN(RAM_BASE, SZ_1G);
	env_layout.phys_span = WINDOW_SPAN;
	env_layout.region[LAYOUT_VMEMMAP].name = "vmemmap";
	env_layout.region[LAYOUT_VMEMMAP].start = win;
	env_layout.region[LAYOUT_VMEMMAP].size = WINDOW_SPAN / 64;
	env_layout.region[LAYOUT_VMEMMAP].align = SZ_2M;
	env_layout.vmemmap = win - env_layout.phys_base / PAGE_SIZE * sizeof(struct page);
}

/* Everything back: no table page but the root, all RAM free again. */
static __unused void env_teardown(void)
{
	struct vmemmap_stats vs;

	sparse_exit();
	vmemmap_get_stats(&vs);
	CHECK_EQ(vs.ram_bytes, 0);
	CHECK_EQ(vs.altmap_bytes, 0);
	CHECK_EQ(vs.pte_leaves, 0);
	CHECK_EQ(vs.pmd_leaves, 0);
	CHECK_EQ(env_pt.nr_table_pages, 1);
	pgtable_destroy(&env_pt);
	hostmmu_attach(NULL);
	CHECK_EQ(memblock_free_size(), env_free0);
}

/* Leaf mapping the vmemmap address @va: its level, and the physical address of @va. */
static __unused int env_leaf(uintptr_t va, phys_addr_t *pa)
{
	struct pgtable_walk_result r;

	if (pgtable_walk(&env_pt, va, &r))
		return -1;
	if (pa)
		*pa = r.pa;
	return r.level;
}

/* A snapshot of everything populate/free may change, for "left exactly as before" checks. */
struct env_snap {
	phys_addr_t memblock_free;
	unsigned long tables;
	struct vmemmap_stats vs;
	struct sparse_stats ss;
};

static __unused void env_snapshot(struct env_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->memblock_free = memblock_free_size();
	s->tables = env_pt.nr_table_pages;
	vmemmap_get_stats(&s->vs);
	sparse_get_stats(&s->ss);
}

/* Compare, ignoring the call counters. */
static __unused bool env_same(const struct env_snap *a, const struct env_snap *b)
{
	return a->memblock_free == b->memblock_free && a->tables == b->tables &&
	       a->vs.ram_bytes == b->vs.ram_bytes && a->vs.altmap_bytes == b->vs.altmap_bytes &&
	       a->vs.table_pages == b->vs.table_pages && a->vs.pte_leaves == b->vs.pte_leaves &&
	       a->vs.pmd_leaves == b->vs.pmd_leaves &&
	       !memcmp(&a->ss, &b->ss, sizeof(a->ss));
}

#endif
