/*
 * zone.c -- faultd's authoritative data.
 *
 * zone_file.c reads a file into ldns records with their line numbers; here
 * they are turned into our own lookup structure: per zone an
 * open-addressing hash of lower-case wire owner names to nodes, each node
 * holding its RRsets as ready-to-copy wire (TTL, RDLENGTH, RDATA).  Every
 * ancestor of an owner up to the apex is a node too (empty non-terminals),
 * and each node knows the topmost delegation at or above it, so answering is
 * a handful of hash probes and memcpys, never a scan.
 *
 * Answers are written with the dnswire writer.  Owner names are compressed
 * against names already in the message (the question, NS and CNAME targets);
 * RDATA is left uncompressed.
 *
 * A small direct-mapped cache keeps whole replies per (zone, qname, qtype,
 * qclass, EDNS, DO).  A hit is a memcpy plus patching the ID, the opcode, RD
 * and CD bits and the question bytes from the query, so the client's ID and
 * 0x20 case come back.  The zoneset is otherwise immutable, so the cache is
 * never stale; it makes zone_answer() unsafe to call on one zoneset from two
 * threads at once.
 */
#include "faultd/zone.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "faultd/zone_sign.h"

#define ZONE_MAX_CNAME      8
#define ZONE_EDNS_SIZE      1232
#define ZC_DEFAULT_SLOTS    4096
#define ZC_MAX_REPLY        2048    /* larger replies are not cached */
#define COMP_MAX            48

/* ---- data ---- */

struct rrset {
	uint16_t type;
	uint16_t count;
	uint8_t *data;      /* count x [TTL u32][RDLENGTH u16][RDATA] */
	size_t len, cap;
};

struct node {
	uint8_t *name;      /* lower-case wire */
	uint8_t name_len;
	bool deleg;         /* NS below the apex: a zone cut */
	uint64_t hash;
	struct rrset *sets;
	size_t nsets;
	const struct node *cut; /* topmost delegation at or above, or NULL */
};

struct zone {
	uint8_t origin[DNS_MAX_NAME];
	uint8_t origin_len;
	uint64_t origin_hash;
	char *file;
	int soa_line;
	struct node **tab;
	size_t mask, nnodes;
	struct node *apex;
	const uint8_t *soa_rdata;
	uint16_t soa_rdlen;
	uint32_t soa_ttl, soa_min;
	struct zsign *sign;     /* DNSSEC: zone_sign.c; NULL when unsigned */
};

struct zc_entry {
	const struct zone *z;
	uint64_t hash;
	uint16_t qtype, qclass;
	uint8_t edns;       /* bit 0: had OPT, bit 1: DO */
	uint8_t qname_len;
	uint8_t qname[DNS_MAX_NAME];
	uint16_t len;       /* 0: empty slot */
	uint8_t *wire;
};

struct zcache {
	struct zc_entry *slots;
	size_t mask;        /* slots - 1 */
	uint64_t hits, misses;
};

struct zoneset {
	struct zone **zones;
	size_t n;
	struct zone **otab; /* zones by origin */
	size_t omask;
	struct zcache *cache; /* written by zone_answer(): see the top */
	/* --sign: the keys a zone is signed with, at load and after every
	 * live change (zone_from_recs); the daemon's, outliving the set */
	const struct zsign_conf *sign_conf;
};

/* ---- small helpers ---- */

static uint64_t
name_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static inline uint8_t
lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Wire names compared ignoring ASCII case (label lengths are < 'A'). */
static bool
name_eq_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lc(a[i]) != lc(b[i]))
			return false;
	return true;
}

static const struct node *
zone_lookup(const struct zone *z, const uint8_t *name, size_t len)
{
	uint64_t h = name_hash(name, len);

	for (size_t i = h & z->mask;; i = (i + 1) & z->mask) {
		const struct node *n = z->tab[i];
		if (n == NULL)
			return NULL;
		if (n->hash == h && n->name_len == len && memcmp(n->name, name, len) == 0)
			return n;
	}
}

static const struct rrset *
node_find(const struct node *n, uint16_t type)
{
	for (size_t i = 0; i < n->nsets; i++)
		if (n->sets[i].type == type)
			return &n->sets[i];
	return NULL;
}

/* ---- freeing ---- */

void
zone_free(struct zone *z)
{
	if (z == NULL)
		return;
	if (z->tab != NULL) {
		for (size_t i = 0; i <= z->mask; i++) {
			struct node *n = z->tab[i];
			if (n == NULL)
				continue;
			for (size_t j = 0; j < n->nsets; j++)
				free(n->sets[j].data);
			free(n->sets);
			free(n->name);
			free(n);
		}
		free(z->tab);
	}
	free(z->file);
	zsign_free(z->sign);
	free(z);
}

static void
zcache_free(struct zcache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; c->slots != NULL && i <= c->mask; i++)
		free(c->slots[i].wire);
	free(c->slots);
	free(c);
}

void
zoneset_free(struct zoneset *zs)
{
	if (zs == NULL)
		return;
	for (size_t i = 0; i < zs->n; i++)
		zone_free(zs->zones[i]);
	free(zs->zones);
	free(zs->otab);
	zcache_free(zs->cache);
	free(zs);
}

/* ---- building a zone's nodes ---- */

static int
zone_grow(struct zone *z)
{
	size_t nsize = (z->mask + 1) * 2;
	struct node **nt = calloc(nsize, sizeof(*nt));

	if (nt == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i <= z->mask; i++) {
		struct node *n = z->tab[i];
		if (n == NULL)
			continue;
		size_t j = n->hash & (nsize - 1);
		while (nt[j] != NULL)
			j = (j + 1) & (nsize - 1);
		nt[j] = n;
	}
	free(z->tab);
	z->tab = nt;
	z->mask = nsize - 1;
	return 0;
}

