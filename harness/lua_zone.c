/*
 * lua_zone.c -- the timeline's live changes to the data a faultd serves
 * (doc/scenario-api.md, "Changing zones live"): each function checks what
 * it can here, where an error names the scenario's line (the dns server,
 * names, types, TTLs, each record line of a record_add text through ldns),
 * builds one control command (faultd/zone_edit.h) and hands it to the
 * runner (sc_ops.zone), which sends it without making the timeline wait
 * and logs a zone_change event when faultd acknowledges it.  What only
 * faultd can know (a record that is not there, a CNAME beside other data,
 * a zone text's errors) comes back as a run error naming this call's
 * file:line and faultd's message, the old data still served.
 */
#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "faultd/ctl.h"
#include "harness/lua_internal.h"
#include "lib/buf.h"
#include "lib/dnswire.h"

#define LZ_NAMES_MAX 16
#define LZ_TTL_MAX 0x7fffffffLL

/* The dns server argument (1), checked; only inside the timeline. */
static const char *
dns_arg(lua_State *L, const char *fn)
{
	struct sc_lua *S = sc_lua_of(L);
	const char *dns;

	if (!S->running)
		luaL_error(L, "%s() works only inside timeline(function() ... end)", fn);
	dns = luaL_checkstring(L, 1);
	if (!scenario_dns(S->sc, dns))
		luaL_error(L, "%s: no dns server '%s'", fn, dns);
	return dns;
}

static const char *
name_arg(lua_State *L, int i, const char *fn, const char *what)
{
	const char *s = luaL_checkstring(L, i);
	uint8_t w[DNS_MAX_NAME];

	if (dns_name_from_str(s, w, sizeof(w)) < 0 || strpbrk(s, " \t\n\\") != NULL)
		luaL_error(L, "%s: %s '%s' is not a domain name", fn, what, s);
	return s;
}

static lua_Integer
ttl_arg(lua_State *L, int i, const char *fn)
{
	lua_Integer v;

	if (!lua_isinteger(L, i))
		luaL_error(L, "%s: the TTL must be an integer number of seconds", fn);
	v = lua_tointeger(L, i);
	if (v < 0 || v > LZ_TTL_MAX)
		luaL_error(L, "%s: TTL %I is outside 0..2147483647", fn, (LUAI_UACINT)v);
	return v;
}

static const char *
type_arg(lua_State *L, int i, const char *fn, bool star)
{
	const char *t = luaL_checkstring(L, i);

	if (star && strcmp(t, "*") == 0)
		return t;
	if (ldns_get_rr_type_by_name(t) == 0 || strpbrk(t, " \t") != NULL)
		luaL_error(L, "%s: unknown record type '%s'", fn, t);
	return t;
}

/* Send line (a dd_buf, freed here) as fn's change to dns. */
static int
send_change(lua_State *L, const char *fn, const char *dns, struct dd_buf *b)
{
	struct sc_lua *S = sc_lua_of(L);
	struct dd_err err = { "no reason given" };
	char where[300];
	int rc = 0;

	dd_buf_append(b, "", 1);
	if (b->oom) {
		dd_buf_free(b);
		return luaL_error(L, "%s: out of memory", fn);
	}
	if (b->len > CTL_LINE_MAX - 2) {
		int n = (int)(b->len > INT_MAX ? INT_MAX : b->len);
		dd_buf_free(b);
		return luaL_error(L, "%s: the change is %d bytes on faultd's control "
		    "line, over its limit of %d (split it)", fn, n, CTL_LINE_MAX - 2);
	}
	luaL_where(L, 1);
	snprintf(where, sizeof(where), "%s%s(%s)", lua_tostring(L, -1), fn, dns);
	lua_pop(L, 1);
	if (S->have_ops && S->ops.zone != NULL)
		SC_LUA_OP(S, rc = S->ops.zone(S->ops.arg, dns, (const char *)b->data,
		    where, &err));
	dd_buf_free(b);
	if (rc < 0)
		return luaL_error(L, "%s %s: %s", fn, dns, err.msg);
	return 0;
}

