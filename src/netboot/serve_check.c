/* serve_check: start-up and reload checks of what serve's options name,
 * the check as the drop user, and the start-up block. */
#include "netboot/serve_check.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "netboot/bootplan.h"
#include "netboot/bootreport.h"
#include "netboot/grub.h"
#include "netboot/kimage.h"
#include "netboot/priv.h"
#include "netboot/pxe.h"
#include "netboot/serve_grub.h"
#include "netboot/serve_rescue.h"

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
 * answered (bootplan_choose); the start-up block says so for the families
 * that were asked for. Returns how many are there; the missing ones'
 * names, comma-separated, into miss[cap]. */
static int serve_check_ipxe(struct serve_opts *o, char *miss, size_t cap)
{
	int found = 0;
	size_t na, mo = 0;
	const struct pxe_arch *t = pxe_arch_table(&na);
	o->plan.ipxe_missing = 0;
	miss[0] = 0;
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
		if (!said)
			buf_appendf(miss, cap, &mo, "%s%s", mo ? ", " : "", t[i].ipxe);
	}
	return found;
}

/* The head of each kernel-mode file through kimage: a --kernel that is no
 * kernel, an initrd that is one (or both: swapped) is an error. Sets the
 * plan's kernel_arch. 0 or -EINVAL/-EIO/-ENOMEM (logged). */
static int serve_check_images(struct serve_opts *o, const char *const *files, size_t nf)
{
	struct kimage_info k[1 + BOOTPLAN_MAX_INITRD];
	int sr[1 + BOOTPLAN_MAX_INITRD];
	uint8_t *head = malloc(KIMAGE_HEAD);
	if (!head) {
		log_err("serve.error reason=\"out of memory\"");
		return -ENOMEM;
	}
	for (size_t i = 0; i < nf; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : pread(fd, head, KIMAGE_HEAD, 0);
		if (fd >= 0)
			close(fd);
		if (n < 0) {
			log_err("serve.error file=%s reason=\"%s\"", files[i], strerror(errno));
			free(head);
			return -EIO;
		}
		sr[i] = kimage_sniff(head, (size_t)n, &k[i]);
	}
	free(head);
	size_t bad = 0;
	char why[512], d[160];
	if (kimage_check_set(k, sr, nf, &bad, why, sizeof why)) {
		log_err("serve.error file=%s reason=\"%s\"", files[bad], why);
		return -EINVAL;
	}
	o->plan.kernel_arch = (int)k[0].arch;
	log_info("serve.kernel file=%s format=\"%s\" arch=%s", files[0],
		 kimage_describe(&k[0], d, sizeof d), kimage_arch_name(k[0].arch));
	return 0;
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
	int r = serve_check_images(o, files, nf);
	if (r)
		return r;
	if (!o->plan.http) {
		log_err("serve.error reason=\"kernel mode fetches the kernel over HTTP: "
			"drop --no-http\"");
		return -EINVAL;
	}
	char miss[256];
	int found = serve_check_ipxe(o, miss, sizeof miss);
	/* IPv6 UEFI clients get ipxe.efi (see bootplan.h: ipxe6) */
	char p6[512];
	snprintf(p6, sizeof p6, "%s/ipxe.efi", o->plan.ipxe_dir);
	o->plan.ipxe6 = o->dhcp6 && access(p6, R_OK) == 0 ? "ipxe.efi" : NULL;
	if (o->plan.n_initrd > 1)
		log_warn("serve.warn reason=\"U-Boot clients (pxelinux.cfg/default) get "
			 "only the first initrd: U-Boot's pxe takes one\"");
	if (!found && !o->plan.grub) {
		log_err("serve.error ipxe_dir=%s missing=\"%s\" reason=\"no iPXE image in "
			"--ipxe-dir: install the Debian package ipxe (/usr/lib/ipxe) or put "
			"these files there\"",
			o->plan.ipxe_dir, miss);
		return -ENOENT;
	}
	return 0;
}

/* --api: iPXE images to chain-load and HTTP for the scripts (the URL
 * itself is checked when the client starts: serve_start_api). */
