/*
 * test_result.c -- the result model and its writers: result.json written
 * and read back field by field (by jansson itself and by result_json_read),
 * the text's guarantees (HTML-safe escaping, invalid UTF-8 replaced, exact
 * 64-bit seeds, member order, number format), reading errors, junit.xml
 * (xmllint when installed, structure always), and the text summary.
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
#include <unistd.h>

#include "lib/err.h"
#include "model/elog.h"
#include "model/score.h"
#include "lib/utf8.h"
#include "model/result.h"
#include "reports/report.h"

#include <inttypes.h>
#include <jansson.h>

/* A string with every kind of trouble: quotes, backslash, newline, tab, a
 * C0 control, DEL, invalid UTF-8, U+2028, "</script>", markup, and a
 * 4-byte character. */
#define ODD "q\"b\\n\nt\tc\x01" "d\x7f" "x\xff" "y\xe2\x80\xa8" \
	"</script><a&b 'c'>\xf0\x9f\x92\xa5"
/* What ODD reads back as from JSON: invalid byte -> U+FFFD. */
#define ODD_BACK "q\"b\\n\nt\tc\x01" "d\x7f" "x\xef\xbf\xbd" "y\xe2\x80\xa8" \
	"</script><a&b 'c'>\xf0\x9f\x92\xa5"

/* Run f into a memory buffer; returns a malloc'd NUL-terminated string. */
static char *
render(int (*f)(const struct result *, FILE *), const struct result *r,
    size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(f(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	if (lenp)
		*lenp = len;
	return buf;
}

/* A scored run: fault 10..40 s, service failing 10.5..13.5 s, a watch
 * with an odd line, a rate sample, a process exit. */
static struct result *
make_result(void)
{
	struct elog *log = elog_new();
	struct score_match det = { .set = true, .kind = ELOG_WATCH, .source = "app" };
	struct score_expect ex[3];
	struct score_defs d = { .detect = &det, .n_detect = 1,
	    .service = { .set = true, .kind = ELOG_PROBE, .source = "svc" },
	    .stable_ms = 3000, .expect = ex, .n_expect = 3 };
	struct score_result s;
	struct result *r;

	assert_int_equal(score_expect_parse("failover_s < 3", &ex[0], NULL), 0);
	assert_int_equal(score_expect_parse("availability >= 0.8", &ex[1],
	    NULL), 0);
	assert_int_equal(score_expect_parse("recovery_s <= 10", &ex[2], NULL),
	    0);
	elog_proc_start(log, 0, "sut", "/usr/bin/sut --region us-east-1");
	elog_rate(log, 5000, "sut0", 12.5, 1000);
	elog_fault(log, 10000, true, "dns1", "name=*.amazonaws.com "
	    "action=empty");
	for (uint64_t t = 500; t < 50000; t += 1000)
		elog_probe(log, t, "svc", t < 10000 || t > 14000, 3.25,
		    "HTTP 200");
	elog_watch(log, 11200, "app", ODD);
	elog_fault(log, 40000, false, "dns1", "clear");
	elog_proc_exit(log, 50000, "sut", -1, 15);
	elog_mark(log, 50000, "runner", "done");

	assert_int_equal(score_run(log, &d, &s), 0);
	r = result_new("dynamodb-empty-record");
	assert_non_null(r);
	assert_int_equal(result_set_description(r, "DynamoDB " ODD), 0);
	assert_int_equal(result_set_started(r, "2025-10-20T07:11:00Z"), 0);
	result_set_seed(r, UINT64_MAX);
	assert_int_equal(result_set_param(r, "stable", "3s"), 0);
	assert_int_equal(result_set_param(r, "odd", ODD), 0);
	assert_int_equal(result_set_param(r, "stable", "5s"), 0); /* replace */
	assert_int_equal(result_set_version(r, "dnsdrill", "0.1.0"), 0);
	assert_int_equal(result_set_version(r, "faultd", "0.1.0"), 0);
	assert_int_equal(result_set_score(r, &s), 0);
	assert_int_equal(result_take_events(r, log), 0);
	score_result_fini(&s);
	return r;
}

/* ------------------------------------------------------------------ */
/* result.json */

/* Parse text with jansson itself, as another reader would.  Integers
 * read as reals: jansson refuses the seed 2^64-1 as an integer. */
static json_t *
jparse(const char *text, size_t len)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &e);

	if (v == NULL)
		fail_msg("result.json does not parse: line %d: %s\n%s", e.line,
		    e.text, text);
	return v;
}

static const char *
jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static double
jnum(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		fail_msg("%s: not a number", key);
	return json_number_value(v);
}

