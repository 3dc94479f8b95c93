/* serve_rescue: `serve --rescue` at start-up. The kernel is --kernel or
 * this host's (/boot/vmlinuz-RELEASE, /vmlinuz); the image is
 * --rescue-file, or built now by running this binary's `mkrescue -o -`
 * into a memfd (as root, before the privilege drop and the sandbox, like
 * the GRUB cores) and served by descriptor as BOOTPLAN_PREFIX "rescue.img". */
#ifndef LIFEBOAT_NETBOOT_SERVE_RESCUE_H
#define LIFEBOAT_NETBOOT_SERVE_RESCUE_H

#include <stdint.h>
#include <sys/types.h>

#include "core/loop.h"
#include "netboot/serve_opts.h"

/* At start-up and on reload: fills in the kernel, checks the file and
 * that HTTP is on. 0, or -ENOENT/-EINVAL (logged). */
int serve_rescue_check(struct serve_opts *o);
/* At start-up, without --rescue-file: builds the image into a memfd
 * (*fd, kept open for the process's life) and points the plan at it.
 * 0 or -errno (logged). */
int serve_rescue_build(struct serve_opts *o, int *fd);
/* Boot menu mode: the rescue entry's image built in the background, so
 * start-up stays fast (the build takes 5-25 s). */
struct serve_rescue_job {
	struct loop_watch w; /* the pipe the build holds open until it exits */
	pid_t pid;
	int mfd; /* the image being written */
	uint64_t t0;
	/* called once: fd (the caller's from now on) and its size, or -1 */
	void (*done)(void *arg, int fd, uint64_t size);
	void *arg;
};
/* Starts `lifeboat mkrescue -o - --kernel kernel` into a memfd (as root:
 * before the privilege drop); j->done and j->arg set by the caller.
 * 0 or -errno. */
int serve_rescue_build_start(struct serve_rescue_job *j, struct loop *l, const char *kernel);
/* Forgets a build (serve stopping); the build dies with serve. */
void serve_rescue_build_stop(struct serve_rescue_job *j, struct loop *l);
/* This host's kernel: /boot/vmlinuz-RELEASE or /vmlinuz, readable.
 * 0 or -ENOENT. */
int serve_rescue_host_kernel(char *out, size_t cap);
/* On reload: the new options serve the image built at start-up. */
void serve_rescue_inherit(const struct serve_opts *old, struct serve_opts *n);

#endif
