// SPDX-License-Identifier: BSD-2-Clause
// SBI calls (RISC-V SBI specification v1.0+; legacy v0.1 only for putchar/shutdown fallbacks).
#include <platform/errno.h>
#include <arch/sbi.h>

struct sbi_info sbi_info;

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
			       unsigned long a1, unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

/* SBI error codes (spec chapter 3) to errno. */
static int sbi_err(long e)
{
	switch (e) {
	case 0:
		return 0;
	case -2:
		return -EOPNOTSUPP;
	case -3:
		return -EINVAL;
	case -4:
		return -EPERM;
	case -5:
		return -ENOMEM;
	case -6:
		return -EFAULT;
	case -7:
		return -EBUSY;
	case -8:
		return -EEXIST;
	default:
		return -EIO;
	}
}

static bool probe(unsigned long ext)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, 3, ext, 0, 0);
	return r.error == 0 && r.value != 0;
}

int sbi_probe(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, 0, 0, 0, 0);

	if (r.error)
		return sbi_err(r.error);
	sbi_info.spec_major = (unsigned int)((r.value >> 24) & 0x7f);
	sbi_info.spec_minor = (unsigned int)(r.value & 0xffffff);
	sbi_info.impl_id = sbi_ecall(SBI_EXT_BASE, 1, 0, 0, 0).value;
	sbi_info.impl_version = sbi_ecall(SBI_EXT_BASE, 2, 0, 0, 0).value;
	sbi_info.has_time = probe(SBI_EXT_TIME);
	sbi_info.has_ipi = probe(SBI_EXT_IPI);
	sbi_info.has_rfence = probe(SBI_EXT_RFENCE);
	sbi_info.has_hsm = probe(SBI_EXT_HSM);
	sbi_info.has_srst = probe(SBI_EXT_SRST);
	sbi_info.has_dbcn = probe(SBI_EXT_DBCN);
	return 0;
}

void sbi_console_putchar(char c)
{
	if (sbi_info.has_dbcn) {
		/* DBCN console_write_byte (FID 2); fall back to legacy if it refuses. */
		if (sbi_ecall(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0).error == 0)
			return;
	}
	sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

int sbi_set_timer(uint64_t stime_value)
{
	return sbi_err(sbi_ecall(SBI_EXT_TIME, 0, stime_value, 0, 0).error);
}

int sbi_system_reset(uint32_t type, uint32_t reason)
{
	return sbi_err(sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0).error);
}

void sbi_legacy_shutdown(void)
{
	sbi_ecall(0x08, 0, 0, 0, 0);
}

int sbi_hart_start(unsigned long hartid, unsigned long start_phys, unsigned long opaque)
{
	return sbi_err(sbi_ecall(SBI_EXT_HSM, 0, hartid, start_phys, opaque).error);
}

int sbi_hart_get_status(unsigned long hartid)
{
	struct sbiret r = sbi_ecall(SBI_EXT_HSM, 2, hartid, 0, 0);
	return r.error ? sbi_err(r.error) : (int)r.value;
}

const char *sbi_impl_name(long id)
{
	static const char *const names[] = { "BBL", "OpenSBI", "Xvisor", "KVM", "RustSBI",
					     "Diosix", "Coffer", "Xen", "PolarFire HSS" };
	if (id >= 0 && (unsigned long)id < sizeof(names) / sizeof(names[0]))
		return names[id];
	return "unknown";
}

int sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_err(sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0).error);
}

int sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
			  unsigned long start, unsigned long size)
{
	register unsigned long r0 __asm__("a0") = hart_mask;
	register unsigned long r1 __asm__("a1") = hart_mask_base;
	register unsigned long r2 __asm__("a2") = start;
	register unsigned long r3 __asm__("a3") = size;
	register unsigned long r6 __asm__("a6") = 1;
	register unsigned long r7 __asm__("a7") = SBI_EXT_RFENCE;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r6), "r"(r7) : "memory");
	return sbi_err((long)r0);
}
