/*
 * html_timeline.c -- the SVG timeline of report.html, drawn inline in the
 * page that html.c writes around it.
 *
 * The timeline is laid out in two passes over the event log: the first
 * finds the rows (phases, one per fault target, the score moments, one per
 * probe, watch, process and capture link) and counts what each will hold;
 * the second draws them.  The DOM stays bounded whatever the log's size:
 * rows are capped per kind, probe results are drawn one rect each while
 * there are few, merged into same-state runs when there are many, and
 * binned into 2-pixel columns (green, red or amber for mixed) when even the
 * runs are too many; watch ticks and rate samples are binned the same way.
 */
#include "reports/html_timeline.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/markup.h"

/* The page is HTML; times are shown as "12.345 s". */
static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

static void
esc_n(FILE *f, const char *s, size_t max)
{
	markup_put_n(f, s, max, MARKUP_HTML);
}

static void
fmt_s(char *buf, size_t len, uint64_t ms)
{
	markup_secs(buf, len, ms, " s");
}

/* Geometry of the timeline, in SVG user units (= CSS px at 1:1). */
#define TL_W 1140
#define TL_LEFT 170        /* row label gutter */
#define TL_RIGHT 24
#define TL_PLOT_W (TL_W - TL_LEFT - TL_RIGHT)
#define TL_AXIS_H 26
#define TL_ROW_H 22
#define TL_LANE_H 18
#define TL_RATE_H 56
#define TL_BIN_PX 2.0

/* Caps that keep the DOM small. */
#define MAX_PROBE_ROWS 48
#define MAX_WATCH_ROWS 24
#define MAX_PROC_ROWS 24
#define MAX_FAULT_ROWS 16
#define MAX_RATE_ROWS 8
#define MAX_PHASES 256
#define MAX_PHASE_LANES 4
#define PROBE_EACH_MAX 400  /* one rect per result up to this many */
#define PROBE_RUNS_MAX 600  /* one rect per same-state run up to this */
#define TICKS_EACH_MAX 600  /* watch/mark ticks drawn one by one */
#define PROC_MARKS_MAX 200
#define FAULT_MARKS_MAX 200
#define RATE_DOTS_MAX 150
/* ------------------------------------------------------------------ */
/* Timeline layout */

enum row_kind {
	ROW_PHASES = 0,
	ROW_FAULT,
	ROW_ZONE,           /* live zone changes, per DNS host */
	ROW_SCORE,
	ROW_PROBE,
	ROW_WATCH,
	ROW_PROC,
	ROW_MARK,
	ROW_RATE,
	ROW_KIND_COUNT
};

static const size_t row_cap[ROW_KIND_COUNT] = {
	1, MAX_FAULT_ROWS, MAX_FAULT_ROWS, 1, MAX_PROBE_ROWS, MAX_WATCH_ROWS, MAX_PROC_ROWS, 1,
	MAX_RATE_ROWS,
};

struct row {
	enum row_kind kind;
	const char *source; /* the events' source; NULL: any */
	double y, h;
	size_t n;           /* events it shows */
	size_t n_runs;      /* probe: same-state runs */
	bool last_ok;
	double max;         /* rate: highest qps */
};

struct phase {
	const char *name;
	uint64_t start, end;
	bool open;
	int lane;
};

struct moment {
	bool has;
	uint64_t t_ms;
	double v;
	const char *cls, *name, *label;
};

struct html_timeline {
	FILE *f;
	const struct result *r;
	const struct elog *log;
	uint64_t t_end;
	uint64_t step;      /* tick step, ms */
	double top, bottom; /* rows span [top, bottom) */
	double height;

	struct row *rows;
	size_t n_rows;
	size_t hidden[ROW_KIND_COUNT]; /* sources beyond the row caps */
	size_t n_kind[ROW_KIND_COUNT];

	struct phase *phases;
	size_t n_phases;
	int lanes;

	struct moment mo[3];
};

static double
tx(const struct html_timeline *t, uint64_t ms)
{
	if (ms > t->t_end)
		ms = t->t_end;
	return TL_LEFT + (double)TL_PLOT_W * (double)ms / (double)t->t_end;
}

static struct row *
row_for(struct html_timeline *t, enum row_kind kind, const char *source)
{
	struct row *rw;

	for (size_t i = 0; i < t->n_rows; i++) {
		rw = &t->rows[i];
		if (rw->kind == kind && (source == NULL || rw->source == NULL ?
		    source == rw->source : strcmp(rw->source, source) == 0))
			return rw;
	}
	if (t->n_kind[kind] >= row_cap[kind]) {
		t->hidden[kind]++;
		return NULL;
	}
	rw = &t->rows[t->n_rows++];
	memset(rw, 0, sizeof(*rw));
	rw->kind = kind;
	rw->source = source;
	rw->n_runs = 0;
	t->n_kind[kind]++;
	return rw;
}

/* hidden[] counts distinct sources; row_for() counts every miss, so look
 * a hidden source up in a small list first. */
struct seen {
	const char **s;
	size_t n, cap;
};

