// SPDX-License-Identifier: BSD-2-Clause
// Minimal device model and devres (after Linux drivers/base/dd.c for binding and
// drivers/base/devres.c for device-managed resources, released newest first).
#include <string.h>

#include <platform/device.h>
#include <platform/dt.h>
#include <platform/err.h>
#include <platform/errno.h>
#include <platform/printk.h>

/**
 * struct devres - one device-managed action
 * @action, @data: called as @action(@data) at release
 * @next: the entry added before this one
 */
struct devres {
	void (*action)(void *data);
	void *data;
	struct devres *next;
};

static struct devres devres_pool[DEVRES_POOL_SIZE];
static bool devres_used[DEVRES_POOL_SIZE];
static unsigned int devres_in_use;

static struct device device_pool[DEVICE_POOL_SIZE];
static unsigned int device_pool_next;

static struct device *devices;
static struct device_driver *drivers;

/* ---- devres ---- */

static struct devres *devres_alloc(void)
{
	for (unsigned int i = 0; i < DEVRES_POOL_SIZE; i++) {
		if (!devres_used[i]) {
			devres_used[i] = true;
			devres_in_use++;
			return &devres_pool[i];
		}
	}
	return NULL;
}

static void devres_free(struct devres *dr)
{
	devres_used[dr - devres_pool] = false;
	devres_in_use--;
}

int devm_add_action(struct device *dev, void (*action)(void *), void *data)
{
	struct devres *dr;

	if (!action)
		return -EINVAL;
	dr = devres_alloc();
	if (!dr) {
		pr_err("%s: devres pool exhausted (%u entries)\n", dev->name, DEVRES_POOL_SIZE);
		return -ENOMEM;
	}
	dr->action = action;
	dr->data = data;
	dr->next = dev->devres;
	dev->devres = dr;
	return 0;
}

int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data)
{
	int ret = devm_add_action(dev, action, data);

	if (ret && action)
		action(data);
	return ret;
}

/* Unlink the newest (@action, @data) entry; NULL if there is none. */
static struct devres *devres_take(struct device *dev, void (*action)(void *), void *data)
{
	for (struct devres **p = &dev->devres; *p; p = &(*p)->next) {
		struct devres *dr = *p;

		if (dr->action == action && dr->data == data) {
			*p = dr->next;
			return dr;
		}
	}
	return NULL;
}

int devm_remove_action(struct device *dev, void (*action)(void *), void *data)
{
	struct devres *dr = devres_take(dev, action, data);

	if (!dr)
		return -ENOENT;
	devres_free(dr);
	return 0;
}

int devm_release_action(struct device *dev, void (*action)(void *), void *data)
{
	struct devres *dr = devres_take(dev, action, data);

	if (!dr)
		return -ENOENT;
	devres_free(dr);
	action(data);
	return 0;
}

unsigned int devres_release_all(struct device *dev)
{
	unsigned int n = 0;

	/* Unlink before calling, so an action that adds or removes entries sees a sane list. */
	while (dev->devres) {
		struct devres *dr = dev->devres;
		void (*action)(void *) = dr->action;
		void *data = dr->data;

		dev->devres = dr->next;
		devres_free(dr);
		action(data);
		n++;
	}
	return n;
}

unsigned int devres_count(const struct device *dev)
{
	unsigned int n = 0;

	for (const struct devres *dr = dev->devres; dr; dr = dr->next)
		n++;
	return n;
}

unsigned int devres_pool_in_use(void)
{
	return devres_in_use;
}

/* ---- devices and drivers ---- */

static int copy_str(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);

	if (len >= cap)
		return -ERANGE;
	memcpy(dst, src, len + 1);
	return 0;
}

int device_init(struct device *dev, const char *name, int of_node, const char *compatible,
		size_t compatible_len)
{
	memset(dev, 0, sizeof(*dev));
	dev->of_node = of_node;
	if (copy_str(dev->name, sizeof(dev->name), name ? name : ""))
		return -ERANGE;
	if (compatible_len > sizeof(dev->compatible))
		return -ERANGE;
	if (compatible_len)
		memcpy(dev->compatible, compatible, compatible_len);
	dev->compatible_len = compatible_len;
	return 0;
}

int device_init_dt(struct device *dev, struct dt *dt, int node)
{
	const char *name = dt_node_name(dt, node);
	const char *compat;
	uint32_t len = 0;
	int ret, n;

	if (!name)
		return -EINVAL;
	compat = dt_getprop(dt, node, "compatible", &len);
	ret = device_init(dev, name, node, compat, compat ? len : 0);
	if (ret)
		return ret;
	n = dt_reg_count(dt, node);
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return n;
	if (n > DEVICE_MAX_REG)
		return -ERANGE;
	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		ret = dt_reg_cpu(dt, node, i, &base, &size);
		if (ret)
			return ret;
		dev->reg[i].base = base;
		dev->reg[i].size = size;
	}
	dev->nr_reg = (unsigned int)n;
	return 0;
}

