/* sys: system facts read from /proc: who holds a port we could not bind,
 * and whether this process has a capability. */
#include "core/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = {flags, mode, resolve};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	return fd < 0 ? -errno : fd;
}

uint64_t sys_clock_us(int clk)
{
	struct timespec ts;
	clock_gettime((clockid_t)clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t sys_clock_ms(int clk)
{
	return sys_clock_us(clk) / 1000u;
}

/* Collects the socket inodes bound to port from one /proc/net table. */
static size_t port_inodes(const char *table, uint16_t port, unsigned long *ino, size_t max)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen(table, "re");
	if (!f)
		return 0;
	if (!fgets(line, sizeof line, f)) { /* header */
		fclose(f);
		return 0;
	}
	while (n < max && fgets(line, sizeof line, f)) {
		char local[64];
		unsigned long inode;
		unsigned lport;
		/* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, "%*s %63s %*s %*s %*s %*s %*s %*s %*s %lu", local, &inode) != 2)
			continue;
		char *colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &lport) != 1)
			continue;
		if (lport == port && inode)
			ino[n++] = inode;
	}
	fclose(f);
	return n;
}

int sys_port_owner(const char *proto, uint16_t port, char *comm, size_t cap)
{
	unsigned long ino[16];
	char path[64];
	size_t n;
	snprintf(path, sizeof path, "/proc/net/%s", proto);
	n = port_inodes(path, port, ino, 16);
	snprintf(path, sizeof path, "/proc/net/%s6", proto);
	n += port_inodes(path, port, ino + n, 16 - n);
	if (!n)
		return -ENOENT;
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *e;
	int found = -ENOENT;
	while (found < 0 && (e = readdir(d))) {
		char fdpath[64], link[64];
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(fdpath, sizeof fdpath, "/proc/%d/fd", pid);
		DIR *fd = opendir(fdpath);
		if (!fd)
			continue;
		struct dirent *fe;
		while (found < 0 && (fe = readdir(fd))) {
			char lp[384];
			snprintf(lp, sizeof lp, "%s/%s", fdpath, fe->d_name);
			ssize_t l = readlink(lp, link, sizeof link - 1);
			if (l <= 0)
				continue;
			link[l] = 0;
			unsigned long sino;
			if (sscanf(link, "socket:[%lu]", &sino) != 1)
				continue;
			for (size_t i = 0; i < n; i++)
				if (ino[i] == sino)
					found = pid;
		}
		closedir(fd);
	}
	closedir(d);
	if (found > 0 && comm && cap) {
		snprintf(path, sizeof path, "/proc/%d/comm", found);
		FILE *f = fopen(path, "re");
		comm[0] = 0;
		if (f) {
			if (fgets(comm, (int)cap, f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
	}
	return found;
}

int sys_has_cap(int cap)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	int r = 0;
	while (fgets(line, sizeof line, f)) {
		uint64_t eff;
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1) {
			r = cap < 64 && (eff >> cap & 1);
			break;
		}
	}
	fclose(f);
	return r;
}

const struct utsname *sys_uname(void)
{
	static struct utsname u;
	static int state; /* 0 not asked, 1 ok, -1 failed */
	if (!state)
		state = uname(&u) == 0 ? 1 : -1;
	return state > 0 ? &u : NULL;
}

int sys_read_line(const char *dir, const char *name, char *out, size_t cap)
{
	char p[512];
	int pn = snprintf(p, sizeof p, "%s/%s", dir, name);
	if (pn < 0 || (size_t)pn >= sizeof p)
		return -ENAMETOOLONG;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, out, cap - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	out[n] = 0;
	out[strcspn(out, "\n")] = 0;
	return (int)n;
}
