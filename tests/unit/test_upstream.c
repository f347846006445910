/*
 * test_upstream.c -- the forwarder against a hand-driven UDP "server" on
 * loopback: queries wait for the end of the event-loop iteration and leave
 * together, from one socket (one source port) per batch; replies are
 * matched by ID, socket and question, read in batches, and each query's
 * callback runs once; a silent server times every try out in the order
 * sent, under one timer, and the callback gets len 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultd/upstream.h"
#include "lib/dnswire.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"

/* a query for qN.test. A, id N */
static size_t
make_query(uint8_t *buf, unsigned n)
{
	char name[32];
	size_t off = DNS_HDR_LEN;
	int l;

	memset(buf, 0, DNS_HDR_LEN);
	dns_put16(buf, (uint16_t)n);
	dns_put16(buf + 2, 0x0100);      /* RD */
	dns_put16(buf + 4, 1);
	snprintf(name, sizeof(name), "q%u.test.", n);
	l = dns_name_from_str(name, buf + off, 256);
	assert_true(l > 0);
	off += (size_t)l;
	dns_put16(buf + off, 1);
	dns_put16(buf + off + 2, 1);
	return off + 4;
}

static int server_fd;
static struct dd_sockaddr server_addr;
static int got[64];
static size_t got_len[64];
static int ncb, order[64];

static void
cb(void *arg, uint8_t *reply, size_t len, size_t cap)
{
	unsigned n = (unsigned)(uintptr_t)arg;

	assert_true(cap >= 512);
	got[n]++;
	got_len[n] = len;
	order[ncb++] = (int)n;
	if (len > 0)
		assert_true(dns_get16(reply + 2) & DNS_QR);
}

static struct ev_loop *
fixture(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);

	log_init("test_upstream", LOG_LVL_ERROR);
	server_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(server_fd >= 0);
	assert_int_equal(bind(server_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(server_fd, (struct sockaddr *)&sin, &sl), 0);
	memset(&server_addr, 0, sizeof(server_addr));
	memcpy(&server_addr.u, &sin, sizeof(sin));
	server_addr.len = sizeof(sin);
	memset(got, 0, sizeof(got));
	ncb = 0;
	return ev_loop_new();
}

static void
test_batched_send_and_replies(void **state)
{
	(void)state;
	struct ev_loop *l = fixture();
	struct upstream *u = upstream_new(l, &server_addr, 1, 2000000);
	uint8_t q[512], r[512];
	struct sockaddr_in from[10];
	uint16_t ids[10];
	assert_non_null(u);

	for (unsigned i = 0; i < 10; i++) {
		size_t len = make_query(q, i);
		assert_int_equal(upstream_query(u, q, len, cb, (void *)(uintptr_t)i), 0);
	}
	/* queued, not sent: nothing has reached the server yet */
	assert_true(recv(server_fd, r, sizeof(r), MSG_DONTWAIT) < 0);
	assert_int_equal(upstream_get_stats(u)->sent, 0);
	/* the end of one iteration sends them all */
	assert_int_equal(ev_loop_once(l, 0), 0);
	assert_int_equal(upstream_get_stats(u)->sent, 10);
	for (unsigned i = 0; i < 10; i++) {
		socklen_t fl = sizeof(from[i]);
		ssize_t n = recvfrom(server_fd, r, sizeof(r), 0, (struct sockaddr *)&from[i], &fl);
		assert_true(n > DNS_HDR_LEN);
		ids[i] = dns_get16(r);
		/* one socket for the batch: one source port */
		assert_int_equal(from[i].sin_port, from[0].sin_port);
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(ids[j], ids[i]);
		/* answer it (QR set): echo */
		dns_put16(r + 2, (uint16_t)(dns_get16(r + 2) | DNS_QR));
		assert_int_equal(sendto(server_fd, r, (size_t)n, 0, (struct sockaddr *)&from[i], fl), n);
	}
	/* a reply with an unknown ID is counted, not taken */
	dns_put16(r, (uint16_t)(ids[0] ^ 0x5a5a));
	sendto(server_fd, r, DNS_HDR_LEN + 4, 0, (struct sockaddr *)&from[0], sizeof(from[0]));
	for (int k = 0; k < 50 && ncb < 10; k++)
		assert_int_equal(ev_loop_once(l, 100000), 0);
	assert_int_equal(ncb, 10);
	for (unsigned i = 0; i < 10; i++) {
		assert_int_equal(got[i], 1);
		assert_true(got_len[i] > DNS_HDR_LEN);
	}
	assert_int_equal(upstream_get_stats(u)->replies, 10);
	for (int k = 0; k < 5 && upstream_get_stats(u)->mismatched == 0; k++)
		ev_loop_once(l, 20000);
	assert_int_equal(upstream_get_stats(u)->mismatched, 1);
	upstream_free(u);
	ev_loop_free(l);
	close(server_fd);
}

