/* probe_explain: the rules that put a probe report into words, as a table.
 * A new explanation is one function and one row. */
#include "netboot/probe_explain.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "netboot/dhcp4_wire.h"

struct emit {
	struct probe_finding *out;
	size_t cap, n;
};

__attribute__((format(printf, 5, 6))) static void
say(struct emit *e, const char *rule, enum probe_severity sev, unsigned kinds, const char *fmt, ...)
{
	if (e->n < e->cap) {
		struct probe_finding *f = &e->out[e->n];
		va_list ap;
		f->rule = rule;
		f->sev = sev;
		f->kinds = kinds;
		va_start(ap, fmt);
		vsnprintf(f->text, sizeof f->text, fmt, ap);
		va_end(ap);
	}
	e->n++;
}

/* Untrusted text from a packet, printable. */
static const char *clean(char *buf, size_t cap, const char *s)
{
	return log_sanitize(buf, cap, s, strlen(s));
}

static const char *addr4(const uint8_t *a, char *buf, size_t cap)
{
	probe_addr_str(false, a, buf, cap);
	return buf;
}

/* The IPv4 servers with any of the roles, as "a, b" (count in *n). */
static void servers_with(const struct probe_report *r, unsigned roles, char *buf, size_t cap,
			 size_t *n)
{
	size_t o = 0;
	*n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < r->n_srv; i++) {
		char a[48];
		if (r->srv[i].v6 || !(r->srv[i].roles & roles))
			continue;
		probe_addr_str(false, r->srv[i].addr, a, sizeof a);
		int k = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", a);
		if (k > 0 && (size_t)k < cap - o)
			o += (size_t)k;
		(*n)++;
	}
}

static unsigned kinds_why(const struct probe_report *r, enum probe_why w)
{
	unsigned m = 0;
	for (int k = 0; k < PROBE_NKINDS; k++)
		if ((r->asked & (1u << k)) && r->kind[k].why == w)
			m |= 1u << k;
	return m;
}

static void rule_no_server(const struct probe_report *r, struct emit *e)
{
	char s[256];
	size_t n;
	servers_with(r, ~0u, s, sizeof s, &n);
	if (!n)
		say(e, "no-dhcp-server", PROBE_SEV_ERROR, r->asked,
		    "No DHCP server answered on %s within %u.%u s: nothing on this LAN hands out "
		    "addresses or boot offers. Check the link, or start the LAN's DHCP server (a "
		    "router, dnsmasq); a slow one may need a longer --timeout.",
		    r->ifname, r->window_ms / 1000, r->window_ms % 1000 / 100);
}

static void rule_only_proxies(const struct probe_report *r, struct emit *e)
{
	char s[256], d[256];
	size_t n, nd;
	servers_with(r, ~0u, s, sizeof s, &n);
	servers_with(r, PROBE_ROLE_DHCP, d, sizeof d, &nd);
	if (n && !nd)
		say(e, "no-address", PROBE_SEV_ERROR, r->asked,
		    "Only proxies answered (%s) within %u.%u s: no DHCP server offers an address, "
		    "and a netboot client takes a proxy's offer only once the LAN's DHCP server "
		    "gave it one.",
		    s, r->window_ms / 1000, r->window_ms % 1000 / 100);
}

static unsigned proxies_of(const struct probe_report *r, enum probe_kind k);
static const char *proxy_list(const struct probe_report *r, enum probe_kind k, char *buf,
			      size_t cap);

static void rule_no_boot(const struct probe_report *r, struct emit *e)
{
	char k[128], d[256], p[128];
	size_t nd;
	unsigned m = kinds_why(r, PROBE_WHY_NO_BOOT), bare = 0;
	for (int i = 0; i < PROBE_NKINDS; i++) {
		if (!(m & (1u << i)))
			continue;
		if (!proxies_of(r, (enum probe_kind)i)) {
			bare |= 1u << i;
			continue;
		}
		/* a proxy answered, but with a menu or "local boot" and no file */
		probe_kinds_str(1u << i, k, sizeof k);
		say(e, "no-boot-offer", PROBE_SEV_ERROR, 1u << i,
		    "The proxy %s answered %s without a boot file (a menu, or local boot): give it "
		    "a file for this client kind.",
		    proxy_list(r, (enum probe_kind)i, p, sizeof p), k);
	}
	if (!bare)
		return;
	probe_kinds_str(bare, k, sizeof k);
	servers_with(r, PROBE_ROLE_DHCP, d, sizeof d, &nd);
	say(e, "no-boot-offer", PROBE_SEV_ERROR, bare,
	    "No server offers a boot file to %s: the DHCP server (%s) gives an address only. Start "
	    "'lifeboat serve' on this LAN, or set next-server and filename on the DHCP server.",
	    k, d);
}

