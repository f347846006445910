/*
 * result.c -- building and freeing the result model.  Pure: strings are
 * copied in, nothing is read from or written to anywhere.
 */
#include "model/result.h"

#include <stdlib.h>
#include <string.h>

struct result *
result_new(const char *scenario)
{
	struct result *r;

	if (scenario == NULL)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->scenario = strdup(scenario);
	r->events = elog_new();
	r->pass = true;
	if (r->scenario == NULL || r->events == NULL) {
		result_free(r);
		return NULL;
	}
	return r;
}

static void
free_kvs(struct result_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void
free_links(struct result *r)
{
	for (size_t i = 0; i < r->n_links; i++) {
		free(r->links[i].link);
		free(r->links[i].amplification.note);
	}
	free(r->links);
	r->links = NULL;
	r->n_links = 0;
}

static void
free_authority(struct result *r)
{
	for (size_t i = 0; i < r->n_authority; i++) {
		free(r->authority[i].dns);
		free(r->authority[i].queries.note);
		free(r->authority[i].baseline.note);
		free(r->authority[i].ratio.note);
	}
	free(r->authority);
	r->authority = NULL;
	r->n_authority = 0;
}

static void
free_metrics(struct result_metric *metric)
{
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		free(metric[m].note);
		memset(&metric[m], 0, sizeof(metric[m]));
	}
}

static void
free_score(struct result *r)
{
	free_links(r);
	free_authority(r);
	free_metrics(r->metric);
	for (size_t i = 0; i < r->n_expect; i++) {
		free(r->expect[i].other_metric);
		free(r->expect[i].bound);
		free(r->expect[i].message);
		free(r->expect[i].probe);
		free(r->expect[i].label);
	}
	free(r->expect);
	r->expect = NULL;
	r->n_expect = 0;
	for (size_t i = 0; i < r->n_probe_metrics; i++) {
		free(r->probe_metrics[i].name);
		free_metrics(r->probe_metrics[i].metric);
	}
	free(r->probe_metrics);
	r->probe_metrics = NULL;
	r->n_probe_metrics = 0;
}

static void
free_probes(struct result_probe *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].kind);
		free(p[i].host);
		free(p[i].target);
	}
	free(p);
}

void
result_free(struct result *r)
{
	if (r == NULL)
		return;
	free_probes(r->probes, r->n_probes);
	free(r->error);
	free(r->scenario);
	free(r->description);
	free(r->started);
	free(r->incident_start);
	timescale_list_free(&r->distortions);
	free_kvs(r->params, r->n_params);
	free_kvs(r->versions, r->n_versions);
	free_score(r);
	elog_free(r->events);
	free(r);
}

/* Replace *field with a copy of s (NULL clears). */
static int
set_str(char **field, const char *s)
{
	char *copy = NULL;

	if (s != NULL && (copy = strdup(s)) == NULL)
		return DD_ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int
result_set_description(struct result *r, const char *text)
{
	if (r == NULL)
		return DD_EINVAL;
	return set_str(&r->description, text);
}

int
result_set_started(struct result *r, const char *started)
{
	if (r == NULL)
		return DD_EINVAL;
	return set_str(&r->started, started);
}

void
result_set_seed(struct result *r, uint64_t seed)
{
	if (r == NULL)
		return;
	r->has_seed = true;
	r->seed = seed;
}

static int
set_kv(struct result_kv **kvs, size_t *n, const char *key, const char *value)
{
	struct result_kv *grown;
	char *k, *v;

	if (key == NULL || value == NULL)
		return DD_EINVAL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*kvs)[i].key, key) == 0)
			return set_str(&(*kvs)[i].value, value);
	grown = realloc(*kvs, (*n + 1) * sizeof(*grown));
	if (grown == NULL)
		return DD_ENOMEM;
	*kvs = grown;
	k = strdup(key);
	v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return DD_ENOMEM;
	}
	grown[*n].key = k;
	grown[*n].value = v;
	(*n)++;
	return 0;
}

int
result_set_param(struct result *r, const char *key, const char *value)
{
	if (r == NULL)
		return DD_EINVAL;
	return set_kv(&r->params, &r->n_params, key, value);
}

int
result_set_version(struct result *r, const char *component,
    const char *version)
{
	if (r == NULL)
		return DD_EINVAL;
	return set_kv(&r->versions, &r->n_versions, component, version);
}

