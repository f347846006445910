/*
 * test_probe.c -- probes against real servers on loopback, in the caller's
 * namespace (no topology): a small DNS responder (UDP and TCP) and a small
 * HTTP server, both written here and run on the same event loop as the
 * prober, plus exec of true/false/sleep.
 *
 * Time is virtual: the prober gets a fake clock (struct vclock below) whose
 * timers fire only when a test moves it.  Sockets and children are real
 * and run on the loop while virtual time stands still, so every schedule,
 * deadline and latency asserted here is exact, and no test waits for a
 * timeout to pass on the wall clock.  One test (test_real_clock) checks
 * the real clock of prober_new().
 *
 * The responder answers by name:
 *   ok.test      A 198.18.3.10 and A 198.18.3.11
 *   empty.test   NOERROR, no answer
 *   nx.test      NXDOMAIN
 *   drop.test    nothing (timeouts)
 *   tc.test      TC=1 over UDP, the A record over TCP
 *   badid.test   first a reply with the wrong ID, then the right one
 *   cname.test   CNAME target.example.net. (for expect_answer text)
 *   held.test    answered like ok.test, but only when the test says so
 * The HTTP server: /ok 200 "hello world", /down 503, /slow never answers,
 * /garbage is not HTTP, /badhdr has a header line without a colon.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/dnswire.h"
#include "lib/err.h"
#include "lib/evloop.h"
#include "harness/probe.h"
#include "lib/util.h"

#define MAXRES 64
#define MAXHOOK 64
#define T0 1000000000ull        /* virtual time at the start: 1000 s */
#define MS 1000ull

/* ---- a virtual clock: timers fire only when the test moves time ---- */

struct vtimer {
	struct vtimer *next;
	uint64_t when, seq;
	void (*cb)(struct ev_loop *, void *);
	void *arg;
};

struct vclock {
	uint64_t now, seq;
	struct vtimer *timers;        /* by (when, seq) */
	struct ev_loop *loop;
};

static uint64_t
v_now(void *ctx)
{
	return ((struct vclock *)ctx)->now;
}