/* The distinct proxy servers (indices into srv[]) offering a boot to k. */
static unsigned proxies_of(const struct probe_report *r, enum probe_kind k)
{
	unsigned m = 0;
	for (size_t i = 0; i < r->n_ans; i++) {
		const struct probe_answer *a = &r->ans[i];
		if (a->v6 || a->kind != k || a->has_addr || a->binl || a->type != DHCP4_OFFER)
			continue;
		for (size_t s = 0; s < r->n_srv; s++)
			if (!r->srv[s].v6 && !memcmp(r->srv[s].addr, a->src, 4))
				m |= 1u << s;
	}
	return m;
}

/* The boot name server s offered kind k (in its offer or its udp/4011
 * answer), "" when none. */
static const char *offered_by(const struct probe_report *r, size_t s, enum probe_kind k)
{
	for (size_t i = 0; i < r->n_ans; i++)
		if (!r->ans[i].v6 && r->ans[i].kind == k && probe_boot_name(&r->ans[i])[0] &&
		    !memcmp(r->ans[i].src, r->srv[s].addr, 4))
			return probe_boot_name(&r->ans[i]);
	return "";
}

/* Whether every server in mask offered kinds a and b the same file. */
static bool same_offers(const struct probe_report *r, unsigned mask, enum probe_kind a,
			enum probe_kind b)
{
	for (size_t s = 0; s < r->n_srv; s++)
		if ((mask & (1u << s)) && strcmp(offered_by(r, s, a), offered_by(r, s, b)))
			return false;
	return true;
}

static void rule_two_proxies(const struct probe_report *r, struct emit *e)
{
	unsigned done = 0;
	for (int k = 0; k < PROBE_NKINDS; k++) {
		unsigned m = proxies_of(r, (enum probe_kind)k), kinds = 0;
		char list[300], ks[128];
		size_t o = 0;
		if (!(r->asked & (1u << k)) || (done & (1u << k)) || __builtin_popcount(m) < 2)
			continue;
		for (int j = k; j < PROBE_NKINDS; j++)
			if ((r->asked & (1u << j)) && proxies_of(r, (enum probe_kind)j) == m &&
			    same_offers(r, m, (enum probe_kind)k, (enum probe_kind)j))
				kinds |= 1u << j;
		done |= kinds;
		list[0] = 0;
		for (size_t s = 0; s < r->n_srv; s++) {
			char a[48], f[80];
			if (!(m & (1u << s)))
				continue;
			int n =
			    snprintf(list + o, sizeof list - o, "%s%s (%s)", o ? " and " : "",
				     addr4(r->srv[s].addr, a, sizeof a),
				     offered_by(r, s, (enum probe_kind)k)[0]
					 ? clean(f, sizeof f, offered_by(r, s, (enum probe_kind)k))
					 : "no file");
			if (n > 0 && (size_t)n < sizeof list - o)
				o += (size_t)n;
		}
		probe_kinds_str(kinds, ks, sizeof ks);
		say(e, "two-proxies", PROBE_SEV_WARN, kinds,
		    "%d proxies answer %s: %s. A client takes whichever offer it sees first, so "
		    "what boots can change from one boot to the next; stop one of them.",
		    __builtin_popcount(m), ks, list);
	}
}

/* The router names a file beside a proxy's offer for the kinds in
 * proxied: who wins depends on the firmware (doc/coexist.md). */
static void say_router_vs_proxy(struct emit *e, unsigned proxied, const char *ip, const char *ns,
				const char *f)
{
	unsigned won = 0;
	char ks[128];
	for (int k = 0; k < PROBE_NKINDS; k++)
		if ((proxied & (1u << k)) && probe_kind_info((enum probe_kind)k)->proxy_file_wins)
			won |= 1u << k;
	if (proxied & ~won) {
		probe_kinds_str(proxied & ~won, ks, sizeof ks);
		say(e, "router-sets-boot", PROBE_SEV_WARN, proxied & ~won,
		    "The DHCP server %s sets next-server (%s) and file (%s) itself for %s beside a "
		    "proxy: iPXE (the ROM of QEMU and most VMs) boots the DHCP server's file, so "
		    "the "
		    "proxy cannot win there (PXE 2.1 BIOS ROMs take the proxy's). Remove "
		    "next-server/filename from the router, or send them to non-PXE clients only.",
		    ip, ns, f, ks);
	}
	if (won) {
		probe_kinds_str(won, ks, sizeof ks);
		say(e, "proxy-beats-router", PROBE_SEV_INFO, won,
		    "%s: EDK2 prefers the proxy's boot offer to the file the DHCP server %s names "
		    "(%s): the proxy's file boots. If that file is iPXE (lifeboat's kernel mode), "
		    "iPXE's own DHCP then takes the router's file.",
		    ks, ip, f);
	}
}

