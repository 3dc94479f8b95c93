/* loop: the one event loop. epoll for fds, a binary min-heap of per-object
 * timers, signalfd for signals. No threads, no global state: every object
 * embeds its own struct loop_watch / struct loop_timer and registers it.
 *
 *   struct loop l; loop_init(&l);
 *   w.fd = sock; w.cb = on_readable; w.arg = obj; loop_add(&l, &w, EPOLLIN);
 *   t.cb = on_timeout; t.arg = obj; loop_timer_arm(&l, &t, 1000);
 *   loop_run(&l);   // until loop_stop()
 */
#ifndef LIFEBOAT_CORE_LOOP_H
#define LIFEBOAT_CORE_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_watch;
struct loop_timer;

typedef void (*loop_fd_cb)(struct loop *l, struct loop_watch *w, uint32_t events);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t);
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *arg);

struct loop_watch {
	int fd;
	loop_fd_cb cb;
	void *arg;
};

struct loop_timer {
	uint64_t deadline_ms; /* monotonic ms */
	loop_timer_cb cb;
	void *arg;
	size_t heap_idx; /* SIZE_MAX when not armed */
};

struct loop {
	int epfd;
	bool stop;
	uint64_t now_ms; /* cached monotonic time, refreshed each iteration */
	struct loop_timer **heap;
	size_t heap_len, heap_cap;
	struct loop_watch sigw;
	loop_signal_cb sig_cb;
	void *sig_arg;
};

int loop_init(struct loop *l);
void loop_free(struct loop *l);
/* fd must be non-blocking; events are EPOLLIN/EPOLLOUT/... */
int loop_add(struct loop *l, struct loop_watch *w, uint32_t events);
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events);
int loop_del(struct loop *l, struct loop_watch *w);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
/* (Re)arms t to fire once, ms from now. Returns 0 or -ENOMEM. */
int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

/* Blocks the signals in set and delivers them through cb. */
int loop_signals(struct loop *l, const sigset_t *set, loop_signal_cb cb, void *arg);

uint64_t loop_now_ms(struct loop *l);
uint64_t loop_clock_ms(void); /* fresh CLOCK_MONOTONIC reading */
/* Runs until loop_stop(); returns 0 or -errno from epoll_wait. */
int loop_run(struct loop *l);
/* Runs one iteration waiting at most max_wait_ms (-1: until an event). */
int loop_once(struct loop *l, int max_wait_ms);
void loop_stop(struct loop *l);

#endif
