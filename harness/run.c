/*
 * run.c -- the skeleton of `dnsdrill run` and `dnsdrill check` (runner.h).
 * The order of a run:
 *
 *   load + validate (rules too)  ->  preflight (binaries, privilege)
 *   ->  build network, faultd per dns server, processes (run_build.c)
 *   ->  captures, probes  ->  timeline (run_ops.c)  ->  stop everything
 *   ->  teardown  ->  score, result.json, junit.xml, summary (run_results.c)
 *
 * Every failure after the build jumps to the same teardown.  The phases
 * record what went wrong in struct run; only this file turns it into an
 * exit status and prints it.
 */
#include "harness/runner.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/outdir.h"
#include "harness/proc.h"
#include "harness/rulecheck.h"
#include "harness/run_internal.h"
#include "harness/run_time.h"
#include "harness/scenario.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/elog.h"
#include "netns/netns.h"

/* ---------------- before anything is built ---------------- */

/* Read and validate the scenario with the command line's --set pairs:
 * its declarations, then every rule it states.  Nothing is printed. */
static int
load(struct run *r)
{
	const struct run_opts *o = r->o;
	struct dd_err err;
	int rc;

	r->sc = scenario_new(o->scenario);
	if (r->sc == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	if (access(o->scenario, R_OK) < 0)
		return run_fail(r, DD_EINVAL, "%s: %s", o->scenario, strerror(errno));
	for (size_t i = 0; i < o->n_sets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		if (eq == NULL || eq == o->sets[i])
			return run_fail(r, DD_EINVAL, "--set '%s': expected key=value", o->sets[i]);
		struct sc_kv *kv = sc_push(&r->sc->sets, &r->sc->n_sets, sizeof(*kv));
		if (kv == NULL)
			return run_fail(r, DD_ENOMEM, "out of memory");
		kv->key = strndup(o->sets[i], (size_t)(eq - o->sets[i]));
		kv->value = strdup(eq + 1);
	}
	r->sc->set_used = calloc(r->sc->n_sets + 1, sizeof(bool));
	r->sc->sets_optional = o->sets_if_declared;
	r->sc->seed = o->seed_set ? o->seed : (dd_now_us() ^ (uint64_t)getpid()) % 1000000007u;
	r->sc->seed_set = o->seed_set;
	r->S = sc_lua_new(r->sc, r->sc->seed, o->build_dir);
	if (r->S == NULL || r->sc->set_used == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	if (o->lua_mem_mib > 0)
		sc_lua_set_mem_limit(r->S, (size_t)o->lua_mem_mib << 20);
	if ((rc = sc_lua_load(r->S, &err)) < 0 || (rc = rulecheck_scenario(r->sc, &err)) < 0)
		return run_fail(r, rc == DD_ENOMEM ? rc : DD_EINVAL, "%s", err.msg);
	if (o->seed_out != NULL)
		*o->seed_out = r->sc->seed;
	for (size_t i = 0; o->sets_declared != NULL && i < o->n_sets && i < r->sc->n_sets; i++)
		if (r->sc->set_used[i] || strcmp(r->sc->sets[i].key, "speed") == 0)
			o->sets_declared[i] = true;
	return 0;
}

/* `dnsdrill check`: the network described (not built) so netns validates
 * it too, the programs looked for; then the warnings, the summary line and
 * the parameters, once nothing is left to fail. */
static int
check(struct run *r)
{
	const struct run_opts *o = r->o;
	int rc;

	r->topo = netns_topo_new(NULL);
	if (r->topo == NULL)
		return run_fail(r, DD_EINVAL, "%s: network: out of memory", o->scenario);
	if (!r->sc->no_topology && (rc = run_build_describe(r)) < 0)
		return run_fail(r, DD_EINVAL, "%s: network: %s", o->scenario, netns_errmsg(r->topo));
	if ((rc = run_check_programs(r)) < 0)
		return rc;
	if (o->quiet)
		return 0;
	run_check_probe_timeouts(r, stderr);
	run_time_warn(r->sc, stderr);
	printf("%s: ok: scenario '%s', %zu hosts, %zu dns servers, %zu processes, %zu probes, "
	    "%zu expectations\n", o->scenario, r->sc->name, r->sc->n_hosts, r->sc->n_dns,
	    r->sc->n_procs, r->sc->n_probes, r->sc->n_expect);
	run_check_print_params(r, stdout);
	return 0;
}

/* The programs exist and we may build namespaces. */
static int
preflight(struct run *r)
{
	struct dd_err err;
	int rc;

	if ((rc = run_check_programs(r)) < 0)
		return rc;
	/* a rootless run lives in a network namespace of its own: what a
	 * scenario without a topology probes would be out of its reach */
	if (r->sc->no_topology && netns_rootless())
		return run_fail(r, DD_EINVAL, "%s:%d: scenario { topology = false } probes this "
		    "machine's network, which a rootless run cannot see (it runs in a network "
		    "namespace of its own): run it with --no-rootless (it needs no root)",
		    r->sc->file, r->sc->no_topology_line);
	/* without a topology nothing needs privilege (a capture may) */
	if (!r->sc->no_topology && (rc = netns_check_privilege(&err)) < 0)
		return run_fail(r, rc, "%s", err.msg);
	return 0;
}

/* r->out: --out (new or empty, or emptied with --force) or a new
 * dnsdrill-out/NAME-TIMESTAMP, made absolute (processes start elsewhere). */
static int
make_out_dir(struct run *r)
{
	struct dd_err err;
	int rc;

	if (r->o->out_dir) {
		snprintf(r->out, sizeof(r->out), "%s", r->o->out_dir);
		rc = outdir_prepare(r->out, r->o->force, &err);
	} else {
		char ts[32], base[PATH_MAX];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		snprintf(base, sizeof(base), "dnsdrill-out/%s-%s", r->sc->name, ts);
		rc = outdir_create_new(base, r->out, sizeof(r->out), &err);
	}
	if (rc < 0)
		return run_fail(r, rc, "%s", err.msg);
	if (r->out[0] != '/') {
		char cwd[PATH_MAX], abs[PATH_MAX * 2];
		if (getcwd(cwd, sizeof(cwd)) != NULL) {
			snprintf(abs, sizeof(abs), "%s/%s", cwd, r->out);
			snprintf(r->out, sizeof(r->out), "%s", abs);
		}
	}
	return 0;
}

/* ---------------- the run ---------------- */

/* A run ended by a signal: the commands that run several (matrix,
 * repeat) stop there instead of going on with the next. */
static bool interrupted;

bool
runner_interrupted(void)
{
	return interrupted;
}

static void
on_signal(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct run *r = arg;
	struct signalfd_siginfo si;

	(void)loop;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		r->stop = true;
		interrupted = true;
		run_fail(r, -EINTR, "interrupted by signal %u; everything torn down", si.ssi_signo);
	}
}

/* The loop, the log, the topology object and the signal fd; SIGINT, SIGTERM
 * and SIGHUP are read from the loop so every path tears down. */
static int
open_run(struct run *r)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	r->loop = ev_loop_new();
	r->log = elog_new();
	r->topo = netns_topo_new(NULL);
	if (r->loop == NULL || r->log == NULL || r->topo == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	r->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sigfd >= 0)
		ev_io_add(r->loop, r->sigfd, EV_READ, on_signal, r);
	return 0;
}

