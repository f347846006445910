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
 *
 * The same connections serve a second listener, TCP with TLS
 * (--control-tls): bytes then go through OpenSSL (conn_tx, conn_rx), a
 * connection first runs its handshake on the loop (hs) and is refused,
 * logged with its address, when the client's certificate is missing or not
 * signed by the CA; at most CONTROL_TLS_CONNS_MAX are open at once, and a
 * handshake counts as the idle time does.  After the handshake it is the
 * unix socket's protocol, limits and sweep, unchanged.  OpenSSL may hold
 * decrypted bytes the socket no longer signals; `kick` reads them.
 */
#include "faultd/control.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "faultd/ctl_tls.h"
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
	SSL *ssl;                /* TLS connections only */
	bool hs;                 /* TLS handshake under way */
	bool hs_write;           /* ... waiting to write (else to read) */
	struct ctl_tls_wait tw;  /* what SSL_read/SSL_write wait for; dead: no close_notify */
	struct ev_timer *kick;   /* read what OpenSSL holds decrypted */
	char peer[64];           /* "198.18.0.10:40112", for log lines */
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
	unsigned nconns;
	SSL_CTX *tls;            /* the TLS listener's; NULL for the unix socket */
	const char *what;        /* "control" or "control-tls", for log lines */
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
	ctl->nconns--;
	ev_timer_cancel(ctl->loop, c->kick);
	ev_io_del(ctl->loop, c->fd);
	if (c->ssl != NULL) {
		/* best effort, never waited for: the protocol's status lines say
		 * where replies end, so a missing close_notify loses nothing */
		if (!c->hs && !c->tw.dead) {
			ERR_clear_error();
			(void)SSL_shutdown(c->ssl);
		}
		ERR_clear_error();
		SSL_free(c->ssl);
	}
	close(c->fd);
	dd_buf_free(&c->w);
	free(c);
	acc_resume(&ctl->acc);   /* a descriptor is free again */
}

/* Bytes to the client: n, or -1 with errno (EAGAIN: wait for the event
 * conn_events asks for). */
static ssize_t
conn_tx(struct ctl_conn *c, const void *p, size_t n)
{
	ssize_t k;

	if (c->ssl == NULL)
		return send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if ((k = ctl_tls_write(c->ssl, p, n, &c->tw)) < 0 && errno == EPROTO)
		log_info("%s: %s: %s", c->ctl->what, c->peer, c->tw.msg);
	return k;
}

/* Bytes from the client: n, 0 at its end, or -1 with errno. */
static ssize_t
conn_rx(struct ctl_conn *c, void *p, size_t n)
{
	ssize_t k;

	if (c->ssl == NULL)
		return recv(c->fd, p, n, MSG_DONTWAIT);
	if ((k = ctl_tls_read(c->ssl, p, n, &c->tw)) < 0 && errno == EPROTO)
		log_info("%s: %s: %s", c->ctl->what, c->peer, c->tw.msg);
	return k;
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

static void on_kick(struct ev_loop *loop, void *arg);

/* Write what is queued, and run waiting commands as it drains.  Returns
 * false when c was freed. */
static bool
conn_flush(struct ctl_conn *c)
{
	for (;;) {
		while (conn_pending(c) > 0) {
			ssize_t n = conn_tx(c, c->w.data + c->w.off, conn_pending(c));
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
	    (conn_pending(c) > 0 ? EV_WRITE : 0) |
	    (c->tw.wr_wants_read ? EV_READ : 0) | (c->tw.rd_wants_write ? EV_WRITE : 0));
	/* decrypted bytes OpenSSL holds wake no epoll: read them from a timer */
	if (c->ssl != NULL && c->kick == NULL && !c->closing && !c->full && !c->eof &&
	    SSL_pending(c->ssl) > 0 && ctl_session_room(&c->in) > 0)
		c->kick = ev_timer_add(c->ctl->loop, 0, on_kick, c);
	return true;
}

/* A TLS handshake's next step.  Returns false when c was freed. */
static bool
conn_handshake(struct ctl_conn *c)
{
	int k, e;

	ERR_clear_error();
	errno = 0;
	k = SSL_do_handshake(c->ssl);
	if (k == 1) {
		X509 *cert = SSL_get1_peer_certificate(c->ssl);
		char subj[256] = "?";

		if (cert != NULL)
			X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
		X509_free(cert);
		log_info("%s: %s: client certificate %s accepted (%s)", c->ctl->what, c->peer,
		    subj, SSL_get_version(c->ssl));
		c->hs = false;
		c->last_us = ev_now_us(c->ctl->loop);
		return true;
	}
	e = SSL_get_error(c->ssl, k);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->hs_write = e == SSL_ERROR_WANT_WRITE;
		ev_io_mod(c->ctl->loop, c->fd, c->hs_write ? EV_WRITE : EV_READ);
		return true;
	}
	{
		char why[256];

		if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
			snprintf(why, sizeof(why), "the client hung up during the handshake%s%s",
			    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
		else
			ctl_tls_errstr(c->ssl, why, sizeof(why));
		log_warnx("%s: refused %s: %s", c->ctl->what, c->peer, why);
	}
	c->tw.dead = true;
	conn_free(c);
	return false;
}

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct ctl_conn *c = arg;
	char b[4096];
	size_t room;
	ssize_t n;

	(void)loop;
	if (c->hs) {
		if (!conn_handshake(c) || c->hs)
			return;
		events |= EV_READ;    /* the first command may have come with it */
	}
	if ((events & EV_WRITE || c->tw.wr_wants_read) && !conn_flush(c))
		return;
	if (!(events & EV_READ) && !c->tw.rd_wants_write)
		return;
	room = ctl_session_room(&c->in);
	if (c->closing || c->full || c->eof || room == 0) {
		/* not reading: only a hang-up (EPOLLHUP) wakes us here, and
		 * writing what is owed finds it (EPIPE) and closes */
		conn_flush(c);
		return;
	}
	/* never more than the session can hold: lines wait there, not here */
	n = conn_rx(c, b, room < sizeof(b) ? room : sizeof(b));
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		if (c->ssl != NULL)
			conn_flush(c);    /* the events OpenSSL waits for */
		return;
	}
	if (n <= 0)
		c->eof = true;          /* EOF or error: finish the commands, then close */
	else
		ctl_session_push(&c->in, b, (size_t)n);
	conn_run(c);
	conn_flush(c);
}

