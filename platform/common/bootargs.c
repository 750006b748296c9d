// SPDX-License-Identifier: BSD-2-Clause
// Parser of /chosen/bootargs: whitespace-separated key=value words, each checked strictly.
#include <string.h>

#include <platform/bootargs.h>
#include <platform/printk.h>

/* Every argument takes one value; none is a list by repetition (suites= takes a comma list). */
static const char *const keys[] = { "suites",	      "exit",	   "loglevel", "seed",
				    "crash",	      "pgtable",   "pmem_memmap",
				    "compound_order", "hugepages", "hugepages_1g", "hvo",
				    "pmem_convert" };

struct parse_ctx {
	void (*report)(const char *msg, void *ctx);
	void *ctx;
	int errors;
	/* the first word given for each of keys[], NULL while unseen */
	const char *first[ARRAY_SIZE(keys)];
	size_t first_len[ARRAY_SIZE(keys)];
};

static void bad(struct parse_ctx *p, const char *fmt, ...) __printf(2, 3);
static void bad(struct parse_ctx *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->report)
		p->report(msg, p->ctx);
}

/* Decimal or 0x-hex, whole string, no overflow. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		unsigned int d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static bool suite_listed(const struct bootargs *ba, const char *name, size_t n)
{
	for (int i = 0; i < ba->nr_suites; i++)
		if (word_is(name, n, ba->suites[i]))
			return true;
	return false;
}

static void parse_suites(struct parse_ctx *p, struct bootargs *ba, const char *v, size_t vlen)
{
	size_t i = 0;

	ba->nr_suites = 0;
	if (vlen == 0) {
		bad(p, "suites=: empty list (name at least one suite, or drop the argument)");
		return;
	}
	while (i <= vlen) {
		size_t start = i;
		while (i < vlen && v[i] != ',')
			i++;
		size_t n = i - start;
		if (n == 0)
			bad(p, "suites=%.*s: empty suite name", (int)vlen, v);
		else if (n >= sizeof(ba->suites[0]))
			bad(p, "suites=: suite name '%.*s' is too long", (int)n, v + start);
		else if (ba->nr_suites == BOOTARGS_MAX_SUITES)
			bad(p, "suites=: more than %d suites", BOOTARGS_MAX_SUITES);
		else if (suite_listed(ba, v + start, n))
			bad(p, "suites=%.*s: suite '%.*s' is named twice", (int)vlen, v, (int)n,
			    v + start);
		else {
			memcpy(ba->suites[ba->nr_suites], v + start, n);
			ba->suites[ba->nr_suites++][n] = '\0';
		}
		i++;
	}
}

static void parse_one(struct parse_ctx *p, struct bootargs *ba, const char *w, size_t len)
{
	const char *eq = memchr(w, '=', len);
	size_t klen = eq ? (size_t)(eq - w) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;
	uint64_t n;

	for (size_t i = 0; i < len; i++) {
		if (w[i] == '"' || w[i] == '\'' || (unsigned char)w[i] < 0x20 ||
		    (unsigned char)w[i] >= 0x7f) {
			bad(p, "'%.*s': quotes and non-printable characters are not supported",
			    (int)len, w);
			return;
		}
	}
	for (size_t k = 0; v && k < ARRAY_SIZE(keys); k++) {
		if (!word_is(w, klen, keys[k]))
			continue;
		if (p->first[k]) {
			bad(p, "'%.*s': %s= was already given ('%.*s'), this one is ignored; give "
			    "each argument once%s", (int)len, w, keys[k], (int)p->first_len[k],
			    p->first[k], k == 0 ? " (suites= takes a comma-separated list)" : "");
			return;
		}
		p->first[k] = w;
		p->first_len[k] = len;
	}
	if (word_is(w, klen, "suites") && v) {
		parse_suites(p, ba, v, vlen);
	} else if (word_is(w, klen, "exit") && v) {
		if (word_is(v, vlen, "semihosting"))
			ba->exit = BOOTARGS_EXIT_SEMIHOSTING;
		else if (word_is(v, vlen, "auto"))
			ba->exit = BOOTARGS_EXIT_AUTO;
		else
			bad(p, "exit=%.*s: expected 'semihosting' or 'auto'", (int)vlen, v);
	} else if (word_is(w, klen, "loglevel") && v) {
		if (parse_u64(v, vlen, &n) && n <= 7)
			ba->loglevel = (int)n;
		else
			bad(p, "loglevel=%.*s: expected a number from 0 to 7", (int)vlen, v);
	} else if (word_is(w, klen, "seed") && v) {
		if (parse_u64(v, vlen, &n))
			ba->seed = n;
		else
			bad(p, "seed=%.*s: expected a decimal or 0x-hex 64-bit number", (int)vlen, v);
	} else if (word_is(w, klen, "crash") && v) {
		static const char *const kinds[] = { "panic", "load", "store", "exec", "illegal",
						     "break", "stack", "stack-secondary", "hvo" };
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			ok |= word_is(v, vlen, kinds[i]);
		if (ok) {
			memcpy(ba->crash, v, vlen);
			ba->crash[vlen] = '\0';
		} else {
			bad(p, "crash=%.*s: expected panic, load, store, exec, illegal, break, stack, "
			    "stack-secondary or hvo",
			    (int)vlen, v);
		}
	} else if (word_is(w, klen, "pgtable") && v) {
		if (word_is(v, vlen, "auto"))
			ba->pgtable = BOOTARGS_PGTABLE_AUTO;
		else if (word_is(v, vlen, "sv39"))
			ba->pgtable = BOOTARGS_PGTABLE_SV39;
		else if (word_is(v, vlen, "sv48"))
			ba->pgtable = BOOTARGS_PGTABLE_SV48;
		else if (word_is(v, vlen, "sv57"))
			ba->pgtable = BOOTARGS_PGTABLE_SV57;
		else
			bad(p, "pgtable=%.*s: expected auto, sv39, sv48 or sv57", (int)vlen, v);
	} else if (word_is(w, klen, "pmem_memmap") && v) {
		if (word_is(v, vlen, "device"))
			ba->pmem_memmap = BOOTARGS_PMEM_MEMMAP_DEVICE;
		else if (word_is(v, vlen, "ram"))
			ba->pmem_memmap = BOOTARGS_PMEM_MEMMAP_RAM;
		else if (word_is(v, vlen, "compact"))
			ba->pmem_memmap = BOOTARGS_PMEM_MEMMAP_COMPACT;
		else
			bad(p, "pmem_memmap=%.*s: expected device, ram or compact", (int)vlen, v);
	} else if (word_is(w, klen, "pmem_convert") && v) {
		if (word_is(v, vlen, "linux"))
			ba->pmem_convert_linux = true;
		else if (word_is(v, vlen, "none"))
			ba->pmem_convert_linux = false;
		else
			bad(p, "pmem_convert=%.*s: expected linux or none", (int)vlen, v);
	} else if (word_is(w, klen, "compound_order") && v) {
		if (parse_u64(v, vlen, &n) && n <= BOOTARGS_MAX_COMPOUND_ORDER)
			ba->compound_order = (unsigned int)n;
		else
			bad(p, "compound_order=%.*s: expected a page order from 0 to %d (0: base pages, "
			    "9: 2 MiB, 18: 1 GiB)", (int)vlen, v, BOOTARGS_MAX_COMPOUND_ORDER);
	} else if ((word_is(w, klen, "hugepages") || word_is(w, klen, "hugepages_1g")) && v) {
		if (parse_u64(v, vlen, &n) && n <= 4096) {
			if (klen == 9)
				ba->hugepages = (unsigned long)n;
			else
				ba->hugepages_1g = (unsigned long)n;
		} else {
			bad(p, "%.*s: expected a count from 0 to 4096", (int)len, w);
		}
	} else if (word_is(w, klen, "hvo") && v) {
		if (word_is(v, vlen, "on"))
			ba->hvo = true;
		else if (word_is(v, vlen, "off"))
			ba->hvo = false;
		else
			bad(p, "hvo=%.*s: expected on or off", (int)vlen, v);
	} else if (word_is(w, klen, "suites") || word_is(w, klen, "exit") ||
		   word_is(w, klen, "pgtable") || word_is(w, klen, "pmem_memmap") ||
		   word_is(w, klen, "compound_order") || word_is(w, klen, "hugepages") ||
		   word_is(w, klen, "hugepages_1g") || word_is(w, klen, "hvo") ||
		   word_is(w, klen, "loglevel") || word_is(w, klen, "seed") ||
		   word_is(w, klen, "crash") || word_is(w, klen, "pmem_convert")) {
		bad(p, "'%.*s' needs a value ('%.*s=...')", (int)len, w, (int)klen, w);
	} else {
		bad(p, "unknown argument '%.*s' (known: suites= exit= loglevel= seed= crash= "
		    "pgtable= pmem_memmap= pmem_convert= compound_order= hugepages= hugepages_1g= "
		    "hvo=)",
		    (int)len, w);
	}
}

int bootargs_parse(const char *cmdline, struct bootargs *ba,
		   void (*report)(const char *msg, void *ctx), void *ctx)
{
	struct parse_ctx p = { .report = report, .ctx = ctx };

	memset(ba, 0, sizeof(*ba));
	ba->loglevel = 6;
	ba->seed = 1;
	ba->hugepages = 8;
	ba->hvo = true;
	if (!cmdline)
		return 0;
	const char *s = cmdline;
	while (*s) {
		while (*s && is_space(*s))
			s++;
		const char *w = s;
		while (*s && !is_space(*s))
			s++;
		if (s > w)
			parse_one(&p, ba, w, (size_t)(s - w));
	}
	return p.errors;
}

bool bootargs_wants_suite(const struct bootargs *ba, const char *name)
{
	if (ba->nr_suites == 0)
		return true;
	for (int i = 0; i < ba->nr_suites; i++)
		if (!strcmp(ba->suites[i], name))
			return true;
	return false;
}
