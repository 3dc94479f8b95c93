/* cpio: the newc writer of `lifeboat mkrescue` (header encoding pure, the
 * tree walk reproducible). */
#include "rescue/cpio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

size_t cpio_pad(uint64_t n)
{
	return (size_t)((4 - (n & 3)) & 3);
}

int cpio_header(struct wbuf *w, const struct cpio_entry *e)
{
	char h[CPIO_HEADER_LEN + 1];
	size_t nl = e->name ? strlen(e->name) : 0;
	if (!nl || nl >= CPIO_NAME_MAX || e->name[0] == '/')
		return -EINVAL;
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	 * devminor, rdevmajor, rdevminor, namesize (with NUL), check */
	snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", e->ino,
		 e->mode, 0u, 0u, e->nlink, e->mtime, e->size, 0u, 0u, e->rdev_major, e->rdev_minor,
		 (unsigned)(nl + 1), 0u);
	size_t pad = cpio_pad(CPIO_HEADER_LEN + nl + 1);
	if (wbuf_room(w) < CPIO_HEADER_LEN + nl + 1 + pad)
		return -ENOBUFS;
	wbuf_bytes(w, h, CPIO_HEADER_LEN);
	wbuf_bytes(w, e->name, nl + 1);
	wbuf_zero(w, pad);
	return 0;
}

void cpio_out_init(struct cpio_out *o, int fd)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->next_ino = 1;
}

static int cpio_write(struct cpio_out *o, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(o->fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		c += k;
		n -= (size_t)k;
		o->off += (uint64_t)k;
	}
	return 0;
}

static int cpio_put_header(struct cpio_out *o, const char *name, uint32_t mode, uint64_t size,
			   uint32_t major, uint32_t minor)
{
	uint8_t hb[CPIO_HEADER_LEN + CPIO_NAME_MAX + 4];
	struct wbuf w;
	if (size > UINT32_MAX)
		return -EFBIG;
	struct cpio_entry e = {.name = name,
			       .mode = mode,
			       .ino = o->next_ino++,
			       .nlink = S_ISDIR(mode) ? 2 : 1,
			       .size = (uint32_t)size,
			       .rdev_major = major,
			       .rdev_minor = minor};
	wbuf_init(&w, hb, sizeof hb);
	int rc = cpio_header(&w, &e);
	if (!rc)
		rc = cpio_write(o, hb, w.len);
	if (!rc) {
		o->files += S_ISREG(mode);
		o->dirs += S_ISDIR(mode);
		o->links += S_ISLNK(mode);
	}
	return rc;
}

int cpio_add_mem(struct cpio_out *o, const char *name, uint32_t mode, const void *data, size_t len)
{
	static const uint8_t zero[4];
	int rc = cpio_put_header(o, name, mode, len, 0, 0);
	if (!rc && len)
		rc = cpio_write(o, data, len);
	if (!rc)
		rc = cpio_write(o, zero, cpio_pad(len));
	return rc;
}

int cpio_add_dev(struct cpio_out *o, const char *name, uint32_t mode, uint32_t major,
		 uint32_t minor)
{
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		return -EINVAL;
	return cpio_put_header(o, name, mode, 0, major, minor);
}

int cpio_add_fd(struct cpio_out *o, const char *name, uint32_t mode, int fd, uint64_t size)
{
	static const uint8_t zero[4];
	char buf[65536];
	uint64_t left = size, at = 0;
	int rc = cpio_put_header(o, name, mode, size, 0, 0);
	while (!rc && left) {
		ssize_t k =
		    pread(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf, (off_t)at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO; /* the file shrank: the archive is bad */
		rc = cpio_write(o, buf, (size_t)k);
		left -= (uint64_t)k;
		at += (uint64_t)k;
	}
	return rc ? rc : cpio_write(o, zero, cpio_pad(size));
}

static int cpio_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir (without . and ..), sorted; *n of them. */
static int cpio_list(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			char **v = realloc(*out, cap * sizeof *v);
			if (!v)
				break;
			*out = v;
		}
		if (!((*out)[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	bool short_read = de != NULL;
	closedir(d);
	if (short_read)
		return -ENOMEM;
	if (*n)
		qsort(*out, *n, sizeof **out, cpio_cmp);
	return 0;
}

static int cpio_add_one(struct cpio_out *o, const char *path, const char *name, int depth);

static int cpio_add_dir(struct cpio_out *o, const char *path, const char *name, int depth)
{
	char **names;
	size_t n;
	int rc = cpio_list(path, &names, &n);
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX], nm[PATH_MAX];
		if (!rc && ((size_t)snprintf(p, sizeof p, "%s/%s", path, names[i]) >= sizeof p ||
			    (size_t)snprintf(nm, sizeof nm, "%s%s%s", name, *name ? "/" : "",
					     names[i]) >= sizeof nm))
			rc = -ENAMETOOLONG;
		if (!rc)
			rc = cpio_add_one(o, p, nm, depth + 1);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int cpio_add_one(struct cpio_out *o, const char *path, const char *name, int depth)
{
	struct stat st;
	if (depth > 64)
		return -ELOOP;
	if (lstat(path, &st))
		return -errno;
	uint32_t mode = (uint32_t)(st.st_mode & (S_IFMT | 07777));
	if (S_ISDIR(st.st_mode)) {
		int rc = *name ? cpio_add_mem(o, name, mode, NULL, 0) : 0;
		return rc ? rc : cpio_add_dir(o, path, name, depth);
	}
	if (S_ISLNK(st.st_mode)) {
		char t[PATH_MAX];
		ssize_t k = readlink(path, t, sizeof t);
		if (k < 0 || (size_t)k >= sizeof t)
			return k < 0 ? -errno : -ENAMETOOLONG;
		return cpio_add_mem(o, name, mode, t, (size_t)k);
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	int rc = cpio_add_fd(o, name, mode, fd, (uint64_t)st.st_size);
	close(fd);
	return rc;
}

int cpio_add_tree(struct cpio_out *o, const char *dir)
{
	return cpio_add_one(o, dir, "", 0);
}

int cpio_finish(struct cpio_out *o)
{
	static const uint8_t zero[512];
	int rc = cpio_add_mem(o, "TRAILER!!!", 0, NULL, 0);
	if (!rc && o->off % 512)
		rc = cpio_write(o, zero, 512 - (size_t)(o->off % 512));
	return rc;
}
