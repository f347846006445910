/*
 * test_capacity.c -- faultd's capacity model (faultd/capacity.h): the
 * bounded queue's admissions and waits at exact times, the rule terms
 * capacity= queue= overflow= and their errors, and the engine answering
 * over capacity with the overflow action (the server's capacity before the
 * rules, a rule's for its names only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "faultd/capacity.h"
#include "faultd/engine.h"
#include "faultd/rule.h"
#include "tests/unit/testpkt.h"

static void
test_queue_admits_and_waits(void **state)
{
	struct capacity c;
	uint64_t w;
	bool q;

	(void)state;
	/* 100 qps: 10 ms a query; 2 may wait */
	assert_int_equal(capacity_init(&c, 100, 2, CAP_OVERFLOW_DROP), 0);
	assert_true(capacity_admit(&c, 1000000, &w, &q));      /* served at once */
	assert_int_equal(w, 10000);
	assert_false(q);
	assert_true(capacity_admit(&c, 1000000, &w, &q));      /* waits 1 */
	assert_int_equal(w, 20000);
	assert_true(q);
	assert_true(capacity_admit(&c, 1000000, &w, &q));      /* waits 2 */
	assert_int_equal(w, 30000);
	assert_false(capacity_admit(&c, 1000000, &w, &q));     /* room for 2 */
	assert_false(capacity_admit(&c, 1005000, &w, &q));     /* still 2 waiting */
	/* 10 ms later one is done: room for one more, due at 40 ms */
	assert_true(capacity_admit(&c, 1010000, &w, &q));
	assert_int_equal(w, 30000);
	/* idle again: no wait but the service time */
	assert_true(capacity_admit(&c, 2000000, &w, &q));
	assert_int_equal(w, 10000);
	assert_false(q);
	/* at exactly the rate, nobody waits */
	for (int i = 1; i <= 100; i++) {
		assert_true(capacity_admit(&c, 2000000 + (uint64_t)i * 10000, &w, &q));
		assert_false(q);
	}
}

static void
test_queue_zero_and_limits(void **state)
{
	struct capacity c;
	uint64_t w;
	bool q;

	(void)state;
	/* queue 0: the one being served and nobody else */
	assert_int_equal(capacity_init(&c, 10, 0, CAP_OVERFLOW_SERVFAIL), 0);
	assert_true(capacity_admit(&c, 0, &w, &q));
	assert_false(capacity_admit(&c, 99999, &w, &q));
	assert_true(capacity_admit(&c, 100000, &w, &q));
	/* high rates keep ns precision: at 3 Mqps (333 ns each) the third of
	 * a burst is due in 999 ns, under a microsecond: sent at once; the
	 * fourth in 1332 ns, 1 us */
	assert_int_equal(capacity_init(&c, 3e6, 10, CAP_OVERFLOW_DROP), 0);
	for (int i = 0; i < 3; i++)
		assert_true(capacity_admit(&c, 5, &w, &q));
	assert_int_equal(w, 0);
	assert_true(capacity_admit(&c, 5, &w, &q));
	assert_int_equal(w, 1);
	assert_int_equal(capacity_init(&c, 0, 1, CAP_OVERFLOW_DROP), DD_EINVAL);
	assert_int_equal(capacity_init(&c, -5, 1, CAP_OVERFLOW_DROP), DD_EINVAL);
	assert_int_equal(capacity_init(&c, 1e8, 1, CAP_OVERFLOW_DROP), DD_EINVAL);
	assert_int_equal(capacity_init(&c, 1, CAPACITY_QUEUE_MAX + 1, CAP_OVERFLOW_DROP),
	    DD_EINVAL);
}

static void
test_rule_terms(void **state)
{
	struct rule *r = NULL;
	struct dd_err err = { "" };
	enum capacity_overflow o;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "capacity=0", "capacity=0: must be queries per second" },
		{ "capacity=fast", "capacity=fast: must be queries per second" },
		{ "capacity=20000000", "at most 10000000" },
		{ "capacity=10 queue=-1", "queue=-1: must be a number of queries" },
		{ "capacity=10 queue=2000000", "queue=2000000" },
		{ "capacity=10 overflow=ignore", "overflow=ignore: must be drop, servfail or refused" },
		{ "queue=5", "queue=: only with capacity=" },
		{ "action=pass overflow=drop", "overflow=: only with capacity=" },
		{ "capacity=10 capacity=20", "key 'capacity' given twice" },
	};

	(void)state;
	assert_int_equal(rule_parse("name=www.example.com capacity=250.5 queue=7 "
	    "overflow=refused", &r, &err), 0);
	assert_true(r->has_capacity);
	assert_true(r->cap.qps == 250.5);
	assert_int_equal(r->cap.queue, 7);
	assert_int_equal(r->cap.overflow, CAP_OVERFLOW_REFUSED);
	assert_string_equal(r->text, "name=www.example.com capacity=250.5 queue=7 overflow=refused");
	rule_free(r);
	assert_int_equal(rule_parse("capacity=10", &r, &err), 0);
	assert_int_equal(r->cap.queue, CAPACITY_QUEUE_DEFAULT);
	assert_int_equal(r->cap.overflow, CAP_OVERFLOW_DROP);
	assert_int_equal(r->action, ACT_PASS);
	rule_free(r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		r = NULL;
		assert_int_equal(rule_parse(bad[i].text, &r, &err), DD_EINVAL);
		assert_null(r);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, err.msg, bad[i].msg);
	}
	assert_int_equal(capacity_overflow_parse("servfail", &o), 0);
	assert_int_equal(o, CAP_OVERFLOW_SERVFAIL);
	assert_string_equal(capacity_overflow_name(CAP_OVERFLOW_REFUSED), "refused");
	assert_string_equal(capacity_overflow_name((enum capacity_overflow)9), "?");
}

