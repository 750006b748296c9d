// SPDX-License-Identifier: BSD-2-Clause
// Whole-file reads for host tests that take device-tree blobs on their command line.
#ifndef ZONEDEV_TESTS_READ_FILE_H
#define ZONEDEV_TESTS_READ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* read_file() - the bytes of @path (malloc'ed, free() them) and their count, or NULL. */
uint8_t *read_file(const char *path, size_t *size);

#endif
