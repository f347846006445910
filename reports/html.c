/*
 * html.c -- report.html: the page a person opens after a run.
 *
 * One self-contained file: inline CSS, inline SVG, no script, nothing
 * fetched (a Content-Security-Policy says so, as a second line of defence
 * behind the escaping: SUT log lines end up in this page).  Top to bottom:
 * the header (scenario, verdict, seed, params, fault window), the metrics
 * against their bounds (a censored one as "\u2265 bound"), each probe's own
 * figures, the timeline, its legend, the authority's side (faultd's
 * counters, html_dns.c) and the event log.  The timeline itself is drawn by
 * html_timeline.c; escaping is markup.c's.
 */
#include "reports/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/html_dns.h"
#include "reports/html_time.h"
#include "reports/html_timeline.h"
#include "reports/markup.h"

/* ------------------------------------------------------------------ */
/* Text */

static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

/* "12.345 s" */
static void
fmt_s(char *buf, size_t len, uint64_t ms)
{
	markup_secs(buf, len, ms, " s");
}

static bool
is_time_metric(int m)
{
	return m == SCORE_DETECTION || m == SCORE_FAILOVER ||
	    m == SCORE_RECOVERY;
}

static bool
is_ratio_metric(int m)
{
	return m == SCORE_AVAILABILITY || m == SCORE_AVAILABILITY_WORST ||
	    m == SCORE_AVAILABILITY_MEAN;
}

static bool
is_ms_metric(int m)
{
	return m >= SCORE_LATENCY_P50 && m <= SCORE_BASE_LATENCY_P99;
}

static void
fmt_metric(char *buf, size_t len, int m, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "%g", v);
	else if (is_time_metric(m))
		snprintf(buf, len, "%.3f s", v);
	else if (is_ratio_metric(m))
		snprintf(buf, len, "%.4g (%.1f %%)", v, v * 100.0);
	else if (is_ms_metric(m))
		snprintf(buf, len, "%.1f ms", v);
	else
		snprintf(buf, len, "%.3g\xC3\x97", v); /* "2.5x" */
}

/* A censored value: "\u2265 32.100 s" */
static void
fmt_censored(char *buf, size_t len, int m, double at_least)
{
	char v[48];

	fmt_metric(v, sizeof(v), m, at_least);
	snprintf(buf, len, "\xE2\x89\xA5 %s", v);
}

static const char *const metric_about[SCORE_METRIC_COUNT] = {
	"fault start \xE2\x86\x92 first sign the SUT noticed",
	"fault start \xE2\x86\x92 service good again and stable",
	"fault end \xE2\x86\x92 back on the primary path, stable",
	"share of service probes that succeeded during the fault",
	"DNS query rate during the fault \xC3\xB7 baseline rate",
	"the least available service probe during the fault",
	"mean of the service probes' availabilities during the fault",
	"median lookup latency during the fault",
	"95th percentile lookup latency during the fault",
	"99th percentile lookup latency during the fault",
	"median lookup latency before the fault",
	"95th percentile lookup latency before the fault",
	"99th percentile lookup latency before the fault",
	"median latency during the fault \xC3\xB7 before it",
};

/* ------------------------------------------------------------------ */
/* Page frame */