static void
test_json_roundtrip_tree(void **state)
{
	struct result *r = make_result();
	size_t len;
	char *text = render(result_json_write, r, &len);
	json_t *root = jparse(text, len);
	json_t *m, *ex, *ev, *v;

	(void)state;
	assert_string_equal(jstr(root, "format"), RESULT_FORMAT);
	assert_string_equal(jstr(root, "scenario"), "dynamodb-empty-record");
	assert_string_equal(jstr(root, "description"), "DynamoDB " ODD_BACK);
	/* failover 4.5 >= 3 fails; recovery never defined fails */
	assert_string_equal(jstr(root, "verdict"), "fail");
	/* exact in the text; jansson itself only gets it as a real */
	assert_non_null(strstr(text, "\n  \"seed\": 18446744073709551615,\n"));
	assert_true(jnum(root, "seed") == 18446744073709551615.0);
	assert_string_equal(jstr(root, "started"), "2025-10-20T07:11:00Z");
	assert_true(jnum(root, "duration_ms") == 50000);

	v = json_object_get(root, "params");
	assert_int_equal(json_object_size(v), 2);
	assert_string_equal(json_object_iter_key(json_object_iter(v)),
	    "stable");
	assert_string_equal(jstr(v, "stable"), "5s");
	assert_string_equal(jstr(v, "odd"), ODD_BACK);
	v = json_object_get(root, "versions");
	assert_string_equal(jstr(v, "faultd"), "0.1.0");

	m = json_object_get(root, "metrics");
	assert_true(json_is_object(m));
	assert_int_equal(json_object_size(m), SCORE_METRIC_COUNT);
	assert_true(fabs(jnum(m, "detection_s") - 1.2) < 1e-12);
	assert_true(fabs(jnum(m, "failover_s") - 4.5) < 1e-12);
	/* exact round trip */
	assert_true(jnum(m, "availability") == 26.0 / 30.0);
	assert_true(json_is_null(json_object_get(m, "recovery_s")));
	assert_true(json_is_null(json_object_get(m, "query_amplification")));
	assert_string_equal(jstr(json_object_get(root, "metric_notes"),
	    "recovery_s"), "no primary-path event defined");
	assert_null(json_object_get(json_object_get(root, "metric_notes"),
	    "failover_s"));

	v = json_object_get(root, "fault");
	assert_true(jnum(v, "start_ms") == 10000);
	assert_true(jnum(v, "end_ms") == 40000);
	assert_true(json_is_true(json_object_get(v, "cleared")));
	assert_true(json_is_true(json_object_get(v, "service_disrupted")));

	ex = json_object_get(root, "expectations");
	assert_int_equal(json_array_size(ex), 3);
	v = json_array_get(ex, 0);
	assert_string_equal(jstr(v, "metric"), "failover_s");
	assert_string_equal(jstr(v, "bound"), "< 3");
	assert_true(fabs(jnum(v, "observed") - 4.5) < 1e-12);
	assert_true(json_is_false(json_object_get(v, "pass")));
	assert_string_equal(jstr(v, "message"),
	    "failover_s = 4.5, expected < 3");
	assert_true(json_is_true(json_object_get(json_array_get(ex, 1),
	    "pass")));
	assert_true(json_is_null(json_object_get(json_array_get(ex, 2),
	    "observed")));
	assert_true(json_is_false(json_object_get(json_array_get(ex, 2),
	    "pass")));

	ev = json_object_get(root, "events");
	assert_int_equal(json_array_size(ev), r->events->n);
	for (size_t i = 0; i < json_array_size(ev); i++) {
		const struct elog_ev *e = &r->events->ev[i];
		const json_t *o = json_array_get(ev, i);

		assert_true(jnum(o, "t_ms") == (double)e->t_ms);
		assert_string_equal(jstr(o, "kind"), elog_kind_name(e->kind));
		assert_string_equal(jstr(o, "source"), e->source);
		assert_string_equal(jstr(o, "text"),
		    e->kind == ELOG_WATCH ? ODD_BACK : e->text);
		if (e->kind == ELOG_PROBE) {
			assert_int_equal(json_is_true(json_object_get(o, "ok")),
			    e->u.probe.ok);
			assert_true(jnum(o, "latency_ms") == 3.25);
		} else {
			assert_null(json_object_get(o, "ok"));
		}
		if (e->kind == ELOG_PROC_EXIT) {
			assert_true(jnum(o, "exit_code") == -1);
			assert_true(jnum(o, "signal") == 15);
		}
		if (e->kind == ELOG_RATE) {
			assert_true(jnum(o, "qps") == 12.5);
			assert_true(jnum(o, "window_ms") == 1000);
		}
	}
	/* one event per line */
	assert_non_null(strstr(text, "\n    {\"t_ms\": 500, \"kind\": "
	    "\"probe\", \"source\": \"svc\", \"text\": \"HTTP 200\", "
	    "\"ok\": true, \"latency_ms\": 3.25},\n"));
	json_decref(root);
	free(text);
	result_free(r);
}

static void
test_json_roundtrip_model(void **state)
{
	struct result *r = make_result(), *back = NULL;
	size_t len, len2;
	char *text = render(result_json_write, r, &len), *again;
	struct dd_err err = { "" };

	(void)state;
	if (result_json_read(text, len, &back, &err) != 0)
		fail_msg("result_json_read: %s", err.msg);
	assert_string_equal(back->scenario, r->scenario);
	assert_string_equal(back->description, "DynamoDB " ODD_BACK);
	assert_string_equal(back->started, r->started);
	assert_true(back->has_seed);
	assert_true(back->seed == UINT64_MAX);
	assert_true(back->duration_ms == r->duration_ms);
	assert_int_equal(back->pass, r->pass);
	assert_int_equal(back->n_params, r->n_params);
	for (size_t i = 0; i < r->n_params; i++)
		assert_string_equal(back->params[i].key, r->params[i].key);
	assert_int_equal(back->n_versions, 2);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		assert_int_equal(back->metric[m].has, r->metric[m].has);
		assert_true(back->metric[m].value == r->metric[m].value);
		if (r->metric[m].note)
			assert_string_equal(back->metric[m].note,
			    r->metric[m].note);
		else
			assert_null(back->metric[m].note);
	}
	assert_int_equal(back->fault_found, r->fault_found);
	assert_true(back->fault_start_ms == r->fault_start_ms);
	assert_true(back->fault_end_ms == r->fault_end_ms);
	assert_int_equal(back->fault_cleared, r->fault_cleared);
	assert_int_equal(back->service_disrupted, r->service_disrupted);
	assert_int_equal(back->n_expect, r->n_expect);
	for (size_t i = 0; i < r->n_expect; i++) {
		/* the metric stays an enum both ways */
		assert_int_equal(back->expect[i].metric, r->expect[i].metric);
		assert_null(back->expect[i].other_metric);
		assert_string_equal(back->expect[i].bound, r->expect[i].bound);
		assert_string_equal(back->expect[i].message,
		    r->expect[i].message);
		assert_int_equal(back->expect[i].pass, r->expect[i].pass);
		assert_int_equal(back->expect[i].has_observed,
		    r->expect[i].has_observed);
		assert_true(back->expect[i].observed == r->expect[i].observed);
	}
	assert_int_equal(r->expect[0].metric, SCORE_FAILOVER);
	assert_int_equal(r->expect[1].metric, SCORE_AVAILABILITY);
	assert_int_equal(back->events->n, r->events->n);
	for (size_t i = 0; i < r->events->n; i++) {
		const struct elog_ev *a = &r->events->ev[i], *b = &back->events->ev[i];

		assert_true(a->t_ms == b->t_ms);
		assert_int_equal(a->kind, b->kind);
		assert_string_equal(a->source, b->source);
		assert_string_equal(b->text, a->kind == ELOG_WATCH ? ODD_BACK :
		    a->text);
		switch (a->kind) {
		case ELOG_PROBE:
			assert_int_equal(a->u.probe.ok, b->u.probe.ok);
			assert_true(a->u.probe.latency_ms ==
			    b->u.probe.latency_ms);
			break;
		case ELOG_PROC_EXIT:
			assert_int_equal(a->u.exit.code, b->u.exit.code);
			assert_int_equal(a->u.exit.signal, b->u.exit.signal);
			break;
		case ELOG_RATE:
			assert_true(a->u.rate.qps == b->u.rate.qps);
			assert_true(a->u.rate.window_ms == b->u.rate.window_ms);
			break;
		default:
			break;
		}
	}

	/* writing the read-back result gives the same bytes */
	again = render(result_json_write, back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);
	result_free(back);
	result_free(r);
}

