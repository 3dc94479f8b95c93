/* core/optsdoc: man page (roff escaping, template tokens, option entries),
 * bash and zsh completion from a small table of every kind, and the real
 * tables of serve and takeover (every option in every output). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/optsdoc.h"
#include "netboot/serve_opts.h"
#include "rescue/takeover.h"

struct topts {
	const char *file, *dir, *iface;
	int fmt;
	const char *item[4];
	size_t n_item;
	bool flag, help;
	unsigned n;
};

static const struct opts_choice fmts[] = {{"text", 0}, {"json", 1}, {NULL, 0}};

#define T(m) OPTS_AT(struct topts, m)
static const struct opts_row rows[] = {
    {"file", 'f', OPTS_STRING, "FILE", T(file), .help = "read FILE", .group = "Input"},
    {"dir", 0, OPTS_STRING, "DIR", T(dir), .def = "/srv/x-y", .help = "a dir [with] 'quotes'",
     .group = "Input"},
    {"iface", 'i', OPTS_LIST, "IFACE", OPTS_LIST_AT(struct topts, item, n_item),
     .help = "interface (repeatable)", .reload = OPTS_RELOAD_NOTE, .note = "needs a restart",
     .group = "Net"},
    {"format", 0, OPTS_CHOICE, "F", T(fmt), .choices = fmts, .def = "text",
     .help = ".starts with a dot, -x and \\back", .reload = OPTS_RELOAD_STARTUP, .group = "Net"},
    {"count", 0, OPTS_UINT, "A:B", T(n), .max = 9, .help = "colon in the arg", .group = "Input"},
    {"flag", 0, OPTS_FLAG, T(flag), .value = 1, .help = "a flag", .reload = OPTS_RELOAD_REFUSE,
     .note = "--flag is fixed", .group = "Net"},
    {"help", 'h', OPTS_FLAG, T(help), .value = 1, .flags = OPTS_STOP | OPTS_NO_CONFIG,
     .help = "this text", .group = "General"},
};
#undef T

static const struct opts_cmd tcmd = {
    .name = "demo",
    .about = "usage: prog demo\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .size = sizeof(struct topts),
    .has_config = true,
};

static const struct opts_row top_rows[] = {
    {"version", 'V', OPTS_FLAG, .help = "version", .group = "Options"},
};
static const struct opts_cmd top = {.name = "prog", .rows = top_rows, .n_rows = 1};

static const struct optsdoc_cmd cmds[] = {
    {"demo", "the demo: a command", &tcmd},
    {"plain", "no options at all", NULL},
};
static const struct optsdoc doc = {
    .prog = "prog",
    .summary = "a program",
    .top = &top,
    .cmds = cmds,
    .n_cmds = 2,
    .version = "1.2.3",
    .date = "2026-01-02",
    .section = 8,
};

/* Runs fn into a memory buffer; returns it (free it). */
static char *capture_man(const struct optsdoc_cmd *c, const char *tmpl, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	*rc = optsdoc_man(f, &doc, c, tmpl);
	fclose(f);
	return buf;
}

static void test_roff_text(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"plain text", "plain text"},
	    {"--kernel and -i", "\\-\\-kernel and \\-i"},
	    {"read-only x64", "read-only x64"},
	    {".starts with a dot", "\\&.starts with a dot"},
	    {"'quote first", "\\&'quote first"},
	    {"back\\slash", "back\\eslash"},
	    {"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		optsdoc_roff_text(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].want);
		free(buf);
	}
}

static void test_man_page(void **state)
{
	(void)state;
	int rc;
	char *m = capture_man(&cmds[0], NULL, &rc); /* the built-in template */
	assert_int_equal(rc, 0);
	assert_non_null(strstr(m, ".TH PROG\\-DEMO 8 \"2026-01-02\" \"prog 1.2.3\""));
	assert_non_null(strstr(m, "prog\\-demo \\- the demo: a command\n"));
	assert_non_null(
	    strstr(m, ".SS Input\n.TP\n\\fB\\-f\\fR, \\fB\\-\\-file\\fR \\fIFILE\\fR\n"));
	/* groups in order of first appearance; rows of a group together */
	char *in = strstr(m, ".SS Input"), *net = strstr(m, ".SS Net"),
	     *gen = strstr(m, ".SS General");
	assert_true(in && net && gen && in < net && net < gen);
	assert_true(strstr(m, "\\-\\-count") < net);
	assert_non_null(strstr(m, "Default: \\fB/srv/x-y\\fR."));
	assert_non_null(strstr(m, "One of: \\fBtext\\fR, \\fBjson\\fR."));
	assert_non_null(strstr(m, "\\&.starts with a dot, \\-x and \\eback.\n"));
	/* "(repeatable)" in the help: not said twice */
	assert_null(strstr(m, "interface (repeatable).\nMay be given"));
	assert_non_null(strstr(m, "On reload (SIGHUP): needs a restart."));
	assert_non_null(strstr(m, "A reload (SIGHUP) that changes it fails: \\-\\-flag is fixed."));
	assert_non_null(strstr(m, "Read at start-up only"));
	/* --help: OPTS_STOP, no reload or config text */
	char *h = strstr(m, "\\-\\-help");
	assert_non_null(h);
	assert_null(strstr(h, "config file"));
	/* see also: the program's page, not commands without options */
	assert_non_null(strstr(m, ".SH SEE ALSO\n.BR prog (8)\n"));
	assert_null(strstr(m, "prog\\-plain"));
	free(m);
}

