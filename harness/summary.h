/*
 * summary.h -- `dnsdrill report --format markdown|summary-json PATH`: the
 * pull-request summary of what is at PATH, on stdout.  PATH is a run's
 * folder (or its result.json), a `run --repeat` folder (or its
 * repeat.json), or a matrix folder (a folder of run or repeat folders, as
 * `matrix` and `matrix --from` read it).  The writers are reports/'s
 * (report_markdown_write and the others); this file finds and reads the
 * results: a group is rebuilt from repeat.json's runs and each run's
 * result.json (model/repeat.h), so it says what `run --repeat` said.
 */
#ifndef DD_HARNESS_SUMMARY_H
#define DD_HARNESS_SUMMARY_H

#include <stdio.h>

enum summary_format {
	SUMMARY_MARKDOWN = 0,   /* "markdown" */
	SUMMARY_JSON,           /* "summary-json" */
};

/* "markdown" or "summary-json" into *out: 0, or DD_EINVAL. */
int summary_format_parse(const char *name, enum summary_format *out);

/* The summary of path in fmt, to out.  Returns the exit status: 0
 * written, 2 (RUN_USAGE) when path holds no run or one cannot be read
 * (the message on stderr names it), 3 (RUN_ENV) out of memory or a write
 * error. */
int summary_main(const char *path, enum summary_format fmt, FILE *out);

#endif
