/*
 * test_score.c -- the event log and scoring on hand-made logs: every metric,
 * stability windows (including a flap inside one), never-observed metrics,
 * exact boundaries, fault-window rules, and expectation parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "model/elog.h"
#include "model/score.h"

/* ------------------------------------------------------------------ */
/* helpers */

static const struct score_match SVC = { .set = true, .kind = ELOG_PROBE,
    .source = "svc" };

/* Service probe results every `step` ms in [from, to): ok unless the time
 * is listed in fails[] (terminated by UINT64_MAX). */
static void
probes(struct elog *log, const char *name, uint64_t from, uint64_t to,
    uint64_t step, const uint64_t *fails)
{
	for (uint64_t t = from; t < to; t += step) {
		bool ok = true;

		for (const uint64_t *f = fails; f && *f != UINT64_MAX; f++)
			if (*f == t)
				ok = false;
		assert_int_equal(elog_probe(log, t, name, ok, 5.0,
		    ok ? "200" : "timeout"), 0);
	}
}

static void
score(const struct elog *log, const struct score_defs *d,
    struct score_result *r)
{
	assert_int_equal(score_run(log, d, r), 0);
}

#define assert_metric(r, m, val) do {                                  \
	assert_true((r)->metric[m].has);                                \
	assert_true(fabs((r)->metric[m].v - (val)) < 1e-9);             \
} while (0)

#define assert_null_metric(r, m, reason) do {                          \
	assert_false((r)->metric[m].has);                               \
	assert_non_null(strstr((r)->metric[m].why, (reason)));          \
} while (0)

/* ------------------------------------------------------------------ */
/* event log */

static void
test_log_order_and_copy(void **state)
{
	struct elog *log = elog_new();
	char name[8] = "svc";

	(void)state;
	assert_non_null(log);
	assert_int_equal(elog_probe(log, 100, name, true, 1.5, "ok"), 0);
	name[0] = 'X'; /* the log keeps its own copy */
	assert_int_equal(elog_mark(log, 300, "runner", "c"), 0);
	assert_int_equal(elog_rate(log, 200, "veth0", 12.5, 1000), 0);
	assert_int_equal(elog_mark(log, 200, "runner", "b2"), 0);
	assert_int_equal(elog_rate(log, 50, NULL, 1, 1000), 0);
	assert_int_equal(log->n, 5);
	assert_int_equal(log->ev[0].t_ms, 50);
	assert_string_equal(log->ev[0].source, "");
	assert_string_equal(log->ev[1].source, "svc");
	assert_true(log->ev[1].u.probe.ok);
	/* equal timestamps keep arrival order */
	assert_int_equal(log->ev[2].kind, ELOG_RATE);
	assert_string_equal(log->ev[3].text, "b2");
	assert_string_equal(log->ev[4].text, "c");
	assert_int_equal(elog_last_ms(log), 300);
	elog_free(log);
	elog_free(NULL);
	assert_int_equal(elog_last_ms(NULL), 0);
}

static void
test_log_truncates_on_utf8_boundary(void **state)
{
	struct elog *log = elog_new();
	char big[ELOG_TEXT_MAX + 16];
	size_t n;

	(void)state;
	/* 'a' then two-byte characters, so the cut lands mid-character */
	big[0] = 'a';
	for (n = 1; n + 2 < sizeof(big); n += 2) {
		big[n] = (char)0xC3;
		big[n + 1] = (char)0xA9; /* é */
	}
	big[n] = '\0';
	assert_int_equal(elog_watch(log, 1, "w", big), 0);
	n = strlen(log->ev[0].text);
	assert_true(n <= ELOG_TEXT_MAX);
	assert_int_equal(n, ELOG_TEXT_MAX - 1); /* é dropped whole */
	assert_int_equal((unsigned char)log->ev[0].text[n - 1], 0xA9);
	elog_free(log);
}

static void
test_log_bad_input(void **state)
{
	struct elog *log = elog_new();
	struct elog_ev e = { .kind = ELOG_KIND_COUNT };
	enum elog_kind k;

	(void)state;
	assert_int_equal(elog_add(log, &e), DD_EINVAL);
	assert_int_equal(elog_add(NULL, &e), DD_EINVAL);
	assert_int_equal(elog_add(log, NULL), DD_EINVAL);
	assert_int_equal(log->n, 0);
	for (int i = 0; i < ELOG_KIND_COUNT; i++) {
		assert_int_equal(elog_kind_parse(elog_kind_name((enum elog_kind)i),
		    &k), 0);
		assert_int_equal(k, i);
	}
	assert_int_equal(elog_kind_parse("prob", &k), DD_EINVAL);
	assert_string_equal(elog_kind_name(ELOG_KIND_COUNT), "?");
	elog_free(log);
}

static void
test_log_grows(void **state)
{
	struct elog *log = elog_new();
	char text[64];

	(void)state;
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(text, sizeof(text), "line %u", i);
		assert_int_equal(elog_watch(log, 4999 - i, "w", text), 0);
	}
	assert_int_equal(log->n, 5000);
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(text, sizeof(text), "line %u", 4999 - i);
		assert_int_equal(log->ev[i].t_ms, i);
		assert_string_equal(log->ev[i].text, text);
	}
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* matcher */

