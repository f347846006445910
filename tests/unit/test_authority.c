/*
 * test_authority.c -- queries at the authority (issue 11): per faultd, the
 * queries over the fault (exactly dns_queries.SERVER) and over the
 * baseline with their spans and the ratio of their rates (score_authority),
 * their place in result.json (written, read back, written again the same;
 * absent in an older file), and how the writers show them: the text
 * summary's and report.html's line per server, and the matrix's column per
 * server, a dash for a run without the figure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "model/elog.h"
#include "model/result.h"
#include "model/score.h"
#include "reports/report.h"

/* One reading of faultd dns: its queries counter. */
static void
reading(struct elog *log, uint64_t t, const char *dns,
    enum elog_stats_why why, uint64_t queries)
{
	struct elog_count counters[] = { { "queries", queries },
	    { "replies", queries } };
	struct elog_stats st = { .t_ms = t, .dns = dns, .why = why,
	    .counters = counters, .n_counters = 2 };

	assert_int_equal(elog_add_stats(log, &st), 0);
}

/* The usual run: read at the timeline's start (1 s, 10 queries), at the
 * injection (5 s, 50), before the clear (15 s, 850), at the end (900);
 * "other" only at the end (it came up late: no start reading). */
static struct elog *
usual_log(void)
{
	struct elog *log = elog_new();

	assert_non_null(log);
	reading(log, 1000, "auth", ELOG_STATS_START, 10);
	elog_fault(log, 5000, true, "auth", "action=servfail");
	reading(log, 5010, "auth", ELOG_STATS_INJECT, 50);
	reading(log, 14990, "auth", ELOG_STATS_CLEAR, 850);
	elog_fault(log, 15000, false, "auth", "");
	reading(log, 20000, "auth", ELOG_STATS_END, 900);
	reading(log, 20000, "other", ELOG_STATS_END, 7);
	return log;
}

