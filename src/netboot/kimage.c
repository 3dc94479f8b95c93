/* kimage: kernel and initrd formats told apart by their headers. Offsets:
 * Linux Documentation/arch/x86/boot.rst (the real-mode header),
 * Documentation/arch/arm64/booting.rst and riscv/boot-image-header.rst
 * (the 64-byte Image header), drivers/firmware/efi/libstub/zboot-header.S,
 * the PE/COFF specification (e_lfanew at 0x3c, "PE\0\0", machine). */
#include "netboot/kimage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* Bytes at off..off+n of the file, through a cursor: 0 or -EBADMSG. */
static int at(const uint8_t *p, size_t len, size_t off, void *dst, size_t n)
{
	struct rbuf r;
	rbuf_init(&r, p, len);
	if (rbuf_skip(&r, off))
		return -EBADMSG;
	return rbuf_bytes(&r, dst, n);
}

static int le16_at(const uint8_t *p, size_t len, size_t off, uint16_t *v)
{
	uint8_t b[2];
	if (at(p, len, off, b, 2))
		return -EBADMSG;
	*v = (uint16_t)(b[0] | b[1] << 8);
	return 0;
}

static int le32_at(const uint8_t *p, size_t len, size_t off, uint32_t *v)
{
	uint8_t b[4];
	if (at(p, len, off, b, 4))
		return -EBADMSG;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

static bool magic_at(const uint8_t *p, size_t len, size_t off, const char *m, size_t n)
{
	uint8_t b[8];
	return n <= sizeof b && at(p, len, off, b, n) == 0 && !memcmp(b, m, n);
}

static enum kimage_arch arch_of_machine(uint16_t m)
{
	switch (m) {
	case 0x8664: /* AMD64 */
	case 0x014c: /* I386 */
		return KIMAGE_ARCH_X86;
	case 0xaa64:
		return KIMAGE_ARCH_ARM64;
	case 0x01c2: /* ARM Thumb */
	case 0x01c4: /* ARMv7 */
		return KIMAGE_ARCH_ARM32;
	case 0x5064:
		return KIMAGE_ARCH_RISCV64;
	case 0x6264:
		return KIMAGE_ARCH_LOONG64;
	default:
		return KIMAGE_ARCH_UNKNOWN;
	}
}

/* "MZ" with a PE header behind e_lfanew: sets efi_stub and pe_machine. An
 * MZ whose e_lfanew points nowhere is a DOS program, not an EFI one. */
static void sniff_pe(const uint8_t *p, size_t len, struct kimage_info *k)
{
	uint32_t lfanew;
	uint16_t machine;
	if (!magic_at(p, len, 0, "MZ", 2) || le32_at(p, len, 0x3c, &lfanew))
		return;
	if (!magic_at(p, len, lfanew, "PE\0\0", 4) || le16_at(p, len, (size_t)lfanew + 4, &machine))
		return;
	k->efi_stub = true;
	k->pe_machine = machine;
}

/* x86 boot protocol: boot_flag 0xAA55 at 0x1fe, "HdrS" at 0x202, the
 * version at 0x206; 2.00 and later load high (bzImage). */
static int sniff_bzimage(const uint8_t *p, size_t len, struct kimage_info *k)
{
	uint16_t flag, ver;
	k->kind = KIMAGE_BZIMAGE;
	k->arch = KIMAGE_ARCH_X86;
	if (le16_at(p, len, 0x1fe, &flag) || le16_at(p, len, 0x206, &ver))
		return -EBADMSG;
	k->boot_proto = ver;
	/* an old zImage (protocol < 2.00) loads below 1 MiB: nothing boots it */
	if (flag != 0xaa55 || ver < 0x0200)
		return -EBADMSG;
	return 0;
}

/* EFI zboot: "MZ", 2 bytes, "zimg", payload offset and size, 8 bytes, the
 * compression type as a NUL-terminated string at 0x18. */
static int sniff_zboot(const uint8_t *p, size_t len, struct kimage_info *k)
{
	uint32_t off, size;
	char comp[sizeof k->zboot_comp];
	k->kind = KIMAGE_EFI_ZBOOT;
	k->arch = arch_of_machine(k->pe_machine);
	if (le32_at(p, len, 8, &off) || le32_at(p, len, 12, &size) ||
	    at(p, len, 0x18, comp, sizeof comp - 1))
		return -EBADMSG;
	comp[sizeof comp - 1] = 0;
	for (size_t i = 0; comp[i]; i++)
		if (comp[i] < 'a' || comp[i] > 'z')
			comp[i] = '?';
	memcpy(k->zboot_comp, comp, sizeof comp);
	if (!k->efi_stub || size == 0 || off < 0x40)
		return -EBADMSG;
	return 0;
}

/* The magic numbers of what an initrd is made of (the kernel's
 * lib/decompress.c list, plus cpio itself). */
static const struct {
	const char *m;
	size_t n;
	enum kimage_kind kind;
} initrd_magic[] = {
    {"070701", 6, KIMAGE_CPIO},
    {"070702", 6, KIMAGE_CPIO},
    {"070707", 6, KIMAGE_CPIO},
    {"\xc7\x71", 2, KIMAGE_CPIO}, /* binary cpio, little-endian */
    {"\x71\xc7", 2, KIMAGE_CPIO},
    {"\x1f\x8b", 2, KIMAGE_GZIP},
    {"\x1f\x9e", 2, KIMAGE_GZIP},
    {"\xfd"
     "7zXZ\0",
     6, KIMAGE_XZ},
    {"\x28\xb5\x2f\xfd", 4, KIMAGE_ZSTD},
    {"\x02\x21\x4c\x18", 4, KIMAGE_LZ4}, /* legacy frame, what the kernel writes */
    {"\x04\x22\x4d\x18", 4, KIMAGE_LZ4},
    {"BZh", 3, KIMAGE_BZIP2},
    {"\x5d\x00\x00", 3, KIMAGE_LZMA},
    {"\x89LZO", 4, KIMAGE_LZO},
};

int kimage_sniff(const void *data, size_t len, struct kimage_info *k)
{
	const uint8_t *p = data;
	uint32_t zmagic;
	memset(k, 0, sizeof *k);
	sniff_pe(p, len, k);
	/* bzImage first: since 3.x it carries an EFI stub (MZ) too */
	if (magic_at(p, len, 0x202, "HdrS", 4))
		return sniff_bzimage(p, len, k);
	if (magic_at(p, len, 0, "MZ", 2) && magic_at(p, len, 4, "zimg", 4))
		return sniff_zboot(p, len, k);
	if (magic_at(p, len, 0x38, "ARM\x64", 4)) {
		k->kind = KIMAGE_ARM64_IMAGE;
		k->arch = KIMAGE_ARCH_ARM64;
		return 0;
	}
	if (magic_at(p, len, 0x38, "RSC\x05", 4)) {
		k->kind = KIMAGE_RISCV_IMAGE;
		k->arch = KIMAGE_ARCH_RISCV64;
		return 0;
	}
	if (le32_at(p, len, 0x24, &zmagic) == 0 && zmagic == 0x016f2818) {
		k->kind = KIMAGE_ARM_ZIMAGE;
		k->arch = KIMAGE_ARCH_ARM32;
		return 0;
	}
	if (k->efi_stub) {
		k->kind = KIMAGE_PE;
		k->arch = arch_of_machine(k->pe_machine);
		return 0;
	}
	if (magic_at(p, len, 0,
		     "\x7f"
		     "ELF",
		     4)) {
		k->kind = KIMAGE_ELF;
		return 0;
	}
	for (size_t i = 0; i < sizeof initrd_magic / sizeof initrd_magic[0]; i++) {
		if (magic_at(p, len, 0, initrd_magic[i].m, initrd_magic[i].n)) {
			k->kind = initrd_magic[i].kind;
			return 0;
		}
	}
	return 0;
}

bool kimage_is_kernel(const struct kimage_info *k)
{
	return k->kind == KIMAGE_BZIMAGE || k->kind == KIMAGE_ARM64_IMAGE ||
	       k->kind == KIMAGE_RISCV_IMAGE || k->kind == KIMAGE_EFI_ZBOOT ||
	       k->kind == KIMAGE_ARM_ZIMAGE;
}

bool kimage_is_initrd(const struct kimage_info *k)
{
	return k->kind >= KIMAGE_CPIO;
}

const char *kimage_arch_name(enum kimage_arch a)
{
	static const char *const names[] = {"unknown", "x86",	  "arm64",
					    "arm32",   "riscv64", "loong64"};
	return (size_t)a < sizeof names / sizeof names[0] ? names[a] : "unknown";
}

static const char *kind_name(enum kimage_kind kind)
{
	static const char *const names[] = {
	    "no known kernel or initrd format",
	    "an x86 bzImage kernel",
	    "an arm64 Image kernel",
	    "a RISC-V Image kernel",
	    "an EFI zboot kernel",
	    "an arm32 zImage kernel",
	    "an EFI program (PE), not a Linux kernel",
	    "an ELF file (a vmlinux? loaders boot the bzImage/Image, e.g. /boot/vmlinuz-*)",
	    "a cpio archive (an initrd)",
	    "gzip data (an initrd?)",
	    "xz data (an initrd?)",
	    "zstd data (an initrd?)",
	    "lz4 data (an initrd?)",
	    "bzip2 data (an initrd?)",
	    "lzma data (an initrd?)",
	    "lzo data (an initrd?)",
	};
	return (size_t)kind < sizeof names / sizeof names[0] ? names[kind] : names[0];
}

const char *kimage_describe(const struct kimage_info *k, char *buf, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return buf;
	buf[0] = 0;
	buf_appendf(buf, cap, &o, "%s", kind_name(k->kind));
	if (k->kind == KIMAGE_BZIMAGE)
		buf_appendf(buf, cap, &o, " (boot protocol %u.%02u%s)", k->boot_proto >> 8,
			    k->boot_proto & 0xff, k->efi_stub ? ", EFI stub" : "");
	else if (k->kind == KIMAGE_EFI_ZBOOT)
		buf_appendf(buf, cap, &o, " (%s, %s)", kimage_arch_name(k->arch),
			    k->zboot_comp[0] ? k->zboot_comp : "?");
	else if (k->kind == KIMAGE_PE)
		buf_appendf(buf, cap, &o, " (machine 0x%04x)", k->pe_machine);
	else if (kimage_is_kernel(k) && k->efi_stub)
		buf_appendf(buf, cap, &o, " (EFI stub)");
	return buf;
}

/* The sentence for file i of the set when it is in the wrong place. */
static int why_wrong(const struct kimage_info *k, const int *sniff_r, size_t i, char *why,
		     size_t cap)
{
	char d[160];
	kimage_describe(&k[i], d, sizeof d);
	if (sniff_r[i] < 0)
		snprintf(why, cap, "%s with a broken or cut-short header: not bootable", d);
	else if (i == 0)
		snprintf(why, cap,
			 "not a kernel: %s; --kernel takes an x86 bzImage, an arm64 Image "
			 "or an EFI zboot image",
			 d);
	else
		snprintf(why, cap, "this --initrd is %s: give it to --kernel", d);
	return -EINVAL;
}

int kimage_check_set(const struct kimage_info *k, const int *sniff_r, size_t n, size_t *bad,
		     char *why, size_t cap)
{
	if (n == 0)
		return 0;
	size_t kernel_initrd = 0; /* 1 + the first initrd that is a kernel */
	for (size_t i = 1; i < n && !kernel_initrd; i++)
		if (kimage_is_kernel(&k[i]))
			kernel_initrd = i + 1;
	*bad = 0;
	if (sniff_r[0] < 0)
		return why_wrong(k, sniff_r, 0, why, cap);
	if (!kimage_is_kernel(&k[0]) && kernel_initrd && kimage_is_initrd(&k[0])) {
		char d0[160], d1[160];
		snprintf(
		    why, cap,
		    "--kernel and --initrd look swapped: the --kernel file is %s, the --initrd "
		    "file is %s",
		    kimage_describe(&k[0], d0, sizeof d0),
		    kimage_describe(&k[kernel_initrd - 1], d1, sizeof d1));
		return -EINVAL;
	}
	if (!kimage_is_kernel(&k[0]))
		return why_wrong(k, sniff_r, 0, why, cap);
	if (kernel_initrd) {
		*bad = kernel_initrd - 1;
		return why_wrong(k, sniff_r, *bad, why, cap);
	}
	return 0;
}
