/* The TFTP server on real loopback sockets, driven by a raw-UDP client
 * written here. Single-threaded: the client waits by running the server's
 * loop (loop_once) until its own socket has something. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/loop.h"
#include "netboot/fsroot.h"
#include "netboot/tftp.h"
#include "netboot/tftp_wire.h"

extern char **environ;

#define BIG_SIZE ((size_t)65536 * 512 + 1000) /* > 65535 blocks of 512: rollover */

struct report_log {
	unsigned n, ok, probes, fails;
	unsigned rtt_samples, timeouts;
	char last_reason[160];
	uint64_t last_bytes;
};

struct tctx {
	char top[64];	/* temp dir; root is top/root, a secret sits in top */
	char root_dir[96];
	struct fsroot root;
	struct loop loop;
	struct tftp_server *srv;
	struct tftp_config cfg;
	struct report_log rep;
	int vfile_released;
	void *tree;
};

static uint8_t pattern_byte(uint64_t off)
{
	return (uint8_t)((off * 131) ^ (off >> 8) ^ (off >> 16) ^ 0x5a);
}

static void write_pattern_file(const char *dir, const char *name, size_t size)
{
	char path[256];
	uint8_t buf[65536];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (size_t off = 0; off < size;) {
		size_t n = size - off < sizeof buf ? size - off : sizeof buf;
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern_byte(off + i);
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		off += n;
	}
	close(fd);
}

static void on_done(void *arg, const struct tftp_xfer_report *r)
{
	struct report_log *rl = arg;
	rl->n++;
	rl->last_bytes = r->bytes;
	rl->rtt_samples = r->rtt_samples;
	rl->timeouts = r->timeouts;
	if (r->ok)
		rl->ok++;
	else if (r->size_probe)
		rl->probes++;
	else
		rl->fails++;
	snprintf(rl->last_reason, sizeof rl->last_reason, "%s", r->reason ? r->reason : "");
}

static const char vfile_text[] = "#!ipxe\nkernel http://192.0.2.2/linux\nboot\n";

static void vfile_release(void *cookie)
{
	struct tctx *t = cookie;
	t->vfile_released++;
}

static struct bootplan no_plan;

/* A few names of its own, the rest through serve's resolver (whose root
 * row serves the tree's ROOT). */
static int lookup(void *arg, const char *clean, const struct sockaddr *peer, struct bootfile *vf)
{
	struct tctx *t = arg;
	if (!strcmp(clean, "gen/boot.ipxe")) {
		*vf = (struct bootfile){ .data = vfile_text, .len = strlen(vfile_text), .fd = -1, .release = vfile_release, .cookie = t };
		return 1;
	}
	if (!strcmp(clean, "forbidden"))
		return -EACCES;
	struct bootfiles files = { .plan = &no_plan, .root = &t->root };
	return bootfiles_resolve(&files, BOOTFILES_TFTP, clean, peer, vf);
}

/* The file tree (33 MiB of it) is made once for all tests. */
struct tree {
	char top[64]; /* temp dir; the root is top/root, a secret sits in top */
	char root_dir[96];
};