/* The node for name (lower-case wire), created with all its ancestors up to
 * the apex when missing.  name must be at or below the origin. */
static struct node *
zone_node(struct zone *z, const uint8_t *name, size_t len)
{
	struct node *n;
	uint64_t h;
	size_t i;

	n = (struct node *)(uintptr_t)zone_lookup(z, name, len);
	if (n != NULL)
		return n;
	if ((z->nnodes + 1) * 2 > z->mask + 1 && zone_grow(z) < 0)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	if ((n->name = malloc(len)) == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->name, name, len);
	n->name_len = (uint8_t)len;
	n->hash = h = name_hash(name, len);
	for (i = h & z->mask; z->tab[i] != NULL; i = (i + 1) & z->mask)
		;
	z->tab[i] = n;
	z->nnodes++;
	if (len > z->origin_len &&
	    zone_node(z, name + 1 + name[0], len - 1 - name[0]) == NULL)
		return NULL;
	return n;
}

static int
rrset_add(struct node *n, uint16_t type, uint32_t ttl, const uint8_t *rd,
    size_t rdlen)
{
	struct rrset *rs = (struct rrset *)(uintptr_t)node_find(n, type);
	size_t need = 6 + rdlen;

	if (rs == NULL) {
		struct rrset *ns = realloc(n->sets, (n->nsets + 1) * sizeof(*ns));
		if (ns == NULL)
			return DD_ENOMEM;
		n->sets = ns;
		rs = &ns[n->nsets++];
		memset(rs, 0, sizeof(*rs));
		rs->type = type;
	} else {
		/* an RRset is a set: drop exact duplicates */
		for (size_t off = 0; off < rs->len;) {
			uint16_t l = dns_get16(rs->data + off + 4);
			if (l == rdlen && memcmp(rs->data + off + 6, rd, rdlen) == 0)
				return 0;
			off += 6 + l;
		}
	}
	if (rs->len + need > rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 64;
		while (ncap < rs->len + need)
			ncap *= 2;
		uint8_t *nd = realloc(rs->data, ncap);
		if (nd == NULL)
			return DD_ENOMEM;
		rs->data = nd;
		rs->cap = ncap;
	}
	dns_put32(rs->data + rs->len, ttl);
	dns_put16(rs->data + rs->len + 4, (uint16_t)rdlen);
	memcpy(rs->data + rs->len + 6, rd, rdlen);
	rs->len += need;
	rs->count++;
	return 0;
}

static const char *
rdf_str(const ldns_rdf *d, char *buf, size_t len)
{
	char *s = ldns_rdf2str(d);

	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

/* Nearest delegation at or above each node; the topmost one wins. */
static void
zone_mark_cuts(struct zone *z)
{
	for (size_t i = 0; i <= z->mask; i++) {
		struct node *n = z->tab[i];
		if (n != NULL)
			n->deleg = n != z->apex && node_find(n, DNS_T_NS) != NULL;
	}
	for (size_t i = 0; i <= z->mask; i++) {
		struct node *n = z->tab[i];
		if (n == NULL)
			continue;
		const uint8_t *p = n->name;
		size_t len = n->name_len;
		while (len > z->origin_len) {
			const struct node *a = zone_lookup(z, p, len);
			if (a != NULL && a->deleg)
				n->cut = a;
			len -= 1u + p[0];
			p += 1 + p[0];
		}
	}
}

/* RFC 1034 3.6.2: a CNAME stands alone (DNSSEC records aside). */
static bool
cname_conflict(const struct node *n, uint16_t type)
{
	bool has_cname = node_find(n, DNS_T_CNAME) != NULL;

	if (type == 46 || type == 47)   /* RRSIG, NSEC */
		return false;
	if (type == DNS_T_CNAME) {
		for (size_t i = 0; i < n->nsets; i++)
			if (n->sets[i].type != DNS_T_CNAME &&
			    n->sets[i].type != 46 && n->sets[i].type != 47)
				return true;
		return false;
	}
	return has_cname;
}

/*
 * ldns appends $ORIGIN to relative names without enforcing RFC 1035's 255
 * octets, and everything below copies names into DNS_MAX_NAME buffers: refuse
 * an owner or a domain name in RDATA that is longer, naming its line.
 */
static int
rr_names_check(const ldns_rr *rr, const char *file, int line, struct dd_err *err)
{
	const ldns_rdf *ow = ldns_rr_owner(rr);

	if (ow == NULL || ldns_rdf_size(ow) > DNS_MAX_NAME) {
		dd_err_set(err, "%s:%d: the owner name is longer than %d octets",
		    file, line, DNS_MAX_NAME);
		return DD_EINVAL;
	}
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *d = ldns_rr_rdf(rr, i);
		if (d != NULL && ldns_rdf_get_type(d) == LDNS_RDF_TYPE_DNAME &&
		    ldns_rdf_size(d) > DNS_MAX_NAME) {
			dd_err_set(err, "%s:%d: a name in the record's data is "
			    "longer than %d octets", file, line, DNS_MAX_NAME);
			return DD_EINVAL;
		}
	}
	return 0;
}

struct zbuild {
	const char *file;
	struct zone_rec *recs;
	size_t nrecs;
	struct dd_err *err;
};

