/* plan: a takeover as data: the steps and refusals built from what stage 0
 * observed and their --dry-run text, the rescue state file (format and
 * parse, fuzzed), the unmount order and the RAM it needs (pure). */
#include "rescue/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const plan_api_mounts[4] = {"/dev", "/proc", "/sys", "/run"};

static const char *const then_names[] = {
    [THEN_SHELL] = "shell",   [THEN_REBOOT] = "reboot", [THEN_POWEROFF] = "poweroff",
    [THEN_RETURN] = "return", [THEN_SWITCH] = "switch", [THEN_KEXEC] = "kexec",
};

const char *plan_then_name(enum then_action a)
{
	return (unsigned)a < sizeof then_names / sizeof then_names[0] ? then_names[a] : "?";
}

int plan_then_parse(const char *name, enum then_action *a)
{
	for (size_t i = 0; i < sizeof then_names / sizeof then_names[0]; i++)
		if (!strcmp(name, then_names[i])) {
			*a = (enum then_action)i;
			return 0;
		}
	return -EINVAL;
}

void plan_state_init(struct rescue_state *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->console, sizeof s->console, "/dev/console");
	s->grace_s = 5;
	s->then = THEN_SHELL;
}

const char *plan_state_stale(const struct rescue_state *s, const char *boot_id_now,
			     uint64_t boottime_now_ms)
{
	if (s->boot_id[0] && boot_id_now && boot_id_now[0] && strcmp(s->boot_id, boot_id_now))
		return "written in an earlier boot";
	if (s->deadline_ms && boottime_now_ms > s->deadline_ms)
		return "past its deadline";
	return NULL;
}

/* One row per key: string fields by offset and size, numbers by kind. */
enum fkind { F_STR, F_UINT, F_U64, F_THEN };
static const struct field {
	const char *key;
	enum fkind kind;
	size_t off, size;
} fields[] = {
#define S(k, m)                                                                                   \
	{                                                                                         \
		k, F_STR, offsetof(struct rescue_state, m), sizeof(((struct rescue_state *)0)->m) \
	}
#define U(k, m)                                                \
	{                                                      \
		k, F_UINT, offsetof(struct rescue_state, m), 0 \
	}
    {"start_ms", F_U64, offsetof(struct rescue_state, start_ms), 0},
    S("boot_id", boot_id),
    {"deadline_ms", F_U64, offsetof(struct rescue_state, deadline_ms), 0},
    S("init_name", init_name),
    S("init_path", init_path),
    S("console", console),
    S("run", run),
    {"then", F_THEN, offsetof(struct rescue_state, then), 0},
    S("switch_to", switch_to),
    U("grace", grace_s),
    U("revert_after", revert_after_s),
    U("ssh_port", ssh_port),
    S("ssh_server", ssh_server),
    S("busybox", busybox),
    S("root_source", root_source),
    S("root_fstype", root_fstype),
    S("root_opts", root_opts),
    U("root_major", root_major),
    U("root_minor", root_minor),
    S("image", image),
    S("image_target", image_target),
    S("image_sha256", image_sha256),
    S("kexec_kernel", kexec_kernel),
    S("kexec_initrd", kexec_initrd),
    S("kexec_cmdline", kexec_cmdline),
#undef S
#undef U
};

int plan_state_format(const struct rescue_state *s, char *out, size_t cap)
{
	size_t len = 0;
	const char *base = (const char *)s;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const struct field *f = &fields[i];
		int n;
		switch (f->kind) {
		case F_STR: {
			const char *v = base + f->off;
			if (strchr(v, '\n'))
				return -EINVAL;
			n = snprintf(out + len, cap - len, "%s=%s\n", f->key, v);
			break;
		}
		case F_UINT:
			n = snprintf(out + len, cap - len, "%s=%u\n", f->key,
				     *(const unsigned *)(const void *)(base + f->off));
			break;
		case F_U64:
			n = snprintf(
			    out + len, cap - len, "%s=%llu\n", f->key,
			    (unsigned long long)*(const uint64_t *)(const void *)(base + f->off));
			break;
		default:
			n = snprintf(out + len, cap - len, "%s=%s\n", f->key,
				     plan_then_name(s->then));
			break;
		}
		if (n < 0 || (size_t)n >= cap - len)
			return -ENOBUFS;
		len += (size_t)n;
	}
	return (int)len;
}

