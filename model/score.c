/*
 * score.c -- metrics and verdict from an event log.  The definitions live in
 * score.h; this file says why where the choice is not obvious.  Every scan
 * is linear over the (time-ordered) log, and nothing here reads a clock.
 */
#include "model/score.h"

#include "lib/util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[SCORE_METRIC_COUNT] = {
	[SCORE_DETECTION] = "detection_s",
	[SCORE_FAILOVER] = "failover_s",
	[SCORE_RECOVERY] = "recovery_s",
	[SCORE_AVAILABILITY] = "availability",
	[SCORE_AMPLIFICATION] = "query_amplification",
};

static const char *const op_names[] = {
	[SCORE_LT] = "<",
	[SCORE_LE] = "<=",
	[SCORE_GT] = ">",
	[SCORE_GE] = ">=",
	[SCORE_EQ] = "==",
};

const char *
score_metric_name(enum score_metric m)
{
	if ((unsigned)m >= SCORE_METRIC_COUNT)
		return "?";
	return metric_names[m];
}

int
score_metric_parse(const char *name, enum score_metric *out)
{
	if (name == NULL)
		return DD_EINVAL;
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		if (strcmp(name, metric_names[m]) == 0) {
			*out = (enum score_metric)m;
			return 0;
		}
	}
	return DD_EINVAL;
}

const char *
score_op_name(enum score_op op)
{
	if ((unsigned)op >= DD_ARRAY_LEN(op_names))
		return "?";
	return op_names[op];
}

