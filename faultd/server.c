/*
 * server.c -- faultd's I/O.  UDP datagrams are read and answered in batches
 * (recvmmsg/sendmmsg); TCP connections carry RFC 7766 framed queries, any
 * number in flight per connection, each answered on its own schedule.  A
 * delayed reply is a timer; nothing here ever sleeps.  UDP replies that do
 * not answer the batch being read (forwarded, delayed) wait in an out queue
 * sent with sendmmsg at the end of the event-loop iteration (an ev_post
 * hook), so a burst of upstream replies costs one system call, not one
 * sendto() each.
 *
 * TCP clients are held to bounds, so a few misbehaving ones cannot take
 * TCP away from the rest:
 *   - time: a connection must deliver a complete query within --tcp-idle
 *     of its accept or of its last complete query (partial bytes do not
 *     count: slowloris); one with answers still owed (delayed, forwarded)
 *     stays open until they are written;
 *   - output: a connection with TCP_OUT_SOFT bytes of answers unwritten is
 *     not read (backpressure) until it drains, and closed by the idle rule;
 *     one whose owed answers would pass TCP_OUT_HARD is closed; when all
 *     connections together would pass --max-tcp-output, the one holding
 *     the most is closed at once;
 *   - descriptors: --max-tcp is lowered under RLIMIT_NOFILE at start-up,
 *     and at the fd limit the listener pauses (lib/accept) instead of
 *     spinning;
 *   - half-close: a client that shuts down its write side still gets every
 *     answer it is owed; the connection closes once they are written.
 * `replies` counts TCP answers when they are fully written; answers lost
 * with their connection count as `drops`.
 */
#include "faultd/server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/accept.h"
#include "lib/buf.h"
#include "lib/log.h"

#define BATCH       64
#define UDP_IN_MAX  4096
#define OUT_MAX     65535
/* stop reading a connection with this much output unwritten */
#define TCP_OUT_SOFT (64u << 10)
/* an answer that would take a connection's unwritten output past this
 * closes it: room for the soft bound plus two answers of the largest size */
#define TCP_OUT_HARD (TCP_OUT_SOFT + 2u * (2u + 65535u))
/* descriptors kept for everything but TCP clients (stdio, epoll, signalfd,
 * control socket and its clients, upstream sockets), besides the listeners */
#define TCP_FD_RESERVE 40u

struct tcp_conn {
	struct server *srv;
	struct tcp_conn *prev, *next;
	int fd;
	struct dd_sockaddr peer;
	unsigned refs;           /* the open connection, running callbacks, owed replies */
	unsigned owed;           /* replies still owed (delayed or forwarded) */
	unsigned events;         /* what the loop watches for */
	bool closed;
	bool eof;                /* the client shut down its side: read no more */
	uint64_t last_query_us;  /* accept, last complete query or owed answer queued */
	struct dd_buf w;         /* framed answers not yet written */
	size_t head_left;        /* bytes of the answer at w's head still to write */
	unsigned wframes;        /* answers in w not fully written */
	size_t rlen;
	uint8_t rbuf[2 + 65535];
};

/* Where a reply goes. */
struct dest {
	enum rule_transport t;
	int udp_fd;
	struct dd_sockaddr addr;
	struct tcp_conn *conn;   /* holds a ref while a reply is owed */
};

/* A reply held back by delay=; on the server's list so closing the
 * server can cancel its timer. */
struct delayed {
	struct server *srv;
	struct delayed *prev, *next;
	struct ev_timer *timer;
	struct dest to;
	size_t len;
	uint8_t data[];
};

struct forward {
	struct server *srv;
	struct dest to;
	struct engine_result res;
	uint8_t query[];
};

struct listener {
	struct server *srv;
	int fd;
	bool tcp;
	struct acc_listener acc;     /* TCP only */
};

/* A UDP reply waiting for the end of the iteration. */
struct udp_out {
	int fd;
	struct dd_sockaddr addr;
	size_t len;
	uint8_t data[UDP_IN_MAX];
};

