/* libFuzzer: what `lifeboat probe` reads off the LAN. The input is tried as
 * an IPv4 frame from the packet socket (probe_parse_udp4), as a DHCPv4
 * reply (probe_parse_v4, with the transaction id and MAC taken from the
 * input so the parse goes deep), as a DHCPv6 answer, as an HTTP response
 * head and as an offered boot file name; the answers then go through the
 * aggregator, the verdicts, the explanation rules and both printers.
 * Seeds: replies captured in the lab (router dnsmasq, dnsmasq proxy menu
 * and its udp/4011 ACK, lifeboat's PXE10/BINL/HTTP/Pi offers, an Advertise). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netboot/probe_explain.h"
#include "netboot/probe_print.h"
#include "netboot/probe_report.h"
#include "netboot/probe_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct probe_report rep;

static void check_str(const char *s, size_t cap)
{
	if (!memchr(s, 0, cap))
		__builtin_trap();
}

static void check_answer(const struct probe_answer *a)
{
	check_str(a->file, sizeof a->file);
	check_str(a->sname, sizeof a->sname);
	check_str(a->o60, sizeof a->o60);
	check_str(a->o66, sizeof a->o66);
	check_str(a->o67, sizeof a->o67);
	check_str(a->url, sizeof a->url);
	check_str(a->duid, sizeof a->duid);
	if ((unsigned)a->kind >= PROBE_NKINDS || a->o43_len > sizeof a->o43)
		__builtin_trap();
}

/* The input as a reply from each of a few servers, v4 then v6. */
static void feed(const uint8_t *p, size_t n)
{
	static const uint8_t srcs[3][16] = {{192, 0, 2, 1}, {192, 0, 2, 2}, {192, 0, 2, 3}};
	struct probe_answer a;
	uint32_t base = n >= 8 ? (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7] : 0;
	const uint8_t *mac = n >= 34 ? p + 28 : (const uint8_t[6]){0};
	for (int s = 0; s < 3; s++) {
		int r = probe_parse_v4(p, n, base, mac, srcs[s], &a);
		if (r != 0 && r != -ENOENT && r != -EBADMSG)
			__builtin_trap();
		if (!r) {
			check_answer(&a);
			a.binl = s == 2;
			(void)probe_report_add(&rep, &a);
		}
	}
	int r = probe_parse_v6(p, n, n >= 4 ? (uint32_t)p[1] << 16 | p[2] << 8 : 0, srcs[0], &a);
	if (r != 0 && r != -ENOENT && r != -EBADMSG)
		__builtin_trap();
	if (!r) {
		check_answer(&a);
		(void)probe_report_add(&rep, &a);
	}
}

static void other_parsers(const uint8_t *data, size_t size)
{
	int status;
	long long len;
	size_t body;
	char s[300], host[48];
	bool http;
	uint16_t port;
	const char *path;
	int r = probe_parse_http_head(data, size, &status, &len, &body);
	if (r == 0 && (body > size || status < 0 || status > 999))
		__builtin_trap();
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = 0;
	if (!probe_parse_target(s, &http, host, sizeof host, &port, &path) &&
	    (path < s || path > s + n || !memchr(host, 0, sizeof host)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *pl;
	size_t pl_len;
	uint8_t src[4];
	uint16_t sport;
	struct probe_finding fs[8];
	probe_report_init(&rep, PROBE_ALL_KINDS, true);
	rep.has_ip = size & 1;
	if (!probe_parse_udp4(data, size, 68, &pl, &pl_len, src, &sport)) {
		if (pl < data || pl + pl_len > data + size)
			__builtin_trap();
		feed(pl, pl_len);
	}
	feed(data, size);
	for (int k = 0; k < PROBE_NKINDS; k++)
		rep.binl_sent[k] = (size >> k) & 1;
	probe_report_plan(&rep);
	for (size_t i = 0; i < rep.n_fetch; i++)
		if (rep.fetch[i].result == PROBE_FETCH_PENDING)
			rep.fetch[i].result = (enum probe_fetch_result)(1 + (i + size) % 5);
	bool ok = probe_report_finish(&rep);
	for (int k = 0; k < PROBE_NKINDS; k++)
		if (rep.kind[k].boots && (rep.kind[k].fetch < 0 ||
					  rep.fetch[rep.kind[k].fetch].result != PROBE_FETCH_OK))
			__builtin_trap();
	size_t n = probe_explain(&rep, fs, 8);
	FILE *f = fopen("/dev/null", "w");
	if (f) {
		probe_print_text(f, &rep, fs, n < 8 ? n : 8, ok);
		probe_print_json(f, &rep, fs, n < 8 ? n : 8, ok);
		fclose(f);
	}
	other_parsers(data, size);
	return 0;
}
