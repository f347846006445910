/*
 * proc.h -- processes the runner starts inside test hosts (faultd, the SUT,
 * helpers such as unbound): spawned through netns, stdout and stderr read
 * through pipes on the event loop and kept in files in the run's output
 * folder, exits seen through a pidfd on the event loop, and output lines
 * handed to a callback as they arrive, each with the time it was read
 * (watches and log-based readiness are built on that).
 *
 * Ownership: a proc copies its name and argv; proc_free() (NULL-safe) kills
 * a still-running process (SIGKILL to its group) and reaps it.
 */
#ifndef DD_HARNESS_PROC_H
#define DD_HARNESS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct ev_loop;
struct netns_topo;
struct proc;

/* A new line of output (without its newline); stream 1 stdout, 2 stderr;
 * t_us is when its last bytes were read from the pipe (dd_now_us(), the
 * monotonic clock): at most the loop's own lateness after the child wrote
 * them. */
typedef void (*proc_line_cb)(void *arg, struct proc *p, int stream, const char *line,
    uint64_t t_us);
/* The process ended: code (exit status, or -1) and signal (0 when exited). */
typedef void (*proc_exit_cb)(void *arg, struct proc *p, int code, int sig);

struct proc_spec {
	const char *name;
	const char *host;            /* netns host; NULL: here (no topology) */
	const char *const *argv;     /* NULL-terminated */
	const char *const *envp;     /* NULL: inherit */
	const char *cwd;
	const char *out_dir;         /* NAME.stdout / NAME.stderr go here */
	const char *user;            /* NULL: run as we do (root); else drop to it */
	const char *group;           /* NULL: the user's own group */
};

struct proc *proc_new(struct ev_loop *loop, struct netns_topo *topo,
    const struct proc_spec *spec, proc_line_cb on_line, proc_exit_cb on_exit,
    void *arg);
/* Start it.  DD_EIO with a message when it cannot run.  May be called
 * again after it ended: the output files are truncated at the first start
 * and appended to after. */
int proc_start(struct proc *p, struct dd_err *err);
/* Send sig to the process group; the exit callback follows.  Marks the
 * process as stopping, so its exit counts as asked for (proc_stopping). */
int proc_signal(struct proc *p, int sig);
bool proc_running(const struct proc *p);
bool proc_stopping(const struct proc *p);  /* we asked it to end */
pid_t proc_pid(const struct proc *p);
const char *proc_name(const struct proc *p);
/* Read what output is waiting now (the loop does it as it arrives). */
void proc_poll_output(struct proc *p);
/* The last n lines of stderr and stdout, for error messages. */
void proc_tail(const struct proc *p, char *buf, size_t len, int nlines);
/* SIGTERM, wait up to grace_ms on the loop, then SIGKILL and reap. */
void proc_stop_wait(struct proc *p, unsigned grace_ms);
void proc_free(struct proc *p);

/*
 * Start o->argv inside host (netns_spawn), or, with host NULL (a scenario
 * without a topology), here in dnsdrill's own namespaces: a new process
 * group, stdin /dev/null, o's stdout/stderr, cwd and ids, killed if
 * dnsdrill dies (harness/proc_spawn.c).  0 with *pid the caller's child,
 * or a negative code with err saying why.
 */
struct netns_spawn_opts;
int proc_spawn(struct netns_topo *topo, const char *host,
    const struct netns_spawn_opts *o, pid_t *pid, struct dd_err *err);

/* A user to drop to: uid, the group (the user's own, or group when given)
 * and the supplementary groups (the user's, as initgroups would set them). */
#define PROC_MAX_GROUPS 256
struct proc_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[PROC_MAX_GROUPS];
	size_t ngroups;
};
/* Look user (and group, may be NULL) up on this machine.  0, or DD_EINVAL
 * with "user 'x': no such user on this machine" (or the group's) in err. */
int proc_ids_lookup(const char *user, const char *group, struct proc_ids *ids,
    struct dd_err *err);

/* Find argv0 the way exec would (PATH when it has no '/'); 0 when it is an
 * executable file, else DD_ENOTFOUND with a message. */
int proc_check_exec(const char *argv0, struct dd_err *err);

#endif