static void test_man_template(void **state)
{
	(void)state;
	int rc;
	char *m = capture_man(NULL,
			      ".TH X 8 \"@DATE@\" \"v@VERSION@\"\n"
			      "an @ sign alone and a@b.c stay\n"
			      "@COMMANDS@\n"
			      "@OPTIONS@\n"
			      "@SEEALSO@\n",
			      &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(m, ".TH X 8 \"2026-01-02\" \"v1.2.3\"\n"));
	assert_non_null(strstr(m, "an @ sign alone and a@b.c stay\n"));
	assert_non_null(
	    strstr(m, ".TP\n.B demo\nthe demo: a command.\nSee \\fBprog\\-demo\\fR(8).\n"));
	assert_non_null(strstr(m, ".TP\n.B plain\nno options at all.\n.SS Options\n"));
	assert_non_null(strstr(m, "\\fB\\-V\\fR, \\fB\\-\\-version\\fR\n"));
	assert_non_null(strstr(m, ".BR prog\\-demo (8)\n"));
	free(m);
	/* an unknown token is an error, not silently kept */
	m = capture_man(NULL, "text @NOSUCH@ more\n", &rc);
	assert_int_equal(rc, -EINVAL);
	free(m);
	m = capture_man(NULL, "@OPTIONS@ with words\n", &rc);
	assert_int_equal(rc, -EINVAL);
	free(m);
}

static char *capture(void (*fn)(FILE *, const struct optsdoc *), const struct optsdoc *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(f, d);
	fclose(f);
	return buf;
}

static void test_bash(void **state)
{
	(void)state;
	char *b = capture(optsdoc_bash, &doc);
	assert_non_null(strstr(b, "compgen -W 'demo plain --version -V' -- \"$cur\""));
	assert_non_null(strstr(b, "\t\t--file|-f)\n\t\t\tcompopt -o filenames 2>/dev/null; "
				  "COMPREPLY=($(compgen -f -- \"$cur\"))"));
	assert_non_null(strstr(b, "--dir)\n\t\t\tcompopt -o filenames 2>/dev/null; "
				  "COMPREPLY=($(compgen -d -- \"$cur\"))"));
	assert_non_null(strstr(b, "--iface|-i)\n\t\t\tCOMPREPLY=($(compgen -W \"$(command ls "
				  "/sys/class/net"));
	assert_non_null(strstr(b, "--format)\n\t\t\tCOMPREPLY=($(compgen -W 'text json'"));
	assert_non_null(strstr(b, "--count)\n\t\t\tCOMPREPLY=()"));
	assert_null(strstr(b, "--flag)")); /* a flag takes no value */
	assert_non_null(
	    strstr(b, "words='--file -f --dir --iface -i --format --count --flag --help -h'"));
	assert_null(strstr(b, "\tplain)")); /* no options: nothing to complete */
	assert_non_null(strstr(b, "complete -F _prog prog\n"));
	free(b);
}

static void test_zsh(void **state)
{
	(void)state;
	char *z = capture(optsdoc_zsh, &doc);
	assert_true(!strncmp(z, "#compdef prog\n", 14));
	assert_non_null(strstr(z, "'(-f --file)'{-f+,--file=}'[read FILE]:FILE:_files' \\\n"));
	assert_non_null(
	    strstr(z, "'--dir=[a dir \\[with\\] '\\''quotes'\\'']:DIR:_files -/' \\\n"));
	assert_non_null(strstr(z, "'*'{-i+,--i" /* repeatable: no exclusion list */));
	assert_non_null(strstr(z, ":IFACE:_net_interfaces' \\\n"));
	assert_non_null(strstr(z, ":F:(text json)' \\\n"));
	assert_non_null(strstr(z, "'--count=[colon in the arg]:A\\:B: ' \\\n"));
	assert_non_null(strstr(z, "'--flag[a flag]' \\\n"));
	assert_non_null(strstr(z, "\t\t'demo:the demo: a command'\n"));
	assert_non_null(strstr(z, "\tdemo) _prog_demo ;;\n"));
	assert_null(strstr(z, "_prog_plain"));
	assert_non_null(strstr(z, "_prog_main \"$@\"\n"));
	free(z);
}

/* Every option of the real tables is in the page and both completions. */
static void test_real_tables(void **state)
{
	(void)state;
	const struct optsdoc_cmd real[] = {
	    {"serve", "netboot", serve_options()},
	    {"takeover", "rescue", takeover_options()},
	};
	struct optsdoc d = doc;
	d.prog = "lifeboat";
	d.cmds = real;
	d.n_cmds = 2;
	char *b = capture(optsdoc_bash, &d), *z = capture(optsdoc_zsh, &d);
	for (size_t i = 0; i < 2; i++) {
		int rc;
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		rc = optsdoc_man(f, &d, &real[i], NULL);
		fclose(f);
		assert_int_equal(rc, 0);
		const struct opts_cmd *c = real[i].opts;
		for (size_t j = 0; j < c->n_rows; j++) {
			char want[96];
			snprintf(want, sizeof want, "--%s", c->rows[j].name);
			assert_non_null(strstr(b, want));
			assert_non_null(strstr(z, want));
			/* in roff, every dash of the name is plain after "\-\-" */
			snprintf(want, sizeof want, "\\fB\\-\\-%s\\fR", c->rows[j].name);
			assert_non_null(strstr(buf, want));
		}
		free(buf);
	}
	free(b);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roff_text),	 cmocka_unit_test(test_man_page),
	    cmocka_unit_test(test_man_template), cmocka_unit_test(test_bash),
	    cmocka_unit_test(test_zsh),		 cmocka_unit_test(test_real_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
