/*
 * matrix.c -- comparing runs side by side (`dnsdrill matrix`): one row per
 * run, the parameters that differ as columns, the verdict and every metric.
 *
 * The parameters are the union of every run's, in the order they were
 * first seen.  Those with the same value in every run are not what a
 * matrix compares: they are listed once above the table, and only the
 * others are columns (a run without one shows a dash).  A metric cell is
 * marked failed when any of that run's expectations on the metric failed
 * -- also when the metric was not observed or only bounded (censored), so
 * an empty cell never looks neutral when it failed a gate -- passed when
 * all held, and left plain when the run set no bound on it.  A run that
 * ended in error shows its reason instead of metrics.  Each row names its
 * run's folder: the HTML page links to FOLDER/report.html (relative, so
 * the matrix and its runs can be moved or published together), the text
 * table shows it.  After the metrics, a column per DNS server any run
 * read: the queries that reached it over the fault and their rate against
 * the baseline's (authority.h); a run without the figure shows a dash.
 */
#include "reports/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/authority.h"
#include "reports/markup.h"

/* What the writers share: the runs and how each is named and found. */
struct mx {
	struct result *const *runs;
	size_t n;
	const char *const *labels; /* may be NULL, as may any labels[i] */
	const char *const *dirs;   /* may be NULL, as may any dirs[i] */
	const char **key;          /* param names, borrowed from the runs */
	bool *varies;
	size_t nkeys;
	size_t nvary;              /* keys that vary: the parameter columns */
	bool scenarios_differ;
	bool scenario_col;         /* a column of its own: differ, and labelled */
	bool folder_col;           /* text: some run's folder is not its label */
	bool label_is_folder;      /* text: every run's label is its folder */
	const char **auth;         /* faultd names with queries at the
	                            * authority, first seen first; borrowed */
	size_t nauth;
};

static void
mx_free(struct mx *c)
{
	free(c->key);
	free(c->varies);
	free(c->auth);
}

static const char *
param_of(const struct result *r, const char *key)
{
	for (size_t i = 0; i < r->n_params; i++)
		if (strcmp(r->params[i].key, key) == 0)
			return r->params[i].value;
	return NULL;
}

static const char *
label_of(const struct mx *c, size_t i)
{
	if (c->labels != NULL && c->labels[i] != NULL)
		return c->labels[i];
	return c->runs[i]->scenario;
}

static const char *
dir_of(const struct mx *c, size_t i)
{
	return c->dirs != NULL ? c->dirs[i] : NULL;
}

