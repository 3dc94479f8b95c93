/* storstack: the stack under the old root and its teardown order, from
 * sysfs fixture trees built here (block/NAME/{dev,slaves,holders,dm,md,
 * loop}, dev/block/M:m links as the kernel makes them), and the dm-crypt
 * key forms (hex, keyring, none, malformed). */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
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

#include "rescue/storstack.h"

static char sys[64];

static void mkparents(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
}

/* REL (beneath the fixture) holding TEXT. */
static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", sys, rel);
	mkparents(p);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s/x", sys, rel);
	mkparents(p);
}

/* A block device (DISK/NAME for a partition) with its dev file and the
 * dev/block link. */
static void blk(const char *path, unsigned ma, unsigned mi)
{
	char rel[256], dev[32], link[PATH_MAX], target[256];
	snprintf(rel, sizeof rel, "block/%s/dev", path);
	snprintf(dev, sizeof dev, "%u:%u\n", ma, mi);
	put(rel, dev);
	snprintf(link, sizeof link, "%s/dev/block/%u:%u", sys, ma, mi);
	mkparents(link);
	snprintf(target, sizeof target, "../../block/%s", path);
	assert_int_equal(symlink(target, link), 0);
}

/* HOLDER is stacked on SLAVE (names, partitions by their own name; the
 * partition's directory is DISK/NAME). */
static void stack(const char *holder_dir, const char *holder, const char *slave_dir,
		  const char *slave)
{
	char l[PATH_MAX];
	snprintf(l, sizeof l, "%s/block/%s/slaves/%s", sys, holder_dir, slave);
	mkparents(l);
	assert_int_equal(symlink("../../x", l), 0);
	snprintf(l, sizeof l, "%s/block/%s/holders/%s", sys, slave_dir, holder);
	mkparents(l);
	assert_int_equal(symlink("../../x", l), 0);
}

static void dm(const char *name, unsigned mi, const char *dmname, const char *uuid)
{
	char rel[128];
	blk(name, 253, mi);
	snprintf(rel, sizeof rel, "block/%s/dm/name", name);
	put(rel, dmname);
	snprintf(rel, sizeof rel, "block/%s/dm/uuid", name);
	put(rel, uuid);
}

