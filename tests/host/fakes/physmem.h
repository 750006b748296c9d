// SPDX-License-Identifier: BSD-2-Clause
// Host fakes for mm/ page-table tests: a simulated physical memory with a table-page allocator
// (physmem.c) and a log of the TLB maintenance requested (tlbflush_host.c).
#ifndef ZONEDEV_TESTS_FAKES_PHYSMEM_H
#define ZONEDEV_TESTS_FAKES_PHYSMEM_H

#include <platform/types.h>

struct pgtable;
struct pgtable_page_ops;

/* Simulated RAM: PHYSMEM_SIZE bytes at physical PHYSMEM_BASE, reached through __va(). */
#define PHYSMEM_BASE 0x80000000ULL
#define PHYSMEM_SIZE (64ULL << 20)

/** physmem_init() - allocate (once) and reset: every page free, va_pa_offset set, no faults. */
void physmem_init(void);

/** physmem_alloc_page() - a free page (filled with garbage), or 0; counts as outstanding. */
phys_addr_t physmem_alloc_page(void *ctx);

/** physmem_free_page() - give a page back; aborts on a double or foreign free. */
void physmem_free_page(phys_addr_t pa, void *ctx);

/** physmem_outstanding() - pages allocated and not yet freed. */
unsigned long physmem_outstanding(void);

/** physmem_is_allocated() - whether @pa lies in an allocated page. */
bool physmem_is_allocated(phys_addr_t pa);

/** physmem_fail_after() - let @n more allocations succeed, then fail them all (-1: never). */
void physmem_fail_after(long n);

/* The ops to hand to pgtable_set_page_ops(). */
extern const struct pgtable_page_ops physmem_page_ops;

/* ---- TLB flush log (tlbflush_host.c) ---- */

enum fake_flush_kind { FAKE_FLUSH_RANGE, FAKE_FLUSH_ALL };

struct fake_flush {
	enum fake_flush_kind kind;
	uintptr_t start, end;
};

#define FAKE_FLUSH_LOG 64

/* Calls since fake_tlb_reset(); the first FAKE_FLUSH_LOG are kept in fake_flush_log[]. */
extern unsigned long fake_flush_calls;
extern unsigned long fake_flush_all_calls;
extern unsigned long fake_publish_calls;
extern struct fake_flush fake_flush_log[FAKE_FLUSH_LOG];

/*
 * Called at every flush, before it is logged, with the tree state the hardware would see at that
 * moment (used to observe break-before-make). NULL: none.
 */
extern void (*fake_flush_hook)(const struct pgtable *pt, uintptr_t start, uintptr_t end);

/** fake_tlb_reset() - clear the log, the counts and the hook. */
void fake_tlb_reset(void);

#endif
