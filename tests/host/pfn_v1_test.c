// SPDX-License-Identifier: BSD-2-Clause
// zonedev's earlier (v1) info block: byte format, round trips, the refusal of every bad field with a message
// naming it, bit flips, short buffers, and the layout of fresh regions against its guarantees.
#include <stdlib.h>

#include <platform/errno.h>
#include <pmem/pfn_v1.h>

#include "tap.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static char why[512];

static void put(uint8_t *b, unsigned int off, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++, v >>= 8)
		b[off + i] = (uint8_t)v;
}

static uint64_t get(const uint8_t *b, unsigned int off, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = bytes; i--;)
		v = v << 8 | b[off + i];
	return v;
}

/* Fletcher-64 written from its definition, to hold the implementation to the documented one. */
static uint64_t ref_fletcher64(const uint8_t *b)
{
	uint64_t s1 = 0, s2 = 0;

	for (unsigned int i = 0; i < PFN_V1_SIZE / 4; i++) {
		uint32_t w = (uint32_t)get(b, i * 4, 4);

		if (i * 4 == PFN_V1_OFF_CHECKSUM || i * 4 == PFN_V1_OFF_CHECKSUM + 4)
			w = 0;
		s1 = (s1 + w) % 0xffffffffULL;
		s2 = (s2 + s1) % 0xffffffffULL;
	}
	return s2 << 32 | s1;
}

/* The memmap room of the header, from its definition: every page's struct page, PMD slack. */
static uint64_t ref_room(uint64_t size)
{
	uint64_t bytes = size / 4096 * 64;

	return bytes < 2 * MiB ? bytes : bytes + 2 * MiB - 4096;
}

static void reseal(uint8_t *b)
{
	put(b, PFN_V1_OFF_CHECKSUM, pfn_v1_checksum(b), 8);
}

static bool same(const struct pfn_v1 *a, const struct pfn_v1 *b)
{
	return a->version_major == b->version_major && a->version_minor == b->version_minor &&
	       a->flags == b->flags && a->region_size == b->region_size &&
	       a->data_offset == b->data_offset && a->npfns == b->npfns && a->align == b->align &&
	       a->page_size == b->page_size && a->struct_page_size == b->struct_page_size &&
	       a->vmemmap_shift == b->vmemmap_shift && !memcmp(a->id, b->id, PFN_V1_ID_LEN);
}

static bool is_zero(const struct pfn_v1 *p)
{
	static const struct pfn_v1 zero;

	return same(p, &zero) && p->checksum == 0;
}

static void fill_id(struct pfn_v1 *p, unsigned int seed)
{
	for (unsigned int i = 0; i < PFN_V1_ID_LEN; i++)
		p->id[i] = (uint8_t)(seed * 131 + i * 17 + 1);
}

/* A good block: the layout pfn_v1_layout() gives, with an id. */
static void make(uint8_t *b, uint64_t size, uint64_t align, unsigned int shift, bool in_dev,
		 struct pfn_v1 *p)
{
	CHECK_EQ(pfn_v1_layout(size, align, shift, in_dev, p), 0);
	fill_id(p, 7);
	pfn_v1_encode(p, b);
}

static enum pfn_v1_status decode(const uint8_t *b, uint64_t size, struct pfn_v1 *out)
{
	memset(why, 'x', sizeof(why));
	return pfn_v1_decode(b, PFN_V1_SIZE, size, out, why, sizeof(why));
}

