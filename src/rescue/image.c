/* image: write an image to the target disk and verify it (--image). */
#include "rescue/image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/sys.h"
#include "rescue/httpget.h"

#define CHUNK (1u << 20)

enum image_fmt image_detect(const uint8_t *p, size_t n)
{
	static const struct {
		enum image_fmt f;
		uint8_t m[6];
		size_t n;
	} magic[] = {
	    {IMAGE_GZIP, {0x1f, 0x8b}, 2},
	    {IMAGE_ZSTD, {0x28, 0xb5, 0x2f, 0xfd}, 4},
	    {IMAGE_XZ, {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6},
	};
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (n >= magic[i].n && !memcmp(p, magic[i].m, magic[i].n))
			return magic[i].f;
	return IMAGE_RAW;
}

const char *image_fmt_name(enum image_fmt f)
{
	static const char *const names[] = {"raw", "gzip", "zstd", "xz"};
	return (unsigned)f < 4 ? names[f] : "?";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int image_parse_sha256(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64)
		return -EINVAL;
	for (int i = 0; i < 32; i++) {
		int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
		if (a < 0 || b < 0)
			return -EINVAL;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

void image_hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void image_progress(char *out, size_t cap, uint64_t done, uint64_t total, uint64_t elapsed_ms)
{
	double mib = 1024.0 * 1024.0;
	double rate = elapsed_ms ? (double)done / mib / ((double)elapsed_ms / 1000.0) : 0.0;
	int n = snprintf(out, cap, "written=%.1fMiB", (double)done / mib);
	if (n < 0 || (size_t)n >= cap)
		return;
	if (total) {
		unsigned pct = (unsigned)(done >= total ? 100 : done * 100 / total);
		int m = snprintf(out + n, cap - (size_t)n, " of %.1fMiB (%u%%)",
				 (double)total / mib, pct);
		if (m < 0 || (size_t)(n + m) >= cap)
			return;
		n += m;
	}
	int m = snprintf(out + n, cap - (size_t)n, " rate=%.1fMiB/s", rate);
	if (m < 0 || (size_t)(n + m) >= cap)
		return;
	n += m;
	if (total && done && done <= total && elapsed_ms) {
		uint64_t eta = (total - done) * elapsed_ms / done / 1000;
		snprintf(out + n, cap - (size_t)n, " eta=%llus", (unsigned long long)eta);
	} else {
		snprintf(out + n, cap - (size_t)n, " eta=?");
	}
}

char *const *image_decompressor(enum image_fmt f, const char *busybox)
{
	static char *argv[5];
	static const char *const bins[][3] = {
	    [IMAGE_GZIP] = {"/usr/bin/gzip", "/bin/gzip", NULL},
	    [IMAGE_ZSTD] = {"/usr/bin/zstd", "/bin/zstd", NULL},
	    [IMAGE_XZ] = {"/usr/bin/xz", "/bin/xz", NULL},
	};
	static const char *const applet[] = {[IMAGE_GZIP] = "gzip", [IMAGE_XZ] = "xz"};
	if (f == IMAGE_RAW || (unsigned)f > IMAGE_XZ)
		return NULL;
	for (int i = 0; bins[f][i]; i++) {
		struct stat st;
		/* In the RAM root /bin/gzip may be a busybox link: fine too. */
		if (!stat(bins[f][i], &st) && S_ISREG(st.st_mode) && !access(bins[f][i], X_OK)) {
			argv[0] = (char *)bins[f][i];
			argv[1] = "-dc";
			argv[2] = NULL;
			return argv;
		}
	}
	if (busybox && busybox[0] && applet[f] && !access(busybox, X_OK)) {
		argv[0] = (char *)busybox;
		argv[1] = (char *)applet[f];
		argv[2] = "-dc";
		argv[3] = NULL;
		return argv;
	}
	return NULL;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The source, open, with its first bytes in pre (at least the magic unless
 * it is shorter); *len: its size in bytes, -1 unknown. */
static int open_source(const char *src, uint8_t *pre, size_t *npre, int64_t *len, char *why,
		       size_t cap)
{
	int fd;
	*npre = 0;
	*len = -1;
	if (!strncasecmp(src, "http://", 7)) {
		struct httpget_head h;
		fd = httpget_open(src, 15000, &h, pre, npre);
		if (fd < 0) {
			if (fd == -EPROTO)
				snprintf(why, cap, "GET %s: HTTP status %d", src, h.status);
			else
				snprintf(why, cap, "GET %s: %s", src,
					 fd == -ENOTSUP ? "chunked body not supported"
							: strerror(-fd));
			return fd;
		}
		*len = h.length;
	} else {
		struct stat st;
		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st)) {
			int e = -errno;
			snprintf(why, cap, "open %s: %s", src, strerror(errno));
			if (fd >= 0)
				close(fd);
			return e;
		}
		if (S_ISREG(st.st_mode))
			*len = st.st_size;
	}
	while (*npre < 6) {
		ssize_t r = read(fd, pre + *npre, HTTPGET_HEAD_MAX - *npre);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*npre += (size_t)r;
	}
	return fd;
}

/* Starts `pre + rest of in` → decompressor; returns the read end of its
 * output, with the two children's pids. */
static int start_pipeline(char *const *argv, int in, const uint8_t *pre, size_t npre, pid_t *feeder,
			  pid_t *dec)
{
	int a[2], b[2];
	if (pipe2(a, O_CLOEXEC))
		return -errno;
	if (pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -errno;
	}
	if ((*dec = fork()) == 0) {
		dup2(a[0], 0);
		dup2(b[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if ((*feeder = fork()) == 0) {
		static uint8_t buf[65536];
		signal(SIGPIPE, SIG_DFL);
		if (write_all(a[1], pre, npre))
			_exit(1);
		for (;;) {
			ssize_t r = read(in, buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				_exit(1);
			if (!r)
				_exit(0);
			if (write_all(a[1], buf, (size_t)r))
				_exit(1);
		}
	}
	close(a[0]);
	close(a[1]);
	close(b[1]);
	if (*dec < 0 || *feeder < 0) {
		close(b[0]);
		return -EAGAIN;
	}
	return b[0];
}

static int child_status(pid_t pid)
{
	int st = 0;
	if (pid <= 0)
		return 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void progress(const struct image_job *j, uint64_t done, uint64_t total, uint64_t t0,
		     bool last)
{
	char line[160], msg[200];
	image_progress(line, sizeof line, done, total, sys_clock_ms(CLOCK_MONOTONIC) - t0);
	int n =
	    snprintf(msg, sizeof msg, "LIFEBOAT-IMAGE-PROGRESS %s%s\n", line, last ? " done" : "");
	if (n <= 0)
		return;
	if (j->con >= 0)
		write_all(j->con, (const uint8_t *)msg, (size_t)n);
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	snprintf(path, sizeof path, "%s", j->status_file ? j->status_file : IMAGE_STATUS_FILE);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		write_all(fd, (const uint8_t *)msg, (size_t)n);
		close(fd);
		rename(tmp, path);
	}
}

/* Copies data to out, hashing; *done: bytes written. */
static int copy_hash(const struct image_job *j, int data, int out, uint64_t total, struct sha256 *s,
		     uint64_t *done, char *why, size_t cap)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t t0 = sys_clock_ms(CLOCK_MONOTONIC), next = t0 + 1000;
	int rc = buf ? 0 : -ENOMEM;
	while (!rc) {
		ssize_t r = read(data, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(why, cap, "read source: %s", strerror(errno));
		}
		if (r <= 0)
			break;
		if ((rc = write_all(out, buf, (size_t)r))) {
			snprintf(why, cap, "write %s at byte %llu: %s", j->target,
				 (unsigned long long)*done, strerror(-rc));
			break;
		}
		sha256_update(s, buf, (size_t)r);
		*done += (uint64_t)r;
		if (sys_clock_ms(CLOCK_MONOTONIC) >= next) {
			progress(j, *done, total, t0, false);
			next += 1000;
		}
	}
	if (!rc)
		progress(j, *done, total, t0, true);
	free(buf);
	return rc;
}

#ifndef BLKRRPART
#define BLKRRPART 0x125f
#endif
#ifndef BLKFLSBUF
#define BLKFLSBUF 0x1261
#endif

/* Reads back n bytes of the target past the page cache and hashes them. */
static int read_back(const char *target, uint64_t n, uint8_t out[32])
{
	int fd = open(target, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct sha256 s;
	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && S_ISBLK(st.st_mode))
		ioctl(fd, BLKFLSBUF, 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	uint8_t *buf = malloc(CHUNK);
	int rc = buf ? 0 : -ENOMEM;
	sha256_init(&s);
	while (!rc && n) {
		ssize_t r = read(fd, buf, n < CHUNK ? (size_t)n : CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			break;
		}
		sha256_update(&s, buf, (size_t)r);
		n -= (uint64_t)r;
	}
	sha256_final(&s, out);
	free(buf);
	close(fd);
	return rc;
}

static int open_target(const char *target, char *why, size_t cap)
{
	struct stat st;
	int fl = O_WRONLY | O_CLOEXEC;
	if (!stat(target, &st) && S_ISREG(st.st_mode))
		fl |= O_TRUNC;
	int fd = open(target, fl);
	if (fd < 0) {
		snprintf(why, cap, "open %s: %s", target, strerror(errno));
		return -errno;
	}
	return fd;
}

/* Flushes, reads back and compares with the stream's hash and --sha256. */
static int verify(const struct image_job *j, int out, uint64_t done, const uint8_t streamed[32],
		  char *why, size_t cap)
{
	uint8_t back[32], want[32];
	char hs[65], hb[65], hw[65];
	struct stat st;
	if (fsync(out)) {
		snprintf(why, cap, "fsync %s: %s", j->target, strerror(errno));
		return -errno;
	}
	int rc = read_back(j->target, done, back);
	if (rc) {
		snprintf(why, cap, "read back %s: %s", j->target, strerror(-rc));
		return rc;
	}
	image_hex(streamed, hs);
	image_hex(back, hb);
	if (memcmp(streamed, back, 32)) {
		snprintf(why, cap, "read-back sha256=%s differs from written sha256=%s", hb, hs);
		return -EBADMSG;
	}
	if (j->sha256[0] && (image_parse_sha256(j->sha256, want) || memcmp(want, back, 32))) {
		image_hex(want, hw);
		snprintf(why, cap, "sha256=%s, expected %s", hb, j->sha256);
		return -EBADMSG;
	}
	if (!fstat(out, &st) && S_ISBLK(st.st_mode))
		ioctl(out, BLKRRPART, 0); /* a partition table may have come with it */
	snprintf(why, cap, "sha256=%s bytes=%llu", hb, (unsigned long long)done);
	return 0;
}

int image_write(const struct image_job *j, char *why, size_t cap)
{
	static uint8_t pre[HTTPGET_HEAD_MAX];
	size_t npre;
	int64_t len;
	pid_t feeder = 0, dec = 0;
	struct sha256 s;
	uint8_t streamed[32];
	uint64_t done = 0;
	int in = open_source(j->src, pre, &npre, &len, why, cap), data = in, rc = 0;
	if (in < 0)
		return in;
	enum image_fmt f = image_detect(pre, npre);
	char *const *argv = image_decompressor(f, j->busybox);
	int out = open_target(j->target, why, cap);
	if (out < 0) {
		close(in);
		return out;
	}
	if (f != IMAGE_RAW && !argv) {
		snprintf(why, cap, "no %s decompressor (carry it with --carry)", image_fmt_name(f));
		rc = -ENOENT;
	} else if (f != IMAGE_RAW) {
		data = start_pipeline(argv, in, pre, npre, &feeder, &dec);
		close(in);
		if (data < 0)
			snprintf(why, cap, "start %s: %s", argv[0], strerror(-(rc = data)));
	}
	sha256_init(&s);
	if (!rc && f == IMAGE_RAW) {
		if ((rc = write_all(out, pre, npre)))
			snprintf(why, cap, "write %s: %s", j->target, strerror(-rc));
		sha256_update(&s, pre, npre);
		done = npre;
	}
	if (!rc)
		rc = copy_hash(j, data, out, f == IMAGE_RAW && len > 0 ? (uint64_t)len : 0, &s,
			       &done, why, cap);
	if (data >= 0)
		close(data);
	int fs = child_status(feeder), ds = child_status(dec);
	if (!rc && (fs || ds)) {
		snprintf(why, cap, "%s -dc exit %d (feeder %d)", argv[0], ds, fs);
		rc = -EIO;
	}
	if (!rc && f == IMAGE_RAW && len >= 0 && done != (uint64_t)len) {
		snprintf(why, cap, "source ended after %llu of %lld bytes",
			 (unsigned long long)done, (long long)len);
		rc = -EIO;
	}
	sha256_final(&s, streamed);
	if (!rc)
		rc = verify(j, out, done, streamed, why, cap);
	close(out);
	return rc;
}

int image_mount(const char *target, const char *dir, int ro)
{
	char cand[3][PATH_MAX], line[128];
	size_t tn = strlen(target);
	bool digit = tn && target[tn - 1] >= '0' && target[tn - 1] <= '9';
	if (tn + 3 > sizeof cand[0]) /* room for "p1" */
		return -ENAMETOOLONG;
	memcpy(cand[0], target, tn + 1);
	snprintf(cand[1], sizeof cand[1], "%s%s1", target, digit ? "p" : "");
	snprintf(cand[2], sizeof cand[2], "%s%s1", target, digit ? "" : "p");
	int rc = -ENODEV;
	for (int c = 0; c < 3; c++) {
		if (access(cand[c], F_OK))
			continue;
		FILE *f = fopen("/proc/filesystems", "re");
		if (!f)
			return -errno;
		while (fgets(line, sizeof line, f)) {
			char *t;
			if (!strncmp(line, "nodev", 5))
				continue;
			t = line + strspn(line, " \t");
			t[strcspn(t, " \t\n")] = 0;
			if (!*t)
				continue;
			if (!mount(cand[c], dir, t, ro ? MS_RDONLY : 0, NULL)) {
				fclose(f);
				return 0;
			}
			rc = -errno;
		}
		fclose(f);
	}
	return rc;
}
