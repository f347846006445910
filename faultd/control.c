/*
 * control.c -- the bytes of faultd's control socket: accept connections,
 * feed what they send to the session (faultd/ctl.c), write the replies
 * back.  Commands run on the event loop between packets, so a change
 * applies to the next packet and never races one.
 *
 * A connection is kept to a bounded cost whatever its client does:
 *   - replies: while more than CONTROL_OUT_LOW bytes of them are unwritten,
 *     no further command runs and the socket is not read (a client that
 *     pipelines commands and never reads is throttled, not buffered); one
 *     reply is at most CONTROL_REPLY_MAX (else an ERR replaces it), so a
 *     connection never holds more than the sum of the two;
 *   - input: one line is at most CTL_LINE_MAX bytes (ctl.c);
 *   - time: a connection that has run no command and had no reply bytes
 *     taken for the idle time (--control-idle) is closed by a sweep timer,
 *     whether it is silent, dribbling half a line, or not reading.
 * The harness's client reconnects and resends by itself when faultd closed
 * a quiet connection under a command it had not read (faultd/ctl_client.c),
 * so closing idle connections never fails a run.
 */
#include "faultd/control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/accept.h"
#include "lib/log.h"

struct ctl_conn {
	struct control *ctl;
	struct ctl_conn *next;
	int fd;
	struct ctl_session in;
	struct dd_buf w;
	uint64_t last_us;        /* last command run or reply bytes taken */
	bool full;               /* commands wait until w drains */
	bool eof;                /* the client sent all it will send */
	bool closing;            /* close once w is written */
};

struct control {
	struct ev_loop *loop;
	const struct ctl_target *target;
	char *path;
	int fd;
	struct acc_listener acc; /* pauses at the fd limit instead of spinning */
	uint64_t idle_us;
	struct ev_timer *sweep;  /* while there are connections */
	struct ctl_conn *conns;
};

