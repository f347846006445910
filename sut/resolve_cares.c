/*
 * resolve_cares.c -- see resolve_cares.h.
 *
 * c-ares keeps its own sockets and clock; this file only wires them to the
 * loop.  The socket-state callback adds, changes and removes the loop's
 * watch on each c-ares socket; every time c-ares has run (a socket ready,
 * the timer, a new lookup) the one timer is set again from ares_timeout(),
 * so retransmissions happen when c-ares wants them and never by sleeping.
 *
 * A lookup c-ares answers at once (an address literal, /etc/hosts) calls
 * back from inside ares_getaddrinfo(); such a result waits for a zero-delay
 * timer so the caller never sees its callback before start returns.
 */
#include "sut/resolve_cares.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct resolve_cares {
	struct ev_loop *loop;
	ares_channel ch;
	bool have_ch;
	int family;
	struct ev_timer *tmr;                  /* next ares_timeout(), or NULL */
	struct resolve_cares_query *deferred;  /* answered inside start */
};

struct resolve_cares_query {
	struct resolve_cares *c;
	resolve_cb cb;
	void *arg;
	uint16_t port;
	bool starting;               /* inside ares_getaddrinfo() */
	bool answered;               /* ... and c-ares called back there */
	bool cancelled;              /* c-ares still owns it; drop the result */
	struct ev_timer *defer;      /* answered while starting: deliver soon */
	struct resolve_cares_query *prev, *next;   /* on c->deferred */
	struct resolve_result res;
};

enum resolve_status
resolve_cares_status(int st)
{
	switch (st) {
	case ARES_SUCCESS: return RES_OK;
	case ARES_ENODATA: return RES_NODATA;
	case ARES_ENOTFOUND: return RES_NXDOMAIN;
	case ARES_ESERVFAIL: return RES_SERVFAIL;
	case ARES_EREFUSED: return RES_REFUSED;
	case ARES_EFORMERR: return RES_FORMERR;
	case ARES_ENOTIMP: return RES_OTHER_RCODE;
	case ARES_ETIMEOUT: return RES_TIMEDOUT;
	default: return RES_ERROR;   /* ECONNREFUSED, EBADRESP, ENOMEM, ... */
	}
}

/* ---- the loop side ---- */

static void on_timer(struct ev_loop *loop, void *arg);

/* After c-ares ran: wake up again when its next retransmission is due. */
static void
rearm(struct resolve_cares *c)
{
	struct timeval tv, *tp;

	ev_timer_cancel(c->loop, c->tmr);
	c->tmr = NULL;
	tp = ares_timeout(c->ch, NULL, &tv);
	if (tp == NULL)
		return;                      /* nothing in flight */
	c->tmr = ev_timer_add(c->loop,
	    (uint64_t)tp->tv_sec * 1000000u + (uint64_t)tp->tv_usec, on_timer, c);
}

static void
on_timer(struct ev_loop *loop, void *arg)
{
	struct resolve_cares *c = arg;

	(void)loop;
	c->tmr = NULL;               /* fired: the loop frees it */
	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm(c);
}

