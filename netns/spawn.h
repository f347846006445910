/*
 * spawn.h -- running a program inside a built host, private to netns/
 * (netns_spawn() in use.c finds the host and calls this).
 */
#ifndef DD_NETNS_SPAWN_H
#define DD_NETNS_SPAWN_H

#include <sys/types.h>

struct dd_err;
struct nn_host;
struct nn_jr;
struct netns_spawn_opts;

/* Fork, join h, exec o->argv; journal the child (NN_JR_PROC) at once.
 * keep: NULL-terminated canonical folders under /tmp or /run the child
 * still sees (netns_keep), or NULL.  *pid is the caller's child.
 * Messages in e name h and the program. */
int nn_spawn(struct nn_jr *j, const struct nn_host *h,
    const struct netns_spawn_opts *o, const char *const *keep, pid_t *pid,
    struct dd_err *e);

#endif
