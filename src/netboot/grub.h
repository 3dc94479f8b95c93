/* grub: the pure part of `serve --grub`. GRUB core images are built at
 * start-up with the installed grub-mkimage, one per target and per address
 * of ours, with that address in the prefix ("(http,192.0.2.2)/grub"): in
 * proxy mode the DHCPACK a client caches comes from the LAN's DHCP server,
 * so a core that takes its server from there fetches its modules from the
 * wrong machine (see shared/notes/netboot-clients.md "GRUB"). This module
 * names the images, builds grub-mkimage's argv, parses the served names and
 * writes the grub.cfg of kernel mode. No I/O. */
#ifndef LIFEBOAT_NETBOOT_GRUB_H
#define LIFEBOAT_NETBOOT_GRUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum grub_target {
	GRUB_BIOS,  /* i386-pc, PXE NBP */
	GRUB_EFI64, /* x86_64-efi */
	GRUB_ARM64, /* arm64-efi (AAVMF and other ARM64 UEFI, PXE arch 11) */
	GRUB_N_TARGETS
};

struct grub_target_info {
	const char *platform;	    /* module directory under the GRUB lib dir */
	const char *format;	    /* grub-mkimage -O */
	const char *image;	    /* file name of the core image we serve */
	const char *package;	    /* Debian package holding the module directory */
	const char *const *modules; /* built into the core; NULL-terminated */
	const char *key;	    /* the client architecture key ("bios", "arm64") */
};

#define GRUB_DEFAULT_DIR "/usr/lib/grub"
#define GRUB_MKIMAGE "grub-mkimage"
/* Served names: cores under the reserved lifeboat/ prefix, the module
 * trees and grub.cfg under the prefix path GRUB is built with. */
#define GRUB_CORE_DIR "lifeboat/grub/"
#define GRUB_PREFIX_PATH "grub"
/* --grub-signed: Debian's Secure Boot chain, served unmodified (a core
 * with our prefix in it could not carry a signature): shim from
 * shim-signed, and grub-efi-amd64-signed's grubnetx64 beside it under the
 * name shim loads next. */
#define GRUB_SHIM_PATH "/usr/lib/shim/shimx64.efi.signed"
#define GRUB_SIGNED_SUBPATH "x86_64-efi-signed/grubnetx64.efi.signed"
#define GRUB_SHIM_NAME GRUB_CORE_DIR "shimx64.efi"
#define GRUB_SIGNED_NAME GRUB_CORE_DIR "grubx64.efi"

const struct grub_target_info *grub_target_info(enum grub_target t);

/* The target for a client architecture key ("bios", "efi64", "arm64"), or -1. */
int grub_target_for_key(const char *key);

/* Kernel mode on a host whose own firmware is UEFI on another architecture
 * than x86: Debian ships iPXE for x86 only, so an arm64 host (a Raspberry
 * Pi 4/5, an arm64 server) boots the ARM64 UEFI clients with its own GRUB
 * (grub-efi-arm64-bin, what Debian arm64 UEFI machines boot with) unless
 * an arm64 iPXE is in --ipxe-dir. On x86_64 the ipxe package covers the
 * host's own kind of client and GRUB stays opt-in (--grub). */
struct grub_auto_facts {
	const char *machine; /* uname(2) machine of the host: "aarch64", "x86_64" */
	bool kernel_mode;    /* --kernel */
	bool grub_opt;	     /* --grub (or --grub-signed) given: nothing automatic */
	bool http;	     /* GRUB's prefix is HTTP: the server must be on */
	bool mkimage;	     /* grub-mkimage found */
	unsigned ipxe;	     /* bit 1 << enum grub_target: that target's iPXE image exists */
	unsigned trees;	     /* bit 1 << enum grub_target: GRUB_DIR/<platform>/moddep.lst */
};

/* The GRUB target of a host's own UEFI clients that serve boots with GRUB by
 * default ("aarch64", "arm64" -> GRUB_ARM64), or -1 (x86_64 and others). */
