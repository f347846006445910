/*
 * probe.h -- service probes on a schedule: DNS, HTTP, TCP and exec checks
 * run from inside a test host, each result reported through a callback.
 *
 * A prober holds a set of named probes and runs them on the caller's event
 * loop.  Nothing here blocks or sleeps: DNS (UDP or TCP, our own wire
 * encoding, replies parsed with ldns), HTTP/1.0 GET and TCP connects run on
 * non-blocking sockets; exec children are watched through a pidfd.  Sockets
 * are opened inside the probe's host with netns_socket() (when a topology
 * and a host are given) and then used from the caller's thread as usual.
 *
 * Schedule.  prober_start() fixes a start time S; probe P's attempt k is due
 * at S + k * P.interval (an absolute grid: lateness of one tick never shifts
 * the next).  A probe added after start gets a grid starting at the time it
 * is added.  If an attempt is still running when the next tick is due (only
 * possible when timeout > interval, or after the loop was blocked), that
 * tick is *skipped* and counted in stats.skipped, never queued: probes never
 * overlap themselves, so a slow service yields fewer samples rather than a
 * pile-up.  Ticks missed entirely because the loop was blocked for longer
 * than an interval are counted as skipped too.
 *
 * Deadlines.  An attempt fails with "timeout after N ms" when it has not
 * finished within timeout_us of its grid time (of the call, for
 * prober_once()), so with timeout <= interval attempts never overlap; an
 * attempt that starts later than its timeout (the loop was blocked) has
 * run out already.  Exec children are killed (SIGKILL to their process
 * group) at the deadline and reaped later.
 *
 * Results.  cb(arg, name, ok, latency_ms, start_us, detail) once per
 * attempt; start_us is when the attempt actually started (on the prober's
 * clock; it can be later than its grid time when the loop was late), and
 * latency is from that start to its end (for a timeout: the timeout).  The
 * callback runs when the result came.
 * detail is a short text for people and the event log:
 *   DNS   "NOERROR 198.18.3.10 198.18.3.11", "NOERROR empty", "NXDOMAIN",
 *         "SERVFAIL", "NOERROR 198.18.3.9 (want 198.18.3.10)",
 *         "timeout after 1000 ms", "udp: connection refused", "bad reply: ..."
 *   HTTP  "HTTP 200", "HTTP 503", "HTTP 200 body mismatch",
 *         "connect refused", "bad HTTP response"
 *   TCP   "connected", "connect refused", "connect: No route to host"
 *   EXEC  "exit 0", "exit 1", "signal 9", "timeout after 1000 ms (killed)"
 * The name and detail strings are only valid during the call.
 *
 * Callback rules: cb may call prober_stop(), prober_add() and
 * prober_once(); it must not call prober_free() (free it after the loop
 * iteration, e.g. from a zero-delay timer).
 *
 * Time.  A prober reads time and sets its timers only through its clock
 * (struct probe_clock).  prober_new() gives it the real one: the monotonic
 * clock (dd_now_us) read at each event, timers on the caller's loop, so
 * latencies and lateness are real.  prober_new_clock() takes another clock:
 * tests give a virtual one and fire its timers themselves, so schedules,
 * deadlines and latencies are exact and never wait on wall time.  Sockets
 * and exec children are watched on the loop either way.
 *
 * Children: exec probes reap their own children by pid (waitpid on the pid
 * their pidfd reports).  A caller that reaps with waitpid(-1, ...) steals
 * their status; such an attempt fails with "exit status lost".
 *
 * Ownership: prober_add() and prober_once() copy the spec (all strings, argv
 * and envp).  The prober borrows loop and topo, which must outlive it.
 * prober_free(NULL) is a no-op; prober_free() cancels every timer, closes
 * every socket, SIGKILLs and reaps running exec children, and calls no
 * callbacks.
 */
#ifndef DD_HARNESS_PROBE_H
#define DD_HARNESS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/err.h"

struct ev_loop;
struct netns_topo;
struct prober;

enum probe_kind {
	PROBE_DNS = 0,
	PROBE_HTTP,
	PROBE_TCP,
	PROBE_EXEC,
};

#define PROBE_DEFAULT_INTERVAL_US 1000000u  /* when interval_us is 0 */
#define PROBE_DEFAULT_TIMEOUT_US  1000000u  /* when timeout_us is 0 (capped
                                               at the interval) */
#define PROBE_RCODE_ANY (-1)
#define PROBE_DETAIL_MAX 256    /* detail strings are cut to fit */

/*
 * What to probe.  Zero-initialise and fill in what the kind needs; every
 * zero value means the documented default.
 */
struct probe_spec {
	const char *name;          /* required; unique within a prober */
	const char *host;          /* netns host name; NULL = caller's namespace */
	enum probe_kind kind;
	uint64_t interval_us;      /* 0: 1 s */
	uint64_t timeout_us;       /* 0: min(1 s, interval); may exceed the
	                              interval (ticks are then skipped) */

