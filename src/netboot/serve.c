/* serve: `lifeboat serve`. Parses the command line, checks everything it
 * can before touching the network (ROOT, boot files, iPXE images,
 * interfaces, privileges), opens the sockets, then runs the one event loop
 * until SIGINT/SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/sys.h"
#include "netboot/bootplan.h"
#include "netboot/dhcp4_server.h"
#include "netboot/fsroot.h"
#include "netboot/grub.h"
#include "netboot/iface.h"
#include "netboot/priv.h"
#include "netboot/sandbox.h"
#include "netboot/seccomp.h"
#include "netboot/serve.h"
#include "roles.h"

/* Boot files commonly found in a boot directory, for when no --boot is
 * given: the first that exists under ROOT wins, per key. */
static const struct {
	const char *key;
	const char *file;
} serve_autodetect[] = {
    {"bios", "pxelinux.0"},    {"bios", "lpxelinux.0"},	  {"bios", "grub/i386-pc.0"},
    {"bios", "undionly.kpxe"}, {"efi64", "bootx64.efi"},  {"efi64", "grubnetx64.efi"},
    {"efi64", "grubx64.efi"},  {"efi64", "shimx64.efi"},  {"efi64", "snponly.efi"},
    {"efi64", "ipxe.efi"},     {"arm64", "bootaa64.efi"}, {"arm64", "grubaa64.efi"},
    {"ipxe", "boot.ipxe"},     {"ipxe", "autoexec.ipxe"}, {"rpi", "bootcode.bin"},
    {"rpi", "start4.elf"},
};

/* A boot file named on the command line must exist under ROOT (URLs are
 * the user's business). Logs and returns -ENOENT/-EINVAL when not. */
static int serve_check_rootfile(struct fsroot *root, bool have_root, const char *what,
				const char *f)
{
	struct stat st;
	if (!strncmp(f, "http://", 7) || !strncmp(f, "https://", 8))
		return 0;
	if (!have_root) {
		log_err("serve.error %s=%s reason=\"a relative boot file needs a ROOT directory\"",
			what, f);
		return -EINVAL;
	}
	char clean[FSROOT_PATH_MAX];
	int r = fsroot_clean_path(f, strlen(f), clean, sizeof clean);
	int fd = r < 0 ? r : fsroot_open(root, clean, &st);
	if (fd < 0) {
		log_err("serve.error %s=%s reason=\"not found under ROOT (%s)\"", what, f,
			strerror(-fd));
		return -ENOENT;
	}
	close(fd);
	return 0;
}

/* Every iPXE image of the arch table: the clients of a missing one are not
 * answered (bootplan_choose), so say so once per image. Returns how many
 * are there. */
static int serve_check_ipxe(struct serve_opts *o)
{
	int found = 0;
	size_t na;
	const struct pxe_arch *t = pxe_arch_table(&na);
	o->plan.ipxe_missing = 0;
	for (size_t i = 0; i < na && i < 32; i++) {
		char p[512];
		if (!t[i].ipxe)
			continue;
		snprintf(p, sizeof p, "%s/%s", o->plan.ipxe_dir, t[i].ipxe);
		if (access(p, R_OK) == 0) {
			found++;
			continue;
		}
		bool said = false;
		for (size_t j = 0; j < i; j++)
			if (t[j].ipxe && !strcmp(t[j].ipxe, t[i].ipxe))
				said = true;
		o->plan.ipxe_missing |= 1u << i;
		if (said)
			continue;
		if (!strncmp(t[i].ipxe, "arm64-efi/", 10))
			log_warn("serve.warn file=%s reason=\"missing: ARM64 UEFI clients "
				 "(arch 11, 19) are not answered in kernel mode. Debian's "
				 "ipxe package has no arm64 build: put iPXE's "
				 "bin-arm64-efi/snponly.efi there, or give --boot arm64=FILE\"",
				 p);
		else
			log_warn("serve.warn file=%s reason=\"missing: clients needing it "
				 "are not answered (Debian package ipxe)\"",
				 p);
	}
	return found;
}

