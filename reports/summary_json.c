/*
 * summary_json.c -- the pull-request summary for bots: the facts the
 * markdown summary (markdown.c) shows, as one JSON object through
 * jansson, format REPORT_SUMMARY_FORMAT (doc/results.md, "The
 * pull-request summary").  Unlike result.json it holds no event log:
 * verdict, scenario, params, expectations with what was observed, the
 * metrics that have a value or a bound, those that were not observed and
 * why, each probe's figures and the queries at the authority; for a group
 * of repeated runs its gates, spread and runs; for a matrix one row per
 * run.  Strings are valid UTF-8 (invalid bytes replaced); numbers that
 * are not finite are null.
 */
#include "reports/report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/rjson.h"

static json_t *
jparams(const struct result *r)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	for (size_t i = 0; ok && r != NULL && i < r->n_params; i++)
		ok = rjson_put(o, r->params[i].key, rjson_text(r->params[i].value));
	if (ok)
		return o;
	json_decref(o);
	return NULL;
}

/* {KEY: x} | {KEY: null, "at_least": x} -- into o. */
static bool
put_value(json_t *o, const char *key, bool has, double v, bool censored,
    double at_least)
{
	return rjson_put(o, key, has ? rjson_num(v) : json_null()) &&
	    rjson_put(o, "at_least", !has && censored ? rjson_num(at_least) :
	    json_null());
}

