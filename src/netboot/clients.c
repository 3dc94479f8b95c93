/* clients: the per-client (MAC) record table; see clients.h. */
#include "netboot/clients.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const stage_names[CLIENT_STAGES] = {"seen", "offer", "binl", "file", "handoff"};

const char *client_stage_name(enum client_stage s)
{
	return (unsigned)s < CLIENT_STAGES ? stage_names[s] : "?";
}

void clients_init(struct clients *c)
{
	memset(c, 0, sizeof *c);
	memset(c->idx, 0xff, sizeof c->idx); /* every chain empty */
	counters_init(&c->ctr);
}

size_t clients_count(const struct clients *c)
{
	size_t n = 0;
	for (size_t i = 0; i < CLIENTS_MAX; i++)
		n += c->v[i].used;
	return n;
}

/* ---- the indexes: MAC, IPv4 and IPv6 address to record, hash chains
 * through the records (one entry per record and key), so a lookup per
 * packet or transfer event does not scan the table. ---- */

static unsigned clients_hash(const void *key, size_t n)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return (h ^ (h >> 16)) & (CLIENTS_HASH - 1);
}

static const void *clients_key(const struct client_rec *r, enum clients_idx k, size_t *n)
{
	*n = k == CLIENTS_IDX_MAC ? 6 : k == CLIENTS_IDX_IP4 ? 4 : 16;
	return k == CLIENTS_IDX_MAC   ? (const void *)r->mac
	       : k == CLIENTS_IDX_IP4 ? (const void *)r->ip4
				      : (const void *)&r->ip6;
}

static void clients_link(struct clients *c, enum clients_idx k, struct client_rec *r)
{
	size_t n;
	const void *key = clients_key(r, k, &n);
	uint16_t i = (uint16_t)(r - c->v), *head = &c->idx[k].head[clients_hash(key, n)];
	c->idx[k].next[i] = *head;
	*head = i;
}

static void clients_unlink(struct clients *c, enum clients_idx k, struct client_rec *r)
{
	size_t n;
	const void *key = clients_key(r, k, &n);
	uint16_t i = (uint16_t)(r - c->v), *p = &c->idx[k].head[clients_hash(key, n)];
	while (*p != CLIENTS_NONE && *p != i)
		p = &c->idx[k].next[*p];
	if (*p == i)
		*p = c->idx[k].next[i];
}

/* The record holding key in index k, or NULL. */
static struct client_rec *clients_lookup(struct clients *c, enum clients_idx k, const void *key)
{
	size_t n;
	for (uint16_t i = c->idx[k].head[clients_hash(key, k == CLIENTS_IDX_MAC	  ? 6
							   : k == CLIENTS_IDX_IP4 ? 4
										  : 16)];
	     i != CLIENTS_NONE; i = c->idx[k].next[i]) {
		const void *have = clients_key(&c->v[i], k, &n);
		if (!memcmp(have, key, n))
			return &c->v[i];
	}
	return NULL;
}

struct client_rec *clients_find_mac(struct clients *c, const uint8_t mac[6])
{
	return clients_lookup(c, CLIENTS_IDX_MAC, mac);
}

/* Frees r (to be reused): out of every index. */
static void clients_forget(struct clients *c, struct client_rec *r)
{
	clients_unlink(c, CLIENTS_IDX_MAC, r);
	if (r->has_ip4)
		clients_unlink(c, CLIENTS_IDX_IP4, r);
	if (r->has_ip6)
		clients_unlink(c, CLIENTS_IDX_IP6, r);
	memset(r, 0, sizeof *r);
}

/* "52:54:00:12:34:56" without printf: a DHCP flood of new MACs makes many. */
static void clients_mac_str(const uint8_t mac[6], char out[18])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 6; i++) {
		out[3 * i] = hex[mac[i] >> 4];
		out[3 * i + 1] = hex[mac[i] & 15];
		out[3 * i + 2] = i < 5 ? ':' : 0;
	}
}

struct client_rec *clients_touch(struct clients *c, const uint8_t mac[6], uint64_t now_ms)
{
	struct client_rec *r = clients_find_mac(c, mac);
	if (!r) {
		/* Records are never freed, only reused: the unused ones are the
		 * tail. Once full, the least recently seen of the next
		 * CLIENTS_EVICT_SCAN records in turn goes (a new MAC in a DHCP
		 * flood costs that many looks, not the table). */
		if (c->n_used < CLIENTS_MAX) {
			r = &c->v[c->n_used++];
		} else {
			for (size_t k = 0; k < CLIENTS_EVICT_SCAN; k++) {
				struct client_rec *x = &c->v[(c->hand + k) % CLIENTS_MAX];
				if (!r || x->last_ms < r->last_ms)
					r = x;
			}
			c->hand = (c->hand + CLIENTS_EVICT_SCAN) % CLIENTS_MAX;
			c->evicted++;
			clients_forget(c, r);
		}
		memset(r, 0, sizeof *r);
		r->used = true;
		memcpy(r->mac, mac, 6);
		clients_link(c, CLIENTS_IDX_MAC, r);
		clients_mac_str(mac, r->mac_str);
		r->first_ms = r->boot_ms = r->progress_ms = now_ms;
	}
	r->last_ms = now_ms;
	return r;
}

