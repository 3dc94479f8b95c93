/* sandbox: after the privilege drop, a Landlock ruleset (Linux >= 5.13)
 * limits what the serving process can touch in the filesystem to reading
 * beneath the directories it serves from. A path bug elsewhere in the code
 * then still cannot reach /etc/shadow; writing, creating, removing and
 * executing anything is refused. Kernels without Landlock: a logged no-op. */
#ifndef LIFEBOAT_NETBOOT_SANDBOX_H
#define LIFEBOAT_NETBOOT_SANDBOX_H

#include <stddef.h>

#define SANDBOX_MAX_PATHS 16

struct sandbox {
	int fds[SANDBOX_MAX_PATHS]; /* O_PATH fds of the readable trees */
	size_t n;
};

/* Records a directory (or a file's directory when it is a file) to stay
 * readable. Opened now, so call it before dropping privileges. 0 or -errno. */
int sandbox_allow_read(struct sandbox *sb, const char *path);
/* Applies the ruleset to this process (and its future threads). Returns
 * the Landlock ABI version applied (> 0), 0 when the kernel has no
 * Landlock, or -errno. Closes the recorded fds either way. */
int sandbox_apply(struct sandbox *sb);

#endif
