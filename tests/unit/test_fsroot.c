/* fsroot: hostile client paths (pure cleaning) and hostile trees (opening
 * beneath a temp root with symlinks, FIFOs, devices, sockets). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/fsroot.h"
#include "testutil.h"

struct clean_case {
	const char *in;
	size_t n; /* 0: strlen(in) */
	const char *want; /* NULL: refused with -EINVAL */
};

#define REFUSE(s) { s, sizeof(s) - 1, NULL }
#define OK(s, w) { s, sizeof(s) - 1, w }

static const struct clean_case clean_cases[] = {
	OK("a", "a"),
	OK("pxelinux.0", "pxelinux.0"),
	OK("/a", "a"),
	OK("//a//b/", "a/b"),
	OK("./a/./b/.", "a/b"),
	OK("a\\b", "a/b"),
	OK("\\boot\\x64\\wdsnbp.com", "boot/x64/wdsnbp.com"),
	OK("/\\/a", "a"),
	OK("...", "..."),
	OK("..a", "..a"),
	OK("a..", "a.."),
	OK("a/...b/c", "a/...b/c"),
	OK(".hidden", ".hidden"),
	OK("%2e%2e/x", "%2e%2e/x"), /* no decoding here: a literal name */
	OK("caf\xc3\xa9", "caf\xc3\xa9"), /* UTF-8 passes */
	OK("sp ace", "sp ace"),
	/* ".." in every position, with either separator */
	REFUSE(".."),
	REFUSE("/.."),
	REFUSE("../"),
	REFUSE("../a"),
	REFUSE("a/.."),
	REFUSE("a/../b"),
	REFUSE("a/b/../../c"),
	REFUSE("/../etc/passwd"),
	REFUSE("..\\a"),
	REFUSE("a\\..\\b"),
	REFUSE("a\\.."),
	REFUSE("\\..\\..\\windows"),
	REFUSE("a/./../b"),
	REFUSE("a//..//b"),
	/* empty results */
	REFUSE(""),
	REFUSE("/"),
	REFUSE("//"),
	REFUSE("."),
	REFUSE("./"),
	REFUSE("/./."),
	REFUSE("\\"),
	/* control bytes anywhere, and NUL inside the counted string */
	REFUSE("a\nb"),
	REFUSE("\ta"),
	REFUSE("a\r"),
	REFUSE("a\x1b[31m"),
	REFUSE("a\x7f"),
	REFUSE("a\0b"),
	REFUSE("\0"),
	REFUSE("dir/\x01/f"),
};

static void test_clean_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof clean_cases / sizeof clean_cases[0]; i++) {
		const struct clean_case *c = &clean_cases[i];
		char out[FSROOT_PATH_MAX];
		int r = fsroot_clean_path(c->in, c->n, out, sizeof out);
		if (!c->want) {
			if (r != -EINVAL)
				fail_msg("case %zu: accepted, gave \"%s\"", i, out);
			continue;
		}
		if (r < 0)
			fail_msg("case %zu (\"%s\"): refused", i, c->want);
		assert_int_equal(r, strlen(c->want));
		assert_string_equal(out, c->want);
		/* cleaning is idempotent */
		char again[FSROOT_PATH_MAX];
		assert_int_equal(fsroot_clean_path(out, (size_t)r, again, sizeof again), r);
		assert_string_equal(again, out);
	}
}

/* Results must fit in cap with their NUL; longer is refused, never cut. */
static void test_clean_overlong(void **state)
{
	(void)state;
	char in[4096], out[FSROOT_PATH_MAX];
	memset(in, 'x', sizeof in);
	assert_int_equal(fsroot_clean_path(in, FSROOT_PATH_MAX - 1, out, sizeof out),
			 FSROOT_PATH_MAX - 1);
	assert_int_equal(fsroot_clean_path(in, FSROOT_PATH_MAX, out, sizeof out), -EINVAL);
	assert_int_equal(fsroot_clean_path(in, sizeof in, out, sizeof out), -EINVAL);
	/* separators that vanish do not count against the limit */
	char sl[FSROOT_PATH_MAX + 10];
	memset(sl, '/', sizeof sl);
	sl[sizeof sl - 1] = 'a';
	assert_int_equal(fsroot_clean_path(sl, sizeof sl, out, sizeof out), 1);
	/* tiny buffers */
	assert_int_equal(fsroot_clean_path("a", 1, out, 0), -EINVAL);
	assert_int_equal(fsroot_clean_path("a", 1, out, 1), -EINVAL);
	assert_int_equal(fsroot_clean_path("a", 1, out, 2), 1);
	assert_int_equal(fsroot_clean_path("a/b", 3, out, 3), -EINVAL);
	assert_int_equal(fsroot_clean_path("a/b", 3, out, 4), 3);
}

/* ---- opening beneath a temp root ---- */

