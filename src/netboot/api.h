/* api: boot decisions from an inventory service (--api URL, pixiecore's
 * GET URL/v1/boot/<mac>). A non-blocking HTTP/1.1 client on core/loop:
 * at most API_INFLIGHT requests at once, a bounded queue deduplicated per
 * MAC, a cache with a TTL for answers (200 and 404) and a short one for
 * failures. A DHCP packet is answered from the cache only: a miss starts
 * the lookup and stays silent, so a slow or dead API never makes a late
 * offer; the client's retransmission finds the answer. bootplan's "api"
 * row asks through api_decide; the iPXE script through api_latest. */
#ifndef LIFEBOAT_NETBOOT_API_H
#define LIFEBOAT_NETBOOT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "netboot/api_wire.h"

#define API_INFLIGHT 8		/* requests towards the API at once */
#define API_QUEUE 64		/* lookups waiting for a free request */
#define API_ENTRIES 512		/* machines remembered */
#define API_FAIL_TTL_MS 5000	/* a failed lookup is retried after this */
#define API_LOG_WINDOW_MS 60000 /* one failure line per machine per window */
#define API_RESP_MAX (API_JSON_MAX + 8192)

struct api_cfg {
	const char *url;     /* http://HOST[:PORT][/BASE] */
	unsigned ttl_s;	     /* how long a 200 or 404 answer is used */
	unsigned timeout_ms; /* one request: connect, send, the whole answer */
};

struct api_stats {
	uint64_t requests, hits, boot, notours, failed, queue_full;
};

struct api;

/* Parses the URL and resolves its host (getaddrinfo: before the sandbox,
 * once). 0, or -EINVAL/-EPROTONOSUPPORT/-EHOSTUNREACH/-ENOMEM with a
 * reason in err[cap]. */
int api_start(struct api **out, struct loop *l, const struct api_cfg *cfg, char *err, size_t cap);
void api_stop(struct api *a);

/* What the cache says about mac now. 0 with *b (boot it); -ENOENT (the
 * API said 404: not ours); -EAGAIN (a lookup is queued or in flight; a
 * miss or an expired answer starts one); -EIO (the last lookup failed, no
 * retry before API_FAIL_TTL_MS); -EBUSY (the queue is full). *why says it
 * for the log. arg is a struct api. */
int api_decide(void *arg, const uint8_t mac[6], const struct api_boot **b, const char **why);

/* The last 200 answer for mac, expired or not (the script of a machine
 * already booting), or NULL. */
const struct api_boot *api_latest(void *arg, const uint8_t mac[6]);

void api_get_stats(const struct api *a, struct api_stats *s);

#endif
