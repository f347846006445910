/*
 * test_html.c -- report.html (report_html_write), the run matrix (HTML and
 * text) and `dnsdrill report DIR` (report_render_dir): the page holds the
 * timeline with one row per probe, the phase labels, the verdict, escaped
 * text everywhere; big logs stay small in the DOM; bad input is refused.
 *
 * `test_html --render DIR` renders DIR/report.html with report_render_dir()
 * and exits (0 on success): tests/integration/report_browser.sh uses it when
 * the dnsdrill binary has no `report` command.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "model/elog.h"
#include "model/score.h"
#include "model/result.h"
#include "reports/markup.h"
#include "reports/report.h"

#define NASTY "a<b>&c\"d'e"
#define NASTY_ESC "a&lt;b&gt;&amp;c&quot;d&#39;e"

static char *
render(const struct result *r, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(report_html_write(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	if (lenp)
		*lenp = len;
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The text between the first "<svg class=\"timeline\"" and its "</svg>"
 * (the legend's swatches are separate <svg>s after it). */
static char *
timeline(const char *page)
{
	const char *a = strstr(page, "<svg class=\"timeline\"");
	const char *b;

	assert_non_null(a);
	/* Phase bands nest <svg> elements: find the last close before the
	 * legend. */
	b = strstr(a, "<div class=\"legend\">");
	assert_non_null(b);
	return strndup(a, (size_t)(b - a));
}

/*
 * A scored run: baseline / fault / recovery phases, fault 2..5 s on "dns1",
 * the service probe "svc" failing 2..3 s, a second probe with a name that
 * needs escaping, a watch, a process, rate samples and a mark.
 */
static struct result *
make_result(const char *failover_bound)
{
	struct elog *log = elog_new();
	struct score_match det = { .set = true, .kind = ELOG_WATCH, .source = "app" };
	struct score_expect ex[2];
	struct score_defs d = { .detect = &det, .n_detect = 1,
	    .service = { .set = true, .kind = ELOG_PROBE, .source = "svc" },
	    .primary = { .set = true, .kind = ELOG_PROBE, .source = "svc" },
	    .stable_ms = 500, .expect = ex, .n_expect = 2 };
	struct score_result s;
	struct result *r;
	char buf[64];

	assert_non_null(log);
	snprintf(buf, sizeof(buf), "failover_s %s", failover_bound);
	assert_int_equal(score_expect_parse(buf, &ex[0], NULL), 0);
	assert_int_equal(score_expect_parse("availability >= 0.5", &ex[1],
	    NULL), 0);
	elog_proc_start(log, 10, "sut", "/usr/bin/sut --flag <x>");
	elog_phase(log, 20, true, "baseline");
	elog_phase(log, 2000, false, "baseline");
	elog_phase(log, 2000, true, "fault <phase>");
	elog_fault(log, 2000, true, "dns1", "name=*.example.com "
	    "action=empty <rule>");
	for (uint64_t t = 100; t < 7000; t += 100) {
		elog_probe(log, t, "svc", t < 2000 || t >= 3000, 1.5,
		    t < 2000 || t >= 3000 ? "HTTP 200" : "HTTP 503 <&>");
		elog_probe(log, t + 10, NASTY, true, 0.25, "NOERROR");
	}
	for (uint64_t t = 1000; t <= 7000; t += 1000)
		elog_rate(log, t, "sut0", t > 2000 && t <= 5000 ? 40 : 10,
		    1000);
	elog_watch(log, 2300, "app", "ERROR </script><script>x()</script>");
	elog_mark(log, 4000, "operator", "paged <on-call>");
	elog_phase(log, 5000, false, "fault <phase>");
	elog_fault(log, 5000, false, "dns1", "clear");
	elog_phase(log, 5000, true, "recovery");
	elog_phase(log, 7000, false, "recovery");
	elog_proc_exit(log, 7000, "sut", -1, 15);

	assert_int_equal(score_run(log, &d, &s), 0);
	r = result_new("empty-record " NASTY);
	assert_non_null(r);
	assert_int_equal(result_set_description(r,
	    "desc </script><script>alert(1)</script>"), 0);
	assert_int_equal(result_set_started(r, "2025-10-20T07:11:00Z"), 0);
	result_set_seed(r, 42);
	assert_int_equal(result_set_param(r, "negttl", "5"), 0);
	assert_int_equal(result_set_param(r, "who", NASTY), 0);
	assert_int_equal(result_set_version(r, "dnsdrill", "0.1.0"), 0);
	assert_int_equal(result_set_score(r, &s), 0);
	assert_int_equal(result_take_events(r, log), 0);
	score_result_fini(&s);
	return r;
}

