/*
 * probe_internal.h -- what probe.c (specs, attempts, HTTP, TCP, exec and the
 * schedule) and probe_dns.c (the DNS probe) share.  Private to those files.
 *
 * A prober owns its probes; a probe owns at most one running attempt
 * (pr->running); an attempt owns its fd, timers and receive buffer, which
 * attempt_done() releases.
 */
#ifndef DD_HARNESS_PROBE_INTERNAL_H
#define DD_HARNESS_PROBE_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/addr.h"
#include "lib/dnswire.h"
#include "harness/probe.h"

struct ev_loop;
struct ev_timer;

/* A probe: a validated, owned copy of its spec plus schedule state. */
struct probe {
	struct prober *owner;
	struct probe *next;
	struct probe_spec spec;       /* strings and arrays owned */

	/* derived at validation */
	uint8_t qwire[DNS_MAX_NAME];  /* lower-cased */
	size_t qwire_len;
	int ea_family;                /* expect_answer as an address, or 0 */
	uint8_t ea_addr[16];
	struct dd_sockaddr target;    /* DNS server, HTTP or TCP address */
	char *http_req;               /* the whole GET request */
	regex_t re;
	bool have_re;

	/* schedule */
	bool scheduled;
	uint64_t grid_start, k;
	struct ev_timer *tick;
	struct attempt *running;
	struct probe_stats stats;

	/* prober_once() */
	bool once;
	probe_cb once_cb;
	void *once_arg;
};

enum att_state { AS_CONNECTING, AS_SENDING, AS_READING, AS_WAITING };

struct attempt {
	struct probe *pr;
	uint64_t start_us, deadline_us;
	struct ev_timer *deadline;
	struct ev_timer *deliver;     /* set when done during start */
	bool starting, finished, timed_out;
	bool ok;
	uint64_t end_us;
	char detail[PROBE_DETAIL_MAX];

	int fd;                       /* socket or pidfd, -1 */
	enum att_state st;
	bool tcp;                     /* DNS over TCP (also after TC=1) */
	bool retried_tcp;
	uint16_t id;
	uint8_t q[2 + 512];
	size_t qlen, woff;
	const uint8_t *wbuf;          /* what is being sent */
	size_t wlen;
	uint8_t *rx;
	size_t rxlen, rxcap;

	pid_t pid;                    /* exec child, 0 when none */
};

struct reaper;

struct prober {
	struct ev_loop *loop;
	struct netns_topo *topo;
	probe_cb cb;
	void *cb_arg;
	probe_sched_hook hook;
	void *hook_arg;
	struct probe *probes;         /* scheduled ones, in add order */
	struct probe *onces;
	struct reaper *reapers;
	bool started;
};

/* attempt plumbing, in probe.c */

/* Ends the attempt (once): records ok and the detail, stops watching its fd
 * and deadline.  The caller's event path then reports it. */
void attempt_done(struct attempt *a, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* attempt_done() with "WHAT refused" or "WHAT: strerror(e)". */
void fail_errno(struct attempt *a, const char *what, int e);
void close_fd(struct attempt *a);
/* A non-blocking socket inside pr's host (or here); fd or -errno. */
int open_socket(struct probe *pr, int family, int type);
/* Connects a->fd to the target; AS_SENDING once connected.  Always 0:
 * failures end the attempt. */
int tcp_connect(struct attempt *a);
/* The fd callback of every attempt. */
void io_cb(struct ev_loop *loop, int fd, unsigned events, void *arg);

/* the DNS probe, in probe_dns.c */

/* Writes the query for a->id into a->q (TCP-framed when a->tcp) and makes
 * it what tcp_write() sends. */
void dns_build_query(struct attempt *a);
/* Sends the query over UDP and waits for the reply.  Always 0. */
int dns_udp_start(struct attempt *a);
void dns_udp_read(struct attempt *a);
void dns_tcp_read(struct attempt *a);

#endif /* DD_HARNESS_PROBE_INTERNAL_H */
