/*
 * score.c -- metrics and verdict from an event log (expectations are read
 * by score_expect.c).  The definitions live in
 * score.h; this file says why where the choice is not obvious.  Every scan
 * is linear over the (time-ordered) log, and nothing here reads a clock.
 */
#include "model/score.h"

#include "lib/util.h"

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
	[SCORE_AVAILABILITY_WORST] = "availability_worst",
	[SCORE_AVAILABILITY_MEAN] = "availability_mean",
	[SCORE_LATENCY_P50] = "latency_p50_ms",
	[SCORE_LATENCY_P95] = "latency_p95_ms",
	[SCORE_LATENCY_P99] = "latency_p99_ms",
	[SCORE_BASE_LATENCY_P50] = "baseline_latency_p50_ms",
	[SCORE_BASE_LATENCY_P95] = "baseline_latency_p95_ms",
	[SCORE_BASE_LATENCY_P99] = "baseline_latency_p99_ms",
	[SCORE_SLOWDOWN] = "slowdown",
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

bool
score_metric_per_probe(enum score_metric m)
{
	switch (m) {
	case SCORE_AVAILABILITY:
	case SCORE_FAILOVER:
	case SCORE_RECOVERY:
	case SCORE_LATENCY_P50:
	case SCORE_LATENCY_P95:
	case SCORE_LATENCY_P99:
	case SCORE_BASE_LATENCY_P50:
	case SCORE_BASE_LATENCY_P95:
	case SCORE_BASE_LATENCY_P99:
	case SCORE_SLOWDOWN:
		return true;
	default:
		return false;
	}
}

const char *
score_metric_label(enum score_metric m, const char *probe, char *buf,
    size_t len)
{
	if (len == 0)
		return buf;
	if (probe != NULL && probe[0] != '\0')
		snprintf(buf, len, "%s.%s", score_metric_name(m), probe);
	else
		snprintf(buf, len, "%s", score_metric_name(m));
	return buf;
}

bool
score_expect_on_metric(const struct score_expect *ex)
{
	return ex != NULL && ex->counter == SCORE_COUNTER_NONE &&
	    ex->link[0] == '\0' && (unsigned)ex->metric < SCORE_METRIC_COUNT;
}

const char *
score_expect_label(const struct score_expect *ex, char *buf, size_t len)
{
	char inner[2 * ELOG_SOURCE_MAX + 48];

	if (len == 0)
		return buf;
	if (ex->counter == SCORE_COUNTER_QUERIES)
		snprintf(inner, sizeof(inner), "dns_queries.%s", ex->server);
	else if (ex->counter == SCORE_COUNTER_ANSWERS)
		snprintf(inner, sizeof(inner), "dns_answers.%s.%s", ex->server,
		    ex->action);
	else if (ex->link[0] != '\0')
		snprintf(inner, sizeof(inner), "%s.%s",
		    score_metric_name(ex->metric), ex->link);
	else
		score_metric_label(ex->metric, ex->probe, inner,
		    sizeof(inner));
	if (ex->has_stat)
		snprintf(buf, len, "%s(%s)", dist_which_name(ex->stat), inner);
	else
		snprintf(buf, len, "%s", inner);
	return buf;
}

const char *
score_op_name(enum score_op op)
{
	if ((unsigned)op >= DD_ARRAY_LEN(op_names))
		return "?";
	return op_names[op];
}

/* score_match() with the matcher's outcome replaced by outcome. */
static bool
match_as(const struct score_match *m, const struct elog_ev *e,
    enum score_outcome outcome)
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
		if (outcome == SCORE_OK && !e->u.probe.ok)
			return false;
		if (outcome == SCORE_FAIL && e->u.probe.ok)
			return false;
	}
	return true;
}

bool
score_match(const struct score_match *m, const struct elog_ev *e)
{
	return m != NULL && match_as(m, e, m->outcome);
}

bool
score_op_holds(enum score_op op, double v, double bound)
{
	switch (op) {
	case SCORE_LT: return v < bound;
	case SCORE_LE: return v <= bound;
	case SCORE_GT: return v > bound;
	case SCORE_GE: return v >= bound;
	case SCORE_EQ: return v == bound;
	}
	return false;
}

bool
score_bound_breaks(enum score_op op, double at_least, double bound)
{
	switch (op) {
	case SCORE_LT: return at_least >= bound;
	case SCORE_LE: return at_least > bound;
	case SCORE_EQ: return at_least > bound;
	default: return false;
	}
}

static void check_value(const struct score_expect *ex,
    const struct score_value *val, struct score_check *out);