static void encode_golden_bytes(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p = {
		.version_major = 1, .version_minor = 0, .flags = PFN_V1_F_MEMMAP_IN_DEVICE,
		.region_size = 0x0102030405060708ULL, .data_offset = 0x1112131415161718ULL,
		.npfns = 0x2122232425262728ULL, .align = 0x3132333435363738ULL,
		.page_size = 4096, .struct_page_size = 64, .vmemmap_shift = 0x1234,
		.checksum = 0xdeadbeef,
	};

	fill_id(&p, 3);
	memset(b, 0xa5, sizeof(b));
	pfn_v1_encode(&p, b);
	CHECK(!memcmp(b, "ZONEDEV_PFN_INF\0", 16));
	CHECK_EQ(b[0x10], 1);
	CHECK_EQ(b[0x11], 0);
	CHECK_EQ(get(b, 0x12, 2), 0);
	CHECK_EQ(get(b, 0x14, 4), 1);
	CHECK_EQ(b[0x18], 0x08);
	CHECK_EQ(b[0x1f], 0x01);
	CHECK_EQ(get(b, 0x18, 8), 0x0102030405060708ULL);
	CHECK_EQ(b[0x20], 0x18);
	CHECK_EQ(get(b, 0x20, 8), 0x1112131415161718ULL);
	CHECK_EQ(get(b, 0x28, 8), 0x2122232425262728ULL);
	CHECK_EQ(get(b, 0x30, 8), 0x3132333435363738ULL);
	CHECK_EQ(get(b, 0x38, 4), 4096);
	CHECK_EQ(get(b, 0x3c, 2), 64);
	CHECK_EQ(b[0x3e], 0x34);
	CHECK_EQ(b[0x3f], 0x12);
	CHECK(!memcmp(b + 0x40, p.id, 16));
	/* the struct's checksum is ignored; the block's is the documented Fletcher-64 */
	CHECK(get(b, 0x50, 8) != 0xdeadbeef);
	CHECK_EQ(get(b, 0x50, 8), ref_fletcher64(b));
	CHECK_EQ(pfn_v1_checksum(b), ref_fletcher64(b));
	for (unsigned int i = PFN_V1_OFF_RESERVED; i < PFN_V1_SIZE; i++)
		if (b[i]) {
			CHECK_EQ(i, 0);
			break;
		}
}

static void checksum_matches_reference(void)
{
	uint8_t b[PFN_V1_SIZE];
	uint32_t x = 12345;

	/* words near 2^32 - 1 exercise the modulus; the stored checksum must not count */
	for (int round = 0; round < 50; round++) {
		for (unsigned int i = 0; i < PFN_V1_SIZE; i++) {
			x = x * 1103515245 + 12345;
			b[i] = round & 1 ? (uint8_t)(0xff ^ ((x >> 16) & 1)) : (uint8_t)(x >> 16);
		}
		CHECK_EQ(pfn_v1_checksum(b), ref_fletcher64(b));
		put(b, PFN_V1_OFF_CHECKSUM, ~0ULL, 8);
		CHECK_EQ(pfn_v1_checksum(b), ref_fletcher64(b));
	}
	memset(b, 0xff, sizeof(b));
	CHECK_EQ(pfn_v1_checksum(b), ref_fletcher64(b));
}

static void round_trip(void)
{
	static const uint64_t sizes[] = { 4 * MiB, 6 * MiB, 64 * MiB, 130 * MiB, GiB,
					  3 * GiB + 2 * MiB, 16 * GiB, 1ULL << 40 };
	static const uint64_t aligns[] = { SZ_4K, SZ_64K, SZ_2M, SZ_1G };
	static const unsigned int shifts[] = { 0, 4, 9, 18 };
	int valid = 0;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (size_t a = 0; a < ARRAY_SIZE(aligns); a++)
			for (size_t h = 0; h < ARRAY_SIZE(shifts); h++)
				for (int dev = 0; dev < 2; dev++) {
					struct pfn_v1 in, out;
					uint8_t b[PFN_V1_SIZE];

					if (pfn_v1_layout(sizes[s], aligns[a], shifts[h], dev, &in))
						continue;
					fill_id(&in, (unsigned int)(s * 100 + a * 10 + h));
					pfn_v1_encode(&in, b);
					CHECK_EQ(decode(b, sizes[s], &out), PFN_V1_VALID);
					CHECK_STREQ(why, "");
					CHECK(same(&in, &out));
					CHECK_EQ(out.checksum, get(b, PFN_V1_OFF_CHECKSUM, 8));
					CHECK_EQ(!!(out.flags & PFN_V1_F_MEMMAP_IN_DEVICE), dev);
					valid++;
				}
	printf("# %d layouts round-tripped\n", valid);
	CHECK(valid > 100);
}

