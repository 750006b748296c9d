// SPDX-License-Identifier: BSD-2-Clause
// Persistence flush on riscv64: Zicbom cbo.flush where the tree lists it, else a fence.
#include <platform/cacheflush.h>
#include <platform/printk.h>

bool riscv_isa_has(const struct boot_info *bi, const char *ext);

static uint32_t cbom_block;
static unsigned long lines;

void cacheflush_init(const struct boot_info *bi)
{
	uint32_t b = bi->cbom_block_size;

	cbom_block = 0;
	if (!riscv_isa_has(bi, "zicbom"))
		return;
	/* A block size that is not a power of two in [16, 4096] cannot be stepped over safely. */
	if (b < 16 || b > 4096 || (b & (b - 1))) {
		pr_warn("cpu: Zicbom listed but riscv,cbom-block-size is %u: pmem flushes fall back "
			"to a fence\n", b);
		return;
	}
	cbom_block = b;
}

void arch_wb_cache_pmem(void *addr, size_t size)
{
	uintptr_t p, end = (uintptr_t)addr + size;

	if (cbom_block && size) {
		for (p = (uintptr_t)addr & ~(uintptr_t)(cbom_block - 1); p < end; p += cbom_block) {
			/* cbo.flush 0(p), spelled out: binutils wants zicbom in -march for the name */
			__asm__ volatile(".insn i 0x0f, 2, x0, %0, 2" : : "r"(p) : "memory");
			lines++;
		}
	}
	__asm__ volatile("fence rw, rw" ::: "memory");
}

const char *arch_pmem_flush_name(void)
{
	return cbom_block ? "cbo.flush" : "fence (no Zicbom: caches coherent with memory)";
}

unsigned long arch_pmem_flush_lines(void)
{
	return lines;
}
