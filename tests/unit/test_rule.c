/*
 * test_rule.c -- the rule language (every term, every error) and the
 * ordered, indexed rule set (first match wins, wildcards, clients, prob=,
 * insert/del/clear/replace, rules files).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "faultd/rule.h"

/* ---------------- helpers ---------------- */

static struct rule *
parse_ok(const char *text)
{
	struct rule *r = NULL;
	struct dd_err err = { .msg = "" };
	int rc = rule_parse(text, &r, &err);
	if (rc != 0)
		fail_msg("rule_parse(\"%s\") = %d: %s", text, rc, err.msg);
	assert_non_null(r);
	return r;
}

static struct rule *
add(struct ruleset *rs, const char *text, enum rule_origin origin, bool first)
{
	struct rule *r = parse_ok(text);
	r->origin = origin;
	assert_int_equal(ruleset_add(rs, r, first), 0);
	return r;
}

static void
mkq(struct dns_query *q, const char *name, uint16_t type)
{
	memset(q, 0, sizeof(*q));
	int n = dns_name_from_str(name, q->qname, sizeof(q->qname));
	assert_true(n > 0);
	dns_name_lower(q->qname);
	q->qname_len = (uint8_t)n;
	q->qtype = type;
	q->qclass = DNS_C_IN;
	q->qdcount = 1;
}

static struct sockaddr_storage g_v4, g_v6;

static const struct sockaddr *
v4(const char *ip)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&g_v4;
	memset(&g_v4, 0, sizeof(g_v4));
	s->sin_family = AF_INET;
	s->sin_port = htons(40000);
	assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
	return (const struct sockaddr *)s;
}

static const struct sockaddr *
v6(const char *ip)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&g_v6;
	memset(&g_v6, 0, sizeof(g_v6));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(40000);
	assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
	return (const struct sockaddr *)s;
}

static struct dd_rng g_rng;

/* match name/type from 198.18.0.1 over UDP */
static struct rule *
m(struct ruleset *rs, const char *name, uint16_t type)
{
	struct dns_query q;
	mkq(&q, name, type);
	return ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_UDP, &g_rng);
}

static enum fault_action
mact(struct ruleset *rs, const char *name, uint16_t type)
{
	struct rule *r = m(rs, name, type);
	return r ? r->action : (enum fault_action)-1;
}

static void
assert_wire_name(const uint8_t *wire, const char *expect)
{
	char buf[300];
	assert_string_equal(dns_name_to_str(wire, buf, sizeof(buf)), expect);
}

static int
setup_rng(void **state)
{
	(void)state;
	dd_rng_seed(&g_rng, 42);
	return 0;
}

/* ---------------- parsing: every term ---------------- */

static void
test_parse_defaults(void **state)
{
	(void)state;
	struct rule *r = parse_ok("action=pass");
	assert_false(r->has_name);
	assert_int_equal(r->qtype, -1);
	assert_false(r->has_client);
	assert_int_equal(r->transport, TRANSPORT_ANY);
	assert_true(r->prob == 1.0);
	assert_int_equal(r->action, ACT_PASS);
	assert_int_equal(r->delay_us, 0);
	assert_int_equal(r->jitter_us, 0);
	assert_false(r->has_ttl);
	assert_false(r->has_negttl);
	assert_false(r->no_soa);
	rule_free(r);

	/* action is optional: pass is the default */
	r = parse_ok("type=A");
	assert_int_equal(r->action, ACT_PASS);
	assert_int_equal(r->qtype, DNS_T_A);
	rule_free(r);
}

static void
test_parse_name_exact(void **state)
{
	(void)state;
	struct rule *r = parse_ok("name=WWW.Example.COM.");
	assert_true(r->has_name);
	assert_false(r->wildcard);
	assert_wire_name(r->name, "www.example.com.");
	assert_memory_equal(r->name, "\3www\7example\3com", 17);
	rule_free(r);

	r = parse_ok("name=dynamodb.us-east-1.amazonaws.com");
	assert_true(r->has_name);
	assert_wire_name(r->name, "dynamodb.us-east-1.amazonaws.com.");
	rule_free(r);
}

static void
test_parse_name_wildcard(void **state)
{
	(void)state;
	struct rule *r = parse_ok("name=*.Example.com");
	assert_true(r->has_name);
	assert_true(r->wildcard);
	assert_wire_name(r->name, "example.com.");
	rule_free(r);
}

static void
test_parse_type(void **state)
{
	(void)state;
	static const struct { const char *t; int v; } cases[] = {
		{ "type=A", 1 }, { "type=AAAA", 28 }, { "type=aaaa", 28 },
		{ "type=CNAME", 5 }, { "type=MX", 15 }, { "type=TXT", 16 },
		{ "type=ANY", 255 }, { "type=TYPE65", 65 }, { "type=type4000", 4000 },
		{ "type=HTTPS", 65 }, { "type=SOA", 6 },
	};
	for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) {
		struct rule *r = parse_ok(cases[i].t);
		if (r->qtype != cases[i].v)
			fail_msg("%s -> %d, want %d", cases[i].t, r->qtype, cases[i].v);
		rule_free(r);
	}
}

