/* isolayout: which distribution layout an ISO has (table-driven, pure): how
 * to recognise it, its kernel and initrds, and the command line that makes
 * it fetch its root over HTTP from lifeboat. */
#ifndef LIFEBOAT_NETBOOT_ISOLAYOUT_H
#define LIFEBOAT_NETBOOT_ISOLAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#define ISOLAYOUT_MAX_INITRD 4
#define ISOLAYOUT_PATH 256

/* Looks a pattern up inside the ISO: an exact path, or one whose last
 * component ends in '*' (the first entry of that directory with the
 * prefix). 1 with the path found in out[cap], 0 when absent. */
typedef int (*isolayout_find_fn)(void *arg, const char *pattern, char *out, size_t cap);

struct isolayout {
	const char *name;  /* "debian-live" */
	const char *label; /* "Debian live" */
	/* all must exist for the layout to match */
	const char *need[3];
	/* '|' separates alternatives; a leading '?' makes an initrd optional */
	const char *kernel;
	const char *initrd[ISOLAYOUT_MAX_INITRD];
	/* {dir}: URL of the ISO's files, {iso}: URL of the whole ISO */
	const char *cmdline;
};

struct isolayout_found {
	const struct isolayout *layout;
	char kernel[ISOLAYOUT_PATH];
	char initrd[ISOLAYOUT_MAX_INITRD][ISOLAYOUT_PATH];
	size_t n_initrd;
};

/* The known layouts, in the order they are tried. */
const struct isolayout *isolayout_table(size_t *n);

/* Detects the layout: 1 with *out filled, 0 when none matches. */
int isolayout_detect(isolayout_find_fn find, void *arg, struct isolayout_found *out);

/* The known layouts as text for an error ("debian-live (live/vmlinuz), ...").
 * Returns the length or -ENOBUFS. */
int isolayout_known(char *buf, size_t cap);

/* The command line with {dir} and {iso} replaced. Length or -ENOBUFS. */
int isolayout_cmdline(const char *tmpl, const char *dir_url, const char *iso_url, char *buf,
		      size_t cap);

#endif
