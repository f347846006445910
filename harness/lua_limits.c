/*
 * lua_limits.c -- what bounds the work a scenario can do inside one call
 * into Lua's C library, where the instruction-count watchdog (lua_api.c)
 * never runs:
 *
 *   - memory: the state's allocator counts every byte and refuses to go
 *     past the limit (SC_LUA_MEM_DEFAULT, --lua-mem), so Lua raises "not
 *     enough memory" instead of the host swapping;
 *   - string.rep builds at most SC_LUA_STRING_MAX bytes (and repeats an
 *     empty string and separator no times at all), table.move moves
 *     at most as many elements as the memory limit could hold;
 *   - string.find, match, gmatch and gsub refuse a pattern whose worst case
 *     (Lua patterns backtrack) is over SC_LUA_PATTERN_BUDGET steps for the
 *     subject's length: see pattern_cost();
 *   - setmetatable refuses a __gc field: finalizers run with hooks off.
 *
 * Each wrapper checks, then calls the library's own function in the same
 * call frame, so its errors still name the function ("bad argument #1 to
 * 'rep'").
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lua_internal.h"

/* ---------------- the allocator ---------------- */

void *
sc_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sc_lua *S = ud;
	size_t old = ptr != NULL ? osize : 0;   /* else osize is a type tag */
	void *p;

	if (nsize == 0) {
		free(ptr);
		S->mem_used -= old;
		return NULL;
	}
	if (nsize > old) {
		/* the runner's own calls into the state (a traceback, stats()'s
		 * table) may use a small reserve beyond the limit, so reporting
		 * that the scenario hit it cannot fail the same way */
		size_t limit = S->mem_limit;
		if (atomic_load(&S->busy) != SC_LUA_BUSY)
			limit += SC_LUA_MEM_RESERVE;
		if (nsize - old > limit || S->mem_used > limit - (nsize - old)) {
			S->mem_refused = true;
			return NULL;
		}
	}
	if ((p = realloc(ptr, nsize)) == NULL)
		return NULL;
	S->mem_used = S->mem_used - old + nsize;
	return p;
}

/* ---------------- string.rep, table.move ---------------- */

static lua_CFunction
orig(lua_State *L)
{
	return lua_tocfunction(L, lua_upvalueindex(1));
}

static int
l_rep(lua_State *L)
{
	size_t l, lsep;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);
	if (n > 0 && (double)l * (double)n + (double)lsep * (double)(n - 1) >
	    (double)SC_LUA_STRING_MAX)
		return luaL_error(L, "string.rep: the result would be over %d MiB, the "
		    "limit for a scenario's strings", SC_LUA_STRING_MAX >> 20);
	/* nothing repeated n times is nothing, but the library would still
	 * loop n times in C (fuzzing: string.rep("", 4 << 40) never returned) */
	if (l == 0 && lsep == 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	return orig(L)(L);
}

static int
l_move(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
	/* one element is at least a 16-byte value: more than the memory limit
	 * could hold is a loop over nothing, in C */
	double most = (double)S->mem_limit / 16.0;
	if (e >= f && (double)e - (double)f + 1 > most)
		return luaL_error(L, "table.move: more elements than the scenario's memory "
		    "limit could hold (%I)", (lua_Integer)most);
	return orig(L)(L);
}

/* ---------------- patterns ---------------- */

/*
 * The worst-case number of steps Lua's matcher may take for pattern p
 * (length lp) on a subject of ls bytes.  Lua patterns backtrack: each
 * unbounded quantifier (*, +, -) may try every length of the rest of the
 * subject, a %b or a back-reference (%1..%9) may scan all of it, and ? tries
 * two ways; at each of up to ls+1 start positions (one when anchored with
 * ^), each try walking the pattern.  So:
 *
 *   starts x (lp + 1) x (ls + 1)^(quantifiers + %b + back-references) x 2^(?)
 *
 * It is an upper bound, not an estimate: "a.-b" on a 100 KB subject is
 * refused although most subjects would be fast.  Without any of those the
 * cost is starts x (lp + 1), a plain search.
 */
/* Past a character class at p[i] ([set] or %x or one character). */
static size_t
skip_class(const char *p, size_t lp, size_t i)
{
	if (p[i] == '%')
		return i + 2;
	if (p[i] != '[')
		return i + 1;
	i++;
	if (i < lp && p[i] == '^')
		i++;
	do {   /* the first ] is part of the set */
		if (i < lp && p[i] == '%')
			i++;
		i++;
	} while (i < lp && p[i] != ']');
	return i + 1;
}

