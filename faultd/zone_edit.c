/*
 * zone_edit.c -- live changes to a running faultd's zones (zone_edit.h).
 *
 * The running zone keeps its data as wire RRsets (zone.c), not as ldns
 * records, so a change takes the records back out (zone_each_rr, each
 * turned into an ldns_rr with ldns_wire2rr), edits that list, and builds a
 * new zone from it with the same code that loads zone files
 * (zone_from_recs): every check a file gets (CNAME and other data, names
 * too long, one SOA) the edited zone gets too.  Only a zone that built is
 * swapped in (zoneset_swap), so a refused change leaves the old data
 * answering; the set's reply cache is forgotten at the swap.
 *
 * Records taken out of the zone carry line 0; records from a text carry
 * their line in it, so an error about them names the line.
 */
#include "faultd/zone_edit.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "faultd/ctl.h"
#include "lib/dnswire.h"
#include "lib/util.h"

#define ZE_TTL_MAX 0x7fffffffu
#define ZE_NAMES_MAX 16

/* A list of records being edited; owns its ldns records. */
struct ze_recs {
	struct zone_rec *v;
	size_t n, cap;
};

static void
recs_free(struct ze_recs *r)
{
	zone_recs_free(r->v, r->n);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Append rr (taken over: freed on failure). */
static int
recs_push(struct ze_recs *r, ldns_rr *rr, int line)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct zone_rec *nv = realloc(r->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			ldns_rr_free(rr);
			return DD_ENOMEM;
		}
		r->v = nv;
		r->cap = ncap;
	}
	r->v[r->n].rr = rr;
	r->v[r->n].line = line;
	r->n++;
	return 0;
}

/* Remove record i (freed), keeping the order. */
static void
recs_drop(struct ze_recs *r, size_t i)
{
	ldns_rr_free(r->v[i].rr);
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(r->v[0]));
	r->n--;
}

struct ze_export {
	struct ze_recs *r;
	uint8_t *buf;
};

