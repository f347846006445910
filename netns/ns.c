/*
 * ns.c -- network namespaces the iproute2 way, and moving threads in and
 * out of them (netns_leave() is here; finding a host to enter is use.c's).
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
 * that must happen there (sysctls here; the netlink socket and lo through
 * the caller's inside function), so each host costs a single round of
 * unshare and setns.
 */
#include "netns/ns.h"

#include "lib/err.h"
#include "netns/journal.h"
#include "netns/netns.h"
#include "netns/topo.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int
nn_ns_open_self(void)
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
inside(struct nn_host *h, nn_ns_inside_fn fn, void *arg, struct dd_err *e)
{
	int rc;

	if ((h->fd = nn_ns_open_self()) < 0) {
		rc = h->fd;
		h->fd = -1;
		dd_err_set(e, "namespace %s: %s", h->nsname, dd_strerror(rc));
		return rc;
	}
	if (fn != NULL && (rc = fn(arg, h, e)) < 0)
		return rc;
	if (h->forward) {
		if ((rc = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1")) < 0) {
			dd_err_set(e, "host '%s': cannot enable IPv4 forwarding: %s",
			    h->name, dd_strerror(rc));
			return rc;
		}
		/* a kernel without IPv6 has no such file: nothing to forward */
		rc = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1");
		if (rc < 0 && rc != -ENOENT) {
			dd_err_set(e, "host '%s': cannot enable IPv6 forwarding: %s",
			    h->name, dd_strerror(rc));
			return rc;
		}
	}
	return 0;
}

int
nn_ns_create(struct nn_jr *j, struct nn_host *h, int orig_fd,
    nn_ns_inside_fn fn, void *arg, struct dd_err *e)
{
	char path[NN_PATH_MAX];
	int fd, rc, rc2;

	snprintf(path, sizeof(path), NN_NETNS_DIR "/%s", h->nsname);
	if ((rc = nn_jr_step(j, NN_JR_NETNS, path, e)) < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			dd_err_set(e, "namespace %s already exists", h->nsname);
		else
			dd_err_set(e, "%s: %s", path, strerror(errno));
		/* not ours: make sure undo leaves it alone */
		if (rc == -EEXIST)
			nn_jr_disown_last(j);
		return rc;
	}
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		rc = -errno;
		dd_err_set(e, "namespace %s: unshare: %s", h->nsname, strerror(errno));
		return rc;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		rc = -errno;
		dd_err_set(e, "namespace %s: bind mount on %s: %s", h->nsname, path,
		    strerror(errno));
	} else {
		rc = inside(h, fn, arg, e);
	}
	if (setns(orig_fd, CLONE_NEWNET) < 0) {
		/* we cannot get home: every later step would act in the
		 * wrong namespace */
		rc2 = -errno;
		dd_err_set(e, "namespace %s: cannot return to the original "
		    "namespace: %s", h->nsname, strerror(errno));
		return rc2;
	}
	return rc;
}

int
nn_ns_enter(int fd, struct netns_token *tok)
{
	int saved, rc;

	tok->saved_fd = -1;
	if ((saved = nn_ns_open_self()) < 0)
		return saved;
	if (setns(fd, CLONE_NEWNET) < 0) {
		rc = -errno;
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
