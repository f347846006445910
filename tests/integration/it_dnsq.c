/*
 * it_dnsq.c -- a small, precise DNS query client for the integration tests.
 *
 * Shell tools (kdig, drill) are fine for "what came back"; this client adds
 * what they cannot say precisely: elapsed time per reply in milliseconds,
 * the order replies arrive in on one TCP connection, raw malformed bytes,
 * when the server hangs up an idle connection, and many clients at once.
 * Packets are built and parsed with ldns; sockets are plain and
 * non-blocking so time is measured around the exchange only.
 *
 *   it_dnsq --server ADDR:PORT [--tcp] --name N [--type T] [options]
 *
 * Output, one "key=value" (or "section<TAB>rr") per line:
 *   transport=udp|tcp  id=N  rcode=NAME  flags=qr,aa,...  tc=0|1
 *   qd=N an=N ns=N ar=N  question=NAME TYPE
 *   an<TAB>RR / ns<TAB>RR / ar<TAB>RR (ldns presentation, tab separated)
 *   ttl_min=N  ttl_max=N  elapsed_ms=F  tc_retry=1 (after --tc-retry)
 * Exit: 0 a reply was read, 1 no reply (timeout/closed), 2 usage.
 *
 * Other modes (same --server/--tcp):
 *   --batch NAME[:TYPE],...   send all at once (UDP: one socket each; TCP:
 *                             pipelined on one connection) and print
 *                             "reply idx=I name=N rcode=R an=N elapsed_ms=F"
 *                             in arrival order, "noreply idx=I" for the rest
 *   --repeat N                the single query N times in a row; prints each
 *                             "elapsed_ms=" and then "median_ms="
 *   --clients N               N clients (sockets / connections) query at once;
 *                             prints "clients ok=K total=N elapsed_ms=F"
 *   --raw HEX                 send these bytes as they are (for TCP: no
 *                             length prefix is added; the test frames them)
 *   --frame N                 TCP: a frame of length N (a query header with
 *                             QDCOUNT=1 then filler bytes)
 *                             raw modes print "reply len=N rcode=R" /
 *                             "noreply" / "closed"
 *   --idle MS                 TCP: (after the query, if --name) wait up to MS
 *                             for the server to close; prints "closed_ms=F"
 *                             or "open_ms=MS"
 * Options: --timeout MS (2000), --edns SIZE, --do, --no-rd, --id N,
 *          --tc-retry (UDP reply with TC: ask again over TCP).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "lib/addr.h"

struct opts {
	struct dd_sockaddr server;
	bool tcp, do_bit, no_rd, tc_retry;
	const char *name, *type, *batch, *raw;
	int timeout_ms, edns, clients, repeat, frame, idle_ms;
	long id;
};

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
usage(void)
{
	fprintf(stderr, "usage: it_dnsq --server ADDR:PORT [--tcp] --name N [--type T] "
	    "[--batch N:T,...|--repeat N|--clients N|--raw HEX|--frame N|--idle MS] "
	    "[--timeout MS] [--edns SIZE] [--do] [--no-rd] [--id N] [--tc-retry]\n");
	exit(2);
}

/* Build a query as wire bytes (malloc'd); returns length or 0. */
static size_t
build_query(const struct opts *o, const char *name, const char *type,
    uint16_t id, uint8_t **wire)
{
	ldns_rr_type t = ldns_get_rr_type_by_name(type ? type : "A");
	ldns_pkt *p = NULL;
	size_t len = 0;

	if (t == 0 && strcasecmp(type, "TYPE0") != 0) {
		fprintf(stderr, "it_dnsq: unknown type '%s'\n", type);
		exit(2);
	}
	if (ldns_pkt_query_new_frm_str(&p, name, t, LDNS_RR_CLASS_IN,
	    o->no_rd ? 0 : LDNS_RD) != LDNS_STATUS_OK) {
		fprintf(stderr, "it_dnsq: bad name '%s'\n", name);
		exit(2);
	}
	ldns_pkt_set_id(p, id);
	if (o->edns > 0 || o->do_bit) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)(o->edns > 0 ? o->edns : 1232));
		ldns_pkt_set_edns_do(p, o->do_bit);
		/* ldns only writes OPT when some EDNS field is non-default */
		ldns_pkt_set_edns_version(p, 0);
		ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 0, ""));
	}
	if (ldns_pkt2wire(wire, p, &len) != LDNS_STATUS_OK)
		len = 0;
	ldns_pkt_free(p);
	return len;
}