static int group_setup(void **state)
{
	struct tree *tr = calloc(1, sizeof *tr);
	char path[256];
	assert_non_null(tr);
	log_setup(LOG_FMT_TEXT, getenv("TFTP_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR, 2);
	snprintf(tr->top, sizeof tr->top, "/tmp/lbt-tftp-XXXXXX");
	assert_non_null(mkdtemp(tr->top));
	snprintf(tr->root_dir, sizeof tr->root_dir, "%s/root", tr->top);
	assert_int_equal(mkdir(tr->root_dir, 0755), 0);
	write_pattern_file(tr->top, "secret", 100);
	write_pattern_file(tr->root_dir, "empty", 0);
	write_pattern_file(tr->root_dir, "f511", 511);
	write_pattern_file(tr->root_dir, "f512", 512);
	write_pattern_file(tr->root_dir, "f513", 513);
	write_pattern_file(tr->root_dir, "f5000", 5000);
	write_pattern_file(tr->root_dir, "big", BIG_SIZE);
	snprintf(path, sizeof path, "%s/sub", tr->root_dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_pattern_file(path, "f513", 513);
	snprintf(path, sizeof path, "%s/escape", tr->root_dir);
	assert_int_equal(symlink("../secret", path), 0);
	snprintf(path, sizeof path, "%s/abs-escape", tr->root_dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof path, "%s/fifo", tr->root_dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	*state = tr;
	return 0;
}

static int group_teardown(void **state)
{
	struct tree *tr = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tr->top);
	int r = system(cmd);
	free(tr);
	return r ? -1 : 0;
}

static int setup(void **state)
{
	struct tree *tr = *state;
	struct tctx *t = calloc(1, sizeof *t);
	assert_non_null(t);
	memcpy(t->top, tr->top, sizeof t->top);
	memcpy(t->root_dir, tr->root_dir, sizeof t->root_dir);
	t->tree = tr;
	assert_int_equal(fsroot_init(&t->root, t->root_dir), 0);
	assert_int_equal(loop_init(&t->loop), 0);
	t->cfg = (struct tftp_config){
		.ephemeral_port = true,
		.bind_addr = "127.0.0.1",
		.on_done = on_done,
		.on_done_arg = &t->rep,
		.lookup = lookup,
		.lookup_arg = t,
		/* Long, so a loaded machine causes no resends that would upset
		 * exact packet counts; tests of resending set their own. */
		.timeout_ms = 10000,
		.min_timeout_ms = 10000, /* fixed: tests of the adaptive timeout set their own */
	};
	*state = t;
	return 0;
}

/* The same tests with transfers on a shared pool of sockets (serve's
 * default, --tftp-sockets) instead of a connected socket each. */
static int setup_pool(void **state)
{
	setup(state);
	struct tctx *t = *state;
	t->cfg.xfer_sockets = 3;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;
	tftp_server_stop(t->srv);
	loop_free(&t->loop);
	fsroot_close(&t->root);
	*state = t->tree;
	free(t);
	return 0;
}

static void start(struct tctx *t)
{
	assert_int_equal(tftp_server_start(&t->srv, &t->loop, &t->cfg), 0);
	assert_true(tftp_server_port(t->srv) != 0);
}

/* ---- the test client ---- */

struct cli {
	int fd;
	struct sockaddr_storage srv; /* the listening port */
	socklen_t srv_len;
	struct sockaddr_storage tid; /* the transfer's port, learnt from the first reply */
	socklen_t tid_len;
};

static void cli_open(struct tctx *t, struct cli *c, const char *ip)
{
	memset(c, 0, sizeof *c);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->srv;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(tftp_server_port(t->srv));
		assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		c->srv_len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&c->srv;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(tftp_server_port(t->srv));
		assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		c->srv_len = sizeof *s4;
	}
	c->fd = socket(c->srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
}

static void cli_close(struct cli *c)
{
	close(c->fd);
}

static void cli_send_raw(struct cli *c, const void *p, size_t n, bool to_tid)
{
	ssize_t r = sendto(c->fd, p, n, 0, (struct sockaddr *)(to_tid ? &c->tid : &c->srv),
			   to_tid ? c->tid_len : c->srv_len);
	assert_int_equal(r, (ssize_t)n);
}

static void cli_rrq(struct cli *c, uint16_t op, const char *name, const char *const *names,
		    const char *const *values, size_t n)
{
	uint8_t pkt[1024];
	struct wbuf w;
	wbuf_init(&w, pkt, sizeof pkt);
	assert_int_equal(tftp_build_request(&w, op, name, "octet", names, values, n), 0);
	cli_send_raw(c, pkt, w.len, false);
}

static void cli_ack(struct cli *c, uint16_t block)
{
	uint8_t pkt[4];
	struct wbuf w;
	wbuf_init(&w, pkt, sizeof pkt);
	tftp_build_ack(&w, block);
	cli_send_raw(c, pkt, w.len, true);
}

static void cli_error(struct cli *c, uint16_t code, const char *msg)
{
	uint8_t pkt[128];
	struct wbuf w;
	wbuf_init(&w, pkt, sizeof pkt);
	tftp_build_error(&w, code, msg);
	cli_send_raw(c, pkt, w.len, true);
}

/* Runs the server loop until the client socket has a datagram or
 * timeout_ms pass. Returns its length, or -1 on timeout. Records the
 * sender as the transfer's TID. */
static ssize_t cli_recv(struct tctx *t, struct cli *c, uint8_t *buf, size_t cap, int timeout_ms)
{
	uint64_t deadline = loop_clock_ms() + (uint64_t)timeout_ms;
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		if (poll(&p, 1, 0) == 1) {
			c->tid_len = sizeof c->tid;
			ssize_t n = recvfrom(c->fd, buf, cap, 0, (struct sockaddr *)&c->tid,
					     &c->tid_len);
			assert_true(n >= 0);
			return n;
		}
		uint64_t now = loop_clock_ms();
		if (now >= deadline)
			return -1;
		uint64_t left = deadline - now;
		assert_int_equal(loop_once(&t->loop, left < 5 ? (int)left : 5), 0);
	}
}

/* Runs the loop for ms, for the server to settle. */
static void pump(struct tctx *t, int ms)
{
	uint64_t deadline = loop_clock_ms() + (uint64_t)ms;
	while (loop_clock_ms() < deadline)
		loop_once(&t->loop, 2);
}

static int expect_error(struct tctx *t, struct cli *c)
{
	uint8_t buf[600];
	struct tftp_error e;
	ssize_t n = cli_recv(t, c, buf, sizeof buf, 2000);
	assert_true(n > 0);
	assert_int_equal(tftp_parse_error(buf, (size_t)n, &e), 0);
	return e.code;
}

struct fetch {
	/* in */
	const char *name;
	const char *ip;
	const char *const *names;
	const char *const *values;
	size_t nopt;
	int rcvbuf; /* 0: default; else forced (root) receive buffer */
	/* out */
	uint8_t *data;
	size_t len;
	bool oack;
	struct tftp_request oackv;
	unsigned data_pkts;
	unsigned blksize, window;
	struct sockaddr_storage from;
};

/* Downloads f->name like an RFC 7440 client: acks the last block of each
 * window, or the last in-order block when something is missing. */
static void fetch(struct tctx *t, struct fetch *f)
{
	struct cli c;
	uint8_t buf[65536 + 4];
	size_t cap = 0;
	uint64_t expect = 1; /* absolute block number */
	cli_open(t, &c, f->ip ? f->ip : "127.0.0.1");
	if (f->rcvbuf)
		assert_int_equal(setsockopt(c.fd, SOL_SOCKET, SO_RCVBUFFORCE, &f->rcvbuf,
					    sizeof f->rcvbuf),
				 0);
	cli_rrq(&c, TFTP_RRQ, f->name, f->names, f->values, f->nopt);
	f->blksize = 512;
	f->window = 1;
	f->len = 0;
	f->data = NULL;
	for (;;) {
		ssize_t n = cli_recv(t, &c, buf, sizeof buf, 3000);
		assert_true(n >= 4);
		uint16_t op, blk;
		const uint8_t *d;
		size_t dl;
		assert_int_equal(tftp_parse_opcode(buf, (size_t)n, &op), 0);
		if (op == TFTP_OACK) {
			assert_int_equal(expect, 1);
			assert_int_equal(tftp_parse_oack(buf, (size_t)n, &f->oackv), 0);
			f->oack = true;
			if (f->oackv.has_blksize)
				f->blksize = f->oackv.blksize;
			if (f->oackv.has_windowsize)
				f->window = f->oackv.windowsize;
			f->from = c.tid;
			cli_ack(&c, 0);
			continue;
		}
		assert_int_equal(op, TFTP_DATA);
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		if (expect == 1 && !f->oack)
			f->from = c.tid;
		f->data_pkts++;
		if (blk != (uint16_t)expect) {
			cli_ack(&c, (uint16_t)(expect - 1));
			continue;
		}
		assert_true(dl <= f->blksize);
		if (!f->data || f->len + dl > cap) {
			cap = cap ? cap * 2 : 65536;
			f->data = realloc(f->data, cap);
			assert_non_null(f->data);
		}
		memcpy(f->data + f->len, d, dl);
		f->len += dl;
		if (dl < f->blksize) {
			cli_ack(&c, blk);
			break;
		}
		if (expect % f->window == 0)
			cli_ack(&c, blk);
		expect++;
	}
	cli_close(&c);
	pump(t, 5); /* let the server see the final ACK */
}

static void assert_pattern(const uint8_t *d, size_t len, size_t want_len)
{
	assert_int_equal(len, want_len);
	for (size_t i = 0; i < len; i++)
		if (d[i] != pattern_byte(i))
			fail_msg("byte %zu differs", i);
}

/* ---- tests ---- */

static void test_sizes_plain(void **state)
{
	struct tctx *t = *state;
	static const struct {
		const char *name;
		size_t size;
		unsigned pkts;
	} cases[] = {
		{ "empty", 0, 1 }, { "f511", 511, 1 },	{ "f512", 512, 2 },
		{ "f513", 513, 2 }, { "/f513", 513, 2 }, { "sub\\f513", 513, 2 },
	};
	start(t);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fetch f = { .name = cases[i].name };
		fetch(t, &f);
		assert_false(f.oack); /* no options: no OACK (RFC 1350 client) */
		assert_pattern(f.data, f.len, cases[i].size);
		assert_int_equal(f.data_pkts, cases[i].pkts);
		/* a new TID, from the address we talked to */
		const struct sockaddr_in *from = (const struct sockaddr_in *)&f.from;
		assert_int_not_equal(ntohs(from->sin_port), tftp_server_port(t->srv));
		assert_int_equal(from->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
		free(f.data);
	}
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_int_equal(t->rep.ok, sizeof cases / sizeof cases[0]);
}

static void test_tsize_blksize(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "blksize", "tsize" }, *values[] = { "1432", "0" };
	start(t);
	struct fetch f = { .name = "f5000", .names = names, .values = values, .nopt = 2 };
	fetch(t, &f);
	assert_true(f.oack);
	assert_true(f.oackv.has_tsize);
	assert_int_equal(f.oackv.tsize, 5000);
	assert_int_equal(f.oackv.blksize, 1432);
	assert_false(f.oackv.has_windowsize);
	assert_pattern(f.data, f.len, 5000);
	assert_int_equal(f.data_pkts, 4); /* 1432 * 3 + 704 */
	free(f.data);
}

/* blksize is capped by max_blksize (default 1468) and by the route MTU. */
static void test_blksize_caps(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "blksize" }, *values[] = { "65464" };
	start(t);
	struct fetch f = { .name = "f5000", .names = names, .values = values, .nopt = 1 };
	fetch(t, &f);
	assert_int_equal(f.oackv.blksize, 1468);
	assert_pattern(f.data, f.len, 5000);
	free(f.data);
	tftp_server_stop(t->srv);
	t->cfg.max_blksize = 65464;
	start(t);
	struct fetch g = { .name = "big", .names = names, .values = values, .nopt = 1 };
	fetch(t, &g);
	/* lo has MTU 65536: 65536 - 32 = 65504, so the RFC cap wins */
	assert_int_equal(g.oackv.blksize, 65464);
	/* one window's buffer stays within 1 MiB: 16 blocks of 65464 */
	const char *names2[] = { "blksize", "windowsize" }, *values2[] = { "65464", "64" };
	uint8_t buf[1024];
	struct cli c;
	struct tftp_request o;
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "big", names2, values2, 2);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(tftp_parse_oack(buf, (size_t)n, &o), 0);
	assert_int_equal(o.blksize, 65464);
	assert_int_equal(o.windowsize, 16);
	cli_error(&c, TFTP_EOPTNEG, "enough");
	cli_close(&c);
	/* and a whole transfer so, when we may give the client the 1 MiB of
	 * receive buffer a window needs (root: SO_RCVBUFFORCE) */
	if (geteuid() == 0) {
		struct fetch h = { .name = "big", .names = names2, .values = values2, .nopt = 2,
				   .rcvbuf = 8 << 20 };
		uint64_t t0 = loop_clock_ms();
		fetch(t, &h);
		print_message("window 16 x 65464: %zu bytes in %llu ms\n", h.len,
			      (unsigned long long)(loop_clock_ms() - t0));
		assert_int_equal(h.window, 16);
		assert_pattern(h.data, h.len, BIG_SIZE);
		assert_int_equal(h.data_pkts, BIG_SIZE / 65464 + 1);
		free(h.data);
	}
	assert_pattern(g.data, g.len, BIG_SIZE);
	free(g.data);
}

