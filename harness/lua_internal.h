/*
 * lua_internal.h -- what lua_api.c (the state, sandbox and scheduler),
 * lua_decl.c (the declaration bindings), lua_proc.c (process declarations
 * and scratch()), lua_use.c (use "name") and lua_limits.c share.  Private
 * to those files.
 *
 * struct sc_lua is the per-run state: it owns the lua_State, the
 * coroutines of the timeline and the build_dir copy, and borrows the
 * scenario it fills.  sc_lua_of() finds it from any thread of the state (its
 * pointer lives in the main thread's extra space).
 */
#ifndef DD_HARNESS_LUA_INTERNAL_H
#define DD_HARNESS_LUA_INTERNAL_H

#include <lua.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "lib/util.h"

enum sc_lua_co_state { SC_LUA_CO_SLEEP, SC_LUA_CO_WAIT, SC_LUA_CO_DONE,
	SC_LUA_CO_STATS /* stats(): waiting for faultd's answer */ };

struct sc_lua_co {
	lua_State *co;
	int ref;             /* registry ref anchoring the thread */
	enum sc_lua_co_state state;
	uint64_t wake_ms;    /* SC_LUA_CO_SLEEP: when; SC_LUA_CO_WAIT: deadline */
	int cond_ref;        /* SC_LUA_CO_WAIT: the condition function */
	bool main;
	/* stats() answered: the table (or the error message, stats_failed)
	 * handed to the coroutine when it resumes; LUA_NOREF otherwise */
	int stats_ref;
	bool stats_failed;
};

/* Who has the state (struct sc_lua's busy): the runner, scenario code (Lua
 * or a library function it called), or another thread that seized it for
 * good (sc_lua_seize).  Only the guard thread reads it from outside. */
enum { SC_LUA_IDLE, SC_LUA_BUSY, SC_LUA_SEIZED };

/* Limits of lua_limits.c (see there and doc/scenario-api.md) */
#define SC_LUA_MEM_RESERVE (1u << 20)     /* for the runner past the limit */
#define SC_LUA_STRING_MAX (16 << 20)      /* string.rep's result */
#define SC_LUA_PATTERN_BUDGET 1e8         /* matcher steps per search */

struct sc_lua {
	lua_State *L;
	size_t mem_used, mem_limit;  /* bytes the allocator gave out, may give */
	bool mem_refused;            /* it refused one (the limit was hit) */
	atomic_int busy;             /* SC_LUA_IDLE, _BUSY, _SEIZED */
	atomic_int interrupted;      /* sc_lua_interrupt() was called */
	struct scenario *sc;
	struct sc_ops ops;
	bool have_ops;
	struct dd_rng rng;
	char *build_dir;
	int timeline_ref;
	struct sc_lua_co *cos;
	size_t ncos;
	uint64_t start_ms;   /* timeline start */
	uint64_t now_ms;
	uint64_t slice_start_us;
	/* sc_lua_set_budget(): watchdog calls allowed per slice (0: no
	 * limit but the clock), and those made in this one */
	uint64_t budget_hooks;
	uint64_t slice_hooks;
	bool running;        /* inside the timeline */
	bool main_done;
	bool api_yield;      /* the last yield came from sleep/at/wait_until */
	char *lib_dir;       /* the scenario library use() loads from */
	int score_line;      /* where score {} was declared */
	bool score_seen;     /* score {} was called: a second call is refused */
};

/* The guard seized the state while this thread ran scenario code: it is
 * tearing the run down and will _exit(); never touch the run again. */
static inline void
sc_lua_park(void)
{
	for (;;)
		pause();
}

/* Scenario code starts (IDLE -> BUSY) or ends (BUSY -> IDLE); returns
 * whether the state changed, so a nested switch can be undone. */
static inline bool
sc_lua_set_busy(struct sc_lua *S, bool busy)
{
	int from = busy ? SC_LUA_IDLE : SC_LUA_BUSY;
	if (atomic_compare_exchange_strong(&S->busy, &from, busy ? SC_LUA_BUSY : SC_LUA_IDLE))
		return true;
	if (from == SC_LUA_SEIZED)
		sc_lua_park();
	return false;
}

/* The runner's operations run as the runner (not seizable: they change
 * the journal, sockets, the loop): SC_LUA_OP(S, expr) around each call. */
#define SC_LUA_OP(S, expr) do { bool op_was_ = sc_lua_set_busy((S), false); expr; \
	if (op_was_) sc_lua_set_busy((S), true); } while (0)

static inline struct sc_lua *
sc_lua_of(lua_State *L)
{
	return *(struct sc_lua **)lua_getextraspace(L);
}

/* A duration argument or field: "250ms", "2s", or a number of seconds.
 * Raises a Lua error naming what and field when it is none of those. */
uint64_t sc_lua_to_duration(lua_State *L, int idx, const char *what, const char *field);

/* harness/lua_time.c: scenario { start = } at table t into sc, and a
 * process's timers = {...} at table t into p; Lua errors name what. */
void sc_lua_time_start(lua_State *L, int t, struct scenario *sc);
void sc_lua_time_timers(lua_State *L, int t, const char *what, struct sc_process *p);

