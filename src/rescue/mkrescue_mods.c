/* mkrescue_mods: the kernel modules of `lifeboat mkrescue --modules` with
 * their modules.dep closure and the firmware they name, and the load list
 * /etc/lifeboat/modules (dependencies first) that the rescue's init reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "rescue/kmod.h"
#include "rescue/mkrescue_mods.h"

/* `auto`: whole families by path under /lib/modules/KVER. The network and
 * storage drivers a rescue needs to reach the machine and its disks, the
 * RAID/LVM/crypto layers above them, and the file systems to mount. */
static const char *const mkrescue_families[] = {
    "kernel/drivers/net/ethernet/",
    "kernel/drivers/net/usb/",
    "kernel/drivers/net/virtio_net",
    "kernel/drivers/nvme/",
    "kernel/drivers/ata/",
    "kernel/drivers/scsi/",
    "kernel/drivers/virtio/",
    "kernel/drivers/block/virtio_blk",
    "kernel/drivers/block/loop",
    "kernel/drivers/usb/storage/",
    "kernel/drivers/usb/host/",
    "kernel/drivers/hid/usbhid/",
    "kernel/drivers/hid/hid-generic",
    "kernel/drivers/md/",
    "kernel/crypto/",
    "kernel/arch/x86/crypto/",
    "kernel/lib/crypto/",
    "kernel/net/packet/",
    "kernel/fs/ext4/",
    "kernel/fs/fat/",
    "kernel/fs/vfat/",
    "kernel/fs/xfs/",
    "kernel/fs/btrfs/",
    "kernel/fs/nls/",
    "kernel/fs/isofs/",
    "kernel/fs/efivarfs/",
};

/* Never in `auto`: test modules that run self-tests at load (tcrypt) or
 * make fake devices (scsi_debug, a RAM "disk" a user could mistake for a
 * real one). */
static const char *const mkrescue_never[] = {
    "kernel/crypto/tcrypt.ko",
    "kernel/drivers/scsi/scsi_debug.ko",
};

static bool mkrescue_excluded(const char *path)
{
	for (size_t i = 0; i < sizeof mkrescue_never / sizeof mkrescue_never[0]; i++)
		if (!strncmp(path, mkrescue_never[i], strlen(mkrescue_never[i])))
			return true;
	return false;
}

struct mkrescue_mods {
	struct mkrescue *m;
	struct kmod_db db;
	char dir[1300]; /* root + /lib/modules/KVER */
	uint8_t *want;
	uint32_t *order;
	long n;
};

/* /proc/modules names into want (only for the running kernel). */
static void mkrescue_loaded(struct mkrescue_mods *mm, unsigned *n)
{
	char *data;
	size_t len;
	*n = 0;
	if (mkrescue_slurp("/proc/modules", 4u << 20, &data, &len)) {
		/* /proc/modules has size 0 in stat: read it the slow way */
		int fd = open("/proc/modules", O_RDONLY | O_CLOEXEC);
		data = fd < 0 ? NULL : calloc(1, 1u << 20);
		len = 0;
		ssize_t k;
		while (data && (k = read(fd, data + len, (1u << 20) - 1 - len)) > 0)
			len += (size_t)k;
		if (fd >= 0)
			close(fd);
		if (!data)
			return;
	}
	for (char *s = data, *e; *s; s = e + (*e != 0)) {
		e = s + strcspn(s, "\n");
		char name[64];
		size_t l = strcspn(s, " \n");
		if (l && l < sizeof name) {
			memcpy(name, s, l);
			name[l] = 0;
			long i = kmod_find_name(&mm->db, name);
			if (i >= 0 && !mm->want[i]) {
				mm->want[i] = 1;
				(*n)++;
			}
		}
	}
	free(data);
}

/* Marks what --modules asks for. 0, or -ENOENT for an unknown name. */
static int mkrescue_select(struct mkrescue_mods *mm)
{
	struct mkrescue *m = mm->m;
	const char *sel = m->modules;
	if (!strcmp(sel, "all")) {
		memset(mm->want, 1, mm->db.n);
		return 0;
	}
	if (!strcmp(sel, "auto")) {
		struct utsname u;
		unsigned loaded = 0;
		if (!m->root[0] && !uname(&u) && !strcmp(u.release, m->kver))
			mkrescue_loaded(mm, &loaded);
		for (size_t i = 0; i < mm->db.n; i++)
			for (size_t f = 0;
			     f < sizeof mkrescue_families / sizeof mkrescue_families[0]; f++)
				if (!strncmp(mm->db.mods[i].path, mkrescue_families[f],
					     strlen(mkrescue_families[f])) &&
				    !mkrescue_excluded(mm->db.mods[i].path))
					mm->want[i] = 1;
		fprintf(m->out,
			"mkrescue: modules    auto: %u loaded on this host%s, plus the "
			"network, storage, RAID/LVM, crypto and file system families\n",
			loaded, m->root[0] ? " (none: --from)" : "");
		return 0;
	}
	for (const char *s = sel; *s;) {
		size_t l = strcspn(s, ",");
		char name[64];
		if (l && l < sizeof name) {
			memcpy(name, s, l);
			name[l] = 0;
			long i = kmod_find_name(&mm->db, name);
			if (i < 0) {
				fprintf(stderr, "mkrescue: --modules: no module %s for %s\n", name,
					m->kver);
				return -ENOENT;
			}
			mm->want[i] = 1;
		}
		s += l + (s[l] == ',');
	}
	return 0;
}

