/*
 * test_repeat_report.c -- the writers of a group of repeated runs on
 * hand-made results: repeat.json (read back by jansson: members, seeds
 * exact, censored statistics and samples), the group's junit.xml (one test
 * case per expectation, an error case when a run erred), report.html (a
 * spread table per metric, links to each run's report, run data escaped),
 * the text summary, report_write_repeat's files, and the result standing
 * for the group in a matrix (its medians).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "model/repeat.h"
#include "model/result.h"
#include "model/score.h"
#include "reports/report.h"

/* A run: detection_s det, recovery_s rec (below 0: censored at -rec). */
static struct result *
make_run(const char *scenario, double det, double rec)
{
	static const char *const ex[] = { "p90(detection_s) < 1",
		"max(recovery_s) < 5", "detection_s < 1" };
	struct score_result s;
	struct score_expect e;
	struct result *r = result_new(scenario);

	assert_non_null(r);
	memset(&s, 0, sizeof(s));
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		snprintf(s.metric[m].why, sizeof(s.metric[m].why), "not seen");
	s.metric[SCORE_DETECTION].has = true;
	s.metric[SCORE_DETECTION].v = det;
	if (rec < 0) {
		s.metric[SCORE_RECOVERY].censored = true;
		s.metric[SCORE_RECOVERY].at_least = -rec;
	} else {
		s.metric[SCORE_RECOVERY].has = true;
		s.metric[SCORE_RECOVERY].v = rec;
	}
	s.fault_found = true;
	s.checks = calloc(3, sizeof(*s.checks));
	assert_non_null(s.checks);
	s.n_checks = 3;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(score_expect_parse(ex[i], &e, NULL), 0);
		score_check(&e, s.metric, &s.checks[i]);
	}
	assert_int_equal(result_set_score(r, &s), 0);
	assert_int_equal(result_set_param(r, "speed", "1"), 0);
	score_result_fini(&s);
	return r;
}

struct fixture {
	struct result *runs[3];
	struct repeat_group g;
	const char *dirs[3];
	uint64_t seeds[3];
	struct report_repeat rp;
};

static void
fixture_make(struct fixture *fx, const char *scenario)
{
	memset(fx, 0, sizeof(*fx));
	fx->runs[0] = make_run(scenario, 0.2, 1);
	fx->runs[1] = make_run(scenario, 0.4, -32.1);
	fx->runs[2] = make_run(scenario, 0.3, 2);
	for (int k = 0; k < 3; k++) {
		static const char *const d[] = { "run-1", "run-2", "run-3" };

		fx->dirs[k] = d[k];
		fx->seeds[k] = UINT64_MAX - 2 + (uint64_t)k;
	}
	assert_int_equal(repeat_group_of((const struct result *const *)fx->runs,
	    3, &fx->g, NULL), 0);
	fx->rp.group = &fx->g;
	fx->rp.dirs = fx->dirs;
	fx->rp.seeds = fx->seeds;
}

static void
fixture_free(struct fixture *fx)
{
	repeat_group_fini(&fx->g);
	for (int k = 0; k < 3; k++)
		result_free(fx->runs[k]);
}