static int
export_rr(void *arg, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	struct ze_export *x = arg;
	size_t ol = dns_name_len(owner), pos = 0;
	ldns_rr *rr = NULL;
	uint8_t *p = x->buf;

	memcpy(p, owner, ol);
	p += ol;
	dns_put16(p, type);
	dns_put16(p + 2, DNS_C_IN);
	dns_put32(p + 4, ttl);
	dns_put16(p + 8, rdlen);
	memcpy(p + 10, rdata, rdlen);
	if (ldns_wire2rr(&rr, x->buf, ol + 10 + rdlen, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return DD_EINVAL;
	return recs_push(x->r, rr, 0);
}

/* The records of z into r (empty before). */
static int
zone_export(const struct zone *z, struct ze_recs *r, struct dd_err *err)
{
	struct ze_export x = { .r = r, .buf = malloc(DNS_MAX_NAME + 10 + 65535) };
	int rc;

	if (x.buf == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	rc = zone_each_rr(z, export_rr, &x);
	free(x.buf);
	if (rc < 0) {
		dd_err_set(err, rc == DD_ENOMEM ? "out of memory" :
		    "cannot take the zone's records out");
		recs_free(r);
	}
	return rc;
}

/* name (presentation, absolute) as lower-case wire into out. */
static int
name_wire(const char *name, uint8_t *out, struct dd_err *err, const char *what)
{
	if (dns_name_from_str(name, out, DNS_MAX_NAME) < 0) {
		dd_err_set(err, "%s: bad name '%.300s'", what, name);
		return DD_EINVAL;
	}
	dns_name_lower(out);
	return 0;
}

/* The zone whose origin is exactly origin. */
static struct zone *
zone_at(struct zoneset *zs, const char *origin, const char *what,
    struct dd_err *err)
{
	uint8_t w[DNS_MAX_NAME];
	struct zone *z;

	if (name_wire(origin, w, err, what) < 0)
		return NULL;
	if ((z = zoneset_get(zs, w)) == NULL)
		dd_err_set(err, "%s: faultd serves no zone '%.300s'", what, origin);
	return z;
}

/* The zone faultd answers name from (the longest origin). */
static const struct zone *
zone_for(struct zoneset *zs, const uint8_t *name, const char *what,
    struct dd_err *err)
{
	const struct zone *z = zoneset_find(zs, name);
	char nb[DNS_MAX_NAME * 4 + 1];

	if (z == NULL)
		dd_err_set(err, "%s: %s is in no zone faultd serves", what,
		    dns_name_to_str(name, nb, sizeof(nb)));
	return z;
}

/* rr's owner as lower-case wire into w. */
static void
owner_wire(const ldns_rr *rr, uint8_t *w)
{
	const ldns_rdf *o = ldns_rr_owner(rr);
	size_t n = ldns_rdf_size(o);

	if (n > DNS_MAX_NAME)
		n = DNS_MAX_NAME;       /* never: refused when built */
	memcpy(w, ldns_rdf_data(o), n);
	dns_name_lower(w);
}

static bool
owner_is(const ldns_rr *rr, const uint8_t *name)
{
	uint8_t w[DNS_MAX_NAME];

	owner_wire(rr, w);
	return dns_name_len(w) == dns_name_len(name) &&
	    memcmp(w, name, dns_name_len(name)) == 0;
}

static bool
owner_under(const ldns_rr *rr, const uint8_t *name)
{
	uint8_t w[DNS_MAX_NAME];

	owner_wire(rr, w);
	return dns_name_is_sub(w, name);
}

/* Build the edited records as the zone at origin and swap it in. */
static int
commit(struct zoneset *zs, const struct zone *old, const char *label,
    struct ze_recs *r, struct dd_err *err)
{
	const uint8_t *origin = zone_origin(old);
	struct zone *nz = NULL;
	char nb[DNS_MAX_NAME * 4 + 1];
	int rc;

	rc = zone_from_recs(zs, label, zone_file_name(old), r->v, r->n, &nz, err);
	if (rc < 0)
		return rc;
	if (dns_name_len(zone_origin(nz)) != dns_name_len(origin) ||
	    memcmp(zone_origin(nz), origin, dns_name_len(origin)) != 0) {
		dd_err_set(err, "%s: the SOA's owner is %s, not the zone's origin %s",
		    label, dns_name_to_str(zone_origin(nz), nb, sizeof(nb)),
		    dns_name_to_str(origin, nb + DNS_MAX_NAME * 2, DNS_MAX_NAME * 2));
		zone_free(nz);
		return DD_EINVAL;
	}
	if ((rc = zoneset_swap(zs, nz)) < 0) {
		dd_err_set(err, "%s: the zone is gone", label);
		zone_free(nz);
	}
	return rc;
}

static const char *
origin_str(const struct zone *z, char *buf, size_t len)
{
	return dns_name_to_str(zone_origin(z), buf, len);
}

static const char *
type_str(uint16_t type, char *buf, size_t len)
{
	if (type == 0)
		return snprintf(buf, len, "*"), buf;
	return dns_type_to_str(type, buf, len);
}

/* ---------------- whole zones ---------------- */

int
zone_edit_set(struct zoneset *zs, const char *origin, const char *text,
    size_t len, char *msg, size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	struct zone *z = zone_at(zs, origin, "zone set", err);
	char ob[DNS_MAX_NAME * 4 + 1];
	int rc;

	if (z == NULL)
		return DD_EINVAL;
	if ((rc = zone_text_read("zone text", text, len, &r.v, &r.n, err)) < 0)
		return rc;
	r.cap = r.n;
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, "zone text", &r, err)) == 0)
		snprintf(msg, msglen, "zone %s: replaced (%zu records)", ob, r.n);
	recs_free(&r);
	return rc;
}

int
zone_edit_reset(struct zoneset *zs, const char *origin, char *msg,
    size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	struct zone *z = zone_at(zs, origin, "zone reset", err);
	char ob[DNS_MAX_NAME * 4 + 1], *file;
	int rc;

	if (z == NULL)
		return DD_EINVAL;
	if ((file = strdup(zone_file_name(z))) == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	rc = zone_file_read(file, &r.v, &r.n, err);
	r.cap = r.n;
	origin_str(z, ob, sizeof(ob));
	if (rc == 0 && (rc = commit(zs, z, file, &r, err)) == 0)
		snprintf(msg, msglen, "zone %s: read again from %s (%zu records)",
		    ob, file, r.n);
	recs_free(&r);
	free(file);
	return rc;
}

/* Keep the records for which keep(rr, arg) is true; *gone counts the rest. */
static void
recs_filter(struct ze_recs *r, bool (*keep)(const ldns_rr *, const void *),
    const void *arg, size_t *gone)
{
	size_t o = 0;

	*gone = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (keep(r->v[i].rr, arg)) {
			r->v[o++] = r->v[i];
		} else {
			ldns_rr_free(r->v[i].rr);
			(*gone)++;
		}
	}
	r->n = o;
}

