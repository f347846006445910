/*
 * html_dns.c -- the "Authority side" section of report.html: for each DNS
 * server, one row per reading of its faultd's counters (when a fault was
 * injected or cleared, when the timeline asked, at the end), with the
 * queries, replies and drops, the answers per action -- each with its
 * change since the reading before, so what faultd did during each stretch
 * of the run shows -- and the rules' hits; then the busiest clients at the
 * last reading.  Above each table, the queries that reached the server
 * over the fault against its baseline (authority.h).  Only actions some reading counted get a column.
 */
#include "reports/html_dns.h"

#include <inttypes.h>
#include <string.h>

#include "reports/authority.h"
#include "reports/markup.h"

#define MAX_COLS 24

static void
esc(FILE *f, const char *s)
{
	markup_put(f, s, MARKUP_HTML);
}

/* name's value in v[0..n), or false. */
static bool
count_of(const struct elog_count *v, size_t n, const char *name, uint64_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			*out = v[i].value;
			return true;
		}
	return false;
}

/* One column: a counter (action false) or an action. */
struct col {
	const char *name;
	bool action;
};

static bool
col_value(const struct elog_stats *s, const struct col *c, uint64_t *out)
{
	return c->action ? count_of(s->actions, s->n_actions, c->name, out) :
	    count_of(s->counters, s->n_counters, c->name, out);
}

/* The columns for server dns: queries, replies, drops, then each action
 * some reading of it counted, in faultd's order. */
static size_t
columns(const struct elog *log, const char *dns, struct col *cols)
{
	static const char *const counters[] = { "queries", "replies", "drops" };
	size_t n = 0;

	for (size_t k = 0; k < 3; k++)
		cols[n++] = (struct col){ counters[k], false };
	for (size_t i = 0; i < log->n_stats; i++) {
		const struct elog_stats *s = &log->stats[i];

		if (strcmp(s->dns, dns) != 0 || s->error != NULL)
			continue;
		for (size_t a = 0; a < s->n_actions && n < MAX_COLS; a++) {
			bool have = false;

			if (s->actions[a].value == 0)
				continue;
			for (size_t k = 3; k < n; k++)
				have = have || strcmp(cols[k].name, s->actions[a].name) == 0;
			if (!have)
				cols[n++] = (struct col){ s->actions[a].name, true };
		}
	}
	return n;
}

static void
write_row(FILE *f, const struct elog_stats *s, const struct elog_stats *prev,
    const struct col *cols, size_t ncols)
{
	char t[32];

	markup_secs(t, sizeof(t), s->t_ms, " s");
	fprintf(f, "<tr><td class=\"num\">%s</td><td>%s</td>", t,
	    elog_stats_why_name(s->why));
	if (s->error != NULL) {
		fprintf(f, "<td colspan=\"%zu\"><span class=\"note fail\">", ncols + 1);
		esc(f, s->error);
		fputs("</span></td></tr>\n", f);
		return;
	}
	for (size_t c = 0; c < ncols; c++) {
		uint64_t v, pv;

		fputs("<td class=\"num\">", f);
		if (col_value(s, &cols[c], &v)) {
			fprintf(f, "%" PRIu64, v);
			if (prev != NULL && col_value(prev, &cols[c], &pv) && v > pv)
				fprintf(f, " <span class=\"note\">+%" PRIu64 "</span>", v - pv);
		} else {
			fputs("<span class=\"note\">\xE2\x80\x94</span>", f);
		}
		fputs("</td>", f);
	}
	fputs("<td>", f);
	for (size_t i = 0; i < s->n_rules; i++) {
		fprintf(f, "%s%" PRIu64 " <code>", i ? "<br>" : "", s->rules[i].hits);
		esc(f, s->rules[i].rule);
		fputs("</code>", f);
	}
	if (s->n_rules == 0)
		fputs("<span class=\"note\">no rules</span>", f);
	fputs("</td></tr>\n", f);
}

/* "Queries at the authority: 330 over the fault (47.1/s), baseline
 * 10.0/s (x4.7)" above the server's table. */
static void
write_authority(FILE *f, const struct result *r, const char *dns)
{
	char line[400];

	fputs("<p class=\"summary auth\">Queries at the authority: ", f);
	esc(f, authority_fmt_line(result_authority_find(r, dns), line,
	    sizeof(line)));
	fputs("</p>\n", f);
}

static void
write_server(FILE *f, const struct result *r, const char *dns)
{
	const struct elog *log = r->events;
	struct col cols[MAX_COLS];
	size_t ncols = columns(log, dns, cols), rows = 0, hidden = 0;
	const struct elog_stats *prev = NULL, *last = NULL;

	fputs("<h3><code>", f);
	esc(f, dns);
	fputs("</code></h3>\n", f);
	write_authority(f, r, dns);
	fputs("<table class=\"t dns\">\n<thead><tr><th>time</th>"
	    "<th>read at</th>", f);
	for (size_t c = 0; c < ncols; c++) {
		fputs(c == 3 ? "<th>answers: " : "<th>", f);
		esc(f, cols[c].name);
		fputs("</th>", f);
	}
	fputs("<th>rule hits</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < log->n_stats; i++) {
		const struct elog_stats *s = &log->stats[i];

		if (strcmp(s->dns, dns) != 0)
			continue;
		if (rows++ < HTML_DNS_MAX_ROWS)
			write_row(f, s, prev, cols, ncols);
		else
			hidden++;
		if (s->error == NULL)
			prev = last = s;
	}
	fputs("</tbody>\n</table>\n", f);
	if (hidden > 0)
		fprintf(f, "<p class=\"summary\">%zu more reading%s in result.json.</p>\n",
		    hidden, hidden == 1 ? "" : "s");
	if (last != NULL && (last->n_clients > 0 || last->clients_other > 0)) {
		char t[32];

		markup_secs(t, sizeof(t), last->t_ms, " s");
		fprintf(f, "<p class=\"summary\">Queries per client at %s: ", t);
		for (size_t i = 0; i < last->n_clients; i++) {
			fputs(i ? " \xC2\xB7 " : "", f);
			fputs("<code>", f);
			esc(f, last->clients[i].name);
			fprintf(f, "</code> %" PRIu64, last->clients[i].value);
		}
		if (last->clients_other > 0 || last->n_clients == 0)
			fprintf(f, "%sother %" PRIu64, last->n_clients ? " \xC2\xB7 " : "",
			    last->clients_other);
		fputs("</p>\n", f);
	}
}

void
html_dns_write(FILE *f, const struct result *r)
{
	const struct elog *log = r->events;

	if (log == NULL || log->n_stats == 0)
		return;
	fputs("<section>\n<h2>Authority side</h2>\n<p class=\"summary\">Each DNS "
	    "server's faultd counters, read at the timeline's start, when a fault was injected (after it "
	    "took effect), before one was cleared, when the timeline asked "
	    "(<code>stats()</code>) and at the end. Counts run from faultd's "
	    "start; <span class=\"note\">+N</span> is the change since the "
	    "reading before. Queries at the authority: how many reached the "
	    "server over the fault (from the reading at the fault's start to "
	    "the one at its end, as <code>dns_queries</code>), and its rate "
	    "against the baseline's (from the first reading, at the timeline's "
	    "start, to the fault's start).</p>\n", f);
	for (size_t i = 0; i < log->n_stats; i++) {
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(log->stats[k].dns, log->stats[i].dns) == 0;
		if (!seen)
			write_server(f, r, log->stats[i].dns);
	}
	fputs("</section>\n", f);
}
