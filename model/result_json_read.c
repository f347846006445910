/*
 * result_json_read.c -- result.json back in, through jansson (for
 * `dnsdrill report`, the matrix, and faultd's counters in a run).  Every
 * member doc/results.md lists is read; unknown members are ignored; a
 * member of the wrong type is an error naming it.  Integers above
 * INT64_MAX (seeds) are turned into rjson.h's big form before jansson
 * parses the text (mark_big), since jansson refuses them.
 */
#include "model/result.h"

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/utf8.h"
#include "model/rjson.h"

/* ------------------------------------------------------------------ */
/* Reading back */

/* Is text[a..b) an integer literal jansson refuses (above INT64_MAX)? */
static bool
too_big(const char *text, size_t a, size_t b)
{
	static const char max[] = "9223372036854775807";
	size_t n = b - a;

	for (size_t i = a; i < b; i++)
		if (text[i] < '0' || text[i] > '9')
			return false;
	return n > sizeof(max) - 1 ||
	    (n == sizeof(max) - 1 && memcmp(text + a, max, n) > 0);
}

/*
 * Turn each integer literal above INT64_MAX in text into a big string
 * ("\u0000" and the digits).  *copy is the rewritten text, or stays empty
 * when there was nothing to rewrite (then parse text as is).  Returns 0 or
 * DD_ENOMEM.  Error columns jansson reports later on such a line are off
 * by the 8 characters added.
 */
static int
mark_big(const char *text, size_t len, struct dd_buf *copy)
{
	size_t i = 0, done = 0;

	while (i < len) {
		size_t start = i;

		if (text[i] == '"') {
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (!(text[i] == '-' || (text[i] >= '0' && text[i] <= '9'))) {
			i++;
			continue;
		}
		while (i < len && (text[i] == '-' || text[i] == '+' ||
		    text[i] == '.' || text[i] == 'e' || text[i] == 'E' ||
		    (text[i] >= '0' && text[i] <= '9')))
			i++;
		if (!too_big(text, start, i))
			continue;
		if (dd_buf_append(copy, text + done, start - done) < 0 ||
		    dd_buf_append(copy, "\"\\u0000", 7) < 0 ||
		    dd_buf_append(copy, text + start, i - start) < 0 ||
		    dd_buf_append(copy, "\"", 1) < 0)
			return DD_ENOMEM;
		done = i;
	}
	if (copy->len > 0 && dd_buf_append(copy, text + done, len - done) < 0)
		return DD_ENOMEM;
	return 0;
}

/* The string, or NULL when v is not one. */
static const char *
str_of(const json_t *v)
{
	return json_is_string(v) && rjson_big_digits(v) == NULL ?
	    json_string_value(v) : NULL;
}

static bool
u64_of(const json_t *v, uint64_t *out)
{
	const char *digits = rjson_big_digits(v);
	unsigned long long u;
	char *end;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (digits == NULL)
		return false;
	errno = 0;
	u = strtoull(digits, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = (uint64_t)u;
	return true;
}

/* A whole number that fits an int (an exit code, a signal); anything
 * else, 3e103 included, is not one. */
static bool num_of(const json_t *v, double *out);

static bool
int_of(const json_t *v, int *out)
{
	double d;

	/* numbers may arrive as reals (how the reader decodes them) */
	if (!num_of(v, &d) || !(d >= INT_MIN && d <= INT_MAX) || d != (double)(long long)d)
		return false;
	*out = (int)d;
	return true;
}

static bool
num_of(const json_t *v, double *out)
{
	const char *digits = rjson_big_digits(v);

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return true;
	}
	if (digits == NULL)
		return false;
	*out = strtod(digits, NULL);
	return true;
}

static bool
bool_of(const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

/* Optional string member: absent or null leaves *out NULL. */
static int
opt_str(const json_t *obj, const char *key, const char **out,
    struct dd_err *err)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if ((*out = str_of(v)) == NULL) {
		dd_err_set(err, "%s: expected a string", key);
		return DD_EINVAL;
	}
	return 0;
}

static int
opt_u64(const json_t *obj, const char *key, bool *has, uint64_t *out,
    const char *where, struct dd_err *err)
{
	const json_t *v = json_object_get(obj, key);

	*has = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!u64_of(v, out)) {
		dd_err_set(err, "%s%s: expected a non-negative integer", where,
		    key);
		return DD_EINVAL;
	}
	*has = true;
	return 0;
}

