// SPDX-License-Identifier: BSD-2-Clause
// VA range allocator (mm/vmalloc.c): alignment, guard pages, exhaustion, coalescing on free,
// and random allocate/free sequences against a page-bitmap first-fit model.
#include <stdlib.h>

#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <mm/vmalloc.h>

#include "tap.h"

#define BASE 0xffffffd000000000UL
#define NPAGES 1024UL
#define END (BASE + NPAGES * PAGE_SIZE)

static void get_before_init_is_einval(void)
{
	CHECK_EQ(PTR_ERR(get_vm_area(PAGE_SIZE, 0, 0)), -EINVAL);
	CHECK(!is_ioremap_addr(BASE));
	CHECK_EQ(vmalloc_init(BASE + 1, END), -EINVAL);
	CHECK_EQ(vmalloc_init(END, BASE), -EINVAL);
	CHECK_EQ(vmalloc_init(BASE, BASE), -EINVAL);
	CHECK_EQ(vmalloc_init(BASE, END), 0);
	CHECK(is_ioremap_addr(BASE) && is_ioremap_addr(END - 1) && !is_ioremap_addr(END));
}

static void alignment_and_guard_pages(void)
{
	struct vm_struct *a, *b, *c, *d;

	CHECK_EQ(vmalloc_init(BASE, END), 0);
	a = get_vm_area(100, 0, VM_IOREMAP);
	CHECK(!IS_ERR(a) && a->addr == BASE && a->size == PAGE_SIZE);
	/* Next area starts after a's guard page. */
	b = get_vm_area(PAGE_SIZE * 2, PAGE_SIZE, VM_IOREMAP);
	CHECK(!IS_ERR(b) && b->addr == BASE + 2 * PAGE_SIZE);
	CHECK(find_vm_area(BASE + PAGE_SIZE) == NULL); /* a's guard */
	CHECK(find_vm_area(BASE + 100) == a);
	CHECK(find_vm_area(b->addr + 2 * PAGE_SIZE - 1) == b);
	CHECK(find_vm_area(b->addr + 2 * PAGE_SIZE) == NULL);
	/* 64 KiB alignment skips to the next boundary, leaving a free gap before it. */
	c = get_vm_area(PAGE_SIZE, SZ_64K, VM_IOREMAP);
	CHECK(!IS_ERR(c) && c->addr == BASE + SZ_64K);
	/* The gap is used first-fit by a small area. */
	d = get_vm_area(PAGE_SIZE, 0, VM_NO_GUARD);
	CHECK(!IS_ERR(d) && d->addr == BASE + 5 * PAGE_SIZE);
	struct vm_struct *e = get_vm_area(PAGE_SIZE, 0, 0);
	CHECK(!IS_ERR(e) && e->addr == BASE + 6 * PAGE_SIZE); /* d has no guard */
	/* Bad arguments. */
	CHECK_EQ(PTR_ERR(get_vm_area(0, 0, 0)), -EINVAL);
	CHECK_EQ(PTR_ERR(get_vm_area(PAGE_SIZE, 3 * PAGE_SIZE, 0)), -EINVAL);
	CHECK_EQ(PTR_ERR(get_vm_area((size_t)-1, 0, 0)), -ENOMEM);
}

static void exhaustion_of_space_and_descriptors(void)
{
	struct vmalloc_stats st;
	struct vm_struct *a;

	CHECK_EQ(vmalloc_init(BASE, END), 0);
	/* The guard page must fit too. */
	CHECK_EQ(PTR_ERR(get_vm_area(NPAGES * PAGE_SIZE, 0, 0)), -ENOMEM);
	a = get_vm_area(NPAGES * PAGE_SIZE, 0, VM_NO_GUARD);
	CHECK(!IS_ERR(a));
	CHECK_EQ(PTR_ERR(get_vm_area(1, 0, 0)), -ENOMEM);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.free_bytes, 0);
	CHECK_EQ(st.nr_free_ranges, 0);
	CHECK_EQ(free_vm_area(a), 0);
	CHECK_EQ(free_vm_area(a), -EINVAL);

	/* Descriptors run out before space in a big region. */
	CHECK_EQ(vmalloc_init(BASE, BASE + 4 * VMAP_MAX_AREAS * PAGE_SIZE), 0);
	for (unsigned int i = 0; i < VMAP_MAX_AREAS; i++)
		CHECK(!IS_ERR(get_vm_area(PAGE_SIZE, 0, 0)));
	CHECK_EQ(PTR_ERR(get_vm_area(PAGE_SIZE, 0, 0)), -ENOMEM);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_areas, VMAP_MAX_AREAS);
	CHECK_EQ(st.used_bytes, VMAP_MAX_AREAS * PAGE_SIZE);
}

static void free_coalesces_neighbours(void)
{
	struct vm_struct *a, *b, *c;
	struct vmalloc_stats st;

	CHECK_EQ(vmalloc_init(BASE, END), 0);
	a = get_vm_area(PAGE_SIZE, 0, 0);
	b = get_vm_area(PAGE_SIZE, 0, 0);
	c = get_vm_area(PAGE_SIZE, 0, 0);
	CHECK_EQ(free_vm_area(b), 0);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_free_ranges, 2);
	CHECK_EQ(st.nr_areas, 2);
	/* b's range (with its guard) is reused exactly. */
	b = get_vm_area(PAGE_SIZE, 0, 0);
	CHECK(!IS_ERR(b) && b->addr == BASE + 2 * PAGE_SIZE);
	CHECK_EQ(free_vm_area(a), 0);
	CHECK_EQ(free_vm_area(c), 0);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_free_ranges, 2);
	CHECK_EQ(free_vm_area(b), 0);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_free_ranges, 1);
	CHECK_EQ(st.free_bytes, NPAGES * PAGE_SIZE);
	CHECK_EQ(st.largest_free, NPAGES * PAGE_SIZE);
	CHECK_EQ(st.nr_areas, 0);
	CHECK_EQ(st.used_bytes, 0);
}

