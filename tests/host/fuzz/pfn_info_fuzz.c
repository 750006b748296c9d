// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for drivers/pmem/pfn_info.c (libnvdimm's nd_pfn_sb): decode arbitrary bytes as
// a namespace's first 8 KiB and hold every accepted block to the rules and to a re-encode round
// trip; lay out namespaces of arbitrary base and size and check the result decodes back.
//
// Input: byte 0 mode, bytes 1..8 namespace size (little-endian), byte 9 base (in 2 MiB units,
// plus 4 KiB when bit 7 is set), the rest the namespace's first bytes (any length). Mode bit 0
// writes a signature at +4 KiB (bit 2: the devdax one) and bit 1 reseals the checksum before
// decoding, so the fuzzer reaches the field checks without forging a Fletcher-64. Bits 3..4
// pick the layout alignment (4 KiB, 2 MiB, 1 GiB, 64 KiB), bit 5 the kind, bit 6 the mode.
//
// Built with -DPFN_INFO_SEEDGEN instead (no libFuzzer), main() writes a few seed inputs, good
// blocks of several layouts, into the directory named by its argument.

#include <pmem/pfn_info.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR 10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "pfn_info_fuzz: %s (%s)\n", what, why ? why : "");
	abort();
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* The rules an accepted block must meet, restated from the header. */
static void check_valid(const struct pfn_info *p, uint64_t base, uint64_t size, const char *why)
{
	uint64_t data_end;

	if (why[0])
		fail("valid with a message", why);
	if (!is_zero(p->parent_uuid, PFN_INFO_UUID_LEN) || p->version_major != 1 || p->flags)
		fail("parent_uuid, major or flags", NULL);
	if (p->mode != PFN_MODE_PMEM && p->mode != PFN_MODE_RAM)
		fail("mode", NULL);
	if (!p->align || (p->align & (p->align - 1)) || p->align < 4096 || p->align > size)
		fail("align", NULL);
	if (p->start_pad || (base + size - p->end_trunc) % PFN_INFO_COMPAT_ALIGN ||
	    base % PFN_INFO_COMPAT_ALIGN || p->end_trunc >= size)
		fail("namespace ends", NULL);
	data_end = size - p->end_trunc;
	if (p->data_offset < PFN_INFO_RESERVE || p->data_offset >= data_end ||
	    (base + p->data_offset) % p->align)
		fail("dataoff", NULL);
	if (p->mode == PFN_MODE_PMEM && p->data_offset - PFN_INFO_RESERVE < size / 4096 * 64)
		fail("no room for the memmap", NULL);
	if (!p->npfns || p->npfns > (data_end - p->data_offset) / 4096)
		fail("npfns", NULL);
	if (p->kind == PFN_INFO_DEVDAX &&
	    ((4096ULL << p->vmemmap_shift) != p->align || p->npfns % (1ULL << p->vmemmap_shift)))
		fail("devdax compound pages", NULL);
	if (p->kind == PFN_INFO_FSDAX && p->vmemmap_shift)
		fail("fsdax vmemmap_shift", NULL);
}

static void check_round_trip(const struct pfn_info *p, uint64_t base, uint64_t size)
{
	static uint8_t ns[PFN_INFO_RESERVE];
	struct pfn_info again, q = *p;
	char why[256];

	/* what the decoder filled in for an older minor version is written out as 1.4 */
	q.version_minor = PFN_INFO_VERSION_MINOR;
	memset(ns, 0, sizeof(ns));
	pfn_info_encode(&q, ns + PFN_INFO_OFFSET);
	if (pfn_info_decode(ns, sizeof(ns), base, size, &again, why, sizeof(why)) != PFN_INFO_VALID)
		fail("re-encoded block refused", why);
	if (again.data_offset != p->data_offset || again.npfns != p->npfns ||
	    again.mode != p->mode || again.align != p->align || again.kind != p->kind ||
	    again.vmemmap_shift != p->vmemmap_shift || memcmp(again.uuid, p->uuid, 16))
		fail("round trip changed a field", NULL);
}

