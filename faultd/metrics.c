/*
 * metrics.c -- the bytes of faultd's metrics endpoint: accept, read one
 * request head, write one answer (metrics_text.c decides it), close.  The
 * counters are rendered when the request is complete, between DNS
 * packets, like a control command.
 *
 * After the answer is written the connection half-closes and reads (and
 * drops) what the client still sends until it closes or the connection's
 * time is up: closing with unread bytes would reset the connection and
 * could destroy the answer (a 400 to a client still sending) before the
 * client reads it.
 */
#include "faultd/metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultd/metrics_text.h"
#include "lib/accept.h"
#include "lib/buf.h"
#include "lib/log.h"

struct mconn {
	struct metrics *m;
	struct mconn *next;
	int fd;
	size_t len;                  /* bytes of the request head in req */
	struct dd_buf w;             /* the answer, while being written */
	bool answered;               /* w holds the answer */
	bool draining;               /* written: reading to the client's end */
	struct ev_timer *deadline;
	char peer[64];
	char req[METRICS_REQ_MAX];
};

struct metrics {
	struct ev_loop *loop;
	const struct ctl_target *target;
	int fd;
	struct acc_listener acc;
	struct mconn *conns;
	unsigned nconns;
};

static void
mconn_free(struct mconn *c)
{
	struct metrics *m = c->m;

	for (struct mconn **pp = &m->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	m->nconns--;
	ev_timer_cancel(m->loop, c->deadline);
	ev_io_del(m->loop, c->fd);
	close(c->fd);
	dd_buf_free(&c->w);
	free(c);
	acc_resume(&m->acc);
}

static void
on_deadline(struct ev_loop *loop, void *arg)
{
	struct mconn *c = arg;

	(void)loop;
	c->deadline = NULL;
	if (!c->answered)
		log_info("metrics: %s: no complete request within %u ms; closed", c->peer,
		    METRICS_CONN_US / 1000);
	mconn_free(c);
}

/* Write what is left of the answer; then half-close and drain.  false when
 * c was freed. */
static bool
mconn_write(struct mconn *c)
{
	while (c->w.len > c->w.off) {
		ssize_t n = send(c->fd, c->w.data + c->w.off, c->w.len - c->w.off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				ev_io_mod(c->m->loop, c->fd, EV_WRITE);
				return true;
			}
			mconn_free(c);
			return false;
		}
		dd_buf_consume(&c->w, (size_t)n);
	}
	shutdown(c->fd, SHUT_WR);
	c->draining = true;
	ev_io_mod(c->m->loop, c->fd, EV_READ);
	return true;
}

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct mconn *c = arg;
	enum metrics_http st;
	bool head;
	ssize_t n;

	(void)loop;
	if (c->answered && !c->draining) {
		(void)mconn_write(c);
		return;
	}
	if (c->draining) {
		char b[1024];
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			mconn_free(c);
		return;
	}
	if (!(events & EV_READ))
		return;
	n = recv(fd, c->req + c->len, sizeof(c->req) - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		mconn_free(c);          /* gone before a whole request */
		return;
	}
	c->len += (size_t)n;
	st = metrics_http_parse(c->req, c->len, &head);
	if (st == METRICS_HTTP_MORE)
		return;
	if (st != METRICS_HTTP_OK)
		log_info("metrics: %s: answered %d", c->peer, (int)st);
	metrics_http_answer(st, head, c->m->target, &c->w);
	c->answered = true;
	if (c->w.oom) {
		mconn_free(c);
		return;
	}
	(void)mconn_write(c);
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct metrics *m = arg;

	(void)loop;
	(void)fd;
	(void)events;
	for (;;) {
		struct dd_sockaddr peer = { .len = 0 };
		int cfd = acc_accept(&m->acc, &peer);
		struct mconn *c;

		if (cfd == -EAGAIN || acc_paused(&m->acc))
			return;
		if (cfd < 0)
			continue;
		if (m->nconns >= METRICS_CONNS_MAX) {
			close(cfd);     /* a scraper retries; a flood gets nothing */
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL || ev_io_add(m->loop, cfd, EV_READ, on_conn, c) < 0) {
			free(c);
			close(cfd);
			continue;
		}
		c->m = m;
		c->fd = cfd;
		dd_sockaddr_str(&peer, c->peer, sizeof(c->peer));
		c->next = m->conns;
		m->conns = c;
		m->nconns++;
		c->deadline = ev_timer_add(m->loop, METRICS_CONN_US, on_deadline, c);
		if (c->deadline == NULL)
			mconn_free(c);
	}
}

int
metrics_open(struct metrics **out, struct ev_loop *loop, const struct dd_sockaddr *addr,
    const struct ctl_target *target, struct dd_err *err)
{
	struct metrics *m;
	char a[64];
	int one = 1, rc;

	*out = NULL;
	dd_sockaddr_str(addr, a, sizeof(a));
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		dd_err_set(err, "--metrics %s: out of memory", a);
		return DD_ENOMEM;
	}
	m->loop = loop;
	m->target = target;
	m->fd = socket(addr->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		goto fail;
	(void)setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->u.sa.sa_family == AF_INET6)
		(void)setsockopt(m->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(m->fd, &addr->u.sa, addr->len) < 0 || listen(m->fd, 16) < 0)
		goto fail;
	if ((rc = acc_init(&m->acc, loop, m->fd, "metrics", 0, on_accept, m)) < 0) {
		errno = -rc;
		goto fail;
	}
	*out = m;
	return 0;
fail:
	dd_err_set(err, "--metrics %s: %s", a, strerror(errno));
	if (m->fd >= 0)
		close(m->fd);
	free(m);
	return DD_EIO;
}

void
metrics_close(struct metrics *m)
{
	if (m == NULL)
		return;
	while (m->conns != NULL)
		mconn_free(m->conns);
	acc_fini(&m->acc);
	close(m->fd);
	free(m);
}
