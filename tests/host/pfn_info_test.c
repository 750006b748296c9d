// SPDX-License-Identifier: BSD-2-Clause
// libnvdimm's pfn info block: byte offsets, nd_sb_checksum() from its definition, Linux's layout
// figures (256 MiB -> +6 MiB, 1 GiB -> +18 MiB, 4 GiB -> +66 MiB), older minor versions, BTT,
// blank and foreign namespaces, and the refusal of every bad field with a message naming it.
#include <stdlib.h>

#include <platform/errno.h>
#include <pmem/pfn_info.h>

#include "tap.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define BASE (0x50000000ULL)	/* arm64 persistent pmem base in our overlays: 2 MiB aligned */

static char why[512];
static uint8_t ns[PFN_INFO_RESERVE];
static uint8_t *const blk = ns + PFN_INFO_OFFSET;

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

/* nd_fletcher64() as documented: u32 low sum that wraps, u64 high sum, (hi << 32) | lo. */
static uint64_t ref_checksum(const uint8_t *b)
{
	uint32_t lo = 0;
	uint64_t hi = 0;

	for (unsigned int i = 0; i < 4088 / 4; i++) {
		lo += (uint32_t)get(b, i * 4, 4);
		hi += lo;
	}
	hi += lo; /* the two checksum words, read as zero */
	hi += lo;
	return hi << 32 | lo;
}

static void reseal(void)
{
	put(blk, PFN_INFO_OFF_CHECKSUM, pfn_info_checksum(blk), 8);
}

static void lay_out(uint64_t base, uint64_t size, enum pfn_info_kind kind, uint64_t align,
		    uint32_t mode)
{
	struct pfn_info p;

	memset(ns, 0, sizeof(ns));
	CHECK_EQ(pfn_info_layout(base, size, kind, align, mode, &p), 0);
	for (int i = 0; i < PFN_INFO_UUID_LEN; i++)
		p.uuid[i] = (uint8_t)(0xa0 + i);
	pfn_info_encode(&p, blk);
}

static enum pfn_info_status decode(uint64_t base, uint64_t size, struct pfn_info *out)
{
	return pfn_info_decode(ns, sizeof(ns), base, size, out, why, sizeof(why));
}

static void encode_offsets(void)
{
	struct pfn_info p;

	lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
	CHECK(!memcmp(blk, "NVDIMM_PFN_INFO\0", 16));
	CHECK_EQ(blk[0x10], 0xa0);
	CHECK_EQ(get(blk, 0x20, 8) | get(blk, 0x28, 8), 0); /* parent_uuid: label-less */
	CHECK_EQ(get(blk, 0x30, 4), 0);
	CHECK_EQ(get(blk, 0x34, 2), 1);
	CHECK_EQ(get(blk, 0x36, 2), 4);
	CHECK_EQ(get(blk, 0x38, 8), 18 * MiB);
	CHECK_EQ(get(blk, 0x40, 8), (GiB - 18 * MiB) / 4096);
	CHECK_EQ(get(blk, 0x48, 4), 2);
	CHECK_EQ(get(blk, 0x4c, 4), 0);
	CHECK_EQ(get(blk, 0x50, 4), 0);
	CHECK_EQ(get(blk, 0x54, 4), SZ_2M);
	CHECK_EQ(get(blk, 0x58, 4), 4096);
	CHECK_EQ(get(blk, 0x5c, 2), 64);
	for (unsigned int i = 0x5e; i < 0xff8; i++)
		CHECK_EQ(blk[i], 0);
	CHECK_EQ(get(blk, 0xff8, 8), ref_checksum(blk));
	for (unsigned int i = 0; i < PFN_INFO_OFFSET; i++)
		CHECK_EQ(ns[i], 0); /* the first 4 KiB are not ours */
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_VALID);
	CHECK_EQ(p.kind, PFN_INFO_FSDAX);
	CHECK_EQ(p.vmemmap_shift, 0);
}

