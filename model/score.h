/*
 * score.h -- scoring: event log + the scenario's definitions -> metrics and
 * a verdict.  A pure function: no clock, no I/O; the same log always scores
 * the same.  The metric definitions are DESIGN.md's "Metrics", made exact
 * here (doc/results.md repeats them for users).
 *
 * Time.  Every time is the event log's ms since run start.  The fault window
 * is [fault start, fault end): an event at the fault start is inside it, one
 * at the fault end is not.  When the fault is never cleared, the window runs
 * to the horizon (defs->horizon_ms, else the last event) inclusive.
 *
 * Stability.  "X is stable from T" means: T is the time of a good event
 * (an ok result of the probe, or a matching event), no bad event (a failed
 * result of that probe, or a `*_lost` match) falls in [T, T + stable_ms),
 * and the whole window has been watched: T + stable_ms <= limit (the fault
 * end for failover, the horizon for recovery).  A failure exactly at
 * T + stable_ms does not spoil it: the state held for the full window.
 *
 * Metrics (seconds; "null" when not observed, with a reason):
 *  detection_s    fault start -> first event matching any detection matcher
 *                 inside the fault window.
 *  failover_s     fault start -> the first service probe success, after the
 *                 service's first failed probe in the fault window, that is
 *                 stable (limit: fault end).  If no service probe failed in
 *                 the fault window, failover_s = 0: the service never went
 *                 down, so there was nothing to fail over from (availability
 *                 is then 1; the result's `service_disrupted` is false).
 *                 Null when the service probe had no result in the fault
 *                 window, or never became stable before the fault ended.
 *  recovery_s     fault end -> first time >= fault end at which the primary
 *                 matcher is stable (limit: horizon).  If the primary-path
 *                 signal is a probe that never failed from fault start on,
 *                 the SUT never left its primary path: recovery_s = 0.
 *                 Null when the fault was never cleared or no stable match.
 *  availability   ok service probe results / all service probe results in
 *                 the fault window (0..1).  Null when there were none.
 *  query_amplification
 *                 mean qps of rate samples inside the fault window over the
 *                 mean qps of samples in the baseline before it.  A sample
 *                 covers (t - window_ms, t]; baseline samples end at or
 *                 before the fault start, fault samples lie wholly inside
 *                 the window; samples straddling an edge are left out.
 *                 Null when either side has no samples, or the baseline
 *                 rate is 0.  The same figure is computed at each link
 *                 defs->amp_links names (score_result.links).
 *
 * The service may be several probes (defs->services).  availability pools
 * their results; availability_worst / availability_mean are the lowest and
 * the mean of each service probe's own availability (null when one of them
 * had no result in the window).  failover_s then follows every service
 * probe: an ok result of any of them after which none failed for stable.
 *
 * failover_s from a matcher (defs->failover): a probe matcher works like a
 * service probe (its first failure in the window, then its first stable ok
 * result; 0 when it never failed); any other kind (the SUT's own log line,
 * a mark) is the first event from the fault start that is stable (limit:
 * fault end); when there is none and the service was never disrupted, 0.
 *
 * recovery_s from a non-probe primary matcher with primary_lost: the SUT is
 * on the primary path at the fault end when the last primary / primary_lost
 * event in the fault window was a primary one (then the fault end itself is
 * the first candidate); when no primary_lost event came from the fault
 * start on, the SUT never left: 0.
 *
 * Latency (milliseconds): the latency_ms of the ok results of the latency
 * probes (defs->latency), by nearest rank (the smallest value with at least
 * p% of the values at or below it).  latency_pNN_ms: results in the fault
 * window; baseline_latency_pNN_ms: results before the fault start.  Failed
 * results are availability's business and do not count.  slowdown:
 * latency_p50_ms / baseline_latency_p50_ms (null when either is, or the
 * baseline is 0).
 *
 * Per probe.  Every probe with a result in the log gets its own figures
 * (score_result.probes): availability, failover_s (as a lone service),
 * recovery_s (as the primary-path probe), the latency percentiles and
 * slowdown, with the same definitions.  An expectation names one with
 * "METRIC.PROBE" ("availability.www > 0.9").
 *
 * At a capture link.  "query_amplification.LINK" gates the figure at the
 * link LINK (score_result.links): null there, or LINK not among
 * defs->amp_links, fails.
 *
 * faultd's counters over the fault (score_counter_over).  "dns_queries.SERVER"
 * is the growth of faultd SERVER's "queries" counter, "dns_answers.SERVER.
 * ACTION" of its answers with that action, between two of its readings
 * (elog.h, struct elog_stats; readings with an error are left out):
 *  - from: the last reading at or before the fault start.  A reading taken
 *    for an injection (ELOG_STATS_INJECT) counts as taken at that
 *    injection: the latest ELOG_FAULT_INJECT event at or before it (faultd
 *    answered it right after putting the rule in place), so the inject
 *    reading of the fault's own injection is the one normally used.
 *  - to: the first reading at or after the fault end.  A reading taken for
 *    a clear (ELOG_STATS_CLEAR) counts as taken at that clear: the first
 *    ELOG_FAULT_CLEAR event at or after it (faultd answered it right before
 *    deleting the rules), so the clear reading is the one normally used.
 *    For a fault never cleared: the SERVER's end reading (ELOG_STATS_END).
 * Not computable (null, with a reason; an expectation on it fails) when
 * there is no fault, no reading on one side, the counter is missing from
 * either reading, or it went down (faultd restarted).
 *
 * Censoring.  A metric whose event did not come while it was watched is not
 * a number, but it is not unknown either: detection_s and failover_s when
 * nothing came before the fault ended (or the run, for a fault never
 * cleared), recovery_s when the run ended first.  Such a value is censored:
 * has stays false (why says what was not seen) and at_least is a lower
 * bound (the true value, were the run longer, is at least that).  An
 * expectation on a censored metric never passes: it fails "not recovered
 * within 32.1 s", whether or not the bound alone would decide it.
 */
