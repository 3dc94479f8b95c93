/* kmod: modules.dep, module names, dependency closure and .modinfo firmware
 * names, every byte of the files read through core/buf (pure, fuzzed). */
#include "rescue/kmod.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "rescue/elf.h"

void kmod_free(struct kmod_db *db)
{
	free(db->strs);
	free(db->mods);
	free(db->deps);
	free(db->by_path);
	memset(db, 0, sizeof *db);
}

void kmod_name_of(const char *path, char *out, size_t cap)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *ko = strstr(b, ".ko");
	size_t n = ko ? (size_t)(ko - b) : strlen(b);
	size_t i = 0;
	if (!cap)
		return;
	for (; i < n && i + 1 < cap; i++)
		out[i] = b[i] == '-' ? '_' : b[i];
	out[i] = 0;
}

/* A path as modules.dep may hold it: relative, no "..", printable, short. */
static bool kmod_path_ok(const char *p, size_t n)
{
	if (n == 0 || n >= KMOD_PATH_MAX || p[0] == '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
			return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '.' && p[i + 1] == '.' && (i == 0 || p[i - 1] == '/') &&
		    (i + 2 == n || p[i + 2] == '/'))
			return false;
	return !(n == 2 && p[0] == '.' && p[1] == '.');
}

static int kmod_grow(void **v, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 256;
	while (n < need)
		n *= 2;
	void *p = realloc(*v, n * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

/* Splits one line (in the copy, NUL-terminated at its end) into a module
 * and its dependency strings; dependency paths are kept in dep_strs (as
 * offsets into db->strs) until every module is known. */
struct kmod_parse {
	size_t cap_mods, cap_deps;
	uint32_t *dep_off; /* per dependency: offset of its path in strs */
};

static int kmod_line(struct kmod_db *db, struct kmod_parse *ps, char *line)
{
	char *colon = strchr(line, ':');
	if (!colon || !kmod_path_ok(line, (size_t)(colon - line)))
		return -EBADMSG;
	*colon = 0;
	if (db->n >= KMOD_MAX_MODS ||
	    kmod_grow((void **)&db->mods, &ps->cap_mods, db->n + 1, sizeof *db->mods))
		return db->n >= KMOD_MAX_MODS ? -EBADMSG : -ENOMEM;
	struct kmod_mod *m = &db->mods[db->n];
	m->path = line;
	kmod_name_of(line, m->name, sizeof m->name);
	m->dep0 = (uint32_t)db->n_deps;
	m->n_deps = 0;
	char *s = colon + 1;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		char *e = s + strcspn(s, " \t");
		if (!kmod_path_ok(s, (size_t)(e - s)) || m->n_deps >= KMOD_MAX_DEPS)
			return -EBADMSG;
		if (kmod_grow((void **)&ps->dep_off, &ps->cap_deps, db->n_deps + 1,
			      sizeof *ps->dep_off))
			return -ENOMEM;
		ps->dep_off[db->n_deps++] = (uint32_t)(s - db->strs);
		m->n_deps++;
		bool end = !*e;
		*e = 0;
		if (end)
			break;
		s = e + 1;
	}
	db->n++;
	return 0;
}

static int kmod_cmp_mod(const void *a, const void *b)
{
	return strcmp((*(const struct kmod_mod *const *)a)->path,
		      (*(const struct kmod_mod *const *)b)->path);
}

long kmod_find_path(const struct kmod_db *db, const char *path)
{
	size_t lo = 0, hi = db->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(db->mods[db->by_path[mid]].path, path);
		if (!c)
			return (long)db->by_path[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long kmod_find_name(const struct kmod_db *db, const char *name)
{
	char want[64];
	kmod_name_of(name, want, sizeof want);
	for (size_t i = 0; i < db->n; i++)
		if (!strcmp(db->mods[i].name, want))
			return (long)i;
	return -1;
}

/* Sorts the index by path, refuses duplicates, resolves dependencies. */
static int kmod_link(struct kmod_db *db, const uint32_t *dep_off)
{
	const struct kmod_mod **tmp = malloc((db->n ? db->n : 1) * sizeof *tmp);
	db->by_path = malloc((db->n ? db->n : 1) * sizeof *db->by_path);
	db->deps = malloc((db->n_deps ? db->n_deps : 1) * sizeof *db->deps);
	if (!tmp || !db->by_path || !db->deps) {
		free(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < db->n; i++)
		tmp[i] = &db->mods[i];
	qsort(tmp, db->n, sizeof *tmp, kmod_cmp_mod);
	for (size_t i = 0; i < db->n; i++)
		db->by_path[i] = (uint32_t)(tmp[i] - db->mods);
	free(tmp);
	for (size_t i = 1; i < db->n; i++)
		if (!strcmp(db->mods[db->by_path[i]].path, db->mods[db->by_path[i - 1]].path))
			return -EBADMSG;
	for (size_t i = 0; i < db->n_deps; i++) {
		long k = kmod_find_path(db, db->strs + dep_off[i]);
		if (k < 0)
			return -EBADMSG;
		db->deps[i] = (uint32_t)k;
	}
	return 0;
}

int kmod_parse_dep(const void *data, size_t len, struct kmod_db *db)
{
	struct kmod_parse ps = {0};
	struct rbuf r;
	int rc = 0;
	memset(db, 0, sizeof *db);
	db->strs = malloc(len + 1);
	if (!db->strs)
		return -ENOMEM;
	rbuf_init(&r, data, len);
	while (rbuf_left(&r) && !rc) {
		size_t off = r.off, left = rbuf_left(&r);
		const uint8_t *nl = memchr(r.p + off, '\n', left);
		size_t n = nl ? (size_t)(nl - (r.p + off)) : left;
		const uint8_t *line;
		if (rbuf_ptr(&r, n, &line) || (nl && rbuf_skip(&r, 1)) || memchr(line, 0, n))
			rc = -EBADMSG;
		if (rc || n == 0 || line[0] == '#')
			continue;
		memcpy(db->strs + off, line, n);
		db->strs[off + n] = 0;
		rc = kmod_line(db, &ps, db->strs + off);
	}
	if (!rc)
		rc = kmod_link(db, ps.dep_off);
	free(ps.dep_off);
	return rc;
}

/* Depth-first: a module's dependencies (each with its own) go first. */
static int kmod_visit(const struct kmod_db *db, uint32_t i, uint8_t *mark, uint32_t *order,
		      size_t *n, unsigned depth)
{
	if (mark[i] == 2)
		return 0;
	if (mark[i] == 1 || depth > KMOD_MAX_DEPS)
		return -ELOOP;
	mark[i] = 1;
	const struct kmod_mod *m = &db->mods[i];
	/* modules.dep lists the last dependency to load first */
	for (uint32_t k = m->n_deps; k-- > 0;) {
		int rc = kmod_visit(db, db->deps[m->dep0 + k], mark, order, n, depth + 1);
		if (rc)
			return rc;
	}
	mark[i] = 2;
	order[(*n)++] = i;
	return 0;
}

long kmod_closure(const struct kmod_db *db, uint8_t *want, uint32_t *order)
{
	uint8_t *mark = calloc(db->n ? db->n : 1, 1);
	size_t n = 0;
	if (!mark)
		return -ENOMEM;
	for (size_t i = 0; i < db->n; i++) {
		if (!want[i])
			continue;
		int rc = kmod_visit(db, (uint32_t)i, mark, order, &n, 0);
		if (rc) {
			free(mark);
			return rc;
		}
	}
	for (size_t i = 0; i < n; i++)
		want[order[i]] = 1;
	free(mark);
	return (long)n;
}

/* ---- .modinfo ---- */

struct kmod_shdr {
	uint64_t name, offset, size;
};

static int kmod_shdr_at(const struct elf_rd *e, uint64_t shoff, uint64_t entsz, uint64_t i,
			struct kmod_shdr *s)
{
	uint64_t off = shoff + i * entsz, t;
	if (i > 0xffff || shoff > e->len)
		return -EBADMSG;
	if (elf_rd_uint(e, off, 4, &t))
		return -EBADMSG;
	s->name = t;
	if (e->is64)
		return elf_rd_uint(e, off + 24, 8, &s->offset) ||
			       elf_rd_uint(e, off + 32, 8, &s->size)
			   ? -EBADMSG
			   : 0;
	return elf_rd_uint(e, off + 16, 4, &s->offset) || elf_rd_uint(e, off + 20, 4, &s->size)
		   ? -EBADMSG
		   : 0;
}

/* The section named name: its bytes as a cursor. -ENOENT when absent. */
static int kmod_section(const struct elf_rd *e, const char *name, struct rbuf *out)
{
	uint64_t shoff, entsz, shnum, shstrndx;
	unsigned w = e->is64 ? 8 : 4;
	uint64_t base = e->is64 ? 0x28 : 0x20;
	if (elf_rd_uint(e, base, w, &shoff) || elf_rd_uint(e, base + w + 10, 2, &entsz) ||
	    elf_rd_uint(e, base + w + 12, 2, &shnum) || elf_rd_uint(e, base + w + 14, 2, &shstrndx))
		return -EBADMSG;
	if (entsz < (e->is64 ? 64u : 40u) || shstrndx >= shnum)
		return shnum ? -EBADMSG : -ENOENT;
	struct kmod_shdr strtab, s;
	if (kmod_shdr_at(e, shoff, entsz, shstrndx, &strtab) || strtab.offset > e->len ||
	    strtab.size > e->len - strtab.offset)
		return -EBADMSG;
	size_t nl = strlen(name) + 1;
	for (uint64_t i = 0; i < shnum; i++) {
		if (kmod_shdr_at(e, shoff, entsz, i, &s))
			return -EBADMSG;
		if (s.name >= strtab.size || strtab.size - s.name < nl ||
		    memcmp(e->p + strtab.offset + s.name, name, nl))
			continue;
		if (s.offset > e->len || s.size > e->len - s.offset)
			return -EBADMSG;
		rbuf_init(out, e->p + s.offset, (size_t)s.size);
		return 0;
	}
	return -ENOENT;
}

int kmod_modinfo_firmware(const void *ko, size_t len,
			  int (*fn)(void *ctx, const char *fw, size_t n), void *ctx)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	struct elf_rd e = {.p = ko, .len = len};
	struct rbuf r;
	const uint8_t *id;
	rbuf_init(&r, ko, len);
	if (rbuf_ptr(&r, 16, &id) || memcmp(id, magic, 4))
		return -ENOEXEC;
	if ((id[4] != 1 && id[4] != 2) || (id[5] != 1 && id[5] != 2))
		return -EBADMSG;
	e.is64 = id[4] == 2;
	e.be = id[5] == 2;
	struct rbuf sec;
	int rc = kmod_section(&e, ".modinfo", &sec);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	while (rbuf_left(&sec)) {
		const char *s;
		size_t n;
		if (rbuf_cstr(&sec, &s, &n))
			return -EBADMSG;
		if (n > 9 && !memcmp(s, "firmware=", 9) && (rc = fn(ctx, s + 9, n - 9)))
			return rc;
	}
	return 0;
}
