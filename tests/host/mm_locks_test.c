// SPDX-License-Identifier: BSD-2-Clause
// mm/ under concurrency: threads play CPUs with the kernel's lock operations (the ticket
// spinlock through platform/common/mm_lock_ops.c) and hammer the VA allocator, the resource
// tree, the memory-type tracker and memremap() at once; every structure must come out whole,
// with counts that add up exactly. Without the locks these lose areas, claims and counts.
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <mm/ioresource.h>
#include <mm/memremap.h>
#include <mm/memtype.h>
#include <mm/mm_lock.h>
#include <mm/vmalloc.h>

#include "tap.h"

/* ---- host stand-ins for what the kernel provides ---- */

_Thread_local unsigned long host_irq_disabled;
static _Thread_local unsigned int this_cpu_id;
uintptr_t va_pa_offset = 0xffffffc000000000UL - 0x80000000UL;

unsigned int smp_processor_id(void)
{
	return this_cpu_id;
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	abort();
}

void mm_locks_init(void);

#define NCPU 4
#define ROUNDS 4000
#define IOREMAP_START 0xffffffd000000000UL
#define IOREMAP_END (IOREMAP_START + SZ_1G)
#define PMEM_BASE 0x100000000ULL

static atomic_int errors;
static atomic_uint maps_made;

struct cpu {
	pthread_t t;
	unsigned int id;
	void *(*fn)(struct cpu *);
};

static void *entry(void *p)
{
	struct cpu *c = p;

	this_cpu_id = c->id;
	return c->fn(c);
}

static void run_cpus(void *(*fn)(struct cpu *))
{
	struct cpu c[NCPU];

	for (unsigned int i = 0; i < NCPU; i++) {
		c[i] = (struct cpu){ .id = i, .fn = fn };
		if (pthread_create(&c[i].t, NULL, entry, &c[i]))
			abort();
	}
	for (unsigned int i = 0; i < NCPU; i++)
		pthread_join(c[i].t, NULL);
}

/* ---- the VA allocator ---- */

static void *vmalloc_cpu(struct cpu *c)
{
	struct vm_struct *held[8] = { 0 };
	unsigned int seed = c->id;

	for (int r = 0; r < ROUNDS; r++) {
		int k = rand_r(&seed) % 8;

		if (held[k]) {
			/* still ours: nobody else was given the same range meanwhile */
			if (find_vm_area(held[k]->addr) != held[k] || held[k]->phys_addr != c->id)
				errors++;
			if (free_vm_area(held[k]))
				errors++;
			held[k] = NULL;
		} else {
			struct vm_struct *a = get_vm_area(PAGE_SIZE * (1 + (size_t)(rand_r(&seed) % 4)),
							  0, VM_IOREMAP);

			if (IS_ERR(a)) {
				errors++;
				continue;
			}
			a->phys_addr = c->id;
			held[k] = a;
		}
	}
	for (int k = 0; k < 8; k++)
		if (held[k] && free_vm_area(held[k]))
			errors++;
	return NULL;
}

static void vmalloc_areas_stay_whole(void)
{
	struct vmalloc_stats st;

	errors = 0;
	CHECK_EQ(vmalloc_init(IOREMAP_START, IOREMAP_END), 0);
	run_cpus(vmalloc_cpu);
	CHECK_EQ(errors, 0);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_areas, 0);
	CHECK_EQ(st.nr_free_ranges, 1);
	CHECK_EQ(st.free_bytes, IOREMAP_END - IOREMAP_START);
}

/* ---- the resource tree ---- */

