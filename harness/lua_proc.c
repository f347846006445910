/*
 * lua_proc.c -- the process declaration (process "name" { ... }) and
 * scratch(): what a process runs, where, as whom, how its readiness is
 * seen, the files it gets in its scratch folder and the command that tells
 * its version.  Like lua_decl.c it only checks and copies into struct
 * sc_process; the runner (run_proc.c) creates the scratch folder, writes
 * the files, runs the version command and starts the process.
 *
 * scratch() cannot return a real path: the run's folder is chosen after
 * loading (its default name holds the scenario's name) and `dnsdrill check`
 * has none.  It returns a placeholder (SC_SCRATCH_TOKEN, scenario.h) that
 * the runner expands at start, in the process's cmd, env values, cwd,
 * files and version command.
 */
#include "harness/lua_internal.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proc.h"
#include "harness/sc_regex.h"
#include "lib/err.h"

/* A name for files = { NAME = ... }: one path component, not only dots. */
static void
check_file_name(lua_State *L, const char *what, const char *k, size_t len)
{
	bool dots = true;

	if (len == 0 || len > 255 || strlen(k) != len)
		luaL_error(L, "%s: files: '%s' must be a file name of 1 to 255 characters", what, k);
	for (const char *p = k; *p; p++) {
		if (*p == '/')
			luaL_error(L, "%s: files: '%s' has a '/': name a file in the scratch "
			    "folder, not a path", what, k);
		if (*p != '.')
			dots = false;
	}
	if (dots)
		luaL_error(L, "%s: files: '%s' is not a file name", what, k);
}

