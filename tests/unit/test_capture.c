/*
 * test_capture.c -- capture on "lo" in the caller's namespace (needs root
 * or CAP_NET_RAW; skipped otherwise).  Sends known numbers of DNS queries,
 * replies and unrelated packets over loopback and checks the exact query
 * count and the pcap file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dnswire.h"
#include "lib/err.h"
#include "harness/capture.h"
#include "lib/util.h"

struct fx {
	char dir[64], path[96];
	int rx;              /* UDP receiver on 127.0.0.1:port */
	int tl;              /* TCP listener on the same port */
	uint16_t port;
};

static bool
have_privilege(void)
{
	return geteuid() == 0;
}

/* Bind to ip:*port (0: any port, written back); -1 when taken. */
static int
try_bind_lo(int type, const char *ip, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, ip, &a.sin_addr);
	a.sin_port = htons(*port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int
bind_lo(int type, const char *ip, uint16_t *port)
{
	int fd = try_bind_lo(type, ip, port);

	assert_true(fd >= 0);
	return fd;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/dd-capture-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/lo.pcap", f->dir);
	/* one port for both UDP and TCP: retry while TCP finds it taken */
	for (int i = 0; i < 50; i++) {
		f->port = 0;
		f->rx = bind_lo(SOCK_DGRAM, "127.0.0.1", &f->port);
		if ((f->tl = try_bind_lo(SOCK_STREAM, "127.0.0.1", &f->port)) >= 0)
			break;
		close(f->rx);
	}
	assert_true(f->tl >= 0);
	assert_int_equal(listen(f->tl, 4), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	close(f->rx);
	close(f->tl);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static size_t
make_msg(uint8_t *buf, size_t cap, uint16_t id, bool reply)
{
	struct dns_writer w;
	uint8_t qn[DNS_MAX_NAME];
	int n = dns_name_from_str("www.example.test", qn, sizeof(qn));

	dns_w_init(&w, buf, cap);
	dns_w_u16(&w, id);
	dns_w_u16(&w, (uint16_t)(DNS_RD | (reply ? DNS_QR : 0)));
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_bytes(&w, qn, (size_t)n);
	dns_w_u16(&w, DNS_T_A);
	dns_w_u16(&w, DNS_C_IN);
	return w.len;
}

static void
send_udp(const char *from_ip, uint16_t to_port, int count, bool reply)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(to_port) };
	uint16_t any = 0;
	int s = bind_lo(SOCK_DGRAM, from_ip, &any);
	uint8_t m[512];

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	for (int i = 0; i < count; i++) {
		size_t len = make_msg(m, sizeof(m), (uint16_t)i, reply);
		assert_int_equal(sendto(s, m, len, 0, (struct sockaddr *)&to, sizeof(to)),
		    (ssize_t)len);
	}
	close(s);
}

/* Two queries in one TCP write (one segment on loopback). */
static void
send_tcp_pair(struct fx *f)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(f->port) };
	uint8_t m[1024];
	size_t a, b;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c;

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	assert_int_equal(connect(s, (struct sockaddr *)&to, sizeof(to)), 0);
	c = accept(f->tl, NULL, NULL);
	assert_true(c >= 0);
	a = make_msg(m + 2, sizeof(m) - 2, 1, false);
	dns_put16(m, (uint16_t)a);
	b = make_msg(m + 2 + a + 2, sizeof(m) - a - 4, 2, false);
	dns_put16(m + 2 + a, (uint16_t)b);
	assert_int_equal(send(s, m, a + b + 4, 0), (ssize_t)(a + b + 4));
	close(s);
	close(c);
}

/* Dispatch until the count reaches want (or 2 s), then 100 ms more so an
 * over-count would show. */
static void
drain(struct capture *c, uint64_t want)
{
	uint64_t end = dd_now_us() + 2000000, settle = 0;

	for (;;) {
		struct pollfd p = { .fd = capture_fd(c), .events = POLLIN };
		uint64_t now = dd_now_us();
		if (capture_queries(c) >= want && settle == 0)
			settle = now + 100000;
		if ((settle && now >= settle) || now >= end)
			break;
		(void)poll(&p, 1, 10);
		assert_true(capture_dispatch(c) >= 0);
	}
}