static void
test_parse_client(void **state)
{
	(void)state;
	struct rule *r = parse_ok("client=198.18.1.7/24");
	uint8_t net4[4] = { 198, 18, 1, 0 };
	assert_true(r->has_client);
	assert_int_equal(r->client.family, AF_INET);
	assert_int_equal(r->client.prefix, 24);
	assert_memory_equal(r->client.addr, net4, 4);
	rule_free(r);

	r = parse_ok("client=fd00::/8");
	assert_true(r->has_client);
	assert_int_equal(r->client.family, AF_INET6);
	assert_int_equal(r->client.prefix, 8);
	assert_int_equal(r->client.addr[0], 0xfd);
	rule_free(r);

	/* a bare address is a full-length prefix */
	r = parse_ok("client=198.18.0.9");
	assert_int_equal(r->client.prefix, 32);
	rule_free(r);
}

static void
test_parse_transport(void **state)
{
	(void)state;
	struct rule *r = parse_ok("transport=udp");
	assert_int_equal(r->transport, TRANSPORT_UDP);
	rule_free(r);
	r = parse_ok("transport=tcp");
	assert_int_equal(r->transport, TRANSPORT_TCP);
	rule_free(r);
}

static void
test_parse_prob(void **state)
{
	(void)state;
	struct rule *r = parse_ok("prob=0.25");
	assert_true(r->prob > 0.2499 && r->prob < 0.2501);
	rule_free(r);
	r = parse_ok("prob=0");
	assert_true(r->prob == 0.0);
	rule_free(r);
	r = parse_ok("prob=1");
	assert_true(r->prob == 1.0);
	rule_free(r);
}

static void
test_parse_every_action(void **state)
{
	(void)state;
	static const struct { const char *t; enum fault_action a; } cases[] = {
		{ "action=pass", ACT_PASS }, { "action=empty", ACT_EMPTY },
		{ "action=nxdomain", ACT_NXDOMAIN }, { "action=servfail", ACT_SERVFAIL },
		{ "action=refused", ACT_REFUSED }, { "action=formerr", ACT_FORMERR },
		{ "action=drop", ACT_DROP }, { "action=truncate", ACT_TRUNCATE },
		{ "action=answer:198.18.0.1", ACT_ANSWER }, { "action=SERVFAIL", ACT_SERVFAIL },
	};
	for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) {
		struct rule *r = parse_ok(cases[i].t);
		if (r->action != cases[i].a)
			fail_msg("%s -> %d, want %d", cases[i].t, r->action, cases[i].a);
		rule_free(r);
	}
	assert_string_equal(rule_action_name(ACT_NXDOMAIN), "nxdomain");
	assert_string_equal(rule_action_name(ACT_ANSWER), "answer");
	assert_string_equal(rule_action_name(ACT_TRUNCATE), "truncate");
}

static void
test_parse_answer_mixed(void **state)
{
	(void)state;
	struct rule *r = parse_ok("action=answer:198.18.0.1,fd00::53,198.18.0.2");
	struct in_addr a;
	struct in6_addr a6;

	assert_int_equal(r->action, ACT_ANSWER);
	assert_int_equal(r->n4, 2);
	assert_int_equal(r->n6, 1);
	inet_pton(AF_INET, "198.18.0.1", &a);
	assert_memory_equal(&r->a4[0], &a, 4);
	inet_pton(AF_INET, "198.18.0.2", &a);
	assert_memory_equal(&r->a4[1], &a, 4);
	inet_pton(AF_INET6, "fd00::53", &a6);
	assert_memory_equal(&r->a6[0], &a6, 16);
	rule_free(r);

	r = parse_ok("action=answer:fd00::1");
	assert_int_equal(r->n4, 0);
	assert_int_equal(r->n6, 1);
	rule_free(r);
}

static void
test_parse_durations(void **state)
{
	(void)state;
	struct rule *r = parse_ok("delay=250ms jitter=50ms");
	assert_int_equal(r->delay_us, 250000);
	assert_int_equal(r->jitter_us, 50000);
	rule_free(r);
	r = parse_ok("delay=2s");
	assert_int_equal(r->delay_us, 2000000);
	rule_free(r);
	r = parse_ok("delay=1.5s jitter=100us");
	assert_int_equal(r->delay_us, 1500000);
	assert_int_equal(r->jitter_us, 100);
	rule_free(r);
	/* delay combines with any action but drop */
	r = parse_ok("action=servfail delay=10ms");
	assert_int_equal(r->action, ACT_SERVFAIL);
	assert_int_equal(r->delay_us, 10000);
	rule_free(r);
}

