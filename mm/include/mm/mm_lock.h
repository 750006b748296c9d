// SPDX-License-Identifier: BSD-2-Clause
// Locks inside mm/ without naming the platform's lock type: the kernel installs spinlock-based
// operations at boot (platform/common/mm_lock_ops.c); host unit tests, single-threaded, run with
// none, so mm/ still builds and is tested natively.
#ifndef ZONEDEV_MM_MM_LOCK_H
#define ZONEDEV_MM_MM_LOCK_H

#include <platform/types.h>

/** struct mm_lock - storage for one platform lock (a spinlock_t fits; checked where it is made) */
struct mm_lock {
	unsigned long opaque[4];
};

/**
 * struct mm_lock_ops - what a lock does
 * @init: make @l an unlocked lock
 * @lock: take it with interrupts off; returns what @unlock needs
 * @unlock: release it and restore interrupts
 */
struct mm_lock_ops {
	void (*init)(struct mm_lock *l);
	unsigned long (*lock)(struct mm_lock *l);
	void (*unlock)(struct mm_lock *l, unsigned long flags);
};

extern const struct mm_lock_ops *mm_lock_ops;

/** mm_set_lock_ops() - install the lock operations; before any mm object is initialised. */
void mm_set_lock_ops(const struct mm_lock_ops *ops);

static inline void mm_lock_init(struct mm_lock *l)
{
	if (mm_lock_ops)
		mm_lock_ops->init(l);
}

static inline unsigned long mm_lock(struct mm_lock *l)
{
	return mm_lock_ops ? mm_lock_ops->lock(l) : 0;
}

static inline void mm_unlock(struct mm_lock *l, unsigned long flags)
{
	if (mm_lock_ops)
		mm_lock_ops->unlock(l, flags);
}

#endif
