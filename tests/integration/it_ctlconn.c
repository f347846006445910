/*
 * it_ctlconn.c -- a misbehaving (or merely quiet) client of faultd's control
 * socket, for tests/integration/faultd_control_abuse.sh.  faultctl and the
 * harness's client always read their replies and never idle half-way
 * through a line; this one does what the test says and reports what faultd
 * did about it.
 *
 *   it_ctlconn --control PATH MODE [--for MS]
 *
 * Modes (each runs at most --for MS, default 3000, then exits 0):
 *   --flood N      write "stats\n" N times without ever reading; prints
 *                  "sent=K" (commands faultd took into its socket) and
 *                  "closed=0|1" (whether faultd hung up)
 *   --silent       connect and send nothing; prints "closed_ms=F" when
 *                  faultd hangs up, or "open_ms=MS"
 *   --partial      send "pi" (half a command) and then nothing; as --silent
 *   --ping MS      send "ping" every MS and read the answer; prints
 *                  "pings=K failed=J closed=0|1"
 * Exit 2 on usage errors or when the socket cannot be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Wait up to ms for fd to become readable; true when it is. */
static bool
readable(int fd, double ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return ms > 0 && poll(&p, 1, (int)(ms + 0.999)) > 0;
}

/* Has faultd hung up?  (Never reads data: only EOF / reset is looked at,
 * with MSG_PEEK.) */
static bool
hung_up(int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

static int
flood(int fd, long n, double until)
{
	static const char cmd[] = "stats\n";
	long sent = 0;
	size_t off = 0;
	bool closed = false;

	while (sent < n && now_ms() < until) {
		ssize_t k = send(fd, cmd + off, sizeof(cmd) - 1 - off, MSG_NOSIGNAL);

		if (k < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			poll(&p, 1, 50);
			continue;
		}
		if (k < 0) {
			closed = true;
			break;
		}
		off += (size_t)k;
		if (off == sizeof(cmd) - 1) {
			off = 0;
			sent++;
		}
	}
	/* hold the connection (still not reading) until the time is up */
	while (!closed && now_ms() < until) {
		struct pollfd p = { .fd = fd, .events = POLLRDHUP };
		poll(&p, 1, 50);
		closed = (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
	}
	printf("sent=%ld\nclosed=%d\n", sent, closed);
	return 0;
}

static int
wait_close(int fd, double t0, double until)
{
	while (now_ms() < until) {
		if (readable(fd, until - now_ms()) && hung_up(fd)) {
			printf("closed_ms=%.1f\n", now_ms() - t0);
			return 0;
		}
	}
	printf("open_ms=%.0f\n", now_ms() - t0);
	return 0;
}

static int
pinger(int fd, long every, double until)
{
	long pings = 0, failed = 0;
	bool closed = false;

	while (!closed && now_ms() < until) {
		char b[256];
		size_t got = 0;
		double due = now_ms() + (double)every, tmo = now_ms() + 1000;

		if (send(fd, "ping\n", 5, MSG_NOSIGNAL) != 5) {
			closed = true;
			break;
		}
		while (got < 8 && now_ms() < tmo) {
			ssize_t k;

			if (!readable(fd, tmo - now_ms()))
				continue;
			k = recv(fd, b + got, sizeof(b) - 1 - got, MSG_DONTWAIT);
			if (k <= 0) {
				closed = k == 0 || (errno != EAGAIN && errno != EINTR);
				if (closed)
					break;
				continue;
			}
			got += (size_t)k;
		}
		b[got] = '\0';
		if (strcmp(b, "OK pong\n") == 0)
			pings++;
		else
			failed++;
		while (!closed && now_ms() < due && now_ms() < until)
			if (readable(fd, (due < until ? due : until) - now_ms()))
				closed = hung_up(fd);
	}
	printf("pings=%ld\nfailed=%ld\nclosed=%d\n", pings, failed, closed);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "flood", required_argument, NULL, 'f' },
		{ "silent", no_argument, NULL, 's' },
		{ "partial", no_argument, NULL, 'p' },
		{ "ping", required_argument, NULL, 'P' },
		{ "for", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int mode = 0, opt, fd;
	long arg = 0, for_ms = 3000;
	double t0;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'f': case 'P': mode = opt; arg = atol(optarg); break;
		case 's': case 'p': mode = opt; break;
		case 't': for_ms = atol(optarg); break;
		default: return 2;
		}
	}
	if (path == NULL || mode == 0 || for_ms <= 0 || (mode == 'P' && arg <= 0)) {
		fprintf(stderr, "usage: it_ctlconn --control PATH "
		    "(--flood N | --silent | --partial | --ping MS) [--for MS]\n");
		return 2;
	}
	if ((fd = connect_to(path)) < 0) {
		fprintf(stderr, "it_ctlconn: %s: %s\n", path, strerror(errno));
		return 2;
	}
	t0 = now_ms();
	switch (mode) {
	case 'f':
		return flood(fd, arg, t0 + (double)for_ms);
	case 'p':
		if (send(fd, "pi", 2, MSG_NOSIGNAL) != 2)
			return 2;
		/* fall through */
	case 's':
		return wait_close(fd, t0, t0 + (double)for_ms);
	default:
		return pinger(fd, arg, t0 + (double)for_ms);
	}
}
