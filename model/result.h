/*
 * result.h -- the result of one run, and its JSON form (result.json).
 *
 * A result is everything a report shows: which scenario ran with which
 * seed, parameters and versions, the verdict (pass, fail, or error with
 * the reason when the run could not finish), the metrics (null where not
 * observed, with the reason), each expectation's outcome, and the event log.
 * The runner builds one (result_new, result_set_*, result_set_score,
 * result_take_events); `dnsdrill report DIR` rebuilds one from result.json
 * (result_json_read).  The other writers (JUnit, HTML, text, matrix) live in
 * reports/report.h; they only read a result.
 *
 * Metrics stay enum score_metric from scoring to the writers, which alone
 * turn them into names.
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
#include "model/timescale.h"

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
	/* !has, but watched for and not seen: the value is at least
	 * at_least (score.h, "Censoring") */
	bool censored;
	double at_least;
	/* not part of this result at all: read from a result.json written
	 * before the metric existed, or not a per-probe metric in a
	 * result_probe.  Writers leave it out. */
	bool absent;
};

struct result_expect {
	/* SCORE_METRIC_COUNT for a metric this build does not know, read
	 * from a newer result.json, and for an expectation on no column of
	 * the metrics (score_expect_on_metric: "query_amplification.LINK",
	 * "dns_queries.SERVER"): its name is then in other_metric. */
	enum score_metric metric;
	char *other_metric; /* NULL unless metric == SCORE_METRIC_COUNT */
	char *bound;   /* "< 3" */
	bool has_observed;
	double observed;
	bool pass;
	char *message; /* "failover_s = 4.2, expected < 3" */
	/* "availability.www > 0.9": the probe and the whole name
	 * ("availability.www"); both NULL for the run's own metric */
	char *probe;
	char *label;
	/* the metric was censored (observed is then unset) */
	bool censored;
	double at_least;
	/* "p90(failover_s) < 3": a statistic over repeated runs, checked in
	 * this one run on the metric itself; label is then "p90(failover_s)" */
	bool has_stat;
	enum dist_which stat;
};

/* One probe's own figures (score.h, "Per probe"): the per-probe metrics;
 * the others are absent. */
struct result_probe_metrics {
	char *name;
	struct result_metric metric[SCORE_METRIC_COUNT];
};

/* A probe as the run set it up (result.json "probes"). */
struct result_probe {
	char *name;
	char *kind;           /* "dns", "http", "tcp", "exec" */
	char *host;           /* where it ran; NULL when not known */
	char *target;         /* what it asked, for people ("www.example.com A
	                       * @198.18.0.53", a URL, ADDR:PORT, a command);
	                       * NULL when not known */
	uint64_t every_ms;    /* the interval of its grid */
	uint64_t timeout_ms;  /* an attempt slower than this failed */
	bool timeout_default; /* the scenario gave no timeout: the default */
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

	struct result_probe_metrics *probe_metrics; /* every probe with a result, in order */
	size_t n_probe_metrics;
	/* Each probe's settings.  has_probes is false for a result from before
	 * they were recorded (nothing is written then), true once the runner
	 * set them, even to none. */
	bool has_probes;
	struct result_probe *probes;
	size_t n_probes;

	/* Why the run ended in error (interrupted, a scenario error in the
	 * timeline, a process that did not start ...), or NULL.  Set, the
	 * verdict is "error" whatever the expectations say, and pass is
	 * false. */
	char *error;
	/* query_amplification at each capture link the scenario named (score
	 * { amplification = { ... } }), in that order; NULL when none */
	struct result_link *links;
	size_t n_links;
	/* Time (model/timescale.h, doc/results.md "Time"): when the incident
	 * began on its own clock, as the scenario gave it ("05:48",
	 * "2025-10-20T05:48:00Z"), or NULL; what the run could not keep in
	 * proportion.  has_time: the runner recorded them (result.json then
	 * has "time_distortions", [] when none; false for an older result). */
	char *incident_start;
	uint64_t incident_t0_ms;  /* t_ms at which the incident's clock reads
	                             incident_start (the timeline's start) */
	bool has_time;
	struct timescale_list distortions;
	/* Queries at the authority (score.h, score_authority): per faultd
	 * read in the run, in the order first read; none in a result.json
	 * written before they were recorded (reports show a dash). */
	struct result_authority *authority;
	size_t n_authority;
};

/* One faultd's queries over the fault and over the baseline (doc/
 * results.md "authority"); each value's note says why when !has. */
struct result_authority {
	char *dns;                     /* the server, as the scenario names it */
	struct result_metric queries;  /* over the fault (dns_queries.SERVER) */
	double fault_s;                /* its span, when queries.has */
	struct result_metric baseline; /* from the first reading to the fault's */
	double baseline_s;             /* its span, when baseline.has */
	struct result_metric ratio;    /* fault rate / baseline rate */
};

