/* hostkey: the rescue system's ssh host keys: generated at boot with
 * dropbearkey, their SHA256 fingerprints computed here from the public key
 * blob (the same string `ssh-keygen -l` prints and ssh shows on first
 * connect). */
#ifndef LIFEBOAT_RESCUE_HOSTKEY_H
#define LIFEBOAT_RESCUE_HOSTKEY_H

#include <stddef.h>

#define HOSTKEY_FP_LEN 51 /* "SHA256:" + 43 characters + NUL */

/* From an authorized_keys-style line ("ssh-ed25519 AAAA... comment"), the
 * key type (e.g. "ed25519", the "ssh-" dropped) and "SHA256:...". The blob
 * must decode and name the same type inside. 0 or -EBADMSG. */
int hostkey_fingerprint(const char *line, char *type, size_t type_cap, char fp[HOSTKEY_FP_LEN]);

/* Finds the public key line in `dropbearkey -y` output (the line that
 * starts with "ssh-" or "ecdsa-"); NULL when there is none. The line is
 * NUL-terminated in place. */
char *hostkey_pub_line(char *out);

#endif
