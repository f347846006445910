/*
 * udp_echo.c -- the physical limit for a UDP DNS server on this machine:
 * read datagrams in batches (recvmmsg), set QR in each, send them straight
 * back (sendmmsg).  No parsing, no decisions.  faultd_bench.sh compares
 * faultd's authoritative qps to this, and uses it as the fastest possible
 * backend when faultd and dnsdist forward.
 *
 *   udp_echo ADDR:PORT        (e.g. 127.0.0.1:5399 or [::1]:5399)
 *
 * Runs until SIGINT/SIGTERM.  A reply is the query with QR set, so it
 * carries the query's ID and question: a forwarder accepts it as an answer
 * (NOERROR, no records).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/addr.h"

#define BATCH 64
#define BUFSZ 4096

static volatile sig_atomic_t stop;

static void
on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	static unsigned char buf[BATCH][BUFSZ];
	static struct sockaddr_storage from[BATCH];
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	struct dd_sockaddr a;
	struct sigaction sa;
	int fd, one = 1, sz = 8 << 20;

	if (argc != 2 || dd_sockaddr_parse(argv[1], 53, &a) < 0) {
		fprintf(stderr, "usage: udp_echo ADDR:PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;   /* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(a.u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("udp_echo: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, &a.u.sa, a.len) < 0) {
		fprintf(stderr, "udp_echo: bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = BUFSZ;
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			iov[i].iov_len = msgs[i].msg_len;
			if (msgs[i].msg_len >= 3)
				buf[i][2] |= 0x80;   /* QR */
		}
		for (int sent = 0; sent < n;) {
			int k = sendmmsg(fd, msgs + sent, (unsigned)(n - sent), 0);
			if (k <= 0)
				break;
			sent += k;
		}
	}
	close(fd);
	return 0;
}