struct result_link {
	char *link;                          /* the capture's name */
	struct result_metric amplification;  /* note: why not observed */
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

/* Copy metrics (the run's, each probe's and each link's amplification),
 * fault window, checks and verdict from a score; replaces any earlier score (on DD_ENOMEM the
 * result is left with none).  A result in error stays in error. */
int result_set_score(struct result *r, const struct score_result *s);

/* Record that the run's probes are known (result.json then has "probes",
 * [] when there are none); result_add_probe() does it too. */
void result_mark_probes(struct result *r);
/* Append a probe, every string copied (host and target may be NULL);
 * DD_EINVAL without name or kind. */
int result_add_probe(struct result *r, const char *name, const char *kind,
    const char *host, const char *target, uint64_t every_ms,
    uint64_t timeout_ms, bool timeout_default);

/* Append a link's amplification (result_set_score copies the score's;
 * result_json_read uses this).  note may be NULL. */
int result_add_link(struct result *r, const char *link, bool has, double value,
    const char *note);

/* Append a server's queries at the authority (every string copied);
 * result_set_score copies the score's, result_json_read uses it too.
 * DD_EINVAL without a name. */
int result_add_authority(struct result *r, const struct score_authority *a);
/* The authority's rate over the fault (baseline false) or the baseline
 * (true) in queries per second; false when its count or span is unknown
 * or the span is 0. */
bool result_authority_qps(const struct result_authority *a, bool baseline,
    double *qps);
/* The authority entry for dns, or NULL. */
const struct result_authority *result_authority_find(const struct result *r,
    const char *dns);

/* Take ownership of log (freeing the result's current one); NULL is
 * DD_EINVAL and changes nothing.  Sets duration_ms to the last event's
 * time when that is later. */
int result_take_events(struct result *r, struct elog *log);

/* The run ended in error for reason (copied; NULL clears it and leaves
 * pass false): the verdict becomes "error". */
int result_set_error(struct result *r, const char *reason);

/* The incident's start on its own clock (copied; NULL clears). */
int result_set_incident_start(struct result *r, const char *start);
/* Record that the run's time distortions are known (even none). */
void result_mark_time(struct result *r);
/* Append a distortion (timescale_add_distortion; marks time known). */
int result_add_distortion(struct result *r, enum timescale_kind kind,
    const char *what, double incident_s, double real_s, const char *note);
/* The incident's clock starts (at incident_start) at t0_ms of the log. */
void result_set_incident_t0(struct result *r, uint64_t t0_ms);
/* Does the incident's clock differ from the run's (time recorded, and a
 * speed other than 1 or a start given)? */
bool result_time_scaled(const struct result *r);
/* The incident's clock at t_ms of the log (timescale_fmt_clock: "06:48:00",
 * with the date when full, or "+1h00m00s" without a start); returns buf. */
char *result_incident_clock(const struct result *r, uint64_t t_ms, bool full,
    char *buf, size_t cap);
/* The run's speed: params "speed" as a number > 0, else 1. */
double result_speed(const struct result *r);
/* Is the metric a duration of the incident (detection_s, failover_s,
 * recovery_s), so that real seconds * speed is its incident time?  The
 * latencies are network time and stay real; the rest are ratios. */
bool result_metric_is_incident_time(enum score_metric m);

/* "pass" / "fail" / "error". */
const char *result_verdict(const struct result *r);

/* The expectation's metric name: "failover_s", "availability.www" for a
 * probe's own, or other_metric; never NULL. */
const char *result_expect_metric(const struct result_expect *e);

/*
 * result.json (doc/results.md), through jansson.  The text is valid UTF-8
 * (invalid bytes written as U+FFFD), "</" is written "<\/" and U+2028 and
 * U+2029 as escapes, so it embeds in an HTML <script> block as is; members
 * in the documented order, events one per line; non-finite numbers null;
 * the seed exact over 0..2^64-1.  Returns 0, DD_EINVAL (NULL argument),
 * DD_ENOMEM or DD_EIO (write error).
 */
int result_json_write(const struct result *r, FILE *f);

/*
 * Rebuild a result from len bytes of result.json text.  Unknown members
 * are ignored, so newer writers stay readable; an expectation on an unknown
 * metric is kept by name (other_metric).  Returns 0 and *out, DD_ENOMEM, or
 * DD_EINVAL with err naming the place ("events[3]: unknown kind 'prob'",
 * "line 2, column 16: invalid token near 'pass'").
 */
int result_json_read(const char *text, size_t len, struct result **out,
    struct dd_err *err);

/*
 * Add one reading of a faultd's counters to log (elog_add_stats): text
 * (len bytes) is the line faultd answers `stats json` with (faultctl(1));
 * t_ms, dns and why say when, whose and why it was read.  Members faultd
 * adds later are kept when they are counts.  Returns 0, DD_ENOMEM, or
 * DD_EINVAL with err saying what is wrong with the text.
 */
int result_json_read_stats(struct elog *log, uint64_t t_ms, const char *dns,
    enum elog_stats_why why, const char *text, size_t len,
    struct dd_err *err);

#endif
