/*
 * test_repeat.c -- a group of repeated runs, on hand-made results: each
 * metric's spread, statistic expectations checked on the distribution
 * (censored runs give lower bounds that never pass; a run without the
 * metric leaves it undecided), plain expectations that must hold in every
 * run, "if disrupted", and the group's verdict (error when a run erred).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "model/repeat.h"
#include "model/result.h"
#include "model/score.h"

#define CENS (-1.0) /* a censored sample's marker in make_run() */

/*
 * One run: detection_s = det (NAN: not observed; a value below 0: censored
 * at -det), recovery_s = rec likewise, availability.www = avail, service
 * disrupted or not; the expectations scored against those figures the way
 * score_run() would.
 */
static struct result *
make_run(double det, double rec, double avail, bool disrupted,
    const char *const *expects, size_t n)
{
	struct score_result s;
	struct score_expect ex;
	struct result *r = result_new("t");
	const double in[2] = { det, rec };
	const enum score_metric which[2] = { SCORE_DETECTION, SCORE_RECOVERY };

	assert_non_null(r);
	memset(&s, 0, sizeof(s));
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		snprintf(s.metric[m].why, sizeof(s.metric[m].why), "not seen");
	for (int i = 0; i < 2; i++) {
		struct score_value *v = &s.metric[which[i]];

		if (isnan(in[i]))
			continue;
		if (in[i] < 0) {
			v->censored = true;
			v->at_least = -in[i];
			snprintf(v->why, sizeof(v->why), "not within %g s", -in[i]);
		} else {
			v->has = true;
			v->v = in[i];
		}
	}
	s.fault_found = true;
	s.service_disrupted = disrupted;
	s.probes = calloc(1, sizeof(*s.probes));
	assert_non_null(s.probes);
	s.n_probes = 1;
	snprintf(s.probes[0].name, sizeof(s.probes[0].name), "www");
	s.probes[0].metric[SCORE_AVAILABILITY].has = true;
	s.probes[0].metric[SCORE_AVAILABILITY].v = avail;
	s.checks = calloc(n + 1, sizeof(*s.checks));
	assert_non_null(s.checks);
	s.n_checks = n;
	s.pass = true;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(score_expect_parse(expects[i], &ex, NULL), 0);
		score_check(&ex, ex.probe[0] ? s.probes[0].metric : s.metric,
		    &s.checks[i]);
		s.pass = s.pass && s.checks[i].pass;
	}
	assert_int_equal(result_set_score(r, &s), 0);
	score_result_fini(&s);
	return r;
}

static const struct repeat_check *
check_named(const struct repeat_group *g, const char *label, const char *bound)
{
	for (size_t i = 0; i < g->n_checks; i++)
		if (strcmp(g->checks[i].label, label) == 0 &&
		    strcmp(g->checks[i].bound, bound) == 0)
			return &g->checks[i];
	fail_msg("no check %s %s", label, bound);
	return NULL;
}

static void
free_runs(struct result **runs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		result_free(runs[k]);
}

static void
test_spread_and_stat_checks(void **state)
{
	static const char *const ex[] = {
		"p90(detection_s) < 1", "max(detection_s) < 0.0001",
		"detection_s < 0.45", "median(availability.www) >= 0.5",
	};
	struct result *runs[5];
	struct repeat_group g;
	const struct repeat_series *s;
	const struct repeat_check *c;

	(void)state;
	for (int k = 0; k < 5; k++)
		runs[k] = make_run(0.1 * (k + 1), 1, 0.2 * k, true, ex, 4);
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 5,
	    &g, NULL), 0);
	s = repeat_series_find(&g, SCORE_DETECTION, NULL);
	assert_non_null(s);
	assert_string_equal(s->label, "detection_s");
	assert_int_equal(s->dist.n, 5);
	assert_true(fabs(s->dist.stat[DIST_MIN].v - 0.1) < 1e-9);
	assert_true(fabs(s->dist.stat[DIST_MEDIAN].v - 0.3) < 1e-9);
	assert_true(fabs(s->dist.stat[DIST_P90].v - 0.46) < 1e-9);
	assert_true(fabs(s->dist.stat[DIST_MAX].v - 0.5) < 1e-9);
	assert_true(fabs(s->samples[3].v - 0.4) < 1e-9);
	/* a metric no run observed still has its series: all missing */
	s = repeat_series_find(&g, SCORE_FAILOVER, "");
	assert_non_null(s);
	assert_int_equal(s->dist.n_missing, 5);
	/* the per-probe series an expectation names is there too */
	s = repeat_series_find(&g, SCORE_AVAILABILITY, "www");
	assert_non_null(s);
	assert_string_equal(s->label, "availability.www");
	assert_true(fabs(s->dist.stat[DIST_MEDIAN].v - 0.4) < 1e-9);

	c = check_named(&g, "p90(detection_s)", "< 1");
	assert_true(c->pass && c->has_value && !c->at_least);
	assert_true(fabs(c->value - 0.46) < 1e-9);
	assert_string_equal(c->message, "p90(detection_s) = 0.46 < 1 over 5 runs");
	c = check_named(&g, "max(detection_s)", "< 0.0001");
	assert_false(c->pass);
	assert_string_equal(c->message,
	    "max(detection_s) = 0.5 over 5 runs, expected < 0.0001");
	/* a plain expectation must hold in every run: 0.5 breaks it */
	c = check_named(&g, "detection_s", "< 0.45");
	assert_false(c->pass);
	assert_int_equal(c->n_held, 4);
	assert_non_null(strstr(c->message, "held in 4 of 5 runs; run 5: "
	    "detection_s = 0.5, expected < 0.45"));
	c = check_named(&g, "median(availability.www)", ">= 0.5");
	assert_false(c->pass);
	assert_false(g.pass);
	assert_string_equal(repeat_verdict(&g), "fail");
	repeat_group_fini(&g);
	repeat_group_fini(&g); /* twice is fine */
	free_runs(runs, 5);
}

