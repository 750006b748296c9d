// SPDX-License-Identifier: BSD-2-Clause
// Out-of-line halves of the locks: contended slow paths, the rwlock queueing of Linux
// kernel/locking/qrwlock.c, and the CONFIG_DEBUG_SPINLOCK checks of
// kernel/locking/spinlock_debug.c.
#include <platform/atomic.h>
#include <platform/panic.h>
#include <platform/printk.h>
#include <platform/rwlock.h>
#include <platform/smp.h>
#include <platform/spinlock.h>

#include <arch/processor.h>

static void spin_bug_panic(const char *msg, void *lock)
{
	(void)lock;
	panic("%s", msg);
}

void (*spinlock_bug_hook)(const char *msg, void *lock) = spin_bug_panic;

atomic_long_t spinlock_contended_total = ATOMIC_LONG_INIT(0);

/*
 * Spins of a ticket waiter before it yields its CPU. Ahead of it in line may be a vCPU the host
 * has descheduled (more vCPUs than host cores): spinning on then only keeps that one off a core,
 * and each handoff of the lock waits for a host time slice (minutes for a few thousand handoffs
 * with 8 vCPUs on 2 cores). Yielding costs a waiter at most the arch's short sleep.
 */
#define SPINS_BEFORE_YIELD 256

void spin_lock_slowpath(spinlock_t *lock, uint16_t ticket)
{
	unsigned int spins = 0;

	atomic_long_inc(&spinlock_contended_total);
#ifdef CONFIG_DEBUG_SPINLOCK
	__atomic_fetch_add(&lock->contended, 1, __ATOMIC_RELAXED);
#endif
	while (__atomic_load_n(&lock->tickets.owner, __ATOMIC_ACQUIRE) != ticket) {
		if (++spins < SPINS_BEFORE_YIELD) {
			cpu_relax();
		} else {
			spins = 0;
			arch_cpu_yield();
		}
	}
}

void queued_read_lock_slowpath(rwlock_t *lock)
{
	/* Back out so that a writer waiting for the readers to drain is not held up by us. */
	atomic_sub(QR_BIAS, &lock->cnts);

	arch_spin_lock(&lock->wait_lock);
	atomic_add(QR_BIAS, &lock->cnts);
	/*
	 * No writer can be waiting (W set) while we hold wait_lock: a writer sets W only with
	 * wait_lock held. So only a writer holding the lock can be in the way; wait it out.
	 */
	smp_cond_load_acquire(&lock->cnts.counter, !(VAL & QW_LOCKED));
	arch_spin_unlock(&lock->wait_lock);
}

void queued_write_lock_slowpath(rwlock_t *lock)
{
	int cnts;

	arch_spin_lock(&lock->wait_lock);
	cnts = 0;
	if (atomic_try_cmpxchg_acquire(&lock->cnts, &cnts, QW_LOCKED))
		goto unlock;

	/* Stop new readers in their fast path, then wait for the ones inside to leave. */
	atomic_or(QW_WAITING, &lock->cnts);
	do {
		while ((cnts = atomic_read(&lock->cnts)) != QW_WAITING)
			cpu_relax();
	} while (!atomic_try_cmpxchg_acquire(&lock->cnts, &cnts, QW_LOCKED));
unlock:
	arch_spin_unlock(&lock->wait_lock);
}

#ifdef CONFIG_DEBUG_SPINLOCK

static void __printf(2, 3) spin_bug(void *lock, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	spinlock_bug_hook(msg, lock);
}

static bool magic_ok(void *lock, unsigned int magic, const char *op, unsigned int cpu)
{
	if (__builtin_expect(magic == SPINLOCK_MAGIC, 1))
		return true;
	spin_bug(lock, "%s: bad magic %#x on lock %p (cpu %u): not initialised", op, magic, lock,
		 cpu);
	return false;
}

void spin_lock_debug(spinlock_t *lock)
{
	unsigned int cpu = smp_processor_id();

	if (!magic_ok(lock, lock->magic, "spin_lock", cpu))
		return;
	/* Only this CPU stores its own id here, so seeing it means we hold the lock. */
	if (READ_ONCE(lock->owner_cpu) == cpu) {
		spin_bug(lock, "spin_lock: recursion on lock %p held by cpu %u", (void *)lock, cpu);
		return;
	}
	arch_spin_lock(lock);
	WRITE_ONCE(lock->owner_cpu, cpu);
}

bool spin_trylock_debug(spinlock_t *lock)
{
	unsigned int cpu = smp_processor_id();

	if (!magic_ok(lock, lock->magic, "spin_trylock", cpu))
		return false;
	if (!arch_spin_trylock(lock))
		return false;
	WRITE_ONCE(lock->owner_cpu, cpu);
	return true;
}

void spin_unlock_debug(spinlock_t *lock)
{
	unsigned int cpu = smp_processor_id();
	unsigned int owner;

	if (!magic_ok(lock, lock->magic, "spin_unlock", cpu))
		return;
	if (!spin_is_locked(lock)) {
		spin_bug(lock, "spin_unlock: lock %p not locked (cpu %u)", (void *)lock, cpu);
		return;
	}
	owner = READ_ONCE(lock->owner_cpu);
	if (owner != cpu) {
		spin_bug(lock, "spin_unlock: lock %p held by cpu %u, unlocked by cpu %u", (void *)lock,
			 owner, cpu);
		return;
	}
	WRITE_ONCE(lock->owner_cpu, SPINLOCK_OWNER_NONE);
	arch_spin_unlock(lock);
}

bool rwlock_check_debug(rwlock_t *lock, const char *op, bool blocking)
{
	unsigned int cpu = smp_processor_id();

	if (!magic_ok(lock, lock->magic, op, cpu))
		return false;
	if (blocking && READ_ONCE(lock->owner_cpu) == cpu) {
		spin_bug(lock, "%s: recursion on lock %p write-held by cpu %u", op, (void *)lock, cpu);
		return false;
	}
	return true;
}

void rwlock_write_locked_debug(rwlock_t *lock)
{
	WRITE_ONCE(lock->owner_cpu, smp_processor_id());
}

bool rwlock_write_unlock_debug(rwlock_t *lock)
{
	unsigned int cpu = smp_processor_id();
	unsigned int owner;

	if (!magic_ok(lock, lock->magic, "write_unlock", cpu))
		return false;
	if (!rwlock_is_write_locked(lock)) {
		spin_bug(lock, "write_unlock: lock %p not write-locked (cpu %u)", (void *)lock, cpu);
		return false;
	}
	owner = READ_ONCE(lock->owner_cpu);
	if (owner != cpu) {
		spin_bug(lock, "write_unlock: lock %p held by cpu %u, unlocked by cpu %u",
			 (void *)lock, owner, cpu);
		return false;
	}
	WRITE_ONCE(lock->owner_cpu, SPINLOCK_OWNER_NONE);
	return true;
}

bool rwlock_read_unlock_debug(rwlock_t *lock)
{
	unsigned int cpu = smp_processor_id();

	if (!magic_ok(lock, lock->magic, "read_unlock", cpu))
		return false;
	if (!rwlock_readers(lock)) {
		spin_bug(lock, "read_unlock: lock %p not read-locked (cpu %u)", (void *)lock, cpu);
		return false;
	}
	return true;
}

#endif /* CONFIG_DEBUG_SPINLOCK */
