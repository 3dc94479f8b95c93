/* A real server on loopback (port chosen by the kernel) against a temporary
 * root, driven by raw client sockets in the same thread: each helper pumps
 * the server's loop while it waits, so nothing here needs threads. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "netboot/fsroot.h"
#include "netboot/bootfiles.h"
#include "netboot/http.h"
#include "netboot/report.h"

#define BIG_SIZE (40u << 20)
#define SMALL_SIZE 1000u

struct fixture {
	char dir[64];
	char logpath[96];
	int logfd;
	struct loop l;
	struct fsroot root;
	struct http_server *srv;
	uint16_t port;
	uint64_t big_hash;
	unsigned char small[SMALL_SIZE];
	/* lookup hook bookkeeping */
	int releases;
	char last_lookup[256];
	int last_peer_family;
};

static const char vfile_text[] = "#!ipxe\nkernel http://192.0.2.2/linux initrd=initrd.gz\nboot\n";

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

static void vfile_release(void *cookie)
{
	struct fixture *f = cookie;
	f->releases++;
}

static struct bootplan no_plan;

/* A few names of its own, the rest through serve's resolver (whose root
 * row serves the fixture's ROOT). */
static int lookup(void *arg, const char *clean, const struct sockaddr *peer, struct bootfile *vf)
{
	struct fixture *f = arg;
	snprintf(f->last_lookup, sizeof f->last_lookup, "%s", clean);
	f->last_peer_family = peer->sa_family;
	if (strcmp(clean, "boot.ipxe") == 0) {
		vf->data = vfile_text;
		vf->len = sizeof vfile_text - 1;
		vf->content_type = "text/plain";
		vf->release = vfile_release;
		vf->cookie = f;
		return 1;
	}
	if (strcmp(clean, "secret") == 0)
		return -EACCES;
	if (strcmp(clean, "gone") == 0)
		return -ENOENT;
	struct bootfiles files = {.plan = &no_plan, .root = &f->root};
	return bootfiles_resolve(&files, BOOTFILES_HTTP, clean, peer, vf);
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static int start_server(struct fixture *f, const struct http_config *over)
{
	struct http_config cfg = {
	    .any_port = true, .lookup = lookup, .lookup_arg = f};
	if (over) {
		cfg.max_conns = over->max_conns;
		cfg.max_conns_per_peer = over->max_conns_per_peer;
		cfg.idle_timeout_ms = over->idle_timeout_ms;
		cfg.keepalive_timeout_ms = over->keepalive_timeout_ms;
		cfg.header_timeout_ms = over->header_timeout_ms;
		cfg.post = over->post;
		cfg.post_arg = over->post_arg;
	}
	int r = http_server_start(&f->srv, &f->l, &cfg);
	if (r == 0)
		f->port = http_server_port(f->srv);
	return r;
}

/* Files are made once for the group; each test gets a fresh loop and
 * server (setup/teardown below). */
static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/lbh-http-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* The log goes to a file so tests can check the http.done lines. */
	snprintf(f->logpath, sizeof f->logpath, "%s.log", f->dir);
	f->logfd = open(f->logpath, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
	assert_true(f->logfd >= 0);
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, f->logfd);

	for (size_t i = 0; i < SMALL_SIZE; i++)
		f->small[i] = (unsigned char)(i * 7 + 3);
	write_file(f->dir, "small.bin", f->small, SMALL_SIZE);
	write_file(f->dir, "empty.cfg", "", 0);
	char sub[128];
	snprintf(sub, sizeof sub, "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_file(sub, "a.efi", "EFI!", 4);

	/* 40 MiB of a cheap pseudo-random pattern, written in 1 MiB pieces. */
	unsigned char *chunk = malloc(1 << 20);
	char path[256];
	uint64_t x = 88172645463325252ull;
	assert_non_null(chunk);
	snprintf(path, sizeof path, "%s/big.img", f->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	f->big_hash = FNV_INIT;
	for (unsigned m = 0; m < BIG_SIZE >> 20; m++) {
		for (size_t i = 0; i < (1 << 20); i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(chunk + i, &x, 8);
		}
		f->big_hash = fnv1a(f->big_hash, chunk, 1 << 20);
		assert_int_equal(write(fd, chunk, 1 << 20), 1 << 20);
	}
	close(fd);
	free(chunk);

	/* Escape attempts and special files. */
	snprintf(path, sizeof path, "%s/outside", f->dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof path, "%s/up", f->dir);
	assert_int_equal(symlink("..", path), 0);
	snprintf(path, sizeof path, "%s/fifo", f->dir);
	assert_int_equal(mkfifo(path, 0644), 0);

	assert_int_equal(fsroot_init(&f->root, f->dir), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(loop_init(&f->l), 0);
	f->srv = NULL;
	f->releases = 0;
	f->last_lookup[0] = 0;
	/* Each test reads only its own log lines. */
	assert_int_equal(ftruncate(f->logfd, 0), 0);
	return 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->srv)
		http_server_stop(f->srv);
	f->srv = NULL;
	loop_free(&f->l);
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;
	fsroot_close(&f->root);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, 2);
	close(f->logfd);
	unlink(f->logpath);
	free(f);
	return 0;
}

/* ---- a tiny client that pumps the server loop while it waits ---- */

struct client {
	int fd;
	size_t len;
	char buf[1 << 16];
};

struct resp {
	int status;
	char head[2048];
	uint64_t clen;
	uint64_t body_len;
	uint64_t hash;
	unsigned char body[2048]; /* the first bytes of the body */
};

static void pump(struct fixture *f)
{
	assert_int_equal(loop_once(&f->l, 2), 0);
}

static void client_open(struct fixture *f, struct client *c, int family)
{
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(f->port);
		s6->sin6_addr = in6addr_loopback;
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(f->port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof *s4;
	}
	c->len = 0;
	c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(c->fd >= 0);
	int r = connect(c->fd, (struct sockaddr *)&ss, sl);
	assert_true(r == 0 || errno == EINPROGRESS);
	/* Let the server accept. */
	for (int i = 0; i < 5; i++)
		pump(f);
}

static void client_send(struct client *c, const char *s, size_t n)
{
	assert_int_equal(send(c->fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void client_sends(struct client *c, const char *s)
{
	client_send(c, s, strlen(s));
}

/* Reads more into c->buf. Returns bytes read, 0 on EOF, -1 when the 5 s
 * deadline passed. */
static ssize_t client_fill(struct fixture *f, struct client *c)
{
	uint64_t until = loop_clock_ms() + 5000;
	while (loop_clock_ms() < until) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
		if (n > 0) {
			c->len += (size_t)n;
			return n;
		}
		if (n == 0)
			return 0;
		assert_true(errno == EAGAIN || errno == ECONNRESET);
		if (errno == ECONNRESET)
			return 0;
		pump(f);
	}
	return -1;
}

/* True when the server closed the connection (EOF) with nothing left. */
static bool client_sees_eof(struct fixture *f, struct client *c)
{
	return c->len == 0 && client_fill(f, c) == 0;
}

static uint64_t head_u64(const char *head, const char *name)
{
	const char *p = strcasestr(head, name);
	if (!p)
		return UINT64_MAX;
	return strtoull(p + strlen(name), NULL, 10);
}

/* Reads one response; head_req: the request was HEAD (no body follows). */
static int client_response(struct fixture *f, struct client *c, struct resp *r, bool head_req)
{
	char *end;
	memset(r, 0, sizeof *r);
	r->hash = FNV_INIT;
	for (;;) {
		end = memmem(c->buf, c->len, "\r\n\r\n", 4);
		if (end)
			break;
		if (client_fill(f, c) <= 0)
			return -1;
	}
	size_t hl = (size_t)(end - c->buf) + 4;
	assert_true(hl < sizeof r->head);
	memcpy(r->head, c->buf, hl);
	r->head[hl] = 0;
	assert_int_equal(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1);
	r->clen = head_u64(r->head, "\r\nContent-Length: ");
	assert_true(r->clen != UINT64_MAX);
	memmove(c->buf, c->buf + hl, c->len - hl);
	c->len -= hl;
	uint64_t want = head_req ? 0 : r->clen;
	while (r->body_len < want) {
		if (c->len == 0 && client_fill(f, c) <= 0)
			return -1;
		size_t take = c->len;
		if (take > want - r->body_len)
			take = (size_t)(want - r->body_len);
		if (r->body_len < sizeof r->body) {
			size_t k = sizeof r->body - (size_t)r->body_len;
			memcpy(r->body + r->body_len, c->buf, k < take ? k : take);
		}
		r->hash = fnv1a(r->hash, (unsigned char *)c->buf, take);
		r->body_len += take;
		memmove(c->buf, c->buf + take, c->len - take);
		c->len -= take;
	}
	return 0;
}

static int request(struct fixture *f, const char *req, struct resp *r)
{
	struct client c;
	client_open(f, &c, AF_INET);
	client_sends(&c, req);
	int rc = client_response(f, &c, r, strncmp(req, "HEAD ", 5) == 0);
	close(c.fd);
	return rc;
}

static void wait_idle(struct fixture *f)
{
	uint64_t until = loop_clock_ms() + 5000;
	while (http_server_active(f->srv) && loop_clock_ms() < until)
		pump(f);
	assert_int_equal(http_server_active(f->srv), 0);
}

/* ---- tests ---- */

static void test_get_and_head(void **state)
{
	struct fixture *f = *state;
	struct resp r;
	assert_int_equal(start_server(f, NULL), 0);
	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nHost: x\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, SMALL_SIZE);
	assert_memory_equal(r.body, f->small, SMALL_SIZE);
	assert_non_null(strstr(r.head, "\r\nContent-Type: application/octet-stream\r\n"));
	assert_non_null(strstr(r.head, "\r\nAccept-Ranges: bytes\r\n"));
	assert_non_null(strstr(r.head, "\r\nLast-Modified: "));

	assert_int_equal(request(f, "GET /sub/a.efi HTTP/1.0\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "EFI!", 4);
	assert_non_null(strstr(r.head, "\r\nConnection: close\r\n"));

	assert_int_equal(request(f, "GET /empty.cfg HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, 0);
	assert_non_null(strstr(r.head, "\r\nContent-Type: text/plain\r\n"));

	/* HEAD announces the length and sends no body: the GET that follows
	 * on the same connection must parse cleanly right after the head. */
	struct client c;
	client_open(f, &c, AF_INET);
	client_sends(&c, "HEAD /small.bin HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, true), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, SMALL_SIZE);
	client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, 4);
	assert_memory_equal(r.body, "EFI!", 4);
	close(c.fd);

	/* Absolute-form target and a query string. */
	assert_int_equal(request(f, "GET http://192.0.2.2/small.bin?x=1 HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, SMALL_SIZE);
	/* Percent-encoding decoded. */
	assert_int_equal(request(f, "GET /sub/%61.efi HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	wait_idle(f);

	/* The per-request log line. */
	char log[8192] = {0};
	assert_true(pread(f->logfd, log, sizeof log - 1, 0) > 0);
	assert_non_null(strstr(log, "http.done client=127.0.0.1:"));
	assert_non_null(strstr(log, " method=GET path=/small.bin status=200 bytes=1000 secs="));
	assert_non_null(strstr(log, " method=HEAD path=/small.bin status=200 bytes=0 secs="));
	assert_non_null(strstr(log, " rate_kBps="));
}

static void test_ranges(void **state)
{
	struct fixture *f = *state;
	struct resp r;
	assert_int_equal(start_server(f, NULL), 0);
	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=100-199\r\n\r\n", &r),
			 0);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.clen, 100);
	assert_memory_equal(r.body, f->small + 100, 100);
	assert_non_null(strstr(r.head, "\r\nContent-Range: bytes 100-199/1000\r\n"));

	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=-10\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.clen, 10);
	assert_memory_equal(r.body, f->small + 990, 10);
	assert_non_null(strstr(r.head, "\r\nContent-Range: bytes 990-999/1000\r\n"));

	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=990-\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.clen, 10);

	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=1000-\r\n\r\n", &r),
			 0);
	assert_int_equal(r.status, 416);
	assert_non_null(strstr(r.head, "\r\nContent-Range: bytes */1000\r\n"));

	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=-0\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 416);

	/* Several ranges: the whole file, 200. */
	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=0-1,5-6\r\n\r\n", &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, SMALL_SIZE);

	/* Invalid range: ignored. */
	assert_int_equal(request(f, "GET /small.bin HTTP/1.1\r\nRange: bytes=5-2\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);

	/* HEAD with a range: the 206 head, no body. */
	assert_int_equal(request(f, "HEAD /small.bin HTTP/1.1\r\nRange: bytes=0-9\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.clen, 10);

	/* A range of the big file far from its start. */
	assert_int_equal(request(f, "GET /big.img HTTP/1.1\r\nRange: bytes=41943000-\r\n\r\n", &r),
			 0);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.clen, BIG_SIZE - 41943000u);
	wait_idle(f);
}

static void test_keepalive_and_close(void **state)
{
	struct fixture *f = *state;
	struct resp r;
	struct client c;
	assert_int_equal(start_server(f, NULL), 0);

	client_open(f, &c, AF_INET);
	for (int i = 0; i < 3; i++) {
		client_sends(&c, "GET /small.bin HTTP/1.1\r\nHost: x\r\n\r\n");
		assert_int_equal(client_response(f, &c, &r, false), 0);
		assert_int_equal(r.status, 200);
		assert_null(strstr(r.head, "Connection:"));
		assert_int_equal(http_server_active(f->srv), 1);
	}
	/* Connection: close is honoured. */
	client_sends(&c, "GET /small.bin HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_non_null(strstr(r.head, "\r\nConnection: close\r\n"));
	assert_true(client_sees_eof(f, &c));
	close(c.fd);

	/* HTTP/1.0 closes unless it asks for keep-alive. */
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /small.bin HTTP/1.0\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_true(client_sees_eof(f, &c));
	close(c.fd);

	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /small.bin HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_non_null(strstr(r.head, "\r\nConnection: keep-alive\r\n"));
	client_sends(&c, "GET /sub/a.efi HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_memory_equal(r.body, "EFI!", 4);
	close(c.fd);

	/* A client that half-closes after its request still gets the answer. */
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	shutdown(c.fd, SHUT_WR);
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 200);
	assert_true(client_sees_eof(f, &c));
	close(c.fd);
	wait_idle(f);
}

static void test_pipelining(void **state)
{
	struct fixture *f = *state;
	struct resp r;
	struct client c;
	assert_int_equal(start_server(f, NULL), 0);
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n"
			 "HEAD /small.bin HTTP/1.1\r\n\r\n"
			 "GET /nope HTTP/1.1\r\n\r\n"
			 "GET /small.bin HTTP/1.1\r\nRange: bytes=0-4\r\n\r\n"
			 "GET /boot.ipxe HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "EFI!", 4);
	assert_int_equal(client_response(f, &c, &r, true), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, SMALL_SIZE);
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 404);
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 206);
	assert_memory_equal(r.body, f->small, 5);
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, vfile_text, sizeof vfile_text - 1);
	assert_true(client_sees_eof(f, &c));
	close(c.fd);

	/* GRUB's Range request carries one CRLF too many; its close right
	 * after the response is not a half-sent request. */
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /small.bin HTTP/1.1\r\nHost: 192.0.2.2\r\nUser-Agent: GRUB 2.06\r\n"
			 "Range: bytes=900-\r\n\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.clen, 100);
	assert_memory_equal(r.body, f->small + 900, 100);
	client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 200);
	client_sends(&c, "\r\n");
	close(c.fd);
	wait_idle(f);
	char log[8192] = {0};
	assert_true(pread(f->logfd, log, sizeof log - 1, 0) > 0);
	assert_null(strstr(log, "http.drop"));

	/* A request split into tiny pieces. */
	const char *req = "GET /sub/a.efi HTTP/1.1\r\nHost: x\r\n\r\n";
	client_open(f, &c, AF_INET);
	for (size_t i = 0; req[i]; i++) {
		client_send(&c, req + i, 1);
		pump(f);
	}
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 200);
	close(c.fd);
	wait_idle(f);
}

struct status_case {
	const char *req;
	int status;
	bool closes;
};

static void test_errors(void **state)
{
	struct fixture *f = *state;
	static const struct status_case cases[] = {
	    {"GET /nothing-here HTTP/1.1\r\n\r\n", 404, false},
	    {"GET / HTTP/1.1\r\n\r\n", 404, false},
	    {"GET /sub HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /outside HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /up/etc/passwd HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /fifo HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /../etc/passwd HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /%2e%2e/etc/passwd HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /sub%2fa.efi HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /%252e%252e/small.bin HTTP/1.1\r\n\r\n", 404, false},
	    {"GET /small.bin%00 HTTP/1.1\r\n\r\n", 400, true},
	    {"GET /%zz HTTP/1.1\r\n\r\n", 400, true},
	    {"POST /small.bin HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405, true},
	    {"DELETE /small.bin HTTP/1.1\r\n\r\n", 405, false},
	    {"GET /small.bin HTTP/2.0\r\n\r\n", 505, true},
	    {"GET /small.bin HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501, true},
	    {"GET /small.bin HTTP/1.1\r\nHost x\r\n\r\n", 400, true},
	    {"GET /small.bin\r\n\r\n", 400, true},
	    {"GET * HTTP/1.1\r\n\r\n", 400, true},
	    {"GET /secret HTTP/1.1\r\n\r\n", 403, false},
	    {"GET /gone HTTP/1.1\r\n\r\n", 404, false},
	};
	assert_int_equal(start_server(f, NULL), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct client c;
		struct resp r;
		client_open(f, &c, AF_INET);
		client_sends(&c, cases[i].req);
		if (client_response(f, &c, &r, false))
			fail_msg("%s: no response", cases[i].req);
		if (r.status != cases[i].status)
			fail_msg("%s: status %d want %d", cases[i].req, r.status, cases[i].status);
		if (r.status == 405 && !strstr(r.head, "\r\nAllow: GET, HEAD\r\n"))
			fail_msg("405 without Allow");
		if (cases[i].closes) {
			if (!client_sees_eof(f, &c))
				fail_msg("%s: connection not closed", cases[i].req);
		} else {
			/* Still usable afterwards. */
			client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
			if (client_response(f, &c, &r, false) || r.status != 200)
				fail_msg("%s: connection not reusable", cases[i].req);
		}
		close(c.fd);
	}

	/* A head over 8 KiB: 431 and close. */
	struct client c;
	struct resp r;
	char *big = malloc(9000);
	assert_non_null(big);
	int n = snprintf(big, 9000, "GET /small.bin HTTP/1.1\r\nX-Pad: ");
	memset(big + n, 'p', 9000 - (size_t)n);
	client_open(f, &c, AF_INET);
	client_send(&c, big, 9000);
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 431);
	close(c.fd);
	free(big);
	wait_idle(f);
}

static void test_big_file_intact(void **state)
{
	struct fixture *f = *state;
	struct resp r;
	struct client c;
	assert_int_equal(start_server(f, NULL), 0);
	client_open(f, &c, AF_INET);
	uint64_t t0 = loop_clock_ms();
	client_sends(&c, "GET /big.img HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	uint64_t ms = loop_clock_ms() - t0;
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, BIG_SIZE);
	assert_int_equal(r.body_len, BIG_SIZE);
	assert_true(r.hash == f->big_hash);
	print_message("40 MiB in %llu ms (ASan build, client in the same thread)\n",
		      (unsigned long long)ms);
	/* Then the connection is still good. */
	client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_memory_equal(r.body, "EFI!", 4);
	close(c.fd);
	wait_idle(f);
}

static void test_vfile(void **state)
{
	struct fixture *f = *state;
	struct resp r;
	assert_int_equal(start_server(f, NULL), 0);
	assert_int_equal(request(f, "GET /boot.ipxe HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.clen, sizeof vfile_text - 1);
	assert_memory_equal(r.body, vfile_text, sizeof vfile_text - 1);
	assert_non_null(strstr(r.head, "\r\nContent-Type: text/plain\r\n"));
	assert_string_equal(f->last_lookup, "boot.ipxe");
	assert_int_equal(f->last_peer_family, AF_INET);
	wait_idle(f);
	assert_int_equal(f->releases, 1);

	/* A range of a vfile, HEAD of a vfile: released each time. */
	assert_int_equal(request(f, "GET /boot.ipxe HTTP/1.1\r\nRange: bytes=0-5\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 206);
	assert_memory_equal(r.body, "#!ipxe", 6);
	assert_int_equal(request(f, "HEAD /./boot.ipxe HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(f->last_lookup, "boot.ipxe");
	assert_int_equal(request(f, "GET /boot.ipxe HTTP/1.1\r\nRange: bytes=999-\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 416);
	wait_idle(f);
	assert_int_equal(f->releases, 4);
}

static void test_client_aborts(void **state)
{
	struct fixture *f = *state;
	struct client c;
	assert_int_equal(start_server(f, NULL), 0);
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /big.img HTTP/1.1\r\n\r\n");
	size_t got = 0;
	while (got < (1u << 20)) {
		ssize_t n = client_fill(f, &c);
		assert_true(n > 0);
		got += (size_t)n;
		c.len = 0;
	}
	assert_int_equal(http_server_active(f->srv), 1);
	/* A reset (linger 0) and an ordinary close both end the transfer. */
	struct linger lg = {1, 0};
	setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(c.fd);
	wait_idle(f);

	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /big.img HTTP/1.1\r\n\r\n");
	assert_true(client_fill(f, &c) > 0);
	close(c.fd);
	wait_idle(f);

	/* A vfile response cut short is still released. */
	int before = f->releases;
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /boot.ipxe HTTP/1.1\r\n\r\n");
	close(c.fd);
	wait_idle(f);
	assert_int_equal(f->releases, before + 1);

	char log[1 << 14] = {0};
	assert_true(pread(f->logfd, log, sizeof log - 1, 0) > 0);
	assert_non_null(strstr(log, "http.abort client=127.0.0.1:"));
}

static void test_timeouts(void **state)
{
	struct fixture *f = *state;
	struct http_config over = {
	    .idle_timeout_ms = 300, .keepalive_timeout_ms = 300, .header_timeout_ms = 150};
	struct client c, d;
	struct resp r;
	assert_int_equal(start_server(f, &over), 0);

	/* Connects and says nothing: closed after the header timeout. */
	client_open(f, &c, AF_INET);
	/* Starts a head and stalls. */
	client_open(f, &d, AF_INET);
	client_sends(&d, "GET /small.bin HTTP/1.1\r\n");
	assert_int_equal(http_server_active(f->srv), 2);
	uint64_t t0 = loop_clock_ms();
	assert_true(client_sees_eof(f, &c));
	assert_true(client_sees_eof(f, &d));
	uint64_t ms = loop_clock_ms() - t0;
	assert_true(ms >= 100 && ms < 2000);
	close(c.fd);
	close(d.fd);
	wait_idle(f);

	/* Idle after a response: closed after the idle timeout, not before
	 * the header timeout. */
	client_open(f, &c, AF_INET);
	client_sends(&c, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	t0 = loop_clock_ms();
	assert_true(client_sees_eof(f, &c));
	ms = loop_clock_ms() - t0;
	assert_true(ms >= 250 && ms < 2000);
	close(c.fd);
	wait_idle(f);

	/* A client that stops reading a big response is dropped too. */
	client_open(f, &c, AF_INET);
	int small = 4096;
	setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	client_sends(&c, "GET /big.img HTTP/1.1\r\n\r\n");
	wait_idle(f);
	close(c.fd);
}

static void test_max_conns(void **state)
{
	struct fixture *f = *state;
	struct http_config over = {.max_conns = 2};
	struct client a, b, c;
	struct resp r;
	assert_int_equal(start_server(f, &over), 0);
	client_open(f, &a, AF_INET);
	client_open(f, &b, AF_INET);
	client_open(f, &c, AF_INET);
	assert_int_equal(http_server_active(f->srv), 2);
	/* The third is told so (503, Retry-After), then closed. */
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.head, "\r\nRetry-After: 2\r\n"));
	close(c.fd);
	client_sends(&a, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &a, &r, false), 0);
	assert_int_equal(r.status, 200);
	close(a.fd);
	close(b.fd);
	wait_idle(f);
	/* Room again. */
	assert_int_equal(request(f, "GET /sub/a.efi HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	char log[1 << 14] = {0};
	assert_true(pread(f->logfd, log, sizeof log - 1, 0) > 0);
	assert_non_null(strstr(log, "http.refuse client=127.0.0.1:"));
}

/* True when this host has ::1 (containers may run without IPv6). */
static bool have_ipv6_loopback(void)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&s6, sizeof s6) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Many clients at once in the one loop, each with its own response. */
static void test_many_clients(void **state)
{
	struct fixture *f = *state;
	enum { N = 100 };
	struct client *cs = calloc(N, sizeof *cs);
	struct resp r;
	char req[128];
	assert_non_null(cs);
	struct http_config over = {.max_conns_per_peer = N};
	assert_int_equal(start_server(f, &over), 0);
	bool v6 = have_ipv6_loopback();
	for (int i = 0; i < N; i++)
		client_open(f, &cs[i], v6 && i % 2 ? AF_INET6 : AF_INET);
	assert_int_equal(http_server_active(f->srv), N);
	for (int i = 0; i < N; i++) {
		snprintf(req, sizeof req, "GET /small.bin HTTP/1.1\r\nRange: bytes=%d-%d\r\n\r\n",
			 i, i + 9);
		client_sends(&cs[i], req);
	}
	for (int i = N - 1; i >= 0; i--) {
		assert_int_equal(client_response(f, &cs[i], &r, false), 0);
		assert_int_equal(r.status, 206);
		assert_memory_equal(r.body, f->small + i, 10);
		close(cs[i].fd);
	}
	free(cs);
	wait_idle(f);
}

static void test_ipv6(void **state)
{
	struct fixture *f = *state;
	struct client c;
	struct resp r;
	assert_int_equal(start_server(f, NULL), 0);
	if (!have_ipv6_loopback())
		skip();
	client_open(f, &c, AF_INET6);
	client_sends(&c, "GET /boot.ipxe HTTP/1.1\r\nHost: [::1]\r\n\r\n");
	if (client_response(f, &c, &r, false)) {
		close(c.fd);
		skip(); /* no ::1 on this host */
	}
	assert_int_equal(r.status, 200);
	assert_int_equal(f->last_peer_family, AF_INET6);
	close(c.fd);
	wait_idle(f);
}

static void test_bind_errors(void **state)
{
	struct fixture *f = *state;
	struct http_server *s2;
	assert_int_equal(start_server(f, NULL), 0);
	struct http_config cfg = {.port = f->port};
	assert_int_equal(http_server_start(&s2, &f->l, &cfg), -EADDRINUSE);
	cfg.bind_addr = "not-an-address";
	assert_int_equal(http_server_start(&s2, &f->l, &cfg), -EINVAL);
	cfg.bind_addr = "127.0.0.1";
	cfg.port = 0;
	cfg.any_port = true;
	assert_int_equal(http_server_start(&s2, &f->l, &cfg), 0);
	assert_true(http_server_port(s2) != 0);
	http_server_stop(s2);
}


static uint64_t fake_ms;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_ms;
}

/* The head deadline is absolute: blank lines and a trickled head every
 * 100 ms never move it (the old server re-armed it on each CRLF). */
static void test_header_deadline_absolute(void **state)
{
	struct fixture *f = *state;
	struct http_config over = {.header_timeout_ms = 300, .keepalive_timeout_ms = 5000};
	struct client c, d;
	struct resp r;
	fake_ms = 1000000;
	loop_set_clock(&f->l, fake_clock, NULL);
	assert_int_equal(start_server(f, &over), 0);
	client_open(f, &c, AF_INET);
	client_open(f, &d, AF_INET);
	/* d: one request, then blank lines only (keep-alive: no head open). */
	client_sends(&d, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &d, &r, false), 0);
	int closed_at = -1;
	for (int step = 1; step <= 20 && closed_at < 0; step++) {
		fake_ms += 100;
		client_sends(&c, step == 1 ? "GET /small.bin HTTP/1.1\r\n" : "X-Slow: 1\r\n");
		if (step % 2)
			client_sends(&d, "\r\n");
		for (int i = 0; i < 3; i++)
			pump(f);
		char b;
		ssize_t k = recv(c.fd, &b, 1, MSG_DONTWAIT);
		/* Closed with our last bytes unread: a reset instead of EOF. */
		if (k == 0 || (k < 0 && errno == ECONNRESET))
			closed_at = step;
	}
	/* Connected at t=0, deadline 300 ms: closed at the 3rd or 4th step. */
	assert_true(closed_at >= 3 && closed_at <= 4);
	/* d's blank lines opened a head too (at step 1): it ends 300 ms on. */
	fake_ms += 200;
	for (int i = 0; i < 3; i++)
		pump(f);
	char b;
	ssize_t k = recv(d.fd, &b, 1, MSG_DONTWAIT);
	assert_true(k == 0 || (k < 0 && errno == ECONNRESET));
	close(c.fd);
	close(d.fd);
	wait_idle(f);
	loop_set_clock(&f->l, NULL, NULL);
}

/* Per-client-address cap: the address over it gets 503, others do not. */
static void test_per_client_cap(void **state)
{
	struct fixture *f = *state;
	struct http_config over = {.max_conns_per_peer = 2};
	struct client a, b, c, d;
	struct resp r;
	assert_int_equal(start_server(f, &over), 0);
	client_open(f, &a, AF_INET);
	client_open(f, &b, AF_INET);
	client_open(f, &c, AF_INET);
	assert_int_equal(http_server_active(f->srv), 2);
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 503);
	close(c.fd);
	/* Another address (127.0.0.2, still loopback) is served. */
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000002)};
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(f->port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	d.len = 0;
	d.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(bind(d.fd, (struct sockaddr *)&src, sizeof src), 0);
	int cr = connect(d.fd, (struct sockaddr *)&dst, sizeof dst);
	assert_true(cr == 0 || errno == EINPROGRESS);
	for (int i = 0; i < 5; i++)
		pump(f);
	assert_int_equal(http_server_active(f->srv), 3);
	client_sends(&d, "GET /sub/a.efi HTTP/1.1\r\n\r\n");
	assert_int_equal(client_response(f, &d, &r, false), 0);
	assert_int_equal(r.status, 200);
	/* One of a's slots frees: a new connection from 127.0.0.1 fits. */
	close(a.fd);
	close(d.fd);
	for (int i = 0; i < 20 && http_server_active(f->srv) > 1; i++)
		pump(f);
	assert_int_equal(request(f, "GET /sub/a.efi HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.status, 200);
	close(b.fd);
	wait_idle(f);
}

static unsigned count_responses(int fd, size_t *bytes)
{
	static char buf[1 << 18];
	unsigned n = 0;
	ssize_t k;
	while ((k = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT)) > 0) {
		buf[k] = 0;
		*bytes += (size_t)k;
		for (char *p = buf; (p = memmem(p, (size_t)(buf + k - p), "HTTP/1.1 200", 12)); p++)
			n++;
	}
	return n;
}

/* A client pipelining many requests gets a bounded slice per loop turn
 * (the old server answered all of them before returning to the loop). */
static void test_pipeline_fair(void **state)
{
	struct fixture *f = *state;
	enum { N = 40 };
	struct client c;
	char req[N * 40];
	size_t len = 0, bytes = 0;
	assert_int_equal(start_server(f, NULL), 0);
	client_open(f, &c, AF_INET);
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(req + len, sizeof req - len, "GET /small.bin HTTP/1.1\r\n\r\n");
	int big = 1 << 20;
	setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	client_send(&c, req, len);
	/* Wait until the requests are in the server's socket. */
	usleep(20000);
	unsigned got = 0, turns = 0;
	while (got < N && turns < 100) {
		assert_int_equal(loop_once(&f->l, 50), 0);
		turns++;
		unsigned k = count_responses(c.fd, &bytes);
		assert_true(k <= 8); /* HTTP_TURN_REQUESTS */
		got += k;
	}
	assert_int_equal(got, N);
	assert_true(turns >= N / 8);
	close(c.fd);
	wait_idle(f);
}

/* What the POST hook saw. */
struct posted {
	char path[64];
	char body[HTTP_POST_MAX + 1];
	size_t len;
	int calls;
};

static int post_hook(void *arg, const char *clean, const char *body, size_t len,
		     const struct sockaddr *peer)
{
	struct posted *p = arg;
	(void)peer;
	p->calls++;
	snprintf(p->path, sizeof p->path, "%s", clean);
	memcpy(p->body, body, len);
	p->body[len] = 0;
	p->len = len;
	return strcmp(clean, REPORT_PATH) ? 404 : 204;
}

/* POST only where a hook takes it: the body is read in full (also when it
 * comes in pieces), must have a Content-Length of at most HTTP_POST_MAX. */
static void test_post_report(void **state)
{
	struct fixture *f = *state;
	struct posted seen = {0};
	struct http_config over = {.post = post_hook, .post_arg = &seen};
	static const struct status_case cases[] = {
	    {"POST /lifeboat/report HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello", 204, true},
	    {"POST /lifeboat/other HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 404, true},
	    {"POST /lifeboat/report HTTP/1.1\r\n\r\n", 411, true},
	    {"POST /lifeboat/report HTTP/1.1\r\nContent-Length: 513\r\n\r\n", 413, true},
	    {"POST /lifeboat/report HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501, true},
	    {"POST /../x HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 404, true},
	    {"PUT /lifeboat/report HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 405, true},
	};
	assert_int_equal(start_server(f, &over), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct client c;
		struct resp r;
		client_open(f, &c, AF_INET);
		client_sends(&c, cases[i].req);
		if (client_response(f, &c, &r, false))
			fail_msg("%s: no response", cases[i].req);
		if (r.status != cases[i].status)
			fail_msg("%s: status %d want %d", cases[i].req, r.status, cases[i].status);
		if (!client_sees_eof(f, &c))
			fail_msg("%s: connection not closed", cases[i].req);
		close(c.fd);
		if (i == 0 && (strcmp(seen.body, "hello") || strcmp(seen.path, REPORT_PATH)))
			fail_msg("hook saw %s %s", seen.path, seen.body);
	}
	assert_int_equal(seen.calls, 2); /* the 204 and the 404: the rest never reach the hook */

	/* the body in two pieces: answered once it is all there */
	struct client c;
	struct resp r;
	client_open(f, &c, AF_INET);
	client_sends(&c, "POST /lifeboat/report HTTP/1.1\r\nContent-Length: 10\r\n\r\nup, ");
	for (int i = 0; i < 20; i++)
		pump(f);
	assert_int_equal(seen.calls, 2);
	client_sends(&c, "ssh at");
	assert_int_equal(client_response(f, &c, &r, false), 0);
	assert_int_equal(r.status, 204);
	assert_string_equal(seen.body, "up, ssh at");
	close(c.fd);
	wait_idle(f);
}

/* report_post behind the server: stored text, a bad text refused, the
 * per-address rate limit. */
static void test_post_report_sink(void **state)
{
	struct fixture *f = *state;
	struct report_sink *sink = malloc(sizeof *sink);
	assert_non_null(sink);
	report_init(sink, NULL, &f->l);
	struct http_config over = {.post = report_post, .post_arg = sink};
	assert_int_equal(start_server(f, &over), 0);
	int statuses[8], n429 = 0;
	for (int i = 0; i < 8; i++) {
		struct client c;
		struct resp r;
		client_open(f, &c, AF_INET);
		client_sends(&c, i == 0 ? "POST /lifeboat/report HTTP/1.0\r\nContent-Length: 4\r\n\r\na\x01"
						  "b\n"
					: "POST /lifeboat/report HTTP/1.0\r\nContent-Length: 3\r\n\r\nup\n");
		if (client_response(f, &c, &r, false))
			fail_msg("post %d: no response", i);
		statuses[i] = r.status;
		n429 += r.status == 429;
		close(c.fd);
	}
	assert_int_equal(statuses[0], 400);
	assert_int_equal(statuses[1], 204);
	assert_true(n429 >= 3); /* burst 4 a second per address */
	wait_idle(f);
	free(sink);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_get_and_head), T(test_ranges),	 T(test_keepalive_and_close),
	    T(test_pipelining),	  T(test_errors),	 T(test_big_file_intact),
	    T(test_vfile),	  T(test_client_aborts), T(test_timeouts),
	    T(test_max_conns),	  T(test_many_clients),	 T(test_ipv6),
	    T(test_bind_errors),  T(test_header_deadline_absolute),
	    T(test_per_client_cap), T(test_pipeline_fair), T(test_post_report),
	    T(test_post_report_sink),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