static int
open_sock(const struct opts *o, bool tcp)
{
	int fd = socket(o->server.u.sa.sa_family,
	    (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, &o->server.u.sa, o->server.len) < 0) {
		fprintf(stderr, "it_dnsq: connect: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
wait_readable(int fd, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int left = (int)(deadline - now_ms());
	if (left < 0)
		left = 0;
	return poll(&p, 1, left);
}

/* Read exactly n bytes from a stream before deadline: 1 ok, 0 EOF, -1 timeout */
static int
read_full(int fd, uint8_t *buf, size_t n, double deadline)
{
	size_t got = 0;
	while (got < n) {
		if (wait_readable(fd, deadline) <= 0)
			return -1;
		ssize_t k = recv(fd, buf + got, n - got, 0);
		if (k == 0)
			return 0;
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return 0;   /* reset counts as closed */
		}
		got += (size_t)k;
	}
	return 1;
}

static int
send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
send_tcp_query(int fd, const uint8_t *q, size_t len)
{
	uint8_t *b = malloc(len + 2);
	int rc;
	b[0] = (uint8_t)(len >> 8);
	b[1] = (uint8_t)len;
	memcpy(b + 2, q, len);
	rc = send_all(fd, b, len + 2);
	free(b);
	return rc;
}

/* One TCP reply: returns its length, 0 closed, -1 timeout. */
static ssize_t
recv_tcp_reply(int fd, uint8_t *buf, double deadline)
{
	uint8_t h[2];
	int rc = read_full(fd, h, 2, deadline);
	if (rc <= 0)
		return rc;
	size_t n = (size_t)((h[0] << 8) | h[1]);
	rc = read_full(fd, buf, n, deadline);
	if (rc <= 0)
		return rc == 0 ? 0 : -1;
	return (ssize_t)n;
}

static const char *
rcode_name(unsigned rc)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	return lt ? lt->name : "?";
}

static void
print_section(const char *tag, const ldns_rr_list *l, uint32_t *tmin, uint32_t *tmax)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *s = ldns_rr2str(rr);
		size_t n = strlen(s);
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
			s[--n] = '\0';
		printf("%s\t%s\n", tag, s);
		free(s);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_OPT) {
			uint32_t t = ldns_rr_ttl(rr);
			if (t < *tmin)
				*tmin = t;
			if (t > *tmax)
				*tmax = t;
		}
	}
}

/* Print a full reply; returns 0, or 1 when it does not parse. */
static int
print_reply(const uint8_t *buf, size_t len, bool tcp, double elapsed)
{
	ldns_pkt *p = NULL;
	uint32_t tmin = UINT32_MAX, tmax = 0;

	printf("transport=%s\n", tcp ? "tcp" : "udp");
	printf("len=%zu\n", len);
	if (ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK) {
		printf("parse=error\n");
		if (len >= 4)
			printf("rcode=%s\n", rcode_name(buf[3] & 0xf));
		printf("elapsed_ms=%.3f\n", elapsed);
		return 1;
	}
	printf("id=%u\n", ldns_pkt_id(p));
	printf("rcode=%s\n", rcode_name(ldns_pkt_get_rcode(p)));
	printf("flags=%s%s%s%s%s%s%s\n", ldns_pkt_qr(p) ? "qr," : "",
	    ldns_pkt_aa(p) ? "aa," : "", ldns_pkt_tc(p) ? "tc," : "",
	    ldns_pkt_rd(p) ? "rd," : "", ldns_pkt_ra(p) ? "ra," : "",
	    ldns_pkt_ad(p) ? "ad," : "", ldns_pkt_cd(p) ? "cd," : "");
	printf("tc=%d\n", ldns_pkt_tc(p) ? 1 : 0);
	printf("qd=%u\nan=%u\nns=%u\nar=%u\n", ldns_pkt_qdcount(p), ldns_pkt_ancount(p),
	    ldns_pkt_nscount(p), ldns_pkt_arcount(p) + (ldns_pkt_edns(p) ? 1 : 0));
	printf("edns=%d\n", ldns_pkt_edns(p) ? 1 : 0);
	if (ldns_pkt_qdcount(p) > 0) {
		ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		char *n = ldns_rdf2str(ldns_rr_owner(q));
		char *t = ldns_rr_type2str(ldns_rr_get_type(q));
		printf("question=%s %s\n", n, t);
		free(n);
		free(t);
	}
	print_section("an", ldns_pkt_answer(p), &tmin, &tmax);
	print_section("ns", ldns_pkt_authority(p), &tmin, &tmax);
	print_section("ar", ldns_pkt_additional(p), &tmin, &tmax);
	if (tmax > 0 || tmin != UINT32_MAX)
		printf("ttl_min=%u\nttl_max=%u\n", tmin, tmax);
	printf("elapsed_ms=%.3f\n", elapsed);
	ldns_pkt_free(p);
	return 0;
}

