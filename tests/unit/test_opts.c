/* core/opts: a table of every kind, parsed, documented, read from a config
 * file and compared on reload; plus the real tables of serve and takeover. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/opts.h"
#include "netboot/config.h"
#include "netboot/probe.h"
#include "netboot/serve.h"
#include "rescue/ctlcmd.h"
#include "rescue/mkrescue.h"
#include "netboot/status_cmd.h"
#include "rescue/takeover.h"

struct topts {
	bool flag, on;
	int level;
	const char *str, *dir, *secret;
	char buf[8];
	unsigned num;
	uint16_t port;
	int mode;
	const char *item[3];
	size_t n_item;
	size_t custom; /* length of the X part of --custom X=Y */
	bool help;
};

static int parse_custom(void *o, const char *arg, const char **why)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		*why = "expected X=Y";
		return -EINVAL;
	}
	((struct topts *)o)->custom = (size_t)(eq - arg);
	return 0;
}

static int parse_terse(void *o, const char *arg, const char **why)
{
	(void)o;
	(void)arg;
	*why = "never right";
	return -EINVAL;
}

static const struct opts_choice modes[] = {{"a", 1}, {"b", 2}, {"c", 3}, {NULL, 0}};

#define A(m) OPTS_AT(struct topts, m)
static const struct opts_row rows[] = {
    {"flag", 'f', OPTS_FLAG, A(flag), .value = 1, .help = "a flag", .group = "One"},
    {"no-on", 0, OPTS_FLAG, A(on), .value = 0, .init = 1, .help = "turn on off", .group = "One"},
    {"loud", 'l', OPTS_FLAG, A(level), .value = 3, .init = 2, .help = "louder", .group = "One"},
    {"quiet", 'q', OPTS_FLAG, A(level), .value = 1, .init = 2, .help = "quieter", .group = "Two"},
    {"str", 's', OPTS_STRING, "S", A(str), .def = "dflt", .help = "a string", .group = "One"},
    {"buf", 0, OPTS_STRBUF, "B", A(buf), .help = "copied", .group = "One"},
    {"num", 'n', OPTS_UINT, "N", A(num), .min = 0, .max = 100, .def = "7", .help = "a number",
     .group = "Two"},
    {"port", 0, OPTS_PORT, "P", A(port), .def = "80", .help = "a port", .reload = OPTS_RELOAD_KEEP,
     .note = "restart", .group = "Two"},
    {"mode", 0, OPTS_CHOICE, "M", A(mode), .choices = modes, .def = "a", .help = "a mode",
     .group = "Two"},
    {"item", 'i', OPTS_LIST, "I", OPTS_LIST_AT(struct topts, item, n_item), .help = "items",
     .reload = OPTS_RELOAD_NOTE, .note = "restart", .group = "Two"},
    {"custom", 0, OPTS_CUSTOM, "X=Y", .parse = parse_custom, .help = "custom", .group = "Two"},
    {"terse", 0, OPTS_CUSTOM, "T", .parse = parse_terse, .flags = OPTS_TERSE, .help = "terse",
     .group = "Two"},
    {"dir", 0, OPTS_STRING, "D", A(dir), .help = "a directory", .reload = OPTS_RELOAD_REFUSE,
     .note = "--dir changes only on restart", .group = "Two"},
    {"secret", 0, OPTS_STRING, "S", A(secret), .flags = OPTS_NO_CONFIG, .help = "not in files",
     .group = "Two"},
    {"help", 'h', OPTS_FLAG, A(help), .value = 1, .flags = OPTS_STOP | OPTS_NO_CONFIG,
     .help = "this text", .group = "One"},
};
#undef A

static const struct opts_cmd cmd = {
    .name = "t",
    .about = "usage: t [options]\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .size = sizeof(struct topts),
};

/* Parses argv (NULL-terminated, argv[0] included) after the defaults;
 * err text into errbuf. */
