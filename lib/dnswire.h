/*
 * dnswire.h -- DNS messages on the wire, without allocation.
 *
 * The hot path of faultd never builds an ldns_pkt: it validates a query in
 * place (dns_parse_query), decides, and writes replies with the small writer
 * below.  ldns is used where its convenience is worth it (zone files, tests).
 *
 * Names handled here are uncompressed wire names (length-prefixed labels,
 * ending in the zero label) in lower case unless said otherwise.
 */
#ifndef DD_DNSWIRE_H
#define DD_DNSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN      12
#define DNS_MAX_NAME     255
#define DNS_MAX_LABEL    63
#define DNS_MAX_UDP      512

/* header flag bits (host order of the 16-bit flags word) */
#define DNS_QR    0x8000u
#define DNS_AA    0x0400u
#define DNS_TC    0x0200u
#define DNS_RD    0x0100u
#define DNS_RA    0x0080u
#define DNS_AD    0x0020u
#define DNS_CD    0x0010u
#define DNS_OPCODE(f) (((f) >> 11) & 0xfu)
#define DNS_RCODE(f)  ((f) & 0xfu)

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
};

enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_PTR = 12, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28,
	DNS_T_SRV = 33, DNS_T_OPT = 41, DNS_T_TSIG = 250, DNS_T_ANY = 255,
};
#define DNS_C_IN 1

/* A query, validated in place.  Pointers point into the caller's buffer. */
struct dns_query {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;
	uint8_t qname[DNS_MAX_NAME];   /* lower-cased, uncompressed wire */
	uint8_t qname_len;             /* bytes in qname, incl. root label */
	uint16_t qtype, qclass;
	size_t question_end;           /* offset just past the question */
	bool has_edns;
	uint16_t edns_udp_size;        /* from OPT, 0 if none */
	bool edns_do;
};

/*
 * Validate a whole message (header, counts against data, names with
 * compression pointer loops, label and name lengths, truncated records) and,
 * when it is a query with one question, fill q.  The question name must be
 * uncompressed (replies copy the question bytes as sent).
 * Returns 0; DD_EFORMERR when the header is readable but the rest is not
 * (answer FORMERR); DD_EMALFORMED when not even the header is there (drop).
 */
int dns_parse_query(const uint8_t *pkt, size_t len, struct dns_query *q);

/*
 * Read a possibly compressed name at *off in pkt into out (uncompressed
 * wire, lower-cased when lower is set).  Advances *off past the name as it
 * appears at that place.  Returns the wire length or a negative error.
 */
int dns_read_name(const uint8_t *pkt, size_t len, size_t *off, uint8_t *out,
    bool lower);

/* Skip over one resource record at *off; fills type/ttl_off/rdlen offsets. */
struct dns_rr_ref {
	uint16_t type, rclass;
	size_t ttl_off;     /* offset of the 32-bit TTL */
	size_t rdata_off;
	uint16_t rdlen;
};
int dns_skip_rr(const uint8_t *pkt, size_t len, size_t *off, struct dns_rr_ref *rr);

/*
 * Step *off past the header and the questions of a message, to its first
 * record.  Returns the number of records (answer + authority + additional
 * counts), DD_EFORMERR when a question does not read, DD_EMALFORMED when
 * there is no header.  With dns_skip_rr, the walk over a message's records.
 */
int dns_skip_questions(const uint8_t *pkt, size_t len, size_t *off);

/*
 * How many of a message's records (answer, authority, additional) have
 * this type, walking them with dns_skip_rr: 0 or more, or a negative error
 * when the walk fails.  Used before handing a message from elsewhere to
 * ldns, which leaks a TSIG record when a message holds two (it keeps the
 * last one it reads and drops the pointer to the other: ldns 1.8).
 */
int dns_count_type(const uint8_t *pkt, size_t len, uint16_t type);

/*
 * Every name of a message reads: the questions, each record's owner, and
 * the names inside the rdata of the types that may compress them (NS,
 * CNAME, SOA, PTR, MX, ...; RFC 3597) -- compression pointers backwards and
 * never into the header, labels inside their record; no record but OPT
 * has the reserved class 0, every A has 4 octets and every AAAA 16.  For a reply from
 * elsewhere (an upstream) before it is passed on with a new header.
 * Returns 0, DD_EFORMERR, or DD_EMALFORMED when there is no header.
 */
int dns_check_names(const uint8_t *pkt, size_t len);

/* Text <-> wire names.  "www.Example.com" / "www.example.com." -> wire.
 * dns_name_from_str keeps case; returns wire length or DD_EINVAL. */
int dns_name_from_str(const char *s, uint8_t *out, size_t cap);
/* wire -> "www.example.com." ; returns buf */
char *dns_name_to_str(const uint8_t *wire, char *buf, size_t len);
void dns_name_lower(uint8_t *wire);
/* Number of labels (root = 0). */
int dns_name_labels(const uint8_t *wire);
/* Is child equal to, or below, parent? (both lower-case wire) */
bool dns_name_is_sub(const uint8_t *child, const uint8_t *parent);
/* Wire length of an uncompressed name. */
size_t dns_name_len(const uint8_t *wire);

/* Type mnemonics: "A", "AAAA", "TYPE65" ... */
int dns_type_from_str(const char *s);       /* -1 when unknown */
const char *dns_type_to_str(int type, char *buf, size_t len);
const char *dns_rcode_to_str(int rcode);

/* ---- a tiny writer ---- */
struct dns_writer {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;       /* set once a write did not fit; later writes no-op */
};
void dns_w_init(struct dns_writer *w, uint8_t *buf, size_t cap);
void dns_w_u8(struct dns_writer *w, uint8_t v);
void dns_w_u16(struct dns_writer *w, uint16_t v);
void dns_w_u32(struct dns_writer *w, uint32_t v);
void dns_w_bytes(struct dns_writer *w, const void *p, size_t n);
/* Reply header + question copied from the query (its ID, opcode, RD, CD, the
 * question bytes exactly as the client sent them). */
void dns_w_reply_start(struct dns_writer *w, const uint8_t *query,
    const struct dns_query *q, uint16_t flags_set, unsigned rcode);
/* Append an OPT record (EDNS0) with the given UDP size. */
void dns_w_opt(struct dns_writer *w, uint16_t udp_size, bool do_bit);
/* Set the header counts of the message being written. */
void dns_w_counts(struct dns_writer *w, uint16_t an, uint16_t ns, uint16_t ar);

static inline uint16_t
dns_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t
dns_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}
static inline void
dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void
dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
