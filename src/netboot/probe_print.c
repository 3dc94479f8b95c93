/* probe_print: the probe's table and its JSON form. */
#include "netboot/probe_print.h"

#include <string.h>

#include "core/log.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/dhcp6_wire.h"

static const char *clean(char *buf, size_t cap, const char *s)
{
	if (!s[0])
		return "-";
	return log_sanitize(buf, cap, s, strlen(s));
}

static const char *mac_str(const uint8_t *m, bool has, char *buf, size_t cap)
{
	if (!has)
		return "-";
	snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static void hex(const uint8_t *p, size_t n, size_t full, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && o + 3 < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%02x", p[i]);
	if (full > n && o + 4 < cap)
		snprintf(buf + o, cap - o, "...");
}

static void size_str(long long v, char *buf, size_t cap)
{
	if (v < 0)
		snprintf(buf, cap, "?");
	else if (v < 10240)
		snprintf(buf, cap, "%lld B", v);
	else if (v < 10LL << 20)
		snprintf(buf, cap, "%.1f KiB", (double)v / 1024);
	else
		snprintf(buf, cap, "%.1f MiB", (double)v / 1048576);
}

/* Prints text indented by ind, wrapped at 100 columns. */
static void wrap(FILE *f, const char *text, int ind)
{
	const char *p = text;
	while (*p) {
		size_t n = strlen(p), cut = n;
		if ((int)n > 100 - ind) {
			cut = (size_t)(100 - ind);
			while (cut > 20 && p[cut] != ' ')
				cut--;
		}
		fprintf(f, "%*s%.*s\n", ind, "", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		ind = ind < 4 ? 4 : ind;
	}
}

static void print_servers(FILE *f, const struct probe_report *r)
{
	fprintf(f, "\nServers\n  %-26s %-17s %-11s %s\n", "ADDRESS", "MAC", "ROLE", "ANSWERED");
	if (!r->n_srv)
		fprintf(f, "  (none answered)\n");
	for (size_t i = 0; i < r->n_srv; i++) {
		const struct probe_server *s = &r->srv[i];
		char a[48], m[24], k[128];
		probe_addr_str(s->v6, s->addr, a, sizeof a);
		probe_kinds_str(s->kinds, k, sizeof k);
		fprintf(f, "  %-26s %-17s %-11s %s\n", a, mac_str(s->mac, s->has_mac, m, sizeof m),
			probe_role_name(s->roles), k);
	}
}

static const char *offer_type(const struct probe_answer *a)
{
	if (a->binl)
		return "4011 ACK";
	if (a->v6)
		return dhcp6_type_name(a->type);
	return a->has_addr ? "OFFER" : "proxy OFFER";
}

static void print_answer(FILE *f, const struct probe_answer *a)
{
	char src[48], yi[48], si[48], file[200], o[300], h[140], v[80];
	size_t n = 0;
	probe_addr_str(a->v6, a->src, src, sizeof src);
	if (a->v6)
		snprintf(yi, sizeof yi, "%s", a->has_addr ? "address" : "-");
	else
		probe_addr_str(false, a->yiaddr, yi, sizeof yi);
	if (!a->has_addr)
		snprintf(yi, sizeof yi, "-");
	if (a->v6 || !memcmp(a->siaddr, "\0\0\0\0", 4))
		snprintf(si, sizeof si, "-");
	else
		probe_addr_str(false, a->siaddr, si, sizeof si);
	fprintf(f, "  %-9s %-26s %-12s %-15s %-15s %s\n", probe_kind_info(a->kind)->name, src,
		offer_type(a), yi, si, clean(file, sizeof file, a->v6 ? a->url : a->file));
	n = (size_t)snprintf(o, sizeof o, "+%u ms ", a->ms);
	if (a->has_43) {
		hex(a->o43, a->o43_len, a->o43_full, h, sizeof h);
		n += (size_t)snprintf(o + n, sizeof o - n, "43=%s ", h);
	}
	if (a->o60[0] && n < sizeof o)
		n += (size_t)snprintf(o + n, sizeof o - n, "%s=%s ", a->v6 ? "16" : "60",
				      clean(v, sizeof v, a->o60));
	if (a->o66[0] && n < sizeof o)
		n += (size_t)snprintf(o + n, sizeof o - n, "66=%s ", clean(v, sizeof v, a->o66));
	if (a->o67[0] && n < sizeof o)
		n += (size_t)snprintf(o + n, sizeof o - n, "67=%s ", clean(v, sizeof v, a->o67));
	if (a->v6 && a->url[0] && n < sizeof o)
		snprintf(o + n, sizeof o - n, "59=%s ", clean(v, sizeof v, a->url));
	fprintf(f, "  %-9s %s\n", "", o);
}

static void print_offers(FILE *f, const struct probe_report *r)
{
	fprintf(f, "\nOffers\n  %-9s %-26s %-12s %-15s %-15s %s\n", "KIND", "FROM", "TYPE",
		"ADDRESS", "NEXT-SERVER", "FILE / URL");
	if (!r->n_ans)
		fprintf(f, "  (none)\n");
	for (int k = 0; k < PROBE_NKINDS; k++)
		for (size_t i = 0; i < r->n_ans; i++)
			if (r->ans[i].kind == (enum probe_kind)k)
				print_answer(f, &r->ans[i]);
}

static void print_files(FILE *f, const struct probe_report *r)
{
	fprintf(f, "\nBoot files\n");
	if (!r->n_fetch)
		fprintf(f, "  (none offered)\n");
	for (size_t i = 0; i < r->n_fetch; i++) {
		const struct probe_fetch *x = &r->fetch[i];
		char p[200], s[32], b[32], k[128], res[64];
		clean(p, sizeof p, x->path);
		probe_kinds_str(x->kinds & r->asked, k, sizeof k);
		snprintf(res, sizeof res, "%s", probe_fetch_result_name(x->result));
		if (x->result == PROBE_FETCH_NOT_FOUND || x->result == PROBE_FETCH_ERROR)
			snprintf(res, sizeof res, "%s (%s %d)", probe_fetch_result_name(x->result),
				 x->http ? "HTTP" : "TFTP error", x->code);
		fprintf(f, "  %-4s %s%s%s:%u %s\n", x->http ? "HTTP" : "TFTP", x->v6 ? "[" : "",
			x->host, x->v6 ? "]" : "", x->port, p);
		if (x->result == PROBE_FETCH_OK) {
			size_str(x->size, s, sizeof s);
			size_str((long long)x->bytes, b, sizeof b);
			fprintf(f, "       ok: size %s, first %s in %u ms", s, b, x->ms);
			if (x->ms)
				fprintf(f, " (%.1f MB/s)", (double)x->bytes / 1000.0 / x->ms);
			fprintf(f, "; for %s\n", k);
		} else {
			fprintf(f, "       %s; for %s\n", res, k);
		}
	}
}

static void print_verdicts(FILE *f, const struct probe_report *r)
{
	fprintf(f, "\nClient kinds\n");
	for (int k = 0; k < PROBE_NKINDS; k++) {
		const struct probe_kind_result *kr = &r->kind[k];
		const struct probe_kind_info *ki = probe_kind_info((enum probe_kind)k);
		char p[200], a[48];
		if (!(r->asked & (1u << k)))
			continue;
		if (kr->boots) {
			const struct probe_fetch *x = &r->fetch[kr->fetch];
			probe_addr_str(r->ans[kr->boot].v6, r->ans[kr->boot].src, a, sizeof a);
			fprintf(f, "  %-9s %-26s boots %s from %s (%s, offer from %s)\n", ki->name,
				ki->desc, clean(p, sizeof p, x->path), x->host,
				x->http ? "HTTP" : "TFTP", a);
		} else {
			fprintf(f, "  %-9s %-26s WILL NOT BOOT: %s\n", ki->name, ki->desc,
				probe_why_text(kr->why));
		}
	}
}

void probe_print_text(FILE *f, const struct probe_report *r, const struct probe_finding *fs,
		      size_t n_fs, bool ok)
{
	char m[24], ip[48];
	unsigned asked = 0, boot = 0;
	if (r->has_ip)
		probe_addr_str(false, r->ip, ip, sizeof ip);
	fprintf(f, "lifeboat probe on %s (MAC %s, IPv4 %s) in %u.%u s\n", r->ifname,
		mac_str(r->mac, true, m, sizeof m), r->has_ip ? ip : "none", r->duration_ms / 1000,
		r->duration_ms % 1000 / 100);
	print_servers(f, r);
	print_offers(f, r);
	print_files(f, r);
	print_verdicts(f, r);
	if (n_fs)
		fprintf(f, "\nWhat this means\n");
	for (size_t i = 0; i < n_fs; i++) {
		char line[400];
		snprintf(line, sizeof line, "%s: %s", probe_severity_name(fs[i].sev), fs[i].text);
		wrap(f, line, 2);
	}
	for (int k = 0; k < PROBE_NKINDS; k++)
		if (r->asked & (1u << k)) {
			asked++;
			boot += r->kind[k].boots;
		}
	fprintf(f, "\n%s: %u of %u client kinds would boot\n", ok ? "OK" : "PROBLEM", boot, asked);
}

void probe_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_kinds(FILE *f, unsigned mask)
{
	bool first = true;
	fputc('[', f);
	for (int k = 0; k < PROBE_NKINDS; k++)
		if (mask & (1u << k)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",",
				probe_kind_info((enum probe_kind)k)->name);
			first = false;
		}
	fputc(']', f);
}

static void json_answer(FILE *f, const struct probe_answer *a)
{
	char s[48], h[140], m[24];
	probe_addr_str(a->v6, a->src, s, sizeof s);
	fprintf(f, "{\"kind\":\"%s\",\"from\":\"%s\",\"v6\":%s,\"type\":\"%s\",\"binl\":%s,",
		probe_kind_info(a->kind)->name, s, a->v6 ? "true" : "false",
		a->v6 ? dhcp6_type_name(a->type) : dhcp4_type_name(a->type),
		a->binl ? "true" : "false");
	fprintf(f, "\"ms\":%u,\"mac\":", a->ms);
	if (a->has_mac)
		fprintf(f, "\"%s\",", mac_str(a->mac, true, m, sizeof m));
	else
		fprintf(f, "null,");
	if (!a->v6) {
		probe_addr_str(false, a->yiaddr, s, sizeof s);
		fprintf(f, "\"address\":\"%s\",", a->has_addr ? s : "");
		probe_addr_str(false, a->siaddr, s, sizeof s);
		fprintf(f, "\"next_server\":\"%s\",\"file\":", s);
		probe_json_str(f, a->file);
		fprintf(f, ",\"sname\":");
		probe_json_str(f, a->sname);
		hex(a->o43, a->o43_len, 0, h, sizeof h);
		fprintf(f, ",\"opt43\":\"%s\",\"opt60\":", a->has_43 ? h : "");
		probe_json_str(f, a->o60);
		fprintf(f, ",\"opt66\":");
		probe_json_str(f, a->o66);
		fprintf(f, ",\"opt67\":");
		probe_json_str(f, a->o67);
	} else {
		fprintf(f, "\"address\":%s,\"vendor_class\":", a->has_addr ? "true" : "false");
		probe_json_str(f, a->o60);
		fprintf(f, ",\"duid\":\"%s\"", a->duid);
	}
	fprintf(f, ",\"boot_file_url\":");
	probe_json_str(f, a->v6 ? a->url : "");
	fputc('}', f);
}

static void json_fetch(FILE *f, const struct probe_report *r, const struct probe_fetch *x)
{
	fprintf(f, "{\"proto\":\"%s\",\"host\":", x->http ? "http" : "tftp");
	probe_json_str(f, x->host);
	fprintf(f, ",\"port\":%u,\"path\":", x->port);
	probe_json_str(f, x->path);
	fprintf(
	    f, ",\"result\":\"%s\",\"size\":%lld,\"bytes\":%llu,\"ms\":%u,\"code\":%d,\"message\":",
	    probe_fetch_result_name(x->result), x->size, (unsigned long long)x->bytes, x->ms,
	    x->code);
	probe_json_str(f, x->msg);
	fprintf(f, ",\"kinds\":");
	json_kinds(f, x->kinds & r->asked);
	fputc('}', f);
}

static void json_servers(FILE *f, const struct probe_report *r)
{
	fprintf(f, "\"servers\":[");
	for (size_t i = 0; i < r->n_srv; i++) {
		const struct probe_server *s = &r->srv[i];
		char a[48], m[24];
		probe_addr_str(s->v6, s->addr, a, sizeof a);
		fprintf(f, "%s{\"address\":\"%s\",\"v6\":%s,\"mac\":", i ? "," : "", a,
			s->v6 ? "true" : "false");
		if (s->has_mac)
			fprintf(f, "\"%s\"", mac_str(s->mac, true, m, sizeof m));
		else
			fprintf(f, "null");
		fprintf(f, ",\"role\":\"%s\",\"kinds\":", probe_role_name(s->roles));
		json_kinds(f, s->kinds);
		fprintf(f, ",\"boot_kinds\":");
		json_kinds(f, s->boot_kinds);
		fputc('}', f);
	}
	fprintf(f, "],");
}

void probe_print_json(FILE *f, const struct probe_report *r, const struct probe_finding *fs,
		      size_t n_fs, bool ok)
{
	char m[24], ip[48] = "";
	if (r->has_ip)
		probe_addr_str(false, r->ip, ip, sizeof ip);
	fprintf(f, "{\"interface\":");
	probe_json_str(f, r->ifname);
	fprintf(f, ",\"mac\":\"%s\",\"ip\":\"%s\",\"duration_ms\":%u,\"window_ms\":%u,\"ok\":%s,",
		mac_str(r->mac, true, m, sizeof m), ip, r->duration_ms, r->window_ms,
		ok ? "true" : "false");
	json_servers(f, r);
	fprintf(f, "\"offers\":[");
	for (size_t i = 0; i < r->n_ans; i++) {
		fputs(i ? "," : "", f);
		json_answer(f, &r->ans[i]);
	}
	fprintf(f, "],\"files\":[");
	for (size_t i = 0; i < r->n_fetch; i++) {
		fputs(i ? "," : "", f);
		json_fetch(f, r, &r->fetch[i]);
	}
	fprintf(f, "],\"kinds\":[");
	bool first = true;
	for (int k = 0; k < PROBE_NKINDS; k++) {
		const struct probe_kind_result *kr = &r->kind[k];
		if (!(r->asked & (1u << k)))
			continue;
		fprintf(f, "%s{\"kind\":\"%s\",\"boots\":%s,\"why\":\"%s\",\"file\":",
			first ? "" : ",", probe_kind_info((enum probe_kind)k)->name,
			kr->boots ? "true" : "false", probe_why_text(kr->why));
		probe_json_str(f, kr->fetch >= 0 ? r->fetch[kr->fetch].path : "");
		fprintf(f, ",\"binl\":\"%s\"}",
			!kr->binl_needed    ? "not needed"
			: kr->binl_answered ? "answered"
			: kr->binl_sent	    ? "silent"
					    : "not sent");
		first = false;
	}
	fprintf(f, "],\"findings\":[");
	for (size_t i = 0; i < n_fs; i++) {
		fprintf(f, "%s{\"rule\":\"%s\",\"severity\":\"%s\",\"kinds\":", i ? "," : "",
			fs[i].rule, probe_severity_name(fs[i].sev));
		json_kinds(f, fs[i].kinds);
		fprintf(f, ",\"text\":");
		probe_json_str(f, fs[i].text);
		fputc('}', f);
	}
	fprintf(f, "]}\n");
}
