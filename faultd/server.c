/*
 * server.c -- faultd's I/O.  UDP datagrams are read and answered in batches
 * (recvmmsg/sendmmsg); TCP connections carry RFC 7766 framed queries, any
 * number in flight per connection, each answered on its own schedule.  A
 * delayed reply is a timer; nothing here ever sleeps.
 */
#include "faultd/server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"

#define BATCH       64
#define UDP_IN_MAX  4096
#define OUT_MAX     65535
#define TCP_WBUF_MAX (4u << 20)

struct tcp_conn {
	struct faultd *d;
	struct tcp_conn *prev, *next;
	int fd;
	struct dd_sockaddr peer;
	unsigned refs;           /* replies still owed (delayed or forwarded) */
	bool closed;
	uint64_t last_active_us;
	size_t rlen;
	uint8_t rbuf[2 + 65535];
	struct dd_buf w;
};

/* Where a reply goes. */
struct dest {
	enum rule_transport t;
	int udp_fd;
	struct dd_sockaddr addr;
	struct tcp_conn *conn;   /* holds a ref while a reply is owed */
};

struct delayed {
	struct faultd *d;
	struct dest to;
	size_t len;
	uint8_t data[];
};

struct forward {
	struct faultd *d;
	struct dest to;
	struct engine_result res;
	uint8_t query[];
};

static uint8_t scratch[OUT_MAX];

/* ---------------- TCP connections ---------------- */

static void conn_release(struct tcp_conn *c);

