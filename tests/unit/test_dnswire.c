/*
 * test_dnswire.c -- wire validation (dns_parse_query on good and malformed
 * messages), names, type mnemonics and the reply writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/dnswire.h"
#include "lib/err.h"
#include "tests/unit/testpkt.h"

/* ---------------- dns_parse_query ---------------- */

static void
test_parse_valid_query(void **state)
{
	(void)state;
	uint8_t pkt[512];
	struct dns_query q;
	size_t len = tq_build(pkt, sizeof(pkt), 0x1234, DNS_RD | DNS_CD,
	    "WwW.Example.COM", DNS_T_AAAA, TQ_NO_EDNS, false);

	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.flags, DNS_RD | DNS_CD);
	assert_int_equal(q.qdcount, 1);
	assert_int_equal(q.ancount + q.nscount + q.arcount, 0);
	assert_int_equal(q.qname_len, 17);
	assert_memory_equal(q.qname, "\3www\7example\3com", 17); /* lower-cased */
	assert_int_equal(q.qtype, DNS_T_AAAA);
	assert_int_equal(q.qclass, DNS_C_IN);
	assert_int_equal(q.question_end, DNS_HDR_LEN + 17 + 4);
	assert_false(q.has_edns);
	assert_int_equal(q.edns_udp_size, 0);
	/* the caller's buffer is not touched (0x20 case survives) */
	assert_memory_equal(pkt + 12, "\3WwW\7Example\3COM", 17);
}

static void
test_parse_root_query(void **state)
{
	(void)state;
	uint8_t pkt[512];
	struct dns_query q;
	size_t len = tq_build(pkt, sizeof(pkt), 1, 0, ".", DNS_T_NS, TQ_NO_EDNS, false);
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_int_equal(q.qname_len, 1);
	assert_int_equal(q.qname[0], 0);
	assert_int_equal(q.question_end, DNS_HDR_LEN + 1 + 4);
}

static void
test_parse_edns(void **state)
{
	(void)state;
	uint8_t pkt[512];
	struct dns_query q;
	size_t len = tq_build(pkt, sizeof(pkt), 7, DNS_RD, "a.example", DNS_T_A, 4096, true);

	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_true(q.has_edns);
	assert_int_equal(q.edns_udp_size, 4096);
	assert_true(q.edns_do);
	assert_int_equal(q.arcount, 1);

	len = tq_build(pkt, sizeof(pkt), 7, DNS_RD, "a.example", DNS_T_A, 1232, false);
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_true(q.has_edns);
	assert_int_equal(q.edns_udp_size, 1232);
	assert_false(q.edns_do);
}

static void
test_parse_opt_misplaced(void **state)
{
	(void)state;
	uint8_t pkt[512];
	struct dns_query q;
	size_t len = tq_build(pkt, sizeof(pkt), 7, 0, "a.example", DNS_T_A, 1232, false);

	/* the same OPT counted as an answer record */
	dns_put16(pkt + 6, 1);
	dns_put16(pkt + 10, 0);
	assert_int_equal(dns_parse_query(pkt, len, &q), DD_EFORMERR);

	/* two OPT records */
	len = tq_build(pkt, sizeof(pkt), 7, 0, "a.example", DNS_T_A, 1232, false);
	memcpy(pkt + len, pkt + len - 11, 11);
	len += 11;
	dns_put16(pkt + 10, 2);
	assert_int_equal(dns_parse_query(pkt, len, &q), DD_EFORMERR);
}

static void
test_parse_backward_pointer_ok(void **state)
{
	(void)state;
	uint8_t pkt[512];
	struct dns_query q;
	size_t len = tq_build(pkt, sizeof(pkt), 9, 0, "www.example.com", DNS_T_A,
	    TQ_NO_EDNS, false);
	/* an additional A record owned by a pointer to the question name */
	static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60,
		0, 4, 198, 18, 0, 1 };
	memcpy(pkt + len, rr, sizeof(rr));
	len += sizeof(rr);
	dns_put16(pkt + 10, 1);
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_false(q.has_edns);
}

