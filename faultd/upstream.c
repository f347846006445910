/*
 * upstream.c -- the forwarder's sockets.
 *
 * Each upstream server has a pool of UP_POOL UDP sockets, each connect()ed
 * to that server: connect() makes the kernel pick the source address it
 * routes from (never the wildcard) and a random ephemeral port, and drop
 * datagrams from any other address or port before we see them.  A query goes
 * out on a socket of its server's pool picked at random, with a random ID;
 * a socket that has carried UP_ROTATE queries is replaced by a fresh one (a
 * new random port) and closed once its last query is done.  So at any time
 * forwarded queries come from UP_POOL ports per server that keep changing,
 * for the cost of UP_POOL descriptors per server plus the ones draining
 * (bounded by UP_MAX_SOCKS), and one socket()/connect()/close() per
 * UP_ROTATE queries -- not the three system calls more per query, and the
 * descriptor per query in flight (60k at 40k qps to a silent upstream), of a
 * fresh socket for every query.
 *
 * Queries go out in batches: a query (or a retry) joins a send queue that is
 * flushed at the end of the event-loop iteration (an ev_post hook) or when
 * UP_BATCH are waiting, one sendmmsg() per server on one socket of its pool
 * picked at random for the batch; replies are read with recvmmsg(), up to
 * UP_BATCH a call.  So the forwarder's system calls per query fall with the
 * load (measured in bench/faultd_bench.sh) instead of one send() and one
 * recv() each.  Each try's deadline is on one list in deadline order (every
 * try waits the same --upstream-timeout, so appending keeps the order) under
 * a single event-loop timer for its head: no timer allocated per query.
 *
 * A reply is taken only when it arrives on the socket its query went out on
 * (so from the server's address and port), carries our ID (a 65536-slot
 * table) and repeats the question (name, case aside, type and class);
 * anything else is counted as mismatched and the query keeps waiting.  A
 * reply with TC set starts a TCP exchange with the same server for the same
 * query.
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
#define UP_POOL 8          /* live sockets per server */
#define UP_ROTATE 128      /* queries a socket carries before it is replaced */
#define UP_MAX_SOCKS 512   /* live + draining, over all servers */
#define UP_BATCH 64        /* queries a sendmmsg, replies a recvmmsg */

/* One connected UDP socket.  Freed when retired and no query uses it. */
struct upsock {
	struct upstream *u;
	int fd;
	unsigned uses;         /* queries sent on it */
	unsigned inflight;     /* queries whose current try went out on it */
	bool retired;          /* out of the pool: close when inflight is 0 */
	bool busy;             /* on_udp is reading it: do not free yet */
};

struct fwdq {
	struct upstream *u;
	upstream_cb cb;
	void *arg;
	uint16_t our_id;
	size_t server;         /* index of the server being tried */
	size_t tries;
	uint64_t deadline;     /* of the current try; 0: not on the deadline list */
	struct fwdq *tprev, *tnext;   /* the deadline list */
	bool queued;           /* in the send queue */
	struct upsock *sock;   /* the UDP socket of the current try, or NULL */
	/* the question, to match replies: lower-cased name, type, class */
	uint8_t qname[DNS_MAX_NAME];
	size_t qname_len;
	uint16_t qtype, qclass;
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
	struct upsock **pool;  /* n * UP_POOL, NULL until first used */
	size_t nsocks;         /* open: in the pool or draining */
	struct fwdq *slots[65536];
	struct dd_rng rng;
	struct upstream_stats st;
	/* tries waiting for a reply, earliest deadline first, and the one
	 * timer for the head (NULL when none is armed) */
	struct fwdq *thead, *ttail;
	struct ev_timer *timer;
	/* queries to send at the end of this iteration */
	struct fwdq *sendq[UP_BATCH];
	size_t nsendq;
	/* recvmmsg's buffers: UP_BATCH replies of up to UP_BUF bytes */
	uint8_t (*rbuf)[UP_BUF];
	uint8_t buf[UP_BUF];
};

static void try_send(struct fwdq *f);
static void on_udp(struct ev_loop *loop, int fd, unsigned events, void *arg);

