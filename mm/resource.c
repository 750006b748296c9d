// SPDX-License-Identifier: BSD-2-Clause
// Resource tree of the physical address space (after Linux kernel/resource.c; seed
// 001_273b8a4c6011fe55 for what memremap() needs from region_intersects_locked()).
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/ioresource.h>
#include <mm/mm_lock.h>

struct resource iomem_resource = {
	.start = 0,
	.end = ~(phys_addr_t)0,
	.name = "iomem",
	.flags = IORESOURCE_MEM,
};

/*
 * One lock for the tree and the pool (Linux: resource_lock): every CPU may claim, release and
 * look up ranges. The functions below the tree code take it and call the _locked bodies; those
 * never take it, so nothing nests. Initialised by iomem_init_from_bootinfo() (boot, one CPU)
 * and iomem_reset() (tests, nothing else using the tree).
 */
static struct mm_lock resource_lock;

static struct resource pool[IORESOURCE_POOL_SIZE];
static bool pool_used[IORESOURCE_POOL_SIZE];
static unsigned int pool_count;

static bool in_pool(const struct resource *res)
{
	return res >= pool && res < pool + IORESOURCE_POOL_SIZE;
}

static struct resource *resource_new_locked(phys_addr_t start, phys_addr_t size, const char *name,
			      unsigned long flags, unsigned long desc)
{
	if (size == 0 || start + (size - 1) < start)
		return ERR_PTR(-EINVAL);
	for (unsigned int i = 0; i < IORESOURCE_POOL_SIZE; i++) {
		if (pool_used[i])
			continue;
		pool_used[i] = true;
		pool_count++;
		pool[i] = (struct resource){
			.start = start,
			.end = start + (size - 1),
			.name = name,
			.flags = flags,
			.desc = desc,
		};
		return &pool[i];
	}
	pr_err("iomem: resource pool exhausted (%u entries) for %s\n", IORESOURCE_POOL_SIZE,
	       name ? name : "?");
	return ERR_PTR(-ENOMEM);
}

static void resource_free_locked(struct resource *res)
{
	if (!in_pool(res) || !pool_used[res - pool])
		return;
	pool_used[res - pool] = false;
	pool_count--;
}

static unsigned int resource_pool_in_use_locked(void)
{
	return pool_count;
}

static void iomem_reset_locked(void)
{
	iomem_resource.child = NULL;
	for (unsigned int i = 0; i < IORESOURCE_POOL_SIZE; i++)
		pool_used[i] = false;
	pool_count = 0;
}

static struct resource *request_resource_conflict_locked(struct resource *root,
							 struct resource *new)
{
	struct resource **p;

	if (new->end < new->start || new->start < root->start || new->end > root->end)
		return root;
	for (p = &root->child;; p = &(*p)->sibling) {
		struct resource *tmp = *p;

		if (!tmp || tmp->start > new->end) {
			new->sibling = tmp;
			new->parent = root;
			new->child = NULL;
			*p = new;
			return NULL;
		}
		if (tmp->end < new->start)
			continue;
		return tmp;
	}
}

static int request_resource_locked(struct resource *root, struct resource *new)
{
	if (new->end < new->start)
		return -EINVAL;
	return request_resource_conflict_locked(root, new) ? -EBUSY : 0;
}

/* The link that points at @old in its parent's child list, or NULL. */
static struct resource **link_to(struct resource *old)
{
	struct resource **p;

	if (!old->parent)
		return NULL;
	for (p = &old->parent->child; *p; p = &(*p)->sibling)
		if (*p == old)
			return p;
	return NULL;
}

static int release_resource_locked(struct resource *old)
{
	struct resource **p = link_to(old);

	if (!p)
		return -EINVAL;
	*p = old->sibling;
	old->sibling = NULL;
	old->parent = NULL;
	return 0;
}

static int remove_resource_locked(struct resource *old)
{
	struct resource **p = link_to(old);
	struct resource *c;

	if (!p)
		return -EINVAL;
	if (!old->child) {
		*p = old->sibling;
	} else {
		/* The children take @old's place in the (sorted) sibling list. */
		for (c = old->child;; c = c->sibling) {
			c->parent = old->parent;
			if (!c->sibling)
				break;
		}
		c->sibling = old->sibling;
		*p = old->child;
	}
	old->sibling = old->child = old->parent = NULL;
	return 0;
}

