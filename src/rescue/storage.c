/* storage: teardown and rebuild of the stack under the old root through
 * the device-mapper, md and loop ioctls (see storage.h). */
#include "rescue/storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/sys.h"
#include "rescue/storstack.h"

/* ---- kernel ABI (linux/dm-ioctl.h, linux/raid/md_u.h, linux/loop.h),
 * which musl-gcc cannot include ---- */

struct dm_ioctl {
	uint32_t version[3];
	uint32_t data_size;
	uint32_t data_start;
	uint32_t target_count;
	int32_t open_count;
	uint32_t flags;
	uint32_t event_nr;
	uint32_t padding;
	uint64_t dev;
	char name[128];
	char uuid[129];
	char data[7];
};

struct dm_target_spec {
	uint64_t sector_start;
	uint64_t length;
	int32_t status;
	uint32_t next;
	char target_type[16];
};

_Static_assert(sizeof(struct dm_ioctl) == 312, "struct dm_ioctl is 312 bytes");
_Static_assert(sizeof(struct dm_target_spec) == 40, "struct dm_target_spec is 40 bytes");

#define DM_IOC(nr) (0xC0000000u | (312u << 16) | (0xfdu << 8) | (nr))
#define DM_DEV_CREATE DM_IOC(3)
#define DM_DEV_REMOVE DM_IOC(4)
#define DM_DEV_SUSPEND DM_IOC(6)
#define DM_DEV_STATUS DM_IOC(7)
#define DM_TABLE_LOAD DM_IOC(9)
#define DM_TABLE_STATUS DM_IOC(12)
#define DM_READONLY_FLAG (1u << 0)
#define DM_PERSISTENT_DEV_FLAG (1u << 3)
#define DM_STATUS_TABLE_FLAG (1u << 4)
#define DM_BUFFER_FULL_FLAG (1u << 8)
#define DM_SECURE_DATA_FLAG (1u << 15)

struct md_array_info {
	int major_version, minor_version, patch_version, ctime, level, size, nr_disks, raid_disks,
	    md_minor, not_persistent, utime, state, active_disks, working_disks, failed_disks,
	    spare_disks, layout, chunk_size;
};
struct md_disk_info {
	int number, major, minor, raid_disk, state;
};
#define MD_ADD_NEW_DISK 0x40140921u   /* _IOW(9, 0x21, 20 bytes) */
#define MD_SET_ARRAY_INFO 0x40480923u /* _IOW(9, 0x23, 72 bytes) */
#define MD_RUN_ARRAY 0x400c0930u      /* _IOW(9, 0x30, 12 bytes) */
#define MD_STOP_ARRAY 0x932u	      /* _IO(9, 0x32) */

struct loop_info64 {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
};
struct loop_config {
	uint32_t fd, block_size;
	struct loop_info64 info;
	uint64_t reserved[8];
};
_Static_assert(sizeof(struct loop_info64) == 232, "struct loop_info64 is 232 bytes");
#define LOOP_SET_FD 0x4C00
#define LOOP_CLR_FD 0x4C01
#define LOOP_SET_STATUS64 0x4C04
#define LOOP_CONFIGURE 0x4C0A
#define LO_FLAGS_READ_ONLY 1u
#define LO_FLAGS_AUTOCLEAR 4u
#define LO_FLAGS_PARTSCAN 8u

/* ---- what is saved ---- */

#define MD_MEMBERS 16

struct saved_dev {
	enum stor_kind kind;
	char name[32]; /* kernel name */
	unsigned major, minor;
	/* dm: a ready DM_TABLE_LOAD buffer (struct dm_ioctl + targets). */
	char dm_name[128], dm_uuid[129];
	uint32_t dm_flags;
	unsigned char *table;
	size_t table_len;
	/* md */
	int md_major_version, md_minor_version;
	unsigned nmembers, members[MD_MEMBERS][2];
	/* loop */
	int backing_fd;
	uint64_t offset, sizelimit;
	uint32_t lo_flags;
};

struct storage_saved {
	unsigned n;
	struct saved_dev v[STORSTACK_MAX]; /* in teardown order */
};

__attribute__((format(printf, 4, 5))) static void say(storage_say_fn fn, void *c, bool marker,
						      const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (fn)
		fn(c, marker, line);
}

