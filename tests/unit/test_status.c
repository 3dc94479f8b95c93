/* status: the renderer (table widths, long names, JSON, metrics, HTML),
 * the counters, the boot timeline, the stall-cause rules and the status
 * socket's request parser. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/clients.h"
#include "netboot/counters.h"
#include "netboot/status.h"
#include "netboot/status_render.h"
#include "netboot/timeline.h"

#define OUT_CAP (4u << 20)

static struct clients *new_clients(void)
{
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	return c;
}

static struct client_rec *add(struct clients *c, unsigned i, const char *arch, uint64_t t)
{
	uint8_t mac[6] = {0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
	uint8_t ip[4] = {192, 0, 2, (uint8_t)(100 + i % 100)};
	struct client_rec *r = clients_touch(c, mac, t);
	clients_set_arch(r, arch);
	clients_set_ip4(c, r, ip);
	return r;
}

/* A BIOS iPXE boot in kernel mode, times in ms from 1000. */
static struct client_rec *boot_bios(struct clients *c, unsigned i)
{
	struct client_rec *r = add(c, i, "bios", 1000);
	clients_stage(r, CLIENT_OFFER, 1000);
	clients_file_start(r, CLIENT_TFTP, "undionly.kpxe", 70000, 1100);
	clients_file_end(r, CLIENT_TFTP, "undionly.kpxe", 0, 0, NULL, 1110); /* a size probe */
	clients_file_start(r, CLIENT_HTTP, "/lifeboat/boot.ipxe", 300, 2300);
	clients_file_end(r, CLIENT_HTTP, "/lifeboat/boot.ipxe", 300, 0, NULL, 2310);
	clients_file_start(r, CLIENT_HTTP, "/lifeboat/kernel/linux", 8000000, 4000);
	clients_file_end(r, CLIENT_HTTP, "/lifeboat/kernel/linux", 8000000, 0, NULL, 4200);
	clients_file_start(r, CLIENT_HTTP, "/lifeboat/initrd/0/initrd.gz", 2000000, 4210);
	return r;
}

/* ---- a small JSON checker: the whole text is one valid value ---- */

static const char *js_value(const char *p);
static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}
static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}
static const char *js_seq(const char *p, char close, bool obj)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			p = js_string(js_ws(p));
			if (!p || *(p = js_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = js_value(p);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}
static const char *js_value(const char *p)
{
	p = js_ws(p);
	if (*p == '{')
		return js_seq(p, '}', true);
	if (*p == '[')
		return js_seq(p, ']', false);
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "null", 4) || !strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	const char *s = p;
	if (*p == '-')
		p++;
	while (isdigit((unsigned char)*p))
		p++;
	return p > s ? p : NULL;
}
static bool json_valid(const char *s)
{
	const char *e = js_value(s);
	return e && *js_ws(e) == 0;
}

static void test_json_checker(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\":[1,-2,\"x\\u0001\"],\"b\":null}\n"));
	assert_false(json_valid("{\"a\":}"));
	assert_false(json_valid("{\"a\":\"\x01\"}"));
	assert_false(json_valid("[1,]"));
}

/* ---- renderer ---- */

static void render(const struct status_view *v, int what, char *out)
{
	struct status_out o;
	status_out_init(&o, out, OUT_CAP);
	if (what == 0)
		status_table(v, &o);
	else if (what == 1)
		status_json(v, &o);
	else if (what == 2)
		status_metrics(v, &o);
	else
		status_html(v, 2, &o);
	assert_false(o.full);
	assert_int_equal(strlen(out), o.len);
}

