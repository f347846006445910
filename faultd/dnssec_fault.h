/*
 * dnssec_fault.h -- breaking a signed zone's answer on purpose (the rule
 * term dnssec=, faultd/rule.h), so a validating resolver answers SERVFAIL
 * while a non-validating one still answers.
 *
 * Pure logic: no sockets, no clock.  The dates of re-made signatures come
 * from the signatures in the answer (made at load, valid from an hour
 * before it for 30 days), so "expired" and "not yet valid" hold for a month
 * of running.
 */
#ifndef FAULTD_DNSSEC_FAULT_H
#define FAULTD_DNSSEC_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "faultd/rule.h"
#include "faultd/zone.h"

/*
 * Rewrite the reply pkt[0..len) (from zone_answer() for zone z) as fault f
 * says, in place, up to cap bytes:
 *   expired   every RRSIG re-signed (the zone's keys) with expiration 1 day
 *             before the original inception, inception 30 days before that;
 *   notyet    ... with inception 1 day after the original expiration;
 *   badsig    the last octet of every RRSIG's signature inverted;
 *   nosig     every RRSIG removed;
 *   nodnskey  DNSKEY records and the RRSIGs over them removed;
 *   badnsec   NSEC/NSEC3 records and the RRSIGs over them removed;
 *   badds     every DS record's digest changed (last octet inverted) and
 *             the DS RRset validly signed again: a DS matching no key.
 * Returns the new length; len unchanged when the zone is not signed, the
 * reply has nothing to break, or it cannot be rewritten (then nothing is).
 */
size_t dnssec_fault_apply(const struct zone *z, enum rule_dnssec f,
    uint8_t *pkt, size_t len, size_t cap);

#endif
