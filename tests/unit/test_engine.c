/*
 * test_engine.c -- faultd's decision for one query: every action's reply
 * (parsed back with ldns), forwarding and REFUSED without zones, UDP size
 * limits, delays, upstream reply rewriting, malformed packets, and answers
 * from a small zone file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "faultd/engine.h"
#include "tests/unit/testpkt.h"

/* ---------------- helpers ---------------- */

static struct engine E;
static uint8_t Q[4096];
static size_t QLEN;
static uint8_t OUT[65535];
static struct engine_result R;
static struct sockaddr_in CLIENT;

/* An engine with the given rules (NULL-terminated). */
static void
eng(bool upstreams, struct zoneset *zs, ...)
{
	struct ruleset *rs = ruleset_new();
	va_list ap;
	const char *t;

	assert_non_null(rs);
	va_start(ap, zs);
	while ((t = va_arg(ap, const char *)) != NULL) {
		struct rule *r;
		struct dd_err err;
		if (rule_parse(t, &r, &err) != 0)
			fail_msg("rule '%s': %s", t, err.msg);
		assert_int_equal(ruleset_add(rs, r, false), 0);
	}
	va_end(ap);
	engine_init(&E, rs, zs, upstreams, 1);
	memset(&CLIENT, 0, sizeof(CLIENT));
	CLIENT.sin_family = AF_INET;
	CLIENT.sin_port = htons(40000);
	inet_pton(AF_INET, "198.18.1.10", &CLIENT.sin_addr);
}

static int
teardown(void **state)
{
	(void)state;
	engine_fini(&E);
	return 0;
}

/* Send a query through the engine; returns the verdict. */
static enum engine_verdict
ask(const char *name, uint16_t type, enum rule_transport tr, int edns)
{
	QLEN = tq_build(Q, sizeof(Q), 0x4242, DNS_RD, name, type, edns, false);
	assert_true(QLEN > 0);
	engine_query(&E, Q, QLEN, (const struct sockaddr *)&CLIENT, tr, OUT,
	    sizeof(OUT), &R);
	return R.verdict;
}

/* Parse the reply; checks what every reply shares (QR, ID, question as
 * sent, RD mirrored). */
static ldns_pkt *
reply(void)
{
	ldns_pkt *p = NULL;
	assert_int_equal(R.verdict, ENG_REPLY);
	assert_true(R.len >= DNS_HDR_LEN);
	assert_int_equal(ldns_wire2pkt(&p, OUT, R.len), LDNS_STATUS_OK);
	assert_true(ldns_pkt_qr(p));
	assert_int_equal(ldns_pkt_id(p), 0x4242);
	assert_true(ldns_pkt_rd(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	/* question bytes exactly as sent (0x20 case kept) */
	assert_true(R.len >= R.q.question_end);
	assert_memory_equal(OUT + DNS_HDR_LEN, Q + DNS_HDR_LEN, R.q.question_end - DNS_HDR_LEN);
	return p;
}

static uint16_t
hdr_count(int which)   /* 0 qd, 1 an, 2 ns, 3 ar (raw header, OPT counted) */
{
	return dns_get16(OUT + 4 + 2 * which);
}

/* the SOA of a negative answer: TTL and MINIMUM */
static void
assert_neg_soa(ldns_pkt *p, uint32_t ttl, uint32_t minimum)
{
	assert_int_equal(ldns_pkt_nscount(p), 1);
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(soa), ttl);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)), minimum);
}

/* ---------------- rcode actions ---------------- */

static void
check_rcode_action(const char *rule, ldns_pkt_rcode rc, enum fault_action act)
{
	eng(false, NULL, rule, NULL);
	assert_int_equal(ask("WwW.Example.COM", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), rc);
	assert_false(ldns_pkt_aa(p));
	assert_false(ldns_pkt_tc(p));
	assert_false(ldns_pkt_ra(p));       /* no upstreams: no recursion */
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(hdr_count(3), 0);
	assert_non_null(R.rule);
	assert_int_equal(R.rule->action, act);
	assert_int_equal(R.rule->hits, 1);
	assert_int_equal(E.stats.actions[act], 1);
	assert_int_equal(E.stats.queries, 1);
	assert_int_equal(E.stats.queries_udp, 1);
	assert_int_equal(R.delay_us, 0);
	ldns_pkt_free(p);
	engine_fini(&E);
}

static void
test_action_servfail_refused_formerr(void **state)
{
	(void)state;
	check_rcode_action("name=www.example.com action=servfail", LDNS_RCODE_SERVFAIL, ACT_SERVFAIL);
	check_rcode_action("action=refused", LDNS_RCODE_REFUSED, ACT_REFUSED);
	check_rcode_action("type=A action=formerr", LDNS_RCODE_FORMERR, ACT_FORMERR);
	/* keep teardown happy */
	eng(false, NULL, NULL);
}

