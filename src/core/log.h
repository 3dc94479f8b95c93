/* log: one logger for every role.
 *
 * Messages are written logfmt-style: an event name, then key=value pairs,
 * e.g. log_info("tftp.done file=%s bytes=%zu", name, n). The text format
 * prints that line behind a timestamp and level; the JSON format turns the
 * same pairs into one JSON object per line; the kmsg format prefixes the
 * kernel's priority so PID 1 can log to /dev/kmsg; the journal format is the
 * text line with a syslog priority "<N>" instead of the timestamp, chosen by
 * log_setup() when the text goes to journald (systemd's $JOURNAL_STREAM
 * names the file it writes to), so `journalctl -p warning` filters it and
 * the journal's own timestamps stand alone. Anything a client sent
 * must go through log_sanitize() before it is logged.
 *
 * The logger's configuration is the one piece of process-wide state: it is
 * set once at start-up by the role's main and only read afterwards. */
#ifndef LIFEBOAT_CORE_LOG_H
#define LIFEBOAT_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };
enum log_format { LOG_FMT_TEXT, LOG_FMT_JSON, LOG_FMT_KMSG, LOG_FMT_JOURNAL };

/* fmt LOG_FMT_TEXT becomes LOG_FMT_JOURNAL when fd is $JOURNAL_STREAM's
 * file (log_format_for). */
void log_setup(enum log_format fmt, enum log_level max_level, int fd);

/* Whether a $JOURNAL_STREAM value ("DEVICE:INODE", decimal) names the file
 * of st_dev dev and st_ino ino. Pure. */
bool log_journal_stream_is(const char *value, unsigned long long dev, unsigned long long ino);

/* The format to use for fmt on fd: LOG_FMT_JOURNAL for LOG_FMT_TEXT when
 * fd is the stream $JOURNAL_STREAM names, else fmt (JSON stays JSON). */
enum log_format log_format_for(enum log_format fmt, int fd);

/* One line as fmt renders it (no newline) into out; ts is the timestamp
 * the text and JSON formats carry. Returns the length (cut to cap-1). */
size_t log_format_line(char *out, size_t cap, enum log_format fmt, enum log_level lvl,
		       const char *ts, const char *msg);
int log_enabled(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats one logfmt message into a JSON object (no newline) in out.
 * Exposed for tests. Returns the length written (truncated to cap-1). */
size_t log_logfmt_to_json(char *out, size_t cap, const char *ts, const char *level,
			  const char *msg);

/* Copies n bytes of untrusted src into dst as printable ASCII: bytes
 * outside 0x21..0x7e, '"', '\\' and '=' become \xNN. Always NUL-terminates;
 * truncates with "..." when dst is too small. Returns dst. */
char *log_sanitize(char *dst, size_t cap, const void *src, size_t n);

/* A budget for log lines caused by single packets: at most LOG_BUDGET_PER_S
 * a second per object (a server); the rest are counted and summed up in one
 * "log.suppressed" line when the next second starts, so a packet flood
 * never becomes a log flood that fills the disk. Per object, no globals. */
#define LOG_BUDGET_PER_S 50
struct log_budget {
	unsigned per_s; /* 0: LOG_BUDGET_PER_S */
	uint64_t window_ms;
	unsigned used;
	uint64_t suppressed;
};
/* True when one more line may be written at now_ms; what names the source
 * in the summary line. */
bool log_budget_take(struct log_budget *b, uint64_t now_ms, const char *what);
/* Lines refused by every budget of the process so far. */
uint64_t log_suppressed_total(void);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                       \
	do {                                                 \
		if (log_enabled(LOG_LVL_DEBUG))              \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
	} while (0)

#endif
