// SPDX-License-Identifier: BSD-2-Clause
// Polling UART drivers (the 16550 family, PL011, SiFive, Cadence) and the console switch. The
// drivers are here rather than per arch because boards pair them freely (arm64 boards with 8250s).
#include <platform/arch.h>
#include <platform/console.h>
#include <platform/dt.h>
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

/* SiFive UART: one register both ways; reading it says whether the transmit FIFO is full. */
#define SIFIVE_TXDATA 0x00
#define SIFIVE_TXDATA_FULL (1u << 31)

/* Cadence UART (Zynq UG585 / ZynqMP UG1085, "UART Controller"). */
#define CDNS_CR 0x00
#define CDNS_CR_RX_EN (1u << 2)
#define CDNS_CR_RX_DIS (1u << 3)
#define CDNS_CR_TX_EN (1u << 4)
#define CDNS_CR_TX_DIS (1u << 5)
#define CDNS_SR 0x2c
#define CDNS_SR_TXFULL (1u << 4)
#define CDNS_FIFO 0x30

/* Bounded wait: a UART that never drains must not hang the run; the byte is then dropped. */
#define UART_SPIN_LIMIT 1000000

static struct bi_uart uart;
static volatile uint8_t *uart_base;
static char name[48] = "early";

/* 16550 register @reg at the node's stride and access width. */
static uint32_t ns16550_read(unsigned int reg)
{
	volatile uint8_t *p = uart_base + (reg << uart.reg_shift);

	if (uart.io_width == 4)
		return *(volatile uint32_t *)p;
	if (uart.io_width == 2)
		return *(volatile uint16_t *)p;
	return *p;
}

static void ns16550_write(unsigned int reg, uint8_t v)
{
	volatile uint8_t *p = uart_base + (reg << uart.reg_shift);

	if (uart.io_width == 4)
		*(volatile uint32_t *)p = v;
	else if (uart.io_width == 2)
		*(volatile uint16_t *)p = v;
	else
		*p = v;
}

static void ns16550_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++) {
		if (ns16550_read(NS16550_LSR) & NS16550_LSR_THRE)
			break;
	}
	ns16550_write(NS16550_THR, (uint8_t)c);
}

/* The 32-bit UARTs: wait while (@status & @full_bit), then write the byte to @data. */
static void mmio32_putc(unsigned int status, uint32_t full_bit, unsigned int data, char c)
{
	volatile uint32_t *st = (volatile uint32_t *)(uart_base + status);
	volatile uint32_t *dr = (volatile uint32_t *)(uart_base + data);

	for (int i = 0; i < UART_SPIN_LIMIT; i++) {
		if (!(*st & full_bit))
			break;
	}
	*dr = (uint32_t)(uint8_t)c;
}

static void console_putc(char c)
{
	switch (uart.kind) {
	case BI_UART_NS16550:
		ns16550_putc(c);
		break;
	case BI_UART_PL011:
		mmio32_putc(PL011_FR, PL011_FR_TXFF, PL011_DR, c);
		break;
	case BI_UART_SIFIVE:
		mmio32_putc(SIFIVE_TXDATA, SIFIVE_TXDATA_FULL, SIFIVE_TXDATA, c);
		break;
	case BI_UART_CDNS:
		mmio32_putc(CDNS_SR, CDNS_SR_TXFULL, CDNS_FIFO, c);
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

const char *uart_kind_name(enum bi_uart_kind kind)
{
	switch (kind) {
	case BI_UART_NS16550:
		return "ns16550";
	case BI_UART_PL011:
		return "pl011";
	case BI_UART_SIFIVE:
		return "sifive-uart";
	case BI_UART_CDNS:
		return "cdns-uart";
	default:
		return "none";
	}
}

int console_use_uart(const struct bi_uart *u, uintptr_t va)
{
	if (u->kind == BI_UART_NONE || !va)
		return -ENODEV;
	uart = *u;
	uart_base = (volatile uint8_t *)va;
	if (u->kind == BI_UART_CDNS) {
		/*
		 * Out of reset its transmitter is disabled (CR 0x128); boot firmware enables it, a
		 * kernel loaded straight after reset (QEMU -kernel) finds it off. Enabling is all
		 * we touch: the line settings stay the firmware's.
		 */
		volatile uint32_t *cr = (volatile uint32_t *)(uart_base + CDNS_CR);
		uint32_t v = *cr;

		if ((v & CDNS_CR_TX_DIS) || !(v & CDNS_CR_TX_EN))
			*cr = (v & ~(CDNS_CR_TX_DIS | CDNS_CR_RX_DIS)) | CDNS_CR_TX_EN | CDNS_CR_RX_EN;
	}
	if (u->kind == BI_UART_NS16550 && (u->reg_shift || u->io_width != 1))
		scnprintf(name, sizeof(name), "ns16550@0x%llx (reg-shift %u, %u-byte access)",
			  (unsigned long long)u->base, u->reg_shift, u->io_width);
	else
		scnprintf(name, sizeof(name), "%s@0x%llx", uart_kind_name(u->kind),
			  (unsigned long long)u->base);
	return 0;
}

/*
 * The console the tree names, before anything is printed: a board's early console is wherever
 * its tree says, and no fixed address is safe to write to on every board.
 */
void console_early_init(phys_addr_t dtb)
{
	static struct dt early_dt;
	const uint8_t *blob = (const uint8_t *)(uintptr_t)dtb;
	struct bi_uart u;
	uint32_t total;

	if (!dtb || dt_be32(blob) != DT_MAGIC)
		return;
	total = dt_be32(blob + 4);
	if (dt_init(&early_dt, blob, total < (8u << 20) ? total : (8u << 20)))
		return;
	if (bootfdt_stdout_uart(&early_dt, &u) || console_use_uart(&u, arch_early_ioremap(u.base)))
		arch_early_console_check(&early_dt);
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