static void
test_action_empty(void **state)
{
	(void)state;
	eng(false, NULL, "name=dynamodb.us-east-1.amazonaws.com type=A action=empty negttl=5", NULL);
	assert_int_equal(ask("DynamoDB.us-east-1.amazonaws.com", DNS_T_A, TRANSPORT_UDP,
	    TQ_NO_EDNS), ENG_REPLY);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, 5, 5);
	/* the SOA owner is at or above the query name */
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	ldns_rdf *qn = ldns_dname_new_frm_str("dynamodb.us-east-1.amazonaws.com.");
	assert_true(ldns_dname_is_subdomain(qn, ldns_rr_owner(soa)) ||
	    ldns_dname_compare(qn, ldns_rr_owner(soa)) == 0);
	ldns_rdf_deep_free(qn);
	assert_int_equal(E.stats.actions[ACT_EMPTY], 1);
	ldns_pkt_free(p);

	/* the rule's type= limits it: AAAA is not touched (REFUSED: no zone) */
	assert_int_equal(ask("dynamodb.us-east-1.amazonaws.com", DNS_T_AAAA, TRANSPORT_UDP,
	    TQ_NO_EDNS), ENG_REPLY);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_null(R.rule);
	ldns_pkt_free(p);
}

static void
test_action_nxdomain(void **state)
{
	(void)state;
	eng(true, NULL, "name=*.example.com action=nxdomain negttl=30", NULL);
	assert_int_equal(ask("gone.example.com", DNS_T_AAAA, TRANSPORT_TCP, TQ_NO_EDNS), ENG_REPLY);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, 30, 30);
	/* for a wildcard rule the SOA sits at its suffix */
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	ldns_rdf *sfx = ldns_dname_new_frm_str("example.com.");
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(soa), sfx), 0);
	ldns_rdf_deep_free(sfx);
	assert_int_equal(E.stats.queries_tcp, 1);
	ldns_pkt_free(p);
}

static void
test_negative_soa_no(void **state)
{
	(void)state;
	eng(false, NULL, "name=a.example action=nxdomain soa=no",
	    "name=b.example action=empty soa=no", NULL);
	ask("a.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(hdr_count(2), 0);
	ldns_pkt_free(p);
	ask("b.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(R.len, R.q.question_end);
	ldns_pkt_free(p);
}

static void
test_negative_default_soa(void **state)
{
	(void)state;
	/* no negttl: some SOA is still there, TTL equal to MINIMUM */
	eng(false, NULL, "action=empty", NULL);
	ask("x.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_nscount(p), 1);
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(soa), ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)));
	ldns_pkt_free(p);
}

/* ---------------- answer: ---------------- */

static void
assert_answers(ldns_pkt *p, ldns_rr_type type, const char *const *addrs, size_t n,
    uint32_t ttl)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	assert_int_equal(ldns_rr_list_rr_count(an), n);
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		char *s;
		assert_int_equal(ldns_rr_get_type(rr), type);
		assert_int_equal(ldns_rr_ttl(rr), ttl);
		s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		assert_string_equal(s, addrs[i]);
		free(s);
		/* owned by the question name */
		ldns_rdf *qn = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0));
		assert_int_equal(ldns_dname_compare(ldns_rr_owner(rr), qn), 0);
	}
}

static void
test_action_answer(void **state)
{
	(void)state;
	static const char *const v4[] = { "198.18.0.1", "198.18.0.2" };
	static const char *const v6[] = { "fd00::53" };
	static const char *const both[] = { "198.18.0.1", "198.18.0.2", "fd00::53" };
	eng(false, NULL, "name=api.example.com action=answer:198.18.0.1,fd00::53,198.18.0.2", NULL);

	ask("API.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_answers(p, LDNS_RR_TYPE_A, v4, 2, 60);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);

	ask("api.example.com", DNS_T_AAAA, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_answers(p, LDNS_RR_TYPE_AAAA, v6, 1, 60);
	ldns_pkt_free(p);

	/* ANY: both families */
	ask("api.example.com", DNS_T_ANY, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 3);
	for (size_t i = 0; i < 3; i++) {
		char *s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), i), 0));
		assert_string_equal(s, both[i]);
		free(s);
	}
	ldns_pkt_free(p);

	/* other types: NODATA with an SOA */
	ask("api.example.com", DNS_T_MX, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(p), 0)),
	    LDNS_RR_TYPE_SOA);
	ldns_pkt_free(p);
	assert_int_equal(E.stats.actions[ACT_ANSWER], 4);
}

