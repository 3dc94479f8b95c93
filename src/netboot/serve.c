/* serve: `lifeboat serve`. Parses the command line, checks everything it
 * can before touching the network (ROOT, boot files, iPXE images, the
 * kernel's format, what the drop user can read: serve_check; interfaces,
 * privileges), opens the sockets, logs the start-up block, then runs the
 * one event loop until SIGINT/SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/notify.h"
#include "core/sys.h"
#include "netboot/api.h"
#include "netboot/bootplan.h"
#include "netboot/dhcp4_server.h"
#include "netboot/fsroot.h"
#include "netboot/grub.h"
#include "netboot/iface.h"
#include "netboot/priv.h"
#include "netboot/sandbox.h"
#include "netboot/seccomp.h"
#include "netboot/serve.h"
#include "netboot/serve_check.h"
#include "netboot/status.h"
#include "netboot/tftp.h"
#include "netboot/http.h"
#include "roles.h"

/* Our first IPv4 address as URL host text, for the start-up block. */
static const char *serve_host(const struct serve_state *st, char *buf, size_t cap)
{
	snprintf(buf, cap, "SERVER");
	for (size_t i = 0; i < st->ifs.n; i++) {
		const uint8_t *a = st->ifs.v[i].ip4;
		if (st->ifs.v[i].has_ip4) {
			snprintf(buf, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
			break;
		}
	}
	return buf;
}

/* serve_load_opts for a reload: what it would print on stderr (a --config
 * line it refuses, an unknown option) is logged in the active log format
 * instead, so a JSON log stays JSON. 0, or -1 (logged). */
static int serve_reload_load(const struct serve_state *st, struct serve_opts *n)
{
	char *text = NULL, detail[512];
	size_t len = 0, o = 0;
	FILE *err = open_memstream(&text, &len);
	int r = serve_load_opts(st->argc, st->argv, n, err ? err : stderr);
	if (err)
		fclose(err);
	if (!r) {
		free(text);
		return 0;
	}
	detail[0] = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		for (char *c = line; *c; c++)
			if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
				*c = '\'';
		if (*line)
			buf_appendf(detail, sizeof detail, &o, "%s%s", o ? "; " : "", line);
	}
	free(text);
	log_err("serve.reload result=failed reason=\"bad options: keeping the running ones\" "
		"detail=\"%s\"",
		detail);
	return -1;
}

/* SIGHUP: re-read the command line and --config file, check the new
 * options as at start-up, and switch to them if they pass. Transfers in
 * flight keep their open files. What needs new sockets or privileges
 * (interfaces, ports, --user) is kept and reported. 0, or -1 (logged). */
static int serve_reload_apply(struct serve_state *st)
{
	struct serve_opts *n = calloc(1, sizeof *n);
	struct fsroot root = {.dirfd = -1};
	const struct serve_opts *o = st->opts;
	if (!n) {
		log_err("serve.reload result=failed reason=\"out of memory\"");
		goto fail;
	}
	if (serve_reload_load(st, n))
		goto fail;
	if (n->root && fsroot_init(&root, n->root)) {
		log_err("serve.reload result=failed root=%s reason=\"%s\"", n->root,
			strerror(errno));
		goto fail;
	}
	serve_rescue_inherit(o, n);
	if (serve_check_files(n, &root, n->root != NULL) ||
	    serve_check_as_user(n, &root, SERVE_CHECK_RELOAD, st->drop_user)) {
		log_err("serve.reload result=failed reason=\"check failed: keeping the running "
			"options\"");
		goto fail;
	}
	/* Per the option table: what needs new sockets or start-up work is
	 * kept (and reported), --grub-dir refuses the reload. */
	if (serve_opts_reload(o, n))
		goto fail;
	/* derived from --grub at start-up (serve_grub_check), not an option */
	n->plan.grub_targets = o->plan.grub_targets;
	n->plan.api = o->plan.api; /* the client started with the first options */
	if (serve_files_reload(&st->sf, n)) {
		log_err("serve.reload result=failed reason=\"cannot open the new kernel/initrd "
			"files\"");
		goto fail;
	}
	struct fsroot old_root = st->root;
	st->root = root;
	fsroot_close(&old_root);
	st->opts = n;
	if (st->dhcp)
		dhcp4_server_set_plan(st->dhcp, &n->plan);
	if (st->dhcp6)
		dhcp6_server_set_plan(st->dhcp6, &n->plan);
	serve_opts_free((struct serve_opts *)o);
	log_info("serve.reload result=ok mode=%s root=%s boot_entries=%zu hosts=%zu",
		 n->plan.api_url   ? "api"
		 : n->plan.kernel  ? "kernel"
		 : n->plan.netmenu ? "menu"
				   : "root",
		 n->root ? n->root : "-", n->plan.n_boot, n->plan.n_hosts);
	char host[16];
	serve_log_boot(n, serve_host(st, host, sizeof host));
	return 0;
fail:
	fsroot_close(&root);
	serve_opts_free(n);
	return -1;
}