static void
conn_close(struct tcp_conn *c)
{
	struct faultd *d = c->d;

	if (c->closed)
		return;
	c->closed = true;
	ev_io_del(d->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	if (c->prev)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	d->nconns--;
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

static void
conn_flush(struct tcp_conn *c)
{
	while (c->w.len > c->w.off) {
		ssize_t n = send(c->fd, c->w.data + c->w.off, c->w.len - c->w.off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			conn_close(c);
			return;
		}
		dd_buf_consume(&c->w, (size_t)n);
	}
	ev_io_mod(c->d->loop, c->fd, EV_READ | (c->w.len > c->w.off ? EV_WRITE : 0));
}

static void
conn_send(struct tcp_conn *c, const uint8_t *p, size_t len)
{
	uint8_t hdr[2];

	if (c->closed)
		return;
	if (c->w.len - c->w.off + len + 2 > TCP_WBUF_MAX) {
		log_info("tcp %s: client does not read its replies; closing",
		    dd_sockaddr_str(&c->peer, (char[64]){ 0 }, 64));
		conn_close(c);
		return;
	}
	dns_put16(hdr, (uint16_t)len);
	dd_buf_append(&c->w, hdr, 2);
	dd_buf_append(&c->w, p, len);
	c->last_active_us = ev_now_us(c->d->loop);
	conn_flush(c);
}

/* ---------------- delivering replies ---------------- */

static void
send_now(struct faultd *d, const struct dest *to, const uint8_t *p, size_t len)
{
	d->eng.stats.replies++;
	if (to->t == TRANSPORT_TCP) {
		conn_send(to->conn, p, len);
		return;
	}
	if (sendto(to->udp_fd, p, len, MSG_DONTWAIT, &to->addr.u.sa, to->addr.len) < 0) {
		d->eng.stats.replies--;
		d->eng.stats.drops++;
	}
}

static void
dest_release(struct dest *to)
{
	if (to->t == TRANSPORT_TCP && to->conn != NULL) {
		conn_release(to->conn);
		to->conn = NULL;
	}
}

static void
on_delayed(struct ev_loop *loop, void *arg)
{
	struct delayed *dl = arg;

	(void)loop;
	dl->d->delayed_pending--;
	send_now(dl->d, &dl->to, dl->data, dl->len);
	dest_release(&dl->to);
	free(dl);
}

/* Send p now or after delay_us.  Takes over to's connection reference. */
static void
deliver(struct faultd *d, struct dest *to, const uint8_t *p, size_t len,
    uint64_t delay_us)
{
	struct delayed *dl;

	if (delay_us == 0) {
		send_now(d, to, p, len);
		dest_release(to);
		return;
	}
	dl = malloc(sizeof(*dl) + len);
	if (dl == NULL) {
		d->eng.stats.drops++;
		dest_release(to);
		return;
	}
	dl->d = d;
	dl->to = *to;
	dl->len = len;
	memcpy(dl->data, p, len);
	if (ev_timer_add(d->loop, delay_us, on_delayed, dl) == NULL) {
		d->eng.stats.drops++;
		dest_release(to);
		free(dl);
		return;
	}
	d->delayed_pending++;
}

static void
on_upstream(void *arg, uint8_t *reply, size_t len, size_t cap)
{
	struct forward *fw = arg;
	struct faultd *d = fw->d;
	size_t n = 0;

	if (len > 0)
		n = engine_finish_upstream(&d->eng, &fw->res, fw->query, fw->to.t, reply, len, cap);
	if (n == 0) {
		n = engine_servfail(&d->eng, &fw->res, fw->query, reply, cap);
	}
	deliver(d, &fw->to, reply, n, fw->res.delay_us);
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
	    fault_action_name(res->rule ? res->rule->action : ACT_PASS),
	    (unsigned long long)(res->delay_us / 1000), verdicts[res->verdict]);
}

/*
 * Run one query through the engine and act on its verdict.  For UDP, an
 * immediate reply is left in out and its length returned so the caller can
 * batch it; everything else (delays, TCP, forwarding) is handled here and 0
 * is returned.
 */
static size_t
handle_query(struct faultd *d, const uint8_t *pkt, size_t len, struct dest *to,
    uint8_t *out, size_t cap)
{
	struct engine_result res;
	struct forward *fw;

	engine_query(&d->eng, pkt, len, &to->addr.u.sa, to->t, out, cap, &res);
	if (log_get_level() >= LOG_LVL_DEBUG)
		log_query(to, &res);
	switch (res.verdict) {
	case ENG_DROP:
		d->eng.stats.drops++;
		dest_release(to);
		return 0;
	case ENG_REPLY:
		if (res.delay_us == 0 && to->t == TRANSPORT_UDP)
			return res.len;
		deliver(d, to, out, res.len, res.delay_us);
		return 0;
	case ENG_FORWARD:
		fw = malloc(sizeof(*fw) + len);
		if (fw == NULL) {
			d->eng.stats.drops++;
			dest_release(to);
			return 0;
		}
		fw->d = d;
		fw->to = *to;
		fw->res = res;
		memcpy(fw->query, pkt, len);
		if (upstream_query(d->up, pkt, len, on_upstream, fw) < 0) {
			size_t n = engine_servfail(&d->eng, &res, pkt, out, cap);
			deliver(d, &fw->to, out, n, 0);
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
	static uint8_t inbuf[BATCH][UDP_IN_MAX];
	static uint8_t outbuf[BATCH][UDP_IN_MAX];
	static struct dd_sockaddr from[BATCH];
	static struct mmsghdr in[BATCH], out[BATCH];
	static struct iovec iin[BATCH], iout[BATCH];
	struct faultd *d = arg;

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
				d->eng.stats.queries++;
				d->eng.stats.malformed++;
				d->eng.stats.drops++;
				continue;
			}
			/* answers are built in scratch (they may be large before
			 * they are cut to the UDP size) and copied into the batch */
			slen = handle_query(d, inbuf[i], in[i].msg_len, &to, scratch, sizeof(scratch));
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
				d->eng.stats.drops += (uint64_t)(nout - sent);
				break;
			}
			sent += k;
			d->eng.stats.replies += (uint64_t)k;
		}
		if (n < BATCH)
			return;
	}
}

/* ---------------- TCP ---------------- */

