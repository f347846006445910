/*
 * lua_remote.c -- a dns declaration's remote = { ... } (a faultd dnsdrill
 * does not start) and the checks a scenario without a topology
 * (scenario { topology = false }) needs once everything is declared.
 *
 *   dns "edge" { remote = { control = "/run/faultd/edge.sock" } }
 *   dns "edge" { remote = { control = "tls://198.18.0.53:8953",
 *                           ca = "ca.pem", cert = "client.pem",
 *                           key = "client.key", name = "faultd.staging" } }
 *
 * Everything about the form is checked here, at load (so `dnsdrill check`
 * refuses it with file:line): the control address, for tls:// the port and
 * the three credential files (readable now), and that none of the options
 * that only shape a faultd dnsdrill starts (host, listen, zones, ...) sits
 * beside remote.  How the run reaches it is harness/run_remote.c's.
 */
#include "harness/lua_internal.h"

#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness/scenario.h"

/* The dns fields that shape a faultd dnsdrill starts: beside remote they
 * would silently do nothing, so each is an error naming it. */
static const char *const started_only[] = { "host", "listen", "zones", "zone",
	"upstreams", "rules", "upstream_timeout", "capacity", "sign", "nsec3", NULL };

/* A credential file: absolute, or relative to the scenario's folder (the
 * secret usually lives outside it: a mounted Secret, /etc); readable now. */
static char *
cred_file(lua_State *L, int t, const char *field, const char *what)
{
	struct sc_lua *S = sc_lua_of(L);
	const char *f = sc_lua_opt_str(L, t, field, what);
	char path[PATH_MAX];

	if (f == NULL || f[0] == '\0')
		luaL_error(L, "%s: a tls:// control needs %s = \"FILE\" (the CA, the client's "
		    "certificate and its key, PEM)", what, field);
	if (f[0] == '/')
		snprintf(path, sizeof(path), "%s", f);
	else if ((size_t)snprintf(path, sizeof(path), "%s/%s", S->sc->dir, f) >= sizeof(path))
		luaL_error(L, "%s: %s = '%s': path too long", what, field, f);
	if (access(path, R_OK) < 0)
		luaL_error(L, "%s: %s = '%s': cannot read %s", what, field, f, path);
	return sc_strdup(path);
}

/* "HOST:PORT" or "[V6]:PORT" after tls://, port 1..65535. */
static void
check_tls_addr(lua_State *L, const char *what, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long port;

	if (colon == NULL || colon == addr)
		luaL_error(L, "%s: control = 'tls://%s': expected tls://HOST:PORT", what, addr);
	if ((addr[0] == '[' && colon[-1] != ']') || (addr[0] != '[' && strchr(addr, ':') != colon))
		luaL_error(L, "%s: control = 'tls://%s': an IPv6 address goes in brackets "
		    "([fd00::53]:8953)", what, addr);
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || port < 1 || port > 65535)
		luaL_error(L, "%s: control = 'tls://%s': port '%s' is not 1..65535", what, addr,
		    colon + 1);
	if (strpbrk(addr, " \t/") != NULL)
		luaL_error(L, "%s: control = 'tls://%s': expected tls://HOST:PORT", what, addr);
}

bool
sc_lua_dns_remote(lua_State *L, int t, const char *what, struct sc_dns *d)
{
	static const char *const rk[] = { "control", "ca", "cert", "key", "name", NULL };
	struct sc_lua *S = sc_lua_of(L);
	struct sc_remote *rm;
	const char *ctl;
	char rw[96];
	int ri;

	lua_getfield(L, t, "remote");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return false;
	}
	ri = lua_gettop(L);
	snprintf(rw, sizeof(rw), "%s: remote", what);
	if (!lua_istable(L, ri))
		luaL_error(L, "%s must be { control = \"/path/faultd.sock\" } or { control = "
		    "\"tls://HOST:PORT\", ca =, cert =, key = }", rw);
	sc_lua_check_fields(L, ri, rw, rk, false);
	for (const char *const *f = started_only; *f != NULL; f++) {
		lua_getfield(L, t, *f);
		if (!lua_isnil(L, -1))
			luaL_error(L, "%s: %s = ... applies only to a faultd dnsdrill starts; a remote "
			    "faultd keeps its own (drop %s, or drop remote)", what, *f, *f);
		lua_pop(L, 1);
	}
	if ((rm = calloc(1, sizeof(*rm))) == NULL)
		luaL_error(L, "out of memory");
	d->remote = rm;
	ctl = sc_lua_opt_str(L, ri, "control", rw);
	if (ctl == NULL || ctl[0] == '\0')
		luaL_error(L, "%s: needs control = \"/path/faultd.sock\" or \"tls://HOST:PORT\"", rw);
	rm->control = sc_strdup(ctl);
	if (strncmp(ctl, "tls://", 6) == 0) {
		rm->tls = true;
		check_tls_addr(L, rw, ctl + 6);
		rm->addr = sc_strdup(ctl + 6);
		rm->ca = cred_file(L, ri, "ca", rw);
		rm->cert = cred_file(L, ri, "cert", rw);
		rm->key = cred_file(L, ri, "key", rw);
		rm->server_name = sc_strdup(sc_lua_opt_str(L, ri, "name", rw));
	} else {
		struct sockaddr_un sun;
		char path[PATH_MAX];

		if (strstr(ctl, "://") != NULL)
			luaL_error(L, "%s: control = '%s': a unix socket path or tls://HOST:PORT "
			    "(no other scheme)", rw, ctl);
		for (const char *const *f = rk + 1; *f != NULL; f++) {
			lua_getfield(L, ri, *f);
			if (!lua_isnil(L, -1))
				luaL_error(L, "%s: %s = ... is for a tls:// control; '%s' is a unix "
				    "socket", rw, *f, ctl);
			lua_pop(L, 1);
		}
		/* a relative path is the scenario folder's, like its files */
		if (ctl[0] == '/')
			snprintf(path, sizeof(path), "%s", ctl);
		else
			snprintf(path, sizeof(path), "%s/%s", S->sc->dir, ctl);
		if (strlen(path) >= sizeof(sun.sun_path))
			luaL_error(L, "%s: control = '%s': longer than a unix socket path may be "
			    "(%zu bytes)", rw, ctl, sizeof(sun.sun_path) - 1);
		free(rm->control);
		rm->control = sc_strdup(path);
	}
	if (rm->control == NULL)
		luaL_error(L, "out of memory");
	lua_pop(L, 1);
	return true;
}

