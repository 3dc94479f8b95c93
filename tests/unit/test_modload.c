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
	assert_int_equal(modsel_next(text, strlen(text), &pos, p, sizeof p), 1);
	assert_string_equal(p, "/lib/modules/6.1.0/kernel/drivers/virtio/virtio.ko");
	assert_int_equal(modsel_next(text, strlen(text), &pos, p, sizeof p), 1);
	assert_string_equal(p, "/lib/modules/6.1.0/kernel/drivers/virtio/virtio_ring.ko.xz");
	assert_int_equal(modsel_next(text, strlen(text), &pos, p, sizeof p), -EINVAL);
	assert_int_equal(modsel_next(text, strlen(text), &pos, p, sizeof p), 1);
	assert_string_equal(p, "/lib/modules/6.1.0/kernel/drivers/net/virtio_net.ko.zst");
	assert_int_equal(modsel_next(text, strlen(text), &pos, p, sizeof p), 0);
	/* too long for the caller's buffer: refused, not cut */
	pos = 0;
	assert_int_equal(modsel_next("/abcdefgh\n/a\n", 13, &pos, p, 5), -EINVAL);
	assert_int_equal(modsel_next("/abcdefgh\n/a\n", 13, &pos, p, 5), 1);
	assert_string_equal(p, "/a");
	/* a NUL inside a line */
	pos = 0;
	assert_int_equal(modsel_next("/a\0b\n", 5, &pos, p, sizeof p), -EINVAL);
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *path, *name;
		enum modsel_comp comp;
	} v[] = {
	    {"/lib/modules/k/virtio_net.ko", "virtio_net", MODSEL_PLAIN},
	    {"/lib/modules/k/virtio-rng.ko.xz", "virtio_rng", MODSEL_XZ},
	    {"/lib/modules/k/e1000e.ko.zst", "e1000e", MODSEL_ZST},
	    {"/lib/modules/k/af_packet.ko.gz", "af_packet", MODSEL_GZ},
	    {"noslash.ko", "noslash", MODSEL_PLAIN},
	    {"/x/odd.name", "odd.name", MODSEL_PLAIN},
	};
	char n[64];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(modsel_name(v[i].path, n, sizeof n), v[i].comp);
		assert_string_equal(n, v[i].name);
	}
	assert_int_equal(modsel_name("/k/averylongname.ko", n, 5), MODSEL_PLAIN);
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
