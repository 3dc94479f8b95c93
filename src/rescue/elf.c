/* elf: reads an ELF file's interpreter and DT_NEEDED/RUNPATH names from a
 * buffer, every read bounds-checked (pure, fuzzed). */
#include "rescue/elf.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_RPATH 15
#define DT_RUNPATH 29
#define MAX_PHDRS 256
#define MAX_DYN 4096

int elf_rd_uint(const struct elf_rd *e, uint64_t off, unsigned n, uint64_t *v)
{
	struct rbuf r;
	const uint8_t *b;
	if (off > e->len)
		return -EBADMSG;
	rbuf_init(&r, e->p + off, e->len - (size_t)off);
	if (rbuf_ptr(&r, n, &b))
		return -EBADMSG;
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)b[e->be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return 0;
}

/* Reads a word: 4 bytes in ELF32, 8 in ELF64. */
static int rd_word(const struct elf_rd *e, uint64_t off, uint64_t *v)
{
	return elf_rd_uint(e, off, e->is64 ? 8 : 4, v);
}

/* Copies the NUL-terminated string at off (at most lim bytes scanned) */
static int rd_str(const struct elf_rd *e, uint64_t off, uint64_t lim, char *dst)
{
	if (off >= e->len)
		return -EBADMSG;
	uint64_t room = e->len - off;
	if (lim > room)
		lim = room;
	const uint8_t *s = e->p + off;
	const uint8_t *nul = memchr(s, 0, (size_t)lim);
	if (!nul || nul - s >= ELF_NAME_MAX)
		return -EBADMSG;
	memcpy(dst, s, (size_t)(nul - s) + 1);
	return 0;
}

struct phdr {
	uint64_t type, offset, vaddr, filesz;
};

static int rd_phdr(const struct elf_rd *e, uint64_t off, struct phdr *ph)
{
	uint64_t t;
	if (elf_rd_uint(e, off, 4, &t))
		return -EBADMSG;
	ph->type = t;
	if (e->is64)
		return elf_rd_uint(e, off + 8, 8, &ph->offset) ||
			       elf_rd_uint(e, off + 16, 8, &ph->vaddr) ||
			       elf_rd_uint(e, off + 32, 8, &ph->filesz)
			   ? -EBADMSG
			   : 0;
	return elf_rd_uint(e, off + 4, 4, &ph->offset) || elf_rd_uint(e, off + 8, 4, &ph->vaddr) ||
		       elf_rd_uint(e, off + 16, 4, &ph->filesz)
		   ? -EBADMSG
		   : 0;
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_off(const struct phdr *ph, size_t n, uint64_t va, uint64_t *off)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		if (va >= ph[i].vaddr && va - ph[i].vaddr < ph[i].filesz) {
			*off = ph[i].offset + (va - ph[i].vaddr);
			return 0;
		}
	}
	return -EBADMSG;
}

int elf_read_deps(const void *data, size_t len, struct elf_deps *out)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	struct elf_rd e = {.p = data, .len = len};
	struct phdr ph[MAX_PHDRS];
	uint64_t v, phoff, phentsize, phnum;
	memset(out, 0, sizeof *out);
	if (len < 16 || memcmp(data, magic, 4))
		return -ENOEXEC;
	if (e.p[4] != 1 && e.p[4] != 2)
		return -EBADMSG;
	if (e.p[5] != 1 && e.p[5] != 2)
		return -EBADMSG;
	e.is64 = out->is64 = e.p[4] == 2;
	e.be = e.p[5] == 2;
	if (elf_rd_uint(&e, 16, 2, &v))
		return -EBADMSG;
	out->type = (uint16_t)v;
	if (elf_rd_uint(&e, 18, 2, &v))
		return -EBADMSG;
	out->machine = (uint16_t)v;
	if (rd_word(&e, e.is64 ? 32 : 28, &phoff) ||
	    elf_rd_uint(&e, e.is64 ? 54 : 42, 2, &phentsize) ||
	    elf_rd_uint(&e, e.is64 ? 56 : 44, 2, &phnum))
		return -EBADMSG;
	if (phnum > MAX_PHDRS || (phnum && phentsize < (e.is64 ? 56u : 32u)))
		return -EBADMSG;
	for (size_t i = 0; i < phnum; i++)
		if (rd_phdr(&e, phoff + i * phentsize, &ph[i]))
			return -EBADMSG;

	const struct phdr *dyn = NULL;
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].type == PT_INTERP) {
			if (rd_str(&e, ph[i].offset, ph[i].filesz, out->interp))
				return -EBADMSG;
		} else if (ph[i].type == PT_DYNAMIC) {
			dyn = &ph[i];
		}
	}
	if (!dyn)
		return 0;
	out->dynamic = true;

	/* First pass: where the string table is; second: the names. */
	uint64_t entsz = e.is64 ? 16 : 8, strtab = 0, strsz = 0;
	bool have_strtab = false;
	size_t ndyn = (size_t)(dyn->filesz / entsz);
	if (ndyn > MAX_DYN)
		return -EBADMSG;
	for (size_t i = 0; i < ndyn; i++) {
		uint64_t tag, val, off = dyn->offset + i * entsz;
		if (rd_word(&e, off, &tag) || rd_word(&e, off + entsz / 2, &val))
			return -EBADMSG;
		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB) {
			strtab = val;
			have_strtab = true;
		} else if (tag == DT_STRSZ) {
			strsz = val;
		}
	}
	uint64_t stroff;
	if (!have_strtab)
		return -EBADMSG;
	if (vaddr_to_off(ph, phnum, strtab, &stroff) || stroff > len)
		return -EBADMSG;
	if (!strsz || strsz > len - stroff)
		strsz = len - stroff;
	bool have_runpath = false;
	for (size_t i = 0; i < ndyn; i++) {
		uint64_t tag, val, off = dyn->offset + i * entsz;
		if (rd_word(&e, off, &tag) || rd_word(&e, off + entsz / 2, &val))
			return -EBADMSG;
		if (tag == DT_NULL)
			break;
		if (tag != DT_NEEDED && tag != DT_RUNPATH && tag != DT_RPATH)
			continue;
		if (val >= strsz)
			return -EBADMSG;
		if (tag == DT_NEEDED) {
			if (out->n_needed == ELF_MAX_NEEDED)
				return -EBADMSG;
			if (rd_str(&e, stroff + val, strsz - val, out->needed[out->n_needed]))
				return -EBADMSG;
			out->n_needed++;
		} else if (tag == DT_RUNPATH || !have_runpath) {
			/* DT_RUNPATH wins over the older DT_RPATH. */
			if (rd_str(&e, stroff + val, strsz - val, out->runpath))
				return -EBADMSG;
			have_runpath = tag == DT_RUNPATH;
		}
	}
	return 0;
}
