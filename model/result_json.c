/*
 * result_json.c -- result.json out and back in, through jansson.  The
 * layout is documented in doc/results.md; keep the two in step.
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

/* ------------------------------------------------------------------ */
/* Numbers jansson cannot hold */

/* The digits of a big integer (see the top of the file), or NULL when v is
 * anything else. */
static const char *
big_digits(const json_t *v)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < 2 || s[0] != '\0')
		return NULL;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return NULL;
	return s + 1;
}

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

/* json_real() refuses NaN and infinities: those are null. */
static json_t *
json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A C string as a JSON string, invalid UTF-8 replaced; NULL is null. */
static json_t *
json_text(const char *s)
{
	size_t len, n;
	char *clean;
	json_t *v;

	if (s == NULL)
		return json_null();
	len = strlen(s);
	if (utf8_valid(s, len))
		return json_stringn_nocheck(s, len);
	if ((clean = utf8_dup_valid(s, len, &n)) == NULL)
		return NULL;
	v = json_stringn_nocheck(clean, n);
	free(clean);
	return v;
}

/* ------------------------------------------------------------------ */
/* The tree */

/* obj[key] = v, taking v; false when v is NULL (out of memory) or the set
 * failed.  key must be valid UTF-8. */
static bool
put(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0;
}

static bool
append(json_t *arr, json_t *v)
{
	return v != NULL && json_array_append_new(arr, v) == 0;
}