static void test_table_width(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	char *out = malloc(OUT_CAP);
	struct client_rec *r = boot_bios(c, 1);
	clients_file_progress(r, "/lifeboat/initrd/0/initrd.gz", 1000000, 4700);
	/* a long name and a long error */
	struct client_rec *r2 = add(c, 2, "efi64-http-with-a-long-arch-name", 1500);
	clients_stage(r2, CLIENT_OFFER, 1500);
	const char *longname =
	    "very/long/directory/name/that/goes/on/and/on/vmlinuz-6.1.0-27-amd64-signed-extra";
	clients_file_start(r2, CLIENT_TFTP, longname, 0, 1600);
	clients_file_end(r2, CLIENT_TFTP, longname, 4096, -ETIMEDOUT,
			 "timeout after 5 retransmissions of block 3 (the client stopped)", 1700);
	static const unsigned widths[] = {STATUS_MIN_WIDTH, 120, 132, 200, 60};
	for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
		struct status_view v = {.c = c, .now_ms = 5000, .width = widths[k]};
		render(&v, 0, out);
		unsigned w = widths[k] < STATUS_MIN_WIDTH ? STATUS_MIN_WIDTH : widths[k];
		/* every line fits; the header and rows put FILE at one column */
		size_t lines = 0, file_col = 0;
		for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
			assert_true((size_t)(nl - line) <= w);
			if (lines == 1)
				file_col = (size_t)(strstr(line, "FILE") - line);
			if (lines >= 2) {
				assert_true(line[file_col - 1] == ' ');
				assert_true(line[file_col] != ' ');
			}
		}
		assert_int_equal(lines, 4);
	}
	struct status_view v = {.c = c, .now_ms = 5000, .width = 132};
	render(&v, 0, out);
	/* newest first: client 2 was seen last */
	assert_true(strstr(out, "52:54:00:00:00:02") < strstr(out, "52:54:00:00:00:01"));
	assert_non_null(strstr(out, "initrd.gz"));
	assert_non_null(strstr(out, "1.0MB/2.0MB"));
	assert_non_null(strstr(out, " 50%"));
	assert_non_null(strstr(out, "...")); /* the long name, cut */
	assert_non_null(strstr(out, "...amd64-signed-extra"));
	assert_non_null(strstr(out, "timeout after"));
	/* a client's own words cannot drive the terminal */
	snprintf(r2->last_error, sizeof r2->last_error, "\x1b[2J\x07" "evil\r\n\xff");
	render(&v, 0, out);
	for (const char *p = out; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f));
	assert_non_null(strstr(out, "?[2J?evil???"));
	/* max_rows and recent_ms pick the newest */
	v.max_rows = 1;
	render(&v, 0, out);
	assert_null(strstr(out, "52:54:00:00:00:01"));
	v.max_rows = 0;
	v.recent_ms = 100;
	v.now_ms = 1650;
	render(&v, 0, out);
	assert_null(strstr(out, "52:54:00:00:00:01"));
	free(out);
	free(c);
}

/* The terminal's few rows (picked in one pass) are the first rows of the
 * fully sorted table, ties included. */
static void test_top_rows(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	char *a = malloc(OUT_CAP), *b = malloc(OUT_CAP);
	uint32_t seed = 7;
	for (unsigned i = 0; i < 300; i++) {
		seed = seed * 1103515245u + 12345u;
		add(c, i, "bios", (seed >> 16) % 50); /* many equal times */
	}
	for (unsigned k = 1; k <= 64; k += 9) {
		struct status_view v = {.c = c, .now_ms = 100, .width = 132, .max_rows = k};
		render(&v, 0, a);
		v.max_rows = 100; /* over 64: the sort */
		render(&v, 0, b);
		const char *pa = a, *pb = b;
		for (unsigned line = 0; line < k + 2; line++) {
			const char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
			assert_non_null(ea);
			assert_non_null(eb);
			if (line > 0) /* the summary line says how many are shown */
				assert_memory_equal(pa, pb, (size_t)(ea - pa) + 1);
			pa = ea + 1;
			pb = eb + 1;
		}
		assert_int_equal(*pa, 0);
	}
	free(a);
	free(b);
	free(c);
}

static void test_row_stage_words(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	struct client_rec *r = add(c, 1, "efi64", 10);
	struct status_row row;
	static const struct {
		enum client_stage s;
		const char *word;
	} v[] = {{CLIENT_SEEN, "seen"}, {CLIENT_OFFER, "offer"}, {CLIENT_BINL, "4011"}};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		clients_stage(r, v[i].s, 10 + i);
		status_row_of(r, 100, &row);
		assert_string_equal(row.stage, v[i].word);
	}
	clients_file_start(r, CLIENT_TFTP, "snponly.efi", 0, 20);
	status_row_of(r, 100, &row);
	assert_string_equal(row.stage, "tftp");
	assert_int_equal(row.pct, -1);
	clients_file_start(r, CLIENT_HTTP, "x", 10, 20);
	status_row_of(r, 100, &row);
	assert_string_equal(row.stage, "http");
	clients_handoff(c, r, 200);
	status_row_of(r, 300, &row);
	assert_string_equal(row.stage, "kernel");
	assert_int_equal(row.elapsed_ms, 190); /* frozen at the hand-off */
	assert_int_equal(c->ctr.handoffs, 1);
	/* the note: the stall cause, an error over it, and what a booted
	 * rescue reports of itself over both (its newest news) */
	snprintf(r->cause, sizeof r->cause, "stalled");
	status_row_of(r, 300, &row);
	assert_string_equal(row.note, "stalled");
	clients_error(r, "timeout");
	status_row_of(r, 300, &row);
	assert_string_equal(row.note, "timeout");
	snprintf(r->report, sizeof r->report, "rescue up");
	status_row_of(r, 300, &row);
	assert_string_equal(row.note, "rescue up");
	free(c);
}

