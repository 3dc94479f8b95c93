/* iso9660: ISO 9660 / Rock Ridge / Joliet reader over a read callback. */
#include "netboot/iso9660.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"

#define ISO_VD_FIRST 16u     /* volume descriptors start at sector 16 */
#define ISO_VD_MAX 64u	     /* descriptors looked at before giving up */
#define ISO_CE_MAX 16u	     /* SUSP continuation areas followed per record */
#define ISO_CE_LEN 2048u     /* bytes one continuation area may hold */
#define ISO_FLAG_DIR 0x02u   /* ECMA-119 9.1.6 */
#define ISO_FLAG_MULTI 0x80u /* the file goes on in the next record */

int iso_pread(void *arg, uint64_t off, void *dst, size_t n)
{
	int fd = *(const int *)arg;
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)dst + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		got += (size_t)r;
	}
	return 0;
}

/* Reads n bytes at off, refusing anything past the end of the image. */
static int iso_read(const struct iso_image *iso, uint64_t off, void *dst, size_t n,
		    const char **why)
{
	if (off > iso->size || n > iso->size - off) {
		*why = "a record points past the end of the image";
		return -EBADMSG;
	}
	int r = iso->read(iso->arg, off, dst, n);
	if (r)
		*why = "cannot read the image";
	return r;
}

