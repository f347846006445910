/*
 * metrics.h -- faultd's Prometheus endpoint (--metrics ADDR:PORT): plain
 * HTTP on the event loop, one request per connection, answered from the
 * same counters as `faultctl stats` (faultd/metrics_text.h renders them).
 * No authentication: the counters are read-only, but bind it to a
 * management network all the same.
 *
 * Bounded whatever a client does: a request head is at most
 * METRICS_REQ_MAX bytes, a connection lives at most METRICS_CONN_US from
 * accept to close (a slow or silent client is dropped), and at most
 * METRICS_CONNS_MAX are open at once (more are closed as they come).
 */
#ifndef FAULTD_METRICS_H
#define FAULTD_METRICS_H

#include "faultd/ctl.h"
#include "lib/addr.h"
#include "lib/err.h"
#include "lib/evloop.h"

#define METRICS_CONN_US   (5u * 1000000u)
#define METRICS_CONNS_MAX 32

struct metrics;

/* Listen on addr; target (borrowed, outlives the endpoint) gives the
 * counters.  On error a negative code, err naming the address. */
int metrics_open(struct metrics **out, struct ev_loop *loop,
    const struct dd_sockaddr *addr, const struct ctl_target *target,
    struct dd_err *err);
/* Close every connection and the listener.  NULL-safe. */
void metrics_close(struct metrics *m);

#endif
