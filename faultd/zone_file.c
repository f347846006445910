/*
 * zone_file.c -- reading one RFC 1035 zone file into ldns records, each with
 * the line it starts on, for zone.c to build its lookup structure from.
 *
 * ldns reads the records one at a time (ldns_rr_new_frm_fp_l) so every
 * message can name the line of the record it is about; ldns's own line
 * counter lands on the line after a record, so the start line is found
 * here from the file's text.  ldns is also lenient where a chaos tool must
 * not be (a TTL of "3x00" silently becomes 3, "$TTL abc" becomes 0, an
 * unknown type is only "could not parse the RR's rdata"), so the head of
 * every record -- owner, TTL, class, type -- is checked here first.
 */
#include "faultd/zone.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#define TTL_UNSET           0xffffffffu
#define TTL_MAX             0x7fffffffu

/* What an error message quotes of unparsable input: at most QUOTE_MAX
 * characters, anything not printable ASCII (or a quote or backslash) as
 * \xHH, "..." when cut; the file's bytes stay out of the run's output. */
#define QUOTE_MAX 16
#define QUOTE_LEN (QUOTE_MAX * 4 + 4)

static const char *
quote(const char *s, size_t n, char *buf)
{
	size_t o = 0;

	for (size_t i = 0; i < n && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\')
			o += (size_t)snprintf(buf + o, QUOTE_LEN - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (n > QUOTE_MAX)
		o += (size_t)snprintf(buf + o, QUOTE_LEN - o, "...");
	buf[o] = '\0';
	return buf;
}

struct zparse {
	const char *file;
	char *buf;
	size_t size;
	struct zone_rec *recs;
	size_t nrecs, cap;
	struct dd_err *err;
};

static bool
tok_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == ';' || c == '(' || c == ')';
}

/* Next token on the current physical line at *p; 0 when the line ends. */
static size_t
next_tok(const char **p, const char *end)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '(' || *s == ')'))
		s++;
	*p = s;
	if (s >= end || *s == '\n' || *s == ';')
		return 0;
	while (s < end && !tok_end(*s))
		s++;
	return (size_t)(s - *p);
}

/* A TTL as zone files write it: "3600", "1h30m", "2d"; at most 2^31-1. */
static bool
ttl_parse(const char *s, size_t n, uint32_t *out)
{
	uint64_t total = 0, cur = 0;
	bool digits = false, units = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			cur = cur * 10 + (uint64_t)(c - '0');
			digits = true;
			if (cur > TTL_MAX)
				return false;
			continue;
		}
		uint64_t mul;
		switch (tolower((unsigned char)c)) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 604800; break;
		default: return false;
		}
		if (!digits)
			return false;
		total += cur * mul;
		cur = 0;
		digits = false;
		units = true;
		if (total > TTL_MAX)
			return false;
	}
	if (digits)
		total += cur;
	else if (!units)
		return false;
	if (total > TTL_MAX)
		return false;
	*out = (uint32_t)total;
	return true;
}

static bool
tok_is(const char *t, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(t, word, n) == 0;
}

/*
 * Check the head of the record (or directive) starting at rec, on line
 * `line`, before ldns sees it.  May set *origin for the first record of a
 * file without $ORIGIN (so relative names in its RDATA resolve against the
 * SOA owner).  Returns 0 or DD_EINVAL with the message set.
 */
