/*
 * test_ctl_client.c -- the control protocol's clients over real unix
 * sockets.  The asynchronous client runs on one event loop together with
 * either faultd's real control socket (control.c serving ctl_exec against
 * a real rule set) or a hand-driven "faultd" that accepts and answers when
 * the test says.  Checked: replies in FIFO order, ERR replies, a reply
 * that comes after its timeout is dropped without shifting later replies,
 * faultd not listening yet (then listening: the readiness retry), faultd
 * hanging up, faultd closing with a request unread (sent again, once),
 * faultd's idle timeout under a quiet client, freeing with requests
 * pending (also from a callback),
 * sending from a callback, bad arguments.  And the blocking ctl_request
 * faultctl uses, against a control socket served by a child process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultd/control.h"
#include "faultd/ctl.h"
#include "lib/log.h"
#include "lib/util.h"

/* ---------------- fixture ---------------- */

static char DIR_[64], PATH_[128];
static struct ev_loop *L;
static struct ruleset *RS;
static struct ctl_target TGT;

static int
setup(void **state)
{
	(void)state;
	log_init("test_ctl_client", LOG_LVL_ERROR);
	snprintf(DIR_, sizeof(DIR_), "/tmp/test_ctl_client.XXXXXX");
	assert_non_null(mkdtemp(DIR_));
	snprintf(PATH_, sizeof(PATH_), "%s/ctl", DIR_);
	L = ev_loop_new();
	assert_non_null(L);
	RS = ruleset_new();
	assert_non_null(RS);
	TGT = (struct ctl_target){ .rules = RS };
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ev_loop_free(L);
	ruleset_free(RS);
	unlink(PATH_);
	rmdir(DIR_);
	return 0;
}

/* What the callbacks saw, in the order they were called. */
#define NREC 16
static struct {
	int n;
	int tag[NREC], rc[NREC];
	bool has_status[NREC], has_data[NREC];
	char status[NREC][128], data[NREC][512], err[NREC][256];
	size_t data_len[NREC];
} R;

static void
rec_reset(void)
{
	memset(&R, 0, sizeof(R));
}

static void
rec_cb(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	int i = R.n++;

	assert_true(i < NREC);
	R.tag[i] = (int)(intptr_t)arg;
	R.rc[i] = rc;
	R.has_status[i] = status != NULL;
	R.has_data[i] = data != NULL;
	if (status)
		snprintf(R.status[i], sizeof(R.status[i]), "%s", status);
	if (data) {
		/* data_len bytes, NUL right after */
		assert_int_equal(strlen(data), data_len);
		snprintf(R.data[i], sizeof(R.data[i]), "%s", data);
	} else {
		assert_int_equal(data_len, 0);
	}
	R.data_len[i] = data_len;
	if (rc == 0)
		assert_null(errmsg);
	else
		snprintf(R.err[i], sizeof(R.err[i]), "%s", errmsg ? errmsg : "(null)");
}

/* Run the loop until R.n reaches n (at most 3 s). */
static void
spin_until(int n)
{
	uint64_t t0 = dd_now_ms();

	while (R.n < n) {
		assert_int_equal(ev_loop_once(L, 10000), 0);
		if (dd_now_ms() - t0 > 3000)
			fail_msg("only %d of %d callbacks within 3 s", R.n, n);
	}
}

static void
spin_ms(unsigned ms)
{
	uint64_t t0 = dd_now_ms();

	while (dd_now_ms() - t0 < ms)
		assert_int_equal(ev_loop_once(L, 5000), 0);
}

#define TAG(i) ((void *)(intptr_t)(i))

/* A "faultd" that listens and otherwise does only what the test says. */
static int
raw_listen(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", PATH_);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

/* Accept the client's connection, running the loop so it connects. */
static int
raw_accept(int lfd)
{
	uint64_t t0 = dd_now_ms();

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		assert_true(errno == EAGAIN);
		assert_int_equal(ev_loop_once(L, 5000), 0);
		if (dd_now_ms() - t0 > 3000)
			fail_msg("the client did not connect within 3 s");
	}
}

