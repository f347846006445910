/*
 * evloop.c -- epoll plus a binary min-heap of timers.
 *
 * Why not libevent: the loop is ~250 lines, has no hidden allocations on the
 * hot path, and lets tests drive it one iteration at a time.
 */
#include "lib/evloop.h"
#include "lib/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct ev_io {
	ev_io_cb cb;
	void *arg;
	bool used;
};

struct ev_timer {
	uint64_t when;
	uint64_t seq;       /* FIFO among equal deadlines */
	unsigned idx;       /* position in the heap */
	ev_timer_cb cb;
	void *arg;
};

struct ev_post {
	ev_post_cb cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	bool stop;
	bool no_pwait2;     /* kernel without epoll_pwait2: ms resolution */
	uint64_t now;
	uint64_t seq;
	struct ev_io *io;
	int nio;
	struct ev_timer **heap;
	unsigned nheap, capheap;
	struct ev_post post[EV_POST_MAX];
	unsigned npost;
};

uint64_t
ev_now_us(const struct ev_loop *loop)
{
	return loop->now;
}

struct ev_loop *
ev_loop_new(void)
{
	struct ev_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->now = dd_now_us();
	return l;
}

void
ev_loop_free(struct ev_loop *l)
{
	if (l == NULL)
		return;
	for (unsigned i = 0; i < l->nheap; i++)
		free(l->heap[i]);
	free(l->heap);
	free(l->io);
	close(l->epfd);
	free(l);
}

static int
io_slot(struct ev_loop *l, int fd)
{
	if (fd < 0)
		return -EBADF;
	if (fd >= l->nio) {
		int n = l->nio ? l->nio : 64;
		while (n <= fd)
			n *= 2;
		struct ev_io *nio = realloc(l->io, (size_t)n * sizeof(*nio));
		if (nio == NULL)
			return -ENOMEM;
		memset(nio + l->nio, 0, (size_t)(n - l->nio) * sizeof(*nio));
		l->io = nio;
		l->nio = n;
	}
	return 0;
}

static uint32_t
to_epoll(unsigned ev)
{
	uint32_t e = 0;
	if (ev & EV_READ)
		e |= EPOLLIN;
	if (ev & EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

int
ev_io_add(struct ev_loop *l, int fd, unsigned events, ev_io_cb cb, void *arg)
{
	struct epoll_event ee = { .events = to_epoll(events), .data.fd = fd };
	int r = io_slot(l, fd);

	if (r < 0)
		return r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ee) < 0)
		return -errno;
	l->io[fd] = (struct ev_io){ .cb = cb, .arg = arg, .used = true };
	return 0;
}

int
ev_io_mod(struct ev_loop *l, int fd, unsigned events)
{
	struct epoll_event ee = { .events = to_epoll(events), .data.fd = fd };

	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ee) < 0)
		return -errno;
	return 0;
}

int
ev_io_del(struct ev_loop *l, int fd)
{
	if (fd < 0 || fd >= l->nio || !l->io[fd].used)
		return -ENOENT;
	l->io[fd].used = false;
	if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
		return -errno;
	return 0;
}

/* ---- timer heap ---- */