static int
read_kvs(const json_t *root, const char *key, struct result *r,
    int (*set)(struct result *, const char *, const char *),
    struct dd_err *err)
{
	json_t *obj = json_object_get(root, key), *v;
	const char *k;
	int rc;

	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj)) {
		dd_err_set(err, "%s: expected an object", key);
		return DD_EINVAL;
	}
	json_object_foreach(obj, k, v) {
		if (str_of(v) == NULL) {
			dd_err_set(err, "%s.%s: expected a string", key, k);
			return DD_EINVAL;
		}
		if ((rc = set(r, k, str_of(v))) != 0)
			return rc;
	}
	return 0;
}

/* A metric set from its values, notes and bounds objects (notes and
 * bounds may be NULL).  A metric not among the values is absent, except
 * one of the classic five at the top (want_classic), which every writer
 * wrote: it is null.  per_probe: only per-probe metrics belong here. */
static int
read_metric_set(const json_t *metrics, const json_t *notes,
    const json_t *bounds, struct result_metric *out, bool want_classic,
    bool per_probe, const char *where, struct dd_err *err)
{
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const char *name = score_metric_name((enum score_metric)m);
		const json_t *v = json_object_get(metrics, name);
		const json_t *b = json_object_get(bounds, name);
		const char *note = str_of(json_object_get(notes, name));
		double at_least;

		if ((per_probe && !score_metric_per_probe((enum score_metric)m)) ||
		    (v == NULL && !(want_classic && m < SCORE_CLASSIC_COUNT))) {
			out[m].absent = true;
			continue;
		}
		if (v == NULL || json_is_null(v)) {
			if (note != NULL &&
			    (out[m].note = strdup(note)) == NULL)
				return DD_ENOMEM;
			if (json_is_true(json_object_get(b, "censored")) &&
			    num_of(json_object_get(b, "at_least"), &at_least)) {
				out[m].censored = true;
				out[m].at_least = at_least;
			}
			continue;
		}
		if (!num_of(v, &out[m].value)) {
			dd_err_set(err, "%smetrics.%s: expected a number or null",
			    where, name);
			return DD_EINVAL;
		}
		out[m].has = true;
	}
	return 0;
}

static int
read_metrics(const json_t *root, struct result *r, struct dd_err *err)
{
	const json_t *metrics = json_object_get(root, "metrics");

	if (!json_is_object(metrics)) {
		dd_err_set(err, "metrics: missing or not an object");
		return DD_EINVAL;
	}
	return read_metric_set(metrics, json_object_get(root, "metric_notes"),
	    json_object_get(root, "metric_bounds"), r->metric, true, false, "",
	    err);
}

static int
read_probe_metrics(const json_t *root, struct result *r, struct dd_err *err)
{
	json_t *probes = json_object_get(root, "probe_metrics"), *po;
	const char *name;
	char where[160];
	size_t i = 0;
	int rc;

	if (probes == NULL || json_is_null(probes))
		return 0;
	if (!json_is_object(probes)) {
		dd_err_set(err, "probes: expected an object");
		return DD_EINVAL;
	}
	if (json_object_size(probes) == 0)
		return 0;
	r->probe_metrics = calloc(json_object_size(probes), sizeof(*r->probe_metrics));
	if (r->probe_metrics == NULL)
		return DD_ENOMEM;
	json_object_foreach(probes, name, po) {
		struct result_probe_metrics *p = &r->probe_metrics[i++];
		const json_t *metrics = json_object_get(po, "metrics");

		r->n_probe_metrics = i;
		snprintf(where, sizeof(where), "probes.%.128s.", name);
		if ((p->name = strdup(name)) == NULL)
			return DD_ENOMEM;
		if (!json_is_object(metrics)) {
			dd_err_set(err, "%smetrics: missing or not an object",
			    where);
			return DD_EINVAL;
		}
		if ((rc = read_metric_set(metrics, json_object_get(po,
		    "metric_notes"), json_object_get(po, "metric_bounds"),
		    p->metric, false, true, where, err)) != 0)
			return rc;
	}
	return 0;
}

/* "availability.www": a per-probe metric and its probe.  false when name
 * is no such thing. */