/* Recovery 1 s, 2 s and not within 32.1 s: the median reads only the
 * observed runs and is exact; p90 and max read the censored run and are
 * lower bounds, which fail whether they break the bound or not. */
static void
test_censored_runs(void **state)
{
	static const char *const ex[] = {
		"median(recovery_s) < 20", "p90(recovery_s) < 20",
		"p90(recovery_s) < 30", "max(recovery_s) > 0.5",
		"recovery_s < 40",
	};
	struct result *runs[3];
	struct repeat_group g;
	const struct repeat_series *s;
	const struct repeat_check *c;

	(void)state;
	runs[0] = make_run(0.2, 1, 1, true, ex, 5);
	runs[1] = make_run(0.2, -32.1, 1, true, ex, 5);
	runs[2] = make_run(0.2, 2, 1, true, ex, 5);
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	s = repeat_series_find(&g, SCORE_RECOVERY, "");
	assert_non_null(s);
	assert_int_equal(s->dist.n, 3);
	assert_int_equal(s->dist.n_censored, 1);
	assert_true(s->samples[1].censored);
	assert_false(s->dist.stat[DIST_MEDIAN].at_least);
	assert_true(s->dist.stat[DIST_MAX].at_least);

	c = check_named(&g, "median(recovery_s)", "< 20");
	assert_true(c->pass);
	assert_true(fabs(c->value - 2) < 1e-9);
	c = check_named(&g, "p90(recovery_s)", "< 20");
	assert_false(c->pass);
	assert_true(c->at_least);
	assert_true(fabs(c->value - 26.08) < 1e-9);
	assert_null(strstr(c->message, "undecided"));
	assert_non_null(strstr(c->message, "p90(recovery_s) >= 26.08 (1 of 3 runs "
	    "censored), expected < 20"));
	c = check_named(&g, "p90(recovery_s)", "< 30");
	assert_false(c->pass);
	assert_non_null(strstr(c->message, "undecided: counted as a failure"));
	/* never a pass on a bound, even one that would decide it */
	c = check_named(&g, "max(recovery_s)", "> 0.5");
	assert_false(c->pass);
	/* the censored run's own check failed: the plain one fails */
	c = check_named(&g, "recovery_s", "< 40");
	assert_false(c->pass);
	assert_int_equal(c->n_held, 2);
	assert_non_null(strstr(c->message, "run 2: recovery_s never observed"));
	assert_string_equal(repeat_verdict(&g), "fail");
	repeat_group_fini(&g);
	free_runs(runs, 3);
}

/* A run in which the metric was neither seen nor bounded: undecided. */
static void
test_missing_is_undecided(void **state)
{
	static const char *const ex[] = { "p90(detection_s) < 1" };
	struct result *runs[3];
	struct repeat_group g;

	(void)state;
	runs[0] = make_run(0.2, 1, 1, true, ex, 1);
	runs[1] = make_run(NAN, 1, 1, true, ex, 1);
	runs[2] = make_run(0.3, 1, 1, true, ex, 1);
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	assert_int_equal(g.n_checks, 1);
	assert_false(g.checks[0].pass);
	assert_false(g.checks[0].has_value);
	assert_non_null(strstr(g.checks[0].message, "not observed in 1 of 3 runs"));
	assert_false(g.pass);
	repeat_group_fini(&g);
	free_runs(runs, 3);
}

