/* serve_rescue: the kernel and rescue image of `serve --rescue`, the image
 * built at start-up by `lifeboat mkrescue` into a memfd. */
#include "netboot/serve_rescue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
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
		if (serve_rescue_host_kernel(o->rescue_kernel, sizeof o->rescue_kernel)) {
			log_err("serve.error reason=\"--rescue: no kernel /boot/vmlinuz-%s or "
				"/vmlinuz on this host (a container?): pass --kernel FILE\"",
				u ? u->release : "?");
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

/* Forks `lifeboat mkrescue -o - --kernel KERNEL` writing into mfd. keep:
 * a descriptor the child holds until it exits (-1: none). The pid or
 * -errno. */
static pid_t serve_rescue_spawn(const char *kernel, int mfd, int keep)
{
	pid_t pid = fork();
	if (pid == 0) {
		const char *argv[] = {"lifeboat", "mkrescue", "-o", "-", "--kernel", kernel, NULL};
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* serve gone: nobody needs the image */
		if ((keep < 0 || fcntl(keep, F_SETFD, 0) == 0) && dup2(mfd, 1) == 1)
			execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	return pid < 0 ? -errno : pid;
}

/* Whether the build that was pid left an image in mfd: its size, or 0. */
static uint64_t serve_rescue_reap(pid_t pid, int mfd)
{
	int status = 0;
	struct stat st;
	pid_t r;
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	/* ECHILD: serve is PID 1 and reaped it; the image then speaks for it */
	if ((r < 0 && errno != ECHILD) || (r > 0 && (!WIFEXITED(status) || WEXITSTATUS(status))))
		return 0;
	return fstat(mfd, &st) || st.st_size <= 0 ? 0 : (uint64_t)st.st_size;
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
	pid_t pid = serve_rescue_spawn(p->kernel, mfd, -1);
	uint64_t size = pid > 0 ? serve_rescue_reap(pid, mfd) : 0;
	if (!size) {
		log_err("serve.error reason=\"--rescue: building the image failed (see mkrescue's "
			"lines above); build one with 'lifeboat mkrescue' and pass "
			"--rescue-file\"");
		close(mfd);
		return pid < 0 ? (int)pid : -EIO;
	}
	*fd = mfd;
	snprintf(o->rescue_image, sizeof o->rescue_image, "/proc/self/fd/%d", mfd);
	p->rescue_image = o->rescue_image;
	log_info("serve.rescue image=" BOOTPLAN_PREFIX BOOTPLAN_RESCUE_IMAGE
		 " bytes=%llu secs=%.1f",
		 (unsigned long long)size, (double)(sys_clock_us(CLOCK_MONOTONIC) - t0) / 1e6);
	return 0;
}

/* The build's pipe: EOF when mkrescue (and what it ran) has exited. */
static void serve_rescue_job_event(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct serve_rescue_job *j = w->arg;
	char buf[64];
	(void)events;
	ssize_t n = read(w->fd, buf, sizeof buf);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	loop_del(l, w);
	close(w->fd);
	w->fd = -1;
	uint64_t size = serve_rescue_reap(j->pid, j->mfd);
	j->pid = 0;
	double secs = (double)(sys_clock_us(CLOCK_MONOTONIC) - j->t0) / 1e6;
	if (!size) {
		log_warn("serve.warn menu=rescue reason=\"building the rescue image failed after "
			 "%.1f s (see mkrescue's lines above): the boot menu goes on without "
			 "the lifeboat rescue entry; build one with 'lifeboat mkrescue' and "
			 "pass --rescue --rescue-file FILE\"",
			 secs);
		close(j->mfd);
		j->mfd = -1;
		j->done(j->arg, -1, 0);
		return;
	}
	log_info("serve.rescue image=menu bytes=%llu secs=%.1f reason=\"built in the background: "
		 "the boot menu shows the lifeboat rescue entry from now on\"",
		 (unsigned long long)size, secs);
	int fd = j->mfd;
	j->mfd = -1;
	j->done(j->arg, fd, size);
}

int serve_rescue_build_start(struct serve_rescue_job *j, struct loop *l, const char *kernel)
{
	int pfd[2];
	j->pid = 0;
	j->w.fd = -1;
	j->mfd = memfd_create("lifeboat-rescue", MFD_CLOEXEC);
	if (j->mfd < 0)
		return -errno;
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK)) {
		int e = errno;
		close(j->mfd);
		j->mfd = -1;
		return -e;
	}
	j->t0 = sys_clock_us(CLOCK_MONOTONIC);
	pid_t pid = serve_rescue_spawn(kernel, j->mfd, pfd[1]);
	close(pfd[1]);
	j->w.fd = pfd[0];
	j->w.cb = serve_rescue_job_event;
	j->w.arg = j;
	if (pid < 0 || loop_add(l, &j->w, EPOLLIN)) {
		int e = pid < 0 ? (int)pid : -errno;
		serve_rescue_build_stop(j, l);
		return e;
	}
	j->pid = pid;
	log_info("serve.rescue kernel=%s pid=%d reason=\"building the rescue image in the "
		 "background (lifeboat mkrescue): the boot menu shows its entry once built\"",
		 kernel, (int)pid);
	return 0;
}

void serve_rescue_build_stop(struct serve_rescue_job *j, struct loop *l)
{
	if (j->w.fd >= 0) {
		loop_del(l, &j->w);
		close(j->w.fd);
		j->w.fd = -1;
	}
	if (j->mfd >= 0)
		close(j->mfd);
	j->mfd = -1;
	/* PR_SET_PDEATHSIG ends a build still running when serve exits */
	j->pid = 0;
}

int serve_rescue_host_kernel(char *out, size_t cap)
{
	const struct utsname *u = sys_uname();
	if (!u)
		return -EIO;
	snprintf(out, cap, "/boot/vmlinuz-%s", u->release);
	if (access(out, R_OK))
		snprintf(out, cap, "/vmlinuz");
	return access(out, R_OK) ? -ENOENT : 0;
}

void serve_rescue_inherit(const struct serve_opts *old, struct serve_opts *n)
{
	if (!n->plan.rescue || n->plan.rescue_file || !old->plan.rescue_image ||
	    old->plan.rescue_file)
		return;
	snprintf(n->rescue_image, sizeof n->rescue_image, "%s", old->rescue_image);
	n->plan.rescue_image = n->rescue_image;
}
