/*
 * fuzz_packet.c -- faultd's packet path without sockets: a query through
 * engine_query() under one of several rule sets, over UDP or TCP, with two
 * zones loaded, and when the engine forwards, an upstream's reply through
 * engine_finish_upstream() (or the SERVFAIL for a dead upstream).
 *
 * Input: byte 0 picks the rule set (low 4 bits) and TCP (0x80); byte 1 an
 * IPv6 client (bit 0) and upstreams configured (bit 1); bytes 2-3 the
 * query's length (big-endian); then the query; the rest is the upstream's
 * reply.
 *
 * Checked on every reply (abort() when not so): a well-formed DNS message
 * by ldns with QR set, the query's ID and header counts that match its
 * records, nothing after its last record, the question as the client sent
 * it, within the client's UDP size over UDP; the same answer again when the
 * query is repeated (the zone's reply cache must not change it).  A reply
 * relayed from upstream is checked when the upstream's own reply was
 * well-formed (faultd passes an upstream's bytes through otherwise).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/engine.h"
#include "faultd/rule.h"
#include "faultd/zone.h"
#include "lib/dnswire.h"
#include "lib/log.h"
#include "tests/fuzz/fuzzlib.h"

/* ---------------- the fixed world: zones and rule sets ---------------- */

static const char ZONE_EX[] =
	"$ORIGIN example.com.\n"
	"$TTL 3600\n"
	"@ 7200 IN SOA ns1 hostmaster ( 2024010101 7200 3600 1209600 300 )\n"
	"@        IN NS    ns1\n"
	"         IN NS    ns2.example.net.\n"
	"@        IN MX    10 mail\n"
	"ns1      IN A     198.18.0.53\n"
	"mail     IN A     198.18.0.25\n"
	"www   60 IN A     198.18.0.1\n"
	"www   60 IN A     198.18.0.2\n"
	"www      IN AAAA  fd00::1\n"
	"www      IN TXT   \"v=spf1 -all\" \"second string\"\n"
	"alias    IN CNAME www\n"
	"alias2   IN CNAME alias\n"
	"ext      IN CNAME www.example.org.\n"
	"todeep   IN CNAME host.deep.example.com.\n"
	"dangling IN CNAME nothere\n"
	"loop1    IN CNAME loop2\n"
	"loop2    IN CNAME loop1\n"
	"a.b.c    IN A     198.18.0.3\n"
	"sub      IN NS    ns.sub\n"
	"sub      IN NS    ns.elsewhere.org.\n"
	"ns.sub   IN A     198.18.0.100\n"
	"ns.sub   IN AAAA  fd00::100\n"
	"*.wild   IN A     198.18.0.77\n"
	"*.wild   IN TXT   \"wild\"\n"
	"*.cwild  IN CNAME www\n"
	"_dns._udp IN SRV  0 5 53 ns1\n"
	"big      IN TXT   \"0123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"1123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"2123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"3123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"4123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"5123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"6123456789012345678901234567890123456789012345678901234567890123456789\"\n"
	"big      IN TXT   \"7123456789012345678901234567890123456789012345678901234567890123456789\"\n";

/* no $ORIGIN: the origin comes from the SOA owner */
static const char ZONE_DEEP[] =
	"deep.example.com. 60 IN SOA ns1 h.example.com. 1 7200 3600 1209600 600\n"
	"        IN NS ns1\n"
	"ns1     IN A  198.18.0.9\n"
	"host    IN A  198.18.0.10\n"
	"host    IN AAAA fd00::10\n";

#define NSETS 12
static const char *const RULESETS[NSETS][6] = {
	{ NULL },                                               /* none */
	{ "name=*.example.com action=drop", "type=AAAA action=drop", NULL },
	{ "action=servfail", NULL },
	{ "name=www.example.com action=empty negttl=5", "name=*.wild.example.com action=empty soa=no",
	  "action=empty", NULL },
	{ "name=www.example.com type=A ttl=0", "ttl=5", NULL },  /* ttl rewrite */
	{ "type=TXT action=answer:198.18.0.9",
	  "action=answer:198.18.0.1,fd00::1,198.18.0.2 ttl=30", NULL },   /* spoof */
	{ "transport=udp action=truncate", NULL },
	{ "prob=0.5 action=servfail delay=1s", "action=pass delay=250ms jitter=100ms", NULL },
	{ "name=*.example.org action=pass", NULL },             /* forward */
	{ "name=*.example.com action=nxdomain", "action=nxdomain negttl=30 soa=no", NULL },
	{ "type=MX action=refused", "name=*.net action=formerr", NULL },
	{ "client=198.18.0.0/15 prob=0.3 action=drop", "name=*.com action=truncate",
	  "type=ANY action=answer:fd00::53", "transport=tcp ttl=7", "action=pass", NULL },
};

static struct engine E[NSETS];
static uint8_t OUT[65535], OUT2[65535];