/* Read one line the client wrote (without its '\n'). */
static void
raw_read_line(int fd, char *buf, size_t cap)
{
	uint64_t t0 = dd_now_ms();
	size_t n = 0;

	while (n == 0 || buf[n - 1] != '\n') {
		ssize_t k = recv(fd, buf + n, 1, MSG_DONTWAIT);
		if (k == 1) {
			n++;
			assert_true(n < cap);
			continue;
		}
		assert_true(k < 0 && errno == EAGAIN);
		assert_int_equal(ev_loop_once(L, 5000), 0);
		if (dd_now_ms() - t0 > 3000)
			fail_msg("no line from the client within 3 s");
	}
	buf[n - 1] = '\0';
}

static void
raw_write(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* ---------------- the asynchronous client ---------------- */

static void
test_fifo_order(void **state)
{
	struct control *ctl;
	struct ctl_client *c;
	struct dd_err err;

	(void)state;
	rec_reset();
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "rule add name=a.test action=drop", 0, rec_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(c, "rule add name=b.test action=servfail", 0, rec_cb, TAG(1)), 0);
	assert_int_equal(ctl_client_send(c, "rule list", 0, rec_cb, TAG(2)), 0);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(3)), 0);
	assert_int_equal(ctl_client_send(c, "rule del 1", 0, rec_cb, TAG(4)), 0);
	assert_int_equal(ctl_client_pending(c), 5);
	assert_int_equal(R.n, 0);          /* never from inside send */
	spin_until(5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(R.tag[i], i);
		assert_int_equal(R.rc[i], 0);
		assert_true(R.has_status[i] && R.has_data[i]);
	}
	assert_string_equal(R.data[0], "1\n");
	assert_string_equal(R.status[0], "");
	assert_string_equal(R.data[1], "2\n");
	assert_string_equal(R.data[2], "1\t0\tname=a.test action=drop\n"
	    "2\t0\tname=b.test action=servfail\n");
	assert_int_equal(R.data_len[2], strlen(R.data[2]));
	assert_string_equal(R.status[3], "pong");
	assert_string_equal(R.data[3], "");
	assert_int_equal(R.data_len[3], 0);
	assert_int_equal(ruleset_count(RS), 1);
	assert_int_equal(ctl_client_pending(c), 0);
	ctl_client_free(c);
	control_close(ctl);
	/* control_close removes its socket file */
	assert_int_equal(access(PATH_, F_OK), -1);
}

static void
test_err_reply_then_more(void **state)
{
	struct control *ctl;
	struct ctl_client *c;
	struct dd_err err;

	(void)state;
	rec_reset();
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "rule add name=x.test action=explode", 0, rec_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(c, "frobnicate", 0, rec_cb, TAG(1)), 0);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(2)), 0);
	spin_until(3);
	assert_int_equal(R.rc[0], DD_EINVAL);
	assert_false(R.has_status[0]);
	assert_non_null(strstr(R.err[0], "explode"));
	assert_int_equal(R.rc[1], DD_EINVAL);
	assert_string_equal(R.err[1], "unknown command 'frobnicate' (rule, clear, stats, reload, zone, record, delegation, ping)");
	/* the same connection goes on */
	assert_int_equal(R.rc[2], 0);
	assert_string_equal(R.status[2], "pong");
	assert_int_equal(ruleset_count(RS), 0);
	ctl_client_free(c);
	control_close(ctl);
}

static void
test_not_listening_then_ready(void **state)
{
	struct control *ctl;
	struct ctl_client *c;
	struct dd_err err;
	char want[256];

	(void)state;
	rec_reset();
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	/* nothing at the path yet */
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(1)), 0);
	assert_int_equal(R.n, 0);
	spin_until(2);
	snprintf(want, sizeof(want), "cannot reach faultd at %s: %s", PATH_, strerror(ENOENT));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(R.tag[i], i);
		assert_int_equal(R.rc[i], DD_EIO);
		assert_string_equal(R.err[i], want);
		assert_false(R.has_status[i] || R.has_data[i]);
	}
	/* a socket file nobody listens on (a dead faultd's): refused */
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", PATH_);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(fd);
	}
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(2)), 0);
	spin_until(3);
	assert_int_equal(R.rc[2], DD_EIO);
	assert_non_null(strstr(R.err[2], strerror(ECONNREFUSED)));
	/* faultd comes up (replacing the stale socket): the same client works */
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(3)), 0);
	spin_until(4);
	assert_int_equal(R.rc[3], 0);
	assert_string_equal(R.status[3], "pong");
	ctl_client_free(c);
	control_close(ctl);
}