/* 65538 blocks of 512: the block number wraps 65535 -> 0 (lockstep). */
static void test_rollover_lockstep(void **state)
{
	struct tctx *t = *state;
	start(t);
	struct fetch f = { .name = "big" };
	uint64_t t0 = loop_clock_ms();
	fetch(t, &f);
	uint64_t ms = loop_clock_ms() - t0;
	print_message("lockstep 512: %zu bytes in %llu ms\n", f.len, (unsigned long long)ms);
	assert_pattern(f.data, f.len, BIG_SIZE);
	assert_int_equal(f.data_pkts, BIG_SIZE / 512 + 1); /* no duplicates */
	assert_int_equal(t->rep.ok, 1);
	assert_int_equal(t->rep.last_bytes, BIG_SIZE);
	free(f.data);
}

/* windowsize 8 (RFC 7440) with rollover; every block sent exactly once. */
static void test_window8(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "tsize", "blksize", "windowsize" };
	const char *values[] = { "0", "512", "8" };
	start(t);
	struct fetch f = { .name = "big", .names = names, .values = values, .nopt = 3 };
	uint64_t t0 = loop_clock_ms();
	fetch(t, &f);
	uint64_t ms = loop_clock_ms() - t0;
	print_message("window 8 x 512: %zu bytes in %llu ms\n", f.len, (unsigned long long)ms);
	assert_true(f.oackv.has_windowsize);
	assert_int_equal(f.oackv.windowsize, 8);
	assert_int_equal(f.oackv.tsize, BIG_SIZE);
	assert_pattern(f.data, f.len, BIG_SIZE);
	assert_int_equal(f.data_pkts, BIG_SIZE / 512 + 1);
	free(f.data);
}

/* The server sends a whole window before waiting, and an ACK from the middle
 * of a window (the client lost a block) restarts the window after it. */
static void test_window_loss(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "blksize", "windowsize" }, *values[] = { "512", "4" };
	uint8_t buf[1024];
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	struct cli c;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", names, values, 2);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(buf[1], TFTP_OACK);
	cli_ack(&c, 0);
	for (unsigned i = 1; i <= 4; i++) {
		n = cli_recv(t, &c, buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		assert_int_equal(blk, i);
	}
	/* nothing more until an ACK */
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 100), -1);
	/* "lost" block 3: ack 2, expect 3, 4, 5, 6 */
	cli_ack(&c, 2);
	for (unsigned i = 3; i <= 6; i++) {
		n = cli_recv(t, &c, buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		assert_int_equal(blk, i);
		assert_memory_equal(d, (uint8_t[]){ pattern_byte((i - 1) * 512) }, 1);
	}
	/* an ACK for an old block is ignored */
	cli_ack(&c, 1);
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 100), -1);
	cli_error(&c, 0, "done");
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
	cli_close(&c);
}

/* A withheld ACK makes the server resend the same block after its timeout,
 * and a client that never answers is given up on after the retries. */
static void test_retransmit(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	struct cli c;
	t->cfg.timeout_ms = 200;
	t->cfg.retries = 2;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", NULL, NULL, 0);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 1);
	uint64_t t0 = loop_clock_ms();
	n = cli_recv(t, &c, buf, sizeof buf, 2000); /* withheld ACK: resend */
	uint64_t waited = loop_clock_ms() - t0;
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 1);
	assert_int_equal(dl, 512);
	assert_true(waited >= 150);
	cli_ack(&c, 1);
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 2);
	/* now go silent: two more resends, then the server gives up and says
	 * so with one ERROR (the client answered before: not a spoof) */
	unsigned resends = 0, errors = 0;
	while ((n = cli_recv(t, &c, buf, sizeof buf, 500)) > 0) {
		struct tftp_error e;
		if (!tftp_parse_error(buf, (size_t)n, &e)) {
			errors++;
			assert_int_equal(e.code, TFTP_EUNDEF);
		} else {
			assert_int_equal(errors, 0);
			resends++;
		}
	}
	assert_int_equal(resends, 2);
	assert_int_equal(errors, 1);
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_int_equal(t->rep.fails, 1);
	assert_string_equal(t->rep.last_reason, "timeout");
	cli_close(&c);
}

/* The client's timeout option (RFC 2349) sets the resend interval. */
static void test_timeout_option(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "timeout" }, *values[] = { "1" };
	uint8_t buf[1024];
	struct cli c;
	t->cfg.timeout_ms = 8000;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f513", names, values, 1);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	struct tftp_request o;
	assert_int_equal(tftp_parse_oack(buf, (size_t)n, &o), 0);
	assert_true(o.has_timeout);
	assert_int_equal(o.timeout_s, 1);
	uint64_t t0 = loop_clock_ms();
	n = cli_recv(t, &c, buf, sizeof buf, 3000); /* OACK again after 1 s, not 8 */
	uint64_t waited = loop_clock_ms() - t0;
	assert_true(n > 0);
	assert_int_equal(buf[1], TFTP_OACK);
	assert_in_range(waited, 800, 4500);
	cli_close(&c);
}

/* Sorcerer's Apprentice: duplicate ACKs never trigger duplicate DATA. */
static void test_duplicate_acks(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	struct cli c;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", NULL, NULL, 0);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	for (int i = 0; i < 5; i++)
		cli_ack(&c, 1);
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 2);
	/* no second copy of block 2 within the (1 s) timeout */
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 300), -1);
	/* and an ACK for a block never sent is ignored too */
	cli_ack(&c, 9);
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 100), -1);
	cli_ack(&c, 2);
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 3);
	cli_close(&c);
}

