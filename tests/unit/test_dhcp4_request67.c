/* A PXE client's DHCPREQUEST on udp/67: answered in proxy form (an ACK,
 * never an address), or not at all; doc/coexist.md has the rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/dhcp4_server.h"
#include "netboot/dhcp4_wire.h"
#include "testutil.h"

static const struct iface lan = {.index = 3,
				 .name = "lan0",
				 .has_ip4 = true,
				 .ip4 = {192, 0, 2, 2},
				 .mask4 = {255, 255, 255, 0}};

static void setup_plan(struct bootplan *p)
{
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	p->ipxe_dir = "/usr/lib/ipxe";
	p->kernel = "/boot/vmlinuz";
	p->initrd[0] = "/boot/initrd.gz";
	p->n_initrd = 1;
}

/* The BOOTP header of a request: xid 0x1b2c3d4e, secs 4, the broadcast
 * flag (PXE ROMs without an address set it), chaddr an Intel OUI. */
static size_t mk_header(uint8_t *p, size_t cap, const uint8_t ciaddr[4])
{
	static const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};
	memset(p, 0, cap);
	p[0] = 1, p[1] = 1, p[2] = 6;
	memcpy(p + 4, "\x1b\x2c\x3d\x4e", 4);
	p[9] = 4;
	p[10] = 0x80;
	if (ciaddr)
		memcpy(p + 12, ciaddr, 4);
	memcpy(p + 28, mac, 6);
	memcpy(p + 236, "\x63\x82\x53\x63", 4);
	return 240;
}

#define XID 0x1b2c3d4e

#define PXE60                                                                                   \
	60, 32, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h', ':', '0', \
	    '0', '0', '0', '0', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '2', '0', '0', '1'

/* The options of an Intel Boot Agent-like (PXE 2.1 BIOS ROM) REQUEST that
 * selects the router's offer (192.0.2.1, address 192.0.2.150): message
 * type, max size 1464, the PXE 2.1 parameter list, arch 0, UNDI 2.1, the
 * vendor class, no option 97 (the ROMs of pixiecore issue 21 sent none),
 * server id and requested address last. */
static const uint8_t intel_opts[] = {
    53, 1,  3,	57, 2,	0x05, 0xb8, 55,	   31, 1,  2,	3,  4,	5,  6,	11, 12,	 13,  15,  16, 17,
    18, 22, 23, 28, 40, 41,   42,   43,	   50, 51, 54,	58, 59, 60, 66, 67, 97,	 128, 129, 93, 2,
    0,	0,  94, 3,  1,	2,    1,    PXE60, 54, 4,  192, 0,  2,	1,  50, 4,  192, 0,   2,   150};

/* Request = header + opts (+ extra option bytes) + END; the length. */
static size_t mk_req(uint8_t *p, size_t cap, const uint8_t ciaddr[4], const uint8_t *opts,
		     size_t olen, const uint8_t *extra, size_t elen)
{
	size_t n = mk_header(p, cap, ciaddr);
	memcpy(p + n, opts, olen), n += olen;
	if (extra)
		memcpy(p + n, extra, elen), n += elen;
	p[n++] = 255;
	return n < 300 ? 300 : n; /* padded like a ROM's */
}

static void answer(const struct bootplan *plan, const struct iface *ifc, const uint8_t *pkt,
		   size_t n, uint8_t *out, size_t cap, struct dhcp4_answer *a)
{
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = htons(68)};
	dhcp4_answer(plan, ifc, false, &src, pkt, n, out, cap, a);
}

/* No lease in a proxy ACK: no address, mask, router, lease time, T1/T2. */
static void assert_proxy_ack(const uint8_t *out, size_t len, struct dhcp4_msg *m, uint32_t xid)
{
	size_t l;
	assert_int_equal(dhcp4_parse(out, len, m), 0);
	assert_int_equal(m->op, DHCP4_BOOTREPLY);
	assert_int_equal(m->msg_type, DHCP4_ACK);
	assert_int_equal(m->xid, xid);
	assert_memory_equal(m->yiaddr, "\0\0\0\0", 4);
	assert_memory_equal(m->siaddr, lan.ip4, 4);
	assert_memory_equal(dhcp4_opt(m, 54, &l), lan.ip4, 4);
	static const uint8_t lease_opts[] = {1, 3, 6, 51, 58, 59};
	for (size_t i = 0; i < sizeof lease_opts; i++)
		assert_null(dhcp4_opt(m, lease_opts[i], &l));
	const uint8_t *v = dhcp4_opt(m, 60, &l);
	assert_int_equal(l, 9);
	assert_memory_equal(v, "PXEClient", 9);
}

/* The Intel-like REQUEST selecting the router's offer: a proxy ACK with
 * the same boot information as the offer, broadcast, our server id. */
