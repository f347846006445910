/*
 * rule.c -- parsing the rule language and matching queries against the set.
 *
 * The index: a hash table keyed by lower-case wire name.  Each entry holds
 * two lists (rules with name=NAME, rules with name=*.NAME), each sorted by
 * seq.  A query looks up its own name (exact list) and each proper ancestor
 * (wildcard lists), plus the list of rules without name=, and merges those
 * few sorted lists by seq, testing the other matchers as it goes.  Any
 * change rebuilds the index: O(rules), which is cheap next to the control
 * round trip that caused it.
 */
#include "faultd/rule.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const action_names[ACT__COUNT] = {
	"pass", "empty", "nxdomain", "servfail", "refused", "formerr", "drop",
	"truncate", "answer",
};

const char *
rule_action_name(enum fault_action a)
{
	return (a >= 0 && a < ACT__COUNT) ? action_names[a] : "?";
}

void
rule_free(struct rule *r)
{
	if (r == NULL)
		return;
	free(r->text);
	free(r);
}

static int
parse_u32(const char *v, uint32_t *out)
{
	uint64_t x;
	if (dd_parse_u64(v, &x) < 0 || x > 0x7fffffffu)
		return DD_EINVAL;
	*out = (uint32_t)x;
	return 0;
}

static int
parse_answer(struct rule *r, const char *list, struct dd_err *err)
{
	char buf[1024];
	char *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf) || *list == '\0') {
		dd_err_set(err, "action=answer: needs IP addresses ('answer:198.18.0.1,fd00::1')");
		return DD_EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (r->n4 < RULE_MAX_ADDRS && inet_pton(AF_INET, tok, &r->a4[r->n4]) == 1) {
			r->n4++;
		} else if (r->n6 < RULE_MAX_ADDRS && inet_pton(AF_INET6, tok, &r->a6[r->n6]) == 1) {
			r->n6++;
		} else {
			dd_err_set(err, "action=answer: '%s' is not an IP address (or more than %d of a family)",
			    tok, RULE_MAX_ADDRS);
			return DD_EINVAL;
		}
	}
	return 0;
}

static int
parse_action(struct rule *r, const char *v, struct dd_err *err)
{
	if (strncasecmp(v, "answer:", 7) == 0) {
		r->action = ACT_ANSWER;
		return parse_answer(r, v + 7, err);
	}
	for (int i = 0; i < ACT__COUNT; i++) {
		if (i != ACT_ANSWER && strcasecmp(v, action_names[i]) == 0) {
			r->action = (enum fault_action)i;
			return 0;
		}
	}
	dd_err_set(err, "action=%s: unknown action (pass, empty, nxdomain, servfail, refused, "
	    "formerr, drop, truncate, answer:IP[,IP...])", v);
	return DD_EINVAL;
}

static int
parse_name(struct rule *r, const char *v, struct dd_err *err)
{
	const char *n = v;
	int len;

	if (strncmp(v, "*.", 2) == 0) {
		r->wildcard = true;
		n = v + 2;
	} else if (strcmp(v, "*") == 0) {
		/* every name: same as leaving name= out */
		return 0;
	}
	if (strchr(n, '*') != NULL) {
		dd_err_set(err, "name=%s: '*' is only allowed as the first label ('*.example.com')", v);
		return DD_EINVAL;
	}
	len = dns_name_from_str(n, r->name, sizeof(r->name));
	if (len < 0) {
		dd_err_set(err, "name=%s: not a valid domain name", v);
		return DD_EINVAL;
	}
	dns_name_lower(r->name);
	r->has_name = true;
	return 0;
}

/* One key=value term.  Returns 0 or DD_EINVAL with err set. */
static int
parse_term(struct rule *r, const char *key, const char *v, unsigned *seen,
    struct dd_err *err)
{
	static const char *const keys[] = { "name", "type", "client", "transport",
		"prob", "action", "delay", "jitter", "ttl", "negttl", "soa", "capacity",
		"queue", "overflow", "dnssec" };
	unsigned k;
	uint64_t us;

