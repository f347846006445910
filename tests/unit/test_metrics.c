/*
 * test_metrics.c -- faultd's metrics endpoint as functions: the exposition
 * text (a HELP and TYPE line per family, counters as _total, gauges
 * without, per-action, per-rule and per-client series, label values
 * escaped), the same numbers as `stats` for the same target, and the HTTP
 * request parser (complete, partial, HEAD, 404, 405, 400 on garbage before
 * the line ends, 505, the head size limit) with the answers it leads to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/ctl.h"
#include "faultd/metrics_text.h"
#include "lib/log.h"

/* arg non-NULL: the second client's address is one a label must escape
 * (never from inet_ntop, but the renderer must not trust that) */
static void
fake_stats(void *arg, struct ctl_stats *st)
{
	ctl_stats_add(st, "queries", 50);
	ctl_stats_add(st, "replies", 49);
	ctl_stats_gauge(st, "tcp_connections", 3);
	ctl_stats_add(st, "newly_added_counter", 7);    /* no HELP text known */
	st->actions[ACT_PASS] = 40;
	st->actions[ACT_SERVFAIL] = 10;
	snprintf(st->clients[0].addr, sizeof(st->clients[0].addr), "198.18.0.10");
	st->clients[0].queries = 45;
	snprintf(st->clients[1].addr, sizeof(st->clients[1].addr), "%s",
	    arg != NULL ? "a\"b\\c\nd" : "fd00::10");
	st->clients[1].queries = 4;
	st->n_clients = 2;
	st->clients_other = 1;
}

static char *
render(struct ctl_target *t)
{
	struct dd_buf b = { 0 };

	metrics_render(t, &b);
	dd_buf_append(&b, "", 1);
	return (char *)b.data;
}

static void
test_render(void **state)
{
	struct ruleset *rs = ruleset_new();
	struct ctl_target t = { .rules = rs, .stats = fake_stats, .arg = &t };
	struct rule *r;
	struct dd_err e;
	char *s;

	(void)state;
	assert_int_equal(rule_parse("name=www.example.test action=servfail", &r, &e), 0);
	assert_int_equal(ruleset_add(rs, r, false), 0);
	r->hits = 10;
	s = render(&t);
	assert_non_null(strstr(s, "# HELP faultd_queries_total DNS queries received"));
	assert_non_null(strstr(s, "# TYPE faultd_queries_total counter\nfaultd_queries_total 50\n"));
	assert_non_null(strstr(s, "\nfaultd_replies_total 49\n"));
	assert_non_null(strstr(s, "# TYPE faultd_tcp_connections gauge\nfaultd_tcp_connections 3\n"));
	assert_null(strstr(s, "faultd_tcp_connections_total"));
	assert_non_null(strstr(s, "# HELP faultd_newly_added_counter_total faultctl stats: "
	    "newly_added_counter\n"));
	assert_non_null(strstr(s, "# TYPE faultd_rules gauge\nfaultd_rules 1\n"));
	assert_non_null(strstr(s, "# TYPE faultd_actions_total counter\n"));
	assert_non_null(strstr(s, "\nfaultd_actions_total{action=\"pass\"} 40\n"));
	assert_non_null(strstr(s, "\nfaultd_actions_total{action=\"servfail\"} 10\n"));
	assert_non_null(strstr(s, "\nfaultd_actions_total{action=\"drop\"} 0\n"));
	assert_non_null(strstr(s, "\nfaultd_rule_hits_total{id=\"1\",rule=\"name=www.example.test "
	    "action=servfail\"} 10\n"));
	assert_non_null(strstr(s, "\nfaultd_client_queries_total{client=\"198.18.0.10\"} 45\n"));
	assert_non_null(strstr(s, "\nfaultd_client_queries_total{client=\"a\\\"b\\\\c\\nd\"} 4\n"));
	assert_non_null(strstr(s, "\nfaultd_client_queries_total{client=\"other\"} 1\n"));
	/* every family has exactly one HELP and one TYPE line, before its samples */
	for (const char *p = s; (p = strstr(p, "# TYPE ")) != NULL; p++) {
		char name[96];
		assert_int_equal(sscanf(p, "# TYPE %95s", name), 1);
		char help[128];
		snprintf(help, sizeof(help), "# HELP %s ", name);
		assert_non_null(strstr(s, help));
		assert_true(strstr(s, help) < p);
	}
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(s);
	ruleset_free(rs);
}

