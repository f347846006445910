/*
 * lua_decl.c -- the scenario's declarations: scenario, param, host, lan,
 * link, dns, probe, watch, capture, score and expect (process is in
 * lua_proc.c; the table-checking helpers both use are in lua_fields.c).
 *
 * The bindings only translate: a declaration checks its table (unknown
 * fields and wrong types are errors at the caller's file:line) and copies it
 * into struct scenario.  Time and side effects belong to the runner; the
 * timeline and its scheduler are in lua_api.c.  Cross-checks that need the
 * whole description (a lan naming an unknown host) run after loading, in
 * lua_api.c's validate().
 */
#include "harness/lua_internal.h"

#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/addr.h"
#include "lib/buf.h"
#include "lib/dnswire.h"
#include "lib/util.h"
#include "faultd/rule.h"
#include "harness/resolvconf.h"
#include "harness/sc_regex.h"

/* The field helpers (lua_fields.c) under their short names. */
#define check_fields sc_lua_check_fields
#define opt_str sc_lua_opt_str
#define opt_bool sc_lua_opt_bool
#define opt_duration sc_lua_opt_duration
#define opt_strlist sc_lua_opt_strlist
#define cur_line sc_lua_cur_line
#define decl_new sc_lua_decl_new

/* Does the existing part of path resolve inside rdir?  The part that does
 * not exist (yet) may not go up. */
static bool
inside(const char *rdir, const char *path)
{
	char probe[PATH_MAX], real[PATH_MAX];
	size_t n = strlen(rdir);

	snprintf(probe, sizeof(probe), "%s", path);
	while (realpath(probe, real) == NULL) {
		char *slash = strrchr(probe, '/');
		if (slash == NULL || slash == probe)
			return false;
		if (strcmp(slash + 1, "..") == 0)
			return false;
		*slash = '\0';
	}
	if (strcmp(rdir, "/") == 0)
		return true;
	return strncmp(real, rdir, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

char *
sc_lua_confine(lua_State *L, const char *what, const char *f)
{
	struct sc_lua *S = sc_lua_of(L);
	char rdir[PATH_MAX], joined[PATH_MAX * 2];
	char *p;

	if (f[0] == '/')
		luaL_error(L, "%s: '%s' is an absolute path; name a file inside the scenario's "
		    "folder, relative to it", what, f);
	if (realpath(S->sc->dir, rdir) == NULL)
		snprintf(rdir, sizeof(rdir), "%s", S->sc->dir);
	if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", S->sc->dir, f) >= PATH_MAX)
		luaL_error(L, "%s: '%s': path too long", what, f);
	if (!inside(rdir, joined))
		luaL_error(L, "%s: '%s' is outside the scenario's folder %s", what, f, rdir);
	if ((p = strdup(joined)) == NULL)
		luaL_error(L, "out of memory");
	return p;
}

/* ---------------- helpers for checking tables ---------------- */

static char *
dup_str(lua_State *L, int t, const char *field, const char *what)
{
	return sc_strdup(opt_str(L, t, field, what));
}

static void
check_name(lua_State *L, const char *kind, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 24)
		luaL_error(L, "%s name '%s' must be 1 to 24 characters", kind, name);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			luaL_error(L, "%s name '%s': use letters, digits, '-' and '_' only", kind, name);
}

void
sc_lua_need_load_phase(lua_State *L, const char *fn)
{
	if (sc_lua_of(L)->running)
		luaL_error(L, "%s() declares the scenario: call it at the top level, not in the timeline", fn);
}

/* Declarations are called as  kind "name" { ... }  or  kind("name", {...}). */
typedef int (*decl_fn)(lua_State *L, const char *name, int t);

static int
decl_apply(lua_State *L)
{
	decl_fn fn = (decl_fn)lua_touserdata(L, lua_upvalueindex(1));
	const char *name = lua_tostring(L, lua_upvalueindex(2));
	luaL_checktype(L, 1, LUA_TTABLE);
	return fn(L, name, 1);
}

static int
decl_entry(lua_State *L)
{
	decl_fn fn = (decl_fn)lua_touserdata(L, lua_upvalueindex(1));
	const char *kind = lua_tostring(L, lua_upvalueindex(2));
	const char *name;

	sc_lua_need_load_phase(L, kind);
	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "%s: give a name first: %s \"name\" { ... }", kind, kind);
	name = lua_tostring(L, 1);
	check_name(L, kind, name);
	if (lua_gettop(L) == 1) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_pushvalue(L, 1);
		lua_pushcclosure(L, decl_apply, 2);
		return 1;
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	return fn(L, name, 2);
}

/* ---------------- declarations ---------------- */

static int
l_scenario(lua_State *L)
{
	static const char *const known[] = { "name", "description", "speed",
		"duration", "max_duration", "seed", "start", "topology", NULL };
	struct sc_lua *S = sc_lua_of(L);
	struct scenario *sc = S->sc;
	uint64_t us;

	sc_lua_need_load_phase(L, "scenario");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "scenario", known, false);
	/* scenario{} may be called more than once: each call sets what it names */
	const char *v;
	if ((v = opt_str(L, 1, "name", "scenario")) != NULL) {
		free(sc->name);
		sc->name = sc_strdup(v);
	}
	if ((v = opt_str(L, 1, "description", "scenario")) != NULL) {
		free(sc->description);
		sc->description = sc_strdup(v);
	}
	lua_getfield(L, 1, "speed");
	if (!lua_isnil(L, -1)) {
		if (!lua_isnumber(L, -1) || lua_tonumber(L, -1) <= 0 || lua_tonumber(L, -1) > 1e6)
			luaL_error(L, "scenario: speed must be a number > 0 (incident seconds per real second)");
		/* --set speed=N wins over the file */
		bool cli = false;
		for (size_t i = 0; i < sc->n_sets; i++)
			if (strcmp(sc->sets[i].key, "speed") == 0)
				cli = true;
		if (!cli)
			sc->speed = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	sc_lua_time_start(L, 1, sc);
	/* topology = false: probe real endpoints from here (lua_remote.c) */
	lua_getfield(L, 1, "topology");
	if (!lua_isnil(L, -1)) {
		sc->no_topology = !opt_bool(L, 1, "topology", "scenario", true);
		sc->no_topology_line = cur_line(L);
	}
	lua_pop(L, 1);
	if (opt_duration(L, 1, "max_duration", "scenario", &us))
		sc->max_duration_us = us;
	if (opt_duration(L, 1, "duration", "scenario", &us))
		sc->duration_us = us;
	lua_getfield(L, 1, "seed");
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
			luaL_error(L, "scenario: seed must be a non-negative integer");
		if (!sc->seed_set) {
			sc->seed = (uint64_t)lua_tointeger(L, -1);
			sc->seed_set = true;
			dd_rng_seed(&S->rng, sc->seed);
		}
	}
	lua_pop(L, 1);
	return 0;
}