static int
mx_build(struct mx *c, struct result *const *runs, size_t n,
    const char *const *labels, const char *const *dirs)
{
	size_t cap = 0, acap = 0;
	bool any_label = false;

	memset(c, 0, sizeof(*c));
	c->runs = runs;
	c->n = n;
	c->labels = labels;
	c->dirs = dirs;
	c->label_is_folder = n > 0 && dirs != NULL;
	for (size_t i = 0; i < n; i++) {
		const char *d;

		if (runs[i] == NULL)
			return DD_EINVAL;
		cap += runs[i]->n_params;
		acap += runs[i]->n_authority;
		if (strcmp(runs[i]->scenario, runs[0]->scenario) != 0)
			c->scenarios_differ = true;
		if (labels != NULL && labels[i] != NULL)
			any_label = true;
		d = dir_of(c, i);
		if (d != NULL && strcmp(d, label_of(c, i)) != 0)
			c->folder_col = true;
		if (d == NULL || strcmp(d, label_of(c, i)) != 0)
			c->label_is_folder = false;
	}
	/* Without labels the run column already is the scenario. */
	c->scenario_col = c->scenarios_differ && any_label;
	c->key = calloc(cap ? cap : 1, sizeof(*c->key));
	c->varies = calloc(cap ? cap : 1, sizeof(*c->varies));
	c->auth = calloc(acap ? acap : 1, sizeof(*c->auth));
	if (c->key == NULL || c->varies == NULL || c->auth == NULL) {
		mx_free(c);
		return DD_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t p = 0; p < runs[i]->n_params; p++) {
			const char *k = runs[i]->params[p].key;
			size_t j;

			for (j = 0; j < c->nkeys; j++)
				if (strcmp(c->key[j], k) == 0)
					break;
			if (j == c->nkeys)
				c->key[c->nkeys++] = k;
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t a = 0; a < runs[i]->n_authority; a++) {
			const char *d = runs[i]->authority[a].dns;
			size_t j;

			for (j = 0; j < c->nauth; j++)
				if (strcmp(c->auth[j], d) == 0)
					break;
			if (j == c->nauth)
				c->auth[c->nauth++] = d;
		}
	}
	/* Missing in one run and set in another is a difference too. */
	for (size_t j = 0; j < c->nkeys; j++) {
		const char *first = param_of(runs[0], c->key[j]);

		for (size_t i = 1; i < n && !c->varies[j]; i++) {
			const char *v = param_of(runs[i], c->key[j]);

			if ((v == NULL) != (first == NULL) ||
			    (v != NULL && strcmp(v, first) != 0))
				c->varies[j] = true;
		}
		c->nvary += c->varies[j];
	}
	return 0;
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
 * narrow as it was.  Runs in error show no metrics and do not count.
 */
static bool
metric_shown(const struct mx *c, int m)
{
	if (m < SCORE_CLASSIC_COUNT)
		return true;
	for (size_t i = 0; i < c->n; i++) {
		const struct result *r = c->runs[i];
		const struct result_metric *rm = &r->metric[m];
		const struct result_metric *av = &r->metric[SCORE_AVAILABILITY];
		bool partial = m == SCORE_AVAILABILITY_WORST ||
		    m == SCORE_AVAILABILITY_MEAN;

		if (rm->absent || r->error != NULL)
			continue;
		if (metric_verdict(r, m) >= 0 || rm->censored)
			return true;
		if (rm->has && (!partial || !av->has || av->value != rm->value))
			return true;
	}
	return false;
}

/* The last metric column. */
static int
last_shown(const struct mx *c)
{
	int last = 0;

	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		if (metric_shown(c, m))
			last = m;
	return last;
}

/* A censored value is its lower bound: "\u2265 32.100". */
static void
fmt_cell(char *buf, size_t len, const struct result_metric *rm)
{
	if (!rm->has && rm->censored)
		snprintf(buf, len, "\xE2\x89\xA5 %.3f", rm->at_least);
	else if (!rm->has)
		snprintf(buf, len, "-");
	else if (!isfinite(rm->value))
		snprintf(buf, len, "%g", rm->value);
	else
		snprintf(buf, len, "%.3f", rm->value);
}

static size_t
count_errors(const struct mx *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		k += c->runs[i]->error != NULL;
	return k;
}

/* Queries at the authority: the column's name ("queries@auth") and a
 * run's cell ("330 (x4.7)"; "-" without the figure). */
static void
auth_head(char *buf, size_t len, const char *dns)
{
	snprintf(buf, len, "queries@%s", dns);
}

