/* sysinfo: disks and addresses for `lifeboat status` in a rescue system;
 * filesystem signatures read here, the way blkid finds them (offsets from
 * each format's on-disk definition). */
#include "rescue/sysinfo.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/sys.h"

/* The len bytes at off, or NULL when the buffer is shorter. */
static const uint8_t *at(const uint8_t *p, size_t n, size_t off, size_t len)
{
	struct rbuf r;
	const uint8_t *out;
	rbuf_init(&r, p, n);
	if (rbuf_skip(&r, off) || rbuf_ptr(&r, len, &out))
		return NULL;
	return out;
}

static bool has(const uint8_t *p, size_t n, size_t off, const char *magic, size_t len)
{
	const uint8_t *s = at(p, n, off, len);
	return s && !memcmp(s, magic, len);
}

static uint32_t le32_at(const uint8_t *p, size_t n, size_t off)
{
	const uint8_t *s = at(p, n, off, 4);
	return s ? (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 |
		       (uint32_t)s[3] << 24
		 : 0;
}

static void set_label(struct sysinfo_fs *fs, const uint8_t *p, size_t n, size_t off, size_t len)
{
	const uint8_t *s = at(p, n, off, len);
	size_t o = 0;
	for (size_t i = 0; s && i < len && s[i] && o + 1 < sizeof fs->label; i++)
		fs->label[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	while (o && fs->label[o - 1] == ' ') /* FAT pads with blanks */
		o--;
	fs->label[o] = 0;
}

/* ext2/3/4: magic 0xEF53 at 1024+56; the feature flags tell them apart. */
static bool probe_ext(const uint8_t *p, size_t n, struct sysinfo_fs *fs)
{
	const uint8_t *m = at(p, n, 1024 + 56, 2);
	if (!m || m[0] != 0x53 || m[1] != 0xef)
		return false;
	uint32_t compat = le32_at(p, n, 1024 + 92), incompat = le32_at(p, n, 1024 + 96),
		 ro_compat = le32_at(p, n, 1024 + 100);
	/* ext4-only: extents, 64bit, flex_bg, huge_file, gdt_csum, dir_nlink,
	 * extra_isize, metadata_csum */
	bool ext4 =
	    (incompat & (0x40 | 0x80 | 0x200)) || (ro_compat & (0x8 | 0x10 | 0x20 | 0x40 | 0x400));
	strcpy(fs->type, ext4 ? "ext4" : (compat & 0x4) ? "ext3" : "ext2");
	set_label(fs, p, n, 1024 + 120, 16);
	return true;
}

static bool probe_fat(const uint8_t *p, size_t n, struct sysinfo_fs *fs)
{
	if (!has(p, n, 510, "\x55\xaa", 2))
		return false;
	size_t label_off = 0;
	if (has(p, n, 82, "FAT32   ", 8))
		label_off = 71;
	else if (has(p, n, 54, "FAT12   ", 8) || has(p, n, 54, "FAT16   ", 8))
		label_off = 43;
	if (!label_off)
		return false;
	strcpy(fs->type, "vfat");
	set_label(fs, p, n, label_off, 11);
	if (!strcmp(fs->label, "NO NAME"))
		fs->label[0] = 0;
	return true;
}

static bool probe_lvm(const uint8_t *p, size_t n, struct sysinfo_fs *fs)
{
	for (size_t s = 0; s < 4; s++)
		if (has(p, n, s * 512, "LABELONE", 8) && has(p, n, s * 512 + 24, "LVM2 001", 8)) {
			strcpy(fs->type, "LVM2_member");
			return true;
		}
	return false;
}

static bool probe_md(const uint8_t *p, size_t n, struct sysinfo_fs *fs)
{
	/* v1.1 at 0, v1.2 at 4 KiB (v0.90 and v1.0 live at the end: not here) */
	if (le32_at(p, n, 0) != 0xa92b4efc && le32_at(p, n, 4096) != 0xa92b4efc)
		return false;
	size_t base = le32_at(p, n, 0) == 0xa92b4efc ? 0 : 4096;
	strcpy(fs->type, "linux_raid_member");
	set_label(fs, p, n, base + 32, 32); /* set_name */
	return true;
}

static bool probe_swap(const uint8_t *p, size_t n, struct sysinfo_fs *fs)
{
	static const size_t pages[] = {4096, 8192, 16384, 65536};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
		if (has(p, n, pages[i] - 10, "SWAPSPACE2", 10) ||
		    has(p, n, pages[i] - 10, "SWAP-SPACE", 10)) {
			strcpy(fs->type, "swap");
			set_label(fs, p, n, 1024 + 28, 16);
			return true;
		}
	return false;
}

int sysinfo_probe(const uint8_t *p, size_t n, struct sysinfo_fs *fs)
{
	memset(fs, 0, sizeof *fs);
	if (has(p, n, 0, "LUKS\xba\xbe", 6)) {
		strcpy(fs->type, "crypto_LUKS");
		set_label(fs, p, n, 24, 32); /* LUKS2 label; LUKS1 has the cipher name here */
		if (has(p, n, 6, "\0\1", 2))
			fs->label[0] = 0;
		return 0;
	}
	if (has(p, n, 0, "XFSB", 4)) {
		strcpy(fs->type, "xfs");
		set_label(fs, p, n, 108, 12);
		return 0;
	}
	if (probe_lvm(p, n, fs) || probe_md(p, n, fs))
		return 0;
	if (has(p, n, 0x10040, "_BHRfS_M", 8)) {
		strcpy(fs->type, "btrfs");
		set_label(fs, p, n, 0x10000 + 0x12b, 64);
		return 0;
	}
	if (probe_ext(p, n, fs) || probe_swap(p, n, fs) || probe_fat(p, n, fs))
		return 0;
	if (has(p, n, 3, "NTFS    ", 8)) {
		strcpy(fs->type, "ntfs");
		return 0;
	}
	if (has(p, n, 0x8001, "CD001", 5)) {
		strcpy(fs->type, "iso9660");
		set_label(fs, p, n, 0x8028, 32);
		return 0;
	}
	if (has(p, n, 512, "EFI PART", 8)) {
		strcpy(fs->type, "gpt");
		return 0;
	}
	if (has(p, n, 510, "\x55\xaa", 2)) {
		strcpy(fs->type, "dos");
		return 0;
	}
	return -ENOENT;
}

void sysinfo_size(uint64_t b, char *out, size_t cap)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	if (b < 1024) {
		snprintf(out, cap, "%llu B", (unsigned long long)b);
		return;
	}
	double v = (double)b / 1024;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof unit / sizeof unit[0]) {
		v /= 1024;
		u++;
	}
	snprintf(out, cap, "%.1f %s", v, unit[u]);
}