static int
zone_build(struct zbuild *zp, struct zone **out)
{
	struct zone *z = calloc(1, sizeof(*z));
	const struct zone_rec *soa = NULL;
	ldns_buffer *b = ldns_buffer_new(1024);
	uint8_t name[DNS_MAX_NAME];
	char s1[300], s2[300];
	int rc = DD_ENOMEM;

	if (z == NULL || b == NULL || (z->file = strdup(zp->file)) == NULL)
		goto fail;
	if ((z->tab = calloc(64, sizeof(*z->tab))) == NULL)
		goto fail;
	z->mask = 63;
	rc = DD_EINVAL;
	/* first, so that every copy of an owner below fits its buffer */
	for (size_t i = 0; i < zp->nrecs; i++)
		if (rr_names_check(zp->recs[i].rr, zp->file, zp->recs[i].line,
		    zp->err) < 0)
			goto fail;
	for (size_t i = 0; i < zp->nrecs; i++) {
		if (ldns_rr_get_type(zp->recs[i].rr) != LDNS_RR_TYPE_SOA)
			continue;
		if (soa != NULL) {
			dd_err_set(zp->err, "%s:%d: second SOA record (the first "
			    "is at line %d)", zp->file, zp->recs[i].line, soa->line);
			goto fail;
		}
		soa = &zp->recs[i];
	}
	if (soa == NULL) {
		dd_err_set(zp->err, "%s:1: no SOA record (a zone file needs one, "
		    "at its origin)", zp->file);
		goto fail;
	}
	if (ldns_rr_rd_count(soa->rr) != 7) {
		dd_err_set(zp->err, "%s:%d: malformed SOA", zp->file, soa->line);
		goto fail;
	}
	const ldns_rdf *o = ldns_rr_owner(soa->rr);
	if (ldns_rdf_size(o) > sizeof(z->origin))
		goto fail;      /* rr_names_check refused it already */
	memcpy(z->origin, ldns_rdf_data(o), ldns_rdf_size(o));
	z->origin_len = (uint8_t)ldns_rdf_size(o);
	dns_name_lower(z->origin);
	z->origin_hash = name_hash(z->origin, z->origin_len);
	z->soa_line = soa->line;
	rc = DD_ENOMEM;
	if ((z->apex = zone_node(z, z->origin, z->origin_len)) == NULL)
		goto fail;

	for (size_t i = 0; i < zp->nrecs; i++) {
		const ldns_rr *rr = zp->recs[i].rr;
		const ldns_rdf *ow = ldns_rr_owner(rr);
		uint16_t type = (uint16_t)ldns_rr_get_type(rr);
		int line = zp->recs[i].line;
		struct node *n;

		rc = DD_EINVAL;
		if (ldns_rdf_size(ow) > sizeof(name))
			goto fail;      /* rr_names_check refused it already */
		memcpy(name, ldns_rdf_data(ow), ldns_rdf_size(ow));
		dns_name_lower(name);
		if (!dns_name_is_sub(name, z->origin)) {
			dd_err_set(zp->err, "%s:%d: %s is outside the zone %s",
			    zp->file, line, rdf_str(ow, s1, sizeof(s1)),
			    rdf_str(o, s2, sizeof(s2)));
			goto fail;
		}
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
			dd_err_set(zp->err, "%s:%d: only class IN is supported",
			    zp->file, line);
			goto fail;
		}
		rc = DD_ENOMEM;
		if ((n = zone_node(z, name, ldns_rdf_size(ow))) == NULL)
			goto fail;
		rc = DD_EINVAL;
		if (cname_conflict(n, type)) {
			dd_err_set(zp->err, "%s:%d: %s has a CNAME and other data",
			    zp->file, line, rdf_str(ow, s1, sizeof(s1)));
			goto fail;
		}
		const struct rrset *cn = node_find(n, DNS_T_CNAME);
		ldns_buffer_clear(b);
		if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK ||
		    ldns_buffer_position(b) > 65535) {
			dd_err_set(zp->err, "%s:%d: cannot encode the record",
			    zp->file, line);
			goto fail;
		}
		if (type == DNS_T_CNAME && cn != NULL && cn->count == 1 &&
		    (dns_get16(cn->data + 4) != ldns_buffer_position(b) ||
		    memcmp(cn->data + 6, ldns_buffer_begin(b), ldns_buffer_position(b)) != 0)) {
			dd_err_set(zp->err, "%s:%d: %s has more than one CNAME",
			    zp->file, line, rdf_str(ow, s1, sizeof(s1)));
			goto fail;
		}
		rc = rrset_add(n, type, ldns_rr_ttl(rr), ldns_buffer_begin(b),
		    ldns_buffer_position(b));
		if (rc < 0)
			goto fail;
	}
	const struct rrset *srs = node_find(z->apex, DNS_T_SOA);
	z->soa_ttl = dns_get32(srs->data);
	z->soa_rdlen = dns_get16(srs->data + 4);
	z->soa_rdata = srs->data + 6;
	z->soa_min = dns_get32(z->soa_rdata + z->soa_rdlen - 4);
	zone_mark_cuts(z);
	ldns_buffer_free(b);
	*out = z;
	return 0;
fail:
	if (rc == DD_ENOMEM)
		dd_err_set(zp->err, "%s: out of memory", zp->file);
	ldns_buffer_free(b);
	zone_free(z);
	return rc;
}

static const struct zone *
origin_lookup(const struct zoneset *zs, const uint8_t *name, size_t len)
{
	uint64_t h;

	if (zs->otab == NULL)
		return NULL;
	h = name_hash(name, len);
	for (size_t i = h & zs->omask;; i = (i + 1) & zs->omask) {
		const struct zone *z = zs->otab[i];
		if (z == NULL)
			return NULL;
		if (z->origin_hash == h && z->origin_len == len &&
		    memcmp(z->origin, name, len) == 0)
			return z;
	}
}

static int zone_sign_recs(const struct zsign_conf *sc, struct zbuild *zp,
    struct zsign **sig);

