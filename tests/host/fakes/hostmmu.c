// SPDX-License-Identifier: BSD-2-Clause
// Simulated physical memory in a memfd and a host address window that follows a struct
// pgtable: a SIGSEGV handler is the TLB refill (walk, then mmap the leaf's physical pages at
// the faulting address), the flush hook is the TLB invalidation.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <platform/memory.h>
#include <mm/memblock.h>
#include <mm/pgtable.h>

#include "hostmmu.h"
#include "physmem.h"

uintptr_t va_pa_offset;

static int memfd = -1;
static unsigned char *mem;
static uintptr_t win_start, win_end;
static const struct pgtable *mmu_pt;
static unsigned long faults;

static phys_addr_t mb_alloc(void *ctx)
{
	(void)ctx;
	return memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
}

static void mb_free(phys_addr_t pa, void *ctx)
{
	(void)ctx;
	memblock_phys_free(pa, PAGE_SIZE);
}

const struct pgtable_page_ops memblock_page_ops = { mb_alloc, mb_free, NULL };

static void *reserve(uint64_t size, uint64_t align)
{
	unsigned char *p = mmap(NULL, size + align, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("hostmmu: reserve");
		exit(1);
	}
	return (void *)ALIGN_UP((uintptr_t)p, align);
}

void hostmmu_init(void)
{
	if (memfd < 0) {
		memfd = memfd_create("zonedev-physmem", 0);
		if (memfd < 0 || ftruncate(memfd, HOSTMMU_PHYS_SIZE)) {
			perror("hostmmu: memfd");
			exit(1);
		}
		mem = reserve(HOSTMMU_PHYS_SIZE, 2 << 20);
		if (mmap(mem, HOSTMMU_PHYS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 memfd, 0) == MAP_FAILED) {
			perror("hostmmu: map");
			exit(1);
		}
	}
	memset(mem, 0xa5, HOSTMMU_PHYS_SIZE);
	va_pa_offset = (uintptr_t)mem - HOSTMMU_PHYS_BASE;
	faults = 0;
}

static void drop(uintptr_t s, uintptr_t e)
{
	s = MAX(s, win_start);
	e = MIN(e, win_end);
	if (s < e)
		mmap((void *)s, e - s, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		     -1, 0);
}

static void flush_hook(const struct pgtable *pt, uintptr_t start, uintptr_t end)
{
	if (pt && pt != mmu_pt)
		return;
	if (!pt && start == 0 && end == 0)
		drop(win_start, win_end);
	else
		drop(start, end);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	uintptr_t va = (uintptr_t)si->si_addr;
	struct pgtable_walk_result r;
	static const char msg[] = "Bail out! hostmmu: access to an unmapped vmemmap address\n";

	(void)uc;
	if (mmu_pt && va >= win_start && va < win_end && pgtable_walk(mmu_pt, va, &r) == 0) {
		uint64_t size = pgtable_level_size(r.level);
		uintptr_t leaf_va = va & ~(uintptr_t)(size - 1);
		phys_addr_t pa = r.pa - (va - leaf_va);
		int prot = PROT_READ | (pgprot_val(r.prot) & PGPROT_WRITE ? PROT_WRITE : 0);

		if (pa >= HOSTMMU_PHYS_BASE && pa + size <= HOSTMMU_PHYS_BASE + HOSTMMU_PHYS_SIZE &&
		    mmap((void *)leaf_va, size, prot, MAP_SHARED | MAP_FIXED, memfd,
			 (off_t)(pa - HOSTMMU_PHYS_BASE)) != MAP_FAILED) {
			faults++;
			return;
		}
	}
	if (va >= win_start && va < win_end)
		(void)!write(1, msg, sizeof(msg) - 1);
	signal(sig, SIG_DFL);
}

uintptr_t hostmmu_window(uint64_t size, uint64_t align)
{
	struct sigaction sa;

	if (!win_start) {
		win_start = (uintptr_t)reserve(size, align);
		win_end = win_start + size;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
	}
	return win_start;
}

void hostmmu_attach(const struct pgtable *pt)
{
	mmu_pt = pt;
	drop(win_start, win_end);
	fake_flush_hook = pt ? flush_hook : NULL;
}

unsigned long hostmmu_faults(void)
{
	return faults;
}