static void rule_router_boot(const struct probe_report *r, struct emit *e)
{
	for (size_t i = 0; i < r->n_ans; i++) {
		const struct probe_answer *a = &r->ans[i];
		char ip[48], ns[48], f[160], ks[128];
		unsigned kinds = 0, proxied = 0;
		bool first = true;
		if (a->v6 || !a->has_addr || !probe_boot_name(a)[0])
			continue;
		for (size_t j = 0; j < i; j++) /* one sentence per server */
			if (!r->ans[j].v6 && r->ans[j].has_addr && probe_boot_name(&r->ans[j])[0] &&
			    !memcmp(r->ans[j].src, a->src, 4))
				first = false;
		if (!first)
			continue;
		for (size_t j = i; j < r->n_ans; j++)
			if (!r->ans[j].v6 && r->ans[j].has_addr && probe_boot_name(&r->ans[j])[0] &&
			    !memcmp(r->ans[j].src, a->src, 4)) {
				kinds |= 1u << r->ans[j].kind;
				if (proxies_of(r, r->ans[j].kind))
					proxied |= 1u << r->ans[j].kind;
			}
		kinds &= r->asked;
		if (!kinds)
			continue;
		addr4(a->src, ip, sizeof ip);
		addr4(a->siaddr, ns, sizeof ns);
		clean(f, sizeof f, probe_boot_name(a));
		if (!proxied) {
			probe_kinds_str(kinds, ks, sizeof ks);
			say(e, "router-sets-boot", PROBE_SEV_INFO, kinds,
			    "The DHCP server %s offers the boot itself to %s: next-server %s, file "
			    "%s.",
			    ip, ks, ns, f);
			continue;
		}
		say_router_vs_proxy(e, proxied, ip, ns, f);
	}
}

static void rule_binl(const struct probe_report *r, struct emit *e)
{
	unsigned silent = 0, unsent = 0;
	char ks[128];
	for (int k = 0; k < PROBE_NKINDS; k++) {
		const struct probe_kind_result *kr = &r->kind[k];
		if (!(r->asked & (1u << k)) || !kr->binl_needed || kr->binl_answered)
			continue;
		if (kr->binl_sent)
			silent |= 1u << k;
		else
			unsent |= 1u << k;
	}
	if (silent) {
		probe_kinds_str(silent, ks, sizeof ks);
		say(e, "binl-silent", PROBE_SEV_ERROR, silent,
		    "The proxy's offer to %s asks the client to come to udp/4011 (a BINL offer or "
		    "a "
		    "boot menu), and nothing answered there: EDK2 and PXE ROMs then give up. Is "
		    "udp/4011 blocked by a firewall, or does the proxy not listen on it?",
		    ks);
	}
	if (unsent) {
		probe_kinds_str(unsent, ks, sizeof ks);
		say(e, "binl-unchecked", PROBE_SEV_WARN, unsent,
		    "The offer to %s needs a udp/4011 request, not sent: %s has no IPv4 address.",
		    ks, r->ifname);
	}
}

static void say_fetch(struct emit *e, const struct probe_report *r, const struct probe_fetch *f)
{
	char p[200], ks[128], m[100];
	const char *proto = f->http ? "HTTP" : "TFTP";
	clean(p, sizeof p, f->path);
	probe_kinds_str(f->kinds & r->asked, ks, sizeof ks);
	switch (f->result) {
	case PROBE_FETCH_NOT_FOUND:
		say(e, "file-missing", PROBE_SEV_ERROR, f->kinds,
		    "%s is offered to %s but does not exist on %s (%s %s %d).", p, ks, f->host,
		    proto, f->http ? "status" : "error", f->code);
		break;
	case PROBE_FETCH_SILENT:
		say(e, f->http ? "http-silent" : "tftp-blocked", PROBE_SEV_ERROR, f->kinds,
		    "%s to %s port %u got no answer for %s (offered to %s): a firewall drops it, "
		    "or "
		    "no %s server runs there.",
		    proto, f->host, f->port, p, ks, proto);
		break;
	case PROBE_FETCH_REFUSED:
		say(e, f->http ? "http-refused" : "tftp-blocked", PROBE_SEV_ERROR, f->kinds,
		    "%s to %s port %u was refused for %s (offered to %s): nothing listens there, "
		    "or "
		    "a firewall rejects it.",
		    proto, f->host, f->port, p, ks);
		break;
	case PROBE_FETCH_ERROR:
		say(e, "fetch-error", PROBE_SEV_ERROR, f->kinds,
		    "%s on %s refused %s (offered to %s): %s %d %s.", proto, f->host, p, ks,
		    f->http ? "status" : "error", f->code, clean(m, sizeof m, f->msg));
		break;
	case PROBE_FETCH_BAD_TARGET:
		say(e, "bad-target", PROBE_SEV_ERROR, f->kinds,
		    "%s (offered to %s) names a host or scheme the firmware cannot use without "
		    "DNS; "
		    "offer an IP literal URL or a TFTP path.",
		    p, ks);
		break;
	default:
		break;
	}
}

