/*
 * test_lua_dnssec.c -- DNSSEC keys at load time (harness/lua_dnssec.c):
 * dnssec_key() makes a KSK and a ZSK whose private text ldns reads back and
 * whose DS matches the KSK; dns { sign = ..., nsec3 = ... } records which
 * zone is signed with which key set (a zone without a key gets one, shared
 * by every server signing it that way); bad input is refused naming the
 * scenario's file:line and the zone.  No network, nothing written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "harness/lua_api.h"
#include "harness/scenario.h"
#include "lib/err.h"

static char tmpdir[64];

struct fx {
	struct scenario *sc;
	struct sc_lua *S;
	struct dd_err err;
};

static void
fx_clear(struct fx *f)
{
	sc_lua_free(f->S);
	scenario_free(f->sc);
	f->S = NULL;
	f->sc = NULL;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd-luadnssec-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	fx_clear(*state);
	free(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* The zones both servers serve in the scenarios below (line 1-2). */
#define ZONES \
	"local com = '$ORIGIN com.\\n@ 300 IN SOA ns hm 1 2 3 4 5\\n@ 300 IN NS ns\\n'\n" \
	"local ex = '$ORIGIN example.com.\\n@ 300 IN SOA ns hm 1 2 3 4 5\\n@ 300 IN NS ns\\n'\n"

/* A scenario: two lines of zone texts, a host, a timeline, then body
 * (whose first line is line 5). */
static int
load(struct fx *f, const char *body)
{
	char path[256], text[8192];
	FILE *fp;

	fx_clear(f);
	memset(&f->err, 0, sizeof(f->err));
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	snprintf(text, sizeof(text), ZONES "host \"h\" {}\ntimeline(function() end)\n%s\n", body);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	f->sc = scenario_new(path);
	assert_non_null(f->sc);
	f->sc->set_used = calloc(1, sizeof(bool));
	f->S = sc_lua_new(f->sc, 1, "/nonexistent/build");
	assert_non_null(f->S);
	return sc_lua_load(f->S, &f->err);
}

static void
load_ok(struct fx *f, const char *body)
{
	int rc = load(f, body);
	if (rc != 0)
		print_error("unexpected load error: %s\n", f->err.msg);
	assert_int_equal(rc, 0);
}

static void
load_fails(struct fx *f, const char *body, int line, const char *needle)
{
	char where[32];

	assert_int_equal(load(f, body), DD_EINVAL);
	snprintf(where, sizeof(where), "drill.lua:%d:", line);
	if (strstr(f->err.msg, where) == NULL || strstr(f->err.msg, needle) == NULL) {
		print_error("want '%s' and '%s' in: %s\n", where, needle, f->err.msg);
		fail();
	}
}

/* The key's private text parses, its flags are the wanted ones and its
 * DNSKEY is the one given; returns the DNSKEY record. */
static ldns_rr *
check_key(const struct sc_key *k, uint16_t flags, const char *zone)
{
	ldns_key *key = NULL;
	ldns_rr *rr = NULL;
	FILE *fp = fmemopen(k->private_text, strlen(k->private_text), "r");
	char want[64];

	assert_non_null(fp);
	assert_int_equal(ldns_key_new_frm_fp(&key, fp), LDNS_STATUS_OK);
	fclose(fp);
	assert_int_equal(ldns_key_algorithm(key), LDNS_SIGN_ECDSAP256SHA256);
	ldns_key_deep_free(key);
	assert_int_equal(ldns_rr_new_frm_str(&rr, k->dnskey, 0, NULL, NULL), LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_DNSKEY);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), flags);
	snprintf(want, sizeof(want), "K%s+013+%05u", zone, (unsigned)ldns_calc_keytag(rr));
	assert_string_equal(k->base, want);
	return rr;
}

