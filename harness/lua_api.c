/*
 * lua_api.c -- the scenario language (see lua_api.h and doc/scenario-api.md):
 * the sandboxed state, the timeline functions and the scheduler that runs
 * them.  The declarations (host, dns, probe, score, ...) are in lua_decl.c.
 *
 * Sandbox: base (without dofile, loadfile, load, require, collectgarbage;
 * use "name" loads the scenario library instead, lua_use.c),
 * string, table, math (random seeded from the run's seed), utf8, coroutine.
 * No io, no os.  Globals are strict: reading or writing an undeclared global
 * is an error.  A count hook stops code that runs for seconds without
 * yielding, or at once after sc_lua_interrupt(); what a single call into
 * the C library may do is bounded in lua_limits.c (memory, string sizes,
 * pattern cost, no finalizers).
 */
#include "harness/lua_api.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lua_internal.h"
#include "harness/rootless.h"
#include "harness/rulecheck.h"
#include "lib/log.h"
#include "lib/util.h"

#define WATCHDOG_US (5u * 1000000u)

/* ---------------- who has the state ---------------- */

bool
sc_lua_seize(struct sc_lua *S)
{
	int from = SC_LUA_BUSY;
	return atomic_compare_exchange_strong(&S->busy, &from, SC_LUA_SEIZED);
}

void
sc_lua_interrupt(struct sc_lua *S)
{
	atomic_store(&S->interrupted, 1);
}

#define OP(S, expr) SC_LUA_OP(S, expr)

static void
need_timeline(lua_State *L, const char *fn)
{
	if (!sc_lua_of(L)->running)
		luaL_error(L, "%s() works only inside timeline(function() ... end)", fn);
}

static int
l_timeline(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);

	sc_lua_need_load_phase(L, "timeline");
	luaL_checktype(L, 1, LUA_TFUNCTION);
	if (S->sc->has_timeline)
		luaL_error(L, "timeline: declared twice");
	lua_pushvalue(L, 1);
	S->timeline_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	S->sc->has_timeline = true;
	return 0;
}

/* path("file") -> absolute path of a file inside the scenario's folder */
static int
l_path(lua_State *L)
{
	char *p = sc_lua_confine(L, "path", luaL_checkstring(L, 1));

	lua_pushstring(L, p);
	free(p);
	return 1;
}

/* bin("name") -> the project's program of that name */
static int
l_bin(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	const char *f = luaL_checkstring(L, 1);
	if (strchr(f, '/') != NULL)
		luaL_error(L, "bin: give a program name, not a path ('%s')", f);
	lua_pushfstring(L, "%s/%s", S->build_dir, f);
	return 1;
}

static int
l_print(lua_State *L)
{
	luaL_Buffer b;
	int n = lua_gettop(L);
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, ' ');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	log_info("scenario: %s", lua_tostring(L, -1));
	return 0;
}

/* rand() in [0,1), rand(n) in 1..n, rand(m, n) in m..n: the run's seed */
static int
l_rand(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	int n = lua_gettop(L);
	double r = dd_rng_double(&S->rng);
	if (n == 0) {
		lua_pushnumber(L, r);
		return 1;
	}
	lua_Integer lo = 1, hi;
	if (n == 1) {
		hi = luaL_checkinteger(L, 1);
	} else {
		lo = luaL_checkinteger(L, 1);
		hi = luaL_checkinteger(L, 2);
	}
	luaL_argcheck(L, lo <= hi, n, "interval is empty");
	lua_pushinteger(L, lo + (lua_Integer)(r * (double)(hi - lo + 1)));
	return 1;
}

/* ---------------- timeline functions ---------------- */

static struct sc_lua_co *
find_co(struct sc_lua *S, lua_State *co)
{
	for (size_t i = 0; i < S->ncos; i++)
		if (S->cos[i].co == co && S->cos[i].state != SC_LUA_CO_DONE)
			return &S->cos[i];
	return NULL;
}

static uint64_t
scaled_ms(struct sc_lua *S, uint64_t us)
{
	return (uint64_t)((double)us / S->sc->speed / 1000.0 + 0.5);
}

static int
yield_until(lua_State *L, uint64_t wake_ms)
{
	struct sc_lua *S = sc_lua_of(L);
	struct sc_lua_co *c = find_co(S, L);
	if (c == NULL)
		return luaL_error(L, "sleep/at/wait_until: call them from the timeline's own code, not from a condition");
	c->state = SC_LUA_CO_SLEEP;
	c->wake_ms = wake_ms;
	S->api_yield = true;
	return lua_yield(L, 0);
}

static int
l_sleep(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	need_timeline(L, "sleep");
	uint64_t us = sc_lua_to_duration(L, 1, "sleep", "the argument");
	return yield_until(L, S->now_ms + scaled_ms(S, us));
}