static struct resource *insert_resource_conflict_locked(struct resource *parent,
							struct resource *new)
{
	struct resource *first, *next, **p;

	if (new->end < new->start)
		return parent;
	for (;; parent = first) {
		first = request_resource_conflict_locked(parent, new);
		if (!first)
			return NULL;
		if (first == parent || first == new)
			return first;
		/* Descend only into a resource strictly containing @new. */
		if (first->start > new->start || first->end < new->end)
			break;
		if (first->start == new->start && first->end == new->end)
			break;
	}
	/* @new must wholly contain @first and every following sibling it overlaps. */
	for (next = first;; next = next->sibling) {
		if (next->start < new->start || next->end > new->end)
			return next;
		if (!next->sibling || next->sibling->start > new->end)
			break;
	}
	new->parent = parent;
	new->sibling = next->sibling;
	new->child = first;
	next->sibling = NULL;
	for (next = first; next; next = next->sibling)
		next->parent = new;
	for (p = &parent->child; *p != first; p = &(*p)->sibling)
		;
	*p = new;
	return NULL;
}

static int insert_resource_locked(struct resource *parent, struct resource *new)
{
	if (new->end < new->start)
		return -EINVAL;
	return insert_resource_conflict_locked(parent, new) ? -EBUSY : 0;
}

static struct resource *__request_region_locked(struct resource *parent, phys_addr_t start,
						phys_addr_t n,
				  const char *name, unsigned long flags)
{
	struct resource *res, *conflict;

	res = resource_new_locked(start, n, name, 0, IORES_DESC_NONE);
	if (IS_ERR(res))
		return res;
	for (;;) {
		res->flags = (parent->flags & IORESOURCE_TYPE_BITS) | flags | IORESOURCE_BUSY;
		res->desc = parent->desc;
		conflict = request_resource_conflict_locked(parent, res);
		if (!conflict)
			return res;
		if (conflict == parent || (conflict->flags & IORESOURCE_BUSY))
			break;
		parent = conflict;
	}
	/* the caller decides whether a conflict is an error (a test may claim twice on purpose) */
	pr_info("iomem: cannot claim [mem 0x%llx-0x%llx] for %s: overlaps %s [mem 0x%llx-0x%llx]\n",
	       (unsigned long long)res->start, (unsigned long long)res->end, name ? name : "?",
	       conflict->name ? conflict->name : "?", (unsigned long long)conflict->start,
	       (unsigned long long)conflict->end);
	resource_free_locked(res);
	return ERR_PTR(-EBUSY);
}

static int __release_region_locked(struct resource *parent, phys_addr_t start, phys_addr_t n)
{
	phys_addr_t end = start + n - 1;
	struct resource *p = parent->child;

	while (p && n) {
		if (p->start > start || p->end < end) {
			p = p->sibling;
			continue;
		}
		/* @p contains the range. */
		if (!(p->flags & IORESOURCE_BUSY)) {
			p = p->child;
			continue;
		}
		if (p->start != start || p->end != end)
			break;
		release_resource_locked(p);
		resource_free_locked(p);
		return 0;
	}
	pr_warn("iomem: trying to free nonexistent claim [mem 0x%llx-0x%llx]\n",
		(unsigned long long)start, (unsigned long long)end);
	return -ENOENT;
}

static struct resource *request_mem_region_locked(phys_addr_t start, phys_addr_t n,
						  const char *name)
{
	return __request_region_locked(&iomem_resource, start, n, name, 0);
}

static int release_mem_region_locked(phys_addr_t start, phys_addr_t n)
{
	return __release_region_locked(&iomem_resource, start, n);
}

static bool is_type_match(const struct resource *p, unsigned long flags, unsigned long desc)
{
	return (p->flags & flags) == flags && (desc == IORES_DESC_NONE || desc == p->desc);
}

struct intersect_state {
	unsigned long flags, desc;
	bool type, other;
};

/*
 * Classify [s, e] (inside @parent, which does not match): bytes under a matching child are
 * "type", bytes in gaps between children are "other", non-matching children are searched
 * further down.
 */
