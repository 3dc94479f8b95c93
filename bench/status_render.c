// SPDX-License-Identifier: MIT
/*
 * status_render: how long lifeboat takes to render its status pages with
 * the client record full (1024 clients, 8 files each), without network or
 * curl: status_metrics, status_json, status_table and status_html from
 * src/netboot/status_render.c, each called in a loop, CLOCK_MONOTONIC per
 * call. One line per page: STATUS_RENDER page=... bytes=... us_p50=...
 * us_max=...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netboot/clients.h"
#include "netboot/status_render.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void fill(struct clients *c)
{
	static const char *const files[] = {"undionly.kpxe", "lifeboat/boot.ipxe",
					    "lifeboat/kernel/vmlinuz-6.1.0-27-amd64",
					    "lifeboat/initrd/0/initrd.img-6.1.0-27-amd64"};
	for (unsigned i = 0; i < CLIENTS_MAX; i++) {
		uint8_t mac[6] = {0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		uint8_t ip[4] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i};
		struct client_rec *r = clients_touch(c, mac, 1000 + i);
		clients_set_arch(r, i & 1 ? "efi64" : "bios");
		clients_set_ip4(c, r, ip);
		clients_stage(r, CLIENT_OFFER, 1000 + i);
		clients_stage(r, CLIENT_BINL, 1100 + i);
		for (unsigned k = 0; k < CLIENT_FILES; k++) {
			const char *f = files[k % 4];
			clients_file_start(r, k % 2 ? CLIENT_HTTP : CLIENT_TFTP, f, 8000000, 1200 + k);
			if (k + 1 < CLIENT_FILES)
				clients_file_end(r, CLIENT_HTTP, f, 8000000, k == 3 ? -ETIMEDOUT : 0,
						 k == 3 ? "timeout" : NULL, 1300 + k);
		}
		clients_file_progress(r, files[(CLIENT_FILES - 1) % 4], 4000000, 1400);
	}
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 200;
	struct clients *c = malloc(sizeof *c);
	size_t cap = 4u << 20;
	char *buf = malloc(cap);
	uint64_t *t = calloc((size_t)reps, sizeof *t);
	if (!c || !buf || !t || reps < 1)
		return 2;
	clients_init(c);
	fill(c);
	struct status_extra x = {.version = "bench", .revision = "x", .uptime_ms = 5000};
	static const char *const pages[] = {"metrics", "json", "table", "html"};
	for (int p = 0; p < 4; p++) {
		struct status_out o;
		for (int i = 0; i < reps; i++) {
			struct status_view v = {.c = c, .x = &x, .now_ms = 9000, .width = 160};
			uint64_t t0 = now_ns();
			status_out_init(&o, buf, cap);
			if (p == 0)
				status_metrics(&v, &o);
			else if (p == 1)
				status_json(&v, &o);
			else if (p == 2)
				status_table(&v, &o);
			else
				status_html(&v, 2, &o);
			t[i] = now_ns() - t0;
		}
		qsort(t, (size_t)reps, sizeof *t, cmp_u64);
		printf("STATUS_RENDER page=%s clients=%zu bytes=%zu full=%d us_p50=%.1f us_max=%.1f\n",
		       pages[p], clients_count(c), o.len, o.full, t[reps / 2] / 1000.0,
		       t[reps - 1] / 1000.0);
	}
	free(t);
	free(buf);
	free(c);
	return 0;
}
