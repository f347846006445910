/*
 * ctl_client.c -- the client side of the control protocol: an asynchronous
 * client on lib/evloop (the harness drives faultd with it without ever
 * blocking its runner) and, built on it, the blocking one-shot request
 * faultctl uses.  One implementation, so the two can never disagree.
 *
 * Requests form one FIFO.  `wnext` marks the first not yet fully written;
 * replies are matched to the head, because faultd answers in order.  A
 * request whose timeout fires after it was (partly) written stays in the
 * FIFO with its callback cleared, so its late reply is read and dropped
 * and the ones behind it stay matched.
 *
 * faultd closes a connection that stays quiet for its --control-idle
 * time.  A request it cannot have run is then sent again, once, on a fresh
 * connection (hung_up), so a long-lived client such as the harness's never
 * sees that close: see hung_up for when a request counts as unread.
 *
 * Callbacks may send and may free the client: every entry from the loop
 * (I/O, the connect kick, a timeout) and ctl_client_free itself hold
 * `depth`, and the client is destroyed only when the last of them leaves.
 *
 * Two transports under one FIFO: a unix socket, and TCP with TLS
 * (ctl_client_new_tls).  Bytes go through tx()/rx(), which look the same
 * to the rest of this file (n, or -1 with errno; EAGAIN to wait for the
 * event want() asks for); a TLS connection first runs its handshake on
 * the loop (handshaking), and TLS errors come back as EPROTO with the
 * reason in tw.msg.  A TLS end of stream, clean or not, is an EOF and a
 * reset an ECONNRESET, so the resend rule (hung_up) is the same for both.
 */
#include "faultd/ctl.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "faultd/ctl_tls.h"

struct ctl_req {
	struct ctl_req *next;
	struct ctl_client *c;
	ctl_reply_cb cb;          /* NULL once answered (timed out, reply still owed) */
	void *arg;
	struct ev_timer *timer;   /* the request's timeout; NULL once fired */
	uint64_t timeout_us;
	size_t len, off;          /* bytes of line (with its '\n'); bytes written */
	bool resent;              /* written whole once, and being sent again */
	char line[];
};

struct ctl_client {
	struct ev_loop *loop;
	struct sockaddr_storage sa;   /* where faultd listens (unix or TCP) */
	socklen_t salen;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];  /* for messages */
	int fd;                   /* -1: not connected */
	bool connecting;          /* non-blocking connect under way */
	SSL_CTX *tls;             /* NULL: the unix socket */
	char *server_name;        /* name faultd's certificate must carry, or NULL */
	SSL *ssl;                 /* the TLS connection, while connected */
	bool handshaking;         /* TLS handshake under way */
	bool hs_write;            /* ... and it waits to write (else to read) */
	struct ctl_tls_wait tw;   /* what SSL_read/SSL_write wait for; msg: the last TLS failure */
	bool wshut;               /* faultd refuses more bytes (EPIPE): read what it said */
	struct ctl_req *head, *tail;
	struct ctl_req *wnext;    /* first request not fully written */
	struct ctl_reader rd;
	struct ev_timer *kick;    /* connect from the loop, not from send */
	unsigned depth;
	bool dead;                /* ctl_client_free was called */
};

static void
enter(struct ctl_client *c)
{
	c->depth++;
}

static void
destroy(struct ctl_client *c)
{
	ctl_reader_free(&c->rd);
	SSL_CTX_free(c->tls);
	free(c->server_name);
	free(c);
}

/* Leave an entry; false when the client is gone and must not be touched. */
static bool
leave(struct ctl_client *c)
{
	if (--c->depth == 0 && c->dead) {
		destroy(c);
		return false;
	}
	return !c->dead;
}

static void
req_free(struct ctl_client *c, struct ctl_req *r)
{
	ev_timer_cancel(c->loop, r->timer);
	free(r);
}

