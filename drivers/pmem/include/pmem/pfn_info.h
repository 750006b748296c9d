// SPDX-License-Identifier: BSD-2-Clause
// libnvdimm's on-media pfn info block (struct nd_pfn_sb), the format Linux and ndctl read and
// write on a pmem namespace: what zonedev writes on a blank range and recognizes on any range, so
// a namespace laid out by either system is accepted by the other. The format is documented by
// Linux drivers/nvdimm/pfn.h, pfn_devs.c and btt.h; this is our own implementation of it.
#ifndef ZONEDEV_PMEM_PFN_INFO_H
#define ZONEDEV_PMEM_PFN_INFO_H

#include <platform/types.h>

/*
 * Namespace layout (offsets from the namespace start, i.e. the pmem-region reg base):
 *
 *   [0, 4 KiB)            left to its owner: never read for the layout, never written by us
 *   [4 KiB, 8 KiB)        the info block below (Linux's nd_info_block_reserve() is 8 KiB)
 *   [8 KiB, dataoff)      mode PMEM: struct pages of the namespace (the altmap's free pages);
 *                         a devdax namespace also keeps 128 KiB for a label here
 *   [dataoff, size - end_trunc)   data: npfns pages of 4 KiB
 *
 * The block, all integers little-endian at fixed offsets (never a C struct over the bytes):
 *
 *   offset size field
 *   0x000  16   signature: "NVDIMM_PFN_INFO\0" (fsdax) or "NVDIMM_DAX_INFO\0" (devdax)
 *   0x010  16   uuid of the pfn/dax device
 *   0x020  16   parent_uuid: the namespace's uuid; zero for a label-less (pmem-region) one
 *   0x030   4   flags (none defined)
 *   0x034   2   version major (1)
 *   0x036   2   version minor (4 when written; 0..3 read with their defaults, see below)
 *   0x038   8   dataoff: bytes from the namespace start (+ start_pad) to the first data page
 *   0x040   8   npfns: data pages
 *   0x048   4   mode: PFN_MODE_RAM (1, memmap in RAM) or PFN_MODE_PMEM (2, in the namespace)
 *   0x04c   4   start_pad (1.1+; deprecated, 0 for namespaces laid out since Linux 5.4)
 *   0x050   4   end_trunc (1.1+): bytes at the end beyond the last aligned boundary
 *   0x054   4   align (1.2+): alignment of the data, 0 on older blocks (then 2^ilog2(dataoff))
 *   0x058   4   page_size (1.3+, else 4096)
 *   0x05c   2   page_struct_size (1.4+, else 64): struct page size the memmap was sized for
 *   0x05e 3994  padding, zero
 *   0xff8   8   checksum: nd_sb_checksum(), Fletcher-64 of the 4 KiB with this field read as
 *               zero: 1024 little-endian 32-bit words, the low sum kept in 32 bits (wraps),
 *               the high sum in 64 bits, result (high << 32) | low
 *
 * A BTT namespace has a "BTT_ARENA_INFO\0\0" block at the same offset with the checksum at the
 * same place (btt.h); it is recognized only, never interpreted.
 *
 * Fresh layout (pfn_info_layout(), Linux's nd_pfn_init() arithmetic for a namespace starting at
 * @base): align = max(requested, memremap_compat_align() = 2 MiB); end_trunc = (base + size) -
 * ALIGN_DOWN(base + size, align); npfns0 = (size - 8 KiB) / 4 KiB (before the memmap is taken
 * out); dataoff = ALIGN(base + 8 KiB + 64 * npfns0 [+ 128 KiB devdax], align) - base in mode
 * PMEM, ALIGN(base + 8 KiB [+ 128 KiB devdax], align) - base in mode RAM; npfns = (size - dataoff
 * - end_trunc) / 4 KiB. So a 2 MiB aligned 256 MiB namespace starts its data at +6 MiB, 1 GiB at
 * +18 MiB, 4 GiB at +66 MiB. The memmap of the whole namespace (64 bytes per 4 KiB, the info
 * area included) fits in [8 KiB, dataoff) because the rounding up always adds more than the 128
 * bytes npfns0 leaves out.
 */

