// SPDX-License-Identifier: BSD-2-Clause
// zonedev's earlier info block (format in <pmem/pfn_v1.h>; read and converted, never written
// for a new range): layout, encoder, and a decoder that trusts nothing it reads. Freestanding:
// the kernel and the host tests build it unchanged, and no libgcc helper may be pulled in
// (riscv64 links a libgcc of another ABI).
#include <stdio.h>
#include <string.h>

#include <platform/errno.h>
#include <pmem/le.h>
#include <pmem/pfn_v1.h>

static const char pfn_v1_magic[PFN_V1_MAGIC_LEN] = PFN_V1_MAGIC;

uint64_t pfn_v1_memmap_room(uint64_t region_size)
{
	/* below 2^58 for any region: adding the pad, the block and an alignment cannot wrap */
	uint64_t bytes = (region_size / PFN_V1_PAGE_SIZE) * PFN_V1_STRUCT_PAGE_SIZE;

	return bytes >= PFN_V1_PMD_SIZE ? bytes + PFN_V1_PMD_SIZE - PFN_V1_PAGE_SIZE : bytes;
}

uint64_t pfn_v1_checksum(const uint8_t block[PFN_V1_SIZE])
{
	const uint64_t mod = 0xffffffffULL;
	uint64_t sum1 = 0, sum2 = 0;

	for (unsigned int off = 0; off < PFN_V1_SIZE; off += 4) {
		uint64_t w = 0;

		/* the checksum's own two words count as zero */
		if (off < PFN_V1_OFF_CHECKSUM || off >= PFN_V1_OFF_CHECKSUM + 8)
			w = get_le(block + off, 4);
		sum1 = (sum1 + w) % mod;
		sum2 = (sum2 + sum1) % mod;
	}
	return sum2 << 32 | sum1;
}

int pfn_v1_layout(uint64_t region_size, uint64_t align, unsigned int vmemmap_shift,
		    bool memmap_in_device, struct pfn_v1 *out)
{
	uint64_t need, data_offset, npfns, compound;

	memset(out, 0, sizeof(*out));
	if (!is_pow2(align) || align < PFN_V1_ALIGN_MIN || align > PFN_V1_ALIGN_MAX)
		return -EINVAL;
	if (vmemmap_shift > PFN_V1_MAX_VMEMMAP_SHIFT)
		return -EINVAL;
	compound = 1ULL << vmemmap_shift;
	/* compound pages must start on their own size or they cannot be mapped as one leaf */
	if (align < compound * PFN_V1_PAGE_SIZE)
		return -EINVAL;
	if (!IS_ALIGNED(region_size, PFN_V1_PAGE_SIZE))
		return -EINVAL;

	need = PFN_V1_SIZE + (memmap_in_device ? pfn_v1_memmap_room(region_size) : 0);
	data_offset = ALIGN_UP(need, align);
	if (data_offset >= region_size)
		return -ENOSPC;
	npfns = ALIGN_DOWN((region_size - data_offset) / PFN_V1_PAGE_SIZE, compound);
	if (!npfns)
		return -ENOSPC;

	out->version_major = PFN_V1_VERSION_MAJOR;
	out->version_minor = PFN_V1_VERSION_MINOR;
	out->flags = memmap_in_device ? PFN_V1_F_MEMMAP_IN_DEVICE : 0;
	out->region_size = region_size;
	out->data_offset = data_offset;
	out->npfns = npfns;
	out->align = align;
	out->page_size = PFN_V1_PAGE_SIZE;
	out->struct_page_size = PFN_V1_STRUCT_PAGE_SIZE;
	out->vmemmap_shift = vmemmap_shift;
	return 0;
}

void pfn_v1_encode(const struct pfn_v1 *in, uint8_t block[PFN_V1_SIZE])
{
	memset(block, 0, PFN_V1_SIZE);
	memcpy(block + PFN_V1_OFF_MAGIC, pfn_v1_magic, PFN_V1_MAGIC_LEN);
	put_le(block + PFN_V1_OFF_MAJOR, in->version_major, 2);
	put_le(block + PFN_V1_OFF_MINOR, in->version_minor, 2);
	put_le(block + PFN_V1_OFF_FLAGS, in->flags, 4);
	put_le(block + PFN_V1_OFF_REGION_SIZE, in->region_size, 8);
	put_le(block + PFN_V1_OFF_DATA_OFFSET, in->data_offset, 8);
	put_le(block + PFN_V1_OFF_NPFNS, in->npfns, 8);
	put_le(block + PFN_V1_OFF_ALIGN, in->align, 8);
	put_le(block + PFN_V1_OFF_PAGE_SIZE, in->page_size, 4);
	put_le(block + PFN_V1_OFF_STRUCT_PAGE_SIZE, in->struct_page_size, 2);
	put_le(block + PFN_V1_OFF_VMEMMAP_SHIFT, in->vmemmap_shift, 2);
	memcpy(block + PFN_V1_OFF_ID, in->id, PFN_V1_ID_LEN);
	put_le(block + PFN_V1_OFF_CHECKSUM, pfn_v1_checksum(block), 8);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* The magic as it was found, for the message: printable ASCII kept, the rest as \xNN. */
static void quote_magic(const uint8_t *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < PFN_V1_MAGIC_LEN && n + 5 < len; i++) {
		if (m[i] >= 0x20 && m[i] < 0x7f && m[i] != '"' && m[i] != '\\')
			buf[n++] = (char)m[i];
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", m[i]);
	}
	buf[n] = '\0';
}

