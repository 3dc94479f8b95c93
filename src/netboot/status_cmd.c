/* status_cmd: `lifeboat status [--watch] [--json]`: asks a running serve
 * over its Unix socket (status.h) and prints the client table once, every
 * second, or as JSON. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/opts.h"
#include "netboot/status.h"
#include "netboot/status_cmd.h"
#include "roles.h"

struct status_opts {
	bool watch, json, metrics, help;
	const char *socket;
	unsigned interval;
};

#define O(m) OPTS_AT(struct status_opts, m)
static const struct opts_row status_rows[] = {
    {"watch", 'w', OPTS_FLAG, O(watch), .value = 1, .help = "redraw every S seconds (--interval)",
     .group = "Options"},
    {"json", 'j', OPTS_FLAG, O(json), .value = 1, .help = "the records as JSON (status.json)",
     .group = "Options"},
    {"metrics", 0, OPTS_FLAG, O(metrics), .value = 1,
     .help = "the counters in the Prometheus text format", .group = "Options"},
    {"interval", 'n', OPTS_UINT, "S", O(interval), .min = 1, .max = 3600, .def = "1",
     .help = "seconds between --watch redraws", .group = "Options"},
    {"socket", 0, OPTS_STRING, "PATH", O(socket), .def = STATUS_SOCKET_DEFAULT,
     .help = "the serve's status socket", .group = "Options"},
    {"help", 'h', OPTS_FLAG, O(help), .value = 1, .flags = OPTS_STOP, .help = "this text",
     .group = "Options"},
};
#undef O

static const struct opts_cmd status_cmd = {
    .name = "status",
    .about = "usage: lifeboat status [--watch] [--json]\n"
	     "\n"
	     "The netboot clients a running `lifeboat serve` sees: stage, file, bytes,\n"
	     "rate, time and the last error, from its socket (root only).\n",
    .rows = status_rows,
    .n_rows = sizeof status_rows / sizeof status_rows[0],
    .size = sizeof(struct status_opts),
};

const struct opts_cmd *status_options(void)
{
	return &status_cmd;
}

/* No serve answers at path: say so (exit status 1). The one place that
 * speaks of a missing server, so a rescue system can say more here. */
static int status_no_server(const char *path, int err)
{
	fprintf(stderr, "lifeboat status: no lifeboat serve is running (%s: %s)\n", path,
		err == -ENOENT ? "no such socket" : strerror(-err));
	return 1;
}

/* Sends req and reads the whole answer into *out (malloc'd). 0 or -errno. */
static int status_ask(const char *path, const char *req, char **out, size_t *len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf && n + 1 == cap && cap < STATUS_OUT_MAX + 1) {
			char *b = realloc(buf, cap * 2);
			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
		if (!buf || n + 1 == cap)
			break;
		ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* The terminal's width; else $COLUMNS; else 160 (a pipe, a log). */
static unsigned status_width(void)
{
	struct winsize ws;
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	long v = cols ? strtol(cols, NULL, 10) : 0;
	return v >= 40 && v <= 1000 ? (unsigned)v : 160;
}

/* One answer to stdout. 0, or the exit status of a failure. */
static int status_once(const struct status_opts *o, bool clear)
{
	char req[32], *out = NULL;
	size_t len = 0;
	if (o->json)
		snprintf(req, sizeof req, "json\n");
	else if (o->metrics)
		snprintf(req, sizeof req, "metrics\n");
	else
		snprintf(req, sizeof req, "table %u\n", status_width());
	int r = status_ask(o->socket, req, &out, &len);
	if (r == -ENOENT || r == -ECONNREFUSED)
		return status_no_server(o->socket, r);
	if (r) {
		fprintf(stderr, "lifeboat status: %s: %s\n", o->socket, strerror(-r));
		return 1;
	}
	if (clear)
		fputs("\033[H\033[2J", stdout);
	fwrite(out, 1, len, stdout);
	fflush(stdout);
	free(out);
	return len ? 0 : 1;
}

int status_main(int argc, char **argv)
{
	struct status_opts o = {0};
	int first;
	if (opts_defaults(&status_cmd, &o))
		return 2;
	int r = opts_parse(&status_cmd, argc, argv, &o, &first, stderr);
	if (r == 1 || o.help) {
		opts_help(&status_cmd, stdout);
		return 0;
	}
	if (r || first < argc) {
		fprintf(stderr, "Try 'lifeboat status --help'.\n");
		return 2;
	}
	if (!o.watch)
		return status_once(&o, false);
	for (;;) {
		r = status_once(&o, isatty(1) && !o.json);
		if (r)
			return r;
		struct timespec ts = {.tv_sec = o.interval};
		nanosleep(&ts, NULL);
	}
}