static bool
split_label(const char *name, enum score_metric *m, const char **probe)
{
	const char *dot = strchr(name, '.');
	char base[64];

	if (dot == NULL || dot[1] == '\0' || (size_t)(dot - name) >= sizeof(base))
		return false;
	memcpy(base, name, (size_t)(dot - name));
	base[dot - name] = '\0';
	if (score_metric_parse(base, m) != 0 || !score_metric_per_probe(*m))
		return false;
	*probe = dot + 1;
	return true;
}

/* "p90(failover_s)" with its bound: a statistic expectation (score.h),
 * read back through the one expectation parser into e (metric, stat,
 * probe).  1 when it is one, 0 when not, DD_ENOMEM. */
static int
stat_label(const char *name, const char *bound, struct result_expect *e)
{
	struct score_expect ex;
	char text[ELOG_SOURCE_MAX + 160];
	int n;

	if (strchr(name, '(') == NULL)
		return 0;
	n = snprintf(text, sizeof(text), "%s %s", name, bound);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    score_expect_parse(text, &ex, NULL) != 0 || !ex.has_stat)
		return 0;
	e->metric = ex.metric;
	e->has_stat = true;
	e->stat = ex.stat;
	if (ex.probe[0] != '\0' && (e->probe = strdup(ex.probe)) == NULL)
		return DD_ENOMEM;
	return 1;
}

/* "query_amplification.auth_lan", "dns_answers.auth.servfail" with its
 * bound: an expectation on a capture link's figure or faultd's counters,
 * kept by name (score_expect_on_metric) with that name as its label. */
static bool
named_label(const char *name, const char *bound)
{
	struct score_expect ex;
	char text[2 * ELOG_SOURCE_MAX + 160];
	int n;

	n = snprintf(text, sizeof(text), "%s %s", name, bound);
	return n >= 0 && (size_t)n < sizeof(text) &&
	    score_expect_parse(text, &ex, NULL) == 0 &&
	    !score_expect_on_metric(&ex);
}

static int
read_fault(const json_t *root, struct result *r, struct dd_err *err)
{
	const json_t *f = json_object_get(root, "fault");
	bool has_start, has_end;
	int rc;

	if (f == NULL || json_is_null(f))
		return 0;
	if (!json_is_object(f)) {
		dd_err_set(err, "fault: expected an object or null");
		return DD_EINVAL;
	}
	if ((rc = opt_u64(f, "start_ms", &has_start, &r->fault_start_ms,
	    "fault.", err)) != 0 ||
	    (rc = opt_u64(f, "end_ms", &has_end, &r->fault_end_ms, "fault.",
	    err)) != 0)
		return rc;
	if (!has_start) {
		dd_err_set(err, "fault.start_ms: missing");
		return DD_EINVAL;
	}
	r->fault_found = true;
	bool_of(json_object_get(f, "cleared"), &r->fault_cleared);
	bool_of(json_object_get(f, "service_disrupted"), &r->service_disrupted);
	return 0;
}

static int
read_expectations(const json_t *root, struct result *r,
    struct dd_err *err)
{
	const json_t *arr = json_object_get(root, "expectations");
	size_t n;
	int rc;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		dd_err_set(err, "expectations: expected an array");
		return DD_EINVAL;
	}
	if ((n = json_array_size(arr)) == 0)
		return 0;
	if ((r->expect = calloc(n, sizeof(*r->expect))) == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		struct result_expect *e = &r->expect[i];
		const char *metric = str_of(json_object_get(o, "metric"));
		const char *bound = str_of(json_object_get(o, "bound"));
		const char *msg = str_of(json_object_get(o, "message"));
		const json_t *obs = json_object_get(o, "observed");
		const char *probe;

		r->n_expect = i + 1;
		if (metric == NULL || bound == NULL ||
		    !bool_of(json_object_get(o, "pass"), &e->pass)) {
			dd_err_set(err, "expectations[%zu]: needs metric, bound "
			    "and pass", i);
			return DD_EINVAL;
		}
		if (obs != NULL && !json_is_null(obs)) {
			if (!num_of(obs, &e->observed)) {
				dd_err_set(err, "expectations[%zu].observed: "
				    "expected a number or null", i);
				return DD_EINVAL;
			}
			e->has_observed = true;
		}
		/* a probe's own figure; a metric from a newer dnsdrill is
		 * kept by name */
		if (score_metric_parse(metric, &e->metric) == 0) {
			/* the run's */
		} else if (split_label(metric, &e->metric, &probe)) {
			if ((e->probe = strdup(probe)) == NULL ||
			    (e->label = strdup(metric)) == NULL)
				return DD_ENOMEM;
		} else if ((rc = stat_label(metric, bound, e)) != 0) {
			if (rc < 0 || (e->label = strdup(metric)) == NULL)
				return DD_ENOMEM;
		} else {
			/* "query_amplification.LINK", "dns_queries.SERVER"
			 * (score_expect_on_metric) or a newer metric */
			e->metric = SCORE_METRIC_COUNT;
			if ((e->other_metric = strdup(metric)) == NULL)
				return DD_ENOMEM;
			if (named_label(metric, bound) &&
			    (e->label = strdup(metric)) == NULL)
				return DD_ENOMEM;
		}
		if (json_is_true(json_object_get(o, "censored")) &&
		    num_of(json_object_get(o, "at_least"), &e->at_least))
			e->censored = true;
		e->bound = strdup(bound);
		e->message = strdup(msg ? msg : "");
		if (e->bound == NULL || e->message == NULL)
			return DD_ENOMEM;
	}
	return 0;
}

