/* bootfiles: the one served-file resolver. A client-named path (already
 * cleaned by fsroot_clean_path) goes through an ordered table of sources,
 * and the first that knows the name answers with one file object that TFTP
 * and HTTP both send:
 *   menu  boot menu mode (netmenu.h): menu scripts, files inside ISOs (at
 *         their offset: bootfile.base), --entry files
 *   plan  names under lifeboat/ (iPXE images, kernel, initrds, generated
 *         script) and kernel mode's generated pxelinux.cfg/default
 *   grub  --grub core images, module trees, the per-client grub.cfg search
 *   rpi   Raspberry Pi serial/MAC folders that fall back to ROOT (TFTP)
 *   root  everything else beneath ROOT
 * A new source (remote URLs) is one row in bootfiles.c. Files
 * outside ROOT are opened before privileges are dropped and handed out as
 * descriptors the transports dup. */
#ifndef LIFEBOAT_NETBOOT_BOOTFILES_H
#define LIFEBOAT_NETBOOT_BOOTFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "netboot/bootplan.h"
#include "netboot/fsroot.h"
#include "netboot/grub.h"

/* One file to send: len bytes of data, or of the open file fd (has_fd).
 * give_fd: the transport takes fd over and closes it; else the resolver
 * keeps fd and the transport dup()s it. release(cookie), when set, runs
 * once when the transport is done with the object. */
struct bootfile {
	const void *data;
	size_t len;
	bool has_fd, give_fd;
	int fd;
	uint64_t base;		  /* the data starts at this offset of fd (a file inside an ISO) */
	const char *content_type; /* NULL: by the path's extension */
	time_t mtime;		  /* 0: unknown (no Last-Modified) */
	const char *source;	  /* the row that answered, for logs */
	void (*release)(void *cookie);
	void *cookie;
};

/* Files outside ROOT the plan hands out (kernel, initrds, iPXE images). */
struct bootfiles_hostfile {
	char path[512];
	int fd;
	uint64_t size;
};
struct bootfiles_hostfiles {
	struct bootfiles_hostfile *v;
	size_t n;
};

/* --grub: core images built at start-up (one per target and address, in
 * memfds) and the module trees. */
struct bootfiles_grub_image {
	int target; /* enum grub_target */
	uint8_t ip[4];
	int fd;
	uint64_t size;
};
struct bootfiles_grub {
	struct bootfiles_grub_image *v;
	size_t n;
	struct fsroot tree[GRUB_N_TARGETS]; /* per enum grub_target; dirfd -1 when absent */
};

struct bootfiles {
	const struct bootplan *plan; /* the current one (replaced on reload) */
	const struct fsroot *root;   /* NULL: no ROOT */
	struct bootfiles_hostfiles host;
	struct bootfiles_grub grub;
	/* the boot menu's names (netmenu_resolve), NULL when off: 1 with *f
	 * filled, 0 when not its name, -errno */
	int (*menu)(const void *arg, const struct bootplan *plan, const char *clean,
		    struct bootfile *f);
	const void *menu_arg;
};

enum bootfiles_proto { BOOTFILES_TFTP = 1, BOOTFILES_HTTP = 2 };

/* Resolves clean for a client at peer over proto. Returns 1 and fills *f,
 * or -errno: -ENOENT (no source has it), -EACCES/-EPERM/-EISDIR (a source
 * refuses it), -ENOMEM. */
int bootfiles_resolve(const struct bootfiles *b, enum bootfiles_proto proto, const char *clean,
		      const struct sockaddr *peer, struct bootfile *f);

/* Opens every file outside ROOT that plan can hand out (into *h, which is
 * overwritten). 0 or -errno (a kernel/initrd that cannot be opened). */
int bootfiles_host_open(struct bootfiles_hostfiles *h, const struct bootplan *plan);
void bootfiles_host_close(struct bootfiles_hostfiles *h);

const struct bootfiles_grub_image *bootfiles_grub_find(const struct bootfiles_grub *g, int target,
						       const uint8_t ip[4]);

#endif
