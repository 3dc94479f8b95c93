#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rescue/carry.h"
#include "rescue/elf.h"

/* ---- a tiny ELF writer for synthetic vectors ---- */

struct img {
	uint8_t b[4096];
	bool is64, be;
};

static void put(struct img *m, size_t off, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		m->b[off + (m->be ? n - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

/* Layout: ehdr | 3 phdrs (LOAD, INTERP, DYNAMIC) @64 | interp @400 |
 * strtab @448 | dynamic @600. vaddr = offset + 0x400000. */
static size_t build(struct img *m, bool is64, bool be, unsigned nneeded)
{
	const char *strs = "\0libfoo.so.1\0libbar.so.2\0/opt/rp\0";
	const size_t strsz = 33;
	const uint64_t base = 0x400000;
	size_t phoff = 64, phent = is64 ? 56 : 32, w = is64 ? 8 : 4;
	memset(m, 0, sizeof *m);
	m->is64 = is64;
	m->be = be;
	memcpy(m->b, "\x7f" "ELF", 4);
	m->b[4] = is64 ? 2 : 1;
	m->b[5] = be ? 2 : 1;
	m->b[6] = 1;
	put(m, 16, 2, 3);  /* ET_DYN */
	put(m, 18, 2, is64 ? 62 : 3);
	put(m, is64 ? 32 : 28, (unsigned)w, phoff);
	put(m, is64 ? 54 : 42, 2, phent);
	put(m, is64 ? 56 : 44, 2, 3);
	/* phdrs */
	uint64_t ph[3][3] = { { 1, 0, 4096 }, { 3, 400, 28 }, { 2, 600, 0 } };
	size_t ndyn = nneeded + 4;
	ph[2][2] = ndyn * 2 * w;
	for (size_t i = 0; i < 3; i++) {
		size_t o = phoff + i * phent;
		put(m, o, 4, ph[i][0]);
		if (is64) {
			put(m, o + 8, 8, ph[i][1]);
			put(m, o + 16, 8, base + ph[i][1]);
			put(m, o + 32, 8, ph[i][2]);
		} else {
			put(m, o + 4, 4, ph[i][1]);
			put(m, o + 8, 4, base + ph[i][1]);
			put(m, o + 16, 4, ph[i][2]);
		}
	}
	memcpy(m->b + 400, "/lib64/ld-linux-x86-64.so.2", 28);
	memcpy(m->b + 448, strs, strsz);
	size_t d = 600;
#define DYN(t, v)                                                                                  \
	do {                                                                                       \
		put(m, d, (unsigned)w, t);                                                         \
		put(m, d + w, (unsigned)w, v);                                                     \
		d += 2 * w;                                                                        \
	} while (0)
	DYN(5, base + 448);
	DYN(10, strsz);
	DYN(29, 25);
	for (unsigned i = 0; i < nneeded; i++)
		DYN(1, i % 2 ? 13 : 1);
	DYN(0, 0);
#undef DYN
	return d;
}

static void test_synthetic_all_classes(void **state)
{
	(void)state;
	for (int v = 0; v < 4; v++) {
		struct img m;
		struct elf_deps d;
		bool is64 = v & 1, be = v & 2;
		size_t len = build(&m, is64, be, 2);
		assert_int_equal(elf_read_deps(m.b, len, &d), 0);
		assert_int_equal(d.is64, is64);
		assert_int_equal(d.machine, is64 ? 62 : 3);
		assert_string_equal(d.interp, "/lib64/ld-linux-x86-64.so.2");
		assert_int_equal(d.n_needed, 2);
		assert_string_equal(d.needed[0], "libfoo.so.1");
		assert_string_equal(d.needed[1], "libbar.so.2");
		assert_string_equal(d.runpath, "/opt/rp");
		/* every truncation fails cleanly, never reads past the end */
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *copy = malloc(cut ? cut : 1);
			memcpy(copy, m.b, cut);
			int rc = elf_read_deps(copy, cut, &d);
			if (rc != -EBADMSG && rc != -ENOEXEC)
				fail_msg("class %d cut %zu: rc %d", v, cut, rc);
			free(copy);
		}
	}
}

static void test_malformed(void **state)
{
	(void)state;
	struct img m;
	struct elf_deps d;
	size_t len;
	assert_int_equal(elf_read_deps("#!/bin/sh\necho hi\n", 18, &d), -ENOEXEC);
	assert_int_equal(elf_read_deps("", 0, &d), -ENOEXEC);
	len = build(&m, true, false, 1);
	m.b[4] = 3; /* bad class */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	m.b[5] = 0; /* bad data encoding */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	put(&m, 56, 2, 1000); /* too many phdrs */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	put(&m, 54, 2, 8); /* phentsize too small */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	put(&m, 32, 8, UINT64_MAX - 8); /* phoff overflow */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	memset(m.b + 400, 'A', 28); /* interp without NUL inside its segment */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	put(&m, 600 + 8, 8, 0x900000); /* DT_STRTAB outside every PT_LOAD */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, 1);
	put(&m, 600 + 3 * 16 + 8, 8, 5000); /* DT_NEEDED beyond DT_STRSZ */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, ELF_MAX_NEEDED + 1); /* too many libraries */
	assert_int_equal(elf_read_deps(m.b, len, &d), -EBADMSG);
	len = build(&m, true, false, ELF_MAX_NEEDED);
	assert_int_equal(elf_read_deps(m.b, len, &d), 0);
	assert_int_equal(d.n_needed, ELF_MAX_NEEDED);
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st)) {
		if (f)
			fclose(f);
		return NULL;
	}
	void *p = malloc((size_t)st.st_size);
	*len = fread(p, 1, (size_t)st.st_size, f);
	fclose(f);
	return p;
}

