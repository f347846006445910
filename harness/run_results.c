/*
 * run_results.c -- the end of a run: score the event log against the
 * scenario's definitions, build the result (scenario, seed, parameters,
 * versions, score, events), write its artefacts into the run's folder and
 * print the summary.
 *
 * The files themselves are written by reports/ (report_write_run: each
 * through a temporary file and a rename).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/run_internal.h"
#include "harness/run_time.h"
#include "lib/log.h"
#include "lib/dnswire.h"
#include "model/elog.h"
#include "model/result.h"
#include "model/score.h"
#include "reports/report.h"

static const char *const probe_kind_names[] = {
	[SC_PROBE_DNS] = "dns", [SC_PROBE_HTTP] = "http", [SC_PROBE_TCP] = "tcp",
	[SC_PROBE_EXEC] = "exec",
};

/* What probe p asks, for people: "www.example.com A @198.18.0.53", the
 * URL, ADDR:PORT or the command line. */
static void
probe_target(const struct sc_probe *p, char *buf, size_t len)
{
	char ty[16];
	size_t o = 0;

	buf[0] = '\0';
	switch (p->kind) {
	case SC_PROBE_DNS:
		snprintf(buf, len, "%s %s @%s%s", p->qname, dns_type_to_str(p->qtype, ty,
		    sizeof(ty)), p->server, p->use_tcp ? " (tcp)" : "");
		break;
	case SC_PROBE_HTTP:
		snprintf(buf, len, "%s", p->url);
		break;
	case SC_PROBE_TCP:
		snprintf(buf, len, "%s", p->addr);
		break;
	case SC_PROBE_EXEC:
		for (size_t i = 0; i < p->argc && o + 1 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", p->argv[i]);
		break;
	}
}

/* Each probe's settings into the result. */
static int
set_probes(struct result *out, const struct scenario *sc)
{
	char target[512];
	int rc;

	result_mark_probes(out);
	for (size_t i = 0; i < sc->n_probes; i++) {
		const struct sc_probe *p = &sc->probes[i];
		probe_target(p, target, sizeof(target));
		if ((rc = result_add_probe(out, p->name, probe_kind_names[p->kind], p->host, target,
		    p->interval_us / 1000, p->timeout_us / 1000, !p->timeout_given)) < 0)
			return rc;
	}
	return 0;
}

/* The incident's start and what the run could not keep in proportion:
 * foreseen from the scenario, and what faultd says it floored (its
 * counters are in out's log). */
static int
set_time(struct result *out, const struct scenario *sc, uint64_t t0_ms)
{
	int rc;

	result_mark_time(out);
	result_set_incident_t0(out, t0_ms);
	if ((rc = result_set_incident_start(out, sc->incident_start)) < 0 ||
	    (rc = run_time_observed(sc, out->events, &out->distortions)) < 0 ||
	    (rc = run_time_forecast(sc, false, &out->distortions)) < 0)
		return rc;
	return 0;
}

/* The result of this run; takes r->log. */
static struct result *
build_result(struct run *r, const struct score_result *score, const char *started,
    uint64_t end_ms)
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
	/* what the processes' version = { ... } commands said */
	for (size_t i = 0; i < r->n_versions; i++)
		result_set_version(out, r->versions[i].key, r->versions[i].value);
	result_set_score(out, score);
	set_probes(out, r->sc);
	result_take_events(out, r->log);
	r->log = NULL;
	if (set_time(out, r->sc, r->timeline_t0_ms) < 0)
		log_warnx("%s: the run's time distortions: out of memory", r->out);
	/* the run's length: from its start to the end of the observation (the
	 * timeline and its tail), whatever event came last */
	out->duration_ms = end_ms;
	return out;
}

/* run_results and run_results_error: error is the reason or NULL. */
static int
results(struct run *r, uint64_t end_ms, const char *started, const char *error, bool *pass)
{
	struct score_match *detect = calloc(r->sc->n_detect + 1, sizeof(*detect));
	struct score_result score;
	struct score_defs defs;
	struct result *res = NULL;
	struct dd_err werr = { "" };
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
	if ((res = build_result(r, &score, started, end_ms)) == NULL ||
	    (error != NULL && result_set_error(res, error) < 0)) {
		rc = run_fail(r, DD_ENOMEM, "cannot write results in %s: out of memory", r->out);
		goto out;
	}
	rc = report_write_run(r->out, res, r->o->junit, &werr);
	/* the summary even when a file failed: the verdict is known */
	if (!r->o->no_summary) {
		report_text_write(res, stdout);
		printf("results: %s/result.json, %s/junit.xml\nreport:  %s/report.html\n",
		    r->out, r->out, r->out);
	}
	if (rc < 0)
		run_fail(r, rc, "cannot write results: %s", werr.msg);
out:
	result_free(res);
	score_result_fini(&score);
	free(detect);
	return rc;
}

int
run_results(struct run *r, uint64_t end_ms, const char *started, bool *pass)
{
	return results(r, end_ms, started, NULL, pass);
}

void
run_results_error(struct run *r, uint64_t end_ms, const char *started)
{
	int rc = r->rc;
	struct dd_err err = r->err;
	bool pass;

	if (r->log == NULL)
		return;
	if (results(r, end_ms, started, err.msg, &pass) < 0)
		log_warnx("%s", r->err.msg);
	/* the run's error is what went wrong first, not the files */
	r->rc = rc;
	r->err = err;
}
