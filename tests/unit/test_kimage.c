/* kimage: kernel and initrd headers, well-formed and malformed, and the
 * --kernel/--initrd set check (swapped, not a kernel, initrd a kernel). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/kimage.h"

#define HEAD 1024

/* A patch of bytes at an offset; a vector is up to 6 of them over zeros. */
struct patch {
	size_t off;
	const char *bytes;
	size_t n;
};
#define P(o, s) { (o), (s), sizeof(s) - 1 }

struct vec {
	const char *name;
	size_t len; /* the file is cut to this many bytes */
	struct patch p[6];
	int want_r;
	enum kimage_kind kind;
	enum kimage_arch arch;
	bool efi_stub;
};

/* a PE header at 0x40: "PE\0\0" and the machine */
#define PE_AT_40(m) P(0x3c, "\x40\0\0\0"), P(0x40, "PE\0\0" m)

static const struct vec vecs[] = {
    /* x86: boot_flag, "HdrS", protocol 2.15; with and without the EFI stub */
    { "bzImage", HEAD, { P(0x1fe, "\x55\xaa"), P(0x202, "HdrS\x0f\x02") }, 0, KIMAGE_BZIMAGE, KIMAGE_ARCH_X86, false },
    { "bzImage+stub", HEAD, { P(0, "MZ"), PE_AT_40("\x64\x86"), P(0x1fe, "\x55\xaa"), P(0x202, "HdrS\x0f\x02") }, 0, KIMAGE_BZIMAGE, KIMAGE_ARCH_X86, true },
    { "bzImage old protocol", HEAD, { P(0x1fe, "\x55\xaa"), P(0x202, "HdrS\x01\x01") }, -EBADMSG, KIMAGE_BZIMAGE, KIMAGE_ARCH_X86, false },
    { "bzImage no boot flag", HEAD, { P(0x202, "HdrS\x0f\x02") }, -EBADMSG, KIMAGE_BZIMAGE, KIMAGE_ARCH_X86, false },
    { "bzImage cut at version", 0x207, { P(0x1fe, "\x55\xaa"), P(0x202, "HdrS\x0f\x02") }, -EBADMSG, KIMAGE_BZIMAGE, KIMAGE_ARCH_X86, false },
    { "HdrS cut", 0x204, { P(0x202, "HdrS") }, 0, KIMAGE_UNKNOWN, KIMAGE_ARCH_UNKNOWN, false },
    /* arm64 Image, as Debian ships it (EFI stub) and bare */
    { "arm64 Image+stub", HEAD, { P(0, "MZ"), P(0x38, "ARM\x64\x40\0\0\0"), P(0x40, "PE\0\0\x64\xaa") }, 0, KIMAGE_ARM64_IMAGE, KIMAGE_ARCH_ARM64, true },
    { "arm64 Image", 0x40, { P(0x38, "ARM\x64") }, 0, KIMAGE_ARM64_IMAGE, KIMAGE_ARCH_ARM64, false },
    { "arm64 magic cut", 0x3b, { P(0x38, "ARM\x64") }, 0, KIMAGE_UNKNOWN, KIMAGE_ARCH_UNKNOWN, false },
    { "riscv Image", 0x40, { P(0x38, "RSC\x05") }, 0, KIMAGE_RISCV_IMAGE, KIMAGE_ARCH_RISCV64, false },
    { "arm32 zImage", 0x40, { P(0x24, "\x18\x28\x6f\x01") }, 0, KIMAGE_ARM_ZIMAGE, KIMAGE_ARCH_ARM32, false },
    /* EFI zboot: MZ, "zimg", offset, size, compression at 0x18 */
    { "zboot arm64 gzip", HEAD, { P(0, "MZ\0\0zimg\0\x10\0\0\0\0\x10\0"), P(0x18, "gzip"), PE_AT_40("\x64\xaa") }, 0, KIMAGE_EFI_ZBOOT, KIMAGE_ARCH_ARM64, true },
    { "zboot no PE", HEAD, { P(0, "MZ\0\0zimg\0\x10\0\0\0\0\x10\0"), P(0x18, "zstd") }, -EBADMSG, KIMAGE_EFI_ZBOOT, KIMAGE_ARCH_UNKNOWN, false },
    { "zboot size 0", HEAD, { P(0, "MZ\0\0zimg\0\x10\0\0"), P(0x18, "gzip"), PE_AT_40("\x64\xaa") }, -EBADMSG, KIMAGE_EFI_ZBOOT, KIMAGE_ARCH_ARM64, true },
    { "zboot cut", 0x10, { P(0, "MZ\0\0zimg\0\x10\0\0\0\0\x10\0") }, -EBADMSG, KIMAGE_EFI_ZBOOT, KIMAGE_ARCH_UNKNOWN, false },
    /* other EFI programs: GRUB, shim, iPXE's snponly.efi */
    { "PE x86-64", HEAD, { P(0, "MZ"), PE_AT_40("\x64\x86") }, 0, KIMAGE_PE, KIMAGE_ARCH_X86, true },
    { "MZ, e_lfanew past end", HEAD, { P(0, "MZ"), P(0x3c, "\xff\xff\xff\x7f") }, 0, KIMAGE_UNKNOWN, KIMAGE_ARCH_UNKNOWN, false },
    { "MZ, e_lfanew huge", HEAD, { P(0, "MZ"), P(0x3c, "\xfe\xff\xff\xff") }, 0, KIMAGE_UNKNOWN, KIMAGE_ARCH_UNKNOWN, false },
    { "MZ, PE cut before machine", 0x45, { P(0, "MZ"), PE_AT_40("\x64\x86") }, 0, KIMAGE_UNKNOWN, KIMAGE_ARCH_UNKNOWN, false },
    { "MZ only", 2, { P(0, "MZ") }, 0, KIMAGE_UNKNOWN, KIMAGE_ARCH_UNKNOWN, false },
    { "ELF vmlinux", HEAD, { P(0, "\x7f" "ELF\x02\x01") }, 0, KIMAGE_ELF, KIMAGE_ARCH_UNKNOWN, false },
    /* what initrds are made of */
    { "cpio newc", HEAD, { P(0, "070701") }, 0, KIMAGE_CPIO, 0, false },
    { "cpio crc", HEAD, { P(0, "070702") }, 0, KIMAGE_CPIO, 0, false },
    { "cpio odc", HEAD, { P(0, "070707") }, 0, KIMAGE_CPIO, 0, false },
    { "cpio binary", HEAD, { P(0, "\xc7\x71") }, 0, KIMAGE_CPIO, 0, false },
    { "gzip", HEAD, { P(0, "\x1f\x8b\x08") }, 0, KIMAGE_GZIP, 0, false },
    { "xz", HEAD, { P(0, "\xfd" "7zXZ\0") }, 0, KIMAGE_XZ, 0, false },
    { "zstd", HEAD, { P(0, "\x28\xb5\x2f\xfd") }, 0, KIMAGE_ZSTD, 0, false },
    { "lz4 legacy", HEAD, { P(0, "\x02\x21\x4c\x18") }, 0, KIMAGE_LZ4, 0, false },
    { "bzip2", HEAD, { P(0, "BZh9") }, 0, KIMAGE_BZIP2, 0, false },
    { "lzma", HEAD, { P(0, "\x5d\0\0") }, 0, KIMAGE_LZMA, 0, false },
    { "lzo", HEAD, { P(0, "\x89LZO") }, 0, KIMAGE_LZO, 0, false },
    { "xz cut", 5, { P(0, "\xfd" "7zXZ") }, 0, KIMAGE_UNKNOWN, 0, false },
    { "text", HEAD, { P(0, "#!ipxe\nkernel x\n") }, 0, KIMAGE_UNKNOWN, 0, false },
    { "empty", 0, { { 0, NULL, 0 } }, 0, KIMAGE_UNKNOWN, 0, false },
    { "zeros", HEAD, { { 0, NULL, 0 } }, 0, KIMAGE_UNKNOWN, 0, false },
};

