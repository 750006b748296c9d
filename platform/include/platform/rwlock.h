// SPDX-License-Identifier: BSD-2-Clause
// Reader-writer spinlock that does not starve writers: a count word plus a ticket spinlock that
// queues the slow paths in FIFO order. Mirrors Linux include/asm-generic/qrwlock.h and
// kernel/locking/qrwlock.c.
#ifndef ZONEDEV_PLATFORM_RWLOCK_H
#define ZONEDEV_PLATFORM_RWLOCK_H

#include <platform/atomic.h>
#include <platform/spinlock.h>
#include <platform/types.h>

#include <arch/processor.h>

/*
 * rwlock_t.cnts:
 *
 *   31                       9    8    7          0
 *  +--------------------------+-----+------------+
 *  |       reader count       |  W  |   locked   |
 *  +--------------------------+-----+------------+
 *
 * locked (0xff) is set by the writer holding the lock, W by a writer waiting for the readers to
 * drain. A reader whose fast path finds either bit set backs out and queues on wait_lock behind
 * the writer, so once a writer waits no new reader gets in: writers are not starved, and
 * everybody who reaches wait_lock is served in FIFO order.
 */
#define QW_LOCKED 0x0ffU
#define QW_WAITING 0x100U
#define QW_WMASK 0x1ffU
#define QR_SHIFT 9
#define QR_BIAS (1U << QR_SHIFT)

/**
 * struct rwlock - reader-writer lock (use through rwlock_t)
 * @cnts: reader count and writer bits, see above
 * @wait_lock: queue for the slow paths
 * @magic: SPINLOCK_MAGIC once initialised (CONFIG_DEBUG_SPINLOCK only)
 * @owner_cpu: CPU holding it for writing, SPINLOCK_OWNER_NONE otherwise (debug only)
 *
 * Differs from Linux: readers always queue behind a waiting writer, also in interrupt context
 * (Linux lets an interrupt-context reader in, so that a reader interrupted by a nested reader
 * cannot deadlock). Never take a read lock in a handler that may interrupt a holder of it.
 */
typedef struct rwlock {
	atomic_t cnts;
	spinlock_t wait_lock;
#ifdef CONFIG_DEBUG_SPINLOCK
	unsigned int magic;
	unsigned int owner_cpu;
#endif
} rwlock_t;

#ifdef CONFIG_DEBUG_SPINLOCK
#define __RW_LOCK_UNLOCKED(name)                                                        \
	{ .cnts = ATOMIC_INIT(0), .wait_lock = __SPIN_LOCK_UNLOCKED(name.wait_lock),      \
	  .magic = SPINLOCK_MAGIC, .owner_cpu = SPINLOCK_OWNER_NONE }
#else
#define __RW_LOCK_UNLOCKED(name) \
	{ .cnts = ATOMIC_INIT(0), .wait_lock = __SPIN_LOCK_UNLOCKED(name.wait_lock) }
#endif

/** DEFINE_RWLOCK() - define and initialise an unlocked rwlock @x. */
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED(x)

/** queued_read_lock_slowpath() - queue behind a writer (out of line: the contended case). */
void queued_read_lock_slowpath(rwlock_t *lock);
/** queued_write_lock_slowpath() - queue, then wait for the readers to drain. */
void queued_write_lock_slowpath(rwlock_t *lock);

#ifdef CONFIG_DEBUG_SPINLOCK
void rwlock_write_locked_debug(rwlock_t *lock);
bool rwlock_write_unlock_debug(rwlock_t *lock);
bool rwlock_read_unlock_debug(rwlock_t *lock);
bool rwlock_check_debug(rwlock_t *lock, const char *op, bool blocking);
#endif

/** rwlock_init() - initialise @lock as unlocked. */
static inline void rwlock_init(rwlock_t *lock)
{
	*lock = (rwlock_t)__RW_LOCK_UNLOCKED(*lock);
}

/**
 * read_trylock() - take @lock for reading if no writer holds or waits for it
 * Return: true if taken (acquire ordering).
 */
static inline bool read_trylock(rwlock_t *lock)
{
	unsigned int cnts = atomic_read(&lock->cnts);

#ifdef CONFIG_DEBUG_SPINLOCK
	if (!rwlock_check_debug(lock, "read_trylock", false))
		return false;
#endif
	if (!(cnts & QW_WMASK)) {
		cnts = atomic_add_return_acquire(QR_BIAS, &lock->cnts);
		if (__builtin_expect(!(cnts & QW_WMASK), 1))
			return true;
		atomic_sub(QR_BIAS, &lock->cnts);
	}
	return false;
}