/* A string member copied, or NULL when absent; false when out of memory. */
static bool
dup_member(const json_t *o, const char *key, char **out)
{
	const char *s = str_of(json_object_get(o, key));

	*out = s != NULL ? strdup(s) : NULL;
	return s == NULL || *out != NULL;
}

static int
read_probe_settings(const json_t *root, struct result *r, struct dd_err *err)
{
	const json_t *arr = json_object_get(root, "probes");
	size_t n;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		dd_err_set(err, "probes: expected an array");
		return DD_EINVAL;
	}
	r->has_probes = true;
	if ((n = json_array_size(arr)) == 0)
		return 0;
	if ((r->probes = calloc(n, sizeof(*r->probes))) == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		struct result_probe *p = &r->probes[i];

		r->n_probes = i + 1;
		if (!dup_member(o, "name", &p->name) || !dup_member(o, "kind", &p->kind) ||
		    !dup_member(o, "host", &p->host) || !dup_member(o, "target", &p->target))
			return DD_ENOMEM;
		if (p->name == NULL || p->kind == NULL ||
		    !u64_of(json_object_get(o, "every_ms"), &p->every_ms) ||
		    !u64_of(json_object_get(o, "timeout_ms"), &p->timeout_ms)) {
			dd_err_set(err, "probes[%zu]: needs name, kind, every_ms and "
			    "timeout_ms", i);
			return DD_EINVAL;
		}
		bool_of(json_object_get(o, "timeout_default"), &p->timeout_default);
	}
	return 0;
}

static int
read_event(const json_t *o, size_t i, struct elog *log, struct dd_err *err)
{
	struct elog_ev e;
	const char *kind = str_of(json_object_get(o, "kind"));
	const json_t *code, *sig;
	double d;

	memset(&e, 0, sizeof(e));
	if (!u64_of(json_object_get(o, "t_ms"), &e.t_ms) || kind == NULL) {
		dd_err_set(err, "events[%zu]: needs t_ms and kind", i);
		return DD_EINVAL;
	}
	if (elog_kind_parse(kind, &e.kind) != 0) {
		dd_err_set(err, "events[%zu]: unknown kind '%s'", i, kind);
		return DD_EINVAL;
	}
	e.source = str_of(json_object_get(o, "source"));
	e.text = str_of(json_object_get(o, "text"));
	switch (e.kind) {
	case ELOG_PROBE:
		if (!bool_of(json_object_get(o, "ok"), &e.u.probe.ok)) {
			dd_err_set(err, "events[%zu]: probe needs ok", i);
			return DD_EINVAL;
		}
		if (num_of(json_object_get(o, "latency_ms"), &d))
			e.u.probe.latency_ms = d;
		/* absent in results written before it was recorded */
		e.u.probe.has_start = u64_of(json_object_get(o, "start_ms"),
		    &e.u.probe.start_ms);
		break;
	case ELOG_PROC_EXIT:
		/* absent when it did not apply; a value that is not an int is
		 * an error, not a number cast out of range */
		code = json_object_get(o, "exit_code");
		sig = json_object_get(o, "signal");
		if ((code != NULL && !json_is_null(code) && !int_of(code, &e.u.exit.code)) ||
		    (sig != NULL && !json_is_null(sig) && !int_of(sig, &e.u.exit.signal))) {
			dd_err_set(err, "events[%zu]: exit_code and signal must be integers", i);
			return DD_EINVAL;
		}
		break;
	case ELOG_RATE:
		if (!num_of(json_object_get(o, "qps"), &e.u.rate.qps)) {
			dd_err_set(err, "events[%zu]: rate needs qps", i);
			return DD_EINVAL;
		}
		u64_of(json_object_get(o, "window_ms"), &e.u.rate.window_ms);
		break;
	default:
		break;
	}
	return elog_add(log, &e);
}

