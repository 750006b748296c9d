// SPDX-License-Identifier: BSD-2-Clause
// Prints what bootfdt_parse() (platform/common/bootfdt.c, dt_address.c) decodes from each tree
// given, one fact a line, for tests/host/board-trees to compare with an independent decode:
//
//   file PATH
//   memory BASE SIZE            every recorded /memory range (hex)
//   reserved BASE SIZE NOMAP    every recorded reserved range (/reserved-memory, /memreserve/)
//   uart BASE NODE              the stdout UART, when bootfdt drives its kind and decoded it
//   uart-refused                stdout names a UART we drive but its address is unusable
//   report PATH: MESSAGE        every problem bootfdt reported
//   errors N
//   end
//
// Usage: dtdecode TREE.dtb...   (exit 0; 1 when a file cannot be read or is no tree)

#include <platform/bootinfo.h>
#include <platform/dt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"

static void report(const struct dt_error *e, void *ctx)
{
	(void)ctx;
	printf("report %s: %s\n", e->path, e->msg);
}

int main(int argc, char **argv)
{
	static struct boot_info bi;
	static struct dt dt;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		size_t size = 0;
		uint8_t *blob = read_file(argv[i], &size);

		printf("file %s\n", argv[i]);
		if (!blob || dt_init(&dt, blob, size) < 0) {
			printf("unreadable %s\nend\n", blob ? dt.error.msg : "cannot read the file");
			free(blob);
			status = 1;
			continue;
		}
		memset(&bi, 0, sizeof(bi));
		bootfdt_parse(&dt, &bi, report, NULL);
		for (int k = 0; k < bi.nr_memory; k++)
			printf("memory 0x%llx 0x%llx\n", (unsigned long long)bi.memory[k].base,
			       (unsigned long long)bi.memory[k].size);
		for (int k = 0; k < bi.nr_reserved; k++)
			printf("reserved 0x%llx 0x%llx %d\n", (unsigned long long)bi.reserved[k].base,
			       (unsigned long long)bi.reserved[k].size, bi.reserved[k].no_map);
		if (bi.uart_kind != BI_UART_NONE)
			printf("uart 0x%llx %s\n", (unsigned long long)bi.uart_base, bi.uart_node);
		if (bi.uart_refused)
			printf("uart-refused\n");
		printf("errors %d\nend\n", bi.errors);
		free(blob);
	}
	return status;
}
