/*
 * run_internal.h -- what the files of the runner share.  Private to
 * harness/run*.c; the public face is runner.h (runner_main).
 *
 * The runner is split by phase, and the calls go one way:
 *
 *   run.c          the skeleton: load, check, preflight, drive, shut down
 *     -> run_build.c    the network, faultd argv, start everything, probes
 *                       and captures
 *     -> run_ops.c      what the timeline does (phase, mark, inject, clear,
 *                       start/stop/kill, seen, probe_ok)
 *     -> run_results.c  score the log, build the result, write it
 *   run_build.c, run_ops.c -> run_proc.c   processes: start, readiness,
 *                       exits, watches over their output
 *   run_build.c, run_proc.c -> run_scratch.c   a process's scratch folder,
 *                       files, scratch() placeholders and version command
 *   run_build.c -> run_keys.c   the scenario's DNSSEC keys into OUT/keys/
 *   run_build.c, run_proc.c, run_ops.c -> run_fault.c   faultd's control
 *                       client: readiness ping, inject and clear
 *   everyone -> run_status.c   the run's clock, its messages and status
 *                       line, and how an error is recorded
 *
 * A phase never calls back into the skeleton: it records what went wrong in
 * struct run (run_fail) and returns the negative DD_E* code; the skeleton
 * turns the recorded code into the exit status (run_exit_code).
 *
 * Ownership: struct run owns everything it points to except o (the
 * caller's options) and the borrowed sc_* declarations inside the procs,
 * watches and captures, which belong to r->sc.
 */
#ifndef DD_HARNESS_RUN_INTERNAL_H
#define DD_HARNESS_RUN_INTERNAL_H

#include <limits.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/runner.h"
#include "harness/scenario.h"
#include "lib/err.h"
#include "model/elog.h"

struct capture;
struct ctl_client;
struct run_fault;
struct run_guard;
struct run_remote;
struct elog;
struct ev_loop;
struct ev_timer;
struct netns_topo;
struct proc;
struct prober;
struct sc_lua;
struct score_result;

/* The answer to a TCP or HTTP ready attempt (run_proc.c). */
struct run_ready_wait {
	bool done, ok;
	char detail[128];
};

/* A process the run started: a faultd (dns set) or a declared process. */
struct run_proc {
	struct run *r;
	struct proc *p;
	struct sc_process *decl;   /* NULL for a dns server */
	struct sc_dns *dns;        /* NULL for a process */
	bool remote;               /* a faultd dnsdrill did not start: no p */
	struct run_remote *rem;    /* its bookkeeping (run_remote.c) */
	char sock[108];            /* faultd's control socket */
	struct ctl_client *ctl;    /* faultd's control client (run_fault.c) */
	struct run_fault *faults;  /* rules injected by the timeline */
	size_t n_faults, cap_faults;
	bool ping_out;             /* a readiness ping is on its way */
	bool ready;
	regex_t ready_re;
	bool has_ready_re;
	struct run_ready_wait ready_wait;   /* a ready attempt's answer */
	uint64_t started_us;       /* when it was last started; 0 never */
	int exit_code, exit_sig;   /* how it last ended (proc_exit event) */
};

struct run_watch {
	struct sc_watch *w;
	regex_t re;
	long count;
};

struct run_cap {
	struct sc_capture *c;
	struct capture *cap;
	uint64_t last_count;
	struct run *r;             /* for the read callback */
};

