/* DHCPv6 wire format, netboot classification, proxy and stateful answers. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/dhcp6_server.h"
#include "netboot/dhcp6_wire.h"
#include "netboot/serve.h"
#include "testutil.h"

/* The shape of EDK2's PXEv6 Solicit (PxeBcBuildDhcp6Options plus what its
 * Dhcp6 driver adds): client id DUID-UUID, IA_NA, elapsed time, ORO
 * (59, 60), NII 62, arch 61 = 7, vendor class 343 "PXEClient:Arch:...". */
#define EDK2_VCLASS "PXEClient:Arch:00007:UNDI:003016"
static const uint8_t edk2_solicit[] = {1, 0x12, 0x34, 0x56,
				       /* client id: DUID-UUID (type 4) + 16 bytes */
				       0, 1, 0, 18, 0, 4, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
				       /* IA_NA iaid 0x01020304, T1 0, T2 0 */
				       0, 3, 0, 12, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
				       /* elapsed */
				       0, 8, 0, 2, 0, 0,
				       /* ORO 59 60 */
				       0, 6, 0, 4, 0, 59, 0, 60,
				       /* NII */
				       0, 62, 0, 3, 1, 3, 0x10,
				       /* arch 7 */
				       0, 61, 0, 2, 0, 7,
				       /* vendor class 343, one item of 32 bytes */
				       0, 16, 0, 38, 0, 0, 1, 0x57, 0, 32, 'P', 'X', 'E', 'C', 'l',
				       'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h', ':', '0', '0',
				       '0', '0', '7', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '3',
				       '0', '1', '6'};

static const uint8_t server_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t server_duid[10] = {0, 3, 0, 1, 0x02, 0, 0, 0, 0, 0x02};

static void test_parse_edk2_solicit(void **state)
{
	(void)state;
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(edk2_solicit, sizeof edk2_solicit, &m), 0);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	assert_int_equal(m.xid, 0x123456);
	assert_true(m.clientid.present);
	assert_int_equal(m.clientid.len, 18);
	assert_true(m.has_ia_na);
	assert_int_equal(m.iaid, 0x01020304);
	assert_false(m.has_iaaddr);
	assert_true(dhcp6_oro_has(&m, 59));
	assert_true(dhcp6_oro_has(&m, 60));
	assert_false(dhcp6_oro_has(&m, 23));
	assert_true(m.has_nii);
	assert_int_equal(m.n_arch, 1);
	assert_int_equal(m.arch[0], 7);
	assert_true(m.has_vendor_class);
	assert_int_equal(m.enterprise, 343);
	assert_int_equal(m.vclass.len, 32);
	assert_memory_equal(m.vclass.p, EDK2_VCLASS, 32);
	assert_true(m.has_elapsed);
	uint8_t mac[6];
	assert_int_equal(dhcp6_duid_mac(m.clientid.p, m.clientid.len, mac), -ENOENT);
}

/* Each vector must be refused with -EBADMSG, never crash. */
static void test_parse_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		uint8_t b[48];
		size_t n;
	} v[] = {
	    {"empty", {0}, 0},
	    {"short header", {1, 2, 3}, 3},
	    {"option header cut", {1, 0, 0, 1, 0, 1, 0}, 7},
	    {"option runs past end", {1, 0, 0, 1, 0, 1, 0, 10, 0, 3, 0}, 11},
	    {"client id of 1 byte", {1, 0, 0, 1, 0, 1, 0, 1, 7}, 9},
	    {"IA_NA shorter than 12", {1, 0, 0, 1, 0, 3, 0, 8, 1, 2, 3, 4, 0, 0, 0, 0}, 16},
	    {"IAADDR cut inside IA_NA",
	     {1, 0, 0, 1, 0, 3, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4},
	     28},
	    {"IA_NA sub-option past its end",
	     {1, 0, 0, 1, 0, 3, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 24},
	     24},
	    {"odd ORO", {1, 0, 0, 1, 0, 6, 0, 3, 0, 59, 0}, 11},
	    {"elapsed of 3", {1, 0, 0, 1, 0, 8, 0, 3, 0, 0, 0}, 11},
	    {"rapid commit with data", {1, 0, 0, 1, 0, 14, 0, 1, 0}, 9},
	    {"vendor class without enterprise", {1, 0, 0, 1, 0, 16, 0, 2, 0, 0}, 10},
	    {"vendor class item overrun",
	     {1, 0, 0, 1, 0, 16, 0, 8, 0, 0, 1, 0x57, 0, 9, 'P', 'X'},
	     16},
	    {"user class item overrun", {1, 0, 0, 1, 0, 15, 0, 4, 0, 5, 'i', 'P'}, 12},
	    {"user class empty", {1, 0, 0, 1, 0, 15, 0, 0}, 8},
	    {"arch empty", {1, 0, 0, 1, 0, 61, 0, 0}, 8},
	    {"arch odd", {1, 0, 0, 1, 0, 61, 0, 3, 0, 7, 0}, 11},
	    {"NII of 2", {1, 0, 0, 1, 0, 62, 0, 2, 1, 3}, 10},
	    {"status without code", {1, 0, 0, 1, 0, 13, 0, 1, 0}, 9},
	    {"empty boot URL", {7, 0, 0, 1, 0, 59, 0, 0}, 8},
	    {"relay header cut", {12, 0, 0xfe, 0x80}, 4},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct dhcp6_msg m;
		if (dhcp6_parse(v[i].b, v[i].n, &m) != -EBADMSG)
			fail_msg("vector '%s' was not refused", v[i].what);
	}
	/* a client id longer than a DUID may be */
	uint8_t big[4 + 4 + 131] = {1, 0, 0, 1, 0, 1, 0, 131};
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(big, sizeof big, &m), -EBADMSG);
	/* unknown options are skipped, not refused */
	uint8_t unk[] = {1, 0, 0, 1, 0x12, 0x34, 0, 2, 9, 9};
	assert_int_equal(dhcp6_parse(unk, sizeof unk, &m), 0);
}

