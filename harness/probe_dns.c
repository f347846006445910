/*
 * probe_dns.c -- the DNS probe kind: the spec's checks, the query, its UDP
 * exchange (retried over TCP on TC=1) or TCP exchange, and the check of
 * the reply against what the probe expects.
 *
 * Why ldns for replies but not for queries: the query is 30 bytes we can
 * write with lib/dnswire.h; replies come from servers under fault injection
 * and may be anything, and ldns already renders every rdata type as text.
 */
#include "harness/probe_kind.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "lib/dnswire.h"
#include "lib/evloop.h"

#define DNS_TCP_MAX     (65535u + 2u)

/* What a DNS probe derives from its spec. */
struct dns_probe {
	uint8_t qwire[DNS_MAX_NAME];  /* lower-cased */
	size_t qwire_len;
	int ea_family;                /* expect_answer as an address, or 0 */
	uint8_t ea_addr[16];
};

struct dns_attempt {
	struct probe_attempt a;       /* first: the attempt layer's view */
	uint16_t id;
	bool tcp;                     /* over TCP (also after TC=1) */
	uint8_t q[2 + 512];
	size_t qlen;
};

static struct dns_attempt *
dns_att(struct probe_attempt *a)
{
	return (struct dns_attempt *)a;
}

static const struct dns_probe *
dns_pr(const struct probe *pr)
{
	return pr->kind_data;
}

/* ------------------------------------------------------------------ */
/* spec */

static int
dns_prepare(struct probe *pr, struct dd_err *err)
{
	struct probe_spec *s = &pr->spec;
	const char *nm = s->name;
	struct dns_probe *d;
	int n;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return DD_ENOMEM;
	pr->kind_data = d;
	if (s->qname == NULL || s->qname[0] == '\0') {
		dd_err_set(err, "probe '%s': dns probe needs a qname", nm);
		return DD_EINVAL;
	}
	n = dns_name_from_str(s->qname, d->qwire, sizeof(d->qwire));
	if (n < 0) {
		dd_err_set(err, "probe '%s': bad qname '%s'", nm, s->qname);
		return DD_EINVAL;
	}
	d->qwire_len = (size_t)n;
	dns_name_lower(d->qwire);
	if (s->qtype == 0)
		s->qtype = DNS_T_A;
	if (s->qtype < 1 || s->qtype > 65535) {
		dd_err_set(err, "probe '%s': qtype %d out of range", nm, s->qtype);
		return DD_EINVAL;
	}
	if (!probe_sa_ok(&s->server)) {
		dd_err_set(err, "probe '%s': dns probe needs a server address", nm);
		return DD_EINVAL;
	}
	pr->target = s->server;
	if (probe_sa_port(&pr->target) == 0)
		probe_sa_set_port(&pr->target, 53);
	if (s->expect_rcode < PROBE_RCODE_ANY || s->expect_rcode > 15) {
		dd_err_set(err, "probe '%s': expect_rcode %d out of range", nm,
		    s->expect_rcode);
		return DD_EINVAL;
	}
	if (s->expect_answer != NULL && s->expect_empty) {
		dd_err_set(err, "probe '%s': expect_answer and expect_empty "
		    "contradict each other", nm);
		return DD_EINVAL;
	}
	if (s->expect_answer != NULL) {
		if (inet_pton(AF_INET, s->expect_answer, d->ea_addr) == 1)
			d->ea_family = AF_INET;
		else if (inet_pton(AF_INET6, s->expect_answer, d->ea_addr) == 1)
			d->ea_family = AF_INET6;
		else if (s->expect_answer[0] == '\0') {
			dd_err_set(err, "probe '%s': empty expect_answer", nm);
			return DD_EINVAL;
		}
	}
	return 0;
}

static void
dns_release(struct probe *pr)
{
	free(pr->kind_data);
	pr->kind_data = NULL;
}

/* ------------------------------------------------------------------ */
/* the exchange */

/* Writes the query for da->id into da->q (TCP-framed when da->tcp) and
 * makes it what the stream sends. */
