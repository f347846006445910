/*
 * test_matrix_report.c -- the matrix writers (reports/matrix.c) as people
 * read them, on results hand-written as result.json: each row links to its
 * run's report (relative, percent-encoded) and the text names its folder;
 * a metric that failed its expectation without a value (not observed,
 * censored) shows as failed; parameters the same in every run leave the
 * columns for one line above the table; a run in error shows its reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "model/result.h"
#include "reports/report.h"

/* A result.json with the given verdict, params, metrics and expectations
 * (each a JSON fragment). */
static struct result *
make(const char *verdict, const char *params, const char *metrics,
    const char *extra)
{
	char *text;
	struct result *r = NULL;
	struct dd_err err = { "" };
	int len;

	len = asprintf(&text,
	    "{\"format\": \"dnsdrill-result/1\", \"scenario\": \"empty-record\","
	    " \"verdict\": \"%s\", \"params\": {%s},"
	    " \"metrics\": {%s}%s%s, \"events\": []}",
	    verdict, params, metrics, extra[0] ? ", " : "", extra);
	assert_true(len > 0);
	if (result_json_read(text, (size_t)len, &r, &err) != 0)
		fail_msg("%s", err.msg);
	free(text);
	return r;
}

static const char passing_metrics[] =
    "\"detection_s\": 0.5, \"failover_s\": 1.5, \"recovery_s\": 2,"
    " \"availability\": 0.9, \"query_amplification\": 1.2";

/* recovery_s was not seen within the run: censored at 32.1, and failed
 * its expectation; failover_s was not observed at all, and failed its. */
static struct result *
failing_run(void)
{
	return make("fail", "\"negttl\": \"5\", \"speed\": \"1\"",
	    "\"detection_s\": 0.5, \"failover_s\": null, \"recovery_s\": null,"
	    " \"availability\": 0.9, \"query_amplification\": null",
	    "\"metric_notes\": {\"failover_s\": \"service never stable\","
	    " \"recovery_s\": \"not recovered within 32.1 s\"},"
	    " \"metric_bounds\": {\"recovery_s\": {\"censored\": true,"
	    " \"at_least\": 32.1}},"
	    " \"expectations\": ["
	    "{\"metric\": \"failover_s\", \"bound\": \"< 3\", \"pass\": false,"
	    " \"message\": \"failover_s not observed\"},"
	    "{\"metric\": \"recovery_s\", \"bound\": \"< 20\", \"pass\": false,"
	    " \"censored\": true, \"at_least\": 32.1,"
	    " \"message\": \"not recovered within 32.1 s\"}]");
}