/* A reload as the service manager sees it (core/notify): RELOADING=1,
 * then READY=1 whether the new options were taken or the running ones
 * kept; STATUS= says which. */
static void serve_reload(struct serve_state *st)
{
	notify_reloading("reloading");
	int r = serve_reload_apply(st);
	notify_send(r ? "READY=1\nSTATUS=serving; the last reload failed, running options kept"
		      : "READY=1\nSTATUS=serving; reloaded");
}

static void serve_on_signal(struct loop *l, int signo, void *arg)
{
	if (signo == SIGCHLD) { /* PID 1 only: orphans of the namespace */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		return;
	}
	if (signo == SIGHUP) {
		serve_reload(arg);
		return;
	}
	if (signo == SIGUSR1) {
		status_dump(((struct serve_state *)arg)->status);
		return;
	}
	if (signo == SIGWINCH) {
		status_resize(((struct serve_state *)arg)->status);
		return;
	}
	log_info("serve.stop signal=%s", strsignal(signo));
	notify_send("STOPPING=1\nSTATUS=stopping");
	loop_stop(l);
}

/* After the drop: Landlock, then the seccomp filter (last: it forbids
 * what the steps before need). Says in one line what is not confined;
 * with --require-sandbox that is an error. 0 or -1. */
static int serve_confine(const struct serve_opts *o, struct sandbox *sb)
{
	if (o->no_sandbox) {
		if (o->require_sandbox) {
			log_err(
			    "serve.error reason=\"--require-sandbox and --no-sandbox contradict "
			    "each other\"");
			return -1;
		}
		log_info("serve.sandbox result=off reason=\"--no-sandbox: no Landlock, no "
			 "seccomp filter\"");
		return 0;
	}
	int ll = sandbox_apply(sb);
	if (ll > 0)
		log_info("serve.sandbox landlock_abi=%d fs=read-only-beneath-served-paths%s", ll,
			 o->dhcp && o->dhcp4.mode != DHCP4_MODE_PROXY && o->dhcp4.lease_file
			     ? "+writable-lease-dir"
			     : "");
	else if (ll != -ENOSYS && ll != -EOPNOTSUPP) {
		log_err("serve.error reason=\"Landlock: %s (use --no-sandbox to run unconfined)\"",
			strerror(-ll));
		return -1;
	}
	int sc = seccomp_serve();
	if (sc > 0)
		log_info("serve.seccomp result=on syscalls=%d other=kill-process", sc);
	char miss[512];
	if (sandbox_missing(ll, sc, miss, sizeof miss) == 0)
		return 0;
	if (o->require_sandbox) {
		log_err("serve.error reason=\"--require-sandbox: not confined: %s\"", miss);
		return -1;
	}
	log_warn("serve.sandbox result=partial not_confined=\"%s\"", miss);
	return 0;
}

/* ROOT, the files the options name, the interfaces, the right to bind
 * low ports. 0, or -1 (logged). */
