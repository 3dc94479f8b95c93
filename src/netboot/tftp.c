/* tftp: the TFTP server: one listening socket, one transfer per read request
 * (socket, timer, window buffer), option negotiation, adaptive retransmit. */
#include "netboot/tftp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/sys.h"
#include "netboot/rpi.h"
#include "netboot/ratelimit.h"
#include "netboot/tftp_rto.h"
#include "netboot/tftp_wire.h"
#include "netboot/udp.h"
#include "netboot/tftp_xfer_state.h"

/* musl spells some of these only under certain feature macros; the values
 * are kernel ABI. */
#ifndef IP_MTU
#define IP_MTU 14
#endif
#ifndef IPV6_MTU
#define IPV6_MTU 24
#endif

#define TFTP_DEF_PORT 69
#define TFTP_DEF_BLKSIZE_CAP 1468 /* Ethernet MTU 1500 - 32 */
#define TFTP_DEF_WINDOW_CAP 64
#define TFTP_DEF_TIMEOUT_MS 1000
#define TFTP_DEF_MIN_TIMEOUT_MS 5
/* A file transfer reads at least this much at once (lockstep clients: one
 * pread per ~11 blocks of 1468 instead of one per block). */
#define TFTP_READAHEAD (16u << 10)
#define TFTP_DEF_RETRIES 5
#define TFTP_DEF_MAX_XFERS 1024
#define TFTP_DEF_PER_CLIENT 32
#define TFTP_DEF_MEM_BUDGET ((size_t)64 << 20)
#define TFTP_DEF_STALL_MS 20000
#define TFTP_DEF_RATE_CLIENT 32	 /* new requests per second per address, burst 2x */
#define TFTP_DEF_RATE_GLOBAL 500 /* new requests per second in all, burst 2x */
/* RFC 2349 timeouts above this are left out of the OACK (the adaptive RTO
 * runs instead): a client must not hold a slot for 6 x 255 s. */
#define TFTP_CLIENT_TIMEOUT_MAX_S 5
/* Timer resends to a client that never answered (maybe a spoofed source):
 * a real one repeats its request, and that is answered. */
#define TFTP_UNCONFIRMED_RESENDS 1
/* One window's data buffer per transfer is at most this big, so a client
 * asking blksize 65464 * windowsize 65535 cannot make us allocate 4 GiB:
 * the windowsize we grant shrinks instead (RFC 7440 lets the server). */
#define TFTP_XFER_BUF_MAX (1u << 20)
#define TFTP_WINDOW_SANE 32767
#define TFTP_LISTEN_BATCH 32 /* datagrams per recvmmsg on the listening socket */
#define TFTP_LISTEN_ROUNDS 2 /* recvmmsg calls per loop turn */
#define TFTP_TXQ_MAX 512     /* shared sockets: datagrams per sendmmsg across transfers */
#define TFTP_LOGNAME_MAX 200
/* Room for one IP_PKTINFO or IPV6_PKTINFO control message (CMSG_SPACE is 32
 * and 40 on LP64; a literal, because clang does not take CMSG_SPACE as a
 * constant in a struct); tftp_dst_ctl checks at run time. */
#define TFTP_CTL_ONE 64

struct tftp_xfer;

/* A socket of the server: the listening one, and (shared modes) one that
 * transfers send from and receive on, told apart by the client's
 * address:port. With single_port the listening socket is both. */
struct tftp_sock {
	struct loop_watch lw;
	struct tftp_server *srv;
	bool listener; /* requests arrive here */
	bool xfers;    /* transfers use it */
	/* transfers waiting for it to take more (EPOLLOUT while > 0) */
	size_t out_waiting;
	/* DATA of its transfers queued during one loop turn, sent with one
	 * sendmmsg (tftp_txq_flush) */
	struct mmsghdr txq[TFTP_TXQ_MAX];
	struct tftp_xfer *txq_x[TFTP_TXQ_MAX];
	uint64_t txq_block[TFTP_TXQ_MAX];
	unsigned txq_n;
};

struct tftp_server {
	struct loop *loop;
	struct tftp_config cfg; /* defaults applied */
	struct tftp_sock ls;	/* listening socket */
	/* shared modes: the sockets transfers use (single_port: &ls alone;
	 * xfer_sockets: a pool on ephemeral ports, given out in turn) */
	struct tftp_sock *pool;
	unsigned npool, next_sock;
	int family;
	uint16_t port;
	struct tftp_xfer *head; /* every transfer in progress */
	size_t active;
	struct log_budget lb;	   /* refusals are per packet: a flood must not flood the log */
	struct log_budget lb_done; /* tftp.done: its own, so refusals never hide one */
	/* new requests' replies per client address and in all (not a reflector) */
	struct ratelimit rl;	   /* first replies: per address and overall */
	struct ratelimit rl_known; /* clients the DHCP stage saw: per address only */
	size_t mem_used;	   /* bytes of every transfer (cfg.mem_budget caps it) */
	size_t unconfirmed;	   /* transfers whose client never answered */
	/* shared modes: transfers by client address:port, and the transfers
	 * that got packets in the current receive batch */
	struct tftp_xfer **hash;
	size_t hmask;
	struct tftp_xfer *rx_pending;
};

struct tftp_xfer {
	struct tftp_server *srv;
	struct tftp_xfer *prev, *next;
	struct loop_watch w;  /* the transfer's own connected socket (fd -1: shared) */
	struct tftp_sock *sh; /* shared modes: the socket it uses, else NULL */
	struct loop_timer t;  /* retransmission */
	int file;	      /* -1 when serving a vfile */
	struct bootfile vf;
	uint64_t size;
	/* window, ACKs, resends and giving up (pure, tftp_xfer_state.c); its
	 * deadline_ms is lazy: the heap timer may fire early, then re-arms */
	struct tftp_xs xs;
	unsigned blksize, timeout_ms;
	size_t mem;	  /* bytes allocated, counted in the server's budget */
	bool unconfirmed; /* counted in srv->unconfirmed */
	/* read buffer: blocks buf_first .. buf_first + buf_n - 1 */
	unsigned buf_blocks, buf_n;
	uint64_t buf_first;
	/* shared modes */
	struct tftp_xfer *hnext, *rx_next;
	struct tftp_rx rx;
	bool rx_pending;
	unsigned txq_n;		     /* datagrams of x in its socket's send queue */
	struct sockaddr_storage dst; /* peer as the shared socket spells it */
	socklen_t dst_len;
	union {
		char buf[TFTP_CTL_ONE];
		size_t align; /* cmsghdr's (glibc's ends in a flexible array) */
	} ctl;		      /* the source address: the one the request was sent to */
	size_t ctl_len;
	bool sent_tsize;
	bool want_out; /* EPOLLOUT registered: socket buffer was full */
	uint64_t start_us;
	uint64_t progress_ms; /* last XFER_PROGRESS told */
	struct sockaddr_storage peer;
	char peer_str[INET6_ADDRSTRLEN + 8];
	char mac[24]; /* " mac=..." when the DHCP stage saw the client, else "" */
	char path[FSROOT_PATH_MAX];
	char logname[TFTP_LOGNAME_MAX];
	uint8_t oack[512];
	size_t oack_len;
	/* window arrays, carved from the same allocation */
	struct mmsghdr *msgs;
	struct iovec *iov;
	uint8_t (*hdr)[TFTP_HDR];
	uint8_t *data;
};

/* ---- addresses ---- */

static socklen_t tftp_sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* "192.0.2.7:2070" or "[2001:db8::7]:2070" */
static void tftp_sa_str(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	}
}

static bool tftp_sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* ---- shared sockets: transfers told apart by the peer ---- */

static bool tftp_shared(const struct tftp_server *s)
{
	return s->npool > 0;
}

static size_t tftp_sa_hash(const struct sockaddr_storage *ss)
{
	const uint8_t *a;
	size_t n;
	uint16_t port;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		a = s6->sin6_addr.s6_addr;
		n = 16;
		port = s6->sin6_port;
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;
		a = (const uint8_t *)&s4->sin_addr;
		n = 4;
		port = s4->sin_port;
	}
	uint32_t h = 2166136261u ^ port;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	return h ^ (h >> 15);
}

static struct tftp_xfer *tftp_find(const struct tftp_server *s, const struct sockaddr_storage *peer)
{
	for (struct tftp_xfer *x = s->hash[tftp_sa_hash(peer) & s->hmask]; x; x = x->hnext)
		if (tftp_sa_equal(&x->peer, peer))
			return x;
	return NULL;
}

/* The peer as a sockaddr for the listening socket (v4-mapped on a
 * dual-stack one), and an IP_PKTINFO / IPV6_PKTINFO control message that
 * makes replies leave from the address the request was sent to. */