	/* PROBE_DNS */
	const char *qname;         /* required, "www.example.com" */
	int qtype;                 /* 0: A (see dns_type_from_str()) */
	struct dd_sockaddr server; /* required; port 0 means 53 */
	bool use_tcp;              /* otherwise UDP, retried over TCP on TC=1 */
	int expect_rcode;          /* 0 = NOERROR (default); PROBE_RCODE_ANY:
	                              any well-formed reply is ok, NODATA too */
	/* Optional: must appear among the answer records.  An IP literal is
	 * compared as an address with A/AAAA rdata; any other text is a
	 * case-insensitive substring of some answer record's rdata text
	 * ("cname.example.net", "v=spf1"). */
	const char *expect_answer;
	/* A NOERROR reply with no answer record of qtype ("NOERROR empty",
	 * NODATA) is a failure unless this is set; then it counts as ok (an
	 * answer is still ok too).  Cannot be combined with expect_answer. */
	bool expect_empty;

	/* PROBE_HTTP */
	const char *url;           /* "http://IP[:PORT][/path]", IPv6 as [addr];
	                              no names (nothing resolves them) */
	int expect_status;         /* 0: 200 */
	const char *body_match;    /* optional POSIX extended regex over the
	                              body (first 64 KiB, up to a NUL byte) */

	/* PROBE_TCP */
	struct dd_sockaddr addr;   /* ok when connect completes in time */

	/* PROBE_EXEC */
	const char *const *argv;   /* required, NULL-terminated; argv[0] from PATH */
	const char *const *envp;   /* NULL: the caller's environment */
	int expect_exit;           /* 0 by default */
};

typedef void (*probe_cb)(void *arg, const char *probe_name, bool ok,
    double latency_ms, uint64_t start_us, const char *detail);

/* Scheduling hook (benchmarks, diagnostics): called when a tick fires, with
 * the grid time it was due and the time it actually ran (on the prober's
 * clock), and whether an attempt was started (false: skipped). */
typedef void (*probe_sched_hook)(void *arg, const char *probe_name,
    uint64_t due_us, uint64_t fired_us, bool started);

struct probe_stats {
	uint64_t sent;             /* attempts started */
	uint64_t ok, fail;         /* attempts finished either way */
	uint64_t skipped;          /* ticks not run (attempt still running,
	                              or loop blocked past the tick) */
	uint64_t late_max_us;      /* worst tick lateness seen */
	double last_latency_ms;    /* of the latest finished attempt */
};

/*
 * A prober's source of time.  now_us: monotonic microseconds.  timer_at:
 * call cb(loop, arg) once, at when_us on this clock (or as soon after as it
 * can); returns a handle, or NULL when out of memory.  timer_cancel: cancel
 * a pending handle, never one that fired.  ctx is passed to all three.
 */
struct probe_clock {
	void *ctx;
	uint64_t (*now_us)(void *ctx);
	void *(*timer_at)(void *ctx, uint64_t when_us,
	    void (*cb)(struct ev_loop *loop, void *arg), void *arg);
	void (*timer_cancel)(void *ctx, void *timer);
};

/* NULL when out of memory.  topo may be NULL (then no spec may name a host);
 * cb receives every result of every probe added with prober_add().  Runs
 * on the real clock, its timers on loop. */
struct prober *prober_new(struct ev_loop *loop, struct netns_topo *topo,
    probe_cb cb, void *arg);

/* The same on clock (copied; its ctx must outlive the prober).  NULL clock:
 * the real one.  NULL when out of memory. */
struct prober *prober_new_clock(struct ev_loop *loop, struct netns_topo *topo,
    const struct probe_clock *clock, probe_cb cb, void *arg);

/* Validate and copy spec.  DD_EINVAL with a message naming the probe
 * ("probe 'api': url: port out of range"), DD_ENOMEM.  May be called after
 * prober_start(); the probe then starts at once. */
int prober_add(struct prober *p, const struct probe_spec *spec,
    struct dd_err *err);

/* Validate a spec without adding it (same messages as prober_add). */
int probe_spec_check(const struct probe_spec *spec, bool have_topo,
    struct dd_err *err);

/* Schedule every probe: first attempt now, then on the grid.  Calling it
 * again while started does nothing.  0 or DD_ENOMEM. */
int prober_start(struct prober *p);

/* Cancel future ticks and abandon running attempts of scheduled probes
 * (without calling back; exec children are killed and reaped later).
 * prober_once() attempts carry on.  Safe to call from the callback. */
void prober_stop(struct prober *p);

void prober_free(struct prober *p);

/* Counters of the probe named name: 0, or DD_ENOTFOUND. */
int prober_stats(const struct prober *p, const char *name,
    struct probe_stats *out);

void prober_set_sched_hook(struct prober *p, probe_sched_hook hook, void *arg);

/*
 * One attempt of spec, now, outside the schedule (readiness checks:
 * "ready = {tcp = '198.18.1.2:80'}" becomes a PROBE_TCP spec,
 * "ready = {http = URL}" a PROBE_HTTP one).  interval_us is ignored and
 * name may repeat or be NULL ("once").  cb is called exactly once, never
 * from inside this call, unless prober_free() comes first (then never).
 * Not counted in any probe's stats.  0, DD_EINVAL (with message) or
 * DD_ENOMEM.
 */
int prober_once(struct prober *p, const struct probe_spec *spec, probe_cb cb,
    void *arg, struct dd_err *err);

/* "dns", "http", "tcp", "exec"; and back (-1 when unknown). */
const char *probe_kind_name(enum probe_kind kind);
int probe_kind_parse(const char *s);

#endif