static void test_refusals(void **state)
{
	struct tctx *t = *state;
	static const struct {
		const char *name;
		int code;
	} cases[] = {
		{ "missing", TFTP_ENOTFOUND },
		{ "autoexec.ipxe", TFTP_ENOTFOUND }, /* iPXE's probe: fast "not found" */
		{ "sub/missing", TFTP_ENOTFOUND },
		{ "f513/x", TFTP_ENOTFOUND }, /* a file used as a directory */
		{ "/etc/passwd", TFTP_ENOTFOUND }, /* means root/etc/passwd */
		{ "../secret", TFTP_EACCESS },
		{ "/../secret", TFTP_EACCESS },
		{ "sub/../../secret", TFTP_EACCESS },
		{ "..\\secret", TFTP_EACCESS },
		{ "escape", TFTP_EACCESS },	/* symlink out of the root */
		{ "abs-escape", TFTP_EACCESS }, /* absolute symlink */
		{ "sub", TFTP_EACCESS },	/* directory */
		{ "fifo", TFTP_EACCESS },
		{ "", TFTP_EACCESS },
		{ "forbidden", TFTP_EACCESS }, /* refused by the lookup hook */
		{ "a\x01" "b", TFTP_EACCESS },
	};
	start(t);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cli c;
		cli_open(t, &c, "127.0.0.1");
		uint64_t t0 = loop_clock_ms();
		cli_rrq(&c, TFTP_RRQ, cases[i].name, NULL, NULL, 0);
		int code = expect_error(t, &c);
		uint64_t ms = loop_clock_ms() - t0;
		if (code != cases[i].code)
			fail_msg("%s: error %d, expected %d", cases[i].name, code, cases[i].code);
		if (i < 2)
			print_message("%s -> error %d in %llu ms\n", cases[i].name, code,
				      (unsigned long long)ms);
		cli_close(&c);
	}
	/* write requests are refused */
	struct cli c;
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_WRQ, "f513", NULL, NULL, 0);
	assert_int_equal(expect_error(t, &c), TFTP_EACCESS);
	/* garbage to the listening port: error 4; transfer packets: silence */
	cli_send_raw(&c, "\0\1nomode", 8, false);
	assert_int_equal(expect_error(t, &c), TFTP_EBADOP);
	cli_send_raw(&c, "\0\4\0\1", 4, false);
	uint8_t buf[64];
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 100), -1);
	cli_close(&c);
	assert_int_equal(tftp_server_active(t->srv), 0);
}

/* Over max_transfers: no reply at all (the client repeats its request and
 * gets a slot later; an ERROR would end a firmware's boot); stopping with
 * transfers in progress frees them (ASan checks). */
static void test_max_transfers(void **state)
{
	struct tctx *t = *state;
	struct cli c[3];
	uint8_t buf[1024];
	t->cfg.max_transfers = 2;
	start(t);
	for (int i = 0; i < 2; i++) {
		cli_open(t, &c[i], "127.0.0.1");
		cli_rrq(&c[i], TFTP_RRQ, "f5000", NULL, NULL, 0);
		assert_true(cli_recv(t, &c[i], buf, sizeof buf, 2000) > 0);
		assert_int_equal(buf[1], TFTP_DATA);
	}
	assert_int_equal(tftp_server_active(t->srv), 2);
	cli_open(t, &c[2], "127.0.0.1");
	cli_rrq(&c[2], TFTP_RRQ, "f5000", NULL, NULL, 0);
	assert_int_equal(cli_recv(t, &c[2], buf, sizeof buf, 300), -1);
	assert_int_equal(tftp_server_active(t->srv), 2);
	/* a client ERROR ends its transfer and frees a slot */
	cli_error(&c[0], 0, "bye");
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 1);
	assert_int_equal(t->rep.fails, 1);
	cli_rrq(&c[2], TFTP_RRQ, "f5000", NULL, NULL, 0);
	assert_true(cli_recv(t, &c[2], buf, sizeof buf, 2000) > 0);
	assert_int_equal(buf[1], TFTP_DATA);
	assert_int_equal(tftp_server_active(t->srv), 2);
	for (int i = 0; i < 3; i++)
		cli_close(&c[i]);
	/* teardown stops the server with two transfers in flight */
}

/* A ROM asks with tsize, reads the OACK and aborts: a size probe. */
static void test_size_probe(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "tsize", "blksize" }, *values[] = { "0", "1468" };
	uint8_t buf[1024];
	struct cli c;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "big", names, values, 2);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	struct tftp_request o;
	assert_int_equal(tftp_parse_oack(buf, (size_t)n, &o), 0);
	assert_int_equal(o.tsize, BIG_SIZE);
	cli_error(&c, TFTP_EOPTNEG, "User aborted the transfer");
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_int_equal(t->rep.probes, 1);
	assert_int_equal(t->rep.fails, 0);
	cli_close(&c);
}

/* EDK2-style: probe, abort, and ask again at once from the same port. The
 * server sees the ERROR and the new RRQ in one loop turn, in either order;
 * the new request must get its answer without waiting for a timeout. A
 * resent RRQ while a transfer runs, on the other hand, starts nothing. */
static void test_probe_then_rrq_same_port(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "tsize", "blksize" }, *values[] = { "0", "1468" };
	uint8_t buf[2048];
	struct cli c;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", names, values, 2);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(buf[1], TFTP_OACK);
	cli_error(&c, TFTP_EUNDEF, "probe done");
	cli_rrq(&c, TFTP_RRQ, "f5000", names + 1, values + 1, 1);
	uint64_t t0 = loop_clock_ms();
	n = cli_recv(t, &c, buf, sizeof buf, 5000);
	assert_true(n > 0);
	assert_int_equal(buf[1], TFTP_OACK);
	assert_true(loop_clock_ms() - t0 < 1000);
	assert_int_equal(t->rep.probes, 1);
	assert_int_equal(tftp_server_active(t->srv), 1);
	/* the client resends its RRQ (our OACK was lost): still one
	 * transfer, which repeats its OACK at once from the same TID instead
	 * of after its 10 s timeout */
	struct sockaddr_storage tid = c.tid;
	cli_rrq(&c, TFTP_RRQ, "f5000", names + 1, values + 1, 1);
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_true(n > 0);
	assert_int_equal(buf[1], TFTP_OACK);
	assert_memory_equal(&c.tid, &tid, sizeof(struct sockaddr_in));
	assert_int_equal(tftp_server_active(t->srv), 1);
	/* once the client acknowledged something, a repeated RRQ is stale */
	cli_ack(&c, 0);
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(buf[1], TFTP_DATA);
	cli_ack(&c, 1);
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(buf[3], 2);
	cli_rrq(&c, TFTP_RRQ, "f5000", names + 1, values + 1, 1);
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 200), -1);
	assert_int_equal(tftp_server_active(t->srv), 1);
	cli_close(&c);
}

static bool refuse_lo(void *arg, int ifindex)
{
	int *seen = arg;
	*seen = ifindex;
	return false;
}

/* accept_ifindex sees the interface a request came in on and can drop it
 * silently; an IPv6 literal bind_addr listens on IPv6 only. */
static void test_accept_ifindex_and_v6_bind(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	struct cli c;
	int seen = -1;
	t->cfg.accept_ifindex = refuse_lo;
	t->cfg.accept_arg = &seen;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f513", NULL, NULL, 0);
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 200), -1);
	assert_int_equal(seen, 1); /* lo */
	assert_int_equal(tftp_server_active(t->srv), 0);
	cli_close(&c);
	tftp_server_stop(t->srv);
	t->srv = NULL;

	int probe = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	bool have6 = probe >= 0 && bind(probe, (struct sockaddr *)&lo6, sizeof lo6) == 0;
	if (probe >= 0)
		close(probe);
	if (!have6) {
		print_message("no ::1, IPv6 part skipped\n");
		return;
	}
	t->cfg.accept_ifindex = NULL;
	t->cfg.bind_addr = "::1";
	start(t);
	struct fetch f = { .name = "f513", .ip = "::1" };
	fetch(t, &f);
	assert_pattern(f.data, f.len, 513);
	free(f.data);
	/* bound to ::1 only: IPv4 gets nothing */
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f513", NULL, NULL, 0);
	assert_int_equal(cli_recv(t, &c, buf, sizeof buf, 200), -1);
	cli_close(&c);
	/* a bad literal is refused at start */
	struct tftp_server *bad;
	t->cfg.bind_addr = "not-an-ip";
	assert_int_equal(tftp_server_start(&bad, &t->loop, &t->cfg), -EINVAL);
}

/* Many transfers at once in the one loop, interleaved, each with its own
 * state: every client gets exactly its file. Also netascii mode (served as
 * octet) on every other client. */
