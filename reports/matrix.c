/*
 * matrix.c -- comparing runs side by side (`dnsdrill matrix`): one row per
 * run, its parameters as columns, the verdict and every metric.
 *
 * The parameter columns are the union of every run's parameters, in the
 * order they were first seen; a run without one shows a dash.  Columns
 * whose value differs between runs are the point of a matrix, so the HTML
 * page highlights them.  A metric cell is marked failed when any of that
 * run's expectations on the metric failed, passed when all held, and left
 * plain when the run set no bound on it.
 */
#include "reports/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/markup.h"

struct cols {
	const char **key; /* param names, borrowed from the runs */
	bool *varies;
	size_t n;
	bool scenarios_differ;
	bool scenario_col; /* a column of its own: differ, and labelled */
};

static void
cols_free(struct cols *c)
{
	free(c->key);
	free(c->varies);
}

static const char *
param_of(const struct result *r, const char *key)
{
	for (size_t i = 0; i < r->n_params; i++)
		if (strcmp(r->params[i].key, key) == 0)
			return r->params[i].value;
	return NULL;
}

static int
cols_build(struct cols *c, struct result *const *runs, size_t n,
    const char *const *labels)
{
	size_t cap = 0;
	bool any_label = false;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		if (runs[i] == NULL)
			return DD_EINVAL;
		cap += runs[i]->n_params;
		if (strcmp(runs[i]->scenario, runs[0]->scenario) != 0)
			c->scenarios_differ = true;
		if (labels != NULL && labels[i] != NULL)
			any_label = true;
	}
	/* Without labels the run column already is the scenario. */
	c->scenario_col = c->scenarios_differ && any_label;
	c->key = calloc(cap ? cap : 1, sizeof(*c->key));
	c->varies = calloc(cap ? cap : 1, sizeof(*c->varies));
	if (c->key == NULL || c->varies == NULL) {
		cols_free(c);
		return DD_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t p = 0; p < runs[i]->n_params; p++) {
			const char *k = runs[i]->params[p].key;
			size_t j;

			for (j = 0; j < c->n; j++)
				if (strcmp(c->key[j], k) == 0)
					break;
			if (j == c->n)
				c->key[c->n++] = k;
		}
	}
	for (size_t j = 0; j < c->n; j++) {
		const char *first = param_of(runs[0], c->key[j]);

		for (size_t i = 1; i < n && !c->varies[j]; i++) {
			const char *v = param_of(runs[i], c->key[j]);

			if ((v == NULL) != (first == NULL) ||
			    (v != NULL && strcmp(v, first) != 0))
				c->varies[j] = true;
		}
	}
	return 0;
}

static const char *
label_of(struct result *const *runs, const char *const *labels, size_t i)
{
	if (labels != NULL && labels[i] != NULL)
		return labels[i];
	return runs[i]->scenario;
}

/* -1: no expectation on m (the run's own figure); 0: one failed; 1: all
 * passed. */
static int
metric_verdict(const struct result *r, int m)
{
	int v = -1;

	for (size_t i = 0; i < r->n_expect; i++) {
		if (r->expect[i].metric != (enum score_metric)m ||
		    r->expect[i].probe != NULL)
			continue;
		if (!r->expect[i].pass)
			return 0;
		v = 1;
	}
	return v;
}

/*
 * Is metric m a column?  The classic five always are (every result.json
 * has them); a newer one when some run has an expectation on it, or
 * observed it (or bounded it: censored) -- availability_worst and _mean
 * only where they differ from availability (a service of one probe) -- so
 * a table of runs without latency probes or partial outages stays as
 * narrow as it was.
 */
static bool
metric_shown(struct result *const *runs, size_t n, int m)
{
	if (m < SCORE_CLASSIC_COUNT)
		return true;
	for (size_t i = 0; i < n; i++) {
		const struct result_metric *rm = &runs[i]->metric[m];
		const struct result_metric *av =
		    &runs[i]->metric[SCORE_AVAILABILITY];
		bool partial = m == SCORE_AVAILABILITY_WORST ||
		    m == SCORE_AVAILABILITY_MEAN;

		if (rm->absent)
			continue;
		if (metric_verdict(runs[i], m) >= 0 || rm->censored)
			return true;
		if (rm->has && (!partial || !av->has || av->value != rm->value))
			return true;
	}
	return false;
}

/* The last metric column. */
static int
last_shown(struct result *const *runs, size_t n)
{
	int last = 0;

	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		if (metric_shown(runs, n, m))
			last = m;
	return last;
}

static void
fmt_cell(char *buf, size_t len, const struct result_metric *rm)
{
	if (!rm->has && rm->censored)
		snprintf(buf, len, ">=%.3f", rm->at_least);
	else if (!rm->has)
		snprintf(buf, len, "-");
	else if (!isfinite(rm->value))
		snprintf(buf, len, "%g", rm->value);
	else
		snprintf(buf, len, "%.3f", rm->value);
}