static const char page_css[] =
":root{--ok:#1e8e3e;--fail:#d93025;--mix:#e8a200;--ink:#202124;"
"--muted:#5f6368;--line:#dadce0;--soft:#f6f8fa}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:#fff;color:var(--ink);font:14px/1.45 system-ui,"
"-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
"main{max-width:1180px;margin:0 auto;padding:24px 20px 40px}\n"
"h1{font-size:24px;margin:0;font-weight:600;word-break:break-word}\n"
"h2{font-size:16px;margin:28px 0 10px;font-weight:600;"
"border-bottom:1px solid var(--line);padding-bottom:6px}\n"
".top{display:flex;align-items:center;gap:14px;flex-wrap:wrap}\n"
".badge{display:inline-block;padding:3px 12px;border-radius:4px;"
"font-weight:700;font-size:14px;letter-spacing:.06em;color:#fff}\n"
".badge.pass{background:var(--ok)}.badge.fail{background:var(--fail)}\n"
".desc{margin:6px 0 14px;color:var(--muted);font-size:15px}\n"
".facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;"
"margin:0;padding:12px 16px;background:var(--soft);border:1px solid "
"var(--line);border-radius:6px}\n"
".facts dt{color:var(--muted)}.facts .mono{font-size:13px}\n"
".facts dd{margin:0;word-break:break-word}\n"
".kv{display:inline-block;margin:0 6px 4px 0;padding:1px 8px;"
"border:1px solid var(--line);border-radius:10px;background:#fff;"
"font-size:13px}.kv b{font-weight:600;margin-right:4px}\n"
"table.t{border-collapse:collapse;width:100%}\n"
".t th,.t td{text-align:left;padding:6px 10px;border-bottom:1px solid "
"var(--line);vertical-align:top}\n"
".t th{font-weight:600;color:var(--muted);font-size:12px;"
"text-transform:uppercase;letter-spacing:.04em;background:var(--soft)}\n"
".t td.num{font-variant-numeric:tabular-nums;white-space:nowrap}\n"
".t .about{display:block;color:var(--muted);font-size:12px}\n"
".t code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,"
"Consolas,monospace;font-size:12.5px}\n"
".res{font-weight:700;font-size:12px;letter-spacing:.04em}\n"
".res.pass{color:var(--ok)}.res.fail{color:var(--fail)}"
".res.none{color:var(--muted);font-weight:400}\n"
".note{color:var(--muted)}.note.fail{color:var(--fail)}\n"
".summary{margin:8px 0 0;color:var(--muted)}\n"
"figure{margin:0;overflow-x:auto}\n"
"svg.timeline{display:block;max-width:100%;height:auto;"
"border:1px solid var(--line);border-radius:6px;background:#fff}\n"
"svg text{font-family:inherit}\n"
".legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 2px 0;"
"color:var(--muted);font-size:12.5px}\n"
".legend span{display:inline-flex;align-items:center;gap:6px}\n"
".legend svg{flex:none}\n"
"details{margin-top:6px}summary{cursor:pointer;color:var(--muted)}\n"
".ev td{padding:3px 10px;font-size:12.5px}\n"
".ev td.txt{word-break:break-all}\n"
"footer{margin-top:32px;color:var(--muted);font-size:12px}\n"
/* timeline classes */
".bg0{fill:#fff}.bg1{fill:#f8f9fa}\n"
".grid{stroke:#e8eaed;stroke-width:1}\n"
".axis{fill:var(--muted);font-size:11px}\n"
".lbl{fill:var(--ink);font-size:12px}.lbl .k{fill:var(--muted)}\n"
".sm{fill:var(--muted);font-size:11px}\n"
".ph0{fill:#e3ecf8}.ph1{fill:#ece6f5}.ph2{fill:#e2f1ea}.ph3{fill:#f6ecdf}\n"
".phl{fill:#3c4043;font-size:11px}\n"
".phs{stroke:#bdc1c6;stroke-width:1;stroke-dasharray:2 3}\n"
".fw{fill:#d93025;fill-opacity:.07}\n"
".fwe{stroke:#d93025;stroke-opacity:.45;stroke-width:1}\n"
".fwbar{fill:#d93025;fill-opacity:.55}\n"
".fspan{fill:#d93025;fill-opacity:.22}\n"
".fin{fill:#d93025}.fcl{fill:#188038}\n"
".fov{stroke-width:1;stroke-dasharray:3 3;pointer-events:none}\n"
".fov.in{stroke:#d93025}.fov.cl{stroke:#188038}\n"
".pr{shape-rendering:crispEdges}\n"
".pr.ok,.sw.ok{fill:#34a853}.pr.bad,.sw.bad{fill:#ea4335}"
".pr.mix,.sw.mix{fill:#fbbc04}\n"
".wt{fill:#3949ab}.mk{fill:#80868b}\n"
".life{fill:#dadce0}.ps{fill:#188038}.pe{fill:#5f6368}.pe.bad{fill:#d93025}\n"
".rl{fill:none;stroke:#00897b;stroke-width:1.5}"
".ra{fill:#00897b;fill-opacity:.12}.rd{fill:#00897b}\n"
".mo{stroke-width:1.5;stroke-dasharray:5 3;pointer-events:none}\n"
".mo.det{stroke:#8e24aa}.mo.fo{stroke:#f57c00}.mo.rec{stroke:#1a73e8}\n"
".mf.det{fill:#8e24aa}.mf.fo{fill:#f57c00}.mf.rec{fill:#1a73e8}\n"
".mt{font-size:11px;font-weight:600}\n"
".mt.det{fill:#8e24aa}.mt.fo{fill:#e65100}.mt.rec{fill:#1a73e8}\n"
"@media print{main{max-width:none}}\n";

