/*
 * test_markdown.c -- the pull-request summary (reports/markdown.c,
 * reports/summary_json.c) on fixed results read from result.json text:
 * the facts a PR comment shows (verdict, params, each expectation with
 * what was observed and pass/fail, the key metrics, those not observed
 * and why, probes, queries at the authority), the same facts in the JSON,
 * a hostile scenario name, expectation text and error that can neither
 * split a table nor leave a link or HTML outside a code span, and the
 * group (gates on a percentile, spread, runs) and matrix summaries.
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

#include "lib/err.h"
#include "model/repeat.h"
#include "model/result.h"
#include "reports/report.h"

/* A failed run: failover_s over its bound, query_amplification not
 * observed, recovery_s censored, one probe, one authority. */
static const char run_json[] =
    "{\"format\":\"dnsdrill-result/1\",\"scenario\":\"empty-record\","
    "\"description\":\"www answers empty\",\"verdict\":\"fail\",\"seed\":42,"
    "\"duration_ms\":5123,\"params\":{\"fault_at\":\"1\",\"speed\":\"1\"},"
    "\"metrics\":{\"detection_s\":0.101,\"failover_s\":4.2,\"recovery_s\":null,"
    "\"availability\":0.1,\"query_amplification\":null,\"latency_p50_ms\":0.59,"
    "\"latency_p99_ms\":0.9},"
    "\"metric_notes\":{\"query_amplification\":\"no query-rate samples before "
    "the fault\",\"recovery_s\":\"not recovered within 32.1 s\"},"
    "\"metric_bounds\":{\"recovery_s\":{\"censored\":true,\"at_least\":32.1}},"
    "\"probe_metrics\":{\"www\":{\"metrics\":{\"availability\":0.1,"
    "\"failover_s\":4.2}}},"
    "\"fault\":{\"start_ms\":1120,\"end_ms\":2120,\"cleared\":true,"
    "\"service_disrupted\":true},"
    "\"expectations\":[{\"metric\":\"detection_s\",\"bound\":\"< 1\","
    "\"observed\":0.101,\"pass\":true,\"message\":\"detection_s = 0.101 < 1\"},"
    "{\"metric\":\"failover_s\",\"bound\":\"< 3\",\"observed\":4.2,\"pass\":false,"
    "\"message\":\"failover_s = 4.2, expected < 3\"}],"
    "\"authority\":{\"auth\":{\"queries\":10,\"fault_s\":1,\"qps\":10,"
    "\"baseline_queries\":10,\"baseline_s\":1,\"baseline_qps\":10,\"ratio\":1}},"
    "\"events\":[]}";

/* The same, with hostile text where the user writes it. */
#define EVIL "x|y` ](http://evil.example) <b>bold</b>\\n# Heading @someone #1"
static const char evil_json[] =
    "{\"format\":\"dnsdrill-result/1\",\"scenario\":\"" EVIL "\","
    "\"verdict\":\"error\",\"error\":\"line1\\n```\\n| not | a table |\\n"
    "[x](http://evil.example)\",\"duration_ms\":1,"
    "\"params\":{\"k|" EVIL "\":\"v\"},"
    "\"metrics\":{\"detection_s\":null},"
    "\"metric_notes\":{\"detection_s\":\"" EVIL "\"},"
    "\"probe_metrics\":{\"" EVIL "\":{\"metrics\":{\"availability\":1}}},"
    "\"expectations\":[{\"metric\":\"detection_s\",\"bound\":\"< 1\","
    "\"observed\":null,\"pass\":false,\"message\":\"" EVIL "\"}],"
    "\"events\":[]}";

static struct result *
load(const char *json)
{
	struct result *r = NULL;
	struct dd_err err = { "" };

	if (result_json_read(json, strlen(json), &r, &err) != 0)
		fail_msg("fixture: %s", err.msg);
	return r;
}

typedef int (*run_writer)(const struct result *, FILE *);