static socklen_t tftp_dst_ctl(const struct tftp_server *s, const struct sockaddr_storage *peer,
			      const struct sockaddr_storage *local, int ifindex,
			      struct sockaddr_storage *dst, void *ctl, size_t ctl_cap,
			      size_t *ctl_len)
{
	socklen_t dlen;
	memset(dst, 0, sizeof *dst);
	if (s->family == AF_INET6 && peer->ss_family == AF_INET) {
		const struct sockaddr_in *p4 = (const void *)peer;
		struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)dst;
		d6->sin6_family = AF_INET6;
		d6->sin6_port = p4->sin_port;
		d6->sin6_addr.s6_addr[10] = d6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&d6->sin6_addr.s6_addr[12], &p4->sin_addr, 4);
		dlen = sizeof *d6;
	} else {
		memcpy(dst, peer, tftp_sa_len(peer));
		dlen = tftp_sa_len(peer);
	}
	/* zeroed: musl's cmsghdr has padding where the kernel has size_t */
	memset(ctl, 0, ctl_cap);
	*ctl_len = 0;
	if (ctl_cap < CMSG_SPACE(sizeof(struct in6_pktinfo)))
		return dlen;
	struct msghdr mh = {.msg_control = ctl, .msg_controllen = ctl_cap};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (local->ss_family == AF_INET && peer->ss_family == AF_INET) {
		struct in_pktinfo pi = {0};
		pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		*ctl_len = CMSG_SPACE(sizeof pi);
	} else if (local->ss_family == AF_INET6 && peer->ss_family == AF_INET6) {
		struct in6_pktinfo pi = {0};
		pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
			pi.ipi6_ifindex = (unsigned)ifindex;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		*ctl_len = CMSG_SPACE(sizeof pi);
	}
	return dlen;
}

/* One datagram from an unconnected socket (the listening one, a shared one). */
static ssize_t tftp_sock_send(int fd, const struct sockaddr_storage *dst, socklen_t dst_len,
			      const void *ctl, size_t ctl_len, const void *p, size_t n)
{
	struct iovec iov = {(void *)p, n};
	struct msghdr mh = {.msg_name = (void *)dst,
			    .msg_namelen = dst_len,
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl_len ? (void *)ctl : NULL,
			    .msg_controllen = ctl_len};
	return sendmsg(fd, &mh, 0);
}

/* A UDP socket bound to the local address the request came to (port 0: a
 * fresh TID, RFC 1350) and connected to the client, so every reply leaves
 * from the address the client talked to and the kernel filters out
 * packets from other TIDs. Returns the fd or -errno. */
static int tftp_reply_socket(const struct sockaddr_storage *local, int ifindex,
			     const struct sockaddr_storage *peer)
{
	int fd = socket(peer->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (local->ss_family == peer->ss_family) {
		struct sockaddr_storage b = *local;
		if (b.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&b;
			s6->sin6_port = 0;
			/* link-local needs its interface */
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
				s6->sin6_scope_id = (uint32_t)ifindex;
		} else {
			((struct sockaddr_in *)&b)->sin_port = 0;
		}
		/* If the request went to an address we cannot bind (broadcast,
		 * multicast), let the kernel choose the source instead. */
		if (bind(fd, (struct sockaddr *)&b, tftp_sa_len(&b)) && errno != EADDRNOTAVAIL &&
		    errno != EINVAL) {
			int err = -errno;
			close(fd);
			return err;
		}
	}
	if (connect(fd, (const struct sockaddr *)peer, tftp_sa_len(peer))) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* A socket connected to peer, unbound: only to read the route's MTU. */
static int tftp_mtu_socket(const struct sockaddr_storage *peer)
{
	int fd = socket(peer->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)peer, tftp_sa_len(peer))) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Largest blksize the route to the client carries unfragmented. */
static unsigned tftp_route_blksize(int fd, int family)
{
	int mtu = 0;
	socklen_t len = sizeof mtu;
	int r = family == AF_INET6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len)
				   : getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len);
	if (r || mtu <= 0)
		return TFTP_BLKSIZE_MAX;
	return tftp_blksize_for_mtu((unsigned)mtu, family == AF_INET6);
}

/* Microseconds, for the rate in the log: small files take less than 1 ms. */
static uint64_t tftp_clock_us(void)
{
	return sys_clock_us(CLOCK_MONOTONIC);
}

/* ---- refusals ---- */

/* Sends one datagram to peer from the listening socket, with the source
 * address the request was sent to (single_port, or when no fresh socket can
 * be had: out of descriptors). */
static void tftp_listen_reply(struct tftp_server *s, const struct sockaddr_storage *local,
			      int ifindex, const struct sockaddr_storage *peer, const void *p,
			      size_t n)
{
	struct sockaddr_storage dst;
	union {
		char buf[TFTP_CTL_ONE];
		struct cmsghdr align;
	} ctl;
	size_t cl;
	socklen_t dl = tftp_dst_ctl(s, peer, local, ifindex, &dst, ctl.buf, sizeof ctl.buf, &cl);
	if (tftp_sock_send(s->ls.lw.fd, &dst, dl, ctl.buf, cl, p, n) < 0)
		log_debug("tftp.error reason=send err=%d", errno);
}

/* Sends one ERROR from a fresh socket (a new TID, like any reply; from the
 * listening socket when none can be had) and logs the refusal within the
 * log budget. Fast: no timer, no state. */
static void tftp_refuse(struct tftp_server *s, const struct sockaddr_storage *local, int ifindex,
			const struct sockaddr_storage *peer, uint16_t code, const char *msg,
			const char *reason, const char *logname)
{
	char ps[INET6_ADDRSTRLEN + 8];
	uint8_t pkt[128];
	struct wbuf w;
	tftp_sa_str(peer, ps, sizeof ps);
	if (log_budget_take(&s->lb, loop_clock_ms(), "tftp"))
		log_info("tftp.refuse client=%s file=%s code=%u reason=%s", ps,
			 logname ? logname : "-", code, reason);
	wbuf_init(&w, pkt, sizeof pkt);
	if (tftp_build_error(&w, code, msg))
		return;
	int fd = s->cfg.single_port ? -1 : tftp_reply_socket(local, ifindex, peer);
	if (fd < 0) {
		tftp_listen_reply(s, local, ifindex, peer, pkt, w.len);
		return;
	}
	if (send(fd, pkt, w.len, 0) < 0)
		log_debug("tftp.error client=%s reason=send err=%d", ps, errno);
	close(fd);
}

/* Busy (every slot taken, out of descriptors or memory): no reply at all.
 * The client repeats its request after its timeout (every firmware does,
 * several times over tens of seconds) and gets a slot then, where an
 * ERROR "server busy" would have ended its boot. Logged within the log
 * budget. */
static void tftp_defer(struct tftp_server *s, const struct sockaddr_storage *peer,
		       const char *reason, const char *logname)
{
	if (log_budget_take(&s->lb, loop_clock_ms(), "tftp")) {
		char ps[INET6_ADDRSTRLEN + 8];
		tftp_sa_str(peer, ps, sizeof ps);
		log_info("tftp.defer client=%s file=%s reason=%s active=%zu", ps,
			 logname ? logname : "-", reason, s->active);
	}
}

/* Out of descriptors or memory: the errnos that mean "busy", not "denied". */
static bool tftp_errno_busy(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM || err == ENOBUFS;
}

/* ---- transfers ---- */

static void tftp_xfer_free(struct tftp_xfer *x)
{
	struct tftp_server *s = x->srv;
	loop_timer_cancel(s->loop, &x->t);
	if (x->sh) {
		struct tftp_sock *k = x->sh;
		struct tftp_xfer **pp = &s->hash[tftp_sa_hash(&x->peer) & s->hmask];
		while (*pp && *pp != x)
			pp = &(*pp)->hnext;
		if (*pp)
			*pp = x->hnext;
		if (x->rx_pending) {
			pp = &s->rx_pending;
			while (*pp && *pp != x)
				pp = &(*pp)->rx_next;
			if (*pp)
				*pp = x->rx_next;
		}
		if (x->want_out)
			k->out_waiting--;
		/* its queued datagrams point into x: drop them */
		unsigned j = 0;
		for (unsigned i = 0; x->txq_n && i < k->txq_n; i++) {
			if (k->txq_x[i] == x)
				continue;
			k->txq[j] = k->txq[i];
			k->txq_x[j] = k->txq_x[i];
			k->txq_block[j++] = k->txq_block[i];
		}
		if (x->txq_n)
			k->txq_n = j;
	}
	s->mem_used -= x->mem;
	if (x->unconfirmed)
		s->unconfirmed--;
	if (x->w.fd >= 0) {
		loop_del(s->loop, &x->w);
		close(x->w.fd);
	}
	if (x->file >= 0)
		close(x->file);
	if (x->vf.release)
		x->vf.release(x->vf.cookie);
	if (x->prev)
		x->prev->next = x->next;
	else
		s->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	s->active--;
	free(x);
}

static uint64_t tftp_xfer_bytes(const struct tftp_xfer *x)
{
	uint64_t b = x->xs.acked * (uint64_t)x->blksize;
	return b > x->size ? x->size : b;
}

/* Whether the DHCP stage saw a client at peer's address (xfer.h). */
static bool tftp_known_peer(const struct tftp_server *s, const struct sockaddr_storage *peer)
{
	const struct xfer_observer *o = s->cfg.obs;
	char mac[18];
	return o && o->mac_of && o->mac_of(o->arg, (const struct sockaddr *)peer, mac);
}

/* Tells the observer about x. */
static void tftp_xfer_event(struct tftp_xfer *x, enum xfer_kind kind, const char *reason)
{
	const struct xfer_observer *o = x->srv->cfg.obs;
	if (!o || !o->event)
		return;
	struct xfer_event ev = {
	    .kind = kind,
	    .proto = XFER_TFTP,
	    .peer = (const struct sockaddr *)&x->peer,
	    .file = x->logname,
	    .size = x->size,
	    .bytes = tftp_xfer_bytes(x),
	    .reason = reason,
	    .err = kind == XFER_FAIL ? -ETIMEDOUT : 0,
	};
	o->event(o->arg, &ev);
}

