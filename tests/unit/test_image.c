/* image, httpget and kexec (pure parts): format by magic, --sha256 hex,
 * progress text, the decompressor chosen; URL and response-head parsing
 * with malformed vectors; what forbids kexec; the filesystem modules
 * loaded before a written root is mounted. And image_write() over HTTP
 * from a one-shot server on 127.0.0.1 (a body with and without
 * Content-Length, a short body, a wrong --sha256) into a file. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/sha256.h"
#include "rescue/httpget.h"
#include "rescue/image.h"
#include "rescue/kexec.h"
#include "rescue/plan.h"
#include "rescue/takeover_image.h"

static void test_detect(void **state)
{
	(void)state;
	static const struct {
		const char *p;
		size_t n;
		enum image_fmt f;
	} v[] = {
	    {"\x1f\x8b\x08\x00", 4, IMAGE_GZIP},
	    {"\x28\xb5\x2f\xfd\x00", 5, IMAGE_ZSTD},
	    {"\xfd"
	     "7zXZ\x00\x00",
	     7, IMAGE_XZ},
	    {"\xfd"
	     "7zXZ",
	     5, IMAGE_RAW}, /* too short for the xz magic */
	    {"\x1f", 1, IMAGE_RAW},
	    {"", 0, IMAGE_RAW},
	    {"\xeb\x63\x90", 3, IMAGE_RAW}, /* an MBR boot sector */
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		assert_int_equal(image_detect((const uint8_t *)v[i].p, v[i].n), v[i].f);
	assert_string_equal(image_fmt_name(IMAGE_ZSTD), "zstd");
	assert_null(image_decompressor(IMAGE_RAW, "/bin/busybox"));
	char *const *a = image_decompressor(IMAGE_XZ, "/no/busybox");
	if (a) /* the host's xz, if installed */
		assert_string_equal(a[1], "-dc");
}

static void test_sha(void **state)
{
	(void)state;
	uint8_t d[32];
	char hex[65];
	const char *ok = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
	assert_int_equal(image_parse_sha256(ok, d), 0);
	image_hex(d, hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(image_parse_sha256("e3b0", d), -EINVAL);
	assert_int_equal(image_parse_sha256(
			     "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", d),
			 -EINVAL);
	assert_int_equal(
	    image_parse_sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550",
			       d),
	    -EINVAL);
}

static void test_progress(void **state)
{
	(void)state;
	char s[160];
	image_progress(s, sizeof s, 16u << 20, 64u << 20, 4000);
	assert_string_equal(s, "written=16.0MiB of 64.0MiB (25%) rate=4.0MiB/s eta=12s");
	image_progress(s, sizeof s, 3u << 20, 0, 1000);
	assert_string_equal(s, "written=3.0MiB rate=3.0MiB/s eta=?");
	image_progress(s, sizeof s, 0, 10, 0);
	assert_string_equal(s, "written=0.0MiB of 0.0MiB (0%) rate=0.0MiB/s eta=?");
	image_progress(s, 12, 1u << 30, 2u << 30, 1000); /* truncated, terminated */
	assert_true(strlen(s) < 12);
}

static void test_url(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int rc;
		const char *host;
		unsigned port;
		const char *path;
	} v[] = {
	    {"http://192.0.2.1/new.img.gz", 0, "192.0.2.1", 80, "/new.img.gz"},
	    {"http://192.0.2.1:8080", 0, "192.0.2.1", 8080, "/"},
	    {"HTTP://host.lan?x=1", 0, "host.lan", 80, "/?x=1"},
	    {"http://[2001:db8::1]:81/a/b?c", 0, "2001:db8::1", 81, "/a/b?c"},
	    {"https://192.0.2.1/x", -EINVAL, "", 0, ""},
	    {"http://", -EINVAL, "", 0, ""},
	    {"http://h:0/", -EINVAL, "", 0, ""},
	    {"http://h:99999/", -EINVAL, "", 0, ""},
	    {"http://h:/", -EINVAL, "", 0, ""},
	    {"http://h:80x/", -EINVAL, "", 0, ""},
	    {"http://[2001:db8::1/x", -EINVAL, "", 0, ""},
	    {"http://h/a b", -EINVAL, "", 0, ""},
	    {"http://h/a#frag", -EINVAL, "", 0, ""},
	    {"http://h/a\r\nX: y", -EINVAL, "", 0, ""},
	    {"http://h_x/", -EINVAL, "", 0, ""},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct httpget_url u;
		int rc = httpget_parse_url(v[i].url, &u);
		assert_int_equal(rc, v[i].rc);
		if (rc)
			continue;
		assert_string_equal(u.host, v[i].host);
		assert_int_equal(u.port, v[i].port);
		assert_string_equal(u.path, v[i].path);
	}
	struct httpget_url u;
	char req[512];
	assert_int_equal(httpget_parse_url("http://[2001:db8::1]:81/i.xz", &u), 0);
	assert_true(httpget_request(req, sizeof req, &u) > 0);
	assert_string_equal(req, "GET /i.xz HTTP/1.1\r\nHost: [2001:db8::1]:81\r\nUser-Agent: "
				 "lifeboat-image\r\nAccept-Encoding: identity\r\nConnection: "
				 "close\r\n\r\n");
	assert_int_equal(httpget_request(req, 30, &u), -ENOBUFS);
}

