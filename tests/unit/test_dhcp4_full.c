/* Full DHCPv4 (--mode dhcp): the pool (dhcp4_leases) with a fake clock,
 * the lease file (dhcp4_leasefile: parse, malformed lines, atomic write),
 * option parsing, the decision for each message type (dhcp4_full_decide),
 * the options and replies built, ARP wire, and a table of malformed
 * requests. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"
#include "netboot/arp_wire.h"
#include "netboot/dhcp4_server.h"
#include "netboot/dhcp4_full.h"
#include "netboot/dhcp4_leasefile.h"
#include "netboot/dhcp4_leases.h"
#include "netboot/dhcp4_wire.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const uint8_t MAC_A[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t MAC_B[6] = {2, 0, 0, 0, 0, 0xb};

static struct dhcp4_pool *pool4(void)
{
	struct dhcp4_pool *p = malloc(sizeof *p);
	assert_non_null(p);
	assert_int_equal(dhcp4_pool_init(p, IP(192, 0, 2, 100), IP(192, 0, 2, 103), 3600), 0);
	return p;
}

static void test_pool(void **state)
{
	(void)state;
	struct dhcp4_pool *p = pool4();
	uint32_t a, b, c;
	bool probe;
	assert_int_equal(dhcp4_pool_init(p, 10, 9, 60), -EINVAL);
	assert_int_equal(dhcp4_pool_init(p, 0, DHCP4_POOL_MAX, 60), -EINVAL);
	free(p);
	p = pool4();
	/* an offer holds and asks for a probe; again: the same, still unprobed */
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 1000, &a, &probe), 0);
	assert_true(dhcp4_pool_contains(p, a));
	assert_true(probe);
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 1001, &b, &probe), 0);
	assert_int_equal(a, b);
	assert_true(probe);
	dhcp4_pool_probed(p, a);
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 1002, &b, &probe), 0);
	assert_false(probe);
	assert_false(p->dirty); /* a hold is not durable */
	/* B is not offered A's held address, even when it asks for it */
	assert_int_equal(dhcp4_pool_offer(p, MAC_B, a, 1003, &c, &probe), 0);
	assert_int_not_equal(a, c);
	/* selecting: A commits; B's request for A's address is refused */
	assert_int_equal(dhcp4_pool_request(p, MAC_A, a, 1004, false), 0);
	assert_true(p->dirty);
	assert_int_equal(dhcp4_pool_request(p, MAC_B, a, 1004, false), -EPERM);
	assert_int_equal(dhcp4_pool_live(p, 1004), 1);
	/* renew extends; a bound client's DISCOVER gets its lease, no probe */
	assert_int_equal(dhcp4_pool_request(p, MAC_A, a, 2000, false), 0);
	assert_int_equal(p->v[a - p->start].expires, 2000 + 3600);
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 2001, &b, &probe), 0);
	assert_int_equal(a, b);
	assert_false(probe);
	/* init-reboot for an address never leased: not ours to judge */
	assert_int_equal(dhcp4_pool_request(p, MAC_B, IP(192, 0, 2, 103) == a ? IP(192, 0, 2, 102)
									    : IP(192, 0, 2, 103),
					    2002, true),
			 -ENOENT);
	assert_int_equal(dhcp4_pool_request(p, MAC_B, IP(192, 0, 2, 200), 2002, true), -ENOENT);
	assert_int_equal(dhcp4_pool_request(p, MAC_B, IP(192, 0, 2, 200), 2002, false), -EPERM);
	/* release: free, but A gets the same address back */
	assert_int_equal(dhcp4_pool_release(p, MAC_B, a, 2003), -ENOENT);
	assert_int_equal(dhcp4_pool_release(p, MAC_A, a, 2003), 0);
	assert_int_equal(dhcp4_pool_live(p, 2004), 0);
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 2005, &b, &probe), 0);
	assert_int_equal(a, b);
	/* decline: blocked for the lease time, detached */
	assert_int_equal(dhcp4_pool_request(p, MAC_A, a, 2006, false), 0);
	assert_int_equal(dhcp4_pool_decline(p, MAC_B, a, 2007), -ENOENT);
	assert_int_equal(dhcp4_pool_decline(p, MAC_A, a, 2007), 0);
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 2008, &b, &probe), 0);
	assert_int_not_equal(a, b);
	assert_int_equal(dhcp4_pool_request(p, MAC_A, a, 2008, false), -EPERM);
	/* an ARP conflict blocks without a MAC */
	assert_int_equal(dhcp4_pool_decline(p, NULL, b, 2009), 0);
	/* reserved (our own address): never dynamic */
	dhcp4_pool_reserve(p, IP(192, 0, 2, 100));
	assert_int_equal(dhcp4_pool_request(p, MAC_B, IP(192, 0, 2, 100), 2010, false), -EPERM);
	assert_int_equal(dhcp4_pool_decline(p, NULL, IP(192, 0, 2, 100), 2010), -ENOENT);
	free(p);
}