static void
auth_cell(char *buf, size_t len, const struct result *r, const char *dns)
{
	authority_fmt_cell(result_authority_find(r, dns), buf, len);
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

/* s on one line: control characters (a reason's newlines) as spaces. */
static void
put_line(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

/* "same in every run: k=v, k=v" when some parameter does not vary. */
static void
text_same(const struct mx *c, FILE *f)
{
	bool first = true;

	if (c->n == 0 || c->nvary == c->nkeys)
		return;
	fputs("same in every run:", f);
	for (size_t j = 0; j < c->nkeys; j++) {
		if (c->varies[j])
			continue;
		fprintf(f, "%s %s=", first ? "" : ",", c->key[j]);
		put_line(f, param_of(c->runs[0], c->key[j]));
		first = false;
	}
	fputs("\n\n", f);
}

/* The run's folder as the text shows it: with a slash, "-" when unknown. */
static void
fmt_folder(char *buf, size_t len, const char *dir)
{
	if (dir == NULL)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s%s", dir,
		    dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/");
}

int
report_matrix_text_write_dirs(struct result *const *runs, size_t n,
    const char *const *labels, const char *const *dirs, FILE *f)
{
	struct mx c;
	size_t *w = NULL, ncol, col, errors;
	int last;
	size_t any_fail = 0;
	char buf[64], fbuf[4200], head[ELOG_SOURCE_MAX + 16];
	size_t acol;
	int rc;

	if (f == NULL || (runs == NULL && n > 0))
		return DD_EINVAL;
	if ((rc = mx_build(&c, runs, n, labels, dirs)) != 0)
		return rc;
	/* run, scenario?, params..., verdict, metrics..., queries at the
	 * authority..., folder? */
	ncol = 1 + 1 + c.nkeys + 1 + SCORE_METRIC_COUNT + c.nauth + 1;
	acol = 3 + c.nkeys + SCORE_METRIC_COUNT;
	if ((w = calloc(ncol, sizeof(*w))) == NULL) {
		mx_free(&c);
		return DD_ENOMEM;
	}
	w[0] = width("run");
	w[1] = c.scenario_col ? width("scenario") : 0;
	for (size_t j = 0; j < c.nkeys; j++)
		w[2 + j] = width(c.key[j]);
	w[2 + c.nkeys] = width("verdict");
	last = last_shown(&c);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		w[3 + c.nkeys + m] =
		    width(score_metric_name((enum score_metric)m));
	for (size_t j = 0; j < c.nauth; j++) {
		auth_head(head, sizeof(head), c.auth[j]);
		w[acol + j] = width(head);
	}
	for (size_t i = 0; i < n; i++) {
		const struct result *r = runs[i];
		size_t x;

		if ((x = width(label_of(&c, i))) > w[0])
			w[0] = x;
		if (c.scenario_col && (x = width(r->scenario)) > w[1])
			w[1] = x;
		for (size_t j = 0; j < c.nkeys; j++) {
			const char *v = param_of(r, c.key[j]);

			if ((x = width(v ? v : "-")) > w[2 + j])
				w[2 + j] = x;
		}
		if (r->error != NULL)
			continue;
		for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
			fmt_cell(buf, sizeof(buf), &r->metric[m]);
			x = width(buf) + (metric_verdict(r, m) == 0);
			if (x > w[3 + c.nkeys + m])
				w[3 + c.nkeys + m] = x;
		}
		for (size_t j = 0; j < c.nauth; j++) {
			auth_cell(buf, sizeof(buf), r, c.auth[j]);
			if ((x = width(buf)) > w[acol + j])
				w[acol + j] = x;
		}
	}

	text_same(&c, f);
	/* Header. */
	pad(f, "run", w[0]);
	if (c.scenario_col) {
		fputs("  ", f);
		pad(f, "scenario", w[1]);
	}
	for (size_t j = 0; j < c.nkeys; j++) {
		if (!c.varies[j])
			continue;
		fputs("  ", f);
		pad(f, c.key[j], w[2 + j]);
	}
	fputs("  ", f);
	pad(f, "verdict", w[2 + c.nkeys]);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		if (!metric_shown(&c, m))
			continue;
		fputs("  ", f);
		if (m == last && !c.folder_col && c.nauth == 0)
			fputs(score_metric_name((enum score_metric)m), f);
		else
			pad(f, score_metric_name((enum score_metric)m),
			    w[3 + c.nkeys + m]);
	}
	for (size_t j = 0; j < c.nauth; j++) {
		auth_head(head, sizeof(head), c.auth[j]);
		fputs("  ", f);
		if (j + 1 == c.nauth && !c.folder_col)
			fputs(head, f);
		else
			pad(f, head, w[acol + j]);
	}
	if (c.folder_col)
		fputs("  folder", f);
	fputc('\n', f);

	for (size_t i = 0; i < n; i++) {
		const struct result *r = runs[i];

		pad(f, label_of(&c, i), w[0]);
		if (c.scenario_col) {
			fputs("  ", f);
			pad(f, r->scenario, w[1]);
		}
		for (size_t j = 0; j < c.nkeys; j++) {
			const char *v = param_of(r, c.key[j]);

			if (!c.varies[j])
				continue;
			fputs("  ", f);
			pad(f, v ? v : "-", w[2 + j]);
		}
		fputs("  ", f);
		pad(f, r->pass ? "pass" : r->error ? "ERROR" : "FAIL",
		    w[2 + c.nkeys]);
		if (r->error != NULL) {
			/* The reason takes the metrics' place; the folder
			 * follows it. */
			fputs("  error: ", f);
			put_line(f, r->error);
			if (c.folder_col) {
				fmt_folder(fbuf, sizeof(fbuf), dir_of(&c, i));
				fputs("  ", f);
				fputs(fbuf, f);
			}
			fputc('\n', f);
			continue;
		}
		for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
			if (!metric_shown(&c, m))
				continue;
			col = 3 + c.nkeys + m;
			fmt_cell(buf, sizeof(buf), &r->metric[m]);
			if (metric_verdict(r, m) == 0) {
				strcat(buf, "!");
				any_fail++;
			}
			fputs("  ", f);
			if (m == last && !c.folder_col && c.nauth == 0)
				fputs(buf, f);
			else
				pad(f, buf, w[col]);
		}
		for (size_t j = 0; j < c.nauth; j++) {
			auth_cell(buf, sizeof(buf), r, c.auth[j]);
			fputs("  ", f);
			if (j + 1 == c.nauth && !c.folder_col)
				fputs(buf, f);
			else
				pad(f, buf, w[acol + j]);
		}
		if (c.folder_col) {
			fmt_folder(fbuf, sizeof(fbuf), dir_of(&c, i));
			fputs("  ", f);
			fputs(fbuf, f);
		}
		fputc('\n', f);
	}
	errors = count_errors(&c);
	{
		size_t passed = 0;

		for (size_t i = 0; i < n; i++)
			passed += runs[i]->pass;
		fprintf(f, "\n%zu run%s: %zu pass, %zu fail", n,
		    n == 1 ? "" : "s", passed, n - passed - errors);
		if (errors > 0)
			fprintf(f, ", %zu error", errors);
		fputc('\n', f);
	}
	if (any_fail > 0)
		fputs("! = an expectation on this metric failed (- = not "
		    "observed, \xE2\x89\xA5 = not seen within the run: a lower "
		    "bound)\n", f);
	if (c.nauth > 0)
		fputs("queries@SERVER = queries faultd SERVER received over the "
		    "fault (xK: its rate, K times the baseline's; - = not known "
		    "or not recorded)\n", f);
	if (c.label_is_folder)
		fputs("run = the run's folder beside this table (report.html, "
		    "result.json)\n", f);
	else if (c.folder_col)
		fputs("folder = the run's folder, from this table's folder "
		    "(report.html, result.json)\n", f);
	free(w);
	mx_free(&c);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

