/*
 * run_proc.c -- the processes of a run (faultd per dns server, and the
 * scenario's processes): adding them, starting them with their start
 * event, waiting until each is ready (its control socket answers, a TCP
 * port or URL answers, a log line appears, or a delay passed), their exits
 * and their output lines, which feed readiness and the watches.
 *
 * Start-up ends when the timeline begins (run_proc_settle): a process that
 * exited before then, or, without a ready check, within RUN_START_GRACE_MS
 * of its start, did not start.  Start-up failures are environment errors
 * (DD_EIO) carrying the process's exit status and last output; a ready check the scenario got wrong is a scenario error
 * (DD_EINVAL) with the declaration's file:line.
 *
 * After start-up, a faultd that dnsdrill did not stop ending is the
 * harness's fault, not the SUT's: the run stops at once as an environment
 * error naming the dns server (verdict "error", exit 3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/probe.h"
#include "harness/proc.h"
#include "harness/run_internal.h"
#include "lib/evloop.h"
#include "lib/util.h"
#include "model/elog.h"

int
run_proc_watches(struct run *r)
{
	r->watches = calloc(r->sc->n_watches + 1, sizeof(*r->watches));
	if (r->watches == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->sc->n_watches; i++) {
		r->watches[i].w = &r->sc->watches[i];
		regcomp(&r->watches[i].re, r->sc->watches[i].regex, REG_EXTENDED | REG_NOSUB);
		r->nwatches++;
	}
	return 0;
}

struct run_proc *
run_proc_find(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].p != NULL && strcmp(proc_name(r->procs[i].p), name) == 0)
			return &r->procs[i];
	return NULL;
}

struct run_proc *
run_proc_dns(struct run *r, const char *dns)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].dns && strcmp(r->procs[i].dns->name, dns) == 0)
			return &r->procs[i];
	return NULL;
}

/* A line of output, read at t_us: a watch event carries that moment (on
 * the run's clock), not the time the line was matched. */
static void
on_line(void *arg, struct proc *p, int stream, const char *line, uint64_t t_us)
{
	struct run_proc *rp = arg;
	struct run *r = rp->r;
	const char *name = proc_name(p);
	uint64_t t_ms = t_us > r->t0_us ? (t_us - r->t0_us) / 1000 : 0;

	if (rp->has_ready_re && !rp->ready && regexec(&rp->ready_re, line, 0, NULL, 0) == 0)
		rp->ready = true;
	for (size_t i = 0; i < r->nwatches; i++) {
		struct run_watch *w = &r->watches[i];
		if (strcmp(w->w->process, name) != 0 || !(w->w->stream & stream))
			continue;
		if (regexec(&w->re, line, 0, NULL, 0) != 0)
			continue;
		w->count++;
		elog_watch(r->log, t_ms, w->w->name, line);
		run_say(r, "watch %s: %s", w->w->name, line);
	}
}

static void
on_exit_cb(void *arg, struct proc *p, int code, int sig)
{
	struct run_proc *rp = arg;
	struct run *r = rp->r;

	rp->exit_code = code;
	rp->exit_sig = sig;
	elog_proc_exit(r->log, run_now_ms(r), proc_name(p), sig ? -1 : code, sig);
	if (!proc_stopping(p) && rp->dns != NULL && r->settled) {
		/* our own faultd died under the run: what follows would score
		 * the harness's fault as the SUT's, so the run ends here */
		if (sig)
			run_fail(r, DD_EIO, "dns '%s' (faultd) killed by signal %d", rp->dns->name, sig);
		else
			run_fail(r, DD_EIO, "dns '%s' (faultd) exited with status %d", rp->dns->name,
			    code);
		run_say(r, "%s", r->err.msg);
		r->stop = true;
	} else if (!proc_stopping(p)) {
		if (sig)
			run_say(r, "process %s died unexpectedly (signal %d)", proc_name(p), sig);
		else
			run_say(r, "process %s exited unexpectedly (status %d)", proc_name(p), code);
	}
}

/* The host a process runs on; "(here)" without a topology. */
static const char *
where(const struct run_proc *rp)
{
	const char *h = rp->decl ? rp->decl->host : rp->dns->host;

	return h != NULL ? h : "(here)";
}

