/* opts: reads, documents and compares a command's options from its table
 * (opts.h), so that a new option is one row plus its storage member. */
#include "core/opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HELP_INDENT 25 /* column of the help text, as the hand-written text had it */
#define HELP_WIDTH 79

__attribute__((format(printf, 2, 3))) static void say(FILE *err, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
}

static void *at(void *o, size_t off)
{
	return (char *)o + off;
}

static const void *cat(const void *o, size_t off)
{
	return (const char *)o + off;
}

/* Stores v into an integer member of 1, 2, 4 or 8 bytes (an enum, a bool,
 * a uint16_t port, ...); opts_check has made sure the width is one of them. */
static void store_int(void *p, size_t size, unsigned long v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	uint64_t u64 = v;
	switch (size) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	case 8:
		memcpy(p, &u64, 8);
		break;
	}
}

/* Decimal in min..max, as strtol reads it (the parsers this replaced). */
static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || (unsigned long)v < min || (unsigned long)v > max)
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

static int apply_choice(const struct opts_cmd *cmd, const struct opts_row *r, void *o,
			const char *arg, FILE *err)
{
	size_t n = 0;
	for (const struct opts_choice *c = r->choices; c->name; c++, n++)
		if (!strcmp(c->name, arg)) {
			store_int(at(o, r->off), r->size, (unsigned long)c->value);
			return 0;
		}
	say(err, "%s: --%s is ", cmd->name, r->name);
	for (size_t i = 0; i < n; i++)
		say(err, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", r->choices[i].name);
	say(err, "\n");
	return -EINVAL;
}

static int apply_list(const struct opts_cmd *cmd, const struct opts_row *r, void *o,
		      const char *arg, FILE *err)
{
	size_t count, cap = r->size / sizeof(const char *);
	memcpy(&count, at(o, r->count_off), sizeof count);
	if (count >= cap) {
		if (r->bad)
			say(err, "%s: at most %zu %s\n", cmd->name, cap, r->bad);
		else
			say(err, "%s: at most %zu --%s\n", cmd->name, cap, r->name);
		return -EINVAL;
	}
	memcpy(at(o, r->off + count * sizeof arg), &arg, sizeof arg);
	count++;
	memcpy(at(o, r->count_off), &count, sizeof count);
	return 0;
}

/* One option's value (arg NULL for value-less rows) into o. 0 or -EINVAL
 * with the message on err (NULL: silent). */
static int apply(const struct opts_cmd *cmd, const struct opts_row *r, void *o, const char *arg,
		 FILE *err)
{
	unsigned long v;
	const char *why = NULL;
	switch (r->kind) {
	case OPTS_FLAG:
		store_int(at(o, r->off), r->size, (unsigned long)r->value);
		return 0;
	case OPTS_STRING:
		memcpy(at(o, r->off), &arg, sizeof arg);
		return 0;
	case OPTS_STRBUF:
		snprintf(at(o, r->off), r->size, "%s", arg);
		return 0;
	case OPTS_UINT:
	case OPTS_PORT: {
		bool port = r->kind == OPTS_PORT;
		if (parse_ulong(arg, port ? 1 : r->min, port ? 65535 : r->max, &v)) {
			if (r->bad)
				say(err, "%s: %s '%s'\n", cmd->name, r->bad, arg);
			else if (port)
				say(err, "%s: bad port '%s'\n", cmd->name, arg);
			else
				say(err, "%s: bad --%s '%s'\n", cmd->name, r->name, arg);
			return -EINVAL;
		}
		store_int(at(o, r->off), r->size, v);
		return 0;
	}
	case OPTS_CHOICE:
		return apply_choice(cmd, r, o, arg, err);
	case OPTS_LIST:
		return apply_list(cmd, r, o, arg, err);
	case OPTS_CUSTOM:
		if (!r->parse(o, arg, &why))
			return 0;
		if ((r->flags & OPTS_TERSE) || !arg)
			say(err, "%s: --%s: %s\n", cmd->name, r->name, why ? why : "bad value");
		else
			say(err, "%s: --%s %s: %s\n", cmd->name, r->name, arg,
			    why ? why : "bad value");
		return -EINVAL;
	}
	return -EINVAL;
}

bool opts_takes_value(const struct opts_row *r)
{
	return r->kind != OPTS_FLAG && (r->kind != OPTS_CUSTOM || r->arg);
}

static bool int_size(size_t s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

/* The kind can write a member of the row's size. */
static bool size_fits(const struct opts_row *r)
{
	switch (r->kind) {
	case OPTS_FLAG:
		return r->size == 0 || int_size(r->size);
	case OPTS_STRING:
		return r->size == sizeof(const char *);
	case OPTS_STRBUF:
		return r->size > 0;
	case OPTS_UINT:
		return int_size(r->size) && r->min <= r->max &&
		       (r->size == 8 || r->max < (1ul << (8 * r->size)));
	case OPTS_PORT:
		return r->size == 2;
	case OPTS_CHOICE:
		return int_size(r->size) && r->choices && r->choices[0].name;
	case OPTS_LIST:
		return r->size >= sizeof(const char *) && r->size % sizeof(const char *) == 0 &&
		       r->count_size == sizeof(size_t);
	case OPTS_CUSTOM:
		return r->parse != NULL;
	}
	return false;
}

static const char *check_row(const struct opts_cmd *cmd, const struct opts_row *r)
{
	if (!r->name || !*r->name || !r->help || !r->group)
		return "a row without name, help or group";
	if (r->off + r->size > cmd->size ||
	    (r->kind == OPTS_LIST && r->count_off + r->count_size > cmd->size))
		return "storage outside the options struct";
	if (!size_fits(r))
		return "storage of the wrong size for its kind";
	if (opts_takes_value(r) != (r->arg != NULL))
		return "a value-taking row needs an argument name (and a flag none)";
	if (r->kind == OPTS_LIST && r->def && !(r->flags & OPTS_DEF_DOC))
		return "a list's default can only be documented (OPTS_DEF_DOC)";
	if (r->reload == OPTS_RELOAD_KEEP &&
	    (r->size == 0 || r->kind == OPTS_STRING || r->kind == OPTS_LIST))
		return "KEEP copies the running value: not for pointers into freed options";
	if ((r->reload == OPTS_RELOAD_KEEP || r->reload == OPTS_RELOAD_NOTE ||
	     r->reload == OPTS_RELOAD_REFUSE) &&
	    (!r->note || (r->size == 0 && r->kind != OPTS_LIST)))
		return "a reload policy needs a note and storage to compare";
	return NULL;
}

int opts_check(const struct opts_cmd *cmd, const char **why)
{
	*why = NULL;
	if (cmd->n_rows > OPTS_MAX_ROWS)
		*why = "more than OPTS_MAX_ROWS rows";
	for (size_t i = 0; !*why && i < cmd->n_rows; i++) {
		const struct opts_row *r = &cmd->rows[i];
		*why = check_row(cmd, r);
		for (size_t j = 0; !*why && j < i; j++) {
			if (!strcmp(cmd->rows[j].name, r->name))
				*why = "two rows with one long name";
			else if (r->short_name && cmd->rows[j].short_name == r->short_name)
				*why = "two rows with one short name";
		}
	}
	if (!*why) {
		void *o = calloc(1, cmd->size ? cmd->size : 1);
		if (!o || opts_defaults(cmd, o))
			*why = o ? "a default its own row refuses" : "out of memory";
		free(o);
	}
	return *why ? -EINVAL : 0;
}

int opts_defaults(const struct opts_cmd *cmd, void *o)
{
	for (size_t i = 0; i < cmd->n_rows; i++) {
		const struct opts_row *r = &cmd->rows[i];
		if (r->kind == OPTS_FLAG && r->size)
			store_int(at(o, r->off), r->size, (unsigned long)r->init);
		else if (r->kind != OPTS_FLAG && r->def && !(r->flags & OPTS_DEF_DOC) &&
			 apply(cmd, r, o, r->def, NULL))
			return -EINVAL;
	}
	return 0;
}

const struct opts_row *opts_find(const struct opts_cmd *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->n_rows; i++)
		if (!strcmp(cmd->rows[i].name, name))
			return &cmd->rows[i];
	return NULL;
}

int opts_config_kind(const struct opts_cmd *cmd, const char *name)
{
	const struct opts_row *r = opts_find(cmd, name);
	if (!r || (r->flags & OPTS_NO_CONFIG))
		return OPTS_CFG_UNKNOWN;
	return opts_takes_value(r) ? OPTS_CFG_VALUE : OPTS_CFG_FLAG;
}

static const struct opts_row *find_short(const struct opts_cmd *cmd, int c)
{
	for (size_t i = 0; c > 0 && i < cmd->n_rows; i++)
		if (cmd->rows[i].short_name == c)
			return &cmd->rows[i];
	return NULL;
}

int opts_parse(const struct opts_cmd *cmd, int argc, char **argv, void *o, int *first, FILE *err)
{
	struct option lo[OPTS_MAX_ROWS + 1];
	char shorts[2 + 2 * OPTS_MAX_ROWS];
	size_t ns = 0, n = cmd->n_rows < OPTS_MAX_ROWS ? cmd->n_rows : OPTS_MAX_ROWS;
	if (!cmd->getopt_errors)
		shorts[ns++] = ':'; /* ':' for a missing value, '?' for the unknown */
	for (size_t i = 0; i < n; i++) {
		const struct opts_row *r = &cmd->rows[i];
		bool v = opts_takes_value(r);
		lo[i] = (struct option){r->name, v ? required_argument : no_argument, NULL,
					256 + (int)i};
		if (r->short_name) {
			shorts[ns++] = r->short_name;
			if (v)
				shorts[ns++] = ':';
		}
	}
	lo[n] = (struct option){0};
	shorts[ns] = 0;
	/* 0, not 1: glibc and musl then also forget where a previous parse
	 * stopped inside a group of short options ("-hf") */
	optind = 0;
	opterr = cmd->getopt_errors;
	int c;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct opts_row *r = c >= 256 && c < 256 + (int)n ? &cmd->rows[c - 256]
					   : c == ':' || c == '?'	? NULL
									: find_short(cmd, c);
		if (c == ':' && !cmd->getopt_errors) {
			/* named from optopt: musl leaves optind past argc when a
			 * short option ends argv */
			if (optopt >= 256 && optopt < 256 + (int)n)
				say(err, "%s: option --%s needs a value\n", cmd->name,
				    cmd->rows[optopt - 256].name);
			else
				say(err, "%s: option -%c needs a value\n", cmd->name, optopt);
			return -ENOENT;
		}
		if (!r) {
			if (!cmd->getopt_errors && optopt > 0 && optopt < 256)
				say(err, "%s: unknown option '-%c'\n", cmd->name, optopt);
			else if (!cmd->getopt_errors)
				say(err, "%s: unknown option '%s'\n", cmd->name,
				    optind - 1 < argc ? argv[optind - 1] : "?");
			return -ENOENT;
		}
		int rc = apply(cmd, r, o, opts_takes_value(r) ? optarg : NULL, err);
		if (rc)
			return rc;
		if (r->flags & OPTS_STOP) {
			*first = optind;
			return 1;
		}
	}
	*first = optind;
	return 0;
}

