/*
 * lua_fields.c -- checking a declaration's table, for every declaration
 * file (lua_decl.c, lua_proc.c): unknown fields, strings, booleans,
 * durations, lists of strings, the line a declaration comes from, and the
 * common start of a named declaration (decl_new).  Each raises a Lua error
 * naming the declaration and the field.
 */
#include "harness/lua_internal.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

void
sc_lua_check_fields(lua_State *L, int idx, const char *what, const char *const *known,
    bool allow_array)
{
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TNUMBER && allow_array)
			continue;
		if (lua_type(L, -1) != LUA_TSTRING) {
			luaL_error(L, "%s: unexpected %s key (fields are named: %s = ...)", what,
			    luaL_typename(L, -1), known[0] ? known[0] : "name");
		}
		const char *k = lua_tostring(L, -1);
		bool ok = false;
		for (const char *const *p = known; *p; p++)
			if (strcmp(*p, k) == 0)
				ok = true;
		if (!ok) {
			luaL_Buffer b;
			luaL_buffinit(L, &b);
			for (const char *const *p = known; *p; p++) {
				if (p != known)
					luaL_addstring(&b, ", ");
				luaL_addstring(&b, *p);
			}
			luaL_pushresult(&b);
			luaL_error(L, "%s: unknown field '%s' (known: %s)", what, k, lua_tostring(L, -1));
		}
	}
}


/* t[field] as a string (or NULL when absent); numbers are accepted. */
const char *
sc_lua_opt_str(lua_State *L, int t, const char *field, const char *what)
{
	const char *s = NULL;
	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return NULL;
	}
	if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: field '%s' must be a string, not %s", what, field,
		    luaL_typename(L, -1));
	s = lua_tostring(L, -1);
	lua_pop(L, 1); /* the string stays alive: it is in the table */
	lua_getfield(L, t, field);
	s = lua_tostring(L, -1);
	lua_pop(L, 1);
	return s;
}


bool
sc_lua_opt_bool(lua_State *L, int t, const char *field, const char *what, bool def)
{
	bool v = def;
	lua_getfield(L, t, field);
	if (!lua_isnil(L, -1)) {
		if (!lua_isboolean(L, -1))
			luaL_error(L, "%s: field '%s' must be true or false, not %s", what, field,
			    luaL_typename(L, -1));
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* A duration: "250ms", "2s", or a number of seconds. */
uint64_t
sc_lua_to_duration(lua_State *L, int idx, const char *what, const char *field)
{
	uint64_t us;
	if (lua_type(L, idx) == LUA_TNUMBER) {
		double v = lua_tonumber(L, idx);
		if (!(v >= 0) || v > 1e7)
			luaL_error(L, "%s: %s must be a duration ('250ms', '2s' or seconds), not %s",
			    what, field, lua_tostring(L, idx));
		return (uint64_t)(v * 1e6 + 0.5);
	}
	/* a string needs its unit: "2" would otherwise silently mean 2 ms,
	 * while the number 2 means 2 s */
	const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
	size_t sl = s ? strlen(s) : 0;
	if (s == NULL || sl == 0 || (s[sl - 1] >= '0' && s[sl - 1] <= '9') || s[sl - 1] == '.' ||
	    dd_duration_parse(s, &us) < 0)
		luaL_error(L, "%s: %s must be a duration ('250ms', '2s' or seconds), not '%s'",
		    what, field, luaL_tolstring(L, idx, NULL));
	return us;
}

bool
sc_lua_opt_duration(lua_State *L, int t, const char *field, const char *what, uint64_t *out)
{
	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return false;
	}
	*out = sc_lua_to_duration(L, -1, what, field);
	lua_pop(L, 1);
	return true;
}

/* A string or a list of strings into (*v, *n). */
void
sc_lua_opt_strlist(lua_State *L, int t, const char *field, const char *what, char ***v, size_t *n)
{
	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (lua_type(L, -1) == LUA_TSTRING) {
		char **slot = sc_push(v, n, sizeof(char *));
		if (slot)
			*slot = sc_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: field '%s' must be a string or a list of strings, not %s",
		    what, field, luaL_typename(L, -1));
	lua_Integer len = luaL_len(L, -1);
	/* every entry checked before any is copied: an error leaves nothing
	 * half-built (a caller's local list would leak when luaL_error jumps
	 * out of it; found by fuzz_scenario) */
	for (lua_Integer i = 1; i <= len; i++) {
		lua_geti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			luaL_error(L, "%s: %s[%d] must be a string, not %s", what, field, (int)i,
			    luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	for (lua_Integer i = 1; i <= len; i++) {
		lua_geti(L, -1, i);
		char **slot = sc_push(v, n, sizeof(char *));
		if (slot)
			*slot = sc_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}


/* The line of the scenario file the declaration comes from: a
 * declaration made by a library (use "name") is placed where the scenario
 * called into it, since messages name the scenario's file. */
int
sc_lua_cur_line(lua_State *L)
{
	const char *file = sc_lua_of(L)->sc->file;
	lua_Debug ar;
	int first = 0;

	for (int lv = 1; lua_getstack(L, lv, &ar); lv++) {
		if (!lua_getinfo(L, "Sl", &ar))
			break;
		if (lv == 1)
			first = ar.currentline;
		if (ar.source[0] == '@' && strcmp(ar.source + 1, file) == 0)
			return ar.currentline;
	}
	return first;
}


/*
 * The common start of every named declaration: name it for messages
 * ("probe 'www'"), check the table's fields, refuse a second declaration of
 * the name, and append a zeroed item with its name and line set.  Every
 * declared struct starts with its `char *name`; line_off is where its
 * `int line` is.
 */
void *
sc_lua_decl_new(lua_State *L, int t, const char *kind, const char *name,
    const char *const *known, void *arr_ptr, size_t *n, size_t elem,
    size_t line_off, char *what, size_t wlen)
{
	char *base = *(char **)arr_ptr, *item;

	snprintf(what, wlen, "%s '%s'", kind, name);
	sc_lua_check_fields(L, t, what, known, false);
	for (size_t i = 0; i < *n; i++)
		if (strcmp(*(char **)(void *)(base + i * elem), name) == 0)
			luaL_error(L, "%s: declared twice", what);
	item = sc_push(arr_ptr, n, elem);
	if (item == NULL) {
		luaL_error(L, "out of memory");
		return NULL;
	}
	*(char **)(void *)item = sc_strdup(name);
	*(int *)(void *)(item + line_off) = sc_lua_cur_line(L);
	return item;
}

