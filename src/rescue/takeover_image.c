/* takeover_image: stage 0 for --image and --then kexec. */
#include "rescue/takeover_image.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <limits.h>

#include "core/log.h"
#include "core/sys.h"
#include "rescue/image.h"
#include "rescue/kexec.h"

__attribute__((format(printf, 2, 3))) static void refuse(struct timg_opts *o, const char *fmt, ...)
{
	va_list ap;
	if (o->nref >= TIMG_MAX_REFUSALS)
		return;
	va_start(ap, fmt);
	vsnprintf(o->refusal[o->nref], sizeof o->refusal[0], fmt, ap);
	va_end(ap);
	o->refusals[o->nref] = o->refusal[o->nref];
	o->nref++;
}

static void image_checks(struct timg_opts *o, struct rescue_state *st)
{
	struct stat sb;
	uint8_t d[32];
	if (!st->image[0]) {
		if (st->image_target[0] || st->image_sha256[0])
			refuse(o, "--target and --sha256 go with --image");
		return;
	}
	if (st->switch_to[0])
		refuse(o, "--image and --switch-to exclude each other (--then switch switches to "
			  "the written --target)");
	if (strncmp(st->image, "http://", 7) && (st->image[0] != '/' || stat(st->image, &sb)))
		refuse(o, "--image %s: not an http:// URL or an existing absolute path", st->image);
	if (!st->image_target[0])
		refuse(o, "--image needs --target DEV (the disk to write)");
	else if (st->image_target[0] != '/' || stat(st->image_target, &sb) ||
		 !(S_ISBLK(sb.st_mode) || S_ISREG(sb.st_mode)))
		refuse(o, "--target %s: not a block device (or image file)", st->image_target);
	if (st->image_sha256[0] && image_parse_sha256(st->image_sha256, d))
		refuse(o, "--sha256: 64 hex digits expected");
	if (st->image[0] == '/') { /* it lives on the old root: into RAM with us */
		snprintf(o->image_src, sizeof o->image_src, "%s", st->image);
		snprintf(st->image, sizeof st->image, "%s", TIMG_IMAGE);
	}
}

static void read_cmdline(char *out, size_t cap)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, out, cap - 1) : -1;
	if (fd >= 0)
		close(fd);
	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
}

static void kexec_checks(struct timg_opts *o, struct rescue_state *st)
{
	const char *warn, *why;
	struct utsname u;
	if (st->then != THEN_KEXEC) {
		if (o->kernel || o->initrd || o->cmdline)
			refuse(o, "--kernel, --initrd and --cmdline go with --then kexec");
		return;
	}
	if ((why = kexec_preflight(&warn)))
		refuse(o, "--then kexec: %s", why);
	else if (warn)
		fprintf(stderr, "takeover: note: %s\n", warn);
	if (o->cmdline)
		snprintf(st->kexec_cmdline, sizeof st->kexec_cmdline, "%s", o->cmdline);
	else
		read_cmdline(st->kexec_cmdline, sizeof st->kexec_cmdline);
	if (st->image[0]) {
		/* The freshly written system's kernel: paths inside it. */
		snprintf(st->kexec_kernel, sizeof st->kexec_kernel, "%s",
			 o->kernel ? o->kernel : "/vmlinuz");
		snprintf(st->kexec_initrd, sizeof st->kexec_initrd, "%s",
			 o->initrd ? o->initrd : "/initrd.img");
		return;
	}
	uname(&u);
	if (o->kernel)
		snprintf(o->kernel_src, sizeof o->kernel_src, "%s", o->kernel);
	else
		snprintf(o->kernel_src, sizeof o->kernel_src, "/boot/vmlinuz-%s", u.release);
	if (o->initrd)
		snprintf(o->initrd_src, sizeof o->initrd_src, "%s", o->initrd);
	else if (!o->kernel)
		snprintf(o->initrd_src, sizeof o->initrd_src, "/boot/initrd.img-%s", u.release);
	if (access(o->kernel_src, R_OK))
		refuse(o, "--then kexec: kernel %s: %s", o->kernel_src, strerror(errno));
	if (o->initrd_src[0] && access(o->initrd_src, R_OK)) {
		if (o->initrd)
			refuse(o, "--then kexec: initrd %s: %s", o->initrd_src, strerror(errno));
		o->initrd_src[0] = 0;
	}
	snprintf(st->kexec_kernel, sizeof st->kexec_kernel, "%s", TIMG_KERNEL);
	snprintf(st->kexec_initrd, sizeof st->kexec_initrd, "%s",
		 o->initrd_src[0] ? TIMG_INITRD : "");
}

void timg_args(struct timg_opts *o, struct rescue_state *st)
{
	o->nref = 0;
	o->kernel_src[0] = o->initrd_src[0] = o->image_src[0] = 0;
	image_checks(o, st);
	kexec_checks(o, st);
}

int timg_carry(const struct timg_opts *o, const struct rescue_state *st, struct carry *c, char *err,
	       size_t cap)
{
	char missing[256];
	int rc;
	if (st->image[0]) {
		/* busybox has gzip and xz; zstd comes from this system if it has it. */
		static const char *const zs[] = {"/usr/bin/zstd", "/bin/zstd", NULL};
		for (const char *const *z = zs; *z; z++)
			if (!access(*z, X_OK) &&
			    !carry_exe(c, *z, "/usr/bin/zstd", missing, sizeof missing))
				break;
	}
	if (o->image_src[0] && (rc = carry_file(c, o->image_src, TIMG_IMAGE))) {
		snprintf(err, cap, "cannot carry --image %s into RAM: %s", o->image_src,
			 strerror(-rc));
		return rc;
	}
	if (o->kernel_src[0] && (rc = carry_file(c, o->kernel_src, TIMG_KERNEL))) {
		snprintf(err, cap, "cannot carry kernel %s: %s", o->kernel_src, strerror(-rc));
		return rc;
	}
	if (o->initrd_src[0] && (rc = carry_file(c, o->initrd_src, TIMG_INITRD))) {
		snprintf(err, cap, "cannot carry initrd %s: %s", o->initrd_src, strerror(-rc));
		return rc;
	}
	return 0;
}

