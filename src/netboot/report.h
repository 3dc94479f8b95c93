/* report: the receiving end of the rescue system's phone home. A rescue
 * netbooted by `serve --rescue` POSTs one line of text/plain to
 * BOOTPLAN_PREFIX "report" ("up, ssh at 192.0.2.57, SHA256:... (ed25519)",
 * "cmd exit 0: e2fsck -f -n /dev/vda"); it is checked, rate-limited per
 * address, stored on the client's record (clients_report) and logged as
 * one line: rescue.report mac=... ip=... text="...". */
#ifndef LIFEBOAT_NETBOOT_REPORT_H
#define LIFEBOAT_NETBOOT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "netboot/clients.h"
#include "netboot/ratelimit.h"

#define REPORT_PATH "lifeboat/report" /* as fsroot_clean_path leaves it */
#define REPORT_TEXT_MAX 192

struct report_sink {
	struct clients *clients; /* NULL: logged only */
	struct loop *l;		 /* the clock */
	struct ratelimit rl;
};

void report_init(struct report_sink *r, struct clients *c, struct loop *l);

/* The text of a report body (pure): one line of printable ASCII, at most
 * REPORT_TEXT_MAX bytes, an optional final "\n" or "\r\n" dropped, '"'
 * and '\\' turned into '\'' (the log quotes it). Writes it NUL-terminated
 * to out (cap > REPORT_TEXT_MAX). 0, -EMSGSIZE (too long) or -EBADMSG
 * (empty, a control byte or non-ASCII). */
int report_clean_text(const char *body, size_t len, char *out, size_t cap);

/* http_post_fn (netboot/http.h): 204 stored, 404 another path, 400 a bad
 * text, 413 too long, 429 over the rate. arg is a struct report_sink. */
int report_post(void *arg, const char *clean_path, const char *body, size_t len,
		const struct sockaddr *peer);

#endif
