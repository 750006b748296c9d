// SPDX-License-Identifier: BSD-2-Clause
// The memory-type tracker (see <mm/memtype.h>): reservations in an array sorted by start, so a
// conflict check looks only at the entries that can overlap. A few device ranges and a few
// dozen memremap() mappings are all a board has; a fixed array needs no allocator.
#include <string.h>

#include <platform/errno.h>
#include <platform/printk.h>

#include <mm/memtype.h>
#include <mm/mm_lock.h>

struct memtype_entry {
	phys_addr_t start, end;
	enum memremap_type type;
	const char *owner;
};

static struct {
	struct mm_lock lock; /* initialised by memtype_reset() (memremap_init() at boot) */
	unsigned int nr;
	struct memtype_entry e[MEMTYPE_MAX];
} mt;

const char *memtype_name(enum memremap_type type)
{
	switch (type) {
	case MEMREMAP_TYPE_WB:
		return "write-back";
	case MEMREMAP_TYPE_WT:
		return "write-through";
	case MEMREMAP_TYPE_NC:
		return "non-cacheable";
	}
	return "?";
}

/* First entry that overlaps [@start, @end) with a type other than @type, or NULL. */
static const struct memtype_entry *conflict_locked(phys_addr_t start, phys_addr_t end,
						  enum memremap_type type)
{
	/* sorted by start: entries from the first one starting at or after @end cannot overlap */
	for (unsigned int i = 0; i < mt.nr && mt.e[i].start < end; i++)
		if (mt.e[i].end > start && mt.e[i].type != type)
			return &mt.e[i];
	return NULL;
}

int memtype_check(phys_addr_t start, phys_addr_t end, enum memremap_type type,
		  enum memremap_type *conflict)
{
	const struct memtype_entry *c;
	unsigned long flags;
	int ret = 0;

	if (start >= end)
		return -EINVAL;
	flags = mm_lock(&mt.lock);
	c = conflict_locked(start, end, type);
	if (c) {
		if (conflict)
			*conflict = c->type;
		ret = -EBUSY;
	} else if (mt.nr == MEMTYPE_MAX) {
		ret = -ENOSPC;
	}
	mm_unlock(&mt.lock, flags);
	return ret;
}

int memtype_reserve(phys_addr_t start, phys_addr_t end, enum memremap_type type,
		    const char *owner)
{
	struct memtype_entry c = { 0 };
	const struct memtype_entry *found;
	unsigned long flags;
	unsigned int at;
	int ret = 0;

	if (start >= end)
		return -EINVAL;
	flags = mm_lock(&mt.lock);
	found = conflict_locked(start, end, type);
	if (found) {
		c = *found;
		ret = -EBUSY;
	} else if (mt.nr == MEMTYPE_MAX) {
		ret = -ENOSPC;
	} else {
		for (at = 0; at < mt.nr && mt.e[at].start <= start; at++)
			;
		memmove(&mt.e[at + 1], &mt.e[at], (mt.nr - at) * sizeof(mt.e[0]));
		mt.e[at] = (struct memtype_entry){ start, end, type, owner };
		mt.nr++;
	}
	mm_unlock(&mt.lock, flags);
	if (ret == -EBUSY)
		pr_err("memtype: [mem 0x%016llx-0x%016llx] %s for %s refused: [mem 0x%016llx-"
		       "0x%016llx] is mapped %s by %s (one memory type per page)\n",
		       (unsigned long long)start, (unsigned long long)(end - 1), memtype_name(type),
		       owner ? owner : "?", (unsigned long long)c.start,
		       (unsigned long long)(c.end - 1), memtype_name(c.type),
		       c.owner ? c.owner : "?");
	else if (ret == -ENOSPC)
		pr_err("memtype: [mem 0x%016llx-0x%016llx]: more than %d reservations\n",
		       (unsigned long long)start, (unsigned long long)(end - 1), MEMTYPE_MAX);
	return ret;
}

int memtype_free(phys_addr_t start, phys_addr_t end)
{
	unsigned long flags = mm_lock(&mt.lock);
	int ret = -ENOENT;

	for (unsigned int i = 0; i < mt.nr && mt.e[i].start <= start; i++) {
		if (mt.e[i].start == start && mt.e[i].end == end) {
			memmove(&mt.e[i], &mt.e[i + 1], (mt.nr - i - 1) * sizeof(mt.e[0]));
			mt.nr--;
			ret = 0;
			break;
		}
	}
	mm_unlock(&mt.lock, flags);
	if (ret)
		pr_err("memtype: free of [mem 0x%016llx-0x%016llx], which is not reserved\n",
		       (unsigned long long)start, (unsigned long long)(end - 1));
	return ret;
}

unsigned int memtype_count(void)
{
	unsigned long flags = mm_lock(&mt.lock);
	unsigned int n = mt.nr;

	mm_unlock(&mt.lock, flags);
	return n;
}

void memtype_reset(void)
{
	mm_lock_init(&mt.lock);
	mt.nr = 0;
}
