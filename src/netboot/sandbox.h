/* sandbox: after the privilege drop, a Landlock ruleset (Linux >= 5.13)
 * limits what the serving process can touch in the filesystem to reading
 * beneath the directories it serves from. A path bug elsewhere in the code
 * then still cannot reach /etc/shadow; writing, creating, removing and
 * executing anything is refused. Kernels without Landlock: one warning line
 * that names what is not confined (sandbox_missing), or with
 * --require-sandbox a start-up error. */
#ifndef LIFEBOAT_NETBOOT_SANDBOX_H
#define LIFEBOAT_NETBOOT_SANDBOX_H

#include <stddef.h>

#define SANDBOX_MAX_PATHS 16

struct sandbox {
	int fds[SANDBOX_MAX_PATHS];		/* O_PATH fds of the readable trees */
	unsigned char write[SANDBOX_MAX_PATHS]; /* 1: files beneath may be written too */
	size_t n;
};

/* Records a directory (or a file's directory when it is a file) to stay
 * readable. Opened now, so call it before dropping privileges. 0 or -errno. */
int sandbox_allow_read(struct sandbox *sb, const char *path);
/* A directory whose files may be created, written, truncated, renamed and
 * removed (full DHCP's lease file), besides read. 0 or -errno. */
int sandbox_allow_write(struct sandbox *sb, const char *dir);
/* Applies the ruleset to this process (and its future threads). Returns
 * the Landlock ABI version applied (> 0), -ENOSYS (kernel without Landlock)
 * or -EOPNOTSUPP (Landlock disabled at boot), or another -errno (a real
 * failure). Closes the recorded fds either way. */
int sandbox_apply(struct sandbox *sb);

/* What a running serve is not confined by, given sandbox_apply()'s and
 * seccomp_serve()'s results: writes a "; "-separated list of the missing
 * protections, each with its reason (errno or Landlock ABI), into buf and
 * returns how many there are (0: fully confined). Landlock ABI 1-2 cannot
 * refuse truncate(2): that counts as missing; ABI 3-4 cannot refuse device
 * ioctls, which the seccomp filter does instead. */
int sandbox_missing(int landlock, int seccomp, char *buf, size_t cap);

#endif
