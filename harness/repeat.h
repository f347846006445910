/*
 * repeat.h -- `dnsdrill run --repeat N` and `matrix --repeat N`: one
 * scenario run N times with seeds seed..seed+N-1, each run into DIR/run-K
 * (its own result.json, junit.xml, report.html), then the group's
 * DIR/repeat.json, DIR/junit.xml and DIR/report.html (model/repeat.h,
 * reports/report.h) and its text summary.
 *
 * Seeds: --seed S gives S..S+N-1.  Without one the first run chooses its
 * seed the way a single run does (the scenario's `seed`, else at random)
 * and the others follow it; the seeds are recorded in repeat.json.
 */
#ifndef DD_HARNESS_REPEAT_H
#define DD_HARNESS_REPEAT_H

#include <stdbool.h>

#include "harness/runner.h"
#include "model/result.h"

/* The most runs one group may have. */
#define REPEAT_MAX_RUNS 1000

/*
 * Run o's scenario n times into dir/run-1 .. dir/run-N (dir must exist and
 * be empty), then write the group's files into dir; print the summary on
 * stdout when summary is set.  A run that ends in error (exit 2 or 3)
 * stops the group there: its verdict is error, over the runs made so far.
 * With jobs > 1, up to jobs runs go side by side, each in its own process
 * (harness/jobs.h), all with seeds fixed before the first starts (without
 * --seed, run 1's chosen by loading the scenario once, as a lone run would
 * choose it); no run starts after one ended in error, and the group is
 * runs 1..K, K the first by number that ended in error -- what one after
 * another gives -- whatever order they ended in.
 * When median is not NULL it gets a result standing for the group (its
 * medians, the group's checks and verdict: repeat_median_result()), or
 * NULL.  Returns the exit status: 0 every expectation of the group held,
 * 1 one failed, else the erring run's status.
 */
int repeat_run(const struct run_opts *o, unsigned n, unsigned jobs, const char *dir,
    bool summary, struct result **median);

/* `dnsdrill run --repeat N [--jobs J]`: prepare o->out_dir (or a new
 * dnsdrill-out/NAME-repeat-TIME) and repeat_run() into it. */
int repeat_main(const struct run_opts *o, unsigned n, unsigned jobs);

#endif
