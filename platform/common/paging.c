// SPDX-License-Identifier: BSD-2-Clause
// Final kernel page tables (the boot tables of head.S only identity-map low memory and the image):
// image W^X with an unmapped stack guard, linear map of RAM with the largest leaves alignment
// allows, ioremap region; installed once, trying the arch's formats best first.
#include <string.h>

#include <platform/arch.h>
#include <platform/boot.h>
#include <platform/console.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/fault.h>
#include <platform/memory.h>
#include <platform/paging.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <mm/hugetlb.h>
#include <mm/ioresource.h>
#include <mm/memblock.h>
#include <mm/memremap.h>
#include <mm/rmap.h>
#include <mm/vmalloc.h>
#include <mm/vmemmap_tails.h>

struct pgtable kernel_pgtable;
struct kernel_layout kernel_layout;
struct paging_stats paging_stats;

static const char *mode_name = "boot";

static phys_addr_t table_alloc(void *ctx)
{
	(void)ctx;
	return memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
}

static void table_free(phys_addr_t pa, void *ctx)
{
	(void)ctx;
	memblock_phys_free(pa, PAGE_SIZE);
}

static const struct pgtable_page_ops memblock_table_ops = { table_alloc, table_free, NULL };

static pgprot_t memremap_prot(enum memremap_type t)
{
	switch (t) {
	case MEMREMAP_TYPE_WT:
		return PAGE_KERNEL_WT;
	case MEMREMAP_TYPE_NC:
		return PAGE_KERNEL_NC;
	default:
		return PAGE_KERNEL;
	}
}

/*
 * Persistent memory we have not laid out ourselves may hold someone's data: it is mapped
 * read-only (iomem_range_writable()), so a stray store faults with a report instead of landing.
 */
static int memremap_map(uintptr_t va, phys_addr_t pa, size_t size, enum memremap_type t,
			void *ctx)
{
	pgprot_t prot = memremap_prot(t);

	(void)ctx;
	if (!iomem_range_writable(pa, size))
		prot = __pgprot(pgprot_val(prot) & ~PGPROT_WRITE);
	return pgtable_map(&kernel_pgtable, va, pa, size, prot, 0);
}

static void memremap_unmap(uintptr_t va, size_t size, void *ctx)
{
	(void)ctx;
	pgtable_unmap(&kernel_pgtable, va, size);
}

static bool memremap_type_ok(enum memremap_type t, void *ctx)
{
	(void)ctx;
	return arch_pgprot_supported(&kernel_pgtable.cfg, memremap_prot(t));
}

static const struct memremap_ops kernel_memremap_ops = {
	memremap_map, memremap_unmap, memremap_type_ok, NULL,
};

void *ioremap(phys_addr_t pa, size_t size)
{
	phys_addr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	struct vm_struct *area = get_vm_area(len, PAGE_SIZE, VM_IOREMAP);

	if (IS_ERR(area)) {
		pr_err("ioremap: no room for [mem 0x%016llx + 0x%zx] in the ioremap region: %ld\n",
		       (unsigned long long)pa, size, PTR_ERR(area));
		return NULL;
	}
	area->phys_addr = base;
	int ret = pgtable_map(&kernel_pgtable, area->addr, base, len, PAGE_KERNEL_IO, 0);
	if (ret) {
		pr_err("ioremap: mapping [mem 0x%016llx + 0x%zx] failed: %d\n",
		       (unsigned long long)pa, size, ret);
		free_vm_area(area);
		return NULL;
	}
	return (void *)(area->addr + (uintptr_t)(pa - base));
}

int paging_probe_phys(phys_addr_t pa)
{
	phys_addr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	struct vm_struct *area = get_vm_area(PAGE_SIZE, PAGE_SIZE, VM_IOREMAP);
	uint64_t val;
	int ret;

	if (IS_ERR(area))
		return -ENOMEM;
	/* Device attributes: nothing is read but the one probed word, never speculatively. */
	ret = pgtable_map(&kernel_pgtable, area->addr, base, PAGE_SIZE, PAGE_KERNEL_IO, 0);
	if (!ret) {
		ret = probe_read((const volatile void *)(area->addr + (uintptr_t)(pa - base)), &val);
		pgtable_unmap(&kernel_pgtable, area->addr, PAGE_SIZE);
	} else {
		ret = -ENOMEM;
	}
	free_vm_area(area);
	return ret;
}

