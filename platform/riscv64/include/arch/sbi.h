// SPDX-License-Identifier: BSD-2-Clause
// Calls into the SBI firmware (OpenSBI). SBI error codes are converted to errno here, once.
#ifndef ZONEDEV_ARCH_SBI_H
#define ZONEDEV_ARCH_SBI_H

#include <platform/types.h>

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_LEGACY_PUTCHAR 0x01

/**
 * struct sbi_info - what the firmware said at probe time
 * @spec_major, @spec_minor: SBI specification version
 * @impl_id, @impl_version: implementation (1 = OpenSBI)
 * @has_*: extension probed present
 */
struct sbi_info {
	unsigned int spec_major, spec_minor;
	long impl_id, impl_version;
	bool has_time, has_ipi, has_rfence, has_hsm, has_srst, has_dbcn;
};

extern struct sbi_info sbi_info;

/** sbi_probe() - fill sbi_info (base extension calls). Return: 0 or -errno. */
int sbi_probe(void);
/** sbi_console_putchar() - one byte through DBCN when probed, else the legacy call. */
void sbi_console_putchar(char c);
/** sbi_set_timer() - TIME: raise STIP once time >= @stime_value (clears a pending one). */
int sbi_set_timer(uint64_t stime_value);
/** sbi_system_reset() - SRST (type 0 shutdown, reason 0 none / 1 failure). Return: -errno. */
int sbi_system_reset(uint32_t type, uint32_t reason);
/** sbi_legacy_shutdown() - the v0.1 shutdown call, for firmware without SRST. */
void sbi_legacy_shutdown(void);
/** sbi_hart_start()/sbi_hart_get_status(): HSM. Return: 0 / status, or -errno. */
int sbi_hart_start(unsigned long hartid, unsigned long start_phys, unsigned long opaque);
int sbi_hart_get_status(unsigned long hartid);
/** sbi_send_ipi() - raise a supervisor software interrupt on the harts of the mask. */
int sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
/**
 * sbi_remote_sfence_vma() - SFENCE.VMA of [@start, @start + @size) on the harts of the mask
 * (RFENCE extension; the firmware interrupts and fences them, whatever they are doing).
 * @size ~0UL (or start 0, size 0) means the whole address space.
 */
int sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
			  unsigned long start, unsigned long size);
/** sbi_impl_name() - "OpenSBI", "BBL", ... from the implementation id. */
const char *sbi_impl_name(long id);

#endif
