/*
 * lua_use.c -- use "name": the scenario library (scenarios/lib/NAME.lua,
 * shipped with dnsdrill) loaded into the scenario's own sandbox.
 *
 * A library is a Lua chunk like a scenario: same globals (strict, so it
 * keeps its own names local and returns what it offers), same watchdog and
 * memory cap, text only (no bytecode).  It runs once per state: a second
 * use of the name returns what the first returned (or true when the chunk
 * returned nothing).  Names are [a-z][a-z0-9_-]* and resolve inside the
 * library folder only (symbolic links leading out are refused); require,
 * dofile and loadfile stay out of the sandbox.
 *
 * Where the folder is: beside the build the way bin() finds programs --
 * BUILD/../scenarios/lib in a checkout, BUILD/../share/dnsdrill/scenarios/lib
 * when installed (PREFIX/bin/dnsdrill), or what sc_lua_set_lib_dir() says.
 */
#include "harness/lua_internal.h"

#include <errno.h>
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The registry table of loaded libraries: name -> value (false while its
 * chunk runs, so a cycle is seen). */
#define USE_LOADED "dnsdrill.use"
#define USE_NAME_MAX 64

char *
sc_lua_lib_dir_default(const char *build_dir)
{
	static const char *const rel[] = { "../scenarios/lib", "../share/dnsdrill/scenarios/lib" };
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", build_dir ? build_dir : ".", rel[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && realpath(path, real) != NULL)
			return strdup(real);
	}
	/* neither exists: use() names the checkout's place in its message */
	snprintf(path, sizeof(path), "%s/%s", build_dir ? build_dir : ".", rel[0]);
	return strdup(path);
}

static void
check_lib_name(lua_State *L, const char *name, size_t len)
{
	bool ok = len > 0 && len <= USE_NAME_MAX && strlen(name) == len &&
	    name[0] >= 'a' && name[0] <= 'z';

	for (size_t i = 1; ok && i < len; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (!ok)
		luaL_error(L, "use \"%s\": a library name is a lowercase letter, then lowercase "
		    "letters, digits, '_' or '-' (at most %d), naming scenarios/lib/NAME.lua",
		    name, USE_NAME_MAX);
}

static int
l_use(lua_State *L)
{
	struct sc_lua *S = sc_lua_of(L);
	char path[PATH_MAX], real[PATH_MAX], rdir[PATH_MAX];
	size_t len;
	const char *name = luaL_checklstring(L, 1, &len);
	struct stat st;

	check_lib_name(L, name, len);
	lua_settop(L, 1);
	if (lua_getfield(L, LUA_REGISTRYINDEX, USE_LOADED) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, USE_LOADED);
	}
	/* stack: name, loaded */
	int t = lua_getfield(L, 2, name);
	if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))
		return luaL_error(L, "use \"%s\": used again while it loads (a cycle)", name);
	if (t != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	sc_lua_need_load_phase(L, "use");
	if (realpath(S->lib_dir, rdir) == NULL)
		return luaL_error(L, "use \"%s\": the scenario library %s: %s", name, S->lib_dir,
		    strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.lua", rdir, name);
	if (realpath(path, real) == NULL)
		return luaL_error(L, "use \"%s\": no library %s (%s)", name, path, strerror(errno));
	len = strlen(rdir);
	if (strncmp(real, rdir, len) != 0 || real[len] != '/' || strchr(real + len + 1, '/'))
		return luaL_error(L, "use \"%s\": %s leads out of the scenario library %s", name,
		    path, rdir);
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		return luaL_error(L, "use \"%s\": %s is not a file", name, path);
	lua_pushboolean(L, 0);
	lua_setfield(L, 2, name);
	if (luaL_loadfilex(L, real, "t") != LUA_OK)
		return lua_error(L);   /* "FILE:LINE: message" already */
	lua_call(L, 0, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, name);
	return 1;
}

void
sc_lua_use_register(lua_State *L)
{
	lua_pushcfunction(L, l_use);
	lua_setfield(L, -2, "use");
}