static void
page_begin(FILE *f, const char *title_a, const char *title_b)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"dnsdrill\">\n"
	    "<link rel=\"icon\" href=\"data:,\">\n<title>", f);
	esc(f, title_a);
	fputs(" \xE2\x80\x94 ", f);
	esc(f, title_b);
	fputs(" \xC2\xB7 dnsdrill</title>\n<style>\n", f);
	fputs(page_css, f);
	fputs("</style>\n</head>\n<body>\n<main>\n", f);
}
/* ------------------------------------------------------------------ */
/* Legend */

struct swatch {
	const char *svg; /* 26x14 drawing */
	const char *text;
};

static const struct swatch legend[] = {
	{ "<rect class=\"sw ok\" x=\"1\" y=\"2\" width=\"24\" height=\"10\"/>",
	    "probe ok" },
	{ "<rect class=\"sw bad\" x=\"1\" y=\"2\" width=\"24\" height=\"10\"/>",
	    "probe failed" },
	{ "<rect class=\"sw mix\" x=\"1\" y=\"2\" width=\"24\" height=\"10\"/>",
	    "both (merged at this zoom)" },
	{ "<rect class=\"ph0\" x=\"1\" y=\"1\" width=\"24\" height=\"12\" "
	    "rx=\"2\"/>", "phase" },
	{ "<rect class=\"fw\" x=\"1\" y=\"0\" width=\"24\" height=\"14\"/>"
	    "<rect class=\"fwbar\" x=\"1\" y=\"0\" width=\"24\" height=\"3\"/>",
	    "fault window (scored)" },
	{ "<rect class=\"fspan\" x=\"1\" y=\"3\" width=\"24\" height=\"8\"/>"
	    "<g class=\"fin\"><rect x=\"6\" y=\"1\" width=\"2\" height=\"12\"/>"
	    "<path d=\"M7 8l-5 -7h10z\"/></g>", "fault injected" },
	{ "<g class=\"fcl\"><rect x=\"12\" y=\"1\" width=\"2\" height=\"12\"/>"
	    "<path d=\"M13 6l-5 7h10z\"/></g>", "fault cleared" },
	{ "<line class=\"mo det\" x1=\"13\" y1=\"0\" x2=\"13\" y2=\"14\"/>"
	    "<circle class=\"mf det\" cx=\"13\" cy=\"7\" r=\"4\"/>",
	    "detection" },
	{ "<line class=\"mo fo\" x1=\"13\" y1=\"0\" x2=\"13\" y2=\"14\"/>"
	    "<circle class=\"mf fo\" cx=\"13\" cy=\"7\" r=\"4\"/>",
	    "failover" },
	{ "<line class=\"mo rec\" x1=\"13\" y1=\"0\" x2=\"13\" y2=\"14\"/>"
	    "<circle class=\"mf rec\" cx=\"13\" cy=\"7\" r=\"4\"/>",
	    "recovery" },
	{ "<rect class=\"wt\" x=\"7\" y=\"2\" width=\"3\" height=\"10\"/>"
	    "<rect class=\"wt\" x=\"15\" y=\"2\" width=\"3\" height=\"10\"/>",
	    "watch match" },
	{ "<rect class=\"life\" x=\"4\" y=\"5\" width=\"18\" height=\"4\"/>"
	    "<circle class=\"ps\" cx=\"5\" cy=\"7\" r=\"4.5\"/>"
	    "<rect class=\"pe\" x=\"17\" y=\"3\" width=\"8\" height=\"8\"/>",
	    "process start / exit" },
	{ "<path class=\"ra\" d=\"M1 13L7 8L13 10L19 3L25 6L25 13Z\"/>"
	    "<path class=\"rl\" d=\"M1 13L7 8L13 10L19 3L25 6\"/>",
	    "DNS queries/s (capture)" },
};

