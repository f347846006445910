/*
 * test_compat.c -- results written before result.json moved to jansson
 * (tests/fixtures/compat, see its README) still read, render and write
 * back byte for byte as the old code did: report.html through `dnsdrill
 * report DIR` (report_render_dir), junit.xml, the text summary, the matrix,
 * and result.json itself written again from what was read.
 *
 * The comparison is exact: the pages carry no version of the binary that
 * renders them (the versions they show come from result.json).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "model/result.h"
#include "reports/report.h"

static const char *const names[] = {
	"empty-record", "flagship", "odd", "nasty", "forward",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* tests/fixtures/compat, found from this file's path as compiled (the
 * tests run from the top of the tree). */
static char fixtures[512];

static void
find_fixtures(void)
{
	const char *me = __FILE__;
	const char *cut = strstr(me, "unit/test_compat.c");

	snprintf(fixtures, sizeof(fixtures), "%.*sfixtures/compat",
	    cut != NULL ? (int)(cut - me) : 0, me);
}

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, n;
	FILE *mem;
	char chunk[8192];

	if (f == NULL)
		return NULL;
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	assert_int_equal(fclose(mem), 0);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static char *
fixture(const char *name, const char *suffix, size_t *lenp)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s.%s", fixtures, name, suffix);
	return slurp(path, lenp);
}

static struct result *
load(const char *name)
{
	char path[600];
	struct dd_err err = { "" };
	struct result *r = NULL;

	snprintf(path, sizeof(path), "%s/%s.result.json", fixtures, name);
	if (report_read_file(path, &r, &err) != 0)
		fail_msg("%s", err.msg);
	return r;
}

/* Fail naming the first byte where got and want part. */
static void
same_bytes(const char *what, const char *got, size_t got_len,
    const char *want, size_t want_len)
{
	size_t i = 0;

	assert_non_null(want);
	while (i < got_len && i < want_len && got[i] == want[i])
		i++;
	if (i == got_len && i == want_len)
		return;
	fail_msg("%s: differs at byte %zu (got %zu bytes, want %zu):\n"
	    "got:  ...%.60s\nwant: ...%.60s", what, i, got_len, want_len,
	    got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
}

static void
check_writer(const char *name, const char *suffix, report_writer w,
    const struct result *r)
{
	char *got = NULL, *want, what[128];
	size_t got_len = 0, want_len = 0;
	FILE *mem = open_memstream(&got, &got_len);

	assert_non_null(mem);
	assert_int_equal(w(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	want = fixture(name, suffix, &want_len);
	snprintf(what, sizeof(what), "%s.%s", name, suffix);
	same_bytes(what, got, got_len, want, want_len);
	free(got);
	free(want);
}

/* Written again from what was read: the same bytes (NAME.rewrite.json
 * where the old reader and writer did not give the input back, because
 * it was not written by dnsdrill). */
static void
test_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_NAMES; i++) {
		struct result *r = load(names[i]);
		char *rewrite = fixture(names[i], "rewrite.json", NULL);

		check_writer(names[i], rewrite != NULL ? "rewrite.json" :
		    "result.json", result_json_write, r);
		free(rewrite);
		result_free(r);
	}
}

/* `dnsdrill report DIR` on a copy of each fixture. */
static void
test_report_html(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_NAMES; i++) {
		char dir[] = "/tmp/dd-test-compat-XXXXXX", path[64];
		char *json, *got, *want, what[128];
		size_t json_len, got_len, want_len;
		struct dd_err err = { "" };
		FILE *f;

		assert_non_null(mkdtemp(dir));
		json = fixture(names[i], "result.json", &json_len);
		assert_non_null(json);
		snprintf(path, sizeof(path), "%s/result.json", dir);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(json, 1, json_len, f), json_len);
		assert_int_equal(fclose(f), 0);
		if (report_render_dir(dir, &err) != 0)
			fail_msg("%s: %s", names[i], err.msg);
		snprintf(path, sizeof(path), "%s/report.html", dir);
		got = slurp(path, &got_len);
		assert_non_null(got);
		want = fixture(names[i], "report.html", &want_len);
		snprintf(what, sizeof(what), "%s.report.html", names[i]);
		same_bytes(what, got, got_len, want, want_len);
		unlink(path);
		snprintf(path, sizeof(path), "%s/result.json", dir);
		unlink(path);
		assert_int_equal(rmdir(dir), 0);
		free(json);
		free(got);
		free(want);
	}
}

static void
test_junit_and_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_NAMES; i++) {
		struct result *r = load(names[i]);

		check_writer(names[i], "junit.xml", report_junit_write, r);
		check_writer(names[i], "summary.txt", report_text_write, r);
		result_free(r);
	}
}

static void
test_matrix(void **state)
{
	struct result *runs[N_NAMES];
	const char *labels[N_NAMES];
	char *got[2] = { NULL, NULL }, *want;
	size_t got_len[2] = { 0, 0 }, want_len;
	FILE *mem;

	(void)state;
	for (size_t i = 0; i < N_NAMES; i++) {
		runs[i] = load(names[i]);
		labels[i] = names[i];
	}
	mem = open_memstream(&got[0], &got_len[0]);
	assert_int_equal(report_matrix_html_write(runs, N_NAMES, labels, mem),
	    0);
	assert_int_equal(fclose(mem), 0);
	mem = open_memstream(&got[1], &got_len[1]);
	assert_int_equal(report_matrix_text_write(runs, N_NAMES, labels, mem),
	    0);
	assert_int_equal(fclose(mem), 0);
	want = fixture("matrix", "html", &want_len);
	same_bytes("matrix.html", got[0], got_len[0], want, want_len);
	free(want);
	want = fixture("matrix", "txt", &want_len);
	same_bytes("matrix.txt", got[1], got_len[1], want, want_len);
	free(want);
	free(got[0]);
	free(got[1]);
	for (size_t i = 0; i < N_NAMES; i++)
		result_free(runs[i]);
}

/* What the forward fixture asks of the reader, field by field. */
static void
test_forward_fields(void **state)
{
	struct result *r;

	(void)state;
	r = load("forward");
	assert_true(r->has_seed);
	assert_true(r->seed == UINT64_MAX);
	assert_null(r->description);
	assert_string_equal(r->scenario, "forward \xf0\x9f\x92\xa5 caf\xc3\xa9"
	    " a/b");
	assert_int_equal(r->n_expect, 3);
	/* a metric this build does not know is kept by name */
	assert_int_equal(r->expect[0].metric, SCORE_METRIC_COUNT);
	assert_string_equal(result_expect_metric(&r->expect[0]),
	    "latency_p99_s");
	assert_int_equal(r->expect[1].metric, SCORE_FAILOVER);
	assert_null(r->expect[1].other_metric);
	assert_string_equal(r->expect[2].message, "");
	assert_true(r->metric[SCORE_DETECTION].value == 5e-5);
	assert_true(r->metric[SCORE_RECOVERY].value == 100);
	/* "t\u0000x": a C string ends at the NUL, as before */
	assert_string_equal(r->events->ev[2].text, "t");
	result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_report_html),
		cmocka_unit_test(test_junit_and_text),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_forward_fields),
	};

	find_fixtures();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
