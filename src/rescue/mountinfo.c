/* mountinfo: parses /proc/PID/mountinfo into a mount table and answers path
 * questions about it (pure, fuzzed). */
#include "rescue/mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

void mountinfo_unescape(char *s)
{
	char *o = s;
	while (*s) {
		if (s[0] == '\\' && is_odigit(s[1]) && is_odigit(s[2]) && is_odigit(s[3])) {
			int v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			/* \000 would cut the string short: keep it escaped. */
			if (v > 0 && v < 256) {
				*o++ = (char)v;
				s += 4;
				continue;
			}
		}
		*o++ = *s++;
	}
	*o = 0;
}

/* Splits off the next space-separated field of *cur (NUL-terminating it);
 * NULL when none is left. */
static char *next_field(char **cur)
{
	char *s = *cur;
	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	char *e = s;
	while (*e && *e != ' ')
		e++;
	if (*e)
		*e++ = 0;
	*cur = e;
	return s;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -EBADMSG;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -EBADMSG;
	*out = (int)v;
	return 0;
}

static int parse_devno(char *s, unsigned *maj, unsigned *min)
{
	char *colon = strchr(s, ':');
	int a, b;
	if (!colon)
		return -EBADMSG;
	*colon = 0;
	if (parse_int(s, &a) || parse_int(colon + 1, &b))
		return -EBADMSG;
	*maj = (unsigned)a;
	*min = (unsigned)b;
	return 0;
}

static int parse_line(char *line, struct mnt_entry *e)
{
	char *cur = line, *f[6];
	memset(e, 0, sizeof *e);
	for (int i = 0; i < 6; i++)
		if (!(f[i] = next_field(&cur)))
			return -EBADMSG;
	if (parse_int(f[0], &e->id) || parse_int(f[1], &e->parent) ||
	    parse_devno(f[2], &e->major, &e->minor))
		return -EBADMSG;
	e->root = f[3];
	e->target = f[4];
	e->opts = f[5];
	/* Optional fields up to the lone "-" separator. */
	for (;;) {
		char *o = next_field(&cur);
		if (!o)
			return -EBADMSG;
		if (!strcmp(o, "-"))
			break;
		if (!strncmp(o, "shared:", 7))
			e->shared = true;
	}
	char *fstype = next_field(&cur), *source = next_field(&cur);
	char *super = next_field(&cur);
	if (!fstype || !source)
		return -EBADMSG;
	/* Old kernels may omit super options; anything after them is junk. */
	if (super && next_field(&cur))
		return -EBADMSG;
	e->fstype = fstype;
	e->source = source;
	e->super = super ? super : "";
	/* root is a path, or "net:[...]" for nsfs; the mount point is a path. */
	if (e->target[0] != '/')
		return -EBADMSG;
	mountinfo_unescape((char *)e->root);
	mountinfo_unescape((char *)e->target);
	mountinfo_unescape((char *)e->source);
	return 0;
}

void mountinfo_free(struct mnt_table *t)
{
	free(t->v);
	free(t->text);
	t->v = NULL;
	t->text = NULL;
	t->n = 0;
}

int mountinfo_parse(const char *text, size_t len, struct mnt_table *t)
{
	size_t lines = 1;
	memset(t, 0, sizeof *t);
	if (memchr(text, 0, len))
		return -EBADMSG;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	t->text = malloc(len + 1);
	t->v = calloc(lines, sizeof *t->v);
	if (!t->text || !t->v) {
		mountinfo_free(t);
		return -ENOMEM;
	}
	memcpy(t->text, text, len);
	t->text[len] = 0;
	char *p = t->text;
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (*p) {
			if (parse_line(p, &t->v[t->n])) {
				mountinfo_free(t);
				return -EBADMSG;
			}
			t->n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

int mountinfo_load(const char *path, struct mnt_table *t)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 32768, len = 0;
	char *buf;
	int rc = 0;
	if (fd < 0)
		return -errno;
	if (!(buf = malloc(cap))) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = mountinfo_parse(buf, len, t);
out:
	free(buf);
	close(fd);
	return rc;
}

const struct mnt_entry *mountinfo_find(const struct mnt_table *t, const char *path)
{
	for (size_t i = t->n; i-- > 0;)
		if (!strcmp(t->v[i].target, path))
			return &t->v[i];
	return NULL;
}

bool mountinfo_path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	if (strncmp(path, prefix, n))
		return false;
	return path[n] == 0 || path[n] == '/';
}

bool mountinfo_has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;
	while (p && *p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !strncmp(p, opt, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}