static void
test_match(void **state)
{
	struct elog *log = elog_new();
	struct score_match m = { .set = true, .kind = ELOG_PROBE, .source = "svc",
	    .outcome = SCORE_FAIL };
	struct score_match w = { .set = true, .kind = ELOG_WATCH, .text = "unhealthy",
	    .outcome = SCORE_FAIL /* ignored for watches */ };
	struct score_match unset = { .kind = ELOG_PROBE };

	(void)state;
	elog_probe(log, 1, "svc", false, 0, "");
	elog_probe(log, 2, "svc", true, 0, "");
	elog_probe(log, 3, "svc2", false, 0, "");
	elog_watch(log, 4, "app", "region us-east-1 unhealthy now");
	assert_true(score_match(&m, &log->ev[0]));
	assert_false(score_match(&m, &log->ev[1]));
	assert_false(score_match(&m, &log->ev[2]));
	assert_false(score_match(&m, &log->ev[3]));
	assert_true(score_match(&w, &log->ev[3]));
	assert_false(score_match(&w, &log->ev[0]));
	assert_false(score_match(&unset, &log->ev[0]));
	assert_false(score_match(NULL, &log->ev[0]));
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* fault window */

static void
test_fault_window_default_multi_target(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { 0 };
	struct score_result r;

	(void)state;
	elog_mark(log, 0, "runner", "start");
	elog_fault(log, 10000, true, "dns1", "action=empty");
	elog_fault(log, 12000, true, "dns2", "action=servfail");
	elog_fault(log, 20000, false, "dns1", "clear");
	elog_fault(log, 30000, false, "dns2", "clear");
	elog_mark(log, 50000, "runner", "end");
	score(log, &d, &r);
	assert_true(r.fault_found);
	assert_int_equal(r.fault_start_ms, 10000);
	assert_true(r.fault_cleared);
	assert_int_equal(r.fault_end_ms, 30000);
	score_result_fini(&r);

	/* a clear with no target clears everything */
	elog_fault(log, 12500, false, "", "clear all");
	score(log, &d, &r);
	assert_int_equal(r.fault_end_ms, 12500);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_fault_window_never_cleared(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { .service = SVC, .primary = SVC };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "action=drop");
	probes(log, "svc", 0, 20001, 1000, NULL);
	score(log, &d, &r);
	assert_true(r.fault_found);
	assert_false(r.fault_cleared);
	assert_int_equal(r.fault_end_ms, 20000); /* horizon: last event */
	/* probes at 10000..20000 inclusive */
	assert_metric(&r, SCORE_AVAILABILITY, 1.0);
	assert_null_metric(&r, SCORE_RECOVERY, "fault never cleared");
	score_result_fini(&r);

	d.horizon_ms = 25000;
	score(log, &d, &r);
	assert_int_equal(r.fault_end_ms, 25000);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_fault_window_explicit(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { 0 };
	struct score_result r;

	(void)state;
	elog_phase(log, 5000, true, "fault");
	elog_fault(log, 6000, true, "dns1", "x");
	elog_fault(log, 9000, false, "dns1", "x");
	elog_phase(log, 12000, false, "fault");

	d.fault_start = (struct score_match){ .set = true, .kind = ELOG_PHASE_START,
	    .source = "fault" };
	d.fault_end = (struct score_match){ .set = true, .kind = ELOG_PHASE_END,
	    .source = "fault" };
	score(log, &d, &r);
	assert_int_equal(r.fault_start_ms, 5000);
	assert_int_equal(r.fault_end_ms, 12000);
	score_result_fini(&r);

	/* explicit times win over matchers */
	d.fault_start_set = true;
	d.fault_start_ms = 7000;
	d.fault_end_set = true;
	d.fault_end_ms = 8000;
	score(log, &d, &r);
	assert_int_equal(r.fault_start_ms, 7000);
	assert_int_equal(r.fault_end_ms, 8000);
	assert_true(r.fault_cleared);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_no_fault_everything_null(void **state)
{
	struct elog *log = elog_new();
	struct score_expect ex[2];
	struct score_defs d = { .service = SVC, .expect = ex, .n_expect = 2 };
	struct score_result r;

	(void)state;
	assert_int_equal(score_expect_parse("failover_s < 3", &ex[0], NULL), 0);
	assert_int_equal(score_expect_parse("availability >= 0.9", &ex[1],
	    NULL), 0);
	probes(log, "svc", 0, 10000, 1000, NULL);
	score(log, &d, &r);
	assert_false(r.fault_found);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		assert_null_metric(&r, m, "no fault start");
	assert_false(r.pass);
	assert_int_equal(r.n_checks, 2);
	assert_false(r.checks[0].pass);
	assert_false(r.checks[0].has_observed);
	assert_string_equal(r.checks[0].message,
	    "failover_s never observed (no fault start in the log)");
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* detection */

static void
test_detection(void **state)
{
	struct elog *log = elog_new();
	struct score_match det[2] = {
		{ .set = true, .kind = ELOG_WATCH, .source = "app",
		    .text = "unhealthy" },
		{ .set = true, .kind = ELOG_PROBE, .source = "health",
		    .outcome = SCORE_FAIL },
	};
	struct score_defs d = { .detect = det, .n_detect = 2 };
	struct score_result r;

	(void)state;
	elog_watch(log, 5000, "app", "endpoint unhealthy (before fault)");
	elog_fault(log, 10000, true, "dns1", "action=empty");
	elog_watch(log, 10400, "app", "all good");
	elog_probe(log, 11000, "health", true, 1, "");
	elog_watch(log, 11500, "other", "unhealthy");
	elog_probe(log, 12250, "health", false, 1, "503");
	elog_watch(log, 13000, "app", "endpoint unhealthy");
	elog_fault(log, 40000, false, "dns1", "");
	score(log, &d, &r);
	assert_metric(&r, SCORE_DETECTION, 2.25);
	score_result_fini(&r);

	/* only the watch: 3.0 */
	d.n_detect = 1;
	score(log, &d, &r);
	assert_metric(&r, SCORE_DETECTION, 3.0);
	score_result_fini(&r);

	/* no matcher defined */
	d.n_detect = 0;
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_DETECTION, "no detection event defined");
	score_result_fini(&r);
	elog_free(log);
}

static void
test_detection_boundaries(void **state)
{
	struct elog *log = elog_new();
	struct score_match det = { .set = true, .kind = ELOG_WATCH, .source = "app" };
	struct score_defs d = { .detect = &det, .n_detect = 1 };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 20000, false, "dns1", "");
	elog_watch(log, 20000, "app", "at the clear: outside");
	elog_watch(log, 25000, "app", "after");
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_DETECTION, "no detection event during");
	score_result_fini(&r);

	/* exactly at the fault start: inside, 0 s */
	elog_watch(log, 10000, "app", "at start");
	score(log, &d, &r);
	assert_metric(&r, SCORE_DETECTION, 0.0);
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* failover and availability */

/* Fault 10000..40000, probes each second from 0 to 50000 (offset 500). */
static struct elog *
failover_log(const uint64_t *fails)
{
	struct elog *log = elog_new();

	elog_fault(log, 10000, true, "dns1", "action=empty");
	elog_fault(log, 40000, false, "dns1", "");
	probes(log, "svc", 500, 50000, 1000, fails);
	return log;
}

static void
test_failover_basic(void **state)
{
	static const uint64_t fails[] = { 10500, 11500, 12500, 13500,
	    UINT64_MAX };
	struct elog *log = failover_log(fails);
	struct score_defs d = { .service = SVC, .stable_ms = 3000 };
	struct score_result r;

	(void)state;
	score(log, &d, &r);
	assert_true(r.service_disrupted);
	assert_metric(&r, SCORE_FAILOVER, 4.5);
	/* 30 results in [10000, 40000): 4 failed */
	assert_metric(&r, SCORE_AVAILABILITY, 26.0 / 30.0);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_failover_flap_inside_window(void **state)
{
	/* ok at 14500, 15500, then a flap at 16500: the window from 14500
	 * (needs 14500..17500) is spoiled; 17500 starts the stable one. */
	static const uint64_t fails[] = { 10500, 11500, 12500, 13500, 16500,
	    UINT64_MAX };
	struct elog *log = failover_log(fails);
	struct score_defs d = { .service = SVC, .stable_ms = 3000 };
	struct score_result r;

	(void)state;
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 7.5);
	assert_metric(&r, SCORE_AVAILABILITY, 25.0 / 30.0);
	score_result_fini(&r);

	/* with a 2 s window, 14500..16500 holds: a fail exactly at
	 * T + stable does not spoil it */
	d.stable_ms = 2000;
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 4.5);
	score_result_fini(&r);

	/* one ms more and it does */
	d.stable_ms = 2001;
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 7.5);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_failover_never_failed_is_zero(void **state)
{
	struct elog *log = failover_log(NULL);
	struct score_defs d = { .service = SVC, .stable_ms = 5000 };
	struct score_result r;

	(void)state;
	score(log, &d, &r);
	assert_false(r.service_disrupted);
	assert_metric(&r, SCORE_FAILOVER, 0.0);
	assert_metric(&r, SCORE_AVAILABILITY, 1.0);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_failover_never_stable(void **state)
{
	uint64_t fails[64];
	size_t n = 0;
	struct elog *log;
	struct score_defs d = { .service = SVC, .stable_ms = 3000 };
	struct score_result r;

	(void)state;
	/* failing the whole fault, fine again once it is cleared */
	for (uint64_t t = 10500; t < 40000; t += 1000)
		fails[n++] = t;
	fails[n] = UINT64_MAX;
	log = failover_log(fails);
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_FAILOVER, "never stable again");
	assert_metric(&r, SCORE_AVAILABILITY, 0.0);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_failover_window_must_close_in_fault(void **state)
{
	/* Failing until 35500, ok from 36500: with stable 3000 the window
	 * 36500..39500 closes before the clear at 40000 -> 26.5.  With
	 * 3500 it ends exactly at the clear (40000): still counts.  With
	 * 3501 it would need the fault to hold past its end: null. */
	uint64_t fails[64];
	size_t n = 0;
	struct elog *log;
	struct score_defs d = { .service = SVC, .stable_ms = 3000 };
	struct score_result r;

	(void)state;
	for (uint64_t t = 10500; t <= 35500; t += 1000)
		fails[n++] = t;
	fails[n] = UINT64_MAX;
	log = failover_log(fails);
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 26.5);
	score_result_fini(&r);
	d.stable_ms = 3500;
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 26.5);
	score_result_fini(&r);
	d.stable_ms = 3501;
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_FAILOVER, "never stable");
	score_result_fini(&r);
	elog_free(log);
}

static void
test_failover_zero_stable_and_same_ms(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { .service = SVC, .stable_ms = 0 };
	struct score_result r;

	(void)state;
	elog_fault(log, 1000, true, "dns1", "");
	elog_probe(log, 1100, "svc", false, 0, "");
	/* an ok and a fail in the same ms: not stable from there */
	elog_probe(log, 1200, "svc", false, 0, "");
	elog_probe(log, 1200, "svc", true, 0, "");
	elog_probe(log, 1300, "svc", true, 0, "");
	elog_fault(log, 2000, false, "dns1", "");
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 0.3);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_availability_boundaries(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { .service = SVC };
	struct score_result r;

	(void)state;
	elog_probe(log, 9999, "svc", false, 0, "before");
	elog_fault(log, 10000, true, "dns1", "");
	elog_probe(log, 10000, "svc", true, 0, "at start: in");
	elog_probe(log, 15000, "svc", false, 0, "");
	elog_probe(log, 15000, "other", false, 0, "other probe");
	elog_fault(log, 20000, false, "dns1", "");
	elog_probe(log, 20000, "svc", false, 0, "at clear: out");
	score(log, &d, &r);
	assert_metric(&r, SCORE_AVAILABILITY, 0.5);
	score_result_fini(&r);

	/* no results during the fault */
	d.service.source = "nope";
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_AVAILABILITY, "no service probe results");
	assert_null_metric(&r, SCORE_FAILOVER, "no service probe results");
	score_result_fini(&r);

	memset(&d.service, 0, sizeof(d.service));
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_AVAILABILITY, "no service probe defined");
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* recovery */

static void
test_recovery_probe(void **state)
{
	/* primary-path probe fails from 11000 (SUT on secondary) until
	 * 42000; fault cleared at 40000; ok from 43000, stable 2000. */
	struct elog *log = elog_new();
	struct score_match prim = { .set = true, .kind = ELOG_PROBE,
	    .source = "on-primary" };
	struct score_defs d = { .primary = prim, .stable_ms = 2000 };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 40000, false, "dns1", "");
	for (uint64_t t = 0; t <= 60000; t += 1000)
		elog_probe(log, t, "on-primary", t < 11000 || t >= 43000, 0,
		    "");
	elog_probe(log, 44000, "on-primary", true, 0, "dup same ms");
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 3.0);
	score_result_fini(&r);

	/* horizon too short for the stable window */
	d.horizon_ms = 44999;
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_RECOVERY, "never stable");
	score_result_fini(&r);
	d.horizon_ms = 45000;
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 3.0);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_recovery_never_left_primary(void **state)
{
	struct elog *log = elog_new();
	struct score_match prim = { .set = true, .kind = ELOG_PROBE,
	    .source = "on-primary" };
	struct score_defs d = { .primary = prim, .stable_ms = 2000 };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 40000, false, "dns1", "");
	elog_probe(log, 9000, "on-primary", false, 0, "before: ignored");
	/* first ok after the clear is at 40500: 0, not 0.5 */
	for (uint64_t t = 10500; t <= 50000; t += 1000)
		elog_probe(log, t, "on-primary", true, 0, "");
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 0.0);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_recovery_watch_with_lost(void **state)
{
	struct elog *log = elog_new();
	struct score_match prim = { .set = true, .kind = ELOG_WATCH, .source = "app",
	    .text = "using primary" };
	struct score_match lost = { .set = true, .kind = ELOG_WATCH, .source = "app",
	    .text = "using secondary" };
	struct score_defs d = { .primary = prim, .primary_lost = lost,
	    .stable_ms = 5000 };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_watch(log, 12000, "app", "using secondary");
	elog_fault(log, 40000, false, "dns1", "");
	elog_watch(log, 41000, "app", "using primary");
	elog_watch(log, 43000, "app", "using secondary"); /* flap */
	elog_watch(log, 44000, "app", "using primary");
	elog_mark(log, 49000, "runner", "end");
	score(log, &d, &r);
	/* 44000 + 5000 = 49000 <= horizon 49000 */
	assert_metric(&r, SCORE_RECOVERY, 4.0);
	score_result_fini(&r);

	/* without primary_lost the first match is already stable */
	memset(&d.primary_lost, 0, sizeof(d.primary_lost));
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 1.0);
	score_result_fini(&r);

	memset(&d.primary, 0, sizeof(d.primary));
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_RECOVERY, "no primary-path event defined");
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* query amplification */