	for (k = 0; k < DD_ARRAY_LEN(keys); k++)
		if (strcmp(key, keys[k]) == 0)
			break;
	if (k == DD_ARRAY_LEN(keys)) {
		dd_err_set(err, "unknown key '%s' in '%s=%s' (name, type, client, transport, prob, "
		    "action, delay, jitter, ttl, negttl, soa, capacity, queue, overflow, dnssec)", key, key, v);
		return DD_EINVAL;
	}
	if (*seen & (1u << k)) {
		dd_err_set(err, "'%s=%s': key '%s' given twice", key, v, key);
		return DD_EINVAL;
	}
	*seen |= 1u << k;
	if (*v == '\0') {
		dd_err_set(err, "'%s=' has no value", key);
		return DD_EINVAL;
	}
	switch (k) {
	case 0:
		return parse_name(r, v, err);
	case 1:
		r->qtype = dns_type_from_str(v);
		if (r->qtype < 0) {
			dd_err_set(err, "type=%s: unknown query type", v);
			return DD_EINVAL;
		}
		return 0;
	case 2:
		if (dd_cidr_parse(v, &r->client) < 0) {
			dd_err_set(err, "client=%s: not an address or CIDR prefix", v);
			return DD_EINVAL;
		}
		r->has_client = true;
		return 0;
	case 3:
		if (strcasecmp(v, "udp") == 0)
			r->transport = TRANSPORT_UDP;
		else if (strcasecmp(v, "tcp") == 0)
			r->transport = TRANSPORT_TCP;
		else {
			dd_err_set(err, "transport=%s: must be udp or tcp", v);
			return DD_EINVAL;
		}
		return 0;
	case 4:
		if (dd_parse_double(v, &r->prob) < 0 || r->prob < 0 || r->prob > 1) {
			dd_err_set(err, "prob=%s: must be a number from 0 to 1", v);
			return DD_EINVAL;
		}
		return 0;
	case 5:
		return parse_action(r, v, err);
	case 6:
	case 7:
		if (dd_duration_parse(v, &us) < 0 || us > 3600ull * 1000000u) {
			dd_err_set(err, "%s=%s: not a duration up to 1h ('250ms', '2s')", key, v);
			return DD_EINVAL;
		}
		if (k == 6)
			r->delay_us = us;
		else
			r->jitter_us = us;
		return 0;
	case 8:
		if (parse_u32(v, &r->ttl) < 0) {
			dd_err_set(err, "ttl=%s: must be seconds from 0 to 2147483647", v);
			return DD_EINVAL;
		}
		r->has_ttl = true;
		return 0;
	case 9:
		if (parse_u32(v, &r->negttl) < 0) {
			dd_err_set(err, "negttl=%s: must be seconds from 0 to 2147483647", v);
			return DD_EINVAL;
		}
		r->has_negttl = true;
		return 0;
	case 10:
		if (strcasecmp(v, "no") == 0)
			r->no_soa = true;
		else if (strcasecmp(v, "yes") != 0) {
			dd_err_set(err, "soa=%s: must be no (or yes)", v);
			return DD_EINVAL;
		}
		return 0;
	case 11:
		if (dd_parse_double(v, &r->cap_qps) < 0 || !(r->cap_qps > 0) ||
		    r->cap_qps > CAPACITY_QPS_MAX) {
			dd_err_set(err, "capacity=%s: must be queries per second, more than 0 "
			    "and at most %.0f", v, CAPACITY_QPS_MAX);
			return DD_EINVAL;
		}
		r->has_capacity = true;
		return 0;
	case 12:
		if (parse_u32(v, &r->cap_queue) < 0 || r->cap_queue > CAPACITY_QUEUE_MAX) {
			dd_err_set(err, "queue=%s: must be a number of queries from 0 to %u", v,
			    CAPACITY_QUEUE_MAX);
			return DD_EINVAL;
		}
		r->has_queue = true;
		return 0;
	case 13:
		if (capacity_overflow_parse(v, &r->cap_overflow) < 0) {
			dd_err_set(err, "overflow=%s: must be drop, servfail or refused", v);
			return DD_EINVAL;
		}
		r->has_overflow = true;
		return 0;
	case 14:
		for (int d = 1; d < DNSSEC__COUNT; d++)
			if (strcasecmp(v, rule_dnssec_name((enum rule_dnssec)d)) == 0) {
				r->dnssec = (enum rule_dnssec)d;
				return 0;
			}
		dd_err_set(err, "dnssec=%s: must be expired, notyet, badsig, nosig, nodnskey, "
		    "badnsec or badds", v);
		return DD_EINVAL;
	}
	return DD_EINVAL;
}