struct tree {
	char top[64];
	char root[96];
	struct fsroot r;
	bool have_dev;
};

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void link_at(const char *dir, const char *name, const char *target)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_int_equal(symlink(target, p), 0);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof *t);
	char p[256];
	assert_non_null(t);
	snprintf(t->top, sizeof t->top, "/tmp/lbt-fsroot-XXXXXX");
	assert_non_null(mkdtemp(t->top));
	snprintf(t->root, sizeof t->root, "%s/root", t->top);
	assert_int_equal(mkdir(t->root, 0755), 0);
	put(t->top, "secret", "outside");
	put(t->root, "file", "hello");
	snprintf(p, sizeof p, "%s/dir", t->root);
	assert_int_equal(mkdir(p, 0755), 0);
	put(p, "inner", "inner");
	link_at(t->root, "good-link", "file");		  /* stays inside: fine */
	link_at(t->root, "good-dir-link", "dir");	  /* stays inside: fine */
	link_at(p, "up-inside", "../file");		  /* .. that stays inside */
	link_at(t->root, "rel-escape", "../secret");	  /* relative, out */
	link_at(t->root, "abs-escape", "/etc/passwd");	  /* absolute, out */
	link_at(t->root, "abs-root", "/");		  /* a directory out */
	link_at(t->root, "dir-escape", "..");		  /* used as a component */
	link_at(t->root, "chain1", "chain2");		  /* chain, last hop out */
	link_at(t->root, "chain2", "dir/../../secret");
	link_at(t->root, "loop1", "loop2");
	link_at(t->root, "loop2", "loop1");
	link_at(t->root, "dangling", "nothing-here");
	link_at(t->root, "proc-self", "/proc/self/root/etc/passwd"); /* magic link */
	snprintf(p, sizeof p, "%s/fifo", t->root);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof p, "%s/null", t->root);
	t->have_dev = mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0; /* needs root */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/sock", t->root);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof sun), 0);
	close(s);
	assert_int_equal(fsroot_init(&t->r, t->root), 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];
	fsroot_close(&t->r);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->top);
	int r = system(cmd);
	free(t);
	return r ? -1 : 0;
}

enum want { WANT_OK, WANT_NOENT, WANT_ISDIR, WANT_NOTREG, WANT_ESCAPE, WANT_LOOP, WANT_NOTDIR };

struct open_case {
	const char *path; /* already clean */
	enum want want;
	const char *content;
	bool link; /* a symlink on the way: the no-openat2 walk refuses it */
};

static const struct open_case open_cases[] = {
	{ "file", WANT_OK, "hello", false },
	{ "dir/inner", WANT_OK, "inner", false },
	{ "good-link", WANT_OK, "hello", true },
	{ "good-dir-link/inner", WANT_OK, "inner", true },
	{ "dir/up-inside", WANT_OK, "hello", true },
	{ "missing", WANT_NOENT, NULL, false },
	{ "dir/missing", WANT_NOENT, NULL, false },
	{ "dangling", WANT_NOENT, NULL, true },
	{ "file/x", WANT_NOTDIR, NULL, false },
	{ "dir", WANT_ISDIR, NULL, false },
	{ "good-dir-link", WANT_ISDIR, NULL, true },
	{ "fifo", WANT_NOTREG, NULL, false },
	{ "sock", WANT_NOTREG, NULL, false },
	{ "rel-escape", WANT_ESCAPE, NULL, false },
	{ "abs-escape", WANT_ESCAPE, NULL, false },
	{ "abs-root", WANT_ESCAPE, NULL, false },
	{ "dir-escape/secret", WANT_ESCAPE, NULL, false },
	{ "chain1", WANT_ESCAPE, NULL, false },
	{ "proc-self", WANT_ESCAPE, NULL, false },
	{ "loop1", WANT_LOOP, NULL, false },
	/* a path cleaning would refuse, to show openat2 holds on its own */
	{ "../secret", WANT_ESCAPE, NULL, false },
	{ "dir/../../secret", WANT_ESCAPE, NULL, false },
	{ "/etc/passwd", WANT_ESCAPE, NULL, false },
};