static void
write_legend(FILE *f)
{
	fputs("<div class=\"legend\">\n", f);
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++)
		fprintf(f, "<span><svg width=\"26\" height=\"14\" "
		    "viewBox=\"0 0 26 14\" aria-hidden=\"true\">%s</svg>%s"
		    "</span>\n", legend[i].svg, legend[i].text);
	fputs("<span>Hover a mark for its time and details.</span>\n</div>\n",
	    f);
}

/* ------------------------------------------------------------------ */
/* Sections */

/* "250 ms", "1 s": a probe's setting as the scenario gave it. */
static void
fmt_setting(char *buf, size_t len, uint64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 " s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 " ms", ms);
}

/* Each probe's kind, host, interval and timeout; what it asks on hover. */
static void
write_probe_settings(FILE *f, const struct result *r)
{
	char a[32], b[32];

	fputs("<dt>probes</dt><dd>", f);
	for (size_t i = 0; i < r->n_probes; i++) {
		const struct result_probe *p = &r->probes[i];

		fmt_setting(a, sizeof(a), p->every_ms);
		fmt_setting(b, sizeof(b), p->timeout_ms);
		fputs("<span class=\"kv\"", f);
		if (p->target != NULL) {
			fputs(" title=\"", f);
			esc(f, p->target);
			fputc('"', f);
		}
		fputs("><b>", f);
		esc(f, p->name);
		fputs("</b>", f);
		esc(f, p->kind);
		if (p->host != NULL) {
			fputs(" on ", f);
			esc(f, p->host);
		}
		fprintf(f, " \xC2\xB7 every %s \xC2\xB7 timeout %s%s</span>", a, b,
		    p->timeout_default ? " (default)" : "");
	}
	fputs("</dd>\n", f);
}

static void
write_header(FILE *f, const struct result *r)
{
	char a[32], b[32], c[32];

	fputs("<header>\n<div class=\"top\"><h1>", f);
	esc(f, r->scenario);
	fprintf(f, "</h1><span class=\"badge %s\" id=\"verdict\">%s</span>"
	    "</div>\n", r->pass ? "pass" : "fail", r->error ? "ERROR" :
	    r->pass ? "PASS" : "FAIL");
	if (r->error != NULL) {
		/* the page's own classes: a report of any verdict shares one
		 * style sheet */
		fputs("<p class=\"desc\" id=\"error\"><b>The run ended in error:</b> ", f);
		esc(f, r->error);
		fputs("</p>\n", f);
	}
	if (r->description != NULL) {
		fputs("<p class=\"desc\">", f);
		esc(f, r->description);
		fputs("</p>\n", f);
	} else {
		fputs("<p class=\"desc\"></p>\n", f);
	}
	fputs("<dl class=\"facts\">\n", f);
	fputs("<dt>seed</dt><dd>", f);
	if (r->has_seed)
		fprintf(f, "%" PRIu64, r->seed);
	else
		fputs("\xE2\x80\x94", f);
	fputs("</dd>\n<dt>started</dt><dd>", f);
	esc(f, r->started != NULL ? r->started : "\xE2\x80\x94");
	fmt_s(a, sizeof(a), r->duration_ms);
	fprintf(f, "</dd>\n<dt>duration</dt><dd>%s</dd>\n", a);
	fputs("<dt>fault window</dt><dd>", f);
	if (r->fault_found) {
		fmt_s(a, sizeof(a), r->fault_start_ms);
		fmt_s(b, sizeof(b), r->fault_end_ms);
		fmt_s(c, sizeof(c), r->fault_end_ms - r->fault_start_ms);
		if (r->fault_cleared)
			fprintf(f, "%s \xE2\x86\x92 %s (%s)", a, b, c);
		else
			fprintf(f, "%s \xE2\x86\x92 never cleared", a);
		fprintf(f, "; service %s", r->service_disrupted ?
		    "disrupted" : "not disrupted");
	} else {
		fputs("none found", f);
	}
	fputs("</dd>\n<dt>parameters</dt><dd>", f);
	for (size_t i = 0; i < r->n_params; i++) {
		fputs("<span class=\"kv\"><b>", f);
		esc(f, r->params[i].key);
		fputs("</b>", f);
		esc(f, r->params[i].value);
		fputs("</span>", f);
	}
	if (r->n_params == 0)
		fputs("none", f);
	fputs("</dd>\n", f);
	if (r->has_probes && r->n_probes > 0)
		write_probe_settings(f, r);
	if (r->n_versions > 0) {
		fputs("<dt>versions</dt><dd>", f);
		for (size_t i = 0; i < r->n_versions; i++) {
			fputs(i ? " \xC2\xB7 " : "", f);
			esc(f, r->versions[i].key);
			fputc(' ', f);
			esc(f, r->versions[i].value);
		}
		fputs("</dd>\n", f);
	}
	fprintf(f, "<dt>events</dt><dd>%zu</dd>\n</dl>\n</header>\n",
	    r->events ? r->events->n : 0);
}