struct client_rec *clients_find_addr(struct clients *c, const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (sa->sa_family == AF_INET)
		return clients_lookup(c, CLIENTS_IDX_IP4,
				      &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return NULL;
	const struct in6_addr *ip6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!memcmp(ip6->s6_addr, mapped, 12))
		return clients_lookup(c, CLIENTS_IDX_IP4, ip6->s6_addr + 12);
	return clients_lookup(c, CLIENTS_IDX_IP6, ip6);
}

void clients_set_ip4(struct clients *c, struct client_rec *r, const uint8_t ip[4])
{
	if (r->has_ip4 && !memcmp(r->ip4, ip, 4))
		return;
	/* One holder per address: another machine that had it lost it. */
	struct client_rec *h = clients_lookup(c, CLIENTS_IDX_IP4, ip);
	if (h) {
		clients_unlink(c, CLIENTS_IDX_IP4, h);
		h->has_ip4 = false;
	}
	if (r->has_ip4)
		clients_unlink(c, CLIENTS_IDX_IP4, r);
	memcpy(r->ip4, ip, 4);
	r->has_ip4 = true;
	clients_link(c, CLIENTS_IDX_IP4, r);
}

void clients_set_ip6(struct clients *c, struct client_rec *r, const struct in6_addr *ip)
{
	if (r->has_ip6 && !memcmp(&r->ip6, ip, sizeof *ip))
		return;
	struct client_rec *h = clients_lookup(c, CLIENTS_IDX_IP6, ip);
	if (h) {
		clients_unlink(c, CLIENTS_IDX_IP6, h);
		h->has_ip6 = false;
	}
	if (r->has_ip6)
		clients_unlink(c, CLIENTS_IDX_IP6, r);
	r->ip6 = *ip;
	r->has_ip6 = true;
	clients_link(c, CLIENTS_IDX_IP6, r);
}

void clients_set_arch(struct client_rec *r, const char *arch)
{
	size_t n = strnlen(arch, sizeof r->arch - 1);
	memcpy(r->arch, arch, n);
	r->arch[n] = 0;
}

void clients_stage(struct client_rec *r, enum client_stage s, uint64_t now_ms)
{
	if ((unsigned)s >= CLIENT_STAGES)
		return;
	bool stopped = r->stage == CLIENT_HANDOFF || r->cause[0];
	if (s <= CLIENT_BINL && s != CLIENT_SEEN && stopped) {
		/* A new boot of the same machine: a fresh timeline. */
		memset(r->stage_ms, 0, sizeof r->stage_ms);
		r->last_error[0] = 0;
		r->cause[0] = 0;
		r->timeline_said = false;
		r->boot_ms = r->progress_ms = now_ms;
		r->stage = s;
	}
	/* Progress is a stage reached, not a request repeated: a firmware
	 * that keeps asking without taking the offer is stuck. */
	if (s > r->stage)
		r->progress_ms = now_ms;
	if (s >= r->stage)
		r->stage = s;
	if (!r->stage_ms[s])
		r->stage_ms[s] = now_ms ? now_ms : 1;
}

struct client_file *clients_file_start(struct client_rec *r, enum client_proto p, const char *name,
				       uint64_t size, uint64_t now_ms)
{
	struct client_file *f = &r->files[r->n_files++ % CLIENT_FILES];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	f->proto = p;
	f->size = size;
	f->start_ms = now_ms;
	clients_stage(r, CLIENT_FILE, now_ms);
	return f;
}

void clients_file_end(struct client_rec *r, enum client_proto p, const char *name, uint64_t bytes,
		      int result, const char *why, uint64_t now_ms)
{
	bool found = false;
	/* The newest in-flight entry of that name (a client may retry). */
	for (unsigned k = 0; k < CLIENT_FILES && k < r->n_files; k++) {
		struct client_file *f = &r->files[(r->n_files - 1 - k) % CLIENT_FILES];
		if (f->end_ms || strncmp(f->name, name, sizeof f->name - 1))
			continue;
		f->bytes = bytes;
		f->result = result;
		f->end_ms = now_ms ? now_ms : 1;
		found = true;
		break;
	}
	if (!found && result < 0) {
		/* refused before it began (not found): an entry of its own */
		struct client_file *f = &r->files[r->n_files++ % CLIENT_FILES];
		memset(f, 0, sizeof *f);
		snprintf(f->name, sizeof f->name, "%s", name);
		f->proto = p;
		f->result = result;
		f->start_ms = now_ms;
		f->end_ms = now_ms ? now_ms : 1;
	}
	r->progress_ms = now_ms;
	if (result < 0)
		clients_error(r, why);
}

