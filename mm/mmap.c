// SPDX-License-Identifier: BSD-2-Clause
// Address spaces, VMAs and the mapping of device folios into them (Linux mm/mmap.c, the
// vmf_insert_* fault helpers and zap_page_range for what rmap needs).
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>

#include <mm/mm_types.h>
#include <mm/rmap.h>

#include <string.h>

#define VMA_POOL_SIZE 128

static struct vm_area_struct vma_pool[VMA_POOL_SIZE];
static bool vma_used[VMA_POOL_SIZE];
static struct mm_lock vma_pool_lock;
static bool vma_pool_ready;

static struct vm_area_struct *vma_alloc(void)
{
	unsigned long flags;
	struct vm_area_struct *v = NULL;

	if (!vma_pool_ready) {
		mm_lock_init(&vma_pool_lock);
		vma_pool_ready = true;
	}
	flags = mm_lock(&vma_pool_lock);
	for (int i = 0; i < VMA_POOL_SIZE; i++) {
		if (!vma_used[i]) {
			vma_used[i] = true;
			v = &vma_pool[i];
			memset(v, 0, sizeof(*v));
			break;
		}
	}
	mm_unlock(&vma_pool_lock, flags);
	return v;
}

static void vma_free(struct vm_area_struct *v)
{
	unsigned long flags = mm_lock(&vma_pool_lock);

	vma_used[v - vma_pool] = false;
	mm_unlock(&vma_pool_lock, flags);
}

void address_space_init(struct address_space *as, const char *name)
{
	INIT_LIST_HEAD(&as->i_mmap);
	mm_lock_init(&as->i_mmap_lock);
	as->name = name;
}

int mm_init(struct mm_struct *mm, const struct pgtable_cfg *cfg, uint16_t asid)
{
	memset(mm, 0, sizeof(*mm));
	INIT_LIST_HEAD(&mm->vmas);
	return pgtable_init(&mm->pgt, cfg, asid);
}

void folio_mapcount_add(struct folio *folio, int delta)
{
	atomic_fetch_add_explicit(&folio->page._mapcount, delta, memory_order_relaxed);
}

pgprot_t vma_prot(const struct vm_area_struct *vma)
{
	unsigned int p = PGPROT_READ | PGPROT_ACCESSED;

	if (vma->vm_flags & VM_WRITE)
		p |= PGPROT_WRITE | PGPROT_DIRTY;
	if (vma->vm_flags & VM_USER)
		p |= PGPROT_USER;
	return __pgprot(p);
}

long vma_pgoff_address(const struct vm_area_struct *vma, unsigned long pgoff, unsigned long *addr)
{
	return vma_address_of(vma, pgoff, 1, addr);
}

/* The lower half of the format: where address spaces live. */
static bool user_range_ok(const struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long top = 1UL << (arch_va_bits(&mm->pgt.cfg) - 1);

	return len && IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(len, PAGE_SIZE) &&
	       start < top && len <= top - start;
}

struct vm_area_struct *vma_create(struct mm_struct *mm, unsigned long start, unsigned long len,
				  unsigned long flags, struct address_space *as, unsigned long pgoff)
{
	struct vm_area_struct *v, *pos;
	struct list_head *before = &mm->vmas;

	if (!user_range_ok(mm, start, len) || pgoff + (len >> PAGE_SHIFT) < pgoff)
		return ERR_PTR(-EINVAL);
	list_for_each_entry(pos, &mm->vmas, vm_list) {
		if (pos->vm_start < start + len && start < pos->vm_end)
			return ERR_PTR(-EEXIST);
		if (pos->vm_start >= start + len) {
			before = &pos->vm_list;
			break;
		}
	}
	v = vma_alloc();
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->vm_mm = mm;
	v->vm_start = start;
	v->vm_end = start + len;
	v->vm_pgoff = pgoff;
	v->vm_flags = flags;
	v->vm_mapping = as;
	list_add_tail(&v->vm_list, before);
	mm->nr_vmas++;
	INIT_LIST_HEAD(&v->shared);
	if (as) {
		unsigned long f = mm_lock(&as->i_mmap_lock);

		list_add_tail(&v->shared, &as->i_mmap);
		mm_unlock(&as->i_mmap_lock, f);
	}
	return v;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v;

	list_for_each_entry(v, &mm->vmas, vm_list)
		if (addr >= v->vm_start && addr < v->vm_end)
			return v;
	return NULL;
}

static int count_entry(void *arg, uintptr_t va, int level, pteval_t e)
{
	(void)va;
	(void)level;
	(void)e;
	(*(unsigned long *)arg)++;
	return 0;
}

/*
 * A huge leaf goes where an emptied lower table may still hang (an unmap leaves it): free such
 * a table first, or pgtable_map() would fill it with small leaves. Anything still mapped there
 * is a conflict.
 */
