/* api_wire: the bytes of --api (pixiecore's boot API): the base URL, the
 * GET request for one MAC, the HTTP/1.1 response (status, Content-Length or
 * chunked body) and the JSON answer {"kernel", "initrd", "cmdline",
 * "message"}. Pure, through core/buf, bounded: fuzzed and table-tested. */
#ifndef LIFEBOAT_NETBOOT_API_WIRE_H
#define LIFEBOAT_NETBOOT_API_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_MAX_INITRD 8
#define API_NAME_MAX 256     /* a kernel/initrd URL or path, with its NUL */
#define API_CMDLINE_MAX 1024 /* with its NUL */
#define API_MESSAGE_MAX 128  /* with its NUL */
#define API_JSON_MAX 16384   /* bytes of a JSON answer we read */
#define API_JSON_DEPTH 16    /* nesting of skipped values */

/* "http://HOST[:PORT][/BASE]" as given to --api. */
struct api_url {
	char host[128]; /* a name or an address; an IPv6 literal without brackets */
	bool v6;	/* host was bracketed */
	uint16_t port;
	char base[256]; /* the path before /v1/boot/, without a trailing '/' ("" or "/x") */
};

/* 0, -EPROTONOSUPPORT (https://: needs TLS, which lifeboat does not link),
 * or -EINVAL (another scheme, bad port, too long, characters a request line
 * cannot carry). */
int api_url_parse(const char *url, struct api_url *u);

/* The request for mac: "GET BASE/v1/boot/aa:bb:cc:dd:ee:ff HTTP/1.1" with
 * Host, Accept and Connection: close. Its length, or -ENOBUFS. */
int api_request(char *out, size_t cap, const struct api_url *u, const uint8_t mac[6]);

/* A response being read. */
struct api_http {
	int status;	     /* 100..599 */
	const uint8_t *body; /* into the caller's buffer (a chunked body decoded in place) */
	size_t body_len;
};

/* Parses the response in buf[0..*n]. eof: the peer closed the connection
 * (a body without Content-Length or chunked ends there). Returns 0 when it
 * is complete (*h filled), -EAGAIN when more bytes are needed, -EBADMSG
 * when it is malformed (or a body is cut short at eof). A chunked body is
 * decoded in place, so buf is changed and *n shrinks. */
int api_http_parse(uint8_t *buf, size_t *n, bool eof, struct api_http *h);

/* The answer for one machine. */
struct api_boot {
	char kernel[API_NAME_MAX];
	char initrd[API_MAX_INITRD][API_NAME_MAX];
	size_t n_initrd;
	char cmdline[API_CMDLINE_MAX];
	char message[API_MESSAGE_MAX];
};

/* Reads the JSON object of a 200 answer. Unknown keys are skipped (depth
 * and size bounded); "cmdline" must be a string (pixiecore's deprecated
 * object form is refused). 0, -EBADMSG (not JSON, not an object, a wrong
 * type, no kernel, a name with characters an iPXE script cannot carry, a
 * "{{" template other than {{ URL "..." }}), -E2BIG (a field too long, too
 * many initrds, JSON over API_JSON_MAX). *why says which. */
int api_json_boot(const uint8_t *p, size_t n, struct api_boot *b, const char **why);

/* A kernel/initrd name: an http(s):// URL iPXE fetches itself, or a path
 * lifeboat serves from ROOT. */
bool api_name_is_url(const char *name);

/* Expands the command line: each {{ URL "NAME" }} becomes NAME when it is a
 * URL, else http://HOST/NAME (host as "192.0.2.2:80" or "[2001:db8::2]:80").
 * Its length, -ENOBUFS, or -EBADMSG (a template api_json_boot would refuse). */
int api_cmdline_expand(const char *cmdline, const char *host, char *out, size_t cap);

#endif
