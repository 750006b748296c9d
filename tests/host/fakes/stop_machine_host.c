// SPDX-License-Identifier: BSD-2-Clause
// stop_machine() for the single-threaded host tests: no other CPU to park, @fn just runs.
#include <platform/errno.h>
#include <platform/stop_machine.h>

static unsigned long count;

/* Calls still to come that fail as a rendezvous a CPU never joined does (set by tests). */
unsigned int stop_machine_host_timeouts;

int stop_machine(int (*fn)(void *data), void *data)
{
	if (stop_machine_host_timeouts) {
		stop_machine_host_timeouts--;
		return -ETIMEDOUT;
	}
	count++;
	return fn(data);
}

unsigned long stop_machine_count(void)
{
	return count;
}