/* ---- the socket pool ---- */

static void
sock_close(struct upsock *s)
{
	ev_io_del(s->u->loop, s->fd);
	close(s->fd);
	s->u->nsocks--;
	free(s);
}

static void
sock_maybe_free(struct upsock *s)
{
	if (s->retired && s->inflight == 0 && !s->busy)
		sock_close(s);
}

/* A UDP socket connected to server i, registered for reading; NULL (and a
 * debug line) when the system will not give one now. */
static struct upsock *
sock_open(struct upstream *u, size_t i)
{
	const struct dd_sockaddr *srv = &u->servers[i];
	struct upsock *s = calloc(1, sizeof(*s));
	int sz = 1 << 20;

	if (s == NULL)
		return NULL;
	s->u = u;
	s->fd = socket(srv->u.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (connect(s->fd, &srv->u.sa, srv->len) < 0 ||
	    ev_io_add(u->loop, s->fd, EV_READ, on_udp, s) < 0)
		goto fail;
	u->nsocks++;
	return s;
fail:
	log_debug("upstream socket: %s", strerror(errno));
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

/* A socket of server i's pool, at random; replaces a worn-out one first. */
static struct upsock *
sock_pick(struct upstream *u, size_t i)
{
	struct upsock **slot = &u->pool[i * UP_POOL + dd_rng_next(&u->rng) % UP_POOL];
	struct upsock *s = *slot;

	if (s != NULL && s->uses >= UP_ROTATE && u->nsocks < UP_MAX_SOCKS) {
		struct upsock *fresh = sock_open(u, i);
		if (fresh != NULL) {
			s->retired = true;
			sock_maybe_free(s);
			*slot = s = fresh;
		}
	}
	if (s == NULL)
		*slot = s = sock_open(u, i);
	return s;
}

/* The query no longer waits on the socket of its last try. */
static void
sock_leave(struct fwdq *f)
{
	struct upsock *s = f->sock;

	if (s == NULL)
		return;
	f->sock = NULL;
	s->inflight--;
	sock_maybe_free(s);
}

/* ---- deadlines ---- */

static void on_deadline(struct ev_loop *loop, void *arg);

static void
deadline_unlink(struct fwdq *f)
{
	struct upstream *u = f->u;

	if (f->deadline == 0)
		return;
	if (f->tprev)
		f->tprev->tnext = f->tnext;
	else
		u->thead = f->tnext;
	if (f->tnext)
		f->tnext->tprev = f->tprev;
	else
		u->ttail = f->tprev;
	f->tprev = f->tnext = NULL;
	f->deadline = 0;
}

/* The timer for the list's head, unless one is armed already (one that
 * fires before the head is due finds nothing and re-arms). */
static void
deadline_arm_timer(struct upstream *u)
{
	uint64_t now;

	if (u->timer != NULL || u->thead == NULL)
		return;
	now = ev_now_us(u->loop);
	u->timer = ev_timer_add(u->loop, u->thead->deadline > now ? u->thead->deadline - now : 0,
	    on_deadline, u);
}

/* A new try of f: its deadline goes last on the list. */
static void
arm(struct fwdq *f)
{
	struct upstream *u = f->u;
	uint64_t when = ev_now_us(u->loop) + u->timeout_us;

	deadline_unlink(f);
	/* the loop's clock never goes back and every try waits the same
	 * time, so the tail is the latest; keep the order if it ever did */
	if (u->ttail != NULL && when < u->ttail->deadline)
		when = u->ttail->deadline;
	f->deadline = when ? when : 1;
	f->tprev = u->ttail;
	f->tnext = NULL;
	if (u->ttail)
		u->ttail->tnext = f;
	else
		u->thead = f;
	u->ttail = f;
	deadline_arm_timer(u);
}

/* ---- queries ---- */

static void
sendq_remove(struct fwdq *f)
{
	struct upstream *u = f->u;

	for (size_t i = 0; f->queued && i < u->nsendq; i++) {
		if (u->sendq[i] == f) {
			memmove(&u->sendq[i], &u->sendq[i + 1], (u->nsendq - i - 1) * sizeof(u->sendq[0]));
			u->nsendq--;
			f->queued = false;
		}
	}
}

static void
fwd_free(struct fwdq *f)
{
	struct upstream *u = f->u;

	if (u->slots[f->our_id] == f)
		u->slots[f->our_id] = NULL;
	deadline_unlink(f);
	sendq_remove(f);
	sock_leave(f);
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
on_timeout(struct fwdq *f)
{
	char a[64];

	f->u->st.timeouts++;
	log_info("upstream %s: no answer in %llu ms",
	    dd_sockaddr_str(&f->u->servers[f->server], a, sizeof(a)),
	    (unsigned long long)(f->u->timeout_us / 1000));
	next_server(f);
}

/* The head's timer: every try whose deadline has come moves on. */
static void
on_deadline(struct ev_loop *loop, void *arg)
{
	struct upstream *u = arg;
	uint64_t now = dd_now_us();

	(void)loop;
	u->timer = NULL;
	while (u->thead != NULL && u->thead->deadline <= now) {
		struct fwdq *f = u->thead;
		deadline_unlink(f);
		on_timeout(f);         /* may re-arm f: it goes last */
	}
	deadline_arm_timer(u);
}

/* Send the queued queries: per server, one socket of its pool for the
 * whole batch and one sendmmsg (more only if the kernel takes part). */
static void
flush(struct upstream *u)
{
	struct mmsghdr m[UP_BATCH];
	struct iovec iov[UP_BATCH];
	struct fwdq *batch[UP_BATCH];

	while (u->nsendq > 0) {
		size_t server = u->sendq[0]->server, nb = 0, keep = 0, i;
		struct upsock *s;
		int done = 0, retried = 0;

		/* this server's queries leave the queue, the others stay */
		for (i = 0; i < u->nsendq; i++) {
			struct fwdq *f = u->sendq[i];
			if (f->server == server) {
				f->queued = false;
				batch[nb++] = f;
			} else {
				u->sendq[keep++] = f;
			}
		}
		u->nsendq = keep;
		if ((s = sock_pick(u, server)) == NULL)
			continue;      /* no socket now: their timers move them on */
		for (i = 0; i < nb; i++) {
			batch[i]->sock = s;
			s->inflight++;
			iov[i] = (struct iovec){ .iov_base = batch[i]->query + 2, .iov_len = batch[i]->len };
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		s->uses += (unsigned)nb;
		while ((size_t)done < nb) {
			int k = sendmmsg(s->fd, m + done, (unsigned)(nb - (size_t)done), 0);
			if (k > 0) {
				done += k;
				u->st.sent += (uint64_t)k;
				continue;
			}
			/* a connected socket reports an earlier ICMP error on
			 * the next send: that was about another query, so try
			 * once more; otherwise the rest wait for their timers
			 * (unreachable now: no busy loop) */
			if (k < 0 && errno == ECONNREFUSED && !retried++)
				continue;
			log_debug("upstream send failed: %s", k < 0 ? strerror(errno) : "nothing sent");
			break;
		}
	}
}

static void
on_post(struct ev_loop *loop, void *arg)
{
	(void)loop;
	flush(arg);
}

void
upstream_flush(struct upstream *u)
{
	flush(u);
}

/* A try of f: its deadline now, the datagram at the end of the iteration. */
static void
try_send(struct fwdq *f)
{
	struct upstream *u = f->u;

	arm(f);
	sock_leave(f);
	if (f->queued)
		return;
	if (u->nsendq == UP_BATCH)
		flush(u);
	u->sendq[u->nsendq++] = f;
	f->queued = true;
}

/* Does reply (len bytes) answer f's question? */
static bool
same_question(const struct fwdq *f, const uint8_t *reply, size_t len)
{
	uint8_t name[DNS_MAX_NAME];
	size_t off = DNS_HDR_LEN;
	int n;

	if (len < DNS_HDR_LEN || !(dns_get16(reply + 2) & DNS_QR) || dns_get16(reply + 4) != 1)
		return false;
	n = dns_read_name(reply, len, &off, name, true);
	return n >= 0 && (size_t)n == f->qname_len && memcmp(name, f->qname, f->qname_len) == 0 &&
	    off + 4 <= len && dns_get16(reply + off) == f->qtype &&
	    dns_get16(reply + off + 2) == f->qclass;
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
			if (dns_get16(f->tcp_buf + 2) != f->our_id ||
			    !same_question(f, f->tcp_buf + 2, want)) {
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
	sock_leave(f);
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
	struct upsock *s = arg;
	struct upstream *u = s->u;
	struct mmsghdr m[UP_BATCH];
	struct iovec iov[UP_BATCH];

	(void)loop;
	(void)events;
	/* a reply may end the last query on a retired socket: free it after */
	s->busy = true;
	for (int round = 0, errs = 0; round < 4; round++) {
		int n;

		for (int i = 0; i < UP_BATCH; i++) {
			iov[i] = (struct iovec){ .iov_base = u->rbuf[i], .iov_len = UP_BUF };
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, m, UP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || ++errs > 8)
				break;
			continue;      /* an ICMP error (port unreachable): the timer moves on */
		}
		for (int i = 0; i < n; i++) {
			uint8_t *r = u->rbuf[i];
			size_t len = m[i].msg_len;
			struct fwdq *f = len >= DNS_HDR_LEN ? u->slots[dns_get16(r)] : NULL;

			if (f == NULL || f->sock != s || !same_question(f, r, len)) {
				u->st.mismatched++;
				continue;
			}
			if (dns_get16(r + 2) & DNS_TC) {
				start_tcp(f);
				continue;
			}
			u->st.replies++;
			finish(f, r, len);
		}
		if (n < UP_BATCH)
			break;
	}
	s->busy = false;
	sock_maybe_free(s);
}

struct upstream *
upstream_new(struct ev_loop *loop, const struct dd_sockaddr *servers, size_t n,
    uint64_t timeout_us)
{
	struct upstream *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	u->loop = loop;
	u->n = n;
	u->timeout_us = timeout_us;
	u->rbuf = malloc(UP_BATCH * sizeof(*u->rbuf));
	if (u->rbuf == NULL || ev_post_add(loop, on_post, u) < 0) {
		free(u->rbuf);
		free(u);
		return NULL;
	}
	dd_rng_seed(&u->rng, dd_now_us());
	u->servers = calloc(n ? n : 1, sizeof(*servers));
	u->pool = calloc((n ? n : 1) * UP_POOL, sizeof(*u->pool));
	if (u->servers == NULL || u->pool == NULL) {
		upstream_free(u);
		return NULL;
	}
	memcpy(u->servers, servers, n * sizeof(*servers));
	return u;
}

void
upstream_free(struct upstream *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < 65536; i++)
		if (u->slots[i] != NULL)
			fwd_free(u->slots[i]);
	/* every query is gone, so every draining socket is closed already */
	for (size_t i = 0; u->pool != NULL && i < u->n * UP_POOL; i++)
		if (u->pool[i] != NULL)
			sock_close(u->pool[i]);
	ev_timer_cancel(u->loop, u->timer);
	ev_post_del(u->loop, on_post, u);
	free(u->rbuf);
	free(u->pool);
	free(u->servers);
	free(u);
}

int
upstream_query(struct upstream *u, const uint8_t *query, size_t len,
    upstream_cb cb, void *arg)
{
	struct fwdq *f;
	uint8_t qname[DNS_MAX_NAME];
	size_t off = DNS_HDR_LEN;
	uint16_t id = 0;
	int i, qlen;

	if (u->n == 0 || len < DNS_HDR_LEN || len > 65535 || dns_get16(query + 4) != 1)
		return DD_EINVAL;
	qlen = dns_read_name(query, len, &off, qname, true);
	if (qlen < 0 || off + 4 > len)
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
	memcpy(f->qname, qname, (size_t)qlen);
	f->qname_len = (size_t)qlen;
	f->qtype = dns_get16(query + off);
	f->qclass = dns_get16(query + off + 2);
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