/* Both-endian and little-endian numbers (ECMA-119 7.2/7.3): the LE half. */
static int rbuf_le32(struct rbuf *r, uint32_t *v)
{
	uint8_t b[4];
	int e = rbuf_bytes(r, b, 4);
	*v = e ? 0
	       : (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return e;
}

static int rbuf_both32(struct rbuf *r, uint32_t *v)
{
	int e = rbuf_le32(r, v);
	return e ? e : rbuf_skip(r, 4);
}

/* ---- directory records ---- */

struct iso_rec {
	uint32_t lba, len;
	uint8_t flags;
	const uint8_t *name;
	uint8_t name_len;
	struct rbuf su; /* the system use area */
};

/* Parses the next record of a directory sector: 1, 0 at the sector's end
 * (a zero length byte or no room left), -EBADMSG. */
static int iso_rec_next(struct rbuf *s, struct iso_rec *rec, const char **why)
{
	uint8_t len, ext;
	struct rbuf r;
	if (rbuf_left(s) < 34 || s->p[s->off] == 0)
		return 0;
	if (rbuf_u8(s, &len) || len < 34 || (size_t)len - 1 > rbuf_left(s)) {
		*why = "a directory record is too short or crosses its sector";
		return -EBADMSG;
	}
	rbuf_sub(s, (size_t)len - 1, &r);
	if (rbuf_u8(&r, &ext) || rbuf_both32(&r, &rec->lba) || rbuf_both32(&r, &rec->len) ||
	    rbuf_skip(&r, 7) || rbuf_u8(&r, &rec->flags) || rbuf_skip(&r, 6) ||
	    rbuf_u8(&r, &rec->name_len) || rec->name_len == 0 ||
	    rbuf_ptr(&r, rec->name_len, &rec->name)) {
		*why = "a directory record's name does not fit in it";
		return -EBADMSG;
	}
	if (!(rec->name_len & 1))
		rbuf_skip(&r, 1); /* padding after an even-length name */
	rec->su = r;
	(void)ext;
	return 1;
}

/* ---- System Use Sharing Protocol (Rock Ridge) ---- */

struct iso_su {
	char nm[ISO_NAME_MAX];
	size_t nm_len;
	bool has_nm, nm_skip; /* NM of "." or ".." */
	bool has_cl, re;
	uint32_t cl_lba;
};

/* One SUSP area: NM, CL, RE, ST and a CE to follow (*ce_*). */
static int iso_su_area(struct rbuf a, struct iso_su *o, uint32_t ce[3], bool *has_ce,
		       const char **why)
{
	while (rbuf_left(&a) >= 4) {
		const uint8_t *sig;
		uint8_t len, ver, flags;
		struct rbuf e;
		rbuf_ptr(&a, 2, &sig);
		rbuf_u8(&a, &len);
		rbuf_u8(&a, &ver);
		if (len < 4 || (size_t)len - 4 > rbuf_left(&a)) {
			*why = "a Rock Ridge entry's length runs past its area";
			return -EBADMSG;
		}
		rbuf_sub(&a, (size_t)len - 4, &e);
		if (!memcmp(sig, "ST", 2))
			break;
		if (!memcmp(sig, "CE", 2)) {
			if (rbuf_both32(&e, &ce[0]) || rbuf_both32(&e, &ce[1]) ||
			    rbuf_both32(&e, &ce[2])) {
				*why = "a Rock Ridge CE entry is too short";
				return -EBADMSG;
			}
			*has_ce = true;
		} else if (!memcmp(sig, "NM", 2) && rbuf_u8(&e, &flags) == 0) {
			size_t n = rbuf_left(&e);
			if (flags & 0x06)
				o->nm_skip = true;
			if (o->nm_len + n >= sizeof o->nm) {
				*why = "a Rock Ridge name is too long";
				return -EBADMSG;
			}
			rbuf_bytes(&e, o->nm + o->nm_len, n);
			o->nm_len += n;
			o->has_nm = true;
		} else if (!memcmp(sig, "CL", 2) && rbuf_both32(&e, &o->cl_lba) == 0) {
			o->has_cl = true;
		} else if (!memcmp(sig, "RE", 2)) {
			o->re = true;
		}
	}
	return 0;
}

/* Reads a record's Rock Ridge fields, following CE continuations (at most
 * ISO_CE_MAX, each inside one sector of the image). */
static int iso_su_read(const struct iso_image *iso, const struct iso_rec *rec, struct iso_su *o,
		       const char **why)
{
	uint8_t buf[ISO_CE_LEN];
	struct rbuf a = rec->su;
	memset(o, 0, sizeof *o);
	if (rbuf_skip(&a, iso->su_skip))
		return 0;
	for (unsigned hop = 0;; hop++) {
		uint32_t ce[3];
		bool has_ce = false;
		int r = iso_su_area(a, o, ce, &has_ce, why);
		if (r || !has_ce)
			return r;
		if (hop == ISO_CE_MAX || ce[2] > ISO_CE_LEN || ce[1] >= ISO_SECTOR ||
		    ce[2] > ISO_SECTOR - ce[1]) {
			*why = "a Rock Ridge continuation (CE) is too long or loops";
			return -EBADMSG;
		}
		r = iso_read(iso, (uint64_t)ce[0] * ISO_SECTOR + ce[1], buf, ce[2], why);
		if (r)
			return r;
		rbuf_init(&a, buf, ce[2]);
	}
}

/* ---- names ---- */

/* UCS-2/UTF-16BE (Joliet) to UTF-8. */
static int iso_name_joliet(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t c = (uint32_t)p[i] << 8 | p[i + 1];
		if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
			uint32_t lo = (uint32_t)p[i + 2] << 8 | p[i + 3];
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		uint8_t u[4];
		size_t k;
		if (c < 0x80) {
			u[0] = (uint8_t)c;
			k = 1;
		} else if (c < 0x800) {
			u[0] = (uint8_t)(0xc0 | c >> 6);
			u[1] = (uint8_t)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			u[0] = (uint8_t)(0xe0 | c >> 12);
			u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (uint8_t)(0x80 | (c & 0x3f));
			k = 3;
		} else {
			u[0] = (uint8_t)(0xf0 | c >> 18);
			u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
			u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			u[3] = (uint8_t)(0x80 | (c & 0x3f));
			k = 4;
		}
		if (o + k >= cap)
			return -EBADMSG;
		memcpy(out + o, u, k);
		o += k;
	}
	out[o] = 0;
	return (int)o;
}

/* The name an entry is known by: Rock Ridge NM, Joliet, or the ISO name
 * lower-cased without ";1" and a trailing dot. 0, 1 to skip the record
 * ("." / ".." / a relocated directory's placeholder), -EBADMSG. */
