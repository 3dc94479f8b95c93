/* report: the rescue's phone-home POST, checked, rate-limited, stored on
 * the client's record and logged. */
#include "netboot/report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

/* A report a second per address (burst 4), 20 a second overall. */
#define REPORT_RATE 1
#define REPORT_BURST 4
#define REPORT_RATE_ALL 20
#define REPORT_BURST_ALL 40

void report_init(struct report_sink *r, struct clients *c, struct loop *l)
{
	memset(r, 0, sizeof *r);
	r->clients = c;
	r->l = l;
	ratelimit_init(&r->rl, REPORT_RATE, REPORT_BURST, REPORT_RATE_ALL, REPORT_BURST_ALL);
}

int report_clean_text(const char *body, size_t len, char *out, size_t cap)
{
	if (len && body[len - 1] == '\n')
		len--;
	if (len && body[len - 1] == '\r')
		len--;
	if (len > REPORT_TEXT_MAX || len >= cap)
		return -EMSGSIZE;
	if (!len)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)body[i];
		if (ch < 0x20 || ch > 0x7e)
			return -EBADMSG;
		out[i] = ch == '"' || ch == '\\' ? '\'' : (char)ch;
	}
	out[len] = 0;
	return 0;
}

/* The rate-limit key of an address: IPv4 (plain or mapped) or the low 48
 * bits of an IPv6 one; the text form into ip. */
static void report_key(const struct sockaddr *sa, uint8_t key[6], char *ip, size_t cap)
{
	memset(key, 0, 6);
	snprintf(ip, cap, "?");
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		memcpy(key, &s4->sin_addr, 4);
		inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)cap);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		const uint8_t *a = s6->sin6_addr.s6_addr;
		if (!memcmp(a, mapped, 12)) {
			memcpy(key, a + 12, 4);
			inet_ntop(AF_INET, a + 12, ip, (socklen_t)cap);
		} else {
			memcpy(key, a + 10, 6);
			inet_ntop(AF_INET6, a, ip, (socklen_t)cap);
		}
	}
}

int report_post(void *arg, const char *clean_path, const char *body, size_t len,
		const struct sockaddr *peer)
{
	struct report_sink *r = arg;
	char text[REPORT_TEXT_MAX + 1], ip[INET6_ADDRSTRLEN];
	uint8_t key[6];
	if (strcmp(clean_path, REPORT_PATH))
		return 404;
	report_key(peer, key, ip, sizeof ip);
	uint64_t now = r->l ? loop_now_ms(r->l) : 0;
	if (!ratelimit_allow(&r->rl, key, now))
		return 429;
	int rc = report_clean_text(body, len, text, sizeof text);
	if (rc) {
		log_warn("rescue.report ip=%s reason=\"%s\"", ip,
			 rc == -EMSGSIZE ? "text too long" : "not one line of printable text");
		return rc == -EMSGSIZE ? 413 : 400;
	}
	struct client_rec *c = r->clients ? clients_report(r->clients, peer, text, now) : NULL;
	log_info("rescue.report mac=%s ip=%s text=\"%s\"", c ? c->mac_str : "-", ip, text);
	return 204;
}