bool
score_match(const struct score_match *m, const struct elog_ev *e)
{
	if (m == NULL || e == NULL || !m->set || m->kind != e->kind)
		return false;
	if (m->source != NULL && m->source[0] != '\0' &&
	    strcmp(m->source, e->source) != 0)
		return false;
	if (m->text != NULL && m->text[0] != '\0' &&
	    strstr(e->text, m->text) == NULL)
		return false;
	if (e->kind == ELOG_PROBE) {
		if (m->outcome == SCORE_OK && !e->u.probe.ok)
			return false;
		if (m->outcome == SCORE_FAIL && e->u.probe.ok)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Expectations */

static bool
is_metric_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Bound text: a number, a duration for *_s metrics, a percentage for
 * availability. */
static int
parse_bound(enum score_metric m, const char *s, double *out)
{
	size_t n = strlen(s);
	char buf[64];
	uint64_t us;

	if (dd_parse_double(s, out) == 0)
		return 0;
	if (n == 0 || n >= sizeof(buf))
		return DD_EINVAL;
	if (m == SCORE_AVAILABILITY && s[n - 1] == '%') {
		memcpy(buf, s, n - 1);
		buf[n - 1] = '\0';
		if (dd_parse_double(buf, out) != 0)
			return DD_EINVAL;
		*out /= 100.0;
		return 0;
	}
	if (m == SCORE_DETECTION || m == SCORE_FAILOVER ||
	    m == SCORE_RECOVERY) {
		/* dd_duration_parse() reads a bare number as ms; here a bare
		 * number is seconds and was handled above, so only accept a
		 * value that ends in a unit letter. */
		if (!isalpha((unsigned char)s[n - 1]) ||
		    dd_duration_parse(s, &us) != 0)
			return DD_EINVAL;
		*out = (double)us / 1e6;
		return 0;
	}
	return DD_EINVAL;
}

int
score_expect_parse(const char *s, struct score_expect *out,
    struct dd_err *err)
{
	const char *p, *name_start, *op_start, *bound_start, *end;
	char name[64], bound[64];
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
	if (score_metric_parse(name, &out->metric) != 0) {
		dd_err_set(err, "expectation '%s': unknown metric '%s' (known: "
		    "detection_s, failover_s, recovery_s, availability, "
		    "query_amplification)", s, name);
		return DD_EINVAL;
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
		    "%s)", s, bound, out->metric == SCORE_AVAILABILITY ?
		    "a number like 0.9 or 90%" : out->metric ==
		    SCORE_AMPLIFICATION ? "a number" :
		    "seconds, or a duration like 500ms");
		return DD_EINVAL;
	}
	snprintf(out->bound_text, sizeof(out->bound_text), "%s %s%s",
	    score_op_name(op), bound, out->if_disrupted ? " if disrupted" : "");
	return 0;
}

void
score_check(const struct score_expect *ex,
    const struct score_value metric[SCORE_METRIC_COUNT],
    struct score_check *out)
{
	const struct score_value *val;
	const char *name;
	char obs[32];
	bool pass = false;

	memset(out, 0, sizeof(*out));
	out->expect = *ex;
	name = score_metric_name(ex->metric);
	if ((unsigned)ex->metric >= SCORE_METRIC_COUNT) {
		snprintf(out->message, sizeof(out->message),
		    "unknown metric %d", (int)ex->metric);
		return;
	}
	val = &metric[ex->metric];
	if (!val->has) {
		snprintf(out->message, sizeof(out->message),
		    "%s never observed%s%s%s", name, val->why[0] ? " (" : "",
		    val->why, val->why[0] ? ")" : "");
		return;
	}
	out->has_observed = true;
	out->observed = val->v;
	switch (ex->op) {
	case SCORE_LT: pass = val->v < ex->bound; break;
	case SCORE_LE: pass = val->v <= ex->bound; break;
	case SCORE_GT: pass = val->v > ex->bound; break;
	case SCORE_GE: pass = val->v >= ex->bound; break;
	case SCORE_EQ: pass = val->v == ex->bound; break;
	}
	out->pass = pass;
	/* For people: six significant digits; result.json has the exact
	 * value in "observed". */
	snprintf(obs, sizeof(obs), "%.6g", val->v);
	if (pass)
		snprintf(out->message, sizeof(out->message), "%s = %s %s",
		    name, obs, ex->bound_text);
	else
		snprintf(out->message, sizeof(out->message),
		    "%s = %s, expected %s", name, obs, ex->bound_text);
}

/* ------------------------------------------------------------------ */
/* Metrics */

static void set_why(struct score_value *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_why(struct score_value *v, const char *fmt, ...)
{
	va_list ap;

	v->has = false;
	v->v = 0;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static void
set_val(struct score_value *v, double x)
{
	v->has = true;
	v->v = x;
	v->why[0] = '\0';
}

static double
secs(uint64_t from, uint64_t to)
{
	return (double)(to - from) / 1000.0;
}

/* Targets with a fault injected and not yet cleared, by source name.  A
 * run has a handful of fault targets, so a small array does. */
#define MAX_TARGETS 64

struct active {
	const char *name[MAX_TARGETS];
	size_t n;
	bool overflow; /* more targets than fit: never report "all clear" */
};

static void
active_add(struct active *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->name[i], name) == 0)
			return;
	if (a->n == MAX_TARGETS) {
		a->overflow = true;
		return;
	}
	a->name[a->n++] = name;
}

static void
active_del(struct active *a, const char *name)
{
	if (name[0] == '\0') {
		a->n = 0;
		a->overflow = false;
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->name[i], name) == 0) {
			a->name[i] = a->name[--a->n];
			return;
		}
	}
}

