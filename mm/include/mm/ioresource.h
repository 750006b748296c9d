// SPDX-License-Identifier: BSD-2-Clause
// The physical address-space resource tree (Linux kernel/resource.c, include/linux/ioport.h):
// System RAM, reserved ranges, persistent memory and device MMIO, as /proc/iomem shows them.
// Differs from Linux: one tree (no ioport), fixed resource pool, one lock for
// the tree and the pool.
#ifndef ZONEDEV_MM_IORESOURCE_H
#define ZONEDEV_MM_IORESOURCE_H

#include <platform/bootinfo.h>
#include <platform/types.h>

/* Resource types and modifiers: Linux's values (include/linux/ioport.h). */
#define IORESOURCE_TYPE_BITS 0x00001f00
#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200
#define IORESOURCE_SYSRAM 0x01000000	/* System RAM (modifier) */
#define IORESOURCE_READONLY 0x00004000	/* data we do not own: the kernel maps it read-only */
#define IORESOURCE_EXCLUSIVE 0x08000000 /* userland may not map it */
#define IORESOURCE_DISABLED 0x10000000
#define IORESOURCE_BUSY 0x80000000	/* claimed by a driver: nothing nests below it */
#define IORESOURCE_SYSTEM_RAM (IORESOURCE_MEM | IORESOURCE_SYSRAM)

/* Descriptors (resource.desc): Linux's enum values, only those we set or filter on. */
enum {
	IORES_DESC_NONE = 0,
	IORES_DESC_PERSISTENT_MEMORY = 4,
	IORES_DESC_PERSISTENT_MEMORY_LEGACY = 5,
	IORES_DESC_DEVICE_PRIVATE_MEMORY = 6,
	IORES_DESC_RESERVED = 7,
	IORES_DESC_SOFT_RESERVED = 8,
};

/* region_intersects() results, Linux's values. */
enum {
	REGION_DISJOINT = 0,
	REGION_INTERSECTS = 1,
	REGION_MIXED = 2,
};

#define IORESOURCE_POOL_SIZE 256

/**
 * struct resource - one node of the resource tree
 * @start: first byte
 * @end: last byte (inclusive, so a resource can reach the top of the address space)
 * @name: what /proc/iomem prints; not copied, must outlive the resource
 * @flags: IORESOURCE_* type and modifiers
 * @desc: IORES_DESC_* (IORES_DESC_NONE when nothing more specific applies)
 * @parent: the resource this one nests in (NULL while not in a tree)
 * @sibling: next resource under the same parent, in ascending address order
 * @child: first nested resource
 *
 * Children lie wholly inside their parent and never overlap one another.
 */
struct resource {
	phys_addr_t start;
	phys_addr_t end;
	const char *name;
	unsigned long flags;
	unsigned long desc;
	struct resource *parent, *sibling, *child;
};

/** iomem_resource - root of the physical address space: [0, ~0]. */
extern struct resource iomem_resource;

/** resource_size() - bytes covered by @res. */
static inline phys_addr_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

/**
 * resource_new() - take a resource from the static pool and fill it in (not inserted anywhere)
 * @start, @size: the range; @size must be non-zero and start + size must not wrap
 * @name, @flags, @desc: as in struct resource
 * Return: the resource, ERR_PTR(-EINVAL) for a bad range, ERR_PTR(-ENOMEM) when all
 * IORESOURCE_POOL_SIZE resources are in use.
 */
struct resource *resource_new(phys_addr_t start, phys_addr_t size, const char *name,
			      unsigned long flags, unsigned long desc);

/** resource_free() - give back a pool resource that is no longer in a tree; others are ignored. */
void resource_free(struct resource *res);

/** resource_pool_in_use() - pool resources currently allocated (leak checks, metrics). */
unsigned int resource_pool_in_use(void);

/**
 * request_resource_conflict() - insert @new directly below @root, if it fits between the
 * existing children without overlapping any.
 * Return: NULL on success; otherwise the resource in the way (@root itself when @new is not
 * inside @root or is malformed). Nothing is changed on failure.
 */
struct resource *request_resource_conflict(struct resource *root, struct resource *new);

