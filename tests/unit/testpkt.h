/*
 * testpkt.h -- DNS packets for the unit tests: a query builder and a table of
 * malformed messages, shared by test_dnswire.c and test_engine.c.
 */
#ifndef TESTPKT_H
#define TESTPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/dnswire.h"

#define TQ_NO_EDNS (-1)

/* A query for name (case kept as given) and type; edns < 0: no OPT. */
static inline size_t
tq_build(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
    const char *name, uint16_t type, int edns, bool do_bit)
{
	struct dns_writer w;
	uint8_t wire[DNS_MAX_NAME];
	int n = dns_name_from_str(name, wire, sizeof(wire));

	if (n < 0)
		return 0;
	dns_w_init(&w, buf, cap);
	dns_w_u16(&w, id);
	dns_w_u16(&w, flags);
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, edns >= 0 ? 1 : 0);
	dns_w_bytes(&w, wire, (size_t)n);
	dns_w_u16(&w, type);
	dns_w_u16(&w, DNS_C_IN);
	if (edns >= 0)
		dns_w_opt(&w, (uint16_t)edns, do_bit);
	return w.overflow ? 0 : w.len;
}

/* the ID every malformed case carries */
#define TM_ID 0xbeef

enum tm_expect {
	TM_DROP_SHORT,   /* header not readable: DD_EMALFORMED, dropped */
	TM_FORMERR,      /* DD_EFORMERR, FORMERR reply with TM_ID */
	TM_DROP_QR,      /* DD_EFORMERR, but a response: dropped */
};

struct tm_case {
	const char *what;
	enum tm_expect expect;
	size_t len;
	uint8_t pkt[600];
};

static inline void
tm_hdr(struct tm_case *c, uint16_t flags, uint16_t qd, uint16_t an,
    uint16_t ns, uint16_t ar)
{
	dns_put16(c->pkt, TM_ID);
	dns_put16(c->pkt + 2, flags);
	dns_put16(c->pkt + 4, qd);
	dns_put16(c->pkt + 6, an);
	dns_put16(c->pkt + 8, ns);
	dns_put16(c->pkt + 10, ar);
	c->len = DNS_HDR_LEN;
}

static inline void
tm_put(struct tm_case *c, const void *p, size_t n)
{
	memcpy(c->pkt + c->len, p, n);
	c->len += n;
}

/* "\3www\7example\3com\0" + A IN */
static inline void
tm_question(struct tm_case *c)
{
	static const uint8_t q[] = "\3www\7example\3com\0\0\1\0\1";
	tm_put(c, q, sizeof(q) - 1);
}

enum { TM_NCASES = 19 };

