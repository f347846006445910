/*
 * html_time.c -- report.html's "Time" section (reports/html_time.h): a run
 * compressed `speed` times, read on the incident's own clock.
 */
#include "reports/html_time.h"

#include "model/timescale.h"
#include "reports/markup.h"

static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

static void
write_metrics(FILE *f, const struct result *r, double speed)
{
	char a[40], b[40];

	fputs("<table class=\"t time-metrics\">\n<thead><tr><th>metric</th>"
	    "<th>real</th><th>incident</th></tr></thead>\n<tbody>\n", f);
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];

		if (rm->absent || !result_metric_is_incident_time((enum score_metric)m))
			continue;
		fprintf(f, "<tr><td><code>%s</code></td>", score_metric_name((enum score_metric)m));
		if (rm->has)
			fprintf(f, "<td class=\"num\">%.3f s</td><td class=\"num\">%s</td></tr>\n",
			    rm->value, timescale_fmt_duration(rm->value * speed, a, sizeof(a)));
		else if (rm->censored)
			fprintf(f, "<td class=\"num\">\xE2\x89\xA5 %.3f s</td>"
			    "<td class=\"num\">\xE2\x89\xA5 %s</td></tr>\n", rm->at_least,
			    timescale_fmt_duration(rm->at_least * speed, b, sizeof(b)));
		else
			fputs("<td><span class=\"note\">not observed</span></td><td></td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void
write_distortions(FILE *f, const struct result *r, double speed)
{
	char line[1024], a[40], b[40];

	if (r->distortions.n == 0) {
		fputs("<p id=\"time-distortions\">Everything dnsdrill knows of ran in "
		    "proportion.</p>\n", f);
		return;
	}
	fputs("<table class=\"t\" id=\"time-distortions\">\n<thead><tr><th>kind</th>"
	    "<th>what</th><th>in the incident</th><th>lasts (real)</th>"
	    "<th>= incident</th><th>note</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->distortions.n; i++) {
		const struct timescale_distortion *d = &r->distortions.v[i];

		fprintf(f, "<tr><td>%s</td><td>", timescale_kind_name(d->kind));
		esc(f, d->what);
		fprintf(f, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
		    "<td class=\"num\">%s</td><td><span class=\"note\">",
		    d->has_incident ? timescale_fmt_duration(d->incident_s, a, sizeof(a)) : "\xE2\x80\x94",
		    d->has_real ? timescale_fmt_duration(d->real_s, b, sizeof(b)) : "\xE2\x80\x94",
		    d->has_real ? timescale_fmt_duration(d->real_s * speed, line, sizeof(line)) :
		    "\xE2\x80\x94");
		if (d->note != NULL)
			esc(f, d->note);
		fputs("</span></td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

void
html_time_write(FILE *f, const struct result *r)
{
	double speed = result_speed(r);
	char a[40], b[40], c[40];

	if (!result_time_scaled(r))
		return;
	fprintf(f, "<section>\n<h2>Time</h2>\n<dl class=\"facts\">\n"
	    "<dt>speed</dt><dd>%g: one real second is %s of the incident</dd>\n", speed,
	    timescale_fmt_duration(speed, a, sizeof(a)));
	fprintf(f, "<dt>incident clock</dt><dd id=\"incident-start\">%s%s at %.3f s "
	    "(the timeline's start)</dd>\n",
	    result_incident_clock(r, r->incident_t0_ms, true, a, sizeof(a)),
	    r->incident_start != NULL ? " UTC" : "", (double)r->incident_t0_ms / 1000.0);
	if (r->fault_found)
		fprintf(f, "<dt>fault window</dt><dd>%s \xE2\x86\x92 %s (%s of the incident)</dd>\n",
		    result_incident_clock(r, r->fault_start_ms, false, a, sizeof(a)),
		    result_incident_clock(r, r->fault_end_ms, false, b, sizeof(b)),
		    timescale_fmt_duration((double)(r->fault_end_ms - r->fault_start_ms) / 1000.0 *
		    speed, c, sizeof(c)));
	fputs("</dl>\n", f);
	write_metrics(f, r, speed);
	fputs("<h3>What this speed could not keep in proportion</h3>\n", f);
	write_distortions(f, r, speed);
	fputs("</section>\n", f);
}