/* Field checks after magic, checksum and major version: false, with @why, at the first bad one. */
static bool check_fields(const uint8_t *block, const struct pfn_v1 *in, uint64_t region_size,
			 char *why, size_t why_len)
{
	unsigned long long dataoff = in->data_offset, align = in->align, npfns = in->npfns;
	bool newer_minor = in->version_minor > PFN_V1_VERSION_MINOR;
	uint64_t compound = 1ULL << (in->vmemmap_shift <= PFN_V1_MAX_VMEMMAP_SHIFT ?
				     in->vmemmap_shift : 0);

	if (!newer_minor) {
		uint32_t unknown = in->flags & ~PFN_V1_F_KNOWN;

		if (unknown) {
			snprintf(why, why_len, "flags 0x%x has bits 0x%x unknown to version %u.%u",
				 in->flags, unknown, PFN_V1_VERSION_MAJOR, PFN_V1_VERSION_MINOR);
			return false;
		}
		for (size_t i = PFN_V1_OFF_RESERVED; i < PFN_V1_SIZE; i++) {
			if (block[i]) {
				snprintf(why, why_len, "reserved byte at offset 0x%x is 0x%02x, must be "
					 "zero in version %u.%u", (unsigned int)i, block[i], in->version_major,
					 in->version_minor);
				return false;
			}
		}
	}
	if (in->page_size != PFN_V1_PAGE_SIZE) {
		snprintf(why, why_len, "page size %u differs from the kernel's %u", in->page_size,
			 PFN_V1_PAGE_SIZE);
		return false;
	}
	if (in->struct_page_size != PFN_V1_STRUCT_PAGE_SIZE) {
		snprintf(why, why_len, "struct page size %u differs from the kernel's %u",
			 in->struct_page_size, PFN_V1_STRUCT_PAGE_SIZE);
		return false;
	}
	if (!is_pow2(in->align)) {
		snprintf(why, why_len, "alignment 0x%llx is not a power of two", align);
		return false;
	}
	if (in->align < PFN_V1_ALIGN_MIN || in->align > PFN_V1_ALIGN_MAX) {
		snprintf(why, why_len, "alignment 0x%llx outside 0x%llx..0x%llx", align,
			 PFN_V1_ALIGN_MIN, PFN_V1_ALIGN_MAX);
		return false;
	}
	if (in->vmemmap_shift > PFN_V1_MAX_VMEMMAP_SHIFT) {
		snprintf(why, why_len, "vmemmap_shift %u exceeds %u", in->vmemmap_shift,
			 PFN_V1_MAX_VMEMMAP_SHIFT);
		return false;
	}
	if (in->align < compound * PFN_V1_PAGE_SIZE) {
		snprintf(why, why_len, "alignment 0x%llx is smaller than the compound page size "
			 "0x%llx of vmemmap_shift %u", align,
			 (unsigned long long)(compound * PFN_V1_PAGE_SIZE), in->vmemmap_shift);
		return false;
	}
	if (in->region_size != region_size) {
		snprintf(why, why_len, "recorded region size 0x%llx differs from the device's 0x%llx "
			 "(region resized: re-initialise)", (unsigned long long)in->region_size,
			 (unsigned long long)region_size);
		return false;
	}
	if (!IS_ALIGNED(in->data_offset, in->align)) {
		snprintf(why, why_len, "data offset 0x%llx is not a multiple of the alignment 0x%llx",
			 dataoff, align);
		return false;
	}
	if (in->data_offset < PFN_V1_SIZE) {
		snprintf(why, why_len, "data offset 0x%llx overlaps the 0x%x-byte info block",
			 dataoff, PFN_V1_SIZE);
		return false;
	}
	if (in->data_offset >= region_size) {
		snprintf(why, why_len, "data offset 0x%llx beyond region size 0x%llx", dataoff,
			 (unsigned long long)region_size);
		return false;
	}
	if ((in->flags & PFN_V1_F_MEMMAP_IN_DEVICE) &&
	    in->data_offset - PFN_V1_SIZE < pfn_v1_memmap_room(region_size)) {
		snprintf(why, why_len, "data offset 0x%llx leaves 0x%llx bytes for the memmap, 0x%llx "
			 "needed for the region's struct pages", dataoff, dataoff - PFN_V1_SIZE,
			 (unsigned long long)pfn_v1_memmap_room(region_size));
		return false;
	}
	if (!in->npfns) {
		snprintf(why, why_len, "npfns 0: the region holds no data page");
		return false;
	}
	if (in->npfns > (region_size - in->data_offset) / PFN_V1_PAGE_SIZE) {
		snprintf(why, why_len, "npfns %llu does not fit between data offset 0x%llx and region "
			 "end 0x%llx", npfns, dataoff, (unsigned long long)region_size);
		return false;
	}
	if (!IS_ALIGNED(in->npfns, compound)) {
		snprintf(why, why_len, "npfns %llu is not a multiple of the %llu-page compound pages "
			 "of vmemmap_shift %u", npfns, (unsigned long long)compound,
			 in->vmemmap_shift);
		return false;
	}
	return true;
}