static void
test_json_read_errors(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "[]", "result: expected an object" },
		{ "3", "result: expected an object" },
		{ "{\"verdict\":\"pass\",\"metrics\":{}}", "scenario: missing" },
		{ "{\"scenario\":\"s\",\"verdict\":\"maybe\",\"metrics\":{}}",
		    "verdict: expected" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\"}", "metrics: missing" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":"
		    "{\"failover_s\":\"3\"}}", "metrics.failover_s: expected" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"seed\":-1}", "seed: expected a non-negative integer" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"seed\":1.5}", "seed: expected a non-negative integer" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"seed\":\"7\"}", "seed: expected a non-negative integer" },
		/* one past 2^64-1 */
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"seed\":18446744073709551616}",
		    "seed: expected a non-negative integer" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"description\":3}", "description: expected a string" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":1,\"kind\":\"prob\"}]}",
		    "events[0]: unknown kind 'prob'" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":1,\"kind\":\"probe\"}]}",
		    "events[0]: probe needs ok" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":-1,\"kind\":\"mark\"}]}",
		    "events[0]: needs t_ms and kind" },
		/* an exit code no int holds (found by fuzz_matrix: a cast out
		 * of range) or not a whole number */
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":1,\"kind\":\"proc_exit\",\"exit_code\":3.3e103}]}",
		    "events[0]: exit_code and signal must be integers" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":1,\"kind\":\"proc_exit\",\"signal\":2147483648}]}",
		    "events[0]: exit_code and signal must be integers" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"expectations\":[{\"metric\":\"x\"}]}",
		    "expectations[0]: needs metric, bound and pass" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"params\":{\"a\":1}}", "params.a: expected a string" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"fault\":{\"end_ms\":3}}", "fault.start_ms: missing" },
		{ "{\"scenario\": \"s\",\n \"verdict\": pass}",
		    "line 2, column 16: invalid token near 'pass'" },
	};
	struct result *r;
	struct dd_err err;
	const char *minimal;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		r = (struct result *)1;
		assert_int_equal(result_json_read(cases[i].in,
		    strlen(cases[i].in), &r, &err), DD_EINVAL);
		assert_null(r);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg,
			    cases[i].msg);
	}
	r = (struct result *)1;
	assert_int_equal(result_json_read(NULL, 0, &r, &err), DD_EINVAL);
	assert_null(r);
	assert_int_equal(result_json_read("{}", 2, NULL, &err), DD_EINVAL);

	/* minimal and unknown members are fine */
	minimal = "{\"scenario\":\"s\",\"verdict\":\"fail\",\"metrics\":"
	    "{\"availability\":1},\"future\":[1]}";
	assert_int_equal(result_json_read(minimal, strlen(minimal), &r, &err),
	    0);
	assert_false(r->pass);
	assert_true(r->metric[SCORE_AVAILABILITY].has);
	assert_false(r->metric[SCORE_FAILOVER].has);
	assert_false(r->has_seed);
	assert_false(r->fault_found);
	result_free(r);
}

/* ------------------------------------------------------------------ */
/* The JSON text: escaping, numbers, order, big integers */

/* A result with one of everything awkward, and nothing else. */
static char *
write_one(struct result *r)
{
	return render(result_json_write, r, NULL);
}

/* "</" and U+2028/U+2029 never appear raw, in any member, key or value,
 * so the document embeds in an HTML <script> block; they read back. */
static void
test_json_html_safe(void **state)
{
	static const char nasty[] = "a</script><!--x-->\xe2\x80\xa8y\xe2\x80\xa9"
	    "z<//b> <\\/ \\u2028 /";
	struct result *r = result_new(nasty), *back = NULL;
	struct dd_err err;
	char *text, *line;

	(void)state;
	assert_non_null(r);
	assert_int_equal(result_set_param(r, nasty, nasty), 0);
	assert_int_equal(elog_mark(r->events, 5, nasty, nasty), 0);
	text = write_one(r);
	assert_null(strstr(text, "</"));
	assert_null(strstr(text, "\xe2\x80\xa8"));
	assert_null(strstr(text, "\xe2\x80\xa9"));
	/* exactly how, in a key and a value: the '/' after '<' only, and an
	 * escape the SUT typed ("<\/", "\u2028") is itself escaped */
	line = strstr(text, "\n    \"a<\\/script>");
	assert_non_null(line);
	assert_int_equal(strncmp(line, "\n    \"a<\\/script><!--x-->\\u2028y"
	    "\\u2029z<\\//b> <\\\\/ \\\\u2028 /\": \"a<\\/script>", 68), 0);
	assert_int_equal(result_json_read(text, strlen(text), &back, &err), 0);
	assert_string_equal(back->scenario, nasty);
	assert_string_equal(back->params[0].key, nasty);
	assert_string_equal(back->params[0].value, nasty);
	assert_string_equal(back->events->ev[0].source, nasty);
	assert_string_equal(back->events->ev[0].text, nasty);
	free(text);
	result_free(back);
	result_free(r);
}

/* Invalid UTF-8 (jansson refuses it) becomes one U+FFFD per bad byte,
 * in keys too; the document is valid UTF-8; control characters and DEL
 * are escaped. */
