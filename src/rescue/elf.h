/* elf: reads what an ELF executable or shared library needs to run (pure,
 * fuzzed): its program interpreter (PT_INTERP) and the DT_NEEDED names plus
 * DT_RUNPATH/DT_RPATH from its dynamic section. ELF32 and ELF64, little and
 * big endian. Never reads outside the given buffer. */
#ifndef LIFEBOAT_RESCUE_ELF_H
#define LIFEBOAT_RESCUE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_NEEDED 64
#define ELF_NAME_MAX 256

struct elf_deps {
	bool is64;
	uint16_t machine;	    /* e_machine: 62 x86-64, 3 i386, 183 aarch64 */
	uint16_t type;		    /* e_type: 2 EXEC, 3 DYN */
	bool dynamic;		    /* has a PT_DYNAMIC segment */
	char interp[ELF_NAME_MAX];  /* "" when static */
	char runpath[ELF_NAME_MAX]; /* DT_RUNPATH, else DT_RPATH, else "" */
	size_t n_needed;
	char needed[ELF_MAX_NEEDED][ELF_NAME_MAX];
};

/* Parses an ELF image of len bytes. Returns 0, -ENOEXEC when data is not
 * ELF at all, -EBADMSG for a malformed or truncated ELF (including more than
 * ELF_MAX_NEEDED libraries or names longer than ELF_NAME_MAX-1). */
int elf_read_deps(const void *data, size_t len, struct elf_deps *out);

/* Field reader for one ELF's class and byte order (also used by kmod for
 * a module's section table). */
struct elf_rd {
	const uint8_t *p;
	size_t len;
	bool is64, be;
};
/* Reads an n-byte (1..8) integer at off; -EBADMSG past the end. */
int elf_rd_uint(const struct elf_rd *e, uint64_t off, unsigned n, uint64_t *v);

#endif
