/*
 * test_result.c -- the result model and its writers: result.json written
 * and read back field by field (raw JSON tree and result_json_read), the
 * JSON writer's escaping and grammar checks, junit.xml (xmllint when
 * installed, structure always), and the text summary.
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
#include "reports/json.h"
#include "model/result.h"

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

static void
test_json_roundtrip_tree(void **state)
{
	struct result *r = make_result();
	size_t len;
	char *text = render(result_json_write, r, &len);
	struct jv *root = NULL;
	struct dd_err err = { "" };
	const struct jv *m, *ex, *ev, *v;
	double d;
	bool b;

	(void)state;
	if (json_parse(text, len, &root, &err) != 0)
		fail_msg("result.json does not parse: %s\n%s", err.msg, text);
	assert_string_equal(jv_string(jv_get(root, "format")), RESULT_FORMAT);
	assert_string_equal(jv_string(jv_get(root, "scenario")),
	    "dynamodb-empty-record");
	assert_string_equal(jv_string(jv_get(root, "description")),
	    "DynamoDB " ODD_BACK);
	/* failover 4.5 >= 3 fails; recovery never defined fails */
	assert_string_equal(jv_string(jv_get(root, "verdict")), "fail");
	v = jv_get(root, "seed");
	assert_true(v->is_u64);
	assert_true(v->u64 == UINT64_MAX);
	assert_string_equal(jv_string(jv_get(root, "started")),
	    "2025-10-20T07:11:00Z");
	assert_true(jv_get(root, "duration_ms")->u64 == 50000);

	v = jv_get(root, "params");
	assert_int_equal(v->n, 2);
	assert_string_equal(v->keys[0], "stable");
	assert_string_equal(jv_string(&v->items[0]), "5s");
	assert_string_equal(jv_string(jv_get(v, "odd")), ODD_BACK);
	v = jv_get(root, "versions");
	assert_string_equal(jv_string(jv_get(v, "faultd")), "0.1.0");

	m = jv_get(root, "metrics");
	assert_int_equal(m->type, JV_OBJ);
	assert_int_equal(m->n, 5);
	assert_true(jv_number(jv_get(m, "detection_s"), &d));
	assert_true(fabs(d - 1.2) < 1e-12);
	assert_true(jv_number(jv_get(m, "failover_s"), &d));
	assert_true(fabs(d - 4.5) < 1e-12);
	assert_true(jv_number(jv_get(m, "availability"), &d));
	assert_true(fabs(d - 26.0 / 30.0) < 1e-15); /* exact round trip */
	assert_int_equal(jv_get(m, "recovery_s")->type, JV_NULL);
	assert_int_equal(jv_get(m, "query_amplification")->type, JV_NULL);
	assert_string_equal(jv_string(jv_get(jv_get(root, "metric_notes"),
	    "recovery_s")), "no primary-path event defined");
	assert_null(jv_get(jv_get(root, "metric_notes"), "failover_s"));

	v = jv_get(root, "fault");
	assert_true(jv_get(v, "start_ms")->u64 == 10000);
	assert_true(jv_get(v, "end_ms")->u64 == 40000);
	assert_true(jv_boolean(jv_get(v, "cleared"), &b) && b);
	assert_true(jv_boolean(jv_get(v, "service_disrupted"), &b) && b);

	ex = jv_get(root, "expectations");
	assert_int_equal(ex->n, 3);
	assert_string_equal(jv_string(jv_get(jv_at(ex, 0), "metric")),
	    "failover_s");
	assert_string_equal(jv_string(jv_get(jv_at(ex, 0), "bound")), "< 3");
	assert_true(jv_number(jv_get(jv_at(ex, 0), "observed"), &d));
	assert_true(fabs(d - 4.5) < 1e-12);
	assert_true(jv_boolean(jv_get(jv_at(ex, 0), "pass"), &b) && !b);
	assert_string_equal(jv_string(jv_get(jv_at(ex, 0), "message")),
	    "failover_s = 4.5, expected < 3");
	assert_true(jv_boolean(jv_get(jv_at(ex, 1), "pass"), &b) && b);
	assert_int_equal(jv_get(jv_at(ex, 2), "observed")->type, JV_NULL);
	assert_true(jv_boolean(jv_get(jv_at(ex, 2), "pass"), &b) && !b);

	ev = jv_get(root, "events");
	assert_int_equal(ev->n, r->events->n);
	for (size_t i = 0; i < ev->n; i++) {
		const struct elog_ev *e = &r->events->ev[i];
		const struct jv *o = jv_at(ev, i);

		assert_true(jv_get(o, "t_ms")->u64 == e->t_ms);
		assert_string_equal(jv_string(jv_get(o, "kind")),
		    elog_kind_name(e->kind));
		assert_string_equal(jv_string(jv_get(o, "source")), e->source);
		if (e->kind == ELOG_WATCH) {
			assert_string_equal(jv_string(jv_get(o, "text")),
			    ODD_BACK);
		} else {
			assert_string_equal(jv_string(jv_get(o, "text")),
			    e->text);
		}
		if (e->kind == ELOG_PROBE) {
			assert_true(jv_boolean(jv_get(o, "ok"), &b));
			assert_int_equal(b, e->u.probe.ok);
			assert_true(jv_number(jv_get(o, "latency_ms"), &d));
			assert_true(d == 3.25);
		} else {
			assert_null(jv_get(o, "ok"));
		}
		if (e->kind == ELOG_PROC_EXIT) {
			assert_true(jv_number(jv_get(o, "exit_code"), &d));
			assert_true(d == -1);
			assert_true(jv_number(jv_get(o, "signal"), &d));
			assert_true(d == 15);
		}
		if (e->kind == ELOG_RATE) {
			assert_true(jv_number(jv_get(o, "qps"), &d));
			assert_true(d == 12.5);
			assert_true(jv_get(o, "window_ms")->u64 == 1000);
		}
	}
	/* one event per line */
	assert_non_null(strstr(text, "\n    {\"t_ms\": 500, \"kind\": "
	    "\"probe\", \"source\": \"svc\", \"text\": \"HTTP 200\", "
	    "\"ok\": true, \"latency_ms\": 3.25},\n"));
	jv_free(root);
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
		assert_string_equal(back->expect[i].metric, r->expect[i].metric);
		assert_string_equal(back->expect[i].bound, r->expect[i].bound);
		assert_string_equal(back->expect[i].message,
		    r->expect[i].message);
		assert_int_equal(back->expect[i].pass, r->expect[i].pass);
		assert_int_equal(back->expect[i].has_observed,
		    r->expect[i].has_observed);
		assert_true(back->expect[i].observed == r->expect[i].observed);
	}
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
		{ "{\"verdict\":\"pass\",\"metrics\":{}}", "scenario: missing" },
		{ "{\"scenario\":\"s\",\"verdict\":\"maybe\",\"metrics\":{}}",
		    "verdict: expected" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\"}", "metrics: missing" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":"
		    "{\"failover_s\":\"3\"}}", "metrics.failover_s: expected" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"seed\":-1}", "seed: expected a non-negative integer" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":1,\"kind\":\"prob\"}]}",
		    "events[0]: unknown kind 'prob'" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"events\":[{\"t_ms\":1,\"kind\":\"probe\"}]}",
		    "events[0]: probe needs ok" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"expectations\":[{\"metric\":\"x\"}]}",
		    "expectations[0]: needs metric, bound and pass" },
		{ "{\"scenario\":\"s\",\"verdict\":\"pass\",\"metrics\":{},"
		    "\"params\":{\"a\":1}}", "params.a: expected a string" },
		{ "{\"scenario\": \"s\",\n \"verdict\": pass}",
		    "line 2, column 13: unexpected character 'p'" },
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
/* JSON writer and reader */

