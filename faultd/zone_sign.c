/*
 * zone_sign.c -- signing faultd's zones with ldns and looking up what a
 * signed answer needs.
 *
 * Keys come from ldns-keygen files or are generated once (a KSK and a ZSK,
 * ECDSAP256SHA256) when the conf is built, so every reload signs with the
 * same keys.  A zone is signed by handing its records to ldns
 * (ldns_dnssec_zone_sign / _nsec3); the signed zone is then read back into
 * flat arrays of wire records:
 *   - sigs: every RRSIG keyed by (lower-case owner, type covered), sorted
 *     for a binary search;
 *   - deny: the NSEC or NSEC3 chain in canonical order, for "the greatest
 *     owner at or before this name" (a match or a cover);
 *   - names: every owner name of the zone (empty non-terminals included
 *     by their descendants), canonical order, for the closest encloser.
 * zone.c writes the records; it never sees ldns structures from here.
 */
#include "faultd/zone_sign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "lib/dnswire.h"

#define ZSIGN_MAX_ZONES  64
#define ZSIGN_MAX_KEYS   8

struct zsign_zconf {
	uint8_t origin[DNS_MAX_NAME];
	ldns_rdf *origin_rdf;
	ldns_key_list *keys;
	char *spec;
};

struct zsign_conf {
	struct zsign_zconf z[ZSIGN_MAX_ZONES];
	size_t n;
	bool nsec3;
};

struct zs_sig {
	struct zsign_rr rr;
	uint16_t covered;
	uint8_t owner_len;
};

struct zs_deny {
	ldns_rdf *owner;         /* for canonical comparisons */
	struct zsign_rr rr;
};

struct zsign {
	const struct zsign_zconf *zc;
	bool nsec3;
	struct zs_sig *sigs;
	struct zsign_rr *sig_rr; /* sigs[i].rr, contiguous, for zsign_sigs */
	size_t nsigs;
	struct zs_deny *deny;
	size_t ndeny;
	ldns_rdf **names;
	size_t nnames;
	uint8_t *blob;           /* owners and RDATA of sigs and deny */
	size_t blob_len, blob_cap;
};

/* ---- conf and keys ---- */

struct zsign_conf *
zsign_conf_new(void)
{
	return calloc(1, sizeof(struct zsign_conf));
}

void
zsign_conf_free(struct zsign_conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		ldns_rdf_deep_free(c->z[i].origin_rdf);
		if (c->z[i].keys != NULL)
			ldns_key_list_free(c->z[i].keys);
		free(c->z[i].spec);
	}
	free(c);
}

void
zsign_conf_set_nsec3(struct zsign_conf *c, bool on)
{
	c->nsec3 = on;
}

size_t
zsign_conf_count(const struct zsign_conf *c)
{
	return c ? c->n : 0;
}

const uint8_t *
zsign_conf_origin(const struct zsign_conf *c, size_t i)
{
	return i < c->n ? c->z[i].origin : NULL;
}

/* Owner, flags and key tag from the key's DNSKEY; the tag goes into every
 * RRSIG it makes. */
static int
key_finish(ldns_key *k, const ldns_rdf *owner, uint16_t flags)
{
	ldns_rr *rr;

	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(owner));
	ldns_key_set_flags(k, flags);
	if ((rr = ldns_key2rr(k)) == NULL)
		return DD_EINVAL;
	ldns_key_set_keytag(k, ldns_calc_keytag(rr));
	ldns_rr_free(rr);
	return 0;
}

static int
key_generate(struct zsign_zconf *z, const char *spec, struct dd_err *err)
{
	static const uint16_t flags[2] = { 257, 256 };

	for (int i = 0; i < 2; i++) {
		ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
		if (k == NULL || key_finish(k, z->origin_rdf, flags[i]) < 0 ||
		    !ldns_key_list_push_key(z->keys, k)) {
			ldns_key_free(k);
			dd_err_set(err, "--sign %s: cannot generate an ECDSAP256SHA256 key", spec);
			return DD_EINVAL;
		}
	}
	return 0;
}

