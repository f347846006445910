/*
 * build.c -- the top layer: building a described topology out of the
 * layers below (ns.c namespaces, nl.c links and addresses, nft.c
 * interception, the journal), and tearing it down again.
 *
 * Order of the build: run directory and journal; every namespace (with lo,
 * sysctls and a netlink socket set up from inside); per-host files; each
 * host's private /tmp and /run (tmpfs in the run directory); links
 * and bridges; addresses; routes; interception.  Each object is journaled
 * just before it is made (nn_jr_step), and any failure tears down
 * everything.  Nothing below calls back up here.
 */
#include "lib/err.h"
#include "netns/journal.h"
#include "netns/netns.h"
#include "netns/nft.h"
#include "netns/nl.h"
#include "netns/ns.h"
#include "netns/topo.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int
netns_check_privilege(struct dd_err *err)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	bool net, sys;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		dd_err_set(err, "cannot read this process's capabilities: %s", strerror(errno));
		return DD_EPERM;
	}
	net = data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
	sys = data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
	if (net && sys)
		return 0;
	dd_err_set(err, "building test networks needs root, or the capabilities "
	    "CAP_NET_ADMIN and CAP_SYS_ADMIN (missing: %s%s%s); run as root, "
	    "e.g. with sudo", net ? "" : "CAP_NET_ADMIN", !net && !sys ? ", " : "",
	    sys ? "" : "CAP_SYS_ADMIN");
	return DD_EPERM;
}