bool device_is_compatible(const struct device *dev, const char *compat)
{
	size_t want = strlen(compat) + 1;

	for (size_t off = 0; off < dev->compatible_len;) {
		const char *s = dev->compatible + off;
		size_t left = dev->compatible_len - off;
		size_t len = 0;

		while (len < left && s[len])
			len++;

		if (len == left)
			return false; /* not NUL-terminated */
		if (len + 1 == want && memcmp(s, compat, want) == 0)
			return true;
		off += len + 1;
	}
	return false;
}

static bool driver_matches(const struct device_driver *drv, const struct device *dev)
{
	if (!drv->compatible)
		return false;
	for (const char *const *c = drv->compatible; *c; c++)
		if (device_is_compatible(dev, *c))
			return true;
	return false;
}

/* Probe @dev with @drv; on failure undo what the probe left behind. Return: probe result. */
static int really_probe(struct device *dev, struct device_driver *drv)
{
	int ret;

	dev->driver = drv;
	ret = drv->probe(dev);
	if (ret == 0) {
		dev->probe_err = 0;
		return 0;
	}
	devres_release_all(dev);
	dev->driver = NULL;
	dev->driver_data = NULL;
	dev->probe_err = ret;
	pr_err("%s: probe by driver %s failed: %d\n", dev->name, drv->name ? drv->name : "?",
	       ret);
	return ret;
}

/* Bind @dev to the first matching registered driver (drivers kept in registration order). */
static void device_attach(struct device *dev)
{
	for (struct device_driver *drv = drivers; drv && !dev->driver; drv = drv->next)
		if (driver_matches(drv, dev))
			really_probe(dev, drv);
}

int device_register(struct device *dev)
{
	struct device **p;

	if (dev->registered)
		return -EEXIST;
	for (p = &devices; *p; p = &(*p)->next)
		;
	dev->next = NULL;
	*p = dev;
	dev->registered = true;
	if (!dev->driver)
		device_attach(dev);
	return 0;
}

void device_release_driver(struct device *dev)
{
	struct device_driver *drv = dev->driver;

	if (!drv)
		return;
	if (drv->remove)
		drv->remove(dev);
	devres_release_all(dev);
	dev->driver = NULL;
	dev->driver_data = NULL;
}

void device_unregister(struct device *dev)
{
	if (!dev->registered)
		return;
	device_release_driver(dev);
	for (struct device **p = &devices; *p; p = &(*p)->next) {
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	}
	dev->next = NULL;
	dev->registered = false;
}

int driver_register(struct device_driver *drv)
{
	struct device_driver **p;

	if (!drv->probe)
		return -EINVAL;
	if (drv->registered)
		return -EEXIST;
	for (p = &drivers; *p; p = &(*p)->next)
		;
	drv->next = NULL;
	*p = drv;
	drv->registered = true;
	for (struct device *dev = devices; dev; dev = dev->next)
		if (!dev->driver && driver_matches(drv, dev))
			really_probe(dev, drv);
	return 0;
}

void driver_unregister(struct device_driver *drv)
{
	if (!drv->registered)
		return;
	for (struct device *dev = devices; dev; dev = dev->next)
		if (dev->driver == drv)
			device_release_driver(dev);
	for (struct device_driver **p = &drivers; *p; p = &(*p)->next) {
		if (*p == drv) {
			*p = drv->next;
			break;
		}
	}
	drv->next = NULL;
	drv->registered = false;
}

struct device *device_first(void)
{
	return devices;
}

struct device *device_create_dt(struct dt *dt, int node)
{
	struct device *dev;
	int ret;

	if (device_pool_next == DEVICE_POOL_SIZE)
		return ERR_PTR(-ENOMEM);
	dev = &device_pool[device_pool_next];
	ret = device_init_dt(dev, dt, node);
	if (ret)
		return ERR_PTR(ret);
	device_pool_next++;
	device_register(dev);
	return dev;
}

static int populate_children(struct dt *dt, int parent, int *count)
{
	for (int node = dt_first_child(dt, parent); node >= 0; node = dt_next_sibling(dt, node)) {
		struct device *dev;

		if (!dt_getprop(dt, node, "compatible", NULL) || !dt_node_available(dt, node))
			continue;
		dev = device_create_dt(dt, node);
		if (IS_ERR(dev)) {
			char path[DT_PATH_MAX];

			if (PTR_ERR(dev) == -ENOMEM) {
				pr_err("device: pool exhausted (%u devices)\n", DEVICE_POOL_SIZE);
				return -ENOMEM;
			}
			if (dt_node_path(dt, node, path, sizeof(path)))
				path[0] = '\0';
			pr_err("%s: no device made: %d\n", path, (int)PTR_ERR(dev));
			continue;
		}
		(*count)++;
		if (dt_node_is_compatible(dt, node, "simple-bus")) {
			int ret = populate_children(dt, node, count);

			if (ret)
				return ret;
		}
	}
	return 0;
}

int device_populate_dt(struct dt *dt)
{
	int count = 0;
	int ret = populate_children(dt, dt_root(dt), &count);

	return ret ? ret : count;
}

void device_reset_all(void)
{
	devices = NULL;
	drivers = NULL;
	device_pool_next = 0;
	for (unsigned int i = 0; i < DEVRES_POOL_SIZE; i++)
		devres_used[i] = false;
	devres_in_use = 0;
}