static void scan_range(const struct resource *parent, phys_addr_t s, phys_addr_t e,
		       struct intersect_state *st)
{
	phys_addr_t cur = s;
	bool done = false;

	for (const struct resource *c = parent->child; c && !done; c = c->sibling) {
		if (c->end < cur)
			continue;
		if (c->start > e)
			break;
		if (c->start > cur)
			st->other = true;
		if (is_type_match(c, st->flags, st->desc))
			st->type = true;
		else
			scan_range(c, MAX(c->start, cur), MIN(c->end, e), st);
		if (st->type && st->other)
			return;
		if (c->end >= e)
			done = true;
		else
			cur = c->end + 1;
	}
	if (!done)
		st->other = true;
}

static int region_intersects_locked(phys_addr_t start, size_t size, unsigned long flags,
				    unsigned long desc)
{
	struct intersect_state st = { .flags = flags, .desc = desc };
	phys_addr_t end = start + (phys_addr_t)size - 1;

	if (size == 0)
		return REGION_DISJOINT;
	if (end < start)
		return REGION_MIXED;
	scan_range(&iomem_resource, start, end, &st);
	if (!st.type)
		return REGION_DISJOINT;
	return st.other ? REGION_MIXED : REGION_INTERSECTS;
}

/* Depth-first successor of @p (parents before children), within the tree under @root. */
static struct resource *next_resource(struct resource *p, const struct resource *root)
{
	if (p->child)
		return p->child;
	while (!p->sibling && p->parent && p->parent != root)
		p = p->parent;
	return p->sibling;
}

static int walk_iomem_res_desc_locked(unsigned long desc, unsigned long flags, phys_addr_t start,
			phys_addr_t end, void *arg, int (*func)(struct resource *, void *))
{
	int ret = -EINVAL;

	if (end < start)
		return -EINVAL;
	for (struct resource *p = iomem_resource.child; p; p = next_resource(p, &iomem_resource)) {
		struct resource copy;

		if (p->end < start || p->start > end || !is_type_match(p, flags, desc))
			continue;
		copy = *p;
		copy.start = MAX(p->start, start);
		copy.end = MIN(p->end, end);
		copy.parent = copy.sibling = copy.child = NULL;
		ret = func(&copy, arg);
		if (ret)
			return ret;
	}
	return ret;
}

static bool iomem_range_writable_locked(phys_addr_t start, phys_addr_t size)
{
	phys_addr_t end = start + size - 1;

	if (size == 0 || end < start)
		return false;
	for (struct resource *p = iomem_resource.child; p; p = next_resource(p, &iomem_resource))
		if ((p->flags & IORESOURCE_READONLY) && p->start <= end && start <= p->end)
			return false;
	return true;
}

static int iomem_set_readonly_locked(phys_addr_t start, phys_addr_t size, bool readonly)
{
	for (struct resource *p = iomem_resource.child; p; p = next_resource(p, &iomem_resource)) {
		if (p->start != start || resource_size(p) != size)
			continue;
		if (readonly)
			p->flags |= IORESOURCE_READONLY;
		else
			p->flags &= ~(unsigned long)IORESOURCE_READONLY;
		return 0;
	}
	return -ENOENT;
}

static int walk_system_ram_res_locked(phys_addr_t start, phys_addr_t end, void *arg,
			int (*func)(struct resource *, void *))
{
	return walk_iomem_res_desc_locked(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
					  start, end, arg, func);
}

static void iomem_print_locked(void)
{
	int depth = 0;

	for (struct resource *p = iomem_resource.child; p;) {
		pr_info("%*s%08llx-%08llx : %s\n", 2 * depth, "", (unsigned long long)p->start,
			(unsigned long long)p->end, p->name ? p->name : "<BAD>");
		if (p->child) {
			p = p->child;
			depth++;
			continue;
		}
		while (!p->sibling && p->parent && p->parent != &iomem_resource) {
			p = p->parent;
			depth--;
		}
		p = p->sibling;
	}
}

/* ---- building the tree from the device tree ---- */

struct span {
	phys_addr_t start, end; /* inclusive */
};

#define MAX_RAM_SPANS (BI_MAX_MEMORY + BI_MAX_RESERVED + 1)

