// SPDX-License-Identifier: BSD-2-Clause
// Kernel log: levels, timestamps and the kernel's own format extensions on top of the C ones.
#ifndef ZONEDEV_PLATFORM_PRINTK_H
#define ZONEDEV_PLATFORM_PRINTK_H

#include <stdarg.h>

#include <platform/types.h>

#define LOGLEVEL_EMERG 0
#define LOGLEVEL_ERR 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_NOTICE 5
#define LOGLEVEL_INFO 6
#define LOGLEVEL_DEBUG 7

/* A message starts with "\001" and a level digit, as in Linux. */
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
/* A continuation of the previous line: no level, no timestamp. */
#define KERN_CONT KERN_SOH "c"

/**
 * vscnprintf() - format into @buf like vsnprintf(), plus kernel extensions
 *
 * Extensions (the argument is a pointer, as in Linux):
 *   %pa  phys_addr_t *    -> 0x0000000080000000
 *   %pH  uint64_t * size  -> "64 MiB", "4 KiB", "1536 KiB", "3 B": the largest binary unit
 *                            that divides the size exactly, so no value is rounded
 * Every other conversion is the C one.
 * Return: characters written to @buf, excluding the NUL (never more than @size - 1).
 */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/** printk() - log a message at the level its KERN_ prefix gives (default: info). */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/** printk_set_level() - messages above @level are dropped (boot argument loglevel=). */
void printk_set_level(int level);

#define pr_emerg(fmt, ...) printk(KERN_EMERG fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG fmt, ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)

#endif