/* BASE.private and BASE.key as ldns-keygen writes them. */
static int
key_load(struct zsign_zconf *z, const char *spec, const char *name,
    struct dd_err *err)
{
	char base[1024], path[1100];
	size_t n = strlen(name);
	ldns_key *k = NULL;
	ldns_rr *pub = NULL;
	ldns_status st;
	FILE *fp;
	int line = 1;

	if (n > 8 && strcmp(name + n - 8, ".private") == 0)
		n -= 8;
	else if (n > 4 && strcmp(name + n - 4, ".key") == 0)
		n -= 4;
	if (n == 0 || n >= sizeof(base)) {
		dd_err_set(err, "--sign %s: '%s' is not a key file name", spec, name);
		return DD_EINVAL;
	}
	memcpy(base, name, n);
	base[n] = '\0';
	snprintf(path, sizeof(path), "%s.private", base);
	if ((fp = fopen(path, "r")) == NULL) {
		dd_err_set(err, "--sign %s: %s: %s", spec, path, strerror(errno));
		return DD_EINVAL;
	}
	st = ldns_key_new_frm_fp_l(&k, fp, &line);
	fclose(fp);
	if (st != LDNS_STATUS_OK) {
		dd_err_set(err, "--sign %s: %s:%d: %s", spec, path, line,
		    ldns_get_errorstr_by_id(st));
		return DD_EINVAL;
	}
	snprintf(path, sizeof(path), "%s.key", base);
	if ((fp = fopen(path, "r")) == NULL) {
		dd_err_set(err, "--sign %s: %s: %s", spec, path, strerror(errno));
		ldns_key_deep_free(k);
		return DD_EINVAL;
	}
	st = ldns_rr_new_frm_fp(&pub, fp, NULL, NULL, NULL);
	fclose(fp);
	if (st != LDNS_STATUS_OK || ldns_rr_get_type(pub) != LDNS_RR_TYPE_DNSKEY) {
		dd_err_set(err, "--sign %s: %s:1: not a DNSKEY record", spec, path);
		ldns_rr_free(pub);
		ldns_key_deep_free(k);
		return DD_EINVAL;
	}
	if (ldns_dname_compare(ldns_rr_owner(pub), z->origin_rdf) != 0) {
		dd_err_set(err, "--sign %s: %s:1: the key belongs to another zone", spec, path);
		ldns_rr_free(pub);
		ldns_key_deep_free(k);
		return DD_EINVAL;
	}
	if (key_finish(k, z->origin_rdf, ldns_rdf2native_int16(ldns_rr_rdf(pub, 0))) < 0 ||
	    !ldns_key_list_push_key(z->keys, k)) {
		dd_err_set(err, "--sign %s: %s: cannot use the key", spec, path);
		ldns_rr_free(pub);
		ldns_key_deep_free(k);
		return DD_EINVAL;
	}
	ldns_rr_free(pub);
	return 0;
}

