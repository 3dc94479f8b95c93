#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "rescue/plan.h"

#define VEC LIFEBOAT_SRCDIR "/tests/vectors/mountinfo/"

static void test_state_roundtrip(void **state)
{
	(void)state;
	struct rescue_state a, b;
	char buf[16384];
	plan_state_init(&a);
	a.start_ms = 18446744073709551615ull;
	snprintf(a.init_name, sizeof a.init_name, "systemd");
	snprintf(a.init_path, sizeof a.init_path, "/usr/lib/systemd/systemd");
	snprintf(a.run, sizeof a.run, "e2fsck -f -y /dev/vda && echo a=b c");
	a.then = THEN_RETURN;
	a.grace_s = 7;
	a.revert_after_s = 300;
	a.ssh_port = 2222;
	snprintf(a.root_opts, sizeof a.root_opts, "rw,relatime,errors=remount-ro");
	a.root_major = 254;
	int n = plan_state_format(&a, buf, sizeof buf);
	assert_true(n > 0);
	plan_state_init(&b);
	assert_int_equal(plan_state_parse(buf, (size_t)n, &b), 0);
	assert_memory_equal(&a, &b, sizeof a);
	/* too small a buffer */
	assert_int_equal(plan_state_format(&a, buf, 40), -ENOBUFS);
	/* a newline in a value would smuggle in a key */
	snprintf(a.run, sizeof a.run, "x\nthen=reboot");
	assert_int_equal(plan_state_format(&a, buf, sizeof buf), -EINVAL);
}

static void test_state_parse_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
	} v[] = {
	    {"grace=3\n", 0},
	    {"# comment\n\nunknown_key=whatever\n", 0},
	    {"grace=\n", -EBADMSG},
	    {"grace=-1\n", -EBADMSG},
	    {"grace=4294967296\n", -EBADMSG},
	    {"start_ms=18446744073709551616\n", -EBADMSG},
	    {"then=dance\n", -EBADMSG},
	    {"=x\n", -EBADMSG},
	    {"noequals\n", -EBADMSG},
	    {"init_name=0123456789012345678901234567890123456789\n", -EBADMSG},
	    {"then=poweroff", 0},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct rescue_state s;
		plan_state_init(&s);
		int rc = plan_state_parse(v[i].in, strlen(v[i].in), &s);
		if (rc != v[i].rc)
			fail_msg("vector %zu (%s): rc %d want %d", i, v[i].in, rc, v[i].rc);
	}
	struct rescue_state s;
	plan_state_init(&s);
	assert_int_equal(s.grace_s, 5);
	assert_string_equal(s.console, "/dev/console");
	assert_int_equal(plan_state_parse("then=poweroff\ngrace=9", 21, &s), 0);
	assert_int_equal(s.then, THEN_POWEROFF);
	assert_int_equal(s.grace_s, 9);
	const char nul[] = "run=a\0b\n";
	assert_int_equal(plan_state_parse(nul, sizeof nul - 1, &s), -EBADMSG);
}

static void test_then_names(void **state)
{
	(void)state;
	static const char *const names[] = {"shell", "reboot", "poweroff", "return", "switch"};
	for (size_t i = 0; i < 5; i++) {
		enum then_action a;
		assert_int_equal(plan_then_parse(names[i], &a), 0);
		assert_string_equal(plan_then_name(a), names[i]);
	}
	enum then_action a;
	assert_int_equal(plan_then_parse("Shell", &a), -EINVAL);
}

/* Every mount comes before the mount it sits on (its parent). */
static void assert_children_first(const struct mnt_entry **o, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (o[i]->parent == o[j]->id)
				continue; /* child before parent: fine */
			else if (o[j]->parent == o[i]->id)
				fail_msg("%s (id %d) listed before its child %s", o[i]->target,
					 o[i]->id, o[j]->target);
}

