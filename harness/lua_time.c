/*
 * lua_time.c -- the scenario's time declarations (doc/scenario-api.md,
 * "Time"): scenario { start = "..." }, the incident's clock at the
 * timeline's start, and a process's `timers`, which a resolver profile uses
 * to say which of its software's timers it scaled to the run's speed and
 * which it could not.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lua_internal.h"
#include "model/timescale.h"

void
sc_lua_time_start(lua_State *L, int t, struct scenario *sc)
{
	int64_t epoch;
	bool tod;

	lua_getfield(L, t, "start");
	if (!lua_isnil(L, -1)) {
		const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;

		if (s == NULL || timescale_parse_start(s, &epoch, &tod) < 0)
			luaL_error(L, "scenario: start must be the incident's wall time in UTC, "
			    "\"2025-10-20T05:48:00Z\" or \"05:48\", not '%s'",
			    luaL_tolstring(L, -1, NULL));
		free(sc->incident_start);
		if ((sc->incident_start = sc_strdup(s)) == NULL)
			luaL_error(L, "out of memory");
	}
	lua_pop(L, 1);
}

/* One { name = , incident = , real = , note = } at the top of the stack. */
static void
one_timer(lua_State *L, const char *what, lua_Integer i, struct sc_process *p)
{
	static const char *const known[] = { "name", "incident", "real", "note", NULL };
	char where[96];
	struct sc_timer *tm;

	snprintf(where, sizeof(where), "%s: timers[%lld]", what, (long long)i);
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: must be a table { name = \"...\", incident = \"15m\", real = \"2s\" }",
		    where);
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		bool ok = false;

		for (const char *const *q = known; k != NULL && *q; q++)
			ok = ok || strcmp(*q, k) == 0;
		if (!ok)
			luaL_error(L, "%s: unknown field (known: name, incident, real, note)", where);
		lua_pop(L, 1);
	}
	if ((tm = sc_push(&p->timers, &p->n_timers, sizeof(*tm))) == NULL)
		luaL_error(L, "out of memory");
	lua_getfield(L, -1, "name");
	if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0)
		luaL_error(L, "%s: needs name = \"...\" (the software's own name for it)", where);
	tm->name = sc_strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	lua_getfield(L, -1, "incident");
	if (lua_isnil(L, -1))
		luaL_error(L, "%s: needs incident = (what the timer is in the incident, \"15m\")", where);
	tm->incident_us = sc_lua_to_duration(L, -1, where, "incident");
	lua_pop(L, 1);
	lua_getfield(L, -1, "real");
	if (!lua_isnil(L, -1)) {
		tm->real_us = sc_lua_to_duration(L, -1, where, "real");
		tm->has_real = true;
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "note");
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: note must be a string", where);
		tm->note = sc_strdup(lua_tostring(L, -1));
	}
	lua_pop(L, 1);
	if (tm->name == NULL)
		luaL_error(L, "out of memory");
}

void
sc_lua_time_timers(lua_State *L, int t, const char *what, struct sc_process *p)
{
	lua_getfield(L, t, "timers");
	if (!lua_isnil(L, -1)) {
		lua_Integer n;

		if (!lua_istable(L, -1))
			luaL_error(L, "%s: timers must be a list of { name = , incident = , real = }",
			    what);
		n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			one_timer(L, what, i, p);
			lua_pop(L, 1);
		}
		p->timers_set = true;
	}
	lua_pop(L, 1);
}
