/* inits: the table of init systems (how PID 1 shows itself, how to make it
 * re-exec) and the initctl request and inittab they are sent. */
#include "rescue/inits.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct init_info unknown = {INIT_UNKNOWN, "unknown", REEXEC_NONE, "none", NULL};

/* Rows are matched by basename of exe, then comm. Order matters: the
 * basename "init" is both sysvinit and busybox's applet name, but busybox's
 * exe is the busybox binary itself, so "busybox" is tested on exe first. */
static const struct init_row {
	const char *exe_base; /* basename of /proc/1/exe, or NULL */
	const char *comm;     /* /proc/1/comm, or NULL */
	struct init_info info;
} init_table[] = {
    /* systemd re-execs its compiled-in SYSTEMD_BINARY_PATH; Debian 12 uses
     * the split-usr spelling, which resolves to the same file. */
    {"systemd",
     NULL,
     {INIT_SYSTEMD, "systemd", REEXEC_SYSTEMCTL, "systemctl daemon-reexec",
      "/lib/systemd/systemd"}},
    {"busybox",
     NULL,
     {INIT_BUSYBOX, "busybox", REEXEC_BUSYBOX_INITTAB,
      "inittab ::restart: bound over /etc/inittab, SIGHUP then SIGQUIT", NULL}},
    {"openrc-init",
     NULL,
     {INIT_OPENRC, "openrc-init", REEXEC_OPENRC, "openrc-shutdown --reexec", NULL}},
    {"lifeboat", NULL, {INIT_LIFEBOAT, "lifeboat", REEXEC_NONE, "none", NULL}},
    /* runit runs its stages 1-3 as children and never execs itself (runit.c:
     * stage 3, then reboot(2)); runit-init only signals it. s6-svscan execs
     * .s6-svscan/finish only after stopping every service. Both: ptrace. */
    {"runit",
     NULL,
     {INIT_RUNIT, "runit", REEXEC_PTRACE, "ptrace: PID 1 made to call execve", NULL}},
    {"runit-init",
     NULL,
     {INIT_RUNIT, "runit", REEXEC_PTRACE, "ptrace: PID 1 made to call execve", NULL}},
    {"s6-svscan",
     NULL,
     {INIT_S6, "s6-svscan", REEXEC_PTRACE, "ptrace: PID 1 made to call execve", NULL}},
    /* sysvinit: telinit u execs "/sbin/init"; after the bind, telinit IS
     * the substitute, so the request goes straight to /run/initctl. */
    {"init",
     "init",
     {INIT_SYSVINIT, "sysvinit", REEXEC_INITCTL, "init_request 'U' to /run/initctl", "/sbin/init"}},
};

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static const struct init_info *match(const char *exe_base, const char *comm)
{
	for (size_t i = 0; i < sizeof init_table / sizeof init_table[0]; i++) {
		const struct init_row *r = &init_table[i];
		if (r->exe_base && strcmp(r->exe_base, exe_base))
			continue;
		if (r->comm && strcmp(r->comm, comm))
			continue;
		return &r->info;
	}
	return NULL;
}

/* busybox as PID 1 is busybox init only when it runs as init (comm
 * "init"/"linuxrc", or "busybox" for `busybox init`): `busybox sleep` or
 * `busybox sh` as a container's PID 1 has no inittab to be re-read. */
static const struct init_info *busybox_applet(const struct init_info *i, const char *comm)
{
	if (i->kind != INIT_BUSYBOX || !comm[0] || !strcmp(comm, "init") ||
	    !strcmp(comm, "linuxrc") || !strcmp(comm, "busybox"))
		return i;
	return &unknown;
}

const struct init_info *inits_detect(const char *exe, const char *comm, const char *argv0)
{
	char eb[256];
	const struct init_info *i;
	snprintf(eb, sizeof eb, "%s", base(exe ? exe : ""));
	/* A replaced binary shows as "/usr/lib/systemd/systemd (deleted)". */
	char *del = strstr(eb, " (deleted)");
	if (del && del[10] == 0)
		*del = 0;
	comm = comm ? comm : "";
	if ((i = match(eb, comm)))
		return busybox_applet(i, comm);
	/* A sysvinit whose exe basename is not "init" (e.g. a hard link) still
	 * calls itself init; systemd's comm is "systemd". */
	if (argv0 && *argv0 && (i = match(base(argv0), comm)))
		return busybox_applet(i, comm);
	return &unknown;
}

const char *inits_supported(void)
{
	return "systemd, sysvinit, openrc-init, busybox init";
}

void inits_initctl_request(uint8_t out[INITCTL_REQUEST_SIZE])
{
	/* struct init_request { int magic, cmd, runlevel, sleeptime; union
	 * { struct init_request_bsd; char data[368]; } i; } from initreq.h. */
	const int magic = 0x03091969, cmd = 1, runlevel = 'U';
	memset(out, 0, INITCTL_REQUEST_SIZE);
	memcpy(out, &magic, 4);
	memcpy(out + 4, &cmd, 4);
	memcpy(out + 8, &runlevel, 4);
}

int inits_busybox_inittab(char *out, size_t cap, const char *substitute)
{
	/* busybox runs commands holding any of these through "sh -c"; the
	 * shell may not exist once its filesystem is gone. */
	if (!substitute || substitute[0] != '/' ||
	    strpbrk(substitute, "~`!$^&*()=|\\{}[];\"'<>? \t\n"))
		return -ENOBUFS;
	int n = snprintf(out, cap, "::restart:%s\n", substitute);
	if (n < 0 || (size_t)n >= cap)
		return -ENOBUFS;
	return n;
}