struct run {
	const struct run_opts *o;
	struct scenario *sc;
	struct sc_lua *S;
	struct netns_topo *topo;
	struct ev_loop *loop;
	struct elog *log;
	struct prober *prober;
	uint64_t t0_us;            /* the run's clock starts here */
	char out[PATH_MAX];
	struct run_proc *procs;    /* sized once: callbacks keep &procs[i] */
	size_t nprocs;
	struct run_watch *watches;
	size_t nwatches;
	struct run_cap *caps;
	size_t ncaps;
	int *probe_last;           /* per scenario probe: -1 none, 0 fail, 1 ok */
	char phase[64];
	bool phase_open;
	int sigfd;
	bool stop;                 /* leave the main loop */
	int rc;                    /* the recorded error (DD_E*), 0 while none */
	struct dd_err err;         /* its message */
	bool tty, quiet;
	struct ev_timer *status_timer, *rate_timer;
	uint64_t rate_last_ms;
	bool status_shown;
	uint64_t timeline_t0_ms;   /* when the timeline began */
	bool settled;              /* start-up is over: a component dying now
	                            * ends the run (run_proc_settle) */
	uint64_t fault_seq;        /* the last handle inject() gave out */
	struct run_guard *guard;   /* while the timeline runs (run_guard.c) */
	/* process name -> what its version command said (run_scratch.c),
	 * for result.json `versions` */
	struct sc_kv *versions;
	size_t n_versions;
};

/* ---- run_status.c ---- */

/* ms since the run started (monotonic). */
uint64_t run_now_ms(const struct run *r);
/* A progress line on stderr ("  1.234s  text"), unless quiet. */
void run_say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erase the status line if one is shown. */
void run_clear_status(struct run *r);
/* Refresh the status line (phase and probes) every 250 ms from now on;
 * run_status_stop() cancels that and erases the line. */
void run_status_start(struct run *r);
void run_status_stop(struct run *r);
/* Record an error, its code and message (a later one replaces an earlier
 * one: a timeline error wraps what failed under it).  Returns rc, so a
 * phase can `return run_fail(r, DD_EIO, ...)`. */
