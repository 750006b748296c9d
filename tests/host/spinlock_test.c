// SPDX-License-Identifier: BSD-2-Clause
// Atomics, ticket spinlock and rwlock (platform/common/spinlock.c) on pthreads: exact counts
// under contention, FIFO ticket order, rwlock consistency and writer progress, and (built with
// CONFIG_DEBUG_SPINLOCK) the lock-debugging reports caught through spinlock_bug_hook.
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <platform/atomic.h>
#include <platform/printk.h>
#include <platform/rwlock.h>
#include <platform/smp.h>
#include <platform/spinlock.h>

#include <arch/processor.h>

#include "tap.h"

/* ---- host stand-ins for what the kernel provides ---- */

_Thread_local unsigned long host_irq_disabled;
static _Thread_local unsigned int this_cpu_id;

unsigned int smp_processor_id(void)
{
	return this_cpu_id;
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	abort();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Threads that play CPUs: each gets a logical id, runs fn(arg), and is joined by run_cpus(). */
struct cpu_thread {
	pthread_t t;
	unsigned int cpu;
	void *(*fn)(void *);
	void *arg;
};

static void *cpu_entry(void *p)
{
	struct cpu_thread *c = p;

	this_cpu_id = c->cpu;
	return c->fn(c->arg);
}

static void start_cpu(struct cpu_thread *c, unsigned int cpu, void *(*fn)(void *), void *arg)
{
	c->cpu = cpu;
	c->fn = fn;
	c->arg = arg;
	if (pthread_create(&c->t, NULL, cpu_entry, c))
		abort();
}

static void join_cpu(struct cpu_thread *c)
{
	pthread_join(c->t, NULL);
}

/* ---- atomics ---- */

static void atomic_ops_return_documented_values(void)
{
	atomic_t v = ATOMIC_INIT(5);

	CHECK_EQ(atomic_read(&v), 5);
	CHECK_EQ(atomic_add_return(3, &v), 8);
	CHECK_EQ(atomic_fetch_add(2, &v), 8);
	CHECK_EQ(atomic_read(&v), 10);
	CHECK_EQ(atomic_sub_return(4, &v), 6);
	CHECK_EQ(atomic_fetch_sub(1, &v), 6);
	CHECK_EQ(atomic_inc_return(&v), 6);
	CHECK_EQ(atomic_dec_return(&v), 5);
	atomic_inc(&v);
	atomic_add(10, &v);
	atomic_sub(1, &v);
	atomic_dec(&v);
	CHECK_EQ(atomic_read(&v), 14);
	CHECK_EQ(atomic_add_return_acquire(1, &v), 15);
	CHECK_EQ(atomic_add_return_release(1, &v), 16);
	CHECK_EQ(atomic_add_return_relaxed(1, &v), 17);
	CHECK_EQ(atomic_fetch_add_acquire(1, &v), 17);
	CHECK_EQ(atomic_fetch_sub_release(1, &v), 18);
	CHECK_EQ(atomic_xchg(&v, 100), 17);
	CHECK_EQ(atomic_read_acquire(&v), 100);
	atomic_set_release(&v, 0x0f);
	atomic_or(0x30, &v);
	atomic_and(0x3c, &v);
	atomic_xor(0x01, &v);
	CHECK_EQ(atomic_read(&v), 0x3d);
	CHECK_EQ(atomic_fetch_or(0x40, &v), 0x3d);
	CHECK_EQ(atomic_fetch_and(0x0f, &v), 0x7d);
	CHECK_EQ(atomic_read(&v), 0x0d);
}

static void atomic_cmpxchg_success_and_failure(void)
{
	atomic_t v = ATOMIC_INIT(7);
	int old;

	CHECK_EQ(atomic_cmpxchg(&v, 7, 9), 7); /* success returns the old value */
	CHECK_EQ(atomic_read(&v), 9);
	CHECK_EQ(atomic_cmpxchg(&v, 7, 11), 9); /* failure returns what was found, stores nothing */
	CHECK_EQ(atomic_read(&v), 9);
	CHECK_EQ(atomic_cmpxchg_acquire(&v, 9, 1), 9);
	CHECK_EQ(atomic_cmpxchg_release(&v, 1, 2), 1);
	CHECK_EQ(atomic_cmpxchg_relaxed(&v, 2, 3), 2);

	old = 5;
	CHECK(!atomic_try_cmpxchg(&v, &old, 6)); /* failure updates *old */
	CHECK_EQ(old, 3);
	CHECK(atomic_try_cmpxchg(&v, &old, 6));
	CHECK_EQ(atomic_read(&v), 6);
	CHECK(atomic_try_cmpxchg_acquire(&v, &old, 6) == false);
	CHECK_EQ(old, 6);
}

static void atomic_dec_and_test_and_refcount_helpers(void)
{
	atomic_t v = ATOMIC_INIT(2);

	CHECK(!atomic_dec_and_test(&v));
	CHECK(atomic_dec_and_test(&v));
	CHECK(!atomic_inc_not_zero(&v)); /* the last reference is gone */
	CHECK_EQ(atomic_read(&v), 0);
	atomic_set(&v, -1);
	CHECK(atomic_inc_and_test(&v));
	CHECK(atomic_add_negative(-1, &v));
	CHECK(atomic_sub_and_test(-1, &v));
	CHECK(atomic_add_unless(&v, 5, 3));
	CHECK_EQ(atomic_read(&v), 5);
	CHECK(!atomic_add_unless(&v, 5, 5));
	CHECK_EQ(atomic_read(&v), 5);
	CHECK(atomic_inc_not_zero(&v));
	CHECK_EQ(atomic_read(&v), 6);
}

static void atomic64_and_long_wrap_like_the_kernel(void)
{
	atomic64_t v64 = ATOMIC64_INIT(INT64_C(1) << 40);
	atomic_long_t vl = ATOMIC_LONG_INIT(LONG_MAX);
	atomic_t v = ATOMIC_INIT(INT_MAX);

	CHECK_EQ(atomic64_add_return(1, &v64), (INT64_C(1) << 40) + 1);
	CHECK_EQ(atomic64_cmpxchg(&v64, (INT64_C(1) << 40) + 1, -1), (INT64_C(1) << 40) + 1);
	CHECK(atomic64_inc_and_test(&v64));
	/* Two's-complement wrap, as Linux builds with -fno-strict-overflow (no UBSan report). */
	CHECK_EQ(atomic_long_add_return(1, &vl), LONG_MIN);
	CHECK_EQ(atomic_add_return(1, &v), INT_MIN);
	CHECK_EQ(atomic_long_xchg(&vl, 3), LONG_MIN);
	CHECK(!atomic_long_dec_and_test(&vl));
}

static int mp_data;
static int mp_flag;
static int mp_seen;

static void *mp_producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 2000; i++) {
		while (smp_load_acquire(&mp_flag))
			cpu_relax();
		WRITE_ONCE(mp_data, i);
		smp_store_release(&mp_flag, i);
	}
	return NULL;
}

