/* leasefile: networkd and dhclient DHCPv4 lease files (see leasefile.h). */
#include "rescue/leasefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* The next line (without its newline) from r; -EBADMSG on a NUL byte,
 * -ENOENT at the end. */
static int next_line(struct rbuf *r, const char **s, size_t *n)
{
	size_t left = rbuf_left(r);
	if (!left)
		return -ENOENT;
	const uint8_t *p = r->p + r->off, *line;
	const uint8_t *nl = memchr(p, '\n', left);
	*n = nl ? (size_t)(nl - p) : left;
	if (rbuf_ptr(r, *n, &line) || (nl && rbuf_skip(r, 1)) || memchr(line, 0, *n))
		return -EBADMSG;
	*s = (const char *)line;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

int leasefile_ip(const char *s, size_t n, uint8_t out[4])
{
	unsigned part = 0, val = 0, digits = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!digits || part > 3)
				return -EINVAL;
			out[part++] = (uint8_t)val;
			val = digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || ++digits > 3)
			return -EINVAL;
		val = val * 10 + (unsigned)(s[i] - '0');
		if (val > 255)
			return -EINVAL;
	}
	return part == 4 ? 0 : -EINVAL;
}

static bool u32_of(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	if (!n || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* A list of addresses separated by spaces or commas into l->dns. */
static void dns_list(const char *s, size_t n, struct lease4 *l)
{
	size_t i = 0;
	while (i < n && l->n_dns < LEASE4_MAX_DNS) {
		while (i < n && (s[i] == ' ' || s[i] == ','))
			i++;
		size_t j = i;
		while (j < n && s[j] != ' ' && s[j] != ',')
			j++;
		if (j > i && !leasefile_ip(s + i, j - i, l->dns[l->n_dns]))
			l->n_dns++;
		i = j;
	}
}

static bool key_is(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);
	if (n < k || memcmp(s, key, k))
		return false;
	*v = s + k;
	*vn = n - k;
	return true;
}

int leasefile_networkd(const void *text, size_t len, struct lease4 *l)
{
	struct rbuf r;
	const char *s, *v;
	size_t n, vn;
	bool have = false;
	int rc;
	memset(l, 0, sizeof *l);
	rbuf_init(&r, text, len);
	while (!(rc = next_line(&r, &s, &n))) {
		trim(&s, &n);
		if (key_is(s, n, "ADDRESS=", &v, &vn))
			have = !leasefile_ip(v, vn, l->addr);
		else if (key_is(s, n, "NETMASK=", &v, &vn))
			l->has_mask = !leasefile_ip(v, vn, l->mask);
		else if (key_is(s, n, "ROUTER=", &v, &vn)) {
			/* networkd may list several: the first. */
			size_t k = 0;
			while (k < vn && v[k] != ' ')
				k++;
			l->has_router = !leasefile_ip(v, k, l->router);
		} else if (key_is(s, n, "SERVER_ADDRESS=", &v, &vn))
			l->has_server = !leasefile_ip(v, vn, l->server);
		else if (key_is(s, n, "LIFETIME=", &v, &vn)) {
			if (!u32_of(v, vn, &l->lease_s))
				l->lease_s = 0;
		} else if (key_is(s, n, "DNS=", &v, &vn))
			dns_list(v, vn, l);
	}
	if (rc == -EBADMSG)
		return rc;
	return have ? 0 : -ENOENT;
}

int64_t leasefile_days(int y, int m, int d)
{
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "3 2026/12/03 18:12:31" (weekday, UTC date and time) or "epoch N". */
static int64_t when(const char *s, size_t n)
{
	char buf[64];
	int wd, y, mo, d, h, mi, se;
	long long ep;
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (sscanf(buf, "epoch %lld", &ep) == 1)
		return ep > 0 ? ep : 0;
	if (sscanf(buf, "%d %d/%d/%d %d:%d:%d", &wd, &y, &mo, &d, &h, &mi, &se) != 7 || y < 1970 ||
	    y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 60)
		return 0;
	return leasefile_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

/* One statement inside a lease block ("option routers 1.2.3.4"), without
 * its ';'. */
static void dhclient_stmt(const char *s, size_t n, struct lease4 *l, bool *have)
{
	const char *v;
	size_t vn;
	if (key_is(s, n, "interface \"", &v, &vn)) {
		if (vn && v[vn - 1] == '"' && vn - 1 < sizeof l->ifname) {
			memcpy(l->ifname, v, vn - 1);
			l->ifname[vn - 1] = 0;
		}
	} else if (key_is(s, n, "fixed-address ", &v, &vn)) {
		*have = !leasefile_ip(v, vn, l->addr);
	} else if (key_is(s, n, "option subnet-mask ", &v, &vn)) {
		l->has_mask = !leasefile_ip(v, vn, l->mask);
	} else if (key_is(s, n, "option routers ", &v, &vn)) {
		size_t k = 0;
		while (k < vn && v[k] != ',' && v[k] != ' ')
			k++;
		l->has_router = !leasefile_ip(v, k, l->router);
	} else if (key_is(s, n, "option dhcp-server-identifier ", &v, &vn)) {
		l->has_server = !leasefile_ip(v, vn, l->server);
	} else if (key_is(s, n, "option dhcp-lease-time ", &v, &vn)) {
		if (!u32_of(v, vn, &l->lease_s))
			l->lease_s = 0;
	} else if (key_is(s, n, "option domain-name-servers ", &v, &vn)) {
		dns_list(v, vn, l);
	} else if (key_is(s, n, "expire ", &v, &vn)) {
		l->expire = when(v, vn);
	}
}

int leasefile_dhclient(const void *text, size_t len, const char *ifname, struct lease4 *l)
{
	struct rbuf r;
	struct lease4 cur;
	const char *s;
	size_t n;
	bool in = false, have = false, found = false;
	int rc;
	memset(l, 0, sizeof *l);
	rbuf_init(&r, text, len);
	while (!(rc = next_line(&r, &s, &n))) {
		trim(&s, &n);
		if (!in) {
			if (n >= 5 && !memcmp(s, "lease", 5) && s[n - 1] == '{') {
				in = true;
				have = false;
				memset(&cur, 0, sizeof cur);
			}
			continue;
		}
		if (n == 1 && s[0] == '}') {
			in = false;
			if (have && (!ifname || !*ifname || !strcmp(cur.ifname, ifname))) {
				*l = cur;
				found = true;
			}
			continue;
		}
		/* "expire epoch N; # date": a comment (never inside a quote). */
		const char *hash = memchr(s, '#', n);
		if (hash && !memchr(s, '"', n)) {
			n = (size_t)(hash - s);
			trim(&s, &n);
		}
		if (n && s[n - 1] == ';')
			dhclient_stmt(s, n - 1, &cur, &have);
	}
	if (rc == -EBADMSG)
		return rc;
	return found ? 0 : -ENOENT;
}