static int serve_prepare(struct serve_state *st, struct serve_opts *o)
{
	if (o->root) {
		int r = fsroot_init(&st->root, o->root);
		if (r) {
			log_err("serve.error root=%s reason=\"%s\"", o->root, strerror(-r));
			return -1;
		}
	}
	struct passwd *pw = geteuid() == 0 ? NULL : getpwuid(geteuid());
	if (geteuid() == 0 || !pw)
		snprintf(st->drop_user, sizeof st->drop_user, "%s",
			 geteuid() == 0 ? o->user : "(this uid)");
	else
		snprintf(st->drop_user, sizeof st->drop_user, "%s", pw->pw_name);
	if (serve_check_files(o, &st->root, o->root != NULL) ||
	    serve_check_as_user(o, &st->root, SERVE_CHECK_START, st->drop_user))
		return -1;
	/* before DHCP answers anyone: the image must exist when clients ask */
	if (serve_rescue_build(o, &st->rescue_fd))
		return -1;
	/* the interface list outlives reloads: keep our own copy. A name
	 * given twice (serve.conf and lifeboat-serve@IFACE's --interface)
	 * counts once: a second socket on it could not be bound. */
	size_t nw = 0;
	for (size_t i = 0; i < o->n_ifaces; i++) {
		bool dup = false;
		for (size_t j = 0; j < nw && !dup; j++)
			dup = !strcmp(st->ifnames[j], o->ifaces[i]);
		if (dup)
			continue;
		snprintf(st->ifname_buf[nw], sizeof st->ifname_buf[nw], "%s", o->ifaces[i]);
		st->ifnames[nw] = st->ifname_buf[nw];
		nw++;
	}
	st->ifs.want = st->ifnames;
	st->ifs.n_want = nw;
	const char *missing;
	int r = iface_scan(&st->ifs, &missing);
	if (r == -ENODEV) {
		log_err("serve.error iface=%s reason=\"no such interface\"", missing);
		return -1;
	}
	size_t n6 = 0;
	for (size_t i = 0; o->dhcp6 && i < st->ifs.n; i++)
		n6 += st->ifs.v[i].has_ip6;
	if (r || (iface_count_ip4(&st->ifs) == 0 && n6 == 0)) {
		log_err("serve.error reason=\"no usable interface: no %s interface has an IPv4 "
			"(or, with DHCPv6, a global IPv6) address\"",
			o->n_ifaces ? "chosen" : "up, non-loopback");
		return -1;
	}
	if (geteuid() != 0 && sys_has_cap(10 /* CAP_NET_BIND_SERVICE */) != 1 &&
	    ((o->dhcp && o->dhcp_port < 1024) || (o->plan.tftp && o->tftp_port < 1024) ||
	     (o->plan.http && o->plan.http_port < 1024))) {
		log_err("serve.error reason=\"not root: binding ports below 1024 needs root or "
			"CAP_NET_BIND_SERVICE (missing capability)\"");
		return -1;
	}
	return 0;
}

static void serve_ra_active(void *arg, int ifindex, bool on)
{
	dhcp6_server_set_plain(arg, ifindex, on);
}

/* Router advertisements where stateful DHCPv6 serves and no router is
 * (ra.h). The raw socket needs CAP_NET_RAW: a host without it serves
 * DHCPv6 all the same, for LANs with a router. 0, or -1 (logged). */
static int serve_start_ra(struct serve_state *st, const struct serve_opts *o)
{
	struct ra_config rc = {
	    .ifs = &st->ifs,
	    .range = &o->dhcp6_range,
	    .router = o->router6,
	    .on_active = serve_ra_active,
	    .on_active_arg = st->dhcp6,
	};
	int r = ra_start(&st->ra, &st->loop, &rc);
	if (r == -EPERM || r == -EACCES) {
		log_warn("serve.warn reason=\"router advertisements off: no CAP_NET_RAW (a link "
			 "with no router gets no RA)\"");
		return 0;
	}
	if (r) {
		log_err("serve.error reason=\"router advertisements: %s\"", strerror(-r));
		return -1;
	}
	return 0;
}

/* --lease-file's directory into dir (cap bytes) and its file name. 0 or
 * -EINVAL (no file name). */
