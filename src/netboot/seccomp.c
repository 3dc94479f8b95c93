/* seccomp: once `serve` is bound, dropped and confined, an allow-list of the
 * syscalls its loop needs; anything else kills the process (see seccomp.h). */
#include "netboot/seccomp.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Kernel ABI (linux/filter.h, linux/seccomp.h, linux/audit.h): musl-gcc
 * does not see the kernel headers, and the ABI is stable, so define it. */
struct sc_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct sc_prog {
	unsigned short len;
	struct sc_insn *filter;
};
#define SC_LD_W_ABS 0x20u /* BPF_LD | BPF_W | BPF_ABS */
#define SC_JEQ_K 0x15u	  /* BPF_JMP | BPF_JEQ | BPF_K */
#define SC_JGE_K 0x35u	  /* BPF_JMP | BPF_JGE | BPF_K */
#define SC_RET_K 0x06u	  /* BPF_RET | BPF_K */
#define SC_RET_KILL_PROCESS 0x80000000u
#define SC_RET_ALLOW 0x7fff0000u
#define SC_SET_MODE_FILTER 1
#define SC_OFF_NR 0	  /* struct seccomp_data: int nr */
#define SC_OFF_ARCH 4	  /* __u32 arch */
#define SC_OFF_ARG1_LO 24 /* args[1], low half on little-endian */

#if defined(__x86_64__)
#define SC_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 */
#elif defined(__aarch64__)
#define SC_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 */
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SC_SANITIZER 1
#else
#define SC_SANITIZER 0
#endif

#ifdef SC_ARCH /* else (armhf, ...) no table: seccomp_install_serve says so */
/* What the running server calls: strace of the e2e tests after the drop
 * (t_bios_ipxe_kernel, t_robust_reload, t_grub_startup, ...), what the
 * SIGHUP reload's checks call (stat, access: serve_check_files, GRUB), and
 * the glibc spellings of the same (newfstatat, faccessat, getrandom). */
/* clang-format off */
static const int seccomp_serve_syscalls[] = {
    /* the loop, signalfd and timers (clock_* when the vDSO is missing) */
    SYS_epoll_pwait, SYS_epoll_ctl, SYS_clock_gettime, SYS_gettimeofday,
#ifdef SYS_epoll_wait
    SYS_epoll_wait,
#endif
#ifdef SYS_epoll_pwait2
    SYS_epoll_pwait2,
#endif
    SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_restart_syscall,
    /* sockets: DHCP, TFTP (a socket per transfer), HTTP; getifaddrs and
     * if_nametoindex on an interface change (netlink, AF_UNIX + ioctl) */
    SYS_socket, SYS_bind, SYS_connect, SYS_listen, SYS_accept4, SYS_shutdown,
    SYS_setsockopt, SYS_getsockopt, SYS_getsockname, SYS_getpeername, SYS_recvfrom,
    SYS_recvmsg, SYS_recvmmsg, SYS_sendto, SYS_sendmsg, SYS_sendmmsg, SYS_sendfile,
    /* files beneath the served trees (Landlock limits which), reloads */
    SYS_openat, SYS_openat2, SYS_close, SYS_read, SYS_readv, SYS_pread64, SYS_write,
    SYS_writev, SYS_lseek, SYS_fstat, SYS_newfstatat, SYS_statx, SYS_getdents64,
    SYS_readlinkat, SYS_fcntl, SYS_dup, SYS_dup3, SYS_faccessat,
#ifdef SYS_faccessat2
    SYS_faccessat2,
#endif
#ifdef SYS_open
    SYS_open, SYS_stat, SYS_lstat, SYS_readlink, SYS_dup2, SYS_access,
#endif
#ifdef SYS_time
    SYS_time,
#endif
    /* full DHCP's lease file: temporary file, fsync, rename over, remove a
     * failed one (Landlock: only beneath the lease directory) */
    SYS_fsync, SYS_fdatasync, SYS_unlinkat,
#ifdef SYS_renameat
    SYS_renameat,
#endif
#ifdef SYS_renameat2
    SYS_renameat2,
#endif
    /* memory: malloc (musl and glibc) */
    SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_madvise, SYS_mprotect,
    /* the log line (pid), glibc's locks, the end */
    SYS_getpid, SYS_gettid, SYS_futex, SYS_getrandom, SYS_exit, SYS_exit_group,
    /* serve as PID 1 (a container entrypoint) reaps orphans: SIGCHLD, waitpid */
    SYS_wait4, SYS_waitid,
    SYS_ioctl, /* only the requests below */
};

