/* mkrescue_tree: the image tree being built (files written or copied
 * beneath the stage directory) and the host tools run on the way. */
#include "rescue/mkrescue_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- files ---- */

static int mkdirs_for(char *path)
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

static int stage_path(const struct mkrescue *m, const char *dst, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s%s%s", m->stage, dst[0] == '/' ? "" : "/", dst) >= cap)
		return -ENAMETOOLONG;
	return mkdirs_for(out);
}

int mkrescue_write(const struct mkrescue *m, const char *dst, const void *data, size_t len,
		   unsigned mode)
{
	char p[PATH_MAX];
	int rc = stage_path(m, dst, p, sizeof p);
	if (rc)
		return rc;
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	const char *c = data;
	while (len && !rc) {
		ssize_t k = write(fd, c, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			rc = k < 0 ? -errno : -EIO;
		else {
			c += k;
			len -= (size_t)k;
		}
	}
	if (!rc && fchmod(fd, mode))
		rc = -errno;
	close(fd);
	return rc;
}

int mkrescue_copy(const struct mkrescue *m, const char *src, const char *dst, unsigned mode)
{
	char p[PATH_MAX];
	struct stat st;
	int rc = stage_path(m, dst, p, sizeof p);
	if (rc)
		return rc;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int out = fstat(in, &st) ? -1 : open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	char buf[65536];
	for (;;) {
		ssize_t k = read(in, buf, sizeof buf);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = k < 0 ? -errno : 0;
			break;
		}
		if (write(out, buf, (size_t)k) != k) {
			rc = -EIO;
			break;
		}
	}
	if (!rc && fchmod(out, mode))
		rc = -errno;
	close(in);
	if (close(out) && !rc)
		rc = -errno;
	return rc;
}

int mkrescue_slurp(const char *path, size_t max, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	char *b = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (b && got < (size_t)st.st_size) {
		ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (!b)
		return -ENOMEM;
	b[got] = 0;
	*data = b;
	*len = got;
	return 0;
}

int mkrescue_symlink(const struct mkrescue *m, const char *target, const char *dst)
{
	char p[PATH_MAX];
	int rc = stage_path(m, dst, p, sizeof p);
	if (rc)
		return rc;
	return symlink(target, p) && errno != EEXIST ? -errno : 0;
}

int mkrescue_dir(const struct mkrescue *m, const char *dst, unsigned mode)
{
	char p[PATH_MAX];
	int rc = stage_path(m, dst, p, sizeof p);
	if (rc)
		return rc;
	if (mkdir(p, mode) && errno != EEXIST)
		return -errno;
	return chmod(p, mode) ? -errno : 0;
}

bool mkrescue_exists(const struct mkrescue *m, const char *dst)
{
	char p[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(p, sizeof p, "%s%s", m->stage, dst) >= sizeof p)
		return false;
	return lstat(p, &st) == 0;
}

/* ---- processes ---- */

int mkrescue_which(const char *name, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		int k = snprintf(out, cap, "%.*s/%s", (int)n, path, name);
		if (n && path[0] == '/' && k > 0 && (size_t)k < cap && access(out, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

int mkrescue_spawn(const char *const *argv, int in_fd, int out_fd)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int in = in_fd >= 0 ? in_fd : nul;
		if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return (int)pid;
}

int mkrescue_wait(int pid)
{
	int status;
	while (waitpid((pid_t)pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int mkrescue_run(const char *const *argv, int in_fd, int out_fd)
{
	int pid = mkrescue_spawn(argv, in_fd, out_fd);
	return pid < 0 ? pid : mkrescue_wait(pid);
}