/* The figures a reader of the format would compute by hand. */
static void layout_known_values(void)
{
	struct pfn_v1 p;

	/* 1 GiB: 262144 pages, 16 MiB of memmap + 2 MiB - 4 KiB of slack after the 4 KiB block */
	CHECK_EQ(pfn_v1_layout(GiB, SZ_2M, 0, true, &p), 0);
	CHECK_EQ(p.data_offset, 18 * MiB);
	CHECK_EQ(p.npfns, (GiB - 18 * MiB) / 4096);
	CHECK_EQ(p.version_major, 1);
	CHECK_EQ(p.version_minor, 0);
	CHECK_EQ(p.flags, PFN_V1_F_MEMMAP_IN_DEVICE);
	CHECK_EQ(p.page_size, 4096);
	CHECK_EQ(p.struct_page_size, 64);
	CHECK_EQ(p.region_size, GiB);
	CHECK_EQ(p.align, SZ_2M);
	CHECK_EQ(p.checksum, 0);
	CHECK_EQ(pfn_v1_layout(GiB, SZ_4K, 0, true, &p), 0);
	CHECK_EQ(p.data_offset, 18 * MiB);
	/* 64 MiB: a 1 MiB memmap, no PMD leaf possible, no slack; 4 KiB alignment wastes nothing */
	CHECK_EQ(pfn_v1_layout(64 * MiB, SZ_4K, 0, true, &p), 0);
	CHECK_EQ(p.data_offset, MiB + 4096);
	CHECK_EQ(p.npfns, (63 * MiB - 4096) / 4096);
	/* 130 MiB: 2080 KiB of memmap + slack = 4124 KiB after the block: data at 6 MiB */
	CHECK_EQ(pfn_v1_layout(130 * MiB, SZ_2M, 0, true, &p), 0);
	CHECK_EQ(p.data_offset, 6 * MiB);
	/* memmap in RAM: only the info block before the data */
	CHECK_EQ(pfn_v1_layout(GiB, SZ_2M, 9, false, &p), 0);
	CHECK_EQ(p.data_offset, SZ_2M);
	CHECK_EQ(p.npfns, (GiB - SZ_2M) / 4096);
	CHECK_EQ(p.flags, 0);
	CHECK_EQ(p.vmemmap_shift, 9);
	/* 2 MiB compound pages: 18 MiB data offset leaves 1006 MiB = 503 compound pages */
	CHECK_EQ(pfn_v1_layout(GiB, SZ_2M, 9, true, &p), 0);
	CHECK_EQ(p.npfns, 503 * 512);
	/* 1 GiB alignment in 2 GiB: data from 1 GiB on */
	CHECK_EQ(pfn_v1_layout(2 * GiB, SZ_1G, 18, true, &p), 0);
	CHECK_EQ(p.data_offset, GiB);
	CHECK_EQ(p.npfns, 1ULL << 18);
}

static void layout_errors(void)
{
	struct pfn_v1 p;

	CHECK_EQ(pfn_v1_layout(GiB, 0x3000, 0, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, 0, 0, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, 2048, 0, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, 2 * GiB, 0, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, 1ULL << 63, 0, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, SZ_2M, 19, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, SZ_2M, ~0u, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, SZ_4K, 9, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB, SZ_1G / 2, 18, true, &p), -EINVAL);
	CHECK_EQ(pfn_v1_layout(GiB + 512, SZ_2M, 0, true, &p), -EINVAL);
	CHECK(is_zero(&p));
	/* tiny regions */
	CHECK_EQ(pfn_v1_layout(0, SZ_4K, 0, true, &p), -ENOSPC);
	CHECK_EQ(pfn_v1_layout(4096, SZ_4K, 0, false, &p), -ENOSPC);
	CHECK_EQ(pfn_v1_layout(4096, SZ_4K, 0, true, &p), -ENOSPC);
	CHECK_EQ(pfn_v1_layout(8192, SZ_4K, 0, true, &p), -ENOSPC);
	CHECK_EQ(pfn_v1_layout(8192, SZ_4K, 0, false, &p), 0);
	CHECK_EQ(p.npfns, 1);
	/* 3 pages: block, one memmap page (64 bytes used), one data page */
	CHECK_EQ(pfn_v1_layout(3 * 4096, SZ_4K, 0, true, &p), 0);
	CHECK_EQ(p.data_offset, 8192);
	CHECK_EQ(p.npfns, 1);
	CHECK_EQ(pfn_v1_layout(2 * MiB, SZ_2M, 0, true, &p), -ENOSPC);
	CHECK_EQ(pfn_v1_layout(GiB, SZ_1G, 0, false, &p), -ENOSPC);
	/* room for data, but not for one whole compound page */
	CHECK_EQ(pfn_v1_layout(4 * MiB - 4096, SZ_2M, 9, false, &p), -ENOSPC);
	CHECK(is_zero(&p));
	CHECK_EQ(pfn_v1_layout(4 * MiB, SZ_2M, 9, false, &p), 0);
	CHECK_EQ(p.npfns, 512);
	/* the largest region: no sum may wrap */
	CHECK_EQ(pfn_v1_layout(~0ULL & ~0xfffULL, SZ_1G, 18, true, &p), 0);
	CHECK_EQ(p.data_offset, ALIGN_UP(4096 + (~0ULL >> 12) * 64 + 2 * MiB - 4096, SZ_1G));
	CHECK(p.data_offset + p.npfns * 4096 <= (~0ULL & ~0xfffULL));
}

