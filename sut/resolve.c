/*
 * resolve.c -- see resolve.h.
 *
 * The libc path hands each lookup to its own detached thread because
 * getaddrinfo() can block for many seconds (glibc waits RES_TIMEOUT per try
 * when a resolver drops queries) and a shared worker would queue every later
 * lookup behind a hung one.  Ownership of a libc query passes to the thread
 * and comes back through the pipe: only the loop ever frees it.
 */
#include "sut/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dnswire.h"
#include "lib/util.h"
#include "sut/resolve_cares.h"

struct resolver {
	struct ev_loop *loop;
	enum resolve_mode mode;
	int family;
	bool have_server;
	struct dd_sockaddr server;
	int pipe_rd, pipe_wr;        /* libc: finished queries come back here */
	unsigned threads;            /* libc: lookups still in a thread */
	struct dd_rng rng;           /* builtin: query IDs */
	struct resolve_cares *cares; /* cares: the channel */
};

struct subq {                        /* builtin: one query per family */
	struct resolve_query *q;
	int fd;
	uint16_t id, qtype;
	bool done;
	enum resolve_status status;
};

struct resolve_query {
	struct resolver *r;
	resolve_cb cb;
	void *arg;
	uint16_t port;
	struct ev_timer *defer;      /* finish outside resolve_start() */
	struct resolve_result res;
	/* libc */
	char name[DNS_MAX_NAME + 1];
	int family;
	bool in_thread;
	bool cancelled;              /* touched by the loop only */
	bool override;
	struct sockaddr_in ns;
	/* cares */
	struct resolve_cares_query *cq;
	/* builtin */
	uint8_t qname[DNS_MAX_NAME];
	struct subq sub[2];
	int nsub;
};

const char *
resolve_status_str(enum resolve_status s)
{
	switch (s) {
	case RES_OK: return "OK";
	case RES_NXDOMAIN: return "NXDOMAIN";
	case RES_NODATA: return "NODATA";
	case RES_SERVFAIL: return "SERVFAIL";
	case RES_REFUSED: return "REFUSED";
	case RES_FORMERR: return "FORMERR";
	case RES_OTHER_RCODE: return "RCODE";
	case RES_TRUNCATED: return "truncated";
	case RES_BUSY: return "busy";
	case RES_ERROR: return "error";
	case RES_TIMEDOUT: return "timeout";
	}
	return "error";
}

int
resolv_conf_first_nameserver(const char *path, struct dd_sockaddr *out)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int rc = DD_ENOTFOUND;

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char kw[32], addr[256];
		if (sscanf(line, " %31s %255s", kw, addr) != 2 || strcmp(kw, "nameserver") != 0)
			continue;
		char *pct = strchr(addr, '%');      /* fe80::1%eth0: scope dropped */
		if (pct)
			*pct = '\0';
		if (strchr(addr, ':')) {
			char b[300];
			snprintf(b, sizeof(b), "[%s]", addr);
			rc = dd_sockaddr_parse(b, 53, out);
		} else {
			rc = dd_sockaddr_parse(addr, 53, out);
		}
		if (rc == 0)
			break;
	}
	fclose(f);
	return rc;
}

/* ---- completion ---- */

static void
query_free(struct resolve_query *q)
{
	for (int i = 0; i < q->nsub; i++)
		if (q->sub[i].fd >= 0) {
			ev_io_del(q->r->loop, q->sub[i].fd);
			close(q->sub[i].fd);
		}
	ev_timer_cancel(q->r->loop, q->defer);
	resolve_cares_cancel(q->r->cares, q->cq);
	free(q);
}

static void
finish(struct resolve_query *q)
{
	resolve_cb cb = q->cb;
	void *arg = q->arg;
	struct resolve_result res = q->res;

	query_free(q);
	cb(arg, &res);
}

static void
on_defer(struct ev_loop *loop, void *arg)
{
	struct resolve_query *q = arg;

	(void)loop;
	q->defer = NULL;
	finish(q);
}

/* Fail a query that never got going, from the loop rather than the caller. */
static struct resolve_query *
defer_fail(struct resolve_query *q, enum resolve_status st)
{
	q->res.status = st;
	q->res.naddrs = 0;
	q->defer = ev_timer_add(q->r->loop, 0, on_defer, q);
	if (q->defer == NULL) {
		query_free(q);
		return NULL;
	}
	return q;
}

