/*
 * probe_dns.c -- the DNS probe: the query, its UDP or TCP exchange, and the
 * check of the reply against what the probe expects.  Attempts, TCP
 * connects and the schedule are probe.c's.
 *
 * Why ldns for replies but not for queries: the query is 30 bytes we can
 * write with lib/dnswire.h; replies come from servers under fault injection
 * and may be anything, and ldns already renders every rdata type as text.
 */
#include "harness/probe_internal.h"

#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/dnswire.h"
#include "lib/evloop.h"
#include "lib/util.h"

#define DNS_TCP_MAX     (65535u + 2u)

void
dns_build_query(struct attempt *a)
{
	struct probe *pr = a->pr;
	struct dns_writer w;
	size_t off = a->tcp ? 2 : 0;

	dns_w_init(&w, a->q + off, sizeof(a->q) - off);
	dns_w_u16(&w, a->id);
	dns_w_u16(&w, DNS_RD);
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_bytes(&w, pr->qwire, pr->qwire_len);
	dns_w_u16(&w, (uint16_t)pr->spec.qtype);
	dns_w_u16(&w, DNS_C_IN);
	if (a->tcp)
		dns_put16(a->q, (uint16_t)w.len);
	a->qlen = w.len + off;
	a->wbuf = a->q;
	a->wlen = a->qlen;
	a->woff = 0;
}

static const char *
rcode_name(unsigned rcode, char *buf, size_t len)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	if (rcode <= 5)
		return dns_rcode_to_str((int)rcode);
	if (lt != NULL && lt->name != NULL)
		return lt->name;
	snprintf(buf, len, "RCODE%u", rcode);
	return buf;
}

/* The rdata of rr as text, fields separated by spaces; malloc'ed. */
static char *
rr_rdata_str(const ldns_rr *rr)
{
	ldns_buffer *b = ldns_buffer_new(128);
	char *s = NULL;

	if (b == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i > 0)
			ldns_buffer_printf(b, " ");
		(void)ldns_rdf2buffer_str(b, ldns_rr_rdf(rr, i));
	}
	if (ldns_buffer_status_ok(b))
		s = ldns_buffer_export2str(b);
	ldns_buffer_free(b);
	return s;
}

static bool
rr_matches_expect(const struct probe *pr, const ldns_rr *rr, const char *text)
{
	const ldns_rdf *rd;

	if (pr->ea_family != 0) {
		size_t n = pr->ea_family == AF_INET ? 4 : 16;
		ldns_rr_type want = pr->ea_family == AF_INET ? LDNS_RR_TYPE_A :
		    LDNS_RR_TYPE_AAAA;
		if (ldns_rr_get_type(rr) != want || ldns_rr_rd_count(rr) < 1)
			return false;
		rd = ldns_rr_rdf(rr, 0);
		return ldns_rdf_size(rd) == n && memcmp(ldns_rdf_data(rd), pr->ea_addr, n) == 0;
	}
	return text != NULL && strcasestr(text, pr->spec.expect_answer) != NULL;
}

/* Appends " text" to buf when it fits, else a single " ..." once. */
static void
detail_add(char *buf, size_t len, const char *text)
{
	size_t have = strlen(buf), n = strlen(text);

	if (have + 1 + n + 5 < len) {
		buf[have] = ' ';
		memcpy(buf + have + 1, text, n + 1);
	} else if (have + 5 < len && (have < 4 || strcmp(buf + have - 4, " ...") != 0)) {
		memcpy(buf + have, " ...", 5);
	}
}

/* Check one reply.  Returns 1 when the attempt is finished, 0 to keep
 * waiting (an unrelated UDP datagram), 2 to retry over TCP (TC=1). */
