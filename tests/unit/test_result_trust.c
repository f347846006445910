/*
 * test_result_trust.c -- what a result must carry so its verdict can be
 * trusted: each probe's settings (kind, host, interval, timeout and whether
 * the timeout was the default) in result.json, read back, and shown by the
 * text summary and report.html; results from before probes were recorded
 * written back without them; and the verdict "error" with its reason for a
 * run that could not finish, in result.json, the summary, JUnit and HTML.
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
#include "model/elog.h"
#include "model/result.h"
#include "model/score.h"
#include "reports/report.h"

static char *
render(int (*f)(const struct result *, FILE *), const struct result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(f(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static struct result *
with_probes(void)
{
	struct result *r = result_new("probed");
	const char *name = "www";

	assert_non_null(r);
	assert_int_equal(result_add_probe(r, name, "dns", "client",
	    "www.example.com A @198.18.0.53", 100, 400, false), 0);
	assert_int_equal(result_add_probe(r, "svc", "http", "client",
	    "http://198.18.0.20/<x>", 250, 1000, true), 0);
	/* copies: the caller's strings stay its own */
	assert_true(r->probes[0].name != name);
	elog_mark(r->events, 10, "m", "x");
	return r;
}

static void
test_probes_json(void **state)
{
	struct result *r = with_probes(), *back = NULL;
	struct dd_err err = { "" };
	char *text, *again;

	(void)state;
	text = render(result_json_write, r);
	assert_non_null(strstr(text, "\n  \"probes\": [\n    {\"name\": \"www\", "
	    "\"kind\": \"dns\", \"host\": \"client\", \"target\": \"www.example.com "
	    "A @198.18.0.53\", \"every_ms\": 100, \"timeout_ms\": 400, "
	    "\"timeout_default\": false},\n    {\"name\": \"svc\", \"kind\": "
	    "\"http\", \"host\": \"client\", \"target\": \"http://198.18.0.20/<x>\", "
	    "\"every_ms\": 250, \"timeout_ms\": 1000, \"timeout_default\": true}\n"
	    "  ],\n  \"events\": ["));
	/* after expectations, before events */
	assert_true(strstr(text, "\"expectations\"") < strstr(text, "\"probes\""));
	assert_int_equal(result_json_read(text, strlen(text), &back, &err), 0);
	assert_true(back->has_probes);
	assert_int_equal(back->n_probes, 2);
	assert_string_equal(back->probes[1].name, "svc");
	assert_string_equal(back->probes[1].kind, "http");
	assert_string_equal(back->probes[1].target, "http://198.18.0.20/<x>");
	assert_int_equal(back->probes[1].every_ms, 250);
	assert_int_equal(back->probes[1].timeout_ms, 1000);
	assert_true(back->probes[1].timeout_default);
	assert_false(back->probes[0].timeout_default);
	again = render(result_json_write, back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	result_free(back);

	/* none recorded (an older result): no member; none at all: [] */
	result_free(r);
	r = result_new("old");
	text = render(result_json_write, r);
	assert_null(strstr(text, "\"probes\""));
	free(text);
	result_mark_probes(r);
	text = render(result_json_write, r);
	assert_non_null(strstr(text, "\n  \"probes\": [],\n"));
	free(text);
	result_free(r);

	/* bad ones */
	{
		static const char bad[] = "{\"scenario\": \"s\", \"verdict\": \"pass\", "
		    "\"metrics\": {}, \"probes\": [{\"name\": \"p\"}]}";
		assert_int_equal(result_json_read(bad, sizeof(bad) - 1, &back, &err), DD_EINVAL);
	}
	assert_string_equal(err.msg, "probes[0]: needs name, kind, every_ms and timeout_ms");
	r = result_new("s");
	assert_int_equal(result_add_probe(r, NULL, "dns", NULL, NULL, 1, 1, false), DD_EINVAL);
	assert_int_equal(result_add_probe(r, "p", NULL, NULL, NULL, 1, 1, false), DD_EINVAL);
	assert_int_equal(result_add_probe(NULL, "p", "dns", NULL, NULL, 1, 1, false), DD_EINVAL);
	assert_false(r->has_probes);
	/* host and target may be unknown: null */
	assert_int_equal(result_add_probe(r, "p", "tcp", NULL, NULL, 1, 2, false), 0);
	text = render(result_json_write, r);
	assert_non_null(strstr(text, "{\"name\": \"p\", \"kind\": \"tcp\", \"host\": null, "
	    "\"target\": null, \"every_ms\": 1, \"timeout_ms\": 2, \"timeout_default\": false}"));
	free(text);
	result_free(r);
}

static void
test_probes_shown(void **state)
{
	struct result *r = with_probes();
	char *txt = render(report_text_write, r), *html;

	(void)state;
	assert_non_null(strstr(txt, "\nprobes    www  dns on client, every 100ms, "
	    "timeout 400ms\n          svc  http on client, every 250ms, timeout 1s "
	    "(default)\n"));
	html = render(report_html_write, r);
	assert_non_null(strstr(html, "<dt>probes</dt><dd><span class=\"kv\" "
	    "title=\"www.example.com A @198.18.0.53\"><b>www</b>dns on client "
	    "\xC2\xB7 every 100 ms \xC2\xB7 timeout 400 ms</span>"));
	assert_non_null(strstr(html, "title=\"http://198.18.0.20/&lt;x&gt;\"><b>svc</b>"
	    "http on client \xC2\xB7 every 250 ms \xC2\xB7 timeout 1 s (default)</span>"));
	free(txt);
	free(html);
	result_free(r);

	/* no probes recorded: nothing shown */
	r = result_new("old");
	txt = render(report_text_write, r);
	html = render(report_html_write, r);
	assert_null(strstr(txt, "probes"));
	assert_null(strstr(html, "<dt>probes"));
	free(txt);
	free(html);
	result_free(r);
}

/* A run that ended in error: verdict "error" and the reason, everywhere. */
static void
test_error_verdict(void **state)
{
	struct result *r = result_new("broken"), *back = NULL;
	struct score_result sc;
	struct dd_err err = { "" };
	char *text, *again, *txt, *xml, *html;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	sc.pass = true;
	assert_string_equal(result_verdict(r), "pass");
	assert_int_equal(result_set_error(r, "interrupted by signal 2\n  | </last> line"), 0);
	assert_string_equal(result_verdict(r), "error");
	assert_false(r->pass);
	/* a passing score does not make it pass */
	assert_int_equal(result_set_score(r, &sc), 0);
	assert_string_equal(result_verdict(r), "error");
	assert_false(r->pass);
	elog_mark(r->events, 5, "m", "so far");

	text = render(result_json_write, r);
	assert_non_null(strstr(text, "\n  \"verdict\": \"error\",\n  \"error\": "
	    "\"interrupted by signal 2\\n  | <\\/last> line\",\n  \"seed\": "));
	assert_int_equal(result_json_read(text, strlen(text), &back, &err), 0);
	assert_string_equal(back->error, "interrupted by signal 2\n  | </last> line");
	assert_string_equal(result_verdict(back), "error");
	again = render(result_json_write, back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	result_free(back);

	txt = render(report_text_write, r);
	assert_non_null(strstr(txt, "\nverdict   ERROR\nerror     interrupted by signal 2\n"
	    "            | </last> line\n"));
	xml = render(report_junit_write, r);
	assert_non_null(strstr(xml, "tests=\"1\" failures=\"0\" errors=\"1\""));
	assert_non_null(strstr(xml, "<testcase classname=\"dnsdrill.broken\" name=\"run\" "
	    "time=\"0.000\">\n      <error type=\"error\" message=\"interrupted by "
	    "signal 2&#10;  | &lt;/last&gt; line\">interrupted by signal 2\n  | &lt;/last&gt; "
	    "line</error>\n    </testcase>\n"));
	assert_non_null(strstr(xml, "<property name=\"verdict\" value=\"error\"/>"));
	html = render(report_html_write, r);
	assert_non_null(strstr(html, "id=\"verdict\">ERROR</span>"));
	assert_non_null(strstr(html, "<p class=\"desc\" id=\"error\"><b>The run ended in "
	    "error:</b> interrupted by signal 2\n  | &lt;/last&gt; line</p>"));
	free(txt);
	free(xml);
	free(html);

	/* cleared: no longer error (but not pass until scored) */
	assert_int_equal(result_set_error(r, NULL), 0);
	assert_string_equal(result_verdict(r), "fail");
	assert_int_equal(result_set_error(NULL, "x"), DD_EINVAL);
	result_free(r);

	/* read: "error" without a reason is still an error; others refused */
	{
		static const char e1[] = "{\"scenario\": \"s\", \"verdict\": \"error\", "
		    "\"metrics\": {}}";
		static const char e2[] = "{\"scenario\": \"s\", \"verdict\": \"broken\", "
		    "\"metrics\": {}}";
		assert_int_equal(result_json_read(e1, sizeof(e1) - 1, &back, &err), 0);
		assert_string_equal(result_verdict(back), "error");
		assert_string_equal(back->error, "");
		result_free(back);
		assert_int_equal(result_json_read(e2, sizeof(e2) - 1, &back, &err), DD_EINVAL);
		assert_string_equal(err.msg, "verdict: expected \"pass\", \"fail\" or \"error\"");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probes_json),
		cmocka_unit_test(test_probes_shown),
		cmocka_unit_test(test_error_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