static bool
parse_bool_text(const char *s, bool *out)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcmp(s, "1"))
		*out = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcmp(s, "0"))
		*out = false;
	else
		return false;
	return true;
}

/* What a param takes, for `dnsdrill check`: "one of a, b", "0..3600",
 * ">= 1", "<= 9", or NULL. */
static char *
param_allowed(lua_State *L, int t)
{
	struct dd_buf b = { 0 };
	char *s;

	lua_getfield(L, t, "choices");
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			dd_buf_printf(&b, "%s%s", i > 1 ? ", " : "one of ", luaL_tolstring(L, -1, NULL));
			lua_pop(L, 2);
		}
	}
	lua_pop(L, 1);
	lua_getfield(L, t, "min");
	lua_getfield(L, t, "max");
	if (lua_isnumber(L, -2) && lua_isnumber(L, -1))
		dd_buf_printf(&b, "%s%g..%g", b.len ? "; " : "", lua_tonumber(L, -2), lua_tonumber(L, -1));
	else if (lua_isnumber(L, -2))
		dd_buf_printf(&b, "%s>= %g", b.len ? "; " : "", lua_tonumber(L, -2));
	else if (lua_isnumber(L, -1))
		dd_buf_printf(&b, "%s<= %g", b.len ? "; " : "", lua_tonumber(L, -1));
	lua_pop(L, 2);
	s = b.len ? strndup((const char *)b.data, b.len) : NULL;
	dd_buf_free(&b);
	return s;
}

/* param(name, {default=, choices={...}, min=, max=, doc=}) -> value */
static int
l_param(lua_State *L)
{
	static const char *const known[] = { "default", "choices", "min", "max", "doc", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	const char *name = luaL_checkstring(L, 1);
	const char *given = NULL;
	char what[96];
	struct sc_param *p;

	sc_lua_need_load_phase(L, "param");
	snprintf(what, sizeof(what), "param '%s'", name);
	luaL_checktype(L, 2, LUA_TTABLE);
	check_fields(L, 2, what, known, false);
	for (size_t i = 0; i < sc->n_params; i++)
		if (strcmp(sc->params[i].name, name) == 0)
			luaL_error(L, "%s: declared twice", what);
	for (size_t i = 0; i < sc->n_sets; i++)
		if (strcmp(sc->sets[i].key, name) == 0) {
			given = sc->sets[i].value;
			sc->set_used[i] = true;
		}
	lua_getfield(L, 2, "default");
	int dt = lua_type(L, -1);
	if (dt != LUA_TSTRING && dt != LUA_TNUMBER && dt != LUA_TBOOLEAN)
		luaL_error(L, "%s: needs a default (a string, number or boolean)", what);
	int v = lua_gettop(L);
	if (given != NULL) {
		if (dt == LUA_TBOOLEAN) {
			bool b = false;
			if (!parse_bool_text(given, &b))
				luaL_error(L, "--set %s=%s: must be true or false", name, given);
			lua_pushboolean(L, b);
		} else if (dt == LUA_TNUMBER) {
			double d = 0;
			if (dd_parse_double(given, &d) < 0)
				luaL_error(L, "--set %s=%s: must be a number", name, given);
			if (lua_isinteger(L, v) && d >= -0x1p63 && d < 0x1p63 &&
			    d == (double)(lua_Integer)d)
				lua_pushinteger(L, (lua_Integer)d);
			else
				lua_pushnumber(L, d);
		} else {
			lua_pushstring(L, given);
		}
		lua_replace(L, v);
	}
	/* validate the effective value */
	const char *src = given ? "--set " : "default ";
	if (dt == LUA_TNUMBER) {
		double d = lua_tonumber(L, v);
		lua_getfield(L, 2, "min");
		if (lua_isnumber(L, -1) && d < lua_tonumber(L, -1)) {
			char m[200];
			snprintf(m, sizeof(m), "%s%s=%g: below the minimum %g", src, name, d, lua_tonumber(L, -1));
			luaL_error(L, "%s", m);
		}
		lua_pop(L, 1);
		lua_getfield(L, 2, "max");
		if (lua_isnumber(L, -1) && d > lua_tonumber(L, -1)) {
			char m[200];
			snprintf(m, sizeof(m), "%s%s=%g: above the maximum %g", src, name, d, lua_tonumber(L, -1));
			luaL_error(L, "%s", m);
		}
		lua_pop(L, 1);
	}
	lua_getfield(L, 2, "choices");
	if (!lua_isnil(L, -1)) {
		bool found = false;
		struct dd_buf names = { 0 };
		if (!lua_istable(L, -1))
			luaL_error(L, "%s: choices must be a list", what);
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			if (lua_compare(L, -1, v, LUA_OPEQ))
				found = true;
			dd_buf_printf(&names, "%s%s", i > 1 ? ", " : "", luaL_tolstring(L, -1, NULL));
			lua_pop(L, 2);
		}
		if (!found) {
			/* push both strings before reading either: the order in
			 * which C evaluates arguments is unspecified */
			lua_pushlstring(L, names.data ? (const char *)names.data : "", names.len);
			dd_buf_free(&names);
			const char *val = luaL_tolstring(L, v, NULL);
			luaL_error(L, "%s%s=%s: not one of %s", src, name, val, lua_tostring(L, -2));
		}
		dd_buf_free(&names);
	}
	lua_pop(L, 1);
	p = sc_push(&sc->params, &sc->n_params, sizeof(*p));
	if (p == NULL)
		return luaL_error(L, "out of memory");
	p->name = sc_strdup(name);
	p->value = sc_strdup(luaL_tolstring(L, v, NULL));
	lua_pop(L, 1);
	p->doc = dup_str(L, 2, "doc", what);
	p->from_cli = given != NULL;
	lua_getfield(L, 2, "default");
	p->def = sc_strdup(luaL_tolstring(L, -1, NULL));
	lua_pop(L, 2);
	p->allowed = param_allowed(L, 2);
	lua_pushvalue(L, v);
	return 1;
}