int
run_proc_start(struct run *r, struct run_proc *rp)
{
	char cmd[1024] = "";
	struct dd_err err;
	size_t o = 0;
	int rc;

	if (rp->decl != NULL && (rc = run_scratch_prepare(r, rp->decl)) < 0)
		return rc;
	if ((rc = proc_start(rp->p, &err)) < 0)
		return run_fail(r, rc, "%s", err.msg);
	rp->started_us = dd_now_us();
	const char *const *argv = rp->decl ? (const char *const *)rp->decl->argv : NULL;
	if (argv)
		for (size_t i = 0; i < rp->decl->argc && o + 2 < sizeof(cmd); i++)
			o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, "%s%s", i ? " " : "", argv[i]);
	else
		snprintf(cmd, sizeof(cmd), "faultd (dns %s)", rp->dns->name);
	elog_proc_start(r->log, run_now_ms(r), proc_name(rp->p), cmd);
	run_say(r, "started %s on host %s (pid %d)", proc_name(rp->p), where(rp),
	    (int)proc_pid(rp->p));
	return 0;
}

/* A process that did not come up: an environment error with its output. */
static int
fail_start(struct run *r, struct run_proc *rp, const char *why)
{
	char tail[3000];

	proc_poll_output(rp->p);
	proc_tail(rp->p, tail, sizeof(tail), 8);
	return run_fail(r, DD_EIO, "process '%s' on host '%s' %s\n%s", proc_name(rp->p),
	    where(rp), why, tail[0] ? tail : "  (no output)\n");
}

/* "exited during start-up (status 4)" for a process that ended. */
static int
fail_exited(struct run *r, struct run_proc *rp)
{
	char why[96];

	if (rp->exit_sig)
		snprintf(why, sizeof(why), "exited during start-up (signal %d)", rp->exit_sig);
	else
		snprintf(why, sizeof(why), "exited during start-up (status %d)", rp->exit_code);
	return fail_start(r, rp, why);
}

static void
once_cb(void *arg, const char *name, bool ok, double latency_ms, uint64_t start_us,
    const char *detail)
{
	struct run_ready_wait *w = arg;

	(void)name;
	(void)latency_ms;
	(void)start_us;
	w->done = true;
	w->ok = ok;
	snprintf(w->detail, sizeof(w->detail), "%s", detail);
}

/* One TCP or HTTP ready attempt for d, answered into w. */
static int
ready_probe(struct run *r, const struct sc_process *d, struct run_ready_wait *w)
{
	struct probe_spec s = { .name = "ready", .host = d->host, .timeout_us = 500000 };
	struct dd_err e;

	memset(w, 0, sizeof(*w));
	if (d->ready == READY_TCP) {
		s.kind = PROBE_TCP;
		if (dd_sockaddr_parse(d->ready_arg, -1, &s.addr) < 0)
			return run_fail(r, DD_EINVAL, "%s:%d: process '%s': ready tcp '%s' is not ADDR:PORT",
			    r->sc->file, d->line, d->name, d->ready_arg);
	} else {
		s.kind = PROBE_HTTP;
		s.url = d->ready_arg;
	}
	if (prober_once(r->prober, &s, once_cb, w, &e) < 0)
		return run_fail(r, DD_EINVAL, "%s:%d: process '%s': ready: %s", r->sc->file,
		    d->line, d->name, e.msg);
	return 0;
}

int
run_proc_wait_ready(struct run *r, struct run_proc *rp)
{
	struct sc_process *d = rp->decl;
	uint64_t deadline = dd_now_us() + (d ? d->ready_timeout_us : 5000000);
	uint64_t ready_at = 0;
	/* in rp, not on this stack: an attempt may still be out when this
	 * returns (a failure), and its answer arrives later */
	struct run_ready_wait *w = &rp->ready_wait;
	bool probing = false;
	/* between failed TCP/HTTP attempts: 5 ms, doubling up to 100 ms, so a
	 * program that listens within milliseconds is not held up by a fixed
	 * pace, and one that takes seconds is not polled hard */
	uint64_t pace_us = 5000;
	int rc;

	memset(w, 0, sizeof(*w));
	if (d != NULL && d->ready == READY_DELAY)
		ready_at = dd_now_us() + d->ready_delay_us;
	while (!r->stop) {
		if (!proc_running(rp->p))
			return fail_exited(r, rp);
		if (dd_now_us() >= deadline)
			return fail_start(r, rp, "did not become ready in time");
		if (d == NULL) {
			/* faultd: ready when its control socket answers a ping
			 * (the answer arrives through the loop below) */
			if ((rc = run_fault_ping(r, rp)) < 0)
				return rc;
		} else if (d->ready == READY_NONE) {
			rp->ready = true;
		} else if (d->ready == READY_DELAY) {
			rp->ready = dd_now_us() >= ready_at;
		} else if (d->ready == READY_TCP || d->ready == READY_HTTP) {
			if (w->done && w->ok)
				rp->ready = true;
			else if (!probing || w->done) {
				/* no new attempt once ready: it would outlive us */
				if (w->done) {
					uint64_t now, until = dd_now_us() + pace_us;
					/* other events may end the wait early: keep the pace */
					while ((now = dd_now_us()) < until && !r->stop)
						ev_loop_once(r->loop, until - now);
					pace_us = pace_us * 2 > 100000 ? 100000 : pace_us * 2;
				}
				if ((rc = ready_probe(r, d, w)) < 0)
					return rc;
				probing = true;
			}
		}
		if (rp->ready)
			return 0;
		ev_loop_once(r->loop, 20000);
	}
	/* stopped (a signal): the reason is recorded already */
	return r->rc < 0 ? r->rc : -EINTR;
}

