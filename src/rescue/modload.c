/* modload: the rescue init's module loader (finit_module in list order). */
#include "rescue/modload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

int modload_next(const char *text, size_t len, size_t *pos, char *path, size_t cap)
{
	while (*pos < len) {
		size_t s = *pos, e = s;
		while (e < len && text[e] != '\n')
			e++;
		*pos = e < len ? e + 1 : e;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		size_t t = e;
		while (t > s && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == '\r'))
			t--;
		if (s == t || text[s] == '#')
			continue;
		if (text[s] != '/' || t - s >= cap || memchr(text + s, 0, t - s))
			return -EINVAL;
		memcpy(path, text + s, t - s);
		path[t - s] = 0;
		return 1;
	}
	return 0;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

enum modload_comp modload_name(const char *path, char *name, size_t cap)
{
	static const struct {
		const char *suffix;
		enum modload_comp comp;
	} sfx[] = {{".ko.xz", MODLOAD_XZ},
		   {".ko.zst", MODLOAD_ZST},
		   {".ko.gz", MODLOAD_GZ},
		   {".ko", MODLOAD_PLAIN}};
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	enum modload_comp comp = MODLOAD_PLAIN;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
		if (ends_with(b, n, sfx[i].suffix)) {
			n -= strlen(sfx[i].suffix);
			comp = sfx[i].comp;
			break;
		}
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		name[i] = b[i] == '-' ? '_' : b[i];
	name[n] = 0;
	return comp;
}

/* Reads a decompressed module from `busybox xzcat|zcat path` into memory
 * and hands it to init_module(2). 0 or -errno. */
static int load_via_busybox(const char *busybox, const char *path, enum modload_comp comp)
{
	int p[2];
	if (comp == MODLOAD_ZST || access(busybox, X_OK))
		return -ENOTSUP; /* busybox has no zstd decompressor */
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl(busybox, comp == MODLOAD_XZ ? "xzcat" : "zcat", path, (char *)NULL);
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
	enum modload_comp comp = modload_name(path, name, sizeof name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int flags = comp == MODLOAD_PLAIN ? 0 : MODULE_INIT_COMPRESSED_FILE;
	int rc = syscall(SYS_finit_module, fd, "", flags) ? -errno : 0;
	close(fd);
	if (rc == -EINVAL && comp != MODLOAD_PLAIN) {
		/* Before Linux 6.4 (or without CONFIG_MODULE_DECOMPRESS). */
		log_info("modload.fallback module=%s msg=\"kernel cannot decompress; trying "
			 "busybox\"",
			 name);
		rc = load_via_busybox(busybox, path, comp);
	}
	return rc;
}

int modload_all(const char *list, const char *busybox, struct modload_result *r)
{
	char path[512], name[64], sys[96];
	struct stat st;
	memset(r, 0, sizeof *r);
	int fd = open(list, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *text = malloc(1 << 20);
	ssize_t len = text ? read(fd, text, (1 << 20) - 1) : -1;
	close(fd);
	if (len < 0) {
		free(text);
		return -EIO;
	}
	size_t pos = 0;
	int k;
	while ((k = modload_next(text, (size_t)len, &pos, path, sizeof path)) != 0) {
		if (k < 0) {
			log_warn("modload.skip reason=\"not an absolute path\"");
			r->failed++;
			continue;
		}
		modload_name(path, name, sizeof name);
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
	free(text);
	return 0;
}