static void *
v_timer_at(void *ctx, uint64_t when, void (*cb)(struct ev_loop *, void *), void *arg)
{
	struct vclock *c = ctx;
	struct vtimer *t = calloc(1, sizeof(*t)), **pp;

	assert_non_null(t);
	*t = (struct vtimer){ .when = when, .seq = c->seq++, .cb = cb, .arg = arg };
	for (pp = &c->timers; *pp != NULL && (*pp)->when <= when; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	return t;
}

static void
v_timer_cancel(void *ctx, void *timer)
{
	struct vclock *c = ctx;

	for (struct vtimer **pp = &c->timers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == timer) {
			*pp = ((struct vtimer *)timer)->next;
			free(timer);
			return;
		}
	fail_msg("cancel of a timer that is not pending");
}

/* Fire, in order, every timer due by `to`, each at its own time. */
static void
v_advance_to(struct vclock *c, uint64_t to)
{
	struct vtimer *t;

	while ((t = c->timers) != NULL && t->when <= to) {
		c->timers = t->next;
		if (t->when > c->now)
			c->now = t->when;
		t->cb(c->loop, t->arg);
		free(t);
	}
	if (to > c->now)
		c->now = to;
}

/* The loop was blocked until `to`: time jumps first, then what is due
 * fires late. */
static void
v_jump_to(struct vclock *c, uint64_t to)
{
	if (to > c->now)
		c->now = to;
	v_advance_to(c, to);
}

static unsigned
v_pending(const struct vclock *c)
{
	unsigned n = 0;

	for (const struct vtimer *t = c->timers; t != NULL; t = t->next)
		n++;
	return n;
}

static void
v_free(struct vclock *c)
{
	struct vtimer *t;

	while ((t = c->timers) != NULL) {
		c->timers = t->next;
		free(t);
	}
}

struct hook_rec {
	uint64_t due, fired;
	bool started;
};

struct result {
	char name[64];
	bool ok;
	double latency_ms;
	char detail[PROBE_DETAIL_MAX];
	uint64_t start_us;      /* the attempt's start, as the callback said */
	uint64_t at_us;         /* the clock when the callback ran */
};

struct fixture {
	struct ev_loop *loop;
	int dns_udp, dns_tcp, http;
	uint16_t dns_port, http_port;
	struct result res[MAXRES];
	int nres;
	bool stop_in_cb;
	struct prober *p;
	int http_conns;
	struct vclock clk;
	struct probe_clock clock;
	struct hook_rec hook[MAXHOOK];
	int nhook;
	/* held.test: the query waiting for the test to answer it */
	uint8_t held_q[512];
	size_t held_len;
	struct sockaddr_storage held_from;
	socklen_t held_fromlen;
};

/* ---- DNS responder ---- */

static size_t
dns_answer(const uint8_t *qb, size_t qlen, bool tcp, uint8_t *out, size_t cap,
    bool *drop, bool wrong_id)
{
	struct dns_query q;
	struct dns_writer w;
	char name[DNS_MAX_NAME * 4];
	unsigned rcode = 0, an = 0;
	uint16_t flags = DNS_AA;

	*drop = false;
	if (dns_parse_query(qb, qlen, &q) < 0) {
		*drop = true;
		return 0;
	}
	dns_name_to_str(q.qname, name, sizeof(name));
	if (strcmp(name, "drop.test.") == 0) {
		*drop = true;
		return 0;
	}
	if (strcmp(name, "nx.test.") == 0)
		rcode = DNS_RCODE_NXDOMAIN;
	if (strcmp(name, "tc.test.") == 0 && !tcp)
		flags |= DNS_TC;
	dns_w_init(&w, out, cap);
	dns_w_reply_start(&w, qb, &q, flags, rcode);
	if (wrong_id)
		dns_put16(out, (uint16_t)(q.id + 1));
	if ((strcmp(name, "ok.test.") == 0 || strcmp(name, "badid.test.") == 0 ||
	    strcmp(name, "held.test.") == 0 ||
	    (strcmp(name, "tc.test.") == 0 && tcp)) && q.qtype == DNS_T_A) {
		static const uint8_t ips[2][4] = { { 198, 18, 3, 10 }, { 198, 18, 3, 11 } };
		for (int i = 0; i < 2; i++) {
			dns_w_u16(&w, 0xc00c);
			dns_w_u16(&w, DNS_T_A);
			dns_w_u16(&w, DNS_C_IN);
			dns_w_u32(&w, 60);
			dns_w_u16(&w, 4);
			dns_w_bytes(&w, ips[i], 4);
			an++;
		}
	}
	if (strcmp(name, "cname.test.") == 0) {
		uint8_t target[DNS_MAX_NAME];
		int n = dns_name_from_str("target.example.net", target, sizeof(target));
		dns_w_u16(&w, 0xc00c);
		dns_w_u16(&w, DNS_T_CNAME);
		dns_w_u16(&w, DNS_C_IN);
		dns_w_u32(&w, 60);
		dns_w_u16(&w, (uint16_t)n);
		dns_w_bytes(&w, target, (size_t)n);
		an++;
	}
	dns_w_counts(&w, (uint16_t)an, 0, 0);
	return w.overflow ? 0 : w.len;
}

static void
dns_udp_cb(struct ev_loop *loop, int fd, unsigned ev, void *arg)
{
	struct fixture *f = arg;
	uint8_t q[512], r[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	bool drop;
	size_t len;

	if (n <= 0)
		return;
	if (n > 12 && memmem(q, (size_t)n, "\004held", 5) != NULL) {
		memcpy(f->held_q, q, (size_t)n);
		f->held_len = (size_t)n;
		memcpy(&f->held_from, &from, fl);
		f->held_fromlen = fl;
		return;
	}
	if (n > 12 && memmem(q, (size_t)n, "\005badid", 6) != NULL) {
		len = dns_answer(q, (size_t)n, false, r, sizeof(r), &drop, true);
		if (!drop && len)
			(void)sendto(fd, r, len, 0, (struct sockaddr *)&from, fl);
	}
	len = dns_answer(q, (size_t)n, false, r, sizeof(r), &drop, false);
	if (!drop && len)
		(void)sendto(fd, r, len, 0, (struct sockaddr *)&from, fl);
}

/* One TCP query per connection, read in one go: good enough on loopback. */
static void
dns_tcp_conn_cb(struct ev_loop *loop, int fd, unsigned ev, void *arg)
{
	uint8_t q[514], r[514];
	ssize_t n = recv(fd, q, sizeof(q), 0);
	bool drop = true;
	size_t len = 0;

	if (n >= 2 && (size_t)n >= 2u + dns_get16(q))
		len = dns_answer(q + 2, dns_get16(q), true, r + 2, sizeof(r) - 2, &drop, false);
	else if (n < 0 && errno == EAGAIN)
		return;
	if (!drop && len) {
		dns_put16(r, (uint16_t)len);
		(void)send(fd, r, len + 2, MSG_NOSIGNAL);
	}
	if (!drop || n <= 0) {
		ev_io_del(loop, fd);
		close(fd);
	}
}

static void
accept_cb(struct ev_loop *loop, int fd, unsigned ev, void *arg)
{
	ev_io_cb conn_cb = (ev_io_cb)(uintptr_t)arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c >= 0)
		assert_int_equal(ev_io_add(loop, c, EV_READ, conn_cb, NULL), 0);
}

/* ---- HTTP server ---- */

static void
http_conn_cb(struct ev_loop *loop, int fd, unsigned ev, void *arg)
{
	char buf[2048];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_PEEK);
	const char *resp = NULL;

	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") == NULL)
			return;   /* wait for the whole request */
		(void)recv(fd, buf, (size_t)n, 0);
		if (strncmp(buf, "GET /ok ", 8) == 0)
			resp = "HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
		else if (strncmp(buf, "GET /down ", 10) == 0)
			resp = "HTTP/1.0 503 Service Unavailable\r\n\r\ndown";
		else if (strncmp(buf, "GET /slow ", 10) == 0)
			return;   /* hold it: the probe times out */
		else if (strncmp(buf, "GET /garbage ", 13) == 0)
			resp = "SSH-2.0-OpenSSH_9.2\r\n";
		else if (strncmp(buf, "GET /badhdr ", 12) == 0)
			resp = "HTTP/1.1 200 OK\r\nno colon here\r\n\r\nhello world";
		else
			resp = "HTTP/1.0 404 Not Found\r\n\r\n";
		(void)send(fd, resp, strlen(resp), MSG_NOSIGNAL);
	}
	ev_io_del(loop, fd);
	close(fd);
}