static void
add_addr(struct resolve_result *res, int family, const void *a, uint16_t port)
{
	struct dd_sockaddr *s;

	if (res->naddrs >= RESOLVE_MAX_ADDRS)
		return;
	s = &res->addrs[res->naddrs++];
	memset(s, 0, sizeof(*s));
	if (family == AF_INET) {
		s->u.sin.sin_family = AF_INET;
		s->u.sin.sin_port = htons(port);
		memcpy(&s->u.sin.sin_addr, a, 4);
		s->len = sizeof(struct sockaddr_in);
	} else {
		s->u.sin6.sin6_family = AF_INET6;
		s->u.sin6.sin6_port = htons(port);
		memcpy(&s->u.sin6.sin6_addr, a, 16);
		s->len = sizeof(struct sockaddr_in6);
	}
}

/* ---- libc: getaddrinfo in a thread ---- */

static enum resolve_status
map_eai(int rc)
{
	switch (rc) {
	case 0: return RES_OK;
	case EAI_NONAME: return RES_NXDOMAIN;
#ifdef EAI_NODATA
	case EAI_NODATA: return RES_NODATA;
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY: return RES_NODATA;
#endif
	case EAI_AGAIN: return RES_SERVFAIL;
	case EAI_FAIL: return RES_SERVFAIL;
	default: return RES_ERROR;
	}
}

static void *
lookup_thread(void *arg)
{
	struct resolve_query *q = arg;
	struct addrinfo hints, *ai = NULL;
	int rc;

	if (q->override && res_init() == 0) {
		/* this thread's resolver state only; RES_NORELOAD keeps glibc
		 * from replacing it with /etc/resolv.conf again */
		_res.nscount = 1;
		_res.nsaddr_list[0] = q->ns;
		_res.options |= RES_NORELOAD;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = q->family;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(q->name, NULL, &hints, &ai);
	q->res.status = map_eai(rc);
	q->res.naddrs = 0;
	for (struct addrinfo *p = ai; rc == 0 && p; p = p->ai_next) {
		if (p->ai_family == AF_INET)
			add_addr(&q->res, AF_INET,
			    &((struct sockaddr_in *)(void *)p->ai_addr)->sin_addr, q->port);
		else if (p->ai_family == AF_INET6)
			add_addr(&q->res, AF_INET6,
			    &((struct sockaddr_in6 *)(void *)p->ai_addr)->sin6_addr, q->port);
	}
	if (ai)
		freeaddrinfo(ai);
	if (rc == 0 && q->res.naddrs == 0)
		q->res.status = RES_NODATA;
	/* hand the query back; a pointer is far below PIPE_BUF, so atomic */
	while (write(q->r->pipe_wr, &q, sizeof(q)) < 0 && errno == EINTR)
		;
	return NULL;
}

static void
on_pipe(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct resolver *r = arg;
	struct resolve_query *q;

	(void)loop;
	(void)events;
	while (read(fd, &q, sizeof(q)) == (ssize_t)sizeof(q)) {
		r->threads--;
		q->in_thread = false;
		if (q->cancelled)
			query_free(q);
		else
			finish(q);
	}
}

static struct resolve_query *
start_libc(struct resolve_query *q, const char *name)
{
	struct resolver *r = q->r;
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (r->threads >= RESOLVE_MAX_THREADS)
		return defer_fail(q, RES_BUSY);
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->family = r->family;
	if (r->have_server) {
		q->override = true;
		q->ns = r->server.u.sin;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	q->in_thread = true;
	r->threads++;
	rc = pthread_create(&tid, &attr, lookup_thread, q);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		q->in_thread = false;
		r->threads--;
		return defer_fail(q, RES_ERROR);
	}
	return q;
}

/* ---- builtin: a UDP stub on the loop ---- */

static enum resolve_status
rcode_status(unsigned rcode)
{
	switch (rcode) {
	case DNS_RCODE_NOERROR: return RES_OK;
	case DNS_RCODE_NXDOMAIN: return RES_NXDOMAIN;
	case DNS_RCODE_SERVFAIL: return RES_SERVFAIL;
	case DNS_RCODE_REFUSED: return RES_REFUSED;
	case DNS_RCODE_FORMERR: return RES_FORMERR;
	default: return RES_OTHER_RCODE;
	}
}

/* Both answers are in: addresses win; otherwise the first non-NODATA
 * status (A before AAAA) names the failure. */
static void
builtin_done(struct resolve_query *q)
{
	if (q->res.naddrs > 0) {
		q->res.status = RES_OK;
	} else {
		q->res.status = RES_NODATA;
		for (int i = 0; i < q->nsub; i++)
			if (q->sub[i].status != RES_NODATA && q->sub[i].status != RES_OK) {
				q->res.status = q->sub[i].status;
				break;
			}
	}
	finish(q);
}

/* Parse a reply; returns false when it is not the answer to s (ignored). */
static bool
parse_reply(struct subq *s, const uint8_t *pkt, size_t len)
{
	struct resolve_query *q = s->q;
	uint8_t qn[DNS_MAX_NAME];
	size_t off = DNS_HDR_LEN;
	uint16_t flags, qd, an;
	unsigned found = 0;

	if (len < DNS_HDR_LEN || dns_get16(pkt) != s->id)
		return false;
	flags = dns_get16(pkt + 2);
	qd = dns_get16(pkt + 4);
	an = dns_get16(pkt + 6);
	if (!(flags & DNS_QR))
		return false;
	if (qd != 1 || dns_read_name(pkt, len, &off, qn, true) < 0 ||
	    off + 4 > len || dns_name_len(qn) != dns_name_len(q->qname) ||
	    memcmp(qn, q->qname, dns_name_len(qn)) != 0 ||
	    dns_get16(pkt + off) != s->qtype || dns_get16(pkt + off + 2) != DNS_C_IN) {
		/* FORMERR/REFUSED replies may come without the question */
		if (qd == 0 && DNS_RCODE(flags) != DNS_RCODE_NOERROR) {
			s->status = rcode_status(DNS_RCODE(flags));
			return true;
		}
		return false;
	}
	off += 4;
	s->status = rcode_status(DNS_RCODE(flags));
	if (s->status != RES_OK)
		return true;
	for (unsigned i = 0; i < an; i++) {
		struct dns_rr_ref rr;
		if (dns_skip_rr(pkt, len, &off, &rr) < 0)
			break;
		if (rr.rclass != DNS_C_IN)
			continue;
		if (rr.type == DNS_T_A && rr.rdlen == 4 && s->qtype == DNS_T_A) {
			add_addr(&q->res, AF_INET, pkt + rr.rdata_off, q->port);
			found++;
		} else if (rr.type == DNS_T_AAAA && rr.rdlen == 16 && s->qtype == DNS_T_AAAA) {
			add_addr(&q->res, AF_INET6, pkt + rr.rdata_off, q->port);
			found++;
		}
	}
	if (found == 0)
		s->status = (flags & DNS_TC) ? RES_TRUNCATED : RES_NODATA;
	return true;
}

static void
on_udp(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct subq *s = arg;
	struct resolve_query *q = s->q;
	uint8_t pkt[4096];

	(void)events;
	for (;;) {
		ssize_t n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			s->status = RES_ERROR;     /* e.g. ICMP port unreachable */
			break;
		}
		if (parse_reply(s, pkt, (size_t)n))
			break;
	}
	s->done = true;
	ev_io_del(loop, fd);
	close(fd);
	s->fd = -1;
	for (int i = 0; i < q->nsub; i++)
		if (!q->sub[i].done)
			return;
	builtin_done(q);
}