/* Call r's callback once (if it still has one). */
static void
answer(struct ctl_client *c, struct ctl_req *r, int rc, const char *status,
    const char *data, size_t data_len, const char *errmsg)
{
	ctl_reply_cb cb = r->cb;

	r->cb = NULL;
	ev_timer_cancel(c->loop, r->timer);
	r->timer = NULL;
	if (cb == NULL)
		return;
	enter(c);
	cb(r->arg, rc, status, data, data_len, errmsg);
	c->depth--;           /* the caller's own entry keeps c alive */
}

static void
disconnect(struct ctl_client *c)
{
	if (c->fd >= 0) {
		ev_io_del(c->loop, c->fd);
		close(c->fd);
	}
	SSL_free(c->ssl);         /* and its BIO; the fd is closed above */
	c->ssl = NULL;
	c->handshaking = c->hs_write = false;
	c->tw = (struct ctl_tls_wait){ 0 };   /* a fresh connection: nothing waited for, no failure */
	c->fd = -1;
	c->connecting = false;
	c->wshut = false;
	c->wnext = NULL;
	ctl_reader_reset(&c->rd);
}

/* Drop the connection and fail every request on it with rc and msg.
 * Requests sent from those callbacks start a fresh FIFO. */
static void
fail_all(struct ctl_client *c, int rc, const char *msg)
{
	struct ctl_req *r = c->head, *next;

	disconnect(c);
	c->head = c->tail = NULL;
	for (; r != NULL; r = next) {
		next = r->next;
		answer(c, r, rc, NULL, NULL, 0, msg);
		req_free(c, r);
	}
}

static void on_kick(struct ev_loop *loop, void *arg);

/*
 * faultd hung up with requests unanswered.  Each one it cannot have run is
 * sent again on a fresh connection; the rest fail with DD_EIO and msg.
 * faultd runs a command only once it has read the command's '\n', so these
 * are unread:
 *   - a request not written whole (off < len);
 *   - when `reset` (the stream ended in ECONNRESET: faultd closed with bytes
 *     of ours unread), every written one too -- faultd closes a connection
 *     with a command in it unread only as idle (--control-idle), i.e. when
 *     that command arrived as it was closing, or when it is dying (then
 *     the new connection fails).  (It also closes one whose replies went
 *     unread for the idle time; a request's timeout, shorter than that,
 *     has ended every such request first, and one that timed out is never
 *     sent again.)
 * A request written whole is sent again at most once.
 */
static void
hung_up(struct ctl_client *c, bool reset, const char *msg)
{
	struct ctl_req *r = c->head, *next, *lost = NULL, **lt = &lost;

	disconnect(c);
	c->head = c->tail = NULL;
	for (; r != NULL; r = next) {
		next = r->next;
		r->next = NULL;
		if (r->cb != NULL && (r->off < r->len || (reset && !r->resent))) {
			r->resent |= r->off == r->len;
			r->off = 0;
			if (c->tail != NULL)
				c->tail->next = r;
			else
				c->head = r;
			c->tail = r;
		} else {
			*lt = r;
			lt = &r->next;
		}
	}
	if (c->head != NULL && c->kick == NULL &&
	    (c->kick = ev_timer_add(c->loop, 0, on_kick, c)) == NULL) {
		*lt = c->head;            /* no memory to reconnect: fail them too */
		c->head = c->tail = NULL;
	}
	/* callbacks may send: those queue behind the ones kept */
	for (r = lost; r != NULL; r = next) {
		next = r->next;
		answer(c, r, DD_EIO, NULL, NULL, 0, msg);
		req_free(c, r);
	}
}

/* Fail everything with "WHAT PATH: strerror(e)" (a TLS failure: its
 * reason). */
static void
fail_errno(struct ctl_client *c, const char *what, int e)
{
	char msg[sizeof(c->name) + sizeof(c->tw.msg) + 64];

	if (e == EPROTO && c->tw.msg[0] != '\0')
		snprintf(msg, sizeof(msg), "TLS with faultd at %s: %s", c->name, c->tw.msg);
	else
		snprintf(msg, sizeof(msg), "%s %s: %s", what, c->name, strerror(e));
	fail_all(c, DD_EIO, msg);
}

