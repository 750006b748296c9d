// SPDX-License-Identifier: BSD-2-Clause
// Device model and devres (platform/common/device.c): binding by compatible, probe/remove,
// devm actions released newest first on unbind and on probe failure, pool limits, and devices
// populated from a small device tree built here.
#include <platform/device.h>
#include <platform/dt.h>
#include <platform/err.h>
#include <platform/errno.h>

#include "fakes.h"
#include "tap.h"

/* ---- a log of what ran, in order ---- */

static char seq[256];

static void log_str(const char *s)
{
	strncat(seq, s, sizeof(seq) - strlen(seq) - 1);
}

static void act(void *data)
{
	log_str(data);
}

static void reset(void)
{
	device_reset_all();
	seq[0] = '\0';
}

static void make(struct device *dev, const char *name, const char *compat, size_t len)
{
	CHECK_EQ(device_init(dev, name, -1, compat, len), 0);
}

#define COMPAT(s) s, sizeof(s) /* a literal stringlist, with its final NUL */

/* ---- cases ---- */

static void devres_release_all_is_newest_first(void)
{
	struct device dev;

	reset();
	make(&dev, "d", NULL, 0);
	CHECK_EQ(devm_add_action(&dev, act, "a"), 0);
	CHECK_EQ(devm_add_action(&dev, act, "b"), 0);
	CHECK_EQ(devm_add_action(&dev, act, "c"), 0);
	CHECK_EQ(devres_count(&dev), 3);
	CHECK_EQ(devres_pool_in_use(), 3);
	CHECK_EQ(devres_release_all(&dev), 3);
	CHECK_STREQ(seq, "cba");
	CHECK_EQ(devres_count(&dev), 0);
	CHECK_EQ(devres_pool_in_use(), 0);
	CHECK_EQ(devm_add_action(&dev, NULL, "x"), -EINVAL);
}

static void remove_and_release_single_actions(void)
{
	struct device dev;

	reset();
	make(&dev, "d", NULL, 0);
	devm_add_action(&dev, act, "a");
	devm_add_action(&dev, act, "b");
	devm_add_action(&dev, act, "a");
	devm_add_action(&dev, act, "c");
	/* The newest matching entry goes; remove does not call, release does. */
	CHECK_EQ(devm_remove_action(&dev, act, "a"), 0);
	CHECK_STREQ(seq, "");
	CHECK_EQ(devm_release_action(&dev, act, "b"), 0);
	CHECK_STREQ(seq, "b");
	CHECK_EQ(devm_release_action(&dev, act, "b"), -ENOENT);
	CHECK_EQ(devm_remove_action(&dev, act, "zz"), -ENOENT);
	devres_release_all(&dev);
	CHECK_STREQ(seq, "bca");
	CHECK_EQ(devres_pool_in_use(), 0);
}

static void devres_pool_exhaustion(void)
{
	struct device dev;

	reset();
	make(&dev, "greedy", NULL, 0);
	for (unsigned int i = 0; i < DEVRES_POOL_SIZE; i++)
		CHECK_EQ(devm_add_action(&dev, act, ""), 0);
	CHECK_EQ(devm_add_action(&dev, act, "x"), -ENOMEM);
	CHECK(strstr(fake_last_log, "greedy") != NULL);
	CHECK_STREQ(seq, "");
	/* _or_reset runs the action itself when it cannot be recorded. */
	CHECK_EQ(devm_add_action_or_reset(&dev, act, "r"), -ENOMEM);
	CHECK_STREQ(seq, "r");
	CHECK_EQ(devres_release_all(&dev), DEVRES_POOL_SIZE);
	CHECK_EQ(devres_pool_in_use(), 0);
}

static int probe_ok(struct device *dev)
{
	log_str("P");
	devm_add_action(dev, act, "1");
	devm_add_action(dev, act, "2");
	dev_set_drvdata(dev, seq);
	return 0;
}

static int probe_fails(struct device *dev)
{
	log_str("F");
	devm_add_action(dev, act, "x");
	devm_add_action(dev, act, "y");
	return -EIO;
}

static void remove_logs(struct device *dev)
{
	CHECK(dev_get_drvdata(dev) == seq);
	log_str("R");
}

static const char *const uart_compat[] = { "ns16550a", NULL };
static const char *const test_compat[] = { "sifive,test0", "sifive,test1", NULL };

static void probe_failure_releases_what_it_added(void)
{
	static struct device_driver bad = { .name = "bad", .compatible = uart_compat,
					    .probe = probe_fails };
	static struct device_driver good = { .name = "good", .compatible = uart_compat,
					     .probe = probe_ok, .remove = remove_logs };
	struct device dev;

	reset();
	make(&dev, "serial@10000000", COMPAT("ns16550a"));
	CHECK_EQ(driver_register(&bad), 0);
	CHECK_EQ(device_register(&dev), 0); /* registration succeeds, binding does not */
	CHECK(dev.driver == NULL);
	CHECK_EQ(dev.probe_err, -EIO);
	CHECK_STREQ(seq, "Fyx");
	CHECK_EQ(devres_pool_in_use(), 0);
	CHECK(strstr(fake_last_log, "serial@10000000") && strstr(fake_last_log, "bad"));
	/* A later matching driver binds the still-unbound device. */
	CHECK_EQ(driver_register(&good), 0);
	CHECK(dev.driver == &good);
	CHECK_EQ(dev.probe_err, 0);
	/* remove() first, then devres newest first. */
	device_unregister(&dev);
	CHECK_STREQ(seq, "FyxPR21");
	CHECK(dev.driver == NULL && !dev.registered);
	CHECK_EQ(devres_pool_in_use(), 0);
}

