/* takeover: stage 0, run on the old system. Observes (init, mounts, RAM),
 * checks, prints the plan, builds the RAM root, binds the substitute over
 * the init binary and makes the init re-execute into it. Everything it did
 * is undone when any step before PID 1 changes fails. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/opts.h"
#include "core/sys.h"
#include "rescue/carry.h"
#include "rescue/elf.h"
#include "rescue/inits.h"
#include "rescue/leftover.h"
#include "rescue/mountinfo.h"
#include "rescue/netkeep.h"
#include "rescue/plan.h"
#include "rescue/ptrace_exec.h"
#include "rescue/rootfs.h"
#include "rescue/takeover.h"
#include "rescue/takeover_image.h"
#include "roles.h"

#define MAX_CARRY 32
#define SELFTEST_STATUS 42

struct takeover {
	struct rescue_state st;
	bool yes, dry_run, force_ptrace;
	enum plan_reexec reexec;
	bool then_set; /* --then given (else --switch-to implies switch) */
	const char *busybox;
	const char *carry[MAX_CARRY];
	size_t ncarry;
	/* observed */
	char exe[PATH_MAX], comm[64], argv0[PATH_MAX];
	const struct init_info *init;
	char bind_target[PATH_MAX]; /* file the substitute is bound over */
	char ssh_src[PATH_MAX];
	struct mnt_table mounts;
	uint64_t mem_avail;
	/* what observe() saw, in the form plan_build() takes */
	struct plan_obs obs;
	char carry_err[512];
	const char *leftover_stale_why;
	char lsm[128];
	struct plan plan;
	/* undo state */
	bool tmpfs_mounted, bound, newroot_mounted;
	int loop_fd; /* loop device set up for an --switch-to image, or -1 */
	/* Test-only (doc/takeover.md): LIFEBOAT_FAULT makes one stage fail at
	 * the point its real failure would surface; LIFEBOAT_REEXEC_WAIT (s)
	 * shortens the wait for PID 1 to re-execute. Read once at start. */
	enum { FAULT_NONE, FAULT_COPY, FAULT_BIND, FAULT_REEXEC, FAULT_PTRACE } fault;
	enum ptx_fault ptrace_fault; /* with FAULT_PTRACE: the ptrace step that fails */
	unsigned reexec_wait_s;
	/* LIFEBOAT_PAUSE (test-only): stop after this step (a plan_step_kind)
	 * until a signal; -1: never. */
	int pause_at;
	/* Stage 0 holds SIGINT/SIGTERM/SIGHUP blocked and looks for them
	 * between steps: the first one seen ends it through undo(). */
	sigset_t stop_sigs;
	int interrupted; /* the signal that ended stage 0, 0: none */
	bool triggered, hup_sent;
	dev_t sub_dev; /* the substitute, to tell whether PID 1 became it */
	ino_t sub_ino;
	struct timg_opts timg; /* --image, --then kexec (rescue/takeover_image) */
};

static int parse_run(void *o, const char *arg, const char **why)
{
	struct takeover *t = o;
	if (strchr(arg, '\n') || strlen(arg) >= sizeof t->st.run) {
		*why = "one line, < 1024 bytes";
		return -EINVAL;
	}
	snprintf(t->st.run, sizeof t->st.run, "%s", arg);
	return 0;
}

static int parse_then(void *o, const char *arg, const char **why)
{
	struct takeover *t = o;
	t->then_set = true;
	if (plan_then_parse(arg, &t->st.then)) {
		*why = "shell|reboot|poweroff|return|switch|kexec";
		return -EINVAL;
	}
	return 0;
}

static int parse_reexec(void *o, const char *arg, const char **why)
{
	struct takeover *t = o;
	if (plan_reexec_parse(arg, &t->reexec)) {
		*why = "auto|ptrace|none";
		return -EINVAL;
	}
	return 0;
}

#define T(m) OPTS_AT(struct takeover, m)
#define G_PLAN "What to do"
#define G_RESCUE "The rescue system"
#define G_GEN "General"