static int run(const char *const *argv, struct topts *o, int *first, char *errbuf, size_t cap)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(o, 0, sizeof *o);
	assert_int_equal(opts_defaults(&cmd, o), 0);
	memset(errbuf, 0, cap);
	FILE *err = fmemopen(errbuf, cap, "w");
	int r = opts_parse(&cmd, argc, (char **)argv, o, first, err);
	fclose(err);
	return r;
}

static void test_tables_valid(void **state)
{
	(void)state;
	const char *why;
	assert_int_equal(opts_check(&cmd, &why), 0);
	if (opts_check(serve_options(), &why))
		fail_msg("serve: %s", why);
	if (opts_check(takeover_options(), &why))
		fail_msg("takeover: %s", why);
	if (opts_check(probe_options(), &why))
		fail_msg("probe: %s", why);
	if (opts_check(mkrescue_options(), &why))
		fail_msg("mkrescue: %s", why);
	const struct opts_cmd *ctl[] = {confirm_options(), return_options(), reboot_options(),
					poweroff_options()};
	for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++)
		if (opts_check(ctl[i], &why))
			fail_msg("%s: %s", ctl[i]->name, why);
	if (opts_check(status_options(), &why))
		fail_msg("status: %s", why);

	/* what opts_check refuses */
	struct opts_row bad[2] = {rows[0], rows[4]};
	struct opts_cmd c = cmd;
	c.rows = bad;
	c.n_rows = 2;
	bad[1].name = "flag";
	assert_int_equal(opts_check(&c, &why), -EINVAL);
	assert_string_equal(why, "two rows with one long name");
	bad[1] = rows[4];
	bad[1].off = sizeof(struct topts);
	assert_int_equal(opts_check(&c, &why), -EINVAL);
	bad[1] = rows[4];
	bad[1].reload = OPTS_RELOAD_KEEP; /* a pointer into options a reload frees */
	bad[1].note = "x";
	assert_int_equal(opts_check(&c, &why), -EINVAL);
	bad[1] = rows[6];
	bad[1].def = "101"; /* a default its own row refuses */
	assert_int_equal(opts_check(&c, &why), -EINVAL);
	bad[1] = rows[6];
	bad[1].size = 1;
	bad[1].max = 300; /* does not fit a byte */
	assert_int_equal(opts_check(&c, &why), -EINVAL);
	bad[1] = rows[0];
	bad[1].name = "other";
	assert_int_equal(opts_check(&c, &why), -EINVAL); /* two rows with short 'f' */
}

static void test_defaults_and_each_kind(void **state)
{
	(void)state;
	struct topts o;
	int first;
	char errbuf[256];
	const char *none[] = {"t", NULL};
	assert_int_equal(run(none, &o, &first, errbuf, sizeof errbuf), 0);
	assert_false(o.flag);
	assert_true(o.on);
	assert_int_equal(o.level, 2);
	assert_string_equal(o.str, "dflt");
	assert_int_equal(o.num, 7);
	assert_int_equal(o.port, 80);
	assert_int_equal(o.mode, 1);
	assert_int_equal(o.n_item, 0);
	assert_int_equal(first, 1);

	const char *all[] = {"t",	 "-f",	      "--no-on", "-q",	"--str",  "x",
			     "--buf",	 "123456789", "-n",	 "100", "--port", "65535",
			     "--mode",	 "c",	      "-i",	 "one", "--item", "two",
			     "--custom", "ab=c",      "--dir",	 "/d",	"ROOT",	  NULL};
	assert_int_equal(run(all, &o, &first, errbuf, sizeof errbuf), 0);
	assert_true(o.flag);
	assert_false(o.on);
	assert_int_equal(o.level, 1);
	assert_string_equal(o.str, "x");
	assert_string_equal(o.buf, "1234567"); /* cut to the buffer, as snprintf did */
	assert_int_equal(o.num, 100);
	assert_int_equal(o.port, 65535);
	assert_int_equal(o.mode, 3);
	assert_int_equal(o.n_item, 2);
	assert_string_equal(o.item[0], "one");
	assert_string_equal(o.item[1], "two");
	assert_int_equal(o.custom, 2);
	assert_string_equal(o.dir, "/d");
	assert_string_equal(all[first], "ROOT");

	/* the last of single options wins; the abbreviation getopt allows */
	const char *last[] = {"t", "-l", "-q", "-l", "--nu", "0", "--str=y", NULL};
	assert_int_equal(run(last, &o, &first, errbuf, sizeof errbuf), 0);
	assert_int_equal(o.level, 3);
	assert_int_equal(o.num, 0);
	assert_string_equal(o.str, "y");

	/* --help stops at once: what follows is not even looked at */
	const char *help[] = {"t", "-f", "--help", "--bogus", "-n", "x", NULL};
	assert_int_equal(run(help, &o, &first, errbuf, sizeof errbuf), 1);
	assert_true(o.help);
	assert_true(o.flag);
	assert_string_equal(errbuf, "");

	/* a parse that stopped inside "-hf" leaves nothing for the next one */
	const char *grouped[] = {"t", "-hf", NULL}, *next[] = {"t", "-l", NULL};
	assert_int_equal(run(grouped, &o, &first, errbuf, sizeof errbuf), 1);
	assert_false(o.flag);
	assert_int_equal(run(next, &o, &first, errbuf, sizeof errbuf), 0);
	assert_false(o.flag);
	assert_int_equal(o.level, 3);
}