int
zsign_conf_add(struct zsign_conf *c, const char *spec, struct dd_err *err)
{
	struct zsign_zconf *z;
	char *copy, *colon, *save = NULL, *tok;
	int rc = DD_EINVAL;

	if (c->n == ZSIGN_MAX_ZONES) {
		dd_err_set(err, "--sign %s: at most %d signed zones", spec, ZSIGN_MAX_ZONES);
		return DD_EINVAL;
	}
	if ((copy = strdup(spec)) == NULL) {
		dd_err_set(err, "--sign %s: out of memory", spec);
		return DD_ENOMEM;
	}
	z = &c->z[c->n];
	memset(z, 0, sizeof(*z));
	if ((colon = strchr(copy, ':')) != NULL)
		*colon = '\0';
	if (dns_name_from_str(copy, z->origin, sizeof(z->origin)) < 0 ||
	    ldns_str2rdf_dname(&z->origin_rdf, copy) != LDNS_STATUS_OK) {
		dd_err_set(err, "--sign %s: '%s' is not a domain name", spec, copy);
		goto fail;
	}
	dns_name_lower(z->origin);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp((const char *)c->z[i].origin, (const char *)z->origin) == 0 &&
		    dns_name_len(c->z[i].origin) == dns_name_len(z->origin)) {
			dd_err_set(err, "--sign %s: zone %s is already signed (--sign %s)",
			    spec, copy, c->z[i].spec);
			goto fail;
		}
	if ((z->keys = ldns_key_list_new()) == NULL || (z->spec = strdup(spec)) == NULL) {
		rc = DD_ENOMEM;
		dd_err_set(err, "--sign %s: out of memory", spec);
		goto fail;
	}
	if (colon == NULL) {
		if ((rc = key_generate(z, spec, err)) < 0)
			goto fail;
	} else {
		for (tok = strtok_r(colon + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (ldns_key_list_key_count(z->keys) == ZSIGN_MAX_KEYS) {
				dd_err_set(err, "--sign %s: at most %d keys", spec, ZSIGN_MAX_KEYS);
				goto fail;
			}
			if ((rc = key_load(z, spec, tok, err)) < 0)
				goto fail;
		}
		if (ldns_key_list_key_count(z->keys) == 0) {
			dd_err_set(err, "--sign %s: no key file after ':'", spec);
			rc = DD_EINVAL;
			goto fail;
		}
	}
	c->n++;
	free(copy);
	return 0;
fail:
	ldns_rdf_deep_free(z->origin_rdf);
	if (z->keys != NULL)
		ldns_key_list_free(z->keys);
	free(z->spec);
	memset(z, 0, sizeof(*z));
	free(copy);
	return rc;
}

static bool
key_is_ksk(const ldns_key *k)
{
	return (ldns_key_flags(k) & LDNS_KEY_SEP_KEY) != 0;
}

/* Does the zone have a key of each kind?  Used so a lone key signs all. */
static void
key_kinds(const ldns_key_list *kl, bool *ksk, bool *zsk)
{
	*ksk = *zsk = false;
	for (size_t i = 0; i < ldns_key_list_key_count(kl); i++) {
		if (key_is_ksk(ldns_key_list_key(kl, i)))
			*ksk = true;
		else
			*zsk = true;
	}
}

int
zsign_conf_write_ds(const struct zsign_conf *c, FILE *out)
{
	for (size_t i = 0; i < c->n; i++) {
		const ldns_key_list *kl = c->z[i].keys;
		bool ksk, zsk;

		key_kinds(kl, &ksk, &zsk);
		for (size_t j = 0; j < ldns_key_list_key_count(kl); j++) {
			ldns_key *k = ldns_key_list_key(kl, j);
			ldns_rr *key, *ds;
			if (ksk && !key_is_ksk(k))
				continue;
			if ((key = ldns_key2rr(k)) == NULL)
				return DD_ENOMEM;
			ds = ldns_key_rr2ds(key, LDNS_SHA256);
			ldns_rr_free(key);
			if (ds == NULL)
				return DD_ENOMEM;
			ldns_rr_print(out, ds);
			ldns_rr_free(ds);
		}
	}
	return ferror(out) ? DD_EIO : 0;
}

/* ---- signing a zone ---- */

static const struct zsign_zconf *
conf_find(const struct zsign_conf *c, const ldns_rdf *origin)
{
	for (size_t i = 0; c != NULL && i < c->n; i++)
		if (ldns_dname_compare(c->z[i].origin_rdf, origin) == 0)
			return &c->z[i];
	return NULL;
}

static void
keys_set_window(ldns_key_list *kl, uint32_t inception, uint32_t expiration)
{
	for (size_t i = 0; i < ldns_key_list_key_count(kl); i++) {
		ldns_key_set_inception(ldns_key_list_key(kl, i), inception);
		ldns_key_set_expiration(ldns_key_list_key(kl, i), expiration);
	}
}

