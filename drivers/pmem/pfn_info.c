// SPDX-License-Identifier: BSD-2-Clause
// libnvdimm's pfn info block (format in <pmem/pfn_info.h>): fresh layout, encoder, and a decoder
// that trusts nothing it reads. Freestanding: the kernel and the host tests build it unchanged,
// and no libgcc helper may be pulled in (riscv64 links a libgcc of another ABI).
#include <stdio.h>
#include <string.h>

#include <platform/errno.h>
#include <pmem/le.h>
#include <pmem/pfn_info.h>

static const char pfn_sig[PFN_INFO_SIG_LEN] = PFN_INFO_PFN_SIG;
static const char dax_sig[PFN_INFO_SIG_LEN] = PFN_INFO_DAX_SIG;
static const char btt_sig[PFN_INFO_SIG_LEN] = PFN_INFO_BTT_SIG;

static unsigned int ilog2_u64(uint64_t x)
{
	unsigned int n = 0;

	while (x >>= 1)
		n++;
	return n;
}

/* Word at a time where aligned: a blank check reads 8 KiB on every probe. */
typedef uint64_t __attribute__((may_alias)) u64_alias;
typedef uint32_t __attribute__((may_alias)) u32_alias;

static bool all_zero(const uint8_t *p, size_t len)
{
	size_t i = 0;
	uint64_t acc = 0;

	if (!((uintptr_t)p & 7))
		for (; i + 8 <= len; i += 8)
			acc |= *(const u64_alias *)(p + i);
	for (; i < len; i++)
		acc |= p[i];
	return !acc;
}

const char *pfn_info_sig(enum pfn_info_kind kind)
{
	return kind == PFN_INFO_DEVDAX ? dax_sig : pfn_sig;
}

uint64_t pfn_info_checksum(const uint8_t block[PFN_INFO_SIZE])
{
	uint32_t lo = 0;	/* wraps modulo 2^32, as libnvdimm's does */
	uint64_t hi = 0;

	unsigned int off = 0;

	/* little-endian hosts with an aligned block read whole words (the kernel's case) */
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !((uintptr_t)block & 3))
		for (; off < PFN_INFO_OFF_CHECKSUM; off += 4) {
			lo += *(const u32_alias *)(block + off);
			hi += lo;
		}
	for (; off < PFN_INFO_SIZE; off += 4) {
		uint32_t w = 0;

		if (off < PFN_INFO_OFF_CHECKSUM)	/* the checksum's own two words count as 0 */
			w = (uint32_t)get_le(block + off, 4);
		lo += w;
		hi += lo;
	}
	return hi << 32 | lo;
}

/* Alignments a devdax namespace may record (Linux: base page, PMD, PUD). */
static bool devdax_align_ok(uint64_t align)
{
	return align == PFN_INFO_PAGE_SIZE || align == SZ_2M || align == SZ_1G;
}

/* Bytes between the info area and the data Linux keeps for a devdax label. */
static uint64_t label_reserve(enum pfn_info_kind kind)
{
	return kind == PFN_INFO_DEVDAX ? PFN_INFO_DAX_LABEL_RESERVE : 0;
}

int pfn_info_layout(uint64_t base, uint64_t size, enum pfn_info_kind kind, uint64_t align,
		    uint32_t mode, struct pfn_info *out)
{
	uint64_t eff, end, end_trunc, npfns, need, dataoff;

	memset(out, 0, sizeof(*out));
	if (!devdax_align_ok(align) ||
	    (mode != PFN_MODE_PMEM && mode != PFN_MODE_RAM && mode != PFN_MODE_COMPACT) ||
	    (kind != PFN_INFO_FSDAX && kind != PFN_INFO_DEVDAX))
		return -EINVAL;
	if (mode == PFN_MODE_COMPACT && (kind != PFN_INFO_DEVDAX || align < SZ_2M))
		return -EINVAL;
	eff = align > PFN_INFO_COMPAT_ALIGN ? align : PFN_INFO_COMPAT_ALIGN;
	if (!IS_ALIGNED(base, PFN_INFO_COMPAT_ALIGN) || !IS_ALIGNED(size, PFN_INFO_PAGE_SIZE) ||
	    size <= PFN_INFO_RESERVE || base + size < base)
		return -EINVAL;
	end = base + size;
	end_trunc = end - ALIGN_DOWN(end, eff);
	npfns = (size - PFN_INFO_RESERVE) / PFN_INFO_PAGE_SIZE;
	need = base + PFN_INFO_RESERVE + label_reserve(kind);
	if (mode == PFN_MODE_PMEM)
		need += PFN_INFO_STRUCT_PAGE_SIZE * npfns;
	else if (mode == PFN_MODE_COMPACT)	/* a head page per compound page, the shared tail */
		need += (size / align + 1) * PFN_INFO_PAGE_SIZE;
	dataoff = ALIGN_UP(need, eff) - base;
	if (dataoff + end_trunc >= size)
		return -ENOSPC;
	/* our pagemap covers the whole namespace; Linux's rounding leaves room but for odd sizes */
	if (mode == PFN_MODE_PMEM &&
	    dataoff - PFN_INFO_RESERVE < size / PFN_INFO_PAGE_SIZE * PFN_INFO_STRUCT_PAGE_SIZE)
		return -ENOSPC;

	out->kind = kind;
	out->version_major = PFN_INFO_VERSION_MAJOR;
	out->version_minor = PFN_INFO_VERSION_MINOR;
	out->data_offset = dataoff;
	out->npfns = (size - dataoff - end_trunc) / PFN_INFO_PAGE_SIZE;
	out->mode = mode;
	out->end_trunc = (uint32_t)end_trunc;
	out->align = align;
	out->page_size = PFN_INFO_PAGE_SIZE;
	out->page_struct_size = PFN_INFO_STRUCT_PAGE_SIZE;
	out->vmemmap_shift = kind == PFN_INFO_DEVDAX ? ilog2_u64(align / PFN_INFO_PAGE_SIZE) : 0;
	return 0;
}

