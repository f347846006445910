/*
 * test_dist.c -- the spread of a metric over repeated runs: quantiles by
 * linear interpolation, missing samples left out, and statistics that
 * a censored sample (a lower bound) could still move marked as at_least.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "lib/err.h"
#include "model/dist.h"

#define V(x) { .has = true, .v = (x) }
#define C(x) { .has = true, .censored = true, .v = (x) }
#define NONE { .has = false }

static void
expect_stat(const struct dist *d, enum dist_which w, double v, bool at_least)
{
	assert_true(d->stat[w].has);
	if (fabs(d->stat[w].v - v) > 1e-9)
		fail_msg("%s = %.12g, want %.12g", dist_which_name(w), d->stat[w].v, v);
	if (d->stat[w].at_least != at_least)
		fail_msg("%s at_least = %d, want %d", dist_which_name(w), d->stat[w].at_least,
		    at_least);
}

static void
test_empty(void **state)
{
	struct dist d;
	struct dist_sample none[2] = { NONE, NONE };

	(void)state;
	assert_int_equal(dist_of(NULL, 0, &d), 0);
	assert_int_equal(d.n, 0);
	assert_false(d.stat[DIST_MEDIAN].has);
	assert_int_equal(dist_of(none, 2, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.n_missing, 2);
	assert_false(d.stat[DIST_MAX].has);
}

static void
test_quantiles(void **state)
{
	struct dist d;
	struct dist_sample three[3] = { V(3), V(1), V(2) };
	struct dist_sample one[1] = { V(4.25) };
	struct dist_sample ten[10];

	(void)state;
	assert_int_equal(dist_of(three, 3, &d), 0);
	assert_int_equal(d.n, 3);
	expect_stat(&d, DIST_MIN, 1, false);
	expect_stat(&d, DIST_MEDIAN, 2, false);
	expect_stat(&d, DIST_P90, 2.8, false);   /* h = 1.8: 2 + 0.8 * (3 - 2) */
	expect_stat(&d, DIST_MAX, 3, false);

	assert_int_equal(dist_of(one, 1, &d), 0);
	for (int w = 0; w < DIST_WHICH_COUNT; w++)
		expect_stat(&d, (enum dist_which)w, 4.25, false);

	for (int i = 0; i < 10; i++)
		ten[i] = (struct dist_sample)V(10 - i);
	assert_int_equal(dist_of(ten, 10, &d), 0);
	expect_stat(&d, DIST_MEDIAN, 5.5, false);
	expect_stat(&d, DIST_P90, 9.1, false);
}

static void
test_missing_left_out(void **state)
{
	struct dist d;
	struct dist_sample s[5] = { V(1), NONE, V(3), V(NAN), V(2) };

	(void)state;
	assert_int_equal(dist_of(s, 5, &d), 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.n_missing, 2);
	expect_stat(&d, DIST_MEDIAN, 2, false);
}

/* A run that ended before recovery: its bound sits in the order; the
 * statistics reading its rank (or above) are lower bounds, the ones below
 * stay exact. */
static void
test_censored_high(void **state)
{
	struct dist d;
	struct dist_sample s[5] = { V(1), V(2), C(10), V(3), V(4) };

	(void)state;
	assert_int_equal(dist_of(s, 5, &d), 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.n_censored, 1);
	expect_stat(&d, DIST_MIN, 1, false);
	expect_stat(&d, DIST_MEDIAN, 3, false);
	expect_stat(&d, DIST_P90, 7.6, true);    /* h = 3.6: 4 + 0.6 * (10 - 4) */
	expect_stat(&d, DIST_MAX, 10, true);
}

static void
test_censored_low(void **state)
{
	struct dist d;
	struct dist_sample s[3] = { V(2), C(0.5), V(3) };

	(void)state;
	assert_int_equal(dist_of(s, 3, &d), 0);
	expect_stat(&d, DIST_MIN, 0.5, true);
	expect_stat(&d, DIST_MEDIAN, 2, true);    /* the bound could pass 2 */
	expect_stat(&d, DIST_MAX, 3, true);
}

/* an exact value and a bound equal to it: the exact one is read first */
static void
test_tie(void **state)
{
	struct dist d;
	struct dist_sample s[2] = { C(5), V(5) };

	(void)state;
	assert_int_equal(dist_of(s, 2, &d), 0);
	expect_stat(&d, DIST_MIN, 5, false);
	expect_stat(&d, DIST_MAX, 5, true);
}

static void
test_names(void **state)
{
	enum dist_which w;

	(void)state;
	for (int i = 0; i < DIST_WHICH_COUNT; i++) {
		assert_int_equal(dist_which_parse(dist_which_name((enum dist_which)i), &w), 0);
		assert_int_equal(w, i);
	}
	assert_string_equal(dist_which_name(DIST_P90), "p90");
	assert_int_equal(dist_which_parse("p99", &w), DD_EINVAL);
	assert_int_equal(dist_which_parse(NULL, &w), DD_EINVAL);
	assert_string_equal(dist_which_name(DIST_WHICH_COUNT), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_missing_left_out),
		cmocka_unit_test(test_censored_high),
		cmocka_unit_test(test_censored_low),
		cmocka_unit_test(test_tie),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