/* Copy n bytes into the blob; returns the offset, or -1.  Pointers into
 * the blob are fixed up once it stops growing (zs_fixup). */
static long
blob_put(struct zsign *s, const void *p, size_t n)
{
	if (s->blob_len + n > s->blob_cap) {
		size_t nc = s->blob_cap ? s->blob_cap * 2 : 4096;
		while (nc < s->blob_len + n)
			nc *= 2;
		uint8_t *nb = realloc(s->blob, nc);
		if (nb == NULL)
			return -1;
		s->blob = nb;
		s->blob_cap = nc;
	}
	memcpy(s->blob + s->blob_len, p, n);
	s->blob_len += n;
	return (long)(s->blob_len - n);
}

/* A record into the blob: owner (lower case) and RDATA offsets kept in
 * the pointer fields as integers until zs_fixup. */
static int
rr_to_blob(struct zsign *s, const ldns_rr *rr, ldns_buffer *b, struct zsign_rr *out,
    uint8_t *owner_len)
{
	const ldns_rdf *ow = ldns_rr_owner(rr);
	uint8_t name[DNS_MAX_NAME];
	long o, d;

	if (ldns_rdf_size(ow) > sizeof(name))
		return DD_EINVAL;
	memcpy(name, ldns_rdf_data(ow), ldns_rdf_size(ow));
	dns_name_lower(name);
	ldns_buffer_clear(b);
	if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK ||
	    ldns_buffer_position(b) > 65535)
		return DD_EINVAL;
	if ((o = blob_put(s, name, ldns_rdf_size(ow))) < 0 ||
	    (d = blob_put(s, ldns_buffer_begin(b), ldns_buffer_position(b))) < 0)
		return DD_ENOMEM;
	out->owner = (const uint8_t *)(uintptr_t)o;
	out->rdata = (const uint8_t *)(uintptr_t)d;
	out->rdlen = (uint16_t)ldns_buffer_position(b);
	out->type = (uint16_t)ldns_rr_get_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	if (owner_len != NULL)
		*owner_len = (uint8_t)ldns_rdf_size(ow);
	return 0;
}

static int
sig_cmp(const void *a, const void *b)
{
	const struct zs_sig *x = a, *y = b;
	int c;

	if (x->owner_len != y->owner_len)
		return x->owner_len < y->owner_len ? -1 : 1;
	if ((c = memcmp(x->rr.owner, y->rr.owner, x->owner_len)) != 0)
		return c;
	return x->covered < y->covered ? -1 : x->covered > y->covered;
}

static int
deny_cmp(const void *a, const void *b)
{
	const struct zs_deny *x = a, *y = b;

	return ldns_dname_compare(x->owner, y->owner);
}

static int
rdfp_cmp(const void *a, const void *b)
{
	return ldns_dname_compare(*(ldns_rdf *const *)a, *(ldns_rdf *const *)b);
}

struct zs_walk {
	struct zsign *s;
	ldns_buffer *b;
	ldns_rr_list *extra;
	size_t cap_sigs, cap_deny, cap_names;
	int rc;
};