static int rm_cb(const char *p, const struct stat *st, int f, struct FTW *w)
{
	(void)st, (void)f, (void)w;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(sys, sizeof sys, "/tmp/lb-storstack-XXXXXX");
	assert_non_null(mkdtemp(sys));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(sys, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void order_is(const struct storstack *s, const char *want)
{
	char got[1024];
	storstack_describe(s, got, sizeof got);
	assert_string_equal(got, want);
}

/* Debian's "guided LVM on LUKS": vda2 -> luks (crypt) -> vg-root, vg-swap. */
static void test_lvm_on_luks(void **state)
{
	(void)state;
	struct storstack s;
	blk("vda", 254, 0);
	blk("vda/vda1", 254, 1);
	blk("vda/vda2", 254, 2);
	dm("dm-0", 0, "vda2_crypt\n", "CRYPT-LUKS2-0123456789abcdef-vda2_crypt\n");
	dm("dm-1", 1, "vg-root\n", "LVM-AAAAaaaaBBBBbbbbCCCCccccDDDDdddd0001\n");
	dm("dm-2", 2, "vg-swap\n", "LVM-AAAAaaaaBBBBbbbbCCCCccccDDDDdddd0002\n");
	stack("dm-0", "dm-0", "vda/vda2", "vda2");
	stack("dm-1", "dm-1", "dm-0", "dm-0");
	stack("dm-2", "dm-2", "dm-0", "dm-0");
	assert_int_equal(storstack_build(sys, 253, 1, &s), 0);
	assert_false(s.truncated);
	assert_string_equal(s.v[s.root].name, "dm-1");
	assert_int_equal(s.v[s.root].kind, STOR_LVM);
	order_is(&s, "dm-1(lvm vg-root) dm-2(lvm vg-swap) dm-0(crypt vda2_crypt)");
	/* The partition is a leaf: found, never in the order. */
	int leaf = -1;
	for (unsigned i = 0; i < s.n; i++)
		if (!strcmp(s.v[i].name, "vda2"))
			leaf = (int)i;
	assert_true(leaf >= 0);
	assert_int_equal(s.v[leaf].kind, STOR_LEAF);
	assert_true(s.v[leaf].partition);
	assert_int_equal(s.norder, 3);
	/* vda1 (another partition of the disk) is not part of it. */
	for (unsigned i = 0; i < s.n; i++)
		assert_string_not_equal(s.v[i].name, "vda1");
}

/* LVM on dm-crypt on an MD mirror of two loop devices' partitions: every
 * layer, each after all its holders. */
static void test_every_layer(void **state)
{
	(void)state;
	struct storstack s;
	blk("loop0", 7, 0);
	put("block/loop0/loop/backing_file", "/srv/a.img\n");
	blk("loop0/loop0p1", 259, 0);
	blk("loop1", 7, 1);
	put("block/loop1/loop/backing_file", "/srv/b.img (deleted)\n");
	blk("md0", 9, 0);
	put("block/md0/md/metadata_version", "1.2\n");
	stack("md0", "md0", "loop0/loop0p1", "loop0p1");
	stack("md0", "md0", "loop1", "loop1");
	dm("dm-0", 0, "cr\n", "CRYPT-PLAIN-cr\n");
	stack("dm-0", "dm-0", "md0", "md0");
	dm("dm-1", 1, "vg-root\n", "LVM-x\n");
	stack("dm-1", "dm-1", "dm-0", "dm-0");
	assert_int_equal(storstack_build(sys, 253, 1, &s), 0);
	order_is(&s, "dm-1(lvm vg-root) dm-0(crypt cr) md0(md) loop0(loop) loop1(loop)");
	for (unsigned i = 0; i < s.n; i++) {
		if (!strcmp(s.v[i].name, "md0"))
			assert_string_equal(s.v[i].backing, "1.2");
		if (!strcmp(s.v[i].name, "loop1"))
			assert_string_equal(s.v[i].backing, "/srv/b.img (deleted)");
		if (!strcmp(s.v[i].name, "loop0"))
			assert_int_equal(s.v[i].major, 7);
	}
}

/* The root on a partition of a loop device: the loop device goes. */
static void test_loop_partition_root(void **state)
{
	(void)state;
	struct storstack s;
	blk("loop3", 7, 3);
	put("block/loop3/loop/backing_file", "/img\n");
	blk("loop3/loop3p2", 259, 5);
	assert_int_equal(storstack_build(sys, 259, 5, &s), 0);
	order_is(&s, "loop3(loop)");
	assert_string_equal(s.v[s.root].name, "loop3");
}

static void test_plain_partition(void **state)
{
	(void)state;
	struct storstack s;
	blk("sda", 8, 0);
	blk("sda/sda1", 8, 1);
	assert_int_equal(storstack_build(sys, 8, 1, &s), 0);
	assert_int_equal(s.norder, 0);
	assert_int_equal(s.v[s.root].kind, STOR_LEAF);
	assert_int_equal(storstack_build(sys, 8, 9, &s), -ENOENT);
	assert_int_equal(s.root, -1);
	assert_int_equal(storstack_build(NULL, 8, 1, &s), -EINVAL);
}

/* Root on a dm device (no uuid: dmsetup create), a holder that is a
 * snapshot-like dm on top, and links that name nothing: ignored. A holder
 * on the disk itself (another partition's stack) is not followed. */
static void test_odd_links(void **state)
{
	(void)state;
	struct storstack s;
	blk("sdb", 8, 16);
	dm("dm-5", 5, "plain\n", "\n");
	dm("dm-6", 6, "snap\n", "");
	dm("dm-7", 7, "other\n", "LVM-other\n");
	stack("dm-5", "dm-5", "sdb", "sdb");
	stack("dm-6", "dm-6", "dm-5", "dm-5");
	stack("dm-7", "dm-7", "sdb", "sdb"); /* shares only the disk */
	stack("dm-5", "dm-5", "ghost", "nosuchdev");
	dir("block/ghost");
	assert_int_equal(storstack_build(sys, 253, 5, &s), 0);
	order_is(&s, "dm-6(dm snap) dm-5(dm plain)");
	assert_false(s.truncated);
}

/* More devices than fit: truncated, never out of bounds. */
static void test_too_many(void **state)
{
	(void)state;
	struct storstack s;
	char name[32], lv[32];
	blk("sdc", 8, 32);
	dm("dm-0", 0, "pv\n", "CRYPT-LUKS1-x\n");
	stack("dm-0", "dm-0", "sdc", "sdc");
	for (unsigned i = 1; i <= 20; i++) {
		snprintf(name, sizeof name, "dm-%u", i);
		snprintf(lv, sizeof lv, "vg-lv%u\n", i);
		dm(name, i, lv, "LVM-y\n");
		stack(name, name, "dm-0", "dm-0");
	}
	assert_int_equal(storstack_build(sys, 253, 0, &s), 0);
	assert_true(s.truncated); /* more than STORSTACK_LINKS holders */
	assert_true(s.n <= STORSTACK_MAX);
	/* What is in the order still comes holders first: dm-0 is last or absent. */
	for (unsigned k = 0; k + 1 < s.norder; k++)
		assert_string_not_equal(s.v[s.order[k]].name, "dm-0");
}

static void test_crypt_key(void **state)
{
	(void)state;
	static const struct {
		const char *params;
		enum crypt_key_kind want;
	} t[] = {
	    {"aes-xts-plain64 00112233445566778899aabbccddeeff 0 254:2 32768", CRYPT_KEY_HEX},
	    {"aes-xts-plain64 "
	     ":64:logon:cryptsetup:4bc0a1f2-1d3a-4c9b-8e5f-2a7e0c8d9b11-d0 0 254:2 32768 1 "
	     "allow_discards",
	     CRYPT_KEY_KEYRING},
	    {"capi:cbc(aes)-plain - 0 7:0 0", CRYPT_KEY_NONE},
	    {"aes-cbc-essiv:sha256 0011223 0 8:1 0", CRYPT_KEY_BAD},  /* odd length */
	    {"aes-cbc-essiv:sha256 00112g33 0 8:1 0", CRYPT_KEY_BAD}, /* not hex */
	    {"aes-xts-plain64", CRYPT_KEY_BAD},
	    {"aes-xts-plain64 ", CRYPT_KEY_BAD},
	    {"", CRYPT_KEY_BAD},
	    {"  aes   ABCDEF01  0 8:1 0", CRYPT_KEY_HEX},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(storstack_crypt_key(t[i].params, strlen(t[i].params)), t[i].want);
	/* The length bounds the read: a hex key cut short by len is odd. */
	assert_int_equal(storstack_crypt_key("a 001122 0", 5), CRYPT_KEY_BAD);
	assert_int_equal(storstack_crypt_key("a 0011", 6), CRYPT_KEY_HEX);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(stor_kind_name(STOR_CRYPT), "crypt");
	assert_string_equal(stor_kind_verb(STOR_LVM), "deactivate");
	assert_string_equal(stor_kind_verb(STOR_MD), "stop");
	assert_string_equal(stor_kind_verb(STOR_LOOP), "detach");
	assert_string_equal(stor_kind_name((enum stor_kind)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lvm_on_luks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_layer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loop_partition_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plain_partition, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_odd_links, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
	    cmocka_unit_test(test_crypt_key),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