static void test_head(void **state)
{
	(void)state;
	static const struct {
		const char *h;
		int rc, status;
		long long len;
		int chunked;
		size_t head_len;
	} v[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\nBODY", 0, 200, 42, 0, 39},
	    {"HTTP/1.0 200 OK\n\nxx", 0, 200, -1, 0, 17},
	    {"HTTP/1.1 404 Not Found\r\nContent-Length:0\r\n\r\n", 0, 404, 0, 0, 44},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 200, -1, 1, 47},
	    {"HTTP/1.1 200 OK\r\ntransfer-encoding: identity\r\n\r\n", 0, 200, -1, 0, 48},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 0, 200, 5, 0, 57},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n", -EAGAIN, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\n", -EAGAIN, 0, 0, 0, 0},
	    {"", -EAGAIN, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -EBADMSG, 0, 0, 0,
	     0},
	    {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", -EBADMSG, 0, 0, 0,
	     0},
	    {"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\n folded\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 200 OK\r\n: empty\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/2.0 200 OK\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 20 OK\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 2000 OK\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"HTTP/1.1 099 x\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	    {"SSH-2.0-dropbear\r\n\r\n", -EBADMSG, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct httpget_head h;
		int rc = httpget_parse_head((const uint8_t *)v[i].h, strlen(v[i].h), &h);
		assert_int_equal(rc, v[i].rc);
		if (rc)
			continue;
		assert_int_equal(h.status, v[i].status);
		assert_int_equal(h.length, v[i].len);
		assert_int_equal(h.chunked, v[i].chunked);
		assert_int_equal(h.head_len, v[i].head_len);
	}
	struct httpget_head h;
	const char *redir = "HTTP/1.1 302 Found\r\nLocation:  http://192.0.2.1/b  \r\n\r\n";
	assert_int_equal(httpget_parse_head((const uint8_t *)redir, strlen(redir), &h), 0);
	assert_string_equal(h.location, "http://192.0.2.1/b");
	/* A head that never ends is cut at HTTPGET_HEAD_MAX. */
	static uint8_t big[HTTPGET_HEAD_MAX + 10];
	memset(big, 'a', sizeof big);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	assert_int_equal(httpget_parse_head(big, sizeof big, &h), -EBADMSG);
	assert_int_equal(httpget_parse_head(big, 100, &h), -EAGAIN);
}

static void test_kexec(void **state)
{
	(void)state;
	const char *w;
	assert_null(kexec_forbidden("0\n", NULL, true, true, &w));
	assert_null(w);
	assert_non_null(kexec_forbidden("0\n", NULL, false, true, &w)); /* no CONFIG_KEXEC */
	assert_non_null(
	    strstr(kexec_forbidden("1\n", NULL, true, true, &w), "kexec_load_disabled"));
	assert_null(kexec_forbidden("0\n", "[none] integrity confidentiality\n", true, true, &w));
	assert_null(w);
	assert_null(kexec_forbidden("0\n", "none [integrity] confidentiality\n", true, true, &w));
	assert_non_null(w);
	assert_null(kexec_forbidden(NULL, "none integrity [confidentiality]\n", true, true, &w));
	assert_non_null(strstr(w, "signed"));
	assert_non_null(strstr(kexec_forbidden("0\n", NULL, true, false, &w), "container"));
}

/* Stage 0's checks of --image/--target/--sha256 and the kexec options. */
static bool has_refusal(const struct timg_opts *o, const char *part)
{
	for (size_t i = 0; i < o->nref; i++)
		if (strstr(o->refusals[i], part))
			return true;
	return false;
}

