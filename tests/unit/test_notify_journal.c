/* core/notify (sd_notify's protocol to $NOTIFY_SOCKET) and core/log's
 * journald decision ($JOURNAL_STREAM) and its "<N>" line format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/notify.h"

struct addr_case {
	const char *value;
	int want;
	size_t path_len; /* bytes of sun_path the address covers */
};

static void test_notify_addr(void **state)
{
	(void)state;
	char longname[200];
	memset(longname, 'a', sizeof longname);
	longname[0] = '/';
	longname[sizeof longname - 1] = 0;
	const struct addr_case cases[] = {
	    {"/run/systemd/notify", 0, 20}, /* path and its NUL */
	    {"@/org/freedesktop/systemd1/notify/1", 0, 35},
	    {"@x", 0, 2},
	    {"", -EINVAL, 0},
	    {"@", -EINVAL, 0},
	    {"/", -EINVAL, 0},
	    {"run/systemd/notify", -EINVAL, 0}, /* relative */
	    {"vsock:2:123", -EINVAL, 0},	/* other families are not spoken */
	    {longname, -EINVAL, 0},
	    {NULL, -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sockaddr_un sa;
		socklen_t len = 0;
		int r = notify_addr(cases[i].value, &sa, &len);
		assert_int_equal(r, cases[i].want);
		if (r)
			continue;
		assert_int_equal(sa.sun_family, AF_UNIX);
		assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + cases[i].path_len);
		if (cases[i].value[0] == '@') {
			assert_int_equal(sa.sun_path[0], 0);
			assert_memory_equal(sa.sun_path + 1, cases[i].value + 1,
					    strlen(cases[i].value) - 1);
		} else {
			assert_string_equal(sa.sun_path, cases[i].value);
		}
	}
}

static void test_reloading_msg(void **state)
{
	(void)state;
	char buf[128];
	size_t n = notify_reloading_msg(buf, sizeof buf, 1234567, NULL);
	assert_string_equal(buf, "RELOADING=1\nMONOTONIC_USEC=1234567");
	assert_int_equal(n, strlen(buf));
	notify_reloading_msg(buf, sizeof buf, 5, "reloading");
	assert_string_equal(buf, "RELOADING=1\nMONOTONIC_USEC=5\nSTATUS=reloading");
	assert_int_equal(notify_reloading_msg(buf, 10, 5, NULL), 0); /* too small */
}

