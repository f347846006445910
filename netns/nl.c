/*
 * nl.c -- links, bridges, addresses and routes over rtnetlink (libnl-route).
 *
 * Each namespace has its own netlink socket, opened from inside it (build.c
 * calls nn_nl_open while ns.c has the thread there), so requests act there
 * without entering it again.  Both ends of a veth
 * are created by one RTM_NEWLINK from one side, the peer placed straight
 * into the other namespace (IFLA_NET_NS_FD): no interface ever appears in
 * the caller's namespace, and a crash cannot leave half a pair.  We pick the ifindexes ourselves
 * (NN_IFINDEX_BASE up, per namespace), which saves a lookup per interface.
 *
 * Every libnl object allocated here is put before returning.
 */
#include "netns/nl.h"

#include "lib/err.h"
#include "netns/journal.h"
#include "netns/topo.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>

#define NL_FAIL(e, rc, ...) do { \
	char what_[256]; \
	snprintf(what_, sizeof(what_), __VA_ARGS__); \
	return nl_fail((e), (rc), what_); \
} while (0)

static int
nl_fail(struct dd_err *e, int nlerr, const char *what)
{
	dd_err_set(e, "%s: %s", what, nl_geterror(nlerr));
	if (nlerr == -NLE_PERM)
		return DD_EPERM;
	if (nlerr == -NLE_EXIST)
		return -EEXIST;
	return DD_EIO;
}

int
nn_nl_open(struct nn_host *h, struct dd_err *e)
{
	int rc;

	if ((h->nl = nl_socket_alloc()) == NULL)
		return DD_ENOMEM;
	if ((rc = nl_connect(h->nl, NETLINK_ROUTE)) < 0) {
		nl_socket_free(h->nl);
		h->nl = NULL;
		NL_FAIL(e, rc, "namespace %s: netlink socket", h->nsname);
	}
	h->next_ifindex = NN_IFINDEX_BASE;
	return 0;
}

void
nn_nl_close(struct nn_host *h)
{
	if (h->nl != NULL) {
		nl_socket_free(h->nl);
		h->nl = NULL;
	}
}

static int
set_up(struct nl_sock *sk, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_index = ifindex,
		.ifi_flags = IFF_UP, .ifi_change = IFF_UP,
	};
	struct nl_msg *msg;
	int rc;

	if ((msg = nlmsg_alloc_simple(RTM_NEWLINK, 0)) == NULL)
		return DD_ENOMEM;
	if ((rc = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO)) == 0)
		return nl_send_sync(sk, msg);  /* frees msg */
	nlmsg_free(msg);
	return rc;
}

int
nn_nl_lo_up(struct nn_host *h, struct dd_err *e)
{
	int rc = set_up(h->nl, 1);

	if (rc < 0)
		NL_FAIL(e, rc, "namespace %s: lo up", h->nsname);
	return 0;
}

