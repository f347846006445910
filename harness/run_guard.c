/*
 * run_guard.c -- SIGINT, SIGTERM and SIGHUP when the timeline cannot hear
 * them.  The run reads signals from a signalfd on its event loop (run.c),
 * which only works while the loop turns; scenario code stuck inside one
 * call into Lua's C library (or blocked writing print() output to a pipe
 * nobody reads) never gives it back.
 *
 * So while the timeline runs, a thread watches the same signalfd without
 * reading it.  When a signal is pending it interrupts the scenario code
 * (Lua code stops at its next instruction hook and the run ends the
 * ordinary way: teardown, result.json with verdict error, exit 3).  When
 * the signal is still unread RUN_GUARD_GRACE_MS later and scenario code is
 * still running, the thread seizes the Lua state (the stuck thread will
 * never touch the run again) and does the minimum itself, using only
 * system calls over memory prepared before: the run's processes killed
 * (journal, namespaces, and every child's process group), the namespaces
 * removed (netns_teardown, async-signal-safe), a message on stderr, and
 * _exit(RUN_ENV).  No result files are written then (doc/dnsdrill.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/run_internal.h"
#include "lib/util.h"
#include "netns/netns.h"

#define RUN_GUARD_GRACE_MS 1000    /* a stuck timeline's time to answer */
#define RUN_GUARD_KILL_GRACE_MS 200 /* SIGTERM to SIGKILL when stuck */

struct run_guard {
	pthread_t th;
	int wake;                  /* eventfd: stop the thread */
	int sigfd;                 /* the run's, never read while the loop can */
	struct sc_lua *S;
	struct netns_topo *topo;
	char msg[600];             /* "dnsdrill: ... signal " (the number follows) */
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Write to stderr without ever blocking (it may be the full pipe the
 * stuck thread waits on): a pipe, FIFO or terminal is reopened
 * non-blocking; a file is written as it is. */
static void
say(const char *s)
{
	struct stat st;
	int fd = 2;

	if (fstat(2, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode) &&
	    (fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0)
		return;
	if (write(fd, s, strlen(s)) < 0) {
		/* nothing more to do about it */
	}
	if (fd != 2)
		close(fd);
}

/* SIGKILL the process group of every child of ours still there (the
 * processes the run started lead their own groups: netns_spawn, exec
 * probes run on the host itself).  /proc through getdents64 and read(2):
 * no malloc, no FILE. */
static void
kill_children(void)
{
	char buf[4096], path[64], stat_line[512];
	pid_t self = getpid();
	long nread;
	int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return;
	while ((nread = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < nread;) {
			struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
			off += d->d_reclen;
			if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
			    (size_t)snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name) >= sizeof(path))
				continue;
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, stat_line, sizeof(stat_line) - 1);
			close(fd);
			if (n <= 0)
				continue;
			stat_line[n] = '\0';
			/* "pid (comm) state ppid ...": comm may hold anything */
			const char *p = strrchr(stat_line, ')');
			long ppid = 0, pid = 0;
			if (p == NULL || p[1] != ' ' || p[2] == '\0' || p[3] != ' ')
				continue;
			for (p += 4; *p >= '0' && *p <= '9'; p++)
				ppid = ppid * 10 + (*p - '0');
			for (const char *q = d->d_name; *q >= '0' && *q <= '9'; q++)
				pid = pid * 10 + (*q - '0');
			if (ppid != (long)self)
				continue;
			if (getpgid((pid_t)pid) == (pid_t)pid)
				kill(-(pid_t)pid, SIGKILL);
			kill((pid_t)pid, SIGKILL);
		}
	}
	close(dfd);
}

/* The state is ours: tear down without the loop, then leave. */
static void
stuck(struct run_guard *g)
{
	struct signalfd_siginfo si;
	char num[16] = "?";

	if (read(g->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		snprintf(num, sizeof(num), "%u", si.ssi_signo);
	say(g->msg);
	say(num);
	say("; the scenario's code did not return for 1 s (stuck in a library call): "
	    "killing its processes and removing its network without it; no result "
	    "is written\n");
	netns_set_kill_grace(g->topo, RUN_GUARD_KILL_GRACE_MS);
	netns_teardown(g->topo);
	kill_children();
	_exit(RUN_ENV);
}

static void *
guard_main(void *arg)
{
	struct run_guard *g = arg;
	uint64_t since = 0;
	bool pending = false;

	for (;;) {
		struct pollfd p[2] = { { g->wake, POLLIN, 0 }, { g->sigfd, POLLIN, 0 } };
		/* a pending signal keeps the fd readable: look every 20 ms then */
		int n = poll(p, 2, pending ? 20 : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents != 0)
			break;
		if (!(p[1].revents & POLLIN)) {
			pending = false;        /* the loop read it */
			continue;
		}
		if (!pending) {
			pending = true;
			since = mono_ms();
			sc_lua_interrupt(g->S);
		} else if (mono_ms() - since >= RUN_GUARD_GRACE_MS && sc_lua_seize(g->S)) {
			stuck(g);
		}
		if (pending) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

int
run_guard_start(struct run *r)
{
	struct run_guard *g;
	int rc;

	if (r->sigfd < 0 || r->S == NULL || r->guard != NULL)
		return 0;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	g->sigfd = r->sigfd;
	g->S = r->S;
	g->topo = r->topo;
	snprintf(g->msg, sizeof(g->msg), "dnsdrill: %s: interrupted by signal ", r->o->scenario);
	if ((g->wake = eventfd(0, EFD_CLOEXEC)) < 0) {
		free(g);
		return run_fail(r, -errno, "eventfd: %s", strerror(errno));
	}
	/* the thread inherits the run's mask: SIGINT, SIGTERM, SIGHUP blocked */
	if ((rc = pthread_create(&g->th, NULL, guard_main, g)) != 0) {
		close(g->wake);
		free(g);
		return run_fail(r, -rc, "guard thread: %s", strerror(rc));
	}
	r->guard = g;
	return 0;
}

void
run_guard_stop(struct run *r)
{
	struct run_guard *g = r->guard;
	uint64_t one = 1;

	if (g == NULL)
		return;
	if (write(g->wake, &one, sizeof(one)) < 0) {
		/* an eventfd write cannot fail here; join waits regardless */
	}
	pthread_join(g->th, NULL);
	close(g->wake);
	free(g);
	r->guard = NULL;
}