void pfn_info_encode(const struct pfn_info *in, uint8_t block[PFN_INFO_SIZE])
{
	memset(block, 0, PFN_INFO_SIZE);
	memcpy(block + PFN_INFO_OFF_SIG, pfn_info_sig(in->kind), PFN_INFO_SIG_LEN);
	memcpy(block + PFN_INFO_OFF_UUID, in->uuid, PFN_INFO_UUID_LEN);
	memcpy(block + PFN_INFO_OFF_PARENT_UUID, in->parent_uuid, PFN_INFO_UUID_LEN);
	put_le(block + PFN_INFO_OFF_FLAGS, in->flags, 4);
	put_le(block + PFN_INFO_OFF_MAJOR, in->version_major, 2);
	put_le(block + PFN_INFO_OFF_MINOR, in->version_minor, 2);
	put_le(block + PFN_INFO_OFF_DATAOFF, in->data_offset, 8);
	put_le(block + PFN_INFO_OFF_NPFNS, in->npfns, 8);
	put_le(block + PFN_INFO_OFF_MODE, in->mode, 4);
	put_le(block + PFN_INFO_OFF_START_PAD, in->start_pad, 4);
	put_le(block + PFN_INFO_OFF_END_TRUNC, in->end_trunc, 4);
	put_le(block + PFN_INFO_OFF_ALIGN, in->align, 4);
	put_le(block + PFN_INFO_OFF_PAGE_SIZE, in->page_size, 4);
	put_le(block + PFN_INFO_OFF_PAGE_STRUCT_SIZE, in->page_struct_size, 2);
	put_le(block + PFN_INFO_OFF_CHECKSUM, pfn_info_checksum(block), 8);
}

/* The signature as found, for the message: printable ASCII kept, the rest as \xNN. */
static void quote_sig(const uint8_t *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < PFN_INFO_SIG_LEN && n + 5 < len; i++) {
		if (m[i] >= 0x20 && m[i] < 0x7f && m[i] != '"' && m[i] != '\\')
			buf[n++] = (char)m[i];
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", m[i]);
	}
	buf[n] = '\0';
}

#define FAIL(...) do { snprintf(why, why_len, __VA_ARGS__); return false; } while (0)

