// SPDX-License-Identifier: BSD-2-Clause
// What the host fakes record for tests to inspect.
#ifndef ZONEDEV_TESTS_FAKES_H
#define ZONEDEV_TESTS_FAKES_H

/* The last message printk() formatted, and how many were printed. */
extern char fake_last_log[1024];
extern unsigned int fake_log_count;

#endif