static void
walk_rr(struct zs_walk *w, ldns_rr *rr)
{
	struct zsign *s = w->s;
	ldns_rr_type t = ldns_rr_get_type(rr);

	if (w->rc < 0)
		return;
	if (t == LDNS_RR_TYPE_RRSIG) {
		if (s->nsigs == w->cap_sigs) {
			w->cap_sigs = w->cap_sigs ? w->cap_sigs * 2 : 64;
			void *n = realloc(s->sigs, w->cap_sigs * sizeof(*s->sigs));
			if (n == NULL) {
				w->rc = DD_ENOMEM;
				return;
			}
			s->sigs = n;
		}
		struct zs_sig *g = &s->sigs[s->nsigs];
		g->covered = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
		if ((w->rc = rr_to_blob(s, rr, w->b, &g->rr, &g->owner_len)) == 0)
			s->nsigs++;
	} else if (t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3) {
		if (s->ndeny == w->cap_deny) {
			w->cap_deny = w->cap_deny ? w->cap_deny * 2 : 64;
			void *n = realloc(s->deny, w->cap_deny * sizeof(*s->deny));
			if (n == NULL) {
				w->rc = DD_ENOMEM;
				return;
			}
			s->deny = n;
		}
		struct zs_deny *d = &s->deny[s->ndeny];
		d->owner = ldns_rdf_clone(ldns_rr_owner(rr));
		if (d->owner == NULL) {
			w->rc = DD_ENOMEM;
			return;
		}
		ldns_dname2canonical(d->owner);
		if ((w->rc = rr_to_blob(s, rr, w->b, &d->rr, NULL)) == 0)
			s->ndeny++;
		else
			ldns_rdf_deep_free(d->owner);
	} else if (t == LDNS_RR_TYPE_DNSKEY || t == LDNS_RR_TYPE_NSEC3PARAM) {
		ldns_rr *cl = ldns_rr_clone(rr);
		if (cl == NULL || !ldns_rr_list_push_rr(w->extra, cl)) {
			ldns_rr_free(cl);
			w->rc = DD_ENOMEM;
		}
	}
}

static void
walk_rrs(struct zs_walk *w, ldns_dnssec_rrs *r)
{
	for (; r != NULL; r = r->next)
		walk_rr(w, r->rr);
}

static void
walk_name(struct zs_walk *w, ldns_dnssec_name *nm)
{
	struct zsign *s = w->s;

	if (s->nnames == w->cap_names) {
		w->cap_names = w->cap_names ? w->cap_names * 2 : 64;
		void *n = realloc(s->names, w->cap_names * sizeof(*s->names));
		if (n == NULL) {
			w->rc = DD_ENOMEM;
			return;
		}
		s->names = n;
	}
	if ((s->names[s->nnames] = ldns_rdf_clone(nm->name)) == NULL) {
		w->rc = DD_ENOMEM;
		return;
	}
	ldns_dname2canonical(s->names[s->nnames++]);
	for (ldns_dnssec_rrsets *set = nm->rrsets; set != NULL; set = set->next) {
		walk_rrs(w, set->rrs);
		walk_rrs(w, set->signatures);
	}
	if (nm->nsec != NULL)
		walk_rr(w, nm->nsec);
	walk_rrs(w, nm->nsec_signatures);
}

static int
zs_fixup(struct zsign *s)
{
	for (size_t i = 0; i < s->nsigs; i++) {
		s->sigs[i].rr.owner = s->blob + (uintptr_t)s->sigs[i].rr.owner;
		s->sigs[i].rr.rdata = s->blob + (uintptr_t)s->sigs[i].rr.rdata;
	}
	for (size_t i = 0; i < s->ndeny; i++) {
		s->deny[i].rr.owner = s->blob + (uintptr_t)s->deny[i].rr.owner;
		s->deny[i].rr.rdata = s->blob + (uintptr_t)s->deny[i].rr.rdata;
	}
	qsort(s->sigs, s->nsigs, sizeof(*s->sigs), sig_cmp);
	qsort(s->deny, s->ndeny, sizeof(*s->deny), deny_cmp);
	qsort(s->names, s->nnames, sizeof(*s->names), rdfp_cmp);
	if (s->nsigs > 0 && (s->sig_rr = calloc(s->nsigs, sizeof(*s->sig_rr))) == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < s->nsigs; i++)
		s->sig_rr[i] = s->sigs[i].rr;
	return 0;
}

void
zsign_free(struct zsign *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ndeny; i++)
		ldns_rdf_deep_free(s->deny[i].owner);
	for (size_t i = 0; i < s->nnames; i++)
		ldns_rdf_deep_free(s->names[i]);
	free(s->deny);
	free(s->names);
	free(s->sigs);
	free(s->sig_rr);
	free(s->blob);
	free(s);
}