enum pfn_v1_status pfn_v1_decode(const uint8_t *block, size_t len, uint64_t region_size,
				     struct pfn_v1 *out, char *why, size_t why_len)
{
	struct pfn_v1 in;
	uint64_t sum;

	memset(out, 0, sizeof(*out));
	if (!why)
		why_len = 0;
	if (why_len)
		why[0] = '\0';
	if (!block || len < PFN_V1_SIZE) {
		snprintf(why, why_len, "info block: only %zu bytes readable, %u needed",
			 block ? len : 0, PFN_V1_SIZE);
		return PFN_V1_INVALID;
	}
	if (all_zero(block, PFN_V1_SIZE))
		return PFN_V1_BLANK;
	if (memcmp(block + PFN_V1_OFF_MAGIC, pfn_v1_magic, PFN_V1_MAGIC_LEN)) {
		char found[PFN_V1_MAGIC_LEN * 4 + 1];

		quote_magic(block + PFN_V1_OFF_MAGIC, found, sizeof(found));
		snprintf(why, why_len, "magic \"%s\" is not \"%s\" (no info block: the region holds "
			 "other data)", found, PFN_V1_MAGIC);
		return PFN_V1_INVALID;
	}
	sum = pfn_v1_checksum(block);
	memset(&in, 0, sizeof(in));
	in.checksum = get_le(block + PFN_V1_OFF_CHECKSUM, 8);
	if (in.checksum != sum) {
		snprintf(why, why_len, "checksum 0x%016llx does not match 0x%016llx (block corrupted "
			 "or torn write)", (unsigned long long)in.checksum, (unsigned long long)sum);
		return PFN_V1_INVALID;
	}
	in.version_major = (uint16_t)get_le(block + PFN_V1_OFF_MAJOR, 2);
	in.version_minor = (uint16_t)get_le(block + PFN_V1_OFF_MINOR, 2);
	if (in.version_major > PFN_V1_VERSION_MAJOR) {
		snprintf(why, why_len, "major version %u is newer than supported %u",
			 in.version_major, PFN_V1_VERSION_MAJOR);
		return PFN_V1_INVALID;
	}
	if (!in.version_major) {
		snprintf(why, why_len, "major version 0 does not exist (first is %u)",
			 PFN_V1_VERSION_MAJOR);
		return PFN_V1_INVALID;
	}
	in.flags = (uint32_t)get_le(block + PFN_V1_OFF_FLAGS, 4);
	in.region_size = get_le(block + PFN_V1_OFF_REGION_SIZE, 8);
	in.data_offset = get_le(block + PFN_V1_OFF_DATA_OFFSET, 8);
	in.npfns = get_le(block + PFN_V1_OFF_NPFNS, 8);
	in.align = get_le(block + PFN_V1_OFF_ALIGN, 8);
	in.page_size = (uint32_t)get_le(block + PFN_V1_OFF_PAGE_SIZE, 4);
	in.struct_page_size = (uint32_t)get_le(block + PFN_V1_OFF_STRUCT_PAGE_SIZE, 2);
	in.vmemmap_shift = (unsigned int)get_le(block + PFN_V1_OFF_VMEMMAP_SHIFT, 2);
	memcpy(in.id, block + PFN_V1_OFF_ID, PFN_V1_ID_LEN);
	if (!check_fields(block, &in, region_size, why, why_len))
		return PFN_V1_INVALID;
	*out = in;
	return PFN_V1_VALID;
}