static int
seen_add(struct seen *sn, const char *s)
{
	const char **g;

	for (size_t i = 0; i < sn->n; i++)
		if (strcmp(sn->s[i], s) == 0)
			return 0;
	if (sn->n == sn->cap) {
		size_t cap = sn->cap ? sn->cap * 2 : 16;

		if ((g = realloc(sn->s, cap * sizeof(*g))) == NULL)
			return DD_ENOMEM;
		sn->s = g;
		sn->cap = cap;
	}
	sn->s[sn->n++] = s;
	return 1;
}

static void
moments(struct html_timeline *t)
{
	const struct result *r = t->r;
	static const char *const cls[3] = { "det", "fo", "rec" };
	static const char *const names[3] = { "detection_s", "failover_s",
	    "recovery_s" };
	static const char *const labels[3] = { "detected", "failed over",
	    "recovered" };
	static const int metric[3] = { SCORE_DETECTION, SCORE_FAILOVER,
	    SCORE_RECOVERY };

	for (int i = 0; i < 3; i++) {
		const struct result_metric *m = &r->metric[metric[i]];
		uint64_t base = i == 2 ? r->fault_end_ms : r->fault_start_ms;
		struct moment *mo = &t->mo[i];

		mo->cls = cls[i];
		mo->name = names[i];
		mo->label = labels[i];
		if (!r->fault_found || !m->has || !isfinite(m->value) ||
		    m->value < 0 || m->value > 1e9 ||
		    (i == 2 && !r->fault_cleared))
			continue;
		mo->has = true;
		mo->v = m->value;
		mo->t_ms = base + (uint64_t)llround(m->value * 1000.0);
	}
}

static void
collect_phases(struct html_timeline *t)
{
	const struct elog *log = t->log;
	uint64_t lane_end[MAX_PHASE_LANES] = { 0 };
	bool lane_used[MAX_PHASE_LANES] = { false };

	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];

		if (e->kind == ELOG_PHASE_START && t->n_phases < MAX_PHASES) {
			struct phase *p = &t->phases[t->n_phases++];

			p->name = e->source;
			p->start = e->t_ms;
			p->end = t->t_end;
			p->open = true;
		} else if (e->kind == ELOG_PHASE_END) {
			for (size_t j = t->n_phases; j-- > 0;) {
				struct phase *p = &t->phases[j];

				if (p->open &&
				    strcmp(p->name, e->source) == 0) {
					p->open = false;
					p->end = e->t_ms;
					break;
				}
			}
		}
	}
	/* Greedy lanes: a phase goes to the first lane free at its start. */
	t->lanes = t->n_phases > 0 ? 1 : 0;
	for (size_t j = 0; j < t->n_phases; j++) {
		struct phase *p = &t->phases[j];
		int l;

		for (l = 0; l < MAX_PHASE_LANES - 1; l++)
			if (!lane_used[l] || lane_end[l] <= p->start)
				break;
		p->lane = l;
		lane_used[l] = true;
		lane_end[l] = p->end;
		if (l + 1 > t->lanes)
			t->lanes = l + 1;
	}
}

static uint64_t
nice_step(uint64_t span)
{
	static const uint64_t m[3] = { 1, 2, 5 };
	uint64_t p = 1;

	for (;;) {
		for (int i = 0; i < 3; i++)
			if (m[i] * p * 10 >= span)
				return m[i] * p;
		if (p > UINT64_MAX / 100)
			return p;
		p *= 10;
	}
}

