/*
 * netns.h -- sealed test networks in Linux network namespaces.
 *
 * A topology is first *described* (hosts, links, shared segments, addresses,
 * routes, forwarding, per-host resolv.conf/hosts, DNS interception), then
 * *built* in one call, used (run programs in hosts, enter hosts to open
 * sockets or pcap handles), and finally *torn down*.  Everything here is
 * plain C structs and functions; the harness's Lua bindings translate to it.
 *
 * Naming.  Each host (and each shared segment, whose bridge lives in a
 * namespace of its own) becomes a named namespace "dd-RUNID-NAME", created
 * the iproute2 way (a bind mount under /run/netns), so `ip netns exec
 * dd-RUNID-NAME ...` works while debugging.  The run id is random unless set,
 * so two runs at once never collide.  Interface names live inside the hosts
 * and only need to be unique per host (at most 15 characters); when a link
 * is added without names, each end is named after the host or segment on the
 * other side (truncated to 15).
 *
 * Sealing.  No interface of a topology is ever in the caller's namespace:
 * both ends of every veth are created directly inside run namespaces.
 * Addresses, route destinations, gateways and interception targets must lie
 * in 198.18.0.0/15 or fd00::/8 ("default" is allowed as a destination).  The
 * host's own resolv.conf, routes and firewall are never touched: per-host
 * files go to /etc/netns/dd-RUNID-NAME/ (the `ip netns exec` convention) and
 * nftables rules go into the host's own namespace.
 *
 * Undo journal.  Before each object is created it is written to
 * ROOT/RUNID/journal (ROOT defaults to /run/dnsdrill).  netns_teardown()
 * replays it backwards: it stops the run's processes (those it spawned and
 * any other process found inside a run namespace), removes files, unmounts
 * and removes the namespaces (which deletes their links and bridges with
 * them) and finally the run directory.  A build that fails at any step tears
 * down what it made before returning.  netns_cleanup() does the same for runs
 * whose owner is dead (the owner holds an flock on ROOT/RUNID/lock for the
 * run's lifetime), and never touches a live run.  Freeing a topology
 * (netns_topo_free) never tears it down.
 *
 * Errors follow lib/err.h: 0 or a negative code.  Functions taking a topology
 * leave a message for people in it (netns_errmsg()), naming the host, link
 * or file concerned.
 *
 * Threads.  A topology is not thread-safe; use it from one thread.  Entering
 * a host (netns_enter) affects only the calling thread.
 *
 * Privilege.  Building needs CAP_NET_ADMIN and CAP_SYS_ADMIN (in practice:
 * root, or root of a user namespace of our own: netns_rootless_enter()
 * below).  Describing and validating need nothing.
 */
#ifndef DD_NETNS_H
#define DD_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* Limits checked by validation. */
#define NETNS_NAME_MAX   24  /* host and segment names: [A-Za-z0-9_-] */
#define NETNS_RUNID_MAX  12  /* run ids: [a-z0-9] */
#define NETNS_IFNAME_MAX 15  /* kernel limit (IFNAMSIZ - 1) */
#define NETNS_TEXT_MAX   65536 /* resolv.conf / hosts contents */

/* Opaque.  Owns copies of every string given to it. */
struct netns_topo;

/*
 * Life cycle
 */

/* A new, empty description.  run_id NULL picks a random 6-character id;
 * otherwise it must be 1..NETNS_RUNID_MAX of [a-z0-9].  Returns NULL when out
 * of memory or run_id is malformed. */
struct netns_topo *netns_topo_new(const char *run_id);

/* Frees the description and closes what a build left open.  It does not
 * tear down: that is the caller's explicit act (netns_teardown() first).  A
 * built topology freed without it stays in place with its journal, and as
 * its lock goes with it, netns_cleanup() ("dnsdrill cleanup") removes it
 * later.  Also forgets t in the handlers of netns_catch_signals().  NULL is
 * fine. */
void netns_topo_free(struct netns_topo *t);