static char *
render(run_writer w, const struct result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(w(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static json_t *
parse(const char *text)
{
	json_error_t e;
	json_t *root = json_loads(text, 0, &e);

	if (root == NULL)
		fail_msg("not JSON: %s: %s", e.text, text);
	return root;
}

/* The text outside code spans and fenced blocks: where markdown would
 * interpret anything. */
static char *
outside_code(const char *md)
{
	char *out = calloc(strlen(md) + 1, 1);
	size_t n = 0;
	const char *p = md;

	assert_non_null(out);
	while (*p != '\0') {
		if (strncmp(p, "```", 3) == 0 && (p == md || p[-1] == '\n')) {
			/* a fenced block: to the line of the same fence */
			size_t ticks = strspn(p, "`");
			const char *q = strchr(p, '\n');

			while (q != NULL) {
				q++;
				if (strspn(q, "`") == ticks && (q[ticks] == '\n' ||
				    q[ticks] == '\0'))
					break;
				q = strchr(q, '\n');
			}
			assert_non_null(q);
			p = q + ticks;
			continue;
		}
		if (*p == '`') {
			size_t ticks = strspn(p, "`");
			const char *q = p + ticks;

			/* the closing run of exactly as many backticks */
			for (;;) {
				q = strchr(q, '`');
				assert_non_null(q);
				if (strspn(q, "`") == ticks)
					break;
				q += strspn(q, "`");
			}
			assert_null(memchr(p, '\n', (size_t)(q - p)));
			p = q + ticks;
			continue;
		}
		out[n++] = *p++;
	}
	return out;
}

/* Every row of a table has as many cells as its header: pipes not
 * escaped with a backslash. */
static void
tables_intact(const char *md)
{
	const char *line = md;
	int cols = -1;

	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		int pipes = 0;

		for (size_t i = 0; i < len; i++)
			pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
		if (len > 0 && line[0] == '|') {
			if (cols < 0)
				cols = pipes;
			else if (pipes != cols)
				fail_msg("row has %d pipes, header %d: %.*s", pipes,
				    cols, (int)len, line);
		} else {
			cols = -1;
		}
		line += len + (end != NULL);
	}
}

static void
test_run_markdown(void **state)
{
	struct result *r = load(run_json);
	char *md;

	(void)state;
	md = render(report_markdown_write, r);
	assert_non_null(strstr(md, "FAIL \xE2\x80\x94 `empty-record`"));
	assert_non_null(strstr(md, "| verdict | **fail** |"));
	assert_non_null(strstr(md, "| seed | 42 |"));
	assert_non_null(strstr(md, "`fault_at=1`, `speed=1`"));
	assert_non_null(strstr(md, "1.120 s \xE2\x86\x92 2.120 s (1.000 s)"));
	/* each expectation, its observed value and outcome */
	assert_non_null(strstr(md, "| `detection_s < 1` | 0.101 | pass |"));
	assert_non_null(strstr(md, "| `failover_s < 3` | 4.200 | **FAIL**: "
	    "`failover_s = 4.2, expected < 3` |"));
	/* key metrics, a censored one as its bound; latency_p50 folded */
	assert_non_null(strstr(md, "| `failover_s` | 4.200 |"));
	assert_non_null(strstr(md, "| `recovery_s` | \xE2\x89\xA5 32.100 |"));
	assert_true(strstr(md, "<details>") < strstr(md, "| `latency_p50_ms` |"));
	assert_true(strstr(md, "| `latency_p99_ms` |") < strstr(md, "<details>"));
	/* not observed, with the reason */
	assert_non_null(strstr(md, "- `query_amplification`: `no query-rate "
	    "samples before the fault`"));
	assert_null(strstr(md, "- `recovery_s`"));
	assert_non_null(strstr(md, "| `www` | 0.100 |"));
	assert_non_null(strstr(md, "| `auth` | `10 over the fault"));
	tables_intact(md);
	free(md);
	result_free(r);
}

static json_t *
find_by(json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(json_object_get(v, key));

		if (s != NULL && strcmp(s, value) == 0)
			return v;
	}
	fail_msg("no %s=%s", key, value);
	return NULL;
}

static void
test_run_json(void **state)
{
	struct result *r = load(run_json);
	char *text;
	json_t *root, *e, *m;

	(void)state;
	text = render(report_summary_json_write, r);
	root = parse(text);
	assert_string_equal(json_string_value(json_object_get(root, "format")),
	    REPORT_SUMMARY_FORMAT);
	assert_string_equal(json_string_value(json_object_get(root, "kind")), "run");
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "fail");
	assert_int_equal(json_integer_value(json_object_get(root, "seed")), 42);
	assert_string_equal(json_string_value(json_object_get(json_object_get(root,
	    "params"), "fault_at")), "1");
	e = find_by(json_object_get(root, "expectations"), "expectation",
	    "failover_s < 3");
	assert_false(json_boolean_value(json_object_get(e, "pass")));
	assert_true(fabs(json_real_value(json_object_get(e, "observed")) - 4.2) < 1e-9);
	assert_string_equal(json_string_value(json_object_get(e, "message")),
	    "failover_s = 4.2, expected < 3");
	m = find_by(json_object_get(root, "metrics"), "metric", "recovery_s");
	assert_true(json_is_null(json_object_get(m, "value")));
	assert_true(fabs(json_real_value(json_object_get(m, "at_least")) - 32.1) < 1e-9);
	assert_true(json_boolean_value(json_object_get(m, "key")));
	m = find_by(json_object_get(root, "metrics"), "metric", "latency_p50_ms");
	assert_false(json_boolean_value(json_object_get(m, "key")));
	m = find_by(json_object_get(root, "not_observed"), "metric",
	    "query_amplification");
	assert_string_equal(json_string_value(json_object_get(m, "why")),
	    "no query-rate samples before the fault");
	m = find_by(json_object_get(root, "probes"), "probe", "www");
	assert_true(fabs(json_real_value(json_object_get(m, "availability")) - 0.1) < 1e-9);
	m = find_by(json_object_get(root, "authority"), "dns", "auth");
	assert_int_equal((int)json_number_value(json_object_get(m, "queries")), 10);
	json_decref(root);
	free(text);
	result_free(r);
}