static bool
keep_apex_soa_ns(const ldns_rr *rr, const void *origin)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	return owner_is(rr, origin) && (t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_NS);
}

int
zone_edit_empty(struct zoneset *zs, const char *origin, char *msg,
    size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	struct zone *z = zone_at(zs, origin, "zone empty", err);
	char ob[DNS_MAX_NAME * 4 + 1];
	size_t gone;
	int rc;

	if (z == NULL)
		return DD_EINVAL;
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	recs_filter(&r, keep_apex_soa_ns, zone_origin(z), &gone);
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, "zone empty", &r, err)) == 0)
		snprintf(msg, msglen, "zone %s: emptied (%zu records removed, "
		    "the apex SOA and NS kept)", ob, gone);
	recs_free(&r);
	return rc;
}

int
zone_edit_zone_ttl(struct zoneset *zs, const char *origin, uint32_t ttl,
    char *msg, size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	struct zone *z = zone_at(zs, origin, "zone ttl", err);
	char ob[DNS_MAX_NAME * 4 + 1];
	int rc;

	if (z == NULL)
		return DD_EINVAL;
	if (ttl > ZE_TTL_MAX) {
		dd_err_set(err, "zone ttl: %u is over 2147483647", ttl);
		return DD_EINVAL;
	}
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	for (size_t i = 0; i < r.n; i++)
		ldns_rr_set_ttl(r.v[i].rr, ttl);
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, "zone ttl", &r, err)) == 0)
		snprintf(msg, msglen, "zone %s: TTL %u on all %zu records", ob, ttl, r.n);
	recs_free(&r);
	return rc;
}

/* Replace the NS RRset at owner (wire) with names, TTL: the old RRset's,
 * else fallback.  *old_n counts the NS records removed. */
static int
set_ns(struct ze_recs *r, const uint8_t *owner, const char *const *names,
    size_t n, uint32_t fallback, const char *what, size_t *old_n,
    struct dd_err *err)
{
	uint32_t ttl = fallback;
	ldns_rdf *own;
	uint8_t w[DNS_MAX_NAME];

	if (n == 0 || n > ZE_NAMES_MAX) {
		dd_err_set(err, "%s: give 1 to %d name server names", what, ZE_NAMES_MAX);
		return DD_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (name_wire(names[i], w, err, what) < 0)
			return DD_EINVAL;
	*old_n = 0;
	for (size_t i = 0; i < r->n;) {
		if (ldns_rr_get_type(r->v[i].rr) == LDNS_RR_TYPE_NS &&
		    owner_is(r->v[i].rr, owner)) {
			ttl = ldns_rr_ttl(r->v[i].rr);
			recs_drop(r, i);
			(*old_n)++;
		} else {
			i++;
		}
	}
	own = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, dns_name_len(owner), owner);
	if (own == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_new();
		ldns_rdf *t;

		if (rr == NULL)
			goto oom_own;
		(void)name_wire(names[i], w, err, what);
		t = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, dns_name_len(w), w);
		if (t == NULL) {
			ldns_rr_free(rr);
			goto oom_own;
		}
		ldns_rr_set_type(rr, LDNS_RR_TYPE_NS);
		ldns_rr_set_owner(rr, ldns_rdf_clone(own));
		ldns_rr_set_ttl(rr, ttl);
		ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
		ldns_rr_push_rdf(rr, t);
		if (ldns_rr_owner(rr) == NULL || recs_push(r, rr, 0) < 0) {
			if (ldns_rr_owner(rr) == NULL)
				ldns_rr_free(rr);
			goto oom_own;
		}
	}
	ldns_rdf_deep_free(own);
	return 0;
oom_own:
	ldns_rdf_deep_free(own);
oom:
	dd_err_set(err, "out of memory");
	return DD_ENOMEM;
}

