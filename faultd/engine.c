/*
 * engine.c -- the fault logic.  Each action is a few lines: choose the rule,
 * then write the reply it asks for with the dnswire writer.
 */
#include "faultd/engine.h"

#include "faultd/dnssec_fault.h"

#include <string.h>

#include "lib/log.h"

void
engine_init(struct engine *e, struct ruleset *rules, struct zoneset *zones,
    bool have_upstreams, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	e->rules = rules;
	e->zones = zones;
	e->have_upstreams = have_upstreams;
	dd_rng_seed(&e->rng, seed);
	e->time_scale = 1.0;
}

void
engine_set_time_scale(struct engine *e, double scale)
{
	e->time_scale = scale > 0.0 ? scale : 1.0;
}

/* Scale the TTL at off, counting a floored one. */
static void
scale_at(struct engine *e, uint8_t *pkt, size_t off)
{
	uint32_t ttl = dns_get32(pkt + off);
	bool floored;
	struct engine_stats *st = &e->stats;

	dns_put32(pkt + off, dd_ttl_scale(ttl, e->time_scale, &floored));
	if (!floored)
		return;
	if (st->ttl_floored == 0 || ttl < st->ttl_floored_min)
		st->ttl_floored_min = ttl;
	if (ttl > st->ttl_floored_max)
		st->ttl_floored_max = ttl;
	st->ttl_floored++;
}

int
engine_scale_ttls(struct engine *e, uint8_t *pkt, size_t len)
{
	size_t off;
	int total;

	if (e->time_scale == 1.0)
		return 0;
	if ((total = dns_skip_questions(pkt, len, &off)) < 0)
		return DD_EFORMERR;
	for (int i = 0; i < total; i++) {
		struct dns_rr_ref rr;
		if (dns_skip_rr(pkt, len, &off, &rr) < 0)
			return DD_EFORMERR;
		if (rr.type == DNS_T_OPT)
			continue;
		scale_at(e, pkt, rr.ttl_off);
		/* the SOA's MINIMUM is the negative TTL (RFC 2308): its last
		 * four octets whatever the names before it */
		if (rr.type == DNS_T_SOA && rr.rdlen >= 22)
			scale_at(e, pkt, rr.rdata_off + rr.rdlen - 4u);
	}
	return 0;
}

void
engine_fini(struct engine *e)
{
	ruleset_free(e->rules);
	zoneset_free(e->zones);
	e->rules = NULL;
	e->zones = NULL;
}

int
engine_rewrite_ttls(uint8_t *pkt, size_t len, uint32_t ttl)
{
	size_t off;
	int total;

	if ((total = dns_skip_questions(pkt, len, &off)) < 0)
		return DD_EFORMERR;
	for (int i = 0; i < total; i++) {
		struct dns_rr_ref rr;
		if (dns_skip_rr(pkt, len, &off, &rr) < 0)
			return DD_EFORMERR;
		if (rr.type != DNS_T_OPT)
			dns_put32(pkt + rr.ttl_off, ttl);
	}
	return 0;
}

static size_t
udp_limit(const struct dns_query *q)
{
	if (!q->has_edns)
		return DNS_MAX_UDP;
	if (q->edns_udp_size < DNS_MAX_UDP)
		return DNS_MAX_UDP;
	return q->edns_udp_size > 4096 ? 4096 : q->edns_udp_size;
}

size_t
engine_fit_udp(const struct dns_query *q, uint8_t *reply, size_t len)
{
	struct dns_writer w;
	size_t qend = q->question_end;

	if (len <= udp_limit(q) || len < DNS_HDR_LEN || qend > len)
		return len;
	/* keep header and question, drop the records, say TC */
	dns_w_init(&w, reply, len);
	w.len = qend;
	dns_put16(reply + 2, (uint16_t)(dns_get16(reply + 2) | DNS_TC));
	dns_put16(reply + 4, qend > DNS_HDR_LEN ? 1 : 0);
	if (q->has_edns)
		dns_w_opt(&w, ENGINE_EDNS_SIZE, q->edns_do);
	dns_w_counts(&w, 0, 0, q->has_edns ? 1 : 0);
	return w.len;
}