static json_t *
jexpect(const struct result_expect *e)
{
	json_t *o = json_object();
	char label[400];

	snprintf(label, sizeof(label), "%s %s", result_expect_metric(e),
	    e->bound);
	if (rjson_put(o, "expectation", rjson_text(label)) &&
	    rjson_put(o, "metric", rjson_text(result_expect_metric(e))) &&
	    rjson_put(o, "bound", rjson_text(e->bound)) &&
	    put_value(o, "observed", e->has_observed, e->observed, e->censored,
	    e->at_least) &&
	    rjson_put(o, "pass", json_boolean(e->pass)) &&
	    rjson_put(o, "message", rjson_text(e->message)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *
jfault(const struct result *r)
{
	json_t *o;

	if (!r->fault_found)
		return json_null();
	o = json_object();
	if (rjson_put(o, "start_s", json_real((double)r->fault_start_ms / 1000.0)) &&
	    rjson_put(o, "end_s", json_real((double)r->fault_end_ms / 1000.0)) &&
	    rjson_put(o, "cleared", json_boolean(r->fault_cleared)))
		return o;
	json_decref(o);
	return NULL;
}

/* metrics (those with a value or a bound) and not_observed, into root. */
static bool
put_metrics(json_t *root, const struct result *r)
{
	json_t *seen = json_array(), *missing = json_array();
	bool ok = seen != NULL && missing != NULL &&
	    json_object_set(root, "metrics", seen) == 0 &&
	    json_object_set(root, "not_observed", missing) == 0;

	json_decref(seen);
	json_decref(missing);
	for (int m = 0; ok && m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];
		json_t *o;

		if (rm->absent)
			continue;
		o = json_object();
		if (!rm->has && !rm->censored)
			ok = rjson_push(missing, o) && rjson_put(o, "metric", json_string(
			    score_metric_name((enum score_metric)m))) &&
			    rjson_put(o, "why", rjson_text(rm->note));
		else
			ok = rjson_push(seen, o) && rjson_put(o, "metric", json_string(
			    score_metric_name((enum score_metric)m))) &&
			    rjson_put(o, "key", json_boolean(report_metric_key(r,
			    (enum score_metric)m))) &&
			    put_value(o, "value", rm->has, rm->value, rm->censored,
			    rm->at_least);
	}
	for (size_t i = 0; ok && i < r->n_links; i++) {
		const struct result_metric *rm = &r->links[i].amplification;
		json_t *o = json_object();

		ok = rjson_push(seen, o) && rjson_put(o, "metric",
		    json_string("query_amplification")) &&
		    rjson_put(o, "link", rjson_text(r->links[i].link)) &&
		    rjson_put(o, "key", json_true()) &&
		    put_value(o, "value", rm->has, rm->value, rm->censored,
		    rm->at_least) &&
		    rjson_put(o, "why", rm->has ? json_null() : rjson_text(rm->note));
	}
	return ok;
}

static json_t *
jprobes(const struct result *r)
{
	json_t *a = json_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < r->n_probe_metrics; i++) {
		const struct result_probe_metrics *p = &r->probe_metrics[i];
		json_t *o = json_object();

		ok = rjson_push(a, o) && rjson_put(o, "probe", rjson_text(p->name));
		for (int m = 0; ok && m < SCORE_METRIC_COUNT; m++) {
			const struct result_metric *rm = &p->metric[m];

			if (rm->absent)
				continue;
			ok = rjson_put(o, score_metric_name((enum score_metric)m),
			    rm->has ? rjson_num(rm->value) : json_null());
		}
	}
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

static json_t *
jmetric_or_null(const struct result_metric *rm)
{
	return rm->has ? rjson_num(rm->value) : json_null();
}

static json_t *
jauthority(const struct result *r)
{
	json_t *a = json_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < r->n_authority; i++) {
		const struct result_authority *au = &r->authority[i];
		const char *why = !au->queries.has ? au->queries.note :
		    !au->ratio.has ? au->ratio.note : NULL;
		json_t *o = json_object();
		double qps;

		ok = rjson_push(a, o) && rjson_put(o, "dns", rjson_text(au->dns)) &&
		    rjson_put(o, "queries", jmetric_or_null(&au->queries)) &&
		    rjson_put(o, "fault_s", au->queries.has ? rjson_num(au->fault_s) :
		    json_null()) &&
		    rjson_put(o, "baseline_qps", result_authority_qps(au, true, &qps) ?
		    rjson_num(qps) : json_null()) &&
		    rjson_put(o, "ratio", jmetric_or_null(&au->ratio)) &&
		    rjson_put(o, "why", rjson_text(why));
	}
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

static json_t *
jexpectations(const struct result *r)
{
	json_t *a = json_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < r->n_expect; i++)
		ok = rjson_push(a, jexpect(&r->expect[i]));
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

/* The failed expectations' messages (or the error), for a row. */
static json_t *
jfailed(const struct result *r)
{
	json_t *a = json_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && r != NULL && i < r->n_expect; i++)
		if (!r->expect[i].pass)
			ok = rjson_push(a, jexpect(&r->expect[i]));
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

static json_t *
run_tree(const struct result *r)
{
	json_t *o = json_object();

	if (rjson_put(o, "format", json_string(REPORT_SUMMARY_FORMAT)) &&
	    rjson_put(o, "kind", json_string("run")) &&
	    rjson_put(o, "scenario", rjson_text(r->scenario)) &&
	    rjson_put(o, "description", rjson_text(r->description)) &&
	    rjson_put(o, "verdict", json_string(result_verdict(r))) &&
	    rjson_put(o, "error", rjson_text(r->error)) &&
	    rjson_put(o, "seed", r->has_seed ? rjson_seed(r->seed) : json_null()) &&
	    rjson_put(o, "duration_s", json_real((double)r->duration_ms / 1000.0)) &&
	    rjson_put(o, "speed", rjson_num(result_speed(r))) &&
	    rjson_put(o, "params", jparams(r)) &&
	    rjson_put(o, "fault", jfault(r)) &&
	    rjson_put(o, "expectations", jexpectations(r)) &&
	    put_metrics(o, r) &&
	    rjson_put(o, "probes", jprobes(r)) &&
	    rjson_put(o, "authority", jauthority(r)))
		return o;
	json_decref(o);
	return NULL;
}

static int
dump(json_t *root, FILE *f)
{
	int rc;

	if (root == NULL)
		return DD_ENOMEM;
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(root);
	if (rc != 0 || fputc('\n', f) == EOF || fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

int
report_summary_json_write(const struct result *r, FILE *f)
{
	if (r == NULL || f == NULL)
		return DD_EINVAL;
	return dump(run_tree(r), f);
}

/* ------------------------------------------------------------------ */
/* A group of repeated runs */

static json_t *
jstat(const struct dist_stat *s)
{
	json_t *o;

	if (!s->has)
		return json_null();
	o = json_object();
	if (rjson_put(o, "value", rjson_num(s->v)) &&
	    rjson_put(o, "at_least", json_boolean(s->at_least)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *
jgates(const struct repeat_group *g)
{
	json_t *a = json_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < g->n_checks; i++) {
		const struct repeat_check *c = &g->checks[i];
		bool stat = c->parsed && c->expect.has_stat;
		char label[REPEAT_LABEL_MAX + 80];
		json_t *o = json_object();

		snprintf(label, sizeof(label), "%s %s", c->label, c->bound);
		ok = rjson_push(a, o) && rjson_put(o, "expectation", rjson_text(label)) &&
		    rjson_put(o, "metric", rjson_text(c->label)) &&
		    rjson_put(o, "bound", rjson_text(c->bound)) &&
		    rjson_put(o, "statistic", stat ? json_string(dist_which_name(
		    c->expect.stat)) : json_null()) &&
		    rjson_put(o, "value", stat && c->has_value ? rjson_num(c->value) :
		    json_null()) &&
		    rjson_put(o, "at_least", json_boolean(stat && c->has_value &&
		    c->at_least)) &&
		    rjson_put(o, "held", stat ? json_null() :
		    json_integer((json_int_t)c->n_held)) &&
		    rjson_put(o, "pass", json_boolean(c->pass)) &&
		    rjson_put(o, "message", rjson_text(c->message));
	}
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

static json_t *
jspread(const struct repeat_group *g)
{
	json_t *a = json_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < g->n_series; i++) {
		const struct repeat_series *s = &g->series[i];
		json_t *o = json_object();

		ok = rjson_push(a, o) && rjson_put(o, "metric", rjson_text(s->label)) &&
		    rjson_put(o, "n", json_integer((json_int_t)s->dist.n)) &&
		    rjson_put(o, "censored",
		    json_integer((json_int_t)s->dist.n_censored)) &&
		    rjson_put(o, "missing",
		    json_integer((json_int_t)s->dist.n_missing));
		for (int w = 0; ok && w < DIST_WHICH_COUNT; w++)
			ok = rjson_put(o, dist_which_name((enum dist_which)w),
			    jstat(&s->dist.stat[w]));
	}
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

int
report_repeat_summary_json_write(const struct report_repeat *rp, FILE *f)
{
	const struct repeat_group *g;
	const struct result *r0 = NULL;
	json_t *o, *runs;
	bool ok;

	if (rp == NULL || (g = rp->group) == NULL || f == NULL)
		return DD_EINVAL;
	for (size_t k = 0; r0 == NULL && k < g->n_runs; k++)
		r0 = g->runs[k];
	o = json_object();
	runs = json_array();
	ok = runs != NULL &&
	    rjson_put(o, "format", json_string(REPORT_SUMMARY_FORMAT)) &&
	    rjson_put(o, "kind", json_string("repeat")) &&
	    rjson_put(o, "scenario", rjson_text(r0 != NULL ? r0->scenario : NULL)) &&
	    rjson_put(o, "verdict", json_string(repeat_verdict(g))) &&
	    rjson_put(o, "params", jparams(r0)) &&
	    rjson_put(o, "expectations", jgates(g)) &&
	    rjson_put(o, "spread", jspread(g)) &&
	    json_object_set(o, "runs", runs) == 0;
	for (size_t k = 0; ok && k < g->n_runs; k++) {
		const struct result *r = g->runs[k];
		json_t *run = json_object();

		ok = rjson_push(runs, run) && rjson_put(run, "dir", rjson_text(rp->dirs[k])) &&
		    rjson_put(run, "seed", rjson_seed(rp->seeds[k])) &&
		    rjson_put(run, "verdict", json_string(r != NULL ?
		    result_verdict(r) : "error")) &&
		    rjson_put(run, "error", r != NULL ? rjson_text(r->error) :
		    json_string("the run left no result")) &&
		    rjson_put(run, "failed", jfailed(r));
	}
	json_decref(runs);
	if (!ok) {
		json_decref(o);
		return DD_ENOMEM;
	}
	return dump(o, f);
}

/* ------------------------------------------------------------------ */
/* A matrix */

int
report_matrix_summary_json_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f)
{
	size_t n_fail = 0, n_err = 0;
	json_t *o, *rows;
	bool ok;

	if (f == NULL || (runs == NULL && n > 0))
		return DD_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (runs[i] == NULL)
			return DD_EINVAL;
		n_err += runs[i]->error != NULL;
		n_fail += runs[i]->error == NULL && !runs[i]->pass;
	}
	o = json_object();
	rows = json_array();
	ok = rows != NULL &&
	    rjson_put(o, "format", json_string(REPORT_SUMMARY_FORMAT)) &&
	    rjson_put(o, "kind", json_string("matrix")) &&
	    rjson_put(o, "verdict", json_string(n_err > 0 ? "error" : n_fail > 0 ?
	    "fail" : "pass")) &&
	    rjson_put(o, "n_runs", json_integer((json_int_t)n)) &&
	    rjson_put(o, "n_fail", json_integer((json_int_t)n_fail)) &&
	    rjson_put(o, "n_error", json_integer((json_int_t)n_err)) &&
	    json_object_set(o, "runs", rows) == 0;
	for (size_t i = 0; ok && i < n; i++) {
		const struct result *r = runs[i];
		json_t *row = json_object();

		ok = rjson_push(rows, row) && rjson_put(row, "label", rjson_text(labels != NULL &&
		    labels[i] != NULL ? labels[i] : r->scenario)) &&
		    rjson_put(row, "scenario", rjson_text(r->scenario)) &&
		    rjson_put(row, "verdict", json_string(result_verdict(r))) &&
		    rjson_put(row, "error", rjson_text(r->error)) &&
		    rjson_put(row, "params", jparams(r)) &&
		    rjson_put(row, "failed", jfailed(r));
	}
	json_decref(rows);
	if (!ok) {
		json_decref(o);
		return DD_ENOMEM;
	}
	return dump(o, f);
}
