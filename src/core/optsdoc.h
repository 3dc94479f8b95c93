/* optsdoc: the man pages and the bash and zsh completion of a multi-call
 * binary, generated from its commands' option tables (core/opts), so that
 * `CMD --help`, the man page and the completion always agree.
 *
 * The man page's hand-written sections (description, examples, files,
 * signals, exit status, security) come from a roff template with these
 * tokens: @VERSION@ and @DATE@ anywhere in a line; a line that is just
 * @OPTIONS@ (the command's options by group), @COMMANDS@ (the command list,
 * for the program's own page) or @SEEALSO@ (every generated page). */
#ifndef LIFEBOAT_CORE_OPTSDOC_H
#define LIFEBOAT_CORE_OPTSDOC_H

#include <stddef.h>
#include <stdio.h>

#include "core/opts.h"

struct optsdoc_cmd {
	const char *name;	     /* "serve" */
	const char *summary;	     /* one line */
	const struct opts_cmd *opts; /* NULL: no options (and no page of its own) */
};

struct optsdoc {
	const char *prog;	    /* "lifeboat" */
	const char *summary;	    /* the program's one line */
	const struct opts_cmd *top; /* options before a command (--help, --version) */
	const struct optsdoc_cmd *cmds;
	size_t n_cmds;
	const char *version, *date; /* for .TH */
	int section;		    /* 8 */
};

/* The command named name ("serve"), or NULL. */
const struct optsdoc_cmd *optsdoc_find(const struct optsdoc *d, const char *name);

/* The page of cmd (NULL: the program's own page) from tmpl (NULL: a
 * minimal built-in template: name, synopsis, options, see also). 0, or
 * -EINVAL with a message on stderr (an unknown @TOKEN@). */
int optsdoc_man(FILE *out, const struct optsdoc *d, const struct optsdoc_cmd *cmd,
		const char *tmpl);

/* Writes the text of s as roff (escapes, "\-" for option dashes, "\&" before
 * a line's leading '.' or '\''). */
void optsdoc_roff_text(FILE *out, const char *s);

/* bash: a function completing commands, options and their values, and the
 * `complete -F` line. */
void optsdoc_bash(FILE *out, const struct optsdoc *d);

/* zsh: a #compdef file for fpath (_arguments per command). */
void optsdoc_zsh(FILE *out, const struct optsdoc *d);

#endif