/* ------------------------------------------------------------------ */
/* Text */

/* Display width: code points, not bytes. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void
pad(FILE *f, const char *s, size_t w)
{
	size_t n = width(s);

	fputs(s, f);
	while (n++ < w)
		fputc(' ', f);
}

int
report_matrix_text_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f)
{
	struct cols c;
	size_t *w = NULL, ncol, col;
	int last;
	size_t any_fail = 0;
	char buf[64];
	int rc;

	if (f == NULL || (runs == NULL && n > 0))
		return DD_EINVAL;
	if ((rc = cols_build(&c, runs, n, labels)) != 0)
		return rc;
	/* run, scenario?, params..., verdict, metrics... */
	ncol = 1 + 1 + c.n + 1 + SCORE_METRIC_COUNT;
	if ((w = calloc(ncol, sizeof(*w))) == NULL) {
		cols_free(&c);
		return DD_ENOMEM;
	}
	w[0] = width("run");
	w[1] = c.scenario_col ? width("scenario") : 0;
	for (size_t j = 0; j < c.n; j++)
		w[2 + j] = width(c.key[j]);
	w[2 + c.n] = width("verdict");
	last = last_shown(runs, n);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		w[3 + c.n + m] = width(score_metric_name((enum score_metric)m));
	for (size_t i = 0; i < n; i++) {
		const struct result *r = runs[i];
		size_t x;

		if ((x = width(label_of(runs, labels, i))) > w[0])
			w[0] = x;
		if (c.scenario_col && (x = width(r->scenario)) > w[1])
			w[1] = x;
		for (size_t j = 0; j < c.n; j++) {
			const char *v = param_of(r, c.key[j]);

			if ((x = width(v ? v : "-")) > w[2 + j])
				w[2 + j] = x;
		}
		for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
			fmt_cell(buf, sizeof(buf), &r->metric[m]);
			x = width(buf) + (metric_verdict(r, m) == 0);
			if (x > w[3 + c.n + m])
				w[3 + c.n + m] = x;
		}
	}

	/* Header. */
	pad(f, "run", w[0]);
	if (c.scenario_col) {
		fputs("  ", f);
		pad(f, "scenario", w[1]);
	}
	for (size_t j = 0; j < c.n; j++) {
		fputs("  ", f);
		pad(f, c.key[j], w[2 + j]);
	}
	fputs("  ", f);
	pad(f, "verdict", w[2 + c.n]);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		if (!metric_shown(runs, n, m))
			continue;
		fputs("  ", f);
		if (m == last)
			fputs(score_metric_name((enum score_metric)m), f);
		else
			pad(f, score_metric_name((enum score_metric)m),
			    w[3 + c.n + m]);
	}
	fputc('\n', f);

	for (size_t i = 0; i < n; i++) {
		const struct result *r = runs[i];

		pad(f, label_of(runs, labels, i), w[0]);
		if (c.scenario_col) {
			fputs("  ", f);
			pad(f, r->scenario, w[1]);
		}
		for (size_t j = 0; j < c.n; j++) {
			const char *v = param_of(r, c.key[j]);

			fputs("  ", f);
			pad(f, v ? v : "-", w[2 + j]);
		}
		fputs("  ", f);
		pad(f, r->pass ? "pass" : r->error ? "ERROR" : "FAIL", w[2 + c.n]);
		for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
			if (!metric_shown(runs, n, m))
				continue;
			col = 3 + c.n + m;
			fmt_cell(buf, sizeof(buf), &r->metric[m]);
			if (metric_verdict(r, m) == 0) {
				strcat(buf, "!");
				any_fail++;
			}
			fputs("  ", f);
			if (m == last)
				fputs(buf, f);
			else
				pad(f, buf, w[col]);
		}
		fputc('\n', f);
	}
	{
		size_t passed = 0;

		for (size_t i = 0; i < n; i++)
			passed += runs[i]->pass;
		fprintf(f, "\n%zu run%s: %zu pass, %zu fail\n", n,
		    n == 1 ? "" : "s", passed, n - passed);
	}
	if (any_fail > 0)
		fputs("! = an expectation on this metric failed\n", f);
	free(w);
	cols_free(&c);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* HTML */