/* Where run directories live; default "/run/dnsdrill".  Before build only. */
int netns_set_run_root(struct netns_topo *t, const char *dir);

/* Where per-host files (resolv.conf, hosts) go: DIR/dd-RUNID-NAME/.
 * Default /etc/netns (the `ip netns exec` convention), or /run/etc-netns
 * in a process that called netns_rootless_enter() (/etc is not writable
 * there).  Before build only; netns_etc_root() says which. */
int netns_set_etc_root(struct netns_topo *t, const char *dir);
const char *netns_etc_root(const struct netns_topo *t);

/* How long teardown waits after SIGTERM before SIGKILL (default 2000 ms). */
void netns_set_kill_grace(struct netns_topo *t, unsigned ms);

/* The last error message for people ("" when none).  Owned by t. */
const char *netns_errmsg(const struct netns_topo *t);

const char *netns_run_id(const struct netns_topo *t);

/*
 * Description.  These calls only record; they check what they can on their
 * own (name syntax, address syntax and range, interface name length) and
 * refuse with DD_EINVAL and a message.  Checks that need the whole picture
 * (unknown hosts, duplicates) happen in netns_validate().  All strings are
 * copied.  Before build only.
 */

/* A host: one namespace. */
int netns_host_add(struct netns_topo *t, const char *name);

/* IPv4 and IPv6 forwarding on (router hosts). */
int netns_host_forward(struct netns_topo *t, const char *host, bool on);

/* The host's resolv.conf / hosts file, exactly as given.  Processes started
 * with netns_spawn() (and by `ip netns exec`) see it at /etc/resolv.conf and
 * /etc/hosts. */
int netns_host_resolv_conf(struct netns_topo *t, const char *host, const char *text);
int netns_host_hosts(struct netns_topo *t, const char *host, const char *text);

/* Redirect every UDP and TCP packet to port 53 that leaves the host to
 * target ("198.18.0.53:5300", "[fd00::53]:53"); one IPv4 and one IPv6
 * target per host at most.  Done with an nftables nat table inside the
 * host's namespace only.  Do not intercept on the host that runs the
 * target itself: its own upstream queries would loop back to it. */
int netns_host_intercept_dns(struct netns_topo *t, const char *host, const char *target);

/* A veth pair between two hosts.  ifname_a is the interface in host_a,
 * ifname_b the one in host_b; NULL names an end after the other host. */
int netns_link_add(struct netns_topo *t, const char *host_a, const char *ifname_a,
    const char *host_b, const char *ifname_b);

/* A shared segment (LAN): a bridge in a namespace of its own, named like a
 * host.  Host and segment names share one name space. */
int netns_segment_add(struct netns_topo *t, const char *name);

/* Plug host into segment with a veth; ifname NULL means the segment's
 * name. */
int netns_segment_attach(struct netns_topo *t, const char *segment,
    const char *host, const char *ifname);

/* An address with prefix on one of the host's interfaces ("lo" included):
 * "198.18.1.2/24", "fd00:1::2/64".  No prefix means /32 or /128.  IPv6
 * addresses are added without duplicate address detection, so they are
 * usable at once. */
int netns_addr_add(struct netns_topo *t, const char *host, const char *ifname,
    const char *addr);

/* A static route in host: dst is "default", "default6" or a prefix; via is a
 * gateway address (or NULL when dev is given: an on-link route); dev NULL
 * lets the kernel pick the interface.  "default" takes its family from
 * via. */
int netns_route_add(struct netns_topo *t, const char *host, const char *dst,
    const char *via, const char *dev);

/* Whole-picture checks: every link and address names a known host and
 * interface, no name, interface or address is used twice, route families
 * agree.  Creates nothing, needs no privilege.  0 or DD_EINVAL with a
 * message naming the host or link. */
int netns_validate(struct netns_topo *t);

/* Load a description written in the small text format of doc/netns.md
 * (one "host", "link", "segment", "attach", "addr", "route", "forward",
 * "resolv", "hosts" or "intercept" statement per line).  fname is only used
 * in messages ("topo.txt:3: unknown host 'x'"). */
