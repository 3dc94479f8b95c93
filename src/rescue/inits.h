/* inits: which init runs as PID 1 and how to make it re-execute (pure).
 *
 * A table maps what /proc/1/exe, /proc/1/comm and argv[0] of PID 1 show to
 * an init kind, the method that makes it exec a new binary as PID 1, and the
 * path it will exec (the path the substitute must be bound over). */
#ifndef LIFEBOAT_RESCUE_INITS_H
#define LIFEBOAT_RESCUE_INITS_H

#include <stddef.h>
#include <stdint.h>

enum init_kind {
	INIT_UNKNOWN,
	INIT_SYSTEMD,
	INIT_SYSVINIT,
	INIT_OPENRC,
	INIT_BUSYBOX,
	INIT_RUNIT,    /* runit (Debian runit-init): no re-exec, ptrace */
	INIT_S6,       /* s6-svscan: ptrace */
	INIT_LIFEBOAT, /* a takeover already happened */
};

enum reexec_method {
	REEXEC_NONE,
	REEXEC_SYSTEMCTL,	/* systemctl daemon-reexec; exec of the compiled-in path */
	REEXEC_INITCTL,		/* init_request 'U' written to /run/initctl */
	REEXEC_OPENRC,		/* openrc-shutdown --reexec; execlp(argv0) */
	REEXEC_BUSYBOX_INITTAB, /* inittab with only ::restart: bound over, HUP then QUIT */
	REEXEC_PTRACE,		/* PID 1 made to call execve itself (ptrace_exec) */
};

struct init_info {
	enum init_kind kind;
	const char *name; /* "systemd", "sysvinit", "openrc-init", "busybox" */
	enum reexec_method method;
	const char *method_name;
	/* The path the init will exec on re-exec; NULL means "argv[0] of PID 1"
	 * (openrc) or "none: no bind, inittab instead" (busybox). */
	const char *exec_path;
};

/* Classifies PID 1 from the target of /proc/1/exe (a " (deleted)" suffix is
 * ignored), /proc/1/comm and argv[0] of /proc/1/cmdline (either may be "").
 * Returns the matching table row; kind INIT_UNKNOWN when nothing matches. */
const struct init_info *inits_detect(const char *exe, const char *comm, const char *argv0);

/* The inits with a native re-exec: for refusal messages. */
const char *inits_supported(void);

#define INITCTL_REQUEST_SIZE 384
/* Fills the sysvinit struct init_request asking for runlevel 'U' (re-exec):
 * magic 0x03091969, cmd 1, runlevel 'U', sleeptime 0, rest zero; host byte
 * order as init reads it with read(2). */
void inits_initctl_request(uint8_t out[INITCTL_REQUEST_SIZE]);

/* Writes the busybox inittab that makes busybox init exec substitute on
 * SIGQUIT. Returns its length, or -ENOBUFS when cap is too small or the path
 * holds characters busybox would hand to a shell. */
int inits_busybox_inittab(char *out, size_t cap, const char *substitute);

#endif
