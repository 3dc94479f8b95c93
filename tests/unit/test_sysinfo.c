/* sysinfo: filesystem signatures (table of synthesized superblocks, with
 * truncated and near-miss buffers), sizes, and the status text from a fake
 * /sys/block, /dev and /sys/class/net tree. */
#include <errno.h>
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

#include "rescue/sysinfo.h"
#include "testutil.h"

static uint8_t img[SYSINFO_PROBE_LEN];

static void put(size_t off, const void *v, size_t n)
{
	memcpy(img + off, v, n);
}

static void le32(size_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(off, b, 4);
}

enum kind {
	EXT2,
	EXT3,
	EXT4,
	XFS,
	BTRFS,
	VFAT16,
	VFAT32,
	SWAP,
	LVM,
	LUKS,
	MD12,
	NTFS,
	ISO,
	GPT,
	DOS
};

static void make(enum kind k)
{
	memset(img, 0, sizeof img);
	switch (k) {
	case EXT2:
	case EXT3:
	case EXT4:
		put(1024 + 56, "\x53\xef", 2);
		put(1024 + 120, "rootfs", 6);
		if (k >= EXT3)
			le32(1024 + 92, 0x4);
		if (k == EXT4)
			le32(1024 + 96, 0x40 | 0x200);
		break;
	case XFS:
		put(0, "XFSB", 4);
		put(108, "data", 4);
		break;
	case BTRFS:
		put(0x10040, "_BHRfS_M", 8);
		put(0x10000 + 0x12b, "pool", 4);
		break;
	case VFAT16:
		put(54, "FAT16   ", 8);
		put(43, "NO NAME    ", 11);
		put(510, "\x55\xaa", 2);
		break;
	case VFAT32:
		put(82, "FAT32   ", 8);
		put(71, "EFI        ", 11);
		put(510, "\x55\xaa", 2);
		break;
	case SWAP:
		put(4096 - 10, "SWAPSPACE2", 10);
		break;
	case LVM:
		put(512, "LABELONE", 8);
		put(512 + 24, "LVM2 001", 8);
		break;
	case LUKS:
		put(0, "LUKS\xba\xbe\0\2", 8);
		put(24, "secret", 6);
		break;
	case MD12:
		le32(4096, 0xa92b4efc);
		put(4096 + 32, "host:0", 6);
		break;
	case NTFS:
		put(3, "NTFS    ", 8);
		put(510, "\x55\xaa", 2);
		break;
	case ISO:
		put(0x8001, "CD001", 5);
		put(0x8028, "DEBIAN 12", 9);
		break;
	case GPT:
		put(510, "\x55\xaa", 2);
		put(512, "EFI PART", 8);
		break;
	case DOS:
		put(510, "\x55\xaa", 2);
		break;
	}
}

static void test_probe(void **state)
{
	(void)state;
	static const struct {
		enum kind k;
		const char *type, *label;
		size_t min; /* shortest buffer that still shows it */
	} v[] = {
	    {EXT2, "ext2", "rootfs", 1024 + 136},
	    {EXT3, "ext3", "rootfs", 1024 + 136},
	    {EXT4, "ext4", "rootfs", 1024 + 136},
	    {XFS, "xfs", "data", 120},
	    {BTRFS, "btrfs", "pool", 0x10000 + 0x12b + 64},
	    {VFAT16, "vfat", "", 512},
	    {VFAT32, "vfat", "EFI", 512},
	    {SWAP, "swap", "", 4096},
	    {LVM, "LVM2_member", "", 512 + 32},
	    {LUKS, "crypto_LUKS", "secret", 56},
	    {MD12, "linux_raid_member", "host:0", 4096 + 64},
	    {NTFS, "ntfs", "", 512},
	    {ISO, "iso9660", "DEBIAN 12", 0x8028 + 32},
	    {GPT, "gpt", "", 520},
	    {DOS, "dos", "", 512},
	};
	struct sysinfo_fs fs;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		make(v[i].k);
		if (sysinfo_probe(img, sizeof img, &fs) || strcmp(fs.type, v[i].type) ||
		    strcmp(fs.label, v[i].label))
			fail_msg("kind %d: got %s \"%s\"", v[i].k, fs.type, fs.label);
		/* just long enough: still found; one byte short of its magic: not */
		if (sysinfo_probe(img, v[i].min, &fs) || strcmp(fs.type, v[i].type))
			fail_msg("kind %d at %zu bytes: got %s", v[i].k, v[i].min, fs.type);
		assert_int_equal(sysinfo_probe(img, 3, &fs), -ENOENT);
	}
	/* near misses */
	memset(img, 0, sizeof img);
	assert_int_equal(sysinfo_probe(img, sizeof img, &fs), -ENOENT);
	assert_string_equal(fs.type, "");
	put(512, "LABELONE", 8); /* no LVM2 001 */
	assert_int_equal(sysinfo_probe(img, sizeof img, &fs), -ENOENT);
	make(VFAT32);
	put(82, "FAT33   ", 8); /* boot signature only: a partition table */
	assert_int_equal(sysinfo_probe(img, sizeof img, &fs), 0);
	assert_string_equal(fs.type, "dos");
	make(EXT4);
	put(1024 + 120, "a\x01\xff\x7f", 4); /* unprintable label bytes */
	assert_int_equal(sysinfo_probe(img, sizeof img, &fs), 0);
	assert_string_equal(fs.label, "a???fs");
	assert_int_equal(sysinfo_probe(NULL, 0, &fs), -ENOENT);
}

