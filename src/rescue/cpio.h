/* cpio: writes the "newc" cpio format the Linux kernel unpacks as an
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst):
 * a 110-byte ASCII header, the name, padding to 4 bytes, the data, padding
 * to 4 bytes; "TRAILER!!!" ends it. Reproducible: the caller passes every
 * field (mtime 0, uid/gid 0, inode numbers in order), cpio_write_tree
 * walks a directory in sorted order. */
#ifndef LIFEBOAT_RESCUE_CPIO_H
#define LIFEBOAT_RESCUE_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define CPIO_HEADER_LEN 110
#define CPIO_NAME_MAX 4096

struct cpio_entry {
	const char *name; /* no leading '/' ("init", "bin/sh") */
	uint32_t mode;	  /* type and permission bits (S_IFREG | 0755, ...) */
	uint32_t ino, nlink;
	uint32_t mtime;
	uint32_t size;			 /* bytes of data that follow (a symlink: its target) */
	uint32_t rdev_major, rdev_minor; /* device nodes */
};

/* Appends the header, name and padding of e to w (pure). 0, -EINVAL (a
 * name that is empty, absolute or too long), -ENOBUFS. */
int cpio_header(struct wbuf *w, const struct cpio_entry *e);
/* Bytes of padding after n bytes to reach a multiple of 4. */
size_t cpio_pad(uint64_t n);

/* An archive being written to an fd. */
struct cpio_out {
	int fd;
	uint64_t off;
	uint32_t next_ino;
	uint32_t files, dirs, links;
};

void cpio_out_init(struct cpio_out *o, int fd);
/* A directory, a symlink (data = target) or a regular file from memory. */
int cpio_add_mem(struct cpio_out *o, const char *name, uint32_t mode, const void *data, size_t len);
/* A device node (mode S_IFCHR or S_IFBLK | permissions). */
int cpio_add_dev(struct cpio_out *o, const char *name, uint32_t mode, uint32_t major,
		 uint32_t minor);
/* A regular file whose data is read from fd (size bytes). */
int cpio_add_fd(struct cpio_out *o, const char *name, uint32_t mode, int fd, uint64_t size);
/* Adds every entry beneath dir (directories, regular files, symlinks;
 * others refused with -EINVAL), names relative to dir, each directory's
 * entries sorted by name (a directory before its contents), mode bits as they are, owner 0,
 * mtime 0. 0 or -errno. */
int cpio_add_tree(struct cpio_out *o, const char *dir);
/* The trailer and padding to a 512-byte multiple. 0 or -errno. */
int cpio_finish(struct cpio_out *o);

#endif
