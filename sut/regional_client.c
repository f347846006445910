/*
 * regional_client.c -- dd-regional-client, the demo system under test.
 *
 * A service that depends on one regional endpoint (think DynamoDB in
 * us-east-1) and can fail over to another.  Every --interval it resolves the
 * serving region's name, connects, GETs --path and expects 200.  Decisions
 * (degraded, failover, failback, healthy) come from failover.c; this file
 * only does the I/O, keeps time and prints one line per request and per
 * decision on stdout, line-buffered, for the harness to read:
 *
 *   ts=1.234 event=request region=us-east-1 ok=false reason=dns:NODATA ms=1
 *
 * Nothing here blocks: resolution runs in resolve.c (a thread per
 * getaddrinfo, a UDP stub on the loop, or c-ares on the loop), sockets are non-blocking, and a
 * deadline timer per request bounds DNS, connect and HTTP together.  Its own
 * /health and /ready are served by httpd.c on the same loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"

#include "sut/failover.h"
#include "sut/fallback.h"
#include "sut/httpd.h"
#include "sut/resolve.h"

#define LABEL_MAX 64
#define NAME_TEXT_MAX 253
#define FALLBACK_OPTS_MAX (2 * FB_MAX_ADDRS)

struct options {
	const char *name[2];          /* primary, secondary (may be NULL) */
	char label[2][LABEL_MAX];
	uint16_t port;
	const char *path;
	uint64_t interval_us, timeout_us;
	unsigned fail_after, recover_after;
	bool failover;
	bool have_health;
	struct dd_sockaddr health;
	struct resolver_config rcfg;
	struct fallback fb;           /* --fallback-addr, per region */
	const char *fb_opt[FALLBACK_OPTS_MAX];   /* NAME=ADDR as given */
	size_t nfb_opt;
};

enum phase { PH_IDLE, PH_DNS, PH_CONNECT, PH_SEND, PH_RECV };

/* One request (or probe) from start to verdict. */
struct attempt {
	struct client *c;
	bool probe;                   /* a probe of the primary while failed over */
	int region;
	enum phase phase;
	uint64_t t0;
	struct ev_timer *deadline;
	struct ev_timer *next;        /* when the following attempt starts */
	struct resolve_query *rq;
	struct resolve_result res;
	bool via_fallback;            /* res holds the fixed addresses */
	size_t next_addr;
	int fd;
	int last_errno;               /* of the last failed connect */
	char req[512];
	size_t reqlen, reqoff;
	char rbuf[512];
	size_t rlen;
};

struct client {
	struct ev_loop *loop;
	struct options opt;
	struct resolver *resolver;
	struct failover fo;
	struct attempt req, probe;
	struct httpd *health;
	uint64_t t_start;
	char last_reason[64];
	char last_addr[INET6_ADDRSTRLEN];   /* of the last good request */
	bool last_via_fallback;
	uint64_t fallbacks;           /* requests sent to fixed addresses */
};

/* ---- output ---- */

static void emit(struct client *c, const char *fmt, ...) DD_PRINTF(2, 3);

