/*
 * zone.h -- faultd's authoritative data: zone files parsed with ldns, and
 * answers computed from them.
 *
 * Pure logic: no sockets, no clock.  A zoneset is immutable once loaded;
 * SIGHUP builds a new one and swaps it in only if every file parsed.
 *
 * Ownership: zoneset_load() returns a zoneset the caller frees with
 * zoneset_free() (NULL-safe).  Pointers returned by lookups live as long as
 * the zoneset.
 */
#ifndef FAULTD_ZONE_H
#define FAULTD_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/dnswire.h"
#include "lib/err.h"

struct zoneset;
struct zone;

/*
 * Load zone files.  Each file's origin comes from its SOA owner or $ORIGIN.
 * On error returns DD_EINVAL and fills err with "FILE:LINE: message"; nothing
 * is returned and nothing leaks.  Two files for the same origin is an error.
 */
int zoneset_load(struct zoneset **out, const char *const *files, size_t nfiles,
    struct dd_err *err);
void zoneset_free(struct zoneset *zs);

/*
 * DNSSEC (faultd/zone_sign.h): as zoneset_load, and the zones whose origin
 * sc lists are signed with its keys (sc NULL: none).  A signed zone answers
 * a query with the DO bit with RRSIGs over every RRset it writes (glue and
 * a delegation's NS aside), the DS or its NSEC/NSEC3 proof at a referral,
 * and NSEC/NSEC3 proofs with their RRSIGs for NODATA, NXDOMAIN and answers
 * from a wildcard; without DO nothing changes.  sc must outlive the set.
 */
struct zsign_conf;
struct zsign;
int zoneset_load_signed(struct zoneset **out, const char *const *files,
    size_t nfiles, const struct zsign_conf *sc, struct dd_err *err);
/* The zone's signer, or NULL when it is not signed. */
const struct zsign *zone_signer(const struct zone *z);
size_t zoneset_count(const struct zoneset *zs);

/* The zone whose origin is the longest suffix of qname (lower-case wire),
 * or NULL when faultd is not authoritative for it. */
const struct zone *zoneset_find(const struct zoneset *zs, const uint8_t *qname);

/* The zone's origin (lower-case wire). */
const uint8_t *zone_origin(const struct zone *z);

/* The zone's SOA as wire pieces, for negative answers built by the fault
 * code: rdata (uncompressed names), its TTL and its MINIMUM field. */
struct zone_soa {
	const uint8_t *owner;      /* wire */
	const uint8_t *rdata;
	uint16_t rdlen;
	uint32_t ttl;
	uint32_t minimum;
};
void zone_get_soa(const struct zone *z, struct zone_soa *soa);

/*
 * Answer q authoritatively from zone z into out (a complete DNS reply):
 *  - header: the query's ID, opcode, RD and CD; QR set; AA set except for
 *    referrals; the question copied as the client sent it (dns_w_reply_start);
 *  - NOERROR with the RRset; CNAME chains followed inside the zoneset (max 8);
 *    qtype ANY returns every RRset at the name;
 *  - NODATA (NOERROR, empty answer) and NXDOMAIN with the zone's SOA in the
 *    authority section; empty non-terminals are NODATA, not NXDOMAIN;
 *  - names at or below a delegation (NS at a non-apex name): a referral,
 *    the NS set in authority and in-zone glue A/AAAA in additional, AA clear;
 *  - wildcards (*.label) per RFC 4592 for names that do not exist;
 *  - an OPT record when the query had one (udp size 1232).
 * Names in the reply may be compressed.  Returns 0 or DD_ENOSPACE when out is
 * too small (faultd passes 65535 bytes and truncates for UDP itself), or
 * DD_EINVAL when an argument is NULL or q->qname is not in z.
 *
 * Not thread-safe per zoneset: replies are cached inside it (see below), so
 * one zoneset must not be answered from by two threads at once.
 */
int zone_answer(const struct zoneset *zs, const struct zone *z,
    const uint8_t *query, const struct dns_query *q, uint8_t *out,
    size_t outcap, size_t *outlen);

/*
 * Reply cache.  zoneset_load() turns it on with 4096 slots (direct-mapped,
 * replies up to 2048 bytes, so at most ~8 MiB; the slots are allocated when
 * the first reply is stored).  Entries are keyed by zone,
 * lower-case qname, qtype, qclass, EDNS and DO; a hit copies the stored reply
 * and patches in the query's ID, opcode, RD, CD and question bytes (so the
 * client's 0x20 case comes back).  The zoneset never changes after loading,
 * so entries never go stale.  Queries whose question name is compressed are
 * never cached.  zoneset_cache_set(zs, 0) turns the cache off; any other
 * value is rounded up to a power of two.  Returns 0 or DD_ENOMEM (the old
 * cache is kept then).
 */
int zoneset_cache_set(struct zoneset *zs, size_t slots);
void zoneset_cache_stats(const struct zoneset *zs, uint64_t *hits,
    uint64_t *misses);

/*
 * For faultd/zone*.c: one zone file read into ldns records, each with the
 * line it starts on.  $TTL/$ORIGIN applied, TTLs resolved, the head of every
 * record checked (TTL syntax, class IN, known type).  On error returns
 * DD_EINVAL (or DD_ENOMEM) with "FILE:LINE: message" in err and nothing
 * allocated.  The caller frees the records with zone_recs_free() (NULL-safe),
 * which also frees each ldns record.
 */
struct zone_rec {
	struct ldns_struct_rr *rr;   /* an ldns_rr */
	int line;
};
int zone_file_read(const char *file, struct zone_rec **recs, size_t *nrecs,
    struct dd_err *err);
void zone_recs_free(struct zone_rec *recs, size_t n);

/*
 * For faultd/zone_edit.c (live changes, one zone at a time):
 *  - zone_from_recs builds a zone from records as zoneset_load does (errors
 *    "LABEL:LINE: ..."); its file is `file` when not NULL, else LABEL.  The
 *    records stay the caller's.  When zs (may be NULL) signs zones
 *    (zoneset_load_signed) and lists this one, the zone is signed anew with
 *    the same keys; DNSKEY, NSEC3PARAM, RRSIG, NSEC and NSEC3 records among
 *    recs are left out (the signer makes its own).
 *  - zone_each_rr calls cb for every record of z, the apex SOA first; cb's
 *    owner is lower-case wire and rdata uncompressed; a negative return
 *    stops the walk and is returned.
 *  - zoneset_get: the zone with exactly this origin (lower-case wire).
 *  - zoneset_swap puts nz (owned by the set from then on) in place of the
 *    zone with its origin, frees that zone and forgets every cached reply;
 *    DD_EINVAL (nz still the caller's) when the set has no such zone.  Call
 *    it between packets, never while zone_answer() runs on the set.
 */
void zone_free(struct zone *z);   /* NULL-safe; only for zones not in a set */
int zone_from_recs(const struct zoneset *zs, const char *label, const char *file,
    struct zone_rec *recs, size_t nrecs, struct zone **out, struct dd_err *err);
const char *zone_file_name(const struct zone *z);
typedef int (*zone_rr_cb)(void *arg, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);
int zone_each_rr(const struct zone *z, zone_rr_cb cb, void *arg);
struct zone *zoneset_get(struct zoneset *zs, const uint8_t *origin);
int zoneset_swap(struct zoneset *zs, struct zone *nz);

/* As zone_file_read, from text in memory (len bytes, NULs refused);
 * messages say "LABEL:LINE: ...", LINE counted within the text. */
int zone_text_read(const char *label, const char *text, size_t len,
    struct zone_rec **recs, size_t *nrecs, struct dd_err *err);

#endif
