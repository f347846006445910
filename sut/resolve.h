/*
 * resolve.h -- name to addresses without ever blocking the event loop.
 *
 * Three ways, chosen per resolver:
 *  - RESOLVE_LIBC: getaddrinfo(3) in a detached worker thread, as a real
 *    service would resolve.  The thread reports back through a pipe the loop
 *    watches.  A resolution the caller gave up on (resolve_cancel) keeps its
 *    thread until getaddrinfo returns; the result is then dropped.  At most
 *    RESOLVE_MAX_THREADS run at once; past that a lookup fails at once with
 *    reason "busy" rather than piling up threads behind a hung resolver.
 *    With a server override the thread's resolver state (_res) is pointed at
 *    that server (IPv4 only, RES_NORELOAD so glibc keeps it).
 *  - RESOLVE_BUILTIN: a small stub over UDP on the loop itself: one query per
 *    address family, RD set, no retransmission and no search list, to the
 *    override or the first nameserver of /etc/resolv.conf.
 *  - RESOLVE_CARES: libc-ares (resolve_cares.c) on the loop, configured the
 *    way a c-ares client is: its own reading of /etc/resolv.conf (servers,
 *    search, and the options it knows: retrans/retry -- c-ares 1.18 does not
 *    read timeout:/attempts: -- rotate, ndots), the override replacing only
 *    the servers.
 *
 * None applies a deadline: the caller keeps time and calls
 * resolve_cancel() when it stops waiting.  The callback runs at most once,
 * never after resolve_cancel(), and never from inside resolve_start().
 */
#ifndef DD_SUT_RESOLVE_H
#define DD_SUT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "lib/evloop.h"
#include "sut/resolve_types.h"

#define RESOLVE_MAX_THREADS 64

enum resolve_mode { RESOLVE_LIBC, RESOLVE_BUILTIN, RESOLVE_CARES };

struct resolver_config {
	enum resolve_mode mode;
	int family;                  /* AF_UNSPEC, AF_INET or AF_INET6 */
	bool have_server;            /* override /etc/resolv.conf */
	struct dd_sockaddr server;
	const char *resolv_conf;     /* builtin, cares: instead of /etc/resolv.conf */
};

struct resolver;
struct resolve_query;

/* Returns 0 or a negative code with a message in e. */
int resolver_new(struct ev_loop *loop, const struct resolver_config *cfg,
    struct resolver **out, struct dd_err *e);
/* NULL-safe.  Lookups still running in threads are left to finish alone. */
void resolver_free(struct resolver *r);
/* The server(s) a lookup goes to ("system" for libc without override). */
const char *resolver_server_str(const struct resolver *r, char *buf, size_t len);

/* Start resolving name; port goes into every returned address.  Returns
 * NULL only on allocation failure.  The handle is valid until cb runs or
 * resolve_cancel() is called. */
struct resolve_query *resolve_start(struct resolver *r, const char *name,
    uint16_t port, resolve_cb cb, void *arg);
void resolve_cancel(struct resolver *r, struct resolve_query *q);

/* "NXDOMAIN", "NODATA", "SERVFAIL", ... (without the "dns:" prefix). */
const char *resolve_status_str(enum resolve_status s);

/* Parse the first "nameserver" line of a resolv.conf; port 53. */
int resolv_conf_first_nameserver(const char *path, struct dd_sockaddr *out);

#endif
