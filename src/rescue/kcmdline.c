/* kcmdline: the rescue init's reading of /proc/cmdline (pure). */
#include "rescue/kcmdline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* Copies the next word of *s into w (cap bytes): words end at unquoted
 * blanks, double quotes are removed (the kernel's next_arg() rules).
 * Returns the word's length, or -1 at the end, -2 when it did not fit. */
static int next_word(const char **s, char *w, size_t cap)
{
	const char *p = *s;
	size_t n = 0;
	bool quoted = false, over = false;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return -1;
	for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < cap)
			w[n++] = *p;
		else
			over = true;
	}
	w[n] = 0;
	*s = p;
	return over ? -2 : (int)n;
}

static bool set_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n >= cap)
		return false;
	memcpy(dst, v, n + 1);
	return true;
}

static int ip4(const char *s, size_t n, uint8_t out[4])
{
	char tmp[16];
	if (!n)
		return 0;
	if (n >= sizeof tmp)
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return inet_pton(AF_INET, tmp, out) == 1 ? 0 : -EINVAL;
}

static bool word_is(const char *s, size_t n, const char *const *set)
{
	for (; *set; set++)
		if (strlen(*set) == n && !strncmp(s, *set, n))
			return true;
	return false;
}

static const char *const dhcp_words[] = {"dhcp", "on", "any", "both", "bootp", "rarp", NULL};
static const char *const off_words[] = {"off", "none", NULL};

/* One field of client:server:gw:netmask:hostname:device:autoconf:dns0:dns1 */
static int ip_field(struct kcmd_ip *ip, int i, const char *f, size_t n)
{
	uint8_t ignored[4];
	switch (i) {
	case 0:
		return ip4(f, n, ip->addr);
	case 1:
		return ip4(f, n, ignored); /* the NFS server: not ours */
	case 2:
		return ip4(f, n, ip->gw);
	case 3:
		ip->has_mask = n > 0;
		return ip4(f, n, ip->mask);
	case 4:
		if (n >= sizeof ip->hostname)
			return -EINVAL;
		memcpy(ip->hostname, f, n);
		ip->hostname[n] = 0;
		return 0;
	case 5:
		if (n >= sizeof ip->device)
			return -EINVAL;
		memcpy(ip->device, f, n);
		ip->device[n] = 0;
		return 0;
	case 6:
		if (!n)
			return 0;
		if (word_is(f, n, dhcp_words))
			return 1; /* asked for by name */
		if (word_is(f, n, off_words) || (n == 6 && !strncmp(f, "static", 6))) {
			ip->mode = KCMD_IP_STATIC;
			return 0;
		}
		return -EINVAL;
	case 7:
	case 8:
		if (!n)
			return 0;
		if (ip4(f, n, ip->dns[ip->n_dns]))
			return -EINVAL;
		ip->n_dns++;
		return 0;
	default:
		return 0; /* ntp server and later fields */
	}
}

int kcmdline_parse_ip(const char *v, struct kcmd_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	ip->mode = KCMD_IP_DHCP;
	if (word_is(v, strlen(v), off_words)) {
		ip->mode = KCMD_IP_OFF;
		return 0;
	}
	if (word_is(v, strlen(v), dhcp_words))
		return 0;
	const char *f = v;
	bool named_dhcp = false;
	for (int i = 0;; i++) {
		const char *c = strchr(f, ':');
		size_t n = c ? (size_t)(c - f) : strlen(f);
		int r = ip_field(ip, i, f, n);
		if (r < 0)
			goto bad;
		named_dhcp |= r == 1;
		if (!c)
			break;
		f = c + 1;
	}
	/* The kernel: a client address with autoconf off/empty is static;
	 * without a client address it is autoconfiguration. */
	if (ip->addr[0] && !named_dhcp)
		ip->mode = KCMD_IP_STATIC;
	if (ip->mode == KCMD_IP_STATIC && !ip->addr[0])
		goto bad;
	return 0;
bad:
	memset(ip, 0, sizeof *ip);
	ip->mode = KCMD_IP_DHCP;
	return -EINVAL;
}

static void add_console(struct kcmdline *k, const char *v)
{
	char name[32];
	size_t n = strcspn(v, ",");
	if (!n || n >= sizeof name || k->n_consoles >= KCMD_MAX_CONSOLES)
		return;
	memcpy(name, v, n);
	name[n] = 0;
	if (strchr(name, '/')) /* console=/dev/ttyS0 is not valid, and not a path for us */
		return;
	for (unsigned i = 0; i < k->n_consoles; i++)
		if (!strcmp(k->consoles[i], name))
			return;
	memcpy(k->consoles[k->n_consoles++], name, n + 1);
}

void kcmdline_parse(const char *text, struct kcmdline *k, const char **bad)
{
	char w[1400];
	const char *s = text;
	memset(k, 0, sizeof *k);
	k->ip.mode = KCMD_IP_DHCP;
	if (bad)
		*bad = NULL;
	for (;;) {
		const char *start = s;
		while (*start == ' ' || *start == '\t' || *start == '\n')
			start++;
		int n = next_word(&s, w, sizeof w);
		if (n == -1)
			break;
		bool ok = n >= 0;
		if (ok && !strncmp(w, "lifeboat.home=", 14))
			ok = set_str(k->home, sizeof k->home, w + 14);
		else if (ok && !strncmp(w, "lifeboat.cmd=", 13))
			ok = set_str(k->cmd, sizeof k->cmd, w + 13);
		else if (ok && !strncmp(w, "ip=", 3))
			ok = !kcmdline_parse_ip(w + 3, &k->ip);
		else if (ok && !strncmp(w, "console=", 8))
			add_console(k, w + 8);
		if (!ok && bad && !*bad)
			*bad = start;
	}
}
