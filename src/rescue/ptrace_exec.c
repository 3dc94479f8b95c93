/* ptrace_exec: the ptrace re-exec of PID 1 (see ptrace_exec.h); the
 * registers and bytes come from ptrace_plan. */
#include "rescue/ptrace_exec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rescue/ptrace_plan.h"

#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
#define REQ_GET_SYSCALL_INFO 0x420e /* PTRACE_GET_SYSCALL_INFO, Linux 5.3 */
#define SYSGOOD_TRAP (SIGTRAP | 0x80)
#define MAX_SIGS 16

#if defined(__x86_64__)
#define HOST_ARCH PTP_X86_64
#define HOST_OK 1
#elif defined(__aarch64__)
#define HOST_ARCH PTP_AARCH64
#define HOST_OK 1
#else
#define HOST_ARCH PTP_X86_64
#define HOST_OK 0
#endif

struct ptx {
	pid_t pid;
	int mem_fd;
	unsigned timeout_ms;
	struct ptx_report *rep;
	struct ptp_regs entry;
	struct ptp_plan plan;
	uint8_t saved_mem[PTP_MEM_MAX];
	bool mem_written, regs_set;
	int sigs[MAX_SIGS];
	int nsigs;
};

static long xptrace(int req, pid_t pid, void *addr, void *data)
{
	return ptrace(req, pid, addr, data);
}