/* Kernel mode: the user's files and the iPXE images to chain-load. */
static int serve_check_kernel(struct serve_opts *o)
{
	struct stat st;
	const char *files[1 + BOOTPLAN_MAX_INITRD];
	size_t nf = 0;
	files[nf++] = o->plan.kernel;
	for (size_t i = 0; i < o->plan.n_initrd; i++)
		files[nf++] = o->plan.initrd[i];
	for (size_t i = 0; i < nf; i++) {
		if (stat(files[i], &st) || !S_ISREG(st.st_mode) || access(files[i], R_OK)) {
			log_err("serve.error file=%s reason=\"%s\"", files[i],
				errno ? strerror(errno) : "not a regular file");
			return -ENOENT;
		}
	}
	if (!o->plan.http) {
		log_err("serve.error reason=\"kernel mode fetches the kernel over HTTP: "
			"drop --no-http\"");
		return -EINVAL;
	}
	int found = serve_check_ipxe(o);
	/* IPv6 UEFI clients get ipxe.efi (see bootplan.h: ipxe6) */
	char p6[512];
	snprintf(p6, sizeof p6, "%s/ipxe.efi", o->plan.ipxe_dir);
	o->plan.ipxe6 = o->dhcp6 && access(p6, R_OK) == 0 ? "ipxe.efi" : NULL;
	if (o->plan.n_initrd > 1)
		log_warn("serve.warn reason=\"U-Boot clients (pxelinux.cfg/default) get "
			 "only the first initrd: U-Boot's pxe takes one\"");
	if (!found && !o->plan.grub) {
		log_err("serve.error ipxe_dir=%s reason=\"no iPXE images: install the "
			"Debian package ipxe or pass --ipxe-dir\"",
			o->plan.ipxe_dir);
		return -ENOENT;
	}
	return 0;
}

/* Boot menu mode: iPXE images to chain-load and HTTP to fetch the menu. */
static int serve_check_menu(struct serve_opts *o)
{
	if (!o->plan.http) {
		log_err(
		    "serve.error reason=\"the boot menu is fetched over HTTP: drop --no-http\"");
		return -EINVAL;
	}
	/* IPv6 UEFI clients get ipxe.efi, as in kernel mode (bootplan.h: ipxe6) */
	char p6[512];
	snprintf(p6, sizeof p6, "%s/ipxe.efi", o->plan.ipxe_dir);
	o->plan.ipxe6 = o->dhcp6 && access(p6, R_OK) == 0 ? "ipxe.efi" : NULL;
	if (!serve_check_ipxe(o) && !o->plan.grub) {
		log_err("serve.error ipxe_dir=%s reason=\"the boot menu runs in iPXE and there are "
			"no iPXE images: install the Debian package ipxe or pass --ipxe-dir\"",
			o->plan.ipxe_dir);
		return -ENOENT;
	}
	return 0;
}

/* No --boot at all: well-known boot files in ROOT become --boot entries. */
static void serve_autodetect_root(struct serve_opts *o, struct fsroot *root)
{
	struct stat st;
	const char *err;
	for (size_t i = 0; i < sizeof serve_autodetect / sizeof serve_autodetect[0]; i++) {
		if (bootplan_file_for(&o->plan, serve_autodetect[i].key))
			continue;
		if (o->plan.kernel && strcmp(serve_autodetect[i].key, "ipxe") != 0)
			continue;
		/* --grub boots these with its own cores */
		if (o->plan.grub && grub_target_for_key(serve_autodetect[i].key) >= 0)
			continue;
		int fd = fsroot_open(root, serve_autodetect[i].file, &st);
		if (fd < 0)
			continue;
		close(fd);
		char spec[128];
		snprintf(spec, sizeof spec, "%s=%s", serve_autodetect[i].key,
			 serve_autodetect[i].file);
		/* spec must outlive the plan: keep it in the options */
		size_t k = o->n_auto++;
		snprintf(o->auto_specs[k], sizeof o->auto_specs[k], "%s", spec);
		bootplan_add_boot(&o->plan, o->auto_specs[k], &err);
		log_info("serve.auto boot=%s reason=\"found in ROOT\"", spec);
	}
}