static uint16_t
base_flags(const struct engine *e, bool auth)
{
	uint16_t f = 0;
	if (auth)
		f |= DNS_AA;
	if (e->have_upstreams)
		f |= DNS_RA;
	return f;
}

/* header + question + optional OPT with the given rcode */
static size_t
write_rcode(struct engine *e, const uint8_t *pkt, const struct dns_query *q,
    bool auth, unsigned rcode, uint16_t extra, uint8_t *out, size_t cap)
{
	struct dns_writer w;

	dns_w_init(&w, out, cap);
	dns_w_reply_start(&w, pkt, q, (uint16_t)(base_flags(e, auth) | extra), rcode);
	if (q->has_edns) {
		dns_w_opt(&w, ENGINE_EDNS_SIZE, q->edns_do);
		dns_w_counts(&w, 0, 0, 1);
	}
	return w.overflow ? 0 : w.len;
}

/* The SOA for a synthesized negative answer: the zone's when we serve the
 * name, otherwise one made up for the rule's suffix (or the name's parent). */
static void
write_neg_soa(struct dns_writer *w, const struct zone *z, const struct rule *r,
    const struct dns_query *q)
{
	static const uint8_t mname[] = "\002ns\006faultd\007invalid";
	static const uint8_t rname[] = "\012hostmaster\006faultd\007invalid";
	uint32_t ttl, minimum;

	if (z != NULL) {
		struct zone_soa soa;
		zone_get_soa(z, &soa);
		ttl = soa.ttl;
		minimum = soa.minimum;
		if (r->has_negttl)
			ttl = minimum = r->negttl;
		else if (r->has_ttl)
			ttl = r->ttl;
		dns_w_bytes(w, soa.owner, dns_name_len(soa.owner));
		dns_w_u16(w, DNS_T_SOA);
		dns_w_u16(w, DNS_C_IN);
		dns_w_u32(w, ttl);
		/* rdata: mname rname serial refresh retry expire minimum */
		dns_w_u16(w, soa.rdlen);
		if (soa.rdlen >= 20) {
			dns_w_bytes(w, soa.rdata, soa.rdlen - 4u);
			dns_w_u32(w, minimum);
		} else {
			dns_w_bytes(w, soa.rdata, soa.rdlen);
		}
		return;
	}
	ttl = minimum = r->has_negttl ? r->negttl : (r->has_ttl ? r->ttl : 60);
	const uint8_t *owner = q->qname;
	if (r->has_name && r->wildcard)
		owner = r->name;
	else if (q->qname[0] != 0)
		owner = q->qname + 1 + q->qname[0];
	dns_w_bytes(w, owner, dns_name_len(owner));
	dns_w_u16(w, DNS_T_SOA);
	dns_w_u16(w, DNS_C_IN);
	dns_w_u32(w, ttl);
	dns_w_u16(w, (uint16_t)(sizeof(mname) + sizeof(rname) + 20));
	dns_w_bytes(w, mname, sizeof(mname));
	dns_w_bytes(w, rname, sizeof(rname));
	dns_w_u32(w, 1);        /* serial */
	dns_w_u32(w, 3600);     /* refresh */
	dns_w_u32(w, 600);      /* retry */
	dns_w_u32(w, 86400);    /* expire */
	dns_w_u32(w, minimum);
}

static size_t
write_negative(struct engine *e, const uint8_t *pkt, const struct dns_query *q,
    const struct zone *z, const struct rule *r, unsigned rcode, uint8_t *out,
    size_t cap)
{
	struct dns_writer w;
	uint16_t ns = 0;

	dns_w_init(&w, out, cap);
	dns_w_reply_start(&w, pkt, q, base_flags(e, true), rcode);
	if (!r->no_soa) {
		write_neg_soa(&w, z, r, q);
		ns = 1;
	}
	if (q->has_edns)
		dns_w_opt(&w, ENGINE_EDNS_SIZE, q->edns_do);
	dns_w_counts(&w, 0, ns, q->has_edns ? 1 : 0);
	return w.overflow ? 0 : w.len;
}

/* answer:IP,... -- A records for A, AAAA for AAAA, both for ANY; any other
 * type (or a family with no address given) gets NODATA. */