static void test_unmount_order_debian(void **state)
{
	(void)state;
	struct mnt_table t;
	const struct mnt_entry *o[64];
	const char *skip[] = {"/dev", "/proc", "/sys", "/run"};
	assert_int_equal(mountinfo_load(VEC "debian12-systemd.txt", &t), 0);
	int n = plan_unmount_order(&t, "/", skip, 4, o, 64);
	/* / , /srv/my data, its tmp, /mnt/bind twice, overlay */
	assert_int_equal(n, 6);
	assert_children_first(o, n);
	assert_string_equal(o[n - 1]->target, "/");
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < 4; k++)
			assert_false(mountinfo_path_under(o[i]->target, skip[k]));
	/* the stacked mount on /mnt/bind (id 55) goes before id 52 */
	int i55 = -1, i52 = -1;
	for (int i = 0; i < n; i++) {
		if (o[i]->id == 55)
			i55 = i;
		if (o[i]->id == 52)
			i52 = i;
	}
	assert_true(i55 >= 0 && i52 > i55);
	/* without skip everything is listed, children first */
	n = plan_unmount_order(&t, "/", NULL, 0, o, 64);
	assert_int_equal(n, (int)t.n);
	assert_children_first(o, n);
	/* too small an output */
	assert_int_equal(plan_unmount_order(&t, "/", NULL, 0, o, 3), -ENOBUFS);
	mountinfo_free(&t);
}

static void test_unmount_order_oldroot(void **state)
{
	(void)state;
	const char *mi = "1 0 0:30 / / rw - tmpfs rescue rw\n"
			 "2 1 254:0 / /oldroot rw - ext4 /dev/vda rw\n"
			 "3 2 254:16 / /oldroot/home rw - ext4 /dev/vdb rw\n"
			 "4 3 0:40 / /oldroot/home/a\\040b rw - tmpfs x rw\n"
			 "5 2 0:41 / /oldroot/var rw - tmpfs y rw\n"
			 "6 1 0:5 / /dev rw - devtmpfs udev rw\n"
			 "7 1 0:42 / /oldrootx rw - tmpfs z rw\n";
	struct mnt_table t;
	const struct mnt_entry *o[8];
	assert_int_equal(mountinfo_parse(mi, strlen(mi), &t), 0);
	int n = plan_unmount_order(&t, OLDROOT, NULL, 0, o, 8);
	assert_int_equal(n, 4);
	assert_string_equal(o[0]->target, "/oldroot/home/a b");
	assert_string_equal(o[n - 1]->target, "/oldroot");
	assert_children_first(o, n);
	mountinfo_free(&t);
}

static void test_ram(void **state)
{
	(void)state;
	assert_true(plan_ram_needed(0) > 0);
	assert_true(plan_ram_needed(100 << 20) > (100u << 20));
	assert_true(plan_ram_needed(200 << 20) > plan_ram_needed(100 << 20));
}

/* ---- plan_build: observations -> steps and refusals ---- */

#define MAXK 12
struct plan_row {
	const char *name;
	/* PID 1 as /proc shows it */
	const char *exe, *comm, *argv0;
	const char *bind_target;
	/* what differs from a healthy, root, busybox-carrying observation */
	bool not_root, no_cap, no_busybox, no_boot_cap;
	/* --reexec and the ptrace preflight (default: all clear) */
	enum plan_reexec reexec;
	int pt_probe, yama_plus1, self_seccomp;
	bool no_ptrace_cap, other_mntns;
	const char *lsm;
	int mount_probe, leftover_state;
	size_t leftover_mounts;
	uint64_t mem_avail;
	const char *carry_err;
	const char *switch_to;
	int sw_err;
	mode_t sw_mode;
	bool sw_has_init;
	unsigned ssh_port;
	const char *ssh_src;
	enum then_action then;
	/* expected */
	enum plan_step_kind steps[MAXK];
	size_t nsteps;
	const char *refusals[4]; /* substrings, in order; the count must match */
	enum reexec_method method;
	bool inittab;
};

