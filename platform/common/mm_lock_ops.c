// SPDX-License-Identifier: BSD-2-Clause
// mm/'s locks are the platform's ticket spinlocks, taken with interrupts off.
#include <platform/spinlock.h>
#include <mm/mm_lock.h>

_Static_assert(sizeof(spinlock_t) <= sizeof(struct mm_lock), "struct mm_lock too small");

static void lock_init(struct mm_lock *l)
{
	spin_lock_init((spinlock_t *)l);
}

static unsigned long lock_lock(struct mm_lock *l)
{
	unsigned long flags;

	spin_lock_irqsave((spinlock_t *)l, flags);
	return flags;
}

static void lock_unlock(struct mm_lock *l, unsigned long flags)
{
	spin_unlock_irqrestore((spinlock_t *)l, flags);
}

static const struct mm_lock_ops spinlock_ops = { lock_init, lock_lock, lock_unlock };

void mm_locks_init(void);

void mm_locks_init(void)
{
	mm_set_lock_ops(&spinlock_ops);
}
