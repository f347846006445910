/*
 * dnssec_fault.c -- the dnssec= faults: a signed answer parsed with ldns,
 * changed section by section, and written back.  Re-made signatures use the
 * zone's own keys (zone_sign.c), so only the one thing the fault names is
 * wrong: the dates, the signature bytes, a missing record, a DS digest.
 */
#include "faultd/dnssec_fault.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "faultd/zone_sign.h"

#define DAY 86400u

static bool
is_sig_over(const ldns_rr *rr, ldns_rr_type t)
{
	return ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
	    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == t;
}

/* Should this record go? */
static bool
drop_rr(enum rule_dnssec f, const ldns_rr *rr)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	switch (f) {
	case DNSSEC_NOSIG:
		return t == LDNS_RR_TYPE_RRSIG;
	case DNSSEC_NODNSKEY:
		return t == LDNS_RR_TYPE_DNSKEY || is_sig_over(rr, LDNS_RR_TYPE_DNSKEY);
	case DNSSEC_BADNSEC:
		return t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3 ||
		    is_sig_over(rr, LDNS_RR_TYPE_NSEC) || is_sig_over(rr, LDNS_RR_TYPE_NSEC3);
	default:
		return false;
	}
}

static void
flip_last(ldns_rdf *d)
{
	if (d != NULL && ldns_rdf_size(d) > 0)
		ldns_rdf_data(d)[ldns_rdf_size(d) - 1] ^= 0xff;
}

/* The records of sec with this owner and type (pointers, not copies). */
static ldns_rr_list *
rrset_of(const ldns_rr_list *sec, const ldns_rdf *owner, ldns_rr_type t)
{
	ldns_rr_list *l = ldns_rr_list_new();

	for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		if (ldns_rr_get_type(rr) == t && ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			(void)ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

/* The validity of the re-made signature, from the original's dates. */
static void
window(enum rule_dnssec f, const ldns_rr *sig, uint32_t *inc, uint32_t *exp)
{
	uint32_t oinc = ldns_rdf2native_time_t(ldns_rr_rrsig_inception(sig));
	uint32_t oexp = ldns_rdf2native_time_t(ldns_rr_rrsig_expiration(sig));

	switch (f) {
	case DNSSEC_EXPIRED:
		*exp = oinc - DAY;
		*inc = *exp - 30 * DAY;
		break;
	case DNSSEC_NOTYET:
		*inc = oexp + DAY;
		*exp = *inc + 30 * DAY;
		break;
	default:
		*inc = oinc;
		*exp = oexp;
		break;
	}
}

/*
 * One section into a new list: dropped records freed, RRSIGs over the
 * RRsets to re-sign replaced by fresh ones (once per RRset), others kept.
 * Returns the new list, or NULL (the section is then untouched).
 */
static ldns_rr_list *
rewrite_section(const struct zsign *zs, enum rule_dnssec f, ldns_rr_list *sec,
    bool *changed)
{
	ldns_rr_list *out = ldns_rr_list_new(), *done = ldns_rr_list_new();
	size_t n = ldns_rr_list_rr_count(sec);

	if (out == NULL || done == NULL)
		goto fail;
	if (f == DNSSEC_BADDS)
		for (size_t i = 0; i < n; i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(sec, i)) == LDNS_RR_TYPE_DS) {
				flip_last(ldns_rr_rdf(ldns_rr_list_rr(sec, i), 3));
				*changed = true;
			}
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		bool resign = (f == DNSSEC_EXPIRED || f == DNSSEC_NOTYET) ||
		    (f == DNSSEC_BADDS && is_sig_over(rr, LDNS_RR_TYPE_DS));

		if (drop_rr(f, rr)) {
			*changed = true;
			continue;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG && f == DNSSEC_BADSIG) {
			flip_last(ldns_rr_rrsig_sig(rr));
			*changed = true;
		}
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG || !resign) {
			if (!ldns_rr_list_push_rr(out, ldns_rr_clone(rr)))
				goto fail;
			continue;
		}
		/* the first RRSIG over an RRset stands for all of them */
		ldns_rr_type t = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
		bool seen = false;
		for (size_t j = 0; j < ldns_rr_list_rr_count(done); j++) {
			const ldns_rr *d = ldns_rr_list_rr(done, j);
			if (is_sig_over(d, t) && ldns_dname_compare(ldns_rr_owner(d),
			    ldns_rr_owner(rr)) == 0)
				seen = true;
		}
		if (seen)
			continue;
		(void)ldns_rr_list_push_rr(done, rr);
		ldns_rr_list *set = rrset_of(sec, ldns_rr_owner(rr), t), *sigs;
		uint32_t inc, exp;
		window(f, rr, &inc, &exp);
		sigs = set ? zsign_resign(zs, set, inc, exp) : NULL;
		ldns_rr_list_free(set);
		if (sigs == NULL)
			goto fail;
		for (size_t j = 0; j < ldns_rr_list_rr_count(sigs); j++)
			(void)ldns_rr_list_push_rr(out, ldns_rr_list_rr(sigs, j));
		ldns_rr_list_free(sigs);    /* the records are out's now */
		*changed = true;
	}
	ldns_rr_list_free(done);
	return out;
fail:
	ldns_rr_list_free(done);
	ldns_rr_list_deep_free(out);
	return NULL;
}

size_t
dnssec_fault_apply(const struct zone *z, enum rule_dnssec f, uint8_t *pkt,
    size_t len, size_t cap)
{
	const struct zsign *zs = zone_signer(z);
	ldns_pkt *p = NULL;
	ldns_rr_list *an = NULL, *ns = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0, res = len;
	bool changed = false;

	if (zs == NULL || f == DNSSEC_NONE || ldns_wire2pkt(&p, pkt, len) != LDNS_STATUS_OK)
		return len;
	an = rewrite_section(zs, f, ldns_pkt_answer(p), &changed);
	ns = rewrite_section(zs, f, ldns_pkt_authority(p), &changed);
	if (an == NULL || ns == NULL || !changed)
		goto out;
	ldns_rr_list_deep_free(ldns_pkt_answer(p));
	ldns_rr_list_deep_free(ldns_pkt_authority(p));
	ldns_pkt_set_answer(p, an);
	ldns_pkt_set_authority(p, ns);
	ldns_pkt_set_ancount(p, (uint16_t)ldns_rr_list_rr_count(an));
	ldns_pkt_set_nscount(p, (uint16_t)ldns_rr_list_rr_count(ns));
	an = ns = NULL;
	if (ldns_pkt2wire(&wire, p, &wlen) == LDNS_STATUS_OK && wlen <= cap) {
		memcpy(pkt, wire, wlen);
		res = wlen;
	}
out:
	ldns_rr_list_deep_free(an);
	ldns_rr_list_deep_free(ns);
	free(wire);
	ldns_pkt_free(p);
	return res;
}
