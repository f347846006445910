/*
 * markdown.c -- the pull-request summary in markdown (GitHub-flavoured):
 * one run, a group of repeated runs, or a matrix of runs, short enough
 * for a PR comment or a CI job summary.  Every string from a result goes
 * through markup_md_code() (a code span: nothing in it is interpreted, a
 * '|' cannot split a table cell) or markup_md_block(); the numbers and
 * words around them are dnsdrill's own.  summary_json.c writes the same
 * facts as JSON; doc/results.md ("The pull-request summary") shows both.
 */
#include "reports/report.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "lib/util.h"
#include "model/timescale.h"
#include "reports/authority.h"
#include "reports/markup.h"

/* Run data longer than this is cut (a comment holds 65536 characters). */
#define MD_CELL_MAX 160
#define MD_BLOCK_MAX 2000
/* A matrix lists at most this many rows, then says how many more. */
#define MD_MATRIX_ROWS 100
/* A row names at most this many failed expectations. */
#define MD_ROW_FAILED 3

static const char *const md_verdict[] = { "\xE2\x9C\x85 PASS",
	"\xE2\x9D\x8C FAIL", "\xE2\x9A\xA0\xEF\xB8\x8F ERROR" };

static const char *
verdict_word(const char *v)
{
	if (strcmp(v, "pass") == 0)
		return md_verdict[0];
	return strcmp(v, "fail") == 0 ? md_verdict[1] : md_verdict[2];
}

static void
code(FILE *f, const char *s)
{
	markup_md_code(f, s, MD_CELL_MAX, false);
}

static void
cell(FILE *f, const char *s)
{
	markup_md_code(f, s, MD_CELL_MAX, true);
}

/* A value, "≥ x" for a censored one's bound, "-" without. */
static void
put_value(FILE *f, bool has, double v, bool censored, double at_least)
{
	if (has)
		fprintf(f, "%.3f", v);
	else if (censored)
		fprintf(f, "\xE2\x89\xA5 %.3f", at_least);
	else
		fputc('-', f);
}

static void
put_metric(FILE *f, const struct result_metric *rm)
{
	put_value(f, rm->has, rm->value, rm->censored, rm->at_least);
}

/* ------------------------------------------------------------------ */
/* One run */

static void
md_head(const struct result *r, FILE *f)
{
	char a[32], b[32], c[32];

	fprintf(f, "### dnsdrill: %s \xE2\x80\x94 ",
	    verdict_word(result_verdict(r)));
	code(f, r->scenario);
	fputs("\n\n", f);
	if (r->description != NULL) {
		fputs("> ", f);
		code(f, r->description);
		fputs("\n\n", f);
	}
	fputs("| | |\n|---|---|\n", f);
	fprintf(f, "| verdict | **%s** |\n", result_verdict(r));
	if (r->has_seed)
		fprintf(f, "| seed | %" PRIu64 " |\n", r->seed);
	markup_secs(a, sizeof(a), r->duration_ms, " s");
	fprintf(f, "| duration | %s |\n", a);
	if (r->fault_found) {
		markup_secs(a, sizeof(a), r->fault_start_ms, " s");
		markup_secs(b, sizeof(b), r->fault_end_ms, " s");
		markup_secs(c, sizeof(c), r->fault_end_ms - r->fault_start_ms,
		    " s");
		fprintf(f, "| fault | %s \xE2\x86\x92 %s (%s)%s |\n", a, b, c,
		    r->fault_cleared ? "" : ", never cleared");
	} else {
		fputs("| fault | none found |\n", f);
	}
	fputs("| params | ", f);
	for (size_t i = 0; i < r->n_params; i++) {
		char kv[600];

		snprintf(kv, sizeof(kv), "%s=%s", r->params[i].key,
		    r->params[i].value);
		fputs(i > 0 ? ", " : "", f);
		cell(f, kv);
	}
	fputs(r->n_params == 0 ? "none |\n" : " |\n", f);
	if (result_time_scaled(r)) {
		fprintf(f, "| speed | %g: 1 real second = %s of the incident |\n",
		    result_speed(r), timescale_fmt_duration(result_speed(r), a,
		    sizeof(a)));
	}
	fputc('\n', f);
	if (r->error != NULL) {
		fputs("**Error:**\n\n", f);
		markup_md_block(f, r->error, MD_BLOCK_MAX);
		fputc('\n', f);
	}
}

