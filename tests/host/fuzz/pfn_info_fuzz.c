// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target for drivers/pmem/pfn_info.c: decode arbitrary bytes as an info block and hold
// every accepted one to the format's invariants and to a re-encode round trip; lay out regions
// of arbitrary size and check the result decodes back.
//
// Input: byte 0 mode, bytes 1..8 region size (little-endian), byte 9 vmemmap_shift, the rest
// the block (any length). Mode bit 0 writes the magic and bit 1 reseals the checksum before
// decoding, so the fuzzer reaches the field checks without forging a Fletcher-64; a region size
// of 0 stands for the one the block records, so it gets past that check too. Mode bit 2 asks
// for the memmap in the device and bits 3..7 give log2 of the alignment for pfn_info_layout().
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

/* The header's memmap room, from its definition. */
static uint64_t room(uint64_t size)
{
	uint64_t bytes = size / PFN_INFO_PAGE_SIZE * 64;

	return bytes < (2u << 20) ? bytes : bytes + (2u << 20) - PFN_INFO_PAGE_SIZE;
}

static bool same(const struct pfn_info *a, const struct pfn_info *b)
{
	return a->version_major == b->version_major && a->version_minor == b->version_minor &&
	       a->flags == b->flags && a->region_size == b->region_size &&
	       a->data_offset == b->data_offset && a->npfns == b->npfns && a->align == b->align &&
	       a->page_size == b->page_size && a->struct_page_size == b->struct_page_size &&
	       a->vmemmap_shift == b->vmemmap_shift && !memcmp(a->id, b->id, PFN_INFO_ID_LEN);
}

static bool is_zero(const struct pfn_info *p)
{
	static const struct pfn_info zero;

	return same(p, &zero) && !p->checksum;
}

/* What every accepted block must satisfy, computed without trusting the decoder's arithmetic. */
static void check_valid(const struct pfn_info *p, uint64_t region_size, const char *why)
{
	uint64_t compound, data_bytes, end;

	if (why[0])
		fail("message on a valid block", why);
	if (p->version_major != PFN_INFO_VERSION_MAJOR)
		fail("major version accepted", why);
	if (p->region_size != region_size)
		fail("region size differs", why);
	if (p->page_size != PFN_INFO_PAGE_SIZE || p->struct_page_size != PFN_INFO_STRUCT_PAGE_SIZE)
		fail("page or struct page size", why);
	if (!p->align || (p->align & (p->align - 1)) || p->align < PFN_INFO_ALIGN_MIN ||
	    p->align > PFN_INFO_ALIGN_MAX)
		fail("alignment", why);
	if (p->vmemmap_shift > PFN_INFO_MAX_VMEMMAP_SHIFT)
		fail("vmemmap_shift", why);
	compound = 1ULL << p->vmemmap_shift;
	if (p->align < compound * PFN_INFO_PAGE_SIZE)
		fail("alignment below compound page", why);
	if (p->data_offset % p->align || p->data_offset < PFN_INFO_SIZE)
		fail("data offset", why);
	if (!p->npfns || p->npfns % compound)
		fail("npfns", why);
	if (__builtin_mul_overflow(p->npfns, PFN_INFO_PAGE_SIZE, &data_bytes) ||
	    __builtin_add_overflow(p->data_offset, data_bytes, &end) || end > region_size)
		fail("data beyond the region", why);
	if ((p->flags & PFN_INFO_F_MEMMAP_IN_DEVICE) &&
	    p->data_offset - PFN_INFO_SIZE < room(region_size))
		fail("memmap does not fit", why);
	if (p->version_minor <= PFN_INFO_VERSION_MINOR && (p->flags & ~PFN_INFO_F_KNOWN))
		fail("unknown flags accepted", why);
}

/* Re-encode and decode again: the same fields, and for a block of our version the same bytes. */
static void check_round_trip(const struct pfn_info *p, const uint8_t *orig, uint64_t region_size)
{
	static uint8_t block[PFN_INFO_SIZE];
	struct pfn_info again;
	char why[256];

	pfn_info_encode(p, block);
	if (pfn_info_decode(block, sizeof(block), region_size, &again, why, sizeof(why)) !=
	    PFN_INFO_VALID)
		fail("re-encoded block refused", why);
	if (!same(p, &again))
		fail("re-encoded block decodes differently", NULL);
	if (orig && p->version_minor <= PFN_INFO_VERSION_MINOR &&
	    memcmp(orig, block, PFN_INFO_SIZE))
		fail("re-encoded block differs from the accepted one", NULL);
}