static void
test_page(void **state)
{
	struct result *r = make_result("< 3");
	char *page = render(r, NULL);
	char *tl = timeline(page);

	(void)state;
	assert_true(r->pass);
	assert_non_null(strstr(page, "<!DOCTYPE html>"));
	assert_non_null(strstr(page, "Content-Security-Policy"));
	/* Self-contained: no script, nothing fetched. */
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "src=\"http"));
	assert_null(strstr(page, "href=\"http"));
	assert_null(strstr(page, "@import"));
	/* Verdict badge. */
	assert_non_null(strstr(page, "class=\"badge pass\" id=\"verdict\">PASS<"));
	/* Header: seed, started, params. */
	assert_non_null(strstr(page, ">42<"));
	assert_non_null(strstr(page, "2025-10-20T07:11:00Z"));
	assert_non_null(strstr(page, "<b>negttl</b>5"));
	/* Metrics table with bounds and results. */
	assert_non_null(strstr(page, "<table class=\"t metrics\">"));
	assert_non_null(strstr(page, "<code>&lt; 3</code>"));
	assert_non_null(strstr(page, "<code>&gt;= 0.5</code>"));
	assert_int_equal(count(page, "<span class=\"res pass\">PASS</span>"),
	    2);
	assert_non_null(strstr(page, "<code>query_amplification</code>"));

	/* Timeline: one row per probe, phase labels, fault and moments. */
	assert_int_equal(count(tl, "<g class=\"row probe\""), 2);
	assert_int_equal(count(tl, "<g class=\"row fault\""), 1);
	assert_int_equal(count(tl, "<g class=\"row watch\""), 1);
	assert_int_equal(count(tl, "<g class=\"row proc\""), 1);
	assert_int_equal(count(tl, "<g class=\"row rate\""), 1);
	assert_int_equal(count(tl, "<g class=\"row mark\""), 1);
	assert_non_null(strstr(tl, ">baseline</text>"));
	assert_non_null(strstr(tl, ">fault &lt;phase&gt;</text>"));
	assert_non_null(strstr(tl, ">recovery</text>"));
	assert_non_null(strstr(tl, "class=\"faultwin\""));
	assert_non_null(strstr(tl, "action=empty &lt;rule&gt;</title>"));
	assert_non_null(strstr(tl, "detected +"));
	assert_non_null(strstr(tl, "failed over +"));
	assert_non_null(strstr(tl, "recovered +"));
	/* Few results: one rect each, with the latency on hover. */
	assert_int_equal(count(tl, "<rect class=\"pr "), 2 * 69);
	assert_non_null(strstr(tl, "ok 1.500 ms"));
	assert_non_null(strstr(tl, "FAILED 1.500 ms \xC2\xB7 HTTP 503 "
	    "&lt;&amp;&gt;</title>"));
	/* Ticks at t = 0..7 s. */
	assert_non_null(strstr(tl, ">7</text>"));

	/* Escaping, everywhere the name shows. */
	assert_non_null(strstr(page, "empty-record " NASTY_ESC));
	assert_non_null(strstr(tl, NASTY_ESC));
	assert_null(strstr(page, NASTY));
	assert_non_null(strstr(page, "&lt;/script&gt;&lt;script&gt;"));

	/* Legend. */
	assert_non_null(strstr(page, "<div class=\"legend\">"));
	assert_non_null(strstr(page, "probe failed"));
	free(tl);
	free(page);
	result_free(r);
}