/* The records the signer adds itself (the apex DNSKEY and NSEC3PARAM of
 * the zone as it stood) and signatures: left out when signing anew. */
static bool
signer_made(const struct zone_rec *r)
{
	ldns_rr_type t = ldns_rr_get_type(r->rr);

	return t == LDNS_RR_TYPE_DNSKEY || t == LDNS_RR_TYPE_NSEC3PARAMS ||
	    t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3;
}

/* zone_from_recs for a zone of a set that signs it: the records (not the
 * signer's own) signed with the set's keys, as at load. */
static int
from_recs_signed(const struct zoneset *zs, struct zbuild *zp, struct zone **out)
{
	struct zone_rec *mine;
	struct zsign *sig = NULL;
	size_t n = 0, own;
	int rc;

	if ((mine = calloc(zp->nrecs + 1, sizeof(*mine))) == NULL) {
		dd_err_set(zp->err, "%s: out of memory", zp->file);
		return DD_ENOMEM;
	}
	for (size_t i = 0; i < zp->nrecs; i++)
		if (!signer_made(&zp->recs[i]))
			mine[n++] = zp->recs[i];     /* still the caller's */
	own = n;
	zp->recs = mine;
	zp->nrecs = n;
	rc = zone_sign_recs(zs->sign_conf, zp, &sig);
	if (rc == 0)
		rc = zone_build(zp, out);
	/* what the signer added is ours; the rest the caller's */
	for (size_t i = own; i < zp->nrecs; i++)
		ldns_rr_free(zp->recs[i].rr);
	free(zp->recs);
	if (rc < 0) {
		zsign_free(sig);
		return rc;
	}
	(*out)->sign = sig;
	return 0;
}

int
zone_from_recs(const struct zoneset *zs, const char *label, const char *file,
    struct zone_rec *recs, size_t nrecs, struct zone **out, struct dd_err *err)
{
	struct zbuild zp = { .file = label, .recs = recs, .nrecs = nrecs, .err = err };
	char *f;
	int rc;

	*out = NULL;
	if (zs != NULL && zs->sign_conf != NULL)
		rc = from_recs_signed(zs, &zp, out);
	else
		rc = zone_build(&zp, out);
	if (rc < 0)
		return rc;
	if (file != NULL) {
		if ((f = strdup(file)) == NULL) {
			zone_free(*out);
			*out = NULL;
			dd_err_set(err, "%s: out of memory", label);
			return DD_ENOMEM;
		}
		free((*out)->file);
		(*out)->file = f;
	}
	return 0;
}

const char *
zone_file_name(const struct zone *z)
{
	return z ? z->file : NULL;
}

/* The apex first (its SOA first), then the other nodes in table order. */
int
zone_each_rr(const struct zone *z, zone_rr_cb cb, void *arg)
{
	const struct rrset *soa = node_find(z->apex, DNS_T_SOA);
	int rc;

	for (size_t i = 0; i <= z->mask + 1; i++) {
		const struct node *n = i == 0 ? z->apex : z->tab[i - 1];
		if (n == NULL || (i > 0 && n == z->apex))
			continue;
		for (size_t j = 0; j <= n->nsets; j++) {
			/* j == 0: the SOA at the apex, so it leads */
			const struct rrset *rs = j == 0 ? (n == z->apex ? soa : NULL) :
			    &n->sets[j - 1];
			if (rs == NULL || (j > 0 && rs == soa))
				continue;
			for (size_t off = 0; off < rs->len;) {
				uint16_t l = dns_get16(rs->data + off + 4);
				if ((rc = cb(arg, n->name, rs->type, dns_get32(rs->data + off),
				    rs->data + off + 6, l)) < 0)
					return rc;
				off += 6 + l;
			}
		}
	}
	return 0;
}

struct zone *
zoneset_get(struct zoneset *zs, const uint8_t *origin)
{
	if (zs == NULL || origin == NULL)
		return NULL;
	return (struct zone *)(uintptr_t)origin_lookup(zs, origin, dns_name_len(origin));
}

/* Replies cached for the old zone must not outlive it (a new zone may
 * even be allocated at the same address): every slot is forgotten. */
int
zoneset_swap(struct zoneset *zs, struct zone *nz)
{
	struct zone *old = zoneset_get(zs, nz ? nz->origin : NULL);

	if (old == NULL)
		return DD_EINVAL;
	for (size_t i = 0; i < zs->n; i++)
		if (zs->zones[i] == old)
			zs->zones[i] = nz;
	for (size_t i = 0; i <= zs->omask; i++)
		if (zs->otab[i] == old)
			zs->otab[i] = nz;
	if (zs->cache != NULL && zs->cache->slots != NULL)
		for (size_t i = 0; i <= zs->cache->mask; i++)
			zs->cache->slots[i].len = 0;
	zone_free(old);
	return 0;
}

int
zoneset_cache_set(struct zoneset *zs, size_t slots)
{
	struct zcache *c = NULL;
	size_t n = 1;

	if (zs == NULL)
		return DD_EINVAL;
	if (slots > 0) {
		while (n < slots)
			n <<= 1;
		/* the slots come with the first answer (zc_put): a zoneset
		 * loaded and dropped again (a refused reload) costs no ~1 MiB */
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return DD_ENOMEM;
		c->mask = n - 1;
	}
	zcache_free(zs->cache);
	zs->cache = c;
	return 0;
}

void
zoneset_cache_stats(const struct zoneset *zs, uint64_t *hits, uint64_t *misses)
{
	const struct zcache *c = zs ? zs->cache : NULL;

	if (hits != NULL)
		*hits = c ? c->hits : 0;
	if (misses != NULL)
		*misses = c ? c->misses : 0;
}