static void test_pool_full_and_expiry(void **state)
{
	(void)state;
	struct dhcp4_pool *p = pool4();
	uint8_t mac[6] = {2, 0, 0, 0, 1, 0};
	uint32_t ip;
	bool probe;
	for (int i = 0; i < 4; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(dhcp4_pool_offer(p, mac, 0, 100, &ip, &probe), 0);
		assert_int_equal(dhcp4_pool_request(p, mac, ip, 100, false), 0);
	}
	mac[5] = 9;
	assert_int_equal(dhcp4_pool_offer(p, mac, 0, 101, &ip, &probe), -ENOSPC);
	/* an hour later the leases are gone: room again */
	assert_int_equal(dhcp4_pool_offer(p, mac, 0, 100 + 3600, &ip, &probe), 0);
	/* holds expire too: four DISCOVER-only clients, 30 s later a fifth */
	assert_int_equal(dhcp4_pool_init(p, IP(10, 0, 0, 1), IP(10, 0, 0, 4), 600), 0);
	for (int i = 0; i < 4; i++) {
		mac[5] = (uint8_t)(20 + i);
		assert_int_equal(dhcp4_pool_offer(p, mac, 0, 0, &ip, &probe), 0);
	}
	mac[5] = 30;
	assert_int_equal(dhcp4_pool_offer(p, mac, 0, 1, &ip, &probe), -ENOSPC);
	assert_int_equal(dhcp4_pool_offer(p, mac, 0, DHCP4_HOLD_SECS, &ip, &probe), 0);
	/* restore from a file */
	assert_int_equal(dhcp4_pool_restore(p, MAC_A, IP(10, 0, 0, 9), 5000), -ERANGE);
	assert_int_equal(dhcp4_pool_init(p, IP(10, 0, 0, 1), IP(10, 0, 0, 4), 600), 0);
	assert_int_equal(dhcp4_pool_restore(p, MAC_A, IP(10, 0, 0, 2), 5000), 0);
	assert_int_equal(dhcp4_pool_restore(p, MAC_B, IP(10, 0, 0, 2), 5000), -EEXIST);
	assert_int_equal(dhcp4_pool_restore(p, NULL, IP(10, 0, 0, 3), 5000), 0);
	assert_int_equal(dhcp4_pool_offer(p, MAC_A, 0, 10, &ip, &probe), 0);
	assert_int_equal(ip, IP(10, 0, 0, 2));
	assert_false(probe);
	free(p);
}

struct recs {
	struct dhcp4_lease_rec v[8];
	int n;
};

static void rec_cb(void *arg, const struct dhcp4_lease_rec *r)
{
	struct recs *rs = arg;
	if (rs->n < 8)
		rs->v[rs->n++] = *r;
}

/* A file's text, the records it yields (-EBADMSG: refused) and bad lines. */
static const struct {
	const char *what, *text;
	int records;
	size_t bad;
} lease_files[] = {
    {"empty", "", -EBADMSG, 0},
    {"another file", "# dnsmasq leases\n1 2 3\n", -EBADMSG, 0},
    {"magic with a trailing space", "lifeboat-dhcp4-leases 1 \n", -EBADMSG, 0},
    {"magic only, no newline", "lifeboat-dhcp4-leases 1", 0, 0},
    {"one lease", "lifeboat-dhcp4-leases 1\n02:00:00:00:00:0a 192.0.2.100 1800000000\n", 1, 0},
    {"declined, comment, blank", "lifeboat-dhcp4-leases 1\n# x\n\n- 192.0.2.101 5\n", 1, 0},
    {"last line without newline", "lifeboat-dhcp4-leases 1\n- 192.0.2.101 5", 1, 0},
    {"bad lines skipped, good kept",
     "lifeboat-dhcp4-leases 1\n"
     "02:00:00:00:00:0a 192.0.2.100\n"		   /* no time */
     "02:00:00:00:00:0a 192.0.2.100 12 extra\n"	   /* extra token */
     "02:00:00:00:00:0g 192.0.2.100 12\n"	   /* bad hex */
     "02:00:00:00:00 192.0.2.100 12\n"		   /* short MAC */
     "02-00-00-00-00-0a 192.0.2.100 12\n"	   /* wrong separator */
     "02:00:00:00:00:0a 192.0.2.256 12\n"	   /* octet > 255 */
     "02:00:00:00:00:0a 192.0.2 12\n"		   /* three octets */
     "02:00:00:00:00:0a 192.0.2.1.5 12\n"	   /* five octets */
     "02:00:00:00:00:0a 192.0.2.0001 12\n"	   /* four digits */
     "02:00:00:00:00:0a 192.0.2.1 -5\n"		   /* negative */
     "02:00:00:00:00:0a 192.0.2.1 99999999999999999999\n" /* overflow */
     "02:00:00:00:00:0a 192.0.2.1 1\r\n"		   /* CR */
     "02:00:00:00:00:0a\t192.0.2.1 1\n"		   /* tab */
     "02:00:00:00:00:0a 192.0.2.1 1\0\n"	   /* strlen stops here: a good last line */
     "02:00:00:00:00:0b 192.0.2.2 7\n",
     1, 13},
    {"spaces between tokens", "lifeboat-dhcp4-leases 1\n  02:00:00:00:00:0a   192.0.2.1  7  \n", 1,
     0},
};

