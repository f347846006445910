/*
 * nl.h -- links, bridges, addresses and routes over rtnetlink (libnl-route),
 * private to netns/.  Each function acts on single records through the
 * netlink socket a host opened from inside its namespace (nn_nl_open), and
 * journals what it creates with nn_jr_step() first.  Errors: 0 or a negative
 * code with a message in e naming the host or link.
 */
#ifndef DD_NETNS_NL_H
#define DD_NETNS_NL_H

struct dd_err;
struct nn_addr;
struct nn_host;
struct nn_jr;
struct nn_link;
struct nn_route;

/* h->nl: a socket in the calling thread's namespace (call from inside h);
 * resets h's ifindex counter.  nn_nl_close() is NULL-socket safe. */
int nn_nl_open(struct nn_host *h, struct dd_err *e);
void nn_nl_close(struct nn_host *h);
int nn_nl_lo_up(struct nn_host *h, struct dd_err *e);
/* br0 in segment seg, up. */
int nn_nl_bridge(struct nn_jr *j, struct nn_host *seg, struct dd_err *e);
/* The veth pair l between a (l->ha) and b (l->hb), both ends up, an
 * attachment's end enslaved to b's br0; sets l->ixa and l->ixb. */
int nn_nl_veth(struct nn_jr *j, struct nn_link *l, struct nn_host *a,
    struct nn_host *b, struct dd_err *e);
/* Address a / route r in h, on ifindex (route: 0 lets the kernel pick).
 * Not journaled: they vanish with their namespace. */
int nn_nl_addr(struct nn_host *h, const struct nn_addr *a, int ifindex,
    struct dd_err *e);
int nn_nl_route(struct nn_host *h, const struct nn_route *r, int ifindex,
    struct dd_err *e);

#endif