/* Listen on 127.0.0.1:*port (0: any, written back); -1 when taken. */
static int
try_listen_on(int type, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*port)
		a.sin_port = htons(*port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int
listen_on(int type, uint16_t *port)
{
	int fd = try_listen_on(type, port);

	assert_true(fd >= 0);
	return fd;
}

/* A loopback port nobody listens on (bound then closed). */
static uint16_t
closed_port(int type)
{
	uint16_t port = 0;
	int fd = listen_on(type, &port);

	close(fd);
	return port;
}

static void
sa_loop(struct dd_sockaddr *a, uint16_t port)
{
	char s[32];

	snprintf(s, sizeof(s), "127.0.0.1:%u", port);
	assert_int_equal(dd_sockaddr_parse(s, -1, a), 0);
}

/* ---- fixture ---- */

static void
record(void *arg, const char *name, bool ok, double latency_ms, uint64_t start_us,
    const char *detail)
{
	struct fixture *f = arg;
	struct result *r;

	assert_true(f->nres < MAXRES);
	r = &f->res[f->nres++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ok = ok;
	r->latency_ms = latency_ms;
	r->start_us = start_us;
	r->at_us = f->clk.now;      /* the virtual clock's; tests on the real
	                               one compare start_us with dd_now_us() */
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	if (f->stop_in_cb)
		prober_stop(f->p);
}

static void
on_sched(void *arg, const char *name, uint64_t due_us, uint64_t fired_us, bool started)
{
	struct fixture *f = arg;

	assert_true(f->nhook < MAXHOOK);
	f->hook[f->nhook++] = (struct hook_rec){ .due = due_us, .fired = fired_us,
		.started = started };
}

/* A fresh prober on the fixture's virtual clock. */
static void
new_prober(struct fixture *f)
{
	prober_free(f->p);
	f->p = prober_new_clock(f->loop, NULL, &f->clock, record, f);
	assert_non_null(f->p);
	prober_set_sched_hook(f->p, on_sched, f);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->loop = ev_loop_new();
	assert_non_null(f->loop);
	f->clk = (struct vclock){ .now = T0, .loop = f->loop };
	f->clock = (struct probe_clock){ .ctx = &f->clk, .now_us = v_now,
		.timer_at = v_timer_at, .timer_cancel = v_timer_cancel };
	/* UDP and TCP on one port: retry while TCP finds it taken */
	for (int i = 0; i < 50; i++) {
		f->dns_port = 0;
		f->dns_udp = listen_on(SOCK_DGRAM, &f->dns_port);
		if ((f->dns_tcp = try_listen_on(SOCK_STREAM, &f->dns_port)) >= 0)
			break;
		close(f->dns_udp);
	}
	assert_true(f->dns_tcp >= 0);
	f->http = listen_on(SOCK_STREAM, &f->http_port);
	assert_int_equal(ev_io_add(f->loop, f->dns_udp, EV_READ, dns_udp_cb, f), 0);
	assert_int_equal(ev_io_add(f->loop, f->dns_tcp, EV_READ, accept_cb,
	    (void *)(uintptr_t)dns_tcp_conn_cb), 0);
	assert_int_equal(ev_io_add(f->loop, f->http, EV_READ, accept_cb,
	    (void *)(uintptr_t)http_conn_cb), 0);
	new_prober(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	prober_free(f->p);
	/* the prober leaves no timer behind */
	assert_int_equal(v_pending(&f->clk), 0);
	v_free(&f->clk);
	close(f->dns_udp);
	close(f->dns_tcp);
	close(f->http);
	ev_loop_free(f->loop);
	free(f);
	return 0;
}

/* One step: real I/O for at most wait_us (virtual time stands still),
 * then whatever virtual timers are due now (zero-delay deliveries). */
static void
step(struct fixture *f, uint64_t wait_us)
{
	assert_int_equal(ev_loop_once(f->loop, wait_us), 0);
	v_advance_to(&f->clk, f->clk.now);
}

/* Real I/O until n results arrived; virtual time does not move.  Bounded
 * by a number of steps, not by a clock. */
static void
pump_until(struct fixture *f, int n)
{
	for (int i = 0; i < 500 && f->nres < n; i++)
		step(f, 10000);
}

/* A few steps of I/O: what can happen without time passing, happens. */
static void
settle(struct fixture *f)
{
	for (int i = 0; i < 5; i++)
		step(f, 2000);
}

static void
start_one(struct fixture *f, struct probe_spec *s)
{
	struct dd_err err = { "" };

	/* a fresh prober each time: prober_start() restarts every probe */
	new_prober(f);
	if (s->interval_us == 0)
		s->interval_us = 10000000;   /* only the first attempt runs */
	if (s->timeout_us == 0)
		s->timeout_us = 2000000;
	if (prober_add(f->p, s, &err) != 0)
		fail_msg("prober_add: %s", err.msg);
	assert_int_equal(prober_start(f->p), 0);
	v_advance_to(&f->clk, f->clk.now);   /* the first tick: now */
}

/* One attempt of spec that ends without time passing; returns its result
 * (its latency is then exactly 0: only the virtual clock measures). */
static struct result *
run_one(struct fixture *f, struct probe_spec *s)
{
	int before = f->nres;

	start_one(f, s);
	pump_until(f, before + 1);
	assert_int_equal(f->nres, before + 1);
	prober_stop(f->p);
	assert_true(f->res[f->nres - 1].latency_ms == 0.0);
	return &f->res[f->nres - 1];
}

/* One attempt of spec that cannot end by itself: nothing until 1 us before
 * its deadline, the timeout exactly at it. */
static struct result *
run_one_timeout(struct fixture *f, struct probe_spec *s)
{
	int before = f->nres;
	uint64_t start;

	start_one(f, s);
	start = f->clk.now;
	settle(f);
	v_advance_to(&f->clk, start + s->timeout_us - 1);
	settle(f);
	assert_int_equal(f->nres, before);
	v_advance_to(&f->clk, start + s->timeout_us);
	assert_int_equal(f->nres, before + 1);
	prober_stop(f->p);
	return &f->res[f->nres - 1];
}

static struct probe_spec
dns_spec(struct fixture *f, const char *name, const char *qname)
{
	struct probe_spec s = { .name = name, .kind = PROBE_DNS, .qname = qname };

	sa_loop(&s.server, f->dns_port);
	return s;
}

/* ---- DNS ---- */

static void
test_dns_ok(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "dns-ok", "ok.test");
	struct result *r = run_one(f, &s);

	assert_string_equal(r->name, "dns-ok");
	assert_true(r->ok);
	assert_string_equal(r->detail, "NOERROR 198.18.3.10 198.18.3.11");
}

static void
test_dns_expect_answer(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "want-11", "OK.Test.");
	struct result *r;

	s.expect_answer = "198.18.3.11";
	r = run_one(f, &s);
	assert_true(r->ok);

	s = dns_spec(f, "want-99", "ok.test");
	s.expect_answer = "198.18.3.99";
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "NOERROR 198.18.3.10 198.18.3.11 (want 198.18.3.99)");

	/* text matches a CNAME's rdata even when the type asked for is A */
	s = dns_spec(f, "want-cname", "cname.test");
	s.expect_answer = "target.EXAMPLE.net";
	s.expect_empty = false;
	r = run_one(f, &s);
	/* the CNAME matches but there is no A record: still NODATA for A */
	assert_false(r->ok);
	assert_string_equal(r->detail, "NOERROR empty");

	s = dns_spec(f, "cname-type", "cname.test");
	s.qtype = DNS_T_CNAME;
	s.expect_answer = "target.example.net";
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "NOERROR target.example.net.");
}

