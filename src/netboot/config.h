/* config: `lifeboat serve --config FILE`. One option per line, named as the
 * long command-line option without its dashes, its value the rest of the
 * line; `root DIR` sets ROOT. '#' starts a comment line. Example:
 *
 *   root /srv/boot
 *   interface eth1
 *   boot bios=pxelinux.0
 *   host b8:27:eb:*=ignore
 *   cmdline console=ttyS0 quiet
 *
 * The file becomes argument words placed before the command line's, so the
 * command line adds to (repeatable options) or overrides (single ones) the
 * file. Pure apart from reading the file. */
#ifndef LIFEBOAT_NETBOOT_CONFIG_H
#define LIFEBOAT_NETBOOT_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "core/opts.h"

struct config_argv {
	char *text;  /* the file's bytes (root points into it) */
	char **argv; /* words, each malloc'd, NULL-terminated (NULL when none) */
	int argc;
	char *root; /* value of a `root` line, or NULL */
};

/* What known(name) answers for a long option name: opts_config_kind()
 * of the command's option table gives these. */
enum {
	CONFIG_OPT_UNKNOWN = OPTS_CFG_UNKNOWN,
	CONFIG_OPT_VALUE = OPTS_CFG_VALUE,
	CONFIG_OPT_FLAG = OPTS_CFG_FLAG
};

/* Turns config text (len bytes) into argument words. Unknown names, a flag
 * with a value, an option without one, NUL bytes: -EINVAL with
 * "PATH:LINE: ..." written to err. known(name) says whether a long option (CONFIG_OPT_*)
 * exists. Returns 0 or -errno; on success the caller frees with
 * config_argv_free(). Takes ownership of text (malloc'd). */
int config_parse(const char *path, char *text, size_t len, int (*known)(const char *name),
		 struct config_argv *out, FILE *err);

/* Reads path and parses it. */
int config_load(const char *path, int (*known)(const char *name), struct config_argv *out,
		FILE *err);
void config_argv_free(struct config_argv *c);

#endif
