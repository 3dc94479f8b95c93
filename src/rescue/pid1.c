/* pid1: the init role. Started by the old init's re-exec (or as the first
 * process of a rescue image), it moves into the RAM root, stops the old
 * userland, releases the old root and then runs, returns or reboots as the
 * state file says. It never exits: every path ends in a shell on the
 * console, a retry, an exec of an init, or a deliberate reboot(2). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sys.h"
#include "rescue/ctlcmd.h"
#include "rescue/image.h"
#include "rescue/kexec.h"
#include "rescue/leftover.h"
#include "rescue/mountinfo.h"
#include "rescue/netkeep.h"
#include "rescue/plan.h"
#include "rescue/rinit.h"
#include "rescue/role.h"
#include "rescue/rootfs.h"
#include "rescue/storage.h"
#include "rescue/switch.h"
#include "roles.h"

struct pid1 {
	struct rescue_state st;
	bool have_state;
	int con;  /* console fd, -1 if none */
	int kmsg; /* /dev/kmsg, core/log writes there; -1 if it did not open */
	int sfd;  /* signalfd */
	pid_t shell, run, ssh;
	int run_out; /* read end of the --run output pipe */
	int run_log;
	uint64_t deadline_ms; /* dead-man switch, 0: off */
	unsigned shell_fast_exits;
	uint64_t shell_retry_ms; /* respawn the shell then (it kept dying) */
	uint64_t shell_started_ms;
	bool then_done;
	/* storage (layered roots): released, torn down, what a return rebuilds */
	bool released, storage_done;
	struct storage_saved *storage;
	pid_t image;	 /* the --image writer (rescue/image), 0: none */
	bool image_wait; /* --image with --revert-after: waits for confirm */
};

