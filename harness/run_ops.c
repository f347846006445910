/*
 * run_ops.c -- what the timeline does to a run, as struct sc_ops for the
 * Lua bindings: phases and marks into the event log, faults injected into
 * and cleared from a faultd over its control socket, processes started,
 * stopped and killed, and the answers to seen(), probe_ok() and stats().
 * Faults travel through run_fault.c, which never makes the timeline wait;
 * stats() makes only its own coroutine wait for faultd's answer.
 *
 * Each operation returns 0 or a negative code with a message for the
 * binding, which raises it as a Lua error at the timeline's file:line.
 * Rules arrive here already checked by faultd's own parser (lua_api.c).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lua_api.h"
#include "harness/proc.h"
#include "harness/run_internal.h"
#include "model/elog.h"

static void
op_phase(void *arg, const char *name)
{
	struct run *r = arg;
	uint64_t t = run_now_ms(r);

	if (r->phase_open)
		elog_phase(r->log, t, false, r->phase);
	snprintf(r->phase, sizeof(r->phase), "%s", name);
	r->phase_open = true;
	elog_phase(r->log, t, true, name);
	run_say(r, "phase %s", name);
	/* a reading of every faultd at each phase start: a fault window
	 * named by phases (score { fault = ... }) gets its own readings */
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].dns != NULL && r->procs[i].ctl != NULL &&
		    r->procs[i].ready)
			(void)run_fault_stats(r, &r->procs[i], ELOG_STATS_PHASE, NULL, NULL);
}

static void
op_mark(void *arg, const char *text)
{
	struct run *r = arg;

	elog_mark(r->log, run_now_ms(r), "scenario", text);
	run_say(r, "mark: %s", text);
}

static int
op_inject(void *arg, const char *dns, const char *rule, uint64_t *id, struct dd_err *err)
{
	struct run *r = arg;
	struct run_proc *rp = run_proc_dns(r, dns);

	if (rp == NULL) {
		dd_err_set(err, "no dns server '%s'", dns);
		return DD_ENOTFOUND;
	}
	return run_fault_inject(r, rp, rule, id, err);
}

static int
op_clear(void *arg, const char *dns, uint64_t id, struct dd_err *err)
{
	struct run *r = arg;
	struct run_proc *rp = run_proc_dns(r, dns);

	if (rp == NULL) {
		dd_err_set(err, "no dns server '%s'", dns);
		return DD_ENOTFOUND;
	}
	return run_fault_clear(r, rp, id, err);
}

static int
op_proc(void *arg, const char *name, const char *what, struct dd_err *err)
{
	struct run *r = arg;
	struct run_proc *rp = run_proc_find(r, name);
	int rc;

	if (rp == NULL && (rp = run_proc_dns(r, name)) != NULL && rp->remote) {
		dd_err_set(err, "dns '%s' is a remote faultd: dnsdrill does not start or stop it",
		    name);
		return DD_EINVAL;
	}
	if (rp == NULL) {
		dd_err_set(err, "no process '%s'", name);
		return DD_ENOTFOUND;
	}
	if (strcmp(what, "start") == 0) {
		if (proc_running(rp->p)) {
			dd_err_set(err, "already running");
			return DD_EINVAL;
		}
		if ((rc = run_proc_start(r, rp)) < 0) {
			/* the run cannot go on without it */
			dd_err_set(err, "%s", r->err.msg);
			r->stop = true;
			return rc;
		}
		return 0;
	}
	if (!proc_running(rp->p)) {
		dd_err_set(err, "not running");
		return DD_EINVAL;
	}
	elog_mark(r->log, run_now_ms(r), name, what);
	run_say(r, "%s %s", what, name);
	return proc_signal(rp->p, strcmp(what, "kill") == 0 ? SIGKILL : SIGTERM);
}

static long
op_watch_count(void *arg, const char *name)
{
	struct run *r = arg;

	for (size_t i = 0; i < r->nwatches; i++)
		if (strcmp(r->watches[i].w->name, name) == 0)
			return r->watches[i].count;
	return -1;
}

static int
op_probe_last(void *arg, const char *name)
{
	struct run *r = arg;

	for (size_t i = 0; i < r->sc->n_probes; i++)
		if (strcmp(r->sc->probes[i].name, name) == 0)
			return r->probe_last[i];
	return -1;
}

/* A stats() in the timeline waiting for faultd. */
struct op_stats_wait {
	struct run *r;
	unsigned token;
};

static void
stats_done(void *arg, const struct elog_stats *st, const char *err)
{
	struct op_stats_wait *w = arg;

	sc_lua_stats_done(w->r->S, w->token, st, err);
	free(w);
}

static int
op_stats(void *arg, const char *dns, unsigned token, struct dd_err *err)
{
	struct run *r = arg;
	struct run_proc *rp = run_proc_dns(r, dns);
	struct op_stats_wait *w;
	int rc;

	if (rp == NULL) {
		dd_err_set(err, "no dns server '%s'", dns);
		return DD_ENOTFOUND;
	}
	if ((w = malloc(sizeof(*w))) == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	*w = (struct op_stats_wait){ r, token };
	if ((rc = run_fault_stats(r, rp, ELOG_STATS_TIMELINE, stats_done, w)) < 0) {
		free(w);
		dd_err_set(err, "cannot ask faultd: %s", dd_strerror(rc));
	}
	return rc;
}

static int
op_zone(void *arg, const char *dns, const char *line, const char *where,
    struct dd_err *err)
{
	struct run *r = arg;
	struct run_proc *rp = run_proc_dns(r, dns);

	if (rp == NULL) {
		dd_err_set(err, "no dns server '%s'", dns);
		return DD_ENOTFOUND;
	}
	return run_fault_zone(r, rp, line, where, err);
}

void
run_ops_install(struct run *r)
{
	const struct sc_ops ops = { .arg = r, .phase = op_phase, .mark = op_mark,
		.inject = op_inject, .clear = op_clear, .proc = op_proc,
		.watch_count = op_watch_count, .probe_last = op_probe_last,
		.stats = op_stats, .zone = op_zone };

	sc_lua_set_ops(r->S, &ops);
}
