/*
 * run_results.c -- the end of a run: score the event log against the
 * scenario's definitions, build the result (scenario, seed, parameters,
 * versions, score, events), write its artefacts into the run's folder and
 * print the summary.
 *
 * The artefacts are written in one place, write_artefacts(), so moving to
 * the reports library's single writer is a change of one call.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/run_internal.h"
#include "model/elog.h"
#include "model/result.h"
#include "model/score.h"

/* Write one artefact with fn; 0 or -errno of the first failure. */
static int
write_one(const char *path, int (*fn)(const struct result *, FILE *), const struct result *res)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (f == NULL)
		return errno ? -errno : DD_EIO;
	if (fn(res, f) < 0)
		rc = errno ? -errno : DD_EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = errno ? -errno : DD_EIO;
	return rc;
}

/* result.json, junit.xml, report.html and the --junit copy; every one is
 * attempted, the first failure is returned. */
static int
write_artefacts(const struct run *r, const struct result *res)
{
	static const struct {
		const char *name;
		int (*fn)(const struct result *, FILE *);
	} files[] = {
		{ "result.json", result_json_write },
		{ "junit.xml", result_junit_write },
		{ "report.html", result_html_write },
	};
	char path[PATH_MAX + 32];
	int rc = 0, e;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", r->out, files[i].name);
		errno = 0;
		if ((e = write_one(path, files[i].fn, res)) < 0 && rc == 0)
			rc = e;
	}
	errno = 0;
	if (r->o->junit && (e = write_one(r->o->junit, result_junit_write, res)) < 0 && rc == 0)
		rc = e;
	return rc;
}

/* The result of this run; takes r->log. */
static struct result *
build_result(struct run *r, const struct score_result *score, const char *started)
{
	struct result *out = result_new(r->sc->name);
	char sp[32];

	if (out == NULL)
		return NULL;
	result_set_description(out, r->sc->description);
	result_set_started(out, started);
	result_set_seed(out, r->sc->seed);
	for (size_t i = 0; i < r->sc->n_params; i++)
		result_set_param(out, r->sc->params[i].name, r->sc->params[i].value);
	snprintf(sp, sizeof(sp), "%g", r->sc->speed);
	result_set_param(out, "speed", sp);
	result_set_version(out, "dnsdrill", DNSDRILL_VERSION);
	result_set_version(out, "faultd", DNSDRILL_VERSION);
	result_set_score(out, score);
	result_take_events(out, r->log);
	r->log = NULL;
	return out;
}

int
run_results(struct run *r, uint64_t end_ms, const char *started, bool *pass)
{
	struct score_match *detect = calloc(r->sc->n_detect + 1, sizeof(*detect));
	struct score_result score;
	struct score_defs defs;
	struct result *res = NULL;
	int rc;

	if (detect == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	scenario_score_defs(r->sc, detect, &defs);
	defs.horizon_ms = end_ms;
	if ((rc = score_run(r->log, &defs, &score)) < 0) {
		free(detect);
		return run_fail(r, rc, "scoring: %s", dd_strerror(rc));
	}
	*pass = score.pass;
	if ((res = build_result(r, &score, started)) == NULL) {
		rc = run_fail(r, DD_ENOMEM, "cannot write results in %s: out of memory", r->out);
		goto out;
	}
	rc = write_artefacts(r, res);
	/* the summary even when a file failed: the verdict is known */
	if (!r->o->no_summary) {
		result_text_write(res, stdout);
		printf("results: %s/result.json, %s/junit.xml\nreport:  %s/report.html\n",
		    r->out, r->out, r->out);
	}
	if (rc < 0)
		run_fail(r, rc, "cannot write results in %s: %s", r->out, dd_strerror(rc));
out:
	result_free(res);
	score_result_fini(&score);
	free(detect);
	return rc;
}
