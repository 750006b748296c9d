// SPDX-License-Identifier: BSD-2-Clause
// The run's status: invalid input is counted as it is found; plat_exit() prints the result.
#include <platform/arch.h>
#include <platform/exit.h>
#include <string.h>

#include <platform/boot.h>
#include <platform/console.h>
#include <platform/paging.h>
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

/*
 * The tree's syscon-poweroff register. Mapped only now: the exit comes once, and before paging
 * the boot identity map reaches it.
 */
void exit_syscon_poweroff(void)
{
	const struct boot_info *bi = &boot.bi;
	volatile uint32_t *reg;

	if (!boot.dt_valid || !bi->poweroff_base)
		return;
	reg = paging_installed() ? ioremap(bi->poweroff_base, sizeof(uint32_t)) :
				   (volatile uint32_t *)arch_early_ioremap(bi->poweroff_base);
	if (!reg)
		return;
	exit_note_statusless("syscon-poweroff");
	*reg = (*reg & ~bi->poweroff_mask) | (bi->poweroff_value & bi->poweroff_mask);
	/* Give the write time to land before trying the next way out. */
	for (volatile int i = 0; i < 1000000; i++)
		;
}

void exit_note_parked(void)
{
	exit_line("exit: nothing powered the machine off: parked (the result line above is the "
		  "status)", "\n");
}
