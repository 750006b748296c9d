// SPDX-License-Identifier: BSD-2-Clause
// stop_machine() for the single-threaded host tests: no other CPU to park, @fn just runs.
#include <platform/stop_machine.h>

static unsigned long count;

int stop_machine(int (*fn)(void *data), void *data)
{
	count++;
	return fn(data);
}

unsigned long stop_machine_count(void)
{
	return count;
}
