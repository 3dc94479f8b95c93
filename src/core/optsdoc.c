/* optsdoc: man pages (roff) and bash/zsh completion from option tables. */
#include "core/optsdoc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

const struct optsdoc_cmd *optsdoc_find(const struct optsdoc *d, const char *name)
{
	for (size_t i = 0; name && i < d->n_cmds; i++)
		if (!strcmp(d->cmds[i].name, name))
			return &d->cmds[i];
	return NULL;
}

/* roff */

static void roff_chars(FILE *out, const char *s, size_t n, bool line_start)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool word_start = i == 0 || !isalnum((unsigned char)s[i - 1]);
		if (i == 0 && line_start && (c == '.' || c == '\''))
			fputs("\\&", out);
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-' && word_start)
			fputs("\\-", out);
		else
			fputc(c, out);
	}
}

void optsdoc_roff_text(FILE *out, const char *s)
{
	roff_chars(out, s, strlen(s), true);
}

static void roff_name(FILE *out, const struct optsdoc *d, const struct optsdoc_cmd *cmd, bool upper)
{
	for (const char *p = d->prog; *p; p++)
		fputc(upper ? toupper((unsigned char)*p) : *p, out);
	if (!cmd)
		return;
	fputs("\\-", out);
	for (const char *p = cmd->name; *p; p++)
		fputc(upper ? toupper((unsigned char)*p) : *p, out);
}

static const char *reload_text(const struct opts_row *r)
{
	switch (r->reload) {
	case OPTS_RELOAD_APPLY:
		return "A reload (SIGHUP) applies a change.";
	case OPTS_RELOAD_STARTUP:
		return "Read at start-up only: a reload keeps the running value.";
	case OPTS_RELOAD_REFUSE:
		return "A reload (SIGHUP) that changes it fails: ";
	default:
		return "On reload (SIGHUP): ";
	}
}