/* nd_pfn_validate()'s rules, then ours; false with @why at the first field that breaks one. */
static bool check_fields(const uint8_t *blk, struct pfn_info *in, uint64_t base, uint64_t size,
			 char *why, size_t why_len)
{
	unsigned long long dataoff = in->data_offset, align, npfns = in->npfns;
	uint64_t data_end, room, compound;
	bool pmem = in->mode == PFN_MODE_PMEM || in->mode == PFN_MODE_COMPACT;

	if (!all_zero(in->parent_uuid, PFN_INFO_UUID_LEN))
		FAIL("parent_uuid is not zero: the block belongs to a labelled namespace, this one "
		     "has no label");
	if (in->version_major != PFN_INFO_VERSION_MAJOR)
		FAIL("version_major %u is not %u", in->version_major, PFN_INFO_VERSION_MAJOR);
	if (in->mode != PFN_MODE_RAM && in->mode != PFN_MODE_PMEM && in->mode != PFN_MODE_COMPACT)
		FAIL("mode %u is neither PFN_MODE_RAM (1), PFN_MODE_PMEM (2) nor zonedev's compact "
		     "memmap (3)", in->mode);
	if (in->flags)
		FAIL("flags 0x%x: no flag is defined", in->flags);
	if (in->version_minor >= 3 &&
	    !all_zero(blk + PFN_INFO_OFF_PADDING, PFN_INFO_OFF_CHECKSUM - PFN_INFO_OFF_PADDING))
		FAIL("padding is not zero (version 1.%u guarantees it)", in->version_minor);
	if (!in->data_offset)
		FAIL("dataoff 0 puts the data over the info block");
	if (!in->align)	/* blocks before 1.2: the alignment is implied by the offset */
		in->align = 1ULL << ilog2_u64(in->data_offset);
	align = in->align;
	if (pmem && in->page_size != PFN_INFO_PAGE_SIZE)
		FAIL("page_size %u differs from the kernel's %u", in->page_size, PFN_INFO_PAGE_SIZE);
	if (pmem && in->page_struct_size < PFN_INFO_STRUCT_PAGE_SIZE)
		FAIL("page_struct_size %u is smaller than the kernel's struct page (%u)",
		     in->page_struct_size, PFN_INFO_STRUCT_PAGE_SIZE);
	if (!is_pow2(in->align) || in->align < PFN_INFO_PAGE_SIZE)
		FAIL("align 0x%llx is not a power of two of at least 4 KiB", align);
	if (in->kind == PFN_INFO_DEVDAX && !devdax_align_ok(in->align))
		FAIL("align 0x%llx is not a devdax alignment (4 KiB, 2 MiB or 1 GiB)", align);
	if (in->align > size)
		FAIL("align 0x%llx exceeds the namespace capacity 0x%llx", align,
		     (unsigned long long)size);
	if (in->data_offset >= size)
		FAIL("dataoff 0x%llx is beyond the namespace size 0x%llx", dataoff,
		     (unsigned long long)size);
	if (!IS_ALIGNED(in->data_offset, PFN_INFO_PAGE_SIZE) ||
	    !IS_ALIGNED(base + in->data_offset + in->start_pad, in->align))
		FAIL("dataoff 0x%llx: data at 0x%llx not aligned to align 0x%llx", dataoff,
		     (unsigned long long)(base + in->data_offset + in->start_pad), align);
	if (in->start_pad)
		FAIL("start_pad 0x%x: padded (pre-5.4) namespaces are not supported", in->start_pad);
	if (!IS_ALIGNED(base + in->start_pad, PFN_INFO_COMPAT_ALIGN))
		FAIL("namespace start 0x%llx is not 2 MiB aligned (memremap_compat_align)",
		     (unsigned long long)base);
	if (in->end_trunc >= size || !IS_ALIGNED(base + size - in->end_trunc, PFN_INFO_COMPAT_ALIGN))
		FAIL("end_trunc 0x%x: namespace end 0x%llx is not 2 MiB aligned", in->end_trunc,
		     (unsigned long long)(base + size - (in->end_trunc < size ? in->end_trunc : 0)));
	data_end = size - in->end_trunc;
	if (in->data_offset >= data_end)
		FAIL("dataoff 0x%llx leaves no data before end_trunc 0x%x", dataoff, in->end_trunc);
	if (in->data_offset < PFN_INFO_RESERVE)
		FAIL("dataoff 0x%llx overlaps the 8 KiB info area", dataoff);
	/* Our pagemap covers the whole namespace: its memmap must fit before the data. */
	room = size / PFN_INFO_PAGE_SIZE * PFN_INFO_STRUCT_PAGE_SIZE;
	if (in->mode == PFN_MODE_COMPACT) {
		/* shared tails: a head page per compound page and one shared page */
		if (in->kind != PFN_INFO_DEVDAX || in->align < SZ_2M)
			FAIL("mode 3 (compact memmap) is for devdax of 2 MiB or 1 GiB alignment, not "
			     "%s align 0x%llx", in->kind == PFN_INFO_DEVDAX ? "devdax" : "fsdax",
			     align);
		room = (size / in->align + 1) * PFN_INFO_PAGE_SIZE;
	}
	if (pmem && in->data_offset - PFN_INFO_RESERVE < room)
		FAIL("dataoff 0x%llx leaves 0x%llx bytes for the memmap, 0x%llx needed", dataoff,
		     dataoff - PFN_INFO_RESERVE, (unsigned long long)room);
	if (!in->npfns)
		FAIL("npfns 0: no data page");
	if (in->npfns > (data_end - in->data_offset) / PFN_INFO_PAGE_SIZE)
		FAIL("npfns %llu does not fit between dataoff 0x%llx and 0x%llx", npfns, dataoff,
		     (unsigned long long)data_end);
	in->vmemmap_shift = 0;
	if (in->kind == PFN_INFO_DEVDAX) {
		in->vmemmap_shift = ilog2_u64(in->align / PFN_INFO_PAGE_SIZE);
		compound = 1ULL << in->vmemmap_shift;
		if (!IS_ALIGNED(in->npfns, compound))
			FAIL("npfns %llu is not a whole number of align 0x%llx pages", npfns, align);
	}
	return true;
}