struct server {
	const struct faultd_config *cfg;
	struct ev_loop *loop;
	struct engine *eng;
	/* the engine's lock when several servers (worker threads) share it;
	 * NULL when this is the only one (no locking at all) */
	pthread_mutex_t *lock;
	struct upstream *up;
	struct listener ls[2 * CFG_MAX];
	size_t nls;
	struct tcp_conn *conns;      /* doubly linked */
	unsigned nconns;
	unsigned max_tcp;            /* --max-tcp, lowered under the fd limit */
	size_t out_total;            /* unwritten TCP output, all connections */
	struct ev_timer *sweep;
	struct delayed *delayed;     /* doubly linked */
	uint64_t delayed_pending;
	struct udp_out outq[BATCH];  /* UDP replies to send at the end of the iteration */
	size_t noutq;
	/* on_udp's batch and the answer being built: per server, so worker
	 * threads never share them */
	uint8_t inbuf[BATCH][UDP_IN_MAX];
	uint8_t outbuf[BATCH][UDP_IN_MAX];
	struct dd_sockaddr from[BATCH];
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iin[BATCH], iout[BATCH];
	uint8_t scratch[OUT_MAX];
};

static void
eng_lock(struct server *srv)
{
	if (srv->lock != NULL)
		pthread_mutex_lock(srv->lock);
}

static void
eng_unlock(struct server *srv)
{
	if (srv->lock != NULL)
		pthread_mutex_unlock(srv->lock);
}

/* The engine's counters are shared by every worker: add under the lock. */
#define STAT(srv, field, n) do { \
		eng_lock(srv); \
		(srv)->eng->stats.field += (uint64_t)(n); \
		eng_unlock(srv); \
	} while (0)

/* ---------------- TCP connections ---------------- */

static void conn_release(struct tcp_conn *c);

static size_t
conn_out(const struct tcp_conn *c)
{
	return c->w.len - c->w.off;
}

static const char *
conn_name(const struct tcp_conn *c, char *buf, size_t len)
{
	return dd_sockaddr_str(&c->peer, buf, len);
}

/* A complete frame waits in rbuf (a zero-length one too: it is refused). */
static bool
conn_has_frame(const struct tcp_conn *c)
{
	return c->rlen >= 2 && c->rlen >= 2 + (size_t)dns_get16(c->rbuf);
}

/* Watch for what the connection can use now: reading while it is open for
 * reading and not over its output bound; writing while output waits, or
 * while frames read earlier wait for the output to drain (a writable
 * socket then brings on_conn back to answer them). */
static void
conn_watch(struct tcp_conn *c)
{
	unsigned ev = 0;

	if (c->closed)
		return;
	if (!c->eof && conn_out(c) < TCP_OUT_SOFT && c->rlen < sizeof(c->rbuf))
		ev |= EV_READ;
	if (conn_out(c) > 0 || (conn_has_frame(c) && conn_out(c) < TCP_OUT_SOFT))
		ev |= EV_WRITE;
	if (ev != c->events && ev_io_mod(c->srv->loop, c->fd, ev) == 0)
		c->events = ev;
}