static int iso_rec_name(const struct iso_image *iso, const struct iso_rec *rec, char *out,
			struct iso_su *su, const char **why)
{
	int n;
	if (rec->name_len == 1 && rec->name[0] <= 1)
		return 1;
	memset(su, 0, sizeof *su);
	if (iso->rock_ridge) {
		int r = iso_su_read(iso, rec, su, why);
		if (r)
			return r;
		if (su->re || su->nm_skip)
			return 1;
	}
	if (su->has_nm) {
		memcpy(out, su->nm, su->nm_len);
		n = (int)su->nm_len;
		out[n] = 0;
	} else if (iso->joliet) {
		n = iso_name_joliet(rec->name, rec->name_len, out, ISO_NAME_MAX);
	} else {
		n = rec->name_len;
		for (int i = 0; i < n; i++)
			out[i] = (char)(rec->name[i] >= 'A' && rec->name[i] <= 'Z'
					    ? rec->name[i] - 'A' + 'a'
					    : rec->name[i]);
		out[n] = 0;
	}
	if (n < 0) {
		*why = "a Joliet name is too long";
		return -EBADMSG;
	}
	if (!su->has_nm) {
		char *semi = strchr(out, ';');
		if (semi)
			*semi = 0;
		n = (int)strlen(out);
		if (n > 1 && out[n - 1] == '.' && !(rec->flags & ISO_FLAG_DIR))
			out[--n] = 0;
	}
	if (n == 0 || (size_t)n != strlen(out) || strchr(out, '/') || !strcmp(out, ".") ||
	    !strcmp(out, "..")) {
		*why = "a directory record has an empty name or one with '/' or NUL";
		return -EBADMSG;
	}
	return 0;
}

/* ---- directory walk ---- */

typedef int (*iso_visit_fn)(void *arg, const struct iso_entry *e);

/* A relocated directory (Rock Ridge CL): its size is in its own "." record. */
static int iso_cl_dir(const struct iso_image *iso, uint32_t lba, struct iso_entry *e,
		      const char **why)
{
	uint8_t sec[ISO_SECTOR];
	struct rbuf s;
	struct iso_rec rec;
	int r = iso_read(iso, (uint64_t)lba * ISO_SECTOR, sec, sizeof sec, why);
	if (r)
		return r;
	rbuf_init(&s, sec, sizeof sec);
	r = iso_rec_next(&s, &rec, why);
	if (r <= 0) {
		*why = "a Rock Ridge CL entry points at no directory";
		return r ? r : -EBADMSG;
	}
	e->dir = true;
	e->offset = (uint64_t)rec.lba * ISO_SECTOR;
	e->size = rec.len;
	return 0;
}

/* Merges one record into the entry being built (multi-extent files):
 * 1 when e is complete, 0 when more extents follow, -errno. */
static int iso_extent(const struct iso_image *iso, const struct iso_rec *rec, const char *name,
		      struct iso_entry *e, bool *pending, const char **why)
{
	uint64_t off = (uint64_t)rec->lba * ISO_SECTOR;
	if (*pending) {
		if (strcmp(e->name, name)) {
			*why = "a multi-extent file's next record has another name";
			return -EBADMSG;
		}
		if (off != e->offset + e->size || e->size % ISO_SECTOR) {
			*why = "a multi-extent file's extents are not adjacent (not supported)";
			return -EOPNOTSUPP;
		}
		e->size += rec->len;
	} else {
		snprintf(e->name, sizeof e->name, "%s", name);
		e->dir = rec->flags & ISO_FLAG_DIR;
		e->offset = off;
		e->size = rec->len;
	}
	*pending = (rec->flags & ISO_FLAG_MULTI) && !e->dir;
	if (*pending)
		return 0;
	if (e->offset > iso->size || e->size > iso->size - e->offset) {
		*why = "a file or directory extends past the end of the image";
		return -EBADMSG;
	}
	return 1;
}

/* One record of a directory: fn called for each complete entry. 1 when
 * fn stopped the walk, 0 to go on, -errno. */
static int iso_walk_rec(const struct iso_image *iso, const struct iso_rec *rec, struct iso_entry *e,
			bool *pending, iso_visit_fn fn, void *arg, const char **why)
{
	char name[ISO_NAME_MAX];
	struct iso_su su;
	int r = iso_rec_name(iso, rec, name, &su, why);
	if (r)
		return r < 0 ? r : 0;
	r = iso_extent(iso, rec, name, e, pending, why);
	if (r <= 0)
		return r;
	if (su.has_cl && (r = iso_cl_dir(iso, su.cl_lba, e, why)))
		return r;
	return fn(arg, e) ? 1 : 0;
}

