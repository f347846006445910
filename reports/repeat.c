/*
 * repeat.c -- the writers of a group of repeated runs (model/repeat.h):
 * repeat.json (doc/results.md, "repeat.json"), junit.xml with one test
 * case per expectation of the group, report.html with each metric's
 * spread and a link to each run's own report, and the text summary.  They
 * read the group and the runs it borrows, nothing else.
 */
#include "reports/report.h"
#include "reports/junit.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/rjson.h"
#include "reports/markup.h"

static json_t *
stat_tree(const struct dist_stat *s)
{
	json_t *o;

	if (!s->has)
		return json_null();
	if ((o = json_object()) != NULL && rjson_put(o, "value", rjson_num(s->v)) &&
	    rjson_put(o, "at_least", json_boolean(s->at_least)))
		return o;
	json_decref(o);
	return NULL;
}

/* One run's sample: a number, {"at_least": x}, or null. */
static json_t *
sample_tree(const struct dist_sample *s)
{
	json_t *o;

	if (!s->has || !isfinite(s->v))
		return json_null();
	if (!s->censored)
		return json_real(s->v);
	if ((o = json_object()) != NULL && rjson_put(o, "at_least", json_real(s->v)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *
series_tree(const struct repeat_group *g, const struct repeat_series *s)
{
	json_t *o = json_object(), *vals = json_array();
	bool ok = o != NULL && vals != NULL;

	ok = ok && rjson_put(o, "metric", rjson_text(s->label)) &&
	    rjson_put(o, "n", json_integer((json_int_t)s->dist.n)) &&
	    rjson_put(o, "missing", json_integer((json_int_t)s->dist.n_missing)) &&
	    rjson_put(o, "censored", json_integer((json_int_t)s->dist.n_censored));
	for (int w = 0; ok && w < DIST_WHICH_COUNT; w++)
		ok = rjson_put(o, dist_which_name((enum dist_which)w),
		    stat_tree(&s->dist.stat[w]));
	for (size_t k = 0; ok && k < g->n_runs; k++)
		ok = rjson_push(vals, sample_tree(&s->samples[k]));
	if (ok && rjson_put(o, "values", vals))
		return o;
	if (!ok)
		json_decref(vals);
	json_decref(o);
	return NULL;
}

static json_t *
check_tree(const struct repeat_check *c)
{
	json_t *o = json_object();
	bool stat = c->parsed && c->expect.has_stat;

	if (o != NULL && rjson_put(o, "metric", rjson_text(c->label)) &&
	    rjson_put(o, "bound", rjson_text(c->bound)) &&
	    rjson_put(o, "statistic", stat ? json_string(dist_which_name(
	    c->expect.stat)) : json_null()) &&
	    rjson_put(o, "value", stat && c->has_value ? rjson_num(c->value) :
	    json_null()) &&
	    rjson_put(o, "at_least", json_boolean(c->has_value && c->at_least)) &&
	    rjson_put(o, "held", stat ? json_null() :
	    json_integer((json_int_t)c->n_held)) &&
	    rjson_put(o, "pass", json_boolean(c->pass)) &&
	    rjson_put(o, "message", rjson_text(c->message)))
		return o;
	json_decref(o);
	return NULL;
}

/* The first run that has a result: where the scenario and params come
 * from. */
static const struct result *
first_run(const struct repeat_group *g)
{
	for (size_t k = 0; k < g->n_runs; k++)
		if (g->runs[k] != NULL)
			return g->runs[k];
	return NULL;
}

static const char *
run_verdict(const struct result *r)
{
	return r != NULL ? result_verdict(r) : "error";
}

static json_t *
repeat_tree(const struct report_repeat *rp)
{
	const struct repeat_group *g = rp->group;
	const struct result *r0 = first_run(g);
	json_t *root = json_object();
	json_t *params = json_object(), *seeds = json_array();
	json_t *runs = json_array(), *metrics = json_array();
	json_t *checks = json_array();
	bool ok;

	/* the containers go in first, in the documented order, and are
	 * filled in place; root holds the references that count */
	ok = root && params && seeds && runs && metrics && checks &&
	    rjson_put(root, "format", json_string(REPORT_REPEAT_FORMAT)) &&
	    rjson_put(root, "scenario", rjson_text(r0 != NULL ? r0->scenario : NULL)) &&
	    rjson_put(root, "verdict", json_string(repeat_verdict(g))) &&
	    json_object_set(root, "params", params) == 0 &&
	    json_object_set(root, "seeds", seeds) == 0 &&
	    json_object_set(root, "runs", runs) == 0 &&
	    json_object_set(root, "metrics", metrics) == 0 &&
	    json_object_set(root, "expectations", checks) == 0;
	json_decref(params);
	json_decref(seeds);
	json_decref(runs);
	json_decref(metrics);
	json_decref(checks);
	for (size_t i = 0; ok && r0 != NULL && i < r0->n_params; i++)
		ok = rjson_put(params, r0->params[i].key, rjson_text(r0->params[i].value));
	for (size_t k = 0; ok && k < g->n_runs; k++) {
		json_t *o = json_object();

		ok = rjson_push(runs, o) && rjson_push(seeds, rjson_seed(rp->seeds[k])) &&
		    rjson_put(o, "dir", rjson_text(rp->dirs[k])) &&
		    rjson_put(o, "seed", rjson_seed(rp->seeds[k])) &&
		    rjson_put(o, "verdict", json_string(run_verdict(g->runs[k])));
	}
	for (size_t i = 0; ok && i < g->n_series; i++)
		ok = rjson_push(metrics, series_tree(g, &g->series[i]));
	for (size_t i = 0; ok && i < g->n_checks; i++)
		ok = rjson_push(checks, check_tree(&g->checks[i]));
	if (ok)
		return root;
	json_decref(root);
	return NULL;
}

int
report_repeat_json_write(const struct report_repeat *rp, FILE *f)
{
	json_t *root;
	int rc;

	if (rp == NULL || rp->group == NULL || f == NULL)
		return DD_EINVAL;
	if ((root = repeat_tree(rp)) == NULL)
		return DD_ENOMEM;
	/* numbers to 12 significant digits: 0.46, not 0.46000000000000002 */
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(root);
	if (rc != 0 || fputc('\n', f) == EOF || fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Text */

/* "0.46", ">=26.1", "-" into buf. */
static const char *
fmt_stat(char *buf, size_t len, const struct dist_stat *s)
{
	if (!s->has)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s%.4g", s->at_least ? ">=" : "", s->v);
	return buf;
}

static const char *
fmt_sample(char *buf, size_t len, const struct dist_sample *s)
{
	if (!s->has)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s%.4g", s->censored ? ">=" : "", s->v);
	return buf;
}

static void
upper(char *dst, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < len && s[i] != '\0'; i++)
		dst[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	dst[i] = '\0';
}

int
report_repeat_text_write(const struct report_repeat *rp, FILE *f)
{
	const struct repeat_group *g;
	const struct result *r0;
	char v[DIST_WHICH_COUNT][32], verdict[8];
	int w = 6;

	if (rp == NULL || (g = rp->group) == NULL || f == NULL)
		return DD_EINVAL;
	r0 = first_run(g);
	upper(verdict, sizeof(verdict), repeat_verdict(g));
	fprintf(f, "%s  %s: %zu runs, seeds %" PRIu64 "..%" PRIu64 "\n",
	    verdict, r0 != NULL ? r0->scenario : "?", g->n_runs, rp->seeds[0],
	    rp->seeds[g->n_runs - 1]);
	for (size_t i = 0; i < g->n_series; i++)
		if ((int)strlen(g->series[i].label) > w)
			w = (int)strlen(g->series[i].label);
	fprintf(f, "\n  %-*s  %3s %4s  %10s %10s %10s %10s\n", w, "metric",
	    "n", "cens", "min", "median", "p90", "max");
	for (size_t i = 0; i < g->n_series; i++) {
		const struct repeat_series *s = &g->series[i];

		for (int k = 0; k < DIST_WHICH_COUNT; k++)
			fmt_stat(v[k], sizeof(v[k]), &s->dist.stat[k]);
		fprintf(f, "  %-*s  %3zu %4zu  %10s %10s %10s %10s\n", w,
		    s->label, s->dist.n, s->dist.n_censored, v[DIST_MIN],
		    v[DIST_MEDIAN], v[DIST_P90], v[DIST_MAX]);
	}
	if (g->n_checks > 0)
		fputs("\nexpectations:\n", f);
	for (size_t i = 0; i < g->n_checks; i++)
		fprintf(f, "  %s  %s\n", g->checks[i].pass ? "PASS" : "FAIL",
		    g->checks[i].message);
	fputs("\nruns:\n", f);
	for (size_t k = 0; k < g->n_runs; k++) {
		const struct result *r = g->runs[k];

		fprintf(f, "  %-8s seed %-20" PRIu64 " %s%s%s\n", rp->dirs[k],
		    rp->seeds[k], run_verdict(r),
		    r != NULL && r->error != NULL ? ": " : "",
		    r != NULL && r->error != NULL ? r->error : "");
	}
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* junit.xml */

static int
text_of_group(const void *arg, FILE *out)
{
	return report_repeat_text_write(arg, out);
}

int
report_repeat_junit_write(const struct report_repeat *rp, FILE *f)
{
	const struct repeat_group *g;
	const struct result *r0;
	const char *name;
	size_t failures = 0, errors, tests;

	if (rp == NULL || (g = rp->group) == NULL || f == NULL)
		return DD_EINVAL;
	r0 = first_run(g);
	name = r0 != NULL ? r0->scenario : "?";
	for (size_t i = 0; i < g->n_checks; i++)
		failures += !g->checks[i].pass;
	/* a group in error is one more test case: the runs, in error */
	errors = g->error;
	tests = g->n_checks + errors;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"dnsdrill\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"%zu\">\n  <testsuite name=\"", tests, failures, errors);
	markup_put(f, name, MARKUP_XML_ATTR);
	fprintf(f, " (repeat %zu)\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	    "skipped=\"0\">\n    <properties>\n      <property name=\"verdict\" "
	    "value=\"%s\"/>\n", g->n_runs, tests, failures, errors,
	    repeat_verdict(g));
	for (size_t k = 0; k < g->n_runs; k++)
		fprintf(f, "      <property name=\"seed.%zu\" value=\"%" PRIu64
		    "\"/>\n", k + 1, rp->seeds[k]);
	fputs("    </properties>\n", f);
	if (g->error) {
		const struct result *r = g->runs[g->first_error];
		const char *why = r != NULL && r->error != NULL ? r->error :
		    "the run left no result";

		fputs("    <testcase classname=\"dnsdrill.", f);
		markup_put(f, name, MARKUP_XML_ATTR);
		fprintf(f, "\" name=\"runs\">\n      <error type=\"error\" "
		    "message=\"%s: ", rp->dirs[g->first_error]);
		markup_put(f, why, MARKUP_XML_ATTR);
		fprintf(f, "\">%s: ", rp->dirs[g->first_error]);
		markup_put(f, why, MARKUP_XML);
		fputs("</error>\n    </testcase>\n", f);
	}
	for (size_t i = 0; i < g->n_checks; i++) {
		const struct repeat_check *c = &g->checks[i];

		junit_expectation(f, name, c->label, c->bound, NULL, c->pass, c->message);
	}
	junit_system_out(f, text_of_group, rp);
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* report.html */

static const char repeat_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;"
    "background:#f6f7f9}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px}\n"
    "h1{font-size:22px;margin:0 0 4px}\nh2{font-size:17px;margin:24px 0 8px}\n"
    ".sub{color:#57606a;margin:0 0 16px}\n"
    ".wrap{overflow-x:auto}\n"
    "table{border-collapse:collapse;background:#fff;margin:0 0 12px}\n"
    "th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    ".pass{color:#1a7f37;font-weight:600}\n.fail{color:#cf222e;"
    "font-weight:600}\n.error{color:#9a6700;font-weight:600}\n"
    ".bound{color:#57606a}\n";

static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

/* A metric's table: the four statistics, then each run's value. */
static void
html_series(FILE *f, const struct report_repeat *rp,
    const struct repeat_series *s)
{
	const struct repeat_group *g = rp->group;
	char v[32];

	fputs("<h2>", f);
	esc(f, s->label);
	fprintf(f, "</h2>\n<p class=\"sub\">%zu run%s with a value or a bound, "
	    "%zu censored (&ge;: a lower bound), %zu without</p>\n"
	    "<div class=\"wrap\"><table class=\"spread\">\n<thead><tr>",
	    s->dist.n, s->dist.n == 1 ? "" : "s", s->dist.n_censored,
	    s->dist.n_missing);
	for (int w = 0; w < DIST_WHICH_COUNT; w++)
		fprintf(f, "<th>%s</th>", dist_which_name((enum dist_which)w));
	for (size_t k = 0; k < g->n_runs; k++) {
		fputs("<th>", f);
		esc(f, rp->dirs[k]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody><tr>", f);
	for (int w = 0; w < DIST_WHICH_COUNT; w++) {
		fmt_stat(v, sizeof(v), &s->dist.stat[w]);
		fputs("<td>", f);
		esc(f, v);
		fputs("</td>", f);
	}
	for (size_t k = 0; k < g->n_runs; k++) {
		fmt_sample(v, sizeof(v), &s->samples[k]);
		fputs("<td>", f);
		esc(f, v);
		fputs("</td>", f);
	}
	fputs("</tr></tbody>\n</table></div>\n", f);
}

int
report_repeat_html_write(const struct report_repeat *rp, FILE *f)
{
	const struct repeat_group *g;
	const struct result *r0;
	const char *verdict;

	if (rp == NULL || (g = rp->group) == NULL || f == NULL)
		return DD_EINVAL;
	r0 = first_run(g);
	verdict = repeat_verdict(g);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n"
	    "<title>dnsdrill repeat \xE2\x80\x94 ", f);
	esc(f, r0 != NULL ? r0->scenario : "?");
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>", repeat_css);
	esc(f, r0 != NULL ? r0->scenario : "?");
	fprintf(f, " <span class=\"%s\">%s</span></h1>\n<p class=\"sub\">%zu "
	    "runs, seeds %" PRIu64 " to %" PRIu64, verdict, verdict, g->n_runs,
	    rp->seeds[0], rp->seeds[g->n_runs - 1]);
	for (size_t i = 0; r0 != NULL && i < r0->n_params; i++) {
		fputs(i == 0 ? "; " : ", ", f);
		esc(f, r0->params[i].key);
		fputc('=', f);
		esc(f, r0->params[i].value);
	}
	fputs("</p>\n", f);

	if (g->n_checks > 0) {
		fputs("<h2>Expectations</h2>\n<div class=\"wrap\"><table>\n"
		    "<thead><tr><th>expectation</th><th>outcome</th></tr>"
		    "</thead>\n<tbody>\n", f);
		for (size_t i = 0; i < g->n_checks; i++) {
			const struct repeat_check *c = &g->checks[i];

			fputs("<tr><td>", f);
			esc(f, c->label);
			fputs(" <span class=\"bound\">", f);
			esc(f, c->bound);
			fprintf(f, "</span></td><td style=\"text-align:left\">"
			    "<span class=\"%s\">%s</span> ", c->pass ? "pass" :
			    "fail", c->pass ? "pass" : "fail");
			esc(f, c->message);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody>\n</table></div>\n", f);
	}

	fputs("<h2>Runs</h2>\n<div class=\"wrap\"><table>\n<thead><tr>"
	    "<th>run</th><th>seed</th><th>verdict</th><th>report</th></tr>"
	    "</thead>\n<tbody>\n", f);
	for (size_t k = 0; k < g->n_runs; k++) {
		const char *rv = run_verdict(g->runs[k]);

		fputs("<tr><td>", f);
		esc(f, rp->dirs[k]);
		fprintf(f, "</td><td>%" PRIu64 "</td><td><span class=\"%s\">%s"
		    "</span></td><td><a href=\"", rp->seeds[k], rv, rv);
		esc(f, rp->dirs[k]);
		fputs("/report.html\">report.html</a></td></tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n", f);

	for (size_t i = 0; i < g->n_series; i++)
		html_series(f, rp, &g->series[i]);
	fputs("</main>\n</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
