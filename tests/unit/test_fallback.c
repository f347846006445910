/*
 * test_fallback.c -- the demo regional client's hard-coded IP fallback
 * (sut/fallback.c): which lookup outcomes fall back, and to what.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "sut/fallback.h"

/* every failed lookup falls back when the target has fixed addresses ... */
static void
test_failures_fall_back(void **state)
{
	static const enum resolve_status failed[] = {
		RES_NXDOMAIN, RES_NODATA, RES_SERVFAIL, RES_REFUSED, RES_FORMERR,
		RES_OTHER_RCODE, RES_TRUNCATED, RES_BUSY, RES_ERROR, RES_TIMEDOUT,
	};
	struct fallback fb;

	(void)state;
	memset(&fb, 0, sizeof(fb));
	assert_int_equal(fb_add(&fb, 0, "198.18.0.101"), 0);
	for (size_t i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
		assert_int_equal(fb_decide(&fb, 0, failed[i], 0), FB_FIXED);
	/* NOERROR without an address is a failed lookup too */
	assert_int_equal(fb_decide(&fb, 0, RES_OK, 0), FB_FIXED);
}

/* ... a lookup with addresses is always used, even when they differ from
 * the fixed ones (the fixed list is a last resort, not a preference) */
static void
test_answers_win(void **state)
{
	struct fallback fb;

	(void)state;
	memset(&fb, 0, sizeof(fb));
	assert_int_equal(fb_add(&fb, 0, "198.18.0.101"), 0);
	assert_int_equal(fb_decide(&fb, 0, RES_OK, 1), FB_DNS);
	assert_int_equal(fb_decide(&fb, 0, RES_OK, 3), FB_DNS);
}

/* a target without fixed addresses just fails; the lists are per target */
static void
test_per_target(void **state)
{
	struct fallback fb;

	(void)state;
	memset(&fb, 0, sizeof(fb));
	assert_int_equal(fb_decide(&fb, 0, RES_SERVFAIL, 0), FB_FAIL);
	assert_int_equal(fb_add(&fb, 1, "198.18.0.102"), 0);
	assert_int_equal(fb_decide(&fb, 0, RES_SERVFAIL, 0), FB_FAIL);
	assert_int_equal(fb_decide(&fb, 1, RES_SERVFAIL, 0), FB_FIXED);
	assert_int_equal(fb_decide(&fb, 2, RES_SERVFAIL, 0), FB_FAIL);
}

/* the fixed addresses come back as a result, with the endpoints' port */
static void
test_result_and_port(void **state)
{
	struct fallback fb;
	struct resolve_result r;
	char ip[INET6_ADDRSTRLEN];

	(void)state;
	memset(&fb, 0, sizeof(fb));
	assert_int_equal(fb_add(&fb, 0, "198.18.0.101"), 0);
	assert_int_equal(fb_add(&fb, 0, "fd00::101"), 0);
	fb_set_port(&fb, 8080);
	fb_result(&fb, 0, &r);
	assert_int_equal(r.status, RES_OK);
	assert_int_equal(r.naddrs, 2);
	assert_int_equal(r.addrs[0].u.sa.sa_family, AF_INET);
	assert_int_equal(ntohs(r.addrs[0].u.sin.sin_port), 8080);
	inet_ntop(AF_INET, &r.addrs[0].u.sin.sin_addr, ip, sizeof(ip));
	assert_string_equal(ip, "198.18.0.101");
	assert_int_equal(r.addrs[1].u.sa.sa_family, AF_INET6);
	assert_int_equal(ntohs(r.addrs[1].u.sin6.sin6_port), 8080);
}

/* only bare addresses, at most FB_MAX_ADDRS per target */
static void
test_bad_addresses(void **state)
{
	struct fallback fb;

	(void)state;
	memset(&fb, 0, sizeof(fb));
	assert_int_equal(fb_add(&fb, 0, "198.18.0.101:80"), -1);
	assert_int_equal(fb_add(&fb, 0, "dynamodb.example"), -1);
	assert_int_equal(fb_add(&fb, 0, ""), -1);
	assert_int_equal(fb_add(&fb, 0, "198.18.0.300"), -1);
	assert_int_equal(fb_add(&fb, 3, "198.18.0.1"), -1);
	for (int i = 0; i < FB_MAX_ADDRS; i++)
		assert_int_equal(fb_add(&fb, 0, "198.18.0.1"), 0);
	assert_int_equal(fb_add(&fb, 0, "198.18.0.1"), -1);
	assert_int_equal(fb.t[0].naddrs, FB_MAX_ADDRS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failures_fall_back),
		cmocka_unit_test(test_answers_win),
		cmocka_unit_test(test_per_target),
		cmocka_unit_test(test_result_and_port),
		cmocka_unit_test(test_bad_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