static void test_build_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[512], addr[16];
	struct wbuf w;
	struct dhcp6_msg m;
	inet_pton(AF_INET6, "2001:db8::1234", addr);
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(dhcp6_put_header(&w, DHCP6_REPLY, 0xabcdef), 0);
	assert_int_equal(dhcp6_put_opt(&w, DHCP6_OPT_SERVERID, server_duid, 10), 0);
	assert_int_equal(dhcp6_put_ia_na(&w, 7, 900, 1440, addr, 1800, 3600, 0, NULL), 0);
	assert_int_equal(dhcp6_put_vendor_class(&w, 343, "PXEClient"), 0);
	const char *params[] = {"a", "bc"};
	assert_int_equal(dhcp6_put_bootfile_params(&w, params, 2), 0);
	assert_int_equal(dhcp6_put_opt(&w, DHCP6_OPT_BOOTFILE_URL, "tftp://[2001:db8::2]/x", 22),
			 0);
	assert_int_equal(dhcp6_put_status(&w, DHCP6_ST_SUCCESS, "ok"), 0);
	assert_int_equal(dhcp6_parse(buf, w.len, &m), 0);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_int_equal(m.xid, 0xabcdef);
	assert_int_equal(m.serverid.len, 10);
	assert_true(m.has_ia_na && m.has_iaaddr);
	assert_int_equal(m.iaid, 7);
	assert_int_equal(m.t1, 900);
	assert_int_equal(m.ia_valid, 3600);
	assert_memory_equal(m.ia_addr, addr, 16);
	assert_int_equal(m.enterprise, 343);
	assert_int_equal(m.bootfile_url.len, 22);
	assert_true(m.has_status);
	/* IA_NA carrying only a status */
	wbuf_init(&w, buf, sizeof buf);
	dhcp6_put_header(&w, DHCP6_ADVERTISE, 1);
	assert_int_equal(dhcp6_put_ia_na(&w, 1, 0, 0, NULL, 0, 0, DHCP6_ST_NO_ADDRS_AVAIL, "none"),
			 0);
	assert_int_equal(dhcp6_parse(buf, w.len, &m), 0);
	assert_true(m.has_ia_na);
	assert_false(m.has_iaaddr);
	/* builders refuse to overflow */
	wbuf_init(&w, buf, 12);
	assert_int_equal(dhcp6_put_header(&w, 1, 1), 0);
	assert_int_equal(dhcp6_put_vendor_class(&w, 343, "PXEClient"), -ENOBUFS);
	assert_true(w.err);
	wbuf_init(&w, buf, 20);
	assert_int_not_equal(dhcp6_put_ia_na(&w, 1, 0, 0, addr, 0, 0, 0, NULL), 0);
}

static void test_duid_mac(void **state)
{
	(void)state;
	uint8_t mac[6];
	const uint8_t ll[] = {0, 3, 0, 1, 0x52, 0x54, 0, 1, 2, 3};
	const uint8_t llt[] = {0, 1, 0, 1, 9, 9, 9, 9, 0x52, 0x54, 0, 1, 2, 4};
	const uint8_t ll_ib[] = {0, 3, 0, 32, 0x52, 0x54, 0, 1, 2, 3};
	assert_int_equal(dhcp6_duid_mac(ll, sizeof ll, mac), 0);
	assert_int_equal(mac[5], 3);
	assert_int_equal(dhcp6_duid_mac(llt, sizeof llt, mac), 0);
	assert_int_equal(mac[5], 4);
	assert_int_equal(dhcp6_duid_mac(ll_ib, sizeof ll_ib, mac), -ENOENT);
	assert_int_equal(dhcp6_duid_mac(ll, 9, mac), -ENOENT);
	assert_int_equal(dhcp6_duid_mac(ll, 2, mac), -ENOENT);
}

