/*
 * test_evloop.c -- the epoll loop and its timer heap: deadline order,
 * cancellation, never firing early, I/O readiness, stop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "lib/util.h"

static int fired[128];
static int nfired;

static void
rec_cb(struct ev_loop *loop, void *arg)
{
	(void)loop;
	fired[nfired++] = (int)(intptr_t)arg;
}

/* run until no timers are left (bounded) */
static void
drain(struct ev_loop *l)
{
	uint64_t start = dd_now_ms();
	while (ev_timer_count(l) > 0) {
		assert_int_equal(ev_loop_once(l, 100000), 0);
		if (dd_now_ms() - start > 5000)
			fail_msg("timers did not fire within 5 s");
	}
}

static void
test_timer_order(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	/* 1..40 ms, shuffled */
	int order[40];
	struct ev_timer *t[41];
	for (int i = 0; i < 40; i++)
		order[i] = (i * 17) % 40 + 1;
	nfired = 0;
	for (int i = 0; i < 40; i++)
		t[order[i]] = ev_timer_add(l, (uint64_t)order[i] * 1000 * 2, rec_cb,
		    (void *)(intptr_t)order[i]);
	assert_int_equal(ev_timer_count(l), 40);
	/* cancel every multiple of 3: exercises removal from the middle */
	for (int d = 3; d <= 40; d += 3)
		ev_timer_cancel(l, t[d]);
	assert_int_equal(ev_timer_count(l), 40 - 13);
	drain(l);
	assert_int_equal(nfired, 40 - 13);
	for (int i = 0; i < nfired; i++) {
		assert_true(fired[i] % 3 != 0);
		if (i > 0 && fired[i] <= fired[i - 1])
			fail_msg("timer %d fired after %d", fired[i], fired[i - 1]);
	}
	ev_timer_cancel(l, NULL);
	ev_loop_free(l);
}

static uint64_t fired_at;

static void
time_cb(struct ev_loop *loop, void *arg)
{
	(void)loop;
	(void)arg;
	fired_at = dd_now_us();
}

static void
test_timer_not_early(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	uint64_t start = dd_now_us();
	fired_at = 0;
	assert_non_null(ev_timer_add(l, 30000, time_cb, NULL));
	/* one iteration with a short wait must not fire it */
	assert_int_equal(ev_loop_once(l, 1000), 0);
	assert_int_equal(fired_at, 0);
	drain(l);
	assert_true(fired_at >= start + 30000);
	assert_true(fired_at < start + 2000000);
	assert_true(ev_now_us(l) >= start);
	ev_loop_free(l);
}

static void
test_zero_delay(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	nfired = 0;
	ev_timer_add(l, 0, rec_cb, (void *)(intptr_t)7);
	assert_int_equal(ev_loop_once(l, 1000000), 0);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 7);
	assert_int_equal(ev_timer_count(l), 0);
	ev_loop_free(l);
}

static int io_calls;
static unsigned io_events;
static int io_fd;

static void
io_cb(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	char c;
	(void)loop;
	io_calls++;
	io_events = events;
	io_fd = fd;
	*(int *)arg += 1;
	if (events & EV_READ)
		(void)!read(fd, &c, 1);
}