void clients_file_progress(struct client_rec *r, const char *name, uint64_t bytes, uint64_t now_ms)
{
	for (unsigned k = 0; k < CLIENT_FILES && k < r->n_files; k++) {
		struct client_file *f = &r->files[(r->n_files - 1 - k) % CLIENT_FILES];
		if (f->end_ms || strncmp(f->name, name, sizeof f->name - 1))
			continue;
		if (bytes > f->bytes)
			r->progress_ms = now_ms;
		f->bytes = bytes;
		return;
	}
}

const struct client_file *clients_current_file(const struct client_rec *r)
{
	return r->n_files ? &r->files[(r->n_files - 1) % CLIENT_FILES] : NULL;
}

struct client_rec *clients_report(struct clients *c, const struct sockaddr *from, const char *text,
				  uint64_t now_ms)
{
	struct client_rec *r = clients_find_addr(c, from);
	if (!r)
		return NULL;
	snprintf(r->report, sizeof r->report, "%s", text ? text : "");
	r->report_ms = now_ms;
	r->last_ms = now_ms;
	return r;
}

void clients_handoff(struct clients *c, struct client_rec *r, uint64_t now_ms)
{
	clients_stage(r, CLIENT_HANDOFF, now_ms);
	c->ctr.handoffs++;
	if (c->on_handoff)
		c->on_handoff(c->hook_arg, r);
}

void clients_error(struct client_rec *r, const char *why)
{
	snprintf(r->last_error, sizeof r->last_error, "%s", why ? why : "error");
}

void clients_note(struct clients *c, const struct client_note *n, uint64_t now_ms)
{
	if (!n->valid)
		return;
	struct client_rec *r =
	    n->known_only ? clients_find_mac(c, n->mac) : clients_touch(c, n->mac, now_ms);
	if (!n->known_only)
		counters_dhcp(&c->ctr, n->v6 ? CTR_DHCP6 : CTR_DHCP4,
			      n->stage == CLIENT_OFFER	? CTR_OFFER
			      : n->stage == CLIENT_BINL ? CTR_ANSWER
							: -1,
			      n->arch);
	if (!r)
		return;
	r->last_ms = now_ms;
	if (n->arch[0])
		clients_set_arch(r, n->arch);
	if (n->has_ip4)
		clients_set_ip4(c, r, n->ip4);
	if (n->has_ip6)
		clients_set_ip6(c, r, &n->ip6);
	if (n->stage != CLIENT_SEEN)
		clients_stage(r, n->stage, now_ms);
	else if (!r->stage_ms[CLIENT_SEEN])
		r->stage_ms[CLIENT_SEEN] = now_ms ? now_ms : 1;
}

void clients_note_hook(void *arg, const struct client_note *n)
{
	struct clients *c = arg;
	clients_note(c, n, c->l ? loop_now_ms(c->l) : 0);
}

/* ---- the transports' observer ---- */

/* Whether name (as the client asked it) ends in the plan's last file. */
static bool clients_is_final(const struct clients *c, const char *name)
{
	if (!c->final_file || !*c->final_file)
		return false;
	size_t n = strlen(name), f = strlen(c->final_file);
	return n >= f && !strcmp(name + n - f, c->final_file);
}

static void clients_on_xfer(void *arg, const struct xfer_event *ev)
{
	struct clients *c = arg;
	counters_xfer(&c->ctr, ev);
	struct client_rec *r = clients_find_addr(c, ev->peer);
	uint64_t now = loop_now_ms(c->l);
	if (!r)
		return; /* no DHCP stage seen: a curl, or a client of another server */
	r->last_ms = now;
	enum client_proto p = ev->proto == XFER_TFTP ? CLIENT_TFTP : CLIENT_HTTP;
	switch (ev->kind) {
	case XFER_START:
		clients_file_start(r, p, ev->file, ev->size, now);
		break;
	case XFER_PROGRESS:
		clients_file_progress(r, ev->file, ev->bytes, now);
		break;
	case XFER_DONE:
		clients_file_end(r, p, ev->file, ev->bytes, 0, NULL, now);
		if (clients_is_final(c, ev->file) && r->stage != CLIENT_HANDOFF)
			clients_handoff(c, r, now);
		break;
	case XFER_FAIL:
		clients_file_end(r, p, ev->file, ev->bytes, ev->err ? ev->err : -EIO, ev->reason,
				 now);
		break;
	}
}

static bool clients_mac_of(void *arg, const struct sockaddr *peer, char out[18])
{
	const struct client_rec *r = clients_find_addr(arg, peer);
	if (!r)
		return false;
	memcpy(out, r->mac_str, 18);
	return true;
}

void clients_observe(struct clients *c, struct loop *l, struct xfer_observer *obs)
{
	c->l = l;
	*obs = (struct xfer_observer){.event = clients_on_xfer, .mac_of = clients_mac_of, .arg = c};
}