/* Fill case i (0 <= i < TM_NCASES). */
static inline void
tm_case_get(int i, struct tm_case *c)
{
	memset(c, 0, sizeof(*c));
	switch (i) {
	case 0:
		c->what = "short header (5 bytes)";
		c->expect = TM_DROP_SHORT;
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		c->len = 5;
		break;
	case 1:
		c->what = "empty datagram";
		c->expect = TM_DROP_SHORT;
		c->len = 0;
		break;
	case 2:
		c->what = "qdcount 0";
		c->expect = TM_FORMERR;
		tm_hdr(c, DNS_RD, 0, 0, 0, 0);
		break;
	case 3:
		c->what = "qdcount 2";
		c->expect = TM_FORMERR;
		tm_hdr(c, DNS_RD, 2, 0, 0, 0);
		tm_question(c);
		tm_question(c);
		break;
	case 4:
		c->what = "qdcount 1, no question bytes";
		c->expect = TM_FORMERR;
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		break;
	case 5:
		c->what = "ancount beyond the data";
		c->expect = TM_FORMERR;
		tm_hdr(c, DNS_RD, 1, 3, 0, 0);
		tm_question(c);
		break;
	case 6:
		c->what = "arcount beyond the data";
		c->expect = TM_FORMERR;
		tm_hdr(c, DNS_RD, 1, 0, 0, 1);
		tm_question(c);
		break;
	case 7: {
		c->what = "compression pointer to itself (loop)";
		c->expect = TM_FORMERR;
		static const uint8_t q[] = { 0xc0, 0x0c, 0, 1, 0, 1 };
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, q, sizeof(q));
		break;
	}
	case 8: {
		c->what = "compression pointer loop through a record";
		c->expect = TM_FORMERR;
		/* question at 12 is "\1a" + pointer to 12 -> "a" then itself */
		static const uint8_t q[] = { 1, 'a', 0xc0, 0x0c, 0, 1, 0, 1 };
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, q, sizeof(q));
		break;
	}
	case 9: {
		c->what = "forward compression pointer";
		c->expect = TM_FORMERR;
		/* qname points to offset 29, a valid name in the rdata of the
		 * TXT record that follows: only the direction is wrong */
		static const uint8_t q[] = { 0xc0, 29, 0, 1, 0, 1,
			0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 1, 'x', 0 };
		tm_hdr(c, DNS_RD, 1, 0, 0, 1);
		tm_put(c, q, sizeof(q));
		break;
	}
	case 10: {
		c->what = "label of 64 octets";
		c->expect = TM_FORMERR;
		uint8_t l[66];
		l[0] = 64;
		memset(l + 1, 'a', 64);
		l[65] = 0;
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, l, sizeof(l));
		tm_put(c, "\0\1\0\1", 4);
		break;
	}
	case 11: {
		c->what = "name over 255 octets";
		c->expect = TM_FORMERR;
		uint8_t l[51];
		l[0] = 50;
		memset(l + 1, 'b', 50);
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		for (int k = 0; k < 5; k++)  /* 5 * 51 + 1 = 256 */
			tm_put(c, l, sizeof(l));
		tm_put(c, "\0\0\1\0\1", 5);
		break;
	}
	case 12: {
		c->what = "label running past the end";
		c->expect = TM_FORMERR;
		static const uint8_t q[] = { 10, 'a', 'b', 'c' };
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, q, sizeof(q));
		break;
	}
	case 13: {
		c->what = "question without type/class";
		c->expect = TM_FORMERR;
		static const uint8_t q[] = { 1, 'a', 0, 0 };
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, q, sizeof(q));
		break;
	}
	case 14: {
		c->what = "truncated record (rdlength past the end)";
		c->expect = TM_FORMERR;
		/* additional A record with rdlen 10 but 4 bytes of rdata */
		static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60,
			0, 10, 198, 18, 0, 1 };
		tm_hdr(c, DNS_RD, 1, 0, 0, 1);
		tm_question(c);
		tm_put(c, rr, sizeof(rr));
		break;
	}
	case 15:
		c->what = "trailing garbage";
		c->expect = TM_FORMERR;
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_question(c);
		tm_put(c, "\xde\xad\xbe", 3);
		break;
	case 16:
		c->what = "QR set (a response)";
		c->expect = TM_DROP_QR;
		tm_hdr(c, DNS_QR | DNS_RD, 1, 0, 0, 0);
		tm_question(c);
		break;
	/* a pointer in the question can only point back into the header,
	 * whose bytes differ in the reply: copied verbatim it names another
	 * name there (issue 10, bug 12) */
	case 17: {
		c->what = "question name is a pointer into the header";
		c->expect = TM_FORMERR;
		static const uint8_t q[] = { 0xc0, 0x07, 0, 1, 0, 1 };  /* ancount's 0 */
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, q, sizeof(q));
		break;
	}
	case 18: {
		c->what = "question name ends in a pointer into the header";
		c->expect = TM_FORMERR;
		static const uint8_t q[] = { 3, 'w', 'w', 'w', 0xc0, 0x09, 0, 1, 0, 1 };
		tm_hdr(c, DNS_RD, 1, 0, 0, 0);
		tm_put(c, q, sizeof(q));
		break;
	}
	}
}

#endif