static void
on_kick(struct ev_loop *loop, void *arg)
{
	struct ctl_conn *c = arg;

	c->kick = NULL;
	on_conn(loop, c->fd, EV_READ, c);
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
		if (c->hs)
			log_warnx("%s: closing %s: no TLS handshake within %llu ms", ctl->what,
			    c->peer, (unsigned long long)(ctl->idle_us / 1000));
		else if (conn_pending(c) > 0)
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

/* A TLS server connection on cfd for c.  false on ENOMEM. */
static bool
conn_tls(struct ctl_conn *c, struct control *ctl, int cfd)
{
	BIO *b;

	ERR_clear_error();
	if ((c->ssl = SSL_new(ctl->tls)) == NULL || (b = ctl_tls_bio_new(cfd)) == NULL) {
		ERR_clear_error();
		return false;
	}
	SSL_set_bio(c->ssl, b, b);
	SSL_set_accept_state(c->ssl);
	c->hs = true;
	return true;
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct control *ctl = arg;

	(void)loop;
	(void)events;
	for (;;) {
		struct dd_sockaddr peer = { .len = 0 };
		int cfd = acc_accept(&ctl->acc, &peer);
		struct ctl_conn *c;

		if (cfd == -EAGAIN || acc_paused(&ctl->acc))
			return;
		if (cfd < 0)
			continue;   /* that one connection failed; the next may not */
		if (ctl->tls != NULL && ctl->nconns >= CONTROL_TLS_CONNS_MAX) {
			char a[64];
			log_warnx("%s: refused %s: %u connections open, the limit", ctl->what,
			    dd_sockaddr_str(&peer, a, sizeof(a)), ctl->nconns);
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL || (ctl->tls != NULL && !conn_tls(c, ctl, cfd)) ||
		    ev_io_add(ctl->loop, cfd, EV_READ, on_conn, c) < 0) {
			if (c != NULL)
				SSL_free(c->ssl);
			free(c);
			close(cfd);
			continue;
		}
		if (ctl->tls != NULL)
			dd_sockaddr_str(&peer, c->peer, sizeof(c->peer));
		else
			snprintf(c->peer, sizeof(c->peer), "unix");
		ctl->nconns++;
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
	ctl->what = "control";
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

int
control_open_tls(struct control **out, struct ev_loop *loop,
    const struct control_tls_conf *conf, const struct ctl_target *target,
    uint64_t idle_us, struct dd_err *err)
{
	struct control *ctl;
	char a[64], e[sizeof(err->msg)];
	int one = 1, rc;

	*out = NULL;
	dd_sockaddr_str(&conf->addr, a, sizeof(a));
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		dd_err_set(err, "--control-tls %s: out of memory", a);
		return DD_ENOMEM;
	}
	ctl->loop = loop;
	ctl->target = target;
	ctl->what = "control-tls";
	ctl->fd = -1;
	ctl->idle_us = idle_us > 0 ? idle_us : CONTROL_IDLE_DEFAULT_US;
	/* the files first: a bad one is the configuration's fault (named) */
	if ((ctl->tls = ctl_tls_ctx_new(true, conf->cert_file, conf->key_file,
	    conf->ca_file, err)) == NULL) {
		snprintf(e, sizeof(e), "%s", err->msg);
		dd_err_set(err, "--control-tls %s: %s", a, e);
		free(ctl);
		return DD_EINVAL;
	}
	ctl->fd = socket(conf->addr.u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto fail;
	(void)setsockopt(ctl->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (conf->addr.u.sa.sa_family == AF_INET6)
		(void)setsockopt(ctl->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	(void)setsockopt(ctl->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(ctl->fd, &conf->addr.u.sa, conf->addr.len) < 0 || listen(ctl->fd, 16) < 0)
		goto fail;
	if ((rc = acc_init(&ctl->acc, loop, ctl->fd, "control-tls", 0, on_accept, ctl)) < 0) {
		errno = -rc;
		goto fail;
	}
	*out = ctl;
	return 0;
fail:
	dd_err_set(err, "--control-tls %s: %s", a, strerror(errno));
	if (ctl->fd >= 0)
		close(ctl->fd);
	SSL_CTX_free(ctl->tls);
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
	if (ctl->path != NULL)
		unlink(ctl->path);
	free(ctl->path);
	SSL_CTX_free(ctl->tls);
	free(ctl);
}