static size_t
write_spoof(struct engine *e, const uint8_t *pkt, const struct dns_query *q,
    const struct zone *z, const struct rule *r, uint8_t *out, size_t cap)
{
	struct dns_writer w;
	uint32_t ttl = r->has_ttl ? r->ttl : 60;
	uint16_t an = 0;
	bool want4 = q->qtype == DNS_T_A || q->qtype == DNS_T_ANY;
	bool want6 = q->qtype == DNS_T_AAAA || q->qtype == DNS_T_ANY;

	if ((!want4 || r->n4 == 0) && (!want6 || r->n6 == 0))
		return write_negative(e, pkt, q, z, r, DNS_RCODE_NOERROR, out, cap);
	dns_w_init(&w, out, cap);
	dns_w_reply_start(&w, pkt, q, base_flags(e, true), DNS_RCODE_NOERROR);
	for (unsigned i = 0; want4 && i < r->n4; i++, an++) {
		dns_w_u16(&w, 0xc00c);     /* the question's name */
		dns_w_u16(&w, DNS_T_A);
		dns_w_u16(&w, DNS_C_IN);
		dns_w_u32(&w, ttl);
		dns_w_u16(&w, 4);
		dns_w_bytes(&w, &r->a4[i], 4);
	}
	for (unsigned i = 0; want6 && i < r->n6; i++, an++) {
		dns_w_u16(&w, 0xc00c);
		dns_w_u16(&w, DNS_T_AAAA);
		dns_w_u16(&w, DNS_C_IN);
		dns_w_u32(&w, ttl);
		dns_w_u16(&w, 16);
		dns_w_bytes(&w, &r->a6[i], 16);
	}
	if (q->has_edns)
		dns_w_opt(&w, ENGINE_EDNS_SIZE, q->edns_do);
	dns_w_counts(&w, an, 0, q->has_edns ? 1 : 0);
	return w.overflow ? 0 : w.len;
}

static uint64_t
pick_delay(struct engine *e, const struct rule *r)
{
	if (r == NULL || (r->delay_us == 0 && r->jitter_us == 0))
		return 0;
	if (r->jitter_us == 0)
		return r->delay_us;
	/* uniform in [delay - jitter, delay + jitter], never negative */
	double off = (dd_rng_double(&e->rng) * 2.0 - 1.0) * (double)r->jitter_us;
	double d = (double)r->delay_us + off;
	return d < 0 ? 0 : (uint64_t)d;
}

/* One more query from client (NULL or a non-IP family: not counted by
 * address). */
static void
count_client(struct engine_stats *st, const struct sockaddr *client)
{
	struct engine_client c = { 0 };

	if (client == NULL)
		return;
	if (client->sa_family == AF_INET) {
		c.family = AF_INET;
		memcpy(c.addr, &((const struct sockaddr_in *)(const void *)client)->sin_addr, 4);
	} else if (client->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)client)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			c.family = AF_INET;
			memcpy(c.addr, a6->s6_addr + 12, 4);
		} else {
			c.family = AF_INET6;
			memcpy(c.addr, a6->s6_addr, 16);
		}
	} else {
		return;
	}
	for (size_t i = 0; i < st->n_clients; i++) {
		struct engine_client *k = &st->clients[i];
		if (k->family == c.family && memcmp(k->addr, c.addr, 16) == 0) {
			k->queries++;
			return;
		}
	}
	if (st->n_clients == ENGINE_CLIENTS_MAX) {
		st->clients_other++;
		return;
	}
	c.queries = 1;
	st->clients[st->n_clients++] = c;
}

size_t
engine_clients_top(const struct engine *e, const struct engine_client **out,
    size_t max, uint64_t *other)
{
	const struct engine_stats *st = &e->stats;
	size_t n = 0;

	*other = st->clients_other;
	/* insertion by count into out[0..n): stable, and the table is small */
	for (size_t i = 0; i < st->n_clients; i++) {
		const struct engine_client *c = &st->clients[i];
		size_t k = n;

		while (k > 0 && out[k - 1]->queries < c->queries)
			k--;
		if (k == max) {
			*other += c->queries;
			continue;
		}
		if (n == max)
			*other += out[--n]->queries;
		memmove(out + k + 1, out + k, (n - k) * sizeof(*out));
		out[k] = c;
		n++;
	}
	return n;
}