int
zoneset_load(struct zoneset **out, const char *const *files, size_t nfiles,
    struct dd_err *err)
{
	return zoneset_load_signed(out, files, nfiles, NULL, err);
}

/* DNSSEC hook: sign the records when the conf lists their origin, adding
 * the apex records (DNSKEY, NSEC3PARAM) to them; zone_sign.c does it all. */
static int
zone_sign_recs(const struct zsign_conf *sc, struct zbuild *zp, struct zsign **sig)
{
	ldns_rr_list *all = ldns_rr_list_new(), *extra = NULL;
	struct zone_rec *nr;
	size_t n;
	int rc;

	*sig = NULL;
	if (all == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < zp->nrecs; i++)
		(void)ldns_rr_list_push_rr(all, zp->recs[i].rr);
	rc = zsign_zone(sc, zp->file, all, &extra, sig, zp->err);
	ldns_rr_list_free(all);     /* not the records: they are zp's */
	if (rc < 0 || extra == NULL)
		return rc;
	n = ldns_rr_list_rr_count(extra);
	if ((nr = realloc(zp->recs, (zp->nrecs + n) * sizeof(*nr))) == NULL) {
		ldns_rr_list_deep_free(extra);
		zsign_free(*sig);
		*sig = NULL;
		return DD_ENOMEM;
	}
	zp->recs = nr;
	for (size_t i = 0; i < n; i++) {
		nr[zp->nrecs].rr = ldns_rr_list_rr(extra, i);
		nr[zp->nrecs++].line = 0;
	}
	ldns_rr_list_free(extra);   /* the records now belong to zp->recs */
	return 0;
}

int
zoneset_load_signed(struct zoneset **out, const char *const *files, size_t nfiles,
    const struct zsign_conf *sc, struct dd_err *err)
{
	struct zoneset *zs;
	size_t osize = 4;
	int rc = DD_ENOMEM;

	if (out == NULL || (files == NULL && nfiles > 0)) {
		dd_err_set(err, "zoneset_load: bad arguments");
		return DD_EINVAL;
	}
	*out = NULL;
	if ((zs = calloc(1, sizeof(*zs))) == NULL)
		goto fail;
	if (nfiles > 0 && (zs->zones = calloc(nfiles, sizeof(*zs->zones))) == NULL)
		goto fail;
	while (osize < nfiles * 2)
		osize <<= 1;
	if ((zs->otab = calloc(osize, sizeof(*zs->otab))) == NULL)
		goto fail;
	zs->omask = osize - 1;
	for (size_t i = 0; i < nfiles; i++) {
		struct zbuild zp = { .file = files[i], .err = err };
		struct zone *z = NULL;
		struct zsign *sig = NULL;
		const struct zone *dup;

		if (files[i] == NULL) {
			dd_err_set(err, "zoneset_load: file %zu is NULL", i);
			rc = DD_EINVAL;
			goto fail;
		}
		rc = zone_file_read(files[i], &zp.recs, &zp.nrecs, err);
		if (rc == 0 && sc != NULL)
			rc = zone_sign_recs(sc, &zp, &sig);
		if (rc == 0)
			rc = zone_build(&zp, &z);
		zone_recs_free(zp.recs, zp.nrecs);
		if (rc < 0) {
			zsign_free(sig);
			goto fail;
		}
		z->sign = sig;
		if ((dup = origin_lookup(zs, z->origin, z->origin_len)) != NULL) {
			char nb[DNS_MAX_NAME * 4 + 1];
			dd_err_set(err, "%s:%d: zone %s is already loaded from %s",
			    z->file, z->soa_line,
			    dns_name_to_str(z->origin, nb, sizeof(nb)), dup->file);
			zone_free(z);
			rc = DD_EINVAL;
			goto fail;
		}
		zs->zones[zs->n++] = z;
		size_t j = z->origin_hash & zs->omask;
		while (zs->otab[j] != NULL)
			j = (j + 1) & zs->omask;
		zs->otab[j] = z;
	}
	if ((rc = zoneset_cache_set(zs, ZC_DEFAULT_SLOTS)) < 0)
		goto fail;
	zs->sign_conf = sc;
	*out = zs;
	return 0;
fail:
	if (rc == DD_ENOMEM && (zs == NULL || zs->otab == NULL || zs->cache == NULL))
		dd_err_set(err, "zoneset_load: out of memory");
	zoneset_free(zs);
	return rc == DD_ENOMEM ? DD_ENOMEM : DD_EINVAL;
}

size_t
zoneset_count(const struct zoneset *zs)
{
	return zs ? zs->n : 0;
}

const struct zone *
zoneset_find(const struct zoneset *zs, const uint8_t *qname)
{
	size_t len;

	if (zs == NULL || qname == NULL || zs->n == 0)
		return NULL;
	len = dns_name_len(qname);
	for (const uint8_t *p = qname;; ) {
		const struct zone *z = origin_lookup(zs, p, len);
		if (z != NULL)
			return z;
		if (*p == 0)
			return NULL;
		len -= 1u + *p;
		p += 1 + *p;
	}
}

const uint8_t *
zone_origin(const struct zone *z)
{
	return z ? z->origin : NULL;
}

const struct zsign *
zone_signer(const struct zone *z)
{
	return z ? z->sign : NULL;
}

void
zone_get_soa(const struct zone *z, struct zone_soa *soa)
{
	soa->owner = z->origin;
	soa->rdata = z->soa_rdata;
	soa->rdlen = z->soa_rdlen;
	soa->ttl = z->soa_ttl;
	soa->minimum = z->soa_min;
}

/* ---- answering ---- */