/* Logs, reports and frees x. reason NULL = success. */
static void tftp_xfer_end(struct tftp_xfer *x, const char *reason, bool probe)
{
	struct tftp_server *s = x->srv;
	uint64_t us = tftp_clock_us() - x->start_us;
	uint64_t ms = us / 1000;
	uint64_t bytes = tftp_xfer_bytes(x);
	uint64_t now = loop_clock_ms();
	if (!reason && log_budget_take(&s->lb_done, now, "tftp.done")) {
		/* bytes per microsecond * 1000 = kB/s (1000-byte kB) */
		unsigned long long rate = (unsigned long long)(bytes * 1000 / (us ? us : 1));
		log_info("tftp.done client=%s%s file=%s bytes=%llu secs=%llu.%03llu rate_kBps=%llu "
			 "blksize=%u window=%u rtt_ms=%u.%u timeouts=%u",
			 x->peer_str, x->mac, x->logname, (unsigned long long)bytes,
			 (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000), rate,
			 x->blksize, x->xs.window, x->xs.rto.srtt_us / 1000,
			 x->xs.rto.srtt_us / 100 % 10, x->xs.timeouts);
	} else if (!reason) {
		/* over the budget: on_done still reports it */
	} else if (!log_budget_take(&s->lb, now, "tftp")) {
		/* a flood of transfers that fail must not flood the log */
	} else if (probe) {
		log_info("tftp.probe client=%s%s file=%s tsize=%llu", x->peer_str, x->mac,
			 x->logname, (unsigned long long)x->size);
	} else {
		log_warn("tftp.fail client=%s%s file=%s reason=%s bytes=%llu/%llu", x->peer_str,
			 x->mac, x->logname, reason, (unsigned long long)bytes,
			 (unsigned long long)x->size);
	}
	/* A size probe got what it asked for: the size. */
	tftp_xfer_event(x, reason && !probe ? XFER_FAIL : XFER_DONE, reason);
	if (s->cfg.on_done) {
		struct tftp_xfer_report rep = {
		    .peer = (const struct sockaddr *)&x->peer,
		    .path = x->path,
		    .bytes = bytes,
		    .msecs = ms,
		    .blksize = x->blksize,
		    .windowsize = x->xs.window,
		    .ok = !reason,
		    .size_probe = probe,
		    .reason = reason,
		    .rtt_samples = x->xs.rto.samples,
		    .srtt_ms = (x->xs.rto.srtt_us + 500) / 1000,
		    .timeouts = x->xs.timeouts,
		};
		s->cfg.on_done(s->cfg.on_done_arg, &rep);
	}
	tftp_xfer_free(x);
}

/* The transfer timed out. A client that answered before is told with one
 * ERROR (so it stops waiting at once instead of after its own retries); one
 * that never answered is not (its address may be spoofed: no bytes to a
 * victim, and a real client that got nothing has nothing to abort). */
static void tftp_xfer_give_up(struct tftp_xfer *x)
{
	if (x->xs.confirmed) {
		uint8_t pkt[64];
		struct wbuf w;
		wbuf_init(&w, pkt, sizeof pkt);
		if (!tftp_build_error(&w, TFTP_EUNDEF, "timeout: no answer from client")) {
			ssize_t r = x->sh ? tftp_sock_send(x->sh->lw.fd, &x->dst, x->dst_len,
							   x->ctl.buf, x->ctl_len, pkt, w.len)
					  : send(x->w.fd, pkt, w.len, 0);
			if (r < 0)
				log_debug("tftp.error client=%s reason=send err=%d", x->peer_str,
					  errno);
		}
	}
	tftp_xfer_end(x, x->xs.confirmed ? "timeout" : "no-answer", false);
}

static int tftp_xfer_want_out(struct tftp_xfer *x, bool on)
{
	struct tftp_server *s = x->srv;
	if (x->want_out == on)
		return 0;
	x->want_out = on;
	if (x->sh) {
		/* the shared socket watches EPOLLOUT while anyone waits; it
		 * drops it itself once nobody does */
		if (on && !x->sh->out_waiting++)
			return loop_mod(s->loop, &x->sh->lw, EPOLLIN | EPOLLOUT);
		if (!on)
			x->sh->out_waiting--;
		return 0;
	}
	return loop_mod(s->loop, &x->w, EPOLLIN | (on ? EPOLLOUT : 0));
}

/* musl on 64-bit implements sendmmsg(3) as a loop of sendmsg(2): its
 * msghdr has int fields plus padding where the kernel's has size_t. With
 * the padding zeroed (every header is memset) the two layouts agree on a
 * little-endian machine, so one syscall sends the whole window. */
static int tftp_sendmmsg(int fd, struct mmsghdr *m, unsigned n)
{
#if defined(SYS_sendmmsg) && __SIZEOF_LONG__ == 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (int)syscall(SYS_sendmmsg, fd, m, n, 0);
#else
	return sendmmsg(fd, m, n, 0);
#endif
}

/* Points *base at block `first` with blocks first..first+n-1 behind it:
 * straight into a memory file, or into the read buffer, refilled with one
 * pread of buf_blocks blocks when it does not hold them all. Returns 0, or
 * -1 when x was ended. */
static int tftp_xfer_fill(struct tftp_xfer *x, uint64_t first, unsigned n, const uint8_t **base)
{
	uint64_t off = (first - 1) * x->blksize;
	if (x->file < 0) {
		*base = (const uint8_t *)x->vf.data + off;
		return 0;
	}
	if (x->buf_n && first >= x->buf_first && first + n <= x->buf_first + x->buf_n) {
		*base = x->data + (first - x->buf_first) * x->blksize;
		return 0;
	}
	uint64_t want = (uint64_t)x->buf_blocks * x->blksize;
	if (want > x->size - off)
		want = x->size - off;
	size_t got = 0;
	while (got < want) {
		ssize_t r = pread(x->file, x->data + got, (size_t)(want - got),
				  (off_t)(x->vf.base + off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			x->buf_n = 0;
			tftp_xfer_end(x, r < 0 ? "read-error" : "file-shrank", false);
			return -1;
		}
		got += (size_t)r;
	}
	x->buf_first = first;
	x->buf_n = x->xs.last - first + 1 < x->buf_blocks ? (unsigned)(x->xs.last - first + 1)
							  : x->buf_blocks;
	*base = x->data;
	return 0;
}

static void tftp_xfer_sent(struct tftp_xfer *x, uint64_t first, unsigned sent);

/* Shared socket k: sends every queued datagram of its transfers with one
 * sendmmsg per TFTP_TXQ_MAX. What the socket does not take goes back to
 * its transfer (next_send rewinds, it waits for EPOLLOUT); a datagram the
 * kernel refuses outright counts as lost (the transfer's timer repairs). */
static void tftp_txq_flush(struct tftp_sock *s)
{
	unsigned done = 0;
	while (done < s->txq_n) {
		int r = tftp_sendmmsg(s->lw.fd, s->txq + done, s->txq_n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN && errno != ENOBUFS) {
			log_debug("tftp.error reason=send err=%d", errno);
			r = 1; /* skip the one that failed */
		}
		if (r <= 0)
			break;
		done += (unsigned)r;
	}
	for (unsigned i = 0; i < s->txq_n; i++) {
		struct tftp_xfer *x = s->txq_x[i];
		x->txq_n = 0;
		if (i >= done && s->txq_block[i] < x->xs.next_send) {
			x->xs.next_send = s->txq_block[i];
			tftp_xfer_want_out(x, true);
		}
	}
	s->txq_n = 0;
}

/* Puts blocks next_send..win_end on the wire with one sendmmsg (from the
 * read buffer, see tftp_xfer_fill); on a shared socket, into its queue,
 * flushed once per loop turn. A full socket buffer leaves the rest for
 * EPOLLOUT. Returns 0, or -1 when x was ended. */
static int tftp_xfer_pump(struct tftp_xfer *x)
{
	struct tftp_sock *s = x->sh;
	int fd = x->w.fd;
	while (x->xs.next_send <= x->xs.win_end) {
		/* queued datagrams of x point into its buffers: out with them
		 * before those are rewritten */
		if (x->txq_n) {
			tftp_txq_flush(s);
			if (x->want_out)
				return 0; /* the socket is full: EPOLLOUT */
		}
		uint64_t first = x->xs.next_send;
		unsigned n = (unsigned)(x->xs.win_end - first + 1);
		const uint8_t *base;
		if (tftp_xfer_fill(x, first, n, &base))
			return -1;
		for (unsigned i = 0; i < n; i++) {
			struct wbuf w;
			uint64_t boff = (first + i - 1) * x->blksize; /* <= size: block <= last */
			size_t len =
			    x->size - boff > x->blksize ? x->blksize : (size_t)(x->size - boff);
			wbuf_init(&w, x->hdr[i], TFTP_HDR);
			tftp_build_data_hdr(&w, (uint16_t)(first + i)); /* rollover: 65535 -> 0 */
			x->iov[2 * i] = (struct iovec){x->hdr[i], TFTP_HDR};
			x->iov[2 * i + 1] =
			    (struct iovec){(void *)(base + (uint64_t)i * x->blksize), len};
			memset(&x->msgs[i], 0, sizeof x->msgs[i]);
			x->msgs[i].msg_hdr.msg_iov = &x->iov[2 * i];
			x->msgs[i].msg_hdr.msg_iovlen = 2;
			if (s) {
				x->msgs[i].msg_hdr.msg_name = &x->dst;
				x->msgs[i].msg_hdr.msg_namelen = x->dst_len;
				if (x->ctl_len) {
					x->msgs[i].msg_hdr.msg_control = x->ctl.buf;
					x->msgs[i].msg_hdr.msg_controllen = x->ctl_len;
				}
			}
		}
		if (s) {
			unsigned m = n > TFTP_TXQ_MAX ? TFTP_TXQ_MAX : n;
			if (s->txq_n + m > TFTP_TXQ_MAX)
				tftp_txq_flush(s);
			for (unsigned i = 0; i < m; i++) {
				s->txq[s->txq_n] = x->msgs[i];
				s->txq_x[s->txq_n] = x;
				s->txq_block[s->txq_n++] = first + i;
			}
			x->txq_n += m;
			tftp_xfer_sent(x, first, m);
			continue;
		}
		int sent = tftp_sendmmsg(fd, x->msgs, n);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS) {
				tftp_xfer_want_out(x, true);
				return 0;
			}
			tftp_xfer_end(
			    x, errno == ECONNREFUSED ? "client-unreachable" : "send-error", false);
			return -1;
		}
		tftp_xfer_sent(x, first, (unsigned)sent);
		if ((unsigned)sent < n) {
			tftp_xfer_want_out(x, true);
			return 0;
		}
	}
	tftp_xfer_want_out(x, false);
	return 0;
}