/* The figures Linux's nd_pfn_init() gives (ANCHORS A3, ndctl's 64 B per 4 KiB). */
static void linux_layout_figures(void)
{
	static const struct {
		uint64_t size, dataoff;
	} fig[] = {
		{ 256 * MiB, 6 * MiB }, { GiB, 18 * MiB }, { 4 * GiB, 66 * MiB }, { 64 * MiB, 2 * MiB },
	};
	struct pfn_info p;

	for (size_t i = 0; i < sizeof(fig) / sizeof(fig[0]); i++) {
		CHECK_EQ(pfn_info_layout(BASE, fig[i].size, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM, &p),
			 0);
		CHECK_EQ(p.data_offset, fig[i].dataoff);
		CHECK_EQ(p.npfns, (fig[i].size - fig[i].dataoff) / 4096);
		CHECK_EQ(p.end_trunc, 0);
		/* the memmap of the whole namespace fits between the info area and the data */
		CHECK(p.data_offset - PFN_INFO_RESERVE >= fig[i].size / 4096 * 64);
	}
	/* where the 8 KiB info area tips the memmap over a 2 MiB boundary (4 KiB would not) */
	CHECK_EQ(pfn_info_layout(BASE, 32704 * 4096ULL, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.data_offset, 4 * MiB);
	/* where devdax's 128 KiB label reserve does the same: 120 MiB */
	CHECK_EQ(pfn_info_layout(BASE, 120 * MiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.data_offset, 2 * MiB);
	CHECK_EQ(pfn_info_layout(BASE, 120 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.data_offset, 4 * MiB);
	/* map=mem: only the info area, rounded up */
	CHECK_EQ(pfn_info_layout(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_RAM, &p), 0);
	CHECK_EQ(p.data_offset, 2 * MiB);
	/* 4 KiB requested is raised to memremap_compat_align() but recorded as asked */
	CHECK_EQ(pfn_info_layout(BASE, GiB, PFN_INFO_FSDAX, 4096, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.data_offset, 18 * MiB);
	CHECK_EQ(p.align, 4096);
	/* devdax keeps 128 KiB for a label: 8 KiB + 16 MiB - 128 + 128 KiB still rounds to 18 MiB */
	CHECK_EQ(pfn_info_layout(BASE, GiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.data_offset, 18 * MiB);
	CHECK_EQ(p.vmemmap_shift, 9);
	CHECK_EQ(pfn_info_layout(BASE, 64 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_RAM, &p), 0);
	CHECK_EQ(p.data_offset, 2 * MiB);
	/* 1 GiB devdax on a 1 GiB aligned 4 GiB namespace: data at +1 GiB */
	CHECK_EQ(pfn_info_layout(GiB, 4 * GiB, PFN_INFO_DEVDAX, GiB, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.data_offset, GiB);
	CHECK_EQ(p.npfns, 3 * GiB / 4096);
	CHECK_EQ(p.vmemmap_shift, 18);
	/* end_trunc: a namespace ending off the alignment */
	CHECK_EQ(pfn_info_layout(BASE, 257 * MiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM, &p), 0);
	CHECK_EQ(p.end_trunc, MiB);
	CHECK_EQ(p.npfns, (257 * MiB - p.data_offset - MiB) / 4096);
}

static void layout_errors(void)
{
	struct pfn_info p;

	CHECK_EQ(pfn_info_layout(BASE + 4096, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM, &p),
		 -EINVAL);
	CHECK_EQ(pfn_info_layout(BASE, GiB, PFN_INFO_FSDAX, 64 * 1024, PFN_MODE_PMEM, &p), -EINVAL);
	CHECK_EQ(pfn_info_layout(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, 3, &p), -EINVAL);
	CHECK_EQ(pfn_info_layout(BASE, 2 * MiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM, &p), -ENOSPC);
	CHECK_EQ(pfn_info_layout(BASE, GiB, PFN_INFO_DEVDAX, GiB, PFN_MODE_PMEM, &p), -ENOSPC);
}

static void every_layout_decodes(void)
{
	static const uint64_t sizes[] = { 4 * MiB, 64 * MiB, 130 * MiB, 257 * MiB, GiB, 3 * GiB };
	static const uint64_t aligns[] = { 4096, SZ_2M };
	struct pfn_info p, q;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t a = 0; a < 2; a++)
			for (int k = 0; k < 2; k++)
				for (uint32_t m = 1; m <= 2; m++) {
					if (pfn_info_layout(BASE, sizes[s], k, aligns[a], m, &p))
						continue;
					memset(ns, 0, sizeof(ns));
					pfn_info_encode(&p, blk);
					CHECK_EQ(decode(BASE, sizes[s], &q), PFN_INFO_VALID);
					if (why[0])
						printf("# %llu MiB: %s\n",
						       (unsigned long long)(sizes[s] >> 20), why);
					CHECK_EQ(q.data_offset, p.data_offset);
					CHECK_EQ(q.npfns, p.npfns);
					CHECK_EQ(q.mode, m);
					CHECK_EQ(q.kind, k);
					CHECK_EQ(q.vmemmap_shift, p.vmemmap_shift);
				}
}

static void checksum_is_nd_sb_checksum(void)
{
	srand(7);
	for (int n = 0; n < 50; n++) {
		for (unsigned int i = 0; i < PFN_INFO_SIZE; i++)
			blk[i] = (uint8_t)rand();
		CHECK_EQ(pfn_info_checksum(blk), ref_checksum(blk));
	}
	/* all ones: the low sum wraps each word, the high one keeps its carries */
	memset(blk, 0xff, PFN_INFO_SIZE);
	CHECK_EQ(pfn_info_checksum(blk), ref_checksum(blk));
}

static void blank_and_foreign(void)
{
	struct pfn_info p;

	memset(ns, 0, sizeof(ns));
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_BLANK);
	/* one byte anywhere in the 8 KiB: not blank, and no block */
	ns[100] = 1;
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "signature") != NULL);
	ns[100] = 0;
	ns[PFN_INFO_RESERVE - 1] = 1;
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_INVALID);
	/* our earlier block at offset 0 is not a Linux block */
	memset(ns, 0, sizeof(ns));
	memcpy(ns, "ZONEDEV_PFN_INF", 16);
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_INVALID);
	/* a valid Linux block is used whatever the first 4 KiB hold */
	lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
	memset(ns, 0x5a, PFN_INFO_OFFSET);
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_VALID);
}

