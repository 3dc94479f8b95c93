/* hostkey: ssh host key fingerprints (SHA256 of the wire-format public
 * key, base64 without padding, as OpenSSH prints them). */
#include "rescue/hostkey.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "core/sha256.h"

int hostkey_fingerprint(const char *line, char *type, size_t type_cap, char fp[HOSTKEY_FP_LEN])
{
	uint8_t blob[4096], sum[SHA256_LEN];
	const char *t = line, *sp = strchr(line, ' ');
	if (!sp)
		return -EBADMSG;
	size_t tlen = (size_t)(sp - t);
	const char *b = sp + 1;
	size_t blen = strcspn(b, " \t\r\n");
	int n = b64_decode(b, blen, blob, sizeof blob);
	if (n <= 0)
		return -EBADMSG;
	/* The blob opens with the key type as an ssh string. */
	struct rbuf r;
	uint32_t inner;
	const uint8_t *name;
	rbuf_init(&r, blob, (size_t)n);
	if (rbuf_be32(&r, &inner) || inner != tlen || rbuf_ptr(&r, inner, &name) ||
	    memcmp(name, t, tlen))
		return -EBADMSG;
	const char *shown = !strncmp(t, "ssh-", 4) ? t + 4 : t;
	size_t slen = tlen - (size_t)(shown - t);
	if (slen >= type_cap)
		return -EBADMSG;
	memcpy(type, shown, slen);
	type[slen] = 0;
	sha256(blob, (size_t)n, sum);
	memcpy(fp, "SHA256:", 7);
	return b64_encode(sum, sizeof sum, fp + 7, HOSTKEY_FP_LEN - 7, 0) < 0 ? -EBADMSG : 0;
}

char *hostkey_pub_line(char *out)
{
	for (char *l = out; l && *l;) {
		char *nl = strchr(l, '\n');
		if (!strncmp(l, "ssh-", 4) || !strncmp(l, "ecdsa-", 6)) {
			if (nl)
				*nl = 0;
			return l;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}
