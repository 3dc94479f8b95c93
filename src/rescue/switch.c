/* switch: the root switch steps (into the RAM root, release the old root,
 * on to a new root) over an ops table, plus swapoff and loop detach. */
#include "rescue/switch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rescue/plan.h"

/* ---- real ops ---- */

static int sys_mount(void *c, const char *src, const char *tgt, const char *type,
		     unsigned long flags, const char *data)
{
	(void)c;
	return mount(src, tgt, type, flags, data) ? -errno : 0;
}

static int sys_umount(void *c, const char *tgt, int flags)
{
	(void)c;
	return umount2(tgt, flags) ? -errno : 0;
}

static int sys_pivot_root(void *c, const char *new_root, const char *put_old)
{
	(void)c;
	return syscall(SYS_pivot_root, new_root, put_old) ? -errno : 0;
}

static int sys_chdir(void *c, const char *path)
{
	(void)c;
	return chdir(path) ? -errno : 0;
}

static int sys_mkdir(void *c, const char *path)
{
	(void)c;
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

static int sys_load_mountinfo(void *c, struct mnt_table *t)
{
	(void)c;
	return mountinfo_load("/proc/self/mountinfo", t);
}

static void sys_sleep_ms(void *c, unsigned ms)
{
	(void)c;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const struct switch_ops switch_sys_ops = {
    .mount = sys_mount,
    .umount = sys_umount,
    .pivot_root = sys_pivot_root,
    .chdir = sys_chdir,
    .mkdir = sys_mkdir,
    .load_mountinfo = sys_load_mountinfo,
    .sleep_ms = sys_sleep_ms,
    .busy = NULL,
};

/* ---- the sequences ---- */

static bool is_mount(const struct switch_ops *o, void *c, const char *path)
{
	struct mnt_table t;
	bool r;
	if (o->load_mountinfo(c, &t))
		return false;
	r = mountinfo_find(&t, path) != NULL;
	mountinfo_free(&t);
	return r;
}

int switch_enter(const struct switch_ops *o, void *c, const char *ramroot, int *failed_moves)
{
	char put_old[PATH_MAX], from[PATH_MAX];
	bool mounted[4];
	int rc;
	*failed_moves = 0;
	/* Which API filesystems are mounts: asked now, while /proc is at /proc. */
	for (size_t i = 0; i < 4; i++)
		mounted[i] = is_mount(o, c, plan_api_mounts[i]);
	/* pivot_root refuses (EINVAL) while / is shared, as systemd makes it. */
	if ((rc = o->mount(c, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)))
		return rc;
	if (snprintf(put_old, sizeof put_old, "%s%s", ramroot, OLDROOT) >= (int)sizeof put_old)
		return -ENAMETOOLONG;
	if ((rc = o->mkdir(c, put_old)))
		return rc;
	if ((rc = o->pivot_root(c, ramroot, put_old)))
		return rc;
	if ((rc = o->chdir(c, "/")))
		return rc;
	for (size_t i = 0; i < sizeof plan_api_mounts / sizeof plan_api_mounts[0]; i++) {
		const char *m = plan_api_mounts[i];
		snprintf(from, sizeof from, "%s%s", OLDROOT, m);
		if (!mounted[i])
			continue;
		if (o->mkdir(c, m) || o->mount(c, from, m, NULL, MS_MOVE, NULL))
			++*failed_moves;
	}
	return 0;
}

int switch_release(const struct switch_ops *o, void *c, const char *oldroot, unsigned retries,
		   struct release_report *r)
{
	struct mnt_table t;
	const struct mnt_entry **list = NULL;
	int rc = 0, n = 0;
	memset(r, 0, sizeof *r);
	for (unsigned pass = 0;; pass++) {
		bool progress = false;
		if ((rc = o->load_mountinfo(c, &t)))
			return rc;
		free(list);
		list = calloc(t.n ? t.n : 1, sizeof *list);
		if (!list) {
			mountinfo_free(&t);
			return -ENOMEM;
		}
		n = plan_unmount_order(&t, oldroot, NULL, 0, list, t.n);
		if (n <= 0) {
			mountinfo_free(&t);
			break;
		}
		if (pass > retries) {
			/* Last resort: name who holds each, then detach lazily. */
			for (int i = 0; i < n; i++) {
				r->busy++;
				if (o->busy)
					o->busy(c, list[i]->target);
			}
			for (int i = 0; i < n; i++)
				if (!o->umount(c, list[i]->target, MNT_DETACH))
					r->detached++;
			mountinfo_free(&t);
			break;
		}
		for (int i = 0; i < n; i++) {
			if (!o->umount(c, list[i]->target, 0)) {
				r->unmounted++;
				progress = true;
			}
		}
		mountinfo_free(&t);
		if (!progress)
			o->sleep_ms(c, 200);
		else
			pass--; /* only passes without progress count as retries */
	}
	free(list);
	r->released = r->busy == 0;
	return 0;
}

int switch_leave(const struct switch_ops *o, void *c, const char *newroot)
{
	char to[PATH_MAX];
	size_t moved = 0;
	bool fresh_run = false;
	int rc;
	for (size_t i = 0; i < sizeof plan_api_mounts / sizeof plan_api_mounts[0]; i++) {
		const char *m = plan_api_mounts[i];
		snprintf(to, sizeof to, "%s%s", newroot, m);
		if (!is_mount(o, c, m))
			continue;
		if ((rc = o->mkdir(c, to)))
			goto undo;
		/* The init boots afresh: it gets an empty /run as from an
		 * initramfs, not the old one full of pid files, sockets and
		 * the udev database of processes that are gone. The old /run
		 * goes away with the RAM root. */
		if (!strcmp(m, "/run")) {
			if ((rc = o->mount(c, "tmpfs", to, "tmpfs", MS_NOSUID | MS_NODEV,
					   "mode=0755")))
				goto undo;
			fresh_run = true;
			continue;
		}
		if ((rc = o->mount(c, m, to, NULL, MS_MOVE, NULL)))
			goto undo;
		moved |= 1u << i;
	}
	if ((rc = o->chdir(c, newroot)) || (rc = o->pivot_root(c, ".", ".")))
		goto undo;
	/* The RAM root now sits beneath the new root at "."; let it go. */
	o->umount(c, ".", MNT_DETACH);
	o->chdir(c, "/");
	return 0;
undo:
	for (size_t i = 0; i < sizeof plan_api_mounts / sizeof plan_api_mounts[0]; i++) {
		if (!(moved & (1u << i)))
			continue;
		snprintf(to, sizeof to, "%s%s", newroot, plan_api_mounts[i]);
		o->mount(c, to, plan_api_mounts[i], NULL, MS_MOVE, NULL);
	}
	if (fresh_run) {
		snprintf(to, sizeof to, "%s/run", newroot);
		o->umount(c, to, MNT_DETACH);
	}
	o->chdir(c, "/");
	return rc;
}

int switch_swapoff_all(void)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[PATH_MAX + 128], path[PATH_MAX];
	int n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%4095s", path) != 1 || !strcmp(path, "Filename"))
			continue;
		mountinfo_unescape(path);
		if (!swapoff(path))
			n++;
	}
	fclose(f);
	return n;
}