static void
emit(struct client *c, const char *fmt, ...)
{
	va_list ap;
	uint64_t t = dd_now_us() - c->t_start;

	printf("ts=%llu.%03llu ", (unsigned long long)(t / 1000000u),
	    (unsigned long long)(t / 1000u % 1000u));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *
label(const struct client *c, int region)
{
	return c->opt.label[region];
}

static void
emit_events(struct client *c, const struct fo_event *ev, int n, const char *reason)
{
	for (int i = 0; i < n; i++) {
		switch (ev[i].kind) {
		case FO_EV_DEGRADED:
			emit(c, "event=degraded region=%s reason=%s failures=%u",
			    label(c, ev[i].region), reason, ev[i].count);
			break;
		case FO_EV_FAILOVER:
			emit(c, "event=failover from=%s to=%s reason=%s failures=%u",
			    label(c, ev[i].from), label(c, ev[i].to), reason, ev[i].count);
			break;
		case FO_EV_FAILBACK:
			emit(c, "event=failback from=%s to=%s probes=%u",
			    label(c, ev[i].from), label(c, ev[i].to), ev[i].count);
			break;
		case FO_EV_HEALTHY:
			emit(c, "event=healthy region=%s", label(c, ev[i].region));
			break;
		}
	}
}

/* ---- one attempt ---- */

static void attempt_start(struct attempt *a, int region);
static void schedule_probe(struct client *c);

static void
attempt_reset(struct attempt *a)
{
	struct ev_loop *loop = a->c->loop;

	ev_timer_cancel(loop, a->deadline);
	a->deadline = NULL;
	resolve_cancel(a->c->resolver, a->rq);
	a->rq = NULL;
	if (a->fd >= 0) {
		ev_io_del(loop, a->fd);
		close(a->fd);
		a->fd = -1;
	}
	a->phase = PH_IDLE;
}

static void
on_req_tick(struct ev_loop *loop, void *arg)
{
	struct client *c = arg;

	(void)loop;
	c->req.next = NULL;
	attempt_start(&c->req, c->fo.serving);
}

static void
on_probe_tick(struct ev_loop *loop, void *arg)
{
	struct client *c = arg;

	(void)loop;
	c->probe.next = NULL;
	if (fo_probing(&c->fo))
		attempt_start(&c->probe, 0);
}

static void
schedule_probe(struct client *c)
{
	if (c->probe.phase != PH_IDLE || c->probe.next != NULL)
		return;
	c->probe.next = ev_timer_add(c->loop, c->opt.interval_us, on_probe_tick, c);
	if (c->probe.next == NULL)
		fatalx("out of memory");
}

/* The verdict: log it, feed it to the decisions, plan the next one. */
static void
attempt_end(struct attempt *a, bool ok, const char *reason, const char *addr)
{
	struct client *c = a->c;
	struct fo_event ev[FO_MAX_EVENTS];
	unsigned ms = (unsigned)((dd_now_us() - a->t0) / 1000u);
	int n;

	attempt_reset(a);
	/* " via=fallback" only when used: lines without it stay as they were */
	if (ok)
		emit(c, "event=%s region=%s ok=true status=200 addr=%s ms=%u%s",
		    a->probe ? "probe" : "request", label(c, a->region), addr, ms,
		    a->via_fallback ? " via=fallback" : "");
	else
		emit(c, "event=%s region=%s ok=false reason=%s ms=%u%s",
		    a->probe ? "probe" : "request", label(c, a->region), reason, ms,
		    a->via_fallback ? " via=fallback" : "");
	if (a->probe) {
		n = fo_probe_done(&c->fo, ok, ev);
		emit_events(c, ev, n, reason);
		if (fo_probing(&c->fo))
			schedule_probe(c);
		return;
	}
	snprintf(c->last_reason, sizeof(c->last_reason), "%s", ok ? "" : reason);
	if (ok) {
		snprintf(c->last_addr, sizeof(c->last_addr), "%s", addr);
		c->last_via_fallback = a->via_fallback;
	}
	n = fo_request_done(&c->fo, a->region, ok, ev);
	emit_events(c, ev, n, reason);
	if (fo_probing(&c->fo))
		schedule_probe(c);
	a->next = ev_timer_add(c->loop, c->opt.interval_us, on_req_tick, c);
	if (a->next == NULL)
		fatalx("out of memory");
}

static void
fail_errno(struct attempt *a, const char *what, int err)
{
	char reason[64];
	const char *name = strerrorname_np(err);

	if (name)
		snprintf(reason, sizeof(reason), "%s:%s", what, name);
	else
		snprintf(reason, sizeof(reason), "%s:errno%d", what, err);
	attempt_end(a, false, reason, NULL);
}

static void
on_deadline(struct ev_loop *loop, void *arg)
{
	struct attempt *a = arg;
	static const char *const why[] = {
		[PH_IDLE] = "timeout", [PH_DNS] = "dns:timeout",
		[PH_CONNECT] = "connect:timeout", [PH_SEND] = "http:timeout",
		[PH_RECV] = "http:timeout",
	};

	(void)loop;
	a->deadline = NULL;          /* fired: the loop frees it */
	attempt_end(a, false, why[a->phase], NULL);
}

/* "HTTP/1.x 200 ..." -> 200; -1 when it is not a status line. */
static int
parse_status(const char *buf, size_t len)
{
	unsigned st = 0;

	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -1;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		st = st * 10 + (unsigned)(buf[i] - '0');
	}
	return (int)st;
}

