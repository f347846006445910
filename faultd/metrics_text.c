/*
 * metrics_text.c -- `faultctl stats` as Prometheus exposition text, and the
 * HTTP request parser of the metrics endpoint (faultd/metrics_text.h).
 * The counters come through the same ctl_target hook `stats` uses, so the
 * two can never disagree on a number or miss a counter the other has.
 */
#include "faultd/metrics_text.h"

#include <stdio.h>
#include <string.h>

/* HELP texts of the `stats` counters; one missing gets a generic text. */
static const struct {
	const char *name, *help;
} helps[] = {
	{ "queries", "DNS queries received, UDP and TCP" },
	{ "queries_udp", "DNS queries received over UDP" },
	{ "queries_tcp", "DNS queries received over TCP" },
	{ "replies", "DNS replies sent" },
	{ "drops", "queries answered with nothing (action drop, capacity drop)" },
	{ "malformed", "packets that were not a DNS query" },
	{ "formerr_sent", "FORMERR replies to malformed queries" },
	{ "authoritative", "queries answered from faultd's zones" },
	{ "forwarded", "queries forwarded to an upstream" },
	{ "refused_no_zone", "queries REFUSED: no zone and no upstream" },
	{ "upstream_timeouts", "upstream queries that timed out" },
	{ "upstream_failures", "queries no upstream answered" },
	{ "upstream_tcp_retries", "truncated upstream answers retried over TCP" },
	{ "upstream_servfail", "SERVFAIL answers for failed upstream queries" },
	{ "tcp_connections", "open DNS TCP connections" },
	{ "delayed_pending", "answers held back by delay= or the capacity queue" },
	{ "ttl_floored", "records whose --time-scale TTL was raised to the 1 s floor" },
	{ "ttl_floored_min", "smallest TTL floored (seconds)" },
	{ "ttl_floored_max", "largest TTL floored (seconds)" },
	{ "capacity_queued", "queries that waited in the capacity queue" },
	{ "capacity_overflow", "queries beyond the capacity queue" },
	{ "capacity_wait_max_us", "longest wait in the capacity queue (microseconds)" },
	{ "rules", "rules in the running rule set" },
};

void
metrics_label_escape(const char *s, struct dd_buf *out)
{
	while (*s != '\0') {
		size_t run = strcspn(s, "\\\"\n");

		if (run > 0) {
			dd_buf_append(out, s, run);
			s += run;
			continue;
		}
		dd_buf_append(out, *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : "\\n", 2);
		s++;
	}
}

static void
family(struct dd_buf *out, const char *name, const char *type, const char *help)
{
	dd_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
render_locked(const struct ctl_target *t, struct dd_buf *out)
{
	const struct rule *const *rules;
	size_t nrules = ruleset_list(t->rules, &rules);
	struct ctl_stats st;
	char name[96];

	memset(&st, 0, sizeof(st));
	if (t->stats != NULL)
		t->stats(t->arg, &st);
	ctl_stats_gauge(&st, "rules", nrules);   /* as `stats` adds it */
	for (size_t i = 0; i < st.n; i++) {
		const char *help = NULL;

		for (size_t k = 0; k < sizeof(helps) / sizeof(helps[0]); k++)
			if (strcmp(helps[k].name, st.v[i].name) == 0)
				help = helps[k].help;
		snprintf(name, sizeof(name), "faultd_%s%s", st.v[i].name,
		    st.v[i].gauge ? "" : "_total");
		if (help == NULL) {
			char h[96];
			snprintf(h, sizeof(h), "faultctl stats: %s", st.v[i].name);
			family(out, name, st.v[i].gauge ? "gauge" : "counter", h);
		} else {
			family(out, name, st.v[i].gauge ? "gauge" : "counter", help);
		}
		dd_buf_printf(out, "%s %llu\n", name, (unsigned long long)st.v[i].value);
	}
	family(out, "faultd_actions_total", "counter", "queries decided per action");
	for (int a = 0; a < ACT__COUNT; a++)
		dd_buf_printf(out, "faultd_actions_total{action=\"%s\"} %llu\n",
		    rule_action_name(a), (unsigned long long)st.actions[a]);
	family(out, "faultd_rule_hits_total", "counter", "queries each rule matched");
	for (size_t i = 0; i < nrules; i++) {
		dd_buf_printf(out, "faultd_rule_hits_total{id=\"%llu\",rule=\"",
		    (unsigned long long)rules[i]->id);
		metrics_label_escape(rules[i]->text, out);
		dd_buf_printf(out, "\"} %llu\n", (unsigned long long)rules[i]->hits);
	}
	family(out, "faultd_client_queries_total", "counter",
	    "queries per client address (the busiest; the rest as client=\"other\")");
	for (size_t i = 0; i < st.n_clients; i++) {
		dd_buf_printf(out, "faultd_client_queries_total{client=\"");
		metrics_label_escape(st.clients[i].addr, out);
		dd_buf_printf(out, "\"} %llu\n", (unsigned long long)st.clients[i].queries);
	}
	if (st.n_clients > 0 || st.clients_other > 0)
		dd_buf_printf(out, "faultd_client_queries_total{client=\"other\"} %llu\n",
		    (unsigned long long)st.clients_other);
}

void
metrics_render(const struct ctl_target *t, struct dd_buf *out)
{
	/* faultd --workers: the counters and rule hits are shared with the
	 * threads serving DNS */
	if (t->lock != NULL)
		t->lock(t->arg);
	render_locked(t, out);
	if (t->unlock != NULL)
		t->unlock(t->arg);
}

/* A method token: RFC 9110 tchar, at least one. */
static bool
is_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z') &&
		    !(ch >= '0' && ch <= '9') && strchr("!#$%&'*+-.^_`|~", ch) == NULL)
			return false;
	}
	return true;
}