/* Kernel ABI (linux/loop.h), which musl-gcc cannot include. */
#define LOOP_CLR_FD 0x4C01
#define LOOP_SET_STATUS64 0x4C04
#define LOOP_GET_STATUS64 0x4C05
#define LO_FLAGS_OFFSET 52 /* lo_flags in struct loop_info64 */
#define LO_FLAGS_AUTOCLEAR 4u

static bool loop_has_holders(int i)
{
	char dir[64];
	bool any = false;
	snprintf(dir, sizeof dir, "/sys/block/loop%d/holders", i);
	DIR *d = opendir(dir);
	for (struct dirent *de; d && !any && (de = readdir(d));)
		any = de->d_name[0] != '.';
	if (d)
		closedir(d);
	return any;
}

int switch_detach_loops(void)
{
	struct mnt_table t;
	char dev[32];
	unsigned char status[232]; /* struct loop_info64 */
	int n = 0;
	if (mountinfo_load("/proc/self/mountinfo", &t))
		return 0;
	for (int i = 0; i < 256; i++) {
		struct stat st;
		bool mounted = false;
		snprintf(dev, sizeof dev, "/dev/loop%d", i);
		if (stat(dev, &st) || !S_ISBLK(st.st_mode))
			continue;
		/* A mounted loop device is released with its mount; detaching it
		 * now would only set autoclear and lose it for a return. */
		for (size_t k = 0; k < t.n && !mounted; k++)
			mounted =
			    t.v[k].major == major(st.st_rdev) && t.v[k].minor == minor(st.st_rdev);
		/* Nor one that holds a dm/md device (the old root's stack):
		 * rescue/storage tears it down in order and rebuilds it. */
		if (mounted || loop_has_holders(i))
			continue;
		int fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (ioctl(fd, LOOP_GET_STATUS64, status) == 0 && ioctl(fd, LOOP_CLR_FD, 0) == 0) {
			unsigned char now[232];
			uint32_t flags;
			memcpy(&flags, status + LO_FLAGS_OFFSET, sizeof flags);
			/* Still bound: someone else has it open (a mount or a
			 * process in another namespace: a container's host).
			 * The kernel only set autoclear; take that back. */
			if (ioctl(fd, LOOP_GET_STATUS64, now) == 0) {
				if (!(flags & LO_FLAGS_AUTOCLEAR))
					ioctl(fd, LOOP_SET_STATUS64, status);
			} else {
				n++;
			}
		}
		close(fd);
	}
	mountinfo_free(&t);
	return n;
}