static void test_bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *argv[8];
		int rc;
		const char *msg;
	} cases[] = {
	    {{"t", "-n", "101"}, -EINVAL, "t: bad --num '101'\n"},
	    {{"t", "--num", "-1"}, -EINVAL, "t: bad --num '-1'\n"},
	    {{"t", "--num", ""}, -EINVAL, "t: bad --num ''\n"},
	    {{"t", "--num", "5x"}, -EINVAL, "t: bad --num '5x'\n"},
	    {{"t", "--num", "99999999999999999999"},
	     -EINVAL,
	     "t: bad --num '99999999999999999999'\n"},
	    {{"t", "--port", "0"}, -EINVAL, "t: bad port '0'\n"},
	    {{"t", "--port", "65536"}, -EINVAL, "t: bad port '65536'\n"},
	    {{"t", "--mode", "d"}, -EINVAL, "t: --mode is a, b or c\n"},
	    {{"t", "-f", "-i"}, -ENOENT, "t: option -i needs a value\n"},
	    {{"t", "--custom", "=y"}, -EINVAL, "t: --custom =y: expected X=Y\n"},
	    {{"t", "--terse", "v"}, -EINVAL, "t: --terse: never right\n"},
	    {{"t", "--nope"}, -ENOENT, "t: unknown option '--nope'\n"},
	    {{"t", "-x"}, -ENOENT, "t: unknown option '-x'\n"},
	    {{"t", "--flag=1"}, -ENOENT, "t: unknown option '--flag=1'\n"},
	    {{"t", "--str"}, -ENOENT, "t: option --str needs a value\n"},
	    {{"t", "-s"}, -ENOENT, "t: option -s needs a value\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct topts o;
		int first;
		char errbuf[256];
		int r = run(cases[i].argv, &o, &first, errbuf, sizeof errbuf);
		if (r != cases[i].rc || strcmp(errbuf, cases[i].msg))
			fail_msg("case %zu: r=%d err='%s'", i, r, errbuf);
	}
	/* a full list */
	struct topts o;
	int first;
	char errbuf[256];
	const char *full[] = {"t", "-i", "1", "-i", "2", "-i", "3", "-i", "4", NULL};
	assert_int_equal(run(full, &o, &first, errbuf, sizeof errbuf), -EINVAL);
	assert_string_equal(errbuf, "t: at most 3 --item\n");
	assert_int_equal(o.n_item, 3);
}