#define DECL_NEW SC_LUA_DECL_NEW

/* An integer field, or def when absent; values far out of any range are
 * clamped to +-1e6 (the caller checks the range). */
static int
opt_int(lua_State *L, int t, const char *field, const char *what, int def)
{
	int v = def;

	lua_getfield(L, t, field);
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1))
			luaL_error(L, "%s: %s must be an integer, not %s", what, field,
			    luaL_tolstring(L, -1, NULL));
		lua_Integer i = lua_tointeger(L, -1);
		v = i < -1000000 ? -1000000 : i > 1000000 ? 1000000 : (int)i;
	}
	lua_pop(L, 1);
	return v;
}

/*
 * resolv = { "ADDR", ... } or { servers = { "ADDR", ... }, options = {...} }
 * (the table at idx) as resolv.conf text: the nameservers and the options
 * given, nothing else.
 */
static char *
resolv_from_table(lua_State *L, int idx, const char *host_what)
{
	static const char *const known[] = { "servers", "options", NULL };
	struct resolvconf_opts o = RESOLVCONF_OPTS_INIT;
	const char **servers;
	size_t n = 0;
	char what[96], *text = NULL;
	struct dd_err err;
	int list, rc;

	snprintf(what, sizeof(what), "%s: resolv", host_what);
	check_fields(L, idx, what, known, true);
	lua_getfield(L, idx, "servers");
	list = lua_gettop(L);
	if (lua_isnil(L, list)) {
		list = idx;           /* the plain list form */
	} else if (!lua_istable(L, list)) {
		luaL_error(L, "%s: servers must be a list of addresses", what);
	} else if (luaL_len(L, idx) > 0) {
		luaL_error(L, "%s: give the nameservers once: a list or servers = {...}", what);
	}
	lua_Integer len = luaL_len(L, list);
	/* a userdata, so a Lua error below frees it */
	servers = lua_newuserdatauv(L, (size_t)(len + 1) * sizeof(*servers), 0);
	for (lua_Integer i = 1; i <= len; i++) {
		lua_geti(L, list, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: nameserver %d must be an address string, not %s", what,
			    (int)i, luaL_typename(L, -1));
		servers[n++] = lua_tostring(L, -1);   /* alive: the list holds it */
		lua_pop(L, 1);
	}
	lua_getfield(L, idx, "options");
	if (!lua_isnil(L, -1)) {
		int oi = lua_gettop(L);
		char ow[112];
		snprintf(ow, sizeof(ow), "%s: options", what);
		if (!lua_istable(L, oi))
			luaL_error(L, "%s must be a table { timeout = 1, attempts = 2, ... }", ow);
		check_fields(L, oi, ow, resolvconf_option_names, false);
		o.timeout = opt_int(L, oi, "timeout", ow, RESOLVCONF_UNSET);
		o.attempts = opt_int(L, oi, "attempts", ow, RESOLVCONF_UNSET);
		o.ndots = opt_int(L, oi, "ndots", ow, RESOLVCONF_UNSET);
		o.rotate = opt_bool(L, oi, "rotate", ow, false);
		o.edns0 = opt_bool(L, oi, "edns0", ow, false);
		o.single_request = opt_bool(L, oi, "single_request", ow, false);
		o.single_request_reopen = opt_bool(L, oi, "single_request_reopen", ow, false);
		o.use_vc = opt_bool(L, oi, "use_vc", ow, false);
		o.trust_ad = opt_bool(L, oi, "trust_ad", ow, false);
	}
	rc = resolvconf_format(servers, n, &o, &text, &err);
	if (rc == DD_ENOMEM)
		luaL_error(L, "out of memory");
	if (rc < 0)
		luaL_error(L, "%s: %s", what, err.msg);
	lua_settop(L, idx);
	return text;
}

static int
d_host(lua_State *L, const char *name, int t)
{
	static const char *const known[] = { "forward", "resolv", "hosts", "intercept",
		"routes", "lo", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	char what[64];
	struct sc_host *h;

	h = DECL_NEW(L, t, "host", name, known, sc->hosts, sc->n_hosts, struct sc_host, what);
	h->forward = opt_bool(L, t, "forward", what, false);
	lua_getfield(L, t, "resolv");
	if (lua_istable(L, -1))
		h->resolv = resolv_from_table(L, lua_gettop(L), what);
	else if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: resolv must be resolv.conf text, a list of addresses or "
			    "{ servers = {...}, options = {...} }", what);
		h->resolv = sc_strdup(lua_tostring(L, -1));
	}
	lua_pop(L, 1);
	h->hosts = dup_str(L, t, "hosts", what);
	h->intercept = dup_str(L, t, "intercept", what);
	opt_strlist(L, t, "lo", what, &h->lo_addrs, &h->n_lo_addrs);
	lua_getfield(L, t, "routes");
	if (!lua_isnil(L, -1)) {
		static const char *const rk[] = { "to", "via", "dev", NULL };
		if (!lua_istable(L, -1))
			luaL_error(L, "%s: routes must be a list of {to=, via=, dev=}", what);
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			char rw[96];
			lua_geti(L, -1, i);
			snprintf(rw, sizeof(rw), "%s: routes[%d]", what, (int)i);
			if (!lua_istable(L, -1))
				luaL_error(L, "%s must be a table {to=, via=, dev=}", rw);
			check_fields(L, -1, rw, rk, false);
			struct sc_route *r = sc_push(&h->routes, &h->n_routes, sizeof(*r));
			if (r == NULL)
				return luaL_error(L, "out of memory");
			int ti = lua_gettop(L);
			r->dst = dup_str(L, ti, "to", rw);
			r->via = dup_str(L, ti, "via", rw);
			r->dev = dup_str(L, ti, "dev", rw);
			if (r->dst == NULL)
				luaL_error(L, "%s: needs to= (a prefix or \"default\")", rw);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	return 0;
}