/* files = { ["name"] = "text", ... } */
static void
get_files(lua_State *L, int t, const char *what, struct sc_process *p)
{
	lua_getfield(L, t, "files");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: files must be a table { [\"name\"] = \"text\", ... }, not %s", what,
		    luaL_typename(L, -1));
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		size_t klen;
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: files: keys are file names, not %s", what,
			    luaL_typename(L, -2));
		const char *k = lua_tolstring(L, -2, &klen);
		check_file_name(L, what, k, klen);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: files: '%s' must be a string (the file's text), not %s",
			    what, k, luaL_typename(L, -1));
		size_t vlen;
		const char *v = lua_tolstring(L, -1, &vlen);
		if (strlen(v) != vlen)
			luaL_error(L, "%s: files: '%s' holds a NUL byte", what, k);
		struct sc_kv *kv = sc_push(&p->files, &p->n_files, sizeof(*kv));
		if (kv == NULL || (kv->key = sc_strdup(k)) == NULL ||
		    (kv->value = sc_strdup(v)) == NULL)
			luaL_error(L, "out of memory");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

int
sc_lua_decl_process(lua_State *L, const char *name, int t)
{
	static const char *const known[] = { "host", "cmd", "env", "cwd", "autostart",
		"ready", "ready_timeout", "user", "group", "files", "version", "timers", NULL };
	static const char *const rk[] = { "tcp", "http", "log", "delay", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	char what[64];
	struct sc_process *p;

	p = SC_LUA_DECL_NEW(L, t, "process", name, known, sc->procs, sc->n_procs,
	    struct sc_process, what);
	/* host = is checked once the scenario says whether it has a
	 * topology (lua_remote.c) */
	p->host = sc_strdup(sc_lua_opt_str(L, t, "host", what));
	sc_lua_opt_strlist(L, t, "cmd", what, &p->argv, &p->argc);
	if (p->argc == 0)
		luaL_error(L, "%s: needs cmd = { \"program\", \"arg\", ... }", what);
	lua_getfield(L, t, "env");
	if (!lua_isnil(L, -1)) {
		if (!lua_istable(L, -1))
			luaL_error(L, "%s: env must be a table { NAME = \"value\" }", what);
		lua_pushnil(L);
		while (lua_next(L, -2) != 0) {
			if (lua_type(L, -2) != LUA_TSTRING ||
			    (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER))
				luaL_error(L, "%s: env entries are NAME = \"value\"", what);
			char **slot = sc_push(&p->env, &p->n_env, sizeof(char *));
			if (slot == NULL || asprintf(slot, "%s=%s", lua_tostring(L, -2),
			    lua_tostring(L, -1)) < 0)
				return luaL_error(L, "out of memory");
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	p->cwd = sc_strdup(sc_lua_opt_str(L, t, "cwd", what));
	p->user = sc_strdup(sc_lua_opt_str(L, t, "user", what));
	p->group = sc_strdup(sc_lua_opt_str(L, t, "group", what));
	sc_lua_time_timers(L, t, what, p);
	if (p->group != NULL && p->user == NULL)
		luaL_error(L, "%s: group = \"%s\" needs user = \"...\" too", what, p->group);
	if (p->user != NULL) {
		/* at check time too: a scenario for users this machine lacks
		 * fails here, with its line, not halfway through a run */
		struct proc_ids ids;
		struct dd_err e;
		if (proc_ids_lookup(p->user, p->group, &ids, &e) < 0)
			luaL_error(L, "%s: %s", what, e.msg);
	}
	p->autostart = sc_lua_opt_bool(L, t, "autostart", what, true);
	p->ready_timeout_us = 10000000;
	sc_lua_opt_duration(L, t, "ready_timeout", what, &p->ready_timeout_us);
	lua_getfield(L, t, "ready");
	if (!lua_isnil(L, -1)) {
		char rw[96];
		int ri = lua_gettop(L);
		snprintf(rw, sizeof(rw), "%s: ready", what);
		if (!lua_istable(L, ri))
			luaL_error(L, "%s must be {tcp=ADDR:PORT} or {http=URL} or {log=REGEX} or {delay=DUR}", rw);
		sc_lua_check_fields(L, ri, rw, rk, false);
		const char *v;
		if ((v = sc_lua_opt_str(L, ri, "tcp", rw))) {
			p->ready = READY_TCP;
			p->ready_arg = sc_strdup(v);
		} else if ((v = sc_lua_opt_str(L, ri, "http", rw))) {
			p->ready = READY_HTTP;
			p->ready_arg = sc_strdup(v);
		} else if ((v = sc_lua_opt_str(L, ri, "log", rw))) {
			struct dd_err e;
			if (sc_regex_check(v, &e) < 0)
				luaL_error(L, "%s: log = '%s' %s", rw, v, e.msg);
			p->ready = READY_LOG;
			p->ready_arg = sc_strdup(v);
		} else if (sc_lua_opt_duration(L, ri, "delay", rw, &p->ready_delay_us)) {
			p->ready = READY_DELAY;
		}
	}
	lua_pop(L, 1);
	get_files(L, t, what, p);
	lua_getfield(L, t, "version");
	if (!lua_isnil(L, -1) && !lua_istable(L, -1))
		luaL_error(L, "%s: version must be a command { \"program\", \"--version\" }, not %s",
		    what, luaL_typename(L, -1));
	lua_pop(L, 1);
	sc_lua_opt_strlist(L, t, "version", what, &p->version_argv, &p->version_argc);
	lua_getfield(L, t, "version");
	if (!lua_isnil(L, -1) && p->version_argc == 0)
		luaL_error(L, "%s: version = {} names no program", what);
	lua_pop(L, 1);
	return 0;
}

/* scratch() -> the placeholder of this process's scratch folder;
 * scratch("name") -> that of process name's */
static int
l_scratch(lua_State *L)
{
	if (lua_isnoneornil(L, 1)) {
		lua_pushliteral(L, SC_SCRATCH_TOKEN);
		return 1;
	}
	const char *name = luaL_checkstring(L, 1);
	size_t n = strlen(name);
	if (n == 0 || n > 24)
		return luaL_error(L, "scratch: process name '%s' must be 1 to 24 characters", name);
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return luaL_error(L, "scratch: '%s' is not a process name", name);
	lua_pushfstring(L, SC_SCRATCH_OPEN ":%s}}", name);
	return 1;
}

void
sc_lua_proc_register(lua_State *L)
{
	lua_pushcfunction(L, l_scratch);
	lua_setfield(L, -2, "scratch");
}

/* text's placeholders name processes that exist. */
static int
check_text(const struct scenario *sc, const struct sc_process *p, const char *text,
    struct dd_err *err)
{
	struct dd_err e;
	char *x;

	if (text == NULL || strstr(text, SC_SCRATCH_OPEN ":") == NULL)
		return 0;
	if ((x = scenario_scratch_expand(sc, p->name, "", text, &e)) == NULL) {
		dd_err_set(err, "%s:%d: process '%s': %s", sc->file, p->line, p->name, e.msg);
		return DD_EINVAL;
	}
	free(x);
	return 0;
}

int
sc_lua_proc_finish(struct sc_lua *S, struct dd_err *err)
{
	const struct scenario *sc = S->sc;
	int rc = 0;

	for (size_t i = 0; i < sc->n_procs && rc == 0; i++) {
		const struct sc_process *p = &sc->procs[i];
		for (size_t k = 0; k < p->argc && rc == 0; k++)
			rc = check_text(sc, p, p->argv[k], err);
		for (size_t k = 0; k < p->n_env && rc == 0; k++)
			rc = check_text(sc, p, p->env[k], err);
		for (size_t k = 0; k < p->n_files && rc == 0; k++)
			rc = check_text(sc, p, p->files[k].value, err);
		for (size_t k = 0; k < p->version_argc && rc == 0; k++)
			rc = check_text(sc, p, p->version_argv[k], err);
		if (rc == 0)
			rc = check_text(sc, p, p->cwd, err);
	}
	return rc;
}