/* Blocks first .. first+sent-1 went out (or into the send queue). */
static void tftp_xfer_sent(struct tftp_xfer *x, uint64_t first, unsigned sent)
{
	tftp_xs_sent(&x->xs, first, sent, loop_now_ms(x->srv->loop));
}

/* (Re)starts the retransmission clock. The heap timer is only moved when
 * it would fire too late; firing early just re-arms (tftp_xfer_on_timeout),
 * so a lockstep block costs no heap work. */
static void tftp_xfer_arm(struct tftp_xfer *x)
{
	struct loop *l = x->srv->loop;
	tftp_xs_arm(&x->xs, loop_now_ms(l));
	if (loop_timer_armed(&x->t) && x->t.deadline_ms <= x->xs.deadline_ms)
		return;
	if (loop_timer_arm(l, &x->t, x->xs.deadline_ms - loop_now_ms(l)))
		log_err("tftp.error client=%s reason=timer-nomem", x->peer_str);
}

/* Puts the window the state machine set (next_send .. win_end) on the wire
 * and arms the timer. Returns 0, or -1 when x was ended. */
static int tftp_xfer_send_window(struct tftp_xfer *x)
{
	uint64_t now = loop_now_ms(x->srv->loop);
	if (now - x->progress_ms >= XFER_PROGRESS_MS && x->xs.acked) {
		x->progress_ms = now;
		tftp_xfer_event(x, XFER_PROGRESS, NULL);
	}
	if (tftp_xfer_pump(x))
		return -1;
	tftp_xfer_arm(x);
	return 0;
}

/* Starts the window after x->xs.acked (go-back-N). */
static int tftp_xfer_window(struct tftp_xfer *x)
{
	tftp_xs_window(&x->xs);
	return tftp_xfer_send_window(x);
}

static int tftp_xfer_send_oack(struct tftp_xfer *x, bool resend)
{
	struct tftp_server *s = x->srv;
	ssize_t r = x->sh ? tftp_sock_send(x->sh->lw.fd, &x->dst, x->dst_len, x->ctl.buf,
					   x->ctl_len, x->oack, x->oack_len)
			  : send(x->w.fd, x->oack, x->oack_len, 0);
	if (r < 0 && errno != EAGAIN && errno != ENOBUFS) {
		tftp_xfer_end(x, errno == ECONNREFUSED ? "client-unreachable" : "send-error",
			      false);
		return -1;
	}
	tftp_xs_oack_sent(&x->xs, resend, loop_now_ms(s->loop));
	tftp_xfer_arm(x);
	return 0;
}

/* Carries out what the state machine decided. Returns -1 when x was
 * ended, 1 when it sent something, 0 for nothing. */
static int tftp_xfer_do(struct tftp_xfer *x, enum tftp_xs_do d)
{
	switch (d) {
	case TFTP_XS_SEND:
		return tftp_xfer_send_window(x) ? -1 : 1;
	case TFTP_XS_SEND_OACK:
		return tftp_xfer_send_oack(x, true) ? -1 : 1;
	case TFTP_XS_DONE:
		tftp_xfer_end(x, NULL, false);
		return -1;
	case TFTP_XS_GIVE_UP:
		tftp_xfer_give_up(x);
		return -1;
	case TFTP_XS_NOTHING:
		break;
	}
	return 0;
}

/* One datagram from x's client: notes what it says in *rx. Returns -1
 * when it ended x (an ERROR), else 0. */
static int tftp_xfer_packet(struct tftp_xfer *x, const uint8_t *pkt, size_t n, struct tftp_rx *rx)
{
	uint16_t op, block;
	struct tftp_error e;
	if (tftp_parse_opcode(pkt, n, &op))
		return 0;
	if (op == TFTP_ACK && !tftp_parse_ack(pkt, n, &block)) {
		tftp_xs_ack(&x->xs, block, rx);
	} else if (op == TFTP_ERROR && !tftp_parse_error(pkt, n, &e)) {
		/* A PXE ROM asks with tsize, reads the OACK and
		 * aborts with 0 or 8 before asking again. */
		bool probe = x->xs.oack_wait && x->sent_tsize &&
			     (e.code == TFTP_EUNDEF || e.code == TFTP_EOPTNEG);
		char m[96], reason[160];
		log_sanitize(m, sizeof m, e.msg, e.msg_len);
		snprintf(reason, sizeof reason, "client-error code=%u msg=\"%s\"", e.code, m);
		tftp_xfer_end(x, reason, probe);
		return -1;
	} else {
		log_debug("tftp.ignore client=%s op=%u", x->peer_str, op);
	}
	return 0;
}

/* Acts once on what a batch of datagrams said. Same returns as
 * tftp_xfer_do. */
static int tftp_xfer_act(struct tftp_xfer *x, const struct tftp_rx *rx)
{
	enum tftp_xs_do d = tftp_xs_act(&x->xs, rx, loop_now_ms(x->srv->loop));
	if (x->xs.confirmed && x->unconfirmed) {
		x->unconfirmed = false;
		x->srv->unconfirmed--;
	}
	return tftp_xfer_do(x, d);
}

#define TFTP_RX_BATCH 8
/* Datagrams one transfer reads per loop turn: the rest wait for the next
 * turn (epoll is level-triggered), so one client's ACK flood cannot hold
 * the loop. Far above what a window's worth of ACKs needs. */
#define TFTP_RX_TURN 32

/* Drains x's own socket (one recvmmsg per batch: lockstep costs one
 * syscall per ACK; at most TFTP_RX_TURN per turn), then acts once on the
 * newest ACK: a burst of ACKs costs one window, not one per ACK. Same
 * returns as tftp_xfer_act. */
