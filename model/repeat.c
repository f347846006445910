/*
 * repeat.c -- see repeat.h.  Each series gathers one sample per run from
 * the runs' metrics (a probe's own from its probe_metrics) and hands them
 * to dist_of(); each expectation is parsed back from its label and bound
 * through the one expectation parser (score_expect_parse), so the group
 * needs nothing but the results.
 */
#include "model/repeat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A run's metric m (probe "" for the run's own); NULL when the run has no
 * such figure (the probe had no result, or no result at all). */
static const struct result_metric *
run_metric(const struct result *r, enum score_metric m, const char *probe)
{
	if (r == NULL)
		return NULL;
	if (probe[0] == '\0')
		return &r->metric[m];
	for (size_t i = 0; i < r->n_probe_metrics; i++)
		if (r->probe_metrics[i].name != NULL &&
		    strcmp(r->probe_metrics[i].name, probe) == 0)
			return &r->probe_metrics[i].metric[m];
	return NULL;
}

static struct dist_sample
sample_of(const struct result_metric *v)
{
	struct dist_sample s = { .has = false };

	if (v == NULL || v->absent)
		return s;
	if (v->has) {
		s.has = true;
		s.v = v->value;
	} else if (v->censored) {
		s.has = true;
		s.censored = true;
		s.v = v->at_least;
	}
	return s;
}

const struct repeat_series *
repeat_series_find(const struct repeat_group *g, enum score_metric m,
    const char *probe)
{
	if (probe == NULL)
		probe = "";
	for (size_t i = 0; g != NULL && i < g->n_series; i++)
		if (g->series[i].metric == m &&
		    strcmp(g->series[i].probe, probe) == 0)
			return &g->series[i];
	return NULL;
}

/* Add the series of (m, probe); 0 or DD_ENOMEM. */
static int
add_series(struct repeat_group *g, enum score_metric m, const char *probe)
{
	struct repeat_series *grown, *s;

	grown = realloc(g->series, (g->n_series + 1) * sizeof(*grown));
	if (grown == NULL)
		return DD_ENOMEM;
	g->series = grown;
	s = &g->series[g->n_series];
	memset(s, 0, sizeof(*s));
	if ((s->samples = calloc(g->n_runs, sizeof(*s->samples))) == NULL)
		return DD_ENOMEM;
	g->n_series++;
	s->metric = m;
	snprintf(s->probe, sizeof(s->probe), "%s", probe);
	score_metric_label(m, probe, s->label, sizeof(s->label));
	for (size_t k = 0; k < g->n_runs; k++)
		s->samples[k] = sample_of(run_metric(g->runs[k], m, probe));
	return dist_of(s->samples, g->n_runs, &s->dist);
}

/* The run whose expectations the group checks: the first with the most. */
static const struct result *
template_run(const struct repeat_group *g)
{
	const struct result *best = NULL;

	for (size_t k = 0; k < g->n_runs; k++)
		if (g->runs[k] != NULL &&
		    (best == NULL || g->runs[k]->n_expect > best->n_expect))
			best = g->runs[k];
	return best;
}

/* Run r's expectation with this label and bound (the one at hint first). */
static const struct result_expect *
find_expect(const struct result *r, const char *label, const char *bound,
    size_t hint)
{
	if (r == NULL)
		return NULL;
	for (size_t j = 0; j < r->n_expect; j++) {
		size_t i = (hint + j) % r->n_expect;
		const struct result_expect *e = &r->expect[i];

		if (strcmp(result_expect_metric(e), label) == 0 &&
		    e->bound != NULL && strcmp(e->bound, bound) == 0)
			return e;
	}
	return NULL;
}

/* A plain expectation: it must have held in every run. */
static void
check_plain(const struct repeat_group *g, size_t i, struct repeat_check *c)
{
	const struct result_expect *first_bad = NULL;
	size_t bad_run = 0;

	for (size_t k = 0; k < g->n_runs; k++) {
		const struct result_expect *e = find_expect(g->runs[k], c->label,
		    c->bound, i);

		if (e != NULL && e->pass) {
			c->n_held++;
		} else if (first_bad == NULL) {
			first_bad = e;
			bad_run = k;
		}
	}
	c->pass = c->n_held == g->n_runs;
	if (c->pass) {
		snprintf(c->message, sizeof(c->message), "%s %s held in all %zu "
		    "runs", c->label, c->bound, g->n_runs);
		return;
	}
	snprintf(c->message, sizeof(c->message), "%s %s held in %zu of %zu "
	    "runs; run %zu: %s", c->label, c->bound, c->n_held, g->n_runs,
	    bad_run + 1, first_bad != NULL && first_bad->message != NULL ?
	    first_bad->message : "not checked");
}