/* lan "name" { host = "addr" | {"addr", ...}, ... } and the same for link */
static int
net_common(lua_State *L, const char *name, int t, bool is_link)
{
	struct scenario *sc = sc_lua_of(L)->sc;
	char what[64];
	struct sc_net *n;

	snprintf(what, sizeof(what), "%s '%s'", is_link ? "link" : "lan", name);
	for (size_t i = 0; i < sc->n_nets; i++)
		if (strcmp(sc->nets[i].name, name) == 0)
			luaL_error(L, "%s: a lan or link of that name exists", what);
	n = sc_push(&sc->nets, &sc->n_nets, sizeof(*n));
	if (n == NULL)
		return luaL_error(L, "out of memory");
	n->name = sc_strdup(name);
	n->is_link = is_link;
	n->line = cur_line(L);
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: members are host = \"address\" pairs", what);
		struct sc_member *m = sc_push(&n->members, &n->n_members, sizeof(*m));
		if (m == NULL)
			return luaL_error(L, "out of memory");
		m->host = sc_strdup(lua_tostring(L, -2));
		if (lua_type(L, -1) == LUA_TSTRING) {
			char **slot = sc_push(&m->addrs, &m->n_addrs, sizeof(char *));
			if (slot)
				*slot = sc_strdup(lua_tostring(L, -1));
		} else if (lua_istable(L, -1)) {
			lua_Integer k = luaL_len(L, -1);
			for (lua_Integer i = 1; i <= k; i++) {
				lua_geti(L, -1, i);
				if (lua_type(L, -1) != LUA_TSTRING)
					luaL_error(L, "%s: %s's addresses must be strings", what, m->host);
				char **slot = sc_push(&m->addrs, &m->n_addrs, sizeof(char *));
				if (slot)
					*slot = sc_strdup(lua_tostring(L, -1));
				lua_pop(L, 1);
			}
		} else {
			luaL_error(L, "%s: %s = must be an address (\"198.18.1.10/24\") or a list of them",
			    what, m->host);
		}
		lua_pop(L, 1);
	}
	if (is_link && n->n_members != 2)
		luaL_error(L, "%s: a link joins exactly two hosts (use lan for more)", what);
	if (n->n_members == 0)
		luaL_error(L, "%s: no hosts", what);
	/* deterministic order: by host name */
	for (size_t i = 1; i < n->n_members; i++)
		for (size_t j = i; j > 0 && strcmp(n->members[j - 1].host, n->members[j].host) > 0; j--) {
			struct sc_member tmp = n->members[j];
			n->members[j] = n->members[j - 1];
			n->members[j - 1] = tmp;
		}
	return 0;
}

static int
d_lan(lua_State *L, const char *name, int t)
{
	return net_common(L, name, t, false);
}

static int
d_link(lua_State *L, const char *name, int t)
{
	return net_common(L, name, t, true);
}

/* dns { capacity = { qps = 500, queue = 100, overflow = "servfail" } }:
 * faultd --capacity/--queue/--overflow, checked here with faultd's limits */
static void
dns_capacity(lua_State *L, int t, const char *what, struct sc_dns *d)
{
	static const char *const ck[] = { "qps", "queue", "overflow", NULL };
	enum capacity_overflow o;
	const char *ov;
	char cw[96];
	int c;

	d->cap_queue = -1;
	lua_getfield(L, t, "capacity");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	c = lua_gettop(L);
	snprintf(cw, sizeof(cw), "%s: capacity", what);
	if (!lua_istable(L, c))
		luaL_error(L, "%s must be { qps = N, queue = N, overflow = \"drop\" }", cw);
	check_fields(L, c, cw, ck, false);
	lua_getfield(L, c, "qps");
	if (!lua_isnumber(L, -1) || !(lua_tonumber(L, -1) > 0) ||
	    lua_tonumber(L, -1) > CAPACITY_QPS_MAX)
		luaL_error(L, "%s: qps must be queries per second, more than 0 and at most %.0f",
		    cw, CAPACITY_QPS_MAX);
	d->cap_qps = lua_tonumber(L, -1);
	lua_pop(L, 1);
	lua_getfield(L, c, "queue");
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
		    lua_tointeger(L, -1) > (lua_Integer)CAPACITY_QUEUE_MAX)
			luaL_error(L, "%s: queue must be a number of queries from 0 to %u", cw,
			    CAPACITY_QUEUE_MAX);
		d->cap_queue = (int)lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	ov = opt_str(L, c, "overflow", cw);
	if (ov != NULL && capacity_overflow_parse(ov, &o) < 0)
		luaL_error(L, "%s: overflow = \"%s\": one of drop, servfail, refused", cw, ov);
	d->cap_overflow = dup_str(L, c, "overflow", cw);
	lua_pop(L, 1);
}