static void
test_amplification(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { 0 };
	struct score_result r;

	(void)state;
	/* 1 s samples: 10 qps before, 50 qps during, 10 after */
	for (uint64_t t = 1000; t <= 30000; t += 1000) {
		double q = (t > 10000 && t <= 20000) ? 50 : 10;

		elog_rate(log, t, "sut0", q, 1000);
	}
	/* straddles the start (9500..10500): left out */
	elog_rate(log, 10500, "sut0", 1000, 1000);
	/* other link, filtered out below */
	elog_rate(log, 15000, "other", 5000, 1000);
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 20000, false, "dns1", "");
	d.rate = (struct score_match){ .set = true, .kind = ELOG_RATE,
	    .source = "sut0" };
	score(log, &d, &r);
	assert_metric(&r, SCORE_AMPLIFICATION, 5.0);
	score_result_fini(&r);

	/* every link when no matcher is set */
	memset(&d.rate, 0, sizeof(d.rate));
	score(log, &d, &r);
	assert_metric(&r, SCORE_AMPLIFICATION, (500.0 + 5000.0) / 11 / 10);
	score_result_fini(&r);
	elog_free(log);
}

/* Amplification per capture link: a stub's link shows the app's queries
 * (1.8x), the authority's link what the resolver sent for it (100x); a
 * link without samples is null with the reason; the main metric still
 * follows defs.rate.  Without a fault, every link says why. */
static void
test_amplification_links(void **state)
{
	static const char *const links[] = { "app_lan", "auth_lan", "quiet" };
	struct elog *log = elog_new();
	struct score_defs d = { .amp_links = links, .n_amp_links = 3 };
	struct score_result r;

	(void)state;
	for (uint64_t t = 1000; t <= 30000; t += 1000) {
		bool fault = t > 10000 && t <= 20000;

		elog_rate(log, t, "app_lan", fault ? 18 : 10, 1000);
		elog_rate(log, t, "auth_lan", fault ? 300 : 3, 1000);
	}
	elog_fault(log, 10000, true, "dns1", "action=servfail");
	elog_fault(log, 20000, false, "dns1", "");
	d.rate = (struct score_match){ .set = true, .kind = ELOG_RATE, .source = "app_lan" };
	score(log, &d, &r);
	assert_metric(&r, SCORE_AMPLIFICATION, 1.8);
	assert_int_equal(r.n_links, 3);
	assert_string_equal(r.links[0].link, "app_lan");
	assert_true(r.links[0].amplification.has);
	assert_true(fabs(r.links[0].amplification.v - 1.8) < 1e-9);
	assert_string_equal(r.links[1].link, "auth_lan");
	assert_true(r.links[1].amplification.has);
	assert_true(fabs(r.links[1].amplification.v - 100.0) < 1e-9);
	assert_false(r.links[2].amplification.has);
	assert_non_null(strstr(r.links[2].amplification.why, "no query-rate samples before"));
	score_result_fini(&r);
	assert_null(r.links);

	/* no links asked for: none */
	d.n_amp_links = 0;
	score(log, &d, &r);
	assert_int_equal(r.n_links, 0);
	assert_null(r.links);
	score_result_fini(&r);
	elog_free(log);

	log = elog_new();
	elog_rate(log, 1000, "auth_lan", 3, 1000);
	d.n_amp_links = 2;
	score(log, &d, &r);
	assert_int_equal(r.n_links, 2);
	assert_false(r.links[1].amplification.has);
	assert_string_equal(r.links[1].amplification.why, "no fault start in the log");
	score_result_fini(&r);
	elog_free(log);
}

static void
test_amplification_null(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { 0 };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 20000, false, "dns1", "");
	elog_rate(log, 15000, "sut0", 40, 1000);
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_AMPLIFICATION, "no query-rate samples "
	    "before");
	score_result_fini(&r);

	elog_rate(log, 5000, "sut0", 0, 1000);
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_AMPLIFICATION, "baseline query rate is 0");
	score_result_fini(&r);
	elog_free(log);

	log = elog_new();
	elog_rate(log, 5000, "sut0", 10, 1000);
	elog_fault(log, 10000, true, "dns1", "");
	elog_rate(log, 10500, "sut0", 40, 1000); /* straddles */
	elog_fault(log, 20000, false, "dns1", "");
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_AMPLIFICATION, "no query-rate samples "
	    "during");
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* expectations and verdict */

static void
test_expect_parse_good(void **state)
{
	static const struct {
		const char *in;
		enum score_metric m;
		enum score_op op;
		double bound;
		const char *text;
	} cases[] = {
		{ "failover_s < 3", SCORE_FAILOVER, SCORE_LT, 3, "< 3" },
		{ "availability>=0.9", SCORE_AVAILABILITY, SCORE_GE, 0.9,
		    ">= 0.9" },
		{ "  detection_s <= 500ms  ", SCORE_DETECTION, SCORE_LE, 0.5,
		    "<= 500ms" },
		{ "recovery_s == 0", SCORE_RECOVERY, SCORE_EQ, 0, "== 0" },
		{ "query_amplification > 2.5", SCORE_AMPLIFICATION, SCORE_GT,
		    2.5, "> 2.5" },
		{ "availability >= 99%", SCORE_AVAILABILITY, SCORE_GE, 0.99,
		    ">= 99%" },
		{ "recovery_s<2m", SCORE_RECOVERY, SCORE_LT, 120, "< 2m" },
		{ "failover_s < 1.5s", SCORE_FAILOVER, SCORE_LT, 1.5,
		    "< 1.5s" },
		{ "failover_s\t<\t-1e1", SCORE_FAILOVER, SCORE_LT, -10,
		    "< -1e1" },
	};
	struct score_expect ex;
	struct dd_err err = { "" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = score_expect_parse(cases[i].in, &ex, &err);

		if (rc != 0)
			fail_msg("'%s': %s", cases[i].in, err.msg);
		assert_int_equal(ex.metric, cases[i].m);
		assert_int_equal(ex.op, cases[i].op);
		assert_true(fabs(ex.bound - cases[i].bound) < 1e-12);
		assert_string_equal(ex.bound_text, cases[i].text);
	}
}

static void
test_expect_parse_errors(void **state)
{
	static const struct {
		const char *in;
		const char *msg; /* substring of the error */
	} cases[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "< 3", "expected a metric name, got '< 3'" },
		{ "failover < 3", "unknown metric 'failover'" },
		{ "Failover_S < 3", "unknown metric 'Failover_S'" },
		{ "failover_s", "missing operator after 'failover_s'" },
		{ "failover_s   ", "missing operator after 'failover_s'" },
		{ "failover_s 3", "unknown operator '3'" },
		{ "failover_s => 3", "unknown operator '=>'" },
		{ "failover_s = 3", "unknown operator '='" },
		{ "failover_s != 3", "unknown operator '!='" },
		{ "failover_s <> 3", "unknown operator '<>'" },
		{ "failover_s <== 3", "unknown operator '<=='" },
		{ "failover_s <", "missing bound after 'failover_s <'" },
		{ "failover_s <=   ", "missing bound after 'failover_s <='" },
		{ "failover_s < abc", "bad bound 'abc'" },
		{ "failover_s < 3 and 4", "bad bound '3 and 4'" },
		{ "failover_s < 3x", "bad bound '3x'" },
		{ "failover_s < nan", "bad bound 'nan'" },
		{ "failover_s < 99%", "bad bound '99%'" },
		{ "availability >= 3s", "bad bound '3s'" },
		{ "query_amplification < 50%", "bad bound '50%'" },
		{ "query_amplification < 2s", "bad bound '2s'" },
	};
	struct score_expect ex;
	struct dd_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(score_expect_parse(cases[i].in, &ex, &err),
		    DD_EINVAL);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in,
			    err.msg, cases[i].msg);
		/* every message quotes the whole expectation */
		assert_non_null(strstr(err.msg, "expectation '"));
	}
	assert_int_equal(score_expect_parse(NULL, &ex, &err), DD_EINVAL);
	/* a NULL err is fine */
	assert_int_equal(score_expect_parse("x", &ex, NULL), DD_EINVAL);
}

/* "p90(failover_s) < 3": a statistic wraps the metric (and its probe); the
 * label reads it back; a single run checks the metric itself. */
static void
test_expect_parse_stat(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} bad[] = {
		{ "p95(failover_s) < 3", "unknown statistic 'p95'" },
		{ "p90() < 3", "expected a metric name after 'p90('" },
		{ "p90(failover_s < 3", "expected ')' after 'p90(failover_s'" },
		{ "p90(failover) < 3", "unknown metric 'failover'" },
		{ "max(detection_s.www) < 3", "has no value per probe" },
	};
	struct score_expect ex;
	struct score_value m[SCORE_METRIC_COUNT];
	struct score_check c;
	struct dd_err err = { "" };
	char label[200];

	(void)state;
	assert_int_equal(score_expect_parse("p90(failover_s) < 3", &ex, &err), 0);
	assert_true(ex.has_stat);
	assert_int_equal(ex.stat, DIST_P90);
	assert_int_equal(ex.metric, SCORE_FAILOVER);
	assert_string_equal(ex.bound_text, "< 3");
	assert_string_equal(score_expect_label(&ex, label, sizeof(label)),
	    "p90(failover_s)");
	assert_int_equal(score_expect_parse(" median( availability.www )>=90% if disrupted",
	    &ex, &err), 0);
	assert_true(ex.has_stat && ex.if_disrupted);
	assert_int_equal(ex.stat, DIST_MEDIAN);
	assert_string_equal(ex.probe, "www");
	assert_true(fabs(ex.bound - 0.9) < 1e-12);
	assert_string_equal(score_expect_label(&ex, label, sizeof(label)),
	    "median(availability.www)");
	assert_int_equal(score_expect_parse("failover_s < 3", &ex, &err), 0);
	assert_false(ex.has_stat);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(score_expect_parse(bad[i].in, &ex, &err), DD_EINVAL);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", bad[i].in, err.msg,
			    bad[i].msg);
	}

	/* one run: p90(x) of one sample is x */
	memset(m, 0, sizeof(m));
	m[SCORE_FAILOVER].has = true;
	m[SCORE_FAILOVER].v = 2.5;
	assert_int_equal(score_expect_parse("max(failover_s) < 3", &ex, NULL), 0);
	score_check(&ex, m, &c);
	assert_true(c.pass);
	assert_string_equal(c.message, "max(failover_s) = 2.5 < 3");
	assert_int_equal(score_expect_parse("min(failover_s) < 2", &ex, NULL), 0);
	score_check(&ex, m, &c);
	assert_false(c.pass);
	assert_string_equal(c.message, "min(failover_s) = 2.5, expected < 2");
}