static void
test_fail_verdict(void **state)
{
	struct result *r = make_result("< 0.5");
	char *page = render(r, NULL);

	(void)state;
	assert_false(r->pass);
	assert_non_null(strstr(page, "class=\"badge fail\" id=\"verdict\">FAIL<"));
	assert_non_null(strstr(page, "<span class=\"res fail\">FAIL</span>"));
	assert_non_null(strstr(page, "1 of 2 expectations passed"));
	assert_non_null(strstr(page, "<title>empty-record " NASTY_ESC
	    " \xE2\x80\x94 FAIL"));
	free(page);
	result_free(r);
}

static void
test_empty(void **state)
{
	struct result *r = result_new("nothing");
	char *page;

	(void)state;
	assert_non_null(r);
	page = render(r, NULL);
	assert_non_null(strstr(page, "<svg class=\"timeline\""));
	assert_non_null(strstr(page, "no events recorded"));
	assert_non_null(strstr(page, ">PASS<"));
	assert_non_null(strstr(page, "none found"));
	assert_non_null(strstr(page, "No expectations"));
	assert_null(strstr(page, "<g class=\"row"));
	free(page);
	result_free(r);
}

/* Thousands of events: the DOM stays bounded. */
static void
test_big_log(void **state)
{
	struct result *r = result_new("big");
	struct elog *log = elog_new();
	char *page, *tl;
	size_t len, rects;

	(void)state;
	assert_non_null(r);
	assert_non_null(log);
	for (uint64_t i = 0; i < 20000; i++) {
		/* flappy: a new state every result; steady: long runs. */
		elog_probe(log, i * 10, "flappy", i % 2 == 0, 1, "x");
		elog_probe(log, i * 10 + 1, "steady", (i / 1000) % 2 == 0, 1,
		    "y");
		if (i % 4 == 0)
			elog_watch(log, i * 10 + 2, "w", "line");
		if (i % 10 == 0)
			elog_rate(log, i * 10 + 3, "l0", (double)(i % 77), 100);
	}
	for (int p = 0; p < 100; p++) {
		char name[16];

		snprintf(name, sizeof(name), "p%d", p);
		elog_probe(log, 200000, name, true, 1, "");
	}
	assert_int_equal(result_take_events(r, log), 0);
	page = render(r, &len);
	tl = timeline(page);
	rects = count(tl, "<rect");
	assert_true(rects > 0);
	assert_true(rects < 4000);
	/* 48 probe rows drawn; the other 54 named in a note. */
	assert_int_equal(count(tl, "<g class=\"row probe\""), 48);
	assert_non_null(strstr(tl, "+ 54 more probes not drawn"));
	/* steady: 20 runs of 1000 merged into 20 rects. */
	assert_non_null(strstr(tl, "1000 ok, latency"));
	/* The event log table is capped. */
	assert_int_equal(count(page, "<tr><td class=\"num\">"),
	    REPORT_HTML_MAX_EVENTS);
	assert_true(len < 2 * 1024 * 1024);
	free(tl);
	free(page);
	result_free(r);
}

static void
test_bad_args(void **state)
{
	struct result *r = result_new("x");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(report_html_write(NULL, mem), DD_EINVAL);
	assert_int_equal(report_html_write(r, NULL), DD_EINVAL);
	assert_int_equal(report_matrix_html_write(NULL, 1, NULL, mem),
	    DD_EINVAL);
	assert_int_equal(report_matrix_text_write(NULL, 1, NULL, mem),
	    DD_EINVAL);
	{
		struct result *runs[2] = { r, NULL };

		assert_int_equal(report_matrix_html_write(runs, 2, NULL, mem),
		    DD_EINVAL);
		assert_int_equal(report_matrix_text_write(runs, 2, NULL, mem),
		    DD_EINVAL);
	}
	assert_int_equal(report_render_dir(NULL, NULL), DD_EINVAL);
	fclose(mem);
	free(buf);
	result_free(r);
}

static void
test_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	(void)state;
	markup_put(mem, "<a href='x'>&\"\x01\x7f\xff\tok\xc2\x85"
	    "\xe2\x9c\x93", MARKUP_HTML);
	markup_put(mem, NULL, MARKUP_HTML);
	fclose(mem);
	assert_string_equal(buf, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
	    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\tok\xEF\xBF\xBD"
	    "\xe2\x9c\x93");
	free(buf);
}

