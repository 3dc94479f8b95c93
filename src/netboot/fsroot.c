/* fsroot: cleans client-named paths and opens them beneath the served root
 * with openat2(RESOLVE_BENEATH), or a checked walk where it is missing. */
#include "netboot/fsroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/sys.h"

int fsroot_init(struct fsroot *r, const char *dir)
{
	r->walk = false;
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r->dirfd < 0 ? -errno : 0;
}

void fsroot_close(struct fsroot *r)
{
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
}

int fsroot_clean_path(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	if (cap == 0)
		return -EINVAL;
	while (i < n) {
		/* one component: [i, j) up to the next separator */
		size_t j = i;
		while (j < n && in[j] != '/' && in[j] != '\\') {
			unsigned char c = (unsigned char)in[j];
			if (c < 0x20 || c == 0x7f)
				return -EINVAL;
			j++;
		}
		size_t len = j - i;
		if (len == 2 && in[i] == '.' && in[i + 1] == '.')
			return -EINVAL;
		if (len > 0 && !(len == 1 && in[i] == '.')) {
			if (o + (o > 0) + len >= cap)
				return -EINVAL;
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, in + i, len);
			o += len;
		}
		i = j + 1;
	}
	if (o == 0)
		return -EINVAL;
	out[o] = 0;
	return (int)o;
}

/* Checks one intermediate component's O_PATH fd: a directory goes on,
 * anything else closes it. A symlink is -EACCES: the walk follows none. */
static int fsroot_want_dir(int fd)
{
	struct stat st;
	int err = fstat(fd, &st)	? -errno
		  : S_ISDIR(st.st_mode) ? 0
		  : S_ISLNK(st.st_mode) ? -EACCES
					: -ENOTDIR;
	if (err)
		close(fd);
	return err ? err : fd;
}

/* Fallback for kernels without openat2: walk the components with O_PATH |
 * O_NOFOLLOW, so nothing can lead outside the root and nothing is opened
 * for I/O on the way; the last one is opened with last_flags. A symlink
 * anywhere is refused (-EACCES); so are "", "." and "..", although
 * fsroot_clean_path() never yields them: the walk does not rely on it. */
static int fsroot_walk(int dirfd, const char *clean, int last_flags)
{
	char buf[FSROOT_PATH_MAX];
	size_t n = strlen(clean);
	if (n >= sizeof buf)
		return -ENAMETOOLONG;
	memcpy(buf, clean, n + 1);
	int cur = dirfd;
	char *p = buf;
	for (;;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = 0;
		int fd = -EACCES;
		if (*p && strcmp(p, ".") && strcmp(p, "..")) {
			int flags = (slash ? O_PATH : last_flags) | O_NOFOLLOW | O_CLOEXEC;
			fd = openat(cur, p, flags);
			fd = fd < 0 ? (errno == ELOOP ? -EACCES : -errno) : fd;
		}
		if (fd >= 0 && slash)
			fd = fsroot_want_dir(fd);
		if (cur != dirfd)
			close(cur);
		if (fd < 0 || !slash)
			return fd;
		cur = fd;
		p = slash + 1;
	}
}

/* Refuses anything but a regular file, by its mode. Only the walk can
 * hand over a symlink (O_PATH | O_NOFOLLOW): it follows none. */
static int fsroot_check_mode(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return 0;
	if (S_ISLNK(st->st_mode))
		return -EACCES;
	return S_ISDIR(st->st_mode) ? -EISDIR : -EPERM;
}

static int fsroot_openat2(int dirfd, const char *clean, uint64_t flags)
{
	return sys_openat2(dirfd, clean, flags, 0, SYS_RESOLVE_BENEATH | SYS_RESOLVE_NO_MAGICLINKS);
}

/* Resolves clean beneath the root, the last component opened with flags:
 * openat2, or the walk when the kernel lacks it (or a test asks). */
static int fsroot_resolve(const struct fsroot *r, const char *clean, int flags)
{
	int fd = r->walk ? -ENOSYS : fsroot_openat2(r->dirfd, clean, (uint64_t)flags | O_CLOEXEC);
	return fd == -ENOSYS ? fsroot_walk(r->dirfd, clean, flags) : fd;
}

/* Opens for reading the very inode that the O_PATH fd pfd names (an O_PATH
 * fd itself cannot be read). Through /proc/self/fd/N because that re-opens
 * that inode without a second lookup of the name: a FIFO or device swapped
 * in meanwhile is never opened. Without /proc, -ENOENT: the caller opens
 * by name instead and compares the inode. */
static int fsroot_reopen(int pfd)
{
	char p[40];
	snprintf(p, sizeof p, "/proc/self/fd/%d", pfd);
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int fsroot_open(const struct fsroot *r, const char *clean, struct stat *st)
{
	/* First an O_PATH look and its mode: opening a FIFO can block the
	 * loop and opening a device node can have side effects (a tape
	 * rewinds, a modem hangs up), so nothing but a regular file is
	 * ever really opened. */
	struct stat pst;
	int pfd = fsroot_resolve(r, clean, O_PATH);
	if (pfd < 0)
		return pfd;
	int err = fstat(pfd, &pst) ? -errno : fsroot_check_mode(&pst);
	int fd = err ? err : fsroot_reopen(pfd);
	close(pfd);
	/* No /proc: by name, O_NONBLOCK so that a FIFO swapped in cannot
	 * hang the loop; the inode check below refuses whatever it is. */
	if (fd == -ENOENT)
		fd = fsroot_resolve(r, clean, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd == -ENXIO) /* a socket, or a device without its driver */
		fd = -EPERM;
	if (fd < 0)
		return fd;
	err = fstat(fd, st) ? -errno : fsroot_check_mode(st);
	if (!err && (st->st_dev != pst.st_dev || st->st_ino != pst.st_ino))
		err = -EPERM; /* replaced between the look and the open */
	if (err) {
		close(fd);
		return err;
	}
	/* Regular file: reads should block normally (page cache). */
	fcntl(fd, F_SETFL, 0);
	return fd;
}