static double
pattern_cost(const char *p, size_t lp, size_t ls, bool anchor_ok)
{
	double n = (double)ls + 1, starts = n, cost;
	size_t i = 0;

	if (anchor_ok && lp > 0 && p[0] == '^') {
		starts = 1;
		i = 1;
	}
	cost = starts * ((double)lp + 1);
	while (i < lp) {
		if (p[i] == '(' || p[i] == ')') {
			i++;
			continue;
		}
		if (p[i] == '%' && i + 1 < lp && p[i + 1] == 'b') {
			cost *= n;
			i += 4;
			continue;
		}
		if (p[i] == '%' && i + 1 < lp && p[i + 1] == 'f') {
			i += 2;
			if (i < lp)
				i = skip_class(p, lp, i);
			continue;
		}
		if (p[i] == '%' && i + 1 < lp && p[i + 1] >= '0' && p[i + 1] <= '9') {
			cost *= n;
			i += 2;
			continue;
		}
		i = skip_class(p, lp, i);
		if (i < lp && (p[i] == '*' || p[i] == '+' || p[i] == '-')) {
			cost *= n;
			i++;
		} else if (i < lp && p[i] == '?') {
			cost *= 2;
			i++;
		}
	}
	return cost;
}

static bool
has_specials(const char *p, size_t lp)
{
	return strpbrk(p, "^$*+?.([%-") != NULL || strlen(p) < lp;
}

/* Refuse (a Lua error naming fn) a search of p in the string at 1 that
 * could take more than the budget.  plain: a byte-string search. */
static void
check_pattern(lua_State *L, const char *fn, bool anchor_ok, bool plain)
{
	size_t ls, lp;
	luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	double cost;

	if (plain || !has_specials(p, lp)) {
		/* memchr + memcmp at every start: cheap steps */
		cost = ((double)ls + 1) * ((double)lp + 1) / 64.0;
	} else {
		cost = pattern_cost(p, lp, ls, anchor_ok);
	}
	if (cost > SC_LUA_PATTERN_BUDGET) {
		char msg[300];
		snprintf(msg, sizeof(msg), "string.%s: pattern '%.40s%s' on a subject of %zu "
		    "bytes could take %.0e steps (it backtracks); a scenario's searches are "
		    "limited to %.0e: use a shorter subject, anchor the pattern with ^ or use "
		    "fewer quantifiers (* + - ?)", fn, p, lp > 40 ? "..." : "", ls, cost,
		    (double)SC_LUA_PATTERN_BUDGET);
		luaL_error(L, "%s", msg);
	}
}

static int
l_find(lua_State *L)
{
	check_pattern(L, "find", true, lua_toboolean(L, 4));
	return orig(L)(L);
}

static int
l_match(lua_State *L)
{
	check_pattern(L, "match", true, false);
	return orig(L)(L);
}

static int
l_gmatch(lua_State *L)
{
	check_pattern(L, "gmatch", false, false);
	return orig(L)(L);
}

static int
l_gsub(lua_State *L)
{
	check_pattern(L, "gsub", true, false);
	return orig(L)(L);
}

/* ---------------- setmetatable ---------------- */

static int
l_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "setmetatable: __gc is not available in scenarios "
			    "(a finalizer runs where the watchdog cannot stop it)");
		lua_pop(L, 1);
	}
	return orig(L)(L);
}

/* Replace table[name] (a C function) by wrap, which reaches it as its
 * upvalue. */
static void
wrap(lua_State *L, int table, const char *name, lua_CFunction w)
{
	table = lua_absindex(L, table);
	lua_getfield(L, table, name);
	lua_CFunction f = lua_tocfunction(L, -1);
	lua_pop(L, 1);
	if (f == NULL)
		return;
	lua_pushcfunction(L, f);
	lua_pushcclosure(L, w, 1);
	lua_setfield(L, table, name);
}

void
sc_lua_limits_register(lua_State *L)
{
	lua_getglobal(L, "string");
	wrap(L, -1, "rep", l_rep);
	wrap(L, -1, "find", l_find);
	wrap(L, -1, "match", l_match);
	wrap(L, -1, "gmatch", l_gmatch);
	wrap(L, -1, "gsub", l_gsub);
	lua_pop(L, 1);
	lua_getglobal(L, "table");
	wrap(L, -1, "move", l_move);
	lua_pop(L, 1);
	lua_pushglobaltable(L);
	wrap(L, -1, "setmetatable", l_setmetatable);
	lua_pop(L, 1);
}
