/*
 * text.c -- the summary a person reads in a terminal after a run:
 *
 *   scenario  dynamodb-empty-record  (seed 42)
 *   verdict   FAIL          (ERROR, then "error     REASON", when the
 *                           run could not finish)
 *   fault     10.000s -> 40.000s (30.000s)
 *   versions  unbound  Version 1.17.1     (the systems under test's)
 *   probes    www  dns on client, every 100ms, timeout 1s (default)
 *
 *   metric               observed
 *   detection_s          1.200
 *   failover_s           -         fault never cleared ...
 *   recovery_s           >=32.100  not recovered within 32.1 s: ...
 *
 *   probe      availability  p50_ms   p99_ms   base_p50  slowdown ...
 *   www        0.750         14.000   ...
 *
 *   expectation          observed  result
 *   failover_s < 3       4.200     FAIL  failover_s = 4.2, expected < 3
 *
 * A run at a speed other than 1 (or with an incident start) shows the
 * incident's clock beside the real one (doc/results.md, "Time"): the speed,
 * the fault's window on the incident's clock, an "incident" column for the
 * metrics that are durations of the incident (real seconds * speed), and
 * what could not be kept in proportion:
 *
 *   incident  speed 360: 1 real second = 6m00s; timeline began 05:48:00 UTC
 *   fault     10.000s -> 40.000s (30.000s); incident 06:48:00 -> 09:48:00 (3h00m)
 *   metric               observed  incident
 *   detection_s          1.200     7m12s
 *   time distortions (what this speed could not keep in proportion)
 *     floor     dns auth: ... ; NOTE
 *
 * A censored value (score.h) shows as ">=" its lower bound.  Metrics a
 * result does not hold (absent: read from an older result.json) are left
 * out, as is the probe table when there are no probes.  Plain ASCII
 * framing; names and messages are printed as given.
 */
#include "reports/report.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "lib/util.h"
#include "model/timescale.h"
#include "reports/authority.h"

static void
fmt_value(char *buf, size_t len, bool has, double v)
{
	if (!has)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f", v);
}

/* A value, ">=" a censored one's bound, or "-". */
static void
fmt_metric(char *buf, size_t len, const struct result_metric *rm)
{
	if (!rm->has && rm->censored)
		snprintf(buf, len, ">=%.3f", rm->at_least);
	else
		fmt_value(buf, len, rm->has, rm->value);
}

/* The per-probe table: one row per probe, one column per figure. */
static void
write_probe_metrics(const struct result *r, FILE *f)
{
	static const struct {
		enum score_metric m;
		const char *head;
	} col[] = {
		{ SCORE_AVAILABILITY, "availability" },
		{ SCORE_LATENCY_P50, "p50_ms" },
		{ SCORE_LATENCY_P95, "p95_ms" },
		{ SCORE_LATENCY_P99, "p99_ms" },
		{ SCORE_BASE_LATENCY_P50, "base_p50" },
		{ SCORE_SLOWDOWN, "slowdown" },
		{ SCORE_FAILOVER, "failover_s" },
		{ SCORE_RECOVERY, "recovery_s" },
	};
	int wn = (int)strlen("probe");
	char v[32];

	for (size_t i = 0; i < r->n_probe_metrics; i++)
		if ((int)strlen(r->probe_metrics[i].name) > wn)
			wn = (int)strlen(r->probe_metrics[i].name);
	fprintf(f, "\n%-*s", wn, "probe");
	for (size_t c = 0; c < DD_ARRAY_LEN(col); c++)
		fprintf(f, "  %-*s", c + 1 < DD_ARRAY_LEN(col) ? 12 : 0,
		    col[c].head);
	fputc('\n', f);
	for (size_t i = 0; i < r->n_probe_metrics; i++) {
		const struct result_probe_metrics *p = &r->probe_metrics[i];

		fprintf(f, "%-*s", wn, p->name);
		for (size_t c = 0; c < DD_ARRAY_LEN(col); c++) {
			const struct result_metric *rm = &p->metric[col[c].m];

			if (rm->absent)
				snprintf(v, sizeof(v), " ");
			else
				fmt_metric(v, sizeof(v), rm);
			fprintf(f, "  %-*s", c + 1 < DD_ARRAY_LEN(col) ? 12 : 0,
			    v);
		}
		fputc('\n', f);
	}
}