/* A listener on value's address; returns its fd. */
static int listener(const char *value)
{
	struct sockaddr_un sa;
	socklen_t len;
	assert_int_equal(notify_addr(value, &sa, &len), 0);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char got[256];
	ssize_t n = recv(fd, got, sizeof got - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	got[n] = 0;
	assert_string_equal(got, want);
}

static void test_notify_sends(void **state)
{
	(void)state;
	char name[64], path[108];
	/* unset: nothing to do, nothing sent */
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_open(), 0);
	assert_false(notify_enabled());
	assert_int_equal(notify_send("READY=1"), 0);

	/* abstract socket */
	snprintf(name, sizeof name, "@lifeboat-test-notify-%d", (int)getpid());
	int l = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(notify_open(), 1);
	assert_null(getenv("NOTIFY_SOCKET")); /* not inherited by children */
	assert_int_equal(notify_send("READY=1\nSTATUS=serving"), 0);
	expect_datagram(l, "READY=1\nSTATUS=serving");
	assert_int_equal(notify_reloading(NULL), 0);
	char got[128];
	ssize_t n = recv(l, got, sizeof got - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	got[n] = 0;
	assert_memory_equal(got, "RELOADING=1\nMONOTONIC_USEC=", 27);
	assert_true(strtoull(got + 27, NULL, 10) > 0);
	close(l);
	notify_close();

	/* path socket */
	snprintf(path, sizeof path, "/tmp/lifeboat-test-notify-%d", (int)getpid());
	unlink(path);
	l = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(notify_open(), 1);
	assert_int_equal(notify_send("STOPPING=1"), 0);
	expect_datagram(l, "STOPPING=1");
	close(l);
	unlink(path);
	/* the listener is gone: the send fails, nothing crashes */
	assert_true(notify_send("READY=1") < 0);
	notify_close();

	/* nobody listens there: connect fails */
	setenv("NOTIFY_SOCKET", "@lifeboat-test-nobody-listens", 1);
	assert_true(notify_open() < 0);
	assert_false(notify_enabled());
	/* a bad value */
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(notify_open(), -EINVAL);
}

struct stream_case {
	const char *value;
	unsigned long long dev, ino;
	bool want;
};

static void test_journal_stream_is(void **state)
{
	(void)state;
	const struct stream_case cases[] = {
	    {"8:1234", 8, 1234, true},
	    {"64769:2519045", 64769, 2519045, true},
	    {"8:1234", 8, 1235, false},
	    {"8:1234", 9, 1234, false},
	    {"8:1234x", 8, 1234, false},
	    {"8:", 8, 0, false},
	    {":1234", 0, 1234, false},
	    {"8", 8, 0, false},
	    {"", 0, 0, false},
	    {"-8:1234", 8, 1234, false},
	    {"8:-1234", 8, 1234, false},
	    {"8:1234:5", 8, 1234, false},
	    {"99999999999999999999999:1", 0, 1, false}, /* overflow */
	    {NULL, 0, 0, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(log_journal_stream_is(cases[i].value, cases[i].dev, cases[i].ino),
				 cases[i].want);
}

static void test_format_for(void **state)
{
	(void)state;
	char path[] = "/tmp/lifeboat-test-journal-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char v[64];
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(log_format_for(LOG_FMT_TEXT, fd), LOG_FMT_TEXT);
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_int_equal(log_format_for(LOG_FMT_TEXT, fd), LOG_FMT_JOURNAL);
	/* JSON and kmsg are asked for explicitly: unchanged */
	assert_int_equal(log_format_for(LOG_FMT_JSON, fd), LOG_FMT_JSON);
	assert_int_equal(log_format_for(LOG_FMT_KMSG, fd), LOG_FMT_KMSG);
	/* another file (stderr redirected elsewhere by the user): plain text */
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	assert_int_equal(log_format_for(LOG_FMT_TEXT, fd), LOG_FMT_TEXT);
	/* a closed fd */
	close(fd);
	assert_int_equal(log_format_for(LOG_FMT_TEXT, fd), LOG_FMT_TEXT);
	unsetenv("JOURNAL_STREAM");
}

struct line_case {
	enum log_format fmt;
	enum log_level lvl;
	const char *want;
};

static void test_format_line(void **state)
{
	(void)state;
	const struct line_case cases[] = {
	    {LOG_FMT_JOURNAL, LOG_LVL_ERR, "<3>error serve.error file=x"},
	    {LOG_FMT_JOURNAL, LOG_LVL_WARN, "<4>warn  serve.error file=x"},
	    {LOG_FMT_JOURNAL, LOG_LVL_INFO, "<6>info  serve.error file=x"},
	    {LOG_FMT_JOURNAL, LOG_LVL_DEBUG, "<7>debug serve.error file=x"},
	    {LOG_FMT_TEXT, LOG_LVL_WARN, "2026-01-01T00:00:00.000Z warn  serve.error file=x"},
	    {LOG_FMT_KMSG, LOG_LVL_WARN, "<4>lifeboat: serve.error file=x"},
	    {LOG_FMT_JSON, LOG_LVL_WARN,
	     "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"level\":\"warn\",\"event\":\"serve.error\","
	     "\"file\":\"x\"}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[256];
		size_t n = log_format_line(out, sizeof out, cases[i].fmt, cases[i].lvl,
					   "2026-01-01T00:00:00.000Z", "serve.error file=x");
		assert_string_equal(out, cases[i].want);
		assert_int_equal(n, strlen(out));
	}
	/* cut, never overrun */
	char small[8];
	size_t n = log_format_line(small, sizeof small, LOG_FMT_JOURNAL, LOG_LVL_WARN, "",
				   "serve.error file=x");
	assert_int_equal(n, 7);
	assert_string_equal(small, "<4>warn");
	assert_int_equal(log_format_line(small, 0, LOG_FMT_JOURNAL, LOG_LVL_WARN, "", "x"), 0);
}

/* The whole path: log_setup on a file named by $JOURNAL_STREAM writes
 * "<N>" lines without a timestamp. */
static void test_setup_writes_journal_lines(void **state)
{
	(void)state;
	char path[] = "/tmp/lifeboat-test-journal-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char v[64];
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, fd);
	log_warn("serve.warn file=%s", "missing");
	log_debug("not.shown");
	log_err("serve.error x=1");
	char got[256];
	ssize_t n = pread(fd, got, sizeof got - 1, 0);
	assert_true(n > 0);
	got[n] = 0;
	assert_string_equal(got, "<4>warn  serve.warn file=missing\n<3>error serve.error x=1\n");
	unsetenv("JOURNAL_STREAM");
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, 2);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_notify_addr),
	    cmocka_unit_test(test_reloading_msg),
	    cmocka_unit_test(test_notify_sends),
	    cmocka_unit_test(test_journal_stream_is),
	    cmocka_unit_test(test_format_for),
	    cmocka_unit_test(test_format_line),
	    cmocka_unit_test(test_setup_writes_journal_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