static void test_range_parse(void **state)
{
	(void)state;
	struct dhcp6_range r;
	const char *why;
	assert_int_equal(dhcp6_range_parse("2001:db8::1000,2001:db8::1fff", &r, &why), 0);
	assert_true(r.set);
	assert_int_equal(dhcp6_range_parse("2001:db8::1000", &r, &why), -EINVAL);
	assert_int_equal(dhcp6_range_parse("2001:db8::1fff,2001:db8::1000", &r, &why), -EINVAL);
	assert_int_equal(dhcp6_range_parse("2001:db8::1,2001:db8:0:1::1", &r, &why), -EINVAL);
	assert_int_equal(dhcp6_range_parse("192.0.2.1,192.0.2.9", &r, &why), -EINVAL);
	assert_int_equal(dhcp6_range_parse("fe80::1,fe80::9", &r, &why), -EINVAL);
	assert_int_equal(dhcp6_range_parse("ff02::1,ff02::9", &r, &why), -EINVAL);
	assert_int_equal(dhcp6_range_parse(",", &r, &why), -EINVAL);
	assert_false(r.set);
}

/* ---- answers ---- */

struct fixture {
	struct bootplan plan;
	struct iface ifc;
	struct dhcp6_range range;
	struct dhcp6_leases leases;
	struct dhcp6_ctx ctx;
	struct sockaddr_in6 src;
	uint8_t out[1024];
	struct dhcp6_answer a;
	struct dhcp6_msg r; /* the parsed reply */
};

static struct fixture *fx_new(bool stateful)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *why;
	f->plan.http = f->plan.tftp = true;
	f->plan.http_port = 80;
	f->plan.kernel = "/k/linux";
	f->plan.ipxe_dir = "/usr/lib/ipxe";
	f->ifc.index = 3;
	snprintf(f->ifc.name, sizeof f->ifc.name, "eth0");
	f->ifc.has_ip6 = true;
	inet_pton(AF_INET6, "2001:db8::2", &f->ifc.ip6);
	if (stateful)
		assert_int_equal(
		    dhcp6_range_parse("2001:db8::1000,2001:db8::1fff", &f->range, &why), 0);
	f->ctx.plan = &f->plan;
	f->ctx.range = &f->range;
	f->ctx.leases = &f->leases;
	f->ctx.now_ms = 1000000;
	memcpy(f->ctx.server_mac, server_mac, 6);
	f->src.sin6_family = AF_INET6;
	f->src.sin6_port = htons(546);
	/* EUI-64 link-local of 52:54:00:aa:bb:cc */
	inet_pton(AF_INET6, "fe80::5054:ff:feaa:bbcc", &f->src.sin6_addr);
	return f;
}

static void fx_ask(struct fixture *f, bool binl, const void *p, size_t n)
{
	dhcp6_answer(&f->ctx, &f->ifc, binl, &f->src, p, n, f->out, sizeof f->out, &f->a);
	if (f->a.len)
		assert_int_equal(dhcp6_parse(f->out, f->a.len, &f->r), 0);
}

static bool url_is(const struct dhcp6_msg *m, const char *url)
{
	return m->bootfile_url.present && m->bootfile_url.len == strlen(url) &&
	       !memcmp(m->bootfile_url.p, url, m->bootfile_url.len);
}

/* A copy of a message with its type changed and extra options appended. */
static size_t remsg(uint8_t *dst, const uint8_t *src, size_t n, uint8_t type, const void *extra,
		    size_t en)
{
	memcpy(dst, src, n);
	dst[0] = type;
	memcpy(dst + n, extra, en);
	return n + en;
}

