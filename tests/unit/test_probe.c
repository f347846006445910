/*
 * test_probe.c -- probes against real servers on loopback, in the caller's
 * namespace (no topology): a small DNS responder (UDP and TCP) and a small
 * HTTP server, both written here and run on the same event loop as the
 * prober, plus exec of true/false/sleep.
 *
 * The responder answers by name:
 *   ok.test      A 198.18.3.10 and A 198.18.3.11
 *   empty.test   NOERROR, no answer
 *   nx.test      NXDOMAIN
 *   drop.test    nothing (timeouts)
 *   tc.test      TC=1 over UDP, the A record over TCP
 *   badid.test   first a reply with the wrong ID, then the right one
 *   cname.test   CNAME target.example.net. (for expect_answer text)
 * The HTTP server: /ok 200 "hello world", /down 503, /slow never answers.
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

struct result {
	char name[64];
	bool ok;
	double latency_ms;
	char detail[PROBE_DETAIL_MAX];
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
	uint8_t q[512], r[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	bool drop;
	size_t len;

	if (n <= 0)
		return;
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
record(void *arg, const char *name, bool ok, double latency_ms, const char *detail)
{
	struct fixture *f = arg;
	struct result *r;

	assert_true(f->nres < MAXRES);
	r = &f->res[f->nres++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ok = ok;
	r->latency_ms = latency_ms;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	if (f->stop_in_cb)
		prober_stop(f->p);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->loop = ev_loop_new();
	assert_non_null(f->loop);
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
	f->p = prober_new(f->loop, NULL, record, f);
	assert_non_null(f->p);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	prober_free(f->p);
	close(f->dns_udp);
	close(f->dns_tcp);
	close(f->http);
	ev_loop_free(f->loop);
	free(f);
	return 0;
}

/* Run the loop until n results arrived or max_ms passed. */
static void
run_until(struct fixture *f, int n, unsigned max_ms)
{
	uint64_t end = dd_now_us() + (uint64_t)max_ms * 1000;

	while (f->nres < n && dd_now_us() < end)
		assert_int_equal(ev_loop_once(f->loop, 10000), 0);
}

static void
run_for(struct fixture *f, unsigned ms)
{
	uint64_t end = dd_now_us() + (uint64_t)ms * 1000;

	while (dd_now_us() < end)
		assert_int_equal(ev_loop_once(f->loop, 5000), 0);
}

/* One attempt of spec through prober_add + start; returns its result. */
static struct result *
run_one(struct fixture *f, struct probe_spec *s)
{
	struct dd_err err = { "" };

	/* a fresh prober each time: prober_start() restarts every probe */
	prober_free(f->p);
	f->p = prober_new(f->loop, NULL, record, f);
	assert_non_null(f->p);
	if (s->interval_us == 0)
		s->interval_us = 10000000;   /* only the first attempt runs */
	if (s->timeout_us == 0)
		s->timeout_us = 2000000;
	if (prober_add(f->p, s, &err) != 0)
		fail_msg("prober_add: %s", err.msg);
	assert_int_equal(prober_start(f->p), 0);
	run_until(f, f->nres + 1, 5000);
	assert_true(f->nres >= 1);
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

static void
assert_sane_latency(const struct result *r, double timeout_ms)
{
	assert_true(r->latency_ms >= 0.0);
	assert_true(r->latency_ms < timeout_ms);
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
	assert_sane_latency(r, 2000);
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
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "timeout after 200 ms");
	assert_true(r->latency_ms == 200.0);
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
	assert_sane_latency(r, 2000);

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
	assert_sane_latency(r, 2000);

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
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "timeout after 150 ms");

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
	assert_sane_latency(r, 2000);

	s.name = "tcp-closed";
	sa_loop(&s.addr, closed_port(SOCK_STREAM));
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "connect refused");
	assert_sane_latency(r, 2000);
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
	assert_sane_latency(r, 2000);

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
	r = run_one(f, &s);
	assert_false(r->ok);
	assert_string_equal(r->detail, "timeout after 150 ms (killed)");
	/* the killed child is reaped by the prober from the loop */
	run_for(f, 100);
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
	run_for(f, 520);   /* ticks at 0, 50, ..., 500 ms */
	prober_stop(f->p);
	assert_int_equal(prober_stats(f->p, "grid", &st), 0);
	assert_true(st.sent >= 8 && st.sent <= 12);
	/* stop abandons an attempt in flight without a result */
	assert_true(st.sent - st.ok <= 1);
	assert_int_equal(st.fail, 0);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(f->nres, (int)st.ok);
	assert_true(st.late_max_us < 40000);
	assert_int_equal(prober_stats(f->p, "nope", &st), DD_ENOTFOUND);

	/* nothing more after stop */
	run_for(f, 120);
	assert_int_equal(f->nres, (int)st.ok);
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
	run_for(f, 420);
	prober_stop(f->p);
	assert_int_equal(prober_stats(f->p, "slow", &st), 0);
	assert_true(st.sent >= 2);
	assert_true(st.skipped >= 2);
	assert_int_equal(st.ok, 0);
	for (int i = 0; i < f->nres; i++)
		assert_string_equal(f->res[i].detail, "timeout after 120 ms");
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
	run_for(f, 150);
	assert_int_equal(f->nres, 1);
}

