// SPDX-License-Identifier: BSD-2-Clause
// Host stand-in for the kernel log: messages become TAP diagnostics ("# ...") on stdout and the
// last one is kept so tests can assert on what the code under test printed.
#include <stdio.h>
#include <string.h>

#include <platform/printk.h>

#include "fakes.h"

char fake_last_log[1024];
unsigned int fake_log_count;

int vprintk(const char *fmt, va_list ap)
{
	if (fmt[0] == KERN_SOH[0] && fmt[1])
		fmt += 2;
	int n = vscnprintf(fake_last_log, sizeof(fake_last_log), fmt, ap);
	fake_log_count++;
	printf("# %s", fake_last_log);
	if (n == 0 || fake_last_log[n - 1] != '\n')
		printf("\n");
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void printk_set_level(int level)
{
	(void)level;
}