static int
check_head(struct zparse *zp, const char *rec, int line, ldns_rdf **origin,
    bool have_prev)
{
	const char *end = zp->buf + zp->size, *p = rec;
	char tok[256], q[QUOTE_LEN];
	size_t n;
	int ttls = 0, classes = 0;

	if (*rec == '$') {
		n = next_tok(&p, end);
		if (tok_is(p, n, "$ORIGIN"))
			return 0;
		if (tok_is(p, n, "$TTL")) {
			uint32_t v;
			p += n;
			n = next_tok(&p, end);
			if (n == 0 || !ttl_parse(p, n, &v)) {
				dd_err_set(zp->err, "%s:%d: bad $TTL '%s'", zp->file,
				    line, quote(p, n, q));
				return DD_EINVAL;
			}
			return 0;
		}
		dd_err_set(zp->err, "%s:%d: directive '%s' is not supported",
		    zp->file, line, quote(p, n, q));
		return DD_EINVAL;
	}
	if (*rec != ' ' && *rec != '\t') {
		n = next_tok(&p, end);
		if (*origin == NULL) {
			if (n == 0 || n >= sizeof(tok) || p[n - 1] != '.') {
				dd_err_set(zp->err, "%s:%d: relative owner '%s' "
				    "with no $ORIGIN before it", zp->file, line,
				    quote(p, n, q));
				return DD_EINVAL;
			}
			memcpy(tok, p, n);
			tok[n] = '\0';
			if ((*origin = ldns_dname_new_frm_str(tok)) == NULL) {
				dd_err_set(zp->err, "%s:%d: bad owner name '%s'",
				    zp->file, line, quote(tok, n, q));
				return DD_EINVAL;
			}
		}
		p += n;
	} else if (!have_prev) {
		dd_err_set(zp->err, "%s:%d: record without an owner name",
		    zp->file, line);
		return DD_EINVAL;
	}
	/* [TTL] [class] type, TTL and class in either order */
	while ((n = next_tok(&p, end)) != 0) {
		if (n >= sizeof(tok))
			n = sizeof(tok) - 1;
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (isdigit((unsigned char)tok[0]) && ttls == 0) {
			uint32_t v;
			if (!ttl_parse(tok, n, &v)) {
				dd_err_set(zp->err, "%s:%d: bad TTL '%s'", zp->file,
				    line, quote(tok, n, q));
				return DD_EINVAL;
			}
			ttls++;
			continue;
		}
		if (classes == 0 && (tok_is(tok, n, "IN") || tok_is(tok, n, "CH") ||
		    tok_is(tok, n, "HS") || tok_is(tok, n, "CS") ||
		    (n > 5 && strncasecmp(tok, "CLASS", 5) == 0))) {
			if (!tok_is(tok, n, "IN") && !tok_is(tok, n, "CLASS1")) {
				dd_err_set(zp->err, "%s:%d: class %s is not supported "
				    "(only IN)", zp->file, line, quote(tok, n, q));
				return DD_EINVAL;
			}
			classes++;
			continue;
		}
		if (ldns_get_rr_type_by_name(tok) == 0) {
			dd_err_set(zp->err, "%s:%d: unknown type '%s'", zp->file,
			    line, quote(tok, n, q));
			return DD_EINVAL;
		}
		if (ldns_get_rr_type_by_name(tok) == LDNS_RR_TYPE_OPT) {
			dd_err_set(zp->err, "%s:%d: OPT does not belong in a zone",
			    zp->file, line);
			return DD_EINVAL;
		}
		break;
	}
	return 0;
}

static int
read_file(struct zparse *zp)
{
	FILE *fp = fopen(zp->file, "rb");
	size_t cap = 0;

	if (fp == NULL) {
		dd_err_set(zp->err, "%s: cannot open: %s", zp->file, strerror(errno));
		return DD_EINVAL;
	}
	for (;;) {
		if (zp->size + 4096 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 16384;
			char *nb = realloc(zp->buf, ncap);
			if (nb == NULL) {
				fclose(fp);
				return DD_ENOMEM;
			}
			zp->buf = nb;
			cap = ncap;
		}
		size_t got = fread(zp->buf + zp->size, 1, cap - zp->size - 1, fp);
		zp->size += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		dd_err_set(zp->err, "%s: read error", zp->file);
		fclose(fp);
		return DD_EINVAL;
	}
	fclose(fp);
	zp->buf[zp->size] = '\0';
	return 0;
}

