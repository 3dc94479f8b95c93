/* The switch sequences run against a fake mount table (no syscalls): the
 * order of pivots, moves and unmounts and the retry/busy logic. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "rescue/plan.h"
#include "rescue/switch.h"

struct fmnt {
	int id, parent;
	char target[128];
	int busy_left; /* EBUSY this many more times */
	bool busy_forever;
	bool gone;
};

struct fake {
	struct fmnt m[32];
	int n;
	char log[8192];
	char cwd[128];
	int fail_pivot; /* errno to fail pivot_root with */
	char busy[512];
	int sleeps;
};

static void logf_(struct fake *f, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(f->log);
	va_start(ap, fmt);
	vsnprintf(f->log + l, sizeof f->log - l, fmt, ap);
	va_end(ap);
}

static struct fmnt *add(struct fake *f, int id, int parent, const char *t)
{
	struct fmnt *m = &f->m[f->n++];
	memset(m, 0, sizeof *m);
	m->id = id;
	m->parent = parent;
	snprintf(m->target, sizeof m->target, "%s", t);
	return m;
}

static struct fmnt *find(struct fake *f, const char *t)
{
	for (int i = f->n - 1; i >= 0; i--)
		if (!f->m[i].gone && !strcmp(f->m[i].target, t))
			return &f->m[i];
	return NULL;
}

/* Re-roots every live target under prefix "from" to "to". */
static void rebase(struct fake *f, const char *from, const char *to, struct fmnt *only_tree)
{
	for (int i = 0; i < f->n; i++) {
		struct fmnt *m = &f->m[i];
		char nt[128];
		if (m->gone || !mountinfo_path_under(m->target, from))
			continue;
		(void)only_tree;
		const char *rest = m->target + (strcmp(from, "/") ? strlen(from) : 0);
		snprintf(nt, sizeof nt, "%s%s", strcmp(to, "/") || !*rest ? to : "", rest);
		snprintf(m->target, sizeof m->target, "%s", nt);
	}
}

static int f_mount(void *c, const char *src, const char *tgt, const char *type,
		   unsigned long flags, const char *data)
{
	struct fake *f = c;
	(void)type;
	(void)data;
	if (flags & MS_PRIVATE) {
		logf_(f, "private %s;", tgt);
		return 0;
	}
	if (type && !strcmp(type, "tmpfs")) {
		logf_(f, "tmpfs %s;", tgt);
		add(f, 100 + f->n, 0, tgt);
		return 0;
	}
	if (flags & MS_MOVE) {
		if (!find(f, src))
			return -EINVAL;
		logf_(f, "move %s %s;", src, tgt);
		rebase(f, src, tgt, NULL);
		return 0;
	}
	return -ENOTSUP;
}

/* Like the kernel: a mount with mounts beneath it is busy. Parent ids are
 * not updated on moves here, so "beneath" is decided by path. */
static bool has_children(struct fake *f, const struct fmnt *m)
{
	for (int i = 0; i < f->n; i++)
		if (!f->m[i].gone && &f->m[i] != m &&
		    mountinfo_path_under(f->m[i].target, m->target) &&
		    strcmp(f->m[i].target, m->target))
			return true;
	return false;
}

static void detach_tree(struct fake *f, struct fmnt *m)
{
	for (int i = 0; i < f->n; i++)
		if (!f->m[i].gone && mountinfo_path_under(f->m[i].target, m->target))
			f->m[i].gone = true;
}

static int f_umount(void *c, const char *tgt, int flags)
{
	struct fake *f = c;
	if (!strcmp(tgt, ".")) {
		/* after pivot_root(".", ".") the old root is the lower "/" */
		for (int i = 0; i < f->n; i++)
			if (!f->m[i].gone && !strcmp(f->m[i].target, "/")) {
				f->m[i].gone = true;
				logf_(f, "detach .;");
				return 0;
			}
		return -EINVAL;
	}
	struct fmnt *m = find(f, tgt);
	if (!m)
		return -EINVAL;
	if (flags & MNT_DETACH) {
		logf_(f, "detach %s;", tgt);
		detach_tree(f, m);
		return 0;
	}
	if (has_children(f, m) || m->busy_forever || (m->busy_left > 0 && m->busy_left--))
		return -EBUSY;
	logf_(f, "umount %s;", tgt);
	m->gone = true;
	return 0;
}

