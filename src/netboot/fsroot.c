/* fsroot: cleans client-named paths and opens them beneath the served root
 * with openat2(RESOLVE_BENEATH), or a checked walk where it is missing. */
#include "netboot/fsroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* musl's headers lack openat2; the kernel ABI is stable, so define it. */
struct fsroot_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define FSROOT_RESOLVE_NO_MAGICLINKS 0x02
#define FSROOT_RESOLVE_BENEATH 0x08
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int fsroot_init(struct fsroot *r, const char *dir)
{
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

/* Fallback for kernels without openat2: walk the components, refusing any
 * symlink (O_NOFOLLOW), so nothing can lead outside the root. */
static int fsroot_walk(int dirfd, const char *clean)
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
		int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : O_NONBLOCK);
		int fd = openat(cur, p, flags);
		int err = errno;
		if (cur != dirfd)
			close(cur);
		if (fd < 0)
			return err == ELOOP || err == ENOTDIR ? -EACCES : -err;
		if (!slash)
			return fd;
		cur = fd;
		p = slash + 1;
	}
}

/* Refuses anything but a regular file, by its mode. */
static int fsroot_check_mode(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return 0;
	return S_ISDIR(st->st_mode) ? -EISDIR : -EPERM;
}

static int fsroot_openat2(int dirfd, const char *clean, uint64_t flags)
{
	struct fsroot_open_how how = {
	    .flags = flags,
	    .resolve = FSROOT_RESOLVE_BENEATH | FSROOT_RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, clean, &how, sizeof how);
	return fd < 0 ? -errno : fd;
}

int fsroot_open(const struct fsroot *r, const char *clean, struct stat *st)
{
	/* First an O_PATH look: opening a device node can have side effects
	 * (a tape rewinds, a modem hangs up), so nothing but a regular file
	 * is ever really opened. */
	int fd = fsroot_openat2(r->dirfd, clean, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		struct stat pst;
		int err = fstat(fd, &pst) ? -errno : fsroot_check_mode(&pst);
		close(fd);
		if (err)
			return err;
		/* O_NONBLOCK: should a FIFO be swapped in meanwhile, the open
		 * must not hang the loop; the mode check below refuses it. */
		fd = fsroot_openat2(r->dirfd, clean, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	}
	if (fd == -ENOSYS)
		fd = fsroot_walk(r->dirfd, clean);
	if (fd == -ENXIO) /* a socket, or a device without its driver */
		fd = -EPERM;
	if (fd < 0)
		return fd;
	if (fstat(fd, st)) {
		int err = -errno;
		close(fd);
		return err;
	}
	int err = fsroot_check_mode(st);
	if (err) {
		close(fd);
		return err;
	}
	/* Regular file: reads should block normally (page cache). */
	fcntl(fd, F_SETFL, 0);
	return fd;
}