static char *
matrix(int (*fn)(struct result *const *, size_t, const char *const *,
    FILE *), struct result *const *runs, size_t n, const char *const *labels)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(fn(runs, n, labels, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void
test_matrix(void **state)
{
	struct result *runs[3];
	const char *labels[3] = { "run-a", NULL, "run <c>" };
	char *html, *text;

	(void)state;
	runs[0] = make_result("< 3");
	runs[1] = make_result("< 0.5");
	runs[2] = make_result("< 3");
	assert_int_equal(result_set_param(runs[1], "negttl", "60"), 0);
	assert_int_equal(result_set_param(runs[2], "extra", "on"), 0);

	html = matrix(report_matrix_html_write, runs, 3, labels);
	assert_non_null(strstr(html, "<table class=\"matrix\">"));
	assert_int_equal(count(html, "<tr><td>"), 3);
	/* a label is its run's folder: a link to its report, percent-encoded;
	 * a run without a label has no folder to link to */
	assert_non_null(strstr(html,
	    "<tr><td><a href=\"run-a/report.html\">run-a</a></td>"));
	assert_non_null(strstr(html, "<tr><td>empty-record " NASTY_ESC));
	assert_non_null(strstr(html, "<tr><td><a href=\"run%20%3Cc%3E/"
	    "report.html\">run &lt;c&gt;</a></td>"));
	/* Param columns: negttl varies, extra is missing in two runs; who is
	 * the same in every run: above the table, not a column. */
	assert_non_null(strstr(html, "<th class=\"param\">negttl</th>"));
	assert_null(strstr(html, "<th class=\"param\">who</th>"));
	assert_non_null(strstr(html, "<th class=\"param\">extra</th>"));
	assert_non_null(strstr(html, "<p class=\"same\">Same in every run: "
	    "<code>who=" NASTY_ESC "</code></p>"));
	assert_non_null(strstr(html, "<code>60</code>"));
	assert_int_equal(count(html, "<span class=\"badge pass\">"), 2);
	assert_int_equal(count(html, "<span class=\"badge fail\">"), 1);
	assert_non_null(strstr(html, "failover_s = "));
	assert_non_null(strstr(html, "3 runs: 2 pass, 1 fail"));
	assert_null(strstr(html, NASTY));
	assert_null(strstr(html, "<script"));

	text = matrix(report_matrix_text_write, runs, 3, labels);
	/* same-line, blank, header, rows, blank, summary, key */
	assert_int_equal(count(text, "\n"), 2 + 1 + 3 + 3);
	assert_true(strncmp(text, "same in every run: who=" NASTY "\n\nrun ",
	    23 + strlen(NASTY) + 6) == 0);
	assert_non_null(strstr(text, "negttl"));
	assert_non_null(strstr(text, "verdict"));
	assert_non_null(strstr(text, "query_amplification\n"));
	assert_non_null(strstr(text, "\nrun-a "));
	assert_non_null(strstr(text, "\nrun <c> "));
	assert_non_null(strstr(text, " FAIL "));
	assert_non_null(strstr(text, "!")); /* the failed failover_s */
	assert_non_null(strstr(text, "3 runs: 2 pass, 1 fail"));
	free(html);
	free(text);

	/* No runs: a valid, empty table. */
	html = matrix(report_matrix_html_write, NULL, 0, NULL);
	assert_non_null(strstr(html, "0 runs"));
	free(html);
	text = matrix(report_matrix_text_write, NULL, 0, NULL);
	assert_non_null(strstr(text, "0 runs"));
	free(text);
	for (int i = 0; i < 3; i++)
		result_free(runs[i]);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Newer metrics are columns only where they say something: latency once
 * a run observed it, availability_worst where it differs from
 * availability; a censored value shows its bound. */
static void
test_matrix_new_metrics(void **state)
{
	struct result *runs[2];
	char *html, *text;

	(void)state;
	runs[0] = make_result("< 3");
	runs[1] = make_result("< 3");
	text = matrix(report_matrix_text_write, runs, 2, NULL);
	assert_null(strstr(text, "latency"));
	assert_null(strstr(text, "availability_worst"));
	assert_non_null(strstr(text, "query_amplification\n"));
	free(text);

	runs[1]->metric[SCORE_LATENCY_P99].has = true;
	runs[1]->metric[SCORE_LATENCY_P99].value = 1015;
	runs[0]->metric[SCORE_RECOVERY].has = false;
	runs[0]->metric[SCORE_RECOVERY].censored = true;
	runs[0]->metric[SCORE_RECOVERY].at_least = 32.1;
	text = matrix(report_matrix_text_write, runs, 2, NULL);
	assert_non_null(strstr(text, "  query_amplification  latency_p99_ms\n"));
	assert_non_null(strstr(text, " \xE2\x89\xA5 32.100 "));
	assert_non_null(strstr(text, "  1015.000\n"));
	assert_null(strstr(text, "availability_worst"));
	free(text);
	html = matrix(report_matrix_html_write, runs, 2, NULL);
	assert_non_null(strstr(html, "<th>latency_p99_ms</th>"));
	assert_non_null(strstr(html, ">\xE2\x89\xA5 32.100</td>"));
	free(html);

	runs[0]->metric[SCORE_AVAILABILITY_WORST].value = 0.25;
	text = matrix(report_matrix_text_write, runs, 2, NULL);
	assert_non_null(strstr(text, "availability_worst"));
	assert_null(strstr(text, "availability_mean"));
	free(text);
	result_free(runs[0]);
	result_free(runs[1]);
}

static void
test_render_dir(void **state)
{
	char dir[] = "/tmp/dd-test-html-XXXXXX";
	char json[128], html[128];
	struct dd_err err = { "" };
	struct result *r = make_result("< 3");
	FILE *f;
	char *page;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(json, sizeof(json), "%s/result.json", dir);
	snprintf(html, sizeof(html), "%s/report.html", dir);

	/* No result.json: the error names it. */
	assert_true(report_render_dir(dir, &err) < 0);
	assert_non_null(strstr(err.msg, json));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_int_equal(access(html, F_OK), -1);

	f = fopen(json, "w");
	assert_non_null(f);
	assert_int_equal(result_json_write(r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(report_render_dir(dir, &err), 0);
	page = slurp(html);
	assert_non_null(page);
	assert_non_null(strstr(page, "<svg class=\"timeline\""));
	assert_int_equal(count(page, "<g class=\"row probe\""), 2);
	assert_non_null(strstr(page, ">PASS<"));
	assert_non_null(strstr(page, NASTY_ESC));
	free(page);

	/* A broken result.json: named, and the old report is kept. */
	write_file(json, "{\"scenario\": \"x\", \"verdict\": \"maybe\"}");
	memset(&err, 0, sizeof(err));
	assert_int_equal(report_render_dir(dir, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, json));
	assert_non_null(strstr(err.msg, "verdict"));
	page = slurp(html);
	assert_non_null(page);
	assert_non_null(strstr(page, "<svg class=\"timeline\""));
	free(page);
	write_file(json, "{not json");
	assert_int_equal(report_render_dir(dir, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, json));

	/* A minimal valid one, hand-written as a user might. */
	write_file(json, "{\"scenario\": \"tiny\", \"verdict\": \"fail\", "
	    "\"metrics\": {}, \"events\": [{\"t_ms\": 5, \"kind\": \"probe\", "
	    "\"source\": \"p\", \"text\": \"\", \"ok\": false}]}");
	assert_int_equal(report_render_dir(dir, &err), 0);
	page = slurp(html);
	assert_non_null(page);
	assert_non_null(strstr(page, ">FAIL<"));
	assert_int_equal(count(page, "<rect class=\"pr bad\""), 1);
	free(page);

	/* Nothing left behind but the two files. */
	{
		DIR *d = opendir(dir);
		struct dirent *de;
		int n = 0;

		assert_non_null(d);
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				n++;
		closedir(d);
		assert_int_equal(n, 2);
	}
	unlink(json);
	unlink(html);
	assert_int_equal(rmdir(dir), 0);
	result_free(r);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_fail_verdict),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_big_log),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_matrix_new_metrics),
		cmocka_unit_test(test_render_dir),
	};

	if (argc == 3 && strcmp(argv[1], "--render") == 0) {
		struct dd_err err = { "" };

		if (report_render_dir(argv[2], &err) != 0) {
			fprintf(stderr, "test_html: %s\n", err.msg);
			return 1;
		}
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