static void
test_timeout(void **state)
{
	struct ctl_client *c;
	struct dd_err err;
	int lfd;
	uint64_t t0;

	(void)state;
	rec_reset();
	lfd = raw_listen();           /* listens, never answers */
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	t0 = dd_now_us();
	assert_int_equal(ctl_client_send(c, "ping", 50000, rec_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(c, "ping", 150000, rec_cb, TAG(1)), 0);
	spin_until(1);
	assert_true(dd_now_us() - t0 >= 50000);
	assert_int_equal(R.rc[0], CTL_ETIMEDOUT);
	assert_string_equal(R.err[0], "no answer from faultd within 50 ms");
	assert_false(R.has_status[0] || R.has_data[0]);
	assert_int_equal(ctl_client_pending(c), 1);
	spin_until(2);
	assert_true(dd_now_us() - t0 >= 150000);
	assert_true(dd_now_us() - t0 < 2000000);
	assert_int_equal(R.tag[1], 1);
	assert_int_equal(R.rc[1], CTL_ETIMEDOUT);
	assert_int_equal(ctl_client_pending(c), 0);
	ctl_client_free(c);
	close(lfd);
}

static void
test_late_reply_is_dropped(void **state)
{
	struct ctl_client *c;
	struct dd_err err;
	char line[128];
	int lfd, fd;

	(void)state;
	rec_reset();
	lfd = raw_listen();
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "ping", 50000, rec_cb, TAG(0)), 0);
	fd = raw_accept(lfd);
	raw_read_line(fd, line, sizeof(line));
	assert_string_equal(line, "ping");
	spin_until(1);
	assert_int_equal(R.rc[0], CTL_ETIMEDOUT);
	/* the next request goes on the same connection, behind the late one */
	assert_int_equal(ctl_client_send(c, "rule list", 2000000, rec_cb, TAG(1)), 0);
	raw_read_line(fd, line, sizeof(line));
	assert_string_equal(line, "rule list");
	raw_write(fd, "OK late\n");
	raw_write(fd, "7\t0\taction=drop\nOK second\n");
	spin_until(2);
	spin_ms(20);
	assert_int_equal(R.n, 2);          /* the late reply called nobody */
	assert_int_equal(R.tag[1], 1);
	assert_int_equal(R.rc[1], 0);
	assert_string_equal(R.status[1], "second");
	assert_string_equal(R.data[1], "7\t0\taction=drop\n");
	ctl_client_free(c);
	close(fd);
	close(lfd);
}

static void
test_unsent_timeout_is_never_sent(void **state)
{
	struct ctl_client *c;
	struct dd_err err;
	char line[128];
	int lfd, fd;

	(void)state;
	rec_reset();
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	/* a 1 us timeout runs out before the loop writes a byte of it (in
	 * the same pass as the connect, or before it) */
	assert_int_equal(ctl_client_send(c, "rule add action=drop", 1, rec_cb, TAG(0)), 0);
	lfd = raw_listen();
	spin_until(1);
	assert_int_equal(R.rc[0], CTL_ETIMEDOUT);
	assert_string_equal(R.err[0], "no answer from faultd within 0 ms");
	assert_int_equal(ctl_client_send(c, "ping", 2000000, rec_cb, TAG(1)), 0);
	fd = raw_accept(lfd);
	/* the first line faultd sees is the second request */
	raw_read_line(fd, line, sizeof(line));
	assert_string_equal(line, "ping");
	raw_write(fd, "OK pong\n");
	spin_until(2);
	assert_int_equal(R.rc[1], 0);
	assert_string_equal(R.status[1], "pong");
	ctl_client_free(c);
	close(fd);
	close(lfd);
}