static void
test_count_udp_tcp(void **state)
{
	struct fx *f = *state;
	struct dd_err err = { "" };
	struct capture *c;
	uint16_t ports[1];
	const int N = 25;
	uint8_t hdr[24];
	FILE *fp;
	pcap_t *off;
	char ebuf[PCAP_ERRBUF_SIZE];
	const u_char *data;
	struct pcap_pkthdr *h;
	uint64_t npk = 0;

	if (!have_privilege())
		skip();
	c = capture_open(NULL, NULL, "lo", f->path, "127.0.0.1", &err);
	if (c == NULL)
		fail_msg("capture_open: %s", err.msg);
	ports[0] = f->port;
	assert_int_equal(capture_set_ports(c, ports, 1, &err), 0);
	assert_true(capture_fd(c) >= 0);

	send_udp("127.0.0.1", f->port, N, false);        /* counted */
	send_udp("127.0.0.1", f->port, 5, true);         /* replies: not */
	send_udp("127.0.0.2", f->port, 7, false);        /* other source: not */
	send_udp("127.0.0.1", (uint16_t)(f->port ^ 1), 4, false); /* other port: filtered */
	send_tcp_pair(f);                                 /* 2 counted */
	drain(c, (uint64_t)N + 2);
	assert_int_equal(capture_queries(c), N + 2);
	/* everything on the port was captured: N + 5 + 7 UDP and the TCP
	 * handshake, data and teardown */
	assert_true(capture_packets(c) >= (uint64_t)N + 12 + 4);
	assert_int_equal(capture_drops(c), 0);
	npk = capture_packets(c);
	capture_close(c);

	/* the file: a pcap header, and the packets read back */
	fp = fopen(f->path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(hdr, 1, sizeof(hdr), fp), sizeof(hdr));
	fclose(fp);
	{
		uint32_t magic;
		uint16_t major;
		memcpy(&magic, hdr, 4);
		memcpy(&major, hdr + 4, 2);
		assert_true(magic == 0xa1b2c3d4u || magic == 0xa1b23c4du);
		assert_int_equal(major, 2);
	}
	off = pcap_open_offline(f->path, ebuf);
	assert_non_null(off);
	assert_int_equal(pcap_datalink(off), DLT_EN10MB);
	{
		uint64_t n = 0;
		while (pcap_next_ex(off, &h, &data) == 1)
			n++;
		assert_int_equal(n, npk);
	}
	pcap_close(off);
}

static void
test_default_port_and_cidr(void **state)
{
	struct fx *f = *state;
	struct dd_err err = { "" };
	struct capture *c;

	if (!have_privilege())
		skip();
	/* default filter is port 53: our high port is not even captured */
	c = capture_open(NULL, NULL, "lo", NULL, "127.0.0.0/8", &err);
	if (c == NULL)
		fail_msg("capture_open: %s", err.msg);
	send_udp("127.0.0.1", f->port, 3, false);
	drain(c, 1);
	assert_int_equal(capture_packets(c), 0);
	assert_int_equal(capture_queries(c), 0);

	/* a /8 counts both sources */
	assert_int_equal(capture_set_ports(c, &f->port, 1, &err), 0);
	send_udp("127.0.0.1", f->port, 3, false);
	send_udp("127.0.0.2", f->port, 4, false);
	drain(c, 7);
	assert_int_equal(capture_queries(c), 7);
	capture_close(c);

	/* "any" counts every source (a resolver's link to its authority) */
	c = capture_open(NULL, NULL, "lo", NULL, "any", &err);
	if (c == NULL)
		fail_msg("capture_open: %s", err.msg);
	assert_int_equal(capture_set_ports(c, &f->port, 1, &err), 0);
	send_udp("127.0.0.3", f->port, 2, false);
	send_udp("127.0.0.4", f->port, 3, false);
	send_udp("127.0.0.4", f->port, 4, true);          /* replies: not queries */
	drain(c, 5);
	assert_int_equal(capture_queries(c), 5);
	capture_close(c);
}

static void
test_any_interface(void **state)
{
	struct fx *f = *state;
	struct dd_err err = { "" };
	struct capture *c;

	if (!have_privilege())
		skip();
	c = capture_open(NULL, NULL, "any", NULL, "127.0.0.1", &err);
	if (c == NULL)
		fail_msg("capture_open: %s", err.msg);
	assert_int_equal(capture_set_ports(c, &f->port, 1, &err), 0);
	send_udp("127.0.0.1", f->port, 10, false);
	drain(c, 10);
	assert_int_equal(capture_queries(c), 10);
	capture_close(c);
}

static void
test_errors(void **state)
{
	struct dd_err err = { "" };
	uint16_t zero = 0;
	struct capture *c;

	(void)state;
	capture_close(NULL);
	assert_null(capture_open(NULL, NULL, "lo", NULL, "not-an-ip", &err));
	assert_non_null(strstr(err.msg, "count source 'not-an-ip'"));
	assert_null(capture_open(NULL, "client", "eth0", NULL, NULL, &err));
	assert_non_null(strstr(err.msg, "capture on client/eth0: host given but there is no topology"));
	assert_null(capture_open(NULL, NULL, NULL, NULL, NULL, &err));
	if (!have_privilege())
		skip();
	assert_null(capture_open(NULL, NULL, "dd-nosuch0", NULL, NULL, &err));
	assert_non_null(strstr(err.msg, "capture on (self)/dd-nosuch0:"));
	assert_null(capture_open(NULL, NULL, "lo", "/nonexistent/dir/x.pcap", NULL, &err));
	assert_non_null(strstr(err.msg, "/nonexistent/dir/x.pcap"));
	c = capture_open(NULL, NULL, "lo", NULL, NULL, &err);
	assert_non_null(c);
	assert_int_equal(capture_set_ports(c, &zero, 1, &err), DD_EINVAL);
	assert_int_equal(capture_set_ports(c, &zero, 0, &err), DD_EINVAL);
	capture_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_count_udp_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_port_and_cidr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_interface, setup, teardown),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
