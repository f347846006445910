/*
 * fallback.c -- see fallback.h.  Pure: the decision and the fixed lists,
 * no I/O, so a test can walk every lookup outcome through it.
 */
#include "sut/fallback.h"

#include <arpa/inet.h>
#include <string.h>

int
fb_add(struct fallback *fb, int region, const char *addr)
{
	struct fb_target *t;
	struct dd_sockaddr sa;

	if (region < 0 || region > 1)
		return -1;
	t = &fb->t[region];
	memset(&sa, 0, sizeof(sa));
	/* an address alone: a port or a name is not what the option takes */
	if (inet_pton(AF_INET, addr, &sa.u.sin.sin_addr) == 1) {
		sa.u.sin.sin_family = AF_INET;
		sa.len = sizeof(sa.u.sin);
	} else if (inet_pton(AF_INET6, addr, &sa.u.sin6.sin6_addr) == 1) {
		sa.u.sin6.sin6_family = AF_INET6;
		sa.len = sizeof(sa.u.sin6);
	} else {
		return -1;
	}
	if (t->naddrs >= FB_MAX_ADDRS)
		return -1;
	t->addrs[t->naddrs++] = sa;
	return 0;
}

void
fb_set_port(struct fallback *fb, uint16_t port)
{
	for (int r = 0; r < 2; r++)
		for (size_t i = 0; i < fb->t[r].naddrs; i++) {
			struct dd_sockaddr *a = &fb->t[r].addrs[i];
			if (a->u.sa.sa_family == AF_INET)
				a->u.sin.sin_port = htons(port);
			else
				a->u.sin6.sin6_port = htons(port);
		}
}

enum fb_choice
fb_decide(const struct fallback *fb, int region, enum resolve_status status,
    size_t naddrs)
{
	if (status == RES_OK && naddrs > 0)
		return FB_DNS;
	if (region < 0 || region > 1 || fb->t[region].naddrs == 0)
		return FB_FAIL;
	return FB_FIXED;
}

void
fb_result(const struct fallback *fb, int region, struct resolve_result *out)
{
	const struct fb_target *t = &fb->t[region];

	memset(out, 0, sizeof(*out));
	out->status = RES_OK;
	out->naddrs = t->naddrs;
	memcpy(out->addrs, t->addrs, t->naddrs * sizeof(t->addrs[0]));
}