/**
 * read_lock() - take @lock for reading; waits while a writer holds it or waits for it
 *
 * Acquire ordering. Readers share the lock. A CPU must not read_lock() a lock it already
 * read-holds if a writer may queue in between (the writer waits for the first hold, the second
 * waits for the writer).
 */
static inline void read_lock(rwlock_t *lock)
{
	unsigned int cnts;

#ifdef CONFIG_DEBUG_SPINLOCK
	if (!rwlock_check_debug(lock, "read_lock", true))
		return;
#endif
	cnts = atomic_add_return_acquire(QR_BIAS, &lock->cnts);
	if (__builtin_expect(!(cnts & QW_WMASK), 1))
		return;
	queued_read_lock_slowpath(lock);
}

/** read_unlock() - drop a read hold of @lock (release ordering). */
static inline void read_unlock(rwlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	if (!rwlock_read_unlock_debug(lock))
		return;
#endif
	atomic_fetch_sub_release(QR_BIAS, &lock->cnts);
}

/**
 * write_trylock() - take @lock for writing if nobody holds or waits for it
 * Return: true if taken (acquire ordering).
 */
static inline bool write_trylock(rwlock_t *lock)
{
	int cnts = atomic_read(&lock->cnts);

#ifdef CONFIG_DEBUG_SPINLOCK
	if (!rwlock_check_debug(lock, "write_trylock", false))
		return false;
#endif
	if (cnts)
		return false;
	if (!atomic_try_cmpxchg_acquire(&lock->cnts, &cnts, QW_LOCKED))
		return false;
#ifdef CONFIG_DEBUG_SPINLOCK
	rwlock_write_locked_debug(lock);
#endif
	return true;
}

/**
 * write_lock() - take @lock exclusively; new readers queue behind this writer
 *
 * Acquire ordering. Debugging reports a CPU write-locking a lock it already write-holds.
 */
static inline void write_lock(rwlock_t *lock)
{
	int cnts = 0;

#ifdef CONFIG_DEBUG_SPINLOCK
	if (!rwlock_check_debug(lock, "write_lock", true))
		return;
#endif
	if (!__builtin_expect(atomic_try_cmpxchg_acquire(&lock->cnts, &cnts, QW_LOCKED), 1))
		queued_write_lock_slowpath(lock);
#ifdef CONFIG_DEBUG_SPINLOCK
	rwlock_write_locked_debug(lock);
#endif
}

/**
 * write_unlock() - release @lock, write-held by this CPU (release ordering)
 */
static inline void write_unlock(rwlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	if (!rwlock_write_unlock_debug(lock))
		return;
#endif
	atomic_fetch_sub_release(QW_LOCKED, &lock->cnts);
}

/**
 * read_lock_irqsave() / write_lock_irqsave() - mask interrupts, saving their state in @flags,
 * then take @lock. Macros, as in Linux.
 */
#define read_lock_irqsave(lock, flags)               \
	do {                                         \
		(flags) = arch_local_irq_save();     \
		read_lock(lock);                     \
	} while (0)
#define write_lock_irqsave(lock, flags)              \
	do {                                         \
		(flags) = arch_local_irq_save();     \
		write_lock(lock);                    \
	} while (0)

/** read_unlock_irqrestore() - drop the read hold, then restore the interrupt state @flags. */
static inline void read_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
	read_unlock(lock);
	arch_local_irq_restore(flags);
}

/** write_unlock_irqrestore() - release the lock, then restore the interrupt state @flags. */
static inline void write_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
	write_unlock(lock);
	arch_local_irq_restore(flags);
}

/** rwlock_is_write_locked() - whether a writer holds @lock (a snapshot, for assertions). */
static inline bool rwlock_is_write_locked(rwlock_t *lock)
{
	return (atomic_read(&lock->cnts) & QW_LOCKED) == QW_LOCKED;
}

/** rwlock_readers() - how many readers hold @lock (a snapshot, for assertions). */
static inline unsigned int rwlock_readers(rwlock_t *lock)
{
	return (unsigned int)atomic_read(&lock->cnts) >> QR_SHIFT;
}

#endif
