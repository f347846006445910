/*
 * probe_attempt.c -- the life of one probe attempt, and the I/O every kind
 * shares: sockets in a host, fd watching, the TCP connect-send-read stream.
 *
 * An attempt is driven by one fd callback (socket or pidfd) and one
 * deadline timer; whichever ends it first calls probe_attempt_done(), which
 * releases the fd and the timer, and the driver then hands the attempt to
 * env->report.  Results found while the attempt is still starting (a
 * synchronous connect error, a failed spawn) are handed over from a
 * zero-delay timer, so the prober's callbacks never run inside its own
 * API calls.
 *
 * Time comes only from env->clock: start, end and deadline are on it.
 */
#include "harness/probe_kind.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "netns/netns.h"

static uint64_t
clock_now(const struct probe_env *env)
{
	return env->clock.now_us(env->clock.ctx);
}

static void
timer_cancel(struct probe_env *env, void **t)
{
	if (*t != NULL)
		env->clock.timer_cancel(env->clock.ctx, *t);
	*t = NULL;
}

struct probe_attempt *
probe_attempt_new(struct probe *pr)
{
	size_t size = pr->ops->attempt_size;
	struct probe_attempt *a;

	if (size < sizeof(*a))
		size = sizeof(*a);
	if ((a = calloc(1, size)) == NULL)
		return NULL;
	a->pr = pr;
	a->fd = -1;
	return a;
}

void
probe_attempt_close_fd(struct probe_attempt *a)
{
	if (a->fd >= 0) {
		(void)ev_io_del(a->pr->env->loop, a->fd);
		close(a->fd);
		a->fd = -1;
	}
}

/* Everything but the memory of a itself. */
static void
attempt_release(struct probe_attempt *a)
{
	struct probe_env *env = a->pr->env;

	if (a->pr->ops->stop != NULL)
		a->pr->ops->stop(a);
	probe_attempt_close_fd(a);
	timer_cancel(env, &a->deadline);
	timer_cancel(env, &a->deliver);
	free(a->rx);
	a->rx = NULL;
}

void
probe_attempt_free(struct probe_attempt *a)
{
	if (a == NULL)
		return;
	attempt_release(a);
	free(a);
}

void
probe_attempt_done(struct probe_attempt *a, bool ok, const char *fmt, ...)
{
	struct probe_env *env = a->pr->env;
	va_list ap;

	if (a->finished)
		return;
	a->finished = true;
	a->end_us = clock_now(env);
	a->ok = ok;
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
	/* stop watching at once; the attempt's end time is now */
	if (a->pr->ops->stop != NULL)
		a->pr->ops->stop(a);
	probe_attempt_close_fd(a);
	timer_cancel(env, &a->deadline);
}

void
probe_attempt_fail_errno(struct probe_attempt *a, const char *what, int e)
{
	if (e == ECONNREFUSED)
		probe_attempt_done(a, false, "%s refused", what);
	else
		probe_attempt_done(a, false, "%s: %s", what, strerror(e));
}

/* The deadline passed: the attempt fails with the timeout and is reported. */
static void
expire(struct probe_attempt *a)
{
	const char *note = a->pr->ops->timeout_note;

	a->timed_out = true;
	probe_attempt_done(a, false, "timeout after %llu ms%s",
	    (unsigned long long)(a->pr->spec.timeout_us / 1000), note ? note : "");
	a->pr->env->report(a);
}

static void
deadline_cb(struct ev_loop *loop, void *arg)
{
	struct probe_attempt *a = arg;

	a->deadline = NULL;
	expire(a);
}

static void
deliver_cb(struct ev_loop *loop, void *arg)
{
	struct probe_attempt *a = arg;

	a->deliver = NULL;
	a->pr->env->report(a);
}

int
probe_attempt_run(struct probe_attempt *a, uint64_t now, uint64_t deadline_us)
{
	struct probe_env *env = a->pr->env;

	a->start_us = now;
	a->deadline_us = deadline_us;
	a->deadline = env->clock.timer_at(env->clock.ctx, deadline_us, deadline_cb, a);
	if (a->deadline == NULL)
		return DD_ENOMEM;
	a->starting = true;
	a->pr->ops->start(a);
	a->starting = false;
	/* ended already (refused at once, spawn failed): report from the
	 * loop, never from inside our caller */
	if (a->finished) {
		a->deliver = env->clock.timer_at(env->clock.ctx, clock_now(env),
		    deliver_cb, a);
		if (a->deliver == NULL)
			return DD_ENOMEM;
	}
	return 0;
}