/* The wall clock now, UTC, ISO 8601 with milliseconds:
 * "2025-10-20T07:11:00.123Z". */
static void
iso_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
}

/* Resume the timeline from the loop until it ends, fails, is stopped or
 * runs past max_duration; then watch one stability window more. */
static void
drive_timeline(struct run *r)
{
	struct dd_err err;
	uint64_t next = 0, limit_ms = run_now_ms(r) + r->sc->max_duration_us / 1000;
	int rc;

	r->timeline_t0_ms = run_now_ms(r);
	/* the baseline's first reading of every faultd (queries at the
	 * authority, doc/results.md); it arrives through the loop */
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].dns != NULL && r->procs[i].ctl != NULL &&
		    r->procs[i].ready)
			(void)run_fault_stats(r, &r->procs[i], ELOG_STATS_START,
			    NULL, NULL);
	if ((rc = sc_lua_timeline_start(r->S, run_now_ms(r), &err)) < 0) {
		run_fail(r, rc, "%s", err.msg);
		r->stop = true;
		return;
	}
	while (!r->stop) {
		rc = sc_lua_timeline_step(r->S, run_now_ms(r), &next, &err);
		if (rc == -EINTR) {
			/* the guard saw a signal: let the loop read which */
			ev_loop_once(r->loop, 0);
			if (r->rc == 0)
				run_fail(r, -EINTR, "interrupted; everything torn down");
			r->stop = true;
			break;
		}
		if (rc < 0) {
			/* a scenario error, even when an operation failed under it */
			run_fail(r, DD_EINVAL, "%s", err.msg);
			r->stop = true;
			break;
		}
		if (rc == 1 || r->stop)
			break;
		if (run_now_ms(r) >= limit_ms) {
			run_say(r, "timeline exceeded max_duration; stopping");
			elog_mark(r->log, run_now_ms(r), "dnsdrill", "timeline exceeded max_duration");
			break;
		}
		uint64_t t = run_now_ms(r), wait_ms = 1000;
		if (next != UINT64_MAX)
			wait_ms = next > t ? next - t : 0;
		if (sc_lua_waiting(r->S) && wait_ms > 20)
			wait_ms = 20;    /* conditions are polled */
		ev_loop_once(r->loop, wait_ms * 1000);
	}
	/* keep watching for one stability window (plus a probe interval's
	 * slack), so the state the timeline ended in can be scored as stable */
	if (!r->stop) {
		uint64_t tail_end = run_now_ms(r) + r->sc->stable_ms + 500;
		while (!r->stop && run_now_ms(r) < tail_end)
			ev_loop_once(r->loop, (tail_end - run_now_ms(r)) * 1000);
	}
	if (r->phase_open)
		elog_phase(r->log, run_now_ms(r), false, r->phase);
	r->phase_open = false;
}