/* "in incident time": the bound is incident time; the metric (real
 * seconds) is checked times the run's speed, in a single check, through
 * score_run (score_defs.speed) and in the warnings' suggestion form. */
static void
test_expect_incident_time(void **state)
{
	struct score_value mv[SCORE_METRIC_COUNT] = { { 0 } };
	struct score_expect ex;
	struct score_check c;
	struct dd_err err = { 0 };
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "availability > 0.9 in incident time", "only detection_s, "
		    "failover_s and recovery_s have an incident time" },
		{ "latency_p99_ms < 500 in incident time", "latencies are network "
		    "time" },
		{ "dns_queries.auth < 10 in incident time", "only detection_s" },
		{ "recovery_s < 40s in real time", "followed by 'in incident "
		    "time' or nothing" },
		{ "recovery_s < 40s if disrupted in incident time", "the only "
		    "condition is 'if disrupted'" },
	};

	(void)state;
	assert_int_equal(score_expect_parse("recovery_s < 40s in incident time",
	    &ex, NULL), 0);
	assert_true(ex.incident);
	assert_false(ex.if_disrupted);
	assert_true(ex.bound == 40);
	assert_string_equal(ex.bound_text, "< 40s in incident time");
	assert_int_equal(score_expect_parse("detection_s < 72m in incident time "
	    "if disrupted", &ex, NULL), 0);
	assert_true(ex.incident && ex.if_disrupted);
	assert_true(ex.bound == 72 * 60);
	assert_string_equal(ex.bound_text, "< 72m in incident time if disrupted");
	/* round trip: what result.json keeps parses to the same */
	assert_int_equal(score_expect_parse("p90(failover_s) <= 90s in incident "
	    "time", &ex, NULL), 0);
	assert_true(ex.incident && ex.has_stat);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(score_expect_parse(bad[i].in, &ex, &err), DD_EINVAL);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", bad[i].in, err.msg,
			    bad[i].msg);
	}

	/* 3 real seconds at speed 10 are 30 incident seconds */
	mv[SCORE_RECOVERY].has = true;
	mv[SCORE_RECOVERY].v = 3.0;
	assert_int_equal(score_expect_parse("recovery_s < 40s in incident time",
	    &ex, NULL), 0);
	ex.speed = 10;
	score_check(&ex, mv, &c);
	assert_true(c.pass);
	assert_true(c.observed == 30);
	assert_string_equal(c.message, "recovery_s = 30 (3 s real) < 40s in "
	    "incident time");
	ex.speed = 20;                        /* 60 incident s */
	score_check(&ex, mv, &c);
	assert_false(c.pass);
	assert_string_equal(c.message, "recovery_s = 60 (3 s real), expected "
	    "< 40s in incident time");
	ex.speed = 0;                         /* unset: speed 1 */
	score_check(&ex, mv, &c);
	assert_true(c.pass);
	/* a real-time bound ignores the speed */
	assert_int_equal(score_expect_parse("recovery_s < 40s", &ex, NULL), 0);
	ex.speed = 20;
	score_check(&ex, mv, &c);
	assert_true(c.pass);
	assert_true(c.observed == 3);
	/* censored: the lower bound is scaled too */
	memset(mv, 0, sizeof(mv));
	mv[SCORE_RECOVERY].censored = true;
	mv[SCORE_RECOVERY].at_least = 5;
	snprintf(mv[SCORE_RECOVERY].why, sizeof(mv[0].why), "not recovered");
	assert_int_equal(score_expect_parse("recovery_s < 40s in incident time",
	    &ex, NULL), 0);
	ex.speed = 10;
	score_check(&ex, mv, &c);
	assert_false(c.pass);
	assert_true(c.censored);
	assert_true(c.at_least == 50);
	assert_non_null(strstr(c.message, "expected < 40s in incident time"));
	assert_null(strstr(c.message, "undecided"));   /* 50 >= 40: broken */

	/* through score_run: the speed comes from score_defs */
	{
		struct elog *log = elog_new();
		struct score_expect e[1];
		struct score_defs d = { .service = SVC, .primary = SVC,
		    .expect = e, .n_expect = 1 };
		struct score_result r;
		uint64_t fails[] = { 11000, 12000, 13000, UINT64_MAX };

		assert_int_equal(score_expect_parse("failover_s < 25s in incident "
		    "time", &e[0], NULL), 0);
		probes(log, "svc", 0, 30000, 1000, fails);
		elog_fault(log, 10000, true, "dns1", "action=empty");
		elog_fault(log, 20000, false, "dns1", "clear");
		d.speed = 10;
		score(log, &d, &r);
		/* failover at 14 s: 4 real s after the fault = 40 incident s */
		assert_metric(&r, SCORE_FAILOVER, 4.0);
		assert_false(r.checks[0].pass);
		assert_true(r.checks[0].observed == 40);
		score_result_fini(&r);
		d.speed = 5;                  /* 20 incident s */
		score(log, &d, &r);
		assert_true(r.checks[0].pass);
		score_result_fini(&r);
		elog_free(log);
	}
}