const char *
rule_dnssec_name(enum rule_dnssec d)
{
	static const char *const names[DNSSEC__COUNT] = { "none", "expired", "notyet",
		"badsig", "nosig", "nodnskey", "badnsec", "badds" };

	return (unsigned)d < DNSSEC__COUNT ? names[d] : "?";
}

int
rule_parse(const char *text, struct rule **out, struct dd_err *err)
{
	struct rule *r;
	char *copy = NULL, *save = NULL, *tok;
	unsigned seen = 0;
	int rc = DD_EINVAL;
	size_t n;

	*out = NULL;
	if (text == NULL) {
		dd_err_set(err, "empty rule");
		return DD_EINVAL;
	}
	r = calloc(1, sizeof(*r));
	copy = strdup(text);
	if (r == NULL || copy == NULL) {
		rc = DD_ENOMEM;
		dd_err_set(err, "out of memory");
		goto fail;
	}
	r->qtype = -1;
	r->prob = 1.0;
	for (tok = strtok_r(copy, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL || eq == tok) {
			dd_err_set(err, "term '%s' is not key=value", tok);
			goto fail;
		}
		*eq = '\0';
		for (char *p = tok; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		/* every message from parse_term names the offending term */
		if (parse_term(r, tok, eq + 1, &seen, err) < 0)
			goto fail;
	}
	if (seen == 0) {
		dd_err_set(err, "empty rule (give at least one key=value term, e.g. action=drop)");
		goto fail;
	}
	if (r->action == ACT_DROP && (r->delay_us || r->jitter_us)) {
		dd_err_set(err, "delay=/jitter=: action=drop sends nothing, so it cannot be delayed");
		goto fail;
	}
	if ((r->has_negttl || r->no_soa) && r->action != ACT_EMPTY &&
	    r->action != ACT_NXDOMAIN && r->action != ACT_ANSWER) {
		dd_err_set(err, "%s: only with action=empty, action=nxdomain or action=answer",
		    r->has_negttl ? "negttl=" : "soa=no");
		goto fail;
	}
	if (r->dnssec != DNSSEC_NONE && r->action != ACT_PASS) {
		dd_err_set(err, "dnssec=%s: only with action=pass (it breaks the zone's own answer)",
		    rule_dnssec_name(r->dnssec));
		goto fail;
	}
	if ((r->has_queue || r->has_overflow) && !r->has_capacity) {
		dd_err_set(err, "%s: only with capacity= (queries per second)",
		    r->has_queue ? "queue=" : "overflow=");
		goto fail;
	}
	if (r->has_capacity && capacity_init(&r->cap, r->cap_qps, r->has_queue ? r->cap_queue :
	    CAPACITY_QUEUE_DEFAULT, r->has_overflow ? r->cap_overflow : CAP_OVERFLOW_DROP) < 0) {
		dd_err_set(err, "capacity=: bad capacity");
		goto fail;
	}
	/* canonical text: the terms as given, single-spaced */
	free(copy);
	copy = NULL;
	n = strlen(text);
	r->text = malloc(n + 1);
	if (r->text == NULL) {
		rc = DD_ENOMEM;
		goto fail;
	}
	{
		size_t o = 0;
		bool space = false;
		for (const char *p = text; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
				space = o > 0;
				continue;
			}
			if (space)
				r->text[o++] = ' ';
			space = false;
			r->text[o++] = *p;
		}
		r->text[o] = '\0';
	}
	*out = r;
	return 0;
fail:
	free(copy);
	rule_free(r);
	return rc;
}

