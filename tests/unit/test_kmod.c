/* kmod: modules.dep of a real Debian kernel (an excerpt), the closure in
 * load order, malformed files, module names, .modinfo firmware names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/kmod.h"
#include "testutil.h"

static long pos_of(const struct kmod_db *db, const uint32_t *order, long n, const char *name)
{
	for (long i = 0; i < n; i++)
		if (!strcmp(db->mods[order[i]].name, name))
			return i;
	return -1;
}

/* Every module of the closure comes after each of its dependencies. */
static void assert_deps_first(const struct kmod_db *db, const uint32_t *order, long n)
{
	for (long i = 0; i < n; i++) {
		const struct kmod_mod *m = &db->mods[order[i]];
		for (uint32_t d = 0; d < m->n_deps; d++) {
			long k = pos_of(db, order, n, db->mods[db->deps[m->dep0 + d]].name);
			if (k < 0 || k > i)
				fail_msg("%s loads before its dependency %s", m->name,
					 db->mods[db->deps[m->dep0 + d]].name);
		}
	}
}

static void test_debian_closure(void **state)
{
	(void)state;
	size_t len;
	unsigned char *data = tu_read_vector("modules.dep", &len);
	struct kmod_db db;
	assert_int_equal(kmod_parse_dep(data, len, &db), 0);
	assert_int_equal(db.n, 38);
	long vn = kmod_find_name(&db, "virtio_net");
	assert_true(vn >= 0);
	assert_string_equal(db.mods[vn].path, "kernel/drivers/net/virtio_net.ko");
	assert_int_equal(db.mods[vn].n_deps, 4);
	assert_int_equal(kmod_find_name(&db, "dm-crypt"), kmod_find_name(&db, "dm_crypt"));
	assert_true(kmod_find_path(&db, "kernel/drivers/md/dm-mod.ko") >= 0);
	assert_int_equal(kmod_find_name(&db, "nosuch"), -1);

	uint8_t *want = calloc(db.n, 1);
	uint32_t *order = calloc(db.n, sizeof *order);
	want[vn] = 1;
	want[kmod_find_name(&db, "raid456")] = 1;
	long n = kmod_closure(&db, want, order);
	/* virtio_net + 4, raid456 + 9 */
	assert_int_equal(n, 15);
	assert_deps_first(&db, order, n);
	assert_true(pos_of(&db, order, n, "failover") < pos_of(&db, order, n, "net_failover"));
	assert_true(pos_of(&db, order, n, "virtio") < pos_of(&db, order, n, "virtio_ring"));
	assert_true(pos_of(&db, order, n, "raid6_pq") < pos_of(&db, order, n, "async_pq"));
	assert_int_equal(pos_of(&db, order, n, "ext4"), -1);
	assert_true(want[kmod_find_name(&db, "md_mod")]);

	/* everything: each once, dependencies first */
	memset(want, 1, db.n);
	n = kmod_closure(&db, want, order);
	assert_int_equal(n, 38);
	assert_deps_first(&db, order, n);
	free(want);
	free(order);
	kmod_free(&db);
	free(data);
}

struct bad_case {
	const char *name, *text;
	int rc;
};

