/* role: the dispatch decision of main(), kept pure so that it is tested. */
#include "rescue/role.h"

#include <string.h>

bool role_init_like(const char *argv0)
{
	const char *s = strrchr(argv0, '/');
	s = s ? s + 1 : argv0;
	size_t n = strlen(s);
	return (n >= 4 && !strcmp(s + n - 4, "init")) || !strcmp(s, "systemd");
}

enum role_kind role_choose(int argc, char *const argv[], long pid, bool argv1_known,
			   bool state_valid)
{
	if (argc == 2 && !strcmp(argv[1], ROLE_SELFTEST_ARG))
		return ROLE_SELFTEST;
	/* Started under an init's name we are bound over the init binary (or
	 * are a rescue image's /init). Not PID 1, something ran that binary
	 * as a tool (sysvinit's telinit is a link to init): do nothing. */
	if (argc > 0 && role_init_like(argv[0]))
		return pid == 1 ? ROLE_INIT : ROLE_REFUSE;
	if (argc >= 2 && argv1_known)
		return ROLE_COMMAND;
	if (pid == 1 && (argc < 2 || state_valid || !strcmp(argv[1], ROLE_STAGE2_ARG)))
		return ROLE_INIT;
	return ROLE_COMMAND;
}
