// SPDX-License-Identifier: BSD-2-Clause
// memremap()/memunmap() and their devm_ variants (seed 001_273b8a4c6011fe55, Linux
// kernel/iomem.c): System RAM with WB comes from the linear map, anything else gets a new
// mapping in the ioremap region through the hooks the kernel registered.
#include <platform/device.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/memory.h>
#include <platform/printk.h>
#include <mm/ioresource.h>
#include <mm/memremap.h>
#include <mm/memtype.h>
#include <mm/mm_lock.h>
#include <mm/vmalloc.h>

static struct memremap_ops remap_ops;
static bool remap_ready;
static struct memremap_stats stats;
/* memremap() runs on every CPU: the counters move together. */
static struct mm_lock stats_lock;

static void stats_map(long mappings, long bytes, bool made)
{
	unsigned long flags = mm_lock(&stats_lock);

	stats.live_mappings += (unsigned long)mappings;
	stats.live_bytes += (uint64_t)bytes;
	stats.total_mappings += made;
	mm_unlock(&stats_lock, flags);
}

static void stats_count(unsigned long *counter)
{
	unsigned long flags = mm_lock(&stats_lock);

	(*counter)++;
	mm_unlock(&stats_lock, flags);
}

int memremap_init(const struct memremap_ops *ops, uintptr_t ioremap_start,
		  uintptr_t ioremap_end)
{
	int ret;

	if (!ops || !ops->map || !ops->unmap)
		return -EINVAL;
	ret = vmalloc_init(ioremap_start, ioremap_end);
	if (ret)
		return ret;
	remap_ops = *ops;
	remap_ready = true;
	mm_lock_init(&stats_lock);
	memtype_reset();
	stats = (struct memremap_stats){ 0 };
	return 0;
}

static bool type_supported(enum memremap_type t)
{
	return !remap_ops.type_supported || remap_ops.type_supported(t, remap_ops.ctx);
}

static int refuse(struct memremap_decision *d, int err, const char *reason)
{
	d->action = MEMREMAP_ACT_REFUSE;
	d->err = err;
	d->reason = reason;
	return err;
}

int memremap_decide(phys_addr_t offset, size_t size, unsigned long flags,
		    struct memremap_decision *d)
{
	static const struct {
		unsigned long flag;
		enum memremap_type type;
	} order[] = {
		{ MEMREMAP_WB, MEMREMAP_TYPE_WB },
		{ MEMREMAP_WT, MEMREMAP_TYPE_WT },
		{ MEMREMAP_WC, MEMREMAP_TYPE_NC },
	};
	static const char *const held_reason[] = {
		[MEMREMAP_TYPE_WB] = "the range is mapped write-back already (one memory type per page)",
		[MEMREMAP_TYPE_WT] = "the range is mapped write-through already (one memory type per page)",
		[MEMREMAP_TYPE_NC] = "the range is mapped non-cacheable already (one memory type per page)",
	};
	enum memremap_type held = MEMREMAP_TYPE_WB;
	bool is_ram;

	*d = (struct memremap_decision){ .region = -1 };
	if (size == 0 || offset + ((phys_addr_t)size - 1) < offset)
		return refuse(d, -EINVAL, "empty or wrapping range");
	if (!flags || (flags & ~(unsigned long)(MEMREMAP_WB | MEMREMAP_WT | MEMREMAP_WC)))
		return refuse(d, -EINVAL, "no or unknown MEMREMAP_ flags");

	d->region = region_intersects(offset, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
	if (d->region == REGION_MIXED)
		return refuse(d, -EINVAL, "range mixes System RAM with other memory");
	is_ram = d->region == REGION_INTERSECTS;

	if ((flags & MEMREMAP_WB) && is_ram) {
		d->action = MEMREMAP_ACT_LINEAR;
		d->type = MEMREMAP_TYPE_WB;
		return 0;
	}
	if (is_ram)
		return refuse(d, -EPERM,
			      "WT/WC on System RAM would alias the write-back linear map");

	for (unsigned int i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(flags & order[i].flag))
			continue;
		if (!type_supported(order[i].type))
			continue; /* never silently replaced by another type */
		if (!remap_ready)
			return refuse(d, -ENODEV, "no ioremap region (memremap_init() not called)");
		/* one memory type per page: a pagemap's or another memremap()'s stays */
		if (memtype_check(ALIGN_DOWN(offset, (phys_addr_t)PAGE_SIZE),
				  ALIGN_UP(offset + size, (phys_addr_t)PAGE_SIZE), order[i].type,
				  &held) == -EBUSY)
			return refuse(d, -EBUSY, held_reason[held]);
		d->action = MEMREMAP_ACT_MAP;
		d->type = order[i].type;
		return 0;
	}
	return refuse(d, -EOPNOTSUPP, "memory type unsupported by this platform");
}