static void test_proxy_edk2_advertise_then_4011(void **state)
{
	(void)state;
	struct fixture *f = fx_new(false);
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_true(f->a.len > 0);
	assert_int_equal(f->r.type, DHCP6_ADVERTISE);
	assert_int_equal(f->r.xid, 0x123456);
	assert_false(f->r.has_ia_na); /* a proxy never assigns */
	assert_true(f->r.has_vendor_class);
	assert_int_equal(f->r.enterprise, 343);
	assert_memory_equal(f->r.vclass.p, "PXEClient", 9);
	assert_int_equal(f->r.serverid.len, 10);
	assert_memory_equal(f->r.serverid.p, server_duid, 10);
	assert_int_equal(f->r.clientid.len, 18);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/lifeboat/ipxe/snponly.efi"));
	assert_non_null(strstr(f->a.log, "dhcp6.advertise mac=52:54:00:aa:bb:cc"));
	assert_non_null(strstr(f->a.log, "mode=proxy"));
	assert_int_equal(f->a.dst.sin6_scope_id, 3);
	assert_int_equal(ntohs(f->a.dst.sin6_port), 546);
	/* the client record's note: its MAC from the DUID, offered */
	assert_true(f->a.note.valid);
	assert_memory_equal(f->a.note.mac, "\x52\x54\x00\xaa\xbb\xcc", 6);
	assert_int_equal(f->a.note.stage, CLIENT_OFFER);
	assert_string_equal(f->a.note.arch, "efi64");
	assert_true(f->a.note.has_ip6);
	assert_memory_equal(&f->a.note.ip6, &f->src.sin6_addr, 16);

	/* EDK2's PxeBcRequestBootService: a Request on 4011 naming us */
	uint8_t req[512];
	uint8_t sid[14] = {0, 2, 0, 10};
	memcpy(sid + 4, server_duid, 10);
	size_t n = sizeof edk2_solicit;
	memcpy(req, edk2_solicit, n);
	req[0] = DHCP6_REQUEST;
	/* drop the IA_NA as EDK2 does: rebuild without it */
	size_t ia_off = 4 + 22, ia_len = 16;
	memmove(req + ia_off, req + ia_off + ia_len, n - ia_off - ia_len);
	n -= ia_len;
	memcpy(req + n, sid, sizeof sid);
	n += sizeof sid;
	f->src.sin6_port = htons(4011);
	inet_pton(AF_INET6, "2001:db8::1111", &f->src.sin6_addr);
	fx_ask(f, true, req, n);
	assert_true(f->a.len > 0);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_false(f->r.has_ia_na);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/lifeboat/ipxe/snponly.efi"));
	assert_int_equal(ntohs(f->a.dst.sin6_port), 4011);
	assert_int_equal(f->a.dst.sin6_scope_id, 0);
	assert_non_null(strstr(f->a.log, "port=4011"));

	/* a 4011 Request from an address no client has: silent */
	static const char *const bad[] = {"::1", "::", "ff02::1", "::ffff:192.0.2.9",
					  "2001:db8::2"};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct sockaddr_in6 keep = f->src;
		inet_pton(AF_INET6, bad[k], &f->src.sin6_addr);
		fx_ask(f, true, req, n);
		assert_int_equal(f->a.len, 0);
		if (!strstr(f->a.log, "dhcp6.drop"))
			fail_msg("%s: %s", bad[k], f->a.log);
		f->src = keep;
	}
	/* the same Request naming another server: silent */
	req[n - 1] ^= 1;
	fx_ask(f, true, req, n);
	assert_int_equal(f->a.len, 0);
	assert_true(f->a.log_quiet);
	/* a proxy does not answer Renew */
	req[n - 1] ^= 1;
	req[0] = DHCP6_RENEW;
	fx_ask(f, false, req, n);
	assert_int_equal(f->a.len, 0);
	free(f);
}

/* Stateful, on an interface where lifeboat sends the RAs (ctx.plain): an
 * ordinary host is advertised an address, without a boot URL; a proxy
 * stays silent whatever plain says. */
static void test_plain_host_where_we_are_router(void **state)
{
	(void)state;
	const uint8_t plain[] = {1, 0, 0, 9, 0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54,
				 0, 9, 9, 9, 0, 3, 0, 12, 0, 0, 0, 1, 0,    0,
				 0, 0, 0, 0, 0, 0, 0, 6,  0, 2, 0, 23};
	struct fixture *f = fx_new(true);
	f->ctx.plain = true;
	fx_ask(f, false, plain, sizeof plain);
	assert_true(f->a.len > 0);
	assert_int_equal(f->r.type, DHCP6_ADVERTISE);
	assert_true(f->r.has_ia_na);
	assert_false(f->r.bootfile_url.present);
	assert_false(f->r.has_vendor_class);
	assert_non_null(strstr(f->a.log, "mode=stateful addr=2001:db8::"));
	/* the same on udp/4011: not a netboot client, silent */
	fx_ask(f, true, plain, sizeof plain);
	assert_int_equal(f->a.len, 0);
	free(f);
	f = fx_new(false);
	f->ctx.plain = true;
	fx_ask(f, false, plain, sizeof plain);
	assert_int_equal(f->a.len, 0);
	free(f);
}

static void test_silent_for_ordinary_and_garbage(void **state)
{
	(void)state;
	struct fixture *f = fx_new(true);
	/* a plain host: client id + IA_NA + ORO (DNS), no netboot options */
	const uint8_t plain[] = {1, 0, 0, 9, 0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54,
				 0, 9, 9, 9, 0, 3, 0, 12, 0, 0, 0, 1, 0,    0,
				 0, 0, 0, 0, 0, 0, 0, 6,  0, 2, 0, 23};
	fx_ask(f, false, plain, sizeof plain);
	assert_int_equal(f->a.len, 0);
	assert_true(f->a.log_quiet);
	assert_non_null(strstr(f->a.log, "not a netboot client"));
	/* garbage: a logged, silent malformed line */
	const uint8_t bad[] = {1, 0, 0, 1, 0, 16, 0, 200};
	fx_ask(f, false, bad, sizeof bad);
	assert_int_equal(f->a.len, 0);
	assert_false(f->a.log_quiet);
	assert_non_null(strstr(f->a.log, "dhcp6.malformed"));
	/* no client id */
	const uint8_t noid[] = {1, 0, 0, 1, 0, 61, 0, 2, 0, 7};
	fx_ask(f, false, noid, sizeof noid);
	assert_int_equal(f->a.len, 0);
	/* a server message is never answered */
	uint8_t adv[sizeof edk2_solicit];
	memcpy(adv, edk2_solicit, sizeof adv);
	adv[0] = DHCP6_ADVERTISE;
	fx_ask(f, false, adv, sizeof adv);
	assert_int_equal(f->a.len, 0);
	/* relayed: not supported, silent */
	uint8_t relay[40] = {12};
	fx_ask(f, false, relay, sizeof relay);
	assert_int_equal(f->a.len, 0);
	free(f);
}

