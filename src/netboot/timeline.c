/* timeline: a client's boot in one log line, and why it stopped; see
 * timeline.h. */
#include "netboot/timeline.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *timeline_base(const char *name)
{
	const char *s = strrchr(name, '/');
	return s && s[1] ? s + 1 : name;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncasecmp(s, p, strlen(p));
}

static bool has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);
	return n >= m && !strcasecmp(s + n - m, x);
}

/* Name rules, first match wins: a path component names the kind (kernel
 * mode's lifeboat/kernel/ and lifeboat/initrd/N/), else the base name. */
static const struct {
	const char *text;
	char how; /* 'd' a directory in the path, 'p' base prefix, 's' base suffix */
	enum timeline_kind kind;
} kind_rules[] = {
    {"/kernel/", 'd', TL_KERNEL},      {"/initrd/", 'd', TL_INITRD},
    {"pxelinux.cfg/", 'd', TL_CONFIG}, {"undionly", 'p', TL_IPXE_IMAGE},
    {"snponly", 'p', TL_IPXE_IMAGE},   {"ipxe.efi", 'p', TL_IPXE_IMAGE},
    {"ipxe.pxe", 'p', TL_IPXE_IMAGE},  {".kpxe", 's', TL_IPXE_IMAGE},
    {".ipxe", 's', TL_SCRIPT},	       {"vmlinuz", 'p', TL_KERNEL},
    {"bzImage", 'p', TL_KERNEL},       {"linux", 'p', TL_KERNEL},
    {"Image", 'p', TL_KERNEL},	       {"kernel", 'p', TL_KERNEL},
    {"initrd", 'p', TL_INITRD},	       {"initramfs", 'p', TL_INITRD},
    {".cpio", 's', TL_INITRD},	       {".cpio.gz", 's', TL_INITRD},
    {"grub.cfg", 's', TL_CONFIG},      {".cfg", 's', TL_CONFIG},
    {"pxelinux.0", 'p', TL_LOADER},    {"lpxelinux.0", 'p', TL_LOADER},
    {".efi", 's', TL_LOADER},	       {".0", 's', TL_LOADER},
};

enum timeline_kind timeline_file_kind(const char *name)
{
	const char *base = timeline_base(name);
	char slashed[CLIENT_NAME_MAX + 2];
	snprintf(slashed, sizeof slashed, "/%s", name);
	for (size_t i = 0; i < sizeof kind_rules / sizeof kind_rules[0]; i++) {
		const char *t = kind_rules[i].text;
		bool hit = kind_rules[i].how == 'd'   ? strstr(slashed, t) != NULL
			   : kind_rules[i].how == 'p' ? has_prefix(base, t)
						      : has_suffix(base, t);
		if (hit)
			return kind_rules[i].kind;
	}
	return TL_OTHER;
}

static bool arch_is_efi(const char *a)
{
	return has_prefix(a, "efi") || has_prefix(a, "arm") || has_prefix(a, "riscv") ||
	       has_prefix(a, "loong");
}

/* Counts the whole fetches of the iPXE image name among the boot's files. */
static unsigned same_done(const struct client_rec *r, const struct client_file *const *v,
			  unsigned n, const char *name)
{
	(void)r;
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		k += v[i]->end_ms && !v[i]->result && !strcmp(v[i]->name, name);
	return k;
}

/* The file entries of the current boot, oldest first, into v. */
static unsigned boot_files(const struct client_rec *r, const struct client_file **v)
{
	unsigned n = 0, have = r->n_files < CLIENT_FILES ? r->n_files : CLIENT_FILES;
	for (unsigned k = have; k > 0; k--) {
		const struct client_file *f = &r->files[(r->n_files - k) % CLIENT_FILES];
		if (f->start_ms >= r->boot_ms)
			v[n++] = f;
	}
	return n;
}

