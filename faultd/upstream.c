/*
 * upstream.c -- the forwarder's sockets.
 *
 * One unconnected UDP socket per address family carries every forwarded
 * query; replies are matched by (upstream address, our 16-bit ID) through a
 * 65536-slot table.  A reply with TC set starts a TCP exchange with the same
 * server for the same query.
 */
#include "faultd/upstream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dnswire.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

#define UP_BUF 65536

struct fwdq {
	struct upstream *u;
	upstream_cb cb;
	void *arg;
	uint16_t our_id;
	size_t server;         /* index of the server being tried */
	size_t tries;
	struct ev_timer *timer;
	/* TCP exchange */
	int tcp_fd;
	size_t tcp_sent;       /* bytes of the framed query written */
	size_t tcp_got;        /* bytes of the framed reply read */
	uint8_t *tcp_buf;
	size_t len;
	uint8_t query[];       /* framed: 2-byte length then the query */
};

struct upstream {
	struct ev_loop *loop;
	struct dd_sockaddr *servers;
	size_t n;
	uint64_t timeout_us;
	int fd4, fd6;
	struct fwdq *slots[65536];
	struct dd_rng rng;
	struct upstream_stats st;
	uint8_t buf[UP_BUF];
};

static void try_send(struct fwdq *f);

static void
fwd_free(struct fwdq *f)
{
	struct upstream *u = f->u;

	if (u->slots[f->our_id] == f)
		u->slots[f->our_id] = NULL;
	ev_timer_cancel(u->loop, f->timer);
	f->timer = NULL;
	if (f->tcp_fd >= 0) {
		ev_io_del(u->loop, f->tcp_fd);
		close(f->tcp_fd);
	}
	free(f->tcp_buf);
	free(f);
}

static void
finish(struct fwdq *f, uint8_t *reply, size_t len)
{
	upstream_cb cb = f->cb;
	void *arg = f->arg;
	fwd_free(f);
	cb(arg, reply, len, UP_BUF);
}

/* This server failed: the next one, or give up. */
static void
next_server(struct fwdq *f)
{
	if (f->tcp_fd >= 0) {
		ev_io_del(f->u->loop, f->tcp_fd);
		close(f->tcp_fd);
		f->tcp_fd = -1;
	}
	f->tries++;
	if (f->tries >= f->u->n) {
		f->u->st.failures++;
		finish(f, f->u->buf, 0);
		return;
	}
	f->server = (f->server + 1) % f->u->n;
	try_send(f);
}

static void
on_timeout(struct ev_loop *loop, void *arg)
{
	struct fwdq *f = arg;
	char a[64];

	(void)loop;
	f->timer = NULL;
	f->u->st.timeouts++;
	log_info("upstream %s: no answer in %llu ms",
	    dd_sockaddr_str(&f->u->servers[f->server], a, sizeof(a)),
	    (unsigned long long)(f->u->timeout_us / 1000));
	next_server(f);
}

static void
arm(struct fwdq *f)
{
	ev_timer_cancel(f->u->loop, f->timer);
	f->timer = ev_timer_add(f->u->loop, f->u->timeout_us, on_timeout, f);
}

static void
try_send(struct fwdq *f)
{
	struct upstream *u = f->u;
	const struct dd_sockaddr *s = &u->servers[f->server];
	int fd = s->u.sa.sa_family == AF_INET6 ? u->fd6 : u->fd4;

	arm(f);
	if (fd < 0 || sendto(fd, f->query + 2, f->len, 0, &s->u.sa, s->len) < 0) {
		/* unreachable now: let the timer move on, no busy loop */
		log_debug("upstream send failed: %s", strerror(errno));
		return;
	}
	u->st.sent++;
}

/* ---- TCP retry ---- */

static void
on_tcp(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct fwdq *f = arg;
	ssize_t n;

	(void)loop;
	if ((events & EV_WRITE) && f->tcp_sent < f->len + 2) {
		n = send(fd, f->query + f->tcp_sent, f->len + 2 - f->tcp_sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINPROGRESS) {
			next_server(f);
			return;
		}
		if (n > 0)
			f->tcp_sent += (size_t)n;
		if (f->tcp_sent == f->len + 2)
			ev_io_mod(f->u->loop, fd, EV_READ);
		return;
	}
	if (!(events & EV_READ))
		return;
	n = recv(fd, f->tcp_buf + f->tcp_got, UP_BUF + 2 - f->tcp_got, 0);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		next_server(f);
		return;
	}
	f->tcp_got += (size_t)n;
	if (f->tcp_got >= 2) {
		size_t want = dns_get16(f->tcp_buf);
		if (want < DNS_HDR_LEN) {
			next_server(f);
			return;
		}
		if (f->tcp_got >= want + 2) {
			if (dns_get16(f->tcp_buf + 2) != f->our_id) {
				f->u->st.mismatched++;
				next_server(f);
				return;
			}
			memcpy(f->u->buf, f->tcp_buf + 2, want);
			f->u->st.replies++;
			finish(f, f->u->buf, want);
		}
	}
}

