/* plan: what a takeover does, as data (pure).
 *
 * - the takeover plan: a list of typed steps with their parameters, built
 *   by plan_build() from what stage 0 observed (plus the refusals), printed
 *   by plan_print() for --dry-run and run step by step by stage 0;
 * - the rescue state: the options and facts stage 0 hands to the PID 1
 *   side, as plain key=value lines in a file on the rescue tmpfs;
 * - which API filesystems move into the RAM root (/dev /proc /sys /run);
 * - which mounts are unmounted, in which order (children before parents,
 *   later-stacked before earlier). */
#ifndef LIFEBOAT_RESCUE_PLAN_H
#define LIFEBOAT_RESCUE_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "rescue/inits.h"
#include "rescue/mountinfo.h"

#define RESCUE_DIR "/run/lifeboat-rescue"    /* the RAM root while stage 0 runs */
#define RESCUE_STATE "/lifeboat/state"	     /* relative to the RAM root */
#define RESCUE_SELF "/lifeboat/lifeboat"     /* our own copy inside the RAM root */
#define RESCUE_CONFIRM "/lifeboat/confirmed" /* written by lifeboat confirm */
#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"

enum then_action { THEN_SHELL, THEN_REBOOT, THEN_POWEROFF, THEN_RETURN, THEN_SWITCH, THEN_KEXEC };

struct rescue_state {
	uint64_t start_ms; /* CLOCK_BOOTTIME when takeover started */
	/* Validity: the boot this file was written in, and the CLOCK_BOOTTIME
	 * by which PID 1 must have entered the init role (0: none). A file
	 * from another boot or past its deadline is a leftover, never acted on. */
	char boot_id[40];
	uint64_t deadline_ms;
	char init_name[32];	  /* detected old init, e.g. "systemd" */
	char init_path[PATH_MAX]; /* the original init binary, exec'd on return */
	char console[PATH_MAX];
	char run[1024]; /* --run command, "" for none */
	enum then_action then;
	char switch_to[PATH_MAX];
	unsigned grace_s;
	unsigned revert_after_s;   /* 0: no dead-man switch */
	unsigned ssh_port;	   /* 0: none */
	char ssh_server[PATH_MAX]; /* path inside the RAM root */
	char busybox[PATH_MAX];	   /* path inside the RAM root, "" if none */
	/* The old root, to mount it again on return. */
	char root_source[PATH_MAX];
	char root_fstype[64];
	char root_opts[1024];
	unsigned root_major, root_minor; /* to make a device node if the path is gone */
	/* --image/--then kexec (rescue/image, rescue/kexec); "" when unused. */
	char image[1024];	     /* path or http:// URL */
	char image_target[PATH_MAX]; /* the disk written */
	char image_sha256[72];	     /* 64 hex digits or "" */
	char kexec_kernel[PATH_MAX]; /* in the RAM root, or in the written root with --image */
	char kexec_initrd[PATH_MAX];
	char kexec_cmdline[1024];
};

const char *plan_then_name(enum then_action a);
/* Returns 0 and sets *a, or -EINVAL for an unknown name. */
int plan_then_parse(const char *name, enum then_action *a);

/* Formats s as key=value lines into out. Returns the length, -ENOBUFS when
 * it does not fit, -EINVAL when a value holds a newline. */
int plan_state_format(const struct rescue_state *s, char *out, size_t cap);
/* Parses key=value lines (unknown keys are ignored so that a newer stage 0
 * can talk to an older init). Returns 0 or -EBADMSG. Unset keys keep the
 * defaults plan_state_init() set. */
int plan_state_parse(const char *text, size_t len, struct rescue_state *s);
void plan_state_init(struct rescue_state *s);

/* Why a state file must not be acted on: written in another boot (boot_id
 * differs; both known) or its deadline (CLOCK_BOOTTIME ms) has passed.
 * Returns NULL when it is still valid, else a short reason. */