/* A declaration's host = in a scenario with or without a topology. */
static int
host_rule(struct dd_err *err, const struct scenario *sc, const char *kind,
    const char *name, const char *host, int line, const char *where)
{
	if (sc->no_topology && host != NULL) {
		dd_err_set(err, "%s:%d: %s '%s': host = \"%s\" given, but scenario { topology = "
		    "false } builds no hosts: it runs where dnsdrill runs (drop host)",
		    sc->file, line, kind, name, host);
		return DD_EINVAL;
	}
	if (!sc->no_topology && host == NULL) {
		dd_err_set(err, "%s:%d: %s '%s': needs host = \"...\" (%s)", sc->file, line,
		    kind, name, where);
		return DD_EINVAL;
	}
	return 0;
}

int
sc_lua_topology_finish(struct sc_lua *S, struct dd_err *err)
{
	const struct scenario *sc = S->sc;
	int rc;

	if (sc->no_topology && sc->n_hosts > 0) {
		dd_err_set(err, "%s:%d: host '%s': scenario { topology = false } (line %d) builds "
		    "no hosts", sc->file, sc->hosts[0].line, sc->hosts[0].name,
		    sc->no_topology_line);
		return DD_EINVAL;
	}
	if (sc->no_topology && sc->n_nets > 0) {
		dd_err_set(err, "%s:%d: %s '%s': scenario { topology = false } (line %d) builds "
		    "no network", sc->file, sc->nets[0].line, sc->nets[0].is_link ? "link" : "lan",
		    sc->nets[0].name, sc->no_topology_line);
		return DD_EINVAL;
	}
	for (size_t i = 0; i < sc->n_dns; i++) {
		const struct sc_dns *d = &sc->dns[i];

		if (d->remote == NULL && sc->no_topology) {
			dd_err_set(err, "%s:%d: dns '%s': scenario { topology = false } starts no "
			    "faultd; name one that runs: remote = { control = \"...\" }", sc->file,
			    d->line, d->name);
			return DD_EINVAL;
		}
		if (d->remote == NULL && d->host == NULL) {
			dd_err_set(err, "%s:%d: dns '%s': needs host = \"...\" (where faultd runs), "
			    "or remote = { control = \"...\" } for one dnsdrill does not start",
			    sc->file, d->line, d->name);
			return DD_EINVAL;
		}
	}
	for (size_t i = 0; i < sc->n_watches; i++) {
		const struct sc_dns *d = scenario_dns(sc, sc->watches[i].process);

		if (d != NULL && d->remote != NULL) {
			dd_err_set(err, "%s:%d: watch '%s': dns '%s' is a remote faultd: its output "
			    "is not here to watch", sc->file, sc->watches[i].line, sc->watches[i].name,
			    d->name);
			return DD_EINVAL;
		}
	}
	for (size_t i = 0; i < sc->n_procs; i++)
		if ((rc = host_rule(err, sc, "process", sc->procs[i].name, sc->procs[i].host,
		    sc->procs[i].line, "where it runs")) < 0)
			return rc;
	for (size_t i = 0; i < sc->n_probes; i++)
		if ((rc = host_rule(err, sc, "probe", sc->probes[i].name, sc->probes[i].host,
		    sc->probes[i].line, "where the probe runs")) < 0)
			return rc;
	for (size_t i = 0; i < sc->n_caps; i++)
		if ((rc = host_rule(err, sc, "capture", sc->caps[i].name, sc->caps[i].host,
		    sc->caps[i].line, "whose interface it captures on")) < 0)
			return rc;
	return 0;
}