static void binding_by_compatible(void)
{
	static struct device_driver uart = { .name = "uart", .compatible = uart_compat,
					     .probe = probe_ok };
	static struct device_driver test = { .name = "test", .compatible = test_compat,
					     .probe = probe_ok };
	static struct device_driver noprobe = { .name = "noprobe", .compatible = uart_compat };
	struct device a, b, c;

	reset();
	/* The second string of the device's list matches; a prefix does not. */
	make(&a, "test@100000", COMPAT("sifive,test1\0syscon"));
	make(&b, "serial", COMPAT("ns16550"));
	make(&c, "serial2", COMPAT("vendor,uart\0ns16550a"));
	CHECK(device_is_compatible(&a, "syscon"));
	CHECK(!device_is_compatible(&b, "ns16550a"));
	CHECK(!device_is_compatible(&b, "ns1655"));
	CHECK_EQ(device_register(&a), 0);
	CHECK_EQ(device_register(&a), -EEXIST);
	CHECK_EQ(device_register(&b), 0);
	CHECK_EQ(driver_register(&uart), 0);
	CHECK_EQ(driver_register(&uart), -EEXIST);
	CHECK_EQ(driver_register(&noprobe), -EINVAL);
	CHECK_EQ(driver_register(&test), 0);
	CHECK_EQ(device_register(&c), 0);
	CHECK(a.driver == &test && b.driver == NULL && c.driver == &uart);
	CHECK_EQ(devres_pool_in_use(), 4);
	/* Unregistering a driver unbinds (and releases) only its devices. */
	driver_unregister(&uart);
	CHECK(c.driver == NULL && c.registered && a.driver == &test);
	CHECK_EQ(devres_pool_in_use(), 2);
	device_release_driver(&a);
	CHECK(a.driver == NULL && a.registered);
	CHECK_EQ(devres_pool_in_use(), 0);
	/* Registering the driver again binds the device again. */
	CHECK_EQ(driver_register(&test), -EEXIST);
	driver_unregister(&test);
	CHECK_EQ(driver_register(&test), 0);
	CHECK(a.driver == &test);
	device_unregister(&a);
	device_unregister(&b);
	device_unregister(&c);
	CHECK_EQ(devres_pool_in_use(), 0);
}

static void device_init_limits(void)
{
	struct device dev;
	char longname[DEVICE_NAME_MAX + 1];
	char longcompat[DEVICE_COMPAT_MAX + 1] = { 0 };

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_EQ(device_init(&dev, longname, -1, NULL, 0), -ERANGE);
	CHECK_EQ(device_init(&dev, "x", -1, longcompat, sizeof(longcompat)), -ERANGE);
	/* A list without its final NUL never matches past the end. */
	CHECK_EQ(device_init(&dev, "x", -1, "abc", 3), 0);
	CHECK(!device_is_compatible(&dev, "abc"));
}

/* ---- a small flattened tree, written by hand ---- */

struct fdt_builder {
	uint8_t st[2048], str[512];
	size_t nst, nstr;
};

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void tok(struct fdt_builder *b, uint32_t v)
{
	be32(b->st + b->nst, v);
	b->nst += 4;
}

static void bytes(struct fdt_builder *b, const void *p, size_t n)
{
	memcpy(b->st + b->nst, p, n);
	b->nst += n;
	while (b->nst % 4)
		b->st[b->nst++] = 0;
}

static void begin(struct fdt_builder *b, const char *name)
{
	tok(b, 1);
	bytes(b, name, strlen(name) + 1);
}

static void end(struct fdt_builder *b)
{
	tok(b, 2);
}

static void prop(struct fdt_builder *b, const char *name, const void *val, size_t len)
{
	size_t off = b->nstr;

	memcpy(b->str + b->nstr, name, strlen(name) + 1);
	b->nstr += strlen(name) + 1;
	tok(b, 3);
	tok(b, (uint32_t)len);
	tok(b, (uint32_t)off);
	bytes(b, val, len);
}

static void prop_cells(struct fdt_builder *b, const char *name, const uint32_t *cells, size_t n)
{
	uint8_t v[128];

	for (size_t i = 0; i < n; i++)
		be32(v + 4 * i, cells[i]);
	prop(b, name, v, 4 * n);
}

