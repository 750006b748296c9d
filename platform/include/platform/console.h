// SPDX-License-Identifier: BSD-2-Clause
// The console printk writes to: the arch's early console until the device tree names a UART.
#ifndef ZONEDEV_PLATFORM_CONSOLE_H
#define ZONEDEV_PLATFORM_CONSOLE_H

#include <platform/bootinfo.h>
#include <platform/types.h>

/** console_write() - write @n bytes to the current console (polling, never fails). */
void console_write(const char *s, size_t n);

/**
 * console_use_uart() - switch to UART @u, reached at @va (an address the CPU can use now for
 * the physical @u->base).
 * Return: 0, or -ENODEV for BI_UART_NONE or no address.
 */
int console_use_uart(const struct bi_uart *u, uintptr_t va);

/**
 * console_early_init() - switch to the UART /chosen/stdout-path of the blob at @dtb names, if
 * we drive it, before the first line is printed; nothing is reported (bootfdt_parse() does).
 */
void console_early_init(phys_addr_t dtb);

/** uart_kind_name() - "ns16550", "pl011", "sifive-uart", "cdns-uart", "none". */
const char *uart_kind_name(enum bi_uart_kind kind);

/**
 * console_lock() - serialise whole messages between CPUs (interrupts off while held); a CPU
 * that already holds it (a fault while printing) gets through without waiting.
 * Return: what console_unlock() needs.
 */
unsigned long console_lock(void);
void console_unlock(unsigned long flags);

/** console_name() - what is printing now ("sbi", "ns16550a@0x10000000", ...). */
const char *console_name(void);

#endif