static int clear_empty_tables(struct mm_struct *mm, unsigned long addr, uint64_t size, int level)
{
	pteval_t *p = pgtable_find_entry(&mm->pgt, addr, level);
	unsigned long n = 0;

	if (!p || !pgtable_entry_is_table(*p, level))
		return 0;
	pgtable_walk_leaves(&mm->pgt, addr, size, count_entry, &n);
	if (n)
		return -EEXIST;
	return pgtable_unmap(&mm->pgt, addr, size);
}

int vma_map_folio(struct vm_area_struct *vma, unsigned long addr, struct folio *folio,
		  unsigned long first, unsigned long nr_pages, int level)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = folio_pfn(folio) + first, want, entries;
	uint64_t size = (uint64_t)nr_pages << PAGE_SHIFT;
	unsigned int cap;
	int ret;

	if (level < PGTABLE_LEVEL_PTE || level > PGTABLE_LEVEL_PUD || !nr_pages ||
	    first >= folio_nr_pages(folio) || nr_pages > folio_nr_pages(folio) - first ||
	    !IS_ALIGNED(addr, PAGE_SIZE) || addr < vma->vm_start || addr >= vma->vm_end ||
	    nr_pages > (vma->vm_end - addr) >> PAGE_SHIFT)
		return -EINVAL;
	if (level > PGTABLE_LEVEL_PTE &&
	    (size != pgtable_level_size(level) || !IS_ALIGNED(addr, size) ||
	     !IS_ALIGNED(PFN_PHYS(pfn), size)))
		return -EINVAL;
	/* rmap finds a folio through its mapping: it must be mapped where the VMA says. */
	if (folio->page.mapping) {
		if (folio->page.mapping != vma->vm_mapping ||
		    vma_pgoff_address(vma, folio->page.index + first, &want) || want != addr)
			return -EINVAL;
	}
	if (!arch_level_may_be_leaf(&mm->pgt.cfg, level))
		return -EOPNOTSUPP;
	cap = level == PGTABLE_LEVEL_PTE ? PGTABLE_MAP_NO_BLOCKS : PGTABLE_MAP_MAX_LEAF(level);
	if (level > PGTABLE_LEVEL_PTE) {
		ret = clear_empty_tables(mm, addr, size, level);
		if (ret)
			return ret;
	}
	ret = pgtable_map(&mm->pgt, addr, PFN_PHYS(pfn), size, vma_prot(vma), cap);
	if (ret)
		return ret;
	if (level > PGTABLE_LEVEL_PTE) {
		pteval_t *p = pgtable_find_entry(&mm->pgt, addr, level);

		/* the one huge leaf asked for, never smaller leaves that would each need counting */
		if (!p || !pgtable_entry_is_leaf(*p, level)) {
			pgtable_unmap(&mm->pgt, addr, size);
			return -EOPNOTSUPP;
		}
	}
	entries = level == PGTABLE_LEVEL_PTE ? nr_pages : 1;
	folio_mapcount_add(folio, (int)entries);
	__atomic_fetch_add(&mm->map_count, entries, __ATOMIC_RELAXED);
	return 0;
}

/* Drop what one entry held: a present mapping or a device-private entry holds a map count. */
static int zap_entry(void *arg, uintptr_t va, int level, pteval_t e)
{
	struct mm_struct *mm = arg;
	unsigned long pfn;

	(void)va;
	if (arch_pte_present(e))
		pfn = PHYS_PFN(arch_pte_addr(e, level));
	else if (is_device_private_entry(e) || is_device_exclusive_entry(e))
		pfn = swp_entry_pfn(e);
	else
		return 0; /* a migration entry: its count was dropped when it was made */
	folio_mapcount_add(page_folio(pfn_to_page(pfn)), -1);
	__atomic_fetch_sub(&mm->map_count, 1, __ATOMIC_RELAXED);
	return 0;
}

static void zap_vma(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long flags = pgtable_lock(&mm->pgt);

	pgtable_walk_leaves(&mm->pgt, vma->vm_start, vma->vm_end - vma->vm_start, zap_entry, mm);
	pgtable_unlock(&mm->pgt, flags);
	pgtable_unmap(&mm->pgt, vma->vm_start, vma->vm_end - vma->vm_start);
}

void vma_destroy(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct address_space *as = vma->vm_mapping;

	/* Out of reach of rmap_walk() first (it holds i_mmap_lock), then no one else may zap. */
	if (as) {
		unsigned long f = mm_lock(&as->i_mmap_lock);

		list_del(&vma->shared);
		mm_unlock(&as->i_mmap_lock, f);
	}
	zap_vma(vma);
	list_del(&vma->vm_list);
	mm->nr_vmas--;
	vma_free(vma);
}

void mm_destroy(struct mm_struct *mm)
{
	pteval_t *root;

	while (!list_empty(&mm->vmas))
		vma_destroy(list_first_entry(&mm->vmas, struct vm_area_struct, vm_list));
	/*
	 * The upper half of an address space's root is the kernel's (riscv64 copies the kernel's
	 * root entries in while the mm runs): never free what they point to.
	 */
	root = __va(mm->pgt.root);
	memset(root + 256, 0, 256 * sizeof(*root));
	pgtable_destroy(&mm->pgt);
}
