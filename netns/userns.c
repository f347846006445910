/*
 * userns.c -- rootless runs: entering user, mount, network and PID
 * namespaces of our own (netns_rootless_enter), and saying in one line why
 * that is impossible when the machine forbids it (netns_userns_explain).
 *
 * Why a PID namespace as well: without it, a run's daemons (faultd, a
 * resolver) outlive a dnsdrill killed with SIGKILL, holding the otherwise
 * unreachable namespaces alive.  As PID 1 of its own namespace, dnsdrill
 * takes them all with it when it ends, whatever ends it.  The price: a new
 * /proc (teardown finds a run's processes there by the PIDs it knows) and
 * a parent outside that passes signals on, since PID 1 only receives the
 * signals it has a handler for (or blocks: the runner's signalfd).
 *
 * Why /run/etc-netns rather than an overlay on /etc: writing /etc needs an
 * overlay mount, which a user namespace allows only on newer kernels
 * (5.11) and not on every /etc; our own /run needs a tmpfs only, which
 * every kernel with user namespaces allows.  The files are bound into each
 * process's view of /etc by netns/spawn.c either way.
 */
#include "netns/netns.h"
#include "netns/topo.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool rootless;

bool
netns_rootless(void)
{
	return rootless;
}

static long
read_long(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

void
netns_userns_sysctls_read(struct netns_userns_sysctls *s)
{
	s->max_user_namespaces = read_long("/proc/sys/user/max_user_namespaces");
	s->unprivileged_userns_clone = read_long("/proc/sys/kernel/unprivileged_userns_clone");
	s->apparmor_restrict = read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
}

#define UNAVAILABLE "user namespaces are unavailable for a rootless run: "
#define OR_ROOT "or run dnsdrill as root"

void
netns_userns_explain(int err_no, const struct netns_userns_sysctls *s, char *buf,
    size_t len)
{
	if (err_no == ENOSPC || (s->max_user_namespaces == 0 && err_no != EINVAL)) {
		if (s->max_user_namespaces > 0)
			snprintf(buf, len, UNAVAILABLE "the limit user.max_user_namespaces "
			    "(%ld) is reached; raise it with `sysctl -w "
			    "user.max_user_namespaces=15000`, " OR_ROOT,
			    s->max_user_namespaces);
		else
			snprintf(buf, len, UNAVAILABLE "user.max_user_namespaces is 0; set it "
			    "with `sysctl -w user.max_user_namespaces=15000`, " OR_ROOT);
	} else if (err_no == EPERM && s->unprivileged_userns_clone == 0) {
		snprintf(buf, len, UNAVAILABLE "kernel.unprivileged_userns_clone is 0; set "
		    "it with `sysctl -w kernel.unprivileged_userns_clone=1`, " OR_ROOT);
	} else if ((err_no == EPERM || err_no == EACCES) && s->apparmor_restrict == 1) {
		snprintf(buf, len, UNAVAILABLE "AppArmor restricts them "
		    "(kernel.apparmor_restrict_unprivileged_userns is 1); set `sysctl -w "
		    "kernel.apparmor_restrict_unprivileged_userns=0` or give dnsdrill an "
		    "AppArmor profile with `userns,`, " OR_ROOT);
	} else if (err_no == EPERM) {
		snprintf(buf, len, UNAVAILABLE "unshare(CLONE_NEWUSER) is not permitted, "
		    "most likely by a seccomp profile (a container runtime's default "
		    "forbids it: run the container with one that allows unshare, e.g. "
		    "`--security-opt seccomp=unconfined`) or in a chroot; " OR_ROOT);
	} else if (err_no == EINVAL) {
		snprintf(buf, len, UNAVAILABLE "this kernel has none (CONFIG_USER_NS is "
		    "off); " OR_ROOT);
	} else if (err_no == EUSERS) {
		snprintf(buf, len, UNAVAILABLE "nested 32 deep already (the kernel's "
		    "limit); " OR_ROOT);
	} else {
		snprintf(buf, len, UNAVAILABLE "unshare(CLONE_NEWUSER): %s; " OR_ROOT,
		    strerror(err_no));
	}
}

static int
write_file(const char *path, const char *text)
{
	size_t n = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;

	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n) {
		e = errno;
		close(fd);
		return -e;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* Map the caller's ids to 0 inside (uid_map and gid_map of one line each;
 * setgroups must be denied before an unprivileged gid_map). */
static int
map_ids(uid_t uid, gid_t gid, struct dd_err *err)
{
	char line[64];
	int rc;

	if ((rc = write_file("/proc/self/setgroups", "deny")) < 0 && rc != -ENOENT)
		goto fail_sg;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
	if ((rc = write_file("/proc/self/uid_map", line)) < 0) {
		struct netns_userns_sysctls s;
		char why[512];
		netns_userns_sysctls_read(&s);
		netns_userns_explain(-rc, &s, why, sizeof(why));
		dd_err_set(err, "%s (writing /proc/self/uid_map: %s)", why, strerror(-rc));
		return DD_EPERM;
	}
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
	if ((rc = write_file("/proc/self/gid_map", line)) < 0) {
		dd_err_set(err, "rootless: writing /proc/self/gid_map: %s", strerror(-rc));
		return DD_EPERM;
	}
	return 0;
fail_sg:
	dd_err_set(err, "rootless: writing /proc/self/setgroups: %s", strerror(-rc));
	return DD_EPERM;
}

/* Our own /run (a tmpfs), with the machine's /run/user bound back so a
 * user's runtime folder (and an --out there) stays where it is. */
static int
own_run(struct dd_err *err)
{
	int user = open("/run/user", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char src[64];
	int rc = 0;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		dd_err_set(err, "rootless: making mounts private: %s", strerror(errno));
		rc = DD_EIO;
	} else if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		dd_err_set(err, "rootless: mounting a tmpfs on /run: %s", strerror(errno));
		rc = DD_EIO;
	} else if (user >= 0) {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", user);
		if (mkdir("/run/user", 0755) < 0 ||
		    mount(src, "/run/user", NULL, MS_BIND | MS_REC, NULL) < 0) {
			dd_err_set(err, "rootless: keeping /run/user: %s", strerror(errno));
			rc = DD_EIO;
		}
	}
	if (user >= 0)
		close(user);
	return rc;
}

