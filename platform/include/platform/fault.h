// SPDX-License-Identifier: BSD-2-Clause
// Expected faults: a test does one access through a probe; if it faults, the trap handler
// records what the hardware reported and resumes the probe, which returns -EFAULT. Any fault
// outside a probe stays fatal (status 3) and prints the walk of the faulting address.
#ifndef ZONEDEV_PLATFORM_FAULT_H
#define ZONEDEV_PLATFORM_FAULT_H

#include <platform/types.h>

enum fault_access { FAULT_READ, FAULT_WRITE, FAULT_EXEC };

/**
 * struct fault_record - the last fault a probe caught
 * @access: what the probe did
 * @addr: faulting address the hardware reported (stval / FAR)
 * @pc: where it faulted
 * @cause: raw cause (riscv scause, arm64 ESR_EL1)
 * @is_permission: a permission fault (mapping present, access not allowed) rather than a
 *		   translation fault (no mapping); riscv cannot tell them apart from the cause, so
 *		   the handler looks the address up in the page table
 * @what: decoded description
 */
struct fault_record {
	enum fault_access access;
	uintptr_t addr;
	uintptr_t pc;
	uint64_t cause;
	bool is_permission;
	char what[96];
};

/** probe_read() - read 8 bytes at @addr into @val. Return: 0, or -EFAULT if it faulted. */
int probe_read(const volatile void *addr, uint64_t *val);
/** probe_write() - write @val (8 bytes) at @addr. Return: 0, or -EFAULT if it faulted. */
int probe_write(volatile void *addr, uint64_t val);
/**
 * probe_exec() - call @addr as a function taking and returning nothing. Return: 0 if it ran and
 * returned, -EFAULT if fetching its first instruction faulted.
 */
int probe_exec(const void *addr);

/** fault_last() - the record of the most recent caught fault. */
const struct fault_record *fault_last(void);

/** fault_caught_count() - how many faults probes caught so far (a metric). */
unsigned long fault_caught_count(void);

/** fault_record_caught() - for the arch trap handlers: store @r as the last caught fault. */
void fault_record_caught(const struct fault_record *r);

#endif