#define PFN_INFO_OFFSET 4096		/* the block's offset in the namespace */
#define PFN_INFO_SIZE 4096
#define PFN_INFO_RESERVE 8192		/* [0, 8 KiB): never memmap or data */
#define PFN_INFO_SIG_LEN 16
#define PFN_INFO_PFN_SIG "NVDIMM_PFN_INFO"	/* with its NUL: 16 bytes */
#define PFN_INFO_DAX_SIG "NVDIMM_DAX_INFO"
#define PFN_INFO_BTT_SIG "BTT_ARENA_INFO"	/* and two NULs */
#define PFN_INFO_VERSION_MAJOR 1
#define PFN_INFO_VERSION_MINOR 4
#define PFN_INFO_PAGE_SIZE 4096u
#define PFN_INFO_STRUCT_PAGE_SIZE 64u	/* MAX_STRUCT_PAGE_SIZE; ours is 64 too */
#define PFN_INFO_COMPAT_ALIGN SZ_2M	/* memremap_compat_align() off powerpc */
#define PFN_INFO_DAX_LABEL_RESERVE 0x20000ULL	/* 128 KiB */
#define PFN_INFO_UUID_LEN 16

/* Byte offsets of the fields in the block. */
#define PFN_INFO_OFF_SIG 0x000
#define PFN_INFO_OFF_UUID 0x010
#define PFN_INFO_OFF_PARENT_UUID 0x020
#define PFN_INFO_OFF_FLAGS 0x030
#define PFN_INFO_OFF_MAJOR 0x034
#define PFN_INFO_OFF_MINOR 0x036
#define PFN_INFO_OFF_DATAOFF 0x038
#define PFN_INFO_OFF_NPFNS 0x040
#define PFN_INFO_OFF_MODE 0x048
#define PFN_INFO_OFF_START_PAD 0x04c
#define PFN_INFO_OFF_END_TRUNC 0x050
#define PFN_INFO_OFF_ALIGN 0x054
#define PFN_INFO_OFF_PAGE_SIZE 0x058
#define PFN_INFO_OFF_PAGE_STRUCT_SIZE 0x05c
#define PFN_INFO_OFF_PADDING 0x05e
#define PFN_INFO_OFF_CHECKSUM 0xff8

enum pfn_mode {
	PFN_MODE_NONE = 0,
	PFN_MODE_RAM = 1,
	PFN_MODE_PMEM = 2,
	/*
	 * zonedev's own (never Linux's): memmap in the namespace, with room for the head
	 * vmemmap page of each compound page and one shared tail page only (compound device
	 * pages share their tails, mm/vmemmap_tails.c). devdax of 2 MiB or 1 GiB alignment only.
	 * Linux refuses the block (an unknown mode: -ENXIO after the block validated, so it
	 * does not fall back to a raw namespace either): a zonedev-only namespace.
	 */
	PFN_MODE_COMPACT = 3,
};

/** enum pfn_info_kind - which personality a block gives its namespace (its signature) */
enum pfn_info_kind {
	PFN_INFO_FSDAX,		/* NVDIMM_PFN_INFO: fsdax, pages managed one by one */
	PFN_INFO_DEVDAX,	/* NVDIMM_DAX_INFO: devdax, compound pages of @align */
};

/**
 * enum pfn_info_status - what pfn_info_decode() found in a namespace's first 8 KiB
 * @PFN_INFO_VALID: a valid fsdax or devdax block for this namespace: use its layout
 * @PFN_INFO_BLANK: the first 8 KiB are all zero: a fresh namespace, ours to lay out
 * @PFN_INFO_BTT: a BTT arena block (signature and checksum valid): someone's block device
 * @PFN_INFO_INVALID: anything else: another block with a bad field (the message names it), or
 *		      other data; never to be written over
 */
enum pfn_info_status {
	PFN_INFO_VALID,
	PFN_INFO_BLANK,
	PFN_INFO_BTT,
	PFN_INFO_INVALID,
};

/**
 * struct pfn_info - the fields of a block, decoded (host byte order); for blocks older than
 * 1.4 the fields they lack hold the values Linux assumes for them (start_pad, end_trunc 0;
 * align 2^ilog2(dataoff); page_size 4096; page_struct_size 64)
 * @kind: the signature
 * @version_major, @version_minor: as found (written: 1.4)
 * @align: the recorded alignment (0 in the block is replaced as above)
 * @vmemmap_shift: derived, not on the medium: compound order of the data pages, log2(@align /
 *		   4 KiB) for devdax, 0 for fsdax
 * @checksum: as found by pfn_info_decode(); pfn_info_encode() computes its own
 */
