// SPDX-License-Identifier: BSD-2-Clause
// Ticket spinlocks: FIFO-fair, 32 bits, with optional lock debugging (CONFIG_DEBUG_SPINLOCK).
// Mirrors Linux include/asm-generic/ticket_spinlock.h, include/linux/spinlock.h and
// kernel/locking/spinlock_debug.c.
#ifndef ZONEDEV_PLATFORM_SPINLOCK_H
#define ZONEDEV_PLATFORM_SPINLOCK_H

#include <platform/atomic.h>
#include <platform/types.h>

#include <arch/processor.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "spinlock_t packs its two tickets for a little-endian CPU"
#endif

/*
 * The lock word:
 *
 *   31            16 15             0
 *  +----------------+----------------+
 *  |      next      |     owner      |
 *  +----------------+----------------+
 *
 * spin_lock() takes a ticket with one 32-bit fetch_add on the word (next++) and waits until
 * owner equals it; spin_unlock() is a 16-bit store-release of owner + 1 by the holder, the only
 * writer of owner. Waiters are served in ticket order (FIFO). Only the 32-bit RMW is atomic:
 * riscv64 has no halfword AMO.
 */
#define TICKET_SHIFT 16
#define TICKET_NEXT (1U << TICKET_SHIFT)

/* spinlock_t.magic when CONFIG_DEBUG_SPINLOCK: catches locks never initialised. */
#define SPINLOCK_MAGIC 0xdead4eadU
/* spinlock_t.owner_cpu of a lock nobody holds. */
#define SPINLOCK_OWNER_NONE 0xffffffffU

/**
 * struct spinlock - ticket spinlock (use through spinlock_t)
 * @val: the whole lock word, for the fetch_add and the trylock cmpxchg
 * @tickets: its halves: @tickets.owner is the ticket being served, @tickets.next the next to give
 * @magic: SPINLOCK_MAGIC once initialised (CONFIG_DEBUG_SPINLOCK only)
 * @owner_cpu: CPU holding it, SPINLOCK_OWNER_NONE if free (CONFIG_DEBUG_SPINLOCK only)
 * @contended: acquisitions that had to wait (CONFIG_DEBUG_SPINLOCK only)
 *
 * Differs from Linux: a typedef'd struct as in Linux, despite STYLE 2.3, because every user
 * knows it as spinlock_t; no raw_spinlock_t (nothing here sleeps), no lockdep classes.
 */
typedef struct spinlock {
	union {
		uint32_t val;
		struct {
			uint16_t owner;
			uint16_t next;
		} tickets;
	};
#ifdef CONFIG_DEBUG_SPINLOCK
	unsigned int magic;
	unsigned int owner_cpu;
	unsigned long contended;
#endif
} spinlock_t;

#ifdef CONFIG_DEBUG_SPINLOCK
#define __SPIN_LOCK_UNLOCKED(name) \
	{ .val = 0, .magic = SPINLOCK_MAGIC, .owner_cpu = SPINLOCK_OWNER_NONE, .contended = 0 }
#else
#define __SPIN_LOCK_UNLOCKED(name) { .val = 0 }
#endif

/** DEFINE_SPINLOCK() - define and initialise an unlocked spinlock @x. */
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

/**
 * spinlock_bug_hook - called when lock debugging finds a misuse
 * @msg: what went wrong, e.g. "spin_lock: recursion on lock 0x... held by cpu 1"
 * @lock: the lock concerned
 *
 * Defaults to a function that panics with @msg. Host tests point it at a recorder; when the hook
 * returns, the faulty operation is skipped: a recursive lock returns with the lock still held
 * once, a bad unlock leaves the lock as it was.
 */
extern void (*spinlock_bug_hook)(const char *msg, void *lock);

/**
 * spinlock_contended_total - acquisitions of any spinlock or rwlock wait queue that had to wait
 * (read for benchmarks; always counted, the count is only touched on the slow path).
 */
extern atomic_long_t spinlock_contended_total;

/**
 * spin_lock_slowpath() - wait for @ticket to be served (out of line: the contended case)
 * @lock: lock whose ticket @ticket the caller already took
 * @ticket: the caller's ticket
 */
void spin_lock_slowpath(spinlock_t *lock, uint16_t ticket);

/** arch_spin_lock() - take @lock without debugging checks. */
static inline void arch_spin_lock(spinlock_t *lock)
{
	uint32_t old = __atomic_fetch_add(&lock->val, TICKET_NEXT, __ATOMIC_ACQUIRE);
	uint16_t ticket = old >> TICKET_SHIFT;

	if (__builtin_expect(ticket == (uint16_t)old, 1))
		return;
	spin_lock_slowpath(lock, ticket);
}

