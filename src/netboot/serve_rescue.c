/* serve_rescue: the kernel and rescue image of `serve --rescue`, the image
 * built at start-up by `lifeboat mkrescue` into a memfd. */
#include "netboot/serve_rescue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sys.h"

int serve_rescue_check(struct serve_opts *o)
{
	struct bootplan *p = &o->plan;
	const struct utsname *u = sys_uname(); /* kept from start-up: seccomp has no uname */
	if (!p->rescue)
		return 0;
	if (!p->http) {
		log_err("serve.error reason=\"--rescue fetches the kernel and image over HTTP, "
			"and the rescue phones home over HTTP: drop --no-http\"");
		return -EINVAL;
	}
	if (!p->kernel) {
		if (!u)
			return -EIO;
		snprintf(o->rescue_kernel, sizeof o->rescue_kernel, "/boot/vmlinuz-%s", u->release);
		if (access(o->rescue_kernel, R_OK))
			snprintf(o->rescue_kernel, sizeof o->rescue_kernel, "/vmlinuz");
		if (access(o->rescue_kernel, R_OK)) {
			log_err("serve.error reason=\"--rescue: no kernel /boot/vmlinuz-%s or "
				"/vmlinuz on this host (a container?): pass --kernel FILE\"",
				u->release);
			return -ENOENT;
		}
		p->kernel = o->rescue_kernel;
	}
	if (p->rescue_file) {
		struct stat st;
		if (stat(p->rescue_file, &st) || !S_ISREG(st.st_mode) ||
		    access(p->rescue_file, R_OK)) {
			log_err("serve.error file=%s reason=\"--rescue-file: %s\"", p->rescue_file,
				errno ? strerror(errno) : "not a regular file");
			return -ENOENT;
		}
		p->rescue_image = p->rescue_file;
	}
	return 0;
}

int serve_rescue_build(struct serve_opts *o, int *fd)
{
	struct bootplan *p = &o->plan;
	*fd = -1;
	if (!p->rescue || p->rescue_file)
		return 0;
	int mfd = memfd_create("lifeboat-rescue", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	uint64_t t0 = sys_clock_us(CLOCK_MONOTONIC);
	log_info("serve.rescue kernel=%s reason=\"building the rescue image (lifeboat "
		 "mkrescue)\"",
		 p->kernel);
	pid_t pid = fork();
	if (pid == 0) {
		const char *argv[] = {"lifeboat", "mkrescue", "-o", "-",
				      "--kernel", p->kernel,  NULL};
		if (dup2(mfd, 1) == 1)
			execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	int status = 0, rc = pid < 0 ? -errno : 0;
	while (!rc && waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			rc = -errno;
	struct stat st;
	if (!rc &&
	    (!WIFEXITED(status) || WEXITSTATUS(status) || fstat(mfd, &st) || st.st_size == 0))
		rc = -EIO;
	if (rc) {
		log_err("serve.error reason=\"--rescue: building the image failed (see mkrescue's "
			"lines above); build one with 'lifeboat mkrescue' and pass "
			"--rescue-file\"");
		close(mfd);
		return rc;
	}
	*fd = mfd;
	snprintf(o->rescue_image, sizeof o->rescue_image, "/proc/self/fd/%d", mfd);
	p->rescue_image = o->rescue_image;
	log_info("serve.rescue image=" BOOTPLAN_PREFIX BOOTPLAN_RESCUE_IMAGE
		 " bytes=%lld secs=%.1f",
		 (long long)st.st_size, (double)(sys_clock_us(CLOCK_MONOTONIC) - t0) / 1e6);
	return 0;
}

void serve_rescue_inherit(const struct serve_opts *old, struct serve_opts *n)
{
	if (!n->plan.rescue || n->plan.rescue_file || !old->plan.rescue_image ||
	    old->plan.rescue_file)
		return;
	snprintf(n->rescue_image, sizeof n->rescue_image, "%s", old->rescue_image);
	n->plan.rescue_image = n->rescue_image;
}
