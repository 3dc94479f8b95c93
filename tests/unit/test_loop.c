/* The event loop: objects freed by a callback of the same epoll batch are
 * never called, loop_again() runs next turn without waiting, and the fake
 * clock drives timers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"

struct obj {
	struct loop_watch w;
	int fds[2];
	struct obj *victim; /* freed by this object's callback */
	int *calls;
	int again_left; /* loop_again requests still to make */
};

static void obj_close(struct loop *l, struct obj *o)
{
	loop_del(l, &o->w);
	close(o->fds[0]);
	close(o->fds[1]);
	free(o);
}

static struct obj *last_called;

static void on_ready(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct obj *o = w->arg;
	(void)events;
	(*o->calls)++;
	last_called = o;
	if (o->victim) {
		struct obj *v = o->victim;
		/* The victim's own pointer to us must not be used either. */
		v->victim = NULL;
		o->victim = NULL;
		obj_close(l, v);
	}
}

static struct obj *obj_new(struct loop *l, int *calls)
{
	struct obj *o = calloc(1, sizeof *o);
	assert_non_null(o);
	assert_int_equal(pipe(o->fds), 0);
	assert_int_equal(write(o->fds[1], "x", 1), 1);
	o->calls = calls;
	o->w.fd = o->fds[0];
	o->w.cb = on_ready;
	o->w.arg = o;
	assert_int_equal(loop_add(l, &o->w, EPOLLIN), 0);
	return o;
}

/* Two readable objects in one batch, each freeing the other when called:
 * exactly one callback may run (the old loop called the freed one too). */
static void test_freed_in_batch_not_called(void **state)
{
	(void)state;
	struct loop l;
	int calls = 0;
	assert_int_equal(loop_init(&l), 0);
	struct obj *a = obj_new(&l, &calls), *b = obj_new(&l, &calls);
	a->victim = b;
	b->victim = a;
	assert_int_equal(loop_once(&l, 1000), 0);
	assert_int_equal(calls, 1);
	obj_close(&l, last_called); /* the survivor */
	loop_free(&l);
}

static void on_again(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct obj *o = w->arg;
	(*o->calls)++;
	if (events == LOOP_AGAIN && o->victim) {
		obj_close(l, o->victim);
		o->victim = NULL;
	}
	if (o->again_left > 0) {
		o->again_left--;
		loop_again(l, w);
	}
}

/* loop_again: one call per turn, no waiting, dropped by loop_del. */
static void test_again(void **state)
{
	(void)state;
	struct loop l;
	int calls = 0, vcalls = 0;
	assert_int_equal(loop_init(&l), 0);
	struct obj *a = obj_new(&l, &calls);
	char c;
	assert_int_equal(read(a->fds[0], &c, 1), 1); /* not readable any more */
	a->w.cb = on_again;
	a->again_left = 3;
	loop_again(&l, &a->w);
	loop_again(&l, &a->w); /* twice is once */
	uint64_t t0 = loop_clock_ms();
	for (int i = 0; i < 4; i++) {
		assert_int_equal(loop_once(&l, 5000), 0);
		assert_int_equal(calls, i + 1);
	}
	assert_true(loop_clock_ms() - t0 < 4000); /* never waited for 5 s */
	assert_null(l.again[0]);

	/* An object queued for again and freed by another's again call. */
	struct obj *v = obj_new(&l, &vcalls);
	assert_int_equal(read(v->fds[0], &c, 1), 1);
	v->w.cb = on_again;
	loop_again(&l, &v->w); /* queued first: runs after a (list is LIFO) */
	a->victim = v;
	loop_again(&l, &a->w);
	assert_int_equal(loop_once(&l, 0), 0);
	assert_int_equal(vcalls, 0);
	assert_null(l.again[0]);
	assert_null(l.again[1]);
	obj_close(&l, a);
	loop_free(&l);
}

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	(*(int *)t->arg)++;
}

static void test_fake_clock(void **state)
{
	(void)state;
	struct loop l;
	struct loop_timer t;
	int fired = 0;
	assert_int_equal(loop_init(&l), 0);
	fake_now = 1000;
	loop_set_clock(&l, fake_clock, NULL);
	loop_timer_init(&t, on_timer, &fired);
	assert_int_equal(loop_timer_arm(&l, &t, 500), 0);
	fake_now = 1499;
	assert_int_equal(loop_once(&l, 0), 0);
	assert_int_equal(fired, 0);
	fake_now = 1500;
	assert_int_equal(loop_once(&l, 0), 0);
	assert_int_equal(fired, 1);
	loop_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freed_in_batch_not_called),
		cmocka_unit_test(test_again),
		cmocka_unit_test(test_fake_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
