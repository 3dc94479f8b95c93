/* carry: copies executables with their interpreter and libraries, and plain
 * files, into the RAM root (or only adds up their sizes). */
#include "rescue/carry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"
#include "rescue/elf.h"

static const char *const default_dirs[] = {
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
    "/usr/local/lib",
};

static void add_dir(struct carry *c, const char *d)
{
	if (c->n_lib_dirs < sizeof c->lib_dirs / sizeof c->lib_dirs[0] && d[0] == '/')
		snprintf(c->lib_dirs[c->n_lib_dirs++], PATH_MAX, "%s", d);
}

int carry_open_source(const struct carry *c, const char *path)
{
	if (c->src_root < 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return sys_openat2(c->src_root, path, O_RDONLY | O_CLOEXEC, 0, SYS_RESOLVE_IN_ROOT);
}

/* The default library directories and those of the source's
 * /etc/ld.so.conf.d (sorted, so the search order does not depend on the
 * directory's order on disk). */
static void carry_lib_dirs(struct carry *c)
{
	struct dirent **names = NULL;
	char dir[PATH_MAX];
	c->n_lib_dirs = 0;
	for (size_t i = 0; i < sizeof default_dirs / sizeof default_dirs[0]; i++)
		add_dir(c, default_dirs[i]);
	int dfd = carry_open_source(c, "/etc/ld.so.conf.d");
	if (dfd < 0)
		return;
	if (c->src_root < 0)
		snprintf(dir, sizeof dir, "/etc/ld.so.conf.d");
	else
		snprintf(dir, sizeof dir, "/proc/self/fd/%d", dfd);
	int n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX], line[PATH_MAX];
		size_t l = strlen(names[i]->d_name);
		if (l >= 5 && !strcmp(names[i]->d_name + l - 5, ".conf")) {
			snprintf(p, sizeof p, "/etc/ld.so.conf.d/%s", names[i]->d_name);
			int fd = carry_open_source(c, p);
			FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
			if (!f && fd >= 0)
				close(fd);
			while (f && fgets(line, sizeof line, f)) {
				line[strcspn(line, " \t\r\n#")] = 0;
				add_dir(c, line);
			}
			if (f)
				fclose(f);
		}
		free(names[i]);
	}
	free(names);
	close(dfd);
}

void carry_init(struct carry *c, const char *root, bool dry)
{
	memset(c, 0, sizeof *c);
	c->root = root;
	c->dry = dry;
	c->src_root = -1;
	carry_lib_dirs(c);
}

int carry_set_source(struct carry *c, const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (c->src_root >= 0)
		close(c->src_root);
	c->src_root = fd;
	carry_lib_dirs(c);
	return 0;
}

void carry_done(struct carry *c)
{
	if (c->src_root >= 0)
		close(c->src_root);
	c->src_root = -1;
}

static int mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		int rc = mkdir(path, 0755);
		*s = '/';
		if (rc && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static bool seen(struct carry *c, const char *dst)
{
	for (size_t i = 0; i < c->nfiles && i < CARRY_MAX_FILES; i++)
		if (!strncmp(c->done[i], dst, sizeof c->done[i] - 1))
			return true;
	return false;
}

int carry_file(struct carry *c, const char *src, const char *dst)
{
	struct stat st;
	char to[PATH_MAX];
	int in, out, rc = 0;
	if (!dst)
		dst = src;
	if (seen(c, dst))
		return 0;
	if (c->nfiles >= CARRY_MAX_FILES)
		return -E2BIG;
	if ((in = carry_open_source(c, src)) < 0)
		return in;
	if (fstat(in, &st))
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	if (rc) {
		close(in);
		return rc;
	}
	snprintf(c->done[c->nfiles++], sizeof c->done[0], "%s", dst);
	c->bytes += (uint64_t)st.st_size;
	if (!c->dry && snprintf(to, sizeof to, "%s%s", c->root, dst) >= (int)sizeof to)
		rc = -ENAMETOOLONG;
	if (!c->dry && !rc)
		rc = mkdirs(to);
	if (c->dry || rc) {
		close(in);
		return rc;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	off_t left = st.st_size;
	while (left > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		left -= n;
	}
	if (fchmod(out, st.st_mode & 07777) && !rc)
		rc = -errno;
	close(in);
	if (close(out) && !rc)
		rc = -errno;
	return rc;
}

static int carry_readable(const struct carry *c, const char *path)
{
	int fd = carry_open_source(c, path);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int carry_find_lib(const struct carry *c, const char *name, const char *runpath, char *out,
		   size_t cap)
{
	if (strchr(name, '/')) {
		snprintf(out, cap, "%s", name);
		return carry_readable(c, out) ? -ENOENT : 0;
	}
	/* DT_RUNPATH entries; $ORIGIN is not expanded (system binaries). */
	const char *p = runpath;
	while (p && *p) {
		const char *e = strchr(p, ':');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l && p[0] == '/' &&
		    (size_t)snprintf(out, cap, "%.*s/%s", (int)l, p, name) < cap &&
		    !carry_readable(c, out))
			return 0;
		p = e ? e + 1 : NULL;
	}
	for (size_t i = 0; i < c->n_lib_dirs; i++)
		if ((size_t)snprintf(out, cap, "%s/%s", c->lib_dirs[i], name) < cap &&
		    !carry_readable(c, out))
			return 0;
	return -ENOENT;
}

static int read_deps(const struct carry *c, const char *path, struct elf_deps *d)
{
	struct stat st;
	int fd = carry_open_source(c, path), rc;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return -ENOEXEC;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	rc = elf_read_deps(m, (size_t)st.st_size, d);
	munmap(m, (size_t)st.st_size);
	return rc;
}

static int carry_rec(struct carry *c, const char *src, const char *dst, int depth, char *missing,
		     size_t cap)
{
	struct elf_deps *d;
	int rc;
	if (depth > 16)
		return -ELOOP;
	if (seen(c, dst ? dst : src))
		return 0;
	if ((rc = carry_file(c, src, dst)))
		return rc;
	d = malloc(sizeof *d);
	if (!d)
		return -ENOMEM;
	rc = read_deps(c, src, d);
	if (rc == -ENOEXEC) { /* a script or data: nothing more to carry */
		free(d);
		return 0;
	}
	if (rc)
		goto out;
	if (d->interp[0] && (rc = carry_file(c, d->interp, NULL)))
		goto out;
	for (size_t i = 0; i < d->n_needed; i++) {
		char lib[PATH_MAX];
		if (carry_find_lib(c, d->needed[i], d->runpath, lib, sizeof lib)) {
			snprintf(missing, cap, "%s", d->needed[i]);
			rc = -ENOENT;
			goto out;
		}
		if ((rc = carry_rec(c, lib, NULL, depth + 1, missing, cap)))
			goto out;
	}
out:
	free(d);
	return rc;
}

int carry_exe(struct carry *c, const char *src, const char *dst, char *missing, size_t cap)
{
	if (cap)
		missing[0] = 0;
	return carry_rec(c, src, dst, 0, missing, cap);
}