static void
test_parse_ttl_negttl_soa(void **state)
{
	(void)state;
	struct rule *r = parse_ok("ttl=300");
	assert_true(r->has_ttl);
	assert_int_equal(r->ttl, 300);
	rule_free(r);
	r = parse_ok("ttl=0");
	assert_true(r->has_ttl);
	assert_int_equal(r->ttl, 0);
	rule_free(r);
	r = parse_ok("ttl=2147483647");
	assert_int_equal(r->ttl, 2147483647u);
	rule_free(r);

	r = parse_ok("name=dynamodb.us-east-1.amazonaws.com type=A action=empty negttl=5");
	assert_int_equal(r->action, ACT_EMPTY);
	assert_true(r->has_negttl);
	assert_int_equal(r->negttl, 5);
	rule_free(r);

	r = parse_ok("action=nxdomain soa=no");
	assert_true(r->no_soa);
	rule_free(r);
	r = parse_ok("negttl=5 action=nxdomain"); /* order of terms is free */
	assert_true(r->has_negttl);
	rule_free(r);
}

static void
test_parse_all_terms_and_text(void **state)
{
	(void)state;
	struct rule *r = parse_ok("  name=*.akamaiedge.net\ttype=AAAA client=fd00::/8 "
	    "transport=tcp prob=0.5   action=empty delay=1s jitter=10ms ttl=7 negttl=3 soa=yes ");
	assert_true(r->has_name && r->wildcard);
	assert_int_equal(r->qtype, 28);
	assert_true(r->has_client);
	assert_int_equal(r->transport, TRANSPORT_TCP);
	assert_true(r->prob == 0.5);
	assert_int_equal(r->action, ACT_EMPTY);
	assert_int_equal(r->delay_us, 1000000);
	assert_int_equal(r->jitter_us, 10000);
	assert_int_equal(r->ttl, 7);
	assert_int_equal(r->negttl, 3);
	assert_false(r->no_soa);
	/* canonical text: single spaces, no leading/trailing blanks */
	assert_string_equal(r->text, "name=*.akamaiedge.net type=AAAA client=fd00::/8 "
	    "transport=tcp prob=0.5 action=empty delay=1s jitter=10ms ttl=7 negttl=3 soa=yes");
	rule_free(r);
}

/* ---------------- parsing: every error ---------------- */

static void
test_parse_errors(void **state)
{
	(void)state;
	static const struct { const char *text, *needle; } cases[] = {
		{ "nmae=www.example.com", "nmae" },                  /* unknown key */
		{ "action=drop frobnicate=1", "frobnicate" },
		{ "name", "name" },                                  /* missing '=' */
		{ "action=drop servfail", "servfail" },
		{ "=drop", "=drop" },                                /* no key */
		{ "name=", "name=" },                                /* empty value */
		{ "action=", "action=" },
		{ "name=a.example name=b.example", "name" },         /* duplicate key */
		{ "action=drop action=pass", "action" },
		{ "type=BOGUS", "BOGUS" },                           /* bad type */
		{ "type=TYPE70000", "TYPE70000" },
		{ "type=TYPE65x", "TYPE65x" },
		{ "client=198.18.0.0/33", "198.18.0.0/33" },         /* bad CIDR */
		{ "client=300.1.2.3/8", "300.1.2.3/8" },
		{ "client=fd00::/129", "fd00::/129" },
		{ "client=example.com", "example.com" },
		{ "client=10.0.0.0/", "10.0.0.0/" },
		{ "transport=sctp", "sctp" },                        /* bad transport */
		{ "prob=1.5", "prob=1.5" },                          /* prob range */
		{ "prob=-0.1", "prob=-0.1" },
		{ "prob=often", "often" },
		{ "prob=nan", "nan" },
		{ "action=explode", "explode" },                     /* unknown action */
		{ "action=answer", "answer" },
		{ "action=answer:198.18.0.999", "198.18.0.999" },    /* bad address */
		{ "action=answer:198.18.0.1,bogus", "bogus" },
		{ "action=answer:", "answer" },
		{ "delay=fast", "fast" },                            /* bad duration */
		{ "jitter=5parsecs", "5parsecs" },
		{ "delay=-5ms", "-5ms" },
		{ "delay=2h", "delay" },                             /* over 1h */
		{ "ttl=2147483648", "ttl=2147483648" },              /* ttl range */
		{ "ttl=-1", "ttl=-1" },
		{ "ttl=ten", "ten" },
		{ "negttl=99999999999 action=empty", "negttl" },
		{ "negttl=5 action=servfail", "negttl" },            /* negttl needs empty/nxdomain */
		{ "negttl=5", "negttl" },
		{ "soa=no action=refused", "soa" },
		{ "soa=maybe action=empty", "maybe" },
		{ "delay=10ms action=drop", "delay" },               /* drop cannot be delayed */
		{ "action=drop jitter=5ms", "jitter" },
		{ "name=a.*.example.com", "a.*.example.com" },       /* '*' in the middle */
		{ "name=*.*.example.com", "*.*.example.com" },
		{ "name=foo*.example.com", "foo*.example.com" },
		{ "name=a..example.com", "a..example.com" },         /* bad name */
		{ "", "empty" },                                     /* empty rule */
		{ "   \t ", "empty" },
	};
	for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) {
		struct rule *r = (struct rule *)&r; /* must be reset to NULL */
		struct dd_err err;
		memset(err.msg, 0, sizeof(err.msg));
		int rc = rule_parse(cases[i].text, &r, &err);
		if (rc != DD_EINVAL)
			fail_msg("rule_parse(\"%s\") = %d, want DD_EINVAL", cases[i].text, rc);
		if (r != NULL)
			fail_msg("rule_parse(\"%s\") left *out set", cases[i].text);
		if (strstr(err.msg, cases[i].needle) == NULL)
			fail_msg("rule_parse(\"%s\"): message \"%s\" does not name \"%s\"",
			    cases[i].text, err.msg, cases[i].needle);
	}
}