static void test_concurrent(void **state)
{
	struct tctx *t = *state;
	enum { N = 24 };
	struct cli c[N];
	uint8_t *got[N];
	size_t len[N];
	uint16_t expect[N];
	bool done[N];
	unsigned left = N;
	uint8_t buf[1024];
	start(t);
	for (int i = 0; i < N; i++) {
		cli_open(t, &c[i], "127.0.0.1");
		uint8_t pkt[64];
		struct wbuf w;
		wbuf_init(&w, pkt, sizeof pkt);
		assert_int_equal(tftp_build_request(&w, TFTP_RRQ, "f5000",
						    i % 2 ? "netascii" : "octet", NULL, NULL, 0),
				 0);
		cli_send_raw(&c[i], pkt, w.len, false);
		got[i] = malloc(8192);
		len[i] = 0;
		expect[i] = 1;
		done[i] = false;
	}
	uint64_t deadline = loop_clock_ms() + 20000;
	size_t peak = 0;
	while (left && loop_clock_ms() < deadline) {
		loop_once(&t->loop, 2);
		if (tftp_server_active(t->srv) > peak)
			peak = tftp_server_active(t->srv);
		for (int i = 0; i < N; i++) {
			struct pollfd p = { .fd = c[i].fd, .events = POLLIN };
			if (done[i] || poll(&p, 1, 0) != 1)
				continue;
			c[i].tid_len = sizeof c[i].tid;
			ssize_t n = recvfrom(c[i].fd, buf, sizeof buf, 0,
					     (struct sockaddr *)&c[i].tid, &c[i].tid_len);
			uint16_t blk;
			const uint8_t *d;
			size_t dl;
			assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
			assert_int_equal(blk, expect[i]);
			assert_true(len[i] + dl <= 8192);
			memcpy(got[i] + len[i], d, dl);
			len[i] += dl;
			expect[i]++;
			cli_ack(&c[i], blk);
			if (dl < 512) {
				done[i] = true;
				left--;
			}
		}
	}
	assert_int_equal(left, 0);
	assert_int_equal(peak, N);
	for (int i = 0; i < N; i++) {
		assert_pattern(got[i], len[i], 5000);
		free(got[i]);
		cli_close(&c[i]);
	}
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_int_equal(t->rep.ok, N);
}

/* The log lines the README promises, with client names sanitised. */
static void test_log_lines(void **state)
{
	struct tctx *t = *state;
	char path[128], text[4096] = { 0 };
	snprintf(path, sizeof path, "%s/log", t->top);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, fd);
	start(t);
	struct fetch f = { .name = "f513" };
	fetch(t, &f);
	free(f.data);
	struct cli c;
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "no such\"file\"", NULL, NULL, 0);
	assert_int_equal(expect_error(t, &c), TFTP_ENOTFOUND);
	cli_rrq(&c, TFTP_RRQ, "a\nb", NULL, NULL, 0);
	assert_int_equal(expect_error(t, &c), TFTP_EACCESS);
	cli_close(&c);
	/* "big" needs 65538 blocks of 512: a warning for clients without
	 * rollover (Raspberry Pi), logged as the transfer starts (size probe) */
	const char *tn[] = { "tsize" }, *tv[] = { "0" };
	uint8_t buf[600];
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "big", tn, tv, 1);
	assert_true(cli_recv(t, &c, buf, sizeof buf, 3000) > 0);
	cli_error(&c, 0, "TFTP Aborted");
	pump(t, 20);
	cli_close(&c);
	log_setup(LOG_FMT_TEXT, getenv("TFTP_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR, 2);
	assert_true(pread(fd, text, sizeof text - 1, 0) > 0);
	close(fd);
	unlink(path);
	assert_non_null(strstr(text, "tftp.done client=127.0.0.1:"));
	assert_non_null(strstr(text, " file=f513 bytes=513 secs="));
	assert_non_null(strstr(text, " rate_kBps="));
	assert_non_null(strstr(text, " blksize=512 window=1"));
	assert_non_null(strstr(text, "tftp.refuse client=127.0.0.1:"));
	assert_non_null(strstr(text, "file=no\\x20such\\x22file\\x22 code=1 reason=not-found"));
	assert_non_null(strstr(text, "file=a\\x0ab code=2 reason=bad-path"));
	assert_non_null(strstr(text, "tftp.warn client=127.0.0.1:"));
	assert_non_null(strstr(text, " file=big size=33555432 blksize=512 blocks=65538 reason=\"more than "
				     "65535 blocks"));
	/* small files: no such warning */
	assert_null(strstr(text, "file=f513 size="));
}

/* Memory files from the lookup hook, released when the transfer ends. */
static void test_lookup_vfile(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "tsize" }, *values[] = { "0" };
	start(t);
	struct fetch f = { .name = "/gen/boot.ipxe", .names = names, .values = values, .nopt = 1 };
	fetch(t, &f);
	assert_int_equal(f.oackv.tsize, strlen(vfile_text));
	assert_int_equal(f.len, strlen(vfile_text));
	assert_memory_equal(f.data, vfile_text, f.len);
	assert_int_equal(t->vfile_released, 1);
	free(f.data);
}

/* Replies leave from the address the request was sent to (IP_PKTINFO),
 * on a dual-stack socket, for IPv4 and IPv6. */
static void test_reply_source(void **state)
{
	struct tctx *t = *state;
	t->cfg.bind_addr = NULL;
	start(t);
	struct fetch f = { .name = "f513", .ip = "127.0.0.2" };
	fetch(t, &f);
	assert_pattern(f.data, f.len, 513);
	assert_int_equal(f.from.ss_family, AF_INET);
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&f.from;
	assert_int_equal(s4->sin_addr.s_addr, inet_addr("127.0.0.2"));
	free(f.data);

	int probe = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	bool have6 = probe >= 0 && bind(probe, (struct sockaddr *)&lo6, sizeof lo6) == 0;
	if (probe >= 0)
		close(probe);
	if (!have6) {
		print_message("no ::1, IPv6 part skipped\n");
		return;
	}
	struct fetch g = { .name = "f513", .ip = "::1" };
	fetch(t, &g);
	assert_pattern(g.data, g.len, 513);
	assert_int_equal(g.from.ss_family, AF_INET6);
	free(g.data);
}

/* ---- real clients ---- */

static bool have_prog(const char *p)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", p);
	return system(cmd) == 0;
}

/* Spawns argv and runs the server loop until it exits; returns its status. */
static int run_client(struct tctx *t, char *const argv[])
{
	pid_t pid;
	int st;
	assert_int_equal(posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ), 0);
	uint64_t deadline = loop_clock_ms() + 60000;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		if (loop_clock_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		loop_once(&t->loop, 2);
	}
}

static void check_out_file(const char *path, size_t size)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	uint8_t *d = malloc(size + 1);
	ssize_t n = read(fd, d, size + 1);
	close(fd);
	assert_pattern(d, (size_t)n, size);
	free(d);
}