static void
on_io(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct resolve_cares *c = arg;

	(void)loop;
	ares_process_fd(c->ch, (events & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (events & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	rearm(c);
}

/* c-ares opened, changed or is about to close one of its sockets. */
static void
on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolve_cares *c = data;
	unsigned ev = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	if (ev == 0) {
		ev_io_del(c->loop, fd);
		return;
	}
	if (ev_io_mod(c->loop, fd, ev) == -ENOENT)
		ev_io_add(c->loop, fd, ev, on_io, c);
}

/* ---- results ---- */

static void
put_addr(struct resolve_result *res, const struct sockaddr *sa, uint16_t port)
{
	struct dd_sockaddr *s;

	if (res->naddrs >= RESOLVE_MAX_ADDRS ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return;
	s = &res->addrs[res->naddrs++];
	memset(s, 0, sizeof(*s));
	if (sa->sa_family == AF_INET) {
		memcpy(&s->u.sin, sa, sizeof(s->u.sin));
		s->u.sin.sin_port = htons(port);
		s->len = sizeof(struct sockaddr_in);
	} else {
		memcpy(&s->u.sin6, sa, sizeof(s->u.sin6));
		s->u.sin6.sin6_port = htons(port);
		s->len = sizeof(struct sockaddr_in6);
	}
}

static void
unlink_deferred(struct resolve_cares_query *q)
{
	struct resolve_cares *c = q->c;

	if (q->prev)
		q->prev->next = q->next;
	else if (c->deferred == q)
		c->deferred = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

static void
deliver(struct resolve_cares_query *q)
{
	resolve_cb cb = q->cb;
	void *arg = q->arg;
	struct resolve_result res = q->res;

	free(q);
	cb(arg, &res);
}

static void
on_defer(struct ev_loop *loop, void *arg)
{
	struct resolve_cares_query *q = arg;

	(void)loop;
	q->defer = NULL;
	unlink_deferred(q);
	deliver(q);
}

static void
on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct resolve_cares_query *q = arg;

	(void)timeouts;
	if (status == ARES_SUCCESS && ai != NULL)
		for (struct ares_addrinfo_node *n = ai->nodes; n; n = n->ai_next)
			put_addr(&q->res, n->ai_addr, q->port);
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	if (q->cancelled || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		free(q);
		return;
	}
	q->res.status = resolve_cares_status(status);
	if (q->res.status == RES_OK && q->res.naddrs == 0)
		q->res.status = RES_NODATA;
	if (q->starting) {
		q->answered = true;          /* resolve_cares_start() defers it */
		return;
	}
	deliver(q);
}

/* ---- the channel ---- */

int
resolve_cares_new(struct ev_loop *loop, int family, const struct dd_sockaddr *server,
    const char *resolv_conf, struct resolve_cares **out, struct dd_err *e)
{
	struct resolve_cares *c;
	struct ares_options o;
	int mask = ARES_OPT_SOCK_STATE_CB, st;

	*out = NULL;
	st = ares_library_init(ARES_LIB_INIT_ALL);
	if (st != ARES_SUCCESS) {
		dd_err_set(e, "c-ares: %s", ares_strerror(st));
		return DD_EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		ares_library_cleanup();
		return DD_ENOMEM;
	}
	c->loop = loop;
	c->family = family;
	/* only what wiring to the loop needs: every resolver setting comes
	 * from resolv.conf, as in any c-ares client that does not override */
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = c;
	if (resolv_conf != NULL) {
		o.resolvconf_path = (char *)(uintptr_t)resolv_conf;
		mask |= ARES_OPT_RESOLVCONF;
	}
	st = ares_init_options(&c->ch, &o, mask);
	if (st != ARES_SUCCESS) {
		dd_err_set(e, "c-ares: %s%s%s", ares_strerror(st),
		    resolv_conf ? " reading " : "", resolv_conf ? resolv_conf : "");
		free(c);
		ares_library_cleanup();
		return st == ARES_ENOMEM ? DD_ENOMEM : DD_EINVAL;
	}
	c->have_ch = true;
	if (server != NULL) {
		char csv[80];
		dd_sockaddr_str(server, csv, sizeof(csv));
		st = ares_set_servers_ports_csv(c->ch, csv);
		if (st != ARES_SUCCESS) {
			dd_err_set(e, "c-ares: server %s: %s", csv, ares_strerror(st));
			resolve_cares_free(c);
			return DD_EINVAL;
		}
	}
	*out = c;
	return 0;
}

void
resolve_cares_free(struct resolve_cares *c)
{
	if (c == NULL)
		return;
	while (c->deferred) {
		struct resolve_cares_query *q = c->deferred;
		unlink_deferred(q);
		ev_timer_cancel(c->loop, q->defer);
		free(q);
	}
	/* lookups in flight end here with ARES_EDESTRUCTION, freed unheard;
	 * the socket-state callback takes their sockets off the loop */
	if (c->have_ch)
		ares_destroy(c->ch);
	ev_timer_cancel(c->loop, c->tmr);
	free(c);
	ares_library_cleanup();
}

const char *
resolve_cares_servers_str(const struct resolve_cares *c, char *buf, size_t len)
{
	struct ares_addr_port_node *list = NULL;
	size_t off = 0;

	buf[0] = '\0';
	if (ares_get_servers_ports(c->ch, &list) != ARES_SUCCESS)
		return buf;
	for (struct ares_addr_port_node *n = list; n; n = n->next) {
		char ip[INET6_ADDRSTRLEN] = "?";
		unsigned port = n->udp_port ? (unsigned)n->udp_port : 53;
		int w;

		inet_ntop(n->family, n->family == AF_INET6 ? (const void *)&n->addr.addr6 :
		    (const void *)&n->addr.addr4, ip, sizeof(ip));
		w = snprintf(buf + off, len - off, n->family == AF_INET6 ? "%s[%s]:%u" : "%s%s:%u",
		    off ? "," : "", ip, port);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	ares_free_data(list);
	return buf;
}

struct resolve_cares_query *
resolve_cares_start(struct resolve_cares *c, const char *name, uint16_t port,
    resolve_cb cb, void *arg)
{
	struct resolve_cares_query *q = calloc(1, sizeof(*q));
	struct ares_addrinfo_hints hints;

	if (q == NULL)
		return NULL;
	q->c = c;
	q->cb = cb;
	q->arg = arg;
	q->port = port;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = c->family;
	hints.ai_socktype = SOCK_STREAM;
	q->starting = true;
	ares_getaddrinfo(c->ch, name, NULL, &hints, on_addrinfo, q);
	q->starting = false;
	rearm(c);
	if (!q->answered)
		return q;                    /* in flight: on_addrinfo delivers */
	q->defer = ev_timer_add(c->loop, 0, on_defer, q);
	if (q->defer == NULL) {
		free(q);
		return NULL;
	}
	q->next = c->deferred;
	if (q->next)
		q->next->prev = q;
	c->deferred = q;
	return q;
}

void
resolve_cares_cancel(struct resolve_cares *c, struct resolve_cares_query *q)
{
	if (q == NULL)
		return;
	if (q->defer != NULL) {      /* answered already, not yet delivered */
		unlink_deferred(q);
		ev_timer_cancel(c->loop, q->defer);
		free(q);
		return;
	}
	q->cancelled = true;         /* on_addrinfo frees it */
}
