/*
 * test_resolvconf.c -- a host's resolv.conf written from what the scenario
 * says and nothing more, and read back the way glibc's stub reads its
 * timeout and attempts (defaults 5 and 2, caps 30 and 5, a later option
 * winning); timeout and attempts also in the spellings c-ares 1.18 reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness/resolvconf.h"

static void
test_format_plain(void **state)
{
	const char *sv[] = { "198.18.0.53", "fd00::53", "fe80::1%lan0" };
	struct dd_err err = { "" };
	char *text = NULL;

	(void)state;
	assert_int_equal(resolvconf_format(sv, 3, NULL, &text, &err), 0);
	assert_string_equal(text, "nameserver 198.18.0.53\nnameserver fd00::53\n"
	    "nameserver fe80::1%lan0\n");
	free(text);
	/* options not set write no options line at all */
	struct resolvconf_opts o = RESOLVCONF_OPTS_INIT;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), 0);
	assert_string_equal(text, "nameserver 198.18.0.53\n");
	free(text);
}

static void
test_format_options(void **state)
{
	const char *sv[] = { "198.18.0.53" };
	struct resolvconf_opts o = RESOLVCONF_OPTS_INIT;
	struct dd_err err = { "" };
	char *text = NULL;

	(void)state;
	o.timeout = 1;
	o.attempts = 2;
	o.rotate = true;
	o.ndots = 0;
	o.trust_ad = true;
	o.single_request_reopen = true;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), 0);
	assert_string_equal(text, "nameserver 198.18.0.53\n"
	    "options timeout:1 attempts:2 ndots:0 rotate single-request-reopen trust-ad "
	    "retrans:1000 retry:2\n");
	free(text);
}

/* rotate and ndots alone are written alone; timeout and attempts reach a
 * c-ares 1.18 client too (retrans: in ms, retry:), each only when stated */
static void
test_format_cares_spellings(void **state)
{
	const char *sv[] = { "198.18.0.53", "198.18.0.54" };
	struct resolvconf_opts o = RESOLVCONF_OPTS_INIT;
	struct dd_err err = { "" };
	char *text = NULL;

	(void)state;
	o.rotate = true;
	o.ndots = 15;
	assert_int_equal(resolvconf_format(sv, 2, &o, &text, &err), 0);
	assert_string_equal(text, "nameserver 198.18.0.53\nnameserver 198.18.0.54\n"
	    "options ndots:15 rotate\n");
	free(text);
	o = (struct resolvconf_opts)RESOLVCONF_OPTS_INIT;
	o.timeout = 3;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), 0);
	assert_string_equal(text, "nameserver 198.18.0.53\noptions timeout:3 retrans:3000\n");
	free(text);
	o = (struct resolvconf_opts)RESOLVCONF_OPTS_INIT;
	o.attempts = 5;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), 0);
	assert_string_equal(text, "nameserver 198.18.0.53\noptions attempts:5 retry:5\n");
	free(text);
	o.ndots = 16;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "ndots = 16"));
}

/* what is written reads back, glibc's way, as what was stated: the c-ares
 * spellings change nothing for glibc */
static void
test_format_reads_back(void **state)
{
	const char *sv[] = { "198.18.0.53" };
	struct resolvconf_opts o = RESOLVCONF_OPTS_INIT;
	struct dd_err err = { "" };
	char *text = NULL;
	int t = 0, a = 0;

	(void)state;
	o.timeout = 2;
	o.attempts = 3;
	o.rotate = true;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), 0);
	resolvconf_stub_wait(text, &t, &a);
	assert_int_equal(t, 2);
	assert_int_equal(a, 3);
	free(text);
}

static void
test_format_errors(void **state)
{
	const char *sv[] = { "198.18.0.53" }, *bad[] = { "198.18.0.53", "ns1.example" };
	struct resolvconf_opts o = RESOLVCONF_OPTS_INIT;
	struct dd_err err = { "" };
	char *text = NULL;

	(void)state;
	assert_int_equal(resolvconf_format(sv, 0, NULL, &text, &err), DD_EINVAL);
	assert_string_equal(err.msg, "no nameserver given");
	assert_int_equal(resolvconf_format(bad, 2, NULL, &text, &err), DD_EINVAL);
	assert_string_equal(err.msg, "nameserver 'ns1.example' is not an IPv4 or IPv6 address");
	assert_null(text);
	o.timeout = 31;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "timeout = 31"));
	o.timeout = 1;
	o.attempts = 0;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "attempts = 0"));
	o.attempts = 1;
	o.ndots = -1;
	assert_int_equal(resolvconf_format(sv, 1, &o, &text, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "ndots = -1"));
	assert_null(text);
}