static int
layout(struct html_timeline *t)
{
	const struct result *r = t->r;
	const struct elog *log = t->log;
	size_t max_rows = 2 + 1;
	struct seen hid[ROW_KIND_COUNT];
	uint64_t end = r->duration_ms;
	bool blank_fault = false;
	double y;
	int rc = 0;

	memset(hid, 0, sizeof(hid));
	for (int k = 0; k < ROW_KIND_COUNT; k++)
		max_rows += row_cap[k];
	t->rows = calloc(max_rows, sizeof(*t->rows));
	t->phases = calloc(MAX_PHASES, sizeof(*t->phases));
	if (t->rows == NULL || t->phases == NULL)
		return DD_ENOMEM;

	/* Time span: everything the page marks must fit. */
	if (elog_last_ms(log) > end)
		end = elog_last_ms(log);
	if (r->fault_found && r->fault_cleared && r->fault_end_ms > end)
		end = r->fault_end_ms;
	if (r->fault_found && r->fault_start_ms > end)
		end = r->fault_start_ms;
	moments(t);
	for (int i = 0; i < 3; i++)
		if (t->mo[i].has && t->mo[i].t_ms > end)
			end = t->mo[i].t_ms;
	if (end == 0)
		end = 1000;
	t->step = nice_step(end);
	t->t_end = (end + t->step - 1) / t->step * t->step;

	collect_phases(t);
	if (t->n_phases > 0)
		row_for(t, ROW_PHASES, NULL);
	for (size_t i = 0; i < log->n; i++) {
		const struct elog_ev *e = &log->ev[i];
		enum row_kind k;
		struct row *rw;

		switch (e->kind) {
		case ELOG_FAULT_INJECT:
		case ELOG_FAULT_CLEAR:
			k = ROW_FAULT;
			if (e->source[0] == '\0') {
				blank_fault = true;
				continue;
			}
			break;
		case ELOG_PROBE: k = ROW_PROBE; break;
		case ELOG_WATCH: k = ROW_WATCH; break;
		case ELOG_PROC_START:
		case ELOG_PROC_EXIT: k = ROW_PROC; break;
		case ELOG_MARK: k = ROW_MARK; break;
		case ELOG_RATE: k = ROW_RATE; break;
		case ELOG_ZONE_CHANGE: k = ROW_ZONE; break;
		default: continue;
		}
		rw = row_for(t, k, k == ROW_MARK ? NULL : e->source);
		if (rw == NULL) {
			if (seen_add(&hid[k], e->source) < 0) {
				rc = DD_ENOMEM;
				goto out;
			}
			continue;
		}
		if (k == ROW_PROBE) {
			if (rw->n == 0 || rw->last_ok != e->u.probe.ok)
				rw->n_runs++;
			rw->last_ok = e->u.probe.ok;
		}
		if (k == ROW_RATE && isfinite(e->u.rate.qps) &&
		    e->u.rate.qps > rw->max)
			rw->max = e->u.rate.qps;
		rw->n++;
	}
	if (blank_fault && t->n_kind[ROW_FAULT] == 0)
		row_for(t, ROW_FAULT, "");
	if (r->fault_found)
		row_for(t, ROW_SCORE, NULL);
	for (int k = 0; k < ROW_KIND_COUNT; k++)
		t->hidden[k] = hid[k].n;

	/* Stack the rows in kind order, each kind in order of appearance. */
	y = TL_AXIS_H + 4;
	t->top = y;
	for (int k = 0; k < ROW_KIND_COUNT; k++) {
		for (size_t i = 0; i < t->n_rows; i++) {
			struct row *rw = &t->rows[i];

			if ((int)rw->kind != k)
				continue;
			rw->y = y;
			switch (rw->kind) {
			case ROW_PHASES:
				rw->h = t->lanes * TL_LANE_H + 4;
				break;
			case ROW_SCORE: rw->h = 3 * TL_LANE_H + 4; break;
			case ROW_RATE: rw->h = TL_RATE_H; break;
			default: rw->h = TL_ROW_H; break;
			}
			y += rw->h;
		}
	}
	if (t->n_rows == 0)
		y += 48; /* room for "no events" */
	t->bottom = y;
	for (int k = 0; k < ROW_KIND_COUNT; k++)
		if (t->hidden[k] > 0)
			y += 16;
	t->height = y + TL_AXIS_H;
out:
	for (int k = 0; k < ROW_KIND_COUNT; k++)
		free(hid[k].s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Timeline drawing */

static void
draw_rect(FILE *f, const char *cls, double x, double y, double w, double h)
{
	fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\"", cls, x, y, w < 0.6 ? 0.6 : w, h);
}

static void
tick_label(char *buf, size_t len, uint64_t ms, uint64_t step)
{
	int dec = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;

	if (dec == 0)
		snprintf(buf, len, "%" PRIu64, ms / 1000);
	else
		snprintf(buf, len, "%.*f", dec, (double)ms / 1000.0);
}

static void
draw_axis(struct html_timeline *t)
{
	FILE *f = t->f;
	char buf[32], inc[40];
	double yb = t->bottom;
	/* a compressed run: real seconds above, the incident's clock below */
	bool scaled = result_time_scaled(t->r);

	for (uint64_t ms = 0; ms <= t->t_end; ms += t->step) {
		double x = tx(t, ms);

		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>", x, TL_AXIS_H - 4.0, x,
		    yb + 4);
		tick_label(buf, sizeof(buf), ms, t->step);
		fprintf(f, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>", x, TL_AXIS_H - 10, buf);
		fprintf(f, "<text class=\"axis%s\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">%s</text>\n", scaled ? " inc" : "", x, yb + 18,
		    scaled ? result_incident_clock(t->r, ms, false, inc, sizeof(inc)) : buf);
		if (ms > UINT64_MAX - t->step)
			break;
	}
	fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\" "
	    "text-anchor=\"end\">seconds</text>", TL_LEFT - 18, TL_AXIS_H - 10);
	fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%.1f\" "
	    "text-anchor=\"end\">%s</text>\n", TL_LEFT - 18, yb + 18,
	    !scaled ? "seconds" : t->r->incident_start != NULL ? "incident UTC" : "incident");
}

static void
row_label(struct html_timeline *t, const struct row *rw, const char *kind,
    const char *name)
{
	FILE *f = t->f;

	fprintf(f, "<text class=\"lbl\" x=\"%d\" y=\"%.1f\" "
	    "text-anchor=\"end\">", TL_LEFT - 10, rw->y + 15);
	if (kind != NULL)
		fprintf(f, "<tspan class=\"k\">%s </tspan>", kind);
	esc_n(f, name, 20);
	fputs("<title>", f);
	if (kind != NULL)
		fprintf(f, "%s ", kind);
	esc(f, name);
	fputs("</title></text>\n", f);
}