static void
test_json_invalid_utf8(void **state)
{
	/* a lone continuation byte, an overlong '/', a cut 3-byte character,
	 * an encoded surrogate, a byte that never starts one */
	static const char bad[] = "a\x80" "b\xc0\xaf" "c\xe2\x82" "d"
	    "\xed\xa0\x80" "e\xff";
	static const char fixed[] = "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "e\xef\xbf\xbd";
	struct result *r = result_new(bad), *back = NULL;
	struct dd_err err;
	size_t n;
	char *text, *copy;

	(void)state;
	assert_true(utf8_valid(fixed, strlen(fixed)));
	assert_false(utf8_valid(bad, strlen(bad)));
	copy = utf8_dup_valid(bad, strlen(bad), &n);
	assert_string_equal(copy, fixed);
	assert_int_equal(n, strlen(fixed));
	free(copy);

	assert_int_equal(result_set_param(r, bad, "\x01\x1f\x7f\t"), 0);
	assert_int_equal(result_set_description(r, bad), 0);
	assert_int_equal(elog_watch(r->events, 1, "w", bad), 0);
	text = write_one(r);
	assert_true(utf8_valid(text, strlen(text)));
	assert_non_null(strstr(text, "\"scenario\": \"" "a\xef\xbf\xbd"));
	assert_non_null(strstr(text, "\": \"\\u0001\\u001f\\u007f\\t\""));
	assert_int_equal(result_json_read(text, strlen(text), &back, &err), 0);
	assert_string_equal(back->scenario, fixed);
	assert_string_equal(back->description, fixed);
	assert_string_equal(back->params[0].key, fixed);
	assert_string_equal(back->params[0].value, "\x01\x1f\x7f\t");
	assert_string_equal(back->events->ev[0].text, fixed);
	free(text);
	result_free(back);
	result_free(r);
}

/* Seeds (and every other unsigned) are exact over 0..2^64-1, written as
 * bare integers, also past INT64_MAX where jansson's integers end. */
static void
test_json_seed_u64(void **state)
{
	static const uint64_t seeds[] = { 0, 1, INT64_MAX,
	    (uint64_t)INT64_MAX + 1, UINT64_MAX - 1, UINT64_MAX };
	struct dd_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct result *r = result_new("s"), *back = NULL;
		char want[64], *text;

		result_set_seed(r, seeds[i]);
		assert_int_equal(elog_rate(r->events, seeds[i], "l", 1,
		    seeds[i]), 0);
		text = write_one(r);
		snprintf(want, sizeof(want), "\n  \"seed\": %" PRIu64 ",\n",
		    seeds[i]);
		if (strstr(text, want) == NULL)
			fail_msg("seed %" PRIu64 " not written as is:\n%s",
			    seeds[i], text);
		assert_int_equal(result_json_read(text, strlen(text), &back,
		    &err), 0);
		assert_true(back->has_seed);
		assert_true(back->seed == seeds[i]);
		assert_true(back->events->ev[0].t_ms == seeds[i]);
		assert_true(back->events->ev[0].u.rate.window_ms == seeds[i]);
		free(text);
		result_free(back);
		result_free(r);
	}

	/* the seed 2^64-1 in a hand-written file, and the same digits in a
	 * string, which stay a string */
	{
		const char *in = "{\"scenario\": \"18446744073709551615\", "
		    "\"verdict\": \"pass\", \"metrics\": {\"availability\": "
		    "18446744073709551615}, \"seed\":18446744073709551615}";
		struct result *r = NULL;

		assert_int_equal(result_json_read(in, strlen(in), &r, &err), 0);
		assert_true(r->seed == UINT64_MAX);
		assert_string_equal(r->scenario, "18446744073709551615");
		assert_true(r->metric[SCORE_AVAILABILITY].value ==
		    18446744073709551615.0);
		result_free(r);
	}
	/* no seed: null */
	{
		struct result *r = result_new("s");
		char *text = write_one(r);

		assert_non_null(strstr(text, "\n  \"seed\": null,\n"));
		free(text);
		result_free(r);
	}
}

/* Members in doc/results.md's order, at the top, in an expectation and in
 * each kind of event. */
static void
test_json_member_order(void **state)
{
	static const char *const top[] = { "format", "scenario",
	    "description", "verdict", "seed", "started", "duration_ms",
	    "params", "versions", "metrics", "metric_notes", "probe_metrics", "fault",
	    "expectations", "events" };
	struct result *r = make_result();
	char *text = write_one(r);
	const char *p = text;

	(void)state;
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		char key[64];
		const char *q;

		snprintf(key, sizeof(key), "\n  \"%s\": ", top[i]);
		q = strstr(text, key);
		if (q == NULL || q < p)
			fail_msg("member %s missing or out of order", top[i]);
		p = q;
	}
	assert_int_equal(strncmp(text, "{\n  \"format\": \"dnsdrill-result/1\","
	    "\n", 33), 0);
	assert_non_null(strstr(text, "\n  \"metrics\": {\n    \"detection_s\": "
	    "1.2,\n    \"failover_s\": 4.5,\n    \"recovery_s\": null,\n    "
	    "\"availability\": 0.8666666666666667,\n    "
	    "\"query_amplification\": null,\n    "
	    "\"availability_worst\": 0.8666666666666667,\n"));
	assert_non_null(strstr(text, "\n    {\"metric\": \"failover_s\", "
	    "\"bound\": \"< 3\", \"observed\": 4.5, \"pass\": false, "
	    "\"message\": \"failover_s = 4.5, expected < 3\"},\n"));
	assert_non_null(strstr(text, "{\"t_ms\": 5000, \"kind\": \"rate\", "
	    "\"source\": \"sut0\", \"text\": \"\", \"qps\": 12.5, "
	    "\"window_ms\": 1000},\n"));
	assert_non_null(strstr(text, "{\"t_ms\": 50000, \"kind\": "
	    "\"proc_exit\", \"source\": \"sut\", \"text\": \"\", "
	    "\"exit_code\": -1, \"signal\": 15},\n"));
	assert_non_null(strstr(text, "\n  ]\n}\n"));
	free(text);
	result_free(r);
}

/* Reals as before jansson: the shortest of %.15g and %.17g that reads back
 * equal (jansson alone would write 0.0 and 17 digits); not finite: null. */
