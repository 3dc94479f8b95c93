/* priv: give up root once the sockets are bound. */
#ifndef LIFEBOAT_NETBOOT_PRIV_H
#define LIFEBOAT_NETBOOT_PRIV_H

#include <stddef.h>

/* Switches to user (no supplementary groups, its primary group), sets
 * PR_SET_NO_NEW_PRIVS, and checks root cannot be regained. Does nothing
 * (returns 0) when not running as root. Returns 0 or -errno with a reason
 * in why. */
int priv_drop(const char *user, char *why, size_t cap);

/* Runs fn(arg) in a child process that holds the ids priv_drop(user)
 * would leave (as root; otherwise the current ones), so the kernel itself
 * answers what that user may open: mode bits, ACLs, ownership, root_squash.
 * This process is unchanged. Returns fn's result (0..254), or -errno with
 * a reason in why (no such user, fork failed, the child died). */
int priv_run_as(const char *user, int (*fn)(void *arg), void *arg, char *why, size_t cap);

#endif
