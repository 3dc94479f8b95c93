/* plan: a takeover as data: the rescue state file (format and parse), the
 * unmount order and the RAM it needs (pure, fuzzed). */
#include "rescue/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const plan_api_mounts[4] = {"/dev", "/proc", "/sys", "/run"};

static const char *const then_names[] = {
    [THEN_SHELL] = "shell",   [THEN_REBOOT] = "reboot", [THEN_POWEROFF] = "poweroff",
    [THEN_RETURN] = "return", [THEN_SWITCH] = "switch",
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