/* The TTL of the zone's apex NS records, else of its SOA. */
static uint32_t
apex_ns_ttl(const struct ze_recs *r, const uint8_t *origin)
{
	uint32_t ttl = 0;
	bool soa = false;

	for (size_t i = 0; i < r->n; i++) {
		if (!owner_is(r->v[i].rr, origin))
			continue;
		if (ldns_rr_get_type(r->v[i].rr) == LDNS_RR_TYPE_NS)
			return ldns_rr_ttl(r->v[i].rr);
		if (ldns_rr_get_type(r->v[i].rr) == LDNS_RR_TYPE_SOA && !soa) {
			ttl = ldns_rr_ttl(r->v[i].rr);
			soa = true;
		}
	}
	return ttl;
}

int
zone_edit_ns(struct zoneset *zs, const char *origin,
    const char *const *names, size_t n, char *msg, size_t msglen,
    struct dd_err *err)
{
	struct ze_recs r = { 0 };
	struct zone *z = zone_at(zs, origin, "zone ns", err);
	char ob[DNS_MAX_NAME * 4 + 1];
	size_t old_n;
	int rc;

	if (z == NULL)
		return DD_EINVAL;
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	rc = set_ns(&r, zone_origin(z), names, n, apex_ns_ttl(&r, zone_origin(z)),
	    "zone ns", &old_n, err);
	origin_str(z, ob, sizeof(ob));
	if (rc == 0 && (rc = commit(zs, z, "zone ns", &r, err)) == 0)
		snprintf(msg, msglen, "zone %s: NS set of %zu names (was %zu)", ob,
		    n, old_n);
	recs_free(&r);
	return rc;
}

int
zone_edit_show(struct zoneset *zs, const char *origin, struct dd_buf *out,
    struct dd_err *err)
{
	struct ze_recs r = { 0 };
	struct zone *z = zone_at(zs, origin, "zone show", err);
	int rc;

	if (z == NULL)
		return DD_EINVAL;
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	for (size_t i = 0; i < r.n; i++) {
		char *s = ldns_rr2str(r.v[i].rr);
		if (s != NULL)
			dd_buf_printf(out, "%s", s);
		free(s);
	}
	recs_free(&r);
	return 0;
}

/* ---------------- records ---------------- */

int
zone_edit_add(struct zoneset *zs, const char *text, size_t len, char *msg,
    size_t msglen, struct dd_err *err)
{
	const char *label = "record text";
	struct ze_recs add = { 0 }, r = { 0 };
	const struct zone *z = NULL;
	char ob[DNS_MAX_NAME * 4 + 1];
	size_t nadd;
	int rc;

	if ((rc = zone_text_read(label, text, len, &add.v, &add.n, err)) < 0)
		return rc;
	add.cap = add.n;
	rc = DD_EINVAL;
	if (add.n == 0) {
		dd_err_set(err, "%s:1: no record", label);
		goto out;
	}
	for (size_t i = 0; i < add.n; i++) {
		uint8_t w[DNS_MAX_NAME];
		const struct zone *zi;

		owner_wire(add.v[i].rr, w);
		if ((zi = zoneset_find(zs, w)) == NULL) {
			dd_err_set(err, "%s:%d: %s is in no zone faultd serves", label,
			    add.v[i].line, dns_name_to_str(w, ob, sizeof(ob)));
			goto out;
		}
		if (z != NULL && zi != z) {
			dd_err_set(err, "%s:%d: this record is in zone %s, the first "
			    "in zone %s (one zone per change)", label, add.v[i].line,
			    origin_str(zi, ob, sizeof(ob) / 2),
			    origin_str(z, ob + sizeof(ob) / 2, sizeof(ob) / 2));
			goto out;
		}
		z = zi;
		if (ldns_rr_get_type(add.v[i].rr) == LDNS_RR_TYPE_SOA) {
			dd_err_set(err, "%s:%d: a SOA cannot be added (zone set "
			    "replaces the zone)", label, add.v[i].line);
			goto out;
		}
	}
	if ((rc = zone_export(z, &r, err)) < 0)
		goto out;
	rc = DD_EINVAL;
	for (size_t i = 0; i < add.n; i++) {
		for (size_t j = 0; j < r.n; j++) {
			if (ldns_rr_compare(add.v[i].rr, r.v[j].rr) == 0) {
				char *s = ldns_rr2str(add.v[i].rr);
				if (s != NULL)
					s[strcspn(s, "\n")] = '\0';
				dd_err_set(err, "%s:%d: already in the zone: %.300s",
				    label, add.v[i].line, s ? s : "?");
				free(s);
				goto out;
			}
		}
	}
	/* the new records go last, so a conflict names their line */
	nadd = add.n;
	for (size_t i = 0; i < add.n; i++) {
		if ((rc = recs_push(&r, add.v[i].rr, add.v[i].line)) < 0) {
			add.v[i].rr = NULL;
			dd_err_set(err, "out of memory");
			goto out;
		}
		add.v[i].rr = NULL;
	}
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, label, &r, err)) == 0)
		snprintf(msg, msglen, "record add: %zu record%s in zone %s", nadd,
		    nadd == 1 ? "" : "s", ob);