/* Copy one metric of a score; 0 or DD_ENOMEM. */
static int
copy_metric(struct result_metric *rm, const struct score_value *v)
{
	rm->has = v->has;
	rm->value = v->has ? v->v : 0;
	rm->censored = !v->has && v->censored;
	rm->at_least = rm->censored ? v->at_least : 0;
	if (!v->has && v->why[0] != '\0' &&
	    (rm->note = strdup(v->why)) == NULL)
		return DD_ENOMEM;
	return 0;
}

static int
copy_probes(struct result *r, const struct score_result *s)
{
	if (s->n_probes == 0)
		return 0;
	if ((r->probe_metrics = calloc(s->n_probes, sizeof(*r->probe_metrics))) == NULL)
		return DD_ENOMEM;
	r->n_probe_metrics = s->n_probes;
	for (size_t i = 0; i < s->n_probes; i++) {
		struct result_probe_metrics *p = &r->probe_metrics[i];

		if ((p->name = strdup(s->probes[i].name)) == NULL)
			return DD_ENOMEM;
		for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
			if (!score_metric_per_probe((enum score_metric)m))
				p->metric[m].absent = true;
			else if (copy_metric(&p->metric[m],
			    &s->probes[i].metric[m]) != 0)
				return DD_ENOMEM;
		}
	}
	return 0;
}