static void
conn_close(struct tcp_conn *c)
{
	struct server *srv = c->srv;

	if (c->closed)
		return;
	c->closed = true;
	/* answers that never reached the client were not replies */
	STAT(srv, drops, c->wframes);
	c->wframes = 0;
	srv->out_total -= conn_out(c);
	dd_buf_free(&c->w);
	ev_io_del(srv->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	srv->nconns--;
	/* a descriptor is free again: a listener paused at the fd limit
	 * may take the next connection */
	for (size_t i = 0; i < srv->nls; i++)
		if (srv->ls[i].tcp)
			acc_resume(&srv->ls[i].acc);
	conn_release(c);     /* the open connection's own reference */
}

static void
conn_release(struct tcp_conn *c)
{
	if (--c->refs == 0 && c->closed) {
		dd_buf_free(&c->w);
		free(c);
	}
}

/* A half-closed connection is done once nothing is owed or unwritten. */
static void
conn_finish_if_done(struct tcp_conn *c)
{
	if (!c->closed && c->eof && c->owed == 0 && conn_out(c) == 0) {
		log_debug("tcp %s: half-closed and every answer written; closing",
		    conn_name(c, (char[64]){ 0 }, 64));
		conn_close(c);
	}
}

/* n bytes of output were written: count the answers written whole. */
static void
conn_consume(struct tcp_conn *c, size_t n)
{
	struct server *srv = c->srv;

	srv->out_total -= n;
	while (n > 0) {
		size_t k;

		if (c->head_left == 0)   /* at the start of an answer's frame */
			c->head_left = 2 + (size_t)dns_get16(c->w.data + c->w.off);
		k = n < c->head_left ? n : c->head_left;
		dd_buf_consume(&c->w, k);
		c->head_left -= k;
		n -= k;
		if (c->head_left == 0) {
			c->wframes--;
			STAT(srv, replies, 1);
		}
	}
}

static void
conn_flush(struct tcp_conn *c)
{
	while (conn_out(c) > 0) {
		ssize_t n = send(c->fd, c->w.data + c->w.off, conn_out(c),
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			conn_close(c);
			return;
		}
		conn_consume(c, (size_t)n);
	}
	conn_watch(c);
}

/* Make room for need more bytes of output under --max-tcp-output by
 * closing the connections holding the most.  False when that closed c. */
static bool
out_make_room(struct server *srv, struct tcp_conn *c, size_t need)
{
	while (srv->out_total + need > srv->cfg->tcp_out_max) {
		struct tcp_conn *big = NULL;
		char who[64];
		bool self;

		for (struct tcp_conn *x = srv->conns; x != NULL; x = x->next)
			if (big == NULL || conn_out(x) > conn_out(big))
				big = x;
		if (big == NULL || conn_out(big) == 0)
			break;
		log_info("tcp %s: answers unwritten to TCP clients would pass --max-tcp-output (%zu bytes); "
		    "closing the connection holding the most (%zu bytes)",
		    conn_name(big, who, sizeof(who)), srv->cfg->tcp_out_max, conn_out(big));
		self = big == c;
		conn_close(big);
		if (self)
			return false;
	}
	return true;
}

static void
conn_send(struct tcp_conn *c, const uint8_t *p, size_t len)
{
	struct server *srv = c->srv;
	uint8_t hdr[2];
	char who[64];

	if (c->closed) {
		STAT(srv, drops, 1);
		return;
	}
	if (conn_out(c) + len + 2 > TCP_OUT_HARD) {
		log_info("tcp %s: client does not read its replies (%zu bytes unwritten); closing",
		    conn_name(c, who, sizeof(who)), conn_out(c));
		STAT(srv, drops, 1);
		conn_close(c);
		return;
	}
	if (!out_make_room(srv, c, len + 2)) {
		STAT(srv, drops, 1);
		return;
	}
	dns_put16(hdr, (uint16_t)len);
	if (dd_buf_append(&c->w, hdr, 2) < 0) {
		STAT(srv, drops, 1);
		return;
	}
	srv->out_total += 2;
	if (dd_buf_append(&c->w, p, len) < 0) {
		/* half a frame would desynchronise the stream */
		STAT(srv, drops, 1);
		conn_close(c);
		return;
	}
	srv->out_total += len;
	c->wframes++;
	c->last_query_us = ev_now_us(srv->loop);
	conn_flush(c);
}

/* ---------------- delivering replies ---------------- */

/* Send the queued UDP replies: one sendmmsg per run of the same socket. */
static void
outq_flush(struct server *srv)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	size_t i = 0;

	while (i < srv->noutq) {
		size_t j = i, n;
		int done = 0;

		while (j < srv->noutq && srv->outq[j].fd == srv->outq[i].fd) {
			struct udp_out *o = &srv->outq[j];
			iov[j - i] = (struct iovec){ .iov_base = o->data, .iov_len = o->len };
			memset(&m[j - i], 0, sizeof(m[0]));
			m[j - i].msg_hdr.msg_iov = &iov[j - i];
			m[j - i].msg_hdr.msg_iovlen = 1;
			m[j - i].msg_hdr.msg_name = &o->addr.u;
			m[j - i].msg_hdr.msg_namelen = o->addr.len;
			j++;
		}
		n = j - i;
		while ((size_t)done < n) {
			int k = sendmmsg(srv->outq[i].fd, m + done, (unsigned)(n - (size_t)done), MSG_DONTWAIT);
			if (k <= 0) {
				/* the one that failed is lost; the rest still go */
				STAT(srv, drops, 1);
				done++;
				continue;
			}
			done += k;
			STAT(srv, replies, (uint64_t)k);
		}
		i = j;
	}
	srv->noutq = 0;
}

