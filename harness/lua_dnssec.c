/*
 * lua_dnssec.c -- DNSSEC keys in a scenario (doc/scenario-api.md,
 * "DNSSEC"): dnssec_key("example.com.") makes a KSK and a ZSK with ldns
 * while the scenario loads, so a parent zone's text can hold the child's DS
 * before any faultd starts, and dns { sign = {...}, nsec3 = true } says
 * which zones a faultd signs with which keys.
 *
 * The private keys live only in the scenario (struct sc_keyset, text as
 * ldns-keygen writes it); the runner writes them into the run's own
 * folder at start (harness/run_keys.c) and never elsewhere, so `dnsdrill
 * check` makes keys in memory and writes nothing.  Errors name the
 * scenario's file:line and the zone or field at fault.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "harness/lua_internal.h"
#include "harness/scenario.h"
#include "lib/dnswire.h"

/* A DNSKEY's and a DS's TTL in the texts we give out (the parent's zone
 * may write its own TTL before the rdata: ds_rdata). */
#define LDS_TTL 3600

/* "Example.COM" -> "example.com." into out; false when not a name. */
static bool
zone_norm(const char *s, char *out, size_t len)
{
	uint8_t w[DNS_MAX_NAME];
	size_t n = strlen(s);

	if (n == 0 || n + 2 > len || strpbrk(s, " \t\r\n\\;()\"") != NULL ||
	    dns_name_from_str(s, w, sizeof(w)) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	out[n] = '\0';
	if (strcmp(out, ".") != 0 && out[n - 1] != '.')
		strcat(out, ".");
	if (strstr(out, "..") != NULL)
		return false;
	return true;
}

/* An RR in presentation format on one line: tabs to spaces, no comment,
 * no newline.  malloc'd, or NULL. */
static char *
rr_line(const ldns_rr *rr)
{
	char *s = ldns_rr2str_fmt(ldns_output_format_nocomments, rr);

	if (s == NULL)
		return NULL;
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ' ';
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static bool
base_taken(const struct scenario *sc, const char *base)
{
	for (size_t i = 0; i < sc->n_keysets; i++)
		for (size_t j = 0; j < 2; j++)
			if (sc->keysets[i].key[j].base != NULL &&
			    strcmp(sc->keysets[i].key[j].base, base) == 0)
				return true;
	return false;
}

/* One key of the set (j 0: KSK, 1: ZSK) into k->key[j]; for the KSK also
 * its DS.  A key tag another key of the scenario has is made again, so the
 * file names (Kzone.+013+TAG) never clash.  0 or -1. */
static int
key_make(const struct scenario *sc, struct sc_keyset *k, size_t j, const ldns_rdf *owner)
{
	for (int tries = 0; tries < 16; tries++) {
		ldns_key *key = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
		ldns_rr *rr = NULL, *ds = NULL;
		char base[DNS_MAX_NAME * 4 + 32];
		uint16_t tag;
		int rc = -1;

		if (key == NULL)
			return -1;
		ldns_key_set_pubkey_owner(key, ldns_rdf_clone(owner));
		ldns_key_set_flags(key, j == 0 ? 257 : 256);
		if ((rr = ldns_key2rr(key)) == NULL)
			goto next;
		ldns_rr_set_ttl(rr, LDS_TTL);
		tag = ldns_calc_keytag(rr);
		ldns_key_set_keytag(key, tag);
		snprintf(base, sizeof(base), "K%s+%03u+%05u", k->zone,
		    (unsigned)LDNS_SIGN_ECDSAP256SHA256, (unsigned)tag);
		if (base_taken(sc, base) || (j == 1 && k->key[0].base != NULL &&
		    strcmp(k->key[0].base, base) == 0)) {
			rc = 1;
			goto next;
		}
		k->key[j].base = strdup(base);
		k->key[j].private_text = ldns_key2str(key);
		k->key[j].dnskey = rr_line(rr);
		if (j == 0) {
			if ((ds = ldns_key_rr2ds(rr, LDNS_SHA256)) != NULL) {
				ldns_rr_set_ttl(ds, LDS_TTL);
				k->ds = rr_line(ds);
			}
			ldns_rr_free(ds);
		}
		rc = (k->key[j].base && k->key[j].private_text && k->key[j].dnskey &&
		    (j == 1 || k->ds)) ? 0 : -1;
next:
		ldns_rr_free(rr);
		ldns_key_deep_free(key);
		if (rc <= 0)
			return rc;
	}
	return -1;
}

/* A new key set for zone (normalized) in sc; its index, or a Lua error. */
static size_t
keyset_new(lua_State *L, struct scenario *sc, const char *zone, bool implicit,
    const char *what)
{
	struct sc_keyset *k;
	ldns_rdf *owner = NULL;

	k = sc_push(&sc->keysets, &sc->n_keysets, sizeof(*k));
	if (k == NULL)
		luaL_error(L, "%s: out of memory", what);
	memset(k, 0, sizeof(*k));
	k->zone = strdup(zone);
	k->implicit = implicit;
	k->line = sc_lua_cur_line(L);
	if (k->zone == NULL || ldns_str2rdf_dname(&owner, zone) != LDNS_STATUS_OK ||
	    key_make(sc, k, 0, owner) < 0 || key_make(sc, k, 1, owner) < 0) {
		ldns_rdf_deep_free(owner);
		luaL_error(L, "%s: cannot make an ECDSAP256SHA256 key for %s", what, zone);
	}
	ldns_rdf_deep_free(owner);
	return sc->n_keysets - 1;
}

/* The rdata of a record's text: what follows " DS " / " DNSKEY ". */
static const char *
rdata_of(const char *rr, const char *type)
{
	char pat[16];
	const char *p;

	snprintf(pat, sizeof(pat), " %s ", type);
	p = strstr(rr, pat);
	return p ? p + strlen(pat) : rr;
}

/*
 * dnssec_key("example.com.") -> { zone = "example.com.", ds = "example.com.
 * 3600 IN DS TAG 13 2 HEX", ds_rdata = "TAG 13 2 HEX", dnskey = { KSK, ZSK
 * records }, ksk = TAG, zsk = TAG, id = N }: a key set of the scenario,
 * for dns { sign = { ["example.com."] = key } } and the parent's zone.
 */
static int
l_dnssec_key(lua_State *L)
{
	struct scenario *sc = sc_lua_of(L)->sc;
	const char *arg;
	char zone[DNS_MAX_NAME * 4 + 2];
	const struct sc_keyset *k;
	size_t i;

	/* (not sc_lua_need_load_phase: lua_decl.c calls into this file) */
	if (sc_lua_of(L)->running)
		luaL_error(L, "dnssec_key() declares the scenario: call it at the top level, "
		    "not in the timeline");
	arg = luaL_checkstring(L, 1);
	if (lua_gettop(L) > 1)
		luaL_error(L, "dnssec_key: give the zone only (dnssec_key(\"example.com.\"))");
	if (!zone_norm(arg, zone, sizeof(zone)))
		luaL_error(L, "dnssec_key: '%s' is not a zone name", arg);
	i = keyset_new(L, sc, zone, false, "dnssec_key");
	k = &sc->keysets[i];
	lua_createtable(L, 0, 7);
	lua_pushstring(L, k->zone);
	lua_setfield(L, -2, "zone");
	lua_pushstring(L, k->ds);
	lua_setfield(L, -2, "ds");
	lua_pushstring(L, rdata_of(k->ds, "DS"));
	lua_setfield(L, -2, "ds_rdata");
	lua_createtable(L, 2, 0);
	for (int j = 0; j < 2; j++) {
		lua_pushstring(L, k->key[j].dnskey);
		lua_rawseti(L, -2, j + 1);
	}
	lua_setfield(L, -2, "dnskey");
	for (int j = 0; j < 2; j++) {
		const char *b = strrchr(k->key[j].base, '+');
		lua_pushinteger(L, strtol(b + 1, NULL, 10));
		lua_setfield(L, -2, j == 0 ? "ksk" : "zsk");
	}
	lua_pushinteger(L, (lua_Integer)i + 1);
	lua_setfield(L, -2, "id");
	return 1;
}

/* The origin of a zone text or file (its SOA's owner, normalized) into
 * out; false when it cannot be read here (faultd says why at start). */
static bool
origin_of(FILE *fp, char *out, size_t len)
{
	ldns_zone *z = NULL;
	int line = 1;
	bool ok = false;

	if (fp == NULL)
		return false;
	if (ldns_zone_new_frm_fp_l(&z, fp, NULL, 3600, LDNS_RR_CLASS_IN, &line) ==
	    LDNS_STATUS_OK && ldns_zone_soa(z) != NULL) {
		char *s = ldns_rdf2str(ldns_rr_owner(ldns_zone_soa(z)));
		ok = s != NULL && zone_norm(s, out, len);
		free(s);
	}
	if (z != NULL)
		ldns_zone_deep_free(z);
	fclose(fp);
	return ok;
}

/* The zones d serves, as "a., b." into list; false when one of them
 * cannot be read here.  Is zone among them? */
static bool
served(const struct sc_dns *d, const char *zone, char *list, size_t len, bool *known)
{
	char o[DNS_MAX_NAME * 4 + 2];
	bool found = false;

	*known = true;
	list[0] = '\0';
	for (size_t i = 0; i < d->n_zone_texts + d->n_zone_files; i++) {
		FILE *fp = i < d->n_zone_texts
		    ? fmemopen(d->zone_texts[i], strlen(d->zone_texts[i]), "r")
		    : fopen(d->zone_files[i - d->n_zone_texts], "r");
		if (!origin_of(fp, o, sizeof(o))) {
			*known = false;
			continue;
		}
		found = found || strcmp(o, zone) == 0;
		if (strlen(list) + strlen(o) + 3 < len)
			snprintf(list + strlen(list), len - strlen(list), "%s%s", list[0] ? ", " : "", o);
	}
	return found;
}

/* The implicit key set of zone (one per zone, made on first use). */
static size_t
implicit_keyset(lua_State *L, struct scenario *sc, const char *zone, const char *what)
{
	for (size_t i = 0; i < sc->n_keysets; i++)
		if (sc->keysets[i].implicit && strcmp(sc->keysets[i].zone, zone) == 0)
			return i;
	return keyset_new(L, sc, zone, true, what);
}

/* One sign entry: zone (a Lua string), key set index into d. */
static void
sign_add(lua_State *L, struct sc_dns *d, const char *zone_arg, size_t ks, const char *what)
{
	char zone[DNS_MAX_NAME * 4 + 2], list[512];
	struct sc_sign *s;
	bool known;

	if (!zone_norm(zone_arg, zone, sizeof(zone)))
		luaL_error(L, "%s: sign: '%s' is not a zone name", what, zone_arg);
	for (size_t i = 0; i < d->n_sign; i++)
		if (strcmp(d->sign[i].zone, zone) == 0)
			luaL_error(L, "%s: sign: zone %s is given twice", what, zone);
	if (!served(d, zone, list, sizeof(list), &known) && known)
		luaL_error(L, "%s: sign: zone %s is not served by this server (it serves %s)",
		    what, zone, list[0] ? list : "no zone");
	s = sc_push(&d->sign, &d->n_sign, sizeof(*s));
	if (s == NULL || (s->zone = strdup(zone)) == NULL)
		luaL_error(L, "%s: out of memory", what);
	s->keyset = ks;
}

void
sc_lua_dnssec_dns(lua_State *L, int t, const char *what, struct sc_dns *d)
{
	struct scenario *sc = sc_lua_of(L)->sc;
	int st;

	d->nsec3 = sc_lua_opt_bool(L, t, "nsec3", what, false);
	lua_getfield(L, t, "sign");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		if (d->nsec3)
			luaL_error(L, "%s: nsec3 = true without sign = { \"zone.\", ... } "
			    "(NSEC3 is for the zones it signs)", what);
		return;
	}
	st = lua_gettop(L);
	if (!lua_istable(L, st))
		luaL_error(L, "%s: sign must be { \"example.com.\", [\"example.org.\"] = "
		    "dnssec_key(\"example.org.\") }", what);
	lua_pushnil(L);
	while (lua_next(L, st) != 0) {
		/* key at -2, value at -1 */
		if (lua_type(L, -2) == LUA_TNUMBER) {
			char zone[DNS_MAX_NAME * 4 + 2];
			const char *z;
			if (lua_type(L, -1) != LUA_TSTRING)
				luaL_error(L, "%s: sign[%d]: a zone name (\"example.com.\")", what,
				    (int)lua_tointeger(L, -2));
			z = lua_tostring(L, -1);
			if (!zone_norm(z, zone, sizeof(zone)))
				luaL_error(L, "%s: sign: '%s' is not a zone name", what, z);
			sign_add(L, d, z, implicit_keyset(L, sc, zone, what), what);
		} else if (lua_type(L, -2) == LUA_TSTRING) {
			const char *z = lua_tostring(L, -2);
			char zone[DNS_MAX_NAME * 4 + 2];
			lua_Integer id;
			if (!lua_istable(L, -1))
				luaL_error(L, "%s: sign[\"%s\"]: a key from dnssec_key(\"%s\")", what, z, z);
			lua_getfield(L, -1, "id");
			id = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
			lua_pop(L, 1);
			if (id < 1 || (size_t)id > sc->n_keysets || sc->keysets[id - 1].implicit)
				luaL_error(L, "%s: sign[\"%s\"]: not a key from dnssec_key()", what, z);
			if (!zone_norm(z, zone, sizeof(zone)))
				luaL_error(L, "%s: sign: '%s' is not a zone name", what, z);
			if (strcmp(sc->keysets[id - 1].zone, zone) != 0)
				luaL_error(L, "%s: sign[\"%s\"]: the key was made for %s", what, z,
				    sc->keysets[id - 1].zone);
			sign_add(L, d, z, (size_t)id - 1, what);
		} else {
			luaL_error(L, "%s: sign: keys are zone names", what);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (d->n_sign == 0)
		luaL_error(L, "%s: sign = {} names no zone", what);
	/* lua_next's order is the table's: keep faultd's command line stable */
	for (size_t i = 1; i < d->n_sign; i++)
		for (size_t j = i; j > 0 && strcmp(d->sign[j - 1].zone, d->sign[j].zone) > 0; j--) {
			struct sc_sign tmp = d->sign[j];
			d->sign[j] = d->sign[j - 1];
			d->sign[j - 1] = tmp;
		}
}

void
sc_lua_dnssec_register(lua_State *L)
{
	lua_pushcfunction(L, l_dnssec_key);
	lua_setfield(L, -2, "dnssec_key");
}
