/*
 * resolve_types.h -- what a lookup ends with, shared by the resolver front
 * (resolve.c) and its c-ares back end (resolve_cares.c), so neither file
 * includes the other's header.  Types only.
 */
#ifndef DD_SUT_RESOLVE_TYPES_H
#define DD_SUT_RESOLVE_TYPES_H

#include <stddef.h>

#include "lib/addr.h"

#define RESOLVE_MAX_ADDRS 8

enum resolve_status {
	RES_OK,
	RES_NXDOMAIN,
	RES_NODATA,      /* NOERROR without an address */
	RES_SERVFAIL,    /* libc: EAI_AGAIN (SERVFAIL, REFUSED, or no server answered) */
	RES_REFUSED,
	RES_FORMERR,
	RES_OTHER_RCODE,
	RES_TRUNCATED,   /* builtin: TC set and no address in what came */
	RES_BUSY,        /* libc: too many lookups still running */
	RES_ERROR,       /* socket or system error */
	RES_TIMEDOUT,    /* cares: every try of every server went unanswered */
};

struct resolve_result {
	enum resolve_status status;
	size_t naddrs;
	struct dd_sockaddr addrs[RESOLVE_MAX_ADDRS];   /* port filled in */
};

/* Called once per lookup with its result (valid only during the call). */
typedef void (*resolve_cb)(void *arg, const struct resolve_result *res);

#endif
