// SPDX-License-Identifier: BSD-2-Clause
// The run's status: invalid input is counted as it is found; plat_exit() prints the result.
#include <platform/arch.h>
#include <platform/exit.h>
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
