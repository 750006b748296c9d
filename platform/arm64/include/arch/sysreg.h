// SPDX-License-Identifier: BSD-2-Clause
// System register access and the few register fields the boot code uses.
#ifndef ZONEDEV_ARCH_SYSREG_H
#define ZONEDEV_ARCH_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg)                                                  \
	({                                                                \
		uint64_t __v;                                             \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v)::"memory"); \
		__v;                                                      \
	})

#define write_sysreg(reg, val) \
	__asm__ volatile("msr " #reg ", %x0" ::"rZ"((uint64_t)(val)) : "memory")

#define isb() __asm__ volatile("isb" ::: "memory")

/* MIDR_EL1 */
#define MIDR_IMPLEMENTER(midr) (((midr) >> 24) & 0xff)
#define MIDR_VARIANT(midr) (((midr) >> 20) & 0xf)
#define MIDR_PARTNUM(midr) (((midr) >> 4) & 0xfff)
#define MIDR_REVISION(midr) ((midr) & 0xf)

/* ID_AA64DFR0_EL1.PMUVer: 0 none, 0xf IMPLEMENTATION DEFINED (not PMUv3) */
#define ID_AA64DFR0_PMUVER(dfr0) (((dfr0) >> 8) & 0xf)

/* PMCR_EL0 */
#define PMCR_E (1u << 0)
#define PMCR_P (1u << 1)
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

/* PMU common event: architecturally executed instructions */
#define PMU_EVT_INST_RETIRED 0x08

#endif
