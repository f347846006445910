/*
 * result_json.c -- result.json out and back in.  The layout is documented in
 * doc/results.md; keep the two in step.  Events are written one per line
 * (compact objects) so a result.json stays greppable.
 */
#include "reports/json.h"
#include "model/result.h"

#include <stdlib.h>
#include <string.h>

static void
write_kvs(struct jw *w, const struct result_kv *kv, size_t n)
{
	jw_obj_begin(w);
	for (size_t i = 0; i < n; i++) {
		jw_key(w, kv[i].key);
		jw_str(w, kv[i].value);
	}
	jw_obj_end(w);
}

static void
write_event(struct jw *w, const struct elog_ev *e)
{
	jw_obj_begin_compact(w);
	jw_key(w, "t_ms");
	jw_uint(w, e->t_ms);
	jw_key(w, "kind");
	jw_str(w, elog_kind_name(e->kind));
	jw_key(w, "source");
	jw_str(w, e->source);
	jw_key(w, "text");
	jw_str(w, e->text);
	switch (e->kind) {
	case ELOG_PROBE:
		jw_key(w, "ok");
		jw_bool(w, e->u.probe.ok);
		jw_key(w, "latency_ms");
		jw_num(w, e->u.probe.latency_ms);
		break;
	case ELOG_PROC_EXIT:
		jw_key(w, "exit_code");
		jw_int(w, e->u.exit.code);
		jw_key(w, "signal");
		jw_int(w, e->u.exit.signal);
		break;
	case ELOG_RATE:
		jw_key(w, "qps");
		jw_num(w, e->u.rate.qps);
		jw_key(w, "window_ms");
		jw_uint(w, e->u.rate.window_ms);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

int
result_json_write(const struct result *r, FILE *f)
{
	struct jw w;
	bool any_note = false;

	if (r == NULL || f == NULL)
		return DD_EINVAL;
	jw_init(&w, f, true);
	jw_obj_begin(&w);
	jw_key(&w, "format");
	jw_str(&w, RESULT_FORMAT);
	jw_key(&w, "scenario");
	jw_str(&w, r->scenario);
	jw_key(&w, "description");
	jw_str(&w, r->description);
	jw_key(&w, "verdict");
	jw_str(&w, result_verdict(r));
	jw_key(&w, "seed");
	if (r->has_seed)
		jw_uint(&w, r->seed);
	else
		jw_null(&w);
	jw_key(&w, "started");
	jw_str(&w, r->started);
	jw_key(&w, "duration_ms");
	jw_uint(&w, r->duration_ms);
	jw_key(&w, "params");
	write_kvs(&w, r->params, r->n_params);
	jw_key(&w, "versions");
	write_kvs(&w, r->versions, r->n_versions);

	jw_key(&w, "metrics");
	jw_obj_begin(&w);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		jw_key(&w, score_metric_name((enum score_metric)m));
		if (r->metric[m].has)
			jw_num(&w, r->metric[m].value);
		else
			jw_null(&w);
		if (!r->metric[m].has && r->metric[m].note != NULL)
			any_note = true;
	}
	jw_obj_end(&w);

	jw_key(&w, "metric_notes");
	jw_obj_begin(&w);
	for (int m = 0; any_note && m < SCORE_METRIC_COUNT; m++) {
		if (r->metric[m].has || r->metric[m].note == NULL)
			continue;
		jw_key(&w, score_metric_name((enum score_metric)m));
		jw_str(&w, r->metric[m].note);
	}
	jw_obj_end(&w);

	jw_key(&w, "fault");
	if (r->fault_found) {
		jw_obj_begin(&w);
		jw_key(&w, "start_ms");
		jw_uint(&w, r->fault_start_ms);
		jw_key(&w, "end_ms");
		jw_uint(&w, r->fault_end_ms);
		jw_key(&w, "cleared");
		jw_bool(&w, r->fault_cleared);
		jw_key(&w, "service_disrupted");
		jw_bool(&w, r->service_disrupted);
		jw_obj_end(&w);
	} else {
		jw_null(&w);
	}

	jw_key(&w, "expectations");
	jw_arr_begin(&w);
	for (size_t i = 0; i < r->n_expect; i++) {
		const struct result_expect *e = &r->expect[i];

		jw_obj_begin_compact(&w);
		jw_key(&w, "metric");
		jw_str(&w, e->metric);
		jw_key(&w, "bound");
		jw_str(&w, e->bound);
		jw_key(&w, "observed");
		if (e->has_observed)
			jw_num(&w, e->observed);
		else
			jw_null(&w);
		jw_key(&w, "pass");
		jw_bool(&w, e->pass);
		jw_key(&w, "message");
		jw_str(&w, e->message);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "events");
	jw_arr_begin(&w);
	for (size_t i = 0; r->events != NULL && i < r->events->n; i++)
		write_event(&w, &r->events->ev[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return jw_finish(&w);
}

/* ------------------------------------------------------------------ */
/* Reading back */

/* Optional string member: absent or null leaves *out NULL. */
static int
opt_str(const struct jv *obj, const char *key, const char **out,
    const char *where, struct dd_err *err)
{
	const struct jv *v = jv_get(obj, key);

	*out = NULL;
	if (v == NULL || v->type == JV_NULL)
		return 0;
	if (v->type != JV_STR) {
		dd_err_set(err, "%s%s: expected a string", where, key);
		return DD_EINVAL;
	}
	*out = v->str;
	return 0;
}

static int
opt_u64(const struct jv *obj, const char *key, bool *has, uint64_t *out,
    const char *where, struct dd_err *err)
{
	const struct jv *v = jv_get(obj, key);

	*has = false;
	if (v == NULL || v->type == JV_NULL)
		return 0;
	if (v->type != JV_NUM || !v->is_u64) {
		dd_err_set(err, "%s%s: expected a non-negative integer", where,
		    key);
		return DD_EINVAL;
	}
	*has = true;
	*out = v->u64;
	return 0;
}

static int
read_kvs(const struct jv *root, const char *key, struct result *r,
    int (*set)(struct result *, const char *, const char *),
    struct dd_err *err)
{
	const struct jv *obj = jv_get(root, key);
	int rc;

	if (obj == NULL || obj->type == JV_NULL)
		return 0;
	if (obj->type != JV_OBJ) {
		dd_err_set(err, "%s: expected an object", key);
		return DD_EINVAL;
	}
	for (size_t i = 0; i < obj->n; i++) {
		if (obj->items[i].type != JV_STR) {
			dd_err_set(err, "%s.%s: expected a string", key,
			    obj->keys[i]);
			return DD_EINVAL;
		}
		if ((rc = set(r, obj->keys[i], obj->items[i].str)) != 0)
			return rc;
	}
	return 0;
}

static int
read_metrics(const struct jv *root, struct result *r, struct dd_err *err)
{
	const struct jv *metrics = jv_get(root, "metrics");
	const struct jv *notes = jv_get(root, "metric_notes");

	if (metrics == NULL || metrics->type != JV_OBJ) {
		dd_err_set(err, "metrics: missing or not an object");
		return DD_EINVAL;
	}
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const char *name = score_metric_name((enum score_metric)m);
		const struct jv *v = jv_get(metrics, name);
		const char *note = jv_string(jv_get(notes, name));

		if (v == NULL || v->type == JV_NULL) {
			if (note != NULL &&
			    (r->metric[m].note = strdup(note)) == NULL)
				return DD_ENOMEM;
			continue;
		}
		if (!jv_number(v, &r->metric[m].value)) {
			dd_err_set(err, "metrics.%s: expected a number or null",
			    name);
			return DD_EINVAL;
		}
		r->metric[m].has = true;
	}
	return 0;
}

static int
read_fault(const struct jv *root, struct result *r, struct dd_err *err)
{
	const struct jv *f = jv_get(root, "fault");
	bool has_start, has_end;
	int rc;

	if (f == NULL || f->type == JV_NULL)
		return 0;
	if (f->type != JV_OBJ) {
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
	jv_boolean(jv_get(f, "cleared"), &r->fault_cleared);
	jv_boolean(jv_get(f, "service_disrupted"), &r->service_disrupted);
	return 0;
}

static int
read_expectations(const struct jv *root, struct result *r,
    struct dd_err *err)
{
	const struct jv *arr = jv_get(root, "expectations");

	if (arr == NULL || arr->type == JV_NULL)
		return 0;
	if (arr->type != JV_ARR) {
		dd_err_set(err, "expectations: expected an array");
		return DD_EINVAL;
	}
	if (arr->n == 0)
		return 0;
	r->expect = calloc(arr->n, sizeof(*r->expect));
	if (r->expect == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < arr->n; i++) {
		const struct jv *o = &arr->items[i];
		struct result_expect *e = &r->expect[i];
		const char *metric = jv_string(jv_get(o, "metric"));
		const char *bound = jv_string(jv_get(o, "bound"));
		const char *msg = jv_string(jv_get(o, "message"));
		const struct jv *obs = jv_get(o, "observed");

		r->n_expect = i + 1;
		if (o->type != JV_OBJ || metric == NULL || bound == NULL ||
		    !jv_boolean(jv_get(o, "pass"), &e->pass)) {
			dd_err_set(err, "expectations[%zu]: needs metric, bound "
			    "and pass", i);
			return DD_EINVAL;
		}
		if (obs != NULL && obs->type != JV_NULL) {
			if (!jv_number(obs, &e->observed)) {
				dd_err_set(err, "expectations[%zu].observed: "
				    "expected a number or null", i);
				return DD_EINVAL;
			}
			e->has_observed = true;
		}
		e->metric = strdup(metric);
		e->bound = strdup(bound);
		e->message = strdup(msg ? msg : "");
		if (e->metric == NULL || e->bound == NULL || e->message == NULL)
			return DD_ENOMEM;
	}
	return 0;
}

static int
read_event(const struct jv *o, size_t i, struct elog *log,
    struct dd_err *err)
{
	struct elog_ev e;
	const struct jv *t = jv_get(o, "t_ms");
	const char *kind = jv_string(jv_get(o, "kind"));
	double d;

	memset(&e, 0, sizeof(e));
	if (o->type != JV_OBJ || t == NULL || t->type != JV_NUM ||
	    !t->is_u64 || kind == NULL) {
		dd_err_set(err, "events[%zu]: needs t_ms and kind", i);
		return DD_EINVAL;
	}
	if (elog_kind_parse(kind, &e.kind) != 0) {
		dd_err_set(err, "events[%zu]: unknown kind '%s'", i, kind);
		return DD_EINVAL;
	}
	e.t_ms = t->u64;
	e.source = jv_string(jv_get(o, "source"));
	e.text = jv_string(jv_get(o, "text"));
	switch (e.kind) {
	case ELOG_PROBE:
		if (!jv_boolean(jv_get(o, "ok"), &e.u.probe.ok)) {
			dd_err_set(err, "events[%zu]: probe needs ok", i);
			return DD_EINVAL;
		}
		if (jv_number(jv_get(o, "latency_ms"), &d))
			e.u.probe.latency_ms = d;
		break;
	case ELOG_PROC_EXIT:
		if (jv_number(jv_get(o, "exit_code"), &d))
			e.u.exit.code = (int)d;
		if (jv_number(jv_get(o, "signal"), &d))
			e.u.exit.signal = (int)d;
		break;
	case ELOG_RATE:
		if (!jv_number(jv_get(o, "qps"), &e.u.rate.qps)) {
			dd_err_set(err, "events[%zu]: rate needs qps", i);
			return DD_EINVAL;
		}
		t = jv_get(o, "window_ms");
		if (t != NULL && t->is_u64)
			e.u.rate.window_ms = t->u64;
		break;
	default:
		break;
	}
	return elog_add(log, &e);
}

static int
read_events(const struct jv *root, struct result *r, struct dd_err *err)
{
	const struct jv *arr = jv_get(root, "events");
	int rc;

	if (arr == NULL || arr->type == JV_NULL)
		return 0;
	if (arr->type != JV_ARR) {
		dd_err_set(err, "events: expected an array");
		return DD_EINVAL;
	}
	for (size_t i = 0; i < arr->n; i++)
		if ((rc = read_event(&arr->items[i], i, r->events, err)) != 0)
			return rc;
	return 0;
}

int
result_json_read(const char *text, size_t len, struct result **out,
    struct dd_err *err)
{
	struct jv *root = NULL;
	struct result *r = NULL;
	const char *scenario, *verdict, *s;
	bool has;
	uint64_t u;
	int rc;

	if (out == NULL)
		return DD_EINVAL;
	*out = NULL;
	if ((rc = json_parse(text, len, &root, err)) != 0)
		return rc;
	rc = DD_EINVAL;
	if (root->type != JV_OBJ) {
		dd_err_set(err, "result: expected an object");
		goto fail;
	}
	scenario = jv_string(jv_get(root, "scenario"));
	verdict = jv_string(jv_get(root, "verdict"));
	if (scenario == NULL) {
		dd_err_set(err, "scenario: missing or not a string");
		goto fail;
	}
	if (verdict == NULL || (strcmp(verdict, "pass") != 0 &&
	    strcmp(verdict, "fail") != 0)) {
		dd_err_set(err, "verdict: expected \"pass\" or \"fail\"");
		goto fail;
	}
	if ((r = result_new(scenario)) == NULL) {
		rc = DD_ENOMEM;
		goto fail;
	}
	r->pass = strcmp(verdict, "pass") == 0;
	if ((rc = opt_str(root, "description", &s, "", err)) != 0 ||
	    (rc = result_set_description(r, s)) != 0 ||
	    (rc = opt_str(root, "started", &s, "", err)) != 0 ||
	    (rc = result_set_started(r, s)) != 0 ||
	    (rc = opt_u64(root, "seed", &has, &u, "", err)) != 0)
		goto fail;
	if (has)
		result_set_seed(r, u);
	if ((rc = opt_u64(root, "duration_ms", &has, &u, "", err)) != 0)
		goto fail;
	if (has)
		r->duration_ms = u;
	if ((rc = read_kvs(root, "params", r, result_set_param, err)) != 0 ||
	    (rc = read_kvs(root, "versions", r, result_set_version, err)) != 0 ||
	    (rc = read_metrics(root, r, err)) != 0 ||
	    (rc = read_fault(root, r, err)) != 0 ||
	    (rc = read_expectations(root, r, err)) != 0 ||
	    (rc = read_events(root, r, err)) != 0)
		goto fail;
	jv_free(root);
	*out = r;
	return 0;
fail:
	if (rc == DD_ENOMEM)
		dd_err_set(err, "out of memory");
	result_free(r);
	jv_free(root);
	return rc;
}
