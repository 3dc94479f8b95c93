/* mkrescue_tree: what one `lifeboat mkrescue` run builds (struct
 * mkrescue: options, the stage directory, the report) and the helpers that
 * write the image tree and run host tools (compressors, busybox --list). */
#ifndef LIFEBOAT_RESCUE_MKRESCUE_TREE_H
#define LIFEBOAT_RESCUE_MKRESCUE_TREE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rescue/carry.h"

#define MKRESCUE_MAX_CARRY 32
#define MKRESCUE_MAX_KEYS 16

struct mkrescue {
	/* options */
	const char *output, *kernel, *from, *busybox, *init, *modules, *firmware, *compress;
	const char *carry[MKRESCUE_MAX_CARRY];
	size_t n_carry;
	const char *ssh_keys[MKRESCUE_MAX_KEYS];
	size_t n_keys;
	bool help;
	/* the build */
	FILE *out;		    /* the report (stderr when the image goes to stdout) */
	char root[1024];	    /* "" for the host, else --from without a trailing '/' */
	char stage[256];	    /* the image tree being built */
	char kver[128];		    /* kernel release of the modules */
	char kernel_path[PATH_MAX]; /* on the host (root-prefixed); "" when none */
	struct carry *c;
	char carried[1024]; /* names of the carried tools, for the report */
	char missing[1024]; /* "name (package), ..." */
	char carried_names[64][32];
	size_t n_carried_names;
	uint64_t module_bytes;
	unsigned n_modules, n_fw, n_fw_missing, n_fw_unread;
	char fw_missing_ex[256]; /* a few missing firmware names */
};

/* Copies the host file src to stage-relative dst (creating directories),
 * mode as given. 0 or -errno. */
int mkrescue_copy(const struct mkrescue *m, const char *src, const char *dst, unsigned mode);
/* Writes len bytes to stage-relative dst with mode. 0 or -errno. */
int mkrescue_write(const struct mkrescue *m, const char *dst, const void *data, size_t len,
		   unsigned mode);
/* Reads a whole host file (at most max bytes) into a malloc'd buffer. */
int mkrescue_slurp(const char *path, size_t max, char **data, size_t *len);
/* Runs argv (argv[0] an absolute path) with stdin from in_fd (-1: /dev/null)
 * and stdout to out_fd. 0, or -EIO for a failure exit, -errno. */
int mkrescue_run(const char *const *argv, int in_fd, int out_fd);
/* The same started (its pid, or -errno) and waited for (0, -EIO, -errno). */
int mkrescue_spawn(const char *const *argv, int in_fd, int out_fd);
int mkrescue_wait(int pid);
/* The host's tool of that name on PATH (or the usual dirs) into out. */
int mkrescue_which(const char *name, char *out, size_t cap);

/* A symlink, a directory (mode forced), whether a path exists: all
 * stage-relative. 0 or -errno. */
int mkrescue_symlink(const struct mkrescue *m, const char *target, const char *dst);
int mkrescue_dir(const struct mkrescue *m, const char *dst, unsigned mode);
bool mkrescue_exists(const struct mkrescue *m, const char *dst);

#endif