static void
test_dns_empty(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "empty", "empty.test");
	struct result *r = run_one(f, &s);

	assert_false(r->ok);
	assert_string_equal(r->detail, "NOERROR empty");

	s = dns_spec(f, "empty-ok", "empty.test");
	s.expect_empty = true;
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "NOERROR empty");
}

static void
test_dns_nxdomain(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "nx", "nx.test");
	struct result *r = run_one(f, &s);

	assert_false(r->ok);
	assert_string_equal(r->detail, "NXDOMAIN (want NOERROR)");

	s = dns_spec(f, "nx-expected", "nx.test");
	s.expect_rcode = DNS_RCODE_NXDOMAIN;
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "NXDOMAIN");

	s = dns_spec(f, "nx-any", "nx.test");
	s.expect_rcode = PROBE_RCODE_ANY;
	r = run_one(f, &s);
	assert_true(r->ok);

	s = dns_spec(f, "ok-but-want-nx", "ok.test");
	s.expect_rcode = DNS_RCODE_NXDOMAIN;
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "NOERROR 198.18.3.10 198.18.3.11 (want NXDOMAIN)");
}

static void
test_dns_timeout(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "drop", "drop.test");
	struct result *r;

	s.timeout_us = 200000;
	r = run_one_timeout(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "timeout after 200 ms");
	assert_true(r->latency_ms == 200.0);
}

/* The latency is the clock's time from the attempt's start to the reply. */
static void
test_dns_latency_measured(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "held", "held.test");
	uint8_t r[512];
	bool drop;
	size_t len;

	start_one(f, &s);
	for (int i = 0; i < 100 && f->held_len == 0; i++)
		step(f, 10000);
	assert_true(f->held_len > 0);
	v_advance_to(&f->clk, f->clk.now + 7500);   /* the server thinks */
	len = dns_answer(f->held_q, f->held_len, false, r, sizeof(r), &drop, false);
	assert_true(len > 0);
	assert_int_equal(sendto(f->dns_udp, r, len, 0,
	    (struct sockaddr *)&f->held_from, f->held_fromlen), (ssize_t)len);
	pump_until(f, 1);
	assert_int_equal(f->nres, 1);
	assert_true(f->res[0].ok);
	assert_string_equal(f->res[0].detail, "NOERROR 198.18.3.10 198.18.3.11");
	assert_true(f->res[0].latency_ms == 7.5);
	/* the callback says when the attempt started: 7.5 ms before the
	 * result came */
	assert_true(f->res[0].at_us - f->res[0].start_us == 7500);
}

static void
test_dns_tcp_and_tc(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "tcp", "ok.test");
	struct result *r;

	s.use_tcp = true;
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "NOERROR 198.18.3.10 198.18.3.11");

	/* TC=1 over UDP: retried over TCP, where the answer is */
	s = dns_spec(f, "tc", "tc.test");
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "NOERROR 198.18.3.10 198.18.3.11");
}

static void
test_dns_wrong_id_ignored(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "badid", "badid.test");
	struct result *r = run_one(f, &s);

	assert_true(r->ok);
	assert_int_equal(f->nres, 1);
}

static void
test_dns_refused_port(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "closed", "ok.test");
	struct result *r;

	sa_loop(&s.server, closed_port(SOCK_DGRAM));
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "udp: connection refused");

	s = dns_spec(f, "closed-tcp", "ok.test");
	s.use_tcp = true;
	sa_loop(&s.server, closed_port(SOCK_STREAM));
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "connect refused");
}

/* ---- HTTP ---- */

static struct probe_spec
http_spec(struct fixture *f, const char *name, const char *path, char *url, size_t len)
{
	struct probe_spec s = { .name = name, .kind = PROBE_HTTP, .url = url };

	snprintf(url, len, "http://127.0.0.1:%u%s", f->http_port, path);
	return s;
}

static void
test_http(void **state)
{
	struct fixture *f = *state;
	char url[128];
	struct probe_spec s = http_spec(f, "ok", "/ok", url, sizeof(url));
	struct result *r = run_one(f, &s);

	assert_true(r->ok);
	assert_string_equal(r->detail, "HTTP 200");

	s = http_spec(f, "down", "/down", url, sizeof(url));
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "HTTP 503");

	s = http_spec(f, "down-expected", "/down", url, sizeof(url));
	s.expect_status = 503;
	r = run_one(f, &s);
	assert_true(r->ok);

	s = http_spec(f, "body", "/ok", url, sizeof(url));
	s.body_match = "^hel+o w";
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "HTTP 200 body match");

	s = http_spec(f, "body-bad", "/ok", url, sizeof(url));
	s.body_match = "goodbye";
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "HTTP 200 body mismatch");

	s = http_spec(f, "slow", "/slow", url, sizeof(url));
	s.timeout_us = 150000;
	r = run_one_timeout(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "timeout after 150 ms");

	/* what the head parser refuses */
	s = http_spec(f, "garbage", "/garbage", url, sizeof(url));
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "bad HTTP response");

	s = http_spec(f, "badhdr", "/badhdr", url, sizeof(url));
	r = run_one(f, &s);
	assert_true(r->ok);   /* no body_match: the status line decides */
	assert_string_equal(r->detail, "HTTP 200");
	s.body_match = "hello";
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "HTTP 200 bad headers (bad header line)");

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/ok", closed_port(SOCK_STREAM));
	s = (struct probe_spec){ .name = "refused", .kind = PROBE_HTTP, .url = url };
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "connect refused");
}

