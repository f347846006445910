/*
 * junit.c -- junit.xml for CI: <testsuites> holding one <testsuite> named
 * after the scenario, one <testcase> per expectation, a <failure> for each
 * that failed, and, when the run ended in error, a test case "run" with an
 * <error> giving the reason.  The shape is the one Jenkins, GitLab, GitHub test reporters
 * and Azure all read (attributes name/tests/failures/errors/skipped/time).
 *
 * A censored metric (score.h) is a property "censored.NAME" = ">= BOUND";
 * an expectation on it fails with the message saying what was not seen.
 *
 * Text is escaped for XML 1.0 by markup.c, which turns what XML 1.0 cannot
 * carry at all (most C0 controls, not even as references) and invalid
 * UTF-8 into U+FFFD.
 */
#include "reports/report.h"
#include "reports/junit.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#include "reports/markup.h"

/* attr: inside a "..." attribute, where newlines and tabs must be
 * references to survive attribute-value normalisation. */
static void
xml_escape(FILE *f, const char *s, bool attr)
{
	markup_put(f, s, attr ? MARKUP_XML_ATTR : MARKUP_XML);
}

static void
property(FILE *f, const char *prefix, const char *name, const char *value)
{
	fputs("      <property name=\"", f);
	xml_escape(f, prefix, true);
	xml_escape(f, name, true);
	fputs("\" value=\"", f);
	xml_escape(f, value, true);
	fputs("\"/>\n", f);
}

static void
seconds_attr(FILE *f, uint64_t ms)
{
	char buf[32];

	markup_secs(buf, sizeof(buf), ms, "");
	fputs(buf, f);
}

void
junit_expectation(FILE *f, const char *suite, const char *name, const char *bound,
    const char *attrs, bool pass, const char *message)
{
	fputs("    <testcase classname=\"dnsdrill.", f);
	xml_escape(f, suite, true);
	fputs("\" name=\"", f);
	xml_escape(f, name, true);
	fputc(' ', f);
	xml_escape(f, bound, true);
	fprintf(f, "\"%s", attrs != NULL ? attrs : "");
	if (pass) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n      <failure type=\"expectation\" message=\"", f);
	xml_escape(f, message, true);
	fputs("\">", f);
	xml_escape(f, message, false);
	fputs("</failure>\n    </testcase>\n", f);
}

void
junit_system_out(FILE *f, int (*text)(const void *arg, FILE *out), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	fputs("    <system-out>", f);
	if (mem != NULL) {
		text(arg, mem);
		fclose(mem);
		xml_escape(f, buf, false);
	}
	free(buf);
	fputs("</system-out>\n", f);
}

static int
text_of_result(const void *arg, FILE *out)
{
	return report_text_write(arg, out);
}

int
report_junit_write(const struct result *r, FILE *f)
{
	size_t failures = 0, errors, tests;
	char seed[32];

	if (r == NULL || f == NULL)
		return DD_EINVAL;
	for (size_t i = 0; i < r->n_expect; i++)
		if (!r->expect[i].pass)
			failures++;
	/* a run in error is one more test case: the run itself, in error */
	errors = r->error != NULL;
	tests = r->n_expect + errors;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"dnsdrill\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"%zu\" time=\"", tests, failures, errors);
	seconds_attr(f, r->duration_ms);
	fputs("\">\n  <testsuite name=\"", f);
	xml_escape(f, r->scenario, true);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	    "skipped=\"0\" time=\"", tests, failures, errors);
	seconds_attr(f, r->duration_ms);
	fputc('"', f);
	if (r->started != NULL) {
		fputs(" timestamp=\"", f);
		xml_escape(f, r->started, true);
		fputc('"', f);
	}
	fputs(">\n", f);

	fputs("    <properties>\n", f);
	property(f, "", "verdict", result_verdict(r));
	if (r->has_seed) {
		snprintf(seed, sizeof(seed), "%" PRIu64, r->seed);
		property(f, "", "seed", seed);
	}
	if (r->description != NULL)
		property(f, "", "description", r->description);
	for (size_t i = 0; i < r->n_params; i++)
		property(f, "param.", r->params[i].key, r->params[i].value);
	for (size_t i = 0; i < r->n_versions; i++)
		property(f, "version.", r->versions[i].key,
		    r->versions[i].value);
	/* a censored metric: not a number, but a lower bound */
	for (int m = 0; m < SCORE_METRIC_COUNT; m++) {
		const struct result_metric *rm = &r->metric[m];
		char bound[48];

		if (rm->absent || rm->has || !rm->censored)
			continue;
		snprintf(bound, sizeof(bound), ">= %.6g", rm->at_least);
		property(f, "censored.", score_metric_name((enum score_metric)m),
		    bound);
	}
	fputs("    </properties>\n", f);

	if (r->error != NULL) {
		fputs("    <testcase classname=\"dnsdrill.", f);
		xml_escape(f, r->scenario, true);
		fputs("\" name=\"run\" time=\"", f);
		seconds_attr(f, r->duration_ms);
		fputs("\">\n      <error type=\"error\" message=\"", f);
		xml_escape(f, r->error, true);
		fputs("\">", f);
		xml_escape(f, r->error, false);
		fputs("</error>\n    </testcase>\n", f);
	}

	for (size_t i = 0; i < r->n_expect; i++) {
		const struct result_expect *e = &r->expect[i];

		junit_expectation(f, r->scenario, result_expect_metric(e), e->bound,
		    " time=\"0\"", e->pass, e->message);
	}

	/* The text summary, for CI pages that show a suite's output. */
	junit_system_out(f, text_of_result, r);
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
