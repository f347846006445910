/*
 * server.h -- faultd's sockets: UDP and TCP listeners, delayed replies,
 * forwarding, the control socket and reloads.  The decisions themselves are
 * engine.c's; this file only moves bytes and keeps time with the event loop.
 */
#ifndef FAULTD_SERVER_H
#define FAULTD_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "faultd/config.h"
#include "faultd/engine.h"
#include "lib/evloop.h"
#include "faultd/upstream.h"

struct tcp_conn;
struct ctl_conn;

struct listener {
	int fd;
	bool tcp;
};

struct faultd {
	const struct faultd_config *cfg;
	struct ev_loop *loop;
	struct engine eng;
	struct upstream *up;
	struct listener ls[2 * CFG_MAX];
	size_t nls;
	struct tcp_conn *conns;      /* doubly linked */
	unsigned nconns;
	int ctl_fd;
	struct ctl_conn *ctls;
	struct ev_timer *sweep;
	uint64_t delayed_pending;
	bool stopping;
};

/* Build everything from cfg (zones, rules, sockets).  On error returns a
 * negative code with err naming the file:line or option. */
int faultd_open(struct faultd *d, const struct faultd_config *cfg,
    struct ev_loop *loop, struct dd_err *err);
void faultd_close(struct faultd *d);

/* SIGHUP: re-read --rules and --zone files; on any error keep the old data
 * and fill err. */
int faultd_reload(struct faultd *d, struct dd_err *err);

/* Control socket (control.c). */
int control_open(struct faultd *d, const char *path, struct dd_err *err);
void control_close(struct faultd *d);
/* Execute one control command line; appends the reply (data lines, then
 * "OK ..." or "ERR ...") to out.  Exposed for tests. */
struct dd_buf;
void control_exec(struct faultd *d, const char *line, struct dd_buf *out);

#endif