static int
read_events(const json_t *root, struct result *r, struct dd_err *err)
{
	const json_t *arr = json_object_get(root, "events");
	int rc;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		dd_err_set(err, "events: expected an array");
		return DD_EINVAL;
	}
	for (size_t i = 0; i < json_array_size(arr); i++)
		if ((rc = read_event(json_array_get(arr, i), i, r->events,
		    err)) != 0)
			return rc;
	return 0;
}

static int
read_links(const json_t *root, struct result *r, struct dd_err *err)
{
	json_t *obj = json_object_get(root, "amplification"), *v;
	const json_t *notes = json_object_get(root, "amplification_notes");
	const char *link;
	int rc;

	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj)) {
		dd_err_set(err, "amplification: expected an object");
		return DD_EINVAL;
	}
	json_object_foreach(obj, link, v) {
		double d = 0;
		bool has = !json_is_null(v);

		if (has && !num_of(v, &d)) {
			dd_err_set(err, "amplification.%s: expected a number or null", link);
			return DD_EINVAL;
		}
		if ((rc = result_add_link(r, link, has, d,
		    has ? NULL : str_of(json_object_get(notes, link)))) != 0)
			return rc;
	}
	return 0;
}

/* One value of an "authority" entry: key a number or null, note_key its
 * note when null.  0 or DD_EINVAL naming the place. */
static int
read_auth_value(const json_t *o, const char *dns, const char *key,
    const char *note_key, struct score_value *v, struct dd_err *err)
{
	const json_t *n = json_object_get(o, key);
	const char *note = NULL;

	memset(v, 0, sizeof(*v));
	if (n != NULL && !json_is_null(n)) {
		if (!num_of(n, &v->v) || !isfinite(v->v) || v->v < 0) {
			dd_err_set(err, "authority.%s.%s: expected a number >= 0 or null",
			    dns, key);
			return DD_EINVAL;
		}
		v->has = true;
		return 0;
	}
	if (note_key != NULL && opt_str(o, note_key, &note, err) != 0) {
		dd_err_set(err, "authority.%s.%s: expected a string", dns, note_key);
		return DD_EINVAL;
	}
	if (note != NULL)
		snprintf(v->why, sizeof(v->why), "%s", note);
	return 0;
}

