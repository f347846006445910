/*
 * use.c -- using a built topology: find a host by name and hand its record
 * to the layer that acts on it (ns.c to enter it, spawn.c to run a program
 * there).  The checks that need the whole topology (is it built, not yet
 * torn down, is the name a host) are made here, once, so the layers below
 * never see struct netns_topo.
 */
#include "lib/err.h"
#include "netns/netns.h"
#include "netns/ns.h"
#include "netns/spawn.h"
#include "netns/topo.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A host of a built, standing topology, or NULL with a message. */
static struct nn_host *
built_host(struct netns_topo *t, const char *host, bool need_host, const char *what)
{
	struct nn_host *h = nn_host_find(t, host);

	if (h == NULL || (need_host && h->segment) || h->fd < 0 || t->torn_down) {
		dd_err_set(&t->err, "%s '%s': no such host in a built topology", what,
		    host ? host : "(null)");
		return NULL;
	}
	return h;
}

int
netns_enter(struct netns_topo *t, const char *host, struct netns_token *tok)
{
	struct nn_host *h;
	int rc;

	if (tok == NULL)
		return DD_EINVAL;
	tok->saved_fd = -1;
	if (t == NULL)
		return DD_EINVAL;
	if ((h = built_host(t, host, false, "enter")) == NULL)
		return DD_ENOTFOUND;
	if ((rc = nn_ns_enter(h->fd, tok)) < 0)
		dd_err_set(&t->err, "enter '%s': setns: %s", host, dd_strerror(rc));
	return rc;
}

int
netns_socket(struct netns_topo *t, const char *host, int domain, int type, int protocol)
{
	struct netns_token tok;
	int fd, rc;

	if ((rc = netns_enter(t, host, &tok)) < 0)
		return rc;
	fd = socket(domain, type, protocol);
	rc = fd < 0 ? -errno : fd;
	if (netns_leave(&tok) < 0) {
		/* the thread is stranded in the host: say so loudly */
		if (fd >= 0)
			close(fd);
		dd_err_set(&t->err, "leave '%s': cannot return to the original namespace",
		    host);
		return DD_EIO;
	}
	return rc;
}

const char *
netns_host_tmp(const struct netns_topo *t, const char *host)
{
	const struct nn_host *h = t ? nn_host_find(t, host) : NULL;

	return h != NULL && h->priv_tmp[0] != '\0' ? h->priv_tmp : NULL;
}

int
netns_spawn(struct netns_topo *t, const char *host, const struct netns_spawn_opts *o,
    pid_t *pid)
{
	const struct nn_host *h;

	if (t == NULL || o == NULL || o->argv == NULL || o->argv[0] == NULL || pid == NULL)
		return DD_EINVAL;
	if ((h = built_host(t, host, true, "run in")) == NULL)
		return DD_ENOTFOUND;
	return nn_spawn(&t->jr, h, o, (const char *const *)t->keep, pid, &t->err);
}
