/*
 * failover.c -- see failover.h.  Pure: no I/O, no clock, so a test can walk
 * it through any sequence of outcomes.
 */
#include "sut/failover.h"

#include <string.h>

void
fo_init(struct failover *f, unsigned fail_after, unsigned recover_after,
    bool can_failover)
{
	memset(f, 0, sizeof(*f));
	f->fail_after = fail_after ? fail_after : 1;
	f->recover_after = recover_after ? recover_after : 1;
	f->can_failover = can_failover;
	f->last_region = -1;
}

int
fo_request_done(struct failover *f, int region, bool ok,
    struct fo_event ev[FO_MAX_EVENTS])
{
	int n = 0;

	f->requests++;
	if (ok)
		f->ok++;
	f->last_ok = ok;
	f->failed_in_a_row = ok ? 0 : f->failed_in_a_row + 1;
	f->last_region = region;
	/* a request that was in flight when we switched says nothing about
	 * the region we now serve from */
	if (region != f->serving)
		return 0;
	if (ok) {
		if (!f->confirmed || f->failures > 0)
			ev[n++] = (struct fo_event){ .kind = FO_EV_HEALTHY, .region = region };
		f->confirmed = true;
		f->failures = 0;
		return n;
	}
	f->failures++;
	if (f->failures == 1)
		ev[n++] = (struct fo_event){ .kind = FO_EV_DEGRADED, .region = region,
		    .count = 1 };
	f->confirmed = false;
	if (region == 0 && f->can_failover && f->failures >= f->fail_after) {
		ev[n++] = (struct fo_event){ .kind = FO_EV_FAILOVER, .from = 0, .to = 1,
		    .count = f->failures };
		f->serving = 1;
		f->failures = 0;
		f->probe_streak = 0;
		f->failovers++;
	}
	return n;
}

int
fo_probe_done(struct failover *f, bool ok, struct fo_event ev[FO_MAX_EVENTS])
{
	if (!fo_probing(f))
		return 0;
	if (!ok) {
		f->probe_streak = 0;
		return 0;
	}
	if (++f->probe_streak < f->recover_after)
		return 0;
	ev[0] = (struct fo_event){ .kind = FO_EV_FAILBACK, .from = 1, .to = 0,
	    .count = f->probe_streak };
	f->serving = 0;
	f->failures = 0;
	f->confirmed = false;     /* HEALTHY once a real request succeeds */
	f->probe_streak = 0;
	f->failbacks++;
	return 1;
}

bool
fo_probing(const struct failover *f)
{
	return f->serving == 1;
}

enum fo_state
fo_state(const struct failover *f)
{
	if (f->serving == 1)
		return FO_FAILED_OVER;
	if (f->requests == 0)
		return FO_STARTING;
	return f->confirmed && f->failures == 0 ? FO_HEALTHY : FO_DEGRADED;
}

const char *
fo_state_str(enum fo_state s)
{
	switch (s) {
	case FO_STARTING:
		return "starting";
	case FO_HEALTHY:
		return "healthy";
	case FO_DEGRADED:
		return "degraded";
	case FO_FAILED_OVER:
		return "failed-over";
	}
	return "?";
}