int
zsign_zone(const struct zsign_conf *c, const char *file, const ldns_rr_list *rrs,
    ldns_rr_list **extra, struct zsign **out, struct dd_err *err)
{
	const struct zsign_zconf *zc = NULL;
	ldns_dnssec_zone *dz = NULL;
	ldns_rr_list *added = NULL;
	struct zs_walk w = { 0 };
	ldns_status st;
	uint32_t now = (uint32_t)time(NULL), key_ttl = 0;

	*out = NULL;
	*extra = NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			zc = conf_find(c, ldns_rr_owner(rr));
			key_ttl = ldns_rr_ttl(rr);
			break;
		}
	}
	if (zc == NULL)
		return 0;
	w.rc = DD_ENOMEM;
	if ((w.s = calloc(1, sizeof(*w.s))) == NULL || (dz = ldns_dnssec_zone_new()) == NULL ||
	    (added = ldns_rr_list_new()) == NULL || (w.extra = ldns_rr_list_new()) == NULL ||
	    (w.b = ldns_buffer_new(1024)) == NULL)
		goto fail;
	w.s->zc = zc;
	w.s->nsec3 = c->nsec3;
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		ldns_rr *cl = ldns_rr_clone(ldns_rr_list_rr(rrs, i));
		if (cl == NULL || ldns_dnssec_zone_add_rr(dz, cl) != LDNS_STATUS_OK) {
			ldns_rr_free(cl);
			w.rc = DD_EINVAL;
			dd_err_set(err, "%s: cannot sign: a record ldns refuses", file);
			goto fail;
		}
	}
	/* the DNSKEYs at the apex, with the SOA's TTL (the zone's, so a short
	 * TTL in a test zone expires the keys as soon as the rest), then the
	 * signatures and the chain */
	for (size_t i = 0; i < ldns_key_list_key_count(zc->keys); i++) {
		ldns_rr *k = ldns_key2rr(ldns_key_list_key(zc->keys, i));
		if (k != NULL)
			ldns_rr_set_ttl(k, key_ttl);
		if (k == NULL || ldns_dnssec_zone_add_rr(dz, k) != LDNS_STATUS_OK) {
			ldns_rr_free(k);
			goto fail;
		}
	}
	keys_set_window(zc->keys, now - ZSIGN_INCEPTION_BEFORE, now + ZSIGN_EXPIRATION_AFTER);
	if (c->nsec3)
		st = ldns_dnssec_zone_sign_nsec3(dz, added, zc->keys,
		    ldns_dnssec_default_replace_signatures, NULL, LDNS_SHA1, 0, 0, 0, NULL);
	else
		st = ldns_dnssec_zone_sign(dz, added, zc->keys,
		    ldns_dnssec_default_replace_signatures, NULL);
	if (st != LDNS_STATUS_OK) {
		w.rc = DD_EINVAL;
		dd_err_set(err, "%s: cannot sign: %s", file, ldns_get_errorstr_by_id(st));
		goto fail;
	}
	w.rc = 0;
	for (ldns_rbnode_t *n = ldns_rbtree_first(dz->names); n != LDNS_RBTREE_NULL;
	    n = ldns_rbtree_next(n))
		walk_name(&w, (ldns_dnssec_name *)(uintptr_t)n->data);
	if (w.rc < 0)
		goto fail;
	if ((w.rc = zs_fixup(w.s)) < 0)
		goto fail;
	ldns_buffer_free(w.b);
	ldns_rr_list_free(added);       /* the records are the zone's */
	ldns_dnssec_zone_deep_free(dz);
	*extra = w.extra;
	*out = w.s;
	return 0;
fail:
	if (w.rc == DD_ENOMEM)
		dd_err_set(err, "%s: cannot sign: out of memory", file);
	ldns_buffer_free(w.b);
	ldns_rr_list_deep_free(w.extra);
	ldns_rr_list_free(added);
	ldns_dnssec_zone_deep_free(dz);
	zsign_free(w.s);
	return w.rc < 0 ? w.rc : DD_EINVAL;
}