static int spawn_co(lua_State *L, int fidx, uint64_t wake_ms);

/* at(t): wait until t after the timeline started; at(t, fn): run fn then */
static int
l_at(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	need_timeline(L, "at");
	uint64_t when = S->start_ms + scaled_ms(S, sc_lua_to_duration(L, 1, "at", "the time"));
	if (lua_gettop(L) >= 2) {
		luaL_checktype(L, 2, LUA_TFUNCTION);
		return spawn_co(L, 2, when);
	}
	return yield_until(L, when < S->now_ms ? S->now_ms : when);
}

static int
l_after(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	need_timeline(L, "after");
	uint64_t when = S->now_ms + scaled_ms(S, sc_lua_to_duration(L, 1, "after", "the delay"));
	luaL_checktype(L, 2, LUA_TFUNCTION);
	return spawn_co(L, 2, when);
}

/* wait_until(fn, timeout) -> true when fn() turned true, false on timeout.
 * The timeout is real time, not scaled: it bounds how long the SUT gets. */
static int
l_wait_until(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	struct sc_lua_co *c;
	need_timeline(L, "wait_until");
	luaL_checktype(L, 1, LUA_TFUNCTION);
	uint64_t us = sc_lua_to_duration(L, 2, "wait_until", "the timeout");
	c = find_co(S, L);
	if (c == NULL)
		return luaL_error(L, "wait_until: call it from the timeline's own code");
	lua_pushvalue(L, 1);
	c->cond_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	c->state = SC_LUA_CO_WAIT;
	c->wake_ms = S->now_ms + us / 1000;
	S->api_yield = true;
	return lua_yield(L, 0);
}

static int
l_phase(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	need_timeline(L, "phase");
	const char *name = luaL_checkstring(L, 1);
	if (S->have_ops)
		OP(S, S->ops.phase(S->ops.arg, name));
	return 0;
}

static int
l_mark(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	need_timeline(L, "mark");
	const char *text = luaL_checkstring(L, 1);
	if (S->have_ops)
		OP(S, S->ops.mark(S->ops.arg, text));
	return 0;
}

static int
l_inject(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	struct dd_err err = { "no reason given" };
	uint64_t id = 0;
	need_timeline(L, "inject");
	const char *dns = luaL_checkstring(L, 1);
	const char *rule = luaL_checkstring(L, 2);
	if (!scenario_dns(S->sc, dns))
		return luaL_error(L, "inject: no dns server '%s'", dns);
	/* a rule built at run time is checked here, where the error can name
	 * the timeline's line; faultd never sees a bad one */
	if (rulecheck_rule(rule, &err) < 0)
		return luaL_error(L, "inject %s: %s", dns, err.msg);
	int rc = 0;
	if (S->have_ops)
		OP(S, rc = S->ops.inject(S->ops.arg, dns, rule, &id, &err));
	if (rc < 0)
		return luaL_error(L, "inject %s: %s", dns, err.msg);
	lua_pushinteger(L, (lua_Integer)id);
	return 1;
}

static int
l_clear(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	struct dd_err err = { "no reason given" };
	need_timeline(L, "clear");
	const char *dns = luaL_checkstring(L, 1);
	lua_Integer id = luaL_optinteger(L, 2, 0);
	if (!scenario_dns(S->sc, dns))
		return luaL_error(L, "clear: no dns server '%s'", dns);
	int rc = 0;
	if (S->have_ops)
		OP(S, rc = S->ops.clear(S->ops.arg, dns, (uint64_t)id, &err));
	if (rc < 0)
		return luaL_error(L, "clear %s: %s", dns, err.msg);
	return 0;
}

static int
proc_action(lua_State *L, const char *what)
{
	struct sc_lua *S = sc_lua_of(L);
	struct dd_err err = { "no reason given" };
	need_timeline(L, what);
	const char *name = luaL_checkstring(L, 1);
	if (!scenario_proc(S->sc, name))
		return luaL_error(L, "%s: no process '%s'", what, name);
	int rc = 0;
	if (S->have_ops)
		OP(S, rc = S->ops.proc(S->ops.arg, name, what, &err));
	if (rc < 0)
		return luaL_error(L, "%s %s: %s", what, name, err.msg);
	return 0;
}

static int l_start(lua_State *L) { return proc_action(L, "start"); }
static int l_stop(lua_State *L) { return proc_action(L, "stop"); }
static int l_kill(lua_State *L) { return proc_action(L, "kill"); }

static int
l_now(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	lua_pushnumber(L, (double)(S->now_ms - S->start_ms) / 1000.0);
	return 1;
}

/* speed(): incident seconds per real second, as scenario { speed } or
 * --set speed=N made it (1 until then): what a profile divides the
 * incident's timers by */