/* The start-up (and reload) checks of what the options name: 0, or
 * -ENOENT/-EINVAL with the reason logged. May add found --boot entries. */
static int serve_check_files(struct serve_opts *o, struct fsroot *root, bool have_root)
{
	if (serve_grub_check(&o->plan, root, have_root))
		return -ENOENT;
	if (o->plan.kernel) {
		int r = serve_check_kernel(o);
		if (r)
			return r;
	}
	if (have_root && o->plan.n_boot == 0)
		serve_autodetect_root(o, root);
	for (size_t i = 0; i < o->plan.n_boot; i++)
		if (serve_check_rootfile(root, have_root, o->plan.boot[i].key,
					 o->plan.boot[i].file))
			return -ENOENT;
	for (size_t i = 0; i < o->plan.n_hosts; i++)
		if (o->plan.hosts[i].file && strncmp(o->plan.hosts[i].file, "entry:", 6) &&
		    serve_check_rootfile(root, have_root, "host", o->plan.hosts[i].file))
			return -ENOENT;
	for (size_t i = 0; i < o->plan.n_menu; i++)
		if (o->plan.menu[i].file &&
		    strncmp(o->plan.menu[i].file, BOOTPLAN_PREFIX, sizeof BOOTPLAN_PREFIX - 1) &&
		    serve_check_rootfile(root, have_root, "menu", o->plan.menu[i].file))
			return -ENOENT;
	/* nothing else to boot: the boot menu (netmenu.h, doc/iso.md) */
	/* a ROOT keeps its own modes (--grub root mode, autodetected files) */
	o->plan.netmenu =
	    !have_root && !o->plan.kernel && o->plan.n_boot == 0 && o->plan.n_menu == 0;
	if (o->plan.netmenu)
		return serve_check_menu(o);
	if (o->n_isos || o->n_iso_dirs || o->n_entries) {
		log_err("serve.error reason=\"--iso, --iso-dir and --entry make the boot menu, "
			"which is served only without ROOT, --kernel, --boot and --menu\"");
		return -EINVAL;
	}
	if (!o->plan.kernel && o->plan.n_boot == 0 && o->plan.n_menu == 0 && !o->plan.grub) {
		log_err("serve.error reason=\"nothing to boot: give --kernel FILE, or a ROOT with "
			"--boot ARCH=FILE (or a ROOT holding pxelinux.0, bootx64.efi, ...)\"");
		return -EINVAL;
	}
	return 0;
}

/* SIGHUP: re-read the command line and --config file, check the new
 * options as at start-up, and switch to them if they pass. Transfers in
 * flight keep their open files. What needs new sockets or privileges
 * (interfaces, ports, --user) is kept and reported. */
