/*
 * score_expect.c -- reading an expectation ("failover_s < 3",
 * "availability.www > 0.9", "p90(failover_s) < 3",
 * "query_amplification.auth_lan < 5", "dns_answers.auth.servfail > 0") into
 * a struct score_expect; score.c checks it.  The grammar is score.h's
 * (score_expect_parse); errors name the offending term.
 */
#include "model/score.h"

#include "lib/util.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* What a bound is written in, by metric. */
enum bound_unit {
	UNIT_SECONDS, /* a number of seconds, or a duration */
	UNIT_MS,      /* a number of ms, or a duration */
	UNIT_RATIO,   /* a number, or a percentage */
	UNIT_NUMBER,
};

static enum bound_unit
metric_unit(enum score_metric m)
{
	switch (m) {
	case SCORE_DETECTION:
	case SCORE_FAILOVER:
	case SCORE_RECOVERY:
		return UNIT_SECONDS;
	case SCORE_AVAILABILITY:
	case SCORE_AVAILABILITY_WORST:
	case SCORE_AVAILABILITY_MEAN:
		return UNIT_RATIO;
	case SCORE_LATENCY_P50:
	case SCORE_LATENCY_P95:
	case SCORE_LATENCY_P99:
	case SCORE_BASE_LATENCY_P50:
	case SCORE_BASE_LATENCY_P95:
	case SCORE_BASE_LATENCY_P99:
		return UNIT_MS;
	default:
		return UNIT_NUMBER;
	}
}

/* ------------------------------------------------------------------ */
/* Expectations */

static bool
is_metric_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Is c one of the characters an operator is made of? */
static bool
is_op_char(char c)
{
	return c == '<' || c == '>' || c == '=' || c == '!';
}

/* Bound text: a number, a duration for *_s and *_ms metrics, a percentage
 * for the availabilities. */
static int
parse_bound(enum score_metric m, const char *s, double *out)
{
	enum bound_unit unit = metric_unit(m);
	size_t n = strlen(s);
	char buf[64];
	uint64_t us;

	if (dd_parse_double(s, out) == 0)
		return 0;
	if (n == 0 || n >= sizeof(buf))
		return DD_EINVAL;
	if (unit == UNIT_RATIO && s[n - 1] == '%') {
		memcpy(buf, s, n - 1);
		buf[n - 1] = '\0';
		if (dd_parse_double(buf, out) != 0)
			return DD_EINVAL;
		*out /= 100.0;
		return 0;
	}
	if (unit == UNIT_SECONDS || unit == UNIT_MS) {
		/* dd_duration_parse() reads a bare number as ms; here a bare
		 * number is in the metric's unit and was handled above, so only
		 * accept a value that ends in a unit letter. */
		if (!isalpha((unsigned char)s[n - 1]) ||
		    dd_duration_parse(s, &us) != 0)
			return DD_EINVAL;
		*out = unit == UNIT_SECONDS ? (double)us / 1e6 :
		    (double)us / 1e3;
		return 0;
	}
	return DD_EINVAL;
}

static const char *
bound_hint(enum score_metric m)
{
	switch (metric_unit(m)) {
	case UNIT_RATIO:
		return "a number like 0.9 or 90%";
	case UNIT_SECONDS:
		return "seconds, or a duration like 500ms";
	case UNIT_MS:
		return "milliseconds, or a duration like 1s";
	default:
		return "a number";
	}
}