const char *plan_state_stale(const struct rescue_state *s, const char *boot_id_now,
			     uint64_t boottime_now_ms);

/* The API filesystems that move into the RAM root, in move order. */
extern const char *const plan_api_mounts[4];

/* Fills out (capacity cap) with the mounts at or beneath prefix, ordered so
 * that each comes before the mount it sits on: deeper paths first, and among
 * mounts stacked on one path the later one first. skip (may be NULL) names
 * subtrees to leave out. Returns the count, or -ENOBUFS. */
int plan_unmount_order(const struct mnt_table *t, const char *prefix, const char *const *skip,
		       size_t nskip, const struct mnt_entry **out, size_t cap);

/* RAM the rescue root needs for carried bytes: the bytes plus slack for
 * the state, logs and tmpfs metadata. */
uint64_t plan_ram_needed(uint64_t carried_bytes);

/* ---- the takeover plan ---- */

/* What --switch-to names. */
enum plan_sw_kind { PLAN_SW_NONE, PLAN_SW_DIR, PLAN_SW_TAR, PLAN_SW_BLOCK, PLAN_SW_IMAGE };

/* --reexec: how PID 1 is made to run lifeboat. */
enum plan_reexec {
	PLAN_REEXEC_AUTO,   /* the init's own way; ptrace for inits without one */
	PLAN_REEXEC_PTRACE, /* ptrace whatever the init */
	PLAN_REEXEC_NONE,   /* never ptrace: inits without their own way are refused */
};
const char *plan_reexec_name(enum plan_reexec r);
int plan_reexec_parse(const char *name, enum plan_reexec *r);

/* The preflight of the ptrace re-exec: what could forbid it. */
struct plan_ptrace_obs {
	int yama;	     /* /proc/sys/kernel/yama/ptrace_scope, -1: no Yama */
	bool cap_sys_ptrace; /* in our effective set */
	int probe;	     /* PTRACE_SEIZE + DETACH of PID 1: 0 or -errno */
	int self_seccomp;    /* Seccomp: of /proc/self/status (0 off, 1 strict, 2 filter, -1 ?) */
	int pid1_seccomp;    /* the same for PID 1 */
	bool same_mntns;     /* PID 1 sees our mounts (the RAM root) */
	const char *lsm;     /* our LSM label (/proc/self/attr/current), "" none */
	bool arch_ok;	     /* x86_64 or aarch64 */
};

/* Everything stage 0 observed: the only input of plan_build(), which reads
 * nothing of the system itself. Strings are never NULL unless said. */
struct plan_obs {
	const struct rescue_state *st;	/* the options (run, then, ssh, console, ...) */
	const struct init_info *init;	/* inits_detect() of PID 1 */
	const char *exe, *comm, *argv0; /* what PID 1 shows */
	const char *bind_target;	/* the real file the init re-executes, "" unknown */
	bool root;			/* effective uid 0 */
	bool cap_sys_admin;		/* in the effective set */
	bool no_cap_sys_boot;		/* CAP_SYS_BOOT missing from the effective set */
	int mount_probe;		/* a test tmpfs mount: 0 or -errno */
	int leftover_state;		/* leftover_state_read(): 0 valid, -ESTALE, -errno */
	const char *leftover_stale_why; /* its reason for -ESTALE (may be NULL) */
	size_t leftover_mounts;		/* mounts of the rescue tmpfs found */
	const struct mnt_table *mounts; /* our mount table */
	uint64_t mem_avail;		/* MemAvailable in bytes, 0 unknown */
	/* The dry run of the copy into the RAM root. */
	size_t carried_files;
	uint64_t carried_bytes;
	const char (*carried)[128]; /* carried_files destination paths (struct carry) */
	const char *carry_err;	    /* "" or why something cannot be carried */
	/* --switch-to (st->switch_to): stat() result, and an init if a dir. */
	int sw_err;	/* 0 or -errno of stat() */
	mode_t sw_mode; /* st_mode when sw_err is 0 */
	bool sw_has_init;
	const char *busybox; /* static busybox to carry, NULL: none */
	const char *ssh_src; /* the ssh server to carry, "" none found */
	enum plan_reexec reexec;
	struct plan_ptrace_obs pt;
	/* --image / --then kexec refusals found by stage 0 (rescue/image.c and
	 * kexec.c checks), each copied as it is. */
	const char *const *image_refusals;
	size_t n_image_refusals;
};

