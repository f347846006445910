/*
 * test_zone.c -- faultd/zone.c: loading zone files and answering from them.
 *
 * Zone files are written to a temporary directory; queries are built with
 * ldns, answered with zone_answer() and parsed back with ldns_wire2pkt().
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

#include "lib/dnswire.h"
#include "lib/util.h"
#include "faultd/zone.h"

static char tmpdir[64];
static char path_ex[128], path_deep[128];
static struct zoneset *zs;

static const char ZONE_EX[] =
	"; example.com, the main test zone\n"
	"$ORIGIN example.com.\n"
	"$TTL 3600\n"
	"@ 7200 IN SOA ns1 hostmaster (\n"
	"      2024010101 ; serial\n"
	"      7200 3600 1209600\n"
	"      300 )      ; minimum\n"
	"@        IN NS    ns1\n"
	"         IN NS    ns2.example.net.\n"
	"ns1      IN A     192.0.2.53\n"
	"www   60 IN A     192.0.2.1\n"
	"www   60 IN A     192.0.2.2\n"
	"www      IN AAAA  2001:db8::1\n"
	"alias    IN CNAME www\n"
	"alias2   IN CNAME alias\n"
	"ext      IN CNAME www.example.org.\n"
	"todeep   IN CNAME host.deep.example.com.\n"
	"dangling IN CNAME nothere\n"
	"loop1    IN CNAME loop2\n"
	"loop2    IN CNAME loop1\n"
	"a.b.c    IN A     192.0.2.3\n"
	"sub      IN NS    ns.sub\n"
	"sub      IN NS    ns.elsewhere.org.\n"
	"ns.sub   IN A     192.0.2.100\n"
	"ns.sub   IN AAAA  2001:db8::100\n"
	"*.wild   IN A     192.0.2.77\n"
	"*.wild   IN TXT   \"wild\"\n"
	"*.cwild  IN CNAME www\n";

/* no $ORIGIN: the origin comes from the SOA owner, relative names follow */
static const char ZONE_DEEP[] =
	"deep.example.com. 60 IN SOA ns1 h.example.com. 1 7200 3600 1209600 600\n"
	"        IN NS ns1\n"
	"ns1     IN A  192.0.2.9\n"
	"host    IN A  192.0.2.10\n";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	struct dd_err err = { "" };
	const char *files[2];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_zone.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path_ex, sizeof(path_ex), "%s/example.com.zone", tmpdir);
	snprintf(path_deep, sizeof(path_deep), "%s/deep.zone", tmpdir);
	write_file(path_ex, ZONE_EX);
	write_file(path_deep, ZONE_DEEP);
	files[0] = path_ex;
	files[1] = path_deep;
	if (zoneset_load(&zs, files, 2, &err) != 0) {
		fprintf(stderr, "load: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	zoneset_free(zs);
	zs = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- query / reply helpers ---- */

struct qr {
	uint8_t query[512];
	size_t qlen;
	struct dns_query q;
	uint8_t reply[65535];
	size_t rlen;
	ldns_pkt *pkt;
};

static void
make_query(struct qr *x, const char *name, ldns_rr_type type, uint16_t id,
    bool edns, bool rd)
{
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	ldns_pkt *p;
	uint8_t *wire = NULL;
	size_t len = 0;

	assert_non_null(dn);
	p = ldns_pkt_query_new(dn, type, LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0);
	assert_non_null(p);
	ldns_pkt_set_id(p, id);
	if (edns)
		ldns_pkt_set_edns_udp_size(p, 4096);
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	assert_true(len <= sizeof(x->query));
	memcpy(x->query, wire, len);
	x->qlen = len;
	free(wire);
	ldns_pkt_free(p);
	assert_int_equal(dns_parse_query(x->query, x->qlen, &x->q), 0);
}

/* Ask, answer, parse back.  Fails the test on any error. */
static ldns_pkt *
ask_full(struct qr *x, const char *name, ldns_rr_type type, uint16_t id,
    bool edns)
{
	const struct zone *z;

	make_query(x, name, type, id, edns, true);
	z = zoneset_find(zs, x->q.qname);
	assert_non_null(z);
	assert_int_equal(zone_answer(zs, z, x->query, &x->q, x->reply,
	    sizeof(x->reply), &x->rlen), 0);
	assert_true(x->rlen > DNS_HDR_LEN);
	assert_int_equal(ldns_wire2pkt(&x->pkt, x->reply, x->rlen), LDNS_STATUS_OK);
	return x->pkt;
}

static ldns_pkt *
ask(struct qr *x, const char *name, ldns_rr_type type)
{
	return ask_full(x, name, type, 0x1234, false);
}

static void
done(struct qr *x)
{
	ldns_pkt_free(x->pkt);
	x->pkt = NULL;
}

static char *
rr_str(const ldns_rr *rr)
{
	static char buf[512];
	char *s = ldns_rr2str(rr);

	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	/* one line, tabs to spaces */
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void
assert_section(ldns_rr_list *l, const char *const *want, size_t n)
{
	assert_int_equal(ldns_rr_list_rr_count(l), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(rr_str(ldns_rr_list_rr(l, i)), want[i]);
}

#define SECTION(l, ...) do { \
	static const char *const w_[] = { __VA_ARGS__ }; \
	assert_section((l), w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)

static void
assert_neg_soa(ldns_pkt *p, const char *origin, uint32_t ttl)
{
	ldns_rr_list *au = ldns_pkt_authority(p);
	ldns_rr *soa;
	char *o;

	assert_int_equal(ldns_rr_list_rr_count(au), 1);
	soa = ldns_rr_list_rr(au, 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(soa), ttl);
	o = ldns_rdf2str(ldns_rr_owner(soa));
	assert_string_equal(o, origin);
	free(o);
}

/* ---- answers ---- */

static void
test_a_aaaa(void **state)
{
	struct qr x;
	ldns_pkt *p = ask(&x, "www.example.com.", LDNS_RR_TYPE_A);

	assert_true(ldns_pkt_qr(p));
	assert_true(ldns_pkt_aa(p));
	assert_true(ldns_pkt_rd(p));
	assert_false(ldns_pkt_ra(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	SECTION(ldns_pkt_answer(p),
	    "www.example.com. 60 IN A 192.0.2.1",
	    "www.example.com. 60 IN A 192.0.2.2");
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(ldns_pkt_arcount(p), 0);
	done(&x);

	p = ask(&x, "www.example.com.", LDNS_RR_TYPE_AAAA);
	assert_true(ldns_pkt_aa(p));
	SECTION(ldns_pkt_answer(p), "www.example.com. 3600 IN AAAA 2001:db8::1");
	done(&x);

	/* the apex NS, with the in-zone server's address in additional */
	p = ask(&x, "example.com.", LDNS_RR_TYPE_NS);
	assert_true(ldns_pkt_aa(p));
	SECTION(ldns_pkt_answer(p),
	    "example.com. 3600 IN NS ns1.example.com.",
	    "example.com. 3600 IN NS ns2.example.net.");
	SECTION(ldns_pkt_additional(p), "ns1.example.com. 3600 IN A 192.0.2.53");
	done(&x);
}

static void
test_nxdomain_nodata(void **state)
{
	struct qr x;
	ldns_pkt *p = ask(&x, "nope.example.com.", LDNS_RR_TYPE_A);

	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	/* RFC 2308: min(SOA TTL 7200, MINIMUM 300) */
	assert_neg_soa(p, "example.com.", 300);
	done(&x);

	p = ask(&x, "www.example.com.", LDNS_RR_TYPE_MX);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, "example.com.", 300);
	done(&x);

	/* here the SOA TTL (60) is below MINIMUM (600) */
	p = ask(&x, "nope.deep.example.com.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_neg_soa(p, "deep.example.com.", 60);
	done(&x);

	/* below an existing name is still NXDOMAIN */
	p = ask(&x, "x.www.example.com.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	done(&x);
}

static void
test_ent_is_nodata(void **state)
{
	struct qr x;
	const char *ents[] = { "b.c.example.com.", "c.example.com.", "wild.example.com." };

	for (size_t i = 0; i < 3; i++) {
		ldns_pkt *p = ask(&x, ents[i], LDNS_RR_TYPE_A);
		assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		assert_true(ldns_pkt_aa(p));
		assert_int_equal(ldns_pkt_ancount(p), 0);
		assert_neg_soa(p, "example.com.", 300);
		done(&x);
	}
	ldns_pkt *p = ask(&x, "a.b.c.example.com.", LDNS_RR_TYPE_A);
	SECTION(ldns_pkt_answer(p), "a.b.c.example.com. 3600 IN A 192.0.2.3");
	done(&x);
}

static void
test_cname(void **state)
{
	struct qr x;
	ldns_pkt *p = ask(&x, "alias2.example.com.", LDNS_RR_TYPE_A);

	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	SECTION(ldns_pkt_answer(p),
	    "alias2.example.com. 3600 IN CNAME alias.example.com.",
	    "alias.example.com. 3600 IN CNAME www.example.com.",
	    "www.example.com. 60 IN A 192.0.2.1",
	    "www.example.com. 60 IN A 192.0.2.2");
	done(&x);

	/* out of our data: the CNAME alone */
	p = ask(&x, "ext.example.com.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	SECTION(ldns_pkt_answer(p), "ext.example.com. 3600 IN CNAME www.example.org.");
	assert_int_equal(ldns_pkt_nscount(p), 0);
	done(&x);

	/* into the other zone of the set */
	p = ask(&x, "todeep.example.com.", LDNS_RR_TYPE_A);
	SECTION(ldns_pkt_answer(p),
	    "todeep.example.com. 3600 IN CNAME host.deep.example.com.",
	    "host.deep.example.com. 60 IN A 192.0.2.10");
	done(&x);

	/* asking for the CNAME itself does not follow it */
	p = ask(&x, "alias.example.com.", LDNS_RR_TYPE_CNAME);
	SECTION(ldns_pkt_answer(p), "alias.example.com. 3600 IN CNAME www.example.com.");
	done(&x);

	/* target does not exist: rcode of the end of the chain, with SOA */
	p = ask(&x, "dangling.example.com.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	SECTION(ldns_pkt_answer(p),
	    "dangling.example.com. 3600 IN CNAME nothere.example.com.");
	assert_neg_soa(p, "example.com.", 300);
	done(&x);

	/* a loop stops after 8 CNAMEs */
	p = ask(&x, "loop1.example.com.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 8);
	done(&x);
}

static void
test_referral(void **state)
{
	struct qr x;
	ldns_pkt *p = ask(&x, "www.sub.example.com.", LDNS_RR_TYPE_A);

	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	SECTION(ldns_pkt_authority(p),
	    "sub.example.com. 3600 IN NS ns.sub.example.com.",
	    "sub.example.com. 3600 IN NS ns.elsewhere.org.");
	SECTION(ldns_pkt_additional(p),
	    "ns.sub.example.com. 3600 IN A 192.0.2.100",
	    "ns.sub.example.com. 3600 IN AAAA 2001:db8::100");
	done(&x);

	/* the cut itself, and glue names, are referrals too */
	p = ask(&x, "sub.example.com.", LDNS_RR_TYPE_A);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_nscount(p), 2);
	done(&x);
	p = ask(&x, "ns.sub.example.com.", LDNS_RR_TYPE_A);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 2);
	done(&x);

	/* DS is the parent's: NODATA with AA */
	p = ask(&x, "sub.example.com.", LDNS_RR_TYPE_DS);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, "example.com.", 300);
	done(&x);
}

static void
test_wildcard(void **state)
{
	struct qr x;
	ldns_pkt *p = ask(&x, "anything.wild.example.com.", LDNS_RR_TYPE_A);

	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	SECTION(ldns_pkt_answer(p), "anything.wild.example.com. 3600 IN A 192.0.2.77");
	done(&x);

	/* more labels below: still synthesized from *.wild */
	p = ask(&x, "a.b.wild.example.com.", LDNS_RR_TYPE_TXT);
	SECTION(ldns_pkt_answer(p), "a.b.wild.example.com. 3600 IN TXT \"wild\"");
	done(&x);

	/* wildcard exists but not the type: NODATA */
	p = ask(&x, "x.wild.example.com.", LDNS_RR_TYPE_AAAA);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, "example.com.", 300);
	done(&x);

	/* a wildcard CNAME is synthesized, then followed */
	p = ask(&x, "q.cwild.example.com.", LDNS_RR_TYPE_AAAA);
	SECTION(ldns_pkt_answer(p),
	    "q.cwild.example.com. 3600 IN CNAME www.example.com.",
	    "www.example.com. 3600 IN AAAA 2001:db8::1");
	done(&x);

	/* RFC 4592: the closest encloser of x.a.b.c is the ENT b.c, which
	 * has no wildcard, so no synthesis from anywhere else */
	p = ask(&x, "x.b.c.example.com.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	done(&x);
}

static void
test_any(void **state)
{
	struct qr x;
	ldns_pkt *p = ask(&x, "www.example.com.", LDNS_RR_TYPE_ANY);

	assert_true(ldns_pkt_aa(p));
	SECTION(ldns_pkt_answer(p),
	    "www.example.com. 60 IN A 192.0.2.1",
	    "www.example.com. 60 IN A 192.0.2.2",
	    "www.example.com. 3600 IN AAAA 2001:db8::1");
	done(&x);

	p = ask(&x, "example.com.", LDNS_RR_TYPE_ANY);
	assert_int_equal(ldns_pkt_ancount(p), 3); /* SOA, 2 NS */
	done(&x);

	p = ask(&x, "c.example.com.", LDNS_RR_TYPE_ANY);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, "example.com.", 300);
	done(&x);
}

static void
test_two_zones(void **state)
{
	uint8_t n[DNS_MAX_NAME];
	const struct zone *ex, *deep;
	char buf[DNS_MAX_NAME * 4];

	assert_int_equal(zoneset_count(zs), 2);
	assert_true(dns_name_from_str("www.example.com", n, sizeof(n)) > 0);
	ex = zoneset_find(zs, n);
	assert_non_null(ex);
	assert_string_equal(dns_name_to_str(zone_origin(ex), buf, sizeof(buf)),
	    "example.com.");
	assert_true(dns_name_from_str("a.host.deep.example.com", n, sizeof(n)) > 0);
	deep = zoneset_find(zs, n);
	assert_non_null(deep);
	assert_ptr_not_equal(deep, ex);
	assert_string_equal(dns_name_to_str(zone_origin(deep), buf, sizeof(buf)),
	    "deep.example.com.");
	assert_true(dns_name_from_str("deep.example.com", n, sizeof(n)) > 0);
	assert_ptr_equal(zoneset_find(zs, n), deep);
	assert_true(dns_name_from_str("example.org", n, sizeof(n)) > 0);
	assert_null(zoneset_find(zs, n));
	assert_true(dns_name_from_str("com", n, sizeof(n)) > 0);
	assert_null(zoneset_find(zs, n));

	struct zone_soa soa;
	zone_get_soa(deep, &soa);
	assert_int_equal(soa.ttl, 60);
	assert_int_equal(soa.minimum, 600);
	assert_memory_equal(soa.owner, zone_origin(deep), dns_name_len(zone_origin(deep)));
	assert_true(soa.rdlen > 20);

	/* relative names in a file without $ORIGIN follow the SOA owner */
	struct qr x;
	ldns_pkt *p = ask(&x, "deep.example.com.", LDNS_RR_TYPE_NS);
	SECTION(ldns_pkt_answer(p), "deep.example.com. 60 IN NS ns1.deep.example.com.");
	SECTION(ldns_pkt_additional(p), "ns1.deep.example.com. 60 IN A 192.0.2.9");
	done(&x);
}

/* ID, flags and the question as the client sent it, fresh and cached */
static void
test_mirror_query(void **state)
{
	struct qr x;
	ldns_pkt *p;
	uint64_t h0, h1;

	zoneset_cache_stats(zs, &h0, NULL);
	p = ask_full(&x, "WwW.ExAmPlE.cOm.", LDNS_RR_TYPE_A, 0xbeef, true);
	assert_int_equal(ldns_pkt_id(p), 0xbeef);
	assert_int_equal(dns_get16(x.reply), 0xbeef);
	assert_memory_equal(x.reply + DNS_HDR_LEN, x.query + DNS_HDR_LEN,
	    x.q.question_end - DNS_HDR_LEN);
	assert_string_equal(rr_str(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    "WwW.ExAmPlE.cOm. 60 IN A 192.0.2.1");
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_true(ldns_pkt_edns(p));
	done(&x);

	/* same question, other case, ID and no RD: must come from the cache
	 * and still mirror this query */
	make_query(&x, "www.EXAMPLE.com.", LDNS_RR_TYPE_A, 0x0102, true, false);
	x.query[3] |= 0x10; /* CD */
	assert_int_equal(dns_parse_query(x.query, x.qlen, &x.q), 0);
	assert_int_equal(zone_answer(zs, zoneset_find(zs, x.q.qname), x.query,
	    &x.q, x.reply, sizeof(x.reply), &x.rlen), 0);
	zoneset_cache_stats(zs, &h1, NULL);
	assert_true(h1 > h0);
	assert_int_equal(ldns_wire2pkt(&x.pkt, x.reply, x.rlen), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(x.pkt), 0x0102);
	assert_false(ldns_pkt_rd(x.pkt));
	assert_true(ldns_pkt_cd(x.pkt));
	assert_true(ldns_pkt_aa(x.pkt));
	assert_memory_equal(x.reply + DNS_HDR_LEN, x.query + DNS_HDR_LEN,
	    x.q.question_end - DNS_HDR_LEN);
	assert_string_equal(rr_str(ldns_rr_list_rr(ldns_pkt_answer(x.pkt), 1)),
	    "www.EXAMPLE.com. 60 IN A 192.0.2.2");
	done(&x);

	/* without EDNS in the query, no OPT in the reply */
	p = ask(&x, "www.example.com.", LDNS_RR_TYPE_A);
	assert_false(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_arcount(p), 0);
	done(&x);
}

/* A cached reply is byte for byte what a fresh one would be. */
static void
test_cache_consistent(void **state)
{
	static const struct { const char *name; ldns_rr_type t; } qs[] = {
		{ "www.example.com.", LDNS_RR_TYPE_A },
		{ "nope.example.com.", LDNS_RR_TYPE_A },
		{ "alias2.example.com.", LDNS_RR_TYPE_AAAA },
		{ "www.sub.example.com.", LDNS_RR_TYPE_A },
		{ "z.wild.example.com.", LDNS_RR_TYPE_A },
		{ "example.com.", LDNS_RR_TYPE_ANY },
		{ "c.example.com.", LDNS_RR_TYPE_A },
	};
	struct dd_err err;
	struct zoneset *cold = NULL;
	const char *files[2] = { path_ex, path_deep };
	static uint8_t fresh[65535];
	size_t flen;

	assert_int_equal(zoneset_load(&cold, files, 2, &err), 0);
	assert_int_equal(zoneset_cache_set(cold, 0), 0);
	for (size_t i = 0; i < DD_ARRAY_LEN(qs); i++) {
		for (int round = 0; round < 3; round++) {
			struct qr x;
			make_query(&x, qs[i].name, qs[i].t, (uint16_t)(i * 7 + round),
			    round == 1, round != 2);
			assert_int_equal(zone_answer(zs, zoneset_find(zs, x.q.qname),
			    x.query, &x.q, x.reply, sizeof(x.reply), &x.rlen), 0);
			assert_int_equal(zone_answer(cold, zoneset_find(cold, x.q.qname),
			    x.query, &x.q, fresh, sizeof(fresh), &flen), 0);
			assert_int_equal(x.rlen, flen);
			assert_memory_equal(x.reply, fresh, flen);
		}
	}
	uint64_t hits, misses;
	zoneset_cache_stats(cold, &hits, &misses);
	assert_int_equal(hits + misses, 0);
	zoneset_free(cold);
}

static void
test_bad_calls(void **state)
{
	struct qr x;
	uint8_t small[20];
	size_t len = 99;
	const struct zone *z;

	zoneset_free(NULL);
	assert_int_equal(zoneset_count(NULL), 0);
	assert_null(zoneset_find(NULL, (const uint8_t *)"\0"));
	assert_null(zone_origin(NULL));

	make_query(&x, "www.example.com.", LDNS_RR_TYPE_A, 1, false, true);
	z = zoneset_find(zs, x.q.qname);
	assert_int_equal(zone_answer(zs, z, x.query, &x.q, small, sizeof(small),
	    &len), DD_ENOSPACE);
	/* the cached path too */
	assert_int_equal(zone_answer(zs, z, x.query, &x.q, small, sizeof(small),
	    &len), DD_ENOSPACE);
	assert_int_equal(zone_answer(zs, NULL, x.query, &x.q, x.reply,
	    sizeof(x.reply), &len), DD_EINVAL);

	/* a name the zone does not hold */
	make_query(&x, "www.example.org.", LDNS_RR_TYPE_A, 1, false, true);
	assert_int_equal(zone_answer(zs, z, x.query, &x.q, x.reply,
	    sizeof(x.reply), &len), DD_EINVAL);
}

/* ---- load errors ---- */

static const char SOA_LINE[] =
	"@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n";

/* Load text as FILE; expect failure with "FILE:LINE: ..." containing what. */
static void
expect_load_error(const char *text, int line, const char *what)
{
	char path[160], want[200];
	const char *files[1] = { path };
	struct zoneset *z = (struct zoneset *)&z;  /* must be reset to NULL */
	struct dd_err err = { "" };

	snprintf(path, sizeof(path), "%s/bad.zone", tmpdir);
	write_file(path, text);
	assert_int_equal(zoneset_load(&z, files, 1, &err), DD_EINVAL);
	assert_null(z);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(err.msg, want, strlen(want)) != 0 || strstr(err.msg, what) == NULL)
		fail_msg("got \"%s\", want \"%s...%s\"", err.msg, want, what);
	unlink(path);
}

static void
test_load_errors(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "www 300 IN A 192.0.2.1\nx 3x00 IN A 1.2.3.4\n", SOA_LINE);
	expect_load_error(text, 4, "bad TTL '3x00'");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s\n"
	    "; a comment\nfoo IN BOGUS 1.2.3.4\n", SOA_LINE);
	expect_load_error(text, 5, "unknown type 'BOGUS'");

	expect_load_error("www.example.com. 300 IN A 192.0.2.1\n", 1, "no SOA");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n$TTL abc\n%s", SOA_LINE);
	expect_load_error(text, 2, "bad $TTL");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "www IN A 300.1.2.3\n", SOA_LINE);
	expect_load_error(text, 3, "");

	/* a multi-line record is reported at its first line */
	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "www IN MX (\n 10\n mail.example.com. extra junk )\n", SOA_LINE);
	expect_load_error(text, 3, "");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "www.example.org. IN A 192.0.2.1\n", SOA_LINE);
	expect_load_error(text, 3, "outside the zone");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "www IN A 192.0.2.1\nwww IN CNAME other\n", SOA_LINE);
	expect_load_error(text, 4, "CNAME and other data");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s%s", SOA_LINE, SOA_LINE);
	expect_load_error(text, 3, "second SOA");

	expect_load_error("www IN A 192.0.2.1\n", 1, "no $ORIGIN");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "www CH TXT \"x\"\n", SOA_LINE);
	expect_load_error(text, 3, "only IN");

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n%s"
	    "$INCLUDE other.zone\n", SOA_LINE);
	expect_load_error(text, 3, "not supported");
}

