/*
 * fuzz_result.c -- libFuzzer target: result.json in, every report out.
 *
 * The input is read as result.json (result_json_read, what `dnsdrill
 * report` and `dnsdrill matrix --from` read through report_read_file).
 * When it parses, every writer of one result renders it (HTML, JUnit XML,
 * text, and the matrix writers over it as a one-row table) into a sink
 * (fuzz_sink_open: dropped, no system call),
 * and result.json is written into memory and must round-trip: the text
 * written parses back, and writing what was read back gives the same
 * bytes.  A broken round trip abort()s, so libFuzzer keeps the input.
 *
 * No clock, no files: the outcome depends on the input only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "model/result.h"
#include "tests/fuzz/fuzzlib.h"
#include "reports/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

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

/* A writer gave up on a result the reader accepted: only running out of
 * memory is an excuse. */
static void
must_write(int rc, const char *what)
{
	if (rc != 0 && rc != DD_ENOMEM) {
		fprintf(stderr, "fuzz_result: %s writer returned %d (%s)\n", what, rc,
		    dd_strerror(rc));
		abort();
	}
}

/* result.json of r in memory: 0 and *text, *len (the caller frees *text),
 * or what the writer returned. */
static int
json_of(const struct result *r, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	int rc;

	if (f == NULL)
		return DD_ENOMEM;
	rc = result_json_write(r, f);
	if (fclose(f) != 0 && rc == 0)
		rc = DD_ENOMEM;
	if (rc != 0) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

static void
round_trip(const struct result *r)
{
	char *one = NULL, *two = NULL;
	size_t n_one = 0, n_two = 0;
	struct result *back = NULL;
	struct dd_err err = { { 0 } };
	int rc;

	if ((rc = json_of(r, &one, &n_one)) != 0) {
		must_write(rc, "result.json");
		return;
	}
	rc = result_json_read(one, n_one, &back, &err);
	if (rc == DD_ENOMEM)
		goto out;
	if (rc != 0) {
		fprintf(stderr, "fuzz_result: result.json as written does not read "
		    "back: %s\n--- written:\n%.*s\n", err.msg, (int)n_one, one);
		abort();
	}
	if ((rc = json_of(back, &two, &n_two)) != 0) {
		must_write(rc, "result.json (again)");
		goto out;
	}
	if (n_one != n_two || memcmp(one, two, n_one) != 0) {
		fprintf(stderr, "fuzz_result: result.json changes when read back and "
		    "written again\n--- first:\n%.*s\n--- second:\n%.*s\n", (int)n_one, one,
		    (int)n_two, two);
		abort();
	}
out:
	result_free(back);
	free(one);
	free(two);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result *r = NULL;
	struct dd_err err = { { 0 } };
	struct result *const *runs;
	int rc;

	if (sink == NULL)   /* a driver that does not call LLVMFuzzerInitialize */
		LLVMFuzzerInitialize(NULL, NULL);
	rc = result_json_read((const char *)data, size, &r, &err);
	if (rc != 0) {
		/* refused: with a reason, and nothing handed out */
		if (r != NULL || (rc == DD_EINVAL && err.msg[0] == '\0'))
			abort();
		return 0;
	}
	runs = (struct result *const *)&r;
	must_write(report_html_write(r, sink), "HTML");
	must_write(report_junit_write(r, sink), "JUnit");
	must_write(report_text_write(r, sink), "text");
	must_write(report_matrix_html_write(runs, 1, NULL, sink), "matrix HTML");
	must_write(report_matrix_text_write(runs, 1, NULL, sink), "matrix text");
	round_trip(r);
	result_free(r);
	return 0;
}
