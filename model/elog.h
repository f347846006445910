/*
 * elog.h -- the run's event log: the one spine every other part reads.
 *
 * Everything that happens in a run -- a phase starting, a fault injected, a
 * probe result, a SUT log line matching a watch, a process exiting, a
 * capture rate sample -- is one struct elog_ev with a timestamp in milliseconds
 * since run start (monotonic clock; the runner owns time and passes it in).
 * Scoring (score.h) reads only this log; reports read only the result that
 * holds it.
 *
 * The log is append-only and always in time order: elog_add() appends, and
 * an event older than the last one (a capture sample delivered late) is
 * inserted after every event with the same or an earlier timestamp, so equal
 * timestamps keep their arrival order.
 *
 * Beside the events the log keeps readings of faultd's counters
 * (struct elog_stats, elog_add_stats()).
 *
 * Ownership: the log copies every string it is given into its own arena;
 * struct elog_ev pointers and the strings they hold stay valid until the next
 * elog_add() (events may move; strings never do) or elog_free().
 * elog_free(NULL) is a no-op.
 */
#ifndef DD_MODEL_ELOG_H
#define DD_MODEL_ELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest source name and text kept; longer ones are cut on a UTF-8
 * character boundary. */
#define ELOG_SOURCE_MAX 128
#define ELOG_TEXT_MAX 512

enum elog_kind {
	ELOG_PHASE_START = 0, /* source: phase name */
	ELOG_PHASE_END,       /* source: phase name */
	ELOG_FAULT_INJECT,    /* source: fault target (DNS host); text: the rule */
	ELOG_FAULT_CLEAR,     /* source: fault target; text: what was cleared */
	ELOG_PROBE,           /* source: probe name; text: detail; u.probe */
	ELOG_WATCH,           /* source: watch name; text: the matching line */
	ELOG_PROC_START,      /* source: process name; text: command line */
	ELOG_PROC_EXIT,       /* source: process name; u.exit */
	ELOG_MARK,            /* source: who marked; text: free form */
	ELOG_RATE,            /* source: link; u.rate (capture query rate) */
	ELOG_ZONE_CHANGE,     /* source: DNS host; text: what faultd changed */
	ELOG_KIND_COUNT
};

struct elog_ev {
	uint64_t t_ms;      /* ms since run start */
	enum elog_kind kind;
	const char *source; /* never NULL ("" when none) */
	const char *text;   /* never NULL ("" when none) */
	union {
		struct {
			bool ok;
			double latency_ms;
			/* When the attempt started (ms since run start); t_ms
			 * is when its result came.  has_start is false in
			 * logs written before dnsdrill recorded it. */
			bool has_start;
			uint64_t start_ms;
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

/*
 * Beside the events: readings of a faultd's counters (its `stats json`,
 * faultd/ctl.h), each taken for a reason.  They are observations like the
 * events, but a whole table each, so they are kept in their own list in
 * the order they were added; scoring does not read them.
 */
enum elog_stats_why {
	ELOG_STATS_INJECT = 0, /* a fault the timeline injected is in place */
	ELOG_STATS_CLEAR,      /* the timeline is about to clear faults */
	ELOG_STATS_END,        /* the run ended; faultd is still running */
	ELOG_STATS_TIMELINE,   /* the timeline asked (stats()) */
	ELOG_STATS_START,      /* the timeline is starting: the baseline's
	                        * first reading */
	ELOG_STATS_PHASE,      /* a phase began (a fault window by phases) */
	ELOG_STATS_WHY_COUNT
};

struct elog_count {
	const char *name;      /* counter, action, or client address */
	uint64_t value;
};

struct elog_rule_hits {
	uint64_t id;           /* faultd's rule id */
	uint64_t hits;
	const char *rule;      /* the rule's text */
};

struct elog_stats {
	uint64_t t_ms;         /* when faultd's answer arrived, ms since run start */
	const char *dns;       /* the DNS server, as the scenario names it */
	enum elog_stats_why why;
	const char *error;     /* NULL, or why there are no counters */
	const struct elog_count *counters;     /* "queries", "replies", ... */
	size_t n_counters;
	const struct elog_count *actions;      /* queries decided per action */
	size_t n_actions;
	const struct elog_rule_hits *rules;    /* the rules then in place */
	size_t n_rules;
	const struct elog_count *clients;      /* queries per client address */
	size_t n_clients;
	uint64_t clients_other;                /* queries from every other one */
};

/* Read-only for users: iterate ev[0..n) and stats[0..n_stats). */
struct elog {
	struct elog_ev *ev;
	size_t n;
	size_t cap;
	struct elog_arena *arena; /* private */
	struct elog_stats *stats;
	size_t n_stats, cap_stats;
};

/* Returns NULL when out of memory. */
struct elog *elog_new(void);
void elog_free(struct elog *log);

/*
 * Add a copy of e (strings copied; NULL strings become "").  Returns 0,
 * DD_EINVAL (kind out of range) or DD_ENOMEM (log unchanged).
 */
int elog_add(struct elog *log, const struct elog_ev *e);

/* Shorthands for elog_add(); same return values. */
int elog_phase(struct elog *log, uint64_t t_ms, bool start,
    const char *name);
int elog_fault(struct elog *log, uint64_t t_ms, bool inject,
    const char *target, const char *text);
int elog_probe(struct elog *log, uint64_t t_ms, const char *probe,
    bool ok, double latency_ms, const char *detail);
/* A probe result at t_ms of an attempt that started at start_ms. */
int elog_probe_at(struct elog *log, uint64_t t_ms, uint64_t start_ms,
    const char *probe, bool ok, double latency_ms, const char *detail);
int elog_watch(struct elog *log, uint64_t t_ms, const char *watch,
    const char *line);
int elog_proc_start(struct elog *log, uint64_t t_ms, const char *name,
    const char *cmdline);
int elog_proc_exit(struct elog *log, uint64_t t_ms, const char *name,
    int code, int signal);
int elog_mark(struct elog *log, uint64_t t_ms, const char *source,
    const char *text);
/* A live change to the zones of DNS host dns, acknowledged by its faultd. */
int elog_zone(struct elog *log, uint64_t t_ms, const char *dns,
    const char *text);
int elog_rate(struct elog *log, uint64_t t_ms, const char *link,
    double qps, uint64_t window_ms);

/*
 * Append a copy of s (every string and array copied into the log; names cut
 * like sources, rule texts and errors like texts).  Returns 0, DD_EINVAL
 * (why out of range, or a NULL array with a count) or DD_ENOMEM (log
 * unchanged).  Pointers into log->stats stay valid until the next
 * elog_add_stats(); the strings and arrays they hold until elog_free().
 */
int elog_add_stats(struct elog *log, const struct elog_stats *s);

/* The latest reading of dns's counters, or NULL. */
const struct elog_stats *elog_stats_last(const struct elog *log, const char *dns);

/* "inject", "clear", "end", "timeline", "start"; "?" when out of range.  The parse
 * returns 0 or DD_EINVAL. */
const char *elog_stats_why_name(enum elog_stats_why why);
int elog_stats_why_parse(const char *name, enum elog_stats_why *out);

/* Time of the last event, 0 for an empty log. */
uint64_t elog_last_ms(const struct elog *log);

/* "phase_start", "probe", ...; "?" when out of range.  elog_kind_parse()
 * returns 0 or DD_EINVAL. */
const char *elog_kind_name(enum elog_kind kind);
int elog_kind_parse(const char *name, enum elog_kind *out);

#endif