/* A statistic: checked on the distribution of its series over the runs
 * that count (with "if disrupted", those whose service was disrupted). */
static int
check_stat(const struct repeat_group *g, const struct repeat_series *s,
    struct repeat_check *c)
{
	const struct score_expect *ex = &c->expect;
	struct dist_sample *use;
	struct dist d;
	size_t n = 0;
	const struct dist_stat *st;
	int rc;

	if ((use = calloc(g->n_runs, sizeof(*use))) == NULL)
		return DD_ENOMEM;
	for (size_t k = 0; k < g->n_runs; k++)
		if (!ex->if_disrupted || (g->runs[k] != NULL &&
		    g->runs[k]->service_disrupted))
			use[n++] = s->samples[k];
	rc = dist_of(use, n, &d);
	free(use);
	if (rc != 0)
		return rc;
	if (n == 0) {
		c->pass = true;
		snprintf(c->message, sizeof(c->message), "%s not required: the "
		    "service was never disrupted in %zu runs", c->label,
		    g->n_runs);
		return 0;
	}
	st = &d.stat[ex->stat];
	if (d.n_missing > 0 || !st->has) {
		snprintf(c->message, sizeof(c->message), "%s undecided: %s not "
		    "observed in %zu of %zu runs, expected %s (counted as a "
		    "failure)", c->label, s->label, d.n_missing, n, c->bound);
		return 0;
	}
	c->has_value = true;
	/* "in incident time": the runs' real seconds times their speed */
	c->value = st->v * (ex->incident && ex->speed > 0 ? ex->speed : 1);
	c->at_least = st->at_least;
	if (st->at_least) {
		bool breaks = score_bound_breaks(ex->op, c->value, ex->bound);

		snprintf(c->message, sizeof(c->message), "%s >= %.6g (%zu of "
		    "%zu runs censored), expected %s%s", c->label, c->value,
		    d.n_censored, n, c->bound, breaks ? "" :
		    " (undecided: counted as a failure)");
		return 0;
	}
	c->pass = score_op_holds(ex->op, c->value, ex->bound);
	if (c->pass)
		snprintf(c->message, sizeof(c->message), "%s = %.6g %s over %zu "
		    "runs", c->label, c->value, c->bound, n);
	else
		snprintf(c->message, sizeof(c->message), "%s = %.6g over %zu "
		    "runs, expected %s", c->label, c->value, n, c->bound);
	return 0;
}

static int
check_all(struct repeat_group *g)
{
	const struct result *t = template_run(g);
	int rc;

	if (t == NULL || t->n_expect == 0)
		return 0;
	if ((g->checks = calloc(t->n_expect, sizeof(*g->checks))) == NULL)
		return DD_ENOMEM;
	g->n_checks = t->n_expect;
	for (size_t i = 0; i < t->n_expect; i++) {
		const struct result_expect *e = &t->expect[i];
		struct repeat_check *c = &g->checks[i];
		char text[REPEAT_LABEL_MAX + 80];
		const struct repeat_series *s;

		snprintf(c->label, sizeof(c->label), "%s", result_expect_metric(e));
		snprintf(c->bound, sizeof(c->bound), "%s", e->bound ? e->bound : "");
		snprintf(text, sizeof(text), "%s %s", c->label, c->bound);
		c->parsed = score_expect_parse(text, &c->expect, NULL) == 0;
		c->expect.speed = result_speed(t);
		if (!c->parsed || !c->expect.has_stat) {
			check_plain(g, i, c);
			continue;
		}
		s = repeat_series_find(g, c->expect.metric, c->expect.probe);
		if (s == NULL) {
			if ((rc = add_series(g, c->expect.metric,
			    c->expect.probe)) != 0)
				return rc;
			s = &g->series[g->n_series - 1];
		}
		if ((rc = check_stat(g, s, c)) != 0)
			return rc;
	}
	return 0;
}

int
repeat_group_of(const struct result *const *runs, size_t n,
    struct repeat_group *out, struct dd_err *err)
{
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (runs == NULL || n == 0 || out == NULL) {
		dd_err_set(err, "repeat: no runs");
		return DD_EINVAL;
	}
	out->runs = runs;
	out->n_runs = n;
	for (size_t k = 0; k < n; k++) {
		if (runs[k] == NULL || runs[k]->error != NULL) {
			out->error = true;
			out->first_error = k;
			break;
		}
	}
	/* the run's own metrics that some run has */
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		bool any = false;