static void
test_answer_family_missing_and_ttl(void **state)
{
	(void)state;
	static const char *const v4[] = { "198.18.7.7" };
	eng(false, NULL, "action=answer:198.18.7.7 ttl=300", NULL);
	ask("x.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_answers(p, LDNS_RR_TYPE_A, v4, 1, 300);
	ldns_pkt_free(p);
	/* AAAA with only v4 addresses: NODATA */
	ask("x.example", DNS_T_AAAA, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
}

/* ---------------- truncate, drop, pass ---------------- */

static void
test_action_truncate(void **state)
{
	(void)state;
	eng(false, NULL, "action=truncate", NULL);
	assert_int_equal(ask("big.example", DNS_T_TXT, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	ldns_pkt *p = reply();
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(hdr_count(3), 0);
	assert_int_equal(E.stats.actions[ACT_TRUNCATE], 1);
	ldns_pkt_free(p);

	/* over TCP truncate is a pass: no zone, no upstream -> REFUSED */
	assert_int_equal(ask("big.example", DNS_T_TXT, TRANSPORT_TCP, TQ_NO_EDNS), ENG_REPLY);
	p = reply();
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_int_equal(E.stats.actions[ACT_TRUNCATE], 1);
	assert_int_equal(E.stats.actions[ACT_PASS], 1);
	ldns_pkt_free(p);
	engine_fini(&E);

	/* ... and with upstreams the TCP retry is forwarded */
	eng(true, NULL, "action=truncate", NULL);
	assert_int_equal(ask("big.example", DNS_T_TXT, TRANSPORT_TCP, TQ_NO_EDNS), ENG_FORWARD);
	assert_true(R.parsed);
	assert_int_equal(ask("big.example", DNS_T_TXT, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	p = reply();
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_ra(p));
	ldns_pkt_free(p);
}

static void
test_action_drop(void **state)
{
	(void)state;
	eng(true, NULL, "name=*.example.com action=drop", NULL);
	memset(OUT, 0xee, 64);
	assert_int_equal(ask("a.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_DROP);
	assert_int_equal(R.delay_us, 0);
	assert_non_null(R.rule);
	assert_int_equal(R.rule->hits, 1);
	assert_int_equal(E.stats.actions[ACT_DROP], 1);
	assert_int_equal(ask("a.example.com", DNS_T_A, TRANSPORT_TCP, TQ_NO_EDNS), ENG_DROP);
	/* not below the suffix: forwarded */
	assert_int_equal(ask("example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);
	assert_null(R.rule);
}

static void
test_no_zone_refused_or_forward(void **state)
{
	(void)state;
	eng(false, NULL, NULL);
	assert_int_equal(ask("www.example.net", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(E.stats.refused_no_zone, 1);
	assert_int_equal(E.stats.forwarded, 0);
	ldns_pkt_free(p);
	engine_fini(&E);

	eng(true, NULL, "name=other.test action=servfail", NULL);
	assert_int_equal(ask("www.example.net", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);
	assert_true(R.parsed);
	assert_int_equal(R.q.id, 0x4242);
	assert_int_equal(R.q.qtype, DNS_T_A);
	assert_null(R.rule);
	assert_int_equal(E.stats.forwarded, 1);
	assert_int_equal(E.stats.refused_no_zone, 0);
	/* a pass rule with delay still forwards, and carries the delay */
	engine_fini(&E);
	eng(true, NULL, "action=pass delay=250ms", NULL);
	assert_int_equal(ask("www.example.net", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);
	assert_int_equal(R.delay_us, 250000);
	assert_non_null(R.rule);
}

static void
test_edns_opt_back(void **state)
{
	(void)state;
	eng(false, NULL, "name=a.example action=servfail", "name=b.example action=empty negttl=1",
	    "name=c.example action=answer:198.18.0.1", NULL);
	static const char *const names[] = { "a.example", "b.example", "c.example", "d.example" };
	for (size_t i = 0; i < DD_ARRAY_LEN(names); i++) {
		QLEN = tq_build(Q, sizeof(Q), 0x4242, DNS_RD, names[i], DNS_T_A, 4096, true);
		engine_query(&E, Q, QLEN, (const struct sockaddr *)&CLIENT, TRANSPORT_UDP,
		    OUT, sizeof(OUT), &R);
		ldns_pkt *p = reply();
		ldns_rdf *opt = NULL;
		(void)opt;
		if (ldns_pkt_edns_udp_size(p) != ENGINE_EDNS_SIZE)
			fail_msg("%s: EDNS udp size %u", names[i], ldns_pkt_edns_udp_size(p));
		assert_true(ldns_pkt_edns_do(p));
		/* exactly one OPT, last record */
		struct dns_query rq;
		dns_put16(OUT + 2, (uint16_t)(dns_get16(OUT + 2) & ~DNS_QR));
		assert_int_equal(dns_parse_query(OUT, R.len, &rq), 0);
		assert_true(rq.has_edns);
		ldns_pkt_free(p);
	}
	/* no EDNS in, no OPT out */
	ask("a.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_edns_udp_size(p), 0);
	assert_int_equal(hdr_count(3), 0);
	ldns_pkt_free(p);
}

/* ---------------- UDP size ---------------- */

static void
test_oversized_answer_truncated_over_udp(void **state)
{
	(void)state;
	char rule[2048];
	int o = snprintf(rule, sizeof(rule), "action=answer:");
	for (int i = 0; i < 16; i++)
		o += snprintf(rule + o, sizeof(rule) - (size_t)o, "198.18.0.%d,fd00::%d,", i + 1, i + 1);
	rule[o - 1] = '\0';
	eng(false, NULL, rule, NULL);

	/* ANY: 16 A + 16 AAAA = 704 octets of answers: over 512 */
	ask("many.example", DNS_T_ANY, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_true(R.len <= 512);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(R.len, R.q.question_end);
	ldns_pkt_free(p);

	/* EDNS 1232 in: it fits, no TC, OPT kept */
	ask("many.example", DNS_T_ANY, TRANSPORT_UDP, 1232);
	p = reply();
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 32);
	assert_int_equal(ldns_pkt_edns_udp_size(p), ENGINE_EDNS_SIZE);
	ldns_pkt_free(p);

	/* EDNS with a tiny size counts as 512 */
	ask("many.example", DNS_T_ANY, TRANSPORT_UDP, 100);
	p = reply();
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(hdr_count(3), 1);   /* OPT kept */
	ldns_pkt_free(p);

	/* TCP: everything */
	ask("many.example", DNS_T_ANY, TRANSPORT_TCP, TQ_NO_EDNS);
	p = reply();
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 32);
	assert_true(R.len > 512);
	ldns_pkt_free(p);

	/* A only: 16 * 16 octets fits in 512 */
	ask("many.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 16);
	ldns_pkt_free(p);
}

static void
test_dns_fit_udp(void **state)
{
	(void)state;
	uint8_t pkt[512], rep[2048];
	struct dns_query q;
	struct dns_writer w;
	size_t len = tq_build(pkt, sizeof(pkt), 0x77, DNS_RD, "fit.example", DNS_T_TXT,
	    TQ_NO_EDNS, false);
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);

	/* a reply with one 600-octet TXT record */
	dns_w_init(&w, rep, sizeof(rep));
	dns_w_reply_start(&w, pkt, &q, DNS_AA, DNS_RCODE_NOERROR);
	dns_w_u16(&w, 0xc00c);
	dns_w_u16(&w, DNS_T_TXT);
	dns_w_u16(&w, DNS_C_IN);
	dns_w_u32(&w, 60);
	dns_w_u16(&w, 600);
	for (int i = 0; i < 600; i += 200) {
		uint8_t s[200];
		s[0] = 199;
		memset(s + 1, 't', 199);
		dns_w_bytes(&w, s, 200);
	}
	dns_w_counts(&w, 1, 0, 0);
	assert_false(w.overflow);
	size_t full = w.len;
	assert_true(full > 512);

	size_t n = engine_fit_udp(&q, rep, full);
	assert_int_equal(n, q.question_end);
	assert_true(dns_get16(rep + 2) & DNS_TC);
	assert_true(dns_get16(rep + 2) & DNS_AA);
	assert_int_equal(dns_get16(rep), 0x77);
	assert_int_equal(dns_get16(rep + 4), 1);
	assert_int_equal(dns_get16(rep + 6), 0);
	assert_int_equal(dns_get16(rep + 10), 0);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, rep, n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_tc(p));
	ldns_pkt_free(p);

	/* small enough: untouched */
	len = tq_build(pkt, sizeof(pkt), 0x77, DNS_RD, "fit.example", DNS_T_TXT, TQ_NO_EDNS, false);
	memcpy(rep, pkt, len);
	dns_put16(rep + 2, DNS_QR | DNS_RD);
	assert_int_equal(engine_fit_udp(&q, rep, len), len);
	assert_false(dns_get16(rep + 2) & DNS_TC);

	/* with EDNS 4096 the 600-octet reply fits */
	len = tq_build(pkt, sizeof(pkt), 0x77, DNS_RD, "fit.example", DNS_T_TXT, 4096, false);
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_int_equal(engine_fit_udp(&q, rep, full), full);
}

/* ---------------- ttl=, delay=, jitter= ---------------- */

static void
test_rewrite_ttls(void **state)
{
	(void)state;
	eng(false, NULL, "action=answer:198.18.0.1,198.18.0.2", NULL);
	ask("t.example", DNS_T_A, TRANSPORT_UDP, 1232);
	assert_int_equal(R.verdict, ENG_REPLY);
	size_t len = R.len;
	assert_int_equal(engine_rewrite_ttls(OUT, len, 9), 0);
	ldns_pkt *p = reply();
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), i)), 9);
	/* OPT's TTL field is EDNS flags: left alone */
	assert_int_equal(ldns_pkt_edns_udp_size(p), ENGINE_EDNS_SIZE);
	assert_int_equal(dns_get32(OUT + len - 6), 0);
	ldns_pkt_free(p);
	/* a truncated message is refused */
	assert_int_equal(engine_rewrite_ttls(OUT, len - 3, 9), DD_EFORMERR);
	assert_int_equal(engine_rewrite_ttls(OUT, 5, 9), DD_EFORMERR);
}

static void
test_delay_and_jitter(void **state)
{
	(void)state;
	eng(false, NULL, "name=d.example action=servfail delay=250ms",
	    "name=j.example action=servfail delay=250ms jitter=50ms",
	    "name=z.example action=refused jitter=20ms", NULL);
	ask("d.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	assert_int_equal(R.verdict, ENG_REPLY);
	assert_int_equal(R.delay_us, 250000);

	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < 400; i++) {
		ask("j.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
		assert_int_equal(R.verdict, ENG_REPLY);
		if (R.delay_us < 200000 || R.delay_us > 300000)
			fail_msg("delay %llu outside 200..300ms", (unsigned long long)R.delay_us);
		if (R.delay_us < lo)
			lo = R.delay_us;
		if (R.delay_us > hi)
			hi = R.delay_us;
	}
	/* spread over most of the window */
	assert_true(lo < 215000);
	assert_true(hi > 285000);

	for (int i = 0; i < 100; i++) {
		ask("z.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
		assert_true(R.delay_us <= 20000);
	}
	/* no rule: no delay */
	ask("none.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	assert_int_equal(R.delay_us, 0);
}

static void
test_seed_reproducible(void **state)
{
	(void)state;
	uint64_t d1[50], d2[50];
	char hit1[50], hit2[50];

	for (int run = 0; run < 2; run++) {
		eng(false, NULL, "prob=0.5 action=servfail jitter=100ms delay=100ms", NULL);
		for (int i = 0; i < 50; i++) {
			ask("r.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
			(run ? d2 : d1)[i] = R.delay_us;
			(run ? hit2 : hit1)[i] = R.rule != NULL;
		}
		if (run == 0)
			engine_fini(&E);
	}
	assert_memory_equal(d1, d2, sizeof(d1));
	assert_memory_equal(hit1, hit2, sizeof(hit1));
}

/* ---------------- upstream replies ---------------- */

static size_t upstream_reply(uint8_t *buf, size_t cap, uint16_t id,
    const char *name, uint16_t type);

/*
 * The matched rule may be freed (rule del, clear, reload) while the query is
 * upstream: finishing must not read it (heap-use-after-free under ASan), and
 * the reply is still built as the rule said at match time (ttl=5).
 */
static void
test_finish_upstream_rule_deleted(void **state)
{
	(void)state;
	uint8_t up[1024];

	for (int how = 0; how < 2; how++) {
		eng(true, NULL, "name=fw.example action=pass ttl=5", NULL);
		assert_int_equal(ask("fw.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS),
		    ENG_FORWARD);
		assert_non_null(R.rule);
		if (how == 0)
			assert_int_equal(ruleset_del(E.rules, R.rule->id), 0);
		else
			ruleset_clear(E.rules, -1);
		assert_int_equal(ruleset_count(E.rules), 0);

		size_t n = upstream_reply(up, sizeof(up), 0x9999, "fw.example", DNS_T_A);
		size_t m = engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up));
		assert_int_equal(m, n);
		ldns_pkt *p = NULL;
		assert_int_equal(ldns_wire2pkt(&p, up, m), LDNS_STATUS_OK);
		assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 5);
		ldns_pkt_free(p);
		engine_fini(&E);
	}
}

static size_t
upstream_reply(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type)
{
	struct dns_query q;
	struct dns_writer w;
	uint8_t tmp[512];
	size_t n = tq_build(tmp, sizeof(tmp), id, DNS_RD, name, type, TQ_NO_EDNS, false);
	assert_int_equal(dns_parse_query(tmp, n, &q), 0);
	dns_w_init(&w, buf, cap);
	dns_w_reply_start(&w, tmp, &q, DNS_RA, DNS_RCODE_NOERROR);
	dns_w_u16(&w, 0xc00c);
	dns_w_u16(&w, DNS_T_A);
	dns_w_u16(&w, DNS_C_IN);
	dns_w_u32(&w, 3600);
	dns_w_u16(&w, 4);
	dns_w_bytes(&w, "\xc6\x12\x00\x05", 4);
	dns_w_counts(&w, 1, 0, 0);
	return w.len;
}

static void
test_finish_upstream(void **state)
{
	(void)state;
	uint8_t up[1024];
	eng(true, NULL, "name=fw.example action=pass ttl=17", NULL);
	assert_int_equal(ask("Fw.ExAmple", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);

	size_t n = upstream_reply(up, sizeof(up), 0x9999, "fw.example", DNS_T_A);
	size_t m = engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up));
	assert_int_equal(m, n);
	assert_int_equal(dns_get16(up), 0x4242);                 /* client's ID */
	assert_memory_equal(up + 12, Q + 12, R.q.question_end - 12); /* client's case */
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, up, m), LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 17);
	ldns_pkt_free(p);

	/* wrong name or type: not an answer to this query */
	n = upstream_reply(up, sizeof(up), 0x4242, "other.example", DNS_T_A);
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), 0);
	n = upstream_reply(up, sizeof(up), 0x4242, "fw.example", DNS_T_AAAA);
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), 0);
	/* a query (QR clear) is not a reply */
	n = upstream_reply(up, sizeof(up), 0x4242, "fw.example", DNS_T_A);
	dns_put16(up + 2, (uint16_t)(dns_get16(up + 2) & ~DNS_QR));
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), 0);
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, 7, sizeof(up)), 0);
	/* a name pointing into the header (found by fuzz_packet): it would
	 * read the client's ID once the header is rewritten -- refused, the
	 * client gets SERVFAIL; the same pointer in a CNAME's rdata too */
	n = upstream_reply(up, sizeof(up), 0x4242, "fw.example", DNS_T_A);
	dns_put16(up + n - 16, 0xc001);          /* the answer's owner: offset 1 */
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), 0);
	n = upstream_reply(up, sizeof(up), 0x4242, "fw.example", DNS_T_A);
	dns_put16(up + n - 14, DNS_T_CNAME);
	dns_put16(up + n - 6, 2);                /* rdlen 2: a bare pointer */
	dns_put16(up + n - 4, 0xc00c);           /* to the question's name: fine */
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n - 2, sizeof(up)), n - 2);
	n = upstream_reply(up, sizeof(up), 0x4242, "fw.example", DNS_T_A);
	dns_put16(up + n - 14, DNS_T_CNAME);
	dns_put16(up + n - 6, 2);
	dns_put16(up + n - 4, 0xc002);           /* into the header: refused */
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n - 2, sizeof(up)), 0);

	/* SERVFAIL when the upstream is dead */
	size_t s = engine_servfail(&E, &R, Q, OUT, sizeof(OUT));
	assert_true(s > 0);
	R.len = s;
	R.verdict = ENG_REPLY;
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	assert_int_equal(E.stats.upstream_servfail, 1);
	ldns_pkt_free(p);
}