static void
want(struct ctl_client *c)
{
	unsigned ev;

	if (c->connecting)
		ev = EV_WRITE;
	else if (c->handshaking)
		ev = c->hs_write ? EV_WRITE : EV_READ;
	else
		ev = EV_READ | ((c->wnext != NULL && !c->wshut && !c->tw.wr_wants_read) ||
		    c->tw.rd_wants_write ? EV_WRITE : 0);
	ev_io_mod(c->loop, c->fd, ev);
}

/* Write to faultd: bytes written, or -1 with errno. */
static ssize_t
tx(struct ctl_client *c, const void *p, size_t n)
{
	if (c->ssl == NULL)
		return send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return ctl_tls_write(c->ssl, p, n, &c->tw);
}

/* Read from faultd: bytes read, 0 at the end of the stream, or -1 with
 * errno. */
static ssize_t
rx(struct ctl_client *c, void *p, size_t n)
{
	if (c->ssl == NULL)
		return recv(c->fd, p, n, MSG_DONTWAIT);
	return ctl_tls_read(c->ssl, p, n, &c->tw);
}

/* The TLS connection on a connected socket: checks faultd's certificate
 * against the CA, and its name when one was given.  false when the
 * requests were failed. */
static bool
tls_begin(struct ctl_client *c)
{
	struct in6_addr a6;
	struct in_addr a4;

	ERR_clear_error();
	if ((c->ssl = SSL_new(c->tls)) == NULL) {
		fail_all(c, DD_ENOMEM, "out of memory for a TLS connection");
		return false;
	}
	{
		BIO *b = ctl_tls_bio_new(c->fd);
		if (b == NULL) {
			fail_all(c, DD_ENOMEM, "out of memory for a TLS connection");
			return false;
		}
		SSL_set_bio(c->ssl, b, b);
	}
	SSL_set_connect_state(c->ssl);
	if (c->server_name != NULL) {
		bool ip = inet_pton(AF_INET, c->server_name, &a4) == 1 ||
		    inet_pton(AF_INET6, c->server_name, &a6) == 1;
		int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		    c->server_name) : SSL_set1_host(c->ssl, c->server_name);

		if (!ip)
			ok = ok && SSL_set_tlsext_host_name(c->ssl, c->server_name);
		if (ok != 1) {
			fail_all(c, DD_ENOMEM, "cannot set the TLS server name");
			return false;
		}
	}
	c->handshaking = true;
	c->hs_write = true;       /* the ClientHello goes first */
	return true;
}

/* One step of the handshake.  false when the requests were failed. */
static bool
tls_step(struct ctl_client *c)
{
	int k, e;

	ERR_clear_error();
	errno = 0;
	k = SSL_do_handshake(c->ssl);
	if (k == 1) {
		c->handshaking = false;
		return true;
	}
	e = SSL_get_error(c->ssl, k);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->hs_write = e == SSL_ERROR_WANT_WRITE;
		return true;
	}
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		snprintf(c->tw.msg, sizeof(c->tw.msg), "the handshake was cut off (%s)",
		    errno != 0 ? strerror(errno) : "connection closed");
	else
		ctl_tls_errstr(c->ssl, c->tw.msg, sizeof(c->tw.msg));
	{
		char msg[sizeof(c->name) + sizeof(c->tw.msg) + 64];

		snprintf(msg, sizeof(msg), "TLS handshake with faultd at %s failed: %s",
		    c->name, c->tw.msg);
		fail_all(c, DD_EIO, msg);
	}
	return false;
}

static void
flush(struct ctl_client *c)
{
	while (c->wnext != NULL && !c->wshut) {
		struct ctl_req *r = c->wnext;
		ssize_t n = tx(c, r->line + r->off, r->len - r->off);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == EPIPE || errno == ECONNRESET) {
				/* faultd has closed: its last replies may still be
				 * waiting to be read, and the end of the stream then
				 * says whether it read what we sent (on_io) */
				c->wshut = true;
				break;
			}
			fail_errno(c, "write to", errno);
			return;
		}
		r->off += (size_t)n;
		if (r->off == r->len)
			c->wnext = r->next;
	}
	want(c);
}