static void
metric_row(FILE *f, const char *name, const char *about, int m,
    const struct result_metric *rm, const struct result_expect *e)
{
	char v[64];
	bool has = e != NULL ? e->has_observed : rm != NULL && rm->has;
	double val = e != NULL ? e->observed : rm != NULL ? rm->value : 0;
	bool censored = !has && (e != NULL ? e->censored : rm != NULL &&
	    rm->censored);
	double at_least = e != NULL ? e->at_least : rm != NULL ?
	    rm->at_least : 0;

	fputs("<tr><td><code>", f);
	esc(f, name);
	fputs("</code>", f);
	if (about != NULL)
		fprintf(f, "<span class=\"about\">%s</span>", about);
	fputs("</td><td class=\"num\">", f);
	if (has) {
		if (m >= 0)
			fmt_metric(v, sizeof(v), m, val);
		else
			snprintf(v, sizeof(v), "%.6g", val);
		fputs(v, f);
	} else if (censored) {
		fmt_censored(v, sizeof(v), m, at_least);
		fprintf(f, "%s <span class=\"note\">censored</span>", v);
	} else {
		fputs("<span class=\"note\">not observed</span>", f);
	}
	fputs("</td><td class=\"num\">", f);
	if (e != NULL) {
		fputs("<code>", f);
		esc(f, e->bound);
		fputs("</code>", f);
	} else {
		fputs("<span class=\"note\">\xE2\x80\x94</span>", f);
	}
	fputs("</td><td>", f);
	if (e != NULL)
		fprintf(f, "<span class=\"res %s\">%s</span>",
		    e->pass ? "pass" : "fail", e->pass ? "PASS" : "FAIL");
	else
		fputs("<span class=\"res none\">no bound</span>", f);
	fputs("</td><td>", f);
	if (!has && rm != NULL && rm->note != NULL) {
		fputs("<span class=\"note\">", f);
		esc(f, rm->note);
		fputs("</span>", f);
	} else if (e != NULL && !e->pass && e->message != NULL) {
		fputs("<span class=\"note fail\">", f);
		esc(f, e->message);
		fputs("</span>", f);
	}
	fputs("</td></tr>\n", f);
}

static const struct result_probe_metrics *
find_probe(const struct result *r, const char *name)
{
	for (size_t i = 0; i < r->n_probe_metrics; i++)
		if (strcmp(r->probe_metrics[i].name, name) == 0)
			return &r->probe_metrics[i];
	return NULL;
}