static json_t *
kvs_tree(const struct result_kv *kv, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n; i++) {
		char *key = utf8_dup_valid(kv[i].key, strlen(kv[i].key), NULL);
		bool ok = key != NULL && put(o, key, json_text(kv[i].value));

		free(key);
		if (!ok) {
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
	    put(o, "t_ms", json_u64(e->t_ms)) &&
	    put(o, "kind", json_string(elog_kind_name(e->kind))) &&
	    put(o, "source", json_text(e->source)) &&
	    put(o, "text", json_text(e->text));

	switch (e->kind) {
	case ELOG_PROBE:
		ok = ok && put(o, "ok", json_boolean(e->u.probe.ok)) &&
		    put(o, "latency_ms", json_num(e->u.probe.latency_ms)) &&
		    (!e->u.probe.has_start ||
		    put(o, "start_ms", json_u64(e->u.probe.start_ms)));
		break;
	case ELOG_PROC_EXIT:
		ok = ok && put(o, "exit_code", json_integer(e->u.exit.code)) &&
		    put(o, "signal", json_integer(e->u.exit.signal));
		break;
	case ELOG_RATE:
		ok = ok && put(o, "qps", json_num(e->u.rate.qps)) &&
		    put(o, "window_ms", json_u64(e->u.rate.window_ms));
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
	    put(o, "metric", json_text(result_expect_metric(e))) &&
	    put(o, "bound", json_text(e->bound)) &&
	    put(o, "observed", e->has_observed ? json_num(e->observed) :
	    json_null()) &&
	    put(o, "pass", json_boolean(e->pass)) &&
	    put(o, "message", json_text(e->message)) &&
	    (!e->censored || (put(o, "censored", json_true()) &&
	    put(o, "at_least", json_num(e->at_least)))))
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
	    put(o, "name", json_text(p->name)) &&
	    put(o, "kind", json_text(p->kind)) &&
	    put(o, "host", json_text(p->host)) &&
	    put(o, "target", json_text(p->target)) &&
	    put(o, "every_ms", json_u64(p->every_ms)) &&
	    put(o, "timeout_ms", json_u64(p->timeout_ms)) &&
	    put(o, "timeout_default", json_boolean(p->timeout_default)))
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
			ok = put(o, name, rm->has ? json_num(rm->value) :
			    json_null());
		} else if (part == PART_NOTES) {
			if (rm->has || rm->note == NULL)
				continue;
			ok = put(o, name, json_text(rm->note));
		} else {
			if (rm->has || !rm->censored)
				continue;
			b = json_object();
			ok = b != NULL && put(b, "censored", json_true()) &&
			    put(b, "at_least", json_num(rm->at_least));
			ok = ok ? put(o, name, b) : (json_decref(b), false);
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
		    put(po, "metrics", metrics_tree(p->metric, PART_VALUES)) &&
		    put(po, "metric_notes", metrics_tree(p->metric,
		    PART_NOTES)) &&
		    (!any_censored(p->metric) || put(po, "metric_bounds",
		    metrics_tree(p->metric, PART_BOUNDS)));

		ok = ok ? put(o, key, po) : (json_decref(po), false);
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
	    put(o, "start_ms", json_u64(r->fault_start_ms)) &&
	    put(o, "end_ms", json_u64(r->fault_end_ms)) &&
	    put(o, "cleared", json_boolean(r->fault_cleared)) &&
	    put(o, "service_disrupted", json_boolean(r->service_disrupted)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *
counts_tree(const struct elog_count *c, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n; i++) {
		char *key = utf8_dup_valid(c[i].name, strlen(c[i].name), NULL);
		bool ok = key != NULL && put(o, key, json_u64(c[i].value));

		free(key);
		if (!ok) {
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
			ok = put(o, key, m->has ? json_num(m->value) : json_null());
		else if (ok && !m->has && m->note != NULL)
			ok = put(o, key, json_text(m->note));
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
	    put(o, "t_ms", json_u64(s->t_ms)) &&
	    put(o, "why", json_string(elog_stats_why_name(s->why)));

	if (ok && s->error != NULL) {
		ok = put(o, "error", json_text(s->error));
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
		ok = key != NULL && put(o, key, json_u64(s->counters[i].value));
		free(key);
	}
	for (size_t i = 0; ok && i < s->n_rules; i++) {
		json_t *r = json_object();

		ok = append(rules, r) &&
		    put(r, "id", json_u64(s->rules[i].id)) &&
		    put(r, "hits", json_u64(s->rules[i].hits)) &&
		    put(r, "rule", json_text(s->rules[i].rule));
	}
	for (size_t i = 0; ok && i < s->n_clients; i++) {
		json_t *c = json_object();

		ok = append(clients, c) &&
		    put(c, "addr", json_text(s->clients[i].name)) &&
		    put(c, "queries", json_u64(s->clients[i].value));
	}
	ok = ok && put(o, "actions", counts_tree(s->actions, s->n_actions)) &&
	    put(o, "rule_hits", json_incref(rules)) &&
	    put(o, "clients", json_incref(clients)) &&
	    put(o, "clients_other", json_u64(s->clients_other));
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
	    put(root, "format", json_string(RESULT_FORMAT)) &&
	    put(root, "scenario", json_text(r->scenario)) &&
	    put(root, "description", json_text(r->description)) &&
	    put(root, "verdict", json_string(result_verdict(r))) &&
	    (r->error == NULL || put(root, "error", json_text(r->error))) &&
	    put(root, "seed", r->has_seed ? json_u64(r->seed) : json_null()) &&
	    put(root, "started", json_text(r->started)) &&
	    put(root, "duration_ms", json_u64(r->duration_ms)) &&
	    put(root, "params", kvs_tree(r->params, r->n_params)) &&
	    put(root, "versions", kvs_tree(r->versions, r->n_versions)) &&
	    put(root, "metrics", metrics_tree(r->metric, PART_VALUES)) &&
	    put(root, "metric_notes", metrics_tree(r->metric, PART_NOTES)) &&
	    (!any_censored(r->metric) || put(root, "metric_bounds",
	    metrics_tree(r->metric, PART_BOUNDS))) &&
	    (r->n_probe_metrics == 0 || put(root, "probe_metrics", probes_tree(r))) &&
	    put(root, "fault", fault_tree(r)) &&
	    put(root, "expectations", json_incref(ex)) &&
	    (!r->has_probes || put(root, "probes", json_incref(pr))) &&
	    (r->n_links == 0 ||
	    (put(root, "amplification", links_tree(r, false)) &&
	    put(root, "amplification_notes", links_tree(r, true)))) &&
	    (r->events == NULL || r->events->n_stats == 0 ||
	    put(root, "dns_stats", dns_stats_tree(r->events))) &&
	    put(root, "events", json_incref(ev));
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
	} else if ((digits = big_digits(v)) != NULL) {
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
	return json_is_string(v) && big_digits(v) == NULL ?
	    json_string_value(v) : NULL;
}

static bool
u64_of(const json_t *v, uint64_t *out)
{
	const char *digits = big_digits(v);
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

static bool
num_of(const json_t *v, double *out)
{
	const char *digits = big_digits(v);

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
			e->metric = SCORE_METRIC_COUNT;
			if ((e->other_metric = strdup(metric)) == NULL)
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
		if (num_of(json_object_get(o, "exit_code"), &d))
			e.u.exit.code = (int)d;
		if (num_of(json_object_get(o, "signal"), &d))
			e.u.exit.signal = (int)d;
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
	    (rc = read_probe_metrics(root, r, err)) != 0 ||
	    (rc = read_fault(root, r, err)) != 0 ||
	    (rc = read_expectations(root, r, err)) != 0 ||
	    (rc = read_probe_settings(root, r, err)) != 0 ||
	    (rc = read_links(root, r, err)) != 0 ||
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