static char *
write_with(int (*w)(const struct result *, FILE *), const struct result *r,
    size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(w(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* A result scored from log, the log handed over. */
static struct result *
scored(struct elog *log)
{
	struct score_defs d = { 0 };
	struct score_result s;
	struct result *r = result_new("auth-test");

	assert_non_null(r);
	assert_int_equal(score_run(log, &d, &s), 0);
	assert_int_equal(result_set_score(r, &s), 0);
	score_result_fini(&s);
	assert_int_equal(result_take_events(r, log), 0);
	return r;
}

static void
test_figure(void **state)
{
	struct elog *log = usual_log();
	struct score_result r;
	struct score_value dq;
	const struct score_authority *a, *o;

	(void)state;
	assert_int_equal(score_run(log, &(struct score_defs){ 0 }, &r), 0);
	assert_int_equal(r.n_authority, 2);
	a = &r.authority[0];
	o = &r.authority[1];
	assert_string_equal(a->dns, "auth");
	assert_string_equal(o->dns, "other");
	/* the fault: the inject reading stands for the injection (5 s), the
	 * clear reading for the clear (15 s): 800 queries in 10 s */
	assert_true(a->queries.has);
	assert_true(a->queries.v == 800.0);
	assert_true(fabs(a->fault_s - 10.0) < 1e-9);
	/* the same figure as the expectation dns_queries.auth */
	score_counter_over(log, &r, SCORE_COUNTER_QUERIES, "auth", NULL, &dq);
	assert_true(dq.has && dq.v == a->queries.v);
	/* the baseline: start reading to the fault's: 40 in 4 s */
	assert_true(a->baseline.has);
	assert_true(a->baseline.v == 40.0);
	assert_true(fabs(a->baseline_s - 4.0) < 1e-9);
	/* 80/s against 10/s */
	assert_true(a->ratio.has);
	assert_true(fabs(a->ratio.v - 8.0) < 1e-9);
	/* read at the end only: nothing at the fault start */
	assert_false(o->queries.has);
	assert_string_equal(o->queries.why, "no reading of faultd 'other' at "
	    "the fault start");
	assert_false(o->baseline.has);
	assert_false(o->ratio.has);
	score_result_fini(&r);
	assert_null(r.authority);
	elog_free(log);
}

static void
test_figure_edges(void **state)
{
	struct elog *log = elog_new();
	struct score_result r;
	const struct score_authority *a;

	(void)state;
	/* no fault: nothing computable */
	reading(log, 1000, "auth", ELOG_STATS_START, 10);
	assert_int_equal(score_run(log, &(struct score_defs){ 0 }, &r), 0);
	assert_int_equal(r.n_authority, 1);
	assert_false(r.authority[0].queries.has);
	assert_string_equal(r.authority[0].queries.why,
	    "no fault start in the log");
	assert_string_equal(r.authority[0].ratio.why,
	    "no fault start in the log");
	score_result_fini(&r);
	elog_free(log);

	/* no reading before the fault's own (an older run without the start
	 * reading): the fault's count, no baseline, no ratio */
	log = elog_new();
	elog_fault(log, 5000, true, "auth", "action=servfail");
	reading(log, 5010, "auth", ELOG_STATS_INJECT, 50);
	reading(log, 14990, "auth", ELOG_STATS_CLEAR, 850);
	elog_fault(log, 15000, false, "auth", "");
	assert_int_equal(score_run(log, &(struct score_defs){ 0 }, &r), 0);
	a = &r.authority[0];
	assert_true(a->queries.has && a->queries.v == 800.0);
	assert_false(a->baseline.has);
	assert_string_equal(a->baseline.why, "no reading of faultd 'auth' "
	    "before the fault start's");
	assert_false(a->ratio.has);
	assert_string_equal(a->ratio.why, "no baseline");
	score_result_fini(&r);
	elog_free(log);

	/* a server no fault was injected into, read at the start and the
	 * end: the count spans both (the start reading is the last at or
	 * before the fault start), with no baseline before it */
	log = elog_new();
	reading(log, 1000, "other", ELOG_STATS_START, 3);
	elog_fault(log, 5000, true, "auth", "action=servfail");
	elog_fault(log, 15000, false, "auth", "");
	reading(log, 20000, "other", ELOG_STATS_END, 7);
	assert_int_equal(score_run(log, &(struct score_defs){ 0 }, &r), 0);
	a = &r.authority[0];
	assert_true(a->queries.has && a->queries.v == 4.0);
	assert_true(fabs(a->fault_s - 19.0) < 1e-9);
	assert_false(a->baseline.has);
	score_result_fini(&r);
	elog_free(log);

	/* a quiet baseline: no ratio; faultd restarted over the fault: no
	 * count (its counter went down) */
	log = elog_new();
	reading(log, 1000, "auth", ELOG_STATS_START, 50);
	reading(log, 1000, "b", ELOG_STATS_START, 500);
	elog_fault(log, 5000, true, "auth", "action=servfail");
	reading(log, 5010, "auth", ELOG_STATS_INJECT, 50);
	reading(log, 5000, "b", ELOG_STATS_TIMELINE, 600);
	reading(log, 14990, "auth", ELOG_STATS_CLEAR, 60);
	elog_fault(log, 15000, false, "auth", "");
	reading(log, 16000, "b", ELOG_STATS_END, 5);
	assert_int_equal(score_run(log, &(struct score_defs){ 0 }, &r), 0);
	assert_int_equal(r.n_authority, 2);
	a = &r.authority[0];
	assert_true(a->queries.has && a->queries.v == 10.0);
	assert_true(a->baseline.has && a->baseline.v == 0.0);
	assert_false(a->ratio.has);
	assert_string_equal(a->ratio.why, "no queries in the baseline");
	a = &r.authority[1];
	assert_false(a->queries.has);
	assert_non_null(strstr(a->queries.why, "went down (600 to 5): "
	    "restarted?"));
	assert_true(a->baseline.has && a->baseline.v == 100.0);
	assert_false(a->ratio.has);
	score_result_fini(&r);
	elog_free(log);
}

/* In result.json: one line per server after the time distortions, read
 * back and written again byte for byte; notes where null. */
static void
test_round_trip(void **state)
{
	struct result *r = scored(usual_log()), *back = NULL;
	struct dd_err err = { "" };
	size_t len, len2;
	char *text, *again;
	const struct result_authority *a;
	double q;

	(void)state;
	text = write_with(result_json_write, r, &len);
	assert_non_null(strstr(text, "\"authority\": {\n    \"auth\": "
	    "{\"queries\": 800, \"fault_s\": 10, \"qps\": 80, "
	    "\"baseline_queries\": 40, \"baseline_s\": 4, \"baseline_qps\": 10, "
	    "\"ratio\": 8},\n    \"other\": {\"queries\": null, "
	    "\"fault_s\": null, \"qps\": null, \"baseline_queries\": null, "
	    "\"baseline_s\": null, \"baseline_qps\": null, \"ratio\": null, "
	    "\"queries_note\": \"no reading of faultd 'other' at the fault "
	    "start\""));
	/* before dns_stats: the figure, then the readings it comes from */
	assert_true(strstr(text, "\"authority\"") < strstr(text, "\"dns_stats\""));
	/* the start reading is kept as such */
	assert_non_null(strstr(text, "{\"t_ms\": 1000, \"why\": \"start\", "
	    "\"queries\": 10"));
	if (result_json_read(text, len, &back, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(back->n_authority, 2);
	a = result_authority_find(back, "auth");
	assert_non_null(a);
	assert_true(a->queries.has && a->queries.value == 800.0);
	assert_true(result_authority_qps(a, false, &q) && q == 80.0);
	assert_true(result_authority_qps(a, true, &q) && q == 10.0);
	assert_true(a->ratio.has && a->ratio.value == 8.0);
	a = result_authority_find(back, "other");
	assert_false(a->queries.has);
	assert_string_equal(a->queries.note, "no reading of faultd 'other' at "
	    "the fault start");
	assert_false(result_authority_qps(a, false, &q));
	assert_null(result_authority_find(back, "ghost"));
	again = write_with(result_json_write, back, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(text, again, len);
	free(again);
	free(text);
	result_free(back);
	result_free(r);
}

static struct result *
read_text(const char *text)
{
	struct result *r = NULL;
	struct dd_err err = { "" };

	if (result_json_read(text, strlen(text), &r, &err) != 0)
		fail_msg("%s", err.msg);
	return r;
}

/* An older result.json has none (no error); a malformed one is refused
 * with the place. */
static void
test_read_old_and_bad(void **state)
{
	struct result *r = NULL;
	struct dd_err err = { "" };
	static const char bad[] = "{\"scenario\": \"s\", \"verdict\": \"pass\", \"metrics\": {},"
	    " \"authority\": {\"auth\": {\"queries\": \"many\"}}}";
	static const char bad2[] = "{\"scenario\": \"s\", \"verdict\": \"pass\", \"metrics\": {},"
	    " \"authority\": [1]}";

	(void)state;
	r = read_text("{\"scenario\": \"s\", \"verdict\": \"pass\", \"metrics\": {}}");
	assert_int_equal(r->n_authority, 0);
	result_free(r);
	r = NULL;
	assert_int_equal(result_json_read(bad, sizeof(bad) - 1, &r, &err),
	    DD_EINVAL);
	assert_null(r);
	assert_string_equal(err.msg, "authority.auth.queries: expected a "
	    "number >= 0 or null");
	assert_int_equal(result_json_read(bad2, sizeof(bad2) - 1, &r, &err),
	    DD_EINVAL);
	assert_string_equal(err.msg, "authority: expected an object");
}

/* The text summary and report.html: a line per server; a dash with the
 * reason when not computable, a bare dash in an older result. */
static void
test_summary_and_report(void **state)
{
	struct result *r = scored(usual_log()), *old;
	char *text, *html;

	(void)state;
	text = write_with(report_text_write, r, NULL);
	assert_non_null(strstr(text, "\ndns auth             900 queries"));
	assert_non_null(strstr(text, "(end)\n    queries at the authority: 800 "
	    "over the fault (80.0/s), baseline 10.0/s (x8.0)\n"));
	assert_non_null(strstr(text, "\n    queries at the authority: - (no "
	    "reading of faultd 'other' at the fault start)\n"));
	html = write_with(report_html_write, r, NULL);
	assert_non_null(strstr(html, "<h3><code>auth</code></h3>\n<p class="
	    "\"summary auth\">Queries at the authority: 800 over the fault "
	    "(80.0/s), baseline 10.0/s (x8.0)</p>"));
	assert_non_null(strstr(html, "Queries at the authority: - (no reading "
	    "of faultd &#39;other&#39; at the fault start)</p>"));
	free(text);
	free(html);

	/* a result.json from before the figure: readings, no "authority" */
	old = read_text("{\"scenario\": \"s\", \"verdict\": \"pass\", \"metrics\": {},"
	    " \"dns_stats\": {\"auth\": [{\"t_ms\": 9000, \"why\": \"end\","
	    " \"queries\": 12}]}, \"events\": []}");
	text = write_with(report_text_write, old, NULL);
	assert_non_null(strstr(text, "\ndns auth             12 queries"));
	assert_non_null(strstr(text, "\n    queries at the authority: -\n"));
	html = write_with(report_html_write, old, NULL);
	assert_non_null(strstr(html, "Queries at the authority: -</p>"));
	free(text);
	free(html);
	result_free(old);
	result_free(r);
}

/* A result.json with params and an "authority" member (a JSON fragment,
 * or "" for none). */
static struct result *
run_with(const char *resolver, const char *verdict, const char *authority)
{
	char *text;
	struct result *r;
	int len = asprintf(&text, "{\"scenario\": \"flagship\", \"verdict\": "
	    "\"%s\", \"params\": {\"resolver\": \"%s\", \"fault\": \"servfail\"},"
	    " \"metrics\": {\"detection_s\": 0.5, \"failover_s\": 1.5,"
	    " \"recovery_s\": 2, \"availability\": 0.9,"
	    " \"query_amplification\": 1.2}%s%s%s, \"events\": []}",
	    verdict, resolver, authority[0] ? ", \"authority\": {" : "",
	    authority, authority[0] ? "}" : "");

	assert_true(len > 0);
	r = read_text(text);
	free(text);
	return r;
}

static char *
matrix(int html, struct result *const *runs, size_t n,
    const char *const *labels)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	if (html)
		assert_int_equal(report_matrix_html_write(runs, n, labels, mem), 0);
	else
		assert_int_equal(report_matrix_text_write(runs, n, labels, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

/* The matrix: a column per DNS server after the metrics, "N (xK)", the
 * count alone without a ratio, a dash for a run without the figure (an
 * older result.json) or one not computable. */
static void
test_matrix_columns(void **state)
{
	struct result *runs[4];
	const char *labels[4] = { "unbound", "dnsmasq", "old", "pdns" };
	char *text, *html;

	(void)state;
	runs[0] = run_with("unbound", "pass", "\"auth\": {\"queries\": 120, "
	    "\"fault_s\": 10, \"baseline_queries\": 40, \"baseline_s\": 4, "
	    "\"ratio\": 1.2}");
	runs[1] = run_with("dnsmasq", "fail", "\"auth\": {\"queries\": 10400, "
	    "\"fault_s\": 10, \"baseline_queries\": 40, \"baseline_s\": 4, "
	    "\"ratio\": 104}");
	runs[2] = run_with("knot", "pass", "");
	runs[3] = run_with("pdns", "pass", "\"auth\": {\"queries\": 31, "
	    "\"fault_s\": 10, \"baseline_queries\": null, \"baseline_s\": null,"
	    " \"ratio\": null, \"baseline_note\": \"no reading\"}");

	text = matrix(0, runs, 4, labels);
	assert_non_null(strstr(text, "query_amplification  queries@auth\n"));
	assert_non_null(strstr(text, "\nunbound  unbound   pass     0.500"));
	assert_non_null(strstr(text, "1.200                120 (x1.2)\n"));
	assert_non_null(strstr(text, "1.200                10400 (x104)\n"));
	assert_non_null(strstr(text, "1.200                -\n"));
	assert_non_null(strstr(text, "1.200                31\n"));
	assert_non_null(strstr(text, "queries@SERVER = queries faultd SERVER "
	    "received over the fault"));
	free(text);

	html = matrix(1, runs, 4, labels);
	assert_non_null(strstr(html, "<th>query_amplification</th><th class="
	    "\"auth\">queries@auth</th></tr>"));
	assert_non_null(strstr(html, "<td class=\"num auth\" title=\"10400 "
	    "over the fault (1040.0/s), baseline 10.0/s (x104)\">10400 (x104)"
	    "</td></tr>"));
	assert_non_null(strstr(html, "<td class=\"num auth\" title=\"not "
	    "recorded in this run's result.json\"><span class=\"na\">"
	    "\xE2\x80\x94</span></td></tr>"));
	assert_non_null(strstr(html, "title=\"31 over the fault (3.1/s), "
	    "baseline - (no reading)\">31</td>"));
	free(html);
	for (size_t i = 0; i < 4; i++)
		result_free(runs[i]);
}

/* Without any figure the table is as it was; a run in error spans the
 * server columns too. */
static void
test_matrix_without_and_error(void **state)
{
	struct result *runs[2];
	char *text, *html;

	(void)state;
	runs[0] = run_with("unbound", "pass", "");
	runs[1] = run_with("bind9", "pass", "");
	text = matrix(0, runs, 2, NULL);
	assert_null(strstr(text, "queries@"));
	assert_non_null(strstr(text, "query_amplification\n"));
	free(text);
	result_free(runs[1]);

	runs[1] = read_text("{\"scenario\": \"flagship\", \"verdict\": "
	    "\"error\", \"error\": \"faultd did not start\", \"metrics\": {}, \"params\": "
	    "{\"resolver\": \"bind9\"}, \"authority\": {\"auth\": {\"queries\":"
	    " 5, \"fault_s\": 1}, \"auth2\": {\"queries\": 6, \"fault_s\": 1}}}");
	html = matrix(1, runs, 2, NULL);
	/* 5 classic metrics + 2 servers */
	assert_non_null(strstr(html, "<td class=\"error\" colspan=\"7\">"));
	free(html);
	text = matrix(0, runs, 2, NULL);
	assert_non_null(strstr(text, "queries@auth  queries@auth2\n"));
	assert_non_null(strstr(text, "ERROR    error: faultd did not start"));
	free(text);
	result_free(runs[0]);
	result_free(runs[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figure),
		cmocka_unit_test(test_figure_edges),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_read_old_and_bad),
		cmocka_unit_test(test_summary_and_report),
		cmocka_unit_test(test_matrix_columns),
		cmocka_unit_test(test_matrix_without_and_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