static void
test_parse_too_long_name(void **state)
{
	(void)state;
	char text[400], label[64];
	struct rule *r;
	struct dd_err err;

	memset(label, 'a', 63);
	label[63] = '\0';
	/* label of 64 */
	snprintf(text, sizeof(text), "name=%sb.example.com", label);
	assert_int_equal(rule_parse(text, &r, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "name="));
	/* name over 255 octets */
	snprintf(text, sizeof(text), "name=%s.%s.%s.%s.com", label, label, label, label);
	assert_int_equal(rule_parse(text, &r, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "name="));
	/* label of exactly 63 is fine */
	snprintf(text, sizeof(text), "name=%s.example.com", label);
	r = parse_ok(text);
	rule_free(r);
	assert_int_equal(rule_parse(NULL, &r, &err), DD_EINVAL);
	assert_null(r);
	rule_free(NULL);
}

/* ---------------- matching ---------------- */

static void
test_match_wildcard(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	add(rs, "name=*.example.com action=servfail", RULE_FROM_CLI, false);

	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "x.y.example.com", DNS_T_A), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "A.EXAMPLE.COM", DNS_T_A), ACT_SERVFAIL);
	assert_null(m(rs, "badexample.com", DNS_T_A));
	assert_null(m(rs, "example.com", DNS_T_A));
	assert_null(m(rs, "example.com.evil.net", DNS_T_A));
	assert_null(m(rs, "com", DNS_T_A));
	assert_null(m(rs, ".", DNS_T_A));
	ruleset_free(rs);
}

static void
test_match_exact_case_insensitive(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	add(rs, "name=WWW.Example.COM action=nxdomain", RULE_FROM_CLI, false);

	assert_int_equal(mact(rs, "www.example.com", DNS_T_A), ACT_NXDOMAIN);
	assert_int_equal(mact(rs, "wWw.ExAmPlE.cOm.", DNS_T_AAAA), ACT_NXDOMAIN);
	assert_null(m(rs, "a.www.example.com", DNS_T_A));
	assert_null(m(rs, "example.com", DNS_T_A));
	assert_null(m(rs, "www.example.co", DNS_T_A));
	ruleset_free(rs);
}

static void
test_match_root_name(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	add(rs, "name=. type=NS action=refused", RULE_FROM_CLI, false);
	add(rs, "name=com action=servfail", RULE_FROM_CLI, false);

	assert_int_equal(mact(rs, ".", DNS_T_NS), ACT_REFUSED);
	assert_null(m(rs, ".", DNS_T_A));
	assert_int_equal(mact(rs, "com", DNS_T_NS), ACT_SERVFAIL);
	assert_null(m(rs, "example.com", DNS_T_NS));
	ruleset_free(rs);
}

static void
test_match_client(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct dns_query q;
	mkq(&q, "www.example.com", DNS_T_A);
	add(rs, "client=198.18.1.0/24 action=servfail", RULE_FROM_CLI, false);
	add(rs, "client=fd00:1::/32 action=refused", RULE_FROM_CLI, false);

	struct rule *r = ruleset_match(rs, &q, v4("198.18.1.200"), TRANSPORT_UDP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_SERVFAIL);
	assert_null(ruleset_match(rs, &q, v4("198.18.2.1"), TRANSPORT_UDP, &g_rng));
	assert_null(ruleset_match(rs, &q, v4("10.0.0.1"), TRANSPORT_UDP, &g_rng));

	/* v4-mapped v6 source matches the v4 prefix */
	r = ruleset_match(rs, &q, v6("::ffff:198.18.1.9"), TRANSPORT_UDP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_SERVFAIL);
	assert_null(ruleset_match(rs, &q, v6("::ffff:198.18.3.9"), TRANSPORT_UDP, &g_rng));

	r = ruleset_match(rs, &q, v6("fd00:1:abcd::5"), TRANSPORT_TCP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_REFUSED);
	assert_null(ruleset_match(rs, &q, v6("fd00:2::5"), TRANSPORT_UDP, &g_rng));
	assert_null(ruleset_match(rs, &q, v6("::1"), TRANSPORT_UDP, &g_rng));
	ruleset_free(rs);
}