static void test_json(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	char *out = malloc(OUT_CAP);
	struct client_rec *r = boot_bios(c, 1);
	/* hostile strings stay inside their JSON strings */
	snprintf(r->report, sizeof r->report, "say \"hi\"\\ \x01\x7f\xff</td>");
	struct status_extra x = {.version = "1.2\"3", .uptime_ms = 42};
	struct status_view v = {.c = c, .x = &x, .now_ms = 5000};
	render(&v, 1, out);
	assert_true(json_valid(out));
	assert_non_null(strstr(out, "\"mac\":\"52:54:00:00:00:01\""));
	assert_non_null(strstr(out, "\"stage\":\"file\""));
	assert_non_null(strstr(out, "\"name\":\"/lifeboat/kernel/linux\",\"proto\":\"http\","
				    "\"bytes\":8000000,\"size\":8000000,\"state\":\"done\""));
	assert_non_null(strstr(out, "\"offer\":0"));
	assert_non_null(strstr(out, "say \\\"hi\\\"\\\\ \\u0001\\u007f\\u00ff"));
	/* many clients: still valid, every one listed */
	for (unsigned i = 2; i < CLIENTS_MAX + 1; i++)
		boot_bios(c, i);
	render(&v, 1, out);
	assert_true(json_valid(out));
	size_t n = 0;
	for (const char *p = out; (p = strstr(p, "\"mac\":")); p++)
		n++;
	assert_int_equal(n, CLIENTS_MAX);
	/* a buffer too small: marked full, the text cut */
	struct status_out o;
	char small[100];
	status_out_init(&o, small, sizeof small);
	status_json(&v, &o);
	assert_true(o.full);
	assert_true(o.len < sizeof small);
	free(out);
	free(c);
}

/* Every line is a comment or "name{labels} value"; every sample's family
 * was declared by a TYPE line before it. */
static void check_metrics(char *text)
{
	char families[64][64];
	size_t nf = 0;
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = 0;
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_true(nf < 64);
			sscanf(line + 7, "%63s", families[nf++]);
			assert_true(strstr(line, " counter") || strstr(line, " gauge"));
			continue;
		}
		if (line[0] == '#') {
			assert_true(!strncmp(line, "# HELP ", 7));
			continue;
		}
		size_t name_len = strcspn(line, "{ ");
		assert_true(name_len > 0);
		bool known = false;
		for (size_t i = 0; i < nf; i++)
			known |= strlen(families[i]) == name_len &&
				 !strncmp(families[i], line, name_len);
		assert_true(known);
		const char *val = strrchr(line, ' ');
		assert_non_null(val);
		char *end;
		strtod(val + 1, &end);
		assert_true(*end == 0);
		if (line[name_len] == '{')
			assert_non_null(strstr(line, "} "));
		*nl = '\n';
	}
}