/* ---------------- malformed ---------------- */

static void
test_malformed(void **state)
{
	(void)state;
	uint64_t mal = 0;
	eng(true, NULL, "action=servfail", NULL);
	for (int i = 0; i < TM_NCASES; i++) {
		struct tm_case c;
		tm_case_get(i, &c);
		memset(OUT, 0, 64);
		engine_query(&E, c.pkt, c.len, (const struct sockaddr *)&CLIENT, TRANSPORT_UDP,
		    OUT, sizeof(OUT), &R);
		mal++;
		if (E.stats.malformed != mal)
			fail_msg("%s: malformed counter %llu, want %llu", c.what,
			    (unsigned long long)E.stats.malformed, (unsigned long long)mal);
		assert_false(R.parsed);
		assert_null(R.rule);
		if (c.expect != TM_FORMERR) {
			if (R.verdict != ENG_DROP)
				fail_msg("%s: verdict %d, want drop", c.what, R.verdict);
			continue;
		}
		if (R.verdict != ENG_REPLY)
			fail_msg("%s: verdict %d, want a FORMERR reply", c.what, R.verdict);
		assert_true(R.len >= DNS_HDR_LEN);
		uint16_t f = dns_get16(OUT + 2);
		if (dns_get16(OUT) != TM_ID || !(f & DNS_QR) || DNS_RCODE(f) != DNS_RCODE_FORMERR)
			fail_msg("%s: reply id 0x%x flags 0x%x", c.what, dns_get16(OUT), f);
		assert_true(f & DNS_RD);
		assert_false(f & DNS_AA);
		assert_int_equal(dns_get16(OUT + 6), 0);
		assert_int_equal(dns_get16(OUT + 8), 0);
		assert_int_equal(dns_get16(OUT + 10), 0);
		/* the reply itself is well-formed */
		ldns_pkt *p = NULL;
		if (ldns_wire2pkt(&p, OUT, R.len) != LDNS_STATUS_OK)
			fail_msg("%s: FORMERR reply does not parse", c.what);
		assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_FORMERR);
		ldns_pkt_free(p);
	}
	assert_int_equal(E.stats.malformed, TM_NCASES);
	assert_int_equal(E.stats.queries, TM_NCASES);
	/* the rule never decided a malformed packet */
	assert_int_equal(E.stats.actions[ACT_SERVFAIL], 0);
	assert_int_equal(E.stats.forwarded, 0);
	assert_int_equal(E.stats.formerr_sent, TM_NCASES - 3);
	/* and a good query afterwards is fine */
	assert_int_equal(ask("ok.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	assert_int_equal(E.stats.malformed, TM_NCASES);
}

static void
test_opcode_notimp(void **state)
{
	(void)state;
	eng(true, NULL, "action=servfail", NULL);
	QLEN = tq_build(Q, sizeof(Q), 0x4242, (uint16_t)((5u << 11) | DNS_RD), "u.example",
	    DNS_T_SOA, TQ_NO_EDNS, false);
	engine_query(&E, Q, QLEN, (const struct sockaddr *)&CLIENT, TRANSPORT_UDP, OUT,
	    sizeof(OUT), &R);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTIMPL);
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
	ldns_pkt_free(p);
}

