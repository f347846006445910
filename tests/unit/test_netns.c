/*
 * test_netns.c -- the topology description: add calls, whole-picture
 * validation, the text format, the interception ruleset, and the calls on
 * a built topology refusing one that is not.  Nothing here needs privilege
 * or creates anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns/nft.h"
#include "netns/ns.h"
#include "netns/topo.h"

static struct netns_topo *
three_hosts(void)
{
	struct netns_topo *t = netns_topo_new("t1");

	assert_non_null(t);
	assert_int_equal(netns_host_add(t, "client"), 0);
	assert_int_equal(netns_host_add(t, "resolver"), 0);
	assert_int_equal(netns_host_add(t, "authority"), 0);
	assert_int_equal(netns_link_add(t, "client", NULL, "resolver", NULL), 0);
	assert_int_equal(netns_link_add(t, "resolver", NULL, "authority", "eth0"), 0);
	return t;
}

static void
test_good_topology(void **state)
{
	struct netns_topo *t = three_hosts();

	assert_int_equal(netns_host_forward(t, "resolver", true), 0);
	assert_int_equal(netns_addr_add(t, "client", "resolver", "198.18.1.2/24"), 0);
	assert_int_equal(netns_addr_add(t, "resolver", "client", "198.18.1.1/24"), 0);
	assert_int_equal(netns_addr_add(t, "authority", "eth0", "fd00:2::2/64"), 0);
	assert_int_equal(netns_addr_add(t, "authority", "lo", "198.18.250.250"), 0);
	assert_int_equal(netns_route_add(t, "client", "default", "198.18.1.1", NULL), 0);
	assert_int_equal(netns_route_add(t, "client", "198.18.2.0/24", NULL, "resolver"), 0);
	assert_int_equal(netns_host_resolv_conf(t, "client", "nameserver 198.18.1.1\n"), 0);
	assert_int_equal(netns_host_intercept_dns(t, "client", "198.18.1.1:5300"), 0);
	assert_int_equal(netns_validate(t), 0);
	assert_string_equal(netns_nsname(t, "client"), "dd-t1-client");
	assert_string_equal(netns_run_id(t), "t1");
	assert_null(netns_nsname(t, "nobody"));
	assert_int_equal(netns_host_fd(t, "client"), -1);  /* not built */
	/* default interface names: the other side */
	assert_string_equal(t->links[0].ifa, "resolver");
	assert_string_equal(t->links[0].ifb, "client");
	assert_string_equal(t->links[1].ifa, "authority");
	netns_topo_free(t);
}

static void
test_unknown_host(void **state)
{
	struct netns_topo *t = three_hosts();

	assert_int_equal(netns_link_add(t, "client", "x0", "resolvr", "x1"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "unknown host 'resolvr'"));
	assert_non_null(strstr(netns_errmsg(t), "link client - resolvr"));
	netns_topo_free(t);
}

static void
test_duplicate_address(void **state)
{
	struct netns_topo *t = three_hosts();

	assert_int_equal(netns_addr_add(t, "client", "resolver", "198.18.1.2/24"), 0);
	assert_int_equal(netns_addr_add(t, "authority", "eth0", "198.18.1.2/24"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "duplicate address 198.18.1.2/24"));
	assert_non_null(strstr(netns_errmsg(t), "host 'authority'"));
	assert_non_null(strstr(netns_errmsg(t), "host 'client'"));
	netns_topo_free(t);
}

static void
test_ifname_too_long(void **state)
{
	struct netns_topo *t = three_hosts();

	assert_int_equal(netns_link_add(t, "client", "a-very-long-ifname", "authority", NULL),
	    DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "a-very-long-ifname"));
	assert_non_null(strstr(netns_errmsg(t), "link client - authority"));
	assert_int_equal(netns_link_add(t, "client", "exactly15chars_", "authority", NULL), 0);
	assert_int_equal(netns_link_add(t, "client", "a/b", "authority", NULL), DD_EINVAL);
	assert_int_equal(netns_link_add(t, "client", "", "authority", NULL), DD_EINVAL);
	assert_int_equal(netns_addr_add(t, "client", "sixteen-chars-xx", "198.18.1.1"),
	    DD_EINVAL);
	netns_topo_free(t);
}

static void
test_default_ifname_truncated(void **state)
{
	struct netns_topo *t = netns_topo_new("t2");

	assert_int_equal(netns_host_add(t, "a-host-with-long-name"), 0);
	assert_int_equal(netns_host_add(t, "b"), 0);
	assert_int_equal(netns_link_add(t, "a-host-with-long-name", NULL, "b", NULL), 0);
	assert_int_equal(netns_validate(t), 0);
	assert_int_equal(strlen(t->links[0].ifb), NETNS_IFNAME_MAX);
	assert_string_equal(t->links[0].ifb, "a-host-with-lon");
	netns_topo_free(t);
}

