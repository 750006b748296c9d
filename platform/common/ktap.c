// SPDX-License-Identifier: BSD-2-Clause
// KTAP v1 writer and the run's result line. Output goes straight to the console, without printk's
// timestamps, so a parser reads it as the kernel's own KUnit output would be read.
//
// The run's status is in the stream too: after the suites comes one more top-level test,
// "invalid_input" (not ok when the run found invalid input), or "panic" when the run ends in a
// panic or trap. A generic KTAP/TAP reader (kunit.py parse, tap-parser) then fails exactly when
// the status is not 0, without knowing about the zonedev-result line.
#include <stdio.h>
#include <string.h>

#include <platform/arch.h>
#include <platform/console.h>
#include <platform/exit.h>
#include <platform/ktap.h>
#include <platform/printk.h>

#define MAX_METRICS 64
#define MAX_RESULT_KEYS 16

static struct {
	char name[48];
	uint64_t value;
	char unit[16];
} metrics[MAX_METRICS];
static unsigned int nr_metrics;

static struct {
	const char *key;
	char value[48];
} result_keys[MAX_RESULT_KEYS];
static unsigned int nr_result_keys;

static unsigned int passed, failed, skipped;
static bool finished;

/*
 * Where the stream is, so a panic can close it: the top-level plan announced by ktap_begin()
 * (0: not begun), the suite and case running, the status slot once printed.
 */
static const struct ktap_suite *const *planned;
static size_t nr_suites_planned;
static size_t next_suite = 1;
static const struct ktap_suite *cur_suite;
static size_t cur_suite_num, cur_case;
static bool status_printed;
static char invalid_detail[160];

static void ktap_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vscnprintf(buf, sizeof(buf), fmt, ap);
	unsigned long flags = console_lock();

	console_write(buf, (size_t)n);
	console_unlock(flags);
}

void ktap_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vprintf(fmt, ap);
	va_end(ap);
}

void ktap_fail(struct ktap_test *t, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ktap_printf("        # %s: %s:%d: %s\n", t->name, file, line, msg);
	t->result = KTAP_FAIL;
}

void ktap_skip(struct ktap_test *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(t->skip_reason, sizeof(t->skip_reason), fmt, ap);
	va_end(ap);
	if (t->result == KTAP_PASS)
		t->result = KTAP_SKIP;
}

void ktap_metric(const char *name, uint64_t value, const char *unit)
{
	ktap_printf("# metric %s %llu %s\n", name, (unsigned long long)value, unit);
	for (unsigned int i = 0; i < nr_metrics; i++) {
		if (!strcmp(metrics[i].name, name)) {
			metrics[i].value = value;
			return;
		}
	}
	if (nr_metrics == MAX_METRICS)
		return;
	scnprintf(metrics[nr_metrics].name, sizeof(metrics[0].name), "%s", name);
	scnprintf(metrics[nr_metrics].unit, sizeof(metrics[0].unit), "%s", unit);
	metrics[nr_metrics++].value = value;
}

void ktap_result_set(const char *key, const char *value)
{
	unsigned int i;

	for (i = 0; i < nr_result_keys; i++)
		if (!strcmp(result_keys[i].key, key))
			break;
	if (i == MAX_RESULT_KEYS)
		return;
	if (i == nr_result_keys)
		nr_result_keys++;
	result_keys[i].key = key;
	scnprintf(result_keys[i].value, sizeof(result_keys[i].value), "%s", value);
}

void ktap_begin(const struct ktap_suite *const *suites, size_t nr_suites)
{
	/* One more than the suites: the status test ktap_finish() or ktap_abort() prints last. */
	planned = suites;
	nr_suites_planned = nr_suites;
	ktap_printf("KTAP version 1\n1..%zu\n", nr_suites + 1);
}

void ktap_invalid_input_detail(const char *detail)
{
	scnprintf(invalid_detail, sizeof(invalid_detail), "%s", detail);
}

static void print_suite_header(const struct ktap_suite *s)
{
	ktap_printf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", s->name, s->nr_cases);
}