static void
test_hostile_text(void **state)
{
	struct result *r = load(evil_json);
	char *md, *out, *text;
	json_t *root;

	(void)state;
	md = render(report_markdown_write, r);
	tables_intact(md);
	out = outside_code(md);
	/* nothing of the user's is interpreted: no link, HTML, heading,
	 * mention or issue reference outside a code span */
	assert_null(strstr(out, "]("));
	assert_null(strstr(out, "http"));
	assert_null(strstr(out, "<b>"));
	assert_null(strstr(out, "@someone"));
	assert_null(strstr(out, "#1"));
	assert_null(strstr(out, "\n# Heading"));
	assert_null(strstr(md, "\n# Heading"));
	/* the text itself is there, in spans: the pipe escaped in cells */
	assert_non_null(strstr(md, "x\\|y"));
	assert_non_null(strstr(md, "<b>bold</b>"));
	/* the error's own fence cannot close the block: a longer one */
	assert_non_null(strstr(md, "````text\nline1\n```\n"));
	free(out);
	free(md);
	text = render(report_summary_json_write, r);
	root = parse(text);
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "error");
	assert_non_null(strstr(json_string_value(json_object_get(root, "scenario")),
	    "](http://evil.example)"));
	json_decref(root);
	free(text);
	result_free(r);
}

/* A group of three runs: detection_s 0.2, 0.4, 0.3; gates on its p90. */
static struct result *
group_run(double det, bool pass)
{
	char json[1024];

	snprintf(json, sizeof(json),
	    "{\"format\":\"dnsdrill-result/1\",\"scenario\":\"grp\",\"verdict\":"
	    "\"%s\",\"seed\":7,\"duration_ms\":10,\"params\":{\"speed\":\"1\"},"
	    "\"metrics\":{\"detection_s\":%g},\"expectations\":["
	    "{\"metric\":\"p90(detection_s)\",\"bound\":\"< 1\",\"observed\":%g,"
	    "\"pass\":true,\"message\":\"m\"},"
	    "{\"metric\":\"detection_s\",\"bound\":\"< 0.35\",\"observed\":%g,"
	    "\"pass\":%s,\"message\":\"detection_s = %g\"}],\"events\":[]}",
	    pass ? "pass" : "fail", det, det, det, pass ? "true" : "false", det);
	return load(json);
}