static int tftp_xfer_input(struct tftp_xfer *x)
{
	uint8_t pkt[TFTP_RX_BATCH][600];
	struct iovec iov[TFTP_RX_BATCH];
	struct mmsghdr mm[TFTP_RX_BATCH];
	struct tftp_rx rx = {0};
	for (unsigned read = 0; read < TFTP_RX_TURN;) {
		memset(mm, 0, sizeof mm);
		for (int i = 0; i < TFTP_RX_BATCH; i++) {
			iov[i] = (struct iovec){pkt[i], sizeof pkt[i]};
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int got = recvmmsg(x->w.fd, mm, TFTP_RX_BATCH, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			tftp_xfer_end(
			    x, errno == ECONNREFUSED ? "client-unreachable" : "recv-error", false);
			return -1;
		}
		for (int i = 0; i < got; i++)
			if (tftp_xfer_packet(x, pkt[i], mm[i].msg_len, &rx))
				return -1;
		read += (unsigned)got;
		if (got < TFTP_RX_BATCH)
			break;
	}
	return tftp_xfer_act(x, &rx);
}

static void tftp_xfer_on_io(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct tftp_xfer *x = w->arg;
	(void)l;
	int r = tftp_xfer_input(x);
	if (r == 0 && (events & EPOLLOUT) && x->want_out)
		tftp_xfer_pump(x);
}

static void tftp_on_listen(struct loop *l, struct loop_watch *w, uint32_t events);

static void tftp_xfer_on_timeout(struct loop *l, struct loop_timer *t)
{
	struct tftp_xfer *x = t->arg;
	struct tftp_server *s = x->srv;
	uint64_t now = loop_now_ms(l);
	if (now < x->xs.deadline_ms) { /* progress since it was armed */
		if (loop_timer_arm(l, t, x->xs.deadline_ms - now))
			log_err("tftp.error client=%s reason=timer-nomem", x->peer_str);
		return;
	}
	/* A busy loop can reach its timers before the ACK already queued
	 * for x: read it first, and there was no timeout after all. */
	struct tftp_sock *sh = x->sh;
	if (!sh) {
		if (tftp_xfer_input(x) != 0)
			return;
	} else {
		/* other transfers' datagrams share the socket: read them all;
		 * x may end meanwhile (its client's ERROR) */
		struct sockaddr_storage peer = x->peer;
		tftp_on_listen(l, &sh->lw, EPOLLIN);
		if (tftp_find(s, &peer) != x || loop_now_ms(l) < x->xs.deadline_ms)
			return;
	}
	enum tftp_xs_do d = tftp_xs_timeout(&x->xs, loop_now_ms(l));
	/* debug lines are per packet too: budgeted */
	if (d != TFTP_XS_GIVE_UP && log_enabled(LOG_LVL_DEBUG) &&
	    log_budget_take(&s->lb, loop_now_ms(l), "tftp"))
		log_debug("tftp.resend client=%s file=%s block=%llu try=%u next_timeout_ms=%u",
			  x->peer_str, x->logname, (unsigned long long)(x->xs.acked + 1),
			  x->xs.tries, tftp_rto_ms(&x->xs.rto));
	tftp_xfer_do(x, d);
	if (sh && sh->txq_n)
		tftp_txq_flush(sh);
}

/* Whether the next datagram queued for x is an ERROR (peeked, not read). */
static bool tftp_xfer_error_pending(const struct tftp_xfer *x)
{
	uint8_t hdr[2];
	uint16_t op;
	ssize_t n = recv(x->w.fd, hdr, sizeof hdr, MSG_PEEK | MSG_DONTWAIT);
	return n == 2 && !tftp_parse_opcode(hdr, 2, &op) && op == TFTP_ERROR;
}

/* Negotiated parameters of one request. */
struct tftp_nego {
	unsigned blksize, window, timeout_ms;
	bool client_timeout;
	struct tftp_oack oack;
	bool any; /* some option was accepted: send an OACK */
};

static void tftp_negotiate(const struct tftp_server *s, const struct tftp_request *req,
			   unsigned route_cap, uint64_t size, struct tftp_nego *n)
{
	memset(n, 0, sizeof *n);
	n->blksize = TFTP_BLKSIZE_DEFAULT;
	n->window = 1;
	n->timeout_ms = s->cfg.timeout_ms;
	if (req->has_blksize) {
		unsigned b = req->blksize;
		if (b > s->cfg.max_blksize)
			b = s->cfg.max_blksize;
		if (b > route_cap)
			b = route_cap;
		n->blksize = b;
		n->oack.has_blksize = true;
		n->oack.blksize = b;
	}
	if (req->has_windowsize) {
		unsigned win = req->windowsize;
		if (win > s->cfg.max_windowsize)
			win = s->cfg.max_windowsize;
		if (win < 1)
			win = 1;
		n->window = win;
		n->oack.has_windowsize = true;
		n->oack.windowsize = win;
	}
	/* RFC 2349: a server may leave an option out of its OACK. Up to the
	 * cap the client's interval is used as asked; above it, the adaptive
	 * RTO (a slot must not be held for 6 x 255 s). */
	if (req->has_timeout && req->timeout_s <= TFTP_CLIENT_TIMEOUT_MAX_S) {
		n->timeout_ms = req->timeout_s * 1000;
		n->client_timeout = true;
		n->oack.has_timeout = true;
		n->oack.timeout_s = req->timeout_s;
	}
	if (req->has_tsize) {
		n->oack.has_tsize = true;
		n->oack.tsize = size;
	}
	n->any = n->oack.has_blksize || n->oack.has_windowsize || n->oack.has_timeout ||
		 n->oack.has_tsize;
}

/* Bytes of one window slot beside its data: header, iovecs, mmsghdr. */
#define TFTP_SLOT_BYTES (sizeof(struct mmsghdr) + 2 * sizeof(struct iovec) + TFTP_HDR)
#define TFTP_XFER_BASE ((sizeof(struct tftp_xfer) + 15) & ~(size_t)15)

/* Fits one transfer into the memory budget: a window (at most
 * TFTP_XFER_BUF_MAX of data and as much of bookkeeping) and a read buffer
 * (files only) of at least the window, at most TFTP_READAHEAD or `last`
 * blocks, in at most half the budget left. When it is short, windowsize
 * and then blksize shrink (RFC 7440/2348 let the server answer with less;
 * the OACK says so). Sets
 * *bufb; returns 0, or -ENOMEM when not even one block fits. */
static int tftp_fit_memory(const struct tftp_server *s, struct tftp_nego *ng, bool file,
			   uint64_t size, unsigned *bufb)
{
	size_t avail = s->cfg.mem_budget > s->mem_used ? s->cfg.mem_budget - s->mem_used : 0;
	size_t least = TFTP_XFER_BASE + TFTP_SLOT_BYTES + (file ? TFTP_BLKSIZE_MIN : 0);
	if (avail < least)
		return -ENOMEM;
	/* at most half of what is left, so the budget shrinks for everyone
	 * instead of running out at the first transfer that asks for much */
	if (avail / 2 >= least)
		avail /= 2;
	size_t room = avail - TFTP_XFER_BASE;
	size_t per = TFTP_SLOT_BYTES + (file ? ng->blksize : 0);
	if (file && per > room) { /* not one block of this size: a smaller one */
		if (!ng->oack.has_blksize)
			return -ENOMEM; /* RFC 1350's 512 cannot be negotiated down */
		ng->blksize = (unsigned)(room - TFTP_SLOT_BYTES);
		ng->oack.blksize = ng->blksize;
		per = room;
	}
	size_t unit = ng->blksize > TFTP_SLOT_BYTES ? ng->blksize : TFTP_SLOT_BYTES;
	size_t wmax = room / per;
	if (wmax > TFTP_XFER_BUF_MAX / unit)
		wmax = TFTP_XFER_BUF_MAX / unit;
	if (ng->window > wmax) {
		ng->window = (unsigned)wmax;
		ng->oack.windowsize = ng->window;
	}
	if (!file) {
		*bufb = 0;
		return 0;
	}
	uint64_t last = size / ng->blksize + 1;
	uint64_t b = (TFTP_READAHEAD + ng->blksize - 1) / ng->blksize;
	uint64_t fit = (room - (size_t)ng->window * TFTP_SLOT_BYTES) / ng->blksize;
	if (b > fit)
		b = fit;
	if (b < ng->window)
		b = ng->window;
	if (b > last)
		b = last;
	*bufb = (unsigned)b;
	return 0;
}

/* Allocates a transfer and its window arrays in one block. */
static struct tftp_xfer *tftp_xfer_alloc(unsigned window, unsigned blksize, unsigned data_blocks)
{
	size_t n = window;
	size_t o_msgs = TFTP_XFER_BASE;
	size_t o_iov = o_msgs + n * sizeof(struct mmsghdr);
	size_t o_hdr = o_iov + 2 * n * sizeof(struct iovec);
	size_t o_data = o_hdr + n * TFTP_HDR;
	size_t total = o_data + (size_t)data_blocks * blksize;
	uint8_t *m = calloc(1, total);
	if (!m)
		return NULL;
	struct tftp_xfer *x = (struct tftp_xfer *)m;
	x->mem = total;
	x->msgs = (struct mmsghdr *)(m + o_msgs);
	x->iov = (struct iovec *)(m + o_iov);
	x->hdr = (uint8_t(*)[TFTP_HDR])(m + o_hdr);
	x->data = m + o_data;
	return x;
}

/* The client repeated its request on a running transfer: our first reply
 * (the OACK, or DATA 1) was lost or is late. Answer it again at once, from
 * the same transfer, instead of after a whole initial timeout (1 s: nothing
 * is measured yet); once the client has acknowledged anything, a repeated
 * RRQ is stale and ignored. One reply per repeated request: the client's
 * own retransmission rate bounds it. */
static void tftp_xfer_rerequest(struct tftp_xfer *x, const char *logname)
{
	log_debug("tftp.dup-request client=%s file=%s", x->peer_str, logname);
	tftp_xfer_do(x, tftp_xs_rerequest(&x->xs));
}

/* Whether two addresses are the same host (the port aside). */
static bool tftp_sa_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/* A request from the port of a running transfer is a repeat: that transfer
 * answers (a second would show the client two TIDs). Unless the client just
 * ended that transfer (a size probe's ERROR, then at once the real request
 * from the same port) and the ERROR still waits on the transfer's socket:
 * then this is a new request; the old transfer ends when its own callback
 * reads the ERROR (never free another's watch). Returns true when handled;
 * else *same_host counts the client address's transfers. */
static bool tftp_repeat(struct tftp_server *s, const struct sockaddr_storage *peer,
			const char *logname, unsigned *same_host)
{
	*same_host = 0;
	if (tftp_shared(s)) {
		struct tftp_xfer *o = tftp_find(s, peer);
		if (o && o->sh != &s->ls) {
			/* a socket of its own: what the client sent there
			 * before this request (a size probe's ERROR) first */
			tftp_on_listen(s->loop, &o->sh->lw, EPOLLIN);
			o = tftp_find(s, peer);
		} /* else the listening socket: an ERROR was read in order */
		if (o) {
			struct tftp_sock *k = o->sh;
			tftp_xfer_rerequest(o, logname);
			if (k->txq_n)
				tftp_txq_flush(k);
			return true;
		}
	}
	for (struct tftp_xfer *o = s->head; o; o = o->next) {
		if (!tftp_shared(s) && tftp_sa_equal(&o->peer, peer) &&
		    !tftp_xfer_error_pending(o)) {
			tftp_xfer_rerequest(o, logname);
			return true;
		}
		*same_host += tftp_sa_same_host(&o->peer, peer);
	}
	return false;
}

/* A request refused before any transfer began (its file missing or
 * denied): the observer hears a FAIL without a START. */
static void tftp_refused_event(struct tftp_server *s, const struct sockaddr_storage *peer,
			       const char *logname, const char *reason)
{
	const struct xfer_observer *o = s->cfg.obs;
	if (!o || !o->event)
		return;
	struct xfer_event ev = {.kind = XFER_FAIL,
				.proto = XFER_TFTP,
				.peer = (const struct sockaddr *)peer,
				.file = logname,
				.reason = reason,
				.err = -ENOENT};
	o->event(o->arg, &ev);
}

/* What a transfer serves (the resolver's file object): a memory file, or
 * an fd of its own and its size. Refuses (ERROR sent) and returns -1 when
 * there is nothing to serve. */
static int tftp_open_source(struct tftp_server *s, const char *clean, const char *logname,
			    const struct sockaddr_storage *local, int ifindex,
			    const struct sockaddr_storage *peer, struct bootfile *vf, int *file,
			    uint64_t *size)
{
	*file = -1;
	memset(vf, 0, sizeof *vf);
	vf->fd = -1;
	int r = s->cfg.lookup
		    ? s->cfg.lookup(s->cfg.lookup_arg, clean, (const struct sockaddr *)peer, vf)
		    : -ENOENT;
	if (r <= 0) {
		/* ENOTDIR: a path component is a file: still "not found" */
		bool nf = r == 0 || r == -ENOENT || r == -ENOTDIR;
		char why[32];
		if (tftp_errno_busy(-r)) {
			tftp_defer(s, peer, "no-fds", logname);
			return -1;
		}
		snprintf(why, sizeof why, "denied-%d", -r);
		tftp_refuse(s, local, ifindex, peer, nf ? TFTP_ENOTFOUND : TFTP_EACCESS, NULL,
			    nf ? "not-found" : why, logname);
		tftp_refused_event(s, peer, logname, nf ? "not-found" : "denied");
		return -1;
	}
	*size = vf->len;
	if (!vf->has_fd)
		return 0;
	/* A descriptor given to us is ours; one the resolver keeps is dup'ed. */
	*file = vf->give_fd ? vf->fd : fcntl(vf->fd, F_DUPFD_CLOEXEC, 3);
	int err = errno;
	if (vf->release)
		vf->release(vf->cookie);
	uint64_t base = vf->base;
	memset(vf, 0, sizeof *vf);
	vf->base = base;
	if (*file < 0) {
		if (tftp_errno_busy(err))
			tftp_defer(s, peer, "no-fds", logname);
		else
			tftp_refuse(s, local, ifindex, peer, TFTP_EUNDEF, "server error",
				    "dup-failed", logname);
		return -1;
	}
	return 0;
}

/* Sets up x (allocated for ng) and links it into the server. */
static void tftp_xfer_setup(struct tftp_server *s, struct tftp_xfer *x, const struct tftp_nego *ng,
			    int sock, int file, const struct bootfile *vf, uint64_t size,
			    unsigned bufb, const struct sockaddr_storage *peer, const char *clean,
			    const char *logname)
{
	struct tftp_xs_limits lim = {
	    .retries = s->cfg.retries,
	    .unconfirmed_resends = TFTP_UNCONFIRMED_RESENDS,
	    .max_stall_ms = s->cfg.max_stall_ms,
	};
	x->srv = s;
	x->file = file;
	x->vf = *vf;
	x->size = size;
	x->buf_blocks = bufb;
	x->blksize = ng->blksize;
	x->timeout_ms = ng->timeout_ms;
	/* RFC 2349: the interval the client asked for, fixed */
	tftp_xs_init(&x->xs, &lim, size / ng->blksize + 1, ng->window, ng->any,
		     ng->client_timeout ? ng->timeout_ms : s->cfg.min_timeout_ms,
		     ng->client_timeout ? ng->timeout_ms : s->cfg.timeout_ms, loop_now_ms(s->loop));
	x->start_us = tftp_clock_us();
	x->peer = *peer;
	tftp_sa_str(peer, x->peer_str, sizeof x->peer_str);
	const struct xfer_observer *o = s->cfg.obs;
	char mac[18];
	if (o && o->mac_of && o->mac_of(o->arg, (const struct sockaddr *)peer, mac))
		snprintf(x->mac, sizeof x->mac, " mac=%s", mac);
	snprintf(x->path, sizeof x->path, "%s", clean);
	snprintf(x->logname, sizeof x->logname, "%s", logname);
	x->w = (struct loop_watch){.fd = sock, .cb = tftp_xfer_on_io, .arg = x};
	loop_timer_init(&x->t, tftp_xfer_on_timeout, x);
	x->next = s->head;
	if (s->head)
		s->head->prev = x;
	s->head = x;
	s->active++;
	s->mem_used += x->mem;
	x->unconfirmed = true;
	s->unconfirmed++;
	tftp_xfer_event(x, XFER_START, NULL);
}

/* Handles one RRQ that passed the checks: opens the file, negotiates, sets
 * up the transfer and sends the OACK or the first window. known: the DHCP
 * stage saw a client at peer (exempt from the unconfirmed-transfer share). */
static void tftp_start_rrq(struct tftp_server *s, const struct tftp_request *req,
			   const struct sockaddr_storage *local, int ifindex,
			   const struct sockaddr_storage *peer, bool known, const char *clean,
			   const char *logname)
{
	struct bootfile vf = {0};
	int file = -1;
	uint64_t size;
	unsigned same_host;

	if (tftp_repeat(s, peer, logname, &same_host))
		return;
	/* Unconfirmed transfers (maybe spoofed sources) may take only half
	 * the slots: the other half stays for clients that answer, and for
	 * clients the DHCP stage saw. */
	if (s->active >= s->cfg.max_transfers ||
	    (s->unconfirmed >= s->cfg.max_transfers / 2 + 1 && !known)) {
		tftp_defer(s, peer, "server-busy", logname);
		return;
	}
	if (same_host >= s->cfg.max_per_client) {
		tftp_refuse(s, local, ifindex, peer, TFTP_EUNDEF,
			    "too many transfers from this address", "per-client-limit", logname);
		return;
	}
	if (tftp_open_source(s, clean, logname, local, ifindex, peer, &vf, &file, &size))
		return;
	/* shared: a connected socket only to learn the route's MTU */
	int sock = tftp_shared(s) ? tftp_mtu_socket(peer) : tftp_reply_socket(local, ifindex, peer);
	if (sock < 0) {
		if (tftp_errno_busy(-sock))
			tftp_defer(s, peer, "no-fds", logname);
		else
			tftp_refuse(s, local, ifindex, peer, TFTP_EUNDEF, "server error",
				    "reply-socket", logname);
		goto fail_file;
	}
	struct tftp_nego ng;
	unsigned bufb;
	tftp_negotiate(s, req, tftp_route_blksize(sock, peer->ss_family), size, &ng);
	if (tftp_shared(s)) {
		close(sock);
		sock = -1;
	}
	struct tftp_xfer *x = NULL;
	if (!tftp_fit_memory(s, &ng, file >= 0, size, &bufb))
		x = tftp_xfer_alloc(ng.window, ng.blksize, file >= 0 ? bufb : 0);
	if (!x) {
		if (sock >= 0)
			close(sock);
		tftp_defer(s, peer, "no-memory", logname);
		goto fail_file;
	}
	tftp_xfer_setup(s, x, &ng, sock, file, &vf, size, bufb, peer, clean, logname);
	if (tftp_shared(s)) {
		/* in turn: a client's next transfer gets another port */
		x->sh = &s->pool[s->next_sock++ % s->npool];
		size_t h = tftp_sa_hash(peer) & s->hmask;
		x->hnext = s->hash[h];
		s->hash[h] = x;
		x->dst_len = tftp_dst_ctl(s, peer, local, ifindex, &x->dst, x->ctl.buf,
					  sizeof x->ctl.buf, &x->ctl_len);
	} else if (loop_add(s->loop, &x->w, EPOLLIN)) {
		tftp_xfer_end(x, "epoll", false);
		return;
	}
	if (rpi_tftp_too_big(size, x->blksize) && log_budget_take(&s->lb, loop_clock_ms(), "tftp"))
		log_warn(
		    "tftp.warn client=%s file=%s size=%llu blksize=%u blocks=%llu reason=\"more "
		    "than 65535 blocks: clients without block-number rollover (Raspberry Pi "
		    "bootloader, some PXE ROMs) stop there; serve it over HTTP or make it "
		    "smaller\"",
		    x->peer_str, x->logname, (unsigned long long)size, x->blksize,
		    (unsigned long long)(size / x->blksize + 1));
	if (log_enabled(LOG_LVL_DEBUG) && log_budget_take(&s->lb, loop_now_ms(s->loop), "tftp"))
		log_debug(
		    "tftp.start client=%s file=%s size=%llu blksize=%u window=%u timeout_ms=%u",
		    x->peer_str, x->logname, (unsigned long long)size, x->blksize, x->xs.window,
		    x->timeout_ms);
	if (ng.any) {
		struct wbuf w;
		wbuf_init(&w, x->oack, sizeof x->oack);
		tftp_build_oack(&w, &ng.oack); /* four numbers always fit in 512 */
		x->oack_len = w.len;
		x->sent_tsize = ng.oack.has_tsize;
		tftp_xfer_send_oack(x, false);
	} else {
		tftp_xfer_window(x);
	}
	return;
fail_file:
	if (file >= 0)
		close(file);
	if (vf.release)
		vf.release(vf.cookie);
}

/* The rate limiter's key for a client address: an IPv4 address as it
 * is, an IPv6 address folded to 48 bits (FNV-1a). */
static void tftp_rl_key(const struct sockaddr_storage *peer, uint8_t key[6])
{
	if (peer->ss_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)peer)->sin_addr, 4);
		key[4] = key[5] = 0;
		return;
	}
	const uint8_t *a = ((const struct sockaddr_in6 *)peer)->sin6_addr.s6_addr;
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	for (int i = 0; i < 6; i++)
		key[i] = (uint8_t)(h >> (8 * i));
	key[5] |= 0x80; /* never equal to an IPv4 key */
}