const char *paging_mode_name(void)
{
	return mode_name;
}

static bool installed;

bool paging_installed(void)
{
	return installed;
}

/* The address space running in the lower half on each CPU (NULL: none). */
static struct pgtable *active_mm[NR_CPUS];

void switch_mm(struct pgtable *pt)
{
	active_mm[smp_processor_id()] = pt;
	arch_switch_mm(pt);
}

bool paging_handle_user_fault(uintptr_t va)
{
	struct pgtable *pt = active_mm[smp_processor_id()];

	return installed && pt && !(va >> 63) && handle_device_private_fault(pt, va) == 0;
}

/* The table that translates @va on this CPU: an address space's for the lower half. */
static const struct pgtable *table_for(uintptr_t va)
{
	const struct pgtable *mm = active_mm[smp_processor_id()];

	return mm && !(va >> 63) ? mm : &kernel_pgtable;
}

bool paging_fault_is_permission(uintptr_t va)
{
	struct pgtable_walk_result r;

	return installed && pgtable_walk(table_for(va), va, &r) == 0 && r.found;
}

bool paging_leaf_prot(uintptr_t va, pgprot_t *prot)
{
	struct pgtable_walk_result r;

	if (!installed || pgtable_walk(table_for(va), va, &r) || !r.found)
		return false;
	*prot = r.prot;
	return true;
}

void paging_dump_walk(uintptr_t va)
{
	static const char *const names[PGTABLE_MAX_LEVELS] = { "pte", "pmd", "pud", "p4d", "pgd" };
	struct pgtable_walk_result r;

	if (!installed) {
		pr_emerg("  walk of 0x%016lx: boot page tables in use, no walk\n", (unsigned long)va);
		return;
	}
	const struct pgtable *pt = table_for(va);

	if (pgtable_walk(pt, va, &r) == -ERANGE) {
		pr_emerg("  walk of 0x%016lx (%s): not a canonical address\n", (unsigned long)va,
			 mode_name);
		return;
	}
	pr_emerg("  walk of 0x%016lx (%s, %s root 0x%016llx):\n", (unsigned long)va, mode_name,
		 pt == &kernel_pgtable ? "kernel" : "address space", (unsigned long long)pt->root);
	for (int i = 0; i < r.nr; i++) {
		int level = pgtable_root_level(pt) - i;
		const char *name = level == pgtable_root_level(pt) ? "pgd" : names[level];
		pr_emerg("    %s[%3u] @0x%016llx = 0x%016llx%s\n", name, pgtable_index(level, va),
			 (unsigned long long)r.table[i], (unsigned long long)r.chain[i],
			 !arch_pte_present(r.chain[i])     ? " (none)" :
			 arch_pte_is_leaf(r.chain[i], level) ? " (leaf)" : "");
	}
	if (r.found)
		pr_emerg("    maps pa 0x%016llx at level %d, prot 0x%x\n", (unsigned long long)r.pa,
			 r.level, pgprot_val(r.prot));
	else
		pr_emerg("    no translation\n");
	{
		char why[200];

		if (hugetlb_vmemmap_describe(va, why, sizeof(why)))
			pr_emerg("  hvo: %s\n", why);
	}
}

/* The span the linear map must cover: every RAM bank and every valid pmem region. */
static void phys_span(phys_addr_t *start, phys_addr_t *end)
{
	*start = ~(phys_addr_t)0;
	*end = 0;
	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		*start = MIN(*start, r->base);
		*end = MAX(*end, r->base + r->size);
	}
	if (boot.bi.dtb_size) {
		*start = MIN(*start, boot.bi.dtb_base);
		*end = MAX(*end, boot.bi.dtb_base + boot.bi.dtb_size);
	}
	for (int i = 0; i < boot.nr_pmem; i++) {
		if (!boot.pmem[i].valid)
			continue;
		*start = MIN(*start, boot.pmem[i].base);
		*end = MAX(*end, boot.pmem[i].base + boot.pmem[i].size);
	}
}

