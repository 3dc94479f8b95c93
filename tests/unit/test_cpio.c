/* cpio: the newc header against a hand-made vector, a tree written and read
 * back by GNU cpio (the kernel's format), reproducible bytes, and
 * `lifeboat mkrescue` giving the same image twice. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rescue/cpio.h"
#include "roles.h"

static void test_header(void **state)
{
	(void)state;
	uint8_t b[256];
	struct wbuf w;
	struct cpio_entry e = {.name = "init", .mode = 0100755, .ino = 1, .nlink = 1, .size = 5};
	wbuf_init(&w, b, sizeof b);
	assert_int_equal(cpio_header(&w, &e), 0);
	/* 110 + "init\0" = 115, padded to 116 */
	assert_int_equal(w.len, 116);
	assert_memory_equal(b,
			    "070701"
			    "00000001"
			    "000081ED"
			    "00000000"
			    "00000000"
			    "00000001"
			    "00000000"
			    "00000005"
			    "00000000"
			    "00000000"
			    "00000000"
			    "00000000"
			    "00000005"
			    "00000000"
			    "init\0\0",
			    116);
	e.name = "/abs";
	assert_int_equal(cpio_header(&w, &e), -EINVAL);
	e.name = "";
	assert_int_equal(cpio_header(&w, &e), -EINVAL);
	e.name = "a";
	wbuf_init(&w, b, 100);
	assert_int_equal(cpio_header(&w, &e), -ENOBUFS);
	assert_int_equal(w.len, 0);
	assert_int_equal(cpio_pad(0), 0);
	assert_int_equal(cpio_pad(1), 3);
	assert_int_equal(cpio_pad(4), 0);
	assert_int_equal(cpio_pad(7), 1);
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

/* A small tree: files of several lengths (padding), a symlink, an empty
 * directory, a nested one. */
static void make_tree(const char *d)
{
	char p[1024];
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(p, sizeof p, "%s/bin", d);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/empty", d);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/init", d);
	write_file(p, "#!/bin/sh\necho hi\n", 0755);
	snprintf(p, sizeof p, "%s/bin/a", d);
	write_file(p, "a", 0644);
	snprintf(p, sizeof p, "%s/bin/abc", d);
	write_file(p, "abc", 0600);
	snprintf(p, sizeof p, "%s/bin/sh", d);
	assert_int_equal(symlink("busybox", p), 0);
}

static int write_archive(const char *dir, const char *out)
{
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct cpio_out co;
	assert_true(fd >= 0);
	cpio_out_init(&co, fd);
	int rc = cpio_add_tree(&co, dir);
	if (!rc)
		rc = cpio_add_dev(&co, "dev/console", 0020600, 5, 1);
	if (!rc)
		rc = cpio_finish(&co);
	assert_int_equal(co.off % 512, 0);
	close(fd);
	return rc;
}

static char *file_text(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *b = calloc(1, 1 << 20);
	*n = fread(b, 1, (1 << 20) - 1, f);
	fclose(f);
	return b;
}

static void test_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/lb-cpio.XXXXXX", src[64], a1[64], a2[64], cmd[2048];
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof src, "%s/src", dir);
	snprintf(a1, sizeof a1, "%s/a1.cpio", dir);
	snprintf(a2, sizeof a2, "%s/a2.cpio", dir);
	make_tree(src);
	assert_int_equal(write_archive(src, a1), 0);
	/* the same tree again: the same bytes */
	assert_int_equal(write_archive(src, a2), 0);
	snprintf(cmd, sizeof cmd, "cmp -s %s %s", a1, a2);
	assert_int_equal(system(cmd), 0);
	/* GNU cpio lists it in our order, with modes and the link */
	snprintf(cmd, sizeof cmd,
		 "cd %s && cpio -itv --quiet < a1.cpio | awk '{print $1, $NF}' > list.txt && "
		 "mkdir out && cd out && cpio -id --quiet --no-absolute-filenames "
		 "--nonmatching 'dev/console' < ../a1.cpio",
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/list.txt", dir);
	size_t n;
	char *list = file_text(cmd, &n);
	assert_string_equal(list, "drwxr-xr-x bin\n"
				  "-rw-r--r-- bin/a\n"
				  "-rw------- bin/abc\n"
				  "lrwxrwxrwx busybox\n"
				  "drwx------ empty\n"
				  "-rwxr-xr-x init\n"
				  "crw------- dev/console\n");
	free(list);
	snprintf(cmd, sizeof cmd, "diff -r --no-dereference %s %s/out && test \"$(readlink %s/out/bin/sh)\" = busybox",
		 src, dir, dir);
	assert_int_equal(system(cmd), 0);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkrescue twice from the same inputs: the same bytes (gzip -n, sorted
 * entries, fixed owners and times). busybox-static stands in for the
 * static /init. */
static void test_mkrescue_reproducible(void **state)
{
	(void)state;
	if (access("/usr/bin/busybox", X_OK) && access("/bin/busybox", X_OK))
		skip();
	const char *bb = access("/usr/bin/busybox", X_OK) ? "/bin/busybox" : "/usr/bin/busybox";
	char dir[] = "/tmp/lb-mkr.XXXXXX", out[2][64], key[64], cmd[1400];
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof key, "%s/k.pub", dir);
	write_file(key, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB test@lab\n", 0644);
	for (int i = 0; i < 2; i++) {
		snprintf(out[i], sizeof out[i], "%s/r%d.img", dir, i);
		char *argv[] = {"mkrescue", "-o", out[i], "--init", (char *)bb, "--busybox",
				(char *)bb, "--modules", "none", "--compress", "gzip",
				"--ssh-key", key, NULL};
		assert_int_equal(mkrescue_main(13, argv), 0);
	}
	snprintf(cmd, sizeof cmd, "cmp %s %s", out[0], out[1]);
	assert_int_equal(system(cmd), 0);
	/* what the image contract says is there */
	snprintf(cmd, sizeof cmd,
		 "cd %s && gzip -dc r0.img | cpio -itv --quiet > l.txt && "
		 "grep -q ' init$' l.txt && grep -q ' bin/lifeboat -> /init$' l.txt && "
		 "grep -q ' bin/busybox$' l.txt && grep -q ' bin/sh -> busybox$' l.txt && "
		 "grep -q '^drwx------ .* root/.ssh$' l.txt && "
		 "grep -q '^-rw------- .* root/.ssh/authorized_keys$' l.txt && "
		 "grep -q ' etc/lifeboat/rescue$' l.txt && grep -q ' etc/lifeboat/modules$' l.txt && "
		 "! grep -v ' root  *root ' l.txt | grep -q .",
		 dir);
	assert_int_equal(system(cmd), 0);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_mkrescue_reproducible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