/* One datagram to the listening port. */
static void tftp_on_request(struct tftp_server *s, const uint8_t *pkt, size_t n, bool trunc,
			    const struct sockaddr_storage *local, int ifindex,
			    const struct sockaddr_storage *peer)
{
	struct tftp_request req;
	uint16_t op;
	char clean[FSROOT_PATH_MAX];
	char logname[TFTP_LOGNAME_MAX];

	if (tftp_parse_opcode(pkt, n, &op))
		return; /* too short to even answer sensibly */
	if (op == TFTP_DATA || op == TFTP_ACK || op == TFTP_ERROR || op == TFTP_OACK) {
		/* stray transfer packets on the well-known port: never answer */
		log_debug("tftp.ignore op=%u on listening port", op);
		return;
	}
	/* Every answer to the well-known port is a first reply to whatever
	 * address the datagram claims: rate-limited per address and in all,
	 * so lifeboat cannot be made to flood a spoofed victim (or the LAN).
	 * Dropped, not refused: a real client repeats its request. */
	uint8_t key[6];
	tftp_rl_key(peer, key);
	/* A client the DHCP stage saw at this address is not a spoofed
	 * stranger: the overall limit, which a flood from forged sources
	 * can use up, does not apply to it (its own per-address one does). */
	bool known = tftp_known_peer(s, peer);
	if (!ratelimit_allow(known ? &s->rl_known : &s->rl, key, loop_now_ms(s->loop))) {
		if (log_budget_take(&s->lb, loop_clock_ms(), "tftp")) {
			char ps[INET6_ADDRSTRLEN + 8];
			tftp_sa_str(peer, ps, sizeof ps);
			log_info("tftp.drop client=%s reason=rate-limited", ps);
		}
		return;
	}
	if (trunc || tftp_parse_request(pkt, n, &req)) {
		tftp_refuse(s, local, ifindex, peer, TFTP_EBADOP, "malformed request", "malformed",
			    NULL);
		return;
	}
	log_sanitize(logname, sizeof logname, req.filename, req.filename_len);
	if (req.opcode == TFTP_WRQ) {
		tftp_refuse(s, local, ifindex, peer, TFTP_EACCESS, "read-only server",
			    "write-request", logname);
		return;
	}
	if (fsroot_clean_path(req.filename, req.filename_len, clean, sizeof clean) < 0) {
		tftp_refuse(s, local, ifindex, peer, TFTP_EACCESS, NULL, "bad-path", logname);
		return;
	}
	tftp_start_rrq(s, &req, local, ifindex, peer, known, clean, logname);
}