static void test_intel_request_for_router(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	uint8_t pkt[600], out[1024], offer[1024];
	struct dhcp4_answer a, o;
	struct dhcp4_msg m, mo;
	size_t l, lo;
	size_t n = mk_req(pkt, sizeof pkt, NULL, intel_opts, sizeof intel_opts, NULL, 0);
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_true(a.len >= DHCP4_MIN_REPLY);
	assert_true(a.broadcast);
	assert_int_equal(ntohs(a.dst.sin_port), 68);
	assert_proxy_ack(out, a.len, &m, XID);
	assert_memory_equal(m.ciaddr, "\0\0\0\0", 4);
	assert_null(dhcp4_opt(&m, 97, &l)); /* none asked, none echoed */
	assert_non_null(strstr(a.log, "dhcp.ack "));
	assert_non_null(strstr(a.log, "port=67 request-to=other"));
	/* --no-router-request-ack: that one stays unanswered, a REQUEST
	 * naming lifeboat is still answered (test_request_to_us) */
	{
		struct bootplan quiet = plan;
		struct dhcp4_answer b;
		uint8_t o2[1024];
		quiet.no_router_request_ack = true;
		answer(&quiet, &lan, pkt, n, o2, sizeof o2, &b);
		assert_int_equal(b.len, 0);
		assert_non_null(strstr(b.log, "--no-router-request-ack"));
	}
	/* no stage of the boot (iPXE and EDK2 drop it), no reply counted */
	assert_int_equal(a.note.stage, CLIENT_SEEN);
	/* the client record learns the address it asks the router for */
	assert_true(a.note.has_ip4);
	assert_memory_equal(a.note.ip4, "\xc0\x00\x02\x96", 4);

	/* the same boot information as the proxy OFFER to its DISCOVER */
	pkt[242] = DHCP4_DISCOVER;
	answer(&plan, &lan, pkt, n, offer, sizeof offer, &o);
	assert_true(o.len > 0);
	assert_int_equal(dhcp4_parse(offer, o.len, &mo), 0);
	assert_int_equal(mo.msg_type, DHCP4_OFFER);
	assert_string_equal((char *)m.file, (char *)mo.file);
	assert_string_equal((char *)m.file, "lifeboat/ipxe/undionly.kpxe");
	assert_string_equal((char *)m.sname, (char *)mo.sname);
	const uint8_t *v = dhcp4_opt(&m, 43, &l), *vo = dhcp4_opt(&mo, 43, &lo);
	assert_int_equal(l, lo);
	assert_memory_equal(v, vo, l);
	assert_memory_equal(v, "\x06\x01\x08\xff", 4);
}

/* Option 54 names us: answered; a bound client's answer goes to ciaddr. */
static void test_request_to_us(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	uint8_t pkt[600], out[1024], opts[sizeof intel_opts];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	memcpy(opts, intel_opts, sizeof opts);
	opts[sizeof opts - 7] = 2;	   /* option 54: 192.0.2.2 */
	plan.no_router_request_ack = true; /* not about these */
	size_t n = mk_req(pkt, sizeof pkt, NULL, opts, sizeof opts, NULL, 0);
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_true(a.broadcast);
	assert_proxy_ack(out, a.len, &m, XID);
	assert_non_null(strstr(a.log, "request-to=us"));
	assert_int_equal(a.note.stage, CLIENT_BINL); /* answered like on 4011 */

	/* bound (ciaddr 192.0.2.150): unicast to it, ciaddr echoed */
	n = mk_req(pkt, sizeof pkt, (const uint8_t *)"\xc0\x00\x02\x96", opts, sizeof opts - 6,
		   NULL, 0);
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_false(a.broadcast);
	assert_int_equal(a.dst.sin_addr.s_addr, htonl(0xc0000296));
	assert_int_equal(ntohs(a.dst.sin_port), 68);
	assert_proxy_ack(out, a.len, &m, XID);
	assert_memory_equal(m.ciaddr, "\xc0\x00\x02\x96", 4);

	/* a bound client's ciaddr that cannot be a client here: dropped */
	n = mk_req(pkt, sizeof pkt, (const uint8_t *)"\xc0\x00\x02\xff", opts, sizeof opts - 6,
		   NULL, 0);
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "dhcp.drop"));
}

/* EDK2 (OVMF) selecting the router's offer: the BINL shape of its offer
 * (no option 43), the same file, its machine id echoed. */
static void test_edk2_request_for_router(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	size_t n, l;
	unsigned char *p = tu_read_vector("dhcp4/edk2-ovmf-virtio-discover.bin", &n);
	uint8_t pkt[1024], out[1024];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	assert_true(n < sizeof pkt - 16);
	memcpy(pkt, p, n);
	free(p);
	assert_int_equal(pkt[240], 53);
	pkt[242] = DHCP4_REQUEST;
	/* option 54 and 50 in place of the END byte */
	size_t end = n - 1;
	while (pkt[end] != 255)
		end--;
	memcpy(pkt + end, "\x36\x04\xc0\x00\x02\x01\x32\x04\xc0\x00\x02\x65\xff", 13);
	n = end + 13 > n ? end + 13 : n;
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_proxy_ack(out, a.len, &m,
			 (uint32_t)pkt[4] << 24 | pkt[5] << 16 | pkt[6] << 8 | pkt[7]);
	assert_null(dhcp4_opt(&m, 43, &l)); /* BINL: it asks on 4011 as after the offer */
	assert_string_equal((char *)m.file, "lifeboat/ipxe/snponly.efi");
	assert_int_equal(dhcp4_opt(&m, 97, &l) ? l : 0, 17);
}

