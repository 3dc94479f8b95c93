/* priv: give up root once the sockets are bound. */
#ifndef LIFEBOAT_NETBOOT_PRIV_H
#define LIFEBOAT_NETBOOT_PRIV_H

#include <stddef.h>

/* Switches to user (no supplementary groups, its primary group), sets
 * PR_SET_NO_NEW_PRIVS, and checks root cannot be regained. Does nothing
 * (returns 0) when not running as root. Returns 0 or -errno with a reason
 * in why. */
int priv_drop(const char *user, char *why, size_t cap);

#endif