static void
write_metrics(FILE *f, const struct result *r)
{
	size_t passed = 0;

	fputs("<section>\n<h2>Metrics</h2>\n<table class=\"t metrics\">\n"
	    "<thead><tr><th>metric</th><th>observed</th><th>bound</th>"
	    "<th>result</th><th>note</th></tr></thead>\n<tbody>\n", f);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const char *name = score_metric_name((enum score_metric)m);
		bool any = false;

		if (r->metric[m].absent)
			continue;
		for (size_t i = 0; i < r->n_expect; i++) {
			if (r->expect[i].metric != (enum score_metric)m ||
			    r->expect[i].probe != NULL)
				continue;
			metric_row(f, name, any ? NULL : metric_about[m], m,
			    &r->metric[m], &r->expect[i]);
			any = true;
		}
		if (!any)
			metric_row(f, name, metric_about[m], m, &r->metric[m],
			    NULL);
	}
	/* Amplification at each link the scenario named. */
	for (size_t i = 0; i < r->n_links; i++) {
		char name[200];

		snprintf(name, sizeof(name), "query_amplification @ %s", r->links[i].link);
		metric_row(f, name, i == 0 ? "the same at each capture link named in "
		    "score { amplification }" : NULL, SCORE_AMPLIFICATION,
		    &r->links[i].amplification, NULL);
	}
	/* A probe's own figures under an expectation ("availability.www"),
	 * and expectations on metrics this build does not know (read from
	 * a newer result.json). */
	for (size_t i = 0; i < r->n_expect; i++) {
		const struct result_expect *e = &r->expect[i];
		const struct result_probe_metrics *p;

		if (e->probe != NULL && (unsigned)e->metric < SCORE_METRIC_COUNT) {
			p = find_probe(r, e->probe);
			metric_row(f, result_expect_metric(e), NULL,
			    (int)e->metric, p != NULL ? &p->metric[e->metric] :
			    NULL, e);
		} else if ((unsigned)e->metric >= SCORE_METRIC_COUNT) {
			metric_row(f, result_expect_metric(e), NULL, -1, NULL,
			    e);
		}
	}
	fputs("</tbody>\n</table>\n", f);
	for (size_t i = 0; i < r->n_expect; i++)
		passed += r->expect[i].pass;
	if (r->n_expect == 0)
		fputs("<p class=\"summary\">No expectations: the verdict is "
		    "pass.</p>\n", f);
	else
		fprintf(f, "<p class=\"summary\">%zu of %zu expectation%s "
		    "passed.</p>\n", passed, r->n_expect,
		    r->n_expect == 1 ? "" : "s");
	fputs("</section>\n", f);
}

