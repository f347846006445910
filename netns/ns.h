/*
 * ns.h -- network namespaces the iproute2 way, private to netns/: making a
 * host's namespace (journaled first) and moving the calling thread in and
 * out of one.
 */
#ifndef DD_NETNS_NS_H
#define DD_NETNS_NS_H

struct dd_err;
struct nn_host;
struct nn_jr;
struct netns_token;

/* An fd for the calling thread's network namespace, or -errno. */
int nn_ns_open_self(void);

/* Work done inside a fresh namespace, before the thread returns. */
typedef int (*nn_ns_inside_fn)(void *arg, struct nn_host *h, struct dd_err *e);

/* Create h's namespace as NN_NETNS_DIR/h->nsname and bind-mount it; while
 * inside, set h->fd, turn on forwarding when h->forward, and call inside
 * (may be NULL); then return to orig_fd. */
int nn_ns_create(struct nn_jr *j, struct nn_host *h, int orig_fd,
    nn_ns_inside_fn inside, void *arg, struct dd_err *e);

/* Move the calling thread into the namespace fd, saving the old one in
 * tok (see netns_leave()).  0 or -errno. */
int nn_ns_enter(int fd, struct netns_token *tok);

#endif