/** arch_spin_trylock() - take @lock if it is free, without debugging checks. */
static inline bool arch_spin_trylock(spinlock_t *lock)
{
	uint32_t old = __atomic_load_n(&lock->val, __ATOMIC_RELAXED);

	if ((old >> TICKET_SHIFT) != (old & 0xffff))
		return false;
	return __atomic_compare_exchange_n(&lock->val, &old, old + TICKET_NEXT, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/** arch_spin_unlock() - serve the next ticket, without debugging checks. */
static inline void arch_spin_unlock(spinlock_t *lock)
{
	uint16_t owner = __atomic_load_n(&lock->tickets.owner, __ATOMIC_RELAXED);

	__atomic_store_n(&lock->tickets.owner, (uint16_t)(owner + 1), __ATOMIC_RELEASE);
}

#ifdef CONFIG_DEBUG_SPINLOCK
void spin_lock_debug(spinlock_t *lock);
bool spin_trylock_debug(spinlock_t *lock);
void spin_unlock_debug(spinlock_t *lock);
#endif

/**
 * spin_lock_init() - initialise @lock as unlocked (for locks not made by DEFINE_SPINLOCK()).
 */
static inline void spin_lock_init(spinlock_t *lock)
{
	*lock = (spinlock_t)__SPIN_LOCK_UNLOCKED(*lock);
}

/**
 * spin_lock() - take @lock, spinning until it is this CPU's turn (FIFO among waiters)
 *
 * Acquire ordering: the critical section cannot move before it. Must not be held already by
 * this CPU (debugging reports recursion). Does not mask interrupts: use spin_lock_irqsave() for
 * a lock also taken by an interrupt handler.
 */
static inline void spin_lock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	spin_lock_debug(lock);
#else
	arch_spin_lock(lock);
#endif
}

/**
 * spin_trylock() - take @lock only if nobody holds it or waits for it
 * Return: true if taken (acquire ordering), false otherwise.
 */
static inline bool spin_trylock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	return spin_trylock_debug(lock);
#else
	return arch_spin_trylock(lock);
#endif
}

/**
 * spin_unlock() - release @lock, held by this CPU, to the next waiter
 *
 * Release ordering: the critical section cannot move after it. Debugging reports unlocking a
 * lock that is free or held by another CPU.
 */
static inline void spin_unlock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	spin_unlock_debug(lock);
#else
	arch_spin_unlock(lock);
#endif
}

/**
 * spin_is_locked() - whether someone holds @lock (a snapshot, for assertions only).
 */
static inline bool spin_is_locked(spinlock_t *lock)
{
	uint32_t v = __atomic_load_n(&lock->val, __ATOMIC_RELAXED);

	return (v >> TICKET_SHIFT) != (v & 0xffff);
}

/**
 * spin_is_contended() - whether CPUs are waiting for @lock besides its holder (a snapshot).
 */
static inline bool spin_is_contended(spinlock_t *lock)
{
	uint32_t v = __atomic_load_n(&lock->val, __ATOMIC_RELAXED);

	return (uint16_t)((v >> TICKET_SHIFT) - (v & 0xffff)) > 1;
}

/**
 * spin_lock_irqsave() - mask interrupts on this CPU, saving their state in @flags, then take
 * @lock. A macro, as in Linux: @flags is an unsigned long lvalue.
 */
#define spin_lock_irqsave(lock, flags)               \
	do {                                         \
		(flags) = arch_local_irq_save();     \
		spin_lock(lock);                     \
	} while (0)

/**
 * spin_trylock_irqsave() - mask interrupts and try to take @lock; on failure the interrupt
 * state is restored. Return: true if taken.
 */
#define spin_trylock_irqsave(lock, flags)                              \
	({                                                             \
		bool __taken;                                          \
		(flags) = arch_local_irq_save();                       \
		__taken = spin_trylock(lock);                          \
		if (!__taken)                                          \
			arch_local_irq_restore(flags);                 \
		__taken;                                               \
	})

/** spin_unlock_irqrestore() - release @lock, then restore the interrupt state @flags. */
static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock(lock);
	arch_local_irq_restore(flags);
}

/** spin_lock_irq() - mask interrupts on this CPU, then take @lock (they must be enabled). */
static inline void spin_lock_irq(spinlock_t *lock)
{
	arch_local_irq_disable();
	spin_lock(lock);
}

/** spin_unlock_irq() - release @lock, then unmask interrupts on this CPU. */
static inline void spin_unlock_irq(spinlock_t *lock)
{
	spin_unlock(lock);
	arch_local_irq_enable();
}

#endif
