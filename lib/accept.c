/*
 * accept.c -- accepting connections without spinning at the fd limit.
 *
 * The loop is level-triggered, so a listener with a connection queued that
 * accept() cannot take (no descriptor left) is reported readable on every
 * iteration.  Pausing it -- off the loop, back on after a timer or when a
 * descriptor is freed -- turns that busy loop into a few wake-ups a second.
 * The queued connection waits in the kernel's backlog meanwhile.
 */
#include "lib/accept.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"

/* at most one "paused" line per listener this often */
#define ACC_LOG_EVERY_US 10000000u

static void
acc_watch(struct acc_listener *a)
{
	if (a->watching)
		return;
	if (ev_io_add(a->loop, a->fd, EV_READ, a->cb, a->arg) < 0) {
		/* the loop could not grow its table (out of memory): try again
		 * after another pause rather than never */
		log_warn("%s: cannot watch the listener again", a->name);
		return;
	}
	a->watching = true;
}

static void
acc_on_retry(struct ev_loop *loop, void *arg)
{
	struct acc_listener *a = arg;

	(void)loop;
	a->retry = NULL;
	acc_watch(a);
	if (!a->watching)
		a->retry = ev_timer_add(a->loop, a->pause_us, acc_on_retry, a);
}

static void
acc_pause(struct acc_listener *a, int err)
{
	uint64_t now = ev_now_us(a->loop);

	if (a->watching) {
		ev_io_del(a->loop, a->fd);
		a->watching = false;
	}
	a->pauses++;
	if (a->last_log_us == 0 || now - a->last_log_us >= ACC_LOG_EVERY_US) {
		a->last_log_us = now;
		log_warnx("%s: cannot accept: %s; pausing the listener (%llu ms, or until a connection closes)",
		    a->name, strerror(err), (unsigned long long)(a->pause_us / 1000));
	}
	if (a->retry == NULL)
		a->retry = ev_timer_add(a->loop, a->pause_us, acc_on_retry, a);
	/* without a timer (out of memory) the next acc_resume() re-arms it */
}

int
acc_init(struct acc_listener *a, struct ev_loop *loop, int fd,
    const char *name, uint64_t pause_us, ev_io_cb cb, void *arg)
{
	memset(a, 0, sizeof(*a));
	a->loop = loop;
	a->fd = fd;
	a->cb = cb;
	a->arg = arg;
	a->pause_us = pause_us ? pause_us : ACC_PAUSE_US;
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "listener");
	int rc = ev_io_add(loop, fd, EV_READ, cb, arg);
	if (rc < 0)
		return rc;
	a->watching = true;
	return 0;
}

int
acc_accept(struct acc_listener *a, struct dd_sockaddr *peer)
{
	struct dd_sockaddr dummy;
	int fd;

	if (!a->watching)
		return -EAGAIN;
	if (peer == NULL)
		peer = &dummy;
	peer->len = sizeof(peer->u);
	fd = accept4(a->fd, &peer->u.sa, &peer->len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		return fd;
	int err = errno;
	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return -EAGAIN;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		acc_pause(a, err);
		return -err;
	default:
		return -err;
	}
}

void
acc_resume(struct acc_listener *a)
{
	if (a->loop == NULL || a->watching)
		return;
	ev_timer_cancel(a->loop, a->retry);
	a->retry = NULL;
	acc_watch(a);
	if (!a->watching)
		a->retry = ev_timer_add(a->loop, a->pause_us, acc_on_retry, a);
}

bool
acc_paused(const struct acc_listener *a)
{
	return a->loop != NULL && !a->watching;
}

void
acc_fini(struct acc_listener *a)
{
	if (a->loop == NULL)
		return;
	if (a->watching)
		ev_io_del(a->loop, a->fd);
	ev_timer_cancel(a->loop, a->retry);
	a->retry = NULL;
	a->watching = false;
	a->loop = NULL;
}

unsigned
acc_conn_cap(unsigned want, uint64_t fd_limit, unsigned reserve)
{
	uint64_t room;

	if (fd_limit <= (uint64_t)reserve + 1)
		return 1;
	room = fd_limit - reserve;
	return room < want ? (unsigned)room : (want ? want : 1);
}