static int map_image_part(const char *what, char *from, char *to, pgprot_t prot)
{
	int ret;

	if (to <= from)
		return 0;
	ret = pgtable_map(&kernel_pgtable, (uintptr_t)from, __pa_symbol(from),
			  (uint64_t)(to - from), prot, 0);
	if (ret)
		pr_err("paging: mapping the image's %s failed: %d\n", what, ret);
	return ret;
}

static int map_image(void)
{
	int ret = 0;

	/* W^X: text RX, rodata R, data and bss RW-NX; the stack guard page stays unmapped. */
	ret = ret ?: map_image_part("text", _start, _etext, PAGE_KERNEL_EXEC);
	ret = ret ?: map_image_part("rodata", _etext, _sdata, PAGE_KERNEL_RO);
	ret = ret ?: map_image_part("data", _sdata, __stack_guard, PAGE_KERNEL);
	ret = ret ?: map_image_part("stack", __stack_bottom, _end, PAGE_KERNEL);
	return ret;
}

/*
 * The linear map also reaches the image's own pages; left writable there, text and rodata could be
 * changed through that alias behind W^X. Making the alias read-only splits the one leaf holding
 * the image (one more table page) and keeps it non-executable.
 */
static int protect_image_alias(void)
{
	phys_addr_t first = __pa_symbol(_start), last = __pa_symbol(_sdata);
	uintptr_t va = (uintptr_t)(first + kernel_layout.va_pa_offset);
	struct pgtable_walk_result r;
	int ret;

	if (pgtable_walk(&kernel_pgtable, va, &r))
		return 0; /* the image sits outside the linear map (no-map RAM): no alias */
	ret = pgtable_protect(&kernel_pgtable, va, last - first, PAGE_KERNEL_RO);
	if (ret)
		pr_err("paging: making the linear alias of the image read-only failed: %d\n", ret);
	return ret;
}

/*
 * The pool of shared tail pages (mm/vmemmap_tails.c): their linear alias is made read-only
 * while they are shared, which must not split a live block on arm64. Split here, before the
 * table is live, so the pool's alias is page leaves from the start (its leaf or leaves are
 * split down by a protect that changes nothing else).
 */
static int reserve_tail_pool(void)
{
	phys_addr_t pa = memblock_phys_alloc(VMEMMAP_TAIL_POOL * PAGE_SIZE, PAGE_SIZE);
	uintptr_t va;
	int ret;

	if (!pa)
		return 0; /* shared pages then come from the page allocator */
	va = (uintptr_t)(pa + kernel_layout.va_pa_offset);
	ret = pgtable_protect(&kernel_pgtable, va, VMEMMAP_TAIL_POOL * PAGE_SIZE, PAGE_KERNEL);
	if (ret) {
		pr_err("paging: page-mapping the shared tail pool failed: %d\n", ret);
		return ret;
	}
	vmemmap_tail_pool_init(pa);
	return 0;
}

static int count_leaf(void *arg, uintptr_t va, int level, pteval_t entry)
{
	(void)arg;
	(void)va;
	(void)entry;
	paging_stats.leaves[level]++;
	return 0;
}

static int map_linear(void)
{
	const struct kernel_layout *l = &kernel_layout;

	for (unsigned int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		if (r->flags & MEMBLOCK_NOMAP)
			continue;
		int ret = pgtable_map(&kernel_pgtable, (uintptr_t)(r->base + l->va_pa_offset),
				      r->base, r->size, PAGE_KERNEL, 0);
		if (ret) {
			pr_err("paging: linear map of [mem 0x%016llx-0x%016llx] failed: %d\n",
			       (unsigned long long)r->base,
			       (unsigned long long)(r->base + r->size - 1), ret);
			return ret;
		}
		pgtable_walk_leaves(&kernel_pgtable, (uintptr_t)(r->base + l->va_pa_offset), r->size,
				    count_leaf, NULL);
	}
	return 0;
}