static void decode_input(uint8_t mode, uint64_t region_size, const uint8_t *data, size_t len)
{
	/* an exact-size heap copy, so ASan flags any read past what we said is available */
	uint8_t *block = malloc(len ? len : 1);
	struct pfn_info out;
	enum pfn_info_status st;
	char why[256];

	memcpy(block, data, len);
	if ((mode & 1) && len >= PFN_INFO_MAGIC_LEN)
		memcpy(block, PFN_INFO_MAGIC, PFN_INFO_MAGIC_LEN);
	if ((mode & 2) && len >= PFN_INFO_SIZE) {
		uint64_t sum = pfn_info_checksum(block);

		for (int i = 0; i < 8; i++, sum >>= 8)
			block[PFN_INFO_OFF_CHECKSUM + i] = (uint8_t)sum;
	}
	memset(why, 'x', sizeof(why));
	st = pfn_info_decode(block, len, region_size, &out, why, sizeof(why));
	if (!memchr(why, '\0', sizeof(why)))
		fail("message not terminated", NULL);
	switch (st) {
	case PFN_INFO_VALID:
		check_valid(&out, region_size, why);
		check_round_trip(&out, block, region_size);
		break;
	case PFN_INFO_BLANK:
		if (len < PFN_INFO_SIZE || why[0] || !is_zero(&out))
			fail("blank", why);
		for (size_t i = 0; i < PFN_INFO_SIZE; i++)
			if (block[i])
				fail("nonzero block called blank", NULL);
		break;
	case PFN_INFO_INVALID:
		if (!why[0] || !is_zero(&out))
			fail("refusal without a message, or with output", why);
		break;
	default:
		fail("unknown status", NULL);
	}
	free(block);
}

static void layout_input(uint8_t mode, uint64_t region_size, unsigned int shift)
{
	uint64_t align = 1ULL << (mode >> 3);
	bool dev = mode & 4;
	struct pfn_info p;
	int err = pfn_info_layout(region_size, align, shift, dev, &p);
	uint64_t need = PFN_INFO_SIZE + (dev ? room(region_size) : 0), more;

	if (err) {
		if (!is_zero(&p))
			fail("layout error with output", NULL);
		return;
	}
	check_valid(&p, region_size, "");
	if (p.data_offset < need || p.data_offset - p.align >= need)
		fail("data offset not the smallest aligned one", NULL);
	/* one more compound page must not fit (a sum that wraps certainly does not) */
	if (!__builtin_mul_overflow(p.npfns + (1ULL << shift), PFN_INFO_PAGE_SIZE, &more) &&
	    !__builtin_add_overflow(p.data_offset, more, &more) && more <= region_size)
		fail("npfns not the largest", NULL);
	check_round_trip(&p, NULL, region_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t region_size;

	if (size < HDR) {
		decode_input(0, 1ULL << 30, data, size);
		return 0;
	}
	region_size = le64(data + 1);
	if (!region_size && size >= HDR + PFN_INFO_OFF_REGION_SIZE + 8)
		region_size = le64(data + HDR + PFN_INFO_OFF_REGION_SIZE);
	decode_input(data[0], region_size, data + HDR, size - HDR);
	layout_input(data[0], region_size, data[9]);
	return 0;
}

#ifdef PFN_INFO_SEEDGEN
int main(int argc, char **argv)
{
	static const struct {
		uint64_t size, align;
		unsigned int shift;
		bool dev;
	} seeds[] = {
		{ 1ULL << 30, 1ULL << 21, 0, true },
		{ 64ULL << 20, 1ULL << 12, 0, true },
		{ 130ULL << 20, 1ULL << 21, 9, true },
		{ 4ULL << 30, 1ULL << 30, 18, true },
		{ 256ULL << 20, 1ULL << 16, 4, false },
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i <= sizeof(seeds) / sizeof(seeds[0]); i++) {
		uint8_t in[HDR + PFN_INFO_SIZE] = { 0 };
		struct pfn_info p = { 0 };
		unsigned int lg = 12;
		char path[4096];
		FILE *f;

		/* the last seed is a blank block of a 1 GiB region */
		if (i < sizeof(seeds) / sizeof(seeds[0])) {
			if (pfn_info_layout(seeds[i].size, seeds[i].align, seeds[i].shift,
					    seeds[i].dev, &p))
				return 1;
			for (int k = 0; k < PFN_INFO_ID_LEN; k++)
				p.id[k] = (uint8_t)(i * 16 + k);
			pfn_info_encode(&p, in + HDR);
			while ((1ULL << lg) < seeds[i].align)
				lg++;
			in[0] = (uint8_t)(lg << 3 | (seeds[i].dev ? 4 : 0));
		} else {
			p.region_size = 1ULL << 30;
		}
		for (int k = 0; k < 8; k++)
			in[1 + k] = (uint8_t)(p.region_size >> (8 * k));
		in[9] = (uint8_t)p.vmemmap_shift;
		/* each also as a start for the field checks: magic and checksum redone, size 0 */
		for (int variant = 0; variant < 2; variant++) {
			if (variant) {
				in[0] |= 3;
				memset(in + 1, 0, 8);
			}
			snprintf(path, sizeof(path), "%s/seed-%zu%s", argv[1], i, variant ? "-r" : "");
			f = fopen(path, "wb");
			if (!f || fwrite(in, sizeof(in), 1, f) != 1 || fclose(f))
				return 1;
		}
	}
	return 0;
}
#endif
