/* mkrescue: the `lifeboat mkrescue` command: options, the image tree
 * (init, busybox, tools, keys, informative files), the cpio and its
 * compression, the report. Modules and firmware are mkrescue_mods.c. */
#include "rescue/mkrescue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/opts.h"
#include "core/sys.h"
#include "rescue/cpio.h"
#include "rescue/elf.h"
#include "rescue/mkrescue_mods.h"
#include "rescue/mkrescue_tree.h"
#include "roles.h"

#define M(m) OPTS_AT(struct mkrescue, m)
#define G_WHAT "What goes in"
#define G_OUT "Output"
#define G_GEN "General"

static const struct opts_row mkrescue_rows[] = {
    {"output", 'o', OPTS_STRING, "FILE", M(output), .def = "lifeboat-rescue.img",
     .help = "write the image here ('-': standard output)", .group = G_OUT},
    {"compress", 0, OPTS_STRING, "HOW", M(compress), .def = "auto",
     .help = "auto|zstd|xz|gzip|none (auto: the best the kernel accepts and this host has)",
     .group = G_OUT},
    {"kernel", 0, OPTS_STRING, "FILE", M(kernel),
     .help = "the kernel the rescue boots (its release picks the modules; default: the "
	     "running one, or the newest in --from's /boot)",
     .group = G_WHAT},
    {"from", 0, OPTS_STRING, "DIR", M(from),
     .help = "build from another system's root (a mounted disk, a debootstrap tree): its "
	     "kernel, modules, tools and busybox",
     .group = G_WHAT},
    {"carry", 0, OPTS_LIST, "PATH", OPTS_LIST_AT(struct mkrescue, carry, n_carry),
     .help = "also carry this executable (a name in the root's /usr/sbin, /usr/bin, /sbin, "
	     "/bin, or an absolute path) with its libraries (repeatable)",
     .group = G_WHAT},
    {"ssh-key", 0, OPTS_LIST, "FILE", OPTS_LIST_AT(struct mkrescue, ssh_keys, n_keys),
     .help = "authorized_keys or *.pub file for root's SSH login (repeatable; default: "
	     "root's and the invoking user's authorized_keys and id_*.pub)",
     .group = G_WHAT},
    {"modules", 0, OPTS_STRING, "WHICH", M(modules), .def = "auto",
     .help = "auto|all|none|NAME,NAME... (auto: those loaded here plus the network, storage, "
	     "RAID/LVM, crypto and filesystem families)",
     .group = G_WHAT},
    {"firmware", 0, OPTS_STRING, "WHICH", M(firmware), .def = "auto",
     .help = "auto|none: the firmware files the modules name", .group = G_WHAT},
    {"busybox", 0, OPTS_STRING, "FILE", M(busybox),
     .help = "static busybox to use (default: busybox of the root, Debian package "
	     "busybox-static)",
     .group = G_WHAT},
    {"init", 0, OPTS_STRING, "FILE", M(init),
     .help = "the static lifeboat binary to put at /init (default: this one)", .group = G_WHAT},
    {"help", 'h', OPTS_FLAG, M(help), .value = 1, .flags = OPTS_STOP, .help = "this text",
     .group = G_GEN},
};

#undef M

static void mkrescue_epilog(FILE *f)
{
	fprintf(f,
		"\nexamples:\n"
		"  lifeboat mkrescue -o rescue.img\n"
		"  lifeboat mkrescue --from /mnt/debian --ssh-key ~/.ssh/id_ed25519.pub\n"
		"  lifeboat serve --rescue-file rescue.img --kernel /boot/vmlinuz-$(uname -r)\n");
}

static const struct opts_cmd mkrescue_cmd = {
    .name = "mkrescue",
    .about = "usage: lifeboat mkrescue [OPTIONS]\n"
	     "Build a rescue initramfs (lifeboat as /init, busybox, tools, modules, SSH keys)\n"
	     "that 'lifeboat serve --rescue' netboots.\n",
    .epilog = mkrescue_epilog,
    .rows = mkrescue_rows,
    .n_rows = sizeof mkrescue_rows / sizeof mkrescue_rows[0],
    .size = sizeof(struct mkrescue),
    .getopt_errors = true,
};

const struct opts_cmd *mkrescue_options(void)
{
	return &mkrescue_cmd;
}

