/* iso9660: images built here with xorriso (Rock Ridge, Joliet, plain ISO
 * names, deep directories, a file past 4 GiB in a sparse image) and
 * corrupted copies of them (malformed vectors). */
#include <errno.h>
#include <fcntl.h>
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

#include "netboot/iso9660.h"

static char tmp[64];

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		abort();
	}
}

static char long_name[256];

/* The tree every image is built from. */
static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof tmp, "/tmp/lb-iso-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	memset(long_name, 'n', 240);
	memcpy(long_name + 240, ".txt", 5);
	sh("cd %s && mkdir -p t/live t/deep/a/b/c/d/e/f/g/h/i/j && printf kernel-bytes > "
	   "t/live/vmlinuz && printf initrd > t/live/initrd.img && printf 'Mixed' > "
	   "'t/Mixed Case Name.txt' && printf deep > t/deep/a/b/c/d/e/f/g/h/i/j/deep.txt && "
	   "printf long > t/%s && head -c 100000 /dev/urandom > t/live/filesystem.squashfs",
	   tmp, long_name);
	sh("cd %s && xorriso -as mkisofs -R -J -V LBTEST -o rr.iso t 2>/dev/null", tmp);
	sh("cd %s && xorriso -as mkisofs --norock -J -joliet-long -o joliet.iso t 2>/dev/null", tmp);
	sh("cd %s && mkdir p && cp -r t/live p/ && xorriso -as mkisofs --norock -o plain.iso p 2>/dev/null",
	   tmp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", tmp);
	return 0;
}

struct img {
	int fd;
	struct iso_image iso;
};

static void img_open(struct img *m, const char *name)
{
	char p[128];
	struct stat st;
	const char *why = NULL;
	snprintf(p, sizeof p, "%s/%s", tmp, name);
	m->fd = open(p, O_RDONLY);
	assert_true(m->fd >= 0);
	assert_int_equal(fstat(m->fd, &st), 0);
	int r = iso_open(&m->iso, iso_pread, &m->fd, (uint64_t)st.st_size, &why);
	if (r)
		fprintf(stderr, "iso_open %s: %s\n", name, why);
	assert_int_equal(r, 0);
}

/* The file at path holds exactly want. */
static void expect_file(struct img *m, const char *path, const char *want)
{
	struct iso_entry e;
	const char *why = NULL;
	char buf[64];
	assert_int_equal(iso_lookup(&m->iso, path, &e, &why), 1);
	assert_false(e.dir);
	assert_int_equal(e.size, strlen(want));
	assert_int_equal(pread(m->fd, buf, e.size, (off_t)e.offset), (ssize_t)e.size);
	assert_memory_equal(buf, want, e.size);
}

static int count_visit(void *arg, const struct iso_entry *e)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static void test_rock_ridge(void **state)
{
	(void)state;
	struct img m;
	struct iso_entry e;
	const char *why = NULL;
	char path[300];
	img_open(&m, "rr.iso");
	assert_true(m.iso.rock_ridge);
	assert_string_equal(m.iso.volume_id, "LBTEST");
	expect_file(&m, "live/vmlinuz", "kernel-bytes");
	expect_file(&m, "/live/initrd.img", "initrd");
	expect_file(&m, "Mixed Case Name.txt", "Mixed");
	expect_file(&m, "deep/a/b/c/d/e/f/g/h/i/j/deep.txt", "deep");
	snprintf(path, sizeof path, "%s", long_name); /* NM split over a CE area */
	expect_file(&m, path, "long");
	assert_int_equal(iso_lookup(&m.iso, "live/VMLINUZ", &e, &why), 0); /* RR: exact case */
	assert_int_equal(iso_lookup(&m.iso, "live/nothing", &e, &why), 0);
	assert_int_equal(iso_lookup(&m.iso, "live/vmlinuz/x", &e, &why), 0);
	assert_int_equal(iso_lookup(&m.iso, "live", &e, &why), 1);
	assert_true(e.dir);
	int n = 0;
	assert_int_equal(iso_list(&m.iso, &e, 100, count_visit, &n, &why), 3);
	assert_int_equal(n, 3);
	assert_int_equal(iso_lookup(&m.iso, "", &e, &why), 1);
	n = 0;
	assert_int_equal(iso_list(&m.iso, &e, 2, count_visit, &n, &why), 2); /* max */
	close(m.fd);
}

