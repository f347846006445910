/*
 * test_resolve_cares.c -- the c-ares back end of dd-regional-client on an
 * event loop, against a tiny DNS responder on loopback in the same loop:
 * an answer becomes addresses with the port filled in, an empty answer is
 * NODATA, a result c-ares has at once (an address literal) still arrives
 * only after start returned, a cancelled lookup is never heard from, and
 * freeing the channel with lookups in flight calls nobody (ASan: no leak).
 * Also the c-ares status mapping.  No timing claims.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "lib/util.h"
#include "sut/resolve_cares.h"

enum answer { ANS_ADDR, ANS_EMPTY, ANS_NONE };

struct fx {
	struct ev_loop *loop;
	int udp;                     /* the responder */
	enum answer answer;
	unsigned seen;               /* queries the responder got */
	struct dd_sockaddr server;
	char conf[64];               /* a resolv.conf of our own */
	struct resolve_cares *c;
	int calls;
	struct resolve_result res;
};

/* Answer every query: its question, then one A 198.18.0.7 (ANS_ADDR, A
 * queries only), nothing (ANS_EMPTY), or no reply at all (ANS_NONE). */
static void
on_query(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct fx *f = arg;
	uint8_t pkt[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	(void)loop;
	(void)events;
	while ((n = recvfrom(fd, pkt, sizeof(pkt) - 16, MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fl)) >= 12) {
		size_t len = (size_t)n;
		f->seen++;
		if (f->answer == ANS_NONE)
			continue;
		pkt[2] = 0x81;       /* QR RD */
		pkt[3] = 0x80;       /* RA, NOERROR */
		pkt[10] = pkt[11] = 0;   /* no additional (drop any EDNS OPT) */
		/* the question ends 4 bytes after its name's root label */
		size_t q = 12;
		while (q < len && pkt[q] != 0)
			q += (size_t)pkt[q] + 1;
		len = q + 5;
		bool is_a = pkt[q + 1] == 0 && pkt[q + 2] == 1;
		if (f->answer == ANS_ADDR && is_a) {
			static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
				198, 18, 0, 7 };
			pkt[7] = 1;
			memcpy(pkt + len, rr, sizeof(rr));
			len += sizeof(rr);
		}
		sendto(fd, pkt, len, 0, (struct sockaddr *)&from, fl);
		fl = sizeof(from);
	}
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *cf;
	int fd;

	assert_non_null(f);
	f->loop = ev_loop_new();
	f->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->udp >= 0);
	assert_int_equal(dd_sockaddr_parse("127.0.0.1:0", -1, &f->server), 0);
	assert_int_equal(bind(f->udp, &f->server.u.sa, f->server.len), 0);
	assert_int_equal(getsockname(f->udp, &f->server.u.sa, &f->server.len), 0);
	assert_int_equal(ev_io_add(f->loop, f->udp, EV_READ, on_query, f), 0);
	/* no search list, one try: what the host has does not matter */
	snprintf(f->conf, sizeof(f->conf), "/tmp/test_resolve_cares.XXXXXX");
	fd = mkstemp(f->conf);
	assert_true(fd >= 0);
	cf = fdopen(fd, "w");
	fprintf(cf, "nameserver 198.18.0.53\nsearch invalid.test\noptions retrans:1000 retry:1\n");
	fclose(cf);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	resolve_cares_free(f->c);
	ev_io_del(f->loop, f->udp);
	close(f->udp);
	ev_loop_free(f->loop);
	unlink(f->conf);
	free(f);
	return 0;
}

static void
on_result(void *arg, const struct resolve_result *res)
{
	struct fx *f = arg;

	f->calls++;
	f->res = *res;
}

static void
new_channel(struct fx *f, int family, bool override)
{
	struct dd_err err = { "" };

	assert_int_equal(resolve_cares_new(f->loop, family, override ? &f->server : NULL,
	    f->conf, &f->c, &err), 0);
}

/* run the loop until a callback came (bounded by iterations, not time) */
static void
run_until_called(struct fx *f)
{
	for (int i = 0; i < 100 && f->calls == 0; i++)
		assert_int_equal(ev_loop_once(f->loop, 100000), 0);
	assert_int_equal(f->calls, 1);
}

