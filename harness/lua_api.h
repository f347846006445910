/*
 * lua_api.h -- the scenario language: a sandboxed Lua 5.4 state per run.
 *
 * Loading a scenario runs its top level, whose declarations (host, lan,
 * link, dns, process, probe, watch, capture, score, expect, param, timeline)
 * fill a struct scenario; nothing is built then.  use "name" runs a file of
 * the scenario library in the same state.  During the run the
 * timeline is a coroutine (plus any started with at()/after()) that the
 * runner resumes from its event loop: sleep, at, wait_until and stats
 * yield back to it.  Actions (inject, clear, start, stop, kill, phase,
 * mark, stats) go to the runner through struct sc_ops.
 *
 * Errors in the scenario (syntax, unknown field, wrong type, bad parameter,
 * an unknown host) come back as "FILE:LINE: message".
 */
#ifndef DD_HARNESS_LUA_API_H
#define DD_HARNESS_LUA_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "harness/scenario.h"
#include "model/elog.h"

/* What the timeline can do to the run.  Each returns 0 or a negative code
 * with a message in err. */
struct sc_ops {
	void *arg;
	void (*phase)(void *arg, const char *name);
	void (*mark)(void *arg, const char *text);
	int (*inject)(void *arg, const char *dns, const char *rule, uint64_t *id,
	    struct dd_err *err);
	int (*clear)(void *arg, const char *dns, uint64_t id /* 0: all */,
	    struct dd_err *err);
	int (*proc)(void *arg, const char *name, const char *what /* start|stop|kill */,
	    struct dd_err *err);
	long (*watch_count)(void *arg, const char *watch);   /* -1: unknown */
	int (*probe_last)(void *arg, const char *probe);     /* -1 none/unknown, 0 fail, 1 ok */
	/* Ask dns's faultd for its counters; answer later, from the loop,
	 * with sc_lua_stats_done(token, ...) exactly once (unless this
	 * returns an error). */
	int (*stats)(void *arg, const char *dns, unsigned token, struct dd_err *err);
	/* A live zone change: send the control line to dns's faultd; the
	 * zone_change event is logged when faultd acknowledges it.  where
	 * ("scenario.lua:12: record_del") names the call in a refusal. */
	int (*zone)(void *arg, const char *dns, const char *line, const char *where,
	    struct dd_err *err);
};

struct sc_lua;

/* A new state for sc (not yet loaded).  seed drives rand()/math.random.
 * build_dir is where bin() finds the project's programs. */
struct sc_lua *sc_lua_new(struct scenario *sc, uint64_t seed, const char *build_dir);
void sc_lua_free(struct sc_lua *S);   /* NULL-safe */

/* Where use "name" finds NAME.lua (copied).  By default the scenario
 * library beside build_dir: BUILD/../scenarios/lib in a checkout, else
 * BUILD/../share/dnsdrill/scenarios/lib (make install).  0 or DD_ENOMEM. */
int sc_lua_set_lib_dir(struct sc_lua *S, const char *dir);
/* That default for build_dir: the first of the two folders that exists
 * (canonical), else the checkout's path; malloc'd, NULL when out of
 * memory. */
char *sc_lua_lib_dir_default(const char *build_dir);

/* The memory the state may use (scripts, data, the strings they build);
 * an allocation past it fails, Lua raises "not enough memory" and the load
 * or timeline step fails with DD_EINVAL, "FILE[:LINE]: the scenario needed
 * more than N MiB of memory".  Default SC_LUA_MEM_DEFAULT (--lua-mem). */
#define SC_LUA_MEM_DEFAULT ((size_t)256 << 20)
void sc_lua_set_mem_limit(struct sc_lua *S, size_t bytes);

/*
 * Stopping scenario code from another thread (the runner's guard on
 * SIGINT/SIGTERM; see harness/run_guard.c).
 *
 * sc_lua_interrupt(): async-signal-safe (one atomic store): scenario code
 * fails at its next instruction hook, a pcall() cannot catch it, and the
 * step returns -EINTR.  Code stuck inside one call into Lua's C library
 * (or blocked in a write) never reaches a hook; for that:
 *
 * sc_lua_seize(): when scenario code is running right now (not the
 * runner's own operations it called), take the state for good and return
 * true: the thread running it will block for ever when it would return to
 * the runner, so the caller may tear the run down and _exit().  False when
 * the runner has control.
 */
void sc_lua_interrupt(struct sc_lua *S);
bool sc_lua_seize(struct sc_lua *S);

/* Run the scenario file's top level and check the whole description.
 * Returns 0, or DD_EINVAL with "FILE:LINE: message" in err. */
int sc_lua_load(struct sc_lua *S, struct dd_err *err);

void sc_lua_set_ops(struct sc_lua *S, const struct sc_ops *ops);

/*
 * Stop scenario code that runs more than about instructions Lua VM
 * instructions without yielding (in one load, or one timeline step), as
 * the watchdog stops it after 5 s: an error naming the place.  0 (the
 * default) leaves only the clock.  Unlike the clock, the count does not
 * depend on the machine's load, so the outcome is the same on every run
 * (fuzzing, tests).  It is counted in steps of 10,000 instructions; time
 * spent inside one library call (string.rep) is not counted.
 */
void sc_lua_set_budget(struct sc_lua *S, uint64_t instructions);

/* Start the timeline at real time now_ms (ms since run start). */
int sc_lua_timeline_start(struct sc_lua *S, uint64_t now_ms, struct dd_err *err);

/*
 * Resume every coroutine that is due at now_ms (sleep/at expired, or a
 * wait_until condition true or timed out).  Returns 1 when the main timeline
 * has finished, 0 while it runs, DD_EINVAL on a scenario error (err has
 * FILE:LINE and a traceback), or -EINTR after sc_lua_interrupt().  *next_ms gets the next time something is due
 * (UINT64_MAX when only conditions are pending: call again on new events).
 */
int sc_lua_timeline_step(struct sc_lua *S, uint64_t now_ms, uint64_t *next_ms,
    struct dd_err *err);

/* Are any wait_until conditions pending (the runner then steps on a tick)? */
int sc_lua_waiting(const struct sc_lua *S);

/*
 * The answer to the stats() request that ops.stats got token for: the
 * reading (copied into a Lua table now), or NULL and why not.  The waiting
 * coroutine is due at the next sc_lua_timeline_step(): stats() returns the
 * table there, or raises err.  An unknown or stale token is ignored.
 */
void sc_lua_stats_done(struct sc_lua *S, unsigned token, const struct elog_stats *st,
    const char *err);

#endif
