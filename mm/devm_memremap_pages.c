// SPDX-License-Identifier: BSD-2-Clause
// devm_memremap_pages(): a pagemap that lives as long as its device's binding (Linux
// mm/memremap.c), apart from memremap_pages.c so the core builds without the device model.
#include <platform/device.h>
#include <platform/err.h>
#include <platform/printk.h>
#include <mm/memremap.h>
static void devm_memremap_pages_release(void *pgmap)
{
	int ret = memunmap_pages(pgmap);

	if (ret)
		pr_err("devm_memremap_pages: the pagemap stays (%d)\n", ret);
}

void *devm_memremap_pages(struct device *dev, struct dev_pagemap *pgmap)
{
	void *va = memremap_pages(pgmap);
	int err;

	if (IS_ERR(va))
		return va;
	err = devm_add_action(dev, devm_memremap_pages_release, pgmap);
	if (err) {
		memunmap_pages(pgmap);
		return ERR_PTR(err);
	}
	return va;
}

int devm_memunmap_pages(struct device *dev, struct dev_pagemap *pgmap)
{
	return devm_release_action(dev, devm_memremap_pages_release, pgmap);
}
