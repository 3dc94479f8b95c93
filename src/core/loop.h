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
	/* Owned by the loop (loop_again): set up by loop_add. */
	struct loop_watch *again_prev, *again_next;
	uint8_t again_list; /* 0: not queued, else 1 + index into loop.again */
};

/* Events passed to a callback that loop_again() scheduled: the object had
 * more work than one turn allows and asked to be called back. */
#define LOOP_AGAIN 0u

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
	/* The epoll batch being dispatched: loop_del() scrubs a watch's
	 * pending entries, so an object freed by an earlier callback of the
	 * same batch is never called. */
	struct epoll_event *batch;
	int batch_len, batch_pos;
	/* loop_again(): [0] runs next turn, [1] is the list being run now. */
	struct loop_watch *again[2];
	uint64_t (*clock)(void *arg); /* NULL: CLOCK_MONOTONIC in ms */
	void *clock_arg;
};

int loop_init(struct loop *l);
void loop_free(struct loop *l);
/* fd must be non-blocking; events are EPOLLIN/EPOLLOUT/... */
int loop_add(struct loop *l, struct loop_watch *w, uint32_t events);
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events);
/* Unregisters w and forgets every pending event and loop_again() call for
 * it: after loop_del() the object may be freed, even in a callback. */
int loop_del(struct loop *l, struct loop_watch *w);
/* Calls w->cb(l, w, LOOP_AGAIN) on the next turn, after the events that
 * turn brings, without waiting. For bounded work per turn: an object that
 * stops with work left (data already read into its buffer, which epoll
 * will not report again) asks to be called back instead of looping on. */
void loop_again(struct loop *l, struct loop_watch *w);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
/* (Re)arms t to fire once, ms from now. Returns 0 or -ENOMEM. */
int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

/* Blocks the signals in set and delivers them through cb. */
int loop_signals(struct loop *l, const sigset_t *set, loop_signal_cb cb, void *arg);

uint64_t loop_now_ms(struct loop *l);
uint64_t loop_clock_ms(void); /* fresh CLOCK_MONOTONIC reading */
/* Replaces the loop's clock (tests: a fake clock); NULL restores it. */
void loop_set_clock(struct loop *l, uint64_t (*clock)(void *arg), void *arg);
/* Runs until loop_stop(); returns 0 or -errno from epoll_wait. */
int loop_run(struct loop *l);
/* Runs one iteration waiting at most max_wait_ms (-1: until an event). */
int loop_once(struct loop *l, int max_wait_ms);
void loop_stop(struct loop *l);

#endif