out:
	recs_free(&r);
	recs_free(&add);
	return rc;
}

/* A record of type with this rdata at name, to compare against. */
static ldns_rr *
rr_from_rdata(const char *name, uint16_t type, const char *rdata,
    struct dd_err *err)
{
	char tb[32], *line;
	ldns_rr *rr = NULL;
	size_t n = strlen(name) + strlen(rdata) + 64;
	ldns_status st;

	if ((line = malloc(n)) == NULL) {
		dd_err_set(err, "out of memory");
		return NULL;
	}
	snprintf(line, n, "%s%s 0 IN %s %s", name,
	    name[0] != '\0' && name[strlen(name) - 1] == '.' ? "" : ".",
	    type_str(type, tb, sizeof(tb)), rdata);
	st = ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL);
	if (st != LDNS_STATUS_OK) {
		dd_err_set(err, "record del: '%.300s': %s", rdata,
		    ldns_get_errorstr_by_id(st));
		rr = NULL;
	}
	free(line);
	return rr;
}

int
zone_edit_del(struct zoneset *zs, const char *name, uint16_t type,
    const char *rdata, char *msg, size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	const struct zone *z;
	uint8_t w[DNS_MAX_NAME];
	char ob[DNS_MAX_NAME * 4 + 1], tb[32];
	ldns_rr *want = NULL;
	size_t gone = 0;
	int rc;

	if (name_wire(name, w, err, "record del") < 0 ||
	    (z = zone_for(zs, w, "record del", err)) == NULL)
		return DD_EINVAL;
	if (rdata != NULL && rdata[0] != '\0') {
		if (type == 0) {
			dd_err_set(err, "record del: record data needs a type");
			return DD_EINVAL;
		}
		if ((want = rr_from_rdata(name, type, rdata, err)) == NULL)
			return DD_EINVAL;
	}
	if ((rc = zone_export(z, &r, err)) < 0)
		goto out;
	rc = DD_EINVAL;
	for (size_t i = 0; i < r.n;) {
		const ldns_rr *rr = r.v[i].rr;
		if (!owner_is(rr, w) || (type != 0 && ldns_rr_get_type(rr) != type) ||
		    (want != NULL && ldns_rr_compare(rr, want) != 0)) {
			i++;
			continue;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (type == 0)
				goto keep;  /* "everything at the apex" keeps the SOA */
			dd_err_set(err, "record del: the zone's SOA cannot be deleted "
			    "(zone empty keeps only SOA and NS)");
			goto out;
		}
		recs_drop(&r, i);
		gone++;
		continue;
keep:
		i++;
	}
	if (gone == 0) {
		dd_err_set(err, "record del: no %s %s%s%s in zone %s", name,
		    type_str(type, tb, sizeof(tb)), want ? " " : "", want ? rdata : "",
		    origin_str(z, ob, sizeof(ob)));
		goto out;
	}
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, "record del", &r, err)) == 0)
		snprintf(msg, msglen, "record del %s %s: %zu record%s removed from "
		    "zone %s", name, type_str(type, tb, sizeof(tb)), gone,
		    gone == 1 ? "" : "s", ob);
out:
	ldns_rr_free(want);
	recs_free(&r);
	return rc;
}