/* mkdir, journaled first when the directory is not there yet. */
static int
make_dir(struct netns_topo *t, const char *path, mode_t mode)
{
	struct stat st;
	int rc;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if ((rc = nn_jr_step(&t->jr, NN_JR_DIR, path, &t->err)) < 0)
		return rc;
	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		rc = -errno;
		dd_err_set(&t->err, "%s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

static int
make_file(struct netns_topo *t, const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd, rc;

	if ((rc = nn_jr_step(&t->jr, NN_JR_FILE, path, &t->err)) < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		rc = -errno;
		dd_err_set(&t->err, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

static int
host_files(struct netns_topo *t)
{
	char dir[NN_PATH_MAX], path[NN_PATH_MAX + 16];
	bool any = false;
	size_t i;
	int rc;

	for (i = 0; i < t->nhosts; i++)
		any |= t->hosts[i].resolv != NULL || t->hosts[i].hosts != NULL;
	if (!any)
		return 0;
	if ((rc = make_dir(t, t->etc, 0755)) < 0)
		return rc;
	for (i = 0; i < t->nhosts; i++) {
		struct nn_host *h = &t->hosts[i];
		if (h->resolv == NULL && h->hosts == NULL)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", t->etc, h->nsname);
		/* another run may rmdir an empty /etc/netns in between */
		for (int tries = 0; (rc = make_dir(t, dir, 0755)) == -ENOENT && tries < 5; tries++)
			make_dir(t, t->etc, 0755);
		if (rc < 0)
			return rc;
		snprintf(h->etc_dir, sizeof(h->etc_dir), "%s", dir);
		if (h->resolv != NULL) {
			snprintf(path, sizeof(path), "%s/resolv.conf", dir);
			if ((rc = make_file(t, path, h->resolv)) < 0)
				return rc;
		}
		if (h->hosts != NULL) {
			snprintf(path, sizeof(path), "%s/hosts", dir);
			if ((rc = make_file(t, path, h->hosts)) < 0)
				return rc;
		}
	}
	return 0;
}

/* mount a size-limited tmpfs on path, journaled first (undo unmounts it,
 * discarding what the host's processes left there). */
static int
make_tmpfs(struct netns_topo *t, const char *path, const char *opts)
{
	int rc;

	if ((rc = nn_jr_step(&t->jr, NN_JR_MOUNT, path, &t->err)) < 0)
		return rc;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		rc = -errno;
		dd_err_set(&t->err, "mounting a tmpfs on %s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

/*
 * Every host's private /tmp and /run: a tmpfs each, mounted in the run's
 * directory (ROOT/RUNID/tmp-HOST, run-HOST) where the harness can reach
 * them too; spawn.c mounts them over /tmp and /run for every process of
 * the host, so the host's processes share them and nothing they write
 * there reaches the machine.
 */
static int
host_private(struct netns_topo *t)
{
	static const struct { const char *what, *opts; } fs[2] = {
		{ "tmp", "size=" NN_PRIVATE_SIZE ",mode=1777" },
		{ "run", "size=" NN_PRIVATE_SIZE ",mode=0755" },
	};
	int rc;

	for (size_t i = 0; i < t->nhosts; i++) {
		struct nn_host *h = &t->hosts[i];
		if (h->segment)
			continue;
		for (int k = 0; k < 2; k++) {
			char *dst = k == 0 ? h->priv_tmp : h->priv_run;
			if ((size_t)snprintf(dst, NN_PATH_MAX, "%s/%s-%s", t->jr.dir, fs[k].what,
			    h->name) >= NN_PATH_MAX) {
				dst[0] = '\0';
				dd_err_set(&t->err, "host '%s': private /%s: path too long", h->name,
				    fs[k].what);
				return DD_EINVAL;
			}
			if ((rc = make_dir(t, dst, 0755)) < 0 ||
			    (rc = make_tmpfs(t, dst, fs[k].opts)) < 0) {
				dst[0] = '\0';
				return rc;
			}
		}
	}
	return 0;
}

static void
rename_run(struct netns_topo *t, const char *id)
{
	snprintf(t->run_id, sizeof(t->run_id), "%s", id);
	for (size_t i = 0; i < t->nhosts; i++)
		snprintf(t->hosts[i].nsname, sizeof(t->hosts[i].nsname), "dd-%s-%s",
		    t->run_id, t->hosts[i].name);
}

static int
open_journal(struct netns_topo *t)
{
	int rc, tries = 0;

	while ((rc = nn_jr_open(&t->jr, t->root, t->run_id, &t->err)) == -EEXIST &&
	    !t->run_id_given && ++tries < 8) {
		/* a random id already taken: draw another */
		char id[NETNS_RUNID_MAX + 1];
		nn_random_run_id(id, sizeof(id));
		rename_run(t, id);
	}
	return rc;
}

/* Inside a fresh namespace: its netlink socket, and lo up. */
static int
inside_host(void *arg, struct nn_host *h, struct dd_err *e)
{
	int rc;

	if ((rc = nn_nl_open(h, e)) < 0 || (rc = nn_nl_lo_up(h, e)) < 0)
		return rc;
	return 0;
}

static int
build_steps(struct netns_topo *t, int orig)
{
	size_t i;
	int rc;

	if ((rc = make_dir(t, NN_NETNS_DIR, 0755)) < 0)
		return rc;
	for (i = 0; i < t->nhosts; i++)
		if ((rc = nn_ns_create(&t->jr, &t->hosts[i], orig, inside_host, NULL,
		    &t->err)) < 0)
			return rc;
	if ((rc = host_files(t)) < 0 || (rc = host_private(t)) < 0)
		return rc;
	for (i = 0; i < t->nhosts; i++) {
		struct nn_host *h = &t->hosts[i];
		if (h->segment) {
			h->next_ifindex = NN_IFINDEX_BASE;
			if ((rc = nn_nl_bridge(&t->jr, h, &t->err)) < 0)
				return rc;
		}
	}
	for (i = 0; i < t->nlinks; i++) {
		struct nn_link *l = &t->links[i];
		if ((rc = nn_nl_veth(&t->jr, l, &t->hosts[l->ha], &t->hosts[l->hb],
		    &t->err)) < 0)
			return rc;
	}
	for (i = 0; i < t->naddrs; i++) {
		const struct nn_addr *a = &t->addrs[i];
		if ((rc = nn_nl_addr(&t->hosts[a->h], a, nn_ifindex_of(t, a->h, a->ifname),
		    &t->err)) < 0)
			return rc;
	}
	for (i = 0; i < t->nroutes; i++) {
		const struct nn_route *r = &t->routes[i];
		int ix = r->dev[0] ? nn_ifindex_of(t, r->h, r->dev) : 0;
		if ((rc = nn_nl_route(&t->hosts[r->h], r, ix, &t->err)) < 0)
			return rc;
	}
	for (i = 0; i < t->nhosts; i++)
		if (t->hosts[i].nicpt > 0 && (rc = nn_nft_apply(&t->jr, &t->hosts[i], &t->err)) < 0)
			return rc;
	return 0;
}

int
netns_build(struct netns_topo *t)
{
	int rc, orig = -1;
	size_t i;

	if (t == NULL)
		return DD_EINVAL;
	if (t->built) {
		dd_err_set(&t->err, "topology %s was already built", t->run_id);
		return DD_EINVAL;
	}
	if ((rc = netns_validate(t)) < 0 || (rc = netns_check_privilege(&t->err)) < 0)
		return rc;
	t->built = true;
	if ((rc = open_journal(t)) < 0)
		goto fail;
	if ((orig = nn_ns_open_self()) < 0) {
		rc = orig;
		dd_err_set(&t->err, "cannot open this thread's namespace: %s", dd_strerror(rc));
		goto fail;
	}
	rc = build_steps(t, orig);
fail:
	for (i = 0; i < t->nhosts; i++)
		nn_nl_close(&t->hosts[i]);
	if (orig >= 0)
		close(orig);
	if (rc < 0)
		netns_teardown(t);
	return rc;
}

/*
 * Teardown and signals
 */

int
netns_teardown(struct netns_topo *t)
{
	int rc;

	if (t == NULL || !t->built || t->torn_down)
		return 0;
	/* a signal meanwhile waits for the replay (journal.c) */
	rc = nn_jr_undo(&t->jr);
	for (size_t i = 0; i < t->nhosts; i++) {
		if (t->hosts[i].fd >= 0)
			close(t->hosts[i].fd);
		t->hosts[i].fd = -1;
	}
	t->torn_down = true;
	return rc;
}

int
netns_catch_signals(struct netns_topo *t)
{
	int rc;

	if (t == NULL)
		return DD_EINVAL;
	/* the handler replays the journal: that is all of a teardown a dying
	 * process needs */
	if ((rc = nn_jr_catch_signals(&t->jr)) == DD_ENOSPACE)
		dd_err_set(&t->err, "more than 16 topologies with signal handlers");
	return rc;
}
