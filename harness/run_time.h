/*
 * run_time.h -- what a run at the scenario's speed cannot keep in
 * proportion (model/timescale.h), as the scenario lets dnsdrill foresee it
 * (before a run: `dnsdrill check` warns, the result lists it) and as faultd
 * reports it (after: the TTLs it served at the 1 s floor).
 *
 * Nothing is listed at speed 1.  doc/scenario-api.md ("Time") says what is
 * scaled and what is not, and why.
 */
#ifndef DD_HARNESS_RUN_TIME_H
#define DD_HARNESS_RUN_TIME_H

#include <stdbool.h>
#include <stdio.h>

#include "harness/scenario.h"
#include "model/elog.h"
#include "model/timescale.h"

/*
 * Before a run, from sc alone: each dns server's rule ttl=/negttl= that
 * reaches the 1 s floor (with_hint: and one line per server on every TTL
 * under `speed` seconds, for check), each probe (the observer, real time
 * by design), each host's stub resolver (resolv.conf timeout x attempts,
 * real time), the timers processes declare (timers = {...}) that are not in
 * proportion, and the processes whose timers nobody declared.  Appends to
 * out; returns 0 or DD_ENOMEM.
 */
int run_time_forecast(const struct scenario *sc, bool with_hint,
    struct timescale_list *out);

/* After a run: per dns server, the TTLs faultd served at the floor (its
 * last counters in log: ttl_floored, ttl_floored_min/max).  Appends to out;
 * returns 0 or DD_ENOMEM. */
int run_time_observed(const struct scenario *sc, const struct elog *log,
    struct timescale_list *out);

/* `dnsdrill check`: one "dnsdrill: warning: time: ..." line per distortion
 * and a closing hint; returns how many. */
int run_time_warn(const struct scenario *sc, FILE *f);

#endif