int
zone_edit_ttl(struct zoneset *zs, const char *name, uint16_t type,
    uint32_t ttl, char *msg, size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	const struct zone *z;
	uint8_t w[DNS_MAX_NAME];
	char ob[DNS_MAX_NAME * 4 + 1], tb[32];
	size_t hit = 0;
	int rc;

	if (name_wire(name, w, err, "record ttl") < 0 ||
	    (z = zone_for(zs, w, "record ttl", err)) == NULL)
		return DD_EINVAL;
	if (ttl > ZE_TTL_MAX) {
		dd_err_set(err, "record ttl: %u is over 2147483647", ttl);
		return DD_EINVAL;
	}
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	for (size_t i = 0; i < r.n; i++) {
		if (owner_is(r.v[i].rr, w) &&
		    (type == 0 || ldns_rr_get_type(r.v[i].rr) == type)) {
			ldns_rr_set_ttl(r.v[i].rr, ttl);
			hit++;
		}
	}
	rc = DD_EINVAL;
	if (hit == 0) {
		dd_err_set(err, "record ttl: no %s %s in zone %s", name,
		    type_str(type, tb, sizeof(tb)), origin_str(z, ob, sizeof(ob)));
		goto out;
	}
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, "record ttl", &r, err)) == 0)
		snprintf(msg, msglen, "record ttl %s %s: TTL %u on %zu record%s",
		    name, type_str(type, tb, sizeof(tb)), ttl, hit, hit == 1 ? "" : "s");
out:
	recs_free(&r);
	return rc;
}

/* ---------------- delegations ---------------- */

/* The parent zone of child (lower-case wire, below its origin). */
static const struct zone *
parent_of(struct zoneset *zs, const uint8_t *child, const char *what,
    struct dd_err *err)
{
	const struct zone *z;
	char nb[DNS_MAX_NAME * 4 + 1];

	if (child[0] == 0) {
		dd_err_set(err, "%s: the root has no parent", what);
		return NULL;
	}
	if ((z = zoneset_find(zs, child + 1 + child[0])) == NULL)
		dd_err_set(err, "%s: faultd serves no parent zone of %s", what,
		    dns_name_to_str(child, nb, sizeof(nb)));
	return z;
}

static bool
keep_not_under(const ldns_rr *rr, const void *child)
{
	return !owner_under(rr, child);
}

int
zone_edit_deleg_del(struct zoneset *zs, const char *child, char *msg,
    size_t msglen, struct dd_err *err)
{
	struct ze_recs r = { 0 };
	const struct zone *z;
	uint8_t w[DNS_MAX_NAME];
	char ob[DNS_MAX_NAME * 4 + 1];
	bool deleg = false;
	size_t gone;
	int rc;

	if (name_wire(child, w, err, "delegation del") < 0 ||
	    (z = parent_of(zs, w, "delegation del", err)) == NULL)
		return DD_EINVAL;
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	for (size_t i = 0; i < r.n && !deleg; i++)
		deleg = ldns_rr_get_type(r.v[i].rr) == LDNS_RR_TYPE_NS &&
		    owner_is(r.v[i].rr, w);
	rc = DD_EINVAL;
	if (!deleg) {
		dd_err_set(err, "delegation del: zone %s has no delegation of %s "
		    "(no NS records there)", origin_str(z, ob, sizeof(ob)), child);
		goto out;
	}
	recs_filter(&r, keep_not_under, w, &gone);
	origin_str(z, ob, sizeof(ob));
	if ((rc = commit(zs, z, "delegation del", &r, err)) == 0)
		snprintf(msg, msglen, "delegation del %s: %zu records removed from "
		    "zone %s (NXDOMAIN at and below it)", child, gone, ob);
out:
	recs_free(&r);
	return rc;
}

int
zone_edit_deleg_set(struct zoneset *zs, const char *child,
    const char *const *names, size_t n, char *msg, size_t msglen,
    struct dd_err *err)
{
	struct ze_recs r = { 0 };
	const struct zone *z;
	uint8_t w[DNS_MAX_NAME];
	char ob[DNS_MAX_NAME * 4 + 1];
	size_t old_n;
	int rc;

	if (name_wire(child, w, err, "delegation set") < 0 ||
	    (z = parent_of(zs, w, "delegation set", err)) == NULL)
		return DD_EINVAL;
	if ((rc = zone_export(z, &r, err)) < 0)
		return rc;
	rc = set_ns(&r, w, names, n, apex_ns_ttl(&r, zone_origin(z)),
	    "delegation set", &old_n, err);
	origin_str(z, ob, sizeof(ob));
	if (rc == 0 && (rc = commit(zs, z, "delegation set", &r, err)) == 0)
		snprintf(msg, msglen, "delegation set %s: %zu NS in zone %s (was %zu)",
		    child, n, ob, old_n);
	recs_free(&r);
	return rc;
}

