/* modsel: the selection of the image's modules for this machine's
 * devices (see modsel.h). Pure; the lists are read by the caller. */
#include "rescue/modsel.h"

#include <errno.h>
#include <stdbool.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

int modsel_next(const char *text, size_t len, size_t *pos, char *path, size_t cap)
{
	while (*pos < len) {
		size_t s = *pos, e = s;
		while (e < len && text[e] != '\n')
			e++;
		*pos = e < len ? e + 1 : e;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		size_t t = e;
		while (t > s && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == '\r'))
			t--;
		if (s == t || text[s] == '#')
			continue;
		if (text[s] != '/' || t - s >= cap || memchr(text + s, 0, t - s))
			return -EINVAL;
		memcpy(path, text + s, t - s);
		path[t - s] = 0;
		return 1;
	}
	return 0;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

enum modsel_comp modsel_name(const char *path, char *name, size_t cap)
{
	static const struct {
		const char *suffix;
		enum modsel_comp comp;
	} sfx[] = {{".ko.xz", MODSEL_XZ},
		   {".ko.zst", MODSEL_ZST},
		   {".ko.gz", MODSEL_GZ},
		   {".ko", MODSEL_PLAIN}};
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	enum modsel_comp comp = MODSEL_PLAIN;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
		if (ends_with(b, n, sfx[i].suffix)) {
			n -= strlen(sfx[i].suffix);
			comp = sfx[i].comp;
			break;
		}
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		name[i] = b[i] == '-' ? '_' : b[i];
	name[n] = 0;
	return comp;
}

int modsel_init(struct modsel *s, const char *list, size_t len)
{
	size_t pos = 0, cap = 64;
	char path[512];
	int k;
	memset(s, 0, sizeof *s);
	s->path = malloc(cap * sizeof *s->path);
	s->name = malloc(cap * sizeof *s->name);
	if (!s->path || !s->name)
		return -ENOMEM;
	while ((k = modsel_next(list, len, &pos, path, sizeof path)) != 0) {
		if (k < 0)
			continue;
		if (s->n == cap) {
			cap *= 2;
			void *p = realloc(s->path, cap * sizeof *s->path);
			if (p)
				s->path = p;
			void *q = realloc(s->name, cap * sizeof *s->name);
			if (q)
				s->name = q;
			if (!p || !q)
				return -ENOMEM;
		}
		memcpy(s->path[s->n], path, strlen(path) + 1);
		modsel_name(path, s->name[s->n], sizeof s->name[0]);
		s->n++;
	}
	s->want = calloc(s->n + 1, sizeof *s->want);
	s->done = calloc(s->n + 1, sizeof *s->done);
	s->dep_off = calloc(s->n + 1, sizeof *s->dep_off);
	return s->want && s->done && s->dep_off ? 0 : -ENOMEM;
}

void modsel_free(struct modsel *s)
{
	free(s->path);
	free(s->name);
	free(s->want);
	free(s->done);
	free(s->deps);
	free(s->dep_off);
	free(s->alias);
	memset(s, 0, sizeof *s);
}

/* The list index of a module name, or -1 (linear: lists are hundreds). */
static long find(const struct modsel *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return (long)i;
	return -1;
}

/* The module name of the path word [w, w+n). */
static void word_name(const char *w, size_t n, char *name, size_t cap)
{
	char tmp[512];
	if (n >= sizeof tmp)
		n = sizeof tmp - 1;
	memcpy(tmp, w, n);
	tmp[n] = 0;
	modsel_name(tmp, name, cap);
}

/* Records the dependencies of one modules.dep line for module i. */
static int dep_line(struct modsel *s, size_t i, const char *p, const char *e, size_t *cap)
{
	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		const char *w = p;
		while (p < e && *p != ' ' && *p != '\t')
			p++;
		char name[64];
		if (p == w)
			break;
		word_name(w, (size_t)(p - w), name, sizeof name);
		long d = find(s, name);
		if (d < 0 || (size_t)d == i)
			continue;
		if (s->n_deps == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			unsigned *nd = realloc(s->deps, *cap * sizeof *nd);
			if (!nd)
				return -ENOMEM;
			s->deps = nd;
		}
		s->deps[s->n_deps++] = (unsigned)d;
	}
	return 0;
}