/* the longest wait on silent servers, glibc's way and c-ares's way */
static void
test_stub_worst(void **state)
{
	struct resolvconf_wait w;

	(void)state;
	/* nothing said: glibc 5 s x 2; c-ares 5 s doubling over 4 tries */
	resolvconf_stub_worst("nameserver 198.18.0.53\n", &w);
	assert_int_equal(w.servers, 1);
	assert_int_equal(w.glibc_s, 10);
	assert_int_equal(w.cares_timeout_s, 5);
	assert_int_equal(w.cares_tries, 4);
	assert_int_equal(w.cares_s, 5 + 10 + 20 + 40);
	/* the file dnsdrill writes for timeout 1, attempts 1 */
	resolvconf_stub_worst("nameserver 198.18.0.53\noptions timeout:1 attempts:1 "
	    "retrans:1000 retry:1\n", &w);
	assert_int_equal(w.glibc_s, 1);
	assert_int_equal(w.cares_s, 1);
	/* two servers, timeout 1, attempts 2: glibc 1 + (1<<1)/2 per round;
	 * c-ares 1, 1, then the second round doubled: 2, 2 */
	resolvconf_stub_worst("nameserver 198.18.0.53\nnameserver\t198.18.0.54\n"
	    "options timeout:1 attempts:2\n", &w);
	assert_int_equal(w.servers, 2);
	assert_int_equal(w.glibc_s, 4);
	assert_int_equal(w.cares_s, 6);
	/* three servers, glibc's defaults: 5 + 10/3 + 20/3 = 14 per round */
	resolvconf_stub_worst("nameserver 198.18.0.1\nnameserver 198.18.0.2\n"
	    "nameserver 198.18.0.3\noptions retry:3 retrans:2500\n", &w);
	assert_int_equal(w.glibc_s, 28);
	assert_int_equal(w.cares_tries, 3);      /* c-ares 1.18's own words */
	assert_int_equal(w.cares_timeout_s, 3);  /* 2500 ms, rounded up */
	assert_int_equal(w.cares_s, 3 * 3 + 6 * 3 + 12 * 3);
	/* glibc uses 3 servers at most; c-ares all of them */
	resolvconf_stub_worst("nameserver 198.18.0.1\nnameserver 198.18.0.2\n"
	    "nameserver 198.18.0.3\nnameserver 198.18.0.4\n"
	    "options timeout:2 attempts:1\n", &w);
	assert_int_equal(w.servers, 4);
	assert_int_equal(w.glibc_s, 2 + 4 / 3 + 8 / 3);
	assert_int_equal(w.cares_s, 4 * 2);
	/* an empty file */
	resolvconf_stub_worst(NULL, &w);
	assert_int_equal(w.servers, 1);
	assert_int_equal(w.glibc_s, 10);
}

static void
test_stub_wait(void **state)
{
	int t = 0, a = 0;

	(void)state;
	resolvconf_stub_wait(NULL, &t, &a);
	assert_int_equal(t, 5);
	assert_int_equal(a, 2);
	resolvconf_stub_wait("nameserver 198.18.0.53\n", &t, &a);
	assert_int_equal(t, 5);
	assert_int_equal(a, 2);
	resolvconf_stub_wait("nameserver 198.18.0.53\noptions timeout:1 attempts:1\n", &t, &a);
	assert_int_equal(t, 1);
	assert_int_equal(a, 1);
	/* a later option wins; the caps; a tab after "options"; no newline */
	resolvconf_stub_wait("options timeout:3\n# options timeout:9\noptions\trotate timeout:99 "
	    "attempts:2\noptions attempts:7", &t, &a);
	assert_int_equal(t, 30);
	assert_int_equal(a, 5);
	/* not an options line */
	resolvconf_stub_wait("optionstimeout:1\n options timeout:1\n", &t, &a);
	assert_int_equal(t, 5);
	assert_int_equal(a, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_plain),
		cmocka_unit_test(test_format_options),
		cmocka_unit_test(test_format_cares_spellings),
		cmocka_unit_test(test_format_reads_back),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_stub_wait),
		cmocka_unit_test(test_stub_worst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