static const char name_ram[] = "System RAM";
static const char name_reserved[] = "reserved";
static const char name_pmem[] = "Persistent Memory";
static const char name_vmem[] = "Volatile Memory";

static bool range_to_span(uint64_t base, uint64_t size, struct span *s)
{
	if (size == 0 || base + (size - 1) < base)
		return false;
	s->start = base;
	s->end = base + (size - 1);
	return true;
}

/* Sort by start and merge overlapping or touching spans; returns the new count. */
static unsigned int merge_spans(struct span *s, unsigned int n)
{
	unsigned int out = 0;

	for (unsigned int i = 1; i < n; i++) {
		struct span key = s[i];
		unsigned int j = i;

		for (; j > 0 && s[j - 1].start > key.start; j--)
			s[j] = s[j - 1];
		s[j] = key;
	}
	for (unsigned int i = 0; i < n; i++) {
		phys_addr_t last = out ? s[out - 1].end : 0;

		if (out && (last == ~(phys_addr_t)0 || s[i].start <= last + 1)) {
			s[out - 1].end = MAX(s[out - 1].end, s[i].end);
			continue;
		}
		s[out++] = s[i];
	}
	return out;
}

/* Take [cut.start, cut.end] out of the spans; returns the new count (bounded by @cap). */
static unsigned int subtract_span(struct span *s, unsigned int n, unsigned int cap, struct span cut)
{
	for (unsigned int i = 0; i < n; i++) {
		if (s[i].end < cut.start || s[i].start > cut.end)
			continue;
		if (s[i].start < cut.start && s[i].end > cut.end) {
			if (n == cap)
				return n; /* cannot happen: cap counts one split per cut */
			for (unsigned int j = n; j > i + 1; j--)
				s[j] = s[j - 1];
			s[i + 1].start = cut.end + 1;
			s[i + 1].end = s[i].end;
			s[i].end = cut.start - 1;
			n++;
			i++;
		} else if (s[i].start >= cut.start && s[i].end <= cut.end) {
			for (unsigned int j = i; j + 1 < n; j++)
				s[j] = s[j + 1];
			n--;
			i--;
		} else if (s[i].start < cut.start) {
			s[i].end = cut.start - 1;
		} else {
			s[i].start = cut.end + 1;
		}
	}
	return n;
}

/*
 * Insert [start, end] directly below @root in the pieces not already taken by its children
 * (Linux __reserve_region_with_split()). Pieces wholly covered are dropped.
 * Return: 0 or -ENOMEM.
 */
static int reserve_with_split(struct resource *root, phys_addr_t start, phys_addr_t end,
			      const char *name, unsigned long flags, unsigned long desc)
{
	phys_addr_t cur = MAX(start, root->start);

	end = MIN(end, root->end);
	while (cur <= end) {
		phys_addr_t piece_end = end;
		struct resource *c, *res;

		/* Skip children covering @cur; stop the piece at the next child. */
		for (c = root->child; c; c = c->sibling) {
			if (c->end < cur)
				continue;
			if (c->start <= cur) {
				if (c->end >= end)
					return 0;
				cur = c->end + 1;
				continue;
			}
			piece_end = MIN(end, c->start - 1);
			break;
		}
		res = resource_new_locked(cur, piece_end - cur + 1, name, flags, desc);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (request_resource_conflict_locked(root, res)) {
			resource_free_locked(res); /* cannot happen: the piece lies in a gap */
			return -EBUSY;
		}
		if (piece_end == end)
			break;
		cur = piece_end + 1;
	}
	return 0;
}

