// SPDX-License-Identifier: BSD-2-Clause
// Little-endian fields of on-media blocks (pfn_info.c, pfn_v1.c): byte by byte, so they are
// right on any host and at any alignment.
#ifndef ZONEDEV_PMEM_LE_H
#define ZONEDEV_PMEM_LE_H
#include <stdbool.h>
#include <stdint.h>

static inline uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

#endif