static void
test_address_ranges(void **state)
{
	struct netns_topo *t = three_hosts();
	static const char *const bad[] = {
		"8.8.8.8/32", "1.1.1.1", "10.0.0.1/24", "198.20.0.1/24", "198.17.255.1/24",
		"198.18.0.1/14",   /* prefix reaches outside */
		"2001:db8::1/64", "fe80::1/64", "fc00::1/64", "::1",
		"198.18.1.300/24", "198.18.1.1/33", "fd00::1/129", "nonsense", "", NULL,
	};
	static const char *const good[] = {
		"198.18.0.1/15", "198.19.255.254/24", "fd00::1/8", "fdff:ffff::1/64",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(netns_addr_add(t, "client", "resolver", bad[i]), DD_EINVAL);
		assert_non_null(strstr(netns_errmsg(t), "host 'client'"));
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(netns_addr_add(t, "client", "resolver", good[i]), 0);
	assert_int_equal(netns_addr_add(t, "client", "resolver", "8.8.8.8"), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "outside 198.18.0.0/15"));
	netns_topo_free(t);
}

static void
test_routes(void **state)
{
	struct netns_topo *t = three_hosts();

	assert_int_equal(netns_route_add(t, "client", "default", "8.8.8.8", NULL), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "gateway 8.8.8.8"));
	assert_int_equal(netns_route_add(t, "client", "1.1.1.0/24", "198.18.1.1", NULL),
	    DD_EINVAL);
	assert_int_equal(netns_route_add(t, "client", "default", NULL, NULL), DD_EINVAL);
	assert_int_equal(netns_route_add(t, "client", "default", "198.18.1.1/24", NULL),
	    DD_EINVAL);
	assert_int_equal(netns_route_add(t, "client", "fd00:9::/64", "198.18.1.1", NULL),
	    DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "mixes IPv4 and IPv6"));
	assert_int_equal(netns_route_add(t, "client", "default", "fd00:1::1", NULL), 0);
	assert_int_equal(t->routes[0].dst.family, AF_INET6);
	assert_int_equal(netns_route_add(t, "client", "default6", NULL, "resolver"), 0);
	assert_int_equal(netns_route_add(t, "client", "198.18.9.0/24", NULL, "nosuchif"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "unknown interface 'nosuchif'"));
	netns_topo_free(t);
}

static void
test_duplicates_and_kinds(void **state)
{
	struct netns_topo *t = three_hosts();

	/* the same host twice */
	assert_int_equal(netns_host_add(t, "client"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "host 'client' is described twice"));
	netns_topo_free(t);

	/* two links between the same pair clash on default names */
	t = three_hosts();
	assert_int_equal(netns_link_add(t, "client", NULL, "resolver", NULL), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "already has an interface 'resolver'"));
	netns_topo_free(t);

	/* a link to a segment, an attachment to a host, a loop */
	t = three_hosts();
	assert_int_equal(netns_segment_add(t, "lan"), 0);
	assert_int_equal(netns_link_add(t, "client", "x", "lan", NULL), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "'lan' is a segment"));
	netns_topo_free(t);

	t = three_hosts();
	assert_int_equal(netns_segment_attach(t, "resolver", "client", "x"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "not a segment"));
	netns_topo_free(t);

	t = three_hosts();
	assert_int_equal(netns_link_add(t, "client", "x", "client", "y"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "same host"));
	netns_topo_free(t);
}