static void build(const struct vec *v, uint8_t *buf)
{
	memset(buf, 0, HEAD);
	for (size_t i = 0; i < 6 && v->p[i].bytes; i++)
		memcpy(buf + v->p[i].off, v->p[i].bytes, v->p[i].n);
}

static void test_sniff_table(void **state)
{
	(void)state;
	uint8_t buf[HEAD];
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		struct kimage_info k;
		build(v, buf);
		int r = kimage_sniff(buf, v->len, &k);
		if (r != v->want_r || k.kind != v->kind || k.arch != v->arch ||
		    k.efi_stub != v->efi_stub)
			fail_msg("%s: r=%d kind=%d arch=%d stub=%d", v->name, r, k.kind, k.arch,
				 k.efi_stub);
	}
}

static void test_describe(void **state)
{
	(void)state;
	uint8_t buf[HEAD];
	char d[160];
	struct kimage_info k;
	build(&vecs[1], buf);
	assert_int_equal(kimage_sniff(buf, HEAD, &k), 0);
	assert_string_equal(kimage_describe(&k, d, sizeof d),
			    "an x86 bzImage kernel (boot protocol 2.15, EFI stub)");
	build(&vecs[11], buf);
	assert_int_equal(kimage_sniff(buf, HEAD, &k), 0);
	assert_string_equal(kimage_describe(&k, d, sizeof d), "an EFI zboot kernel (arm64, gzip)");
	assert_string_equal(kimage_arch_name(KIMAGE_ARCH_ARM64), "arm64");
	/* a tiny buffer is cut, never overrun */
	char tiny[8];
	kimage_describe(&k, tiny, sizeof tiny);
	assert_int_equal(strlen(tiny) < sizeof tiny, 1);
}