static int parse_u64(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 20)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EBADMSG;
		unsigned d = (unsigned)(v[i] - '0');
		if (x > (max - d) / 10)
			return -EBADMSG;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

static int set_field(struct rescue_state *s, const char *k, size_t kn, const char *v, size_t vn)
{
	char *base = (char *)s;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const struct field *f = &fields[i];
		uint64_t x;
		if (strlen(f->key) != kn || memcmp(f->key, k, kn))
			continue;
		switch (f->kind) {
		case F_STR:
			if (vn >= f->size || memchr(v, 0, vn))
				return -EBADMSG;
			/* A key given twice leaves no tail of the longer value. */
			memset(base + f->off, 0, f->size);
			memcpy(base + f->off, v, vn);
			return 0;
		case F_UINT:
			if (parse_u64(v, vn, UINT32_MAX, &x))
				return -EBADMSG;
			*(unsigned *)(void *)(base + f->off) = (unsigned)x;
			return 0;
		case F_U64:
			if (parse_u64(v, vn, UINT64_MAX, &x))
				return -EBADMSG;
			*(uint64_t *)(void *)(base + f->off) = x;
			return 0;
		default: {
			char name[16];
			if (vn >= sizeof name)
				return -EBADMSG;
			memcpy(name, v, vn);
			name[vn] = 0;
			return plan_then_parse(name, &s->then) ? -EBADMSG : 0;
		}
		}
	}
	return 0; /* unknown key */
}

int plan_state_parse(const char *text, size_t len, struct rescue_state *s)
{
	size_t i = 0;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		i += ll + (nl ? 1 : 0);
		if (ll == 0 || line[0] == '#')
			continue;
		const char *eq = memchr(line, '=', ll);
		if (!eq || eq == line)
			return -EBADMSG;
		size_t kn = (size_t)(eq - line);
		if (set_field(s, line, kn, eq + 1, ll - kn - 1))
			return -EBADMSG;
	}
	return 0;
}

static size_t depth(const char *p)
{
	size_t d = 0;
	for (; *p; p++)
		d += *p == '/';
	return d;
}

struct ord {
	const struct mnt_entry *e;
	size_t idx, depth;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->idx > y->idx ? -1 : x->idx < y->idx ? 1 : 0;
}

int plan_unmount_order(const struct mnt_table *t, const char *prefix, const char *const *skip,
		       size_t nskip, const struct mnt_entry **out, size_t cap)
{
	struct ord *o = calloc(t->n ? t->n : 1, sizeof *o);
	size_t n = 0;
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		const struct mnt_entry *e = &t->v[i];
		bool skipped = false;
		if (!mountinfo_path_under(e->target, prefix))
			continue;
		for (size_t k = 0; k < nskip && !skipped; k++)
			skipped = mountinfo_path_under(e->target, skip[k]);
		if (skipped)
			continue;
		/* "/" has depth 1 like "/a": count it as 0 so it goes last. */
		o[n++] = (struct ord){e, i, strcmp(e->target, "/") ? depth(e->target) : 0};
	}
	if (n > cap) {
		free(o);
		return -ENOBUFS;
	}
	qsort(o, n, sizeof *o, ord_cmp);
	for (size_t i = 0; i < n; i++)
		out[i] = o[i].e;
	free(o);
	return (int)n;
}

uint64_t plan_ram_needed(uint64_t carried_bytes)
{
	return carried_bytes + carried_bytes / 8 + 16ull * 1024 * 1024;
}

/* ---- the takeover plan ---- */