static void
draw_phases(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	char a[32], b[32];

	fprintf(f, "<g class=\"row phases\">\n");
	row_label(t, rw, NULL, "phases");
	for (size_t i = 0; i < t->n_phases; i++) {
		const struct phase *p = &t->phases[i];
		double x = tx(t, p->start), w = tx(t, p->end) - x;
		double y = rw->y + 2 + p->lane * TL_LANE_H;
		char cls[8];

		snprintf(cls, sizeof(cls), "ph%zu", i % 4);
		/* A nested <svg> clips the label to its band. */
		fprintf(f, "<svg class=\"phase\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\">", x, y, w < 0.6 ? 0.6 : w,
		    TL_LANE_H - 2);
		fmt_s(a, sizeof(a), p->start);
		fmt_s(b, sizeof(b), p->end);
		fputs("<title>phase ", f);
		esc(f, p->name);
		fprintf(f, ": %s \xE2\x86\x92 %s%s</title>", a, b,
		    p->open ? " (no end event)" : "");
		fprintf(f, "<rect class=\"%s\" width=\"100%%\" "
		    "height=\"100%%\" rx=\"2\"/><text class=\"phl\" x=\"6\" "
		    "y=\"12\">", cls);
		esc_n(f, p->name, 60);
		fputs("</text></svg>\n", f);
	}
	fputs("</g>\n", f);
}

static void
fault_marker(struct html_timeline *t, const struct row *rw,
    const struct elog_ev *e)
{
	FILE *f = t->f;
	bool in = e->kind == ELOG_FAULT_INJECT;
	double x = tx(t, e->t_ms), y = rw->y;
	char a[32];

	fmt_s(a, sizeof(a), e->t_ms);
	/* A triangle on a stem: down for inject, up for clear. */
	fprintf(f, "<g class=\"%s\"><title>%s %s", in ? "fin" : "fcl", a,
	    in ? "fault inject" : "fault clear");
	if (e->source[0] != '\0') {
		fputs(" on ", f);
		esc(f, e->source);
	}
	if (e->text[0] != '\0') {
		fputs(": ", f);
		esc(f, e->text);
	}
	fputs("</title>", f);
	draw_rect(f, "", x - 1, y + 3, 2, TL_ROW_H - 6);
	fputs("/>", f);
	if (in)
		fprintf(f, "<path d=\"M%.1f %.1fl-5 -7h10z\"/>", x, y + 10);
	else
		fprintf(f, "<path d=\"M%.1f %.1fl-5 7h10z\"/>", x, y + 12);
	fputs("</g>\n", f);
}

static void
draw_fault_row(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	const struct elog *log = t->log;
	bool active = false;
	uint64_t since = 0;
	size_t marks = 0;

	fputs("<g class=\"row fault\">\n", f);
	row_label(t, rw, "fault", rw->source[0] ? rw->source : "(all)");
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < log->n; i++) {
			const struct elog_ev *e = &log->ev[i];
			bool mine;

			if (e->kind != ELOG_FAULT_INJECT &&
			    e->kind != ELOG_FAULT_CLEAR)
				continue;
			mine = rw->source[0] == '\0' || e->source[0] == '\0' ||
			    strcmp(e->source, rw->source) == 0;
			if (!mine || (e->kind == ELOG_FAULT_INJECT &&
			    e->source[0] == '\0' && rw->source[0] != '\0'))
				continue;
			if (pass == 1) {
				if (marks++ < FAULT_MARKS_MAX)
					fault_marker(t, rw, e);
				continue;
			}
			/* Pass 0: the spans the fault was active, below the
			 * markers. */
			if (e->kind == ELOG_FAULT_INJECT && !active) {
				active = true;
				since = e->t_ms;
			} else if (e->kind == ELOG_FAULT_CLEAR && active) {
				active = false;
				draw_rect(f, "fspan", tx(t, since), rw->y + 5,
				    tx(t, e->t_ms) - tx(t, since),
				    TL_ROW_H - 10);
				fputs("/>\n", f);
			}
		}
		if (pass == 0 && active) {
			draw_rect(f, "fspan", tx(t, since), rw->y + 5,
			    tx(t, t->t_end) - tx(t, since), TL_ROW_H - 10);
			fputs("/>\n", f);
		}
	}
	fputs("</g>\n", f);
}

/* Faint full-height lines for each inject and clear, under the rows. */
static void
draw_fault_lines(struct html_timeline *t)
{
	FILE *f = t->f;
	size_t n = 0;

	for (size_t i = 0; i < t->log->n && n < FAULT_MARKS_MAX; i++) {
		const struct elog_ev *e = &t->log->ev[i];
		double x;

		if (e->kind != ELOG_FAULT_INJECT && e->kind != ELOG_FAULT_CLEAR)
			continue;
		x = tx(t, e->t_ms);
		fprintf(f, "<line class=\"fov %s\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>\n",
		    e->kind == ELOG_FAULT_INJECT ? "in" : "cl", x, t->top, x,
		    t->bottom);
		n++;
	}
}

