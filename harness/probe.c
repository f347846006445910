/*
 * probe.c -- scheduled DNS/HTTP/TCP/exec probes on the event loop.
 *
 * Each probe owns at most one running attempt.  An attempt is a small state
 * machine driven by one fd callback (socket or pidfd) and one deadline
 * timer; whatever ends it first calls attempt_done(), which releases the fd
 * and timers and then reports.  Results found while the attempt is still
 * being started (a synchronous connect error, a failed spawn) are reported
 * from a zero-delay timer, so callbacks never run inside prober_add(),
 * prober_start() or prober_once().
 *
 * The DNS probe (query, UDP/TCP exchange, reply check) is in probe_dns.c.
 */
#include "harness/probe.h"
#include "harness/probe_internal.h"

#include "lib/dnswire.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "netns/netns.h"
#include "lib/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HTTP_BODY_CAP   (64u * 1024u)
#define HTTP_HEAD_CAP   (16u * 1024u)

/* An exec child killed at its deadline, waiting to be reaped. */
struct reaper {
	struct prober *owner;
	struct reaper *next;
	pid_t pid;
	int pidfd;
};

static void attempt_abandon(struct attempt *a);
static void schedule_next(struct probe *pr, uint64_t now);

/* ------------------------------------------------------------------ */
/* names */

const char *
probe_kind_name(enum probe_kind kind)
{
	switch (kind) {
	case PROBE_DNS: return "dns";
	case PROBE_HTTP: return "http";
	case PROBE_TCP: return "tcp";
	case PROBE_EXEC: return "exec";
	}
	return "?";
}

int
probe_kind_parse(const char *s)
{
	for (int k = PROBE_DNS; k <= PROBE_EXEC; k++)
		if (s != NULL && strcasecmp(s, probe_kind_name((enum probe_kind)k)) == 0)
			return k;
	return -1;
}

/* ------------------------------------------------------------------ */
/* spec copy and validation */