#ifndef DD_MODEL_SCORE_H
#define DD_MODEL_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "model/dist.h"
#include "model/elog.h"

/*
 * Event matcher.  A zeroed matcher is unset (matches nothing, or means "use
 * the default" where a default is documented).  source matches exactly,
 * text as a substring; NULL or "" matches anything.  outcome filters probe
 * results and is ignored for other kinds.
 */
enum score_outcome {
	SCORE_ANY = 0,
	SCORE_OK,
	SCORE_FAIL,
};

struct score_match {
	bool set;
	enum elog_kind kind;
	const char *source;
	const char *text;
	enum score_outcome outcome;
};

/* true when m is set and e matches it. */
bool score_match(const struct score_match *m, const struct elog_ev *e);

enum score_metric {
	SCORE_DETECTION = 0,
	SCORE_FAILOVER,
	SCORE_RECOVERY,
	SCORE_AVAILABILITY,
	SCORE_AMPLIFICATION,
	/* issue 9: partial outages and latency */
	SCORE_AVAILABILITY_WORST,
	SCORE_AVAILABILITY_MEAN,
	SCORE_LATENCY_P50,
	SCORE_LATENCY_P95,
	SCORE_LATENCY_P99,
	SCORE_BASE_LATENCY_P50,
	SCORE_BASE_LATENCY_P95,
	SCORE_BASE_LATENCY_P99,
	SCORE_SLOWDOWN,
	SCORE_METRIC_COUNT
};

/* The five metrics every dnsdrill has written since result.json began;
 * the ones after them may be absent from an older result. */
#define SCORE_CLASSIC_COUNT (SCORE_AMPLIFICATION + 1)

/* "detection_s", ...; "?" when out of range. */
const char *score_metric_name(enum score_metric m);
/* 0 or DD_EINVAL. */
int score_metric_parse(const char *name, enum score_metric *out);

/* true for the metrics a probe has its own value of ("availability.www"):
 * availability, failover_s, recovery_s, the latencies and slowdown. */
bool score_metric_per_probe(enum score_metric m);

/*
 * "recovery_s" -> "recovery_s", or with a probe "availability" + "www" ->
 * "availability.www", into buf (always terminated).  Returns buf.
 */
const char *score_metric_label(enum score_metric m, const char *probe,
    char *buf, size_t len);

enum score_op {
	SCORE_LT = 0,
	SCORE_LE,
	SCORE_GT,
	SCORE_GE,
	SCORE_EQ,
};

/* "<", "<=", ... */
const char *score_op_name(enum score_op op);

/* Does v satisfy "OP bound"? */
bool score_op_holds(enum score_op op, double v, double bound);
/* Does a lower bound alone (the value is at least at_least) already break
 * "OP bound"?  Only an upper bound can be broken by one. */
bool score_bound_breaks(enum score_op op, double at_least, double bound);

