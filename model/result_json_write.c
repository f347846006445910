/*
 * result_json_write.c -- result.json out, through jansson.  The layout is
 * documented in doc/results.md; keep the two in step.  Reading it back is
 * result_json_read.c; what both share about numbers is rjson.h.
 *
 * Writing builds the document as a jansson tree, members in the documented
 * order (jansson objects keep insertion order), then lays it out: one
 * member per line, but each expectation and each event one compact object
 * per line so a result.json stays greppable -- a mix JSON_INDENT cannot
 * make.  jansson writes every string, integer and literal token; three
 * things it cannot do are done here:
 *  - HTML safety.  jansson has no flag for it, so each token it writes
 *    passes through put_safe(): "</" becomes "<\/", U+2028 and U+2029
 *    become escapes (and, to stay byte-identical with the writer before
 *    jansson, DEL is written \u007f and \u escapes use lower-case hex).
 *  - Reals.  jansson prints 17 digits and appends ".0" to integral ones; we
 *    print the shortest of %.15g and %.17g that reads back equal, as
 *    result.json always has (assumes the C locale's LC_NUMERIC).
 *  - Integers above INT64_MAX (seeds are 0..2^64-1; jansson's integers are
 *    long long and it refuses longer literals as "too big integer").  In the
 *    tree such a number is a "big" string: a NUL, then the decimal digits.
 *    No string of a result can be one (they are C strings), the layout
 *    prints the digits bare, and before parsing, mark_big() turns every
 *    integer literal jansson would refuse into the same form.
 * jansson also refuses invalid UTF-8, which the SUT's output may hold:
 * strings are cleaned (each bad byte -> U+FFFD) before entering the tree.
 */
#include "model/result.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/utf8.h"
#include "model/rjson.h"

/* ------------------------------------------------------------------ */
/* Numbers jansson cannot hold */


static json_t *
json_u64(uint64_t u)
{
	char big[24];
	int n;

	if (u <= INT64_MAX)
		return json_integer((json_int_t)u);
	big[0] = '\0';
	n = snprintf(big + 1, sizeof(big) - 1, "%" PRIu64, u);
	return json_stringn_nocheck(big, (size_t)n + 1);
}

/* ------------------------------------------------------------------ */
/* The tree */

static bool
append(json_t *arr, json_t *v)
{
	return v != NULL && json_array_append_new(arr, v) == 0;
}

/* obj[key] = v with invalid UTF-8 in the key replaced (keys come from
 * scenarios and faultd), taking v; false when out of memory. */
static bool
put_key_valid(json_t *obj, const char *key, json_t *v)
{
	char *clean = utf8_dup_valid(key, strlen(key), NULL);
	bool ok = clean != NULL && rjson_put(obj, clean, v);

	if (clean == NULL)
		json_decref(v);
	free(clean);
	return ok;
}