static void test_real_clients(void **state)
{
	struct tctx *t = *state;
	char url[128], out[128], port[16];
	t->cfg.max_blksize = 65464;
	start(t);
	snprintf(port, sizeof port, "%u", tftp_server_port(t->srv));
	snprintf(out, sizeof out, "%s/out", t->top);
	if (have_prog("curl")) {
		/* curl asks blksize 512 + tsize; --tftp-blksize asks bigger */
		snprintf(url, sizeof url, "tftp://127.0.0.1:%s/f5000", port);
		char *a1[] = { "curl", "-sS", "-o", out, url, NULL };
		uint64_t t0 = loop_clock_ms();
		assert_int_equal(run_client(t, a1), 0);
		print_message("curl f5000: %llu ms\n", (unsigned long long)(loop_clock_ms() - t0));
		check_out_file(out, 5000);
		snprintf(url, sizeof url, "tftp://127.0.0.1:%s/big", port);
		char *a2[] = { "curl", "-sS", "--tftp-blksize", "8192", "-o", out, url, NULL };
		t0 = loop_clock_ms();
		assert_int_equal(run_client(t, a2), 0);
		print_message("curl big (blksize 8192): %llu ms\n",
			      (unsigned long long)(loop_clock_ms() - t0));
		check_out_file(out, BIG_SIZE);
		/* a missing file: curl reports TFTP "not found" (exit 68) */
		snprintf(url, sizeof url, "tftp://127.0.0.1:%s/missing", port);
		char *a3[] = { "curl", "-s", "-o", out, url, NULL };
		assert_int_equal(run_client(t, a3), 68);
	} else {
		print_message("curl not installed: skipped\n");
	}
	if (have_prog("tftp") && system("tftp -V 2>&1 | grep -q tftp-hpa") == 0) {
		char *a4[] = { "tftp", "-m", "binary", "127.0.0.1", port, "-c", "get", "f513", out, NULL };
		unlink(out);
		assert_int_equal(run_client(t, a4), 0);
		check_out_file(out, 513);
		unlink(out);
		char *a5[] = { "tftp", "127.0.0.1", port, "-c", "get", "/f5000", out, NULL };
		uint64_t t0 = loop_clock_ms();
		assert_int_equal(run_client(t, a5), 0);
		print_message("tftp-hpa f5000: %llu ms\n", (unsigned long long)(loop_clock_ms() - t0));
		check_out_file(out, 5000);
	} else {
		print_message("tftp-hpa not installed: skipped\n");
	}
	assert_int_equal(t->rep.fails, 0);
}


/* ---- adaptive retransmission (RFC 6298 estimator, Karn's rule) ---- */

/* RRQ f5000 with blksize 512 (so an OACK, which is timed too), ACK 0;
 * returns with DATA 1 received. */
static void adaptive_begin(struct tctx *t, struct cli *c, uint8_t *buf, size_t cap)
{
	const char *names[] = { "blksize" }, *values[] = { "512" };
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	cli_open(t, c, "127.0.0.1");
	cli_rrq(c, TFTP_RRQ, "f5000", names, values, 1);
	ssize_t n = cli_recv(t, c, buf, cap, 2000);
	assert_true(n > 0);
	assert_int_equal(buf[1], TFTP_OACK);
	cli_ack(c, 0);
	n = cli_recv(t, c, buf, cap, 2000);
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 1);
}

/* On a fast link the server resends long before the configured timeout,
 * backs off (each wait at least twice the floor times 2^k), and those
 * short timeouts do not use up the retries: with retries 1 a fixed
 * timeout gives up after 1 resend, the adaptive one resends several times
 * first (30, 60, 120, ... ms, then 1000 ms counted). */
static void test_adaptive_fast_resend_backoff(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	struct cli c;
	t->cfg.timeout_ms = 1000;
	t->cfg.min_timeout_ms = 30;
	t->cfg.retries = 1;
	start(t);
	adaptive_begin(t, &c, buf, sizeof buf);
	/* a few quick round trips to measure */
	for (uint16_t b = 1; b <= 4; b++) {
		cli_ack(&c, b);
		ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		assert_int_equal(blk, b + 1);
	}
	/* now silence: block 5 again and again, ever slower, then give up */
	unsigned resends = 0;
	bool got_error = false;
	uint64_t prev = loop_clock_ms(), waits[16];
	for (;;) {
		ssize_t n = cli_recv(t, &c, buf, sizeof buf, 3000);
		if (n < 0)
			break;
		uint64_t now = loop_clock_ms();
		if (buf[1] == TFTP_ERROR) { /* the give-up, said once */
			got_error = true;
			break;
		}
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		assert_int_equal(blk, 5);
		assert_true(resends < 16);
		waits[resends++] = now - prev;
		prev = now;
	}
	for (unsigned i = 0; i < resends; i++)
		print_message("resend %u after %llu ms\n", i + 1, (unsigned long long)waits[i]);
	assert_true(got_error);
	assert_true(resends >= 2); /* a fixed 1000 ms timeout with retries 1: exactly 1 */
	/* backoff: the k-th wait is at least 30 ms * 2^k (never shorter) */
	for (unsigned i = 0; i < resends; i++) {
		uint64_t floor = 30ull << i;
		assert_true(waits[i] + 2 >= (floor > 1000 ? 1000 : floor));
	}
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_int_equal(t->rep.fails, 1);
	assert_string_equal(t->rep.last_reason, "timeout");
	cli_close(&c);
}

/* Karn: no round trip is taken from an ACK of a block that was sent twice.
 * f5000 at blksize 512 is 10 blocks; the OACK and every block are timed
 * except block 3, whose ACK is withheld until it was resent. */
static void test_adaptive_karn(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	struct cli c;
	t->cfg.timeout_ms = 1000;
	t->cfg.min_timeout_ms = 30;
	start(t);
	adaptive_begin(t, &c, buf, sizeof buf);
	uint16_t b = 1;
	for (;;) {
		if (b == 3) { /* withhold: wait for the resend */
			ssize_t n = cli_recv(t, &c, buf, sizeof buf, 3000);
			assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
			assert_int_equal(blk, 3);
		}
		cli_ack(&c, b);
		if (b == 10)
			break;
		ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		assert_int_equal(blk, b + 1);
		b++;
	}
	pump(t, 20);
	assert_int_equal(t->rep.ok, 1);
	/* OACK + blocks 1..10, less block 3 */
	assert_int_equal(t->rep.rtt_samples, 10);
	assert_true(t->rep.timeouts >= 1);
	cli_close(&c);
}

/* A client's RFC 2349 timeout is honoured as asked: a fixed interval, no
 * adaptation below it even after fast round trips. */
static void test_adaptive_client_timeout_fixed(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "timeout", "blksize" }, *values[] = { "1", "512" };
	uint8_t buf[1024];
	uint16_t blk;
	const uint8_t *d;
	size_t dl;
	struct cli c;
	t->cfg.timeout_ms = 5000;
	t->cfg.min_timeout_ms = 20;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", names, values, 2);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(buf[1], TFTP_OACK);
	cli_ack(&c, 0);
	for (uint16_t b = 1; b <= 3; b++) {
		n = cli_recv(t, &c, buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
		assert_int_equal(blk, b);
		if (b < 3)
			cli_ack(&c, b);
	}
	uint64_t t0 = loop_clock_ms();
	n = cli_recv(t, &c, buf, sizeof buf, 4000);
	uint64_t waited = loop_clock_ms() - t0;
	assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
	assert_int_equal(blk, 3);
	assert_true(waited >= 900); /* 1 s as asked, not the 20 ms floor */
	cli_close(&c);
}

/* ---- issue 10: one client must not hold the server ---- */

/* RFC 2349 timeout: up to 5 s as asked; above, left out of the OACK (the
 * adaptive RTO runs) so no client holds a slot for 6 x 255 s. */
static void test_timeout_option_capped(void **state)
{
	struct tctx *t = *state;
	static const struct {
		const char *v;
		bool acked;
	} cases[] = { { "255", false }, { "6", false }, { "5", true } };
	start(t);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *names[] = { "timeout", "tsize" }, *values[] = { cases[i].v, "0" };
		uint8_t buf[1024];
		struct cli c;
		struct tftp_request o;
		cli_open(t, &c, "127.0.0.1");
		cli_rrq(&c, TFTP_RRQ, "f513", names, values, 2);
		ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_oack(buf, (size_t)n, &o), 0);
		assert_int_equal(o.has_timeout, cases[i].acked);
		assert_true(o.has_tsize);
		cli_error(&c, 0, "probe");
		cli_close(&c);
	}
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
}

/* A client that acknowledged something, then goes silent: the transfer
 * ends after max_stall_ms however many retries are left, with one ERROR. */
