/*
 * rootless.h -- dnsdrill as an unprivileged user (doc/rootless.md): which
 * mode this process runs in, and entering it.  The namespaces themselves
 * are netns_rootless_enter()'s (netns/netns.h); this is the command line's
 * side: --rootless / --no-rootless, the default (rootless when not root),
 * which commands enter, and what `cleanup` says.
 */
#ifndef DD_HARNESS_ROOTLESS_H
#define DD_HARNESS_ROOTLESS_H

#include <stdbool.h>

/* Remove --rootless and --no-rootless from argv[2..] (argv[1] is the
 * command; a "--" ends the search) and decide the mode: --rootless, or
 * --no-rootless, or rootless when geteuid() != 0.  For run and matrix
 * (not their --help) a rootless process enters its namespaces here:
 * from then on it is root inside them (netns_rootless_enter()).  check
 * and cleanup only note the mode (they build nothing).  Returns 0, or an
 * exit status after printing one line on stderr: 2 (both flags given),
 * 3 (user namespaces unavailable: the cause and the fix). */
int rootless_setup(int *argc, char **argv);

/* The mode rootless_setup() chose: a rootless run (or check). */
bool rootless_active(void);

/* Pure: the mode for the flags given and the effective uid.
 * want: 1 --rootless, 0 --no-rootless, -1 neither. */
bool rootless_choose(int want, unsigned euid);

/* `dnsdrill cleanup` in rootless mode: nothing of a rootless run outlives
 * it, so there is nothing to remove; says so (and what root's runs would
 * need) on stdout.  Returns 0. */
int rootless_cleanup(void);

#endif
