/* priv: drops root for the serving user once the sockets are bound, and
 * checks that root cannot be regained. */
#include "netboot/priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int priv_drop(const char *user, char *why, size_t cap)
{
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(why, cap, "no user '%s' (create it or pass --user)", user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(why, cap, "user '%s' is root: refusing to keep root", user);
		return -EINVAL;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		snprintf(why, cap, "switching to '%s': %s", user, strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(why, cap, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -errno;
	}
#if defined(__SANITIZE_ADDRESS__)
	/* Sanitizer builds only: changing uid made us non-dumpable, and
	 * LeakSanitizer's exit-time check must ptrace this process. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	/* Paranoia: a drop that can be undone is no drop. */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(why, cap, "could regain root after dropping it");
		return -EPERM;
	}
	return 0;
}
