/*
 * result.h -- the result of one run and the writers that render it.
 *
 * A result is everything a report shows: which scenario ran with which
 * seed, parameters and versions, the verdict, the metrics (null where not
 * observed, with the reason), each expectation's outcome, and the event log.
 * The runner builds one (result_new, result_set_*, result_set_score,
 * result_take_events); `dnsdrill report DIR` rebuilds one from result.json
 * (result_json_read).  Writers only read the result and write to a FILE *
 * they are given: no other I/O, no clock.
 *
 * Ownership: the result owns every string (copied in) and the event log it
 * was given.  result_free(NULL) is a no-op.  Setters return 0 or
 * DD_ENOMEM/DD_EINVAL and leave the field unchanged on failure.
 */
#ifndef DD_MODEL_RESULT_H
#define DD_MODEL_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "model/elog.h"
#include "model/score.h"

/* Version of the result.json layout; bumped on incompatible change. */
#define RESULT_FORMAT "dnsdrill-result/1"

struct result_kv {
	char *key;
	char *value;
};

struct result_metric {
	bool has;
	double value;
	char *note; /* why not observed (when !has), else NULL */
};

struct result_expect {
	char *metric;  /* "failover_s" */
	char *bound;   /* "< 3" */
	bool has_observed;
	double observed;
	bool pass;
	char *message; /* "failover_s = 4.2, expected < 3" */
};

struct result {
	char *scenario;    /* never NULL */
	char *description; /* NULL when none */
	bool has_seed;
	uint64_t seed;
	char *started;     /* wall-clock start as the runner formatted it
	                    * (ISO 8601, "2025-10-20T07:11:00Z"), or NULL */
	uint64_t duration_ms;

	struct result_kv *params;   /* in insertion order */
	size_t n_params;
	struct result_kv *versions; /* "dnsdrill" -> "0.1.0", ... */
	size_t n_versions;

	bool pass; /* the verdict */
	struct result_metric metric[SCORE_METRIC_COUNT];

	bool fault_found;
	uint64_t fault_start_ms;
	uint64_t fault_end_ms;
	bool fault_cleared;
	bool service_disrupted;

	struct result_expect *expect;
	size_t n_expect;

	struct elog *events; /* owned; never NULL after result_new() */
};

/* A new result with an empty event log and verdict pass; NULL when out of
 * memory or scenario is NULL. */
struct result *result_new(const char *scenario);
void result_free(struct result *r);

int result_set_description(struct result *r, const char *text);
int result_set_started(struct result *r, const char *started);
void result_set_seed(struct result *r, uint64_t seed);
/* Adding a key again replaces its value. */
int result_set_param(struct result *r, const char *key, const char *value);
int result_set_version(struct result *r, const char *component,
    const char *version);

/* Copy metrics, fault window, checks and verdict from a score; replaces
 * any earlier score (on DD_ENOMEM the result is left with none). */
int result_set_score(struct result *r, const struct score_result *s);

/* Take ownership of log (freeing the result's current one); NULL is
 * DD_EINVAL and changes nothing.  Sets duration_ms to the last event's
 * time when that is later. */
int result_take_events(struct result *r, struct elog *log);

/* "pass" / "fail". */
const char *result_verdict(const struct result *r);

/*
 * result.json (doc/results.md).  Returns 0, DD_EINVAL (NULL argument) or
 * DD_EIO (write error).
 */
int result_json_write(const struct result *r, FILE *f);

/*
 * Rebuild a result from result.json text.  Unknown members are ignored, so
 * newer writers stay readable.  Returns 0 and *out, DD_ENOMEM, or DD_EINVAL
 * with err naming the place ("events[3]: unknown kind 'prob'").
 */
int result_json_read(const char *text, size_t len, struct result **out,
    struct dd_err *err);

/* junit.xml: one <testsuite> inside <testsuites>, one <testcase> per
 * expectation.  Returns 0, DD_EINVAL or DD_EIO. */
int result_junit_write(const struct result *r, FILE *f);

/* The human summary: verdict, metrics table, expectations table.  Returns
 * 0, DD_EINVAL or DD_EIO. */
int result_text_write(const struct result *r, FILE *f);

/*
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no
 * external resources) for one run: header with the verdict, the metrics
 * against their bounds, an SVG timeline of the event log, a legend and the
 * event log itself (the first RESULT_HTML_MAX_EVENTS rows).  Every string
 * from the result is escaped; the page declares a Content-Security-Policy
 * that forbids loading anything.  Large logs stay small in the DOM: probe
 * results and watch matches are merged when a row would hold too many
 * marks.  Returns 0, DD_EINVAL (NULL argument), DD_ENOMEM or DD_EIO.
 */
#define RESULT_HTML_MAX_EVENTS 2000
int result_html_write(const struct result *r, FILE *f);

/* Write s as HTML text, safe in element content and in a quoted attribute:
 * & < > " ' escaped; invalid UTF-8, C0 controls (but tab, LF, CR), DEL and
 * C1 controls written as U+FFFD.  NULL writes nothing. */
void result_html_escape(FILE *f, const char *s);

/*
 * Comparing runs (`dnsdrill matrix`): one row per run with its label
 * (labels may be NULL, as may any labels[i]: the scenario name is used),
 * its params as columns (the union over all runs, in first-seen order), the
 * verdict and each metric.  A metric with an expectation is marked failed
 * when any expectation on it failed.  The HTML writer writes a whole
 * self-contained page; the text writer an aligned plain table.  runs may be
 * NULL only when n is 0; no runs[i] may be NULL.  Returns 0, DD_EINVAL,
 * DD_ENOMEM or DD_EIO.
 */
int result_matrix_html_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f);
int result_matrix_text_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f);

/*
 * `dnsdrill report DIR`: read DIR/result.json and (re)write DIR/report.html
 * (through a temporary file renamed into place, so a failed render leaves
 * any earlier report intact).  Returns 0, a negative errno, DD_EINVAL (bad
 * result.json), DD_ENOMEM or DD_EIO, with err naming the file
 * ("out/result.json: events[3]: unknown kind 'prob'").
 */
int report_render_dir(const char *dir, struct dd_err *err);

#endif
