// SPDX-License-Identifier: BSD-2-Clause
// What the interrupt controller code (gic.c) offers beyond IPIs: the generic timer's line, so
// that arch_cpu_yield() can sleep in WFI until a short timer expires.
#ifndef ZONEDEV_ARCH_GIC_H
#define ZONEDEV_ARCH_GIC_H

#include <stdbool.h>

/**
 * gic_timer_irq_enable() - let the virtual timer's interrupt reach the running CPU (called
 * from arch_ipi_init() once the CPU takes IPIs: the controller is set up for it then)
 * Return: the line (GIC INTID or BCM2836 timer line), or 0 when there is no way to.
 */
unsigned int gic_timer_irq_enable(void);
/** gic_timer_irq_pending() - the controller sees the timer's line pending on this CPU. */
bool gic_timer_irq_pending(void);
/** gic_timer_irq_clear() - forget a pending state the controller latched from the line. */
void gic_timer_irq_clear(void);
/**
 * gic_timer_only() - (@only true) let only the timer's interrupt reach this CPU, so that an IPI
 * left pending (one raised during a cross-CPU call, or while interrupts are masked) cannot end
 * a yield's WFI at once; (@only false) every interrupt again.
 */
void gic_timer_only(bool only);

/**
 * arm64_yield_init() - check on the running CPU that the timer can end a WFI, and if so let
 * arch_cpu_yield() sleep (platform/arm64/cpu_yield.c)
 */
void arm64_yield_init(void);

#endif