static void
test_match_type_transport(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct dns_query q;
	add(rs, "type=AAAA transport=tcp action=servfail", RULE_FROM_CLI, false);
	add(rs, "type=TYPE65 action=refused", RULE_FROM_CLI, false);
	add(rs, "type=ANY action=formerr", RULE_FROM_CLI, false);

	mkq(&q, "a.example.com", DNS_T_AAAA);
	struct rule *r = ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_TCP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_SERVFAIL);
	assert_null(ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_UDP, &g_rng));
	mkq(&q, "a.example.com", DNS_T_A);
	assert_null(ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_TCP, &g_rng));
	mkq(&q, "a.example.com", 65);
	r = ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_UDP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_REFUSED);
	/* type=ANY matches queries of type ANY, not every type */
	mkq(&q, "a.example.com", DNS_T_ANY);
	r = ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_UDP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_FORMERR);
	mkq(&q, "a.example.com", DNS_T_MX);
	assert_null(ruleset_match(rs, &q, v4("198.18.0.1"), TRANSPORT_UDP, &g_rng));
	ruleset_free(rs);
}

static void
test_match_first_wins(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	/* mixes the three index lists: name-less, exact and wildcard */
	add(rs, "type=MX action=formerr", RULE_FROM_CLI, false);
	add(rs, "name=*.example.com action=nxdomain", RULE_FROM_CLI, false);
	add(rs, "name=a.example.com action=servfail", RULE_FROM_CLI, false);
	add(rs, "name=*.b.example.com action=refused", RULE_FROM_CLI, false);
	add(rs, "action=drop", RULE_FROM_CLI, false);

	assert_int_equal(mact(rs, "a.example.com", DNS_T_MX), ACT_FORMERR);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_NXDOMAIN);
	assert_int_equal(mact(rs, "x.b.example.com", DNS_T_A), ACT_NXDOMAIN);
	assert_int_equal(mact(rs, "example.com", DNS_T_A), ACT_DROP);
	assert_int_equal(mact(rs, "other.test", DNS_T_A), ACT_DROP);
	ruleset_free(rs);

	/* reverse order: the more specific rules come first now */
	rs = ruleset_new();
	add(rs, "name=*.b.example.com action=refused", RULE_FROM_CLI, false);
	add(rs, "name=a.example.com action=servfail", RULE_FROM_CLI, false);
	add(rs, "name=*.example.com action=nxdomain", RULE_FROM_CLI, false);
	add(rs, "type=MX action=formerr", RULE_FROM_CLI, false);
	add(rs, "action=drop", RULE_FROM_CLI, false);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_MX), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "x.b.example.com", DNS_T_A), ACT_REFUSED);
	assert_int_equal(mact(rs, "b.example.com", DNS_T_A), ACT_NXDOMAIN);
	assert_int_equal(mact(rs, "c.example.com", DNS_T_MX), ACT_NXDOMAIN);
	assert_int_equal(mact(rs, "example.com", DNS_T_MX), ACT_FORMERR);
	assert_int_equal(mact(rs, "example.com", DNS_T_A), ACT_DROP);
	ruleset_free(rs);
}

static void
test_match_same_name_falls_through(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	/* the first rule for the name does not match the type: next one does */
	add(rs, "name=a.example.com type=AAAA action=servfail", RULE_FROM_CLI, false);
	add(rs, "name=a.example.com action=refused", RULE_FROM_CLI, false);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_AAAA), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_REFUSED);
	ruleset_free(rs);
}

static void
test_insert_first(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct rule *a = add(rs, "name=*.example.com action=servfail", RULE_FROM_CLI, false);
	struct rule *b = add(rs, "name=www.example.com action=refused", RULE_FROM_CONTROL, true);
	struct rule *c = add(rs, "action=drop", RULE_FROM_CONTROL, true);
	const struct rule *const *list;

	assert_int_equal(a->id, 1);
	assert_int_equal(b->id, 2);
	assert_int_equal(c->id, 3);
	assert_int_equal(ruleset_count(rs), 3);
	assert_int_equal(ruleset_list(rs, &list), 3);
	assert_ptr_equal(list[0], c);
	assert_ptr_equal(list[1], b);
	assert_ptr_equal(list[2], a);
	assert_int_equal(mact(rs, "www.example.com", DNS_T_A), ACT_DROP);
	assert_int_equal(ruleset_del(rs, c->id), 0);
	assert_int_equal(mact(rs, "www.example.com", DNS_T_A), ACT_REFUSED);
	assert_int_equal(mact(rs, "mail.example.com", DNS_T_A), ACT_SERVFAIL);
	ruleset_free(rs);
}