static void
test_answer(void **state)
{
	struct fx *f = *state;
	char buf[64], want[64];

	new_channel(f, AF_INET, true);
	/* the override replaced resolv.conf's server */
	dd_sockaddr_str(&f->server, want, sizeof(want));
	assert_string_equal(resolve_cares_servers_str(f->c, buf, sizeof(buf)), want);
	f->answer = ANS_ADDR;
	assert_non_null(resolve_cares_start(f->c, "svc.test.", 8080, on_result, f));
	assert_int_equal(f->calls, 0);
	run_until_called(f);
	assert_int_equal(f->res.status, RES_OK);
	assert_int_equal(f->res.naddrs, 1);
	assert_string_equal(dd_sockaddr_str(&f->res.addrs[0], buf, sizeof(buf)), "198.18.0.7:8080");
	assert_true(f->seen >= 1);
}

static void
test_empty_is_nodata(void **state)
{
	struct fx *f = *state;

	new_channel(f, AF_UNSPEC, true);
	f->answer = ANS_EMPTY;
	assert_non_null(resolve_cares_start(f->c, "svc.test.", 80, on_result, f));
	run_until_called(f);
	assert_int_equal(f->res.status, RES_NODATA);
	assert_int_equal(f->res.naddrs, 0);
	assert_true(f->seen >= 2);   /* A and AAAA */
}

/* c-ares answers an address literal inside ares_getaddrinfo(): the result
 * still waits for the loop; cancelled before that, it never comes */
static void
test_literal_deferred_and_cancel(void **state)
{
	struct fx *f = *state;
	struct resolve_cares_query *q;
	char buf[64];

	new_channel(f, AF_INET, false);
	/* resolv.conf's own server, not the override */
	assert_string_equal(resolve_cares_servers_str(f->c, buf, sizeof(buf)), "198.18.0.53:53");
	assert_non_null(resolve_cares_start(f->c, "198.18.0.9", 443, on_result, f));
	assert_int_equal(f->calls, 0);
	run_until_called(f);
	assert_int_equal(f->res.status, RES_OK);
	assert_string_equal(dd_sockaddr_str(&f->res.addrs[0], buf, sizeof(buf)), "198.18.0.9:443");
	f->calls = 0;
	q = resolve_cares_start(f->c, "198.18.0.9", 443, on_result, f);
	assert_non_null(q);
	resolve_cares_cancel(f->c, q);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ev_loop_once(f->loop, 10000), 0);
	assert_int_equal(f->calls, 0);
}

/* a lookup in flight: cancelled, its answer is dropped; left pending at
 * free, nobody is called and nothing leaks */
static void
test_cancel_and_free_in_flight(void **state)
{
	struct fx *f = *state;
	struct resolve_cares_query *q;

	new_channel(f, AF_INET, true);
	f->answer = ANS_ADDR;
	q = resolve_cares_start(f->c, "svc.test.", 80, on_result, f);
	assert_non_null(q);
	resolve_cares_cancel(f->c, q);
	for (int i = 0; i < 20 && f->seen == 0; i++)
		assert_int_equal(ev_loop_once(f->loop, 100000), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ev_loop_once(f->loop, 10000), 0);
	assert_true(f->seen >= 1);
	assert_int_equal(f->calls, 0);
	f->answer = ANS_NONE;
	assert_non_null(resolve_cares_start(f->c, "svc.test.", 80, on_result, f));
	for (int i = 0; i < 20 && f->seen < 2; i++)
		assert_int_equal(ev_loop_once(f->loop, 100000), 0);
	resolve_cares_free(f->c);
	f->c = NULL;
	assert_int_equal(f->calls, 0);
	assert_int_equal(ev_timer_count(f->loop), 0);
}

static void
test_status_map(void **state)
{
	(void)state;
	assert_int_equal(resolve_cares_status(ARES_SUCCESS), RES_OK);
	assert_int_equal(resolve_cares_status(ARES_ENODATA), RES_NODATA);
	assert_int_equal(resolve_cares_status(ARES_ENOTFOUND), RES_NXDOMAIN);
	assert_int_equal(resolve_cares_status(ARES_ESERVFAIL), RES_SERVFAIL);
	assert_int_equal(resolve_cares_status(ARES_EREFUSED), RES_REFUSED);
	assert_int_equal(resolve_cares_status(ARES_EFORMERR), RES_FORMERR);
	assert_int_equal(resolve_cares_status(ARES_ETIMEOUT), RES_TIMEDOUT);
	assert_int_equal(resolve_cares_status(ARES_ECONNREFUSED), RES_ERROR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_is_nodata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_literal_deferred_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_free_in_flight, setup, teardown),
		cmocka_unit_test(test_status_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
