/*
 * proc_spawn.c -- starting a program for the runner: inside a host of the
 * topology through netns_spawn(), or, in a scenario without a topology
 * (scenario { topology = false }; host NULL), right here, in the network
 * and mount namespaces dnsdrill runs in.
 *
 * The local start keeps what a host's start promises the runner: a new
 * process group (stop and the signal guard kill the group), stdin from
 * /dev/null, stdout/stderr onto the given files or descriptors, the cwd,
 * the user to drop to, and a failed exec reported back as an error with
 * its stage (a pipe closed on exec).  What it does not do is what only a
 * host has: no private /tmp and /run (the machine's are used) and the
 * machine's own /etc/resolv.conf and /etc/hosts.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/proc.h"
#include "netns/netns.h"

extern char **environ;

/* What the child reports before exec fails: the stage and errno. */
struct spawn_report {
	int stage;   /* 1 stdio, 2 cwd, 3 ids, 4 exec */
	int err;
};

static void
__attribute__((noreturn))
report(int fd, int stage)
{
	struct spawn_report r = { stage, errno };

	if (write(fd, &r, sizeof(r)) < 0) {
		/* the parent sees the exit instead */
	}
	_exit(127);
}

static int
out_fd(int given, const char *path)
{
	if (given > 2)
		return dup(given);
	return open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
	    0644);
}

static int
spawn_local(const struct netns_spawn_opts *o, pid_t *pidp, struct dd_err *err)
{
	static const char *const stages[] = { "starting", "setting up stdio for",
		"changing to the folder of", "dropping privileges for", "executing" };
	struct spawn_report r;
	sigset_t all, old;
	int rep[2], status;
	ssize_t n;
	pid_t pid, parent;

	if (pipe2(rep, O_CLOEXEC) < 0) {
		dd_err_set(err, "pipe: %s", strerror(errno));
		return -errno;
	}
	parent = getpid();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		char *const *argv, *const *envp;
		sigset_t none;
		int in, fo, fe;

		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		in = open("/dev/null", O_RDONLY);
		fo = out_fd(o->stdout_fd, o->stdout_path);
		if (o->stderr_fd <= 2 && o->stderr_path && o->stdout_path &&
		    strcmp(o->stderr_path, o->stdout_path) == 0)
			fe = dup(fo);
		else
			fe = out_fd(o->stderr_fd, o->stderr_path);
		if (in < 0 || fo < 0 || fe < 0 || dup2(in, 0) < 0 || dup2(fo, 1) < 0 ||
		    dup2(fe, 2) < 0)
			report(rep[1], 1);
		if (o->cwd != NULL && chdir(o->cwd) < 0)
			report(rep[1], 2);
		if (o->set_ids && (setgroups(o->ngroups, o->groups) < 0 || setgid(o->gid) < 0 ||
		    setuid(o->uid) < 0))
			report(rep[1], 3);
		/* not journalled like a host's: if dnsdrill dies, so does it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		memcpy(&argv, &o->argv, sizeof(argv));
		if (o->envp != NULL)
			memcpy(&envp, &o->envp, sizeof(envp));
		else
			envp = environ;
		execvpe(argv[0], argv, envp);
		report(rep[1], 4);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(rep[1]);
	if (pid < 0) {
		close(rep[0]);
		dd_err_set(err, "fork: %s", strerror(errno));
		return -errno;
	}
	while ((n = read(rep[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(rep[0]);
	if (n == (ssize_t)sizeof(r)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		dd_err_set(err, "run here: %s '%s': %s",
		    r.stage > 0 && r.stage <= 4 ? stages[r.stage] : stages[0],
		    r.stage == 2 ? o->cwd : o->argv[0], strerror(r.err));
		return r.err == ENOENT ? DD_ENOTFOUND : -r.err;
	}
	*pidp = pid;
	return 0;
}

int
proc_spawn(struct netns_topo *topo, const char *host, const struct netns_spawn_opts *o,
    pid_t *pid, struct dd_err *err)
{
	int rc;

	if (host == NULL)
		return spawn_local(o, pid, err);
	if ((rc = netns_spawn(topo, host, o, pid)) < 0)
		dd_err_set(err, "%s", netns_errmsg(topo));
	return rc;
}