void timeline_facts(const struct client_rec *r, uint64_t now_ms, struct timeline_facts *f)
{
	const struct client_file *v[CLIENT_FILES];
	memset(f, 0, sizeof *f);
	f->stage = r->stage;
	f->efi = arch_is_efi(r->arch);
	f->answered = r->stage_ms[CLIENT_OFFER] || r->stage_ms[CLIENT_BINL];
	f->binl = r->stage_ms[CLIENT_BINL] != 0;
	f->quiet_ms = now_ms > r->progress_ms ? now_ms - r->progress_ms : 0;
	unsigned n = boot_files(r, v);
	f->n_files = n;
	for (unsigned i = 0; i < n; i++) {
		enum timeline_kind k = timeline_file_kind(v[i]->name);
		bool ok = v[i]->end_ms && !v[i]->result;
		f->script_asks += k == TL_SCRIPT && v[i]->result == 0;
		f->kernel_done |= k == TL_KERNEL && ok;
		f->initrd_done |= k == TL_INITRD && ok;
		if (k == TL_IPXE_IMAGE) {
			unsigned s = same_done(r, v, n, v[i]->name);
			if (s > f->max_same_ipxe)
				f->max_same_ipxe = s;
		}
		if (!v[i]->end_ms)
			f->inflight = v[i];
		f->last = v[i];
	}
}

/* ---- the cause rules ---- */

static bool m_ipxe_loop(const struct timeline_facts *f)
{
	return f->max_same_ipxe >= 2 && !f->script_asks;
}
static bool m_script_twice(const struct timeline_facts *f)
{
	return f->script_asks >= 2 && !f->kernel_done;
}
static bool m_stalled(const struct timeline_facts *f)
{
	return f->inflight != NULL;
}
static bool m_missing(const struct timeline_facts *f)
{
	return f->last && f->last->result == -2 /* -ENOENT */;
}
static bool m_failed(const struct timeline_facts *f)
{
	return f->last && f->last->result < 0;
}
static bool m_no_4011(const struct timeline_facts *f)
{
	return f->efi && f->stage == CLIENT_OFFER && !f->binl && !f->n_files;
}
static bool m_no_file(const struct timeline_facts *f)
{
	return f->answered && !f->n_files;
}
static bool m_unanswered(const struct timeline_facts *f)
{
	return !f->answered && !f->n_files;
}
static bool m_kernel_no_boot(const struct timeline_facts *f)
{
	return f->kernel_done;
}
static bool m_stopped_after(const struct timeline_facts *f)
{
	return f->last != NULL;
}
static bool m_any(const struct timeline_facts *f)
{
	(void)f;
	return true;
}

static const struct timeline_rule rules[] = {
    {"ipxe-loop", m_ipxe_loop,
     "fetched the iPXE image %s twice: a chain loop (its iPXE was offered iPXE again, so "
     "its DHCP did not carry the iPXE user class or option 175)"},
    {"script-twice", m_script_twice,
     "asked for the iPXE script twice: the firmware's DHCP never saw option 175 (the script "
     "did not get to the kernel)"},
    {"stalled", m_stalled, "the transfer of %s stalled: the client stopped acknowledging"},
    {"file-missing", m_missing, "file missing: %s (the client asked for it; nothing serves it)"},
    {"failed", m_failed, "the transfer of %s failed, and the client did not retry"},
    {"no-4011", m_no_4011, "EDK2 did not come to 4011 after the proxy offer"},
    {"no-file", m_no_file,
     "took no file after the offer: its firmware ignored the proxy offer, or TFTP is blocked"},
    {"unanswered", m_unanswered,
     "its DHCP requests were not answered (no boot file for its architecture, or rate limit)"},
    {"kernel-no-initrd", m_kernel_no_boot,
     "fetched the kernel but no initrd, then stopped (last %s)"},
    {"stopped-after", m_stopped_after,
     "stopped after %s: the program it loaded fetched nothing more"},
    {"quiet", m_any, "no progress"},
};

const struct timeline_rule *timeline_rules(size_t *n)
{
	*n = sizeof rules / sizeof rules[0];
	return rules;
}

const struct timeline_rule *timeline_cause(const struct timeline_facts *f)
{
	size_t n;
	const struct timeline_rule *t = timeline_rules(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].match(f))
			return &t[i];
	return &t[n - 1];
}

void timeline_cause_words(const struct timeline_rule *rule, const struct timeline_facts *f,
			  char *out, size_t cap)
{
	const struct client_file *file = f->inflight ? f->inflight : f->last;
	const char *pct = strstr(rule->words, "%s");
	if (!pct) {
		snprintf(out, cap, "%s", rule->words);
		return;
	}
	snprintf(out, cap, "%.*s%s%s", (int)(pct - rule->words), rule->words,
		 file ? timeline_base(file->name) : "-", pct + 2);
}

