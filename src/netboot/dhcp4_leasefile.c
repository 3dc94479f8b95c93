/* dhcp4_leasefile: parse, format and atomic write of the DHCPv4 lease
 * database; see dhcp4_leasefile.h. */
#include "netboot/dhcp4_leasefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

/* The rest of r, without consuming it. */
static const uint8_t *peek(const struct rbuf *r, size_t *left)
{
	struct rbuf c = *r;
	const uint8_t *p = NULL;
	*left = rbuf_left(&c);
	return rbuf_ptr(&c, *left, &p) ? NULL : p;
}

/* The next line of r without its '\n' (a last line may lack it). */
static int next_line(struct rbuf *r, struct rbuf *line)
{
	size_t left, k = 0;
	const uint8_t *p = peek(r, &left);
	if (!p || !left)
		return -ENOENT;
	while (k < left && p[k] != '\n')
		k++;
	if (rbuf_sub(r, k, line))
		return -EBADMSG;
	if (k < left)
		rbuf_skip(r, 1);
	return 0;
}

/* The next space-separated token (printable bytes only) into tok, at most
 * cap - 1 bytes. -ENOENT at the end of the line, -EBADMSG for a bad byte
 * or a token too long. */
static int next_tok(struct rbuf *r, char *tok, size_t cap)
{
	size_t left, i = 0, k;
	const uint8_t *p = peek(r, &left);
	if (!p)
		return -EBADMSG;
	while (i < left && p[i] == ' ')
		i++;
	if (i == left)
		return -ENOENT;
	for (k = i; k < left && p[k] != ' '; k++)
		if (p[k] < 0x21 || p[k] > 0x7e)
			return -EBADMSG;
	if (k - i >= cap)
		return -EBADMSG;
	memcpy(tok, p + i, k - i);
	tok[k - i] = 0;
	return rbuf_skip(r, k);
}

static int parse_hex2(const char *s, uint8_t *v)
{
	unsigned x = 0;
	for (int i = 0; i < 2; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;
		if (d == 16)
			return -EBADMSG;
		x = x * 16 + d;
	}
	*v = (uint8_t)x;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EBADMSG;
	for (int i = 0; i < 6; i++)
		if (parse_hex2(s + 3 * i, &mac[i]) || (i < 5 && s[3 * i + 2] != ':'))
			return -EBADMSG;
	return 0;
}

static int parse_ip(const char *s, uint8_t ip[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, d = 0;
		while (*s >= '0' && *s <= '9' && d < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			d++;
		}
		if (!d || v > 255 || *s != (i < 3 ? '.' : 0))
			return -EBADMSG;
		ip[i] = (uint8_t)v;
		if (i < 3)
			s++;
	}
	return 0;
}

static int parse_time(const char *s, int64_t *t)
{
	int64_t v = 0;
	if (!*s)
		return -EBADMSG;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -EBADMSG;
		v = v * 10 + (*s - '0');
	}
	*t = v;
	return 0;
}

/* One record line. 0 or -EBADMSG. */
static int parse_rec(struct rbuf *line, struct dhcp4_lease_rec *r)
{
	char a[24], b[24], c[24], extra[4];
	memset(r, 0, sizeof *r);
	if (next_tok(line, a, sizeof a) || next_tok(line, b, sizeof b) ||
	    next_tok(line, c, sizeof c) || next_tok(line, extra, sizeof extra) != -ENOENT)
		return -EBADMSG;
	r->declined = !strcmp(a, "-");
	if (!r->declined && parse_mac(a, r->mac))
		return -EBADMSG;
	if (parse_ip(b, r->ip) || parse_time(c, &r->expires))
		return -EBADMSG;
	return 0;
}

int dhcp4_leasefile_parse(const void *p, size_t n, size_t *bad,
			  void (*fn)(void *arg, const struct dhcp4_lease_rec *r), void *arg)
{
	struct rbuf r, line;
	const uint8_t *first;
	size_t ml = strlen(DHCP4_LEASEFILE_MAGIC);
	int count = 0;
	*bad = 0;
	rbuf_init(&r, p, n);
	if (next_line(&r, &line) || rbuf_left(&line) != ml || rbuf_ptr(&line, ml, &first) ||
	    memcmp(first, DHCP4_LEASEFILE_MAGIC, ml))
		return -EBADMSG;
	while (next_line(&r, &line) == 0) {
		struct dhcp4_lease_rec rec;
		size_t left;
		const uint8_t *h = peek(&line, &left);
		if (!h || !left || h[0] == '#')
			continue;
		if (parse_rec(&line, &rec)) {
			(*bad)++;
			continue;
		}
		fn(arg, &rec);
		count++;
	}
	return count;
}

int dhcp4_leasefile_line(const struct dhcp4_lease_rec *r, char *buf, size_t cap)
{
	int k;
	const uint8_t *m = r->mac, *ip = r->ip;
	if (r->declined)
		k = snprintf(buf, cap, "- %u.%u.%u.%u %lld\n", ip[0], ip[1], ip[2], ip[3],
			     (long long)r->expires);
	else
		k = snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x %u.%u.%u.%u %lld\n", m[0],
			     m[1], m[2], m[3], m[4], m[5], ip[0], ip[1], ip[2], ip[3],
			     (long long)r->expires);
	return k < 0 || (size_t)k >= cap ? -ENOBUFS : k;
}

int dhcp4_leasefile_read(int dirfd, const char *name, char **out, size_t *n)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size > (off_t)DHCP4_LEASEFILE_MAX) {
		int e = errno && st.st_size <= (off_t)DHCP4_LEASEFILE_MAX ? -errno : -EFBIG;
		close(fd);
		return e;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t k = 1;
	while (buf && got < (size_t)st.st_size &&
	       (k = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)k;
	int e = !buf ? -ENOMEM : k < 0 ? -errno : 0;
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	*out = buf;
	*n = got;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int dhcp4_leasefile_write(int dirfd, const char *name, const void *data, size_t n)
{
	char tmp[256];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", name) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	int r = write_all(fd, data, n);
	if (!r && fdatasync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && renameat(dirfd, tmp, dirfd, name))
		r = -errno;
	if (!r && fsync(dirfd))
		r = -errno;
	if (r)
		unlinkat(dirfd, tmp, 0);
	return r;
}