/* A probe's interval or timeout as a scenario writes it: "1s", "250ms". */
static void
fmt_dur(char *buf, size_t len, uint64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
}

/* One line per probe: kind, host, interval and timeout (results from
 * before probes were recorded show none). */
static void
write_probe_settings(const struct result *r, FILE *f)
{
	int w = 0;
	char a[32], b[32];

	for (size_t i = 0; i < r->n_probes; i++)
		if ((int)strlen(r->probes[i].name) > w)
			w = (int)strlen(r->probes[i].name);
	for (size_t i = 0; i < r->n_probes; i++) {
		const struct result_probe *p = &r->probes[i];

		fmt_dur(a, sizeof(a), p->every_ms);
		fmt_dur(b, sizeof(b), p->timeout_ms);
		fprintf(f, "%-9s %-*s  %s%s%s, every %s, timeout %s%s\n",
		    i == 0 ? "probes" : "", w, p->name, p->kind,
		    p->host ? " on " : "", p->host ? p->host : "", a, b,
		    p->timeout_default ? " (default)" : "");
	}
}

/* "error     REASON", later lines of the reason indented under it. */
static void
write_error(FILE *f, const char *reason)
{
	const char *line = reason;

	fputs("error     ", f);
	for (const char *nl; (nl = strchr(line, '\n')) != NULL && nl[1] != '\0'; line = nl + 1)
		fprintf(f, "%.*s\n          ", (int)(nl - line), line);
	fprintf(f, "%s%s", line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

static void
fmt_ms(char *buf, size_t len, uint64_t ms)
{
	snprintf(buf, len, "%" PRIu64 ".%03us", ms / 1000,
	    (unsigned)(ms % 1000));
}

/* Under a server's line: how many queries reached it over the fault. */
static void
write_authority(FILE *f, const struct result *r, const char *dns)
{
	char line[400];

	fprintf(f, "    queries at the authority: %s\n", authority_fmt_line(
	    result_authority_find(r, dns), line, sizeof(line)));
}

/* Each DNS server's last reading of faultd's counters, one line:
 * "auth  51 queries (pass 41, empty 10), 1 client, at 5.048s (end)",
 * then its queries over the fault against the baseline (authority.h):
 * "    queries at the authority: 40 over the fault (8.0/s), baseline
 * 2.0/s (x4.0)" -- a dash when the result.json predates the figure. */
static void
write_dns(FILE *f, const struct result *r)
{
	const struct elog *log = r->events;
	bool any = false;

	for (size_t i = 0; log != NULL && i < log->n_stats; i++) {
		const struct elog_stats *s = &log->stats[i];
		const char *sep = " (";
		uint64_t q = 0;
		char t[32];
		bool later = false;

		for (size_t k = i + 1; k < log->n_stats && !later; k++)
			later = strcmp(log->stats[k].dns, s->dns) == 0;
		if (later)
			continue;       /* only each server's last reading */
		if (!any)
			fputc('\n', f);
		any = true;
		fmt_ms(t, sizeof(t), s->t_ms);
		fprintf(f, "dns %-16s ", s->dns);
		if (s->error != NULL) {
			fprintf(f, "no counters at %s (%s): %s\n", t,
			    elog_stats_why_name(s->why), s->error);
			write_authority(f, r, s->dns);
			continue;
		}
		for (size_t k = 0; k < s->n_counters; k++)
			if (strcmp(s->counters[k].name, "queries") == 0)
				q = s->counters[k].value;
		fprintf(f, "%" PRIu64 " queries", q);
		for (size_t k = 0; k < s->n_actions; k++) {
			if (s->actions[k].value == 0)
				continue;
			fprintf(f, "%s%s %" PRIu64, sep, s->actions[k].name, s->actions[k].value);
			sep = ", ";
		}
		fprintf(f, "%s, %zu client%s%s, at %s (%s)\n", sep[0] == ',' ? ")" : "",
		    s->n_clients, s->n_clients == 1 ? "" : "s",
		    s->clients_other ? " and others" : "", t, elog_stats_why_name(s->why));
		write_authority(f, r, s->dns);
	}
}

/* Amplification at each capture link the scenario named, under
 * query_amplification. */
static void
write_links(const struct result *r, int w, FILE *f)
{
	char a[32];

	for (size_t i = 0; i < r->n_links; i++) {
		const struct result_metric *rm = &r->links[i].amplification;

		fmt_value(a, sizeof(a), rm->has, rm->value);
		if (!rm->has && rm->note != NULL)
			fprintf(f, "  at %-*s  %-9s %s\n", w - 5, r->links[i].link, a, rm->note);
		else
			fprintf(f, "  at %-*s  %s\n", w - 5, r->links[i].link, a);
	}
}

/* "incident  speed 360: ..." and the fault on the incident's clock. */
static void
write_incident(const struct result *r, FILE *f)
{
	char a[40], b[40], c[40];
	double speed = result_speed(r);

	fprintf(f, "incident  speed %g: 1 real second = %s", speed,
	    timescale_fmt_duration(speed, a, sizeof(a)));
	if (r->incident_start != NULL)
		fprintf(f, "; timeline began %s UTC",
		    result_incident_clock(r, r->incident_t0_ms, true, a, sizeof(a)));
	fputc('\n', f);
	if (r->fault_found)
		fprintf(f, "          fault on the incident's clock: %s -> %s (%s)\n",
		    result_incident_clock(r, r->fault_start_ms, false, a, sizeof(a)),
		    result_incident_clock(r, r->fault_end_ms, false, b, sizeof(b)),
		    timescale_fmt_duration((double)(r->fault_end_ms - r->fault_start_ms) /
		    1000.0 * speed, c, sizeof(c)));
}

/* What the run could not keep in proportion, one line each. */
static void
write_distortions(const struct result *r, FILE *f)
{
	char line[1024];

	if (r->distortions.n == 0) {
		fprintf(f, "\ntime distortions: none (everything dnsdrill knows of ran in "
		    "proportion)\n");
		return;
	}
	fprintf(f, "\ntime distortions (what speed %g could not keep in proportion)\n",
	    result_speed(r));
	for (size_t i = 0; i < r->distortions.n; i++)
		fprintf(f, "  %-9s %s\n", timescale_kind_name(r->distortions.v[i].kind),
		    timescale_fmt_distortion(&r->distortions.v[i], result_speed(r), line,
		    sizeof(line)));
}

/* The versions of what was tested (a process's version = { ... }); those
 * of dnsdrill and faultd themselves are in result.json only. */
static void
write_versions(const struct result *r, FILE *f)
{
	bool first = true;

	for (size_t i = 0; i < r->n_versions; i++) {
		const char *k = r->versions[i].key;
		if (strcmp(k, "dnsdrill") == 0 || strcmp(k, "faultd") == 0)
			continue;
		fprintf(f, "%-9s %s  %s\n", first ? "versions" : "", k, r->versions[i].value);
		first = false;
	}
}

int
report_text_write(const struct result *r, FILE *f)
{
	char a[32], b[32], c[32];
	int w = (int)strlen("query_amplification");
	int we = (int)strlen("expectation");
	bool scaled = result_time_scaled(r);

	if (r == NULL || f == NULL)
		return DD_EINVAL;
	for (int m = 0; m < SCORE_METRIC_COUNT; m++)
		if (!r->metric[m].absent && (int)strlen(score_metric_name(
		    (enum score_metric)m)) > w)
			w = (int)strlen(score_metric_name((enum score_metric)m));

	fprintf(f, "scenario  %s", r->scenario);
	if (r->has_seed)
		fprintf(f, "  (seed %" PRIu64 ")", r->seed);
	fputc('\n', f);
	if (r->description != NULL)
		fprintf(f, "          %s\n", r->description);
	fprintf(f, "verdict   %s\n", r->error ? "ERROR" : r->pass ? "PASS" : "FAIL");
	if (r->error != NULL)
		write_error(f, r->error);
	if (r->fault_found) {
		fmt_ms(a, sizeof(a), r->fault_start_ms);
		fmt_ms(b, sizeof(b), r->fault_end_ms);
		fmt_ms(c, sizeof(c), r->fault_end_ms - r->fault_start_ms);
		fprintf(f, "fault     %s -> %s (%s)%s\n", a, b, c,
		    r->fault_cleared ? "" : ", never cleared");
	} else {
		fprintf(f, "fault     none found\n");
	}
	if (scaled)
		write_incident(r, f);
	for (size_t i = 0; i < r->n_params; i++)
		fprintf(f, "%-9s %s=%s\n", i == 0 ? "params" : "",
		    r->params[i].key, r->params[i].value);
	write_versions(r, f);
	write_probe_settings(r, f);

	if (scaled)
		fprintf(f, "\n%-*s  %-9s %s\n", w, "metric", "observed", "incident");
	else
		fprintf(f, "\n%-*s  %s\n", w, "metric", "observed");
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];
		const char *name = score_metric_name((enum score_metric)m);

		if (rm->absent)
			continue;
		fmt_metric(a, sizeof(a), rm);
		if (scaled) {
			/* the incident's figure: a duration only (latencies are
			 * network time, the rest ratios) */
			if (result_metric_is_incident_time((enum score_metric)m) && rm->has)
				timescale_fmt_duration(rm->value * result_speed(r), b, sizeof(b));
			else if (result_metric_is_incident_time((enum score_metric)m) &&
			    rm->censored)
				snprintf(b, sizeof(b), ">=%s", timescale_fmt_duration(
				    rm->at_least * result_speed(r), c, sizeof(c)));
			else
				snprintf(b, sizeof(b), "%s", "");
			if (!rm->has && rm->note != NULL)
				fprintf(f, "%-*s  %-9s %-9s %s\n", w, name, a, b, rm->note);
			else if (b[0] != '\0')
				fprintf(f, "%-*s  %-9s %s\n", w, name, a, b);
			else
				fprintf(f, "%-*s  %s\n", w, name, a);
		} else if (!rm->has && rm->note != NULL)
			fprintf(f, "%-*s  %-9s %s\n", w, name, a, rm->note);
		else
			fprintf(f, "%-*s  %s\n", w, name, a);
		if (m == SCORE_AMPLIFICATION)
			write_links(r, w, f);
	}
	if (r->n_probe_metrics > 0)
		write_probe_metrics(r, f);

	write_dns(f, r);
	if (scaled)
		write_distortions(r, f);

	if (r->n_expect == 0) {
		fprintf(f, "\nno expectations\n");
	} else {
		for (size_t i = 0; i < r->n_expect; i++) {
			int n = (int)(strlen(result_expect_metric(
			    &r->expect[i])) + 1 + strlen(r->expect[i].bound));

			if (n > we)
				we = n;
		}
		fprintf(f, "\n%-*s  %-9s  %s\n", we, "expectation", "observed",
		    "result");
		for (size_t i = 0; i < r->n_expect; i++) {
			const struct result_expect *e = &r->expect[i];
			const char *metric = result_expect_metric(e);
			int n = (int)(strlen(metric) + 1 + strlen(e->bound));

			if (!e->has_observed && e->censored)
				snprintf(a, sizeof(a), ">=%.3f", e->at_least);
			else
				fmt_value(a, sizeof(a), e->has_observed,
				    e->observed);
			fprintf(f, "%s %s%*s  %-9s  %s", metric, e->bound,
			    we - n, "", a, e->pass ? "pass" : "FAIL");
			if (!e->pass && e->message != NULL)
				fprintf(f, "  %s", e->message);
			fputc('\n', f);
		}
	}
	fmt_ms(a, sizeof(a), r->duration_ms);
	fprintf(f, "\n%zu events, %s\n", r->events ? r->events->n : 0, a);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