int
result_set_score(struct result *r, const struct score_result *s)
{
	if (r == NULL || s == NULL)
		return DD_EINVAL;
	free_score(r);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		if (copy_metric(&r->metric[m], &s->metric[m]) != 0)
			goto nomem;
	if (copy_probes(r, s) != 0)
		goto nomem;
	r->fault_found = s->fault_found;
	r->fault_start_ms = s->fault_start_ms;
	r->fault_end_ms = s->fault_end_ms;
	r->fault_cleared = s->fault_cleared;
	r->service_disrupted = s->service_disrupted;
	r->pass = s->pass && r->error == NULL;
	if (s->n_checks > 0) {
		r->expect = calloc(s->n_checks, sizeof(*r->expect));
		if (r->expect == NULL)
			goto nomem;
		r->n_expect = s->n_checks;
		for (size_t i = 0; i < s->n_checks; i++) {
			const struct score_check *c = &s->checks[i];
			struct result_expect *e = &r->expect[i];

			e->metric = c->expect.metric;
			e->bound = strdup(c->expect.bound_text);
			e->message = strdup(c->message);
			if (e->bound == NULL || e->message == NULL)
				goto nomem;
			e->has_observed = c->has_observed;
			e->observed = c->observed;
			e->pass = c->pass;
			e->censored = c->censored;
			e->at_least = c->censored ? c->at_least : 0;
			e->has_stat = c->expect.has_stat;
			e->stat = c->expect.stat;
			if (!score_expect_on_metric(&c->expect)) {
				char label[2 * ELOG_SOURCE_MAX + 48];

				/* kept by name: not a column of the metrics */
				e->metric = SCORE_METRIC_COUNT;
				score_expect_label(&c->expect, label,
				    sizeof(label));
				if ((e->label = strdup(label)) == NULL ||
				    (e->other_metric = strdup(label)) == NULL)
					goto nomem;
			} else if (c->expect.probe[0] != '\0' ||
			    c->expect.has_stat) {
				char label[ELOG_SOURCE_MAX + 48];

				score_expect_label(&c->expect, label,
				    sizeof(label));
				if (c->expect.probe[0] != '\0' &&
				    (e->probe = strdup(c->expect.probe)) == NULL)
					goto nomem;
				if ((e->label = strdup(label)) == NULL)
					goto nomem;
			}
		}
	}
	for (size_t i = 0; i < s->n_links; i++) {
		const struct score_value *v = &s->links[i].amplification;

		if (result_add_link(r, s->links[i].link, v->has, v->v,
		    !v->has && v->why[0] != '\0' ? v->why : NULL) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < s->n_authority; i++)
		if (result_add_authority(r, &s->authority[i]) < 0)
			goto nomem;
	return 0;
nomem:
	free_score(r);
	return DD_ENOMEM;
}

void
result_mark_probes(struct result *r)
{
	if (r != NULL)
		r->has_probes = true;
}

int
result_add_probe(struct result *r, const char *name, const char *kind,
    const char *host, const char *target, uint64_t every_ms,
    uint64_t timeout_ms, bool timeout_default)
{
	struct result_probe *grown, p = { 0 };

	if (r == NULL || name == NULL || kind == NULL)
		return DD_EINVAL;
	p.name = strdup(name);
	p.kind = strdup(kind);
	p.host = host ? strdup(host) : NULL;
	p.target = target ? strdup(target) : NULL;
	p.every_ms = every_ms;
	p.timeout_ms = timeout_ms;
	p.timeout_default = timeout_default;
	grown = realloc(r->probes, (r->n_probes + 1) * sizeof(*grown));
	if (grown == NULL || p.name == NULL || p.kind == NULL ||
	    (host && p.host == NULL) || (target && p.target == NULL)) {
		if (grown != NULL)
			r->probes = grown;
		free(p.name);
		free(p.kind);
		free(p.host);
		free(p.target);
		return DD_ENOMEM;
	}
	r->probes = grown;
	r->probes[r->n_probes++] = p;
	r->has_probes = true;
	return 0;
}

int
result_add_link(struct result *r, const char *link, bool has, double value,
    const char *note)
{
	struct result_link *grown, *l;

	if (r == NULL || link == NULL)
		return DD_EINVAL;
	grown = realloc(r->links, (r->n_links + 1) * sizeof(*grown));
	if (grown == NULL)
		return DD_ENOMEM;
	r->links = grown;
	l = &grown[r->n_links];
	memset(l, 0, sizeof(*l));
	l->amplification.has = has;
	l->amplification.value = has ? value : 0;
	if ((l->link = strdup(link)) == NULL ||
	    (note != NULL && (l->amplification.note = strdup(note)) == NULL)) {
		free(l->link);
		return DD_ENOMEM;
	}
	r->n_links++;
	return 0;
}

int
result_add_authority(struct result *r, const struct score_authority *a)
{
	struct result_authority *grown, *e;

	if (r == NULL || a == NULL || a->dns[0] == '\0')
		return DD_EINVAL;
	grown = realloc(r->authority, (r->n_authority + 1) * sizeof(*grown));
	if (grown == NULL)
		return DD_ENOMEM;
	r->authority = grown;
	e = &grown[r->n_authority];
	memset(e, 0, sizeof(*e));
	e->fault_s = a->queries.has ? a->fault_s : 0;
	e->baseline_s = a->baseline.has ? a->baseline_s : 0;
	if ((e->dns = strdup(a->dns)) == NULL ||
	    copy_metric(&e->queries, &a->queries) != 0 ||
	    copy_metric(&e->baseline, &a->baseline) != 0 ||
	    copy_metric(&e->ratio, &a->ratio) != 0) {
		free(e->dns);
		free(e->queries.note);
		free(e->baseline.note);
		free(e->ratio.note);
		return DD_ENOMEM;
	}
	r->n_authority++;
	return 0;
}

bool
result_authority_qps(const struct result_authority *a, bool baseline,
    double *qps)
{
	const struct result_metric *n;
	double span;

	if (a == NULL)
		return false;
	n = baseline ? &a->baseline : &a->queries;
	span = baseline ? a->baseline_s : a->fault_s;
	if (!n->has || !(span > 0))
		return false;
	*qps = n->value / span;
	return true;
}

const struct result_authority *
result_authority_find(const struct result *r, const char *dns)
{
	for (size_t i = 0; r != NULL && dns != NULL && i < r->n_authority; i++)
		if (strcmp(r->authority[i].dns, dns) == 0)
			return &r->authority[i];
	return NULL;
}

int
result_take_events(struct result *r, struct elog *log)
{
	if (r == NULL || log == NULL)
		return DD_EINVAL;
	if (log != r->events)
		elog_free(r->events);
	r->events = log;
	if (elog_last_ms(log) > r->duration_ms)
		r->duration_ms = elog_last_ms(log);
	return 0;
}

int
result_set_error(struct result *r, const char *reason)
{
	int rc;

	if (r == NULL)
		return DD_EINVAL;
	if ((rc = set_str(&r->error, reason)) == 0 && reason != NULL)
		r->pass = false;
	return rc;
}

const char *
result_verdict(const struct result *r)
{
	if (r != NULL && r->error != NULL)
		return "error";
	return r != NULL && r->pass ? "pass" : "fail";
}

const char *
result_expect_metric(const struct result_expect *e)
{
	if (e == NULL)
		return "?";
	if (e->label != NULL)
		return e->label;
	if ((unsigned)e->metric < SCORE_METRIC_COUNT)
		return score_metric_name(e->metric);
	return e->other_metric != NULL ? e->other_metric : "?";
}
