// SPDX-License-Identifier: BSD-2-Clause
// Making stores to persistent memory durable: write the cache lines back to the point of
// persistence and order that before later stores (Linux arch_wb_cache_pmem() + pmem_wmb()).
#ifndef ZONEDEV_PLATFORM_CACHEFLUSH_H
#define ZONEDEV_PLATFORM_CACHEFLUSH_H

#include <platform/bootinfo.h>
#include <platform/types.h>

/**
 * arch_wb_cache_pmem() - write back every cache line of [@addr, @addr + @size) and wait for it
 * @addr: a mapped kernel address (linear map or memremap()); any alignment
 *
 * riscv64: Zicbom cbo.flush per cache block when the tree says the hart has it (block size from
 * "riscv,cbom-block-size"), then a fence; without Zicbom a fence only: the platform is then
 * assumed to keep its caches coherent with memory (QEMU does; so must a board that lists no
 * Zicbom). arm64: DC CVAP (clean to the point of persistence) when ID_AA64ISAR1_EL1.DPB says
 * the CPU has it, else DC CVAC (point of coherency), per CTR_EL0 line, then DSB.
 */
void arch_wb_cache_pmem(void *addr, size_t size);

/** arch_pmem_flush_name() - what arch_wb_cache_pmem() uses here, for the log ("dc cvap"...). */
const char *arch_pmem_flush_name(void);

/** arch_pmem_flush_lines() - cache lines written back so far (a metric). */
unsigned long arch_pmem_flush_lines(void);

/** cacheflush_init() - choose the method from the CPU and @bi; called by arch_setup(). */
void cacheflush_init(const struct boot_info *bi);

#endif