static char *
jw_render(void (*body)(struct jw *), int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	struct jw w;

	jw_init(&w, mem, false);
	body(&w);
	*rc = jw_finish(&w);
	fclose(mem);
	return buf;
}

static void
body_odd(struct jw *w)
{
	jw_arr_begin(w);
	jw_str(w, ODD);
	jw_strn(w, "a\0b", 3);
	jw_num(w, NAN);
	jw_num(w, INFINITY);
	jw_num(w, 0.1);
	jw_num(w, 1e300);
	jw_num(w, -0.000001);
	jw_int(w, INT64_MIN);
	jw_uint(w, UINT64_MAX);
	jw_bool(w, false);
	jw_str(w, NULL);
	jw_obj_begin(w);
	jw_obj_end(w);
	jw_arr_begin(w);
	jw_arr_end(w);
	jw_arr_end(w);
}

static void
test_jw_escaping(void **state)
{
	int rc;
	char *out = jw_render(body_odd, &rc);
	struct jv *v = NULL;
	struct dd_err err;

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(out, "[\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007fx"
	    "\xef\xbf\xbdy\\u2028<\\/script><a&b 'c'>\xf0\x9f\x92\xa5\","
	    "\"a\\u0000b\",null,null,0.1,1e+300,-1e-06,"
	    "-9223372036854775808,18446744073709551615,false,null,{},[]]");
	assert_int_equal(json_parse(out, strlen(out), &v, &err), 0);
	assert_int_equal(v->n, 13);
	assert_string_equal(jv_string(jv_at(v, 0)), ODD_BACK);
	assert_int_equal(jv_at(v, 1)->len, 3);
	assert_memory_equal(jv_at(v, 1)->str, "a\0b", 4);
	assert_int_equal(jv_at(v, 2)->type, JV_NULL);
	assert_true(jv_at(v, 4)->num == 0.1);
	assert_false(jv_at(v, 4)->is_u64);
	assert_true(jv_at(v, 7)->num == (double)INT64_MIN);
	assert_true(jv_at(v, 8)->is_u64 && jv_at(v, 8)->u64 == UINT64_MAX);
	jv_free(v);
	free(out);
}