static char *
render(int (*f)(const struct report_repeat *, FILE *),
    const struct report_repeat *rp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(f(rp, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void
test_repeat_json(void **state)
{
	struct fixture fx;
	json_error_t jerr;
	json_t *root, *m, *v;
	char *text;

	(void)state;
	fixture_make(&fx, "drill");
	text = render(report_repeat_json_write, &fx.rp);
	root = json_loads(text, 0, &jerr);
	if (root == NULL)
		fail_msg("%s: %s", jerr.text, text);
	assert_string_equal(json_string_value(json_object_get(root, "format")),
	    REPORT_REPEAT_FORMAT);
	assert_string_equal(json_string_value(json_object_get(root, "scenario")),
	    "drill");
	/* recovery's max reads the censored run: a fail */
	assert_string_equal(json_string_value(json_object_get(root, "verdict")),
	    "fail");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    root, "params"), "speed")), "1");
	/* seeds above 2^63 - 1 are exact, as strings of digits */
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    root, "seeds"), 2)), "18446744073709551615");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(root, "runs"), 1), "dir")), "run-2");
	m = json_array_get(json_object_get(root, "metrics"), SCORE_RECOVERY);
	assert_string_equal(json_string_value(json_object_get(m, "metric")),
	    "recovery_s");
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 3);
	assert_int_equal(json_integer_value(json_object_get(m, "censored")), 1);
	assert_int_equal(json_integer_value(json_object_get(m, "missing")), 0);
	assert_true(json_is_false(json_object_get(json_object_get(m, "median"),
	    "at_least")));
	assert_true(fabs(json_real_value(json_object_get(json_object_get(m,
	    "median"), "value")) - 2) < 1e-9);
	assert_true(json_is_true(json_object_get(json_object_get(m, "max"),
	    "at_least")));
	v = json_array_get(json_object_get(m, "values"), 1);
	assert_true(fabs(json_real_value(json_object_get(v, "at_least")) -
	    32.1) < 1e-9);
	/* a metric no run has: its statistics null */
	m = json_array_get(json_object_get(root, "metrics"), SCORE_FAILOVER);
	assert_true(json_is_null(json_object_get(m, "p90")));
	assert_true(json_is_null(json_array_get(json_object_get(m, "values"), 0)));
	/* the checks: statistic, value, at_least, held */
	v = json_array_get(json_object_get(root, "expectations"), 1);
	assert_string_equal(json_string_value(json_object_get(v, "metric")),
	    "max(recovery_s)");
	assert_string_equal(json_string_value(json_object_get(v, "statistic")),
	    "max");
	assert_true(json_is_true(json_object_get(v, "at_least")));
	assert_true(json_is_false(json_object_get(v, "pass")));
	v = json_array_get(json_object_get(root, "expectations"), 2);
	assert_true(json_is_null(json_object_get(v, "statistic")));
	assert_int_equal(json_integer_value(json_object_get(v, "held")), 3);
	/* 12 significant digits: no 0.30000000000000004 */
	assert_null(strstr(text, "0000000"));
	json_decref(root);
	free(text);
	fixture_free(&fx);
}

static void
test_repeat_junit_html_text(void **state)
{
	struct fixture fx;
	char *x, *h, *t;

	(void)state;
	fixture_make(&fx, "<b>&drill");
	x = render(report_repeat_junit_write, &fx.rp);
	assert_non_null(strstr(x, "tests=\"3\" failures=\"1\" errors=\"0\""));
	assert_non_null(strstr(x, "name=\"&lt;b&gt;&amp;drill (repeat 3)\""));
	assert_non_null(strstr(x, "name=\"p90(detection_s) &lt; 1\"/>"));
	assert_non_null(strstr(x, "<failure type=\"expectation\" message=\""
	    "max(recovery_s) &gt;= 32.1 (1 of 3 runs censored), expected &lt; 5\""));
	assert_null(strstr(x, "<b>"));
	h = render(report_repeat_html_write, &fx.rp);
	for (int k = 1; k <= 3; k++) {
		char link[64];

		snprintf(link, sizeof(link), "href=\"run-%d/report.html\"", k);
		assert_non_null(strstr(h, link));
	}
	assert_non_null(strstr(h, "&lt;b&gt;&amp;drill"));
	assert_null(strstr(h, "<b>&drill"));
	assert_non_null(strstr(h, "<td>&gt;=32.1</td>"));
	assert_non_null(strstr(h, "Content-Security-Policy"));
	t = render(report_repeat_text_write, &fx.rp);
	assert_non_null(strstr(t, "FAIL  <b>&drill: 3 runs, seeds "
	    "18446744073709551613..18446744073709551615\n"));
	assert_non_null(strstr(t, "  PASS  p90(detection_s) = 0.38 < 1 over 3 runs\n"));
	assert_non_null(strstr(t, "  run-2    seed 18446744073709551614 fail\n"));
	free(x);
	free(h);
	free(t);
	fixture_free(&fx);

	/* a run in error: an error test case, verdict error */
	fixture_make(&fx, "drill");
	repeat_group_fini(&fx.g);
	assert_int_equal(result_set_error(fx.runs[2], "interrupted"), 0);
	assert_int_equal(repeat_group_of((const struct result *const *)fx.runs,
	    3, &fx.g, NULL), 0);
	x = render(report_repeat_junit_write, &fx.rp);
	assert_non_null(strstr(x, "errors=\"1\""));
	assert_non_null(strstr(x, "<error type=\"error\" message=\"run-3: "
	    "interrupted\""));
	free(x);
	fixture_free(&fx);
}