static int
l_speed(lua_State *L)
{
	lua_pushnumber(L, sc_lua_of(L)->sc->speed);
	return 1;
}

/* rootless(): true in a rootless run (or check), where only root is
 * mapped: profiles leave out dropping privileges (doc/rootless.md) */
static int
l_rootless(lua_State *L)
{
	lua_pushboolean(L, rootless_active());
	return 1;
}

static int
l_seen(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	const char *name = luaL_checkstring(L, 1);
	long n = 0;
	if (S->have_ops)
		OP(S, n = S->ops.watch_count(S->ops.arg, name));
	if (n < 0)
		return luaL_error(L, "seen: no watch '%s'", name);
	lua_pushinteger(L, n);
	return 1;
}

static int
l_probe_ok(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	const char *name = luaL_checkstring(L, 1);
	bool known = false;
	for (size_t i = 0; i < S->sc->n_probes; i++)
		if (strcmp(S->sc->probes[i].name, name) == 0)
			known = true;
	if (!known)
		return luaL_error(L, "probe_ok: no probe '%s'", name);
	int r = -1;
	if (S->have_ops)
		OP(S, r = S->ops.probe_last(S->ops.arg, name));
	if (r < 0)
		lua_pushnil(L);
	else
		lua_pushboolean(L, r);
	return 1;
}

/* The answer stats() resumes with: (table) or (nil, message). */
static int
stats_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	if (lua_isnil(L, -2))
		return luaL_error(L, "stats %s: %s", lua_tostring(L, 1), lua_tostring(L, -1));
	lua_pop(L, 1);
	return 1;
}

/*
 * stats("dns") -> faultd's counters now: sends the request and waits (the
 * coroutine yields; other coroutines and the run go on) until faultd's
 * answer arrives, normally within a few ms.  The table is the reading the
 * run also keeps for result.json (why = "timeline").
 */
static int
l_stats(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	struct dd_err err = { "no reason given" };
	struct sc_lua_co *c;

	need_timeline(L, "stats");
	const char *dns = luaL_checkstring(L, 1);
	lua_settop(L, 1);
	if (!scenario_dns(S->sc, dns))
		return luaL_error(L, "stats: no dns server '%s'", dns);
	if ((c = find_co(S, L)) == NULL)
		return luaL_error(L, "stats: call it from the timeline's own code, not from a condition");
	if (!S->have_ops || S->ops.stats == NULL)
		return luaL_error(L, "stats %s: no run to ask", dns);
	int rc;
	OP(S, rc = S->ops.stats(S->ops.arg, dns, (unsigned)(c - S->cos), &err));
	if (rc < 0)
		return luaL_error(L, "stats %s: %s", dns, err.msg);
	c->state = SC_LUA_CO_STATS;
	c->wake_ms = UINT64_MAX;
	S->api_yield = true;
	return lua_yieldk(L, 0, 0, stats_k);
}

/* t[name] = v for n counts */
static void
set_counts(lua_State *L, const struct elog_count *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lua_pushinteger(L, (lua_Integer)v[i].value);
		lua_setfield(L, -2, v[i].name);
	}
}

void
sc_lua_stats_done(struct sc_lua *S, unsigned token, const struct elog_stats *st,
    const char *err)
{
	lua_State *L = S->L;
	struct sc_lua_co *c;

	if (token >= S->ncos || S->cos[token].state != SC_LUA_CO_STATS)
		return;
	c = &S->cos[token];
	if (st == NULL || !lua_checkstack(L, 4)) {
		lua_pushstring(L, err ? err : "no answer");
		c->stats_failed = true;
	} else {
		lua_createtable(L, 0, (int)st->n_counters + 8);
		set_counts(L, st->counters, st->n_counters);
		lua_pushstring(L, st->dns);
		lua_setfield(L, -2, "dns");
		lua_pushinteger(L, (lua_Integer)st->t_ms);
		lua_setfield(L, -2, "t_ms");
		lua_pushstring(L, elog_stats_why_name(st->why));
		lua_setfield(L, -2, "why");
		lua_createtable(L, 0, (int)st->n_actions);
		set_counts(L, st->actions, st->n_actions);
		lua_setfield(L, -2, "actions");
		lua_createtable(L, (int)st->n_rules, 0);
		for (size_t i = 0; i < st->n_rules; i++) {
			lua_createtable(L, 0, 3);
			lua_pushinteger(L, (lua_Integer)st->rules[i].id);
			lua_setfield(L, -2, "id");
			lua_pushinteger(L, (lua_Integer)st->rules[i].hits);
			lua_setfield(L, -2, "hits");
			lua_pushstring(L, st->rules[i].rule);
			lua_setfield(L, -2, "rule");
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, "rules");
		lua_createtable(L, 0, (int)st->n_clients);
		set_counts(L, st->clients, st->n_clients);
		lua_setfield(L, -2, "clients");
		lua_pushinteger(L, (lua_Integer)st->clients_other);
		lua_setfield(L, -2, "clients_other");
		c->stats_failed = false;
	}
	c->stats_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	c->state = SC_LUA_CO_SLEEP;
	c->wake_ms = S->now_ms;     /* due at the next step */
}

