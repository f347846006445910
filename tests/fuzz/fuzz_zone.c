/*
 * fuzz_zone.c -- faultd's zone loader (faultd/zone_file.c, faultd/zone.c):
 * the input as a zone file through zoneset_load(); when it loads, queries
 * for the names in it (each record's owner and type, ANY, a name below it,
 * the origin's SOA and NS) answered by zone_answer().
 *
 * Checked (abort() when not so): a refused file says why in printable
 * ASCII only (the file's bytes stay out of the run's output, issue 10 bug
 * 9), naming the file; every answer is a well-formed DNS message (ldns)
 * with the query's ID and question, and the same again from the cache.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/zone.h"
#include "lib/dnswire.h"
#include "lib/log.h"
#include "tests/fuzz/fuzzlib.h"

static struct fuzz_file F;
static uint8_t OUT[65535], OUT2[65535];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_zone", LOG_LVL_ERROR);
	fuzz_file_init(&F);
	return 0;
}

/* A query for the wire name (uncompressed, case as given) and type. */
static size_t
make_query(uint8_t *buf, size_t cap, const uint8_t *name, size_t nlen, uint16_t type,
    bool edns)
{
	struct dns_writer w;

	dns_w_init(&w, buf, cap);
	dns_w_u16(&w, 0x5151);
	dns_w_u16(&w, DNS_RD);
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, edns ? 1 : 0);
	dns_w_bytes(&w, name, nlen);
	dns_w_u16(&w, type);
	dns_w_u16(&w, DNS_C_IN);
	if (edns)
		dns_w_opt(&w, 4096, true);
	return w.overflow ? 0 : w.len;
}

static void
ask(struct zoneset *zs, const uint8_t *name, size_t nlen, uint16_t type, bool edns)
{
	uint8_t query[600];
	struct dns_query q;
	const struct zone *z;
	size_t qlen = make_query(query, sizeof(query), name, nlen, type, edns);
	size_t n = 0, n2 = 0;
	int rc;

	if (qlen == 0 || dns_parse_query(query, qlen, &q) != 0)
		return;       /* not a name a client could ask for */
	if ((z = zoneset_find(zs, q.qname)) == NULL)
		return;
	rc = zone_answer(zs, z, query, &q, OUT, sizeof(OUT), &n);
	if (rc == DD_ENOSPACE)
		return;       /* faultd answers SERVFAIL then */
	FUZZ_CHECK(rc == 0 && n > 0, "zone_answer: %d", rc);
	fuzz_check_reply(OUT, n, 0x5151, true);
	FUZZ_CHECK(dns_get16(OUT + 4) == 1 &&
	    memcmp(OUT + DNS_HDR_LEN, query + DNS_HDR_LEN, q.question_end - DNS_HDR_LEN) == 0,
	    "question not as sent");
	/* again: from the cache now, the same bytes */
	rc = zone_answer(zs, z, query, &q, OUT2, sizeof(OUT2), &n2);
	FUZZ_CHECK(rc == 0 && n2 == n && memcmp(OUT, OUT2, n) == 0, "the cached answer differs");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zoneset *zs = NULL;
	struct dd_err err = { "" };
	const char *files[1] = { F.path };

	fuzz_file_put(&F, data, size);
	if (zoneset_load(&zs, files, 1, &err) != 0) {
		FUZZ_CHECK(zs == NULL, "refused, yet a zoneset");
		FUZZ_CHECK(strncmp(err.msg, F.path, strlen(F.path)) == 0, "message '%s' does not "
		    "name the file", err.msg);
		for (const char *p = err.msg; *p; p++)
			FUZZ_CHECK(*p >= 0x20 && *p < 0x7f, "message '%s' quotes a raw byte %02x",
			    err.msg, (unsigned char)*p);
		return 0;
	}
	FUZZ_CHECK(zs != NULL && zoneset_count(zs) == 1, "loaded, yet no zone");
	if (zoneset_cache_set(zs, 64) != 0)
		abort();

	/* the names the file has, as zone_file_read sees them */
	struct zone_rec *recs = NULL;
	size_t nrecs = 0;

	FUZZ_CHECK(zone_file_read(F.path, &recs, &nrecs, &err) == 0, "loads once, not twice");
	for (size_t i = 0; i < nrecs && i < 64; i++) {
		ldns_rr *rr = recs[i].rr;
		const ldns_rdf *owner = ldns_rr_owner(rr);
		const uint8_t *w = ldns_rdf_data(owner);
		size_t wl = ldns_rdf_size(owner);
		uint8_t child[DNS_MAX_NAME + 8];

		ask(zs, w, wl, (uint16_t)ldns_rr_get_type(rr), i & 1);
		if (i < 8) {
			ask(zs, w, wl, DNS_T_ANY, false);
			ask(zs, w, wl, DNS_T_A, true);
			/* a name below it (wildcards, delegations, NXDOMAIN) */
			if (wl + 2 <= DNS_MAX_NAME) {
				child[0] = 1;
				child[1] = 'Q';
				memcpy(child + 2, w, wl);
				ask(zs, child, wl + 2, DNS_T_AAAA, false);
			}
		}
	}
	zone_recs_free(recs, nrecs);
	zoneset_free(zs);
	return 0;
}