static size_t finish(struct fdt_builder *b, uint8_t *blob)
{
	size_t off_rsv = 40, off_st = off_rsv + 16, off_str = off_st + b->nst;
	size_t total = off_str + b->nstr;

	memset(blob, 0, total);
	be32(blob, DT_MAGIC);
	be32(blob + 4, (uint32_t)total);
	be32(blob + 8, (uint32_t)off_st);
	be32(blob + 12, (uint32_t)off_str);
	be32(blob + 16, (uint32_t)off_rsv);
	be32(blob + 20, 17);
	be32(blob + 24, 16);
	be32(blob + 32, (uint32_t)b->nstr);
	be32(blob + 36, (uint32_t)b->nst);
	memcpy(blob + off_st, b->st, b->nst);
	memcpy(blob + off_str, b->str, b->nstr);
	return total;
}

static void device_populate_dt_makes_devices(void)
{
	static struct fdt_builder b;
	static uint8_t blob[4096];
	static const uint32_t two = 2;
	static const uint32_t reg_pmem[] = { 1, 0, 0, 0x10000000 };
	static const uint32_t reg_uart[] = { 0, 0x10000000, 0, 0x100 };
	static const uint32_t reg_five[] = { 0, 0, 0, 1, 0, 2, 0, 1, 0, 4,
					     0, 1, 0, 6, 0, 1, 0, 8, 0, 1 };
	static const char *const pmem_compat[] = { "pmem-region", NULL };
	static struct device_driver pmem = { .name = "pmem", .probe = probe_ok,
					     .compatible = pmem_compat };
	struct dt dt;
	int n;

	reset();
	memset(&b, 0, sizeof(b));
	begin(&b, "");
	prop_cells(&b, "#address-cells", &two, 1);
	prop_cells(&b, "#size-cells", &two, 1);
	prop(&b, "compatible", COMPAT("test,board"));
	begin(&b, "memory@80000000");
	prop(&b, "device_type", COMPAT("memory"));
	end(&b);
	begin(&b, "pmem@100000000");
	prop(&b, "compatible", COMPAT("pmem-region"));
	prop_cells(&b, "reg", reg_pmem, 4);
	end(&b);
	begin(&b, "pmem@110000000");
	prop(&b, "compatible", COMPAT("pmem-region"));
	prop(&b, "status", COMPAT("disabled"));
	end(&b);
	begin(&b, "soc");
	prop(&b, "compatible", COMPAT("simple-bus"));
	prop_cells(&b, "#address-cells", &two, 1);
	prop_cells(&b, "#size-cells", &two, 1);
	prop(&b, "ranges", "", 0); /* empty: bus addresses are CPU addresses */
	begin(&b, "serial@10000000");
	prop(&b, "compatible", COMPAT("ns16550a"));
	prop_cells(&b, "reg", reg_uart, 4);
	end(&b);
	begin(&b, "inner");
	begin(&b, "hidden@0"); /* not below a simple-bus: no device */
	prop(&b, "compatible", COMPAT("ns16550a"));
	end(&b);
	end(&b);
	end(&b);
	begin(&b, "toomany@0");
	prop(&b, "compatible", COMPAT("x"));
	prop_cells(&b, "reg", reg_five, 20);
	end(&b);
	end(&b);
	tok(&b, 9);
	size_t size = finish(&b, blob);

	CHECK_EQ(dt_init(&dt, blob, size), 0);
	CHECK_EQ(driver_register(&pmem), 0);
	n = device_populate_dt(&dt);
	CHECK_EQ(n, 3);
	CHECK(strstr(fake_last_log, "/toomany@0") != NULL);

	int node = dt_path_offset(&dt, "/pmem@100000000");
	struct device *d = device_create_dt(&dt, node);
	CHECK(!IS_ERR(d));
	CHECK_STREQ(d->name, "pmem@100000000");
	CHECK_EQ(d->of_node, node);
	CHECK_EQ(d->nr_reg, 1);
	CHECK_EQ(d->reg[0].base, 0x100000000ULL);
	CHECK_EQ(d->reg[0].size, 0x10000000);
	CHECK(d->driver == &pmem);
	node = dt_path_offset(&dt, "/soc/serial@10000000");
	d = device_create_dt(&dt, node);
	CHECK(!IS_ERR(d) && d->reg[0].base == 0x10000000 && d->driver == NULL);
	CHECK_EQ(PTR_ERR(device_create_dt(&dt, dt_path_offset(&dt, "/toomany@0"))), -ERANGE);
	/* The pool runs out with a clear -ENOMEM. */
	int made = 5;
	while (!IS_ERR(d = device_create_dt(&dt, node)))
		made++;
	CHECK_EQ(PTR_ERR(d), -ENOMEM);
	CHECK_EQ(made, DEVICE_POOL_SIZE);
	CHECK_EQ(device_populate_dt(&dt), -ENOMEM);
}

static const struct tap_case cases[] = {
	TAP_CASE(devres_release_all_is_newest_first),
	TAP_CASE(remove_and_release_single_actions),
	TAP_CASE(devres_pool_exhaustion),
	TAP_CASE(probe_failure_releases_what_it_added),
	TAP_CASE(binding_by_compatible),
	TAP_CASE(device_init_limits),
	TAP_CASE(device_populate_dt_makes_devices),
};

TAP_MAIN("platform_device", cases)