int
nn_nl_bridge(struct nn_jr *j, struct nn_host *seg, struct dd_err *e)
{
	struct rtnl_link *br;
	char what[NN_PATH_MAX];
	int rc;

	snprintf(what, sizeof(what), "%s br0", seg->nsname);
	if ((rc = nn_jr_step(j, NN_JR_LINK, what, e)) < 0)
		return rc;
	if ((br = rtnl_link_alloc()) == NULL)
		return DD_ENOMEM;
	rtnl_link_set_name(br, "br0");
	rtnl_link_set_ifindex(br, seg->next_ifindex++);
	rtnl_link_set_flags(br, IFF_UP);
	if ((rc = rtnl_link_set_type(br, "bridge")) == 0)
		rc = rtnl_link_add(seg->nl, br, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(br);
	if (rc < 0)
		NL_FAIL(e, rc, "segment '%s': creating bridge br0", seg->name);
	return 0;
}

int
nn_nl_veth(struct nn_jr *j, struct nn_link *l, struct nn_host *a,
    struct nn_host *b, struct dd_err *e)
{
	struct nn_host *mainh, *peerh;
	struct rtnl_link *veth, *peer;
	const char *mainif, *peerif;
	char what[NN_PATH_MAX];
	int rc, mainix, peerix;

	l->ixa = a->next_ifindex++;
	l->ixb = b->next_ifindex++;
	/* for a segment the bridge side makes the pair, so that its end
	 * can be enslaved in the same message */
	if (l->attach) {
		mainh = b, mainif = l->ifb, mainix = l->ixb;
		peerh = a, peerif = l->ifa, peerix = l->ixa;
	} else {
		mainh = a, mainif = l->ifa, mainix = l->ixa;
		peerh = b, peerif = l->ifb, peerix = l->ixb;
	}
	snprintf(what, sizeof(what), "%s %s", mainh->nsname, mainif);
	if ((rc = nn_jr_step(j, NN_JR_LINK, what, e)) < 0)
		return rc;
	if ((veth = rtnl_link_veth_alloc()) == NULL)
		return DD_ENOMEM;
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, mainif);
	rtnl_link_set_ifindex(veth, mainix);
	rtnl_link_set_flags(veth, IFF_UP);
	if (l->attach)
		rtnl_link_set_master(veth, NN_IFINDEX_BASE);  /* br0 */
	rtnl_link_set_name(peer, peerif);
	rtnl_link_set_ifindex(peer, peerix);
	rtnl_link_set_ns_fd(peer, peerh->fd);
	rc = rtnl_link_add(mainh->nl, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(veth);
	/* The peer cannot be brought up in the same message: the kernel
	 * configures it before pairing it, and veth_open() refuses an
	 * unpaired device (ENOTCONN). */
	if (rc == 0)
		rc = set_up(peerh->nl, peerix);
	if (rc < 0) {
		NL_FAIL(e, rc, "%s %s - %s: creating veth", l->attach ? "attachment" : "link",
		    l->a, l->b);
	}
	return 0;
}

static struct nl_addr *
to_nl_addr(const struct nn_prefix *p)
{
	struct nl_addr *a = nl_addr_build(p->family, p->addr, p->family == AF_INET ? 4 : 16);

	if (a != NULL)
		nl_addr_set_prefixlen(a, (int)p->len);
	return a;
}

int
nn_nl_addr(struct nn_host *h, const struct nn_addr *ad, int ifindex, struct dd_err *e)
{
	struct rtnl_addr *addr;
	struct nl_addr *local;
	int rc;

	if ((addr = rtnl_addr_alloc()) == NULL)
		return DD_ENOMEM;
	if ((local = to_nl_addr(&ad->p)) == NULL) {
		rtnl_addr_put(addr);
		return DD_ENOMEM;
	}
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_family(addr, ad->p.family);
	rc = rtnl_addr_set_local(addr, local);
	rtnl_addr_set_prefixlen(addr, (int)ad->p.len);
	if (ad->p.family == AF_INET6)
		rtnl_addr_set_flags(addr, IFA_F_NODAD);  /* usable at once */
	if (rc == 0)
		rc = rtnl_addr_add(h->nl, addr, NLM_F_CREATE | NLM_F_EXCL);
	nl_addr_put(local);
	rtnl_addr_put(addr);
	if (rc < 0)
		NL_FAIL(e, rc, "host '%s': adding address %s", h->name, ad->text);
	return 0;
}

int
nn_nl_route(struct nn_host *h, const struct nn_route *r, int ifindex, struct dd_err *e)
{
	struct rtnl_route *route;
	struct rtnl_nexthop *nh;
	struct nl_addr *dst, *gw = NULL;
	int rc;

	if ((route = rtnl_route_alloc()) == NULL)
		return DD_ENOMEM;
	if ((dst = to_nl_addr(&r->dst)) == NULL) {
		rtnl_route_put(route);
		return DD_ENOMEM;
	}
	rtnl_route_set_family(route, (uint8_t)r->dst.family);
	rc = rtnl_route_set_dst(route, dst);
	nl_addr_put(dst);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_scope(route, r->via.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if ((nh = rtnl_route_nh_alloc()) == NULL) {
		rtnl_route_put(route);
		return DD_ENOMEM;
	}
	if (r->via.family != 0) {
		struct nn_prefix v = r->via;
		v.len = v.family == AF_INET ? 32 : 128;
		if ((gw = to_nl_addr(&v)) == NULL) {
			rtnl_route_nh_free(nh);
			rtnl_route_put(route);
			return DD_ENOMEM;
		}
		rtnl_route_nh_set_gateway(nh, gw);
		nl_addr_put(gw);
	}
	if (ifindex > 0)
		rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(route, nh);  /* route owns nh now */
	if (rc == 0)
		rc = rtnl_route_add(h->nl, route, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_route_put(route);
	if (rc < 0)
		NL_FAIL(e, rc, "host '%s': adding route %s", h->name, r->text);
	return 0;
}
