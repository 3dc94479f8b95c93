/* core/sha256 (FIPS 180-4 vectors), base64 (RFC 4648 vectors, malformed
 * input) and rescue/hostkey (fingerprints equal to ssh-keygen -l and to
 * dropbearkey's own, malformed key lines). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/sha256.h"
#include "rescue/hostkey.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} v[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopq"
	     "rlmnopqrsmnopqrstnopqrstu",
	     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	uint8_t d[SHA256_LEN];
	char h[65];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		sha256(v[i].in, strlen(v[i].in), d);
		hex(d, h);
		assert_string_equal(h, v[i].out);
	}
	/* a million 'a', fed in odd pieces */
	struct sha256 s;
	char a[997];
	memset(a, 'a', sizeof a);
	sha256_init(&s);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof a ? left : sizeof a;
		sha256_update(&s, a, n);
		left -= n;
	}
	sha256_final(&s, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_base64(void **state)
{
	(void)state;
	static const char *const v[][2] = {{"", ""},	     {"f", "Zg=="},	{"fo", "Zm8="},
					   {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
					   {"foobar", "Zm9vYmFy"}};
	char enc[32];
	uint8_t dec[32];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i][0]);
		assert_int_equal(b64_encode(v[i][0], n, enc, sizeof enc, 1), strlen(v[i][1]));
		assert_string_equal(enc, v[i][1]);
		assert_int_equal(b64_decode(v[i][1], strlen(v[i][1]), dec, sizeof dec), n);
		assert_memory_equal(dec, v[i][0], n);
	}
	assert_int_equal(b64_encode("fo", 2, enc, sizeof enc, 0), 3);
	assert_string_equal(enc, "Zm8");
	assert_int_equal(b64_encode("foobar", 6, enc, 8, 1), -ENOBUFS);
	static const char *const bad[] = {"Zm9v!", "Zg=a", "Zh==", "Z===", "Zm9=Yg", "Zg="};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (b64_decode(bad[i], strlen(bad[i]), dec, sizeof dec) != -EBADMSG)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(b64_decode("Zm9vYmFy", 8, dec, 5), -ENOBUFS);
}

static void test_fingerprint(void **state)
{
	(void)state;
	char type[32], fp[HOSTKEY_FP_LEN];
	/* ssh-keygen -lf: 256 SHA256:0chUfkrB... test (ED25519) */
	assert_int_equal(hostkey_fingerprint("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID8KvgyZ1y3cL41r"
					     "1V0pW/GQyOoRgqW6zqKo7woYtZBO test",
					     type, sizeof type, fp),
			 0);
	assert_string_equal(type, "ed25519");
	assert_string_equal(fp, "SHA256:0chUfkrBtFNbWLC4HAF71fDhkTsSUhWJ4kn0Kf8YcO0");
	assert_int_equal(
	    hostkey_fingerprint("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNT"
				"YAAABBBIxYWmnfRVxu5GIS7DGeY2Yx2n3Ck9+c3DUBftv7m62saNDv9nxyaw3RIF6Qb"
				"TmfLiNbDr9+0gt1KuUv7vi9YQk= x\n",
				type, sizeof type, fp),
	    0);
	assert_string_equal(type, "ecdsa-sha2-nistp256");
	assert_string_equal(fp, "SHA256:KZewB3CSxpjoZLkg9SoyqSYt+G0hHiRK6Jodz7MxBow");
	/* dropbearkey -y output, and its own fingerprint line agrees */
	char out[] = "Public key portion is:\n"
		     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKcya+GT2htBO1ycflcNQkUi2okgo6FUp+hA4efmdzj9 "
		     "root@vm\nFingerprint: SHA256:f79mZS93uwdU6Uhmg8nULcT2q5lFDgyI4mDtMKamdoc\n";
	char *line = hostkey_pub_line(out);
	assert_non_null(line);
	assert_int_equal(hostkey_fingerprint(line, type, sizeof type, fp), 0);
	assert_string_equal(fp, "SHA256:f79mZS93uwdU6Uhmg8nULcT2q5lFDgyI4mDtMKamdoc");
	char none[] = "Public key portion is:\nFingerprint: x\n";
	assert_null(hostkey_pub_line(none));
	static const char *const bad[] = {
	    "ssh-ed25519",
	    "ssh-ed25519 !!!!",
	    "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAID8KvgyZ1y3cL41r1V0pW/GQyOoRgqW6zqKo7woYtZBO",
	    "ssh-ed25519 AAAA",
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (hostkey_fingerprint(bad[i], type, sizeof type, fp) != -EBADMSG)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(hostkey_fingerprint("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID8KvgyZ1y3cL41r"
					     "1V0pW/GQyOoRgqW6zqKo7woYtZBO",
					     type, 4, fp),
			 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_fingerprint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
