// SPDX-License-Identifier: BSD-2-Clause
// panic(), BUG_ON() and WARN_ON() for broken invariants (never for bad input: that is reported
// and counted with invalid_input()).
#ifndef ZONEDEV_PLATFORM_PANIC_H
#define ZONEDEV_PLATFORM_PANIC_H

#include <platform/types.h>

/** panic() - print the message and a backtrace, report status 3 and stop. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/**
 * panic_finish() - the common end of panic() and of unexpected traps: result line with status 3,
 * then exit. @reason is a short word for the JSON ("panic", "trap").
 */
__noreturn void panic_finish(const char *reason);

#define BUG_ON(cond)                                                                     \
	do {                                                                             \
		if (__builtin_expect(!!(cond), 0))                                       \
			panic("%s: BUG_ON(%s) at %s:%d", __func__, #cond, __FILE__, __LINE__); \
	} while (0)

void warn_slowpath(const char *file, int line, const char *func, const char *cond);

#define WARN_ON(cond)                                                             \
	({                                                                        \
		bool __w = !!(cond);                                              \
		if (__builtin_expect(__w, 0))                                     \
			warn_slowpath(__FILE__, __LINE__, __func__, #cond);      \
		__w;                                                              \
	})

#endif