/* One exchange on a fresh socket; returns reply length, 0 closed, -1 timeout. */
static ssize_t
exchange(const struct opts *o, bool tcp, const uint8_t *q, size_t qlen,
    uint8_t *buf, size_t cap, double *elapsed)
{
	int fd = open_sock(o, tcp);
	ssize_t n = -1;
	double t0, deadline;

	if (fd < 0)
		return -1;
	t0 = now_ms();
	deadline = t0 + o->timeout_ms;
	if (tcp) {
		if (send_tcp_query(fd, q, qlen) == 0)
			n = recv_tcp_reply(fd, buf, deadline);
		else
			n = 0;
	} else if (send(fd, q, qlen, 0) == (ssize_t)qlen) {
		for (;;) {
			if (wait_readable(fd, deadline) <= 0) {
				n = -1;
				break;
			}
			n = recv(fd, buf, cap, 0);
			if (n < 0 && errno == ECONNREFUSED) {
				n = 0;
				break;
			}
			/* ignore replies with another ID (none expected) */
			if (n >= 2 && buf[0] == q[0] && buf[1] == q[1])
				break;
		}
	}
	*elapsed = now_ms() - t0;
	close(fd);
	return n;
}

static uint16_t
pick_id(const struct opts *o)
{
	if (o->id >= 0)
		return (uint16_t)o->id;
	return (uint16_t)(((unsigned)getpid() * 2654435761u + (unsigned)now_ms()) & 0xffff);
}

static bool
len_tc(const uint8_t *b, size_t n)
{
	return n >= 4 && (b[2] & 0x02);
}