int netns_topo_parse(struct netns_topo *t, const char *text, const char *fname);

/*
 * Building and tearing down
 */

/* 0 when the process has CAP_NET_ADMIN and CAP_SYS_ADMIN; otherwise
 * DD_EPERM and a message in err saying what is missing. */
int netns_check_privilege(struct dd_err *err);

/* Validate, check privilege, create everything.  On any failure everything
 * created so far is torn down again, and the error is returned with a
 * message.  A topology is built at most once. */
int netns_build(struct netns_topo *t);

/* Undo everything the build and netns_spawn() did: stop processes
 * (SIGTERM, then SIGKILL after the grace time; children are reaped, so wait
 * for a process yourself first if you want its status), remove files,
 * namespaces with their links and bridges, mounts, and the run directory.
 * Idempotent, and async-signal-safe (it only makes system calls over memory
 * prepared beforehand), so a signal handler may call it.  Returns 0, or the
 * first error met while carrying on with the rest.
 *
 * Sockets and pcap handles the caller still holds inside a host keep that
 * namespace (and its links) alive in the kernel until they are closed; they
 * are never visible from the caller's namespace. */
int netns_teardown(struct netns_topo *t);

/* Install SIGINT and SIGTERM handlers that tear down every topology passed
 * here (up to 16 at once), then let the signal take its default course.
 * A topology is forgotten again by netns_topo_free().  For programs without
 * their own signal handling; an event loop may instead call netns_teardown()
 * itself. */
int netns_catch_signals(struct netns_topo *t);

/* Remove everything left by runs under root (NULL: /run/dnsdrill) whose
 * owner process is dead; live runs are left alone.  *removed (may be NULL)
 * gets the number of runs cleaned.  Errors on one run do not stop the
 * others; err (may be NULL) gets the first message. */
int netns_cleanup(const char *root, int *removed, struct dd_err *err);

/*
 * Rootless (doc/rootless.md).  netns_rootless_enter() moves this process
 * into new user, mount, network and PID namespaces: the caller's uid and
 * gid are mapped to 0 inside (setgroups denied), mounts are made private,
 * a tmpfs is mounted on /run (so /run/netns, /run/dnsdrill and the per-host
 * files, /run/etc-netns, are ours; /run/user is bound back from the
 * machine) and /proc is mounted for the new PID namespace.  It forks: the
 * child, PID 1 of the new namespace, returns 0 and carries on as root of
 * its namespaces; the parent never returns: it passes on SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT sent to it alone and exits with the child's status.
 * When the child ends, the kernel kills whatever is left in its PID
 * namespace, and the namespaces go with their last process: nothing of the
 * run outlives it on the machine.  Call it while single-threaded, before
 * anything is built.  DD_EPERM with a one-line message (the cause and the
 * fix, from netns_userns_explain()) when user namespaces are unavailable;
 * DD_EIO when a later step fails.  Nothing needs undoing after a failure:
 * the parent's namespaces die with it.
 */
int netns_rootless_enter(struct dd_err *err);

/* True in a process that netns_rootless_enter() returned 0 to. */
bool netns_rootless(void);

/* What the machine says about user namespaces, read for the message (-1:
 * not there / unreadable). */
struct netns_userns_sysctls {
	long max_user_namespaces;        /* user.max_user_namespaces */
	long unprivileged_userns_clone;  /* kernel.unprivileged_userns_clone (Debian) */
	long apparmor_restrict;          /* kernel.apparmor_restrict_unprivileged_userns (Ubuntu) */
};
void netns_userns_sysctls_read(struct netns_userns_sysctls *s);

/* One line naming why unshare(CLONE_NEWUSER) failed with errno err_no
 * given the sysctls, and the fix (the setting, or running as root).  Pure:
 * reads nothing. */
void netns_userns_explain(int err_no, const struct netns_userns_sysctls *s,
    char *buf, size_t len);

