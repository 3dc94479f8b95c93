/* sandbox: the Landlock ruleset that leaves the serving process only read
 * access beneath the directories it serves. */
#include "netboot/sandbox.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "netboot/seccomp.h"

/* Kernel ABI (include/uapi/linux/landlock.h); musl's headers lack it. */
struct sandbox_ruleset_attr {
	uint64_t handled_access_fs;
};
struct sandbox_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ull << 0)
#define LL_FS_READ_FILE (1ull << 2)
#define LL_FS_READ_DIR (1ull << 3)
#define LL_FS_WRITE_FILE (1ull << 1)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_REG (1ull << 8)
#define LL_FS_ABI1 ((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER (1ull << 13)      /* ABI 2 */
#define LL_FS_TRUNCATE (1ull << 14)   /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15)  /* ABI 5 */

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

int sandbox_allow_read(struct sandbox *sb, const char *path)
{
	struct stat st;
	if (sb->n == SANDBOX_MAX_PATHS)
		return -E2BIG;
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* a file: allow its directory, so a reload can reopen it */
		char dir[1024];
		snprintf(dir, sizeof dir, "%s", path);
		char *slash = strrchr(dir, '/');
		close(fd);
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else if (slash == dir)
			dir[1] = 0;
		else
			*slash = 0;
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	sb->write[sb->n] = 0;
	sb->fds[sb->n++] = fd;
	return 0;
}

int sandbox_allow_write(struct sandbox *sb, const char *dir)
{
	if (sb->n == SANDBOX_MAX_PATHS)
		return -E2BIG;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sb->write[sb->n] = 1;
	sb->fds[sb->n++] = fd;
	return 0;
}

static void sandbox_close(struct sandbox *sb)
{
	for (size_t i = 0; i < sb->n; i++)
		close(sb->fds[i]);
	sb->n = 0;
}

int sandbox_apply(struct sandbox *sb)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 0) {
		int e = -errno;
		sandbox_close(sb);
		return e;
	}
	struct sandbox_ruleset_attr attr = {.handled_access_fs = LL_FS_ABI1};
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rs < 0) {
		int e = -errno;
		sandbox_close(sb);
		return e;
	}
	int r = 0;
	for (size_t i = 0; i < sb->n && !r; i++) {
		struct sandbox_path_beneath pb = {
		    .allowed_access = LL_FS_READ_FILE | LL_FS_READ_DIR,
		    .parent_fd = sb->fds[i],
		};
		if (sb->write[i])
			pb.allowed_access |= LL_FS_WRITE_FILE | LL_FS_REMOVE_FILE | LL_FS_MAKE_REG |
					     (abi >= 3 ? LL_FS_TRUNCATE : 0);
		if (syscall(SYS_landlock_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0))
			r = -errno;
	}
	/* restrict_self needs no_new_privs (set by priv_drop) or CAP_SYS_ADMIN */
	if (!r && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		r = -errno;
	if (!r && syscall(SYS_landlock_restrict_self, rs, 0))
		r = -errno;
	close(rs);
	sandbox_close(sb);
	return r ? r : abi;
}

/* Appends one item to the "; "-separated list in buf, counting it in *n. */
static void sandbox_note(char *buf, size_t cap, size_t *len, int *n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void sandbox_note(char *buf, size_t cap, size_t *len, int *n, const char *fmt, ...)
{
	va_list ap;
	if (*n > 0 && *len < cap)
		*len += (size_t)snprintf(buf + *len, cap - *len, "; ");
	if (*len < cap) {
		va_start(ap, fmt);
		*len += (size_t)vsnprintf(buf + *len, cap - *len, fmt, ap);
		va_end(ap);
	}
	(*n)++;
}

int sandbox_missing(int landlock, int seccomp, char *buf, size_t cap)
{
	size_t len = 0;
	int n = 0;
	if (cap)
		buf[0] = 0;
	if (landlock <= 0)
		sandbox_note(buf, cap, &len, &n,
			     "filesystem: no Landlock (%s), so reading, writing, creating, "
			     "removing and executing are limited only by --user's permissions",
			     landlock == -ENOSYS ? "ENOSYS: kernel before 5.13 or built without it"
			     : landlock == -EOPNOTSUPP
				 ? "EOPNOTSUPP: disabled, add landlock to lsm="
				 : strerror(landlock ? -landlock : ENOSYS));
	else if (landlock < 3)
		sandbox_note(buf, cap, &len, &n,
			     "truncate: Landlock ABI %d < 3 cannot refuse truncating files "
			     "--user may write",
			     landlock);
	if (landlock > 0 && landlock < 5 && seccomp < 0)
		sandbox_note(buf, cap, &len, &n,
			     "device ioctls: Landlock ABI %d < 5 and no seccomp filter", landlock);
	if (seccomp < 0)
		sandbox_note(buf, cap, &len, &n, "syscalls: no seccomp filter (%s)",
			     seccomp_strerror(seccomp));
	return n;
}