static void test_stateful_lifecycle(void **state)
{
	(void)state;
	struct fixture *f = fx_new(true);
	uint8_t m[512], addr[16];
	uint8_t sid[14] = {0, 2, 0, 10};
	memcpy(sid + 4, server_duid, 10);
	/* Solicit -> Advertise with an address of the range, no vendor class */
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_int_equal(f->r.type, DHCP6_ADVERTISE);
	assert_true(f->r.has_ia_na && f->r.has_iaaddr);
	assert_int_equal(f->r.iaid, 0x01020304);
	assert_false(f->r.has_vendor_class);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/lifeboat/ipxe/snponly.efi"));
	memcpy(addr, f->r.ia_addr, 16);
	struct dhcp6_range *r = &f->range;
	assert_memory_equal(addr, r->start, 14 - 2);
	assert_true(memcmp(addr, r->start, 16) >= 0 && memcmp(addr, r->end, 16) <= 0);
	assert_non_null(strstr(f->a.log, "mode=stateful addr=2001:db8::1"));
	/* a Request whose reply would go to a multicast group: silent, and it
	 * holds no address */
	size_t n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REQUEST, sid, sizeof sid);
	struct sockaddr_in6 keep = f->src;
	inet_pton(AF_INET6, "ff02::1", &f->src.sin6_addr);
	fx_ask(f, false, m, n);
	assert_int_equal(f->a.len, 0);
	assert_int_equal(dhcp6_leases_live(&f->leases, f->ctx.now_ms), 0);
	f->src = keep;
	/* Request -> Reply, same address */
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REQUEST, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_true(f->r.has_iaaddr);
	assert_memory_equal(f->r.ia_addr, addr, 16);
	assert_int_equal(f->r.ia_valid, DHCP6_LEASE_VALID);
	/* Request without a server id: refused */
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REQUEST, "", 0);
	fx_ask(f, false, m, n);
	assert_int_equal(f->a.len, 0);
	/* another client gets another address */
	uint8_t other[sizeof edk2_solicit];
	memcpy(other, edk2_solicit, sizeof other);
	other[10] ^= 0xff; /* DUID byte */
	fx_ask(f, false, other, sizeof other);
	assert_true(f->r.has_iaaddr);
	assert_memory_not_equal(f->r.ia_addr, addr, 16);
	/* Renew an hour later extends */
	f->ctx.now_ms += 3000 * 1000;
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_RENEW, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_memory_equal(f->r.ia_addr, addr, 16);
	/* Confirm inside the range: success; outside: not on link */
	uint8_t conf[sizeof edk2_solicit + 40];
	memcpy(conf, edk2_solicit, sizeof edk2_solicit);
	conf[0] = DHCP6_CONFIRM;
	conf[4 + 22 + 3] = 12 + 28;
	uint8_t iaaddr[28] = {0, 5, 0, 24};
	memcpy(iaaddr + 4, addr, 16);
	/* insert IAADDR right after the IA_NA header (offset 4+22+16) */
	size_t at = 4 + 22 + 16;
	memmove(conf + at + 28, conf + at, sizeof edk2_solicit - at);
	memcpy(conf + at, iaaddr, 28);
	fx_ask(f, false, conf, sizeof edk2_solicit + 28);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_true(f->r.has_status);
	assert_int_equal(f->r.status, DHCP6_ST_SUCCESS);
	conf[at + 4] = 0x30;
	fx_ask(f, false, conf, sizeof edk2_solicit + 28);
	assert_int_equal(f->r.status, DHCP6_ST_NOT_ON_LINK);
	/* Release frees; Renew then says NoBinding */
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_RELEASE, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_int_equal(f->r.status, DHCP6_ST_SUCCESS);
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_RENEW, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_true(f->r.has_ia_na);
	assert_false(f->r.has_iaaddr);
	/* Decline: that address stays blocked, the client gets another one */
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REQUEST, sid, sizeof sid);
	fx_ask(f, false, m, n);
	uint8_t declined[16];
	memcpy(declined, f->r.ia_addr, 16);
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_DECLINE, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_int_equal(f->r.status, DHCP6_ST_SUCCESS);
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_true(f->r.has_iaaddr);
	assert_memory_not_equal(f->r.ia_addr, declined, 16);
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_RELEASE, sid, sizeof sid);
	fx_ask(f, false, m, n);
	/* Rebind of an unknown lease: silent */
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REBIND, "", 0);
	fx_ask(f, false, m, n);
	assert_int_equal(f->a.len, 0);
	free(f);
}

/* A one-address range: an Advertise holds nothing, so two clients are both
 * advertised it; the first Request takes it, the second client is then told
 * no address is left, and gets it once the first releases it. */
