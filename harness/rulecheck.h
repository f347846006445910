/*
 * rulecheck.h -- faultd's rules checked on the harness's side, with
 * faultd's own parser (faultd/rule.c), so a bad rule is a scenario error
 * naming its place before anything is built or sent:
 *
 *   - rulecheck_scenario(): `dnsdrill check` and the load phase of a run
 *     check every rule the scenario states, those in a dns server's
 *     rules = { ... } and every literal inject(DNS, "RULE") in its source;
 *   - rulecheck_rule(): the timeline's inject() checks a rule it built at
 *     run time before the runner sends it to faultd.
 */
#ifndef DD_HARNESS_RULECHECK_H
#define DD_HARNESS_RULECHECK_H

#include "harness/scenario.h"
#include "lib/err.h"

/* 0 when faultd would accept text as one rule; otherwise DD_EINVAL (or
 * DD_ENOMEM) with `rule "TEXT": REASON` in err, REASON naming the
 * offending term as faultd does.  A rule is one line: a line break in it
 * is refused too (faultd's control protocol is line by line). */
int rulecheck_rule(const char *text, struct dd_err *err);

/*
 * Every rule sc states (sc loaded by sc_lua_load): 0, or DD_EINVAL with
 * "FILE:LINE: dns 'NAME': rule ..." or "FILE:LINE: inject NAME: rule ..."
 * for the first bad one.  The line of a dns server's rule is that of the
 * string literal holding it when there is one (else the declaration's).
 * DD_EIO (with a message) when the scenario file cannot be read again.
 */
int rulecheck_scenario(const struct scenario *sc, struct dd_err *err);

#endif