static void
test_parse_name_limits(void **state)
{
	(void)state;
	uint8_t pkt[600];
	struct dns_query q;
	size_t len = DNS_HDR_LEN;
	uint8_t lab[64];

	/* 63-octet labels are fine; a name of exactly 255 octets is fine:
	 * 3 * (1 + 63) + (1 + 61) + 1 = 255 */
	memset(pkt, 0, DNS_HDR_LEN);
	dns_put16(pkt + 4, 1);
	lab[0] = 63;
	memset(lab + 1, 'q', 63);
	for (int i = 0; i < 3; i++) {
		memcpy(pkt + len, lab, 64);
		len += 64;
	}
	lab[0] = 61;
	memcpy(pkt + len, lab, 62);
	len += 62;
	memcpy(pkt + len, "\0\0\1\0\1", 5);
	len += 5;
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);
	assert_int_equal(q.qname_len, 255);

	/* one more octet in the last label: 256 */
	len = DNS_HDR_LEN + 3 * 64;
	lab[0] = 62;
	memcpy(pkt + len, lab, 63);
	len += 63;
	memcpy(pkt + len, "\0\0\1\0\1", 5);
	len += 5;
	assert_int_equal(dns_parse_query(pkt, len, &q), DD_EFORMERR);

	/* obsolete label types 0x40 and 0x80 */
	len = DNS_HDR_LEN;
	memcpy(pkt + len, "\x41" "a\0\0\1\0\1", 7);
	assert_int_equal(dns_parse_query(pkt, len + 7, &q), DD_EFORMERR);
	memcpy(pkt + len, "\x81" "a\0\0\1\0\1", 7);
	assert_int_equal(dns_parse_query(pkt, len + 7, &q), DD_EFORMERR);
}

static void
test_parse_malformed_table(void **state)
{
	(void)state;
	for (int i = 0; i < TM_NCASES; i++) {
		struct tm_case c;
		struct dns_query q;
		int rc, want;

		tm_case_get(i, &c);
		rc = dns_parse_query(c.pkt, c.len, &q);
		want = c.expect == TM_DROP_SHORT ? DD_EMALFORMED : DD_EFORMERR;
		if (rc != want)
			fail_msg("%s: dns_parse_query = %d, want %d", c.what, rc, want);
		if (c.expect != TM_DROP_SHORT) {
			/* the header was readable: its ID and flags are there */
			if (q.id != TM_ID)
				fail_msg("%s: id 0x%x", c.what, q.id);
			if (c.expect == TM_DROP_QR && !(q.flags & DNS_QR))
				fail_msg("%s: QR not reported", c.what);
		}
	}
	/* NULL packet */
	struct dns_query q;
	assert_int_equal(dns_parse_query(NULL, 40, &q), DD_EMALFORMED);
}

/* each malformed case is valid but for its one defect: the fixed variant
 * parses (so the table tests what it says) */
static void
test_parse_qr_only_defect(void **state)
{
	(void)state;
	struct tm_case c;
	struct dns_query q;

	tm_case_get(16, &c);
	assert_int_equal(dns_parse_query(c.pkt, c.len, &q), DD_EFORMERR);
	dns_put16(c.pkt + 2, DNS_RD);
	assert_int_equal(dns_parse_query(c.pkt, c.len, &q), 0);

	tm_case_get(15, &c);   /* trailing garbage */
	assert_int_equal(dns_parse_query(c.pkt, c.len - 3, &q), 0);

	tm_case_get(3, &c);    /* qdcount 2: one question of the two is fine */
	dns_put16(c.pkt + 4, 1);
	assert_int_equal(dns_parse_query(c.pkt, c.len - 21, &q), 0);
}

/* ---------------- names ---------------- */