/*
 * The blob must stay readable at __va() after the switch even where the linear map leaves it out
 * (a no-map range, or outside RAM): map its missing pages read-only there.
 */
static int map_dtb(void)
{
	phys_addr_t first = ALIGN_DOWN(boot.bi.dtb_base, PAGE_SIZE);
	phys_addr_t last = ALIGN_UP(boot.bi.dtb_base + boot.bi.dtb_size, PAGE_SIZE);
	struct pgtable_walk_result r;

	for (phys_addr_t pa = first; pa < last; pa += PAGE_SIZE) {
		uintptr_t va = (uintptr_t)(pa + kernel_layout.va_pa_offset);
		if (pgtable_walk(&kernel_pgtable, va, &r) == 0)
			continue;
		int ret = pgtable_map(&kernel_pgtable, va, pa, PAGE_SIZE, PAGE_KERNEL_RO, 0);
		if (ret) {
			pr_err("paging: mapping the device tree page 0x%016llx failed: %d\n",
			       (unsigned long long)pa, ret);
			return ret;
		}
	}
	return 0;
}

static void refuse_pmem(struct pmem_region *p, const struct pgtable_cfg *cfg, const char *why)
{
	pr_err("pmem: %s: [mem 0x%016llx-0x%016llx] %s (%s): region refused\n", p->node,
	       (unsigned long long)p->base, (unsigned long long)(p->base + p->size - 1), why,
	       arch_pgtable_name(cfg));
	p->valid = false;
	boot.pmem_problems++;
}

/*
 * A pmem range the format cannot reach is refused alone, so the run keeps its page tables:
 * one above the physical-address width (the CPU would fault on it: address size fault), or
 * one that stretches the span past what the format's linear map covers. Formats are tried
 * best first, so what one refuses no later one could map either.
 */
static void refuse_unmappable_pmem(const struct pgtable_cfg *cfg)
{
	unsigned int pa_bits = arch_phys_bits(cfg);
	struct kernel_layout probe;
	phys_addr_t start, end;

	for (int i = 0; i < boot.nr_pmem; i++) {
		struct pmem_region *p = &boot.pmem[i];
		if (p->valid && pa_bits < 64 && p->base + p->size > (1ULL << pa_bits)) {
			char why[80];
			scnprintf(why, sizeof(why), "lies above the %u-bit physical address width",
				  pa_bits);
			refuse_pmem(p, cfg, why);
		}
	}
	for (;;) {
		int far = -1;

		phys_span(&start, &end);
		if (kernel_layout_init(&probe, (int)arch_va_bits(cfg), start, end) != -ERANGE)
			return;
		/* Drop the valid range farthest from RAM and try again. */
		for (int i = 0; i < boot.nr_pmem; i++)
			if (boot.pmem[i].valid && (far < 0 || boot.pmem[i].base > boot.pmem[far].base))
				far = i;
		if (far < 0)
			return;
		refuse_pmem(&boot.pmem[far], cfg, "is beyond what the linear map can cover");
	}
}

/* Build everything in a fresh table for @cfg; the table is not installed. */
static int build(const struct pgtable_cfg *cfg, void **console_va)
{
	phys_addr_t start, end;
	const struct layout_region *io;
	int ret;

	refuse_unmappable_pmem(cfg);
	phys_span(&start, &end);
	ret = kernel_layout_init(&kernel_layout, (int)arch_va_bits(cfg), start, end);
	if (ret) {
		pr_err("paging: no %s layout for RAM [mem 0x%016llx-0x%016llx]: %d\n",
		       arch_pgtable_name(cfg), (unsigned long long)start,
		       (unsigned long long)(end - 1), ret);
		return ret;
	}
	ret = pgtable_init(&kernel_pgtable, cfg, 0);
	if (ret)
		return ret;
	memset(paging_stats.leaves, 0, sizeof(paging_stats.leaves));
	ret = map_linear();
	paging_stats.table_pages_linear = kernel_pgtable.nr_table_pages;
	ret = ret ?: map_dtb();
	ret = ret ?: map_image();
	ret = ret ?: protect_image_alias();
	ret = ret ?: reserve_tail_pool();
	io = &kernel_layout.region[LAYOUT_IOREMAP];
	ret = ret ?: memremap_init(&kernel_memremap_ops, io->start, io->start + io->size);
	if (!ret && boot.bi.uart_kind != BI_UART_NONE) {
		*console_va = ioremap(boot.bi.uart_base, PAGE_SIZE);
		if (!*console_va)
			ret = -ENOMEM;
	}
	ret = ret ?: arch_paging_prepare();
	if (ret)
		pgtable_destroy(&kernel_pgtable);
	return ret;
}

