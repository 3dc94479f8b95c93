/* serve_grub: `serve --grub`. At start-up, as root and before the sandbox,
 * runs the installed grub-mkimage once per target and per IPv4 address we
 * serve on, with that address in the prefix, into a memfd; the cores are
 * then served by fd like the other host files (bootplan_lookup names them
 * lifeboat/grub/IP/core.0 and core.efi). The module trees (GRUB_DIR/i386-pc,
 * GRUB_DIR/x86_64-efi) are opened as extra roots and served beneath
 * grub/<platform>/. Nothing here runs on the DHCP path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sys.h"
#include "netboot/grub.h"
#include "netboot/pxe.h"
#include "netboot/sandbox.h"
#include "netboot/serve_grub.h"

/* grub-mkimage on $PATH (or the usual directories). 0 or -ENOENT. */
static int serve_grub_mkimage(char *out, size_t cap)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		int k = snprintf(out, cap, "%.*s/%s", (int)n, path, GRUB_MKIMAGE);
		if (n && k > 0 && (size_t)k < cap && access(out, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

void serve_grub_default(struct bootplan *plan)
{
	const struct utsname *u = sys_uname();
	char mk[512], p[600];
	struct grub_auto_facts f = {.kernel_mode = plan->kernel != NULL,
				    .grub_opt = plan->grub || plan->grub_signed,
				    .http = plan->http};
	plan->grub_auto = 0;
	if (!f.kernel_mode || f.grub_opt || !u)
		return;
	f.machine = u->machine;
	f.mkimage = serve_grub_mkimage(mk, sizeof mk) == 0;
	for (int t = 0; t < GRUB_N_TARGETS; t++) {
		const struct grub_target_info *ti = grub_target_info(t);
		const struct pxe_arch *a = pxe_arch_by_key(ti->key);
		snprintf(p, sizeof p, "%s/%s/moddep.lst", plan->grub_dir, ti->platform);
		if (access(p, R_OK) == 0)
			f.trees |= 1u << t;
		snprintf(p, sizeof p, "%s/%s", plan->ipxe_dir, a && a->ipxe ? a->ipxe : "-");
		if (access(p, R_OK) == 0)
			f.ipxe |= 1u << t;
	}
	unsigned want = grub_auto_targets(&f);
	if (!want)
		return;
	plan->grub = true;
	plan->grub_auto = want;
	for (int t = 0; t < GRUB_N_TARGETS; t++)
		if (want & (1u << t))
			log_info("serve.grub default=%s host=%s reason=\"no %s iPXE in %s: these "
				 "clients boot this host's GRUB (%s/%s)\"",
				 grub_target_info(t)->platform, u->machine,
				 grub_target_info(t)->key, plan->ipxe_dir, plan->grub_dir,
				 grub_target_info(t)->platform);
}

int serve_grub_check(struct bootplan *plan, const struct fsroot *root, bool have_root)
{
	char mk[512];
	plan->grub_targets = 0;
	if (!plan->grub)
		return 0;
	if (serve_grub_mkimage(mk, sizeof mk)) {
		log_err(
		    "serve.error reason=\"--grub needs grub-mkimage: install the Debian package "
		    "grub-common (and grub-pc-bin, grub-efi-amd64-bin, grub-efi-arm64-bin)\"");
		return -ENOENT;
	}
	if (plan->grub_signed) {
		char path[600];
		snprintf(path, sizeof path, "%s/%s", plan->grub_dir, GRUB_SIGNED_SUBPATH);
		if (access(GRUB_SHIM_PATH, R_OK) || access(path, R_OK)) {
			log_err("serve.error reason=\"--grub-signed needs %s and %s: install the "
				"Debian packages shim-signed and grub-efi-amd64-signed\"",
				GRUB_SHIM_PATH, path);
			return -ENOENT;
		}
	}
	for (int t = 0; t < GRUB_N_TARGETS; t++) {
		const struct grub_target_info *ti = grub_target_info(t);
		char dir[600];
		if (plan->grub_auto && !(plan->grub_auto & (1u << t)))
			continue;
		snprintf(dir, sizeof dir, "%s/%s/moddep.lst", plan->grub_dir, ti->platform);
		if (access(dir, R_OK) == 0)
			plan->grub_targets |= 1u << t;
		else
			log_warn("serve.warn grub=%s reason=\"no %s/%s: these clients will not get "
				 "GRUB (Debian package %s)\"",
				 ti->platform, plan->grub_dir, ti->platform, ti->package);
	}
	if (!plan->grub_targets && !plan->grub_signed) {
		log_err("serve.error grub_dir=%s reason=\"no GRUB module tree: install the Debian "
			"packages grub-pc-bin (BIOS), grub-efi-amd64-bin (x64 UEFI) and "
			"grub-efi-arm64-bin (ARM64 UEFI), or pass --grub-dir\"",
			plan->grub_dir);
		return -ENOENT;
	}
	if (!plan->kernel && have_root) { /* without ROOT: the boot menu's grub.cfg */
		struct stat st;
		int fd = fsroot_open(root, GRUB_PREFIX_PATH "/grub.cfg", &st);
		if (fd >= 0)
			close(fd);
		else
			log_warn("serve.warn reason=\"--grub without --kernel and no grub/grub.cfg "
				 "under ROOT: clients without a grub.cfg-01-<mac> or "
				 "grub.cfg-<HEX IP> of their own stop at GRUB's prompt\"");
	}
	return 0;
}

/* Runs grub-mkimage for target t with prefix into the memfd fd. */
static int serve_grub_build_one(const char *mk, const char *grub_dir, int t, const char *prefix,
				int fd)
{
	char dirbuf[600];
	const char *argv[GRUB_ARGV_MAX];
	int argc = grub_mkimage_argv(mk, grub_dir, (enum grub_target)t, prefix, "/proc/self/fd/3",
				     dirbuf, sizeof dirbuf, argv, GRUB_ARGV_MAX);
	if (argc < 0)
		return argc;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* fd 3 without close-on-exec, whatever number the memfd has */
		bool ok = fd == 3 ? fcntl(3, F_SETFD, 0) == 0 : dup2(fd, 3) == 3;
		if (ok)
			execv(mk, (char *const *)argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	return 0;
}

int serve_grub_start(struct bootfiles_grub *g, const struct bootplan *plan,
		     const struct iface_set *ifs, uint16_t tftp_port)
{
	char mk[512];
	memset(g, 0, sizeof *g);
	for (int t = 0; t < GRUB_N_TARGETS; t++)
		g->tree[t].dirfd = -1;
	if (!plan->grub)
		return 0;
	if (serve_grub_mkimage(mk, sizeof mk))
		return -ENOENT;
	/* GRUB fetches over HTTP where it can (fast, any port); TFTP only
	 * when HTTP is off, and then GRUB can only reach port 69. */
	if (!plan->http && (!plan->tftp || tftp_port != 69)) {
		log_err("serve.error reason=\"--grub: GRUB loads its modules over HTTP, or over "
			"TFTP on port 69: enable one of them\"");
		return -EINVAL;
	}
	for (int t = 0; t < GRUB_N_TARGETS; t++) {
		if (!(plan->grub_targets & (1u << t)))
			continue;
		char dir[600];
		snprintf(dir, sizeof dir, "%s/%s", plan->grub_dir, grub_target_info(t)->platform);
		int r = fsroot_init(&g->tree[t], dir);
		if (r) {
			log_err("serve.error grub_dir=%s reason=\"%s\"", dir, strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; i < ifs->n; i++) {
		const struct iface *f = &ifs->v[i];
		if (!f->has_ip4 || bootfiles_grub_find(g, -1, f->ip4))
			continue;
		for (int t = 0; t < GRUB_N_TARGETS; t++) {
			if (!(plan->grub_targets & (1u << t)))
				continue;
			char prefix[64];
			grub_prefix(prefix, sizeof prefix, f->ip4, plan->http, plan->http_port);
			int fd = memfd_create("lifeboat-grub", MFD_CLOEXEC);
			if (fd < 0)
				return -errno;
			int r = serve_grub_build_one(mk, plan->grub_dir, t, prefix, fd);
			struct stat st;
			if (!r && (fstat(fd, &st) || st.st_size == 0))
				r = -EIO;
			struct bootfiles_grub_image *v =
			    r ? NULL : realloc(g->v, (g->n + 1) * sizeof *v);
			if (!v) {
				close(fd);
				log_err(
				    "serve.error grub=%s prefix=%s reason=\"grub-mkimage failed "
				    "(%s)\"",
				    grub_target_info(t)->format, prefix,
				    r ? strerror(-r) : "out of memory");
				return r ? r : -ENOMEM;
			}
			g->v = v;
			v[g->n] = (struct bootfiles_grub_image){
			    .target = t, .fd = fd, .size = (uint64_t)st.st_size};
			memcpy(v[g->n].ip, f->ip4, 4);
			g->n++;
			char name[64];
			grub_core_name(name, sizeof name, (enum grub_target)t, f->ip4);
			log_info("serve.grub image=%s format=%s prefix=%s bytes=%llu", name,
				 grub_target_info(t)->format, prefix,
				 (unsigned long long)st.st_size);
		}
	}
	return 0;
}

void serve_grub_sandbox(struct sandbox *sb, const struct bootplan *plan)
{
	char path[600];
	for (int t = 0; plan->grub && t < GRUB_N_TARGETS; t++) {
		if (!(plan->grub_targets & (1u << t)))
			continue;
		snprintf(path, sizeof path, "%s/%s", plan->grub_dir, grub_target_info(t)->platform);
		if (sandbox_allow_read(sb, path))
			log_warn("serve.warn path=%s reason=\"cannot open for the sandbox\"", path);
	}
	if (!plan->grub_signed)
		return;
	/* files: the sandbox allows their (real) directories */
	snprintf(path, sizeof path, "%s/%s", plan->grub_dir, GRUB_SIGNED_SUBPATH);
	const char *const files[] = {GRUB_SHIM_PATH, path};
	for (size_t i = 0; i < 2; i++)
		if (sandbox_allow_read(sb, files[i]))
			log_warn("serve.warn path=%s reason=\"cannot open for the sandbox\"",
				 files[i]);
}

void serve_grub_stop(struct bootfiles_grub *g)
{
	for (size_t i = 0; i < g->n; i++)
		close(g->v[i].fd);
	free(g->v);
	for (int t = 0; t < GRUB_N_TARGETS; t++)
		if (g->tree[t].dirfd >= 0)
			fsroot_close(&g->tree[t]);
	memset(g, 0, sizeof *g);
	for (int t = 0; t < GRUB_N_TARGETS; t++)
		g->tree[t].dirfd = -1;
}