int run_fail(struct run *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The exit status for a DD_E* code: DD_EINVAL is the scenario's fault
 * (RUN_USAGE), anything else the environment's (RUN_ENV); 0 is RUN_PASS. */
int run_exit_code(int rc);

/* ---- run_guard.c ---- */

/*
 * While the timeline runs: a thread that interrupts the scenario's code on
 * a pending SIGINT/SIGTERM/SIGHUP (r->sigfd, left for the loop to read),
 * and, when that code is stuck in a library call for RUN_GUARD_GRACE_MS
 * more, kills the run's processes, tears the network down and _exit()s
 * with RUN_ENV itself.  Start after the build (r->topo, r->S, r->sigfd);
 * stop (join) before anything else touches the run again.
 */
int run_guard_start(struct run *r);
void run_guard_stop(struct run *r);   /* no-op when not started */

/* ---- run_proc.c ---- */

/* Compile the scenario's watches into r->watches. */
int run_proc_watches(struct run *r);
/* Append a process to r->procs (already sized); argv and env are copied. */
int run_proc_add(struct run *r, const char *name, const char *host, char **argv,
    char **env, size_t n_env, const char *cwd, struct sc_process *decl, struct sc_dns *dns);
/* Start it and log the start event. */
int run_proc_start(struct run *r, struct run_proc *rp);
/* Pump the loop until rp is ready, dies, or its ready timeout passes. */
int run_proc_wait_ready(struct run *r, struct run_proc *rp);
/*
 * How long a process without a ready check must keep running after its
 * start to count as started (doc/scenario-api.md, "at start-up").
 */
#define RUN_START_GRACE_MS 500
/*
 * The end of start-up, just before the timeline: pump the loop until every
 * process started so far without a ready check has run RUN_START_GRACE_MS,
 * then make sure every started process still runs.  One that exited is a
 * start-up failure: DD_EIO, recorded with its exit status and last output.
 */
int run_proc_settle(struct run *r);
struct run_proc *run_proc_find(struct run *r, const char *name);
struct run_proc *run_proc_dns(struct run *r, const char *dns);
/* Stop every running process, the last started first. */
void run_proc_stop_all(struct run *r);
/* Free procs and watches (after run_proc_stop_all). */
void run_proc_free_all(struct run *r);

/* ---- run_scratch.c ---- */
/* text with d's scratch() placeholders expanded (malloc'd), or NULL with
 * the error recorded (run_fail). */
char *run_scratch_expand(struct run *r, const struct sc_process *d, const char *text);
/* OUT/scratch/NAME into buf. */
void run_scratch_dir(const struct run *r, const struct sc_process *d, char *buf, size_t len);
/* Before every start of d: its scratch folder (0700, owned by its user =)
 * and its files = { ... } written into it.  0 or the recorded error. */
int run_scratch_prepare(struct run *r, const struct sc_process *d);
/* d's version = { ... } command, if any, run in its host now (at most
 * RUN_VERSION_TIMEOUT_MS; output in OUT/NAME.version); the chosen line
 * goes to r->versions.  A command that cannot run or answer is recorded as
 * "unknown (why)", not an error.  0 or DD_ENOMEM/DD_EINVAL recorded. */
#define RUN_VERSION_TIMEOUT_MS 5000
#define RUN_VERSION_MAX 200
int run_scratch_version(struct run *r, const struct sc_process *d);

/* ---- run_keys.c ---- */
/* The scenario's DNSSEC key sets into OUT/keys/ (0700; each file 0600) and
 * their DS into OUT/keys/ds.  0 or the recorded error. */
int run_keys_write(struct run *r);
/* faultd's --sign value for s: "ZONE:OUT/keys/KSK,OUT/keys/ZSK" into buf;
 * -1 when it does not fit. */
int run_keys_sign_arg(const struct run *r, const struct sc_sign *s, char *buf, size_t len);

/* ---- run_fault.c ---- */

/* The control client of a faultd (rp->dns set, rp->sock named). */
int run_fault_connect(struct run *r, struct run_proc *rp);
/* Send a readiness ping unless one is on its way; rp->ready turns true
 * when faultd answers (a failed ping is simply sent again next time). */
int run_fault_ping(struct run *r, struct run_proc *rp);
/* Send RULE (already checked) to faultd; *handle is the run's id for it at
 * once, the fault_inject event is logged when faultd acknowledges.  A
 * failure to send is returned; a failure faultd reports later is recorded
 * with run_fail() and stops the run. */
int run_fault_inject(struct run *r, struct run_proc *rp, const char *rule,
    uint64_t *handle, struct dd_err *err);
/* Delete the rule with that handle (0: every rule the timeline injected);
 * the fault_clear event is logged when faultd acknowledges the last
 * deletion (at once when there is nothing to delete). */
int run_fault_clear(struct run *r, struct run_proc *rp, uint64_t handle, struct dd_err *err);
/* Send a live zone change (a control line, faultd/zone_edit.h) without
 * waiting; the zone_change event (faultd's own words) is logged when
 * faultd acknowledges it, a refusal is a run error naming where. */
int run_fault_zone(struct run *r, struct run_proc *rp, const char *line,
    const char *where, struct dd_err *err);
/* Pump the loop until no rule of rp's is being added or deleted (each
 * request bounded by its timeout). */
void run_fault_settle(struct run *r, struct run_proc *rp);
/* Is fid (faultd's id) a rule the timeline added and has not deleted? */
bool run_fault_is_ours(const struct run_proc *rp, unsigned long long fid);
/* Free the client (pending requests cancelled, nothing logged) and the
 * bookkeeping.  NULL client is fine. */
void run_fault_close(struct run_proc *rp);
/* A reading of faultd's counters has arrived and is in the log (st), or
 * could not be taken (st NULL, err says why). */
typedef void (*run_fault_stats_cb)(void *arg, const struct elog_stats *st, const char *err);
/* Ask faultd for its counters (`stats json`); the reading goes into the
 * log (an error reading when it fails), then done (if any) is called,
 * exactly once unless this returns an error. */
int run_fault_stats(struct run *r, struct run_proc *rp, enum elog_stats_why why,
    run_fault_stats_cb done, void *arg);
/* The end-of-run reading of every faultd that is up, waited for on the
 * loop (each request bounded by its timeout).  Call before stopping them. */
void run_fault_stats_end(struct run *r);

/* ---- run_remote.c ---- */

/* What the run changed on a remote faultd, to undo at the end: the rule
 * ids it had at the start (not ours), the canonical texts of the rules
 * the run sent (to find one whose answer was lost), and the zones its live
 * changes touched -- an origin, or (find) a name whose zone is looked up
 * with `zone show` on its suffixes.  run_remote.c owns it; run_fault.c
 * notes what is sent and acknowledged. */
#define RUN_REMOTE_ZONES_MAX 64
struct run_remote {
	unsigned long long *before;
	size_t n_before;
	char **sent;
	size_t n_sent;
	struct run_remote_zone { char *name; bool find; } zones[RUN_REMOTE_ZONES_MAX];
	size_t n_zones;
};

/* How long a remote faultd may take to answer the first ping. */
#define RUN_REMOTE_PING_MS 5000
/*
 * A dns declared with remote = {...}: its entry in r->procs (no process:
 * dnsdrill never starts, stops or kills it), its control client on the
 * transport remote names (remote_client(), the one place that chooses it),
 * then, pumping the loop, a ping (DD_EIO naming the address when there is
 * no answer in RUN_REMOTE_PING_MS), its version into r->versions and the
 * ids of the rules it already has.  0 or the recorded error.
 */
int run_remote_add(struct run *r, struct sc_dns *d);
/*
 * On every way out of a run that reached remotes (shutdown, before the
 * processes stop): the rules the run added deleted (the ones it knows the
 * id of, and any rule that was not there at the start whose text the run
 * sent: an answer lost on the way), then every zone a change touched read
 * again from its file (`zone reset`), pumping the loop with each request
 * bounded.  What cannot be undone is recorded (run_fail, DD_EIO) naming
 * the rules left; the remote is never stopped.
 */
void run_remote_restore(struct run *r);
/* Free rp's remote bookkeeping (NULL-safe; run_proc_free_all). */
void run_remote_free(struct run_proc *rp);

/* ---- run_check.c ---- */

/* Every program the scenario runs is there: each process's and exec
 * probe's argv[0] (a PATH lookup, or the file bin() and path() name) and
 * faultd when there are dns servers.  DD_ENOTFOUND (exit 3) recorded with
 * the declaration's file:line, its name and the path. */
int run_check_programs(struct run *r);
/* The parameters for people: each with its default, the value --set gave,
 * what it takes and its doc; then speed. */
void run_check_print_params(struct run *r, FILE *f);

/* Warn on f about each dns or exec probe whose timeout is shorter than the
 * stub resolver of its host may wait (timeout x attempts from the host's
 * resolv.conf, glibc's 5 s x 2 when unset).  Returns how many. */
int run_check_probe_timeouts(struct run *r, FILE *f);

/* ---- run_build.c ---- */

/* Describe the scenario's network to r->topo (creates nothing).
 * DD_EINVAL with the message in netns_errmsg(r->topo). */
int run_build_describe(struct run *r);
/* Describe and build the network. */
int run_build_network(struct run *r);
/* The prober and the watches, then faultd per dns server and every
 * autostart process, each waited for until ready. */
int run_build_start(struct run *r);
/* Captures, the query-rate timer and the probes (started). */
int run_build_observe(struct run *r);
/* Stop probing (before the processes are stopped, so their going away is
 * not scored). */
void run_build_stop_probes(struct run *r);
/* Close captures, cancel the rate timer, free the prober. */
void run_build_close(struct run *r);

/* ---- run_ops.c ---- */

/* Give the timeline its operations (struct sc_ops over r). */
void run_ops_install(struct run *r);

/* ---- run_results.c ---- */

/*
 * Score the log up to end_ms, write result.json, junit.xml, report.html
 * (and the --junit copy) into r->out, print the summary unless no_summary.
 * The log passes to the result.  0 with *pass set, or a negative code with
 * the message recorded by run_fail.
 */
int run_results(struct run *r, uint64_t end_ms, const char *started, bool *pass);
/*
 * The same for a run that ended in error (r->rc and r->err recorded): the
 * events so far scored, the verdict "error" with r->err's message as the
 * reason.  The recorded error stays the run's; a file that cannot be
 * written is only warned about.
 */
void run_results_error(struct run *r, uint64_t end_ms, const char *started);

#endif
