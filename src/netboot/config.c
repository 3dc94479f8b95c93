/* config: reads a --config file into argv words that serve's option
 * parser takes before the command line's. */
#include "netboot/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void config_argv_free(struct config_argv *c)
{
	if (!c)
		return;
	/* every word is its own allocation */
	for (int i = 0; c->argv && i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->text);
	memset(c, 0, sizeof *c);
}

static int push(struct config_argv *c, size_t *cap, char *word)
{
	if ((size_t)c->argc + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **v = realloc(c->argv, ncap * sizeof *v);
		if (!v)
			return -ENOMEM;
		c->argv = v;
		*cap = ncap;
	}
	c->argv[c->argc++] = word;
	c->argv[c->argc] = NULL;
	return 0;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

int config_parse(const char *path, char *text, size_t len, int (*known)(const char *name),
		 struct config_argv *out, FILE *err)
{
	size_t cap = 0;
	int lineno = 0, r = 0;
	memset(out, 0, sizeof *out);
	out->text = text;
	if (memchr(text, 0, len)) {
		fprintf(err, "%s: contains a NUL byte: not a text file\n", path);
		return -EINVAL;
	}
	char *line = text, *next;
	for (; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *name = s;
		size_t nl = strcspn(s, " \t");
		char *val = s[nl] ? trim(s + nl + 1) : s + nl;
		s[nl] = 0;
		if (!strcmp(name, "root")) {
			if (!*val) {
				fprintf(err, "%s:%d: 'root' needs a directory\n", path, lineno);
				return -EINVAL;
			}
			out->root = val;
			continue;
		}
		if (!strcmp(name, "config")) {
			fprintf(err, "%s:%d: 'config' cannot be nested\n", path, lineno);
			return -EINVAL;
		}
		int kind = known(name);
		if (kind == CONFIG_OPT_UNKNOWN) {
			fprintf(err, "%s:%d: unknown option '%s'\n", path, lineno, name);
			return -EINVAL;
		}
		bool flag = kind == CONFIG_OPT_FLAG;
		if (flag && *val) {
			fprintf(err, "%s:%d: '%s' takes no value\n", path, lineno, name);
			return -EINVAL;
		}
		if (!flag && !*val) {
			fprintf(err, "%s:%d: '%s' needs a value\n", path, lineno, name);
			return -EINVAL;
		}
		char *opt = malloc(strlen(name) + 3);
		if (!opt)
			return -ENOMEM;
		opt[0] = opt[1] = '-';
		strcpy(opt + 2, name);
		if ((r = push(out, &cap, opt))) {
			free(opt);
			return r;
		}
		if (!flag) {
			char *v = strdup(val);
			if (!v)
				return -ENOMEM;
			if ((r = push(out, &cap, v))) {
				free(v);
				return r;
			}
		}
	}
	return r;
}

int config_load(const char *path, int (*known)(const char *name), struct config_argv *out,
		FILE *err)
{
	FILE *f = fopen(path, "re");
	memset(out, 0, sizeof *out);
	if (!f) {
		int e = errno;
		fprintf(err, "%s: %s\n", path, strerror(e));
		return -e;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap)
			break;
		if (cap >= (1u << 20)) {
			fprintf(err, "%s: larger than 1 MiB\n", path);
			free(buf);
			fclose(f);
			return -EFBIG;
		}
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (!nb)
			free(buf);
		buf = nb;
	}
	fclose(f);
	if (!buf)
		return -ENOMEM;
	buf[len] = 0;
	int r = config_parse(path, buf, len, known, out, err);
	if (r) {
		config_argv_free(out);
		/* config_argv_free freed buf through out->text */
	}
	return r;
}