static void
on_post(struct ev_loop *loop, void *arg)
{
	(void)loop;
	if (((struct server *)arg)->noutq > 0)
		outq_flush(arg);
}

/* Send or queue a reply.  UDP counts it as sent when the queue is sent
 * (this iteration); TCP counts it when it is written whole (conn_consume)
 * or as a drop when it cannot be. */
static void
send_now(struct server *srv, const struct dest *to, const uint8_t *p, size_t len)
{
	struct udp_out *o;

	if (to->t == TRANSPORT_TCP) {
		conn_send(to->conn, p, len);
		return;
	}
	if (len > UDP_IN_MAX) {
		if (sendto(to->udp_fd, p, len, MSG_DONTWAIT, &to->addr.u.sa, to->addr.len) < 0)
			STAT(srv, drops, 1);
		else
			STAT(srv, replies, 1);
		return;
	}
	if (srv->noutq == BATCH)
		outq_flush(srv);
	o = &srv->outq[srv->noutq++];
	o->fd = to->udp_fd;
	o->addr = to->addr;
	o->len = len;
	memcpy(o->data, p, len);
}

/* The reply owed through to is settled (sent, queued or dropped). */
static void
dest_release(struct dest *to)
{
	struct tcp_conn *c = to->conn;

	if (to->t == TRANSPORT_TCP && c != NULL) {
		to->conn = NULL;
		c->owed--;
		conn_finish_if_done(c);
		conn_release(c);
	}
}

static void
delayed_unlink(struct delayed *dl)
{
	struct server *srv = dl->srv;

	if (dl->prev)
		dl->prev->next = dl->next;
	else
		srv->delayed = dl->next;
	if (dl->next)
		dl->next->prev = dl->prev;
	srv->delayed_pending--;
}

static void
on_delayed(struct ev_loop *loop, void *arg)
{
	struct delayed *dl = arg;

	(void)loop;
	delayed_unlink(dl);
	send_now(dl->srv, &dl->to, dl->data, dl->len);
	dest_release(&dl->to);
	free(dl);
}

/* Send p now or after delay_us.  Takes over to's connection reference. */
static void
deliver(struct server *srv, struct dest *to, const uint8_t *p, size_t len,
    uint64_t delay_us)
{
	struct delayed *dl;

	if (delay_us == 0) {
		send_now(srv, to, p, len);
		dest_release(to);
		return;
	}
	dl = malloc(sizeof(*dl) + len);
	if (dl == NULL) {
		STAT(srv, drops, 1);
		dest_release(to);
		return;
	}
	dl->srv = srv;
	dl->to = *to;
	dl->len = len;
	memcpy(dl->data, p, len);
	dl->timer = ev_timer_add(srv->loop, delay_us, on_delayed, dl);
	if (dl->timer == NULL) {
		STAT(srv, drops, 1);
		dest_release(to);
		free(dl);
		return;
	}
	dl->prev = NULL;
	dl->next = srv->delayed;
	if (srv->delayed)
		srv->delayed->prev = dl;
	srv->delayed = dl;
	srv->delayed_pending++;
}