/* serve's and takeover's messages, word for word as before the table. */
static void test_real_messages(void **state)
{
	(void)state;
	static const struct {
		const char *argv[6];
		const char *msg;
	} cases[] = {
	    {{"serve", "--http-port", "0"}, "serve: bad port '0'\n"},
	    {{"serve", "--dhcp-rate", "10000001"}, "serve: bad --dhcp-rate '10000001'\n"},
	    {{"serve", "--max-transfers", "0"}, "serve: bad --max-transfers '0'\n"},
	    {{"serve", "--log-format", "xml"}, "serve: --log-format is text or json\n"},
	    {{"serve", "--boot", "nope=x"}, "serve: --boot nope=x: unknown architecture"},
	    {{"serve", "--menu-timeout", "256"},
	     "serve: --menu-timeout 256: expected 0-255 seconds (0: first item at once, 255: "
	     "wait for a choice)\n"},
	    {{"serve", "--dhcp6-range", "x"}, "serve: --dhcp6-range x: "},
	    {{"serve", "--bogus"}, "serve: unknown option '--bogus'\n"},
	    {{"serve", "--initrd", "i"}, "serve: --initrd needs --kernel\n"},
	    {{"serve", "a", "b"}, "serve: unexpected argument 'b' (only one ROOT)\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int argc = 0;
		while (cases[i].argv[argc])
			argc++;
		char errbuf[512] = "";
		FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
		struct serve_opts *o = calloc(1, sizeof *o);
		int r = serve_parse_args(argc, (char **)cases[i].argv, o, err);
		fclose(err);
		if (r != -EINVAL || strncmp(errbuf, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: r=%d err='%s'", i, r, errbuf);
		free(o);
	}
	/* 17 interfaces: the old wording */
	const char *ifs[40] = {"serve"};
	int argc = 1;
	for (int i = 0; i < 17; i++) {
		ifs[argc++] = "-i";
		ifs[argc++] = "eth0";
	}
	char errbuf[512] = "";
	FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
	struct serve_opts *o = calloc(1, sizeof *o);
	assert_int_equal(serve_parse_args(argc, (char **)ifs, o, err), -EINVAL);
	fclose(err);
	assert_string_equal(errbuf, "serve: at most 16 interfaces\n");
	free(o);
}

static int known(const char *name)
{
	return opts_config_kind(&cmd, name);
}

static void test_config_file(void **state)
{
	(void)state;
	assert_int_equal(opts_config_kind(&cmd, "flag"), OPTS_CFG_FLAG);
	assert_int_equal(opts_config_kind(&cmd, "str"), OPTS_CFG_VALUE);
	assert_int_equal(opts_config_kind(&cmd, "custom"), OPTS_CFG_VALUE);
	assert_int_equal(opts_config_kind(&cmd, "secret"), OPTS_CFG_UNKNOWN);
	assert_int_equal(opts_config_kind(&cmd, "help"), OPTS_CFG_UNKNOWN);
	assert_int_equal(opts_config_kind(&cmd, "f"), OPTS_CFG_UNKNOWN); /* long names only */
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"flag\nstr x\n\n# c\nsecret s\n", "t.conf:5: unknown option 'secret'\n"},
	    {"help\n", "t.conf:1: unknown option 'help'\n"},
	    {"item a\nflag on\n", "t.conf:2: 'flag' takes no value\n"},
	    {"\n\nnum\n", "t.conf:3: 'num' needs a value\n"},
	    {"config x\n", "t.conf:1: 'config' cannot be nested\n"},
	    {"root\n", "t.conf:1: 'root' needs a directory\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char errbuf[256] = "";
		FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
		struct config_argv c;
		int r = config_parse("t.conf", strdup(cases[i].text), strlen(cases[i].text), known,
				     &c, err);
		fclose(err);
		if (r != -EINVAL || strcmp(errbuf, cases[i].msg))
			fail_msg("case %zu: r=%d err='%s'", i, r, errbuf);
		config_argv_free(&c);
	}
	/* a good file becomes words the parser takes */
	const char *text = "root /r\nflag\nitem a b\nnum 9\ncustom k=v\n";
	struct config_argv c;
	assert_int_equal(config_parse("t.conf", strdup(text), strlen(text), known, &c, stderr), 0);
	assert_string_equal(c.root, "/r");
	char *argv[16] = {"t"};
	for (int i = 0; i < c.argc; i++)
		argv[1 + i] = c.argv[i];
	struct topts o;
	int first;
	memset(&o, 0, sizeof o);
	opts_defaults(&cmd, &o);
	assert_int_equal(opts_parse(&cmd, 1 + c.argc, argv, &o, &first, stderr), 0);
	assert_true(o.flag);
	assert_string_equal(o.item[0], "a b");
	assert_int_equal(o.num, 9);
	assert_int_equal(o.custom, 1);
	config_argv_free(&c);
}

static void test_reload_policy(void **state)
{
	(void)state;
	struct topts a, b;
	const char *notes[4], *refused;
	size_t nn;
	memset(&a, 0, sizeof a);
	opts_defaults(&cmd, &a);
	a.item[0] = "eth0";
	a.n_item = 1;
	a.dir = "/d";

	/* an APPLY row: taken as it is, nothing said */
	b = a;
	b.str = "new";
	b.num = 50;
	assert_int_equal(opts_reload(&cmd, &a, &b, notes, 4, &nn, &refused), 0);
	assert_int_equal(nn, 0);
	assert_string_equal(b.str, "new");
	assert_int_equal(b.num, 50);

	/* KEEP: the running value is copied back; NOTE: kept as given; one note */
	b = a;
	b.port = 8080;
	char eth1[] = "eth1";
	b.item[0] = eth1; /* same count, other name */
	assert_int_equal(opts_reload(&cmd, &a, &b, notes, 4, &nn, &refused), 0);
	assert_int_equal(nn, 1);
	assert_string_equal(notes[0], "restart");
	assert_int_equal(b.port, 80);
	assert_string_equal(b.item[0], "eth1");

	/* equal strings at other addresses are no change */
	b = a;
	char d[] = "/d";
	b.dir = d;
	assert_int_equal(opts_reload(&cmd, &a, &b, notes, 4, &nn, &refused), 0);
	assert_int_equal(nn, 0);

	/* REFUSE: nothing carried, the row's note says why */
	b = a;
	b.dir = "/other";
	b.port = 8080;
	assert_int_equal(opts_reload(&cmd, &a, &b, notes, 4, &nn, &refused), -EPERM);
	assert_string_equal(refused, "--dir changes only on restart");
	assert_int_equal(b.port, 8080);
}

/* serve's table: the reload decisions serve_reload made by hand before. */
static void test_serve_reload_policy(void **state)
{
	(void)state;
	FILE *devnull = fopen("/dev/null", "w");
	struct serve_opts *o = calloc(1, sizeof *o), *n = calloc(1, sizeof *n);
	const char *a1[] = {"serve", "--kernel", "k", "--http-port", "8080", "--grub"};
	const char *a2[] = {
	    "serve",	 "--kernel",	  "k2",		 "--http-port", "9090",
	    "--no-tftp", "--grub-signed", "--dhcp-rate", "5",		"--tftp-single-port"};
	assert_int_equal(serve_parse_args(6, (char **)a1, o, devnull), 0);
	assert_int_equal(serve_parse_args(10, (char **)a2, n, devnull), 0);
	const char *notes[8], *refused;
	size_t nn;
	assert_int_equal(opts_reload(serve_options(), o, n, notes, 8, &nn, &refused), 0);
	assert_int_equal(nn, 2);
	assert_string_equal(
	    notes[0], "ports, services, interfaces and --tftp-single-port change only on restart");
	assert_string_equal(notes[1], "--grub and --grub-signed change only on restart");
	assert_string_equal(n->plan.kernel, "k2"); /* applied */
	assert_int_equal(n->dhcp_rate, 5);	   /* start-up only, silently */
	assert_int_equal(n->plan.http_port, 8080); /* kept */
	assert_true(n->plan.tftp);
	assert_false(n->tftp_single_port);
	assert_false(n->plan.grub_signed);
	assert_true(n->plan.grub);

	const char *a3[] = {"serve",	  "--kernel",	 "k",	"--grub-dir",
			    "/elsewhere", "--tftp-port", "6969"};
	assert_int_equal(serve_parse_args(7, (char **)a3, n, devnull), 0);
	assert_int_equal(opts_reload(serve_options(), o, n, notes, 8, &nn, &refused), -EPERM);
	assert_string_equal(refused, "--grub-dir changes only on restart");
	assert_int_equal(serve_opts_reload(o, n), -EPERM);

	/* the tftp/dhcp ports and interfaces are reported, not copied */
	const char *a4[] = {"serve",	   "--kernel", "k",	 "--tftp-port", "6969",
			    "--http-port", "8080",     "--grub", "-i",		"eth9"};
	assert_int_equal(serve_parse_args(10, (char **)a4, n, devnull), 0);
	assert_int_equal(opts_reload(serve_options(), o, n, notes, 8, &nn, &refused), 0);
	assert_int_equal(nn, 1);
	assert_int_equal(n->tftp_port, 6969);
	assert_int_equal(n->n_ifaces, 1);
	free(o);
	free(n);
	fclose(devnull);
}

static void test_help_text(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	opts_help(&cmd, f);
	fclose(f);
	/* groups in order of first appearance, each row under its own */
	const char *one = strstr(text, "\nOne:\n"), *two = strstr(text, "\nTwo:\n");
	assert_non_null(one);
	assert_non_null(two);
	assert_true(one < two);
	assert_true(strstr(text, "-h, --help") < two);
	assert_true(strstr(text, "-q, --quiet") > two);
	assert_non_null(strstr(text, "  -s, --str S            a string (default dflt)\n"));
	assert_non_null(strstr(text, "      --buf B            copied\n"));
	assert_int_equal(strncmp(text, "usage: t [options]\n", 19), 0);
	free(text);

	/* serve's and takeover's rows: no line wider than 79 columns */
	const struct opts_cmd *cmds[] = {serve_options(), takeover_options(), probe_options(),
					 status_options(), mkrescue_options()};
	for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
		text = NULL;
		f = open_memstream(&text, &len);
		opts_help_groups(cmds[c], f);
		fclose(f);
		for (char *l = text, *e; *l; l = e + 1) {
			e = strchr(l, '\n');
			assert_non_null(e);
			if (e - l > 79)
				fail_msg("%s: too wide: %.*s", cmds[c]->name, (int)(e - l), l);
		}
		free(text);
	}
}

/* confirm/return/reboot/poweroff: --help prints and never acts; anything
 * else on the line is refused; a bare command goes on (-1). */
static void test_ctlcmd(void **state)
{
	(void)state;
	char *help[] = {"return", "--help", NULL}, *bare[] = {"return", NULL};
	char *extra[] = {"return", "now", NULL}, *bad[] = {"return", "--force", NULL};
	assert_int_equal(ctlcmd_args(return_options(), 2, help), 0);
	assert_int_equal(ctlcmd_args(return_options(), 1, bare), -1);
	assert_int_equal(ctlcmd_args(return_options(), 2, extra), 2);
	assert_int_equal(ctlcmd_args(return_options(), 2, bad), 2);
	char *h2[] = {"reboot", "-h", NULL};
	assert_int_equal(ctlcmd_args(reboot_options(), 2, h2), 0);
}

static int count_rows(const struct opts_row *r, void *ctx)
{
	size_t *n = ctx;
	++*n;
	return !strcmp(r->name, "port") ? 7 : 0;
}

static void test_foreach(void **state)
{
	(void)state;
	size_t n = 0;
	assert_int_equal(opts_foreach(&cmd, count_rows, &n), 7);
	assert_int_equal(n, 8); /* stopped at the 8th row, "port" */
	assert_ptr_equal(opts_find(&cmd, "mode"), &rows[8]);
	assert_null(opts_find(&cmd, "mod"));
	assert_true(opts_takes_value(&rows[10]));
	assert_false(opts_takes_value(&rows[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tables_valid),
	    cmocka_unit_test(test_ctlcmd),
	    cmocka_unit_test(test_defaults_and_each_kind),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_real_messages),
	    cmocka_unit_test(test_config_file),
	    cmocka_unit_test(test_reload_policy),
	    cmocka_unit_test(test_serve_reload_policy),
	    cmocka_unit_test(test_help_text),
	    cmocka_unit_test(test_foreach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
