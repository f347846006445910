/*
 * event.h -- the run's event log: the one spine every other part reads.
 *
 * Everything that happens in a run -- a phase starting, a fault injected, a
 * probe result, a SUT log line matching a watch, a process exiting, a
 * capture rate sample -- is one struct ev with a timestamp in milliseconds
 * since run start (monotonic clock; the runner owns time and passes it in).
 * Scoring (score.h) reads only this log; reports read only the result that
 * holds it.
 *
 * The log is append-only and always in time order: ev_log_add() appends, and
 * an event older than the last one (a capture sample delivered late) is
 * inserted after every event with the same or an earlier timestamp, so equal
 * timestamps keep their arrival order.
 *
 * Ownership: the log copies every string it is given into its own arena;
 * struct ev pointers and the strings they hold stay valid until the next
 * ev_log_add() (events may move; strings never do) or ev_log_free().
 * ev_log_free(NULL) is a no-op.
 */
#ifndef DD_HARNESS_EVENT_H
#define DD_HARNESS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest source name and text kept; longer ones are cut on a UTF-8
 * character boundary. */
#define EV_SOURCE_MAX 128
#define EV_TEXT_MAX 512

enum ev_kind {
	EV_PHASE_START = 0, /* source: phase name */
	EV_PHASE_END,       /* source: phase name */
	EV_FAULT_INJECT,    /* source: fault target (DNS host); text: the rule */
	EV_FAULT_CLEAR,     /* source: fault target; text: what was cleared */
	EV_PROBE,           /* source: probe name; text: detail; u.probe */
	EV_WATCH,           /* source: watch name; text: the matching line */
	EV_PROC_START,      /* source: process name; text: command line */
	EV_PROC_EXIT,       /* source: process name; u.exit */
	EV_MARK,            /* source: who marked; text: free form */
	EV_RATE,            /* source: link; u.rate (capture query rate) */
	EV_KIND_COUNT
};

struct ev {
	uint64_t t_ms;      /* ms since run start */
	enum ev_kind kind;
	const char *source; /* never NULL ("" when none) */
	const char *text;   /* never NULL ("" when none) */
	union {
		struct {
			bool ok;
			double latency_ms;
		} probe;
		struct {
			int code;   /* exit status, or -1 when killed by a signal */
			int signal; /* terminating signal, 0 when exited */
		} exit;
		struct {
			double qps;         /* DNS queries per second ... */
			uint64_t window_ms; /* ... over the window ending at t_ms */
		} rate;
	} u;
};

/* Read-only for users: iterate ev[0..n). */
struct ev_log {
	struct ev *ev;
	size_t n;
	size_t cap;
	struct ev_arena *arena; /* private */
};

/* Returns NULL when out of memory. */
struct ev_log *ev_log_new(void);
void ev_log_free(struct ev_log *log);

/*
 * Add a copy of e (strings copied; NULL strings become "").  Returns 0,
 * DD_EINVAL (kind out of range) or DD_ENOMEM (log unchanged).
 */
int ev_log_add(struct ev_log *log, const struct ev *e);

/* Shorthands for ev_log_add(); same return values. */
int ev_log_phase(struct ev_log *log, uint64_t t_ms, bool start,
    const char *name);
int ev_log_fault(struct ev_log *log, uint64_t t_ms, bool inject,
    const char *target, const char *text);
int ev_log_probe(struct ev_log *log, uint64_t t_ms, const char *probe,
    bool ok, double latency_ms, const char *detail);
int ev_log_watch(struct ev_log *log, uint64_t t_ms, const char *watch,
    const char *line);
int ev_log_proc_start(struct ev_log *log, uint64_t t_ms, const char *name,
    const char *cmdline);
int ev_log_proc_exit(struct ev_log *log, uint64_t t_ms, const char *name,
    int code, int signal);
int ev_log_mark(struct ev_log *log, uint64_t t_ms, const char *source,
    const char *text);
int ev_log_rate(struct ev_log *log, uint64_t t_ms, const char *link,
    double qps, uint64_t window_ms);

/* Time of the last event, 0 for an empty log. */
uint64_t ev_log_last_ms(const struct ev_log *log);

/* "phase_start", "probe", ...; "?" when out of range.  ev_kind_parse()
 * returns 0 or DD_EINVAL. */
const char *ev_kind_name(enum ev_kind kind);
int ev_kind_parse(const char *name, enum ev_kind *out);

#endif
