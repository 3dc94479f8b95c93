/* role: which part of the multi-call binary one start runs (pure). Only
 * the init role acts as PID 1; every other command runs as asked even when
 * it happens to be PID 1 (a container's entrypoint). */
#ifndef LIFEBOAT_RESCUE_ROLE_H
#define LIFEBOAT_RESCUE_ROLE_H

#include <stdbool.h>

enum role_kind {
	ROLE_COMMAND,  /* dispatch argv[1] as a command (or print usage) */
	ROLE_INIT,     /* init_main(argc, argv): the PID 1 role */
	ROLE_SELFTEST, /* exit 42: takeover proving the bound path runs us */
	ROLE_REFUSE,   /* an init's name while not PID 1: do nothing */
};

/* The argument takeover passes to the bound substitute, and the one the
 * init passes to its own RAM-root copy. */
#define ROLE_SELFTEST_ARG "--lifeboat-selftest"
#define ROLE_STAGE2_ARG "--lifeboat-stage2"

/* True for names an init is started under: "init", "*init" (openrc-init,
 * telinit) and "systemd". */
bool role_init_like(const char *argv0);

/* Decides the role from argv, our pid, whether argv[1] names one of our
 * commands or options (argv1_known), and whether a valid takeover state
 * file exists (state_valid):
 * - an init's name (the bind over the init binary): init as PID 1, else refuse;
 * - a known command runs as that command, PID 1 or not;
 * - PID 1 with no arguments (the kernel's init=), with valid takeover state
 *   (an init re-executing the substitute), or the stage-2 argument: init;
 * - anything else is a command (usage error for an unknown one). */
enum role_kind role_choose(int argc, char *const argv[], long pid, bool argv1_known,
			   bool state_valid);

#endif