		for (size_t k = 0; k < n && !any; k++)
			any = runs[k] != NULL && !runs[k]->metric[m].absent;
		if (any && (rc = add_series(out, (enum score_metric)m, "")) != 0)
			goto fail;
	}
	if ((rc = check_all(out)) != 0)
		goto fail;
	out->pass = !out->error;
	for (size_t i = 0; i < out->n_checks; i++)
		if (!out->checks[i].pass)
			out->pass = false;
	return 0;
fail:
	repeat_group_fini(out);
	dd_err_set(err, "repeat: out of memory");
	return rc;
}

void
repeat_group_fini(struct repeat_group *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n_series; i++)
		free(g->series[i].samples);
	free(g->series);
	free(g->checks);
	g->series = NULL;
	g->checks = NULL;
	g->n_series = 0;
	g->n_checks = 0;
}

static int
median_metrics(const struct repeat_group *g, struct result *r)
{
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct repeat_series *s = repeat_series_find(g,
		    (enum score_metric)m, "");
		struct result_metric *rm = &r->metric[m];
		const struct dist_stat *st;

		if (s == NULL) {
			rm->absent = true;
			continue;
		}
		st = &s->dist.stat[DIST_MEDIAN];
		if (st->has && !st->at_least) {
			rm->has = true;
			rm->value = st->v;
		} else if (st->has) {
			rm->censored = true;
			rm->at_least = st->v;
		}
		if (!rm->has && asprintf(&rm->note, "median of %zu runs: %s",
		    g->n_runs, st->has ? "a lower bound" :
		    "not observed in any run") < 0) {
			rm->note = NULL;
			return DD_ENOMEM;
		}
	}
	return 0;
}

static int
median_checks(const struct repeat_group *g, struct result *r)
{
	if (g->n_checks == 0)
		return 0;
	if ((r->expect = calloc(g->n_checks, sizeof(*r->expect))) == NULL)
		return DD_ENOMEM;
	r->n_expect = g->n_checks;
	for (size_t i = 0; i < g->n_checks; i++) {
		const struct repeat_check *c = &g->checks[i];
		struct result_expect *e = &r->expect[i];

		e->metric = c->parsed && score_expect_on_metric(&c->expect) ?
		    c->expect.metric : SCORE_METRIC_COUNT;
		e->has_stat = c->parsed && c->expect.has_stat;
		e->stat = c->expect.stat;
		e->pass = c->pass;
		e->has_observed = c->has_value && !c->at_least;
		e->observed = c->value;
		e->censored = c->has_value && c->at_least;
		e->at_least = c->value;
		if ((e->label = strdup(c->label)) == NULL ||
		    (e->bound = strdup(c->bound)) == NULL ||
		    (e->message = strdup(c->message)) == NULL)
			return DD_ENOMEM;
		if (e->metric == SCORE_METRIC_COUNT &&
		    (e->other_metric = strdup(c->label)) == NULL)
			return DD_ENOMEM;
		if (c->parsed && c->expect.probe[0] != '\0' &&
		    (e->probe = strdup(c->expect.probe)) == NULL)
			return DD_ENOMEM;
	}
	return 0;
}

struct result *
repeat_median_result(const struct repeat_group *g)
{
	const struct result *r0 = NULL;
	struct result *r;

	for (size_t k = 0; g != NULL && k < g->n_runs && r0 == NULL; k++)
		r0 = g->runs[k];
	if (r0 == NULL || (r = result_new(r0->scenario)) == NULL)
		return NULL;
	if (r0->has_seed)
		result_set_seed(r, r0->seed);
	for (size_t i = 0; i < r0->n_params; i++)
		if (result_set_param(r, r0->params[i].key,
		    r0->params[i].value) < 0)
			goto fail;
	if (median_metrics(g, r) < 0 || median_checks(g, r) < 0)
		goto fail;
	r->pass = g->pass;
	if (g->error) {
		const struct result *bad = g->runs[g->first_error];
		char *why = NULL;

		if (asprintf(&why, "run %zu: %s", g->first_error + 1,
		    bad != NULL && bad->error != NULL ? bad->error :
		    "no result") < 0)
			goto fail;
		if (result_set_error(r, why) < 0) {
			free(why);
			goto fail;
		}
		free(why);
	}
	return r;
fail:
	result_free(r);
	return NULL;
}

const char *
repeat_verdict(const struct repeat_group *g)
{
	if (g == NULL || g->error)
		return "error";
	return g->pass ? "pass" : "fail";
}