static void
test_metric_and_op_names(void **state)
{
	enum score_metric m;

	(void)state;
	for (int i = 0; i < SCORE_METRIC_COUNT; i++) {
		assert_int_equal(score_metric_parse(score_metric_name(
		    (enum score_metric)i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(score_metric_parse("detection", &m), DD_EINVAL);
	assert_string_equal(score_metric_name(SCORE_METRIC_COUNT), "?");
	assert_string_equal(score_op_name(SCORE_GE), ">=");
	assert_string_equal(score_op_name((enum score_op)99), "?");
}

static void
test_check_operators(void **state)
{
	struct score_value mv[SCORE_METRIC_COUNT] = { { 0 } };
	struct score_expect ex;
	struct score_check c;
	static const struct {
		const char *in;
		bool pass;
	} cases[] = {
		{ "failover_s < 3", false }, { "failover_s <= 3", true },
		{ "failover_s > 3", false }, { "failover_s >= 3", true },
		{ "failover_s == 3", true }, { "failover_s < 3.001", true },
		{ "failover_s > 2.999", true }, { "failover_s == 3000ms", true },
	};

	(void)state;
	mv[SCORE_FAILOVER].has = true;
	mv[SCORE_FAILOVER].v = 3.0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(score_expect_parse(cases[i].in, &ex, NULL), 0);
		score_check(&ex, mv, &c);
		if (c.pass != cases[i].pass)
			fail_msg("'%s': pass=%d", cases[i].in, c.pass);
		assert_true(c.has_observed);
	}
	assert_int_equal(score_expect_parse("failover_s < 3", &ex, NULL), 0);
	score_check(&ex, mv, &c);
	assert_string_equal(c.message, "failover_s = 3, expected < 3");
	assert_int_equal(score_expect_parse("failover_s <= 3", &ex, NULL), 0);
	score_check(&ex, mv, &c);
	assert_string_equal(c.message, "failover_s = 3 <= 3");

	/* messages round for people */
	mv[SCORE_AVAILABILITY].has = true;
	mv[SCORE_AVAILABILITY].v = 2.0 / 3.0;
	assert_int_equal(score_expect_parse("availability >= 90%", &ex, NULL),
	    0);
	score_check(&ex, mv, &c);
	assert_false(c.pass);
	assert_true(c.observed == 2.0 / 3.0);
	assert_string_equal(c.message,
	    "availability = 0.666667, expected >= 90%");

	/* never observed, with and without a reason */
	assert_int_equal(score_expect_parse("recovery_s < 3", &ex, NULL), 0);
	score_check(&ex, mv, &c);
	assert_false(c.pass);
	assert_string_equal(c.message, "recovery_s never observed");
	snprintf(mv[SCORE_RECOVERY].why, sizeof(mv[0].why),
	    "fault never cleared");
	score_check(&ex, mv, &c);
	assert_string_equal(c.message,
	    "recovery_s never observed (fault never cleared)");
}

static void
test_verdict(void **state)
{
	static const uint64_t fails[] = { 10500, 11500, UINT64_MAX };
	struct elog *log = failover_log(fails);
	struct score_expect ex[3];
	struct score_defs d = { .service = SVC, .stable_ms = 3000,
	    .expect = ex };
	struct score_result r;

	(void)state;
	assert_int_equal(score_expect_parse("failover_s < 3", &ex[0], NULL), 0);
	assert_int_equal(score_expect_parse("availability >= 0.9", &ex[1],
	    NULL), 0);
	assert_int_equal(score_expect_parse("recovery_s < 10", &ex[2], NULL),
	    0);

	/* no expectations: pass */
	score(log, &d, &r);
	assert_true(r.pass);
	assert_int_equal(r.n_checks, 0);
	assert_null(r.checks);
	score_result_fini(&r);

	/* failover 2.5 < 3, availability 28/30 >= 0.9 */
	d.n_expect = 2;
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 2.5);
	assert_true(r.checks[0].pass);
	assert_true(r.checks[1].pass);
	assert_true(r.pass);
	score_result_fini(&r);

	/* recovery was never defined: the verdict fails and says so */
	d.n_expect = 3;
	score(log, &d, &r);
	assert_false(r.pass);
	assert_false(r.checks[2].pass);
	assert_string_equal(r.checks[2].message, "recovery_s never observed "
	    "(no primary-path event defined)");
	score_result_fini(&r);
	score_result_fini(&r); /* idempotent */
	score_result_fini(NULL);

	assert_int_equal(score_run(NULL, &d, &r), DD_EINVAL);
	assert_int_equal(score_run(log, NULL, &r), DD_EINVAL);
	elog_free(log);
}

/* "... if disrupted": binding only when a service probe failed in the
 * fault window */
static void
test_expect_if_disrupted(void **state)
{
	static const uint64_t none[] = { UINT64_MAX };
	static const uint64_t some[] = { 10500, 11500, UINT64_MAX };
	struct score_expect ex;
	struct dd_err err;
	struct score_defs d = { .service = SVC, .stable_ms = 3000, .expect = &ex,
	    .n_expect = 1 };
	struct score_result r;
	struct score_match det = { .set = true, .kind = ELOG_WATCH, .source = "noticed" };
	struct elog *log;

	(void)state;
	assert_int_equal(score_expect_parse("detection_s < 10 if disrupted", &ex, &err), 0);
	assert_true(ex.if_disrupted);
	assert_true(ex.bound == 10);
	assert_string_equal(ex.bound_text, "< 10 if disrupted");
	assert_int_equal(score_expect_parse("detection_s < 10 if raining", &ex, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "'if disrupted'"));
	assert_int_equal(score_expect_parse("detection_s < 10", &ex, &err), 0);
	assert_false(ex.if_disrupted);
	assert_int_equal(score_expect_parse("detection_s < 10 if disrupted", &ex, &err), 0);
	d.detect = &det;
	d.n_detect = 1;

	/* never disrupted, never detected: not required, passes */
	log = failover_log(none);
	score(log, &d, &r);
	assert_false(r.service_disrupted);
	assert_false(r.metric[SCORE_DETECTION].has);
	assert_true(r.checks[0].pass);
	assert_true(r.pass);
	assert_non_null(strstr(r.checks[0].message, "never disrupted"));
	score_result_fini(&r);
	elog_free(log);

	/* disrupted and never detected: fails as usual */
	log = failover_log(some);
	score(log, &d, &r);
	assert_true(r.service_disrupted);
	assert_false(r.checks[0].pass);
	assert_false(r.pass);
	assert_non_null(strstr(r.checks[0].message, "never observed"));
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* censored metrics */

#define assert_censored(r, m, bound, reason) do {                      \
	assert_false((r)->metric[m].has);                               \
	assert_true((r)->metric[m].censored);                           \
	assert_true(fabs((r)->metric[m].at_least - (bound)) < 1e-9);    \
	assert_non_null(strstr((r)->metric[m].why, (reason)));          \
} while (0)

/* The SUT still off its primary path when the run ends, 32.1 s after the
 * clear: recovery_s is at least 32.1, and "recovery_s < 20" fails saying
 * so, as does any expectation, decided by the bound or not. */
static void
test_censored_recovery(void **state)
{
	struct elog *log = elog_new();
	struct score_match prim = { .set = true, .kind = ELOG_PROBE,
	    .source = "on-primary" };
	struct score_expect ex[3];
	struct score_defs d = { .primary = prim, .stable_ms = 2000,
	    .expect = ex, .n_expect = 3 };
	struct score_result r;

	(void)state;
	assert_int_equal(score_expect_parse("recovery_s < 20", &ex[0], NULL), 0);
	assert_int_equal(score_expect_parse("recovery_s < 40", &ex[1], NULL), 0);
	assert_int_equal(score_expect_parse("recovery_s > 5", &ex[2], NULL), 0);
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 20000, false, "dns1", "");
	for (uint64_t t = 0; t <= 52100; t += 100)
		elog_probe(log, t, "on-primary", t < 10000, 1, "");
	score(log, &d, &r);
	assert_censored(&r, SCORE_RECOVERY, 32.1, "not recovered within 32.1 s");
	assert_false(r.pass);
	/* the bound already breaks < 20 */
	assert_false(r.checks[0].pass);
	assert_true(r.checks[0].censored);
	assert_true(fabs(r.checks[0].at_least - 32.1) < 1e-9);
	assert_false(r.checks[0].has_observed);
	assert_string_equal(r.checks[0].message, "recovery_s never observed: "
	    "not recovered within 32.1 s: primary path never stable after the "
	    "fault (the run ended), expected < 20");
	/* < 40 cannot be told: still a failure, said so */
	assert_false(r.checks[1].pass);
	assert_non_null(strstr(r.checks[1].message,
	    "expected < 40 (undecided: counted as a failure)"));
	/* > 5 would hold for any value >= 32.1, but nothing was observed */
	assert_false(r.checks[2].pass);
	assert_true(r.checks[2].censored);
	score_result_fini(&r);

	/* back at 51000 and never failing again, but the run ends 1.1 s
	 * later: recovery may be 31 s, no less */
	elog_free(log);
	log = elog_new();
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 20000, false, "dns1", "");
	for (uint64_t t = 0; t <= 52100; t += 100)
		elog_probe(log, t, "on-primary", t < 10000 || t >= 51000, 1,
		    "");
	score(log, &d, &r);
	assert_censored(&r, SCORE_RECOVERY, 31.0, "not recovered within 31 s");
	score_result_fini(&r);

	/* a fault never cleared: recovery is not censored, just null */
	elog_free(log);
	log = elog_new();
	elog_fault(log, 10000, true, "dns1", "");
	elog_probe(log, 30000, "on-primary", false, 1, "");
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_RECOVERY, "fault never cleared");
	assert_false(r.metric[SCORE_RECOVERY].censored);
	assert_false(r.checks[0].censored);
	score_result_fini(&r);
	elog_free(log);
}

/* Nothing detected during a 30 s fault: detection_s >= 30.  A service
 * failing to the end of the fault: failover_s >= 30 (>= 29 when it came
 * back 1 s before the clear, too late for its stable window). */
static void
test_censored_detection_and_failover(void **state)
{
	uint64_t fails[64];
	size_t n = 0;
	struct score_match det = { .set = true, .kind = ELOG_WATCH,
	    .source = "noticed" };
	struct score_defs d = { .service = SVC, .stable_ms = 3000,
	    .detect = &det, .n_detect = 1 };
	struct score_result r;
	struct elog *log;

	(void)state;
	for (uint64_t t = 10500; t < 40000; t += 1000)
		fails[n++] = t;
	fails[n] = UINT64_MAX;
	log = failover_log(fails);
	score(log, &d, &r);
	assert_censored(&r, SCORE_DETECTION, 30.0,
	    "not detected within 30 s");
	assert_censored(&r, SCORE_FAILOVER, 30.0,
	    "no failover within 30 s: service never stable again");
	score_result_fini(&r);
	elog_free(log);

	fails[n - 1] = UINT64_MAX; /* 39500 ok: its window runs past 40000 */
	log = failover_log(fails);
	score(log, &d, &r);
	assert_censored(&r, SCORE_FAILOVER, 29.5, "no failover within 29.5 s");
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* latency */

static void
test_latency_percentiles(void **state)
{
	struct elog *log = elog_new();
	struct score_match lat = { .set = true, .kind = ELOG_PROBE,
	    .source = "dns" };
	struct score_defs d = { .latency = &lat, .n_latency = 1 };
	struct score_result r;

	(void)state;
	/* baseline: 10 results, 10..100 ms (a failed one left out) */
	for (int i = 1; i <= 10; i++)
		elog_probe(log, (uint64_t)i * 100, "dns", true, i * 10.0, "");
	elog_probe(log, 1050, "dns", false, 5000, "timeout");
	elog_fault(log, 2000, true, "dns1", "");
	/* fault: 100 results, 1..100 ms, shuffled in time */
	for (int i = 0; i < 100; i++)
		elog_probe(log, 2000 + (uint64_t)i * 10, "dns", true,
		    (double)((i * 37) % 100 + 1), "");
	elog_probe(log, 2500, "dns", false, 1.0, "SERVFAIL");
	elog_probe(log, 2500, "other", true, 9999.0, "not a latency probe");
	elog_fault(log, 4000, false, "dns1", "");
	elog_probe(log, 4000, "dns", true, 7777, "at the clear: outside");
	score(log, &d, &r);
	/* nearest rank: the smallest value with p% at or below it */
	assert_metric(&r, SCORE_LATENCY_P50, 50);
	assert_metric(&r, SCORE_LATENCY_P95, 95);
	assert_metric(&r, SCORE_LATENCY_P99, 99);
	assert_metric(&r, SCORE_BASE_LATENCY_P50, 50);
	assert_metric(&r, SCORE_BASE_LATENCY_P95, 100);
	assert_metric(&r, SCORE_BASE_LATENCY_P99, 100);
	assert_metric(&r, SCORE_SLOWDOWN, 1.0);
	score_result_fini(&r);

	/* no latency probe defined */
	d.n_latency = 0;
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_LATENCY_P99, "no latency probe defined");
	assert_null_metric(&r, SCORE_SLOWDOWN, "no latency probe defined");
	score_result_fini(&r);

	/* nothing before the fault: no baseline, no slowdown */
	d.n_latency = 1;
	d.fault_start_set = true;
	d.fault_start_ms = 50;
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_BASE_LATENCY_P50, "no ok latency probe "
	    "results before the fault");
	assert_null_metric(&r, SCORE_SLOWDOWN, "before the fault");
	score_result_fini(&r);
	elog_free(log);
}

/* The first nameserver dead: every lookup waits out its 1 s timeout and
 * succeeds at the second.  Availability 1 passes; the latency gate and
 * slowdown fail. */
