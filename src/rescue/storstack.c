/* storstack: the device stack under a block device from sysfs and its
 * teardown order (see storstack.h). */
#include "rescue/storstack.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"

#define PATH_CAP 1024 /* sysfs paths: far below */

const char *stor_kind_name(enum stor_kind k)
{
	static const char *const n[] = {"disk", "lvm", "crypt", "dm", "md", "loop"};
	return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

const char *stor_kind_verb(enum stor_kind k)
{
	static const char *const n[] = {"keep", "deactivate", "close", "remove", "stop", "detach"};
	return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

static bool is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The sysfs directory of a block device name: sysroot/block/NAME for a
 * whole device, sysroot/block/DISK/NAME for a partition (*disk set). */
static int dev_dir(const char *sysroot, const char *name, char *out, size_t cap, char *disk,
		   size_t dcap)
{
	disk[0] = 0;
	if ((size_t)snprintf(out, cap, "%s/block/%s", sysroot, name) >= cap)
		return -ENAMETOOLONG;
	if (is_dir(out))
		return 0;
	char blk[PATH_CAP];
	snprintf(blk, sizeof blk, "%s/block", sysroot);
	DIR *d = opendir(blk);
	if (!d)
		return -ENOENT;
	struct dirent *de;
	int rc = -ENOENT;
	while (rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(out, cap, "%s/%s/%s", blk, de->d_name, name) >= cap)
			continue;
		if (is_dir(out)) {
			if ((size_t)snprintf(disk, dcap, "%s", de->d_name) < dcap)
				rc = 0;
		}
	}
	closedir(d);
	return rc;
}

static int find(const struct storstack *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return (int)i;
	return -1;
}

static void read_kind(const char *dir, struct stor_node *n)
{
	char sub[PATH_CAP + 16];
	n->kind = STOR_LEAF;
	snprintf(sub, sizeof sub, "%s/dm", dir);
	if (is_dir(sub)) {
		sys_read_line(sub, "name", n->dm_name, sizeof n->dm_name);
		sys_read_line(sub, "uuid", n->dm_uuid, sizeof n->dm_uuid);
		n->kind = !strncmp(n->dm_uuid, "LVM-", 4)     ? STOR_LVM
			  : !strncmp(n->dm_uuid, "CRYPT-", 6) ? STOR_CRYPT
							      : STOR_DM;
		return;
	}
	snprintf(sub, sizeof sub, "%s/md", dir);
	if (is_dir(sub)) {
		n->kind = STOR_MD;
		sys_read_line(sub, "metadata_version", n->backing, sizeof n->backing);
		return;
	}
	snprintf(sub, sizeof sub, "%s/loop", dir);
	if (is_dir(sub)) {
		n->kind = STOR_LOOP;
		sys_read_line(sub, "backing_file", n->backing, sizeof n->backing);
	}
}

/* Adds the device NAME (a partition of a loop device stands for the loop
 * device); returns its index, or -1. */
static int add(const char *sysroot, struct storstack *s, const char *name)
{
	char dir[PATH_CAP], disk[64], devno[32];
	int i = find(s, name);
	if (i >= 0)
		return i;
	if (strlen(name) >= sizeof s->v[0].name ||
	    dev_dir(sysroot, name, dir, sizeof dir, disk, sizeof disk))
		return -1;
	if (disk[0] && !strncmp(disk, "loop", 4))
		return add(sysroot, s, disk);
	if (s->n >= STORSTACK_MAX) {
		s->truncated = true;
		return -1;
	}
	struct stor_node *n = &s->v[s->n];
	memset(n, 0, sizeof *n);
	snprintf(n->name, sizeof n->name, "%s", name);
	if (sys_read_line(dir, "dev", devno, sizeof devno) > 0)
		sscanf(devno, "%u:%u", &n->major, &n->minor);
	n->partition = disk[0] != 0;
	if (!n->partition)
		read_kind(dir, n);
	return (int)s->n++;
}

static void push(int *arr, unsigned *n, int v, bool *trunc)
{
	for (unsigned i = 0; i < *n; i++)
		if (arr[i] == v)
			return;
	if (*n >= STORSTACK_LINKS) {
		*trunc = true;
		return;
	}
	arr[(*n)++] = v;
}

/* Links node i with every entry of its slaves/ (down) or holders/ (up). */
static void link_dir(const char *sysroot, struct storstack *s, int i, bool down)
{
	char dir[PATH_CAP + 16], disk[64];
	if (dev_dir(sysroot, s->v[i].name, dir, PATH_CAP, disk, sizeof disk))
		return;
	strncat(dir, down ? "/slaves" : "/holders", sizeof dir - strlen(dir) - 1);
	/* Sorted, so the order does not depend on readdir's. */
	struct dirent **de;
	int nde = scandir(dir, &de, NULL, alphasort);
	for (int e = 0; e < nde; e++) {
		int j = de[e]->d_name[0] == '.' ? -1 : add(sysroot, s, de[e]->d_name);
		free(de[e]);
		if (j < 0 || j == i)
			continue;
		int lo = down ? j : i, hi = down ? i : j;
		push(s->v[hi].slaves, &s->v[hi].nslaves, lo, &s->truncated);
		push(s->v[lo].holders, &s->v[lo].nholders, hi, &s->truncated);
	}
	if (nde >= 0)
		free(de);
}

static int find_devno(const char *sysroot, unsigned major, unsigned minor, char *name, size_t cap)
{
	char path[PATH_CAP], link[PATH_CAP];
	snprintf(path, sizeof path, "%s/dev/block/%u:%u", sysroot, major, minor);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n > 0) {
		link[n] = 0;
		const char *b = strrchr(link, '/');
		return (size_t)snprintf(name, cap, "%s", b ? b + 1 : link) < cap ? 0
										 : -ENAMETOOLONG;
	}
	/* No /sys/dev/block link (a fixture tree): match every dev file. */
	snprintf(path, sizeof path, "%s/block", sysroot);
	DIR *d = opendir(path);
	if (!d)
		return -ENOENT;
	struct dirent *de;
	int rc = -ENOENT;
	while (rc && (de = readdir(d))) {
		char dir[PATH_CAP + 272], devno[32];
		unsigned ma, mi;
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof dir, "%s/%s", path, de->d_name);
		if (sys_read_line(dir, "dev", devno, sizeof devno) > 0 &&
		    sscanf(devno, "%u:%u", &ma, &mi) == 2 && ma == major && mi == minor) {
			snprintf(name, cap, "%s", de->d_name);
			rc = 0;
		}
	}
	closedir(d);
	return rc;
}