__attribute__((format(printf, 2, 3))) static void refuse(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (p->nref < PLAN_MAX_REFUSALS)
		vsnprintf(p->refusal[p->nref++], sizeof p->refusal[0], fmt, ap);
	va_end(ap);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static bool is_tar_name(const char *p)
{
	return ends_with(p, ".tar") || ends_with(p, ".tar.gz") || ends_with(p, ".tgz") ||
	       ends_with(p, ".tar.xz") || ends_with(p, ".txz");
}

/* What --switch-to names, and the refusals it earns. */
static enum plan_sw_kind switch_kind(const struct plan_obs *o, struct plan *p)
{
	const char *path = o->st->switch_to;
	if (path[0] != '/') {
		refuse(p, "--switch-to needs an absolute path");
		return PLAN_SW_NONE;
	}
	if (o->sw_err) {
		refuse(p, "--switch-to %s: %s", path, strerror(-o->sw_err));
		return PLAN_SW_NONE;
	}
	if (S_ISDIR(o->sw_mode)) {
		if (!o->sw_has_init)
			refuse(p,
			       "--switch-to %s: no init (/sbin/init, /etc/init, /bin/init, /init)",
			       path);
		return PLAN_SW_DIR;
	}
	if (S_ISBLK(o->sw_mode))
		return PLAN_SW_BLOCK;
	if (S_ISREG(o->sw_mode) && is_tar_name(path)) {
		if (!o->busybox)
			refuse(p, "--switch-to a tar archive needs busybox (its tar unpacks it)");
		return PLAN_SW_TAR;
	}
	if (S_ISREG(o->sw_mode))
		return PLAN_SW_IMAGE;
	refuse(p, "--switch-to %s: not a directory, tar archive, block device or image", path);
	return PLAN_SW_NONE;
}

static const char *const reexec_names[] = {
    [PLAN_REEXEC_AUTO] = "auto", [PLAN_REEXEC_PTRACE] = "ptrace", [PLAN_REEXEC_NONE] = "none"};

const char *plan_reexec_name(enum plan_reexec r)
{
	return (unsigned)r < 3 ? reexec_names[r] : "?";
}

int plan_reexec_parse(const char *name, enum plan_reexec *r)
{
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(name, reexec_names[i])) {
			*r = (enum plan_reexec)i;
			return 0;
		}
	return -EINVAL;
}

/* The preflight of the ptrace re-exec: each thing that forbids it, said
 * before anything changes. */
static void refuse_ptrace(const struct plan_obs *o, struct plan *p)
{
	const struct plan_ptrace_obs *t = &o->pt;
	const char *e = strerror(-t->probe);
	if (!t->arch_ok)
		refuse(p, "the ptrace re-exec supports x86_64 and aarch64 only");
	if (!t->same_mntns)
		refuse(p, "ptrace: PID 1 is in another mount namespace (it would not see the RAM "
			  "root); run takeover inside PID 1's namespaces");
	if (!t->probe || !t->arch_ok)
		return;
	/* The attach test failed: name the likeliest reason. */
	if (t->yama == 3)
		refuse(p,
		       "ptrace: attach to PID 1: %s: Yama ptrace_scope=3 forbids every ptrace "
		       "attach until reboot",
		       e);
	else if (t->yama >= 1 && !t->cap_sys_ptrace)
		refuse(
		    p,
		    "ptrace: attach to PID 1: %s: Yama ptrace_scope=%d allows it only with "
		    "CAP_SYS_PTRACE, which this process lacks (containers: --cap-add SYS_PTRACE)",
		    e, t->yama);
	else if (!t->cap_sys_ptrace)
		refuse(p,
		       "ptrace: attach to PID 1: %s: no CAP_SYS_PTRACE in CapEff (containers: "
		       "--cap-add SYS_PTRACE)",
		       e);
	else if (t->self_seccomp == 2)
		refuse(p,
		       "ptrace: attach to PID 1: %s: a seccomp filter is on this process "
		       "(Seccomp: 2), e.g. a container's default profile",
		       e);
	else if (t->lsm && t->lsm[0])
		refuse(p, "ptrace: attach to PID 1: %s: the LSM (label %s) may forbid it", e,
		       t->lsm);
	else
		refuse(p, "ptrace: attach to PID 1: %s", e);
}

/* Which re-exec: the init's own, or ptrace (p->ptrace), and its refusals. */
static void refuse_reexec(const struct plan_obs *o, struct plan *p)
{
	bool native = o->init->kind != INIT_UNKNOWN && o->init->method != REEXEC_PTRACE;
	if (o->reexec == PLAN_REEXEC_NONE && !native) {
		refuse(p,
		       "%s init (/proc/1/exe=%s) has no re-exec of its own and --reexec none "
		       "forbids ptrace; own re-exec: %s",
		       o->init->kind == INIT_UNKNOWN ? "unknown" : o->init->name,
		       o->exe[0] ? o->exe : "unreadable", inits_supported());
		return;
	}
	p->ptrace = o->reexec == PLAN_REEXEC_PTRACE || !native;
	if (p->ptrace)
		refuse_ptrace(o, p);
	else if (!o->bind_target[0])
		refuse(p, "cannot resolve the path the init re-executes");
}

