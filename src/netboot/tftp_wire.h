/* tftp_wire: TFTP packets, parsed and built (pure, fuzzed).
 *
 * RFC 1350 (RRQ/WRQ/DATA/ACK/ERROR), RFC 2347 (option extension, OACK),
 * RFC 2348 blksize, RFC 2349 timeout + tsize, RFC 7440 windowsize.
 * Parsers never decide policy: they report what the client asked for, with
 * option values checked against the ranges the RFCs allow. Strings returned
 * by the parsers point into the packet (no copies). */
#ifndef LIFEBOAT_NETBOOT_TFTP_WIRE_H
#define LIFEBOAT_NETBOOT_TFTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum tftp_opcode {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

enum tftp_errcode {
	TFTP_EUNDEF = 0,    /* not defined, see message */
	TFTP_ENOTFOUND = 1, /* file not found */
	TFTP_EACCESS = 2,   /* access violation */
	TFTP_ENOSPACE = 3,  /* disk full */
	TFTP_EBADOP = 4,    /* illegal TFTP operation */
	TFTP_EBADID = 5,    /* unknown transfer ID */
	TFTP_EEXISTS = 6,   /* file already exists */
	TFTP_ENOUSER = 7,   /* no such user */
	TFTP_EOPTNEG = 8,   /* RFC 2347: option negotiation refused */
};

enum tftp_mode {
	TFTP_MODE_OCTET,
	TFTP_MODE_NETASCII,
};

#define TFTP_MAX_OPTIONS 16
#define TFTP_BLKSIZE_DEFAULT 512
#define TFTP_BLKSIZE_MIN 8     /* RFC 2348 */
#define TFTP_BLKSIZE_MAX 65464 /* RFC 2348 upper bound */
#define TFTP_WINDOW_MAX 65535  /* RFC 7440 */
#define TFTP_TIMEOUT_MIN 1     /* RFC 2349, seconds */
#define TFTP_TIMEOUT_MAX 255
#define TFTP_HDR 4 /* opcode + block */

/* One option as sent: name and value point into the packet. */
struct tftp_opt {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* A parsed RRQ or WRQ. has_* is set only for a recognised option whose value
 * was valid: a server may ignore any option it does not accept (RFC 2347), so
 * a bad value (blksize 7, timeout 0, tsize that overflows 64 bits, text)
 * leaves has_* false. blksize above 65464 and windowsize above 65535 are
 * clamped (RFC 2348/7440 let the server answer with less). */
struct tftp_request {
	uint16_t opcode; /* TFTP_RRQ or TFTP_WRQ */
	const char *filename;
	size_t filename_len;
	enum tftp_mode mode;
	unsigned n_opts; /* every option, recognised or not, in order */
	struct tftp_opt opts[TFTP_MAX_OPTIONS];
	bool has_blksize, has_tsize, has_timeout, has_windowsize;
	uint32_t blksize;
	uint64_t tsize;
	uint32_t timeout_s;
	uint32_t windowsize;
};

struct tftp_error {
	uint16_t code;
	const char *msg; /* may lack its NUL in sloppy clients: use msg_len */
	size_t msg_len;
};

/* What the server agreed to, for the OACK; only the has_* ones are sent. */
struct tftp_oack {
	bool has_blksize, has_tsize, has_timeout, has_windowsize;
	uint32_t blksize;
	uint64_t tsize;
	uint32_t timeout_s;
	uint32_t windowsize;
};

/* Reads the opcode. 0 or -EBADMSG (shorter than 2 bytes). */
int tftp_parse_opcode(const void *p, size_t n, uint16_t *op);

/* Parses an RRQ/WRQ: filename NUL mode NUL {name NUL value NUL}*. Refuses
 * (-EBADMSG) a missing NUL, an empty or unknown mode, an option without a
 * value, more than TFTP_MAX_OPTIONS options, a recognised option given twice.
 * Trailing NUL padding after the last option is tolerated (some ROMs pad). */
int tftp_parse_request(const void *p, size_t n, struct tftp_request *req);

/* ACK: exactly opcode + block; trailing bytes are tolerated. */
int tftp_parse_ack(const void *p, size_t n, uint16_t *block);
/* ERROR: opcode, code, message (NUL optional). */
int tftp_parse_error(const void *p, size_t n, struct tftp_error *e);
/* DATA: opcode, block, payload (*data points into p). */
int tftp_parse_data(const void *p, size_t n, uint16_t *block, const uint8_t **data, size_t *len);
/* OACK: opcode then option pairs (used by tests and a client side). */
int tftp_parse_oack(const void *p, size_t n, struct tftp_request *opts);

/* Builders append to w and return 0 or -ENOBUFS (w left marked failed). */
int tftp_build_data_hdr(struct wbuf *w, uint16_t block);
int tftp_build_data(struct wbuf *w, uint16_t block, const void *data, size_t len);
int tftp_build_ack(struct wbuf *w, uint16_t block);
int tftp_build_error(struct wbuf *w, uint16_t code, const char *msg);
int tftp_build_oack(struct wbuf *w, const struct tftp_oack *o);
/* RRQ/WRQ with n option pairs names[i]=values[i] (tests, fuzz round trips). */
int tftp_build_request(struct wbuf *w, uint16_t opcode, const char *filename, const char *mode,
		       const char *const *names, const char *const *values, size_t n);

/* Largest blksize that fits one unfragmented datagram on a link of this MTU:
 * MTU - 20 (IPv4) - 8 (UDP) - 4 (TFTP) = MTU - 32; IPv6: MTU - 52. Clamped
 * to [TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX]. is_ipv6 selects the header size. */
unsigned tftp_blksize_for_mtu(unsigned mtu, bool is_ipv6);

/* Human name for an error code ("File not found"). */
const char *tftp_errcode_str(uint16_t code);

#endif