int grub_host_target(const char *machine);

/* The targets (1 << enum grub_target) kernel mode boots with GRUB without
 * --grub: the host's own target (grub_host_target) when it has no iPXE
 * image and GRUB can be built for it; 0 otherwise. Pure. */
unsigned grub_auto_targets(const struct grub_auto_facts *f);

/* GRUB's prefix for a core served from ip: "(http,IP)/grub" (":PORT" when
 * not 80), or "(tftp,IP)/grub" when use_http is false. Length or
 * -ENAMETOOLONG. */
int grub_prefix(char *buf, size_t cap, const uint8_t ip[4], bool use_http, uint16_t port);

/* "lifeboat/grub/IP/core.0": the boot file name of target t's core built
 * for ip. Length or -ENAMETOOLONG. */
int grub_core_name(char *buf, size_t cap, enum grub_target t, const uint8_t ip[4]);

#define GRUB_ARGV_MAX 48

/* argv for grub-mkimage building target t into out with prefix; dirbuf
 * receives "<grub_dir>/<platform>" (argv points into it and into the
 * module table). NULL-terminated. Returns argc or -E2BIG/-ENAMETOOLONG. */
int grub_mkimage_argv(const char *mkimage, const char *grub_dir, enum grub_target t,
		      const char *prefix, const char *out, char *dirbuf, size_t dircap,
		      const char **argv, size_t max);

enum grub_name_kind {
	GRUB_NAME_NONE,	  /* not a name --grub serves */
	GRUB_NAME_CORE,	  /* lifeboat/grub/IP/core.{0,efi} */
	GRUB_NAME_MODULE, /* grub/<platform>/REL: beneath that module tree */
	GRUB_NAME_CFG,	  /* grub/grub.cfg */
	/* lifeboat/grub/cfg/01-MAC: the per-client config search (root mode) */
	GRUB_NAME_CLIENT_CFG,
	GRUB_NAME_SHIM,	  /* lifeboat/grub/shimx64.efi */
	GRUB_NAME_SIGNED, /* lifeboat/grub/grubx64.efi */
};

struct grub_name {
	enum grub_name_kind kind;
	enum grub_target target;
	uint8_t ip[4]; /* GRUB_NAME_CORE */
	bool has_mac;  /* GRUB_NAME_CLIENT_CFG: GRUB knew its MAC */
	uint8_t mac[6];
	const char *rel; /* GRUB_NAME_MODULE: points into the cleaned path */
};

/* Classifies a cleaned client path. Returns 0 and fills *out (kind NONE
 * for names that are not ours), or -ENOENT for a malformed name under
 * lifeboat/grub/ (no such file). */
int grub_parse_name(const char *clean, struct grub_name *out);

/* grub.cfg of kernel mode: kernel and initrds over the prefix's device,
 * at the lifeboat/ names bootplan_lookup serves. Every word is quoted for
 * GRUB's shell. Length or -ENOBUFS. */
int grub_cfg_kernel(char *buf, size_t cap, const char *kernel, const char *const *initrd,
		    size_t n_initrd, const char *cmdline);

/* grub.cfg of root mode. GRUB 2.06 searches grub.cfg-01-<mac>, then
 * grub.cfg-<HEX IP> shortened one digit at a time, then grub.cfg, only when
 * its prefix is TFTP; over HTTP it asks for grub.cfg alone. So grub.cfg is
 * this: GRUB turns its MAC into the name lifeboat/grub/cfg/01-<mac>, and
 * lifeboat runs the same search in ROOT for it. Length or -ENOBUFS. */
int grub_cfg_root(char *buf, size_t cap);

#define GRUB_SEARCH_MAX 10
#define GRUB_SEARCH_NAME 40

/* The ROOT names of that search, in order, for a client with MAC mac (or
 * NULL) and IPv4 address ip (or NULL). Returns how many. */
size_t grub_cfg_search(const uint8_t *mac, const uint8_t *ip, char names[][GRUB_SEARCH_NAME],
		       size_t max);

#endif
