/*
 * rule.h -- faultd's rule language and the ordered, indexed rule set.
 *
 * One rule per line: space-separated key=value terms (DESIGN.md):
 *   name= type= client= transport= prob= action= delay= jitter= ttl=
 *   negttl= soa=no capacity= queue= overflow= dnssec=
 * The same text is accepted on the command line, in rules files and over
 * the control socket.  A bad rule is refused whole, naming the offending
 * term; nothing is added.
 *
 * Matching is first-match-wins in rule order, but it does not scan: rules
 * are indexed by exact owner name and by wildcard suffix, so the cost of a
 * lookup depends on the query name's label count, not on the number of
 * rules.  Rules without name= sit on one extra list.
 *
 * Pure logic: no sockets, no clock; randomness comes from the caller's
 * seeded dd_rng so prob= is reproducible under --seed.
 */
#ifndef FAULTD_RULE_H
#define FAULTD_RULE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/addr.h"
#include "lib/dnswire.h"
#include "lib/err.h"
#include "lib/util.h"
#include "faultd/capacity.h"

enum fault_action {
	ACT_PASS = 0,
	ACT_EMPTY,
	ACT_NXDOMAIN,
	ACT_SERVFAIL,
	ACT_REFUSED,
	ACT_FORMERR,
	ACT_DROP,
	ACT_TRUNCATE,
	ACT_ANSWER,
	ACT__COUNT
};

/* dnssec=: how a signed zone's answer is broken (faultd/dnssec_fault.h). */
enum rule_dnssec {
	DNSSEC_NONE = 0,
	DNSSEC_EXPIRED,     /* RRSIGs re-signed with a window in the past */
	DNSSEC_NOTYET,      /* ... with a window in the future */
	DNSSEC_BADSIG,      /* every RRSIG's signature corrupted */
	DNSSEC_NOSIG,       /* every RRSIG left out */
	DNSSEC_NODNSKEY,    /* the DNSKEY set (and its RRSIGs) left out */
	DNSSEC_BADNSEC,     /* NSEC/NSEC3 proofs (and their RRSIGs) left out */
	DNSSEC_BADDS,       /* DS digests changed, validly re-signed */
	DNSSEC__COUNT
};
const char *rule_dnssec_name(enum rule_dnssec d);

enum rule_transport { TRANSPORT_ANY = 0, TRANSPORT_UDP = 1, TRANSPORT_TCP = 2 };

/* Where a rule came from; SIGHUP replaces the RULE_FROM_FILE ones. */
enum rule_origin { RULE_FROM_CLI = 0, RULE_FROM_FILE, RULE_FROM_CONTROL };

#define RULE_MAX_ADDRS 16

struct rule {
	uint64_t id;        /* stable, shown by `rule list`, used by `rule del` */
	int64_t seq;        /* order: lower is checked first */
	enum rule_origin origin;
	char *text;         /* canonical text (owned) */

	/* matchers */
	bool has_name, wildcard;
	uint8_t name[DNS_MAX_NAME];  /* lower-case wire; for *.x it is x */
	int qtype;                   /* -1: any */
	bool has_client;
	struct dd_cidr client;
	enum rule_transport transport;
	double prob;                 /* 1.0 unless prob= */

	/* what happens */
	enum fault_action action;
	uint64_t delay_us, jitter_us;
	bool has_ttl, has_negttl, no_soa;
	uint32_t ttl, negttl;
	unsigned n4, n6;
	struct in_addr a4[RULE_MAX_ADDRS];
	struct in6_addr a6[RULE_MAX_ADDRS];

	/* capacity=QPS queue=N overflow=drop|servfail|refused: the queries
	 * this rule matches go through a bounded queue (faultd/capacity.h);
	 * its state lives here, so it starts afresh with a new rule */
	bool has_capacity, has_queue, has_overflow;
	double cap_qps;
	uint32_t cap_queue;
	enum capacity_overflow cap_overflow;
	struct capacity cap;

	enum rule_dnssec dnssec;     /* dnssec=: with action=pass only */

	uint64_t hits;               /* queries this rule decided */
};

/* Parse one rule.  Returns 0 and a new rule (free with rule_free), or
 * DD_EINVAL with err naming the offending term.  Blank text is an error. */
int rule_parse(const char *text, struct rule **out, struct dd_err *err);
void rule_free(struct rule *r);
const char *rule_action_name(enum fault_action a);

struct ruleset;

struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);           /* frees the rules too */
size_t ruleset_count(const struct ruleset *rs);

/* Append (or, with first set, prepend) r; takes ownership and assigns r->id
 * unless r->id is already non-zero.  Returns 0 or DD_ENOMEM (r then freed). */
int ruleset_add(struct ruleset *rs, struct rule *r, bool first);
/* Remove and free the rule with this id; DD_ENOTFOUND if none. */
int ruleset_del(struct ruleset *rs, uint64_t id);
/* Remove every rule (of every origin when origin < 0). */
void ruleset_clear(struct ruleset *rs, int origin);
/* Replace the rules of one origin by the given parsed rules (ownership of
 * the array's rules passes to the set), keeping every other rule and the
 * overall order CLI, FILE, CONTROL. */
int ruleset_replace_origin(struct ruleset *rs, enum rule_origin origin,
    struct rule **rules, size_t n);

/* Rules in order; the array is valid until the next change. */
size_t ruleset_list(const struct ruleset *rs, const struct rule *const **out);

/*
 * The first rule that matches this query from this client over this
 * transport, or NULL.  A prob= rule that matches otherwise draws from rng;
 * when the draw says no, matching goes on with the next rule.  Bumps the
 * winner's hit count.
 */
struct rule *ruleset_match(struct ruleset *rs, const struct dns_query *q,
    const struct sockaddr *client, enum rule_transport transport,
    struct dd_rng *rng);

/* Parse a rules file: one rule per line, '#' comments, blank lines skipped.
 * On error nothing is returned and err says "FILE:LINE: ...". */
int rules_load_file(const char *path, struct rule ***out, size_t *n,
    struct dd_err *err);
void rules_free_array(struct rule **rules, size_t n);

#endif