static void test_malformed(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
	    {"empty", "", 0},
	    {"comment", "# nothing\n\n", 0},
	    {"no newline at end", "a.ko:", 0},
	    {"no colon", "kernel/a.ko\n", -EBADMSG},
	    {"absolute", "/kernel/a.ko:\n", -EBADMSG},
	    {"dotdot", "../a.ko:\n", -EBADMSG},
	    {"dotdot inside", "kernel/../../a.ko:\n", -EBADMSG},
	    {"dotdot dep", "a.ko: ../b.ko\nb.ko:\n", -EBADMSG},
	    {"unknown dep", "a.ko: b.ko\n", -EBADMSG},
	    {"twice", "a.ko:\na.ko:\n", -EBADMSG},
	    {"empty path", ": a.ko\n", -EBADMSG},
	    {"control byte", "a\x01.ko:\n", -EBADMSG},
	    {"self cycle parses", "a.ko: a.ko\n", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kmod_db db;
		int rc = kmod_parse_dep(cases[i].text, strlen(cases[i].text), &db);
		if (rc != cases[i].rc)
			fail_msg("%s: %d want %d", cases[i].name, rc, cases[i].rc);
		kmod_free(&db);
	}
	/* a NUL inside */
	struct kmod_db db;
	assert_int_equal(kmod_parse_dep("a.ko:\0\n", 7, &db), -EBADMSG);
	kmod_free(&db);
	/* a long path */
	char *big = malloc(KMOD_PATH_MAX + 8);
	memset(big, 'a', KMOD_PATH_MAX + 1);
	strcpy(big + KMOD_PATH_MAX + 1, ":\n");
	assert_int_equal(kmod_parse_dep(big, strlen(big), &db), -EBADMSG);
	kmod_free(&db);
	free(big);
	/* a cycle is refused by the closure */
	const char *cyc = "a.ko: b.ko\nb.ko: a.ko\n";
	assert_int_equal(kmod_parse_dep(cyc, strlen(cyc), &db), 0);
	uint8_t want[2] = {1, 0};
	uint32_t order[2];
	assert_int_equal(kmod_closure(&db, want, order), -ELOOP);
	kmod_free(&db);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const v[][2] = {
	    {"kernel/drivers/net/virtio_net.ko", "virtio_net"},
	    {"kernel/sound/snd-hda-intel.ko.zst", "snd_hda_intel"},
	    {"dm-crypt.ko.xz", "dm_crypt"},
	    {"x.ko.gz", "x"},
	    {"noext", "noext"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char out[64];
		kmod_name_of(v[i][0], out, sizeof out);
		assert_string_equal(out, v[i][1]);
	}
}

/* A minimal ELF64 little-endian relocatable object: sections null,
 * .modinfo (info, n bytes), .shstrtab. Returns its length. */
static size_t mk_ko(uint8_t *b, size_t cap, const char *info, size_t n)
{
	static const char shstr[] = "\0.modinfo\0.shstrtab\0";
	size_t info_off = 64, str_off = info_off + n, sh_off = (str_off + sizeof shstr + 7) & ~7u;
	size_t total = sh_off + 3 * 64;
	assert_true(total <= cap);
	memset(b, 0, total);
	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
	b[16] = 1;  /* ET_REL */
	b[18] = 62; /* x86-64 */
	b[20] = 1;
	for (int i = 0; i < 8; i++)
		b[0x28 + i] = (uint8_t)(sh_off >> (8 * i));
	b[0x34] = 64;
	b[0x3a] = 64; /* e_shentsize */
	b[0x3c] = 3;  /* e_shnum */
	b[0x3e] = 2;  /* e_shstrndx */
	memcpy(b + info_off, info, n);
	memcpy(b + str_off, shstr, sizeof shstr);
	uint8_t *s1 = b + sh_off + 64, *s2 = b + sh_off + 128;
	s1[0] = 1; /* name ".modinfo" */
	s1[4] = 1;
	for (int i = 0; i < 8; i++) {
		s1[24 + i] = (uint8_t)(info_off >> (8 * i));
		s1[32 + i] = (uint8_t)(n >> (8 * i));
		s2[24 + i] = (uint8_t)(str_off >> (8 * i));
		s2[32 + i] = (uint8_t)(sizeof shstr >> (8 * i));
	}
	s2[0] = 10; /* ".shstrtab" */
	s2[4] = 3;
	return total;
}

struct fw_seen {
	char names[4][64];
	int n;
};

static int fw_cb(void *ctx, const char *fw, size_t n)
{
	struct fw_seen *s = ctx;
	if (s->n < 4)
		snprintf(s->names[s->n++], 64, "%.*s", (int)n, fw);
	return 0;
}

static void test_modinfo_firmware(void **state)
{
	(void)state;
	static const char info[] = "license=GPL\0firmware=rtl_nic/rtl8168h-2.fw\0\0alias=pci:x\0"
				   "firmware=rtl_nic/rtl8125a-3.fw\0";
	uint8_t b[1024];
	size_t len = mk_ko(b, sizeof b, info, sizeof info - 1);
	struct fw_seen s = {0};
	assert_int_equal(kmod_modinfo_firmware(b, len, fw_cb, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "rtl_nic/rtl8168h-2.fw");
	assert_string_equal(s.names[1], "rtl_nic/rtl8125a-3.fw");
	/* every truncation is refused or read safely, never overrun */
	for (size_t cut = 0; cut < len; cut++) {
		struct fw_seen t = {0};
		int rc = kmod_modinfo_firmware(b, cut, fw_cb, &t);
		assert_true(rc == 0 || rc == -EBADMSG || rc == -ENOEXEC);
	}
	/* an unterminated last string */
	len = mk_ko(b, sizeof b, "firmware=x", 10);
	assert_int_equal(kmod_modinfo_firmware(b, len, fw_cb, &s), -EBADMSG);
	assert_int_equal(kmod_modinfo_firmware("not elf at all", 14, fw_cb, &s), -ENOEXEC);
	/* a section offset beyond the file */
	len = mk_ko(b, sizeof b, info, sizeof info - 1);
	b[len - 128 + 24 + 3] = 0x7f;
	assert_int_equal(kmod_modinfo_firmware(b, len, fw_cb, &s), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debian_closure),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_modinfo_firmware),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