static void
test_segments(void **state)
{
	struct netns_topo *t = netns_topo_new("t3");

	assert_int_equal(netns_segment_add(t, "lan"), 0);
	for (int i = 0; i < 4; i++) {
		char name[8];
		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(netns_host_add(t, name), 0);
		assert_int_equal(netns_segment_attach(t, "lan", name, NULL), 0);
	}
	assert_int_equal(netns_addr_add(t, "h0", "lan", "198.18.5.1/24"), 0);
	assert_int_equal(netns_validate(t), 0);
	assert_string_equal(t->links[0].ifa, "lan");
	assert_string_equal(t->links[0].ifb, "p0");
	assert_string_equal(t->links[3].ifb, "p3");
	/* validating again numbers the ports the same way */
	t->validated = false;
	assert_int_equal(netns_validate(t), 0);
	assert_string_equal(t->links[3].ifb, "p3");
	/* per-host settings refuse segments */
	assert_int_equal(netns_host_forward(t, "lan", true), DD_EINVAL);
	assert_int_equal(netns_addr_add(t, "lan", "br0", "198.18.5.9/24"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	netns_topo_free(t);
}

static void
test_names_and_ids(void **state)
{
	struct netns_topo *t;

	assert_null(netns_topo_new("UPPER"));
	assert_null(netns_topo_new(""));
	assert_null(netns_topo_new("thirteenchars"));
	assert_null(netns_topo_new("a/b"));
	t = netns_topo_new(NULL);
	assert_non_null(t);
	assert_int_equal(strlen(netns_run_id(t)), 6);
	assert_int_equal(netns_host_add(t, "bad name"), DD_EINVAL);
	assert_int_equal(netns_host_add(t, "../etc"), DD_EINVAL);
	assert_int_equal(netns_host_add(t, "x234567890123456789012345"), DD_EINVAL);
	assert_int_equal(netns_host_add(t, NULL), DD_EINVAL);
	assert_int_equal(netns_validate(t), DD_EINVAL);  /* no hosts */
	assert_non_null(strstr(netns_errmsg(t), "no hosts"));
	assert_int_equal(netns_set_run_root(t, "relative/dir"), DD_EINVAL);
	netns_topo_free(t);
	netns_topo_free(NULL);
	assert_int_equal(netns_validate(NULL), DD_EINVAL);
	assert_int_equal(netns_build(NULL), DD_EINVAL);
	assert_int_equal(netns_teardown(NULL), 0);
}

static void
test_settings_unknown_host(void **state)
{
	struct netns_topo *t = three_hosts();

	assert_int_equal(netns_host_resolv_conf(t, "ghost", "nameserver 198.18.1.1\n"),
	    DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "host 'ghost'"));
	assert_int_equal(netns_host_intercept_dns(t, "client", "8.8.8.8:53"), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "outside"));
	assert_int_equal(netns_host_intercept_dns(t, "client", "not an address"), DD_EINVAL);
	assert_int_equal(netns_host_intercept_dns(t, "client", "198.18.1.1"), 0);
	assert_int_equal(ntohs(t->hosts[0].icpt[0].u.sin.sin_port), 53);
	assert_int_equal(netns_host_intercept_dns(t, "client", "198.18.1.2:5300"), DD_EINVAL);
	assert_int_equal(netns_host_intercept_dns(t, "client", "[fd00::53]:5300"), 0);
	assert_int_equal(netns_addr_add(t, "ghost", "eth0", "198.18.1.1"), 0);
	assert_int_equal(netns_validate(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "unknown host 'ghost'"));
	netns_topo_free(t);
}

static void
test_nft_ruleset(void **state)
{
	struct netns_topo *t = three_hosts();
	char buf[1024];

	assert_int_equal(nn_nft_ruleset(&t->hosts[0], buf, sizeof(buf)), DD_EINVAL);
	assert_int_equal(netns_host_intercept_dns(t, "client", "198.18.1.1:5300"), 0);
	assert_int_equal(netns_host_intercept_dns(t, "client", "[fd00::53]:53"), 0);
	assert_true(nn_nft_ruleset(&t->hosts[0], buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "table ip dnsdrill"));
	assert_non_null(strstr(buf, "table ip6 dnsdrill"));
	assert_non_null(strstr(buf, "udp dport 53 dnat to 198.18.1.1:5300"));
	assert_non_null(strstr(buf, "tcp dport 53 dnat to 198.18.1.1:5300"));
	assert_non_null(strstr(buf, "dnat to [fd00::53]:53"));
	assert_non_null(strstr(buf, "hook output"));
	assert_non_null(strstr(buf, "oifname != \"lo\""));
	assert_int_equal(nn_nft_ruleset(&t->hosts[0], buf, 64), DD_ENOSPACE);
	netns_topo_free(t);
}