/* Parse the whole file into zp->recs, TTLs resolved. */
static int
parse_file(struct zparse *zp)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t dollar_ttl = 0, last_ttl = 0, soa_min = 0;
	bool have_dollar = false, have_last = false, have_soa = false;
	size_t pos = 0, counted = 0;
	int line = 1, rc = 0;
	FILE *fp = NULL;

	if (zp->buf == NULL && (rc = read_file(zp)) < 0)
		return rc;
	if (zp->size > 0 && (fp = fmemopen(zp->buf, zp->size, "r")) == NULL) {
		dd_err_set(zp->err, "%s: %s", zp->file, strerror(errno));
		return DD_EINVAL;
	}
	while (fp != NULL) {
		const char *s;
		int rec_line;
		long at = ftell(fp);

		if (at < 0)
			break;
		pos = (size_t)at;
		for (; counted < pos && counted < zp->size; counted++)
			if (zp->buf[counted] == '\n')
				line++;
		/* find where the next record starts, and its line */
		rec_line = line;
		s = zp->buf + pos;
		const char *lstart = s;
		while (*s != '\0') {
			if (*s == '\n') {
				rec_line++;
				lstart = ++s;
			} else if (*s == ' ' || *s == '\t' || *s == '\r') {
				s++;
			} else if (*s == ';') {
				while (*s != '\0' && *s != '\n')
					s++;
			} else {
				break;
			}
		}
		if (*s == '\0')
			break;
		/* the head starts at the line's start when it is indented */
		if ((rc = check_head(zp, lstart == s ? s : lstart, rec_line, &origin,
		    prev != NULL || zp->nrecs > 0)) < 0)
			goto out;

		ldns_rr *rr = NULL;
		uint32_t ttl_slot = TTL_UNSET;
		int lnr = line;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl_slot, &origin,
		    &prev, &lnr);
		switch (st) {
		case LDNS_STATUS_OK:
			break;
		case LDNS_STATUS_SYNTAX_EMPTY:
		case LDNS_STATUS_SYNTAX_ORIGIN:
			continue;
		case LDNS_STATUS_SYNTAX_TTL:
			dollar_ttl = ttl_slot;
			have_dollar = true;
			continue;
		default:
			dd_err_set(zp->err, "%s:%d: %s", zp->file, rec_line,
			    ldns_get_errorstr_by_id(st));
			rc = DD_EINVAL;
			goto out;
		}
		/* RFC 2308: $TTL is the default; before it, RFC 1035's last
		 * explicit TTL; before any, the SOA's MINIMUM. */
		if (ldns_rr_ttl(rr) == TTL_UNSET) {
			ldns_rr_set_ttl(rr, have_dollar ? dollar_ttl :
			    have_last ? last_ttl : have_soa ? soa_min : 3600);
		} else {
			last_ttl = ldns_rr_ttl(rr);
			have_last = true;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && !have_soa &&
		    ldns_rr_rd_count(rr) == 7) {
			soa_min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
			have_soa = true;
		}
		if (zp->nrecs == zp->cap) {
			size_t ncap = zp->cap ? zp->cap * 2 : 64;
			struct zone_rec *nr = realloc(zp->recs, ncap * sizeof(*nr));
			if (nr == NULL) {
				ldns_rr_free(rr);
				rc = DD_ENOMEM;
				goto out;
			}
			zp->recs = nr;
			zp->cap = ncap;
		}
		zp->recs[zp->nrecs].rr = rr;
		zp->recs[zp->nrecs].line = rec_line;
		zp->nrecs++;
	}
out:
	if (fp != NULL)
		fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

void
zone_recs_free(struct zone_rec *recs, size_t n)
{
	for (size_t i = 0; recs != NULL && i < n; i++)
		ldns_rr_free(recs[i].rr);
	free(recs);
}

int
zone_file_read(const char *file, struct zone_rec **recs, size_t *nrecs,
    struct dd_err *err)
{
	struct zparse zp = { .file = file, .err = err };
	int rc;

	*recs = NULL;
	*nrecs = 0;
	rc = parse_file(&zp);
	free(zp.buf);
	if (rc < 0) {
		if (rc == DD_ENOMEM)
			dd_err_set(err, "%s: out of memory", file);
		zone_recs_free(zp.recs, zp.nrecs);
		return rc;
	}
	*recs = zp.recs;
	*nrecs = zp.nrecs;
	return 0;
}


int
zone_text_read(const char *label, const char *text, size_t len,
    struct zone_rec **recs, size_t *nrecs, struct dd_err *err)
{
	struct zparse zp = { .file = label, .err = err };
	int rc;

	*recs = NULL;
	*nrecs = 0;
	if (memchr(text, '\0', len) != NULL) {
		dd_err_set(err, "%s: a NUL byte in the text", label);
		return DD_EINVAL;
	}
	if ((zp.buf = malloc(len + 1)) == NULL) {
		dd_err_set(err, "%s: out of memory", label);
		return DD_ENOMEM;
	}
	memcpy(zp.buf, text, len);
	zp.buf[len] = '\0';
	zp.size = len;
	rc = parse_file(&zp);
	free(zp.buf);
	if (rc < 0) {
		if (rc == DD_ENOMEM)
			dd_err_set(err, "%s: out of memory", label);
		zone_recs_free(zp.recs, zp.nrecs);
		return rc;
	}
	*recs = zp.recs;
	*nrecs = zp.nrecs;
	return 0;
}
