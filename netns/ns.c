/*
 * ns.c -- network namespaces the iproute2 way, and moving threads in and
 * out of them.
 *
 * A namespace is made by unshare(CLONE_NEWNET) on the calling thread and
 * kept alive by bind-mounting /proc/thread-self/ns/net onto an empty file
 * /run/netns/NAME, exactly what `ip netns add` does, so `ip netns exec` and
 * `ip -n` work on it.  Unlike iproute2 we do not turn /run/netns into a
 * shared mount point: that would leave a mount behind on the host, and our
 * own processes are stopped before their namespaces are unmounted, so
 * nothing depends on the propagation.
 *
 * While the thread is still inside the new namespace we do all the work
 * that must happen there (netlink socket, lo up, sysctls), so each host
 * costs a single round of unshare and setns.
 */
#include "netns/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int
nn_open_self_ns(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		char path[64];
		/* kernels before 3.17 have no thread-self */
		snprintf(path, sizeof(path), "/proc/self/task/%ld/ns/net", (long)gettid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

static int
write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, value, strlen(value));
	close(fd);
	return w < 0 ? -errno : 0;
}

/* Everything done from inside the new namespace. */
static int
inside(struct netns_topo *t, struct nn_host *h)
{
	int rc;

	if ((h->fd = nn_open_self_ns()) < 0) {
		rc = h->fd;
		h->fd = -1;
		dd_err_set(&t->err, "namespace %s: %s", h->nsname, dd_strerror(rc));
		return rc;
	}
	if ((rc = nn_nl_open(t, h)) < 0 || (rc = nn_nl_lo_up(t, h)) < 0)
		return rc;
	if (h->forward) {
		if ((rc = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1")) < 0) {
			dd_err_set(&t->err, "host '%s': cannot enable IPv4 forwarding: %s",
			    h->name, dd_strerror(rc));
			return rc;
		}
		/* a kernel without IPv6 has no such file: nothing to forward */
		rc = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1");
		if (rc < 0 && rc != -ENOENT) {
			dd_err_set(&t->err, "host '%s': cannot enable IPv6 forwarding: %s",
			    h->name, dd_strerror(rc));
			return rc;
		}
	}
	return 0;
}

int
nn_ns_create(struct netns_topo *t, struct nn_host *h, int orig_fd)
{
	char path[NN_PATH_MAX];
	int fd, rc, rc2;

	snprintf(path, sizeof(path), NN_NETNS_DIR "/%s", h->nsname);
	if ((rc = nn_step(t, NN_JR_NETNS, path)) < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			dd_err_set(&t->err, "namespace %s already exists", h->nsname);
		else
			dd_err_set(&t->err, "%s: %s", path, strerror(errno));
		/* not ours: make sure undo leaves it alone */
		if (rc == -EEXIST)
			t->jr.ent[t->jr.n - 1].done = 1;
		return rc;
	}
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		rc = -errno;
		dd_err_set(&t->err, "namespace %s: unshare: %s", h->nsname, strerror(errno));
		return rc;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		rc = -errno;
		dd_err_set(&t->err, "namespace %s: bind mount on %s: %s", h->nsname, path,
		    strerror(errno));
	} else {
		rc = inside(t, h);
	}
	if (setns(orig_fd, CLONE_NEWNET) < 0) {
		/* we cannot get home: every later step would act in the
		 * wrong namespace */
		rc2 = -errno;
		dd_err_set(&t->err, "namespace %s: cannot return to the original "
		    "namespace: %s", h->nsname, strerror(errno));
		return rc2;
	}
	return rc;
}

int
netns_enter(struct netns_topo *t, const char *host, struct netns_token *tok)
{
	struct nn_host *h;
	int saved;

	if (tok == NULL)
		return DD_EINVAL;
	tok->saved_fd = -1;
	if (t == NULL)
		return DD_EINVAL;
	if ((h = nn_host_find(t, host)) == NULL || h->fd < 0 || t->torn_down) {
		dd_err_set(&t->err, "enter '%s': no such host in a built topology",
		    host ? host : "(null)");
		return DD_ENOTFOUND;
	}
	if ((saved = nn_open_self_ns()) < 0)
		return saved;
	if (setns(h->fd, CLONE_NEWNET) < 0) {
		int rc = -errno;
		dd_err_set(&t->err, "enter '%s': setns: %s", host, strerror(errno));
		close(saved);
		return rc;
	}
	tok->saved_fd = saved;
	return 0;
}

int
netns_leave(struct netns_token *tok)
{
	int rc = 0;

	if (tok == NULL || tok->saved_fd < 0)
		return 0;
	if (setns(tok->saved_fd, CLONE_NEWNET) < 0)
		rc = -errno;
	close(tok->saved_fd);
	tok->saved_fd = -1;
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