/* ---- the kernel ---- */

static int vmlinuz_filter(const struct dirent *d)
{
	return !strncmp(d->d_name, "vmlinuz-", 8);
}

static int vers_sort(const struct dirent **a, const struct dirent **b)
{
	return strverscmp((*a)->d_name, (*b)->d_name);
}

/* Picks the kernel and its release: --kernel, the newest of --from's /boot,
 * or the running one (/boot/vmlinuz-RELEASE, /vmlinuz). */
static int mkrescue_kernel(struct mkrescue *m)
{
	if (m->kernel) {
		const char *b = strrchr(m->kernel, '/');
		b = b ? b + 1 : m->kernel;
		snprintf(m->kernel_path, sizeof m->kernel_path, "%s", m->kernel);
		if (access(m->kernel, R_OK)) {
			fprintf(stderr, "mkrescue: --kernel %s: %s\n", m->kernel, strerror(errno));
			return -ENOENT;
		}
		if (!strncmp(b, "vmlinuz-", 8)) {
			snprintf(m->kver, sizeof m->kver, "%s", b + 8);
			return 0;
		}
	}
	if (m->root[0] && !m->kver[0]) {
		struct dirent **names;
		char dir[1100];
		snprintf(dir, sizeof dir, "%s/boot", m->root);
		int n = scandir(dir, &names, vmlinuz_filter, vers_sort);
		if (n > 0) {
			snprintf(m->kver, sizeof m->kver, "%s", names[n - 1]->d_name + 8);
			if (!m->kernel_path[0])
				snprintf(m->kernel_path, sizeof m->kernel_path, "%s/%s", dir,
					 names[n - 1]->d_name);
		}
		for (int i = 0; i < n; i++)
			free(names[i]);
		if (n > 0)
			free(names);
		if (!m->kver[0]) {
			fprintf(stderr, "mkrescue: no %s/vmlinuz-*: pass --kernel\n", dir);
			return -ENOENT;
		}
		return 0;
	}
	struct utsname u;
	if (uname(&u))
		return -errno;
	snprintf(m->kver, sizeof m->kver, "%s", u.release);
	if (m->kernel_path[0])
		return 0;
	snprintf(m->kernel_path, sizeof m->kernel_path, "/boot/vmlinuz-%s", u.release);
	if (access(m->kernel_path, R_OK))
		snprintf(m->kernel_path, sizeof m->kernel_path, "%s",
			 access("/vmlinuz", R_OK) ? "" : "/vmlinuz");
	return 0;
}

/* ---- the tree ---- */

/* Directories and the small files every image has. */
static int mkrescue_skeleton(const struct mkrescue *m)
{
	static const struct {
		const char *path;
		unsigned mode;
	} dirs[] = {
	    {"/bin", 0755}, {"/dev", 0755},	{"/etc/lifeboat", 0755}, {"/etc/dropbear", 0755},
	    {"/lib", 0755}, {"/mnt", 0755},	{"/proc", 0555},	 {"/root", 0700},
	    {"/run", 0755}, {"/sbin", 0755},	{"/sys", 0555},		 {"/tmp", 01777},
	    {"/usr", 0755}, {"/var/log", 0755},
	};
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
	static const char group[] = "root:x:0:\n";
	static const char shells[] = "/bin/sh\n";
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof dirs / sizeof dirs[0]; i++)
		rc = mkrescue_dir(m, dirs[i].path, dirs[i].mode);
	if (!rc)
		rc = mkrescue_write(m, "/etc/passwd", passwd, sizeof passwd - 1, 0644);
	if (!rc)
		rc = mkrescue_write(m, "/etc/group", group, sizeof group - 1, 0644);
	if (!rc)
		rc = mkrescue_write(m, "/etc/shells", shells, sizeof shells - 1, 0644);
	return rc;
}