static void write_all(int fd, const char *s, size_t n)
{
	while (fd >= 0 && n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* One line on the console, as it is. */
static void console_line(struct pid1 *p, const char *prefix, const char *msg)
{
	char line[2048];
	int n = snprintf(line, sizeof line - 1, "%s%s", prefix, msg);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	write_all(p->con, line, (size_t)n);
}

/* A LIFEBOAT-* marker (the interface the tests and scripts read): on the
 * console as it is, or to the kernel log when there is no console. */
__attribute__((format(printf, 2, 3))) static void mark(struct pid1 *p, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->con >= 0)
		console_line(p, "", msg);
	else
		log_info("%s", msg);
}

/* A diagnostic (logfmt): to the kernel log through core/log when /dev/kmsg
 * opened, and on the console for whoever watches it. */
__attribute__((format(printf, 3, 4))) static void note(struct pid1 *p, enum log_level lvl,
						       const char *fmt, ...)
{
	char msg[1536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(lvl, "%s", msg);
	if (p->con >= 0)
		console_line(p, "lifeboat: ", msg);
}

static void reset_process(void)
{
	sigset_t all;
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	/* The old init left unit and serialization fds open; they may hold
	 * files on the old root. */
	for (int fd = 3; fd < 65536; fd++)
		close(fd);
	umask(022);
}

static void open_console(struct pid1 *p)
{
	p->con = open(p->st.console, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (p->con >= 0) {
		/* O_NONBLOCK only so a serial line without carrier cannot hang us. */
		int fl = fcntl(p->con, F_GETFL);
		fcntl(p->con, F_SETFL, fl & ~O_NONBLOCK);
		dup2(p->con, 0);
		dup2(p->con, 1);
		dup2(p->con, 2);
	} else {
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
	}
	/* Diagnostics go to the kernel log (and the console, see note()). */
	p->kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	log_setup(LOG_FMT_KMSG, LOG_LVL_INFO, p->kmsg);
}

static int load_state(struct pid1 *p, const char *path)
{
	char buf[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return -errno;
	plan_state_init(&p->st);
	return plan_state_parse(buf, (size_t)n, &p->st);
}

static pid_t spawn(struct pid1 *p, char *const argv[], int out_fd, bool ctty)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (p->con >= 0) {
		/* A fresh open makes the console this session's controlling tty. */
		int fd = open(p->st.console, O_RDWR);
		if (fd >= 0) {
			if (ctty)
				ioctl(fd, TIOCSCTTY, 0);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	if (out_fd >= 0) {
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		close(out_fd);
	}
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "linux", 0);
	setenv("PS1", "lifeboat# ", 1);
	execv(argv[0], argv);
	_exit(127);
}

static const char *shell_path(struct pid1 *p)
{
	if (p->st.busybox[0] && !access(p->st.busybox, X_OK))
		return p->st.busybox;
	if (!access("/bin/busybox", X_OK))
		return "/bin/busybox";
	return "/bin/sh";
}

static void start_shell(struct pid1 *p)
{
	const char *sh = shell_path(p);
	/* busybox picks the applet from its first argument: "busybox sh". */
	char *argv[] = {(char *)sh, strcmp(sh, "/bin/sh") ? "sh" : NULL, NULL};
	p->shell = spawn(p, argv, -1, true);
	if (p->shell < 0)
		p->shell = 0;
	p->shell_started_ms = sys_clock_ms(CLOCK_MONOTONIC);
}

static void image_done(struct pid1 *p, int code);

/* Reaps every exited child; reacts to the ones we track. */
static void reap(struct pid1 *p, void (*on_run_exit)(struct pid1 *, int))
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == p->shell) {
			p->shell = 0;
			/* A shell that dies at once must not spin the CPU. */
			if (sys_clock_ms(CLOCK_MONOTONIC) - p->shell_started_ms < 1000)
				p->shell_fast_exits++;
			else
				p->shell_fast_exits = 0;
			if (p->then_done && p->st.then == THEN_SHELL) {
				if (p->shell_fast_exits > 5)
					p->shell_retry_ms = sys_clock_ms(CLOCK_MONOTONIC) + 5000;
				else
					start_shell(p);
			}
		} else if (pid == p->run) {
			p->run = 0;
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			if (on_run_exit)
				on_run_exit(p, code);
		} else if (pid == p->ssh) {
			p->ssh = 0;
			note(p, LOG_LVL_WARN, "pid1.ssh.exit status=%d", status);
		} else if (pid == p->image) {
			p->image = 0;
			image_done(p, WIFEXITED(status) ? WEXITSTATUS(status)
							: 128 + WTERMSIG(status));
		}
	}
}

/* ---- stopping the old userland ---- */

static bool is_kthread(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	char *rp = strrchr(buf, ')');
	unsigned long flags = 0;
	int ppid = 0;
	/* fields after comm: state ppid pgrp session tty tpgid flags */
	if (!rp || sscanf(rp + 2, "%*c %d %*d %*d %*d %*d %lu", &ppid, &flags) != 2)
		return true;
	return (flags & 0x00200000) || pid == 2 || ppid == 2; /* PF_KTHREAD */
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *rp = strrchr(buf, ')');
	int ppid = 0;
	if (!rp || sscanf(rp + 2, "%*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/* Ours: the ssh server and its sessions (and anything we started). */
static bool is_ours(struct pid1 *p, pid_t pid)
{
	for (int i = 0; i < 64 && pid > 1; i++) {
		if ((p->ssh && pid == p->ssh) || (p->shell && pid == p->shell))
			return true;
		pid = parent_of(pid);
	}
	return false;
}

/* Signals every old process; returns how many were signalled. */
static int signal_old(struct pid1 *p, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 1 || pid == getpid() || is_kthread((pid_t)pid) ||
		    is_ours(p, (pid_t)pid))
			continue;
		if (!kill((pid_t)pid, sig))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Waits up to ms for signals, reaping; returns early when pred says so. */
static void wait_signals(struct pid1 *p, unsigned ms, bool (*done)(struct pid1 *))
{
	uint64_t end = sys_clock_ms(CLOCK_MONOTONIC) + ms;
	for (;;) {
		reap(p, NULL);
		if (done && done(p))
			return;
		uint64_t now = sys_clock_ms(CLOCK_MONOTONIC);
		if (now >= end)
			return;
		struct pollfd pf = {p->sfd, POLLIN, 0};
		unsigned left = (unsigned)(end - now);
		poll(&pf, 1, left > 100 ? 100 : (int)left);
		struct signalfd_siginfo si;
		while (read(p->sfd, &si, sizeof si) == (ssize_t)sizeof si)
			; /* during the stop phase only SIGCHLD matters */
	}
}

static bool none_left(struct pid1 *p)
{
	return signal_old(p, 0) == 0;
}

static void stop_old_userland(struct pid1 *p)
{
	int n = signal_old(p, SIGTERM);
	note(p, LOG_LVL_INFO, "pid1.stop signal=SIGTERM processes=%d grace_s=%u", n, p->st.grace_s);
	wait_signals(p, p->st.grace_s * 1000, none_left);
	n = signal_old(p, SIGKILL);
	if (n)
		note(p, LOG_LVL_INFO, "pid1.stop signal=SIGKILL processes=%d", n);
	wait_signals(p, 2000, none_left);
}

/* ---- releasing the old root ---- */

struct holders {
	char out[1024];
	size_t len;
};

static void add_holder(struct holders *h, long pid)
{
	char comm[64] = "?", path[64], item[96];
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, comm, sizeof comm - 1);
		comm[n > 0 ? n : 0] = 0;
		comm[strcspn(comm, "\n ,")] = 0;
		close(fd);
	}
	int n = snprintf(item, sizeof item, "%s%ld:%s", h->len ? "," : "", pid, comm);
	if (n > 0 && h->len + (size_t)n < sizeof h->out) {
		memcpy(h->out + h->len, item, (size_t)n + 1);
		h->len += (size_t)n;
	}
}

static bool link_under(const char *link, const char *mnt)
{
	char t[PATH_MAX];
	ssize_t n = readlink(link, t, sizeof t - 1);
	if (n <= 0)
		return false;
	t[n] = 0;
	return mountinfo_path_under(t, mnt);
}

static bool pid_holds(long pid, const char *mnt)
{
	char path[64], line[PATH_MAX + 128];
	static const char *const links[] = {"cwd", "root", "exe"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "/proc/%ld/%s", pid, links[i]);
		if (link_under(path, mnt))
			return true;
	}
	snprintf(path, sizeof path, "/proc/%ld/fd", pid);
	DIR *d = opendir(path);
	struct dirent *de;
	bool held = false;
	while (d && !held && (de = readdir(d))) {
		char l[64 + 260];
		if (de->d_name[0] == '.')
			continue;
		snprintf(l, sizeof l, "%s/%s", path, de->d_name);
		held = link_under(l, mnt);
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof path, "/proc/%ld/maps", pid);
	FILE *f = held ? NULL : fopen(path, "re");
	while (f && !held && fgets(line, sizeof line, f)) {
		char *s = strchr(line, '/');
		if (s) {
			s[strcspn(s, "\n")] = 0;
			held = mountinfo_path_under(s, mnt);
		}
	}
	if (f)
		fclose(f);
	return held;
}

static void report_busy(void *c, const char *target)
{
	struct pid1 *p = c;
	struct holders h = {.len = 0};
	h.out[0] = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		if (pid_holds(pid, target))
			add_holder(&h, pid);
	}
	if (d)
		closedir(d);
	mark(p, "LIFEBOAT-ROOT-BUSY mount=%s holders=%s", target, h.len ? h.out : "none-found");
}