static void
test_del_and_clear(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct rule *a = add(rs, "name=a.example.com action=servfail", RULE_FROM_CLI, false);
	uint64_t aid = a->id;
	add(rs, "name=a.example.com action=refused", RULE_FROM_CONTROL, false);
	add(rs, "name=*.example.com action=nxdomain", RULE_FROM_CONTROL, false);

	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_SERVFAIL);
	assert_int_equal(ruleset_del(rs, aid), 0);
	assert_int_equal(ruleset_count(rs), 2);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_REFUSED);
	assert_int_equal(ruleset_del(rs, aid), DD_ENOTFOUND);
	assert_int_equal(ruleset_del(rs, 999), DD_ENOTFOUND);

	/* a new rule never reuses a deleted id */
	struct rule *n = add(rs, "action=drop", RULE_FROM_CLI, false);
	assert_true(n->id > 3);

	/* clear one origin */
	ruleset_clear(rs, RULE_FROM_CONTROL);
	assert_int_equal(ruleset_count(rs), 1);
	assert_int_equal(mact(rs, "a.example.com", DNS_T_A), ACT_DROP);
	/* clear all */
	ruleset_clear(rs, -1);
	assert_int_equal(ruleset_count(rs), 0);
	assert_null(m(rs, "a.example.com", DNS_T_A));
	assert_null(m(rs, "x.example.com", DNS_T_A));
	/* the set still works after a clear */
	add(rs, "name=*.example.com action=formerr", RULE_FROM_CONTROL, false);
	assert_int_equal(mact(rs, "x.example.com", DNS_T_A), ACT_FORMERR);
	ruleset_free(rs);
	ruleset_free(NULL);
	assert_int_equal(ruleset_count(NULL), 0);
}