/* Shared sockets: acts on every transfer the last receive batch touched. */
static void tftp_flush_rx(struct tftp_server *s)
{
	while (s->rx_pending) {
		struct tftp_xfer *x = s->rx_pending;
		s->rx_pending = x->rx_next;
		x->rx_pending = false;
		struct tftp_rx rx = x->rx;
		memset(&x->rx, 0, sizeof x->rx);
		tftp_xfer_act(x, &rx);
	}
}

/* Shared socket k takes data again; pump every transfer that was waiting
 * for it, and stop watching once nobody waits. */
static void tftp_on_writable(struct tftp_sock *k)
{
	struct tftp_server *s = k->srv;
	struct tftp_xfer *next;
	for (struct tftp_xfer *x = s->head; x && k->out_waiting; x = next) {
		next = x->next; /* x may end in its pump; the others stay */
		if (x->sh == k && x->want_out && tftp_xfer_pump(x) == 0 && x->want_out)
			break; /* full again: wait for the next EPOLLOUT */
	}
	if (!k->out_waiting)
		loop_mod(s->loop, &k->lw, EPOLLIN);
}

/* One datagram on one of the server's sockets (udp_recv's callback). */
static void tftp_listen_dgram(void *arg, const uint8_t *pkt, size_t n, const struct udp_meta *m)
{
	struct tftp_sock *k = arg;
	struct tftp_server *s = k->srv;
	const struct sockaddr_storage *peer = &m->peer;
	if (k->xfers) {
		/* transfers' ACKs and ERRORs */
		struct tftp_xfer *x = tftp_find(s, peer);
		uint16_t op;
		if (x && x->sh == k && !tftp_parse_opcode(pkt, n, &op) && op != TFTP_RRQ &&
		    op != TFTP_WRQ) {
			if (!x->rx_pending) {
				x->rx_pending = true;
				x->rx_next = s->rx_pending;
				s->rx_pending = x;
			}
			tftp_xfer_packet(x, pkt, n, &x->rx);
			return;
		}
		if (!k->listener) { /* no transfer of that client here: a stale TID */
			if (log_enabled(LOG_LVL_DEBUG) &&
			    log_budget_take(&s->lb, loop_now_ms(s->loop), "tftp")) {
				char ps[INET6_ADDRSTRLEN + 8];
				tftp_sa_str(peer, ps, sizeof ps);
				log_debug("tftp.drop client=%s reason=unknown-transfer", ps);
			}
			return;
		}
	}
	if (s->cfg.accept_ifindex && !s->cfg.accept_ifindex(s->cfg.accept_arg, m->ifindex)) {
		if (log_enabled(LOG_LVL_DEBUG) &&
		    log_budget_take(&s->lb, loop_now_ms(s->loop), "tftp")) {
			char ps[INET6_ADDRSTRLEN + 8];
			tftp_sa_str(peer, ps, sizeof ps);
			log_debug("tftp.drop client=%s ifindex=%d reason=interface-excluded", ps,
				  m->ifindex);
		}
		return;
	}
	tftp_on_request(s, pkt, n, m->truncated, &m->local, m->ifindex, peer);
}

/* struct sock_extended_err of <linux/errqueue.h> (kernel ABI; musl's
 * headers do not carry it), and its ee_origin values for ICMP and ICMPv6. */
struct tftp_ee {
	uint32_t err;
	uint8_t origin, type, code, pad;
	uint32_t info, data;
};
#define TFTP_EE_ICMP 2
#define TFTP_EE_ICMP6 3

/* A pool socket's error queue (IP_RECVERR): an ICMP "unreachable" for a
 * client ends its transfer at once, as a connected socket's ECONNREFUSED
 * does; anything else is only read (it would fail the next send). */