/* Who we are and what PID 1 is: the refusals that come before the plan. */
static void refuse_system(const struct plan_obs *o, struct plan *p)
{
	if (o->carry_err[0])
		refuse(p, "%s", o->carry_err);
	if (!o->root)
		refuse(p, "not root (lifeboat takeover must run as root)");
	else if (!o->cap_sys_admin)
		refuse(p, "no CAP_SYS_ADMIN in CapEff");
	if (o->no_cap_sys_boot && (o->st->then == THEN_REBOOT || o->st->then == THEN_POWEROFF ||
				   o->st->then == THEN_KEXEC))
		refuse(p,
		       "no CAP_SYS_BOOT in CapEff: --then %s would fail and leave the rescue shell "
		       "(containers: --cap-add SYS_BOOT)",
		       plan_then_name(o->st->then));
	if (o->mount_probe == -EPERM || o->mount_probe == -EACCES)
		refuse(p, "mount blocked by seccomp/LSM, typical in containers");
	else if (o->mount_probe)
		refuse(p, "test mount of a tmpfs failed: %s", strerror(-o->mount_probe));
	if (o->leftover_state == 0)
		refuse(p, "%s holds the state of a takeover in progress; wait for it to end",
		       RESCUE_DIR);
	if (o->init->kind == INIT_LIFEBOAT)
		refuse(p, "PID 1 is already lifeboat");
	else
		refuse_reexec(o, p);
}

static struct plan_step *add(struct plan *p, enum plan_step_kind k)
{
	struct plan_step *s = &p->step[p->n++];
	memset(s, 0, sizeof *s);
	s->kind = k;
	return s;
}

/* Stage 0's steps: leftovers, RAM root, new root, state, bind, trigger. */
static void stage0_steps(const struct plan_obs *o, struct plan *p, enum plan_sw_kind sw)
{
	struct plan_step *s;
	/* A live state is refused above: then nothing is a leftover. */
	if (o->leftover_mounts && o->leftover_state != 0) {
		s = add(p, PLAN_CLEAN_LEFTOVERS);
		s->u.leftovers.mounts = o->leftover_mounts;
		s->u.leftovers.why = o->leftover_state == -ESTALE && o->leftover_stale_why
					 ? o->leftover_stale_why
				     : o->leftover_state == -EBADMSG ? "unreadable"
								     : "missing";
	}
	s = add(p, PLAN_RAM_ROOT);
	s->u.ram.dir = RESCUE_DIR;
	s->u.ram.files = o->carried_files;
	s->u.ram.bytes = o->carried_bytes;
	s->u.ram.busybox_links = o->busybox != NULL;
	if (o->st->switch_to[0]) {
		s = add(p, PLAN_MOUNT_NEWROOT);
		s->u.newroot.from = o->st->switch_to;
		s->u.newroot.kind = sw;
	}
	add(p, PLAN_WRITE_STATE);
	if (p->ptrace) {
		/* No bind: PID 1 execs the RAM copy itself. */
		s = add(p, PLAN_TRIGGER);
		s->u.trigger.method = REEXEC_PTRACE;
		s->u.trigger.name = "ptrace: PID 1 made to call execve of " RESCUE_DIR RESCUE_SELF;
		return;
	}
	s = add(p, PLAN_BIND);
	s->u.bind.inittab = o->init->kind == INIT_BUSYBOX;
	s->u.bind.source =
	    s->u.bind.inittab ? RESCUE_DIR "/lifeboat/inittab" : RESCUE_DIR RESCUE_SELF;
	s->u.bind.target = o->bind_target;
	s->u.bind.selftest = s->u.bind.inittab ? RESCUE_DIR RESCUE_SELF : o->bind_target;
	s = add(p, PLAN_TRIGGER);
	s->u.trigger.method = o->init->method;
	s->u.trigger.name = o->init->method_name;
}