enum pfn_info_status pfn_info_decode(const uint8_t *ns, size_t len, uint64_t base, uint64_t size,
				     struct pfn_info *out, char *why, size_t why_len)
{
	const uint8_t *blk;
	struct pfn_info in;
	uint64_t sum;

	memset(out, 0, sizeof(*out));
	if (!why)
		why_len = 0;
	if (why_len)
		why[0] = '\0';
	if (!ns || len < PFN_INFO_RESERVE) {
		snprintf(why, why_len, "info block: only %zu bytes readable, %u needed",
			 ns ? len : 0, PFN_INFO_RESERVE);
		return PFN_INFO_INVALID;
	}
	if (all_zero(ns, PFN_INFO_RESERVE))
		return PFN_INFO_BLANK;
	blk = ns + PFN_INFO_OFFSET;
	memset(&in, 0, sizeof(in));
	if (!memcmp(blk, pfn_sig, PFN_INFO_SIG_LEN)) {
		in.kind = PFN_INFO_FSDAX;
	} else if (!memcmp(blk, dax_sig, PFN_INFO_SIG_LEN)) {
		in.kind = PFN_INFO_DEVDAX;
	} else if (!memcmp(blk, btt_sig, PFN_INFO_SIG_LEN)) {
		sum = get_le(blk + PFN_INFO_OFF_CHECKSUM, 8);
		if (sum != pfn_info_checksum(blk)) {
			snprintf(why, why_len, "BTT arena block: checksum 0x%016llx does not match "
				 "0x%016llx", (unsigned long long)sum,
				 (unsigned long long)pfn_info_checksum(blk));
			return PFN_INFO_INVALID;
		}
		snprintf(why, why_len, "BTT arena info block at +4 KiB");
		return PFN_INFO_BTT;
	} else {
		char found[PFN_INFO_SIG_LEN * 4 + 1];

		quote_sig(blk, found, sizeof(found));
		snprintf(why, why_len, "signature \"%s\" at +4 KiB is not %s or %s (no info block: "
			 "the namespace holds other data)", found, PFN_INFO_PFN_SIG, PFN_INFO_DAX_SIG);
		return PFN_INFO_INVALID;
	}
	in.checksum = get_le(blk + PFN_INFO_OFF_CHECKSUM, 8);
	sum = pfn_info_checksum(blk);
	if (in.checksum != sum) {
		snprintf(why, why_len, "checksum 0x%016llx does not match 0x%016llx (block corrupted "
			 "or torn write)", (unsigned long long)in.checksum, (unsigned long long)sum);
		return PFN_INFO_INVALID;
	}
	memcpy(in.uuid, blk + PFN_INFO_OFF_UUID, PFN_INFO_UUID_LEN);
	memcpy(in.parent_uuid, blk + PFN_INFO_OFF_PARENT_UUID, PFN_INFO_UUID_LEN);
	in.flags = (uint32_t)get_le(blk + PFN_INFO_OFF_FLAGS, 4);
	in.version_major = (uint16_t)get_le(blk + PFN_INFO_OFF_MAJOR, 2);
	in.version_minor = (uint16_t)get_le(blk + PFN_INFO_OFF_MINOR, 2);
	in.data_offset = get_le(blk + PFN_INFO_OFF_DATAOFF, 8);
	in.npfns = get_le(blk + PFN_INFO_OFF_NPFNS, 8);
	in.mode = (uint32_t)get_le(blk + PFN_INFO_OFF_MODE, 4);
	/* fields a minor version predates read as the values Linux gives them */
	if (in.version_minor >= 1) {
		in.start_pad = (uint32_t)get_le(blk + PFN_INFO_OFF_START_PAD, 4);
		in.end_trunc = (uint32_t)get_le(blk + PFN_INFO_OFF_END_TRUNC, 4);
	}
	if (in.version_minor >= 2)
		in.align = get_le(blk + PFN_INFO_OFF_ALIGN, 4);
	in.page_size = PFN_INFO_PAGE_SIZE;
	in.page_struct_size = PFN_INFO_STRUCT_PAGE_SIZE;
	if (in.version_minor >= 4) {
		in.page_size = (uint32_t)get_le(blk + PFN_INFO_OFF_PAGE_SIZE, 4);
		in.page_struct_size = (uint32_t)get_le(blk + PFN_INFO_OFF_PAGE_STRUCT_SIZE, 2);
	}
	if (!check_fields(blk, &in, base, size, why, why_len))
		return PFN_INFO_INVALID;
	*out = in;
	return PFN_INFO_VALID;
}