/* ---------------- the control commands ---------------- */

/* The next space-separated word of *p into w (cap bytes); false when none
 * or too long. */
static bool
word(const char **p, char *w, size_t cap)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	if (n == 0 || n >= cap) {
		*p = s;
		return false;
	}
	memcpy(w, s, n);
	w[n] = '\0';
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	*p = s;
	return true;
}

static int
parse_ttl(const char *s, uint32_t *out, const char *what, struct dd_err *err)
{
	uint64_t v;

	if (dd_parse_u64(s, &v) < 0 || v > ZE_TTL_MAX) {
		dd_err_set(err, "%s: '%.40s' is not a TTL (seconds, 0 to 2147483647)",
		    what, s);
		return DD_EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
parse_type(const char *s, uint16_t *out, bool star, const char *what,
    struct dd_err *err)
{
	if (star && (strcmp(s, "*") == 0 || strcasecmp(s, "ANY") == 0)) {
		*out = 0;
		return 0;
	}
	*out = (uint16_t)ldns_get_rr_type_by_name(s);
	if (*out == 0 || *out == LDNS_RR_TYPE_OPT) {
		dd_err_set(err, "%s: unknown type '%.40s'", what, s);
		return DD_EINVAL;
	}
	return 0;
}

/* The rest of the line: name server names, into names[]. */
static int
parse_names(const char *p, char (*buf)[DNS_MAX_NAME * 4 + 1],
    const char **names, size_t *n, const char *what, struct dd_err *err)
{
	*n = 0;
	while (*p != '\0') {
		if (*n == ZE_NAMES_MAX || !word(&p, buf[*n], sizeof(buf[0]))) {
			dd_err_set(err, "%s: at most %d names, each a domain name",
			    what, ZE_NAMES_MAX);
			return DD_EINVAL;
		}
		names[*n] = buf[*n];
		(*n)++;
	}
	if (*n == 0) {
		dd_err_set(err, "%s: give the name server names", what);
		return DD_EINVAL;
	}
	return 0;
}

static int
text_cmd(struct zoneset *zs, const char *origin, const char *p, char *msg,
    size_t msglen, struct dd_err *err)
{
	char *text;
	size_t len;
	int rc;

	if ((rc = ctl_text_unescape(p, &text, &len, err)) < 0)
		return rc;
	if (origin != NULL)
		rc = zone_edit_set(zs, origin, text, len, msg, msglen, err);
	else
		rc = zone_edit_add(zs, text, len, msg, msglen, err);
	free(text);
	return rc;
}

static int
zone_sub(struct zoneset *zs, const char *sub, const char *p, struct dd_buf *data,
    char *msg, size_t msglen, struct dd_err *err)
{
	char origin[DNS_MAX_NAME * 4 + 1], w[64];
	char names_buf[ZE_NAMES_MAX][DNS_MAX_NAME * 4 + 1];
	const char *names[ZE_NAMES_MAX];
	size_t n;
	uint32_t ttl;

	if (!word(&p, origin, sizeof(origin))) {
		dd_err_set(err, "zone %s: give the zone's origin", sub);
		return DD_EINVAL;
	}
	if (strcmp(sub, "set") == 0)
		return text_cmd(zs, origin, p, msg, msglen, err);
	if (strcmp(sub, "ns") == 0) {
		if (parse_names(p, names_buf, names, &n, "zone ns", err) < 0)
			return DD_EINVAL;
		return zone_edit_ns(zs, origin, names, n, msg, msglen, err);
	}
	if (strcmp(sub, "ttl") == 0) {
		if (!word(&p, w, sizeof(w)) || *p != '\0') {
			dd_err_set(err, "zone ttl: zone ttl ORIGIN TTL");
			return DD_EINVAL;
		}
		if (parse_ttl(w, &ttl, "zone ttl", err) < 0)
			return DD_EINVAL;
		return zone_edit_zone_ttl(zs, origin, ttl, msg, msglen, err);
	}
	if (*p != '\0') {
		dd_err_set(err, "zone %s: unexpected '%.40s' after the origin", sub, p);
		return DD_EINVAL;
	}
	if (strcmp(sub, "reset") == 0)
		return zone_edit_reset(zs, origin, msg, msglen, err);
	if (strcmp(sub, "empty") == 0)
		return zone_edit_empty(zs, origin, msg, msglen, err);
	if (strcmp(sub, "show") == 0) {
		msg[0] = '\0';
		return zone_edit_show(zs, origin, data, err);
	}
	dd_err_set(err, "zone: unknown subcommand '%s' (set, reset, empty, ttl, "
	    "ns, show)", sub);
	return DD_EINVAL;
}

static int
record_sub(struct zoneset *zs, const char *sub, const char *p, char *msg,
    size_t msglen, struct dd_err *err)
{
	char name[DNS_MAX_NAME * 4 + 1], t[64], v[64];
	uint16_t type = 0;
	uint32_t ttl;

	if (strcmp(sub, "add") == 0)
		return text_cmd(zs, NULL, p, msg, msglen, err);
	if (strcmp(sub, "del") == 0) {
		if (!word(&p, name, sizeof(name))) {
			dd_err_set(err, "record del: record del NAME [TYPE [DATA]]");
			return DD_EINVAL;
		}
		if (word(&p, t, sizeof(t)) && parse_type(t, &type, true,
		    "record del", err) < 0)
			return DD_EINVAL;
		return zone_edit_del(zs, name, type, p, msg, msglen, err);
	}
	if (strcmp(sub, "ttl") == 0) {
		if (!word(&p, name, sizeof(name)) || !word(&p, t, sizeof(t)) ||
		    !word(&p, v, sizeof(v)) || *p != '\0') {
			dd_err_set(err, "record ttl: record ttl NAME TYPE|* TTL");
			return DD_EINVAL;
		}
		if (parse_type(t, &type, true, "record ttl", err) < 0 ||
		    parse_ttl(v, &ttl, "record ttl", err) < 0)
			return DD_EINVAL;
		return zone_edit_ttl(zs, name, type, ttl, msg, msglen, err);
	}
	dd_err_set(err, "record: unknown subcommand '%s' (add, del, ttl)", sub);
	return DD_EINVAL;
}

static int
deleg_sub(struct zoneset *zs, const char *sub, const char *p, char *msg,
    size_t msglen, struct dd_err *err)
{
	char child[DNS_MAX_NAME * 4 + 1];
	char names_buf[ZE_NAMES_MAX][DNS_MAX_NAME * 4 + 1];
	const char *names[ZE_NAMES_MAX];
	size_t n;

	if (!word(&p, child, sizeof(child))) {
		dd_err_set(err, "delegation %s: give the child zone's name", sub);
		return DD_EINVAL;
	}
	if (strcmp(sub, "del") == 0) {
		if (*p != '\0') {
			dd_err_set(err, "delegation del: unexpected '%.40s'", p);
			return DD_EINVAL;
		}
		return zone_edit_deleg_del(zs, child, msg, msglen, err);
	}
	if (strcmp(sub, "set") == 0) {
		if (parse_names(p, names_buf, names, &n, "delegation set", err) < 0)
			return DD_EINVAL;
		return zone_edit_deleg_set(zs, child, names, n, msg, msglen, err);
	}
	dd_err_set(err, "delegation: unknown subcommand '%s' (del, set)", sub);
	return DD_EINVAL;
}

int
zone_edit_cmd(struct zoneset *zs, const char *cmd, const char *args,
    struct dd_buf *data, char *msg, size_t msglen, struct dd_err *err)
{
	char sub[32];
	const char *p = args;

	if (zs == NULL) {
		dd_err_set(err, "%s: faultd serves no zones (no --zone)", cmd);
		return DD_EINVAL;
	}
	if (!word(&p, sub, sizeof(sub))) {
		dd_err_set(err, "%s: give a subcommand", cmd);
		return DD_EINVAL;
	}
	if (strcmp(cmd, "zone") == 0)
		return zone_sub(zs, sub, p, data, msg, msglen, err);
	if (strcmp(cmd, "record") == 0)
		return record_sub(zs, sub, p, msg, msglen, err);
	if (strcmp(cmd, "delegation") == 0)
		return deleg_sub(zs, sub, p, msg, msglen, err);
	dd_err_set(err, "unknown command '%s'", cmd);
	return DD_EINVAL;
}