/*
 * ldns appends $ORIGIN without enforcing 255 octets: a 253-character origin
 * (255 octets of wire) with a two-label relative name is 383 octets, which
 * used to overflow the 255-byte stack buffers in put_glue (NS) and resolve
 * (CNAME).  Refused at load, naming the line.
 */
static void
test_load_long_names(void **state)
{
	char origin[256], l1[64], l2[64], text[2048];

	memset(l1, 'x', 63);
	l1[63] = 0;
	memset(l2, 'y', 63);
	l2[63] = 0;
	snprintf(origin, sizeof(origin), "%.63s.%.63s.%.63s.%.61s.", l1, l2, l1, l2);
	assert_int_equal(strlen(origin), 254);   /* 253 + the final dot: 255 octets of wire */

	snprintf(text, sizeof(text), "$ORIGIN %s\n"
	    "@ 300 IN SOA @ @ 1 2 3 4 5\n"
	    "@ IN NS %s.%s\n", origin, l1, l2);
	expect_load_error(text, 3, "longer than 255 octets");

	snprintf(text, sizeof(text), "$ORIGIN %s\n"
	    "@ 300 IN SOA @ @ 1 2 3 4 5\n"
	    "\n"
	    "@ IN CNAME %s.%s\n", origin, l1, l2);
	expect_load_error(text, 4, "longer than 255 octets");

	/* an over-long owner */
	snprintf(text, sizeof(text), "$ORIGIN %s\n"
	    "@ 300 IN SOA @ @ 1 2 3 4 5\n"
	    "%s IN A 192.0.2.1\n", origin, l1);
	expect_load_error(text, 3, "longer than 255 octets");
}