static void btt_recognized(void)
{
	struct pfn_info p;

	memset(ns, 0, sizeof(ns));
	memcpy(blk, "BTT_ARENA_INFO\0\0", 16);
	put(blk, 0x30, 0x10000, 4); /* some arena field */
	reseal();
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_BTT);
	CHECK(strstr(why, "BTT") != NULL);
	blk[0x31] ^= 1;
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "checksum") != NULL);
}

static void devdax_block(void)
{
	struct pfn_info p;

	lay_out(BASE, 256 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_PMEM);
	CHECK(!memcmp(blk, "NVDIMM_DAX_INFO\0", 16));
	CHECK_EQ(decode(BASE, 256 * MiB, &p), PFN_INFO_VALID);
	CHECK_EQ(p.kind, PFN_INFO_DEVDAX);
	CHECK_EQ(p.vmemmap_shift, 9);
	CHECK_EQ(p.npfns % 512, 0);
	/* a devdax alignment Linux does not support */
	put(blk, PFN_INFO_OFF_ALIGN, 64 * 1024, 4);
	reseal();
	CHECK_EQ(decode(BASE, 256 * MiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "align 0x10000 is not a devdax alignment") != NULL);
}

/*
 * zonedev's compact devdax block (mode 3): room for a head page per compound page and the
 * shared tail page only; Linux's full reservation for the same namespace is still accepted.
 */