static void
draw_fault_window(struct html_timeline *t)
{
	const struct result *r = t->r;
	FILE *f = t->f;
	uint64_t end;
	double x0, x1;
	char a[32], b[32], c[32];

	if (!r->fault_found)
		return;
	end = r->fault_cleared ? r->fault_end_ms : t->t_end;
	if (end < r->fault_start_ms)
		end = r->fault_start_ms;
	x0 = tx(t, r->fault_start_ms);
	x1 = tx(t, end);
	fmt_s(a, sizeof(a), r->fault_start_ms);
	fmt_s(b, sizeof(b), end);
	fmt_s(c, sizeof(c), end - r->fault_start_ms);
	fprintf(f, "<g class=\"faultwin\"><title>fault window %s \xE2\x86\x92 "
	    "%s (%s)%s</title>", a, r->fault_cleared ? b : "never cleared", c,
	    r->service_disrupted ? ", service disrupted" : "");
	draw_rect(f, "fw", x0, t->top, x1 - x0, t->bottom - t->top);
	fputs("/>", f);
	draw_rect(f, "fwbar", x0, TL_AXIS_H - 4, x1 - x0, 4);
	fputs("/>", f);
	fprintf(f, "<line class=\"fwe\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\"/>", x0, t->top, x0, t->bottom);
	if (r->fault_cleared)
		fprintf(f, "<line class=\"fwe\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>", x1, t->top, x1, t->bottom);
	fputs("</g>\n", f);
}

/* One probe run: count results from start, the last at last_t. */
struct run {
	bool ok;
	uint64_t start, last_t;
	size_t count;
	double lat_min, lat_max, lat_sum;
	const char *detail;
	bool same_detail;
};

static void
emit_run(struct html_timeline *t, const struct row *rw, const struct run *u,
    uint64_t end)
{
	FILE *f = t->f;
	double x0 = tx(t, u->start), x1 = tx(t, end);
	char a[32], b[32];

	draw_rect(f, u->ok ? "pr ok" : "pr bad", x0, rw->y + 4, x1 - x0,
	    TL_ROW_H - 8);
	fmt_s(a, sizeof(a), u->start);
	fputs("><title>", f);
	if (u->count == 1) {
		fprintf(f, "%s %s %.3f ms", a, u->ok ? "ok" : "FAILED",
		    u->lat_min);
	} else {
		fmt_s(b, sizeof(b), u->last_t);
		fprintf(f, "%s \xE2\x80\x93 %s: %zu %s, latency "
		    "%.3f\xE2\x80\x93%.3f ms (mean %.3f)", a, b, u->count,
		    u->ok ? "ok" : "FAILED", u->lat_min, u->lat_max,
		    u->lat_sum / (double)u->count);
	}
	if (u->detail != NULL && u->detail[0] != '\0') {
		fputs(u->same_detail || u->count == 1 ? " \xC2\xB7 " :
		    " \xC2\xB7 first: ", f);
		esc(f, u->detail);
	}
	fputs("</title></rect>\n", f);
}

static const char *
bin_class(size_t ok, size_t bad)
{
	return bad == 0 ? "pr ok" : ok == 0 ? "pr bad" : "pr mix";
}

/* Too many state changes to draw: 2-pixel bins, merged while their colour
 * holds.  An empty bin continues the bin before it. */
static int
probe_bins(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	size_t nb = (size_t)(TL_PLOT_W / TL_BIN_PX) + 1, start = 0;
	size_t *ok = calloc(nb, sizeof(*ok)), *bad = calloc(nb, sizeof(*bad));
	size_t sum_ok = 0, sum_bad = 0;
	const char *cls = NULL;
	char a[32], b[32];

	if (ok == NULL || bad == NULL) {
		free(ok);
		free(bad);
		return DD_ENOMEM;
	}
	for (size_t i = 0; i < t->log->n; i++) {
		const struct elog_ev *e = &t->log->ev[i];
		size_t k;

		if (e->kind != ELOG_PROBE || strcmp(e->source, rw->source) != 0)
			continue;
		k = (size_t)((tx(t, e->t_ms) - TL_LEFT) / TL_BIN_PX);
		if (k >= nb)
			k = nb - 1;
		if (e->u.probe.ok)
			ok[k]++;
		else
			bad[k]++;
	}
	for (size_t k = 0; k <= nb; k++) {
		const char *c = NULL;

		if (k < nb && ok[k] + bad[k] == 0)
			continue;
		if (k < nb)
			c = bin_class(ok[k], bad[k]);
		if (cls != NULL && (k == nb || strcmp(c, cls) != 0)) {
			double x0 = TL_LEFT + start * TL_BIN_PX;
			double x1 = TL_LEFT + (k < nb ? k : nb - 1) * TL_BIN_PX;
			uint64_t t0 = (uint64_t)((double)start * TL_BIN_PX /
			    TL_PLOT_W * (double)t->t_end);
			uint64_t t1 = (uint64_t)((x1 - TL_LEFT) / TL_PLOT_W *
			    (double)t->t_end);

			if (k == nb)
				x1 += TL_BIN_PX;
			draw_rect(f, cls, x0, rw->y + 4, x1 - x0, TL_ROW_H - 8);
			fmt_s(a, sizeof(a), t0);
			fmt_s(b, sizeof(b), t1);
			fprintf(f, "><title>%s \xE2\x80\x93 %s: %zu ok, %zu "
			    "failed</title></rect>\n", a, b, sum_ok, sum_bad);
			sum_ok = sum_bad = 0;
			cls = NULL;
		}
		if (k == nb)
			break;
		if (cls == NULL) {
			cls = c;
			start = k;
		}
		sum_ok += ok[k];
		sum_bad += bad[k];
	}
	free(ok);
	free(bad);
	return 0;
}