static int
d_dns(lua_State *L, const char *name, int t)
{
	static const char *const known[] = { "host", "listen", "zones", "zone", "upstreams",
		"rules", "upstream_timeout", "capacity", "sign", "nsec3", "remote", NULL };
	struct sc_lua *S = sc_lua_of(L);
	struct scenario *sc = S->sc;
	char what[64];
	struct sc_dns *d;

	d = DECL_NEW(L, t, "dns", name, known, sc->dns, sc->n_dns, struct sc_dns, what);
	/* a faultd dnsdrill does not start (lua_remote.c); host is checked
	 * once every declaration is in (topology = false) */
	if (sc_lua_dns_remote(L, t, what, d))
		return 0;
	d->host = dup_str(L, t, "host", what);
	opt_strlist(L, t, "listen", what, &d->listen, &d->n_listen);
	if (d->n_listen == 0)
		luaL_error(L, "%s: needs listen = \"ADDR:PORT\"", what);
	opt_strlist(L, t, "zones", what, &d->zone_files, &d->n_zone_files);
	for (size_t i = 0; i < d->n_zone_files; i++) {
		/* inside the scenario's folder (issue 10: "../../etc/shadow") */
		char *p = sc_lua_confine(L, what, d->zone_files[i]);
		free(d->zone_files[i]);
		d->zone_files[i] = p;
	}
	opt_strlist(L, t, "zone", what, &d->zone_texts, &d->n_zone_texts);
	opt_strlist(L, t, "upstreams", what, &d->upstreams, &d->n_upstreams);
	opt_strlist(L, t, "rules", what, &d->rules, &d->n_rules);
	d->upstream_timeout = dup_str(L, t, "upstream_timeout", what);
	dns_capacity(L, t, what, d);
	sc_lua_dnssec_dns(L, t, what, d);
	return 0;
}