/* Each probe's own figures: one row per probe. */
static void
write_probe_metrics(FILE *f, const struct result *r)
{
	static const struct {
		enum score_metric m;
		const char *head;
	} col[] = {
		{ SCORE_AVAILABILITY, "availability" },
		{ SCORE_LATENCY_P50, "p50" },
		{ SCORE_LATENCY_P95, "p95" },
		{ SCORE_LATENCY_P99, "p99" },
		{ SCORE_BASE_LATENCY_P50, "baseline p50" },
		{ SCORE_BASE_LATENCY_P95, "baseline p95" },
		{ SCORE_BASE_LATENCY_P99, "baseline p99" },
		{ SCORE_SLOWDOWN, "slowdown" },
		{ SCORE_FAILOVER, "failover_s" },
		{ SCORE_RECOVERY, "recovery_s" },
	};
	char v[64];

	if (r->n_probe_metrics == 0)
		return;
	fputs("<section>\n<h2>Probes</h2>\n<table class=\"t probes\">\n"
	    "<thead><tr><th>probe</th>", f);
	for (size_t c = 0; c < sizeof(col) / sizeof(col[0]); c++)
		fprintf(f, "<th>%s</th>", col[c].head);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_probe_metrics; i++) {
		const struct result_probe_metrics *p = &r->probe_metrics[i];

		fputs("<tr><td><code>", f);
		esc(f, p->name);
		fputs("</code></td>", f);
		for (size_t c = 0; c < sizeof(col) / sizeof(col[0]); c++) {
			const struct result_metric *rm = &p->metric[col[c].m];

			fputs("<td class=\"num\"", f);
			if (!rm->has && rm->note != NULL) {
				fputs(" title=\"", f);
				esc(f, rm->note);
				fputc('"', f);
			}
			fputc('>', f);
			if (rm->absent) {
				/* nothing */
			} else if (rm->has) {
				fmt_metric(v, sizeof(v), (int)col[c].m,
				    rm->value);
				fputs(v, f);
			} else if (rm->censored) {
				fmt_censored(v, sizeof(v), (int)col[c].m,
				    rm->at_least);
				fputs(v, f);
			} else {
				fputs("<span class=\"note\">\xE2\x80\x94</span>",
				    f);
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n<p class=\"summary\">Each probe on its "
	    "own: latencies of its ok results (during the fault, and before "
	    "it as baseline), failover_s as if it were the only service "
	    "probe, recovery_s as if it were the primary-path probe. Hover "
	    "a dash for why it is empty.</p>\n</section>\n", f);
}

static void
write_event_log(FILE *f, const struct result *r)
{
	const struct elog *log = r->events;
	size_t n = log ? log->n : 0;
	char a[32];

	fprintf(f, "<section>\n<h2>Event log</h2>\n<details%s>\n"
	    "<summary>%zu event%s", n > 0 && n <= 40 ? " open" : "", n,
	    n == 1 ? "" : "s");
	if (n > REPORT_HTML_MAX_EVENTS)
		fprintf(f, " (the first %d shown; all are in result.json)",
		    REPORT_HTML_MAX_EVENTS);
	fputs("</summary>\n<table class=\"t ev\">\n<thead><tr><th>time</th>"
	    "<th>kind</th><th>source</th><th>text</th></tr></thead>\n<tbody>\n",
	    f);
	for (size_t i = 0; i < n && i < REPORT_HTML_MAX_EVENTS; i++) {
		const struct elog_ev *e = &log->ev[i];

		fmt_s(a, sizeof(a), e->t_ms);
		fprintf(f, "<tr><td class=\"num\">%s</td><td>%s</td><td>", a,
		    elog_kind_name(e->kind));
		esc(f, e->source);
		fputs("</td><td class=\"txt\">", f);
		switch (e->kind) {
		case ELOG_PROBE:
			fprintf(f, "<span class=\"res %s\">%s</span> %.3f ms ",
			    e->u.probe.ok ? "pass" : "fail",
			    e->u.probe.ok ? "ok" : "FAILED",
			    e->u.probe.latency_ms);
			break;
		case ELOG_PROC_EXIT:
			if (e->u.exit.signal != 0)
				fprintf(f, "killed by signal %d ",
				    e->u.exit.signal);
			else
				fprintf(f, "exit status %d ", e->u.exit.code);
			break;
		case ELOG_RATE:
			fprintf(f, "%.4g qps over %" PRIu64 " ms ",
			    e->u.rate.qps, e->u.rate.window_ms);
			break;
		default:
			break;
		}
		esc(f, e->text);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n</details>\n</section>\n", f);
}

int
report_html_write(const struct result *r, FILE *f)
{
	struct html_timeline *t;
	int rc;

	if (r == NULL || f == NULL)
		return DD_EINVAL;
	/* laid out first, so running out of memory writes nothing */
	if ((rc = html_timeline_new(&t, r, f)) != 0)
		return rc;

	page_begin(f, r->scenario, r->error ? "ERROR" : r->pass ? "PASS" : "FAIL");
	write_header(f, r);
	write_metrics(f, r);
	html_time_write(f, r);
	write_probe_metrics(f, r);
	fputs("<section>\n<h2>Timeline</h2>\n<figure>\n", f);
	if ((rc = html_timeline_draw(t)) != 0)
		goto out;
	write_legend(f);
	fputs("</figure>\n</section>\n", f);
	html_dns_write(f, r);
	write_event_log(f, r);
	fputs("<footer>dnsdrill report \xC2\xB7 " RESULT_FORMAT
	    " \xC2\xB7 times are seconds since the run started</footer>\n"
	    "</main>\n</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		rc = DD_EIO;
out:
	html_timeline_free(t);
	return rc;
}
