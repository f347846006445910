/*
 * control.c -- the bytes of faultd's control socket: accept connections,
 * feed what they send to ctl_session_feed (faultd/ctl.c), write the replies
 * back.  Commands run on the event loop between packets, so a change
 * applies to the next packet and never races one.
 */
#include "faultd/control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct ctl_conn {
	struct control *ctl;
	struct ctl_conn *next;
	int fd;
	struct ctl_session in;
	struct dd_buf w;
	bool closing;            /* close once w is written */
};

struct control {
	struct ev_loop *loop;
	const struct ctl_target *target;
	char *path;
	int fd;
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
}

/* Write what is queued.  Returns false when c was freed. */
static bool
conn_flush(struct ctl_conn *c)
{
	while (c->w.len > c->w.off) {
		ssize_t n = send(c->fd, c->w.data + c->w.off, c->w.len - c->w.off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			conn_free(c);
			return false;
		}
		dd_buf_consume(&c->w, (size_t)n);
	}
	if (c->w.len == c->w.off && c->closing) {
		conn_free(c);
		return false;
	}
	ev_io_mod(c->ctl->loop, c->fd, (c->closing ? 0 : EV_READ) |
	    (c->w.len > c->w.off ? EV_WRITE : 0));
	return true;
}

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct ctl_conn *c = arg;
	char b[4096];
	ssize_t n;

	(void)loop;
	if ((events & EV_WRITE) && !conn_flush(c))
		return;
	if (!(events & EV_READ) || c->closing)
		return;
	n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		c->closing = true;      /* EOF or error: finish writing, then close */
	} else if (ctl_session_feed(&c->in, c->ctl->target, b, (size_t)n, &c->w) ==
	    CTL_SESSION_CLOSE) {
		c->closing = true;
	}
	conn_flush(c);
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct control *ctl = arg;

	(void)loop;
	(void)events;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_conn *c;

		if (cfd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (c == NULL || ev_io_add(ctl->loop, cfd, EV_READ, on_conn, c) < 0) {
			free(c);
			close(cfd);
			continue;
		}
		c->ctl = ctl;
		c->fd = cfd;
		c->next = ctl->conns;
		ctl->conns = c;
	}
}

int
control_open(struct control **out, struct ev_loop *loop, const char *path,
    const struct ctl_target *target, struct dd_err *err)
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
	if ((rc = ev_io_add(loop, ctl->fd, EV_READ, on_accept, ctl)) < 0) {
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
	ev_io_del(ctl->loop, ctl->fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
