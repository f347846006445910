/*
 * spawn.c -- running a program inside a host (the host record is found by
 * netns_spawn() in use.c).
 *
 * The child joins the host's network namespace, then gets a mount namespace
 * of its own (slave of ours, so later mounts still reach it) in which the
 * host's private /tmp and /run (tmpfs mounts that build.c made in the run
 * directory, one pair per host, so every process of a host shares them)
 * are bind-mounted over /tmp and /run, the topology's `keep` folders that
 * lived there bound back into place, the host's /etc/netns files
 * bind-mounted over /etc/resolv.conf and /etc/hosts and /sys remounted to
 * show the host's interfaces -- what `ip netns exec` does, plus privacy.
 * The mount namespace is per process; what is per host is the tmpfs pair
 * behind it.  It leads a new process group so teardown can stop
 * whatever it forks.
 *
 * Until it has joined the host the child is a process in the caller's
 * namespace that nothing else would clean up, so PR_SET_PDEATHSIG covers
 * that window only: once inside, the namespace scan of teardown and cleanup
 * finds it even if we die before journaling it.
 *
 * When asked, the child drops root last, after the mounts and stdio and
 * before exec: supplementary groups, then the group, then the user (each
 * later step needs the privilege the earlier ones use).
 *
 * Failures in the child before exec come back over a close-on-exec pipe, so
 * the caller gets "cannot run 'x': No such file or directory" and not a pid
 * that exits 127.
 */
#include "netns/spawn.h"

#include "lib/err.h"
#include "netns/journal.h"
#include "netns/netns.h"
#include "netns/topo.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum stage {
	ST_SETNS = 1, ST_MOUNTNS, ST_PRIVATE, ST_KEEP, ST_RESOLV, ST_HOSTS, ST_STDIO, ST_CWD,
	ST_IDS, ST_EXEC,
};

static const char *const stage_names[] = {
	[ST_SETNS] = "joining the host's namespace",
	[ST_MOUNTNS] = "making a mount namespace",
	[ST_PRIVATE] = "mounting the host's private /tmp and /run for",
	[ST_KEEP] = "keeping a folder under /tmp or /run visible for",
	[ST_RESOLV] = "bind-mounting /etc/resolv.conf",
	[ST_HOSTS] = "bind-mounting /etc/hosts",
	[ST_STDIO] = "redirecting stdio",
	[ST_CWD] = "changing directory",
	[ST_IDS] = "dropping privileges for",
	[ST_EXEC] = "executing",
};

struct report {
	int stage;
	int err;
};