void
probe_attempt_settle(struct probe_attempt *a, uint64_t now)
{
	struct probe_env *env = a->pr->env;

	if (a->finished) {
		timer_cancel(env, &a->deliver);
		env->report(a);
	} else if (a->deadline_us <= now) {
		/* so that timeout <= interval never makes the tick skip */
		timer_cancel(env, &a->deadline);
		expire(a);
	}
}

/* The fd callback of every attempt. */
static void
attempt_io_cb(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct probe_attempt *a = arg;

	if (a->finished || fd != a->fd)
		return;
	a->on_io(a, events);
	if (a->finished)
		a->pr->env->report(a);
}

int
probe_attempt_watch(struct probe_attempt *a, int fd, unsigned events,
    void (*on_io)(struct probe_attempt *a, unsigned events))
{
	int r = ev_io_add(a->pr->env->loop, fd, events, attempt_io_cb, a);

	if (r < 0)
		return r;
	a->fd = fd;
	a->on_io = on_io;
	return 0;
}

int
probe_socket_open(const struct probe *pr, int family, int type)
{
	int fd, fl;

	if (pr->env->topo != NULL && pr->spec.host != NULL)
		fd = netns_socket(pr->env->topo, pr->spec.host, family,
		    type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	else if ((fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		fd = -errno;
	if (fd < 0)
		return fd;
	/* whatever netns_socket did with the flags, be sure */
	if ((fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* ------------------------------------------------------------------ */
/* the TCP stream: connect, send a->wbuf, then hand reads to the kind */

static void
stream_write(struct probe_attempt *a)
{
	while (a->woff < a->wlen) {
		ssize_t n = send(a->fd, a->wbuf + a->woff, a->wlen - a->woff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			probe_attempt_fail_errno(a, "send", errno);
			return;
		}
		a->woff += (size_t)n;
	}
	a->st = PROBE_ST_READING;
	if (ev_io_mod(a->pr->env->loop, a->fd, EV_READ) < 0)
		probe_attempt_done(a, false, "event loop: cannot watch socket");
}

static void
stream_io(struct probe_attempt *a, unsigned events)
{
	if (a->st == PROBE_ST_CONNECTING) {
		int e = 0;
		socklen_t el = sizeof(e);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (!(events & (EV_WRITE | EV_READ)))
			return;
		if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e != 0) {
			probe_attempt_fail_errno(a, "connect", e);
			return;
		}
		/* a stale event for a recycled fd number must not pass as a
		 * completed connect */
		if (getpeername(a->fd, (struct sockaddr *)&ss, &sl) < 0)
			return;
		a->st = PROBE_ST_SENDING;
		if (a->on_connected != NULL)
			a->on_connected(a);
		if (a->finished)
			return;
	}
	if (a->st == PROBE_ST_SENDING) {
		stream_write(a);
		return;
	}
	if (a->st == PROBE_ST_READING && (events & EV_READ) && a->on_readable != NULL)
		a->on_readable(a);
}

void
probe_stream_open(struct probe_attempt *a,
    void (*on_connected)(struct probe_attempt *a),
    void (*on_readable)(struct probe_attempt *a))
{
	const struct probe *pr = a->pr;
	int fd = probe_socket_open(pr, pr->target.u.sa.sa_family, SOCK_STREAM);

	if (fd < 0) {
		probe_attempt_done(a, false, "socket: %s", dd_strerror(fd));
		return;
	}
	a->on_connected = on_connected;
	a->on_readable = on_readable;
	if (connect(fd, &pr->target.u.sa, pr->target.len) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		probe_attempt_fail_errno(a, "connect", e);
		return;
	}
	a->st = PROBE_ST_CONNECTING;
	if (probe_attempt_watch(a, fd, EV_WRITE, stream_io) < 0) {
		close(fd);
		probe_attempt_done(a, false, "event loop: cannot watch socket");
	}
}

/* ------------------------------------------------------------------ */
/* addresses */

bool
probe_sa_ok(const struct dd_sockaddr *a)
{
	return (a->u.sa.sa_family == AF_INET && a->len >= sizeof(struct sockaddr_in)) ||
	    (a->u.sa.sa_family == AF_INET6 && a->len >= sizeof(struct sockaddr_in6));
}

uint16_t
probe_sa_port(const struct dd_sockaddr *a)
{
	return ntohs(a->u.sa.sa_family == AF_INET6 ? a->u.sin6.sin6_port :
	    a->u.sin.sin_port);
}

void
probe_sa_set_port(struct dd_sockaddr *a, uint16_t port)
{
	if (a->u.sa.sa_family == AF_INET6)
		a->u.sin6.sin6_port = htons(port);
	else
		a->u.sin.sin_port = htons(port);
}