static void
test_latency_fails_a_gate(void **state)
{
	struct elog *log = elog_new();
	struct score_match lat = { .set = true, .kind = ELOG_PROBE,
	    .source = "lookup" };
	struct score_expect ex[3];
	struct score_defs d = { .service = { .set = true, .kind = ELOG_PROBE,
	    .source = "lookup" }, .latency = &lat, .n_latency = 1,
	    .expect = ex, .n_expect = 3 };
	struct score_result r;

	(void)state;
	assert_int_equal(score_expect_parse("availability >= 0.99", &ex[0],
	    NULL), 0);
	assert_int_equal(score_expect_parse("latency_p99_ms < 500", &ex[1],
	    NULL), 0);
	assert_int_equal(score_expect_parse("slowdown < 5", &ex[2], NULL), 0);
	for (uint64_t t = 0; t < 10000; t += 500)
		elog_probe(log, t, "lookup", true, 14, "");
	elog_fault(log, 10000, true, "ns1", "action=drop");
	for (uint64_t t = 11000; t < 20000; t += 1500)
		elog_probe(log, t, "lookup", true, 1015, "");
	elog_fault(log, 20000, false, "ns1", "");
	score(log, &d, &r);
	assert_metric(&r, SCORE_AVAILABILITY, 1.0);
	assert_metric(&r, SCORE_LATENCY_P99, 1015);
	assert_metric(&r, SCORE_BASE_LATENCY_P50, 14);
	assert_metric(&r, SCORE_SLOWDOWN, 1015.0 / 14.0);
	assert_true(r.checks[0].pass);
	assert_false(r.checks[1].pass);
	assert_string_equal(r.checks[1].message,
	    "latency_p99_ms = 1015, expected < 500");
	assert_false(r.checks[2].pass);
	assert_false(r.pass);
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* partial outages: a service of several probes, figures per probe */

/* Four service probes through a 10 s fault, one result a second each;
 * "api" fails one lookup in four (one of four nameservers answers
 * NXDOMAIN), the others never. */
static struct elog *
partial_log(void)
{
	static const char *const names[] = { "www", "api", "login", "cdn" };
	struct elog *log = elog_new();

	elog_fault(log, 10000, true, "ns3", "action=nxdomain");
	for (uint64_t t = 10000; t < 20000; t += 1000)
		for (int k = 0; k < 4; k++)
			elog_probe(log, t, names[k], k != 1 || t % 4000 != 0,
			    5, "");
	elog_fault(log, 20000, false, "ns3", "");
	return log;
}

static void
test_partial_outage(void **state)
{
	struct elog *log = partial_log();
	struct score_match svc[4] = {
		{ .set = true, .kind = ELOG_PROBE, .source = "www" },
		{ .set = true, .kind = ELOG_PROBE, .source = "api" },
		{ .set = true, .kind = ELOG_PROBE, .source = "login" },
		{ .set = true, .kind = ELOG_PROBE, .source = "cdn" },
	};
	struct score_expect ex[4];
	struct score_defs d = { .services = svc, .n_services = 3,
	    .stable_ms = 1000, .expect = ex, .n_expect = 4 };
	struct score_result r;

	(void)state;
	assert_int_equal(score_expect_parse("availability > 0.9", &ex[0],
	    NULL), 0);
	assert_int_equal(score_expect_parse("availability.api > 0.9", &ex[1],
	    NULL), 0);
	assert_int_equal(score_expect_parse("availability_worst > 0.9",
	    &ex[2], NULL), 0);
	assert_int_equal(score_expect_parse("availability.www > 0.9", &ex[3],
	    NULL), 0);
	score(log, &d, &r);
	/* api failed at 12000 and 16000: 8 of 10 */
	assert_metric(&r, SCORE_AVAILABILITY, 28.0 / 30.0);
	assert_metric(&r, SCORE_AVAILABILITY_WORST, 0.8);
	assert_metric(&r, SCORE_AVAILABILITY_MEAN, (1.0 + 0.8 + 1.0) / 3);
	assert_true(r.service_disrupted);
	/* the pooled figure hides it; the probe's and the worst do not */
	assert_true(r.checks[0].pass);
	assert_false(r.checks[1].pass);
	assert_string_equal(r.checks[1].message,
	    "availability.api = 0.8, expected > 0.9");
	assert_false(r.checks[2].pass);
	assert_true(r.checks[3].pass);
	assert_string_equal(r.checks[3].message, "availability.www = 1 > 0.9");
	/* every probe has its figures, in order of first result */
	assert_int_equal(r.n_probes, 4);
	assert_string_equal(r.probes[0].name, "www");
	assert_string_equal(r.probes[1].name, "api");
	assert_true(r.probes[1].metric[SCORE_AVAILABILITY].has);
	assert_true(fabs(r.probes[1].metric[SCORE_AVAILABILITY].v - 0.8) <
	    1e-9);
	assert_true(r.probes[3].metric[SCORE_AVAILABILITY].has); /* cdn */
	/* api first failed at 12000 and held from 13000 for 1 s */
	assert_true(fabs(r.probes[1].metric[SCORE_FAILOVER].v - 3.0) < 1e-9);
	assert_false(r.probes[1].metric[SCORE_DETECTION].has);
	/* the service as a whole: the ok results of the others at 12000
	 * share the ms of api's failure, so the same 13000 */
	assert_metric(&r, SCORE_FAILOVER, 3.0);
	score_result_fini(&r);

	/* a service probe without results: worst and mean are unknown */
	svc[2].source = "nope";
	score(log, &d, &r);
	assert_null_metric(&r, SCORE_AVAILABILITY_WORST,
	    "service probe 'nope' had no results during the fault");
	assert_null_metric(&r, SCORE_AVAILABILITY_MEAN, "'nope'");
	score_result_fini(&r);

	/* one service probe (the old `service`): worst = mean = it */
	d.n_services = 0;
	d.service = svc[1];
	score(log, &d, &r);
	assert_metric(&r, SCORE_AVAILABILITY_WORST, 0.8);
	assert_metric(&r, SCORE_AVAILABILITY_MEAN, 0.8);
	score_result_fini(&r);

	/* an expectation on a probe that never reported */
	assert_int_equal(score_expect_parse("availability.ghost >= 1", &ex[0],
	    NULL), 0);
	d.n_expect = 1;
	score(log, &d, &r);
	assert_false(r.checks[0].pass);
	assert_string_equal(r.checks[0].message, "availability.ghost never "
	    "observed (probe 'ghost' has no results)");
	score_result_fini(&r);
	elog_free(log);
}

/* ------------------------------------------------------------------ */
/* failover and recovery from the SUT's own signal */

static void
test_failover_from_watch(void **state)
{
	static const uint64_t fails[] = { 10500, 11500, 12500, UINT64_MAX };
	struct elog *log = failover_log(fails);
	struct score_defs d = { .service = SVC, .stable_ms = 3000,
	    .failover = { .set = true, .kind = ELOG_WATCH, .source = "failover" } };
	struct score_result r;

	(void)state;
	/* the app decided at 12710; the probe saw it at 13500 */
	elog_watch(log, 9000, "failover", "before the fault: ignored");
	elog_watch(log, 12710, "failover", "event=failover");
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 2.71);
	/* the probe's own figure stays available */
	assert_int_equal(r.n_probes, 1);
	assert_true(fabs(r.probes[0].metric[SCORE_FAILOVER].v - 3.5) < 1e-9);
	score_result_fini(&r);

	/* the stable window must close inside the fault */
	d.stable_ms = 27291;
	score(log, &d, &r);
	assert_censored(&r, SCORE_FAILOVER, 2.71, "no stable failover event");
	score_result_fini(&r);
	elog_free(log);

	/* no failover logged: the service never went down -> 0; it did ->
	 * censored over the whole fault */
	d.stable_ms = 3000;
	log = failover_log(NULL);
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 0.0);
	score_result_fini(&r);
	elog_free(log);
	log = failover_log(fails);
	score(log, &d, &r);
	assert_censored(&r, SCORE_FAILOVER, 30.0, "no failover within 30 s");
	score_result_fini(&r);

	/* a probe as the failover matcher: like a service probe */
	d.failover = (struct score_match){ .set = true, .kind = ELOG_PROBE,
	    .source = "svc", .outcome = SCORE_FAIL /* ignored */ };
	score(log, &d, &r);
	assert_metric(&r, SCORE_FAILOVER, 3.5);
	score_result_fini(&r);
	elog_free(log);
}

/* primary = the app's "failback" line, primary_lost = its "failover" */
static void
test_recovery_from_watch(void **state)
{
	struct score_match back = { .set = true, .kind = ELOG_WATCH,
	    .source = "failback" };
	struct score_match away = { .set = true, .kind = ELOG_WATCH,
	    .source = "failover" };
	struct score_defs d = { .primary = back, .primary_lost = away,
	    .stable_ms = 2000 };
	struct score_result r;
	struct elog *log = elog_new();

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_watch(log, 12700, "failover", "event=failover");
	elog_fault(log, 40000, false, "dns1", "");
	elog_watch(log, 44321, "failback", "event=failback");
	elog_mark(log, 47000, "runner", "end");
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 4.321);
	score_result_fini(&r);

	/* the run ended 1 s after the failback: at least 4.321 */
	d.horizon_ms = 45321;
	score(log, &d, &r);
	assert_censored(&r, SCORE_RECOVERY, 4.321, "not recovered within 4.321 s");
	score_result_fini(&r);
	elog_free(log);

	/* never failed over: never left, 0 */
	d.horizon_ms = 0;
	log = elog_new();
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 40000, false, "dns1", "");
	elog_mark(log, 47000, "runner", "end");
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 0.0);
	score_result_fini(&r);

	/* failed over and back before the clear: on the primary path at the
	 * fault end, 0 once it held for the stable window */
	elog_watch(log, 12000, "failover", "event=failover");
	elog_watch(log, 30000, "failback", "event=failback");
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 0.0);
	score_result_fini(&r);

	/* ... but leaving again 1 s after the clear spoils that */
	elog_watch(log, 41000, "failover", "event=failover");
	elog_watch(log, 43000, "failback", "event=failback");
	score(log, &d, &r);
	assert_metric(&r, SCORE_RECOVERY, 3.0);
	score_result_fini(&r);
	elog_free(log);
}