static const char matrix_css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;background:#fff;color:#202124;font:14px/1.45 system-ui,"
"-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
"main{max-width:1400px;margin:0 auto;padding:24px 20px 40px}\n"
"h1{font-size:22px;margin:0 0 4px;font-weight:600}\n"
".sub{color:#5f6368;margin:0 0 16px}\n"
".wrap{overflow-x:auto;border:1px solid #dadce0;border-radius:6px}\n"
"table{border-collapse:collapse;width:100%}\n"
"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #dadce0;"
"white-space:nowrap}\n"
"th{font-weight:600;color:#5f6368;font-size:12px;background:#f6f8fa}\n"
"th.vary{color:#1a73e8}\n"
"tbody tr:nth-child(even){background:#fafbfc}\n"
"td.num{font-variant-numeric:tabular-nums;text-align:right}\n"
"td.pass{color:#1e8e3e}td.fail{color:#d93025;font-weight:600}\n"
".na{color:#9aa0a6}\n"
".badge{display:inline-block;padding:1px 8px;border-radius:4px;"
"font-weight:700;font-size:12px;letter-spacing:.05em;color:#fff}\n"
".badge.pass{background:#1e8e3e}.badge.fail{background:#d93025}\n"
".key{color:#5f6368;font-size:12.5px;margin-top:10px}\n"
"code{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,"
"monospace;font-size:12.5px}\n";

static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

static void
metric_title(FILE *f, const struct result *r, int m)
{
	bool first = true;

	if (!r->metric[m].has && r->metric[m].note != NULL) {
		esc(f, r->metric[m].note);
		first = false;
	}
	for (size_t i = 0; i < r->n_expect; i++) {
		if (r->expect[i].metric != (enum score_metric)m ||
		    r->expect[i].probe != NULL)
			continue;
		if (!first)
			fputs("; ", f);
		esc(f, r->expect[i].message);
		first = false;
	}
}

int
report_matrix_html_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f)
{
	static const char *const cell_cls[3] = { "none", "fail", "pass" };
	struct cols c;
	size_t passed = 0;
	char buf[64];
	int rc;

	if (f == NULL || (runs == NULL && n > 0))
		return DD_EINVAL;
	if ((rc = cols_build(&c, runs, n, labels)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		passed += runs[i]->pass;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n"
	    "<title>dnsdrill matrix", f);
	if (n > 0 && !c.scenarios_differ) {
		fputs(" \xE2\x80\x94 ", f);
		esc(f, runs[0]->scenario);
	}
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>", matrix_css);
	if (n > 0 && !c.scenarios_differ)
		esc(f, runs[0]->scenario);
	else
		fputs("Run matrix", f);
	fprintf(f, "</h1>\n<p class=\"sub\">%zu run%s: %zu pass, %zu fail"
	    "</p>\n", n, n == 1 ? "" : "s", passed, n - passed);

	fputs("<div class=\"wrap\"><table class=\"matrix\">\n<thead><tr>"
	    "<th>run</th>", f);
	if (c.scenario_col)
		fputs("<th>scenario</th>", f);
	for (size_t j = 0; j < c.n; j++) {
		fprintf(f, "<th class=\"param%s\">",
		    c.varies[j] ? " vary" : "");
		esc(f, c.key[j]);
		fputs("</th>", f);
	}
	fputs("<th>verdict</th>", f);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		if (metric_shown(runs, n, m))
			fprintf(f, "<th>%s</th>",
			    score_metric_name((enum score_metric)m));
	fputs("</tr></thead>\n<tbody>\n", f);

	for (size_t i = 0; i < n; i++) {
		const struct result *r = runs[i];

		fputs("<tr><td>", f);
		esc(f, label_of(runs, labels, i));
		fputs("</td>", f);
		if (c.scenario_col) {
			fputs("<td>", f);
			esc(f, r->scenario);
			fputs("</td>", f);
		}
		for (size_t j = 0; j < c.n; j++) {
			const char *v = param_of(r, c.key[j]);

			if (v == NULL) {
				fputs("<td class=\"na\">\xE2\x80\x94</td>", f);
				continue;
			}
			fputs("<td><code>", f);
			esc(f, v);
			fputs("</code></td>", f);
		}
		fprintf(f, "<td><span class=\"badge %s\">%s</span></td>",
		    r->pass ? "pass" : "fail", r->pass ? "PASS" : r->error ? "ERROR" : "FAIL");
		for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
			int v = metric_verdict(r, m);

			if (!metric_shown(runs, n, m))
				continue;
			fmt_cell(buf, sizeof(buf), &r->metric[m]);
			fprintf(f, "<td class=\"num %s\" title=\"",
			    cell_cls[v + 1]);
			metric_title(f, r, m);
			if (r->metric[m].has || r->metric[m].censored) {
				fputs("\">", f);
				esc(f, buf);
				fputs("</td>", f);
			} else {
				fputs("\"><span class=\"na\">\xE2\x80\x94"
				    "</span></td>", f);
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n<p class=\"key\">Red: an expectation "
	    "on the metric failed; green: all held; black: no bound. Blue "
	    "column names: parameters that differ between runs. Hover a cell "
	    "for its expectation or why it was not observed.</p>\n"
	    "</main>\n</body>\n</html>\n", f);
	cols_free(&c);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