static void serve_reload(struct serve_state *st)
{
	struct serve_opts *n = calloc(1, sizeof *n);
	struct fsroot root = {.dirfd = -1};
	const struct serve_opts *o = st->opts;
	if (!n || serve_load_opts(st->argc, st->argv, n, stderr)) {
		log_err(
		    "serve.reload result=failed reason=\"bad options: keeping the running ones\"");
		goto fail;
	}
	if (n->root && fsroot_init(&root, n->root)) {
		log_err("serve.reload result=failed root=%s reason=\"%s\"", n->root,
			strerror(errno));
		goto fail;
	}
	if (serve_check_files(n, &root, n->root != NULL)) {
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
		 n->plan.kernel	   ? "kernel"
		 : n->plan.netmenu ? "menu"
				   : "root",
		 n->root ? n->root : "-", n->plan.n_boot, n->plan.n_hosts);
	return;
fail:
	fsroot_close(&root);
	serve_opts_free(n);
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
	log_info("serve.stop signal=%s", strsignal(signo));
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
		log_info("serve.sandbox landlock_abi=%d fs=read-only-beneath-served-paths", ll);
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
	if (serve_check_files(o, &st->root, o->root != NULL))
		return -1;
	/* the interface list outlives reloads: keep our own copy */
	for (size_t i = 0; i < o->n_ifaces; i++) {
		snprintf(st->ifname_buf[i], sizeof st->ifname_buf[i], "%s", o->ifaces[i]);
		st->ifnames[i] = st->ifname_buf[i];
	}
	st->ifs.want = st->ifnames;
	st->ifs.n_want = o->n_ifaces;
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

/* DHCPv4 and DHCPv6. 0, or -1 (logged). */
static int serve_start_dhcp(struct serve_state *st, const struct serve_opts *o)
{
	uint16_t which;
	int r;
	if (o->dhcp) {
		struct dhcp4_server_config dc = {
		    .plan = &o->plan,
		    .ifs = &st->ifs,
		    .port = o->dhcp_port,
		    .binl_port = o->binl_port,
		    .rate = o->dhcp_rate,
		    .client_rate = 4,
		    .on_client = clients_note_hook,
		    .on_client_arg = st->clients,
		};
		r = dhcp4_server_start(&st->dhcp, &st->loop, &dc, &which);
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

/* The trees the process may still read once confined: opened now, while
 * it can still see them. */
static void serve_sandbox_paths(const struct serve_opts *o, struct sandbox *sb)
{
	const char *readable[4 + BOOTPLAN_MAX_INITRD] = {o->root, o->config, o->plan.kernel,
							 o->plan.kernel ? o->plan.ipxe_dir : NULL};
	if (o->no_sandbox)
		return;
	for (size_t i = 0; i < o->plan.n_initrd; i++)
		readable[4 + i] = o->plan.initrd[i];
#if defined(__SANITIZE_ADDRESS__)
	/* Sanitizer builds only: LeakSanitizer reads /proc/self/task at exit. */
	sandbox_allow_read(sb, "/proc");
#endif
	for (size_t i = 0; i < 4 + o->plan.n_initrd; i++)
		if (readable[i] && sandbox_allow_read(sb, readable[i]))
			log_warn("serve.warn path=%s reason=\"cannot open for the sandbox\"",
				 readable[i]);
	serve_grub_sandbox(sb, &o->plan);
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
	/* As PID 1 (a container's entrypoint) every orphan becomes our child
	 * and stays a zombie unless we reap it. */
	if (getpid() == 1)
		sigaddset(&set, SIGCHLD);
	loop_signals(&st->loop, &set, serve_on_signal, st);
	return serve_confine(o, sb);
}

static void serve_log_ready(const struct serve_state *st, const struct serve_opts *o)
{
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
	const char *d6 = !st->dhcp6 ? "off" : o->dhcp6_range.set ? "stateful" : "proxy";
	log_info("serve.ready mode=%s root=%s dhcp=%s dhcp6=%s tftp=%s http=%s",
		 o->plan.kernel	   ? "kernel"
		 : o->plan.netmenu ? "menu"
				   : "root",
		 o->root ? o->root : "-", o->dhcp ? "on" : "off", d6, o->plan.tftp ? "on" : "off",
		 o->plan.http ? "on" : "off");
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
	if (serve_start_dhcp(st, o))
		return -1;
	st->sf.l = &st->loop;
	st->sf.root = &st->root;
	st->sf.ifs = &st->ifs;
	st->sf.ifnames = st->ifnames;
	st->sf.obs = &st->xfer_obs;
	if (serve_files_start(&st->sf, o))
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
	if (st->sf.l)
		serve_files_stop(&st->sf);
	dhcp4_server_stop(st->dhcp);
	dhcp6_server_stop(st->dhcp6);
	if (st->loop_ok)
		loop_free(&st->loop);
	free(st->clients);
	fsroot_close(&st->root);
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
	st.opts = o;
	if (serve_start(&st, o) == 0)
		rc = loop_run(&st.loop) ? 1 : 0;
	serve_stop(&st);
	serve_opts_free((struct serve_opts *)(st.opts ? st.opts : o));
	return rc;
}
