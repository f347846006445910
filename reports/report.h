/*
 * report.h -- the writers: what a result looks like to people and to CI.
 *
 * reports/ reads the result model (model/result.h) and nothing else of a
 * run.  The writers render one result (or, for the matrix, several) to a
 * FILE * they are given: no other I/O, no clock.  The only files reports/
 * opens itself are a run's artefacts: report_write_file() and
 * report_write_run() write through a temporary file renamed into place,
 * and report_read_file() reads a result.json back.  result.json itself is
 * the model's (result_json_write / result_json_read).
 *
 * Every writer returns 0, DD_EINVAL (a NULL argument), DD_ENOMEM or DD_EIO
 * (the stream reported an error).
 */
#ifndef DD_REPORTS_REPORT_H
#define DD_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"
#include "model/repeat.h"
#include "model/result.h"

/* junit.xml: one <testsuite> inside <testsuites>, one <testcase> per
 * expectation, the text summary as <system-out> (doc/results.md). */
int report_junit_write(const struct result *r, FILE *f);

/* The human summary: verdict, metrics table, expectations table. */
int report_text_write(const struct result *r, FILE *f);

/*
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no
 * external resources) for one run: header with the verdict, the metrics
 * against their bounds, an SVG timeline of the event log, a legend and the
 * event log itself (the first REPORT_HTML_MAX_EVENTS rows).  Every string
 * from the result is escaped; the page declares a Content-Security-Policy
 * that forbids loading anything.  Large logs stay small in the DOM: probe
 * results and watch matches are merged when a row would hold too many
 * marks.
 */
#define REPORT_HTML_MAX_EVENTS 2000
int report_html_write(const struct result *r, FILE *f);

/*
 * Comparing runs (`dnsdrill matrix`): one row per run with its label
 * (labels may be NULL, as may any labels[i]: the scenario name is used),
 * the params that differ between runs as columns (the union over all runs,
 * in first-seen order; those the same in every run are listed once above
 * the table), the verdict and each metric.  A metric with an expectation
 * is marked failed when any expectation on it failed, a value or not (not
 * observed, censored: "\u2265 X", the lower bound).  A run in error shows
 * its reason in place of the metrics.  After the metrics, a column per DNS
 * server some run read ("queries@auth"): the queries that reached it over
 * the fault and "(xK)", its rate K times the baseline's (result.h, struct
 * result_authority); "-" where a run does not have it.  The HTML writer writes a whole
 * self-contained page; the text writer an aligned plain table.  runs may
 * be NULL only when n is 0; no runs[i] may be NULL.
 *
 * dirs names each run's folder relative to the folder the matrix is
 * written in (dirs may be NULL, as may any dirs[i]: not known).  The HTML
 * row links to DIR/report.html, percent-encoded; the text shows the folder
 * in a last column when it is not the label.  The writers without dirs
 * take each label as its run's folder, as in a live matrix (DIR/LABEL/).
 */
int report_matrix_html_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f);
int report_matrix_text_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f);
int report_matrix_html_write_dirs(struct result *const *runs, size_t n,
    const char *const *labels, const char *const *dirs, FILE *f);
int report_matrix_text_write_dirs(struct result *const *runs, size_t n,
    const char *const *labels, const char *const *dirs, FILE *f);

/*
 * A group of repeated runs (`dnsdrill run --repeat N`, model/repeat.h):
 * the group, and for each of its runs the folder (relative to the group's,
 * "run-1") and the seed.  The writers: repeat.json (doc/results.md), the
 * JUnit XML (one test case per expectation of the group, one more in error
 * when a run erred), the HTML page (each metric's min/median/p90/max and
 * each run's value, links to each run's report.html) and the text summary.
 */
#define REPORT_REPEAT_FORMAT "dnsdrill-repeat/1"
struct report_repeat {
	const struct repeat_group *group;
	const char *const *dirs;
	const uint64_t *seeds;
};
int report_repeat_json_write(const struct report_repeat *rp, FILE *f);
int report_repeat_junit_write(const struct report_repeat *rp, FILE *f);
int report_repeat_html_write(const struct report_repeat *rp, FILE *f);
int report_repeat_text_write(const struct report_repeat *rp, FILE *f);