/* PID 1's steps: API filesystems, stop, unmount, then. */
static int pid1_steps(const struct plan_obs *o, struct plan *p)
{
	struct plan_step *s = add(p, PLAN_MOVE_API);
	/* Only the API filesystems that are mounts move; the rest is unmounted. */
	for (size_t i = 0; i < 4; i++)
		if (mountinfo_find(o->mounts, plan_api_mounts[i]))
			s->u.api.fs[s->u.api.n++] = plan_api_mounts[i];
	const char *const *skip = s->u.api.fs;
	size_t nskip = s->u.api.n;
	s = add(p, PLAN_STOP);
	s->u.stop.grace_s = o->st->grace_s;
	s->u.stop.spare_ssh = o->st->ssh_port != 0;
	s = add(p, PLAN_UNMOUNT);
	size_t cap = o->mounts->n ? o->mounts->n : 1;
	s->u.unmount.order = calloc(cap, sizeof *s->u.unmount.order);
	if (!s->u.unmount.order)
		return -ENOMEM;
	int n = plan_unmount_order(o->mounts, "/", skip, nskip, s->u.unmount.order, cap);
	s->u.unmount.n = n > 0 ? (size_t)n : 0;
	s = add(p, PLAN_THEN);
	s->u.then.then = o->st->then;
	s->u.then.run = o->st->run;
	s->u.then.revert_after_s = o->st->revert_after_s;
	return 0;
}

int plan_build(const struct plan_obs *o, struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->obs = o;
	refuse_system(o, p);
	const struct rescue_state *st = o->st;
	if (st->then == THEN_SWITCH && !st->switch_to[0] && !st->image[0])
		refuse(p, "--then switch needs --switch-to ROOTFS (or --image)");
	for (size_t i = 0; i < o->n_image_refusals; i++) /* --image, --then kexec */
		refuse(p, "%s", o->image_refusals[i]);
	enum plan_sw_kind sw = st->switch_to[0] ? switch_kind(o, p) : PLAN_SW_NONE;
	if (st->ssh_port && !o->ssh_src[0])
		refuse(p, "--ssh needs dropbear or sshd on this system (neither found)");
	if (!o->busybox && (st->run[0] || st->then == THEN_SHELL))
		refuse(p,
		       "no static busybox found for the rescue shell/--run (use --busybox PATH)");
	p->ram_needed = plan_ram_needed(o->carried_bytes);
	if (o->mem_avail && p->ram_needed > o->mem_avail)
		refuse(p, "not enough RAM: need %llu MiB",
		       (unsigned long long)(p->ram_needed >> 20));
	stage0_steps(o, p, sw);
	return pid1_steps(o, p);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->step[i].kind == PLAN_UNMOUNT) {
			free(p->step[i].u.unmount.order);
			p->step[i].u.unmount.order = NULL;
		}
	p->n = 0;
}

const struct plan_step *plan_find(const struct plan *p, enum plan_step_kind k)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->step[i].kind == k)
			return &p->step[i];
	return NULL;
}

bool plan_step_is_stage0(enum plan_step_kind k)
{
	return k <= PLAN_TRIGGER;
}

static const char *const sw_kind_names[] = {
    [PLAN_SW_NONE] = "none",
    [PLAN_SW_DIR] = "directory (bind mount)",
    [PLAN_SW_TAR] = "tar archive (unpacked into a RAM tmpfs)",
    [PLAN_SW_BLOCK] = "block device",
    [PLAN_SW_IMAGE] = "image file (loop device)",
};

/* The ptrace preflight facts, as seen (refusals follow at the end). */
static void print_ptrace(const struct plan *p, FILE *f)
{
	const struct plan_ptrace_obs *t = &p->obs->pt;
	char yama[16];
	snprintf(yama, sizeof yama, "%d", t->yama);
	fprintf(f,
		"  ptrace preflight: yama ptrace_scope=%s, CAP_SYS_PTRACE %s, attach to PID 1 %s, "
		"seccomp self=%d pid1=%d, LSM %s\n",
		t->yama < 0 ? "none" : yama, t->cap_sys_ptrace ? "yes" : "no",
		t->probe ? strerror(-t->probe) : "ok", t->self_seccomp, t->pid1_seccomp,
		t->lsm && t->lsm[0] ? t->lsm : "none");
}

