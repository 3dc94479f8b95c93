/* leftover: finding and removing what an interrupted or killed takeover
 * left behind, so that no later re-exec of the init runs lifeboat. */
#include "rescue/leftover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "core/sys.h"

static bool from_rescue_tmpfs(const struct mnt_entry *e)
{
	return !strcmp(e->source, RESCUE_TMPFS_SOURCE) && !strcmp(e->fstype, "tmpfs");
}

size_t leftover_mounts(const struct mnt_table *t, const struct mnt_entry **out, size_t cap)
{
	size_t n = 0;
	/* Pass 0: binds of its files elsewhere (over the init); pass 1: the
	 * tmpfs itself. Latest first within each, as they stack. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = t->n; i-- > 0 && n < cap;) {
			const struct mnt_entry *e = &t->v[i];
			if (from_rescue_tmpfs(e) &&
			    mountinfo_path_under(e->target, RESCUE_DIR) == (pass == 1))
				out[n++] = e;
		}
	return n;
}

void leftover_boot_id(char *out, size_t cap)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, out, cap - 1) : -1;
	if (fd >= 0)
		close(fd);
	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
}

int leftover_state_read(const char *path, struct rescue_state *s, const char **why)
{
	char buf[16384], boot[40];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof buf);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	plan_state_init(s);
	if (plan_state_parse(buf, (size_t)n, s))
		return -EBADMSG;
	leftover_boot_id(boot, sizeof boot);
	const char *w = plan_state_stale(s, boot, sys_clock_ms(CLOCK_BOOTTIME));
	if (why)
		*why = w;
	return w ? -ESTALE : 0;
}

int leftover_clean(void)
{
	struct mnt_table t;
	int rc = mountinfo_load("/proc/self/mountinfo", &t), n = 0;
	if (rc)
		return rc;
	const struct mnt_entry **v = calloc(t.n ? t.n : 1, sizeof *v);
	if (!v) {
		mountinfo_free(&t);
		return -ENOMEM;
	}
	size_t k = leftover_mounts(&t, v, t.n);
	for (size_t i = 0; i < k; i++)
		if (!umount2(v[i]->target, MNT_DETACH))
			n++;
	free(v);
	mountinfo_free(&t);
	rmdir(RESCUE_DIR);
	return n;
}