static const struct vec *by_name(const char *name)
{
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
		if (!strcmp(vecs[i].name, name))
			return &vecs[i];
	fail_msg("no vector %s", name);
	return NULL;
}

struct set_case {
	const char *files[3];
	int want;
	size_t bad;
	const char *why_has;
};

static const struct set_case sets[] = {
    { { "bzImage+stub", "gzip", NULL }, 0, 0, NULL },
    { { "bzImage", "cpio newc", "zstd" }, 0, 0, NULL },
    { { "arm64 Image+stub", "gzip", NULL }, 0, 0, NULL },
    { { "zboot arm64 gzip", NULL, NULL }, 0, 0, NULL },
    { { "bzImage", "text", NULL }, 0, 0, NULL }, /* an initrd may be anything but a kernel */
    { { "gzip", "bzImage+stub", NULL }, -EINVAL, 0, "look swapped: the --kernel file is gzip data" },
    { { "cpio newc", "gzip", "arm64 Image" }, -EINVAL, 0, "the --initrd file is an arm64 Image kernel" },
    { { "gzip", NULL, NULL }, -EINVAL, 0, "not a kernel: gzip data (an initrd?)" },
    { { "PE x86-64", NULL, NULL }, -EINVAL, 0, "an EFI program (PE), not a Linux kernel" },
    { { "ELF vmlinux", NULL, NULL }, -EINVAL, 0, "an ELF file (a vmlinux?" },
    { { "text", NULL, NULL }, -EINVAL, 0, "not a kernel: no known kernel or initrd format" },
    { { "bzImage", "bzImage+stub", NULL }, -EINVAL, 1, "this --initrd is an x86 bzImage kernel" },
    { { "bzImage old protocol", NULL, NULL }, -EINVAL, 0, "broken or cut-short header" },
    { { "zboot no PE", NULL, NULL }, -EINVAL, 0, "an EFI zboot kernel (unknown, zstd) with a broken" },
};

static void test_check_set(void **state)
{
	(void)state;
	uint8_t buf[HEAD];
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		struct kimage_info k[3];
		int r[3];
		size_t n = 0, bad = 99;
		char why[512] = "";
		for (; n < 3 && sets[i].files[n]; n++) {
			const struct vec *v = by_name(sets[i].files[n]);
			build(v, buf);
			r[n] = kimage_sniff(buf, v->len, &k[n]);
		}
		int got = kimage_check_set(k, r, n, &bad, why, sizeof why);
		if (got != sets[i].want || (got && bad != sets[i].bad) ||
		    (sets[i].why_has && !strstr(why, sets[i].why_has)))
			fail_msg("set %zu (%s): r=%d bad=%zu why=%s", i, sets[i].files[0], got, bad,
				 why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff_table),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_check_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