static void
start_tcp(struct fwdq *f)
{
	const struct dd_sockaddr *s = &f->u->servers[f->server];
	int fd;

	f->u->st.tcp_retries++;
	if (f->tcp_buf == NULL && (f->tcp_buf = malloc(UP_BUF + 2)) == NULL) {
		next_server(f);
		return;
	}
	fd = socket(s->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		next_server(f);
		return;
	}
	if (connect(fd, &s->u.sa, s->len) < 0 && errno != EINPROGRESS) {
		close(fd);
		next_server(f);
		return;
	}
	f->tcp_fd = fd;
	f->tcp_sent = f->tcp_got = 0;
	if (ev_io_add(f->u->loop, fd, EV_WRITE, on_tcp, f) < 0) {
		close(fd);
		f->tcp_fd = -1;
		next_server(f);
		return;
	}
	arm(f);
}

/* ---- UDP replies ---- */

static void
on_udp(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct upstream *u = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct dd_sockaddr from;
		ssize_t n;
		struct fwdq *f;

		from.len = sizeof(from.u);
		n = recvfrom(fd, u->buf, sizeof(u->buf), MSG_DONTWAIT, &from.u.sa, &from.len);
		if (n < 0)
			return;
		if (n < DNS_HDR_LEN)
			continue;
		f = u->slots[dns_get16(u->buf)];
		if (f == NULL || f->tcp_fd >= 0 ||
		    !dd_sockaddr_equal(&from, &u->servers[f->server])) {
			u->st.mismatched++;
			continue;
		}
		if (dns_get16(u->buf + 2) & DNS_TC) {
			start_tcp(f);
			continue;
		}
		u->st.replies++;
		finish(f, u->buf, (size_t)n);
	}
}

static int
open_udp(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = 4 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

struct upstream *
upstream_new(struct ev_loop *loop, const struct dd_sockaddr *servers, size_t n,
    uint64_t timeout_us)
{
	struct upstream *u = calloc(1, sizeof(*u));
	bool v4 = false, v6 = false;

	if (u == NULL)
		return NULL;
	u->loop = loop;
	u->fd4 = u->fd6 = -1;
	u->n = n;
	u->timeout_us = timeout_us;
	dd_rng_seed(&u->rng, dd_now_us());
	u->servers = calloc(n ? n : 1, sizeof(*servers));
	if (u->servers == NULL)
		goto fail;
	memcpy(u->servers, servers, n * sizeof(*servers));
	for (size_t i = 0; i < n; i++) {
		if (servers[i].u.sa.sa_family == AF_INET6)
			v6 = true;
		else
			v4 = true;
	}
	if (v4 && ((u->fd4 = open_udp(AF_INET)) < 0 ||
	    ev_io_add(loop, u->fd4, EV_READ, on_udp, u) < 0))
		goto fail;
	if (v6 && ((u->fd6 = open_udp(AF_INET6)) < 0 ||
	    ev_io_add(loop, u->fd6, EV_READ, on_udp, u) < 0))
		goto fail;
	return u;
fail:
	upstream_free(u);
	return NULL;
}

void
upstream_free(struct upstream *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < 65536; i++)
		if (u->slots[i] != NULL)
			fwd_free(u->slots[i]);
	if (u->fd4 >= 0) {
		ev_io_del(u->loop, u->fd4);
		close(u->fd4);
	}
	if (u->fd6 >= 0) {
		ev_io_del(u->loop, u->fd6);
		close(u->fd6);
	}
	free(u->servers);
	free(u);
}

int
upstream_query(struct upstream *u, const uint8_t *query, size_t len,
    upstream_cb cb, void *arg)
{
	struct fwdq *f;
	uint16_t id = 0;
	int i;

	if (u->n == 0 || len < DNS_HDR_LEN || len > 65535)
		return DD_EINVAL;
	for (i = 0; i < 64; i++) {
		id = (uint16_t)dd_rng_next(&u->rng);
		if (u->slots[id] == NULL)
			break;
	}
	if (i == 64)
		return DD_ENOSPACE;
	f = calloc(1, sizeof(*f) + len + 2);
	if (f == NULL)
		return DD_ENOMEM;
	f->u = u;
	f->cb = cb;
	f->arg = arg;
	f->our_id = id;
	f->tcp_fd = -1;
	f->len = len;
	dns_put16(f->query, (uint16_t)len);
	memcpy(f->query + 2, query, len);
	dns_put16(f->query + 2, id);
	u->slots[id] = f;
	try_send(f);
	return 0;
}

const struct upstream_stats *
upstream_get_stats(const struct upstream *u)
{
	return &u->st;
}