/* Heads of real images: mkfs.ext4 -L seed (e2fsprogs 1.47) and
 * mkswap -L seedswap (util-linux 2.38). */
static void test_probe_real(void **state)
{
	(void)state;
	size_t n;
	struct sysinfo_fs fs;
	unsigned char *b = tu_read_vector("sysinfo/mkfs-ext4-head", &n);
	assert_int_equal(sysinfo_probe(b, n, &fs), 0);
	assert_string_equal(fs.type, "ext4");
	assert_string_equal(fs.label, "seed");
	free(b);
	b = tu_read_vector("sysinfo/mkswap-head", &n);
	assert_int_equal(sysinfo_probe(b, n, &fs), 0);
	assert_string_equal(fs.type, "swap");
	assert_string_equal(fs.label, "seedswap");
	free(b);
}

static void test_size(void **state)
{
	(void)state;
	char s[32];
	sysinfo_size(512, s, sizeof s);
	assert_string_equal(s, "512 B");
	sysinfo_size(32ull << 20, s, sizeof s);
	assert_string_equal(s, "32.0 MiB");
	sysinfo_size(2000398934016ull, s, sizeof s);
	assert_string_equal(s, "1.8 TiB");
}

static void wfile(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_print(void **state)
{
	(void)state;
	char dir[] = "/tmp/lbsysinfo.XXXXXX", p[512];
	assert_non_null(mkdtemp(dir));
	const char *mk[] = {"block", "block/vda", "block/vda/vda1", "block/vda/vda2", "block/loop0",
			    "dev",   "net",	  "net/eth0"};
	for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, mk[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof p, "%s/block/vda/size", dir), wfile(p, "65536\n");
	snprintf(p, sizeof p, "%s/block/vda/vda1/size", dir), wfile(p, "2048\n");
	snprintf(p, sizeof p, "%s/block/vda/vda1/partition", dir), wfile(p, "1\n");
	snprintf(p, sizeof p, "%s/block/vda/vda2/size", dir), wfile(p, "8192\n");
	snprintf(p, sizeof p, "%s/block/vda/vda2/partition", dir), wfile(p, "2\n");
	snprintf(p, sizeof p, "%s/block/loop0/size", dir), wfile(p, "100\n");
	snprintf(p, sizeof p, "%s/net/eth0/address", dir), wfile(p, "52:54:00:12:34:56\n");
	snprintf(p, sizeof p, "%s/net/eth0/operstate", dir), wfile(p, "up\n");
	make(GPT);
	snprintf(p, sizeof p, "%s/dev/vda", dir);
	FILE *f = fopen(p, "w");
	fwrite(img, 1, sizeof img, f);
	fclose(f);
	make(EXT4);
	snprintf(p, sizeof p, "%s/dev/vda2", dir);
	f = fopen(p, "w");
	fwrite(img, 1, sizeof img, f);
	fclose(f);
	char out[4096] = "";
	FILE *o = fmemopen(out, sizeof out, "w");
	char b[300], d[300], n[300];
	snprintf(b, sizeof b, "%s/block", dir);
	snprintf(d, sizeof d, "%s/dev", dir);
	snprintf(n, sizeof n, "%s/net", dir);
	assert_int_equal(sysinfo_print(o, b, d, n), 0);
	fclose(o);
	printf("%s", out);
	assert_non_null(strstr(out, "disks:\n  vda            32.0 MiB  gpt"));
	assert_non_null(strstr(out, "    vda1          1.0 MiB  (unreadable)"));
	assert_non_null(strstr(out, "    vda2          4.0 MiB  ext4              \"rootfs\""));
	assert_null(strstr(out, "loop0"));
	assert_non_null(strstr(out, "interfaces:\n  eth0       52:54:00:12:34:56 up"));
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_probe_real),
	    cmocka_unit_test(test_size),
	    cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
