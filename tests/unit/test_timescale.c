/*
 * test_timescale.c -- time that means the same at any speed: the TTL rule
 * faultd and dnsdrill share (dd_ttl_scale), the distortion list, the
 * durations and the incident clock as people read them, and a result's
 * time in result.json: incident_start, metrics_incident (real seconds *
 * speed for the incident-time metrics only) and time_distortions, written
 * and read back to the same bytes; an older result without them reads as
 * "time not recorded".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/result.h"
#include "model/timescale.h"
#include "reports/report.h"

static void
test_ttl_rule(void **state)
{
	bool fl;

	(void)state;
	assert_int_equal(dd_ttl_scale(300, 60, &fl), 5);
	assert_false(fl);
	assert_int_equal(dd_ttl_scale(30, 60, &fl), 1);
	assert_true(fl);
	assert_int_equal(dd_ttl_scale(5, 360, &fl), 1);
	assert_true(fl);
	assert_int_equal(dd_ttl_scale(0, 360, &fl), 0);
	assert_false(fl);
	assert_int_equal(dd_ttl_scale(100, 1, &fl), 100);
	assert_int_equal(dd_ttl_scale(100, -3, &fl), 100);
}

static void
test_list(void **state)
{
	struct timescale_list l = { 0 };
	enum timescale_kind k;

	(void)state;
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_FLOOR,
	    "dns auth: negttl=5", 5, 1, "served as 1 s = 6m00s of the incident"), 0);
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_UNKNOWN,
	    "timers inside processes", NAN, -1, NULL), 0);
	/* the same what again: kept once, the first wins */
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_UNSCALED,
	    "dns auth: negttl=5", 9, 9, "x"), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].kind, TIMESCALE_FLOOR);
	assert_true(l.v[0].has_incident && l.v[0].incident_s == 5);
	assert_true(l.v[0].has_real && l.v[0].real_s == 1);
	assert_false(l.v[1].has_incident);
	assert_false(l.v[1].has_real);
	assert_null(l.v[1].note);
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_FLOOR, NULL, 1, 1, NULL),
	    DD_EINVAL);
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_KIND_COUNT, "x", 1, 1, NULL),
	    DD_EINVAL);
	assert_int_equal(timescale_add_distortion(NULL, TIMESCALE_FLOOR, "x", 1, 1, NULL),
	    DD_EINVAL);
	timescale_list_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	timescale_list_free(&l);
	timescale_list_free(NULL);

	for (int i = 0; i < TIMESCALE_KIND_COUNT; i++) {
		assert_int_equal(timescale_kind_parse(timescale_kind_name(i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_string_equal(timescale_kind_name(TIMESCALE_OBSERVER), "observer");
	assert_int_equal(timescale_kind_parse("later", &k), DD_EINVAL);
	assert_string_equal(timescale_kind_name(TIMESCALE_KIND_COUNT), "?");
}

static void
test_fmt_distortion(void **state)
{
	struct timescale_list l = { 0 };
	char b[256];

	(void)state;
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_FLOOR,
	    "dns auth: rule negttl=5", 5, 1, "the 1 s floor"), 0);
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_OBSERVER,
	    "probe www: every 200ms", -1, 0.2, NULL), 0);
	assert_int_equal(timescale_add_distortion(&l, TIMESCALE_UNKNOWN,
	    "timers inside processes", -1, -1, "not scaled"), 0);
	assert_string_equal(timescale_fmt_distortion(&l.v[0], 360, b, sizeof(b)),
	    "dns auth: rule negttl=5: 5s in the incident lasts 1s = 6m00s of the "
	    "incident (x72); the 1 s floor");
	assert_string_equal(timescale_fmt_distortion(&l.v[1], 360, b, sizeof(b)),
	    "probe www: every 200ms: 200ms = 1m12s of the incident");
	assert_string_equal(timescale_fmt_distortion(&l.v[2], 360, b, sizeof(b)),
	    "timers inside processes; not scaled");
	/* cut, never overrun */
	assert_int_equal(strlen(timescale_fmt_distortion(&l.v[0], 360, b, 10)), 9);
	timescale_list_free(&l);
}