void
score_check(const struct score_expect *ex,
    const struct score_value metric[SCORE_METRIC_COUNT],
    struct score_check *out)
{

	memset(out, 0, sizeof(*out));
	out->expect = *ex;
	if ((unsigned)ex->metric >= SCORE_METRIC_COUNT) {
		snprintf(out->message, sizeof(out->message),
		    "unknown metric %d", (int)ex->metric);
		return;
	}
	check_value(ex, &metric[ex->metric], out);
}

/* Check ex against the one value val; fills *out. */
static void
check_value(const struct score_expect *ex, const struct score_value *val,
    struct score_check *out)
{
	char name[2 * ELOG_SOURCE_MAX + 48];
	char obs[48];
	bool pass = false;
	/* "in incident time": real seconds times the run's speed */
	double scale = ex->incident && ex->speed > 0 ? ex->speed : 1;

	memset(out, 0, sizeof(*out));
	out->expect = *ex;
	score_expect_label(ex, name, sizeof(name));
	if (!val->has && val->censored) {
		/* Never a pass: either the bound is already broken, or the
		 * run ended before it could be told. */
		out->censored = true;
		out->at_least = val->at_least * scale;
		snprintf(out->message, sizeof(out->message),
		    "%s never observed: %s, expected %s%s", name, val->why,
		    ex->bound_text, score_bound_breaks(ex->op, out->at_least,
		    ex->bound) ? "" : " (undecided: counted as a failure)");
		return;
	}
	if (!val->has) {
		snprintf(out->message, sizeof(out->message),
		    "%s never observed%s%s%s", name, val->why[0] ? " (" : "",
		    val->why, val->why[0] ? ")" : "");
		return;
	}
	out->has_observed = true;
	/* to the microsecond: 0.856 x 360 is 308.16, not 308.15999999999997 */
	out->observed = scale != 1 ? round(val->v * scale * 1e6) / 1e6 : val->v;
	pass = score_op_holds(ex->op, out->observed, ex->bound);
	out->pass = pass;
	/* For people: six significant digits; result.json has the exact
	 * value in "observed".  In incident time, the real seconds too. */
	if (ex->incident)
		snprintf(obs, sizeof(obs), "%.6g (%.6g s real)", out->observed,
		    val->v);
	else
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
 * A signal: events that say "in the state" (good) and "not in it" (bad).
 * For a probe matcher an ok result is good and a failed one bad; any other
 * matcher's events are good; lost (optional) adds bad events.  Several
 * matchers make one signal (a service of several probes).
 */
struct signal {
	const struct score_match *m;
	size_t n;
	const struct score_match *lost; /* NULL or unset: none */
};

/* e is a result of one of the signal's probes, or a match of another of
 * its matchers (outcome ignored). */
static bool
sig_any(const struct signal *s, const struct elog_ev *e)
{
	for (size_t k = 0; k < s->n; k++)
		if (match_as(&s->m[k], e, SCORE_ANY))
			return true;
	return false;
}

static bool
sig_good(const struct signal *s, const struct elog_ev *e)
{
	return sig_any(s, e) && (e->kind != ELOG_PROBE || e->u.probe.ok);
}

static bool
sig_bad(const struct signal *s, const struct elog_ev *e)
{
	if (e->kind == ELOG_PROBE && !e->u.probe.ok) {
		for (size_t k = 0; k < s->n; k++)
			if (s->m[k].kind == ELOG_PROBE &&
			    match_as(&s->m[k], e, SCORE_ANY))
				return true;
	}
	return s->lost != NULL && score_match(s->lost, e);
}

/*
 * First good event with time in [from_t, limit] such that no bad event
 * falls in [T, T + stable) and T + stable <= limit.  Returns its index, or
 * -1 and in *undecided the earliest time the state could still have become
 * stable from, had the watch gone on past limit: the first good event whose
 * window runs past limit unspoiled (no bad event in [T, limit]), else limit
 * itself.  That is the lower bound of a censored metric.
 */
static long
first_stable(const struct elog *log, const struct signal *s, uint64_t from_t,
    uint64_t limit, uint64_t stable, uint64_t *undecided)
{
	*undecided = limit > from_t ? limit : from_t;
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];
		bool spoiled = false, open;
		uint64_t wend;

