/* libFuzzer target for the HTTP connection state machine: one real server
 * on loopback, one connection per input, the input split into chunks at
 * points the fuzzer picks (pipelined, partial, slow: a chunk may advance a
 * fake clock past the head or keep-alive deadline). Invariants: no crash,
 * no sanitizer report, and every connection is gone once the client has
 * closed and the deadlines have passed. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "netboot/bootfiles.h"
#include "netboot/fsroot.h"
#include "netboot/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct loop loop;
static struct fsroot root;
static struct http_server *srv;
static uint64_t now_ms = 1000;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return now_ms;
}

static const char script[] = "#!ipxe\nboot\n";

static struct bootplan no_plan;

static int lookup(void *arg, const char *clean, const struct sockaddr *peer, struct bootfile *vf)
{
	(void)arg;
	if (!strcmp(clean, "deny"))
		return -EACCES;
	if (strcmp(clean, "boot.ipxe")) {
		struct bootfiles files = {.plan = &no_plan, .root = &root};
		return bootfiles_resolve(&files, BOOTFILES_HTTP, clean, peer, vf);
	}
	vf->data = script;
	vf->len = sizeof script - 1;
	return 1;
}

static void write_file(int dirfd, const char *name, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char buf[4096];
	memset(buf, 'x', sizeof buf);
	while (fd >= 0 && n > 0) {
		size_t k = n < sizeof buf ? n : sizeof buf;
		if (write(fd, buf, k) != (ssize_t)k)
			abort();
		n -= k;
	}
	if (fd >= 0)
		close(fd);
}

static void setup(void)
{
	char dir[] = "/tmp/lifeboat-fuzz-http-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	write_file(dfd, "a.txt", 100);
	write_file(dfd, "big.bin", 300000);
	mkdirat(dfd, "sub", 0755);
	close(dfd);
	log_setup(LOG_FMT_TEXT, LOG_LVL_ERR, open("/dev/null", O_WRONLY));
	if (loop_init(&loop) || fsroot_init(&root, dir))
		abort();
	loop_set_clock(&loop, fake_clock, NULL);
	struct http_config cfg = {.any_port = true,
				  .bind_addr = "127.0.0.1",
				  .header_timeout_ms = 500,
				  .keepalive_timeout_ms = 700,
				  .idle_timeout_ms = 900,
				  .lookup = lookup};
	if (http_server_start(&srv, &loop, &cfg))
		abort();
}

static void pump(int n)
{
	while (n-- > 0)
		loop_once(&loop, 0);
}

static void drain(int fd)
{
	char buf[65536];
	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv)
		setup();
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(http_server_port(srv)),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	/* Reset on close: no TIME_WAIT pile-up over millions of inputs. */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS))
		abort();
	pump(2);
	size_t i = 0;
	while (i < size) {
		uint8_t ctl = data[i++];
		size_t len = ctl & 0x3f;
		if (len > size - i)
			len = size - i;
		if (len && send(fd, data + i, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			break; /* the server closed on us */
		i += len;
		if (ctl & 0x40)
			now_ms += 300; /* may cross a deadline */
		pump(ctl & 0x80 ? 4 : 1);
		drain(fd);
	}
	shutdown(fd, SHUT_WR);
	for (int k = 0; k < 50 && http_server_active(srv); k++) {
		pump(1);
		drain(fd);
	}
	close(fd);
	/* Past every deadline: nothing may be left. */
	for (int k = 0; k < 20 && http_server_active(srv); k++) {
		now_ms += 1000;
		pump(1);
	}
	if (http_server_active(srv))
		abort();
	return 0;
}