#define S0 PLAN_RAM_ROOT, PLAN_WRITE_STATE, PLAN_BIND, PLAN_TRIGGER
#define P1 PLAN_MOVE_API, PLAN_STOP, PLAN_UNMOUNT, PLAN_THEN
/* The ptrace re-exec: no bind. */
#define S0P PLAN_RAM_ROOT, PLAN_WRITE_STATE, PLAN_TRIGGER

static const struct plan_row plan_rows[] = {
    {.name = "systemd",
     .exe = "/usr/lib/systemd/systemd",
     .comm = "systemd",
     .argv0 = "/sbin/init",
     .bind_target = "/usr/lib/systemd/systemd",
     .steps = {S0, P1},
     .nsteps = 8,
     .method = REEXEC_SYSTEMCTL},
    {.name = "sysvinit",
     .exe = "/sbin/init",
     .comm = "init",
     .argv0 = "/sbin/init",
     .bind_target = "/sbin/init",
     .steps = {S0, P1},
     .nsteps = 8,
     .method = REEXEC_INITCTL},
    {.name = "openrc",
     .exe = "/sbin/openrc-init",
     .comm = "openrc-init",
     .argv0 = "/sbin/openrc-init",
     .bind_target = "/sbin/openrc-init",
     .steps = {S0, P1},
     .nsteps = 8,
     .method = REEXEC_OPENRC},
    {.name = "busybox",
     .exe = "/bin/busybox",
     .comm = "init",
     .argv0 = "init",
     .bind_target = "/etc/inittab",
     .steps = {S0, P1},
     .nsteps = 8,
     .method = REEXEC_BUSYBOX_INITTAB,
     .inittab = true},
    {.name = "busybox, stale leftovers and a tar to switch to",
     .exe = "/bin/busybox",
     .comm = "init",
     .argv0 = "init",
     .bind_target = "/etc/inittab",
     .leftover_state = -ESTALE,
     .leftover_mounts = 2,
     .switch_to = "/srv/root.tar.gz",
     .sw_mode = S_IFREG | 0644,
     .then = THEN_SWITCH,
     .steps = {PLAN_CLEAN_LEFTOVERS, PLAN_RAM_ROOT, PLAN_MOUNT_NEWROOT, PLAN_WRITE_STATE, PLAN_BIND,
	       PLAN_TRIGGER, P1},
     .nsteps = 10,
     .method = REEXEC_BUSYBOX_INITTAB,
     .inittab = true},
    {.name = "a takeover in progress",
     .exe = "/sbin/init",
     .comm = "init",
     .argv0 = "/sbin/init",
     .bind_target = "/sbin/init",
     .leftover_state = 0,
     .leftover_mounts = 2,
     .steps = {S0, P1},
     .nsteps = 8,
     .refusals = {"holds the state of a takeover in progress"},
     .method = REEXEC_INITCTL},
    {.name = "unknown init (sleep), not root: ptrace, which cannot attach",
     .exe = "/usr/bin/sleep",
     .comm = "sleep",
     .argv0 = "sleep",
     .bind_target = "",
     .not_root = true,
     .mount_probe = -EPERM,
     .pt_probe = -EPERM,
     .no_ptrace_cap = true,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"not root", "mount blocked by seccomp/LSM",
		  "ptrace: attach to PID 1: Operation not permitted: no CAP_SYS_PTRACE"},
     .method = REEXEC_PTRACE},
    {.name = "unknown init, --reexec none",
     .exe = "/usr/bin/sleep",
     .comm = "sleep",
     .argv0 = "sleep",
     .bind_target = "",
     .reexec = PLAN_REEXEC_NONE,
     .steps = {S0, P1},
     .nsteps = 8,
     .refusals = {"unknown init (/proc/1/exe=/usr/bin/sleep) has no re-exec of its own and "
		  "--reexec none forbids ptrace; own re-exec: systemd, sysvinit, openrc-init, "
		  "busybox init"},
     .method = REEXEC_NONE},
    {.name = "runit: ptrace",
     .exe = "/sbin/runit",
     .comm = "runit",
     .argv0 = "runit",
     .bind_target = "",
     .steps = {S0P, P1},
     .nsteps = 7,
     .method = REEXEC_PTRACE},
    {.name = "runit, --reexec none",
     .exe = "/sbin/runit",
     .comm = "runit",
     .argv0 = "runit",
     .bind_target = "",
     .reexec = PLAN_REEXEC_NONE,
     .steps = {S0, P1},
     .nsteps = 8,
     .refusals = {"runit init (/proc/1/exe=/sbin/runit) has no re-exec of its own"},
     .method = REEXEC_PTRACE},
    {.name = "tini, Yama 3",
     .exe = "/usr/bin/tini",
     .comm = "tini",
     .argv0 = "/usr/bin/tini",
     .bind_target = "",
     .pt_probe = -EPERM,
     .yama_plus1 = 4,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"Yama ptrace_scope=3 forbids every ptrace attach until reboot"},
     .method = REEXEC_PTRACE},
    {.name = "tini, Yama 1 without CAP_SYS_PTRACE",
     .exe = "/usr/bin/tini",
     .comm = "tini",
     .argv0 = "/usr/bin/tini",
     .bind_target = "",
     .pt_probe = -EPERM,
     .yama_plus1 = 2,
     .no_ptrace_cap = true,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"Yama ptrace_scope=1 allows it only with CAP_SYS_PTRACE"},
     .method = REEXEC_PTRACE},
    {.name = "sleep under a seccomp filter",
     .exe = "/usr/bin/sleep",
     .comm = "sleep",
     .argv0 = "sleep",
     .bind_target = "",
     .pt_probe = -EPERM,
     .self_seccomp = 2,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"a seccomp filter is on this process (Seccomp: 2)"},
     .method = REEXEC_PTRACE},
    {.name = "sleep under an LSM, other mount namespace",
     .exe = "/usr/bin/sleep",
     .comm = "sleep",
     .argv0 = "sleep",
     .bind_target = "",
     .pt_probe = -EACCES,
     .lsm = "docker-default (enforce)",
     .other_mntns = true,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"PID 1 is in another mount namespace",
		  "Permission denied: the LSM (label docker-default (enforce)) may forbid it"},
     .method = REEXEC_PTRACE},
    {.name = "systemd, --reexec ptrace, no CAP_SYS_ADMIN, no busybox",
     .exe = "/usr/lib/systemd/systemd",
     .comm = "systemd",
     .argv0 = "/sbin/init",
     .bind_target = "/usr/lib/systemd/systemd",
     .no_cap = true,
     .reexec = PLAN_REEXEC_PTRACE,
     .no_busybox = true,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"no CAP_SYS_ADMIN", "no static busybox found"},
     .method = REEXEC_PTRACE},
    {.name = "carry error, switch without --switch-to, ssh without a server, low RAM",
     .exe = "/usr/lib/systemd/systemd",
     .comm = "systemd",
     .argv0 = "/sbin/init",
     .bind_target = "/usr/lib/systemd/systemd",
     .carry_err = "cannot carry /no/such/tool",
     .then = THEN_SWITCH,
     .ssh_port = 2222,
     .mem_avail = 1 << 20,
     .steps = {S0, P1},
     .nsteps = 8,
     .refusals = {"cannot carry /no/such/tool", "--then switch needs --switch-to",
		  "--ssh needs dropbear or sshd", "not enough RAM: need"},
     .method = REEXEC_SYSTEMCTL},
    {.name = "--switch-to a directory without an init",
     .exe = "/sbin/init",
     .comm = "init",
     .argv0 = "/sbin/init",
     .bind_target = "/sbin/init",
     .switch_to = "/srv/new",
     .sw_mode = S_IFDIR | 0755,
     .steps = {PLAN_RAM_ROOT, PLAN_MOUNT_NEWROOT, PLAN_WRITE_STATE, PLAN_BIND, PLAN_TRIGGER, P1},
     .nsteps = 9,
     .refusals = {"--switch-to /srv/new: no init"},
     .method = REEXEC_INITCTL},
    {.name = "--switch-to missing",
     .exe = "/sbin/init",
     .comm = "init",
     .argv0 = "/sbin/init",
     .bind_target = "/sbin/init",
     .switch_to = "/srv/none",
     .sw_err = -ENOENT,
     .steps = {PLAN_RAM_ROOT, PLAN_MOUNT_NEWROOT, PLAN_WRITE_STATE, PLAN_BIND, PLAN_TRIGGER, P1},
     .nsteps = 9,
     .refusals = {"--switch-to /srv/none: No such file or directory"},
     .method = REEXEC_INITCTL},
    {.name = "init path unresolved",
     .exe = "/usr/lib/systemd/systemd",
     .comm = "systemd",
     .argv0 = "/sbin/init",
     .bind_target = "",
     .steps = {S0, P1},
     .nsteps = 8,
     .refusals = {"cannot resolve the path the init re-executes"},
     .method = REEXEC_SYSTEMCTL},
    {.name = "tini, no CAP_SYS_BOOT, --then poweroff",
     .exe = "/usr/bin/tini",
     .comm = "tini",
     .argv0 = "/usr/bin/tini",
     .bind_target = "",
     .no_boot_cap = true,
     .then = THEN_POWEROFF,
     .steps = {S0P, P1},
     .nsteps = 7,
     .refusals = {"no CAP_SYS_BOOT in CapEff: --then poweroff would fail"},
     .method = REEXEC_PTRACE},
    {.name = "tini, no CAP_SYS_BOOT, --then return",
     .exe = "/usr/bin/tini",
     .comm = "tini",
     .argv0 = "/usr/bin/tini",
     .bind_target = "",
     .no_boot_cap = true,
     .then = THEN_RETURN,
     .steps = {S0P, P1},
     .nsteps = 7,
     .method = REEXEC_PTRACE},
};