/* Hand every complete reply to the request at the head of the FIFO. */
static void
dispatch(struct ctl_client *c)
{
	struct ctl_reply rep;
	int rc;

	while (!c->dead && c->fd >= 0 && (rc = ctl_reader_next(&c->rd, &rep)) != 0) {
		struct ctl_req *r = c->head;

		if (rc < 0) {
			fail_all(c, DD_EIO, "faultd's reply is too long");
			return;
		}
		if (r == NULL || r->off == 0) {
			fail_all(c, DD_EIO, "faultd sent a reply to no request");
			return;
		}
		/* a reply before the whole line was written: faultd refused it
		 * as too long and is hanging up; write no more of it */
		c->head = r->next;
		if (c->head == NULL)
			c->tail = NULL;
		if (c->wnext == r)
			c->wnext = r->next;
		if (rep.ok)
			answer(c, r, 0, rep.text, rep.data, rep.data_len, NULL);
		else
			answer(c, r, DD_EINVAL, NULL, rep.data, rep.data_len, rep.text);
		req_free(c, r);
	}
}

static void
on_io(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct ctl_client *c = arg;

	(void)loop;
	(void)fd;
	enter(c);
	if (c->connecting) {
		int e = 0;
		socklen_t elen = sizeof(e);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e != 0) {
			fail_errno(c, "cannot reach faultd at", e);
			goto out;
		}
		c->connecting = false;
		if (c->tls != NULL && !tls_begin(c))
			goto out;
	}
	if (c->handshaking) {
		if (!tls_step(c))
			goto out;
		if (c->handshaking) {
			want(c);
			goto out;
		}
		events |= EV_WRITE;   /* the requests waiting go out now */
	}
	if ((events & EV_WRITE) || c->tw.wr_wants_read) {
		flush(c);
		if (c->fd < 0)
			goto out;
	}
	/* a TLS record may hold more than one read takes: read on while
	 * OpenSSL holds decrypted bytes */
	while ((events & EV_READ) || c->tw.rd_wants_write ||
	    (c->ssl != NULL && SSL_pending(c->ssl) > 0)) {
		char b[16384];
		ssize_t n = rx(c, b, sizeof(b));

		events &= ~EV_READ;
		if (n > 0) {
			if (ctl_reader_feed(&c->rd, b, (size_t)n) < 0)
				fail_all(c, DD_ENOMEM, "out of memory reading faultd's reply");
			else
				dispatch(c);
		} else if (n == 0) {
			/* faultd went away; quietly when nothing was owed */
			hung_up(c, false, "faultd closed the connection without an answer");
		} else if (errno == ECONNRESET) {
			char msg[sizeof(c->name) + 128];

			snprintf(msg, sizeof(msg), "read from %s: %s", c->name,
			    strerror(errno));
			hung_up(c, true, msg);
		} else if (errno != EAGAIN && errno != EINTR) {
			fail_errno(c, "read from", errno);
		}
		if (c->dead || c->fd < 0 || n <= 0)
			break;
	}
	if (!c->dead && c->fd >= 0)
		want(c);
out:
	leave(c);
}

