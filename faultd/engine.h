/*
 * engine.h -- faultd's decision for one query: packet in, reply bytes (or a
 * drop, or "forward this upstream") plus a delay out.
 *
 * Pure logic: the engine never touches a socket or reads a clock.  The
 * server (server.c) feeds it datagrams and TCP frames, sends what it says
 * after the delay it says, and hands forwarded queries to upstream.c, whose
 * replies come back through engine_finish_upstream().
 */
#ifndef FAULTD_ENGINE_H
#define FAULTD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/dnswire.h"
#include "faultd/rule.h"
#include "lib/util.h"
#include "faultd/zone.h"

/*
 * Queries per client address, in bounded memory: the first
 * ENGINE_CLIENTS_MAX distinct source addresses (port ignored, a v4-mapped
 * IPv6 address counted as IPv4) are counted each on its own, exactly;
 * queries from any address after those count under clients_other.
 */
#define ENGINE_CLIENTS_MAX 64

struct engine_client {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t addr[16];        /* 4 or 16 bytes used */
	uint64_t queries;
};

/* Counters shown by `faultctl stats`. */
struct engine_stats {
	uint64_t queries, queries_udp, queries_tcp;
	uint64_t replies, drops, malformed, formerr_sent;
	uint64_t forwarded, upstream_servfail;  /* upstream's own counters: upstream.h */
	uint64_t authoritative, refused_no_zone;
	uint64_t actions[ACT__COUNT];
	struct engine_client clients[ENGINE_CLIENTS_MAX];
	size_t n_clients;
	uint64_t clients_other;  /* queries from addresses past the table */
	/* --time-scale: TTLs (and SOA MINIMUMs) served whose proportion was
	 * under 1 s, so they went out as the 1 s floor; the smallest and
	 * largest such TTL before scaling (0 while none) */
	uint64_t ttl_floored, ttl_floored_min, ttl_floored_max;
	/* capacity (the server's --capacity, rules' capacity=): queries that
	 * waited behind others, queries over capacity (answered with the
	 * overflow action, not counted in actions[]), and the longest wait
	 * given (queueing plus service, microseconds) */
	uint64_t capacity_queued, capacity_overflow, capacity_wait_max_us;
};

struct engine {
	struct ruleset *rules;       /* owned */
	struct zoneset *zones;       /* owned; may be NULL */
	bool have_upstreams;
	struct dd_rng rng;
	struct engine_stats stats;
	double time_scale;           /* 1: TTLs served as they are */
	/* the server's capacity (faultd --capacity), when has_capacity */
	bool has_capacity;
	struct capacity capacity;
	/* the arrival time of the query engine_query() is given: the caller
	 * sets it (the event loop's clock); only capacity reads it */
	uint64_t now_us;
};

enum engine_verdict {
	ENG_DROP = 0,    /* send nothing */
	ENG_REPLY,       /* send out[0..len) after delay_us */
	ENG_FORWARD,     /* ask upstream; then engine_finish_upstream */
};

struct engine_result {
	enum engine_verdict verdict;
	/* the rule that decided, or NULL; owned by the ruleset and valid only
	 * until it changes, so never read across an upstream round trip */
	struct rule *rule;
	/* what engine_finish_upstream needs from the rule, copied at match
	 * time: a rule deleted (rule del, clear, reload) while the query is
	 * upstream is harmless, and the reply follows the rule as it was when
	 * the query matched */
	bool has_ttl;
	uint32_t ttl;
	uint64_t delay_us;
	size_t len;
	struct dns_query q;
	bool parsed;             /* q is valid */
};

#define ENGINE_EDNS_SIZE 1232

/* The engine takes ownership of rules and zones. */
void engine_init(struct engine *e, struct ruleset *rules, struct zoneset *zones,
    bool have_upstreams, uint64_t seed);
void engine_fini(struct engine *e);

/*
 * Serve time in proportion (faultd --time-scale S, faultd(1)): every TTL of
 * every reply -- zone answers, synthesized answers, rule ttl=/negttl=,
 * forwarded answers -- and the MINIMUM of every SOA (the negative TTL) is
 * divided by S and rounded to the nearest second, with a floor of 1 s for
 * anything above 0 (0 stays 0: "do not cache" keeps its meaning).  OPT
 * records are not TTLs and stay.  The default 1 leaves TTLs alone; a
 * scale under 1 (a slowed-down incident) stretches them, up to 2^31-1.
 * scale <= 0 is taken as 1.
 */
void engine_set_time_scale(struct engine *e, double scale);
/* (One TTL's rule is dd_ttl_scale() in lib/util.h, shared with dnsdrill.) */
/* Apply the time scale to every TTL of pkt (len bytes) in place.  Returns 0
 * or DD_EFORMERR (pkt left partly scaled). */
int engine_scale_ttls(struct engine *e, uint8_t *pkt, size_t len);

/* The whole server's capacity (faultd/capacity.h): every parsed query
 * goes through it before the rules.  Returns 0 or DD_EINVAL. */
int engine_set_capacity(struct engine *e, double qps, uint32_t queue,
    enum capacity_overflow overflow);

/*
 * Decide what to do with one query (pkt/len) from client over transport,
 * arriving at e->now_us.
 * For ENG_REPLY the reply is written to out (cap bytes; give 65535).  For UDP
 * the reply already fits the client's limit (TC set otherwise).
 */
void engine_query(struct engine *e, const uint8_t *pkt, size_t len,
    const struct sockaddr *client, enum rule_transport transport,
    uint8_t *out, size_t cap, struct engine_result *res);

/*
 * Turn an upstream's reply (in reply/len, modified in place, cap bytes of
 * room) into the client's reply for the query res describes: the client's
 * ID and question bytes, the rule's ttl=, and the UDP size limit.  Returns
 * the new length, or 0 when the upstream reply does not answer this query
 * (wrong question), in which case the caller should treat it as a failure.
 */
size_t engine_finish_upstream(struct engine *e, const struct engine_result *res,
    const uint8_t *query, enum rule_transport transport, uint8_t *reply,
    size_t len, size_t cap);

/* A SERVFAIL for res's query (upstream dead); returns its length. */
size_t engine_servfail(struct engine *e, const struct engine_result *res,
    const uint8_t *query, uint8_t *out, size_t cap);

/*
 * The clients that sent the most queries: up to max pointers into e's
 * table, most queries first (equal counts in the order first seen).
 * *other gets every query from the rest: the addresses left out here and
 * those past the table (clients_other).  Returns how many were written.
 */
size_t engine_clients_top(const struct engine *e, const struct engine_client **out,
    size_t max, uint64_t *other);

/* Helpers the unit tests use directly. */
/* Rewrite every TTL (all sections, OPT excepted).  Returns 0 or DD_EFORMERR. */
int engine_rewrite_ttls(uint8_t *pkt, size_t len, uint32_t ttl);
/* If len exceeds the client's UDP limit, cut to header + question (+ OPT)
 * with TC set; returns the new length. */
size_t engine_fit_udp(const struct dns_query *q, uint8_t *reply, size_t len);

#endif