static void
test_key_made_and_returned(void **state)
{
	struct fx *f = *state;
	const struct sc_keyset *k;
	ldns_rr *ksk, *zsk, *ds = NULL, *ds2;

	load_ok(f, "local k = dnssec_key('Example.COM')\n"
	    "assert(k.zone == 'example.com.' and k.id == 1)\n"
	    "assert(k.ds:match('^example%.com%. 3600 IN DS %d+ 13 2 %x+$'), k.ds)\n"
	    "assert(k.ds == 'example.com. 3600 IN DS ' .. k.ds_rdata)\n"
	    "assert(k.ds_rdata:match('^' .. k.ksk .. ' 13 2 '))\n"
	    "assert(#k.dnskey == 2 and k.dnskey[1]:find(' DNSKEY 257 3 13 ', 1, true)\n"
	    "  and k.dnskey[2]:find(' DNSKEY 256 3 13 ', 1, true))\n"
	    "assert(k.ksk ~= k.zsk)\n"
	    "local r = dnssec_key('.')\n"
	    "assert(r.ds:match('^%. 3600 IN DS ') and r.id == 2)\n");
	assert_int_equal(f->sc->n_keysets, 2);
	k = &f->sc->keysets[0];
	assert_string_equal(k->zone, "example.com.");
	assert_false(k->implicit);
	assert_int_equal(k->line, 5);
	ksk = check_key(&k->key[0], 257, "example.com.");
	zsk = check_key(&k->key[1], 256, "example.com.");
	/* the DS is the KSK's */
	assert_int_equal(ldns_rr_new_frm_str(&ds, k->ds, 0, NULL, NULL), LDNS_STATUS_OK);
	ds2 = ldns_key_rr2ds(ksk, LDNS_SHA256);
	assert_int_equal(ldns_rr_compare(ds, ds2), 0);
	assert_true(ldns_rr_compare_ds(ds, ksk));
	assert_false(ldns_rr_compare_ds(ds, zsk));
	ldns_rr_free(ds);
	ldns_rr_free(ds2);
	ldns_rr_free(ksk);
	ldns_rr_free(zsk);
	ldns_rr_free(check_key(&f->sc->keysets[1].key[0], 257, "."));
	ldns_rr_free(check_key(&f->sc->keysets[1].key[1], 256, "."));
}

static void
test_sign_field(void **state)
{
	struct fx *f = *state;
	const struct sc_dns *a, *b;

	load_ok(f, "local k = dnssec_key('example.com.')\n"
	    "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = { com, ex },\n"
	    "  sign = { 'com', ['example.com.'] = k }, nsec3 = true }\n"
	    "dns 'b' { host = 'h', listen = '198.18.0.2:53', zone = { ex, com },\n"
	    "  sign = { 'com.', 'example.com' } }\n"
	    "dns 'c' { host = 'h', listen = '198.18.0.3:53', zone = com }\n");
	a = scenario_dns(f->sc, "a");
	b = scenario_dns(f->sc, "b");
	assert_non_null(a);
	assert_non_null(b);
	/* sorted by zone; the key given, and one made for com. */
	assert_int_equal(a->n_sign, 2);
	assert_true(a->nsec3);
	assert_string_equal(a->sign[0].zone, "com.");
	assert_string_equal(a->sign[1].zone, "example.com.");
	assert_int_equal(a->sign[1].keyset, 0);
	assert_true(f->sc->keysets[a->sign[0].keyset].implicit);
	assert_string_equal(f->sc->keysets[a->sign[0].keyset].zone, "com.");
	/* b: the same implicit com. key; example.com. by name gets its own
	 * implicit key, not dnssec_key()'s */
	assert_int_equal(b->n_sign, 2);
	assert_false(b->nsec3);
	assert_int_equal(b->sign[0].keyset, a->sign[0].keyset);
	assert_int_not_equal(b->sign[1].keyset, 0);
	assert_true(f->sc->keysets[b->sign[1].keyset].implicit);
	assert_int_equal(f->sc->n_keysets, 3);
	assert_int_equal(scenario_dns(f->sc, "c")->n_sign, 0);
}

static void
test_sign_errors(void **state)
{
	struct fx *f = *state;

	load_fails(f, "\ndns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = { 'example.org.' } }\n", 6, "sign: zone example.org. is not served by this "
	    "server (it serves com.)");
	load_fails(f, "local k = dnssec_key('example.org.')\n"
	    "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = { ['com.'] = k } }\n", 6, "sign[\"com.\"]: the key was made for example.org.");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = { ['com.'] = { id = 1 } } }\n", 5, "not a key from dnssec_key()");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  nsec3 = true }\n", 5, "nsec3 = true without sign");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = 'com.' }\n", 5, "sign must be {");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = { 'com.', 'COM' } }\n", 5, "zone com. is given twice");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = { 'bad name' } }\n", 5, "'bad name' is not a zone name");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = com,\n"
	    "  sign = {} }\n", 5, "sign = {} names no zone");
	load_fails(f, "\n\nlocal k = dnssec_key('a..b')\n", 7, "'a..b' is not a zone name");
	load_fails(f, "local k = dnssec_key('a.', 2)\n", 5, "give the zone only");
}

/* A zone file the scenario names is read for its origin too; one that
 * cannot be read here is left to faultd. */
static void
test_sign_zone_file(void **state)
{
	struct fx *f = *state;
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/net.zone", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("$ORIGIN net.\n@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN NS ns\n", fp);
	assert_int_equal(fclose(fp), 0);
	load_ok(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zones = 'net.zone',\n"
	    "  sign = { 'net.' } }\n");
	load_fails(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zones = 'net.zone',\n"
	    "  sign = { 'org.' } }\n", 5, "(it serves net.)");
	/* a broken zone text: faultd reports it at start */
	load_ok(f, "dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = 'garbage (',\n"
	    "  sign = { 'org.' } }\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_made_and_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_zone_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