/* /init: this (static) lifeboat, or --init. */
static int mkrescue_init_binary(struct mkrescue *m)
{
	const char *src = m->init ? m->init : "/proc/self/exe";
	char *data;
	size_t len;
	int rc = mkrescue_slurp(src, 64u << 20, &data, &len);
	struct elf_deps *d = rc ? NULL : malloc(sizeof *d);
	if (!rc && !d)
		rc = -ENOMEM;
	if (!rc && (elf_read_deps(data, len, d) || d->interp[0])) {
		fprintf(stderr,
			"mkrescue: %s is not a static executable: /init must be; build lifeboat "
			"with 'make' (musl, static) or pass --init FILE\n",
			m->init ? m->init : "this lifeboat");
		rc = -ENOEXEC;
	}
	if (!rc)
		rc = mkrescue_write(m, "/init", data, len, 0755);
	if (!rc)
		rc = mkrescue_symlink(m, "/init", "/bin/lifeboat");
	/* the kernel runs /sbin/modprobe for request_module() (crypto
	 * algorithms, soft dependencies such as libcrc32c's crc32c) */
	if (!rc)
		rc = mkrescue_symlink(m, "/bin/busybox", "/sbin/modprobe");
	if (rc && rc != -ENOEXEC)
		fprintf(stderr, "mkrescue: /init from %s: %s\n", src, strerror(-rc));
	else if (!rc)
		fprintf(m->out, "mkrescue: /init      lifeboat %s (static, %zu KiB)\n",
			LIFEBOAT_VERSION, len >> 10);
	free(d);
	free(data);
	return rc;
}

/* name found as an executable inside the root: its path there (/usr/sbin
 * first: on a merged-/usr system /sbin/x is the same file). */
static int mkrescue_find_tool(const struct mkrescue *m, const char *name, char *out, size_t cap)
{
	static const char *const dirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};
	struct stat st;
	if (name[0] == '/') {
		snprintf(out, cap, "%s", name);
		int fd = carry_open_source(m->c, name);
		bool ok = fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode);
		if (fd >= 0)
			close(fd);
		return ok ? 0 : -ENOENT;
	}
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if ((size_t)snprintf(out, cap, "%s/%s", dirs[i], name) >= cap)
			return -ENAMETOOLONG;
		int fd = carry_open_source(m->c, out);
		bool ok = fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111);
		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
	}
	return -ENOENT;
}

/* Appends "a" or "a (b)" to a comma-separated list. */
static void mkrescue_note(char *list, size_t cap, const char *a, const char *b)
{
	size_t o = strlen(list);
	if (o && o + 2 < cap)
		o += (size_t)snprintf(list + o, cap - o, ", ");
	if (o < cap)
		snprintf(list + o, cap - o, "%s%s%s%s", a, b ? " (" : "", b ? b : "", b ? ")" : "");
}

/* Whether name is a carried tool (busybox must not shadow it). */
static bool mkrescue_is_carried(const struct mkrescue *m, const char *name)
{
	for (size_t i = 0; i < m->n_carried_names; i++)
		if (!strcmp(m->carried_names[i], name))
			return true;
	return false;
}

/* A /bin/APPLET link for each applet `busybox --list` names, unless a
 * carried tool or another file has that name. Returns how many. */
static int mkrescue_applets(struct mkrescue *m)
{
	char bb[300], tmpl[] = "/tmp/lifeboat-bb.XXXXXX";
	snprintf(bb, sizeof bb, "%s/bin/busybox", m->stage);
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -errno;
	unlink(tmpl);
	const char *argv[] = {bb, "--list", NULL};
	int rc = mkrescue_run(argv, -1, fd), n = 0;
	char *list = NULL;
	struct stat st;
	if (!rc && (fstat(fd, &st) || st.st_size <= 0 || st.st_size > (1 << 20)))
		rc = -EIO;
	if (!rc && !(list = calloc(1, (size_t)st.st_size + 1)))
		rc = -ENOMEM;
	if (!rc && pread(fd, list, (size_t)st.st_size, 0) != st.st_size)
		rc = -EIO;
	close(fd);
	for (char *s = list, *e; !rc && s && *s; s = e + (*e != 0)) {
		e = s + strcspn(s, "\n");
		char name[64], dst[96];
		size_t l = (size_t)(e - s);
		if (!l || l >= sizeof name || memchr(s, '/', l))
			continue;
		memcpy(name, s, l);
		name[l] = 0;
		snprintf(dst, sizeof dst, "/bin/%s", name);
		if (mkrescue_is_carried(m, name) || mkrescue_exists(m, dst))
			continue;
		rc = mkrescue_symlink(m, "busybox", dst);
		n++;
	}
	free(list);
	if (rc)
		fprintf(stderr, "mkrescue: %s --list: %s\n", bb, strerror(-rc));
	return rc ? rc : n;
}

