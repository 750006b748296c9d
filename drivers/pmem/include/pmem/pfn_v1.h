// SPDX-License-Identifier: BSD-2-Clause
// zonedev's own earlier info block ("v1", ZONEDEV_PFN_INF at offset 0 of a region), superseded by
// libnvdimm's (<pmem/pfn_info.h>): still read so ranges laid out before stay usable, and
// converted to Linux's format only when the boot asks (pmem_convert=linux). Never written for a
// new range.
#ifndef ZONEDEV_PMEM_PFN_V1_H
#define ZONEDEV_PMEM_PFN_V1_H

#include <platform/types.h>

/*
 * On-media format, version 1.0. All integers little-endian, at fixed offsets (never a C struct
 * laid over the bytes). The block is one 4 KiB page at offset 0 of the region.
 *
 *   offset size field
 *   0x000  16   magic: "ZONEDEV_PFN_INF" and a NUL
 *   0x010   2   version major (1)
 *   0x012   2   version minor (0)
 *   0x014   4   flags: bit 0 PFN_V1_F_MEMMAP_IN_DEVICE; other bits zero in 1.0
 *   0x018   8   region size in bytes when the block was written
 *   0x020   8   data offset: bytes from the region start to the first data page
 *   0x028   8   npfns: number of 4 KiB data pages from the data offset on
 *   0x030   8   alignment of the data offset (power of two, 4 KiB .. 1 GiB)
 *   0x038   4   page size the layout was computed for (4096)
 *   0x03c   2   struct page size the memmap was sized for (64)
 *   0x03e   2   vmemmap_shift: order of the compound pages of the data (0 .. 18)
 *   0x040  16   id: an identifier the writer chose (not checked)
 *   0x050   8   checksum: Fletcher-64 of the whole 4 KiB with this field read as zero
 *   0x058 4008  reserved, zero
 *
 * Checksum: Fletcher-64 over the block taken as 1024 little-endian 32-bit words; both sums
 * start at 0 and are kept modulo 2^32 - 1; the value is (sum2 << 32) | sum1. Any single bit
 * flip changes sum1, so it is always caught.
 *
 * Compatibility: the magic, the two version words and the checksum (place and algorithm) are
 * frozen for every version, so a reader always verifies the checksum before it trusts the
 * version. A newer minor version may only add fields in the reserved area or flag bits that an
 * older reader can safely ignore: such a block is accepted, its unknown flags and reserved bytes
 * ignored. Anything an older reader must understand bumps the major version, which is refused.
 * In a block of this minor version or older, unknown flags and nonzero reserved bytes are
 * corruption and refused.
 *
 * Layout with PFN_V1_F_MEMMAP_IN_DEVICE (persistent regions): the info block, then the memmap
 * (the altmap's free pages), then the data pages:
 *
 *   [0, 4 KiB)              info block (the altmap's reserve)
 *   [4 KiB, data offset)    struct pages: at least pfn_v1_memmap_room(region size) bytes
 *   [data offset, + npfns * 4 KiB)   data pages; the rest up to the region end is unused
 *
 * The memmap is sized for every page of the region, the info block and the memmap pages
 * included, not just for the data pages: the driver hands the whole region to
 * memremap_pages() (as Linux does for a pfn namespace), and that creates a struct page for
 * each of its pages. Sizing for the data pages alone would leave the altmap short. The price is
 * 64 bytes per metadata page, 1/4096 of the memmap.
 *
 * A memmap of 2 MiB or more also gets 2 MiB - 4 KiB of slack: the vmemmap may be mapped with
 * PMD leaves, and the altmap hands out a 2 MiB block only at a 2 MiB aligned pfn. The pages it
 * skips to get there (at most 511, and only once: later blocks follow on) would otherwise be
 * missing at the end, e.g. for a 130 MiB region at a 128 MiB boundary (one PMD leaf after 511
 * skipped pages, then 8 base pages, in 1023 free pages). For regions that are a multiple of
 * 128 MiB and 2 MiB alignment the slack costs nothing: it fills the rounding up.
 *
 * Without the flag the memmap lives in RAM and the data start at the info block rounded up to
 * the alignment.
 *
 * The data offset is aligned relative to the region start; the data are physically aligned
 * to the alignment only if the region base is too (pmem regions are 2 MiB aligned), which the
 * driver must check for larger alignments.
 */