/* ---- model ---- */

static int owner[NPAGES]; /* 0 free, else 1 + slot index; guards are -(1 + slot) */

static struct model_area {
	struct vm_struct *vm;
	unsigned long first, n, guard;
} live[NPAGES];
static unsigned int nlive;

static long model_fit(unsigned long n, unsigned long align_pages, unsigned long guard)
{
	for (unsigned long p = 0; p + n + guard <= NPAGES; p += align_pages) {
		unsigned long q;

		for (q = 0; q < n + guard && owner[p + q] == 0; q++)
			;
		if (q == n + guard)
			return (long)p;
	}
	return -1;
}

static void random_ops_match_first_fit_model(void)
{
	unsigned int bad = 0;

	srand(77);
	CHECK_EQ(vmalloc_init(BASE, END), 0);
	memset(owner, 0, sizeof(owner));
	nlive = 0;
	for (int step = 0; step < 20000 && bad < 5; step++) {
		if (nlive == 0 || rand() % 100 < 55) {
			size_t bytes = 1 + (size_t)(rand() % (24 * (int)PAGE_SIZE));
			size_t align = PAGE_SIZE << (rand() % 6);
			unsigned long flags = rand() % 8 == 0 ? VM_NO_GUARD : VM_IOREMAP;
			unsigned long n = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
			unsigned long guard = (flags & VM_NO_GUARD) ? 0 : 1;
			long want = model_fit(n, align / PAGE_SIZE, guard);
			struct vm_struct *vm = get_vm_area(bytes, align, flags);

			if (want < 0 || nlive == VMAP_MAX_AREAS) {
				if (!IS_ERR(vm) && bad++ < 5)
					printf("# step %d: got an area, model says full\n", step);
				continue;
			}
			if (IS_ERR(vm) || vm->addr != BASE + (unsigned long)want * PAGE_SIZE) {
				if (bad++ < 5)
					printf("# step %d: %zu bytes align %zu: "
					       "got %#lx want %#lx\n",
					       step, bytes, align, IS_ERR(vm) ? 0UL : vm->addr,
					       BASE + (unsigned long)want * PAGE_SIZE);
				continue;
			}
			for (unsigned long q = 0; q < n; q++)
				owner[want + q] = (int)nlive + 1;
			if (guard)
				owner[want + n] = -1;
			live[nlive++] = (struct model_area){ vm, (unsigned long)want, n, guard };
		} else {
			unsigned int i = (unsigned int)rand() % nlive;
			struct model_area m = live[i];

			CHECK_EQ(free_vm_area(m.vm), 0);
			for (unsigned long q = 0; q < m.n + m.guard; q++)
				owner[m.first + q] = 0;
			live[i] = live[--nlive];
			/* owner ids must follow the move of live[nlive] to slot i */
			for (unsigned long q = 0; i < nlive && q < live[i].n; q++)
				owner[live[i].first + q] = (int)i + 1;
		}
		/* Lookups and stats against the model. */
		unsigned long p = (unsigned long)rand() % NPAGES;
		struct vm_struct *f = find_vm_area(BASE + p * PAGE_SIZE + 17);
		if (owner[p] > 0 ? f != live[owner[p] - 1].vm : f != NULL) {
			if (bad++ < 5)
				printf("# step %d: find_vm_area(page %lu) disagrees\n", step, p);
		}
		struct vmalloc_stats st;
		unsigned long free_pages = 0, runs = 0;

		vmalloc_get_stats(&st);
		for (unsigned long q = 0; q < NPAGES; q++) {
			free_pages += owner[q] == 0;
			runs += owner[q] == 0 && (q == 0 || owner[q - 1] != 0);
		}
		if (st.free_bytes != free_pages * PAGE_SIZE || st.nr_free_ranges != runs ||
		    st.nr_areas != nlive) {
			if (bad++ < 5)
				printf("# step %d: stats free %zu/%lu ranges %u/%lu areas %u/%u\n",
				       step, st.free_bytes, free_pages * PAGE_SIZE,
				       st.nr_free_ranges, runs,
				       st.nr_areas, nlive);
		}
	}
	CHECK_EQ(bad, 0);
	while (nlive)
		CHECK_EQ(free_vm_area(live[--nlive].vm), 0);
	struct vmalloc_stats st;
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_free_ranges, 1);
	CHECK_EQ(st.free_bytes, NPAGES * PAGE_SIZE);
}

static const struct tap_case cases[] = {
	TAP_CASE(get_before_init_is_einval),
	TAP_CASE(alignment_and_guard_pages),
	TAP_CASE(exhaustion_of_space_and_descriptors),
	TAP_CASE(free_coalesces_neighbours),
	TAP_CASE(random_ops_match_first_fit_model),
};

TAP_MAIN("mm_vmalloc", cases)
