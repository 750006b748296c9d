// SPDX-License-Identifier: BSD-2-Clause
// Boot arguments from /chosen/bootargs. Unknown or malformed arguments are errors (SPEC), never
// silently ignored: a CI run must not pass with a typo in its configuration. Each argument is
// given at most once (a repeated one is an error and ignored, never last-wins); suites= is the
// only list, comma-separated in its one value, each suite named once.
#ifndef ZONEDEV_PLATFORM_BOOTARGS_H
#define ZONEDEV_PLATFORM_BOOTARGS_H

#include <platform/types.h>

#define BOOTARGS_MAX_SUITES 16

enum bootargs_exit { BOOTARGS_EXIT_AUTO, BOOTARGS_EXIT_SEMIHOSTING };

/* Page-table format: number of levels for riscv64 (Sv39 3, Sv48 4, Sv57 5), 0 = arch default. */
enum bootargs_pgtable { BOOTARGS_PGTABLE_AUTO = 0, BOOTARGS_PGTABLE_SV39 = 3,
			BOOTARGS_PGTABLE_SV48 = 4, BOOTARGS_PGTABLE_SV57 = 5 };

/**
 * struct bootargs - decoded arguments (defaults when absent)
 * @suites, @nr_suites: suites=a,b,c (empty: run all)
 * @exit: exit=semihosting says the runner enabled semihosting (arm64 then exits with a status;
 *	  riscv64 uses semihosting too instead of the finisher)
 * @loglevel: loglevel=0..7 (default 6)
 * @seed: seed=N, decimal or 0x hex (default 1); for randomized suites
 * @crash: crash=panic|load|store|exec|illegal|break|stack|stack-secondary: provoke that failure after the report
 *	   header to test the panic and trap paths ("" when absent)
 * @pgtable: pgtable=auto|sv39|sv48|sv57 (the arch refuses formats it does not have)
 */
/* Where a fresh persistent pmem region keeps its struct pages (an existing info block decides
 * for a region already laid out). */
enum bootargs_pmem_memmap { BOOTARGS_PMEM_MEMMAP_DEVICE, BOOTARGS_PMEM_MEMMAP_RAM,
			    BOOTARGS_PMEM_MEMMAP_COMPACT };

/* Largest compound_order= accepted: 1 GiB compound pages (MAX_FOLIO_ORDER). */
#define BOOTARGS_MAX_COMPOUND_ORDER 18

struct bootargs {
	char suites[BOOTARGS_MAX_SUITES][24];
	int nr_suites;
	enum bootargs_exit exit;
	int loglevel;
	uint64_t seed;
	char crash[16];
	enum bootargs_pgtable pgtable;
	enum bootargs_pmem_memmap pmem_memmap;
	unsigned int compound_order;
	bool pmem_convert_linux;	/* pmem_convert=linux: rewrite zonedev v1 blocks for Linux */
	unsigned long hugepages;	/* 2 MiB HugeTLB folios for the hugetlb suite */
	unsigned long hugepages_1g;	/* 1 GiB ones */
	bool hvo;			/* optimize their vmemmap (default on) */
};

/**
 * bootargs_parse() - parse @cmdline into @ba
 * @report: called with a message for each bad argument; may be NULL
 * Return: number of bad arguments (0: all valid). @ba holds defaults plus every valid argument.
 */
int bootargs_parse(const char *cmdline, struct bootargs *ba,
		   void (*report)(const char *msg, void *ctx), void *ctx);

/** bootargs_wants_suite() - whether suite @name was selected (true when none was named). */
bool bootargs_wants_suite(const struct bootargs *ba, const char *name);

#endif