static void
test_client_rule_v4_mapped(void **state)
{
	(void)state;
	struct sockaddr_in6 s6;
	eng(true, NULL, "client=198.18.1.0/24 action=refused", NULL);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:198.18.1.77", &s6.sin6_addr);
	QLEN = tq_build(Q, sizeof(Q), 0x4242, DNS_RD, "c.example", DNS_T_A, TQ_NO_EDNS, false);
	engine_query(&E, Q, QLEN, (const struct sockaddr *)&s6, TRANSPORT_UDP, OUT,
	    sizeof(OUT), &R);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_non_null(R.rule);
	ldns_pkt_free(p);
	inet_pton(AF_INET6, "fd00::77", &s6.sin6_addr);
	engine_query(&E, Q, QLEN, (const struct sockaddr *)&s6, TRANSPORT_UDP, OUT,
	    sizeof(OUT), &R);
	assert_int_equal(R.verdict, ENG_FORWARD);
}

/* Queries per client address: exact for the first ENGINE_CLIENTS_MAX
 * addresses (a v4-mapped one is its IPv4 address), the rest under other;
 * engine_clients_top orders by count and sums what it leaves out. */
static void
test_clients_counted(void **state)
{
	const struct engine_client *top[3];
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	uint64_t other = 99;
	char buf[64];

	(void)state;
	eng(true, NULL, NULL);
	QLEN = tq_build(Q, sizeof(Q), 0x4242, DNS_RD, "c.example", DNS_T_A, TQ_NO_EDNS, false);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "fd00::77", &s6.sin6_addr);
	engine_query(&E, Q, QLEN, (const struct sockaddr *)&s6, TRANSPORT_UDP, OUT, sizeof(OUT), &R);
	for (int i = 0; i < 3; i++)
		engine_query(&E, Q, QLEN, (const struct sockaddr *)&CLIENT, TRANSPORT_UDP, OUT,
		    sizeof(OUT), &R);
	inet_pton(AF_INET6, "::ffff:198.18.1.10", &s6.sin6_addr);
	engine_query(&E, Q, QLEN, (const struct sockaddr *)&s6, TRANSPORT_TCP, OUT, sizeof(OUT), &R);
	assert_int_equal(E.stats.n_clients, 2);
	assert_int_equal(engine_clients_top(&E, top, 3, &other), 2);
	assert_int_equal(other, 0);
	assert_int_equal(top[0]->family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, top[0]->addr, buf, sizeof(buf)), "198.18.1.10");
	assert_int_equal(top[0]->queries, 4);
	assert_string_equal(inet_ntop(AF_INET6, top[1]->addr, buf, sizeof(buf)), "fd00::77");
	assert_int_equal(top[1]->queries, 1);

	/* the table fills; later addresses count under other */
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	for (int i = 0; i < ENGINE_CLIENTS_MAX + 5; i++) {
		s4.sin_addr.s_addr = htonl(0xC6120200u + (uint32_t)i);   /* 198.18.2.i */
		engine_query(&E, Q, QLEN, (const struct sockaddr *)&s4, TRANSPORT_UDP, OUT,
		    sizeof(OUT), &R);
	}
	assert_int_equal(E.stats.n_clients, ENGINE_CLIENTS_MAX);
	assert_int_equal(E.stats.clients_other, 7);
	/* top 1: the busiest; other is every query but its 4 */
	assert_int_equal(engine_clients_top(&E, top, 1, &other), 1);
	assert_int_equal(top[0]->queries, 4);
	assert_int_equal(other, E.stats.queries - 4);
}