/* The request line "METHOD SP TARGET SP HTTP/x.y" of n bytes (no CRLF). */
static enum metrics_http
request_line(const char *s, size_t n, bool *head)
{
	const char *sp1 = memchr(s, ' ', n), *sp2, *target, *ver;
	size_t mlen, tlen, vlen, plen;

	if (sp1 == NULL)
		return METRICS_HTTP_BAD;
	mlen = (size_t)(sp1 - s);
	target = sp1 + 1;
	sp2 = memchr(target, ' ', n - mlen - 1);
	if (sp2 == NULL)
		return METRICS_HTTP_BAD;
	tlen = (size_t)(sp2 - target);
	ver = sp2 + 1;
	vlen = n - (size_t)(ver - s);
	if (!is_token(s, mlen) || tlen == 0 || memchr(ver, ' ', vlen) != NULL)
		return METRICS_HTTP_BAD;
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
			return METRICS_HTTP_BAD;
	if (vlen != 8 || memcmp(ver, "HTTP/", 5) != 0 || ver[6] != '.' ||
	    ver[5] < '0' || ver[5] > '9' || ver[7] < '0' || ver[7] > '9')
		return METRICS_HTTP_BAD;
	if (ver[5] != '1')
		return METRICS_HTTP_VERSION;
	*head = mlen == 4 && memcmp(s, "HEAD", 4) == 0;
	if (!*head && !(mlen == 3 && memcmp(s, "GET", 3) == 0))
		return METRICS_HTTP_METHOD;
	/* origin-form only; the query string is ignored */
	if (target[0] != '/')
		return METRICS_HTTP_BAD;
	plen = strcspn(target, "? ");
	if (plen > tlen)
		plen = tlen;
	if (plen != 8 || memcmp(target, "/metrics", 8) != 0)
		return METRICS_HTTP_NOT_FOUND;
	return METRICS_HTTP_OK;
}

enum metrics_http
metrics_http_parse(const char *buf, size_t len, bool *head)
{
	const char *p = buf, *end = buf + len, *nl;
	enum metrics_http line_rc;
	size_t n;

	*head = false;
	if (memchr(buf, '\0', len) != NULL)
		return METRICS_HTTP_BAD;
	nl = memchr(buf, '\n', len);
	if (nl == NULL) {
		/* no request line yet: give up on bytes no method starts with */
		for (size_t i = 0; i < len && buf[i] != ' '; i++)
			if (!is_token(buf + i, 1))
				return METRICS_HTTP_BAD;
		return len >= METRICS_REQ_MAX ? METRICS_HTTP_TOO_LARGE : METRICS_HTTP_MORE;
	}
	n = (size_t)(nl - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	line_rc = request_line(buf, n, head);
	if (line_rc == METRICS_HTTP_BAD || line_rc == METRICS_HTTP_VERSION)
		return line_rc;
	/* the headers, each "Name: value", up to an empty line */
	for (p = nl + 1; p < end; p = nl + 1) {
		const char *colon;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			return line_rc;          /* the head is complete */
		colon = memchr(p, ':', n);
		if (colon == NULL || !is_token(p, (size_t)(colon - p)))
			return METRICS_HTTP_BAD;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
				return METRICS_HTTP_BAD;
	}
	return len >= METRICS_REQ_MAX ? METRICS_HTTP_TOO_LARGE : METRICS_HTTP_MORE;
}

void
metrics_http_answer(enum metrics_http status, bool head, const struct ctl_target *t,
    struct dd_buf *out)
{
	struct dd_buf body = { 0 };
	const char *reason, *ctype = "text/plain; charset=utf-8";

	switch (status) {
	case METRICS_HTTP_OK:
		reason = "OK";
		ctype = "text/plain; version=0.0.4; charset=utf-8";
		metrics_render(t, &body);
		break;
	case METRICS_HTTP_NOT_FOUND:
		reason = "Not Found";
		dd_buf_printf(&body, "not found: faultd serves /metrics only\n");
		break;
	case METRICS_HTTP_METHOD:
		reason = "Method Not Allowed";
		dd_buf_printf(&body, "method not allowed: GET /metrics\n");
		break;
	case METRICS_HTTP_TOO_LARGE:
		reason = "Request Header Fields Too Large";
		dd_buf_printf(&body, "request head over %d bytes\n", METRICS_REQ_MAX);
		break;
	case METRICS_HTTP_VERSION:
		reason = "HTTP Version Not Supported";
		dd_buf_printf(&body, "HTTP/1.0 or HTTP/1.1 only\n");
		break;
	default:
		status = METRICS_HTTP_BAD;
		reason = "Bad Request";
		dd_buf_printf(&body, "bad request\n");
		break;
	}
	dd_buf_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "%sConnection: close\r\n\r\n", (int)status, reason, ctype, body.len,
	    status == METRICS_HTTP_METHOD ? "Allow: GET, HEAD\r\n" : "");
	if (!head && body.len > 0)
		dd_buf_append(out, body.data, body.len);
	dd_buf_free(&body);
}
