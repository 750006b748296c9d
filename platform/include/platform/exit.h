// SPDX-License-Identifier: BSD-2-Clause
// Run status (SPEC "Results and exit status") and the one way out of the kernel.
#ifndef ZONEDEV_PLATFORM_EXIT_H
#define ZONEDEV_PLATFORM_EXIT_H

#include <platform/types.h>

enum zonedev_status {
	STATUS_OK = 0,
	STATUS_TEST_FAILED = 1,
	STATUS_INVALID_INPUT = 2,
	STATUS_PANIC = 3,
};

/**
 * invalid_input() - count one piece of invalid input (device tree, boot argument, info block).
 * The caller has already printed what is wrong; the run's status becomes at least 2.
 */
void invalid_input(void);
/** invalid_input_count() - how many were counted so far. */
int invalid_input_count(void);

/**
 * plat_exit() - print the result line if not yet printed and leave with @status through the
 * arch's exit device. Never returns.
 */
__noreturn void plat_exit(int status);

/**
 * exit_note_statusless() - for arch_exit(): say, at any log level, that the exit about to be
 * tried (@how) loses the status, so ci/qemu-run reads it from the result line instead of
 * QEMU's exit code. The text after "exit: <how>: " is what the runner looks for.
 */
void exit_note_statusless(const char *how);
/**
 * exit_syscon_poweroff() - for arch_exit(): write the tree's syscon-poweroff register, if it has
 * one (the status is lost, and said so); returns if the machine is still running.
 */
void exit_syscon_poweroff(void);
/** exit_note_parked() - for arch_exit(): nothing ended the run; the CPU parks after this. */
void exit_note_parked(void);

#endif
