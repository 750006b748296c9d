// SPDX-License-Identifier: BSD-2-Clause
// Arm semihosting exit (Semihosting for AArch32 and AArch64, SYS_EXIT 0x18): the only way a run
// under QEMU returns its status as QEMU's exit code. Only called after exit=semihosting.
#include <stdint.h>

#include <arch/semihost.h>

#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

void semihost_exit(int status)
{
	/* On AArch64 the parameter block is { reason, exit code }, both 64-bit. */
	static uint64_t block[2];
	register uint64_t x0 __asm__("x0") = SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = (uint64_t)status;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}