static int
d_probe(lua_State *L, const char *name, int t)
{
	static const char *const known[] = { "host", "every", "timeout", "dns", "http",
		"tcp", "exec", "exit", NULL };
	static const char *const dk[] = { "name", "type", "server", "tcp", "rcode", "answer",
		"empty", NULL };
	static const char *const hk[] = { "url", "status", "body", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	char what[64];
	struct sc_probe *p;
	int kinds = 0;

	p = DECL_NEW(L, t, "probe", name, known, sc->probes, sc->n_probes, struct sc_probe, what);
	p->host = dup_str(L, t, "host", what);   /* checked in lua_remote.c */
	p->interval_us = SC_PROBE_DEFAULT_EVERY_US;
	p->timeout_us = SC_PROBE_DEFAULT_TIMEOUT_US;
	opt_duration(L, t, "every", what, &p->interval_us);
	p->timeout_given = opt_duration(L, t, "timeout", what, &p->timeout_us);
	if (p->interval_us < 10000)
		luaL_error(L, "%s: every must be at least 10ms", what);
	p->expect_exit = 0;
	p->expect_status = 200;
	p->expect_rcode = 0;

	lua_getfield(L, t, "dns");
	if (!lua_isnil(L, -1)) {
		int di = lua_gettop(L);
		char dw[96];
		kinds++;
		snprintf(dw, sizeof(dw), "%s: dns", what);
		if (!lua_istable(L, di))
			luaL_error(L, "%s must be {name=, type=, server=, ...}", dw);
		check_fields(L, di, dw, dk, false);
		p->kind = SC_PROBE_DNS;
		p->qname = dup_str(L, di, "name", dw);
		p->server = dup_str(L, di, "server", dw);
		if (p->qname == NULL || p->server == NULL)
			luaL_error(L, "%s: needs name= and server=", dw);
		const char *ty = opt_str(L, di, "type", dw);
		p->qtype = ty ? dns_type_from_str(ty) : DNS_T_A;
		if (p->qtype < 0)
			luaL_error(L, "%s: unknown type '%s'", dw, ty);
		p->use_tcp = opt_bool(L, di, "tcp", dw, false);
		const char *rc = opt_str(L, di, "rcode", dw);
		if (rc != NULL) {
			p->expect_rcode = -2;
			if (strcasecmp(rc, "any") == 0)
				p->expect_rcode = -1;
			for (int i = 0; i < 6; i++)
				if (strcasecmp(rc, dns_rcode_to_str(i)) == 0)
					p->expect_rcode = i;
			if (p->expect_rcode == -2)
				luaL_error(L, "%s: unknown rcode '%s' (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, any)", dw, rc);
		}
		p->expect_answer = dup_str(L, di, "answer", dw);
		p->expect_empty = opt_bool(L, di, "empty", dw, false);
	}
	lua_pop(L, 1);
	lua_getfield(L, t, "http");
	if (!lua_isnil(L, -1)) {
		int hi = lua_gettop(L);
		char hw[96];
		kinds++;
		snprintf(hw, sizeof(hw), "%s: http", what);
		p->kind = SC_PROBE_HTTP;
		if (lua_type(L, hi) == LUA_TSTRING) {
			p->url = sc_strdup(lua_tostring(L, hi));
		} else if (lua_istable(L, hi)) {
			check_fields(L, hi, hw, hk, false);
			p->url = dup_str(L, hi, "url", hw);
			lua_getfield(L, hi, "status");
			if (!lua_isnil(L, -1)) {
				if (!lua_isinteger(L, -1))
					luaL_error(L, "%s: status must be an integer", hw);
				p->expect_status = (int)lua_tointeger(L, -1);
			}
			lua_pop(L, 1);
			p->body_match = dup_str(L, hi, "body", hw);
			if (p->body_match) {
				struct dd_err e;
				if (sc_regex_check(p->body_match, &e) < 0)
					luaL_error(L, "%s: body = '%s' %s", hw, p->body_match, e.msg);
			}
		} else {
			luaL_error(L, "%s must be a URL or {url=, status=, body=}", hw);
		}
		if (p->url == NULL || strncmp(p->url, "http://", 7) != 0)
			luaL_error(L, "%s: url must start with http://", hw);
	}
	lua_pop(L, 1);
	const char *tcp = opt_str(L, t, "tcp", what);
	if (tcp) {
		kinds++;
		p->kind = SC_PROBE_TCP;
		p->addr = sc_strdup(tcp);
	}
	lua_getfield(L, t, "exec");
	if (!lua_isnil(L, -1)) {
		kinds++;
		p->kind = SC_PROBE_EXEC;
		lua_pop(L, 1);
		opt_strlist(L, t, "exec", what, &p->argv, &p->argc);
		if (p->argc == 0 || p->argv[0][0] == '\0')
			luaL_error(L, "%s: exec = { \"program\", \"arg\", ... } names no program", what);
		/* exec wants a NULL-terminated argv: one more slot, not counted */
		if (sc_push(&p->argv, &p->argc, sizeof(char *)) == NULL)
			return luaL_error(L, "out of memory");
		p->argc--;
		lua_getfield(L, t, "exit");
		if (!lua_isnil(L, -1)) {
			if (!lua_isinteger(L, -1))
				luaL_error(L, "%s: exit must be an integer", what);
			p->expect_exit = (int)lua_tointeger(L, -1);
		}
	}
	lua_pop(L, 1);
	if (kinds != 1)
		luaL_error(L, "%s: give exactly one of dns=, http=, tcp=, exec=", what);
	return 0;
}

static int
d_watch(lua_State *L, const char *name, int t)
{
	static const char *const known[] = { "process", "match", "stream", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	char what[64];
	struct sc_watch *w;
	struct dd_err e;

	w = DECL_NEW(L, t, "watch", name, known, sc->watches, sc->n_watches, struct sc_watch, what);
	w->process = dup_str(L, t, "process", what);
	w->regex = dup_str(L, t, "match", what);
	if (w->process == NULL || w->regex == NULL)
		luaL_error(L, "%s: needs process= and match=", what);
	if (sc_regex_check(w->regex, &e) < 0)
		luaL_error(L, "%s: match = '%s' %s", what, w->regex, e.msg);
	const char *st = opt_str(L, t, "stream", what);
	w->stream = 3;
	if (st && strcmp(st, "stdout") == 0)
		w->stream = 1;
	else if (st && strcmp(st, "stderr") == 0)
		w->stream = 2;
	else if (st && strcmp(st, "both") != 0)
		luaL_error(L, "%s: stream must be stdout, stderr or both", what);
	return 0;
}

static int
d_capture(lua_State *L, const char *name, int t)
{
	static const char *const known[] = { "host", "iface", "sut", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	char what[64];
	struct sc_capture *c;

	c = DECL_NEW(L, t, "capture", name, known, sc->caps, sc->n_caps, struct sc_capture, what);
	c->host = dup_str(L, t, "host", what);
	c->iface = dup_str(L, t, "iface", what);
	c->count_from = dup_str(L, t, "sut", what);
	if (c->iface == NULL)
		c->iface = sc_strdup("any");
	if (c->count_from) {
		struct dd_cidr cidr;
		if (dd_cidr_parse(c->count_from, &cidr) < 0)
			luaL_error(L, "%s: sut = '%s' is not an address or prefix", what, c->count_from);
	}
	return 0;
}

/* {watch=N} {probe=N, ok=bool} {exit=N} {mark=TEXT} {phase=N} {start=N}, text= */
static void
get_match(lua_State *L, int idx, const char *what, struct sc_match *m)
{
	static const char *const known[] = { "watch", "probe", "ok", "exit", "mark",
		"phase", "start", "text", NULL };
	const char *v;

	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING) {
		/* a bare name means a watch */
		m->set = true;
		m->kind = ELOG_WATCH;
		m->source = sc_strdup(lua_tostring(L, idx));
		return;
	}
	if (!lua_istable(L, idx))
		luaL_error(L, "%s must be a matcher like {watch=\"name\"} or {probe=\"name\", ok=false}", what);
	check_fields(L, idx, what, known, false);
	m->set = true;
	if ((v = opt_str(L, idx, "watch", what))) {
		m->kind = ELOG_WATCH;
	} else if ((v = opt_str(L, idx, "probe", what))) {
		m->kind = ELOG_PROBE;
		lua_getfield(L, idx, "ok");
		if (!lua_isnil(L, -1))
			m->outcome = lua_toboolean(L, -1) ? SCORE_OK : SCORE_FAIL;
		lua_pop(L, 1);
	} else if ((v = opt_str(L, idx, "exit", what))) {
		m->kind = ELOG_PROC_EXIT;
	} else if ((v = opt_str(L, idx, "start", what))) {
		m->kind = ELOG_PROC_START;
	} else if ((v = opt_str(L, idx, "phase", what))) {
		m->kind = ELOG_PHASE_START;
	} else if ((v = opt_str(L, idx, "mark", what))) {
		m->kind = ELOG_MARK;
		m->text = sc_strdup(v);
		v = NULL;
	} else {
		luaL_error(L, "%s: name what to match: watch=, probe=, exit=, start=, phase= or mark=", what);
	}
	m->source = sc_strdup(v);
	if (m->text == NULL)
		m->text = dup_str(L, idx, "text", what);
}

/* t[field] as a list of probe names (a string is a list of one), each a
 * probe matcher pushed onto *out.  Returns the count, 0 when absent. */
static size_t
probe_list(lua_State *L, int t, const char *field, const char *what,
    struct sc_match **out, size_t *n)
{
	char **names = NULL;
	size_t nn = 0;

	opt_strlist(L, t, field, what, &names, &nn);
	for (size_t i = 0; i < nn; i++) {
		struct sc_match *m = sc_push(out, n, sizeof(*m));

		if (m == NULL) {
			free(names[i]);
			continue;
		}
		m->set = true;
		m->kind = ELOG_PROBE;
		m->source = names[i];
	}
	free(names);
	return nn;
}

static int
l_score(lua_State *L)
{
	static const char *const known[] = { "detection", "service", "primary", "primary_lost",
		"stable", "amplification", "failover", "latency", "fault", NULL };
	struct scenario *sc = sc_lua_of(L)->sc;
	uint64_t us;

	sc_lua_need_load_phase(L, "score");
	/* one score {}: a second would overwrite the first's matchers (and
	 * add to its lists) */
	if (sc_lua_of(L)->score_seen)
		return luaL_error(L, "score {} is declared twice (the first at line %d): "
		    "give every field in one", sc_lua_of(L)->score_line);
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "score", known, false);
	sc_lua_of(L)->score_line = cur_line(L);
	sc_lua_of(L)->score_seen = true;
	lua_getfield(L, 1, "detection");
	if (!lua_isnil(L, -1)) {
		/* one matcher, or a list of them */
		bool list = lua_istable(L, -1) && luaL_len(L, -1) > 0;
		if (list) {
			lua_Integer n = luaL_len(L, -1);
			for (lua_Integer i = 1; i <= n; i++) {
				char w[64];
				snprintf(w, sizeof(w), "score: detection[%d]", (int)i);
				lua_geti(L, -1, i);
				struct sc_match *m = sc_push(&sc->detect, &sc->n_detect, sizeof(*m));
				if (m == NULL)
					return luaL_error(L, "out of memory");
				get_match(L, -1, w, m);
				lua_pop(L, 1);
			}
		} else {
			struct sc_match *m = sc_push(&sc->detect, &sc->n_detect, sizeof(*m));
			if (m == NULL)
				return luaL_error(L, "out of memory");
			get_match(L, -1, "score: detection", m);
		}
	}
	lua_pop(L, 1);
	/* a probe, or a service made of several: { "www", "api", "login" } */
	lua_getfield(L, 1, "service");
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING &&
	    (!lua_istable(L, -1) || luaL_len(L, -1) == 0))
		luaL_error(L, "score: service must name a probe, or list probes");
	lua_pop(L, 1);
	if (probe_list(L, 1, "service", "score: service", &sc->services,
	    &sc->n_services) > 0 && sc->n_services > 0) {
		sc->service.set = true;
		sc->service.kind = ELOG_PROBE;
		sc->service.source = sc_strdup(sc->services[0].source);
	}
	lua_getfield(L, 1, "primary");
	if (!lua_isnil(L, -1))
		get_match(L, -1, "score: primary", &sc->primary);
	lua_pop(L, 1);
	lua_getfield(L, 1, "primary_lost");
	if (!lua_isnil(L, -1))
		get_match(L, -1, "score: primary_lost", &sc->primary_lost);
	lua_pop(L, 1);
	/* the fault window by matchers, when no inject()/clear() marks it (a
	 * live zone change, a process killed): fault = { start =, stop = } */
	lua_getfield(L, 1, "fault");
	if (!lua_isnil(L, -1)) {
		static const char *const fk[] = { "start", "stop", NULL };
		int f = lua_gettop(L);

		if (!lua_istable(L, f))
			luaL_error(L, "score: fault must be { start = MATCHER, stop = MATCHER }");
		check_fields(L, f, "score: fault", fk, false);
		lua_getfield(L, f, "start");
		if (lua_isnil(L, -1))
			luaL_error(L, "score: fault needs start = a matcher ({ phase = \"...\" }, "
			    "{ mark = \"...\" }, ...)");
		get_match(L, -1, "score: fault.start", &sc->fault_start);
		lua_pop(L, 1);
		lua_getfield(L, f, "stop");
		if (!lua_isnil(L, -1))
			get_match(L, -1, "score: fault.stop", &sc->fault_stop);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	/* what failed over: the SUT's own line, a mark, a probe */
	lua_getfield(L, 1, "failover");
	if (!lua_isnil(L, -1))
		get_match(L, -1, "score: failover", &sc->failover);
	lua_pop(L, 1);
	lua_getfield(L, 1, "latency");
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING && !lua_istable(L, -1))
			luaL_error(L, "score: latency must name a probe, or list probes");
		sc->latency_set = true;
	}
	lua_pop(L, 1);
	probe_list(L, 1, "latency", "score: latency", &sc->latency, &sc->n_latency);
	if (opt_duration(L, 1, "stable", "score", &us))
		sc->stable_ms = us / 1000;
	/* one capture, or a list: amplification at each, the first's is
	 * query_amplification */
	lua_getfield(L, 1, "amplification");
	bool amp_list = lua_istable(L, -1);
	lua_pop(L, 1);
	if (amp_list)
		opt_strlist(L, 1, "amplification", "score", &sc->amp_links, &sc->n_amp_links);
	const char *amp = amp_list ? (sc->n_amp_links ? sc->amp_links[0] : NULL) :
	    opt_str(L, 1, "amplification", "score");
	if (amp) {
		sc->rate.set = true;
		sc->rate.kind = ELOG_RATE;
		sc->rate.source = sc_strdup(amp);
	}
	return 0;
}