struct pfn_info {
	enum pfn_info_kind kind;
	uint8_t uuid[PFN_INFO_UUID_LEN];
	uint8_t parent_uuid[PFN_INFO_UUID_LEN];
	uint32_t flags;
	uint16_t version_major, version_minor;
	uint64_t data_offset;
	uint64_t npfns;
	uint32_t mode;
	uint32_t start_pad;
	uint32_t end_trunc;
	uint64_t align;
	uint32_t page_size;
	uint32_t page_struct_size;
	unsigned int vmemmap_shift;
	uint64_t checksum;
};

/**
 * pfn_info_layout() - a fresh layout, Linux's nd_pfn_init() arithmetic (see above)
 * @base, @size: the namespace; @base must be 2 MiB aligned
 * @kind: fsdax or devdax
 * @align: requested alignment of the data: 4 KiB, 2 MiB or 1 GiB (raised to 2 MiB as Linux
 *	   does); for devdax it also sets the compound page size
 * @mode: PFN_MODE_PMEM or PFN_MODE_RAM (Linux's arithmetic), or PFN_MODE_COMPACT (devdax of
 *	   2 MiB or 1 GiB only: a page per compound page and one more reserved after the 8 KiB
 *	   and devdax label area, instead of 64 bytes per page)
 * @out: filled with version 1.4, the layout, uuids zero (the caller sets @out->uuid)
 * Return: 0; -EINVAL for a bad argument or a misaligned @base; -ENOSPC when no data page is left
 * after the metadata.
 */
int pfn_info_layout(uint64_t base, uint64_t size, enum pfn_info_kind kind, uint64_t align,
		    uint32_t mode, struct pfn_info *out);

/** pfn_info_encode() - @in as a 4 KiB block: padding zero, checksum computed */
void pfn_info_encode(const struct pfn_info *in, uint8_t block[PFN_INFO_SIZE]);

/** pfn_info_checksum() - nd_sb_checksum() of a 4 KiB block (its checksum field read as 0) */
uint64_t pfn_info_checksum(const uint8_t block[PFN_INFO_SIZE]);

/** pfn_info_sig() - the 16-byte signature of @kind */
const char *pfn_info_sig(enum pfn_info_kind kind);

/**
 * pfn_info_decode() - read and validate a namespace's info block
 * @ns: the first bytes of the namespace; only [0, PFN_INFO_RESERVE) is read (the blank test
 *	looks at all 8 KiB, the block at [4 KiB, 8 KiB)), nothing at or beyond @ns + @len
 * @len: bytes readable at @ns
 * @base, @size: the namespace as the tree describes it now
 * @out: the decoded block for PFN_INFO_VALID; zeroed otherwise
 * @why: for PFN_INFO_INVALID (and PFN_INFO_BTT: what was found) a message naming the field, the
 *	 value and the rule, without the namespace's name; "" otherwise; may be NULL if @why_len 0
 *
 * The checks are nd_pfn_validate()'s: signature, checksum, parent_uuid (zero: label-less), mode,
 * page_size (4096 for mode PMEM), page_struct_size (>= 64 for mode PMEM), devdax alignment
 * supported (4 KiB, 2 MiB, 1 GiB), align not beyond the capacity, dataoff inside the namespace
 * and page aligned, the data start physically aligned to align, namespace start (+ start_pad)
 * and end (- end_trunc) aligned to 2 MiB, dataoff before the end; then ours: version major 1,
 * flags and (1.3+) padding zero, align a power of two >= 4 KiB, start_pad 0 (the deprecated
 * padding is not supported), dataoff past the 8 KiB info area, room for the namespace's memmap
 * (64 bytes per 4 KiB of the whole namespace) in mode PMEM, npfns nonzero and within the data
 * area, devdax npfns whole compound pages.
 * Return: the status.
 */
enum pfn_info_status pfn_info_decode(const uint8_t *ns, size_t len, uint64_t base, uint64_t size,
				     struct pfn_info *out, char *why, size_t why_len);

#endif