static void obs_from_row(const struct plan_row *r, struct rescue_state *st,
			 const struct mnt_table *t, struct plan_obs *o)
{
	static const char carried[2][128] = {"/lifeboat/lifeboat", "/bin/busybox"};
	plan_state_init(st);
	st->then = r->then;
	st->ssh_port = r->ssh_port;
	snprintf(st->switch_to, sizeof st->switch_to, "%s", r->switch_to ? r->switch_to : "");
	memset(o, 0, sizeof *o);
	o->st = st;
	o->init = inits_detect(r->exe, r->comm, r->argv0);
	o->exe = r->exe;
	o->comm = r->comm;
	o->argv0 = r->argv0;
	o->bind_target = r->bind_target;
	o->root = !r->not_root;
	o->cap_sys_admin = !r->no_cap;
	o->no_cap_sys_boot = r->no_boot_cap;
	o->mount_probe = r->mount_probe;
	/* rows leave leftover_state 0 only when they mean "in progress" */
	o->leftover_state = r->leftover_state || r->leftover_mounts ? r->leftover_state : -ENOENT;
	o->leftover_stale_why = "written in an earlier boot";
	o->leftover_mounts = r->leftover_mounts;
	o->mounts = t;
	o->mem_avail = r->mem_avail ? r->mem_avail : 4ull << 30;
	o->carried_files = 2;
	o->carried_bytes = 2u << 20;
	o->carried = carried;
	o->carry_err = r->carry_err ? r->carry_err : "";
	o->sw_err = r->sw_err;
	o->sw_mode = r->sw_mode;
	o->sw_has_init = r->sw_has_init;
	o->busybox = r->no_busybox ? NULL : "/bin/busybox";
	o->ssh_src = r->ssh_src ? r->ssh_src : "";
	o->reexec = r->reexec;
	o->pt.yama = r->yama_plus1 - 1;
	o->pt.cap_sys_ptrace = !r->no_ptrace_cap;
	o->pt.probe = r->pt_probe;
	o->pt.self_seccomp = r->self_seccomp;
	o->pt.same_mntns = !r->other_mntns;
	o->pt.lsm = r->lsm ? r->lsm : "";
	o->pt.arch_ok = true;
}

