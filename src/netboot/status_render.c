/* status_render: table, JSON, metrics and HTML of the client records; see
 * status_render.h. */
#include "netboot/status_render.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/timeline.h"

void status_out_init(struct status_out *o, char *p, size_t cap)
{
	o->p = p;
	o->cap = cap;
	o->len = 0;
	o->full = false;
	if (cap)
		p[0] = 0;
}

static void outf(struct status_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct status_out *o, const char *fmt, ...)
{
	if (o->full || o->len + 1 >= o->cap) {
		o->full = true;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = true;
		o->p[o->len] = 0; /* whole items only */
		return;
	}
	o->len += (size_t)n;
}

/* n bytes of s, or nothing when they do not fit. */
static void out_mem(struct status_out *o, const char *s, size_t n)
{
	if (o->full || o->len + n + 1 > o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

/* ---- rows ---- */

static const char *stage_word(const struct client_rec *r, const struct client_file *f)
{
	switch (r->stage) {
	case CLIENT_OFFER:
		return "offer";
	case CLIENT_BINL:
		return "4011";
	case CLIENT_FILE:
		return f && f->proto == CLIENT_HTTP ? "http" : "tftp";
	case CLIENT_HANDOFF:
		return "kernel";
	default:
		return "seen";
	}
}

void status_row_of(const struct client_rec *r, uint64_t now_ms, struct status_row *row)
{
	const struct client_file *f = clients_current_file(r);
	memset(row, 0, sizeof *row);
	row->mac = r->mac_str;
	row->arch = r->arch[0] ? r->arch : "-";
	if (r->has_ip4)
		inet_ntop(AF_INET, r->ip4, row->ip, sizeof row->ip);
	else if (r->has_ip6)
		inet_ntop(AF_INET6, &r->ip6, row->ip, sizeof row->ip);
	else
		snprintf(row->ip, sizeof row->ip, "-");
	row->stage = stage_word(r, f);
	row->file = "";
	row->pct = -1;
	if (f && f->start_ms >= r->boot_ms) {
		uint64_t end = f->end_ms ? f->end_ms : now_ms;
		uint64_t ms = end > f->start_ms ? end - f->start_ms : 0;
		row->file = f->name;
		row->bytes = f->bytes;
		row->size = f->size;
		if (f->size)
			row->pct = (int)(f->bytes >= f->size ? 100 : f->bytes * 100 / f->size);
		row->rate_bps = ms ? f->bytes * 1000 / ms : 0;
	}
	/* a boot that ended keeps its time: first packet to the hand-off */
	uint64_t until = r->stage == CLIENT_HANDOFF && r->stage_ms[CLIENT_HANDOFF]
			     ? r->stage_ms[CLIENT_HANDOFF]
			     : now_ms;
	row->elapsed_ms = until > r->boot_ms ? until - r->boot_ms : 0;
	/* what a booted rescue says of itself is the newest news of it */
	row->note = r->report[0] ? r->report : r->last_error[0] ? r->last_error : r->cause;
}

/* The records to show, newest first: indexes into c->v. Returns how many. */
struct pick {
	uint64_t last;
	uint32_t i;
};
static int pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	return x->last < y->last ? 1 : x->last > y->last ? -1 : (x->i > y->i) - (x->i < y->i);
}
/* Inserts x into the sorted p[0..*n) that keeps at most k entries. */
static void pick_keep(struct pick *p, size_t *n, size_t k, struct pick x)
{
	size_t at = *n;
	while (at > 0 && pick_cmp(&x, &p[at - 1]) < 0)
		at--;
	if (at >= k)
		return;
	size_t move = (*n < k ? *n : k - 1) - at;
	memmove(&p[at + 1], &p[at], move * sizeof *p);
	p[at] = x;
	if (*n < k)
		(*n)++;
}

static size_t pick_rows(const struct status_view *v, struct pick *p, bool filter)
{
	size_t n = 0;
	/* a few rows (the terminal): the newest k in one pass, no sort */
	size_t k = filter && v->max_rows && v->max_rows <= 64 ? v->max_rows : 0;
	for (uint32_t i = 0; i < CLIENTS_MAX; i++) {
		const struct client_rec *r = &v->c->v[i];
		if (!r->used)
			continue;
		if (filter && v->recent_ms && v->now_ms > r->last_ms + v->recent_ms)
			continue;
		if (k)
			pick_keep(p, &n, k, (struct pick){r->last_ms, i});
		else
			p[n++] = (struct pick){r->last_ms, i};
	}
	if (k)
		return n;
	qsort(p, n, sizeof *p, pick_cmp);
	if (filter && v->max_rows && n > v->max_rows)
		n = v->max_rows;
	return n;
}

/* ---- the table ---- */

static void fit_raw(char *dst, size_t w, const char *s, bool keep_tail);

/* s cut to w characters: the tail kept (file names) or the head (words).
 * Bytes a terminal would act on (control, escape, non-ASCII) become '?':
 * the table goes to terminals and reports are the clients' own words. */
static void fit(char *dst, size_t w, const char *s, bool keep_tail)
{
	fit_raw(dst, w, s, keep_tail);
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

static void fit_raw(char *dst, size_t w, const char *s, bool keep_tail)
{
	size_t n = strlen(s);
	if (n <= w) {
		memmove(dst, s, n + 1);
	} else if (w < 4) {
		memcpy(dst, s, w);
		dst[w] = 0;
	} else if (keep_tail) {
		memcpy(dst, "...", 3);
		memcpy(dst + 3, s + n - (w - 3), w - 3 + 1);
	} else {
		memcpy(dst, s, w - 3);
		memcpy(dst + w - 3, "...", 4);
	}
}

static void dur(uint64_t ms, char *out, size_t cap)
{
	uint64_t s = ms / 1000;
	if (s < 100)
		snprintf(out, cap, "%llu.%llus", (unsigned long long)s,
			 (unsigned long long)(ms % 1000 / 100));
	else if (s < 3600)
		snprintf(out, cap, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(out, cap, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
}

/* Column widths for a line of w characters: FILE and NOTE share the rest. */
#define T_FIXED (17 + 15 + 11 + 6 + 13 + 4 + 8 + 6 + 9) /* columns and 9 gaps */
static void widths(unsigned w, unsigned *fw, unsigned *nw)
{
	if (w < STATUS_MIN_WIDTH)
		w = STATUS_MIN_WIDTH;
	unsigned rest = w - T_FIXED - 1;
	*fw = rest / 2 > 12 ? rest / 2 : 12;
	if (*fw > 40)
		*fw = 40;
	*nw = rest > *fw ? rest - *fw : 0;
}

static void table_row(struct status_out *o, const struct status_row *row, unsigned fw, unsigned nw)
{
	char ip[16], arch[12], file[64], prog[64], b[24], s[24], pct[16], rate[32], el[32],
	    note[256];
	fit(ip, 15, row->ip, false);
	fit(arch, 11, row->arch, false);
	fit(file, fw, *row->file ? timeline_base(row->file) : "-", true);
	if (*row->file) {
		timeline_bytes(row->bytes, b, sizeof b);
		timeline_bytes(row->size, s, sizeof s);
		snprintf(prog, sizeof prog, "%s/%s", b, row->size ? s : "?");
	} else {
		snprintf(prog, sizeof prog, "-");
	}
	fit(prog, 13, prog, false);
	if (row->pct >= 0)
		snprintf(pct, sizeof pct, "%d%%", row->pct);
	else
		snprintf(pct, sizeof pct, "-");
	if (*row->file && row->rate_bps) {
		timeline_bytes(row->rate_bps, b, sizeof b);
		snprintf(rate, sizeof rate, "%.6s/s", b);
	} else {
		snprintf(rate, sizeof rate, "-");
	}
	fit(rate, 8, rate, false);
	dur(row->elapsed_ms, el, sizeof el);
	fit(note, nw < sizeof note - 1 ? nw : sizeof note - 1, row->note, false);
	outf(o, "%-17s %-15s %-11s %-6s %-*s %13s %4s %8s %6s%s%s\n", row->mac, ip, arch,
	     row->stage, (int)fw, file, prog, pct, rate, el, nw && note[0] ? " " : "",
	     nw ? note : "");
}

void status_table(const struct status_view *v, struct status_out *o)
{
	struct pick p[CLIENTS_MAX];
	unsigned fw, nw;
	widths(v->width, &fw, &nw);
	size_t n = pick_rows(v, p, true), all = clients_count(v->c);
	const struct counters *k = &v->c->ctr;
	char up[32];
	dur(v->x ? v->x->uptime_ms : 0, up, sizeof up);
	outf(o,
	     "lifeboat: %zu client%s (%zu shown), %llu handed off, %llu stopped; %llu TFTP "
	     "transfers, %llu HTTP connections; up %s\n",
	     all, all == 1 ? "" : "s", n, (unsigned long long)k->handoffs,
	     (unsigned long long)k->stalls, (unsigned long long)(v->x ? v->x->tftp_active : 0),
	     (unsigned long long)(v->x ? v->x->http_active : 0), up);
	outf(o, "%-17s %-15s %-11s %-6s %-*s %13s %4s %8s %6s%s\n", "MAC", "IP", "ARCH", "STAGE",
	     (int)fw, "FILE", "BYTES/SIZE", "%", "RATE", "TIME", nw ? " NOTE" : "");
	for (size_t i = 0; i < n; i++) {
		struct status_row row;
		status_row_of(&v->c->v[p[i].i], v->now_ms, &row);
		table_row(o, &row, fw, nw);
	}
}

/* ---- JSON ---- */

/* s as a JSON string: quotes, backslash and every byte outside printable
 * ASCII escaped (client strings are sanitised already, but never trusted). */
static void json_str(struct status_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	out_mem(o, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)s; *c && !o->full;) {
		size_t n = 0; /* a run of plain bytes in one copy */
		while (c[n] >= 0x20 && c[n] < 0x7f && c[n] != '"' && c[n] != '\\')
			n++;
		out_mem(o, (const char *)c, n);
		c += n;
		if (!*c)
			break;
		char esc[6] = {'\\', (char)*c};
		if (*c >= 0x20 && *c < 0x7f) {
			out_mem(o, esc, 2);
		} else {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*c >> 4];
			esc[5] = hex[*c & 15];
			out_mem(o, esc, 6);
		}
		c++;
	}
	out_mem(o, "\"", 1);
}

/* JSON is made of many small pieces: appended without printf. */
static void out_s(struct status_out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_u(struct status_out *o, uint64_t v)
{
	char d[24];
	size_t n = sizeof d;
	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_mem(o, d + n, sizeof d - n);
}

static void out_i(struct status_out *o, int v)
{
	if (v < 0)
		out_mem(o, "-", 1);
	out_u(o, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v);
}

static void json_ms(struct status_out *o, const char *key, uint64_t t, uint64_t base, bool comma)
{
	out_s(o, comma ? ",\"" : "\"");
	out_s(o, key);
	out_s(o, "\":");
	if (t)
		out_u(o, t > base ? t - base : 0);
	else
		out_s(o, "null");
}

static void json_file(struct status_out *o, const struct client_file *f, uint64_t base)
{
	out_s(o, "{\"name\":");
	json_str(o, f->name);
	out_s(o, f->proto == CLIENT_TFTP ? ",\"proto\":\"tftp\",\"bytes\":"
					 : ",\"proto\":\"http\",\"bytes\":");
	out_u(o, f->bytes);
	out_s(o, ",\"size\":");
	out_u(o, f->size);
	out_s(o, !f->end_ms  ? ",\"state\":\"in-flight\",\"result\":"
		 : f->result ? ",\"state\":\"failed\",\"result\":"
			     : ",\"state\":\"done\",\"result\":");
	out_i(o, f->result);
	json_ms(o, "start_ms", f->start_ms ? f->start_ms : 1, base, true);
	json_ms(o, "end_ms", f->end_ms, base, true);
	out_s(o, "}");
}

static void json_client(struct status_out *o, const struct client_rec *r, uint64_t now)
{
	struct status_row row;
	status_row_of(r, now, &row);
	out_s(o, "{\"mac\":\"");
	out_s(o, r->mac_str);
	out_s(o, "\",\"ip\":");
	json_str(o, row.ip);
	out_s(o, ",\"arch\":");
	json_str(o, r->arch);
	out_s(o, ",\"stage\":\"");
	out_s(o, client_stage_name(r->stage));
	out_s(o, "\",\"stage_word\":\"");
	out_s(o, row.stage);
	out_s(o, "\",\"elapsed_ms\":");
	out_u(o, row.elapsed_ms);
	out_s(o, ",\"idle_ms\":");
	out_u(o, now > r->last_ms ? now - r->last_ms : 0);
	out_s(o, ",\"stages\":{");
	for (int s = CLIENT_SEEN; s < CLIENT_STAGES; s++)
		json_ms(o, client_stage_name((enum client_stage)s), r->stage_ms[s], r->boot_ms,
			s != CLIENT_SEEN);
	out_s(o, "},\"files\":[");
	unsigned have = r->n_files < CLIENT_FILES ? r->n_files : CLIENT_FILES, k = 0;
	for (unsigned j = have; j > 0; j--) {
		const struct client_file *f = &r->files[(r->n_files - j) % CLIENT_FILES];
		if (f->start_ms < r->boot_ms)
			continue;
		if (k++)
			out_s(o, ",");
		json_file(o, f, r->boot_ms);
	}
	out_s(o, "],\"error\":");
	json_str(o, r->last_error);
	out_s(o, ",\"cause\":");
	json_str(o, r->cause);
	out_s(o, ",\"report\":");
	json_str(o, r->report);
	out_s(o, "}");
}

void status_json(const struct status_view *v, struct status_out *o)
{
	struct pick p[CLIENTS_MAX];
	const struct counters *k = &v->c->ctr;
	const struct status_extra *x = v->x;
	size_t n = pick_rows(v, p, false);
	outf(o, "{\"version\":");
	json_str(o, x && x->version ? x->version : "");
	outf(o, ",\"uptime_ms\":%llu,\"clients\":[", (unsigned long long)(x ? x->uptime_ms : 0));
	for (size_t i = 0; i < n && !o->full; i++) {
		outf(o, "%s", i ? "," : "");
		json_client(o, &v->c->v[p[i].i], v->now_ms);
	}
	outf(o,
	     "],\"counters\":{\"handoffs\":%llu,\"stalls\":%llu,\"evicted\":%llu,"
	     "\"transfers_active\":%llu,\"http_connections\":%llu}}\n",
	     (unsigned long long)k->handoffs, (unsigned long long)k->stalls,
	     (unsigned long long)v->c->evicted, (unsigned long long)(x ? x->tftp_active : 0),
	     (unsigned long long)(x ? x->http_active : 0));
}

/* ---- Prometheus text exposition (format 0.0.4) ---- */

static void m_head(struct status_out *o, const char *name, const char *type, const char *help)
{
	outf(o, "# HELP lifeboat_%s %s\n# TYPE lifeboat_%s %s\n", name, help, name, type);
}

static const char *const dhcp_names[CTR_DHCPS] = {"dhcp4", "dhcp6"};
static const char *const reply_names[CTR_REPLIES] = {"offer", "answer"};
static const char *const xproto_names[CTR_XPROTOS] = {"tftp", "http"};

static void metrics_dhcp(const struct status_view *v, struct status_out *o)
{
	const struct counters *k = &v->c->ctr;
	m_head(o, "dhcp_received_total", "counter", "DHCP datagrams received");
	for (int d = 0; d < CTR_DHCPS; d++)
		outf(o, "lifeboat_dhcp_received_total{proto=\"%s\"} %llu\n", dhcp_names[d],
		     (unsigned long long)(v->x ? v->x->dhcp_received[d] : 0));
	m_head(
	    o, "dhcp_replies_total", "counter",
	    "proxy offers (udp/67, DHCPv6 Advertise) and answers (udp/4011, DHCPv6 Reply) by arch");
	for (int d = 0; d < CTR_DHCPS; d++)
		for (int t = 0; t < CTR_REPLIES; t++)
			for (size_t a = 0; a < k->arch.n; a++)
				if (k->replies[d][t][a])
					outf(o,
					     "lifeboat_dhcp_replies_total{proto=\"%s\",type=\"%s\","
					     "arch=\"%s\"} %llu\n",
					     dhcp_names[d], reply_names[t], k->arch.v[a],
					     (unsigned long long)k->replies[d][t][a]);
	m_head(o, "dhcp_unanswered_total", "counter",
	       "netboot requests not answered (nothing to boot, rate limit)");
	for (int d = 0; d < CTR_DHCPS; d++)
		outf(o, "lifeboat_dhcp_unanswered_total{proto=\"%s\"} %llu\n", dhcp_names[d],
		     (unsigned long long)k->unanswered[d]);
}

static void metrics_xfer(const struct status_view *v, struct status_out *o)
{
	const struct counters *k = &v->c->ctr;
	static const struct {
		const char *name, *help;
		size_t off;
	} per[] = {
	    {"transfers_started_total", "file transfers started",
	     offsetof(struct counters, started)},
	    {"transfers_done_total", "file transfers completed (TFTP size probes included)",
	     offsetof(struct counters, done)},
	    {"bytes_sent_total", "file bytes delivered by finished transfers",
	     offsetof(struct counters, bytes)},
	};
	for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
		const uint64_t *val =
		    (const uint64_t *)(const void *)((const char *)k + per[i].off);
		m_head(o, per[i].name, "counter", per[i].help);
		for (int p = 0; p < CTR_XPROTOS; p++)
			outf(o, "lifeboat_%s{proto=\"%s\"} %llu\n", per[i].name, xproto_names[p],
			     (unsigned long long)val[p]);
	}
	m_head(o, "transfers_failed_total", "counter",
	       "file transfers failed or refused, by reason");
	for (int p = 0; p < CTR_XPROTOS; p++)
		for (size_t r = 0; r < k->reason.n; r++)
			if (k->failed[p][r])
				outf(o,
				     "lifeboat_transfers_failed_total{proto=\"%s\",reason=\"%s\"} "
				     "%llu\n",
				     xproto_names[p], k->reason.v[r],
				     (unsigned long long)k->failed[p][r]);
}

void status_metrics(const struct status_view *v, struct status_out *o)
{
	const struct status_extra *x = v->x;
	static const struct status_extra none = {0};
	if (!x)
		x = &none;
	const struct counters *k = &v->c->ctr;
	m_head(o, "build_info", "gauge", "version of the running lifeboat");
	outf(o, "lifeboat_build_info{version=\"%s\",revision=\"%s\"} 1\n",
	     x->version ? x->version : "", x->revision ? x->revision : "");
	m_head(o, "uptime_seconds", "gauge", "seconds since serve started");
	outf(o, "lifeboat_uptime_seconds %llu.%03llu\n", (unsigned long long)(x->uptime_ms / 1000),
	     (unsigned long long)(x->uptime_ms % 1000));
	metrics_dhcp(v, o);
	metrics_xfer(v, o);
	m_head(o, "transfers_active", "gauge", "TFTP transfers in progress");
	outf(o, "lifeboat_transfers_active{proto=\"tftp\"} %llu\n",
	     (unsigned long long)x->tftp_active);
	m_head(o, "http_connections", "gauge", "open HTTP connections (file server)");
	outf(o, "lifeboat_http_connections %llu\n", (unsigned long long)x->http_active);
	m_head(o, "status_connections", "gauge", "open status socket and status HTTP connections");
	outf(o, "lifeboat_status_connections %llu\n", (unsigned long long)x->status_conns);
	m_head(o, "ratelimited_total", "counter", "replies refused by a rate limit");
	static const char *const rl[3] = {"dhcp4", "dhcp6", "tftp"};
	for (int i = 0; i < 3; i++)
		outf(o, "lifeboat_ratelimited_total{service=\"%s\"} %llu\n", rl[i],
		     (unsigned long long)x->ratelimited[i]);
	m_head(o, "log_suppressed_total", "counter", "log lines dropped by the log budgets");
	outf(o, "lifeboat_log_suppressed_total %llu\n", (unsigned long long)x->log_suppressed);
	m_head(o, "clients", "gauge", "client records in use");
	outf(o, "lifeboat_clients %zu\n", clients_count(v->c));
	m_head(o, "clients_evicted_total", "counter", "client records reused for a new machine");
	outf(o, "lifeboat_clients_evicted_total %llu\n", (unsigned long long)v->c->evicted);
	m_head(o, "boots_total", "counter", "boots by outcome: handed to the kernel, or stopped");
	outf(o, "lifeboat_boots_total{outcome=\"handoff\"} %llu\n",
	     (unsigned long long)k->handoffs);
	outf(o, "lifeboat_boots_total{outcome=\"stopped\"} %llu\n", (unsigned long long)k->stalls);
}

/* ---- HTML ---- */

static void html_esc(struct status_out *o, const char *s)
{
	for (; *s && !o->full; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e = c == '<'    ? "&lt;"
				: c == '>'  ? "&gt;"
				: c == '&'  ? "&amp;"
				: c == '"'  ? "&quot;"
				: c == '\'' ? "&#39;"
					    : NULL;
		char plain = c >= 0x20 && c < 0x7f ? (char)c : '?';
		if (e)
			out_mem(o, e, strlen(e));
		else
			out_mem(o, &plain, 1);
	}
}

static void html_row(struct status_out *o, const struct status_row *row)
{
	char b[24], s[24], el[32], rate[24];
	timeline_bytes(row->bytes, b, sizeof b);
	timeline_bytes(row->size, s, sizeof s);
	timeline_bytes(row->rate_bps, rate, sizeof rate);
	dur(row->elapsed_ms, el, sizeof el);
	const char *cells[] = {row->mac, row->ip, row->arch, row->stage,
			       *row->file ? timeline_base(row->file) : "-"};
	outf(o, "<tr>");
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		outf(o, "<td%s>", i == 3 ? " class=\"stage\"" : "");
		html_esc(o, cells[i]);
		outf(o, "</td>");
	}
	if (!*row->file)
		outf(o, "<td>-</td><td>-</td><td>-</td>");
	else if (row->pct < 0)
		outf(o, "<td>%s/?</td><td>-</td><td>%s/s</td>", b, rate);
	else /* a bar without script or images */
		outf(o,
		     "<td>%s/%s</td><td><meter max=\"100\" value=\"%d\"></meter> %d%%</td>"
		     "<td>%s/s</td>",
		     b, s, row->pct, row->pct, rate);
	outf(o, "<td>%s</td><td>", el);
	html_esc(o, row->note);
	outf(o, "</td></tr>\n");
}

void status_html(const struct status_view *v, unsigned refresh_s, struct status_out *o)
{
	struct pick p[CLIENTS_MAX];
	size_t n = pick_rows(v, p, true);
	outf(o,
	     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	     "<meta http-equiv=\"refresh\" content=\"%u\">"
	     "<title>lifeboat: %zu clients</title><style>"
	     "body{font-family:monospace;margin:1em}table{border-collapse:collapse}"
	     "td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #ccc}"
	     ".stage{font-weight:bold}</style></head><body>\n"
	     "<h1>lifeboat serve</h1><p>%zu clients; %llu handed off, %llu stopped; "
	     "<a href=\"/status.json\">status.json</a> <a href=\"/metrics\">metrics</a></p>\n"
	     "<table id=\"clients\"><tr><th>MAC</th><th>IP</th><th>ARCH</th><th>STAGE</th>"
	     "<th>FILE</th><th>BYTES/SIZE</th><th>%%</th><th>RATE</th><th>TIME</th>"
	     "<th>NOTE</th></tr>\n",
	     refresh_s ? refresh_s : 2, n, clients_count(v->c),
	     (unsigned long long)v->c->ctr.handoffs, (unsigned long long)v->c->ctr.stalls);
	for (size_t i = 0; i < n && !o->full; i++) {
		struct status_row row;
		status_row_of(&v->c->v[p[i].i], v->now_ms, &row);
		html_row(o, &row);
	}
	outf(o, "</table></body></html>\n");
}
