// SPDX-License-Identifier: BSD-2-Clause
// PSCI calls (Arm DEN 0022, SMC Calling Convention DEN 0028) through hvc or smc as the device
// tree says. PSCI return codes become errno here and nowhere else.
#include <platform/errno.h>
#include <arch/psci.h>

/* PSCI return codes (DEN 0022 section 5.2.2). */
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED -1
#define PSCI_RET_INVALID_PARAMETERS -2
#define PSCI_RET_DENIED -3
#define PSCI_RET_ALREADY_ON -4
#define PSCI_RET_ON_PENDING -5
#define PSCI_RET_INTERNAL_FAILURE -6
#define PSCI_RET_NOT_PRESENT -7
#define PSCI_RET_DISABLED -8
#define PSCI_RET_INVALID_ADDRESS -9

static enum bi_psci_conduit conduit = BI_PSCI_NONE;

void psci_set_conduit(enum bi_psci_conduit c)
{
	conduit = c;
}

const char *psci_conduit_name(void)
{
	switch (conduit) {
	case BI_PSCI_HVC:
		return "hvc";
	case BI_PSCI_SMC:
		return "smc";
	default:
		return "none";
	}
}

/*
 * SMCCC: function id in w0, arguments in x1..x3, result in x0 (PSCI results are 32-bit,
 * signed, also for the SMC64 calls). SMCCC v1.0 lets the firmware clobber x4..x17.
 */
static int32_t psci_call(uint32_t fn, uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = arg0;
	register uint64_t x2 __asm__("x2") = arg1;
	register uint64_t x3 __asm__("x3") = arg2;

	if (conduit == BI_PSCI_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	return (int32_t)x0;
}

static int psci_to_errno(int32_t ret)
{
	switch (ret) {
	case PSCI_RET_SUCCESS:
		return 0;
	case PSCI_RET_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case PSCI_RET_INVALID_PARAMETERS:
		return -EINVAL;
	case PSCI_RET_DENIED:
		return -EPERM;
	case PSCI_RET_ALREADY_ON:
	case PSCI_RET_ON_PENDING:
		return -EBUSY;
	case PSCI_RET_INTERNAL_FAILURE:
		return -EIO;
	case PSCI_RET_NOT_PRESENT:
	case PSCI_RET_DISABLED:
		return -ENODEV;
	case PSCI_RET_INVALID_ADDRESS:
		return -EFAULT;
	default:
		return -EIO;
	}
}

/* For calls whose non-negative results are values rather than SUCCESS. */
static int psci_value(int32_t ret)
{
	return ret >= 0 ? ret : psci_to_errno(ret);
}

int psci_version(void)
{
	if (conduit == BI_PSCI_NONE)
		return -ENODEV;
	return psci_value(psci_call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0));
}

int psci_cpu_on(uint64_t mpidr, phys_addr_t entry, uint64_t context_id)
{
	if (conduit == BI_PSCI_NONE)
		return -ENODEV;
	return psci_to_errno(psci_call(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context_id));
}

int psci_cpu_off(void)
{
	if (conduit == BI_PSCI_NONE)
		return -ENODEV;
	return psci_to_errno(psci_call(PSCI_0_2_FN_CPU_OFF, 0, 0, 0));
}

int psci_affinity_info(uint64_t mpidr, unsigned int lowest_level)
{
	if (conduit == BI_PSCI_NONE)
		return -ENODEV;
	return psci_value(psci_call(PSCI_0_2_FN64_AFFINITY_INFO, mpidr, lowest_level, 0));
}

int psci_system_off(void)
{
	if (conduit == BI_PSCI_NONE)
		return -ENODEV;
	return psci_to_errno(psci_call(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0));
}

int arm64_probe_hvc(uint32_t fn, uint64_t *ret);
int arm64_probe_smc(uint32_t fn, uint64_t *ret);

int psci_system_off_probe(enum bi_psci_conduit c)
{
	uint64_t ret = 0;
	int err;

	if (c == BI_PSCI_HVC)
		err = arm64_probe_hvc(PSCI_0_2_FN_SYSTEM_OFF, &ret);
	else if (c == BI_PSCI_SMC)
		err = arm64_probe_smc(PSCI_0_2_FN_SYSTEM_OFF, &ret);
	else
		return -ENODEV;
	return err ? err : psci_to_errno((int32_t)ret);
}

int psci_system_reset(void)
{
	if (conduit == BI_PSCI_NONE)
		return -ENODEV;
	return psci_to_errno(psci_call(PSCI_0_2_FN_SYSTEM_RESET, 0, 0, 0));
}