/* Calls fn for every entry of the directory at dir (offset, size). */
static int iso_walk(const struct iso_image *iso, const struct iso_entry *dir, iso_visit_fn fn,
		    void *arg, const char **why)
{
	uint8_t sec[ISO_SECTOR];
	struct iso_entry e;
	bool pending = false;
	if (!dir->dir || dir->offset % ISO_SECTOR || dir->offset > iso->size ||
	    dir->size > iso->size - dir->offset) {
		*why = "a directory extends past the end of the image";
		return -EBADMSG;
	}
	memset(&e, 0, sizeof e);
	for (uint64_t at = 0; at < dir->size; at += ISO_SECTOR) {
		uint64_t left = dir->size - at;
		size_t n = left < ISO_SECTOR ? (size_t)left : ISO_SECTOR;
		struct rbuf s;
		struct iso_rec rec;
		int r = iso_read(iso, dir->offset + at, sec, n, why);
		if (r)
			return r;
		rbuf_init(&s, sec, n);
		while ((r = iso_rec_next(&s, &rec, why)) == 1) {
			r = iso_walk_rec(iso, &rec, &e, &pending, fn, arg, why);
			if (r)
				return r < 0 ? r : 0;
		}
		if (r < 0)
			return r;
	}
	if (pending) {
		*why = "a multi-extent file's last record is missing";
		return -EBADMSG;
	}
	return 0;
}

/* ---- volume descriptors ---- */

static int iso_root_rec(struct rbuf *vd, uint32_t *lba, uint32_t *len, const char **why)
{
	struct rbuf r = *vd;
	struct iso_rec rec;
	rbuf_skip(&r, 156);
	if (iso_rec_next(&r, &rec, why) != 1 || !(rec.flags & ISO_FLAG_DIR)) {
		*why = "the volume descriptor's root directory record is invalid";
		return -EBADMSG;
	}
	*lba = rec.lba;
	*len = rec.len;
	return 0;
}

/* Rock Ridge: the root's "." record starts its system use area with SP. */
static int iso_detect_rr(struct iso_image *iso, const char **why)
{
	uint8_t sec[ISO_SECTOR];
	struct rbuf s;
	struct iso_rec rec;
	const uint8_t *sp;
	int r = iso_read(iso, (uint64_t)iso->root_lba * ISO_SECTOR, sec, sizeof sec, why);
	if (r)
		return r;
	rbuf_init(&s, sec, sizeof sec);
	if (iso_rec_next(&s, &rec, why) != 1) {
		*why = "the root directory has no \".\" record";
		return -EBADMSG;
	}
	if (rbuf_ptr(&rec.su, 7, &sp) == 0 && !memcmp(sp, "SP\x07\x01\xbe\xef", 6)) {
		iso->rock_ridge = true;
		iso->su_skip = sp[6];
	}
	return 0;
}

struct iso_vds {
	bool pvd, joliet;
	uint32_t root_lba, root_len, j_lba, j_len;
};

static int iso_vd(struct iso_image *iso, const uint8_t *sec, struct iso_vds *v, const char **why)
{
	struct rbuf vd;
	uint16_t bs; /* LE half of a both-endian 16-bit number */
	rbuf_init(&vd, sec, ISO_SECTOR);
	if (sec[0] == 1 && !v->pvd) {
		bs = (uint16_t)(sec[128] | sec[129] << 8);
		if (bs != ISO_SECTOR) {
			*why = "logical block size is not 2048";
			return -EBADMSG;
		}
		memcpy(iso->volume_id, sec + 40, 32);
		for (int i = 31; i >= 0 && iso->volume_id[i] == ' '; i--)
			iso->volume_id[i] = 0;
		v->pvd = true;
		return iso_root_rec(&vd, &v->root_lba, &v->root_len, why);
	}
	if (sec[0] == 2 && sec[88] == '%' && sec[89] == '/' &&
	    (sec[90] == '@' || sec[90] == 'C' || sec[90] == 'E') && !v->joliet) {
		v->joliet = iso_root_rec(&vd, &v->j_lba, &v->j_len, why) == 0;
	} else if (sec[0] == 0 && !memcmp(sec + 7, "EL TORITO SPECIFICATION", 23)) {
		iso->el_torito = true;
		iso->boot_catalog = (uint32_t)sec[71] | (uint32_t)sec[72] << 8 |
				    (uint32_t)sec[73] << 16 | (uint32_t)sec[74] << 24;
	}
	return 0;
}

