// SPDX-License-Identifier: BSD-2-Clause
// Minimal device model: devices made from device-tree nodes, drivers bound by "compatible",
// probe/remove, and device-managed resources released in reverse order (after Linux
// drivers/base/{core,dd,devres}.c). Differs from Linux: no bus types, no kobjects, no deferred
// probe, fixed pools, no locking (boot hart only).
#ifndef ZONEDEV_PLATFORM_DEVICE_H
#define ZONEDEV_PLATFORM_DEVICE_H

#include <platform/types.h>

struct dt;
struct devres;
struct device_driver;

#define DEVICE_NAME_MAX 64
#define DEVICE_COMPAT_MAX 128
#define DEVICE_MAX_REG 4
/* QEMU virt trees have about 45 device nodes: room for boards with many pmem nodes besides. */
#define DEVICE_POOL_SIZE 256
#define DEVRES_POOL_SIZE 256

/**
 * struct device_reg - one "reg" entry of the device's node
 * @base, @size: the range as a CPU physical address (translated through the parents' "ranges")
 */
struct device_reg {
	phys_addr_t base, size;
};

/**
 * struct device - one device
 * @name: the node's unit name ("pmem@c0000000"), or what device_init() was given
 * @of_node: structure-block offset of its device-tree node, -1 when it has none
 * @compatible: the node's "compatible" string list, NUL-separated as in the tree
 * @compatible_len: bytes used in @compatible (each string with its NUL)
 * @reg: the node's "reg" entries (the first DEVICE_MAX_REG)
 * @nr_reg: entries in @reg
 * @driver: the bound driver, NULL while unbound
 * @driver_data: for the driver (dev_set_drvdata()/dev_get_drvdata())
 * @probe_err: result of the last failed probe, 0 otherwise
 * @devres: device-managed resources, most recent first
 * @registered: on the device list
 * @next: device list link
 */
struct device {
	char name[DEVICE_NAME_MAX];
	int of_node;
	char compatible[DEVICE_COMPAT_MAX];
	size_t compatible_len;
	struct device_reg reg[DEVICE_MAX_REG];
	unsigned int nr_reg;
	struct device_driver *driver;
	void *driver_data;
	int probe_err;
	struct devres *devres;
	bool registered;
	struct device *next;
};

/**
 * struct device_driver - a driver
 * @name: for messages
 * @compatible: NULL-terminated list of "compatible" strings it handles
 * @probe: bind to @dev. Return: 0, or a negative errno (the device stays unbound and every
 *	   devres added during the probe is released, newest first)
 * @remove: unbind (may be NULL); devres entries are released after it returns
 * @registered: on the driver list
 * @next: driver list link
 */
struct device_driver {
	const char *name;
	const char *const *compatible;
	int (*probe)(struct device *dev);
	void (*remove)(struct device *dev);
	bool registered;
	struct device_driver *next;
};

/**
 * device_init() - fill @dev for a device without a tree node, or with one the caller decoded
 * @name: copied
 * @of_node: node offset or -1
 * @compatible, @compatible_len: NUL-separated list (as in the tree), copied; may be NULL/0
 * Return: 0, or -ERANGE if @name or @compatible does not fit (@dev is then unusable).
 */
int device_init(struct device *dev, const char *name, int of_node, const char *compatible,
		size_t compatible_len);

/**
 * device_init_dt() - fill @dev from the node @node of @dt: unit name, "compatible", "reg".
 * Return: 0; -ERANGE when the name or compatible list is too long or the node has more than
 * DEVICE_MAX_REG reg entries; the dt_reg_cpu() error (dt->error set) for a malformed or
 * untranslatable "reg".
 */
int device_init_dt(struct device *dev, struct dt *dt, int node);

/** device_is_compatible() - @dev's compatible list holds @compat. */
bool device_is_compatible(const struct device *dev, const char *compat);

/**
 * device_register() - put @dev on the device list and bind it to the first registered driver
 * that matches. A failing probe does not make registration fail (see @dev->probe_err).
 * Return: 0, or -EEXIST if @dev is already registered.
 */
int device_register(struct device *dev);

/** device_unregister() - unbind @dev (remove, then release its devres) and forget it. */
void device_unregister(struct device *dev);

/**
 * driver_register() - put @drv on the driver list and bind it to every unbound matching
 * device. Return: 0, -EINVAL without a probe function, -EEXIST if already registered.
 */
int driver_register(struct device_driver *drv);

/** driver_unregister() - unbind every device bound to @drv and forget @drv. */
void driver_unregister(struct device_driver *drv);

/**
 * device_release_driver() - unbind @dev from its driver, if any: @drv->remove(), then
 * devres_release_all(). The device stays registered (a later driver_register() may bind it).
 */
void device_release_driver(struct device *dev);

/**
 * device_create_dt() - a device from the static pool, filled by device_init_dt() and registered
 * Return: the device, ERR_PTR(-ENOMEM) when all DEVICE_POOL_SIZE devices are used, or the
 * device_init_dt() error.
 */
struct device *device_create_dt(struct dt *dt, int node);

/** device_first() - the first registered device; follow ->next for the others. */
struct device *device_first(void);

/**
 * device_populate_dt() - device_create_dt() for every available node with a "compatible"
 * property among the root's children and, recursively, the children of "simple-bus" nodes
 * (as Linux's of_platform_populate() does). Nodes whose device cannot be made are reported and
 * skipped.
 * Return: the number of devices created, or -ENOMEM if the pool ran out first.
 */
int device_populate_dt(struct dt *dt);

/**
 * device_reset_all() - forget every device and driver and empty both pools without calling
 * anything (tests).
 */
void device_reset_all(void);

/** dev_set_drvdata()/dev_get_drvdata() - the driver's private pointer. */
static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

/**
 * devm_add_action() - call @action(@data) when @dev is unbound or its probe fails, after the
 * actions added later (reverse order of addition).
 * Return: 0, -EINVAL without @action, -ENOMEM when all DEVRES_POOL_SIZE entries are used.
 */
int devm_add_action(struct device *dev, void (*action)(void *), void *data);

/** devm_add_action_or_reset() - devm_add_action(), calling @action(@data) at once if it fails. */
int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data);

/**
 * devm_remove_action() - forget the most recent (@action, @data) entry without calling it.
 * Return: 0, or -ENOENT if there is none.
 */
int devm_remove_action(struct device *dev, void (*action)(void *), void *data);

/**
 * devm_release_action() - call the most recent (@action, @data) entry now and forget it.
 * Return: 0, or -ENOENT if there is none.
 */
int devm_release_action(struct device *dev, void (*action)(void *), void *data);

/**
 * devres_release_all() - call every devres action of @dev, newest first, and free the entries.
 * Return: how many were released.
 */
unsigned int devres_release_all(struct device *dev);

/** devres_count() - devres entries @dev holds. */
unsigned int devres_count(const struct device *dev);

/** devres_pool_in_use() - devres entries in use across all devices (leak checks). */
unsigned int devres_pool_in_use(void);

#endif
