// SPDX-License-Identifier: BSD-2-Clause
// Kernel format extensions layered over the C library's snprintf (picolibc on target, the host
// libc in unit tests): each C conversion is handed over one at a time, so we never re-implement
// number formatting, and va_list is only ever consumed here.
#include <stdio.h>
#include <string.h>

#include <platform/printk.h>

struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static void out_str(struct outbuf *o, const char *s, size_t n)
{
	if (o->size == 0)
		return;
	size_t room = o->size - 1 - o->len;
	if (n > room)
		n = room;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_fmt(struct outbuf *o, const char *fmt, ...) __printf(2, 3);
static void out_fmt(struct outbuf *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	out_str(o, tmp, bounded_len(tmp, sizeof(tmp)));
}

static void format_size(struct outbuf *o, uint64_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;

	while (u + 1 < ARRAY_SIZE(units) && size && (size & 1023) == 0) {
		size >>= 10;
		u++;
	}
	out_fmt(o, "%llu %s", (unsigned long long)size, units[u]);
}

/* Handles one "%p<ext>" whose pointer was already taken; returns chars of @fmt consumed. */
static size_t format_pointer(struct outbuf *o, const char *ext, const void *p)
{
	switch (*ext) {
	case 'a':
		out_fmt(o, "0x%016llx", p ? (unsigned long long)*(const phys_addr_t *)p : 0ULL);
		return 1;
	case 'H':
		if (p)
			format_size(o, *(const uint64_t *)p);
		else
			out_str(o, "(null)", 6);
		return 1;
	default:
		out_fmt(o, "%p", p);
		return 0;
	}
}

enum arg_kind { ARG_INT, ARG_LONG, ARG_LLONG, ARG_SIZE, ARG_PTRDIFF, ARG_INTMAX,
		ARG_PTR, ARG_STR, ARG_NONE };

int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		if (!pct) {
			out_str(&o, fmt, strlen(fmt));
			break;
		}
		out_str(&o, fmt, (size_t)(pct - fmt));
		/* Collect one conversion: flags, width, precision, length, specifier. */
		char spec[32];
		size_t sl = 0;
		const char *s = pct + 1;
		int stars[2];
		int nstars = 0;
		spec[sl++] = '%';
		while (*s && strchr("-+ #0'", *s) && sl < 20)
			spec[sl++] = *s++;
		for (int part = 0; part < 2; part++) {
			if (part == 1) {
				if (*s != '.')
					break;
				spec[sl++] = *s++;
			}
			if (*s == '*') {
				stars[nstars++] = va_arg(ap, int);
				spec[sl++] = *s++;
			} else {
				while (*s >= '0' && *s <= '9' && sl < 28)
					spec[sl++] = *s++;
			}
		}
		enum arg_kind kind = ARG_INT;
		if (s[0] == 'h') {
			spec[sl++] = *s++;
			if (*s == 'h')
				spec[sl++] = *s++;
		} else if (s[0] == 'l' && s[1] == 'l') {
			kind = ARG_LLONG;
			spec[sl++] = *s++;
			spec[sl++] = *s++;
		} else if (s[0] == 'l') {
			kind = ARG_LONG;
			spec[sl++] = *s++;
		} else if (s[0] == 'z') {
			kind = ARG_SIZE;
			spec[sl++] = *s++;
		} else if (s[0] == 't') {
			kind = ARG_PTRDIFF;
			spec[sl++] = *s++;
		} else if (s[0] == 'j') {
			kind = ARG_INTMAX;
			spec[sl++] = *s++;
		}
		char conv = *s;
		if (!conv) {
			out_str(&o, pct, strlen(pct));
			break;
		}
		s++;
		spec[sl++] = conv;
		spec[sl] = '\0';
		switch (conv) {
		case '%':
			kind = ARG_NONE;
			break;
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c':
			break;
		case 's':
			kind = ARG_STR;
			break;
		case 'p':
			kind = ARG_PTR;
			break;
		default:
			/*
			 * Unknown conversion, floating point included (the kernel is built without FP
			 * registers, as Linux printk has no %f): print it literally rather than guess at
			 * an argument.
			 */
			out_str(&o, pct, (size_t)(s - pct));
			fmt = s;
			continue;
		}

		char tmp[256];
		int n = 0;
#define EMIT(val)                                                                          \
	do {                                                                               \
		if (nstars == 2)                                                           \
			n = snprintf(tmp, sizeof(tmp), spec, stars[0], stars[1], val);      \
		else if (nstars == 1)                                                      \
			n = snprintf(tmp, sizeof(tmp), spec, stars[0], val);                \
		else                                                                       \
			n = snprintf(tmp, sizeof(tmp), spec, val);                          \
	} while (0)
		switch (kind) {
		case ARG_NONE:
			tmp[0] = '%';
			tmp[1] = '\0';
			n = 1;
			break;
		case ARG_INT:
			EMIT(va_arg(ap, int));
			break;
		case ARG_LONG:
			EMIT(va_arg(ap, long));
			break;
		case ARG_LLONG:
			EMIT(va_arg(ap, long long));
			break;
		case ARG_SIZE:
			EMIT(va_arg(ap, size_t));
			break;
		case ARG_PTRDIFF:
			EMIT(va_arg(ap, ptrdiff_t));
			break;
		case ARG_INTMAX:
			EMIT(va_arg(ap, intmax_t));
			break;
		case ARG_STR: {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			if (sl == 2) {
				out_str(&o, str, strlen(str));
				fmt = s;
				continue;
			}
			EMIT(str);
			break;
		}
		case ARG_PTR: {
			const void *p = va_arg(ap, const void *);
			if (sl == 2) {
				size_t used = format_pointer(&o, s, p);
				fmt = s + used;
				continue;
			}
			EMIT(p);
			break;
		}
		}
#undef EMIT
		if (n > 0)
			out_str(&o, tmp, bounded_len(tmp, sizeof(tmp)));
		/* A padded string longer than tmp is cut; say so rather than hide it. */
		if (kind == ARG_STR && n >= (int)sizeof(tmp))
			out_str(&o, "...", 3);
		fmt = s;
	}
	return (int)o.len;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