static void
md_expectations(const struct result *r, FILE *f)
{
	char label[400];

	if (r->n_expect == 0) {
		fputs("No expectations.\n\n", f);
		return;
	}
	fputs("#### Expectations\n\n| expectation | observed | result |\n"
	    "|---|---:|---|\n", f);
	for (size_t i = 0; i < r->n_expect; i++) {
		const struct result_expect *e = &r->expect[i];

		snprintf(label, sizeof(label), "%s %s", result_expect_metric(e),
		    e->bound);
		fputs("| ", f);
		cell(f, label);
		fputs(" | ", f);
		put_value(f, e->has_observed, e->observed, e->censored,
		    e->at_least);
		fputs(e->pass ? " | pass |\n" : " | **FAIL**", f);
		if (!e->pass) {
			if (e->message != NULL) {
				fputs(": ", f);
				cell(f, e->message);
			}
			fputs(" |\n", f);
		}
	}
	fputc('\n', f);
}

bool
report_metric_key(const struct result *r, enum score_metric m)
{
	static const enum score_metric key[] = { SCORE_DETECTION,
		SCORE_FAILOVER, SCORE_RECOVERY, SCORE_AVAILABILITY,
		SCORE_AVAILABILITY_WORST, SCORE_AMPLIFICATION,
		SCORE_LATENCY_P99, SCORE_SLOWDOWN };

	for (size_t i = 0; i < DD_ARRAY_LEN(key); i++)
		if (key[i] == m)
			return true;
	for (size_t i = 0; r != NULL && i < r->n_expect; i++)
		if (r->expect[i].metric == m && r->expect[i].probe == NULL)
			return true;
	return false;
}

/* One metric's row (a value or a bound), with the incident's figure
 * when the run was at a speed. */
static void
md_metric_row(const struct result *r, enum score_metric m, FILE *f)
{
	const struct result_metric *rm = &r->metric[m];
	char a[48], b[48];

	fprintf(f, "| `%s` | ", score_metric_name(m));
	put_metric(f, rm);
	if (result_time_scaled(r)) {
		a[0] = '\0';
		if (result_metric_is_incident_time(m) && rm->has)
			timescale_fmt_duration(rm->value * result_speed(r), a,
			    sizeof(a));
		else if (result_metric_is_incident_time(m))
			snprintf(a, sizeof(a), "\xE2\x89\xA5 %s",
			    timescale_fmt_duration(rm->at_least *
			    result_speed(r), b, sizeof(b)));
		fprintf(f, " | %s", a);
	}
	fputs(" |\n", f);
}

static bool
md_shown(const struct result_metric *rm)
{
	return !rm->absent && (rm->has || rm->censored);
}

/* The key metrics that have a value or a bound (report_metric_key), the
 * others folded under them; then those not observed, each with its
 * reason. */
static void
md_metrics(const struct result *r, FILE *f)
{
	bool scaled = result_time_scaled(r), any_missing = false;
	bool any_other = false;
	const char *head = scaled ? "| metric | observed | incident |\n"
	    "|---|---:|---:|\n" : "| metric | observed |\n|---|---:|\n";

	fprintf(f, "#### Key metrics\n\n%s", head);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];

		any_missing |= !rm->absent && !rm->has && !rm->censored;
		if (!md_shown(rm))
			continue;
		if (report_metric_key(r, (enum score_metric)m))
			md_metric_row(r, (enum score_metric)m, f);
		else
			any_other = true;
	}
	for (size_t i = 0; i < r->n_links; i++) {
		fputs("| `query_amplification` at ", f);
		cell(f, r->links[i].link);
		fputs(" | ", f);
		put_metric(f, &r->links[i].amplification);
		fputs(scaled ? " | |\n" : " |\n", f);
	}
	if (any_other) {
		/* GitHub folds a <details>; the markdown inside needs the
		 * blank lines */
		fprintf(f, "\n<details><summary>Other metrics</summary>\n\n%s",
		    head);
		for (int m = 0; m < SCORE_METRIC_COUNT; m++)
			if (md_shown(&r->metric[m]) &&
			    !report_metric_key(r, (enum score_metric)m))
				md_metric_row(r, (enum score_metric)m, f);
		fputs("\n</details>\n", f);
	}
	fputc('\n', f);
	if (!any_missing)
		return;
	fputs("Not observed:\n\n", f);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];

		if (rm->absent || rm->has || rm->censored)
			continue;
		fprintf(f, "- `%s`: ", score_metric_name((enum score_metric)m));
		if (rm->note != NULL)
			code(f, rm->note);
		else
			fputs("no reason recorded", f);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void
