/*
 * it_upstub.c -- an upstream DNS server for the forwarder tests that also
 * plays the attacker: it sees each query faultd forwards, so it knows the
 * ID and question an off-path spoofer would have to guess.
 *
 *   it_upstub --listen 127.0.0.1:PORT --log FILE
 *
 * Every query gets the real answer, A 198.18.7.7, from the listening
 * socket.  Before that, by the query's first label:
 *   spoof.*   forged answers (right ID and question, A 6.6.6.6) from
 *             127.0.0.1 on another port and from 127.0.0.2, then the real
 *             answer 150 ms later
 *   wrongq.*  from the right address and port, the right ID but another
 *             question (A 6.6.6.6), then the real answer 150 ms later
 * FILE gets one line per query: "peer=ADDR:PORT name=NAME".  Runs until
 * killed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"

/* Offset just past the question, or 0 when the query is not one we read. */
static size_t
question_end(const unsigned char *q, size_t len)
{
	size_t off = 12;

	if (len < 12 || q[4] != 0 || q[5] != 1)
		return 0;
	while (off < len && q[off] != 0) {
		if (q[off] > 63)
			return 0;
		off += 1 + q[off];
	}
	return off + 5 <= len ? off + 5 : 0;
}

/* The reply to q (question as sent, or qname replaced by other when set)
 * with one A record. */
static size_t
answer(const unsigned char *q, size_t qend, const char *other,
    const unsigned char addr[4], unsigned char *out)
{
	static const unsigned char other_q[] = "\005other\004test\000\000\001\000\001";
	size_t n;

	memcpy(out, q, 12);
	if (other != NULL) {
		memcpy(out + 12, other_q, sizeof(other_q) - 1);
		n = 12 + sizeof(other_q) - 1;
	} else {
		memcpy(out + 12, q + 12, qend - 12);
		n = qend;
	}
	out[2] = 0x81 | (q[2] & 0x01);   /* QR, opcode 0, RD as asked */
	out[3] = 0x80;                   /* RA, NOERROR */
	out[6] = 0, out[7] = 1;          /* ANCOUNT 1 */
	out[8] = out[9] = out[10] = out[11] = 0;
	memcpy(out + n, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04", 12);
	memcpy(out + n + 12, addr, 4);
	return n + 16;
}

static int
udp_from(const char *ip, struct dd_sockaddr *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, ip, &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror(ip);
		exit(2);
	}
	if (bound != NULL) {
		bound->len = sizeof(bound->u);
		getsockname(fd, &bound->u.sa, &bound->len);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	static const unsigned char real[4] = { 198, 18, 7, 7 }, bad[4] = { 6, 6, 6, 6 };
	struct dd_sockaddr listen_at;
	const struct timespec pause = { 0, 150 * 1000000L };
	unsigned char q[4096], out[4096 + 64];
	FILE *log;
	int fd, spoof_port, spoof_addr;

	if (argc != 5 || strcmp(argv[1], "--listen") != 0 || strcmp(argv[3], "--log") != 0 ||
	    dd_sockaddr_parse(argv[2], 53, &listen_at) < 0) {
		fprintf(stderr, "usage: it_upstub --listen 127.0.0.1:PORT --log FILE\n");
		return 2;
	}
	if ((log = fopen(argv[4], "a")) == NULL) {
		perror(argv[4]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, &listen_at.u.sa, listen_at.len) < 0) {
		perror("bind");
		return 2;
	}
	spoof_port = udp_from("127.0.0.1", NULL);
	spoof_addr = udp_from("127.0.0.2", NULL);
	for (;;) {
		struct dd_sockaddr peer;
		char who[64], name[256] = "";
		ssize_t n;
		size_t qend, rn;

		peer.len = sizeof(peer.u);
		n = recvfrom(fd, q, sizeof(q), 0, &peer.u.sa, &peer.len);
		if (n < 0 || (qend = question_end(q, (size_t)n)) == 0)
			continue;
		if (q[12] > 0)
			snprintf(name, sizeof(name), "%.*s", q[12], (const char *)q + 13);
		fprintf(log, "peer=%s name=%s\n", dd_sockaddr_str(&peer, who, sizeof(who)), name);
		fflush(log);
		if (strcasecmp(name, "spoof") == 0) {
			rn = answer(q, qend, NULL, bad, out);
			sendto(spoof_port, out, rn, 0, &peer.u.sa, peer.len);
			sendto(spoof_addr, out, rn, 0, &peer.u.sa, peer.len);
			nanosleep(&pause, NULL);
		} else if (strcasecmp(name, "wrongq") == 0) {
			rn = answer(q, qend, "other", bad, out);
			sendto(fd, out, rn, 0, &peer.u.sa, peer.len);
			nanosleep(&pause, NULL);
		}
		rn = answer(q, qend, NULL, real, out);
		sendto(fd, out, rn, 0, &peer.u.sa, peer.len);
	}
}
