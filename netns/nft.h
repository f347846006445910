/*
 * nft.h -- DNS interception with nftables, private to netns/.
 */
#ifndef DD_NETNS_NFT_H
#define DD_NETNS_NFT_H

#include <stddef.h>

struct dd_err;
struct nn_host;
struct nn_jr;

/* The ruleset for h's interception targets, into buf; its length, or
 * DD_EINVAL (no targets) or DD_ENOSPACE.  Pure; unit-tested. */
int nn_nft_ruleset(const struct nn_host *h, char *buf, size_t len);
/* Journal, then load the ruleset into h's namespace with `nft -f -`. */
int nn_nft_apply(struct nn_jr *j, struct nn_host *h, struct dd_err *e);

#endif