static void
test_read_name_compressed(void **state)
{
	(void)state;
	/* header, then "\3www\7Example\3com\0" at 12, then "\4mail" + ptr to
	 * "Example.com" at 16 */
	uint8_t pkt[64];
	uint8_t out[DNS_MAX_NAME];
	size_t off;
	memset(pkt, 0, 12);
	memcpy(pkt + 12, "\3www\7Example\3com\0", 17);
	memcpy(pkt + 29, "\4mail\xc0\x10", 7);

	off = 29;
	assert_int_equal(dns_read_name(pkt, 36, &off, out, true), 18);
	assert_int_equal(off, 36);   /* past the pointer, not past the target */
	assert_memory_equal(out, "\4mail\7example\3com\0", 18);

	off = 29;
	assert_int_equal(dns_read_name(pkt, 36, &off, out, false), 18);
	assert_memory_equal(out, "\4mail\7Example\3com\0", 18);

	/* NULL out: only the length and the offset */
	off = 12;
	assert_int_equal(dns_read_name(pkt, 36, &off, NULL, false), 17);
	assert_int_equal(off, 29);

	/* pointer cut in half at the end */
	off = 29;
	assert_true(dns_read_name(pkt, 35, &off, out, true) < 0);
	assert_int_equal(off, 29);
}

/* A pointer into the header names nothing (and reads a rewritten ID once a
 * reply gets a new header); dns_check_names() reads every name of a
 * message, rdata names of the compressible types included. */
/* dns_count_type: records of a type over all sections; two TSIGs counted
 * (ldns would leak one), a walk that fails is an error. */
static void
test_count_type(void **state)
{
	(void)state;
	uint8_t pkt[128];
	size_t n;

	memset(pkt, 0, sizeof(pkt));
	pkt[5] = 1;                               /* one question */
	pkt[7] = 1;                               /* one answer */
	pkt[11] = 2;                              /* two additional */
	memcpy(pkt + 12, "\3www\7example\3com\0\0\1\0\1", 21);
	/* the answer: A; then two TSIG records with empty rdata */
	memcpy(pkt + 33, "\xc0\x0c\0\1\0\1\0\0\0\x3c\0\x04\xc6\x12\0\x88", 16);
	memcpy(pkt + 49, "\0\0\xfa\0\xff\0\0\0\0\0\0", 11);
	memcpy(pkt + 60, "\0\0\xfa\0\xff\0\0\0\0\0\0", 11);
	n = 71;
	assert_int_equal(dns_count_type(pkt, n, DNS_T_TSIG), 2);
	assert_int_equal(dns_count_type(pkt, n, DNS_T_A), 1);
	assert_int_equal(dns_count_type(pkt, n, DNS_T_OPT), 0);
	pkt[11] = 1;                              /* one TSIG, the last record */
	assert_int_equal(dns_count_type(pkt, 60, DNS_T_TSIG), 1);
	pkt[11] = 3;                              /* a third record that is not there */
	assert_true(dns_count_type(pkt, n, DNS_T_TSIG) < 0);
	assert_true(dns_count_type(pkt, 11, DNS_T_TSIG) < 0);
}

