// SPDX-License-Identifier: BSD-2-Clause
// In-kernel tests reported as KTAP version 1 (Documentation/dev-tools/ktap.rst): one top-level
// test per suite (phase), one subtest per case, "# metric NAME VALUE UNIT" diagnostics.
#ifndef ZONEDEV_PLATFORM_KTAP_H
#define ZONEDEV_PLATFORM_KTAP_H

#include <platform/types.h>

enum ktap_result { KTAP_PASS, KTAP_FAIL, KTAP_SKIP };

/**
 * struct ktap_test - one running case
 * @name: case name
 * @result: KTAP_PASS until an expectation fails or the case skips itself
 * @skip_reason: printed after "# SKIP"
 */
struct ktap_test {
	const char *name;
	enum ktap_result result;
	char skip_reason[96];
};

struct ktap_case {
	const char *name;
	void (*run)(struct ktap_test *t);
};

/**
 * struct ktap_suite - a phase
 * @name: suite name, as boot argument suites= selects it
 * @cases, @nr_cases: the cases, run in order
 * @init: optional; runs before the cases; a non-zero return skips every case with the text it
 *	  put in @why
 */
struct ktap_suite {
	const char *name;
	const struct ktap_case *cases;
	size_t nr_cases;
	int (*init)(char *why, size_t len);
};

#define KTAP_CASE(fn) { #fn, fn }

/** ktap_printf() - raw KTAP line output (no timestamp, no level). */
void ktap_printf(const char *fmt, ...) __printf(1, 2);

void ktap_fail(struct ktap_test *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
void ktap_skip(struct ktap_test *t, const char *fmt, ...) __printf(2, 3);

#define KTAP_EXPECT(t, cond)                                                               \
	({                                                                                 \
		bool __ok = !!(cond);                                                      \
		if (!__ok)                                                                 \
			ktap_fail(t, __FILE__, __LINE__, "expected %s", #cond);           \
		__ok;                                                                      \
	})

#define KTAP_EXPECT_EQ(t, a, b)                                                                \
	({                                                                                     \
		unsigned long long __a = (unsigned long long)(a), __b = (unsigned long long)(b); \
		bool __ok = __a == __b;                                                        \
		if (!__ok)                                                                     \
			ktap_fail(t, __FILE__, __LINE__, "%s == %s: got %llu (0x%llx), want %llu (0x%llx)", \
				  #a, #b, __a, __a, __b, __b);                                 \
		__ok;                                                                          \
	})

/** ktap_metric() - record "# metric NAME VALUE UNIT" (printed now, kept for the JSON). */
void ktap_metric(const char *name, uint64_t value, const char *unit);

/**
 * ktap_begin() - print the header and the plan: the @nr_suites suites of @suites (numbered from
 * 1 in that order), then the status test (number @nr_suites + 1, see ktap_finish()).
 */
void ktap_begin(const struct ktap_suite *const *suites, size_t nr_suites);
/** ktap_run_suite() - run one suite as top-level test number @num. */
void ktap_run_suite(const struct ktap_suite *s, size_t num);
/** ktap_skip_suite() - report a suite as skipped without running it. */
void ktap_skip_suite(const struct ktap_suite *s, size_t num, const char *why);

/** ktap_counts() - leaf totals so far. */
void ktap_counts(unsigned int *passed, unsigned int *failed, unsigned int *skipped);

/**
 * ktap_finish() - the last lines: the status test ("ok N invalid_input", "not ok N invalid_input"
 * or, for status 3, what ktap_abort() prints), "zonedev-result: {json}" and
 * "N passed, N failed, N skipped" (suite cases only, not the status test).
 * @status: the run's status; @reason: "" or a word saying why the run ended early ("panic").
 * Printed once; later calls do nothing.
 */
void ktap_finish(int status, const char *reason);

/**
 * ktap_abort() - close the stream on a panic or trap: the running case "not ok ... # panic", its
 * suite "not ok", the suites not run skipped, then "not ok N panic". Printed once.
 * @reason: why ("panic", "trap", "stack overflow").
 */
void ktap_abort(const char *reason);

/** ktap_invalid_input_detail() - what the "not ok N invalid_input" diagnostic lists. */
void ktap_invalid_input_detail(const char *detail);

/** ktap_result_set() - add a string member to the final JSON (arch facts, modes). */
void ktap_result_set(const char *key, const char *value);

#endif