/* The header: PID 1, how it re-executes, leftovers, the RAM root. */
static void print_stage0(const struct plan *p, FILE *f)
{
	const struct plan_obs *o = p->obs;
	const struct plan_step *s;
	fprintf(f, "lifeboat takeover plan\n");
	fprintf(f, "  init: %s (exe=%s comm=%s argv0=%s)\n", o->init->name,
		o->exe[0] ? o->exe : "?", o->comm, o->argv0);
	fprintf(f, "  re-exec method: %s\n", plan_find(p, PLAN_TRIGGER)->u.trigger.name);
	if (p->ptrace)
		print_ptrace(p, f);
	else if (o->bind_target[0])
		fprintf(f, "  bind over: %s\n", o->bind_target);
	if ((s = plan_find(p, PLAN_CLEAN_LEFTOVERS)))
		fprintf(
		    f, "  leftovers: %zu mounts of an earlier takeover (state %s): removed first\n",
		    s->u.leftovers.mounts, s->u.leftovers.why);
	s = plan_find(p, PLAN_RAM_ROOT);
	fprintf(f, "  rescue root: tmpfs at %s, then pivot_root (old root at %s)\n", s->u.ram.dir,
		OLDROOT);
	fprintf(f, "  carried: %zu files, %llu KiB:", s->u.ram.files,
		(unsigned long long)(s->u.ram.bytes >> 10));
	for (size_t i = 0; i < o->carried_files; i++)
		fprintf(f, " %s", o->carried[i]);
	fprintf(f, "\n  RAM: need %llu MiB, MemAvailable %llu MiB\n",
		(unsigned long long)(p->ram_needed >> 20),
		(unsigned long long)(o->mem_avail >> 20));
}

void plan_print(const struct plan *p, FILE *f)
{
	const struct plan_obs *o = p->obs;
	const struct rescue_state *st = o->st;
	const struct plan_step *s;
	print_stage0(p, f);
	s = plan_find(p, PLAN_MOVE_API);
	fprintf(f, "  moved into RAM root:");
	for (size_t i = 0; i < s->u.api.n; i++)
		fprintf(f, " %s", s->u.api.fs[i]);
	s = plan_find(p, PLAN_STOP);
	fprintf(f,
		"\n  stopped: every process but PID 1%s (SIGTERM, %us grace, SIGKILL); swap off; "
		"unused loop devices detached\n",
		s->u.stop.spare_ssh ? " and the rescue ssh server" : "", s->u.stop.grace_s);
	s = plan_find(p, PLAN_UNMOUNT);
	fprintf(f, "  unmounted (in this order, under %s):", OLDROOT);
	for (size_t i = 0; i < s->u.unmount.n; i++)
		fprintf(f, " %s", s->u.unmount.order[i]->target);
	fprintf(f, "\n  old root: %s (%s) %s\n", st->root_source, st->root_fstype, st->root_opts);
	fprintf(f, "  console: %s\n", st->console);
	if (st->ssh_port)
		fprintf(f, "  ssh: %s on port %u\n", o->ssh_src[0] ? o->ssh_src : "(none found)",
			st->ssh_port);
	s = plan_find(p, PLAN_THEN);
	if (s->u.then.run[0])
		fprintf(f, "  run: %s\n", s->u.then.run);
	if ((s = plan_find(p, PLAN_MOUNT_NEWROOT)))
		fprintf(f, "  switch to: %s, %s, mounted at %s before the old root is released\n",
			s->u.newroot.from, sw_kind_names[s->u.newroot.kind], NEWROOT);
	if (st->image[0]) /* --image */
		fprintf(f,
			"  image: %s written to %s once the old root is released%s, read back, "
			"sha256 %s%s\n",
			st->image, st->image_target,
			st->revert_after_s ? " and 'lifeboat confirm' ran" : "",
			st->image_sha256[0] ? "must be " : "printed",
			st->image_sha256[0] ? st->image_sha256 : "");
	if (st->then == THEN_KEXEC)
		fprintf(f, "  kexec: kernel %s initrd %s cmdline \"%s\"%s\n", st->kexec_kernel,
			st->kexec_initrd[0] ? st->kexec_initrd : "(none)", st->kexec_cmdline,
			st->image[0] ? " (in the written root)" : "");
	s = plan_find(p, PLAN_THEN);
	fprintf(f, "  then: %s\n", plan_then_name(s->u.then.then));
	if (s->u.then.revert_after_s)
		fprintf(f, "  dead-man switch: return after %us unless 'lifeboat confirm'\n",
			s->u.then.revert_after_s);
	for (size_t i = 0; i < p->nref; i++)
		fprintf(f, "  refused: %s\n", p->refusal[i]);
}
