// SPDX-License-Identifier: BSD-2-Clause
// vscnprintf(): kernel extensions, truncation, and agreement with the C library elsewhere.
#include <platform/printk.h>

#include "tap.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

static char buf[512];

static void pa_prints_16_hex_digits(void)
{
	phys_addr_t pa = 0x80200000;

	scnprintf(buf, sizeof(buf), "at %pa.", &pa);
	CHECK_STREQ(buf, "at 0x0000000080200000.");
}

static void ph_picks_largest_exact_unit(void)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0 B" },		     { 3, "3 B" },
		{ 4096, "4 KiB" },	     { 1536 * 1024, "1536 KiB" },
		{ 64ULL << 20, "64 MiB" },   { 1ULL << 30, "1 GiB" },
		{ 3ULL << 40, "3 TiB" },     { (1ULL << 30) + 4096, "1048580 KiB" },
		{ 1ULL << 63, "8 EiB" },     { UINT64_MAX, "18446744073709551615 B" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scnprintf(buf, sizeof(buf), "%pH", &cases[i].v);
		CHECK_STREQ(buf, cases[i].s);
	}
}

static void standard_conversions_match_libc(void)
{
	char want[512];

	scnprintf(buf, sizeof(buf), "%d|%5u|%-6x|%#llx|%zu|%s|%c|%%|%08lx|%.3s|%*d|%-*.*s|%hhx|%jd",
		  -42, 7u, 0xabu, 0xdeadbeefULL, (size_t)99, "str", 'z', 0x1234ul, "abcdef", 6, 5,
		  8, 2, "xyz", (unsigned char)0x1ff, (intmax_t)-5);
	snprintf(want, sizeof(want), "%d|%5u|%-6x|%#llx|%zu|%s|%c|%%|%08lx|%.3s|%*d|%-*.*s|%hhx|%jd",
		 -42, 7u, 0xabu, 0xdeadbeefULL, (size_t)99, "str", 'z', 0x1234ul, "abcdef", 6, 5, 8,
		 2, "xyz", (unsigned char)0x1ff, (intmax_t)-5);
	CHECK_STREQ(buf, want);
}

static void truncates_and_counts_written(void)
{
	char small[8];
	int n = scnprintf(small, sizeof(small), "%s-%d", "abcdef", 12345);

	CHECK_STREQ(small, "abcdef-");
	CHECK_EQ(n, 7);
	CHECK_EQ(scnprintf(small, 1, "xyz"), 0);
	CHECK_STREQ(small, "");
}

static void long_plain_string_is_not_cut(void)
{
	char big[400];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	int n = scnprintf(buf, sizeof(buf), "<%s>", big);
	CHECK_EQ(n, 401);
	CHECK_EQ(buf[400], '>');
}

/* Formats a compiler would reject at build time reach the kernel from data too. */
static const char *volatile null_fmt = "%s %pH %pa";
static const char *volatile bad_fmt = "100%q and %";

static void null_and_unknown_are_safe(void)
{
	scnprintf(buf, sizeof(buf), null_fmt, (char *)NULL, (void *)NULL, (void *)NULL);
	CHECK_STREQ(buf, "(null) (null) 0x0000000000000000");
	scnprintf(buf, sizeof(buf), bad_fmt, 1);
	CHECK_STREQ(buf, "100%q and %");
}

static const struct tap_case cases[] = {
	TAP_CASE(pa_prints_16_hex_digits),	    TAP_CASE(ph_picks_largest_exact_unit),
	TAP_CASE(standard_conversions_match_libc), TAP_CASE(truncates_and_counts_written),
	TAP_CASE(long_plain_string_is_not_cut),    TAP_CASE(null_and_unknown_are_safe),
};

TAP_MAIN("vsprintf", cases)
