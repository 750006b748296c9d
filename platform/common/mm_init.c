// SPDX-License-Identifier: BSD-2-Clause
// After paging_init(): struct pages for all RAM (sparse model + vmemmap), then the hand-over
// from memblock to the buddy allocator, after which page tables and vmemmap backing come from
// the buddy (Linux mm_core_init(): sparse_init(), memblock_free_all()).
#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/errno.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/memory.h>
#include <mm/ioresource.h>
#include <mm/memblock.h>
#include <mm/memremap.h>
#include <mm/mmzone.h>
#include <mm/page_alloc.h>

struct mm_init_stats mm_init_stats;

/*
 * memremap_pages() puts device memory into the linear map (Linux arch_add_memory()), so __va()
 * and pfn_to_page() both work for it as for RAM; the layout already sized the linear region for
 * the pmem ranges the tree described. Persistent memory we do not own is mapped read-only, as
 * memremap() maps it (iomem_range_writable()).
 */
static int linear_add(phys_addr_t pa, uint64_t size, enum memremap_type type, void *ctx)
{
	pgprot_t prot = iomem_range_writable(pa, size) ? PAGE_KERNEL : PAGE_KERNEL_RO;

	(void)ctx;
	if (type == MEMREMAP_TYPE_NC)
		prot = __pgprot((pgprot_val(prot) & ~PGPROT_MT_MASK) | PGPROT_MT_NC);
	else if (type != MEMREMAP_TYPE_WB)
		return -EOPNOTSUPP;
	return pgtable_map(&kernel_pgtable, (uintptr_t)__va(pa), pa, size, prot, 0);
}

static int linear_remove(phys_addr_t pa, uint64_t size, void *ctx)
{
	(void)ctx;
	return pgtable_unmap(&kernel_pgtable, (uintptr_t)__va(pa), size);
}

static const struct memremap_pages_ops kernel_memremap_pages_ops = { linear_add, linear_remove,
								       NULL };

int mm_core_init(void)
{
	phys_addr_t start = ~(phys_addr_t)0, end = 0;
	struct vmemmap_stats vs;
	uint64_t insn0 = arch_insn_count();
	int ret;

	ret = sparse_init(&kernel_pgtable, &kernel_layout);
	if (ret) {
		pr_err("mm: sparse_init failed: %d; no struct pages, no page allocator\n", ret);
		return ret;
	}
	mm_init_stats.sparse_insns = arch_insn_count() - insn0;
	vmemmap_get_stats(&vs);
	mm_init_stats.vmemmap_ram_bytes = vs.ram_bytes;
	mm_init_stats.vmemmap_table_pages = (unsigned long)vs.table_pages;

	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		start = MIN(start, r->base);
		end = MAX(end, r->base + r->size);
	}
	insn0 = arch_insn_count();
	page_alloc_init(PHYS_PFN(start), PHYS_PFN(end));
	mm_init_stats.freed_pages = memblock_free_all();
	mm_init_stats.buddy_insns = arch_insn_count() - insn0;
	pgtable_set_page_ops(&page_alloc_table_ops);
	vmemmap_set_allocator(page_alloc_vmemmap_alloc, page_alloc_vmemmap_free, NULL);
	vmemmap_set_bulk_allocator(page_alloc_vmemmap_alloc_bulk);
	memremap_pages_init(&kernel_memremap_pages_ops);

	uint64_t ram = memblock_phys_mem_size();
	pr_info("mm: struct pages for %pH of RAM: %pH of vmemmap backing (%lu x 2 MiB leaves, "
		"%lu x 4 KiB), %lu page-table pages\n", &ram, &vs.ram_bytes, vs.pmd_leaves,
		vs.pte_leaves, vs.table_pages);
	pr_info("mm: page allocator: %lu pages free of %lu, memblock closed\n", nr_free_pages(),
		totalram_pages());
	return 0;
}
