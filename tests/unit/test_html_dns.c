/*
 * test_html_dns.c -- the authority's side in the reports: report.html's
 * table per DNS server (a row per reading, changes since the reading
 * before, only the actions that counted, error readings, escaping, the
 * busiest clients) and the text summary's line per server and per
 * amplification link; nothing of it when a result has none.
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
#include "reports/report.h"

static char *
render(int (*w)(const struct result *, FILE *), const struct result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(w(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void
add(struct elog *log, uint64_t t, const char *dns, enum elog_stats_why why, const char *json)
{
	struct dd_err err = { "" };

	if (result_json_read_stats(log, t, dns, why, json, strlen(json), &err) != 0)
		fail_msg("%s", err.msg);
}

/* A run with two servers: "auth" read at inject, clear and end (a servfail
 * rule whose text needs escaping), "res<x>" whose end reading failed. */
static struct result *
make(void)
{
	struct result *r = result_new("s");
	struct elog *log = elog_new();
	struct elog_stats bad = { .t_ms = 9000, .dns = "res<x>", .why = ELOG_STATS_END,
		.error = "faultd did not answer: <timeout>" };

	add(log, 2000, "auth", ELOG_STATS_INJECT, "{\"queries\":10,\"replies\":10,\"drops\":0,"
	    "\"actions\":{\"pass\":10,\"servfail\":0,\"drop\":0},\"rule_hits\":[{\"id\":1,"
	    "\"hits\":0,\"rule\":\"name=a<b action=servfail\"}],\"clients\":[],\"clients_other\":0}");
	add(log, 5000, "auth", ELOG_STATS_CLEAR, "{\"queries\":310,\"replies\":310,\"drops\":0,"
	    "\"actions\":{\"pass\":10,\"servfail\":300,\"drop\":0},\"rule_hits\":[{\"id\":1,"
	    "\"hits\":300,\"rule\":\"name=a<b action=servfail\"}],\"clients\":[],\"clients_other\":0}");
	add(log, 5500, "res<x>", ELOG_STATS_TIMELINE, "{\"queries\":3}");
	add(log, 8000, "auth", ELOG_STATS_END, "{\"queries\":330,\"replies\":330,\"drops\":0,"
	    "\"actions\":{\"pass\":30,\"servfail\":300,\"drop\":0},\"rule_hits\":[],"
	    "\"clients\":[{\"addr\":\"198.18.0.2\",\"queries\":320},{\"addr\":\"fd00::2\","
	    "\"queries\":9}],\"clients_other\":1}");
	assert_int_equal(elog_add_stats(log, &bad), 0);
	assert_int_equal(result_take_events(r, log), 0);
	assert_int_equal(result_add_link(r, "app_lan", true, 1.8, NULL), 0);
	assert_int_equal(result_add_link(r, "auth_lan", false, 0, "no query-rate samples "
	    "before the fault"), 0);
	return r;
}

static void
test_html_tables(void **state)
{
	struct result *r = make();
	char *html = render(report_html_write, r);
	const char *auth, *res, *ev;

	(void)state;
	auth = strstr(html, "<h3><code>auth</code></h3>");
	res = strstr(html, "<h3><code>res&lt;x&gt;</code></h3>");
	ev = strstr(html, "<h2>Event log</h2>");
	assert_true(auth != NULL && res != NULL && ev != NULL && auth < res && res < ev);
	/* only actions some reading counted: pass and servfail, not drop */
	assert_non_null(strstr(auth, "<th>queries</th><th>replies</th><th>drops</th>"
	    "<th>answers: pass</th><th>servfail</th><th>rule hits</th>"));
	/* the change since the reading before, the rule's text escaped */
	assert_non_null(strstr(auth, "<tr><td class=\"num\">5.000 s</td><td>clear</td>"
	    "<td class=\"num\">310 <span class=\"note\">+300</span></td>"));
	assert_non_null(strstr(auth, "<td class=\"num\">300 <span class=\"note\">+300</span>"
	    "</td><td>300 <code>name=a&lt;b action=servfail</code></td></tr>"));
	assert_non_null(strstr(auth, "<td>end</td>"));
	assert_non_null(strstr(auth, "Queries per client at 8.000 s: <code>198.18.0.2</code> "
	    "320 \xC2\xB7 <code>fd00::2</code> 9 \xC2\xB7 other 1</p>"));
	/* a failed reading says why, escaped, across the row */
	assert_non_null(strstr(res, "<td>end</td><td colspan=\"4\"><span class=\"note fail\">"
	    "faultd did not answer: &lt;timeout&gt;</span></td></tr>"));
	assert_null(strstr(html, "<b action"));
	/* amplification per link among the metrics */
	assert_non_null(strstr(html, "<code>query_amplification @ app_lan</code>"));
	assert_non_null(strstr(html, "1.8\xC3\x97"));
	free(html);
	result_free(r);

	/* a result without readings has no such section */
	r = result_new("s");
	html = render(report_html_write, r);
	assert_null(strstr(html, "Authority side"));
	assert_null(strstr(html, "query_amplification @"));
	free(html);
	result_free(r);
}

/* Past HTML_DNS_MAX_ROWS readings of one server the rest are counted, not
 * drawn. */
static void
test_html_rows_capped(void **state)
{
	struct result *r = result_new("s");
	struct elog *log = elog_new();
	char *html;
	size_t rows = 0;

	(void)state;
	for (int i = 0; i < 205; i++)
		add(log, (uint64_t)i * 10, "auth", ELOG_STATS_TIMELINE, "{\"queries\":1}");
	assert_int_equal(result_take_events(r, log), 0);
	html = render(report_html_write, r);
	for (const char *p = html; (p = strstr(p, "<td>timeline</td>")) != NULL; p++)
		rows++;
	assert_int_equal(rows, 200);
	assert_non_null(strstr(html, "5 more readings in result.json."));
	free(html);
	result_free(r);
}

static void
test_text_summary(void **state)
{
	struct result *r = make();
	char *text = render(report_text_write, r);

	(void)state;
	/* under query_amplification, in the metric column (as wide as the
	 * longest metric name) */
	assert_non_null(strstr(text, "\nquery_amplification      -\n"
	    "  at app_lan             1.800\n"
	    "  at auth_lan            -         no query-rate samples before the fault\n"));
	/* each server's last reading */
	assert_non_null(strstr(text, "\ndns auth             330 queries (pass 30, servfail 300), "
	    "2 clients and others, at 8.000s (end)\n"));
	assert_non_null(strstr(text, "dns res<x>           no counters at 9.000s (end): faultd "
	    "did not answer: <timeout>\n"));
	assert_null(strstr(text, "at 5.500s"));
	free(text);
	result_free(r);

	r = result_new("s");
	text = render(report_text_write, r);
	assert_null(strstr(text, "dns "));
	assert_null(strstr(text, "  at "));
	free(text);
	result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_tables),
		cmocka_unit_test(test_html_rows_capped),
		cmocka_unit_test(test_text_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