static void test_stage0_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *image, *target, *sha, *switch_to, *kernel;
		enum then_action then;
		const char *refusal; /* NULL: none */
	} v[] = {
	    {"http://192.0.2.1/i.gz", "/dev/null", "", "", NULL, THEN_REBOOT, "not a block device"},
	    {"http://192.0.2.1/i.gz", "", "", "", NULL, THEN_REBOOT, "needs --target"},
	    {"http://192.0.2.1/i.gz", "/proc/self/exe", "abc", "", NULL, THEN_REBOOT,
	     "64 hex digits"},
	    {"ftp://192.0.2.1/i.gz", "/proc/self/exe", "", "", NULL, THEN_REBOOT,
	     "not an http:// URL"},
	    {"/no/such/image", "/proc/self/exe", "", "", NULL, THEN_REBOOT, "not an http:// URL"},
	    {"http://192.0.2.1/i.gz", "/proc/self/exe", "", "/mnt", NULL, THEN_SWITCH,
	     "exclude each other"},
	    {"", "/dev/sda", "", "", NULL, THEN_SHELL, "go with --image"},
	    {"", "", "", "", "/boot/vmlinuz", THEN_SHELL, "go with --then kexec"},
	    {"http://192.0.2.1/i.gz", "/proc/self/exe", "", "", NULL, THEN_REBOOT, NULL},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct rescue_state st;
		struct timg_opts o = {.kernel = v[i].kernel};
		plan_state_init(&st);
		snprintf(st.image, sizeof st.image, "%s", v[i].image);
		snprintf(st.image_target, sizeof st.image_target, "%s", v[i].target);
		snprintf(st.image_sha256, sizeof st.image_sha256, "%s", v[i].sha);
		snprintf(st.switch_to, sizeof st.switch_to, "%s", v[i].switch_to);
		st.then = v[i].then;
		timg_args(&o, &st);
		if (!v[i].refusal) {
			assert_int_equal(o.nref, 0);
			continue;
		}
		if (!has_refusal(&o, v[i].refusal))
			fail_msg("case %zu: no refusal naming '%s' (%zu refusals)", i, v[i].refusal,
				 o.nref);
	}
	/* A local image is carried into RAM: PID 1 reads it there. */
	struct rescue_state st;
	struct timg_opts o = {0};
	plan_state_init(&st);
	snprintf(st.image, sizeof st.image, "/proc/self/exe");
	snprintf(st.image_target, sizeof st.image_target, "/proc/self/exe");
	timg_args(&o, &st);
	assert_int_equal(o.nref, 0);
	assert_string_equal(st.image, TIMG_IMAGE);
	assert_string_equal(o.image_src, "/proc/self/exe");
}