int
report_matrix_text_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f)
{
	return report_matrix_text_write_dirs(runs, n, labels, labels, f);
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
".same{margin:0 0 12px}.same code{margin-right:10px}\n"
".wrap{overflow-x:auto;border:1px solid #dadce0;border-radius:6px}\n"
"table{border-collapse:collapse;width:100%}\n"
"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #dadce0;"
"white-space:nowrap}\n"
"th{font-weight:600;color:#5f6368;font-size:12px;background:#f6f8fa}\n"
"tbody tr:nth-child(even){background:#fafbfc}\n"
"td.num{font-variant-numeric:tabular-nums;text-align:right}\n"
"td.pass{color:#1e8e3e}td.fail{color:#d93025;font-weight:600}\n"
"td.error{color:#b06000;white-space:normal}\n"
"a{color:#1a73e8}\n"
".na{color:#9aa0a6}\n"
".badge{display:inline-block;padding:1px 8px;border-radius:4px;"
"font-weight:700;font-size:12px;letter-spacing:.05em;color:#fff}\n"
".badge.pass{background:#1e8e3e}.badge.fail{background:#d93025}"
".badge.error{background:#b06000}\n"
".key{color:#5f6368;font-size:12.5px;margin-top:10px}\n"
"code{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,"
"monospace;font-size:12.5px}\n";

static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

/*
 * A folder as a relative URL: every byte but the unreserved ones and '/'
 * percent-encoded, so a name with a space, '#', '?' or '%' still resolves,
 * and nothing is left for the attribute to escape.
 */
static void
put_href(FILE *f, const char *dir)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(dir);

	for (const char *s = dir; *s != '\0'; s++) {
		unsigned char b = (unsigned char)*s;

		if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
		    (b >= '0' && b <= '9') || b == '-' || b == '.' ||
		    b == '_' || b == '~' || b == '/')
			fputc(b, f);
		else
			fprintf(f, "%%%c%c", hex[b >> 4], hex[b & 15]);
	}
	if (len == 0 || dir[len - 1] != '/')
		fputc('/', f);
	fputs("report.html", f);
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