static void
test_faultd_hangs_up(void **state)
{
	struct ctl_client *c;
	struct dd_err err;
	char line[128];
	int lfd, fd;

	(void)state;
	rec_reset();
	lfd = raw_listen();
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(c, "stats", 0, rec_cb, TAG(1)), 0);
	fd = raw_accept(lfd);
	raw_read_line(fd, line, sizeof(line));
	raw_read_line(fd, line, sizeof(line));
	raw_write(fd, "queries 1\n");     /* half a reply, then gone */
	close(fd);
	spin_until(2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(R.tag[i], i);
		assert_int_equal(R.rc[i], DD_EIO);
		assert_string_equal(R.err[i], "faultd closed the connection without an answer");
	}
	/* the next request connects afresh */
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(2)), 0);
	fd = raw_accept(lfd);
	raw_read_line(fd, line, sizeof(line));
	assert_string_equal(line, "ping");
	raw_write(fd, "OK pong\n");
	spin_until(3);
	assert_int_equal(R.rc[2], 0);
	assert_string_equal(R.status[2], "pong");
	/* a reply nobody asked for is a broken connection */
	raw_write(fd, "OK what\n");
	spin_ms(30);
	assert_int_equal(R.n, 3);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(3)), 0);
	close(fd);
	fd = raw_accept(lfd);           /* it reconnected */
	raw_read_line(fd, line, sizeof(line));
	raw_write(fd, "OK pong\n");
	spin_until(4);
	assert_int_equal(R.rc[3], 0);
	ctl_client_free(c);
	close(fd);
	close(lfd);
}

/* Wait until the client's bytes are in fd's receive queue (not read). */
static void
raw_wait_data(int fd)
{
	uint64_t t0 = dd_now_ms();
	char b;

	while (recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) != 1) {
		assert_int_equal(ev_loop_once(L, 5000), 0);
		if (dd_now_ms() - t0 > 3000)
			fail_msg("no bytes from the client within 3 s");
	}
}

/*
 * faultd closing with a request unread (ECONNRESET: as when it closes a
 * connection idle for --control-idle just as the request goes out): the
 * request is sent again on a fresh connection, once.  A second reset of
 * the same request fails it.
 */
static void
test_resent_when_faultd_closed_unread(void **state)
{
	struct ctl_client *c;
	struct dd_err err;
	char line[128];
	int lfd, fd;

	(void)state;
	rec_reset();
	lfd = raw_listen();
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(c, "rule del 7", 0, rec_cb, TAG(1)), 0);
	fd = raw_accept(lfd);
	raw_wait_data(fd);
	spin_ms(20);                     /* both lines written */
	close(fd);                       /* unread */
	fd = raw_accept(lfd);            /* the client came back */
	raw_read_line(fd, line, sizeof(line));
	assert_string_equal(line, "ping");
	raw_read_line(fd, line, sizeof(line));
	assert_string_equal(line, "rule del 7");
	raw_write(fd, "OK pong\nOK\n");
	spin_until(2);
	assert_int_equal(R.rc[0], 0);
	assert_string_equal(R.status[0], "pong");
	assert_int_equal(R.rc[1], 0);
	assert_int_equal(R.tag[1], 1);

	/* once only: a request cut off twice fails */
	assert_int_equal(ctl_client_send(c, "clear", 0, rec_cb, TAG(2)), 0);
	raw_wait_data(fd);
	close(fd);
	fd = raw_accept(lfd);
	raw_wait_data(fd);
	close(fd);
	spin_until(3);
	assert_int_equal(R.tag[2], 2);
	assert_int_equal(R.rc[2], DD_EIO);
	assert_non_null(strstr(R.err[2], "Connection reset by peer"));
	ctl_client_free(c);
	close(lfd);
}

/* faultd's own idle timeout under a long-lived, mostly quiet client (the
 * harness's): faultd closes the quiet connection, and the next request
 * goes out on a new one and is answered; a raw silent connection is
 * closed, one that sends commands is not. */
static void
test_quiet_client_survives_idle_close(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	struct ctl_client *c;
	struct dd_err err;
	int raw;
	char b;

	(void)state;
	rec_reset();
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 100000, &err), 0);
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	raw = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", PATH_);
	assert_int_equal(connect(raw, (struct sockaddr *)&sun, sizeof(sun)), 0);
	/* busy for 300 ms (three idle times): a ping every 30 ms */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(i)), 0);
		spin_until(i + 1);
		assert_int_equal(R.rc[i], 0);
		spin_ms(30);
	}
	/* the silent raw connection was closed meanwhile */
	assert_int_equal(recv(raw, &b, 1, MSG_DONTWAIT), 0);
	close(raw);
	/* quiet for 300 ms: faultd closes the client's connection too ... */
	spin_ms(300);
	/* ... and a request after that is answered all the same */
	assert_int_equal(ctl_client_send(c, "rule add name=q.test action=drop", 0, rec_cb,
	    TAG(10)), 0);
	spin_until(11);
	assert_int_equal(R.rc[10], 0);
	assert_string_equal(R.data[10], "1\n");
	assert_int_equal(ruleset_count(RS), 1);
	ctl_client_free(c);
	control_close(ctl);
}