static void
test_json_numbers(void **state)
{
	static const struct {
		double v;
		const char *text;
	} reals[] = {
		{ 0, "0" }, { 1, "1" }, { 0.1, "0.1" }, { 1.0 / 3.0,
		"0.33333333333333331" }, { 1e300, "1e+300" },
		{ -0.000001, "-1e-06" }, { 2.5e-7, "2.5e-07" },
		{ 123456789012345678.0, "1.2345678901234568e+17" },
		{ NAN, "null" }, { INFINITY, "null" }, { -INFINITY, "null" },
	};
	struct dd_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		struct result *r = result_new("n"), *back = NULL;
		char want[96], *text;

		r->metric[SCORE_AVAILABILITY].has = true;
		r->metric[SCORE_AVAILABILITY].value = reals[i].v;
		assert_int_equal(elog_probe(r->events, 1, "p", true, reals[i].v,
		    ""), 0);
		text = write_one(r);
		snprintf(want, sizeof(want), "\"availability\": %s,",
		    reals[i].text);
		if (strstr(text, want) == NULL)
			fail_msg("%s not written as '%s':\n%s", reals[i].text,
			    want, text);
		snprintf(want, sizeof(want), "\"latency_ms\": %s}",
		    reals[i].text);
		assert_non_null(strstr(text, want));
		assert_int_equal(result_json_read(text, strlen(text), &back,
		    &err), 0);
		if (isfinite(reals[i].v))
			assert_true(back->metric[SCORE_AVAILABILITY].value ==
			    reals[i].v);
		else
			assert_false(back->metric[SCORE_AVAILABILITY].has);
		free(text);
		result_free(back);
		result_free(r);
	}
	/* ints stay ints */
	{
		struct result *r = result_new("n");
		char *text;

		assert_int_equal(elog_proc_exit(r->events, 7, "p", INT32_MIN,
		    0), 0);
		text = write_one(r);
		assert_non_null(strstr(text, "\"exit_code\": -2147483648, "
		    "\"signal\": 0}"));
		free(text);
		result_free(r);
	}
}

/* A stream that fails is DD_EIO; NULL arguments DD_EINVAL. */
static void
test_json_write_errors(void **state)
{
	struct result *r = make_result();
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	assert_int_equal(result_json_write(NULL, stdout), DD_EINVAL);
	assert_int_equal(result_json_write(r, NULL), DD_EINVAL);
	if (full != NULL) {
		assert_int_equal(result_json_write(r, full), DD_EIO);
		fclose(full);
	} else {
		print_message("/dev/full missing: write error not checked\n");
	}
	result_free(r);
}

/* What RFC 8259 allows, from a hand-written result.json. */
static void
test_json_read_lenient(void **state)
{
	const char *in = " {\"scenario\" :\t\"\\ud83d\\udca5\\u00e9\\/\\\"\","
	    "\r\n\"verdict\":\"pass\", \"metrics\": {\"failover_s\": -2.5e3, "
	    "\"detection_s\": 0, \"availability\": 1E0}, \"description\": null,"
	    " \"started\": null, \"fault\": null, \"expectations\": null, "
	    "\"events\": [{\"t_ms\": 0, \"kind\": \"probe\", \"ok\": true, "
	    "\"x\": {\"y\": [[]]}}], \"params\": {\"k\": \"a\\u0000b\"}} ";
	struct result *r = NULL;
	struct dd_err err;

	(void)state;
	if (result_json_read(in, strlen(in), &r, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(r->scenario, "\xf0\x9f\x92\xa5\xc3\xa9/\"");
	assert_true(r->metric[SCORE_FAILOVER].value == -2500);
	assert_true(r->metric[SCORE_DETECTION].has);
	assert_true(r->metric[SCORE_AVAILABILITY].value == 1);
	assert_null(r->description);
	assert_false(r->fault_found);
	assert_int_equal(r->events->n, 1);
	assert_string_equal(r->events->ev[0].source, "");
	assert_string_equal(r->params[0].value, "a"); /* C string: to the NUL */
	result_free(r);

	/* len bounds the input: nothing past it is read */
	in = "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{}}xyz";
	assert_int_equal(result_json_read(in, strlen(in) - 3, &r, &err), 0);
	result_free(r);
}

/* Malformed text: jansson names the line and column. */
static void
test_json_read_syntax(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "", "line 1, column 0: unexpected token near end of file" },
		{ "[1,]", "line 1, column 4: unexpected token near ']'" },
		{ "{\"a\":1,}", "line 1, column 8: string or '}' expected" },
		{ "{\"a\" 1}", "line 1, column 6: ':' expected near '1'" },
		{ "[1 2]", "line 1, column 4: ']' expected near '2'" },
		{ "01", "line 1, column 1: invalid token near '0'" },
		{ "1.", "line 1, column 2: invalid token near '1.'" },
		{ "NaN", "line 1, column 3: invalid token near 'NaN'" },
		{ "\"abc", "line 1, column 4: premature end of input" },
		{ "\"a\nb\"", "line 1, column 2: unexpected newline" },
		{ "\"\\x\"", "line 1, column 3: invalid escape" },
		{ "\"\\u12g4\"", "line 1, column 6: invalid escape" },
		{ "\"\xff\"", "line 1, column 1: unable to decode byte 0xff" },
		{ "\"\\ud800x\"", "line 1, column 9: invalid Unicode '\\uD800'" },
		{ "[]\n\n  x", "line 3, column 3: end of file expected" },
		/* after a big integer, the column counts its marker's 8 more
		 * characters (see mark_big() in model/result_json_read.c) */
		{ "{\"scenario\": \"s\", \"seed\": 18446744073709551615 x}",
		    "line 1, column 56: '}' expected near 'x'" },
	};
	struct result *r;
	struct dd_err err;
	char deep[5000];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(result_json_read(cases[i].in,
		    strlen(cases[i].in), &r, &err), DD_EINVAL);
		assert_null(r);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in,
			    err.msg, cases[i].msg);
	}
	memset(deep, '[', sizeof(deep));
	assert_int_equal(result_json_read(deep, sizeof(deep), &r, &err),
	    DD_EINVAL);
	assert_non_null(strstr(err.msg, "maximum parsing depth reached"));
}

/* ------------------------------------------------------------------ */
/* junit.xml */

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static bool
have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