static void
on_conn(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct tcp_conn *c = arg;
	struct faultd *d = c->d;
	ssize_t n;

	(void)loop;
	/* hold a reference for the whole callback: a failed flush or a reply
	 * written inline may close c, and closing drops the connection's own
	 * reference */
	c->refs++;
	if (events & EV_WRITE) {
		conn_flush(c);
		if (c->closed)
			goto out;
	}
	if (!(events & EV_READ))
		goto out;
	n = recv(fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, MSG_DONTWAIT);
	if (n <= 0) {
		if (!(n < 0 && (errno == EAGAIN || errno == EINTR)))
			conn_close(c);
		goto out;
	}
	c->rlen += (size_t)n;
	c->last_active_us = ev_now_us(d->loop);
	size_t off = 0;
	while (!c->closed && c->rlen - off >= 2) {
		size_t flen = dns_get16(c->rbuf + off);
		if (flen == 0) {
			/* a zero-length frame is garbage: count it and hang up */
			d->eng.stats.queries++;
			d->eng.stats.malformed++;
			d->eng.stats.drops++;
			conn_close(c);
			break;
		}
		if (c->rlen - off < 2 + flen)
			break;
		struct dest to = { .t = TRANSPORT_TCP, .udp_fd = -1, .conn = c };
		to.addr = c->peer;
		c->refs++;
		handle_query(d, c->rbuf + off + 2, flen, &to, scratch, sizeof(scratch));
		off += 2 + flen;
	}
	if (!c->closed && off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
out:
	conn_release(c);
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct faultd *d = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct dd_sockaddr peer;
		struct tcp_conn *c;
		int cfd;

		peer.len = sizeof(peer.u);
		cfd = accept4(fd, &peer.u.sa, &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		if (d->nconns >= d->cfg->max_tcp) {
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(cfd);
			continue;
		}
		c->d = d;
		c->fd = cfd;
		c->peer = peer;
		c->refs = 1;   /* the open connection itself */
		c->last_active_us = ev_now_us(d->loop);
		if (ev_io_add(d->loop, cfd, EV_READ, on_conn, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		c->next = d->conns;
		if (d->conns)
			d->conns->prev = c;
		d->conns = c;
		d->nconns++;
	}
}

/* Close connections idle for longer than --tcp-idle with nothing owed. */
static void
on_sweep(struct ev_loop *loop, void *arg)
{
	struct faultd *d = arg;
	uint64_t now = ev_now_us(loop);

	d->sweep = NULL;
	for (struct tcp_conn *c = d->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->refs <= 1 && c->w.len == c->w.off &&
		    now - c->last_active_us >= d->cfg->tcp_idle_us) {
			log_debug("tcp: closing idle connection");
			conn_close(c);
		}
	}
	uint64_t period = d->cfg->tcp_idle_us / 4;
	if (period < 10000)
		period = 10000;
	if (period > 1000000)
		period = 1000000;
	d->sweep = ev_timer_add(loop, period, on_sweep, d);
}

/* ---------------- setup ---------------- */

static int
open_listener(struct faultd *d, const struct dd_sockaddr *a, bool tcp,
    struct dd_err *err)
{
	int one = 1, fd, sz = 8 << 20;
	char s[80];

	fd = socket(a->u.sa.sa_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
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
	if (ev_io_add(d->loop, fd, EV_READ, tcp ? on_accept : on_udp, d) < 0)
		goto fail;
	d->ls[d->nls].fd = fd;
	d->ls[d->nls].tcp = tcp;
	d->nls++;
	return 0;
fail:
	dd_err_set(err, "--listen %s (%s): %s", dd_sockaddr_str(a, s, sizeof(s)),
	    tcp ? "tcp" : "udp", strerror(errno));
	if (fd >= 0)
		close(fd);
	return -errno;
}

/* Parse rule texts from the command line and the rules file into rs. */
static int
load_rules(const struct faultd_config *cfg, struct ruleset *rs, struct dd_err *err)
{
	for (size_t i = 0; i < cfg->nrules; i++) {
		struct rule *r;
		struct dd_err e;
		if (rule_parse(cfg->rules[i], &r, &e) < 0) {
			dd_err_set(err, "--rule '%s': %s", cfg->rules[i], e.msg);
			return DD_EINVAL;
		}
		r->origin = RULE_FROM_CLI;
		if (ruleset_add(rs, r, false) < 0)
			return DD_ENOMEM;
	}
	if (cfg->rules_file != NULL) {
		struct rule **v;
		size_t n;
		int rc = rules_load_file(cfg->rules_file, &v, &n, err);
		if (rc < 0)
			return rc;
		rc = ruleset_replace_origin(rs, RULE_FROM_FILE, v, n);
		free(v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
faultd_open(struct faultd *d, const struct faultd_config *cfg,
    struct ev_loop *loop, struct dd_err *err)
{
	struct ruleset *rs = NULL;
	struct zoneset *zs = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->loop = loop;
	d->ctl_fd = -1;
	rs = ruleset_new();
	if (rs == NULL)
		return DD_ENOMEM;
	rc = load_rules(cfg, rs, err);
	if (rc < 0) {
		ruleset_free(rs);
		return rc;
	}
	if (cfg->nzones > 0) {
		rc = zoneset_load(&zs, cfg->zones, cfg->nzones, err);
		if (rc < 0) {
			ruleset_free(rs);
			return rc;
		}
	}
	engine_init(&d->eng, rs, zs, cfg->nupstreams > 0, cfg->seed);
	if (cfg->nupstreams > 0) {
		d->up = upstream_new(loop, cfg->upstreams, cfg->nupstreams,
		    cfg->upstream_timeout_us);
		if (d->up == NULL) {
			dd_err_set(err, "cannot open upstream sockets: %s", strerror(errno));
			rc = DD_EIO;
			goto fail;
		}
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if ((rc = open_listener(d, &cfg->listen[i], false, err)) < 0 ||
		    (rc = open_listener(d, &cfg->listen[i], true, err)) < 0)
			goto fail;
	}
	if (cfg->control != NULL && (rc = control_open(d, cfg->control, err)) < 0)
		goto fail;
	d->sweep = ev_timer_add(loop, 1000, on_sweep, d);
	return 0;
fail:
	faultd_close(d);
	return rc;
}

void
faultd_close(struct faultd *d)
{
	control_close(d);
	while (d->conns != NULL)
		conn_close(d->conns);
	for (size_t i = 0; i < d->nls; i++) {
		ev_io_del(d->loop, d->ls[i].fd);
		close(d->ls[i].fd);
	}
	d->nls = 0;
	ev_timer_cancel(d->loop, d->sweep);
	d->sweep = NULL;
	upstream_free(d->up);
	d->up = NULL;
	engine_fini(&d->eng);
}

int
faultd_reload(struct faultd *d, struct dd_err *err)
{
	const struct faultd_config *cfg = d->cfg;
	struct zoneset *zs = NULL;
	struct rule **v = NULL;
	size_t n = 0;
	int rc;

	/* parse everything first; swap only when all of it is good */
	if (cfg->rules_file != NULL) {
		rc = rules_load_file(cfg->rules_file, &v, &n, err);
		if (rc < 0)
			return rc;
	}
	if (cfg->nzones > 0) {
		rc = zoneset_load(&zs, cfg->zones, cfg->nzones, err);
		if (rc < 0) {
			rules_free_array(v, n);
			return rc;
		}
		zoneset_free(d->eng.zones);
		d->eng.zones = zs;
	}
	if (cfg->rules_file != NULL) {
		rc = ruleset_replace_origin(d->eng.rules, RULE_FROM_FILE, v, n);
		free(v);
		if (rc < 0) {
			dd_err_set(err, "out of memory");
			return rc;
		}
	}
	return 0;
}
