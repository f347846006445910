/*
 * dnswire.c -- validation, names and writing of DNS messages on the wire.
 *
 * Everything here is bounds-checked against the buffer length: a malformed
 * message yields an error code, never a read past the end.  Compression
 * pointers must point strictly backwards, which also rules out loops;
 * dns_check_names() holds them to the start of a label of an earlier name.
 */
#include "lib/dnswire.h"
#include "lib/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static inline uint8_t
lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int
dns_read_name(const uint8_t *pkt, size_t len, size_t *off, uint8_t *out, bool lower)
{
	size_t pos = *off, outlen = 0, end = 0;
	bool jumped = false;
	int hops = 0;

	for (;;) {
		if (pos >= len)
			return DD_EFORMERR;
		uint8_t l = pkt[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return DD_EFORMERR;
			size_t ptr = ((size_t)(l & 0x3f) << 8) | pkt[pos + 1];
			/* only backwards: no loops, no forward references; and
			 * never into the header, which holds no names (and
			 * which a reply rewrites: the ID, the flags) */
			if (ptr >= pos || ptr < DNS_HDR_LEN || ++hops > 64)
				return DD_EFORMERR;
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			pos = ptr;
			continue;
		}
		if ((l & 0xc0) != 0)
			return DD_EFORMERR; /* 0x40/0x80 label types are obsolete */
		if (l == 0) {
			if (outlen + 1 > DNS_MAX_NAME)
				return DD_EFORMERR;
			if (out)
				out[outlen] = 0;
			outlen++;
			if (!jumped)
				end = pos + 1;
			break;
		}
		if (pos + 1 + l > len)
			return DD_EFORMERR;
		if (outlen + 1 + l + 1 > DNS_MAX_NAME)
			return DD_EFORMERR;
		if (out) {
			out[outlen] = l;
			for (size_t i = 0; i < l; i++)
				out[outlen + 1 + i] = lower ? lc(pkt[pos + 1 + i]) : pkt[pos + 1 + i];
		}
		outlen += 1 + (size_t)l;
		pos += 1 + (size_t)l;
	}
	*off = end;
	return (int)outlen;
}

int
dns_skip_rr(const uint8_t *pkt, size_t len, size_t *off, struct dns_rr_ref *rr)
{
	size_t pos = *off;
	int r = dns_read_name(pkt, len, &pos, NULL, false);

	if (r < 0)
		return r;
	if (pos + 10 > len)
		return DD_EFORMERR;
	rr->type = dns_get16(pkt + pos);
	rr->rclass = dns_get16(pkt + pos + 2);
	rr->ttl_off = pos + 4;
	rr->rdlen = dns_get16(pkt + pos + 8);
	rr->rdata_off = pos + 10;
	if (rr->rdata_off + rr->rdlen > len)
		return DD_EFORMERR;
	*off = rr->rdata_off + rr->rdlen;
	return 0;
}

/*
 * The label starts of the names read so far in a message, one bit per
 * octet: what RFC 1035 (4.1.4) lets a compression pointer name, "a prior
 * occurrence of the same name".  A pointer anywhere else -- into a TTL,
 * a length, the middle of a label -- names bytes that were never a name,
 * and that a rewrite of those bytes (a TTL) would change.
 */
struct name_marks {
	uint8_t bit[65536 / 8];
};

static inline bool
marked(const struct name_marks *m, size_t off)
{
	return (m->bit[off >> 3] >> (off & 7)) & 1;
}

/*
 * dns_read_name() with every pointer held to the marks; on success the
 * labels written out in this name (not those reached through a pointer)
 * become marks in turn, so a later name may point at them.
 */
static int
read_name_marked(const uint8_t *pkt, size_t len, size_t *off, struct name_marks *m)
{
	size_t pos = *off, labels[DNS_MAX_NAME / 2 + 1];
	int n = 0, r;

	/* the walk below only reads what dns_read_name accepts */
	r = dns_read_name(pkt, len, off, NULL, false);
	if (r < 0)
		return r;
	for (;;) {
		uint8_t l = pkt[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t ptr = ((size_t)(l & 0x3f) << 8) | pkt[pos + 1];
			/* a marked target: the rest of the name was read
			 * (and held to the marks) with the earlier name */
			if (!marked(m, ptr))
				return DD_EFORMERR;
			break;
		}
		if (l == 0)
			break;
		labels[n++] = pos;
		pos += 1 + (size_t)l;
	}
	for (int i = 0; i < n; i++)
		m->bit[labels[i] >> 3] |= (uint8_t)(1u << (labels[i] & 7));
	return r;
}