static int say(struct ptx *x, const char *step, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(struct ptx *x, const char *step, int err, const char *fmt, ...)
{
	va_list ap;
	x->rep->step = step;
	va_start(ap, fmt);
	vsnprintf(x->rep->detail, sizeof x->rep->detail, fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The next stop (or death) of the tracee within the timeout. */
static int wait_stop(struct ptx *x, int *status)
{
	uint64_t end = now_ms() + x->timeout_ms;
	for (;;) {
		pid_t r = waitpid(x->pid, status, __WALL | WNOHANG);
		if (r == x->pid)
			return WIFSTOPPED(*status) ? 0 : -ESRCH;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() > end)
			return -ETIMEDOUT;
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
}

static int get_regs(struct ptx *x, struct ptp_regs *r)
{
	struct iovec iov = {r, ptp_regs_size(HOST_ARCH)};
	memset(r, 0, sizeof *r);
	return xptrace(PTRACE_GETREGSET, x->pid, (void *)(uintptr_t)NT_PRSTATUS, &iov) ? -errno : 0;
}

static int set_regs(struct ptx *x, const struct ptp_regs *r, int64_t nr)
{
	struct iovec iov = {(void *)r, ptp_regs_size(HOST_ARCH)};
	if (xptrace(PTRACE_SETREGSET, x->pid, (void *)(uintptr_t)NT_PRSTATUS, &iov))
		return -errno;
	if (HOST_ARCH == PTP_AARCH64) {
		/* aarch64 reads the syscall number from its own regset. */
		int n = (int)nr;
		struct iovec nv = {&n, sizeof n};
		if (xptrace(PTRACE_SETREGSET, x->pid, (void *)(uintptr_t)NT_ARM_SYSTEM_CALL, &nv))
			return -errno;
	}
	return 0;
}

static int mem_io(struct ptx *x, bool wr, uint64_t addr, void *buf, size_t len)
{
	ssize_t n =
	    wr ? pwrite(x->mem_fd, buf, len, (off_t)addr) : pread(x->mem_fd, buf, len, (off_t)addr);
	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

/* True at a syscall-entry stop (PTRACE_GET_SYSCALL_INFO when the kernel
 * has it; else the first syscall stop after an interrupt is an entry). */
static bool at_entry(struct ptx *x)
{
	uint8_t info[128] = {0};
	long n = xptrace(REQ_GET_SYSCALL_INFO, x->pid, (void *)sizeof info, info);
	return n <= 0 || info[0] == 1 /* PTRACE_SYSCALL_INFO_ENTRY */;
}

/* Interrupt, then let the tracee run to its next syscall entry; signals
 * that come first are delivered as usual (nothing has changed yet). */
static int reach_entry(struct ptx *x)
{
	int st, rc, sig = 0;
	if (xptrace(PTRACE_INTERRUPT, x->pid, NULL, NULL))
		return say(x, "stop", errno, "PTRACE_INTERRUPT: %s", strerror(errno));
	for (int i = 0; i < 64; i++) {
		if ((rc = wait_stop(x, &st)))
			return say(x, "stop", rc, "waiting for a stop: %s", strerror(-rc));
		int s = WSTOPSIG(st), ev = st >> 16;
		if (s == SYSGOOD_TRAP && at_entry(x))
			return 0;
		sig = (ev || s == SYSGOOD_TRAP || s == SIGTRAP) ? 0 : s;
		if (xptrace(PTRACE_SYSCALL, x->pid, NULL, (void *)(uintptr_t)sig))
			return say(x, "stop", errno, "PTRACE_SYSCALL: %s", strerror(errno));
	}
	return say(x, "stop", ETIMEDOUT, "no syscall entry after 64 stops");
}

/* Puts back the bytes and registers (at_exit: after the failed execve
 * returned; else still at the entry stop, where the saved entry state
 * lets the original syscall go on). Returns 0 or -errno. */
static int restore(struct ptx *x, bool at_exit)
{
	int rc = 0, r;
	if (x->mem_written &&
	    (r = mem_io(x, true, x->plan.mem_addr, x->saved_mem, x->plan.mem_len)))
		rc = r;
	if (x->regs_set || at_exit) {
		r = at_exit ? set_regs(x, &x->plan.restore, x->plan.restore_nr)
			    : set_regs(x, &x->entry, ptp_nr(HOST_ARCH, &x->entry));
		rc = rc ? rc : r;
	}
	x->rep->restored = x->mem_written || x->regs_set;
	return rc;
}

/* Resume after setting the execve registers: PTRACE_EVENT_EXEC is
 * success, a syscall-exit stop is the failed execve's return. */
static int run_exec(struct ptx *x, bool *at_exit)
{
	int st, rc;
	if (xptrace(PTRACE_SYSCALL, x->pid, NULL, NULL))
		return say(x, "exec", errno, "PTRACE_SYSCALL: %s", strerror(errno));
	for (int i = 0; i < 64; i++) {
		if ((rc = wait_stop(x, &st)))
			return say(x, "exec", rc, "waiting for execve: %s", strerror(-rc));
		int s = WSTOPSIG(st), ev = st >> 16, sig = 0;
		if (ev == PTRACE_EVENT_EXEC)
			return 0;
		if (s == SYSGOOD_TRAP) {
			struct ptp_regs r;
			*at_exit = true;
			if ((rc = get_regs(x, &r)))
				return say(x, "exec", rc, "registers after execve: %s",
					   strerror(-rc));
			int64_t ret = ptp_retval(HOST_ARCH, &r);
			rc = ret < 0 && ret > -4096 ? (int)ret : -EIO;
			return say(x, "exec", rc, "execve in PID %d returned: %s", (int)x->pid,
				   strerror(-rc));
		}
		if (!ev && s != SIGTRAP && x->nsigs < MAX_SIGS)
			x->sigs[x->nsigs++] = s; /* held back, re-sent after the restore */
		if (xptrace(PTRACE_SYSCALL, x->pid, NULL, (void *)(uintptr_t)sig))
			return say(x, "exec", errno, "PTRACE_SYSCALL: %s", strerror(errno));
	}
	return say(x, "exec", ETIMEDOUT, "execve did not finish");
}

/* Plan, write the scratch bytes, set the registers (the steps between
 * the entry stop and the resume). */
static int prepare(struct ptx *x, const char *path, const char *const *argv,
		   const char *const *envp, enum ptx_fault fault)
{
	const char *why;
	int rc;
	struct ptp_input in = {.arch = HOST_ARCH, .path = path, .argv = argv, .envp = envp};
	if ((rc = get_regs(x, &x->entry)))
		return say(x, "regs", rc, "PTRACE_GETREGSET: %s", strerror(-rc));
	x->rep->entry_nr = (long)ptp_nr(HOST_ARCH, &x->entry);
	if (fault == PTX_FAULT_REGS)
		return say(x, "regs", EIO, "registers read (LIFEBOAT_FAULT=ptrace-regs)");
	in.entry = x->entry;
	if ((rc = ptp_build(&in, &x->plan, &why)))
		return say(x, "plan", rc, "%s", why);
	if ((rc = mem_io(x, false, x->plan.mem_addr, x->saved_mem, x->plan.mem_len)))
		return say(x, "mem", rc, "reading %zu bytes at %#llx: %s", x->plan.mem_len,
			   (unsigned long long)x->plan.mem_addr, strerror(-rc));
	x->mem_written = true; /* a partial write is restored too */
	if ((rc = mem_io(x, true, x->plan.mem_addr, x->plan.mem, x->plan.mem_len)))
		return say(x, "mem", rc, "writing %zu bytes at %#llx: %s", x->plan.mem_len,
			   (unsigned long long)x->plan.mem_addr, strerror(-rc));
	if (fault == PTX_FAULT_MEM)
		return say(x, "mem", EIO, "scratch written (LIFEBOAT_FAULT=ptrace-mem)");
	x->regs_set = true;
	if ((rc = set_regs(x, &x->plan.run, x->plan.run_nr)))
		return say(x, "setregs", rc, "PTRACE_SETREGSET: %s", strerror(-rc));
	if (fault == PTX_FAULT_SETREGS)
		return say(x, "setregs", EIO, "registers set (LIFEBOAT_FAULT=ptrace-setregs)");
	return 0;
}

static int seize(pid_t pid)
{
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
	return ptrace(PTRACE_SEIZE, pid, NULL, (void *)opts) ? -errno : 0;
}

int ptx_exec(pid_t pid, const char *path, const char *const *argv, const char *const *envp,
	     enum ptx_fault fault, unsigned timeout_ms, struct ptx_report *rep)
{
	static struct ptx x; /* large (saved bytes); one takeover per process */
	char mp[64], bad[4096];
	bool at_exit = false;
	int rc;
	memset(&x, 0, sizeof x);
	memset(rep, 0, sizeof *rep);
	rep->entry_nr = -1;
	x.pid = pid;
	x.rep = rep;
	x.timeout_ms = timeout_ms;
	if (!HOST_OK)
		return say(&x, "attach", ENOSYS, "ptrace re-exec: x86_64 and aarch64 only");
	if (fault == PTX_FAULT_ATTACH)
		return say(&x, "attach", EPERM, "PTRACE_SEIZE: %s (LIFEBOAT_FAULT=ptrace-attach)",
			   strerror(EPERM));
	if ((rc = seize(pid)))
		return say(&x, "attach", rc, "PTRACE_SEIZE of PID %d: %s", (int)pid, strerror(-rc));
	snprintf(mp, sizeof mp, "/proc/%d/mem", (int)pid);
	if ((x.mem_fd = open(mp, O_RDWR | O_CLOEXEC)) < 0)
		rc = say(&x, "attach", errno, "%s: %s", mp, strerror(errno));
	else if (!(rc = reach_entry(&x)) && fault == PTX_FAULT_STOP)
		rc = say(&x, "stop", EIO, "at a syscall entry (LIFEBOAT_FAULT=ptrace-stop)");
	if (!rc && fault == PTX_FAULT_EXEC) {
		/* A real failure of the kernel's execve: the path is missing. */
		snprintf(bad, sizeof bad, "%s.lifeboat-fault-missing", path);
		path = bad;
	}
	if (!rc && !(rc = prepare(&x, path, argv, envp, fault)) && !(rc = run_exec(&x, &at_exit))) {
		close(x.mem_fd);
		xptrace(PTRACE_DETACH, pid, NULL, NULL);
		return 0;
	}
	if (x.mem_fd >= 0) {
		int r = restore(&x, at_exit);
		if (r)
			snprintf(rep->detail + strlen(rep->detail),
				 sizeof rep->detail - strlen(rep->detail), "; restore failed: %s",
				 strerror(-r));
		close(x.mem_fd);
	}
	xptrace(PTRACE_DETACH, pid, NULL, NULL);
	for (int i = 0; i < x.nsigs; i++)
		kill(pid, x.sigs[i]);
	rep->signals = x.nsigs;
	return rc;
}

int ptx_probe(pid_t pid)
{
	int st;
	if (!HOST_OK)
		return -ENOSYS;
	/* PTRACE_DETACH needs a stopped tracee; a tracer that exits detaches
	 * from a running one without stopping it. So a child tries. */
	pid_t c = fork();
	if (c < 0)
		return -errno;
	if (c == 0)
		_exit(-seize(pid) & 0xff);
	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? -WEXITSTATUS(st) : -EIO;
}
