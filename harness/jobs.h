/*
 * jobs.h -- runs side by side, for `dnsdrill matrix --jobs N` and
 * `dnsdrill run --repeat N --jobs N`.
 *
 * Each task runs in a child process of its own (fork, no exec): a run owns
 * process-wide things -- its Lua state, its event loop, its signal mask
 * and signalfd, runner_interrupted(), the pid recorded as the owner in its
 * netns journal (which `dnsdrill cleanup` checks for liveness) -- so a
 * process per run keeps two runs from sharing any of them, and a run that
 * crashes takes down only itself.  At most max tasks run at once, started
 * in index order; the parent collects each child's output (stdout and
 * stderr, one pipe) and writes it whole line by line with the task's label
 * in front, so the lines of two runs never mix mid-line, and gathers the
 * bytes the task writes to its data fd (a result to hand back) and its
 * exit status as it ends.
 *
 * SIGINT, SIGTERM and SIGHUP reaching the parent stop the starting of new
 * tasks and are passed on to every child still running (each run then
 * tears its topology down and writes its result with verdict error); the
 * children share the parent's process group, so a terminal's Ctrl-C
 * reaches them directly too.  Children start with those signals blocked
 * (as the parent has them), so one arriving before the run listens for it
 * waits for the run's signalfd instead of killing the child untidily.
 *
 * Ownership: a struct jobs and its tasks belong to the caller; jobs_run()
 * fills the tasks' results, jobs_fini() frees what it allocated in them.
 */
#ifndef DD_HARNESS_JOBS_H
#define DD_HARNESS_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/err.h"

/* The most tasks side by side. */
#define JOBS_MAX 256

enum jobs_state {
	JOBS_WAITING = 0,  /* not started (stopped before its turn) */
	JOBS_RUNNING,
	JOBS_DONE,         /* ended: code or signo says how */
};

/* What the done callback wants next. */
enum jobs_next {
	JOBS_GO_ON = 0,    /* start the next task when a slot frees */
	JOBS_NO_MORE,      /* start none; let the running ones end */
	JOBS_STOP_ALL,     /* start none and interrupt the running ones (SIGINT) */
};

struct jobs_task {
	const char *label;       /* the output lines' prefix; the caller's */
	enum jobs_state state;
	int code;                /* its exit status (signo 0), else -1 */
	int signo;               /* the signal that ended it, or 0 */
	char *data;              /* what it wrote to its data fd (NUL added) */
	size_t ndata;
	char last[256];          /* its last line of output: a reason to show */
	double secs;             /* wall time from start to end */
	/* the parent's bookkeeping */
	pid_t pid;
	int out, dfd;            /* read ends, -1 once closed */
	char line[1024];         /* a line not yet ended */
	size_t nline;
	unsigned long long t0_us;
};

/* The task, in the child: i is its index, data_fd where a result may be
 * written (closed by jobs after it returns).  Returns the exit status. */
typedef int (*jobs_fn)(void *arg, size_t i, int data_fd);
/* In the parent, once task i has ended (its output and data collected). */
typedef enum jobs_next (*jobs_done_fn)(void *arg, size_t i, struct jobs_task *t);

struct jobs {
	struct jobs_task *t;     /* n of them, zeroed, labels set */
	size_t n;
	unsigned max;            /* at most this many at once (>= 1) */
	jobs_fn run;
	jobs_done_fn done;       /* or NULL */
	void *arg;
	FILE *log;               /* where the children's lines go; NULL stderr */
	/* results */
	bool interrupted;        /* a signal stopped it */
	int signo;               /* which (the first) */
	unsigned peak;           /* the most that ran at once */
};

/*
 * Run every task (fewer when stopped).  Returns 0 -- each task's outcome
 * is in its struct -- or a negative DD_E* code when nothing could be
 * started (pipes, fork, signalfd), err saying why; tasks already started
 * are then waited for first.
 */
int jobs_run(struct jobs *j, struct dd_err *err);

/* Free the tasks' collected data (safe twice). */
void jobs_fini(struct jobs *j);

/*
 * --jobs ARG: a count 1..JOBS_MAX, or "auto" / "0" for jobs_auto(ncpu).
 * 0 and *out, or DD_EINVAL with err naming the argument.
 */
int jobs_parse(const char *arg, long ncpu, unsigned *out, struct dd_err *err);

/* "auto": 4 per CPU (a sealed run mostly waits: a flagship run of ~50 s
 * uses well under a second of CPU), at least 2, at most JOBS_MAX. */
unsigned jobs_auto(long ncpu);

/* Why task t did not end with an exit status of 0..3, for an error row:
 * "killed by signal 11 (Segmentation fault)", "exited with status 139",
 * or "not started"; "" when it ended with 0..3.  Returns buf. */
char *jobs_reason(const struct jobs_task *t, char *buf, size_t len);

/*
 * Feed n bytes of a task's output: each complete line is written to f as
 * "[label] line\n" in one call; a partial line waits in t->line (a line
 * longer than the buffer is written in pieces).  t->last keeps the last
 * non-empty line.  With n 0 (end of output) a partial line is written.
 */
void jobs_feed(struct jobs_task *t, const char *buf, size_t n, FILE *f);

#endif
