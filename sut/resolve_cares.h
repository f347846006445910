/*
 * resolve_cares.h -- lookups through libc-ares, driven by an event loop.
 *
 * One c-ares channel per resolve_cares, initialised the way a c-ares client
 * initialises it (ares_init_options with no settings of its own), so c-ares
 * reads resolv.conf itself: nameservers, search list and the options it
 * knows (c-ares 1.18: retrans:/retry:, rotate, ndots -- not timeout: and
 * attempts:, which only later versions read).  A server override replaces
 * the servers and nothing else.
 *
 * Nothing blocks: c-ares tells the loop which sockets to watch (its
 * socket-state callback), the loop hands readiness back (ares_process_fd),
 * and one loop timer follows ares_timeout() for retransmissions.
 *
 * Ownership: a query belongs to this module until its callback has run.
 * c-ares cannot drop one lookup, so resolve_cares_cancel() only silences
 * it: the lookup runs to its end inside c-ares and its result is dropped.
 * The callback runs at most once, never from inside resolve_cares_start()
 * and never after resolve_cares_cancel().
 */
#ifndef DD_SUT_RESOLVE_CARES_H
#define DD_SUT_RESOLVE_CARES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "lib/evloop.h"
#include "sut/resolve_types.h"

struct resolve_cares;
struct resolve_cares_query;

/*
 * family: AF_UNSPEC, AF_INET or AF_INET6.  server: NULL for resolv.conf's
 * nameservers, else the one server to ask.  resolv_conf: NULL for
 * /etc/resolv.conf.  Returns 0, or a negative code with a message in e.
 */
int resolve_cares_new(struct ev_loop *loop, int family, const struct dd_sockaddr *server,
    const char *resolv_conf, struct resolve_cares **out, struct dd_err *e);
/* NULL-safe.  Pending lookups end without their callbacks. */
void resolve_cares_free(struct resolve_cares *c);

/* The channel's servers, "ADDR:PORT" joined by ','. */
const char *resolve_cares_servers_str(const struct resolve_cares *c, char *buf, size_t len);

/* Start resolving name; port goes into every returned address.  Returns
 * NULL only on allocation failure. */
struct resolve_cares_query *resolve_cares_start(struct resolve_cares *c, const char *name,
    uint16_t port, resolve_cb cb, void *arg);
/* NULL-safe; the handle must not be used afterwards. */
void resolve_cares_cancel(struct resolve_cares *c, struct resolve_cares_query *q);

/* The status a c-ares result code (ARES_E...) stands for; ARES_SUCCESS
 * maps to RES_OK. */
enum resolve_status resolve_cares_status(int ares_status);

#endif
