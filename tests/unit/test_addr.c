/*
 * test_addr.c -- socket addresses and CIDR prefixes as users write them, plus
 * lib/util's durations, strict number parsing and seeded RNG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "lib/util.h"

static void
test_sockaddr_parse(void **state)
{
	(void)state;
	struct dd_sockaddr a, b;
	char buf[64];

	assert_int_equal(dd_sockaddr_parse("127.0.0.1:5300", -1, &a), 0);
	assert_int_equal(a.u.sa.sa_family, AF_INET);
	assert_int_equal(ntohs(a.u.sin.sin_port), 5300);
	assert_int_equal(a.len, sizeof(struct sockaddr_in));
	assert_string_equal(dd_sockaddr_str(&a, buf, sizeof(buf)), "127.0.0.1:5300");

	assert_int_equal(dd_sockaddr_parse("[::1]:5300", -1, &a), 0);
	assert_int_equal(a.u.sa.sa_family, AF_INET6);
	assert_int_equal(ntohs(a.u.sin6.sin6_port), 5300);
	assert_int_equal(a.len, sizeof(struct sockaddr_in6));
	assert_string_equal(dd_sockaddr_str(&a, buf, sizeof(buf)), "[::1]:5300");
	assert_string_equal(dd_sockaddr_ip_str(&a, buf, sizeof(buf)), "::1");

	/* default port */
	assert_int_equal(dd_sockaddr_parse("198.18.0.53", 53, &a), 0);
	assert_int_equal(ntohs(a.u.sin.sin_port), 53);
	assert_int_equal(dd_sockaddr_parse("fd00::53", 53, &a), 0);
	assert_int_equal(a.u.sa.sa_family, AF_INET6);
	assert_int_equal(ntohs(a.u.sin6.sin6_port), 53);
	assert_int_equal(dd_sockaddr_parse("[fd00::53]", 53, &a), 0);
	assert_int_equal(ntohs(a.u.sin6.sin6_port), 53);

	/* errors */
	static const char *const bad[] = { "198.18.0.53", "1.2.3.4:70000", "1.2.3.4:",
		"1.2.3.4:-1", "1.2.3.4:53x", "host.example:53", "[::1", "[::1]x", "[::1]:",
		"300.1.1.1:53", "", "[1.2.3.4]:53x" };
	for (size_t i = 0; i < DD_ARRAY_LEN(bad); i++)
		if (dd_sockaddr_parse(bad[i], -1, &a) != DD_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(dd_sockaddr_parse(NULL, 53, &a), DD_EINVAL);

	/* equality: address and port */
	dd_sockaddr_parse("198.18.0.1:53", -1, &a);
	dd_sockaddr_parse("198.18.0.1:53", -1, &b);
	assert_true(dd_sockaddr_equal(&a, &b));
	dd_sockaddr_parse("198.18.0.1:54", -1, &b);
	assert_false(dd_sockaddr_equal(&a, &b));
	dd_sockaddr_parse("[::ffff:198.18.0.1]:53", -1, &b);
	assert_false(dd_sockaddr_equal(&a, &b));
	dd_sockaddr_parse("[fd00::1]:53", -1, &a);
	dd_sockaddr_parse("[fd00::1]:53", -1, &b);
	assert_true(dd_sockaddr_equal(&a, &b));
}

static struct sockaddr_storage SS;

static const struct sockaddr *
sa(const char *ip)
{
	memset(&SS, 0, sizeof(SS));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&SS;
		s->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&SS;
		s->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
	}
	return (const struct sockaddr *)&SS;
}