/* ---------------- the indexed set ---------------- */

struct rlist {
	struct rule **v;
	size_t n, cap;
};

struct bucket {
	const uint8_t *key;    /* points into a rule's name */
	uint32_t hash;
	struct rlist exact, wild;
};

struct ruleset {
	struct rule **rules;   /* in seq order */
	size_t n, cap;
	uint64_t next_id;
	int64_t next_seq, min_seq;

	struct bucket *tab;    /* open addressing, power-of-two size */
	size_t tabsize, tabused;
	struct rlist anyname;
};

static uint32_t
name_hash(const uint8_t *w)
{
	uint32_t h = 2166136261u;
	size_t len = dns_name_len(w);
	for (size_t i = 0; i < len; i++) {
		h ^= w[i];
		h *= 16777619u;
	}
	return h;
}

static int
rlist_push(struct rlist *l, struct rule *r)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		struct rule **nv = realloc(l->v, nc * sizeof(*nv));
		if (nv == NULL)
			return DD_ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = r;
	return 0;
}

static void
index_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->tabsize; i++) {
		free(rs->tab[i].exact.v);
		free(rs->tab[i].wild.v);
	}
	free(rs->tab);
	rs->tab = NULL;
	rs->tabsize = rs->tabused = 0;
	free(rs->anyname.v);
	memset(&rs->anyname, 0, sizeof(rs->anyname));
}

static struct bucket *
index_find(const struct ruleset *rs, const uint8_t *name, uint32_t h)
{
	size_t mask = rs->tabsize - 1;
	size_t len = dns_name_len(name);

	if (rs->tabsize == 0)
		return NULL;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct bucket *b = &rs->tab[i];
		if (b->key == NULL)
			return NULL;
		if (b->hash == h && memcmp(b->key, name, len) == 0)
			return b;
	}
}

static int
index_rebuild(struct ruleset *rs)
{
	size_t want = 16;

	index_free(rs);
	while (want < rs->n * 2 + 1)
		want *= 2;
	rs->tab = calloc(want, sizeof(*rs->tab));
	if (rs->tab == NULL)
		return DD_ENOMEM;
	rs->tabsize = want;
	/* rules are in seq order, so every list comes out sorted */
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = rs->rules[i];
		if (!r->has_name) {
			if (rlist_push(&rs->anyname, r) < 0)
				return DD_ENOMEM;
			continue;
		}
		uint32_t h = name_hash(r->name);
		struct bucket *b = index_find(rs, r->name, h);
		if (b == NULL) {
			size_t mask = rs->tabsize - 1, j = h & mask;
			while (rs->tab[j].key != NULL)
				j = (j + 1) & mask;
			b = &rs->tab[j];
			b->key = r->name;
			b->hash = h;
			rs->tabused++;
		}
		if (rlist_push(r->wildcard ? &b->wild : &b->exact, r) < 0)
			return DD_ENOMEM;
	}
	return 0;
}

struct ruleset *
ruleset_new(void)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return NULL;
	rs->next_id = 1;
	if (index_rebuild(rs) < 0) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

void
ruleset_free(struct ruleset *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	index_free(rs);
	free(rs);
}

size_t
ruleset_count(const struct ruleset *rs)
{
	return rs ? rs->n : 0;
}

size_t
ruleset_list(const struct ruleset *rs, const struct rule *const **out)
{
	*out = (const struct rule *const *)rs->rules;
	return rs->n;
}