/* ---------------- through the engine ---------------- */

static struct engine E;
static uint8_t Q[512], OUT[65535];
static struct engine_result R;

static void
setup_engine(const char *rule)
{
	struct ruleset *rs = ruleset_new();

	assert_non_null(rs);
	if (rule != NULL) {
		struct rule *r;
		struct dd_err err;

		assert_int_equal(rule_parse(rule, &r, &err), 0);
		assert_int_equal(ruleset_add(rs, r, false), 0);
	}
	/* no zones, no upstreams: a passed query is REFUSED, which tells
	 * "went through" (REFUSED, delayed) from "over capacity" apart */
	engine_init(&E, rs, NULL, false, 1);
}

/* One query for name at now_us: verdict, rcode in *rc (-1: none). */
static enum engine_verdict
ask_at(const char *name, uint64_t now_us, int *rc)
{
	struct sockaddr_in cl = { .sin_family = AF_INET, .sin_port = htons(40000) };
	size_t n = tq_build(Q, sizeof(Q), 0x4242, DNS_RD, name, 1, 0, false);

	inet_pton(AF_INET, "198.18.1.10", &cl.sin_addr);
	E.now_us = now_us;
	engine_query(&E, Q, n, (const struct sockaddr *)&cl, TRANSPORT_UDP, OUT,
	    sizeof(OUT), &R);
	*rc = R.verdict == ENG_REPLY && R.len >= DNS_HDR_LEN ? (OUT[3] & 0x0f) : -1;
	return R.verdict;
}

static void
test_engine_server_capacity(void **state)
{
	int rc;

	(void)state;
	setup_engine("name=slow.example.com delay=5ms");
	assert_int_equal(engine_set_capacity(&E, 1000, 1, CAP_OVERFLOW_SERVFAIL), 0);
	assert_int_equal(ask_at("www.example.com", 0, &rc), ENG_REPLY);
	assert_int_equal(rc, DNS_RCODE_REFUSED);          /* went through */
	assert_int_equal(R.delay_us, 1000);               /* its service time */
	assert_int_equal(ask_at("slow.example.com", 0, &rc), ENG_REPLY);
	assert_int_equal(R.delay_us, 2000 + 5000);        /* waited 1, then delay= */
	assert_int_equal(ask_at("www.example.com", 0, &rc), ENG_REPLY);
	assert_int_equal(rc, DNS_RCODE_SERVFAIL);         /* over: answered at once */
	assert_int_equal(R.delay_us, 0);
	assert_int_equal(E.stats.capacity_overflow, 1);
	assert_int_equal(E.stats.capacity_queued, 1);
	assert_int_equal(E.stats.capacity_wait_max_us, 2000);
	assert_int_equal(E.stats.queries, 3);
	/* over capacity is not a rule's action */
	assert_int_equal(E.stats.actions[ACT_SERVFAIL], 0);
	engine_fini(&E);
	assert_int_equal(engine_set_capacity(&E, 0, 1, CAP_OVERFLOW_DROP), DD_EINVAL);
	assert_false(E.has_capacity);
}

/* waits under CAPACITY_PROMPT_US go out at once; the queue still counts
 * them, so later ones wait their turn */
static void
test_engine_prompt_waits(void **state)
{
	int rc;

	(void)state;
	setup_engine(NULL);
	assert_int_equal(engine_set_capacity(&E, 1e6, 1000, CAP_OVERFLOW_DROP), 0);
	for (unsigned i = 1; i <= 100; i++) {
		assert_int_equal(ask_at("www.example.com", 0, &rc), ENG_REPLY);
		/* query i is due i us after its arrival */
		if (i < CAPACITY_PROMPT_US)
			assert_int_equal(R.delay_us, 0);
		else
			assert_int_equal(R.delay_us, i);
	}
	assert_int_equal(E.stats.capacity_wait_max_us, 100);
	engine_fini(&E);
}

static void
test_engine_rule_capacity(void **state)
{
	int rc;

	(void)state;
	setup_engine("name=www.example.com capacity=10 queue=0");
	assert_int_equal(ask_at("www.example.com", 0, &rc), ENG_REPLY);
	assert_int_equal(R.delay_us, 100000);
	assert_int_equal(ask_at("www.example.com", 50000, &rc), ENG_DROP);
	assert_int_equal(E.stats.capacity_overflow, 1);
	/* other names are not limited */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ask_at("mail.example.com", 50000, &rc), ENG_REPLY);
		assert_int_equal(R.delay_us, 0);
	}
	assert_int_equal(ask_at("www.example.com", 100000, &rc), ENG_REPLY);
	engine_fini(&E);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_admits_and_waits),
		cmocka_unit_test(test_queue_zero_and_limits),
		cmocka_unit_test(test_rule_terms),
		cmocka_unit_test(test_engine_server_capacity),
		cmocka_unit_test(test_engine_rule_capacity),
		cmocka_unit_test(test_engine_prompt_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