static void
test_io_read(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	int p[2], arg = 0;
	assert_int_equal(pipe(p), 0);
	io_calls = 0;
	assert_int_equal(ev_io_add(l, p[0], EV_READ, io_cb, &arg), 0);
	/* nothing to read: the wait times out, no callback */
	uint64_t start = dd_now_us();
	assert_int_equal(ev_loop_once(l, 20000), 0);
	assert_int_equal(io_calls, 0);
	assert_true(dd_now_us() - start >= 19000);

	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ev_loop_once(l, 1000000), 0);
	assert_int_equal(io_calls, 1);
	assert_int_equal(arg, 1);
	assert_int_equal(io_fd, p[0]);
	assert_true(io_events & EV_READ);

	/* after del, readiness is not reported */
	assert_int_equal(ev_io_del(l, p[0]), 0);
	assert_true(ev_io_del(l, p[0]) < 0);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(ev_loop_once(l, 10000), 0);
	assert_int_equal(io_calls, 1);

	/* write interest on the write end */
	assert_int_equal(ev_io_add(l, p[1], EV_READ, io_cb, &arg), 0);
	assert_int_equal(ev_io_mod(l, p[1], EV_WRITE), 0);
	assert_int_equal(ev_loop_once(l, 1000000), 0);
	assert_int_equal(io_calls, 2);
	assert_true(io_events & EV_WRITE);
	assert_int_equal(io_fd, p[1]);
	ev_io_del(l, p[1]);
	close(p[0]);
	close(p[1]);
	assert_true(ev_io_add(l, -1, EV_READ, io_cb, &arg) < 0);
	ev_loop_free(l);
}

static void
stop_cb(struct ev_loop *loop, void *arg)
{
	(void)arg;
	ev_loop_stop(loop);
}

static void
test_run_stop(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	uint64_t start = dd_now_us();
	nfired = 0;
	ev_timer_add(l, 5000, rec_cb, (void *)(intptr_t)1);
	ev_timer_add(l, 15000, stop_cb, NULL);
	ev_timer_add(l, 10000000, rec_cb, (void *)(intptr_t)2);  /* never */
	assert_int_equal(ev_loop_run(l), 0);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 1);
	assert_true(dd_now_us() - start >= 15000);
	assert_true(dd_now_us() - start < 5000000);
	assert_int_equal(ev_timer_count(l), 1);
	ev_loop_free(l);   /* frees the pending timer */
	ev_loop_free(NULL);
}

/* post hooks see what the iteration's I/O callback and timers did */
static int post_seen_io, post_seen_timers, post_order[8], npost;

static void
post_cb(struct ev_loop *loop, void *arg)
{
	(void)loop;
	post_order[npost++] = (int)(intptr_t)arg;
	post_seen_io = io_calls;
	post_seen_timers = nfired;
}

static void
test_post_hooks(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	int p[2], arg = 0;
	assert_int_equal(pipe(p), 0);
	io_calls = 0;
	nfired = 0;
	npost = 0;
	assert_int_equal(ev_io_add(l, p[0], EV_READ, io_cb, &arg), 0);
	assert_int_equal(ev_post_add(l, post_cb, (void *)(intptr_t)1), 0);
	assert_int_equal(ev_post_add(l, post_cb, (void *)(intptr_t)2), 0);
	ev_timer_add(l, 0, rec_cb, (void *)(intptr_t)7);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ev_loop_once(l, 1000000), 0);
	/* both hooks, in the order added, after the read and the due timer */
	assert_int_equal(npost, 2);
	assert_int_equal(post_order[0], 1);
	assert_int_equal(post_order[1], 2);
	assert_int_equal(post_seen_io, 1);
	assert_int_equal(post_seen_timers, 1);
	/* a removed hook no longer runs; removing an unknown one is a no-op */
	ev_post_del(l, post_cb, (void *)(intptr_t)1);
	ev_post_del(l, post_cb, (void *)(intptr_t)9);
	assert_int_equal(ev_loop_once(l, 1000), 0);
	assert_int_equal(npost, 3);
	assert_int_equal(post_order[2], 2);
	/* the table is bounded */
	for (int i = 0; i < EV_POST_MAX - 1; i++)
		assert_int_equal(ev_post_add(l, post_cb, (void *)(intptr_t)(10 + i)), 0);
	assert_int_equal(ev_post_add(l, post_cb, NULL), -ENOSPC);
	ev_io_del(l, p[0]);
	close(p[0]);
	close(p[1]);
	ev_loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_timer_not_early),
		cmocka_unit_test(test_zero_delay),
		cmocka_unit_test(test_io_read),
		cmocka_unit_test(test_run_stop),
		cmocka_unit_test(test_post_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