static void
add_expect(lua_State *L, const char *text)
{
	struct scenario *sc = sc_lua_of(L)->sc;
	struct score_expect *e;
	struct dd_err err;
	int *lines;

	/* the line of each, for the checks once every probe is declared */
	lines = realloc(sc->expect_line, (sc->n_expect + 1) * sizeof(*lines));
	if (lines == NULL)
		luaL_error(L, "out of memory");
	sc->expect_line = lines;
	lines[sc->n_expect] = cur_line(L);
	e = sc_push(&sc->expect, &sc->n_expect, sizeof(*e));
	if (e == NULL)
		luaL_error(L, "out of memory");
	if (score_expect_parse(text, e, &err) < 0) {
		sc->n_expect--;
		luaL_error(L, "expect: %s", err.msg);
	}
}

/* An expectation on a capture link's figure or faultd's counters names a
 * link score { amplification } lists, a dns server the scenario declares
 * and an action faultd knows.  0 or DD_EINVAL with err naming it. */
static int
check_expect_names(const struct scenario *sc, size_t i, struct dd_err *err)
{
	const struct score_expect *e = &sc->expect[i];
	int line = sc->expect_line ? sc->expect_line[i] : 0;
	char name[2 * ELOG_SOURCE_MAX + 48];
	bool found = false;

	score_expect_label(e, name, sizeof(name));
	if (e->link[0] != '\0') {
		for (size_t k = 0; k < sc->n_amp_links; k++)
			found |= strcmp(sc->amp_links[k], e->link) == 0;
		if (!found) {
			dd_err_set(err, "%s:%d: expect '%s %s': no capture link "
			    "'%s' in score { amplification = {...} }", sc->file,
			    line, name, e->bound_text, e->link);
			return DD_EINVAL;
		}
	}
	if (e->counter == SCORE_COUNTER_NONE)
		return 0;
	if (scenario_dns(sc, e->server) == NULL) {
		dd_err_set(err, "%s:%d: expect '%s %s': no dns server named '%s'",
		    sc->file, line, name, e->bound_text, e->server);
		return DD_EINVAL;
	}
	if (e->counter == SCORE_COUNTER_ANSWERS) {
		char known[256] = "";
		size_t used = 0;

		for (int a = 0; a < ACT__COUNT; a++) {
			found |= strcmp(rule_action_name(a), e->action) == 0;
			if (used < sizeof(known))
				used += (size_t)snprintf(known + used,
				    sizeof(known) - used, "%s%s", a ? ", " : "",
				    rule_action_name(a));
		}
		if (!found) {
			dd_err_set(err, "%s:%d: expect '%s %s': faultd has no "
			    "action '%s' (known: %s)", sc->file, line, name,
			    e->bound_text, e->action, known);
			return DD_EINVAL;
		}
	}
	return 0;
}