md_probes(const struct result *r, FILE *f)
{
	static const enum score_metric col[] = { SCORE_AVAILABILITY,
		SCORE_LATENCY_P50, SCORE_LATENCY_P99, SCORE_FAILOVER,
		SCORE_RECOVERY };

	if (r->n_probe_metrics == 0)
		return;
	fputs("#### Probes\n\n| probe |", f);
	for (size_t c = 0; c < DD_ARRAY_LEN(col); c++)
		fprintf(f, " `%s` |", score_metric_name(col[c]));
	fputs("\n|---|", f);
	for (size_t c = 0; c < DD_ARRAY_LEN(col); c++)
		fputs("---:|", f);
	fputc('\n', f);
	for (size_t i = 0; i < r->n_probe_metrics; i++) {
		const struct result_probe_metrics *p = &r->probe_metrics[i];

		fputs("| ", f);
		cell(f, p->name);
		for (size_t c = 0; c < DD_ARRAY_LEN(col); c++) {
			fputs(" | ", f);
			if (p->metric[col[c]].absent)
				fputc(' ', f);
			else
				put_metric(f, &p->metric[col[c]]);
		}
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

static void
md_authority(const struct result *r, FILE *f)
{
	char line[400];

	if (r->n_authority == 0)
		return;
	fputs("#### Queries at the authority\n\n| server | over the fault |\n"
	    "|---|---|\n", f);
	for (size_t i = 0; i < r->n_authority; i++) {
		fputs("| ", f);
		cell(f, r->authority[i].dns);
		fputs(" | ", f);
		/* the line names nothing of the user's but its notes */
		cell(f, authority_fmt_line(&r->authority[i], line,
		    sizeof(line)));
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

int
report_markdown_write(const struct result *r, FILE *f)
{
	if (r == NULL || f == NULL)
		return DD_EINVAL;
	md_head(r, f);
	md_expectations(r, f);
	md_metrics(r, f);
	md_probes(r, f);
	md_authority(r, f);
	fprintf(f, "<sub>%zu events; result.json has everything, report.html "
	    "the timeline</sub>\n", r->events ? r->events->n : 0);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* A group of repeated runs */

static const struct result *
group_first(const struct repeat_group *g)
{
	for (size_t k = 0; k < g->n_runs; k++)
		if (g->runs[k] != NULL)
			return g->runs[k];
	return NULL;
}

static void
put_stat(FILE *f, const struct dist_stat *s)
{
	if (!s->has)
		fputc('-', f);
	else
		fprintf(f, "%s%.4g", s->at_least ? "\xE2\x89\xA5 " : "", s->v);
}

/* The expectations of a run that failed, for its row: "`msg`; `msg`". */
static void
put_failed(FILE *f, const struct result *r)
{
	bool any = false;

	if (r == NULL) {
		fputs("no result", f);
		return;
	}
	if (r->error != NULL) {
		cell(f, r->error);
		return;
	}
	for (size_t i = 0, shown = 0; i < r->n_expect; i++) {
		if (r->expect[i].pass)
			continue;
		if (shown++ == MD_ROW_FAILED) {
			size_t more = 1;

			while (++i < r->n_expect)
				more += !r->expect[i].pass;
			fprintf(f, "; and %zu more", more);
			break;
		}
		fputs(any ? "; " : "", f);
		cell(f, r->expect[i].message != NULL ? r->expect[i].message :
		    result_expect_metric(&r->expect[i]));
		any = true;
	}
}

int
report_repeat_markdown_write(const struct report_repeat *rp, FILE *f)
{
	const struct repeat_group *g;
	const struct result *r0;

	if (rp == NULL || (g = rp->group) == NULL || f == NULL ||
	    g->n_runs == 0)
		return DD_EINVAL;
	r0 = group_first(g);
	fprintf(f, "### dnsdrill: %s \xE2\x80\x94 ",
	    verdict_word(repeat_verdict(g)));
	code(f, r0 != NULL ? r0->scenario : "?");
	fprintf(f, " \xC3\x97 %zu runs\n\n| | |\n|---|---|\n| verdict | **%s** |\n"
	    "| runs | %zu, seeds %" PRIu64 " to %" PRIu64 " |\n| params | ",
	    g->n_runs, repeat_verdict(g), g->n_runs, rp->seeds[0],
	    rp->seeds[g->n_runs - 1]);
	for (size_t i = 0; r0 != NULL && i < r0->n_params; i++) {
		char kv[600];

		snprintf(kv, sizeof(kv), "%s=%s", r0->params[i].key,
		    r0->params[i].value);
		fputs(i > 0 ? ", " : "", f);
		cell(f, kv);
	}
	fputs(r0 == NULL || r0->n_params == 0 ? "none |\n\n" : " |\n\n", f);

	if (g->n_checks > 0) {
		fputs("#### Gates\n\n| expectation | over the runs | result |\n"
		    "|---|---:|---|\n", f);
		for (size_t i = 0; i < g->n_checks; i++) {
			const struct repeat_check *c = &g->checks[i];
			char label[REPEAT_LABEL_MAX + 80];

			snprintf(label, sizeof(label), "%s %s", c->label,
			    c->bound);
			fputs("| ", f);
			cell(f, label);
			fputs(" | ", f);
			if (c->parsed && c->expect.has_stat && c->has_value)
				fprintf(f, "%s%.4g", c->at_least ?
				    "\xE2\x89\xA5 " : "", c->value);
			else if (c->parsed && c->expect.has_stat)
				fputc('-', f);
			else
				fprintf(f, "held in %zu of %zu", c->n_held,
				    g->n_runs);
			fputs(c->pass ? " | pass: " : " | **FAIL**: ", f);
			cell(f, c->message);
			fputs(" |\n", f);
		}
		fputc('\n', f);
	} else {
		fputs("No expectations.\n\n", f);
	}

	fputs("#### Spread\n\n| metric | n | censored | min | median | p90 | max |\n"
	    "|---|---:|---:|---:|---:|---:|---:|\n", f);
	for (size_t i = 0; i < g->n_series; i++) {
		const struct repeat_series *s = &g->series[i];

		fputs("| ", f);
		cell(f, s->label);
		fprintf(f, " | %zu | %zu", s->dist.n, s->dist.n_censored);
		for (int w = 0; w < DIST_WHICH_COUNT; w++) {
			fputs(" | ", f);
			put_stat(f, &s->dist.stat[w]);
		}
		fputs(" |\n", f);
	}
	fputs("\n#### Runs\n\n| run | seed | verdict | failed / error |\n"
	    "|---|---:|---|---|\n", f);
	for (size_t k = 0; k < g->n_runs; k++) {
		const struct result *r = g->runs[k];

		fputs("| ", f);
		cell(f, rp->dirs[k]);
		fprintf(f, " | %" PRIu64 " | %s | ", rp->seeds[k],
		    r != NULL ? result_verdict(r) : "error");
		put_failed(f, r);
		fputs(" |\n", f);
	}
	fputs("\n<sub>repeat.json has every run's value; report.html the "
	    "spread</sub>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* A matrix */

/* Is params key the same in every run (missing counts as different)? */
static bool
param_same(struct result *const *runs, size_t n, const char *key,
    const char *value)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < runs[i]->n_params && !found; k++)
			if (strcmp(runs[i]->params[k].key, key) == 0) {
				if (strcmp(runs[i]->params[k].value, value) != 0)
					return false;
				found = true;
			}
		if (!found)
			return false;
	}
	return true;
}

int
report_matrix_markdown_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f)
{
	size_t n_fail = 0, n_err = 0;
	const char *verdict;
	bool any_same = false;

	if (f == NULL || (runs == NULL && n > 0))
		return DD_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (runs[i] == NULL)
			return DD_EINVAL;
		n_err += runs[i]->error != NULL;
		n_fail += runs[i]->error == NULL && !runs[i]->pass;
	}
	verdict = n_err > 0 ? "error" : n_fail > 0 ? "fail" : "pass";
	fprintf(f, "### dnsdrill matrix: %s \xE2\x80\x94 %zu run%s, %zu failed, "
	    "%zu in error\n\n", verdict_word(verdict), n, n == 1 ? "" : "s",
	    n_fail, n_err);
	/* the params every run shares, once */
	for (size_t k = 0; n > 0 && k < runs[0]->n_params; k++) {
		const struct result_kv *kv = &runs[0]->params[k];
		char s[600];

		if (!param_same(runs, n, kv->key, kv->value))
			continue;
		fputs(any_same ? ", " : "Same in every run: ", f);
		snprintf(s, sizeof(s), "%s=%s", kv->key, kv->value);
		code(f, s);
		any_same = true;
	}
	if (any_same)
		fputs("\n\n", f);
	fputs("| run | scenario | params | verdict | failed / error |\n"
	    "|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < n && i < MD_MATRIX_ROWS; i++) {
		const struct result *r = runs[i];
		const char *label = labels != NULL && labels[i] != NULL ?
		    labels[i] : r->scenario;
		bool any = false;

		fputs("| ", f);
		cell(f, label);
		fputs(" | ", f);
		cell(f, r->scenario);
		fputs(" | ", f);
		for (size_t k = 0; k < r->n_params; k++) {
			char s[600];

			if (param_same(runs, n, r->params[k].key,
			    r->params[k].value))
				continue;
			snprintf(s, sizeof(s), "%s=%s", r->params[k].key,
			    r->params[k].value);
			fputs(any ? ", " : "", f);
			cell(f, s);
			any = true;
		}
		fprintf(f, "%s | %s | ", any ? "" : "-", result_verdict(r));
		put_failed(f, r);
		fputs(" |\n", f);
	}
	if (n > MD_MATRIX_ROWS)
		fprintf(f, "\n%zu more runs: matrix.html has them all.\n",
		    n - MD_MATRIX_ROWS);
	fputs("\n<sub>matrix.html compares every metric; each run's folder has "
	    "its report</sub>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
