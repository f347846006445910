/*
 * zone_sign.h -- DNSSEC for faultd's zones: keys, signing at load (ldns),
 * and the signed records an answer needs (RRSIGs, NSEC/NSEC3 proofs).
 *
 * A struct zsign_conf is the --sign settings with their keys, loaded from
 * ldns-keygen files or generated once per run (so a reload signs with the
 * same keys and the published DS stays right).  zsign_zone() signs one
 * zone's records when its origin is listed; the result, a struct zsign, is
 * immutable and answers lookups by lower-case wire name.
 *
 * Ownership: zsign_conf_new() and zsign_zone() return objects freed with
 * zsign_conf_free() / zsign_free() (NULL-safe).  A zsign points at its
 * conf's keys: free the zones before the conf.  Records returned by lookups
 * live as long as the zsign.
 */
#ifndef FAULTD_ZONE_SIGN_H
#define FAULTD_ZONE_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

struct zsign_conf;
struct zsign;
struct ldns_struct_rr_list;

/* Validity window of the signatures made at load, around the load time. */
#define ZSIGN_INCEPTION_BEFORE  3600u           /* 1 h in the past */
#define ZSIGN_EXPIRATION_AFTER  (30u * 86400u)  /* 30 days ahead */

struct zsign_conf *zsign_conf_new(void);
void zsign_conf_free(struct zsign_conf *c);

/*
 * One --sign value: "ORIGIN" (a KSK and a ZSK generated now, ECDSAP256SHA256)
 * or "ORIGIN:KEY[,KEY...]" where each KEY is an ldns-keygen base name
 * (Kexample.+013+12345, with or without .private/.key): BASE.private holds
 * the private key, BASE.key the DNSKEY (its flags say KSK = 257 or ZSK).
 * Errors name the value and the file.  An origin given twice is an error.
 */
int zsign_conf_add(struct zsign_conf *c, const char *spec, struct dd_err *err);
/* NSEC3 (SHA-1, 0 extra iterations, no salt, opt-out off) instead of NSEC. */
void zsign_conf_set_nsec3(struct zsign_conf *c, bool on);
size_t zsign_conf_count(const struct zsign_conf *c);
/* The i-th origin, lower-case wire. */
const uint8_t *zsign_conf_origin(const struct zsign_conf *c, size_t i);
/* DS records (SHA-256) of every origin's KSKs (every key when none has the
 * SEP flag), in presentation format, one per line. */
int zsign_conf_write_ds(const struct zsign_conf *c, FILE *out);

/*
 * Sign one zone file's records (rrs, not changed) when their origin (the SOA
 * owner) is in c: returns 0 with *out set and *extra a new list (the caller
 * deep-frees it) of the apex records the zone must serve besides its own
 * (DNSKEY, NSEC3PARAM); 0 with *out and *extra NULL when the origin is not
 * to be signed; DD_EINVAL / DD_ENOMEM with err naming file.
 */
int zsign_zone(const struct zsign_conf *c, const char *file,
    const struct ldns_struct_rr_list *rrs, struct ldns_struct_rr_list **extra,
    struct zsign **out, struct dd_err *err);
void zsign_free(struct zsign *s);

/* A record ready to write: owner (lower-case wire), type, TTL, RDATA. */
struct zsign_rr {
	const uint8_t *owner;
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	const uint8_t *rdata;
};

/* The RRSIGs over the RRset (name, type): their count, *out into s. */
size_t zsign_sigs(const struct zsign *s, const uint8_t *name, uint16_t type,
    const struct zsign_rr **out);

/* What a denial proves, RFC 4035 3.1.3 / RFC 5155 7.2. */
enum zsign_deny {
	ZSIGN_NODATA,            /* name exists, not the type */
	ZSIGN_NXDOMAIN,          /* name and its wildcard do not exist */
	ZSIGN_WILDCARD,          /* an answer from a wildcard: name does not exist */
	ZSIGN_WILDCARD_NODATA,   /* the wildcard exists, not the type */
	ZSIGN_REFERRAL,          /* a delegation without DS (insecure) */
};

#define ZSIGN_DENY_MAX 12

/* The NSEC/NSEC3 records of the proof for name (lower-case wire, in the
 * zone), each followed by its RRSIGs, at most ZSIGN_DENY_MAX into out.
 * Returns the count. */
size_t zsign_denial(const struct zsign *s, enum zsign_deny kind,
    const uint8_t *name, const struct zsign_rr **out);

/*
 * Sign rrset (one RRset, ldns records) with the zone's keys again, with the
 * given validity (seconds since the epoch, as RRSIG fields): the RRSIGs, or
 * NULL.  The DNSKEY set is signed by the KSKs, others by the ZSKs.  For
 * faultd/dnssec_fault.c.
 */
struct ldns_struct_rr_list *zsign_resign(const struct zsign *s,
    struct ldns_struct_rr_list *rrset, uint32_t inception, uint32_t expiration);

#endif
