// SPDX-License-Identifier: BSD-2-Clause
// Simulated physical memory for host tests of mm/: one aligned host allocation standing for RAM
// at PHYSMEM_BASE, __va()/__pa() pointed at it through va_pa_offset, and a page allocator for
// table pages that catches leaks, double frees and use after free (freed pages are poisoned).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <platform/memory.h>
#include <mm/pgtable.h>

#include "physmem.h"

#define NR_PAGES (PHYSMEM_SIZE / PAGE_SIZE)

uintptr_t va_pa_offset;

static unsigned char *mem;
static bool used[NR_PAGES];
static unsigned long outstanding;
static unsigned long cursor;
static long fail_after = -1;

const struct pgtable_page_ops physmem_page_ops = {
	.alloc = physmem_alloc_page,
	.free = physmem_free_page,
};

void physmem_init(void)
{
	if (!mem) {
		mem = aligned_alloc(2 << 20, PHYSMEM_SIZE);
		if (!mem) {
			perror("physmem");
			exit(1);
		}
	}
	memset(mem, 0xa5, PHYSMEM_SIZE);
	memset(used, 0, sizeof(used));
	outstanding = 0;
	cursor = 0;
	fail_after = -1;
	va_pa_offset = (uintptr_t)mem - PHYSMEM_BASE;
}

phys_addr_t physmem_alloc_page(void *ctx)
{
	(void)ctx;
	if (fail_after == 0)
		return 0;
	if (fail_after > 0)
		fail_after--;
	/* next fit, so a freed page is not handed out again at once (use-after-free shows) */
	for (unsigned long n = 0; n < NR_PAGES; n++) {
		unsigned long i = (cursor + n) % NR_PAGES;

		if (!used[i]) {
			used[i] = true;
			outstanding++;
			cursor = i + 1;
			return PHYSMEM_BASE + (phys_addr_t)i * PAGE_SIZE;
		}
	}
	return 0;
}

void physmem_free_page(phys_addr_t pa, void *ctx)
{
	unsigned long i = (unsigned long)((pa - PHYSMEM_BASE) / PAGE_SIZE);

	(void)ctx;
	if (pa < PHYSMEM_BASE || i >= NR_PAGES || pa % PAGE_SIZE || !used[i]) {
		printf("Bail out! physmem: bad free of 0x%llx\n", (unsigned long long)pa);
		abort();
	}
	used[i] = false;
	outstanding--;
	/* all-ones entries are valid in both formats: a use after free shows in the checks */
	memset(mem + i * PAGE_SIZE, 0xff, PAGE_SIZE);
}

unsigned long physmem_outstanding(void)
{
	return outstanding;
}

bool physmem_is_allocated(phys_addr_t pa)
{
	unsigned long i = (unsigned long)((pa - PHYSMEM_BASE) / PAGE_SIZE);

	return pa >= PHYSMEM_BASE && i < NR_PAGES && used[i];
}

void physmem_fail_after(long n)
{
	fail_after = n;
}
