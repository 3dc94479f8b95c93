/* priv: drops root for the serving user once the sockets are bound, and
 * checks that root cannot be regained. */
#include "netboot/priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The drop user's ids: 0, or -ENOENT/-EINVAL with why. */
static int priv_lookup(const char *user, uid_t *uid, gid_t *gid, char *why, size_t cap)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(why, cap, "no user '%s' (create it or pass --user)", user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(why, cap, "user '%s' is root: refusing to keep root", user);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* No supplementary groups, the user's primary group, its uid: real,
 * effective and saved. 0 or -errno with why. */
static int priv_become(const char *user, uid_t uid, gid_t gid, char *why, size_t cap)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		int e = errno;
		snprintf(why, cap, "switching to '%s': %s", user, strerror(e));
		return -e;
	}
	return 0;
}

int priv_run_as(const char *user, int (*fn)(void *arg), void *arg, char *why, size_t cap)
{
	uid_t uid = 0;
	gid_t gid = 0;
	int r = geteuid() == 0 ? priv_lookup(user, &uid, &gid, why, cap) : 0;
	if (r)
		return r;
	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		snprintf(why, cap, "fork: %s", strerror(-r));
		return r;
	}
	if (pid == 0) {
		char w[160];
		if (geteuid() == 0 && priv_become(user, uid, gid, w, sizeof w))
			_exit(255);
		_exit(fn(arg) & 0xff);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			r = -errno;
			snprintf(why, cap, "waitpid: %s", strerror(-r));
			return r;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 255) {
		snprintf(why, cap, "the check as '%s' did not run to its end", user);
		return -ECHILD;
	}
	return WEXITSTATUS(status);
}

int priv_drop(const char *user, char *why, size_t cap)
{
	if (geteuid() != 0)
		return 0;
	uid_t uid;
	gid_t gid;
	int r = priv_lookup(user, &uid, &gid, why, cap);
	if (r || (r = priv_become(user, uid, gid, why, cap)))
		return r;
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