/* Prints s from column col on, broken at spaces before HELP_WIDTH, each
 * further line indented to HELP_INDENT. */
static void wrap(FILE *f, size_t col, const char *s)
{
	bool fresh = true;
	while (*s) {
		while (*s == ' ')
			s++;
		size_t wl = strcspn(s, " ");
		if (!wl)
			break;
		if (!fresh && col + 1 + wl > HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_INDENT, "");
			col = HELP_INDENT;
			fresh = true;
		}
		if (!fresh) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, wl, f);
		col += wl;
		fresh = false;
		s += wl;
	}
	fputc('\n', f);
}

static void help_row(const struct opts_row *r, FILE *f)
{
	char left[128], text[1024];
	int n = snprintf(left, sizeof left, "  %c%c%s--%s%s%s", r->short_name ? '-' : ' ',
			 r->short_name ? r->short_name : ' ', r->short_name ? ", " : "  ", r->name,
			 r->arg ? " " : "", r->arg ? r->arg : "");
	size_t col = n < 0 ? 0 : (size_t)n;
	if (col >= sizeof left)
		col = sizeof left - 1;
	fputs(left, f);
	if (col + 2 > HELP_INDENT) {
		fputs("  ", f);
		col += 2;
	} else {
		fprintf(f, "%*s", (int)(HELP_INDENT - col), "");
		col = HELP_INDENT;
	}
	if (r->def) {
		bool q = strchr(r->def, ' ') != NULL;
		snprintf(text, sizeof text, "%s (default %s%s%s)", r->help, q ? "\"" : "", r->def,
			 q ? "\"" : "");
	} else {
		snprintf(text, sizeof text, "%s", r->help);
	}
	wrap(f, col, text);
}