static void
dns_build_query(struct dns_attempt *da)
{
	const struct dns_probe *d = dns_pr(da->a.pr);
	struct dns_writer w;
	size_t off = da->tcp ? 2 : 0;

	dns_w_init(&w, da->q + off, sizeof(da->q) - off);
	dns_w_u16(&w, da->id);
	dns_w_u16(&w, DNS_RD);
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_bytes(&w, d->qwire, d->qwire_len);
	dns_w_u16(&w, (uint16_t)da->a.pr->spec.qtype);
	dns_w_u16(&w, DNS_C_IN);
	if (da->tcp)
		dns_put16(da->q, (uint16_t)w.len);
	da->qlen = w.len + off;
	da->a.wbuf = da->q;
	da->a.wlen = da->qlen;
	da->a.woff = 0;
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
	const struct dns_probe *d = dns_pr(pr);
	const ldns_rdf *rd;

	if (d->ea_family != 0) {
		size_t n = d->ea_family == AF_INET ? 4 : 16;
		ldns_rr_type want = d->ea_family == AF_INET ? LDNS_RR_TYPE_A :
		    LDNS_RR_TYPE_AAAA;
		if (ldns_rr_get_type(rr) != want || ldns_rr_rd_count(rr) < 1)
			return false;
		rd = ldns_rr_rdf(rr, 0);
		return ldns_rdf_size(rd) == n && memcmp(ldns_rdf_data(rd), d->ea_addr, n) == 0;
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
dns_check_reply(struct dns_attempt *da, const uint8_t *buf, size_t len)
{
	struct probe_attempt *a = &da->a;
	const struct probe *pr = a->pr;
	const struct dns_probe *d = dns_pr(pr);
	const struct probe_spec *s = &pr->spec;
	ldns_pkt *pkt = NULL;
	ldns_rr_list *qs, *ans;
	char ans_txt[PROBE_DETAIL_MAX] = "", rbuf[16];
	const char *rname;
	unsigned rcode;
	size_t n_ans = 0;
	bool matched = false, rcode_ok;

	if (len < DNS_HDR_LEN || dns_get16(buf) != da->id || !(buf[2] & 0x80)) {
		if (!da->tcp)
			return 0;   /* not ours: keep listening, like a stub */
		probe_attempt_done(a, false, "bad reply: %s", len < DNS_HDR_LEN ?
		    "short message" : "ID or QR mismatch");
		return 1;
	}
	/* records that walk, and one TSIG at most (RFC 8945: the last
	 * record): ldns leaks all but the last of several */
	int ntsig = dns_count_type(buf, len, DNS_T_TSIG);
	if (ntsig > 1) {
		probe_attempt_done(a, false, "bad reply: more than one TSIG record");
		return 1;
	}
	if (ntsig < 0 || ldns_wire2pkt(&pkt, buf, len) != LDNS_STATUS_OK) {
		probe_attempt_done(a, false, "bad reply: malformed message");
		return 1;
	}
	qs = ldns_pkt_question(pkt);
	if (ldns_rr_list_rr_count(qs) != 1) {
		/* a bare TC reply may come without question */
		if (!da->tcp && ldns_pkt_tc(pkt) && ldns_rr_list_rr_count(qs) == 0) {
			ldns_pkt_free(pkt);
			return 2;
		}
		ldns_pkt_free(pkt);
		probe_attempt_done(a, false, "bad reply: %zu questions",
		    ldns_rr_list_rr_count(qs));
		return 1;
	} else {
		const ldns_rr *q = ldns_rr_list_rr(qs, 0);
		const ldns_rdf *o = ldns_rr_owner(q);
		uint8_t own[DNS_MAX_NAME];
		if (ldns_rdf_size(o) != d->qwire_len || ldns_rdf_size(o) > sizeof(own) ||
		    ldns_rr_get_type(q) != (ldns_rr_type)s->qtype) {
			ldns_pkt_free(pkt);
			if (!da->tcp)
				return 0;
			probe_attempt_done(a, false, "bad reply: question mismatch");
			return 1;
		}
		memcpy(own, ldns_rdf_data(o), ldns_rdf_size(o));
		dns_name_lower(own);
		if (memcmp(own, d->qwire, d->qwire_len) != 0) {
			ldns_pkt_free(pkt);
			if (!da->tcp)
				return 0;
			probe_attempt_done(a, false, "bad reply: question mismatch");
			return 1;
		}
	}
	if (!da->tcp && ldns_pkt_tc(pkt)) {
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
		probe_attempt_done(a, false, "%s%s%s (want %s)", rname, ans_txt,
		    n_ans == 0 && rcode == 0 ? " empty" : "",
		    rcode_name((unsigned)s->expect_rcode, want, sizeof(want)));
		return 1;
	}
	if (rcode != DNS_RCODE_NOERROR) {
		probe_attempt_done(a, true, "%s%s", rname, ans_txt);
		return 1;
	}
	if (n_ans == 0) {
		probe_attempt_done(a, s->expect_empty || s->expect_rcode == PROBE_RCODE_ANY,
		    "NOERROR empty");
		return 1;
	}
	if (s->expect_answer != NULL && !matched) {
		probe_attempt_done(a, false, "NOERROR%s (want %s)", ans_txt, s->expect_answer);
		return 1;
	}
	probe_attempt_done(a, true, "NOERROR%s", ans_txt);
	return 1;
}

static void dns_tcp_read(struct probe_attempt *a);

static void
dns_retry_tcp(struct dns_attempt *da)
{
	probe_attempt_close_fd(&da->a);
	da->tcp = true;
	da->a.rxlen = 0;
	dns_build_query(da);
	probe_stream_open(&da->a, NULL, dns_tcp_read);
}

static void
dns_udp_read(struct probe_attempt *a, unsigned events)
{
	uint8_t buf[65536];

	if (!(events & EV_READ))
		return;
	for (;;) {
		ssize_t n = recv(a->fd, buf, sizeof(buf), 0);
		int r;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			probe_attempt_fail_errno(a, "udp: connection", errno);
			return;
		}
		r = dns_check_reply(dns_att(a), buf, (size_t)n);
		if (r == 1)
			return;
		if (r == 2) {
			dns_retry_tcp(dns_att(a));
			return;
		}
	}
}

static void
dns_udp_start(struct dns_attempt *da)
{
	struct probe_attempt *a = &da->a;
	const struct probe *pr = a->pr;
	int fd = probe_socket_open(pr, pr->target.u.sa.sa_family, SOCK_DGRAM);

	if (fd < 0) {
		probe_attempt_done(a, false, "socket: %s", dd_strerror(fd));
		return;
	}
	if (connect(fd, &pr->target.u.sa, pr->target.len) < 0) {
		int e = errno;
		close(fd);
		probe_attempt_fail_errno(a, "udp: connect", e);
		return;
	}
	if (send(fd, da->q, da->qlen, 0) < 0) {
		int e = errno;
		close(fd);
		probe_attempt_fail_errno(a, "udp: send", e);
		return;
	}
	if (probe_attempt_watch(a, fd, EV_READ, dns_udp_read) < 0) {
		close(fd);
		probe_attempt_done(a, false, "event loop: cannot watch socket");
	}
}

/* Read a TCP-framed reply; checks it once it is whole. */
static void
dns_tcp_read(struct probe_attempt *a)
{
	for (;;) {
		ssize_t n;
		if (a->rxcap - a->rxlen < 4096 && a->rxcap < DNS_TCP_MAX) {
			size_t nc = a->rxcap ? a->rxcap * 2 : 4096;
			uint8_t *nb;
			if (nc > DNS_TCP_MAX)
				nc = DNS_TCP_MAX;
			if ((nb = realloc(a->rx, nc)) == NULL) {
				probe_attempt_done(a, false, "out of memory");
				return;
			}
			a->rx = nb;
			a->rxcap = nc;
		}
		n = recv(a->fd, a->rx + a->rxlen, a->rxcap - a->rxlen, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			probe_attempt_fail_errno(a, "tcp: connection", errno);
			return;
		}
		if (n == 0) {
			probe_attempt_done(a, false, "tcp: connection closed before reply");
			return;
		}
		a->rxlen += (size_t)n;
		if (a->rxlen >= 2) {
			size_t want = dns_get16(a->rx);
			if (a->rxlen >= 2 + want) {
				(void)dns_check_reply(dns_att(a), a->rx + 2, want);
				return;
			}
		}
	}
}

static void
dns_start(struct probe_attempt *a)
{
	struct dns_attempt *da = dns_att(a);
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(a->start_us ^ (uintptr_t)a ^ ((uintptr_t)a >> 16));
	da->id = id;
	da->tcp = a->pr->spec.use_tcp;
	dns_build_query(da);
	if (da->tcp)
		probe_stream_open(a, NULL, dns_tcp_read);
	else
		dns_udp_start(da);
}

const struct probe_ops probe_dns_ops = {
	.name = "dns",
	.attempt_size = sizeof(struct dns_attempt),
	.prepare = dns_prepare,
	.release = dns_release,
	.start = dns_start,
};