/* ---------------- the state ---------------- */

static int
strict_index(lua_State *L)
{
	return luaL_error(L, "'%s' is not defined (a typo? globals are strict in scenarios)",
	    luaL_tolstring(L, 2, NULL));
}

static int
strict_newindex(lua_State *L)
{
	return luaL_error(L, "assignment to undeclared global '%s' (use local)",
	    luaL_tolstring(L, 2, NULL));
}

static void
watchdog(lua_State *L, lua_Debug *ar)
{
	struct sc_lua *S = sc_lua_of(L);
	if (atomic_load(&S->interrupted)) {
		/* as below: no pcall() may swallow it */
		lua_sethook(L, watchdog, LUA_MASKCOUNT, 1);
		luaL_error(L, "interrupted");
	}
	bool over_budget = S->budget_hooks > 0 && ++S->slice_hooks > S->budget_hooks;

	if (over_budget || dd_now_us() - S->slice_start_us > WATCHDOG_US) {
		/* luaL_error would name the caller of the looping function (or
		 * nothing, at the top level): name the loop itself */
		if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
			lua_pushfstring(L, "%s:%d: ", ar->short_src, ar->currentline);
		else
			lua_pushliteral(L, "");
		if (over_budget)
			lua_pushfstring(L, "%sscenario code ran for more than %I instructions "
			    "without yielding (an endless loop?)", lua_tostring(L, -1),
			    (lua_Integer)(S->budget_hooks * 10000u));
		else
			lua_pushfstring(L, "%sscenario code ran for more than %d s without "
			    "yielding (an endless loop?)", lua_tostring(L, -1),
			    (int)(WATCHDOG_US / 1000000u));
		/* from now on every instruction fails, so a pcall() inside the
		 * loop cannot swallow the error and keep going */
		lua_sethook(L, watchdog, LUA_MASKCOUNT, 1);
		lua_error(L);
	}
}

/* Scenario code is about to run on thread L: undo a watchdog that fired
 * there before.  The clock (slice_start_us) restarts once per load or
 * timeline step, so a step whose coroutines never wait (a loop around
 * sleep(0)) is stopped too. */
static void
arm_watchdog(lua_State *L)
{
	/* lua_sethook restarts the instruction count: only when needed */
	if (lua_gethook(L) != watchdog || lua_gethookcount(L) != 10000)
		lua_sethook(L, watchdog, LUA_MASKCOUNT, 10000);
}

static const luaL_Reg api[] = {
	{ "timeline", l_timeline }, { "path", l_path },
	{ "bin", l_bin }, { "print", l_print }, { "rand", l_rand },
	{ "sleep", l_sleep }, { "at", l_at }, { "after", l_after },
	{ "wait_until", l_wait_until }, { "phase", l_phase }, { "mark", l_mark },
	{ "inject", l_inject }, { "clear", l_clear }, { "start", l_start },
	{ "stop", l_stop }, { "kill", l_kill }, { "now", l_now }, { "seen", l_seen },
	{ "speed", l_speed }, { "rootless", l_rootless },
	{ "probe_ok", l_probe_ok }, { "stats", l_stats },
	{ NULL, NULL },
};

static int
msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (msg == NULL)
		msg = luaL_tolstring(L, 1, NULL);
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* An error outside any pcall: the runner's own call into the state
 * failed (out of memory even with the reserve).  Lua aborts after this. */
static int
panic(lua_State *L)
{
	const char *m = lua_tostring(L, -1);
	log_warnx("scenario state: unprotected error: %s", m ? m : "?");
	return 0;
}

