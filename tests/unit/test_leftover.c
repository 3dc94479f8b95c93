/* Takeover leftovers (rescue/leftover, plan_state_stale): a state file from
 * another boot or past its deadline is never acted on, and the mounts of
 * the rescue tmpfs are found and ordered binds-first for removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/leftover.h"
#include "rescue/plan.h"

static void test_stale(void **state)
{
	(void)state;
	struct rescue_state s;
	char buf[16384];
	plan_state_init(&s);
	/* An old stage 0 wrote neither: nothing to judge by. */
	assert_null(plan_state_stale(&s, "b1", 5000));
	snprintf(s.boot_id, sizeof s.boot_id, "0b5e7c1a-1111-4222-8333-444455556666");
	s.deadline_ms = 100000;
	assert_null(plan_state_stale(&s, "0b5e7c1a-1111-4222-8333-444455556666", 99999));
	assert_null(plan_state_stale(&s, "0b5e7c1a-1111-4222-8333-444455556666", 100000));
	assert_string_equal(plan_state_stale(&s, "0b5e7c1a-1111-4222-8333-444455556666", 100001),
			    "past its deadline");
	/* Another boot: stale whatever the clock says (it restarted at 0). */
	assert_string_equal(plan_state_stale(&s, "ffffffff-1111-4222-8333-444455556666", 10),
			    "written in an earlier boot");
	/* Boot id unreadable now: only the deadline counts. */
	assert_null(plan_state_stale(&s, "", 10));
	assert_non_null(plan_state_stale(&s, NULL, 200000));
	/* Both survive the state file. */
	struct rescue_state t;
	int n = plan_state_format(&s, buf, sizeof buf);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "deadline_ms=100000\n"));
	plan_state_init(&t);
	assert_int_equal(plan_state_parse(buf, (size_t)n, &t), 0);
	assert_string_equal(t.boot_id, s.boot_id);
	assert_int_equal(t.deadline_ms, 100000);
}

static void test_mounts(void **state)
{
	(void)state;
	static const char mi[] =
	    "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	    "23 22 0:21 / /run rw,nosuid,nodev,noexec shared:2 - tmpfs tmpfs rw\n"
	    "40 23 0:40 / /run/lifeboat-rescue rw shared:20 - tmpfs lifeboat-rescue rw\n"
	    "41 40 0:41 / /run/lifeboat-rescue/newroot rw - tmpfs lifeboat-newroot rw\n"
	    "42 22 0:40 /lifeboat/lifeboat /usr/lib/systemd/systemd rw - tmpfs lifeboat-rescue "
	    "rw\n"
	    "43 22 0:40 /lifeboat/inittab /etc/inittab rw - tmpfs lifeboat-rescue rw\n"
	    "44 22 0:44 / /mnt/other rw - tmpfs lifeboat-rescue-not rw\n";
	struct mnt_table t;
	const struct mnt_entry *v[8];
	assert_int_equal(mountinfo_parse(mi, strlen(mi), &t), 0);
	size_t n = leftover_mounts(&t, v, 8);
	assert_int_equal(n, 3);
	assert_string_equal(v[0]->target, "/etc/inittab");
	assert_string_equal(v[1]->target, "/usr/lib/systemd/systemd");
	assert_string_equal(v[2]->target, "/run/lifeboat-rescue");
	assert_int_equal(leftover_mounts(&t, v, 1), 1);
	mountinfo_free(&t);
	static const char clean[] = "22 1 254:1 / / rw - ext4 /dev/vda rw\n";
	assert_int_equal(mountinfo_parse(clean, strlen(clean), &t), 0);
	assert_int_equal(leftover_mounts(&t, v, 8), 0);
	mountinfo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stale),
	    cmocka_unit_test(test_mounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