/* busybox at /bin/busybox: --busybox (a file on this host, static) or the
 * root's own, carried with its libraries if it has any. */
static int mkrescue_busybox(struct mkrescue *m)
{
	char src[PATH_MAX], miss[256] = "";
	int rc;
	if (m->busybox) {
		snprintf(src, sizeof src, "%s", m->busybox);
		rc = mkrescue_copy(m, src, "/bin/busybox", 0755);
	} else if (mkrescue_find_tool(m, "busybox", src, sizeof src)) {
		fprintf(stderr,
			"mkrescue: no busybox in %s: install the Debian package "
			"busybox-static, or pass --busybox FILE\n",
			m->root[0] ? m->root : "/");
		return -ENOENT;
	} else {
		rc = carry_exe(m->c, src, "/bin/busybox", miss, sizeof miss);
	}
	if (rc) {
		fprintf(stderr, "mkrescue: busybox %s: %s%s%s\n", src, strerror(-rc),
			miss[0] ? ": no library " : "", miss);
		return rc;
	}
	int n = mkrescue_applets(m);
	if (n < 0)
		return n;
	fprintf(m->out, "mkrescue: busybox    %s%s, %d applets linked in /bin\n", m->root, src, n);
	return 0;
}

/* ---- tools ---- */

/* The default carry set: tool, Debian package, flags. */
#define TOOL_GLOB 0x1	 /* name is a prefix: every NAME* in the sbin/bin dirs */
#define TOOL_NO_SSHD 0x2 /* only when dropbear was not found */
static const struct mkrescue_tool {
	const char *name, *pkg;
	unsigned flags;
} mkrescue_tool_tab[] = {
    {"e2fsck", "e2fsprogs", 0},
    {"fsck", "util-linux", 0},
    {"fsck.", "e2fsprogs, dosfstools, xfsprogs", TOOL_GLOB},
    {"mke2fs", "e2fsprogs", 0},
    {"resize2fs", "e2fsprogs", 0},
    {"lsblk", "util-linux", 0},
    {"blkid", "util-linux", 0},
    {"sfdisk", "fdisk", 0},
    {"parted", "parted", 0},
    {"mdadm", "mdadm", 0},
    {"lvm", "lvm2", 0},
    {"cryptsetup", "cryptsetup-bin", 0},
    {"rsync", "rsync", 0},
    {"dropbear", "dropbear-bin", 0},
    {"dropbearkey", "dropbear-bin", 0},
    {"sshd", "openssh-server", TOOL_NO_SSHD},
    {"ssh-keygen", "openssh-client", TOOL_NO_SSHD},
};

/* Carries one tool found at src (inside the root); a file already carried
 * under another name (fsck.ext4 = e2fsck) becomes a symlink to it. */
static int mkrescue_carry_one(struct mkrescue *m, const char *name, const char *src)
{
	char miss[256] = "";
	if (mkrescue_is_carried(m, name))
		return 0;
	int rc = carry_exe(m->c, src, NULL, miss, sizeof miss);
	if (rc == -ENOENT && miss[0]) {
		fprintf(m->out, "mkrescue: warning: %s needs %s, not found: left out\n", src, miss);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "mkrescue: %s: %s\n", src, strerror(-rc));
		return rc;
	}
	if (m->n_carried_names < sizeof m->carried_names / sizeof m->carried_names[0])
		snprintf(m->carried_names[m->n_carried_names++], sizeof m->carried_names[0], "%s",
			 name);
	mkrescue_note(m->carried, sizeof m->carried, name, NULL);
	return 0;
}

/* Every NAME* in the tool directories of the root, sorted, carried. */
static int mkrescue_carry_glob(struct mkrescue *m, const char *prefix)
{
	static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
	int rc = 0, found = 0;
	for (size_t i = 0; !rc && i < sizeof dirs / sizeof dirs[0]; i++) {
		char d[PATH_MAX];
		struct dirent **names;
		snprintf(d, sizeof d, "%s%s", m->root, dirs[i]);
		int n = scandir(d, &names, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			char src[PATH_MAX];
			const char *nm = names[k]->d_name;
			if (!rc && !strncmp(nm, prefix, strlen(prefix)) &&
			    !mkrescue_find_tool(m, nm, src, sizeof src)) {
				rc = mkrescue_carry_one(m, nm, src);
				found++;
			}
			free(names[k]);
		}
		if (n >= 0)
			free(names);
	}
	return rc ? rc : found;
}