static struct zoneset *
load_zones(void)
{
	static struct fuzz_file f1, f2;
	static bool init;
	const char *files[2];
	struct zoneset *zs = NULL;
	struct dd_err err;

	if (!init) {
		fuzz_file_init(&f1);
		fuzz_file_init(&f2);
		fuzz_file_put(&f1, ZONE_EX, strlen(ZONE_EX));
		fuzz_file_put(&f2, ZONE_DEEP, strlen(ZONE_DEEP));
		init = true;
	}
	files[0] = f1.path;
	files[1] = f2.path;
	if (zoneset_load(&zs, files, 2, &err) != 0) {
		fprintf(stderr, "fuzz_packet: zones: %s\n", err.msg);
		abort();
	}
	return zs;
}

static void
free_engines(void)
{
	for (int i = 0; i < NSETS; i++)
		engine_fini(&E[i]);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_packet", LOG_LVL_ERROR);
	for (int i = 0; i < NSETS; i++) {
		struct ruleset *rs = ruleset_new();

		if (rs == NULL)
			abort();
		for (int k = 0; RULESETS[i][k] != NULL; k++) {
			struct rule *r;
			struct dd_err err;

			if (rule_parse(RULESETS[i][k], &r, &err) != 0) {
				fprintf(stderr, "fuzz_packet: rule '%s': %s\n", RULESETS[i][k], err.msg);
				abort();
			}
			if (ruleset_add(rs, r, false) != 0)
				abort();
		}
		engine_init(&E[i], rs, load_zones(), i == 8, 1);
	}
	atexit(free_engines);
	return 0;
}

/* ---------------- one input ---------------- */

static size_t
udp_limit(const struct dns_query *q)
{
	if (!q->has_edns || q->edns_udp_size < DNS_MAX_UDP)
		return DNS_MAX_UDP;
	return q->edns_udp_size > 4096 ? 4096 : q->edns_udp_size;
}

/* What every reply to a parsed query shares besides well-formedness. */
static void
check_answer(const struct engine_result *res, const uint8_t *query, const uint8_t *msg,
    size_t len, enum rule_transport tr)
{
	const struct dns_query *q = &res->q;

	if (tr == TRANSPORT_UDP)
		FUZZ_CHECK(len <= udp_limit(q), "UDP reply of %zu bytes, limit %zu", len, udp_limit(q));
	FUZZ_CHECK(dns_get16(msg + 4) == 1, "qdcount %u", dns_get16(msg + 4));
	FUZZ_CHECK(len >= q->question_end &&
	    memcmp(msg + DNS_HDR_LEN, query + DNS_HDR_LEN, q->question_end - DNS_HDR_LEN) == 0,
	    "question not as sent");
}

/* How ldns reads msg: its question, answer, authority and additional
 * counts, and 1 for an OPT it took out of the additional section. */
static void
ldns_counts(const uint8_t *msg, size_t len, unsigned c[5])
{
	ldns_pkt *p = NULL;

	FUZZ_CHECK(ldns_wire2pkt(&p, msg, len) == LDNS_STATUS_OK, "ldns refuses a relayed reply");
	c[0] = (unsigned)ldns_rr_list_rr_count(ldns_pkt_question(p));
	c[1] = (unsigned)ldns_rr_list_rr_count(ldns_pkt_answer(p));
	c[2] = (unsigned)ldns_rr_list_rr_count(ldns_pkt_authority(p));
	c[3] = (unsigned)ldns_rr_list_rr_count(ldns_pkt_additional(p));
	c[4] = ldns_pkt_edns(p) ? 1u : 0u;
	ldns_pkt_free(p);
}

/*
 * A reply relayed whole: faultd may change its ID, its question's case and
 * its TTLs, nothing else, so it keeps the upstream's header counts and reads
 * as the upstream's message read (hdr and before, taken before the relay).
 * Compared with the upstream's message, not with the header: ldns misreads
 * some messages faultd relays byte for byte (a TSIG that is not the last
 * record costs the last one, as ldns lowers ARCOUNT inside its read loop;
 * the goal run found one, tests/fuzz/crashes/packet/arcount-relayed).
 */
static void
check_relayed(const uint8_t *msg, size_t len, const uint8_t *hdr, const unsigned before[5],
    uint16_t id)
{
	unsigned after[5];

	FUZZ_CHECK(len >= DNS_HDR_LEN, "relayed %zu bytes", len);
	FUZZ_CHECK(dns_get16(msg) == id, "ID %04x, query's %04x", dns_get16(msg), id);
	FUZZ_CHECK(dns_get16(msg + 2) == dns_get16(hdr + 2), "flags %04x, upstream's %04x",
	    dns_get16(msg + 2), dns_get16(hdr + 2));
	FUZZ_CHECK(memcmp(msg + 4, hdr + 4, 8) == 0, "counts not the upstream's");
	ldns_counts(msg, len, after);
	FUZZ_CHECK(memcmp(before, after, sizeof(after)) == 0,
	    "reads as %u/%u/%u/%u+%u records, the upstream's as %u/%u/%u/%u+%u",
	    after[0], after[1], after[2], after[3], after[4],
	    before[0], before[1], before[2], before[3], before[4]);
}