static void check_plan_row(const struct plan_row *r, const struct plan *p)
{
	if (p->n != r->nsteps)
		fail_msg("%s: %zu steps, want %zu", r->name, p->n, r->nsteps);
	for (size_t i = 0; i < p->n; i++)
		if (p->step[i].kind != r->steps[i])
			fail_msg("%s: step %zu is %d, want %d", r->name, i, p->step[i].kind,
				 r->steps[i]);
	size_t nref = 0;
	while (nref < 4 && r->refusals[nref])
		nref++;
	if (p->nref != nref)
		fail_msg("%s: %zu refusals (first: %s), want %zu", r->name, p->nref,
			 p->nref ? p->refusal[0] : "-", nref);
	for (size_t i = 0; i < nref; i++)
		if (!strstr(p->refusal[i], r->refusals[i]))
			fail_msg("%s: refusal %zu is '%s', want '%s'", r->name, i, p->refusal[i],
				 r->refusals[i]);
	const struct plan_step *b = plan_find(p, PLAN_BIND), *tr = plan_find(p, PLAN_TRIGGER);
	assert_non_null(tr);
	if (tr->u.trigger.method != r->method)
		fail_msg("%s: method %d, want %d", r->name, tr->u.trigger.method, r->method);
	if (p->ptrace) {
		assert_null(b); /* PID 1 execs the RAM copy itself */
		return;
	}
	assert_non_null(b);
	if (b->u.bind.inittab != r->inittab)
		fail_msg("%s: inittab %d", r->name, b->u.bind.inittab);
	assert_string_equal(b->u.bind.target, r->bind_target);
	if (r->inittab) {
		assert_string_equal(b->u.bind.source, RESCUE_DIR "/lifeboat/inittab");
		assert_string_equal(b->u.bind.selftest, RESCUE_DIR RESCUE_SELF);
	} else {
		assert_string_equal(b->u.bind.source, RESCUE_DIR RESCUE_SELF);
		assert_string_equal(b->u.bind.selftest, r->bind_target);
	}
	if (tr->u.trigger.method != r->method)
		fail_msg("%s: method %d, want %d", r->name, tr->u.trigger.method, r->method);
}

