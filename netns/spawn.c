/*
 * spawn.c -- running a program inside a host (the host record is found by
 * netns_spawn() in use.c).
 *
 * The child joins the host's network namespace, then gets a mount namespace
 * of its own (slave of ours, so later mounts still reach it) in which the
 * host's /etc/netns files are bind-mounted over /etc/resolv.conf and
 * /etc/hosts and /sys is remounted to show the host's interfaces -- what
 * `ip netns exec` does.  It leads a new process group so teardown can stop
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
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum stage {
	ST_SETNS = 1, ST_MOUNTNS, ST_RESOLV, ST_HOSTS, ST_STDIO, ST_CWD, ST_IDS, ST_EXEC,
};

static const char *const stage_names[] = {
	[ST_SETNS] = "joining the host's namespace",
	[ST_MOUNTNS] = "making a mount namespace",
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

static void
__attribute__((noreturn))
child(const struct nn_host *h, const struct netns_spawn_opts *o, pid_t parent,
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
	if (h->resolv != NULL) {
		snprintf(path, sizeof(path), NN_ETC_DIR "/%s/resolv.conf", h->nsname);
		if (mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
			child_fail(rep, ST_RESOLV);
	}
	if (h->hosts != NULL) {
		snprintf(path, sizeof(path), NN_ETC_DIR "/%s/hosts", h->nsname);
		if (mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
			child_fail(rep, ST_HOSTS);
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
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

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
    pid_t *pidp, struct dd_err *e)
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
		child(h, o, self, fds, rep[1]);
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
