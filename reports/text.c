/*
 * text.c -- the summary a person reads in a terminal after a run:
 *
 *   scenario  dynamodb-empty-record  (seed 42)
 *   verdict   FAIL
 *   fault     10.000s -> 40.000s (30.000s)
 *
 *   metric               observed
 *   detection_s          1.200
 *   failover_s           -         fault never cleared ...
 *
 *   expectation          observed  result
 *   failover_s < 3       4.200     FAIL  failover_s = 4.2, expected < 3
 *
 * Plain ASCII framing; names and messages are printed as given.
 */
#include "reports/report.h"

#include <inttypes.h>
#include <string.h>

static void
fmt_value(char *buf, size_t len, bool has, double v)
{
	if (!has)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f", v);
}

static void
fmt_ms(char *buf, size_t len, uint64_t ms)
{
	snprintf(buf, len, "%" PRIu64 ".%03us", ms / 1000,
	    (unsigned)(ms % 1000));
}

/* Each DNS server's last reading of faultd's counters, one line:
 * "auth  51 queries (pass 41, empty 10), 1 client, at 5.048s (end)". */
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
	}
}

int
report_text_write(const struct result *r, FILE *f)
{
	char a[32], b[32], c[32];
	int w = (int)strlen("query_amplification");
	int we = (int)strlen("expectation");

	if (r == NULL || f == NULL)
		return DD_EINVAL;

	fprintf(f, "scenario  %s", r->scenario);
	if (r->has_seed)
		fprintf(f, "  (seed %" PRIu64 ")", r->seed);
	fputc('\n', f);
	if (r->description != NULL)
		fprintf(f, "          %s\n", r->description);
	fprintf(f, "verdict   %s\n", r->pass ? "PASS" : "FAIL");
	if (r->fault_found) {
		fmt_ms(a, sizeof(a), r->fault_start_ms);
		fmt_ms(b, sizeof(b), r->fault_end_ms);
		fmt_ms(c, sizeof(c), r->fault_end_ms - r->fault_start_ms);
		fprintf(f, "fault     %s -> %s (%s)%s\n", a, b, c,
		    r->fault_cleared ? "" : ", never cleared");
	} else {
		fprintf(f, "fault     none found\n");
	}
	for (size_t i = 0; i < r->n_params; i++)
		fprintf(f, "%-9s %s=%s\n", i == 0 ? "params" : "",
		    r->params[i].key, r->params[i].value);

	fprintf(f, "\n%-*s  %s\n", w, "metric", "observed");
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];
		const char *name = score_metric_name((enum score_metric)m);

		fmt_value(a, sizeof(a), rm->has, rm->value);
		if (!rm->has && rm->note != NULL)
			fprintf(f, "%-*s  %-9s %s\n", w, name, a, rm->note);
		else
			fprintf(f, "%-*s  %s\n", w, name, a);
	}

	for (size_t i = 0; i < r->n_links; i++) {
		const struct result_metric *rm = &r->links[i].amplification;

		fmt_value(a, sizeof(a), rm->has, rm->value);
		if (!rm->has && rm->note != NULL)
			fprintf(f, "  at %-*s  %-9s %s\n", w - 5, r->links[i].link, a, rm->note);
		else
			fprintf(f, "  at %-*s  %s\n", w - 5, r->links[i].link, a);
	}
	write_dns(f, r);

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

			fmt_value(a, sizeof(a), e->has_observed, e->observed);
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
