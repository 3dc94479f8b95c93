/* probe_report: per-server and per-kind aggregation of the probe's answers,
 * each kind's verdict, and the explanation rules. Pure. */
#include "netboot/probe_report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "netboot/dhcp4_wire.h"

void probe_report_init(struct probe_report *r, unsigned asked, bool v6)
{
	memset(r, 0, sizeof *r);
	r->asked = asked & PROBE_ALL_KINDS;
	r->v6 = v6;
	for (int k = 0; k < PROBE_NKINDS; k++) {
		r->kind[k].boot = -1;
		r->kind[k].fetch = -1;
		r->kind[k].why = PROBE_WHY_NO_ANSWER;
	}
}

static size_t addr_len(bool v6)
{
	return v6 ? 16 : 4;
}

const char *probe_boot_name(const struct probe_answer *a)
{
	if (a->o67[0])
		return a->o67;
	if (a->file[0])
		return a->file;
	return a->url;
}

static struct probe_server *probe_server_of(struct probe_report *r, const struct probe_answer *a)
{
	for (size_t i = 0; i < r->n_srv; i++)
		if (r->srv[i].v6 == a->v6 && !memcmp(r->srv[i].addr, a->src, addr_len(a->v6)))
			return &r->srv[i];
	if (r->n_srv == PROBE_MAX_SERVERS)
		return NULL;
	struct probe_server *s = &r->srv[r->n_srv++];
	memset(s, 0, sizeof *s);
	s->v6 = a->v6;
	memcpy(s->addr, a->src, addr_len(a->v6));
	return s;
}

int probe_report_add(struct probe_report *r, const struct probe_answer *a)
{
	struct probe_server *s;
	for (size_t i = 0; i < r->n_ans; i++) {
		const struct probe_answer *b = &r->ans[i];
		if (b->v6 == a->v6 && b->kind == a->kind && b->type == a->type &&
		    b->binl == a->binl && !memcmp(b->src, a->src, addr_len(a->v6)))
			return (int)i;
	}
	if (r->n_ans == PROBE_MAX_ANSWERS || (unsigned)a->kind >= PROBE_NKINDS ||
	    !(s = probe_server_of(r, a))) {
		r->dropped++;
		return -ENOSPC;
	}
	r->ans[r->n_ans] = *a;
	if (a->has_mac && !s->has_mac) {
		memcpy(s->mac, a->mac, 6);
		s->has_mac = true;
	}
	s->roles |= a->has_addr ? PROBE_ROLE_DHCP : PROBE_ROLE_PROXY;
	s->kinds |= 1u << a->kind;
	if (probe_boot_name(a)[0]) {
		s->boot_kinds |= 1u << a->kind;
		if (a->has_addr)
			s->roles |= PROBE_ROLE_BOOT;
	}
	return (int)r->n_ans++;
}