static void
http_verdict(struct attempt *a, bool eof)
{
	char reason[32], addr[INET6_ADDRSTRLEN + 8];
	int st = parse_status(a->rbuf, a->rlen);

	if (st < 0) {
		attempt_end(a, false, eof && a->rlen == 0 ? "http:closed" : "http:malformed", NULL);
		return;
	}
	if (st != 200) {
		snprintf(reason, sizeof(reason), "http:%d", st);
		attempt_end(a, false, reason, NULL);
		return;
	}
	dd_sockaddr_ip_str(&a->res.addrs[a->next_addr], addr, sizeof(addr));
	attempt_end(a, true, NULL, addr);
}

static void try_connect(struct attempt *a);

static void
on_sock(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct attempt *a = arg;

	if (a->phase == PH_CONNECT) {
		int err = 0;
		socklen_t l = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		if (err != 0) {
			a->last_errno = err;
			ev_io_del(loop, fd);
			close(fd);
			a->fd = -1;
			a->next_addr++;
			try_connect(a);
			return;
		}
		a->phase = PH_SEND;
	}
	if (a->phase == PH_SEND) {
		while (a->reqoff < a->reqlen) {
			ssize_t n = send(fd, a->req + a->reqoff, a->reqlen - a->reqoff, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0) {
				fail_errno(a, "http", errno);
				return;
			}
			a->reqoff += (size_t)n;
		}
		a->phase = PH_RECV;
		ev_io_mod(loop, fd, EV_READ);
		return;
	}
	if (a->phase == PH_RECV && (events & EV_READ)) {
		for (;;) {
			ssize_t n = recv(fd, a->rbuf + a->rlen, sizeof(a->rbuf) - 1 - a->rlen, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0) {
				fail_errno(a, "http", errno);
				return;
			}
			a->rlen += (size_t)n;
			a->rbuf[a->rlen] = '\0';
			/* the status line is all we judge by */
			if (n == 0 || memchr(a->rbuf, '\n', a->rlen) ||
			    a->rlen == sizeof(a->rbuf) - 1) {
				http_verdict(a, n == 0);
				return;
			}
		}
	}
}

static void
try_connect(struct attempt *a)
{
	struct client *c = a->c;

	for (; a->next_addr < a->res.naddrs; a->next_addr++) {
		const struct dd_sockaddr *sa = &a->res.addrs[a->next_addr];
		int fd = socket(sa->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			a->last_errno = errno;
			continue;
		}
		if (connect(fd, &sa->u.sa, sa->len) < 0 && errno != EINPROGRESS) {
			a->last_errno = errno;
			close(fd);
			continue;
		}
		if (ev_io_add(c->loop, fd, EV_WRITE, on_sock, a) < 0) {
			a->last_errno = errno;
			close(fd);
			continue;
		}
		a->fd = fd;
		a->phase = PH_CONNECT;
		return;
	}
	fail_errno(a, "connect", a->last_errno ? a->last_errno : EHOSTUNREACH);
}

/* The lookup failed and the target has fixed addresses: say so, once per
 * request, before connecting to them. */
static void
fallback_note(struct attempt *a, const char *reason)
{
	struct client *c = a->c;
	char list[FB_MAX_ADDRS * (INET6_ADDRSTRLEN + 1)] = "", ip[INET6_ADDRSTRLEN];
	size_t off = 0;

	for (size_t i = 0; i < a->res.naddrs; i++) {
		dd_sockaddr_ip_str(&a->res.addrs[i], ip, sizeof(ip));
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		    i ? "," : "", ip);
	}
	if (!a->probe)
		c->fallbacks++;
	emit(c, "event=fallback region=%s reason=%s addrs=%s%s", label(c, a->region),
	    reason, list, a->probe ? " probe=true" : "");
}

static void
on_resolved(void *arg, const struct resolve_result *res)
{
	struct attempt *a = arg;
	char reason[48] = "";

	a->rq = NULL;              /* the handle is gone once we are called */
	if (res->status != RES_OK || res->naddrs == 0)
		snprintf(reason, sizeof(reason), "dns:%s",
		    resolve_status_str(res->status == RES_OK ? RES_NODATA : res->status));
	switch (fb_decide(&a->c->opt.fb, a->region, res->status, res->naddrs)) {
	case FB_FAIL:
		attempt_end(a, false, reason, NULL);
		return;
	case FB_FIXED:
		fb_result(&a->c->opt.fb, a->region, &a->res);
		a->via_fallback = true;
		fallback_note(a, reason);
		break;
	case FB_DNS:
		a->res = *res;
		break;
	}
	a->next_addr = 0;
	a->last_errno = 0;
	try_connect(a);
}

