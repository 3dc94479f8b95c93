/* rootfs: finds and checks an init inside another root, its symlinks
 * resolved within that root (openat2 RESOLVE_IN_ROOT). */
#include "rescue/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"

int rootfs_check_exec(const char *root, const char *path)
{
	struct stat st;
	int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, rc = 0;
	if (dfd < 0)
		return -errno;
	fd = sys_openat2(dfd, path, O_PATH | O_CLOEXEC, 0, SYS_RESOLVE_IN_ROOT);
	if (fd < 0) {
		rc = fd;
		close(dfd);
		return rc;
	}
	if (fstat(fd, &st))
		rc = -errno;
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		rc = -EACCES;
	close(fd);
	close(dfd);
	return rc;
}

int rootfs_find_init(const char *root, const char *preferred, char *out, size_t cap)
{
	const char *c[] = {preferred, "/sbin/init", "/etc/init", "/bin/init", "/init"};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		if (!c[i] || c[i][0] != '/' || rootfs_check_exec(root, c[i]))
			continue;
		if ((size_t)snprintf(out, cap, "%s", c[i]) >= cap)
			return -ENAMETOOLONG;
		return 0;
	}
	return -ENOENT;
}