static void tftp_sock_errors(struct tftp_sock *k)
{
	struct tftp_server *s = k->srv;
	for (int i = 0; i < TFTP_LISTEN_BATCH; i++) {
		struct sockaddr_storage peer;
		union {
			char b[256];
			struct cmsghdr align;
		} ctl;
		uint8_t data[64];
		struct iovec iov = {data, sizeof data};
		struct msghdr mh = {.msg_name = &peer,
				    .msg_namelen = sizeof peer,
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.b,
				    .msg_controllen = sizeof ctl.b};
		memset(&peer, 0, sizeof peer);
		if (recvmsg(k->lw.fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		bool unreach = false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			struct tftp_ee ee;
			memcpy(&ee, CMSG_DATA(c), sizeof ee);
			unreach = ee.origin == TFTP_EE_ICMP || ee.origin == TFTP_EE_ICMP6;
			unreach = unreach && ee.err == ECONNREFUSED;
		}
		udp_unmap(&peer);
		struct tftp_xfer *x = unreach ? tftp_find(s, &peer) : NULL;
		if (x && x->sh == k)
			tftp_xfer_end(x, "client-unreachable", false);
	}
}

static void tftp_on_listen(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct tftp_sock *k = w->arg;
	struct tftp_server *s = k->srv;
	(void)l;
	if ((events & EPOLLERR) && !k->listener)
		tftp_sock_errors(k);
	if ((events & EPOLLOUT) && k->xfers)
		tftp_on_writable(k);
	/* Bounded so a flood on udp/69 cannot starve running transfers, DHCP
	 * or HTTP: the rest waits for the next loop turn (level-triggered
	 * epoll calls again). */
	int r = udp_recv(k->lw.fd, TFTP_LISTEN_BATCH * TFTP_LISTEN_ROUNDS, tftp_listen_dgram, k);
	if (r < 0 && !k->listener) { /* an ICMP error came first: read it, then the rest */
		tftp_sock_errors(k);
		r = udp_recv(k->lw.fd, TFTP_LISTEN_BATCH * TFTP_LISTEN_ROUNDS, tftp_listen_dgram,
			     k);
	}
	if (r < 0 && log_budget_take(&s->lb, loop_now_ms(s->loop), "tftp"))
		log_warn("tftp.error reason=recv err=%d", -r);
	tftp_flush_rx(s);
	/* new transfers' first windows wait in their sockets' queues too */
	for (unsigned i = 0; i < s->npool; i++)
		if (s->pool[i].txq_n)
			tftp_txq_flush(&s->pool[i]);
}

/* ---- server ---- */

static int tftp_listen_socket(struct tftp_server *s, bool pool);

/* Registers socket fd as k on the loop. */
static int tftp_sock_add(struct tftp_server *s, struct tftp_sock *k, int fd, bool listener,
			 bool xfers)
{
	k->srv = s;
	k->listener = listener;
	k->xfers = xfers;
	k->lw = (struct loop_watch){.fd = fd, .cb = tftp_on_listen, .arg = k};
	int r = loop_add(s->loop, &k->lw, EPOLLIN);
	if (r) {
		close(fd);
		k->lw.fd = -1;
	}
	return r;
}

/* The listening socket and, in a shared mode, the hash of transfers by
 * client and the sockets they use (tftp_server_stop undoes a part). */
static int tftp_socks_open(struct tftp_server *s)
{
	s->ls.lw.fd = -1;
	bool shared = s->cfg.single_port || s->cfg.xfer_sockets;
	if (shared) {
		size_t n = 64;
		while (n < s->cfg.max_transfers && n < (1u << 16))
			n <<= 1;
		s->hash = calloc(n, sizeof(struct tftp_xfer *));
		if (!s->hash)
			return -ENOMEM;
		s->hmask = n - 1;
	}
	int fd = tftp_listen_socket(s, false);
	if (fd < 0)
		return fd;
	int r = tftp_sock_add(s, &s->ls, fd, true, s->cfg.single_port);
	if (r || !shared)
		return r;
	if (s->cfg.single_port) {
		s->pool = &s->ls;
		s->npool = 1;
		return 0;
	}
	s->pool = calloc(s->cfg.xfer_sockets, sizeof *s->pool);
	if (!s->pool)
		return -ENOMEM;
	for (unsigned i = 0; i < s->cfg.xfer_sockets; i++) {
		fd = tftp_listen_socket(s, true);
		if (fd < 0)
			return fd;
		r = tftp_sock_add(s, &s->pool[s->npool], fd, false, true);
		if (r)
			return r;
		s->npool++;
	}
	return 0;
}

/* The listening socket (pool = false), or one of the pool's: same family
 * and address, an ephemeral port, ICMP errors queued (IP_RECVERR). */
static int tftp_listen_socket(struct tftp_server *s, bool pool)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int on = 1, off = 0;
	memset(&ss, 0, sizeof ss);
	if (s->cfg.bind_addr) {
		struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
					 .ai_socktype = SOCK_DGRAM};
		struct addrinfo *ai;
		if (getaddrinfo(s->cfg.bind_addr, NULL, &hints, &ai))
			return -EINVAL;
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		freeaddrinfo(ai);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
	}
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && !s->cfg.bind_addr && errno == EAFNOSUPPORT) {
		/* kernel without IPv6: plain IPv4 any */
		memset(&ss, 0, sizeof ss);
		ss.ss_family = AF_INET;
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	uint16_t port = s->cfg.ephemeral_port || pool ? 0 : s->cfg.port;
	/* Room for a burst of requests (a lab powering on: their
	 * retransmissions must not be what fills it) and, on a socket
	 * transfers share, a window from each of many clients (FORCE while
	 * still root). */
	int sz = 4 << 20;
	if (s->cfg.single_port || pool) {
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz))
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	if (ss.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		/* any: one dual-stack socket; a literal: just that family */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, s->cfg.bind_addr ? &on : &off, sizeof on);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	}
	/* where each request came in: the reply leaves from that address */
	udp_want_pktinfo(fd, ss.ss_family);
	if (pool) {
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
	}
	if (bind(fd, (struct sockaddr *)&ss, tftp_sa_len(&ss))) {
		int err = -errno;
		close(fd);
		return err;
	}
	if (pool)
		return fd;
	len = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &len);
	s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	s->family = ss.ss_family;
	return fd;
}

int tftp_server_start(struct tftp_server **out, struct loop *l, const struct tftp_config *cfg)
{
	struct tftp_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->loop = l;
	s->cfg = *cfg;
	if (!s->cfg.port)
		s->cfg.port = TFTP_DEF_PORT;
	if (!s->cfg.max_blksize)
		s->cfg.max_blksize = TFTP_DEF_BLKSIZE_CAP;
	if (s->cfg.max_blksize > TFTP_BLKSIZE_MAX)
		s->cfg.max_blksize = TFTP_BLKSIZE_MAX;
	if (s->cfg.max_blksize < TFTP_BLKSIZE_MIN)
		s->cfg.max_blksize = TFTP_BLKSIZE_MIN;
	if (!s->cfg.max_windowsize)
		s->cfg.max_windowsize = TFTP_DEF_WINDOW_CAP;
	/* Under half the block-number space, so an ACK's 16 bits tell an
	 * old block from a new one without doubt. */
	if (s->cfg.max_windowsize > TFTP_WINDOW_SANE)
		s->cfg.max_windowsize = TFTP_WINDOW_SANE;
	if (!s->cfg.timeout_ms)
		s->cfg.timeout_ms = TFTP_DEF_TIMEOUT_MS;
	if (!s->cfg.retries)
		s->cfg.retries = TFTP_DEF_RETRIES;
	if (!s->cfg.max_transfers)
		s->cfg.max_transfers = TFTP_DEF_MAX_XFERS;
	if (!s->cfg.min_timeout_ms)
		s->cfg.min_timeout_ms = TFTP_DEF_MIN_TIMEOUT_MS;
	if (s->cfg.min_timeout_ms > s->cfg.timeout_ms)
		s->cfg.min_timeout_ms = s->cfg.timeout_ms;
	if (!s->cfg.max_per_client)
		s->cfg.max_per_client = TFTP_DEF_PER_CLIENT;
	if (!s->cfg.mem_budget)
		s->cfg.mem_budget = TFTP_DEF_MEM_BUDGET;
	if (!s->cfg.max_stall_ms)
		s->cfg.max_stall_ms = TFTP_DEF_STALL_MS;
	if (!s->cfg.rate_per_client)
		s->cfg.rate_per_client = TFTP_DEF_RATE_CLIENT;
	if (!s->cfg.rate_global)
		s->cfg.rate_global = TFTP_DEF_RATE_GLOBAL;
	ratelimit_init(&s->rl, s->cfg.rate_per_client, 2 * s->cfg.rate_per_client,
		       s->cfg.rate_global, 2 * s->cfg.rate_global);
	ratelimit_init(&s->rl_known, s->cfg.rate_per_client, 2 * s->cfg.rate_per_client, 0, 0);
	if (s->cfg.xfer_sockets > TFTP_MAX_XFER_SOCKETS)
		s->cfg.xfer_sockets = TFTP_MAX_XFER_SOCKETS;
	int r = tftp_socks_open(s);
	if (r) {
		tftp_server_stop(s);
		return r;
	}
	log_info("tftp.listen port=%u family=%s%s sockets=%u", s->port,
		 s->family == AF_INET6 ? "ipv6" : "ipv4",
		 s->cfg.single_port ? " single_port=1" : "", s->npool);
	*out = s;
	return 0;
}

void tftp_server_stop(struct tftp_server *s)
{
	if (!s)
		return;
	while (s->head)
		tftp_xfer_free(s->head);
	if (s->ls.lw.fd >= 0) {
		loop_del(s->loop, &s->ls.lw);
		close(s->ls.lw.fd);
	}
	for (unsigned i = 0; s->pool != &s->ls && i < s->npool; i++) {
		loop_del(s->loop, &s->pool[i].lw);
		close(s->pool[i].lw.fd);
	}
	if (s->pool != &s->ls)
		free(s->pool);
	free(s->hash);
	free(s);
}

size_t tftp_fds_needed(const struct tftp_config *cfg)
{
	size_t n = cfg->max_transfers ? cfg->max_transfers : TFTP_DEF_MAX_XFERS;
	bool shared = cfg->single_port || cfg->xfer_sockets;
	size_t pool = cfg->single_port				  ? 0
		      : cfg->xfer_sockets > TFTP_MAX_XFER_SOCKETS ? TFTP_MAX_XFER_SOCKETS
								  : cfg->xfer_sockets;
	/* per transfer its file, and (not shared) its socket; then the
	 * listening socket, the pool's, one transient socket, slack for the
	 * loop */
	return n * (shared ? 1 : 2) + 1 + pool + 1 + 2;
}

size_t tftp_server_active(const struct tftp_server *s)
{
	return s->active;
}

uint64_t tftp_server_ratelimited(const struct tftp_server *s)
{
	return s->rl.dropped_total + s->rl_known.dropped_total;
}

uint16_t tftp_server_port(const struct tftp_server *s)
{
	return s->port;
}
