/*
 * httpd.c -- see httpd.h.
 *
 * Why hand-rolled: the SUT must build from libc alone, and both users need
 * only "read a request head, answer, close".  Requests larger than the input
 * buffer get 431; a head that never completes is dropped at the idle timeout.
 */
#include "sut/httpd.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"

#define HTTPD_MAX_LISTEN 16
#define HTTPD_MAX_CONNS 512
#define HTTPD_IDLE_US (5u * 1000000u)

struct hconn {
	struct httpd *s;
	struct hconn *prev, *next;
	int fd;
	struct dd_sockaddr peer;
	struct ev_timer *idle;
	char in[4096];
	size_t inlen;
	char *out;
	size_t outlen, outoff;
};

struct httpd {
	struct ev_loop *loop;
	httpd_handler handler;
	void *arg;
	int lfd[HTTPD_MAX_LISTEN];
	int nlisten;
	struct hconn *conns;
	unsigned nconns;
};

struct httpd *
httpd_new(struct ev_loop *loop, httpd_handler h, void *arg)
{
	struct httpd *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->loop = loop;
	s->handler = h;
	s->arg = arg;
	return s;
}

static void
conn_close(struct hconn *c)
{
	struct httpd *s = c->s;

	ev_io_del(s->loop, c->fd);
	close(c->fd);
	ev_timer_cancel(s->loop, c->idle);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	free(c->out);
	free(c);
}

void
httpd_free(struct httpd *s)
{
	if (s == NULL)
		return;
	while (s->conns)
		conn_close(s->conns);
	for (int i = 0; i < s->nlisten; i++) {
		ev_io_del(s->loop, s->lfd[i]);
		close(s->lfd[i]);
	}
	free(s);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static void
on_idle(struct ev_loop *loop, void *arg)
{
	struct hconn *c = arg;

	(void)loop;
	c->idle = NULL;           /* fired: the loop frees it */
	conn_close(c);
}

/* Write what is pending; close when done or on error. */
static void
conn_flush(struct hconn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_mod(c->s->loop, c->fd, EV_WRITE);
			return;
		}
		if (n <= 0)
			break;
		c->outoff += (size_t)n;
	}
	conn_close(c);
}

static void
conn_reply(struct hconn *c, const char *method, struct http_reply *rep)
{
	bool head = strcmp(method, "HEAD") == 0;
	size_t cap = 512 + rep->body_len;
	int hl;

	c->out = malloc(cap);
	if (c->out == NULL) {
		conn_close(c);
		return;
	}
	hl = snprintf(c->out, cap,
	    "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\nServer: dnsdrill\r\n\r\n",
	    rep->status, http_reason(rep->status),
	    rep->content_type ? rep->content_type : "application/json",
	    rep->body_len);
	if (hl < 0 || (size_t)hl >= cap) {
		conn_close(c);
		return;
	}
	c->outlen = (size_t)hl;
	if (!head) {
		memcpy(c->out + c->outlen, rep->body, rep->body_len);
		c->outlen += rep->body_len;
	}
	conn_flush(c);
}

static void
simple_reply(struct hconn *c, int status)
{
	struct http_reply rep = { .status = status, .content_type = "text/plain" };

	rep.body_len = (size_t)snprintf(rep.body, sizeof(rep.body), "%d %s\n",
	    status, http_reason(status));
	conn_reply(c, "GET", &rep);
}

/* A whole head is in c->in: parse the request line and answer. */
static void
conn_request(struct hconn *c)
{
	char *line = c->in, *sp1, *sp2, *eol;
	struct http_reply rep;

	eol = strpbrk(line, "\r\n");
	if (eol)
		*eol = '\0';
	sp1 = strchr(line, ' ');
	if (sp1 == NULL) {
		simple_reply(c, 400);
		return;
	}
	*sp1 = '\0';
	sp2 = strchr(sp1 + 1, ' ');
	if (sp2)
		*sp2 = '\0';
	char *path = sp1 + 1, *q = strchr(path, '?');
	if (q)
		*q = '\0';
	if (*line == '\0' || *path != '/') {
		simple_reply(c, 400);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.status = 200;
	c->s->handler(c->s->arg, &c->peer, line, path, &rep);
	if (rep.body_len > sizeof(rep.body))
		rep.body_len = sizeof(rep.body);
	conn_reply(c, line, &rep);
}

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct hconn *c = arg;

	(void)loop;
	(void)fd;
	if (c->out != NULL) {
		if (events & EV_WRITE)
			conn_flush(c);
		return;
	}
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->inlen += (size_t)n;
		c->in[c->inlen] = '\0';
		if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n")) {
			conn_request(c);
			return;
		}
		if (c->inlen == sizeof(c->in) - 1) {
			simple_reply(c, 431);
			return;
		}
	}
}

static void
on_accept(struct ev_loop *loop, int lfd, unsigned events, void *arg)
{
	struct httpd *s = arg;

	(void)events;
	for (;;) {
		struct dd_sockaddr peer;
		struct hconn *c;
		int fd;

		memset(&peer, 0, sizeof(peer));
		peer.len = sizeof(peer.u);
		fd = accept4(lfd, &peer.u.sa, &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept");
			return;
		}
		if (s->nconns >= HTTPD_MAX_CONNS) {
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		c->peer = peer;
		c->idle = ev_timer_add(loop, HTTPD_IDLE_US, on_idle, c);
		if (c->idle == NULL || ev_io_add(loop, fd, EV_READ, on_conn, c) < 0) {
			ev_timer_cancel(loop, c->idle);
			close(fd);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

int
httpd_listen(struct httpd *s, const struct dd_sockaddr *a)
{
	int fd, one = 1, r;

	if (s->nlisten >= HTTPD_MAX_LISTEN)
		return -ENOSPC;
	fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, &a->u.sa, a->len) < 0 || listen(fd, 128) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = ev_io_add(s->loop, fd, EV_READ, on_accept, s);
	if (r < 0) {
		close(fd);
		return r;
	}
	s->lfd[s->nlisten++] = fd;
	return 0;
}