/* The idle sweep runs at a quarter of the idle time, within 10 ms .. 1 s. */
static void
test_sweep_period(void **state)
{
	(void)state;
	assert_int_equal(control_sweep_period(1000), 10000);
	assert_int_equal(control_sweep_period(100000), 25000);
	assert_int_equal(control_sweep_period(2000000), 500000);
	assert_int_equal(control_sweep_period(CONTROL_IDLE_DEFAULT_US), 1000000);
}

static void
test_free_with_pending(void **state)
{
	struct control *ctl;
	struct ctl_client *c;
	struct dd_err err;
	char line[64];
	int lfd, fd;

	(void)state;
	ctl_client_free(NULL);
	/* queued, not even connected */
	rec_reset();
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ctl_client_send(c, "rule add action=drop", 0, rec_cb, TAG(i)), 0);
	ctl_client_free(c);
	assert_int_equal(R.n, 3);          /* called before free returned */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(R.tag[i], i);
		assert_int_equal(R.rc[i], CTL_ECANCELED);
		assert_false(R.has_status[i] || R.has_data[i]);
	}
	spin_ms(20);                     /* no timer or I/O of the client is left */
	assert_int_equal(R.n, 3);
	assert_int_equal(ev_timer_count(L), 0);
	control_close(ctl);

	/* sent and waiting for the answer */
	rec_reset();
	lfd = raw_listen();
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "ping", 0, rec_cb, TAG(0)), 0);
	fd = raw_accept(lfd);
	raw_read_line(fd, line, sizeof(line));
	ctl_client_free(c);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.rc[0], CTL_ECANCELED);
	/* and the socket is closed: faultd sees EOF */
	spin_ms(5);
	assert_int_equal(recv(fd, line, sizeof(line), MSG_DONTWAIT), 0);
	close(fd);
	close(lfd);
}

static struct ctl_client *CB_CLIENT;

static void
free_in_cb(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	rec_cb(arg, rc, status, data, data_len, errmsg);
	ctl_client_free(CB_CLIENT);
	/* still inside the callback: the strings stay readable */
	if (status)
		assert_string_equal(status, "pong");
	/* a send on a client being freed is refused */
	assert_int_equal(ctl_client_send(CB_CLIENT, "ping", 0, rec_cb, TAG(99)), DD_EINVAL);
}

static void
test_free_from_callback(void **state)
{
	struct control *ctl;
	struct dd_err err;

	(void)state;
	rec_reset();
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	CB_CLIENT = ctl_client_new(L, PATH_, &err);
	assert_non_null(CB_CLIENT);
	assert_int_equal(ctl_client_send(CB_CLIENT, "ping", 0, free_in_cb, TAG(0)), 0);
	assert_int_equal(ctl_client_send(CB_CLIENT, "ping", 0, rec_cb, TAG(1)), 0);
	assert_int_equal(ctl_client_send(CB_CLIENT, "ping", 0, rec_cb, TAG(2)), 0);
	spin_until(3);
	assert_int_equal(R.rc[0], 0);
	assert_int_equal(R.tag[1], 1);
	assert_int_equal(R.tag[2], 2);
	/* both behind it were pipelined; whichever had no reply yet is cancelled */
	assert_int_equal(R.rc[1], CTL_ECANCELED);
	assert_int_equal(R.rc[2], CTL_ECANCELED);
	spin_ms(20);
	assert_int_equal(R.n, 3);
	control_close(ctl);
}

static struct ctl_client *CHAIN;

static void
send_in_cb(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	rec_cb(arg, rc, status, data, data_len, errmsg);
	if ((intptr_t)arg < 3)
		assert_int_equal(ctl_client_send(CHAIN, "rule add action=drop", 0, send_in_cb,
		    TAG((intptr_t)arg + 1)), 0);
}

