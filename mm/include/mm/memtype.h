// SPDX-License-Identifier: BSD-2-Clause
// One memory type per physical page: every CPU mapping of device memory (memremap(), the linear
// map memremap_pages() makes) reserves its range with its type first, and a range already
// reserved with another type is refused. Mapping one page with two types (write-back in one
// place, non-cacheable in another) breaks coherency on arm64 and riscv64 alike; x86's PAT
// memtype tree (arch/x86/mm/pat/memtype.c) keeps the same rule.
#ifndef ZONEDEV_MM_MEMTYPE_H
#define ZONEDEV_MM_MEMTYPE_H

#include <platform/types.h>

#include <mm/memremap.h>

/* Reservations the tracker holds at once; each memremap() or pagemap range takes one. */
#define MEMTYPE_MAX 128

/**
 * memtype_reserve() - record that [@start, @end) is about to be mapped with @type
 * @start, @end: physical, @start < @end
 * @owner: who maps it, for the conflict message (kept as a pointer: a string literal)
 *
 * Any number of reservations of one type may overlap (each is freed on its own); one that
 * overlaps a reservation of another type is refused and a message names both.
 * Return: 0; -EINVAL for an empty or wrapping range; -EBUSY for a type conflict; -ENOSPC when
 * MEMTYPE_MAX reservations are held.
 */
int memtype_reserve(phys_addr_t start, phys_addr_t end, enum memremap_type type,
		    const char *owner);

/**
 * memtype_check() - what memtype_reserve() would return, without reserving (no message)
 * @conflict: if not NULL and there is a conflict, the type already reserved
 */
int memtype_check(phys_addr_t start, phys_addr_t end, enum memremap_type type,
		  enum memremap_type *conflict);

/**
 * memtype_free() - drop one reservation of exactly [@start, @end)
 * Return: 0, or -ENOENT (reported) when there is none.
 */
int memtype_free(phys_addr_t start, phys_addr_t end);

/** memtype_name() - "write-back", "write-through" or "non-cacheable". */
const char *memtype_name(enum memremap_type type);

/** memtype_count() - reservations held (leak checks). */
unsigned int memtype_count(void);

/** memtype_reset() - forget every reservation (tests, and memremap_init() at boot). */
void memtype_reset(void);

#endif