static uint64_t ram_kib(void)
{
	struct statfs s;
	if (statfs("/", &s))
		return 0;
	return (uint64_t)(s.f_blocks - s.f_bfree) * (uint64_t)s.f_bsize / 1024;
}

/* A container may have run without sysfs: the loop detach (holders) and
 * the storage teardown need /sys/block. */
static void ensure_sysfs(struct pid1 *p)
{
	if (access("/sys/block", F_OK) &&
	    (mkdir("/sys", 0555),
	     mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)))
		note(p, LOG_LVL_WARN, "pid1.sysfs error=\"%s\"", strerror(errno));
}

static void release_old_root(struct pid1 *p)
{
	struct switch_ops ops = switch_sys_ops;
	struct release_report r;
	int n = switch_swapoff_all();
	if (n)
		note(p, LOG_LVL_INFO, "pid1.swapoff areas=%d", n);
	ops.busy = report_busy;
	/* Loop devices backed by old-root files keep it busy; the ones that are
	 * themselves mounted go with their mount. */
	/* --image onto a loop device: that one must stay (it is unused now). */
	ensure_sysfs(p);
	n = strncmp(p->st.image_target, "/dev/loop", 9) ? switch_detach_loops() : 0;
	if (n)
		note(p, LOG_LVL_INFO, "pid1.loops detached=%d", n);
	if (switch_release(&ops, p, OLDROOT, 10, &r)) {
		note(p, LOG_LVL_ERR, "pid1.release error=\"cannot read mountinfo\"");
		return;
	}
	/* No second detach pass: a loop device that held the old root must
	 * stay attached for lifeboat return. */
	note(p, LOG_LVL_INFO,
	     "pid1.release under=%s msg=\"unmounted %d mounts under %s, %d busy, %d detached "
	     "lazily\"",
	     OLDROOT, r.unmounted, OLDROOT, r.busy, r.detached);
	p->released = r.released;
	if (r.released) {
		uint64_t secs = p->st.start_ms
				    ? (sys_clock_ms(CLOCK_BOOTTIME) - p->st.start_ms + 500) / 1000
				    : 0;
		mark(p, "LIFEBOAT-ROOT-RELEASED secs=%llu ram_kib=%llu", (unsigned long long)secs,
		     (unsigned long long)ram_kib());
	}
}

/* ---- layered storage (rescue/storage): LVM, dm-crypt, MD, loop ---- */

static void storage_say(void *c, bool marker, const char *line)
{
	struct pid1 *p = c;
	if (marker)
		mark(p, "%s", line);
	else
		note(p, LOG_LVL_INFO, "pid1.%s", line);
}

/* Once --run is over: tears down what is stacked under the released old
 * root, keeping what a return needs (not for --then reboot/poweroff, and
 * nothing for switch: the new root may live on it). */
static void storage_teardown(struct pid1 *p)
{
	struct storage_report r;
	enum then_action t = p->st.then;
	if (p->storage_done || !p->have_state || t == THEN_SWITCH)
		return;
	p->storage_done = true;
	if (!p->released) {
		note(p, LOG_LVL_WARN, "pid1.storage skipped=1 msg=\"old root not released\"");
		return;
	}
	bool may_return = t != THEN_REBOOT && t != THEN_POWEROFF;
	ensure_sysfs(p);
	int rc = storage_down(p->st.root_major, p->st.root_minor, may_return, "/lifeboat",
			      &p->storage, &r, storage_say, p);
	if (rc && rc != -ENOENT)
		note(p, LOG_LVL_ERR, "pid1.storage error=\"%s\"", strerror(-rc));
}

/* Before the old root is mounted again: what the teardown closed. */
static void storage_rebuild(struct pid1 *p)
{
	if (p->storage)
		storage_up(&p->storage, "/lifeboat", storage_say, p);
}

/* ---- the way back ---- */

static void kill_rescue_children(struct pid1 *p)
{
	kill(-1, SIGKILL); /* as PID 1 this spares only us */
	for (int i = 0; i < 20; i++) {
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		usleep(50000);
	}
	p->shell = p->run = p->ssh = p->image = 0;
}

