/*
 * internal.h -- what the netns .c files share: the topology structs, the
 * undo journal, and the helpers each file exports to the others.  Not part
 * of the public API (netns.h).
 *
 * Ownership: struct netns_topo owns its arrays and every string in them.
 * Build-time state (namespace fds, netlink sockets) lives in the host
 * records and is released by teardown.
 */
#ifndef DD_NETNS_INTERNAL_H
#define DD_NETNS_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "netns/netns.h"

#define NN_PATH_MAX 192          /* every path we build fits easily */
#define NN_DEFAULT_ROOT "/run/dnsdrill"
#define NN_NETNS_DIR "/run/netns"
#define NN_ETC_DIR "/etc/netns"
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

/*
 * The undo journal.  Each entry is written to the journal file, then kept
 * in memory, before the object it names is created.  Undo walks the
 * in-memory copy backwards using only system calls, so it may run in a
 * signal handler.  Signals are blocked while an entry is appended.
 */
enum nn_jr_kind {
	NN_JR_OWNER = 1,  /* pid start: the run's owner (informational) */
	NN_JR_DIR,        /* path: a directory we created; rmdir when empty */
	NN_JR_FILE,       /* path: a file we created; unlink */
	NN_JR_NETNS,      /* path: a namespace bind mount; stop its processes,
	                * umount, unlink */
	NN_JR_LINK,       /* "nsname ifname": vanishes with its namespaces */
	NN_JR_NFT,        /* nsname: rules vanish with the namespace */
	NN_JR_PROC,       /* pid start: a spawned process group; stop it */
};

struct nn_jr_entry {
	int kind;
	volatile sig_atomic_t done;
	pid_t pid;
	unsigned long long start;  /* process start time (clock ticks) */
	char arg[NN_PATH_MAX];
};

struct nn_jr {
	char dir[NN_PATH_MAX];     /* ROOT/RUNID, "" when not open */
	int fd;                    /* journal file, -1 when closed */
	int lockfd;                /* flock held for the run's life */
	struct nn_jr_entry *ent;      /* owned */
	volatile sig_atomic_t n;
	size_t cap;
	unsigned grace_ms;
};

void nn_jr_init(struct nn_jr *j);
/* Create ROOT/RUNID (fails with -EEXIST when taken), take the lock, write
 * the owner entry. */
int nn_jr_open(struct nn_jr *j, const char *root, const char *run_id, struct dd_err *e);
/* Write down an entry (file first, then memory). */
int nn_jr_add(struct nn_jr *j, int kind, const char *arg, pid_t pid,
    unsigned long long start);
/* Replay backwards; async-signal-safe.  Removes the run directory at the
 * end and releases the lock.  Idempotent. */
int nn_jr_undo(struct nn_jr *j);
/* Free memory (does not undo).  NULL-safe. */
void nn_jr_free(struct nn_jr *j);
/* Read a dead run's journal from dir into j (which must be nn_jr_init'ed). */
int nn_jr_load(struct nn_jr *j, const char *dir, struct dd_err *e);

/* One journal line <-> one entry.  Format: "KIND PID START ARG\n" with KIND
 * a word ("netns", "proc", ...).  Pure; unit-tested. */
int nn_jr_format(const struct nn_jr_entry *en, char *buf, size_t len);
int nn_jr_parse(const char *line, struct nn_jr_entry *en);
const char *nn_jr_kind_name(int kind);

/* Start time of a process (field 22 of /proc/PID/stat), 0 when gone or a
 * zombie.  Async-signal-safe. */
unsigned long long nn_jr_proc_start(pid_t pid);

/*
 * The topology
 */
struct netns_topo {
	char run_id[NETNS_RUNID_MAX + 1];
	bool run_id_given;
	char root[NN_PATH_MAX - 2 * NETNS_RUNID_MAX];
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
	volatile sig_atomic_t tearing;
	int step;
	netns_step_hook hook;
	void *hook_arg;
	struct nn_jr jr;
};

/* topo.c */
void nn_random_run_id(char *out, size_t n);
struct nn_host *nn_host_find(const struct netns_topo *t, const char *name);
int nn_prefix_parse(const char *s, bool need_len, struct nn_prefix *p);
bool nn_prefix_allowed(const struct nn_prefix *p);
char *nn_prefix_str(const struct nn_prefix *p, char *buf, size_t len);
bool nn_name_ok(const char *s, size_t max);
bool nn_ifname_ok(const char *s);

/* ns.c: namespaces the iproute2 way */
/* Create h's namespace and bind-mount it; while inside, open its netlink
 * socket, bring lo up and set sysctls; return to orig_fd. */
int nn_ns_create(struct netns_topo *t, struct nn_host *h, int orig_fd);
/* An fd for the calling thread's network namespace. */
int nn_open_self_ns(void);

/* nl.c: links, addresses, routes over rtnetlink (libnl-route) */
int nn_nl_open(struct netns_topo *t, struct nn_host *h);
void nn_nl_close(struct nn_host *h);
int nn_nl_lo_up(struct netns_topo *t, struct nn_host *h);
int nn_nl_bridge(struct netns_topo *t, struct nn_host *seg);
int nn_nl_veth(struct netns_topo *t, struct nn_link *l);
int nn_nl_addr(struct netns_topo *t, const struct nn_addr *a, int ifindex);
int nn_nl_route(struct netns_topo *t, const struct nn_route *r, int ifindex);

/* nft.c: DNS interception */
int nn_nft_ruleset(const struct nn_host *h, char *buf, size_t len);
int nn_nft_apply(struct netns_topo *t, struct nn_host *h);

/* build.c */
void nn_forget_signals(struct netns_topo *t);
int nn_step(struct netns_topo *t, int kind, const char *arg);
int nn_ifindex_of(const struct netns_topo *t, int h, const char *ifname);

#endif
