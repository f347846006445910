/*
 * server.h -- faultd's DNS sockets: UDP and TCP listeners, delayed replies,
 * forwarding.  The decisions are engine.c's, forwarding is upstream.c's;
 * this part only moves bytes and keeps time with the event loop.  It knows
 * nothing of the control socket or of reloads (daemon.c owns both).
 */
#ifndef FAULTD_SERVER_H
#define FAULTD_SERVER_H

#include <pthread.h>
#include <stdint.h>

#include "faultd/config.h"
#include "faultd/engine.h"
#include "faultd/upstream.h"
#include "lib/err.h"
#include "lib/evloop.h"

struct server;

/*
 * Open a UDP and a TCP listener on every cfg->listen address and serve
 * queries through eng, forwarding through up (may be NULL: no upstreams).
 * Borrows cfg, eng and up, which must outlive the server; counts replies
 * and drops in eng->stats.  lock: NULL when this server is the engine's
 * only user; with --workers, the lock every worker's server takes around
 * each use of eng (then every listener is opened with SO_REUSEPORT, so
 * the workers' sockets share the addresses and the kernel spreads
 * queries and connections over them).  On error returns a negative code with err
 * naming the address ("--listen 127.0.0.1:53 (udp): ...").
 */
int server_open(struct server **out, struct ev_loop *loop,
    const struct faultd_config *cfg, struct engine *eng, struct upstream *up,
    pthread_mutex_t *lock, struct dd_err *err);
/* --workers: every listen address is free (not held by another program,
 * which SO_REUSEPORT would otherwise share it with silently, when it runs
 * as the same user); DD_EIO naming the address when one is taken. */
int server_addrs_free(const struct faultd_config *cfg, struct dd_err *err);
/* Close every socket and connection; replies still owed are dropped with
 * their timers.  NULL-safe. */
void server_close(struct server *s);

unsigned server_tcp_connections(const struct server *s);
uint64_t server_delayed_pending(const struct server *s);

#endif