static char *
render(int html, struct result *const *runs, size_t n,
    const char *const *labels, const char *const *dirs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	if (html)
		assert_int_equal(report_matrix_html_write_dirs(runs, n, labels,
		    dirs, mem), 0);
	else
		assert_int_equal(report_matrix_text_write_dirs(runs, n, labels,
		    dirs, mem), 0);
	assert_int_equal(fclose(mem), 0);
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

/* The line of text starting with prefix (a copy), or NULL. */
static char *
line_of(const char *text, const char *prefix)
{
	for (const char *s = text; s != NULL && *s != '\0';) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (strncmp(s, prefix, strlen(prefix)) == 0)
			return strndup(s, len);
		s = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void
test_links_and_folders(void **state)
{
	struct result *runs[3];
	const char *labels[3] = { "runs/pass", "runs/fail #2", "old" };
	const char *dirs[3] = { "../runs/pass", "../runs/fail #2/", NULL };
	char *html, *text, *line;

	(void)state;
	runs[0] = make("pass", "\"negttl\": \"5\"", passing_metrics, "");
	runs[1] = make("pass", "\"negttl\": \"60\"", passing_metrics, "");
	runs[2] = make("pass", "\"negttl\": \"1\"", passing_metrics, "");

	html = render(1, runs, 3, labels, dirs);
	assert_non_null(strstr(html, "<tr><td><a href=\"../runs/pass/"
	    "report.html\">runs/pass</a></td>"));
	/* space and '#' encoded, the trailing slash not doubled */
	assert_non_null(strstr(html, "<tr><td><a href=\"../runs/fail%20%232/"
	    "report.html\">runs/fail #2</a></td>"));
	/* no folder known: a name, no link */
	assert_non_null(strstr(html, "<tr><td>old</td>"));
	assert_int_equal(count(html, "<a href="), 2);
	assert_non_null(strstr(html, "A run's name opens its report."));

	text = render(0, runs, 3, labels, dirs);
	/* the folders differ from the names: a folder column, last */
	line = line_of(text, "run ");
	assert_non_null(line);
	assert_non_null(strstr(line, "  query_amplification  folder"));
	free(line);
	line = line_of(text, "runs/fail #2 ");
	assert_non_null(line);
	assert_non_null(strstr(line, "  ../runs/fail #2/"));
	free(line);
	line = line_of(text, "old ");
	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '-');
	free(line);
	assert_non_null(strstr(text, "\nfolder = the run's folder, from this "
	    "table's folder"));
	free(text);
	free(html);

	/* a live matrix: each label is its folder, no folder column */
	text = render(0, runs, 2, labels, labels);
	assert_null(strstr(text, "folder\n"));
	assert_non_null(strstr(text, "\nrun = the run's folder beside this "
	    "table"));
	free(text);
	for (int i = 0; i < 3; i++)
		result_free(runs[i]);
}

static void
test_failed_unobserved(void **state)
{
	struct result *runs[2];
	const char *labels[2] = { "ok", "bad" };
	char *html, *text, *line, *cell;

	(void)state;
	runs[0] = make("pass", "\"negttl\": \"1\", \"speed\": \"1\"",
	    passing_metrics, "");
	runs[1] = failing_run();

	html = render(1, runs, 2, labels, labels);
	/* failover_s: failed with no value -- red, and says so */
	cell = strstr(html, "<td class=\"num fail\" title=\"service never "
	    "stable; failover_s not observed\">");
	assert_non_null(cell);
	assert_non_null(strstr(cell, "\xE2\x9C\x97 not observed</td>"));
	/* recovery_s: its lower bound, red */
	assert_non_null(strstr(html, "<td class=\"num fail\" title=\"not "
	    "recovered within 32.1 s; not recovered within 32.1 s\">"
	    "\xE2\x89\xA5 32.100</td>"));
	/* query_amplification: no value and no bound: neutral */
	assert_non_null(strstr(html, "<td class=\"num none\" title=\"\">"
	    "<span class=\"na\">\xE2\x80\x94</span></td>"));
	assert_non_null(strstr(html, "2 runs: 1 pass, 1 fail</p>"));

	text = render(0, runs, 2, labels, labels);
	line = line_of(text, "bad ");
	assert_non_null(line);
	assert_non_null(strstr(line, " FAIL "));
	assert_non_null(strstr(line, "  -!  "));
	assert_non_null(strstr(line, "  \xE2\x89\xA5 32.100!  "));
	free(line);
	assert_non_null(strstr(text, "\n! = an expectation on this metric "
	    "failed (- = not observed"));
	free(text);
	free(html);
	result_free(runs[0]);
	result_free(runs[1]);
}

static void
test_same_params(void **state)
{
	struct result *runs[2];
	const char *labels[2] = { "a", "b" };
	char *html, *text, *header;

	(void)state;
	runs[0] = make("pass", "\"fault_at\": \"1\", \"negttl\": \"1\","
	    " \"fault_for\": \"1\"", passing_metrics, "");
	runs[1] = make("pass", "\"fault_at\": \"1\", \"negttl\": \"60\","
	    " \"fault_for\": \"1\", \"extra\": \"on\"", passing_metrics, "");

	text = render(0, runs, 2, labels, labels);
	{
		static const char want[] = "same in every run: fault_at=1, "
		    "fault_for=1\n\nrun ";

		assert_memory_equal(text, want, strlen(want));
	}
	header = line_of(text, "run ");
	assert_non_null(header);
	/* only what differs is a column; a param one run lacks differs */
	assert_non_null(strstr(header, "  negttl  extra  verdict"));
	assert_null(strstr(header, "fault_at"));
	free(header);

	html = render(1, runs, 2, labels, labels);
	assert_non_null(strstr(html, "<p class=\"same\">Same in every run: "
	    "<code>fault_at=1</code><code>fault_for=1</code></p>\n"
	    "<div class=\"wrap\">"));
	assert_non_null(strstr(html, "<th>run</th><th class=\"param\">negttl"
	    "</th><th class=\"param\">extra</th><th>verdict</th>"));
	assert_null(strstr(html, "<th class=\"param\">fault_at</th>"));
	free(html);
	free(text);

	/* one run: every parameter is the same in every run */
	text = render(0, runs + 1, 1, labels, NULL);
	{
		static const char want[] = "same in every run: fault_at=1, "
		    "negttl=60, fault_for=1, extra=on\n\nrun  verdict  ";

		assert_memory_equal(text, want, strlen(want));
	}
	free(text);
	/* when every parameter differs, no line above the table */
	runs[1]->params[0].value[0] = '2';   /* fault_at=2 */
	runs[1]->params[2].value[0] = '3';   /* fault_for=3 */
	text = render(0, runs, 2, labels, NULL);
	assert_null(strstr(text, "same in every run"));
	assert_true(strncmp(text, "run  fault_at  negttl  fault_for  extra  "
	    "verdict", 47) == 0);
	free(text);
	result_free(runs[0]);
	result_free(runs[1]);
}

static void
test_error_rows(void **state)
{
	struct result *runs[2];
	const char *labels[2] = { "ok", "broken" };
	char *html, *text, *line;

	(void)state;
	runs[0] = make("pass", "\"negttl\": \"1\"", passing_metrics, "");
	runs[1] = make("error", "\"negttl\": \"5\"", passing_metrics,
	    "\"error\": \"interrupted by signal 2;\\n everything <torn> "
	    "down\"");
	assert_non_null(runs[1]->error);

	html = render(1, runs, 2, labels, labels);
	assert_non_null(strstr(html, "<td><span class=\"badge error\">ERROR"
	    "</span></td><td class=\"error\" colspan=\"5\">interrupted by "
	    "signal 2;\n everything &lt;torn&gt; down</td></tr>"));
	assert_non_null(strstr(html, "2 runs: 1 pass, 0 fail, 1 error</p>"));

	text = render(0, runs, 2, labels, labels);
	line = line_of(text, "broken ");
	assert_non_null(line);
	/* the reason on the row, on one line, in the metrics' place */
	assert_non_null(strstr(line, "  ERROR    error: interrupted by signal "
	    "2;  everything <torn> down"));
	assert_null(strstr(line, "0.500"));
	free(line);
	assert_non_null(strstr(text, "\n2 runs: 1 pass, 0 fail, 1 error\n"));
	free(text);
	free(html);
	result_free(runs[0]);
	result_free(runs[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_and_folders),
		cmocka_unit_test(test_failed_unobserved),
		cmocka_unit_test(test_same_params),
		cmocka_unit_test(test_error_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