static int mkrescue_tools(struct mkrescue *m)
{
	char src[PATH_MAX];
	int rc = 0;
	bool have_dropbear = !mkrescue_find_tool(m, "dropbear", src, sizeof src);
	for (size_t i = 0; !rc && i < sizeof mkrescue_tool_tab / sizeof mkrescue_tool_tab[0]; i++) {
		const struct mkrescue_tool *t = &mkrescue_tool_tab[i];
		if ((t->flags & TOOL_NO_SSHD) && have_dropbear)
			continue;
		if (t->flags & TOOL_GLOB) {
			int n = mkrescue_carry_glob(m, t->name);
			rc = n < 0 ? n : 0;
			if (!n)
				mkrescue_note(m->missing, sizeof m->missing, "fsck.*", t->pkg);
			continue;
		}
		if (mkrescue_find_tool(m, t->name, src, sizeof src))
			mkrescue_note(m->missing, sizeof m->missing, t->name, t->pkg);
		else
			rc = mkrescue_carry_one(m, t->name, src);
	}
	for (size_t i = 0; !rc && i < m->n_carry; i++) {
		const char *b = strrchr(m->carry[i], '/');
		if (mkrescue_find_tool(m, m->carry[i], src, sizeof src)) {
			fprintf(stderr, "mkrescue: --carry %s: not found in %s\n", m->carry[i],
				m->root[0] ? m->root : "/");
			return -ENOENT;
		}
		rc = mkrescue_carry_one(m, b ? b + 1 : m->carry[i], src);
	}
	return rc;
}

/* ---- SSH keys ---- */

/* Whether keys (lines ending in '\n') has the line s (l bytes). */
static bool mkrescue_has_line(const char *keys, size_t len, const char *s, size_t l)
{
	for (size_t o = 0; o < len;) {
		const char *nl = memchr(keys + o, '\n', len - o);
		size_t k = nl ? (size_t)(nl - (keys + o)) : len - o;
		if (k == l && !memcmp(keys + o, s, l))
			return true;
		o += k + 1;
	}
	return false;
}

/* Appends the key lines of one file to keys (each line once). A file
 * holding a private key is refused. Returns the lines added or -errno. */
static int mkrescue_key_file(const char *path, char *keys, size_t cap, size_t *len)
{
	char *data;
	size_t n;
	int rc = mkrescue_slurp(path, 1u << 20, &data, &n), added = 0;
	if (rc)
		return rc;
	if (strstr(data, "PRIVATE KEY")) {
		free(data);
		return -EPERM;
	}
	for (char *s = data, *e; *s; s = e + (*e != 0)) {
		e = s + strcspn(s, "\r\n");
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		size_t l = (size_t)(e - s);
		if (!l || *s == '#' || l + 2 > cap - *len)
			continue;
		char line[8192];
		if (l >= sizeof line)
			continue;
		memcpy(line, s, l);
		line[l] = '\n';
		line[l + 1] = 0;
		if (mkrescue_has_line(keys, *len, line, l))
			continue;
		memcpy(keys + *len, line, l + 2);
		*len += l + 1;
		added++;
	}
	free(data);
	return added;
}

/* The default key files: root's and the invoking user's (sudo) or this
 * user's authorized_keys and id_*.pub, in that order. */
static size_t mkrescue_default_keys(char paths[][PATH_MAX], size_t max)
{
	const char *homes[3] = {"/root", NULL, NULL};
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw = sudo ? getpwnam(sudo) : NULL;
	size_t n = 0;
	if (pw && pw->pw_uid)
		homes[1] = pw->pw_dir;
	const char *home = getenv("HOME");
	if (geteuid() && home && strcmp(home, "/root"))
		homes[2] = home;
	for (size_t h = 0; h < 3; h++) {
		char d[1024];
		struct dirent **names;
		if (!homes[h] || (size_t)snprintf(d, sizeof d, "%s/.ssh", homes[h]) >= sizeof d)
			continue;
		int k = scandir(d, &names, NULL, alphasort);
		for (int i = 0; i < k; i++) {
			const char *nm = names[i]->d_name;
			size_t l = strlen(nm);
			bool want =
			    !strcmp(nm, "authorized_keys") ||
			    (!strncmp(nm, "id_", 3) && l > 4 && !strcmp(nm + l - 4, ".pub"));
			if (want && n < max)
				snprintf(paths[n++], PATH_MAX, "%s/%s", d, nm);
			free(names[i]);
		}
		if (k >= 0)
			free(names);
	}
	return n;
}