/* takeover's options (core/opts.h): a new one is a row plus its member. */
static const struct opts_row takeover_rows[] = {
    {"dry-run", 0, OPTS_FLAG, T(dry_run), .value = 1, .help = "print the plan, change nothing",
     .group = G_PLAN},
    {"yes", 0, OPTS_FLAG, T(yes), .value = 1, .help = "do not ask for confirmation",
     .group = G_PLAN},
    {"run", 0, OPTS_CUSTOM, "CMD", T(st.run), .parse = parse_run, .flags = OPTS_TERSE,
     .help = "run CMD (busybox sh -c) once the root is released", .group = G_PLAN},
    {"then", 0, OPTS_CUSTOM, "ACTION", T(st.then), .parse = parse_then,
     .flags = OPTS_TERSE | OPTS_DEF_DOC, .def = "shell",
     .help = "shell|reboot|poweroff|return|switch|kexec afterwards", .group = G_PLAN},
    {"revert-after", 0, OPTS_UINT, "SECS", T(st.revert_after_s), .max = 65535, .bad = "bad number",
     .help = "dead-man switch: return unless 'lifeboat confirm' runs in time", .group = G_PLAN},
    {"switch-to", 0, OPTS_STRBUF, "ROOTFS", T(st.switch_to),
     .help = "switch to another root: a directory, a .tar[.gz|.xz] (unpacked into RAM), a "
	     "block device or an image file",
     .group = G_PLAN},
    /* --image and --then kexec: rescue/takeover_image.c, image.c, kexec.c */
    {"image", 0, OPTS_STRBUF, "SRC", T(st.image),
     .help = "write this image (file or http:// URL; raw, gzip, zstd or xz) to --target once "
	     "the root is released",
     .group = G_PLAN},
    {"target", 0, OPTS_STRBUF, "DEV", T(st.image_target), .help = "the disk --image writes",
     .group = G_PLAN},
    {"sha256", 0, OPTS_STRBUF, "HEX", T(st.image_sha256),
     .help = "SHA-256 the written image must have (else no --then)", .group = G_PLAN},
    {"kernel", 0, OPTS_STRING, "FILE", T(timg.kernel),
     .help = "--then kexec: the kernel (default: this one's /boot/vmlinuz-RELEASE; with "
	     "--image: /vmlinuz in the written root)",
     .group = G_PLAN},
    {"initrd", 0, OPTS_STRING, "FILE", T(timg.initrd), .help = "--then kexec: the initrd",
     .group = G_PLAN},
    {"cmdline", 0, OPTS_STRING, "TEXT", T(timg.cmdline),
     .help = "--then kexec: the kernel command line (default: this one's)", .group = G_PLAN},
    {"console", 0, OPTS_STRBUF, "DEV", T(st.console), .def = "/dev/console", .flags = OPTS_DEF_DOC,
     .help = "console of the rescue system", .group = G_RESCUE},
    {"ssh", 0, OPTS_UINT, "PORT", T(st.ssh_port), .min = 1, .max = 65535, .bad = "bad number",
     .help = "start a carried sshd/dropbear on PORT with the old host keys", .group = G_RESCUE},
    {"grace", 0, OPTS_UINT, "SECS", T(st.grace_s), .max = 65535, .bad = "bad number", .def = "5",
     .flags = OPTS_DEF_DOC, .help = "SIGTERM grace before SIGKILL", .group = G_RESCUE},
    {"busybox", 0, OPTS_STRING, "PATH", T(busybox), .def = "/bin/busybox", .flags = OPTS_DEF_DOC,
     .help = "static busybox to carry", .group = G_RESCUE},
    {"carry", 0, OPTS_LIST, "PATH", OPTS_LIST_AT(struct takeover, carry, ncarry),
     .help = "carry an executable with its libraries (repeatable)", .group = G_RESCUE},
    {"reexec", 0, OPTS_CUSTOM, "HOW", T(reexec), .parse = parse_reexec,
     .flags = OPTS_TERSE | OPTS_DEF_DOC, .def = "auto",
     .help = "auto|ptrace|none: the init's own re-exec, ptrace for inits without one; "
	     "ptrace always; never ptrace",
     .group = G_PLAN},
    {"force-ptrace", 0, OPTS_FLAG, T(force_ptrace), .value = 1,
     .help = "the same as --reexec ptrace", .group = G_PLAN},
    {"help", 'h', OPTS_FLAG, .flags = OPTS_STOP, .help = "this text", .group = G_GEN},
};

#undef T

static const struct opts_cmd takeover_cmd = {
    .name = "takeover",
    .about = "usage: lifeboat takeover [OPTIONS]\n"
	     "Become PID 1 of this system from RAM and free its root filesystem.\n",
    .rows = takeover_rows,
    .n_rows = sizeof takeover_rows / sizeof takeover_rows[0],
    .size = sizeof(struct takeover),
    .getopt_errors = true,
};

const struct opts_cmd *takeover_options(void)
{
	return &takeover_cmd;
}

/* The command line into t. 0 to go on, else 1 with the exit status in *rc:
 * 0 after --help, 2 for a bad command line (usage when getopt objected). */
static int takeover_args(struct takeover *t, int argc, char **argv, int *rc)
{
	int first, r = opts_parse(&takeover_cmd, argc, argv, t, &first, stderr);
	*rc = 2;
	if (r == 1) {
		opts_help(&takeover_cmd, stdout);
		*rc = 0;
		return 1;
	}
	if (r == -ENOENT || (!r && first < argc))
		opts_help(&takeover_cmd, stderr);
	if (r || first < argc)
		return 1;
	if (t->st.switch_to[0] && !t->then_set)
		t->st.then = THEN_SWITCH;
	if (t->force_ptrace)
		t->reexec = PLAN_REEXEC_PTRACE;
	timg_args(&t->timg, &t->st);
	*rc = 1; /* a refusal later exits 1 */
	return 0;
}

static int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

static uint64_t meminfo_kib(const char *key)
{
	char buf[8192], *p;
	if (read_small("/proc/meminfo", buf, sizeof buf) < 0 || !(p = strstr(buf, key)))
		return 0;
	return strtoull(p + strlen(key), NULL, 10);
}

/* Tries a harmless tmpfs mount in a throw-away mount namespace of a child,
 * so even the test leaves no trace. Returns 0 or the child's -errno. */
static int probe_mount(void)
{
	pid_t pid = fork();
	int status;
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("lifeboat-probe", "/", "tmpfs", MS_NOSUID, "size=64k"))
			_exit(errno & 0xff);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EPERM;
}

static const char *first_existing(const char *const *paths)
{
	for (; *paths; paths++)
		if (!access(*paths, X_OK))
			return *paths;
	return NULL;
}

