/* kimage: what a file given to --kernel or --initrd is, from its first
 * bytes (pure, through core/buf): an x86 bzImage (boot protocol header),
 * an arm64/RISC-V Image, an EFI zboot image, an arm32 zImage, another EFI
 * program, an ELF vmlinux, or an initrd (cpio, gzip, xz, zstd, ...). Serve
 * refuses a --kernel that is no kernel and an --initrd that is one. */
#ifndef LIFEBOAT_NETBOOT_KIMAGE_H
#define LIFEBOAT_NETBOOT_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many leading bytes kimage_sniff wants (it takes fewer). */
#define KIMAGE_HEAD 4096

enum kimage_kind {
	KIMAGE_UNKNOWN,
	KIMAGE_BZIMAGE,	    /* x86 boot protocol: 0xAA55 at 0x1fe, "HdrS" at 0x202 */
	KIMAGE_ARM64_IMAGE, /* "ARM\x64" at 0x38 */
	KIMAGE_RISCV_IMAGE, /* "RSC\x05" at 0x38 */
	KIMAGE_EFI_ZBOOT,   /* "MZ", "zimg" at 4: a compressed kernel behind an EFI stub */
	KIMAGE_ARM_ZIMAGE,  /* 0x016f2818 at 0x24 */
	KIMAGE_PE,	    /* another EFI program: GRUB, shim, iPXE, ... */
	KIMAGE_ELF,	    /* an ELF file (vmlinux is not what loaders boot) */
	KIMAGE_CPIO,	    /* newc/crc/odc or binary cpio: an initrd */
	KIMAGE_GZIP,
	KIMAGE_XZ,
	KIMAGE_ZSTD,
	KIMAGE_LZ4,
	KIMAGE_BZIP2,
	KIMAGE_LZMA,
	KIMAGE_LZO,
};

enum kimage_arch {
	KIMAGE_ARCH_UNKNOWN,
	KIMAGE_ARCH_X86, /* x86-64 or i386: the BIOS and x64 UEFI families */
	KIMAGE_ARCH_ARM64,
	KIMAGE_ARCH_ARM32,
	KIMAGE_ARCH_RISCV64,
	KIMAGE_ARCH_LOONG64,
};

struct kimage_info {
	enum kimage_kind kind;
	enum kimage_arch arch;
	uint16_t boot_proto; /* bzImage: boot protocol version (0x020f = 2.15) */
	bool efi_stub;	     /* an MZ + PE header: EFI firmware can start it */
	uint16_t pe_machine; /* COFF machine of that header, 0 without one */
	char zboot_comp[9];  /* EFI zboot: the payload's compression ("gzip", "zstd") */
};

/* Identifies the file whose first len bytes are p. 0 (kind may be
 * KIMAGE_UNKNOWN), or -EBADMSG when a kernel's magic is there but its
 * header is cut short or contradicts itself (then kind says which magic). */
int kimage_sniff(const void *p, size_t len, struct kimage_info *out);

/* A kernel loaders boot (bzImage, Image, zboot, zImage). */
bool kimage_is_kernel(const struct kimage_info *k);
/* What an initrd looks like: cpio or compressed data. */
bool kimage_is_initrd(const struct kimage_info *k);

/* Short words for logs: "x86 bzImage (boot protocol 2.15, EFI stub)",
 * "gzip data (an initrd?)". Writes into buf, returns buf. */
const char *kimage_describe(const struct kimage_info *k, char *buf, size_t cap);
const char *kimage_arch_name(enum kimage_arch a);

/* Checks a kernel and its initrds together: 0, or -EINVAL with *bad the
 * index of the offending file (0 the kernel, 1 + i initrd i) and why[cap]
 * saying what it is and what to do (swapped files named as such). sniff_r
 * holds kimage_sniff's result per file. */
int kimage_check_set(const struct kimage_info *k, const int *sniff_r, size_t n, size_t *bad,
		     char *why, size_t cap);

#endif