static int
mode_single(const struct opts *o)
{
	static uint8_t buf[65536];
	uint8_t *q = NULL;
	size_t qlen = build_query(o, o->name, o->type, pick_id(o), &q);
	double el;
	ssize_t n = exchange(o, o->tcp, q, qlen, buf, sizeof(buf), &el);
	bool tcp = o->tcp;

	if (n > 0 && !tcp && o->tc_retry && len_tc(buf, (size_t)n)) {
		double el2;
		printf("tc_retry=1\n");
		n = exchange(o, true, q, qlen, buf, sizeof(buf), &el2);
		el += el2;
		tcp = true;
	}
	free(q);
	if (n <= 0) {
		printf("%s\nelapsed_ms=%.3f\n", n == 0 ? "closed" : "timeout", el);
		return 1;
	}
	print_reply(buf, (size_t)n, tcp, el);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int
mode_repeat(const struct opts *o)
{
	static uint8_t buf[65536];
	double *v = calloc((size_t)o->repeat, sizeof(double));
	int ok = 0;

	for (int i = 0; i < o->repeat; i++) {
		uint8_t *q = NULL;
		size_t qlen = build_query(o, o->name, o->type, (uint16_t)(pick_id(o) + i), &q);
		double el;
		ssize_t n = exchange(o, o->tcp, q, qlen, buf, sizeof(buf), &el);
		free(q);
		if (n > 0) {
			v[ok++] = el;
			printf("elapsed_ms=%.3f rcode=%s\n", el, rcode_name(buf[3] & 0xf));
		} else {
			printf("noreply\n");
		}
	}
	if (ok == 0) {
		free(v);
		return 1;
	}
	qsort(v, (size_t)ok, sizeof(double), cmp_double);
	printf("replies=%d\nmin_ms=%.3f\nmedian_ms=%.3f\nmax_ms=%.3f\n", ok, v[0],
	    ok % 2 ? v[ok / 2] : (v[ok / 2 - 1] + v[ok / 2]) / 2, v[ok - 1]);
	free(v);
	return ok == o->repeat ? 0 : 1;
}

#define MAXB 256

static int
mode_batch(const struct opts *o)
{
	static uint8_t buf[65536];
	char *list = strdup(o->batch), *save = NULL, *tok;
	char *names[MAXB];
	uint16_t ids[MAXB];
	int fds[MAXB], n = 0, got = 0, fd = -1;
	bool done[MAXB] = { false };
	double t0, deadline;
	uint16_t base = pick_id(o);

	for (tok = strtok_r(list, ",", &save); tok && n < MAXB; tok = strtok_r(NULL, ",", &save))
		names[n++] = tok;
	if (o->tcp && (fd = open_sock(o, true)) < 0)
		return 1;
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		char *type = strchr(names[i], ':');
		uint8_t *q = NULL;
		size_t qlen;
		if (type)
			*type++ = '\0';
		ids[i] = (uint16_t)(base + i);
		qlen = build_query(o, names[i], type ? type : "A", ids[i], &q);
		if (o->tcp) {
			send_tcp_query(fd, q, qlen);
		} else {
			fds[i] = open_sock(o, false);
			if (fds[i] >= 0)
				send(fds[i], q, qlen, 0);
		}
		free(q);
	}
	deadline = t0 + o->timeout_ms;
	while (got < n && now_ms() < deadline) {
		if (o->tcp) {
			ssize_t k = recv_tcp_reply(fd, buf, deadline);
			if (k <= 0)
				break;
			for (int i = 0; i < n; i++) {
				if (!done[i] && k >= 12 && ((buf[0] << 8) | buf[1]) == ids[i]) {
					done[i] = true;
					got++;
					printf("reply idx=%d name=%s rcode=%s an=%u elapsed_ms=%.3f\n", i,
					    names[i], rcode_name(buf[3] & 0xf), (buf[6] << 8) | buf[7],
					    now_ms() - t0);
					break;
				}
			}
			continue;
		}
		struct pollfd p[MAXB];
		int map[MAXB], np = 0;
		for (int i = 0; i < n; i++)
			if (!done[i] && fds[i] >= 0) {
				p[np].fd = fds[i];
				p[np].events = POLLIN;
				map[np++] = i;
			}
		int left = (int)(deadline - now_ms());
		if (np == 0 || poll(p, (nfds_t)np, left > 0 ? left : 0) <= 0)
			break;
		for (int j = 0; j < np; j++) {
			if (!(p[j].revents & POLLIN))
				continue;
			int i = map[j];
			ssize_t k = recv(fds[i], buf, sizeof(buf), 0);
			if (k >= 12 && ((buf[0] << 8) | buf[1]) == ids[i]) {
				done[i] = true;
				got++;
				printf("reply idx=%d name=%s rcode=%s an=%u elapsed_ms=%.3f\n", i,
				    names[i], rcode_name(buf[3] & 0xf), (buf[6] << 8) | buf[7],
				    now_ms() - t0);
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (!done[i])
			printf("noreply idx=%d name=%s\n", i, names[i]);
		if (!o->tcp && fds[i] >= 0)
			close(fds[i]);
	}
	if (fd >= 0)
		close(fd);
	free(list);
	return got == n ? 0 : 1;
}

static int
mode_clients(const struct opts *o)
{
	static uint8_t buf[65536];
	int n = o->clients, ok = 0;
	int *fds = calloc((size_t)n, sizeof(int));
	bool *done = calloc((size_t)n, sizeof(bool));
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	double t0 = now_ms(), deadline = t0 + o->timeout_ms;
	uint16_t base = pick_id(o);

	for (int i = 0; i < n; i++) {
		uint8_t *q = NULL;
		size_t qlen = build_query(o, o->name, o->type, (uint16_t)(base + i), &q);
		fds[i] = open_sock(o, o->tcp);
		if (fds[i] >= 0 && (o->tcp ? send_tcp_query(fds[i], q, qlen) :
		    (send(fds[i], q, qlen, 0) == (ssize_t)qlen ? 0 : -1)) < 0) {
			close(fds[i]);
			fds[i] = -1;
		}
		free(q);
	}
	while (now_ms() < deadline) {
		int np = 0;
		for (int i = 0; i < n; i++)
			if (!done[i] && fds[i] >= 0) {
				p[np].fd = fds[i];
				p[np].events = POLLIN;
				p[np].revents = 0;
				np++;
			}
		int left = (int)(deadline - now_ms());
		if (np == 0 || poll(p, (nfds_t)np, left > 0 ? left : 0) <= 0)
			break;
		for (int j = 0; j < np; j++) {
			int i;
			if (!p[j].revents)
				continue;
			for (i = 0; i < n && fds[i] != p[j].fd; i++)
				;
			ssize_t k = o->tcp ? recv_tcp_reply(fds[i], buf, deadline) :
			    recv(fds[i], buf, sizeof(buf), 0);
			done[i] = true;
			if (k >= 12 && ((buf[0] << 8) | buf[1]) == (uint16_t)(base + i) &&
			    (buf[3] & 0xf) == 0)
				ok++;
		}
	}
	printf("clients ok=%d total=%d elapsed_ms=%.3f\n", ok, n, now_ms() - t0);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(done);
	free(p);
	return ok == n ? 0 : 1;
}

static size_t
unhex(const char *s, uint8_t **out)
{
	size_t n = strlen(s) / 2, k = 0;
	uint8_t *b = malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		while (*s == ' ' || *s == ':')
			s++;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		b[k++] = (uint8_t)v;
		s += 2;
	}
	*out = b;
	return k;
}

static int
mode_raw(const struct opts *o)
{
	static uint8_t buf[65536];
	uint8_t *b = NULL;
	size_t len;
	int fd = open_sock(o, o->tcp);
	double deadline;
	ssize_t n;

	if (fd < 0)
		return 1;
	if (o->frame > 0) {
		len = (size_t)o->frame + 2;
		b = malloc(len);
		memset(b, 'A', len);
		b[0] = (uint8_t)(o->frame >> 8);
		b[1] = (uint8_t)o->frame;
		/* id 0x4242, flags rd, qdcount 1, other counts 0 */
		if (o->frame >= 12) {
			memcpy(b + 2, "\x42\x42\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
		}
	} else {
		len = unhex(o->raw, &b);
	}
	deadline = now_ms() + o->timeout_ms;
	if (o->tcp) {
		send_all(fd, b, len);
		n = recv_tcp_reply(fd, buf, deadline);
	} else {
		send(fd, b, len, 0);
		n = wait_readable(fd, deadline) > 0 ? recv(fd, buf, sizeof(buf), 0) : -1;
	}
	free(b);
	close(fd);
	if (n > 0) {
		printf("reply len=%zd rcode=%s\n", n, n >= 4 ? rcode_name(buf[3] & 0xf) : "?");
		return 0;
	}
	printf("%s\n", n == 0 ? "closed" : "noreply");
	return 1;
}

static int
mode_idle(const struct opts *o)
{
	static uint8_t buf[65536];
	int fd = open_sock(o, true);
	double t0, deadline;

	if (fd < 0)
		return 1;
	if (o->name != NULL) {
		uint8_t *q = NULL;
		size_t qlen = build_query(o, o->name, o->type, pick_id(o), &q);
		send_tcp_query(fd, q, qlen);
		free(q);
		if (recv_tcp_reply(fd, buf, now_ms() + o->timeout_ms) <= 0) {
			printf("noreply\n");
			close(fd);
			return 1;
		}
	}
	t0 = now_ms();
	deadline = t0 + o->idle_ms;
	for (;;) {
		if (wait_readable(fd, deadline) <= 0) {
			printf("open_ms=%d\n", o->idle_ms);
			close(fd);
			return 1;
		}
		ssize_t k = recv(fd, buf, sizeof(buf), 0);
		if (k <= 0 && !(k < 0 && errno == EINTR)) {
			printf("closed_ms=%.3f\n", now_ms() - t0);
			close(fd);
			return 0;
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "tcp", no_argument, NULL, 'T' },
		{ "udp", no_argument, NULL, 'U' },
		{ "name", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "edns", required_argument, NULL, 'e' },
		{ "do", no_argument, NULL, 'D' },
		{ "no-rd", no_argument, NULL, 'R' },
		{ "id", required_argument, NULL, 'i' },
		{ "tc-retry", no_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' },
		{ "repeat", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "raw", required_argument, NULL, 'x' },
		{ "frame", required_argument, NULL, 'f' },
		{ "idle", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .timeout_ms = 2000, .id = -1, .type = "A" };
	bool have_server = false;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			if (dd_sockaddr_parse(optarg, 53, &o.server) < 0) {
				fprintf(stderr, "it_dnsq: bad --server '%s'\n", optarg);
				return 2;
			}
			have_server = true;
			break;
		case 'T': o.tcp = true; break;
		case 'U': o.tcp = false; break;
		case 'n': o.name = optarg; break;
		case 't': o.type = optarg; break;
		case 'w': o.timeout_ms = atoi(optarg); break;
		case 'e': o.edns = atoi(optarg); break;
		case 'D': o.do_bit = true; break;
		case 'R': o.no_rd = true; break;
		case 'i': o.id = atol(optarg); break;
		case 'r': o.tc_retry = true; break;
		case 'b': o.batch = optarg; break;
		case 'p': o.repeat = atoi(optarg); break;
		case 'c': o.clients = atoi(optarg); break;
		case 'x': o.raw = optarg; break;
		case 'f': o.frame = atoi(optarg); break;
		case 'I': o.idle_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (!have_server)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.batch)
		return mode_batch(&o);
	if (o.raw || o.frame > 0)
		return mode_raw(&o);
	if (o.idle_ms > 0)
		return mode_idle(&o);
	if (o.name == NULL)
		usage();
	if (o.repeat > 0)
		return mode_repeat(&o);
	if (o.clients > 0)
		return mode_clients(&o);
	return mode_single(&o);
}
