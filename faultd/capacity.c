/*
 * capacity.c -- a server's capacity as a bounded queue (capacity.h).
 */
#include "faultd/capacity.h"

#include <string.h>

int
capacity_init(struct capacity *c, double qps, uint32_t queue,
    enum capacity_overflow overflow)
{
	memset(c, 0, sizeof(*c));
	if (!(qps > 0) || qps > CAPACITY_QPS_MAX || queue > CAPACITY_QUEUE_MAX ||
	    (unsigned)overflow > CAP_OVERFLOW_REFUSED)
		return DD_EINVAL;
	c->qps = qps;
	c->queue = queue;
	c->overflow = overflow;
	c->interval_ns = (uint64_t)(1e9 / qps + 0.5);
	if (c->interval_ns == 0)
		c->interval_ns = 1;
	return 0;
}

bool
capacity_admit(struct capacity *c, uint64_t now_us, uint64_t *wait_us,
    bool *queued)
{
	uint64_t now_ns = now_us * 1000u, start, ahead;

	*wait_us = 0;
	*queued = false;
	start = c->busy_until_ns > now_ns ? c->busy_until_ns : now_ns;
	/* queries waiting when this one arrives, not counting the one being
	 * served: the backlog's whole service times, rounded up, less one */
	if (start > now_ns) {
		ahead = (start - now_ns + c->interval_ns - 1) / c->interval_ns - 1;
		if (ahead >= c->queue)
			return false;
	}
	*queued = start > now_ns;
	c->busy_until_ns = start + c->interval_ns;
	/* whole microseconds, rounded down: at a capacity far above the
	 * load the wait is a fraction of a microsecond and the reply goes out
	 * at once, on the server's fast path, not through a timer */
	*wait_us = (c->busy_until_ns - now_ns) / 1000u;
	return true;
}

static const char *const names[] = { "drop", "servfail", "refused" };

int
capacity_overflow_parse(const char *s, enum capacity_overflow *out)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (s != NULL && strcmp(s, names[i]) == 0) {
			*out = (enum capacity_overflow)i;
			return 0;
		}
	return DD_EINVAL;
}

const char *
capacity_overflow_name(enum capacity_overflow o)
{
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}
