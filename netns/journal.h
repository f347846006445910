/*
 * journal.h -- the undo journal of a run (private to netns/), the bottom
 * layer: it knows nothing of topologies.  Every other netns file that makes
 * something goes through nn_jr_step() first ("write down before creating"),
 * so a crash at any point leaves a journal that covers all of it.
 *
 * Each entry is written to ROOT/RUNID/journal, then kept in memory, before
 * the object it names is created.  Undo walks the in-memory copy backwards
 * using only system calls, so it may run in a signal handler; signals are
 * blocked while an entry is appended.
 *
 * Ownership: struct nn_jr owns its entry array, the journal and lock fds.
 * nn_jr_free() releases memory and fds only; it never undoes (the journal
 * file stays, and once the lock is gone netns_cleanup() may replay it).
 */
#ifndef DD_NETNS_JOURNAL_H
#define DD_NETNS_JOURNAL_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

#define NN_JR_PATH_MAX 192                /* every path an entry names */
#define NN_JR_DEFAULT_ROOT "/run/dnsdrill"

enum nn_jr_kind {
	NN_JR_OWNER = 1,  /* pid start: the run's owner (informational) */
	NN_JR_DIR,        /* path: a directory we created; rmdir when empty */
	NN_JR_FILE,       /* path: a file we created; unlink */
	NN_JR_NETNS,      /* path: a namespace bind mount; stop its processes,
	                   * umount, unlink */
	NN_JR_LINK,       /* "nsname ifname": vanishes with its namespaces */
	NN_JR_NFT,        /* nsname: rules vanish with the namespace */
	NN_JR_PROC,       /* pid start: a spawned process group; stop it */
	NN_JR_MOUNT,      /* path: a file system we mounted there (a host's
	                   * private /tmp or /run); umount, which discards
	                   * what it held */
};

struct nn_jr_entry {
	int kind;
	volatile sig_atomic_t done;
	pid_t pid;
	unsigned long long start;  /* process start time (clock ticks) */
	char arg[NN_JR_PATH_MAX];
};

/* Called by nn_jr_step() before each step with a running step number
 * (1, 2, ...) and "KIND ARG"; non-zero fails the step.  Same shape as the
 * public netns_step_hook. */
typedef int (*nn_jr_hook)(void *arg, int step, const char *what);

struct nn_jr {
	char dir[NN_JR_PATH_MAX];  /* ROOT/RUNID, "" when not open */
	int fd;                    /* journal file, -1 when closed */
	int lockfd;                /* flock held for the run's life */
	struct nn_jr_entry *ent;   /* owned */
	volatile sig_atomic_t n;
	size_t cap;
	unsigned grace_ms;         /* SIGTERM -> SIGKILL wait of undo */
	int step;                  /* steps taken so far */
	nn_jr_hook hook;           /* testing; NULL when unused */
	void *hook_arg;
};

void nn_jr_init(struct nn_jr *j);
/* Create ROOT/RUNID (fails with -EEXIST when taken), take the lock, write
 * the owner entry. */
int nn_jr_open(struct nn_jr *j, const char *root, const char *run_id, struct dd_err *e);
/* Write down an entry (file first, then memory). */
int nn_jr_add(struct nn_jr *j, int kind, const char *arg, pid_t pid,
    unsigned long long start);
/* One step of a build: count it, ask the hook, then nn_jr_add(kind, arg).
 * Call it just before creating the object.  On failure the object must not
 * be created; e gets "injected failure at step N (KIND ARG)" or
 * "DIR/journal: reason". */
int nn_jr_step(struct nn_jr *j, int kind, const char *arg, struct dd_err *e);
/* The last entry turned out to name something that is not ours (it existed
 * already): undo leaves it alone.  The file keeps the line, so do this only
 * for objects whose creation failed outright. */
void nn_jr_disown_last(struct nn_jr *j);
void nn_jr_set_hook(struct nn_jr *j, nn_jr_hook fn, void *arg);
/* Replay backwards; async-signal-safe.  Removes the run directory at the
 * end and releases the lock.  Idempotent. */
int nn_jr_undo(struct nn_jr *j);
/* Free memory and fds, forget j in the signal handlers (does not undo).
 * NULL-safe. */
void nn_jr_free(struct nn_jr *j);
/* Read a dead run's journal from dir into j (which must be nn_jr_init'ed). */
int nn_jr_load(struct nn_jr *j, const char *dir, struct dd_err *e);

/* Install SIGINT and SIGTERM handlers that undo every journal passed here
 * (up to 16) and then let the signal take its default course.  A signal
 * that arrives while an undo runs waits for it.  j stays registered until
 * nn_jr_free(j).  0, DD_ENOSPACE when full, or -errno. */
int nn_jr_catch_signals(struct nn_jr *j);

/* One journal line <-> one entry.  Format: "KIND PID START ARG\n" with KIND
 * a word ("netns", "proc", ...).  Pure; unit-tested. */
int nn_jr_format(const struct nn_jr_entry *en, char *buf, size_t len);
int nn_jr_parse(const char *line, struct nn_jr_entry *en);
const char *nn_jr_kind_name(int kind);

/* Start time of a process (field 22 of /proc/PID/stat), 0 when gone or a
 * zombie.  Async-signal-safe. */
unsigned long long nn_jr_proc_start(pid_t pid);

#endif