static void test_joliet(void **state)
{
	(void)state;
	struct img m;
	img_open(&m, "joliet.iso");
	assert_false(m.iso.rock_ridge);
	assert_true(m.iso.joliet);
	expect_file(&m, "live/vmlinuz", "kernel-bytes");
	expect_file(&m, "Mixed Case Name.txt", "Mixed");
	expect_file(&m, "deep/a/b/c/d/e/f/g/h/i/j/deep.txt", "deep");
	close(m.fd);
}

static void test_plain_names(void **state)
{
	(void)state;
	struct img m;
	img_open(&m, "plain.iso");
	assert_false(m.iso.rock_ridge);
	assert_false(m.iso.joliet);
	expect_file(&m, "live/vmlinuz", "kernel-bytes"); /* VMLINUZ.;1 */
	expect_file(&m, "LIVE/VMLINUZ", "kernel-bytes");
	close(m.fd);
}

/* ---- raw images in memory, for sparse and corrupt copies ---- */

struct mem {
	uint8_t *p;
	size_t len;
};

static int mem_read(void *arg, uint64_t off, void *dst, size_t n)
{
	const struct mem *m = arg;
	if (off > m->len || n > m->len - off)
		return -EIO;
	memcpy(dst, m->p + off, n);
	return 0;
}

static struct mem load(const char *name)
{
	char p[128];
	struct stat st;
	struct mem m;
	snprintf(p, sizeof p, "%s/%s", tmp, name);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0 && fstat(fd, &st) == 0);
	m.len = (size_t)st.st_size;
	m.p = malloc(m.len);
	assert_int_equal(read(fd, m.p, m.len), (ssize_t)m.len);
	close(fd);
	return m;
}

static void put_both32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
		p[7 - i] = (uint8_t)(v >> (8 * i));
	}
}

/* The primary tree's directory record whose ISO name starts with name. */
static uint8_t *rec_of(struct mem *m, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 34; i + n < m->len; i++)
		if (m->p[i - 1] >= n && !memcmp(m->p + i, name, n) && m->p[i - 33] >= 34)
			return m->p + i - 33;
	fail_msg("no record %s", name);
	return NULL;
}

static uint8_t *find(struct mem *m, const void *s, size_t n)
{
	uint8_t *p = memmem(m->p, m->len, s, n);
	assert_non_null(p);
	return p;
}

/* A file moved past 4 GiB: the image is sparse (a hole up to the data). */
static void test_past_4g(void **state)
{
	(void)state;
	struct mem m = load("rr.iso");
	const uint64_t at = 5ull << 30;
	uint8_t *r = rec_of(&m, "VMLINUZ");
	put_both32(r + 2, (uint32_t)(at / ISO_SECTOR));
	char p[128];
	snprintf(p, sizeof p, "%s/big.iso", tmp);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, m.p, m.len, 0), (ssize_t)m.len);
	assert_int_equal(pwrite(fd, "kernel-bytes", 12, (off_t)at), 12);
	close(fd);
	free(m.p);
	struct img g;
	img_open(&g, "big.iso");
	expect_file(&g, "live/vmlinuz", "kernel-bytes");
	struct iso_entry e;
	const char *why;
	assert_int_equal(iso_lookup(&g.iso, "live/vmlinuz", &e, &why), 1);
	assert_int_equal(e.offset, at);
	struct stat st;
	assert_int_equal(fstat(g.fd, &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 < (64u << 20)); /* sparse */
	close(g.fd);
	unlink(p);
}

/* ---- malformed vectors: each corruption of rr.iso gives a clear error ---- */

enum { AT_OPEN, AT_LOOKUP };

static void cor_sig(struct mem *m) { memcpy(m->p + 32769, "CD002", 5); }
static void cor_blocksize(struct mem *m) { m->p[32768 + 128] = 0; m->p[32768 + 129] = 2; }
static void cor_root_len(struct mem *m) { m->p[32768 + 156] = 5; }
static void cor_root_lba(struct mem *m) { put_both32(m->p + 32768 + 158, 0x7fffffff); }
static void cor_truncate(struct mem *m) { m->len = 32768 + 4096; }
static void cor_name_len(struct mem *m) { rec_of(m, "LIVE")[32] = 250; }
static void cor_rec_len(struct mem *m) { rec_of(m, "LIVE")[0] = 20; }
static void cor_dir_lba(struct mem *m) { put_both32(rec_of(m, "LIVE") + 2, 0x00ffffff); }
static void cor_dir_size(struct mem *m) { put_both32(rec_of(m, "LIVE") + 10, 0xfffff000); }
static void cor_file_size(struct mem *m) { put_both32(rec_of(m, "VMLINUZ") + 10, 0x7fffffff); }
static void cor_multi(struct mem *m) { rec_of(m, "VMLINUZ")[25] |= 0x80; }
static void cor_nm_len(struct mem *m) { find(m, "NM\x0c\x01\x00vmlinuz", 12)[2] = 250; }
static void cor_nm_slash(struct mem *m) { find(m, "NM\x0c\x01\x00vmlinuz", 12)[6] = '/'; }