/* /root/.ssh/authorized_keys from --ssh-key files (or the defaults). */
static int mkrescue_keys(struct mkrescue *m)
{
	char(*defaults)[PATH_MAX] = calloc(16, PATH_MAX);
	const char *files[MKRESCUE_MAX_KEYS + 16];
	size_t nf = 0, len = 0;
	char *keys = calloc(1, 1u << 20);
	int total = 0, rc = 0;
	if (!keys || !defaults) {
		free(keys);
		free(defaults);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->n_keys; i++)
		files[nf++] = m->ssh_keys[i];
	if (!m->n_keys) {
		size_t k = mkrescue_default_keys(defaults, 16);
		for (size_t i = 0; i < k; i++)
			files[nf++] = defaults[i];
	}
	for (size_t i = 0; i < nf && !rc; i++) {
		int n = mkrescue_key_file(files[i], keys, 1u << 20, &len);
		if (n == -EPERM) {
			fprintf(stderr, "mkrescue: %s holds a private key: give the .pub file\n",
				files[i]);
			rc = n;
		} else if (n < 0 && m->n_keys) {
			fprintf(stderr, "mkrescue: --ssh-key %s: %s\n", files[i], strerror(-n));
			rc = n;
		} else if (n > 0) {
			total += n;
		}
	}
	if (!rc && !(rc = mkrescue_dir(m, "/root/.ssh", 0700)))
		rc = mkrescue_write(m, "/root/.ssh/authorized_keys", keys, len, 0600);
	free(keys);
	free(defaults);
	if (!rc && !total)
		fprintf(m->out, "mkrescue: warning: no SSH key found: nobody can log in over SSH "
				"(pass --ssh-key FILE.pub)\n");
	else if (!rc)
		fprintf(m->out, "mkrescue: ssh keys   %d for root, from %zu file(s)\n", total, nf);
	return rc;
}

/* /etc/lifeboat/rescue: what the image is (informative; no time stamp, so
 * the same inputs give the same bytes). */
static int mkrescue_info(const struct mkrescue *m)
{
	char t[1024];
	int n = snprintf(t, sizeof t, "version=%s\nbuilt-from=%s\nkernel=%s\n", LIFEBOAT_VERSION,
			 m->root[0] ? m->root : "host", m->kver);
	if (n < 0 || (size_t)n >= sizeof t)
		return -ENAMETOOLONG;
	return mkrescue_write(m, "/etc/lifeboat/rescue", t, (size_t)n, 0644);
}

/* ---- the archive ---- */

/* The compressor: --compress, or (auto) the first of zstd, xz, gzip that
 * the kernel's config accepts and this host has. Fills argv; "none" gives
 * argv[0] NULL. */
struct mkrescue_comp {
	const char *name;
	char path[PATH_MAX];
	const char *argv[8];
};

static bool mkrescue_kernel_accepts(const struct mkrescue *m, const char *name)
{
	static const struct {
		const char *name, *config;
	} rd[] = {
	    {"zstd", "CONFIG_RD_ZSTD=y"}, {"xz", "CONFIG_RD_XZ=y"}, {"gzip", "CONFIG_RD_GZIP=y"}};
	char cfg[PATH_MAX], *data;
	size_t len;
	const char *slash = strrchr(m->kernel_path, '/');
	if (slash)
		snprintf(cfg, sizeof cfg, "%.*s/config-%s", (int)(slash - m->kernel_path),
			 m->kernel_path, m->kver);
	else
		snprintf(cfg, sizeof cfg, "%s/boot/config-%s", m->root, m->kver);
	if (mkrescue_slurp(cfg, 16u << 20, &data, &len))
		return !strcmp(name, "gzip"); /* no config: what every kernel takes */
	bool yes = false;
	for (size_t i = 0; i < sizeof rd / sizeof rd[0]; i++)
		if (!strcmp(rd[i].name, name))
			yes = strstr(data, rd[i].config) != NULL;
	free(data);
	return yes;
}

