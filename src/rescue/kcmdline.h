/* kcmdline: what the rescue image's init reads from the kernel command
 * line (pure): lifeboat.home=, lifeboat.cmd= (double quotes as the kernel
 * takes them), ip= in the kernel's nfsroot format, console=. */
#ifndef LIFEBOAT_RESCUE_KCMDLINE_H
#define LIFEBOAT_RESCUE_KCMDLINE_H

#include <stdbool.h>
#include <stdint.h>

#define KCMD_MAX_CONSOLES 4

enum kcmd_ip_mode {
	KCMD_IP_DHCP,	/* default, ip=dhcp/on/any/both/bootp, or autoconf field */
	KCMD_IP_OFF,	/* ip=off/none */
	KCMD_IP_STATIC, /* ip=<client>:...:off */
};

struct kcmd_ip {
	enum kcmd_ip_mode mode;
	uint8_t addr[4], gw[4], mask[4];
	bool has_mask;
	char hostname[64];
	char device[16]; /* empty: every wired interface */
	uint8_t dns[2][4];
	uint8_t n_dns;
};

struct kcmdline {
	char home[256]; /* lifeboat.home, e.g. http://192.0.2.2:8080 */
	char cmd[1024]; /* lifeboat.cmd, unquoted */
	struct kcmd_ip ip;
	char consoles[KCMD_MAX_CONSOLES][32]; /* device names: "ttyS0", "tty0" */
	unsigned n_consoles;
};

/* Parses the text of /proc/cmdline. Unknown words are skipped; a bad ip=
 * falls back to DHCP and sets *bad_ip (when not NULL) to the word's start.
 * Values too long for their field are dropped (and reported the same way). */
void kcmdline_parse(const char *text, struct kcmdline *k, const char **bad);

/* Parses one ip= value (without "ip="); 0 or -EINVAL. */
int kcmdline_parse_ip(const char *v, struct kcmd_ip *ip);

#endif
