// SPDX-License-Identifier: BSD-2-Clause
// The pmem driver: binds to "pmem-region" devices and gives each reg range struct pages through
// memremap_pages(). A persistent range keeps its layout in an info block at its start (and, by
// default, its struct pages inside itself through a vmem_altmap); a volatile range gets struct
// pages in RAM and no info block (after Linux drivers/nvdimm/{of_pmem,pmem,pfn_devs}.c).
#ifndef ZONEDEV_PMEM_PMEM_H
#define ZONEDEV_PMEM_PMEM_H

#include <platform/types.h>

#include <mm/memremap.h>
#include <pmem/pfn_info.h>
#include <pmem/pfn_v1.h>

struct device;

#define PMEM_MAX_RANGES 8

/**
 * enum pmem_info_state - what the probe found at the start of a persistent range
 * @PMEM_INFO_NONE: volatile range: no info block is used
 * @PMEM_INFO_FOUND: a valid block from an earlier boot: its layout is used as it is
 * @PMEM_INFO_WRITTEN: the range was blank: a new block was written and flushed
 * @PMEM_INFO_BAD: the block is invalid: the range is left untouched (invalid input)
 * @PMEM_INFO_BTT: a BTT namespace (a block device's metadata): reported and left alone, not
 *		   attached, not an error
 * @PMEM_INFO_CONVERTED: a zonedev v1 block was rewritten as a Linux one (pmem_convert=linux)
 */
enum pmem_info_state {
	PMEM_INFO_NONE,
	PMEM_INFO_FOUND,
	PMEM_INFO_WRITTEN,
	PMEM_INFO_BAD,
	PMEM_INFO_BTT,
	PMEM_INFO_CONVERTED,
};

/**
 * enum pmem_info_format - which on-media format laid the range out
 * @PMEM_FORMAT_LINUX: libnvdimm's nd_pfn_sb at +4 KiB (what we write)
 * @PMEM_FORMAT_ZONEDEV_V1: our earlier ZONEDEV_PFN_INF block at offset 0 (read, or converted)
 */
enum pmem_info_format {
	PMEM_FORMAT_LINUX,
	PMEM_FORMAT_ZONEDEV_V1,
};

/**
 * struct pmem_options - how fresh ranges are laid out
 * @memmap_in_device: struct pages of a fresh persistent range go into the range (altmap)
 * @memmap_compact: with @memmap_in_device and compound order 9 or 18, a fresh range gets
 *	zonedev's own block (PFN_MODE_COMPACT: room for head pages and the shared tail page
 *	only; Linux refuses it); otherwise Linux's, whose room is 64 bytes per page
 * @compound_order: vmemmap_shift of every pagemap: data managed in compound pages of this order
 * @seed: mixed into the uuid written in new info blocks
 * @convert_linux: rewrite a zonedev v1 block found on a range as a Linux one (pmem_convert=linux)
 * @range_valid: whether boot-time validation accepted [@base, @base + @size), and whether the
 *	   node says "volatile" (the tree facts live with the boot flow, not the device); NULL
 *	   takes every range as valid and persistent
 */
struct pmem_options {
	bool memmap_in_device;
	bool memmap_compact;
	unsigned int compound_order;
	uint64_t seed;
	bool convert_linux;
	bool (*range_valid)(phys_addr_t base, phys_addr_t size, bool *is_volatile);
};

/**
 * struct pmem_range - one reg range of a bound pmem-region device
 * @name: "pmem0", "pmem1", ... in probe order
 * @node: the device's name (the tree node)
 * @base, @size: the range
 * @is_volatile: the node has "volatile"
 * @err: 0 when @live, else why the range is not in use (negative errno)
 * @invalid: refused as invalid input (bad info block, a layout the range cannot hold): counted
 *	     with invalid_input(), so the run's status is 2
 * @live: struct pages exist and the range is mapped at @virt
 * @owned: the run may write the data area: a volatile range, or a persistent one this boot laid
 *	   out (blank before). Any other persistent range is mapped read-only and stays as found.
 * @info_state: see enum pmem_info_state
 * @info_format: the format the range's block was found in (or written: Linux)
 * @info: the layout in use (persistent ranges), a v1 block's as its Linux equivalent
 * @info_reserve: bytes at the start of the range that are neither memmap nor data (8 KiB; 4 KiB
 *		  for a v1 block)
 * @pgmap: the pagemap handed to memremap_pages()
 * @virt: linear-map address of @base
 * @data: first data byte (after the info block and the memmap kept in the range)
 * @data_phys, @data_size: the data area
 * @memmap_ram_bytes: RAM that went to struct pages for this range
 * @memmap_dev_bytes: bytes of the range that hold struct pages
 * @probe_insns: instructions the attach took
 */
struct pmem_range {
	char name[16];
	const char *node;
	phys_addr_t base, size;
	bool is_volatile;
	int err;
	bool invalid;
	bool live;
	bool owned;
	enum pmem_info_state info_state;
	enum pmem_info_format info_format;
	struct pfn_info info;
	uint64_t info_reserve;
	struct dev_pagemap pgmap;
	void *virt;
	void *data;
	phys_addr_t data_phys;
	uint64_t data_size;
	uint64_t memmap_ram_bytes;
	uint64_t memmap_dev_bytes;
	unsigned long memmap_pages; /* vmemmap pages the attach added: backing, shared, tables */
	uint64_t probe_insns;
};

/**
 * pmem_driver_register() - register the driver with @opts (copied); every pmem-region device
 * binds at once. Each range is attached on its own: a range that fails is reported (a bad info
 * block counts as invalid input) and the others go on.
 * Return: 0, or the driver_register() error.
 */
int pmem_driver_register(const struct pmem_options *opts);

/**
 * pmem_driver_unregister() - unbind every device: pagemaps removed, regions released.
 * Return: 0; -EBUSY if some pagemap still had references (it is then left in place).
 */
int pmem_driver_unregister(void);

/** pmem_nr_ranges() - ranges seen by the bound devices (live or not). */
int pmem_nr_ranges(void);

/** pmem_get_range() - range @i (0 .. pmem_nr_ranges() - 1), or NULL. */
struct pmem_range *pmem_get_range(int i);

/** pmem_info_state_name() - "none", "found", "written", "bad", "btt", "converted". */
const char *pmem_info_state_name(enum pmem_info_state s);

#endif