static void man_row(FILE *out, const struct opts_row *r, bool has_config)
{
	fputs(".TP\n", out);
	if (r->short_name)
		fprintf(out, "\\fB\\-%c\\fR, ", r->short_name);
	fputs("\\fB\\-\\-", out);
	roff_chars(out, r->name, strlen(r->name), false);
	fputs("\\fR", out);
	if (opts_takes_value(r)) {
		fputs(" \\fI", out);
		roff_chars(out, r->arg, strlen(r->arg), false);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	optsdoc_roff_text(out, r->help ? r->help : "");
	fputs(".\n", out);
	if (r->kind == OPTS_CHOICE) {
		fputs("One of:", out);
		for (const struct opts_choice *c = r->choices; c->name; c++)
			fprintf(out, "%s \\fB%s\\fR", c == r->choices ? "" : ",", c->name);
		fputs(".\n", out);
	}
	if ((r->kind == OPTS_LIST || (r->flags & OPTS_REPEAT)) &&
	    !(r->help && strstr(r->help, "repeatable")))
		fputs("May be given more than once.\n", out);
	if (r->def) {
		fputs("Default: \\fB", out);
		roff_chars(out, r->def, strlen(r->def), false);
		fputs("\\fR.\n", out);
	}
	if (!has_config || (r->flags & OPTS_STOP))
		return;
	if (r->flags & OPTS_NO_CONFIG) {
		fputs("Not allowed in a config file.\n", out);
		return;
	}
	fputs(reload_text(r), out);
	if (r->reload != OPTS_RELOAD_APPLY && r->reload != OPTS_RELOAD_STARTUP && r->note) {
		optsdoc_roff_text(out, r->note);
		fputs(".", out);
	}
	fputc('\n', out);
}

/* The rows by group, in order of each group's first appearance. */
static void man_options(FILE *out, const struct opts_cmd *c)
{
	if (!c || !c->n_rows) {
		fputs("None.\n", out);
		return;
	}
	for (size_t i = 0; i < c->n_rows; i++) {
		const char *g = c->rows[i].group ? c->rows[i].group : "Options";
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(c->rows[j].group ? c->rows[j].group : "Options", g);
		if (seen)
			continue;
		fputs(".SS ", out);
		optsdoc_roff_text(out, g);
		fputc('\n', out);
		for (size_t j = i; j < c->n_rows; j++)
			if (!strcmp(c->rows[j].group ? c->rows[j].group : "Options", g))
				man_row(out, &c->rows[j], c->has_config);
	}
}

static void man_commands(FILE *out, const struct optsdoc *d)
{
	for (size_t i = 0; i < d->n_cmds; i++) {
		const struct optsdoc_cmd *c = &d->cmds[i];
		fprintf(out, ".TP\n.B %s\n", c->name);
		optsdoc_roff_text(out, c->summary ? c->summary : "");
		fputs(".\n", out);
		if (c->opts) {
			fputs("See \\fB", out);
			roff_name(out, d, c, false);
			fprintf(out, "\\fR(%d).\n", d->section);
		}
	}
}

static void man_seealso(FILE *out, const struct optsdoc *d, const struct optsdoc_cmd *cmd)
{
	bool first = true;
	for (size_t i = 0; i <= d->n_cmds; i++) {
		const struct optsdoc_cmd *c = i == 0 ? NULL : &d->cmds[i - 1];
		if (c == cmd || (c && !c->opts))
			continue;
		if (!first)
			fputs(",\n", out);
		first = false;
		fputs(".BR ", out);
		roff_name(out, d, c, false);
		fprintf(out, " (%d)", d->section);
	}
	fputc('\n', out);
}

static const char builtin_tmpl[] = ".TH @TITLE@ @SECTION@ \"@DATE@\" \"@PROG@ @VERSION@\" "
				   "\"System Administration\"\n"
				   ".SH NAME\n"
				   "@NAME@ \\- @SUMMARY@\n"
				   ".SH SYNOPSIS\n"
				   ".B @PROG@ @CMD@\n"
				   "[\\fIOPTIONS\\fR]\n"
				   ".SH OPTIONS\n"
				   "@OPTIONS@\n"
				   ".SH SEE ALSO\n"
				   "@SEEALSO@\n";

/* One @TOKEN@ inside a line; 0, or -EINVAL when unknown. */
static int man_inline(FILE *out, const struct optsdoc *d, const struct optsdoc_cmd *cmd,
		      const char *tok, size_t n)
{
#define IS(s) (n == sizeof(s) - 1 && !memcmp(tok, s, n))
	const char *summary = cmd ? cmd->summary : d->summary;
	if (IS("VERSION"))
		fputs(d->version ? d->version : "", out);
	else if (IS("DATE"))
		fputs(d->date ? d->date : "", out);
	else if (IS("SECTION"))
		fprintf(out, "%d", d->section);
	else if (IS("PROG"))
		fputs(d->prog, out);
	else if (IS("CMD"))
		fputs(cmd ? cmd->name : "", out);
	else if (IS("NAME"))
		roff_name(out, d, cmd, false);
	else if (IS("TITLE"))
		roff_name(out, d, cmd, true);
	else if (IS("SUMMARY"))
		roff_chars(out, summary ? summary : "", strlen(summary ? summary : ""), false);
	else
		return -EINVAL;
	return 0;
#undef IS
}

/* One template line (without its newline). */
static int man_line(FILE *out, const struct optsdoc *d, const struct optsdoc_cmd *cmd,
		    const char *l, size_t n)
{
	const struct opts_cmd *oc = cmd ? cmd->opts : d->top;
	if (n == 9 && !memcmp(l, "@OPTIONS@", 9)) {
		man_options(out, oc);
		return 0;
	}
	if (n == 10 && !memcmp(l, "@COMMANDS@", 10)) {
		man_commands(out, d);
		return 0;
	}
	if (n == 9 && !memcmp(l, "@SEEALSO@", 9)) {
		man_seealso(out, d, cmd);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *end = l[i] == '@' ? memchr(l + i + 1, '@', n - i - 1) : NULL;
		size_t tn = end ? (size_t)(end - (l + i + 1)) : 0;
		if (!end || tn == 0 || tn > 16) {
			fputc(l[i], out);
			continue;
		}
		if (man_inline(out, d, cmd, l + i + 1, tn)) {
			fprintf(stderr, "optsdoc: unknown token @%.*s@\n", (int)tn, l + i + 1);
			return -EINVAL;
		}
		i += tn + 1;
	}
	fputc('\n', out);
	return 0;
}

int optsdoc_man(FILE *out, const struct optsdoc *d, const struct optsdoc_cmd *cmd, const char *tmpl)
{
	const char *p = tmpl ? tmpl : builtin_tmpl;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (man_line(out, d, cmd, p, n))
			return -EINVAL;
		p += n + (nl != NULL);
	}
	return 0;
}