/* ---- TCP ---- */

static void
test_tcp(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .name = "tcp-open", .kind = PROBE_TCP };
	struct result *r;

	sa_loop(&s.addr, f->http_port);
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "connected");

	s.name = "tcp-closed";
	sa_loop(&s.addr, closed_port(SOCK_STREAM));
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "connect refused");
}

/* ---- exec ---- */

static void
test_exec(void **state)
{
	struct fixture *f = *state;
	const char *t[] = { "true", NULL }, *fl[] = { "false", NULL };
	const char *sl[] = { "sleep", "5", NULL }, *no[] = { "/nonexistent/probe", NULL };
	const char *sh[] = { "sh", "-c", "exit $CODE", NULL }, *env[] = { "CODE=7", NULL };
	struct probe_spec s = { .name = "true", .kind = PROBE_EXEC, .argv = t };
	struct result *r = run_one(f, &s);
	int st;

	assert_true(r->ok);
	assert_string_equal(r->detail, "exit 0");

	s = (struct probe_spec){ .name = "false", .kind = PROBE_EXEC, .argv = fl };
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "exit 1");

	s.name = "false-expected";
	s.expect_exit = 1;
	r = run_one(f, &s);
	assert_true(r->ok);

	s = (struct probe_spec){ .name = "env", .kind = PROBE_EXEC, .argv = sh,
		.envp = env, .expect_exit = 7 };
	r = run_one(f, &s);
	assert_true(r->ok);
	assert_string_equal(r->detail, "exit 7");

	s = (struct probe_spec){ .name = "sleep", .kind = PROBE_EXEC, .argv = sl,
		.timeout_us = 150000 };
	r = run_one_timeout(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "timeout after 150 ms (killed)");
	assert_true(r->latency_ms == 150.0);
	/* the killed child is reaped by the prober from the loop (looked at
	 * with WNOWAIT, so this test reaps nothing itself) */
	for (int i = 0; i < 200; i++) {
		siginfo_t si = { 0 };
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			break;
		step(f, 10000);
	}
	assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);

	s = (struct probe_spec){ .name = "missing", .kind = PROBE_EXEC, .argv = no };
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_non_null(strstr(r->detail, "No such file"));
}

/* ---- schedule ---- */

static void
test_schedule_grid(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .name = "grid", .kind = PROBE_TCP,
		.interval_us = 50000, .timeout_us = 40000 };
	struct probe_stats st;
	struct dd_err err;

	sa_loop(&s.addr, f->http_port);
	assert_int_equal(prober_add(f->p, &s, &err), 0);
	assert_int_equal(prober_start(f->p), 0);
	/* ticks at 0, 50, ..., 500 ms, each on time */
	for (int k = 0; k <= 10; k++) {
		v_advance_to(&f->clk, T0 + (uint64_t)k * 50 * MS);
		pump_until(f, k + 1);
		assert_int_equal(f->nres, k + 1);
		assert_true(f->res[k].ok);
		assert_true(f->hook[k].due == T0 + (uint64_t)k * 50 * MS);
		assert_true(f->hook[k].fired == f->hook[k].due);
	}
	/* the tick at 550 starts an attempt; stop abandons it without a result */
	v_advance_to(&f->clk, T0 + 550 * MS);
	prober_stop(f->p);
	assert_int_equal(prober_stats(f->p, "grid", &st), 0);
	assert_int_equal(st.sent, 12);
	assert_int_equal(st.ok, 11);
	assert_int_equal(st.fail, 0);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.late_max_us, 0);
	assert_int_equal(f->nres, 11);
	assert_int_equal(prober_stats(f->p, "nope", &st), DD_ENOTFOUND);

	/* nothing more after stop */
	assert_int_equal(v_pending(&f->clk), 0);
	v_advance_to(&f->clk, T0 + 700 * MS);
	settle(f);
	assert_int_equal(f->nres, 11);
}

static void
test_schedule_skips_overlap(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = dns_spec(f, "slow", "drop.test");
	struct probe_stats st;
	struct dd_err err;

	s.interval_us = 50000;
	s.timeout_us = 120000;   /* > interval: ticks during an attempt skip */
	assert_int_equal(prober_add(f->p, &s, &err), 0);
	assert_int_equal(prober_start(f->p), 0);
	for (uint64_t t = 0; t <= 420; t += 10) {
		v_advance_to(&f->clk, T0 + t * MS);
		step(f, 0);
	}
	prober_stop(f->p);
	/* attempts at 0, 150, 300 (deadlines 120, 270, 420); 50, 100, 200,
	 * 250, 350, 400 skipped */
	assert_int_equal(prober_stats(f->p, "slow", &st), 0);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.skipped, 6);
	assert_int_equal(st.ok, 0);
	assert_int_equal(st.fail, 3);
	assert_int_equal(f->nres, 3);
	for (int i = 0; i < f->nres; i++)
		assert_string_equal(f->res[i].detail, "timeout after 120 ms");
	assert_int_equal(f->nhook, 9);
	assert_true(f->hook[3].due == T0 + 150 * MS && f->hook[3].started);
	assert_true(f->hook[4].due == T0 + 200 * MS && !f->hook[4].started);
}

