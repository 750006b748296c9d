// SPDX-License-Identifier: BSD-2-Clause
// The run's status: invalid input is counted as it is found; plat_exit() prints the result.
#include <platform/arch.h>
#include <platform/exit.h>
#include <string.h>

#include <platform/console.h>
#include <platform/ktap.h>

static int nr_invalid;

void invalid_input(void)
{
	nr_invalid++;
}

int invalid_input_count(void)
{
	return nr_invalid;
}

__noreturn void plat_exit(int status)
{
	ktap_finish(status, "");
	arch_exit(status);
}

/* Straight to the console: the runner depends on these lines whatever loglevel= says. */
static void exit_line(const char *a, const char *b)
{
	console_write(a, strlen(a));
	console_write(b, strlen(b));
}

void exit_note_statusless(const char *how)
{
	exit_line("exit: ", how);
	exit_line(": QEMU's exit code carries no status, the result line does", "\n");
}

void exit_note_parked(void)
{
	exit_line("exit: nothing powered the machine off: parked (the result line above is the "
		  "status)", "\n");
}