static void compact_devdax_block(void)
{
	struct pfn_info p, full;

	lay_out(BASE, 1024 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_COMPACT);
	CHECK_EQ(decode(BASE, 1024 * MiB, &p), PFN_INFO_VALID);
	CHECK_EQ(p.mode, PFN_MODE_COMPACT);
	CHECK_EQ(p.vmemmap_shift, 9);
	/* 8 KiB + the 128 KiB devdax label area + 513 pages, on 2 MiB: 4 MiB, not Linux's 18 */
	CHECK_EQ(p.data_offset, 4 * MiB);
	CHECK_EQ(p.npfns, (1024 - 4) * MiB / 4096);
	lay_out(BASE, 1024 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_PMEM);
	CHECK_EQ(decode(BASE, 1024 * MiB, &full), PFN_INFO_VALID);
	CHECK_EQ(full.data_offset, 18 * MiB);
	/* 1 GiB pages: the data start on the next GiB either way */
	lay_out(BASE, 2048 * MiB, PFN_INFO_DEVDAX, SZ_1G, PFN_MODE_COMPACT);
	CHECK_EQ(decode(BASE, 2048 * MiB, &p), PFN_INFO_VALID);
	CHECK_EQ(p.data_offset, ALIGN_UP(BASE + 1, SZ_1G) - BASE);
	/* compact is for compound devdax only; and its room must hold the heads */
	CHECK_EQ(pfn_info_layout(BASE, 1024 * MiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_COMPACT, &p),
		 -EINVAL);
	lay_out(BASE, 1024 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_COMPACT);
	put(blk, PFN_INFO_OFF_DATAOFF, 2 * MiB, 8);
	put(blk, PFN_INFO_OFF_NPFNS, (1024 - 2) * MiB / 4096, 8);
	reseal();
	CHECK_EQ(decode(BASE, 1024 * MiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "bytes for the memmap") != NULL);
	lay_out(BASE, 1024 * MiB, PFN_INFO_DEVDAX, SZ_2M, PFN_MODE_COMPACT);
	memcpy(blk, "NVDIMM_PFN_INFO\0", 16);
	reseal();
	CHECK_EQ(decode(BASE, 1024 * MiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "compact memmap") != NULL);
}

/* Older minor versions: the fields they lack read as Linux reads them. */
static void older_minor_versions(void)
{
	struct pfn_info p;

	/* map=mem: dataoff 2 MiB, so the implied alignment of 1.0/1.1 is 2 MiB too */
	for (unsigned int minor = 0; minor <= 3; minor++) {
		lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_RAM);
		put(blk, PFN_INFO_OFF_MINOR, minor, 2);
		/* fields the version predates hold garbage: ignored */
		if (minor < 4) {
			put(blk, PFN_INFO_OFF_PAGE_SIZE, 0x10000, 4);
			put(blk, PFN_INFO_OFF_PAGE_STRUCT_SIZE, 8, 2);
		}
		if (minor < 2)
			put(blk, PFN_INFO_OFF_ALIGN, 12345, 4);
		if (minor < 1)
			put(blk, PFN_INFO_OFF_START_PAD, 4096, 4);
		if (minor == 3) { /* 1.3 guarantees zero padding, so the garbage must go */
			put(blk, PFN_INFO_OFF_PAGE_SIZE, 4096, 4);
			put(blk, PFN_INFO_OFF_PAGE_STRUCT_SIZE, 0, 2);
		}
		reseal();
		CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_VALID);
		if (why[0])
			printf("# 1.%u: %s\n", minor, why);
		CHECK_EQ(p.version_minor, minor);
		CHECK_EQ(p.page_size, 4096);
		CHECK_EQ(p.page_struct_size, 64);
		if (minor < 2)
			CHECK_EQ(p.align, 2 * MiB);
	}
	/* as in Linux, an implied alignment of 2^ilog2(18 MiB) = 16 MiB the data do not have */
	lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
	put(blk, PFN_INFO_OFF_MINOR, 1, 2);
	reseal();
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "not aligned to align 0x1000000") != NULL);
	/* a newer minor version is read too (Linux does not refuse it) */
	lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
	put(blk, PFN_INFO_OFF_MINOR, 9, 2);
	reseal();
	CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_VALID);
}