static void
xmllint_ok(const char *xml)
{
	char path[] = "/tmp/dnsdrill-junit-XXXXXX";
	char cmd[128];
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(xml, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	if (system(cmd) != 0) {
		unlink(path);
		fail_msg("xmllint rejects junit.xml:\n%s", xml);
	}
	unlink(path);
}

static void
test_junit(void **state)
{
	struct result *r = make_result();
	char *xml;

	(void)state;
	/* a scenario name with markup in it */
	free(r->scenario);
	r->scenario = strdup("a<b & \"c\" \x02" "d");
	xml = render(report_junit_write, r, NULL);
	assert_int_equal(strncmp(xml, "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>\n<testsuites ", 50), 0);
	assert_int_equal(count(xml, "<testsuite "), 1);
	assert_int_equal(count(xml, "<testcase "), 3);
	assert_int_equal(count(xml, "<failure "), 2);
	assert_non_null(strstr(xml, "<testsuite name=\"a&lt;b &amp; "
	    "&quot;c&quot; \xef\xbf\xbd" "d\" tests=\"3\" failures=\"2\" "
	    "errors=\"0\" skipped=\"0\" time=\"50.000\" "
	    "timestamp=\"2025-10-20T07:11:00Z\">"));
	assert_non_null(strstr(xml, "name=\"failover_s &lt; 3\""));
	assert_non_null(strstr(xml, "<testcase classname=\"dnsdrill.a&lt;b "
	    "&amp; &quot;c&quot; \xef\xbf\xbd" "d\" name=\"availability &gt;= "
	    "0.8\" time=\"0\"/>"));
	assert_non_null(strstr(xml, "<failure type=\"expectation\" "
	    "message=\"failover_s = 4.5, expected &lt; 3\">failover_s = 4.5, "
	    "expected &lt; 3</failure>"));
	assert_non_null(strstr(xml, "message=\"recovery_s never observed "
	    "(no primary-path event defined)\""));
	assert_non_null(strstr(xml, "<property name=\"seed\" "
	    "value=\"18446744073709551615\"/>"));
	assert_non_null(strstr(xml, "<property name=\"param.odd\" "
	    "value=\"q&quot;b\\n&#10;t&#9;c\xef\xbf\xbd" "d\x7f" "x\xef\xbf\xbd"));
	assert_non_null(strstr(xml, "<system-out>scenario  a&lt;b"));
	assert_non_null(strstr(xml, "</testsuite>\n</testsuites>\n"));
	assert_null(strchr(xml, '\x01'));
	assert_null(strchr(xml, '\x02'));
	assert_null(strstr(xml, "\xff"));
	if (have_xmllint())
		xmllint_ok(xml);
	else
		print_message("xmllint not installed: structure checks only\n");
	free(xml);

	/* all passing, nothing optional set */
	result_free(r);
	r = result_new("plain");
	xml = render(report_junit_write, r, NULL);
	assert_non_null(strstr(xml, "tests=\"0\" failures=\"0\""));
	assert_null(strstr(xml, "timestamp="));
	assert_null(strstr(xml, "<failure"));
	if (have_xmllint())
		xmllint_ok(xml);
	free(xml);
	result_free(r);
}

/* ------------------------------------------------------------------ */
/* text summary */

static void
test_text(void **state)
{
	struct result *r = make_result();
	char *txt = render(report_text_write, r, NULL);

	(void)state;
	assert_non_null(strstr(txt, "scenario  dynamodb-empty-record  (seed "
	    "18446744073709551615)\n"));
	assert_non_null(strstr(txt, "verdict   FAIL\n"));
	assert_non_null(strstr(txt, "fault     10.000s -> 40.000s (30.000s)\n"));
	/* the widest metric name sets the column: baseline_latency_p50_ms */
	assert_non_null(strstr(txt, "\ndetection_s              1.200\n"));
	assert_non_null(strstr(txt, "\nrecovery_s               -         no "
	    "primary-path event defined\n"));
	assert_non_null(strstr(txt, "\navailability             0.867\n"));
	assert_non_null(strstr(txt, "\nfailover_s < 3       4.500      FAIL  "
	    "failover_s = 4.5, expected < 3\n"));
	assert_non_null(strstr(txt, "\navailability >= 0.8  0.867      pass\n"));
	assert_non_null(strstr(txt, "\nrecovery_s <= 10     -          FAIL  "
	    "recovery_s never observed"));
	assert_non_null(strstr(txt, "events, 50.000s\n"));
	free(txt);

	result_free(r);
	r = result_new("plain");
	txt = render(report_text_write, r, NULL);
	assert_non_null(strstr(txt, "verdict   PASS\n"));
	assert_non_null(strstr(txt, "fault     none found\n"));
	assert_non_null(strstr(txt, "no expectations\n"));
	free(txt);
	result_free(r);
}

/* ------------------------------------------------------------------ */
/* censored metrics and each probe's figures, through every writer */

/* The SUT never back on its primary path 32.1 s after the clear; two
 * probes, one failing a quarter of the fault; a per-probe expectation. */
static struct result *
make_censored(void)
{
	struct elog *log = elog_new();
	struct score_match prim = { .set = true, .kind = ELOG_PROBE,
	    .source = "on-primary" };
	struct score_match svc[2] = {
		{ .set = true, .kind = ELOG_PROBE, .source = "www" },
		{ .set = true, .kind = ELOG_PROBE, .source = "on-primary" },
	};
	struct score_expect ex[3];
	struct score_defs d = { .primary = prim, .services = svc,
	    .n_services = 1, .latency = svc, .n_latency = 1, .stable_ms = 2000,
	    .expect = ex, .n_expect = 3 };
	struct score_result s;
	struct result *r;

	assert_int_equal(score_expect_parse("recovery_s < 20", &ex[0], NULL),
	    0);
	assert_int_equal(score_expect_parse("availability.www > 0.9", &ex[1],
	    NULL), 0);
	assert_int_equal(score_expect_parse("latency_p99_ms < 500", &ex[2],
	    NULL), 0);
	elog_fault(log, 10000, true, "dns1", "action=nxdomain");
	elog_fault(log, 20000, false, "dns1", "");
	for (uint64_t t = 0; t <= 52100; t += 100) {
		elog_probe(log, t, "on-primary", t < 10000, 2, "");
		if (t % 1000 == 0)
			elog_probe(log, t, "www", t < 10000 || t >= 20000 ||
			    t % 4000 != 0, t < 10000 ? 14 : 1015, "");
	}
	assert_int_equal(score_run(log, &d, &s), 0);
	r = result_new("censored");
	assert_non_null(r);
	assert_int_equal(result_set_score(r, &s), 0);
	assert_int_equal(result_take_events(r, log), 0);
	score_result_fini(&s);
	return r;
}

static void
test_censored_and_probes(void **state)
{
	struct result *r = make_censored(), *back = NULL;
	size_t len, len2;
	char *text = render(result_json_write, r, &len), *again, *out;
	struct dd_err err = { "" };
	json_t *root = jparse(text, len), *b, *p, *ex;

	(void)state;
	/* result.json: the value stays null for strict readers, the bound
	 * is beside it */
	assert_true(json_is_null(json_object_get(json_object_get(root,
	    "metrics"), "recovery_s")));
	b = json_object_get(json_object_get(root, "metric_bounds"),
	    "recovery_s");
	assert_true(json_is_true(json_object_get(b, "censored")));
	assert_true(fabs(jnum(b, "at_least") - 32.1) < 1e-9);
	assert_int_equal(json_object_size(json_object_get(root,
	    "metric_bounds")), 1);
	assert_non_null(strstr(text, "\n  \"metric_bounds\": {\n    "
	    "\"recovery_s\": {\"censored\": true, \"at_least\": 32.1}\n  },\n"));
	/* each probe on one line, its own figures */
	p = json_object_get(json_object_get(root, "probe_metrics"), "www");
	assert_true(fabs(jnum(json_object_get(p, "metrics"), "availability") -
	    0.8) < 1e-9);
	assert_true(jnum(json_object_get(p, "metrics"), "latency_p99_ms") ==
	    1015);
	assert_null(json_object_get(json_object_get(p, "metrics"),
	    "detection_s"));
	assert_non_null(strstr(text, "\n    \"www\": {\"metrics\": {"));
	p = json_object_get(json_object_get(root, "probe_metrics"), "on-primary");
	assert_true(fabs(jnum(json_object_get(p, "metric_bounds") ?
	    json_object_get(json_object_get(p, "metric_bounds"),
	    "recovery_s") : NULL, "at_least") - 32.1) < 1e-9);
	/* the expectations: censored, and the probe's own by full name */
	ex = json_object_get(root, "expectations");
	assert_true(json_is_true(json_object_get(json_array_get(ex, 0),
	    "censored")));
	assert_true(fabs(jnum(json_array_get(ex, 0), "at_least") - 32.1) <
	    1e-9);
	assert_true(json_is_null(json_object_get(json_array_get(ex, 0),
	    "observed")));
	assert_string_equal(jstr(json_array_get(ex, 1), "metric"),
	    "availability.www");
	assert_string_equal(jstr(json_array_get(ex, 1), "message"),
	    "availability.www = 0.8, expected > 0.9");
	assert_null(json_object_get(json_array_get(ex, 1), "censored"));
	json_decref(root);

	/* read back: the same model, the same bytes */
	if (result_json_read(text, len, &back, &err) != 0)
		fail_msg("result_json_read: %s", err.msg);
	assert_true(back->metric[SCORE_RECOVERY].censored);
	assert_true(back->metric[SCORE_RECOVERY].at_least == 32.1);
	assert_false(back->metric[SCORE_LATENCY_P99].absent);
	assert_int_equal(back->n_probe_metrics, 2);
	assert_string_equal(back->probe_metrics[0].name, "on-primary");
	assert_true(back->probe_metrics[0].metric[SCORE_DETECTION].absent);
	assert_true(back->expect[0].censored);
	assert_int_equal(back->expect[1].metric, SCORE_AVAILABILITY);
	assert_string_equal(back->expect[1].probe, "www");
	assert_string_equal(result_expect_metric(&back->expect[1]),
	    "availability.www");
	again = render(result_json_write, back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);

	/* the text summary: ">=" the bound, a probe table */
	out = render(report_text_write, back, NULL);
	assert_non_null(strstr(out, "\nrecovery_s               >=32.100  "
	    "not recovered within 32.1 s"));
	assert_non_null(strstr(out, "\nprobe       availability"));
	assert_non_null(strstr(out, "\nwww         0.800         1015.000"));
	assert_non_null(strstr(out, "\nrecovery_s < 20         >=32.100   "
	    "FAIL  recovery_s never observed: not recovered within 32.1 s"));
	assert_non_null(strstr(out, "\navailability.www > 0.9  0.800      "
	    "FAIL"));
	free(out);

	/* junit: the bound as a property, the failure says what was not
	 * seen */
	out = render(report_junit_write, back, NULL);
	assert_non_null(strstr(out, "<property name=\"censored.recovery_s\" "
	    "value=\"&gt;= 32.1\"/>"));
	assert_non_null(strstr(out, "<testcase classname=\"dnsdrill.censored\" "
	    "name=\"recovery_s &lt; 20\" time=\"0\">\n      <failure "
	    "type=\"expectation\" message=\"recovery_s never observed: not "
	    "recovered within 32.1 s"));
	assert_non_null(strstr(out, "name=\"availability.www &gt; 0.9\""));
	if (have_xmllint())
		xmllint_ok(out);
	free(out);

	/* html: marked censored, the probe table, the probe's expectation */
	out = render(report_html_write, back, NULL);
	assert_non_null(strstr(out, "\xE2\x89\xA5 32.100 s <span "
	    "class=\"note\">censored</span>"));
	assert_non_null(strstr(out, "<h2>Probes</h2>"));
	assert_non_null(strstr(out, "<tr><td><code>availability.www</code>"
	    "</td><td class=\"num\">0.8 (80.0 %)</td>"));
	assert_non_null(strstr(out, "<td class=\"num\">1015.0 ms</td>"));
	free(out);
	result_free(back);
	result_free(r);
}


/* ------------------------------------------------------------------ */
/* expectations on a capture link's figure and faultd's counters */

static void
test_link_and_counter_expectations(void **state)
{
	static const char *const links[] = { "app_lan", "auth_lan" };
	struct elog *log = elog_new();
	struct score_expect ex[3];
	struct score_defs d = { .amp_links = links, .n_amp_links = 2,
	    .expect = ex, .n_expect = 3 };
	struct elog_count c0[] = { { "queries", 100 } }, c1[] = { { "queries",
	    900 } };
	struct elog_count a0[] = { { "pass", 100 }, { "servfail", 0 } };
	struct elog_count a1[] = { { "pass", 110 }, { "servfail", 790 } };
	struct elog_stats st0 = { .t_ms = 10005, .dns = "auth",
	    .why = ELOG_STATS_INJECT, .counters = c0, .n_counters = 1,
	    .actions = a0, .n_actions = 2 };
	struct elog_stats st1 = { .t_ms = 19995, .dns = "auth",
	    .why = ELOG_STATS_CLEAR, .counters = c1, .n_counters = 1,
	    .actions = a1, .n_actions = 2 };
	struct score_result s;
	struct result *r, *back = NULL;
	struct dd_err err = { "" };
	size_t len, len2;
	char *text, *again, *out;
	json_t *root, *arr;

	(void)state;
	for (uint64_t t = 1000; t <= 30000; t += 1000) {
		elog_rate(log, t, "app_lan", 10, 1000);
		elog_rate(log, t, "auth_lan", t > 10000 && t <= 20000 ? 300 : 3,
		    1000);
	}
	elog_fault(log, 10000, true, "auth", "action=servfail");
	elog_fault(log, 20000, false, "auth", "");
	assert_int_equal(elog_add_stats(log, &st0), 0);
	assert_int_equal(elog_add_stats(log, &st1), 0);
	assert_int_equal(score_expect_parse("dns_queries.auth < 1000", &ex[0],
	    NULL), 0);
	assert_int_equal(score_expect_parse("dns_answers.auth.servfail == 0",
	    &ex[1], NULL), 0);
	assert_int_equal(score_expect_parse("query_amplification.auth_lan < 5",
	    &ex[2], NULL), 0);
	assert_int_equal(score_run(log, &d, &s), 0);
	r = result_new("authority");
	assert_non_null(r);
	assert_int_equal(result_set_score(r, &s), 0);
	score_result_fini(&s);
	elog_free(log);
	/* kept by name: no column of the run's metrics */
	assert_int_equal(r->expect[2].metric, SCORE_METRIC_COUNT);
	assert_string_equal(result_expect_metric(&r->expect[2]),
	    "query_amplification.auth_lan");

	text = render(result_json_write, r, &len);
	root = jparse(text, len);
	arr = json_object_get(root, "expectations");
	assert_string_equal(jstr(json_array_get(arr, 0), "metric"),
	    "dns_queries.auth");
	assert_true(jnum(json_array_get(arr, 0), "observed") == 800);
	assert_true(json_is_true(json_object_get(json_array_get(arr, 0),
	    "pass")));
	assert_string_equal(jstr(json_array_get(arr, 1), "metric"),
	    "dns_answers.auth.servfail");
	assert_string_equal(jstr(json_array_get(arr, 1), "message"),
	    "dns_answers.auth.servfail = 790, expected == 0");
	assert_string_equal(jstr(json_array_get(arr, 2), "metric"),
	    "query_amplification.auth_lan");
	assert_true(jnum(json_array_get(arr, 2), "observed") == 100);
	json_decref(root);

	/* read back: the names, and the same bytes */
	if (result_json_read(text, len, &back, &err) != 0)
		fail_msg("result_json_read: %s", err.msg);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(back->expect[i].metric, SCORE_METRIC_COUNT);
		assert_string_equal(back->expect[i].label,
		    r->expect[i].label);
		assert_null(back->expect[i].probe);
	}
	assert_string_equal(result_expect_metric(&back->expect[1]),
	    "dns_answers.auth.servfail");
	again = render(result_json_write, back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);

	/* the text summary: expectation rows with their observed values */
	out = render(report_text_write, back, NULL);
	assert_non_null(strstr(out, "\ndns_queries.auth < 1000  "));
	assert_non_null(strstr(out, "dns_answers.auth.servfail = 790, "
	    "expected == 0"));
	free(out);
	/* html: among the metrics by name, not under the run's
	 * query_amplification */
	out = render(report_html_write, back, NULL);
	assert_non_null(strstr(out, "<code>dns_queries.auth</code>"));
	assert_non_null(strstr(out, "<code>query_amplification.auth_lan"
	    "</code>"));
	free(out);
	result_free(back);
	result_free(r);
}