/* "authority" (absent in a result.json from before it was recorded). */
static int
read_authority(const json_t *root, struct result *r, struct dd_err *err)
{
	json_t *obj = json_object_get(root, "authority"), *o;
	const char *dns;
	int rc;

	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj)) {
		dd_err_set(err, "authority: expected an object");
		return DD_EINVAL;
	}
	json_object_foreach(obj, dns, o) {
		struct score_authority a;
		struct score_value span;

		memset(&a, 0, sizeof(a));
		if (!json_is_object(o) || dns[0] == '\0') {
			dd_err_set(err, "authority.%s: expected an object", dns);
			return DD_EINVAL;
		}
		snprintf(a.dns, sizeof(a.dns), "%s", dns);
		if ((rc = read_auth_value(o, dns, "queries", "queries_note",
		    &a.queries, err)) != 0 ||
		    (rc = read_auth_value(o, dns, "fault_s", NULL, &span, err)) != 0)
			return rc;
		a.fault_s = span.has ? span.v : 0;
		if ((rc = read_auth_value(o, dns, "baseline_queries",
		    "baseline_note", &a.baseline, err)) != 0 ||
		    (rc = read_auth_value(o, dns, "baseline_s", NULL, &span, err)) != 0)
			return rc;
		a.baseline_s = span.has ? span.v : 0;
		if ((rc = read_auth_value(o, dns, "ratio", "ratio_note", &a.ratio,
		    err)) != 0 ||
		    (rc = result_add_authority(r, &a)) != 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Readings of faultd's counters */

struct snap_bufs {
	struct elog_count *counters, *actions, *clients;
	struct elog_rule_hits *rules;
};

static void
snap_bufs_free(struct snap_bufs *b)
{
	free(b->counters);
	free(b->actions);
	free(b->clients);
	free(b->rules);
}

/* Room for n items of size sz in *p; false when out of memory. */
static bool
grow(void *p, size_t n, size_t sz)
{
	void *q = calloc(n + 1, sz);

	if (q == NULL)
		return false;
	*(void **)p = q;
	return true;
}

/*
 * The counters of o (faultd's `stats json` object, or one dns_stats
 * reading: t_ms, why and error are the caller's) into s, pointing into b
 * and into o's strings.  0, DD_ENOMEM, or DD_EINVAL naming where.
 */
static int
snap_read(json_t *o, struct elog_stats *s, struct snap_bufs *b,
    const char *where, struct dd_err *err)
{
	json_t *actions = json_object_get(o, "actions");
	json_t *rules = json_object_get(o, "rule_hits");
	json_t *clients = json_object_get(o, "clients");
	const char *key;
	json_t *v;
	size_t i;

	if ((actions != NULL && !json_is_object(actions)) ||
	    (rules != NULL && !json_is_array(rules)) ||
	    (clients != NULL && !json_is_array(clients))) {
		dd_err_set(err, "%s: actions must be an object, rule_hits and "
		    "clients arrays", where);
		return DD_EINVAL;
	}
	if (!grow(&b->counters, json_object_size(o), sizeof(*b->counters)) ||
	    !grow(&b->actions, json_object_size(actions), sizeof(*b->actions)) ||
	    !grow(&b->rules, json_array_size(rules), sizeof(*b->rules)) ||
	    !grow(&b->clients, json_array_size(clients), sizeof(*b->clients)))
		return DD_ENOMEM;
	/* every other integer member is a counter, in faultd's order */
	json_object_foreach(o, key, v) {
		uint64_t u;

		if (strcmp(key, "t_ms") == 0 || strcmp(key, "clients_other") == 0 ||
		    !u64_of(v, &u))
			continue;
		b->counters[s->n_counters++] = (struct elog_count){ key, u };
	}
	json_object_foreach(actions, key, v) {
		uint64_t u;

		if (!u64_of(v, &u)) {
			dd_err_set(err, "%s: actions.%s: expected a count", where, key);
			return DD_EINVAL;
		}
		b->actions[s->n_actions++] = (struct elog_count){ key, u };
	}
	json_array_foreach(rules, i, v) {
		struct elog_rule_hits *h = &b->rules[s->n_rules];

		if (!u64_of(json_object_get(v, "id"), &h->id) ||
		    !u64_of(json_object_get(v, "hits"), &h->hits)) {
			dd_err_set(err, "%s: rule_hits[%zu]: needs id and hits", where, i);
			return DD_EINVAL;
		}
		h->rule = str_of(json_object_get(v, "rule"));
		s->n_rules++;
	}
	json_array_foreach(clients, i, v) {
		struct elog_count *c = &b->clients[s->n_clients];

		if ((c->name = str_of(json_object_get(v, "addr"))) == NULL ||
		    !u64_of(json_object_get(v, "queries"), &c->value)) {
			dd_err_set(err, "%s: clients[%zu]: needs addr and queries", where, i);
			return DD_EINVAL;
		}
		s->n_clients++;
	}
	u64_of(json_object_get(o, "clients_other"), &s->clients_other);
	s->counters = b->counters;
	s->actions = b->actions;
	s->rules = b->rules;
	s->clients = b->clients;
	return 0;
}

/* One dns_stats reading (t_ms, why, and counters or error) into log. */
static int
read_snap(json_t *o, const char *dns, size_t i, struct elog *log,
    struct dd_err *err)
{
	struct elog_stats s = { .dns = dns };
	struct snap_bufs b = { 0 };
	const char *why = str_of(json_object_get(o, "why"));
	char where[200];
	int rc;

	snprintf(where, sizeof(where), "dns_stats.%.100s[%zu]", dns, i);
	if (!json_is_object(o) || !u64_of(json_object_get(o, "t_ms"), &s.t_ms) ||
	    elog_stats_why_parse(why, &s.why) != 0) {
		dd_err_set(err, "%s: needs t_ms and why (inject, clear, end or "
		    "timeline)", where);
		return DD_EINVAL;
	}
	s.error = str_of(json_object_get(o, "error"));
	if ((s.error != NULL || (rc = snap_read(o, &s, &b, where, err)) == 0))
		rc = elog_add_stats(log, &s);
	snap_bufs_free(&b);
	return rc;
}

static int
read_dns_stats(const json_t *root, struct result *r, struct dd_err *err)
{
	json_t *obj = json_object_get(root, "dns_stats"), *arr;
	const char *dns;
	int rc;

	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj)) {
		dd_err_set(err, "dns_stats: expected an object");
		return DD_EINVAL;
	}
	json_object_foreach(obj, dns, arr) {
		if (!json_is_array(arr)) {
			dd_err_set(err, "dns_stats.%s: expected an array", dns);
			return DD_EINVAL;
		}
		for (size_t i = 0; i < json_array_size(arr); i++)
			if ((rc = read_snap(json_array_get(arr, i), dns, i,
			    r->events, err)) != 0)
				return rc;
	}
	return 0;
}