/* Issue 10, bug 9: a file that is not a zone (a scenario naming
 * /etc/passwd, say) has at most 16 characters of its lines quoted in the
 * error, escaped, never the rest. */
static void
test_load_error_quotes_little(void **state)
{
	char path[160];
	const char *files[1] = { path };
	struct zoneset *z = NULL;
	struct dd_err err = { "" };

	(void)state;
	snprintf(path, sizeof(path), "%s/passwd.zone", tmpdir);
	write_file(path, "root:x:0:0:root:/root:/bin/bash\n");
	assert_int_equal(zoneset_load(&z, files, 1, &err), DD_EINVAL);
	if (strstr(err.msg, "'root:x:0:0:root:...'") == NULL || strstr(err.msg, "/bin/bash") != NULL)
		fail_msg("quoted too much: \"%s\"", err.msg);
	write_file(path, "$\033[31mSECRET-SECRET-SECRET\n");
	assert_int_equal(zoneset_load(&z, files, 1, &err), DD_EINVAL);
	if (strchr(err.msg, '\033') != NULL || strstr(err.msg, "'$\\x1b[31mSECRET-SEC...'") == NULL)
		fail_msg("not escaped or cut: \"%s\"", err.msg);
	unlink(path);
}

static void
test_load_missing_and_duplicate(void **state)
{
	char missing[160], dup[160];
	const char *files[3];
	struct zoneset *z = NULL;
	struct dd_err err = { "" };

	snprintf(missing, sizeof(missing), "%s/does-not-exist.zone", tmpdir);
	files[0] = path_ex;
	files[1] = missing;
	assert_int_equal(zoneset_load(&z, files, 2, &err), DD_EINVAL);
	assert_null(z);
	assert_non_null(strstr(err.msg, missing));
	assert_non_null(strstr(err.msg, "No such file"));

	/* the same origin twice, the second spelled in another case */
	snprintf(dup, sizeof(dup), "%s/dup.zone", tmpdir);
	write_file(dup, "\n\nEXAMPLE.COM. 300 IN SOA a. b. 1 2 3 4 5\n");
	files[1] = path_deep;
	files[2] = dup;
	assert_int_equal(zoneset_load(&z, files, 3, &err), DD_EINVAL);
	assert_null(z);
	char want[512];
	snprintf(want, sizeof(want), "%s:3: zone example.com. is already loaded from %s",
	    dup, path_ex);
	assert_string_equal(err.msg, want);
	unlink(dup);

	/* no files: an empty set that answers for nothing */
	assert_int_equal(zoneset_load(&z, NULL, 0, &err), 0);
	assert_int_equal(zoneset_count(z), 0);
	assert_null(zoneset_find(z, (const uint8_t *)"\3com"));
	zoneset_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_aaaa),
		cmocka_unit_test(test_nxdomain_nodata),
		cmocka_unit_test(test_ent_is_nodata),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_two_zones),
		cmocka_unit_test(test_mirror_query),
		cmocka_unit_test(test_cache_consistent),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_long_names),
		cmocka_unit_test(test_load_error_quotes_little),
		cmocka_unit_test(test_load_missing_and_duplicate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
