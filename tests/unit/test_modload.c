/* modload: the module list's lines (comments, blanks, relative paths) and
 * module names and compression from file names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/modload.h"

static void test_list(void **state)
{
	(void)state;
	const char text[] = "# virtio first\n"
			    "/lib/modules/6.1.0/kernel/drivers/virtio/virtio.ko\n"
			    "\n"
			    "   /lib/modules/6.1.0/kernel/drivers/virtio/virtio_ring.ko.xz  \r\n"
			    "relative/x.ko\n"
			    "\t# indented comment\n"
			    "/lib/modules/6.1.0/kernel/drivers/net/virtio_net.ko.zst";
	size_t pos = 0;
	char p[128];
	assert_int_equal(modload_next(text, strlen(text), &pos, p, sizeof p), 1);
	assert_string_equal(p, "/lib/modules/6.1.0/kernel/drivers/virtio/virtio.ko");
	assert_int_equal(modload_next(text, strlen(text), &pos, p, sizeof p), 1);
	assert_string_equal(p, "/lib/modules/6.1.0/kernel/drivers/virtio/virtio_ring.ko.xz");
	assert_int_equal(modload_next(text, strlen(text), &pos, p, sizeof p), -EINVAL);
	assert_int_equal(modload_next(text, strlen(text), &pos, p, sizeof p), 1);
	assert_string_equal(p, "/lib/modules/6.1.0/kernel/drivers/net/virtio_net.ko.zst");
	assert_int_equal(modload_next(text, strlen(text), &pos, p, sizeof p), 0);
	/* too long for the caller's buffer: refused, not cut */
	pos = 0;
	assert_int_equal(modload_next("/abcdefgh\n/a\n", 13, &pos, p, 5), -EINVAL);
	assert_int_equal(modload_next("/abcdefgh\n/a\n", 13, &pos, p, 5), 1);
	assert_string_equal(p, "/a");
	/* a NUL inside a line */
	pos = 0;
	assert_int_equal(modload_next("/a\0b\n", 5, &pos, p, sizeof p), -EINVAL);
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *path, *name;
		enum modload_comp comp;
	} v[] = {
	    {"/lib/modules/k/virtio_net.ko", "virtio_net", MODLOAD_PLAIN},
	    {"/lib/modules/k/virtio-rng.ko.xz", "virtio_rng", MODLOAD_XZ},
	    {"/lib/modules/k/e1000e.ko.zst", "e1000e", MODLOAD_ZST},
	    {"/lib/modules/k/af_packet.ko.gz", "af_packet", MODLOAD_GZ},
	    {"noslash.ko", "noslash", MODLOAD_PLAIN},
	    {"/x/odd.name", "odd.name", MODLOAD_PLAIN},
	};
	char n[64];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(modload_name(v[i].path, n, sizeof n), v[i].comp);
		assert_string_equal(n, v[i].name);
	}
	assert_int_equal(modload_name("/k/averylongname.ko", n, 5), MODLOAD_PLAIN);
	assert_string_equal(n, "aver");
	struct modload_result r;
	assert_int_equal(modload_all("/nonexistent/modules", "/bin/busybox", &r), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