enum timeline_verdict timeline_judge(const struct client_rec *r, uint64_t now_ms,
				     const struct timeline_cfg *cfg)
{
	uint64_t handoff = cfg && cfg->handoff_quiet_ms ? cfg->handoff_quiet_ms : 3000;
	uint64_t stall = cfg && cfg->stall_ms ? cfg->stall_ms : 30000;
	if (!r->used || r->stage == CLIENT_HANDOFF || r->cause[0])
		return TL_RUNNING;
	struct timeline_facts f;
	timeline_facts(r, now_ms, &f);
	if (!f.inflight && f.kernel_done && f.initrd_done && f.last && !f.last->result &&
	    f.quiet_ms >= handoff) {
		enum timeline_kind k = timeline_file_kind(f.last->name);
		if (k == TL_KERNEL || k == TL_INITRD)
			return TL_HANDOFF;
	}
	return f.quiet_ms >= stall ? TL_STALLED : TL_RUNNING;
}

/* ---- formatting ---- */

void timeline_bytes(uint64_t n, char *out, size_t cap)
{
	static const char *const unit[] = {"B", "KB", "MB", "GB", "TB"};
	unsigned u = 0;
	uint64_t scaled = n * 10; /* tenths */
	while (n >= 1000 && u < 4) {
		scaled = n * 10 / 1000;
		n /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%lluB", (unsigned long long)n);
	else if (scaled < 100)
		snprintf(out, cap, "%llu.%llu%s", (unsigned long long)(scaled / 10),
			 (unsigned long long)(scaled % 10), unit[u]);
	else
		snprintf(out, cap, "%llu%s", (unsigned long long)n, unit[u]);
}

void timeline_rate(uint64_t bytes, uint64_t ms, char *out, size_t cap)
{
	char b[24];
	timeline_bytes(ms ? bytes * 1000 / ms : bytes, b, sizeof b);
	snprintf(out, cap, "%s/s", b);
}

/* "+1.2s" of t after base. */
static void offset(uint64_t t, uint64_t base, char *out, size_t cap)
{
	uint64_t d = t > base ? t - base : 0;
	snprintf(out, cap, "+%llu.%llus", (unsigned long long)(d / 1000),
		 (unsigned long long)(d % 1000 / 100));
}

static void put(char *out, size_t cap, size_t *o, const char *s)
{
	int n = snprintf(out + *o, cap - *o, "%s%s", *o ? ", " : "", s);
	if (n > 0)
		*o = *o + (size_t)n < cap ? *o + (size_t)n : cap - 1;
}

size_t timeline_format(const struct client_rec *r, char *out, size_t cap)
{
	static const char *const stage_words[] = {NULL, "offer", "4011"};
	const struct client_file *v[CLIENT_FILES];
	char item[CLIENT_NAME_MAX + 160], at[24], sz[24], rate[32];
	size_t o = 0;
	if (!cap)
		return 0;
	out[0] = 0;
	for (int s = CLIENT_OFFER; s <= CLIENT_BINL; s++) {
		if (!r->stage_ms[s])
			continue;
		offset(r->stage_ms[s], r->boot_ms, at, sizeof at);
		snprintf(item, sizeof item, "%s %s", stage_words[s], at);
		put(out, cap, &o, item);
	}
	unsigned n = boot_files(r, v);
	for (unsigned i = 0; i < n; i++) {
		const struct client_file *f = v[i];
		uint64_t ms = f->end_ms > f->start_ms ? f->end_ms - f->start_ms : 0;
		offset(f->start_ms, r->boot_ms, at, sizeof at);
		timeline_bytes(f->bytes, sz, sizeof sz);
		timeline_rate(f->bytes, ms, rate, sizeof rate);
		/* a TFTP size probe: tsize learnt, then aborted by the client */
		bool probe = f->end_ms && !f->result && !f->bytes && f->size;
		const char *state = !f->end_ms	? " (in flight)"
				    : f->result ? " (failed)"
				    : probe	? " (size probe)"
						: "";
		char tail[40] = "";
		/* a duration worth a rate: " at 40MB/s" */
		if (ms >= 100)
			snprintf(tail, sizeof tail, " at %s", rate);
		snprintf(item, sizeof item, "%.96s %s %s %s%s%s", timeline_base(f->name),
			 f->proto == CLIENT_TFTP ? "tftp" : "http", at, sz, tail, state);
		put(out, cap, &o, item);
	}
	if (r->stage_ms[CLIENT_HANDOFF]) {
		offset(r->stage_ms[CLIENT_HANDOFF], r->boot_ms, at, sizeof at);
		snprintf(item, sizeof item, "handoff %s", at);
		put(out, cap, &o, item);
	}
	return o;
}