/* The steps in the order they run; the first six are stage 0's, the rest
 * are what PID 1 does with the state file (printed, run by pid1.c). */
enum plan_step_kind {
	PLAN_CLEAN_LEFTOVERS, /* unmount what an earlier takeover left */
	PLAN_RAM_ROOT,	      /* tmpfs at RESCUE_DIR, the carried files, busybox links */
	PLAN_MOUNT_NEWROOT,   /* the --switch-to root at RESCUE_DIR NEWROOT */
	PLAN_WRITE_STATE,     /* the state file PID 1 reads */
	PLAN_BIND,	      /* the substitute (busybox: an inittab) over the init's file */
	PLAN_TRIGGER,	      /* make PID 1 re-execute; wait until it runs us */
	PLAN_MOVE_API,	      /* PID 1: /dev /proc /sys /run into the RAM root */
	PLAN_STOP,	      /* PID 1: stop the old userland, swap off, detach loops */
	PLAN_UNMOUNT,	      /* PID 1: unmount the old root, deepest first */
	PLAN_THEN,	      /* PID 1: --run, then the action */
};

struct plan_step {
	enum plan_step_kind kind;
	union {
		struct {
			size_t mounts;
			const char *why; /* why the old state is not live */
		} leftovers;
		struct {
			const char *dir;
			size_t files;
			uint64_t bytes;
			bool busybox_links;
		} ram;
		struct {
			const char *from;
			enum plan_sw_kind kind;
		} newroot;
		struct {
			const char *source; /* path of what is bound */
			const char *target;
			const char *selftest; /* the path whose exec must run us */
			bool inittab;	      /* busybox: an inittab, not the binary */
		} bind;
		struct {
			enum reexec_method method;
			const char *name;
		} trigger;
		struct {
			const char *fs[4];
			size_t n;
		} api;
		struct {
			unsigned grace_s;
			bool spare_ssh;
		} stop;
		struct {
			const struct mnt_entry **order; /* owned by the plan */
			size_t n;
		} unmount;
		struct {
			enum then_action then;
			const char *run; /* "" none */
			unsigned revert_after_s;
		} then;
	} u;
};

#define PLAN_MAX_STEPS 10
#define PLAN_MAX_REFUSALS 16

struct plan {
	const struct plan_obs *obs; /* the facts the printout names */
	struct plan_step step[PLAN_MAX_STEPS];
	size_t n;
	uint64_t ram_needed;
	bool ptrace; /* the re-exec is the ptrace one (no bind) */
	char refusal[PLAN_MAX_REFUSALS][256];
	size_t nref; /* 0: stage 0 may go ahead */
};

/* Builds the plan and its refusals from o (which must outlive p). Returns
 * 0 or -ENOMEM; free with plan_free(). */
int plan_build(const struct plan_obs *o, struct plan *p);
void plan_free(struct plan *p);
/* The step of kind k, NULL when the plan has none. */
const struct plan_step *plan_find(const struct plan *p, enum plan_step_kind k);
/* True for the steps stage 0 runs (the rest are PID 1's). */
bool plan_step_is_stage0(enum plan_step_kind k);
/* The --dry-run text: the plan, then one "refused:" line per refusal.
 * Exit status of takeover (also --dry-run): 0 would proceed / proceeded,
 * PLAN_EXIT_REFUSED refused before changing anything (as a real run
 * that refuses; a real run that fails later exits 1 too), 2 bad command line. */
#define PLAN_EXIT_REFUSED 1
void plan_print(const struct plan *p, FILE *f);

#endif