static void test_plan_rows(void **state)
{
	(void)state;
	struct mnt_table t;
	assert_int_equal(mountinfo_load(VEC "debian12-systemd.txt", &t), 0);
	for (size_t i = 0; i < sizeof plan_rows / sizeof plan_rows[0]; i++) {
		const struct plan_row *r = &plan_rows[i];
		struct rescue_state st;
		struct plan_obs o;
		struct plan p;
		obs_from_row(r, &st, &t, &o);
		assert_int_equal(plan_build(&o, &p), 0);
		check_plan_row(r, &p);
		plan_free(&p);
	}
	mountinfo_free(&t);
}

/* Step parameters: leftovers, the new root's kind, the PID 1 steps. */
static void test_plan_params(void **state)
{
	(void)state;
	struct mnt_table t;
	struct rescue_state st;
	struct plan_obs o;
	struct plan p;
	assert_int_equal(mountinfo_load(VEC "debian12-systemd.txt", &t), 0);
	obs_from_row(&plan_rows[4], &st, &t, &o);
	st.grace_s = 9;
	st.revert_after_s = 60;
	snprintf(st.run, sizeof st.run, "e2fsck -n /dev/vda");
	assert_int_equal(plan_build(&o, &p), 0);
	const struct plan_step *s = plan_find(&p, PLAN_CLEAN_LEFTOVERS);
	assert_int_equal(s->u.leftovers.mounts, 2);
	assert_string_equal(s->u.leftovers.why, "written in an earlier boot");
	s = plan_find(&p, PLAN_MOUNT_NEWROOT);
	assert_int_equal(s->u.newroot.kind, PLAN_SW_TAR);
	assert_string_equal(s->u.newroot.from, "/srv/root.tar.gz");
	s = plan_find(&p, PLAN_RAM_ROOT);
	assert_string_equal(s->u.ram.dir, RESCUE_DIR);
	assert_int_equal(s->u.ram.files, 2);
	assert_true(s->u.ram.busybox_links);
	s = plan_find(&p, PLAN_MOVE_API);
	assert_int_equal(s->u.api.n, 4);
	s = plan_find(&p, PLAN_STOP);
	assert_int_equal(s->u.stop.grace_s, 9);
	assert_false(s->u.stop.spare_ssh);
	s = plan_find(&p, PLAN_UNMOUNT);
	assert_int_equal(s->u.unmount.n, 6); /* as test_unmount_order_debian */
	assert_string_equal(s->u.unmount.order[5]->target, "/");
	s = plan_find(&p, PLAN_THEN);
	assert_int_equal(s->u.then.then, THEN_SWITCH);
	assert_string_equal(s->u.then.run, "e2fsck -n /dev/vda");
	assert_int_equal(s->u.then.revert_after_s, 60);
	assert_true(plan_step_is_stage0(PLAN_TRIGGER));
	assert_false(plan_step_is_stage0(PLAN_MOVE_API));
	plan_free(&p);
	/* a block device and an image file */
	o.sw_mode = S_IFBLK | 0600;
	assert_int_equal(plan_build(&o, &p), 0);
	assert_int_equal(plan_find(&p, PLAN_MOUNT_NEWROOT)->u.newroot.kind, PLAN_SW_BLOCK);
	plan_free(&p);
	snprintf(st.switch_to, sizeof st.switch_to, "/srv/disk.img");
	o.sw_mode = S_IFREG | 0600;
	assert_int_equal(plan_build(&o, &p), 0);
	assert_int_equal(plan_find(&p, PLAN_MOUNT_NEWROOT)->u.newroot.kind, PLAN_SW_IMAGE);
	plan_free(&p);
	mountinfo_free(&t);
}