/* A firmware name as a module may state it: relative, no "..". */
static bool mkrescue_fw_name_ok(const char *s, size_t n)
{
	if (!n || n >= 256 || s[0] == '/' || memmem(s, n, "..", 2))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static int mkrescue_fw_one(void *ctx, const char *fw, size_t n)
{
	static const char *const exts[] = {"", ".zst", ".xz"};
	struct mkrescue_mods *mm = ctx;
	struct mkrescue *m = mm->m;
	char name[256], src[4096], dst[512], staged[4096];
	if (!mkrescue_fw_name_ok(fw, n))
		return 0;
	memcpy(name, fw, n);
	name[n] = 0;
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		snprintf(src, sizeof src, "%s/lib/firmware/%s%s", m->root, name, exts[i]);
		snprintf(dst, sizeof dst, "/lib/firmware/%s%s", name, exts[i]);
		snprintf(staged, sizeof staged, "%s%s", m->stage, dst);
		if (access(src, R_OK))
			continue;
		if (!access(staged, F_OK))
			return 0;
		int rc = mkrescue_copy(m, src, dst, 0644);
		if (!rc)
			m->n_fw++;
		return rc;
	}
	m->n_fw_missing++;
	size_t o = strlen(m->fw_missing_ex);
	if (o < 160 && n < 64 && !strstr(m->fw_missing_ex, name))
		snprintf(m->fw_missing_ex + o, sizeof m->fw_missing_ex - o, "%s%.64s", o ? " " : "",
			 name);
	return 0;
}

/* The firmware names of one module file (decompressed with the host's
 * tool when it is .ko.xz/.ko.zst/.ko.gz). */
static int mkrescue_fw_of(struct mkrescue_mods *mm, const char *path)
{
	static const struct {
		const char *ext, *tool;
	} z[] = {{".ko.xz", "xz"}, {".ko.zst", "zstd"}, {".ko.gz", "gzip"}};
	char *data = NULL;
	size_t len = 0, pl = strlen(path);
	int rc = -ENOEXEC;
	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++) {
		size_t el = strlen(z[i].ext);
		if (pl < el || strcmp(path + pl - el, z[i].ext))
			continue;
		char tool[4096];
		int in = open(path, O_RDONLY | O_CLOEXEC);
		const char *tmp = getenv("TMPDIR");
		int out = open(tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		const char *argv[] = {tool, "-dc", NULL};
		rc = in < 0 || out < 0 ? -errno : mkrescue_which(z[i].tool, tool, sizeof tool);
		if (!rc)
			rc = mkrescue_run(argv, in, out);
		char p[64];
		snprintf(p, sizeof p, "/proc/self/fd/%d", out);
		if (!rc)
			rc = mkrescue_slurp(p, 256u << 20, &data, &len);
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		if (rc) {
			mm->m->n_fw_unread++;
			return 0;
		}
		break;
	}
	if (rc == -ENOEXEC && (rc = mkrescue_slurp(path, 256u << 20, &data, &len)))
		return rc;
	rc = kmod_modinfo_firmware(data, len, mkrescue_fw_one, mm);
	free(data);
	if (rc == -EBADMSG || rc == -ENOEXEC) {
		fprintf(mm->m->out,
			"mkrescue: warning: %s: not a readable module: firmware "
			"skipped\n",
			path);
		rc = 0;
	}
	return rc;
}

/* Copies the modules of the closure (and their firmware), writes the load
 * list and a modules.dep of what the image holds. */