static int f_pivot(void *c, const char *nr, const char *put_old)
{
	struct fake *f = c;
	if (f->fail_pivot)
		return -f->fail_pivot;
	logf_(f, "pivot %s %s;", nr, put_old);
	if (!strcmp(nr, ".")) {
		rebase(f, f->cwd, "/", NULL);
		return 0;
	}
	/* old tree under put_old, new root's tree at / */
	char old[128];
	snprintf(old, sizeof old, "%s", put_old + strlen(nr));
	for (int i = 0; i < f->n; i++) {
		struct fmnt *m = &f->m[i];
		char nt[128];
		if (m->gone)
			continue;
		if (mountinfo_path_under(m->target, nr)) {
			const char *rest = m->target + strlen(nr);
			snprintf(nt, sizeof nt, "%s", *rest ? rest : "/");
		} else {
			snprintf(nt, sizeof nt, "%s%s", old, strcmp(m->target, "/") ? m->target : "");
		}
		snprintf(m->target, sizeof m->target, "%s", nt);
	}
	return 0;
}

static int f_chdir(void *c, const char *p)
{
	struct fake *f = c;
	snprintf(f->cwd, sizeof f->cwd, "%s", p);
	return 0;
}

static int f_mkdir(void *c, const char *p)
{
	(void)c;
	(void)p;
	return 0;
}

static int f_load(void *c, struct mnt_table *t)
{
	struct fake *f = c;
	char buf[8192];
	size_t len = 0;
	for (int i = 0; i < f->n; i++) {
		if (f->m[i].gone)
			continue;
		char esc[256];
		size_t o = 0;
		for (const char *s = f->m[i].target; *s; s++)
			o += (size_t)(*s == ' ' ? snprintf(esc + o, sizeof esc - o, "\\040")
						: snprintf(esc + o, sizeof esc - o, "%c", *s));
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%d %d 0:%d / %s rw - tmpfs t rw\n",
					f->m[i].id, f->m[i].parent, f->m[i].id, esc);
	}
	return mountinfo_parse(buf, len, t);
}

static void f_sleep(void *c, unsigned ms)
{
	(void)ms;
	((struct fake *)c)->sleeps++;
}

static void f_busy(void *c, const char *t)
{
	struct fake *f = c;
	size_t l = strlen(f->busy);
	snprintf(f->busy + l, sizeof f->busy - l, "%s;", t);
}

static const struct switch_ops fops = {
	.mount = f_mount, .umount = f_umount, .pivot_root = f_pivot, .chdir = f_chdir,
	.mkdir = f_mkdir, .load_mountinfo = f_load, .sleep_ms = f_sleep, .busy = f_busy,
};

/* A Debian-like system with the rescue tmpfs mounted under /run. */
static void debian(struct fake *f)
{
	memset(f, 0, sizeof *f);
	add(f, 1, 0, "/");
	add(f, 2, 1, "/dev");
	add(f, 3, 2, "/dev/pts");
	add(f, 4, 1, "/proc");
	add(f, 5, 1, "/sys");
	add(f, 6, 1, "/run");
	add(f, 7, 1, "/home");
	add(f, 8, 7, "/home/my data");
	add(f, 9, 6, RESCUE_DIR);
}

static void test_enter(void **state)
{
	(void)state;
	struct fake f;
	int failed;
	debian(&f);
	assert_int_equal(switch_enter(&fops, &f, RESCUE_DIR, &failed), 0);
	assert_int_equal(failed, 0);
	assert_string_equal(f.log, "private /;pivot " RESCUE_DIR " " RESCUE_DIR "/oldroot;"
				   "move /oldroot/dev /dev;move /oldroot/proc /proc;"
				   "move /oldroot/sys /sys;move /oldroot/run /run;");
	assert_int_equal(find(&f, "/")->id, 9);
	assert_int_equal(find(&f, "/oldroot")->id, 1);
	assert_int_equal(find(&f, "/dev/pts")->id, 3);
	assert_int_equal(find(&f, "/run")->id, 6);
	assert_int_equal(find(&f, "/oldroot/home/my data")->id, 8);
	assert_string_equal(f.cwd, "/");
}