/* Testing hook: called before each journaled step of the build with a
 * running step number (1, 2, ...) and a description ("netns dd-x-client").
 * A non-zero return fails the build there (DD_EIO, "injected failure").
 * NULL removes the hook. */
typedef int (*netns_step_hook)(void *arg, int step, const char *what);
void netns_set_step_hook(struct netns_topo *t, netns_step_hook fn, void *arg);

/*
 * Using a built topology
 */

/* "dd-RUNID-NAME" for a host or segment, or NULL when unknown.  Owned by t. */
const char *netns_nsname(const struct netns_topo *t, const char *host);

/* An fd of the host's namespace (for setns), owned by t; -1 when unknown or
 * not built. */
int netns_host_fd(const struct netns_topo *t, const char *host);

struct netns_spawn_opts {
	const char *const *argv;  /* required; argv[0] searched in PATH if it has no '/' */
	const char *const *envp;  /* NULL: the caller's environment */
	const char *cwd;          /* NULL: the caller's working directory */
	const char *stdout_path;  /* NULL: /dev/null; created or truncated, 0644;
	                           * a symbolic link there is refused */
	const char *stderr_path;  /* NULL: /dev/null; may equal stdout_path */
	/* A descriptor above 2 (a pipe's writing end, say) instead of the
	 * path: the child's stdout or stderr is a duplicate of it; the caller
	 * keeps its own and closes it.  0 (or below 3): use the path. */
	int stdout_fd;
	int stderr_fd;
	/* Run as another user: when set_ids, the child (inside the host, after
	 * the mounts and stdio, before exec) calls setgroups(ngroups, groups),
	 * setgid(gid), setuid(uid), in that order; a failure fails the spawn.
	 * The caller looks the user up (no NSS in the forked child). */
	bool set_ids;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
};

/* Run a program inside host: in the host's network namespace, in a mount
 * namespace of its own where /tmp and /run are the host's private ones (see
 * keep above), /etc/resolv.conf and /etc/hosts are the host's
 * files (when given) and /sys shows the host's interfaces, in a new process
 * group, stdin from /dev/null.  *pid is the caller's child: signal it and
 * wait for it as usual.  Fails (with a message) when the program cannot be
 * executed.  Recorded in the journal; teardown stops it and anything else
 * still running in the run's namespaces. */
int netns_spawn(struct netns_topo *t, const char *host,
    const struct netns_spawn_opts *o, pid_t *pid);

/*
 * Every host has a private /tmp and /run (a 64 MiB tmpfs each, shared by
 * the host's processes, discarded at teardown).  netns_keep(t, dir): a
 * folder of the machine under /tmp or /run (the run's output, the
 * scenario's folder) that every process spawned from now on still sees
 * at its path; a folder elsewhere is visible anyway.  Resolved with
 * realpath() now.  0, or DD_EINVAL (missing, more than NETNS_KEEP_MAX)
 * with netns_errmsg().
 */
#define NETNS_KEEP_MAX 16
int netns_keep(struct netns_topo *t, const char *dir);

/* Where host's private /tmp is on this machine (a tmpfs in the run's
 * directory: a socket a process binds under /tmp is reached there), or
 * NULL when the host is unknown or not built. */
const char *netns_host_tmp(const struct netns_topo *t, const char *host);

/* Move the calling thread into host's namespace until netns_leave().  A
 * socket or pcap handle opened in between stays in the host for good.
 * Tokens do not nest across threads; leave on the thread that entered. */
struct netns_token {
	int saved_fd;  /* the thread's previous namespace; -1 when unused */
};
int netns_enter(struct netns_topo *t, const char *host, struct netns_token *tok);
/* Return to the saved namespace and close the token.  Idempotent. */
int netns_leave(struct netns_token *tok);

/* socket(2) inside host: enter, socket, leave.  Returns the fd or a negative
 * code. */
int netns_socket(struct netns_topo *t, const char *host, int domain, int type,
    int protocol);

#endif
