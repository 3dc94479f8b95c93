/* serve --config: the file format, line-numbered errors, precedence. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/opts.h"
#include "netboot/config.h"
#include "netboot/probe.h"
#include "netboot/serve.h"
#include "netboot/status_cmd.h"
#include "rescue/mkrescue.h"
#include "rescue/takeover.h"

static int known(const char *n)
{
	static const char *const names[] = {"interface", "boot", "cmdline",
					    "no-http",	 "host", "kernel"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(n, names[i]))
			return strcmp(n, "no-http") ? CONFIG_OPT_VALUE : CONFIG_OPT_FLAG;
	return CONFIG_OPT_UNKNOWN;
}

static int parse_text(const char *text, struct config_argv *c, char *errbuf, size_t cap)
{
	FILE *err = fmemopen(errbuf, cap, "w");
	char *t = strdup(text);
	int r = config_parse("test.conf", t, strlen(t), known, c, err);
	fclose(err);
	return r;
}

static void test_good_file(void **state)
{
	(void)state;
	struct config_argv c;
	char errbuf[256] = "";
	const char *text =
	    "# comment\n\n  root /srv/boot  \ninterface eth1\r\nboot bios=pxelinux.0\n"
	    "cmdline console=ttyS0 quiet  splash\nno-http\n\thost b8:27:eb:*=ignore";
	assert_int_equal(parse_text(text, &c, errbuf, sizeof errbuf), 0);
	assert_string_equal(c.root, "/srv/boot");
	const char *want[] = {"--interface",	 "eth1",      "--boot",
			      "bios=pxelinux.0", "--cmdline", "console=ttyS0 quiet  splash",
			      "--no-http",	 "--host",    "b8:27:eb:*=ignore"};
	assert_int_equal(c.argc, 9);
	for (int i = 0; i < 9; i++)
		assert_string_equal(c.argv[i], want[i]);
	assert_null(c.argv[9]);
	config_argv_free(&c);
}

static void test_errors_name_the_line(void **state)
{
	(void)state;
	struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"interface eth0\nbogus 1\n", "test.conf:2: unknown option 'bogus'"},
	    {"\n\n\nno-http yes\n", "test.conf:4: 'no-http' takes no value"},
	    {"boot\n", "test.conf:1: 'boot' needs a value"},
	    {"root\n", "test.conf:1: 'root' needs a directory"},
	    {"config other.conf\n", "test.conf:1: 'config' cannot be nested"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config_argv c;
		char errbuf[256] = "";
		assert_int_equal(parse_text(cases[i].text, &c, errbuf, sizeof errbuf), -EINVAL);
		if (!strstr(errbuf, cases[i].msg))
			fail_msg("case %zu: got '%s'", i, errbuf);
		config_argv_free(&c);
	}
	/* a NUL byte: not text */
	struct config_argv c;
	char *t = malloc(8);
	memcpy(t, "boot\0x\n", 8);
	FILE *devnull = fopen("/dev/null", "w");
	assert_int_equal(config_parse("t", t, 7, known, &c, devnull), -EINVAL);
	fclose(devnull);
	config_argv_free(&c);
}

/* Through serve's loader: file first, command line after it. */
static void test_serve_load_precedence(void **state)
{
	(void)state;
	char path[] = "/tmp/lbcfgXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* every value-less option of serve is value-less in the file too */
	const char *text =
	    "root /from/file\nhttp-port 8080\nboot bios=a.0\nboot efi64=b.efi\nverbose\n"
	    "no-dhcp6\ntftp-single-port\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct serve_opts *o = calloc(1, sizeof *o);
	FILE *devnull = fopen("/dev/null", "w");
	const char *argv1[] = {"serve", "--config", path,      "--http-port",
			       "9090",	"--boot",   "bios=c.0"};
	assert_int_equal(serve_load_opts(7, (char **)argv1, o, devnull), 0);
	assert_string_equal(o->root, "/from/file");
	assert_int_equal(o->plan.http_port, 9090);
	assert_string_equal(bootplan_file_for(&o->plan, "bios"), "c.0");
	assert_string_equal(bootplan_file_for(&o->plan, "efi64"), "b.efi");
	assert_int_equal(o->log_level, LOG_LVL_DEBUG);
	assert_false(o->dhcp6);
	assert_true(o->tftp_single_port);
	serve_opts_free(o);

	o = calloc(1, sizeof *o);
	const char *argv2[] = {"serve", "/cmdline/root", "-c", path};
	assert_int_equal(serve_load_opts(4, (char **)argv2, o, devnull), 0);
	assert_string_equal(o->root, "/cmdline/root");
	serve_opts_free(o);

	o = calloc(1, sizeof *o);
	const char *argv3[] = {"serve", "-c", "/nonexistent/lifeboat.conf"};
	assert_int_equal(serve_load_opts(3, (char **)argv3, o, devnull), -EINVAL);
	serve_opts_free(o);
	fclose(devnull);
	unlink(path);
}

