#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/plan.h"

#define VEC LIFEBOAT_SRCDIR "/tests/vectors/mountinfo/"

static void test_state_roundtrip(void **state)
{
	(void)state;
	struct rescue_state a, b;
	char buf[16384];
	plan_state_init(&a);
	a.start_ms = 18446744073709551615ull;
	snprintf(a.init_name, sizeof a.init_name, "systemd");
	snprintf(a.init_path, sizeof a.init_path, "/usr/lib/systemd/systemd");
	snprintf(a.run, sizeof a.run, "e2fsck -f -y /dev/vda && echo a=b c");
	a.then = THEN_RETURN;
	a.grace_s = 7;
	a.revert_after_s = 300;
	a.ssh_port = 2222;
	snprintf(a.root_opts, sizeof a.root_opts, "rw,relatime,errors=remount-ro");
	a.root_major = 254;
	int n = plan_state_format(&a, buf, sizeof buf);
	assert_true(n > 0);
	plan_state_init(&b);
	assert_int_equal(plan_state_parse(buf, (size_t)n, &b), 0);
	assert_memory_equal(&a, &b, sizeof a);
	/* too small a buffer */
	assert_int_equal(plan_state_format(&a, buf, 40), -ENOBUFS);
	/* a newline in a value would smuggle in a key */
	snprintf(a.run, sizeof a.run, "x\nthen=reboot");
	assert_int_equal(plan_state_format(&a, buf, sizeof buf), -EINVAL);
}

static void test_state_parse_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
	} v[] = {
		{ "grace=3\n", 0 },
		{ "# comment\n\nunknown_key=whatever\n", 0 },
		{ "grace=\n", -EBADMSG },
		{ "grace=-1\n", -EBADMSG },
		{ "grace=4294967296\n", -EBADMSG },
		{ "start_ms=18446744073709551616\n", -EBADMSG },
		{ "then=dance\n", -EBADMSG },
		{ "=x\n", -EBADMSG },
		{ "noequals\n", -EBADMSG },
		{ "init_name=0123456789012345678901234567890123456789\n", -EBADMSG },
		{ "then=poweroff", 0 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct rescue_state s;
		plan_state_init(&s);
		int rc = plan_state_parse(v[i].in, strlen(v[i].in), &s);
		if (rc != v[i].rc)
			fail_msg("vector %zu (%s): rc %d want %d", i, v[i].in, rc, v[i].rc);
	}
	struct rescue_state s;
	plan_state_init(&s);
	assert_int_equal(s.grace_s, 5);
	assert_string_equal(s.console, "/dev/console");
	assert_int_equal(plan_state_parse("then=poweroff\ngrace=9", 21, &s), 0);
	assert_int_equal(s.then, THEN_POWEROFF);
	assert_int_equal(s.grace_s, 9);
	const char nul[] = "run=a\0b\n";
	assert_int_equal(plan_state_parse(nul, sizeof nul - 1, &s), -EBADMSG);
}

static void test_then_names(void **state)
{
	(void)state;
	static const char *const names[] = { "shell", "reboot", "poweroff", "return", "switch" };
	for (size_t i = 0; i < 5; i++) {
		enum then_action a;
		assert_int_equal(plan_then_parse(names[i], &a), 0);
		assert_string_equal(plan_then_name(a), names[i]);
	}
	enum then_action a;
	assert_int_equal(plan_then_parse("Shell", &a), -EINVAL);
}

/* Every mount comes before the mount it sits on (its parent). */
static void assert_children_first(const struct mnt_entry **o, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (o[i]->parent == o[j]->id)
				continue; /* child before parent: fine */
			else if (o[j]->parent == o[i]->id)
				fail_msg("%s (id %d) listed before its child %s", o[i]->target,
					 o[i]->id, o[j]->target);
}

static void test_unmount_order_debian(void **state)
{
	(void)state;
	struct mnt_table t;
	const struct mnt_entry *o[64];
	const char *skip[] = { "/dev", "/proc", "/sys", "/run" };
	assert_int_equal(mountinfo_load(VEC "debian12-systemd.txt", &t), 0);
	int n = plan_unmount_order(&t, "/", skip, 4, o, 64);
	/* / , /srv/my data, its tmp, /mnt/bind twice, overlay */
	assert_int_equal(n, 6);
	assert_children_first(o, n);
	assert_string_equal(o[n - 1]->target, "/");
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < 4; k++)
			assert_false(mountinfo_path_under(o[i]->target, skip[k]));
	/* the stacked mount on /mnt/bind (id 55) goes before id 52 */
	int i55 = -1, i52 = -1;
	for (int i = 0; i < n; i++) {
		if (o[i]->id == 55)
			i55 = i;
		if (o[i]->id == 52)
			i52 = i;
	}
	assert_true(i55 >= 0 && i52 > i55);
	/* without skip everything is listed, children first */
	n = plan_unmount_order(&t, "/", NULL, 0, o, 64);
	assert_int_equal(n, (int)t.n);
	assert_children_first(o, n);
	/* too small an output */
	assert_int_equal(plan_unmount_order(&t, "/", NULL, 0, o, 3), -ENOBUFS);
	mountinfo_free(&t);
}

static void test_unmount_order_oldroot(void **state)
{
	(void)state;
	const char *mi = "1 0 0:30 / / rw - tmpfs rescue rw\n"
			 "2 1 254:0 / /oldroot rw - ext4 /dev/vda rw\n"
			 "3 2 254:16 / /oldroot/home rw - ext4 /dev/vdb rw\n"
			 "4 3 0:40 / /oldroot/home/a\\040b rw - tmpfs x rw\n"
			 "5 2 0:41 / /oldroot/var rw - tmpfs y rw\n"
			 "6 1 0:5 / /dev rw - devtmpfs udev rw\n"
			 "7 1 0:42 / /oldrootx rw - tmpfs z rw\n";
	struct mnt_table t;
	const struct mnt_entry *o[8];
	assert_int_equal(mountinfo_parse(mi, strlen(mi), &t), 0);
	int n = plan_unmount_order(&t, OLDROOT, NULL, 0, o, 8);
	assert_int_equal(n, 4);
	assert_string_equal(o[0]->target, "/oldroot/home/a b");
	assert_string_equal(o[n - 1]->target, "/oldroot");
	assert_children_first(o, n);
	mountinfo_free(&t);
}

static void test_ram(void **state)
{
	(void)state;
	assert_true(plan_ram_needed(0) > 0);
	assert_true(plan_ram_needed(100 << 20) > (100u << 20));
	assert_true(plan_ram_needed(200 << 20) > plan_ram_needed(100 << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_parse_vectors),
		cmocka_unit_test(test_then_names),
		cmocka_unit_test(test_unmount_order_debian),
		cmocka_unit_test(test_unmount_order_oldroot),
		cmocka_unit_test(test_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
