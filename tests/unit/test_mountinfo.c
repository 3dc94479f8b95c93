#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/mountinfo.h"

#define VEC LIFEBOAT_SRCDIR "/tests/vectors/mountinfo/"

static void test_debian_sample(void **state)
{
	(void)state;
	struct mnt_table t;
	assert_int_equal(mountinfo_load(VEC "debian12-systemd.txt", &t), 0);
	assert_int_equal(t.n, 16);
	const struct mnt_entry *root = mountinfo_find(&t, "/");
	assert_non_null(root);
	assert_int_equal(root->id, 28);
	assert_int_equal(root->parent, 1);
	assert_int_equal(root->major, 254);
	assert_int_equal(root->minor, 0);
	assert_string_equal(root->fstype, "ext4");
	assert_string_equal(root->source, "/dev/vda");
	assert_string_equal(root->super, "rw,errors=remount-ro");
	assert_true(root->shared);
	/* \040 in the mount point becomes a space */
	const struct mnt_entry *sp = mountinfo_find(&t, "/srv/my data");
	assert_non_null(sp);
	assert_int_equal(sp->id, 51);
	assert_non_null(mountinfo_find(&t, "/srv/my data/tmp"));
	assert_string_equal(mountinfo_find(&t, "/srv/my data/tmp")->source, "tmp\\x");
	/* bind mount: root is the subdirectory */
	assert_string_equal(t.v[12].root, "/sub");
	/* stacked: the later mount on /mnt/bind is the visible one */
	const struct mnt_entry *st = mountinfo_find(&t, "/mnt/bind");
	assert_int_equal(st->id, 55);
	assert_false(st->shared); /* master:30 only */
	/* overlay with long super options */
	const struct mnt_entry *ov = mountinfo_find(&t, "/var/lib/docker/overlay2/abc/merged");
	assert_string_equal(ov->fstype, "overlay");
	assert_non_null(strstr(ov->super, "workdir="));
	assert_true(mountinfo_has_opt(mountinfo_find(&t, "/run")->opts, "noexec"));
	assert_false(mountinfo_has_opt(root->opts, "noexec"));
	mountinfo_free(&t);
}

/* The live table of the machine running the tests parses and has a root. */
static void test_self_and_firecracker(void **state)
{
	(void)state;
	struct mnt_table t;
	assert_int_equal(mountinfo_load("/proc/self/mountinfo", &t), 0);
	assert_true(t.n > 0);
	assert_non_null(mountinfo_find(&t, "/"));
	mountinfo_free(&t);
	assert_int_equal(mountinfo_load(VEC "firecracker-host.txt", &t), 0);
	assert_non_null(mountinfo_find(&t, "/"));
	mountinfo_free(&t);
}

static void test_nsfs_root(void **state)
{
	(void)state;
	struct mnt_table t;
	const char *s = "42 41 0:4 net:[4026532176] /run/netns/x rw shared:2 - nsfs nsfs rw\n";
	assert_int_equal(mountinfo_parse(s, strlen(s), &t), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].root, "net:[4026532176]");
	assert_string_equal(t.v[0].target, "/run/netns/x");
	mountinfo_free(&t);
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"1 2 3:4 / / rw ext4 /dev/x rw\n",             /* no separator */
		"1 2 3:4 / / rw -\n",                          /* no fstype */
		"1 2 3:4 / / rw - ext4\n",                     /* no source */
		"x 2 3:4 / / rw - ext4 /dev/x rw\n",           /* id not a number */
		"1 2 34 / / rw - ext4 /dev/x rw\n",            /* devno without colon */
		"1 2 3:4 / relative rw - ext4 /dev/x rw\n",    /* target not absolute */
		"1 2 3:4 / / rw - ext4 /dev/x rw extra\n",     /* junk after super */
		"1 2 3:4 / /\n",                               /* truncated */
		"-1 2 3:4 / / rw - ext4 /dev/x rw\n",          /* negative id */
		"99999999999 2 3:4 / / rw - ext4 /dev/x rw\n", /* overflow */
		"1 2 3:4 / / rw - ext4 /dev/x rw\ngarbage\n",  /* second line bad */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct mnt_table t;
		int rc = mountinfo_parse(bad[i], strlen(bad[i]), &t);
		if (rc != -EBADMSG)
			fail_msg("vector %zu: rc %d", i, rc);
		assert_int_equal(t.n, 0);
		assert_null(t.v);
	}
	/* embedded NUL */
	struct mnt_table t;
	const char nul[] = "1 2 3:4 / / rw - ext4 /dev/x\0 rw\n";
	assert_int_equal(mountinfo_parse(nul, sizeof nul - 1, &t), -EBADMSG);
	/* empty input and blank lines are fine */
	assert_int_equal(mountinfo_parse("", 0, &t), 0);
	assert_int_equal(t.n, 0);
	mountinfo_free(&t);
	assert_int_equal(mountinfo_parse("\n\n", 2, &t), 0);
	mountinfo_free(&t);
	/* older kernels: no super options, no trailing newline */
	assert_int_equal(mountinfo_parse("1 2 3:4 / / rw - ext4 /dev/x", 28, &t), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].super, "");
	mountinfo_free(&t);
}

static void test_unescape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "a\\040b", "a b" },   { "\\011tab", "\ttab" }, { "nl\\012", "nl\n" },
		{ "bs\\134x", "bs\\x" }, { "\\04", "\\04" },      { "\\0a0", "\\0a0" },
		{ "\\000", "\\000" },   { "\\", "\\" },          { "plain", "plain" },
		{ "\\101\\102", "AB" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char b[32];
		snprintf(b, sizeof b, "%s", v[i].in);
		mountinfo_unescape(b);
		assert_string_equal(b, v[i].out);
	}
}

static void test_path_under(void **state)
{
	(void)state;
	assert_true(mountinfo_path_under("/oldroot", "/oldroot"));
	assert_true(mountinfo_path_under("/oldroot/x", "/oldroot"));
	assert_false(mountinfo_path_under("/oldrootx", "/oldroot"));
	assert_false(mountinfo_path_under("/old", "/oldroot"));
	assert_true(mountinfo_path_under("/anything", "/"));
	assert_true(mountinfo_path_under("/", "/"));
	assert_false(mountinfo_has_opt("rw,noexecx", "noexec"));
	assert_true(mountinfo_has_opt("noexec", "noexec"));
	assert_false(mountinfo_has_opt("", "ro"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_sample), cmocka_unit_test(test_self_and_firecracker),
		cmocka_unit_test(test_nsfs_root),     cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unescape),      cmocka_unit_test(test_path_under),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