static void
on_upstream(void *arg, uint8_t *reply, size_t len, size_t cap)
{
	struct forward *fw = arg;
	struct server *srv = fw->srv;
	size_t n = 0;

	eng_lock(srv);
	if (len > 0)
		n = engine_finish_upstream(srv->eng, &fw->res, fw->query, fw->to.t, reply, len, cap);
	if (n == 0)
		n = engine_servfail(srv->eng, &fw->res, fw->query, reply, cap);
	eng_unlock(srv);
	deliver(srv, &fw->to, reply, n, fw->res.delay_us);
	free(fw);
}

/* One line per query at --log-level debug. */
static void
log_query(const struct dest *to, const struct engine_result *res)
{
	static const char *const verdicts[] = { "drop", "reply", "forward" };
	char who[64], name[DNS_MAX_NAME * 4 + 1], tb[16];

	dd_sockaddr_str(&to->addr, who, sizeof(who));
	if (!res->parsed) {
		log_debug("query from %s over %s: malformed, %s", who,
		    to->t == TRANSPORT_TCP ? "tcp" : "udp", verdicts[res->verdict]);
		return;
	}
	dns_name_to_str(res->q.qname, name, sizeof(name));
	log_debug("query from %s over %s: %s %s id=%u rule=%llu action=%s delay=%llums -> %s",
	    who, to->t == TRANSPORT_TCP ? "tcp" : "udp", name,
	    dns_type_to_str(res->q.qtype, tb, sizeof(tb)), res->q.id,
	    res->rule ? (unsigned long long)res->rule->id : 0ull,
	    rule_action_name(res->rule ? res->rule->action : ACT_PASS),
	    (unsigned long long)(res->delay_us / 1000), verdicts[res->verdict]);
}

/*
 * Run one query through the engine and act on its verdict.  For UDP, an
 * immediate reply is left in out and its length returned so the caller can
 * batch it; everything else (delays, TCP, forwarding) is handled here and 0
 * is returned.
 */
static size_t
handle_query(struct server *srv, const uint8_t *pkt, size_t len, struct dest *to,
    uint8_t *out, size_t cap)
{
	struct engine_result res;
	struct forward *fw;

	eng_lock(srv);
	srv->eng->now_us = ev_now_us(srv->loop);
	engine_query(srv->eng, pkt, len, &to->addr.u.sa, to->t, out, cap, &res);
	/* res.rule is the rule set's: read it before another thread changes it */
	if (log_get_level() >= LOG_LVL_DEBUG)
		log_query(to, &res);
	eng_unlock(srv);
	switch (res.verdict) {
	case ENG_DROP:
		STAT(srv, drops, 1);
		dest_release(to);
		return 0;
	case ENG_REPLY:
		if (res.delay_us == 0 && to->t == TRANSPORT_UDP)
			return res.len;
		deliver(srv, to, out, res.len, res.delay_us);
		return 0;
	case ENG_FORWARD:
		fw = malloc(sizeof(*fw) + len);
		if (fw == NULL) {
			STAT(srv, drops, 1);
			dest_release(to);
			return 0;
		}
		fw->srv = srv;
		fw->to = *to;
		fw->res = res;
		memcpy(fw->query, pkt, len);
		if (upstream_query(srv->up, pkt, len, on_upstream, fw) < 0) {
			size_t n;
			eng_lock(srv);
			n = engine_servfail(srv->eng, &res, pkt, out, cap);
			eng_unlock(srv);
			deliver(srv, &fw->to, out, n, 0);
			free(fw);
		}
		return 0;
	}
	return 0;
}

/* ---------------- UDP ---------------- */