static void
test_names_not_into_header(void **state)
{
	(void)state;
	uint8_t pkt[128];
	size_t off, n;

	memset(pkt, 0, sizeof(pkt));
	pkt[1] = 3;                               /* the ID's low byte: "length 3" */
	pkt[5] = 1;                               /* one question */
	pkt[7] = 1;                               /* one answer */
	memcpy(pkt + 12, "\3www\7example\3com\0\0\1\0\1", 21);
	off = 33;
	memcpy(pkt + off, "\xc0\x01", 2);         /* owner: pointer to offset 1 */
	off = 33;
	assert_true(dns_read_name(pkt, sizeof(pkt), &off, NULL, false) < 0);
	/* the answer: CNAME www.example.com. -> mail + pointer to example.com */
	memcpy(pkt + 33, "\xc0\x0c\0\5\0\1\0\0\0\x3c\0\x07\4mail\xc0\x10", 19);
	n = 52;
	assert_int_equal(dns_skip_questions(pkt, n, &off), 1);   /* one record, */
	assert_int_equal(off, 33);                               /* here */
	assert_int_equal(dns_check_names(pkt, n), 0);
	pkt[50] = 0xc0; pkt[51] = 0x02;           /* rdata's pointer into the header */
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	pkt[50] = 0xc0; pkt[51] = 0x10;
	pkt[44] = 8;                              /* rdlen past the name: junk after it */
	assert_int_equal(dns_check_names(pkt, n + 1), DD_EFORMERR);
	pkt[44] = 7;
	pkt[34] = 0x01;                           /* owner pointer to offset 1 */
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	assert_int_equal(dns_check_names(pkt, 11), DD_EMALFORMED);
	pkt[34] = 0x0c;
	assert_int_equal(dns_check_names(pkt, n), 0);
	pkt[38] = 0;                              /* class 0 (reserved) */
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	pkt[38] = 1;
	/* an A record's rdata is not read as a name */
	memcpy(pkt + 33, "\xc0\x0c\0\1\0\1\0\0\0\x3c\0\x04\xc0\x01\xc0\x01", 16);
	assert_int_equal(dns_check_names(pkt, 49), 0);
	/* but it must be 4 octets */
	memcpy(pkt + 33, "\xc0\x0c\0\1\0\1\0\0\0\x3c\0\x05\xc6\x12\0\x88\0", 17);
	assert_int_equal(dns_check_names(pkt, 50), DD_EFORMERR);
}

/* dns_check_names() holds a pointer to the start of a label of an earlier
 * name (RFC 1035 4.1.4): not into a TTL, a length or a label's middle,
 * not forward, not into the name being read; names in the rdata of the
 * compressible types are earlier names too. */
static void
test_names_point_at_label_starts(void **state)
{
	(void)state;
	uint8_t pkt[128];
	size_t n;

	memset(pkt, 0, sizeof(pkt));
	pkt[5] = 1;                               /* one question */
	pkt[7] = 2;                               /* two answers */
	memcpy(pkt + 12, "\3www\7example\3com\0\0\1\0\1", 21);
	/* CNAME www.example.com. -> mail.example.com. (rdata at 45) */
	memcpy(pkt + 33, "\xc0\x0c\0\5\0\1\0\0\0\x3c\0\x07\4mail\xc0\x10", 19);
	/* A mail.example.com. (owner: pointer to the rdata name) */
	memcpy(pkt + 52, "\xc0\x2d\0\1\0\1\0\0\0\x3c\0\x04\0\x12\0\x01", 16);
	n = 68;
	assert_int_equal(dns_check_names(pkt, n), 0);
	pkt[53] = 0x10;                           /* "example" from the question */
	assert_int_equal(dns_check_names(pkt, n), 0);
	pkt[53] = 0x18;                           /* "com" from the question */
	assert_int_equal(dns_check_names(pkt, n), 0);
	pkt[53] = 0x0d;                           /* the middle of "www" */
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	pkt[53] = 0x27;                           /* the CNAME's TTL: its 0 reads as the root */
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	pkt[53] = 0x2b;                           /* the CNAME's rdlen */
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	pkt[53] = 0x2d;
	/* the CNAME's rdata pointing at its own label: a loop, and no
	 * earlier name */
	pkt[51] = 0x2d;
	assert_int_equal(dns_check_names(pkt, n), DD_EFORMERR);
	pkt[51] = 0x10;
	assert_int_equal(dns_check_names(pkt, n), 0);
	/* an A record's rdata is not a name: pointing into it (its first
	 * octet, 0, reads as the root) is refused */
	pkt[7] = 3;
	memcpy(pkt + 68, "\xc0\x40\0\1\0\1\0\0\0\x3c\0\x04\xc6\x12\0\x02", 16);
	assert_int_equal(dns_check_names(pkt, 84), DD_EFORMERR);
	pkt[69] = 0x2d;
	assert_int_equal(dns_check_names(pkt, 84), 0);
}

