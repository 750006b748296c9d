// SPDX-License-Identifier: BSD-2-Clause
// Shared tail struct pages: one read-only page of canonical tails per (order, zone, altmap),
// mapped by every tail-only vmemmap page of HVO-optimized HugeTLB folios and of compound
// device pages (and, for device pages, one PTE table of 512 such leaves for whole 2 MiB spans
// of tails). One framework, one reference count, one fault report.
#ifndef ZONEDEV_MM_VMEMMAP_TAILS_H
#define ZONEDEV_MM_VMEMMAP_TAILS_H

#include <platform/types.h>
#include <mm/page.h>

struct vmem_altmap;

/**
 * struct vmemmap_tail - a shared tail page
 * @page: the page of 64 canonical tails (tails of an order-@order compound page in @zone)
 * @table: 0, or a PTE table whose 512 leaves all map @page read-only (linked by vmemmap PMD
 *	   entries over whole 2 MiB spans of tails; it holds one reference of @page)
 * @altmap: the device @page lives in (its storage, mapped there), or NULL for RAM
 * @users: references: leaves mapping @page (device pages), optimized folios (HVO), @table
 * @table_users: PMD entries pointing at @table
 * @keep: stays when @users drops to 0 (HVO's, for the next optimization)
 */
struct vmemmap_tail {
	phys_addr_t page;
	phys_addr_t table;
	struct vmem_altmap *altmap;
	unsigned int order;
	enum zone_type zone;
	unsigned long users;
	unsigned long table_users;
	bool keep;
	bool alias_writable; /* the linear alias is a block leaf on arm64: left writable */
	int alias_split;     /* level of the linear-map leaf split to protect the alias, or 0 */
	bool alias_kept;     /* the alias was read-only already: never made writable here */
};

/* Enough for an order of HVO per zone and one device tail page per pagemap and order. */
#define VMEMMAP_TAILS_MAX 64

/**
 * vmemmap_tail_get() - the shared tail page of (@order, @zone, @altmap), made on first use
 * (filled, its linear alias made read-only) with @keep, and @n references more.
 * Return: the entry, or NULL when no page could be had (nothing changed).
 */
struct vmemmap_tail *vmemmap_tail_get(unsigned int order, enum zone_type zone,
				      struct vmem_altmap *altmap, unsigned long n, bool keep);

/**
 * vmemmap_tail_get_at() - vmemmap_tail_get(), a new page filled through a temporary writable
 * mapping at @fill_va (a free vmemmap address; 0: through the linear map).
 */
struct vmemmap_tail *vmemmap_tail_get_at(unsigned int order, enum zone_type zone,
					 struct vmem_altmap *altmap, unsigned long n, bool keep,
					 uintptr_t fill_va);

/** vmemmap_tail_ref() - @n references more to @t, which the caller holds one of. */
void vmemmap_tail_ref(struct vmemmap_tail *t, unsigned long n);

/** vmemmap_tail_find() - the entry of (@order, @zone, @altmap), or NULL. */
struct vmemmap_tail *vmemmap_tail_find(unsigned int order, enum zone_type zone,
				       const struct vmem_altmap *altmap);

/** vmemmap_tail_by_page() - the entry whose page or table is at @pa, or NULL. */
struct vmemmap_tail *vmemmap_tail_by_page(phys_addr_t pa);
struct vmemmap_tail *vmemmap_tail_by_table(phys_addr_t pa);

/**
 * vmemmap_tail_put() - drop @n references; at zero the page is freed (its alias writable
 * again) unless it is kept. The caller has flushed every mapping of it it drops.
 */
void vmemmap_tail_put(struct vmemmap_tail *t, unsigned long n);

/** vmemmap_tail_drop() - free a kept page that no one uses (HVO's failed first use). */
void vmemmap_tail_drop(struct vmemmap_tail *t);

/**
 * vmemmap_tail_table() - @t's shared PTE table, made on first use (RAM), with one table user
 * more. Return: its physical address, 0 without memory.
 */
phys_addr_t vmemmap_tail_table_get(struct vmemmap_tail *t);

/** vmemmap_tail_table_put() - one table user less; the last one frees the table. */
void vmemmap_tail_table_put(struct vmemmap_tail *t);

/*
 * RAM pages set aside at boot for shared tail pages, whose linear alias paging_init() maps
 * with page leaves so it can be made read-only without splitting a live block.
 */
#define VMEMMAP_TAIL_POOL 16

/** vmemmap_tail_pool_init() - hand over the pool (VMEMMAP_TAIL_POOL pages at @pa). */
void vmemmap_tail_pool_init(phys_addr_t pa);

/**
 * struct vmemmap_tail_stats - @pages shared pages in use, @tables shared tables,
 * @alias_writable pages whose linear alias stays writable (arm64 block leaf), @alias_split
 * aliases a linear-map leaf was split for (riscv64), @pool_used pages from the boot pool
 */
struct vmemmap_tail_stats {
	unsigned long pages;
	unsigned long tables;
	unsigned long alias_writable;
	unsigned long alias_split;
	unsigned long pool_used;
};

void vmemmap_tail_get_stats(struct vmemmap_tail_stats *st);

/**
 * vmemmap_tail_describe() - if @va is a struct page in the vmemmap mapped onto a shared tail
 * page, a line naming the compound page and why the write is refused.
 */
bool vmemmap_tail_describe(uintptr_t va, char *buf, size_t len);

#endif