static void test_leasefile_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof lease_files / sizeof lease_files[0]; i++) {
		struct recs rs = {.n = 0};
		size_t bad = 99;
		int r = dhcp4_leasefile_parse(lease_files[i].text, strlen(lease_files[i].text), &bad,
					      rec_cb, &rs);
		if (r != lease_files[i].records || (r >= 0 && bad != lease_files[i].bad))
			fail_msg("%s: %d records, %zu bad; want %d, %zu", lease_files[i].what, r, bad,
				 lease_files[i].records, lease_files[i].bad);
	}
	/* the NUL row: strlen cut it, so with its real length the NUL line is bad */
	const char t[] = "lifeboat-dhcp4-leases 1\n02:00:00:00:00:0a 192.0.2.1 1\0\n- 1.2.3.4 5\n";
	struct recs rs = {.n = 0};
	size_t bad;
	assert_int_equal(dhcp4_leasefile_parse(t, sizeof t - 1, &bad, rec_cb, &rs), 1);
	assert_int_equal(bad, 1);
	assert_true(rs.v[0].declined);
	assert_int_equal(rs.v[0].expires, 5);
}

static void test_leasefile_roundtrip(void **state)
{
	(void)state;
	struct dhcp4_lease_rec in[2] = {
	    {.mac = {0xde, 0xad, 0xbe, 0xef, 0, 1}, .ip = {192, 0, 2, 9}, .expires = 1800000000},
	    {.declined = true, .ip = {198, 51, 100, 255}, .expires = 0},
	};
	char text[512];
	size_t len = (size_t)snprintf(text, sizeof text, "%s\n", DHCP4_LEASEFILE_MAGIC);
	for (int i = 0; i < 2; i++) {
		int k = dhcp4_leasefile_line(&in[i], text + len, sizeof text - len);
		assert_true(k > 0);
		len += (size_t)k;
	}
	char tiny[8];
	assert_int_equal(dhcp4_leasefile_line(&in[0], tiny, sizeof tiny), -ENOBUFS);
	/* written atomically into a directory, read back */
	char dir[] = "/tmp/lb-leases-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	char *buf;
	size_t n;
	assert_int_equal(dhcp4_leasefile_read(dfd, "l", &buf, &n), -ENOENT);
	assert_int_equal(dhcp4_leasefile_write(dfd, "l", "old", 3), 0);
	assert_int_equal(dhcp4_leasefile_write(dfd, "l", text, len), 0);
	assert_int_equal(faccessat(dfd, "l.tmp", F_OK, 0), -1); /* no temporary left */
	assert_int_equal(dhcp4_leasefile_read(dfd, "l", &buf, &n), 0);
	assert_int_equal(n, len);
	struct recs rs = {.n = 0};
	size_t bad;
	assert_int_equal(dhcp4_leasefile_parse(buf, n, &bad, rec_cb, &rs), 2);
	assert_int_equal(bad, 0);
	assert_memory_equal(rs.v[0].mac, in[0].mac, 6);
	assert_memory_equal(rs.v[0].ip, in[0].ip, 4);
	assert_int_equal(rs.v[0].expires, in[0].expires);
	assert_true(rs.v[1].declined);
	assert_memory_equal(rs.v[1].ip, in[1].ip, 4);
	free(buf);
	unlinkat(dfd, "l", 0);
	close(dfd);
	rmdir(dir);
}

