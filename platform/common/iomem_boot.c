// SPDX-License-Identifier: BSD-2-Clause
// After paging_init(): devices from the tree, and the iomem resource tree (System RAM, reserved,
// pmem, every device's MMIO window) that region_intersects() and memremap() consult.
#include <platform/boot.h>
#include <platform/device.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/printk.h>
#include <mm/ioresource.h>

#define MAX_MMIO 128

static struct iomem_range mmio[MAX_MMIO];

static bool is_memory_range(const struct boot_info *bi, phys_addr_t base, phys_addr_t size)
{
	for (int i = 0; i < bi->nr_memory; i++)
		if (base < bi->memory[i].base + bi->memory[i].size &&
		    bi->memory[i].base < base + size)
			return true;
	for (int i = 0; i < bi->nr_pmem; i++)
		if (base < bi->pmem[i].base + bi->pmem[i].size && bi->pmem[i].base < base + size)
			return true;
	return false;
}

int iomem_boot_init(void);

int iomem_boot_init(void)
{
	unsigned int n = 0;
	int devices = device_populate_dt(&boot.dt);

	if (devices == -ENOMEM) {
		/* A limit of ours the tree ran into: said, and counted as invalid input. */
		pr_err("device: the tree has more device nodes than the %u we hold: the rest get "
		       "no device\n", DEVICE_POOL_SIZE);
		boot.memblock_problems++;
	} else if (devices < 0) {
		pr_err("device: populating from the tree failed: %d\n", devices);
	}
	for (struct device *dev = device_first(); dev; dev = dev->next) {
		for (unsigned int r = 0; r < dev->nr_reg; r++) {
			/* Memory and pmem nodes describe memory, not MMIO windows. */
			if (is_memory_range(&boot.bi, dev->reg[r].base, dev->reg[r].size))
				continue;
			if (n == MAX_MMIO) {
				pr_warn("iomem: more than %d MMIO windows; the rest are not recorded\n",
					MAX_MMIO);
				break;
			}
			mmio[n++] = (struct iomem_range){ dev->name, dev->reg[r].base,
							  dev->reg[r].size };
		}
	}
	int ret = iomem_init_from_bootinfo(&boot.bi, mmio, n);
	pr_info("iomem: %d devices, %u MMIO windows%s\n", devices < 0 ? 0 : devices, n,
		ret ? " (some conflicted, see above)" : "");
	iomem_print();
	return ret;
}
