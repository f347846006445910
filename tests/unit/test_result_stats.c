/*
 * test_result_stats.c -- what issue 9 added to the event log and
 * result.json: probe events carrying the start of their attempt
 * (start_ms, absent from older files), and readings of faultd's counters
 * (dns_stats): a `stats json` line from faultd into the log, its place and
 * layout in result.json, read back and written again byte for byte, and
 * the reader's errors; and query amplification per capture link.
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

/* What faultd answers to `stats json` (faultd/ctl_exec.c), trimmed. */
static const char FAULTD_LINE[] =
    "{\"queries\":40,\"replies\":30,\"drops\":10,\"rules\":1,"
    "\"actions\":{\"pass\":20,\"servfail\":10,\"drop\":10},"
    "\"rule_hits\":[{\"id\":3,\"hits\":20,\"rule\":\"name=*.example action=servfail\"}],"
    "\"clients\":[{\"addr\":\"198.18.0.10\",\"queries\":39},{\"addr\":\"fd00::1\",\"queries\":1}],"
    "\"clients_other\":0}";

static char *
render(const struct result *r, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(result_json_write(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	if (lenp)
		*lenp = len;
	return buf;
}

static struct result *
read_back(const char *text, size_t len)
{
	struct result *r = NULL;
	struct dd_err err = { "" };

	if (result_json_read(text, len, &r, &err) != 0)
		fail_msg("result_json_read: %s", err.msg);
	return r;
}

/* A probe event with its attempt's start writes start_ms after latency_ms
 * and reads it back; one logged without it (elog_probe, or an older
 * result.json) has none and writes none. */
static void
test_probe_start_ms(void **state)
{
	struct result *r = result_new("s"), *back;
	struct elog *log = elog_new();
	size_t len;
	char *text;

	(void)state;
	assert_int_equal(elog_probe_at(log, 1250, 1003, "www", false, 1000.0,
	    "timeout after 1000 ms"), 0);
	assert_int_equal(elog_probe(log, 1300, "api", true, 2.5, "HTTP 200"), 0);
	assert_int_equal(result_take_events(r, log), 0);
	text = render(r, &len);
	assert_non_null(strstr(text, "{\"t_ms\": 1250, \"kind\": \"probe\", \"source\": \"www\", "
	    "\"text\": \"timeout after 1000 ms\", \"ok\": false, \"latency_ms\": 1000, "
	    "\"start_ms\": 1003}"));
	assert_non_null(strstr(text, "\"latency_ms\": 2.5}"));
	back = read_back(text, len);
	assert_true(back->events->ev[0].u.probe.has_start);
	assert_true(back->events->ev[0].u.probe.start_ms == 1003);
	assert_false(back->events->ev[1].u.probe.has_start);
	free(text);
	result_free(back);
	result_free(r);

	/* a result.json from before start_ms */
	static const char old[] = "{\"scenario\": \"s\", \"verdict\": \"pass\", "
	    "\"metrics\": {}, \"events\": [{\"t_ms\": 5, \"kind\": \"probe\", "
	    "\"source\": \"p\", \"text\": \"\", \"ok\": true, \"latency_ms\": 1}]}";
	back = read_back(old, sizeof(old) - 1);
	assert_int_equal(back->events->n, 1);
	assert_false(back->events->ev[0].u.probe.has_start);
	text = render(back, &len);
	assert_null(strstr(text, "start_ms"));
	free(text);
	result_free(back);
}

/* faultd's line into the log: counters in faultd's order, actions, rules
 * with their text, clients; elog_stats_last finds the latest per server. */
static void
test_stats_from_faultd(void **state)
{
	struct elog *log = elog_new();
	const struct elog_stats *s;
	struct dd_err err = { "" };

	(void)state;
	assert_int_equal(result_json_read_stats(log, 2000, "auth", ELOG_STATS_INJECT,
	    FAULTD_LINE, strlen(FAULTD_LINE), &err), 0);
	assert_int_equal(result_json_read_stats(log, 2500, "other", ELOG_STATS_END,
	    "{\"queries\":1}", 13, &err), 0);
	assert_int_equal(log->n_stats, 2);
	assert_int_equal(log->n, 0);            /* not events */
	s = elog_stats_last(log, "auth");
	assert_non_null(s);
	assert_true(s->t_ms == 2000);
	assert_int_equal(s->why, ELOG_STATS_INJECT);
	assert_null(s->error);
	assert_int_equal(s->n_counters, 4);
	assert_string_equal(s->counters[0].name, "queries");
	assert_true(s->counters[0].value == 40);
	assert_string_equal(s->counters[3].name, "rules");
	assert_int_equal(s->n_actions, 3);
	assert_string_equal(s->actions[1].name, "servfail");
	assert_true(s->actions[1].value == 10);
	assert_int_equal(s->n_rules, 1);
	assert_true(s->rules[0].id == 3 && s->rules[0].hits == 20);
	assert_string_equal(s->rules[0].rule, "name=*.example action=servfail");
	assert_int_equal(s->n_clients, 2);
	assert_string_equal(s->clients[1].name, "fd00::1");
	assert_true(s->clients[0].value == 39);
	assert_true(s->clients_other == 0);
	assert_null(elog_stats_last(log, "nosuch"));
	assert_string_equal(elog_stats_last(log, NULL)->dns, "other");

	/* bad lines name what is wrong and add nothing */
	assert_int_equal(result_json_read_stats(log, 1, "auth", ELOG_STATS_END,
	    "[1]", 3, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "expected an object"));
	assert_int_equal(result_json_read_stats(log, 1, "auth", ELOG_STATS_END,
	    "{\"actions\":{\"pass\":\"x\"}}", 24, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "actions.pass"));
	assert_int_equal(result_json_read_stats(log, 1, "auth", ELOG_STATS_END,
	    "{\"queries\":", 11, &err), DD_EINVAL);
	assert_int_equal(log->n_stats, 2);
	assert_int_equal(result_json_read_stats(NULL, 1, "auth", ELOG_STATS_END,
	    "{}", 2, &err), DD_EINVAL);

	/* the log refuses a reading without its arrays, or a bad reason */
	struct elog_stats bad = { .dns = "x", .why = ELOG_STATS_WHY_COUNT };
	assert_int_equal(elog_add_stats(log, &bad), DD_EINVAL);
	bad.why = ELOG_STATS_END;
	bad.n_rules = 1;
	assert_int_equal(elog_add_stats(log, &bad), DD_EINVAL);
	assert_string_equal(elog_stats_why_name(ELOG_STATS_TIMELINE), "timeline");
	assert_string_equal(elog_stats_why_name(ELOG_STATS_WHY_COUNT), "?");
	elog_free(log);
}

/* dns_stats comes after expectations and before events, one line per
 * reading, grouped by server in the order first read; an error reading has
 * only its message; everything reads back and writes again to the same
 * bytes.  A result without readings has no dns_stats member at all. */
static void
test_stats_in_result_json(void **state)
{
	struct result *r = result_new("s"), *back;
	struct elog *log = elog_new();
	struct elog_stats err_snap = { .t_ms = 9000, .dns = "auth", .why = ELOG_STATS_END,
		.error = "faultd did not answer" };
	struct dd_err err = { "" };
	size_t len, len2;
	char *text, *again;
	const char *exp, *dns, *ev;

	(void)state;
	text = render(r, &len);
	assert_null(strstr(text, "dns_stats"));
	free(text);

	elog_mark(log, 100, "scenario", "go");
	assert_int_equal(result_json_read_stats(log, 2000, "auth", ELOG_STATS_INJECT,
	    FAULTD_LINE, strlen(FAULTD_LINE), &err), 0);
	assert_int_equal(result_json_read_stats(log, 2100, "res", ELOG_STATS_TIMELINE,
	    "{\"queries\":5,\"actions\":{},\"rule_hits\":[],\"clients\":[],"
	    "\"clients_other\":7}", 72, &err), 0);
	assert_int_equal(elog_add_stats(log, &err_snap), 0);
	assert_int_equal(result_take_events(r, log), 0);
	text = render(r, &len);
	exp = strstr(text, "\n  \"expectations\": ");
	dns = strstr(text, "\n  \"dns_stats\": {\n    \"auth\": [\n      {\"t_ms\": 2000, "
	    "\"why\": \"inject\", \"queries\": 40, \"replies\": 30, \"drops\": 10, \"rules\": 1, "
	    "\"actions\": {\"pass\": 20, \"servfail\": 10, \"drop\": 10}, \"rule_hits\": "
	    "[{\"id\": 3, \"hits\": 20, \"rule\": \"name=*.example action=servfail\"}], "
	    "\"clients\": [{\"addr\": \"198.18.0.10\", \"queries\": 39}, {\"addr\": "
	    "\"fd00::1\", \"queries\": 1}], \"clients_other\": 0},\n"
	    "      {\"t_ms\": 9000, \"why\": \"end\", \"error\": \"faultd did not answer\"}\n"
	    "    ],\n    \"res\": [\n      {\"t_ms\": 2100, \"why\": \"timeline\", "
	    "\"queries\": 5, \"actions\": {}, \"rule_hits\": [], \"clients\": [], "
	    "\"clients_other\": 7}\n    ]\n  },\n");
	ev = strstr(text, "\n  \"events\": ");
	if (dns == NULL)
		fail_msg("dns_stats not laid out as expected:\n%s", text);
	assert_true(exp != NULL && ev != NULL && exp < dns && dns < ev);

	back = read_back(text, len);
	assert_int_equal(back->events->n_stats, 3);
	/* grouped by server when read back */
	assert_string_equal(back->events->stats[1].dns, "auth");
	assert_string_equal(back->events->stats[1].error, "faultd did not answer");
	assert_true(back->events->stats[2].clients_other == 7);
	again = render(back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);
	result_free(back);
	result_free(r);

	/* errors in dns_stats name the place */
	static const char bad[] = "{\"scenario\": \"s\", \"verdict\": \"pass\", "
	    "\"metrics\": {}, \"dns_stats\": {\"auth\": [{\"t_ms\": 1, \"why\": \"later\"}]}}";
	back = NULL;
	assert_int_equal(result_json_read(bad, sizeof(bad) - 1, &back, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "dns_stats.auth[0]"));
	assert_null(back);
}

/* Amplification per link: copied from the score, written after
 * expectations as amplification / amplification_notes (like metrics and
 * metric_notes), read back and written again to the same bytes; absent
 * when the scenario named no links. */
static void
test_links_in_result_json(void **state)
{
	static const char *const links[] = { "app_lan", "auth_lan" };
	struct elog *log = elog_new();
	struct score_defs d = { .amp_links = links, .n_amp_links = 2 };
	struct score_result s;
	struct result *r = result_new("s"), *back;
	size_t len, len2;
	char *text, *again;

	(void)state;
	for (uint64_t t = 1000; t <= 6000; t += 1000)
		elog_rate(log, t, "app_lan", t > 3000 ? 25 : 10, 1000);
	elog_fault(log, 3000, true, "dns1", "action=servfail");
	assert_int_equal(score_run(log, &d, &s), 0);
	assert_int_equal(result_set_score(r, &s), 0);
	score_result_fini(&s);
	assert_int_equal(result_take_events(r, log), 0);
	assert_int_equal(r->n_links, 2);
	text = render(r, &len);
	if (strstr(text, "\n  \"expectations\": [],\n  \"amplification\": {\n"
	    "    \"app_lan\": 2.5,\n    \"auth_lan\": null\n  },\n"
	    "  \"amplification_notes\": {\n    \"auth_lan\": \"no query-rate samples "
	    "before the fault\"\n  },\n  \"events\": ") == NULL)
		fail_msg("amplification not laid out as expected:\n%s", text);
	back = read_back(text, len);
	assert_int_equal(back->n_links, 2);
	assert_string_equal(back->links[1].link, "auth_lan");
	assert_false(back->links[1].amplification.has);
	assert_string_equal(back->links[1].amplification.note,
	    "no query-rate samples before the fault");
	assert_true(back->links[0].amplification.value == 2.5);
	again = render(back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);
	result_free(back);

	/* a new score replaces the links; none asked for: no member */
	d.n_amp_links = 0;
	assert_int_equal(score_run(r->events, &d, &s), 0);
	assert_int_equal(result_set_score(r, &s), 0);
	score_result_fini(&s);
	assert_int_equal(r->n_links, 0);
	text = render(r, &len);
	assert_null(strstr(text, "\"amplification\""));
	free(text);
	result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_start_ms),
		cmocka_unit_test(test_stats_from_faultd),
		cmocka_unit_test(test_stats_in_result_json),
		cmocka_unit_test(test_links_in_result_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
