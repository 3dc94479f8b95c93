/* opts: one table per command's options. From its rows come getopt_long's
 * arrays, the --help text, what a config file may say, the SIGHUP reload
 * policy, and (through opts_foreach) the man page and shell completion.
 *
 * A new option is its member in the command's options struct and one row
 * naming it, e.g. in serve_opts.c:
 *
 *   {"max-per-client", 0, OPTS_UINT, "N", S(max_per_client), .min = 1,
 *    .max = 1024, .def = "16", .help = "connections per client address",
 *    .reload = OPTS_RELOAD_STARTUP, .group = G_NET},
 *
 * Only a check across options ("--initrd needs --kernel") goes elsewhere. */
#ifndef LIFEBOAT_CORE_OPTS_H
#define LIFEBOAT_CORE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* How a row's value is read and stored. */
enum opts_kind {
	OPTS_FLAG,   /* no value: stores .value (integer of the member's width) */
	OPTS_STRING, /* const char *: points into argv (or the config file) */
	OPTS_STRBUF, /* char[]: copied, silently cut to the buffer's size */
	OPTS_UINT,   /* unsigned integer in .min..max, decimal */
	OPTS_PORT,   /* uint16_t 1..65535 */
	OPTS_CHOICE, /* one name of .choices, stores its value */
	OPTS_LIST,   /* repeatable: const char *[] and a size_t count */
	OPTS_CUSTOM, /* .parse reads it (a value when .arg is set, else none) */
};

/* What a SIGHUP reload does when the row's value changed. */
enum opts_reload {
	OPTS_RELOAD_APPLY,   /* the new value is used */
	OPTS_RELOAD_KEEP,    /* the running value is copied back; .note logged */
	OPTS_RELOAD_NOTE,    /* .note logged; the running services keep theirs */
	OPTS_RELOAD_REFUSE,  /* the reload fails with .note */
	OPTS_RELOAD_STARTUP, /* read only at start-up; not reported */
};

/* Row flags. */
#define OPTS_NO_CONFIG 0x1u /* not allowed in a config file */
#define OPTS_STOP 0x2u	    /* ends parsing at once (--help) */
#define OPTS_DEF_DOC 0x4u   /* .def is shown only: the default is set elsewhere */
#define OPTS_TERSE 0x8u	    /* .parse's errors read "CMD: --NAME: WHY" (no value) */
#define OPTS_REPEAT 0x10u   /* may be given more than once (implied by LIST) */

struct opts_choice {
	const char *name;
	long value;
};

struct opts_row {
	const char *name; /* long name, also the config-file key */
	char short_name;  /* or 0 */
	enum opts_kind kind;
	const char *arg; /* value's name in --help; NULL for FLAG (and value-less CUSTOM) */
	/* storage in the command's options struct (OPTS_AT): what is parsed
	 * into, compared and carried on reload; size 0 = none */
	size_t off, size;
	size_t count_off, count_size;	   /* OPTS_LIST: the count (OPTS_LIST_AT) */
	long value, init;		   /* OPTS_FLAG: stored when given / before parsing */
	unsigned long min, max;		   /* OPTS_UINT */
	const struct opts_choice *choices; /* OPTS_CHOICE: ends with a NULL name */
	int (*parse)(void *o, const char *arg, const char **why); /* OPTS_CUSTOM: 0 or -EINVAL */
	const char *def;  /* default as --help shows it; applied first unless OPTS_DEF_DOC */
	const char *help; /* one line (wrapped by --help) */
	const char *bad;  /* error wording instead of "bad --NAME" (UINT) or "--NAME" (LIST) */
	unsigned flags;
	enum opts_reload reload;
	const char *note;  /* reload message for KEEP, NOTE, REFUSE (rows may share one) */
	const char *group; /* --help / man page section */
};

#define OPTS_MEMBER_SIZE(type, m) sizeof(((type *)0)->m)
/* Storage of a row: the member of the options struct. */
#define OPTS_AT(type, m) .off = offsetof(type, m), .size = OPTS_MEMBER_SIZE(type, m)
/* Storage of an OPTS_LIST row: the array and its count. */
#define OPTS_LIST_AT(type, arr, count)                          \
	OPTS_AT(type, arr), .count_off = offsetof(type, count), \
			    .count_size = OPTS_MEMBER_SIZE(type, count)

struct opts_cmd {
	const char *name;	 /* "serve": starts every message */
	const char *about;	 /* usage line and description, before the groups */
	void (*epilog)(FILE *f); /* after the groups (lists, examples); may be NULL */
	const struct opts_row *rows;
	size_t n_rows;
	size_t size;	    /* sizeof the options struct */
	bool getopt_errors; /* getopt prints unknown-option errors itself */
	bool has_config;    /* reads a config file (the man page says so) */
};

/* At most this many rows per command (getopt arrays live on the stack). */
#define OPTS_MAX_ROWS 96

/* The table is well formed: storage inside the struct and of a size the
 * kind can write, unique names, KEEP only on values that can be copied.
 * 0 or -EINVAL with the reason in *why. Tests run it over every table. */
int opts_check(const struct opts_cmd *cmd, const char **why);

/* Sets every row's default (.init of flags, .def unless OPTS_DEF_DOC);
 * other bytes of o are left as they are. 0 or -EINVAL (a bad .def). */
int opts_defaults(const struct opts_cmd *cmd, void *o);

/* Parses argv[1..] into o (defaults are not set here). Sets *first to the
 * index of the first argument that is not an option. Returns 0; 1 when an
 * OPTS_STOP row ended parsing; -EINVAL for a bad value and -ENOENT for an
 * unknown option or a missing value, with a message "CMD: ..." on err
 * (none from us for -ENOENT when cmd->getopt_errors). */
int opts_parse(const struct opts_cmd *cmd, int argc, char **argv, void *o, int *first, FILE *err);

/* The row named name (long name), or NULL. */
const struct opts_row *opts_find(const struct opts_cmd *cmd, const char *name);

/* What a config file may say about name. */
enum { OPTS_CFG_UNKNOWN = 0, OPTS_CFG_VALUE = 1, OPTS_CFG_FLAG = 2 };
int opts_config_kind(const struct opts_cmd *cmd, const char *name);

/* Whether the row reads a value. */
bool opts_takes_value(const struct opts_row *r);

/* The --help text: cmd->about, the rows by group (in order of first
 * appearance), cmd->epilog. */
void opts_help(const struct opts_cmd *cmd, FILE *f);
/* Only the groups: "\nGROUP:\n" and its rows, for each group. */
void opts_help_groups(const struct opts_cmd *cmd, FILE *f);

/* Calls fn on every row in table order until it returns non-zero, which is
 * returned. For generators (man page, completion). */
int opts_foreach(const struct opts_cmd *cmd, int (*fn)(const struct opts_row *r, void *ctx),
		 void *ctx);

/* Whether the row's value differs between two options structs. */
bool opts_changed(const struct opts_row *r, const void *a, const void *b);

/* A reload from old to new options, by the rows' policy. Refused (a REFUSE
 * row changed): -EPERM, *refused = its note, new untouched. Else 0: the
 * distinct notes of changed KEEP and NOTE rows go to notes[] (up to cap;
 * count in *n_notes) and KEEP rows' running values are copied into new. */
int opts_reload(const struct opts_cmd *cmd, const void *old, void *new_o, const char **notes,
		size_t cap, size_t *n_notes, const char **refused);

#endif
