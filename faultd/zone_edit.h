/*
 * zone_edit.h -- live changes to the zones a running faultd serves: replace
 * a zone's text, empty it, add and delete records, change TTLs, change a
 * zone's NS set, remove or change a delegation at the parent.
 *
 * Each change rebuilds the one zone it touches off to the side (its records
 * taken out of the running zone, changed, built again as a zone file is)
 * and swaps it into the set only when the build succeeds; a refused change
 * leaves the zone exactly as it was.  The swap forgets the set's cached
 * replies, so the next query sees the new data.  Call between packets
 * (faultd runs control commands on its event loop, never during a query).
 *
 * Names are presentation text ("www.example.com." or without the final
 * dot; always absolute).  Each function returns 0 and fills msg (msglen
 * bytes; what changed, one line) or a negative DD_E* code with err naming
 * the input and the place: "zone text:3: bad TTL '3x00'" for a line of a
 * text, else the command's words.  reload (SIGHUP) reads the zone files
 * again and so drops every live change.
 */
#ifndef FAULTD_ZONE_EDIT_H
#define FAULTD_ZONE_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "faultd/zone.h"
#include "lib/buf.h"
#include "lib/err.h"

/* The zone at origin becomes text (a zone file: its SOA's owner must be
 * origin; errors name "zone text:LINE"). */
int zone_edit_set(struct zoneset *zs, const char *origin, const char *text,
    size_t len, char *msg, size_t msglen, struct dd_err *err);
/* The zone at origin read again from the file it was loaded from. */
int zone_edit_reset(struct zoneset *zs, const char *origin, char *msg,
    size_t msglen, struct dd_err *err);
/* Only the apex SOA and NS RRsets stay (AWS's "empty" zone). */
int zone_edit_empty(struct zoneset *zs, const char *origin, char *msg,
    size_t msglen, struct dd_err *err);
/* Every record of the zone gets this TTL (the SOA's MINIMUM stays). */
int zone_edit_zone_ttl(struct zoneset *zs, const char *origin, uint32_t ttl,
    char *msg, size_t msglen, struct dd_err *err);
/* The apex NS RRset becomes names[0..n) (n >= 1), its TTL kept. */
int zone_edit_ns(struct zoneset *zs, const char *origin,
    const char *const *names, size_t n, char *msg, size_t msglen,
    struct dd_err *err);
/* Records in zone-file syntax (absolute owners; "record text:LINE" in
 * errors), all in one zone faultd serves, none already there, no SOA. */
int zone_edit_add(struct zoneset *zs, const char *text, size_t len, char *msg,
    size_t msglen, struct dd_err *err);
/* Delete at name: every RRset (type 0), one RRset, or the one record whose
 * data is rdata (presentation, with type).  Nothing matching is an error;
 * so is the apex SOA. */
int zone_edit_del(struct zoneset *zs, const char *name, uint16_t type,
    const char *rdata, char *msg, size_t msglen, struct dd_err *err);
/* The TTL of name's RRset of type (0: every RRset at name). */
int zone_edit_ttl(struct zoneset *zs, const char *name, uint16_t type,
    uint32_t ttl, char *msg, size_t msglen, struct dd_err *err);
/* A registry hold: the delegation of child goes from its parent zone with
 * everything at and below it (glue too), so the parent answers NXDOMAIN
 * for child and every name below.  No delegation there is an error. */
int zone_edit_deleg_del(struct zoneset *zs, const char *child, char *msg,
    size_t msglen, struct dd_err *err);
/* The parent's NS RRset for child becomes names[0..n) (a new delegation
 * when there was none; TTL of the old one, else of the parent's apex NS).
 * Glue is added with zone_edit_add. */
int zone_edit_deleg_set(struct zoneset *zs, const char *child,
    const char *const *names, size_t n, char *msg, size_t msglen,
    struct dd_err *err);
/* The zone at origin as zone-file lines, appended to out. */
int zone_edit_show(struct zoneset *zs, const char *origin, struct dd_buf *out,
    struct dd_err *err);

/*
 * One control command (ctl_target.zone): cmd "zone", "record" or
 * "delegation", args the rest of the line:
 *   zone set ORIGIN TEXT        (TEXT escaped, ctl_text_escape)
 *   zone reset|empty|show ORIGIN
 *   zone ttl ORIGIN TTL
 *   zone ns ORIGIN NAME...
 *   record add TEXT             (escaped; one or more records)
 *   record del NAME [TYPE [RDATA...]]
 *   record ttl NAME TYPE|* TTL
 *   delegation del CHILD
 *   delegation set CHILD NAME...
 * zs NULL: "faultd serves no zones".  Data lines (zone show) go to data.
 */
int zone_edit_cmd(struct zoneset *zs, const char *cmd, const char *args,
    struct dd_buf *data, char *msg, size_t msglen, struct dd_err *err);

#endif