/* The long name's CE: pointed past the end, or at a CE pointing at itself. */
static uint8_t *long_ce(struct mem *m)
{
	uint8_t *nm = find(m, "NM", 2);
	for (; nm; nm = memmem(nm + 1, m->len - (size_t)(nm + 1 - m->p), "CE\x1c\x01", 4))
		if (!memcmp(nm, "CE\x1c\x01", 4))
			return nm;
	fail_msg("no CE entry");
	return NULL;
}
static void cor_ce_end(struct mem *m) { put_both32(long_ce(m) + 4, 0x00ffffff); }
static void cor_ce_len(struct mem *m) { put_both32(long_ce(m) + 20, 100000); }
static void cor_ce_loop(struct mem *m)
{
	uint8_t *ce = long_ce(m);
	uint32_t blk = ce[4] | ce[5] << 8 | ce[6] << 16 | (uint32_t)ce[7] << 24;
	uint32_t off = ce[12] | ce[13] << 8 | ce[14] << 16 | (uint32_t)ce[15] << 24;
	uint8_t *area = m->p + (size_t)blk * ISO_SECTOR + off;
	memcpy(area, "CE\x1c\x01", 4);
	put_both32(area + 4, blk);
	put_both32(area + 12, off);
	put_both32(area + 20, 28);
}

static const struct bad_vec {
	const char *what;
	void (*corrupt)(struct mem *m);
	int stage;
	const char *path;
} bad_vecs[] = {
    {"signature", cor_sig, AT_OPEN, NULL},
    {"block size", cor_blocksize, AT_OPEN, NULL},
    {"root record length", cor_root_len, AT_OPEN, NULL},
    {"root past the end", cor_root_lba, AT_OPEN, NULL},
    {"truncated image", cor_truncate, AT_OPEN, NULL},
    {"name longer than its record", cor_name_len, AT_LOOKUP, "live/vmlinuz"},
    {"record shorter than its header", cor_rec_len, AT_LOOKUP, "live/vmlinuz"},
    {"directory past the end", cor_dir_lba, AT_LOOKUP, "live/vmlinuz"},
    {"directory size past the end", cor_dir_size, AT_LOOKUP, "live/vmlinuz"},
    {"file size past the end", cor_file_size, AT_LOOKUP, "live/vmlinuz"},
    {"multi-extent without its next record", cor_multi, AT_LOOKUP, "live/vmlinuz"},
    {"NM length past its area", cor_nm_len, AT_LOOKUP, "live/vmlinuz"},
    {"NM with a slash", cor_nm_slash, AT_LOOKUP, "live/vmlinuz"},
    {"CE past the end", cor_ce_end, AT_LOOKUP, "zzz"},
    {"CE longer than a sector", cor_ce_len, AT_LOOKUP, "zzz"},
    {"CE loop", cor_ce_loop, AT_LOOKUP, "zzz"},
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_vecs / sizeof bad_vecs[0]; i++) {
		const struct bad_vec *v = &bad_vecs[i];
		struct mem m = load("rr.iso");
		struct iso_image iso;
		struct iso_entry e;
		const char *why = NULL;
		v->corrupt(&m);
		int r = iso_open(&iso, mem_read, &m, m.len, &why);
		if (v->stage == AT_LOOKUP) {
			assert_int_equal(r, 0);
			r = iso_lookup(&iso, v->path, &e, &why);
		}
		if (r != -EBADMSG && r != -EOPNOTSUPP)
			fail_msg("%s: got %d", v->what, r);
		assert_non_null(why);
		printf("  %-40s -> %s\n", v->what, why);
		free(m.p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rock_ridge),
	    cmocka_unit_test(test_joliet),
	    cmocka_unit_test(test_plain_names),
	    cmocka_unit_test(test_past_4g),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
