/* log: renders each event as a text, JSON or kmsg line and writes it with
 * one write(2); log_sanitize() for client strings, budgets against floods. */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Set once by log_setup() at start-up; see log.h. */
static struct {
	enum log_format fmt;
	enum log_level max;
	int fd;
	uint64_t suppressed; /* every line a budget refused, for /metrics */
} log_cfg = {LOG_FMT_TEXT, LOG_LVL_INFO, 2, 0};

static const char *const level_names[] = {"error", "warn", "info", "debug"};

bool log_journal_stream_is(const char *value, unsigned long long dev, unsigned long long ino)
{
	char *end;
	if (!value || value[0] < '0' || value[0] > '9')
		return false;
	errno = 0;
	unsigned long long d = strtoull(value, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	unsigned long long i = strtoull(end + 1, &end, 10);
	if (errno || *end)
		return false;
	return d == dev && i == ino;
}

enum log_format log_format_for(enum log_format fmt, int fd)
{
	struct stat st;
	const char *v = getenv("JOURNAL_STREAM");
	if (fmt != LOG_FMT_TEXT || !v || fstat(fd, &st))
		return fmt;
	return log_journal_stream_is(v, (unsigned long long)st.st_dev,
				     (unsigned long long)st.st_ino)
		   ? LOG_FMT_JOURNAL
		   : fmt;
}

void log_setup(enum log_format fmt, enum log_level max_level, int fd)
{
	log_cfg.fmt = log_format_for(fmt, fd);
	log_cfg.max = max_level;
	log_cfg.fd = fd;
}

int log_enabled(enum log_level lvl)
{
	return lvl <= log_cfg.max;
}

char *log_sanitize(char *dst, size_t cap, const void *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t o = 0;
	if (cap == 0)
		return dst;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		bool plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
		size_t need = plain ? 1 : 4;
		if (o + need + 4 > cap) { /* keep room for "..." and NUL */
			if (o + 4 <= cap) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (plain) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = 0;
	return dst;
}

struct sbuf {
	char *p;
	size_t cap, len;
};

static void sb_putc(struct sbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len++] = c;
}

static void sb_puts(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_putc(b, s[i]);
}

/* Appends s as the body of a JSON string (without quotes). */
static void sb_json_escaped(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			char tmp[8];
			snprintf(tmp, sizeof tmp, "\\u%04x", c);
			sb_puts(b, tmp, 6);
		} else {
			sb_putc(b, (char)c);
		}
	}
}

static bool is_json_number(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || n > 18)
		return false;
	if (s[0] == '-')
		i++;
	if (i == n || (s[i] == '0' && n - i > 1 && s[i + 1] != '.'))
		return false;
	bool dot = false;
	for (; i < n; i++) {
		if (s[i] == '.' && !dot && i + 1 < n && i > 0) {
			dot = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

static void sb_json_field(struct sbuf *b, const char *k, size_t kn, const char *v, size_t vn,
			  bool may_be_number)
{
	sb_puts(b, ",\"", 2);
	sb_json_escaped(b, k, kn);
	sb_puts(b, "\":", 2);
	if (may_be_number && is_json_number(v, vn)) {
		sb_puts(b, v, vn);
		return;
	}
	sb_putc(b, '"');
	sb_json_escaped(b, v, vn);
	sb_putc(b, '"');
}

size_t log_logfmt_to_json(char *out, size_t cap, const char *ts, const char *level, const char *msg)
{
	struct sbuf b = {out, cap, 0};
	if (cap == 0)
		return 0;
	sb_puts(&b, "{\"ts\":\"", 7);
	sb_json_escaped(&b, ts, strlen(ts));
	sb_puts(&b, "\",\"level\":\"", 11);
	sb_json_escaped(&b, level, strlen(level));
	sb_putc(&b, '"');

	const char *p = msg;
	size_t en = strcspn(p, " ");
	sb_json_field(&b, "event", 5, p, en, false);
	p += en;
	/* The rest: key=value pairs; a value may be "quoted". Words without
	 * '=' are collected into a "text" field so nothing is lost. */
	const char *text = NULL;
	size_t textn = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t wn = strcspn(p, " =");
		if (p[wn] == '=' && wn > 0) {
			const char *k = p;
			const char *v = p + wn + 1;
			size_t vn;
			if (*v == '"') {
				v++;
				vn = strcspn(v, "\"");
				p = v + vn + (v[vn] == '"');
			} else {
				vn = strcspn(v, " ");
				p = v + vn;
			}
			sb_json_field(&b, k, wn, v, vn, true);
		} else {
			if (!text)
				text = p;
			size_t skip = strcspn(p, " ");
			p += skip;
			textn = (size_t)(p - text);
		}
	}
	if (text)
		sb_json_field(&b, "text", 4, text, textn, false);
	sb_putc(&b, '}');
	out[b.len] = 0;
	return b.len;
}

size_t log_format_line(char *out, size_t cap, enum log_format fmt, enum log_level lvl,
		       const char *ts, const char *msg)
{
	/* syslog priorities: err, warning, info, debug */
	static const int prio[] = {3, 4, 6, 7};
	int k;
	if (cap == 0)
		return 0;
	switch (fmt) {
	case LOG_FMT_JSON:
		return log_logfmt_to_json(out, cap, ts, level_names[lvl], msg);
	case LOG_FMT_KMSG:
		k = snprintf(out, cap, "<%d>lifeboat: %s", prio[lvl], msg);
		break;
	case LOG_FMT_JOURNAL:
		k = snprintf(out, cap, "<%d>%-5s %s", prio[lvl], level_names[lvl], msg);
		break;
	default:
		k = snprintf(out, cap, "%s %-5s %s", ts, level_names[lvl], msg);
		break;
	}
	if (k < 0)
		k = 0;
	return (size_t)k >= cap ? cap - 1 : (size_t)k;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[1024], line[2048], ts[96] = "";
	va_list ap;
	if (!log_enabled(lvl))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	if (log_cfg.fmt == LOG_FMT_TEXT || log_cfg.fmt == LOG_FMT_JSON) {
		struct timespec now;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 now.tv_nsec / 1000000);
	}
	size_t n = log_format_line(line, sizeof line - 1, log_cfg.fmt, lvl, ts, msg);
	line[n++] = '\n';
	/* One write per line so concurrent writers do not interleave. */
	ssize_t w = write(log_cfg.fd, line, n);
	(void)w;
}

bool log_budget_take(struct log_budget *b, uint64_t now_ms, const char *what)
{
	unsigned per_s = b->per_s ? b->per_s : LOG_BUDGET_PER_S;
	if (now_ms - b->window_ms >= 1000) {
		if (b->suppressed)
			log_warn("log.suppressed source=%s lines=%llu reason=\"more than %u "
				 "per-packet lines a second\"",
				 what, (unsigned long long)b->suppressed, per_s);
		b->window_ms = now_ms;
		b->used = 0;
		b->suppressed = 0;
	}
	if (b->used < per_s) {
		b->used++;
		return true;
	}
	b->suppressed++;
	log_cfg.suppressed++;
	return false;
}

uint64_t log_suppressed_total(void)
{
	return log_cfg.suppressed;
}
