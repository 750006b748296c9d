// SPDX-License-Identifier: BSD-2-Clause
// printk: level filter and a Linux-style "[seconds.micros]" stamp from the arch counter.
#include <string.h>

#include <platform/arch.h>
#include <platform/console.h>
#include <platform/printk.h>

static int console_loglevel = LOGLEVEL_INFO;
static bool at_line_start = true;

void printk_set_level(int level)
{
	console_loglevel = level;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int level = LOGLEVEL_INFO;
	bool cont = false;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == 'c')
			cont = true;
		else if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		fmt += 2;
	}
	if (!cont && level > console_loglevel)
		return 0;

	int n = vscnprintf(buf, sizeof(buf), fmt, ap);
	unsigned long flags = console_lock();
	if (!cont && !at_line_start)
		console_write("\n", 1);
	if (!cont || at_line_start) {
		char stamp[32];
		uint64_t hz = arch_counter_hz();
		uint64_t t = arch_counter();
		uint64_t us = hz ? (t % hz) * 1000000 / hz : 0;
		int sn = scnprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
				   (unsigned long long)(hz ? t / hz : 0), (unsigned long long)us);
		console_write(stamp, (size_t)sn);
		if (level <= LOGLEVEL_ERR)
			console_write("error: ", 7);
		else if (level == LOGLEVEL_WARNING)
			console_write("warning: ", 9);
	}
	console_write(buf, (size_t)n);
	at_line_start = n > 0 ? buf[n - 1] == '\n' : at_line_start;
	console_unlock(flags);
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
