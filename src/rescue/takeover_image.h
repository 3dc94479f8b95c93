/* takeover_image: stage 0's part of --image and --then kexec: the options
 * into the state, what is carried for them (zstd, the kexec kernel and
 * initrd), and their refusals. Kept apart from takeover.c, which calls
 * these three at fixed points. */
#ifndef LIFEBOAT_RESCUE_TAKEOVER_IMAGE_H
#define LIFEBOAT_RESCUE_TAKEOVER_IMAGE_H

#include <stddef.h>

#include "rescue/carry.h"
#include "rescue/plan.h"

#define TIMG_KERNEL "/lifeboat/kexec/kernel" /* in the RAM root */
#define TIMG_INITRD "/lifeboat/kexec/initrd"
#define TIMG_IMAGE "/lifeboat/image" /* a local --image, carried: the old root goes */
#define TIMG_MAX_REFUSALS 6

struct timg_opts {
	const char *kernel, *initrd, *cmdline;	 /* --kernel, --initrd, --cmdline (NULL: unset) */
	char kernel_src[4096], initrd_src[4096]; /* on this system, to carry ("" none) */
	char image_src[4096];			 /* a local --image, carried into the RAM root */
	char refusal[TIMG_MAX_REFUSALS][256];
	const char *refusals[TIMG_MAX_REFUSALS];
	size_t nref;
};

/* After the command line: fills st's kexec_* fields (the paths PID 1 uses)
 * and the files to carry, and finds the refusals (o->refusals, o->nref). */
void timg_args(struct timg_opts *o, struct rescue_state *st);

/* Carries what --image and --then kexec need into c (dry or real). */
int timg_carry(const struct timg_opts *o, const struct rescue_state *st, struct carry *c, char *err,
	       size_t cap);

/* --switch-to: the running kernel's modules (/lib/modules/RELEASE) and
 * /lib/firmware, copied into the new root (mounted at newroot) when it
 * lacks them, with the carried busybox's cp -a (run through run, which
 * returns the exit status). Returns how many trees were copied, -errno
 * when a copy failed. */
int timg_carry_kernel_files(const char *newroot, const char *busybox,
			    int (*run)(char *const argv[], int timeout_s));

/* --image with --then kexec or switch: PID 1 mounts the written root (or
 * its first partition) once the old root, and with it /lib/modules, is
 * gone. The filesystem modules such a root may need (ext4, vfat with its
 * code pages, xfs, btrfs) are therefore loaded now. timg_fs_modules is the
 * pure choice: the modules for the filesystems that filesystems (the text
 * of /proc/filesystems) lacks, into out; returns how many. */
#define TIMG_FS_MODULES_MAX 12
size_t timg_fs_modules(const char *filesystems, const char *out[], size_t cap);
/* Runs this system's modprobe -q -a for them (through run, as above).
 * Nothing for other --then actions or without --image. Never fatal: the
 * number of modules asked for, or -errno (no modprobe). */
int timg_preload_fs(const struct rescue_state *st, int (*run)(char *const argv[], int timeout_s));
#endif