static void
test_flush_now(void **state)
{
	(void)state;
	struct ev_loop *l = fixture();
	struct upstream *u = upstream_new(l, &server_addr, 1, 2000000);
	uint8_t q[512], r[512];
	int got_n = 0;
	assert_non_null(u);

	for (unsigned i = 0; i < 3; i++) {
		size_t len = make_query(q, i);
		assert_int_equal(upstream_query(u, q, len, cb, (void *)(uintptr_t)i), 0);
	}
	/* sent by the call, without an iteration of the loop */
	upstream_flush(u);
	assert_int_equal(upstream_get_stats(u)->sent, 3);
	while (recv(server_fd, r, sizeof(r), MSG_DONTWAIT) > 0)
		got_n++;
	assert_int_equal(got_n, 3);
	upstream_free(u);
	ev_loop_free(l);
	close(server_fd);
}

static void
test_timeouts_in_order(void **state)
{
	(void)state;
	struct ev_loop *l = fixture();
	/* 50 ms: a silent server; every try times out, each callback once */
	struct upstream *u = upstream_new(l, &server_addr, 1, 50000);
	uint8_t q[512];
	uint64_t t0 = dd_now_us();
	assert_non_null(u);

	for (unsigned i = 0; i < 5; i++) {
		size_t len = make_query(q, i);
		assert_int_equal(upstream_query(u, q, len, cb, (void *)(uintptr_t)i), 0);
		ev_loop_once(l, 0);
	}
	for (int k = 0; k < 200 && ncb < 5; k++)
		assert_int_equal(ev_loop_once(l, 100000), 0);
	assert_int_equal(ncb, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(order[i], i);
		assert_int_equal(got_len[i], 0);
	}
	/* never before the timeout (wide upper bound: a loaded machine) */
	assert_true(dd_now_us() - t0 >= 50000);
	assert_int_equal(upstream_get_stats(u)->timeouts, 5);
	assert_int_equal(upstream_get_stats(u)->failures, 5);
	/* no timer is left behind */
	assert_int_equal(ev_timer_count(l), 0);
	upstream_free(u);
	ev_loop_free(l);
	close(server_fd);
}

static void
test_free_with_queries_pending(void **state)
{
	(void)state;
	struct ev_loop *l = fixture();
	struct upstream *u = upstream_new(l, &server_addr, 1, 1000000);
	uint8_t q[512];
	assert_non_null(u);

	/* queued (never sent) and in flight: freed without callbacks */
	for (unsigned i = 0; i < 3; i++) {
		size_t len = make_query(q, i);
		assert_int_equal(upstream_query(u, q, len, cb, (void *)(uintptr_t)i), 0);
		if (i == 1)
			ev_loop_once(l, 0);
	}
	upstream_free(u);
	assert_int_equal(ncb, 0);
	assert_int_equal(ev_timer_count(l), 0);
	/* the loop runs on without the freed forwarder's hook */
	assert_int_equal(ev_loop_once(l, 0), 0);
	ev_loop_free(l);
	close(server_fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batched_send_and_replies),
		cmocka_unit_test(test_flush_now),
		cmocka_unit_test(test_timeouts_in_order),
		cmocka_unit_test(test_free_with_queries_pending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
