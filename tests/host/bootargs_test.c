// SPDX-License-Identifier: BSD-2-Clause
// bootargs_parse(): every known argument, and every way an argument can be wrong.
#include <platform/bootargs.h>

#include "tap.h"

static char last[256];
static int reports;

static void rec(const char *msg, void *ctx)
{
	(void)ctx;
	snprintf(last, sizeof(last), "%s", msg);
	reports++;
}

static int parse(const char *s, struct bootargs *ba)
{
	last[0] = '\0';
	reports = 0;
	int n = bootargs_parse(s, ba, rec, NULL);
	CHECK_EQ(n, reports);
	return n;
}

static void empty_gives_defaults(void)
{
	struct bootargs ba;

	CHECK_EQ(parse("", &ba), 0);
	CHECK_EQ(parse(NULL, &ba), 0);
	CHECK_EQ(parse(" \t\n ", &ba), 0);
	CHECK_EQ(ba.loglevel, 6);
	CHECK_EQ(ba.seed, 1);
	CHECK_EQ(ba.exit, BOOTARGS_EXIT_AUTO);
	CHECK_EQ(ba.nr_suites, 0);
	CHECK(bootargs_wants_suite(&ba, "anything"));
}

static void all_known_arguments(void)
{
	struct bootargs ba;

	CHECK_EQ(parse("suites=fdt,memmap exit=semihosting loglevel=3 seed=0xdeadBEEF crash=load",
		       &ba), 0);
	CHECK_EQ(ba.nr_suites, 2);
	CHECK_STREQ(ba.suites[0], "fdt");
	CHECK_STREQ(ba.suites[1], "memmap");
	CHECK(bootargs_wants_suite(&ba, "memmap"));
	CHECK(!bootargs_wants_suite(&ba, "mem"));
	CHECK_EQ(ba.exit, BOOTARGS_EXIT_SEMIHOSTING);
	CHECK_EQ(ba.loglevel, 3);
	CHECK_EQ(ba.seed, 0xdeadbeefULL);
	CHECK_STREQ(ba.crash, "load");
	CHECK_EQ(ba.pgtable, BOOTARGS_PGTABLE_AUTO);
	CHECK_EQ(parse("pgtable=sv57", &ba), 0);
	CHECK_EQ(ba.pgtable, BOOTARGS_PGTABLE_SV57);
	CHECK_EQ(parse("pgtable=auto", &ba), 0);
	CHECK_EQ(ba.pgtable, BOOTARGS_PGTABLE_AUTO);
	CHECK_EQ(ba.pmem_memmap, BOOTARGS_PMEM_MEMMAP_DEVICE);
	CHECK_EQ(ba.compound_order, 0);
	CHECK_EQ(parse("pmem_memmap=ram compound_order=9", &ba), 0);
	CHECK_EQ(ba.pmem_memmap, BOOTARGS_PMEM_MEMMAP_RAM);
	CHECK_EQ(ba.compound_order, 9);
	CHECK(!ba.pmem_convert_linux);
	CHECK_EQ(parse("pmem_convert=linux", &ba), 0);
	CHECK(ba.pmem_convert_linux);
	CHECK_EQ(parse("pmem_convert=none", &ba), 0);
	CHECK(!ba.pmem_convert_linux);
	CHECK_EQ(ba.hugepages, 8);
	CHECK(ba.hvo);
	CHECK_EQ(parse("hugepages=3 hugepages_1g=1 hvo=off", &ba), 0);
	CHECK_EQ(ba.hugepages, 3);
	CHECK_EQ(ba.hugepages_1g, 1);
	CHECK(!ba.hvo);
	CHECK_EQ(parse("seed=18446744073709551615", &ba), 0);
	CHECK_EQ(ba.seed, UINT64_MAX);
}

static void unknown_argument_is_named(void)
{
	struct bootargs ba;

	CHECK_EQ(parse("loglevel=4 console=ttyS0 quiet", &ba), 2);
	CHECK(strstr(last, "unknown argument 'quiet'") != NULL);
	CHECK_EQ(ba.loglevel, 4);
}