static void
find_fault(const struct elog *log, const struct score_defs *d,
    uint64_t horizon, struct score_result *r)
{
	size_t i, start_i = 0;
	struct active act = { .n = 0 };

	r->fault_found = false;
	r->fault_cleared = false;
	if (d->fault_start_set) {
		r->fault_found = true;
		r->fault_start_ms = d->fault_start_ms;
	} else {
		for (i = 0; i < log->n; i++) {
			const struct elog_ev *e = &log->ev[i];
			bool hit = d->fault_start.set ?
			    score_match(&d->fault_start, e) :
			    e->kind == ELOG_FAULT_INJECT;

			if (hit) {
				r->fault_found = true;
				r->fault_start_ms = e->t_ms;
				start_i = i;
				break;
			}
		}
	}
	if (!r->fault_found)
		return;

	if (d->fault_end_set) {
		if (d->fault_end_ms >= r->fault_start_ms) {
			r->fault_cleared = true;
			r->fault_end_ms = d->fault_end_ms;
		}
	} else if (d->fault_end.set) {
		for (i = 0; i < log->n; i++) {
			const struct elog_ev *e = &log->ev[i];

			if (e->t_ms >= r->fault_start_ms &&
			    score_match(&d->fault_end, e)) {
				r->fault_cleared = true;
				r->fault_end_ms = e->t_ms;
				break;
			}
		}
	} else {
		/* Follow inject/clear pairs per target from the start on. An
		 * explicit start time uses every inject before it too. */
		for (i = d->fault_start_set ? 0 : start_i; i < log->n; i++) {
			const struct elog_ev *e = &log->ev[i];

			if (e->kind == ELOG_FAULT_INJECT) {
				active_add(&act, e->source);
			} else if (e->kind == ELOG_FAULT_CLEAR) {
				active_del(&act, e->source);
				if (act.n == 0 && !act.overflow &&
				    e->t_ms >= r->fault_start_ms) {
					r->fault_cleared = true;
					r->fault_end_ms = e->t_ms;
					break;
				}
			}
		}
	}
	if (!r->fault_cleared)
		r->fault_end_ms = horizon > r->fault_start_ms ? horizon :
		    r->fault_start_ms;
}

/* Inside the fault window: [start, end), or [start, horizon] when the
 * fault was never cleared. */
static bool
in_fault(const struct score_result *r, uint64_t t)
{
	if (t < r->fault_start_ms)
		return false;
	return r->fault_cleared ? t < r->fault_end_ms : t <= r->fault_end_ms;
}

/*
 * First good event at index >= from_i with time >= from_t such that no bad
 * event falls in [T, T + stable) and T + stable <= limit.  Returns its
 * index, or -1.  good/bad come from the same matcher pair: for a probe,
 * good = ok result and bad = failed result; `lost` adds more bad events.
 */
static long
first_stable(const struct elog *log, const struct score_match *sig,
    const struct score_match *lost, uint64_t from_t, uint64_t limit,
    uint64_t stable)
{
	struct score_match good = *sig, bad = *sig;

	if (sig->kind == ELOG_PROBE) {
		good.outcome = SCORE_OK;
		bad.outcome = SCORE_FAIL;
	} else {
		bad.set = false;
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];
		bool spoiled = false;
		uint64_t wend;

		if (e->t_ms < from_t || !score_match(&good, e))
			continue;
		if (e->t_ms > UINT64_MAX - stable)
			return -1;
		wend = e->t_ms + stable;
		if (wend > limit)
			return -1; /* later candidates end later still */
		/* Events at T before this one in the log do not matter for
		 * order, but a bad event at the same ms does: look back. */
		for (size_t j = i; j-- > 0 && log->ev[j].t_ms == e->t_ms;) {
			if (score_match(&bad, &log->ev[j]) ||
			    score_match(lost, &log->ev[j]))
				spoiled = true;
		}
		for (size_t j = i + 1; j < log->n && log->ev[j].t_ms < wend;
		    j++) {
			if (score_match(&bad, &log->ev[j]) ||
			    score_match(lost, &log->ev[j])) {
				spoiled = true;
				break;
			}
		}
		if (!spoiled)
			return (long)i;
	}
	return -1;
}