static bool
t_less(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
heap_set(struct ev_loop *l, unsigned i, struct ev_timer *t)
{
	l->heap[i] = t;
	t->idx = i;
}

static void
sift_up(struct ev_loop *l, unsigned i)
{
	struct ev_timer *t = l->heap[i];
	while (i > 0) {
		unsigned p = (i - 1) / 2;
		if (!t_less(t, l->heap[p]))
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void
sift_down(struct ev_loop *l, unsigned i)
{
	struct ev_timer *t = l->heap[i];
	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && t_less(l->heap[c + 1], l->heap[c]))
			c++;
		if (!t_less(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void
heap_remove(struct ev_loop *l, unsigned i)
{
	struct ev_timer *last = l->heap[--l->nheap];
	if (i == l->nheap)
		return;
	heap_set(l, i, last);
	sift_down(l, i);
	sift_up(l, last->idx);
}

struct ev_timer *
ev_timer_add(struct ev_loop *l, uint64_t delay_us, ev_timer_cb cb, void *arg)
{
	struct ev_timer *t;

	if (l->nheap == l->capheap) {
		unsigned n = l->capheap ? l->capheap * 2 : 64;
		struct ev_timer **h = realloc(l->heap, n * sizeof(*h));
		if (h == NULL)
			return NULL;
		l->heap = h;
		l->capheap = n;
	}
	t = malloc(sizeof(*t));
	if (t == NULL)
		return NULL;
	/* measured from the real clock so a long callback does not shorten it */
	t->when = dd_now_us() + delay_us;
	t->seq = l->seq++;
	t->cb = cb;
	t->arg = arg;
	heap_set(l, l->nheap++, t);
	sift_up(l, t->idx);
	return t;
}

void
ev_timer_cancel(struct ev_loop *l, struct ev_timer *t)
{
	if (t == NULL)
		return;
	heap_remove(l, t->idx);
	free(t);
}

unsigned
ev_timer_count(const struct ev_loop *l)
{
	return l->nheap;
}

static void
run_timers(struct ev_loop *l)
{
	while (l->nheap > 0 && l->heap[0]->when <= l->now) {
		struct ev_timer *t = l->heap[0];
		heap_remove(l, 0);
		t->cb(l, t->arg);
		free(t);
	}
}

int
ev_loop_once(struct ev_loop *l, uint64_t max_wait_us)
{
	struct epoll_event evs[64];
	uint64_t wait = max_wait_us;
	int n = 0, timeout_ms;

	l->now = dd_now_us();
	run_timers(l);
	if (l->nheap > 0) {
		uint64_t d = l->heap[0]->when > l->now ? l->heap[0]->when - l->now : 0;
		if (d < wait)
			wait = d;
	}
	/* microsecond wake-ups where the kernel has epoll_pwait2 (5.11+);
	 * otherwise round up to whole ms so we never wake early and spin */
	if (wait > 3600000000ull)
		wait = 3600000000ull;
	if (!l->no_pwait2) {
		struct timespec ts = { .tv_sec = (time_t)(wait / 1000000u),
			.tv_nsec = (long)(wait % 1000000u) * 1000 };
		n = epoll_pwait2(l->epfd, evs, (int)DD_ARRAY_LEN(evs), &ts, NULL);
		if (n < 0 && errno == ENOSYS)
			l->no_pwait2 = true;
	}
	if (l->no_pwait2) {
		timeout_ms = (int)((wait + 999) / 1000);
		n = epoll_wait(l->epfd, evs, (int)DD_ARRAY_LEN(evs), timeout_ms);
	}
	if (n < 0 && errno != EINTR)
		return -errno;
	l->now = dd_now_us();
	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		unsigned e = 0;
		if (fd >= l->nio || !l->io[fd].used)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			e |= EV_READ;
		if (evs[i].events & (EPOLLOUT | EPOLLERR))
			e |= EV_WRITE;
		l->io[fd].cb(l, fd, e, l->io[fd].arg);
	}
	run_timers(l);
	for (unsigned i = 0; i < l->npost; i++)
		l->post[i].cb(l, l->post[i].arg);
	return 0;
}

int
ev_post_add(struct ev_loop *l, ev_post_cb cb, void *arg)
{
	if (l->npost == EV_POST_MAX)
		return -ENOSPC;
	l->post[l->npost++] = (struct ev_post){ .cb = cb, .arg = arg };
	return 0;
}

void
ev_post_del(struct ev_loop *l, ev_post_cb cb, void *arg)
{
	for (unsigned i = 0; i < l->npost; i++) {
		if (l->post[i].cb == cb && l->post[i].arg == arg) {
			memmove(&l->post[i], &l->post[i + 1], (l->npost - i - 1) * sizeof(l->post[0]));
			l->npost--;
			return;
		}
	}
}

int
ev_loop_run(struct ev_loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int r = ev_loop_once(l, 3600000000ull);
		if (r < 0)
			return r;
	}
	return 0;
}

void
ev_loop_stop(struct ev_loop *l)
{
	l->stop = true;
}