static void malformed_values(void)
{
	static const struct {
		const char *arg;
		const char *msg;
	} cases[] = {
		{ "loglevel=8", "loglevel=8: expected a number from 0 to 7" },
		{ "loglevel=", "loglevel=: expected" },
		{ "loglevel=-1", "expected a number" },
		{ "seed=18446744073709551616", "seed=18446744073709551616" },
		{ "seed=0x", "seed=0x" },
		{ "seed=12z", "seed=12z" },
		{ "exit=psci2", "exit=psci2: expected 'semihosting' or 'auto'" },
		{ "crash=segv", "crash=segv" },
		{ "suites=", "empty list" },
		{ "suites=fdt,,memmap", "empty suite name" },
		{ "suites=averyveryveryverylongsuitename", "too long" },
		{ "loglevel", "'loglevel' needs a value" },
		{ "pgtable=sv64", "pgtable=sv64: expected auto, sv39, sv48 or sv57" },
		{ "pgtable", "'pgtable' needs a value" },
		{ "pmem_memmap=disk", "pmem_memmap=disk: expected device, ram or compact" },
		{ "pmem_convert=zonedev", "pmem_convert=zonedev: expected linux or none" },
		{ "pmem_convert", "'pmem_convert' needs a value" },
		{ "compound_order=19", "compound_order=19: expected a page order from 0 to 18" },
		{ "compound_order=x", "compound_order=x: expected a page order" },
		{ "compound_order", "'compound_order' needs a value" },
		{ "hugepages=5000", "hugepages=5000: expected a count from 0 to 4096" },
		{ "hugepages_1g=-1", "hugepages_1g=-1: expected a count" },
		{ "hvo=maybe", "hvo=maybe: expected on or off" },
		{ "seed=\"1\"", "quotes" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bootargs ba;
		CHECK_EQ(parse(cases[i].arg, &ba), 1);
		if (!strstr(last, cases[i].msg))
			printf("# %s: got \"%s\", want \"%s\"\n", cases[i].arg, last, cases[i].msg),
				tap_failed_checks++;
	}
}

static void too_many_suites(void)
{
	struct bootargs ba;
	char s[256] = "suites=";

	for (int i = 0; i < BOOTARGS_MAX_SUITES + 2; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%ss%d", i ? "," : "", i);
	CHECK_EQ(parse(s, &ba), 2);
	CHECK_EQ(ba.nr_suites, BOOTARGS_MAX_SUITES);
}

/* suites=fdt suites=memmap used to run memmap alone: no argument is last-wins. */
static void repeated_argument_is_an_error(void)
{
	static const char *const keys[] = { "suites=fdt", "exit=auto", "loglevel=3", "seed=2",
					    "crash=load", "pgtable=auto", "pmem_memmap=ram",
					    "compound_order=1", "hugepages=1", "hugepages_1g=0",
					    "hvo=on", "pmem_convert=linux" };
	struct bootargs ba;
	char s[96];

	CHECK_EQ(parse("suites=fdt suites=memmap", &ba), 1);
	CHECK(strstr(last, "'suites=memmap': suites= was already given ('suites=fdt'), this one "
			   "is ignored") != NULL);
	CHECK(strstr(last, "comma-separated list") != NULL);
	CHECK_EQ(ba.nr_suites, 1);
	CHECK_STREQ(ba.suites[0], "fdt");
	CHECK_EQ(parse("loglevel=3 seed=5 loglevel=7", &ba), 1);
	CHECK(strstr(last, "'loglevel=7': loglevel= was already given ('loglevel=3')") != NULL);
	CHECK_EQ(ba.loglevel, 3);
	CHECK_EQ(ba.seed, 5);
	CHECK_EQ(parse("hugepages=1 hugepages_1g=1", &ba), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(s, sizeof(s), "%s %s", keys[i], keys[i]);
		CHECK_EQ(parse(s, &ba), 1);
		CHECK(strstr(last, "was already given") != NULL);
	}
	CHECK_EQ(parse("suites=fdt,memmap,fdt", &ba), 1);
	CHECK(strstr(last, "suite 'fdt' is named twice") != NULL);
	CHECK_EQ(ba.nr_suites, 2);
}

static const struct tap_case cases[] = {
	TAP_CASE(empty_gives_defaults), TAP_CASE(all_known_arguments),
	TAP_CASE(unknown_argument_is_named), TAP_CASE(malformed_values), TAP_CASE(too_many_suites),
	TAP_CASE(repeated_argument_is_an_error),
};

TAP_MAIN("bootargs", cases)
