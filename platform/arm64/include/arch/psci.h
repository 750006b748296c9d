// SPDX-License-Identifier: BSD-2-Clause
// PSCI calls (Arm DEN 0022) through the conduit the device tree names. PSCI return codes are
// converted to errno in platform/arm64/psci.c, once; nothing above sees them.
#ifndef ZONEDEV_ARCH_PSCI_H
#define ZONEDEV_ARCH_PSCI_H

#include <platform/bootinfo.h>
#include <platform/types.h>

#define PSCI_0_2_FN_PSCI_VERSION 0x84000000u
#define PSCI_0_2_FN_CPU_OFF 0x84000002u
#define PSCI_0_2_FN64_CPU_ON 0xc4000003u
#define PSCI_0_2_FN64_AFFINITY_INFO 0xc4000004u
#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008u
#define PSCI_0_2_FN_SYSTEM_RESET 0x84000009u

#define PSCI_VERSION_MAJOR(v) (((v) >> 16) & 0x7fff)
#define PSCI_VERSION_MINOR(v) ((v) & 0xffff)

/* AFFINITY_INFO results */
#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2

/**
 * psci_set_conduit() - use @conduit (from the tree's /psci "method") for every later call.
 * BI_PSCI_NONE makes every call fail with -ENODEV without executing hvc/smc (an hvc or smc
 * nobody serves is an undefined instruction, or worse).
 */
void psci_set_conduit(enum bi_psci_conduit conduit);
/** psci_conduit_name() - "hvc", "smc" or "none". */
const char *psci_conduit_name(void);

/** psci_version() - Return: (major << 16 | minor), or -errno. */
int psci_version(void);
/**
 * psci_cpu_on() - start CPU @mpidr at physical @entry at EL1 (or EL2, if we were entered there)
 * with MMU off and x0 = @context_id.
 * Return: 0 (the CPU may still be ON_PENDING), or -errno (-EBUSY: already on or pending).
 */
int psci_cpu_on(uint64_t mpidr, phys_addr_t entry, uint64_t context_id);
/** psci_cpu_off() - power the calling CPU down. Return: only on failure, -errno. */
int psci_cpu_off(void);
/**
 * psci_affinity_info() - state of CPU @mpidr (@lowest_level 0: that CPU alone).
 * Return: PSCI_AFFINITY_ON/OFF/ON_PENDING, or -errno.
 */
int psci_affinity_info(uint64_t mpidr, unsigned int lowest_level);
/** psci_system_off() - power the machine off. Return: only on failure, -errno. */
int psci_system_off(void);
/**
 * psci_system_off_probe() - SYSTEM_OFF through conduit @c whether or not the tree named it: an
 * hvc/smc nobody serves is caught (undefined instruction) instead of trapping.
 * Return: only on failure: -ENOSYS if nothing answered, else the PSCI error as -errno.
 * Never use HVC when we were entered at EL2: our own EL2 would take it, with no vectors.
 */
int psci_system_off_probe(enum bi_psci_conduit c);
/** psci_system_reset() - reset the machine. Return: only on failure, -errno. */
int psci_system_reset(void);

#endif
