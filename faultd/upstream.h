/*
 * upstream.h -- forwarding queries faultd does not answer itself.
 *
 * UDP first; a truncated reply is retried over TCP to the same server; on a
 * timeout the next upstream is tried; when every upstream has failed the
 * callback gets len 0 and the caller answers SERVFAIL.  Never a hang: each
 * try has a deadline under the event loop's timers.  Queries leave from connected sockets
 * with random source ports and a random ID; a reply counts only from the
 * server's address and port, with that ID and the query's question.
 */
#ifndef FAULTD_UPSTREAM_H
#define FAULTD_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/evloop.h"

struct upstream;

struct upstream_stats {
	uint64_t sent, replies, timeouts, tcp_retries, failures, mismatched;
};

/* Called once per query: reply/len (len 0: every upstream failed).  reply
 * is a scratch buffer of cap bytes the callback may modify; it is gone after
 * the callback returns. */
typedef void (*upstream_cb)(void *arg, uint8_t *reply, size_t len, size_t cap);

struct upstream *upstream_new(struct ev_loop *loop, const struct dd_sockaddr *servers,
    size_t n, uint64_t timeout_us);
void upstream_free(struct upstream *u);     /* NULL-safe; calls no callbacks */

/* Forward query (copied).  It leaves at the end of the event-loop iteration
 * (batched with the others of that iteration) or sooner when a batch fills.
 * Returns 0, or a negative code when it cannot even be queued (then the
 * callback is not called). */
int upstream_query(struct upstream *u, const uint8_t *query, size_t len,
    upstream_cb cb, void *arg);

/* Send the queries queued so far now (the server calls it after each
 * batch it reads, so a query never waits behind more than one batch). */
void upstream_flush(struct upstream *u);

const struct upstream_stats *upstream_get_stats(const struct upstream *u);

#endif