/* Parse text, big integers included.  0 and *root, DD_ENOMEM, or
 * DD_EINVAL with jansson's "line L, column C: what". */
static int
parse(const char *text, size_t len, json_t **root, struct dd_err *err)
{
	struct dd_buf copy = { 0 };
	json_error_t jerr;
	int rc;

	*root = NULL;
	if ((rc = mark_big(text, len, &copy)) != 0) {
		dd_buf_free(&copy);
		return rc;
	}
	if (copy.len > 0) {
		text = (const char *)copy.data;
		len = copy.len;
	}
	/* any top-level value, so "[]" is named below, not by jansson; NUL
	 * inside strings as before (a C string ends there) */
	*root = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	dd_buf_free(&copy);
	if (*root != NULL)
		return 0;
	if (json_error_code(&jerr) == json_error_out_of_memory)
		return DD_ENOMEM;
	dd_err_set(err, "line %d, column %d: %s", jerr.line, jerr.column,
	    jerr.text);
	return DD_EINVAL;
}

/* "time_distortions" (absent in an older result: time not recorded); a
 * kind this build does not know is read as "unknown". */
static int
read_distortions(const json_t *root, struct result *r, struct dd_err *err)
{
	const json_t *arr = json_object_get(root, "time_distortions");
	const json_t *o;
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		dd_err_set(err, "time_distortions: expected an array");
		return DD_EINVAL;
	}
	result_mark_time(r);
	json_array_foreach(arr, i, o) {
		const char *what, *note, *kind;
		enum timescale_kind k = TIMESCALE_UNKNOWN;
		double v[2] = { -1, -1 };
		static const char *const keys[2] = { "incident_s", "real_s" };
		int rc;

		if (!json_is_object(o) ||
		    (what = str_of(json_object_get(o, "what"))) == NULL) {
			dd_err_set(err, "time_distortions[%zu]: expected an object with a string \"what\"", i);
			return DD_EINVAL;
		}
		if (opt_str(o, "note", &note, err) != 0 ||
		    opt_str(o, "kind", &kind, err) != 0) {
			dd_err_set(err, "time_distortions[%zu]: kind and note must be strings", i);
			return DD_EINVAL;
		}
		if (kind != NULL)
			(void)timescale_kind_parse(kind, &k);
		for (int j = 0; j < 2; j++) {
			const json_t *n = json_object_get(o, keys[j]);

			if (n != NULL && !json_is_null(n) && (!num_of(n, &v[j]) || v[j] < 0)) {
				dd_err_set(err, "time_distortions[%zu].%s: expected a number >= 0 or null",
				    i, keys[j]);
				return DD_EINVAL;
			}
		}
		if ((rc = result_add_distortion(r, k, what, v[0], v[1], note)) != 0)
			return rc;
	}
	return 0;
}

int
result_json_read(const char *text, size_t len, struct result **out,
    struct dd_err *err)
{
	json_t *root = NULL;
	struct result *r = NULL;
	const char *scenario, *verdict, *s;
	bool has;
	uint64_t u;
	int rc;

