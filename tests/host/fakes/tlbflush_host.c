// SPDX-License-Identifier: BSD-2-Clause
// Host implementation of <arch/tlbflush.h>: there is no TLB, so each request is only recorded
// (with an optional hook seeing the tree at that moment) for tests to check what mm/ asked for.
#include <string.h>

#include <arch/tlbflush.h>

#include "physmem.h"

unsigned long fake_flush_calls;
unsigned long fake_flush_all_calls;
unsigned long fake_publish_calls;
struct fake_flush fake_flush_log[FAKE_FLUSH_LOG];
void (*fake_flush_hook)(const struct pgtable *pt, uintptr_t start, uintptr_t end);

static void record(const struct pgtable *pt, enum fake_flush_kind kind, uintptr_t start,
		   uintptr_t end)
{
	if (fake_flush_hook)
		fake_flush_hook(pt, start, end);
	if (fake_flush_calls < FAKE_FLUSH_LOG) {
		fake_flush_log[fake_flush_calls].kind = kind;
		fake_flush_log[fake_flush_calls].start = start;
		fake_flush_log[fake_flush_calls].end = end;
	}
	fake_flush_calls++;
}

void flush_tlb_kernel_range(const struct pgtable *pt, uintptr_t start, uintptr_t end)
{
	record(pt, FAKE_FLUSH_RANGE, start, end);
}

void flush_tlb_all(void)
{
	fake_flush_all_calls++;
	record(NULL, FAKE_FLUSH_ALL, 0, 0);
}

void arch_pgtable_publish(void)
{
	fake_publish_calls++;
}

void fake_tlb_reset(void)
{
	fake_flush_calls = 0;
	fake_flush_all_calls = 0;
	fake_publish_calls = 0;
	fake_flush_hook = NULL;
	memset(fake_flush_log, 0, sizeof(fake_flush_log));
}