static void test_option_kinds(void **state)
{
	(void)state;
	assert_int_equal(serve_option_kind("no-dhcp6"), CONFIG_OPT_FLAG);
	assert_int_equal(serve_option_kind("tftp-single-port"), CONFIG_OPT_FLAG);
	assert_int_equal(serve_option_kind("menu"), CONFIG_OPT_VALUE);
	assert_int_equal(serve_option_kind("dhcp6-range"), CONFIG_OPT_VALUE);
	assert_int_equal(serve_option_kind("help"), CONFIG_OPT_UNKNOWN);
	assert_int_equal(serve_option_kind("no-such-option"), CONFIG_OPT_UNKNOWN);
}

/* --help names every long option of the command's table (and the table
 * is the parser: keep them in step). */
static int mentions(const struct opts_row *r, void *ctx)
{
	char want[64];
	snprintf(want, sizeof want, "--%s", r->name);
	if (!strstr(ctx, want))
		fail_msg("--help does not mention %s", want);
	return 0;
}

static void test_help_names_every_option(void **state)
{
	(void)state;
	const struct opts_cmd *cmds[] = {serve_options(), takeover_options()};
	for (size_t c = 0; c < 2; c++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_non_null(f);
		if (c == 0)
			serve_usage(f);
		else
			opts_help(cmds[c], f);
		fclose(f);
		opts_foreach(cmds[c], mentions, text);
		free(text);
	}
	size_t n = 0;
	while (serve_option_name(n))
		n++;
	assert_true(n > 30);
}

/* README's flag tables name every option of serve and takeover (by its
 * long name or, as with -v and -q, its short one). */
struct readme_section {
	const char *start, *end;
};

/* name (e.g. "--boot") occurs as a whole word in a table row ("| ...")
 * between start and end. */
static bool in_table(const char *start, const char *end, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = start; (p = strstr(p, name)) && p < end; p += n) {
		const char *line = p;
		while (line > start && line[-1] != '\n')
			line--;
		char next = p[n];
		bool word =
		    !(next == '-' || (next >= 'a' && next <= 'z') || (next >= '0' && next <= '9'));
		if (word && line[0] == '|' && p > line && (p[-1] == '`' || p[-1] == ' '))
			return true;
	}
	return false;
}

static int readme_names(const struct opts_row *r, void *ctx)
{
	const struct readme_section *sec = ctx;
	char l[64], s[8];
	if (r->flags & OPTS_STOP)
		return 0; /* --help */
	snprintf(l, sizeof l, "--%s", r->name);
	snprintf(s, sizeof s, "`-%c`", r->short_name ? r->short_name : '?');
	if (!in_table(sec->start, sec->end, l) && !in_table(sec->start, sec->end, s))
		fail_msg("README's table does not name --%s", r->name);
	return 0;
}

static void test_readme_names_every_option(void **state)
{
	(void)state;
	FILE *f = fopen(LIFEBOAT_SRCDIR "/README.md", "r");
	assert_non_null(f);
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = 0;
	static const char *const heads[] = {
	    "\n## lifeboat serve\n", "\n## lifeboat takeover\n", "\n## lifeboat probe\n",
	    "\n## Rescue system: lifeboat mkrescue", "\n### Live status (`lifeboat status`)\n"};
	const struct opts_cmd *cmds[] = {serve_options(), takeover_options(), probe_options(),
					 mkrescue_options(), status_options()};
	for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
		struct readme_section sec = {strstr(text, heads[c]), NULL};
		assert_non_null(sec.start);
		sec.end = strstr(sec.start + 1, "\n## ");
		if (!sec.end)
			sec.end = text + len;
		opts_foreach(cmds[c], readme_names, &sec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file),
	    cmocka_unit_test(test_errors_name_the_line),
	    cmocka_unit_test(test_serve_load_precedence),
	    cmocka_unit_test(test_option_kinds),
	    cmocka_unit_test(test_help_names_every_option),
	    cmocka_unit_test(test_readme_names_every_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