static void
test_skip_rr(void **state)
{
	(void)state;
	uint8_t pkt[64];
	struct dns_rr_ref rr;
	size_t off = 12;
	static const uint8_t rec[] = { 0, 0, 28, 0, 1, 0, 0, 1, 0, 0, 16,
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	memset(pkt, 0, 12);
	memcpy(pkt + 12, rec, sizeof(rec));
	assert_int_equal(dns_skip_rr(pkt, 12 + sizeof(rec), &off, &rr), 0);
	assert_int_equal(rr.type, DNS_T_AAAA);
	assert_int_equal(rr.rclass, DNS_C_IN);
	assert_int_equal(rr.ttl_off, 12 + 5);
	assert_int_equal(dns_get32(pkt + rr.ttl_off), 256);
	assert_int_equal(rr.rdata_off, 12 + 11);
	assert_int_equal(rr.rdlen, 16);
	assert_int_equal(off, 12 + sizeof(rec));
	/* one byte short */
	off = 12;
	assert_int_equal(dns_skip_rr(pkt, 12 + sizeof(rec) - 1, &off, &rr), DD_EFORMERR);
	/* fixed part short */
	off = 12;
	assert_int_equal(dns_skip_rr(pkt, 12 + 8, &off, &rr), DD_EFORMERR);
}

static void
test_name_from_str(void **state)
{
	(void)state;
	uint8_t w[DNS_MAX_NAME + 10];
	char s[400];

	assert_int_equal(dns_name_from_str("www.Example.com", w, sizeof(w)), 17);
	assert_memory_equal(w, "\3www\7Example\3com", 17);
	assert_int_equal(dns_name_from_str("www.Example.com.", w, sizeof(w)), 17);
	assert_memory_equal(w, "\3www\7Example\3com", 17);
	assert_int_equal(dns_name_from_str(".", w, sizeof(w)), 1);
	assert_int_equal(w[0], 0);
	assert_int_equal(dns_name_from_str("", w, sizeof(w)), DD_EINVAL);
	assert_int_equal(dns_name_from_str("a..b", w, sizeof(w)), DD_EINVAL);
	assert_int_equal(dns_name_from_str(".a", w, sizeof(w)), DD_EINVAL);
	assert_int_equal(dns_name_from_str("a b.com", w, sizeof(w)), DD_EINVAL);
	assert_int_equal(dns_name_from_str(NULL, w, sizeof(w)), DD_EINVAL);
	/* cap too small */
	assert_int_equal(dns_name_from_str("www.example.com", w, 10), DD_EINVAL);

	/* label of 63 yes, 64 no */
	memset(s, 'a', 64);
	s[63] = '\0';
	assert_int_equal(dns_name_from_str(s, w, sizeof(w)), 65);
	s[63] = 'a';
	s[64] = '\0';
	assert_int_equal(dns_name_from_str(s, w, sizeof(w)), DD_EINVAL);

	/* 255 octets yes, 256 no: 3 * 64 + 62 + 1 = 255 */
	memset(s, 'c', sizeof(s));
	s[63] = s[127] = s[191] = '.';
	s[253] = '\0';
	assert_int_equal(dns_name_from_str(s, w, sizeof(w)), 255);
	s[253] = 'c';
	s[254] = '\0';
	assert_int_equal(dns_name_from_str(s, w, sizeof(w)), DD_EINVAL);
}

static void
test_name_to_str(void **state)
{
	(void)state;
	char buf[300];
	assert_string_equal(dns_name_to_str((const uint8_t *)"\3www\7example\3com", buf,
	    sizeof(buf)), "www.example.com.");
	assert_string_equal(dns_name_to_str((const uint8_t *)"", buf, sizeof(buf)), ".");
	assert_string_equal(dns_name_to_str((const uint8_t *)"\3a.b\0", buf, sizeof(buf)),
	    "a\\046b.");
	/* a small buffer is cut, still terminated */
	memset(buf, 'X', sizeof(buf));
	dns_name_to_str((const uint8_t *)"\3www\7example\3com", buf, 6);
	assert_true(strlen(buf) < 6);
	assert_memory_equal(buf, "www.", 4);
}

static void
test_name_helpers(void **state)
{
	(void)state;
	uint8_t w[DNS_MAX_NAME];
	dns_name_from_str("WWW.ExAmple.COM", w, sizeof(w));
	dns_name_lower(w);
	assert_memory_equal(w, "\3www\7example\3com", 17);
	assert_int_equal(dns_name_labels(w), 3);
	assert_int_equal(dns_name_labels((const uint8_t *)""), 0);
	assert_int_equal(dns_name_len(w), 17);
	assert_int_equal(dns_name_len((const uint8_t *)""), 1);

	const uint8_t *ex = (const uint8_t *)"\7example\3com";
	const uint8_t *bad = (const uint8_t *)"\12badexample\3com";
	const uint8_t *deep = (const uint8_t *)"\1x\1y\7example\3com";
	assert_true(dns_name_is_sub(w, ex));
	assert_true(dns_name_is_sub(deep, ex));
	assert_true(dns_name_is_sub(ex, ex));
	assert_true(dns_name_is_sub(ex, (const uint8_t *)""));
	assert_false(dns_name_is_sub(bad, ex));
	assert_false(dns_name_is_sub(ex, w));
	assert_false(dns_name_is_sub((const uint8_t *)"\7example\3net", ex));
}

static void
test_types(void **state)
{
	(void)state;
	char buf[32];
	assert_int_equal(dns_type_from_str("A"), 1);
	assert_int_equal(dns_type_from_str("aaaa"), 28);
	assert_int_equal(dns_type_from_str("ANY"), 255);
	assert_int_equal(dns_type_from_str("CNAME"), 5);
	assert_int_equal(dns_type_from_str("TYPE65"), 65);
	assert_int_equal(dns_type_from_str("type65535"), 65535);
	assert_int_equal(dns_type_from_str("TYPE65536"), -1);
	assert_int_equal(dns_type_from_str("TYPE"), -1);
	assert_int_equal(dns_type_from_str("TYPE-1"), -1);
	assert_int_equal(dns_type_from_str("TYPE1x"), -1);
	assert_int_equal(dns_type_from_str("BOGUS"), -1);
	assert_int_equal(dns_type_from_str(""), -1);
	assert_int_equal(dns_type_from_str(NULL), -1);
	assert_string_equal(dns_type_to_str(28, buf, sizeof(buf)), "AAAA");
	assert_string_equal(dns_type_to_str(65, buf, sizeof(buf)), "HTTPS");
	assert_string_equal(dns_type_to_str(4000, buf, sizeof(buf)), "TYPE4000");
	assert_int_equal(dns_type_from_str(dns_type_to_str(4000, buf, sizeof(buf))), 4000);
	assert_string_equal(dns_rcode_to_str(DNS_RCODE_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_rcode_to_str(DNS_RCODE_REFUSED), "REFUSED");
	assert_string_equal(dns_rcode_to_str(99), "RCODE?");
}

/* ---------------- writer ---------------- */

static void
test_writer_overflow(void **state)
{
	(void)state;
	uint8_t buf[8];
	struct dns_writer w;
	dns_w_init(&w, buf, sizeof(buf));
	dns_w_u32(&w, 0x01020304);
	dns_w_u16(&w, 0x0506);
	assert_false(w.overflow);
	assert_int_equal(w.len, 6);
	dns_w_u32(&w, 0xffffffff);   /* does not fit */
	assert_true(w.overflow);
	assert_int_equal(w.len, 6);
	dns_w_u8(&w, 7);             /* would fit, but after an overflow: no-op */
	assert_int_equal(w.len, 6);
	assert_memory_equal(buf, "\1\2\3\4\5\6", 6);
}

static void
test_writer_reply_start(void **state)
{
	(void)state;
	uint8_t pkt[512], out[512];
	struct dns_query q;
	struct dns_writer w;
	/* opcode 2, RD, CD, plus AA/TC/AD that must not be copied */
	uint16_t qflags = (uint16_t)((2u << 11) | DNS_RD | DNS_CD | DNS_AA | DNS_TC | DNS_AD);
	size_t len = tq_build(pkt, sizeof(pkt), 0xabcd, qflags, "MiXeD.Example",
	    DNS_T_TXT, 1232, true);
	assert_int_equal(dns_parse_query(pkt, len, &q), 0);

	dns_w_init(&w, out, sizeof(out));
	dns_w_reply_start(&w, pkt, &q, DNS_AA, DNS_RCODE_NXDOMAIN);
	assert_int_equal(w.len, q.question_end);
	assert_int_equal(dns_get16(out), 0xabcd);
	uint16_t f = dns_get16(out + 2);
	assert_true(f & DNS_QR);
	assert_true(f & DNS_AA);
	assert_true(f & DNS_RD);
	assert_true(f & DNS_CD);
	assert_false(f & DNS_TC);
	assert_false(f & DNS_AD);
	assert_int_equal(DNS_OPCODE(f), 2);
	assert_int_equal(DNS_RCODE(f), DNS_RCODE_NXDOMAIN);
	assert_int_equal(dns_get16(out + 4), 1);
	assert_int_equal(dns_get16(out + 6), 0);
	assert_int_equal(dns_get16(out + 10), 0);
	/* question bytes exactly as the client sent them */
	assert_memory_equal(out + 12, pkt + 12, q.question_end - 12);

	dns_w_opt(&w, 1232, true);
	dns_w_counts(&w, 0, 0, 1);
	assert_int_equal(w.len, q.question_end + 11);
	assert_int_equal(dns_get16(out + 10), 1);
	static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0 };
	assert_memory_equal(out + q.question_end, opt, sizeof(opt));
	/* the reply parses as a message (QR aside) */
	dns_put16(out + 2, 0);
	assert_int_equal(dns_parse_query(out, w.len, &q), 0);
	assert_true(q.has_edns && q.edns_do);

	/* without a question (question_end 0): header only, qdcount 0 */
	q.question_end = 0;
	dns_w_init(&w, out, sizeof(out));
	dns_w_reply_start(&w, pkt, &q, 0, DNS_RCODE_FORMERR);
	assert_int_equal(w.len, DNS_HDR_LEN);
	assert_int_equal(dns_get16(out + 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid_query),
		cmocka_unit_test(test_parse_root_query),
		cmocka_unit_test(test_parse_edns),
		cmocka_unit_test(test_parse_opt_misplaced),
		cmocka_unit_test(test_parse_backward_pointer_ok),
		cmocka_unit_test(test_parse_name_limits),
		cmocka_unit_test(test_parse_malformed_table),
		cmocka_unit_test(test_parse_qr_only_defect),
		cmocka_unit_test(test_read_name_compressed),
		cmocka_unit_test(test_names_not_into_header),
		cmocka_unit_test(test_names_point_at_label_starts),
		cmocka_unit_test(test_skip_rr),
		cmocka_unit_test(test_name_from_str),
		cmocka_unit_test(test_name_to_str),
		cmocka_unit_test(test_name_helpers),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_count_type),
		cmocka_unit_test(test_writer_overflow),
		cmocka_unit_test(test_writer_reply_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
