/* kexec: preflight (pure) and kexec_file_load + reboot. */
#include "rescue/kexec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_kexec_file_load
#define SYS_kexec_file_load 320 /* x86_64; aarch64 has 294 in its headers */
#endif
#define KEXEC_FILE_NO_INITRAMFS 0x4
#define RB_KEXEC_CMD 0x45584543

const char *kexec_forbidden(const char *load_disabled, const char *lockdown, bool have_kexec,
			    bool init_pidns, const char **warn)
{
	*warn = NULL;
	if (!init_pidns)
		return "not in the initial PID namespace (a container): kexec would replace the "
		       "host's kernel";
	if (!have_kexec)
		return "this kernel has no kexec (CONFIG_KEXEC_CORE: /sys/kernel/kexec_loaded "
		       "missing)";
	if (load_disabled && load_disabled[0] == '1')
		return "kexec is disabled (/proc/sys/kernel/kexec_load_disabled is 1, until "
		       "reboot)";
	if (lockdown) {
		const char *sel = strchr(lockdown, '[');
		if (sel &&
		    (!strncmp(sel, "[integrity]", 11) || !strncmp(sel, "[confidentiality]", 17)))
			*warn = "kernel lockdown is on: only kernels signed with a key the kernel "
				"trusts load (kexec_file_load signature check)";
	}
	return NULL;
}

static int read_text(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

const char *kexec_preflight(const char **warn)
{
	static char dis[16], lock[128];
	bool have = !access("/sys/kernel/kexec_loaded", F_OK);
	const char *d =
	    read_text("/proc/sys/kernel/kexec_load_disabled", dis, sizeof dis) ? NULL : dis;
	const char *l = read_text("/sys/kernel/security/lockdown", lock, sizeof lock) ? NULL : lock;
	struct stat st;
	/* PROC_PID_INIT_INO: the initial PID namespace's inode number. */
	bool init_ns = !stat("/proc/self/ns/pid", &st) && st.st_ino == 0xEFFFFFFCu;
	return kexec_forbidden(d, l, have, init_ns, warn);
}

int kexec_boot(const char *kernel, const char *initrd, const char *cmdline, char *why, size_t cap)
{
	int kfd = open(kernel, O_RDONLY | O_CLOEXEC), ifd = -1, rc = 0;
	unsigned long flags = 0;
	if (kfd < 0) {
		snprintf(why, cap, "open kernel %s: %s", kernel, strerror(errno));
		return -errno;
	}
	if (initrd && initrd[0]) {
		if ((ifd = open(initrd, O_RDONLY | O_CLOEXEC)) < 0) {
			rc = -errno;
			snprintf(why, cap, "open initrd %s: %s", initrd, strerror(errno));
			close(kfd);
			return rc;
		}
	} else {
		flags |= KEXEC_FILE_NO_INITRAMFS;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, flags)) {
		rc = -errno;
		snprintf(why, cap, "kexec_file_load %s: %s", kernel, strerror(errno));
	}
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	if (rc)
		return rc;
	sync();
	reboot(RB_KEXEC_CMD);
	rc = -errno;
	snprintf(why, cap, "reboot(LINUX_REBOOT_CMD_KEXEC): %s", strerror(errno));
	return rc;
}