static void *resource_cpu(struct cpu *c)
{
	for (int r = 0; r < ROUNDS; r++) {
		/* a page of this CPU's own, and one page all CPUs compete for */
		phys_addr_t own = PMEM_BASE + c->id * SZ_1M + (phys_addr_t)(r % 16) * PAGE_SIZE;
		struct resource *res = request_mem_region(own, PAGE_SIZE, "own");
		/* now and then (a lost race prints a message) */
		struct resource *shared = r % 64 ? ERR_PTR(-EBUSY) :
			request_mem_region(PMEM_BASE + SZ_16M, PAGE_SIZE, "shared");

		if (IS_ERR(res))
			errors++;
		else if (region_intersects(own, PAGE_SIZE, IORESOURCE_MEM, IORES_DESC_NONE) !=
			 REGION_INTERSECTS || release_mem_region(own, PAGE_SIZE))
			errors++;
		if (!IS_ERR(shared) && release_mem_region(PMEM_BASE + SZ_16M, PAGE_SIZE))
			errors++;
	}
	return NULL;
}

static void resource_claims_stay_exact(void)
{
	struct resource *pm;
	unsigned int pool;

	errors = 0;
	iomem_reset();
	pm = resource_new(PMEM_BASE, SZ_1G, "Persistent Memory", IORESOURCE_MEM,
			  IORES_DESC_PERSISTENT_MEMORY);
	CHECK(!IS_ERR(pm));
	CHECK_EQ(request_resource(&iomem_resource, pm), 0);
	pool = resource_pool_in_use();
	run_cpus(resource_cpu);
	CHECK_EQ(errors, 0);
	CHECK_EQ(resource_pool_in_use(), pool);
	CHECK(pm->child == NULL);
	iomem_reset();
}

/* ---- memory types and memremap() ---- */

static int fake_map(uintptr_t va, phys_addr_t pa, size_t size, enum memremap_type t, void *ctx)
{
	(void)va, (void)pa, (void)size, (void)t, (void)ctx;
	return 0;
}

static void fake_unmap(uintptr_t va, size_t size, void *ctx)
{
	(void)va, (void)size, (void)ctx;
}

static const struct memremap_ops fake_ops = { .map = fake_map, .unmap = fake_unmap };

static void *memremap_cpu(struct cpu *c)
{
	for (int r = 0; r < ROUNDS / 4; r++) {
		/* own pages in either type; a shared page write-back by all */
		phys_addr_t own = PMEM_BASE + c->id * SZ_1M;
		void *a = memremap(own, PAGE_SIZE, r & 1 ? MEMREMAP_WC : MEMREMAP_WB);
		void *b = memremap(PMEM_BASE + SZ_16M, PAGE_SIZE, MEMREMAP_WB);

		if (!a || !b)
			errors++;
		else
			maps_made += 2;
		/* the shared page is write-back while we hold it: never non-cacheable */
		if (memtype_check(PMEM_BASE + SZ_16M, PMEM_BASE + SZ_16M + PAGE_SIZE,
				  MEMREMAP_TYPE_NC, NULL) != -EBUSY)
			errors++;
		memunmap(a);
		memunmap(b);
	}
	return NULL;
}

static void memremap_counts_and_types_add_up(void)
{
	struct memremap_stats st;

	errors = 0;
	maps_made = 0;
	memtype_reset();
	iomem_reset();
	CHECK_EQ(memremap_init(&fake_ops, IOREMAP_START, IOREMAP_END), 0);
	run_cpus(memremap_cpu);
	CHECK_EQ(errors, 0);
	memremap_get_stats(&st);
	CHECK_EQ(st.live_mappings, 0);
	CHECK_EQ(st.live_bytes, 0);
	CHECK_EQ(st.total_mappings, maps_made);
	CHECK_EQ(st.total_mappings, NCPU * (ROUNDS / 4) * 2);
	CHECK_EQ(memtype_count(), 0);
}

static const struct tap_case cases[] = {
	TAP_CASE(vmalloc_areas_stay_whole),
	TAP_CASE(resource_claims_stay_exact),
	TAP_CASE(memremap_counts_and_types_add_up),
};

/* The kernel installs its lock operations before any mm/ object exists; so does this test. */
__attribute__((constructor)) static void install_locks(void)
{
	mm_locks_init();
}

TAP_MAIN("mm_locks", cases)
