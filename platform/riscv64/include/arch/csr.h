// SPDX-License-Identifier: BSD-2-Clause
// Supervisor CSR access.
#ifndef ZONEDEV_ARCH_CSR_H
#define ZONEDEV_ARCH_CSR_H

#include <stdint.h>

#define csr_read(csr)                                                \
	({                                                           \
		uint64_t __v;                                        \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory"); \
		__v;                                                 \
	})

#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")

#define SCAUSE_INTERRUPT (1ULL << 63)

#endif