/* "if disrupted": only disrupted runs count; none, and it passes. */
static void
test_if_disrupted(void **state)
{
	static const char *const ex[] = { "max(detection_s) < 0.25 if disrupted" };
	struct result *runs[3];
	struct repeat_group g;

	(void)state;
	runs[0] = make_run(0.2, 1, 1, true, ex, 1);
	runs[1] = make_run(0.9, 1, 1, false, ex, 1);
	runs[2] = make_run(0.1, 1, 1, true, ex, 1);
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	assert_true(g.checks[0].pass);
	assert_true(fabs(g.checks[0].value - 0.2) < 1e-9);
	assert_string_equal(repeat_verdict(&g), "pass");
	repeat_group_fini(&g);
	free_runs(runs, 3);

	for (int k = 0; k < 3; k++)
		runs[k] = make_run(0.9, 1, 1, false, ex, 1);
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	assert_true(g.checks[0].pass);
	assert_non_null(strstr(g.checks[0].message, "never disrupted"));
	repeat_group_fini(&g);
	free_runs(runs, 3);
}

/* A run in error, or with no result, makes the group's verdict error,
 * whatever the checks say. */
static void
test_error_verdict(void **state)
{
	static const char *const ex[] = { "p90(detection_s) < 1" };
	struct result *runs[3];
	struct repeat_group g;
	struct dd_err err = { "" };

	(void)state;
	for (int k = 0; k < 3; k++)
		runs[k] = make_run(0.2, 1, 1, true, ex, 1);
	assert_int_equal(result_set_error(runs[1], "interrupted"), 0);
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	assert_true(g.error);
	assert_int_equal(g.first_error, 1);
	assert_string_equal(repeat_verdict(&g), "error");
	repeat_group_fini(&g);
	result_free(runs[1]);
	runs[1] = NULL;
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	assert_string_equal(repeat_verdict(&g), "error");
	/* the run without a result has no sample: undecided */
	assert_false(g.checks[0].pass);
	assert_non_null(strstr(g.checks[0].message, "not observed in 1 of 3"));
	repeat_group_fini(&g);
	free_runs(runs, 3);

	assert_int_equal(repeat_group_of(NULL, 0, &g, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "no runs"));
}

/* A statistic expectation survives result.json: label, statistic, probe. */
/* "p90(recovery_s) < 40s in incident time" over runs at speed 10: the
 * statistic of the real seconds, times the runs' speed (params "speed") */
static void
test_stat_in_incident_time(void **state)
{
	static const char *const ex[] = {
		"p90(recovery_s) < 40s in incident time",
		"max(recovery_s) < 30s in incident time",
	};
	struct result *runs[3];
	struct repeat_group g;
	const struct repeat_check *c;

	(void)state;
	for (int k = 0; k < 3; k++) {
		runs[k] = make_run(1, 2.0 + k, 1, true, ex, 2); /* 2, 3, 4 s */
		assert_int_equal(result_set_param(runs[k], "speed", "10"), 0);
	}
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3,
	    &g, NULL), 0);
	c = check_named(&g, "p90(recovery_s)", "< 40s in incident time");
	assert_true(c->has_value);
	assert_true(fabs(c->value - 38) < 1e-9);        /* p90 3.8 s x 10 */
	assert_true(c->pass);
	c = check_named(&g, "max(recovery_s)", "< 30s in incident time");
	assert_true(fabs(c->value - 40) < 1e-9);
	assert_false(c->pass);
	assert_non_null(strstr(c->message, "max(recovery_s) = 40 over 3 runs"));
	assert_false(g.pass);
	repeat_group_fini(&g);
	free_runs(runs, 3);
}

static void
test_stat_expect_round_trip(void **state)
{
	static const char *const ex[] = { "p90(availability.www) >= 90%",
		"max(detection_s) < 1" };
	struct result *r = make_run(0.2, 1, 0.95, true, ex, 2), *back = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct dd_err err = { "" };

	(void)state;
	assert_non_null(f);
	assert_int_equal(result_json_write(r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "\"metric\": \"p90(availability.www)\""));
	if (result_json_read(buf, len, &back, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(back->n_expect, 2);
	assert_true(back->expect[0].has_stat);
	assert_int_equal(back->expect[0].stat, DIST_P90);
	assert_int_equal(back->expect[0].metric, SCORE_AVAILABILITY);
	assert_string_equal(back->expect[0].probe, "www");
	assert_string_equal(result_expect_metric(&back->expect[0]),
	    "p90(availability.www)");
	assert_int_equal(back->expect[1].stat, DIST_MAX);
	assert_null(back->expect[1].probe);
	assert_true(back->expect[1].pass);
	result_free(back);
	result_free(r);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread_and_stat_checks),
		cmocka_unit_test(test_censored_runs),
		cmocka_unit_test(test_missing_is_undecided),
		cmocka_unit_test(test_if_disrupted),
		cmocka_unit_test(test_error_verdict),
		cmocka_unit_test(test_stat_expect_round_trip),
		cmocka_unit_test(test_stat_in_incident_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