static void test_option_parsing(void **state)
{
	(void)state;
	struct dhcp4_full_config c;
	const char *why;
	static const struct {
		const char *spec;
		int ret;
		uint32_t lease;
	} ranges[] = {
	    {"192.0.2.10,192.0.2.20", 0, 3600},	 {"192.0.2.10,192.0.2.20,600", 0, 600},
	    {"192.0.2.10,192.0.2.20,90m", 0, 5400}, {"192.0.2.10,192.0.2.20,7d", 0, 604800},
	    {"192.0.2.10,192.0.2.10,12h", 0, 43200}, {"192.0.2.20,192.0.2.10", -EINVAL, 0},
	    {"192.0.2.10", -EINVAL, 0},			 {"192.0.2.10,", -EINVAL, 0},
	    {"192.0.2.10,192.0.2.x", -EINVAL, 0},	 {"192.0.2.10,192.0.2.20,60", -EINVAL, 0},
	    {"192.0.2.10,192.0.2.20,1y", -EINVAL, 0},	 {"192.0.2.10,192.0.2.20,400d", -EINVAL, 0},
	    {"10.0.0.0,10.0.16.0", -EINVAL, 0},	 {"10.0.0.0,10.0.15.255", 0, 3600},
	    {"2001:db8::1,2001:db8::2", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		memset(&c, 0, sizeof c);
		int r = dhcp4_range_parse(ranges[i].spec, &c, &why);
		if (r != ranges[i].ret || (!r && c.lease_secs != ranges[i].lease))
			fail_msg("%s: %d lease %u", ranges[i].spec, r, c.lease_secs);
	}
	memset(&c, 0, sizeof c);
	for (int i = 0; i < 4; i++)
		assert_int_equal(dhcp4_ip_list_add("192.0.2.53", c.dns, &c.n_dns, 4, &why), 0);
	assert_int_equal(dhcp4_ip_list_add("192.0.2.53", c.dns, &c.n_dns, 4, &why), -E2BIG);
	assert_int_equal(dhcp4_ip_list_add("dns.example", c.dns, &c.n_dns, 4, &why), -EINVAL);
	/* --host: an address is a reservation, anything else a boot rule */
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0a=192.0.2.5", &c, &why), 1);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0b=192.0.2.6,web-1.lab", &c, &why), 1);
	assert_string_equal(c.resv[1].name, "web-1.lab");
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0c=pxelinux.0", &c, &why), 0);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0c=bios:x.0", &c, &why), 0);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0c=ignore", &c, &why), 0);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:*=192.0.2.7", &c, &why), -EINVAL);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0c=192.0.2.7,bad name", &c, &why),
			 -EINVAL);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0a=192.0.2.8", &c, &why), -EINVAL);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0d=192.0.2.5", &c, &why), -EINVAL);
	assert_non_null(dhcp4_resv_for(&c, MAC_A));
	assert_null(dhcp4_resv_for(&c, (const uint8_t[6]){2, 0, 0, 0, 0, 0xc}));
	/* default ranges */
	uint32_t s, e;
	assert_int_equal(dhcp4_default_range((uint8_t[]){192, 0, 2, 2}, (uint8_t[]){255, 255, 255, 0},
					     &s, &e),
			 0);
	assert_int_equal(s, IP(192, 0, 2, 128));
	assert_int_equal(e, IP(192, 0, 2, 254));
	assert_int_equal(dhcp4_default_range((uint8_t[]){10, 1, 2, 3}, (uint8_t[]){255, 0, 0, 0}, &s,
					     &e),
			 0);
	assert_int_equal(e - s + 1, DHCP4_POOL_MAX);
	assert_int_equal(e, IP(10, 255, 255, 254));
	assert_int_equal(dhcp4_default_range((uint8_t[]){192, 0, 2, 2},
					     (uint8_t[]){255, 255, 255, 252}, &s, &e),
			 -ERANGE);
}

/* A request as a client would send it. */
struct req {
	uint8_t type;
	const uint8_t *mac;
	uint32_t ciaddr, reqip, sid;
};