static int
draw_probe_row(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	bool merge = rw->n > PROBE_EACH_MAX;
	struct run u;
	bool have = false, have_prev = false;
	uint64_t prev = 0, gap = 0, end;
	int rc = 0;

	fprintf(f, "<g class=\"row probe\" data-results=\"%zu\">\n", rw->n);
	row_label(t, rw, "probe", rw->source);
	if (merge && rw->n_runs > PROBE_RUNS_MAX) {
		rc = probe_bins(t, rw);
		fputs("</g>\n", f);
		return rc;
	}
	memset(&u, 0, sizeof(u));
	for (size_t i = 0; i < t->log->n; i++) {
		const struct elog_ev *e = &t->log->ev[i];
		double lat;

		if (e->kind != ELOG_PROBE || strcmp(e->source, rw->source) != 0)
			continue;
		lat = e->u.probe.latency_ms;
		if (have && (!merge || u.ok != e->u.probe.ok)) {
			emit_run(t, rw, &u, e->t_ms);
			have = false;
		}
		if (have_prev)
			gap = e->t_ms - prev;
		prev = e->t_ms;
		have_prev = true;
		if (!have) {
			u.ok = e->u.probe.ok;
			u.start = e->t_ms;
			u.count = 0;
			u.lat_min = u.lat_max = lat;
			u.lat_sum = 0;
			u.detail = e->text;
			u.same_detail = true;
			have = true;
		}
		u.count++;
		u.last_t = e->t_ms;
		u.lat_sum += lat;
		if (lat < u.lat_min)
			u.lat_min = lat;
		if (lat > u.lat_max)
			u.lat_max = lat;
		if (u.same_detail && strcmp(u.detail, e->text) != 0)
			u.same_detail = false;
	}
	if (have) {
		/* The last result holds for one more interval. */
		if (gap == 0)
			gap = t->t_end - u.last_t < 1000 ?
			    t->t_end - u.last_t : 1000;
		end = u.last_t + gap;
		emit_run(t, rw, &u, end > t->t_end ? t->t_end : end);
	}
	fputs("</g>\n", f);
	return rc;
}

/* Watch matches and marks: a tick each, or per 2-pixel bin when many. */
static int
draw_ticks(struct html_timeline *t, const struct row *rw, enum elog_kind kind,
    const char *cls)
{
	FILE *f = t->f;
	size_t nb = (size_t)(TL_PLOT_W / TL_BIN_PX) + 1;
	size_t *cnt = NULL, *first = NULL;
	char a[32], b[32];

	if (rw->n > TICKS_EACH_MAX) {
		cnt = calloc(nb, sizeof(*cnt));
		first = calloc(nb, sizeof(*first));
		if (cnt == NULL || first == NULL) {
			free(cnt);
			free(first);
			return DD_ENOMEM;
		}
	}
	for (size_t i = 0; i < t->log->n; i++) {
		const struct elog_ev *e = &t->log->ev[i];
		double x;

		if (e->kind != kind || (rw->source != NULL &&
		    strcmp(e->source, rw->source) != 0))
			continue;
		x = tx(t, e->t_ms);
		if (cnt != NULL) {
			size_t k = (size_t)((x - TL_LEFT) / TL_BIN_PX);

			if (k >= nb)
				k = nb - 1;
			if (cnt[k]++ == 0)
				first[k] = i;
			continue;
		}
		draw_rect(f, cls, x - 1, rw->y + 4, 3, TL_ROW_H - 8);
		fmt_s(a, sizeof(a), e->t_ms);
		fprintf(f, "><title>%s ", a);
		if (rw->source == NULL) {
			esc(f, e->source);
			fputs(": ", f);
		}
		esc(f, e->text);
		fputs("</title></rect>\n", f);
	}
	for (size_t k = 0; cnt != NULL && k < nb; k++) {
		const struct elog_ev *e;

		if (cnt[k] == 0)
			continue;
		e = &t->log->ev[first[k]];
		draw_rect(f, cls, TL_LEFT + k * TL_BIN_PX - 0.5, rw->y + 4,
		    TL_BIN_PX, TL_ROW_H - 8);
		fmt_s(a, sizeof(a), e->t_ms);
		fmt_s(b, sizeof(b), (uint64_t)((double)(k + 1) * TL_BIN_PX /
		    TL_PLOT_W * (double)t->t_end));
		fprintf(f, "><title>%zu from %s to %s; first: ", cnt[k], a, b);
		esc(f, e->text);
		fputs("</title></rect>\n", f);
	}
	free(cnt);
	free(first);
	return 0;
}

