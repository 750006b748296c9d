// SPDX-License-Identifier: BSD-2-Clause
// Arm semihosting (hlt #0xf000), used only when the runner announced it with exit=semihosting:
// without a debugger or QEMU -semihosting behind it, hlt is an undefined instruction.
#ifndef ZONEDEV_ARCH_SEMIHOST_H
#define ZONEDEV_ARCH_SEMIHOST_H

/**
 * semihost_exit() - SYS_EXIT with ADP_Stopped_ApplicationExit and @status, which QEMU turns into
 * its own exit code. Returns if nothing served the call (and then only if the resulting
 * undefined-instruction exception was survived).
 */
void semihost_exit(int status);

#endif