/* faultd's counters an expectation may name ("Counters" above). */
enum score_counter {
	SCORE_COUNTER_NONE = 0,
	SCORE_COUNTER_QUERIES,  /* "dns_queries" */
	SCORE_COUNTER_ANSWERS,  /* "dns_answers" */
};

/* One expectation: "<metric> <op> <bound>". */
struct score_expect {
	enum score_metric metric;
	enum score_op op;
	double bound;
	char bound_text[64]; /* "< 3", as written after the metric, trimmed */
	/* "... if disrupted": only binding when a service probe failed during
	 * the fault; otherwise the check passes, saying why. */
	bool if_disrupted;
	/* "recovery_s < 40m in incident time": the bound is incident time
	 * (detection_s, failover_s, recovery_s only); the metric, in real
	 * seconds, is checked times speed.  speed is the run's (incident
	 * seconds per real second): not parsed, set by whoever checks
	 * (score_run from score_defs.speed; 0 counts as 1). */
	bool incident;
	double speed;
	/* "availability.www > 0.9": the probe's own figure; "" for the run's */
	char probe[ELOG_SOURCE_MAX];
	/* "p90(failover_s) < 3": a statistic of the metric over repeated runs
	 * (model/repeat.h).  One run is one sample, so a single run checks
	 * the metric itself: p90(x) of one value is x. */
	bool has_stat;
	enum dist_which stat;
	/* "query_amplification.LINK": the figure at that capture link
	 * (metric is SCORE_AMPLIFICATION); "" otherwise */
	char link[ELOG_SOURCE_MAX];
	/* "dns_queries.SERVER", "dns_answers.SERVER.ACTION": faultd's
	 * counters over the fault (metric is then SCORE_METRIC_COUNT: no
	 * column of the run's metrics); SCORE_COUNTER_NONE otherwise */
	enum score_counter counter;
	char server[ELOG_SOURCE_MAX];
	char action[32];
};

/* true when ex gates one of the metrics of struct score_value metric[]
 * (the run's or a probe's); false for a capture link's figure
 * ("query_amplification.LINK") or faultd's counters ("dns_queries.SERVER"),
 * which a result keeps by name (result.h, other_metric). */
bool score_expect_on_metric(const struct score_expect *ex);

/* The expectation's left side as written, canonical: "failover_s",
 * "availability.www", "p90(failover_s)"; into buf (always terminated).
 * Returns buf. */
const char *score_expect_label(const struct score_expect *ex, char *buf,
    size_t len);

/*
 * Parse "failover_s < 3", "availability>=0.9", "detection_s <= 500ms",
 * "availability >= 99%", "detection_s < 10 if disrupted",
 * "availability.www > 0.9", "latency_p99_ms < 500", "p90(failover_s) < 3",
 * "query_amplification.auth_lan < 5", "dns_queries.auth < 1000",
 * "dns_answers.auth.servfail > 0", "recovery_s < 40m in incident time".
 * A trailing "in incident time" (before "if disrupted", if both) makes the
 * bound incident time: only the *_s metrics take it.
 * A statistic (min, median, p90, max: dist.h) may wrap the metric, with
 * or without a probe: "median(availability.www) > 0.9".  A per-probe metric
 * (score_metric_per_probe) may name a probe after a dot; the name runs to
 * the first blank or operator character.  The bound is a decimal number;
 * *_s metrics also take a duration with a unit (us, ms, s, m, h), *_ms
 * metrics the same (converted to ms), the availabilities a percentage.
 * == compares exactly.
 * query_amplification may name a capture link after a dot; dns_queries
 * needs a server, dns_answers a server and an action ("auth.servfail"),
 * their bound a number; neither takes a statistic.  Names are checked
 * here for form only: whether the scenario declares them is the caller's
 * business.  Returns 0, or DD_EINVAL with a message in err
 * naming the offending term ("expectation 'failover < 3': unknown metric
 * 'failover' (known: detection_s, ...)").
 */
int score_expect_parse(const char *s, struct score_expect *out,
    struct dd_err *err);

/* What a scenario defines.  Zero-initialise, then fill in what applies. */
struct score_defs {
	/*
	 * Fault window.  An explicit time wins over a matcher.  Without
	 * either, the start is the first ELOG_FAULT_INJECT and the end the first
	 * ELOG_FAULT_CLEAR after which no target (event source) has a fault
	 * left (a clear with an empty source clears every target).  With an
	 * end matcher, the end is its first match at or after the start.
	 */
	bool fault_start_set;
	uint64_t fault_start_ms;
	bool fault_end_set;
	uint64_t fault_end_ms;
	struct score_match fault_start;
	struct score_match fault_end;