static char *
xstrdup(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

static const char **
strv_dup(const char *const *v, bool *oom)
{
	size_t n = 0;
	const char **d;

	if (v == NULL)
		return NULL;
	while (v[n] != NULL)
		n++;
	if ((d = calloc(n + 1, sizeof(*d))) == NULL) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = xstrdup(v[i], oom);
	return d;
}

static void
strv_free(const char *const *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free((char *)(uintptr_t)v[i]);
	free((void *)(uintptr_t)v);
}

static void
probe_free(struct probe *pr)
{
	if (pr == NULL)
		return;
	free((char *)(uintptr_t)pr->spec.name);
	free((char *)(uintptr_t)pr->spec.host);
	free((char *)(uintptr_t)pr->spec.qname);
	free((char *)(uintptr_t)pr->spec.expect_answer);
	free((char *)(uintptr_t)pr->spec.url);
	free((char *)(uintptr_t)pr->spec.body_match);
	strv_free(pr->spec.argv);
	strv_free(pr->spec.envp);
	free(pr->http_req);
	if (pr->have_re)
		regfree(&pr->re);
	free(pr);
}

/* "http://IP[:PORT][/path]" -> address, authority text, path. */
static int
url_parse(const char *url, struct dd_sockaddr *addr, char *auth, size_t authlen,
    const char **path, const char **why)
{
	const char *p, *end;
	char host[64];
	size_t n;
	long port = 80;

	if (strncasecmp(url, "http://", 7) != 0) {
		*why = strncasecmp(url, "https://", 8) == 0 ?
		    "https is not supported" : "must start with http://";
		return DD_EINVAL;
	}
	p = url + 7;
	end = p + strcspn(p, "/");
	if ((size_t)(end - p) >= authlen || end == p) {
		*why = "missing or overlong address";
		return DD_EINVAL;
	}
	memcpy(auth, p, (size_t)(end - p));
	auth[end - p] = '\0';
	memset(addr, 0, sizeof(*addr));
	if (auth[0] == '[') {
		const char *rb = strchr(auth, ']');
		if (rb == NULL || (n = (size_t)(rb - auth - 1)) >= sizeof(host)) {
			*why = "bad [IPv6] address";
			return DD_EINVAL;
		}
		memcpy(host, auth + 1, n);
		host[n] = '\0';
		p = rb + 1;
		if (inet_pton(AF_INET6, host, &addr->u.sin6.sin6_addr) != 1) {
			*why = "bad IPv6 address (names are not resolved)";
			return DD_EINVAL;
		}
		addr->u.sin6.sin6_family = AF_INET6;
		addr->len = sizeof(addr->u.sin6);
	} else {
		n = strcspn(auth, ":");
		if (n >= sizeof(host)) {
			*why = "bad address";
			return DD_EINVAL;
		}
		memcpy(host, auth, n);
		host[n] = '\0';
		p = auth + n;
		if (inet_pton(AF_INET, host, &addr->u.sin.sin_addr) != 1) {
			*why = "host must be an IP literal (names are not resolved)";
			return DD_EINVAL;
		}
		addr->u.sin.sin_family = AF_INET;
		addr->len = sizeof(addr->u.sin);
	}
	if (*p == ':') {
		char *e;
		errno = 0;
		port = strtol(p + 1, &e, 10);
		if (e == p + 1 || *e != '\0' || errno != 0 || port < 1 || port > 65535) {
			*why = "port out of range";
			return DD_EINVAL;
		}
	} else if (*p != '\0') {
		*why = "junk after address";
		return DD_EINVAL;
	}
	if (addr->u.sa.sa_family == AF_INET)
		addr->u.sin.sin_port = htons((uint16_t)port);
	else
		addr->u.sin6.sin6_port = htons((uint16_t)port);
	*path = *end ? end : "/";
	if (strpbrk(*path, " \r\n\t") != NULL) {
		*why = "path contains white space";
		return DD_EINVAL;
	}
	return 0;
}

static uint16_t
sa_port(const struct dd_sockaddr *a)
{
	return ntohs(a->u.sa.sa_family == AF_INET6 ? a->u.sin6.sin6_port :
	    a->u.sin.sin_port);
}

static void
sa_set_port(struct dd_sockaddr *a, uint16_t port)
{
	if (a->u.sa.sa_family == AF_INET6)
		a->u.sin6.sin6_port = htons(port);
	else
		a->u.sin.sin_port = htons(port);
}

static bool
sa_ok(const struct dd_sockaddr *a)
{
	return (a->u.sa.sa_family == AF_INET && a->len >= sizeof(struct sockaddr_in)) ||
	    (a->u.sa.sa_family == AF_INET6 && a->len >= sizeof(struct sockaddr_in6));
}

/* Build a probe from spec: copy, apply defaults, check, derive. */
static int
probe_build(const struct probe_spec *spec, bool have_topo, bool need_name,
    struct probe **out, struct dd_err *err)
{
	struct probe *pr;
	const char *nm = spec->name ? spec->name : "once";
	const char *why;
	bool oom = false;
	int r;

	*out = NULL;
	if (need_name && (spec->name == NULL || spec->name[0] == '\0')) {
		dd_err_set(err, "probe: missing name");
		return DD_EINVAL;
	}
	if (spec->host != NULL && !have_topo) {
		dd_err_set(err, "probe '%s': host '%s' given but there is no topology",
		    nm, spec->host);
		return DD_EINVAL;
	}
	if ((unsigned)spec->kind > PROBE_EXEC) {
		dd_err_set(err, "probe '%s': unknown kind %d", nm, (int)spec->kind);
		return DD_EINVAL;
	}
	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return DD_ENOMEM;
	pr->spec = *spec;
	pr->spec.name = xstrdup(nm, &oom);
	pr->spec.host = xstrdup(spec->host, &oom);
	pr->spec.qname = xstrdup(spec->qname, &oom);
	pr->spec.expect_answer = xstrdup(spec->expect_answer, &oom);
	pr->spec.url = xstrdup(spec->url, &oom);
	pr->spec.body_match = xstrdup(spec->body_match, &oom);
	pr->spec.argv = strv_dup(spec->argv, &oom);
	pr->spec.envp = strv_dup(spec->envp, &oom);
	if (oom) {
		r = DD_ENOMEM;
		goto fail;
	}
	if (pr->spec.interval_us == 0)
		pr->spec.interval_us = PROBE_DEFAULT_INTERVAL_US;
	if (pr->spec.timeout_us == 0)
		pr->spec.timeout_us = pr->spec.interval_us < PROBE_DEFAULT_TIMEOUT_US ?
		    pr->spec.interval_us : PROBE_DEFAULT_TIMEOUT_US;

	r = DD_EINVAL;
	switch (spec->kind) {
	case PROBE_DNS: {
		int n;
		if (spec->qname == NULL || spec->qname[0] == '\0') {
			dd_err_set(err, "probe '%s': dns probe needs a qname", nm);
			goto fail;
		}
		n = dns_name_from_str(spec->qname, pr->qwire, sizeof(pr->qwire));
		if (n < 0) {
			dd_err_set(err, "probe '%s': bad qname '%s'", nm, spec->qname);
			goto fail;
		}
		pr->qwire_len = (size_t)n;
		dns_name_lower(pr->qwire);
		if (pr->spec.qtype == 0)
			pr->spec.qtype = DNS_T_A;
		if (pr->spec.qtype < 1 || pr->spec.qtype > 65535) {
			dd_err_set(err, "probe '%s': qtype %d out of range", nm, spec->qtype);
			goto fail;
		}
		if (!sa_ok(&spec->server)) {
			dd_err_set(err, "probe '%s': dns probe needs a server address", nm);
			goto fail;
		}
		pr->target = spec->server;
		if (sa_port(&pr->target) == 0)
			sa_set_port(&pr->target, 53);
		if (spec->expect_rcode < PROBE_RCODE_ANY || spec->expect_rcode > 15) {
			dd_err_set(err, "probe '%s': expect_rcode %d out of range", nm,
			    spec->expect_rcode);
			goto fail;
		}
		if (spec->expect_answer != NULL && spec->expect_empty) {
			dd_err_set(err, "probe '%s': expect_answer and expect_empty "
			    "contradict each other", nm);
			goto fail;
		}
		if (spec->expect_answer != NULL) {
			if (inet_pton(AF_INET, spec->expect_answer, pr->ea_addr) == 1)
				pr->ea_family = AF_INET;
			else if (inet_pton(AF_INET6, spec->expect_answer, pr->ea_addr) == 1)
				pr->ea_family = AF_INET6;
			else if (spec->expect_answer[0] == '\0') {
				dd_err_set(err, "probe '%s': empty expect_answer", nm);
				goto fail;
			}
		}
		break;
	}
	case PROBE_HTTP: {
		char auth[128];
		const char *path;
		size_t len;
		if (spec->url == NULL) {
			dd_err_set(err, "probe '%s': http probe needs a url", nm);
			goto fail;
		}
		if (url_parse(spec->url, &pr->target, auth, sizeof(auth), &path, &why) < 0) {
			dd_err_set(err, "probe '%s': url '%s': %s", nm, spec->url, why);
			goto fail;
		}
		if (pr->spec.expect_status == 0)
			pr->spec.expect_status = 200;
		if (pr->spec.expect_status < 100 || pr->spec.expect_status > 599) {
			dd_err_set(err, "probe '%s': expect_status %d out of range", nm,
			    spec->expect_status);
			goto fail;
		}
		if (spec->body_match != NULL) {
			char ebuf[160];
			int rc = regcomp(&pr->re, spec->body_match, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				regerror(rc, &pr->re, ebuf, sizeof(ebuf));
				dd_err_set(err, "probe '%s': body_match '%s': %s", nm,
				    spec->body_match, ebuf);
				goto fail;
			}
			pr->have_re = true;
		}
		len = strlen(path) + strlen(auth) + 128;
		if ((pr->http_req = malloc(len)) == NULL) {
			r = DD_ENOMEM;
			goto fail;
		}
		snprintf(pr->http_req, len, "GET %s HTTP/1.0\r\nHost: %s\r\n"
		    "User-Agent: dnsdrill-probe/1\r\nAccept: */*\r\n"
		    "Connection: close\r\n\r\n", path, auth);
		break;
	}
	case PROBE_TCP:
		if (!sa_ok(&spec->addr) || sa_port(&spec->addr) == 0) {
			dd_err_set(err, "probe '%s': tcp probe needs an address with a port", nm);
			goto fail;
		}
		pr->target = spec->addr;
		break;
	case PROBE_EXEC:
		if (spec->argv == NULL || spec->argv[0] == NULL || spec->argv[0][0] == '\0') {
			dd_err_set(err, "probe '%s': exec probe needs argv", nm);
			goto fail;
		}
		if (spec->expect_exit < 0 || spec->expect_exit > 255) {
			dd_err_set(err, "probe '%s': expect_exit %d out of range", nm,
			    spec->expect_exit);
			goto fail;
		}
		break;
	}
	*out = pr;
	return 0;
fail:
	probe_free(pr);
	return r;
}

int
probe_spec_check(const struct probe_spec *spec, bool have_topo, struct dd_err *err)
{
	struct probe *pr;
	int r = probe_build(spec, have_topo, true, &pr, err);

	probe_free(pr);
	return r;
}

/* ------------------------------------------------------------------ */
/* attempt plumbing */

static uint64_t
delay_to(uint64_t when)
{
	uint64_t now = dd_now_us();
	return when > now ? when - now : 0;
}

int
open_socket(struct probe *pr, int family, int type)
{
	int fd, fl;

	if (pr->owner->topo != NULL && pr->spec.host != NULL)
		fd = netns_socket(pr->owner->topo, pr->spec.host, family,
		    type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	else if ((fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		fd = -errno;
	if (fd < 0)
		return fd;
	/* whatever netns_socket did with the flags, be sure */
	if ((fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

void
close_fd(struct attempt *a)
{
	if (a->fd >= 0) {
		(void)ev_io_del(a->pr->owner->loop, a->fd);
		close(a->fd);
		a->fd = -1;
	}
}

/* Put a child we no longer wait for in the reaper list. */
static void
reaper_cb(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct reaper *rp = arg, **pp;
	pid_t w = waitpid(rp->pid, NULL, WNOHANG);

	if (w == 0)
		return;
	(void)ev_io_del(loop, fd);
	close(fd);
	for (pp = &rp->owner->reapers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == rp) {
			*pp = rp->next;
			break;
		}
	free(rp);
}

static void
kill_child(struct attempt *a)
{
	struct prober *p = a->pr->owner;
	struct reaper *rp;

	if (a->pid <= 0)
		return;
	(void)kill(-a->pid, SIGKILL);
	(void)kill(a->pid, SIGKILL);
	if (a->fd >= 0)
		(void)ev_io_del(p->loop, a->fd);
	rp = calloc(1, sizeof(*rp));
	if (rp == NULL || a->fd < 0 ||
	    ev_io_add(p->loop, a->fd, EV_READ, reaper_cb, rp) < 0) {
		/* no way to wait asynchronously: SIGKILL is prompt */
		free(rp);
		(void)waitpid(a->pid, NULL, 0);
		if (a->fd >= 0)
			close(a->fd);
	} else {
		rp->owner = p;
		rp->pid = a->pid;
		rp->pidfd = a->fd;
		rp->next = p->reapers;
		p->reapers = rp;
	}
	a->fd = -1;
	a->pid = 0;
}

static void
attempt_release(struct attempt *a)
{
	struct ev_loop *loop = a->pr->owner->loop;

	if (a->pid > 0)
		kill_child(a);
	close_fd(a);
	ev_timer_cancel(loop, a->deadline);
	a->deadline = NULL;
	ev_timer_cancel(loop, a->deliver);
	a->deliver = NULL;
	free(a->rx);
	a->rx = NULL;
}

static void
attempt_free(struct attempt *a)
{
	if (a == NULL)
		return;
	attempt_release(a);
	free(a);
}

static void
unlink_once(struct prober *p, struct probe *pr)
{
	for (struct probe **pp = &p->onces; *pp != NULL; pp = &(*pp)->next)
		if (*pp == pr) {
			*pp = pr->next;
			return;
		}
}

/* Report a finished attempt and forget it. */
static void
attempt_deliver(struct attempt *a)
{
	struct probe *pr = a->pr;
	struct prober *p = pr->owner;
	char detail[PROBE_DETAIL_MAX];
	bool ok = a->ok;
	double lat = (double)(a->end_us - a->start_us) / 1000.0;

	/* a timeout reports the timeout, not when we got round to it */
	if (a->timed_out)
		lat = (double)pr->spec.timeout_us / 1000.0;
	memcpy(detail, a->detail, sizeof(detail));
	pr->running = NULL;
	attempt_free(a);
	if (pr->once) {
		unlink_once(p, pr);
		pr->once_cb(pr->once_arg, pr->spec.name, ok, lat, detail);
		probe_free(pr);
		return;
	}
	if (ok)
		pr->stats.ok++;
	else
		pr->stats.fail++;
	pr->stats.last_latency_ms = lat;
	if (p->cb != NULL)
		p->cb(p->cb_arg, pr->spec.name, ok, lat, detail);
}

static void
deliver_cb(struct ev_loop *loop, void *arg)
{
	struct attempt *a = arg;

	a->deliver = NULL;
	attempt_deliver(a);
}

void
attempt_done(struct attempt *a, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (a->finished)
		return;
	a->finished = true;
	a->end_us = dd_now_us();
	a->ok = ok;
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
	/* stop watching at once; the attempt's end time is now */
	if (a->pid > 0)
		kill_child(a);
	close_fd(a);
	ev_timer_cancel(a->pr->owner->loop, a->deadline);
	a->deadline = NULL;
}

static void
attempt_abandon(struct attempt *a)
{
	if (a == NULL)
		return;
	a->pr->running = NULL;
	attempt_free(a);
}

static void
deadline_cb(struct ev_loop *loop, void *arg)
{
	struct attempt *a = arg;
	unsigned long long ms = (unsigned long long)(a->pr->spec.timeout_us / 1000);

	a->deadline = NULL;
	a->timed_out = true;
	if (a->pr->spec.kind == PROBE_EXEC)
		attempt_done(a, false, "timeout after %llu ms (killed)", ms);
	else
		attempt_done(a, false, "timeout after %llu ms", ms);
	attempt_deliver(a);
}

void
fail_errno(struct attempt *a, const char *what, int e)
{
	if (e == ECONNREFUSED)
		attempt_done(a, false, "%s refused", what);
	else
		attempt_done(a, false, "%s: %s", what, strerror(e));
}

/* ------------------------------------------------------------------ */
/* HTTP */

static void
http_evaluate(struct attempt *a, bool eof)
{
	struct probe *pr = a->pr;
	char *buf = (char *)a->rx, *eol, *hend, *body;
	int status;
	size_t hlen, blen;
	long long clen = -1;

	buf[a->rxlen] = '\0';
	eol = strstr(buf, "\n");
	if (eol == NULL) {
		if (eof || a->rxlen >= HTTP_HEAD_CAP)
			attempt_done(a, false, a->rxlen ? "bad HTTP response" :
			    "connection closed before response");
		return;
	}
	if (sscanf(buf, "HTTP/%*d.%*d %3d", &status) != 1 || status < 100 ||
	    status > 999) {
		attempt_done(a, false, "bad HTTP response");
		return;
	}
	if (!pr->have_re) {
		if (status == pr->spec.expect_status)
			attempt_done(a, true, "HTTP %d", status);
		else
			attempt_done(a, false, "HTTP %d", status);
		return;
	}
	/* need the body: find the end of the headers */
	hend = strstr(buf, "\r\n\r\n");
	hlen = hend ? (size_t)(hend - buf) + 4 : 0;
	if (hend == NULL && (hend = strstr(buf, "\n\n")) != NULL)
		hlen = (size_t)(hend - buf) + 2;
	if (hend == NULL) {
		if (eof || a->rxlen >= HTTP_HEAD_CAP)
			attempt_done(a, false, "HTTP %d truncated headers", status);
		return;
	}
	for (char *h = eol + 1; h < buf + hlen; h = strchr(h, '\n') + 1) {
		if (strncasecmp(h, "Content-Length:", 15) == 0)
			clen = strtoll(h + 15, NULL, 10);
		if (strchr(h, '\n') == NULL)
			break;
	}
	body = buf + hlen;
	blen = a->rxlen - hlen;
	if (!eof && blen < HTTP_BODY_CAP && (clen < 0 || (long long)blen < clen))
		return;
	if (status != pr->spec.expect_status) {
		attempt_done(a, false, "HTTP %d", status);
		return;
	}
	if (regexec(&pr->re, body, 0, NULL, 0) != 0) {
		attempt_done(a, false, "HTTP %d body mismatch", status);
		return;
	}
	attempt_done(a, true, "HTTP %d body match", status);
}

static void
http_read(struct attempt *a)
{
	const size_t cap = HTTP_HEAD_CAP + HTTP_BODY_CAP;

	if (a->rx == NULL) {
		if ((a->rx = malloc(cap + 1)) == NULL) {
			attempt_done(a, false, "out of memory");
			return;
		}
		a->rxcap = cap;
	}
	for (;;) {
		ssize_t n = recv(a->fd, a->rx + a->rxlen, a->rxcap - a->rxlen, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			if (errno == ECONNRESET && a->rxlen > 0) {
				http_evaluate(a, true);
				return;
			}
			fail_errno(a, "connection", errno);
			return;
		}
		a->rxlen += (size_t)n;
		http_evaluate(a, n == 0 || a->rxlen == a->rxcap);
		if (a->finished || n == 0)
			return;
	}
}

/* ------------------------------------------------------------------ */
/* TCP connect, shared by DNS over TCP, HTTP and TCP probes */

static void
on_connected(struct attempt *a)
{
	struct probe *pr = a->pr;

	switch (pr->spec.kind) {
	case PROBE_TCP:
		attempt_done(a, true, "connected");
		return;
	case PROBE_HTTP:
		a->wbuf = (const uint8_t *)pr->http_req;
		a->wlen = strlen(pr->http_req);
		a->woff = 0;
		break;
	default:
		break;   /* DNS: wbuf set by dns_build_query */
	}
	a->st = AS_SENDING;
}

static void
tcp_write(struct attempt *a)
{
	while (a->woff < a->wlen) {
		ssize_t n = send(a->fd, a->wbuf + a->woff, a->wlen - a->woff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			fail_errno(a, "send", errno);
			return;
		}
		a->woff += (size_t)n;
	}
	a->st = AS_READING;
	if (ev_io_mod(a->pr->owner->loop, a->fd, EV_READ) < 0)
		attempt_done(a, false, "event loop: cannot watch socket");
}

int
tcp_connect(struct attempt *a)
{
	struct probe *pr = a->pr;
	int fd = open_socket(pr, pr->target.u.sa.sa_family, SOCK_STREAM);

	if (fd < 0) {
		attempt_done(a, false, "socket: %s", dd_strerror(fd));
		return 0;
	}
	a->fd = fd;
	if (connect(fd, &pr->target.u.sa, pr->target.len) < 0 && errno != EINPROGRESS) {
		fail_errno(a, "connect", errno);
		return 0;
	}
	a->st = AS_CONNECTING;
	if (ev_io_add(pr->owner->loop, fd, EV_WRITE, io_cb, a) < 0)
		attempt_done(a, false, "event loop: cannot watch socket");
	return 0;
}

static void
tcp_io(struct attempt *a, unsigned events)
{
	if (a->st == AS_CONNECTING) {
		int e = 0;
		socklen_t el = sizeof(e);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (!(events & (EV_WRITE | EV_READ)))
			return;
		if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e != 0) {
			fail_errno(a, "connect", e);
			return;
		}
		/* a stale event for a recycled fd number must not pass as a
		 * completed connect */
		if (getpeername(a->fd, (struct sockaddr *)&ss, &sl) < 0)
			return;
		on_connected(a);
		if (a->finished)
			return;
	}
	if (a->st == AS_SENDING) {
		tcp_write(a);
		return;
	}
	if (a->st == AS_READING && (events & EV_READ)) {
		if (a->pr->spec.kind == PROBE_HTTP)
			http_read(a);
		else
			dns_tcp_read(a);
	}
}

/* ------------------------------------------------------------------ */
/* exec */

static void
exec_io(struct attempt *a)
{
	int st;
	pid_t w = waitpid(a->pid, &st, WNOHANG);

	if (w == 0)
		return;
	if (w < 0) {
		int e = errno;
		if (e == EINTR)
			return;
		a->pid = 0;     /* gone or reaped by someone else */
		attempt_done(a, false, "exit status lost (%s)", strerror(e));
		return;
	}
	a->pid = 0;
	if (WIFEXITED(st))
		attempt_done(a, WEXITSTATUS(st) == a->pr->spec.expect_exit, "exit %d",
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		attempt_done(a, false, "signal %d", WTERMSIG(st));
	else
		attempt_done(a, false, "wait status %#x", (unsigned)st);
}

static int
spawn_local(const struct probe_spec *s, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	r = posix_spawnp(pid, s->argv[0], &fa, &at,
	    (char *const *)(uintptr_t)s->argv,
	    s->envp ? (char *const *)(uintptr_t)s->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r == 0 ? 0 : -r;
}

static int
exec_start(struct attempt *a)
{
	struct probe *pr = a->pr;
	struct prober *p = pr->owner;
	pid_t pid = 0;
	int r, pfd;

	if (p->topo != NULL && pr->spec.host != NULL) {
		struct netns_spawn_opts o = { .argv = pr->spec.argv, .envp = pr->spec.envp };
		r = netns_spawn(p->topo, pr->spec.host, &o, &pid);
		if (r < 0) {
			attempt_done(a, false, "spawn: %s", netns_errmsg(p->topo));
			return 0;
		}
	} else if ((r = spawn_local(&pr->spec, &pid)) < 0) {
		attempt_done(a, false, "spawn %s: %s", pr->spec.argv[0], strerror(-r));
		return 0;
	}
	a->pid = pid;
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		attempt_done(a, false, "pidfd_open: %s", strerror(errno));
		return 0;
	}
	a->fd = pfd;
	a->st = AS_WAITING;
	if (ev_io_add(p->loop, pfd, EV_READ, io_cb, a) < 0)
		attempt_done(a, false, "event loop: cannot watch child");
	return 0;
}

/* ------------------------------------------------------------------ */
/* attempts */

void
io_cb(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct attempt *a = arg;

	if (a->finished || fd != a->fd)
		return;
	switch (a->pr->spec.kind) {
	case PROBE_DNS:
		if (a->tcp)
			tcp_io(a, events);
		else if (events & EV_READ)
			dns_udp_read(a);
		break;
	case PROBE_HTTP:
	case PROBE_TCP:
		tcp_io(a, events);
		break;
	case PROBE_EXEC:
		exec_io(a);
		break;
	}
	if (a->finished)
		attempt_deliver(a);
}

/* Start an attempt of pr due at due_us.  0 or DD_ENOMEM. */
static int
attempt_start(struct probe *pr, uint64_t due_us)
{
	struct prober *p = pr->owner;
	struct attempt *a = calloc(1, sizeof(*a));
	uint16_t id;

	if (a == NULL)
		return DD_ENOMEM;
	a->pr = pr;
	a->fd = -1;
	a->start_us = dd_now_us();
	/* measured from the grid so timeout <= interval never overlaps */
	a->deadline_us = (due_us ? due_us : a->start_us) + pr->spec.timeout_us;
	a->deadline = ev_timer_add(p->loop, delay_to(a->deadline_us), deadline_cb, a);
	if (a->deadline == NULL) {
		free(a);
		return DD_ENOMEM;
	}
	pr->running = a;
	a->starting = true;
	switch (pr->spec.kind) {
	case PROBE_DNS:
		if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
			id = (uint16_t)(dd_now_us() ^ (uintptr_t)a);
		a->id = id;
		a->tcp = pr->spec.use_tcp;
		dns_build_query(a);
		if (a->tcp)
			(void)tcp_connect(a);
		else
			(void)dns_udp_start(a);
		break;
	case PROBE_HTTP:
	case PROBE_TCP:
		(void)tcp_connect(a);
		break;
	case PROBE_EXEC:
		(void)exec_start(a);
		break;
	}
	a->starting = false;
	/* finished already (refused at once, spawn failed): report from the
	 * loop, never from inside our caller */
	if (a->finished) {
		a->deliver = ev_timer_add(p->loop, 0, deliver_cb, a);
		if (a->deliver == NULL) {
			attempt_abandon(a);
			return DD_ENOMEM;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* schedule */

static void
tick_cb(struct ev_loop *loop, void *arg)
{
	struct probe *pr = arg;
	struct prober *p = pr->owner;
	uint64_t now = dd_now_us();
	uint64_t due = pr->grid_start + pr->k * pr->spec.interval_us;
	bool started = false;

	pr->tick = NULL;
	if (now > due && now - due > pr->stats.late_max_us)
		pr->stats.late_max_us = now - due;
	/* an attempt past its deadline whose timer has not run yet ends now,
	 * so timeout <= interval never makes us skip */
	if (pr->running != NULL && pr->running->finished) {
		ev_timer_cancel(loop, pr->running->deliver);
		pr->running->deliver = NULL;
		attempt_deliver(pr->running);
	} else if (pr->running != NULL && pr->running->deadline_us <= now) {
		ev_timer_cancel(loop, pr->running->deadline);
		pr->running->deadline = NULL;
		deadline_cb(loop, pr->running);
	}
	if (!pr->scheduled)
		return;   /* the callback stopped us */
	if (pr->running != NULL) {
		pr->stats.skipped++;
	} else if (attempt_start(pr, due) < 0) {
		log_warnx("probe '%s': out of memory, attempt skipped", pr->spec.name);
		pr->stats.skipped++;
	} else {
		pr->stats.sent++;
		started = true;
	}
	if (p->hook != NULL)
		p->hook(p->hook_arg, pr->spec.name, due, now, started);
	if (pr->scheduled && pr->tick == NULL)
		schedule_next(pr, now);
}

static void
schedule_next(struct probe *pr, uint64_t now)
{
	uint64_t iv = pr->spec.interval_us;
	uint64_t next = pr->k + 1;

	/* grid points already past were never run: count them as skipped */
	if (pr->grid_start + next * iv <= now) {
		uint64_t first_future = (now - pr->grid_start) / iv + 1;
		pr->stats.skipped += first_future - next;
		next = first_future;
	}
	pr->k = next;
	pr->tick = ev_timer_add(pr->owner->loop,
	    delay_to(pr->grid_start + next * iv), tick_cb, pr);
	if (pr->tick == NULL) {
		log_warnx("probe '%s': out of memory, schedule stopped", pr->spec.name);
		pr->scheduled = false;
	}
}

static int
probe_schedule(struct probe *pr, uint64_t start)
{
	pr->grid_start = start;
	pr->k = 0;
	pr->scheduled = true;
	pr->tick = ev_timer_add(pr->owner->loop, delay_to(start), tick_cb, pr);
	if (pr->tick == NULL) {
		pr->scheduled = false;
		return DD_ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* public */

struct prober *
prober_new(struct ev_loop *loop, struct netns_topo *topo, probe_cb cb, void *arg)
{
	struct prober *p;

	if (loop == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->loop = loop;
	p->topo = topo;
	p->cb = cb;
	p->cb_arg = arg;
	return p;
}

static int
check_host(struct prober *p, const struct probe *pr, struct dd_err *err)
{
	if (pr->spec.host != NULL && netns_nsname(p->topo, pr->spec.host) == NULL) {
		dd_err_set(err, "probe '%s': unknown host '%s'", pr->spec.name,
		    pr->spec.host);
		return DD_EINVAL;
	}
	return 0;
}

int
prober_add(struct prober *p, const struct probe_spec *spec, struct dd_err *err)
{
	struct probe *pr, **tail;
	int r;

	if ((r = probe_build(spec, p->topo != NULL, true, &pr, err)) < 0)
		return r;
	if ((r = check_host(p, pr, err)) < 0)
		goto fail;
	for (tail = &p->probes; *tail != NULL; tail = &(*tail)->next)
		if (strcmp((*tail)->spec.name, pr->spec.name) == 0) {
			dd_err_set(err, "probe '%s': name used twice", pr->spec.name);
			r = DD_EINVAL;
			goto fail;
		}
	pr->owner = p;
	if (p->started && (r = probe_schedule(pr, dd_now_us())) < 0)
		goto fail;
	*tail = pr;
	return 0;
fail:
	probe_free(pr);
	return r;
}

int
prober_start(struct prober *p)
{
	uint64_t start = dd_now_us();

	if (p->started)
		return 0;
	for (struct probe *pr = p->probes; pr != NULL; pr = pr->next) {
		if (pr->scheduled)
			continue;
		if (probe_schedule(pr, start) < 0) {
			prober_stop(p);
			return DD_ENOMEM;
		}
	}
	p->started = true;
	return 0;
}

void
prober_stop(struct prober *p)
{
	if (p == NULL)
		return;
	for (struct probe *pr = p->probes; pr != NULL; pr = pr->next) {
		ev_timer_cancel(p->loop, pr->tick);
		pr->tick = NULL;
		pr->scheduled = false;
		attempt_abandon(pr->running);
	}
	p->started = false;
}

void
prober_free(struct prober *p)
{
	struct probe *pr;
	struct reaper *rp;

	if (p == NULL)
		return;
	prober_stop(p);
	while ((pr = p->probes) != NULL) {
		p->probes = pr->next;
		probe_free(pr);
	}
	while ((pr = p->onces) != NULL) {
		p->onces = pr->next;
		attempt_abandon(pr->running);
		probe_free(pr);
	}
	/* children were SIGKILLed; waiting for them is brief */
	while ((rp = p->reapers) != NULL) {
		p->reapers = rp->next;
		(void)ev_io_del(p->loop, rp->pidfd);
		close(rp->pidfd);
		(void)waitpid(rp->pid, NULL, 0);
		free(rp);
	}
	free(p);
}

int
prober_stats(const struct prober *p, const char *name, struct probe_stats *out)
{
	for (const struct probe *pr = p->probes; pr != NULL; pr = pr->next)
		if (strcmp(pr->spec.name, name) == 0) {
			*out = pr->stats;
			return 0;
		}
	return DD_ENOTFOUND;
}

void
prober_set_sched_hook(struct prober *p, probe_sched_hook hook, void *arg)
{
	p->hook = hook;
	p->hook_arg = arg;
}

int
prober_once(struct prober *p, const struct probe_spec *spec, probe_cb cb,
    void *arg, struct dd_err *err)
{
	struct probe *pr;
	int r;

	if (cb == NULL) {
		dd_err_set(err, "probe '%s': no callback", spec->name ? spec->name : "once");
		return DD_EINVAL;
	}
	if ((r = probe_build(spec, p->topo != NULL, false, &pr, err)) < 0)
		return r;
	if ((r = check_host(p, pr, err)) < 0) {
		probe_free(pr);
		return r;
	}
	pr->owner = p;
	pr->once = true;
	pr->once_cb = cb;
	pr->once_arg = arg;
	pr->next = p->onces;
	p->onces = pr;
	if ((r = attempt_start(pr, 0)) < 0) {
		unlink_once(p, pr);
		probe_free(pr);
		return r;
	}
	return 0;
}