int
engine_set_capacity(struct engine *e, double qps, uint32_t queue,
    enum capacity_overflow overflow)
{
	int rc = capacity_init(&e->capacity, qps, queue, overflow);

	e->has_capacity = rc == 0;
	return rc;
}

/* Through one capacity queue: true and its wait added to res->delay_us, or
 * false with the overflow's reply (or drop) written into res. */
static bool
through_capacity(struct engine *e, struct capacity *c, const uint8_t *pkt,
    uint8_t *out, size_t cap, struct engine_result *res)
{
	uint64_t wait;
	bool queued;

	if (capacity_admit(c, e->now_us, &wait, &queued)) {
		if (wait >= CAPACITY_PROMPT_US)
			res->delay_us += wait;
		if (queued)
			e->stats.capacity_queued++;
		if (wait > e->stats.capacity_wait_max_us)
			e->stats.capacity_wait_max_us = wait;
		return true;
	}
	e->stats.capacity_overflow++;
	res->delay_us = 0;
	res->verdict = ENG_REPLY;
	switch (c->overflow) {
	case CAP_OVERFLOW_SERVFAIL:
		res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_SERVFAIL, 0, out, cap);
		break;
	case CAP_OVERFLOW_REFUSED:
		res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_REFUSED, 0, out, cap);
		break;
	case CAP_OVERFLOW_DROP:
	default:
		res->len = 0;
		break;
	}
	if (res->len == 0)
		res->verdict = ENG_DROP;
	return false;
}

void
engine_query(struct engine *e, const uint8_t *pkt, size_t len,
    const struct sockaddr *client, enum rule_transport transport,
    uint8_t *out, size_t cap, struct engine_result *res)
{
	static const struct rule pass_rule = { .action = ACT_PASS, .qtype = -1 };
	const struct rule *r;
	const struct zone *z;
	enum fault_action act;
	int rc;

	memset(res, 0, offsetof(struct engine_result, q));
	res->parsed = false;
	e->stats.queries++;
	count_client(&e->stats, client);
	if (transport == TRANSPORT_TCP)
		e->stats.queries_tcp++;
	else
		e->stats.queries_udp++;

	rc = dns_parse_query(pkt, len, &res->q);
	if (rc == DD_EMALFORMED) {
		e->stats.malformed++;
		res->verdict = ENG_DROP;
		return;
	}
	if (rc < 0) {
		/* header readable: FORMERR, with the question if it parsed */
		struct dns_query *q = &res->q;
		e->stats.malformed++;
		if (q->flags & DNS_QR) {
			/* never answer a response: that way lies a loop */
			res->verdict = ENG_DROP;
			return;
		}
		if (q->question_end == 0 || q->qdcount != 1)
			q->question_end = 0;
		q->has_edns = false;
		res->len = write_rcode(e, pkt, q, false, DNS_RCODE_FORMERR, 0, out, cap);
		e->stats.formerr_sent++;
		res->verdict = res->len ? ENG_REPLY : ENG_DROP;
		return;
	}
	res->parsed = true;
	if (DNS_OPCODE(res->q.flags) != 0) {
		res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_NOTIMP, 0, out, cap);
		res->verdict = ENG_REPLY;
		return;
	}

	/* the server's capacity first, then the matching rule's */
	if (e->has_capacity && !through_capacity(e, &e->capacity, pkt, out, cap, res))
		return;
	res->rule = ruleset_match(e->rules, &res->q, client, transport, &e->rng);
	r = res->rule ? res->rule : &pass_rule;
	if (res->rule != NULL && res->rule->has_capacity &&
	    !through_capacity(e, &res->rule->cap, pkt, out, cap, res))
		return;
	res->has_ttl = r->has_ttl;
	res->ttl = r->ttl;
	act = r->action;
	if (act == ACT_TRUNCATE && transport == TRANSPORT_TCP)
		act = ACT_PASS;     /* the TCP retry goes through */
	e->stats.actions[act]++;
	res->delay_us += pick_delay(e, res->rule);
	z = e->zones ? zoneset_find(e->zones, res->q.qname) : NULL;

	res->verdict = ENG_REPLY;
	switch (act) {
	case ACT_DROP:
		res->verdict = ENG_DROP;
		res->delay_us = 0;
		return;
	case ACT_TRUNCATE:
		res->len = write_rcode(e, pkt, &res->q, z != NULL, DNS_RCODE_NOERROR, DNS_TC, out, cap);
		break;
	case ACT_SERVFAIL:
		res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_SERVFAIL, 0, out, cap);
		break;
	case ACT_REFUSED:
		res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_REFUSED, 0, out, cap);
		break;
	case ACT_FORMERR:
		res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_FORMERR, 0, out, cap);
		break;
	case ACT_EMPTY:
		res->len = write_negative(e, pkt, &res->q, z, r, DNS_RCODE_NOERROR, out, cap);
		break;
	case ACT_NXDOMAIN:
		res->len = write_negative(e, pkt, &res->q, z, r, DNS_RCODE_NXDOMAIN, out, cap);
		break;
	case ACT_ANSWER:
		res->len = write_spoof(e, pkt, &res->q, z, r, out, cap);
		break;
	case ACT_PASS:
	default:
		if (z != NULL) {
			size_t n = 0;
			if (zone_answer(e->zones, z, pkt, &res->q, out, cap, &n) < 0 || n == 0) {
				res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_SERVFAIL, 0, out, cap);
				break;
			}
			e->stats.authoritative++;
			res->len = n;
			/* DNSSEC fault hook: dnssec= breaks the signed answer */
			if (r->dnssec != DNSSEC_NONE)
				n = res->len = dnssec_fault_apply(z, r->dnssec, out, n, cap);
			if (r->has_ttl)
				(void)engine_rewrite_ttls(out, n, r->ttl);
		} else if (e->have_upstreams) {
			e->stats.forwarded++;
			res->verdict = ENG_FORWARD;
			return;
		} else {
			e->stats.refused_no_zone++;
			res->len = write_rcode(e, pkt, &res->q, false, DNS_RCODE_REFUSED, 0, out, cap);
		}
		break;
	}
	if (res->len == 0) {
		res->verdict = ENG_DROP;
		return;
	}
	(void)engine_scale_ttls(e, out, res->len);
	if (transport == TRANSPORT_UDP)
		res->len = engine_fit_udp(&res->q, out, res->len);
}

