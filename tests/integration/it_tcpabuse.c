/*
 * it_tcpabuse.c -- misbehaving DNS-over-TCP clients for
 * tests/integration/faultd_tcp_abuse.sh.  Every mode is bounded in
 * connections and time and ends by itself.
 *
 *   it_tcpabuse hold --server A:P --conns N --ms MS
 *       open N connections, send nothing, hold them MS, close them;
 *       prints "connected=K"
 *   it_tcpabuse slow --server A:P --conns N --every MS --ms MS --name Q
 *       N connections each trickle a query for Q one byte every MS (never
 *       completing it in time), for at most MS in all; prints
 *       "closed=K open=M first_ms=F last_ms=F" (when the server hung up)
 *   it_tcpabuse halfclose --server A:P --name Q [--timeout MS]
 *       send one query, shut down the write side, read the reply; prints
 *       "reply rcode=R an=N elapsed_ms=F" or "noreply closed=0|1
 *       elapsed_ms=F"; exit 0 only with a reply
 *   it_tcpabuse abort --server A:P --name Q --ms MS
 *       send one query, wait MS without reading, then reset the connection
 *       (SO_LINGER 0: RST, not FIN); prints "aborted"
 *   it_tcpabuse noread --server A:P --conns N --queries Q --name NAME --ms MS
 *       N connections (small receive buffers) each pipeline Q queries for
 *       NAME as fast as the server takes them and never read a reply; after
 *       MS all close; prints "queries_sent=S closed_by_server=C"
 *
 * Queries are type A, class IN, RD set.  Exit 2 on usage errors.
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

#include "lib/addr.h"

#define MAXCONNS 2048

struct opts {
	struct dd_sockaddr server;
	int conns, every_ms, ms, queries, timeout_ms;
	const char *name;
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
	fprintf(stderr, "usage: it_tcpabuse hold|slow|halfclose|abort|noread --server ADDR:PORT "
	    "[--conns N] [--ms MS] [--every MS] [--queries Q] [--name NAME] [--timeout MS]\n");
	exit(2);
}

/* A framed (2-byte length first) query for name, type A; returns length. */
static size_t
frame_query(uint8_t *out, size_t cap, const char *name, uint16_t id)
{
	size_t n = 2;
	const char *p = name;

	if (cap < 2 + 12 + 256 + 4)
		return 0;
	uint8_t hdr[12] = { (uint8_t)(id >> 8), (uint8_t)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	memcpy(out + n, hdr, 12);
	n += 12;
	while (*p != '\0') {
		size_t l = strcspn(p, ".");
		if (l == 0 || l > 63)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 1;    /* A */
	out[n++] = 0;
	out[n++] = 1;    /* IN */
	out[0] = (uint8_t)((n - 2) >> 8);
	out[1] = (uint8_t)(n - 2);
	return n;
}

/* Non-blocking connect, waiting up to 2 s; returns the fd or -1. */
static int
dial(const struct dd_sockaddr *a, int rcvbuf)
{
	int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p;
	int err = 0;
	socklen_t el = sizeof(err);

	if (fd < 0)
		return -1;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, &a->u.sa, a->len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 2000) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Has the server hung up?  (reads and discards whatever is there) */
static bool
hung_up(int fd)
{
	uint8_t b[4096];
	ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* Has the server hung up?  (without reading: the data stays unread) */
static bool
hung_up_peek(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static int
mode_hold(const struct opts *o)
{
	static int fds[MAXCONNS];
	int k = 0;

	for (int i = 0; i < o->conns; i++) {
		int fd = dial(&o->server, 0);
		if (fd >= 0)
			fds[k++] = fd;
	}
	printf("connected=%d\n", k);
	fflush(stdout);
	usleep((useconds_t)o->ms * 1000);
	for (int i = 0; i < k; i++)
		close(fds[i]);
	return 0;
}

static int
mode_slow(const struct opts *o)
{
	static int fds[MAXCONNS];
	static size_t sent[MAXCONNS];
	static double closed_at[MAXCONNS];
	uint8_t q[512];
	size_t qlen = frame_query(q, sizeof(q), o->name, 0x5151);
	double t0, first = -1, last = -1;
	int k = 0, nclosed = 0;

	if (qlen == 0)
		usage();
	for (int i = 0; i < o->conns; i++) {
		int fd = dial(&o->server, 0);
		if (fd >= 0)
			fds[k++] = fd;
	}
	t0 = now_ms();
	while (now_ms() - t0 < o->ms && nclosed < k) {
		for (int i = 0; i < k; i++) {
			if (closed_at[i] > 0)
				continue;
			if (hung_up(fds[i]) ||
			    (sent[i] + 1 < qlen &&
			     send(fds[i], q + sent[i], 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
			     errno != EAGAIN)) {
				closed_at[i] = now_ms() - t0;
				nclosed++;
				continue;
			}
			/* never the last byte: the query stays incomplete */
			if (sent[i] + 1 < qlen)
				sent[i]++;
		}
		usleep((useconds_t)o->every_ms * 1000);
	}
	for (int i = 0; i < k; i++) {
		if (closed_at[i] > 0) {
			if (first < 0 || closed_at[i] < first)
				first = closed_at[i];
			if (closed_at[i] > last)
				last = closed_at[i];
		}
		close(fds[i]);
	}
	printf("connected=%d closed=%d open=%d first_ms=%.1f last_ms=%.1f\n",
	    k, nclosed, k - nclosed, first, last);
	return 0;
}

static int
mode_halfclose(const struct opts *o)
{
	uint8_t q[512], r[65537];
	size_t qlen = frame_query(q, sizeof(q), o->name, 0x4242), got = 0;
	double t0 = now_ms();
	int fd = dial(&o->server, 0);

	if (qlen == 0)
		usage();
	if (fd < 0) {
		printf("noreply closed=1 elapsed_ms=0\n");
		return 1;
	}
	if (send(fd, q, qlen, MSG_NOSIGNAL) != (ssize_t)qlen || shutdown(fd, SHUT_WR) < 0) {
		printf("noreply closed=1 elapsed_ms=%.1f\n", now_ms() - t0);
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = o->timeout_ms - (int)(now_ms() - t0);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) != 1) {
			printf("noreply closed=0 elapsed_ms=%.1f\n", now_ms() - t0);
			return 1;
		}
		n = recv(fd, r + got, sizeof(r) - got, 0);
		if (n <= 0) {
			printf("noreply closed=1 elapsed_ms=%.1f\n", now_ms() - t0);
			return 1;
		}
		got += (size_t)n;
		if (got >= 2 && got >= 2 + (size_t)((r[0] << 8) | r[1]) && got >= 14)
			break;
	}
	printf("reply rcode=%u an=%u id=%u elapsed_ms=%.1f\n", r[5] & 0x0f,
	    (unsigned)((r[8] << 8) | r[9]), (unsigned)((r[2] << 8) | r[3]), now_ms() - t0);
	close(fd);
	return 0;
}

static int
mode_abort(const struct opts *o)
{
	uint8_t q[512];
	size_t qlen = frame_query(q, sizeof(q), o->name, 0x4343);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = dial(&o->server, 0);

	if (qlen == 0)
		usage();
	if (fd < 0 || send(fd, q, qlen, MSG_NOSIGNAL) != (ssize_t)qlen) {
		printf("noconnection\n");
		return 1;
	}
	usleep((useconds_t)o->ms * 1000);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	printf("aborted\n");
	return 0;
}

static int
mode_noread(const struct opts *o)
{
	static int fds[MAXCONNS];
	static int left[MAXCONNS];
	static size_t off[MAXCONNS];
	static bool gone[MAXCONNS];
	uint8_t q[512];
	size_t qlen = frame_query(q, sizeof(q), o->name, 0x7777);
	long total = 0;
	int k = 0, ngone = 0;
	double t0;

	if (qlen == 0)
		usage();
	for (int i = 0; i < o->conns; i++) {
		int fd = dial(&o->server, 4096);
		if (fd >= 0) {
			left[k] = o->queries;
			fds[k++] = fd;
		}
	}
	t0 = now_ms();
	while (now_ms() - t0 < o->ms) {
		bool busy = false;
		for (int i = 0; i < k; i++) {
			/* send whole queries while the socket takes them */
			while (!gone[i] && left[i] > 0) {
				ssize_t n = send(fds[i], q + off[i], qlen - off[i],
				    MSG_NOSIGNAL | MSG_DONTWAIT);
				if (n < 0) {
					if (errno != EAGAIN) {
						gone[i] = true;
						ngone++;
					}
					break;
				}
				busy = true;
				off[i] += (size_t)n;
				if (off[i] == qlen) {
					off[i] = 0;
					left[i]--;
					total++;
				}
			}
			if (!gone[i] && left[i] == 0 && hung_up_peek(fds[i])) {
				gone[i] = true;
				ngone++;
			}
		}
		if (!busy)
			usleep(20000);
	}
	for (int i = 0; i < k; i++)
		close(fds[i]);
	printf("connected=%d queries_sent=%ld closed_by_server=%d\n", k, total, ngone);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "conns", required_argument, NULL, 'c' },
		{ "every", required_argument, NULL, 'e' },
		{ "ms", required_argument, NULL, 'm' },
		{ "queries", required_argument, NULL, 'q' },
		{ "name", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .conns = 1, .every_ms = 200, .ms = 1000, .queries = 1,
		.timeout_ms = 2000, .name = "www.example.test" };
	const char *mode;
	bool have_server = false;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			if (dd_sockaddr_parse(optarg, -1, &o.server) < 0)
				usage();
			have_server = true;
			break;
		case 'c': o.conns = atoi(optarg); break;
		case 'e': o.every_ms = atoi(optarg); break;
		case 'm': o.ms = atoi(optarg); break;
		case 'q': o.queries = atoi(optarg); break;
		case 'n': o.name = optarg; break;
		case 't': o.timeout_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (!have_server || o.conns < 1 || o.conns > MAXCONNS || o.ms < 0 || o.ms > 30000 ||
	    o.every_ms < 1 || o.queries < 0 || o.queries > 1000000)
		usage();
	if (strcmp(mode, "hold") == 0)
		return mode_hold(&o);
	if (strcmp(mode, "slow") == 0)
		return mode_slow(&o);
	if (strcmp(mode, "halfclose") == 0)
		return mode_halfclose(&o);
	if (strcmp(mode, "abort") == 0)
		return mode_abort(&o);
	if (strcmp(mode, "noread") == 0)
		return mode_noread(&o);
	usage();
	return 2;
}