static void
test_cidr_parse(void **state)
{
	(void)state;
	struct dd_cidr c;
	char buf[64];

	assert_int_equal(dd_cidr_parse("198.18.1.77/24", &c), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.prefix, 24);
	assert_string_equal(dd_cidr_str(&c, buf, sizeof(buf)), "198.18.1.0/24");
	assert_int_equal(dd_cidr_parse("198.19.255.255/15", &c), 0);
	assert_string_equal(dd_cidr_str(&c, buf, sizeof(buf)), "198.18.0.0/15");
	assert_int_equal(dd_cidr_parse("fd00:1:2::ff/8", &c), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_string_equal(dd_cidr_str(&c, buf, sizeof(buf)), "fd00::/8");
	assert_int_equal(dd_cidr_parse("198.18.0.9", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(dd_cidr_parse("fd00::9", &c), 0);
	assert_int_equal(c.prefix, 128);
	assert_int_equal(dd_cidr_parse("0.0.0.0/0", &c), 0);
	assert_int_equal(c.prefix, 0);

	static const char *const bad[] = { "198.18.0.0/33", "fd00::/129", "198.18.0.0/",
		"/24", "198.18.0.0/-1", "198.18.0.0/2x", "198.18.0/24", "example.com",
		"", "198.18.0.0/ 24", "1.2.3.4/+8" };
	for (size_t i = 0; i < DD_ARRAY_LEN(bad); i++)
		if (dd_cidr_parse(bad[i], &c) != DD_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(dd_cidr_parse(NULL, &c), DD_EINVAL);
}

static void
test_cidr_match(void **state)
{
	(void)state;
	struct dd_cidr c;

	dd_cidr_parse("198.18.1.0/24", &c);
	assert_true(dd_cidr_match(&c, sa("198.18.1.0")));
	assert_true(dd_cidr_match(&c, sa("198.18.1.255")));
	assert_false(dd_cidr_match(&c, sa("198.18.2.0")));
	assert_false(dd_cidr_match(&c, sa("198.18.0.255")));
	/* v4-mapped v6 sources match v4 prefixes */
	assert_true(dd_cidr_match(&c, sa("::ffff:198.18.1.9")));
	assert_false(dd_cidr_match(&c, sa("::ffff:198.18.9.9")));
	assert_false(dd_cidr_match(&c, sa("fd00::1")));
	assert_false(dd_cidr_match(&c, sa("::198.18.1.9")));   /* v4-compatible is not mapped */

	/* a prefix that is not a multiple of 8 */
	dd_cidr_parse("198.18.0.0/15", &c);
	assert_true(dd_cidr_match(&c, sa("198.19.255.255")));
	assert_false(dd_cidr_match(&c, sa("198.20.0.0")));
	assert_false(dd_cidr_match(&c, sa("198.17.255.255")));
	dd_cidr_parse("198.18.0.128/25", &c);
	assert_true(dd_cidr_match(&c, sa("198.18.0.200")));
	assert_false(dd_cidr_match(&c, sa("198.18.0.127")));

	dd_cidr_parse("0.0.0.0/0", &c);
	assert_true(dd_cidr_match(&c, sa("203.0.113.1")));
	assert_false(dd_cidr_match(&c, sa("fd00::1")));

	dd_cidr_parse("198.18.0.9", &c);
	assert_true(dd_cidr_match(&c, sa("198.18.0.9")));
	assert_false(dd_cidr_match(&c, sa("198.18.0.8")));

	dd_cidr_parse("fd00:1::/33", &c);
	assert_true(dd_cidr_match(&c, sa("fd00:1:7fff::1")));
	assert_false(dd_cidr_match(&c, sa("fd00:1:8000::1")));
	assert_false(dd_cidr_match(&c, sa("198.18.0.1")));

	assert_false(dd_cidr_match(NULL, sa("198.18.0.1")));
	assert_false(dd_cidr_match(&c, NULL));
}

static void
test_durations(void **state)
{
	(void)state;
	static const struct { const char *s; uint64_t us; } ok[] = {
		{ "250ms", 250000 }, { "2s", 2000000 }, { "1.5s", 1500000 },
		{ "3m", 180000000 }, { "100us", 100 }, { "250", 250000 },
		{ "0", 0 }, { "0.5ms", 500 }, { "1h", 3600000000ull }, { "2min", 120000000 },
	};
	static const char *const bad[] = { "", "ms", "fast", "-5ms", "5 s", "5sec",
		"5S", "inf", "nan", "1e400s", "5ms5" };
	uint64_t us;

	for (size_t i = 0; i < DD_ARRAY_LEN(ok); i++) {
		us = 12345;
		if (dd_duration_parse(ok[i].s, &us) != 0 || us != ok[i].us)
			fail_msg("'%s' -> %llu", ok[i].s, (unsigned long long)us);
	}
	for (size_t i = 0; i < DD_ARRAY_LEN(bad); i++)
		if (dd_duration_parse(bad[i], &us) != DD_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(dd_duration_parse(NULL, &us), DD_EINVAL);
}

static void
test_parse_numbers(void **state)
{
	(void)state;
	uint64_t u;
	double d;
	assert_int_equal(dd_parse_u64("42", &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(dd_parse_u64("18446744073709551615", &u), 0);
	assert_int_equal(dd_parse_u64("18446744073709551616", &u), DD_EINVAL);
	assert_int_equal(dd_parse_u64("-1", &u), DD_EINVAL);
	assert_int_equal(dd_parse_u64(" 1", &u), DD_EINVAL);
	assert_int_equal(dd_parse_u64("1 ", &u), DD_EINVAL);
	assert_int_equal(dd_parse_u64("", &u), DD_EINVAL);
	assert_int_equal(dd_parse_double("0.25", &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(dd_parse_double("0.25x", &d), DD_EINVAL);
	assert_int_equal(dd_parse_double("", &d), DD_EINVAL);
	assert_int_equal(dd_parse_double("inf", &d), DD_EINVAL);
	assert_int_equal(dd_parse_double("nan", &d), DD_EINVAL);
}

static void
test_rng(void **state)
{
	(void)state;
	struct dd_rng a, b, c;
	int buckets[10] = { 0 };

	dd_rng_seed(&a, 99);
	dd_rng_seed(&b, 99);
	dd_rng_seed(&c, 100);
	bool differs = false;
	for (int i = 0; i < 100; i++) {
		uint64_t x = dd_rng_next(&a);
		assert_int_equal(x, dd_rng_next(&b));
		if (x != dd_rng_next(&c))
			differs = true;
	}
	assert_true(differs);
	/* seed 0 is a fine seed (splitmix avoids the all-zero state) */
	dd_rng_seed(&a, 0);
	assert_true(dd_rng_next(&a) != 0 || dd_rng_next(&a) != 0);

	dd_rng_seed(&a, 5);
	for (int i = 0; i < 10000; i++) {
		double d = dd_rng_double(&a);
		assert_true(d >= 0.0 && d < 1.0);
		buckets[(int)(d * 10)]++;
	}
	for (int i = 0; i < 10; i++)
		if (buckets[i] < 850 || buckets[i] > 1150)
			fail_msg("bucket %d has %d of 10000", i, buckets[i]);
}

static void
test_clock(void **state)
{
	(void)state;
	uint64_t a = dd_now_us(), b = dd_now_us();
	assert_true(b >= a);
	assert_true(dd_now_ms() >= a / 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockaddr_parse),
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_match),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
