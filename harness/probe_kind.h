/*
 * probe_kind.h -- the interface between the prober and its probe kinds.
 * Private to harness/probe*.c.
 *
 * A kind (dns, http, tcp, exec; one file each) is a table of operations,
 * struct probe_ops: check a spec and derive what its attempts need, start
 * an attempt, stop one.  The prober (probe.c: specs, schedule, results)
 * looks the table up once per probe, from the spec's kind, and from then on
 * calls only through it.  The kinds never call the prober: they end an
 * attempt with probe_attempt_done() and the attempt layer (probe_attempt.c)
 * hands it back through env->report.  So calls only go downwards:
 *
 *     probe.c ------(kind table)------> probe_{dns,http,tcp,exec}.c
 *        |                                        |
 *   new, run, settle, free          done, watch, sockets, stream
 *        |                                        |
 *        +------------> probe_attempt.c <---------+
 *
 * No kind includes another's code or a header of its own; the HTTP kind
 * also uses the pure probe_http_head.c.
 *
 * Ownership: the prober owns its probes; a probe owns its spec copy and
 * kind_data (freed by ops->release); a probe has at most one attempt, which
 * owns its fd, its timers and its receive buffer, all released when the
 * attempt ends (probe_attempt_done) or is dropped (probe_attempt_free).
 *
 * Time: only probe.c and probe_attempt.c read it, and only through
 * env->clock; the kinds never do.
 */
#ifndef DD_HARNESS_PROBE_KIND_H
#define DD_HARNESS_PROBE_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "harness/probe.h"

struct ev_loop;
struct netns_topo;
struct probe_attempt;
struct probe_reaper;

/* What every probe of one prober shares. */
struct probe_env {
	struct ev_loop *loop;          /* fds are watched here */
	struct netns_topo *topo;       /* may be NULL */
	struct probe_clock clock;      /* all time and timers */
	/* Called once per attempt that ended (probe_attempt_done, deadline):
	 * reports it and frees it.  Set by the prober. */
	void (*report)(struct probe_attempt *a);
	struct probe_reaper *reaper;   /* exec children killed, not yet reaped
	                                  (probe_exec.c's) */
};

/* A probe as its kind sees it. */
struct probe {
	struct probe_env *env;
	const struct probe_ops *ops;   /* from spec.kind, looked up once */
	struct probe_spec spec;        /* owned copy; name set ("once" when
	                                  none), interval and timeout defaulted */
	struct dd_sockaddr target;     /* DNS server, HTTP or TCP peer: set by
	                                  ops->prepare */
	void *kind_data;               /* ops->prepare's; ops->release frees */
};

/* How a TCP stream attempt stands (probe_stream_open). */
enum probe_stream_state {
	PROBE_ST_NONE = 0,
	PROBE_ST_CONNECTING,
	PROBE_ST_SENDING,
	PROBE_ST_READING,
};

/*
 * One attempt.  A kind that needs more state embeds this as the first
 * member of its own struct and sets ops->attempt_size.
 */
struct probe_attempt {
	struct probe *pr;
	uint64_t start_us, deadline_us, end_us;   /* on env->clock */
	void *deadline;                /* clock timers, NULL when none */
	void *deliver;
	bool starting, finished, timed_out, ok;
	char detail[PROBE_DETAIL_MAX];

	int fd;                        /* the watched socket or pidfd, -1 */
	void (*on_io)(struct probe_attempt *a, unsigned events);

	/* TCP stream (probe_stream_open) */
	enum probe_stream_state st;
	void (*on_connected)(struct probe_attempt *a);
	void (*on_readable)(struct probe_attempt *a);
	const uint8_t *wbuf;           /* what is being sent */
	size_t wlen, woff;

	uint8_t *rx;                   /* receive buffer, freed with the attempt */
	size_t rxlen, rxcap;
};

