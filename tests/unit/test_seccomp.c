/* seccomp and sandbox reporting: the serve filter refuses what a server
 * never needs (execve, ptrace) by killing the process, still allows the
 * loop's own syscalls, and the start-up line names each missing part. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/sandbox.h"
#include "netboot/seccomp.h"

/* Child: install the filter, check allowed calls work (exit 0..), then
 * make the forbidden one: it must never return. */
static int child_status(int forbidden, char *reached)
{
	int sv[2], prog[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(pipe(prog), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(10);
		int r = seccomp_install_serve();
		/* -ENOSYS: qemu-user (the arm64 unit suite) runs no filters */
		if (r == -EOPNOTSUPP || r == -EINVAL || r == -ENOSYS)
			_exit(77);
		if (r <= 0)
			_exit(2);
		/* what the loop does all day still works ... */
		char c = 'x';
		if (send(sv[0], &c, 1, 0) != 1 || recv(sv[1], &c, 1, 0) != 1 ||
		    write(prog[1], "k", 1) != 1)
			_exit(3);
		/* ... and the forbidden call never returns */
		if (forbidden == SYS_execve) {
			char *argv[] = {"/bin/true", NULL};
			syscall(SYS_execve, "/bin/true", argv, NULL);
		} else {
			syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL);
		}
		_exit(4);
	}
	close(prog[1]);
	close(sv[0]);
	close(sv[1]);
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	*reached = 0;
	if (read(prog[0], reached, 1) != 1)
		*reached = 0;
	close(prog[0]);
	return ws;
}

static void check_killed(int forbidden, const char *name)
{
	char reached;
	int ws = child_status(forbidden, &reached);
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 77) {
		print_message("no seccomp filter on this kernel/architecture: skipped\n");
		skip();
	}
	if (WIFEXITED(ws))
		fail_msg("%s: child exited %d instead of dying by SIGSYS", name, WEXITSTATUS(ws));
	if (reached != 'k')
		fail_msg("%s: killed before the forbidden call (an allowed one was refused)", name);
	assert_true(WIFSIGNALED(ws));
	if (WTERMSIG(ws) != SIGSYS)
		fail_msg("%s: child died by signal %d, not SIGSYS", name, WTERMSIG(ws));
}

static void test_execve_killed(void **state)
{
	(void)state;
	check_killed(SYS_execve, "execve");
}

static void test_ptrace_killed(void **state)
{
	(void)state;
	check_killed(SYS_ptrace, "ptrace");
}

static void test_serve_skips_under_sanitizers(void **state)
{
	(void)state;
	/* this test binary is an ASan build: serve must not install there */
#if defined(__SANITIZE_ADDRESS__)
	assert_int_equal(seccomp_serve(), -ECANCELED);
	assert_non_null(strstr(seccomp_strerror(-ECANCELED), "sanitizer"));
#endif
}

struct missing_case {
	int landlock, seccomp;
	int want;
	const char *has[2];
};

static const struct missing_case missing_cases[] = {
    {7, 60, 0, {NULL, NULL}},
    {5, -ECANCELED, 1, {"syscalls: no seccomp filter (sanitizer", NULL}},
    {3, 60, 0, {NULL, NULL}},
    {4, -EINVAL, 2, {"device ioctls: Landlock ABI 4 < 5", "CONFIG_SECCOMP_FILTER"}},
    {2, 60, 1, {"truncate: Landlock ABI 2 < 3", NULL}},
    {1, -EOPNOTSUPP, 3, {"truncate", "no syscall table"}},
    {-ENOSYS, 60, 1, {"filesystem: no Landlock (ENOSYS", "executing"}},
    {-EOPNOTSUPP, 60, 1, {"lsm=", NULL}},
    {-ENOSYS, -EINVAL, 2, {"no Landlock", "syscalls"}},
};

static void test_missing_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof missing_cases / sizeof missing_cases[0]; i++) {
		const struct missing_case *c = &missing_cases[i];
		char buf[512];
		int n = sandbox_missing(c->landlock, c->seccomp, buf, sizeof buf);
		if (n != c->want)
			fail_msg("case %zu: %d missing, want %d (%s)", i, n, c->want, buf);
		if (n == 0)
			assert_string_equal(buf, "");
		for (size_t j = 0; j < 2; j++)
			if (c->has[j] && !strstr(buf, c->has[j]))
				fail_msg("case %zu: '%s' lacks '%s'", i, buf, c->has[j]);
	}
	char tiny[8];
	assert_int_equal(sandbox_missing(-ENOSYS, -EINVAL, tiny, sizeof tiny), 2);
	assert_true(strlen(tiny) < sizeof tiny);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_execve_killed),
	    cmocka_unit_test(test_ptrace_killed),
	    cmocka_unit_test(test_serve_skips_under_sanitizers),
	    cmocka_unit_test(test_missing_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