/* loglevel=7: the formats paging_init() will try. One line: a pr_cont() prints at any level. */
static void debug_candidates(const struct bootargs *ba, const struct pgtable_cfg *cands, int n)
{
	char names[64];
	size_t len = 0;

	names[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)scnprintf(names + len, sizeof(names) - len, " %s",
					 arch_pgtable_name(&cands[i]));
	pr_debug("paging: candidate formats, best first:%s (from %s)\n", names,
		 ba->pgtable ? "pgtable=, then the smaller formats it implies"
			     : "the default, pgtable=auto");
}

int paging_init(const struct bootargs *ba)
{
	struct pgtable_cfg cands[4];
	uint64_t insn0 = arch_insn_count();
	unsigned long flush0 = tlb_flush_count;
	phys_addr_t saved_limit = memblock.alloc_limit;
	int n, ret = -ENODEV;

	n = arch_pgtable_candidates(&boot.bi, ba, cands, (int)ARRAY_SIZE(cands));
	if (n < 0)
		return n;
	debug_candidates(ba, cands, n);
	pgtable_set_page_ops(&memblock_table_ops);
	/* Table pages are written through the boot identity map, which reaches the image's GiB. */
	memblock.alloc_limit = ALIGN_UP(boot.image_base + boot.image_size, SZ_1G);

	for (int i = 0; i < n; i++) {
		void *console_va = NULL;

		ret = build(&cands[i], &console_va);
		if (ret) {
			pr_debug("paging: %s: no table built (%d); trying the next format\n",
				 arch_pgtable_name(&cands[i]), ret);
			continue;
		}
		if (!arch_install_pgtable(&kernel_pgtable)) {
			pr_warn("paging: the CPU refused %s; trying the next format\n",
				arch_pgtable_name(&cands[i]));
			pgtable_destroy(&kernel_pgtable);
			ret = -EOPNOTSUPP;
			continue;
		}
		/* From here on only the new table exists: no more physical pointers. */
		va_pa_offset = kernel_layout.va_pa_offset;
		if (console_va) {
			struct bi_uart u = { boot.bi.uart_kind, boot.bi.uart_base,
					     boot.bi.uart_reg_shift, boot.bi.uart_io_width };

			console_use_uart(&u, (uintptr_t)console_va);
		}
		arch_paging_commit();
		mode_name = arch_pgtable_name(&cands[i]);
		installed = true;
		pr_debug("paging: picked %s: candidate %d of %d, the first whose tables were built "
			 "and that the CPU accepted\n", mode_name, i + 1, n);
		break;
	}
	memblock.alloc_limit = saved_limit;
	if (ret) {
		pr_err("paging: no page-table format could be installed (%d); staying on the boot "
		       "tables\n", ret);
		return ret;
	}
	paging_stats.table_pages = kernel_pgtable.nr_table_pages;
	paging_stats.insns = arch_insn_count() - insn0;
	paging_stats.flushes = tlb_flush_count - flush0;
	pr_info("paging: %s installed, %lu table pages (%lu for the linear map), %lu TLB flushes\n",
		mode_name, paging_stats.table_pages, paging_stats.table_pages_linear,
		paging_stats.flushes);
	pr_info("paging: linear map leaves: %lu x 1 GiB, %lu x 2 MiB, %lu x 4 KiB\n",
		paging_stats.leaves[2], paging_stats.leaves[1], paging_stats.leaves[0]);
	kernel_layout_print(&kernel_layout);
	return 0;
}
