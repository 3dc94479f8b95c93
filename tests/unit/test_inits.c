#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/inits.h"

static void test_detect_table(void **state)
{
	(void)state;
	static const struct {
		const char *exe, *comm, *argv0;
		enum init_kind kind;
		enum reexec_method method;
	} v[] = {
	    {"/usr/lib/systemd/systemd", "systemd", "/sbin/init", INIT_SYSTEMD, REEXEC_SYSTEMCTL},
	    {"/lib/systemd/systemd", "systemd", "/lib/systemd/systemd", INIT_SYSTEMD,
	     REEXEC_SYSTEMCTL},
	    {"/usr/lib/systemd/systemd (deleted)", "systemd", "/sbin/init", INIT_SYSTEMD,
	     REEXEC_SYSTEMCTL},
	    {"/usr/sbin/init", "init", "init", INIT_SYSVINIT, REEXEC_INITCTL},
	    {"/sbin/init", "init", "/sbin/init", INIT_SYSVINIT, REEXEC_INITCTL},
	    {"/usr/sbin/openrc-init", "openrc-init", "/sbin/openrc-init", INIT_OPENRC,
	     REEXEC_OPENRC},
	    {"/bin/busybox", "init", "/sbin/init", INIT_BUSYBOX, REEXEC_BUSYBOX_INITTAB},
	    {"/usr/bin/busybox", "busybox", "init", INIT_BUSYBOX, REEXEC_BUSYBOX_INITTAB},
	    {"/lifeboat/lifeboat", "lifeboat", "/lib/systemd/systemd", INIT_LIFEBOAT, REEXEC_NONE},
	    /* exe unreadable (not root): argv0 and comm still tell */
	    {"", "init", "/sbin/init", INIT_SYSVINIT, REEXEC_INITCTL},
	    {"", "systemd", "/lib/systemd/systemd", INIT_SYSTEMD, REEXEC_SYSTEMCTL},
	    {"/sbin/runit-init", "runit", "runit", INIT_RUNIT, REEXEC_PTRACE},
	    {"/sbin/runit", "runit", "runit", INIT_RUNIT, REEXEC_PTRACE},
	    {"/usr/bin/s6-svscan", "s6-svscan", "s6-svscan", INIT_S6, REEXEC_PTRACE},
	    {"/sbin/tini", "tini", "tini", INIT_UNKNOWN, REEXEC_NONE},
	    /* busybox applets other than init as a container's PID 1 */
	    {"/bin/busybox", "sleep", "sleep", INIT_UNKNOWN, REEXEC_NONE},
	    {"/bin/busybox", "sh", "/bin/sh", INIT_UNKNOWN, REEXEC_NONE},
	    {"/bin/busybox", "busybox", "/bin/busybox", INIT_BUSYBOX, REEXEC_BUSYBOX_INITTAB},
	    {"/process_api", "process_api", "/process_api", INIT_UNKNOWN, REEXEC_NONE},
	    /* a "telinit" binary as PID 1 is not sysvinit's init */
	    {"/sbin/telinit", "telinit", "telinit", INIT_UNKNOWN, REEXEC_NONE},
	    {NULL, NULL, NULL, INIT_UNKNOWN, REEXEC_NONE},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const struct init_info *in = inits_detect(v[i].exe, v[i].comm, v[i].argv0);
		assert_non_null(in);
		if (in->kind != v[i].kind || in->method != v[i].method)
			fail_msg("vector %zu (%s): kind %d method %d", i, v[i].exe ? v[i].exe : "",
				 in->kind, in->method);
		assert_non_null(in->name);
	}
	/* the re-exec targets the notes found */
	assert_string_equal(inits_detect("/usr/lib/systemd/systemd", "systemd", "")->exec_path,
			    "/lib/systemd/systemd");
	assert_string_equal(inits_detect("/usr/sbin/init", "init", "")->exec_path, "/sbin/init");
	assert_non_null(strstr(inits_supported(), "busybox"));
}

static void test_initctl_request(void **state)
{
	(void)state;
	uint8_t r[INITCTL_REQUEST_SIZE];
	int32_t magic, cmd, rl, sleep;
	memset(r, 0xaa, sizeof r);
	inits_initctl_request(r);
	memcpy(&magic, r, 4);
	memcpy(&cmd, r + 4, 4);
	memcpy(&rl, r + 8, 4);
	memcpy(&sleep, r + 12, 4);
	assert_int_equal(magic, 0x03091969);
	assert_int_equal(cmd, 1);
	assert_int_equal(rl, 'U');
	assert_int_equal(sleep, 0);
	for (size_t i = 16; i < sizeof r; i++)
		assert_int_equal(r[i], 0);
	/* little-endian bytes of the magic, as x86 init reads them */
	assert_int_equal(r[0], 0x69);
	assert_int_equal(r[3], 0x03);
}

static void test_busybox_inittab(void **state)
{
	(void)state;
	char b[64];
	int n = inits_busybox_inittab(b, sizeof b, "/run/lifeboat-rescue/lifeboat/lifeboat");
	assert_int_equal(n, (int)strlen("::restart:/run/lifeboat-rescue/lifeboat/lifeboat\n"));
	assert_string_equal(b, "::restart:/run/lifeboat-rescue/lifeboat/lifeboat\n");
	assert_int_equal(inits_busybox_inittab(b, 20, "/run/lifeboat-rescue/lifeboat/lifeboat"),
			 -ENOBUFS);
	assert_int_equal(inits_busybox_inittab(b, sizeof b, "/a b"), -ENOBUFS);
	assert_int_equal(inits_busybox_inittab(b, sizeof b, "/a;reboot"), -ENOBUFS);
	assert_int_equal(inits_busybox_inittab(b, sizeof b, "relative"), -ENOBUFS);
	assert_int_equal(inits_busybox_inittab(b, sizeof b, NULL), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect_table),
	    cmocka_unit_test(test_initctl_request),
	    cmocka_unit_test(test_busybox_inittab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