static volatile pid_t worker;

/* Parent: pass on a signal sent to us alone; one from the terminal (or
 * to our process group) reached the worker too. */
static void
forward(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (worker > 0 && si != NULL && si->si_code != SI_KERNEL)
		kill(worker, sig);
}

/* Worker, PID 1 of its namespace: the default action of these signals is
 * dropped for PID 1, so give them the default's effect until the runner
 * takes them over. */
static void
die(int sig)
{
	_exit(128 + sig);
}

static void
__attribute__((noreturn))
wait_worker(pid_t pid)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	int status;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	worker = pid;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(3);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* the same death, so a shell sees what the worker saw */
	signal(WTERMSIG(status), SIG_DFL);
	raise(WTERMSIG(status));
	_exit(128 + WTERMSIG(status));
}

int
netns_rootless_enter(struct dd_err *err)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t pid;
	int rc;

	if (rootless)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) < 0) {
		struct netns_userns_sysctls s;
		int e = errno;
		netns_userns_sysctls_read(&s);
		netns_userns_explain(e, &s, err->msg, sizeof(err->msg));
		return DD_EPERM;
	}
	if ((rc = map_ids(uid, gid, err)) < 0 || (rc = own_run(err)) < 0)
		return rc;
	if (unshare(CLONE_NEWPID) < 0) {
		dd_err_set(err, "rootless: a PID namespace: %s", strerror(errno));
		return DD_EIO;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		dd_err_set(err, "rootless: fork: %s", strerror(errno));
		return DD_EIO;
	}
	if (pid > 0)
		wait_worker(pid);
	/* the worker: PID 1 here; it dies with the parent (whose PID it
	 * cannot see: getppid() is 0 in here) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, die);
	signal(SIGTERM, die);
	signal(SIGHUP, die);
	signal(SIGQUIT, die);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		dd_err_set(err, "rootless: mounting /proc for the run's PID namespace: %s "
		    "(a container that masks parts of /proc forbids it); run dnsdrill as "
		    "root", strerror(errno));
		return DD_EIO;
	}
	nn_etc_default_rootless();
	rootless = true;
	return 0;
}