static json_t *
kvs_tree(const struct result_kv *kv, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n; i++) {
		if (!put_key_valid(o, kv[i].key, rjson_text(kv[i].value))) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static json_t *
event_tree(const struct elog_ev *e)
{
	json_t *o = json_object();
	bool ok = o != NULL &&
	    rjson_put(o, "t_ms", json_u64(e->t_ms)) &&
	    rjson_put(o, "kind", json_string(elog_kind_name(e->kind))) &&
	    rjson_put(o, "source", rjson_text(e->source)) &&
	    rjson_put(o, "text", rjson_text(e->text));

	switch (e->kind) {
	case ELOG_PROBE:
		ok = ok && rjson_put(o, "ok", json_boolean(e->u.probe.ok)) &&
		    rjson_put(o, "latency_ms", rjson_num(e->u.probe.latency_ms)) &&
		    (!e->u.probe.has_start ||
		    rjson_put(o, "start_ms", json_u64(e->u.probe.start_ms)));
		break;
	case ELOG_PROC_EXIT:
		ok = ok && rjson_put(o, "exit_code", json_integer(e->u.exit.code)) &&
		    rjson_put(o, "signal", json_integer(e->u.exit.signal));
		break;
	case ELOG_RATE:
		ok = ok && rjson_put(o, "qps", rjson_num(e->u.rate.qps)) &&
		    rjson_put(o, "window_ms", json_u64(e->u.rate.window_ms));
		break;
	default:
		break;
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
expect_tree(const struct result_expect *e)
{
	json_t *o = json_object();

	if (o != NULL &&
	    rjson_put(o, "metric", rjson_text(result_expect_metric(e))) &&
	    rjson_put(o, "bound", rjson_text(e->bound)) &&
	    rjson_put(o, "observed", e->has_observed ? rjson_num(e->observed) :
	    json_null()) &&
	    rjson_put(o, "pass", json_boolean(e->pass)) &&
	    rjson_put(o, "message", rjson_text(e->message)) &&
	    (!e->censored || (rjson_put(o, "censored", json_true()) &&
	    rjson_put(o, "at_least", rjson_num(e->at_least)))))
		return o;
	json_decref(o);
	return NULL;
}

/* What a metric set says: values (null when not observed), or notes
 * (why, for the null ones), or bounds (the censored ones).  Absent
 * metrics are left out. */
enum metric_part { PART_VALUES, PART_NOTES, PART_BOUNDS };

static json_t *
probe_tree(const struct result_probe *p)
{
	json_t *o = json_object();

	if (o != NULL &&
	    rjson_put(o, "name", rjson_text(p->name)) &&
	    rjson_put(o, "kind", rjson_text(p->kind)) &&
	    rjson_put(o, "host", rjson_text(p->host)) &&
	    rjson_put(o, "target", rjson_text(p->target)) &&
	    rjson_put(o, "every_ms", json_u64(p->every_ms)) &&
	    rjson_put(o, "timeout_ms", json_u64(p->timeout_ms)) &&
	    rjson_put(o, "timeout_default", json_boolean(p->timeout_default)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *
metrics_tree(const struct result_metric *metric, enum metric_part part)
{
	json_t *o = json_object();

	for (int m = 0; o != NULL && m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &metric[m];
		const char *name = score_metric_name((enum score_metric)m);
		json_t *b;
		bool ok;

		if (rm->absent)
			continue;
		if (part == PART_VALUES) {
			ok = rjson_put(o, name, rm->has ? rjson_num(rm->value) :
			    json_null());
		} else if (part == PART_NOTES) {
			if (rm->has || rm->note == NULL)
				continue;
			ok = rjson_put(o, name, rjson_text(rm->note));
		} else {
			if (rm->has || !rm->censored)
				continue;
			b = json_object();
			ok = b != NULL && rjson_put(b, "censored", json_true()) &&
			    rjson_put(b, "at_least", rjson_num(rm->at_least));
			ok = ok ? rjson_put(o, name, b) : (json_decref(b), false);
		}
		if (!ok) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static bool
any_censored(const struct result_metric *metric)
{
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		if (!metric[m].absent && !metric[m].has && metric[m].censored)
			return true;
	return false;
}

/* "probe_metrics": {"www": {"metrics": {...}, "metric_notes": {...},
 * "metric_bounds": {...}}, ...}; metric_bounds only when one is
 * censored. */
static json_t *
probes_tree(const struct result *r)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < r->n_probe_metrics; i++) {
		const struct result_probe_metrics *p = &r->probe_metrics[i];
		json_t *po = json_object();
		char *key = utf8_dup_valid(p->name, strlen(p->name), NULL);
		bool ok = po != NULL && key != NULL &&
		    rjson_put(po, "metrics", metrics_tree(p->metric, PART_VALUES)) &&
		    rjson_put(po, "metric_notes", metrics_tree(p->metric,
		    PART_NOTES)) &&
		    (!any_censored(p->metric) || rjson_put(po, "metric_bounds",
		    metrics_tree(p->metric, PART_BOUNDS)));

		ok = ok ? rjson_put(o, key, po) : (json_decref(po), false);
		free(key);
		if (!ok) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static json_t *
fault_tree(const struct result *r)
{
	json_t *o;

	if (!r->fault_found)
		return json_null();
	o = json_object();
	if (o != NULL &&
	    rjson_put(o, "start_ms", json_u64(r->fault_start_ms)) &&
	    rjson_put(o, "end_ms", json_u64(r->fault_end_ms)) &&
	    rjson_put(o, "cleared", json_boolean(r->fault_cleared)) &&
	    rjson_put(o, "service_disrupted", json_boolean(r->service_disrupted)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *
counts_tree(const struct elog_count *c, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n; i++) {
		if (!put_key_valid(o, c[i].name, json_u64(c[i].value))) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* amplification (notes false) or amplification_notes (true): per link,
 * like metrics and metric_notes. */
static json_t *
links_tree(const struct result *r, bool notes)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < r->n_links; i++) {
		const struct result_metric *m = &r->links[i].amplification;
		char *key = utf8_dup_valid(r->links[i].link, strlen(r->links[i].link), NULL);
		bool ok = key != NULL;

		if (ok && !notes)
			ok = rjson_put(o, key, m->has ? rjson_num(m->value) : json_null());
		else if (ok && !m->has && m->note != NULL)
			ok = rjson_put(o, key, rjson_text(m->note));
		free(key);
		if (!ok) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* One reading of a faultd's counters: t_ms, why, then the members of
 * faultd's `stats json` (faultctl(1)), or an error. */
static json_t *
snap_tree(const struct elog_stats *s)
{
	json_t *o = json_object(), *rules = json_array(), *clients = json_array();
	bool ok = o != NULL && rules != NULL && clients != NULL &&
	    rjson_put(o, "t_ms", json_u64(s->t_ms)) &&
	    rjson_put(o, "why", json_string(elog_stats_why_name(s->why)));

	if (ok && s->error != NULL) {
		ok = rjson_put(o, "error", rjson_text(s->error));
		goto out;
	}
	for (size_t i = 0; ok && i < s->n_counters; i++) {
		char *key = utf8_dup_valid(s->counters[i].name,
		    strlen(s->counters[i].name), NULL);

		/* the members this layout gives a meaning of its own */
		if (key != NULL && (strcmp(key, "t_ms") == 0 ||
		    strcmp(key, "why") == 0 || strcmp(key, "error") == 0 ||
		    strcmp(key, "clients_other") == 0)) {
			free(key);
			continue;
		}
		ok = key != NULL && rjson_put(o, key, json_u64(s->counters[i].value));
		free(key);
	}
	for (size_t i = 0; ok && i < s->n_rules; i++) {
		json_t *r = json_object();

		ok = append(rules, r) &&
		    rjson_put(r, "id", json_u64(s->rules[i].id)) &&
		    rjson_put(r, "hits", json_u64(s->rules[i].hits)) &&
		    rjson_put(r, "rule", rjson_text(s->rules[i].rule));
	}
	for (size_t i = 0; ok && i < s->n_clients; i++) {
		json_t *c = json_object();

		ok = append(clients, c) &&
		    rjson_put(c, "addr", rjson_text(s->clients[i].name)) &&
		    rjson_put(c, "queries", json_u64(s->clients[i].value));
	}
	ok = ok && rjson_put(o, "actions", counts_tree(s->actions, s->n_actions)) &&
	    rjson_put(o, "rule_hits", json_incref(rules)) &&
	    rjson_put(o, "clients", json_incref(clients)) &&
	    rjson_put(o, "clients_other", json_u64(s->clients_other));
out:
	json_decref(rules);
	json_decref(clients);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* dns_stats: per DNS server (in the order first read) its readings in
 * the order taken. */
static json_t *
dns_stats_tree(const struct elog *log)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < log->n_stats; i++) {
		const char *dns = log->stats[i].dns;
		char *key = utf8_dup_valid(dns, strlen(dns), NULL);
		json_t *arr = key ? json_object_get(o, key) : NULL;
		bool ok = key != NULL;

		if (ok && arr == NULL) {
			arr = json_array();
			ok = arr != NULL && json_object_set_new(o, key, arr) == 0;
		}
		ok = ok && append(arr, snap_tree(&log->stats[i]));
		free(key);
		if (!ok) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* "authority": per faultd, its queries over the fault and the baseline
 * with their spans and rates, the ratio, and for each null a note. */
static json_t *
authority_tree(const struct result *r)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < r->n_authority; i++) {
		const struct result_authority *a = &r->authority[i];
		json_t *e = json_object();
		double q, b;
		bool hq = result_authority_qps(a, false, &q);
		bool hb = result_authority_qps(a, true, &b);
		bool ok = e != NULL &&
		    rjson_put(e, "queries", a->queries.has ? rjson_num(a->queries.value) : json_null()) &&
		    rjson_put(e, "fault_s", a->queries.has ? rjson_num(a->fault_s) : json_null()) &&
		    rjson_put(e, "qps", hq ? rjson_num(q) : json_null()) &&
		    rjson_put(e, "baseline_queries", a->baseline.has ? rjson_num(a->baseline.value) : json_null()) &&
		    rjson_put(e, "baseline_s", a->baseline.has ? rjson_num(a->baseline_s) : json_null()) &&
		    rjson_put(e, "baseline_qps", hb ? rjson_num(b) : json_null()) &&
		    rjson_put(e, "ratio", a->ratio.has ? rjson_num(a->ratio.value) : json_null()) &&
		    (a->queries.has || rjson_put(e, "queries_note", rjson_text(a->queries.note))) &&
		    (a->baseline.has || rjson_put(e, "baseline_note", rjson_text(a->baseline.note))) &&
		    (a->ratio.has || rjson_put(e, "ratio_note", rjson_text(a->ratio.note)));

		if (!(ok ? put_key_valid(o, a->dns, e) : (json_decref(e), false))) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* "metrics_incident": the incident-time metrics (result_metric_is_
 * incident_time) times the run's speed, null where not observed; to the
 * microsecond, so 0.856 s at speed 360 reads 308.16, not 308.15999999999997 */
static json_t *
metrics_incident_tree(const struct result *r)
{
	json_t *o = json_object();
	double speed = result_speed(r);

	for (int m = 0; o != NULL && m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];

		if (rm->absent || !result_metric_is_incident_time((enum score_metric)m))
			continue;
		if (!rjson_put(o, score_metric_name((enum score_metric)m),
		    rm->has ? rjson_num(round(rm->value * speed * 1e6) / 1e6) : json_null())) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* "time_distortions": one object per line. */
static json_t *
distortions_tree(const struct result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->distortions.n; i++) {
		const struct timescale_distortion *d = &r->distortions.v[i];
		json_t *o = json_object();
		bool ok = o != NULL &&
		    rjson_put(o, "kind", json_string(timescale_kind_name(d->kind))) &&
		    rjson_put(o, "what", rjson_text(d->what)) &&
		    rjson_put(o, "incident_s", d->has_incident ? rjson_num(d->incident_s) : json_null()) &&
		    rjson_put(o, "real_s", d->has_real ? rjson_num(d->real_s) : json_null()) &&
		    rjson_put(o, "note", rjson_text(d->note));

		if (!(ok ? append(a, o) : (json_decref(o), false))) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* The whole document, members in doc/results.md's order; NULL when out
 * of memory. */
static json_t *
result_tree(const struct result *r)
{
	json_t *root = json_object(), *ex = json_array(), *ev = json_array();
	json_t *pr = json_array();
	bool ok = root != NULL && ex != NULL && ev != NULL && pr != NULL;

	for (size_t i = 0; ok && i < r->n_expect; i++)
		ok = append(ex, expect_tree(&r->expect[i]));
	for (size_t i = 0; ok && i < r->n_probes; i++)
		ok = append(pr, probe_tree(&r->probes[i]));
	for (size_t i = 0; ok && r->events != NULL && i < r->events->n; i++)
		ok = append(ev, event_tree(&r->events->ev[i]));
	ok = ok &&
	    rjson_put(root, "format", json_string(RESULT_FORMAT)) &&
	    rjson_put(root, "scenario", rjson_text(r->scenario)) &&
	    rjson_put(root, "description", rjson_text(r->description)) &&
	    rjson_put(root, "verdict", json_string(result_verdict(r))) &&
	    (r->error == NULL || rjson_put(root, "error", rjson_text(r->error))) &&
	    rjson_put(root, "seed", r->has_seed ? json_u64(r->seed) : json_null()) &&
	    rjson_put(root, "started", rjson_text(r->started)) &&
	    (!r->has_time ||
	    (rjson_put(root, "incident_start", rjson_text(r->incident_start)) &&
	    rjson_put(root, "incident_t0_ms", json_u64(r->incident_t0_ms)))) &&
	    rjson_put(root, "duration_ms", json_u64(r->duration_ms)) &&
	    rjson_put(root, "params", kvs_tree(r->params, r->n_params)) &&
	    rjson_put(root, "versions", kvs_tree(r->versions, r->n_versions)) &&
	    rjson_put(root, "metrics", metrics_tree(r->metric, PART_VALUES)) &&
	    rjson_put(root, "metric_notes", metrics_tree(r->metric, PART_NOTES)) &&
	    (!any_censored(r->metric) || rjson_put(root, "metric_bounds",
	    metrics_tree(r->metric, PART_BOUNDS))) &&
	    (!r->has_time || rjson_put(root, "metrics_incident", metrics_incident_tree(r))) &&
	    (r->n_probe_metrics == 0 || rjson_put(root, "probe_metrics", probes_tree(r))) &&
	    rjson_put(root, "fault", fault_tree(r)) &&
	    rjson_put(root, "expectations", json_incref(ex)) &&
	    (!r->has_probes || rjson_put(root, "probes", json_incref(pr))) &&
	    (r->n_links == 0 ||
	    (rjson_put(root, "amplification", links_tree(r, false)) &&
	    rjson_put(root, "amplification_notes", links_tree(r, true)))) &&
	    (!r->has_time || rjson_put(root, "time_distortions", distortions_tree(r))) &&
	    (r->n_authority == 0 || rjson_put(root, "authority", authority_tree(r))) &&
	    (r->events == NULL || r->events->n_stats == 0 ||
	    rjson_put(root, "dns_stats", dns_stats_tree(r->events))) &&
	    rjson_put(root, "events", json_incref(ev));
	json_decref(ex);
	json_decref(pr);
	json_decref(ev);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* ------------------------------------------------------------------ */
/* Layout */

struct jout {
	FILE *f;
	bool oom;
};

/* Write n bytes of jansson's output, made safe to embed in HTML. */
static void
put_safe(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		if (p[i] == '\\' && i + 1 < n) {
			/* an escape: copied whole, so "\\/" and "\\u2028"
			 * typed by the SUT are left alone */
			size_t len = p[i + 1] == 'u' && i + 6 <= n ? 6 : 2;

			putc('\\', f);
			for (size_t k = 1; k < len; k++)
				putc(len == 6 && p[i + k] >= 'A' &&
				    p[i + k] <= 'F' ? p[i + k] - 'A' + 'a' :
				    p[i + k], f);
			i += len;
		} else if (p[i] == '/' && i > 0 && p[i - 1] == '<') {
			fputs("\\/", f);
			i++;
		} else if (p[i] == 0x7F) {
			fputs("\\u007f", f);
			i++;
		} else if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
			fputs(p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", f);
			i += 3;
		} else {
			putc(p[i], f);
			i++;
		}
	}
}

/* One scalar (or empty container) as jansson writes it. */
static void
put_token(struct jout *o, const json_t *v)
{
	char small[256], *text = small;
	size_t n = json_dumpb(v, small, sizeof(small), JSON_ENCODE_ANY);

	if (n > sizeof(small)) {
		if ((text = json_dumps(v, JSON_ENCODE_ANY)) == NULL)
			n = 0;
		else
			n = strlen(text);
	}
	if (n == 0)
		o->oom = true;
	else
		put_safe(o->f, text, n);
	if (text != small)
		free(text);
}

static void
put_real(FILE *f, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, f);
}

static void
put_key(struct jout *o, const char *key)
{
	json_t *k = json_string_nocheck(key);

	if (k == NULL) {
		o->oom = true;
		return;
	}
	put_token(o, k);
	json_decref(k);
	fputs(": ", o->f);
}

/* Before each member or element: a comma after the first, and in a
 * multi-line container a new line indented to depth. */
static void
next_item(struct jout *o, bool *first, bool one_line, int depth)
{
	if (!*first)
		fputs(one_line ? ", " : ",", o->f);
	*first = false;
	if (!one_line)
		fprintf(o->f, "\n%*s", 2 * depth, "");
}

/* The root and its members' values span lines; anything deeper (each
 * expectation, each event) stays on one -- deeper than split.  dns_stats
 * goes one level further: a line per server's reading. */
static void
emit(struct jout *o, json_t *v, int depth, int split)
{
	bool one_line = depth >= split, first = true;
	const char *digits, *key;
	json_t *item;
	size_t i;

	if (json_is_object(v) && json_object_size(v) > 0) {
		putc('{', o->f);
		json_object_foreach(v, key, item) {
			next_item(o, &first, one_line, depth + 1);
			put_key(o, key);
			emit(o, item, depth + 1, depth == 0 &&
			    strcmp(key, "dns_stats") == 0 ? 3 : split);
		}
		if (!one_line)
			fprintf(o->f, "\n%*s", 2 * depth, "");
		putc('}', o->f);
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		putc('[', o->f);
		json_array_foreach(v, i, item) {
			next_item(o, &first, one_line, depth + 1);
			emit(o, item, depth + 1, split);
		}
		if (!one_line)
			fprintf(o->f, "\n%*s", 2 * depth, "");
		putc(']', o->f);
	} else if (json_is_real(v)) {
		put_real(o->f, json_real_value(v));
	} else if ((digits = rjson_big_digits(v)) != NULL) {
		fputs(digits, o->f);
	} else {
		put_token(o, v);
	}
}

int
result_json_write(const struct result *r, FILE *f)
{
	struct jout o = { f, false };
	json_t *root;

	if (r == NULL || f == NULL)
		return DD_EINVAL;
	if ((root = result_tree(r)) == NULL)
		return DD_ENOMEM;
	emit(&o, root, 0, 2);
	putc('\n', f);
	json_decref(root);
	if (o.oom)
		return DD_ENOMEM;
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