#define PFN_V1_SIZE 4096
#define PFN_V1_MAGIC "ZONEDEV_PFN_INF"	/* 15 characters and the NUL: 16 bytes */
#define PFN_V1_MAGIC_LEN 16
#define PFN_V1_VERSION_MAJOR 1
#define PFN_V1_VERSION_MINOR 0
#define PFN_V1_ID_LEN 16

/* Flags of version 1.0. */
#define PFN_V1_F_MEMMAP_IN_DEVICE 0x1u
#define PFN_V1_F_KNOWN PFN_V1_F_MEMMAP_IN_DEVICE

#define PFN_V1_PAGE_SIZE 4096u
#define PFN_V1_STRUCT_PAGE_SIZE 64u
#define PFN_V1_ALIGN_MIN SZ_4K
#define PFN_V1_ALIGN_MAX SZ_1G
/* A PMD leaf of the vmemmap: the largest (and most aligned) block the altmap gives out. */
#define PFN_V1_PMD_SIZE SZ_2M
/* 2^18 pages of 4 KiB: a 1 GiB compound page, the largest the data can be mapped with. */
#define PFN_V1_MAX_VMEMMAP_SHIFT 18

/* Byte offsets of the fields in the block, for the encoder, the decoder and the tests. */
#define PFN_V1_OFF_MAGIC 0x000
#define PFN_V1_OFF_MAJOR 0x010
#define PFN_V1_OFF_MINOR 0x012
#define PFN_V1_OFF_FLAGS 0x014
#define PFN_V1_OFF_REGION_SIZE 0x018
#define PFN_V1_OFF_DATA_OFFSET 0x020
#define PFN_V1_OFF_NPFNS 0x028
#define PFN_V1_OFF_ALIGN 0x030
#define PFN_V1_OFF_PAGE_SIZE 0x038
#define PFN_V1_OFF_STRUCT_PAGE_SIZE 0x03c
#define PFN_V1_OFF_VMEMMAP_SHIFT 0x03e
#define PFN_V1_OFF_ID 0x040
#define PFN_V1_OFF_CHECKSUM 0x050
#define PFN_V1_OFF_RESERVED 0x058

/**
 * enum pfn_v1_status - what pfn_v1_decode() found at the start of a region
 * @PFN_V1_VALID: a consistent info block for this region: reuse its layout
 * @PFN_V1_BLANK: 4 KiB of zeros: a fresh device, write a new block
 * @PFN_V1_INVALID: anything else (other data, corruption, a torn write, a newer major
 *		      version, a resized region); the message says which field and why
 */
enum pfn_v1_status {
	PFN_V1_VALID,
	PFN_V1_BLANK,
	PFN_V1_INVALID,
};

/**
 * struct pfn_v1 - the fields of an info block, decoded (host byte order)
 * @version_major, @version_minor: format version of the block
 * @flags: PFN_V1_F_*; a block of a newer minor version may carry bits unknown here
 * @region_size: size of the region in bytes when the block was written
 * @data_offset: bytes from the region start to the first data page
 * @npfns: number of data pages (4 KiB each) from @data_offset on
 * @align: alignment of @data_offset
 * @page_size: PFN_V1_PAGE_SIZE
 * @struct_page_size: PFN_V1_STRUCT_PAGE_SIZE
 * @vmemmap_shift: order of the compound pages the data are managed in (0: base pages)
 * @id: the writer's identifier of the region, opaque
 * @checksum: as found in the block by pfn_v1_decode(); pfn_v1_encode() ignores it and
 *	      writes the checksum of what it encoded
 */
