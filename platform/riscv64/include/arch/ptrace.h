// SPDX-License-Identifier: BSD-2-Clause
// Register frame saved by the trap entry (platform/riscv64/entry.S lays it out in this order).
#ifndef ZONEDEV_ARCH_PTRACE_H
#define ZONEDEV_ARCH_PTRACE_H

#include <stdint.h>

/**
 * struct pt_regs - @x: x0..x31 (x[0] holds sepc's slot-free zero; x[2] the sp at trap time),
 * @sepc, @sstatus, @scause, @stval: the trap CSRs
 */
struct pt_regs {
	uint64_t x[32];
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
};

#define PT_REGS_SIZE (36 * 8)

#endif