static void
attempt_start(struct attempt *a, int region)
{
	struct client *c = a->c;
	int n;

	a->region = region;
	a->via_fallback = false;
	a->t0 = dd_now_us();
	a->rlen = 0;
	a->reqoff = 0;
	n = snprintf(a->req, sizeof(a->req),
	    "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: dd-regional-client/%s\r\n"
	    "Connection: close\r\n\r\n", c->opt.path, c->opt.name[region], DNSDRILL_VERSION);
	a->reqlen = n > 0 && (size_t)n < sizeof(a->req) ? (size_t)n : 0;
	a->deadline = ev_timer_add(c->loop, c->opt.timeout_us, on_deadline, a);
	if (a->deadline == NULL)
		fatalx("out of memory");
	a->phase = PH_DNS;
	a->rq = resolve_start(c->resolver, c->opt.name[region], c->opt.port, on_resolved, a);
	if (a->rq == NULL)
		attempt_end(a, false, "dns:error", NULL);
}

/* ---- /health and /ready ---- */

static void
on_health(void *arg, const struct dd_sockaddr *peer, const char *method,
    const char *path, struct http_reply *rep)
{
	struct client *c = arg;
	const struct failover *f = &c->fo;
	int served = f->last_region >= 0 ? f->last_region : f->serving;
	int n;

	(void)peer;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		rep->status = 405;
		n = snprintf(rep->body, sizeof(rep->body), "{\"error\":\"method\"}\n");
	} else if (strcmp(path, "/health") == 0) {
		rep->status = f->last_ok ? 200 : 503;
		n = snprintf(rep->body, sizeof(rep->body),
		    "{\"region\":\"%s\",\"state\":\"%s\",\"served_by\":\"%s\","
		    "\"consecutive_failures\":%u,\"requests\":%llu,\"ok\":%llu,"
		    "\"failovers\":%llu,\"failbacks\":%llu,\"last_reason\":%s%s%s,"
		    "\"addr\":%s%s%s,\"via\":\"%s\",\"fallbacks\":%llu}\n",
		    label(c, 0), fo_state_str(fo_state(f)), label(c, served),
		    f->failed_in_a_row, (unsigned long long)f->requests,
		    (unsigned long long)f->ok, (unsigned long long)f->failovers,
		    (unsigned long long)f->failbacks,
		    c->last_reason[0] ? "\"" : "", c->last_reason[0] ? c->last_reason : "null",
		    c->last_reason[0] ? "\"" : "",
		    c->last_addr[0] ? "\"" : "", c->last_addr[0] ? c->last_addr : "null",
		    c->last_addr[0] ? "\"" : "", c->last_via_fallback ? "fallback" : "dns",
		    (unsigned long long)c->fallbacks);
	} else if (strcmp(path, "/ready") == 0) {
		n = snprintf(rep->body, sizeof(rep->body), "{\"ready\":true}\n");
	} else {
		rep->status = 404;
		n = snprintf(rep->body, sizeof(rep->body), "{\"error\":\"not found\"}\n");
	}
	rep->body_len = n > 0 ? (size_t)n : 0;
}

/* ---- options ---- */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: dd-regional-client --primary NAME [--secondary NAME] [options]\n"
	    "\n"
	    "A demo regional client: every interval it resolves the serving region's\n"
	    "name, GETs a path and expects 200; fails over to the secondary after\n"
	    "consecutive failures and back once the primary answers again.  One\n"
	    "line per request and decision on stdout (ts=... event=...).\n"
	    "\n"
	    "  --primary NAME          primary endpoint (dynamodb.us-east-1.amazonaws.com)\n"
	    "  --secondary NAME        secondary endpoint (dynamodb.us-west-2.amazonaws.com)\n"
	    "  --primary-label L       region label (default: the name's second label)\n"
	    "  --secondary-label L\n"
	    "  --port N                HTTP port of the endpoints (default 80)\n"
	    "  --path PATH             path to GET (default /ping)\n"
	    "  --interval DUR          pause between requests (default 200ms)\n"
	    "  --timeout DUR           per request, DNS included (default 1s)\n"
	    "  --fail-after N          consecutive failures before failing over (default 3)\n"
	    "  --recover-after N       good probes of the primary before failing back (default 3)\n"
	    "  --no-failover           stay on the primary however bad\n"
	    "  --fallback-addr NAME=ADDR\n"
	    "                          hard-coded IP fallback: when resolving NAME (the\n"
	    "                          primary's or the secondary's name or label) fails\n"
	    "                          (error or no address), connect to ADDR instead;\n"
	    "                          repeat for more addresses (4 per target)\n"
	    "  --health ADDR:PORT      serve /health and /ready here\n"
	    "  --resolver-mode MODE    libc (getaddrinfo in a thread, default), builtin (a UDP\n"
	    "                          stub on the event loop) or cares (libc-ares on the loop,\n"
	    "                          with its own reading of resolv.conf)\n"
	    "  --resolver ADDR:PORT    DNS server instead of /etc/resolv.conf's (port 53 default)\n"
	    "  --resolv-conf FILE      builtin, cares: read FILE instead of /etc/resolv.conf\n"
	    "  --family any|4|6        address families to resolve (default any)\n"
	    "  --help, --version\n"
	    "\n"
	    "Durations: 250ms, 1s, 1.5s.  SIGTERM or SIGINT: exit 0.  See dd-regional-client(1).\n");
}