/* A name already in the message that later names can point to. */
struct comp {
	const uint8_t *name;    /* wire, any case, uncompressed */
	uint8_t len;
	uint16_t off;
};

struct ans {
	struct dns_writer w;
	const struct zoneset *zs;
	uint16_t qtype;
	uint16_t an, ns, ar;
	bool aa;
	unsigned rcode;
	bool dnssec;            /* DO: signed zones add RRSIGs and proofs */
	const struct zone *wild_z;  /* an answer from a wildcard: its proof */
	uint8_t wild_name[DNS_MAX_NAME];
	/* the proof records written so far: one NSEC may prove two things
	 * (a wildcard NODATA: the name's absence and the type's), and a
	 * record goes into a section once (RFC 2181 5) */
	const struct zsign_rr *proved[2 * ZSIGN_DENY_MAX];
	size_t n_proved;
	struct comp comp[COMP_MAX];
	int ncomp;
};

/* Register name (uncompressed, written at off) and its suffixes. */
static void
comp_add(struct ans *a, const uint8_t *name, size_t off)
{
	size_t len = dns_name_len(name);

	while (*name != 0 && off < 0x4000 && a->ncomp < COMP_MAX) {
		a->comp[a->ncomp].name = name;
		a->comp[a->ncomp].len = (uint8_t)len;
		a->comp[a->ncomp].off = (uint16_t)off;
		a->ncomp++;
		off += 1u + *name;
		len -= 1u + *name;
		name += 1 + *name;
	}
}

static int
comp_find(const struct ans *a, const uint8_t *name, size_t len)
{
	for (int i = 0; i < a->ncomp; i++)
		if (a->comp[i].len == len && name_eq_ci(a->comp[i].name, name, len))
			return a->comp[i].off;
	return -1;
}

/* Write an owner name, pointing at the longest suffix already present. */
static void
put_name(struct ans *a, const uint8_t *name)
{
	const uint8_t *p = name;
	size_t len = dns_name_len(name);
	size_t start = a->w.len;

	while (*p != 0) {
		int off = comp_find(a, p, len);
		if (off >= 0) {
			dns_w_bytes(&a->w, name, (size_t)(p - name));
			dns_w_u16(&a->w, (uint16_t)(0xc000u | (unsigned)off));
			goto registered;
		}
		len -= 1u + *p;
		p += 1 + *p;
	}
	dns_w_bytes(&a->w, name, dns_name_len(name));
registered:
	/* the labels written in full can be pointed at too, but only when
	 * the name ends in them, so register just a fully written name */
	if (p == name + dns_name_len(name) - 1 && !a->w.overflow)
		comp_add(a, name, start);
}

static void
put_rr(struct ans *a, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rd, uint16_t rdlen, uint16_t *count)
{
	put_name(a, owner);
	dns_w_u16(&a->w, type);
	dns_w_u16(&a->w, DNS_C_IN);
	dns_w_u32(&a->w, ttl);
	dns_w_u16(&a->w, rdlen);
	if ((type == DNS_T_NS || type == DNS_T_CNAME) && !a->w.overflow)
		comp_add(a, rd, a->w.len);
	dns_w_bytes(&a->w, rd, rdlen);
	(*count)++;
}

static void
put_rrset(struct ans *a, const uint8_t *owner, const struct rrset *rs,
    uint16_t *count)
{
	for (size_t off = 0; off < rs->len;) {
		uint16_t l = dns_get16(rs->data + off + 4);
		put_rr(a, owner, rs->type, dns_get32(rs->data + off),
		    rs->data + off + 6, l, count);
		off += 6 + l;
	}
}

static void
put_neg_soa(struct ans *a, const struct zone *z)
{
	uint32_t ttl = z->soa_ttl < z->soa_min ? z->soa_ttl : z->soa_min;

	put_rr(a, z->origin, DNS_T_SOA, ttl, z->soa_rdata, z->soa_rdlen, &a->ns);
}

/* In-zone A/AAAA for the targets of an NS RRset, into additional. */
static void
put_glue(struct ans *a, const struct zone *z, const struct rrset *ns)
{
	uint8_t t[DNS_MAX_NAME];

	for (size_t off = 0; off < ns->len;) {
		uint16_t l = dns_get16(ns->data + off + 4);
		const struct node *n;
		const uint8_t *target = ns->data + off + 6;
		const struct rrset *rs;
		off += 6 + l;
		if (l > sizeof(t))
			continue;       /* refused at load; never past t */
		memcpy(t, target, l);
		dns_name_lower(t);
		if (!dns_name_is_sub(t, z->origin) ||
		    (n = zone_lookup(z, t, l)) == NULL)
			continue;
		/* owner from the zone data, not t: put_name may remember it */
		if ((rs = node_find(n, DNS_T_A)) != NULL)
			put_rrset(a, target, rs, &a->ar);
		if ((rs = node_find(n, DNS_T_AAAA)) != NULL)
			put_rrset(a, target, rs, &a->ar);
	}
}

/* ---- DNSSEC hooks: the records come from zone_sign.c ---- */

/* The RRSIGs over (name, type), written with owner (a wildcard's answer is
 * signed at *.name but owned by the query name). */
static void
put_sigs(struct ans *a, const struct zone *z, const uint8_t *name,
    const uint8_t *owner, uint16_t type, uint16_t *count)
{
	const struct zsign_rr *r;
	size_t n;

	if (!a->dnssec || z->sign == NULL)
		return;
	n = zsign_sigs(z->sign, name, type, &r);
	for (size_t i = 0; i < n; i++)
		put_rr(a, owner, 46 /* RRSIG */, r[i].ttl, r[i].rdata, r[i].rdlen, count);
}

/* NSEC/NSEC3 records proving kind for name, with their RRSIGs, into
 * authority. */