static size_t build_req(const struct req *q, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	struct dhcp4_hdr h = {.op = DHCP4_BOOTREQUEST, .xid = 7, .hlen = 6};
	wbuf_init(&w, buf, cap);
	memcpy(h.chaddr, q->mac, 6);
	dhcp4_u32_ip(q->ciaddr, h.ciaddr);
	assert_int_equal(dhcp4_build_header(&w, &h), 0);
	assert_int_equal(dhcp4_build_opt_u8(&w, DHCP4_OPT_MSG_TYPE, q->type), 0);
	uint8_t ip[4];
	if (q->reqip) {
		dhcp4_u32_ip(q->reqip, ip);
		assert_int_equal(dhcp4_build_opt(&w, DHCP4_OPT_REQ_IP, ip, 4), 0);
	}
	if (q->sid) {
		dhcp4_u32_ip(q->sid, ip);
		assert_int_equal(dhcp4_build_opt(&w, DHCP4_OPT_SERVER_ID, ip, 4), 0);
	}
	assert_int_equal(dhcp4_build_end(&w), 0);
	return w.len;
}

struct fixture {
	struct dhcp4_full_config cfg;
	struct dhcp4_pool *pool;
	struct dhcp4_full_net net;
};

static void fixture_init(struct fixture *f)
{
	const char *why;
	memset(&f->cfg, 0, sizeof f->cfg);
	f->cfg.lease_secs = 3600;
	f->cfg.no_probe = true;
	f->cfg.router_set = true;
	dhcp4_u32_ip(IP(192, 0, 2, 1), f->cfg.router);
	dhcp4_ip_list_add("192.0.2.53", f->cfg.dns, &f->cfg.n_dns, 4, &why);
	f->cfg.domain = "lab.example";
	f->cfg.mtu = 1400;
	dhcp4_ip_list_add("192.0.2.123", f->cfg.ntp, &f->cfg.n_ntp, 4, &why);
	assert_int_equal(dhcp4_resv_parse("02:00:00:00:00:0c=192.0.2.50,cee", &f->cfg, &why), 1);
	f->pool = pool4();
	f->net = (struct dhcp4_full_net){.cfg = &f->cfg, .pool = f->pool};
	dhcp4_u32_ip(IP(192, 0, 2, 2), f->net.ip);
	dhcp4_u32_ip(IP(255, 255, 255, 0), f->net.mask);
}

static enum dhcp4_full_kind decide(struct fixture *f, const struct req *q, int64_t now,
				   struct dhcp4_full_decision *d)
{
	uint8_t buf[600];
	struct dhcp4_msg *m = malloc(sizeof *m);
	assert_non_null(m);
	size_t n = build_req(q, buf, sizeof buf);
	assert_int_equal(dhcp4_parse(buf, n, m), 0);
	dhcp4_full_decide(&f->net, m, now, d);
	free(m);
	return d->kind;
}

#define SID IP(192, 0, 2, 2)