/* completion */

enum value_kind { V_NONE, V_FILE, V_DIR, V_IFACE, V_USER, V_CHOICE };

static enum value_kind value_kind(const struct opts_row *r)
{
	static const struct {
		const char *arg;
		enum value_kind k;
	} by_arg[] = {
	    {"FILE", V_FILE}, {"F", V_FILE},  {"PATH", V_FILE},	  {"ROOTFS", V_FILE},
	    {"DEV", V_FILE},  {"DIR", V_DIR}, {"IFACE", V_IFACE}, {"USER", V_USER},
	};
	if (r->kind == OPTS_CHOICE)
		return V_CHOICE;
	for (size_t i = 0; r->arg && i < sizeof by_arg / sizeof by_arg[0]; i++)
		if (!strcmp(r->arg, by_arg[i].arg))
			return by_arg[i].k;
	return V_NONE;
}

static void bash_value_case(FILE *out, const struct opts_row *r)
{
	static const char *const actions[] = {
	    [V_NONE] = "COMPREPLY=()",
	    [V_FILE] = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))",
	    [V_DIR] = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))",
	    [V_IFACE] = ("COMPREPLY=($(compgen -W \"$(command ls /sys/class/net 2>/dev/null)\" -- "
			 "\"$cur\"))"),
	    [V_USER] = "COMPREPLY=($(compgen -u -- \"$cur\"))",
	};
	enum value_kind k = value_kind(r);
	fprintf(out, "\t\t--%s", r->name);
	if (r->short_name)
		fprintf(out, "|-%c", r->short_name);
	fputs(")\n\t\t\t", out);
	if (k == V_CHOICE) {
		fputs("COMPREPLY=($(compgen -W '", out);
		for (const struct opts_choice *c = r->choices; c->name; c++)
			fprintf(out, "%s%s", c == r->choices ? "" : " ", c->name);
		fputs("' -- \"$cur\"))", out);
	} else {
		fputs(actions[k], out);
	}
	fputs("\n\t\t\treturn ;;\n", out);
}

static void bash_words(FILE *out, const struct opts_cmd *c)
{
	for (size_t i = 0; c && i < c->n_rows; i++) {
		fprintf(out, "%s--%s", i ? " " : "", c->rows[i].name);
		if (c->rows[i].short_name)
			fprintf(out, " -%c", c->rows[i].short_name);
	}
}

void optsdoc_bash(FILE *out, const struct optsdoc *d)
{
	fprintf(out,
		"# bash completion for %s: generated from its option tables (%s --help), "
		"do not edit.\n\n_%s() {\n"
		"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words\n"
		"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
		"\t\tCOMPREPLY=($(compgen -W '",
		d->prog, d->prog, d->prog);
	for (size_t i = 0; i < d->n_cmds; i++)
		fprintf(out, "%s ", d->cmds[i].name);
	bash_words(out, d->top);
	fputs("' -- \"$cur\"))\n\t\treturn\n\tfi\n\tcase ${COMP_WORDS[1]} in\n", out);
	for (size_t i = 0; i < d->n_cmds; i++) {
		const struct opts_cmd *c = d->cmds[i].opts;
		if (!c)
			continue;
		fprintf(out, "\t%s)\n\t\tcase $prev in\n", d->cmds[i].name);
		for (size_t j = 0; j < c->n_rows; j++)
			if (opts_takes_value(&c->rows[j]))
				bash_value_case(out, &c->rows[j]);
		fputs("\t\tesac\n\t\twords='", out);
		bash_words(out, c);
		fputs("'\n\t\t;;\n", out);
	}
	fprintf(out,
		"\t*)\n\t\treturn ;;\n\tesac\n"
		"\tif [[ $cur == -* ]]; then\n"
		"\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
		"\telse\n"
		"\t\tcompopt -o filenames 2>/dev/null\n"
		"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		"\tfi\n}\ncomplete -F _%s %s\n",
		d->prog, d->prog);
}