static void test_stateful_range_exhausted(void **state)
{
	(void)state;
	struct fixture *f = fx_new(true);
	const char *why;
	uint8_t m[512], o[512];
	uint8_t sid[14] = {0, 2, 0, 10};
	memcpy(sid + 4, server_duid, 10);
	assert_int_equal(dhcp6_range_parse("2001:db8::5,2001:db8::5", &f->range, &why), 0);
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_true(f->r.has_iaaddr);
	uint8_t other[sizeof edk2_solicit];
	memcpy(other, edk2_solicit, sizeof other);
	other[10] ^= 0xff;
	fx_ask(f, false, other, sizeof other);
	assert_true(f->r.has_iaaddr); /* the same address: nothing was held */
	assert_int_equal(dhcp6_leases_live(&f->leases, f->ctx.now_ms), 0);
	size_t n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REQUEST, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_true(f->r.has_iaaddr);
	size_t on = remsg(o, other, sizeof other, DHCP6_REQUEST, sid, sizeof sid);
	fx_ask(f, false, o, on);
	assert_true(f->a.len > 0);
	assert_true(f->r.has_ia_na);
	assert_false(f->r.has_iaaddr);
	assert_non_null(strstr(f->a.log, "no addresses left"));
	fx_ask(f, false, other, sizeof other);
	assert_false(f->r.has_iaaddr);
	n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_RELEASE, sid, sizeof sid);
	fx_ask(f, false, m, n);
	fx_ask(f, false, o, on);
	assert_true(f->r.has_iaaddr);
	free(f);
}

static void test_ipxe_and_http_clients(void **state)
{
	(void)state;
	struct fixture *f = fx_new(true);
	/* iPXE: DUID-LL, IA_NA, user class "iPXE", arch 7, Information-less Solicit */
	const uint8_t ipxe[] = {1, 0,  0, 2, 0,	 1, 0,	 10,  0,   3,	0, 1,  0x52, 0x54, 0, 1, 2,
				3, 0,  3, 0, 12, 0, 0,	 0,   9,   0,	0, 0,  0,    0,	   0, 0, 0,
				0, 15, 0, 6, 0,	 4, 'i', 'P', 'X', 'E', 0, 61, 0,    2,	   0, 7};
	fx_ask(f, false, ipxe, sizeof ipxe);
	assert_true(f->a.len > 0);
	assert_true(url_is(&f->r, "http://[2001:db8::2]/lifeboat/boot.ipxe"));
	assert_non_null(strstr(f->a.log, "mac=52:54:00:01:02:03"));
	assert_non_null(strstr(f->a.log, "fw=ipxe"));
	/* Information-Request from iPXE (stateless): the URL, no IA */
	uint8_t info[sizeof ipxe];
	memcpy(info, ipxe, sizeof ipxe);
	info[0] = DHCP6_INFORMATION_REQUEST;
	fx_ask(f, false, info, sizeof info);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_true(url_is(&f->r, "http://[2001:db8::2]/lifeboat/boot.ipxe"));
	/* UEFI HTTP boot (arch 16, HTTPClient): HTTP URL and HTTPClient back */
	const uint8_t http[] = {1,  0,	  0,	3,   0,	  1,   0,   10,	 0,   3,    0,
				1,  0x52, 0x54, 0,   1,	  2,   4,   0,	 61,  0,    2,
				0,  16,	  0,	16,  0,	  16,  0,   0,	 1,   0x57, 0,
				10, 'H',  'T',	'T', 'P', 'C', 'l', 'i', 'e', 'n',  't'};
	fx_ask(f, false, http, sizeof http);
	assert_true(f->a.len > 0);
	assert_true(url_is(&f->r, "http://[2001:db8::2]/lifeboat/ipxe/snponly.efi"));
	assert_memory_equal(f->r.vclass.p, "HTTPClient", 10);
	/* a --host ignore rule, matched by the EUI-64 link-local MAC */
	const char *why;
	assert_int_equal(bootplan_add_host(&f->plan, "52:54:00:aa:bb:cc=ignore", &why), 0);
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_int_equal(f->a.len, 0);
	assert_true(f->a.log_info);
	assert_non_null(strstr(f->a.log, "dhcp6.noboot"));
	/* link-local only interface: the URL uses it */
	bootplan_add_host(&f->plan, "52:54:00:aa:bb:cc=efi64:x.efi", &why);
	f->plan.n_hosts = 0;
	f->ifc.has_ip6 = false;
	f->ifc.has_ip6_ll = true;
	inet_pton(AF_INET6, "fe80::2", &f->ifc.ip6_ll);
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_true(url_is(&f->r, "tftp://[fe80::2]/lifeboat/ipxe/snponly.efi"));
	/* no IPv6 address at all: silent */
	f->ifc.has_ip6_ll = false;
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_int_equal(f->a.len, 0);
	free(f);
}

/* EDK2's DHCPv6 driver releases its lease without the PXE options once the
 * boot file is loaded: a lease holder is still answered (stateful only). */
