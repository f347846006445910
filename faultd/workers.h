/*
 * workers.h -- faultd --workers N: N-1 more threads beside the main one,
 * each with its own event loop, DNS sockets on the same addresses
 * (SO_REUSEPORT: the kernel spreads datagrams by source address and port,
 * and TCP connections, over them) and upstream sockets, all serving the
 * daemon's one engine -- rules, zones, counters -- under one lock.
 *
 * The main thread keeps the control socket, signals and reloads (the only
 * writers of rules and zones, under the lock too) and serves DNS like any
 * worker.  What a worker thread owns alone (its upstream's counters, its
 * TCP connections, its delayed replies) it publishes under the lock at the
 * end of every event-loop iteration, so `faultctl stats` sums them.
 */
#ifndef FAULTD_WORKERS_H
#define FAULTD_WORKERS_H

#include <pthread.h>
#include <stdint.h>

#include "faultd/config.h"
#include "faultd/engine.h"
#include "faultd/upstream.h"
#include "lib/err.h"

struct workers;

/* What the worker threads together hold now (read under the lock). */
struct workers_sum {
	struct upstream_stats up;
	uint64_t tcp_connections;
	uint64_t delayed_pending;
};

/*
 * Start n threads serving eng (shared under lock, which the caller's own
 * server takes too).  On error none is left running, err names what failed
 * ("--workers 4: worker 3: --listen ...: ...") and a negative code is
 * returned.
 */
int workers_start(struct workers **out, const struct faultd_config *cfg,
    struct engine *eng, pthread_mutex_t *lock, unsigned n, struct dd_err *err);
/* Stop and join every thread, then close what they served with.
 * NULL-safe.  Call without holding the lock. */
void workers_stop(struct workers *ws);
/* Add the workers' published counters to sum.  Call with the lock held. */
void workers_add(const struct workers *ws, struct workers_sum *sum);

#endif