/* Each record line of a record_add text through ldns, so a typo fails at
 * the scenario's line; a text with ( ) or $ directives is left to faultd. */
static void
check_records(lua_State *L, const char *fn, const char *text)
{
	const char *p = text;
	int line = 1;

	if (strpbrk(text, "()$") != NULL)
		return;
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		char *l = malloc(n + 1);
		const char *s;

		if (l == NULL)
			luaL_error(L, "%s: out of memory", fn);
		memcpy(l, p, n);
		l[n] = '\0';
		l[strcspn(l, ";")] = '\0';
		for (s = l; *s == ' ' || *s == '\t' || *s == '\r'; s++)
			;
		if (*s != '\0') {
			ldns_rr *rr = NULL;
			ldns_status st;
			char msg[200];

			if (s != l) {
				free(l);
				luaL_error(L, "%s: line %d of the records: give the owner "
				    "name (absolute) on every line", fn, line);
			}
			st = ldns_rr_new_frm_str(&rr, l, 3600, NULL, NULL);
			if (st == LDNS_STATUS_OK && !ldns_dname_str_absolute(
			    strtok(l, " \t"))) {
				ldns_rr_free(rr);
				free(l);
				luaL_error(L, "%s: line %d of the records: the owner name "
				    "must be absolute (end in '.')", fn, line);
			}
			ldns_rr_free(rr);
			if (st != LDNS_STATUS_OK) {
				snprintf(msg, sizeof(msg), "%s", ldns_get_errorstr_by_id(st));
				free(l);
				luaL_error(L, "%s: line %d of the records: %s", fn, line, msg);
			}
		}
		free(l);
		p += n;
		if (*p == '\n')
			p++;
		line++;
	}
}

/* zone_set(dns, origin, text) */
static int
l_zone_set(lua_State *L)
{
	const char *dns = dns_arg(L, "zone_set");
	const char *origin = name_arg(L, 2, "zone_set", "zone");
	size_t len;
	const char *text = luaL_checklstring(L, 3, &len);
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "zone set %s ", origin);
	ctl_text_escape(text, len, &b);
	return send_change(L, "zone_set", dns, &b);
}

/* zone_reset / zone_empty (dns, origin) */
static int
zone_simple(lua_State *L, const char *fn, const char *sub)
{
	const char *dns = dns_arg(L, fn);
	const char *origin = name_arg(L, 2, fn, "zone");
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "zone %s %s", sub, origin);
	return send_change(L, fn, dns, &b);
}

static int
l_zone_reset(lua_State *L)
{
	return zone_simple(L, "zone_reset", "reset");
}

static int
l_zone_empty(lua_State *L)
{
	return zone_simple(L, "zone_empty", "empty");
}

/* zone_ttl(dns, origin, ttl) */
static int
l_zone_ttl(lua_State *L)
{
	const char *dns = dns_arg(L, "zone_ttl");
	const char *origin = name_arg(L, 2, "zone_ttl", "zone");
	lua_Integer ttl = ttl_arg(L, 3, "zone_ttl");
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "zone ttl %s %lld", origin, (long long)ttl);
	return send_change(L, "zone_ttl", dns, &b);
}

/* Name server names from argument i on: a list, or the arguments; all
 * checked before any is appended (an error must not leak b). */
static void
names_args(lua_State *L, int i, const char *fn, struct dd_buf *b)
{
	bool list = lua_istable(L, i);
	int n = list ? (int)luaL_len(L, i) : lua_gettop(L) - i + 1;

	if (n <= 0 || n > LZ_NAMES_MAX) {
		dd_buf_free(b);
		luaL_error(L, "%s: give 1 to %d name server names", fn, LZ_NAMES_MAX);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < n; k++) {
			int idx = i + k;
			if (list) {
				lua_geti(L, i, k + 1);
				idx = lua_gettop(L);
			}
			if (pass == 0) {
				const char *s = lua_tostring(L, idx);
				uint8_t w[DNS_MAX_NAME];
				if (s == NULL || dns_name_from_str(s, w, sizeof(w)) < 0 ||
				    strpbrk(s, " \t\n\\") != NULL) {
					dd_buf_free(b);
					luaL_error(L, "%s: name server %d is not a domain name",
					    fn, k + 1);
				}
			} else {
				dd_buf_printf(b, " %s", lua_tostring(L, idx));
			}
			if (list)
				lua_pop(L, 1);
		}
	}
}