static void test_stateful_plain_release_by_holder(void **state)
{
	(void)state;
	struct fixture *f = fx_new(true);
	uint8_t m[512];
	uint8_t sid[14] = {0, 2, 0, 10};
	memcpy(sid + 4, server_duid, 10);
	size_t n = remsg(m, edk2_solicit, sizeof edk2_solicit, DHCP6_REQUEST, sid, sizeof sid);
	fx_ask(f, false, m, n);
	assert_true(f->r.has_iaaddr);
	/* header + client id (22) + IA_NA (16) + server id */
	uint8_t rel[4 + 22 + 16 + 14];
	memcpy(rel, edk2_solicit, 4 + 22 + 16);
	rel[0] = DHCP6_RELEASE;
	memcpy(rel + 42, sid, 14);
	fx_ask(f, false, rel, sizeof rel);
	assert_true(f->a.len > 0);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_int_equal(f->r.status, DHCP6_ST_SUCCESS);
	assert_false(f->r.bootfile_url.present);
	/* released: the same plain message is now from a stranger */
	fx_ask(f, false, rel, sizeof rel);
	assert_int_equal(f->a.len, 0);
	assert_true(f->a.log_quiet);
	/* and a proxy never answers it */
	struct fixture *p = fx_new(false);
	fx_ask(p, false, rel, sizeof rel);
	assert_int_equal(p->a.len, 0);
	free(p);
	free(f);
}

/* --no-dhcp6 and --dhcp6-range, on the command line and in a --config file */
static void test_serve_flags(void **state)
{
	(void)state;
	static struct serve_opts o;
	FILE *devnull = fopen("/dev/null", "w");
	const char *def[] = {"serve", "--kernel", "k"};
	assert_int_equal(serve_parse_args(3, (char **)def, &o, devnull), 0);
	assert_true(o.dhcp6);
	assert_false(o.dhcp6_range.set);
	const char *on[] = {"serve", "--kernel", "k", "--dhcp6-range",
			    "2001:db8::1000,2001:db8::1fff"};
	assert_int_equal(serve_parse_args(5, (char **)on, &o, devnull), 0);
	assert_true(o.dhcp6_range.set);
	const char *off[] = {"serve", "--kernel", "k", "--no-dhcp6"};
	assert_int_equal(serve_parse_args(4, (char **)off, &o, devnull), 0);
	assert_false(o.dhcp6);
	const char *bad[] = {"serve", "--kernel", "k", "--dhcp6-range", "2001:db8::9,2001:db8::1"};
	assert_int_equal(serve_parse_args(5, (char **)bad, &o, devnull), -EINVAL);
	const char *bad2[] = {"serve", "--kernel", "k", "--dhcp6-range"};
	assert_int_equal(serve_parse_args(4, (char **)bad2, &o, devnull), -EINVAL);

	char path[] = "/tmp/lifeboat-dhcp6-conf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "kernel /k\ndhcp6-range 2001:db8::10,2001:db8::20\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct serve_opts *c = calloc(1, sizeof *c);
	const char *argv[] = {"serve", "-c", path};
	assert_int_equal(serve_load_opts(3, (char **)argv, c, devnull), 0);
	assert_true(c->dhcp6 && c->dhcp6_range.set);
	assert_int_equal(c->dhcp6_range.end[15], 0x20);
	serve_opts_free(c);
	unlink(path);
	fclose(devnull);
}

/* Captured in the e2e lab (t_ovmf_pxe6): OVMF's PXEv6 Solicit, Request and
 * Release, and the Solicit of its IPv6 stack's own DHCPv6 client. */
static void test_real_edk2_capture_stateful(void **state)
{
	(void)state;
	size_t ns, nr, nl, ni;
	unsigned char *sol = tu_read_vector("dhcp6/edk2-pxe6-solicit.bin", &ns);
	unsigned char *req = tu_read_vector("dhcp6/edk2-pxe6-request.bin", &nr);
	unsigned char *rel = tu_read_vector("dhcp6/edk2-release.bin", &nl);
	unsigned char *ip6c = tu_read_vector("dhcp6/edk2-ip6config-solicit.bin", &ni);
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(sol, ns, &m), 0);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	assert_true(m.has_ia_na);
	assert_int_equal(m.t1, 0xffffffff);
	assert_true(dhcp6_oro_has(&m, 59) && dhcp6_oro_has(&m, 60));
	assert_int_equal(m.arch[0], 7);
	assert_int_equal(m.enterprise, 343);
	assert_memory_equal(m.vclass.p, "PXEClient:Arch:00007:UNDI:003000", 32);
	uint8_t mac[6];
	assert_int_equal(dhcp6_duid_mac(m.clientid.p, m.clientid.len, mac), 0); /* DUID-LLT */
	uint32_t iaid = m.iaid;

	/* the server id the client names is the capture's lifeboat: be it */
	assert_int_equal(dhcp6_parse(req, nr, &m), 0);
	assert_int_equal(m.type, DHCP6_REQUEST);
	assert_true(m.serverid.present && m.serverid.len == 10);
	struct fixture *f = fx_new(true);
	memcpy(f->ctx.server_mac, m.serverid.p + 4, 6);
	f->src.sin6_addr.s6_addr[8] = mac[0] ^ 2; /* EUI-64 of the client */

	fx_ask(f, false, sol, ns);
	assert_int_equal(f->r.type, DHCP6_ADVERTISE);
	assert_true(f->r.has_iaaddr);
	assert_int_equal(f->r.iaid, iaid);
	uint8_t addr[16];
	memcpy(addr, f->r.ia_addr, 16);
	fx_ask(f, false, req, nr);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_memory_equal(f->r.ia_addr, addr, 16);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/lifeboat/ipxe/snponly.efi"));
	fx_ask(f, false, rel, nl);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_int_equal(f->r.status, DHCP6_ST_SUCCESS);
	/* the firmware's own DHCPv6 client (no PXE options): left alone */
	fx_ask(f, false, ip6c, ni);
	assert_int_equal(f->a.len, 0);
	assert_true(f->a.log_quiet);
	/* proxy mode: the real Solicit gets the proxy shape */
	struct fixture *p = fx_new(false);
	fx_ask(p, false, sol, ns);
	assert_int_equal(p->r.type, DHCP6_ADVERTISE);
	assert_false(p->r.has_ia_na);
	assert_memory_equal(p->r.vclass.p, "PXEClient", 9);
	free(p);
	free(f);
	free(sol), free(req), free(rel), free(ip6c);
}