/* The grid is absolute: a tick that runs late does not move the next. */
static void
test_schedule_late_tick_keeps_grid(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .name = "late", .kind = PROBE_TCP,
		.interval_us = 100000, .timeout_us = 80000 };
	struct probe_stats st;
	struct dd_err err;

	sa_loop(&s.addr, f->http_port);
	assert_int_equal(prober_add(f->p, &s, &err), 0);
	assert_int_equal(prober_start(f->p), 0);
	v_advance_to(&f->clk, T0);
	pump_until(f, 1);
	/* the loop was busy: the tick due at 100 runs at 130 */
	v_jump_to(&f->clk, T0 + 130 * MS);
	pump_until(f, 2);
	assert_int_equal(f->nres, 2);
	assert_true(f->res[1].ok);
	/* the next is still due at 200, not 230 */
	v_advance_to(&f->clk, T0 + 229 * MS);
	assert_int_equal(f->nhook, 3);
	pump_until(f, 3);
	v_advance_to(&f->clk, T0 + 300 * MS);
	pump_until(f, 4);
	prober_stop(f->p);

	assert_int_equal(f->nhook, 4);
	for (int k = 0; k < 4; k++) {
		assert_true(f->hook[k].due == T0 + (uint64_t)k * 100 * MS);
		assert_true(f->hook[k].started);
	}
	assert_true(f->hook[0].fired == T0);
	assert_true(f->hook[1].fired == T0 + 130 * MS);
	assert_true(f->hook[2].fired == T0 + 200 * MS);
	assert_true(f->hook[3].fired == T0 + 300 * MS);
	assert_int_equal(prober_stats(f->p, "late", &st), 0);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.ok, 4);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.late_max_us, 30000);
}

/* A loop blocked past whole intervals: the late tick runs, the grid points
 * it slept through are counted as skipped, the grid stays.  Deadlines are
 * on the grid too, so an attempt started later than its timeout has
 * already run out. */
static void
test_schedule_blocked_loop_skips(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .name = "blocked", .kind = PROBE_TCP,
		.interval_us = 100000, .timeout_us = 80000 };
	struct probe_stats st;
	struct dd_err err;

	sa_loop(&s.addr, f->http_port);
	assert_int_equal(prober_add(f->p, &s, &err), 0);
	assert_int_equal(prober_start(f->p), 0);
	v_advance_to(&f->clk, T0);
	pump_until(f, 1);
	v_jump_to(&f->clk, T0 + 350 * MS);
	assert_int_equal(f->nres, 2);
	assert_false(f->res[1].ok);
	assert_string_equal(f->res[1].detail, "timeout after 80 ms");
	v_advance_to(&f->clk, T0 + 400 * MS);
	pump_until(f, 3);
	prober_stop(f->p);

	assert_int_equal(f->nhook, 3);
	assert_true(f->hook[1].due == T0 + 100 * MS);
	assert_true(f->hook[1].fired == T0 + 350 * MS);
	assert_true(f->hook[2].due == T0 + 400 * MS);
	assert_true(f->hook[2].fired == T0 + 400 * MS);
	assert_true(f->res[2].ok);
	assert_int_equal(prober_stats(f->p, "blocked", &st), 0);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.skipped, 2);      /* 200 and 300 */
	assert_int_equal(st.late_max_us, 250000);
}

/* A probe added after start gets its own grid from the time it is added. */
static void
test_schedule_added_late(void **state)
{
	struct fixture *f = *state;
	struct probe_spec a = { .name = "a", .kind = PROBE_TCP, .interval_us = 100000 };
	struct probe_spec b = { .name = "b", .kind = PROBE_TCP, .interval_us = 100000 };
	struct dd_err err;

	sa_loop(&a.addr, f->http_port);
	sa_loop(&b.addr, f->http_port);
	assert_int_equal(prober_add(f->p, &a, &err), 0);
	assert_int_equal(prober_start(f->p), 0);
	v_advance_to(&f->clk, T0);
	pump_until(f, 1);
	v_advance_to(&f->clk, T0 + 40 * MS);
	assert_int_equal(prober_add(f->p, &b, &err), 0);
	/* a at 0, 100, 200; b at 40, 140, 240 */
	for (int i = 1; i < 6; i++) {
		uint64_t t = (uint64_t)(i / 2) * 100 + (i % 2 ? 40 : 0);
		v_advance_to(&f->clk, T0 + t * MS);
		pump_until(f, i + 1);
		assert_int_equal(f->nres, i + 1);
		assert_string_equal(f->res[i].name, i % 2 ? "b" : "a");
		assert_true(f->hook[i].due == T0 + t * MS);
		assert_true(f->hook[i].fired == f->hook[i].due);
	}
	prober_stop(f->p);
	assert_int_equal(f->nhook, 6);
}

static void
test_stop_from_callback(void **state)
{
	struct fixture *f = *state;
	struct probe_spec a = { .name = "a", .kind = PROBE_TCP, .interval_us = 20000 };
	struct probe_spec b = { .name = "b", .kind = PROBE_TCP, .interval_us = 20000 };
	struct dd_err err;

	sa_loop(&a.addr, f->http_port);
	sa_loop(&b.addr, f->http_port);
	assert_int_equal(prober_add(f->p, &a, &err), 0);
	assert_int_equal(prober_add(f->p, &b, &err), 0);
	f->stop_in_cb = true;
	assert_int_equal(prober_start(f->p), 0);
	v_advance_to(&f->clk, T0);
	assert_int_equal(f->nhook, 2);   /* both running */
	pump_until(f, 1);
	v_advance_to(&f->clk, T0 + 150 * MS);
	settle(f);
	assert_int_equal(f->nres, 1);
	assert_int_equal(f->nhook, 2);
}