static void test_decide_each_type(void **state)
{
	(void)state;
	struct fixture f;
	struct dhcp4_full_decision d;
	fixture_init(&f);
	const uint8_t MAC_C[6] = {2, 0, 0, 0, 0, 0xc};
	/* DORA */
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_A, 0, 0, 0}, 10, &d), D4F_OFFER);
	uint32_t a = dhcp4_ip_u32(d.ip);
	assert_true(d.pool);
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_A, 0, a, SID}, 11, &d), D4F_ACK);
	assert_int_equal(dhcp4_ip_u32(d.ip), a);
	/* selecting another server: silent */
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_B, 0, a, IP(192, 0, 2, 9)}, 12, &d),
			 D4F_SILENT);
	/* selecting our server for A's address: NAK */
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_B, 0, a, SID}, 12, &d), D4F_NAK);
	/* init-reboot: A's own (ACK), another subnet (NAK), unknown (silent) */
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_A, 0, a, 0}, 13, &d), D4F_ACK);
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_A, 0, IP(10, 0, 0, 5), 0}, 13, &d),
			 D4F_NAK);
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_B, 0, IP(192, 0, 2, 150), 0}, 13,
				&d),
			 D4F_SILENT);
	/* renew (ciaddr): ACK; rebind of another subnet's address: silent */
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_A, a, 0, 0}, 1800, &d), D4F_ACK);
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_A, IP(10, 0, 0, 5), 0, 0}, 1800, &d),
			 D4F_SILENT);
	/* renew of A's address by B: NAK */
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_B, a, 0, 0}, 1801, &d), D4F_NAK);
	/* INFORM: options without an address; without ciaddr: silent */
	assert_int_equal(decide(&f, &(struct req){DHCP4_INFORM, MAC_B, IP(192, 0, 2, 7), 0, 0}, 1802, &d),
			 D4F_INFORM);
	assert_int_equal(decide(&f, &(struct req){DHCP4_INFORM, MAC_B, 0, 0, 0}, 1802, &d), D4F_SILENT);
	/* RELEASE: only with our server id and by its holder */
	assert_int_equal(decide(&f, &(struct req){DHCP4_RELEASE, MAC_A, a, 0, IP(192, 0, 2, 9)}, 1803,
				&d),
			 D4F_SILENT);
	assert_int_equal(dhcp4_pool_live(f.pool, 1803), 1);
	assert_int_equal(decide(&f, &(struct req){DHCP4_RELEASE, MAC_A, a, 0, SID}, 1803, &d),
			 D4F_SILENT);
	assert_string_equal(d.what, "release");
	assert_null(d.why);
	assert_int_equal(dhcp4_pool_live(f.pool, 1803), 0);
	/* DECLINE after a new lease: blocked, A gets another address */
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_A, 0, a, SID}, 1804, &d), D4F_ACK);
	assert_int_equal(decide(&f, &(struct req){DHCP4_DECLINE, MAC_A, 0, a, SID}, 1805, &d),
			 D4F_SILENT);
	assert_null(d.why);
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_A, 0, 0, 0}, 1806, &d), D4F_OFFER);
	assert_int_not_equal(dhcp4_ip_u32(d.ip), a);
	/* a reservation: its address, its name; another address: NAK */
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_C, 0, 0, 0}, 1807, &d), D4F_OFFER);
	assert_int_equal(dhcp4_ip_u32(d.ip), IP(192, 0, 2, 50));
	assert_string_equal(d.hostname, "cee");
	assert_false(d.pool);
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_C, 0, IP(192, 0, 2, 50), SID},
				1808, &d),
			 D4F_ACK);
	assert_int_equal(decide(&f, &(struct req){DHCP4_REQUEST, MAC_C, 0, IP(192, 0, 2, 51), SID},
				1808, &d),
			 D4F_NAK);
	/* probes: with probing on, a fresh address asks for one */
	f.cfg.no_probe = false;
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_B, 0, 0, 0}, 1809, &d), D4F_PROBE);
	dhcp4_pool_probed(f.pool, dhcp4_ip_u32(d.ip));
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_B, 0, 0, 0}, 1810, &d), D4F_OFFER);
	/* no pool on this subnet: reservations only */
	f.net.pool = NULL;
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_B, 0, 0, 0}, 1811, &d), D4F_SILENT);
	assert_int_equal(decide(&f, &(struct req){DHCP4_DISCOVER, MAC_C, 0, 0, 0}, 1811, &d), D4F_OFFER);
	free(f.pool);
}

/* Option value in a built reply, or NULL. */
static const uint8_t *reply_opt(const uint8_t *buf, size_t n, uint8_t code, size_t *len,
				struct dhcp4_msg *m)
{
	assert_int_equal(dhcp4_parse(buf, n, m), 0);
	return dhcp4_opt(m, code, len);
}

