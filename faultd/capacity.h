/*
 * capacity.h -- an authority with a capacity: a server (or the queries one
 * rule matches) answers at most qps queries per second, in arrival order;
 * up to `queue` queries wait behind the one being answered, each reply
 * delayed by its wait plus its own service time (1/qps); past that the
 * query overflows and gets the overflow action (drop, servfail or refused)
 * at once.  This is a deterministic single-server queue (D/D/1 with a
 * bounded waiting room): what an overloaded authority or resolver does to
 * a retry storm, the waits growing as the queue fills, then losses.
 *
 * Pure: the caller gives the arrival time (faultd: the event loop's clock,
 * real time: load is real, whatever the run's --time-scale).  Nothing is
 * allocated.
 */
#ifndef FAULTD_CAPACITY_H
#define FAULTD_CAPACITY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

#define CAPACITY_QPS_MAX 10000000.0
#define CAPACITY_QUEUE_MAX 1000000u
#define CAPACITY_QUEUE_DEFAULT 100u
/* A reply due sooner than this after its query goes out at once: a timer
 * for less costs more than the wait it keeps (the queue still advances by
 * every query's service time, so the rate limit and overflow hold; only a
 * short wait's reply may leave up to this much early).  Measured: with
 * every reply through a timer, faultd answered 28% fewer queries per CPU
 * second at a capacity far above the load (bench/faultd_bench.sh (e)). */
#define CAPACITY_PROMPT_US 50u

/* What an overflowing query gets (faultd/rule.h's actions of that name). */
enum capacity_overflow {
	CAP_OVERFLOW_DROP = 0,
	CAP_OVERFLOW_SERVFAIL,
	CAP_OVERFLOW_REFUSED,
};

struct capacity {
	double qps;                 /* > 0 */
	uint32_t queue;             /* queries that may wait */
	enum capacity_overflow overflow;
	/* state */
	uint64_t interval_ns;       /* 1e9 / qps */
	uint64_t busy_until_ns;     /* the same, in ns (no drift at high qps) */
};

/* Set up c (state cleared).  Returns 0, or DD_EINVAL for a qps outside
 * (0, CAPACITY_QPS_MAX] or a queue over CAPACITY_QUEUE_MAX. */
int capacity_init(struct capacity *c, double qps, uint32_t queue,
    enum capacity_overflow overflow);

/*
 * One query arriving at now_us.  Admitted: returns true and *wait_us, how
 * long after its arrival its reply is due (its wait in the queue plus its
 * service time, in whole microseconds rounded down: 0 when that is under
 * one).  Overflow: returns false (the state is unchanged: an
 * overflowing query costs the server nothing).  *queued is set when the
 * query had to wait behind others.
 */
bool capacity_admit(struct capacity *c, uint64_t now_us, uint64_t *wait_us,
    bool *queued);

/* "drop", "servfail", "refused" */
int capacity_overflow_parse(const char *s, enum capacity_overflow *out);
const char *capacity_overflow_name(enum capacity_overflow o);

#endif
