/*
 * test_accept.c -- lib/accept: a listener that hits the fd limit is paused
 * (its callback stops running although a connection is still queued) and
 * comes back on acc_resume() or after its timer; the connection cap leaves
 * room for the reserve.  Real sockets on 127.0.0.1; the fd limit is lowered
 * for the test and filled with dup()s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/accept.h"
#include "lib/evloop.h"

static int ncalls;

static void
on_ready(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	(void)arg;
	ncalls++;
}

/* a non-blocking listener on 127.0.0.1:0; its port in *port */
static int
listener(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* connect a client (the handshake completes into the backlog) */
static int
client(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* run the loop a few short rounds; returns how often the callback ran */
static int
spin(struct ev_loop *l, int rounds)
{
	ncalls = 0;
	for (int i = 0; i < rounds; i++)
		assert_int_equal(ev_loop_once(l, 2000), 0);
	return ncalls;
}

static void
test_accepts_then_eagain(void **state)
{
	(void)state;
	struct ev_loop *l = ev_loop_new();
	struct acc_listener a;
	struct dd_sockaddr peer;
	uint16_t port;
	int lfd = listener(&port), cfd, fd;

	assert_int_equal(acc_init(&a, l, lfd, "tcp test", 0, on_ready, NULL), 0);
	cfd = client(port);
	assert_true(spin(l, 1) >= 1);
	fd = acc_accept(&a, &peer);
	assert_true(fd >= 0);
	assert_int_equal(peer.u.sa.sa_family, AF_INET);
	assert_true((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	assert_int_equal(acc_accept(&a, NULL), -EAGAIN);
	assert_false(acc_paused(&a));
	close(fd);
	close(cfd);
	acc_fini(&a);
	acc_fini(&a);   /* twice is fine */
	close(lfd);
	ev_loop_free(l);
}

/* fill every descriptor up to the (lowered) limit; returns how many */
static int
fill_fds(int *fds, int max)
{
	int n = 0, base = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(base >= 0);
	fds[n++] = base;
	while (n < max) {
		int fd = dup(base);
		if (fd < 0) {
			assert_int_equal(errno, EMFILE);
			break;
		}
		fds[n++] = fd;
	}
	assert_true(n < max);
	return n;
}

static void
test_pauses_at_fd_limit(void **state)
{
	(void)state;
	struct rlimit old, low;
	struct ev_loop *l = ev_loop_new();
	struct acc_listener a;
	static int fds[4096];
	uint16_t port;
	int lfd = listener(&port), cfd, n, fd;

	/* a long pause so only acc_resume() can bring it back here */
	assert_int_equal(acc_init(&a, l, lfd, "tcp test", 60000000, on_ready, NULL), 0);
	cfd = client(port);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)(cfd + 64);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	n = fill_fds(fds, 4096);

	assert_true(spin(l, 1) >= 1);
	assert_int_equal(acc_accept(&a, NULL), -EMFILE);
	assert_true(acc_paused(&a));
	assert_int_equal(a.pauses, 1);
	assert_int_equal(ev_timer_count(l), 1);
	/* the connection is still queued, yet the callback no longer runs */
	assert_int_equal(spin(l, 5), 0);
	assert_int_equal(acc_accept(&a, NULL), -EAGAIN);

	/* a descriptor is freed: resume at once, and the connection is taken */
	close(fds[--n]);
	acc_resume(&a);
	assert_false(acc_paused(&a));
	assert_int_equal(ev_timer_count(l), 0);
	assert_true(spin(l, 1) >= 1);
	fd = acc_accept(&a, NULL);
	assert_true(fd >= 0);
	acc_resume(&a);   /* not paused: nothing happens */
	assert_false(acc_paused(&a));

	close(fd);
	while (n > 0)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	close(cfd);
	acc_fini(&a);
	close(lfd);
	ev_loop_free(l);
}

static void
test_timer_rearms(void **state)
{
	(void)state;
	struct rlimit old, low;
	struct ev_loop *l = ev_loop_new();
	struct acc_listener a;
	static int fds[4096];
	uint16_t port;
	int lfd = listener(&port), cfd, n, fd = -1;

	assert_int_equal(acc_init(&a, l, lfd, "tcp test", 1000, on_ready, NULL), 0);
	cfd = client(port);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)(cfd + 64);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	n = fill_fds(fds, 4096);
	assert_true(spin(l, 1) >= 1);
	assert_int_equal(acc_accept(&a, NULL), -EMFILE);
	assert_true(acc_paused(&a));
	close(fds[--n]);
	/* no acc_resume(): the timer alone brings the listener back */
	for (int i = 0; i < 200 && fd < 0; i++) {
		assert_int_equal(ev_loop_once(l, 50000), 0);
		if (!acc_paused(&a))
			fd = acc_accept(&a, NULL);
	}
	assert_true(fd >= 0);
	close(fd);
	while (n > 0)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);

	/* acc_fini() while paused cancels the timer */
	fd = client(port);
	low.rlim_cur = (rlim_t)(fd + 64);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	n = fill_fds(fds, 4096);
	assert_true(spin(l, 1) >= 1);
	assert_true(acc_accept(&a, NULL) < 0);
	assert_true(acc_paused(&a));
	assert_int_equal(ev_timer_count(l), 1);
	acc_fini(&a);
	assert_int_equal(ev_timer_count(l), 0);
	while (n > 0)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	close(fd);
	close(cfd);
	close(lfd);
	ev_loop_free(l);
}

static void
test_conn_cap(void **state)
{
	(void)state;
	assert_int_equal(acc_conn_cap(1024, 20000, 42), 1024);
	assert_int_equal(acc_conn_cap(1024, 64, 42), 22);
	assert_int_equal(acc_conn_cap(1024, 1066, 42), 1024);
	assert_int_equal(acc_conn_cap(1024, 1065, 42), 1023);
	assert_int_equal(acc_conn_cap(1024, UINT64_MAX, 42), 1024);
	assert_int_equal(acc_conn_cap(1024, 40, 42), 1);     /* never 0 */
	assert_int_equal(acc_conn_cap(1024, 43, 42), 1);
	assert_int_equal(acc_conn_cap(0, 20000, 42), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_then_eagain),
		cmocka_unit_test(test_pauses_at_fd_limit),
		cmocka_unit_test(test_timer_rearms),
		cmocka_unit_test(test_conn_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