static int serve_lease_split(const char *path, char *dir, size_t cap, const char **name)
{
	const char *slash = strrchr(path, '/');
	*name = slash ? slash + 1 : path;
	if (!**name)
		return -EINVAL;
	if (!slash)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
	return 0;
}

/* Full DHCP's lease directory, opened before the drop: created (for
 * --user) when missing; an existing one must be --user's or writable by
 * all. 0 with *fd (-1 when no lease file is kept), or -1 (logged). */
static int serve_lease_dir(const struct serve_opts *o, int *fd, const char **name)
{
	char dir[512];
	struct stat st;
	*fd = -1;
	*name = NULL;
	if (!o->dhcp || o->dhcp4.mode == DHCP4_MODE_PROXY || !o->dhcp4.lease_file)
		return 0;
	if (serve_lease_split(o->dhcp4.lease_file, dir, sizeof dir, name)) {
		log_err("serve.error lease_file=%s reason=\"no file name\"", o->dhcp4.lease_file);
		return -1;
	}
	bool made = mkdir(dir, 0750) == 0;
	struct passwd *pw = geteuid() == 0 ? getpwnam(o->user) : NULL;
	if (made && pw && chown(dir, pw->pw_uid, pw->pw_gid))
		log_warn("serve.warn dir=%s reason=\"chown: %s\"", dir, strerror(errno));
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		log_err("serve.error lease_dir=%s reason=\"%s\"", dir, strerror(errno));
		return -1;
	}
	if (pw && fstat(*fd, &st) == 0 && st.st_uid != pw->pw_uid && !(st.st_mode & S_IWOTH)) {
		log_err("serve.error lease_dir=%s reason=\"not writable by --user %s: chown %s %s, "
			"or choose another --lease-file\"",
			dir, o->user, o->user, dir);
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* DHCPv4 and DHCPv6. 0, or -1 (logged). */
static int serve_start_dhcp(struct serve_state *st, const struct serve_opts *o)
{
	uint16_t which;
	int r;
	if (o->dhcp) {
		int lease_fd;
		const char *lease_name;
		if (serve_lease_dir(o, &lease_fd, &lease_name))
			return -1;
		struct dhcp4_server_config dc = {
		    .plan = &o->plan,
		    .ifs = &st->ifs,
		    .port = o->dhcp_port,
		    .binl_port = o->binl_port,
		    .rate = o->dhcp_rate,
		    .client_rate = 4,
		    .on_client = clients_note_hook,
		    .on_client_arg = st->clients,
		    .full = &o->dhcp4,
		    .lease_dirfd = lease_fd,
		    .lease_name = lease_name,
		};
		r = dhcp4_server_start(&st->dhcp, &st->loop, &dc, &which);
		if (r && which == 0) {
			log_err("serve.error lease_file=%s reason=\"%s\"", o->dhcp4.lease_file,
				r == -EBADMSG ? "not a lifeboat lease file" : strerror(-r));
			return -1;
		}
		if (r) {
			serve_explain_bind("udp", which, r, "dhcp");
			return -1;
		}
	}
	if (!o->dhcp6)
		return 0;
	struct dhcp6_server_config d6 = {
	    .plan = &o->plan,
	    .ifs = &st->ifs,
	    .range = o->dhcp6_range,
	    .port = 547,
	    .binl_port = o->binl_port,
	    .rate = o->dhcp_rate,
	    .client_rate = 4,
	    .on_client = clients_note_hook,
	    .on_client_arg = st->clients,
	};
	r = dhcp6_server_start(&st->dhcp6, &st->loop, &d6, &which);
	if (r && (o->dhcp6_range.set || (r != -EADDRINUSE && r != -EAFNOSUPPORT))) {
		serve_explain_bind("udp", which, r, "dhcp6");
		return -1;
	}
	if (!r && o->dhcp6_range.set && o->ra && serve_start_ra(st, o))
		return -1;
	if (r) {
		/* DHCPv6 is on by default: a host without IPv6, or with its own
		 * DHCPv6 server, still serves IPv4 clients. */
		char comm[64] = "";
		int pid = r == -EADDRINUSE ? sys_port_owner("udp", which, comm, sizeof comm) : 0;
		log_warn("serve.warn port=udp/%u reason=\"DHCPv6 off: %s%s%s\"", which,
			 r == -EAFNOSUPPORT ? "no IPv6 on this host" : "port in use",
			 pid > 0 ? " by " : "", pid > 0 ? comm : "");
		st->dhcp6 = NULL;
	}
	return 0;
}

static void serve_auto_addressing(void *arg, int ifindex, bool on)
{
	dhcp4_server_set_addressing(arg, ifindex, on);
}

/* --mode auto: the probes that turn each interface's addressing on or off
 * (autoprobe.h). Packet sockets: before the drop. 0, or -1 (logged). */
static int serve_start_auto(struct serve_state *st, const struct serve_opts *o)
{
	if (!st->dhcp || o->dhcp4.mode != DHCP4_MODE_AUTO)
		return 0;
	struct autoprobe_config ac = {
	    .ifs = &st->ifs,
	    .timing = auto_timing_default,
	    .set_addressing = serve_auto_addressing,
	    .arg = st->dhcp,
	};
	ac.timing.interval_ms = (uint64_t)o->probe_interval * 1000;
	ac.timing.window_ms = (uint64_t)o->probe_window * 1000;
	int r = autoprobe_start(&st->autoprobe, &st->loop, &ac);
	if (r) {
		log_err("serve.error reason=\"--mode auto: probe sockets: %s%s\"", strerror(-r),
			r == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	return 0;
}

/* The trees the process may still read once confined: opened now, while
 * it can still see them. */
static void serve_sandbox_paths(const struct serve_opts *o, struct sandbox *sb)
{
	const char *readable[5 + BOOTPLAN_MAX_INITRD] = {
	    o->root, o->config, o->plan.kernel,
	    o->plan.kernel || o->plan.api_url ? o->plan.ipxe_dir : NULL, o->plan.rescue_file};
	if (o->no_sandbox)
		return;
	for (size_t i = 0; i < o->plan.n_initrd; i++)
		readable[5 + i] = o->plan.initrd[i];
#if defined(__SANITIZE_ADDRESS__)
	/* Sanitizer builds only: LeakSanitizer reads /proc/self/task at exit. */
	sandbox_allow_read(sb, "/proc");
#endif
	for (size_t i = 0; i < 5 + o->plan.n_initrd; i++)
		if (readable[i] && sandbox_allow_read(sb, readable[i]))
			log_warn("serve.warn path=%s reason=\"cannot open for the sandbox\"",
				 readable[i]);
	serve_grub_sandbox(sb, &o->plan);
	char dir[512];
	const char *name;
	if (o->dhcp && o->dhcp4.mode != DHCP4_MODE_PROXY && o->dhcp4.lease_file &&
	    serve_lease_split(o->dhcp4.lease_file, dir, sizeof dir, &name) == 0 &&
	    sandbox_allow_write(sb, dir))
		log_warn("serve.warn path=%s reason=\"cannot open for the sandbox\"", dir);
}

/* Drops root, takes signals through the loop, confines. 0, or -1. */
static int serve_drop(struct serve_state *st, const struct serve_opts *o, struct sandbox *sb)
{
	char why[160];
	if (priv_drop(o->user, why, sizeof why)) {
		log_err("serve.error reason=\"dropping privileges: %s\"", why);
		return -1;
	}
	if (geteuid() != 0)
		log_info("serve.privileges uid=%u gid=%u no_new_privs=1", (unsigned)geteuid(),
			 (unsigned)getegid());
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);  /* the table and counters to the log */
	sigaddset(&set, SIGWINCH); /* the terminal's table follows its size */
	/* As PID 1 (a container's entrypoint) every orphan becomes our child
	 * and stays a zombie unless we reap it. */
	if (getpid() == 1)
		sigaddset(&set, SIGCHLD);
	loop_signals(&st->loop, &set, serve_on_signal, st);
	return serve_confine(o, sb);
}

static void serve_log_ready(const struct serve_state *st, const struct serve_opts *o)
{
	char host[16];
	for (size_t i = 0; i < st->ifs.n; i++) {
		const struct iface *f = &st->ifs.v[i];
		if (f->has_ip4)
			log_info("serve.iface name=%s ip=%u.%u.%u.%u mtu=%u", f->name, f->ip4[0],
				 f->ip4[1], f->ip4[2], f->ip4[3], f->mtu);
		if (o->dhcp6 && (f->has_ip6 || f->has_ip6_ll)) {
			char a6[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, f->has_ip6 ? &f->ip6 : &f->ip6_ll, a6, sizeof a6);
			log_info("serve.iface6 name=%s ip6=%s%s", f->name, a6,
				 f->has_ip6 ? "" : " note=\"link-local only: no global address\"");
		}
	}
	serve_log_boot(o, serve_host(st, host, sizeof host));
	const char *d6 = !st->dhcp6 ? "off" : o->dhcp6_range.set ? "stateful" : "proxy";
	log_info("serve.ready mode=%s root=%s dhcp=%s dhcp6=%s tftp=%s http=%s",
		 o->plan.rescue	   ? "rescue"
		 : o->plan.api_url ? "api"
		 : o->plan.kernel  ? "kernel"
		 : o->plan.netmenu ? "menu"
				   : "root",
		 o->root ? o->root : "-",
		 !o->dhcp			    ? "off"
		 : o->dhcp4.mode == DHCP4_MODE_DHCP ? "full"
		 : o->dhcp4.mode == DHCP4_MODE_AUTO ? "auto"
						    : "proxy",
		 d6, o->plan.tftp ? "on" : "off", o->plan.http ? "on" : "off");
}

/* What the client records do not hold, read when a status page is made. */
static void serve_status_extra(void *arg, struct status_extra *x)
{
	const struct serve_state *st = arg;
	if (st->dhcp) {
		x->dhcp_received[CTR_DHCP4] = dhcp4_server_received(st->dhcp);
		x->ratelimited[0] = dhcp4_server_ratelimited(st->dhcp);
	}
	if (st->dhcp6) {
		x->dhcp_received[CTR_DHCP6] = dhcp6_server_received(st->dhcp6);
		x->ratelimited[1] = dhcp6_server_ratelimited(st->dhcp6);
	}
	if (st->sf.tftp) {
		x->tftp_active = tftp_server_active(st->sf.tftp);
		x->ratelimited[2] = tftp_server_ratelimited(st->sf.tftp);
	}
	if (st->sf.http)
		x->http_active = http_server_active(st->sf.http);
}

/* The status socket, --status and the live table; in kernel mode, the
 * name of the plan's last file (its end hands the client to the kernel).
 * Before the privilege drop: the socket lives under /run. 0 or -1. */
static int serve_start_status(struct serve_state *st, const struct serve_opts *o)
{
	const struct bootplan *p = &o->plan;
	if (p->rescue) /* the kernel first, then the image (bootplan: rescue rows) */
		snprintf(st->final_file, sizeof st->final_file, "%s", BOOTPLAN_RESCUE_IMAGE);
	else if (p->kernel && p->n_initrd)
		snprintf(st->final_file, sizeof st->final_file, "initrd/%zu/%s", p->n_initrd - 1,
			 timeline_base(p->initrd[p->n_initrd - 1]));
	else if (p->kernel)
		snprintf(st->final_file, sizeof st->final_file, "kernel/%s",
			 timeline_base(p->kernel));
	st->clients->final_file = st->final_file;
	struct status_cfg cfg = {
	    .l = &st->loop,
	    .c = st->clients,
	    .socket_path = o->status_socket,
	    .http_addr = o->status_http,
	    .live = !o->no_status,
	    .tty_fd = 2,
	    .extra = serve_status_extra,
	    .extra_arg = st,
	};
	return status_start(&st->status, &cfg) ? -1 : 0;
}

/* --api: the client (api.h), its host resolved now, before the sandbox;
 * the plan's "api" row asks it. 0 or -1 (logged). */
static int serve_start_api(struct serve_state *st, struct serve_opts *o)
{
	char err[256];
	if (!o->plan.api_url)
		return 0;
	struct api_cfg cfg = {
	    .url = o->plan.api_url, .ttl_s = o->plan.api_ttl, .timeout_ms = o->plan.api_timeout_ms};
	if (api_start(&st->api, &st->loop, &cfg, err, sizeof err)) {
		log_err("serve.error api=%s reason=\"%s\"", o->plan.api_url, err);
		return -1;
	}
	st->api_hook =
	    (struct bootplan_api){.decide = api_decide, .latest = api_latest, .arg = st->api};
	o->plan.api = &st->api_hook;
	return 0;
}

/* Everything between the options and the loop; 0 or -1 (logged). What was
 * started is stopped by serve_stop. */
static int serve_start(struct serve_state *st, struct serve_opts *o)
{
	if (serve_prepare(st, o))
		return -1;
	if (loop_init(&st->loop)) {
		log_err("serve.error reason=\"epoll: %s\"", strerror(errno));
		return -1;
	}
	st->loop_ok = true;
	st->clients = malloc(sizeof *st->clients);
	if (!st->clients) {
		log_err("serve.error reason=\"out of memory\"");
		return -1;
	}
	clients_init(st->clients);
	clients_observe(st->clients, &st->loop, &st->xfer_obs);
	if (serve_start_api(st, o) || serve_start_dhcp(st, o) || serve_start_auto(st, o))
		return -1;
	st->sf.l = &st->loop;
	st->sf.root = &st->root;
	st->sf.ifs = &st->ifs;
	st->sf.ifnames = st->ifnames;
	st->sf.obs = &st->xfer_obs;
	report_init(&st->report, st->clients, &st->loop);
	st->sf.report = o->plan.rescue || o->plan.netmenu ? &st->report : NULL;
	if (serve_files_start(&st->sf, o))
		return -1;
	if (serve_start_status(st, o))
		return -1;
	struct sandbox sb = {.n = 0};
	serve_sandbox_paths(o, &sb);
	if (serve_drop(st, o, &sb))
		return -1;
	serve_log_ready(st, o);
	return 0;
}

static void serve_stop(struct serve_state *st)
{
	status_stop(st->status);
	if (st->sf.l)
		serve_files_stop(&st->sf);
	dhcp4_server_stop(st->dhcp);
	autoprobe_stop(st->autoprobe);
	ra_stop(st->ra);
	dhcp6_server_stop(st->dhcp6);
	api_stop(st->api);
	if (st->loop_ok)
		loop_free(&st->loop);
	free(st->clients);
	fsroot_close(&st->root);
	if (st->rescue_fd >= 0)
		close(st->rescue_fd);
}

int serve_main(int argc, char **argv)
{
	struct serve_opts *o = calloc(1, sizeof *o);
	struct serve_state st;
	int rc = 1;
	if (!o)
		return 1;
	memset(&st, 0, sizeof st);
	st.root.dirfd = -1;
	st.rescue_fd = -1;
	st.argc = argc;
	st.argv = argv;
	if (serve_load_opts(argc, argv, o, stderr)) {
		fprintf(stderr, "Try 'lifeboat serve --help'.\n");
		serve_opts_free(o);
		return 2;
	}
	if (o->help) {
		serve_usage(stdout);
		serve_opts_free(o);
		return 0;
	}
	log_setup(o->log_format, o->log_level, 2);
	signal(SIGPIPE, SIG_IGN);
	/* connected now: after the drop the sandbox could not reach it */
	int nr = notify_open();
	if (nr < 0)
		log_warn("serve.warn reason=\"NOTIFY_SOCKET: %s: no readiness notification\"",
			 strerror(-nr));
	st.opts = o;
	if (serve_start(&st, o) == 0) {
		/* sockets bound, root dropped, confined: ready */
		notify_send("READY=1\nSTATUS=serving");
		rc = loop_run(&st.loop) ? 1 : 0;
	}
	serve_stop(&st);
	serve_opts_free((struct serve_opts *)(st.opts ? st.opts : o));
	return rc;
}