static int
grow(struct ruleset *rs, size_t extra)
{
	if (rs->n + extra <= rs->cap)
		return 0;
	size_t nc = rs->cap ? rs->cap : 16;
	while (nc < rs->n + extra)
		nc *= 2;
	struct rule **nr = realloc(rs->rules, nc * sizeof(*nr));
	if (nr == NULL)
		return DD_ENOMEM;
	rs->rules = nr;
	rs->cap = nc;
	return 0;
}

int
ruleset_add(struct ruleset *rs, struct rule *r, bool first)
{
	if (grow(rs, 1) < 0) {
		rule_free(r);
		return DD_ENOMEM;
	}
	if (r->id == 0)
		r->id = rs->next_id++;
	else if (r->id >= rs->next_id)
		rs->next_id = r->id + 1;
	if (first) {
		r->seq = --rs->min_seq;
		memmove(rs->rules + 1, rs->rules, rs->n * sizeof(*rs->rules));
		rs->rules[0] = r;
	} else {
		r->seq = rs->next_seq++;
		rs->rules[rs->n] = r;
	}
	rs->n++;
	return index_rebuild(rs);
}

int
ruleset_del(struct ruleset *rs, uint64_t id)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->rules[i]->id != id)
			continue;
		rule_free(rs->rules[i]);
		memmove(rs->rules + i, rs->rules + i + 1, (rs->n - i - 1) * sizeof(*rs->rules));
		rs->n--;
		return index_rebuild(rs);
	}
	return DD_ENOTFOUND;
}

void
ruleset_clear(struct ruleset *rs, int origin)
{
	size_t o = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (origin < 0 || rs->rules[i]->origin == (enum rule_origin)origin)
			rule_free(rs->rules[i]);
		else
			rs->rules[o++] = rs->rules[i];
	}
	rs->n = o;
	(void)index_rebuild(rs);
}

int
ruleset_replace_origin(struct ruleset *rs, enum rule_origin origin,
    struct rule **rules, size_t n)
{
	struct rule **old;
	size_t oldn = rs->n, o = 0;

	old = malloc((oldn + 1) * sizeof(*old));
	if (old == NULL || grow(rs, n) < 0) {
		/* the rules are ours now, the array stays the caller's (it
		 * frees it on every path): free the rules only */
		free(old);
		for (size_t i = 0; i < n; i++)
			rule_free(rules[i]);
		return DD_ENOMEM;
	}
	memcpy(old, rs->rules, oldn * sizeof(*old));
	/* rebuild in the order CLI, FILE, CONTROL; within one origin keep the
	 * current order */
	rs->next_seq = 0;
	rs->min_seq = 0;
	for (int pass = RULE_FROM_CLI; pass <= RULE_FROM_CONTROL; pass++) {
		if ((enum rule_origin)pass == origin) {
			for (size_t i = 0; i < n; i++) {
				rules[i]->origin = origin;
				if (rules[i]->id == 0)
					rules[i]->id = rs->next_id++;
				rules[i]->seq = rs->next_seq++;
				rs->rules[o++] = rules[i];
			}
			continue;
		}
		for (size_t i = 0; i < oldn; i++) {
			if (old[i]->origin != (enum rule_origin)pass)
				continue;
			old[i]->seq = rs->next_seq++;
			rs->rules[o++] = old[i];
		}
	}
	for (size_t i = 0; i < oldn; i++)
		if (old[i]->origin == origin)
			rule_free(old[i]);
	free(old);
	rs->n = o;
	return index_rebuild(rs);
}

static bool
rule_matches_rest(const struct rule *r, const struct dns_query *q,
    const struct sockaddr *client, enum rule_transport transport)
{
	if (r->qtype >= 0 && r->qtype != q->qtype)
		return false;
	if (r->transport != TRANSPORT_ANY && r->transport != transport)
		return false;
	if (r->has_client && !dd_cidr_match(&r->client, client))
		return false;
	return true;
}

#define MAX_LISTS (2 + 128)