static void
score_detection(const struct elog *log, const struct score_defs *d,
    const struct score_result *r, struct score_value *v)
{
	if (d->n_detect == 0 || d->detect == NULL) {
		set_why(v, "no detection event defined");
		return;
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];

		if (!in_fault(r, e->t_ms))
			continue;
		for (size_t k = 0; k < d->n_detect; k++) {
			if (score_match(&d->detect[k], e)) {
				set_val(v, secs(r->fault_start_ms, e->t_ms));
				return;
			}
		}
	}
	set_why(v, "no detection event during the fault");
}

static void
score_service(const struct elog *log, const struct score_defs *d,
    struct score_result *r)
{
	struct score_value *fo = &r->metric[SCORE_FAILOVER];
	struct score_value *av = &r->metric[SCORE_AVAILABILITY];
	struct score_match any;
	size_t total = 0, ok = 0;
	bool failed = false;
	uint64_t first_fail = 0;
	long t;

	if (!d->service.set || d->service.kind != ELOG_PROBE) {
		set_why(fo, "no service probe defined");
		set_why(av, "no service probe defined");
		return;
	}
	any = d->service;
	any.outcome = SCORE_ANY;
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];

		if (!in_fault(r, e->t_ms) || !score_match(&any, e))
			continue;
		total++;
		if (e->u.probe.ok) {
			ok++;
		} else if (!failed) {
			failed = true;
			first_fail = e->t_ms;
		}
	}
	r->service_disrupted = failed;
	if (total == 0) {
		set_why(fo, "no service probe results during the fault");
		set_why(av, "no service probe results during the fault");
		return;
	}
	set_val(av, (double)ok / (double)total);
	if (!failed) {
		set_val(fo, 0);
		return;
	}
	/* Stable window must close while the fault holds: limit is the fault
	 * end (the horizon when never cleared). */
	t = first_stable(log, &any, NULL, first_fail, r->fault_end_ms,
	    d->stable_ms);
	if (t < 0 || !in_fault(r, log->ev[t].t_ms)) {
		set_why(fo, "service never stable again during the fault");
		return;
	}
	set_val(fo, secs(r->fault_start_ms, log->ev[t].t_ms));
}

static void
score_recovery(const struct elog *log, const struct score_defs *d,
    const struct score_result *r, uint64_t horizon, struct score_value *v)
{
	struct score_match any;
	long t;

	if (!d->primary.set) {
		set_why(v, "no primary-path event defined");
		return;
	}
	if (!r->fault_cleared) {
		set_why(v, "fault never cleared");
		return;
	}
	any = d->primary;
	any.outcome = SCORE_ANY;
	t = first_stable(log, &any, &d->primary_lost, r->fault_end_ms, horizon,
	    d->stable_ms);
	if (t < 0) {
		set_why(v, "primary path never stable after the fault");
		return;
	}
	if (any.kind == ELOG_PROBE) {
		/* A primary-path probe that never failed since the fault began
		 * says the SUT never left its primary path. */
		struct score_match bad = any;
		bool left = false;

		bad.outcome = SCORE_FAIL;
		for (long i = 0; i < t && !left; i++)
			if (log->ev[i].t_ms >= r->fault_start_ms &&
			    (score_match(&bad, &log->ev[i]) ||
			    score_match(&d->primary_lost, &log->ev[i])))
				left = true;
		if (!left) {
			set_val(v, 0);
			return;
		}
	}
	set_val(v, secs(r->fault_end_ms, log->ev[t].t_ms));
}

static void
score_amplification(const struct elog *log, const struct score_defs *d,
    const struct score_result *r, struct score_value *v)
{
	double base_sum = 0, fault_sum = 0;
	size_t base_n = 0, fault_n = 0;

	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];
		uint64_t from;

		if (d->rate.set ? !score_match(&d->rate, e) : e->kind != ELOG_RATE)
			continue;
		if (e->kind != ELOG_RATE)
			continue;
		from = e->t_ms > e->u.rate.window_ms ?
		    e->t_ms - e->u.rate.window_ms : 0;
		if (e->t_ms <= r->fault_start_ms) {
			base_sum += e->u.rate.qps;
			base_n++;
		} else if (from >= r->fault_start_ms &&
		    (!r->fault_cleared || e->t_ms <= r->fault_end_ms)) {
			fault_sum += e->u.rate.qps;
			fault_n++;
		}
	}
	if (base_n == 0) {
		set_why(v, "no query-rate samples before the fault");
		return;
	}
	if (fault_n == 0) {
		set_why(v, "no query-rate samples during the fault");
		return;
	}
	if (base_sum <= 0) {
		set_why(v, "baseline query rate is 0");
		return;
	}
	set_val(v, (fault_sum / (double)fault_n) / (base_sum / (double)base_n));
}