static struct rule **
parse_array(const char *const *texts, size_t n)
{
	struct rule **v = calloc(n ? n : 1, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = parse_ok(texts[i]);
	return v;
}

static void
test_replace_origin(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	const struct rule *const *list;
	static const char *const file1[] = {
		"name=f1.example.com action=refused",
		"name=*.example.com action=nxdomain",
	};
	static const char *const file2[] = { "name=f2.example.com action=formerr" };

	/* control rules first, then a CLI rule: order must still come out
	 * CLI, FILE, CONTROL */
	add(rs, "name=*.example.com action=servfail", RULE_FROM_CONTROL, false);
	add(rs, "name=c2.example.com action=drop", RULE_FROM_CONTROL, false);
	add(rs, "name=cli.example.com action=empty", RULE_FROM_CLI, false);

	struct rule **v = parse_array(file1, 2);
	assert_int_equal(ruleset_replace_origin(rs, RULE_FROM_FILE, v, 2), 0);
	free(v);
	assert_int_equal(ruleset_list(rs, &list), 5);
	assert_int_equal(list[0]->origin, RULE_FROM_CLI);
	assert_string_equal(list[0]->text, "name=cli.example.com action=empty");
	assert_int_equal(list[1]->origin, RULE_FROM_FILE);
	assert_string_equal(list[1]->text, "name=f1.example.com action=refused");
	assert_int_equal(list[2]->origin, RULE_FROM_FILE);
	assert_string_equal(list[2]->text, "name=*.example.com action=nxdomain");
	assert_int_equal(list[3]->origin, RULE_FROM_CONTROL);
	assert_string_equal(list[3]->text, "name=*.example.com action=servfail");
	assert_int_equal(list[4]->origin, RULE_FROM_CONTROL);
	for (size_t i = 0; i < 5; i++)
		assert_true(list[i]->id != 0);

	/* matching follows that order */
	assert_int_equal(mact(rs, "cli.example.com", DNS_T_A), ACT_EMPTY);
	assert_int_equal(mact(rs, "f1.example.com", DNS_T_A), ACT_REFUSED);
	assert_int_equal(mact(rs, "c2.example.com", DNS_T_A), ACT_NXDOMAIN);

	/* a reload drops the old file rules, keeps the rest */
	v = parse_array(file2, 1);
	assert_int_equal(ruleset_replace_origin(rs, RULE_FROM_FILE, v, 1), 0);
	free(v);
	assert_int_equal(ruleset_list(rs, &list), 4);
	assert_int_equal(list[0]->origin, RULE_FROM_CLI);
	assert_string_equal(list[1]->text, "name=f2.example.com action=formerr");
	assert_int_equal(list[2]->origin, RULE_FROM_CONTROL);
	assert_int_equal(list[3]->origin, RULE_FROM_CONTROL);
	assert_int_equal(mact(rs, "f1.example.com", DNS_T_A), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "f2.example.com", DNS_T_A), ACT_FORMERR);
	assert_int_equal(mact(rs, "c2.example.com", DNS_T_A), ACT_SERVFAIL);

	/* later additions still land in the right place */
	add(rs, "name=f2.example.com action=drop", RULE_FROM_CONTROL, true);
	assert_int_equal(mact(rs, "f2.example.com", DNS_T_A), ACT_DROP);
	add(rs, "name=c3.example.com action=refused", RULE_FROM_CONTROL, false);
	assert_int_equal(ruleset_list(rs, &list), 6);
	assert_string_equal(list[5]->text, "name=c3.example.com action=refused");

	/* an empty file removes every file rule */
	assert_int_equal(ruleset_replace_origin(rs, RULE_FROM_FILE, NULL, 0), 0);
	assert_int_equal(ruleset_list(rs, &list), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_not_equal(list[i]->origin, RULE_FROM_FILE);
	ruleset_free(rs);
}

static void
test_prob_frequency_and_fallthrough(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct rule *p = add(rs, "name=*.akamaiedge.net action=servfail prob=0.25", RULE_FROM_CLI, false);
	struct rule *rest = add(rs, "action=refused", RULE_FROM_CLI, false);
	unsigned sf = 0, ref = 0;

	dd_rng_seed(&g_rng, 7);
	for (int i = 0; i < 4000; i++) {
		struct rule *r = m(rs, "e1.akamaiedge.net", DNS_T_A);
		assert_non_null(r);   /* a miss falls through to the next rule */
		if (r == p)
			sf++;
		else if (r == rest)
			ref++;
	}
	assert_int_equal(sf + ref, 4000);
	if (sf < 800 || sf > 1200)
		fail_msg("prob=0.25 decided %u of 4000", sf);
	/* hit counters count the decisions */
	assert_int_equal(p->hits, sf);
	assert_int_equal(rest->hits, ref);
	/* a name the prob rule does not match draws nothing and goes on */
	assert_ptr_equal(m(rs, "example.org", DNS_T_A), rest);
	assert_int_equal(p->hits, sf);
	ruleset_free(rs);
}

static void
test_prob_reproducible(void **state)
{
	(void)state;
	char a[500], b[500], c[500];
	struct ruleset *rs = ruleset_new();
	struct rule *p = add(rs, "prob=0.5 action=servfail", RULE_FROM_CLI, false);

	dd_rng_seed(&g_rng, 1234);
	for (int i = 0; i < 500; i++)
		a[i] = m(rs, "x.test", DNS_T_A) == p;
	dd_rng_seed(&g_rng, 1234);
	for (int i = 0; i < 500; i++)
		b[i] = m(rs, "x.test", DNS_T_A) == p;
	dd_rng_seed(&g_rng, 4321);
	for (int i = 0; i < 500; i++)
		c[i] = m(rs, "x.test", DNS_T_A) == p;
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	ruleset_free(rs);

	/* prob=0 never, prob=1 always */
	rs = ruleset_new();
	add(rs, "prob=0 action=servfail", RULE_FROM_CLI, false);
	add(rs, "prob=1 action=refused", RULE_FROM_CLI, false);
	for (int i = 0; i < 200; i++)
		assert_int_equal(mact(rs, "x.test", DNS_T_A), ACT_REFUSED);
	ruleset_free(rs);
}

static void
test_hit_counters(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct rule *a = add(rs, "name=a.example.com action=servfail", RULE_FROM_CLI, false);
	struct rule *b = add(rs, "name=*.example.com action=refused", RULE_FROM_CLI, false);

	for (int i = 0; i < 3; i++)
		m(rs, "a.example.com", DNS_T_A);
	for (int i = 0; i < 5; i++)
		m(rs, "b.example.com", DNS_T_A);
	m(rs, "nothing.test", DNS_T_A);
	assert_int_equal(a->hits, 3);
	assert_int_equal(b->hits, 5);
	ruleset_free(rs);
}

static void
test_many_rules(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct ruleset *rs = ruleset_new();
	struct rule **v = calloc(N + 3, sizeof(*v));
	char text[200];
	size_t n = 0;

	assert_non_null(v);
	for (int i = 0; i < N / 2; i++) {
		snprintf(text, sizeof(text), "name=host%d.example.net action=servfail", i);
		v[n++] = parse_ok(text);
	}
	for (int i = 0; i < N / 4; i++) {
		snprintf(text, sizeof(text), "name=*.zone%d.example.org action=nxdomain", i);
		v[n++] = parse_ok(text);
	}
	for (int i = 0; i < N / 4; i++) {
		snprintf(text, sizeof(text), "client=198.19.%d.%d transport=tcp action=drop",
		    i / 256, i % 256);
		v[n++] = parse_ok(text);
	}
	v[n++] = parse_ok("name=target.example.com action=refused");
	v[n++] = parse_ok("name=*.example.com action=formerr");
	assert_int_equal(ruleset_replace_origin(rs, RULE_FROM_FILE, v, n), 0);
	free(v);
	assert_int_equal(ruleset_count(rs), N + 2);

	assert_int_equal(mact(rs, "target.example.com", DNS_T_A), ACT_REFUSED);
	assert_int_equal(mact(rs, "other.example.com", DNS_T_A), ACT_FORMERR);
	assert_int_equal(mact(rs, "host4999.example.net", DNS_T_A), ACT_SERVFAIL);
	assert_int_equal(mact(rs, "a.b.zone2499.example.org", DNS_T_A), ACT_NXDOMAIN);
	assert_null(m(rs, "zone2499.example.org", DNS_T_A));
	assert_null(m(rs, "host5000.example.net", DNS_T_A));
	assert_null(m(rs, "unrelated.test", DNS_T_A));

	struct dns_query q;
	mkq(&q, "unrelated.test", DNS_T_A);
	struct rule *r = ruleset_match(rs, &q, v4("198.19.9.195"), TRANSPORT_TCP, &g_rng);
	assert_non_null(r);
	assert_int_equal(r->action, ACT_DROP);
	assert_string_equal(r->text, "client=198.19.9.195 transport=tcp action=drop");
	assert_null(ruleset_match(rs, &q, v4("198.19.9.195"), TRANSPORT_UDP, &g_rng));
	ruleset_free(rs);
}

/* ---------------- rules files ---------------- */

static char *
write_tmp(const char *content)
{
	char *path = strdup("/tmp/dnsdrill-test-rules-XXXXXX");
	assert_non_null(path);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

static void
test_rules_file(void **state)
{
	(void)state;
	char *path = write_tmp(
	    "# faultd rules\n"
	    "\n"
	    "name=dynamodb.us-east-1.amazonaws.com type=A action=empty negttl=5\n"
	    "   # indented comment\n"
	    "name=*.akamaiedge.net action=servfail prob=0.25   # trailing comment\n"
	    "\t\n"
	    "client=198.18.1.0/24 delay=250ms jitter=50ms\r\n"
	    "action=drop");       /* no final newline */
	struct rule **v;
	size_t n;
	struct dd_err err;

	assert_int_equal(rules_load_file(path, &v, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0]->text, "name=dynamodb.us-east-1.amazonaws.com type=A action=empty negttl=5");
	assert_int_equal(v[0]->negttl, 5);
	assert_string_equal(v[1]->text, "name=*.akamaiedge.net action=servfail prob=0.25");
	assert_int_equal(v[2]->delay_us, 250000);
	assert_int_equal(v[3]->action, ACT_DROP);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i]->origin, RULE_FROM_FILE);
	rules_free_array(v, n);
	unlink(path);
	free(path);

	/* only comments: zero rules, not an error */
	path = write_tmp("# nothing\n\n");
	assert_int_equal(rules_load_file(path, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	rules_free_array(v, n);
	unlink(path);
	free(path);
}

static void
test_rules_file_error(void **state)
{
	(void)state;
	char *path = write_tmp(
	    "# header\n"
	    "action=drop\n"
	    "\n"
	    "name=a.example.com actoin=servfail\n"
	    "action=refused\n");
	struct rule **v = (struct rule **)&v;
	size_t n = 99;
	struct dd_err err;
	char want[300];

	assert_int_equal(rules_load_file(path, &v, &n, &err), DD_EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
	snprintf(want, sizeof(want), "%s:4: ", path);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("message \"%s\" does not start with \"%s\"", err.msg, want);
	assert_non_null(strstr(err.msg, "actoin"));
	unlink(path);

	/* a missing file names the file */
	assert_int_equal(rules_load_file(path, &v, &n, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, path));
	free(path);
}

/*
 * A NUL byte in a rules-file line would end the rule early, as it did on the
 * control socket (issue 10, bug 13): "action=drop<NUL> name=x" would load as
 * a rule that drops everything.  The line is refused, naming file and line.
 */
static void
test_rules_file_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "action=servfail name=a.example\n"
	    "action=drop\0 name=www.example.com\n";
	char *path = strdup("/tmp/dnsdrill-test-rules-XXXXXX");
	int fd;
	struct rule **v = NULL;
	size_t n = 99;
	struct dd_err err;
	char want[300];

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(rules_load_file(path, &v, &n, &err), DD_EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
	snprintf(want, sizeof(want), "%s:2: ", path);
	if (strncmp(err.msg, want, strlen(want)) != 0 || strstr(err.msg, "NUL") == NULL)
		fail_msg("message \"%s\" does not name %s and the NUL byte", err.msg, want);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_name_exact),
		cmocka_unit_test(test_parse_name_wildcard),
		cmocka_unit_test(test_parse_type),
		cmocka_unit_test(test_parse_client),
		cmocka_unit_test(test_parse_transport),
		cmocka_unit_test(test_parse_prob),
		cmocka_unit_test(test_parse_every_action),
		cmocka_unit_test(test_parse_answer_mixed),
		cmocka_unit_test(test_parse_durations),
		cmocka_unit_test(test_parse_ttl_negttl_soa),
		cmocka_unit_test(test_parse_all_terms_and_text),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_long_name),
		cmocka_unit_test_setup(test_match_wildcard, setup_rng),
		cmocka_unit_test_setup(test_match_exact_case_insensitive, setup_rng),
		cmocka_unit_test_setup(test_match_root_name, setup_rng),
		cmocka_unit_test_setup(test_match_client, setup_rng),
		cmocka_unit_test_setup(test_match_type_transport, setup_rng),
		cmocka_unit_test_setup(test_match_first_wins, setup_rng),
		cmocka_unit_test_setup(test_match_same_name_falls_through, setup_rng),
		cmocka_unit_test_setup(test_insert_first, setup_rng),
		cmocka_unit_test_setup(test_del_and_clear, setup_rng),
		cmocka_unit_test_setup(test_replace_origin, setup_rng),
		cmocka_unit_test_setup(test_prob_frequency_and_fallthrough, setup_rng),
		cmocka_unit_test_setup(test_prob_reproducible, setup_rng),
		cmocka_unit_test_setup(test_hit_counters, setup_rng),
		cmocka_unit_test_setup(test_many_rules, setup_rng),
		cmocka_unit_test(test_rules_file),
		cmocka_unit_test(test_rules_file_error),
		cmocka_unit_test(test_rules_file_nul_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