static int serve_check_api(struct serve_opts *o)
{
	char miss[256];
	if (!o->plan.http) {
		log_err("serve.error reason=\"--api boots through iPXE scripts fetched over HTTP: "
			"drop --no-http\"");
		return -EINVAL;
	}
	if (o->plan.kernel || o->plan.rescue) {
		log_err("serve.error reason=\"--api decides what each machine boots: it does not "
			"combine with --kernel or --rescue\"");
		return -EINVAL;
	}
	if (!o->root)
		log_warn("serve.warn reason=\"--api without ROOT: the API's answers must name "
			 "kernels and initrds by http(s):// URL (paths are served from ROOT)\"");
	if (!serve_check_ipxe(o, miss, sizeof miss)) {
		log_err("serve.error ipxe_dir=%s missing=\"%s\" reason=\"--api chain-loads iPXE "
			"and there are no iPXE images: install the Debian package ipxe or pass "
			"--ipxe-dir\"",
			o->plan.ipxe_dir, miss);
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
	char p6[512], miss[256];
	snprintf(p6, sizeof p6, "%s/ipxe.efi", o->plan.ipxe_dir);
	o->plan.ipxe6 = o->dhcp6 && access(p6, R_OK) == 0 ? "ipxe.efi" : NULL;
	if (!serve_check_ipxe(o, miss, sizeof miss) && !o->plan.grub) {
		log_err(
		    "serve.error ipxe_dir=%s missing=\"%s\" reason=\"the boot menu runs in iPXE "
		    "and there are no iPXE images: install the Debian package ipxe or pass "
		    "--ipxe-dir\"",
		    o->plan.ipxe_dir, miss);
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

/* --rescue (or --rescue-file) with --iso, --iso-dir or --entry and
 * nothing else to boot: the rescue is a boot menu entry (--kernel and
 * --cmdline its own), not what every client boots. */
static void serve_check_menu_rescue(struct serve_opts *o, bool have_root)
{
	if (have_root || !o->plan.rescue || o->plan.n_boot || o->plan.n_menu ||
	    !(o->n_isos || o->n_iso_dirs || o->n_entries))
		return;
	o->menu_rescue = true;
	o->menu_rescue_kernel = o->plan.kernel;
	o->menu_rescue_file = o->plan.rescue_file;
	o->menu_rescue_cmdline = o->plan.cmdline;
	o->plan.kernel = o->plan.rescue_file = o->plan.cmdline = NULL;
	o->plan.rescue = false;
}

/* The start-up (and reload) checks of what the options name: 0, or
 * -ENOENT/-EINVAL with the reason logged. May add found --boot entries. */
int serve_check_files(struct serve_opts *o, struct fsroot *root, bool have_root)
{
	serve_check_menu_rescue(o, have_root);
	serve_grub_default(&o->plan); /* an arm64 host boots ARM64 UEFI with its own GRUB */
	if (serve_grub_check(&o->plan, root, have_root))
		return -ENOENT;
	if (serve_rescue_check(o))
		return -ENOENT;
	if (o->plan.kernel) {
		int r = serve_check_kernel(o);
		if (r)
			return r;
	}
	if (o->plan.api_url) {
		int r = serve_check_api(o);
		if (r)
			return r;
	}
	if (have_root && o->plan.n_boot == 0 && !o->plan.api_url)
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
	/* nothing else to boot and no ROOT: the boot menu (netmenu.h,
	 * doc/iso.md); a ROOT keeps its own modes (--grub root mode, found
	 * files, the --no-dhcp file server) */
	o->plan.netmenu = !have_root && !o->plan.kernel && o->plan.n_boot == 0 &&
			  o->plan.n_menu == 0 && !o->plan.api_url;
	if (o->plan.netmenu)
		return serve_check_menu(o);
	if (o->n_isos || o->n_iso_dirs || o->n_entries) {
		log_err("serve.error reason=\"--iso, --iso-dir and --entry make the boot menu, "
			"which is served only without ROOT, --kernel, --boot and --menu\"");
		return -EINVAL;
	}
	bool nothing = !o->plan.kernel && o->plan.n_boot == 0 && o->plan.n_menu == 0 &&
		       !o->plan.grub && !o->plan.api_url;
	if (nothing && have_root && !o->dhcp) {
		/* serve ROOT --no-dhcp: a plain TFTP + HTTP file server */
		if (o->dhcp6)
			log_info("serve.files-only dhcp6=off reason=\"--no-dhcp and nothing to "
				 "boot: TFTP and HTTP serve ROOT, no DHCP at all\"");
		o->dhcp6 = false;
		return 0;
	}
	if (nothing) {
		log_err("serve.error reason=\"nothing to boot: give --kernel FILE, or a ROOT with "
			"--boot ARCH=FILE (or a ROOT holding pxelinux.0, bootx64.efi, ...)\"");
		return -EINVAL;
	}
	return 0;
}

/* ---- as the drop user ---- */

struct serve_as_user {
	const struct serve_opts *o;
	const struct fsroot *root;
	const char *user;
	bool walk; /* also look at everything beneath ROOT (start-up) */
};

/* One boot file beneath ROOT, opened the way a fetch opens it. 0 or 1. */
static int serve_user_reads(const struct serve_as_user *a, const char *f)
{
	char clean[FSROOT_PATH_MAX];
	struct stat st;
	if (!f || !strncmp(f, "http://", 7) || !strncmp(f, "https://", 8) ||
	    !strncmp(f, BOOTPLAN_PREFIX, sizeof BOOTPLAN_PREFIX - 1) ||
	    fsroot_clean_path(f, strlen(f), clean, sizeof clean) < 0)
		return 0;
	int fd = fsroot_open(a->root, clean, &st);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd != -EACCES && fd != -EPERM)
		return 0; /* missing files are serve_check_files' to report */
	log_err("serve.error file=%s/%s user=%s reason=\"user %s cannot read it (%s): every "
		"client would be refused it; make it readable (chmod -R o+rX) or choose --user\"",
		a->o->root, clean, a->user, a->user, strerror(-fd));
	return 1;
}

/* What the walk of ROOT found the user cannot open. */
struct serve_walk {
	unsigned seen, denied;
	char first[3][256];
};

static void serve_walk_denied(struct serve_walk *w, const char *dir, const char *name)
{
	size_t o = 0;
	/* a name too long for the message is cut by buf_appendf's refusal */
	if (w->denied < 3 && buf_appendf(w->first[w->denied], sizeof w->first[0], &o, "%s%s%s", dir,
					 *dir ? "/" : "", name))
		snprintf(w->first[w->denied], sizeof w->first[0], "%.200s...", name);
	w->denied++;
}

/* The type of entry e of d: d_type, or lstat's where the file system
 * leaves it unknown. */
static unsigned char serve_walk_type(DIR *d, const struct dirent *e)
{
	struct stat st;
	if (e->d_type != DT_UNKNOWN)
		return e->d_type;
	if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

/* One directory (fd, its path relative to ROOT) and below, depth-first,
 * SERVE_WALK_MAX entries at most: regular files must be readable,
 * directories readable and searchable. One faccessat per entry: in the
 * checking child real and effective ids are the drop user's, so it is the
 * kernel's own permission check (ACLs too) without opening anything.
 * Symlinks and special files are left to fsroot at fetch time. */
#define SERVE_WALK_MAX 20000
#define SERVE_WALK_DEPTH 16
static void serve_walk_dir(int fd, const char *path, unsigned depth, struct serve_walk *w)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	if (!d) {
		close(fd);
		return;
	}
	while (w->seen < SERVE_WALK_MAX && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		w->seen++;
		unsigned char type = serve_walk_type(d, e);
		if (type != DT_DIR && type != DT_REG)
			continue;
		if (faccessat(dirfd(d), e->d_name, type == DT_DIR ? R_OK | X_OK : R_OK,
			      AT_SYMLINK_NOFOLLOW)) {
			if (errno == EACCES || errno == EPERM)
				serve_walk_denied(w, path, e->d_name);
			continue;
		}
		if (type != DT_DIR || depth + 1 >= SERVE_WALK_DEPTH)
			continue;
		char sub[FSROOT_PATH_MAX];
		size_t o = 0;
		int cfd =
		    openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		if (buf_appendf(sub, sizeof sub, &o, "%s%s%s", path, *path ? "/" : "", e->d_name))
			close(cfd);
		else
			serve_walk_dir(cfd, sub, depth + 1, w);
	}
	closedir(d);
}

/* The walk of ROOT: a warning (not an error: a tree may hold private files
 * on purpose) naming how many the user cannot read and the first ones. */
static void serve_user_walk(const struct serve_as_user *a)
{
	struct serve_walk w = {0};
	int fd = openat(a->root->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	serve_walk_dir(fd, "", 0, &w);
	if (!w.denied)
		return;
	log_warn("serve.warn root=%s user=%s unreadable=%u first=\"%s%s%s%s%s\" reason=\"files or "
		 "directories beneath ROOT user %s cannot read: clients asking for them get an "
		 "error\"",
		 a->o->root, a->user, w.denied, w.first[0], w.denied > 1 ? ", " : "", w.first[1],
		 w.denied > 2 ? ", " : "", w.first[2], a->user);
}

/* Runs as the drop user: ROOT must be searchable, each boot file beneath it
 * readable. Returns how many are not (at most 254). */
static int serve_user_checks(void *arg)
{
	const struct serve_as_user *a = arg;
	const struct bootplan *p = &a->o->plan;
	int bad = 0;
	/* ROOT itself was opened as root: its parents do not matter, but every
	 * name beneath it is looked up through it */
	if (faccessat(a->root->dirfd, ".", X_OK, 0)) {
		log_err("serve.error root=%s user=%s reason=\"user %s cannot enter ROOT (%s): "
			"every fetch would be refused; give it o+rx (chmod o+rx ROOT) or choose "
			"--user\"",
			a->o->root, a->user, a->user, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < p->n_boot; i++)
		bad += serve_user_reads(a, p->boot[i].file);
	for (size_t i = 0; i < p->n_hosts; i++)
		bad += serve_user_reads(a, p->hosts[i].file);
	for (size_t i = 0; i < p->n_menu; i++)
		bad += serve_user_reads(a, p->menu[i].file);
	if (a->walk && !bad)
		serve_user_walk(a);
	if (a->o->config && access(a->o->config, R_OK))
		log_warn("serve.warn config=%s user=%s reason=\"a SIGHUP reload re-reads it as "
			 "user %s and will fail (%s)\"",
			 a->o->config, a->user, a->user, strerror(errno));
	return bad > 254 ? 254 : bad;
}

int serve_check_as_user(const struct serve_opts *o, const struct fsroot *root,
			enum serve_check_when when, const char *label)
{
	char why[160];
	struct serve_as_user a = {.o = o, .root = root, .user = label};
	bool fork_as_user = when == SERVE_CHECK_START && geteuid() == 0;
	if (!o->root || root->dirfd < 0)
		return 0;
	a.walk = when == SERVE_CHECK_START;
	if (!fork_as_user)
		return serve_user_checks(&a) ? -EACCES : 0;
	int r = priv_run_as(o->user, serve_user_checks, &a, why, sizeof why);
	if (r == -ENOENT || r == -EINVAL)
		return 0; /* no such user, or root: priv_drop says so */
	if (r < 0) {
		log_err("serve.error user=%s reason=\"checking what it can read: %s\"", o->user,
			why);
		return r;
	}
	return r ? -EACCES : 0;
}

/* ---- the start-up block ---- */

static void serve_log_served(const struct bootreport_line *l)
{
	if (l->menu_items)
		log_info("serve.boot family=\"%s\" via=menu items=%zu", l->family, l->menu_items);
	else if (!l->file[0])
		log_info("serve.boot family=\"%s\" file=- via=%s note=\"%s\"", l->family, l->rule,
			 l->why);
	else
		log_info("serve.boot family=\"%s\" file=\"%s\" via=%s", l->family, l->file,
			 l->rule);
}

/* Asked for and not served: a warning with the reason, the missing file
 * and the package that has it. */
static void serve_log_unserved(const struct bootreport_line *l)
{
	if (!l->missing[0])
		log_warn("serve.boot family=\"%s\" result=none reason=\"%s\"", l->family, l->why);
	else if (l->package)
		log_warn("serve.boot family=\"%s\" result=none reason=\"%s\" missing=%s "
			 "package=%s",
			 l->family, l->why, l->missing, l->package);
	else
		log_warn("serve.boot family=\"%s\" result=none reason=\"%s\" missing=%s "
			 "note=\"no Debian package ships it: build it from iPXE's sources "
			 "(bin-arm64-efi/snponly.efi) or give --boot ARCH=FILE\"",
			 l->family, l->why, l->missing);
}

void serve_log_boot(const struct serve_opts *o, const char *host)
{
	struct bootreport_line l[BOOTREPORT_N];
	char others[256] = "";
	size_t on = 0;
	if (!o->dhcp && !o->dhcp6) {
		log_info("serve.boot result=no-offers reason=\"DHCP is off: lifeboat offers no "
			 "client a boot file; TFTP and HTTP serve what they are asked\"");
		return;
	}
	if (o->plan.api_url) {
		log_info("serve.boot result=per-machine source=api url=%s ttl_s=%u timeout_ms=%u "
			 "note=\"each machine boots what the API answers for its MAC; a 404 or a "
			 "slow API: no offer\"",
			 o->plan.api_url, o->plan.api_ttl, o->plan.api_timeout_ms);
		return;
	}
	bootreport_build(&o->plan, (enum kimage_arch)o->plan.kernel_arch, host, l);
	for (size_t f = 0; f < BOOTREPORT_N; f++) {
		if (l[f].served) {
			serve_log_served(&l[f]);
		} else if (l[f].asked) {
			serve_log_unserved(&l[f]);
		} else {
			buf_appendf(others, sizeof others, &on, "%s%s", on ? ", " : "",
				    l[f].family);
			log_debug("serve.boot family=\"%s\" result=none reason=\"%s\"%s%s",
				  l[f].family, l[f].why, l[f].missing[0] ? " missing=" : "",
				  l[f].missing);
		}
	}
	if (on)
		log_info(
		    "serve.boot families=\"%s\" result=none reason=\"not asked for: no --boot, "
		    "--host, --menu, --grub or --kernel for them\"",
		    others);
}