/* The real clock of prober_new(): latencies and timeouts in real time. */
static void
test_real_clock(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .name = "real", .kind = PROBE_TCP,
		.interval_us = 10000000, .timeout_us = 2000000 };
	struct probe_spec d = dns_spec(f, "real-drop", "drop.test");
	struct dd_err err;
	uint64_t t0;

	prober_free(f->p);
	f->p = prober_new(f->loop, NULL, record, f);
	assert_non_null(f->p);
	sa_loop(&s.addr, f->http_port);
	d.interval_us = 10000000;
	d.timeout_us = 50000;
	assert_int_equal(prober_add(f->p, &s, &err), 0);
	assert_int_equal(prober_add(f->p, &d, &err), 0);
	t0 = dd_now_us();
	assert_int_equal(prober_start(f->p), 0);
	for (int i = 0; i < 300 && f->nres < 2; i++)
		assert_int_equal(ev_loop_once(f->loop, 10000), 0);
	assert_int_equal(f->nres, 2);
	assert_string_equal(f->res[0].name, "real");
	assert_true(f->res[0].ok);
	assert_true(f->res[0].latency_ms >= 0.0 && f->res[0].latency_ms < 2000.0);
	assert_string_equal(f->res[1].detail, "timeout after 50 ms");
	assert_true(dd_now_us() - t0 >= 50000);
	/* the start is on the real clock too */
	assert_true(f->res[1].start_us >= t0 && f->res[1].start_us <= dd_now_us());
	assert_int_equal(v_pending(&f->clk), 0);   /* the fake was not used */
	prober_stop(f->p);
}

/* ---- one-shot ---- */

static int once_calls;
static struct result once_res;

static void
once_cb(void *arg, const char *name, bool ok, double latency_ms, uint64_t start_us,
    const char *detail)
{
	(void)start_us;
	once_calls++;
	once_res.ok = ok;
	once_res.latency_ms = latency_ms;
	snprintf(once_res.name, sizeof(once_res.name), "%s", name);
	snprintf(once_res.detail, sizeof(once_res.detail), "%s", detail);
}

static void
pump_once(struct fixture *f)
{
	for (int i = 0; i < 200 && once_calls == 0; i++)
		step(f, 10000);
}

static void
test_once(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .kind = PROBE_TCP };
	struct dd_err err;
	char url[128];

	once_calls = 0;
	sa_loop(&s.addr, f->http_port);
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	assert_int_equal(once_calls, 0);   /* never from inside the call */
	pump_once(f);
	assert_int_equal(once_calls, 1);
	assert_true(once_res.ok);
	assert_string_equal(once_res.name, "once");

	/* refused is found at once, still reported from the loop */
	once_calls = 0;
	sa_loop(&s.addr, closed_port(SOCK_STREAM));
	s.name = "ready";
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	assert_int_equal(once_calls, 0);
	pump_once(f);
	assert_int_equal(once_calls, 1);
	assert_false(once_res.ok);
	assert_string_equal(once_res.name, "ready");
	assert_string_equal(once_res.detail, "connect refused");

	/* HTTP readiness; not counted in any stats, no prober callback */
	once_calls = 0;
	s = http_spec(f, NULL, "/ok", url, sizeof(url));
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	pump_once(f);
	assert_int_equal(once_calls, 1);
	assert_true(once_res.ok);
	assert_int_equal(f->nres, 0);

	/* its deadline is from when it was asked for */
	once_calls = 0;
	s = http_spec(f, "slow-once", "/slow", url, sizeof(url));
	s.timeout_us = 300000;
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	settle(f);
	v_advance_to(&f->clk, f->clk.now + 299999);
	assert_int_equal(once_calls, 0);
	v_advance_to(&f->clk, f->clk.now + 1);
	assert_int_equal(once_calls, 1);
	assert_string_equal(once_res.detail, "timeout after 300 ms");

	/* a pending one-shot is dropped silently by prober_free */
	once_calls = 0;
	s = http_spec(f, "pending", "/slow", url, sizeof(url));
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	step(f, 1000);
	prober_free(f->p);
	f->p = NULL;
	assert_int_equal(once_calls, 0);
}

/* ---- validation ---- */

static void
expect_invalid(struct fixture *f, const struct probe_spec *s, const char *needle)
{
	struct dd_err err = { "" };

	assert_int_equal(prober_add(f->p, s, &err), DD_EINVAL);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void
test_validation(void **state)
{
	struct fixture *f = *state;
	const char *empty_argv[] = { NULL };
	struct probe_spec s = dns_spec(f, "dup", "ok.test");
	struct dd_err err;

	assert_int_equal(prober_add(f->p, &s, &err), 0);
	expect_invalid(f, &s, "probe 'dup': name used twice");

	s.name = NULL;
	expect_invalid(f, &s, "missing name");

	s = dns_spec(f, "noq", NULL);
	expect_invalid(f, &s, "probe 'noq': dns probe needs a qname");
	s = (struct probe_spec){ .name = "nosrv", .kind = PROBE_DNS, .qname = "x" };
	expect_invalid(f, &s, "needs a server");
	s = dns_spec(f, "both", "x");
	s.expect_answer = "1.2.3.4";
	s.expect_empty = true;
	expect_invalid(f, &s, "contradict");
	s = dns_spec(f, "hosted", "x");
	s.host = "client";
	expect_invalid(f, &s, "probe 'hosted': host 'client' given but there is no topology");

	s = (struct probe_spec){ .name = "u1", .kind = PROBE_HTTP, .url = "https://127.0.0.1/" };
	expect_invalid(f, &s, "probe 'u1': url 'https://127.0.0.1/': https is not supported");
	s.url = "http://example.com/";
	expect_invalid(f, &s, "IP literal");
	s.url = "http://127.0.0.1:99999/";
	expect_invalid(f, &s, "port out of range");
	s.url = "http://[::1/";
	expect_invalid(f, &s, "IPv6");
	s.url = NULL;
	expect_invalid(f, &s, "needs a url");
	s.url = "http://127.0.0.1/";
	s.body_match = "(unclosed";
	expect_invalid(f, &s, "body_match");

	s = (struct probe_spec){ .name = "t", .kind = PROBE_TCP };
	expect_invalid(f, &s, "needs an address with a port");
	s = (struct probe_spec){ .name = "e", .kind = PROBE_EXEC, .argv = empty_argv };
	expect_invalid(f, &s, "needs argv");

	/* the good forms */
	s = (struct probe_spec){ .name = "v6", .kind = PROBE_HTTP, .url = "http://[::1]:8080" };
	assert_int_equal(probe_spec_check(&s, false, &err), 0);
	s.url = "http://198.18.1.2/health?full=1";
	assert_int_equal(probe_spec_check(&s, false, &err), 0);

	assert_int_equal(probe_kind_parse("HTTP"), PROBE_HTTP);
	assert_int_equal(probe_kind_parse("bogus"), -1);
	assert_string_equal(probe_kind_name(PROBE_EXEC), "exec");
	prober_free(NULL);
}

/* The kind table: every kind has a name that parses back; anything else
 * is refused before a probe is built. */
static void
test_kind_table(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "dns", "http", "tcp", "exec" };
	struct probe_spec s = { .name = "k", .kind = (enum probe_kind)4 };
	struct dd_err err = { "" };

	for (int k = PROBE_DNS; k <= PROBE_EXEC; k++) {
		assert_string_equal(probe_kind_name((enum probe_kind)k), names[k]);
		assert_int_equal(probe_kind_parse(names[k]), k);
	}
	assert_string_equal(probe_kind_name((enum probe_kind)4), "?");
	assert_string_equal(probe_kind_name((enum probe_kind)-1), "?");
	assert_int_equal(probe_kind_parse(NULL), -1);
	assert_int_equal(probe_kind_parse(""), -1);
	assert_int_equal(probe_kind_parse("dnsx"), -1);

	expect_invalid(f, &s, "probe 'k': unknown kind 4");
	s.kind = (enum probe_kind)-1;
	expect_invalid(f, &s, "probe 'k': unknown kind -1");
	assert_int_equal(probe_spec_check(&s, false, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "unknown kind"));
	s.name = NULL;
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), DD_EINVAL);
	assert_string_equal(err.msg, "probe 'once': unknown kind -1");
}