void opts_help_groups(const struct opts_cmd *cmd, FILE *f)
{
	for (size_t g = 0; g < cmd->n_rows; g++) {
		const char *group = cmd->rows[g].group;
		bool seen = false;
		for (size_t j = 0; j < g && !seen; j++)
			seen = !strcmp(cmd->rows[j].group, group);
		if (seen)
			continue;
		fprintf(f, "\n%s:\n", group);
		for (size_t i = g; i < cmd->n_rows; i++)
			if (!strcmp(cmd->rows[i].group, group))
				help_row(&cmd->rows[i], f);
	}
}

void opts_help(const struct opts_cmd *cmd, FILE *f)
{
	fputs(cmd->about, f);
	opts_help_groups(cmd, f);
	if (cmd->epilog)
		cmd->epilog(f);
}

int opts_foreach(const struct opts_cmd *cmd, int (*fn)(const struct opts_row *r, void *ctx),
		 void *ctx)
{
	for (size_t i = 0; i < cmd->n_rows; i++) {
		int r = fn(&cmd->rows[i], ctx);
		if (r)
			return r;
	}
	return 0;
}

static bool str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

bool opts_changed(const struct opts_row *r, const void *a, const void *b)
{
	const char *sa, *sb;
	if (r->kind == OPTS_STRING) {
		memcpy(&sa, cat(a, r->off), sizeof sa);
		memcpy(&sb, cat(b, r->off), sizeof sb);
		return str_differ(sa, sb);
	}
	if (r->kind == OPTS_LIST) {
		size_t na, nb;
		memcpy(&na, cat(a, r->count_off), sizeof na);
		memcpy(&nb, cat(b, r->count_off), sizeof nb);
		for (size_t i = 0; na == nb && i < na; i++) {
			memcpy(&sa, cat(a, r->off + i * sizeof sa), sizeof sa);
			memcpy(&sb, cat(b, r->off + i * sizeof sb), sizeof sb);
			if (str_differ(sa, sb))
				return true;
		}
		return na != nb;
	}
	return r->size && memcmp(cat(a, r->off), cat(b, r->off), r->size) != 0;
}