/* ---- one-shot ---- */

static int once_calls;
static struct result once_res;

static void
once_cb(void *arg, const char *name, bool ok, double latency_ms, const char *detail)
{
	once_calls++;
	once_res.ok = ok;
	once_res.latency_ms = latency_ms;
	snprintf(once_res.name, sizeof(once_res.name), "%s", name);
	snprintf(once_res.detail, sizeof(once_res.detail), "%s", detail);
}

static void
test_once(void **state)
{
	struct fixture *f = *state;
	struct probe_spec s = { .kind = PROBE_TCP };
	struct dd_err err;
	char url[128];
	uint64_t end;

	once_calls = 0;
	sa_loop(&s.addr, f->http_port);
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	assert_int_equal(once_calls, 0);   /* never from inside the call */
	end = dd_now_us() + 2000000;
	while (once_calls == 0 && dd_now_us() < end)
		ev_loop_once(f->loop, 10000);
	assert_int_equal(once_calls, 1);
	assert_true(once_res.ok);
	assert_string_equal(once_res.name, "once");

	/* refused is found at once, still reported from the loop */
	once_calls = 0;
	sa_loop(&s.addr, closed_port(SOCK_STREAM));
	s.name = "ready";
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	assert_int_equal(once_calls, 0);
	end = dd_now_us() + 2000000;
	while (once_calls == 0 && dd_now_us() < end)
		ev_loop_once(f->loop, 10000);
	assert_int_equal(once_calls, 1);
	assert_false(once_res.ok);
	assert_string_equal(once_res.name, "ready");
	assert_string_equal(once_res.detail, "connect refused");

	/* HTTP readiness; not counted in any stats, no prober callback */
	once_calls = 0;
	s = http_spec(f, NULL, "/ok", url, sizeof(url));
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	end = dd_now_us() + 2000000;
	while (once_calls == 0 && dd_now_us() < end)
		ev_loop_once(f->loop, 10000);
	assert_int_equal(once_calls, 1);
	assert_true(once_res.ok);
	assert_int_equal(f->nres, 0);

	/* a pending one-shot is dropped silently by prober_free */
	once_calls = 0;
	s = http_spec(f, "pending", "/slow", url, sizeof(url));
	assert_int_equal(prober_once(f->p, &s, once_cb, NULL, &err), 0);
	ev_loop_once(f->loop, 1000);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dns_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_expect_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_nxdomain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_tcp_and_tc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_wrong_id_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_refused_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_grid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_skips_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
