/*
 * topo.h -- the topology model (private to netns/): the records a
 * description is made of (hosts, links, addresses, routes), the topology
 * that holds them with its journal, and the helpers topo.c offers the files
 * above it.  Names: nn_ for what is private to netns/; the layers beside
 * this one add their own word (nn_jr_ journal, nn_nl_ netlink, nn_ns_
 * namespaces, nn_nft_ nftables, nn_spawn); netns_ is the public API.
 *
 * Layers, each calling only those below it (never a circle):
 *
 *   build.c  use.c             orchestration: build, teardown / using hosts
 *   nl.c ns.c nft.c spawn.c    one kind of object each, on the records below
 *   topo.c  spec.c             the model: description, validation, text form
 *   journal.c                  write down before creating; undo; signals
 *
 * nl.c, ns.c, nft.c and spawn.c see single records (struct nn_host, ...)
 * and the journal, never a whole struct netns_topo.
 *
 * Ownership: struct netns_topo owns its arrays and every string in them.
 * Build-time state (namespace fds, netlink sockets) lives in the host
 * records; netns_topo_free() closes what is left of it.
 */
#ifndef DD_NETNS_TOPO_H
#define DD_NETNS_TOPO_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "netns/journal.h"
#include "netns/netns.h"

#define NN_PATH_MAX NN_JR_PATH_MAX  /* paths we build are journaled */
#define NN_NETNS_DIR "/run/netns"
#define NN_ETC_DIR "/etc/netns"        /* default per-host files root */
#define NN_ETC_DIR_ROOTLESS "/run/etc-netns"  /* after netns_rootless_enter() */
#define NN_PRIVATE_SIZE "64m"      /* each host's /tmp and /run (tmpfs) */
/* Interfaces we create get ifindexes from here up, chosen by us so no
 * round trip is needed to learn them; fresh namespaces only hold lo and
 * perhaps a few fallback tunnel devices, far below. */
#define NN_IFINDEX_BASE 100

struct nl_sock;

/* An address or prefix with its host bits intact. */
struct nn_prefix {
	int family;        /* AF_INET, AF_INET6, or 0 for an unset value */
	uint8_t addr[16];
	unsigned len;      /* prefix length */
};

struct nn_host {
	char name[NETNS_NAME_MAX + 1];
	bool segment;              /* a bridge namespace, not a host */
	bool forward;
	char *resolv;              /* owned; NULL when not given */
	char *hosts;               /* owned; NULL when not given */
	struct dd_sockaddr icpt[2];/* interception targets */
	int nicpt;
	/* build state */
	char nsname[8 + NETNS_RUNID_MAX + NETNS_NAME_MAX];
	/* the host's private /tmp and /run as the machine sees them (tmpfs
	 * mounts in the run directory); "" until built */
	char priv_tmp[NN_PATH_MAX], priv_run[NN_PATH_MAX];
	/* ETCROOT/NSNAME: the host's resolv.conf and hosts; "" until built */
	char etc_dir[NN_PATH_MAX];
	int fd;                    /* namespace fd, -1 when not built */
	struct nl_sock *nl;        /* rtnetlink socket inside, during build */
	int next_ifindex;
	int nports;                /* segment: ports made so far */
};

/* A veth pair.  For a segment attachment, b is the segment and ifb its
 * bridge port. */
struct nn_link {
	char a[NETNS_NAME_MAX + 1], ifa[NETNS_IFNAME_MAX + 1];
	char b[NETNS_NAME_MAX + 1], ifb[NETNS_IFNAME_MAX + 1];
	bool attach;
	int ha, hb;                /* resolved host indexes (validate) */
	int ixa, ixb;              /* ifindexes (build) */
};

struct nn_addr {
	char host[NETNS_NAME_MAX + 1], ifname[NETNS_IFNAME_MAX + 1];
	char text[64];
	struct nn_prefix p;
	int h;                     /* resolved host */
};

struct nn_route {
	char host[NETNS_NAME_MAX + 1], dev[NETNS_IFNAME_MAX + 1];
	char text[160];            /* for messages */
	struct nn_prefix dst;      /* len 0 = default */
	struct nn_prefix via;      /* family 0 = none */
	int h;
};

struct netns_topo {
	char run_id[NETNS_RUNID_MAX + 1];
	bool run_id_given;
	char root[NN_PATH_MAX - 2 * NETNS_RUNID_MAX];
	/* where per-host files go (netns_set_etc_root): /etc/netns, or
	 * nn_etc_default() */
	char etc[NN_PATH_MAX - 2 * NETNS_RUNID_MAX - NETNS_NAME_MAX];
	struct dd_err err;

	struct nn_host *hosts;
	size_t nhosts, caphosts;
	struct nn_link *links;
	size_t nlinks, caplinks;
	struct nn_addr *addrs;
	size_t naddrs, capaddrs;
	struct nn_route *routes;
	size_t nroutes, caproutes;

	bool validated;
	bool built;        /* build started (journal open) */
	bool torn_down;
	struct nn_jr jr;   /* steps, hook and undo of the build */
	/* netns_keep(): folders under /tmp or /run every spawned process
	 * still sees (owned, NULL-terminated) */
	char *keep[NETNS_KEEP_MAX + 1];
	size_t nkeep;
};

void nn_random_run_id(char *out, size_t n);
/* The per-host files root a new topology starts with: NN_ETC_DIR, or
 * NN_ETC_DIR_ROOTLESS once nn_etc_default_rootless() was called (by
 * netns_rootless_enter(): /etc is not ours to write there). */
const char *nn_etc_default(void);
void nn_etc_default_rootless(void);
struct nn_host *nn_host_find(const struct netns_topo *t, const char *name);
int nn_prefix_parse(const char *s, bool need_len, struct nn_prefix *p);
bool nn_prefix_allowed(const struct nn_prefix *p);
char *nn_prefix_str(const struct nn_prefix *p, char *buf, size_t len);
bool nn_name_ok(const char *s, size_t max);
bool nn_ifname_ok(const char *s);
/* The ifindex of host h's interface ifname: 1 for lo, the chosen index once
 * built, -2 when known but not built yet, 0 when unknown. */
int nn_ifindex_of(const struct netns_topo *t, int h, const char *ifname);

#endif