static void
test_parse(void **state)
{
	static const char text[] =
	    "# a line\n"
	    "host client\n"
	    "host resolver forward\n"
	    "segment lan\n"
	    "attach lan client:eth1\n"
	    "link client:up resolver\n"
	    "addr client up 198.18.1.2/24   # trailing comment\n"
	    "route client default via 198.18.1.1\n"
	    "route client 198.18.7.0/24 dev up\n"
	    "resolv client nameserver 198.18.1.1\n"
	    "resolv client options   timeout:1 attempts:2\n"
	    "hosts client 198.18.2.2 a.test\n"
	    "intercept client 198.18.1.1:5300\n"
	    "\n";
	struct netns_topo *t = netns_topo_new("p1");

	assert_int_equal(netns_topo_parse(t, text, "x.topo"), 0);
	assert_int_equal(netns_validate(t), 0);
	assert_true(t->hosts[1].forward);
	assert_string_equal(t->hosts[0].resolv,
	    "nameserver 198.18.1.1\noptions   timeout:1 attempts:2\n");
	assert_string_equal(t->hosts[0].hosts, "198.18.2.2 a.test\n");
	assert_string_equal(t->links[0].ifa, "eth1");
	assert_string_equal(t->links[1].ifa, "up");
	assert_int_equal((int)t->nroutes, 2);
	assert_string_equal(t->routes[1].dev, "up");
	netns_topo_free(t);

	t = netns_topo_new("p2");
	assert_int_equal(netns_topo_parse(t, "host a\nhost b\nlink a b c\n", "y.topo"),
	    DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "y.topo:3:"));
	netns_topo_free(t);

	t = netns_topo_new("p3");
	assert_int_equal(netns_topo_parse(t, "host a\naddr a eth0 8.8.8.8/32\n", "z"),
	    DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "z:2: host 'a' eth0: address 8.8.8.8/32"));
	netns_topo_free(t);

	t = netns_topo_new("p4");
	assert_int_equal(netns_topo_parse(t, "hots a\n", "w"), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "w:1: cannot read 'hots'"));
	assert_int_equal(netns_topo_parse(t, "route a default via\n", "w"), DD_EINVAL);
	netns_topo_free(t);
}

static void
test_build_refusals(void **state)
{
	struct netns_topo *t = three_hosts();

	/* invalid descriptions are refused before privilege is even checked */
	assert_int_equal(netns_link_add(t, "client", "q", "nobody", "q"), 0);
	assert_int_equal(netns_build(t), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "unknown host 'nobody'"));
	assert_false(t->built);
	netns_topo_free(t);
}

static int
count_hook(void *arg, int step, const char *what)
{
	(*(int *)arg)++;
	return 0;
}

/* use.c: entering, sockets and programs need a built host; they refuse
 * before touching any namespace, and leave the token unused. */
static void
test_use_unbuilt(void **state)
{
	struct netns_topo *t = three_hosts();
	const char *argv[] = { "true", NULL };
	struct netns_spawn_opts o = { .argv = argv };
	struct netns_token tok = { 42 };
	pid_t pid = 0;
	int calls = 0;

	assert_int_equal(netns_enter(t, "client", &tok), DD_ENOTFOUND);
	assert_int_equal(tok.saved_fd, -1);
	assert_string_equal(netns_errmsg(t),
	    "enter 'client': no such host in a built topology");
	assert_int_equal(netns_socket(t, "nobody", AF_INET, SOCK_DGRAM, 0), DD_ENOTFOUND);
	assert_non_null(strstr(netns_errmsg(t), "enter 'nobody'"));
	assert_int_equal(netns_spawn(t, "client", &o, &pid), DD_ENOTFOUND);
	assert_string_equal(netns_errmsg(t),
	    "run in 'client': no such host in a built topology");
	assert_int_equal(pid, 0);
	assert_int_equal(netns_spawn(t, "client", NULL, &pid), DD_EINVAL);
	assert_int_equal(netns_spawn(NULL, "client", &o, &pid), DD_EINVAL);
	assert_int_equal(netns_enter(NULL, "client", &tok), DD_EINVAL);
	assert_int_equal(netns_enter(t, "client", NULL), DD_EINVAL);
	assert_int_equal(netns_leave(&tok), 0);  /* unused token: nothing */
	assert_int_equal(netns_leave(NULL), 0);
	/* ns.c below: a bad fd fails without leaving a saved namespace */
	tok.saved_fd = 42;
	assert_true(nn_ns_enter(-1, &tok) < 0);
	assert_int_equal(tok.saved_fd, -1);
	/* the step hook is the journal's */
	netns_set_step_hook(t, count_hook, &calls);
	assert_ptr_equal(t->jr.hook_arg, &calls);
	assert_int_equal(t->jr.hook(t->jr.hook_arg, 1, "dir /x"), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(netns_catch_signals(NULL), DD_EINVAL);
	netns_topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_topology),
		cmocka_unit_test(test_unknown_host),
		cmocka_unit_test(test_duplicate_address),
		cmocka_unit_test(test_ifname_too_long),
		cmocka_unit_test(test_default_ifname_truncated),
		cmocka_unit_test(test_address_ranges),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_duplicates_and_kinds),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_names_and_ids),
		cmocka_unit_test(test_settings_unknown_host),
		cmocka_unit_test(test_nft_ruleset),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_use_unbuilt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
