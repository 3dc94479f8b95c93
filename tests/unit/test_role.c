/* Which role a start of the binary takes (rescue/role): only the init role
 * acts as PID 1, chosen by argv or by valid takeover state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rescue/role.h"

#define CHOOSE(pid, known, state, ...)                                                      \
	({                                                                                  \
		char *av_[] = {__VA_ARGS__, NULL};                                          \
		role_choose((int)(sizeof av_ / sizeof av_[0]) - 1, av_, pid, known, state); \
	})

static void test_commands_as_pid1(void **state)
{
	(void)state;
	/* A container entrypoint: the command runs as asked, never the init. */
	assert_int_equal(CHOOSE(1, true, false, "/usr/bin/lifeboat", "serve", "-i", "lo"),
			 ROLE_COMMAND);
	assert_int_equal(CHOOSE(1, true, false, "lifeboat", "serve", "--help"), ROLE_COMMAND);
	assert_int_equal(CHOOSE(1, true, false, "lifeboat", "--help"), ROLE_COMMAND);
	assert_int_equal(CHOOSE(1, true, false, "lifeboat", "--version"), ROLE_COMMAND);
	assert_int_equal(CHOOSE(1, true, false, "lifeboat", "takeover", "--dry-run"), ROLE_COMMAND);
	/* Even with takeover state around, a named command is that command. */
	assert_int_equal(CHOOSE(1, true, true, "lifeboat", "serve"), ROLE_COMMAND);
	/* An unknown word is a usage error, not a rescue shell. */
	assert_int_equal(CHOOSE(1, false, false, "lifeboat", "bogus"), ROLE_COMMAND);
	/* "init" is a command: init_main itself refuses when not PID 1. */
	assert_int_equal(CHOOSE(1, true, false, "lifeboat", "init"), ROLE_COMMAND);
	assert_int_equal(CHOOSE(42, true, false, "lifeboat", "init"), ROLE_COMMAND);
}

static void test_init_entries(void **state)
{
	(void)state;
	/* Inits re-executing the bound path (doc/takeover.md): their argv. */
	assert_int_equal(
	    CHOOSE(1, false, false, "/lib/systemd/systemd", "--system", "--deserialize=49"),
	    ROLE_INIT);
	assert_int_equal(CHOOSE(1, false, false, "/sbin/init", "--init"), ROLE_INIT);
	assert_int_equal(CHOOSE(1, false, false, "/sbin/openrc-init", "reexec"), ROLE_INIT);
	/* busybox ::restart: runs the substitute by its own path, no args. */
	assert_int_equal(CHOOSE(1, false, true, "/run/lifeboat-rescue/lifeboat/lifeboat"),
			 ROLE_INIT);
	/* The kernel's init= with nothing asked: exiting would panic. */
	assert_int_equal(CHOOSE(1, false, false, "/sbin/lifeboat"), ROLE_INIT);
	/* Stage 2 from the RAM root copy. */
	assert_int_equal(CHOOSE(1, false, false, "/lifeboat/lifeboat", ROLE_STAGE2_ARG), ROLE_INIT);
	/* An unexpected argv only with valid takeover state. */
	assert_int_equal(CHOOSE(1, false, true, "/x/lifeboat", "weird"), ROLE_INIT);
	assert_int_equal(CHOOSE(1, false, false, "/x/lifeboat", "weird"), ROLE_COMMAND);
}

static void test_not_pid1(void **state)
{
	(void)state;
	/* telinit u while the bind holds /sbin/init: nothing done. */
	assert_int_equal(CHOOSE(852, false, false, "/sbin/telinit", "u"), ROLE_REFUSE);
	assert_int_equal(CHOOSE(9, false, false, "/lib/systemd/systemd", "--version"), ROLE_REFUSE);
	assert_int_equal(CHOOSE(9, false, true, "/run/lifeboat-rescue/lifeboat/lifeboat"),
			 ROLE_COMMAND);
	assert_int_equal(CHOOSE(9, true, false, "lifeboat", "serve"), ROLE_COMMAND);
	assert_int_equal(CHOOSE(9, false, false, "lifeboat", ROLE_SELFTEST_ARG), ROLE_SELFTEST);
	assert_int_equal(CHOOSE(1, false, false, "/usr/lib/systemd/systemd", ROLE_SELFTEST_ARG),
			 ROLE_SELFTEST);
}

static void test_init_like(void **state)
{
	(void)state;
	assert_true(role_init_like("/sbin/init"));
	assert_true(role_init_like("init"));
	assert_true(role_init_like("/usr/sbin/openrc-init"));
	assert_true(role_init_like("/lib/systemd/systemd"));
	assert_false(role_init_like("/usr/bin/lifeboat"));
	assert_false(role_init_like("/sbin/ini"));
	assert_false(role_init_like("/usr/lib/systemd/systemd-udevd"));
	assert_false(role_init_like("/init/lifeboat"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands_as_pid1),
	    cmocka_unit_test(test_init_entries),
	    cmocka_unit_test(test_not_pid1),
	    cmocka_unit_test(test_init_like),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