/* The query through engine e; the reply (if any) in out. */
static void
run_query(struct engine *e, const uint8_t *query, size_t qlen, const struct sockaddr *client,
    enum rule_transport tr, uint8_t *out, struct engine_result *res)
{
	/* every run starts from the same state: same draws, cold cache */
	dd_rng_seed(&e->rng, 1);
	memset(&e->stats, 0, sizeof(e->stats));
	engine_query(e, query, qlen, client, tr, out, sizeof(OUT), res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_result res, res2;
	struct sockaddr_in c4 = { .sin_family = AF_INET, .sin_port = htons(40000) };
	struct sockaddr_in6 c6 = { .sin6_family = AF_INET6, .sin6_port = htons(40000) };
	const struct sockaddr *client;
	enum rule_transport tr;
	struct engine *e;
	uint8_t *query;
	size_t qlen;

	if (size < 4)
		return 0;
	e = &E[(data[0] & 0x0f) % NSETS];
	tr = (data[0] & 0x80) ? TRANSPORT_TCP : TRANSPORT_UDP;
	inet_pton(AF_INET, "198.18.1.10", &c4.sin_addr);
	inet_pton(AF_INET6, "fd00::10", &c6.sin6_addr);
	client = (data[1] & 1) ? (const struct sockaddr *)&c6 : (const struct sockaddr *)&c4;
	e->have_upstreams = (data[1] & 2) || e == &E[8];
	qlen = (size_t)data[2] << 8 | data[3];
	data += 4;
	size -= 4;
	if (qlen > size)
		qlen = size;
	/* exact-size copies, so a read past either end is caught */
	query = malloc(qlen ? qlen : 1);
	if (query == NULL)
		abort();
	memcpy(query, data, qlen);
	data += qlen;
	size -= qlen;

	if (zoneset_cache_set(e->zones, 16) != 0)
		abort();
	run_query(e, query, qlen, client, tr, OUT, &res);
	switch (res.verdict) {
	case ENG_DROP:
		break;
	case ENG_REPLY:
		FUZZ_CHECK(res.len <= sizeof(OUT), "reply of %zu bytes", res.len);
		fuzz_check_reply(OUT, res.len, dns_get16(query), true);
		if (res.parsed)
			check_answer(&res, query, OUT, res.len, tr);
		else
			FUZZ_CHECK(res.len <= DNS_MAX_UDP, "FORMERR of %zu bytes", res.len);
		break;
	case ENG_FORWARD: {
		FUZZ_CHECK(res.parsed && e->have_upstreams, "forwarded without upstreams");
		size_t ulen = size, n;
		unsigned before[5] = { 0 };
		uint8_t hdr[DNS_HDR_LEN] = { 0 };
		uint8_t *up = malloc(ulen ? ulen : 1);
		ldns_pkt *p = NULL;
		bool up_ok;
		int ntsig;

		if (up == NULL)
			abort();
		memcpy(up, data, ulen);
		/* ldns leaks all but the last of several TSIG records (the
		 * goal run found one): such a reply is not checked with ldns */
		ntsig = dns_count_type(up, ulen, DNS_T_TSIG);
		up_ok = ntsig >= 0 && ntsig <= 1 &&
		    ldns_wire2pkt(&p, up, ulen) == LDNS_STATUS_OK;
		ldns_pkt_free(p);
		if (up_ok)
			ldns_counts(up, ulen, before);
		memcpy(hdr, up, ulen < sizeof(hdr) ? ulen : sizeof(hdr));
		n = engine_finish_upstream(e, &res, query, tr, up, ulen, ulen);
		if (n == 0) {
			/* not an answer to this query: the server sends SERVFAIL */
			n = engine_servfail(e, &res, query, OUT, sizeof(OUT));
			fuzz_check_reply(OUT, n, dns_get16(query), true);
			check_answer(&res, query, OUT, n, tr);
		} else {
			FUZZ_CHECK(n <= ulen, "relayed %zu bytes of %zu", n, ulen);
			FUZZ_CHECK(dns_get16(up) == dns_get16(query), "relayed with the upstream's ID");
			if (up_ok && n < ulen) {
				/* over the UDP limit: faultd wrote the counts */
				fuzz_check_reply(up, n, dns_get16(query), false);
				check_answer(&res, query, up, n, tr);
			} else if (up_ok) {
				check_relayed(up, n, hdr, before, dns_get16(query));
				check_answer(&res, query, up, n, tr);
			}
		}
		free(up);
		break;
	}
	default:
		FUZZ_CHECK(0, "verdict %d", res.verdict);
	}

	/* the same query again (a warm cache now): the same decision, byte
	 * for byte */
	run_query(e, query, qlen, client, tr, OUT2, &res2);
	FUZZ_CHECK(res2.verdict == res.verdict && res2.delay_us == res.delay_us &&
	    (res.verdict != ENG_REPLY || (res2.len == res.len &&
	    memcmp(OUT, OUT2, res.len) == 0)),
	    "a second run differs (verdict %d/%d, %zu/%zu bytes)", res.verdict, res2.verdict,
	    res.len, res2.len);
	free(query);
	return 0;
}