static int mkrescue_compressor(const struct mkrescue *m, struct mkrescue_comp *c)
{
	/* fixed settings: the same input gives the same bytes (zstd's output
	 * does not depend on its thread count); xz needs CRC32
	 * for the kernel's decompressor */
	static const struct {
		const char *name;
		const char *args[5];
	} tab[] = {
	    {"zstd", {"-q", "-9", "-T0", "-c", NULL}},
	    {"xz", {"-q", "-6", "-T1", "--check=crc32", "-c"}},
	    {"gzip", {"-n", "-9", "-c", NULL, NULL}},
	};
	bool any = !strcmp(m->compress, "auto");
	memset(c, 0, sizeof *c);
	c->name = "none";
	if (!strcmp(m->compress, "none"))
		return 0;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (!any && strcmp(m->compress, tab[i].name))
			continue;
		if (any && !mkrescue_kernel_accepts(m, tab[i].name))
			continue;
		if (mkrescue_which(tab[i].name, c->path, sizeof c->path)) {
			if (!any) {
				fprintf(stderr, "mkrescue: --compress %s: no %s on this host\n",
					m->compress, tab[i].name);
				return -ENOENT;
			}
			continue;
		}
		c->name = tab[i].name;
		c->argv[0] = c->path;
		for (size_t k = 0; k < 5 && tab[i].args[k]; k++)
			c->argv[k + 1] = tab[i].args[k];
		return 0;
	}
	if (!any) {
		fprintf(stderr, "mkrescue: --compress %s: expected auto, zstd, xz, gzip or none\n",
			m->compress);
		return -EINVAL;
	}
	return 0;
}

/* Writes the cpio of the stage, the /dev/console node and the trailer to
 * fd; *raw: its length. 0 or -errno. */
static int mkrescue_cpio(const struct mkrescue *m, int fd, uint64_t *raw)
{
	struct cpio_out co;
	cpio_out_init(&co, fd);
	int rc = cpio_add_tree(&co, m->stage);
	/* the kernel's own initramfs has /dev/console; ours says so too */
	if (!rc)
		rc = cpio_add_dev(&co, "dev/console", S_IFCHR | 0600, 5, 1);
	if (!rc)
		rc = cpio_finish(&co);
	*raw = co.off;
	return rc;
}

/* Writes the stage as a cpio to the output, through the compressor (a
 * pipe into its standard input) when there is one. *raw and *size: the
 * sizes before and after. */