/**
 * request_resource() - request_resource_conflict() returning an errno.
 * Return: 0, -EINVAL if @new->end < @new->start, -EBUSY if it overlaps a child of @root or
 * is not inside @root (use request_resource_conflict() to name the resource in the way).
 */
int request_resource(struct resource *root, struct resource *new);

/**
 * release_resource() - take @old, together with everything nested in it, out of its tree.
 * The resources are not freed. Return: 0, or -EINVAL if @old is not in a tree.
 */
int release_resource(struct resource *old);

/**
 * remove_resource() - take @old out of its tree, moving its children up to its parent.
 * Return: 0, or -EINVAL if @old is not in a tree.
 */
int remove_resource(struct resource *old);

/**
 * insert_resource_conflict() - insert @new into the tree below @parent at the deepest level
 * where it fits: it descends into an existing resource that wholly contains @new, and the
 * resources @new wholly contains (at that level) become its children. A resource with exactly
 * @new's range becomes a child of @new, as in Linux.
 * Return: NULL on success; otherwise the resource that @new partially overlaps (or @parent
 * when @new does not lie inside it). Nothing is changed on failure.
 */
struct resource *insert_resource_conflict(struct resource *parent, struct resource *new);

/**
 * insert_resource() - insert_resource_conflict() returning an errno.
 * Return: 0, -EINVAL for a malformed @new, -EBUSY on a partial overlap or when @new is not
 * inside @parent.
 */
int insert_resource(struct resource *parent, struct resource *new);

/**
 * __request_region() - claim [@start, @start + @n) for a driver: a new BUSY resource from the
 * pool, nested as deep as the non-BUSY resources already covering the range allow.
 * @parent: where to start (usually &iomem_resource)
 * @name: owner's name (not copied)
 * @flags: extra flags; the type comes from @parent, IORESOURCE_BUSY is always added
 * Return: the new resource; ERR_PTR(-EINVAL) for an empty or wrapping range, ERR_PTR(-EBUSY)
 * when the range overlaps a BUSY resource or straddles a boundary, ERR_PTR(-ENOMEM) when the
 * pool is empty. Differs from Linux: ERR_PTR instead of NULL; no IORESOURCE_MUXED waiting.
 */
struct resource *__request_region(struct resource *parent, phys_addr_t start, phys_addr_t n,
				  const char *name, unsigned long flags);

/**
 * __release_region() - undo __request_region(): find the BUSY resource with exactly this
 * range below @parent, take it out and free it.
 * Return: 0, or -ENOENT (with a warning) if no such claim exists.
 */
int __release_region(struct resource *parent, phys_addr_t start, phys_addr_t n);

/** request_mem_region() - __request_region(&iomem_resource, @start, @n, @name, 0). */
struct resource *request_mem_region(phys_addr_t start, phys_addr_t n, const char *name);

/** release_mem_region() - __release_region(&iomem_resource, @start, @n). */
int release_mem_region(phys_addr_t start, phys_addr_t n);

/**
 * region_intersects() - how [@start, @start + @size) relates to the resources matching
 * @flags and @desc
 * @flags: every bit must be set in a matching resource (e.g. IORESOURCE_SYSTEM_RAM)
 * @desc: the resource's desc must equal it, unless IORES_DESC_NONE (any desc)
 *
 * A byte of the range is "matching" when some resource containing it, at any depth, matches.
 * Return: REGION_INTERSECTS when every byte of the range is matching, REGION_DISJOINT when no
 * byte is (also for @size 0), REGION_MIXED otherwise (also for a range that wraps).
 * Differs from Linux: a hole (bytes no resource covers) counts as non-matching, so System RAM
 * bank + hole is REGION_MIXED here where Linux says REGION_INTERSECTS; memremap() must not hand
 * out a linear-map address for a hole, which the linear map does not cover.
 */
int region_intersects(phys_addr_t start, size_t size, unsigned long flags, unsigned long desc);

/**
 * walk_iomem_res_desc() - call @func for every resource of the tree, at any depth and in address
 * order (parents before children), that matches @flags/@desc (as region_intersects()) and
 * overlaps [@start, @end] (@end inclusive).
 * @func: gets a copy of the resource clipped to [@start, @end] (parent/sibling/child cleared);
 *	  a non-zero return stops the walk and is returned. It runs under the resource lock
 *	  (interrupts off): it must not call into the resource tree.
 * Return: the first non-zero @func result, 0 when @func was called and always returned 0,
 * -EINVAL when nothing matched (as Linux).
 */