/*
 * The names in the rdata of rr, for the types whose rdata names may be
 * compressed (RFC 3597 section 4: NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR,
 * MINFO, MX): each must read (pointers to earlier names' labels) and end
 * inside the rdata, and the rdata must hold nothing else.
 */
static int
check_rdata_names(const uint8_t *pkt, const struct dns_rr_ref *rr, struct name_marks *m)
{
	size_t pos = rr->rdata_off, end = rr->rdata_off + rr->rdlen, fixed = 0;
	int names = 1;

	switch (rr->type) {
	case DNS_T_NS: case 3: case 4: case DNS_T_CNAME: case 7: case 8: case 9:
	case DNS_T_PTR:
		break;
	case DNS_T_SOA:
		names = 2;
		fixed = 20;        /* serial, refresh, retry, expire, minimum */
		break;
	case 14:                   /* MINFO */
		names = 2;
		break;
	case DNS_T_MX:
		pos += 2;          /* preference */
		break;
	default:
		return 0;
	}
	for (int i = 0; i < names; i++)
		/* end as the length: labels stay inside the rdata, pointers
		 * lead back anyway */
		if (pos > end || read_name_marked(pkt, end, &pos, m) < 0)
			return DD_EFORMERR;
	return pos + fixed == end ? 0 : DD_EFORMERR;
}

int
dns_skip_questions(const uint8_t *pkt, size_t len, size_t *off)
{
	unsigned qd;

	if (pkt == NULL || len < DNS_HDR_LEN)
		return DD_EMALFORMED;
	qd = dns_get16(pkt + 4);
	*off = DNS_HDR_LEN;
	for (unsigned i = 0; i < qd; i++) {
		if (dns_read_name(pkt, len, off, NULL, false) < 0 || *off + 4 > len)
			return DD_EFORMERR;
		*off += 4;
	}
	return (int)dns_get16(pkt + 6) + dns_get16(pkt + 8) + dns_get16(pkt + 10);
}

int
dns_check_names(const uint8_t *pkt, size_t len)
{
	struct name_marks m;
	size_t off = DNS_HDR_LEN;
	int total;

	if (pkt == NULL || len < DNS_HDR_LEN)
		return DD_EMALFORMED;
	if (len > 65535)
		return DD_EFORMERR;
	memset(m.bit, 0, (len + 7) / 8);
	for (unsigned i = 0, qd = dns_get16(pkt + 4); i < qd; i++) {
		if (read_name_marked(pkt, len, &off, &m) < 0 || off + 4 > len)
			return DD_EFORMERR;
		off += 4;
	}
	total = (int)dns_get16(pkt + 6) + dns_get16(pkt + 8) + dns_get16(pkt + 10);
	for (int i = 0; i < total; i++) {
		struct dns_rr_ref rr;
		size_t own = off;

		if (read_name_marked(pkt, len, &own, &m) < 0 ||
		    dns_skip_rr(pkt, len, &off, &rr) < 0 || check_rdata_names(pkt, &rr, &m) < 0)
			return DD_EFORMERR;
		/* class 0 is reserved (RFC 6895): no answer carries it, and
		 * parsers take such a record for an update's, whose TTL must
		 * stay 0 -- a TTL rewrite would make the message unreadable */
		if (rr.rclass == 0 && rr.type != DNS_T_OPT)
			return DD_EFORMERR;
		/* an address of the wrong size: parsers disagree on where the
		 * next record starts */
		if ((rr.type == DNS_T_A && rr.rdlen != 4) || (rr.type == DNS_T_AAAA && rr.rdlen != 16))
			return DD_EFORMERR;
	}
	return 0;
}