/*
 * Every size from 4 MiB to 1 GiB in 2 MiB steps (pmem regions are 2 MiB multiples), some 4 KiB
 * multiples and large sizes, against the guarantees in the header: data offset aligned, the
 * whole region's memmap between the block and the data (so also the data pages' memmap), data
 * inside the region, whole compound pages; data offset smallest and npfns largest possible;
 * every error justified.
 */
static void check_layout(uint64_t size, uint64_t align, unsigned int shift, bool dev)
{
	uint64_t memmap = dev ? ref_room(size) : 0, compound = 1ULL << shift;
	uint64_t need = 4096 + memmap, want_off = (need + align - 1) / align * align;
	struct pfn_v1 p, out;
	uint8_t b[PFN_V1_SIZE];
	int err = pfn_v1_layout(size, align, shift, dev, &p);

	if (want_off >= size || (size - want_off) / 4096 < compound) {
		CHECK_EQ(err, -ENOSPC);
		return;
	}
	CHECK_EQ(err, 0);
	if (err)
		return;
	CHECK_EQ(p.data_offset % align, 0);
	CHECK(p.data_offset >= need);
	CHECK(p.data_offset - align < need);
	CHECK_EQ(p.data_offset, want_off);
	if (dev)
		CHECK(p.npfns * 64 <= p.data_offset - 4096);
	CHECK(p.npfns > 0);
	CHECK(p.data_offset + p.npfns * 4096 <= size);
	CHECK(p.data_offset + (p.npfns + compound) * 4096 > size);
	CHECK_EQ(p.npfns % compound, 0);
	pfn_v1_encode(&p, b);
	CHECK_EQ(decode(b, size, &out), PFN_V1_VALID);
	CHECK(same(&p, &out));
}

static void layout_invariants(void)
{
	static const uint64_t aligns[] = { SZ_4K, SZ_2M, SZ_1G };
	static const unsigned int shifts[] = { 0, 9 };
	int before = tap_failed_checks;

	for (uint64_t size = 4 * MiB; size <= GiB; size += 2 * MiB)
		for (size_t a = 0; a < ARRAY_SIZE(aligns); a++)
			for (size_t h = 0; h < ARRAY_SIZE(shifts); h++)
				for (int dev = 0; dev < 2; dev++) {
					if (aligns[a] < (4096ULL << shifts[h]))
						continue;
					check_layout(size, aligns[a], shifts[h], dev);
				}
	for (uint64_t size = 4096; size <= 8 * MiB; size += 4096 * 7)
		for (int dev = 0; dev < 2; dev++) {
			check_layout(size, SZ_4K, 0, dev);
			check_layout(size, SZ_64K, 4, dev);
			check_layout(size, SZ_2M, 9, dev);
		}
	for (unsigned int sh = 31; sh < 64; sh++)
		for (int dev = 0; dev < 2; dev++) {
			check_layout(1ULL << sh, SZ_1G, 18, dev);
			check_layout((1ULL << sh) + 4096, SZ_2M, 0, dev);
		}
	CHECK_EQ(tap_failed_checks, before);
}