static int
send_query(struct resolve_query *q, struct subq *s)
{
	struct resolver *r = q->r;
	uint8_t pkt[DNS_HDR_LEN + DNS_MAX_NAME + 4];
	struct dns_writer w;

	s->fd = socket(r->server.u.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	if (connect(s->fd, &r->server.u.sa, r->server.len) < 0)
		return -errno;
	s->id = (uint16_t)dd_rng_next(&r->rng);
	dns_w_init(&w, pkt, sizeof(pkt));
	dns_w_u16(&w, s->id);
	dns_w_u16(&w, DNS_RD);
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_bytes(&w, q->qname, dns_name_len(q->qname));
	dns_w_u16(&w, s->qtype);
	dns_w_u16(&w, DNS_C_IN);
	if (w.overflow)
		return DD_ENOSPACE;
	if (send(s->fd, pkt, w.len, 0) < 0)
		return -errno;
	return ev_io_add(r->loop, s->fd, EV_READ, on_udp, s);
}

static struct resolve_query *
start_builtin(struct resolve_query *q, const char *name)
{
	struct resolver *r = q->r;
	int n = dns_name_from_str(name, q->qname, sizeof(q->qname));

	if (n < 0)
		return defer_fail(q, RES_ERROR);
	dns_name_lower(q->qname);
	if (r->family != AF_INET6)
		q->sub[q->nsub++] = (struct subq){ .q = q, .fd = -1, .qtype = DNS_T_A };
	if (r->family != AF_INET)
		q->sub[q->nsub++] = (struct subq){ .q = q, .fd = -1, .qtype = DNS_T_AAAA };
	for (int i = 0; i < q->nsub; i++)
		if (send_query(q, &q->sub[i]) < 0) {
			for (int j = 0; j <= i; j++)
				if (q->sub[j].fd >= 0) {
					ev_io_del(r->loop, q->sub[j].fd);
					close(q->sub[j].fd);
					q->sub[j].fd = -1;
				}
			return defer_fail(q, RES_ERROR);
		}
	return q;
}

/* ---- cares: libc-ares on the loop (resolve_cares.c) ---- */

static void
on_cares(void *arg, const struct resolve_result *res)
{
	struct resolve_query *q = arg;

	q->cq = NULL;                /* delivered: the handle is gone */
	q->res = *res;
	finish(q);
}

static struct resolve_query *
start_cares(struct resolve_query *q, const char *name)
{
	q->cq = resolve_cares_start(q->r->cares, name, q->port, on_cares, q);
	if (q->cq == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

/* ---- the resolver ---- */

int
resolver_new(struct ev_loop *loop, const struct resolver_config *cfg,
    struct resolver **out, struct dd_err *e)
{
	struct resolver *r = calloc(1, sizeof(*r));
	int p[2], rc;

	*out = NULL;
	if (r == NULL)
		return DD_ENOMEM;
	r->loop = loop;
	r->mode = cfg->mode;
	r->family = cfg->family;
	r->pipe_rd = r->pipe_wr = -1;
	dd_rng_seed(&r->rng, dd_now_us() ^ ((uint64_t)getpid() << 32));
	if (cfg->have_server) {
		r->have_server = true;
		r->server = cfg->server;
	}
	if (r->mode == RESOLVE_LIBC) {
		if (r->have_server && r->server.u.sa.sa_family != AF_INET) {
			dd_err_set(e, "--resolver with --resolver-mode=libc must be an IPv4 address");
			rc = DD_EINVAL;
			goto fail;
		}
		if (pipe2(p, O_CLOEXEC) < 0) {
			rc = -errno;
			dd_err_set(e, "pipe: %s", strerror(errno));
			goto fail;
		}
		r->pipe_rd = p[0];
		r->pipe_wr = p[1];
		fcntl(r->pipe_rd, F_SETFL, O_NONBLOCK);
		rc = ev_io_add(loop, r->pipe_rd, EV_READ, on_pipe, r);
		if (rc < 0) {
			dd_err_set(e, "event loop: %s", strerror(-rc));
			goto fail;
		}
	} else if (r->mode == RESOLVE_CARES) {
		rc = resolve_cares_new(loop, r->family, r->have_server ? &r->server : NULL,
		    cfg->resolv_conf, &r->cares, e);
		if (rc < 0)
			goto fail;
	} else if (!r->have_server) {
		const char *path = cfg->resolv_conf ? cfg->resolv_conf : "/etc/resolv.conf";
		rc = resolv_conf_first_nameserver(path, &r->server);
		if (rc < 0) {
			dd_err_set(e, "%s: no usable nameserver line", path);
			goto fail;
		}
		r->have_server = true;
	}
	*out = r;
	return 0;
fail:
	resolver_free(r);
	return rc;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	resolve_cares_free(r->cares);
	if (r->pipe_rd >= 0) {
		ev_io_del(r->loop, r->pipe_rd);
		/* a thread still inside getaddrinfo will write here later: keep
		 * the descriptors (and its query) rather than let the numbers be
		 * reused under it */
		if (r->threads == 0) {
			close(r->pipe_rd);
			close(r->pipe_wr);
			free(r);
		}
		return;
	}
	free(r);
}

const char *
resolver_server_str(const struct resolver *r, char *buf, size_t len)
{
	if (r->cares != NULL)
		return resolve_cares_servers_str(r->cares, buf, len);
	if (!r->have_server) {
		snprintf(buf, len, "system");
		return buf;
	}
	return dd_sockaddr_str(&r->server, buf, len);
}

struct resolve_query *
resolve_start(struct resolver *r, const char *name, uint16_t port,
    resolve_cb cb, void *arg)
{
	struct resolve_query *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	q->port = port;
	if (r->mode == RESOLVE_LIBC)
		return start_libc(q, name);
	if (r->mode == RESOLVE_CARES)
		return start_cares(q, name);
	return start_builtin(q, name);
}

void
resolve_cancel(struct resolver *r, struct resolve_query *q)
{
	(void)r;
	if (q == NULL)
		return;
	if (q->in_thread) {
		q->cancelled = true;   /* freed when the thread hands it back */
		return;
	}
	query_free(q);
}