/* ------------------------------------------------------------------ */
/* model edge cases */

static void
test_model_edges(void **state)
{
	struct result *r;
	struct elog *log;

	(void)state;
	assert_null(result_new(NULL));
	result_free(NULL);
	r = result_new("s");
	assert_int_equal(result_set_param(r, NULL, "v"), DD_EINVAL);
	assert_int_equal(result_set_param(r, "k", NULL), DD_EINVAL);
	assert_int_equal(result_set_param(NULL, "k", "v"), DD_EINVAL);
	assert_int_equal(result_take_events(r, NULL), DD_EINVAL);
	assert_int_equal(result_set_score(r, NULL), DD_EINVAL);
	assert_int_equal(result_json_write(NULL, stdout), DD_EINVAL);
	assert_int_equal(report_junit_write(r, NULL), DD_EINVAL);
	assert_int_equal(report_text_write(NULL, stdout), DD_EINVAL);
	assert_string_equal(result_verdict(r), "pass");
	assert_string_equal(result_verdict(NULL), "fail");
	assert_int_equal(result_set_description(r, "x"), 0);
	assert_int_equal(result_set_description(r, NULL), 0);
	assert_null(r->description);

	log = elog_new();
	elog_mark(log, 1234, "m", "");
	assert_int_equal(result_take_events(r, log), 0);
	assert_true(r->events == log);
	assert_true(r->duration_ms == 1234);
	assert_int_equal(result_take_events(r, log), 0); /* same log: kept */
	assert_int_equal(r->events->n, 1);
	result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_roundtrip_tree),
		cmocka_unit_test(test_json_roundtrip_model),
		cmocka_unit_test(test_json_read_errors),
		cmocka_unit_test(test_json_html_safe),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_json_seed_u64),
		cmocka_unit_test(test_json_member_order),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_write_errors),
		cmocka_unit_test(test_json_read_lenient),
		cmocka_unit_test(test_json_read_syntax),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_model_edges),
		cmocka_unit_test(test_censored_and_probes),
		cmocka_unit_test(test_link_and_counter_expectations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