int
dns_parse_query(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	size_t off = DNS_HDR_LEN;
	unsigned total;
	int r;

	if (pkt == NULL || len < DNS_HDR_LEN)
		return DD_EMALFORMED;
	memset(q, 0, offsetof(struct dns_query, qname));
	q->qname_len = 0;
	q->qtype = q->qclass = 0;
	q->question_end = 0;
	q->has_edns = false;
	q->edns_udp_size = 0;
	q->edns_do = false;
	q->id = dns_get16(pkt);
	q->flags = dns_get16(pkt + 2);
	q->qdcount = dns_get16(pkt + 4);
	q->ancount = dns_get16(pkt + 6);
	q->nscount = dns_get16(pkt + 8);
	q->arcount = dns_get16(pkt + 10);

	if (q->qdcount != 1)
		return DD_EFORMERR;
	r = dns_read_name(pkt, len, &off, q->qname, true);
	if (r < 0)
		return r;
	q->qname_len = (uint8_t)r;
	/* a pointer in the question can only point back into the header; the
	 * question is copied into replies verbatim, where the header differs,
	 * so the copy would name something else: FORMERR, no question */
	if (off != DNS_HDR_LEN + (size_t)r)
		return DD_EFORMERR;
	if (off + 4 > len)
		return DD_EFORMERR;
	q->qtype = dns_get16(pkt + off);
	q->qclass = dns_get16(pkt + off + 2);
	off += 4;
	q->question_end = off;

	total = (unsigned)q->ancount + q->nscount + q->arcount;
	for (unsigned i = 0; i < total; i++) {
		struct dns_rr_ref rr;
		r = dns_skip_rr(pkt, len, &off, &rr);
		if (r < 0)
			return r;
		if (rr.type == DNS_T_OPT) {
			/* one OPT, in the additional section, owned by the root */
			if (i < (unsigned)q->ancount + q->nscount || q->has_edns)
				return DD_EFORMERR;
			q->has_edns = true;
			q->edns_udp_size = rr.rclass;
			q->edns_do = (dns_get32(pkt + rr.ttl_off) & 0x8000u) != 0;
		}
	}
	if (off != len)
		return DD_EFORMERR; /* trailing garbage */
	if (q->flags & DNS_QR)
		return DD_EFORMERR; /* a response is not a query */
	return 0;
}

/* ---- names ---- */

int
dns_name_from_str(const char *s, uint8_t *out, size_t cap)
{
	size_t o = 0;
	const char *p = s;

	if (s == NULL || cap < 1)
		return DD_EINVAL;
	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	if (*s == '\0' || *s == '.')
		return DD_EINVAL;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > DNS_MAX_LABEL)
			return DD_EINVAL;
		if (o + 1 + l + 1 > DNS_MAX_NAME || o + 1 + l + 1 > cap)
			return DD_EINVAL;
		out[o++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			unsigned char c = (unsigned char)p[i];
			if (c <= ' ' || c >= 127)
				return DD_EINVAL;
			out[o++] = c;
		}
		p += l;
		if (*p == '.')
			p++;
	}
	out[o++] = 0;
	return (int)o;
}

