/*
 * repeat.h -- a group of repeated runs of one scenario (`dnsdrill run
 * --repeat N`, `matrix --repeat N`): each metric's spread over the runs
 * and the group's verdict.  Pure: results in, numbers and a verdict out.
 *
 * Series.  A series is one metric across the runs, one sample per run
 * (dist.h): the value, a lower bound when the run's metric was censored,
 * or nothing when it was not observed.  The group has a series for each
 * of the run's own metrics that some run has (not absent), in the order of
 * enum score_metric, then one for each per-probe metric an expectation
 * names ("availability.www"), in the order of the expectations.
 *
 * Expectations.  The group checks the expectations of its runs (the
 * scenario's, the same in every run: read from the first run that has the
 * most):
 *  - a statistic ("p90(failover_s) < 3") is checked on the series'
 *    distribution: its value (dist.h, R-7 quantiles) against the bound.
 *    It never passes unless decided: a statistic that is only a lower
 *    bound (at_least: a censored run could still move it) fails, saying
 *    whether the bound already breaks the expectation or it is undecided;
 *    a run in which the metric was not observed at all (no value, no
 *    bound) makes it undecided, and it fails.  With "if disrupted" only
 *    the runs whose service was disrupted count; with none, it passes.
 *  - a plain expectation ("failover_s < 3") must hold in every run: it
 *    passes when each run's own check of it passed.
 *
 * Verdict.  error when any run ended in error or has no result (runs[k]
 * NULL); otherwise pass when every check passed (also with none), else
 * fail.
 *
 * Ownership: the group borrows runs (they must outlive it) and owns its
 * series and checks; repeat_group_fini() frees them (safe on a zeroed
 * group, and twice).
 */
#ifndef DD_MODEL_REPEAT_H
#define DD_MODEL_REPEAT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "model/dist.h"
#include "model/result.h"
#include "model/score.h"

#define REPEAT_LABEL_MAX (ELOG_SOURCE_MAX + 48)

struct repeat_series {
	enum score_metric metric;
	char probe[ELOG_SOURCE_MAX];   /* "" for the run's own metric */
	char label[REPEAT_LABEL_MAX];  /* "failover_s", "availability.www" */
	struct dist_sample *samples;   /* one per run, in run order */
	struct dist dist;              /* over every run */
};

struct repeat_check {
	/* the expectation as parsed back from its label and bound; when that
	 * fails (a metric from a newer dnsdrill), parsed is false and it is
	 * checked as a plain one */
	bool parsed;
	struct score_expect expect;
	char label[REPEAT_LABEL_MAX]; /* "p90(failover_s)" */
	char bound[64];               /* "< 3" */
	bool pass;
	/* a statistic: its value over the runs, and whether that is only a
	 * lower bound */
	bool has_value;
	double value;
	bool at_least;
	/* a plain expectation: the runs in which it held */
	size_t n_held;
	char message[320]; /* "p90(failover_s) = 2.1 < 3 over 5 runs" */
};

struct repeat_group {
	const struct result *const *runs; /* borrowed, n_runs of them */
	size_t n_runs;
	struct repeat_series *series;
	size_t n_series;
	struct repeat_check *checks;
	size_t n_checks;
	bool error;         /* a run ended in error or has no result */
	size_t first_error; /* its index, when error */
	bool pass;
};

/*
 * The group of runs[0..n) into out (overwritten).  Returns 0, DD_EINVAL
 * (NULL argument, or n == 0) or DD_ENOMEM, with err saying which; on
 * error out holds nothing to free.
 */
int repeat_group_of(const struct result *const *runs, size_t n,
    struct repeat_group *out, struct dd_err *err);

void repeat_group_fini(struct repeat_group *g);

/*
 * A result standing for the group in a table of runs (`matrix --repeat`):
 * the first run's scenario, seed and parameters; each of the run's own
 * metrics its series' median (censored, with the median as the bound,
 * when that is only a lower bound; not observed, with the reason, when no
 * run has it); the group's checks as its expectations; its verdict (in
 * error, with the reason, when the group is).  NULL when out of memory or
 * the group has no run with a result.  The caller frees it.
 */
struct result *repeat_median_result(const struct repeat_group *g);

/* "pass" / "fail" / "error". */
const char *repeat_verdict(const struct repeat_group *g);

/* The series of metric m (probe NULL or "" for the run's own), or NULL. */
const struct repeat_series *repeat_series_find(const struct repeat_group *g,
    enum score_metric m, const char *probe);

#endif