struct silent_case {
	const char *name;
	const char *ciaddr; /* NULL: 0.0.0.0 */
	uint8_t extra[48];  /* option bytes after the Intel ones minus 54 and 50 */
	size_t elen;
	bool keep_54_50;      /* keep the Intel request's 54 and 50 */
	const char *want_log; /* substring of the log line */
};

/* REQUESTs on 67 that get no answer, each with its reason. */
static void test_request67_silent_and_malformed(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	static const struct silent_case cases[] = {
	    {"INIT-REBOOT: option 50 only", NULL, {50, 4, 192, 0, 2, 150}, 6, false, "INIT-REBOOT"},
	    {"REBINDING: ciaddr, no 54",
	     "\xc0\x00\x02\x96",
	     {0},
	     0,
	     false,
	     "INIT-REBOOT or REBINDING"},
	    {"bound, to another server",
	     "\xc0\x00\x02\x96",
	     {54, 4, 192, 0, 2, 1},
	     6,
	     false,
	     "bound client to another server"},
	    {"54 three bytes", NULL, {54, 3, 192, 0, 2}, 5, false, "malformed server id"},
	    {"54 five bytes", NULL, {54, 5, 192, 0, 2, 2, 0}, 7, false, "malformed server id"},
	    {"54 empty", NULL, {54, 0}, 2, false, "malformed server id"},
	    {"bound discovery, 43.71 truncated",
	     "\xc0\x00\x02\x96",
	     {43, 4, 71, 4, 0x80, 0},
	     6,
	     false,
	     "bad boot item"},
	    {"bound discovery, item not served",
	     "\xc0\x00\x02\x96",
	     {43, 7, 71, 4, 0x80, 0x01, 0, 0, 255},
	     9,
	     false,
	     "no --menu item"},
	    {"option 54 runs past the end", NULL, {54, 40, 192, 0}, 4, false, "dhcp.malformed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct silent_case *c = &cases[i];
		uint8_t pkt[600], out[1024];
		struct dhcp4_answer a;
		size_t olen = c->keep_54_50 ? sizeof intel_opts : sizeof intel_opts - 12;
		size_t n = mk_req(pkt, sizeof pkt, (const uint8_t *)c->ciaddr, intel_opts, olen,
				  c->extra, c->elen);
		if (!strcmp(c->name, "option 54 runs past the end"))
			n = 240 + olen + c->elen; /* no END, no padding */
		answer(&plan, &lan, pkt, n, out, sizeof out, &a);
		if (a.len)
			fail_msg("%s: answered", c->name);
		if (!strstr(a.log, c->want_log))
			fail_msg("%s: log \"%s\", want \"%s\"", c->name, a.log, c->want_log);
	}
}

/* Not a PXE client, or no IPv4 here: silent as before. */
static void test_request67_not_ours(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	uint8_t pkt[600], out[1024], opts[sizeof intel_opts];
	struct dhcp4_answer a;
	/* an ordinary client: the vendor class made MSFT 5.0 (same length) */
	memcpy(opts, intel_opts, sizeof opts);
	uint8_t *vc = memmem(opts, sizeof opts, "PXEClient", 9);
	assert_non_null(vc);
	memcpy(vc, "MSFT 5.0:", 9);
	size_t n = mk_req(pkt, sizeof pkt, NULL, opts, sizeof opts, NULL, 0);
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "not a netboot client"));
	/* U-Boot's vendor class */
	memcpy(vc, "U-Boot.armv8", 12);
	n = mk_req(pkt, sizeof pkt, NULL, opts, sizeof opts, NULL, 0);
	answer(&plan, &lan, pkt, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "U-Boot"));
	/* the PXE request on an interface without IPv4 */
	struct iface bare = lan;
	bare.has_ip4 = false;
	memset(bare.ip4, 0, 4);
	n = mk_req(pkt, sizeof pkt, NULL, intel_opts, sizeof intel_opts, NULL, 0);
	answer(&plan, &bare, pkt, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "no IPv4"));
	/* and on 4011 the same REQUEST without ciaddr from 0.0.0.0: dropped */
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = htons(68)};
	dhcp4_answer(&plan, &lan, true, &src, pkt, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intel_request_for_router),
	    cmocka_unit_test(test_request_to_us),
	    cmocka_unit_test(test_edk2_request_for_router),
	    cmocka_unit_test(test_request67_silent_and_malformed),
	    cmocka_unit_test(test_request67_not_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