/* One disk or partition line: name, size, what is on it. */
static void print_dev(FILE *f, const char *sysdir, const char *dev, const char *name, int indent)
{
	char v[128] = "", size[32], path[300];
	uint64_t sectors =
	    sys_read_line(sysdir, "size", v, sizeof v) < 0 ? 0 : strtoull(v, NULL, 10);
	sysinfo_size(sectors * 512, size, sizeof size);
	struct sysinfo_fs fs = {{0}, {0}};
	snprintf(path, sizeof path, "%s/%s", dev, name);
	uint8_t *buf = malloc(SYSINFO_PROBE_LEN);
	int fd = buf ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t got = fd >= 0 ? pread(fd, buf, SYSINFO_PROBE_LEN, 0) : -1;
	if (fd >= 0)
		close(fd);
	if (got > 0)
		sysinfo_probe(buf, (size_t)got, &fs);
	free(buf);
	char model[140] = "";
	if (!indent && sys_read_line(sysdir, "device/model", v, sizeof v) >= 0)
		snprintf(model, sizeof model, "  %s", v);
	fprintf(f, "  %*s%-*s %10s  %-17s%s%s%s%s\n", indent, "", 12 - indent, name, size,
		fs.type[0] ? fs.type
		: got > 0  ? "-"
			   : "(unreadable)",
		fs.label[0] ? " \"" : "", fs.label, fs.label[0] ? "\"" : "", model);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The entries of dir passing keep(), sorted, into names (cap rows). */
static size_t list_dir(const char *dir, char names[][64], size_t cap,
		       bool (*keep)(const char *dir, const char *name))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t k = 0;
	while (d && (de = readdir(d)) && k < cap) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n >= 64 || !keep(dir, de->d_name))
			continue;
		memcpy(names[k++], de->d_name, n + 1);
	}
	if (d)
		closedir(d);
	qsort(names, k, sizeof names[0], name_cmp);
	return k;
}