static int mkrescue_mods_copy(struct mkrescue_mods *mm)
{
	struct mkrescue *m = mm->m;
	size_t cap = (size_t)mm->n * (KMOD_PATH_MAX + 160) + 1, len = 0;
	char *list = malloc(cap), *dep = malloc(cap * 2);
	size_t dlen = 0;
	int rc = list && dep ? 0 : -ENOMEM;
	for (long i = 0; !rc && i < mm->n; i++) {
		const struct kmod_mod *k = &mm->db.mods[mm->order[i]];
		char src[4096], dst[512];
		struct stat st;
		snprintf(src, sizeof src, "%s/%s", mm->dir, k->path);
		snprintf(dst, sizeof dst, "/lib/modules/%s/%s", m->kver, k->path);
		rc = mkrescue_copy(m, src, dst, 0644);
		if (!rc && !stat(src, &st))
			m->module_bytes += (uint64_t)st.st_size;
		if (!rc)
			len += (size_t)snprintf(list + len, cap - len, "%s\n", dst);
		if (!rc && strcmp(m->firmware, "none"))
			rc = mkrescue_fw_of(mm, src);
	}
	/* modules.dep of the image, in the index's path order (reproducible) */
	for (size_t j = 0; !rc && j < mm->db.n; j++) {
		const struct kmod_mod *k = &mm->db.mods[mm->db.by_path[j]];
		if (!mm->want[mm->db.by_path[j]])
			continue;
		dlen += (size_t)snprintf(dep + dlen, cap * 2 - dlen, "%s:", k->path);
		for (uint32_t d = 0; d < k->n_deps && dlen < cap * 2; d++)
			dlen += (size_t)snprintf(dep + dlen, cap * 2 - dlen, " %s",
						 mm->db.mods[mm->db.deps[k->dep0 + d]].path);
		if (dlen < cap * 2)
			dlen += (size_t)snprintf(dep + dlen, cap * 2 - dlen, "\n");
	}
	if (!rc && (len >= cap || dlen >= cap * 2))
		rc = -E2BIG;
	if (!rc)
		rc = mkrescue_write(m, "/etc/lifeboat/modules", list, len, 0644);
	char p[512];
	snprintf(p, sizeof p, "/lib/modules/%s/modules.dep", m->kver);
	if (!rc)
		rc = mkrescue_write(m, p, dep, dlen, 0644);
	static const char *const extra[] = {"modules.builtin", "modules.builtin.modinfo",
					    "modules.order", "modules.alias"};
	for (size_t i = 0; !rc && i < sizeof extra / sizeof extra[0]; i++) {
		char src[4096];
		snprintf(src, sizeof src, "%s/%s", mm->dir, extra[i]);
		snprintf(p, sizeof p, "/lib/modules/%s/%s", m->kver, extra[i]);
		if (!access(src, R_OK))
			rc = mkrescue_copy(m, src, p, 0644);
	}
	free(list);
	free(dep);
	return rc;
}

static void mkrescue_fw_report(const struct mkrescue *m)
{
	if (!strcmp(m->firmware, "none")) {
		fprintf(m->out, "mkrescue: firmware   none (--firmware none)\n");
		return;
	}
	fprintf(m->out, "mkrescue: firmware   %u file(s)", m->n_fw);
	if (m->n_fw_missing) {
		fprintf(m->out,
			"; %u named but not in %s/lib/firmware (e.g. %s; Debian packages "
			"firmware-linux-nonfree, firmware-realtek, firmware-bnx2x, ...)",
			m->n_fw_missing, m->root, m->fw_missing_ex);
	}
	if (m->n_fw_unread)
		fprintf(m->out,
			"; %u compressed module(s) not read (no xz/zstd/gzip here): their "
			"firmware is not carried",
			m->n_fw_unread);
	fprintf(m->out, "\n");
}

int mkrescue_modules(struct mkrescue *m)
{
	struct mkrescue_mods mm = {.m = m};
	char *data;
	size_t len;
	if (!strcmp(m->modules, "none")) {
		fprintf(m->out, "mkrescue: modules    none (--modules none)\n");
		return mkrescue_write(m, "/etc/lifeboat/modules", "", 0, 0644);
	}
	snprintf(mm.dir, sizeof mm.dir, "%s/lib/modules/%s", m->root, m->kver);
	char p[4200];
	snprintf(p, sizeof p, "%s/modules.dep", mm.dir);
	int rc = mkrescue_slurp(p, 64u << 20, &data, &len);
	if (rc) {
		fprintf(m->out,
			"mkrescue: warning: no %s (%s): the image has no modules; the "
			"kernel's built-in drivers must do\n",
			p, strerror(-rc));
		return mkrescue_write(m, "/etc/lifeboat/modules", "", 0, 0644);
	}
	rc = kmod_parse_dep(data, len, &mm.db);
	free(data);
	if (rc)
		fprintf(stderr, "mkrescue: %s: %s\n", p,
			rc == -EBADMSG ? "malformed" : strerror(-rc));
	mm.want = rc ? NULL : calloc(mm.db.n + 1, 1);
	mm.order = rc ? NULL : calloc(mm.db.n + 1, sizeof *mm.order);
	if (!rc && (!mm.want || !mm.order))
		rc = -ENOMEM;
	if (!rc)
		rc = mkrescue_select(&mm);
	if (!rc && (mm.n = kmod_closure(&mm.db, mm.want, mm.order)) < 0) {
		rc = (int)mm.n;
		fprintf(stderr, "mkrescue: %s: %s\n", p, strerror(-rc));
	}
	if (!rc)
		rc = mkrescue_mods_copy(&mm);
	if (!rc) {
		m->n_modules = (unsigned)mm.n;
		fprintf(m->out,
			"mkrescue: modules    %ld of %zu (with their dependencies), %.1f MiB\n",
			mm.n, mm.db.n, (double)m->module_bytes / 1048576.0);
		mkrescue_fw_report(m);
	}
	free(mm.want);
	free(mm.order);
	kmod_free(&mm.db);
	return rc;
}