int modsel_deps(struct modsel *s, const char *text, size_t len)
{
	/* Lines are taken in list order so each module's deps are contiguous:
	 * find each listed module's line (one pass per module is fine for
	 * hundreds of modules; the text is scanned once to index lines). */
	size_t cap = 0;
	const char **line_of = calloc(s->n + 1, sizeof *line_of);
	const char **end_of = calloc(s->n + 1, sizeof *end_of);
	if (!line_of || !end_of) {
		free(line_of);
		free(end_of);
		return -ENOMEM;
	}
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		char name[64];
		if (colon) {
			word_name(p, (size_t)(colon - p), name, sizeof name);
			long i = find(s, name);
			if (i >= 0 && !line_of[i]) {
				line_of[i] = colon + 1;
				end_of[i] = e;
			}
		}
		p = nl ? nl + 1 : end;
	}
	int rc = 0;
	for (size_t i = 0; i < s->n && !rc; i++) {
		s->dep_off[i] = s->n_deps;
		if (line_of[i])
			rc = dep_line(s, i, line_of[i], end_of[i], &cap);
	}
	s->dep_off[s->n] = s->n_deps;
	free(line_of);
	free(end_of);
	return rc;
}

int modsel_aliases(struct modsel *s, char *text, size_t len)
{
	size_t cap = 0;
	for (char *p = text, *end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		*e = 0; /* text[len] must be writable when the last line has no newline */
		char *pat, *mod, *save = NULL;
		if (!strncmp(p, "alias ", 6) && (pat = strtok_r(p + 6, " \t", &save)) &&
		    (mod = strtok_r(NULL, " \t", &save))) {
			char name[64];
			modsel_name(mod, name, sizeof name);
			long i = find(s, name);
			if (i >= 0) {
				if (s->n_alias == cap) {
					cap = cap ? cap * 2 : 1024;
					struct modsel_alias *na =
					    realloc(s->alias, cap * sizeof *na);
					if (!na)
						return -ENOMEM;
					s->alias = na;
				}
				s->alias[s->n_alias++] =
				    (struct modsel_alias){.pattern = pat,
							  .bus_end = strchr(pat, ':'),
							  .mod = (unsigned)i};
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

size_t modsel_want(struct modsel *s, size_t i)
{
	if (i >= s->n || s->want[i])
		return 0;
	size_t added = 1;
	s->want[i] = true;
	for (size_t k = s->dep_off[i]; s->deps && k < s->dep_off[i + 1]; k++)
		added += modsel_want(s, s->deps[k]);
	return added;
}

size_t modsel_want_families(struct modsel *s)
{
	/* No device asks for these; a rescue wants them (loop: disk images). */
	static const char *const families[] = {"/kernel/fs/",	  "/kernel/drivers/md/",
					       "/kernel/crypto/", "/crypto/",
					       "/kernel/lib/",	  "/kernel/drivers/block/loop."};
	size_t added = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
			if (strstr(s->path[i], families[f]))
				added += modsel_want(s, i);
	return added;
}

size_t modsel_match(struct modsel *s, const char *modalias)
{
	const char *colon = strchr(modalias, ':');
	size_t blen = colon ? (size_t)(colon - modalias) : 0, added = 0;
	for (size_t a = 0; a < s->n_alias; a++) {
		const struct modsel_alias *al = &s->alias[a];
		if (s->want[al->mod])
			continue;
		/* Only patterns of the same bus ("pci:", "usb:", "virtio:"), unless
		 * the pattern's bus part itself has wildcards. */
		size_t plen = al->bus_end ? (size_t)(al->bus_end - al->pattern) : 0;
		const char *w = strpbrk(al->pattern, "*?[");
		bool wild_bus = !al->bus_end || (w && w < al->bus_end);
		if (!wild_bus && (plen != blen || strncmp(al->pattern, modalias, blen)))
			continue;
		if (!fnmatch(al->pattern, modalias, 0))
			added += modsel_want(s, al->mod);
	}
	return added;
}