static void
test_write_repeat_files(void **state)
{
	struct fixture fx;
	char dir[] = "/tmp/dd-test-repeat.XXXXXX", path[64];
	static const char *const names[] = { "repeat.json", "junit.xml",
		"report.html" };
	struct dd_err err = { "" };

	(void)state;
	fixture_make(&fx, "drill");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(report_write_repeat(dir, &fx.rp, &err), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(access(path, R_OK), 0);
		unlink(path);
	}
	rmdir(dir);
	assert_int_equal(report_write_repeat(NULL, &fx.rp, &err), DD_EINVAL);
	fixture_free(&fx);
}

/* The group as one row of a matrix: medians, the checks, the verdict. */
static void
test_median_result(void **state)
{
	struct fixture fx;
	struct result *r;

	(void)state;
	fixture_make(&fx, "drill");
	r = repeat_median_result(&fx.g);
	assert_non_null(r);
	assert_string_equal(r->scenario, "drill");
	assert_true(r->metric[SCORE_DETECTION].has);
	assert_true(fabs(r->metric[SCORE_DETECTION].value - 0.3) < 1e-9);
	assert_true(r->metric[SCORE_RECOVERY].has);
	assert_true(fabs(r->metric[SCORE_RECOVERY].value - 2) < 1e-9);
	assert_false(r->metric[SCORE_FAILOVER].has);
	assert_non_null(strstr(r->metric[SCORE_FAILOVER].note,
	    "not observed in any run"));
	assert_int_equal(r->n_expect, 3);
	assert_string_equal(result_expect_metric(&r->expect[1]), "max(recovery_s)");
	assert_true(r->expect[1].censored);
	assert_false(r->expect[1].pass);
	assert_string_equal(result_verdict(r), "fail");
	assert_string_equal(r->params[0].key, "speed");
	result_free(r);
	fixture_free(&fx);
}

/* matrix --repeat --jobs hands each group's row from its process to the
 * matrix's as result.json text: the table row is the same as the one the
 * row itself gives (what a matrix run one after another shows). */
static void
test_median_result_round_trip(void **state)
{
	struct fixture fx;
	struct result *r, *back = NULL;
	struct dd_err err = { "" };
	char *json = NULL, *t1 = NULL, *t2 = NULL;
	size_t jlen = 0, l1 = 0, l2 = 0;
	FILE *f;
	const char *label[1] = { "ttl-5" };

	(void)state;
	fixture_make(&fx, "drill");
	r = repeat_median_result(&fx.g);
	assert_non_null(r);
	f = open_memstream(&json, &jlen);
	assert_int_equal(result_json_write(r, f), 0);
	fclose(f);
	assert_int_equal(result_json_read(json, jlen, &back, &err), 0);
	f = open_memstream(&t1, &l1);
	assert_int_equal(report_matrix_text_write(&r, 1, label, f), 0);
	fclose(f);
	f = open_memstream(&t2, &l2);
	assert_int_equal(report_matrix_text_write(&back, 1, label, f), 0);
	fclose(f);
	assert_string_equal(t1, t2);
	assert_non_null(strstr(t1, "ttl-5"));
	assert_string_equal(result_verdict(back), result_verdict(r));
	free(json);
	free(t1);
	free(t2);
	result_free(back);
	result_free(r);
	fixture_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeat_json),
		cmocka_unit_test(test_repeat_junit_html_text),
		cmocka_unit_test(test_write_repeat_files),
		cmocka_unit_test(test_median_result),
		cmocka_unit_test(test_median_result_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