/* "name, name, ..." of the metrics for which want(m) holds. */
static void
metric_list(char *buf, size_t len, bool (*want)(enum score_metric))
{
	size_t used = 0;

	buf[0] = '\0';
	for (int m = 0; m < SCORE_METRIC_COUNT && used < len; m++) {
		int w;

		if (want != NULL && !want((enum score_metric)m))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		    score_metric_name((enum score_metric)m));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Where a name after a metric's dot ends: at a blank, an operator, or
 * (inside a statistic) ')'. */
static const char *
subject_end(const char *p, bool in_stat)
{
	while (*p != '\0' && !isspace((unsigned char)*p) && !is_op_char(*p) &&
	    !(in_stat && *p == ')'))
		p++;
	return p;
}

/* "dns_queries.SERVER" / "dns_answers.SERVER.ACTION" from *pp (just after
 * the metric's name) into out; *pp moves past it.  0 or DD_EINVAL. */
static int
parse_counter(const char *s, const char *name, const char **pp,
    struct score_expect *out, struct dd_err *err)
{
	bool answers = strcmp(name, "dns_answers") == 0;
	const char *p = *pp, *subj, *end, *dot = NULL;
	size_t n;

	out->counter = answers ? SCORE_COUNTER_ANSWERS : SCORE_COUNTER_QUERIES;
	out->metric = SCORE_METRIC_COUNT;
	if (out->has_stat) {
		dd_err_set(err, "expectation '%s': a statistic of %s is not "
		    "supported", s, name);
		return DD_EINVAL;
	}
	if (*p != '.') {
		dd_err_set(err, "expectation '%s': %s needs a DNS server: "
		    "'%s.SERVER%s'", s, name, name, answers ? ".ACTION" : "");
		return DD_EINVAL;
	}
	subj = ++p;
	end = subject_end(p, false);
	if (answers) {
		for (const char *q = subj; q < end; q++)
			if (*q == '.')
				dot = q;
		if (dot == NULL || dot == subj || dot + 1 == end) {
			dd_err_set(err, "expectation '%s': dns_answers needs a "
			    "DNS server and an action: "
			    "'dns_answers.SERVER.ACTION' (dns_answers.auth."
			    "servfail)", s);
			return DD_EINVAL;
		}
		n = (size_t)(end - dot - 1);
		if (n >= sizeof(out->action)) {
			dd_err_set(err, "expectation '%s': action name too "
			    "long", s);
			return DD_EINVAL;
		}
		memcpy(out->action, dot + 1, n);
		out->action[n] = '\0';
	} else {
		dot = end;
	}
	n = (size_t)(dot - subj);
	if (n == 0) {
		dd_err_set(err, "expectation '%s': expected a DNS server's name "
		    "after '%s.'", s, name);
		return DD_EINVAL;
	}
	if (n >= sizeof(out->server)) {
		dd_err_set(err, "expectation '%s': DNS server name too long", s);
		return DD_EINVAL;
	}
	memcpy(out->server, subj, n);
	out->server[n] = '\0';
	*pp = end;
	return 0;
}

int
score_expect_parse(const char *s, struct score_expect *out,
    struct dd_err *err)
{
	const char *p, *name_start, *op_start, *bound_start, *end;
	char name[2 * ELOG_SOURCE_MAX + 48], bound[64];
	size_t name_len, bound_len;
	enum score_op op;
	size_t op_len;

	if (s == NULL || out == NULL) {
		dd_err_set(err, "expectation: missing");
		return DD_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	p = s;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		dd_err_set(err, "expectation '%s': empty", s);
		return DD_EINVAL;
	}

	name_start = p;
	while (is_metric_char(*p))
		p++;
	name_len = (size_t)(p - name_start);
	if (name_len == 0) {
		dd_err_set(err, "expectation '%s': expected a metric name, "
		    "got '%.16s'", s, name_start);
		return DD_EINVAL;
	}
	if (name_len >= sizeof(name)) {
		dd_err_set(err, "expectation '%s': unknown metric '%.*s...'",
		    s, 32, name_start);
		return DD_EINVAL;
	}
	memcpy(name, name_start, name_len);
	name[name_len] = '\0';
	/* "p90(failover_s)": a statistic around the metric */
	if (*p == '(') {
		if (dist_which_parse(name, &out->stat) != 0) {
			dd_err_set(err, "expectation '%s': unknown statistic '%s' "
			    "(known: min, median, p90, max)", s, name);
			return DD_EINVAL;
		}
		out->has_stat = true;
		p++;
		while (isspace((unsigned char)*p))
			p++;
		name_start = p;
		while (is_metric_char(*p))
			p++;
		name_len = (size_t)(p - name_start);
		if (name_len == 0 || name_len >= sizeof(name)) {
			dd_err_set(err, "expectation '%s': expected a metric name "
			    "after '%s('", s, dist_which_name(out->stat));
			return DD_EINVAL;
		}
		memcpy(name, name_start, name_len);
		name[name_len] = '\0';
	}
	if (strcmp(name, "dns_queries") == 0 ||
	    strcmp(name, "dns_answers") == 0) {
		if (parse_counter(s, name, &p, out, err) != 0)
			return DD_EINVAL;
		score_expect_label(out, name, sizeof(name));
	} else if (score_metric_parse(name, &out->metric) != 0) {
		char known[400];

		metric_list(known, sizeof(known), NULL);
		dd_err_set(err, "expectation '%s': unknown metric '%s' (known: "
		    "%s, query_amplification.LINK, dns_queries.SERVER, "
		    "dns_answers.SERVER.ACTION)", s, name, known);
		return DD_EINVAL;
	}
	/* "query_amplification.auth_lan": the figure at a capture link */
	if (out->counter == SCORE_COUNTER_NONE && *p == '.' &&
	    out->metric == SCORE_AMPLIFICATION) {
		const char *link = ++p;

		p = subject_end(p, false);
		if (out->has_stat) {
			dd_err_set(err, "expectation '%s': a statistic of "
			    "query_amplification at a link is not supported", s);
			return DD_EINVAL;
		}
		if (p == link || (size_t)(p - link) >= sizeof(out->link)) {
			dd_err_set(err, "expectation '%s': expected a capture "
			    "link's name after 'query_amplification.'", s);
			return DD_EINVAL;
		}
		memcpy(out->link, link, (size_t)(p - link));
		out->link[p - link] = '\0';
		score_expect_label(out, name, sizeof(name));
	}
	/* "availability.www": the probe's own figure */
	if (out->counter == SCORE_COUNTER_NONE && *p == '.') {
		const char *probe = ++p;
		char per[300];

		while (*p != '\0' && !isspace((unsigned char)*p) &&
		    !is_op_char(*p) && !(out->has_stat && *p == ')'))
			p++;
		metric_list(per, sizeof(per), score_metric_per_probe);
		if (!score_metric_per_probe(out->metric)) {
			dd_err_set(err, "expectation '%s': %s has no value per "
			    "probe (per probe: %s)", s, name, per);
			return DD_EINVAL;
		}
		if (p == probe) {
			dd_err_set(err, "expectation '%s': expected a probe "
			    "name after '%s.'", s, name);
			return DD_EINVAL;
		}
		if ((size_t)(p - probe) >= sizeof(out->probe)) {
			dd_err_set(err, "expectation '%s': probe name too long",
			    s);
			return DD_EINVAL;
		}
		memcpy(out->probe, probe, (size_t)(p - probe));
		out->probe[p - probe] = '\0';
		snprintf(name, sizeof(name), "%.*s.%.*s", (int)name_len,
		    name_start, (int)(sizeof(name) - name_len - 2),
		    out->probe);
	}
	if (out->has_stat) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != ')') {
			dd_err_set(err, "expectation '%s': expected ')' after "
			    "'%s(%s'", s, dist_which_name(out->stat), name);
			return DD_EINVAL;
		}
		p++;
		score_expect_label(out, name, sizeof(name));
	}

	while (isspace((unsigned char)*p))
		p++;
	op_start = p;
	if (*p == '\0') {
		dd_err_set(err, "expectation '%s': missing operator after '%s' "
		    "(one of <, <=, >, >=, ==)", s, name);
		return DD_EINVAL;
	}
	if (p[0] == '<' && p[1] == '=') {
		op = SCORE_LE, op_len = 2;
	} else if (p[0] == '>' && p[1] == '=') {
		op = SCORE_GE, op_len = 2;
	} else if (p[0] == '=' && p[1] == '=') {
		op = SCORE_EQ, op_len = 2;
	} else if (p[0] == '<') {
		op = SCORE_LT, op_len = 1;
	} else if (p[0] == '>') {
		op = SCORE_GT, op_len = 1;
	} else {
		op_len = 0;
		while (p[op_len] != '\0' && !isspace((unsigned char)p[op_len]))
			op_len++;
		dd_err_set(err, "expectation '%s': unknown operator '%.*s' "
		    "(one of <, <=, >, >=, ==)", s, (int)(op_len > 16 ? 16 :
		    op_len), p);
		return DD_EINVAL;
	}
	p += op_len;
	/* "=>", "<<", "===", "<>" and friends: name the whole operator. */
	if (*p == '=' || *p == '<' || *p == '>' || *p == '!') {
		size_t n = op_len;

		while (op_start[n] == '=' || op_start[n] == '<' ||
		    op_start[n] == '>' || op_start[n] == '!')
			n++;
		dd_err_set(err, "expectation '%s': unknown operator '%.*s' "
		    "(one of <, <=, >, >=, ==)", s, (int)(n > 16 ? 16 : n),
		    op_start);
		return DD_EINVAL;
	}
	out->op = op;

	while (isspace((unsigned char)*p))
		p++;
	bound_start = p;
	end = p + strlen(p);
	while (end > bound_start && isspace((unsigned char)end[-1]))
		end--;
	/* an optional condition: "... if disrupted" */
	{
		static const char cond[] = "if disrupted";
		size_t cl = sizeof(cond) - 1;
		if ((size_t)(end - bound_start) > cl &&
		    strncmp(end - cl, cond, cl) == 0 &&
		    isspace((unsigned char)end[-(ptrdiff_t)cl - 1])) {
			out->if_disrupted = true;
			end -= cl;
			while (end > bound_start && isspace((unsigned char)end[-1]))
				end--;
		} else if (strstr(bound_start, " if ") != NULL) {
			dd_err_set(err, "expectation '%s': the only condition is "
			    "'if disrupted'", s);
			return DD_EINVAL;
		}
	}
	/* "... in incident time": the bound is incident time */
	{
		static const char inc[] = "in incident time";
		size_t il = sizeof(inc) - 1;
		if ((size_t)(end - bound_start) > il &&
		    strncmp(end - il, inc, il) == 0 &&
		    isspace((unsigned char)end[-(ptrdiff_t)il - 1])) {
			out->incident = true;
			end -= il;
			while (end > bound_start && isspace((unsigned char)end[-1]))
				end--;
		} else if (strstr(bound_start, " in ") != NULL) {
			dd_err_set(err, "expectation '%s': the bound is followed "
			    "by 'in incident time' or nothing (then 'if "
			    "disrupted')", s);
			return DD_EINVAL;
		}
		if (out->incident && (out->counter != SCORE_COUNTER_NONE ||
		    metric_unit(out->metric) != UNIT_SECONDS)) {
			dd_err_set(err, "expectation '%s': only detection_s, "
			    "failover_s and recovery_s have an incident time "
			    "(latencies are network time, never scaled; ratios "
			    "and counts have no unit of time)", s);
			return DD_EINVAL;
		}
	}
	bound_len = (size_t)(end - bound_start);
	if (bound_len == 0) {
		dd_err_set(err, "expectation '%s': missing bound after '%s %s'",
		    s, name, score_op_name(op));
		return DD_EINVAL;
	}
	if (bound_len >= sizeof(bound)) {
		dd_err_set(err, "expectation '%s': bad bound '%.32s...'", s,
		    bound_start);
		return DD_EINVAL;
	}
	memcpy(bound, bound_start, bound_len);
	bound[bound_len] = '\0';
	if (parse_bound(out->metric, bound, &out->bound) != 0) {
		dd_err_set(err, "expectation '%s': bad bound '%s' (expected "
		    "%s)", s, bound, bound_hint(out->metric));
		return DD_EINVAL;
	}
	snprintf(out->bound_text, sizeof(out->bound_text), "%s %s%s%s",
	    score_op_name(op), bound, out->incident ? " in incident time" : "",
	    out->if_disrupted ? " if disrupted" : "");
	return 0;
}

