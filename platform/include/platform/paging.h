// SPDX-License-Identifier: BSD-2-Clause
// The kernel's final page tables: the image W^X, the linear map, the ioremap region, built once
// after the early memory map and installed in place of the boot tables.
#ifndef ZONEDEV_PLATFORM_PAGING_H
#define ZONEDEV_PLATFORM_PAGING_H

#include <platform/bootargs.h>
#include <platform/types.h>
#include <mm/layout.h>
#include <mm/pgtable.h>

/**
 * struct paging_stats - what building the final tables cost
 * @table_pages_linear: table pages of the linear map alone
 * @table_pages: all table pages of the kernel table after paging_init()
 * @insns: instructions spent in paging_init()
 * @flushes: TLB flush requests during paging_init()
 * @leaves: linear-map leaves per level (index = level)
 */
struct paging_stats {
	unsigned long table_pages_linear;
	unsigned long table_pages;
	uint64_t insns;
	unsigned long flushes;
	unsigned long leaves[PGTABLE_MAX_LEVELS];
};

extern struct pgtable kernel_pgtable;
extern struct kernel_layout kernel_layout;
extern struct paging_stats paging_stats;

/**
 * paging_init() - build and install the final kernel page tables
 * @ba: boot arguments (pgtable= mode)
 *
 * Tries the arch's candidate formats in order (riscv64: the requested Sv mode, else Sv48 then
 * Sv39; arm64: 4 KiB granule, 48-bit), keeping the first the CPU accepts. Afterwards the identity
 * map is gone: physical memory is reached through __va() and devices through ioremap().
 * Return: 0, or a negative errno (the boot tables then stay in use and the problem is printed).
 */
int paging_init(const struct bootargs *ba);

/**
 * ioremap() - map device registers (Device-nGnRE / Svpbmt IO / PMA) in the ioremap region.
 * Return: the virtual address of @pa, or NULL (message printed).
 */
void *ioremap(phys_addr_t pa, size_t size);

/** paging_mode_name() - "sv48", "arm64-4k-48", or "boot" before paging_init(). */
const char *paging_mode_name(void);

/** paging_installed() - the final tables are in use (kernel_pgtable describes the MMU). */
bool paging_installed(void);

/**
 * paging_fault_is_permission() - whether a fault at @va hit a present leaf (a permission fault)
 * rather than a missing translation; false before paging_init().
 */
bool paging_fault_is_permission(uintptr_t va);

/**
 * paging_leaf_prot() - the protection of the leaf mapping @va in the table this CPU translates
 * it with (an address space's for the lower half), read as the hardware would walk it now.
 * Return: true with *@prot set, false when no leaf maps @va or paging_init() has not run.
 */
bool paging_leaf_prot(uintptr_t va, pgprot_t *prot);

/**
 * switch_mm() - run the lower half of this CPU through address space table @pt (NULL: none),
 * and have fault reports and walks of lower-half addresses use it (arch_switch_mm()).
 */
void switch_mm(struct pgtable *pt);

/**
 * paging_handle_user_fault() - the part of a translation fault at lower-half @va this kernel
 * serves: a device-private entry of the address space running on this CPU goes to its owner's
 * migrate_to_ram() (handle_device_private_fault()).
 * Return: true when the access may be retried, false when the fault stays a fault.
 */
bool paging_handle_user_fault(uintptr_t va);

/**
 * paging_probe_phys() - read 8 bytes at physical @pa through a temporary device mapping, with
 * the fault caught (platform/fault.h). Return: 0 if something answered, -EFAULT if the read
 * faulted (nothing decodes the address), -ENOMEM if no mapping could be made.
 */
int paging_probe_phys(phys_addr_t pa);

/** paging_dump_walk() - print the table walk of @va in the kernel table, level by level. */
void paging_dump_walk(uintptr_t va);

/**
 * struct mm_init_stats - cost of mm_core_init()
 * @sparse_insns: instructions for struct pages of all RAM
 * @vmemmap_ram_bytes: RAM holding those struct pages
 * @vmemmap_table_pages: page-table pages of the vmemmap
 * @freed_pages: pages memblock handed to the buddy allocator
 * @buddy_insns: instructions for that hand-over
 */
struct mm_init_stats {
	uint64_t sparse_insns;
	uint64_t vmemmap_ram_bytes;
	unsigned long vmemmap_table_pages;
	unsigned long freed_pages;
	uint64_t buddy_insns;
};

extern struct mm_init_stats mm_init_stats;

/**
 * mm_core_init() - struct pages for every RAM page, then the page allocator; from here on
 * memblock allocates nothing and page tables and vmemmap backing come from the buddy.
 * Return: 0 or a negative errno (printed).
 */
int mm_core_init(void);

#endif