static void rule_fetch(const struct probe_report *r, struct emit *e)
{
	bool no_addr = false;
	for (size_t i = 0; i < r->n_fetch; i++) {
		no_addr |= r->fetch[i].result == PROBE_FETCH_NO_ADDR;
		say_fetch(e, r, &r->fetch[i]);
	}
	if (no_addr)
		say(e, "files-unchecked", PROBE_SEV_WARN, r->asked,
		    "%s has no IPv4 address, so the boot files were not fetched; give it a static "
		    "one (ip addr add) to check them.",
		    r->ifname);
}

static const char *proxy_list(const struct probe_report *r, enum probe_kind k, char *buf,
			      size_t cap)
{
	unsigned m = proxies_of(r, k);
	size_t o = 0;
	buf[0] = 0;
	for (size_t s = 0; s < r->n_srv; s++)
		if (m & (1u << s)) {
			char a[48];
			int n = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "",
					 addr4(r->srv[s].addr, a, sizeof a));
			if (n > 0 && (size_t)n < cap - o)
				o += (size_t)n;
		}
	return buf;
}

static void rule_firmware(const struct probe_report *r, struct emit *e)
{
	char p[128];
	if (kinds_why(r, PROBE_WHY_UBOOT))
		say(e, "uboot-proxy", PROBE_SEV_ERROR, 1u << PROBE_UBOOT,
		    "U-Boot got boot offers only from proxies (%s): stock U-Boot drops offers "
		    "without "
		    "an address (yiaddr 0). Set serverip on the board, or have the DHCP server "
		    "send "
		    "next-server/filename for arch 22.",
		    proxy_list(r, PROBE_UBOOT, p, sizeof p));
	if (kinds_why(r, PROBE_WHY_RPI_MENU))
		say(e, "rpi-menu", PROBE_SEV_ERROR, 1u << PROBE_RPI,
		    "The offer to the Raspberry Pi from %s lacks option 43 with the \"Raspberry Pi "
		    "Boot\" menu: the Pi's boot ROM ignores it.",
		    proxy_list(r, PROBE_RPI, p, sizeof p));
	if (kinds_why(r, PROBE_WHY_NO_URL))
		say(e, "http-no-url", PROBE_SEV_ERROR, 1u << PROBE_EFI_HTTP,
		    "UEFI HTTP boot needs an http:// URL with vendor class HTTPClient in the "
		    "offer; "
		    "none was offered.");
}

static void rule_v6(const struct probe_report *r, struct emit *e)
{
	size_t n = 0, urls = 0;
	if (!r->v6)
		return;
	for (size_t i = 0; i < r->n_ans; i++)
		if (r->ans[i].v6) {
			n++;
			urls += r->ans[i].url[0] != 0;
		}
	if (!n)
		say(e, "no-dhcp6", PROBE_SEV_WARN, r->asked,
		    "No DHCPv6 server answered the Solicits on %s: IPv6 netboot clients (UEFI "
		    "PXEv6, "
		    "HTTPv6) get nothing here.",
		    r->ifname);
	else if (!urls)
		say(e, "no-dhcp6-boot", PROBE_SEV_WARN, r->asked,
		    "DHCPv6 servers answered on %s but none offers a boot-file-url (option 59).",
		    r->ifname);
}

static void rule_dropped(const struct probe_report *r, struct emit *e)
{
	if (r->dropped)
		say(e, "malformed", PROBE_SEV_WARN, 0,
		    "%zu answers were malformed or did not fit the table and were left out.",
		    r->dropped);
}

/* The rules, in the order their sentences are printed: the LAN as a whole
 * first, then offers, then files, then firmware quirks. */
static void (*const rules[])(const struct probe_report *, struct emit *) = {
    rule_no_server, rule_only_proxies, rule_no_boot,  rule_two_proxies, rule_router_boot,
    rule_binl,	    rule_fetch,	       rule_firmware, rule_v6,		rule_dropped,
};

size_t probe_explain(const struct probe_report *r, struct probe_finding *out, size_t cap)
{
	struct emit e = {out, cap, 0};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		rules[i](r, &e);
	return e.n;
}

const char *probe_severity_name(enum probe_severity s)
{
	return s == PROBE_SEV_ERROR ? "error" : s == PROBE_SEV_WARN ? "warning" : "info";
}