struct rule *
ruleset_match(struct ruleset *rs, const struct dns_query *q,
    const struct sockaddr *client, enum rule_transport transport,
    struct dd_rng *rng)
{
	const struct rlist *lists[MAX_LISTS];
	size_t pos[MAX_LISTS];
	size_t nl = 0;
	const uint8_t *p = q->qname;
	bool self = true;

	if (rs->n == 0)
		return NULL;
	if (rs->anyname.n)
		lists[nl++] = &rs->anyname;
	if (rs->tabused) {
		/* the name itself (exact rules) and each proper ancestor
		 * (wildcard rules) */
		while (*p && nl < MAX_LISTS) {
			struct bucket *b = index_find(rs, p, name_hash(p));
			if (b != NULL) {
				if (self && b->exact.n)
					lists[nl++] = &b->exact;
				if (!self && b->wild.n && nl < MAX_LISTS)
					lists[nl++] = &b->wild;
			}
			self = false;
			p += 1 + *p;
		}
		/* the root as an ancestor: name=*. is not expressible, skip;
		 * but the root as the name itself (name=. type=NS) is */
		if (*p == 0 && self) {
			struct bucket *b = index_find(rs, p, name_hash(p));
			if (b != NULL && b->exact.n && nl < MAX_LISTS)
				lists[nl++] = &b->exact;
		}
	}
	memset(pos, 0, nl * sizeof(pos[0]));
	for (;;) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < nl; i++) {
			if (pos[i] >= lists[i]->n)
				continue;
			if (best == SIZE_MAX ||
			    lists[i]->v[pos[i]]->seq < lists[best]->v[pos[best]]->seq)
				best = i;
		}
		if (best == SIZE_MAX)
			return NULL;
		struct rule *r = lists[best]->v[pos[best]++];
		if (!rule_matches_rest(r, q, client, transport))
			continue;
		if (r->prob < 1.0 && !(dd_rng_double(rng) < r->prob))
			continue;
		r->hits++;
		return r;
	}
}

/* ---------------- files ---------------- */

void
rules_free_array(struct rule **rules, size_t n)
{
	if (rules == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		rule_free(rules[i]);
	free(rules);
}

int
rules_load_file(const char *path, struct rule ***out, size_t *nout,
    struct dd_err *err)
{
	FILE *f = fopen(path, "r");
	struct rule **v = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	unsigned lineno = 0;
	int rc = DD_EINVAL;

	*out = NULL;
	*nout = 0;
	if (f == NULL) {
		dd_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		return DD_EINVAL;
	}
	ssize_t got;

	while ((got = getline(&line, &lcap, f)) >= 0) {
		char *s = line, *hash;
		struct rule *r;
		struct dd_err e;

		lineno++;
		/* a NUL would end the rule early: "action=drop\0 name=x" would
		 * drop everything (as on the control socket, ctl.c) */
		if (memchr(line, '\0', (size_t)got) != NULL) {
			dd_err_set(err, "%s:%u: the line contains a NUL byte", path, lineno);
			goto fail;
		}
		if ((hash = strchr(s, '#')) != NULL)
			*hash = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '\n' || *s == '\r')
			continue;
		if (rule_parse(s, &r, &e) < 0) {
			dd_err_set(err, "%s:%u: %s", path, lineno, e.msg);
			goto fail;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct rule **nv = realloc(v, nc * sizeof(*nv));
			if (nv == NULL) {
				rule_free(r);
				dd_err_set(err, "%s:%u: out of memory", path, lineno);
				rc = DD_ENOMEM;
				goto fail;
			}
			v = nv;
			cap = nc;
		}
		r->origin = RULE_FROM_FILE;
		v[n++] = r;
	}
	if (ferror(f)) {
		dd_err_set(err, "%s: read error", path);
		goto fail;
	}
	free(line);
	fclose(f);
	*out = v;
	*nout = n;
	return 0;
fail:
	free(line);
	fclose(f);
	rules_free_array(v, n);
	return rc;
}
