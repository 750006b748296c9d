// SPDX-License-Identifier: BSD-2-Clause
// Portable core of cross-CPU calls: a fixed ring of calls per CPU under a spinlock, a kick when
// a ring becomes non-empty, a counter on the caller's stack for waiting. After Linux kernel/smp.c.
#include <platform/atomic.h>
#include <platform/errno.h>
#include <platform/smp.h>
#include <platform/smp_call.h>
#include <platform/spinlock.h>

#include <arch/processor.h>

/*
 * One queued call. @pending, if set, lives on the waiting caller's stack: the target decrements
 * it after @func returned and must not touch it afterwards (the caller may be gone).
 */
struct call_entry {
	smp_call_func_t func;
	void *info;
	atomic_t *pending;
};

/* Calls queued to one CPU: entries head..tail-1 (free-running indices) under @lock. */
struct call_queue {
	spinlock_t lock;
	unsigned int head;
	unsigned int tail;
	unsigned long ran;
	unsigned long kicks;
	struct call_entry ent[SMP_CALL_QUEUE_LEN];
} __attribute__((aligned(64)));

static struct call_queue call_queues[NR_CPUS] = {
	[0 ... NR_CPUS - 1] = { .lock = __SPIN_LOCK_UNLOCKED(lock) },
};

static void run_queue(unsigned int cpu)
{
	struct call_queue *q = &call_queues[cpu];
	unsigned long flags;

	for (;;) {
		struct call_entry e;

		spin_lock_irqsave(&q->lock, flags);
		if (q->head == q->tail) {
			spin_unlock_irqrestore(&q->lock, flags);
			return;
		}
		e = q->ent[q->head % SMP_CALL_QUEUE_LEN];
		q->head++;
		q->ran++;
		spin_unlock(&q->lock);

		e.func(e.info);
		/* Release: what @func stored is visible to the caller once it sees its count drop. */
		if (e.pending)
			atomic_dec_return_release(e.pending);
		arch_local_irq_restore(flags);
	}
}

void smp_call_handle_ipi(void)
{
	run_queue(smp_processor_id());
}

/* Queue @e to @cpu, waiting for room; kick @cpu if its queue was empty. */
static void enqueue(unsigned int self, unsigned int cpu, const struct call_entry *e)
{
	struct call_queue *q = &call_queues[cpu];
	unsigned long flags;
	bool kick;

	for (;;) {
		spin_lock_irqsave(&q->lock, flags);
		if (q->tail - q->head < SMP_CALL_QUEUE_LEN)
			break;
		spin_unlock_irqrestore(&q->lock, flags);
		/* @cpu is busy, perhaps waiting on us: serve our own queue meanwhile. */
		run_queue(self);
		cpu_relax();
	}
	/*
	 * A non-empty queue already has a kick on its way or a handler draining it (the handler
	 * stops only on finding it empty under the lock), so only the first call needs one.
	 */
	kick = q->head == q->tail;
	q->ent[q->tail % SMP_CALL_QUEUE_LEN] = *e;
	q->tail++;
	if (kick)
		q->kicks++;
	spin_unlock_irqrestore(&q->lock, flags);
	if (kick) {
		/*
		 * The queued call must be visible before the IPI lands; the arch adds what its
		 * interrupt controller needs on top (arm64: dsb ishst before the SGI write).
		 */
		smp_mb();
		arch_send_call_ipi(cpu);
	}
}

static void wait_pending(unsigned int self, atomic_t *pending)
{
	while (atomic_read_acquire(pending)) {
		run_queue(self);
		cpu_relax();
	}
}

static void run_local(smp_call_func_t func, void *info)
{
	unsigned long flags = arch_local_irq_save();

	func(info);
	arch_local_irq_restore(flags);
}

int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait)
{
	unsigned int self = smp_processor_id();
	atomic_t pending = ATOMIC_INIT(1);
	struct call_entry e = { .func = func, .info = info, .pending = wait ? &pending : NULL };

	if (cpu >= NR_CPUS || !cpu_online(cpu))
		return -ENODEV;
	if (cpu == self) {
		run_local(func, info);
		return 0;
	}
	enqueue(self, cpu, &e);
	if (wait)
		wait_pending(self, &pending);
	return 0;
}

static void call_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait,
		      bool include_self)
{
	unsigned int self = smp_processor_id();
	atomic_t pending = ATOMIC_INIT(0);
	struct call_entry e = { .func = func, .info = info, .pending = wait ? &pending : NULL };
	struct cpumask targets;
	unsigned int cpu;

	cpumask_clear(&targets);
	for_each_cpu(cpu, mask)
		if (cpu != self && cpu_online(cpu))
			__cpumask_set_cpu(cpu, &targets);

	/* Count every target before the first can finish, or the count could touch zero early. */
	atomic_set(&pending, (int)cpumask_weight(&targets));
	for_each_cpu(cpu, &targets)
		enqueue(self, cpu, &e);

	if (include_self && cpumask_test_cpu(self, mask))
		run_local(func, info);
	if (wait)
		wait_pending(self, &pending);
}

void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info,
			    bool wait)
{
	call_mask(mask, func, info, wait, false);
}

void on_each_cpu_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait)
{
	call_mask(mask, func, info, wait, true);
}

static void online_mask(struct cpumask *m)
{
	cpumask_clear(m);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			__cpumask_set_cpu(cpu, m);
}

void smp_call_function(smp_call_func_t func, void *info, bool wait)
{
	struct cpumask m;

	online_mask(&m);
	call_mask(&m, func, info, wait, false);
}

void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	struct cpumask m;

	online_mask(&m);
	call_mask(&m, func, info, wait, true);
}

void smp_call_stats(unsigned int cpu, unsigned long *ran, unsigned long *kicks)
{
	struct call_queue *q = &call_queues[cpu];
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (ran)
		*ran = q->ran;
	if (kicks)
		*kicks = q->kicks;
	spin_unlock_irqrestore(&q->lock, flags);
}
