/*
 * evloop.h -- a small epoll event loop with a timer heap.
 *
 * Daemons never sleep: every delay is a timer here, so one slow reply never
 * holds up another.  Timestamps are CLOCK_MONOTONIC microseconds, cached once
 * per loop iteration (ev_now_us).
 *
 * Ownership: the loop owns timers; a timer is freed after its callback runs
 * or when cancelled, so a caller that keeps the handle must forget it in the
 * callback.  File descriptors stay the caller's: ev_io_del() before close().
 */
#ifndef DD_EVLOOP_H
#define DD_EVLOOP_H

#include <stdint.h>

#define EV_READ  0x1u
#define EV_WRITE 0x4u

struct ev_loop;
struct ev_timer;

typedef void (*ev_io_cb)(struct ev_loop *loop, int fd, unsigned events, void *arg);
typedef void (*ev_timer_cb)(struct ev_loop *loop, void *arg);
typedef void (*ev_post_cb)(struct ev_loop *loop, void *arg);

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);   /* NULL-safe; cancels timers */

int ev_io_add(struct ev_loop *loop, int fd, unsigned events, ev_io_cb cb, void *arg);
int ev_io_mod(struct ev_loop *loop, int fd, unsigned events);
int ev_io_del(struct ev_loop *loop, int fd);

/* Run cb after delay_us.  Returns NULL on allocation failure. */
struct ev_timer *ev_timer_add(struct ev_loop *loop, uint64_t delay_us,
    ev_timer_cb cb, void *arg);
/* Cancel a pending timer (NULL-safe).  Never call on a timer that fired. */
void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t);
/* Number of pending timers. */
unsigned ev_timer_count(const struct ev_loop *loop);

/*
 * Run cb at the end of every iteration, after the I/O callbacks and the
 * timers that were due: where a caller sends in one system call what the
 * iteration's callbacks queued (sendmmsg).  At most EV_POST_MAX hooks, run
 * in the order added.  Returns 0, or -ENOSPC when all are taken.
 */
#define EV_POST_MAX 8
int ev_post_add(struct ev_loop *loop, ev_post_cb cb, void *arg);
/* Remove the hook added with this cb and arg (a no-op when there is none). */
void ev_post_del(struct ev_loop *loop, ev_post_cb cb, void *arg);

/* Run until ev_loop_stop(); returns 0 or a negative errno. */
int ev_loop_run(struct ev_loop *loop);
/* Run one iteration, waiting at most max_wait_us (for tests and drivers). */
int ev_loop_once(struct ev_loop *loop, uint64_t max_wait_us);
void ev_loop_stop(struct ev_loop *loop);
uint64_t ev_now_us(const struct ev_loop *loop);

#endif
