/*
 * daemon.h -- faultd's lifecycle: build everything a running faultd has
 * from its settings (rules, zones, engine, upstreams, DNS sockets, control
 * socket and TLS control listener, metrics endpoint), reload rules and
 * zones, and take it all down.
 *
 * The parts below it never call each other: the DNS sockets (server.h)
 * serve the engine, the control socket (control.h) serves the control
 * protocol (ctl.h) against a ctl_target this file fills in -- the running
 * rule set, the counters, and faultd_reload.
 */
#ifndef FAULTD_DAEMON_H
#define FAULTD_DAEMON_H

#include "faultd/config.h"
#include "faultd/control.h"
#include "faultd/ctl.h"
#include "faultd/engine.h"
#include "faultd/metrics.h"
#include "faultd/server.h"
#include "faultd/upstream.h"
#include "faultd/workers.h"
#include "faultd/zone_sign.h"
#include "lib/err.h"
#include "lib/evloop.h"

struct faultd {
	const struct faultd_config *cfg;   /* borrowed; outlives the daemon */
	struct ev_loop *loop;              /* borrowed */
	struct engine eng;                 /* owns the rule set and the zones */
	struct upstream *up;               /* NULL without --upstream */
	struct server *srv;
	struct control *ctl;               /* NULL without --control */
	struct control *ctl_tls;           /* NULL without --control-tls */
	struct metrics *metrics;           /* NULL without --metrics */
	struct ctl_target target;          /* what the control socket works on */
	struct zsign_conf *sign;           /* --sign: keys for every load; or NULL */
	/* --workers N > 1: the engine's lock and the N-1 other threads */
	pthread_mutex_t lock;
	bool locking;
	struct workers *workers;
};

/*
 * Build everything from cfg.  On error everything built so far is taken
 * down again and a negative code returned, with err naming the file:line
 * or option.
 */
int faultd_open(struct faultd *d, const struct faultd_config *cfg,
    struct ev_loop *loop, struct dd_err *err);
/* Take everything down (the control socket's file too).  Safe after a
 * failed faultd_open. */
void faultd_close(struct faultd *d);

/* With --workers, the lock around the engine: take it to change rules or
 * zones or read counters outside a control command (a no-op with one
 * worker).  Control commands run under it already. */
void faultd_lock(struct faultd *d);
void faultd_unlock(struct faultd *d);

/* SIGHUP and `reload`: re-read --rules and --zone files; on any error keep
 * the old data and fill err.  Rules from --rule and the control socket
 * stay. */
int faultd_reload(struct faultd *d, struct dd_err *err);

#endif
