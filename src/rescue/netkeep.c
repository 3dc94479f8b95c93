/* netkeep: DHCPv4 leases of the old system kept by the RAM system (see
 * netkeep.h). */
#include "rescue/netkeep.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "rescue/dhcp4c.h"
#include "rescue/leasefile.h"
#include "rescue/netup.h"

#define NETKEEP_MAX 4
#define NETKEEP_FILE_MAX 65536

int netkeep_collect(struct carry *c)
{
	char src[300], dst[300], name[IF_NAMESIZE];
	int n = 0;
	DIR *d = opendir("/run/systemd/netif/leases");
	for (struct dirent *de; d && (de = readdir(d));) {
		char *end;
		unsigned long idx = strtoul(de->d_name, &end, 10);
		if (de->d_name[0] == '.' || *end || !idx || !if_indextoname((unsigned)idx, name))
			continue;
		snprintf(src, sizeof src, "/run/systemd/netif/leases/%s", de->d_name);
		snprintf(dst, sizeof dst, NETKEEP_DIR "/networkd/%s", name);
		n += carry_file(c, src, dst) == 0;
	}
	if (d)
		closedir(d);
	d = opendir("/var/lib/dhcp");
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t len = strlen(de->d_name);
		if (strncmp(de->d_name, "dhclient", 8) || len < 7 ||
		    strcmp(de->d_name + len - 7, ".leases") || len > 200)
			continue;
		snprintf(src, sizeof src, "/var/lib/dhcp/%s", de->d_name);
		snprintf(dst, sizeof dst, NETKEEP_DIR "/dhclient/%s", de->d_name);
		n += carry_file(c, src, dst) == 0;
	}
	if (d)
		closedir(d);
	return n;
}

static int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, cap);
	close(fd);
	return n < 0 ? -EIO : (int)n;
}

/* Whether addr is on interface ifname now. */
static bool addr_present(const struct ifaddrs *ifa, const char *ifname, const uint8_t addr[4])
{
	for (; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET ||
		    strcmp(ifa->ifa_name, ifname))
			continue;
		const struct sockaddr_in *sa = (const struct sockaddr_in *)ifa->ifa_addr;
		if (!memcmp(&sa->sin_addr, addr, 4))
			return true;
	}
	return false;
}

struct kept {
	char ifname[16];
	struct dhcp4c_lease lease;
};

static void to_lease(const struct lease4 *f, struct dhcp4c_lease *l)
{
	memset(l, 0, sizeof *l);
	memcpy(l->addr, f->addr, 4);
	if (f->has_server)
		memcpy(l->server, f->server, 4);
	int p = f->has_mask ? dhcp4c_mask_prefix(f->mask) : -1;
	l->prefix = (uint8_t)(p > 0 && p <= 32 ? p : 24);
	l->has_router = f->has_router;
	memcpy(l->router, f->router, 4);
	for (unsigned k = 0; k < f->n_dns && k < DHCP4C_MAX_DNS; k++)
		memcpy(l->dns[l->n_dns++], f->dns[k], 4);
	l->lease_s = f->lease_s;
	if (f->expire) { /* what is left of it; a lapsed one gets a minute */
		int64_t left = f->expire - (int64_t)time(NULL);
		l->lease_s = left > 60 ? (uint32_t)(left > 0x7fffffff ? 0x7fffffff : left) : 60;
	}
}

/* Reads the leases in dir/networkd and dir/dhclient into k[]. */
static unsigned gather(const char *dir, const struct ifaddrs *ifa, struct kept *k, char *buf)
{
	unsigned n = 0;
	for (int kind = 0; kind < 2; kind++) {
		char sub[300], path[600];
		snprintf(sub, sizeof sub, "%s/%s", dir, kind ? "dhclient" : "networkd");
		DIR *d = opendir(sub);
		for (struct dirent *de; d && n < NETKEEP_MAX && (de = readdir(d));) {
			struct lease4 f;
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", sub, de->d_name);
			int len = read_small(path, buf, NETKEEP_FILE_MAX);
			if (len <= 0 || (kind ? leasefile_dhclient(buf, (size_t)len, NULL, &f)
					      : leasefile_networkd(buf, (size_t)len, &f)))
				continue;
			if (!kind)
				snprintf(f.ifname, sizeof f.ifname, "%.15s", de->d_name);
			if (!f.ifname[0] || !addr_present(ifa, f.ifname, f.addr))
				continue;
			snprintf(k[n].ifname, sizeof k[n].ifname, "%s", f.ifname);
			to_lease(&f, &k[n].lease);
			n++;
		}
		if (d)
			closedir(d);
	}
	return n;
}

__attribute__((noreturn)) static void keeper(struct kept *k, unsigned n)
{
	static struct loop l;
	static struct netup u[NETKEEP_MAX];
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (loop_init(&l))
		_exit(1);
	for (unsigned i = 0; i < n; i++) {
		struct kcmd_ip ip = {.mode = KCMD_IP_DHCP};
		memcpy(ip.device, k[i].ifname, sizeof ip.device - 1);
		gethostname(ip.hostname, sizeof ip.hostname - 1);
		u[i].adopt = &k[i].lease;
		if (netup_start(&u[i], &l, &ip, NULL, NULL))
			log_err("netkeep.failed if=%s", k[i].ifname);
	}
	for (;;)
		if (loop_run(&l) && errno != EINTR)
			sleep(1);
}

pid_t netkeep_start(const char *dir)
{
	static struct kept k[NETKEEP_MAX];
	struct ifaddrs *ifa = NULL;
	char *buf = malloc(NETKEEP_FILE_MAX);
	if (!buf || getifaddrs(&ifa)) {
		free(buf);
		return -ENOMEM;
	}
	unsigned n = gather(dir, ifa, k, buf);
	freeifaddrs(ifa);
	free(buf);
	for (unsigned i = 0; i < n; i++) {
		char a[16];
		inet_ntop(AF_INET, k[i].lease.addr, a, sizeof a);
		log_info("netkeep.lease if=%s addr=%s/%u lease_s=%u", k[i].ifname, a,
			 k[i].lease.prefix, k[i].lease.lease_s);
	}
	if (!n)
		return 0;
	pid_t pid = fork();
	if (pid == 0)
		keeper(k, n);
	return pid < 0 ? -errno : pid;
}
