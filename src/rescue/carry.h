/* carry: copies executables, their program interpreter and shared
 * libraries (found with elf_read_deps, resolved like ld.so does) and plain
 * files into the RAM root. With dry set it only adds up the sizes. */
#ifndef LIFEBOAT_RESCUE_CARRY_H
#define LIFEBOAT_RESCUE_CARRY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CARRY_MAX_FILES 512

struct carry {
	const char *root; /* destination directory (the RAM root) */
	bool dry;
	uint64_t bytes;
	size_t nfiles;
	char done[CARRY_MAX_FILES][128]; /* destination paths already carried (truncated keys) */
	char lib_dirs[16][PATH_MAX];	 /* search order after DT_RUNPATH */
	size_t n_lib_dirs;
	int src_root; /* sources are read inside this root (carry_set_source), -1: "/" */
};

/* Sets up c for root; reads /etc/ld.so.conf.d/ for extra library dirs. */
void carry_init(struct carry *c, const char *root, bool dry);

/* Reads sources inside dir (symlinks resolved with dir as "/", e.g. a
 * mounted disk or a debootstrap tree) and its /etc/ld.so.conf.d. 0 or
 * -errno. carry_done closes it. */
int carry_set_source(struct carry *c, const char *dir);
void carry_done(struct carry *c);

/* Opens path (absolute) for reading from the source root. fd or -errno. */
int carry_open_source(const struct carry *c, const char *path);

/* Copies the file src (following symlinks) to root + dst (dst NULL: same
 * path as src), creating parent directories, keeping the mode bits.
 * Returns 0, or -errno. A destination already carried is skipped. */
int carry_file(struct carry *c, const char *src, const char *dst);

/* Carries an executable and, recursively, its interpreter and DT_NEEDED
 * libraries. Returns 0, -ENOENT when a library cannot be found (*missing
 * names it), or another -errno. */
int carry_exe(struct carry *c, const char *src, const char *dst, char *missing, size_t cap);

/* Finds a library by DT_NEEDED name: runpath dirs (":" separated, may be
 * ""), then the default dirs. Writes the path found to out. */
int carry_find_lib(const struct carry *c, const char *name, const char *runpath, char *out,
		   size_t cap);

#endif
