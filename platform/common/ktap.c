// SPDX-License-Identifier: BSD-2-Clause
// KTAP v1 writer and the run's result line. Output goes straight to the console, without printk's
// timestamps, so a parser reads it as the kernel's own KUnit output would be read.
#include <stdio.h>
#include <string.h>

#include <platform/arch.h>
#include <platform/console.h>
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

void ktap_begin(size_t nr_suites)
{
	ktap_printf("KTAP version 1\n1..%zu\n", nr_suites);
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
	if (s->init && s->init(why, sizeof(why)) != 0)
		skip_all = true;
	for (size_t i = 0; i < s->nr_cases; i++) {
		struct ktap_test t = { .name = s->cases[i].name, .result = KTAP_PASS };

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
			ktap_printf("    ok %zu %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
			sk++;
			break;
		}
	}
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
	print_suite_header(s);
	for (size_t i = 0; i < s->nr_cases; i++)
		ktap_printf("    ok %zu %s # SKIP %s\n", i + 1, s->cases[i].name, why);
	skipped += (unsigned int)s->nr_cases;
	ktap_printf("    # %s: pass:0 fail:0 skip:%zu total:%zu\n", s->name, s->nr_cases, s->nr_cases);
	ktap_printf("ok %zu %s # SKIP %s\n", num, s->name, why);
}

void ktap_counts(unsigned int *p, unsigned int *f, unsigned int *s)
{
	*p = passed;
	*f = failed;
	*s = skipped;
}

void ktap_finish(int status, const char *reason)
{
	char buf[2048];
	size_t n = 0;

	if (finished)
		return;
	finished = true;
	n += (size_t)scnprintf(buf + n, sizeof(buf) - n,
			       "zonedev-result: {\"status\": %d, \"arch\": \"%s\"", status,
			       arch_name());
	for (unsigned int i = 0; i < nr_result_keys; i++)
		n += (size_t)scnprintf(buf + n, sizeof(buf) - n, ", \"%s\": \"%s\"",
				       result_keys[i].key, result_keys[i].value);
	if (reason && *reason)
		n += (size_t)scnprintf(buf + n, sizeof(buf) - n, ", \"reason\": \"%s\"", reason);
	n += (size_t)scnprintf(buf + n, sizeof(buf) - n,
			       ", \"passed\": %u, \"failed\": %u, \"skipped\": %u, \"metrics\": {",
			       passed, failed, skipped);
	for (unsigned int i = 0; i < nr_metrics; i++)
		n += (size_t)scnprintf(buf + n, sizeof(buf) - n, "%s\"%s\": %llu", i ? ", " : "",
				       metrics[i].name, (unsigned long long)metrics[i].value);
	n += (size_t)scnprintf(buf + n, sizeof(buf) - n, "}}\n");
	console_write(buf, n);
	ktap_printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
}