/* Each kind's own checks, through probe_spec_check() and prober_once()
 * (the same messages as prober_add()). */
static void
test_kind_validation(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "true", NULL };
	struct probe_spec s;
	struct dd_err err = { "" };

#define CHECK_BAD(spec, needle) do { \
		assert_int_equal(probe_spec_check(&(spec), false, &err), DD_EINVAL); \
		if (strstr(err.msg, (needle)) == NULL) \
			fail_msg("message '%s' lacks '%s'", err.msg, (needle)); \
	} while (0)

	/* dns */
	s = dns_spec(f, "d", "ok.test");
	assert_int_equal(probe_spec_check(&s, false, &err), 0);
	s.qtype = 70000;
	CHECK_BAD(s, "probe 'd': qtype 70000 out of range");
	s = dns_spec(f, "d", "ok.test");
	s.expect_rcode = 16;
	CHECK_BAD(s, "expect_rcode 16 out of range");
	s.expect_rcode = -2;
	CHECK_BAD(s, "expect_rcode -2 out of range");
	s = dns_spec(f, "d", "a.0123456789012345678901234567890123456789012345678901234567890123456789");
	CHECK_BAD(s, "probe 'd': bad qname");
	s = dns_spec(f, "d", "ok.test");
	s.expect_answer = "";
	CHECK_BAD(s, "empty expect_answer");
	s = dns_spec(f, "d", "ok.test");
	s.expect_rcode = PROBE_RCODE_ANY;
	s.expect_answer = "2001:db8::1";
	assert_int_equal(probe_spec_check(&s, false, &err), 0);

	/* http */
	s = (struct probe_spec){ .name = "h", .kind = PROBE_HTTP, .url = "http://127.0.0.1:80/x" };
	assert_int_equal(probe_spec_check(&s, false, &err), 0);
	s.expect_status = 600;
	CHECK_BAD(s, "probe 'h': expect_status 600 out of range");
	s.expect_status = 0;
	s.url = "http://127.0.0.1x/";
	CHECK_BAD(s, "IP literal");
	s.url = "http://[::1]x/";
	CHECK_BAD(s, "junk after address");
	s.url = "http://127.0.0.1/a b";
	CHECK_BAD(s, "white space");
	s.url = "ftp://127.0.0.1/";
	CHECK_BAD(s, "must start with http://");

	/* tcp */
	s = (struct probe_spec){ .name = "t", .kind = PROBE_TCP };
	assert_int_equal(dd_sockaddr_parse("127.0.0.1:0", -1, &s.addr), 0);
	CHECK_BAD(s, "probe 't': tcp probe needs an address with a port");
	sa_loop(&s.addr, 80);
	assert_int_equal(probe_spec_check(&s, false, &err), 0);

	/* exec */
	s = (struct probe_spec){ .name = "e", .kind = PROBE_EXEC, .argv = argv };
	assert_int_equal(probe_spec_check(&s, false, &err), 0);
	s.expect_exit = 256;
	CHECK_BAD(s, "probe 'e': expect_exit 256 out of range");
	s.expect_exit = -1;
	CHECK_BAD(s, "expect_exit -1 out of range");
	s = (struct probe_spec){ .name = "e", .kind = PROBE_EXEC };
	CHECK_BAD(s, "needs argv");

	/* prober_once checks the same way, and needs a callback */
	s = (struct probe_spec){ .kind = PROBE_TCP };
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), DD_EINVAL);
	assert_string_equal(err.msg, "probe 'once': tcp probe needs an address with a port");
	sa_loop(&s.addr, 80);
	assert_int_equal(prober_once(f->p, &s, NULL, NULL, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "no callback"));
	/* nothing of these was started */
	assert_int_equal(v_pending(&f->clk), 0);
#undef CHECK_BAD
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dns_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_expect_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_nxdomain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_latency_measured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_tcp_and_tc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_wrong_id_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_refused_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_grid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_skips_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_late_tick_keeps_grid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_blocked_loop_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_added_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kind_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kind_validation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