/* Connect (from the loop, so failures reach callbacks from the loop). */
static void
on_kick(struct ev_loop *loop, void *arg)
{
	struct ctl_client *c = arg;

	(void)loop;
	c->kick = NULL;
	if (c->fd >= 0 || c->head == NULL)
		return;
	enter(c);
	c->fd = socket(c->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail_errno(c, "cannot reach faultd at", errno);
		goto out;
	}
	if (c->sa.ss_family != AF_UNIX) {
		int one = 1;   /* one command, one small write: no Nagle wait */
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (connect(c->fd, (struct sockaddr *)&c->sa, c->salen) < 0) {
		if (errno != EINPROGRESS) {
			int e = errno;

			close(c->fd);
			c->fd = -1;
			fail_errno(c, "cannot reach faultd at", e);
			goto out;
		}
		c->connecting = true;
	}
	if (!c->connecting && c->tls != NULL && !tls_begin(c))
		goto out;
	if (ev_io_add(c->loop, c->fd, c->connecting || c->handshaking ? EV_WRITE :
	    EV_READ | EV_WRITE, on_io, c) < 0) {
		SSL_free(c->ssl);
		c->ssl = NULL;
		c->handshaking = false;
		close(c->fd);
		c->fd = -1;
		fail_all(c, DD_EIO, "cannot watch the control socket");
		goto out;
	}
	c->wnext = c->head;
out:
	leave(c);
}

static void
on_timeout(struct ev_loop *loop, void *arg)
{
	struct ctl_req *r = arg, **pp;
	struct ctl_client *c = r->c;
	char msg[96];

	(void)loop;
	r->timer = NULL;
	enter(c);
	snprintf(msg, sizeof(msg), "no answer from faultd within %llu ms",
	    (unsigned long long)(r->timeout_us / 1000));
	if (r->off > 0) {
		/* faultd may have it: keep it to absorb the reply */
		answer(c, r, CTL_ETIMEDOUT, NULL, NULL, 0, msg);
		leave(c);
		return;
	}
	/* never sent: take it out (it is at or after wnext) */
	for (pp = &c->head; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	if (c->tail == r) {
		c->tail = NULL;
		for (struct ctl_req *x = c->head; x != NULL; x = x->next)
			c->tail = x;
	}
	if (c->wnext == r)
		c->wnext = r->next;
	answer(c, r, CTL_ETIMEDOUT, NULL, NULL, 0, msg);
	req_free(c, r);
	leave(c);
}

struct ctl_client *
ctl_client_new(struct ev_loop *loop, const char *sock_path, struct dd_err *err)
{
	struct sockaddr_un *sun;
	struct ctl_client *c;

	if (strlen(sock_path) >= sizeof(sun->sun_path)) {
		dd_err_set(err, "%s: control socket path longer than %zu bytes", sock_path,
		    sizeof(sun->sun_path) - 1);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		dd_err_set(err, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->fd = -1;
	sun = (struct sockaddr_un *)&c->sa;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, sock_path, strlen(sock_path) + 1);
	c->salen = sizeof(*sun);
	snprintf(c->name, sizeof(c->name), "%s", sock_path);
	return c;
}

struct ctl_client *
ctl_client_new_tls(struct ev_loop *loop, const struct ctl_tls_opts *tls,
    struct dd_err *err)
{
	struct ctl_client *c;

	if (ctl_tls_opts_check(tls, err) < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		dd_err_set(err, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->fd = -1;
	snprintf(c->name, sizeof(c->name), "%s", tls->addr);
	if (ctl_tls_resolve(tls->addr, &c->sa, &c->salen, err) < 0)
		goto fail;
	if ((c->tls = ctl_tls_ctx_new(false, tls->cert_file, tls->key_file, tls->ca_file,
	    err)) == NULL)
		goto fail;
	if (tls->server_name != NULL &&
	    (c->server_name = strdup(tls->server_name)) == NULL) {
		dd_err_set(err, "out of memory");
		goto fail;
	}
	return c;
fail:
	destroy(c);
	return NULL;
}

int
ctl_client_send(struct ctl_client *c, const char *line, uint64_t timeout_us,
    ctl_reply_cb cb, void *arg)
{
	size_t len = strlen(line);
	struct ctl_req *r;

	if (c->dead || cb == NULL || memchr(line, '\n', len) != NULL)
		return DD_EINVAL;
	if (timeout_us == 0)
		timeout_us = CTL_DEFAULT_TIMEOUT_US;
	r = calloc(1, sizeof(*r) + len + 1);
	if (r == NULL)
		return DD_ENOMEM;
	r->c = c;
	r->cb = cb;
	r->arg = arg;
	r->timeout_us = timeout_us;
	r->len = len + 1;
	memcpy(r->line, line, len);
	r->line[len] = '\n';
	r->timer = ev_timer_add(c->loop, timeout_us, on_timeout, r);
	if (r->timer == NULL) {
		free(r);
		return DD_ENOMEM;
	}
	if (c->fd < 0 && c->kick == NULL) {
		c->kick = ev_timer_add(c->loop, 0, on_kick, c);
		if (c->kick == NULL) {
			req_free(c, r);
			return DD_ENOMEM;
		}
	}
	if (c->tail != NULL)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
	if (c->fd >= 0 && c->wnext == NULL) {
		c->wnext = r;
		if (!c->connecting)
			want(c);
	}
	return 0;
}

size_t
ctl_client_pending(const struct ctl_client *c)
{
	size_t n = 0;

	for (const struct ctl_req *r = c->head; r != NULL; r = r->next)
		n += r->cb != NULL;
	return n;
}

void
ctl_client_free(struct ctl_client *c)
{
	if (c == NULL || c->dead)
		return;
	c->dead = true;
	enter(c);
	ev_timer_cancel(c->loop, c->kick);
	c->kick = NULL;
	fail_all(c, CTL_ECANCELED, "control client closed before faultd answered");
	leave(c);
}

/* ---------------- the blocking face ---------------- */

struct waiter {
	bool done;
	int rc;
	struct ctl_result *res;
	struct dd_err *err;
};

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void
on_result(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct waiter *w = arg;

	w->done = true;
	w->rc = rc;
	if (errmsg != NULL)
		dd_err_set(w->err, "%s", errmsg);
	if (data != NULL) {
		w->res->data = dup_n(data, data_len);
		w->res->data_len = data_len;
	}
	if (status != NULL)
		w->res->status = dup_n(status, strlen(status));
	if ((data != NULL && w->res->data == NULL) || (status != NULL && w->res->status == NULL)) {
		dd_err_set(w->err, "out of memory");
		w->rc = DD_ENOMEM;
	}
}

/* One request on a private loop, through the unix socket (sock_path) or
 * TLS (tls). */
static int
request(const char *sock_path, const struct ctl_tls_opts *tls, const char *line,
    uint64_t timeout_us, struct ctl_result *res, struct dd_err *err)
{
	struct waiter w = { .res = res, .err = err };
	struct ev_loop *loop;
	struct ctl_client *c;
	int rc;

	memset(res, 0, sizeof(*res));
	loop = ev_loop_new();
	if (loop == NULL) {
		dd_err_set(err, "cannot create an event loop: %s", strerror(errno));
		return DD_ENOMEM;
	}
	c = tls != NULL ? ctl_client_new_tls(loop, tls, err) :
	    ctl_client_new(loop, sock_path, err);
	if (c == NULL) {
		ev_loop_free(loop);
		if (tls != NULL)
			return strcmp(err->msg, "out of memory") == 0 ? DD_ENOMEM : DD_EINVAL;
		return strlen(sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path) ?
		    -ENAMETOOLONG : DD_ENOMEM;
	}
	rc = ctl_client_send(c, line, timeout_us, on_result, &w);
	if (rc < 0) {
		dd_err_set(err, "%s", rc == DD_EINVAL ? "bad control command (newline?)" :
		    "out of memory");
		ctl_client_free(c);
		ev_loop_free(loop);
		return rc;
	}
	/* the request's own timer ends the wait */
	int lr = 0;
	while (!w.done && (lr = ev_loop_once(loop, 1000000)) == 0)
		;
	ctl_client_free(c);
	ev_loop_free(loop);
	if (lr < 0) {
		dd_err_set(err, "event loop: %s", dd_strerror(lr));
		return DD_EIO;
	}
	return w.rc;
}

int
ctl_request(const char *sock_path, const char *line, uint64_t timeout_us,
    struct ctl_result *res, struct dd_err *err)
{
	return request(sock_path, NULL, line, timeout_us, res, err);
}

int
ctl_request_tls(const struct ctl_tls_opts *tls, const char *line, uint64_t timeout_us,
    struct ctl_result *res, struct dd_err *err)
{
	if (tls == NULL) {
		memset(res, 0, sizeof(*res));
		dd_err_set(err, "TLS control: no options given");
		return DD_EINVAL;
	}
	return request(NULL, tls, line, timeout_us, res, err);
}

void
ctl_result_free(struct ctl_result *res)
{
	if (res == NULL)
		return;
	free(res->status);
	free(res->data);
	memset(res, 0, sizeof(*res));
}