struct pfn_v1 {
	uint16_t version_major, version_minor;
	uint32_t flags;
	uint64_t region_size;
	uint64_t data_offset;
	uint64_t npfns;
	uint64_t align;
	uint32_t page_size;
	uint32_t struct_page_size;
	unsigned int vmemmap_shift;
	uint8_t id[PFN_V1_ID_LEN];
	uint64_t checksum;
};

/**
 * pfn_v1_layout() - the layout of a fresh region
 * @region_size: bytes, a multiple of 4 KiB
 * @align: alignment of the data offset: a power of two from 4 KiB to 1 GiB, at least the
 *	   compound page size (4 KiB << @vmemmap_shift)
 * @vmemmap_shift: compound page order of the data, 0 .. PFN_V1_MAX_VMEMMAP_SHIFT
 * @memmap_in_device: reserve room for the struct pages of the whole region inside it
 * @out: filled with version 1.0, the flags, the sizes, the layout; @out->id zeroed (the caller
 *	 sets it before encoding) and @out->checksum 0
 *
 * Guarantees: @out->data_offset is the smallest multiple of @align that is at least 4 KiB
 * plus, with @memmap_in_device, pfn_v1_memmap_room(@region_size); @out->npfns is
 * the largest multiple of 2^@vmemmap_shift with data_offset + npfns * 4 KiB <= @region_size.
 * The result passes pfn_v1_decode() once encoded.
 * Return: 0; -EINVAL for a bad @align, @vmemmap_shift or @region_size; -ENOSPC when the
 * region holds no data page (or no whole compound page) after its metadata.
 */
int pfn_v1_layout(uint64_t region_size, uint64_t align, unsigned int vmemmap_shift,
		    bool memmap_in_device, struct pfn_v1 *out);

/**
 * pfn_v1_memmap_room() - bytes the memmap of a region needs between the info block and the
 * data when it lives in the region: (@region_size / 4 KiB) * 64, plus 2 MiB - 4 KiB of PMD
 * alignment slack when that is 2 MiB or more (see the format above)
 * @region_size: bytes
 */
uint64_t pfn_v1_memmap_room(uint64_t region_size);

/**
 * pfn_v1_encode() - write @in into a 4 KiB block, checksum computed, reserved bytes zeroed
 * @in: written as it is (its version, flags and fields; @in->checksum is ignored)
 * @block: PFN_V1_SIZE bytes
 */
void pfn_v1_encode(const struct pfn_v1 *in, uint8_t block[PFN_V1_SIZE]);

/**
 * pfn_v1_checksum() - Fletcher-64 of a 4 KiB block with its checksum field read as zero
 * @block: PFN_V1_SIZE bytes
 */
uint64_t pfn_v1_checksum(const uint8_t block[PFN_V1_SIZE]);

/**
 * pfn_v1_decode() - read and validate the info block at the start of a region
 * @block: the first bytes of the region
 * @len: bytes readable at @block; only the first PFN_V1_SIZE are looked at, nothing at or
 *	 beyond @block + @len is read
 * @region_size: the device's region size now, in bytes
 * @out: the decoded fields when the result is PFN_V1_VALID; zeroed otherwise
 * @why: for PFN_V1_INVALID, a message naming the field, the value found and what was
 *	 expected (without the region's name: the caller prefixes it); "" otherwise. May be
 *	 NULL when @why_len is 0.
 * @why_len: size of @why
 *
 * Checks, in this order: length; all zero (blank); magic; checksum; major version (newer or 0
 * refused); unknown flags and reserved bytes (unless the minor version is newer); page size;
 * struct page size; alignment; vmemmap_shift; recorded region size against @region_size; data
 * offset (aligned, past the info block, inside the region, room for the memmap); npfns (not 0,
 * fits before the region end, whole compound pages).
 * Return: the status.
 */
enum pfn_v1_status pfn_v1_decode(const uint8_t *block, size_t len, uint64_t region_size,
				     struct pfn_v1 *out, char *why, size_t why_len);

#endif
