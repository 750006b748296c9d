// SPDX-License-Identifier: BSD-2-Clause
// Bookkeeping of faults caught by probes; the arch trap handlers fill the records.
#include <platform/fault.h>

static struct fault_record last;
static unsigned long caught;

void fault_record_caught(const struct fault_record *r)
{
	last = *r;
	caught++;
}

const struct fault_record *fault_last(void)
{
	return &last;
}

unsigned long fault_caught_count(void)
{
	return caught;
}