static void test_fs_modules(void **state)
{
	(void)state;
	static const struct {
		const char *fs; /* /proc/filesystems text */
		size_t cap, n;
		const char *first, *last;
	} v[] = {
	    {NULL, 12, 8, "ext4", "btrfs"},
	    {"", 12, 8, "ext4", "btrfs"},
	    {"nodev\tsysfs\nnodev\ttmpfs\n\text4\n", 12, 7, "vfat", "btrfs"},
	    {"\text4\n\tvfat\n\txfs\n\tbtrfs\n", 12, 0, NULL, NULL},
	    {"\text4\n\tvfat\n\txfs\n\tbtrfs", 12, 0, NULL, NULL},	    /* no final newline */
	    {"\text44\n\tfat\n\tvfat2\n\tnodev\n", 12, 8, "ext4", "btrfs"}, /* whole names */
	    {"nodev\text4\n\tbtrfs\n\txfs\n", 12, 5, "vfat", "nls_ascii"},
	    {"ext4\n", 12, 7, "vfat", "btrfs"},	 /* a line without a tab: the name */
	    {"", 3, 3, "ext4", "nls_cp437"}, /* capped */
	    {"", 0, 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const char *out[TIMG_FS_MODULES_MAX] = {0};
		size_t n = timg_fs_modules(v[i].fs, out, v[i].cap);
		if (n != v[i].n)
			fail_msg("case %zu: %zu modules, want %zu", i, n, v[i].n);
		if (n) {
			assert_string_equal(out[0], v[i].first);
			assert_string_equal(out[n - 1], v[i].last);
		}
	}
}

static int ran;
static char ran_args[512];
static int fake_run(char *const argv[], int timeout_s)
{
	(void)timeout_s;
	ran++;
	ran_args[0] = 0;
	for (int i = 1; argv[i]; i++)
		snprintf(ran_args + strlen(ran_args), sizeof ran_args - strlen(ran_args), "%s%s",
			 i > 1 ? " " : "", argv[i]);
	return 0;
}

static void test_preload_fs(void **state)
{
	(void)state;
	static const struct {
		const char *image;
		enum then_action then;
		bool may_run;
	} v[] = {
	    {"", THEN_KEXEC, false},			/* no --image */
	    {"http://192.0.2.1/i", THEN_REBOOT, false}, /* the firmware mounts it */
	    {"http://192.0.2.1/i", THEN_POWEROFF, false},
	    {"http://192.0.2.1/i", THEN_SHELL, false},
	    {"http://192.0.2.1/i", THEN_KEXEC, true},
	    {"http://192.0.2.1/i", THEN_SWITCH, true},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct rescue_state st;
		plan_state_init(&st);
		snprintf(st.image, sizeof st.image, "%s", v[i].image);
		st.then = v[i].then;
		ran = 0;
		int rc = timg_preload_fs(&st, fake_run);
		if (!v[i].may_run) {
			assert_int_equal(rc, 0);
			assert_int_equal(ran, 0);
			continue;
		}
		/* This host's modprobe and /proc/filesystems decide the rest. */
		if (rc > 0) {
			assert_int_equal(ran, 1);
			assert_true(!strncmp(ran_args, "-q -a ", 6));
		} else {
			assert_int_equal(ran, 0);
		}
	}
}

/* A one-shot HTTP server on 127.0.0.1: sends head then body[0..nbody) and
 * closes. Returns its port; *pid is the child. */
static uint16_t serve_once(const char *head, const uint8_t *body, size_t nbody, pid_t *pid)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		char req[4096];
		size_t got = 0;
		int c = accept(l, NULL, NULL);
		signal(SIGPIPE, SIG_IGN);
		while (c >= 0 && got < sizeof req - 1) { /* the request, up to its blank line */
			ssize_t r = read(c, req + got, sizeof req - 1 - got);
			if (r <= 0)
				break;
			got += (size_t)r;
			req[got] = 0;
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		if (c < 0 || write(c, head, strlen(head)) < 0)
			_exit(1);
		for (size_t off = 0; off < nbody;) {
			ssize_t w = write(c, body + off, nbody - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(l);
	return ntohs(a.sin_port);
}

static void test_write_http(void **state)
{
	(void)state;
	enum { N = 300000 };
	uint8_t *body = malloc(N), d[32];
	char hex[65], wrong[65];
	assert_non_null(body);
	for (size_t i = 0; i < N; i++) /* not a compressor's magic: raw */
		body[i] = (uint8_t)(i * 7 + i / 251);
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, body, N);
	sha256_final(&s, d);
	image_hex(d, hex);
	memcpy(wrong, hex, 65);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	static const struct {
		const char *head;
		size_t send;	 /* body bytes the server sends */
		int wrong;	 /* --sha256 off by one digit */
		int rc;		 /* image_write's result */
		const char *why; /* in its reason */
	} v[] = {
	    /* no Content-Length: the body ends with the connection */
	    {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", N, 0, 0, "bytes=300000"},
	    {"HTTP/1.0 200 OK\r\n\r\n", N, 0, 0, "bytes=300000"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n", N, 0, 0, "bytes=300000"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n", N - 1000, 0, -EIO,
	     "source ended after 299000 of 300000 bytes"},
	    {"HTTP/1.1 200 OK\r\n\r\n", N, 1, -EBADMSG, ", expected "},
	    /* no Content-Length and cut short: only --sha256 can tell */
	    {"HTTP/1.1 200 OK\r\n\r\n", N - 1000, 0, -EBADMSG, ", expected "},
	    {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 0, -EPROTO,
	     "HTTP status 404"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0, -ENOTSUP, "chunked"},
	};
	char dir[] = "/tmp/lb-test-image.XXXXXX", target[64], status[64], url[64], why[512];
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof target, "%s/disk", dir);
	snprintf(status, sizeof status, "%s/status", dir);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		pid_t pid;
		int st;
		uint16_t port = serve_once(v[i].head, body, v[i].send, &pid);
		snprintf(url, sizeof url, "http://127.0.0.1:%u/new.img", port);
		int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
		struct image_job j = {url, target, v[i].wrong ? wrong : hex, "/nonexistent",
				      -1,  status};
		why[0] = 0;
		int rc = image_write(&j, why, sizeof why);
		waitpid(pid, &st, 0);
		if (rc != v[i].rc || !strstr(why, v[i].why))
			fail_msg("case %zu: rc=%d why='%s', want %d '%s'", i, rc, why, v[i].rc,
				 v[i].why);
		if (rc)
			continue;
		/* the file holds the body; the status file its last line */
		struct stat sb;
		assert_int_equal(stat(target, &sb), 0);
		assert_int_equal(sb.st_size, N);
		char line[200] = "";
		fd = open(status, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_true(read(fd, line, sizeof line - 1) > 0);
		close(fd);
		assert_non_null(strstr(line, " done\n"));
	}
	unlink(target);
	unlink(status);
	rmdir(dir);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect),
	    cmocka_unit_test(test_sha),
	    cmocka_unit_test(test_progress),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_head),
	    cmocka_unit_test(test_kexec),
	    cmocka_unit_test(test_stage0_refusals),
	    cmocka_unit_test(test_fs_modules),
	    cmocka_unit_test(test_preload_fs),
	    cmocka_unit_test(test_write_http),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