/* Text for inside '...' of a zsh spec: quotes closed and reopened; in a
 * [description] brackets escaped; in a message colons escaped. */
static void zsh_quoted(FILE *out, const char *s, bool in_brackets)
{
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else if (in_brackets && (*s == '[' || *s == ']'))
			fprintf(out, "\\%c", *s);
		else if (!in_brackets && *s == ':')
			fputs("\\:", out);
		else
			fputc(*s, out);
	}
}

static void zsh_row(FILE *out, const struct opts_row *r)
{
	static const char *const actions[] = {
	    [V_NONE] = " ",	   [V_FILE] = "_files",
	    [V_DIR] = "_files -/", [V_IFACE] = "_net_interfaces",
	    [V_USER] = "_users",
	};
	bool value = opts_takes_value(r);
	bool repeat = r->kind == OPTS_LIST || (r->flags & OPTS_REPEAT);
	fputs("\t\t", out);
	if (repeat)
		fputs("'*'", out);
	else if (r->short_name)
		fprintf(out, "'(-%c --%s)'", r->short_name, r->name);
	if (r->short_name)
		fprintf(out, "{-%c%s,--%s%s}'", r->short_name, value ? "+" : "", r->name,
			value ? "=" : "");
	else
		fprintf(out, "'--%s%s", r->name, value ? "=" : "");
	fputc('[', out);
	zsh_quoted(out, r->help, true);
	fputc(']', out);
	if (value) {
		fputc(':', out);
		zsh_quoted(out, r->arg, false);
		fputc(':', out);
		enum value_kind k = value_kind(r);
		if (k == V_CHOICE) {
			fputc('(', out);
			for (const struct opts_choice *c = r->choices; c->name; c++)
				fprintf(out, "%s%s", c == r->choices ? "" : " ", c->name);
			fputc(')', out);
		} else {
			fputs(actions[k], out);
		}
	}
	fputs("' \\\n", out);
}

void optsdoc_zsh(FILE *out, const struct optsdoc *d)
{
	fprintf(out,
		"#compdef %s\n# zsh completion for %s: generated from its option tables, "
		"do not edit.\n",
		d->prog, d->prog);
	for (size_t i = 0; i < d->n_cmds; i++) {
		const struct opts_cmd *c = d->cmds[i].opts;
		if (!c)
			continue;
		fprintf(out, "\n_%s_%s() {\n\t_arguments -s -S \\\n", d->prog, d->cmds[i].name);
		for (size_t j = 0; j < c->n_rows; j++)
			zsh_row(out, &c->rows[j]);
		fputs("\t\t'*:argument:_files'\n}\n", out);
	}
	fprintf(out, "\n_%s_main() {\n\tlocal -a cmds\n\tcmds=(\n", d->prog);
	for (size_t i = 0; i < d->n_cmds; i++) {
		fprintf(out, "\t\t'%s:", d->cmds[i].name);
		zsh_quoted(out, d->cmds[i].summary, true);
		fputs("'\n", out);
	}
	fputs("\t)\n\tif (( CURRENT == 2 )); then\n"
	      "\t\t_describe -t commands 'command' cmds\n",
	      out);
	for (size_t j = 0; d->top && j < d->top->n_rows; j++)
		fprintf(out, "\t\tcompadd -- --%s\n", d->top->rows[j].name);
	fputs("\t\treturn\n\tfi\n\tlocal cmd=$words[2]\n\tshift words\n\t(( CURRENT-- ))\n"
	      "\tcase $cmd in\n",
	      out);
	for (size_t i = 0; i < d->n_cmds; i++)
		if (d->cmds[i].opts)
			fprintf(out, "\t%s) _%s_%s ;;\n", d->cmds[i].name, d->prog,
				d->cmds[i].name);
	fprintf(out, "\tesac\n}\n\n_%s_main \"$@\"\n", d->prog);
}