static void
draw_proc_row(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	bool running = false;
	uint64_t since = 0;
	size_t marks = 0;
	char a[32];

	fputs("<g class=\"row proc\">\n", f);
	row_label(t, rw, "proc", rw->source);
	/* Lifelines first, markers over them. */
	for (size_t i = 0; i < t->log->n; i++) {
		const struct elog_ev *e = &t->log->ev[i];

		if ((e->kind != ELOG_PROC_START && e->kind != ELOG_PROC_EXIT) ||
		    strcmp(e->source, rw->source) != 0)
			continue;
		if (e->kind == ELOG_PROC_START && !running) {
			running = true;
			since = e->t_ms;
		} else if (e->kind == ELOG_PROC_EXIT) {
			if (!running)
				since = 0;
			draw_rect(f, "life", tx(t, since), rw->y + 8,
			    tx(t, e->t_ms) - tx(t, since), TL_ROW_H - 16);
			fputs("/>\n", f);
			running = false;
		}
	}
	if (running) {
		draw_rect(f, "life", tx(t, since), rw->y + 8,
		    tx(t, t->t_end) - tx(t, since), TL_ROW_H - 16);
		fputs("/>\n", f);
	}
	for (size_t i = 0; i < t->log->n && marks < PROC_MARKS_MAX; i++) {
		const struct elog_ev *e = &t->log->ev[i];
		double x = tx(t, e->t_ms), yc = rw->y + TL_ROW_H / 2.0;

		if ((e->kind != ELOG_PROC_START && e->kind != ELOG_PROC_EXIT) ||
		    strcmp(e->source, rw->source) != 0)
			continue;
		marks++;
		fmt_s(a, sizeof(a), e->t_ms);
		if (e->kind == ELOG_PROC_START) {
			fprintf(f, "<circle class=\"ps\" cx=\"%.1f\" "
			    "cy=\"%.1f\" r=\"4.5\"><title>%s started", x, yc,
			    a);
			if (e->text[0] != '\0') {
				fputs(": ", f);
				esc(f, e->text);
			}
			fputs("</title></circle>\n", f);
			continue;
		}
		draw_rect(f, e->u.exit.code > 0 ? "pe bad" : "pe", x - 4,
		    yc - 4, 8, 8);
		fprintf(f, "><title>%s ", a);
		if (e->u.exit.signal != 0)
			fprintf(f, "killed by signal %d", e->u.exit.signal);
		else
			fprintf(f, "exited with status %d", e->u.exit.code);
		fputs("</title></rect>\n", f);
	}
	fputs("</g>\n", f);
}

static void
draw_rate_row(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	double base = rw->y + rw->h - 4, span = rw->h - 14;
	double max = rw->max > 0 ? rw->max : 1, sum = 0;
	double px = -1, py = 0;
	size_t n = 0, dots = 0;
	char a[32];

	fputs("<g class=\"row rate\">\n", f);
	row_label(t, rw, "qps", rw->source);
	fprintf(f, "<text class=\"sm\" x=\"%d\" y=\"%.1f\" "
	    "text-anchor=\"end\">max %.4g</text>\n", TL_LEFT - 10, rw->y + 30,
	    rw->max);
	/* The polyline keeps the highest sample per pixel column. */
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		px = -1;
		fputs(pass == 0 ? "<path class=\"ra\" d=\"" :
		    "<path class=\"rl\" d=\"", f);
		for (size_t i = 0; i <= t->log->n; i++) {
			const struct elog_ev *e = i < t->log->n ? &t->log->ev[i] :
			    NULL;
			double x = 0, y = 0, q;

			if (e != NULL) {
				if (e->kind != ELOG_RATE ||
				    strcmp(e->source, rw->source) != 0)
					continue;
				q = isfinite(e->u.rate.qps) &&
				    e->u.rate.qps > 0 ? e->u.rate.qps : 0;
				if (pass == 0) {
					sum += q;
					n++;
				}
				x = floor(tx(t, e->t_ms));
				y = base - span * q / max;
				if (px == x) {
					if (y < py)
						py = y;
					continue;
				}
			}
			if (px >= 0) {
				if (first && pass == 0)
					fprintf(f, "M%.0f %.1fL", px, base);
				else if (first)
					fputc('M', f);
				else
					fputc('L', f);
				fprintf(f, "%.0f %.1f", px, py);
				first = false;
				if (e == NULL && pass == 0)
					fprintf(f, "L%.0f %.1fZ", px, base);
			}
			px = x;
			py = y;
			if (e == NULL)
				break;
		}
		fputs("\">", f);
		if (pass == 1) {
			fputs("<title>", f);
			esc(f, rw->source);
			fprintf(f, ": %zu samples, mean %.4g qps, max %.4g qps"
			    "</title>", n, n ? sum / (double)n : 0.0, rw->max);
		}
		fputs("</path>\n", f);
	}
	for (size_t i = 0; rw->n <= RATE_DOTS_MAX && i < t->log->n; i++) {
		const struct elog_ev *e = &t->log->ev[i];
		double q;

		if (e->kind != ELOG_RATE || strcmp(e->source, rw->source) != 0)
			continue;
		q = isfinite(e->u.rate.qps) && e->u.rate.qps > 0 ?
		    e->u.rate.qps : 0;
		fmt_s(a, sizeof(a), e->t_ms);
		fprintf(f, "<circle class=\"rd\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"2.5\"><title>%s %.4g qps over %" PRIu64 " ms"
		    "</title></circle>\n", tx(t, e->t_ms),
		    base - span * q / max, a, q, e->u.rate.window_ms);
		dots++;
	}
	fputs("</g>\n", f);
}