static const char *flags_name(unsigned long flags)
{
	static const char *const names[8] = {
		"none", "WB", "WT", "WB|WT", "WC", "WB|WC", "WT|WC", "WB|WT|WC",
	};

	return flags < 8 ? names[flags] : "invalid";
}

/* Alignment of the VA area: the mapping size up to 1 GiB, limited by the physical alignment. */
static size_t map_align(phys_addr_t pa, size_t size)
{
	size_t align = PAGE_SIZE;

	while (align < SZ_1G && align < size && IS_ALIGNED(pa, (phys_addr_t)align * 2))
		align *= 2;
	return align;
}

/* memremap() with the reason for a NULL: *@err is 0 or a negative errno. */
static void *__memremap(phys_addr_t offset, size_t size, unsigned long flags, int *err)
{
	struct memremap_decision d;
	unsigned long long last = (unsigned long long)(offset + (size ? size - 1 : 0));
	phys_addr_t pa;
	size_t map_size;
	struct vm_struct *area;
	int ret;

	*err = memremap_decide(offset, size, flags, &d);
	if (*err) {
		stats_count(&stats.refused);
		pr_warn("memremap: [mem 0x%llx-0x%llx] %s refused: %s\n",
			(unsigned long long)offset, last, flags_name(flags), d.reason);
		return NULL;
	}
	if (d.action == MEMREMAP_ACT_LINEAR) {
		stats_count(&stats.linear_hits);
		return __va(offset);
	}

	pa = ALIGN_DOWN(offset, (phys_addr_t)PAGE_SIZE);
	if (offset - pa + size < size || offset - pa + size > SIZE_MAX - PAGE_SIZE) {
		*err = -EINVAL;
		goto err_msg;
	}
	map_size = ALIGN_UP(offset - pa + size, PAGE_SIZE);
	area = get_vm_area(map_size, map_align(pa, map_size), VM_IOREMAP | VM_MEMREMAP);
	if (IS_ERR(area)) {
		*err = (int)PTR_ERR(area);
		goto err_msg;
	}
	area->phys_addr = pa;
	area->caller = "memremap";
	/* reserved under the tracker's lock: a concurrent mapping of another type loses */
	ret = memtype_reserve(pa, pa + map_size, d.type, "memremap");
	if (ret) {
		*err = ret;
		goto err_free_area;
	}
	ret = remap_ops.map(area->addr, pa, map_size, d.type, remap_ops.ctx);
	if (ret) {
		memtype_free(pa, pa + map_size);
		*err = ret;
		goto err_free_area;
	}
	stats_map(1, (long)map_size, true);
	return (void *)(area->addr + (uintptr_t)(offset - pa));

err_free_area:
	free_vm_area(area);
err_msg:
	stats_count(&stats.refused);
	pr_err("memremap: [mem 0x%llx-0x%llx] %s: mapping failed: %d\n",
	       (unsigned long long)offset, last, flags_name(flags), *err);
	return NULL;
}

void *memremap(phys_addr_t offset, size_t size, unsigned long flags)
{
	int err;

	return __memremap(offset, size, flags, &err);
}

void memunmap(void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	struct vm_struct *area;

	if (!addr)
		return;
	if (!is_ioremap_addr(va)) {
		/* A linear-map address: nothing was mapped for it. */
		if (region_intersects(__pa(addr), 1, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
		    REGION_INTERSECTS)
			pr_warn("memunmap: %p is neither a linear-map nor a memremap address\n",
				addr);
		return;
	}
	area = find_vm_area(va);
	if (!area || area->addr != ALIGN_DOWN(va, (uintptr_t)PAGE_SIZE) ||
	    !(area->flags & VM_MEMREMAP)) {
		pr_warn("memunmap: %p was not returned by memremap()\n", addr);
		return;
	}
	remap_ops.unmap(area->addr, area->size, remap_ops.ctx);
	memtype_free(area->phys_addr, area->phys_addr + area->size);
	stats_map(-1, -(long)area->size, false);
	free_vm_area(area);
}

void memremap_get_stats(struct memremap_stats *st)
{
	unsigned long flags = mm_lock(&stats_lock);

	*st = stats;
	mm_unlock(&stats_lock, flags);
}

static void devm_memremap_release(void *addr)
{
	memunmap(addr);
}

void *devm_memremap(struct device *dev, phys_addr_t offset, size_t size, unsigned long flags)
{
	int err;
	void *addr = __memremap(offset, size, flags, &err);

	if (!addr)
		return ERR_PTR(err ? err : -ENOMEM);
	err = devm_add_action(dev, devm_memremap_release, addr);
	if (err) {
		memunmap(addr);
		return ERR_PTR(err);
	}
	return addr;
}

int devm_memunmap(struct device *dev, void *addr)
{
	int ret = devm_release_action(dev, devm_memremap_release, addr);

	if (ret)
		pr_warn("%s: devm_memunmap(%p): not a devm_memremap() address of this device\n",
			dev->name, addr);
	return ret;
}