/* Each probe's recovery_s, as if it were the primary-path probe. */
static void
test_probe_recovery_figure(void **state)
{
	struct elog *log = elog_new();
	struct score_defs d = { .stable_ms = 2000 };
	struct score_result r;

	(void)state;
	elog_fault(log, 10000, true, "dns1", "");
	elog_fault(log, 40000, false, "dns1", "");
	for (uint64_t t = 0; t <= 60000; t += 1000) {
		elog_probe(log, t, "on-primary", t < 11000 || t >= 43000, 0, "");
		elog_probe(log, t, "steady", true, 0, "");
	}
	score(log, &d, &r);
	assert_int_equal(r.n_probes, 2);
	assert_true(fabs(r.probes[0].metric[SCORE_RECOVERY].v - 3.0) < 1e-9);
	assert_true(r.probes[1].metric[SCORE_RECOVERY].has);
	assert_true(r.probes[1].metric[SCORE_RECOVERY].v == 0.0);
	/* no fault: every probe figure says why */
	score_result_fini(&r);
	elog_free(log);
	log = elog_new();
	elog_probe(log, 5, "p", true, 1, "");
	score(log, &d, &r);
	assert_int_equal(r.n_probes, 1);
	assert_false(r.probes[0].metric[SCORE_AVAILABILITY].has);
	assert_non_null(strstr(r.probes[0].metric[SCORE_AVAILABILITY].why,
	    "no fault start"));
	score_result_fini(&r);
	elog_free(log);
}

static void
test_expect_parse_new_metrics(void **state)
{
	static const struct {
		const char *in;
		enum score_metric m;
		const char *probe;
		double bound;
		const char *text;
	} good[] = {
		{ "latency_p99_ms < 500", SCORE_LATENCY_P99, "", 500, "< 500" },
		{ "latency_p50_ms<1s", SCORE_LATENCY_P50, "", 1000, "< 1s" },
		{ "baseline_latency_p95_ms <= 250us", SCORE_BASE_LATENCY_P95, "",
		    0.25, "<= 250us" },
		{ "slowdown < 5", SCORE_SLOWDOWN, "", 5, "< 5" },
		{ "availability_worst > 90%", SCORE_AVAILABILITY_WORST, "", 0.9,
		    "> 90%" },
		{ "availability_mean >= 0.95", SCORE_AVAILABILITY_MEAN, "", 0.95,
		    ">= 0.95" },
		{ "availability.www > 0.9", SCORE_AVAILABILITY, "www", 0.9,
		    "> 0.9" },
		{ "availability.on-primary>=99%", SCORE_AVAILABILITY,
		    "on-primary", 0.99, ">= 99%" },
		{ "latency_p99_ms.resolver < 2s", SCORE_LATENCY_P99, "resolver",
		    2000, "< 2s" },
		{ "failover_s.svc < 3 if disrupted", SCORE_FAILOVER, "svc", 3,
		    "< 3 if disrupted" },
	};
	static const struct {
		const char *in;
		const char *msg;
	} bad[] = {
		{ "detection_s.www < 1", "detection_s has no value per probe" },
		/* a link's figure now ("query_amplification.LINK"); the
		 * other run-only metrics still have none per probe */
		{ "availability_mean.x < 2", "no value per probe" },
		{ "availability_worst.www > 1", "no value per probe" },
		{ "availability. > 0.9", "expected a probe name after "
		    "'availability.'" },
		{ "latency_p99_ms < 50%", "bad bound '50%' (expected "
		    "milliseconds, or a duration like 1s)" },
		{ "slowdown < 5s", "bad bound '5s' (expected a number)" },
		{ "latency_p99 < 5", "unknown metric 'latency_p99' (known: "
		    "detection_s, failover_s, recovery_s, availability, "
		    "query_amplification, availability_worst" },
	};
	struct score_expect ex;
	struct dd_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (score_expect_parse(good[i].in, &ex, &err) != 0)
			fail_msg("'%s': %s", good[i].in, err.msg);
		assert_int_equal(ex.metric, good[i].m);
		assert_string_equal(ex.probe, good[i].probe);
		assert_true(fabs(ex.bound - good[i].bound) < 1e-12);
		assert_string_equal(ex.bound_text, good[i].text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(score_expect_parse(bad[i].in, &ex, &err),
		    DD_EINVAL);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", bad[i].in,
			    err.msg, bad[i].msg);
	}
}


/* ------------------------------------------------------------------ */
/* the authority's side: amplification at a link, faultd's counters */

static void
test_expect_parse_link_and_counters(void **state)
{
	struct score_expect e;
	struct dd_err err = { 0 };
	char label[300];

	(void)state;
	assert_int_equal(score_expect_parse("query_amplification.auth_lan < 5",
	    &e, &err), 0);
	assert_int_equal(e.metric, SCORE_AMPLIFICATION);
	assert_string_equal(e.link, "auth_lan");
	assert_string_equal(e.probe, "");
	assert_int_equal(e.counter, SCORE_COUNTER_NONE);
	assert_false(score_expect_on_metric(&e));
	assert_string_equal(score_expect_label(&e, label, sizeof(label)),
	    "query_amplification.auth_lan");
	assert_true(e.bound == 5.0 && e.op == SCORE_LT);

	assert_int_equal(score_expect_parse("dns_queries.auth<1000", &e, &err),
	    0);
	assert_int_equal(e.counter, SCORE_COUNTER_QUERIES);
	assert_int_equal(e.metric, SCORE_METRIC_COUNT);
	assert_string_equal(e.server, "auth");
	assert_string_equal(e.action, "");
	assert_true(e.bound == 1000.0 && e.op == SCORE_LT);
	assert_string_equal(score_expect_label(&e, label, sizeof(label)),
	    "dns_queries.auth");
	assert_false(score_expect_on_metric(&e));

	assert_int_equal(score_expect_parse("dns_answers.auth.servfail > 0",
	    &e, &err), 0);
	assert_int_equal(e.counter, SCORE_COUNTER_ANSWERS);
	assert_string_equal(e.server, "auth");
	assert_string_equal(e.action, "servfail");
	assert_string_equal(e.bound_text, "> 0");
	assert_string_equal(score_expect_label(&e, label, sizeof(label)),
	    "dns_answers.auth.servfail");

	/* the plain forms are unchanged */
	assert_int_equal(score_expect_parse("query_amplification < 3", &e,
	    &err), 0);
	assert_true(score_expect_on_metric(&e));
	assert_string_equal(e.link, "");
	assert_int_equal(score_expect_parse("availability.www > 0.9", &e,
	    &err), 0);
	assert_true(score_expect_on_metric(&e));
	assert_string_equal(e.probe, "www");

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "dns_queries < 3", "dns_queries needs a DNS server" },
		{ "dns_queries. < 3", "expected a DNS server's name" },
		{ "dns_answers.auth < 3", "needs a DNS server and an action" },
		{ "dns_answers.auth. < 3", "needs a DNS server and an action" },
		{ "dns_answers..servfail < 3", "needs a DNS server and an action" },
		{ "p90(dns_queries.auth) < 3", "statistic of dns_queries" },
		{ "p90(query_amplification.a) < 3", "statistic of query_amp" },
		{ "query_amplification. < 3", "capture link's name" },
		{ "dns_queries.auth < 3s", "bad bound '3s'" },
		{ "dns_queries.auth", "missing operator after 'dns_queries.auth'" },
		{ "detection_s.auth < 3", "no value per probe" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(score_expect_parse(bad[i].text, &e, &err),
		    DD_EINVAL);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': got '%s'", bad[i].text, err.msg);
	}
}

static void
test_expect_link_amplification(void **state)
{
	static const char *const links[] = { "app_lan", "auth_lan", "quiet" };
	struct elog *log = elog_new();
	struct score_expect ex[5];
	struct score_defs d = { .amp_links = links, .n_amp_links = 3,
	    .expect = ex, .n_expect = 5 };
	struct score_result r;

	(void)state;
	for (uint64_t t = 1000; t <= 30000; t += 1000) {
		bool fault = t > 10000 && t <= 20000;

		elog_rate(log, t, "app_lan", fault ? 18 : 10, 1000);
		elog_rate(log, t, "auth_lan", fault ? 300 : 3, 1000);
	}
	elog_fault(log, 10000, true, "dns1", "action=servfail");
	elog_fault(log, 20000, false, "dns1", "");
	d.rate = (struct score_match){ .set = true, .kind = ELOG_RATE,
	    .source = "app_lan" };
	assert_int_equal(score_expect_parse("query_amplification.app_lan < 5",
	    &ex[0], NULL), 0);
	assert_int_equal(score_expect_parse("query_amplification.auth_lan < 5",
	    &ex[1], NULL), 0);
	assert_int_equal(score_expect_parse("query_amplification.quiet > 0",
	    &ex[2], NULL), 0);
	assert_int_equal(score_expect_parse("query_amplification.nowhere < 1e9",
	    &ex[3], NULL), 0);
	/* the first link's figure is still the run's */
	assert_int_equal(score_expect_parse("query_amplification < 5",
	    &ex[4], NULL), 0);
	score(log, &d, &r);
	assert_true(r.checks[0].pass);
	assert_true(fabs(r.checks[0].observed - 1.8) < 1e-9);
	assert_false(r.checks[1].pass);
	assert_true(r.checks[1].has_observed);
	assert_true(fabs(r.checks[1].observed - 100.0) < 1e-9);
	assert_string_equal(r.checks[1].message,
	    "query_amplification.auth_lan = 100, expected < 5");
	/* null at the link: fails, never passes */
	assert_false(r.checks[2].pass);
	assert_false(r.checks[2].has_observed);
	assert_non_null(strstr(r.checks[2].message, "query_amplification.quiet "
	    "never observed (no query-rate samples before"));
	assert_false(r.checks[3].pass);
	assert_non_null(strstr(r.checks[3].message, "no capture link 'nowhere'"));
	assert_true(r.checks[4].pass);
	assert_false(r.pass);
	score_result_fini(&r);
	elog_free(log);
}

/* One reading of faultd `dns`: queries and servfail/pass answers. */
static void
reading(struct elog *log, uint64_t t, const char *dns,
    enum elog_stats_why why, uint64_t queries, uint64_t servfail)
{
	struct elog_count counters[] = { { "queries", queries },
	    { "replies", queries } };
	struct elog_count actions[] = { { "pass", queries - servfail },
	    { "servfail", servfail } };
	struct elog_stats st = { .t_ms = t, .dns = dns, .why = why,
	    .counters = counters, .n_counters = 2, .actions = actions,
	    .n_actions = 2 };

