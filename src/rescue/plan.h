/* plan: what a takeover does, as data (pure).
 *
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

#include "rescue/mountinfo.h"

#define RESCUE_DIR "/run/lifeboat-rescue"    /* the RAM root while stage 0 runs */
#define RESCUE_STATE "/lifeboat/state"	     /* relative to the RAM root */
#define RESCUE_SELF "/lifeboat/lifeboat"     /* our own copy inside the RAM root */
#define RESCUE_CONFIRM "/lifeboat/confirmed" /* written by lifeboat confirm */
#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"

enum then_action { THEN_SHELL, THEN_REBOOT, THEN_POWEROFF, THEN_RETURN, THEN_SWITCH };

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

#endif
