// SPDX-License-Identifier: BSD-2-Clause
// Polling UART drivers (16550-compatible and PL011) and the console switch. Both drivers are here
// rather than per arch because boards pair them freely (arm64 boards with 8250s, for one).
#include <platform/arch.h>
#include <platform/console.h>
#include <platform/errno.h>
#include <platform/printk.h>
#include <platform/smp.h>
#include <platform/spinlock.h>

#define NS16550_THR 0x00
#define NS16550_LSR 0x05
#define NS16550_LSR_THRE 0x20

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)

/* Bounded wait: a UART that never drains must not hang the run; the byte is then dropped. */
#define UART_SPIN_LIMIT 1000000

static enum bi_uart_kind uart_kind;
static volatile uint8_t *uart_base;
static char name[48] = "early";

static void ns16550_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++) {
		if (uart_base[NS16550_LSR] & NS16550_LSR_THRE)
			break;
	}
	uart_base[NS16550_THR] = (uint8_t)c;
}

static void pl011_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uart_base + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uart_base + PL011_DR);

	for (int i = 0; i < UART_SPIN_LIMIT; i++) {
		if (!(*fr & PL011_FR_TXFF))
			break;
	}
	*dr = (uint32_t)(uint8_t)c;
}

static void console_putc(char c)
{
	switch (uart_kind) {
	case BI_UART_NS16550:
		ns16550_putc(c);
		break;
	case BI_UART_PL011:
		pl011_putc(c);
		break;
	default:
		arch_early_console_putc(c);
		break;
	}
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			console_putc('\r');
		console_putc(s[i]);
	}
}

int console_use_uart(enum bi_uart_kind kind, uintptr_t base)
{
	if (kind == BI_UART_NONE || !base)
		return -ENODEV;
	uart_base = (volatile uint8_t *)base;
	uart_kind = kind;
	scnprintf(name, sizeof(name), "%s@0x%lx", kind == BI_UART_PL011 ? "pl011" : "ns16550a",
		  (unsigned long)base);
	return 0;
}

const char *console_name(void)
{
	return name;
}

static DEFINE_SPINLOCK(console_spinlock);
static unsigned int console_owner = ~0U;

unsigned long console_lock(void)
{
	unsigned int self = smp_processor_id();
	unsigned long flags;

	/* A fault or panic while this CPU prints must still get its message out. */
	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == self)
		return ~0UL;
	spin_lock_irqsave(&console_spinlock, flags);
	__atomic_store_n(&console_owner, self, __ATOMIC_RELAXED);
	return flags;
}

void console_unlock(unsigned long flags)
{
	if (flags == ~0UL)
		return;
	__atomic_store_n(&console_owner, ~0U, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&console_spinlock, flags);
}