static int
l_expect(lua_State *L)
{
	sc_lua_need_load_phase(L, "expect");
	if (lua_type(L, 1) == LUA_TSTRING) {
		add_expect(L, lua_tostring(L, 1));
		return 0;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = luaL_len(L, 1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 1, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "expect: item %d must be a string like \"failover_s < 3\"", (int)i);
		add_expect(L, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	return 0;
}

static bool
has_probe(const struct scenario *sc, const char *name)
{
	for (size_t k = 0; k < sc->n_probes; k++)
		if (strcmp(sc->probes[k].name, name) == 0)
			return true;
	return false;
}

static bool
has_watch(const struct scenario *sc, const char *name)
{
	for (size_t k = 0; k < sc->n_watches; k++)
		if (strcmp(sc->watches[k].name, name) == 0)
			return true;
	return false;
}

int
sc_lua_score_finish(struct sc_lua *S, struct dd_err *err)
{
	struct scenario *sc = S->sc;
	const struct sc_match *fo = &sc->failover;
	char name[ELOG_SOURCE_MAX + 32];

	for (size_t i = 0; i < sc->n_services; i++)
		if (!has_probe(sc, sc->services[i].source)) {
			dd_err_set(err, "%s:%d: score: service: no probe named '%s'", sc->file,
			    S->score_line, sc->services[i].source);
			return DD_EINVAL;
		}
	for (size_t i = 0; i < sc->n_latency; i++)
		if (!has_probe(sc, sc->latency[i].source)) {
			dd_err_set(err, "%s:%d: score: latency: no probe named '%s'", sc->file,
			    S->score_line, sc->latency[i].source);
			return DD_EINVAL;
		}
	if (fo->set && fo->source != NULL &&
	    ((fo->kind == ELOG_WATCH && !has_watch(sc, fo->source)) ||
	    (fo->kind == ELOG_PROBE && !has_probe(sc, fo->source)) ||
	    ((fo->kind == ELOG_PROC_EXIT || fo->kind == ELOG_PROC_START) &&
	    !scenario_proc(sc, fo->source) && !scenario_dns(sc, fo->source)))) {
		dd_err_set(err, "%s:%d: score: failover: no %s named '%s'", sc->file,
		    S->score_line, fo->kind == ELOG_WATCH ? "watch" :
		    fo->kind == ELOG_PROBE ? "probe" : "process", fo->source);
		return DD_EINVAL;
	}
	for (size_t i = 0; i < sc->n_expect; i++)
		if (check_expect_names(sc, i, err) != 0)
			return DD_EINVAL;
	for (size_t i = 0; i < sc->n_expect; i++) {
		const struct score_expect *e = &sc->expect[i];

		if (e->probe[0] == '\0' || has_probe(sc, e->probe))
			continue;
		dd_err_set(err, "%s:%d: expect '%s %s': no probe named '%s'", sc->file,
		    sc->expect_line ? sc->expect_line[i] : 0,
		    score_metric_label(e->metric, e->probe, name, sizeof(name)),
		    e->bound_text, e->probe);
		return DD_EINVAL;
	}
	if (scenario_score_prepare(sc) != 0) {
		dd_err_set(err, "%s: out of memory", sc->file);
		return DD_ENOMEM;
	}
	return 0;
}

static const struct {
	const char *name;
	decl_fn fn;
} decls[] = {
	{ "host", d_host }, { "lan", d_lan }, { "link", d_link }, { "dns", d_dns },
	{ "process", sc_lua_decl_process }, { "probe", d_probe }, { "watch", d_watch },
	{ "capture", d_capture },
};

static const luaL_Reg decl_api[] = {
	{ "scenario", l_scenario }, { "param", l_param }, { "score", l_score },
	{ "expect", l_expect },
	{ NULL, NULL },
};

void
sc_lua_decls_register(lua_State *L)
{
	luaL_setfuncs(L, decl_api, 0);
	for (size_t i = 0; i < DD_ARRAY_LEN(decls); i++) {
		lua_pushlightuserdata(L, (void *)decls[i].fn);
		lua_pushstring(L, decls[i].name);
		lua_pushcclosure(L, decl_entry, 2);
		lua_setfield(L, -2, decls[i].name);
	}
}
