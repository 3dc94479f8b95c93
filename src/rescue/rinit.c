/* rinit: the rescue image's PID 1 (see rinit.h). One core/loop runs it
 * all: signals through signalfd, the DHCP clients' sockets and timers,
 * respawn timers. It never exits: every path ends in a shell, a retry or
 * a deliberate reboot(2). */
#include "rescue/ctlcmd.h"
#include "rescue/rinit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/sys.h"
#include "rescue/hostkey.h"
#include "rescue/kcmdline.h"
#include "rescue/modload.h"
#include "rescue/netup.h"
#include "rescue/phonehome.h"
#include "rescue/plan.h"
#include "rescue/sysinfo.h"
#include "roles.h"

#define MAX_CONS (KCMD_MAX_CONSOLES + 1)
#define PHONE_QUEUE 4
#define CMD_NET_WAIT_MS 60000 /* lifeboat.cmd waits this long for an address */
#define RESPAWN_MS 2000
#define BUSYBOX "/bin/busybox"
#define DROPBEAR_LOG "/run/lifeboat/dropbear.log"

struct rinit {
	struct loop l;
	struct kcmdline k;
	char con_path[MAX_CONS][40];
	int con[MAX_CONS];
	unsigned n_con;
	pid_t shell[MAX_CONS];
	uint64_t shell_started[MAX_CONS];
	struct loop_timer respawn;
	char dropbear[64];
	pid_t ssh;
	char keys[2][64];
	unsigned n_keys;
	char fp[HOSTKEY_FP_LEN], fptype[32];
	pid_t cmd;
	bool cmd_started;
	struct loop_timer cmd_timer;
	pid_t phone;
	char queue[PHONE_QUEUE][PHONEHOME_LINE_MAX + 1];
	unsigned queued;
	bool reported_up;
	struct netup net;
};