struct probe_ops {
	const char *name;              /* "dns": probe_kind_name() */
	size_t attempt_size;           /* >= sizeof(struct probe_attempt) */
	const char *timeout_note;      /* after "timeout after N ms", or NULL */
	/* Check pr->spec (a copy; apply the kind's defaults to it), set
	 * pr->target and pr->kind_data.  DD_EINVAL with a message naming the
	 * probe ("probe 'api': ..."), DD_ENOMEM.  On failure ops->release still
	 * runs. */
	int (*prepare)(struct probe *pr, struct dd_err *err);
	void (*release)(struct probe *pr);         /* NULL-safe on kind_data */
	/* Begin a: open and watch its fd.  Any failure ends the attempt
	 * through probe_attempt_done(); the attempt layer reports it later. */
	void (*start)(struct probe_attempt *a);
	/* Optional: let go of what the kind holds for a, before its fd and
	 * timers are released (the exec kind kills its child). */
	void (*stop)(struct probe_attempt *a);
	/* Optional: the prober is being freed (the exec kind reaps). */
	void (*env_fini)(struct probe_env *env);
};

extern const struct probe_ops probe_dns_ops;
extern const struct probe_ops probe_http_ops;
extern const struct probe_ops probe_tcp_ops;
extern const struct probe_ops probe_exec_ops;

/* ---- attempts (probe_attempt.c) ---- */

/* A zeroed attempt of pr, ops->attempt_size bytes, fd -1; NULL on ENOMEM. */
struct probe_attempt *probe_attempt_new(struct probe *pr);
/* Start a at now with its deadline at deadline_us.  An attempt that ends
 * while starting is reported from a zero-delay timer, never from inside
 * this call.  0, or DD_ENOMEM (then free a with probe_attempt_free). */
int probe_attempt_run(struct probe_attempt *a, uint64_t now, uint64_t deadline_us);
/* A tick found a still listed at now: report it if it ended already, or
 * time it out if its deadline has passed and its timer has not run. */
void probe_attempt_settle(struct probe_attempt *a, uint64_t now);
/* Drop a without reporting: stops it, releases everything; NULL-safe. */
void probe_attempt_free(struct probe_attempt *a);

/* Ends a (once; later calls do nothing): records ok, the detail and the
 * end time, stops watching its fd and its deadline.  Whoever drove a
 * (io, deadline, start) then reports it. */
void probe_attempt_done(struct probe_attempt *a, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* probe_attempt_done(a, false, ...) with "WHAT refused" or
 * "WHAT: strerror(e)". */
void probe_attempt_fail_errno(struct probe_attempt *a, const char *what, int e);
/* Watch fd (which a then owns) for events; on_io runs on each. 0, or a
 * negative errno (a still owns fd then). */
int probe_attempt_watch(struct probe_attempt *a, int fd, unsigned events,
    void (*on_io)(struct probe_attempt *a, unsigned events));
/* Stop watching a->fd and close it. */
void probe_attempt_close_fd(struct probe_attempt *a);

/* A non-blocking, close-on-exec socket inside pr's host (or here); fd or a
 * negative errno. */
int probe_socket_open(const struct probe *pr, int family, int type);

/* Connect over TCP to pr->target.  Once connected, on_connected(a) runs (if
 * set): it ends the attempt, or sets a->wbuf/wlen for what to send.  After
 * the send, on_readable(a) runs whenever data may be waiting.  Failures end
 * the attempt ("connect refused", "connect: ...", "send: ..."). */
void probe_stream_open(struct probe_attempt *a,
    void (*on_connected)(struct probe_attempt *a),
    void (*on_readable)(struct probe_attempt *a));

/* Address checks the kinds share. */
bool probe_sa_ok(const struct dd_sockaddr *a);         /* v4 or v6, whole */
uint16_t probe_sa_port(const struct dd_sockaddr *a);
void probe_sa_set_port(struct dd_sockaddr *a, uint16_t port);

#endif /* DD_HARNESS_PROBE_KIND_H */
