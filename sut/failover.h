/*
 * failover.h -- the regional client's decisions, free of sockets and clocks.
 *
 * The client feeds in the outcome of every request (made to whichever region
 * served it) and of every health probe of the primary made while failed over;
 * this module answers with the events that outcome causes.  Regions are 0
 * (primary) and 1 (secondary).  Everything here is a plain value: the caller
 * owns the struct and there is nothing to free.
 *
 * The rules:
 *  - A failure after success (or at start) is noticed at once: DEGRADED with
 *    failures=1 for the serving region.
 *  - fail_after consecutive failures on the primary: FAILOVER to the
 *    secondary (unless failover is off or there is no secondary).  There is
 *    no region after the secondary: failures there only mark it degraded.
 *  - While failed over, recover_after consecutive good probes of the primary:
 *    FAILBACK.  A failed probe resets the streak.
 *  - The first good request of a region that was degraded (or, for the
 *    primary, freshly started or failed back to): HEALTHY.
 */
#ifndef DD_SUT_FAILOVER_H
#define DD_SUT_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>

enum fo_state {
	FO_STARTING,     /* no request has finished yet */
	FO_HEALTHY,      /* on the primary, last request good */
	FO_DEGRADED,     /* on the primary, failing or not yet confirmed */
	FO_FAILED_OVER,  /* serving from the secondary */
};

enum fo_event_kind {
	FO_EV_DEGRADED,  /* region, count = failures (1) */
	FO_EV_FAILOVER,  /* from, to, count = failures that caused it */
	FO_EV_FAILBACK,  /* from, to, count = good probes in a row */
	FO_EV_HEALTHY,   /* region */
};

struct fo_event {
	enum fo_event_kind kind;
	int region;          /* DEGRADED, HEALTHY */
	int from, to;        /* FAILOVER, FAILBACK */
	unsigned count;
};

#define FO_MAX_EVENTS 2

struct failover {
	/* settings */
	unsigned fail_after;     /* >= 1 */
	unsigned recover_after;  /* >= 1 */
	bool can_failover;       /* false with --no-failover or no secondary */
	/* state */
	int serving;             /* region requests go to */
	bool confirmed;          /* serving region's last request was good */
	unsigned failures;       /* consecutive failures of the serving region */
	unsigned probe_streak;   /* good probes of the primary in a row */
	/* for /health */
	bool last_ok;
	unsigned failed_in_a_row; /* failed requests in a row, any region */
	int last_region;         /* region of the last request, -1 before any */
	uint64_t requests, ok, failovers, failbacks;
};

void fo_init(struct failover *f, unsigned fail_after, unsigned recover_after,
    bool can_failover);
/* A request to `region` finished.  Returns the number of events in ev. */
int fo_request_done(struct failover *f, int region, bool ok,
    struct fo_event ev[FO_MAX_EVENTS]);
/* A probe of the primary finished (ignored unless failed over). */
int fo_probe_done(struct failover *f, bool ok, struct fo_event ev[FO_MAX_EVENTS]);
enum fo_state fo_state(const struct failover *f);
const char *fo_state_str(enum fo_state s);
/* True while the primary should be probed (failed over). */
bool fo_probing(const struct failover *f);

#endif