static int mkrescue_archive(const struct mkrescue *m, const struct mkrescue_comp *comp,
			    uint64_t *raw, uint64_t *size)
{
	bool stdout_out = !strcmp(m->output, "-");
	int ofd = stdout_out ? 1 : open(m->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int p[2] = {-1, -1}, rc = 0, pid = -1;
	if (ofd < 0)
		return -errno;
	if (comp->argv[0] && pipe2(p, O_CLOEXEC))
		rc = -errno;
	if (!rc && comp->argv[0] && (pid = mkrescue_spawn(comp->argv, p[0], ofd)) < 0)
		rc = pid;
	if (p[0] >= 0)
		close(p[0]);
	if (!rc)
		rc = mkrescue_cpio(m, comp->argv[0] ? p[1] : ofd, raw);
	if (p[1] >= 0)
		close(p[1]); /* EOF for the compressor */
	if (pid > 0) {
		int w = mkrescue_wait(pid);
		rc = rc ? rc : w;
	}
	struct stat st;
	*size = !fstat(ofd, &st) && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	if (!stdout_out && close(ofd) && !rc)
		rc = -errno;
	return rc;
}

/* ---- the command ---- */

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void mkrescue_report(const struct mkrescue *m, const struct mkrescue_comp *comp,
			    uint64_t raw, uint64_t size, double secs)
{
	FILE *o = m->out;
	fprintf(o, "mkrescue: carried    %s (%zu files with libraries, %.1f MiB)\n",
		m->carried[0] ? m->carried : "-", m->c->nfiles, (double)m->c->bytes / 1048576.0);
	if (m->missing[0])
		fprintf(o, "mkrescue: not found  %s\n", m->missing);
	fprintf(o, "mkrescue: wrote      %s: %.1f MiB (%s%s, %.1f MiB uncompressed) in %.1f s\n",
		strcmp(m->output, "-") ? m->output : "standard output", (double)size / 1048576.0,
		comp->name, comp->argv[0] ? (strcmp(comp->name, "gzip") ? " -9" : " -n -9") : "",
		(double)raw / 1048576.0, secs);
	if (m->kernel_path[0])
		fprintf(o, "mkrescue: boot it:   lifeboat serve --rescue-file %s --kernel %s\n",
			strcmp(m->output, "-") ? m->output : "FILE", m->kernel_path);
	else
		fprintf(o,
			"mkrescue: warning: no kernel %s found: boot it with --kernel FILE of "
			"release %s\n",
			m->kver, m->kver);
}

/* Everything between the options and the report. */
static int mkrescue_build(struct mkrescue *m, struct mkrescue_comp *comp, uint64_t *raw,
			  uint64_t *size)
{
	int rc = mkrescue_kernel(m);
	if (!rc && m->root[0] && (rc = carry_set_source(m->c, m->root)))
		fprintf(stderr, "mkrescue: --from %s: %s\n", m->root, strerror(-rc));
	if (!rc)
		rc = mkrescue_compressor(m, comp);
	if (!rc)
		fprintf(m->out, "mkrescue: kernel     %s (%s)\n", m->kver,
			m->kernel_path[0] ? m->kernel_path : "no image found");
	if (!rc)
		rc = mkrescue_skeleton(m);
	if (!rc)
		rc = mkrescue_init_binary(m);
	if (!rc)
		rc = mkrescue_tools(m);
	if (!rc)
		rc = mkrescue_busybox(m);
	if (!rc)
		rc = mkrescue_modules(m);
	if (!rc)
		rc = mkrescue_keys(m);
	if (!rc)
		rc = mkrescue_info(m);
	if (!rc && (rc = mkrescue_archive(m, comp, raw, size)))
		fprintf(stderr, "mkrescue: writing %s: %s\n", m->output, strerror(-rc));
	return rc;
}

int mkrescue_main(int argc, char **argv)
{
	struct mkrescue *m = calloc(1, sizeof *m);
	struct mkrescue_comp comp;
	int first, rc;
	uint64_t raw = 0, size = 0;
	if (!m)
		return 1;
	if (opts_defaults(&mkrescue_cmd, m) ||
	    (rc = opts_parse(&mkrescue_cmd, argc, argv, m, &first, stderr)) < 0 || first < argc) {
		opts_help(&mkrescue_cmd, stderr);
		free(m);
		return 2;
	}
	if (rc == 1) {
		opts_help(&mkrescue_cmd, stdout);
		free(m);
		return 0;
	}
	m->out = strcmp(m->output, "-") ? stdout : stderr;
	if (m->from && strcmp(m->from, "/"))
		snprintf(m->root, sizeof m->root, "%.*s", (int)strcspn(m->from, "\n"), m->from);
	for (size_t l = strlen(m->root); l > 1 && m->root[l - 1] == '/'; l--)
		m->root[l - 1] = 0;
	umask(022);		  /* directories made on the way get 0755 on every host */
	signal(SIGPIPE, SIG_IGN); /* a compressor that dies: EPIPE, reported */
	const char *tmpdir = getenv("TMPDIR");
	snprintf(m->stage, sizeof m->stage, "%s/lifeboat-rescue.XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	m->c = malloc(sizeof *m->c);
	if (!m->c || !mkdtemp(m->stage)) {
		perror("mkrescue: temporary directory");
		free(m->c);
		free(m);
		return 1;
	}
	carry_init(m->c, m->stage, false);
	uint64_t t0 = sys_clock_us(CLOCK_MONOTONIC);
	rc = mkrescue_build(m, &comp, &raw, &size);
	if (!rc)
		mkrescue_report(m, &comp, raw, size,
				(double)(sys_clock_us(CLOCK_MONOTONIC) - t0) / 1e6);
	carry_done(m->c);
	nftw(m->stage, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(m->c);
	free(m);
	return rc ? 1 : 0;
}