static void *mp_consumer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 2000; i++) {
		int f;

		while (!(f = smp_load_acquire(&mp_flag)))
			cpu_relax();
		if (READ_ONCE(mp_data) != f)
			mp_seen = -1;
		else if (mp_seen >= 0)
			mp_seen++;
		smp_store_release(&mp_flag, 0);
	}
	return NULL;
}

static void barriers_message_passing(void)
{
	struct cpu_thread p, c;

	start_cpu(&p, 1, mp_producer, NULL);
	start_cpu(&c, 2, mp_consumer, NULL);
	join_cpu(&p);
	join_cpu(&c);
	CHECK_EQ(mp_seen, 2000);
	smp_mb();
	smp_rmb();
	smp_wmb();
	barrier();
}

/* ---- spinlock ---- */

#define TORTURE_THREADS 4
#define TORTURE_ITERS 20000

static DEFINE_SPINLOCK(torture_lock);
static unsigned long torture_count; /* plain: only the lock protects it */
static unsigned long torture_trylocks;
static int torture_go; /* all threads start together, so they really contend */

static void *torture_fn(void *arg)
{
	bool irq = (uintptr_t)arg & 1;

	while (!__atomic_load_n(&torture_go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (int i = 0; i < TORTURE_ITERS; i++) {
		if (irq) {
			unsigned long flags;

			spin_lock_irqsave(&torture_lock, flags);
			torture_count++;
			spin_unlock_irqrestore(&torture_lock, flags);
		} else if (i % 16 == 0) {
			while (!spin_trylock(&torture_lock))
				cpu_relax();
			torture_count++;
			torture_trylocks++;
			spin_unlock(&torture_lock);
		} else {
			spin_lock(&torture_lock);
			torture_count++;
			spin_unlock(&torture_lock);
		}
	}
	return NULL;
}

static void spin_lock_counter_torture_is_exact(void)
{
	struct cpu_thread t[TORTURE_THREADS];
	long contended0 = atomic_long_read(&spinlock_contended_total);
	double t0 = now();

	for (unsigned int i = 0; i < TORTURE_THREADS; i++)
		start_cpu(&t[i], i, torture_fn, (void *)(uintptr_t)i);
	__atomic_store_n(&torture_go, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < TORTURE_THREADS; i++)
		join_cpu(&t[i]);
	CHECK_EQ(torture_count, (unsigned long)TORTURE_THREADS * TORTURE_ITERS);
	CHECK_EQ(torture_trylocks, (TORTURE_THREADS / 2) * (TORTURE_ITERS / 16));
	CHECK(!spin_is_locked(&torture_lock));
	CHECK_EQ(torture_lock.tickets.owner, (uint16_t)(TORTURE_THREADS * TORTURE_ITERS));
	printf("# %d x %d acquisitions in %.3f s, %ld contended\n", TORTURE_THREADS, TORTURE_ITERS,
	       now() - t0, atomic_long_read(&spinlock_contended_total) - contended0);
}

static void spin_trylock_and_irqsave_states(void)
{
	DEFINE_SPINLOCK(l);
	unsigned long flags;

	CHECK(!spin_is_locked(&l));
	CHECK(spin_trylock(&l));
	CHECK(spin_is_locked(&l));
	CHECK(!spin_is_contended(&l));
	spin_unlock(&l);
	CHECK(!spin_is_locked(&l));

	host_irq_disabled = 0;
	spin_lock_irqsave(&l, flags);
	CHECK_EQ(host_irq_disabled, 1);
	CHECK_EQ(flags, 0);
	spin_unlock_irqrestore(&l, flags);
	CHECK_EQ(host_irq_disabled, 0);

	spin_lock_irq(&l);
	CHECK_EQ(host_irq_disabled, 1);
	CHECK(!spin_trylock_irqsave(&l, flags)); /* failure restores the saved state */
	CHECK_EQ(host_irq_disabled, 1);
	spin_unlock_irq(&l);
	CHECK_EQ(host_irq_disabled, 0);
	CHECK(spin_trylock_irqsave(&l, flags));
	CHECK_EQ(host_irq_disabled, 1);
	spin_unlock_irqrestore(&l, flags);
	CHECK_EQ(host_irq_disabled, 0);
}

#define FIFO_WAITERS 6

static DEFINE_SPINLOCK(fifo_lock);
static unsigned int fifo_order[FIFO_WAITERS];
static unsigned int fifo_n;

static void *fifo_fn(void *arg)
{
	(void)arg;
	spin_lock(&fifo_lock);
	fifo_order[fifo_n++] = smp_processor_id();
	spin_unlock(&fifo_lock);
	return NULL;
}

static void spin_lock_serves_waiters_in_ticket_order(void)
{
	struct cpu_thread t[FIFO_WAITERS];
	long contended0 = atomic_long_read(&spinlock_contended_total);

	this_cpu_id = 0;
	spin_lock(&fifo_lock);
	/*
	 * Start the waiters one by one, each only once the previous one holds its ticket, so
	 * ticket order is known: waiter i (cpu i + 1) has ticket i + 1. Start them in reverse cpu
	 * order so that FIFO is not confused with "lowest id first".
	 */
	for (unsigned int i = 0; i < FIFO_WAITERS; i++) {
		start_cpu(&t[i], FIFO_WAITERS - i, fifo_fn, NULL);
		while (__atomic_load_n(&fifo_lock.tickets.next, __ATOMIC_ACQUIRE) != i + 2)
			sched_yield();
	}
	CHECK(spin_is_contended(&fifo_lock));
	spin_unlock(&fifo_lock);
	for (unsigned int i = 0; i < FIFO_WAITERS; i++)
		join_cpu(&t[i]);
	CHECK_EQ(fifo_n, FIFO_WAITERS);
	for (unsigned int i = 0; i < FIFO_WAITERS; i++)
		CHECK_EQ(fifo_order[i], FIFO_WAITERS - i);
	CHECK_EQ(atomic_long_read(&spinlock_contended_total) - contended0, FIFO_WAITERS);
#ifdef CONFIG_DEBUG_SPINLOCK
	CHECK_EQ(fifo_lock.contended, FIFO_WAITERS);
	CHECK_EQ(fifo_lock.owner_cpu, SPINLOCK_OWNER_NONE);
#endif
}

static void spin_lock_ticket_wraps_at_16_bits(void)
{
	DEFINE_SPINLOCK(l);

	/* Owner and next at 0xffff: the next ticket wraps to 0 without touching owner. */
	l.val = 0xffffffffU;
	CHECK(!spin_is_locked(&l));
	spin_lock(&l);
	CHECK_EQ(l.tickets.next, 0);
	CHECK(spin_is_locked(&l));
	CHECK(!spin_trylock(&l));
	spin_unlock(&l);
	CHECK_EQ(l.val, 0);
	CHECK(spin_trylock(&l));
	spin_unlock(&l);
}

/* ---- rwlock ---- */

#define RW_READERS 3
#define RW_WRITES 1500

static DEFINE_RWLOCK(rw);
static unsigned long rw_a, rw_b; /* a writer keeps them equal */
static int rw_writers_done;
static unsigned long rw_bad, rw_reads;
static double rw_deadline;

static void *rw_reader(void *arg)
{
	unsigned long bad = 0, reads = 0;

	(void)arg;
	while (!__atomic_load_n(&rw_writers_done, __ATOMIC_ACQUIRE) && now() < rw_deadline) {
		if (reads % 8 == 7) {
			if (!read_trylock(&rw))
				continue;
		} else {
			read_lock(&rw);
		}
		unsigned long a = READ_ONCE(rw_a);
		for (int i = 0; i < 20; i++)
			barrier();
		if (READ_ONCE(rw_b) != a)
			bad++;
		read_unlock(&rw);
		reads++;
	}
	__atomic_fetch_add(&rw_bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&rw_reads, reads, __ATOMIC_RELAXED);
	return NULL;
}

static void *rw_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < RW_WRITES && now() < rw_deadline; i++) {
		write_lock(&rw);
		WRITE_ONCE(rw_a, rw_a + 1);
		barrier();
		WRITE_ONCE(rw_b, rw_b + 1);
		write_unlock(&rw);
	}
	__atomic_fetch_add(&rw_writers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void rwlock_readers_see_pairs_and_writers_progress(void)
{
	struct cpu_thread r[RW_READERS], w[2];
	double t0 = now();

	rw_deadline = t0 + 2.0;
	for (unsigned int i = 0; i < RW_READERS; i++)
		start_cpu(&r[i], i, rw_reader, NULL);
	/* The writers start once the readers already hammer the lock. */
	while (__atomic_load_n(&rw_reads, __ATOMIC_RELAXED) == 0 && rwlock_readers(&rw) == 0 &&
	       now() < t0 + 0.5)
		sched_yield();
	start_cpu(&w[0], RW_READERS, rw_writer, NULL);
	start_cpu(&w[1], RW_READERS + 1, rw_writer, NULL);
	join_cpu(&w[0]);
	join_cpu(&w[1]);
	for (unsigned int i = 0; i < RW_READERS; i++)
		join_cpu(&r[i]);
	/* Both writers finished all their writes before the deadline, under reader pressure. */
	CHECK_EQ(rw_a, 2 * RW_WRITES);
	CHECK_EQ(rw_b, 2 * RW_WRITES);
	CHECK_EQ(rw_bad, 0);
	CHECK_EQ(atomic_read(&rw.cnts), 0);
	printf("# %d writes and %lu reads in %.3f s\n", 2 * RW_WRITES, rw_reads, now() - t0);
}

static DEFINE_RWLOCK(wp);
static char wp_log[8];
static unsigned int wp_n;

static void *wp_writer(void *arg)
{
	(void)arg;
	write_lock(&wp);
	wp_log[__atomic_fetch_add(&wp_n, 1, __ATOMIC_RELAXED)] = 'W';
	write_unlock(&wp);
	return NULL;
}

static void *wp_reader(void *arg)
{
	(void)arg;
	read_lock(&wp);
	wp_log[__atomic_fetch_add(&wp_n, 1, __ATOMIC_RELAXED)] = 'R';
	read_unlock(&wp);
	return NULL;
}

static void rwlock_waiting_writer_blocks_new_readers(void)
{
	struct cpu_thread w, r;

	this_cpu_id = 0;
	read_lock(&wp);
	CHECK_EQ(rwlock_readers(&wp), 1);
	CHECK(read_trylock(&wp)); /* readers share while no writer waits */
	read_unlock(&wp);
	CHECK(!write_trylock(&wp));

	start_cpu(&w, 1, wp_writer, NULL);
	while (!(atomic_read(&wp.cnts) & QW_WAITING))
		sched_yield();
	/* A writer waits for us to leave: a new reader is not let in ahead of it. */
	CHECK(!read_trylock(&wp));
	start_cpu(&r, 2, wp_reader, NULL);
	while (!spin_is_contended(&wp.wait_lock))
		sched_yield();
	CHECK_EQ(wp_n, 0);
	read_unlock(&wp);
	join_cpu(&w);
	join_cpu(&r);
	CHECK_EQ(wp_n, 2);
	CHECK(wp_log[0] == 'W' && wp_log[1] == 'R');
	CHECK(write_trylock(&wp));
	CHECK(rwlock_is_write_locked(&wp));
	CHECK(!read_trylock(&wp));
	CHECK(!write_trylock(&wp));
	write_unlock(&wp);
	CHECK_EQ(atomic_read(&wp.cnts), 0);
}

static void rwlock_irqsave_states(void)
{
	DEFINE_RWLOCK(l);
	unsigned long flags;

	host_irq_disabled = 0;
	read_lock_irqsave(&l, flags);
	CHECK_EQ(host_irq_disabled, 1);
	read_unlock_irqrestore(&l, flags);
	CHECK_EQ(host_irq_disabled, 0);
	write_lock_irqsave(&l, flags);
	CHECK_EQ(host_irq_disabled, 1);
	CHECK(rwlock_is_write_locked(&l));
	write_unlock_irqrestore(&l, flags);
	CHECK_EQ(host_irq_disabled, 0);
	rwlock_init(&l);
	CHECK_EQ(atomic_read(&l.cnts), 0);
}

/* ---- lock debugging ---- */

#ifdef CONFIG_DEBUG_SPINLOCK
static char bug_msg[4][200];
static void *bug_lock[4];
static unsigned int bug_n;

static void record_bug(const char *msg, void *lock)
{
	if (bug_n < 4) {
		snprintf(bug_msg[bug_n], sizeof(bug_msg[0]), "%s", msg);
		bug_lock[bug_n] = lock;
	}
	bug_n++;
}

static void bug_reset(void)
{
	spinlock_bug_hook = record_bug;
	bug_n = 0;
	memset(bug_msg, 0, sizeof(bug_msg));
}

/* The message the kernel's own formatter makes (so %p reads the same). */
static const char *expect(const char *fmt, ...) __printf(1, 2);
static const char *expect(const char *fmt, ...)
{
	static char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static void debug_spin_lock_recursion_is_reported(void)
{
	DEFINE_SPINLOCK(l);

	bug_reset();
	this_cpu_id = 3;
	spin_lock(&l);
	CHECK_EQ(l.owner_cpu, 3);
	spin_lock(&l); /* would deadlock: reported, then skipped */
	CHECK_EQ(bug_n, 1);
	CHECK_STREQ(bug_msg[0], expect("spin_lock: recursion on lock %p held by cpu 3", (void *)&l));
	CHECK(bug_lock[0] == &l);
	spin_unlock(&l); /* the lock was held once */
	CHECK(!spin_is_locked(&l));
	CHECK_EQ(bug_n, 1);
	CHECK(spin_trylock(&l)); /* and is usable again */
	spin_unlock(&l);
	CHECK_EQ(bug_n, 1);
	this_cpu_id = 0;
}

static void debug_unlock_of_free_lock_is_reported(void)
{
	DEFINE_SPINLOCK(l);

	bug_reset();
	spin_unlock(&l);
	CHECK_EQ(bug_n, 1);
	CHECK_STREQ(bug_msg[0], expect("spin_unlock: lock %p not locked (cpu 0)", (void *)&l));
	CHECK_EQ(l.val, 0); /* the ticket pair was not disturbed */
	spin_lock(&l);
	spin_unlock(&l);
	CHECK_EQ(bug_n, 1);
}

static DEFINE_SPINLOCK(other_lock);
static int other_phase;

static void *other_holder(void *arg)
{
	(void)arg;
	spin_lock(&other_lock);
	__atomic_store_n(&other_phase, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&other_phase, __ATOMIC_ACQUIRE) != 2)
		sched_yield();
	spin_unlock(&other_lock);
	return NULL;
}

static void debug_unlock_by_another_cpu_is_reported(void)
{
	struct cpu_thread t;

	bug_reset();
	this_cpu_id = 0;
	start_cpu(&t, 2, other_holder, NULL);
	while (__atomic_load_n(&other_phase, __ATOMIC_ACQUIRE) != 1)
		sched_yield();
	spin_unlock(&other_lock);
	CHECK_EQ(bug_n, 1);
	CHECK_STREQ(bug_msg[0], expect("spin_unlock: lock %p held by cpu 2, unlocked by cpu 0",
				       (void *)&other_lock));
	CHECK(spin_is_locked(&other_lock)); /* still the other CPU's */
	CHECK_EQ(other_lock.owner_cpu, 2);
	__atomic_store_n(&other_phase, 2, __ATOMIC_RELEASE);
	join_cpu(&t);
	CHECK(!spin_is_locked(&other_lock));
	CHECK_EQ(bug_n, 1);
}

static void debug_uninitialised_lock_is_reported(void)
{
	spinlock_t l;

	bug_reset();
	memset(&l, 0, sizeof(l));
	spin_lock(&l);
	CHECK_EQ(bug_n, 1);
	CHECK_STREQ(bug_msg[0],
		    expect("spin_lock: bad magic 0 on lock %p (cpu 0): not initialised", (void *)&l));
	CHECK(!spin_is_locked(&l));
	spin_lock_init(&l);
	spin_lock(&l);
	spin_unlock(&l);
	CHECK_EQ(bug_n, 1);
}

static void debug_rwlock_misuse_is_reported(void)
{
	DEFINE_RWLOCK(l);

	bug_reset();
	this_cpu_id = 1;
	write_lock(&l);
	write_lock(&l);
	CHECK_STREQ(bug_msg[0],
		    expect("write_lock: recursion on lock %p write-held by cpu 1", (void *)&l));
	read_lock(&l);
	CHECK_STREQ(bug_msg[1],
		    expect("read_lock: recursion on lock %p write-held by cpu 1", (void *)&l));
	this_cpu_id = 2;
	write_unlock(&l);
	CHECK_STREQ(bug_msg[2], expect("write_unlock: lock %p held by cpu 1, unlocked by cpu 2",
				       (void *)&l));
	this_cpu_id = 1;
	write_unlock(&l);
	CHECK_EQ(bug_n, 3);
	write_unlock(&l);
	CHECK_STREQ(bug_msg[3], expect("write_unlock: lock %p not write-locked (cpu 1)", (void *)&l));
	CHECK_EQ(atomic_read(&l.cnts), 0);
	bug_n = 0;
	read_unlock(&l);
	CHECK_EQ(bug_n, 1);
	CHECK_STREQ(bug_msg[0], expect("read_unlock: lock %p not read-locked (cpu 1)", (void *)&l));
	CHECK_EQ(atomic_read(&l.cnts), 0);
	read_lock(&l);
	read_lock(&l); /* nested reads are fine while no writer waits */
	read_unlock(&l);
	read_unlock(&l);
	CHECK_EQ(bug_n, 1);
	this_cpu_id = 0;
}
#endif

static const struct tap_case cases[] = {
	TAP_CASE(atomic_ops_return_documented_values),
	TAP_CASE(atomic_cmpxchg_success_and_failure),
	TAP_CASE(atomic_dec_and_test_and_refcount_helpers),
	TAP_CASE(atomic64_and_long_wrap_like_the_kernel),
	TAP_CASE(barriers_message_passing),
	TAP_CASE(spin_lock_counter_torture_is_exact),
	TAP_CASE(spin_trylock_and_irqsave_states),
	TAP_CASE(spin_lock_serves_waiters_in_ticket_order),
	TAP_CASE(spin_lock_ticket_wraps_at_16_bits),
	TAP_CASE(rwlock_readers_see_pairs_and_writers_progress),
	TAP_CASE(rwlock_waiting_writer_blocks_new_readers),
	TAP_CASE(rwlock_irqsave_states),
#ifdef CONFIG_DEBUG_SPINLOCK
	TAP_CASE(debug_spin_lock_recursion_is_reported),
	TAP_CASE(debug_unlock_of_free_lock_is_reported),
	TAP_CASE(debug_unlock_by_another_cpu_is_reported),
	TAP_CASE(debug_uninitialised_lock_is_reported),
	TAP_CASE(debug_rwlock_misuse_is_reported),
#endif
};

#ifdef CONFIG_DEBUG_SPINLOCK
TAP_MAIN("spinlock", cases)
#else
TAP_MAIN("spinlock_nodebug", cases)
#endif