/* Cross-checks against readelf (binutils) on real binaries of this host. */
static void check_real(const char *path)
{
	char cmd[512], line[512];
	size_t len, n = 0;
	struct elf_deps d;
	void *p = slurp(path, &len);
	if (!p) {
		print_message("skip %s: not present\n", path);
		return;
	}
	assert_int_equal(elf_read_deps(p, len, &d), 0);
	free(p);
	snprintf(cmd, sizeof cmd, "readelf -d %s 2>/dev/null", path);
	FILE *r = popen(cmd, "r");
	assert_non_null(r);
	while (fgets(line, sizeof line, r)) {
		char *s = strstr(line, "Shared library: [");
		if (!s)
			continue;
		s += 17;
		s[strcspn(s, "]")] = 0;
		assert_true(n < d.n_needed);
		assert_string_equal(d.needed[n], s);
		n++;
	}
	pclose(r);
	assert_int_equal(n, d.n_needed);
	assert_true(n > 0);
	snprintf(cmd, sizeof cmd, "readelf -l %s 2>/dev/null | grep -o 'interpreter: [^]]*'", path);
	r = popen(cmd, "r");
	if (fgets(line, sizeof line, r)) {
		line[strcspn(line, "\n")] = 0;
		assert_string_equal(d.interp, line + 13);
	}
	pclose(r);
}

static void test_real_binaries(void **state)
{
	(void)state;
	if (access("/usr/bin/readelf", X_OK))
		skip();
	check_real("/bin/ls");
	check_real("/usr/sbin/e2fsck");
	check_real("/usr/lib/x86_64-linux-gnu/libext2fs.so.2");
}

/* carry resolves every library of e2fsck the way ld.so does. */
static void test_carry_dry(void **state)
{
	(void)state;
	struct carry *c = malloc(sizeof *c);
	char missing[ELF_NAME_MAX];
	if (access("/usr/sbin/e2fsck", R_OK))
		skip();
	carry_init(c, "/nonexistent", true);
	assert_int_equal(carry_exe(c, "/usr/sbin/e2fsck", NULL, missing, sizeof missing), 0);
	bool libc = false, ext2 = false;
	for (size_t i = 0; i < c->nfiles; i++) {
		libc |= strstr(c->done[i], "/libc.so.6") != NULL;
		ext2 |= strstr(c->done[i], "/libext2fs.so.2") != NULL;
	}
	assert_true(libc && ext2);
	assert_true(c->bytes > 100000);
	assert_int_equal(carry_find_lib(c, "libdoesnotexist.so.9", "", missing, sizeof missing),
			 -ENOENT);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_all_classes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_real_binaries),
		cmocka_unit_test(test_carry_dry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