struct sc_lua *
sc_lua_new(struct scenario *sc, uint64_t seed, const char *build_dir)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { LUA_COLIBNAME, luaopen_coroutine },
		{ NULL, NULL },
	};
	static const char *const banned[] = { "dofile", "loadfile", "load", "require",
		"collectgarbage", NULL };
	struct sc_lua *S = calloc(1, sizeof(*S));

	if (S == NULL)
		return NULL;
	S->sc = sc;
	S->timeline_ref = LUA_NOREF;
	S->build_dir = sc_strdup(build_dir ? build_dir : ".");
	S->lib_dir = sc_lua_lib_dir_default(S->build_dir);
	dd_rng_seed(&S->rng, seed);
	S->mem_limit = SC_LUA_MEM_DEFAULT;
	atomic_init(&S->busy, SC_LUA_IDLE);
	atomic_init(&S->interrupted, 0);
	S->L = lua_newstate(sc_lua_alloc, S);
	if (S->L == NULL || S->build_dir == NULL || S->lib_dir == NULL) {
		sc_lua_free(S);
		return NULL;
	}
	lua_State *L = S->L;
	*(struct sc_lua **)lua_getextraspace(L) = S;
	lua_atpanic(L, panic);
	for (const luaL_Reg *l = libs; l->name; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	sc_lua_limits_register(L);
	for (const char *const *b = banned; *b; b++) {
		lua_pushnil(L);
		lua_setglobal(L, *b);
	}
	/* math.random draws from the run's seed too */
	lua_getglobal(L, "math");
	lua_pushcfunction(L, l_rand);
	lua_setfield(L, -2, "random");
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	lua_pushglobaltable(L);
	luaL_setfuncs(L, api, 0);
	sc_lua_decls_register(L);
	sc_lua_proc_register(L);
	sc_lua_use_register(L);
	sc_lua_zone_register(L);
	sc_lua_dnssec_register(L);
	/* strict globals */
	lua_newtable(L);
	lua_pushcfunction(L, strict_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, strict_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_setmetatable(L, -2);
	lua_pop(L, 1);
	lua_sethook(L, watchdog, LUA_MASKCOUNT, 10000);
	return S;
}

void
sc_lua_free(struct sc_lua *S)
{
	if (S == NULL)
		return;
	if (S->L)
		lua_close(S->L);
	free(S->cos);
	free(S->build_dir);
	free(S->lib_dir);
	free(S);
}

int
sc_lua_set_lib_dir(struct sc_lua *S, const char *dir)
{
	char *d = sc_strdup(dir);

	if (d == NULL)
		return DD_ENOMEM;
	free(S->lib_dir);
	S->lib_dir = d;
	return 0;
}

void
sc_lua_set_mem_limit(struct sc_lua *S, size_t bytes)
{
	S->mem_limit = bytes;
}

/*
 * A failed call into scenario code, as err: the memory limit (Lua gives no
 * message handler a chance then, and a traceback would need memory: the
 * file and the line of the innermost Lua function of co, if any, instead),
 * an interrupt (-EINTR), else msg.  Returns the code.
 */
static int
call_error(struct sc_lua *S, lua_State *co, int status, const char *msg, struct dd_err *err)
{
	lua_Debug ar;
	char where[300];

	if (atomic_load(&S->interrupted)) {
		dd_err_set(err, "%s: interrupted", S->sc->file);
		return -EINTR;
	}
	if (status != LUA_ERRMEM) {
		dd_err_set(err, "%s", msg ? msg : "error");
		return DD_EINVAL;
	}
	snprintf(where, sizeof(where), "%s", S->sc->file);
	for (int lv = 0; co != NULL && lua_getstack(co, lv, &ar); lv++)
		if (lua_getinfo(co, "Sl", &ar) && ar.currentline > 0) {
			snprintf(where, sizeof(where), "%s:%d", ar.short_src, ar.currentline);
			break;
		}
	dd_err_set(err, "%s: the scenario needed more than %zu MiB of memory (the limit; "
	    "--lua-mem MiB raises it)", where, S->mem_limit >> 20);
	return DD_EINVAL;
}

void
sc_lua_set_budget(struct sc_lua *S, uint64_t instructions)
{
	/* at least one hook call, or a tiny budget would mean none */
	S->budget_hooks = instructions == 0 ? 0 :
	    instructions < 10000u ? 1 : instructions / 10000u;
}

void
sc_lua_set_ops(struct sc_lua *S, const struct sc_ops *ops)
{
	S->ops = *ops;
	S->have_ops = true;
}

static int
where_error(struct dd_err *err, const struct scenario *sc, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
where_error(struct dd_err *err, const struct scenario *sc, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dd_err_set(err, "%s:%d: %s", sc->file, line, msg);
	return DD_EINVAL;
}

/* Cross-checks that need the whole description. */
static int
validate(struct sc_lua *S, struct dd_err *err)
{
	struct scenario *sc = S->sc;

	if (!sc->has_timeline)
		return where_error(err, sc, 1, "no timeline(function() ... end) declared");
	if (sc->n_hosts == 0 && !sc->no_topology)
		return where_error(err, sc, 1, "no hosts declared (host \"name\" { ... }); "
		    "scenario { topology = false } runs without a network of its own");
	{
		int rc = sc_lua_topology_finish(S, err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < sc->n_nets; i++)
		for (size_t j = 0; j < sc->nets[i].n_members; j++)
			if (!scenario_host(sc, sc->nets[i].members[j].host))
				return where_error(err, sc, sc->nets[i].line, "%s '%s': unknown host '%s'",
				    sc->nets[i].is_link ? "link" : "lan", sc->nets[i].name,
				    sc->nets[i].members[j].host);
	for (size_t i = 0; i < sc->n_dns; i++)
		if (sc->dns[i].host != NULL && !scenario_host(sc, sc->dns[i].host))
			return where_error(err, sc, sc->dns[i].line, "dns '%s': unknown host '%s'",
			    sc->dns[i].name, sc->dns[i].host);
	for (size_t i = 0; i < sc->n_procs; i++) {
		if (sc->procs[i].host != NULL && !scenario_host(sc, sc->procs[i].host))
			return where_error(err, sc, sc->procs[i].line, "process '%s': unknown host '%s'",
			    sc->procs[i].name, sc->procs[i].host);
		if (scenario_dns(sc, sc->procs[i].name))
			return where_error(err, sc, sc->procs[i].line,
			    "process '%s': a dns server has that name", sc->procs[i].name);
	}
	for (size_t i = 0; i < sc->n_probes; i++)
		if (sc->probes[i].host != NULL && !scenario_host(sc, sc->probes[i].host))
			return where_error(err, sc, sc->probes[i].line, "probe '%s': unknown host '%s'",
			    sc->probes[i].name, sc->probes[i].host);
	for (size_t i = 0; i < sc->n_watches; i++)
		if (!scenario_proc(sc, sc->watches[i].process) &&
		    !scenario_dns(sc, sc->watches[i].process))
			return where_error(err, sc, sc->watches[i].line, "watch '%s': unknown process '%s'",
			    sc->watches[i].name, sc->watches[i].process);
	for (size_t i = 0; i < sc->n_caps; i++)
		if (sc->caps[i].host != NULL && !scenario_host(sc, sc->caps[i].host))
			return where_error(err, sc, sc->caps[i].line, "capture '%s': unknown host '%s'",
			    sc->caps[i].name, sc->caps[i].host);
	/* matchers name things that exist */
	struct sc_match *ms[68];
	size_t nm = 0;
	for (size_t i = 0; i < sc->n_detect && nm < 60; i++)
		ms[nm++] = &sc->detect[i];
	ms[nm++] = &sc->service;
	ms[nm++] = &sc->primary;
	ms[nm++] = &sc->primary_lost;
	ms[nm++] = &sc->fault_start;
	ms[nm++] = &sc->fault_stop;
	for (size_t i = 0; i < nm; i++) {
		struct sc_match *m = ms[i];
		bool ok = true;
		if (!m->set || m->source == NULL)
			continue;
		if (m->kind == ELOG_WATCH) {
			ok = false;
			for (size_t k = 0; k < sc->n_watches; k++)
				if (strcmp(sc->watches[k].name, m->source) == 0)
					ok = true;
		} else if (m->kind == ELOG_PROBE) {
			ok = false;
			for (size_t k = 0; k < sc->n_probes; k++)
				if (strcmp(sc->probes[k].name, m->source) == 0)
					ok = true;
		} else if (m->kind == ELOG_PROC_EXIT || m->kind == ELOG_PROC_START) {
			ok = scenario_proc(sc, m->source) || scenario_dns(sc, m->source);
		}
		if (!ok)
			return where_error(err, sc, S->score_line, "score: no %s named '%s'",
			    m->kind == ELOG_WATCH ? "watch" : m->kind == ELOG_PROBE ? "probe" : "process",
			    m->source);
	}
	/* amplification names captures; one without sut = ADDR counts every
	 * DNS query it sees (a resolver's link to the authority, say) */
	for (size_t i = 0; i < sc->n_amp_links + (sc->rate.set ? 1 : 0); i++) {
		const char *link = i < sc->n_amp_links ? sc->amp_links[i] : sc->rate.source;
		struct sc_capture *cap = NULL;
		for (size_t k = 0; k < sc->n_caps; k++)
			if (strcmp(sc->caps[k].name, link) == 0)
				cap = &sc->caps[k];
		if (cap == NULL)
			return where_error(err, sc, S->score_line,
			    "score: amplification = '%s' must name a capture", link);
		cap->count_all = cap->count_from == NULL;
	}
	{
		/* score{} and expect against the whole declaration; the
		 * processes' scratch("name") placeholders */
		int rc = sc_lua_score_finish(S, err);
		if (rc == 0)
			rc = sc_lua_proc_finish(S, err);
		if (rc != 0)
			return rc;
	}
	/* --set keys the scenario does not know */
	for (size_t i = 0; i < sc->n_sets; i++) {
		if (sc->set_used[i] || strcmp(sc->sets[i].key, "speed") == 0 ||
		    sc->sets_optional)
			continue;
		char names[256] = "";
		for (size_t k = 0; k < sc->n_params; k++) {
			strncat(names, k ? ", " : "", sizeof(names) - strlen(names) - 1);
			strncat(names, sc->params[k].name, sizeof(names) - strlen(names) - 1);
		}
		dd_err_set(err, "--set %s=%s: %s has no parameter '%s' (parameters: %s)",
		    sc->sets[i].key, sc->sets[i].value, sc->file, sc->sets[i].key,
		    names[0] ? names : "none");
		return DD_EINVAL;
	}
	return 0;
}

int
sc_lua_load(struct sc_lua *S, struct dd_err *err)
{
	lua_State *L = S->L;
	int rc;

	/* --set speed=N overrides the file */
	for (size_t i = 0; i < S->sc->n_sets; i++) {
		if (strcmp(S->sc->sets[i].key, "speed") == 0) {
			double d;
			if (dd_parse_double(S->sc->sets[i].value, &d) < 0 || d <= 0) {
				dd_err_set(err, "--set speed=%s: must be a number > 0", S->sc->sets[i].value);
				return DD_EINVAL;
			}
			S->sc->speed = d;
		}
	}
	lua_pushcfunction(L, msghandler);
	rc = luaL_loadfilex(L, S->sc->file, "t");
	if (rc != LUA_OK) {
		/* "file:line: message" already */
		dd_err_set(err, "%s", lua_tostring(L, -1));
		lua_pop(L, 2);
		return DD_EINVAL;
	}
	S->slice_start_us = dd_now_us();
	S->slice_hooks = 0;
	arm_watchdog(L);
	sc_lua_set_busy(S, true);
	rc = lua_pcall(L, 0, 0, -2);
	sc_lua_set_busy(S, false);
	if (rc != LUA_OK) {
		rc = call_error(S, NULL, rc, lua_tostring(L, -1), err);
		/* keep only the first line: the traceback is for timeline errors */
		char *nl = strchr(err->msg, '\n');
		if (nl)
			*nl = '\0';
		lua_pop(L, 2);
		return rc;
	}
	lua_pop(L, 1);
	if (S->sc->name == NULL) {
		/* the file name without .lua */
		const char *b = strrchr(S->sc->file, '/');
		S->sc->name = sc_strdup(b ? b + 1 : S->sc->file);
		char *dot = strrchr(S->sc->name, '.');
		if (dot && strcmp(dot, ".lua") == 0)
			*dot = '\0';
	}
	return validate(S, err);
}

/* ---------------- the scheduler ---------------- */

static int
spawn_co(lua_State *L, int fidx, uint64_t wake_ms)
{
	struct sc_lua *S = sc_lua_of(L);
	struct sc_lua_co *c;
	lua_State *co;

	fidx = lua_absindex(L, fidx);
	c = sc_push(&S->cos, &S->ncos, sizeof(*c));
	if (c == NULL)
		return luaL_error(L, "out of memory");
	co = lua_newthread(L);
	c->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	c->co = co;
	c->state = SC_LUA_CO_SLEEP;
	c->wake_ms = wake_ms;
	c->cond_ref = LUA_NOREF;
	c->stats_ref = LUA_NOREF;
	lua_sethook(co, watchdog, LUA_MASKCOUNT, 10000);
	lua_pushvalue(L, fidx);
	lua_xmove(L, co, 1);
	return 0;
}

int
sc_lua_timeline_start(struct sc_lua *S, uint64_t now_ms, struct dd_err *err)
{
	lua_State *L = S->L;

	S->start_ms = S->now_ms = now_ms;
	S->running = true;
	lua_rawgeti(L, LUA_REGISTRYINDEX, S->timeline_ref);
	if (spawn_co(L, -1, now_ms) != 0) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	lua_pop(L, 1);
	S->cos[S->ncos - 1].main = true;
	return 0;
}

int
sc_lua_waiting(const struct sc_lua *S)
{
	for (size_t i = 0; i < S->ncos; i++)
		if (S->cos[i].state == SC_LUA_CO_WAIT)
			return 1;
	return 0;
}

static int
co_error(struct sc_lua *S, lua_State *co, int status, struct dd_err *err)
{
	const char *m = lua_tostring(co, -1);
	if (status == LUA_ERRMEM || atomic_load(&S->interrupted))
		return call_error(S, co, status, m, err);
	luaL_traceback(S->L, co, m ? m : "error in the timeline", 0);
	dd_err_set(err, "%s", lua_tostring(S->L, -1));
	lua_pop(S->L, 1);
	return DD_EINVAL;
}

/* Evaluate a waiting coroutine's condition: 1 true, 0 false, or DD_EINVAL. */
static int
eval_cond(struct sc_lua *S, struct sc_lua_co *c, struct dd_err *err)
{
	lua_State *L = S->L;
	int r;

	arm_watchdog(L);
	lua_pushcfunction(L, msghandler);
	lua_rawgeti(L, LUA_REGISTRYINDEX, c->cond_ref);
	sc_lua_set_busy(S, true);
	r = lua_pcall(L, 0, 1, -2);
	sc_lua_set_busy(S, false);
	if (r != LUA_OK) {
		r = call_error(S, NULL, r, lua_tostring(L, -1), err);
		lua_pop(L, 2);
		return r;
	}
	r = lua_toboolean(L, -1);
	lua_pop(L, 2);
	return r;
}

/* Resume S->cos[i]; a waiting one gets the condition's result. */
static int
resume_co(struct sc_lua *S, size_t i, int cond, struct dd_err *err)
{
	lua_State *L = S->L;
	struct sc_lua_co *c = &S->cos[i];
	lua_State *co = c->co;
	int nargs = 0, nres, rc;

	if (c->state == SC_LUA_CO_WAIT) {
		luaL_unref(L, LUA_REGISTRYINDEX, c->cond_ref);
		c->cond_ref = LUA_NOREF;
		lua_pushboolean(co, cond);
		nargs = 1;
	} else if (c->stats_ref != LUA_NOREF) {
		/* stats() answered: (table) or (nil, message), see stats_k */
		if (c->stats_failed)
			lua_pushnil(co);
		lua_rawgeti(L, LUA_REGISTRYINDEX, c->stats_ref);
		lua_xmove(L, co, 1);
		if (!c->stats_failed)
			lua_pushnil(co);
		luaL_unref(L, LUA_REGISTRYINDEX, c->stats_ref);
		c->stats_ref = LUA_NOREF;
		nargs = 2;
	}
	arm_watchdog(co);
	S->api_yield = false;
	sc_lua_set_busy(S, true);
	rc = lua_resume(co, L, nargs, &nres);
	sc_lua_set_busy(S, false);
	/* S->cos may have moved if the coroutine spawned others */
	c = &S->cos[i];
	if (rc == LUA_YIELD) {
		lua_pop(co, nres);
		if (!S->api_yield) {
			/* a bare coroutine.yield() would be resumed at once, for
			 * ever: the timeline waits only through the API */
			luaL_where(co, 1);
			dd_err_set(err, "%scoroutine.yield() in the timeline: wait with sleep(), at() "
			    "or wait_until()", lua_tostring(co, -1));
			lua_pop(co, 1);
			return DD_EINVAL;
		}
		return 0;
	}
	if (rc != LUA_OK)
		return co_error(S, co, rc, err);
	c->state = SC_LUA_CO_DONE;
	if (c->main)
		S->main_done = true;
	luaL_unref(L, LUA_REGISTRYINDEX, c->ref);
	return 0;
}

int
sc_lua_timeline_step(struct sc_lua *S, uint64_t now_ms, uint64_t *next_ms,
    struct dd_err *err)
{
	S->now_ms = now_ms;
	S->slice_start_us = dd_now_us();
	S->slice_hooks = 0;
	for (;;) {
		size_t pick = SIZE_MAX;
		int rc, cond = 0;

		/*
		 * The earliest due time first (a sleep or at() that expired, or a
		 * wait_until deadline), so a late step keeps the timeline's order.
		 */
		for (size_t i = 0; i < S->ncos; i++) {
			const struct sc_lua_co *c = &S->cos[i];
			if (c->state != SC_LUA_CO_DONE && c->wake_ms <= now_ms &&
			    (pick == SIZE_MAX || c->wake_ms < S->cos[pick].wake_ms))
				pick = i;
		}
		if (pick != SIZE_MAX) {
			if (S->cos[pick].state == SC_LUA_CO_WAIT &&
			    (cond = eval_cond(S, &S->cos[pick], err)) < 0)
				return cond;
			if ((rc = resume_co(S, pick, cond, err)) < 0)
				return rc;
			continue;
		}
		/* then the conditions still within their time */
		for (size_t i = 0; i < S->ncos && pick == SIZE_MAX; i++) {
			if (S->cos[i].state != SC_LUA_CO_WAIT)
				continue;
			if ((cond = eval_cond(S, &S->cos[i], err)) < 0)
				return cond;
			if (cond)
				pick = i;
		}
		if (pick == SIZE_MAX)
			break;
		if ((rc = resume_co(S, pick, 1, err)) < 0)
			return rc;
	}
	*next_ms = UINT64_MAX;
	for (size_t i = 0; i < S->ncos; i++)
		if (S->cos[i].state != SC_LUA_CO_DONE && S->cos[i].wake_ms < *next_ms)
			*next_ms = S->cos[i].wake_ms;
	return S->main_done ? 1 : 0;
}