static void order(struct storstack *s)
{
	bool done[STORSTACK_MAX] = {0};
	bool progress = true;
	s->norder = 0;
	while (progress) {
		progress = false;
		for (unsigned i = 0; i < s->n; i++) {
			if (done[i] || s->v[i].kind == STOR_LEAF)
				continue;
			bool ready = true;
			for (unsigned h = 0; h < s->v[i].nholders; h++)
				ready = ready && done[s->v[i].holders[h]];
			if (!ready)
				continue;
			done[i] = progress = true;
			s->order[s->norder++] = (int)i;
		}
	}
	for (unsigned i = 0; i < s->n; i++)
		if (!done[i] && s->v[i].kind != STOR_LEAF)
			s->truncated = true; /* a cycle: never from a real kernel */
}

int storstack_build(const char *sysroot, unsigned major, unsigned minor, struct storstack *s)
{
	char name[256];
	if (!sysroot || !s)
		return -EINVAL;
	memset(s, 0, sizeof *s);
	s->root = -1;
	if (find_devno(sysroot, major, minor, name, sizeof name))
		return -ENOENT;
	s->root = add(sysroot, s, name);
	if (s->root < 0)
		return -ENOENT;
	/* Breadth first: every node goes down; dm/md/loop nodes also go up. */
	for (unsigned i = 0; i < s->n; i++) {
		link_dir(sysroot, s, (int)i, true);
		if (s->v[i].kind != STOR_LEAF)
			link_dir(sysroot, s, (int)i, false);
	}
	order(s);
	return 0;
}

static bool hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

enum crypt_key_kind storstack_crypt_key(const char *params, size_t len)
{
	size_t i = 0, k0, k1;
	while (i < len && params[i] == ' ')
		i++;
	while (i < len && params[i] != ' ' && params[i])
		i++; /* the cipher */
	if (i >= len || params[i] != ' ')
		return CRYPT_KEY_BAD;
	while (i < len && params[i] == ' ')
		i++;
	k0 = i;
	while (i < len && params[i] != ' ' && params[i])
		i++;
	k1 = i;
	if (k1 == k0)
		return CRYPT_KEY_BAD;
	if (k1 - k0 == 1 && params[k0] == '-')
		return CRYPT_KEY_NONE;
	if (params[k0] == ':')
		return CRYPT_KEY_KEYRING;
	if ((k1 - k0) % 2)
		return CRYPT_KEY_BAD;
	for (size_t j = k0; j < k1; j++)
		if (!hexdigit(params[j]))
			return CRYPT_KEY_BAD;
	return CRYPT_KEY_HEX;
}

size_t storstack_describe(const struct storstack *s, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return 0;
	out[0] = 0;
	for (unsigned k = 0; k < s->norder && o < cap; k++) {
		const struct stor_node *n = &s->v[s->order[k]];
		int w = snprintf(out + o, cap - o, "%s%s(%s%s%s)", k ? " " : "", n->name,
				 stor_kind_name(n->kind), n->dm_name[0] ? " " : "", n->dm_name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return o < cap ? o : cap - 1;
}