	/* The SUT noticed the fault: any of these. */
	const struct score_match *detect;
	size_t n_detect;

	/* Service probe: failover and availability.  outcome is ignored.
	 * Unused when services (below) is given. */
	struct score_match service;

	/* On the primary path: a probe (ok = on primary, fail = off) or any
	 * other event kind; primary_lost (optional) marks leaving it again. */
	struct score_match primary;
	struct score_match primary_lost;

	/* Capture rate samples; unset means every ELOG_RATE event. */
	struct score_match rate;

	uint64_t stable_ms;

	/* End of observation; 0 means the last event's time. */
	uint64_t horizon_ms;

	const struct score_expect *expect;
	size_t n_expect;

	/* The service as several probes (outcome ignored); when n_services
	 * is 0, `service` alone is the service. */
	const struct score_match *services;
	size_t n_services;

	/* What failed over: a probe, or the SUT's own signal (a watch, a
	 * mark...).  Unset: the service probes. */
	struct score_match failover;

	/* Probes whose ok results' latencies make latency_* and slowdown
	 * (outcome ignored).  None: those metrics are null. */
	const struct score_match *latency;
	size_t n_latency;
	/* Query amplification at each of these capture links too (rate
	 * events whose source is the link), each scored like
	 * query_amplification; see struct score_link.  NULL when none. */
	const char *const *amp_links;
	size_t n_amp_links;
	/* The run's speed, incident seconds per real second (0 counts as 1):
	 * what "in incident time" expectations multiply the metric by. */
	double speed;
};

struct score_value {
	bool has;
	double v;
	char why[160]; /* when !has: why it was not observed */
	/* when !has: the event was watched for and did not come; the value is
	 * at least at_least (see "Censoring" above) */
	bool censored;
	double at_least;
};

struct score_check {
	struct score_expect expect;
	bool has_observed;
	double observed;
	bool pass;
	char message[256]; /* "failover_s = 4.2, expected < 3" */
	/* the metric was censored (then has_observed is false and pass too) */
	bool censored;
	double at_least;
};

/* One probe's own figures: the per-probe metrics (score_metric_per_probe);
 * the others are unset. */
struct score_probe {
	char name[ELOG_SOURCE_MAX];
	struct score_value metric[SCORE_METRIC_COUNT];
};

/* Owns checks; release with score_result_fini(). */
struct score_result {
	struct score_value metric[SCORE_METRIC_COUNT];

	bool fault_found;
	uint64_t fault_start_ms;
	bool fault_cleared;
	uint64_t fault_end_ms; /* the clear, or the horizon when not cleared */
	bool service_disrupted; /* a service probe failed in the fault window */

	struct score_check *checks; /* one per defs->expect, in order */
	size_t n_checks;
	bool pass; /* every check passed (true when there are none) */

	/* every probe with a result in the log, in order of first result */
	struct score_probe *probes;
	size_t n_probes;
	/* query_amplification at each of defs->amp_links, in that order;
	 * NULL when none */
	struct score_link *links;
	size_t n_links;
};

/* Query amplification at one capture link: with a resolver in the path,
 * the app's link shows what the app asks, the authority's link what the
 * resolver asks on its behalf. */
struct score_link {
	char link[128];        /* the capture's name (cut to fit) */
	struct score_value amplification;
};

/*
 * Score log against defs into out (overwritten).  Returns 0, DD_EINVAL
 * (NULL argument) or DD_ENOMEM.  On error out holds nothing to free.
 */
int score_run(const struct elog *log, const struct score_defs *defs,
    struct score_result *out);

/*
 * The growth of faultd server's counter over the fault ("Counters" above):
 * which is SCORE_COUNTER_QUERIES or _ANSWERS (action then names it), the
 * fault window from r (score_run's, or filled in by hand).  Fills *out.
 */
void score_counter_over(const struct elog *log, const struct score_result *r,
    enum score_counter which, const char *server, const char *action,
    struct score_value *out);

/* Check one expectation against metrics (the probe's own, for a per-probe
 * expectation); fills *out. */
void score_check(const struct score_expect *ex,
    const struct score_value metric[SCORE_METRIC_COUNT],
    struct score_check *out);

void score_result_fini(struct score_result *res);

#endif