static void decode_input(uint8_t mode, uint64_t base, uint64_t size, const uint8_t *data,
			 size_t len)
{
	/* an exact-size heap copy, so ASan flags any read past what we said is available */
	uint8_t *ns = malloc(len ? len : 1);
	struct pfn_info out;
	enum pfn_info_status st;
	char why[256];

	memcpy(ns, data, len);
	if ((mode & 1) && len >= PFN_INFO_OFFSET + PFN_INFO_SIG_LEN)
		memcpy(ns + PFN_INFO_OFFSET, (mode & 4) ? PFN_INFO_DAX_SIG : PFN_INFO_PFN_SIG,
		       PFN_INFO_SIG_LEN);
	if ((mode & 2) && len >= PFN_INFO_RESERVE) {
		uint64_t sum = pfn_info_checksum(ns + PFN_INFO_OFFSET);

		for (int i = 0; i < 8; i++, sum >>= 8)
			ns[PFN_INFO_OFFSET + PFN_INFO_OFF_CHECKSUM + i] = (uint8_t)sum;
	}
	memset(why, 'x', sizeof(why));
	st = pfn_info_decode(ns, len, base, size, &out, why, sizeof(why));
	if (!memchr(why, '\0', sizeof(why)))
		fail("message not terminated", NULL);
	switch (st) {
	case PFN_INFO_VALID:
		check_valid(&out, base, size, why);
		check_round_trip(&out, base, size);
		break;
	case PFN_INFO_BLANK:
		if (len < PFN_INFO_RESERVE || why[0] || !is_zero(&out, sizeof(out)) ||
		    !is_zero(ns, PFN_INFO_RESERVE))
			fail("blank", why);
		break;
	case PFN_INFO_BTT:
		if (len < PFN_INFO_RESERVE || memcmp(ns + PFN_INFO_OFFSET, "BTT_ARENA_INFO\0\0", 16))
			fail("BTT without its signature", why);
		break;
	case PFN_INFO_INVALID:
		if (!why[0] || !is_zero(&out, sizeof(out)))
			fail("refusal without a message, or with output", why);
		break;
	default:
		fail("unknown status", NULL);
	}
	free(ns);
}

static void layout_input(uint8_t mode, uint64_t base, uint64_t size)
{
	static const uint64_t aligns[] = { 4096, 1ULL << 21, 1ULL << 30, 1ULL << 16 };
	uint64_t align = aligns[(mode >> 3) & 3];
	enum pfn_info_kind kind = (mode & 0x20) ? PFN_INFO_DEVDAX : PFN_INFO_FSDAX;
	uint32_t pmode = (mode & 0x40) ? PFN_MODE_RAM : PFN_MODE_PMEM;
	struct pfn_info p;

	if (pfn_info_layout(base, size, kind, align, pmode, &p)) {
		if (!is_zero(&p, sizeof(p)))
			fail("layout error with output", NULL);
		return;
	}
	if (p.version_minor != 4 || p.page_size != 4096 || p.page_struct_size != 64)
		fail("layout version or sizes", NULL);
	check_round_trip(&p, base, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ns_size, base;

	if (size < HDR) {
		decode_input(0, 1ULL << 30, 1ULL << 30, data, size);
		return 0;
	}
	ns_size = le64(data + 1);
	base = (uint64_t)(data[9] & 0x7f) << 21 | ((data[9] & 0x80) ? 4096 : 0);
	decode_input(data[0], base, ns_size, data + HDR, size - HDR);
	layout_input(data[0], base, ns_size);
	return 0;
}

#ifdef PFN_INFO_SEEDGEN
int main(int argc, char **argv)
{
	static const struct {
		uint64_t size;
		uint8_t mode, base;
	} seeds[] = {
		{ 1ULL << 30, 1 << 3, 0x40 },			/* fsdax 2 MiB, map=dev */
		{ 64ULL << 20, 0, 0x10 },			/* fsdax 4 KiB */
		{ 257ULL << 20, 0x20 | 1 << 3, 0x20 },		/* devdax 2 MiB, end_trunc */
		{ 4ULL << 30, 0x20 | 2 << 3, 0x00 },		/* devdax 1 GiB at 0 */
		{ 256ULL << 20, 0x40 | 1 << 3, 0x08 },		/* map=mem */
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i <= sizeof(seeds) / sizeof(seeds[0]); i++) {
		static uint8_t in[HDR + PFN_INFO_RESERVE];
		struct pfn_info p;
		char path[4096];
		FILE *f;

		memset(in, 0, sizeof(in));
		/* the last seed is a blank 1 GiB namespace */
		if (i < sizeof(seeds) / sizeof(seeds[0])) {
			uint64_t base = (uint64_t)seeds[i].base << 21;
			uint64_t align = (uint64_t[]){ 4096, 1ULL << 21, 1ULL << 30,
						       1ULL << 16 }[(seeds[i].mode >> 3) & 3];

			if (pfn_info_layout(base, seeds[i].size, (seeds[i].mode & 0x20) ? 1 : 0,
					    align, (seeds[i].mode & 0x40) ? 1 : 2, &p))
				return 1;
			for (int k = 0; k < PFN_INFO_UUID_LEN; k++)
				p.uuid[k] = (uint8_t)(i * 16 + k);
			pfn_info_encode(&p, in + HDR + PFN_INFO_OFFSET);
			in[0] = seeds[i].mode;
			in[9] = seeds[i].base;
		}
		for (int k = 0; k < 8; k++)
			in[1 + k] = (uint8_t)((i < sizeof(seeds) / sizeof(seeds[0]) ?
					       seeds[i].size : 1ULL << 30) >> (8 * k));
		snprintf(path, sizeof(path), "%s/seed-%zu", argv[1], i);
		f = fopen(path, "wb");
		if (!f || fwrite(in, sizeof(in), 1, f) != 1 || fclose(f))
			return 1;
	}
	return 0;
}
#endif