/* Captured in t_ovmf_pxe6_proxy: lifeboat's proxy Advertise as EDK2 took it,
 * and EDK2's Request to udp/4011 that followed (server id = that lifeboat). */
static void test_real_edk2_capture_proxy_4011(void **state)
{
	(void)state;
	size_t na, nr;
	unsigned char *adv = tu_read_vector("dhcp6/lifeboat-proxy-advertise.bin", &na);
	unsigned char *req = tu_read_vector("dhcp6/edk2-4011-request.bin", &nr);
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(adv, na, &m), 0);
	assert_int_equal(m.type, DHCP6_ADVERTISE);
	assert_false(m.has_ia_na);
	assert_int_equal(m.enterprise, 343);
	assert_memory_equal(m.vclass.p, "PXEClient", 9);
	assert_true(m.bootfile_url.present);
	assert_int_equal(dhcp6_parse(req, nr, &m), 0);
	assert_int_equal(m.type, DHCP6_REQUEST);
	assert_false(m.has_ia_na); /* EDK2 drops the IA for the boot server */
	struct fixture *f = fx_new(false);
	memcpy(f->ctx.server_mac, m.serverid.p + 4, 6);
	f->src.sin6_port = htons(4011);
	inet_pton(AF_INET6, "2001:db8::1ab", &f->src.sin6_addr);
	fx_ask(f, true, req, nr);
	assert_true(f->a.len > 0);
	assert_int_equal(f->r.type, DHCP6_REPLY);
	assert_int_equal(f->r.xid, m.xid);
	assert_false(f->r.has_ia_na);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/lifeboat/ipxe/snponly.efi"));
	assert_int_equal(ntohs(f->a.dst.sin6_port), 4011);
	/* the same Request to another lifeboat (another server id): silent */
	f->ctx.server_mac[5] ^= 1;
	fx_ask(f, true, req, nr);
	assert_int_equal(f->a.len, 0);
	free(f);
	free(adv), free(req);
}

/* Kernel mode over IPv6: x86-64 UEFI PXE gets ipxe.efi (plan.ipxe6), which
 * the TFTP/HTTP lookup then resolves; iPXE itself still gets the script. */
static void test_kernel_mode_ipxe6(void **state)
{
	(void)state;
	struct fixture *f = fx_new(true);
	char buf[256];
	struct bootplan_file bf;
	assert_int_equal(bootplan_lookup(&f->plan, "lifeboat/ipxe/ipxe.efi", buf, sizeof buf, &bf),
			 -ENOENT);
	f->plan.ipxe6 = "ipxe.efi";
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/lifeboat/ipxe/ipxe.efi"));
	assert_int_equal(bootplan_lookup(&f->plan, "lifeboat/ipxe/ipxe.efi", buf, sizeof buf, &bf),
			 0);
	assert_string_equal(bf.host_path, "/usr/lib/ipxe/ipxe.efi");
	/* a --boot efi64 entry still wins */
	const char *why;
	assert_int_equal(bootplan_add_boot(&f->plan, "efi64=grubnetx64.efi", &why), 0);
	fx_ask(f, false, edk2_solicit, sizeof edk2_solicit);
	assert_true(url_is(&f->r, "tftp://[2001:db8::2]/grubnetx64.efi"));
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_edk2_solicit),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_build_roundtrip),
	    cmocka_unit_test(test_duid_mac),
	    cmocka_unit_test(test_range_parse),
	    cmocka_unit_test(test_proxy_edk2_advertise_then_4011),
	    cmocka_unit_test(test_silent_for_ordinary_and_garbage),
	    cmocka_unit_test(test_plain_host_where_we_are_router),
	    cmocka_unit_test(test_stateful_lifecycle),
	    cmocka_unit_test(test_stateful_range_exhausted),
	    cmocka_unit_test(test_ipxe_and_http_clients),
	    cmocka_unit_test(test_stateful_plain_release_by_holder),
	    cmocka_unit_test(test_serve_flags),
	    cmocka_unit_test(test_real_edk2_capture_stateful),
	    cmocka_unit_test(test_real_edk2_capture_proxy_4011),
	    cmocka_unit_test(test_kernel_mode_ipxe6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