/* ---- lookups ---- */

size_t
zsign_sigs(const struct zsign *s, const uint8_t *name, uint16_t type,
    const struct zsign_rr **out)
{
	struct zs_sig key;
	size_t lo = 0, hi, len = dns_name_len(name), first;

	if (s == NULL || s->nsigs == 0)
		return 0;
	key.rr.owner = name;
	key.owner_len = (uint8_t)len;
	key.covered = type;
	hi = s->nsigs;
	while (lo < hi) {               /* the first entry >= key */
		size_t mid = lo + (hi - lo) / 2;
		if (sig_cmp(&s->sigs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < s->nsigs && sig_cmp(&s->sigs[lo], &key) == 0)
		lo++;
	*out = first < s->nsigs ? &s->sig_rr[first] : NULL;
	return lo - first;
}

/* The index of the greatest element <= name in a canonical array, or -1. */
static long
floor_index(const struct zsign *s, const ldns_rdf *name, bool chain)
{
	size_t lo = 0, hi = chain ? s->ndeny : s->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const ldns_rdf *m = chain ? s->deny[mid].owner : s->names[mid];
		if (ldns_dname_compare(m, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* Does name exist (own records, or an empty non-terminal above some)? */
static bool
name_exists(const struct zsign *s, const ldns_rdf *name)
{
	long i = floor_index(s, name, false);
	size_t next = (size_t)(i + 1);

	if (i >= 0 && ldns_dname_compare(s->names[i], name) == 0)
		return true;
	/* descendants follow their ancestor in canonical order */
	return next < s->nnames && ldns_dname_is_subdomain(s->names[next], name);
}

struct deny_out {
	const struct zsign *s;
	const struct zsign_rr **out;
	size_t n;
	long done[4];
	int ndone;
};

/* Add the chain record at index i and its RRSIGs, once. */
static void
deny_add(struct deny_out *o, long i)
{
	const struct zsign_rr *sig;
	size_t ns;

	if (i < 0)
		return;
	for (int k = 0; k < o->ndone; k++)
		if (o->done[k] == i)
			return;
	if (o->ndone < 4)
		o->done[o->ndone++] = i;
	if (o->n < ZSIGN_DENY_MAX)
		o->out[o->n++] = &o->s->deny[i].rr;
	ns = zsign_sigs(o->s, o->s->deny[i].rr.owner, o->s->deny[i].rr.type, &sig);
	for (size_t k = 0; k < ns && o->n < ZSIGN_DENY_MAX; k++)
		o->out[o->n++] = &sig[k];
}

/* The chain record matching (exact) or else covering name: for NSEC the
 * name itself, for NSEC3 its hash under the origin. */
static long
chain_for(const struct zsign *s, const ldns_rdf *name, bool *match)
{
	ldns_rdf *key = (ldns_rdf *)(uintptr_t)name, *h = NULL;
	long i;

	if (s->ndeny == 0)
		return -1;
	if (s->nsec3) {
		h = ldns_nsec3_hash_name(name, LDNS_SHA1, 0, 0, NULL);
		if (h == NULL || ldns_dname_cat(h, s->zc->origin_rdf) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(h);
			return -1;
		}
		ldns_dname2canonical(h);
		key = h;
	}
	i = floor_index(s, key, true);
	if (i < 0)
		i = (long)s->ndeny - 1;     /* before the first: the last wraps */
	*match = ldns_dname_compare(s->deny[i].owner, key) == 0;
	ldns_rdf_deep_free(h);
	return i;
}

/* The closest encloser of name (which does not exist), and the next closer
 * name (one label longer, an ancestor-or-self of name). */
static ldns_rdf *
closest_encloser(const struct zsign *s, const ldns_rdf *name, ldns_rdf **next_closer)
{
	ldns_rdf *cur = ldns_rdf_clone(name), *up;

	*next_closer = NULL;
	while (cur != NULL && ldns_dname_label_count(cur) > 0 && !name_exists(s, cur)) {
		up = ldns_dname_left_chop(cur);
		ldns_rdf_deep_free(*next_closer);
		*next_closer = cur;
		cur = up;
	}
	return cur;
}

static ldns_rdf *
wildcard_of(const ldns_rdf *ce)
{
	ldns_rdf *w = ldns_dname_new_frm_str("*");

	if (w != NULL && ldns_dname_cat(w, ce) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(w);
		return NULL;
	}
	return w;
}

size_t
zsign_denial(const struct zsign *s, enum zsign_deny kind, const uint8_t *name,
    const struct zsign_rr **out)
{
	struct deny_out o = { .s = s, .out = out };
	ldns_rdf *nm, *ce = NULL, *nc = NULL, *wc = NULL;
	bool match;

	if (s == NULL || s->ndeny == 0)
		return 0;
	nm = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, dns_name_len(name), name);
	if (nm == NULL)
		return 0;
	switch (kind) {
	case ZSIGN_NODATA:
	case ZSIGN_REFERRAL:
		/* NSEC: the name's own record; an empty non-terminal has none,
		 * its cover proves it has no types (RFC 4035 3.1.3.2) */
		deny_add(&o, chain_for(s, nm, &match));
		break;
	case ZSIGN_NXDOMAIN:
	case ZSIGN_WILDCARD:
	case ZSIGN_WILDCARD_NODATA:
		ce = closest_encloser(s, nm, &nc);
		if (ce == NULL)
			break;
		if (!s->nsec3) {
			deny_add(&o, chain_for(s, nm, &match));
			if (kind == ZSIGN_NXDOMAIN && (wc = wildcard_of(ce)) != NULL)
				deny_add(&o, chain_for(s, wc, &match));
			else if (kind == ZSIGN_WILDCARD_NODATA && (wc = wildcard_of(ce)) != NULL)
				deny_add(&o, chain_for(s, wc, &match));
			break;
		}
		/* NSEC3: the next closer is covered; the closest encloser
		 * matched (not needed for an answer from a wildcard: RFC 5155
		 * 7.2.6); the wildcard covered, or matched for its NODATA */
		if (kind != ZSIGN_WILDCARD)
			deny_add(&o, chain_for(s, ce, &match));
		if (nc != NULL)
			deny_add(&o, chain_for(s, nc, &match));
		if (kind != ZSIGN_WILDCARD && (wc = wildcard_of(ce)) != NULL)
			deny_add(&o, chain_for(s, wc, &match));
		break;
	}
	ldns_rdf_deep_free(nm);
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(nc);
	ldns_rdf_deep_free(wc);
	return o.n;
}

ldns_rr_list *
zsign_resign(const struct zsign *s, ldns_rr_list *rrset, uint32_t inception,
    uint32_t expiration)
{
	ldns_key_list *kl;
	ldns_rr_list *sigs;
	bool ksk, zsk, dnskey;

	if (s == NULL || rrset == NULL || ldns_rr_list_rr_count(rrset) == 0)
		return NULL;
	kl = s->zc->keys;
	dnskey = ldns_rr_get_type(ldns_rr_list_rr(rrset, 0)) == LDNS_RR_TYPE_DNSKEY;
	key_kinds(kl, &ksk, &zsk);
	for (size_t i = 0; i < ldns_key_list_key_count(kl); i++) {
		ldns_key *k = ldns_key_list_key(kl, i);
		bool use = dnskey ? (!ksk || key_is_ksk(k)) : (!zsk || !key_is_ksk(k));
		ldns_key_set_use(k, use);
	}
	keys_set_window(kl, inception, expiration);
	sigs = ldns_sign_public(rrset, kl);
	ldns_key_list_set_use(kl, true);
	return sigs;
}