static void memmap_room(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out;

	CHECK_EQ(pfn_v1_memmap_room(0), 0);
	CHECK_EQ(pfn_v1_memmap_room(4095), 0);
	CHECK_EQ(pfn_v1_memmap_room(4096), 64);
	CHECK_EQ(pfn_v1_memmap_room(128 * MiB - 4096), 2 * MiB - 64);
	CHECK_EQ(pfn_v1_memmap_room(128 * MiB), 4 * MiB - 4096);
	CHECK_EQ(pfn_v1_memmap_room(130 * MiB), 0x208000 + 0x1ff000);
	CHECK_EQ(pfn_v1_memmap_room(~0ULL), (~0ULL >> 12) * 64 + 2 * MiB - 4096);
	for (uint64_t size = 0; size < 4 * GiB; size += 4096 * 4093)
		CHECK_EQ(pfn_v1_memmap_room(size), ref_room(size));
	/* the decoder holds a block to the same room, to the byte */
	make(b, GiB, SZ_4K, 0, true, &p);
	CHECK_EQ(p.data_offset, 4096 + ref_room(GiB));
	put(b, PFN_V1_OFF_DATA_OFFSET, p.data_offset - 4096, 8);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK(strstr(why, "data offset 0x11ff000 leaves 0x11fe000 bytes for the memmap, 0x11ff000 "
			  "needed for the region's struct pages") != NULL);
}

static void blank_block(void)
{
	uint8_t b[PFN_V1_SIZE + 16] = { 0 };
	struct pfn_v1 out;

	memset(&out, 0x5a, sizeof(out));
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_BLANK);
	CHECK_STREQ(why, "");
	CHECK(is_zero(&out));
	/* only the first 4 KiB matter */
	b[PFN_V1_SIZE] = 1;
	CHECK_EQ(pfn_v1_decode(b, sizeof(b), GiB, &out, why, sizeof(why)), PFN_V1_BLANK);
	/* one nonzero byte anywhere is not blank */
	b[PFN_V1_SIZE - 1] = 1;
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK(strstr(why, "magic") != NULL);
}

/*
 * Each case sets one field of a good block to a bad value and reseals the checksum, so the
 * field's own check is what refuses it.
 */
struct corruption {
	const char *name;
	unsigned int off, bytes;
	uint64_t value;
	const char *expect;
};