/* The region label: the second label of the name, or the whole name. */
static void
derive_label(const char *name, char *out, size_t len)
{
	const char *dot = strchr(name, '.');
	const char *start = dot ? dot + 1 : name;
	const char *end = strchr(start, '.');
	size_t n = end ? (size_t)(end - start) : strlen(start);

	if (n == 0 || n >= len) {
		snprintf(out, len, "%.*s", (int)(len - 1), name);
		return;
	}
	memcpy(out, start, n);
	out[n] = '\0';
}

static bool
label_ok(const char *s)
{
	if (*s == '\0' || strlen(s) >= LABEL_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool
parse_count(const char *s, unsigned *out)
{
	uint64_t v;

	if (dd_parse_u64(s, &v) < 0 || v < 1 || v > 1000000)
		return false;
	*out = (unsigned)v;
	return true;
}

enum {
	OPT_PRIMARY = 256, OPT_SECONDARY, OPT_PLABEL, OPT_SLABEL, OPT_PORT, OPT_PATH,
	OPT_INTERVAL, OPT_TIMEOUT, OPT_FAIL_AFTER, OPT_RECOVER_AFTER, OPT_NO_FAILOVER,
	OPT_HEALTH, OPT_RESOLVER, OPT_RESOLVER_MODE, OPT_RESOLV_CONF, OPT_FAMILY,
	OPT_FALLBACK, OPT_HELP, OPT_VERSION,
};

/* --fallback-addr NAME=ADDR, once the targets' names and labels are known. */
static int
parse_fallbacks(struct options *o)
{
	for (size_t i = 0; i < o->nfb_opt; i++) {
		const char *eq = strchr(o->fb_opt[i], '=');
		size_t nl = (size_t)(eq - o->fb_opt[i]);
		int region = -1;

		for (int r = 0; r < 2 && region < 0; r++) {
			if (o->name[r] == NULL)
				continue;
			if ((strlen(o->name[r]) == nl && strncmp(o->name[r], o->fb_opt[i], nl) == 0) ||
			    (strlen(o->label[r]) == nl && strncmp(o->label[r], o->fb_opt[i], nl) == 0))
				region = r;
		}
		if (region < 0) {
			fprintf(stderr, "dd-regional-client: --fallback-addr %s: %.*s is neither "
			    "the primary's nor the secondary's name or label\n", o->fb_opt[i],
			    (int)nl, o->fb_opt[i]);
			return -1;
		}
		if (fb_add(&o->fb, region, eq + 1) < 0) {
			fprintf(stderr, "dd-regional-client: --fallback-addr %s: '%s' is not an "
			    "IP address (no port, no name), or the target has %d already\n",
			    o->fb_opt[i], eq + 1, FB_MAX_ADDRS);
			return -1;
		}
	}
	fb_set_port(&o->fb, o->port);
	return 0;
}

/* Returns 0 to run, 1 when done (help/version), 2 on a usage error. */
static int
parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "primary", required_argument, NULL, OPT_PRIMARY },
		{ "secondary", required_argument, NULL, OPT_SECONDARY },
		{ "primary-label", required_argument, NULL, OPT_PLABEL },
		{ "secondary-label", required_argument, NULL, OPT_SLABEL },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "fail-after", required_argument, NULL, OPT_FAIL_AFTER },
		{ "recover-after", required_argument, NULL, OPT_RECOVER_AFTER },
		{ "no-failover", no_argument, NULL, OPT_NO_FAILOVER },
		{ "health", required_argument, NULL, OPT_HEALTH },
		{ "resolver", required_argument, NULL, OPT_RESOLVER },
		{ "resolver-mode", required_argument, NULL, OPT_RESOLVER_MODE },
		{ "resolv-conf", required_argument, NULL, OPT_RESOLV_CONF },
		{ "family", required_argument, NULL, OPT_FAMILY },
		{ "fallback-addr", required_argument, NULL, OPT_FALLBACK },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *plabel = NULL, *slabel = NULL;
	uint64_t v;
	int ch, li = -1;

	memset(o, 0, sizeof(*o));
	o->port = 80;
	o->path = "/ping";
	o->interval_us = 200000;
	o->timeout_us = 1000000;
	o->fail_after = 3;
	o->recover_after = 3;
	o->failover = true;
	o->rcfg.mode = RESOLVE_LIBC;
	o->rcfg.family = AF_UNSPEC;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, &li)) != -1) {
		switch (ch) {
		case OPT_PRIMARY: o->name[0] = optarg; break;
		case OPT_SECONDARY: o->name[1] = optarg; break;
		case OPT_PLABEL: plabel = optarg; break;
		case OPT_SLABEL: slabel = optarg; break;
		case OPT_PORT:
			if (dd_parse_u64(optarg, &v) < 0 || v < 1 || v > 65535)
				goto bad;
			o->port = (uint16_t)v;
			break;
		case OPT_PATH:
			if (optarg[0] != '/' || strpbrk(optarg, " \r\n") || strlen(optarg) > 256)
				goto bad;
			o->path = optarg;
			break;
		case OPT_INTERVAL:
			if (dd_duration_parse(optarg, &o->interval_us) < 0)
				goto bad;
			break;
		case OPT_TIMEOUT:
			if (dd_duration_parse(optarg, &o->timeout_us) < 0 || o->timeout_us == 0)
				goto bad;
			break;
		case OPT_FAIL_AFTER:
			if (!parse_count(optarg, &o->fail_after))
				goto bad;
			break;
		case OPT_RECOVER_AFTER:
			if (!parse_count(optarg, &o->recover_after))
				goto bad;
			break;
		case OPT_NO_FAILOVER: o->failover = false; break;
		case OPT_HEALTH:
			if (dd_sockaddr_parse(optarg, -1, &o->health) < 0)
				goto bad;
			o->have_health = true;
			break;
		case OPT_RESOLVER:
			if (dd_sockaddr_parse(optarg, 53, &o->rcfg.server) < 0)
				goto bad;
			o->rcfg.have_server = true;
			break;
		case OPT_RESOLVER_MODE:
			if (strcmp(optarg, "libc") == 0)
				o->rcfg.mode = RESOLVE_LIBC;
			else if (strcmp(optarg, "builtin") == 0)
				o->rcfg.mode = RESOLVE_BUILTIN;
			else if (strcmp(optarg, "cares") == 0)
				o->rcfg.mode = RESOLVE_CARES;
			else
				goto bad;
			break;
		case OPT_RESOLV_CONF: o->rcfg.resolv_conf = optarg; break;
		case OPT_FALLBACK:
			if (strchr(optarg, '=') == NULL || o->nfb_opt >= FALLBACK_OPTS_MAX)
				goto bad;
			o->fb_opt[o->nfb_opt++] = optarg;
			break;
		case OPT_FAMILY:
			if (strcmp(optarg, "any") == 0)
				o->rcfg.family = AF_UNSPEC;
			else if (strcmp(optarg, "4") == 0)
				o->rcfg.family = AF_INET;
			else if (strcmp(optarg, "6") == 0)
				o->rcfg.family = AF_INET6;
			else
				goto bad;
			break;
		case OPT_HELP:
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("dd-regional-client %s\n", DNSDRILL_VERSION);
			return 1;
		default:
			if (optopt >= OPT_PRIMARY)
				fprintf(stderr, "dd-regional-client: %s needs a value\n", argv[optind - 1]);
			else
				fprintf(stderr, "dd-regional-client: unknown option %s\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dd-regional-client: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o->name[0] == NULL) {
		fprintf(stderr, "dd-regional-client: --primary NAME is required\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		const char *given = i == 0 ? plabel : slabel;
		if (o->name[i] == NULL)
			continue;
		if (strlen(o->name[i]) > NAME_TEXT_MAX) {
			fprintf(stderr, "dd-regional-client: name too long: %s\n", o->name[i]);
			return 2;
		}
		if (given)
			snprintf(o->label[i], LABEL_MAX, "%s", given);
		else
			derive_label(o->name[i], o->label[i], LABEL_MAX);
		if (!label_ok(o->label[i])) {
			fprintf(stderr, "dd-regional-client: region label '%s' must be "
			    "letters, digits, '-', '_' or '.' (use --%s-label)\n",
			    o->label[i], i == 0 ? "primary" : "secondary");
			return 2;
		}
	}
	if (o->name[1] == NULL)
		o->failover = false;
	if (parse_fallbacks(o) < 0)
		return 2;
	return 0;
bad:
	fprintf(stderr, "dd-regional-client: bad value for --%s: '%s'\n",
	    li >= 0 ? longopts[li].name : "?", optarg);
	return 2;
}

/* ---- main ---- */

static void
on_signal(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct client *c = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		emit(c, "event=stop signal=%s", sigabbrev_np((int)si.ssi_signo));
		ev_loop_stop(loop);
	}
}

int
main(int argc, char **argv)
{
	struct client c;
	struct dd_err err = { "" };
	sigset_t mask;
	char srv[80];
	int sfd = -1, rc, status = 1;

	log_init("dd-regional-client", LOG_LVL_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&c, 0, sizeof(c));
	rc = parse_options(&c.opt, argc, argv);
	if (rc != 0)
		return rc == 1 ? 0 : 2;

	/* signals are read from a signalfd; worker threads inherit the mask */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	c.t_start = dd_now_us();
	c.req = (struct attempt){ .c = &c, .fd = -1 };
	c.probe = (struct attempt){ .c = &c, .fd = -1, .probe = true };
	c.loop = ev_loop_new();
	if (c.loop == NULL)
		fatal("event loop");
	rc = resolver_new(c.loop, &c.opt.rcfg, &c.resolver, &err);
	if (rc < 0) {
		fprintf(stderr, "dd-regional-client: %s\n", err.msg);
		status = 2;
		goto out;
	}
	fo_init(&c.fo, c.opt.fail_after, c.opt.recover_after, c.opt.failover);

	if (c.opt.have_health) {
		c.health = httpd_new(c.loop, on_health, &c);
		if (c.health == NULL)
			fatalx("out of memory");
		rc = httpd_listen(c.health, &c.opt.health);
		if (rc < 0) {
			fprintf(stderr, "dd-regional-client: --health %s: %s\n",
			    dd_sockaddr_str(&c.opt.health, srv, sizeof(srv)), strerror(-rc));
			goto out;
		}
	}
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || ev_io_add(c.loop, sfd, EV_READ, on_signal, &c) < 0)
		fatal("signalfd");

	emit(&c, "event=start primary=%s primary_label=%s secondary=%s secondary_label=%s "
	    "resolver=%s server=%s failover=%s fail_after=%u recover_after=%u "
	    "interval_ms=%llu timeout_ms=%llu%s",
	    c.opt.name[0], c.opt.label[0], c.opt.name[1] ? c.opt.name[1] : "-",
	    c.opt.name[1] ? c.opt.label[1] : "-",
	    c.opt.rcfg.mode == RESOLVE_LIBC ? "libc" :
	    c.opt.rcfg.mode == RESOLVE_CARES ? "cares" : "builtin",
	    resolver_server_str(c.resolver, srv, sizeof(srv)),
	    c.opt.failover ? "true" : "false", c.opt.fail_after, c.opt.recover_after,
	    (unsigned long long)(c.opt.interval_us / 1000),
	    (unsigned long long)(c.opt.timeout_us / 1000),
	    /* only when set: the line stays as it was without fallbacks */
	    c.opt.fb.t[0].naddrs + c.opt.fb.t[1].naddrs ? " fallback=true" : "");

	attempt_start(&c.req, 0);
	status = ev_loop_run(c.loop) < 0 ? 1 : 0;
out:
	if (c.resolver) {
		attempt_reset(&c.req);
		attempt_reset(&c.probe);
	}
	ev_timer_cancel(c.loop, c.req.next);
	ev_timer_cancel(c.loop, c.probe.next);
	httpd_free(c.health);
	if (sfd >= 0) {
		ev_io_del(c.loop, sfd);
		close(sfd);
	}
	resolver_free(c.resolver);
	ev_loop_free(c.loop);
	return status;
}