int
run_proc_settle(struct run *r)
{
	for (;;) {
		uint64_t now = dd_now_us(), until = now;

		/* exits that happened meanwhile reach us through the loop */
		ev_loop_once(r->loop, 0);
		if (r->stop)
			return r->rc < 0 ? r->rc : -EINTR;
		for (size_t i = 0; i < r->nprocs; i++) {
			struct run_proc *rp = &r->procs[i];

			if (rp->started_us == 0)
				continue;   /* autostart = false: the timeline's */
			if (!proc_running(rp->p))
				return fail_exited(r, rp);
			if (rp->decl != NULL && rp->decl->ready == READY_NONE &&
			    rp->started_us + RUN_START_GRACE_MS * 1000ull > until)
				until = rp->started_us + RUN_START_GRACE_MS * 1000ull;
		}
		if (until <= now) {
			r->settled = true;
			return 0;
		}
		ev_loop_once(r->loop, until - now < 20000 ? until - now : 20000);
	}
}

int
run_proc_add(struct run *r, const char *name, const char *host, char **argv,
    char **env, size_t n_env, const char *cwd, struct sc_process *decl, struct sc_dns *dns)
{
	struct run_proc *rp;
	const char **envp = NULL;

	rp = &r->procs[r->nprocs++];
	memset(rp, 0, sizeof(*rp));
	rp->r = r;
	rp->decl = decl;
	rp->dns = dns;
	if (n_env > 0) {
		/* the runner's environment plus the scenario's */
		extern char **environ;
		size_t n = 0;
		while (environ[n])
			n++;
		envp = calloc(n + n_env + 1, sizeof(*envp));
		if (envp == NULL)
			return run_fail(r, DD_ENOMEM, "out of memory");
		for (size_t i = 0; i < n; i++)
			envp[i] = environ[i];
		for (size_t i = 0; i < n_env; i++)
			envp[n + i] = env[i];
	}
	struct proc_spec s = { .name = name, .host = host, .argv = (const char *const *)argv,
		.envp = envp, .cwd = cwd, .out_dir = r->out,
		.user = decl ? decl->user : NULL, .group = decl ? decl->group : NULL };
	rp->p = proc_new(r->loop, r->topo, &s, on_line, on_exit_cb, rp);
	free(envp);
	if (rp->p == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	if (decl != NULL && decl->ready == READY_LOG &&
	    regcomp(&rp->ready_re, decl->ready_arg, REG_EXTENDED | REG_NOSUB) == 0)
		rp->has_ready_re = true;
	return 0;
}

void
run_proc_stop_all(struct run *r)
{
	for (size_t i = r->nprocs; i-- > 0;)
		if (r->procs[i].p && proc_running(r->procs[i].p))
			proc_stop_wait(r->procs[i].p, 2000);
}

void
run_proc_free_all(struct run *r)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		struct run_proc *rp = &r->procs[i];
		proc_free(rp->p);
		rp->p = NULL;
		if (rp->has_ready_re)
			regfree(&rp->ready_re);
		rp->has_ready_re = false;
		run_fault_close(rp);
		run_remote_free(rp);
		if (rp->dns && !rp->remote)   /* never a remote faultd's socket */
			unlink(rp->sock);
	}
	for (size_t i = 0; i < r->nwatches; i++)
		regfree(&r->watches[i].re);
	r->nwatches = 0;
}
