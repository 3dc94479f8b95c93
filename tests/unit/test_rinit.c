/* rinit: the signals the rescue PID 1 takes as power requests (busybox
 * init's meanings), and the ones it ignores. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/reboot.h>
#include <cmocka.h>

#include "rescue/rinit.h"

static void test_power_signals(void **state)
{
	(void)state;
	static const struct {
		int sig;
		unsigned how;
		const char *action;
	} v[] = {
	    {SIGINT, RB_AUTOBOOT, "reboot"},	  {SIGTERM, RB_AUTOBOOT, "reboot"},
	    {SIGUSR1, RB_HALT_SYSTEM, "halt"},	  {SIGUSR2, RB_POWER_OFF, "poweroff"},
	    {SIGPWR, RB_POWER_OFF, "poweroff"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const struct rinit_power *p = rinit_power_for(v[i].sig);
		assert_non_null(p);
		assert_int_equal(p->how, v[i].how);
		assert_string_equal(p->action, v[i].action);
		assert_true(!strncmp(p->signame, "SIG", 3));
	}
	static const int ignored[] = {SIGHUP, SIGCHLD, SIGWINCH, SIGQUIT, SIGALRM, 0, 99};
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		assert_null(rinit_power_for(ignored[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_power_signals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