static void
on_udp(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct server *srv = arg;
	uint8_t (*inbuf)[UDP_IN_MAX] = srv->inbuf, (*outbuf)[UDP_IN_MAX] = srv->outbuf;
	uint8_t *scratch = srv->scratch;
	struct dd_sockaddr *from = srv->from;
	struct mmsghdr *in = srv->in, *out = srv->out;
	struct iovec *iin = srv->iin, *iout = srv->iout;

	(void)loop;
	(void)events;
	for (int round = 0; round < 16; round++) {
		int n, nout = 0;

		for (int i = 0; i < BATCH; i++) {
			iin[i].iov_base = inbuf[i];
			iin[i].iov_len = UDP_IN_MAX;
			memset(&in[i].msg_hdr, 0, sizeof(in[i].msg_hdr));
			in[i].msg_hdr.msg_iov = &iin[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &from[i].u;
			in[i].msg_hdr.msg_namelen = sizeof(from[i].u);
		}
		n = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			struct dest to = { .t = TRANSPORT_UDP, .udp_fd = fd };
			size_t slen;

			to.addr.u = from[i].u;
			to.addr.len = in[i].msg_hdr.msg_namelen;
			if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
				/* larger than any query we accept */
				STAT(srv, queries, 1);
				STAT(srv, malformed, 1);
				STAT(srv, drops, 1);
				continue;
			}
			/* answers are built in scratch (they may be large before
			 * they are cut to the UDP size) and copied into the batch */
			slen = handle_query(srv, inbuf[i], in[i].msg_len, &to, scratch, OUT_MAX);
			if (slen == 0 || slen > UDP_IN_MAX)
				continue;
			memcpy(outbuf[nout], scratch, slen);
			iout[nout].iov_base = outbuf[nout];
			iout[nout].iov_len = slen;
			memset(&out[nout].msg_hdr, 0, sizeof(out[nout].msg_hdr));
			out[nout].msg_hdr.msg_iov = &iout[nout];
			out[nout].msg_hdr.msg_iovlen = 1;
			out[nout].msg_hdr.msg_name = &from[i].u;
			out[nout].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
			nout++;
		}
		for (int sent = 0; sent < nout;) {
			int k = sendmmsg(fd, out + sent, (unsigned)(nout - sent), MSG_DONTWAIT);
			if (k <= 0) {
				STAT(srv, drops, (uint64_t)(nout - sent));
				break;
			}
			sent += k;
			STAT(srv, replies, (uint64_t)k);
		}
		/* this batch's forwarded queries leave now, not after up to
		 * 15 more batches: latency, not just throughput */
		if (srv->up != NULL)
			upstream_flush(srv->up);
		if (n < BATCH)
			return;
	}
}

/* ---------------- TCP ---------------- */