static void single_field_corruptions(void)
{
	static const struct corruption cases[] = {
		{ "major newer", PFN_V1_OFF_MAJOR, 2, 2,
		  "major version 2 is newer than supported 1" },
		{ "major 0", PFN_V1_OFF_MAJOR, 2, 0, "major version 0" },
		{ "unknown flag", PFN_V1_OFF_FLAGS, 4, 0x81, "flags 0x81 has bits 0x80 unknown" },
		{ "data offset misaligned", PFN_V1_OFF_DATA_OFFSET, 8, 18 * MiB + 4096,
		  "data offset 0x1201000 is not a multiple of the alignment 0x200000" },
		{ "data offset at end", PFN_V1_OFF_DATA_OFFSET, 8, GiB,
		  "data offset 0x40000000 beyond region size 0x40000000" },
		{ "data offset huge", PFN_V1_OFF_DATA_OFFSET, 8, ~0ULL << 21,
		  "data offset 0xffffffffffe00000 beyond region size" },
		{ "data offset 0", PFN_V1_OFF_DATA_OFFSET, 8, 0,
		  "data offset 0x0 overlaps the 0x1000-byte info block" },
		{ "data offset below memmap", PFN_V1_OFF_DATA_OFFSET, 8, 16 * MiB,
		  "data offset 0x1000000 leaves 0xfff000 bytes for the memmap, 0x11ff000 needed" },
		{ "npfns one too many", PFN_V1_OFF_NPFNS, 8, (GiB - 18 * MiB) / 4096 + 1,
		  "npfns 257537 does not fit between data offset 0x1200000 and region end "
		  "0x40000000" },
		{ "npfns huge", PFN_V1_OFF_NPFNS, 8, ~0ULL, "npfns 18446744073709551615 does not fit" },
		{ "npfns 0", PFN_V1_OFF_NPFNS, 8, 0, "npfns 0" },
		{ "align not power of two", PFN_V1_OFF_ALIGN, 8, 0x3000,
		  "alignment 0x3000 is not a power of two" },
		{ "align 0", PFN_V1_OFF_ALIGN, 8, 0, "alignment 0x0 is not a power of two" },
		{ "align too small", PFN_V1_OFF_ALIGN, 8, 0x800,
		  "alignment 0x800 outside 0x1000..0x40000000" },
		{ "align too big", PFN_V1_OFF_ALIGN, 8, 2 * GiB,
		  "alignment 0x80000000 outside 0x1000..0x40000000" },
		{ "align below compound", PFN_V1_OFF_VMEMMAP_SHIFT, 2, 10,
		  "alignment 0x200000 is smaller than the compound page size 0x400000 of "
		  "vmemmap_shift 10" },
		{ "vmemmap_shift too big", PFN_V1_OFF_VMEMMAP_SHIFT, 2, 19,
		  "vmemmap_shift 19 exceeds 18" },
		{ "vmemmap_shift huge", PFN_V1_OFF_VMEMMAP_SHIFT, 2, 0xffff,
		  "vmemmap_shift 65535 exceeds 18" },
		{ "page size", PFN_V1_OFF_PAGE_SIZE, 4, 65536,
		  "page size 65536 differs from the kernel's 4096" },
		{ "struct page size", PFN_V1_OFF_STRUCT_PAGE_SIZE, 2, 128,
		  "struct page size 128 differs from the kernel's 64" },
		{ "recorded region size", PFN_V1_OFF_REGION_SIZE, 8, 2 * GiB,
		  "recorded region size 0x80000000 differs from the device's 0x40000000 (region "
		  "resized: re-initialise)" },
		{ "reserved first", PFN_V1_OFF_RESERVED, 1, 1,
		  "reserved byte at offset 0x58 is 0x01, must be zero in version 1.0" },
		{ "reserved last", PFN_V1_SIZE - 1, 1, 0x80,
		  "reserved byte at offset 0xfff is 0x80, must be zero in version 1.0" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct corruption *c = &cases[i];
		uint8_t b[PFN_V1_SIZE];
		struct pfn_v1 p, out;
		enum pfn_v1_status st;

		make(b, GiB, SZ_2M, 0, true, &p);
		put(b, c->off, c->value, c->bytes);
		reseal(b);
		st = decode(b, GiB, &out);
		if (st != PFN_V1_INVALID || !strstr(why, c->expect))
			printf("# %s: status %d, \"%s\"\n", c->name, st, why);
		CHECK_EQ(st, PFN_V1_INVALID);
		CHECK(strstr(why, c->expect) != NULL);
		CHECK(is_zero(&out));
	}
}

static void npfns_not_whole_compound_pages(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out;

	make(b, GiB, SZ_2M, 9, true, &p);
	put(b, PFN_V1_OFF_NPFNS, p.npfns - 1, 8);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK(strstr(why, "npfns 257535 is not a multiple of the 512-page compound pages of "
			  "vmemmap_shift 9") != NULL);
	/* fewer whole compound pages than fit is a valid choice of the writer */
	put(b, PFN_V1_OFF_NPFNS, p.npfns - 512, 8);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_VALID);
	CHECK_EQ(out.npfns, p.npfns - 512);
}

static void memmap_in_ram_needs_no_room(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out;

	/* the same data offset is fine once the memmap is not in the device */
	make(b, GiB, SZ_2M, 0, false, &p);
	CHECK_EQ(p.data_offset, SZ_2M);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_VALID);
	put(b, PFN_V1_OFF_FLAGS, PFN_V1_F_MEMMAP_IN_DEVICE, 4);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK(strstr(why, "data offset 0x200000 leaves 0x1ff000 bytes for the memmap") != NULL);
}

static void bad_magic(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out;

	make(b, GiB, SZ_2M, 0, true, &p);
	memcpy(b, "NVDIMM_PFN_INFO\0", 16);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK_STREQ(why, "magic \"NVDIMM_PFN_INFO\\x00\" is not \"ZONEDEV_PFN_INF\" (no info "
			 "block: the region holds other data)");
	memcpy(b, "\"\\\x01\xff", 4);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK(strstr(why, "magic \"\\x22\\x5c\\x01\\xffMM_PFN_INFO\\x00\" is not") == why);
	CHECK(is_zero(&out));
}