	assert_int_equal(elog_add_stats(log, &st), 0);
}

/* A fault window named by phases (score { fault = { start = { phase }, stop
 * = { phase } } }): faultd's readings at the phase starts stand for them,
 * so the counters over the window are exact */
static void
test_counters_over_phase_window(void **state)
{
	struct elog *log = elog_new();
	struct score_expect ex[1];
	struct score_defs d = { .expect = ex, .n_expect = 1,
	    .fault_start = { .set = true, .kind = ELOG_PHASE_START, .source = "hold" },
	    .fault_end = { .set = true, .kind = ELOG_PHASE_START, .source = "released" } };
	struct score_result r;

	(void)state;
	reading(log, 0, "tld", ELOG_STATS_START, 0, 0);
	elog_phase(log, 0, true, "baseline");
	elog_phase(log, 3000, true, "hold");
	/* answered a few ms after the phase began: it stands for 3000 */
	reading(log, 3004, "tld", ELOG_STATS_PHASE, 30, 0);
	reading(log, 8000, "tld", ELOG_STATS_TIMELINE, 90, 0);
	elog_phase(log, 13000, true, "released");
	reading(log, 13003, "tld", ELOG_STATS_PHASE, 130, 0);
	reading(log, 20000, "tld", ELOG_STATS_END, 200, 0);
	assert_int_equal(score_expect_parse("dns_queries.tld == 100", &ex[0], NULL), 0);
	score(log, &d, &r);
	assert_true(r.fault_found);
	assert_int_equal(r.fault_start_ms, 3000);
	assert_int_equal(r.fault_end_ms, 13000);
	/* 130 - 30, not 130 - 0 (the start reading, 3 s before the window) */
	assert_true(r.checks[0].has_observed);
	assert_true(r.checks[0].observed == 100.0);
	assert_true(r.checks[0].pass);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_counters_over_fault(void **state)
{
	struct elog *log = elog_new();
	struct score_expect ex[6];
	struct score_defs d = { .expect = ex, .n_expect = 6 };
	struct score_result r;
	struct elog_stats broken = { .t_ms = 10000, .dns = "auth",
	    .why = ELOG_STATS_INJECT, .error = "no answer in time" };

	(void)state;
	/* the inject reading comes just after the injection, the clear
	 * reading just before the clear: they stand for both */
	reading(log, 4000, "auth", ELOG_STATS_TIMELINE, 50, 0);
	elog_fault(log, 10000, true, "auth", "action=servfail");
	reading(log, 10010, "auth", ELOG_STATS_INJECT, 100, 0);
	assert_int_equal(elog_add_stats(log, &broken), 0); /* left out */
	reading(log, 15000, "auth", ELOG_STATS_TIMELINE, 400, 300);
	reading(log, 19990, "auth", ELOG_STATS_CLEAR, 900, 790);
	elog_fault(log, 20000, false, "auth", "");
	reading(log, 30000, "auth", ELOG_STATS_END, 1000, 790);
	reading(log, 30000, "other", ELOG_STATS_END, 7, 0);
	assert_int_equal(score_expect_parse("dns_queries.auth < 1000", &ex[0],
	    NULL), 0);
	assert_int_equal(score_expect_parse("dns_answers.auth.servfail > 0",
	    &ex[1], NULL), 0);
	assert_int_equal(score_expect_parse("dns_answers.auth.pass < 5",
	    &ex[2], NULL), 0);
	assert_int_equal(score_expect_parse("dns_queries.other >= 0", &ex[3],
	    NULL), 0);
	assert_int_equal(score_expect_parse("dns_queries.ghost >= 0", &ex[4],
	    NULL), 0);
	assert_int_equal(score_expect_parse("dns_answers.auth.explode >= 0",
	    &ex[5], NULL), 0);
	score(log, &d, &r);
	assert_true(r.checks[0].pass);
	assert_true(r.checks[0].has_observed);
	assert_true(r.checks[0].observed == 800.0);
	assert_string_equal(r.checks[0].message,
	    "dns_queries.auth = 800 < 1000");
	assert_true(r.checks[1].pass);
	assert_true(r.checks[1].observed == 790.0);
	assert_false(r.checks[2].pass);
	assert_true(r.checks[2].observed == 10.0);
	assert_string_equal(r.checks[2].message,
	    "dns_answers.auth.pass = 10, expected < 5");
	/* not computable: fails, with the reason */
	assert_false(r.checks[3].pass);
	assert_false(r.checks[3].has_observed);
	assert_string_equal(r.checks[3].message, "dns_queries.other never "
	    "observed (no reading of faultd 'other' at the fault start)");
	assert_false(r.checks[4].pass);
	assert_non_null(strstr(r.checks[4].message,
	    "faultd 'ghost' was never read"));
	assert_false(r.checks[5].pass);
	assert_non_null(strstr(r.checks[5].message,
	    "has no answers with action explode counter"));
	assert_false(r.pass);
	score_result_fini(&r);
	elog_free(log);
}

static void
test_counters_edges(void **state)
{
	struct elog *log = elog_new();
	struct score_result r;
	struct score_value v;

	(void)state;
	/* no fault */
	reading(log, 1000, "auth", ELOG_STATS_TIMELINE, 5, 0);
	score(log, &(struct score_defs){ 0 }, &r);
	score_counter_over(log, &r, SCORE_COUNTER_QUERIES, "auth", NULL, &v);
	assert_false(v.has);
	assert_string_equal(v.why, "no fault start in the log");
	score_result_fini(&r);

	/* a fault never cleared: to the end reading; without one, null */
	elog_fault(log, 2000, true, "auth", "action=drop");
	reading(log, 2005, "auth", ELOG_STATS_INJECT, 6, 0);
	reading(log, 3000, "auth", ELOG_STATS_TIMELINE, 40, 0);
	score(log, &(struct score_defs){ 0 }, &r);
	assert_false(r.fault_cleared);
	score_counter_over(log, &r, SCORE_COUNTER_QUERIES, "auth", NULL, &v);
	assert_false(v.has);
	assert_non_null(strstr(v.why, "no reading of faultd 'auth' at the "
	    "fault end (never cleared"));
	score_result_fini(&r);
	reading(log, 5000, "auth", ELOG_STATS_END, 70, 0);
	score(log, &(struct score_defs){ 0 }, &r);
	score_counter_over(log, &r, SCORE_COUNTER_QUERIES, "auth", NULL, &v);
	assert_true(v.has);
	assert_true(v.v == 64.0);
	/* the timeline's reading before the start would do too, but the
	 * inject reading is the later one at the start */
	score_counter_over(log, &r, SCORE_COUNTER_ANSWERS, "auth", "pass", &v);
	assert_true(v.has && v.v == 64.0);
	score_result_fini(&r);
	elog_free(log);

	/* cleared, but no reading at or after the clear: null; a counter
	 * that went down (faultd restarted): null */
	log = elog_new();
	reading(log, 500, "auth", ELOG_STATS_TIMELINE, 10, 0);
	elog_fault(log, 1000, true, "auth", "action=servfail");
	elog_fault(log, 2000, false, "auth", "");
	score(log, &(struct score_defs){ 0 }, &r);
	score_counter_over(log, &r, SCORE_COUNTER_QUERIES, "auth", NULL, &v);
	assert_false(v.has);
	assert_string_equal(v.why, "no reading of faultd 'auth' at the fault "
	    "end");
	score_result_fini(&r);
	reading(log, 3000, "auth", ELOG_STATS_END, 4, 0);
	score(log, &(struct score_defs){ 0 }, &r);
	score_counter_over(log, &r, SCORE_COUNTER_QUERIES, "auth", NULL, &v);
	assert_false(v.has);
	assert_non_null(strstr(v.why, "went down (10 to 4)"));
	score_result_fini(&r);
	elog_free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect_if_disrupted),
		cmocka_unit_test(test_log_order_and_copy),
		cmocka_unit_test(test_log_truncates_on_utf8_boundary),
		cmocka_unit_test(test_log_bad_input),
		cmocka_unit_test(test_log_grows),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_fault_window_default_multi_target),
		cmocka_unit_test(test_fault_window_never_cleared),
		cmocka_unit_test(test_fault_window_explicit),
		cmocka_unit_test(test_no_fault_everything_null),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_detection_boundaries),
		cmocka_unit_test(test_failover_basic),
		cmocka_unit_test(test_failover_flap_inside_window),
		cmocka_unit_test(test_failover_never_failed_is_zero),
		cmocka_unit_test(test_failover_never_stable),
		cmocka_unit_test(test_failover_window_must_close_in_fault),
		cmocka_unit_test(test_failover_zero_stable_and_same_ms),
		cmocka_unit_test(test_availability_boundaries),
		cmocka_unit_test(test_recovery_probe),
		cmocka_unit_test(test_recovery_never_left_primary),
		cmocka_unit_test(test_recovery_watch_with_lost),
		cmocka_unit_test(test_amplification),
		cmocka_unit_test(test_amplification_null),
		cmocka_unit_test(test_amplification_links),
		cmocka_unit_test(test_expect_parse_good),
		cmocka_unit_test(test_expect_parse_errors),
		cmocka_unit_test(test_metric_and_op_names),
		cmocka_unit_test(test_check_operators),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_censored_recovery),
		cmocka_unit_test(test_censored_detection_and_failover),
		cmocka_unit_test(test_latency_percentiles),
		cmocka_unit_test(test_latency_fails_a_gate),
		cmocka_unit_test(test_partial_outage),
		cmocka_unit_test(test_failover_from_watch),
		cmocka_unit_test(test_recovery_from_watch),
		cmocka_unit_test(test_probe_recovery_figure),
		cmocka_unit_test(test_expect_parse_new_metrics),
		cmocka_unit_test(test_expect_parse_stat),
		cmocka_unit_test(test_expect_parse_link_and_counters),
		cmocka_unit_test(test_expect_link_amplification),
		cmocka_unit_test(test_counters_over_fault),
		cmocka_unit_test(test_counters_over_phase_window),
		cmocka_unit_test(test_counters_edges),
		cmocka_unit_test(test_expect_incident_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