/* Reading interface facts and terminal state only: no TIOCSTI, no SIOCS*. */
static const uint32_t seccomp_serve_ioctls[] = {
    SIOCGIFMTU, SIOCGIFINDEX, SIOCGIFHWADDR, SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFCONF,
    FIONREAD, FIONBIO, FIOCLEX, TIOCGWINSZ, TCGETS,
};
/* clang-format on */

#define SC_N_SYS (sizeof seccomp_serve_syscalls / sizeof seccomp_serve_syscalls[0])
#define SC_N_IOCTL (sizeof seccomp_serve_ioctls / sizeof seccomp_serve_ioctls[0])
/* arch check (3), x32 check (2), nr (1), two per syscall, ioctl block */
#define SC_MAX_INSNS (8 + 2 * SC_N_SYS + 2 * SC_N_IOCTL + 2)

static void sc_put(struct sc_insn *p, size_t *n, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	p[*n] = (struct sc_insn){.code = code, .jt = jt, .jf = jf, .k = k};
	(*n)++;
}

/* Builds: wrong arch -> kill; x32 -> kill; nr in the list -> allow (ioctl
 * only with a listed request); else kill. Two instructions per entry keep
 * every jump short. Returns the instruction count. */
static size_t seccomp_build(struct sc_insn *p)
{
	size_t n = 0;
	sc_put(p, &n, SC_LD_W_ABS, SC_OFF_ARCH, 0, 0);
	sc_put(p, &n, SC_JEQ_K, SC_ARCH, 1, 0);
	sc_put(p, &n, SC_RET_K, SC_RET_KILL_PROCESS, 0, 0);
	sc_put(p, &n, SC_LD_W_ABS, SC_OFF_NR, 0, 0);
#if defined(__x86_64__)
	/* x32 syscalls share the arch value: refuse the whole range */
	sc_put(p, &n, SC_JGE_K, 0x40000000u, 0, 1);
	sc_put(p, &n, SC_RET_K, SC_RET_KILL_PROCESS, 0, 0);
#endif
	for (size_t i = 0; i < SC_N_SYS; i++) {
		if (seccomp_serve_syscalls[i] == SYS_ioctl)
			continue;
		sc_put(p, &n, SC_JEQ_K, (uint32_t)seccomp_serve_syscalls[i], 0, 1);
		sc_put(p, &n, SC_RET_K, SC_RET_ALLOW, 0, 0);
	}
	sc_put(p, &n, SC_JEQ_K, SYS_ioctl, 1, 0);
	sc_put(p, &n, SC_RET_K, SC_RET_KILL_PROCESS, 0, 0);
	/* the request is an unsigned int: the low half of args[1] is all */
	sc_put(p, &n, SC_LD_W_ABS, SC_OFF_ARG1_LO, 0, 0);
	for (size_t i = 0; i < SC_N_IOCTL; i++) {
		sc_put(p, &n, SC_JEQ_K, seccomp_serve_ioctls[i], 0, 1);
		sc_put(p, &n, SC_RET_K, SC_RET_ALLOW, 0, 0);
	}
	sc_put(p, &n, SC_RET_K, SC_RET_KILL_PROCESS, 0, 0);
	return n;
}
#endif

int seccomp_install_serve(void)
{
#ifndef SC_ARCH
	return -EOPNOTSUPP;
#else
	struct sc_insn insns[SC_MAX_INSNS];
	struct sc_prog prog = {.len = (unsigned short)seccomp_build(insns), .filter = insns};
	/* the kernel refuses a filter from a process that could gain
	 * privileges by exec; priv_drop set this already when root */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SC_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return (int)SC_N_SYS;
#endif
}

int seccomp_serve(void)
{
	if (SC_SANITIZER)
		return -ECANCELED;
	return seccomp_install_serve();
}

const char *seccomp_strerror(int err)
{
	switch (err) {
	case -ECANCELED:
		return "sanitizer build: ASan/LSan need syscalls beyond the list";
	case -EOPNOTSUPP:
		return "no syscall table for this architecture";
	case -EINVAL:
		return "kernel without seccomp filters (CONFIG_SECCOMP_FILTER)";
	case -ENOSYS:
		return "no seccomp system call (an emulator such as qemu-user)";
	default:
		return strerror(-err);
	}
}