static void checksum_mismatch(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out;
	char expect[128];

	make(b, GiB, SZ_2M, 0, true, &p);
	put(b, PFN_V1_OFF_NPFNS, p.npfns - 1, 8);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	snprintf(expect, sizeof(expect), "checksum 0x%016llx does not match 0x%016llx (block "
		 "corrupted or torn write)", (unsigned long long)get(b, PFN_V1_OFF_CHECKSUM, 8),
		 (unsigned long long)pfn_v1_checksum(b));
	CHECK_STREQ(why, expect);
	/* a rewrite torn after its first cache line: the old checksum stays behind */
	{
		uint8_t old[PFN_V1_SIZE];

		make(old, GiB, SZ_2M, 0, true, &p);
		make(b, GiB, SZ_4K, 0, true, &p);
		memcpy(b + 64, old + 64, PFN_V1_SIZE - 64);
		CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
		CHECK(strstr(why, "checksum") == why);
	}
}

/* A newer minor version is read: its unknown flags and reserved bytes are ignored. */
static void newer_minor_accepted(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out, again;

	make(b, GiB, SZ_2M, 9, true, &p);
	put(b, PFN_V1_OFF_MINOR, 1, 2);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_VALID);
	CHECK_EQ(out.version_minor, 1);
	p.version_minor = 1;
	CHECK(same(&p, &out));
	put(b, PFN_V1_OFF_FLAGS, 0x80000001u, 4);
	memset(b + PFN_V1_OFF_RESERVED, 0xee, PFN_V1_SIZE - PFN_V1_OFF_RESERVED);
	put(b, PFN_V1_OFF_MINOR, 0xffff, 2);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_VALID);
	CHECK_EQ(out.flags, 0x80000001u);
	CHECK_EQ(out.version_minor, 0xffff);
	/* re-encoding keeps what was understood (the reserved area is not) */
	pfn_v1_encode(&out, b);
	CHECK_EQ(decode(b, GiB, &again), PFN_V1_VALID);
	CHECK(same(&out, &again));
	/* the known fields are still checked */
	put(b, PFN_V1_OFF_PAGE_SIZE, 8192, 4);
	reseal(b);
	CHECK_EQ(decode(b, GiB, &out), PFN_V1_INVALID);
	CHECK(strstr(why, "page size 8192") != NULL);
}