/* ---------------- authoritative zone ---------------- */

static char zdir[64];
static char zfile[128];

static const char ZONE[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@    IN SOA ns1.example.com. hostmaster.example.com. 2025102001 7200 900 1209600 300\n"
    "@    IN NS  ns1\n"
    "ns1  IN A   198.18.0.53\n"
    "www  IN A   198.18.0.10\n"
    "www  IN AAAA fd00::10\n";

static struct zoneset *
zones(void)
{
	struct zoneset *zs = NULL;
	struct dd_err err;
	const char *files[1];
	FILE *f;

	snprintf(zdir, sizeof(zdir), "/tmp/dnsdrill-zone-XXXXXX");
	assert_non_null(mkdtemp(zdir));
	snprintf(zfile, sizeof(zfile), "%s/example.com.zone", zdir);
	f = fopen(zfile, "w");
	assert_non_null(f);
	fputs(ZONE, f);
	fclose(f);
	files[0] = zfile;
	if (zoneset_load(&zs, files, 1, &err) != 0)
		fail_msg("zoneset_load: %s", err.msg);
	unlink(zfile);
	rmdir(zdir);
	return zs;
}

static void
test_zone_pass_and_ttl(void **state)
{
	(void)state;
	eng(true, zones(), "name=www.example.com type=AAAA ttl=5", NULL);

	assert_int_equal(ask("WWW.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
	assert_int_equal(ldns_rr_ttl(rr), 3600);
	char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	assert_string_equal(s, "198.18.0.10");
	free(s);
	assert_int_equal(E.stats.authoritative, 1);
	assert_int_equal(E.stats.forwarded, 0);
	ldns_pkt_free(p);

	/* ttl= rewrites the zone's TTLs */
	assert_int_equal(ask("www.example.com", DNS_T_AAAA, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	p = reply();
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 5);
	for (size_t i = 0; i < ldns_pkt_nscount(p); i++)
		assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_authority(p), i)), 5);
	ldns_pkt_free(p);

	/* a name not in the zone: NXDOMAIN with the zone's SOA */
	assert_int_equal(ask("nope.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_REPLY);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_nscount(p), 1);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(p), 0)),
	    LDNS_RR_TYPE_SOA);
	ldns_pkt_free(p);

	/* outside the zone: forwarded */
	assert_int_equal(ask("www.example.net", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);
}

static void
test_zone_negative_actions(void **state)
{
	(void)state;
	eng(false, zones(), "name=www.example.com action=empty negttl=7",
	    "name=*.example.com action=nxdomain", "name=www.example.org action=empty",
	    NULL);
	ask("www.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_neg_soa(p, 7, 7);
	/* the zone's own SOA: owner and serial */
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	ldns_rdf *apex = ldns_dname_new_frm_str("example.com.");
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(soa), apex), 0);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)), 2025102001u);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 3)), 7200);
	ldns_pkt_free(p);

	/* without negttl: the zone's MINIMUM */
	ask("ns1.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(soa), apex), 0);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)), 300);
	ldns_rdf_deep_free(apex);
	ldns_pkt_free(p);

	/* a name outside any zone with no upstream: REFUSED */
	ask("mail.example.net", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);

	/* truncate in a zone keeps AA */
	engine_fini(&E);
	eng(false, zones(), "action=truncate", NULL);
	ask("www.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);
	/* over TCP: the real answer */
	ask("www.example.com", DNS_T_A, TRANSPORT_TCP, TQ_NO_EDNS);
	p = reply();
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

/* ---------------- --time-scale ---------------- */

static void
test_scale_ttl_rule(void **state)
{
	(void)state;
	bool fl;

	assert_int_equal(dd_ttl_scale(300, 60, &fl), 5);
	assert_false(fl);
	/* under a second in proportion: the floor, said so */
	assert_int_equal(dd_ttl_scale(30, 60, &fl), 1);
	assert_true(fl);
	assert_int_equal(dd_ttl_scale(5, 360, &fl), 1);
	assert_true(fl);
	/* rounded to the nearest second, half up */
	assert_int_equal(dd_ttl_scale(89, 60, &fl), 1);
	assert_false(fl);
	assert_int_equal(dd_ttl_scale(90, 60, &fl), 2);
	assert_int_equal(dd_ttl_scale(3600, 360, &fl), 10);
	/* 0 keeps its meaning; scale 1 changes nothing; slowed down stretches */
	assert_int_equal(dd_ttl_scale(0, 60, &fl), 0);
	assert_false(fl);
	assert_int_equal(dd_ttl_scale(7, 1, &fl), 7);
	assert_int_equal(dd_ttl_scale(7, 0.5, &fl), 14);
	assert_int_equal(dd_ttl_scale(2000000000u, 0.1, &fl), 2147483647u);
}

/* Zone answers, authority sections (the SOA's TTL and MINIMUM), rule
 * negttl= and ttl=, all divided; the floored ones counted. */
static void
test_time_scale_zone_and_rules(void **state)
{
	(void)state;
	eng(false, zones(), "name=www.example.com type=AAAA action=empty negttl=30",
	    "name=ns1.example.com type=A ttl=120", NULL);
	engine_set_time_scale(&E, 60);

	ask("www.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	ldns_pkt *p = reply();
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 60); /* 3600 */
	assert_int_equal(E.stats.ttl_floored, 0);
	ldns_pkt_free(p);

	/* negttl=30 at 60: 0.5 s, the floor of 1 s, TTL and MINIMUM */
	ask("www.example.com", DNS_T_AAAA, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_neg_soa(p, 1, 1);
	assert_int_equal(E.stats.ttl_floored, 2);
	assert_int_equal(E.stats.ttl_floored_min, 30);
	assert_int_equal(E.stats.ttl_floored_max, 30);
	ldns_pkt_free(p);

	/* the zone's own negative answer: SOA TTL (300, its MINIMUM) and MINIMUM -> 5 */
	ask("nope.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_neg_soa(p, 5, 5);
	ldns_pkt_free(p);

	/* rule ttl=120 -> 2 */
	ask("ns1.example.com", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	p = reply();
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 2);
	ldns_pkt_free(p);
	assert_int_equal(E.stats.ttl_floored, 2);
}

/* Forwarded answers are the incident's internet: scaled too (3600 -> 10
 * at 360), after a rule's ttl= (17 -> the floor). */
static void
test_time_scale_forwarded(void **state)
{
	(void)state;
	uint8_t up[1024];

	eng(true, NULL, "name=ttl.example action=pass ttl=17", NULL);
	engine_set_time_scale(&E, 360);
	assert_int_equal(ask("fw.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);
	size_t n = upstream_reply(up, sizeof(up), 1, "fw.example", DNS_T_A);
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), n);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, up, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 10);
	ldns_pkt_free(p);
	assert_int_equal(E.stats.ttl_floored, 0);

	assert_int_equal(ask("ttl.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS), ENG_FORWARD);
	n = upstream_reply(up, sizeof(up), 1, "ttl.example", DNS_T_A);
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), n);
	assert_int_equal(ldns_wire2pkt(&p, up, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 1);
	ldns_pkt_free(p);
	assert_int_equal(E.stats.ttl_floored, 1);
	assert_int_equal(E.stats.ttl_floored_min, 17);

	/* scale 1 (the default): as before */
	engine_set_time_scale(&E, 1);
	ask("fw.example", DNS_T_A, TRANSPORT_UDP, TQ_NO_EDNS);
	n = upstream_reply(up, sizeof(up), 1, "fw.example", DNS_T_A);
	assert_int_equal(engine_finish_upstream(&E, &R, Q, TRANSPORT_UDP, up, n, sizeof(up)), n);
	assert_int_equal(ldns_wire2pkt(&p, up, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 3600);
	ldns_pkt_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_action_servfail_refused_formerr, teardown),
		cmocka_unit_test_teardown(test_action_empty, teardown),
		cmocka_unit_test_teardown(test_action_nxdomain, teardown),
		cmocka_unit_test_teardown(test_negative_soa_no, teardown),
		cmocka_unit_test_teardown(test_negative_default_soa, teardown),
		cmocka_unit_test_teardown(test_action_answer, teardown),
		cmocka_unit_test_teardown(test_answer_family_missing_and_ttl, teardown),
		cmocka_unit_test_teardown(test_action_truncate, teardown),
		cmocka_unit_test_teardown(test_action_drop, teardown),
		cmocka_unit_test_teardown(test_no_zone_refused_or_forward, teardown),
		cmocka_unit_test_teardown(test_edns_opt_back, teardown),
		cmocka_unit_test_teardown(test_oversized_answer_truncated_over_udp, teardown),
		cmocka_unit_test(test_dns_fit_udp),
		cmocka_unit_test_teardown(test_rewrite_ttls, teardown),
		cmocka_unit_test_teardown(test_delay_and_jitter, teardown),
		cmocka_unit_test_teardown(test_seed_reproducible, teardown),
		cmocka_unit_test_teardown(test_finish_upstream, teardown),
		cmocka_unit_test(test_finish_upstream_rule_deleted),
		cmocka_unit_test_teardown(test_malformed, teardown),
		cmocka_unit_test_teardown(test_opcode_notimp, teardown),
		cmocka_unit_test_teardown(test_client_rule_v4_mapped, teardown),
		cmocka_unit_test_teardown(test_clients_counted, teardown),
		cmocka_unit_test_teardown(test_zone_pass_and_ttl, teardown),
		cmocka_unit_test_teardown(test_zone_negative_actions, teardown),
		cmocka_unit_test(test_scale_ttl_rule),
		cmocka_unit_test_teardown(test_time_scale_zone_and_rules, teardown),
		cmocka_unit_test_teardown(test_time_scale_forwarded, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
