/* modload: the rescue init's module loader (finit_module in list order). */
#include "rescue/modload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "rescue/modsel.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

/* Reads a decompressed module from `busybox xzcat|zcat path` into memory
 * and hands it to init_module(2). 0 or -errno. */
static int load_via_busybox(const char *busybox, const char *path, enum modsel_comp comp)
{
	int p[2];
	if (comp == MODSEL_ZST || access(busybox, X_OK))
		return -ENOTSUP; /* busybox has no zstd decompressor */
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl(busybox, comp == MODSEL_XZ ? "xzcat" : "zcat", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0, cap = 1 << 20;
	char *buf = pid > 0 ? malloc(cap) : NULL;
	ssize_t n = 0;
	while (buf && (n = read(p[0], buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap) {
			char *nb = cap < (256u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	close(p[0]);
	int st = 0, rc = -EIO;
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (buf && n == 0 && WIFEXITED(st) && !WEXITSTATUS(st))
		rc = syscall(SYS_init_module, buf, len, "") ? -errno : 0;
	free(buf);
	return rc;
}

static int load_one(const char *path, const char *busybox)
{
	char name[64];
	enum modsel_comp comp = modsel_name(path, name, sizeof name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int flags = comp == MODSEL_PLAIN ? 0 : MODULE_INIT_COMPRESSED_FILE;
	int rc = syscall(SYS_finit_module, fd, "", flags) ? -errno : 0;
	close(fd);
	if (rc == -EINVAL && comp != MODSEL_PLAIN) {
		/* Before Linux 6.4 (or without CONFIG_MODULE_DECOMPRESS). */
		log_info("modload.fallback module=%s msg=\"kernel cannot decompress; trying "
			 "busybox\"",
			 name);
		rc = load_via_busybox(busybox, path, comp);
	}
	return rc;
}

/* Loads one listed module unless it is there already; counts it. */
static void load_counted(const char *path, const char *busybox, struct modload_result *r)
{
	char name[64], sys[96];
	struct stat st;
	modsel_name(path, name, sizeof name);
	snprintf(sys, sizeof sys, "/sys/module/%s", name);
	int rc = stat(sys, &st) ? load_one(path, busybox) : -EEXIST;
	if (rc == -EEXIST) {
		r->present++;
	} else if (rc) {
		r->failed++;
		log_warn("modload.failed module=%s path=%s error=\"%s\"", name, path,
			 strerror(-rc));
	} else {
		r->loaded++;
		log_info("modload.loaded module=%s", name);
	}
}

/* A whole small file into a malloc'd, NUL-terminated buffer; NULL if it
 * cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || st.st_size > (64 << 20)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *b = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t n = 1;
	while (b && got < (size_t)st.st_size &&
	       (n = read(fd, b + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (b && n < 0) {
		free(b);
		return NULL;
	}
	if (b)
		b[got] = 0;
	*len = got;
	return b;
}

/* Matches every device's modalias of /sys/bus against the aliases. */
static void match_devices(struct modsel *s)
{
	DIR *buses = opendir("/sys/bus");
	struct dirent *b, *d;
	while (buses && (b = readdir(buses))) {
		char dir[300];
		if (b->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof dir, "/sys/bus/%s/devices", b->d_name);
		DIR *devs = opendir(dir);
		while (devs && (d = readdir(devs))) {
			char p[600], alias[512];
			if (d->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s/modalias", dir, d->d_name);
			int fd = open(p, O_RDONLY | O_CLOEXEC);
			ssize_t n = fd >= 0 ? read(fd, alias, sizeof alias - 1) : -1;
			if (fd >= 0)
				close(fd);
			if (n <= 0)
				continue;
			alias[n] = 0;
			alias[strcspn(alias, "\n")] = 0;
			modsel_match(s, alias);
		}
		if (devs)
			closedir(devs);
	}
	if (buses)
		closedir(buses);
}

/* Loads what the devices ask for, round after round as bus drivers bring
 * new devices. Returns -ENOENT when there are no aliases to go by. */
static int load_selected(const char *text, size_t len, const char *busybox,
			 struct modload_result *r)
{
	struct utsname u;
	char p[300];
	size_t alen = 0, dlen = 0;
	struct modsel s;
	if (uname(&u))
		return -ENOENT;
	snprintf(p, sizeof p, "/lib/modules/%s/modules.alias", u.release);
	char *alias = slurp(p, &alen);
	snprintf(p, sizeof p, "/lib/modules/%s/modules.dep", u.release);
	char *dep = slurp(p, &dlen);
	int rc = alias ? modsel_init(&s, text, len) : -ENOENT;
	if (!rc && dep)
		rc = modsel_deps(&s, dep, dlen);
	if (!rc)
		rc = modsel_aliases(&s, alias, alen);
	if (!rc && !s.n_alias)
		rc = -ENOENT;
	for (int round = 0; !rc && round < 8; round++) {
		unsigned before = r->loaded + r->present + r->failed;
		if (!round)
			modsel_want_families(&s);
		match_devices(&s);
		for (size_t i = 0; i < s.n; i++)
			if (s.want[i] && !s.done[i]) {
				s.done[i] = true;
				load_counted(s.path[i], busybox, r);
			}
		if (r->loaded + r->present + r->failed == before)
			break;
	}
	if (!rc)
		r->skipped = (unsigned)(s.n - (r->loaded + r->present + r->failed));
	if (alias)
		modsel_free(&s);
	free(alias);
	free(dep);
	return rc;
}

int modload_all(const char *list, const char *busybox, struct modload_result *r)
{
	char path[512];
	size_t len = 0;
	memset(r, 0, sizeof *r);
	char *text = slurp(list, &len);
	if (!text)
		return access(list, F_OK) ? -ENOENT : -EIO;
	if (load_selected(text, len, busybox, r) == 0) {
		free(text);
		return 0;
	}
	memset(r, 0, sizeof *r);
	size_t pos = 0;
	int k;
	while ((k = modsel_next(text, len, &pos, path, sizeof path)) != 0) {
		if (k < 0) {
			log_warn("modload.skip reason=\"not an absolute path\"");
			r->failed++;
			continue;
		}
		load_counted(path, busybox, r);
	}
	free(text);
	return 0;
}