static void body_value_without_key(struct jw *w)
{ jw_obj_begin(w); jw_str(w, "x"); jw_obj_end(w); }
static void body_unbalanced(struct jw *w)
{ jw_arr_begin(w); jw_obj_end(w); }
static void body_unclosed(struct jw *w)
{ jw_arr_begin(w); }
static void body_two_values(struct jw *w)
{ jw_null(w); jw_null(w); }
static void body_key_in_array(struct jw *w)
{ jw_arr_begin(w); jw_key(w, "k"); jw_arr_end(w); }
static void body_dangling_key(struct jw *w)
{ jw_obj_begin(w); jw_key(w, "k"); jw_obj_end(w); }
static void body_empty(struct jw *w)
{ (void)w; }
static void
body_deep(struct jw *w)
{
	for (int i = 0; i <= JW_MAX_DEPTH; i++)
		jw_arr_begin(w);
	for (int i = 0; i <= JW_MAX_DEPTH; i++)
		jw_arr_end(w);
}

static void
test_jw_misuse(void **state)
{
	void (*bodies[])(struct jw *) = { body_value_without_key,
	    body_unbalanced, body_unclosed, body_two_values,
	    body_key_in_array, body_dangling_key, body_empty, body_deep };
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		free(jw_render(bodies[i], &rc));
		if (rc != DD_EINVAL)
			fail_msg("body %zu: rc %d", i, rc);
	}
}

static void
test_json_parse_good(void **state)
{
	const char *in = " {\"a\": [1, -2.5e3, 0, true, false, null, "
	    "\"\\ud83d\\udca5\\u00e9\\/\"], \"b\": {}, \"a\": 2} ";
	struct jv *v = NULL;
	struct dd_err err;
	double d;

	(void)state;
	assert_int_equal(json_parse(in, strlen(in), &v, &err), 0);
	assert_int_equal(v->type, JV_OBJ);
	assert_int_equal(jv_get(v, "a")->type, JV_ARR); /* first wins */
	assert_true(jv_number(jv_at(jv_get(v, "a"), 1), &d) && d == -2500);
	assert_true(jv_at(jv_get(v, "a"), 0)->is_u64);
	assert_false(jv_at(jv_get(v, "a"), 1)->is_u64);
	assert_string_equal(jv_string(jv_at(jv_get(v, "a"), 6)),
	    "\xf0\x9f\x92\xa5\xc3\xa9/");
	assert_null(jv_at(jv_get(v, "a"), 7));
	assert_null(jv_get(jv_get(v, "a"), "x"));
	assert_null(jv_string(jv_at(jv_get(v, "a"), 0)));
	assert_int_equal(jv_get(v, "b")->n, 0);
	jv_free(v);
	jv_free(NULL);

	/* a lone surrogate decodes to U+FFFD */
	assert_int_equal(json_parse("\"\\ud800x\"", 9, &v, &err), 0);
	assert_string_equal(v->str, "\xef\xbf\xbdx");
	jv_free(v);
}