/* Memory that may hold a key: locked (never swapped) and left out of core
 * dumps. */
static void *secret_alloc(size_t n)
{
	void *p = calloc(1, n);
	if (p) {
		mlock(p, n);
		madvise((void *)((uintptr_t)p & ~(uintptr_t)4095), n + 4096, MADV_DONTDUMP);
	}
	return p;
}

static void secret_free(void *p, size_t n)
{
	if (!p)
		return;
	explicit_bzero(p, n);
	munlock(p, n);
	free(p);
}

/* A device node for major:minor: /dev/NAME when it is that device, else
 * made beneath nodedir. */
static int open_node(const char *nodedir, const char *name, unsigned ma, unsigned mi, bool chr,
		     int flags)
{
	char path[256];
	struct stat st;
	dev_t want = makedev(ma, mi);
	snprintf(path, sizeof path, "/dev/%s", name);
	if (stat(path, &st) || st.st_rdev != want ||
	    !(chr ? S_ISCHR(st.st_mode) : S_ISBLK(st.st_mode))) {
		snprintf(path, sizeof path, "%s/%s", nodedir, name);
		unlink(path);
		if (mknod(path, (chr ? S_IFCHR : S_IFBLK) | 0600, want))
			return -errno;
	}
	int fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int dm_control(const char *nodedir)
{
	char devno[32];
	unsigned ma = 10, mi = 236;
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (sys_read_line("/sys/class/misc/device-mapper", "dev", devno, sizeof devno) > 0)
		sscanf(devno, "%u:%u", &ma, &mi);
	return open_node(nodedir, "dm-control", ma, mi, true, O_RDWR);
}

static void dm_init(struct dm_ioctl *io, size_t size, const char *name)
{
	memset(io, 0, sizeof *io);
	io->version[0] = 4;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof *io;
	snprintf(io->name, sizeof io->name, "%s", name);
}

/* ---- dm ---- */

/* DM_TABLE_STATUS into a DM_TABLE_LOAD buffer (relative next offsets).
 * Returns 0, -ENOBUFS, or -errno. */
static int dm_save_table(int ctl, struct saved_dev *d)
{
	size_t cap = 16384;
	for (;;) {
		unsigned char *buf = secret_alloc(cap);
		if (!buf)
			return -ENOMEM;
		struct dm_ioctl *io = (struct dm_ioctl *)buf;
		dm_init(io, cap, d->dm_name);
		io->flags = DM_STATUS_TABLE_FLAG | DM_SECURE_DATA_FLAG;
		if (ioctl(ctl, DM_TABLE_STATUS, io)) {
			int e = errno;
			secret_free(buf, cap);
			return -e;
		}
		if (io->flags & DM_BUFFER_FULL_FLAG) {
			secret_free(buf, cap);
			if ((cap *= 4) > (1u << 22))
				return -ENOBUFS;
			continue;
		}
		/* Status gives each next as an offset from the data start; a
		 * load wants it from the spec before. Rewrite in place. */
		unsigned char *data = buf + io->data_start;
		size_t dlen = io->data_size > io->data_start ? io->data_size - io->data_start : 0;
		size_t off = 0;
		for (uint32_t t = 0; t < io->target_count; t++) {
			if (off + sizeof(struct dm_target_spec) > dlen) {
				secret_free(buf, cap);
				return -EBADMSG;
			}
			struct dm_target_spec *sp = (struct dm_target_spec *)(data + off);
			size_t nx = sp->next;
			if (t + 1 < io->target_count && (nx <= off || nx > dlen)) {
				secret_free(buf, cap);
				return -EBADMSG;
			}
			sp->next = t + 1 < io->target_count ? (uint32_t)(nx - off) : 0;
			sp->status = 0;
			off = nx;
		}
		d->table = buf;
		d->table_len = cap;
		return 0;
	}
}

/* Whether the saved table holds a crypt target keyed through the kernel
 * keyring (cannot be recreated from the table). */
static bool dm_keyring_key(const struct saved_dev *d)
{
	const struct dm_ioctl *io = (const struct dm_ioctl *)d->table;
	const unsigned char *sp = d->table + io->data_start;
	const unsigned char *end = d->table + io->data_size;
	for (uint32_t t = 0; t < io->target_count && sp + sizeof(struct dm_target_spec) < end;
	     t++) {
		const struct dm_target_spec *s = (const struct dm_target_spec *)sp;
		const char *params = (const char *)(s + 1);
		if (!strncmp(s->target_type, "crypt", sizeof s->target_type) &&
		    storstack_crypt_key(params, strnlen(params, (size_t)(end - sp) - sizeof *s)) ==
			CRYPT_KEY_KEYRING)
			return true;
		sp += s->next;
		if (!s->next)
			break;
	}
	return false;
}

static const char *node_label(const struct stor_node *n, char *buf, size_t cap)
{
	snprintf(buf, cap, "dev=%s kind=%s%s%s", n->name, stor_kind_name(n->kind),
		 n->dm_name[0] ? " name=" : "", n->dm_name);
	return buf;
}

/* The holders of n in sysfs, for a busy report. */
static void holders_of(const struct stor_node *n, char *out, size_t cap)
{
	char dir[128];
	snprintf(dir, sizeof dir, "/sys/block/%s/holders", n->name);
	out[0] = 0;
	struct dirent **de;
	int k = scandir(dir, &de, NULL, alphasort);
	size_t o = 0;
	for (int i = 0; i < k; i++) {
		if (de[i]->d_name[0] != '.' && o < cap)
			o +=
			    (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", de[i]->d_name);
		free(de[i]);
	}
	if (k >= 0)
		free(de);
	if (!out[0])
		snprintf(out, cap, "none");
}

/* Device-mapper devices the kernel still has (/sys/block/dm-*). */
static int dm_count(void)
{
	int n = 0;
	DIR *d = opendir("/sys/block");
	for (struct dirent *de; d && (de = readdir(d));)
		n += !strncmp(de->d_name, "dm-", 3);
	if (d)
		closedir(d);
	return n;
}

enum step { STEP_CLOSED, STEP_BUSY, STEP_KEPT };

static enum step dm_down(int ctl, const struct stor_node *n, bool may_return, struct saved_dev *d,
			 char *why, size_t wcap)
{
	struct dm_ioctl io;
	dm_init(&io, sizeof io, n->dm_name);
	if (ioctl(ctl, DM_DEV_STATUS, &io)) {
		snprintf(why, wcap, "error=\"status: %s\"", strerror(errno));
		return STEP_BUSY;
	}
	if (io.open_count > 0) {
		snprintf(why, wcap, "open=%d", io.open_count);
		return STEP_BUSY;
	}
	snprintf(d->dm_name, sizeof d->dm_name, "%s", n->dm_name);
	snprintf(d->dm_uuid, sizeof d->dm_uuid, "%s", io.uuid);
	d->dm_flags = io.flags & DM_READONLY_FLAG;
	if (may_return) {
		int rc = dm_save_table(ctl, d);
		if (rc) {
			snprintf(why, wcap, "reason=\"table not saved: %s\"", strerror(-rc));
			return STEP_KEPT;
		}
		if (dm_keyring_key(d)) {
			snprintf(why, wcap,
				 "reason=\"key only in the kernel keyring (LUKS2): a "
				 "return could not open it again\"");
			secret_free(d->table, d->table_len);
			d->table = NULL;
			return STEP_KEPT;
		}
	}
	dm_init(&io, sizeof io, n->dm_name);
	io.flags = DM_SECURE_DATA_FLAG;
	if (ioctl(ctl, DM_DEV_REMOVE, &io)) {
		snprintf(why, wcap, "open=%d error=\"%s\"", io.open_count, strerror(errno));
		secret_free(d->table, d->table_len);
		d->table = NULL;
		return STEP_BUSY;
	}
	return STEP_CLOSED;
}

static int dm_up(int ctl, struct saved_dev *d)
{
	struct dm_ioctl io;
	dm_init(&io, sizeof io, d->dm_name);
	snprintf(io.uuid, sizeof io.uuid, "%s", d->dm_uuid);
	io.dev = makedev(d->major, d->minor);
	io.flags = DM_PERSISTENT_DEV_FLAG | d->dm_flags;
	if (ioctl(ctl, DM_DEV_CREATE, &io))
		return -errno;
	struct dm_ioctl *t = (struct dm_ioctl *)d->table;
	uint32_t count = t->target_count;
	size_t size = t->data_size;
	dm_init(t, size, d->dm_name);
	t->target_count = count;
	t->flags = DM_SECURE_DATA_FLAG | d->dm_flags;
	if (ioctl(ctl, DM_TABLE_LOAD, t))
		goto undo;
	dm_init(&io, sizeof io, d->dm_name);
	io.flags = DM_SECURE_DATA_FLAG; /* no DM_SUSPEND_FLAG: resume */
	if (ioctl(ctl, DM_DEV_SUSPEND, &io))
		goto undo;
	return 0;
undo:;
	int e = errno;
	dm_init(&io, sizeof io, d->dm_name);
	ioctl(ctl, DM_DEV_REMOVE, &io);
	return -e;
}

/* ---- md ---- */

static enum step md_down(const struct storstack *s, const struct stor_node *n, bool may_return,
			 const char *nodedir, struct saved_dev *d, char *why, size_t wcap)
{
	int a = 0, b = 0;
	if (sscanf(n->backing, "%d.%d", &a, &b) != 2 && may_return) {
		snprintf(why, wcap, "reason=\"metadata %s cannot be assembled again\"",
			 n->backing[0] ? n->backing : "none");
		return STEP_KEPT;
	}
	d->md_major_version = a;
	d->md_minor_version = b;
	for (unsigned k = 0; k < n->nslaves && d->nmembers < MD_MEMBERS; k++) {
		const struct stor_node *m = &s->v[n->slaves[k]];
		d->members[d->nmembers][0] = m->major;
		d->members[d->nmembers++][1] = m->minor;
	}
	int fd = open_node(nodedir, n->name, n->major, n->minor, false, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, wcap, "error=\"open: %s\"", strerror(-fd));
		return STEP_BUSY;
	}
	int rc = ioctl(fd, MD_STOP_ARRAY, 0) ? errno : 0;
	close(fd);
	if (rc) {
		/* md has no open count to show: with no holders left, EBUSY
		 * means a mount or an opener this system cannot see. */
		snprintf(why, wcap, "error=\"%s\"%s", strerror(rc),
			 rc == EBUSY ? " reason=\"still open: mounted outside this mount "
				       "namespace or held open by a process\""
				     : "");
		return STEP_BUSY;
	}
	return STEP_CLOSED;
}

static int md_up(const char *nodedir, struct saved_dev *d)
{
	int nf = open("/sys/module/md_mod/parameters/new_array", O_WRONLY | O_CLOEXEC);
	if (nf >= 0) {
		ssize_t w = write(nf, d->name, strlen(d->name)); /* EEXIST is fine */
		(void)w;
		close(nf);
	}
	int fd = open_node(nodedir, d->name, d->major, d->minor, false, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	struct md_array_info ai = {.major_version = d->md_major_version,
				   .minor_version = d->md_minor_version};
	int rc = 0;
	if (ioctl(fd, MD_SET_ARRAY_INFO, &ai))
		rc = -errno;
	for (unsigned k = 0; !rc && k < d->nmembers; k++) {
		struct md_disk_info di = {.major = (int)d->members[k][0],
					  .minor = (int)d->members[k][1]};
		if (ioctl(fd, MD_ADD_NEW_DISK, &di))
			rc = -errno;
	}
	if (!rc && ioctl(fd, MD_RUN_ARRAY, 0))
		rc = -errno;
	if (rc)
		ioctl(fd, MD_STOP_ARRAY, 0);
	close(fd);
	return rc;
}

/* ---- loop ---- */

static uint64_t sys_u64(const char *dir, const char *name)
{
	char v[32];
	return sys_read_line(dir, name, v, sizeof v) > 0 ? strtoull(v, NULL, 10) : 0;
}

static enum step loop_down(const struct stor_node *n, bool may_return, const char *nodedir,
			   struct saved_dev *d, char *why, size_t wcap)
{
	char dir[96], blk[64];
	snprintf(blk, sizeof blk, "/sys/block/%s", n->name);
	snprintf(dir, sizeof dir, "%s/loop", blk);
	bool ro = sys_u64(blk, "ro") != 0;
	d->offset = sys_u64(dir, "offset");
	d->sizelimit = sys_u64(dir, "sizelimit");
	d->lo_flags = (ro ? LO_FLAGS_READ_ONLY : 0) |
		      (sys_u64(dir, "partscan") ? LO_FLAGS_PARTSCAN : 0) |
		      (sys_u64(dir, "autoclear") ? LO_FLAGS_AUTOCLEAR : 0);
	d->backing_fd = -1;
	if (may_return) {
		d->backing_fd = open(n->backing, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (d->backing_fd < 0) {
			snprintf(why, wcap, "reason=\"backing file %s not reachable here: %s\"",
				 n->backing, strerror(errno));
			return STEP_KEPT;
		}
	}
	int fd = open_node(nodedir, n->name, n->major, n->minor, false, O_RDONLY);
	if (fd < 0) {
		snprintf(why, wcap, "error=\"open: %s\"", strerror(-fd));
		return STEP_BUSY;
	}
	/* With other openers the kernel only sets autoclear and says yes. */
	int rc = ioctl(fd, LOOP_CLR_FD, 0) ? errno : 0;
	close(fd);
	char bf[8];
	if (!rc && sys_read_line(dir, "backing_file", bf, sizeof bf) >= 0)
		rc = EBUSY;
	if (rc) {
		snprintf(why, wcap, "error=\"%s%s\"", strerror(rc),
			 rc == EBUSY ? ", detaches when its last user closes it" : "");
		return STEP_BUSY;
	}
	return STEP_CLOSED;
}

static int loop_up(const char *nodedir, struct saved_dev *d)
{
	int fd = open_node(nodedir, d->name, d->major, d->minor, false, O_RDWR);
	if (fd < 0)
		return fd;
	struct loop_config cfg = {.fd = (uint32_t)d->backing_fd};
	cfg.info.lo_offset = d->offset;
	cfg.info.lo_sizelimit = d->sizelimit;
	cfg.info.lo_flags = d->lo_flags;
	int rc = 0;
	if (ioctl(fd, LOOP_CONFIGURE, &cfg)) {
		rc = -errno;
		/* Before Linux 5.8: set the file, then the status. */
		if ((rc == -EINVAL || rc == -ENOTTY) && !ioctl(fd, LOOP_SET_FD, d->backing_fd)) {
			rc = ioctl(fd, LOOP_SET_STATUS64, &cfg.info) ? -errno : 0;
			if (rc)
				ioctl(fd, LOOP_CLR_FD, 0);
		}
	}
	close(fd);
	return rc;
}

/* ---- the whole stack ---- */

/* *ctl: the device-mapper control, opened on first use (INT_MIN: not yet)
 * so that a stack without dm devices does not load dm-mod. */
static enum step down_one(int *ctl, const struct storstack *s, const struct stor_node *n,
			  bool may_return, const char *nodedir, struct saved_dev *d, char *why,
			  size_t wcap)
{
	switch (n->kind) {
	case STOR_LVM:
	case STOR_CRYPT:
	case STOR_DM:
		if (*ctl == INT_MIN)
			*ctl = dm_control(nodedir);
		if (*ctl < 0) {
			snprintf(why, wcap, "error=\"no device-mapper control: %s\"",
				 strerror(-*ctl));
			return STEP_BUSY;
		}
		return dm_down(*ctl, n, may_return, d, why, wcap);
	case STOR_MD:
		return md_down(s, n, may_return, nodedir, d, why, wcap);
	case STOR_LOOP:
		return loop_down(n, may_return, nodedir, d, why, wcap);
	default:
		return STEP_KEPT;
	}
}

static void saved_clear(struct saved_dev *d)
{
	secret_free(d->table, d->table_len);
	d->table = NULL;
	if (d->backing_fd >= 0)
		close(d->backing_fd);
	d->backing_fd = -1;
}

int storage_down(unsigned major, unsigned minor, bool may_return, const char *nodedir,
		 struct storage_saved **saved, struct storage_report *r, storage_say_fn fn, void *c)
{
	struct storstack *s = calloc(1, sizeof *s);
	struct storage_saved *sv = calloc(1, sizeof *sv);
	char desc[1024], lab[256], why[512];
	memset(r, 0, sizeof *r);
	*saved = NULL;
	if (!s || !sv) {
		free(s), free(sv);
		return -ENOMEM;
	}
	int rc = storstack_build("/sys", major, minor, s);
	if (rc) {
		free(s), free(sv);
		return rc;
	}
	storstack_describe(s, desc, sizeof desc);
	if (s->norder)
		say(fn, c, false, "storage.stack root=%u:%u order=\"%s\"%s", major, minor, desc,
		    s->truncated ? " truncated=1" : "");
	int ctl = INT_MIN;
	bool blocked[STORSTACK_MAX] = {0}; /* a holder stayed: so does this */
	for (unsigned k = 0; k < s->norder; k++) {
		const struct stor_node *n = &s->v[s->order[k]];
		struct saved_dev *d = &sv->v[sv->n];
		memset(d, 0, sizeof *d);
		d->backing_fd = -1;
		d->kind = n->kind;
		snprintf(d->name, sizeof d->name, "%s", n->name);
		d->major = n->major;
		d->minor = n->minor;
		why[0] = 0;
		enum step st;
		if (blocked[s->order[k]]) {
			holders_of(n, why + 8, sizeof why - 8);
			memcpy(why, "holders=", 8);
			st = STEP_BUSY;
		} else {
			st = down_one(&ctl, s, n, may_return, nodedir, d, why, sizeof why);
		}
		node_label(n, lab, sizeof lab);
		if (st == STEP_CLOSED) {
			r->closed++;
			say(fn, c, true, "LIFEBOAT-STORAGE-CLOSED %s action=%s", lab,
			    stor_kind_verb(n->kind));
			if (may_return)
				sv->n++;
			else
				saved_clear(d);
			continue;
		}
		saved_clear(d);
		if (st == STEP_BUSY)
			r->busy++;
		else
			r->kept++;
		say(fn, c, true, "LIFEBOAT-STORAGE-%s %s %s", st == STEP_BUSY ? "BUSY" : "KEPT",
		    lab, why);
		for (unsigned j = 0; j < n->nslaves; j++)
			blocked[n->slaves[j]] = true;
	}
	if (ctl >= 0)
		close(ctl);
	if (s->norder)
		say(fn, c, true, "LIFEBOAT-STORAGE-DOWN closed=%d busy=%d kept=%d dm_left=%d",
		    r->closed, r->busy, r->kept, dm_count());
	free(s);
	if (sv->n)
		*saved = sv;
	else
		free(sv);
	return 0;
}

int storage_up(struct storage_saved **saved, const char *nodedir, storage_say_fn fn, void *c)
{
	struct storage_saved *sv = *saved;
	int failed = 0, done = 0;
	if (!sv)
		return 0;
	int ctl = -1;
	for (unsigned k = sv->n; k-- > 0;) {
		struct saved_dev *d = &sv->v[k];
		int rc;
		if (d->kind == STOR_MD) {
			rc = md_up(nodedir, d);
		} else if (d->kind == STOR_LOOP) {
			rc = loop_up(nodedir, d);
		} else {
			if (ctl < 0)
				ctl = dm_control(nodedir);
			rc = ctl < 0 ? ctl : d->table ? dm_up(ctl, d) : -ENODATA;
		}
		saved_clear(d);
		if (rc) {
			failed++;
			say(fn, c, false, "storage.rebuild.failed dev=%s kind=%s%s%s error=\"%s\"",
			    d->name, stor_kind_name(d->kind), d->dm_name[0] ? " name=" : "",
			    d->dm_name, strerror(-rc));
		} else {
			done++;
			say(fn, c, false, "storage.rebuilt dev=%s kind=%s%s%s", d->name,
			    stor_kind_name(d->kind), d->dm_name[0] ? " name=" : "", d->dm_name);
		}
	}
	if (ctl >= 0)
		close(ctl);
	say(fn, c, true, "LIFEBOAT-STORAGE-UP rebuilt=%d failed=%d", done, failed);
	storage_drop(saved);
	return failed;
}

void storage_drop(struct storage_saved **saved)
{
	struct storage_saved *sv = *saved;
	if (!sv)
		return;
	for (unsigned k = 0; k < sv->n; k++)
		saved_clear(&sv->v[k]);
	explicit_bzero(sv, sizeof *sv);
	free(sv);
	*saved = NULL;
}