static void test_enter_pivot_fails(void **state)
{
	(void)state;
	struct fake f;
	int failed;
	debian(&f);
	f.fail_pivot = EINVAL;
	assert_int_equal(switch_enter(&fops, &f, RESCUE_DIR, &failed), -EINVAL);
	assert_null(strstr(f.log, "move"));
	assert_int_equal(find(&f, "/")->id, 1);
}

static void test_release(void **state)
{
	(void)state;
	struct fake f;
	struct release_report r;
	int failed;
	debian(&f);
	switch_enter(&fops, &f, RESCUE_DIR, &failed);
	f.log[0] = 0;
	find(&f, "/oldroot/home")->busy_left = 2; /* e.g. a process still exiting */
	assert_int_equal(switch_release(&fops, &f, OLDROOT, 5, &r), 0);
	assert_true(r.released);
	assert_int_equal(r.unmounted, 3);
	assert_int_equal(r.busy, 0);
	assert_string_equal(f.log, "umount /oldroot/home/my data;umount /oldroot/home;umount /oldroot;");
	assert_int_equal(f.sleeps, 1); /* the first EBUSY came in a pass with progress */
	assert_null(find(&f, "/oldroot"));
	assert_non_null(find(&f, "/dev/pts"));
	assert_string_equal(f.busy, "");
}

static void test_release_busy_forever(void **state)
{
	(void)state;
	struct fake f;
	struct release_report r;
	int failed;
	debian(&f);
	switch_enter(&fops, &f, RESCUE_DIR, &failed);
	f.log[0] = 0;
	find(&f, "/oldroot/home")->busy_forever = true;
	assert_int_equal(switch_release(&fops, &f, OLDROOT, 3, &r), 0);
	assert_false(r.released);
	assert_int_equal(r.unmounted, 1);
	assert_int_equal(r.busy, 2);
	assert_true(r.detached >= 1);
	assert_string_equal(f.busy, "/oldroot/home;/oldroot;");
	assert_int_equal(f.sleeps, 4); /* retries + 1 passes without progress */
	assert_null(find(&f, "/oldroot"));
}

static void test_leave(void **state)
{
	(void)state;
	struct fake f;
	int failed;
	debian(&f);
	switch_enter(&fops, &f, RESCUE_DIR, &failed);
	struct release_report r;
	switch_release(&fops, &f, OLDROOT, 1, &r);
	add(&f, 20, 9, NEWROOT);
	f.log[0] = 0;
	assert_int_equal(switch_leave(&fops, &f, NEWROOT), 0);
	assert_string_equal(f.log, "move /dev /newroot/dev;move /proc /newroot/proc;"
				   "move /sys /newroot/sys;tmpfs /newroot/run;"
				   "pivot . .;detach .;");
	assert_int_equal(find(&f, "/dev/pts")->id, 3);
	assert_string_equal(f.cwd, "/");
}

static void test_leave_pivot_fails_undoes(void **state)
{
	(void)state;
	struct fake f;
	int failed;
	debian(&f);
	switch_enter(&fops, &f, RESCUE_DIR, &failed);
	add(&f, 20, 9, NEWROOT);
	f.log[0] = 0;
	f.fail_pivot = EBUSY;
	assert_int_equal(switch_leave(&fops, &f, NEWROOT), -EBUSY);
	/* the API filesystems are back where the rescue shell expects them */
	assert_int_equal(find(&f, "/dev")->id, 2);
	assert_int_equal(find(&f, "/proc")->id, 4);
	assert_int_equal(find(&f, "/run")->id, 6);
	assert_non_null(strstr(f.log, "move /newroot/dev /dev;"));
	assert_null(find(&f, "/newroot/run")); /* the fresh tmpfs is gone again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter),
		cmocka_unit_test(test_enter_pivot_fails),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_busy_forever),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_leave_pivot_fails_undoes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