/* Whether path exists inside root, symlinks resolved there. */
static bool in_root(const char *root, const char *path)
{
	int d = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return false;
	int fd = sys_openat2(d, path + 1, O_PATH | O_CLOEXEC, 0, SYS_RESOLVE_IN_ROOT);
	close(d);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

int timg_carry_kernel_files(const char *newroot, const char *busybox,
			    int (*run)(char *const argv[], int timeout_s))
{
	struct utsname u;
	struct stat sb;
	char mods[300], lib[PATH_MAX], dst[PATH_MAX + 320], parent[PATH_MAX + 320];
	int n = 0;
	uname(&u);
	snprintf(mods, sizeof mods, "/lib/modules/%s", u.release);
	/* A merged-/usr root has /lib -> usr/lib: write beneath usr/lib then. */
	snprintf(lib, sizeof lib, "%s/lib", newroot);
	bool merged = !lstat(lib, &sb) && S_ISLNK(sb.st_mode);
	const char *const trees[] = {mods, "/lib/firmware"};
	for (size_t i = 0; i < 2; i++) {
		const char *t = trees[i];
		if (in_root(newroot, t) || stat(t, &sb) || !S_ISDIR(sb.st_mode))
			continue;
		snprintf(dst, sizeof dst, "%s%s%s", newroot, merged ? "/usr" : "", t);
		snprintf(parent, sizeof parent, "%s", dst);
		*strrchr(parent, '/') = 0;
		char *mk[] = {(char *)busybox, "mkdir", "-p", parent, NULL};
		char *cp[] = {(char *)busybox, "cp", "-a", (char *)t, parent, NULL};
		int st = run(mk, 60);
		if (!st)
			st = run(cp, 1800);
		if (st) {
			log_err("takeover.newroot.kernel_files.failed tree=%s into=%s status=%d", t,
				parent, st);
			return -EIO;
		}
		log_info("takeover.newroot.kernel_files tree=%s into=%s", t, dst);
		n++;
	}
	return n;
}

/* Whether the /proc/filesystems text lists fs (a whole name, nodev or not). */
static bool fs_listed(const char *filesystems, const char *fs)
{
	size_t n = strlen(fs);
	for (const char *l = filesystems; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		const char *t = memchr(l, '\t', len);
		t = t ? t + 1 : l;
		if ((size_t)(l + len - t) == n && !memcmp(t, fs, n))
			return true;
	}
	return false;
}

size_t timg_fs_modules(const char *filesystems, const char *out[], size_t cap)
{
	static const struct {
		const char *fs;
		const char *mods[5];
	} tab[] = {
	    {"ext4", {"ext4"}},
	    /* FAT's code page and I/O charset are loaded by name at mount time. */
	    {"vfat", {"vfat", "nls_cp437", "nls_iso8859_1", "nls_utf8", "nls_ascii"}},
	    {"xfs", {"xfs"}},
	    {"btrfs", {"btrfs"}},
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (fs_listed(filesystems ? filesystems : "", tab[i].fs))
			continue;
		for (size_t m = 0; m < 5 && tab[i].mods[m] && n < cap; m++)
			out[n++] = tab[i].mods[m];
	}
	return n;
}

int timg_preload_fs(const struct rescue_state *st, int (*run)(char *const argv[], int timeout_s))
{
	static const char *const mp[] = {"/sbin/modprobe", "/usr/sbin/modprobe", "/bin/modprobe",
					 "/usr/bin/modprobe"};
	char fs[4096];
	const char *mods[TIMG_FS_MODULES_MAX];
	char *argv[TIMG_FS_MODULES_MAX + 4];
	if (!st->image[0] || (st->then != THEN_KEXEC && st->then != THEN_SWITCH))
		return 0;
	int fd = open("/proc/filesystems", O_RDONLY | O_CLOEXEC);
	ssize_t r = fd >= 0 ? read(fd, fs, sizeof fs - 1) : -1;
	if (fd >= 0)
		close(fd);
	fs[r > 0 ? r : 0] = 0;
	size_t n = timg_fs_modules(fs, mods, TIMG_FS_MODULES_MAX);
	if (!n)
		return 0;
	size_t a = 0;
	for (size_t i = 0; i < sizeof mp / sizeof mp[0] && !a; i++)
		if (!access(mp[i], X_OK))
			argv[a++] = (char *)mp[i];
	if (!a) {
		log_warn(
		    "takeover.image.fs_modules error=\"no modprobe: the written root must use a "
		    "filesystem the kernel already has\"");
		return -ENOENT;
	}
	argv[a++] = "-q";
	argv[a++] = "-a";
	for (size_t i = 0; i < n; i++)
		argv[a++] = (char *)mods[i];
	argv[a] = NULL;
	int st_ = run(argv, 60);
	log_info("takeover.image.fs_modules asked=%zu first=%s status=%d", n, mods[0], st_);
	return (int)n;
}