static void
put_denial(struct ans *a, const struct zone *z, enum zsign_deny kind,
    const uint8_t *name)
{
	const struct zsign_rr *r[ZSIGN_DENY_MAX];
	size_t n;

	if (!a->dnssec || z->sign == NULL)
		return;
	n = zsign_denial(z->sign, kind, name, r);
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < a->n_proved && !dup; k++)
			dup = a->proved[k] == r[i];
		if (dup)
			continue;
		if (a->n_proved < sizeof(a->proved) / sizeof(a->proved[0]))
			a->proved[a->n_proved++] = r[i];
		put_rr(a, r[i]->owner, r[i]->type, r[i]->ttl, r[i]->rdata, r[i]->rdlen,
		    &a->ns);
	}
}

/* The proof for an answer from a wildcard goes into authority, after the
 * whole answer (a CNAME chain may go on past it). */
static void
flush_wild(struct ans *a)
{
	if (a->wild_z != NULL)
		put_denial(a, a->wild_z, ZSIGN_WILDCARD, a->wild_name);
	a->wild_z = NULL;
}

static void
put_neg_signed(struct ans *a, const struct zone *z, enum zsign_deny kind,
    const uint8_t *name)
{
	flush_wild(a);
	put_neg_soa(a, z);
	put_sigs(a, z, z->origin, z->origin, DNS_T_SOA, &a->ns);
	put_denial(a, z, kind, name);
}

enum hit { HIT_EXACT, HIT_WILDCARD, HIT_REFERRAL, HIT_NXDOMAIN };

static enum hit
find_name(const struct zone *z, const uint8_t *name, size_t len, uint16_t qtype,
    const struct node **np)
{
	const struct node *n = zone_lookup(z, name, len), *ce;
	uint8_t wc[DNS_MAX_NAME + 2];
	const uint8_t *p = name;

	if (n != NULL) {
		if (n->cut != NULL && !(n->cut == n && qtype == 43 /* DS */)) {
			*np = n->cut;
			return HIT_REFERRAL;
		}
		*np = n;
		return HIT_EXACT;
	}
	/* the closest encloser: the apex at worst (name is in the zone) */
	do {
		len -= 1u + *p;
		p += 1 + *p;
		ce = zone_lookup(z, p, len);
	} while (ce == NULL && len > z->origin_len);
	if (ce == NULL)
		return HIT_NXDOMAIN;
	if (ce->cut != NULL) {
		*np = ce->cut;
		return HIT_REFERRAL;
	}
	/* RFC 4592: the source of synthesis is *.<closest encloser> */
	if (len + 2 <= DNS_MAX_NAME) {
		wc[0] = 1;
		wc[1] = '*';
		memcpy(wc + 2, p, len);
		if ((n = zone_lookup(z, wc, len + 2)) != NULL) {
			*np = n;
			return HIT_WILDCARD;
		}
	}
	return HIT_NXDOMAIN;
}

static void
resolve(struct ans *a, const struct zone *z, const uint8_t *qname)
{
	uint8_t t[DNS_MAX_NAME];
	const uint8_t *name = qname;    /* lower case, for lookups */
	const uint8_t *owner = qname;   /* what we write; outlives the answer */
	const struct node *n = NULL;
	int chain = 0;

	for (;;) {
		size_t len = dns_name_len(name);
		const struct rrset *rs;
		enum hit hit = find_name(z, name, len, a->qtype, &n);

		switch (hit) {
		case HIT_REFERRAL:
			if (chain == 0) {
				/* not ours: point at the child's servers */
				a->aa = false;
				rs = node_find(n, DNS_T_NS);
				put_rrset(a, n->name, rs, &a->ns);
				/* DNSSEC: the signed DS, or the proof there is none */
				const struct rrset *ds = node_find(n, 43 /* DS */);
				if (a->dnssec && z->sign != NULL && ds != NULL) {
					put_rrset(a, n->name, ds, &a->ns);
					put_sigs(a, z, n->name, n->name, 43, &a->ns);
				} else {
					put_denial(a, z, ZSIGN_REFERRAL, n->name);
				}
				put_glue(a, z, rs);
			}
			return;
		case HIT_NXDOMAIN:
			a->rcode = DNS_RCODE_NXDOMAIN;
			put_neg_signed(a, z, ZSIGN_NXDOMAIN, name);
			return;
		case HIT_EXACT:
		case HIT_WILDCARD:
			break;
		}
		if (hit == HIT_WILDCARD && a->dnssec && z->sign != NULL &&
		    a->wild_z == NULL) {
			a->wild_z = z;
			memcpy(a->wild_name, name, len);
		}
		/* n is the node, or the wildcard standing in for name */
		if (a->qtype == DNS_T_ANY && n->nsets > 0) {
			for (size_t i = 0; i < n->nsets; i++) {
				put_rrset(a, owner, &n->sets[i], &a->an);
				put_sigs(a, z, n->name, owner, n->sets[i].type, &a->an);
			}
			return;
		}
		if (a->qtype != DNS_T_ANY && (rs = node_find(n, a->qtype)) != NULL) {
			put_rrset(a, owner, rs, &a->an);
			put_sigs(a, z, n->name, owner, rs->type, &a->an);
			if (a->qtype == DNS_T_NS) {
				flush_wild(a);
				put_glue(a, z, rs);
			}
			return;
		}
		if (a->qtype != DNS_T_ANY && (rs = node_find(n, DNS_T_CNAME)) != NULL) {
			uint16_t l = dns_get16(rs->data + 4);
			put_rrset(a, owner, rs, &a->an);
			put_sigs(a, z, n->name, owner, DNS_T_CNAME, &a->an);
			if (++chain >= ZONE_MAX_CNAME)
				return;
			owner = rs->data + 6;
			if (l > sizeof(t))
				return;         /* refused at load; never past t */
			memcpy(t, owner, l);
			dns_name_lower(t);
			if ((z = zoneset_find(a->zs, t)) == NULL)
				return;         /* out of our data: the CNAME alone */
			name = t;
			continue;
		}
		/* NODATA, empty non-terminals too */
		put_neg_signed(a, z, hit == HIT_WILDCARD ? ZSIGN_WILDCARD_NODATA :
		    ZSIGN_NODATA, name);
		return;
	}
}