static void test_metrics(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	char *out = malloc(OUT_CAP);
	struct client_note n = {.valid = true, .stage = CLIENT_OFFER};
	memcpy(n.mac, "\x52\x54\0\0\0\x07", 6);
	snprintf(n.arch, sizeof n.arch, "bios");
	clients_note(c, &n, 10);
	clients_note(c, &n, 11);
	n.stage = CLIENT_BINL;
	snprintf(n.arch, sizeof n.arch, "efi64");
	clients_note(c, &n, 12);
	n.v6 = true;
	clients_note(c, &n, 13);
	n.stage = CLIENT_SEEN;
	clients_note(c, &n, 14);
	n.known_only = true; /* another server's reply: not ours to count */
	n.stage = CLIENT_OFFER;
	clients_note(c, &n, 15);
	struct sockaddr_in peer = {.sin_family = AF_INET};
	struct xfer_event ev = {.kind = XFER_START, .proto = XFER_TFTP, .peer = (void *)&peer,
				.file = "a"};
	counters_xfer(&c->ctr, &ev);
	ev.kind = XFER_DONE;
	ev.bytes = 1000;
	counters_xfer(&c->ctr, &ev);
	ev.kind = XFER_FAIL;
	ev.reason = "not-found";
	ev.bytes = 0;
	counters_xfer(&c->ctr, &ev);
	ev.proto = XFER_HTTP;
	ev.kind = XFER_DONE;
	ev.bytes = 5;
	counters_xfer(&c->ctr, &ev);
	struct status_extra x = {.version = "1.0", .revision = "abc", .ratelimited = {3, 0, 1},
				 .log_suppressed = 9, .tftp_active = 2, .http_active = 1};
	struct status_view v = {.c = c, .x = &x, .now_ms = 100};
	render(&v, 2, out);
	static const char *const want[] = {
	    "lifeboat_build_info{version=\"1.0\",revision=\"abc\"} 1\n",
	    "lifeboat_dhcp_replies_total{proto=\"dhcp4\",type=\"offer\",arch=\"bios\"} 2\n",
	    "lifeboat_dhcp_replies_total{proto=\"dhcp4\",type=\"answer\",arch=\"efi64\"} 1\n",
	    "lifeboat_dhcp_replies_total{proto=\"dhcp6\",type=\"answer\",arch=\"efi64\"} 1\n",
	    "lifeboat_dhcp_unanswered_total{proto=\"dhcp6\"} 1\n",
	    "lifeboat_transfers_started_total{proto=\"tftp\"} 1\n",
	    "lifeboat_transfers_done_total{proto=\"tftp\"} 1\n",
	    "lifeboat_transfers_done_total{proto=\"http\"} 1\n",
	    "lifeboat_transfers_failed_total{proto=\"tftp\",reason=\"not-found\"} 1\n",
	    "lifeboat_bytes_sent_total{proto=\"tftp\"} 1000\n",
	    "lifeboat_bytes_sent_total{proto=\"http\"} 5\n",
	    "lifeboat_transfers_active{proto=\"tftp\"} 2\n",
	    "lifeboat_http_connections 1\n",
	    "lifeboat_ratelimited_total{service=\"dhcp4\"} 3\n",
	    "lifeboat_log_suppressed_total 9\n",
	    "lifeboat_clients 1\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(out, want[i]))
			fail_msg("missing: %s\nin:\n%s", want[i], out);
	check_metrics(out);
	free(out);
	free(c);
}

static void test_counter_labels(void **state)
{
	(void)state;
	struct counters k;
	counters_init(&k);
	char name[16];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "arch%d", i);
		counters_dhcp(&k, CTR_DHCP4, CTR_OFFER, name);
	}
	assert_int_equal(k.arch.n, COUNTERS_LABELS);
	assert_string_equal(k.arch.v[COUNTERS_LABELS - 1], "other");
	assert_int_equal(k.replies[CTR_DHCP4][CTR_OFFER][COUNTERS_LABELS - 1],
			 40 - (COUNTERS_LABELS - 1));
	assert_int_equal(counters_label(&k.arch, "arch3"), 3);
	assert_int_equal(counters_label(&k.reason, NULL), 0);
	assert_string_equal(k.reason.v[0], "unknown");
	counters_dhcp(&k, CTR_DHCPS, CTR_OFFER, "x"); /* out of range: ignored */
	counters_dhcp(&k, CTR_DHCP6, 7, "x");	      /* not a reply: unanswered */
	assert_int_equal(k.unanswered[CTR_DHCP6], 1);
}

static void test_html(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	char *out = malloc(OUT_CAP);
	struct client_rec *r = boot_bios(c, 1);
	snprintf(r->report, sizeof r->report, "<script>alert(1)</script>");
	struct status_view v = {.c = c, .now_ms = 5000};
	render(&v, 3, out);
	assert_non_null(strstr(out, "<meta http-equiv=\"refresh\" content=\"2\">"));
	assert_non_null(strstr(out, "<td>52:54:00:00:00:01</td>"));
	assert_non_null(strstr(out, "<td class=\"stage\">http</td>"));
	assert_non_null(strstr(out, "&lt;script&gt;"));
	assert_null(strstr(out, "<script>"));
	assert_null(strstr(out, "src="));  /* no external assets */
	assert_null(strstr(out, "http://")); /* links are relative */
	free(out);
	free(c);
}