static void
test_fmt_duration(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(timescale_fmt_duration(5.0 / 360, b, sizeof(b)), "14ms");
	assert_string_equal(timescale_fmt_duration(1.5, b, sizeof(b)), "1.5s");
	assert_string_equal(timescale_fmt_duration(1, b, sizeof(b)), "1s");
	assert_string_equal(timescale_fmt_duration(45, b, sizeof(b)), "45s");
	assert_string_equal(timescale_fmt_duration(360, b, sizeof(b)), "6m00s");
	assert_string_equal(timescale_fmt_duration(72, b, sizeof(b)), "1m12s");
	assert_string_equal(timescale_fmt_duration(157 * 60, b, sizeof(b)), "2h37m");
	assert_string_equal(timescale_fmt_duration(6 * 3600 + 0.4, b, sizeof(b)), "6h00m");
	assert_string_equal(timescale_fmt_duration(100000, b, sizeof(b)), "1d03h");
	assert_string_equal(timescale_fmt_duration(-1, b, sizeof(b)), "?");
	assert_string_equal(timescale_fmt_duration(NAN, b, sizeof(b)), "?");
}

static void
test_parse_start(void **state)
{
	int64_t t;
	bool tod;

	(void)state;
	assert_int_equal(timescale_parse_start("2025-10-20T05:48:00Z", &t, &tod), 0);
	assert_false(tod);
	assert_int_equal(t, 1760939280);
	assert_int_equal(timescale_parse_start("2025-10-20T05:48Z", &t, &tod), 0);
	assert_int_equal(t, 1760939280);
	assert_int_equal(timescale_parse_start("2025-10-20 05:48:30", &t, &tod), 0);
	assert_int_equal(t, 1760939310);
	assert_int_equal(timescale_parse_start("05:48", &t, &tod), 0);
	assert_true(tod);
	assert_int_equal(t, 5 * 3600 + 48 * 60);
	assert_int_equal(timescale_parse_start("23:59:59", &t, &tod), 0);
	assert_int_equal(t, 86399);
	static const char *const bad[] = { "", "5:48", "24:00", "05:60",
	    "05:48pm", "2025-13-01T00:00Z", "2025-10-20", "2025-10-20T05",
	    "yesterday", "2025-10-20T05:48:00+02:00" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (timescale_parse_start(bad[i], &t, &tod) == 0)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(timescale_parse_start(NULL, &t, &tod), DD_EINVAL);
}

/* The flagship: 05:48 plus 10 real seconds at speed 360 is 06:48:00. */
static void
test_fmt_clock(void **state)
{
	char b[40];

	(void)state;
	assert_string_equal(timescale_fmt_clock("05:48", 10, 360, false, b, sizeof(b)),
	    "06:48:00");
	assert_string_equal(timescale_fmt_clock("05:48", 26.2, 360, true, b, sizeof(b)),
	    "08:25:12");
	assert_string_equal(timescale_fmt_clock("2025-10-20T05:48:00Z", 10, 360, true,
	    b, sizeof(b)), "2025-10-20 06:48:00");
	assert_string_equal(timescale_fmt_clock("2025-10-20T23:00:00Z", 10, 360, false,
	    b, sizeof(b)), "00:00:00");
	assert_string_equal(timescale_fmt_clock("2025-10-20T23:00:00Z", 10, 360, true,
	    b, sizeof(b)), "2025-10-21 00:00:00");
	/* no start: the offset into the incident */
	assert_string_equal(timescale_fmt_clock(NULL, 10, 360, false, b, sizeof(b)),
	    "+1h00m00s");
	assert_string_equal(timescale_fmt_clock(NULL, 1.5, 60, false, b, sizeof(b)),
	    "+1m30s");
	assert_string_equal(timescale_fmt_clock("soon", 0, 1, false, b, sizeof(b)),
	    "+0m00s");
	assert_string_equal(timescale_fmt_clock(NULL, -1, 60, false, b, sizeof(b)),
	    "-1m00s");
	assert_string_equal(timescale_fmt_clock("05:48", -1, 60, false, b, sizeof(b)),
	    "05:47:00");
}

/* ---------------- result.json ---------------- */

static char *
write_one(const struct result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(result_json_write(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static struct result *
read_one(const char *text)
{
	struct result *r = NULL;
	struct dd_err err = { 0 };

	if (result_json_read(text, strlen(text), &r, &err) != 0)
		fail_msg("read: %s", err.msg);
	return r;
}

static struct result *
timed_result(void)
{
	struct result *r = result_new("flagship");

	assert_non_null(r);
	assert_int_equal(result_set_param(r, "speed", "360"), 0);
	assert_int_equal(result_set_incident_start(r, "2025-10-20T05:48:00Z"), 0);
	result_set_incident_t0(r, 1500);
	r->metric[SCORE_DETECTION].has = true;
	r->metric[SCORE_DETECTION].value = 2;
	r->metric[SCORE_RECOVERY].has = false;
	r->metric[SCORE_AVAILABILITY].has = true;
	r->metric[SCORE_AVAILABILITY].value = 0.5;
	r->metric[SCORE_LATENCY_P50].has = true;
	r->metric[SCORE_LATENCY_P50].value = 12;
	assert_int_equal(result_add_distortion(r, TIMESCALE_FLOOR, "dns auth: negttl=5",
	    5, 1, "served as 1 s = 6m00s of the incident"), 0);
	assert_int_equal(result_add_distortion(r, TIMESCALE_OBSERVER, "probe www: every 200ms",
	    -1, 0.2, "the observer"), 0);
	assert_int_equal(result_add_distortion(r, TIMESCALE_UNKNOWN, "timers inside processes",
	    -1, -1, NULL), 0);
	return r;
}

static void
test_json_roundtrip(void **state)
{
	struct result *r = timed_result(), *back;
	char *text = write_one(r), *again;

	(void)state;
	assert_non_null(strstr(text, "\n  \"started\": null,\n  \"incident_start\": "
	    "\"2025-10-20T05:48:00Z\",\n  \"incident_t0_ms\": 1500,\n"));
	/* metrics stay real seconds; the incident's are beside them */
	assert_non_null(strstr(text, "\"detection_s\": 2,"));
	assert_non_null(strstr(text, "\n  \"metrics_incident\": {\n    \"detection_s\": 720,\n"
	    "    \"failover_s\": null,\n    \"recovery_s\": null\n  },\n"));
	assert_non_null(strstr(text, "\n  \"time_distortions\": [\n"
	    "    {\"kind\": \"floor\", \"what\": \"dns auth: negttl=5\", \"incident_s\": 5, "
	    "\"real_s\": 1, \"note\": \"served as 1 s = 6m00s of the incident\"},\n"
	    "    {\"kind\": \"observer\", \"what\": \"probe www: every 200ms\", "
	    "\"incident_s\": null, \"real_s\": 0.2, \"note\": \"the observer\"},\n"
	    "    {\"kind\": \"unknown\", \"what\": \"timers inside processes\", "
	    "\"incident_s\": null, \"real_s\": null, \"note\": null}\n  ],\n"));
	/* before the events, after the metrics */
	assert_true(strstr(text, "\"time_distortions\"") > strstr(text, "\"metrics_incident\""));
	assert_true(strstr(text, "\"time_distortions\"") < strstr(text, "\"events\""));

	back = read_one(text);
	assert_true(back->has_time);
	assert_string_equal(back->incident_start, "2025-10-20T05:48:00Z");
	assert_int_equal(back->incident_t0_ms, 1500);
	/* the incident's clock on the log's time: 1.5 s is 05:48, 11.5 s an
	 * hour later at 360; before the start it counts back */
	assert_true(result_time_scaled(back));
	char c[40];
	assert_string_equal(result_incident_clock(back, 11500, false, c, sizeof(c)), "06:48:00");
	assert_string_equal(result_incident_clock(back, 11500, true, c, sizeof(c)),
	    "2025-10-20 06:48:00");
	assert_string_equal(result_incident_clock(back, 1000, false, c, sizeof(c)), "05:45:00");
	assert_int_equal(back->distortions.n, 3);
	assert_int_equal(back->distortions.v[1].kind, TIMESCALE_OBSERVER);
	assert_false(back->distortions.v[1].has_incident);
	assert_true(back->distortions.v[1].real_s == 0.2);
	assert_true(result_speed(back) == 360);
	again = write_one(back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	result_free(back);
	result_free(r);
}

/* A minimal result.json with member (text, or "") added at its end;
 * static storage, valid until the next call. */
static const char *
doc(const char *member)
{
	static char buf[4096];
	struct result *r = result_new("x");
	char *text = write_one(r);
	size_t n = strlen(text);

	result_free(r);
	assert_true(n > 3 && strcmp(text + n - 3, "\n}\n") == 0);
	text[n - 3] = '\0';
	snprintf(buf, sizeof(buf), "%s%s%s\n}\n", text, *member ? ",\n  " : "", member);
	free(text);
	return buf;
}

static void
test_json_older_and_lenient(void **state)
{
	struct result *r;
	struct dd_err err = { 0 };
	const char *bad;

	(void)state;
	/* a result from before: no time members; none written back */
	r = read_one(doc(""));
	assert_false(r->has_time);
	assert_null(r->incident_start);
	assert_true(result_speed(r) == 1);
	char *text = write_one(r);
	assert_null(strstr(text, "time_distortions"));
	assert_null(strstr(text, "metrics_incident"));
	assert_null(strstr(text, "incident_start"));
	assert_false(result_time_scaled(r));
	free(text);
	result_free(r);

	/* a kind from a newer writer reads as unknown */
	r = read_one(doc("\"time_distortions\": "
	    "[{\"kind\": \"warped\", \"what\": \"w\", \"real_s\": 3}]"));
	assert_int_equal(r->distortions.n, 1);
	assert_int_equal(r->distortions.v[0].kind, TIMESCALE_UNKNOWN);
	assert_true(r->distortions.v[0].has_real);
	result_free(r);

	bad = doc("\"time_distortions\": {}");
	r = NULL;
	assert_int_equal(result_json_read(bad, strlen(bad), &r, &err), DD_EINVAL);
	assert_string_equal(err.msg, "time_distortions: expected an array");
	bad = doc("\"time_distortions\": [{\"what\": 1}]");
	assert_int_equal(result_json_read(bad, strlen(bad), &r, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "time_distortions[0]"));
	bad = doc("\"time_distortions\": [{\"what\": \"w\", \"real_s\": \"1s\"}]");
	assert_int_equal(result_json_read(bad, strlen(bad), &r, &err), DD_EINVAL);
	assert_string_equal(err.msg,
	    "time_distortions[0].real_s: expected a number >= 0 or null");
	assert_null(r);
}

/* Speed 1 (or no speed): the incident's metrics are the real ones. */
static void
test_speed_and_metric_kinds(void **state)
{
	struct result *r = result_new("x");

	(void)state;
	assert_true(result_speed(r) == 1);
	assert_int_equal(result_set_param(r, "speed", "fast"), 0);
	assert_true(result_speed(r) == 1);
	assert_int_equal(result_set_param(r, "speed", "0.5"), 0);
	assert_true(result_speed(r) == 0.5);
	assert_true(result_metric_is_incident_time(SCORE_DETECTION));
	assert_true(result_metric_is_incident_time(SCORE_FAILOVER));
	assert_true(result_metric_is_incident_time(SCORE_RECOVERY));
	assert_false(result_metric_is_incident_time(SCORE_LATENCY_P50));
	assert_false(result_metric_is_incident_time(SCORE_AVAILABILITY));
	result_mark_time(r);
	assert_true(result_time_scaled(r));      /* speed 0.5 */
	assert_int_equal(result_set_param(r, "speed", "1"), 0);
	assert_false(result_time_scaled(r));
	char *text = write_one(r);
	assert_non_null(strstr(text, "\n  \"time_distortions\": [],\n"));
	assert_non_null(strstr(text, "\n  \"incident_start\": null,\n  \"incident_t0_ms\": 0,\n"));
	free(text);
	result_free(r);
}

/* Run a writer into memory. */
static char *
render(int (*fn)(const struct result *, FILE *), const struct result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(fn(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

/* The text summary and report.html show the incident's clock, the
 * metrics in both times, and the distortions; a result at speed 1 without
 * a start shows none of it. */
static void
test_reports(void **state)
{
	struct result *r = timed_result();
	char *text, *html;

	(void)state;
	r->fault_found = true;
	r->fault_start_ms = 11500;
	r->fault_end_ms = 37700;
	text = render(report_text_write, r);
	assert_non_null(strstr(text, "\nincident  speed 360: 1 real second = 6m00s; "
	    "timeline began 2025-10-20 05:48:00 UTC\n"));
	assert_non_null(strstr(text, "fault on the incident's clock: 06:48:00 -> 09:25:12 (2h37m)\n"));
	assert_non_null(strstr(text, "metric                   observed  incident\n"));
	assert_non_null(strstr(text, "\ndetection_s              2.000     12m00s\n"));
	/* a latency stays network time: no incident figure */
	assert_non_null(strstr(text, "\nlatency_p50_ms           12.000\n"));
	assert_non_null(strstr(text, "\ntime distortions (what speed 360 could not keep in "
	    "proportion)\n  floor     dns auth: negttl=5: 5s in the incident lasts 1s = 6m00s "
	    "of the incident (x72); served as 1 s = 6m00s of the incident\n"));
	assert_non_null(strstr(text, "\n  unknown   timers inside processes\n"));
	free(text);

	html = render(report_html_write, r);
	assert_non_null(strstr(html, "<h2>Time</h2>"));
	assert_non_null(strstr(html, "<dd id=\"incident-start\">2025-10-20 05:48:00 UTC at 1.500 s"));
	assert_non_null(strstr(html, "<td><code>detection_s</code></td><td class=\"num\">2.000 s</td>"
	    "<td class=\"num\">12m00s</td>"));
	assert_non_null(strstr(html, "<tr><td>floor</td><td>dns auth: negttl=5</td>"
	    "<td class=\"num\">5s</td><td class=\"num\">1s</td><td class=\"num\">6m00s</td>"));
	/* the time axis: the incident's clock below, real seconds above */
	assert_non_null(strstr(html, "text-anchor=\"end\">incident UTC</text>"));
	/* tick 0 s is 1.5 s before the start: 05:48 - 9 min */
	assert_non_null(strstr(html, ">05:39:00</text>"));
	free(html);
	result_free(r);

	/* speed 1, no start: as before */
	r = result_new("plain");
	result_mark_time(r);
	assert_int_equal(result_set_param(r, "speed", "1"), 0);
	text = render(report_text_write, r);
	assert_null(strstr(text, "incident"));
	assert_null(strstr(text, "distortions"));
	free(text);
	html = render(report_html_write, r);
	assert_null(strstr(html, "<h2>Time</h2>"));
	assert_null(strstr(html, "incident UTC"));
	free(html);
	result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_rule),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_fmt_duration),
		cmocka_unit_test(test_fmt_distortion),
		cmocka_unit_test(test_parse_start),
		cmocka_unit_test(test_fmt_clock),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_older_and_lenient),
		cmocka_unit_test(test_speed_and_metric_kinds),
		cmocka_unit_test(test_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