static int
dns_check_reply(struct attempt *a, const uint8_t *buf, size_t len)
{
	struct probe *pr = a->pr;
	const struct probe_spec *s = &pr->spec;
	ldns_pkt *pkt = NULL;
	ldns_rr_list *qs, *ans;
	char ans_txt[PROBE_DETAIL_MAX] = "", rbuf[16];
	const char *rname;
	unsigned rcode;
	size_t n_ans = 0;
	bool matched = false, rcode_ok;

	if (len < DNS_HDR_LEN || dns_get16(buf) != a->id || !(buf[2] & 0x80)) {
		if (!a->tcp)
			return 0;   /* not ours: keep listening, like a stub */
		attempt_done(a, false, "bad reply: %s", len < DNS_HDR_LEN ?
		    "short message" : "ID or QR mismatch");
		return 1;
	}
	if (ldns_wire2pkt(&pkt, buf, len) != LDNS_STATUS_OK) {
		attempt_done(a, false, "bad reply: malformed message");
		return 1;
	}
	qs = ldns_pkt_question(pkt);
	if (ldns_rr_list_rr_count(qs) != 1) {
		/* a bare TC reply may come without question */
		if (!a->tcp && ldns_pkt_tc(pkt) && ldns_rr_list_rr_count(qs) == 0) {
			ldns_pkt_free(pkt);
			return 2;
		}
		ldns_pkt_free(pkt);
		attempt_done(a, false, "bad reply: %zu questions",
		    ldns_rr_list_rr_count(qs));
		return 1;
	} else {
		const ldns_rr *q = ldns_rr_list_rr(qs, 0);
		const ldns_rdf *o = ldns_rr_owner(q);
		uint8_t own[DNS_MAX_NAME];
		if (ldns_rdf_size(o) != pr->qwire_len || ldns_rdf_size(o) > sizeof(own) ||
		    ldns_rr_get_type(q) != (ldns_rr_type)s->qtype) {
			ldns_pkt_free(pkt);
			if (!a->tcp)
				return 0;
			attempt_done(a, false, "bad reply: question mismatch");
			return 1;
		}
		memcpy(own, ldns_rdf_data(o), ldns_rdf_size(o));
		dns_name_lower(own);
		if (memcmp(own, pr->qwire, pr->qwire_len) != 0) {
			ldns_pkt_free(pkt);
			if (!a->tcp)
				return 0;
			attempt_done(a, false, "bad reply: question mismatch");
			return 1;
		}
	}
	if (!a->tcp && ldns_pkt_tc(pkt)) {
		ldns_pkt_free(pkt);
		return 2;
	}

	rcode = (unsigned)ldns_pkt_get_rcode(pkt);
	rname = rcode_name(rcode, rbuf, sizeof(rbuf));
	ans = ldns_pkt_answer(pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		char *text = rr_rdata_str(rr);
		bool of_type = s->qtype == DNS_T_ANY ||
		    ldns_rr_get_type(rr) == (ldns_rr_type)s->qtype;
		if (s->expect_answer != NULL && rr_matches_expect(pr, rr, text))
			matched = true;
		if (of_type) {
			n_ans++;
			detail_add(ans_txt, sizeof(ans_txt), text ? text : "?");
		}
		free(text);
	}
	ldns_pkt_free(pkt);

	rcode_ok = s->expect_rcode == PROBE_RCODE_ANY || (unsigned)s->expect_rcode == rcode;
	if (!rcode_ok) {
		char want[16];
		attempt_done(a, false, "%s%s%s (want %s)", rname, ans_txt,
		    n_ans == 0 && rcode == 0 ? " empty" : "",
		    rcode_name((unsigned)s->expect_rcode, want, sizeof(want)));
		return 1;
	}
	if (rcode != DNS_RCODE_NOERROR) {
		attempt_done(a, true, "%s%s", rname, ans_txt);
		return 1;
	}
	if (n_ans == 0) {
		attempt_done(a, s->expect_empty || s->expect_rcode == PROBE_RCODE_ANY,
		    "NOERROR empty");
		return 1;
	}
	if (s->expect_answer != NULL && !matched) {
		attempt_done(a, false, "NOERROR%s (want %s)", ans_txt, s->expect_answer);
		return 1;
	}
	attempt_done(a, true, "NOERROR%s", ans_txt);
	return 1;
}

static void
dns_retry_tcp(struct attempt *a)
{
	close_fd(a);
	a->tcp = true;
	a->retried_tcp = true;
	a->rxlen = 0;
	dns_build_query(a);
	(void)tcp_connect(a);
}

void
dns_udp_read(struct attempt *a)
{
	uint8_t buf[65536];

	for (;;) {
		ssize_t n = recv(a->fd, buf, sizeof(buf), 0);
		int r;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			fail_errno(a, "udp: connection", errno);
			return;
		}
		r = dns_check_reply(a, buf, (size_t)n);
		if (r == 1)
			return;
		if (r == 2) {
			dns_retry_tcp(a);
			return;
		}
	}
}

int
dns_udp_start(struct attempt *a)
{
	struct probe *pr = a->pr;
	int fd = open_socket(pr, pr->target.u.sa.sa_family, SOCK_DGRAM);

	if (fd < 0) {
		attempt_done(a, false, "socket: %s", dd_strerror(fd));
		return 0;
	}
	a->fd = fd;
	if (connect(fd, &pr->target.u.sa, pr->target.len) < 0) {
		fail_errno(a, "udp: connect", errno);
		return 0;
	}
	if (send(fd, a->q, a->qlen, 0) < 0) {
		fail_errno(a, "udp: send", errno);
		return 0;
	}
	a->st = AS_READING;
	if (ev_io_add(pr->owner->loop, fd, EV_READ, io_cb, a) < 0) {
		attempt_done(a, false, "event loop: cannot watch socket");
		return 0;
	}
	return 0;
}

/* Read a TCP-framed reply; checks it once it is whole. */
void
dns_tcp_read(struct attempt *a)
{
	for (;;) {
		ssize_t n;
		if (a->rxcap - a->rxlen < 4096 && a->rxcap < DNS_TCP_MAX) {
			size_t nc = a->rxcap ? a->rxcap * 2 : 4096;
			uint8_t *nb;
			if (nc > DNS_TCP_MAX)
				nc = DNS_TCP_MAX;
			if ((nb = realloc(a->rx, nc)) == NULL) {
				attempt_done(a, false, "out of memory");
				return;
			}
			a->rx = nb;
			a->rxcap = nc;
		}
		n = recv(a->fd, a->rx + a->rxlen, a->rxcap - a->rxlen, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			fail_errno(a, "tcp: connection", errno);
			return;
		}
		if (n == 0) {
			attempt_done(a, false, "tcp: connection closed before reply");
			return;
		}
		a->rxlen += (size_t)n;
		if (a->rxlen >= 2) {
			size_t want = dns_get16(a->rx);
			if (a->rxlen >= 2 + want) {
				(void)dns_check_reply(a, a->rx + 2, want);
				return;
			}
		}
	}
}