/*
 * The pull-request summary (`dnsdrill report --format markdown|summary-json`,
 * doc/results.md "The pull-request summary"): the same facts in markdown
 * for a PR comment or a CI job summary (reports/markdown.c) and in JSON
 * for bots (reports/summary_json.c, REPORT_SUMMARY_FORMAT): the verdict,
 * scenario, params, each expectation with what was observed and whether
 * it held, the metrics with a value or a bound, those not observed and
 * why, each probe's figures and the queries at the authority.  For a
 * group of repeated runs: its gates (statistics and plain expectations),
 * each metric's spread and each run's verdict; for a matrix (runs and
 * labels as the matrix writers take them, labels may be NULL): one row
 * per run with the params that differ, its verdict and what failed.  In
 * the markdown every string from a result is a code span or a fenced
 * block (markup.h), so no name can inject a link or break a table; long
 * text is cut.
 */
#define REPORT_SUMMARY_FORMAT "dnsdrill-summary/1"
/* Is m one of the summary's key metrics: detection, failover, recovery,
 * availability (and its worst), query amplification, p99 latency,
 * slowdown, or one an expectation of r names?  The markdown shows the
 * others folded; the JSON marks them "key": false. */
bool report_metric_key(const struct result *r, enum score_metric m);
int report_markdown_write(const struct result *r, FILE *f);
int report_summary_json_write(const struct result *r, FILE *f);
int report_repeat_markdown_write(const struct report_repeat *rp, FILE *f);
int report_repeat_summary_json_write(const struct report_repeat *rp, FILE *f);
int report_matrix_markdown_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f);
int report_matrix_summary_json_write(struct result *const *runs, size_t n,
    const char *const *labels, FILE *f);

/* Any of the single-result writers above, or result_json_write. */
typedef int (*report_writer)(const struct result *r, FILE *f);

/*
 * Write path with writer(r, ...), atomically: into a new temporary file in
 * the same directory (created with O_CREAT|O_EXCL|O_NOFOLLOW, so nothing
 * planted there is followed or reused), flushed to disk, then renamed over
 * path.  A reader never sees half a file and a failure leaves any earlier
 * file intact.  path itself is never written through: when it is a
 * symbolic link or not a regular file it is refused, and the rename would
 * replace a link planted later rather than follow it.  Returns 0, DD_EINVAL
 * (NULL argument, or path is a link or not a regular file), a negative
 * errno, DD_ENOMEM or DD_EIO, with err naming path ("out/report.html: No
 * space left on device").
 */
int report_write_file(const char *path, report_writer writer,
    const struct result *r, struct dd_err *err);

/*
 * Every artefact of a run, each through report_write_file(): DIR/result.json,
 * DIR/junit.xml, DIR/report.html and, when extra_junit_path is not NULL,
 * junit.xml again there (`dnsdrill run --junit PATH`).  A failure does not
 * stop the others from being written; the first one is returned, with err
 * naming its file.
 */
int report_write_run(const char *dir, const struct result *res,
    const char *extra_junit_path, struct dd_err *err);

/*
 * A matrix's table, DIR/matrix.txt and DIR/matrix.html, each the way
 * report_write_file() writes (temporary file, rename).  Both are
 * attempted; returns 0 or the first failure, err naming the file.
 * report_write_matrix() takes each label as its run's folder;
 * report_write_matrix_dirs() is given the folders (see the writers).
 */
int report_write_matrix(const char *dir, struct result *const *runs, size_t n,
    const char *const *labels, struct dd_err *err);
int report_write_matrix_dirs(const char *dir, struct result *const *runs,
    size_t n, const char *const *labels, const char *const *dirs,
    struct dd_err *err);

/*
 * A group's files: DIR/repeat.json, DIR/junit.xml and DIR/report.html,
 * each the way report_write_file() writes.  All are attempted; returns 0
 * or the first failure, err naming the file.
 */
int report_write_repeat(const char *dir, const struct report_repeat *rp,
    struct dd_err *err);

/*
 * Read the result.json at path.  Returns 0 and *out (the caller frees it
 * with result_free), a negative errno (cannot open), DD_EINVAL (not a
 * result.json, or larger than 512 MiB), DD_ENOMEM or DD_EIO, with err
 * naming the file ("out/result.json: events[3]: unknown kind 'prob'").
 */
int report_read_file(const char *path, struct result **out,
    struct dd_err *err);

/*
 * `dnsdrill report DIR`: read DIR/result.json and (re)write DIR/report.html
 * with report_write_file().  Returns 0 or what those return, with err naming
 * the file.
 */
int report_render_dir(const char *dir, struct dd_err *err);

#endif