/* The --dry-run text names what the e2e tests and users look for. */
static void test_plan_print(void **state)
{
	(void)state;
	struct mnt_table t;
	struct rescue_state st;
	struct plan_obs o;
	struct plan p;
	char buf[16384] = "";
	assert_int_equal(mountinfo_load(VEC "debian12-systemd.txt", &t), 0);
	obs_from_row(&plan_rows[4], &st, &t, &o);
	st.ssh_port = 2222;
	o.ssh_src = "/usr/sbin/dropbear";
	assert_int_equal(plan_build(&o, &p), 0);
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	assert_non_null(f);
	plan_print(&p, f);
	fclose(f);
	static const char *const want[] = {
	    "lifeboat takeover plan\n  init: busybox (exe=/bin/busybox comm=init argv0=init)\n",
	    "  re-exec method: ",
	    "  bind over: /etc/inittab\n",
	    "  leftovers: 2 mounts of an earlier takeover (state written in an earlier boot): "
	    "removed first\n",
	    "  carried: 2 files, 2048 KiB: /lifeboat/lifeboat /bin/busybox\n",
	    "  RAM: need ",
	    "  moved into RAM root: /dev /proc /sys /run\n",
	    "  unmounted (in this order, under /oldroot): ",
	    "  ssh: /usr/sbin/dropbear on port 2222\n",
	    "  switch to: /srv/root.tar.gz, tar archive (unpacked into a RAM tmpfs), mounted at "
	    "/newroot",
	    "  then: switch\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(buf, want[i]))
			fail_msg("plan text lacks '%s':\n%s", want[i], buf);
	assert_null(strstr(buf, "refused:"));
	plan_free(&p);
	mountinfo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_roundtrip),
	    cmocka_unit_test(test_state_parse_vectors),
	    cmocka_unit_test(test_then_names),
	    cmocka_unit_test(test_unmount_order_debian),
	    cmocka_unit_test(test_unmount_order_oldroot),
	    cmocka_unit_test(test_ram),
	    cmocka_unit_test(test_plan_rows),
	    cmocka_unit_test(test_plan_params),
	    cmocka_unit_test(test_plan_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