/* Answer the complete frames in rbuf while the output bound allows. */
static void
conn_process(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	size_t off = 0;

	while (!c->closed && c->rlen - off >= 2 && conn_out(c) < TCP_OUT_SOFT) {
		size_t flen = dns_get16(c->rbuf + off);
		if (flen == 0) {
			/* a zero-length frame is garbage: count it and hang up */
			STAT(srv, queries, 1);
			STAT(srv, malformed, 1);
			STAT(srv, drops, 1);
			conn_close(c);
			break;
		}
		if (c->rlen - off < 2 + flen)
			break;
		/* only a complete query restarts the idle clock */
		c->last_query_us = ev_now_us(srv->loop);
		struct dest to = { .t = TRANSPORT_TCP, .udp_fd = -1, .conn = c };
		to.addr = c->peer;
		c->refs++;
		c->owed++;
		handle_query(srv, c->rbuf + off + 2, flen, &to, srv->scratch, OUT_MAX);
		off += 2 + flen;
	}
	if (!c->closed && off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

static void
conn_read(struct tcp_conn *c)
{
	ssize_t n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, MSG_DONTWAIT);

	if (n > 0) {
		c->rlen += (size_t)n;
	} else if (n == 0) {
		/* the client shut down its side (or closed): read no more, but
		 * keep the connection until every answer owed is written */
		c->eof = true;
		c->rlen = 0;     /* a partial query can no longer complete */
	} else if (errno != EAGAIN && errno != EINTR) {
		conn_close(c);
	}
}

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct tcp_conn *c = arg;

	(void)loop;
	(void)fd;
	/* hold a reference for the whole callback: a failed flush or a reply
	 * written inline may close c, and closing drops the connection's own
	 * reference */
	c->refs++;
	if ((events & EV_WRITE) && conn_out(c) > 0) {
		conn_flush(c);
		if (c->closed)
			goto out;
	}
	if ((events & EV_READ) && !(c->events & EV_READ)) {
		/* readiness not asked for is a hang-up (or a stale report from
		 * before backpressure began): after our EOF nothing can be
		 * written any more */
		if (c->eof) {
			conn_close(c);
			goto out;
		}
		events &= ~EV_READ;
	}
	/* frames left from before (backpressure) first: rbuf may be full */
	conn_process(c);
	if ((events & EV_READ) && !c->closed && !c->eof && conn_out(c) < TCP_OUT_SOFT &&
	    c->rlen < sizeof(c->rbuf)) {
		conn_read(c);
		conn_process(c);
	}
	conn_watch(c);
	conn_finish_if_done(c);
out:
	conn_release(c);
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct listener *l = arg;
	struct server *srv = l->srv;

	(void)loop;
	(void)fd;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct dd_sockaddr peer;
		struct tcp_conn *c;
		int cfd;

		cfd = acc_accept(&l->acc, &peer);
		if (cfd == -EAGAIN || acc_paused(&l->acc))
			return;
		if (cfd < 0)
			continue;    /* that one failed (ECONNABORTED...) */
		if (srv->nconns >= srv->max_tcp) {
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(cfd);
			continue;
		}
		c->srv = srv;
		c->fd = cfd;
		c->peer = peer;
		c->refs = 1;   /* the open connection itself */
		c->events = EV_READ;
		c->last_query_us = ev_now_us(srv->loop);
		if (ev_io_add(srv->loop, cfd, EV_READ, on_conn, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		c->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = c;
		srv->conns = c;
		srv->nconns++;
	}
}

/* Close connections that owe nothing and have not completed a query for
 * --tcp-idle; unwritten output does not keep one open. */
static void
on_sweep(struct ev_loop *loop, void *arg)
{
	struct server *srv = arg;
	uint64_t now = ev_now_us(loop);

	srv->sweep = NULL;
	for (struct tcp_conn *c = srv->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->owed == 0 && now - c->last_query_us >= srv->cfg->tcp_idle_us) {
			char who[64];
			log_debug("tcp %s: no complete query for --tcp-idle (%zu bytes of a query read, "
			    "%zu of answers unwritten); closing", conn_name(c, who, sizeof(who)),
			    c->rlen, conn_out(c));
			conn_close(c);
		}
	}
	uint64_t period = srv->cfg->tcp_idle_us / 4;
	if (period < 10000)
		period = 10000;
	if (period > 1000000)
		period = 1000000;
	srv->sweep = ev_timer_add(loop, period, on_sweep, srv);
}

/* ---------------- setup ---------------- */

static int
open_listener(struct server *srv, const struct dd_sockaddr *a, bool tcp,
    struct dd_err *err)
{
	int one = 1, fd, sz = 8 << 20, rc;
	char s[80], name[96];
	struct listener *l = &srv->ls[srv->nls];