/* One line on every console (the markers tests and people read). */
__attribute__((format(printf, 2, 3))) static void say(struct rinit *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	for (unsigned i = 0; i < r->n_con; i++) {
		if (r->con[i] >= 0 && write(r->con[i], line, (size_t)n) >= 0)
			continue;
		/* A shell that had this tty as its controlling terminal exited
		 * and the kernel hung up every open of it: open it again. */
		if (r->con[i] >= 0)
			close(r->con[i]);
		r->con[i] = open(r->con_path[i], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (r->con[i] >= 0 && write(r->con[i], line, (size_t)n) < 0)
			continue;
	}
}

bool rinit_is_rescue_image(void)
{
	struct statfs s;
	if (access(RINIT_MARK, F_OK) || !access(RESCUE_DIR RESCUE_STATE, F_OK) || statfs("/", &s))
		return false;
	unsigned long t = (unsigned long)s.f_type; /* int on 32-bit glibc */
	return t == 0x858458f6UL /* ramfs */ || t == 0x01021994UL /* tmpfs */;
}

static void mount_api(void)
{
	static const struct {
		const char *src, *dir, *type, *data;
		unsigned long flags;
		mode_t mode;
	} m[] = {
	    {"proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555},
	    {"sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555},
	    {"devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID, 0755},
	    {"devpts", "/dev/pts", "devpts", "gid=5,mode=620,ptmxmode=666", MS_NOSUID | MS_NOEXEC,
	     0755},
	    {"tmpfs", "/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV, 01777},
	    {"tmpfs", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV, 0755},
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		mkdir(m[i].dir, m[i].mode);
		if (mount(m[i].src, m[i].dir, m[i].type, m[i].flags, m[i].data) && errno != EBUSY)
			log_warn("rinit.mount.failed dir=%s error=\"%s\"", m[i].dir,
				 strerror(errno));
	}
	mkdir("/run/lifeboat", 0755);
	mkdir("/tmp", 01777);
	chmod("/tmp", 01777);
	mkdir("/var", 0755);
	if (symlink("/run", "/var/run") && errno != EEXIST)
		log_debug("rinit.symlink.failed path=/var/run");
	if (access("/dev/ptmx", F_OK) && symlink("pts/ptmx", "/dev/ptmx"))
		log_debug("rinit.symlink.failed path=/dev/ptmx");
}

/* A serial port with a UART behind it (8250 lists ttyS0-3 even without). */
static bool uart_present(const char *name)
{
	char p[64], t[8] = "";
	snprintf(p, sizeof p, "/sys/class/tty/%s/type", name);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, t, sizeof t - 1) : -1;
	if (fd >= 0)
		close(fd);
	return n > 0 && t[0] != '0';
}

static void add_console(struct rinit *r, const char *dev)
{
	if (r->n_con < MAX_CONS)
		snprintf(r->con_path[r->n_con++], sizeof r->con_path[0], "/dev/%s", dev);
}

/* The console devices: each console= of the command line ("tty0" is the
 * first virtual terminal). Without console= the kernel's console is the
 * screen: a shell there (tty1) and on the first serial port if it has a
 * UART, the screen last so that it is the primary one, as /dev/console. */
static void open_consoles(struct rinit *r)
{
	for (unsigned i = 0; i < r->k.n_consoles; i++)
		add_console(r, !strcmp(r->k.consoles[i], "tty0") ? "tty1" : r->k.consoles[i]);
	if (!r->n_con && uart_present("ttyS0"))
		add_console(r, "ttyS0");
	if (!r->k.n_consoles)
		add_console(r, access("/dev/tty1", F_OK) ? "console" : "tty1");
	for (unsigned i = 0; i < r->n_con; i++) {
		/* O_NONBLOCK only so a serial line without carrier cannot hang us */
		r->con[i] = open(r->con_path[i], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (r->con[i] >= 0)
			fcntl(r->con[i], F_SETFL, fcntl(r->con[i], F_GETFL) & ~O_NONBLOCK);
	}
	int c = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	log_setup(LOG_FMT_TEXT, LOG_LVL_INFO, c >= 0 ? c : 2);
}

static void write_file_if_missing(const char *path, const char *text, mode_t mode)
{
	if (!access(path, F_OK))
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		log_warn("rinit.write.failed path=%s", path);
	close(fd);
}

/* What dropbear and the shells expect of a system: root's entry, its home
 * and .ssh with the modes sshd servers insist on. */
static void prepare_etc(const char *hostname)
{
	mkdir("/etc", 0755);
	write_file_if_missing("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
	write_file_if_missing("/etc/group", "root:x:0:\ntty:x:5:\n", 0644);
	write_file_if_missing("/etc/shells", "/bin/sh\n/bin/ash\n", 0644);
	mkdir("/root", 0700);
	chmod("/root", 0700);
	mkdir("/root/.ssh", 0700);
	chmod("/root/.ssh", 0700);
	chmod("/root/.ssh/authorized_keys", 0600);
	if (chown("/root", 0, 0) || chown("/root/.ssh", 0, 0))
		log_debug("rinit.chown.failed path=/root");
	if (!hostname[0])
		hostname = "lifeboat-rescue";
	if (sethostname(hostname, strlen(hostname)))
		log_debug("rinit.hostname.failed");
}

static const char *first_exec(const char *const *paths)
{
	for (; *paths; paths++)
		if (!access(*paths, X_OK))
			return *paths;
	return NULL;
}

/* fork + exec with the console (con: index, -1 for none) as stdin/out/err
 * and, for a shell, its controlling terminal. out_fd (>= 0) replaces
 * stdout and stderr. */
static pid_t spawn(struct rinit *r, int con, bool ctty, int out_fd, const char *path,
		   char *const argv[])
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	int fd = open(con >= 0 ? r->con_path[con] : "/dev/null", O_RDWR);
	if (fd >= 0) {
		if (ctty)
			ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (out_fd >= 0) {
		dup2(out_fd, 1);
		dup2(out_fd, 2);
	}
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "linux", 0);
	setenv("PS1", "rescue# ", 1);
	if (chdir("/root"))
		_exit(126);
	execv(path, argv);
	_exit(127);
}

/* Runs argv to its end (before the loop reaps anything); its stdout into
 * out (NUL-terminated) when out is not NULL. Returns the exit status. */
static int run_sync(char *const argv[], char *out, size_t cap)
{
	int p[2] = {-1, -1};
	if (out && pipe2(p, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int nul = open("/dev/null", O_RDWR);
		dup2(out ? p[1] : nul, 1);
		dup2(nul, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	size_t got = 0;
	if (out) {
		close(p[1]);
		ssize_t n;
		while (pid > 0 && got + 1 < cap && (n = read(p[0], out + got, cap - 1 - got)) > 0)
			got += (size_t)n;
		out[got] = 0;
		close(p[0]);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- ssh ---- */

static void host_key(struct rinit *r, const char *keygen, const char *type)
{
	char path[64], out[4096], ktype[32], fp[HOSTKEY_FP_LEN];
	snprintf(path, sizeof path, "/etc/dropbear/dropbear_%s_host_key", type);
	if (access(path, F_OK)) {
		char *gen[] = {(char *)keygen, "-t", (char *)type, "-f", path, NULL};
		uint64_t t0 = sys_clock_ms(CLOCK_MONOTONIC);
		int rc = run_sync(gen, NULL, 0);
		log_info("rinit.hostkey.generated type=%s status=%d ms=%llu", type, rc,
			 (unsigned long long)(sys_clock_ms(CLOCK_MONOTONIC) - t0));
	}
	char *show[] = {(char *)keygen, "-y", "-f", path, NULL};
	char *line = run_sync(show, out, sizeof out) == 0 ? hostkey_pub_line(out) : NULL;
	if (!line || hostkey_fingerprint(line, ktype, sizeof ktype, fp)) {
		log_warn("rinit.hostkey.failed type=%s path=%s", type, path);
		return;
	}
	snprintf(r->keys[r->n_keys++], sizeof r->keys[0], "%s", path);
	say(r, "LIFEBOAT-HOSTKEY type=%s fingerprint=%s", ktype, fp);
	if (!r->fp[0]) {
		snprintf(r->fp, sizeof r->fp, "%s", fp);
		snprintf(r->fptype, sizeof r->fptype, "%s", ktype);
	}
}

static void start_dropbear(struct rinit *r)
{
	char *argv[16] = {r->dropbear, "-F", "-E", "-s", "-p", "22"};
	int a = 6;
	for (unsigned i = 0; i < r->n_keys; i++) {
		argv[a++] = "-r";
		argv[a++] = r->keys[i];
	}
	argv[a] = NULL;
	int log = open(DROPBEAR_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	r->ssh = spawn(r, -1, false, log, argv[0], argv);
	if (log >= 0)
		close(log);
	if (r->ssh < 0)
		r->ssh = 0;
	log_info("rinit.ssh pid=%d server=%s port=22 log=%s", (int)r->ssh, r->dropbear,
		 DROPBEAR_LOG);
}

static void setup_ssh(struct rinit *r)
{
	static const char *const servers[] = {"/usr/sbin/dropbear", "/sbin/dropbear",
					      "/usr/bin/dropbear", "/bin/dropbear", NULL};
	static const char *const keygens[] = {"/usr/bin/dropbearkey", "/usr/sbin/dropbearkey",
					      "/bin/dropbearkey", "/sbin/dropbearkey", NULL};
	const char *s = first_exec(servers), *kg = first_exec(keygens);
	if (!s || !kg) {
		say(r, "LIFEBOAT-SSH none msg=\"no dropbear/dropbearkey in the image\"");
		return;
	}
	snprintf(r->dropbear, sizeof r->dropbear, "%s", s);
	mkdir("/etc/dropbear", 0700);
	host_key(r, kg, "ed25519");
	host_key(r, kg, "ecdsa");
	if (r->n_keys)
		start_dropbear(r);
}

/* ---- phone home ---- */

static void phone_next(struct rinit *r)
{
	if (r->phone || !r->queued || !r->k.home[0])
		return;
	char line[PHONEHOME_LINE_MAX + 1];
	memcpy(line, r->queue[0], sizeof line);
	memmove(r->queue[0], r->queue[1], (PHONE_QUEUE - 1) * sizeof r->queue[0]);
	r->queued--;
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int rc = phonehome_post(r->k.home, line, 5, 5000);
		if (!rc)
			log_info("phonehome.sent url=%s%s line=\"%s\"", r->k.home, PHONEHOME_PATH,
				 line);
		_exit(rc ? 1 : 0);
	}
	r->phone = pid > 0 ? pid : 0;
}

static void phone(struct rinit *r, const char *line)
{
	if (!r->k.home[0])
		return;
	if (r->queued == PHONE_QUEUE) /* keep the newest: drop the oldest */
		memmove(r->queue[0], r->queue[1], --r->queued * sizeof r->queue[0]);
	snprintf(r->queue[r->queued++], sizeof r->queue[0], "%s", line);
	phone_next(r);
}

/* ---- lifeboat.cmd ---- */

static void start_cmd(struct rinit *r)
{
	if (r->cmd_started || !r->k.cmd[0])
		return;
	r->cmd_started = true;
	loop_timer_cancel(&r->l, &r->cmd_timer);
	char *argv[] = {"/bin/sh", "-c", r->k.cmd, NULL};
	say(r, "LIFEBOAT-CMD-START cmd=%s", r->k.cmd);
	r->cmd = spawn(r, (int)r->n_con - 1, false, -1, argv[0], argv); /* /dev/console's */
	if (r->cmd < 0) {
		char line[PHONEHOME_LINE_MAX + 1];
		r->cmd = 0;
		say(r, "LIFEBOAT-CMD-EXIT status=127");
		phonehome_line_cmd(line, 127, r->k.cmd);
		phone(r, line);
	}
}

static void on_cmd_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	struct rinit *r = t->arg;
	log_info("rinit.cmd msg=\"no address after %d s; running lifeboat.cmd anyway\"",
		 CMD_NET_WAIT_MS / 1000);
	start_cmd(r);
}

/* The status table (disks, addresses) on the consoles, line by line. */
static void show_status(struct rinit *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return;
	rescue_status_print(m);
	fclose(m);
	for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		say(r, "%s", l);
	}
	free(text);
}

static void on_net(void *arg, struct netup_if *i, bool up)
{
	struct rinit *r = arg;
	char a[16], line[PHONEHOME_LINE_MAX + 1];
	const uint8_t *ad = i->c.lease.addr;
	snprintf(a, sizeof a, "%u.%u.%u.%u", ad[0], ad[1], ad[2], ad[3]);
	say(r, "LIFEBOAT-NET if=%s addr=%s/%u %s", i->name, a, i->c.lease.prefix,
	    up ? "up" : "down");
	if (!up)
		return;
	if (!r->reported_up) {
		r->reported_up = true;
		phonehome_line_up(line, a, r->ssh ? r->fp : "", r->ssh ? r->fptype : NULL);
		say(r, "LIFEBOAT-UP %s", line);
		phone(r, line);
		show_status(r);
	}
	start_cmd(r);
}

/* ---- consoles ---- */

static void start_shell(struct rinit *r, unsigned i)
{
	/* argv[0] "-sh": a login shell (reads /etc/profile); busybox strips
	 * the dash to find its applet. */
	char *argv[] = {"-sh", NULL};
	if (r->con[i] < 0)
		return;
	r->shell[i] = spawn(r, (int)i, true, -1, access(BUSYBOX, X_OK) ? "/bin/sh" : BUSYBOX, argv);
	if (r->shell[i] < 0)
		r->shell[i] = 0;
	r->shell_started[i] = loop_now_ms(&r->l);
}

static void on_respawn(struct loop *l, struct loop_timer *t)
{
	struct rinit *r = t->arg;
	(void)l;
	for (unsigned i = 0; i < r->n_con; i++)
		if (!r->shell[i])
			start_shell(r, i);
	if (r->dropbear[0] && !r->ssh && r->n_keys)
		start_dropbear(r);
}

static void child_exited(struct rinit *r, pid_t pid, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	char line[PHONEHOME_LINE_MAX + 1];
	for (unsigned i = 0; i < r->n_con; i++)
		if (pid == r->shell[i]) {
			r->shell[i] = 0;
			/* a shell that dies at once must not spin: respawn later */
			bool fast = loop_now_ms(&r->l) - r->shell_started[i] < 1000;
			if (fast)
				loop_timer_arm(&r->l, &r->respawn, RESPAWN_MS);
			else
				start_shell(r, i);
		}
	if (pid == r->ssh) {
		r->ssh = 0;
		log_warn("rinit.ssh.exit status=%d msg=\"restarting\"", code);
		loop_timer_arm(&r->l, &r->respawn, RESPAWN_MS);
	} else if (pid == r->cmd) {
		r->cmd = 0;
		say(r, "LIFEBOAT-CMD-EXIT status=%d", code);
		phonehome_line_cmd(line, code, r->k.cmd);
		phone(r, line);
	} else if (pid == r->phone) {
		r->phone = 0;
		if (code)
			log_warn("phonehome.gave_up url=%s", r->k.home);
		phone_next(r);
	}
}

/* ---- power ---- */

static void power(struct rinit *r, const struct rinit_power *pw)
{
	say(r, "LIFEBOAT-POWER action=%s reason=%s", pw->action, pw->signame);
	netup_stop(&r->net);
	kill(-1, SIGTERM);	       /* as PID 1 this spares only us */
	for (int i = 0; i < 40; i++) { /* up to 2 s for them to go */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (kill(-1, 0) && errno == ESRCH)
			break;
		usleep(50000);
	}
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	reboot((int)pw->how);
	log_err("rinit.power.failed action=%s error=\"%s\"", pw->action, strerror(errno));
}

/* The signals PID 1 takes as busybox init does. */
static const struct rinit_power power_signals[] = {
    {SIGINT, RB_AUTOBOOT, "reboot", "SIGINT"},	    /* Ctrl-Alt-Del (RB_DISABLE_CAD) */
    {SIGTERM, RB_AUTOBOOT, "reboot", "SIGTERM"},    /* busybox reboot, lifeboat reboot */
    {SIGUSR1, RB_HALT_SYSTEM, "halt", "SIGUSR1"},   /* busybox halt */
    {SIGUSR2, RB_POWER_OFF, "poweroff", "SIGUSR2"}, /* busybox/lifeboat poweroff */
    {SIGPWR, RB_POWER_OFF, "poweroff", "SIGPWR"},   /* UPS daemon, hypervisor */
};

const struct rinit_power *rinit_power_for(int signo)
{
	for (size_t i = 0; i < sizeof power_signals / sizeof power_signals[0]; i++)
		if (power_signals[i].signo == signo)
			return &power_signals[i];
	return NULL;
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct rinit *r = arg;
	const struct rinit_power *pw = rinit_power_for(signo);
	(void)l;
	if (signo == SIGCHLD) {
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			child_exited(r, pid, st);
	} else if (pw) {
		power(r, pw);
	} else {
		log_info("rinit.signal signal=%d action=ignored", signo);
	}
}

static void read_cmdline(struct rinit *r)
{
	char text[4096] = "";
	const char *bad = NULL;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = 0;
	kcmdline_parse(text, &r->k, &bad);
	if (bad)
		log_warn("rinit.cmdline.ignored word=\"%.*s\"", (int)strcspn(bad, " "), bad);
}

static void start_services(struct rinit *r)
{
	struct modload_result m;
	uint64_t t0 = sys_clock_ms(CLOCK_MONOTONIC);
	int rc = modload_all(MODLOAD_LIST, BUSYBOX, &m);
	if (rc)
		say(r, "LIFEBOAT-MODULES none list=%s error=\"%s\"", MODLOAD_LIST, strerror(-rc));
	else
		say(r, "LIFEBOAT-MODULES loaded=%u present=%u failed=%u skipped=%u ms=%llu",
		    m.loaded, m.present, m.failed, m.skipped,
		    (unsigned long long)(sys_clock_ms(CLOCK_MONOTONIC) - t0));
	setup_ssh(r);
	for (unsigned i = 0; i < r->n_con; i++)
		start_shell(r, i);
	rc = netup_start(&r->net, &r->l, &r->k.ip, on_net, r);
	if (rc)
		log_err("rinit.net.failed error=\"%s\"", strerror(-rc));
	if (r->k.cmd[0]) {
		bool wait_net = !rc && r->k.ip.mode != KCMD_IP_OFF;
		loop_timer_arm(&r->l, &r->cmd_timer, wait_net ? CMD_NET_WAIT_MS : 0);
	}
}

/* Without memory or an event loop there is still a shell. */
__attribute__((noreturn)) static void shell_only(void)
{
	char *sh[] = {"/bin/sh", NULL};
	execv(sh[0], sh);
	for (;;)
		pause();
}

int rinit_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct rinit *r = calloc(1, sizeof *r);
	sigset_t set;
	umask(022);
	mount_api();
	if (!r)
		shell_only();
	read_cmdline(r);
	open_consoles(r);
	say(r, "LIFEBOAT-RESCUE-INIT version=%s home=%s", LIFEBOAT_VERSION,
	    r->k.home[0] ? r->k.home : "none");
	prepare_etc(r->k.ip.hostname);
	if (loop_init(&r->l)) {
		say(r, "LIFEBOAT-RESCUE-INIT error=\"no event loop\"; shell only");
		shell_only();
	}
	sigemptyset(&set);
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaddset(&set, s);
	loop_signals(&r->l, &set, on_signal, r);
	reboot(RB_DISABLE_CAD);
	loop_timer_init(&r->respawn, on_respawn, r);
	loop_timer_init(&r->cmd_timer, on_cmd_timer, r);
	start_services(r);
	for (;;)
		if (loop_run(&r->l) && errno != EINTR)
			sleep(1); /* never spin, never exit */
}

static int ask_pid1(int sig, const char *what)
{
	if (kill(1, sig)) {
		fprintf(stderr, "lifeboat %s: %s\n", what, strerror(errno));
		return 1;
	}
	printf("lifeboat: asked PID 1 to %s\n", what);
	return 0;
}

int reboot_main(int argc, char **argv)
{
	int a = ctlcmd_args(reboot_options(), argc, argv);
	if (a >= 0)
		return a;
	return ask_pid1(SIGTERM, "reboot");
}

int poweroff_main(int argc, char **argv)
{
	int a = ctlcmd_args(poweroff_options(), argc, argv);
	if (a >= 0)
		return a;
	return ask_pid1(SIGUSR2, "poweroff");
}