/* Raises a Lua error when fn, a declaration, is called inside the timeline. */
void sc_lua_need_load_phase(lua_State *L, const char *fn);

/* A file the scenario names (zones, path()): f relative to the scenario's
 * folder, which it must not leave, symlinks resolved (a part that does not
 * exist yet may not contain ".."); an absolute f is refused.  Returns
 * "DIR/f" (malloc'd, the caller frees it) or raises a Lua error naming
 * what and f. */
char *sc_lua_confine(lua_State *L, const char *what, const char *f);

/* The state's allocator (ud: the struct sc_lua), counting against
 * mem_limit; the runner gets SC_LUA_MEM_RESERVE more when not busy. */
void *sc_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Wrap string.rep, find, match, gmatch, gsub, table.move and setmetatable
 * in the state's (already opened) libraries with the limits above. */
void sc_lua_limits_register(lua_State *L);

/* Sets the declaration functions (scenario, param, score, expect, and host,
 * lan, link, dns, process, probe, watch, capture with their
 * kind "name" { ... } call form) in the table on top of L's stack. */
void sc_lua_decls_register(lua_State *L);

/* Field helpers (lua_fields.c) for the declaration files: each raises a
 * Lua error naming what and the field.  check_fields: every key of the
 * table at idx is one of known (numbers too when allow_array); opt_*: the
 * field when present (a string, numbers accepted; true/false; a duration;
 * a string or a list of strings appended to *v). */
void sc_lua_check_fields(lua_State *L, int idx, const char *what, const char *const *known,
    bool allow_array);
const char *sc_lua_opt_str(lua_State *L, int t, const char *field, const char *what);
bool sc_lua_opt_bool(lua_State *L, int t, const char *field, const char *what, bool def);
bool sc_lua_opt_duration(lua_State *L, int t, const char *field, const char *what,
    uint64_t *out);
void sc_lua_opt_strlist(lua_State *L, int t, const char *field, const char *what,
    char ***v, size_t *n);
/* The scenario file's line the current declaration comes from (a
 * library's declaration: where the scenario called into it). */
int sc_lua_cur_line(lua_State *L);
/* The common start of a named declaration: name it for messages ("probe
 * 'www'", into what), check the table's fields, refuse a second
 * declaration of the name, append a zeroed item with its name and line
 * (every declared struct starts with its `char *name`; line_off is where
 * its `int line` is); SC_LUA_DECL_NEW types it. */
void *sc_lua_decl_new(lua_State *L, int t, const char *kind, const char *name,
    const char *const *known, void *arr_ptr, size_t *n, size_t elem, size_t line_off,
    char *what, size_t wlen);
#define SC_LUA_DECL_NEW(L, t, kind, name, known, arr, n, type, what) \
	((type *)sc_lua_decl_new((L), (t), (kind), (name), (known), &(arr), &(n), \
	    sizeof(type), offsetof(type, line), (what), sizeof(what)))

/* process "name" { ... } (lua_proc.c): the decl_fn of the declaration. */
int sc_lua_decl_process(lua_State *L, const char *name, int t);
/* scratch() and scratch("name") (lua_proc.c) into the table on top. */
void sc_lua_proc_register(lua_State *L);
/* After loading: every scratch("name") placeholder in a process names a
 * process.  0 or DD_EINVAL with file:line in err. */
int sc_lua_proc_finish(struct sc_lua *S, struct dd_err *err);

/* The timeline's live zone changes (lua_zone.c: zone_set, zone_reset,
 * zone_empty, zone_ttl, zone_ns, record_add, record_del, ttl_set,
 * delegation_del, delegation_set) into the table on top. */
void sc_lua_zone_register(lua_State *L);

/* dnssec_key() (lua_dnssec.c) into the table on top; a dns declaration's
 * sign = {...} and nsec3 fields at table t into d (Lua errors name what). */
struct sc_dns;
void sc_lua_dnssec_register(lua_State *L);
void sc_lua_dnssec_dns(lua_State *L, int t, const char *what, struct sc_dns *d);

/* lua_remote.c: a dns declaration's remote = {...} at table t into d
 * (false when there is none; Lua errors name what and the field, among
 * them every started-faultd option given beside remote); after loading,
 * the rules of host = with and without a topology (scenario { topology =
 * false }): 0 or DD_EINVAL with file:line in err. */
bool sc_lua_dns_remote(lua_State *L, int t, const char *what, struct sc_dns *d);
int sc_lua_topology_finish(struct sc_lua *S, struct dd_err *err);

/* use "name" (lua_use.c) into the table on top; the library folder is
 * S->lib_dir (sc_lua_lib_dir_default() unless set). */
void sc_lua_use_register(lua_State *L);

/* After every declaration: score{} and expect name probes, watches and
 * processes that exist; then scenario_score_prepare().  Returns 0, or
 * DD_EINVAL / DD_ENOMEM with err naming the file and line. */
int sc_lua_score_finish(struct sc_lua *S, struct dd_err *err);

#endif /* DD_HARNESS_LUA_INTERNAL_H */
