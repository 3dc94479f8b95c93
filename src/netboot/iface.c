/* iface: reads the served interfaces, their addresses and MTU with
 * getifaddrs(). */
#include "netboot/iface.h"

#include <errno.h>
#include <stdio.h>
#include <ifaddrs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static bool iface_wanted(const struct iface_set *s, const char *name, unsigned flags)
{
	if (s->n_want == 0)
		return (flags & IFF_UP) && !(flags & IFF_LOOPBACK);
	for (size_t i = 0; i < s->n_want; i++)
		if (!strcmp(s->want[i], name))
			return true;
	return false;
}

static struct iface *iface_get(struct iface_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	if (s->n == IFACE_MAX)
		return NULL;
	struct iface *f = &s->v[s->n];
	unsigned idx = if_nametoindex(name);
	if (!idx)
		return NULL;
	memset(f, 0, sizeof *f);
	f->index = (int)idx;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->mtu = 1500;
	s->n++;
	return f;
}

static unsigned iface_mtu(int sock, const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (sock >= 0 && ioctl(sock, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 576)
		return (unsigned)ifr.ifr_mtu;
	return 1500;
}

int iface_scan(struct iface_set *s, const char **missing)
{
	struct ifaddrs *ifa, *a;
	*missing = NULL;
	for (size_t i = 0; i < s->n_want; i++) {
		if (!if_nametoindex(s->want[i])) {
			*missing = s->want[i];
			return -ENODEV;
		}
	}
	if (getifaddrs(&ifa))
		return -errno;
	s->n = 0;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (a = ifa; a; a = a->ifa_next) {
		if (!a->ifa_addr || !iface_wanted(s, a->ifa_name, a->ifa_flags))
			continue;
		int fam = a->ifa_addr->sa_family;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		struct iface *f = iface_get(s, a->ifa_name);
		if (!f)
			continue;
		f->mtu = iface_mtu(sock, f->name);
		if (fam == AF_INET && !f->has_ip4) {
			const struct sockaddr_in *sin = (const void *)a->ifa_addr;
			memcpy(f->ip4, &sin->sin_addr, 4);
			if (a->ifa_netmask)
				memcpy(f->mask4,
				       &((const struct sockaddr_in *)(const void *)a->ifa_netmask)
					    ->sin_addr,
				       4);
			f->has_ip4 = true;
		} else if (fam == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)a->ifa_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) {
				if (!f->has_ip6_ll) {
					f->ip6_ll = sin6->sin6_addr;
					f->has_ip6_ll = true;
				}
			} else if (!f->has_ip6) {
				f->ip6 = sin6->sin6_addr;
				f->has_ip6 = true;
			}
		}
	}
	if (sock >= 0)
		close(sock);
	freeifaddrs(ifa);
	return 0;
}

const struct iface *iface_by_index(const struct iface_set *s, int index)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].index == index)
			return &s->v[i];
	return NULL;
}

const struct iface *iface_for_packet(struct iface_set *s, int index, bool *rescanned)
{
	const struct iface *ifc = iface_by_index(s, index);
	*rescanned = false;
	if (ifc || s->n_want)
		return ifc;
	const char *missing;
	iface_scan(s, &missing);
	*rescanned = true;
	return iface_by_index(s, index);
}

size_t iface_count_ip4(const struct iface_set *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].has_ip4;
	return n;
}
