/* loop: the event loop of loop.h: epoll for fds, a min-heap of timers,
 * signalfd for signals. */
#include "core/loop.h"

#include "core/sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

uint64_t loop_clock_ms(void)
{
	return sys_clock_ms(CLOCK_MONOTONIC);
}

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof *l);
	l->sigw.fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->now_ms = loop_clock_ms();
	return 0;
}

void loop_free(struct loop *l)
{
	if (l->sigw.fd >= 0)
		close(l->sigw.fd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->heap);
	l->heap = NULL;
	l->heap_len = l->heap_cap = 0;
	l->epfd = -1;
}

static int loop_ctl(struct loop *l, int op, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};
	return epoll_ctl(l->epfd, op, w->fd, &ev) ? -errno : 0;
}

int loop_add(struct loop *l, struct loop_watch *w, uint32_t events)
{
	w->again_prev = w->again_next = NULL;
	w->again_list = 0;
	return loop_ctl(l, EPOLL_CTL_ADD, w, events);
}

int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	return loop_ctl(l, EPOLL_CTL_MOD, w, events);
}

static void loop_again_unlink(struct loop *l, struct loop_watch *w)
{
	if (!w->again_list)
		return;
	if (w->again_prev)
		w->again_prev->again_next = w->again_next;
	else
		l->again[w->again_list - 1] = w->again_next;
	if (w->again_next)
		w->again_next->again_prev = w->again_prev;
	w->again_prev = w->again_next = NULL;
	w->again_list = 0;
}

static void loop_again_push(struct loop *l, struct loop_watch *w, unsigned list)
{
	w->again_prev = NULL;
	w->again_next = l->again[list];
	if (w->again_next)
		w->again_next->again_prev = w;
	l->again[list] = w;
	w->again_list = (uint8_t)(list + 1);
}

void loop_again(struct loop *l, struct loop_watch *w)
{
	if (w->again_list == 1)
		return;
	loop_again_unlink(l, w);
	loop_again_push(l, w, 0);
}

int loop_del(struct loop *l, struct loop_watch *w)
{
	for (int i = l->batch_pos + 1; i < l->batch_len; i++)
		if (l->batch[i].data.ptr == w)
			l->batch[i].data.ptr = NULL;
	loop_again_unlink(l, w);
	return loop_ctl(l, EPOLL_CTL_DEL, w, 0);
}

/* ---- timers: min-heap on deadline, each timer knows its index ---- */

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->deadline_ms <= t->deadline_ms)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len && l->heap[c + 1]->deadline_ms < l->heap[c]->deadline_ms)
			c++;
		if (t->deadline_ms <= l->heap[c]->deadline_ms)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	t->deadline_ms = 0;
	t->cb = cb;
	t->arg = arg;
	t->heap_idx = SIZE_MAX;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->heap_idx != SIZE_MAX;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!loop_timer_armed(t))
		return;
	size_t i = t->heap_idx;
	struct loop_timer *last = l->heap[--l->heap_len];
	t->heap_idx = SIZE_MAX;
	if (last == t)
		return;
	heap_set(l, i, last);
	heap_down(l, i);
	heap_up(l, last->heap_idx);
}

int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t ms)
{
	loop_timer_cancel(l, t);
	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : 64;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(struct loop_timer *));
		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->heap_cap = cap;
	}
	t->deadline_ms = loop_now_ms(l) + ms;
	l->heap[l->heap_len] = t;
	t->heap_idx = l->heap_len++;
	heap_up(l, t->heap_idx);
	return 0;
}

uint64_t loop_now_ms(struct loop *l)
{
	return l->now_ms;
}

void loop_set_clock(struct loop *l, uint64_t (*clock)(void *arg), void *arg)
{
	l->clock = clock;
	l->clock_arg = arg;
	l->now_ms = clock ? clock(arg) : loop_clock_ms();
}

static uint64_t loop_read_clock(const struct loop *l)
{
	return l->clock ? l->clock(l->clock_arg) : loop_clock_ms();
}

/* ---- signals ---- */

static void loop_on_signalfd(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct signalfd_siginfo si;
	(void)events;
	while (read(w->fd, &si, sizeof si) == (ssize_t)sizeof si)
		if (l->sig_cb)
			l->sig_cb(l, (int)si.ssi_signo, l->sig_arg);
}

int loop_signals(struct loop *l, const sigset_t *set, loop_signal_cb cb, void *arg)
{
	if (sigprocmask(SIG_BLOCK, set, NULL))
		return -errno;
	int fd = signalfd(l->sigw.fd, set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	l->sig_cb = cb;
	l->sig_arg = arg;
	if (l->sigw.fd < 0) {
		l->sigw.fd = fd;
		l->sigw.cb = loop_on_signalfd;
		l->sigw.arg = l;
		return loop_add(l, &l->sigw, EPOLLIN);
	}
	return 0;
}

/* ---- running ---- */

void loop_stop(struct loop *l)
{
	l->stop = true;
}

static void loop_fire_timers(struct loop *l)
{
	while (l->heap_len && l->heap[0]->deadline_ms <= l->now_ms) {
		struct loop_timer *t = l->heap[0];
		loop_timer_cancel(l, t);
		t->cb(l, t);
	}
}

/* Dispatches the epoll batch in l->batch; loop_del() may scrub entries
 * meanwhile. */
static void loop_dispatch(struct loop *l)
{
	for (l->batch_pos = 0; l->batch_pos < l->batch_len; l->batch_pos++) {
		struct loop_watch *w = l->batch[l->batch_pos].data.ptr;
		if (w)
			w->cb(l, w, l->batch[l->batch_pos].events);
	}
	l->batch = NULL;
	l->batch_len = l->batch_pos = 0;
}

/* Runs the loop_again() requests made in the previous turn; new requests
 * wait for the next turn, so an object gets one slice a turn. */
static void loop_run_again(struct loop *l)
{
	l->again[1] = l->again[0];
	l->again[0] = NULL;
	for (struct loop_watch *w = l->again[1]; w; w = w->again_next)
		w->again_list = 2;
	for (struct loop_watch *w = l->again[1]; w; w = l->again[1]) {
		loop_again_unlink(l, w);
		w->cb(l, w, LOOP_AGAIN);
	}
}

int loop_once(struct loop *l, int max_wait_ms)
{
	struct epoll_event evs[64];
	int timeout = max_wait_ms;
	l->now_ms = loop_read_clock(l);
	loop_fire_timers(l);
	if (l->stop)
		return 0;
	if (l->heap_len) {
		uint64_t d = l->heap[0]->deadline_ms;
		uint64_t wait = d > l->now_ms ? d - l->now_ms : 0;
		if (timeout < 0 || wait < (uint64_t)timeout)
			timeout = (int)(wait > 60000 ? 60000 : wait);
	}
	if (l->again[0])
		timeout = 0;
	int n = epoll_wait(l->epfd, evs, 64, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->now_ms = loop_read_clock(l);
	/* The whole batch is scrubbable while the again list runs too. */
	l->batch = evs;
	l->batch_len = n;
	l->batch_pos = -1;
	loop_run_again(l);
	loop_dispatch(l);
	loop_fire_timers(l);
	return 0;
}

int loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int r = loop_once(l, -1);
		if (r < 0)
			return r;
	}
	return 0;
}
