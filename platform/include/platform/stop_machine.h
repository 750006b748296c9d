// SPDX-License-Identifier: BSD-2-Clause
// Run a function on one CPU while every other online CPU is parked (Linux stop_machine(), without
// stopper threads: the parking is a cross-CPU call).
#ifndef ZONEDEV_PLATFORM_STOP_MACHINE_H
#define ZONEDEV_PLATFORM_STOP_MACHINE_H

#include <platform/types.h>

/**
 * stop_machine_timeout_ms - how long the other CPUs get to check in before stop_machine() gives
 * up (default 10 s: under QEMU with far more vCPUs than host cores, a CPU may wait seconds for
 * a host core before it takes its IPI). Tests shorten it to see a timeout quickly.
 */
extern unsigned int stop_machine_timeout_ms;

/**
 * stop_machine() - run @fn(@data) on the calling CPU, interrupts masked, while every other
 * online CPU waits in a loop with interrupts masked (a spin-wait: it may sleep in WFI a moment)
 *
 * The parked CPUs run only the call handler and the loop, which touch the kernel image, their
 * stacks and the interrupt controller: nothing else (no struct page, no vmemmap, no heap). So
 * @fn may take away, for a moment, any translation those do not use (break-before-make of a
 * live kernel mapping). Every TLB flush @fn issues has completed when it returns (the flush
 * functions wait for it), that is before a parked CPU is released; a released CPU
 * resynchronises its context (arm64 ISB) before it goes on.
 *
 * Callers are serialised; a caller waiting for its turn serves its own cross-CPU calls, so two
 * CPUs calling it at once both get through. A CPU is parked when it next takes its call IPI or
 * polls its call queue: one that keeps interrupts masked without polling for longer than
 * stop_machine_timeout_ms makes the call fail. Must not be called with a spinlock held that
 * another CPU may spin on with interrupts masked (it would never be parked), nor from the call
 * handler. A CPU is parked only where interrupts are on or where it polls its calls (waiting
 * for a cross-CPU call or for room in a queue): it must hold no lock @fn takes there. With one
 * CPU online (or no IPIs) @fn simply runs, interrupts masked.
 * Return: what @fn returned, or -ETIMEDOUT (@fn did not run: a CPU never checked in).
 */
int stop_machine(int (*fn)(void *data), void *data);

/**
 * stop_machine_count() - rendezvous done so far (each one with at least one other CPU parked),
 * for tests and benchmarks
 */
unsigned long stop_machine_count(void);

#endif
