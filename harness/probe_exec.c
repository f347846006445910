/*
 * probe_exec.c -- the exec probe kind, and the one place that waits for
 * its children.
 *
 * An attempt spawns argv (inside the probe's host when there is one) in a
 * process group of its own, stdin/stdout/stderr on /dev/null, and watches
 * the child's pidfd; the exit status decides.  A child still running when
 * its attempt ends (deadline, prober_stop) is SIGKILLed with its group and
 * handed to the reaper list, whose pidfds stay on the loop until the child
 * is reaped; prober_free() reaps what is left (SIGKILL is prompt).  Every
 * waitpid() of the prober is in this file, always by pid.
 */
#include "harness/probe_kind.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "netns/netns.h"

extern char **environ;

/* A killed child waiting to be reaped; env->reaper heads the list. */
struct probe_reaper {
	struct probe_env *env;
	struct probe_reaper *next;
	pid_t pid;
	int pidfd;
};

struct exec_attempt {
	struct probe_attempt a;       /* first: the attempt layer's view */
	pid_t pid;                    /* the child, 0 when none (any more) */
};

static struct exec_attempt *
exec_att(struct probe_attempt *a)
{
	return (struct exec_attempt *)a;
}

/* ------------------------------------------------------------------ */
/* spec */

static int
exec_prepare(struct probe *pr, struct dd_err *err)
{
	const struct probe_spec *s = &pr->spec;

	if (s->argv == NULL || s->argv[0] == NULL || s->argv[0][0] == '\0') {
		dd_err_set(err, "probe '%s': exec probe needs argv", s->name);
		return DD_EINVAL;
	}
	if (s->expect_exit < 0 || s->expect_exit > 255) {
		dd_err_set(err, "probe '%s': expect_exit %d out of range", s->name,
		    s->expect_exit);
		return DD_EINVAL;
	}
	return 0;
}

static void
exec_release(struct probe *pr)
{
	(void)pr;   /* nothing derived */
}

/* ------------------------------------------------------------------ */
/* the reaper */

static void
reaper_cb(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct probe_reaper *rp = arg, **pp;

	if (waitpid(rp->pid, NULL, WNOHANG) == 0)
		return;
	(void)ev_io_del(loop, fd);
	close(fd);
	for (pp = &rp->env->reaper; *pp != NULL; pp = &(*pp)->next)
		if (*pp == rp) {
			*pp = rp->next;
			break;
		}
	free(rp);
}

/* Kill ea's child and its group; reap it later from the loop (or now,
 * when the loop cannot watch its pidfd). */
static void
exec_stop(struct probe_attempt *a)
{
	struct exec_attempt *ea = exec_att(a);
	struct probe_env *env = a->pr->env;
	struct probe_reaper *rp;

	if (ea->pid <= 0)
		return;
	(void)kill(-ea->pid, SIGKILL);
	(void)kill(ea->pid, SIGKILL);
	if (a->fd >= 0)
		(void)ev_io_del(env->loop, a->fd);
	rp = calloc(1, sizeof(*rp));
	if (rp == NULL || a->fd < 0 ||
	    ev_io_add(env->loop, a->fd, EV_READ, reaper_cb, rp) < 0) {
		/* no way to wait asynchronously: SIGKILL is prompt */
		free(rp);
		(void)waitpid(ea->pid, NULL, 0);
		if (a->fd >= 0)
			close(a->fd);
	} else {
		rp->env = env;
		rp->pid = ea->pid;
		rp->pidfd = a->fd;
		rp->next = env->reaper;
		env->reaper = rp;
	}
	a->fd = -1;
	ea->pid = 0;
}

static void
exec_env_fini(struct probe_env *env)
{
	struct probe_reaper *rp;

	/* children were SIGKILLed; waiting for them is brief */
	while ((rp = env->reaper) != NULL) {
		env->reaper = rp->next;
		(void)ev_io_del(env->loop, rp->pidfd);
		close(rp->pidfd);
		(void)waitpid(rp->pid, NULL, 0);
		free(rp);
	}
}

/* ------------------------------------------------------------------ */
/* attempts */

/* The child's pidfd is readable: it has ended. */
static void
exec_io(struct probe_attempt *a, unsigned events)
{
	struct exec_attempt *ea = exec_att(a);
	int st;
	pid_t w = waitpid(ea->pid, &st, WNOHANG);

	if (w == 0)
		return;
	if (w < 0) {
		int e = errno;
		if (e == EINTR)
			return;
		ea->pid = 0;     /* gone or reaped by someone else */
		probe_attempt_done(a, false, "exit status lost (%s)", strerror(e));
		return;
	}
	ea->pid = 0;
	if (WIFEXITED(st))
		probe_attempt_done(a, WEXITSTATUS(st) == a->pr->spec.expect_exit,
		    "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		probe_attempt_done(a, false, "signal %d", WTERMSIG(st));
	else
		probe_attempt_done(a, false, "wait status %#x", (unsigned)st);
}

static int
spawn_local(const struct probe_spec *s, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	r = posix_spawnp(pid, s->argv[0], &fa, &at,
	    (char *const *)(uintptr_t)s->argv,
	    s->envp ? (char *const *)(uintptr_t)s->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r == 0 ? 0 : -r;
}

static void
exec_start(struct probe_attempt *a)
{
	struct exec_attempt *ea = exec_att(a);
	const struct probe *pr = a->pr;
	struct probe_env *env = pr->env;
	pid_t pid = 0;
	int r, pfd;

	if (env->topo != NULL && pr->spec.host != NULL) {
		struct netns_spawn_opts o = { .argv = pr->spec.argv, .envp = pr->spec.envp };
		r = netns_spawn(env->topo, pr->spec.host, &o, &pid);
		if (r < 0) {
			probe_attempt_done(a, false, "spawn: %s", netns_errmsg(env->topo));
			return;
		}
	} else if ((r = spawn_local(&pr->spec, &pid)) < 0) {
		probe_attempt_done(a, false, "spawn %s: %s", pr->spec.argv[0], strerror(-r));
		return;
	}
	ea->pid = pid;
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		/* exec_stop kills and reaps it */
		probe_attempt_done(a, false, "pidfd_open: %s", strerror(errno));
		return;
	}
	if (probe_attempt_watch(a, pfd, EV_READ, exec_io) < 0) {
		a->fd = pfd;   /* so exec_stop hands it on with the child */
		probe_attempt_done(a, false, "event loop: cannot watch child");
	}
}

const struct probe_ops probe_exec_ops = {
	.name = "exec",
	.attempt_size = sizeof(struct exec_attempt),
	.timeout_note = " (killed)",
	.prepare = exec_prepare,
	.release = exec_release,
	.start = exec_start,
	.stop = exec_stop,
	.env_fini = exec_env_fini,
};