/* zone_ns(dns, origin, {names} or names...) */
static int
l_zone_ns(lua_State *L)
{
	const char *dns = dns_arg(L, "zone_ns");
	const char *origin = name_arg(L, 2, "zone_ns", "zone");
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "zone ns %s", origin);
	names_args(L, 3, "zone_ns", &b);
	return send_change(L, "zone_ns", dns, &b);
}

/* record_add(dns, text): one or more records, zone-file lines */
static int
l_record_add(lua_State *L)
{
	const char *dns = dns_arg(L, "record_add");
	size_t len;
	const char *text = luaL_checklstring(L, 2, &len);
	struct dd_buf b = { 0 };

	check_records(L, "record_add", text);
	dd_buf_printf(&b, "record add ");
	ctl_text_escape(text, len, &b);
	return send_change(L, "record_add", dns, &b);
}

/* record_del(dns, name [, type [, data]]) */
static int
l_record_del(lua_State *L)
{
	const char *dns = dns_arg(L, "record_del");
	const char *name = name_arg(L, 2, "record_del", "name");
	const char *type = lua_isnoneornil(L, 3) ? NULL : type_arg(L, 3, "record_del", true);
	const char *data = lua_isnoneornil(L, 4) ? NULL : luaL_checkstring(L, 4);
	struct dd_buf b = { 0 };

	if (data != NULL && strchr(data, '\n') != NULL)
		return luaL_error(L, "record_del: newline in the record data");
	if (data != NULL && (type == NULL || strcmp(type, "*") == 0))
		return luaL_error(L, "record_del: record data needs a type");
	dd_buf_printf(&b, "record del %s", name);
	if (type != NULL)
		dd_buf_printf(&b, " %s", type);
	if (data != NULL)
		dd_buf_printf(&b, " %s", data);
	return send_change(L, "record_del", dns, &b);
}

/* ttl_set(dns, name, type or "*", ttl) */
static int
l_ttl_set(lua_State *L)
{
	const char *dns = dns_arg(L, "ttl_set");
	const char *name = name_arg(L, 2, "ttl_set", "name");
	const char *type = type_arg(L, 3, "ttl_set", true);
	lua_Integer ttl = ttl_arg(L, 4, "ttl_set");
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "record ttl %s %s %lld", name, type, (long long)ttl);
	return send_change(L, "ttl_set", dns, &b);
}

/* delegation_del(dns, child) */
static int
l_delegation_del(lua_State *L)
{
	const char *dns = dns_arg(L, "delegation_del");
	const char *child = name_arg(L, 2, "delegation_del", "child zone");
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "delegation del %s", child);
	return send_change(L, "delegation_del", dns, &b);
}

/* delegation_set(dns, child, {names} or names...) */
static int
l_delegation_set(lua_State *L)
{
	const char *dns = dns_arg(L, "delegation_set");
	const char *child = name_arg(L, 2, "delegation_set", "child zone");
	struct dd_buf b = { 0 };

	dd_buf_printf(&b, "delegation set %s", child);
	names_args(L, 3, "delegation_set", &b);
	return send_change(L, "delegation_set", dns, &b);
}

void
sc_lua_zone_register(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "zone_set", l_zone_set }, { "zone_reset", l_zone_reset },
		{ "zone_empty", l_zone_empty }, { "zone_ttl", l_zone_ttl },
		{ "zone_ns", l_zone_ns }, { "record_add", l_record_add },
		{ "record_del", l_record_del }, { "ttl_set", l_ttl_set },
		{ "delegation_del", l_delegation_del },
		{ "delegation_set", l_delegation_set },
		{ NULL, NULL },
	};

	luaL_setfuncs(L, fns, 0);
}