static void
conn_free(struct ctl_conn *c)
{
	struct control *ctl = c->ctl;
	struct ctl_conn **pp;

	for (pp = &ctl->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_io_del(ctl->loop, c->fd);
	close(c->fd);
	dd_buf_free(&c->w);
	free(c);
	acc_resume(&ctl->acc);   /* a descriptor is free again */
}

static size_t
conn_pending(const struct ctl_conn *c)
{
	return c->w.len - c->w.off;
}

/* Run the commands waiting in c's session as far as its unread replies
 * allow. */
static void
conn_run(struct ctl_conn *c)
{
	uint64_t lines = c->in.lines;
	int rc;

	if (c->closing)
		return;
	rc = ctl_session_run(&c->in, c->ctl->target, &c->w, CONTROL_OUT_LOW,
	    CONTROL_REPLY_MAX);
	c->full = rc == CTL_SESSION_FULL;
	if (rc == CTL_SESSION_CLOSE || (c->eof && !c->full))
		c->closing = true;
	if (c->in.lines != lines)
		c->last_us = ev_now_us(c->ctl->loop);
}

/* Write what is queued, and run waiting commands as it drains.  Returns
 * false when c was freed. */
static bool
conn_flush(struct ctl_conn *c)
{
	for (;;) {
		while (conn_pending(c) > 0) {
			ssize_t n = send(c->fd, c->w.data + c->w.off, conn_pending(c),
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				conn_free(c);
				return false;
			}
			dd_buf_consume(&c->w, (size_t)n);
			c->last_us = ev_now_us(c->ctl->loop);
		}
		if (!c->full || conn_pending(c) > CONTROL_OUT_LOW)
			break;
		conn_run(c);
	}
	if (conn_pending(c) == 0) {
		if (c->closing) {
			conn_free(c);
			return false;
		}
		/* one large reply need not pin its buffer for the connection's life */
		if (c->w.cap > CONTROL_OUT_LOW)
			dd_buf_free(&c->w);
	}
	ev_io_mod(c->ctl->loop, c->fd,
	    (c->closing || c->full || c->eof ? 0 : EV_READ) |
	    (conn_pending(c) > 0 ? EV_WRITE : 0));
	return true;
}

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct ctl_conn *c = arg;
	char b[4096];
	size_t room;
	ssize_t n;

	(void)loop;
	if ((events & EV_WRITE) && !conn_flush(c))
		return;
	if (!(events & EV_READ))
		return;
	room = ctl_session_room(&c->in);
	if (c->closing || c->full || c->eof || room == 0) {
		/* not reading: only a hang-up (EPOLLHUP) wakes us here, and
		 * writing what is owed finds it (EPIPE) and closes */
		conn_flush(c);
		return;
	}
	/* never more than the session can hold: lines wait there, not here */
	n = recv(fd, b, room < sizeof(b) ? room : sizeof(b), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		c->eof = true;          /* EOF or error: finish the commands, then close */
	else
		ctl_session_push(&c->in, b, (size_t)n);
	conn_run(c);
	conn_flush(c);
}

/* Close connections with nothing done for the idle time. */
static void
on_sweep(struct ev_loop *loop, void *arg)
{
	struct control *ctl = arg;
	uint64_t now = ev_now_us(loop), period;

	ctl->sweep = NULL;
	for (struct ctl_conn *c = ctl->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (now - c->last_us < ctl->idle_us)
			continue;
		if (conn_pending(c) > 0)
			log_warnx("control: closing a connection whose client has not read "
			    "%zu bytes of replies for %llu ms", conn_pending(c),
			    (unsigned long long)(ctl->idle_us / 1000));
		else if (c->in.len > 0)
			log_info("control: closing a connection that sent no complete "
			    "command for %llu ms", (unsigned long long)(ctl->idle_us / 1000));
		else
			log_debug("control: closing a connection idle for %llu ms",
			    (unsigned long long)(ctl->idle_us / 1000));
		conn_free(c);
	}
	if (ctl->conns == NULL)
		return;
	period = control_sweep_period(ctl->idle_us);
	ctl->sweep = ev_timer_add(loop, period, on_sweep, ctl);
}

uint64_t
control_sweep_period(uint64_t idle_us)
{
	uint64_t period = idle_us / 4;

	if (period < 10000)
		period = 10000;
	if (period > 1000000)
		period = 1000000;
	return period;
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct control *ctl = arg;

	(void)loop;
	(void)events;
	for (;;) {
		int cfd = acc_accept(&ctl->acc, NULL);
		struct ctl_conn *c;

		if (cfd == -EAGAIN || acc_paused(&ctl->acc))
			return;
		if (cfd < 0)
			continue;   /* that one connection failed; the next may not */
		c = calloc(1, sizeof(*c));
		if (c == NULL || ev_io_add(ctl->loop, cfd, EV_READ, on_conn, c) < 0) {
			free(c);
			close(cfd);
			continue;
		}
		c->ctl = ctl;
		c->fd = cfd;
		c->last_us = ev_now_us(ctl->loop);
		c->next = ctl->conns;
		ctl->conns = c;
		if (ctl->sweep == NULL)
			ctl->sweep = ev_timer_add(ctl->loop,
			    control_sweep_period(ctl->idle_us), on_sweep, ctl);
	}
}

int
control_open(struct control **out, struct ev_loop *loop, const char *path,
    const struct ctl_target *target, uint64_t idle_us, struct dd_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	struct stat st;
	mode_t old;
	int rc, e;

	*out = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		dd_err_set(err, "--control %s: path longer than %zu bytes", path,
		    sizeof(sun.sun_path) - 1);
		return DD_EINVAL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		dd_err_set(err, "--control %s: out of memory", path);
		return DD_ENOMEM;
	}
	ctl->loop = loop;
	ctl->target = target;
	ctl->idle_us = idle_us > 0 ? idle_us : CONTROL_IDLE_DEFAULT_US;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto fail;
	/* a stale socket from a dead faultd is in the way: only remove a socket */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	old = umask(0077);   /* mode 0600 from the start: no window */
	rc = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(ctl->fd, 16) < 0)
		goto fail;
	if ((rc = acc_init(&ctl->acc, loop, ctl->fd, "control", 0, on_accept, ctl)) < 0) {
		errno = -rc;
		goto fail;
	}
	*out = ctl;
	return 0;
fail:
	e = errno;
	dd_err_set(err, "--control %s: %s", path, strerror(e));
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl->path);
	free(ctl);
	return DD_EIO;
}

void
control_close(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->conns != NULL)
		conn_free(ctl->conns);
	ev_timer_cancel(ctl->loop, ctl->sweep);
	acc_fini(&ctl->acc);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