bool probe_wants_binl(const struct probe_answer *a, uint16_t *item_type)
{
	/* EDK2 (x64, AAVMF) and PXE 2.1 BIOS ROMs go to udp/4011 after a
	 * proxy offer with no option 43 (BINL) or with a boot menu. */
	bool fw = a->kind == PROBE_BIOS || a->kind == PROBE_EFI64 || a->kind == PROBE_ARM64;
	*item_type = 0;
	if (!fw || a->v6 || a->binl || a->has_addr || a->type != DHCP4_OFFER)
		return false;
	if (a->has_43 && !(a->menu && !a->disc_skip))
		return false;
	*item_type = a->menu ? a->menu_item : 0;
	return true;
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* The binl ACK from the server that sent proxy offer a, or -1. */
static int binl_ack_of(const struct probe_report *r, const struct probe_answer *a)
{
	for (size_t i = 0; i < r->n_ans; i++) {
		const struct probe_answer *b = &r->ans[i];
		if (b->binl && b->kind == a->kind && !memcmp(b->src, a->src, 4))
			return (int)i;
		/* the 4011 server may answer from another address: siaddr/54 */
		if (b->binl && b->kind == a->kind &&
		    (!memcmp(b->src, a->siaddr, 4) || !memcmp(b->src, a->server_id, 4)))
			return (int)i;
	}
	return -1;
}

/* A DHCP server's own boot file for kind k: its answer's index, or -1. */
static int dhcp_file_of(const struct probe_report *r, enum probe_kind k)
{
	for (size_t i = 0; i < r->n_ans; i++) {
		const struct probe_answer *a = &r->ans[i];
		if (!a->v6 && a->kind == k && a->has_addr && probe_boot_name(a)[0])
			return (int)i;
	}
	return -1;
}

/* Which answer kind k's firmware boots from: a DHCP server's own file
 * first for firmware that prefers it (iPXE), else the first proxy offer it
 * accepts that leads to a file (directly or through its udp/4011 answer),
 * else a DHCP server's own boot file. */
static int choose_boot(struct probe_report *r, enum probe_kind k)
{
	const struct probe_kind_info *ki = probe_kind_info(k);
	struct probe_kind_result *kr = &r->kind[k];
	uint16_t item;
	if (ki->dhcp_file_wins && dhcp_file_of(r, k) >= 0)
		return dhcp_file_of(r, k);
	for (size_t i = 0; ki->proxy_ok && i < r->n_ans; i++) {
		const struct probe_answer *a = &r->ans[i];
		if (a->v6 || a->kind != k || a->has_addr || a->binl)
			continue;
		if (probe_wants_binl(a, &item)) {
			int b = binl_ack_of(r, a);
			kr->binl_needed = true;
			kr->binl_sent = r->binl_sent[k];
			kr->binl_answered |= b >= 0;
			if (b >= 0 && probe_boot_name(&r->ans[b])[0])
				return b;
			continue;
		}
		if (probe_boot_name(a)[0])
			return (int)i;
	}
	return dhcp_file_of(r, k);
}

void probe_addr_str(bool v6, const uint8_t *a, char *buf, size_t cap)
{
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
}

/* The fetch target of answer a into f: 0, or -EINVAL (cannot be fetched). */
static int target_of(const struct probe_answer *a, struct probe_fetch *f)
{
	const char *name = probe_boot_name(a), *path;
	uint8_t ip[4];
	memset(f, 0, sizeof *f);
	f->size = -1;
	if (probe_parse_target(name, &f->http, f->host, sizeof f->host, &f->port, &path)) {
		snprintf(f->path, sizeof f->path, "%s", name);
		return -EINVAL;
	}
	snprintf(f->path, sizeof f->path, "%s", path);
	if (f->host[0]) {
		f->v6 = strchr(f->host, ':') != NULL;
		return 0;
	}
	/* a bare path: TFTP from next-server, else 66, 54, the sender */
	if (memcmp(a->siaddr, "\0\0\0\0", 4))
		memcpy(ip, a->siaddr, 4);
	else if (a->o66[0] && inet_pton(AF_INET, a->o66, ip) == 1)
		;
	else if (a->has_server_id)
		memcpy(ip, a->server_id, 4);
	else
		memcpy(ip, a->src, 4);
	probe_addr_str(false, ip, f->host, sizeof f->host);
	return 0;
}

static int fetch_add(struct probe_report *r, const struct probe_answer *a)
{
	struct probe_fetch f;
	int bad = target_of(a, &f);
	for (size_t i = 0; i < r->n_fetch; i++) {
		struct probe_fetch *g = &r->fetch[i];
		if (g->http == f.http && g->port == f.port && !strcmp(g->host, f.host) &&
		    !strcmp(g->path, f.path)) {
			g->kinds |= 1u << a->kind;
			return (int)i;
		}
	}
	if (r->n_fetch == PROBE_MAX_FETCH)
		return -1;
	f.kinds = 1u << a->kind;
	if (bad)
		f.result = PROBE_FETCH_BAD_TARGET;
	else if (!f.v6 && !r->has_ip)
		f.result = PROBE_FETCH_NO_ADDR;
	r->fetch[r->n_fetch] = f;
	return (int)r->n_fetch++;
}

void probe_report_plan(struct probe_report *r)
{
	for (int k = 0; k < PROBE_NKINDS; k++) {
		if (!(r->asked & (1u << k)))
			continue;
		int b = choose_boot(r, (enum probe_kind)k);
		r->kind[k].boot = b;
		if (b >= 0)
			r->kind[k].fetch = fetch_add(r, &r->ans[b]);
	}
	/* every other boot file offered to an asked kind, for the table */
	for (size_t i = 0; i < r->n_ans; i++)
		if ((r->asked & (1u << r->ans[i].kind)) && probe_boot_name(&r->ans[i])[0])
			fetch_add(r, &r->ans[i]);
}

static bool kind_has(const struct probe_report *r, enum probe_kind k,
		     bool (*pred)(const struct probe_answer *))
{
	for (size_t i = 0; i < r->n_ans; i++)
		if (!r->ans[i].v6 && r->ans[i].kind == k && pred(&r->ans[i]))
			return true;
	return false;
}

static bool any_answer(const struct probe_answer *a)
{
	(void)a;
	return true;
}
static bool gives_address(const struct probe_answer *a)
{
	return a->has_addr;
}
static bool proxy_boot(const struct probe_answer *a)
{
	return !a->has_addr && probe_boot_name(a)[0];
}
static bool non_url_boot(const struct probe_answer *a)
{
	return probe_boot_name(a)[0] && !is_url(probe_boot_name(a));
}

static enum probe_why kind_verdict(const struct probe_report *r, enum probe_kind k)
{
	const struct probe_kind_result *kr = &r->kind[k];
	const struct probe_answer *a = kr->boot >= 0 ? &r->ans[kr->boot] : NULL;
	if (!kind_has(r, k, any_answer))
		return PROBE_WHY_NO_ANSWER;
	if (!kind_has(r, k, gives_address))
		return PROBE_WHY_NO_ADDRESS;
	if (!a) {
		if (kr->binl_needed && !kr->binl_answered)
			return PROBE_WHY_BINL;
		if (k == PROBE_UBOOT && kind_has(r, k, proxy_boot))
			return PROBE_WHY_UBOOT;
		return k == PROBE_EFI_HTTP && kind_has(r, k, non_url_boot) ? PROBE_WHY_NO_URL
									   : PROBE_WHY_NO_BOOT;
	}
	if (k == PROBE_RPI && !a->has_addr && !a->rpi_menu)
		return PROBE_WHY_RPI_MENU;
	if (k == PROBE_EFI_HTTP && !is_url(probe_boot_name(a)))
		return PROBE_WHY_NO_URL;
	if (kr->fetch < 0)
		return PROBE_WHY_UNCHECKED;
	switch (r->fetch[kr->fetch].result) {
	case PROBE_FETCH_OK:
		return PROBE_WHY_NONE;
	case PROBE_FETCH_PENDING:
	case PROBE_FETCH_NO_ADDR:
		return PROBE_WHY_UNCHECKED;
	default:
		return PROBE_WHY_FETCH;
	}
}

bool probe_report_finish(struct probe_report *r)
{
	bool all = true;
	for (int k = 0; k < PROBE_NKINDS; k++) {
		if (!(r->asked & (1u << k)))
			continue;
		r->kind[k].why = kind_verdict(r, (enum probe_kind)k);
		r->kind[k].boots = r->kind[k].why == PROBE_WHY_NONE;
		all &= r->kind[k].boots;
	}
	return all;
}

const char *probe_role_name(unsigned roles)
{
	if ((roles & PROBE_ROLE_DHCP) && (roles & (PROBE_ROLE_PROXY | PROBE_ROLE_BOOT)))
		return "both";
	if (roles & PROBE_ROLE_DHCP)
		return "DHCP server";
	return roles & PROBE_ROLE_PROXY ? "proxy" : "?";
}

const char *probe_fetch_result_name(enum probe_fetch_result f)
{
	static const char *const names[] = {"not tried", "ok",	    "not found",  "error",
					    "no answer", "refused", "no address", "bad target"};
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "?";
}

const char *probe_why_text(enum probe_why w)
{
	static const char *const t[] = {
	    [PROBE_WHY_NONE] = "boots",
	    [PROBE_WHY_NO_ANSWER] = "no answer from any server",
	    [PROBE_WHY_NO_ADDRESS] = "no DHCP server offers an address",
	    [PROBE_WHY_NO_BOOT] = "an address but no boot file",
	    [PROBE_WHY_BINL] = "its udp/4011 request got no answer",
	    [PROBE_WHY_UBOOT] = "only proxy offers, which U-Boot ignores",
	    [PROBE_WHY_RPI_MENU] = "offer lacks the \"Raspberry Pi Boot\" menu",
	    [PROBE_WHY_NO_URL] = "no http:// URL offered",
	    [PROBE_WHY_FETCH] = "its boot file cannot be fetched",
	    [PROBE_WHY_UNCHECKED] = "boot file not checked (no IPv4 address here)",
	};
	return (unsigned)w < sizeof t / sizeof t[0] ? t[w] : "?";
}

void probe_kinds_str(unsigned mask, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = 0;
	for (int k = 0; k < PROBE_NKINDS; k++)
		if (mask & (1u << k)) {
			int n = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "",
					 probe_kind_info((enum probe_kind)k)->name);
			if (n < 0 || (size_t)n >= cap - o)
				return;
			o += (size_t)n;
		}
}