static void
test_send_from_callback(void **state)
{
	struct control *ctl;
	struct dd_err err;

	(void)state;
	rec_reset();
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	CHAIN = ctl_client_new(L, PATH_, &err);
	assert_non_null(CHAIN);
	assert_int_equal(ctl_client_send(CHAIN, "rule add action=drop", 0, send_in_cb, TAG(0)), 0);
	spin_until(4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(R.rc[i], 0);
		char want[8];
		snprintf(want, sizeof(want), "%d\n", i + 1);
		assert_string_equal(R.data[i], want);
	}
	/* a failure's callback may retry too: readiness polling */
	control_close(ctl);
	rec_reset();
	assert_int_equal(ctl_client_send(CHAIN, "ping", 0, rec_cb, TAG(0)), 0);
	spin_until(1);
	assert_int_equal(R.rc[0], DD_EIO);
	ctl_client_free(CHAIN);
}

static void
test_bad_arguments(void **state)
{
	struct ctl_client *c;
	struct dd_err err = { "" };
	char longpath[200];

	(void)state;
	rec_reset();
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_null(ctl_client_new(L, longpath, &err));
	assert_non_null(strstr(err.msg, "longer than"));
	c = ctl_client_new(L, PATH_, &err);
	assert_non_null(c);
	assert_int_equal(ctl_client_send(c, "ping\nclear", 0, rec_cb, NULL), DD_EINVAL);
	assert_int_equal(ctl_client_send(c, "ping", 0, NULL, NULL), DD_EINVAL);
	assert_int_equal(ctl_client_pending(c), 0);
	spin_ms(10);
	assert_int_equal(R.n, 0);
	ctl_client_free(c);
}

/* ---------------- the blocking request ---------------- */

static void
test_blocking_request(void **state)
{
	struct control *ctl;
	struct ctl_result res;
	struct dd_err err;
	pid_t pid;
	int rc, st;

	(void)state;
	/* faultd in a child: the parent blocks in ctl_request */
	assert_int_equal(control_open(&ctl, L, PATH_, &TGT, 0, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ev_loop_run(L);
		_exit(0);
	}
	rc = ctl_request(PATH_, "rule add name=a.test action=servfail", 2000000, &res, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(res.data, "1\n");
	assert_int_equal(res.data_len, 2);
	assert_string_equal(res.status, "");
	ctl_result_free(&res);
	assert_null(res.data);

	rc = ctl_request(PATH_, "ping", 2000000, &res, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(res.status, "pong");
	assert_string_equal(res.data, "");
	ctl_result_free(&res);

	rc = ctl_request(PATH_, "rule list", 2000000, &res, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(res.data, "1\t0\tname=a.test action=servfail\n");
	ctl_result_free(&res);

	rc = ctl_request(PATH_, "rule add name=a.test delay=soon", 2000000, &res, &err);
	assert_int_equal(rc, DD_EINVAL);
	assert_non_null(strstr(err.msg, "delay"));
	assert_null(res.status);
	ctl_result_free(&res);

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	control_close(ctl);
	ctl_result_free(NULL);
}

static void
test_blocking_request_failures(void **state)
{
	struct ctl_result res;
	struct dd_err err;
	char longpath[200], want[256];
	int lfd, rc;
	uint64_t t0;

	(void)state;
	rc = ctl_request(PATH_, "ping", 1000000, &res, &err);
	assert_int_equal(rc, DD_EIO);
	snprintf(want, sizeof(want), "cannot reach faultd at %s: %s", PATH_, strerror(ENOENT));
	assert_string_equal(err.msg, want);
	assert_null(res.data);
	ctl_result_free(&res);

	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(ctl_request(longpath, "ping", 1000000, &res, &err), -ENAMETOOLONG);

	lfd = raw_listen();
	t0 = dd_now_us();
	rc = ctl_request(PATH_, "ping", 100000, &res, &err);
	assert_int_equal(rc, CTL_ETIMEDOUT);
	assert_true(dd_now_us() - t0 >= 100000);
	assert_true(dd_now_us() - t0 < 2000000);
	assert_string_equal(err.msg, "no answer from faultd within 100 ms");
	ctl_result_free(&res);
	assert_int_equal(ctl_request(PATH_, "a\nb", 100000, &res, &err), DD_EINVAL);
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fifo_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_reply_then_more, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_listening_then_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_reply_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsent_timeout_is_never_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faultd_hangs_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resent_when_faultd_closed_unread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_client_survives_idle_close, setup, teardown),
		cmocka_unit_test(test_sweep_period),
		cmocka_unit_test_setup_teardown(test_free_with_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_request_failures, setup, teardown),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