/* Insert a pmem or MMIO range (never inside System RAM); report a conflict by @node. */
static int add_range(phys_addr_t base, phys_addr_t size, const char *name, const char *node,
		     unsigned long flags, unsigned long desc)
{
	struct resource *res, *conflict;

	res = resource_new_locked(base, size, name, flags, desc);
	if (IS_ERR(res)) {
		if (PTR_ERR(res) == -EINVAL) {
			pr_err("iomem: %s: range 0x%llx+0x%llx is empty or wraps, ignored\n", node,
			       (unsigned long long)base, (unsigned long long)size);
			return -EBUSY;
		}
		return PTR_ERR(res);
	}
	/* Device memory never nests in System RAM (insert_resource() alone would allow it). */
	conflict = NULL;
	for (struct resource *p = iomem_resource.child; p && !conflict; p = p->sibling)
		if ((p->flags & IORESOURCE_SYSRAM) && p->start <= res->end && res->start <= p->end)
			conflict = p;
	if (!conflict)
		conflict = insert_resource_conflict_locked(&iomem_resource, res);
	if (!conflict)
		return 0;
	pr_err("iomem: %s: %s [mem 0x%llx-0x%llx] conflicts with %s [mem 0x%llx-0x%llx], ignored\n",
	       node, node == name ? "MMIO" : name, (unsigned long long)res->start,
	       (unsigned long long)res->end,
	       conflict->name ? conflict->name : "?", (unsigned long long)conflict->start,
	       (unsigned long long)conflict->end);
	resource_free_locked(res);
	return -EBUSY;
}

static int iomem_init_from_bootinfo_locked(const struct boot_info *bi,
					   const struct iomem_range *mmio,
			     unsigned int nr_mmio)
{
	struct span ram[MAX_RAM_SPANS], s;
	unsigned int nr_ram = 0;
	int ret = 0, err;

	iomem_reset_locked();

	for (int i = 0; i < bi->nr_memory && i < BI_MAX_MEMORY; i++)
		if (range_to_span(bi->memory[i].base, bi->memory[i].size, &s))
			ram[nr_ram++] = s;
	nr_ram = merge_spans(ram, nr_ram);
	for (int i = 0; i < bi->nr_reserved && i < BI_MAX_RESERVED; i++)
		if (bi->reserved[i].no_map &&
		    range_to_span(bi->reserved[i].base, bi->reserved[i].size, &s))
			nr_ram = subtract_span(ram, nr_ram, MAX_RAM_SPANS, s);
	for (unsigned int i = 0; i < nr_ram; i++) {
		err = add_range(ram[i].start, ram[i].end - ram[i].start + 1, name_ram, "memory",
				IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_NONE);
		if (err == -ENOMEM)
			return err;
	}

	/* No-map ranges: top level, merged with each other by splitting around what exists. */
	for (int i = 0; i < bi->nr_reserved && i < BI_MAX_RESERVED; i++) {
		const struct bi_range *r = &bi->reserved[i];

		if (!r->no_map || !range_to_span(r->base, r->size, &s))
			continue;
		err = reserve_with_split(&iomem_resource, s.start, s.end, name_reserved,
					 IORESOURCE_MEM, IORES_DESC_RESERVED);
		if (err)
			return err;
	}

	/* Mapped reserved ranges: nested in each RAM entry they touch, the rest at top level. */
	for (int i = 0; i < bi->nr_reserved && i < BI_MAX_RESERVED; i++) {
		const struct bi_range *r = &bi->reserved[i];

		if (r->no_map || !range_to_span(r->base, r->size, &s))
			continue;
		for (struct resource *p = iomem_resource.child; p; p = p->sibling) {
			if (p->end < s.start || p->start > s.end || p->name != name_ram)
				continue;
			err = reserve_with_split(p, s.start, s.end, name_reserved,
						 IORESOURCE_MEM | IORESOURCE_BUSY,
						 IORES_DESC_RESERVED);
			if (err)
				return err;
		}
		err = reserve_with_split(&iomem_resource, s.start, s.end, name_reserved,
					 IORESOURCE_MEM | IORESOURCE_BUSY, IORES_DESC_RESERVED);
		if (err)
			return err;
	}

	for (int i = 0; i < bi->nr_pmem && i < BI_MAX_PMEM; i++) {
		const struct bi_range *r = &bi->pmem[i];

		if (r->is_volatile)
			err = add_range(r->base, r->size, name_vmem, r->node, IORESOURCE_MEM,
					IORES_DESC_SOFT_RESERVED);
		else
			err = add_range(r->base, r->size, name_pmem, r->node,
					IORESOURCE_MEM | IORESOURCE_READONLY,
					IORES_DESC_PERSISTENT_MEMORY);
		if (err == -ENOMEM)
			return err;
		if (err)
			ret = err;
	}

	for (unsigned int i = 0; i < nr_mmio; i++) {
		err = add_range(mmio[i].base, mmio[i].size, mmio[i].name, mmio[i].name,
				IORESOURCE_MEM, IORES_DESC_NONE);
		if (err == -ENOMEM)
			return err;
		if (err)
			ret = err;
	}
	return ret;
}

