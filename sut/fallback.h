/*
 * fallback.h -- the regional client's hard-coded IP fallback, free of
 * sockets and clocks.
 *
 * With --fallback-addr NAME=ADDR a target (the primary or the secondary)
 * has fixed addresses the client connects to when resolving its name
 * fails: a lookup that ends in an error (NXDOMAIN, SERVFAIL, timeout, ...)
 * or in NOERROR without an address.  A lookup that gives addresses is
 * always used as it is: the fixed addresses are a last resort, never a
 * preference, and are never checked against what DNS says (that is the
 * stale-fallback risk: a fixed address that no longer serves, or serves
 * something else, is used all the same).
 *
 * Everything here is a plain value the caller owns; nothing to free.
 */
#ifndef DD_SUT_FALLBACK_H
#define DD_SUT_FALLBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "sut/resolve_types.h"

#define FB_MAX_ADDRS 4

struct fb_target {
	size_t naddrs;
	struct dd_sockaddr addrs[FB_MAX_ADDRS];   /* port 0 until fb_set_port */
};

struct fallback {
	struct fb_target t[2];                    /* primary, secondary */
};

enum fb_choice {
	FB_DNS,      /* use the lookup's addresses */
	FB_FIXED,    /* the lookup failed: use the target's fixed addresses */
	FB_FAIL,     /* the lookup failed and there is nothing to fall back to */
};

/* Adds ADDR (an IPv4 or IPv6 address, no port) to region's fixed list.
 * Returns 0, or -1 when ADDR is not an address or the list is full. */
int fb_add(struct fallback *fb, int region, const char *addr);
/* Puts `port` into every fixed address. */
void fb_set_port(struct fallback *fb, uint16_t port);
/* What a lookup for `region` that ended with `status` and `naddrs`
 * addresses leads to. */
enum fb_choice fb_decide(const struct fallback *fb, int region,
    enum resolve_status status, size_t naddrs);
/* The target's fixed addresses as a resolve result (status RES_OK). */
void fb_result(const struct fallback *fb, int region, struct resolve_result *out);

#endif
