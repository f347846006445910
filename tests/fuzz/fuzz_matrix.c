/*
 * fuzz_matrix.c -- libFuzzer target: several result.json texts read back
 * (`dnsdrill matrix --from`, a `--repeat` group's run folders) and every
 * writer over more than one result: the matrix table (HTML, text, with
 * labels and folders), and the repeated-runs group (model/repeat.h: series,
 * checks, verdict, the median result) with its four writers.
 *
 * The input is up to FUZZ_RUNS result.json texts separated by a line
 * "--8<--"; a text that does not read is a missing run (NULL), which the
 * group counts as an error and the matrix leaves out.  Output goes to a
 * stream that drops it without a system call (fopencookie; /dev/null cost
 * a write(2) per 4 KiB, and the writers emit many times the input); a
 * writer failing on what the reader accepted abort()s.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "model/repeat.h"
#include "model/result.h"
#include "reports/report.h"
#include "tests/fuzz/fuzzlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_RUNS 4
#define FUZZ_SEP "\n--8<--\n"

static FILE *sink;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sink = fuzz_sink_open();
	if (sink == NULL)
		abort();
	return 0;
}

static void
must_write(int rc, const char *what)
{
	if (rc != 0 && rc != DD_ENOMEM) {
		fprintf(stderr, "fuzz_matrix: %s writer returned %d (%s)\n", what, rc,
		    dd_strerror(rc));
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[FUZZ_RUNS] = { "ttl-5", NULL, "a b/<c>", "ttl-30" };
	static const char *const dirs[FUZZ_RUNS] = { "run-1", "../x y/run-2", NULL, "run-4" };
	/* a group's folders are never unknown (report.h) */
	static const char *const run_dirs[FUZZ_RUNS] = { "run-1", "run-2", "<run 3>", "run-4" };
	static const uint64_t seeds[FUZZ_RUNS] = { 1, 0, UINT64_MAX, 42 };
	struct result *runs[FUZZ_RUNS] = { NULL };
	struct result *read[FUZZ_RUNS];
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0, n_read = 0;
	struct repeat_group g;
	struct dd_err err;

	if (sink == NULL)   /* a driver that does not call LLVMFuzzerInitialize */
		LLVMFuzzerInitialize(NULL, NULL);
	while (n < FUZZ_RUNS && p <= end) {
		const char *sep = memmem(p, (size_t)(end - p), FUZZ_SEP, strlen(FUZZ_SEP));
		const char *stop = sep != NULL ? sep : end;

		if (result_json_read(p, (size_t)(stop - p), &runs[n], &err) != 0)
			runs[n] = NULL;
		n++;
		if (sep == NULL)
			break;
		p = sep + strlen(FUZZ_SEP);
	}
	for (size_t i = 0; i < n; i++)
		if (runs[i] != NULL)
			read[n_read++] = runs[i];

	must_write(report_matrix_html_write_dirs(read, n_read, labels, dirs, sink),
	    "matrix HTML");
	must_write(report_matrix_text_write_dirs(read, n_read, labels, dirs, sink),
	    "matrix text");
	must_write(report_matrix_html_write(read, n_read, NULL, sink), "matrix HTML");
	must_write(report_matrix_text_write(read, n_read, labels, sink), "matrix text");

	memset(&g, 0, sizeof(g));
	if (n > 0 && repeat_group_of((const struct result *const *)runs, n, &g, &err) == 0) {
		struct report_repeat rp = { .group = &g, .dirs = run_dirs, .seeds = seeds };
		struct result *median;

		must_write(report_repeat_json_write(&rp, sink), "repeat.json");
		must_write(report_repeat_junit_write(&rp, sink), "repeat JUnit");
		must_write(report_repeat_html_write(&rp, sink), "repeat HTML");
		must_write(report_repeat_text_write(&rp, sink), "repeat text");
		median = repeat_median_result(&g);
		if (median != NULL) {
			must_write(report_text_write(median, sink), "median text");
			must_write(report_html_write(median, sink), "median HTML");
			result_free(median);
		}
		if (strcmp(repeat_verdict(&g), "pass") == 0 && g.error)
			abort();
	}
	repeat_group_fini(&g);
	for (size_t i = 0; i < n; i++)
		result_free(runs[i]);
	return 0;
}