int opts_reload(const struct opts_cmd *cmd, const void *old, void *new_o, const char **notes,
		size_t cap, size_t *n_notes, const char **refused)
{
	*n_notes = 0;
	*refused = NULL;
	for (size_t i = 0; i < cmd->n_rows; i++) {
		const struct opts_row *r = &cmd->rows[i];
		if (r->reload == OPTS_RELOAD_REFUSE && opts_changed(r, old, new_o)) {
			*refused = r->note;
			return -EPERM;
		}
	}
	for (size_t i = 0; i < cmd->n_rows; i++) {
		const struct opts_row *r = &cmd->rows[i];
		if ((r->reload != OPTS_RELOAD_KEEP && r->reload != OPTS_RELOAD_NOTE) ||
		    !opts_changed(r, old, new_o))
			continue;
		bool dup = false;
		for (size_t j = 0; j < *n_notes && !dup; j++)
			dup = !strcmp(notes[j], r->note);
		if (!dup && *n_notes < cap)
			notes[(*n_notes)++] = r->note;
	}
	for (size_t i = 0; i < cmd->n_rows; i++) {
		const struct opts_row *r = &cmd->rows[i];
		if (r->reload == OPTS_RELOAD_KEEP)
			memcpy(at(new_o, r->off), cat(old, r->off), r->size);
	}
	return 0;
}