static void
__attribute__((noreturn))
child_fail(int fd, int stage)
{
	struct report r = { stage, errno };

	if (write(fd, &r, sizeof(r)) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

/* Is path (absolute, canonical) /tmp or /run, or below them? */
static bool
under_private(const char *path)
{
	static const char *const dirs[] = { "/tmp", "/run" };

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/* mkdir -p path (0755; in the child, inside the fresh tmpfs). */
static int
mkdir_p(const char *path)
{
	char buf[NN_PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (c == '\0')
				return 0;
		}
	}
}

/* A bind-mount target that is a symbolic link into the private /run
 * (/etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf): make the
 * file it names there, so the mount has something to cover. */
static void
touch_target(const char *path)
{
	char t[NN_PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode) || stat(path, &st) == 0)
		return;
	n = readlink(path, t, sizeof(t) - 1);
	if (n <= 0 || t[0] != '/')
		return;
	t[n] = '\0';
	char *slash = strrchr(t, '/');
	if (slash != NULL && slash != t) {
		*slash = '\0';
		mkdir_p(t);
		*slash = '/';
	}
	if ((fd = open(t, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
}

/* The host's private /tmp and /run over ours; then kp folders that
 * were under them bound back at their paths (held open before, since the
 * paths vanish under the new mounts). */
static void
private_dirs(const struct nn_host *h, const char *const *kp, int rep)
{
	int keep[NETNS_KEEP_MAX];
	size_t nkeep = 0;
	char fdpath[64];

	if (h->priv_tmp[0] == '\0' || h->priv_run[0] == '\0')
		return;
	for (size_t i = 0; kp != NULL && kp[i] != NULL && nkeep < NETNS_KEEP_MAX;
	    i++) {
		if (!under_private(kp[i]))
			continue;
		if ((keep[nkeep] = open(kp[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			child_fail(rep, ST_KEEP);
		nkeep++;
	}
	/* /tmp first: its source lies under /run */
	if (mount(h->priv_tmp, "/tmp", NULL, MS_BIND, NULL) < 0 ||
	    mount(h->priv_run, "/run", NULL, MS_BIND, NULL) < 0)
		child_fail(rep, ST_PRIVATE);
	nkeep = 0;
	for (size_t i = 0; kp != NULL && kp[i] != NULL && nkeep < NETNS_KEEP_MAX;
	    i++) {
		if (!under_private(kp[i]))
			continue;
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", keep[nkeep]);
		if (mkdir_p(kp[i]) < 0 ||
		    mount(fdpath, kp[i], NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail(rep, ST_KEEP);
		close(keep[nkeep++]);
	}
}

static void
__attribute__((noreturn))
child(const struct nn_host *h, const struct netns_spawn_opts *o, const char *const *kp,
    pid_t parent,
    int fds[3], int rep)
{
	char path[NN_PATH_MAX + 32];
	char *const *argv, *const *envp;
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	if (setns(h->fd, CLONE_NEWNET) < 0)
		child_fail(rep, ST_SETNS);
	prctl(PR_SET_PDEATHSIG, 0);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		child_fail(rep, ST_MOUNTNS);
	/* the host's files are held open first: their folder may lie under
	 * /run (rootless: /run/etc-netns), which private_dirs covers */
	int rfd = -1, hfd = -1;
	if (h->resolv != NULL) {
		snprintf(path, sizeof(path), "%s/resolv.conf", h->etc_dir);
		if ((rfd = open(path, O_PATH | O_CLOEXEC)) < 0)
			child_fail(rep, ST_RESOLV);
	}
	if (h->hosts != NULL) {
		snprintf(path, sizeof(path), "%s/hosts", h->etc_dir);
		if ((hfd = open(path, O_PATH | O_CLOEXEC)) < 0)
			child_fail(rep, ST_HOSTS);
	}
	private_dirs(h, kp, rep);
	if (rfd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", rfd);
		touch_target("/etc/resolv.conf");
		if (mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
			child_fail(rep, ST_RESOLV);
		close(rfd);
	}
	if (hfd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", hfd);
		touch_target("/etc/hosts");
		if (mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
			child_fail(rep, ST_HOSTS);
		close(hfd);
	}
	/* best effort, as in iproute2: a /sys of the host's interfaces */
	if (umount2("/sys", MNT_DETACH) == 0)
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
		child_fail(rep, ST_STDIO);
	if (o->cwd != NULL && chdir(o->cwd) < 0)
		child_fail(rep, ST_CWD);
	if (o->set_ids && (setgroups(o->ngroups, o->groups) < 0 || setgid(o->gid) < 0 ||
	    setuid(o->uid) < 0))
		child_fail(rep, ST_IDS);
	/* execvpe takes non-const arrays it promises not to change */
	memcpy(&argv, &o->argv, sizeof(argv));
	if (o->envp != NULL)
		memcpy(&envp, &o->envp, sizeof(envp));
	else
		envp = environ;
	execvpe(argv[0], argv, envp);
	child_fail(rep, ST_EXEC);
}

static int
open_out(const char *path, struct dd_err *e)
{
	int fd = open(path ? path : "/dev/null",
	    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		int rc = -errno;
		dd_err_set(e, "%s: %s", path, strerror(errno));
		return rc;
	}
	return fd;
}

/* A close-on-exec duplicate of the caller's fd (the child dup2s it onto
 * 1 or 2, which clears the flag there). */
static int
dup_out(int fd, struct dd_err *e)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (d < 0) {
		int rc = -errno;
		dd_err_set(e, "output descriptor %d: %s", fd, strerror(errno));
		return rc;
	}
	return d;
}

int
nn_spawn(struct nn_jr *j, const struct nn_host *h, const struct netns_spawn_opts *o,
    const char *const *kp, pid_t *pidp, struct dd_err *e)
{
	const char *host = h->name;
	int fds[3] = { -1, -1, -1 }, rep[2] = { -1, -1 }, rc = 0, status;
	struct report r;
	sigset_t all, old;
	ssize_t n;
	pid_t pid, self;

	if ((fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (fds[1] = o->stdout_fd > 2 ? dup_out(o->stdout_fd, e) :
	    open_out(o->stdout_path, e)) < 0) {
		rc = fds[0] < 0 ? -errno : fds[1];
		goto out;
	}
	if (o->stderr_fd > 2)
		fds[2] = dup_out(o->stderr_fd, e);
	else if (o->stderr_path != NULL && o->stdout_path != NULL &&
	    strcmp(o->stderr_path, o->stdout_path) == 0)
		fds[2] = fcntl(fds[1], F_DUPFD_CLOEXEC, 3);
	else
		fds[2] = open_out(o->stderr_path, e);
	if (fds[2] < 0) {
		rc = fds[2];
		goto out;
	}
	if (pipe2(rep, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	/* no handler of ours may run in the child before it resets them */
	self = getpid();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		child(h, o, kp, self, fds, rep[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		rc = -errno;
		dd_err_set(e, "run in '%s': fork: %s", host, strerror(errno));
		goto out;
	}
	/* journal at once: the start time identifies the process for good */
	rc = nn_jr_add(j, NN_JR_PROC, h->nsname, pid, nn_jr_proc_start(pid));
	close(rep[1]);
	rep[1] = -1;
	while ((n = read(rep[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(r)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		dd_err_set(e, "run in '%s': %s '%s': %s", host,
		    r.stage > 0 && r.stage <= ST_EXEC ? stage_names[r.stage] : "starting",
		    r.stage == ST_CWD ? o->cwd : o->argv[0], strerror(r.err));
		rc = r.err == ENOENT ? DD_ENOTFOUND : -r.err;
		goto out;
	}
	if (rc < 0) {
		/* could not journal it: do not leave it running unrecorded */
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		dd_err_set(e, "run in '%s': journal: %s", host, dd_strerror(rc));
		goto out;
	}
	*pidp = pid;
out:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < 2; i++)
		if (rep[i] >= 0)
			close(rep[i]);
	return rc;
}