/* The numbers `stats` prints are the ones the metrics carry. */
static void
test_render_matches_stats(void **state)
{
	struct ruleset *rs = ruleset_new();
	struct ctl_target t = { .rules = rs, .stats = fake_stats };
	struct dd_buf st = { 0 };
	char *s, *line, *save = NULL;
	int checked = 0;

	(void)state;
	ctl_exec(&t, "stats", &st);
	dd_buf_append(&st, "", 1);
	s = render(&t);
	for (line = strtok_r((char *)st.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char name[64], want[128];
		unsigned long long v;

		if (sscanf(line, "%63s %llu", name, &v) != 2 || strchr(name, '.') != NULL)
			continue;
		snprintf(want, sizeof(want), "\nfaultd_%s_total %llu\n", name, v);
		if (strstr(s, want) == NULL)
			snprintf(want, sizeof(want), "\nfaultd_%s %llu\n", name, v);
		assert_non_null(strstr(s, want));
		checked++;
	}
	assert_int_equal(checked, 5);
	free(s);
	dd_buf_free(&st);
	ruleset_free(rs);
}

static void
test_escape(void **state)
{
	struct dd_buf b = { 0 };

	(void)state;
	metrics_label_escape("plain", &b);
	metrics_label_escape("|q\"b\\n\nend", &b);
	dd_buf_append(&b, "", 1);
	assert_string_equal((char *)b.data, "plain|q\\\"b\\\\n\\nend");
	dd_buf_free(&b);
}

static enum metrics_http
parse(const char *s, bool *head)
{
	return metrics_http_parse(s, strlen(s), head);
}

static void
test_http_parse(void **state)
{
	bool head;
	char big[METRICS_REQ_MAX + 10];

	(void)state;
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", &head),
	    METRICS_HTTP_OK);
	assert_false(head);
	assert_int_equal(parse("GET /metrics?name[]=x HTTP/1.0\n\n", &head), METRICS_HTTP_OK);
	assert_int_equal(parse("HEAD /metrics HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_OK);
	assert_true(head);
	/* not complete yet */
	assert_int_equal(parse("", &head), METRICS_HTTP_MORE);
	assert_int_equal(parse("GE", &head), METRICS_HTTP_MORE);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &head), METRICS_HTTP_MORE);
	/* other paths and methods */
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_NOT_FOUND);
	assert_int_equal(parse("GET /metricsx HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_NOT_FOUND);
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_METHOD);
	assert_int_equal(parse("DELETE /metrics HTTP/1.1\r\n", &head), METRICS_HTTP_MORE);
	assert_int_equal(parse("DELETE /metrics HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_METHOD);
	/* garbage: decided as soon as it shows, even before a line ends */
	assert_int_equal(parse("\x16\x03\x01\x02", &head), METRICS_HTTP_BAD);
	assert_int_equal(parse("GARBAGE\r\n\r\n", &head), METRICS_HTTP_BAD);
	assert_int_equal(parse("GET /metrics\r\n\r\n", &head), METRICS_HTTP_BAD);
	assert_int_equal(parse("GET  /metrics HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_BAD);
	assert_int_equal(parse("GET metrics HTTP/1.1\r\n\r\n", &head), METRICS_HTTP_BAD);
	assert_int_equal(parse("GET /metrics FTP/1.1\r\n\r\n", &head), METRICS_HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", &head),
	    METRICS_HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nX: a\x01b\r\n\r\n", &head),
	    METRICS_HTTP_BAD);
	assert_int_equal(metrics_http_parse("GET /me\0trics HTTP/1.1\r\n\r\n", 27, &head),
	    METRICS_HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &head), METRICS_HTTP_VERSION);
	/* the size limit: a head that never ends */
	memcpy(big, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
	memset(big + 30, 'a', sizeof(big) - 31);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(metrics_http_parse(big, METRICS_REQ_MAX - 1, &head), METRICS_HTTP_MORE);
	assert_int_equal(metrics_http_parse(big, METRICS_REQ_MAX, &head),
	    METRICS_HTTP_TOO_LARGE);
	memset(big, 'G', sizeof(big));
	assert_int_equal(metrics_http_parse(big, METRICS_REQ_MAX, &head),
	    METRICS_HTTP_TOO_LARGE);
}

static char *
answer(enum metrics_http st, bool head, struct ctl_target *t)
{
	struct dd_buf b = { 0 };

	metrics_http_answer(st, head, t, &b);
	dd_buf_append(&b, "", 1);
	return (char *)b.data;
}

static void
test_http_answer(void **state)
{
	struct ruleset *rs = ruleset_new();
	struct ctl_target t = { .rules = rs, .stats = fake_stats };
	char *s, *body;
	size_t clen;

	(void)state;
	s = answer(METRICS_HTTP_OK, false, &t);
	assert_true(strncmp(s, "HTTP/1.1 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(s, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(s, "\r\nConnection: close\r\n"));
	assert_int_equal(sscanf(strstr(s, "Content-Length: "), "Content-Length: %zu", &clen), 1);
	body = strstr(s, "\r\n\r\n") + 4;
	assert_int_equal(strlen(body), clen);
	assert_non_null(strstr(body, "faultd_queries_total 50\n"));
	free(s);
	s = answer(METRICS_HTTP_OK, true, &t);           /* HEAD: no body */
	assert_string_equal(strstr(s, "\r\n\r\n"), "\r\n\r\n");
	free(s);
	s = answer(METRICS_HTTP_METHOD, false, &t);
	assert_true(strncmp(s, "HTTP/1.1 405 ", 13) == 0);
	assert_non_null(strstr(s, "\r\nAllow: GET, HEAD\r\n"));
	free(s);
	s = answer(METRICS_HTTP_NOT_FOUND, false, &t);
	assert_true(strncmp(s, "HTTP/1.1 404 ", 13) == 0);
	assert_null(strstr(s, "faultd_queries"));
	free(s);
	s = answer(METRICS_HTTP_BAD, false, &t);
	assert_true(strncmp(s, "HTTP/1.1 400 Bad Request\r\n", 26) == 0);
	free(s);
	s = answer(METRICS_HTTP_TOO_LARGE, false, &t);
	assert_true(strncmp(s, "HTTP/1.1 431 ", 13) == 0);
	free(s);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_matches_stats),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_http_parse),
		cmocka_unit_test(test_http_answer),
	};
	log_init("test_metrics", LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