/* query_amplification at each of defs->amp_links into out->links.  0 or
 * DD_ENOMEM. */
static int
score_links(const struct elog *log, const struct score_defs *d,
    struct score_result *out)
{
	if (d->n_amp_links == 0)
		return 0;
	if (d->amp_links == NULL)
		return DD_EINVAL;
	out->links = calloc(d->n_amp_links, sizeof(*out->links));
	if (out->links == NULL)
		return DD_ENOMEM;
	out->n_links = d->n_amp_links;
	for (size_t i = 0; i < d->n_amp_links; i++) {
		struct score_link *l = &out->links[i];
		struct score_defs one = *d;

		snprintf(l->link, sizeof(l->link), "%s",
		    d->amp_links[i] ? d->amp_links[i] : "");
		if (!out->fault_found) {
			set_why(&l->amplification, "no fault start in the log");
			continue;
		}
		one.rate = (struct score_match){ .set = true, .kind = ELOG_RATE,
		    .source = l->link };
		score_amplification(log, &one, out, &l->amplification);
	}
	return 0;
}

int
score_run(const struct elog *log, const struct score_defs *defs,
    struct score_result *out)
{
	int rc;

	uint64_t horizon;

	if (log == NULL || defs == NULL || out == NULL)
		return DD_EINVAL;
	memset(out, 0, sizeof(*out));
	horizon = defs->horizon_ms ? defs->horizon_ms : elog_last_ms(log);

	find_fault(log, defs, horizon, out);
	if (!out->fault_found) {
		for (int m = 0; m < SCORE_METRIC_COUNT; m++)
			set_why(&out->metric[m], "no fault start in the log");
	} else {
		score_detection(log, defs, out, &out->metric[SCORE_DETECTION]);
		score_service(log, defs, out);
		score_recovery(log, defs, out, horizon,
		    &out->metric[SCORE_RECOVERY]);
		score_amplification(log, defs, out,
		    &out->metric[SCORE_AMPLIFICATION]);
	}

	out->pass = true;
	if (defs->n_expect > 0) {
		if (defs->expect == NULL)
			return DD_EINVAL;
		out->checks = calloc(defs->n_expect, sizeof(*out->checks));
		if (out->checks == NULL)
			return DD_ENOMEM;
		out->n_checks = defs->n_expect;
		for (size_t i = 0; i < defs->n_expect; i++) {
			score_check(&defs->expect[i], out->metric,
			    &out->checks[i]);
			if (defs->expect[i].if_disrupted && !out->service_disrupted &&
			    !out->checks[i].pass) {
				out->checks[i].pass = true;
				snprintf(out->checks[i].message,
				    sizeof(out->checks[i].message),
				    "%s not required: the service was never "
				    "disrupted", score_metric_name(
				    defs->expect[i].metric));
			}
			if (!out->checks[i].pass)
				out->pass = false;
		}
	}
	if ((rc = score_links(log, defs, out)) < 0) {
		score_result_fini(out);
		return rc;
	}
	return 0;
}

void
score_result_fini(struct score_result *res)
{
	if (res == NULL)
		return;
	free(res->checks);
	res->checks = NULL;
	res->n_checks = 0;
	free(res->links);
	res->links = NULL;
	res->n_links = 0;
}