	fd = socket(a->u.sa.sa_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* --workers: every worker binds the same address */
	if (srv->lock != NULL && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (a->u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (!tcp) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	} else {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (bind(fd, &a->u.sa, a->len) < 0)
		goto fail;
	if (tcp && listen(fd, 512) < 0)
		goto fail;
	l->srv = srv;
	l->fd = fd;
	l->tcp = tcp;
	if (tcp) {
		snprintf(name, sizeof(name), "tcp %s", dd_sockaddr_str(a, s, sizeof(s)));
		rc = acc_init(&l->acc, srv->loop, fd, name, 0, on_accept, l);
	} else {
		rc = ev_io_add(srv->loop, fd, EV_READ, on_udp, srv);
	}
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	srv->nls++;
	return 0;
fail:
	rc = errno;
	dd_err_set(err, "--listen %s (%s): %s", dd_sockaddr_str(a, s, sizeof(s)),
	    tcp ? "tcp" : "udp", strerror(rc));
	if (fd >= 0)
		close(fd);
	return -rc;
}

/* --max-tcp, lowered so TCP clients cannot use up the descriptors the
 * rest of faultd needs (checked once, at start-up). */
static unsigned
tcp_limit(const struct faultd_config *cfg)
{
	struct rlimit rl;
	unsigned reserve = TCP_FD_RESERVE + 2 * (unsigned)cfg->nlisten, cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return cfg->max_tcp;
	cap = acc_conn_cap(cfg->max_tcp, (uint64_t)rl.rlim_cur, reserve);
	if (cap < cfg->max_tcp)
		log_warnx("--max-tcp lowered from %u to %u: faultd may open %llu file descriptors "
		    "(ulimit -n) and keeps %u for its other sockets", cfg->max_tcp, cap,
		    (unsigned long long)rl.rlim_cur, reserve);
	return cap;
}

int
server_addrs_free(const struct faultd_config *cfg, struct dd_err *err)
{
	for (size_t i = 0; i < cfg->nlisten; i++) {
		const struct dd_sockaddr *a = &cfg->listen[i];
		for (int tcp = 0; tcp < 2; tcp++) {
			int fd = socket(a->u.sa.sa_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
			int one = 1, e;
			char s[80];

			if (fd < 0)
				continue;      /* open_listener will say */
			if (tcp)
				setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (a->u.sa.sa_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			e = bind(fd, &a->u.sa, a->len) < 0 ? errno : 0;
			close(fd);
			if (e == EADDRINUSE) {
				dd_err_set(err, "--listen %s (%s): %s (--workers shares an address only "
				    "among its own threads)", dd_sockaddr_str(a, s, sizeof(s)),
				    tcp ? "tcp" : "udp", strerror(e));
				return DD_EIO;
			}
		}
	}
	return 0;
}

int
server_open(struct server **out, struct ev_loop *loop,
    const struct faultd_config *cfg, struct engine *eng, struct upstream *up,
    pthread_mutex_t *lock, struct dd_err *err)
{
	struct server *srv;
	int rc;

	*out = NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	srv->cfg = cfg;
	srv->loop = loop;
	srv->eng = eng;
	srv->up = up;
	srv->lock = lock;
	srv->max_tcp = tcp_limit(cfg);
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if ((rc = open_listener(srv, &cfg->listen[i], false, err)) < 0 ||
		    (rc = open_listener(srv, &cfg->listen[i], true, err)) < 0)
			goto fail;
	}
	srv->sweep = ev_timer_add(loop, 1000, on_sweep, srv);
	if (srv->sweep == NULL || ev_post_add(loop, on_post, srv) < 0) {
		dd_err_set(err, "out of memory");
		rc = DD_ENOMEM;
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	server_close(srv);
	return rc;
}

void
server_close(struct server *srv)
{
	if (srv == NULL)
		return;
	while (srv->delayed != NULL) {
		struct delayed *dl = srv->delayed;

		delayed_unlink(dl);
		ev_timer_cancel(srv->loop, dl->timer);
		dest_release(&dl->to);
		free(dl);
	}
	while (srv->conns != NULL)
		conn_close(srv->conns);
	/* replies already counted as owed go out before their sockets close */
	outq_flush(srv);
	ev_post_del(srv->loop, on_post, srv);
	for (size_t i = 0; i < srv->nls; i++) {
		if (srv->ls[i].tcp)
			acc_fini(&srv->ls[i].acc);
		else
			ev_io_del(srv->loop, srv->ls[i].fd);
		close(srv->ls[i].fd);
	}
	ev_timer_cancel(srv->loop, srv->sweep);
	free(srv);
}

unsigned
server_tcp_connections(const struct server *s)
{
	return s->nconns;
}

uint64_t
server_delayed_pending(const struct server *s)
{
	return s->delayed_pending;
}