/* Every field a validator looks at, broken alone: refused, the message naming the field. */
static void single_field_refusals(void)
{
	static const struct {
		unsigned int off, bytes;
		uint64_t value;
		const char *msg;
	} cases[] = {
		{ PFN_INFO_OFF_PARENT_UUID, 1, 1, "parent_uuid is not zero" },
		{ PFN_INFO_OFF_MAJOR, 2, 2, "version_major 2" },
		{ PFN_INFO_OFF_MODE, 4, 3, "mode 3 (compact memmap) is for devdax" },
		{ PFN_INFO_OFF_MODE, 4, 4, "mode 4 is neither" },
		{ PFN_INFO_OFF_MODE, 4, 0, "mode 0 is neither" },
		{ PFN_INFO_OFF_FLAGS, 4, 1, "flags 0x1" },
		{ PFN_INFO_OFF_PADDING + 10, 1, 1, "padding is not zero" },
		{ PFN_INFO_OFF_DATAOFF, 8, 0, "dataoff 0" },
		{ PFN_INFO_OFF_DATAOFF, 8, 2 * GiB, "dataoff 0x80000000 is beyond" },
		{ PFN_INFO_OFF_DATAOFF, 8, 18 * MiB + 4096, "not aligned to align" },
		{ PFN_INFO_OFF_DATAOFF, 8, 2 * MiB, "leaves 0x1fe000 bytes for the memmap" },
		{ PFN_INFO_OFF_PAGE_SIZE, 4, 65536, "page_size 65536" },
		{ PFN_INFO_OFF_PAGE_STRUCT_SIZE, 2, 56, "page_struct_size 56" },
		{ PFN_INFO_OFF_ALIGN, 4, 3 * 4096, "align 0x3000 is not a power of two" },
		{ PFN_INFO_OFF_START_PAD, 4, SZ_2M, "start_pad 0x200000" },
		{ PFN_INFO_OFF_END_TRUNC, 4, 4096, "end_trunc 0x1000" },
		{ PFN_INFO_OFF_END_TRUNC, 4, 1008 * MiB, "leaves no data before end_trunc" },
		{ PFN_INFO_OFF_NPFNS, 8, 0, "npfns 0" },
		{ PFN_INFO_OFF_NPFNS, 8, GiB / 4096, "npfns 262144 does not fit" },
	};
	struct pfn_info p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
		put(blk, cases[i].off, cases[i].value, cases[i].bytes);
		reseal();
		CHECK_EQ(decode(BASE, GiB, &p), PFN_INFO_INVALID);
		if (!strstr(why, cases[i].msg)) {
			printf("# case %zu: \"%s\" does not say \"%s\"\n", i, why, cases[i].msg);
			CHECK(0);
		}
	}
	/* the namespace itself moved or shrank */
	lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
	CHECK_EQ(decode(BASE + 4096, GiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "not aligned to align") != NULL);
	CHECK_EQ(decode(BASE, 16 * MiB, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "beyond the namespace size") != NULL);
	CHECK_EQ(decode(BASE, GiB + 4096, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "end_trunc 0x0: namespace end") != NULL);
	CHECK_EQ(decode(BASE, 1024, &p), PFN_INFO_INVALID);
	CHECK(strstr(why, "exceeds the namespace capacity") != NULL);
}

static void every_bit_flip_refused(void)
{
	struct pfn_info p;
	int flips = 0, caught = 0;

	for (unsigned int byte = 0; byte < PFN_INFO_SIZE; byte++) {
		for (unsigned int bit = 0; bit < 8; bit++) {
			lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
			blk[byte] ^= (uint8_t)(1u << bit);
			flips++;
			caught += decode(BASE, GiB, &p) == PFN_INFO_INVALID;
		}
	}
	CHECK_EQ(caught, flips);
}

static void short_buffers(void)
{
	struct pfn_info p;

	lay_out(BASE, GiB, PFN_INFO_FSDAX, SZ_2M, PFN_MODE_PMEM);
	CHECK_EQ(pfn_info_decode(ns, PFN_INFO_RESERVE - 1, BASE, GiB, &p, why, sizeof(why)),
		 PFN_INFO_INVALID);
	CHECK(strstr(why, "8191 bytes readable, 8192 needed") != NULL);
	CHECK_EQ(pfn_info_decode(NULL, 0, BASE, GiB, &p, NULL, 0), PFN_INFO_INVALID);
}

static const struct tap_case cases[] = {
	TAP_CASE(encode_offsets),
	TAP_CASE(linux_layout_figures),
	TAP_CASE(layout_errors),
	TAP_CASE(every_layout_decodes),
	TAP_CASE(checksum_is_nd_sb_checksum),
	TAP_CASE(blank_and_foreign),
	TAP_CASE(btt_recognized),
	TAP_CASE(devdax_block),
	TAP_CASE(compact_devdax_block),
	TAP_CASE(older_minor_versions),
	TAP_CASE(single_field_refusals),
	TAP_CASE(every_bit_flip_refused),
	TAP_CASE(short_buffers),
};

TAP_MAIN("pfn_info", cases)