char *
dns_name_to_str(const uint8_t *w, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return buf;
	if (w[0] == 0) {
		snprintf(buf, len, ".");
		return buf;
	}
	while (*w && o + 1 < len) {
		uint8_t l = *w++;
		for (uint8_t i = 0; i < l && o + 1 < len; i++) {
			unsigned char c = w[i];
			if (c == '.' || c == '\\' || c <= ' ' || c >= 127) {
				if (o + 5 >= len)
					break;
				o += (size_t)snprintf(buf + o, len - o, "\\%03u", c);
			} else {
				buf[o++] = (char)c;
			}
		}
		w += l;
		if (o + 1 < len)
			buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

void
dns_name_lower(uint8_t *w)
{
	while (*w) {
		uint8_t l = *w++;
		for (uint8_t i = 0; i < l; i++)
			w[i] = lc(w[i]);
		w += l;
	}
}

int
dns_name_labels(const uint8_t *w)
{
	int n = 0;
	while (*w) {
		n++;
		w += 1 + *w;
	}
	return n;
}

size_t
dns_name_len(const uint8_t *w)
{
	const uint8_t *p = w;
	while (*p)
		p += 1 + *p;
	return (size_t)(p - w) + 1;
}

bool
dns_name_is_sub(const uint8_t *child, const uint8_t *parent)
{
	size_t cl = dns_name_len(child), pl = dns_name_len(parent);
	const uint8_t *p = child;

	if (pl > cl)
		return false;
	/* walk label boundaries until the remaining length equals parent's */
	while ((size_t)(child + cl - p) > pl)
		p += 1 + *p;
	if ((size_t)(child + cl - p) != pl)
		return false;
	return memcmp(p, parent, pl) == 0;
}

/* ---- types ---- */

static const struct {
	int type;
	const char *name;
} type_names[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
	{ DNS_T_SOA, "SOA" }, { DNS_T_PTR, "PTR" }, { DNS_T_MX, "MX" },
	{ DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" }, { DNS_T_SRV, "SRV" },
	{ DNS_T_OPT, "OPT" }, { DNS_T_ANY, "ANY" }, { 35, "NAPTR" },
	{ 39, "DNAME" }, { 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 257, "CAA" },
	{ 99, "SPF" }, { 52, "TLSA" }, { 44, "SSHFP" },
};

int
dns_type_from_str(const char *s)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcasecmp(s, type_names[i].name) == 0)
			return type_names[i].type;
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] >= '0' && s[4] <= '9') {
		char *end;
		long v = strtol(s + 4, &end, 10);
		if (*end == '\0' && v >= 0 && v <= 65535)
			return (int)v;
	}
	return -1;
}

const char *
dns_type_to_str(int type, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	snprintf(buf, len, "TYPE%d", type);
	return buf;
}

const char *
dns_rcode_to_str(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED" };
	if (rcode >= 0 && rcode < 6)
		return names[rcode];
	return "RCODE?";
}

/* ---- writer ---- */

void
dns_w_init(struct dns_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void
dns_w_bytes(struct dns_writer *w, const void *p, size_t n)
{
	if (w->overflow || w->len + n > w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void
dns_w_u8(struct dns_writer *w, uint8_t v)
{
	dns_w_bytes(w, &v, 1);
}

void
dns_w_u16(struct dns_writer *w, uint16_t v)
{
	uint8_t b[2];
	dns_put16(b, v);
	dns_w_bytes(w, b, 2);
}

void
dns_w_u32(struct dns_writer *w, uint32_t v)
{
	uint8_t b[4];
	dns_put32(b, v);
	dns_w_bytes(w, b, 4);
}

void
dns_w_reply_start(struct dns_writer *w, const uint8_t *query,
    const struct dns_query *q, uint16_t flags_set, unsigned rcode)
{
	uint16_t flags = (uint16_t)(DNS_QR | (q->flags & (0x7800u | DNS_RD | DNS_CD)) |
	    flags_set | (rcode & 0xfu));

	w->len = 0;
	w->overflow = false;
	dns_w_u16(w, q->id);
	dns_w_u16(w, flags);
	dns_w_u16(w, q->question_end ? 1 : 0);
	dns_w_u16(w, 0);
	dns_w_u16(w, 0);
	dns_w_u16(w, 0);
	if (q->question_end > DNS_HDR_LEN)
		dns_w_bytes(w, query + DNS_HDR_LEN, q->question_end - DNS_HDR_LEN);
}

void
dns_w_opt(struct dns_writer *w, uint16_t udp_size, bool do_bit)
{
	dns_w_u8(w, 0);              /* root owner */
	dns_w_u16(w, DNS_T_OPT);
	dns_w_u16(w, udp_size);
	dns_w_u32(w, do_bit ? 0x8000u : 0);
	dns_w_u16(w, 0);             /* no options */
}

void
dns_w_counts(struct dns_writer *w, uint16_t an, uint16_t ns, uint16_t ar)
{
	if (w->len < DNS_HDR_LEN)
		return;
	dns_put16(w->buf + 6, an);
	dns_put16(w->buf + 8, ns);
	dns_put16(w->buf + 10, ar);
}

int
dns_count_type(const uint8_t *pkt, size_t len, uint16_t type)
{
	size_t off = 0;
	int n = dns_skip_questions(pkt, len, &off), count = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct dns_rr_ref rr;
		int rc = dns_skip_rr(pkt, len, &off, &rr);
		if (rc < 0)
			return rc;
		if (rr.type == type)
			count++;
	}
	return count;
}
