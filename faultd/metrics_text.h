/*
 * metrics_text.h -- the pure half of faultd's metrics endpoint: the
 * counters `faultctl stats` shows, rendered in the Prometheus text
 * exposition format (version 0.0.4), and the small HTTP request parser
 * that decides what a request gets.  No sockets here (metrics.c moves the
 * bytes), so both are unit-tested as functions (tests/unit/test_metrics.c).
 *
 * Names: every `stats` counter NAME is faultd_NAME_total (a counter) or
 * faultd_NAME (a gauge: ctl_stats_gauge); then
 *   faultd_actions_total{action="servfail"}       queries decided per action
 *   faultd_rule_hits_total{id="3",rule="..."}      queries each rule matched
 *   faultd_client_queries_total{client="198.18.0.10"}  (and client="other")
 */
#ifndef FAULTD_METRICS_TEXT_H
#define FAULTD_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "faultd/ctl.h"
#include "lib/buf.h"

/* The longest request head read (request line and headers). */
#define METRICS_REQ_MAX 4096

/* Every counter of t (its stats hook and its rule set, as `stats` reads
 * them) appended to out as exposition text. */
void metrics_render(const struct ctl_target *t, struct dd_buf *out);

/* A label value escaped as the format wants it: backslash, double quote
 * and newline as \\, \" and \n; appended to out (without quotes). */
void metrics_label_escape(const char *s, struct dd_buf *out);

/* What a request gets.  METRICS_HTTP_MORE: its head is not complete yet. */
enum metrics_http {
	METRICS_HTTP_MORE = 0,
	METRICS_HTTP_OK = 200,          /* GET (or HEAD) /metrics */
	METRICS_HTTP_BAD = 400,         /* not an HTTP/1.x request */
	METRICS_HTTP_NOT_FOUND = 404,   /* another path */
	METRICS_HTTP_METHOD = 405,      /* another method */
	METRICS_HTTP_TOO_LARGE = 431,   /* no end of the head in METRICS_REQ_MAX */
	METRICS_HTTP_VERSION = 505,     /* HTTP/2 and up, or HTTP/0.x */
};

/*
 * Look at the first len bytes a client sent.  Decides as soon as it can: a
 * request line that cannot be HTTP is 400 before the headers end; else the
 * whole head (up to an empty line) must arrive within METRICS_REQ_MAX
 * bytes.  *head is set for a HEAD request (no body in the answer).
 */
enum metrics_http metrics_http_parse(const char *buf, size_t len, bool *head);

/* The whole answer for status (the body only for 200, which renders t;
 * with head, the headers alone), appended to out. */
void metrics_http_answer(enum metrics_http status, bool head,
    const struct ctl_target *t, struct dd_buf *out);

#endif