static void test_stall_gives_up_with_error(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	struct cli c;
	t->cfg.timeout_ms = 100;
	t->cfg.min_timeout_ms = 100;
	t->cfg.retries = 100; /* 10 s of retries: the stall bound must win */
	t->cfg.max_stall_ms = 600;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", NULL, NULL, 0);
	assert_true(cli_recv(t, &c, buf, sizeof buf, 2000) > 0);
	cli_ack(&c, 1);
	uint64_t t0 = loop_clock_ms();
	unsigned data = 0, errors = 0;
	ssize_t n;
	while ((n = cli_recv(t, &c, buf, sizeof buf, 1500)) > 0) {
		struct tftp_error e;
		if (!tftp_parse_error(buf, (size_t)n, &e)) {
			errors++;
			break;
		}
		data++;
	}
	uint64_t took = loop_clock_ms() - t0;
	assert_int_equal(errors, 1);
	assert_in_range(data, 3, 8); /* block 2, then resends every ~100 ms */
	assert_in_range(took, 500, 1400);
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_string_equal(t->rep.last_reason, "timeout");
	cli_close(&c);
}

/* A source that never answers (a spoofed RRQ looks so) gets the first
 * DATA and one resend, no ERROR: a bounded, small number of bytes. */
static void test_never_answering_source_bounded(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	struct cli c;
	t->cfg.timeout_ms = 100;
	t->cfg.min_timeout_ms = 100;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	/* 19 bytes: the 47-byte datagram of the issue */
	cli_rrq(&c, TFTP_RRQ, "f5000", NULL, NULL, 0);
	size_t bytes = 0;
	unsigned pkts = 0;
	ssize_t n;
	while ((n = cli_recv(t, &c, buf, sizeof buf, 800)) > 0) {
		assert_int_equal(buf[1], TFTP_DATA);
		bytes += (size_t)n;
		pkts++;
	}
	print_message("never-answering source: %u datagrams, %zu bytes for one 19-byte RRQ\n",
		      pkts, bytes);
	assert_int_equal(pkts, 2);
	assert_int_equal(bytes, 2 * 516);
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_string_equal(t->rep.last_reason, "no-answer");
	cli_close(&c);
}

/* More than max_per_client transfers from one address: error 0; another
 * address is served. */
static void test_per_client_cap(void **state)
{
	struct tctx *t = *state;
	struct cli c[4];
	uint8_t buf[1024];
	t->cfg.max_per_client = 2;
	start(t);
	for (int i = 0; i < 2; i++) {
		cli_open(t, &c[i], "127.0.0.1");
		cli_rrq(&c[i], TFTP_RRQ, "f5000", NULL, NULL, 0);
		assert_true(cli_recv(t, &c[i], buf, sizeof buf, 2000) > 0);
		assert_int_equal(buf[1], TFTP_DATA);
	}
	cli_open(t, &c[2], "127.0.0.1");
	cli_rrq(&c[2], TFTP_RRQ, "f5000", NULL, NULL, 0);
	ssize_t n = cli_recv(t, &c[2], buf, sizeof buf, 2000);
	struct tftp_error e;
	assert_int_equal(tftp_parse_error(buf, (size_t)n, &e), 0);
	assert_int_equal(e.code, TFTP_EUNDEF);
	assert_int_equal(tftp_server_active(t->srv), 2);
	/* another address (the client socket bound to 127.0.0.2) is served */
	struct sockaddr_in me = { .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.2", &me.sin_addr);
	cli_open(t, &c[3], "127.0.0.1");
	assert_int_equal(bind(c[3].fd, (struct sockaddr *)&me, sizeof me), 0);
	cli_rrq(&c[3], TFTP_RRQ, "f5000", NULL, NULL, 0);
	assert_true(cli_recv(t, &c[3], buf, sizeof buf, 2000) > 0);
	assert_int_equal(buf[1], TFTP_DATA);
	assert_int_equal(tftp_server_active(t->srv), 3);
	for (int i = 0; i < 4; i++)
		cli_close(&c[i]);
}

/* The memory budget: when it runs short, windowsize and then blksize are
 * negotiated down in the OACK instead of refusing. */
static void test_memory_budget_shrinks_window(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "blksize", "windowsize" }, *values[] = { "8192", "64" };
	struct cli c[3];
	struct tftp_request o[3];
	uint8_t buf[9000];
	t->cfg.max_blksize = 8192;
	t->cfg.mem_budget = 200 << 10;
	start(t);
	for (int i = 0; i < 3; i++) {
		cli_open(t, &c[i], "127.0.0.1");
		cli_rrq(&c[i], TFTP_RRQ, "big", names, values, 2);
		ssize_t n = cli_recv(t, &c[i], buf, sizeof buf, 2000);
		assert_int_equal(tftp_parse_oack(buf, (size_t)n, &o[i]), 0);
		print_message("budget 200 KiB, transfer %d: blksize %u windowsize %u\n", i,
			      o[i].blksize, o[i].windowsize);
	}
	/* 64 x 8192 = 512 KiB asked: the first gets what fits in half of
	 * 200 KiB */
	assert_int_equal(o[0].blksize, 8192);
	assert_true(o[0].windowsize >= 8 && o[0].windowsize <= 12);
	/* the rest of the budget: a smaller window, then smaller blocks */
	assert_true(o[1].windowsize < o[0].windowsize || o[1].blksize < 8192);
	assert_true((uint64_t)o[2].blksize * o[2].windowsize <
		    (uint64_t)o[0].blksize * o[0].windowsize);
	/* and the transfer works with what it was given */
	cli_ack(&c[2], 0);
	ssize_t n = cli_recv(t, &c[2], buf, sizeof buf, 2000);
	assert_int_equal(n, (ssize_t)o[2].blksize + 4);
	for (int i = 0; i < 3; i++)
		cli_close(&c[i]);
}

/* First replies are rate-limited per client address: a burst of requests
 * from one address gets 2 x rate answers, the rest are dropped. */
static void test_first_reply_rate_limit(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[128];
	struct cli c;
	t->cfg.rate_per_client = 3; /* burst 6 */
	start(t);
	cli_open(t, &c, "127.0.0.1");
	for (int i = 0; i < 20; i++)
		cli_rrq(&c, TFTP_RRQ, "missing", NULL, NULL, 0);
	unsigned answers = 0;
	while (cli_recv(t, &c, buf, sizeof buf, 200) > 0)
		answers++;
	assert_int_equal(answers, 6);
	cli_close(&c);
}

/* ---- single_port ---- */

/* N clients at once, half lockstep, half windowsize 4; every reply packet
 * (OACK, DATA, ERROR) must come from the listening address and port. */