/* ---- timeline ---- */

static void test_file_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum timeline_kind kind;
	} v[] = {
	    {"undionly.kpxe", TL_IPXE_IMAGE},
	    {"/lifeboat/ipxe/snponly.efi", TL_IPXE_IMAGE},
	    {"ipxe.efi", TL_IPXE_IMAGE},
	    {"/lifeboat/boot.ipxe", TL_SCRIPT},
	    {"autoexec.ipxe", TL_SCRIPT},
	    {"/lifeboat/kernel/linux", TL_KERNEL},
	    {"lifeboat/kernel/whatever", TL_KERNEL},
	    {"/lifeboat/initrd/0/initrd.gz", TL_INITRD},
	    {"debian/vmlinuz-6.1.0", TL_KERNEL},
	    {"initrd.img-6.1.0", TL_INITRD},
	    {"boot/root.cpio.gz", TL_INITRD},
	    {"pxelinux.cfg/01-52-54-00-00-00-01", TL_CONFIG},
	    {"grub/grub.cfg", TL_CONFIG},
	    {"pxelinux.0", TL_LOADER},
	    {"bootx64.efi", TL_LOADER},
	    {"ldlinux.c32", TL_OTHER},
	    {"", TL_OTHER},
	    {"/", TL_OTHER},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (timeline_file_kind(v[i].name) != v[i].kind)
			fail_msg("%s: kind %d, want %d", v[i].name, timeline_file_kind(v[i].name),
				 v[i].kind);
}

static void test_timeline_line(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	struct client_rec *r = boot_bios(c, 1);
	clients_stage(r, CLIENT_BINL, 1400);
	clients_file_end(r, CLIENT_HTTP, "/lifeboat/initrd/0/initrd.gz", 2000000, 0, NULL, 4710);
	clients_handoff(c, r, 4710);
	char line[1024];
	size_t n = timeline_format(r, line, sizeof line);
	assert_int_equal(n, strlen(line));
	assert_string_equal(line, "offer +0.0s, 4011 +0.4s, undionly.kpxe tftp +0.1s 0B (size probe), "
				  "boot.ipxe http +1.3s 300B, "
				  "linux http +3.0s 8.0MB at 40MB/s, "
				  "initrd.gz http +3.2s 2.0MB at 4.0MB/s, handoff +3.7s");
	/* cut, never past cap */
	char small[20];
	n = timeline_format(r, small, sizeof small);
	assert_true(n < sizeof small);
	assert_int_equal(strlen(small), n);
	/* a new boot: a fresh line */
	clients_stage(r, CLIENT_OFFER, 9000);
	timeline_format(r, line, sizeof line);
	assert_string_equal(line, "offer +0.0s");
	free(c);
}

static void test_bytes_rate(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		const char *s;
	} v[] = {{0, "0B"},	      {999, "999B"},	  {1000, "1.0KB"},	 {1536, "1.5KB"},
		 {71000, "71KB"},     {8388608, "8.3MB"}, {999999, "999KB"},	 {1000000, "1.0MB"},
		 {UINT64_MAX, "18446744TB"}};
	char b[32];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		timeline_bytes(v[i].n, b, sizeof b);
		assert_string_equal(b, v[i].s);
	}
	timeline_rate(8000000, 200, b, sizeof b);
	assert_string_equal(b, "40MB/s");
	timeline_rate(5, 0, b, sizeof b);
	assert_string_equal(b, "5B/s");
}