	if (out == NULL)
		return DD_EINVAL;
	*out = NULL;
	if (text == NULL) {
		dd_err_set(err, "no input");
		return DD_EINVAL;
	}
	if ((rc = parse(text, len, &root, err)) != 0)
		goto fail;
	rc = DD_EINVAL;
	if (!json_is_object(root)) {
		dd_err_set(err, "result: expected an object");
		goto fail;
	}
	scenario = str_of(json_object_get(root, "scenario"));
	verdict = str_of(json_object_get(root, "verdict"));
	if (scenario == NULL) {
		dd_err_set(err, "scenario: missing or not a string");
		goto fail;
	}
	if (verdict == NULL || (strcmp(verdict, "pass") != 0 &&
	    strcmp(verdict, "fail") != 0 && strcmp(verdict, "error") != 0)) {
		dd_err_set(err, "verdict: expected \"pass\", \"fail\" or \"error\"");
		goto fail;
	}
	if ((r = result_new(scenario)) == NULL) {
		rc = DD_ENOMEM;
		goto fail;
	}
	r->pass = strcmp(verdict, "pass") == 0;
	if (strcmp(verdict, "error") == 0) {
		/* the reason, or an empty one: the verdict is what counts */
		if ((rc = opt_str(root, "error", &s, err)) != 0 ||
		    (rc = result_set_error(r, s != NULL ? s : "")) != 0)
			goto fail;
	}
	if ((rc = opt_str(root, "description", &s, err)) != 0 ||
	    (rc = result_set_description(r, s)) != 0 ||
	    (rc = opt_str(root, "started", &s, err)) != 0 ||
	    (rc = result_set_started(r, s)) != 0 ||
	    (rc = opt_str(root, "incident_start", &s, err)) != 0 ||
	    (rc = result_set_incident_start(r, s)) != 0 ||
	    (rc = opt_u64(root, "seed", &has, &u, "", err)) != 0)
		goto fail;
	if (has)
		result_set_seed(r, u);
	if ((rc = opt_u64(root, "duration_ms", &has, &u, "", err)) != 0)
		goto fail;
	if (has)
		r->duration_ms = u;
	if ((rc = opt_u64(root, "incident_t0_ms", &has, &u, "", err)) != 0)
		goto fail;
	if (has)
		result_set_incident_t0(r, u);
	if ((rc = read_kvs(root, "params", r, result_set_param, err)) != 0 ||
	    (rc = read_kvs(root, "versions", r, result_set_version, err)) != 0 ||
	    (rc = read_metrics(root, r, err)) != 0 ||
	    (rc = read_probe_metrics(root, r, err)) != 0 ||
	    (rc = read_fault(root, r, err)) != 0 ||
	    (rc = read_expectations(root, r, err)) != 0 ||
	    (rc = read_probe_settings(root, r, err)) != 0 ||
	    (rc = read_links(root, r, err)) != 0 ||
	    (rc = read_distortions(root, r, err)) != 0 ||
	    (rc = read_authority(root, r, err)) != 0 ||
	    (rc = read_events(root, r, err)) != 0 ||
	    (rc = read_dns_stats(root, r, err)) != 0)
		goto fail;
	json_decref(root);
	*out = r;
	return 0;
fail:
	if (rc == DD_ENOMEM)
		dd_err_set(err, "out of memory");
	result_free(r);
	json_decref(root);
	return rc;
}

int
result_json_read_stats(struct elog *log, uint64_t t_ms, const char *dns,
    enum elog_stats_why why, const char *text, size_t len,
    struct dd_err *err)
{
	struct elog_stats s = { .t_ms = t_ms, .dns = dns, .why = why };
	struct snap_bufs b = { 0 };
	json_t *root = NULL;
	int rc;

	if (log == NULL || dns == NULL || text == NULL)
		return DD_EINVAL;
	if ((rc = parse(text, len, &root, err)) != 0)
		return rc;
	if (!json_is_object(root)) {
		dd_err_set(err, "faultd's stats: expected an object");
		rc = DD_EINVAL;
	} else if ((rc = snap_read(root, &s, &b, "faultd's stats", err)) == 0) {
		rc = elog_add_stats(log, &s);
	}
	if (rc == DD_ENOMEM)
		dd_err_set(err, "out of memory");
	snap_bufs_free(&b);
	json_decref(root);
	return rc;
}
