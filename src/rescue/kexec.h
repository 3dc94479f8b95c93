/* kexec: `takeover --then kexec [--kernel F --initrd F --cmdline S]`:
 * boot another kernel without the firmware (kexec_file_load, then
 * reboot(LINUX_REBOOT_CMD_KEXEC)). What forbids it is decided by a pure
 * function from the kernel's own files (tests/unit/test_kexec.c); the
 * doer loads and reboots. */
#ifndef LIFEBOAT_RESCUE_KEXEC_H
#define LIFEBOAT_RESCUE_KEXEC_H

#include <stdbool.h>
#include <stddef.h>

/* Why this kernel refuses kexec_file_load, or NULL: load_disabled is the
 * text of /proc/sys/kernel/kexec_load_disabled (NULL: unreadable),
 * lockdown that of /sys/kernel/security/lockdown (NULL: no lockdown LSM),
 * have_kexec whether /sys/kernel/kexec_loaded exists (CONFIG_KEXEC_CORE),
 * init_pidns whether we run in the initial PID namespace (a container
 * must not load a kernel for the whole host).
 * A lockdown in integrity/confidentiality mode lets only signed kernels in:
 * *warn then names that (not a refusal: a signed kernel still loads). */
const char *kexec_forbidden(const char *load_disabled, const char *lockdown, bool have_kexec,
			    bool init_pidns, const char **warn);

/* Reads the three files and calls kexec_forbidden(). */
const char *kexec_preflight(const char **warn);

/* Loads kernel (+ initrd, "" none) with cmdline and reboots into it. Returns
 * only on failure: -errno, with the failing step in why. */
int kexec_boot(const char *kernel, const char *initrd, const char *cmdline, char *why, size_t cap);

#endif