int iso_open(struct iso_image *iso, iso_read_fn read, void *arg, uint64_t size, const char **why)
{
	uint8_t sec[ISO_SECTOR];
	struct iso_vds v = {0};
	memset(iso, 0, sizeof *iso);
	iso->read = read;
	iso->arg = arg;
	iso->size = size;
	for (unsigned i = 0; i < ISO_VD_MAX; i++) {
		int r =
		    iso_read(iso, (uint64_t)(ISO_VD_FIRST + i) * ISO_SECTOR, sec, sizeof sec, why);
		if (r == -EBADMSG || (r == 0 && memcmp(sec + 1, "CD001", 5)))
			break;
		if (r)
			return r;
		if (sec[0] == 255)
			break;
		r = iso_vd(iso, sec, &v, why);
		if (r)
			return r;
	}
	if (!v.pvd) {
		*why = "not an ISO 9660 image (no primary volume descriptor at 32 KiB)";
		return -EBADMSG;
	}
	if ((uint64_t)v.root_lba * ISO_SECTOR + v.root_len > size ||
	    (v.joliet && (uint64_t)v.j_lba * ISO_SECTOR + v.j_len > size)) {
		*why = "the root directory extends past the end of the image";
		return -EBADMSG;
	}
	iso->root_lba = v.root_lba;
	iso->root_len = v.root_len;
	int r = iso_detect_rr(iso, why);
	if (r)
		return r;
	if (!iso->rock_ridge && v.joliet) {
		iso->joliet = true;
		iso->root_lba = v.j_lba;
		iso->root_len = v.j_len;
	}
	return 0;
}

/* ---- lookup ---- */

struct iso_find {
	const char *name;
	size_t len;
	bool fold; /* plain ISO names: compare without case */
	struct iso_entry *out;
	bool found;
};

static int iso_find_visit(void *arg, const struct iso_entry *e)
{
	struct iso_find *f = arg;
	if (strlen(e->name) != f->len ||
	    (f->fold ? strncasecmp(e->name, f->name, f->len) : strncmp(e->name, f->name, f->len)))
		return 0;
	*f->out = *e;
	f->found = true;
	return 1;
}

static void iso_root_entry(const struct iso_image *iso, struct iso_entry *e)
{
	memset(e, 0, sizeof *e);
	e->dir = true;
	e->offset = (uint64_t)iso->root_lba * ISO_SECTOR;
	e->size = iso->root_len;
}

int iso_lookup(const struct iso_image *iso, const char *path, struct iso_entry *e, const char **why)
{
	struct iso_entry cur;
	iso_root_entry(iso, &cur);
	if (strlen(path) >= ISO_PATH_MAX) {
		*why = "path too long";
		return 0;
	}
	while (*path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		if (n == 0) {
			path++;
			continue;
		}
		if (!cur.dir)
			return 0;
		struct iso_entry next;
		struct iso_find f = {path, n, !iso->rock_ridge && !iso->joliet, &next, false};
		int r = iso_walk(iso, &cur, iso_find_visit, &f, why);
		if (r)
			return r;
		if (!f.found)
			return 0;
		cur = next;
		path += n;
	}
	*e = cur;
	return 1;
}

struct iso_lister {
	int (*fn)(void *arg, const struct iso_entry *e);
	void *arg;
	size_t max, n;
};

static int iso_list_visit(void *arg, const struct iso_entry *e)
{
	struct iso_lister *l = arg;
	if (l->n == l->max)
		return 1;
	l->n++;
	return l->fn(l->arg, e);
}

int iso_list(const struct iso_image *iso, const struct iso_entry *dir, size_t max,
	     int (*fn)(void *arg, const struct iso_entry *e), void *arg, const char **why)
{
	struct iso_lister l = {fn, arg, max, 0};
	int r = iso_walk(iso, dir, iso_list_visit, &l, why);
	return r ? r : (int)l.n;
}