static void test_single_port(void **state)
{
	struct tctx *t = *state;
	enum { N = 16 };
	struct cli c[N];
	uint8_t *got[N];
	size_t len[N];
	uint16_t expect[N];
	unsigned win[N], inwin[N];
	bool done[N];
	unsigned left = N;
	uint8_t buf[1024];
	t->cfg.single_port = true;
	start(t);
	uint16_t port = tftp_server_port(t->srv);
	for (int i = 0; i < N; i++) {
		const char *names[] = { "blksize", "windowsize" }, *values[] = { "512", "4" };
		cli_open(t, &c[i], "127.0.0.1");
		cli_rrq(&c[i], TFTP_RRQ, "f5000", names, values, i % 2 ? 2 : 0);
		got[i] = malloc(8192);
		len[i] = 0;
		expect[i] = 1;
		win[i] = 1;
		inwin[i] = 0;
		done[i] = false;
	}
	uint64_t deadline = loop_clock_ms() + 20000;
	size_t peak = 0;
	while (left && loop_clock_ms() < deadline) {
		loop_once(&t->loop, 2);
		if (tftp_server_active(t->srv) > peak)
			peak = tftp_server_active(t->srv);
		for (int i = 0; i < N; i++) {
			struct pollfd p = { .fd = c[i].fd, .events = POLLIN };
			while (!done[i] && poll(&p, 1, 0) == 1) {
				c[i].tid_len = sizeof c[i].tid;
				ssize_t n = recvfrom(c[i].fd, buf, sizeof buf, 0,
						     (struct sockaddr *)&c[i].tid, &c[i].tid_len);
				const struct sockaddr_in *from = (const void *)&c[i].tid;
				assert_int_equal(ntohs(from->sin_port), port);
				assert_int_equal(from->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
				uint16_t blk;
				const uint8_t *d;
				size_t dl;
				if (buf[1] == TFTP_OACK) {
					struct tftp_request o;
					assert_int_equal(tftp_parse_oack(buf, (size_t)n, &o), 0);
					win[i] = o.windowsize;
					cli_ack(&c[i], 0);
					continue;
				}
				assert_int_equal(tftp_parse_data(buf, (size_t)n, &blk, &d, &dl), 0);
				assert_int_equal(blk, expect[i]);
				assert_true(len[i] + dl <= 8192);
				memcpy(got[i] + len[i], d, dl);
				len[i] += dl;
				expect[i]++;
				if (++inwin[i] == win[i] || dl < 512) {
					inwin[i] = 0;
					cli_ack(&c[i], blk);
				}
				if (dl < 512) {
					done[i] = true;
					left--;
				}
			}
		}
	}
	assert_int_equal(left, 0);
	assert_int_equal(peak, N);
	for (int i = 0; i < N; i++) {
		assert_pattern(got[i], len[i], 5000);
		free(got[i]);
		cli_close(&c[i]);
	}
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
	assert_int_equal(t->rep.ok, N);
	/* refusals come from the listening port too */
	struct cli e;
	cli_open(t, &e, "127.0.0.1");
	cli_rrq(&e, TFTP_RRQ, "missing", NULL, NULL, 0);
	assert_int_equal(expect_error(t, &e), TFTP_ENOTFOUND);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&e.tid)->sin_port), port);
	cli_close(&e);
}

/* single_port keeps the rest: a big windowed transfer with rollover, a
 * size probe then the real request from the same client port, a repeated
 * RRQ answered once, and a transfer over IPv6. */
static void test_single_port_probe_rollover_v6(void **state)
{
	struct tctx *t = *state;
	const char *names[] = { "tsize", "blksize", "windowsize" };
	const char *values[] = { "0", "512", "8" };
	uint8_t buf[2048];
	t->cfg.single_port = true;
	start(t);
	struct fetch f = { .name = "big", .names = names, .values = values, .nopt = 3 };
	fetch(t, &f);
	assert_pattern(f.data, f.len, BIG_SIZE);
	assert_int_equal(f.data_pkts, BIG_SIZE / 512 + 1);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&f.from)->sin_port),
			 tftp_server_port(t->srv));
	free(f.data);

	struct cli c;
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", names, values, 2);
	ssize_t n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_int_equal(buf[1], TFTP_OACK);
	cli_error(&c, TFTP_EUNDEF, "probe done");
	cli_rrq(&c, TFTP_RRQ, "f5000", names + 1, values + 1, 1);
	n = cli_recv(t, &c, buf, sizeof buf, 5000);
	assert_true(n > 0);
	assert_int_equal(buf[1], TFTP_OACK);
	assert_int_equal(t->rep.probes, 1);
	assert_int_equal(tftp_server_active(t->srv), 1);
	cli_rrq(&c, TFTP_RRQ, "f5000", names + 1, values + 1, 1); /* OACK lost? again */
	n = cli_recv(t, &c, buf, sizeof buf, 2000);
	assert_true(n > 0);
	assert_int_equal(buf[1], TFTP_OACK);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&c.tid)->sin_port),
			 tftp_server_port(t->srv));
	assert_int_equal(tftp_server_active(t->srv), 1);
	cli_error(&c, TFTP_EUNDEF, "bye");
	pump(t, 10);
	assert_int_equal(tftp_server_active(t->srv), 0);
	cli_close(&c);

	tftp_server_stop(t->srv);
	t->cfg.bind_addr = NULL; /* dual-stack: v4 clients via v4-mapped addresses */
	start(t);
	struct fetch g = { .name = "f5000", .ip = "::1", .names = names + 1, .values = values + 1,
			   .nopt = 2 };
	fetch(t, &g);
	assert_pattern(g.data, g.len, 5000);
	assert_int_equal(ntohs(((const struct sockaddr_in6 *)&g.from)->sin6_port),
			 tftp_server_port(t->srv));
	free(g.data);
	struct fetch h = { .name = "f5000", .ip = "127.0.0.1", .names = names + 1,
			   .values = values + 1, .nopt = 2 };
	fetch(t, &h);
	assert_pattern(h.data, h.len, 5000);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&h.from)->sin_port),
			 tftp_server_port(t->srv));
	free(h.data);
}

/* A client that vanishes (its port closed): the next DATA draws an ICMP
 * port unreachable, and the transfer ends at once as client-unreachable,
 * with its own connected socket (ECONNREFUSED) and on a shared pool socket
 * (IP_RECVERR's error queue) alike, not after the retries. */
static void test_vanished_client(void **state)
{
	struct tctx *t = *state;
	uint8_t buf[1024];
	struct cli c;
	t->cfg.timeout_ms = 200;
	t->cfg.min_timeout_ms = 50;
	start(t);
	cli_open(t, &c, "127.0.0.1");
	cli_rrq(&c, TFTP_RRQ, "f5000", NULL, NULL, 0);
	assert_true(cli_recv(t, &c, buf, sizeof buf, 2000) > 0);
	assert_int_equal(buf[1], TFTP_DATA);
	cli_close(&c);
	uint64_t t0 = loop_clock_ms();
	while (t->rep.n == 0 && loop_clock_ms() - t0 < 3000)
		loop_once(&t->loop, 10);
	assert_int_equal(t->rep.fails, 1);
	assert_string_equal(t->rep.last_reason, "client-unreachable");
	assert_int_equal(tftp_server_active(t->srv), 0);
}

#define POOL(f) { "pool_" #f, f, setup_pool, teardown, NULL }

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sizes_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsize_blksize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blksize_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollover_lockstep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retransmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_acks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_transfers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_then_rrq_same_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_ifindex_and_v6_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_vfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adaptive_fast_resend_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adaptive_karn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adaptive_client_timeout_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_option_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stall_gives_up_with_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_answering_source_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_client_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_budget_shrinks_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_reply_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_port_probe_rollover_v6, setup, teardown),
		POOL(test_sizes_plain),
		POOL(test_tsize_blksize),
		POOL(test_blksize_caps),
		POOL(test_rollover_lockstep),
		POOL(test_window8),
		POOL(test_window_loss),
		POOL(test_retransmit),
		POOL(test_timeout_option),
		POOL(test_duplicate_acks),
		POOL(test_refusals),
		POOL(test_max_transfers),
		POOL(test_size_probe),
		POOL(test_probe_then_rrq_same_port),
		POOL(test_accept_ifindex_and_v6_bind),
		POOL(test_concurrent),
		POOL(test_log_lines),
		POOL(test_lookup_vfile),
		POOL(test_reply_source),
		POOL(test_real_clients),
		POOL(test_adaptive_fast_resend_backoff),
		POOL(test_adaptive_karn),
		POOL(test_adaptive_client_timeout_fixed),
		POOL(test_timeout_option_capped),
		POOL(test_stall_gives_up_with_error),
		POOL(test_never_answering_source_bounded),
		POOL(test_per_client_cap),
		POOL(test_memory_budget_shrinks_window),
		POOL(test_first_reply_rate_limit),
		POOL(test_vanished_client),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
