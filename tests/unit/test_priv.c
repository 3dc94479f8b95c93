/* priv_run_as: the function runs in a child with the drop user's ids (as
 * root), this process keeps its own; a missing user or root is refused. */
#include <errno.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/priv.h"

/* 10 + (whether the child is unprivileged and holds no supplementary
 * group), so the parent can tell what the child was. */
static int report_ids(void *arg)
{
	uid_t want = *(uid_t *)arg;
	uid_t r, e, s;
	if (getresuid(&r, &e, &s))
		return 1;
	return r == want && e == want && s == want && getgroups(0, NULL) == 0 ? 10 : 20;
}

static void test_run_as(void **state)
{
	(void)state;
	char why[160];
	uid_t before = geteuid();
	struct passwd *pw = getpwnam("nobody");
	if (!pw)
		skip();
	uid_t want = before == 0 ? pw->pw_uid : before;
	int r = priv_run_as("nobody", report_ids, &want, why, sizeof why);
	if (before == 0)
		assert_int_equal(r, 10);
	else
		assert_true(r == 10 || r == 20); /* supplementary groups are kept unprivileged */
	assert_int_equal(geteuid(), before); /* this process is unchanged */
}

static void test_refusals(void **state)
{
	(void)state;
	char why[160] = "";
	uid_t u = 0;
	if (geteuid() != 0)
		skip(); /* unprivileged, the user is not looked up */
	assert_int_equal(priv_run_as("no-such-user-lifeboat", report_ids, &u, why, sizeof why),
			 -ENOENT);
	assert_non_null(strstr(why, "no user 'no-such-user-lifeboat'"));
	assert_int_equal(priv_run_as("root", report_ids, &u, why, sizeof why), -EINVAL);
	assert_non_null(strstr(why, "is root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_as),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
