/*
 * accept.h -- a listening socket on the event loop that survives running
 * out of file descriptors.
 *
 * A level-triggered listener whose accept() fails with EMFILE (or ENFILE,
 * ENOBUFS, ENOMEM) stays readable: the pending connection is still queued,
 * so the loop would call it again at once and spin.  acc_accept() instead
 * pauses the listener (takes it off the loop) and re-arms it with a loop
 * timer after pause_us, or at once when the owner frees a descriptor and
 * calls acc_resume().  Nothing here sleeps.
 *
 * Ownership: the loop and the listening fd stay the caller's; acc_fini()
 * takes the fd off the loop and cancels the timer, the caller then closes
 * the fd.  The struct is the caller's (embed it) and must not move while
 * initialised (the loop holds a pointer to it).
 */
#ifndef DD_ACCEPT_H
#define DD_ACCEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/evloop.h"

/* How long a listener rests after the fd limit stopped an accept. */
#define ACC_PAUSE_US 100000u

struct acc_listener {
	struct ev_loop *loop;      /* borrowed */
	int fd;                    /* borrowed */
	ev_io_cb cb;               /* called when a connection may be waiting */
	void *arg;
	uint64_t pause_us;
	struct ev_timer *retry;    /* armed while paused */
	bool watching;             /* on the loop (not paused) */
	uint64_t pauses;           /* times the fd limit paused it */
	uint64_t last_log_us;      /* rate limit for the "paused" message */
	char name[80];             /* for log lines: "tcp 127.0.0.1:53" */
};

/*
 * Watch the listening socket fd (non-blocking) on loop: cb(loop, fd,
 * events, arg) runs when a connection may be waiting, and should call
 * acc_accept() until it returns a negative code other than a transient
 * one (see there).  pause_us 0 means ACC_PAUSE_US; name is copied (for
 * log lines).  Returns 0 or a negative errno from the loop.
 */
int acc_init(struct acc_listener *a, struct ev_loop *loop, int fd,
    const char *name, uint64_t pause_us, ev_io_cb cb, void *arg);

/*
 * Accept one connection (non-blocking, close-on-exec); its address goes
 * to peer (may be NULL).  Returns the new fd, or:
 *   -EAGAIN   nothing waiting, or the listener is paused: stop for now;
 *   -EMFILE, -ENFILE, -ENOBUFS, -ENOMEM   out of descriptors or memory:
 *             the listener is now paused (acc_paused()); stop for now;
 *   another negative errno   that one connection failed (ECONNABORTED...):
 *             the next may work.
 */
int acc_accept(struct acc_listener *a, struct dd_sockaddr *peer);

/* A descriptor was freed: if paused, watch the listener again now.
 * Cheap no-op otherwise. */
void acc_resume(struct acc_listener *a);

bool acc_paused(const struct acc_listener *a);

/* Take the listener off the loop and cancel its timer (the fd stays open).
 * Safe on a zeroed struct and twice. */
void acc_fini(struct acc_listener *a);

/*
 * How many connections to allow: want, lowered so that connections plus
 * reserve descriptors (listeners, control socket, upstream sockets, stdio)
 * stay under fd_limit (RLIMIT_NOFILE's soft limit; UINT64_MAX for none).
 * Never below 1.
 */
unsigned acc_conn_cap(unsigned want, uint64_t fd_limit, unsigned reserve);

#endif