static void
draw_score_row(struct html_timeline *t, const struct row *rw)
{
	FILE *f = t->f;
	char a[32];

	fputs("<g class=\"row score\">\n", f);
	row_label(t, rw, NULL, "score");
	for (int i = 0; i < 3; i++) {
		const struct moment *mo = &t->mo[i];
		double y = rw->y + 2 + i * TL_LANE_H + TL_LANE_H / 2.0;
		double x;
		bool left;

		if (!mo->has) {
			fprintf(f, "<text class=\"sm\" x=\"%d\" y=\"%.1f\" "
			    "text-anchor=\"end\">%s: not observed</text>\n",
			    TL_W - TL_RIGHT, y + 4, mo->name);
			continue;
		}
		x = tx(t, mo->t_ms);
		left = x > TL_LEFT + TL_PLOT_W - 170;
		fmt_s(a, sizeof(a), mo->t_ms);
		fprintf(f, "<g><title>%s = %.3f s (at %s, from the fault %s)"
		    "</title>", mo->name, mo->v, a, i == 2 ? "end" : "start");
		fprintf(f, "<circle class=\"mf %s\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"4\"/>", mo->cls, x, y);
		fprintf(f, "<text class=\"mt %s\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"%s\">%s +%.3f s</text></g>\n", mo->cls,
		    left ? x - 8 : x + 8, y + 4, left ? "end" : "start",
		    mo->label, mo->v);
	}
	fputs("</g>\n", f);
}

static void
draw_moment_lines(struct html_timeline *t)
{
	for (int i = 0; i < 3; i++) {
		double x;

		if (!t->mo[i].has)
			continue;
		x = tx(t, t->mo[i].t_ms);
		fprintf(t->f, "<line class=\"mo %s\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>\n", t->mo[i].cls, x, t->top, x,
		    t->bottom);
	}
}

static void
draw_phase_lines(struct html_timeline *t)
{
	for (size_t i = 0; i < t->n_phases; i++) {
		double x = tx(t, t->phases[i].start);

		fprintf(t->f, "<line class=\"phs\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, t->top, x, t->bottom);
	}
}

int
html_timeline_draw(struct html_timeline *t)
{
	static const char *const hidden_what[ROW_KIND_COUNT] = {
		"", "fault targets", "zone change rows", "", "probes", "watches", "processes", "",
		"capture links",
	};
	FILE *f = t->f;
	double y;
	int rc;

	fprintf(f, "<svg class=\"timeline\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
	    "role=\"img\" aria-label=\"timeline of the run\" "
	    "data-rows=\"%zu\">\n", TL_W, t->height, TL_W, t->height,
	    t->n_rows);
	/* Under everything: row stripes, grid, fault window, phase starts. */
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct row *rw = &t->rows[i];
		int k = 0;

		for (size_t j = 0; j < t->n_rows; j++)
			if (t->rows[j].y < rw->y)
				k++;
		fprintf(f, "<rect class=\"bg%d\" x=\"0\" y=\"%.1f\" "
		    "width=\"%d\" height=\"%.1f\"/>\n", k % 2, rw->y, TL_W,
		    rw->h);
	}
	draw_axis(t);
	draw_fault_window(t);
	draw_phase_lines(t);
	draw_fault_lines(t);
	if (t->n_rows == 0)
		fprintf(f, "<text class=\"sm\" x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"middle\">no events recorded</text>\n",
		    TL_LEFT + TL_PLOT_W / 2, t->top + 28);
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct row *rw = &t->rows[i];

		rc = 0;
		switch (rw->kind) {
		case ROW_PHASES: draw_phases(t, rw); break;
		case ROW_FAULT: draw_fault_row(t, rw); break;
		case ROW_SCORE: draw_score_row(t, rw); break;
		case ROW_PROBE: rc = draw_probe_row(t, rw); break;
		case ROW_WATCH:
			fputs("<g class=\"row watch\">\n", f);
			row_label(t, rw, "watch", rw->source);
			rc = draw_ticks(t, rw, ELOG_WATCH, "wt");
			fputs("</g>\n", f);
			break;
		case ROW_PROC: draw_proc_row(t, rw); break;
		case ROW_ZONE:
			fputs("<g class=\"row zone\">\n", f);
			row_label(t, rw, "zone", rw->source);
			rc = draw_ticks(t, rw, ELOG_ZONE_CHANGE, "mk");
			fputs("</g>\n", f);
			break;
		case ROW_MARK:
			fputs("<g class=\"row mark\">\n", f);
			row_label(t, rw, NULL, "marks");
			rc = draw_ticks(t, rw, ELOG_MARK, "mk");
			fputs("</g>\n", f);
			break;
		case ROW_RATE: draw_rate_row(t, rw); break;
		default: break;
		}
		if (rc != 0)
			return rc;
	}
	draw_moment_lines(t);
	y = t->bottom + 12;
	for (int k = 0; k < ROW_KIND_COUNT; k++) {
		if (t->hidden[k] == 0)
			continue;
		fprintf(f, "<text class=\"sm\" x=\"%d\" y=\"%.1f\">+ %zu more "
		    "%s not drawn (see the event log)</text>\n", TL_LEFT, y,
		    t->hidden[k], hidden_what[k]);
		y += 16;
	}
	fputs("</svg>\n", f);
	return 0;
}

/* What an absent event log draws from. */
static const struct elog no_events;

int
html_timeline_new(struct html_timeline **out, const struct result *r,
    FILE *f)
{
	struct html_timeline *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (t == NULL)
		return DD_ENOMEM;
	t->f = f;
	t->r = r;
	t->log = r->events != NULL ? r->events : &no_events;
	if ((rc = layout(t)) != 0) {
		html_timeline_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void
html_timeline_free(struct html_timeline *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t->phases);
	free(t);
}
