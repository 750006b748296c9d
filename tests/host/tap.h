// SPDX-License-Identifier: BSD-2-Clause
// Minimal TAP 13 producer for host unit tests (read by `meson test` with protocol: 'tap').
// A case is a function; checks record failures with file:line and the case ends as not ok.
#ifndef ZONEDEV_TESTS_TAP_H
#define ZONEDEV_TESTS_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct tap_case {
	const char *name;
	void (*fn)(void);
};

extern int tap_failed_checks;

#define TAP_CASE(fn) { #fn, fn }

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			tap_failed_checks++;                                               \
		}                                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                                         \
	do {                                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);                              \
		if (_a != _b) {                                                                \
			printf("# %s:%d: %s == %s: got %lld (0x%llx), expected %lld (0x%llx)\n", \
			       __FILE__, __LINE__, #a, #b, _a, (unsigned long long)_a, _b,       \
			       (unsigned long long)_b);                                        \
			tap_failed_checks++;                                                   \
		}                                                                              \
	} while (0)

#define CHECK_STREQ(a, b)                                                                      \
	do {                                                                                   \
		const char *_a = (a), *_b = (b);                                                \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                        \
			printf("# %s:%d: %s == %s: got \"%s\", expected \"%s\"\n", __FILE__,       \
			       __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");         \
			tap_failed_checks++;                                                   \
		}                                                                              \
	} while (0)

/* Runs every case, prints the TAP stream; returns the process exit status (0: all ran). */
int tap_run(const char *suite, const struct tap_case *cases, size_t n);

#define TAP_MAIN(suite, cases)                                                   \
	int tap_failed_checks;                                                   \
	int main(void)                                                           \
	{                                                                        \
		return tap_run(suite, cases, sizeof(cases) / sizeof((cases)[0])); \
	}                                                                        \
	int tap_run(const char *s, const struct tap_case *c, size_t n)          \
	{                                                                        \
		printf("TAP version 13\n1..%zu\n", n);                           \
		for (size_t i = 0; i < n; i++) {                                 \
			tap_failed_checks = 0;                                   \
			c[i].fn();                                               \
			printf("%s %zu %s:%s\n", tap_failed_checks ? "not ok" : "ok", \
			       i + 1, s, c[i].name);                             \
			fflush(stdout);                                          \
		}                                                                \
		return 0;                                                        \
	}

#endif
