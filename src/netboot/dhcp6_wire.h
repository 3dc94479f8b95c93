/* dhcp6_wire: DHCPv6 parse and build (RFC 8415; boot options RFC 5970).
 * Pure: no sockets, no policy. The parsed message points into the caller's
 * packet (client/server DUIDs, vendor class, user class, URL), so the packet
 * must outlive it. Every byte goes through rbuf/wbuf. */
#ifndef LIFEBOAT_NETBOOT_DHCP6_WIRE_H
#define LIFEBOAT_NETBOOT_DHCP6_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
#define DHCP6_ENTERPRISE_PXE 343 /* what EDK2 and iPXE put in option 16 */
#define DHCP6_DUID_MAX 130	 /* RFC 8415 11.1: at most 128 octets + type */
#define DHCP6_MAX_ORO 32
#define DHCP6_MAX_ARCH 8

enum dhcp6_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_RECONFIGURE = 10,
	DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW = 12,
	DHCP6_RELAY_REPL = 13,
};

enum dhcp6_opt {
	DHCP6_OPT_CLIENTID = 1,
	DHCP6_OPT_SERVERID = 2,
	DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IA_TA = 4,
	DHCP6_OPT_IAADDR = 5,
	DHCP6_OPT_ORO = 6,
	DHCP6_OPT_PREFERENCE = 7,
	DHCP6_OPT_ELAPSED_TIME = 8,
	DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14,
	DHCP6_OPT_USER_CLASS = 15,
	DHCP6_OPT_VENDOR_CLASS = 16,
	DHCP6_OPT_BOOTFILE_URL = 59,
	DHCP6_OPT_BOOTFILE_PARAM = 60,
	DHCP6_OPT_CLIENT_ARCH = 61,
	DHCP6_OPT_NII = 62,
};

enum dhcp6_status {
	DHCP6_ST_SUCCESS = 0,
	DHCP6_ST_UNSPEC_FAIL = 1,
	DHCP6_ST_NO_ADDRS_AVAIL = 2,
	DHCP6_ST_NO_BINDING = 3,
	DHCP6_ST_NOT_ON_LINK = 4,
	DHCP6_ST_USE_MULTICAST = 5,
};

/* A borrowed byte range of the packet. */
struct dhcp6_bytes {
	const uint8_t *p;
	uint16_t len;
	bool present;
};

struct dhcp6_msg {
	uint8_t type;
	uint32_t xid; /* 24 bits */
	bool relay;   /* Relay-Forw/Relay-Repl: header only, options not parsed */
	struct dhcp6_bytes clientid, serverid;
	/* the first IA_NA, and the first IAADDR inside it */
	bool has_ia_na;
	uint32_t iaid, t1, t2;
	bool has_iaaddr;
	uint8_t ia_addr[16];
	uint32_t ia_pref, ia_valid;
	uint16_t oro[DHCP6_MAX_ORO];
	size_t n_oro;
	bool has_elapsed;
	uint16_t elapsed; /* hundredths of a second */
	bool rapid_commit;
	bool has_status;
	uint16_t status;
	/* option 16: enterprise number and the first vendor-class-data item */
	bool has_vendor_class;
	uint32_t enterprise;
	struct dhcp6_bytes vclass;
	/* option 15: the first user-class-data item ("iPXE") */
	struct dhcp6_bytes uclass;
	uint16_t arch[DHCP6_MAX_ARCH]; /* option 61, in order */
	size_t n_arch;
	bool has_nii;
	uint8_t nii[3];
	struct dhcp6_bytes bootfile_url; /* option 59 */
	bool has_preference;
	uint8_t preference;
};

/* Parses a client or server message. Returns 0, or -EBADMSG for a
 * truncated header, an option running past the end, or a malformed option
 * this module understands (short IA_NA, odd ORO, bad vendor class item ...).
 * Unknown options are skipped. */
int dhcp6_parse(const void *pkt, size_t len, struct dhcp6_msg *m);

const char *dhcp6_type_name(uint8_t type);
/* true when the ORO (option 6) lists code */
bool dhcp6_oro_has(const struct dhcp6_msg *m, uint16_t code);

/* Builders. Each returns 0 or -ENOBUFS (the wbuf's sticky error is set). */
int dhcp6_put_header(struct wbuf *w, uint8_t type, uint32_t xid);
int dhcp6_put_opt(struct wbuf *w, uint16_t code, const void *data, size_t len);
/* Nested options (IA_NA around IAADDR): open returns the position of the
 * length field in *mark; close fills it in. */
int dhcp6_opt_open(struct wbuf *w, uint16_t code, size_t *mark);
int dhcp6_opt_close(struct wbuf *w, size_t mark);
int dhcp6_put_status(struct wbuf *w, uint16_t code, const char *msg);
/* option 16 with one data item */
int dhcp6_put_vendor_class(struct wbuf *w, uint32_t enterprise, const char *data);
/* option 60 (RFC 5970): each parameter as a 16-bit length + bytes */
int dhcp6_put_bootfile_params(struct wbuf *w, const char *const *params, size_t n);
/* IA_NA(iaid, t1, t2) holding one IAADDR, or a status when addr is NULL */
int dhcp6_put_ia_na(struct wbuf *w, uint32_t iaid, uint32_t t1, uint32_t t2, const uint8_t *addr,
		    uint32_t pref, uint32_t valid, uint16_t status, const char *status_msg);

/* The MAC inside a DUID-LLT (type 1) or DUID-LL (type 3) of hardware type
 * 1 (Ethernet). Returns 0 or -ENOENT. */
int dhcp6_duid_mac(const uint8_t *duid, size_t len, uint8_t mac[6]);

/* A server's DUID-LL (type 3, hardware type 1) for the MAC. */
#define DHCP6_DUID_LL_LEN 10
void dhcp6_duid_ll(uint8_t duid[DHCP6_DUID_LL_LEN], const uint8_t mac[6]);

/* A server reply (Advertise or Reply), as policy decided it. */
struct dhcp6_reply {
	uint8_t type;
	uint32_t xid;
	const uint8_t *server_duid;
	size_t server_duid_len;
	struct dhcp6_bytes clientid; /* echoed when present */
	bool has_status;	     /* top-level status code */
	uint16_t status;
	const char *status_msg;
	bool has_ia; /* one IA_NA with one IAADDR (or ia_status when no address) */
	uint32_t iaid, t1, t2, pref, valid;
	const uint8_t *ia_addr; /* NULL: no address */
	uint16_t ia_status;
	const char *ia_msg;
	const char *vendor_class; /* option 16, enterprise 343; NULL = none */
	const char *url;	  /* option 59; NULL = none */
};

/* Builds r into w. 0 or -ENOBUFS. */
int dhcp6_build_reply(struct wbuf *w, const struct dhcp6_reply *r);

#endif