static void test_options_and_replies(void **state)
{
	(void)state;
	struct fixture f;
	struct dhcp4_full_decision d;
	uint8_t extra[512], out[1024], req[600];
	struct dhcp4_msg *m = malloc(sizeof *m), *rm = malloc(sizeof *rm);
	struct wbuf e, w;
	size_t len;
	fixture_init(&f);
	const uint8_t MAC_C[6] = {2, 0, 0, 0, 0, 0xc};
	struct req q = {DHCP4_DISCOVER, MAC_C, 0, 0, 0};
	size_t n = build_req(&q, req, sizeof req);
	assert_int_equal(dhcp4_parse(req, n, m), 0);
	dhcp4_full_decide(&f.net, m, 5, &d);
	wbuf_init(&e, extra, sizeof extra);
	assert_int_equal(dhcp4_full_options(&e, &f.net, &d), 0);
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(dhcp4_full_build(&w, m, &f.net, &d, extra, e.len), 0);
	assert_int_equal(reply_opt(out, w.len, 53, &len, rm)[0], DHCP4_OFFER);
	assert_memory_equal(rm->yiaddr, ((uint8_t[]){192, 0, 2, 50}), 4);
	assert_memory_equal(reply_opt(out, w.len, 54, &len, rm), ((uint8_t[]){192, 0, 2, 2}), 4);
	assert_memory_equal(reply_opt(out, w.len, 1, &len, rm), ((uint8_t[]){255, 255, 255, 0}), 4);
	assert_memory_equal(reply_opt(out, w.len, 28, &len, rm), ((uint8_t[]){192, 0, 2, 255}), 4);
	assert_memory_equal(reply_opt(out, w.len, 3, &len, rm), ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_memory_equal(reply_opt(out, w.len, 6, &len, rm), ((uint8_t[]){192, 0, 2, 53}), 4);
	assert_memory_equal(reply_opt(out, w.len, 15, &len, rm), "lab.example", 11);
	assert_memory_equal(reply_opt(out, w.len, 26, &len, rm), ((uint8_t[]){0x05, 0x78}), 2);
	assert_memory_equal(reply_opt(out, w.len, 42, &len, rm), ((uint8_t[]){192, 0, 2, 123}), 4);
	assert_memory_equal(reply_opt(out, w.len, 12, &len, rm), "cee", 3);
	assert_memory_equal(reply_opt(out, w.len, 51, &len, rm), ((uint8_t[]){0, 0, 0x0e, 0x10}), 4);
	assert_memory_equal(reply_opt(out, w.len, 58, &len, rm), ((uint8_t[]){0, 0, 0x07, 0x08}), 4);
	assert_memory_equal(reply_opt(out, w.len, 59, &len, rm), ((uint8_t[]){0, 0, 0x0c, 0x4e}), 4);
	/* a NAK carries no address and no options */
	d.kind = D4F_NAK;
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(dhcp4_full_build(&w, m, &f.net, &d, extra, e.len), 0);
	assert_int_equal(reply_opt(out, w.len, 53, &len, rm)[0], DHCP4_NAK);
	assert_memory_equal(rm->yiaddr, "\0\0\0\0", 4);
	assert_null(reply_opt(out, w.len, 51, &len, rm));
	/* INFORM: no lease times */
	d.kind = D4F_INFORM;
	wbuf_init(&e, extra, sizeof extra);
	assert_int_equal(dhcp4_full_options(&e, &f.net, &d), 0);
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(dhcp4_full_build(&w, m, &f.net, &d, extra, e.len), 0);
	assert_null(reply_opt(out, w.len, 51, &len, rm));
	assert_non_null(reply_opt(out, w.len, 6, &len, rm));
	/* no room: -ENOBUFS */
	d.kind = D4F_ACK;
	wbuf_init(&e, extra, 20);
	assert_int_equal(dhcp4_full_options(&e, &f.net, &d), -ENOBUFS);
	wbuf_init(&w, out, 100);
	assert_int_equal(dhcp4_full_build(&w, m, &f.net, &d, extra, 0), -ENOBUFS);
	free(m);
	free(rm);
	free(f.pool);
}

/* Malformed or odd requests: what the decision is, and nothing changes. */
static void test_malformed_requests(void **state)
{
	(void)state;
	struct fixture f;
	struct dhcp4_full_decision d;
	fixture_init(&f);
	static const struct {
		const char *what;
		struct req q;
		enum dhcp4_full_kind kind;
	} rows[] = {
	    {"REQUEST with nothing", {DHCP4_REQUEST, MAC_A, 0, 0, 0}, D4F_SILENT},
	    {"REQUEST for 0.0.0.0 selecting us", {DHCP4_REQUEST, MAC_A, 0, 0, SID}, D4F_SILENT},
	    {"DECLINE without option 50", {DHCP4_DECLINE, MAC_A, 0, 0, SID}, D4F_SILENT},
	    {"DECLINE of an address not leased", {DHCP4_DECLINE, MAC_A, 0, IP(192, 0, 2, 101), SID},
	     D4F_SILENT},
	    {"RELEASE without ciaddr", {DHCP4_RELEASE, MAC_A, 0, 0, SID}, D4F_SILENT},
	    {"RELEASE of an address outside", {DHCP4_RELEASE, MAC_A, IP(10, 0, 0, 1), 0, SID},
	     D4F_SILENT},
	    {"OFFER sent to a server", {DHCP4_OFFER, MAC_A, 0, 0, 0}, D4F_SILENT},
	    {"ACK sent to a server", {DHCP4_ACK, MAC_A, 0, 0, 0}, D4F_SILENT},
	    {"NAK sent to a server", {DHCP4_NAK, MAC_A, 0, 0, 0}, D4F_SILENT},
	    {"selecting a broadcast address", {DHCP4_REQUEST, MAC_A, 0, IP(192, 0, 2, 255), SID},
	     D4F_NAK},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		enum dhcp4_full_kind k = decide(&f, &rows[i].q, 100, &d);
		if (k != rows[i].kind)
			fail_msg("%s: kind %d, want %d", rows[i].what, k, rows[i].kind);
		if (dhcp4_pool_live(f.pool, 100) != 0)
			fail_msg("%s: changed the pool", rows[i].what);
	}
	/* bytes the parser refuses never reach the decision */
	static const struct {
		const char *what;
		const char *bytes;
		size_t n;
	} bad[] = {
	    {"empty", "", 0},
	    {"short header", "\x01\x01\x06", 3},
	};
	struct dhcp4_msg *m = malloc(sizeof *m);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(dhcp4_parse(bad[i].bytes, bad[i].n, m), -EBADMSG);
	/* option 53 out of range */
	uint8_t buf[600];
	size_t n = build_req(&(struct req){DHCP4_DISCOVER, MAC_A, 0, 0, 0}, buf, sizeof buf);
	buf[DHCP4_FIXED_LEN + 4 + 2] = 9;
	assert_int_equal(dhcp4_parse(buf, n, m), -EBADMSG);
	free(m);
	free(f.pool);
}

static void test_arp_wire(void **state)
{
	(void)state;
	uint8_t f[ARP_WIRE_LEN];
	struct arp_pkt a;
	arp_wire_probe(f, MAC_A, (uint8_t[]){192, 0, 2, 9});
	assert_int_equal(arp_wire_parse(f, sizeof f, &a), 0);
	assert_int_equal(a.op, 1);
	assert_memory_equal(a.sha, MAC_A, 6);
	assert_memory_equal(a.spa, "\0\0\0\0", 4);
	assert_memory_equal(a.tpa, ((uint8_t[]){192, 0, 2, 9}), 4);
	assert_int_equal(arp_wire_parse(f, sizeof f - 1, &a), -EBADMSG);
	f[7] = 3; /* op 3 (RARP) */
	assert_int_equal(arp_wire_parse(f, sizeof f, &a), -EBADMSG);
	f[7] = 2;
	f[4] = 8; /* hardware length 8 */
	assert_int_equal(arp_wire_parse(f, sizeof f, &a), -EBADMSG);
	f[4] = 6;
	f[2] = 0x86; /* IPv6 protocol type */
	assert_int_equal(arp_wire_parse(f, sizeof f, &a), -EBADMSG);
}

/* The per-interface switch auto mode turns: default from --mode, then
 * whatever was set last; a proxy-mode server never serves addresses. */
static void test_addressing_switch(void **state)
{
	(void)state;
	struct loop l;
	struct bootplan plan = {0};
	struct iface_set ifs = {0};
	struct dhcp4_full_config full = {.mode = DHCP4_MODE_DHCP, .no_probe = true};
	uint16_t which, p = (uint16_t)(30000 + (getpid() * 7) % 20000);
	assert_int_equal(loop_init(&l), 0);
	for (int mode = DHCP4_MODE_DHCP; mode >= DHCP4_MODE_PROXY; mode--) {
		struct dhcp4_server *s = NULL;
		int r = -EADDRINUSE;
		full.mode = mode;
		for (int k = 0; k < 50 && r == -EADDRINUSE; k++, p += 2) {
			struct dhcp4_server_config cfg = {.plan = &plan,
							  .ifs = &ifs,
							  .port = p,
							  .binl_port = (uint16_t)(p + 1),
							  .full = &full,
							  .lease_dirfd = -1};
			r = dhcp4_server_start(&s, &l, &cfg, &which);
		}
		assert_int_equal(r, 0);
		bool dhcp = mode == DHCP4_MODE_DHCP;
		assert_int_equal(dhcp4_server_addressing(s, 3), dhcp);
		dhcp4_server_set_addressing(s, 3, false);
		assert_false(dhcp4_server_addressing(s, 3));
		assert_int_equal(dhcp4_server_addressing(s, 4), dhcp); /* others unchanged */
		dhcp4_server_set_addressing(s, 3, true);
		assert_int_equal(dhcp4_server_addressing(s, 3), dhcp);
		dhcp4_server_stop(s);
	}
	loop_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool),
	    cmocka_unit_test(test_pool_full_and_expiry),
	    cmocka_unit_test(test_leasefile_parse),
	    cmocka_unit_test(test_leasefile_roundtrip),
	    cmocka_unit_test(test_option_parsing),
	    cmocka_unit_test(test_decide_each_type),
	    cmocka_unit_test(test_options_and_replies),
	    cmocka_unit_test(test_malformed_requests),
	    cmocka_unit_test(test_arp_wire),
	    cmocka_unit_test(test_addressing_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
