/* seccomp: a syscall allow-list for `lifeboat serve` once start-up is done
 * (sockets bound, root dropped, Landlock applied), like the privsep daemons
 * of OpenBSD. Anything outside the list (execve, ptrace, mount, ...) kills
 * the whole process with SIGSYS; the kernel logs the syscall number (audit
 * type=1326 in dmesg). x86_64 and aarch64; other architectures run
 * without it. */
#ifndef LIFEBOAT_NETBOOT_SECCOMP_H
#define LIFEBOAT_NETBOOT_SECCOMP_H

/* Installs the filter on this process (sets no_new_privs). Returns the
 * number of syscalls allowed (> 0), -EOPNOTSUPP (no table for this
 * architecture), -EINVAL (kernel without seccomp filters) or -errno. */
int seccomp_install_serve(void);

/* What serve calls: seccomp_install_serve(), except in sanitizer builds,
 * where it returns -ECANCELED and installs nothing (ASan and LeakSanitizer
 * need syscalls no server needs: sigaltstack, ptrace for the leak check,
 * clone, ...). */
int seccomp_serve(void);

/* Why seccomp_serve() installed nothing, for a log line. */
const char *seccomp_strerror(int err);

#endif