static unsigned long mount_flags(const char *opts, char *data, size_t cap)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} fl[] = {{"ro", MS_RDONLY},	     {"nosuid", MS_NOSUID},
		  {"nodev", MS_NODEV},	     {"noexec", MS_NOEXEC},
		  {"noatime", MS_NOATIME},   {"nodiratime", MS_NODIRATIME},
		  {"relatime", MS_RELATIME}, {"rw", 0},
		  {"sync", MS_SYNCHRONOUS},  {"strictatime", MS_STRICTATIME}};
	unsigned long flags = 0;
	char tmp[1024];
	size_t len = 0;
	snprintf(tmp, sizeof tmp, "%s", opts);
	data[0] = 0;
	for (char *s = strtok(tmp, ","); s; s = strtok(NULL, ",")) {
		bool known = false;
		for (size_t i = 0; i < sizeof fl / sizeof fl[0] && !known; i++)
			if (!strcmp(s, fl[i].name)) {
				flags |= fl[i].flag;
				known = true;
			}
		if (!known && len + strlen(s) + 2 < cap)
			len += (size_t)snprintf(data + len, cap - len, "%s%s", len ? "," : "", s);
	}
	return flags;
}

/* Mounts the old root at /newroot, switches into it and execs its init.
 * Returns only on failure, with the RAM root still in place. */
/* Enters the root mounted at /newroot and execs its init (a path inside
 * it). Returns only on failure, with the RAM root still in place. */