/* The cause table: each case a record built up, then the rule expected. */
static void test_cause_rules(void **state)
{
	(void)state;
	static const struct {
		const char *what, *arch;
		const char *steps; /* o offer, b 4011, letters below: files */
		const char *id;
	} v[] = {
	    /* u: undionly.kpxe done; s: boot.ipxe done; k kernel done; i initrd
	     * done; K kernel in flight; m missing file; f failed transfer */
	    {"chain loop", "bios", "ouou", "ipxe-loop"},
	    {"script twice", "bios", "ouss", "script-twice"},
	    {"stalled kernel", "bios", "ousK", "stalled"},
	    {"missing", "bios", "oum", "file-missing"},
	    {"failed", "bios", "ouf", "failed"},
	    {"EDK2 no 4011", "efi64", "o", "no-4011"},
	    {"BIOS ignores offer", "bios", "o", "no-file"},
	    {"EDK2 4011 but no file", "efi64", "ob", "no-file"},
	    {"never answered", "bios", "", "unanswered"},
	    {"kernel, no initrd", "bios", "ousk", "kernel-no-initrd"},
	    {"loader then nothing", "bios", "op", "stopped-after"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct clients *c = new_clients();
		struct client_rec *r = add(c, 1, v[i].arch, 100);
		uint64_t t = 100;
		for (const char *p = v[i].steps; *p; p++, t += 100) {
			const char *name = *p == 'u' ? "undionly.kpxe"
					   : *p == 's' ? "/lifeboat/boot.ipxe"
					   : *p == 'k' || *p == 'K' ? "/lifeboat/kernel/linux"
					   : *p == 'i' ? "/lifeboat/initrd/0/initrd.gz"
					   : *p == 'p' ? "pxelinux.0"
					   : *p == 'm' ? "missing.efi"
						       : "big.img";
			if (*p == 'o') {
				clients_stage(r, CLIENT_OFFER, t);
			} else if (*p == 'b') {
				clients_stage(r, CLIENT_BINL, t);
			} else if (*p == 'm') {
				clients_file_end(r, CLIENT_TFTP, name, 0, -ENOENT, "not-found", t);
			} else {
				clients_file_start(r, CLIENT_TFTP, name, 100, t);
				if (*p == 'f')
					clients_file_end(r, CLIENT_TFTP, name, 5, -ETIMEDOUT,
							 "timeout", t + 10);
				else if (*p != 'K')
					clients_file_end(r, CLIENT_TFTP, name, 100, 0, NULL, t + 10);
			}
		}
		struct timeline_facts f;
		timeline_facts(r, t + 60000, &f);
		const struct timeline_rule *rule = timeline_cause(&f);
		if (strcmp(rule->id, v[i].id))
			fail_msg("%s: rule %s, want %s", v[i].what, rule->id, v[i].id);
		assert_int_equal(timeline_judge(r, t + 60000, NULL), TL_STALLED);
		assert_int_equal(timeline_judge(r, t + 1000, NULL), TL_RUNNING);
		char words[CLIENT_NAME_MAX];
		timeline_cause_words(rule, &f, words, sizeof words);
		assert_null(strstr(words, "%s"));
		free(c);
	}
	/* the words name the file */
	struct timeline_facts f;
	struct clients *c = new_clients();
	struct client_rec *r = add(c, 1, "bios", 100);
	clients_stage(r, CLIENT_OFFER, 100);
	clients_file_end(r, CLIENT_TFTP, "dir/missing.efi", 0, -ENOENT, "not-found", 200);
	timeline_facts(r, 60000, &f);
	char words[CLIENT_NAME_MAX];
	timeline_cause_words(timeline_cause(&f), &f, words, sizeof words);
	assert_string_equal(words, "file missing: missing.efi (the client asked for it; "
				   "nothing serves it)");
	/* the table's last rule matches anything */
	size_t n;
	const struct timeline_rule *t = timeline_rules(&n);
	memset(&f, 0, sizeof f);
	assert_true(t[n - 1].match(&f));
	free(c);
}

static void test_judge_handoff(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	struct client_rec *r = add(c, 1, "bios", 100);
	clients_stage(r, CLIENT_OFFER, 100);
	clients_file_start(r, CLIENT_TFTP, "debian/vmlinuz", 10, 200);
	clients_file_end(r, CLIENT_TFTP, "debian/vmlinuz", 10, 0, NULL, 300);
	/* a kernel alone, quiet: not handed off (an initrd may follow) */
	assert_int_equal(timeline_judge(r, 4000, NULL), TL_RUNNING);
	clients_file_start(r, CLIENT_TFTP, "debian/initrd.gz", 10, 400);
	clients_file_end(r, CLIENT_TFTP, "debian/initrd.gz", 10, 0, NULL, 500);
	assert_int_equal(timeline_judge(r, 1000, NULL), TL_RUNNING);
	assert_int_equal(timeline_judge(r, 3500, NULL), TL_HANDOFF);
	struct timeline_cfg cfg = {.handoff_quiet_ms = 10000};
	assert_int_equal(timeline_judge(r, 3500, &cfg), TL_RUNNING);
	/* judged once: a handed-off or stopped record stays */
	clients_handoff(c, r, 500);
	assert_int_equal(timeline_judge(r, 100000, NULL), TL_RUNNING);
	free(c);
}

static void test_progress_event(void **state)
{
	(void)state;
	struct clients *c = new_clients();
	struct loop l;
	assert_int_equal(loop_init(&l), 0);
	struct xfer_observer obs;
	clients_observe(c, &l, &obs);
	c->final_file = "initrd/0/initrd.gz";
	struct client_rec *r = boot_bios(c, 1);
	struct sockaddr_in peer = {.sin_family = AF_INET};
	memcpy(&peer.sin_addr, r->ip4, 4);
	struct xfer_event ev = {.kind = XFER_PROGRESS,
				.proto = XFER_HTTP,
				.peer = (void *)&peer,
				.file = "/lifeboat/initrd/0/initrd.gz",
				.size = 2000000,
				.bytes = 123456};
	obs.event(obs.arg, &ev);
	assert_int_equal(clients_current_file(r)->bytes, 123456);
	assert_int_equal(r->stage, CLIENT_FILE);
	ev.kind = XFER_DONE;
	ev.bytes = 2000000;
	obs.event(obs.arg, &ev);
	assert_int_equal(r->stage, CLIENT_HANDOFF);
	assert_int_equal(c->ctr.handoffs, 1);
	assert_int_equal(c->ctr.done[CTR_HTTP], 1);
	assert_int_equal(c->ctr.bytes[CTR_HTTP], 2000000);
	/* a refused request (no START) gets an entry of its own */
	ev.kind = XFER_FAIL;
	ev.file = "nothere.efi";
	ev.reason = "not-found";
	ev.err = -ENOENT;
	ev.bytes = 0;
	obs.event(obs.arg, &ev);
	assert_string_equal(clients_current_file(r)->name, "nothere.efi");
	assert_int_equal(clients_current_file(r)->result, -ENOENT);
	loop_free(&l);
	free(c);
}

/* ---- the socket's request line ---- */

static void test_request_parse(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int rc;
		enum status_req req;
		unsigned width;
	} v[] = {
	    {"json\n", 0, STATUS_REQ_JSON, 0},
	    {"metrics", 0, STATUS_REQ_METRICS, 0},
	    {"table\n", 0, STATUS_REQ_TABLE, 0},
	    {"table 132\r\n", 0, STATUS_REQ_TABLE, 132},
	    {"table 1000", 0, STATUS_REQ_TABLE, 1000},
	    {"table 1001", -EBADMSG, 0, 0},
	    {"table -1", -EBADMSG, 0, 0},
	    {"table +1", -EBADMSG, 0, 0},
	    {"table ", -EBADMSG, 0, 0},
	    {"table 12x", -EBADMSG, 0, 0},
	    {"table 99999999999999999999999", -EBADMSG, 0, 0},
	    {"tablex", -EBADMSG, 0, 0},
	    {"JSON", -EBADMSG, 0, 0},
	    {"", -EBADMSG, 0, 0},
	    {"json x", -EBADMSG, 0, 0},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		enum status_req req = 99;
		unsigned w = 7;
		int rc = status_parse_request(v[i].line, strlen(v[i].line), &req, &w);
		if (rc != v[i].rc)
			fail_msg("'%s': rc %d, want %d", v[i].line, rc, v[i].rc);
		if (!rc) {
			assert_int_equal(req, v[i].req);
			assert_int_equal(w, v[i].width);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_table_width),
		cmocka_unit_test(test_top_rows),
		cmocka_unit_test(test_row_stage_words),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_counter_labels),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_file_kinds),
		cmocka_unit_test(test_timeline_line),
		cmocka_unit_test(test_bytes_rate),
		cmocka_unit_test(test_cause_rules),
		cmocka_unit_test(test_judge_handoff),
		cmocka_unit_test(test_progress_event),
		cmocka_unit_test(test_request_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