/* "Same in every run: k=v k=v" above the table. */
static void
html_same(const struct mx *c, FILE *f)
{
	if (c->n == 0 || c->nvary == c->nkeys)
		return;
	fputs("<p class=\"same\">Same in every run: ", f);
	for (size_t j = 0; j < c->nkeys; j++) {
		if (c->varies[j])
			continue;
		fputs("<code>", f);
		esc(f, c->key[j]);
		fputs("=", f);
		esc(f, param_of(c->runs[0], c->key[j]));
		fputs("</code>", f);
	}
	fputs("</p>\n", f);
}

static void
html_row(const struct mx *c, size_t i, size_t nmetric, FILE *f)
{
	static const char *const cell_cls[3] = { "none", "fail", "pass" };
	const struct result *r = c->runs[i];
	const char *dir = dir_of(c, i);
	char buf[64], line[400];

	fputs("<tr><td>", f);
	if (dir != NULL) {
		fputs("<a href=\"", f);
		put_href(f, dir);
		fputs("\">", f);
		esc(f, label_of(c, i));
		fputs("</a>", f);
	} else {
		esc(f, label_of(c, i));
	}
	fputs("</td>", f);
	if (c->scenario_col) {
		fputs("<td>", f);
		esc(f, r->scenario);
		fputs("</td>", f);
	}
	for (size_t j = 0; j < c->nkeys; j++) {
		const char *v = param_of(r, c->key[j]);

		if (!c->varies[j])
			continue;
		if (v == NULL) {
			fputs("<td class=\"na\">\xE2\x80\x94</td>", f);
			continue;
		}
		fputs("<td><code>", f);
		esc(f, v);
		fputs("</code></td>", f);
	}
	fprintf(f, "<td><span class=\"badge %s\">%s</span></td>",
	    result_verdict(r), r->pass ? "PASS" : r->error ? "ERROR" : "FAIL");
	if (r->error != NULL) {
		fprintf(f, "<td class=\"error\" colspan=\"%zu\">",
		    nmetric + c->nauth);
		esc(f, r->error);
		fputs("</td></tr>\n", f);
		return;
	}
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		int v = metric_verdict(r, m);

		if (!metric_shown(c, m))
			continue;
		fmt_cell(buf, sizeof(buf), &r->metric[m]);
		fprintf(f, "<td class=\"num %s\" title=\"", cell_cls[v + 1]);
		metric_title(f, r, m);
		fputs("\">", f);
		if (r->metric[m].has || r->metric[m].censored)
			esc(f, buf);
		else if (v == 0)
			/* failed for want of a value: as failed as any */
			fputs("\xE2\x9C\x97 not observed", f);
		else
			fputs("<span class=\"na\">\xE2\x80\x94</span>", f);
		fputs("</td>", f);
	}
	for (size_t j = 0; j < c->nauth; j++) {
		const struct result_authority *a =
		    result_authority_find(r, c->auth[j]);

		auth_cell(buf, sizeof(buf), r, c->auth[j]);
		fputs("<td class=\"num auth\" title=\"", f);
		if (a == NULL)
			fputs("not recorded in this run's result.json", f);
		else
			esc(f, authority_fmt_line(a, line, sizeof(line)));
		fputs("\">", f);
		if (a != NULL && a->queries.has)
			esc(f, buf);
		else
			fputs("<span class=\"na\">\xE2\x80\x94</span>", f);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

int
report_matrix_html_write_dirs(struct result *const *runs, size_t n,
    const char *const *labels, const char *const *dirs, FILE *f)
{
	struct mx c;
	size_t passed = 0, errors, nmetric = 0;
	int rc;

	if (f == NULL || (runs == NULL && n > 0))
		return DD_EINVAL;
	if ((rc = mx_build(&c, runs, n, labels, dirs)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		passed += runs[i]->pass;
	errors = count_errors(&c);

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
	fprintf(f, "</h1>\n<p class=\"sub\">%zu run%s: %zu pass, %zu fail",
	    n, n == 1 ? "" : "s", passed, n - passed - errors);
	if (errors > 0)
		fprintf(f, ", %zu error", errors);
	fputs("</p>\n", f);
	html_same(&c, f);

	fputs("<div class=\"wrap\"><table class=\"matrix\">\n<thead><tr>"
	    "<th>run</th>", f);
	if (c.scenario_col)
		fputs("<th>scenario</th>", f);
	for (size_t j = 0; j < c.nkeys; j++) {
		if (!c.varies[j])
			continue;
		fputs("<th class=\"param\">", f);
		esc(f, c.key[j]);
		fputs("</th>", f);
	}
	fputs("<th>verdict</th>", f);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		if (!metric_shown(&c, m))
			continue;
		fprintf(f, "<th>%s</th>", score_metric_name((enum score_metric)m));
		nmetric++;
	}
	for (size_t j = 0; j < c.nauth; j++) {
		fputs("<th class=\"auth\">queries@", f);
		esc(f, c.auth[j]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < n; i++)
		html_row(&c, i, nmetric, f);
	fputs("</tbody>\n</table></div>\n<p class=\"key\">Red: an expectation "
	    "on the metric failed (\xE2\x9C\x97 not observed: it failed for "
	    "want of a value; \xE2\x89\xA5: not seen within the run, a lower "
	    "bound); green: all held; black: no bound. Columns: the parameters "
	    "that differ between runs. Hover a cell for its expectation or why "
	    "it was not observed.", f);
	if (c.nauth > 0)
		fputs(" <code>queries@SERVER</code>: the queries faultd SERVER "
		    "received over the fault, and (xK) its rate, K times "
		    "the baseline's; \xE2\x80\x94 where not known or not "
		    "recorded.", f);
	for (size_t i = 0; i < n; i++) {
		if (dir_of(&c, i) != NULL) {
			fputs(" A run's name opens its report.", f);
			break;
		}
	}
	fputs("</p>\n</main>\n</body>\n</html>\n", f);
	mx_free(&c);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}

int
report_matrix_html_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f)
{
	return report_matrix_html_write_dirs(runs, n, labels, labels, f);
}