/* Probes first (so nothing scores the stopping), faultd's last counters,
 * the remotes' rules and zones put back, processes in reverse start order with faultd last, observers, then the
 * network. */
static void
shutdown_all(struct run *r)
{
	run_build_stop_probes(r);
	run_fault_stats_end(r);
	/* a remote faultd is left as the run found it, whatever ended it */
	run_remote_restore(r);
	run_proc_stop_all(r);
	run_build_close(r);
	run_status_stop(r);
	run_proc_free_all(r);
	if (r->topo && netns_teardown(r->topo) < 0)
		log_warnx("teardown: %s", netns_errmsg(r->topo));
}

/* Build, observe, play the timeline.  Returns with r->rc set on failure;
 * the caller tears down on every path. */
static int
play(struct run *r)
{
	int rc;

	if ((rc = run_build_network(r)) < 0 || (rc = run_build_start(r)) < 0 ||
	    (rc = run_build_observe(r)) < 0 || (rc = run_proc_settle(r)) < 0)
		return rc;
	if (r->tty)
		run_status_start(r);
	run_ops_install(r);
	/* signals reach the timeline even when its code is stuck */
	if ((rc = run_guard_start(r)) < 0)
		return rc;
	drive_timeline(r);
	run_guard_stop(r);
	return r->rc;
}

static void
free_run(struct run *r)
{
	if (r->sigfd >= 0) {
		if (r->loop)
			ev_io_del(r->loop, r->sigfd);
		close(r->sigfd);
	}
	free(r->watches);
	free(r->caps);
	free(r->procs);
	for (size_t i = 0; i < r->n_versions; i++) {
		free(r->versions[i].key);
		free(r->versions[i].value);
	}
	free(r->versions);
	free(r->probe_last);
	netns_topo_free(r->topo);
	elog_free(r->log);
	ev_loop_free(r->loop);
	sc_lua_free(r->S);
	scenario_free(r->sc);
}

/* Print the recorded error and turn it into the exit status. */
static int
failed(struct run *r)
{
	run_clear_status(r);
	if (r->err.msg[0])
		fprintf(stderr, "dnsdrill: %s\n", r->err.msg);
	return run_exit_code(r->rc < 0 ? r->rc : DD_EIO);
}

int
runner_main(const struct run_opts *o)
{
	struct run rr, *r = &rr;
	char started[32];
	uint64_t end_ms;
	bool pass = false;
	int code;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->sigfd = -1;
	r->quiet = o->quiet;
	r->tty = !o->quiet && isatty(2);
	if (load(r) < 0 ||
	    (o->check_only && check(r) < 0) ||
	    (!o->check_only && (preflight(r) < 0 || make_out_dir(r) < 0 || open_run(r) < 0))) {
		code = failed(r);
		goto out;
	}
	if (o->check_only) {
		code = RUN_PASS;
		goto out;
	}
	if (!o->quiet) {
		run_check_probe_timeouts(r, stderr);
		run_time_warn(r->sc, stderr);
	}
	/* the run's clock and the wall clock it is reported against start
	 * together: started is the wall-clock time of t_ms 0 */
	r->t0_us = dd_now_us();
	iso_now(started, sizeof(started));
	run_say(r, "scenario %s (seed %llu, speed %g), output in %s", r->sc->name,
	    (unsigned long long)r->sc->seed, r->sc->speed, r->out);

	play(r);
	end_ms = run_now_ms(r);
	shutdown_all(r);
	if (r->stop || r->rc < 0) {
		/* interrupted or broken: keep what was seen, verdict "error" */
		if (r->rc == 0)
			run_fail(r, DD_EIO, "the run stopped");
		run_clear_status(r);
		run_results_error(r, end_ms, started);
		code = failed(r);
		goto out;
	}
	if (run_results(r, end_ms, started, &pass) < 0)
		code = failed(r);
	else
		code = pass ? RUN_PASS : RUN_FAIL;
out:
	free_run(r);
	return code;
}