static void
test_json_parse_errors(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "", "line 1, column 1: unexpected end of input" },
		{ "[1,]", "column 4: unexpected character ']'" },
		{ "{\"a\":1,}", "expected a member name" },
		{ "{\"a\" 1}", "expected ':'" },
		{ "[1 2]", "expected ',' or ']'" },
		{ "{\"a\":1 \"b\":2}", "expected ',' or '}'" },
		{ "01", "trailing data" },
		{ "-", "bad number" },
		{ "1.", "digits expected after '.'" },
		{ "1e", "digits expected in exponent" },
		{ "NaN", "unexpected character 'N'" },
		{ "nul", "unexpected word" },
		{ "\"abc", "unterminated string" },
		{ "\"a\nb\"", "control character in string" },
		{ "\"\\x\"", "bad escape '\\x'" },
		{ "\"\\u12g4\"", "bad \\u escape" },
		{ "\"\xff\"", "invalid UTF-8" },
		{ "'a'", "unexpected character" },
		{ "[]\n\n  x", "line 3, column 3: trailing data" },
	};
	struct jv *v;
	struct dd_err err;
	char deep[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(json_parse(cases[i].in, strlen(cases[i].in),
		    &v, &err), DD_EINVAL);
		assert_null(v);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in,
			    err.msg, cases[i].msg);
	}
	memset(deep, '[', sizeof(deep));
	assert_int_equal(json_parse(deep, sizeof(deep), &v, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "nested deeper"));
	/* len bounds the input: no read past it */
	assert_int_equal(json_parse("[1]xyz", 3, &v, &err), 0);
	jv_free(v);
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
	xml = render(result_junit_write, r, NULL);
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
	xml = render(result_junit_write, r, NULL);
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
	char *txt = render(result_text_write, r, NULL);

	(void)state;
	assert_non_null(strstr(txt, "scenario  dynamodb-empty-record  (seed "
	    "18446744073709551615)\n"));
	assert_non_null(strstr(txt, "verdict   FAIL\n"));
	assert_non_null(strstr(txt, "fault     10.000s -> 40.000s (30.000s)\n"));
	assert_non_null(strstr(txt, "\ndetection_s          1.200\n"));
	assert_non_null(strstr(txt, "\nrecovery_s           -         no "
	    "primary-path event defined\n"));
	assert_non_null(strstr(txt, "\navailability         0.867\n"));
	assert_non_null(strstr(txt, "\nfailover_s < 3       4.500      FAIL  "
	    "failover_s = 4.5, expected < 3\n"));
	assert_non_null(strstr(txt, "\navailability >= 0.8  0.867      pass\n"));
	assert_non_null(strstr(txt, "\nrecovery_s <= 10     -          FAIL  "
	    "recovery_s never observed"));
	assert_non_null(strstr(txt, "events, 50.000s\n"));
	free(txt);

	result_free(r);
	r = result_new("plain");
	txt = render(result_text_write, r, NULL);
	assert_non_null(strstr(txt, "verdict   PASS\n"));
	assert_non_null(strstr(txt, "fault     none found\n"));
	assert_non_null(strstr(txt, "no expectations\n"));
	free(txt);
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
	assert_int_equal(result_junit_write(r, NULL), DD_EINVAL);
	assert_int_equal(result_text_write(NULL, stdout), DD_EINVAL);
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
		cmocka_unit_test(test_jw_escaping),
		cmocka_unit_test(test_jw_misuse),
		cmocka_unit_test(test_json_parse_good),
		cmocka_unit_test(test_json_parse_errors),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_model_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