int walk_iomem_res_desc(unsigned long desc, unsigned long flags, phys_addr_t start,
			phys_addr_t end, void *arg, int (*func)(struct resource *, void *));

/** walk_system_ram_res() - walk_iomem_res_desc() over System RAM (BUSY, as boot inserts it). */
int walk_system_ram_res(phys_addr_t start, phys_addr_t end, void *arg,
			int (*func)(struct resource *, void *));

/**
 * iomem_range_writable() - whether the kernel may map [@start, @start + @size) writable: false
 * when any byte lies in a resource marked IORESOURCE_READONLY (at any depth), or the range is
 * empty or wraps. The page-table hooks of memremap() and memremap_pages() ask it, so data we do
 * not own can be read but a stray store faults instead of landing.
 */
bool iomem_range_writable(phys_addr_t start, phys_addr_t size);

/**
 * iomem_set_readonly() - set or clear IORESOURCE_READONLY on the resource (at any depth) that
 * covers exactly [@start, @start + @size). Mappings made before keep their protection.
 * Return: 0, or -ENOENT when no resource covers exactly that range.
 */
int iomem_set_readonly(phys_addr_t start, phys_addr_t size, bool readonly);

/** iomem_print() - the tree as /proc/iomem prints it ("start-end : name", 2 spaces a level). */
void iomem_print(void);

/**
 * iomem_reset() - empty the tree and the pool (boot, tests). Resources not from the pool are
 * simply forgotten.
 */
void iomem_reset(void);

/**
 * struct iomem_range - one MMIO window for iomem_init_from_bootinfo()
 * @name: resource name, usually the node's unit name (not copied: must live forever)
 * @base, @size: the window
 */
struct iomem_range {
	const char *name;
	phys_addr_t base, size;
};

/**
 * iomem_init_from_bootinfo() - build the tree from the decoded device tree, on an empty tree
 * @bi: memory banks, reserved ranges, pmem regions
 * @mmio: each device's MMIO "reg" windows (may be NULL when @nr_mmio is 0)
 *
 * What is inserted, as arm64/riscv64 Linux do it:
 *  - "System RAM" (IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY): the memory banks, merged where
 *    they overlap or touch, minus the no-map reserved ranges;
 *  - "reserved" (IORESOURCE_MEM, IORES_DESC_RESERVED) at the top level for every no-map range;
 *  - "reserved" (IORESOURCE_MEM | IORESOURCE_BUSY, IORES_DESC_RESERVED) nested in System RAM for
 *    the other reserved ranges (reserved-memory nodes, /memreserve/), split around what is
 *    already there; parts outside RAM go to the top level;
 *  - "Persistent Memory" (IORESOURCE_MEM | IORESOURCE_READONLY, IORES_DESC_PERSISTENT_MEMORY) for
 *    each pmem range: it may hold someone's data, so it is read-only until the pmem driver lays
 *    it out itself and clears the flag (iomem_set_readonly());
 *    a "volatile" one becomes "Volatile Memory" with IORES_DESC_SOFT_RESERVED (Linux's desc
 *    for memory set aside for a driver that is not System RAM; "legacy" pmem in Linux means
 *    e820 type 12, which is persistent, so it does not fit);
 *  - each @mmio window (IORESOURCE_MEM, IORES_DESC_NONE).
 * pmem and MMIO are placed with insert_resource(), so a pmem carve-out nests with the no-map
 * "reserved" entry covering it; overlapping System RAM or partially overlapping another entry
 * is a conflict. A range that conflicts is reported (printk, naming the node and the resource
 * in the way) and skipped; the rest is still inserted.
 * Return: 0; -EBUSY if some range conflicted; -ENOMEM if the pool ran out (the tree is then
 * incomplete).
 */
int iomem_init_from_bootinfo(const struct boot_info *bi, const struct iomem_range *mmio,
			     unsigned int nr_mmio);

#endif