static uint64_t
zc_key(const struct zone *z, const struct dns_query *q, uint8_t edns)
{
	uint64_t h = name_hash(q->qname, q->qname_len);

	h ^= (uint64_t)(uintptr_t)z * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)q->qtype << 24 | (uint64_t)q->qclass << 8 | edns) *
	    0xff51afd7ed558ccdull;
	return h ^ (h >> 31);
}

/* Copy the reply for the same question, patched for this query. */
static int
zc_get(struct zcache *c, const struct zone *z, const uint8_t *query,
    const struct dns_query *q, uint8_t edns, uint64_t h, uint8_t *out,
    size_t outcap, size_t *outlen)
{
	const struct zc_entry *e;
	const uint16_t keep = 0x7800u | DNS_RD | DNS_CD;
	uint16_t f;

	if (c->slots == NULL)
		return -1;
	e = &c->slots[h & c->mask];
	if (e->len == 0 || e->hash != h || e->z != z || e->qtype != q->qtype ||
	    e->qclass != q->qclass || e->edns != edns ||
	    e->qname_len != q->qname_len ||
	    memcmp(e->qname, q->qname, q->qname_len) != 0)
		return -1;
	if (e->len > outcap)
		return DD_ENOSPACE;
	memcpy(out, e->wire, e->len);
	dns_put16(out, q->id);
	f = dns_get16(out + 2);
	dns_put16(out + 2, (uint16_t)((f & ~keep) | (q->flags & keep)));
	memcpy(out + DNS_HDR_LEN, query + DNS_HDR_LEN, q->question_end - DNS_HDR_LEN);
	*outlen = e->len;
	c->hits++;
	return 0;
}

static void
zc_put(struct zcache *c, const struct zone *z, const struct dns_query *q,
    uint8_t edns, uint64_t h, const uint8_t *wire, size_t len)
{
	struct zc_entry *e;

	if (len > ZC_MAX_REPLY)
		return;
	if (c->slots == NULL && (c->slots = calloc(c->mask + 1, sizeof(*c->slots))) == NULL)
		return;     /* no cache, no harm */
	e = &c->slots[h & c->mask];
	if (e->wire == NULL || e->len < len) {
		uint8_t *nw = realloc(e->wire, len);
		if (nw == NULL)
			return;
		e->wire = nw;
	}
	memcpy(e->wire, wire, len);
	e->len = (uint16_t)len;
	e->hash = h;
	e->z = z;
	e->qtype = q->qtype;
	e->qclass = q->qclass;
	e->edns = edns;
	e->qname_len = q->qname_len;
	memcpy(e->qname, q->qname, q->qname_len);
}

int
zone_answer(const struct zoneset *zs, const struct zone *z,
    const uint8_t *query, const struct dns_query *q, uint8_t *out,
    size_t outcap, size_t *outlen)
{
	struct ans a;
	struct zcache *c;
	bool plain;
	uint8_t edns;
	uint64_t h = 0;
	int rc;

	if (zs == NULL || z == NULL || query == NULL || q == NULL || out == NULL ||
	    outlen == NULL || q->question_end < DNS_HDR_LEN ||
	    !dns_name_is_sub(q->qname, z->origin))
		return DD_EINVAL;
	*outlen = 0;
	/* the question as sent is uncompressed: its bytes sit at offset 12 in
	 * every reply to it, so names can point there and cached replies fit */
	plain = q->question_end == DNS_HDR_LEN + (size_t)q->qname_len + 4;
	edns = (uint8_t)((q->has_edns ? 1 : 0) | (q->has_edns && q->edns_do ? 2 : 0));
	c = zs->cache;
	if (c != NULL && plain) {
		h = zc_key(z, q, edns);
		rc = zc_get(c, z, query, q, edns, h, out, outcap, outlen);
		if (rc != -1)
			return rc;
		c->misses++;
	}

	memset(&a, 0, offsetof(struct ans, comp));
	a.ncomp = 0;
	a.zs = zs;
	a.qtype = q->qtype;
	a.aa = true;
	a.rcode = DNS_RCODE_NOERROR;
	dns_w_init(&a.w, out, outcap);
	dns_w_reply_start(&a.w, query, q, 0, 0);
	if (plain)
		comp_add(&a, query + DNS_HDR_LEN, DNS_HDR_LEN);
	a.dnssec = q->has_edns && q->edns_do;
	resolve(&a, z, q->qname);
	flush_wild(&a);
	if (q->has_edns) {
		dns_w_opt(&a.w, ZONE_EDNS_SIZE, q->edns_do);
		a.ar++;
	}
	if (a.w.overflow)
		return DD_ENOSPACE;
	dns_w_counts(&a.w, a.an, a.ns, a.ar);
	out[2] = (uint8_t)(a.aa ? out[2] | (DNS_AA >> 8) : out[2] & ~(DNS_AA >> 8));
	out[3] = (uint8_t)((out[3] & 0xf0u) | a.rcode);
	*outlen = a.w.len;
	if (c != NULL && plain)
		zc_put(c, z, q, edns, h, out, a.w.len);
	return 0;
}