void ktap_run_suite(const struct ktap_suite *s, size_t num)
{
	unsigned int p = 0, f = 0, sk = 0;
	char why[96] = "";
	bool skip_all = false;

	print_suite_header(s);
	cur_suite = s;
	cur_suite_num = num;
	cur_case = 0;
	if (s->init && s->init(why, sizeof(why)) != 0)
		skip_all = true;
	for (size_t i = 0; i < s->nr_cases; i++) {
		struct ktap_test t = { .name = s->cases[i].name, .result = KTAP_PASS };

		cur_case = i + 1;
		if (skip_all)
			ktap_skip(&t, "%s", why);
		else
			s->cases[i].run(&t);
		switch (t.result) {
		case KTAP_PASS:
			ktap_printf("    ok %zu %s\n", i + 1, t.name);
			p++;
			break;
		case KTAP_FAIL:
			ktap_printf("    not ok %zu %s\n", i + 1, t.name);
			f++;
			break;
		case KTAP_SKIP:
			pr_debug("ktap: %s:%s skipped by %s: %s\n", s->name, t.name,
				 skip_all ? "the suite's init, for every case" : "the case itself",
				 t.skip_reason);
			ktap_printf("    ok %zu %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
			sk++;
			break;
		}
	}
	cur_suite = NULL;
	next_suite = num + 1;
	passed += p;
	failed += f;
	skipped += sk;
	ktap_printf("    # %s: pass:%u fail:%u skip:%u total:%zu\n", s->name, p, f, sk, s->nr_cases);
	if (f)
		ktap_printf("not ok %zu %s\n", num, s->name);
	else if (p == 0 && sk)
		ktap_printf("ok %zu %s # SKIP %s\n", num, s->name, skip_all ? why : "all cases skipped");
	else
		ktap_printf("ok %zu %s\n", num, s->name);
}

void ktap_skip_suite(const struct ktap_suite *s, size_t num, const char *why)
{
	pr_debug("ktap: suite %s not run: %s\n", s->name, why);
	print_suite_header(s);
	for (size_t i = 0; i < s->nr_cases; i++)
		ktap_printf("    ok %zu %s # SKIP %s\n", i + 1, s->cases[i].name, why);
	skipped += (unsigned int)s->nr_cases;
	ktap_printf("    # %s: pass:0 fail:0 skip:%zu total:%zu\n", s->name, s->nr_cases, s->nr_cases);
	ktap_printf("ok %zu %s # SKIP %s\n", num, s->name, why);
	next_suite = num + 1;
}

/* The status test is the last top-level one: its number is the plan's. */
static size_t status_num(void)
{
	return nr_suites_planned + 1;
}

void ktap_abort(const char *reason)
{
	if (status_printed || finished)
		return;
	status_printed = true;
	if (!nr_suites_planned) {
		/* Before the suites: a stream of its own, so a parser still sees the failure. */
		ktap_printf("KTAP version 1\n1..1\n");
	} else {
		if (cur_suite) {
			/* The case running is the one that did not finish; its suite failed with it. */
			if (cur_case)
				ktap_printf("    not ok %zu %s # panic\n", cur_case,
					    cur_suite->cases[cur_case - 1].name);
			if (cur_case)
				failed++;
			for (size_t i = cur_case + 1; i <= cur_suite->nr_cases; i++)
				ktap_printf("    ok %zu %s # SKIP not run: %s\n", i,
					    cur_suite->cases[i - 1].name, reason);
			ktap_printf("not ok %zu %s\n", cur_suite_num, cur_suite->name);
			next_suite = cur_suite_num + 1;
			cur_suite = NULL;
		}
		for (size_t i = next_suite; i <= nr_suites_planned; i++)
			ktap_printf("ok %zu %s # SKIP not run: %s\n", i, planned[i - 1]->name, reason);
	}
	ktap_printf("# panic: the run ended early (%s); status 3\n", reason);
	ktap_printf("not ok %zu panic\n", status_num());
}

static void print_status_test(void)
{
	int n = invalid_input_count();

	if (status_printed || !nr_suites_planned)
		return;
	status_printed = true;
	if (n)
		ktap_printf("# invalid_input: %d problem%s%s%s (the errors above name each)\n", n,
			    n == 1 ? "" : "s", invalid_detail[0] ? ": " : "", invalid_detail);
	ktap_printf("%s %zu invalid_input\n", n ? "not ok" : "ok", status_num());
}

void ktap_counts(unsigned int *p, unsigned int *f, unsigned int *s)
{
	*p = passed;
	*f = failed;
	*s = skipped;
}

/*
 * The result line is written in pieces through one buffer, flushed when the next piece would not
 * fit: with every suite on 4 CPUs and hugepages_1g= the metrics passed 2 KiB, and a line cut
 * there was no JSON (and carried the count line on its end).
 */
static void result_put(char *buf, size_t cap, size_t *n, const char *piece, size_t len)
{
	if (*n + len > cap) {
		console_write(buf, *n);
		*n = 0;
	}
	if (len > cap) {
		console_write(piece, len);
		return;
	}
	memcpy(buf + *n, piece, len);
	*n += len;
}

void ktap_finish(int status, const char *reason)
{
	char buf[1024], piece[256];
	size_t n = 0;

	if (finished)
		return;
	if (status == STATUS_PANIC)
		ktap_abort(reason && *reason ? reason : "panic");
	else
		print_status_test();
	finished = true;
#define PUT(...) result_put(buf, sizeof(buf), &n, piece, \
			    (size_t)scnprintf(piece, sizeof(piece), __VA_ARGS__))
	PUT("zonedev-result: {\"status\": %d, \"arch\": \"%s\"", status, arch_name());
	for (unsigned int i = 0; i < nr_result_keys; i++)
		PUT(", \"%s\": \"%s\"", result_keys[i].key, result_keys[i].value);
	if (reason && *reason) {
		PUT(", \"reason\": \"");
		result_put(buf, sizeof(buf), &n, reason, strlen(reason));
		PUT("\"");
	}
	PUT(", \"passed\": %u, \"failed\": %u, \"skipped\": %u, \"metrics\": {", passed, failed,
	    skipped);
	for (unsigned int i = 0; i < nr_metrics; i++)
		PUT("%s\"%s\": %llu", i ? ", " : "", metrics[i].name,
		    (unsigned long long)metrics[i].value);
	PUT("}}\n");
#undef PUT
	console_write(buf, n);
	ktap_printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
}