static void observe(struct takeover *t)
{
	char cmd[PATH_MAX];
	ssize_t n = readlink("/proc/1/exe", t->exe, sizeof t->exe - 1);
	t->exe[n > 0 ? n : 0] = 0;
	if (read_small("/proc/1/comm", t->comm, sizeof t->comm) > 0)
		t->comm[strcspn(t->comm, "\n")] = 0;
	if (read_small("/proc/1/cmdline", cmd, sizeof cmd) > 0)
		snprintf(t->argv0, sizeof t->argv0, "%s", cmd);
	t->init = inits_detect(t->exe, t->comm, t->argv0);
	snprintf(t->st.init_name, sizeof t->st.init_name, "%s", t->init->name);

	/* The file the init will exec on re-exec, resolved to the real file:
	 * a bind over a symlink would bind over its target anyway. */
	const char *path = t->init->exec_path;
	if (t->init->kind == INIT_OPENRC)
		path = t->argv0[0] == '/' ? t->argv0 : "/sbin/openrc-init";
	if (t->init->kind == INIT_BUSYBOX)
		path = "/etc/inittab";
	if (path && !realpath(path, t->bind_target))
		t->bind_target[0] = 0;
	/* What to exec on return: the init's own path, as the kernel would. */
	if (t->init->kind == INIT_BUSYBOX)
		snprintf(t->st.init_path, sizeof t->st.init_path, "%s", t->exe);
	else if (t->init->kind == INIT_SYSTEMD)
		snprintf(t->st.init_path, sizeof t->st.init_path, "%s", t->bind_target);
	else
		snprintf(t->st.init_path, sizeof t->st.init_path, "%s",
			 t->argv0[0] == '/' ? t->argv0 : "/sbin/init");

	if (mountinfo_load("/proc/self/mountinfo", &t->mounts) == 0) {
		const struct mnt_entry *r = mountinfo_find(&t->mounts, "/");
		if (r) {
			snprintf(t->st.root_source, sizeof t->st.root_source, "%s", r->source);
			snprintf(t->st.root_fstype, sizeof t->st.root_fstype, "%s", r->fstype);
			t->st.root_major = r->major;
			t->st.root_minor = r->minor;
			snprintf(t->st.root_opts, sizeof t->st.root_opts, "%s%s%s", r->opts,
				 r->super[0] ? "," : "", r->super);
		}
	}
	t->mem_avail = meminfo_kib("MemAvailable:") * 1024;
	if (t->st.ssh_port) {
		static const char *const sshds[] = {"/usr/sbin/dropbear", "/usr/sbin/sshd", NULL};
		const char *s = first_existing(sshds);
		if (s)
			snprintf(t->ssh_src, sizeof t->ssh_src, "%s", s);
	}
}

/* "Seccomp:" of a /proc/PID/status, -1 when unreadable. */
static int status_seccomp(const char *path)
{
	char buf[4096], *p;
	if (read_small(path, buf, sizeof buf) < 0 || !(p = strstr(buf, "\nSeccomp:")))
		return -1;
	return (int)strtol(p + 9, NULL, 10);
}

/* The ptrace preflight: Yama, CAP_SYS_PTRACE, an attach test on PID 1
 * (seize and detach: PID 1 is neither stopped nor changed), seccomp, LSM. */