size_t
engine_finish_upstream(struct engine *e, const struct engine_result *res,
    const uint8_t *query, enum rule_transport transport, uint8_t *reply,
    size_t len, size_t cap)
{
	const struct dns_query *q = &res->q;
	size_t off = DNS_HDR_LEN;
	uint8_t name[DNS_MAX_NAME];
	int n;

	(void)cap;
	if (len < DNS_HDR_LEN || !(dns_get16(reply + 2) & DNS_QR) ||
	    dns_get16(reply + 4) != 1)
		return 0;
	n = dns_read_name(reply, len, &off, name, true);
	if (n < 0 || off + 4 > len || (size_t)n != q->qname_len ||
	    memcmp(name, q->qname, (size_t)n) != 0 ||
	    dns_get16(reply + off) != q->qtype)
		return 0;
	/* its names must read before its header changes, each pointer to a
	 * label of an earlier name: one into the header would name something
	 * else once the ID is the client's, one into a TTL (fuzzing found
	 * one) once the TTLs are rewritten (the client gets SERVFAIL, as
	 * from a resolver that cannot parse it) */
	if (dns_check_names(reply, len) < 0)
		return 0;
	/* the client's ID and its question exactly as sent (0x20 case); off
	 * is past the name, so the question ends 4 octets later */
	dns_put16(reply, q->id);
	if (off + 4 == q->question_end)
		memcpy(reply + DNS_HDR_LEN, query + DNS_HDR_LEN, q->question_end - DNS_HDR_LEN);
	/* the copies, not res->rule: the rule may be gone by now */
	if (res->has_ttl)
		(void)engine_rewrite_ttls(reply, len, res->ttl);
	/* what the incident's internet says runs on the incident's clock */
	(void)engine_scale_ttls(e, reply, len);
	if (transport == TRANSPORT_UDP)
		len = engine_fit_udp(q, reply, len);
	return len;
}

size_t
engine_servfail(struct engine *e, const struct engine_result *res,
    const uint8_t *query, uint8_t *out, size_t cap)
{
	e->stats.upstream_servfail++;
	return write_rcode(e, query, &res->q, false, DNS_RCODE_SERVFAIL, 0, out, cap);
}
