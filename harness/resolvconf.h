/*
 * resolvconf.h -- a test host's resolv.conf, both ways: written from the
 * nameservers and options a scenario states (and nothing else), and read
 * the way glibc's stub reads it, for how long a lookup may wait.
 *
 * Pure: text in, text or numbers out.  Used by the scenario bindings
 * (lua_decl.c, host { resolv = ... }) and by `dnsdrill check`'s probe
 * timeout warning (run_check.c).
 */
#ifndef DD_HARNESS_RESOLVCONF_H
#define DD_HARNESS_RESOLVCONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* glibc's own values when resolv.conf does not set them (resolv.conf(5)). */
#define RESOLVCONF_DEFAULT_TIMEOUT  5
#define RESOLVCONF_DEFAULT_ATTEMPTS 2

/* The options line; RESOLVCONF_UNSET and false leave an option out. */
#define RESOLVCONF_UNSET INT_MIN
struct resolvconf_opts {
	int timeout;         /* seconds, 1..30 */
	int attempts;        /* 1..5 */
	int ndots;           /* 0..15 */
	bool rotate, edns0, single_request, single_request_reopen, use_vc, trust_ad;
};
#define RESOLVCONF_OPTS_INIT { .timeout = RESOLVCONF_UNSET, \
	.attempts = RESOLVCONF_UNSET, .ndots = RESOLVCONF_UNSET }

/* The option names resolvconf_format() knows, NULL-terminated (for
 * messages listing them). */
extern const char *const resolvconf_option_names[];

/*
 * resolv.conf text: one "nameserver ADDR" line per server, in order, then
 * one "options ..." line when o sets anything (o may be NULL).  Each server
 * must be an IPv4 or IPv6 address; option values out of glibc's range are
 * refused rather than silently capped.  Returns 0 and *out (the caller
 * frees it), DD_EINVAL with err naming the bad server or option, or
 * DD_ENOMEM.
 */
int resolvconf_format(const char *const *servers, size_t n,
    const struct resolvconf_opts *o, char **out, struct dd_err *err);

/*
 * What glibc's stub does with text (NULL: an empty file): the per-try
 * timeout and the number of attempts, from the "options" lines (a later
 * one wins, glibc's caps applied), else glibc's defaults 5 and 2.
 * RES_OPTIONS in a process's environment is not seen here.
 */
void resolvconf_stub_wait(const char *text, int *timeout_s, int *attempts);

/*
 * The longest one lookup can wait on resolvers that never answer, by the
 * stub that reads text (NULL: an empty file), for one query (getaddrinfo's
 * A and AAAA go side by side):
 * - glibc: `attempts` rounds over the servers (at most 3 are used); the
 *   first server waits `timeout`, server k > 0 (timeout << k) / servers
 *   seconds, at least 1;
 * - c-ares (1.18, as the demo client's c-ares mode): attempts x servers
 *   tries, the timeout doubled each round, timeout << (try / servers); its
 *   defaults without options are 5 s and 4 tries (glibc's: 5 and 2).
 *   1.18 reads retrans: (ms) and retry:, later versions timeout: and
 *   attempts: too; dnsdrill writes both forms with the same values, and
 *   either counts here.
 */
struct resolvconf_wait {
	int servers;               /* nameserver lines (at least 1 counted) */
	int timeout_s, attempts;   /* glibc's reading */
	int glibc_s;               /* glibc's longest wait */
	int cares_timeout_s, cares_tries;
	long cares_s;              /* c-ares's longest wait */
};
void resolvconf_stub_worst(const char *text, struct resolvconf_wait *w);

#endif