		if (e->t_ms < from_t || !sig_good(s, e))
			continue;
		if (e->t_ms > limit)
			break;
		wend = e->t_ms > UINT64_MAX - stable ? UINT64_MAX :
		    e->t_ms + stable;
		/* a window past limit can only be spoiled by what was seen */
		open = wend > limit;
		/* Events at T before this one in the log do not matter for
		 * order, but a bad event at the same ms does: look back. */
		for (size_t j = i; j-- > 0 && log->ev[j].t_ms == e->t_ms;)
			if (sig_bad(s, &log->ev[j]))
				spoiled = true;
		for (size_t j = i + 1; !spoiled && j < log->n &&
		    (open ? log->ev[j].t_ms <= limit : log->ev[j].t_ms < wend);
		    j++)
			if (sig_bad(s, &log->ev[j]))
				spoiled = true;
		if (spoiled)
			continue;
		if (!open)
			return (long)i;
		*undecided = e->t_ms;
		return -1;
	}
	return -1;
}

static void set_why(struct score_value *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_censored(struct score_value *v, double at_least,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_why(struct score_value *v, const char *fmt, ...)
{
	va_list ap;

	memset(v, 0, sizeof(*v));
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

/* Not observed, but watched for at_least seconds without seeing it; fmt
 * takes at_least first ("not recovered within %.6g s: ..."). */
static void
set_censored(struct score_value *v, double at_least, const char *fmt, ...)
{
	va_list ap;

	memset(v, 0, sizeof(*v));
	v->censored = true;
	v->at_least = at_least;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static void
set_val(struct score_value *v, double x)
{
	memset(v, 0, sizeof(*v));
	v->has = true;
	v->v = x;
}

static double
secs(uint64_t from, uint64_t to)
{
	return to > from ? (double)(to - from) / 1000.0 : 0.0;
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
	/* the whole window was watched: not detected within it */
	set_censored(v, secs(r->fault_start_ms, r->fault_end_ms),
	    "not detected within %.6g s: no detection event during the "
	    "fault%s", secs(r->fault_start_ms, r->fault_end_ms),
	    r->fault_cleared ? "" : " (the run ended first)");
}

/*
 * failover_s and availability of a service made of the probes m[0..n)
 * (what: "service" or "probe", for the reasons).  *disrupted (may be NULL):
 * one of them failed in the window.
 */
static void
probe_service(const struct elog *log, const struct score_result *r,
    const struct score_match *m, size_t n, uint64_t stable,
    const char *what, struct score_value *fo, struct score_value *av,
    bool *disrupted)
{
	struct signal sig = { m, n, NULL };
	size_t total = 0, ok = 0;
	bool failed = false;
	uint64_t first_fail = 0, undecided;
	long t;

	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];

		if (e->kind != ELOG_PROBE || !in_fault(r, e->t_ms) ||
		    !sig_any(&sig, e))
			continue;
		total++;
		if (e->u.probe.ok) {
			ok++;
		} else if (!failed) {
			failed = true;
			first_fail = e->t_ms;
		}
	}
	if (disrupted != NULL)
		*disrupted = failed;
	if (total == 0) {
		set_why(fo, "no %s probe results during the fault", what);
		set_why(av, "no %s probe results during the fault", what);
		return;
	}
	set_val(av, (double)ok / (double)total);
	if (!failed) {
		set_val(fo, 0);
		return;
	}
	/* Stable window must close while the fault holds: limit is the fault
	 * end (the horizon when never cleared). */
	t = first_stable(log, &sig, first_fail, r->fault_end_ms, stable,
	    &undecided);
	if (t >= 0 && in_fault(r, log->ev[t].t_ms)) {
		set_val(fo, secs(r->fault_start_ms, log->ev[t].t_ms));
		return;
	}
	if (t >= 0)
		undecided = r->fault_end_ms;
	set_censored(fo, secs(r->fault_start_ms, undecided),
	    "no failover within %.6g s: %s never stable again during the "
	    "fault", secs(r->fault_start_ms, undecided), what);
}

/* The service's probes: defs->services, else defs->service alone.  0 when
 * none is defined or one is not a probe. */
static size_t
service_probes(const struct score_defs *d, const struct score_match **out)
{
	const struct score_match *m = d->services;
	size_t n = d->n_services;

	if (n == 0 || m == NULL) {
		m = &d->service;
		n = d->service.set ? 1 : 0;
	}
	for (size_t k = 0; k < n; k++)
		if (!m[k].set || m[k].kind != ELOG_PROBE)
			return 0;
	*out = m;
	return n;
}

/* availability_worst and availability_mean over the service probes. */
static void
score_partial(const struct elog *log, const struct score_match *m,
    size_t n, const struct score_result *r, struct score_value *worst,
    struct score_value *mean)
{
	double lo = 1.0, sum = 0.0;

	if (n == 0) {
		set_why(worst, "no service probe defined");
		set_why(mean, "no service probe defined");
		return;
	}
	for (size_t k = 0; k < n; k++) {
		size_t total = 0, ok = 0;
		double a;

		for (size_t i = 0; i < log->n; i++) {
			const struct elog_ev *e = &log->ev[i];

			if (e->kind != ELOG_PROBE || !in_fault(r, e->t_ms) ||
			    !match_as(&m[k], e, SCORE_ANY))
				continue;
			total++;
			ok += e->u.probe.ok;
		}
		if (total == 0) {
			set_why(worst, "service probe '%s' had no results "
			    "during the fault", m[k].source ? m[k].source : "");
			set_why(mean, "service probe '%s' had no results "
			    "during the fault", m[k].source ? m[k].source : "");
			return;
		}
		a = (double)ok / (double)total;
		lo = a < lo ? a : lo;
		sum += a;
	}
	set_val(worst, lo);
	set_val(mean, sum / (double)n);
}

/* failover_s from the SUT's own signal (not a probe): the first stable
 * match from the fault start, within the fault. */
static void
failover_signal(const struct elog *log, const struct score_defs *d,
    const struct score_result *r, bool service_seen, struct score_value *fo)
{
	struct signal sig = { &d->failover, 1, NULL };
	uint64_t undecided;
	long t;

	t = first_stable(log, &sig, r->fault_start_ms, r->fault_end_ms,
	    d->stable_ms, &undecided);
	if (t >= 0 && in_fault(r, log->ev[t].t_ms)) {
		set_val(fo, secs(r->fault_start_ms, log->ev[t].t_ms));
		return;
	}
	if (service_seen && !r->service_disrupted) {
		/* no failover needed: the service never went down */
		set_val(fo, 0);
		return;
	}
	if (t >= 0)
		undecided = r->fault_end_ms;
	set_censored(fo, secs(r->fault_start_ms, undecided),
	    "no failover within %.6g s: no stable failover event during the "
	    "fault", secs(r->fault_start_ms, undecided));
}

static void
score_service(const struct elog *log, const struct score_defs *d,
    struct score_result *r)
{
	struct score_value *fo = &r->metric[SCORE_FAILOVER];
	struct score_value *av = &r->metric[SCORE_AVAILABILITY];
	const struct score_match *m = NULL;
	size_t n = service_probes(d, &m);

	if (n == 0) {
		set_why(fo, "no service probe defined");
		set_why(av, "no service probe defined");
	} else {
		probe_service(log, r, m, n, d->stable_ms, "service", fo, av,
		    &r->service_disrupted);
	}
	score_partial(log, m, n, r, &r->metric[SCORE_AVAILABILITY_WORST],
	    &r->metric[SCORE_AVAILABILITY_MEAN]);
	if (!d->failover.set)
		return;
	if (d->failover.kind == ELOG_PROBE) {
		struct score_value unused;

		probe_service(log, r, &d->failover, 1, d->stable_ms,
		    "failover", fo, &unused, NULL);
	} else {
		failover_signal(log, d, r, av->has, fo);
	}
}

/*
 * recovery_s of the primary-path matcher (lost: primary_lost, may be NULL)
 * with limit horizon.
 */
static void
recovery_of(const struct elog *log, const struct score_match *primary,
    const struct score_match *lost, uint64_t stable,
    const struct score_result *r, uint64_t horizon, struct score_value *v)
{
	struct signal sig = { primary, 1, lost };
	uint64_t undecided;
	long t;

	if (!primary->set) {
		set_why(v, "no primary-path event defined");
		return;
	}
	if (!r->fault_cleared) {
		set_why(v, "fault never cleared");
		return;
	}
	if (primary->kind != ELOG_PROBE && lost != NULL && lost->set) {
		/* The SUT says where it is: did it leave, and was it back
		 * by the fault end? */
		bool left = false, back = false, spoiled = false;

		for (size_t i = 0; i < log->n; i++) {
			const struct elog_ev *e = &log->ev[i];

			if (e->t_ms < r->fault_start_ms)
				continue;
			if (score_match(lost, e)) {
				left = true;
				if (e->t_ms < r->fault_end_ms)
					back = false;
				else if (e->t_ms < r->fault_end_ms + stable)
					spoiled = true;
			} else if (e->t_ms < r->fault_end_ms &&
			    score_match(primary, e)) {
				back = true;
			}
		}
		if (!left || (back && !spoiled &&
		    r->fault_end_ms + stable <= horizon)) {
			set_val(v, 0);
			return;
		}
		if (back && !spoiled) {
			set_censored(v, 0, "not recovered within 0 s: back on "
			    "the primary path at the fault end, but the run "
			    "ended before it held for the stable window");
			return;
		}
	}
	t = first_stable(log, &sig, r->fault_end_ms, horizon, stable,
	    &undecided);
	if (t < 0) {
		set_censored(v, secs(r->fault_end_ms, undecided),
		    "not recovered within %.6g s: primary path never stable "
		    "after the fault (the run ended)",
		    secs(r->fault_end_ms, undecided));
		return;
	}
	if (primary->kind == ELOG_PROBE) {
		/* A primary-path probe that never failed since the fault began
		 * says the SUT never left its primary path. */
		bool left = false;

		for (long i = 0; i < t && !left; i++)
			if (log->ev[i].t_ms >= r->fault_start_ms &&
			    sig_bad(&sig, &log->ev[i]))
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

/* ------------------------------------------------------------------ */
/* Latency */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least pct% of the n sorted
 * values at or below it. */
static double
percentile(const double *v, size_t n, unsigned pct)
{
	size_t rank = (pct * n + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

static void
set_percentiles(struct score_value *out, const enum score_metric which[3],
    double *v, size_t n, const char *when)
{
	static const unsigned pct[3] = { 50, 95, 99 };

	qsort(v, n, sizeof(*v), cmp_double);
	for (int k = 0; k < 3; k++) {
		if (n == 0)
			set_why(&out[which[k]], "no ok latency probe results %s",
			    when);
		else
			set_val(&out[which[k]], percentile(v, n, pct[k]));
	}
}

/*
 * latency_pNN_ms, baseline_latency_pNN_ms and slowdown of the ok results
 * of the probes m[0..n) into out[].  Returns 0 or DD_ENOMEM.
 */
static int
latency_of(const struct elog *log, const struct score_match *m, size_t n,
    const struct score_result *r, struct score_value *out)
{
	static const enum score_metric fault_m[3] = { SCORE_LATENCY_P50,
	    SCORE_LATENCY_P95, SCORE_LATENCY_P99 };
	static const enum score_metric base_m[3] = { SCORE_BASE_LATENCY_P50,
	    SCORE_BASE_LATENCY_P95, SCORE_BASE_LATENCY_P99 };
	struct signal sig = { m, n, NULL };
	double *base = NULL, *fault = NULL;
	size_t nb = 0, nf = 0, cap = 0;

	if (n == 0 || m == NULL) {
		for (int k = 0; k < 3; k++) {
			set_why(&out[fault_m[k]], "no latency probe defined");
			set_why(&out[base_m[k]], "no latency probe defined");
		}
		set_why(&out[SCORE_SLOWDOWN], "no latency probe defined");
		return 0;
	}
	for (size_t i = 0; i < log->n; i++)
		cap += log->ev[i].kind == ELOG_PROBE;
	if (cap > 0 && ((base = malloc(cap * sizeof(*base))) == NULL ||
	    (fault = malloc(cap * sizeof(*fault))) == NULL)) {
		free(base);
		return DD_ENOMEM;
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];

		if (e->kind != ELOG_PROBE || !e->u.probe.ok ||
		    !sig_any(&sig, e) || !isfinite(e->u.probe.latency_ms))
			continue;
		if (e->t_ms < r->fault_start_ms)
			base[nb++] = e->u.probe.latency_ms;
		else if (in_fault(r, e->t_ms))
			fault[nf++] = e->u.probe.latency_ms;
	}
	set_percentiles(out, fault_m, fault, nf, "during the fault");
	set_percentiles(out, base_m, base, nb, "before the fault");
	free(base);
	free(fault);
	if (!out[SCORE_LATENCY_P50].has || !out[SCORE_BASE_LATENCY_P50].has)
		set_why(&out[SCORE_SLOWDOWN], "%s",
		    out[SCORE_LATENCY_P50].has ? out[SCORE_BASE_LATENCY_P50].why :
		    out[SCORE_LATENCY_P50].why);
	else if (out[SCORE_BASE_LATENCY_P50].v <= 0)
		set_why(&out[SCORE_SLOWDOWN], "baseline latency is 0");
	else
		set_val(&out[SCORE_SLOWDOWN], out[SCORE_LATENCY_P50].v /
		    out[SCORE_BASE_LATENCY_P50].v);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Per probe */

/* Every probe with a result in the log, in order of first result, with
 * its own figures.  Returns 0 or DD_ENOMEM. */
static int
score_probes(const struct elog *log, const struct score_defs *d,
    uint64_t horizon, struct score_result *r)
{
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];
		struct score_probe *p, *grown;
		struct score_match m = { .set = true, .kind = ELOG_PROBE };
		size_t k;
		int rc;

		if (e->kind != ELOG_PROBE)
			continue;
		for (k = 0; k < r->n_probes; k++)
			if (strcmp(r->probes[k].name, e->source) == 0)
				break;
		if (k < r->n_probes)
			continue;
		grown = realloc(r->probes, (r->n_probes + 1) * sizeof(*grown));
		if (grown == NULL)
			return DD_ENOMEM;
		r->probes = grown;
		p = &r->probes[r->n_probes++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", e->source);
		if (!r->fault_found) {
			for (int mm = 0; mm < SCORE_METRIC_COUNT; mm++)
				if (score_metric_per_probe((enum score_metric)mm))
					set_why(&p->metric[mm],
					    "no fault start in the log");
			continue;
		}
		m.source = p->name;
		probe_service(log, r, &m, 1, d->stable_ms, "probe",
		    &p->metric[SCORE_FAILOVER], &p->metric[SCORE_AVAILABILITY],
		    NULL);
		recovery_of(log, &m, NULL, d->stable_ms, r, horizon,
		    &p->metric[SCORE_RECOVERY]);
		if ((rc = latency_of(log, &m, 1, r, p->metric)) != 0)
			return rc;
	}
	return 0;
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

/* ------------------------------------------------------------------ */
/* faultd's counters over the fault */

/* The time a reading stands for (score.h, "faultd's counters"): an inject
 * reading at the injection before it, a phase reading at the phase start
 * before it, a clear reading at the clear after it, any other when it was
 * taken. */
static uint64_t
reading_at(const struct elog *log, const struct elog_stats *st)
{
	uint64_t at = st->t_ms;

	if (st->why == ELOG_STATS_INJECT || st->why == ELOG_STATS_PHASE) {
		enum elog_kind k = st->why == ELOG_STATS_INJECT ?
		    ELOG_FAULT_INJECT : ELOG_PHASE_START;

		for (size_t i = 0; i < log->n && log->ev[i].t_ms <= st->t_ms; i++)
			if (log->ev[i].kind == k)
				at = log->ev[i].t_ms;
	} else if (st->why == ELOG_STATS_CLEAR) {
		for (size_t i = 0; i < log->n; i++)
			if (log->ev[i].kind == ELOG_FAULT_CLEAR &&
			    log->ev[i].t_ms >= st->t_ms)
				return log->ev[i].t_ms;
	}
	return at;
}

/* The counter's value in one reading; false when it has none. */
static bool
counter_in(const struct elog_stats *st, enum score_counter which,
    const char *action, uint64_t *v)
{
	const struct elog_count *c = which == SCORE_COUNTER_QUERIES ?
	    st->counters : st->actions;
	size_t n = which == SCORE_COUNTER_QUERIES ? st->n_counters :
	    st->n_actions;
	const char *want = which == SCORE_COUNTER_QUERIES ? "queries" : action;

	for (size_t i = 0; c != NULL && want != NULL && i < n; i++)
		if (c[i].name != NULL && strcmp(c[i].name, want) == 0) {
			*v = c[i].value;
			return true;
		}
	return false;
}

/* The readings of server the counters over the fault subtract (score.h,
 * "Counters"), with the times they stand for, and its first reading (the
 * baseline's start).  false, with out's why set, when there are none. */
struct counter_span {
	const struct elog_stats *first, *from, *to;
	uint64_t first_at, from_at, to_at;
};

static bool
counter_span(const struct elog *log, const struct score_result *r,
    const char *server, struct counter_span *sp, struct score_value *out)
{
	const struct elog_stats *end = NULL;
	uint64_t end_at = 0;
	bool any = false;

	memset(sp, 0, sizeof(*sp));
	if (!r->fault_found) {
		set_why(out, "no fault start in the log");
		return false;
	}
	for (size_t i = 0; i < log->n_stats; i++) {
		const struct elog_stats *st = &log->stats[i];
		uint64_t at;

		if (st->dns == NULL || strcmp(st->dns, server) != 0 ||
		    st->error != NULL)
			continue;
		at = reading_at(log, st);
		if (!any) {
			sp->first = st;
			sp->first_at = at;
		}
		any = true;
		if (at <= r->fault_start_ms &&
		    (sp->from == NULL || at >= sp->from_at)) {
			sp->from = st;
			sp->from_at = at;
		}
		if (r->fault_cleared && at >= r->fault_end_ms && sp->to == NULL) {
			sp->to = st;
			sp->to_at = at;
		}
		if (st->why == ELOG_STATS_END) {
			end = st;
			end_at = at;
		}
	}
	if (!r->fault_cleared) {
		sp->to = end;
		sp->to_at = end_at;
	}
	if (!any) {
		set_why(out, "faultd '%s' was never read", server);
		return false;
	}
	if (sp->from == NULL) {
		set_why(out, "no reading of faultd '%s' at the fault start",
		    server);
		return false;
	}
	if (sp->to == NULL) {
		set_why(out, "no reading of faultd '%s' at the fault end%s",
		    server, r->fault_cleared ? "" : " (never cleared, no end "
		    "reading)");
		return false;
	}
	return true;
}

/* The growth of the counter from reading a to reading b into out. */
static void
counter_growth(const struct elog_stats *a, const struct elog_stats *b,
    enum score_counter which, const char *server, const char *action,
    struct score_value *out)
{
	const char *what = which == SCORE_COUNTER_QUERIES ? "queries" : action;
	uint64_t x, y;

	if (!counter_in(a, which, action, &x) ||
	    !counter_in(b, which, action, &y)) {
		set_why(out, "faultd '%s' has no %s%s counter", server,
		    which == SCORE_COUNTER_ANSWERS ? "answers with action " : "",
		    what);
		return;
	}
	if (y < x) {
		set_why(out, "faultd '%s''s %s went down (%llu to %llu): "
		    "restarted?", server, what, (unsigned long long)x,
		    (unsigned long long)y);
		return;
	}
	set_val(out, (double)(y - x));
}

void
score_counter_over(const struct elog *log, const struct score_result *r,
    enum score_counter which, const char *server, const char *action,
    struct score_value *out)
{
	struct counter_span sp;
	const char *what = which == SCORE_COUNTER_QUERIES ? "queries" : action;

	memset(out, 0, sizeof(*out));
	if (log == NULL || r == NULL || server == NULL ||
	    (which != SCORE_COUNTER_QUERIES && which != SCORE_COUNTER_ANSWERS) ||
	    what == NULL) {
		set_why(out, "no such counter");
		return;
	}
	if (counter_span(log, r, server, &sp, out))
		counter_growth(sp.from, sp.to, which, server, action, out);
}

void
score_authority(const struct elog *log, const struct score_result *r,
    const char *server, struct score_authority *out)
{
	struct counter_span sp;
	double fault_qps, base_qps;

	memset(out, 0, sizeof(*out));
	if (server != NULL)
		snprintf(out->dns, sizeof(out->dns), "%s", server);
	if (log == NULL || r == NULL || server == NULL) {
		set_why(&out->queries, "no such server");
		set_why(&out->baseline, "no such server");
		set_why(&out->ratio, "no such server");
		return;
	}
	if (!counter_span(log, r, server, &sp, &out->queries)) {
		/* the same reason for all three: nothing to subtract */
		out->baseline = out->queries;
		out->ratio = out->queries;
		return;
	}
	counter_growth(sp.from, sp.to, SCORE_COUNTER_QUERIES, server, NULL,
	    &out->queries);
	out->fault_s = secs(sp.from_at, sp.to_at);
	if (sp.first == sp.from || sp.first_at >= sp.from_at)
		set_why(&out->baseline, "no reading of faultd '%s' before "
		    "the fault start's", server);
	else
		counter_growth(sp.first, sp.from, SCORE_COUNTER_QUERIES,
		    server, NULL, &out->baseline);
	if (out->baseline.has)
		out->baseline_s = secs(sp.first_at, sp.from_at);
	if (!out->queries.has || !out->baseline.has) {
		set_why(&out->ratio, "%s", !out->queries.has ?
		    "no queries over the fault" : "no baseline");
		return;
	}
	if (out->fault_s <= 0) {
		set_why(&out->ratio, "the fault's readings are at the same "
		    "time");
		return;
	}
	if (out->baseline.v <= 0) {
		set_why(&out->ratio, "no queries in the baseline");
		return;
	}
	fault_qps = out->queries.v / out->fault_s;
	base_qps = out->baseline.v / out->baseline_s;
	set_val(&out->ratio, fault_qps / base_qps);
}

/* Every faultd read in the log (in the order first read): its queries
 * over the fault and the baseline.  0 or DD_ENOMEM. */
static int
score_authorities(const struct elog *log, struct score_result *out)
{
	for (size_t i = 0; i < log->n_stats; i++) {
		const char *dns = log->stats[i].dns;
		bool seen = false;
		struct score_authority *grown;

		if (dns == NULL)
			continue;
		for (size_t k = 0; k < out->n_authority && !seen; k++)
			seen = strcmp(out->authority[k].dns, dns) == 0;
		if (seen)
			continue;
		grown = realloc(out->authority,
		    (out->n_authority + 1) * sizeof(*grown));
		if (grown == NULL)
			return DD_ENOMEM;
		out->authority = grown;
		score_authority(log, out, dns, &out->authority[out->n_authority++]);
	}
	return 0;
}

static const struct score_probe *
find_probe(const struct score_result *r, const char *name)
{
	for (size_t k = 0; k < r->n_probes; k++)
		if (strcmp(r->probes[k].name, name) == 0)
			return &r->probes[k];
	return NULL;
}

/* One expectation against the run's figures, its probe's, a link's or
 * faultd's counters. */
static void
check_one(const struct elog *log, const struct score_expect *ex,
    const struct score_result *r, struct score_check *out)
{
	const struct score_probe *p;
	struct score_value none[SCORE_METRIC_COUNT];
	struct score_value v;

	if (ex->counter != SCORE_COUNTER_NONE) {
		score_counter_over(log, r, ex->counter, ex->server, ex->action,
		    &v);
		check_value(ex, &v, out);
		return;
	}
	if (ex->link[0] != '\0') {
		memset(&v, 0, sizeof(v));
		set_why(&v, "no capture link '%s' among score's "
		    "amplification links", ex->link);
		for (size_t k = 0; k < r->n_links; k++)
			if (strcmp(r->links[k].link, ex->link) == 0)
				v = r->links[k].amplification;
		check_value(ex, &v, out);
		return;
	}
	if (ex->probe[0] == '\0') {
		score_check(ex, r->metric, out);
		return;
	}
	if ((p = find_probe(r, ex->probe)) != NULL) {
		score_check(ex, p->metric, out);
		return;
	}
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		set_why(&none[m], "probe '%s' has no results", ex->probe);
	score_check(ex, none, out);
}

int
score_run(const struct elog *log, const struct score_defs *defs,
    struct score_result *out)
{
	const struct score_match *lat = defs != NULL ? defs->latency : NULL;
	uint64_t horizon;
	int rc;

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
		recovery_of(log, &defs->primary, &defs->primary_lost,
		    defs->stable_ms, out, horizon, &out->metric[SCORE_RECOVERY]);
		score_amplification(log, defs, out,
		    &out->metric[SCORE_AMPLIFICATION]);
		if ((rc = latency_of(log, lat, lat != NULL ? defs->n_latency :
		    0, out, out->metric)) != 0)
			goto fail;
	}
	if ((rc = score_probes(log, defs, horizon, out)) != 0)
		goto fail;
	/* before the checks: "query_amplification.LINK" reads them */
	if ((rc = score_links(log, defs, out)) < 0)
		goto fail;
	if ((rc = score_authorities(log, out)) < 0)
		goto fail;

	out->pass = true;
	if (defs->n_expect > 0) {
		rc = DD_EINVAL;
		if (defs->expect == NULL)
			goto fail;
		rc = DD_ENOMEM;
		out->checks = calloc(defs->n_expect, sizeof(*out->checks));
		if (out->checks == NULL)
			goto fail;
		out->n_checks = defs->n_expect;
		for (size_t i = 0; i < defs->n_expect; i++) {
			struct score_expect e = defs->expect[i];
			const struct score_expect *ex = &e;
			struct score_check *c = &out->checks[i];

			e.speed = defs->speed;
			check_one(log, ex, out, c);
			if (ex->if_disrupted && !out->service_disrupted &&
			    !c->pass) {
				char name[ELOG_SOURCE_MAX + 32];

				c->pass = true;
				c->censored = false;
				snprintf(c->message, sizeof(c->message),
				    "%s not required: the service was never "
				    "disrupted", score_expect_label(ex, name,
				    sizeof(name)));
			}
			if (!c->pass)
				out->pass = false;
		}
	}
	return 0;
fail:
	score_result_fini(out);
	memset(out, 0, sizeof(*out));
	return rc;
}

void
score_result_fini(struct score_result *res)
{
	if (res == NULL)
		return;
	free(res->checks);
	res->checks = NULL;
	res->n_checks = 0;
	free(res->probes);
	res->probes = NULL;
	res->n_probes = 0;
	free(res->links);
	res->links = NULL;
	res->n_links = 0;
	free(res->authority);
	res->authority = NULL;
	res->n_authority = 0;
}