static void check_open(struct tree *t, const struct open_case *c)
{
	struct stat st;
	int fd = fsroot_open(&t->r, c->path, &st);
	/* fsroot takes the walk when openat2 says ENOSYS (qemu-user) */
	if ((t->r.walk || !tu_have_openat2()) && c->link) {
		if (fd != -EACCES)
			fail_msg("%s: the walk follows no symlink, got %d", c->path, fd);
		return;
	}
	switch (c->want) {
	case WANT_OK: {
		char buf[64] = { 0 };
		if (fd < 0)
			fail_msg("%s: refused with %d", c->path, fd);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_size, strlen(c->content));
		assert_int_equal(read(fd, buf, sizeof buf - 1), (ssize_t)strlen(c->content));
		assert_string_equal(buf, c->content);
		/* handed out blocking and close-on-exec */
		assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
		break;
	}
	case WANT_NOENT:
		if (fd != -ENOENT)
			fail_msg("%s: expected -ENOENT, got %d", c->path, fd);
		break;
	case WANT_NOTDIR:
		if (fd != -ENOTDIR)
			fail_msg("%s: expected -ENOTDIR, got %d", c->path, fd);
		break;
	case WANT_ISDIR:
		if (fd != -EISDIR)
			fail_msg("%s: expected -EISDIR, got %d", c->path, fd);
		break;
	case WANT_NOTREG:
		if (fd != -EPERM)
			fail_msg("%s: expected -EPERM, got %d", c->path, fd);
		break;
	case WANT_ESCAPE:
		/* openat2 says EXDEV; the no-openat2 walk says EACCES */
		if (fd != -EXDEV && fd != -EACCES)
			fail_msg("%s: expected an escape refusal, got %d", c->path, fd);
		break;
	case WANT_LOOP:
		if (fd != -ELOOP && fd != -EACCES)
			fail_msg("%s: expected ELOOP, got %d", c->path, fd);
		break;
	}
}

static void test_open_table(void **state)
{
	struct tree *t = *state;
	for (size_t i = 0; i < sizeof open_cases / sizeof open_cases[0]; i++)
		check_open(t, &open_cases[i]);
	if (t->have_dev) {
		struct open_case dev = { "null", WANT_NOTREG, NULL, false };
		check_open(t, &dev);
	} else {
		print_message("mknod not permitted: device case skipped\n");
	}
}

/* The same table through the walk that kernels without openat2 get. */
static void test_walk_table(void **state)
{
	struct tree *t = *state;
	t->r.walk = true;
	test_open_table(state);
}

/* Watches name for IN_OPEN; -1 when this kernel also reports an O_PATH
 * look as an open (before 6.5), which would make the check meaningless. */
static int watch_opens(struct tree *t, const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", t->root, name);
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, p, IN_OPEN) >= 0);
	int pfd = open(p, O_PATH | O_CLOEXEC);
	assert_true(pfd >= 0);
	close(pfd);
	char ev[256];
	if (read(in, ev, sizeof ev) > 0) {
		close(in);
		return -1;
	}
	return in;
}

/* Refuses a FIFO or a device in a child under alarm(): should the open
 * block (a FIFO opened for reading waits for a writer), SIGALRM ends the
 * child and the test fails instead of hanging. */
static void refuse_promptly(struct tree *t, const char *name)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stat st;
		alarm(5);
		_exit(fsroot_open(&t->r, name, &st) == -EPERM ? 0 : 1);
	}
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	if (WIFSIGNALED(ws))
		fail_msg("%s (%s): the open blocked (signal %d)", name,
			 t->r.walk ? "walk" : "openat2", WTERMSIG(ws));
	if (!WIFEXITED(ws) || WEXITSTATUS(ws))
		fail_msg("%s (%s): not refused with -EPERM", name, t->r.walk ? "walk" : "openat2");
}

/* A FIFO or device node is refused by its type before anything opens it:
 * no IN_OPEN on it, and the refusal comes at once, with either resolver. */
static void test_special_never_opened(void **state)
{
	struct tree *t = *state;
	const char *names[] = {"fifo", "null"};
	for (int walk = 0; walk <= 1; walk++) {
		t->r.walk = walk;
		for (size_t i = 0; i < 2; i++) {
			if (i == 1 && !t->have_dev) {
				print_message("mknod not permitted: device case skipped\n");
				continue;
			}
			int in = watch_opens(t, names[i]);
			refuse_promptly(t, names[i]);
			if (in < 0) {
				print_message(
				    "kernel reports O_PATH as IN_OPEN: open check skipped\n");
				continue;
			}
			char ev[256];
			ssize_t n = read(in, ev, sizeof ev);
			close(in);
			if (n > 0)
				fail_msg("%s (%s) was opened before being refused", names[i],
					 walk ? "walk" : "openat2");
		}
	}
}

/* Every cleaned hostile name either opens something inside the root or is
 * refused: never the secret outside it. */
static void test_clean_then_open(void **state)
{
	struct tree *t = *state;
	static const char *const hostile[] = {
		"../secret", "..\\secret", "/../secret", "dir/../../secret", "rel-escape",
		"dir-escape/secret", "chain1", "/etc/passwd", "\\..\\secret", "abs-escape",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char clean[FSROOT_PATH_MAX];
		struct stat st;
		int n = fsroot_clean_path(hostile[i], strlen(hostile[i]), clean, sizeof clean);
		if (n < 0)
			continue;
		int fd = fsroot_open(&t->r, clean, &st);
		if (fd >= 0)
			fail_msg("%s opened", hostile[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_overlong),
		cmocka_unit_test_setup_teardown(test_open_table, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_walk_table, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_special_never_opened, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_clean_then_open, tree_setup, tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