static void observe_ptrace(struct plan_ptrace_obs *pt, char *lsm, size_t cap, bool probe)
{
	char buf[32], a[64] = "", b[64] = "";
	pt->yama =
	    read_small("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof buf) > 0 ? atoi(buf) : -1;
	pt->cap_sys_ptrace = sys_has_cap(19 /* CAP_SYS_PTRACE */) == 1;
	pt->self_seccomp = status_seccomp("/proc/self/status");
	pt->pid1_seccomp = status_seccomp("/proc/1/status");
	ssize_t n1 = readlink("/proc/self/ns/mnt", a, sizeof a - 1),
		n2 = readlink("/proc/1/ns/mnt", b, sizeof b - 1);
	/* Unreadable (not root): let the attach test speak instead. */
	pt->same_mntns = n1 <= 0 || n2 <= 0 || !strcmp(a, b);
	lsm[0] = 0;
	if (read_small("/proc/self/attr/current", lsm, cap) > 0) {
		lsm[strcspn(lsm, "\n")] = 0;
		if (!strcmp(lsm, "unconfined"))
			lsm[0] = 0;
	}
	pt->lsm = lsm;
#if defined(__x86_64__) || defined(__aarch64__)
	pt->arch_ok = true;
#endif
	pt->probe = probe ? ptx_probe(1) : 0;
}

/* The rest of what plan_build() needs: who we are, whether mounting works,
 * an earlier takeover, --switch-to, and the dry run of the copy (c). */
static void observe_more(struct takeover *t, const struct carry *c)
{
	struct plan_obs *o = &t->obs;
	struct rescue_state old;
	const struct mnt_entry *v[16];
	struct stat sw = {0};
	o->st = &t->st;
	o->init = t->init;
	o->exe = t->exe;
	o->comm = t->comm;
	o->argv0 = t->argv0;
	o->bind_target = t->bind_target;
	o->root = geteuid() == 0;
	o->cap_sys_admin = sys_has_cap(21 /* CAP_SYS_ADMIN */) == 1;
	o->no_cap_sys_boot = sys_has_cap(22 /* CAP_SYS_BOOT */) == 0;
	o->mount_probe = probe_mount();
	o->leftover_state =
	    leftover_state_read(RESCUE_DIR RESCUE_STATE, &old, &o->leftover_stale_why);
	o->leftover_mounts = leftover_mounts(&t->mounts, v, sizeof v / sizeof v[0]);
	o->mounts = &t->mounts;
	o->mem_avail = t->mem_avail;
	o->carried_files = c->nfiles < CARRY_MAX_FILES ? c->nfiles : CARRY_MAX_FILES;
	o->carried_bytes = c->bytes;
	o->carried = (const char(*)[128])c->done;
	o->carry_err = t->carry_err;
	if (t->st.switch_to[0] == '/') {
		o->sw_err = stat(t->st.switch_to, &sw) ? -errno : 0;
		o->sw_mode = sw.st_mode;
		char initp[PATH_MAX];
		o->sw_has_init = !o->sw_err && S_ISDIR(sw.st_mode) &&
				 !rootfs_find_init(t->st.switch_to, NULL, initp, sizeof initp);
	}
	o->busybox = t->busybox;
	o->ssh_src = t->ssh_src;
	o->reexec = t->reexec;
	observe_ptrace(&o->pt, t->lsm, sizeof t->lsm,
		       t->reexec == PLAN_REEXEC_PTRACE ||
			   (t->reexec == PLAN_REEXEC_AUTO &&
			    (t->init->kind == INIT_UNKNOWN || t->init->method == REEXEC_PTRACE)));
	o->image_refusals = t->timg.refusals;
	o->n_image_refusals = t->timg.nref;
}

/* Adds everything the RAM root holds to c; dry or for real. */
static int carry_all(struct takeover *t, struct carry *c, char *err, size_t cap)
{
	char missing[ELF_NAME_MAX];
	int rc;
	if ((rc = carry_exe(c, "/proc/self/exe", RESCUE_SELF, missing, sizeof missing))) {
		snprintf(err, cap, "cannot carry lifeboat itself: %s", strerror(-rc));
		return rc;
	}
	if (t->busybox &&
	    (rc = carry_exe(c, t->busybox, "/bin/busybox", missing, sizeof missing))) {
		snprintf(err, cap, "cannot carry %s: %s %s", t->busybox, strerror(-rc), missing);
		return rc;
	}
	for (size_t i = 0; i < t->ncarry; i++)
		if ((rc = carry_exe(c, t->carry[i], NULL, missing, sizeof missing))) {
			snprintf(err, cap, "cannot carry %s: %s %s", t->carry[i], strerror(-rc),
				 missing);
			return rc;
		}
	static const char *const etc[] = {"/etc/passwd", "/etc/group", "/etc/shadow",
					  "/etc/nsswitch.conf", NULL};
	for (const char *const *e = etc; *e; e++)
		carry_file(c, *e, NULL); /* optional */
	/* The name servers, for the RAM system (issue 16 §5). systemd-resolved's
	 * stub (127.0.0.53) dies with the old userland: its upstream list. */
	if (carry_file(c, "/run/systemd/resolve/resolv.conf", "/etc/resolv.conf"))
		carry_file(c, "/etc/resolv.conf", NULL);
	netkeep_collect(c); /* the DHCP leases the RAM system renews */
	if (t->st.ssh_port && t->ssh_src[0]) {
		if ((rc = carry_exe(c, t->ssh_src, NULL, missing, sizeof missing))) {
			snprintf(err, cap, "cannot carry %.200s: %s %s", t->ssh_src, strerror(-rc),
				 missing);
			return rc;
		}
		static const char *const keys[] = {"/etc/ssh/ssh_host_ed25519_key",
						   "/etc/ssh/ssh_host_ecdsa_key",
						   "/etc/ssh/ssh_host_rsa_key",
						   "/etc/ssh/sshd_config",
						   "/etc/dropbear/dropbear_ed25519_host_key",
						   "/etc/dropbear/dropbear_ecdsa_host_key",
						   "/etc/dropbear/dropbear_rsa_host_key",
						   "/root/.ssh/authorized_keys",
						   NULL};
		for (const char *const *k = keys; *k; k++)
			carry_file(c, *k, NULL);
	}
	return timg_carry(&t->timg, &t->st, c, err, cap);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* True once PID 1 runs the substitute: the handover happened. */
static bool pid1_is_substitute(const struct takeover *t)
{
	struct stat now;
	return t->sub_ino && !stat("/proc/1/exe", &now) && now.st_dev == t->sub_dev &&
	       now.st_ino == t->sub_ino;
}

static void undo(struct takeover *t)
{
	char nr[PATH_MAX];
	if (t->bound && umount2(t->bind_target, 0) && umount2(t->bind_target, MNT_DETACH))
		log_err("takeover.undo.failed what=bind target=%s error=\"%s\"", t->bind_target,
			strerror(errno));
	/* busybox re-read our inittab on SIGHUP: make it read its own again. */
	if (t->hup_sent)
		kill(1, SIGHUP);
	/* The init re-executed while we gave up: it runs from the RAM root. */
	if (t->triggered && pid1_is_substitute(t)) {
		log_warn(
		    "takeover.undo.skipped msg=\"PID 1 is lifeboat already; the RAM root stays\"");
		return;
	}
	snprintf(nr, sizeof nr, "%s%s", RESCUE_DIR, NEWROOT);
	if (t->newroot_mounted && umount2(nr, 0))
		umount2(nr, MNT_DETACH);
	if (t->loop_fd >= 0) {
		ioctl(t->loop_fd, 0x4C01 /* LOOP_CLR_FD */, 0);
		close(t->loop_fd);
		t->loop_fd = -1;
	}
	if (t->tmpfs_mounted && umount2(RESCUE_DIR, 0) && umount2(RESCUE_DIR, MNT_DETACH))
		log_err("takeover.undo.failed what=tmpfs target=%s error=\"%s\"", RESCUE_DIR,
			strerror(errno));
	rmdir(RESCUE_DIR);
	log_info("takeover.undone msg=\"undone: bind and rescue tmpfs removed, system unchanged\"");
}

/* A child starts with the mask and SIGPIPE disposition a program expects,
 * not stage 0's (both survive execve). */
static void child_reset(void)
{
	sigset_t none;
	sigemptyset(&none);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int run_wait(char *const argv[], int timeout_s)
{
	pid_t pid = fork();
	int status;
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_reset();
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < timeout_s * 10; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT; /* left running: it may wait for the re-exec */
}

/* LIFEBOAT_PAUSE names the step to pause after. */
static const struct {
	const char *name;
	enum plan_step_kind step;
} pause_steps[] = {{"state", PLAN_WRITE_STATE}, {"bind", PLAN_BIND}, {"reexec", PLAN_TRIGGER}};

static const char *stop_name(int sig)
{
	return sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : sig == SIGHUP ? "HUP" : "?";
}

/* True once SIGINT, SIGTERM or SIGHUP came (they are blocked in stage 0;
 * this takes a pending one). A dropped SSH session is a SIGHUP. */
static bool stop_requested(struct takeover *t)
{
	struct timespec zero = {0, 0};
	int sig;
	if (!t->interrupted && (sig = sigtimedwait(&t->stop_sigs, NULL, &zero)) > 0) {
		t->interrupted = sig;
		log_warn("takeover.interrupted signal=SIG%s", stop_name(sig));
	}
	return t->interrupted != 0;
}

/* Waits up to ms for a stop signal; true if one came. */
static bool stop_wait(struct takeover *t, unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	int sig;
	if (t->interrupted)
		return true;
	if ((sig = sigtimedwait(&t->stop_sigs, NULL, &ts)) > 0) {
		t->interrupted = sig;
		log_warn("takeover.interrupted signal=SIG%s", stop_name(sig));
	}
	return t->interrupted != 0;
}

/* Test hook: after step, say so and wait (at most 60 s) for a signal. */
static void pause_after(struct takeover *t, enum plan_step_kind step)
{
	if (t->pause_at != (int)step)
		return;
	for (size_t i = 0; i < sizeof pause_steps / sizeof pause_steps[0]; i++)
		if (pause_steps[i].step == step)
			log_info(
			    "takeover.paused step=%s msg=\"paused after step %s (LIFEBOAT_PAUSE)\"",
			    pause_steps[i].name, pause_steps[i].name);
	stop_wait(t, 60000);
}

/* The ptrace re-exec: PID 1 itself execs our RAM copy as `lifeboat init`.
 * On failure ptrace_exec has put PID 1's registers and memory back. */
static int trigger_ptrace(struct takeover *t)
{
	char self[PATH_MAX];
	struct stat want;
	struct ptx_report rep;
	snprintf(self, sizeof self, "%s%s", RESCUE_DIR, RESCUE_SELF);
	if (stat(self, &want))
		return -errno;
	t->sub_dev = want.st_dev;
	t->sub_ino = want.st_ino;
	const char *const argv[] = {self, "init", NULL};
	const char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int rc = ptx_exec(1, self, argv, envp, t->fault == FAULT_PTRACE ? t->ptrace_fault : 0, 5000,
			  &rep);
	if (rc)
		log_err("takeover.ptrace.failed step=%s restored=%s signals=%d entry_syscall=%ld "
			"msg=\"takeover: ptrace re-exec failed at step %s: %s; PID 1 %s\"",
			rep.step, rep.restored ? "yes" : "no", rep.signals, rep.entry_nr, rep.step,
			rep.detail,
			rep.restored ? "registers and memory restored" : "was not changed");
	else
		log_info("takeover.ptrace msg=\"PID 1 called execve of %s\" entry_syscall=%ld",
			 self, rep.entry_nr);
	return rc;
}

static int trigger(struct takeover *t, enum reexec_method method)
{
	switch (method) {
	case REEXEC_PTRACE:
		return trigger_ptrace(t);
	case REEXEC_SYSTEMCTL: {
		static const char *const sc[] = {"/usr/bin/systemctl", "/bin/systemctl", NULL};
		const char *p = first_existing(sc);
		if (p) {
			char *argv[] = {(char *)p, "daemon-reexec", NULL};
			int rc = run_wait(argv, 5);
			if (rc == 0 || rc == -ETIMEDOUT)
				return 0;
		}
		/* systemd as PID 1 re-executes on SIGTERM too. */
		return kill(1, SIGTERM) ? -errno : 0;
	}
	case REEXEC_INITCTL: {
		uint8_t req[INITCTL_REQUEST_SIZE];
		inits_initctl_request(req);
		int fd = open("/run/initctl", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			fd = open("/dev/initctl", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		ssize_t n = write(fd, req, sizeof req);
		int e = errno;
		close(fd);
		return n == (ssize_t)sizeof req ? 0 : n < 0 ? -e : -EIO;
	}
	case REEXEC_OPENRC: {
		static const char *const os[] = {"/sbin/openrc-shutdown",
						 "/usr/sbin/openrc-shutdown", NULL};
		const char *p = first_existing(os);
		char *argv[] = {(char *)p, "--reexec", NULL};
		if (!p)
			return -ENOENT;
		int rc = run_wait(argv, 10);
		return rc == 0 || rc == -ETIMEDOUT ? 0 : -EIO;
	}
	case REEXEC_BUSYBOX_INITTAB:
		/* HUP: re-read the inittab (now only ::restart:); QUIT: run it. */
		if (kill(1, SIGHUP))
			return -errno;
		t->hup_sent = true;
		if (stop_wait(t, 1000))
			return -EINTR;
		return kill(1, SIGQUIT) ? -errno : 0;
	default:
		return -ENOTSUP;
	}
}

static int write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, len);
	int e = errno;
	close(fd);
	return n == (ssize_t)len ? 0 : n < 0 ? -e : -EIO;
}

/* Busybox applet links in the RAM root: every applet in /bin. */
static void busybox_links(void)
{
	char bb[PATH_MAX], out[65536];
	int p[2];
	snprintf(bb, sizeof bb, "%s/bin/busybox", RESCUE_DIR);
	if (pipe(p))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		child_reset();
		dup2(p[1], 1);
		execl(bb, "busybox", "--list", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t n;
	while (len < sizeof out - 1 && (n = read(p[0], out + len, sizeof out - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (char *s = strtok(out, "\n"); s; s = strtok(NULL, "\n")) {
		char l[PATH_MAX];
		if (strchr(s, '/') || !strcmp(s, "busybox"))
			continue;
		snprintf(l, sizeof l, "%s/bin/%s", RESCUE_DIR, s);
		if (symlink("busybox", l) && errno != EEXIST)
			break;
	}
	/* One PATH for all: /sbin and /usr/{bin,sbin} lead to /bin. */
	static const char *const links[] = {"sbin", "usr/bin", "usr/sbin"};
	char d[PATH_MAX];
	snprintf(d, sizeof d, "%s/usr", RESCUE_DIR);
	mkdir(d, 0755);
	for (size_t i = 0; i < 3; i++) {
		snprintf(d, sizeof d, "%s/%s", RESCUE_DIR, links[i]);
		/* best effort (a link already there is fine); the result is
		 * taken so a _FORTIFY_SOURCE build (dpkg-buildflags) passes */
		if (symlink(i ? "../bin" : "bin", d)) {
		}
	}
}

static int selftest(const char *path)
{
	if (access(path, X_OK))
		return -errno;
	char *argv[] = {(char *)path, "--lifeboat-selftest", NULL};
	int rc = run_wait(argv, 10);
	return rc == SELFTEST_STATUS ? 0 : -ENOEXEC;
}

/* Kernel ABI (linux/loop.h). */
#define LOOP_SET_FD 0x4C00
#define LOOP_CTL_GET_FREE 0x4C82

/* Tries every block filesystem the kernel knows, as mount(8) does. */
static int mount_any(const char *dev, const char *dir)
{
	char line[256];
	int rc = -ENODEV;
	FILE *f = fopen("/proc/filesystems", "re");
	while (f && fgets(line, sizeof line, f)) {
		if (!strncmp(line, "nodev", 5))
			continue;
		char *fs = line + strspn(line, " \t");
		fs[strcspn(fs, " \t\n")] = 0;
		if (!*fs)
			continue;
		if (!mount(dev, dir, fs, 0, NULL)) {
			rc = 0;
			break;
		}
		if (errno != EINVAL && errno != ENODEV && errno != ENOTBLK)
			rc = -errno;
	}
	if (f)
		fclose(f);
	return rc;
}

static int loop_attach(struct takeover *t, const char *file, char *dev, size_t cap)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), n, ffd, rc = 0;
	if (ctl < 0)
		return -errno;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return -errno;
	snprintf(dev, cap, "/dev/loop%d", n);
	if ((t->loop_fd = open(dev, O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	if ((ffd = open(file, O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	if (ioctl(t->loop_fd, LOOP_SET_FD, ffd))
		rc = -errno;
	close(ffd);
	if (rc) {
		close(t->loop_fd);
		t->loop_fd = -1;
	}
	return rc;
}

/* Mounts the --switch-to root at RESCUE_DIR/newroot (it moves along with the
 * RAM root) and checks that it has an init. */
static int prepare_switch(struct takeover *t, const struct plan_step *step)
{
	char nr[PATH_MAX], initp[PATH_MAX], dev[64];
	const char *p = t->st.switch_to;
	int rc = 0;
	snprintf(nr, sizeof nr, "%s%s", RESCUE_DIR, NEWROOT);
	switch (step->u.newroot.kind) {
	case PLAN_SW_DIR:
		rc = mount(p, nr, NULL, MS_BIND | MS_REC, NULL) ? -errno : 0;
		break;
	case PLAN_SW_BLOCK:
		rc = mount_any(p, nr);
		break;
	case PLAN_SW_IMAGE:
		if (!(rc = loop_attach(t, p, dev, sizeof dev)))
			rc = mount_any(dev, nr);
		break;
	case PLAN_SW_TAR: {
		char bb[PATH_MAX];
		const char *z = ends_with(p, "gz") ? "-xzf" : ends_with(p, "xz") ? "-xJf" : "-xf";
		if (mount("lifeboat-newroot", nr, "tmpfs", 0, "mode=0755")) {
			rc = -errno;
			break;
		}
		t->newroot_mounted = true;
		snprintf(bb, sizeof bb, "%s/bin/busybox", RESCUE_DIR);
		char *argv[] = {bb, "tar", (char *)z, (char *)p, "-C", nr, NULL};
		int st = run_wait(argv, 600);
		if (st) {
			log_err(
			    "takeover.newroot.failed from=%s error=\"busybox tar %s: status %d\"",
			    p, z, st);
			return -EIO;
		}
		break;
	}
	default:
		return 0;
	}
	if (rc) {
		log_err("takeover.newroot.failed from=%s at=%s error=\"%s\"", p, nr, strerror(-rc));
		return rc;
	}
	t->newroot_mounted = true;
	if (rootfs_find_init(nr, NULL, initp, sizeof initp)) {
		log_err("takeover.newroot.failed from=%s error=\"no init (/sbin/init, /etc/init, "
			"/bin/init, /init)\"",
			p);
		return -ENOENT;
	}
	log_info("takeover.newroot from=%s at=%s init=%s", p, NEWROOT, initp);
	/* The running kernel's modules and firmware, if the new root lacks them. */
	char bbp[PATH_MAX];
	snprintf(bbp, sizeof bbp, "%s/bin/busybox", RESCUE_DIR);
	if (!access(bbp, X_OK) && timg_carry_kernel_files(nr, bbp, run_wait) < 0)
		return -EIO;
	return 0;
}

/* The RAM root: our tmpfs, everything carried, the --switch-to root. */
static int prepare_ram_root(struct takeover *t, struct carry *c)
{
	char path[PATH_MAX], err[512] = "";
	int rc;
	if (mkdir(RESCUE_DIR, 0755) && errno != EEXIST) {
		log_err("takeover.ram_root.failed dir=%s error=\"mkdir: %s\"", RESCUE_DIR,
			strerror(errno));
		return -errno;
	}
	/* Our own tmpfs: /run is often noexec and a bind inherits that. */
	if (mount(RESCUE_TMPFS_SOURCE, RESCUE_DIR, "tmpfs", 0, "mode=0755")) {
		rc = -errno;
		log_err("takeover.ram_root.failed dir=%s error=\"mount tmpfs: %s\"", RESCUE_DIR,
			strerror(errno));
		return rc;
	}
	t->tmpfs_mounted = true;
	carry_init(c, RESCUE_DIR, false);
	rc = carry_all(t, c, err, sizeof err);
	if (!rc && t->fault == FAULT_COPY) {
		rc = -ENOSPC;
		snprintf(err, sizeof err, "copy into %s: %s (LIFEBOAT_FAULT=copy)", RESCUE_DIR,
			 strerror(ENOSPC));
	}
	if (rc) {
		log_err("takeover.ram_root.failed msg=\"takeover: %s\"", err);
		return rc;
	}
	if (t->busybox)
		busybox_links();
	static const char *const dirs[] = {"/dev",  "/proc", "/sys",  "/run", "/tmp",
					   "/root", OLDROOT, NEWROOT, "/etc", "/lifeboat"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s%s", RESCUE_DIR, dirs[i]);
		mkdir(path, 0755);
	}
	timg_preload_fs(&t->st, run_wait);
	return 0;
}

/* The state file PID 1 reads; valid in this boot until its deadline: the
 * longest a legitimate handover can take (self-test, trigger, the wait for
 * PID 1) plus slack. After it, the file is a leftover nobody acts on. */
static int write_state(struct takeover *t)
{
	char path[PATH_MAX], buf[8192];
	int rc;
	if (t->st.ssh_port && t->ssh_src[0])
		snprintf(t->st.ssh_server, sizeof t->st.ssh_server, "%s", t->ssh_src);
	if (t->busybox)
		snprintf(t->st.busybox, sizeof t->st.busybox, "/bin/busybox");
	leftover_boot_id(t->st.boot_id, sizeof t->st.boot_id);
	t->st.deadline_ms = sys_clock_ms(CLOCK_BOOTTIME) + (t->reexec_wait_s + 30) * 1000ull;
	int len = plan_state_format(&t->st, buf, sizeof buf);
	snprintf(path, sizeof path, "%s%s", RESCUE_DIR, RESCUE_STATE);
	if (len < 0 || (rc = write_file(path, buf, (size_t)len, 0600))) {
		rc = len < 0 ? len : rc;
		log_err("takeover.state.failed path=%s error=\"%s\"", path, strerror(-rc));
		return rc;
	}
	return 0;
}

/* Binds the substitute (busybox: an inittab naming it) over the file the
 * init re-executes and proves that path runs us. */
static int bind_substitute(struct takeover *t, const struct plan_step *step)
{
	char path[PATH_MAX], sub[PATH_MAX];
	int rc;
	struct stat want;
	snprintf(sub, sizeof sub, "%s%s", RESCUE_DIR, RESCUE_SELF);
	if (stat(sub, &want))
		return -errno;
	t->sub_dev = want.st_dev;
	t->sub_ino = want.st_ino;
	snprintf(path, sizeof path, "%s", step->u.bind.source);
	if (step->u.bind.inittab) {
		char tab[PATH_MAX + 32];
		int n = inits_busybox_inittab(tab, sizeof tab, sub);
		if (n < 0 || (rc = write_file(path, tab, (size_t)n, 0644))) {
			rc = n < 0 ? n : rc;
			log_err("takeover.bind.failed error=\"inittab: %s\"", strerror(-rc));
			return rc;
		}
	}
	if (t->fault == FAULT_BIND ? (errno = EACCES, 1)
				   : mount(path, step->u.bind.target, NULL, MS_BIND, NULL)) {
		rc = -errno;
		log_err("takeover.bind.failed msg=\"takeover: bind %s over %s: %s%s\"", path,
			step->u.bind.target, strerror(errno),
			t->fault == FAULT_BIND ? " (LIFEBOAT_FAULT=bind)" : "");
		return rc;
	}
	t->bound = true;
	/* The init will exec exactly this path: prove it runs us. */
	if ((rc = selftest(step->u.bind.selftest))) {
		log_err("takeover.bind.failed error=\"self-test of the substitute failed: %s\"",
			strerror(-rc));
		return rc;
	}
	return 0;
}

/* Triggers the re-exec and waits for PID 1 to become the substitute (it
 * then stops us too). A stop signal after the trigger gives the init a
 * few seconds to finish a re-exec already under way (busybox init sends
 * it to everyone before it execs) before stage 0 gives up. */
static int handover(struct takeover *t, enum reexec_method method)
{
	int rc;
	/* FAULT_REEXEC: an init that ignores the trigger is never told. */
	if (t->fault != FAULT_REEXEC) {
		t->triggered = true;
		if ((rc = trigger(t, method))) {
			log_err("takeover.trigger.failed method=\"%s\" error=\"%s\"",
				method == REEXEC_PTRACE ? "ptrace" : t->init->method_name,
				strerror(-rc));
			return rc;
		}
	}
	pause_after(t, PLAN_TRIGGER);
	unsigned ticks = t->reexec_wait_s * 10, grace = 0;
	for (unsigned i = 0; i < ticks; i++) {
		if (pid1_is_substitute(t)) {
			log_info("takeover.done msg=\"PID 1 is now lifeboat\"");
			return 0;
		}
		if (!t->interrupted) {
			stop_wait(t, 100);
		} else {
			struct timespec ts = {0, 100000000};
			if (!t->triggered || ++grace > 30)
				return -EINTR;
			nanosleep(&ts, NULL);
		}
	}
	log_err("takeover.timeout wait_s=%u msg=\"PID 1 did not re-execute into lifeboat within "
		"%us\"",
		t->reexec_wait_s, t->reexec_wait_s);
	return -ETIMEDOUT;
}

/* Runs one of stage 0's steps; PID 1's steps are its own (pid1.c). */
static int run_step(struct takeover *t, const struct plan_step *s, struct carry *c)
{
	switch (s->kind) {
	case PLAN_CLEAN_LEFTOVERS: {
		int n = leftover_clean();
		log_info("takeover.leftovers mounts=%d msg=\"removed %d mounts left by an earlier "
			 "takeover (state %s)\"",
			 n, n, s->u.leftovers.why);
		return 0;
	}
	case PLAN_RAM_ROOT:
		return prepare_ram_root(t, c);
	case PLAN_MOUNT_NEWROOT:
		return prepare_switch(t, s);
	case PLAN_WRITE_STATE:
		return write_state(t);
	case PLAN_BIND:
		return bind_substitute(t, s);
	case PLAN_TRIGGER:
		log_info("takeover.trigger files=%zu kib=%llu method=\"%s\" msg=\"RAM root ready\"",
			 c->nfiles, (unsigned long long)(c->bytes >> 10), s->u.trigger.name);
		return handover(t, s->u.trigger.method);
	default:
		return 0;
	}
}

/* Stage 0 for real: the plan's stage-0 steps in order, a stop signal
 * looked for before each. Every way it ends before PID 1 has changed (a
 * failed step, a timeout, SIGINT/SIGTERM/SIGHUP) goes through undo(). */
static int execute(struct takeover *t, const struct plan *p)
{
	struct carry *c = malloc(sizeof *c);
	int rc = 0;
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->step[i];
		if (!plan_step_is_stage0(s->kind))
			continue;
		if (stop_requested(t) || (rc = run_step(t, s, c)))
			goto fail;
		if (s->kind == PLAN_TRIGGER) {
			free(c);
			return 0;
		}
		pause_after(t, s->kind);
	}
	rc = -EINVAL; /* a plan without a trigger */
fail:
	free(c);
	if (t->interrupted)
		log_warn("takeover.stopped signal=SIG%s msg=\"stopped by SIG%s before PID 1 "
			 "changed\"",
			 stop_name(t->interrupted), stop_name(t->interrupted));
	undo(t);
	return rc ? rc : -EINTR;
}

/* The test-only knobs (doc/takeover.md), read once at start. */
static int read_test_env(struct takeover *t)
{
	const char *fe = getenv("LIFEBOAT_FAULT"), *we = getenv("LIFEBOAT_REEXEC_WAIT");
	if (fe && *fe) {
		static const char *const fn[] = {"", "copy", "bind", "reexec"};
		static const char *const pf[] = {
		    "",		  "ptrace-attach",  "ptrace-stop", "ptrace-regs",
		    "ptrace-mem", "ptrace-setregs", "ptrace-exec"};
		for (size_t i = 1; i < sizeof fn / sizeof fn[0]; i++)
			if (!strcmp(fe, fn[i]))
				t->fault = (int)i;
		for (size_t i = 1; i < sizeof pf / sizeof pf[0]; i++)
			if (!strcmp(fe, pf[i])) {
				t->fault = FAULT_PTRACE;
				t->ptrace_fault = (enum ptx_fault)i;
			}
		if (t->fault == FAULT_NONE) {
			fprintf(stderr, "takeover: unknown LIFEBOAT_FAULT '%s'\n", fe);
			return -EINVAL;
		}
		log_warn("takeover.fault LIFEBOAT_FAULT=%s msg=\"test fault injection\"", fe);
	}
	const char *pe = getenv("LIFEBOAT_PAUSE");
	t->pause_at = -1;
	if (pe && *pe) {
		for (size_t i = 0; i < sizeof pause_steps / sizeof pause_steps[0]; i++)
			if (!strcmp(pe, pause_steps[i].name))
				t->pause_at = (int)pause_steps[i].step;
		if (t->pause_at < 0) {
			fprintf(stderr, "takeover: unknown LIFEBOAT_PAUSE '%s'\n", pe);
			return -EINVAL;
		}
	}
	t->reexec_wait_s = 60;
	if (we && *we) {
		char *wend;
		unsigned long w = strtoul(we, &wend, 10);
		if (*wend || w < 1 || w > 600) {
			fprintf(stderr, "takeover: bad LIFEBOAT_REEXEC_WAIT '%s'\n", we);
			return -EINVAL;
		}
		t->reexec_wait_s = (unsigned)w;
	}
	return 0;
}

/* Asks on the terminal unless --yes. 0 to go on. */
static int confirm(const struct takeover *t)
{
	char ans[16] = "";
	if (t->yes)
		return 0;
	FILE *tty = fopen("/dev/tty", "r+e");
	if (!tty) {
		fprintf(stderr, "takeover: no terminal to ask on; use --yes\n");
		return -ENOTTY;
	}
	fprintf(tty, "Take over PID 1 of this system now? [y/N] ");
	fflush(tty);
	bool yes = fgets(ans, sizeof ans, tty) && (ans[0] == 'y' || ans[0] == 'Y');
	fclose(tty);
	if (!yes) {
		fprintf(stderr, "takeover: not confirmed, nothing changed\n");
		return -ECANCELED;
	}
	return 0;
}

/* Observes, builds the plan and prints it. 0 to go on; else 1 with the
 * exit status in *rc (the dry run, a bad command line, a refusal). */
static int takeover_plan(struct takeover *t, struct carry *c, int argc, char **argv, int *rc)
{
	if (read_test_env(t) || takeover_args(t, argc, argv, rc))
		return 1;
	*rc = 1;
	if (!t->busybox) {
		static const char *const bbs[] = {"/bin/busybox", "/usr/bin/busybox",
						  "/usr/lib/busybox-static/busybox", NULL};
		t->busybox = first_existing(bbs);
	}
	observe(t);
	carry_init(c, RESCUE_DIR, true);
	carry_all(t, c, t->carry_err, sizeof t->carry_err);
	observe_more(t, c);
	if (plan_build(&t->obs, &t->plan))
		return 1;
	plan_print(&t->plan, stdout);
	if (t->dry_run) {
		printf("verdict: %s (dry run: nothing changed; exit %d)\n",
		       t->plan.nref ? "would refuse" : "would proceed",
		       t->plan.nref ? PLAN_EXIT_REFUSED : 0);
		*rc = t->plan.nref ? PLAN_EXIT_REFUSED : 0;
		return 1;
	}
	if (t->plan.nref) {
		fprintf(stderr, "takeover: refused, nothing changed\n");
		*rc = PLAN_EXIT_REFUSED;
		return 1;
	}
	return confirm(t) ? 1 : 0;
}

int takeover_main(int argc, char **argv)
{
	struct takeover *t = calloc(1, sizeof *t);
	struct carry *c = calloc(1, sizeof *c);
	int rc = 1;
	/* Progress and errors: text lines on stderr; the plan, the prompt and
	 * the verdict are the command's output and stay plain. */
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, 2);
	if (!t || !c)
		goto out;
	plan_state_init(&t->st);
	t->st.start_ms = sys_clock_ms(CLOCK_BOOTTIME);
	t->loop_fd = -1;
	if (takeover_plan(t, c, argc, argv, &rc))
		goto out;
	fflush(stdout);
	/* From here until PID 1 has changed, a Ctrl-C, a kill or a dropped
	 * session must end stage 0 through undo(), never halfway: hold the
	 * signals and look for them between steps. A closed terminal or pipe
	 * makes writes fail instead of killing us. */
	sigemptyset(&t->stop_sigs);
	sigaddset(&t->stop_sigs, SIGINT);
	sigaddset(&t->stop_sigs, SIGTERM);
	sigaddset(&t->stop_sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &t->stop_sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = execute(t, &t->plan);
	rc = !rc ? 0 : t->interrupted ? 128 + t->interrupted : 1;
out:
	if (t) {
		plan_free(&t->plan);
		mountinfo_free(&t->mounts);
	}
	free(t);
	free(c);
	return rc;
}