static void
test_repeat(void **state)
{
	struct result *runs[3] = { group_run(0.2, true), group_run(0.4, false),
		group_run(0.3, true) };
	const char *dirs[3] = { "run-1", "run-2", "run-3" };
	uint64_t seeds[3] = { 7, 8, 9 };
	struct repeat_group g;
	struct report_repeat rp = { &g, dirs, seeds };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	json_t *root, *c;

	(void)state;
	assert_int_equal(repeat_group_of((const struct result *const *)runs, 3, &g,
	    NULL), 0);
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_repeat_markdown_write(&rp, mem), 0);
	fclose(mem);
	assert_non_null(strstr(buf, "`grp` \xC3\x97 3 runs"));
	assert_non_null(strstr(buf, "seeds 7 to 9"));
	/* the percentile gate with its value, the plain one held in 2 of 3 */
	assert_non_null(strstr(buf, "| `p90(detection_s) < 1` | 0.38 | pass: "));
	assert_non_null(strstr(buf, "| `detection_s < 0.35` | held in 2 of 3 | "
	    "**FAIL**: "));
	assert_non_null(strstr(buf, "| `detection_s` | 3 | 0 | 0.2 | 0.3 | 0.38 | 0.4 |"));
	assert_non_null(strstr(buf, "| `run-2` | 8 | fail | `detection_s = 0.4` |"));
	tables_intact(buf);
	free(buf);
	buf = NULL;
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_repeat_summary_json_write(&rp, mem), 0);
	fclose(mem);
	root = parse(buf);
	assert_string_equal(json_string_value(json_object_get(root, "kind")), "repeat");
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "fail");
	c = find_by(json_object_get(root, "expectations"), "metric", "p90(detection_s)");
	assert_string_equal(json_string_value(json_object_get(c, "statistic")), "p90");
	assert_true(fabs(json_real_value(json_object_get(c, "value")) - 0.38) < 1e-9);
	assert_true(json_boolean_value(json_object_get(c, "pass")));
	c = find_by(json_object_get(root, "expectations"), "metric", "detection_s");
	assert_int_equal(json_integer_value(json_object_get(c, "held")), 2);
	c = find_by(json_object_get(root, "runs"), "dir", "run-2");
	assert_int_equal(json_integer_value(json_object_get(c, "seed")), 8);
	assert_int_equal(json_array_size(json_object_get(c, "failed")), 1);
	json_decref(root);
	free(buf);
	repeat_group_fini(&g);
	for (int i = 0; i < 3; i++)
		result_free(runs[i]);
}

static void
test_matrix(void **state)
{
	struct result *runs[2] = { load(run_json), group_run(0.2, true) };
	const char *labels[2] = { "ttl-5", "ttl|30" };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	json_t *root, *row;

	(void)state;
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_matrix_markdown_write(runs, 2, labels, mem), 0);
	fclose(mem);
	assert_non_null(strstr(buf, "FAIL \xE2\x80\x94 2 runs, 1 failed, 0 in error"));
	/* speed=1 is in both: said once; fault_at only in one: its row */
	assert_non_null(strstr(buf, "Same in every run: `speed=1`"));
	assert_non_null(strstr(buf, "| `ttl-5` | `empty-record` | `fault_at=1` | fail | "
	    "`failover_s = 4.2, expected < 3` |"));
	assert_non_null(strstr(buf, "| `ttl\\|30` | `grp` | - | pass |  |"));
	tables_intact(buf);
	free(buf);
	buf = NULL;
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_matrix_summary_json_write(runs, 2, labels, mem), 0);
	fclose(mem);
	root = parse(buf);
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "fail");
	assert_int_equal(json_integer_value(json_object_get(root, "n_fail")), 1);
	row = find_by(json_object_get(root, "runs"), "label", "ttl|30");
	assert_string_equal(json_string_value(json_object_get(row, "verdict")), "pass");
	json_decref(root);
	free(buf);
	result_free(runs[0]);
	result_free(runs[1]);
}

static void
test_null_args(void **state)
{
	(void)state;
	assert_int_equal(report_markdown_write(NULL, stdout), DD_EINVAL);
	assert_int_equal(report_summary_json_write(NULL, stdout), DD_EINVAL);
	assert_int_equal(report_repeat_markdown_write(NULL, stdout), DD_EINVAL);
	assert_int_equal(report_repeat_summary_json_write(NULL, stdout), DD_EINVAL);
	assert_int_equal(report_matrix_markdown_write(NULL, 1, NULL, stdout),
	    DD_EINVAL);
	assert_int_equal(report_matrix_summary_json_write(NULL, 0, NULL, NULL),
	    DD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_markdown),
		cmocka_unit_test(test_run_json),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