/* Every single bit flip of a good block is refused: by the magic check or the checksum. */
static void every_bit_flip_refused(void)
{
	uint8_t good[PFN_V1_SIZE], b[PFN_V1_SIZE];
	struct pfn_v1 p, out;
	int wrong = 0, magic = 0, sum = 0;

	make(good, 64 * MiB, SZ_4K, 0, true, &p);
	for (unsigned int bit = 0; bit < PFN_V1_SIZE * 8; bit++) {
		enum pfn_v1_status st;

		memcpy(b, good, sizeof(b));
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		st = pfn_v1_decode(b, sizeof(b), 64 * MiB, &out, why, sizeof(why));
		if (st == PFN_V1_INVALID && bit < PFN_V1_MAGIC_LEN * 8 &&
		    !strncmp(why, "magic", 5))
			magic++;
		else if (st == PFN_V1_INVALID && bit >= PFN_V1_MAGIC_LEN * 8 &&
			 !strncmp(why, "checksum", 8))
			sum++;
		else if (wrong++ < 5)
			printf("# bit %u: status %d \"%s\"\n", bit, st, why);
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(magic, 128);
	CHECK_EQ(sum, PFN_V1_SIZE * 8 - 128);
}

static void random_double_flips_refused(void)
{
	uint8_t good[PFN_V1_SIZE], b[PFN_V1_SIZE];
	struct pfn_v1 p, out;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int accepted = 0;

	make(good, 3 * GiB + 2 * MiB, SZ_2M, 9, true, &p);
	for (int i = 0; i < 20000; i++) {
		unsigned int b1, b2;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b1 = (unsigned int)(x % (PFN_V1_SIZE * 8));
		b2 = (unsigned int)((x >> 32) % (PFN_V1_SIZE * 8));
		if (b1 == b2)
			continue;
		memcpy(b, good, sizeof(b));
		b[b1 / 8] ^= (uint8_t)(1u << (b1 % 8));
		b[b2 / 8] ^= (uint8_t)(1u << (b2 % 8));
		if (pfn_v1_decode(b, sizeof(b), 3 * GiB + 2 * MiB, &out, why, sizeof(why)) !=
		    PFN_V1_INVALID)
			accepted++;
	}
	CHECK_EQ(accepted, 0);
}

/* Exact-size heap copies: ASan reports any read at or past @len. */
static void short_buffers(void)
{
	uint8_t good[PFN_V1_SIZE];
	struct pfn_v1 p, out;
	static const size_t lens[] = { 0, 1, 15, 16, 88, 2048, 4095 };

	make(good, GiB, SZ_2M, 0, true, &p);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		uint8_t *b = malloc(lens[i] ? lens[i] : 1);
		char expect[64];

		memcpy(b, good, lens[i]);
		CHECK_EQ(pfn_v1_decode(b, lens[i], GiB, &out, why, sizeof(why)), PFN_V1_INVALID);
		snprintf(expect, sizeof(expect), "info block: only %zu bytes readable, 4096 needed",
			 lens[i]);
		CHECK_STREQ(why, expect);
		CHECK(is_zero(&out));
		free(b);
	}
	CHECK_EQ(pfn_v1_decode(NULL, 4096, GiB, &out, why, sizeof(why)), PFN_V1_INVALID);
	CHECK_STREQ(why, "info block: only 0 bytes readable, 4096 needed");
	/* exactly 4096 is enough */
	{
		uint8_t *b = malloc(PFN_V1_SIZE);

		memcpy(b, good, PFN_V1_SIZE);
		CHECK_EQ(pfn_v1_decode(b, PFN_V1_SIZE, GiB, &out, why, sizeof(why)),
			 PFN_V1_VALID);
		free(b);
	}
}

static void message_buffer_bounds(void)
{
	uint8_t b[PFN_V1_SIZE];
	struct pfn_v1 p, out;
	char small[9];

	make(b, GiB, SZ_2M, 0, true, &p);
	CHECK_EQ(pfn_v1_decode(b, sizeof(b), 2 * GiB, &out, NULL, 0), PFN_V1_INVALID);
	CHECK_EQ(pfn_v1_decode(b, sizeof(b), GiB, &out, NULL, 0), PFN_V1_VALID);
	memset(small, 'x', sizeof(small));
	CHECK_EQ(pfn_v1_decode(b, sizeof(b), 2 * GiB, &out, small, 8), PFN_V1_INVALID);
	CHECK_STREQ(small, "recorde");
	CHECK_EQ(small[8], 'x');
	memset(small, 'x', sizeof(small));
	CHECK_EQ(pfn_v1_decode(b, sizeof(b), GiB, &out, small, 1), PFN_V1_VALID);
	CHECK_EQ(small[0], '\0');
	CHECK_EQ(small[1], 'x');
	memset(b, 0x11, 16);
	memset(small, 'x', sizeof(small));
	CHECK_EQ(pfn_v1_decode(b, sizeof(b), GiB, &out, small, 8), PFN_V1_INVALID);
	CHECK_STREQ(small, "magic \"");
}

static const struct tap_case cases[] = {
	TAP_CASE(encode_golden_bytes),
	TAP_CASE(checksum_matches_reference),
	TAP_CASE(round_trip),
	TAP_CASE(layout_known_values),
	TAP_CASE(layout_errors),
	TAP_CASE(layout_invariants),
	TAP_CASE(memmap_room),
	TAP_CASE(blank_block),
	TAP_CASE(single_field_corruptions),
	TAP_CASE(npfns_not_whole_compound_pages),
	TAP_CASE(memmap_in_ram_needs_no_room),
	TAP_CASE(bad_magic),
	TAP_CASE(checksum_mismatch),
	TAP_CASE(newer_minor_accepted),
	TAP_CASE(every_bit_flip_refused),
	TAP_CASE(random_double_flips_refused),
	TAP_CASE(short_buffers),
	TAP_CASE(message_buffer_bounds),
};

TAP_MAIN("pfn_v1", cases)