static void enter_newroot(struct pid1 *p, const char *initp, const char *what)
{
	/* autofs mounts (systemd's binfmt_misc automount) lost their daemon
	 * with the old userland; the fresh init wants to set them up again. */
	struct mnt_table t;
	if (!mountinfo_load("/proc/self/mountinfo", &t)) {
		for (size_t i = t.n; i-- > 0;)
			if (!strcmp(t.v[i].fstype, "autofs"))
				umount2(t.v[i].target, MNT_DETACH);
		mountinfo_free(&t);
	}
	/* The --run log lives in the old /run, which stays behind: carry it. */
	char log[65536];
	ssize_t loglen = -1;
	int lfd = open("/run/lifeboat-run.log", O_RDONLY | O_CLOEXEC);
	if (lfd >= 0) {
		loglen = read(lfd, log, sizeof log);
		close(lfd);
	}
	int rc = switch_leave(&switch_sys_ops, p, NEWROOT);
	if (!rc && loglen > 0) {
		lfd = open("/run/lifeboat-run.log", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		write_all(lfd, log, (size_t)loglen);
		if (lfd >= 0)
			close(lfd);
	}
	if (rc) {
		note(p, LOG_LVL_ERR, "pid1.%s.failed into=%s error=\"%s\"", what, NEWROOT,
		     strerror(-rc));
		return;
	}
	/* The old /run still has our empty mount point. */
	rmdir(RESCUE_DIR);
	mark(p, "%s", !strcmp(what, "return") ? "LIFEBOAT-RETURNED" : "LIFEBOAT-SWITCHED");
	/* busybox picks its applet from argv[0]. */
	const char *b = strrchr(initp, '/');
	char *argv[] = {(char *)initp, NULL};
	if (b && !strcmp(b + 1, "busybox"))
		argv[0] = "init";
	if (p->con >= 0)
		close(p->con);
	/* Our mask blocks everything (signalfd); an exec keeps the mask, and
	 * sysvinit, which never resets it, would wait forever for SIGCHLD. */
	sigset_t none;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(initp, argv);
	execl("/sbin/init", "/sbin/init", (char *)NULL);
	/* Nothing of ours is reachable any more: reboot is the only way on. */
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

/* Mounts the old root at /newroot, switches into it and execs its init.
 * Returns only on failure, with the RAM root still in place. */
static void do_return(struct pid1 *p)
{
	char data[1024], initp[PATH_MAX];
	unsigned long flags = mount_flags(p->st.root_opts, data, sizeof data);
	kill_rescue_children(p);
	storage_rebuild(p);
	mkdir(NEWROOT, 0755);
	const char *src = p->st.root_source;
	struct stat sst;
	/* A block device whose node is not in this /dev (containers): make one. */
	if (src[0] == '/' && stat(src, &sst) && p->st.root_major) {
		mknod("/lifeboat/rootdev", S_IFBLK | 0600,
		      makedev(p->st.root_major, p->st.root_minor));
		src = "/lifeboat/rootdev";
	}
	if (mount(src, NEWROOT, p->st.root_fstype, flags, data[0] ? data : NULL)) {
		note(p, LOG_LVL_ERR, "pid1.return.failed source=%s fstype=%s at=%s error=\"%s\"",
		     p->st.root_source, p->st.root_fstype, NEWROOT, strerror(errno));
		return;
	}
	if (rootfs_find_init(NEWROOT, p->st.init_path, initp, sizeof initp)) {
		note(p, LOG_LVL_ERR, "pid1.return.failed init=%s error=\"no init in the old root\"",
		     p->st.init_path);
		umount2(NEWROOT, MNT_DETACH);
		return;
	}
	enter_newroot(p, initp, "return");
	umount2(NEWROOT, MNT_DETACH);
}

/* --switch-to: stage 0 mounted the new root at /newroot already. */
static void do_switch(struct pid1 *p)
{
	char initp[PATH_MAX];
	struct mnt_table t;
	bool mounted = false;
	kill_rescue_children(p);
	if (!mountinfo_load("/proc/self/mountinfo", &t)) {
		mounted = mountinfo_find(&t, NEWROOT) != NULL;
		mountinfo_free(&t);
	}
	if (!mounted && p->st.image[0]) { /* --image: the written target */
		mkdir(NEWROOT, 0755);
		int rc = image_mount(p->st.image_target, NEWROOT, 0);
		mounted = !rc;
		if (rc)
			note(p, LOG_LVL_ERR, "pid1.switch.failed target=%s error=\"mount: %s\"",
			     p->st.image_target, strerror(-rc));
	}
	if (!mounted) {
		note(p, LOG_LVL_ERR, "pid1.switch.failed at=%s error=\"nothing mounted\"", NEWROOT);
		return;
	}
	if (rootfs_find_init(NEWROOT, NULL, initp, sizeof initp)) {
		note(p, LOG_LVL_ERR, "pid1.switch.failed from=%s error=\"no init\"",
		     p->st.switch_to);
		return;
	}
	enter_newroot(p, initp, "switch");
}

static void do_power(struct pid1 *p, int how)
{
	kill_rescue_children(p);
	sync();
	note(p, LOG_LVL_INFO, "pid1.%s", how == RB_POWER_OFF ? "poweroff" : "reboot");
	reboot(how);
	/* In a PID namespace reboot(2) ends the namespace; if it returned,
	 * stay alive for the shell. */
	note(p, LOG_LVL_ERR, "pid1.reboot.failed error=\"%s\"", strerror(errno));
}

/* ---- --image and --then kexec (rescue/image.c, rescue/kexec.c) ---- */

static void start_run(struct pid1 *p);
static void do_then(struct pid1 *p);

/* --then kexec: the kernel carried into the RAM root, or (after --image)
 * the one inside the written root, mounted read-only at /newroot. */
static void do_kexec(struct pid1 *p)
{
	char k[PATH_MAX + 16], i[PATH_MAX + 16], why[512];
	const char *base = "";
	kill_rescue_children(p);
	if (p->st.image[0]) {
		mkdir(NEWROOT, 0755);
		int rc = image_mount(p->st.image_target, NEWROOT, 1);
		if (rc) {
			note(p, LOG_LVL_ERR, "pid1.kexec.failed target=%s error=\"mount: %s\"",
			     p->st.image_target, strerror(-rc));
			return;
		}
		base = NEWROOT;
	}
	snprintf(k, sizeof k, "%s%s", base, p->st.kexec_kernel);
	snprintf(i, sizeof i, "%s%s", p->st.kexec_initrd[0] ? base : "", p->st.kexec_initrd);
	mark(p, "LIFEBOAT-KEXEC kernel=%s initrd=%s", k, i[0] ? i : "none");
	int rc = kexec_boot(k, i, p->st.kexec_cmdline, why, sizeof why);
	note(p, LOG_LVL_ERR, "pid1.kexec.failed error=\"%s\"", rc ? why : "returned");
	if (p->st.image[0])
		umount2(NEWROOT, MNT_DETACH);
}

/* The writer: a child of ours, so that signals, confirm and the dead-man
 * switch stay served while it runs. */
static void image_start(struct pid1 *p)
{
	mark(p, "LIFEBOAT-IMAGE-START src=%s target=%s", p->st.image, p->st.image_target);
	pid_t pid = fork();
	if (pid == 0) {
		char why[512];
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		struct image_job j = {.src = p->st.image,
				      .target = p->st.image_target,
				      .sha256 = p->st.image_sha256,
				      .busybox = shell_path(p),
				      .con = p->con,
				      .status_file = IMAGE_STATUS_FILE};
		int rc = image_write(&j, why, sizeof why);
		dprintf(p->con >= 0 ? p->con : 2, "%s %s\n",
			rc ? "LIFEBOAT-IMAGE-FAILED" : "LIFEBOAT-IMAGE-OK", why);
		_exit(rc ? (rc == -EBADMSG ? 2 : 1) : 0);
	}
	if (pid < 0) {
		note(p, LOG_LVL_ERR, "pid1.image.failed error=\"fork: %s\"", strerror(errno));
		image_done(p, 1);
		return;
	}
	p->image = pid;
}

static void image_begin(struct pid1 *p)
{
	if (p->deadline_ms) { /* nothing is written before confirm */
		p->image_wait = true;
		mark(p, "LIFEBOAT-IMAGE-WAIT msg=\"nothing is written until 'lifeboat confirm'\"");
		return;
	}
	image_start(p);
}

/* Writer ended: on success --run and --then go on; a failure (a wrong
 * --sha256 included) stops here in the rescue shell: no reboot, no switch. */
static void image_done(struct pid1 *p, int code)
{
	if (code) {
		note(p, LOG_LVL_ERR, "pid1.image.failed status=%d action=shell", code);
		p->st.then = THEN_SHELL;
		p->then_done = true;
		if (!p->shell)
			start_shell(p);
		return;
	}
	if (p->st.run[0])
		start_run(p);
	else
		do_then(p);
}

static void do_then(struct pid1 *p)
{
	p->then_done = true;
	storage_teardown(p);
	mark(p, "LIFEBOAT-THEN action=%s", plan_then_name(p->st.then));
	switch (p->st.then) {
	case THEN_REBOOT:
		do_power(p, RB_AUTOBOOT);
		break;
	case THEN_POWEROFF:
		do_power(p, RB_POWER_OFF);
		break;
	case THEN_RETURN:
		do_return(p);
		break;
	case THEN_SWITCH:
		do_switch(p);
		break;
	case THEN_KEXEC:
		do_kexec(p);
		break;
	default:
		break;
	}
	/* shell, or whatever above failed: the console shell. */
	p->st.then = THEN_SHELL;
	if (!p->shell)
		start_shell(p);
}

static void on_run_exit(struct pid1 *p, int code)
{
	/* Drain what the command wrote last. */
	char buf[4096];
	ssize_t n;
	while (p->run_out >= 0 && (n = read(p->run_out, buf, sizeof buf)) > 0) {
		write_all(p->con, buf, (size_t)n);
		write_all(p->run_log, buf, (size_t)n);
	}
	if (p->run_out >= 0)
		close(p->run_out);
	if (p->run_log >= 0)
		close(p->run_log);
	p->run_out = p->run_log = -1;
	mark(p, "LIFEBOAT-RUN-EXIT status=%d", code);
	do_then(p);
}

static void start_run(struct pid1 *p)
{
	int fds[2];
	const char *sh = shell_path(p);
	char *bb[] = {(char *)sh, "sh", "-c", p->st.run, NULL};
	char *plain[] = {(char *)sh, "-c", p->st.run, NULL};
	char **argv = strcmp(sh, "/bin/sh") ? bb : plain;
	mark(p, "LIFEBOAT-RUN-START cmd=%s", p->st.run);
	if (pipe2(fds, O_CLOEXEC)) {
		note(p, LOG_LVL_ERR, "pid1.run.failed error=\"pipe: %s\"", strerror(errno));
		do_then(p);
		return;
	}
	p->run_log = open("/run/lifeboat-run.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int w = fcntl(fds[1], F_DUPFD, 3); /* without CLOEXEC, for the child */
	close(fds[1]);
	p->run = spawn(p, argv, w, false);
	close(w);
	p->run_out = fds[0];
	if (p->run < 0) {
		p->run = 0;
		on_run_exit(p, 127);
	}
}

static void handle_signal(struct pid1 *p, const struct signalfd_siginfo *si)
{
	switch (si->ssi_signo) {
	case SIGCHLD:
		reap(p, on_run_exit);
		break;
	case SIGINT: /* Ctrl-Alt-Del (reboot(RB_DISABLE_CAD) routes it to us) */
		note(p, LOG_LVL_INFO,
		     "pid1.signal signal=SIGINT reason=ctrl-alt-del action=reboot");
		do_power(p, RB_AUTOBOOT);
		break;
	case SIGPWR: /* power failure reported by a UPS daemon or the host */
		note(p, LOG_LVL_INFO, "pid1.signal signal=SIGPWR action=poweroff");
		do_power(p, RB_POWER_OFF);
		break;
	case SIGUSR1: { /* lifeboat confirm */
		if (!access(RESCUE_CONFIRM, F_OK) && p->deadline_ms) {
			p->deadline_ms = 0;
			mark(p, "LIFEBOAT-CONFIRMED");
		}
		if (!p->deadline_ms && p->image_wait) { /* --image waited for this */
			p->image_wait = false;
			image_start(p);
		}
		break;
	}
	case SIGUSR2: /* lifeboat return */
		note(p, LOG_LVL_INFO, "pid1.signal signal=SIGUSR2 action=return");
		do_return(p);
		if (!p->shell)
			start_shell(p);
		break;
	default:
		/* SIGTERM (tools asking an init to re-exec), SIGHUP, SIGWINCH
		 * (keyboard request): nothing to re-exec or re-read here. */
		note(p, LOG_LVL_INFO, "pid1.signal signal=%u action=ignored", si->ssi_signo);
		break;
	}
}

static void start_ssh(struct pid1 *p)
{
	const char *s = p->st.ssh_server;
	char port[16];
	snprintf(port, sizeof port, "%u", p->st.ssh_port);
	if (strstr(s, "dropbear")) {
		char *argv[] = {(char *)s, "-F", "-E", "-R", "-p", port, NULL};
		p->ssh = spawn(p, argv, -1, false);
	} else {
		mkdir("/run/sshd", 0755);
		char *argv[] = {(char *)s, "-D", "-e", "-p", port, NULL};
		p->ssh = spawn(p, argv, -1, false);
	}
	if (p->ssh < 0)
		p->ssh = 0;
	note(p, LOG_LVL_INFO, "pid1.ssh pid=%d msg=\"ssh server %s on port %s\"", (int)p->ssh, s,
	     port);
}

static void mount_api_fs(void)
{
	/* For a rescue image started directly as PID 1. */
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mkdir("/sys", 0555);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
}

#define STAGE2_ARG ROLE_STAGE2_ARG

/* One line to stderr (what the init gave us) and, through core/log, the
 * kernel log: nothing else is open this early. The wording stays as it is:
 * scripts look for it in dmesg. */
__attribute__((format(printf, 1, 2))) static void early_say(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dprintf(2, "lifeboat: %s\n", msg);
	int k = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	log_setup(LOG_FMT_KMSG, LOG_LVL_INFO, k);
	log_warn("%s", msg);
	log_setup(LOG_FMT_KMSG, LOG_LVL_INFO, -1);
	if (k >= 0)
		close(k);
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Did an init reach us through what a takeover left behind? Yes when we
 * run from the rescue tmpfs, from a bind of it, or from a path that now
 * names another file (the bind went while we were being exec'd). A rescue
 * image's own /init is none of these. */
static bool entered_via_leftover(const char *self)
{
	struct mnt_table t;
	bool ours = mountinfo_path_under(self, RESCUE_DIR) || !same_file(self, "/proc/self/exe");
	if (!ours && !mountinfo_load("/proc/self/mountinfo", &t)) {
		const struct mnt_entry *e = mountinfo_find(&t, self);
		ours = e && !strcmp(e->source, RESCUE_TMPFS_SOURCE);
		mountinfo_free(&t);
	}
	return ours;
}

/* PID 1 runs us but the takeover state is missing or stale: a leftover
 * bind (stage 0 killed, a later daemon-reexec). Remove the leftovers and
 * exec the original init at once with the argv, environment, fds and
 * signal mask the init gave us, so systemd's serialization carries on:
 * the path we were exec'd from (argv[0] if absolute, as systemd, sysvinit
 * and openrc exec it), or, when we ran from the tmpfs itself (busybox's
 * ::restart:), the init the state names. Returns if that is impossible. */
static void reexec_original(int argc, char **argv, const struct rescue_state *st, bool named,
			    const char *why)
{
	char self[PATH_MAX], target[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return;
	self[n] = 0;
	if (!entered_via_leftover(self))
		return;
	bool from_tmpfs = mountinfo_path_under(self, RESCUE_DIR);
	char *bb_argv[] = {"init", NULL};
	char **nargv = argv;
	if (from_tmpfs) {
		snprintf(target, sizeof target, "%s",
			 named && st->init_path[0] ? st->init_path : "/sbin/init");
		if (!strstr(target, "busybox"))
			bb_argv[0] = target;
		nargv = bb_argv;
	} else {
		snprintf(target, sizeof target, "%s",
			 argc > 0 && argv[0][0] == '/' ? argv[0] : self);
	}
	early_say("PID 1 entered through a takeover leftover (state %s); "
		  "removing it and executing the original init %s",
		  why ? why : "missing", target);
	int k = leftover_clean();
	/* Still us at that path: exec'ing it would loop. */
	if (same_file(target, "/proc/self/exe")) {
		early_say("%s still runs lifeboat (%d mounts removed); staying", target, k);
		return;
	}
	execve(target, nargv, environ);
	early_say("exec %s: %s; staying", target, strerror(errno));
}

/* Loads the state for this entry; a first entry without valid state
 * from a leftover bind does not return (reexec_original). */
static bool entry_state(struct pid1 *p, bool stage2, int argc, char **argv)
{
	const char *why = NULL;
	if (stage2)
		return load_state(p, RESCUE_STATE) == 0;
	int r = leftover_state_read(RESCUE_DIR RESCUE_STATE, &p->st, &why);
	if (r)
		reexec_original(argc, argv, &p->st, r == -ESTALE, why);
	return r == 0;
}

/* First entry with a state: move into the RAM root and exec our copy
 * there as stage 2 (does not return then). Returns whether we are stage 2
 * now; on failure the state is dropped and a shell in the old root follows. */
static bool enter_ram_root(struct pid1 *p, const sigset_t *all)
{
	int failed = 0, rc = switch_enter(&switch_sys_ops, p, RESCUE_DIR, &failed);
	if (rc) {
		note(p, LOG_LVL_ERR,
		     "pid1.enter.failed error=\"%s\" action=\"shell in the old root\"",
		     strerror(-rc));
		p->st.then = THEN_SHELL;
		p->st.run[0] = 0;
		p->have_state = false;
		return false;
	}
	if (failed)
		note(p, LOG_LVL_WARN, "pid1.enter api_not_moved=%d", failed);
	/* We run from the path the init exec'd: for systemd, sysvinit and
	 * openrc that is the bind mount over the init binary on the old root,
	 * which our own text mapping would keep busy. Start over from the copy
	 * in the RAM root. */
	char *nargv[] = {RESCUE_SELF, STAGE2_ARG, NULL};
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(RESCUE_SELF, nargv);
	sigprocmask(SIG_BLOCK, all, NULL);
	note(p, LOG_LVL_ERR, "pid1.stage2.failed error=\"%s\" action=\"going on\"",
	     strerror(errno));
	return true;
}

/* The old system's DHCP client is gone: renew its leases (rescue/netkeep). */
static void keep_leases(struct pid1 *p)
{
	pid_t pid = netkeep_start(NETKEEP_DIR);
	if (pid > 0)
		note(p, LOG_LVL_INFO, "pid1.netkeep pid=%d", (int)pid);
	else if (pid < 0)
		note(p, LOG_LVL_WARN, "pid1.netkeep error=\"%s\"", strerror((int)-pid));
}

/* Stage 2: the dead-man switch, ssh, stop the old userland, release. */
static void stage2_release(struct pid1 *p)
{
	if (p->st.revert_after_s)
		p->deadline_ms = sys_clock_ms(CLOCK_MONOTONIC) + p->st.revert_after_s * 1000ull;
	if (p->st.ssh_port && p->st.ssh_server[0])
		start_ssh(p);
	stop_old_userland(p);
	keep_leases(p);
	release_old_root(p);
	/* A confirm that came while signals were only drained. */
	if (p->deadline_ms && !access(RESCUE_CONFIRM, F_OK)) {
		p->deadline_ms = 0;
		mark(p, "LIFEBOAT-CONFIRMED");
	}
}

/* The poll timeout until the dead-man deadline or a shell respawn (-1:
 * none); acts on them when they are due. */
static int due_timers(struct pid1 *p)
{
	int timeout = -1;
	if (p->deadline_ms) {
		uint64_t now = sys_clock_ms(CLOCK_MONOTONIC);
		if (now >= p->deadline_ms) {
			p->deadline_ms = 0;
			mark(p, "LIFEBOAT-REVERT reason=deadman");
			do_return(p);
			note(p, LOG_LVL_ERR, "pid1.revert.failed action=reboot");
			do_power(p, RB_AUTOBOOT);
			if (!p->shell)
				start_shell(p);
			return 0;
		}
		timeout = (int)(p->deadline_ms - now);
	}
	if (p->shell_retry_ms) {
		uint64_t now = sys_clock_ms(CLOCK_MONOTONIC);
		if (now >= p->shell_retry_ms) {
			p->shell_retry_ms = 0;
			if (!p->shell)
				start_shell(p);
		} else if (timeout < 0 || p->shell_retry_ms - now < (uint64_t)timeout) {
			timeout = (int)(p->shell_retry_ms - now);
		}
	}
	return timeout;
}

/* Reap and serve signals forever. */
__attribute__((noreturn)) static void serve_forever(struct pid1 *p)
{
	for (;;) {
		struct pollfd pf[2] = {{p->sfd, POLLIN, 0}, {p->run_out, POLLIN, 0}};
		int n = poll(pf, p->run_out >= 0 ? 2 : 1, due_timers(p));
		if (n < 0 && errno != EINTR) {
			sleep(1); /* never spin, never exit */
			continue;
		}
		if (p->run_out >= 0 && (pf[1].revents & (POLLIN | POLLHUP))) {
			char buf[4096];
			ssize_t r = read(p->run_out, buf, sizeof buf);
			if (r > 0) {
				write_all(p->con, buf, (size_t)r);
				write_all(p->run_log, buf, (size_t)r);
			} else if (r == 0) {
				close(p->run_out);
				p->run_out = -1;
			}
		}
		struct signalfd_siginfo si;
		while (read(p->sfd, &si, sizeof si) == (ssize_t)sizeof si)
			handle_signal(p, &si);
		if (p->sfd < 0) /* signalfd failed: reap by polling */
			reap(p, on_run_exit);
	}
}

int init_main(int argc, char **argv)
{
	struct pid1 p = {.con = -1, .kmsg = -1, .run_out = -1, .run_log = -1};
	bool stage2 = argc > 1 && !strcmp(argv[1], STAGE2_ARG);
	if (getpid() != 1) {
		fprintf(stderr, "lifeboat init: not PID 1; nothing done\n");
		return 1;
	}
	if (!stage2 && rinit_is_rescue_image())
		return rinit_main(argc, argv); /* a mkrescue initramfs: rescue/rinit */
	p.have_state = entry_state(&p, stage2, argc, argv);
	reset_process();
	if (!p.have_state) {
		plan_state_init(&p.st);
		if (access("/proc/self", F_OK))
			mount_api_fs();
	}
	open_console(&p);
	if (!stage2)
		mark(&p, "LIFEBOAT-PID1 pid=1 init=%s", p.have_state ? p.st.init_name : "none");

	sigset_t set;
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	p.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	reboot(RB_DISABLE_CAD);

	if (p.have_state && !stage2)
		stage2 = enter_ram_root(&p, &set);
	if (p.have_state && stage2)
		stage2_release(&p);
	if (p.have_state && p.st.image[0])
		image_begin(&p);
	else if (p.have_state && p.st.run[0])
		start_run(&p);
	else
		do_then(&p);
	serve_forever(&p);
}

static int in_rescue(void)
{
	if (access(RESCUE_STATE, R_OK)) {
		fprintf(stderr, "lifeboat: not in a lifeboat rescue system (%s missing)\n",
			RESCUE_STATE);
		return -1;
	}
	return 0;
}

int confirm_main(int argc, char **argv)
{
	int a = ctlcmd_args(confirm_options(), argc, argv);
	if (a >= 0)
		return a;
	if (in_rescue())
		return 1;
	int fd = open(RESCUE_CONFIRM, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || close(fd) || kill(1, SIGUSR1)) {
		fprintf(stderr, "lifeboat confirm: %s\n", strerror(errno));
		return 1;
	}
	printf("lifeboat: confirmed; the dead-man switch is off\n");
	return 0;
}

int return_main(int argc, char **argv)
{
	int a = ctlcmd_args(return_options(), argc, argv);
	if (a >= 0)
		return a;
	if (in_rescue())
		return 1;
	/* PID 1 kills every rescue process, us too: say it first. */
	printf("lifeboat: asked PID 1 to return to the original system\n");
	fflush(stdout);
	if (kill(1, SIGUSR2)) {
		fprintf(stderr, "lifeboat return: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
