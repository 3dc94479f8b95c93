#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rescue/rootfs.h"
#include "testutil.h"

static void mk(const char *root, const char *rel, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof p, "%s%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	chmod(p, mode);
}

static void ln(const char *root, const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void d(const char *root, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* Symlinks are resolved inside the root, as its own init would see them:
 * an absolute link is not looked up on the host. */
static void test_find_init(void **state)
{
	(void)state;
	/* rootfs resolves through openat2 RESOLVE_IN_ROOT only (takeover
	 * needs Linux 5.6); qemu-user 7.2 lacks it */
	if (!tu_have_openat2())
		skip();
	char root[] = "/tmp/lbr-rootfs.XXXXXX", out[256];
	assert_non_null(mkdtemp(root));
	d(root, "/sbin");
	d(root, "/bin");
	d(root, "/lib");
	/* /sbin/init -> /bin/sh, which exists on the host but not in root */
	ln(root, "/bin/sh", "/sbin/init");
	assert_int_equal(rootfs_find_init(root, NULL, out, sizeof out), -ENOENT);
	/* escaping with .. stays inside the root */
	ln(root, "../../../../../../bin/sh", "/init");
	assert_int_equal(rootfs_find_init(root, NULL, out, sizeof out), -ENOENT);
	/* now /bin/sh exists inside, but not executable */
	mk(root, "/bin/sh", 0644);
	assert_int_equal(rootfs_check_exec(root, "/sbin/init"), -EACCES);
	chmod(strcat(strcpy(out, root), "/bin/sh"), 0755);
	assert_int_equal(rootfs_find_init(root, NULL, out, sizeof out), 0);
	assert_string_equal(out, "/sbin/init");
	/* preferred path first */
	mk(root, "/lib/realinit", 0755);
	assert_int_equal(rootfs_find_init(root, "/lib/realinit", out, sizeof out), 0);
	assert_string_equal(out, "/lib/realinit");
	/* a preferred path that is missing falls back */
	assert_int_equal(rootfs_find_init(root, "/lib/missing", out, sizeof out), 0);
	assert_string_equal(out, "/sbin/init");
	/* a directory is not an init */
	assert_int_equal(rootfs_check_exec(root, "/lib"), -EACCES);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	assert_true(rootfs_check_exec("/nonexistent-root", "/sbin/init") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