/* ---- the entry points: each takes the lock around its _locked body ---- */

#define LOCKED(type, call)                                                                 \
	do {                                                                               \
		unsigned long irq_ = mm_lock(&resource_lock);                              \
		type ret_ = call;                                                          \
		mm_unlock(&resource_lock, irq_);                                           \
		return ret_;                                                               \
	} while (0)

struct resource *resource_new(phys_addr_t start, phys_addr_t size, const char *name,
			      unsigned long flags, unsigned long desc)
{
	LOCKED(struct resource *, resource_new_locked(start, size, name, flags, desc));
}

void resource_free(struct resource *res)
{
	unsigned long irq = mm_lock(&resource_lock);

	resource_free_locked(res);
	mm_unlock(&resource_lock, irq);
}

unsigned int resource_pool_in_use(void)
{
	LOCKED(unsigned int, resource_pool_in_use_locked());
}

void iomem_reset(void)
{
	unsigned long irq;

	mm_lock_init(&resource_lock);
	irq = mm_lock(&resource_lock);

	iomem_reset_locked();
	mm_unlock(&resource_lock, irq);
}

struct resource *request_resource_conflict(struct resource *root, struct resource *new)
{
	LOCKED(struct resource *, request_resource_conflict_locked(root, new));
}

int request_resource(struct resource *root, struct resource *new)
{
	LOCKED(int, request_resource_locked(root, new));
}

int release_resource(struct resource *old)
{
	LOCKED(int, release_resource_locked(old));
}

int remove_resource(struct resource *old)
{
	LOCKED(int, remove_resource_locked(old));
}

struct resource *insert_resource_conflict(struct resource *parent, struct resource *new)
{
	LOCKED(struct resource *, insert_resource_conflict_locked(parent, new));
}

int insert_resource(struct resource *parent, struct resource *new)
{
	LOCKED(int, insert_resource_locked(parent, new));
}

struct resource *__request_region(struct resource *parent, phys_addr_t start, phys_addr_t n,
				  const char *name, unsigned long flags)
{
	LOCKED(struct resource *, __request_region_locked(parent, start, n, name, flags));
}

int __release_region(struct resource *parent, phys_addr_t start, phys_addr_t n)
{
	LOCKED(int, __release_region_locked(parent, start, n));
}

struct resource *request_mem_region(phys_addr_t start, phys_addr_t n, const char *name)
{
	LOCKED(struct resource *, request_mem_region_locked(start, n, name));
}

int release_mem_region(phys_addr_t start, phys_addr_t n)
{
	LOCKED(int, release_mem_region_locked(start, n));
}

int region_intersects(phys_addr_t start, size_t size, unsigned long flags, unsigned long desc)
{
	LOCKED(int, region_intersects_locked(start, size, flags, desc));
}

int walk_iomem_res_desc(unsigned long desc, unsigned long flags, phys_addr_t start,
			phys_addr_t end, void *arg, int (*func)(struct resource *, void *))
{
	LOCKED(int, walk_iomem_res_desc_locked(desc, flags, start, end, arg, func));
}

bool iomem_range_writable(phys_addr_t start, phys_addr_t size)
{
	LOCKED(bool, iomem_range_writable_locked(start, size));
}

int iomem_set_readonly(phys_addr_t start, phys_addr_t size, bool readonly)
{
	LOCKED(int, iomem_set_readonly_locked(start, size, readonly));
}

int walk_system_ram_res(phys_addr_t start, phys_addr_t end, void *arg,
			int (*func)(struct resource *, void *))
{
	LOCKED(int, walk_system_ram_res_locked(start, end, arg, func));
}

void iomem_print(void)
{
	unsigned long irq = mm_lock(&resource_lock);

	iomem_print_locked();
	mm_unlock(&resource_lock, irq);
}

int iomem_init_from_bootinfo(const struct boot_info *bi, const struct iomem_range *mmio,
			     unsigned int nr_mmio)
{
	mm_lock_init(&resource_lock);
	LOCKED(int, iomem_init_from_bootinfo_locked(bi, mmio, nr_mmio));
}