static bool is_disk(const char *dir, const char *name)
{
	char v[32];
	(void)dir;
	if (!strncmp(name, "loop", 4) || !strncmp(name, "ram", 3))
		return false;
	char sub[512];
	snprintf(sub, sizeof sub, "%s/%s", dir, name);
	return sys_read_line(sub, "size", v, sizeof v) >= 0 && strcmp(v, "0");
}

static bool is_partition(const char *dir, const char *name)
{
	char sub[512], v[16];
	snprintf(sub, sizeof sub, "%s/%s", dir, name);
	return sys_read_line(sub, "partition", v, sizeof v) >= 0;
}

static bool any(const char *dir, const char *name)
{
	(void)dir;
	return strcmp(name, "lo") != 0;
}

static void print_addrs(FILE *f, const char *sysnet)
{
	char names[32][64], dir[512], mac[32];
	size_t k = list_dir(sysnet, names, 32, any);
	struct ifaddrs *ifa = NULL;
	if (getifaddrs(&ifa))
		ifa = NULL;
	fprintf(f, "interfaces:\n");
	for (size_t i = 0; i < k; i++) {
		int dn = snprintf(dir, sizeof dir, "%s/%s", sysnet, names[i]);
		if (dn < 0 || (size_t)dn >= sizeof dir)
			continue;
		if (sys_read_line(dir, "address", mac, sizeof mac) < 0)
			mac[0] = 0;
		char state[16] = "";
		sys_read_line(dir, "operstate", state, sizeof state);
		fprintf(f, "  %-10s %-17s %-5s", names[i], mac, state);
		for (struct ifaddrs *a = ifa; a; a = a->ifa_next) {
			char ip[INET6_ADDRSTRLEN];
			if (!a->ifa_addr || strcmp(a->ifa_name, names[i]))
				continue;
			int fam = a->ifa_addr->sa_family;
			const void *src =
			    fam == AF_INET
				? (const void *)&((struct sockaddr_in *)(void *)a->ifa_addr)
				      ->sin_addr
			    : fam == AF_INET6
				? (const void *)&((struct sockaddr_in6 *)(void *)a->ifa_addr)
				      ->sin6_addr
				: NULL;
			if (src && inet_ntop(fam, src, ip, sizeof ip))
				fprintf(f, " %s", ip);
		}
		fprintf(f, "\n");
	}
	if (ifa)
		freeifaddrs(ifa);
}

int sysinfo_print(FILE *f, const char *sysblock, const char *dev, const char *sysnet)
{
	char(*disks)[64] = malloc(64 * 64), (*parts)[64] = malloc(64 * 64);
	if (!disks || !parts) {
		free(disks);
		free(parts);
		return -ENOMEM;
	}
	size_t nd = list_dir(sysblock, disks, 64, is_disk);
	fprintf(f, "disks:\n");
	for (size_t i = 0; i < nd; i++) {
		char dir[512], pdir[600];
		snprintf(dir, sizeof dir, "%s/%s", sysblock, disks[i]);
		print_dev(f, dir, dev, disks[i], 0);
		size_t np = list_dir(dir, parts, 64, is_partition);
		for (size_t j = 0; j < np; j++) {
			snprintf(pdir, sizeof pdir, "%s/%s", dir, parts[j]);
			print_dev(f, pdir, dev, parts[j], 2);
		}
	}
	if (!nd)
		fprintf(f, "  (none)\n");
	free(disks);
	free(parts);
	print_addrs(f, sysnet);
	return 0;
}

int rescue_status_print(FILE *f)
{
	return sysinfo_print(f, "/sys/block", "/dev", "/sys/class/net");
}
