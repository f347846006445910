/*
 * test_failover.c -- the demo regional client's decisions (sut/failover.c),
 * fed request and probe outcomes by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sut/failover.h"

static int
req(struct failover *f, int region, bool ok, struct fo_event ev[FO_MAX_EVENTS])
{
	return fo_request_done(f, region, ok, ev);
}

/* healthy at start, one failure is noticed at once, N fail over */
static void
test_degrade_then_failover(void **state)
{
	struct failover f;
	struct fo_event ev[FO_MAX_EVENTS];
	int n;

	(void)state;
	fo_init(&f, 3, 3, true);
	assert_int_equal(fo_state(&f), FO_STARTING);
	n = req(&f, 0, true, ev);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, FO_EV_HEALTHY);
	assert_int_equal(fo_state(&f), FO_HEALTHY);

	n = req(&f, 0, false, ev);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, FO_EV_DEGRADED);
	assert_int_equal(ev[0].region, 0);
	assert_int_equal(ev[0].count, 1);
	assert_int_equal(fo_state(&f), FO_DEGRADED);
	assert_int_equal(req(&f, 0, false, ev), 0);     /* second: nothing new */
	n = req(&f, 0, false, ev);                      /* third: fail over */
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, FO_EV_FAILOVER);
	assert_int_equal(ev[0].from, 0);
	assert_int_equal(ev[0].to, 1);
	assert_int_equal(ev[0].count, 3);
	assert_int_equal(fo_state(&f), FO_FAILED_OVER);
	assert_int_equal(f.serving, 1);
	assert_true(fo_probing(&f));
	assert_int_equal(f.failovers, 1);
}

/* a success in between resets the count: no failover */
static void
test_flap_does_not_fail_over(void **state)
{
	struct failover f;
	struct fo_event ev[FO_MAX_EVENTS];

	(void)state;
	fo_init(&f, 3, 3, true);
	req(&f, 0, true, ev);
	req(&f, 0, false, ev);
	req(&f, 0, false, ev);
	req(&f, 0, true, ev);
	req(&f, 0, false, ev);
	req(&f, 0, false, ev);
	assert_int_equal(f.serving, 0);
	assert_int_equal(f.failovers, 0);
}

/* while failed over, recover_after good probes in a row fail back; a bad
 * probe resets the streak */
static void
test_failback_needs_a_streak(void **state)
{
	struct failover f;
	struct fo_event ev[FO_MAX_EVENTS];
	int n;

	(void)state;
	fo_init(&f, 1, 3, true);
	req(&f, 0, true, ev);
	req(&f, 0, false, ev);
	assert_int_equal(f.serving, 1);
	assert_int_equal(fo_probe_done(&f, true, ev), 0);
	assert_int_equal(fo_probe_done(&f, true, ev), 0);
	assert_int_equal(fo_probe_done(&f, false, ev), 0);   /* streak reset */
	assert_int_equal(fo_probe_done(&f, true, ev), 0);
	assert_int_equal(fo_probe_done(&f, true, ev), 0);
	n = fo_probe_done(&f, true, ev);
	assert_int_equal(n >= 1, 1);
	assert_int_equal(ev[0].kind, FO_EV_FAILBACK);
	assert_int_equal(ev[0].from, 1);
	assert_int_equal(ev[0].to, 0);
	assert_int_equal(ev[0].count, 3);
	assert_int_equal(f.serving, 0);
	assert_false(fo_probing(&f));
	/* the first good request on the primary again: healthy */
	n = req(&f, 0, true, ev);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, FO_EV_HEALTHY);
	assert_int_equal(ev[0].region, 0);
	assert_int_equal(fo_state(&f), FO_HEALTHY);
}

/* --no-failover: degraded forever, never failed over, probes ignored */
static void
test_no_failover(void **state)
{
	struct failover f;
	struct fo_event ev[FO_MAX_EVENTS];

	(void)state;
	fo_init(&f, 2, 2, false);
	req(&f, 0, true, ev);
	for (int i = 0; i < 10; i++)
		req(&f, 0, false, ev);
	assert_int_equal(f.serving, 0);
	assert_int_equal(fo_state(&f), FO_DEGRADED);
	assert_false(fo_probing(&f));
	assert_int_equal(fo_probe_done(&f, true, ev), 0);
	assert_int_equal(f.failed_in_a_row, 10);
	assert_false(f.last_ok);
}

/* failures on the secondary only mark it degraded: there is no third region */
static void
test_secondary_failures(void **state)
{
	struct failover f;
	struct fo_event ev[FO_MAX_EVENTS];
	int n;

	(void)state;
	fo_init(&f, 1, 3, true);
	req(&f, 0, true, ev);
	req(&f, 0, false, ev);
	req(&f, 1, true, ev);
	n = req(&f, 1, false, ev);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, FO_EV_DEGRADED);
	assert_int_equal(ev[0].region, 1);
	for (int i = 0; i < 5; i++)
		req(&f, 1, false, ev);
	assert_int_equal(f.serving, 1);
	assert_int_equal(f.failovers, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degrade_then_failover),
		cmocka_unit_test(test_flap_does_not_fail_over),
		cmocka_unit_test(test_failback_needs_a_streak),
		cmocka_unit_test(test_no_failover),
		cmocka_unit_test(test_secondary_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
