/*
 * run_fault.c -- the run's side of faultd's control protocol: one
 * asynchronous control client (faultd/ctl.h) per faultd, on the run's event
 * loop, so the probes, captures and watches never wait for faultd.
 *
 * inject() is answered at once with a handle of the run's own (the value
 * the scenario gets back and may pass to clear()); the rule reaches faultd
 * in the background.  The fault_inject event is logged when faultd
 * acknowledges the rule -- from then on it applies to the next packet --
 * and the fault_clear event when faultd acknowledges the last deletion the
 * clear() asked for.  Requests on one client are answered in order, so a
 * clear() issued before its inject() was acknowledged waits for that
 * acknowledgement and then deletes faultd's rule.
 *
 * A control request that fails (faultd refused, died, or did not answer)
 * is a run error: recorded with run_fail() and the run stops.
 *
 * faultd's counters are read (`stats json`) into the event log's readings
 * (elog_add_stats) for the report: on the same connection right after each
 * rule added (so the reading holds the new rule), right before the first
 * deletion of each clear() (so it holds the rules' final hits), at the end
 * of the run before faultd is stopped, and when the timeline asks
 * (stats()).  A reading's t_ms is when faultd's answer arrived.  A reading
 * that fails is kept as an error reading and does not stop the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/ctl.h"
#include "faultd/rule.h"
#include "harness/proc.h"
#include "harness/run_internal.h"
#include "lib/evloop.h"
#include "lib/util.h"
#include "model/elog.h"
#include "model/result.h"

/* How long faultd may take to answer one command on a local socket. */
#define FAULT_CTL_TIMEOUT_US 3000000
#define FAULT_PING_TIMEOUT_US 500000

enum run_fault_state { FAULT_ADDING, FAULT_ACTIVE, FAULT_DELETING };

/* A rule the timeline injected into one faultd. */
struct run_fault {
	uint64_t handle;            /* the run's id, returned to the scenario */
	uint64_t fid;               /* faultd's id, once acknowledged */
	enum run_fault_state state;
	struct run_clear *clear;    /* a clear() waiting for the add's answer */
};

/* One clear(): done when every deletion it asked for is acknowledged. */
struct run_clear {
	struct run_proc *rp;
	unsigned outstanding;
	char text[64];
};

/* The argument of one request's callback. */
struct run_req {
	struct run_proc *rp;
	uint64_t handle;
	struct run_clear *clear;    /* deletions only */
	char rule[];                /* additions only */
};

static struct run_fault *
find_fault(struct run_proc *rp, uint64_t handle)
{
	for (size_t i = 0; i < rp->n_faults; i++)
		if (rp->faults[i].handle == handle)
			return &rp->faults[i];
	return NULL;
}

static void
drop_fault(struct run_proc *rp, uint64_t handle)
{
	struct run_fault *f = find_fault(rp, handle);

	if (f != NULL)
		*f = rp->faults[--rp->n_faults];
}

/* One deletion of cl answered (or abandoned): log the clear when it was
 * the last, unless the run is being torn down (logged is false). */
static void
clear_done(struct run_clear *cl, bool logged)
{
	struct run *r = cl->rp->r;

	if (--cl->outstanding > 0)
		return;
	if (logged) {
		elog_fault(r->log, run_now_ms(r), false, cl->rp->dns->name, cl->text);
		run_say(r, "fault cleared on %s: %s", cl->rp->dns->name, cl->text);
	}
	free(cl);
}

static void
request_failed(struct run_proc *rp, int rc, const char *what, const char *errmsg)
{
	struct run *r = rp->r;

	/* faultd refusing a rule our own parser accepted is the scenario's
	 * problem to see (exit 2); losing faultd is the environment's */
	run_fail(r, rc == DD_EINVAL ? DD_EINVAL : rc, "dns '%s': %s: %s", rp->dns->name, what,
	    errmsg ? errmsg : dd_strerror(rc));
	r->stop = true;
}

static void send_del(struct run_proc *rp, struct run_fault *f, struct run_clear *cl);

static void
on_del(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct run_req *q = arg;
	struct run_proc *rp = q->rp;

	(void)status, (void)data, (void)data_len;
	if (rc == 0) {
		drop_fault(rp, q->handle);
		clear_done(q->clear, true);
	} else if (rc == CTL_ECANCELED) {
		clear_done(q->clear, false);
	} else {
		char what[64];

		snprintf(what, sizeof(what), "clearing rule %llu", (unsigned long long)q->handle);
		request_failed(rp, rc, what, errmsg);
		clear_done(q->clear, false);
	}
	free(q);
}

static void
send_del(struct run_proc *rp, struct run_fault *f, struct run_clear *cl)
{
	struct run_req *q = calloc(1, sizeof(*q));
	char line[64];
	int rc;

	if (q == NULL) {
		request_failed(rp, DD_ENOMEM, "clearing a rule", "out of memory");
		clear_done(cl, false);
		return;
	}
	q->rp = rp;
	q->handle = f->handle;
	q->clear = cl;
	f->state = FAULT_DELETING;
	snprintf(line, sizeof(line), "rule del %llu", (unsigned long long)f->fid);
	if ((rc = ctl_client_send(rp->ctl, line, FAULT_CTL_TIMEOUT_US, on_del, q)) < 0) {
		free(q);
		request_failed(rp, rc, "clearing a rule", NULL);
		clear_done(cl, false);
	}
}

static void
on_add(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct run_req *q = arg;
	struct run_proc *rp = q->rp;
	struct run *r = rp->r;
	struct run_fault *f = find_fault(rp, q->handle);
	char *end = NULL;
	unsigned long long fid = 0;

	(void)status, (void)data_len;
	if (rc == 0) {
		fid = strtoull(data, &end, 10);
		if (end == data)
			rc = DD_EIO, errmsg = "faultd's answer has no rule id";
	}
	if (rc == 0 && f != NULL) {
		f->fid = fid;
		f->state = FAULT_ACTIVE;
		elog_fault(r->log, run_now_ms(r), true, rp->dns->name, q->rule);
		run_say(r, "fault injected on %s (rule %llu): %s", rp->dns->name,
		    (unsigned long long)q->handle, q->rule);
		if (f->clear != NULL) {
			struct run_clear *cl = f->clear;

			f->clear = NULL;
			send_del(rp, f, cl);
		}
	} else if (f != NULL) {
		struct run_clear *cl = f->clear;

		if (rc != CTL_ECANCELED) {
			char what[600];

			snprintf(what, sizeof(what), "rule \"%s\"", q->rule);
			request_failed(rp, rc, what, errmsg);
		}
		drop_fault(rp, q->handle);
		if (cl != NULL)
			clear_done(cl, false);
	}
	free(q);
}

/* ---------------- what a remote must get back ---------------- */

/* A rule sent to a remote, as faultd lists it (rule_parse's canonical
 * text): found again at the end should its id never come back. */
static void
remote_note_rule(struct run_remote *m, const char *rule)
{
	struct rule *ru;
	struct dd_err e;
	char **g, *c;

	if (rule_parse(rule, &ru, &e) < 0)
		return;
	c = strdup(ru->text);
	rule_free(ru);
	for (size_t i = 0; c != NULL && i < m->n_sent; i++)
		if (strcmp(m->sent[i], c) == 0) {
			free(c);
			return;
		}
	if (c == NULL || (g = realloc(m->sent, (m->n_sent + 1) * sizeof(*g))) == NULL) {
		free(c);
		return;
	}
	m->sent = g;
	g[m->n_sent++] = c;
}

static void
remote_zone_add(struct run_remote *m, const char *name, size_t len, bool find)
{
	for (size_t i = 0; i < m->n_zones; i++)
		if (strlen(m->zones[i].name) == len && strncmp(m->zones[i].name, name, len) == 0 &&
		    m->zones[i].find == find)
			return;
	if (m->n_zones < RUN_REMOTE_ZONES_MAX &&
	    (m->zones[m->n_zones].name = strndup(name, len)) != NULL)
		m->zones[m->n_zones++].find = find;
}

/* A live change acknowledged: faultd names the zone it changed ("zone
 * example.com.: ...", "... in zone example.com.", "... from zone ..."),
 * except for `record ttl NAME`, whose zone is found from NAME at the end. */
static void
remote_note_zone(struct run_remote *m, const char *line, const char *status)
{
	const char *z;

	if (status != NULL && (z = strstr(status, "zone ")) != NULL) {
		z += 5;
		remote_zone_add(m, z, strcspn(z, ": "), false);
	} else if (line != NULL && strncmp(line, "record ttl ", 11) == 0) {
		remote_zone_add(m, line + 11, strcspn(line + 11, " "), true);
	}
}

/* ---------------- live zone changes ---------------- */

/* One zone change on its way: where the timeline asked for it. */
struct run_zone_req {
	struct run_proc *rp;
	char *line;                 /* the command (a remote's reset needs it) */
	char where[];
};

static void
on_zone(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct run_zone_req *q = arg;
	struct run_proc *rp = q->rp;
	struct run *r = rp->r;

	(void)data, (void)data_len;
	if (rc == 0) {
		elog_zone(r->log, run_now_ms(r), rp->dns->name, status);
		run_say(r, "zone change on %s: %s", rp->dns->name, status);
		if (rp->rem != NULL)
			remote_note_zone(rp->rem, q->line, status);
	} else if (rc != CTL_ECANCELED) {
		/* faultd refused (the old data still answers) or is gone */
		run_fail(r, rc == DD_EINVAL ? DD_EINVAL : rc, "%s: faultd refused: %s",
		    q->where, errmsg ? errmsg : dd_strerror(rc));
		r->stop = true;
	}
	free(q->line);
	free(q);
}

int
run_fault_zone(struct run *r, struct run_proc *rp, const char *line,
    const char *where, struct dd_err *err)
{
	size_t wl = strlen(where) + 1;
	struct run_zone_req *q = malloc(sizeof(*q) + wl);
	int rc = 0;

	(void)r;
	if (q == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	q->rp = rp;
	memcpy(q->where, where, wl);
	q->line = strdup(line);
	if (q->line == NULL ||
	    (rc = ctl_client_send(rp->ctl, line, FAULT_CTL_TIMEOUT_US, on_zone, q)) < 0) {
		if (q->line == NULL)
			rc = DD_ENOMEM;
		free(q->line);
		free(q);
		dd_err_set(err, "cannot send the change to faultd: %s", dd_strerror(rc));
	}
	return rc;
}

/* ---------------- faultd's counters ---------------- */

/* One `stats json` on its way. */
struct run_stats_req {
	struct run_proc *rp;
	enum elog_stats_why why;
	run_fault_stats_cb done;    /* NULL: nobody waits for it */
	void *arg;
	bool *outstanding;          /* the end of the run counts these */
};

/* Keep a reading that failed, saying why. */
static const struct elog_stats *
stats_error(struct run *r, struct run_proc *rp, enum elog_stats_why why, const char *msg)
{
	struct elog_stats s = { .t_ms = run_now_ms(r), .dns = rp->dns->name, .why = why,
		.error = msg };

	if (elog_add_stats(r->log, &s) < 0)
		return NULL;
	run_say(r, "dns %s: counters not read (%s): %s", rp->dns->name,
	    elog_stats_why_name(why), msg);
	return &r->log->stats[r->log->n_stats - 1];
}

static void
on_stats(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct run_stats_req *q = arg;
	struct run_proc *rp = q->rp;
	struct run *r = rp->r;
	const struct elog_stats *st = NULL;
	char msg[300];

	(void)status;
	if (q->outstanding != NULL)
		*q->outstanding = false;
	if (rc == CTL_ECANCELED) {
		snprintf(msg, sizeof(msg), "the run ended first");
	} else if (rc != 0) {
		snprintf(msg, sizeof(msg), "faultd did not answer: %s",
		    errmsg ? errmsg : dd_strerror(rc));
		st = stats_error(r, rp, q->why, msg);
	} else {
		struct dd_err e = { "" };
		int prc = result_json_read_stats(r->log, run_now_ms(r), rp->dns->name, q->why,
		    data, data_len, &e);

		if (prc == 0) {
			st = &r->log->stats[r->log->n_stats - 1];
		} else {
			snprintf(msg, sizeof(msg), "%s", e.msg);
			st = stats_error(r, rp, q->why, msg);
		}
	}
	if (q->done != NULL)
		q->done(q->arg, st && st->error == NULL ? st : NULL, st && st->error ? st->error : msg);
	free(q);
}

int
run_fault_stats(struct run *r, struct run_proc *rp, enum elog_stats_why why,
    run_fault_stats_cb done, void *arg)
{
	struct run_stats_req *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL)
		return DD_ENOMEM;
	q->rp = rp;
	q->why = why;
	q->done = done;
	q->arg = arg;
	if ((rc = ctl_client_send(rp->ctl, "stats json", FAULT_CTL_TIMEOUT_US, on_stats, q)) < 0) {
		free(q);
		if (done == NULL)
			stats_error(r, rp, why, dd_strerror(rc));
		return rc;
	}
	return 0;
}

void
run_fault_stats_end(struct run *r)
{
	bool *out = calloc(r->nprocs + 1, sizeof(*out));
	struct run_stats_req **qs = calloc(r->nprocs + 1, sizeof(*qs));
	uint64_t deadline = dd_now_us() + FAULT_CTL_TIMEOUT_US;
	bool waiting = false;

	if (out == NULL || qs == NULL) {
		free(out);
		free(qs);
		return;
	}
	for (size_t i = 0; i < r->nprocs; i++) {
		struct run_proc *rp = &r->procs[i];
		struct run_stats_req *q;

		if (rp->dns == NULL || rp->ctl == NULL || !rp->ready)
			continue;       /* never came up: nothing to read */
		if (!rp->remote && (rp->p == NULL || !proc_running(rp->p))) {
			stats_error(r, rp, ELOG_STATS_END, "faultd was not running");
			continue;
		}
		if ((q = calloc(1, sizeof(*q))) == NULL)
			break;
		*q = (struct run_stats_req){ .rp = rp, .why = ELOG_STATS_END,
			.outstanding = &out[i] };
		out[i] = true;
		qs[i] = q;
		if (ctl_client_send(rp->ctl, "stats json", FAULT_CTL_TIMEOUT_US, on_stats, q) < 0) {
			out[i] = false;
			free(q);
			stats_error(r, rp, ELOG_STATS_END, "cannot send the request");
		}
	}
	/* the answers come through the loop, each within its timeout */
	do {
		waiting = false;
		for (size_t i = 0; i < r->nprocs; i++)
			waiting = waiting || out[i];
		if (waiting)
			ev_loop_once(r->loop, 20000);
	} while (waiting && dd_now_us() < deadline + 100000);
	for (size_t i = 0; i < r->nprocs; i++) {
		if (!out[i])
			continue;
		/* not expected (the request's own timer fires first); its late
		 * answer must not write into out */
		qs[i]->outstanding = NULL;
		stats_error(r, &r->procs[i], ELOG_STATS_END, "no answer in time");
	}
	free(out);
	free(qs);
}

int
run_fault_connect(struct run *r, struct run_proc *rp)
{
	struct dd_err e;

	if ((rp->ctl = ctl_client_new(r->loop, rp->sock, &e)) == NULL)
		return run_fail(r, DD_ENOMEM, "dns '%s': control client: %s", rp->dns->name, e.msg);
	return 0;
}

static void
on_ping(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct run_proc *rp = arg;

	(void)status, (void)data, (void)data_len, (void)errmsg;
	rp->ping_out = false;
	if (rc == 0)
		rp->ready = true;
}

int
run_fault_ping(struct run *r, struct run_proc *rp)
{
	int rc;

	if (rp->ping_out || rp->ready)
		return 0;
	if ((rc = ctl_client_send(rp->ctl, "ping", FAULT_PING_TIMEOUT_US, on_ping, rp)) < 0)
		return run_fail(r, rc, "dns '%s': control client: %s", rp->dns->name, dd_strerror(rc));
	rp->ping_out = true;
	return 0;
}

int
run_fault_inject(struct run *r, struct run_proc *rp, const char *rule, uint64_t *handle,
    struct dd_err *err)
{
	size_t len = strlen(rule);
	struct run_req *q;
	struct run_fault *f;
	char *line;
	int rc;

	if (rp->n_faults == rp->cap_faults) {
		size_t cap = rp->cap_faults ? rp->cap_faults * 2 : 8;
		struct run_fault *nf = realloc(rp->faults, cap * sizeof(*nf));
		if (nf == NULL)
			goto oom;
		rp->faults = nf;
		rp->cap_faults = cap;
	}
	if ((q = calloc(1, sizeof(*q) + len + 1)) == NULL)
		goto oom;
	if (asprintf(&line, "rule add %s", rule) < 0) {
		free(q);
		goto oom;
	}
	q->rp = rp;
	q->handle = ++r->fault_seq;
	memcpy(q->rule, rule, len + 1);
	if (rp->rem != NULL)
		remote_note_rule(rp->rem, rule);
	rc = ctl_client_send(rp->ctl, line, FAULT_CTL_TIMEOUT_US, on_add, q);
	free(line);
	if (rc < 0) {
		free(q);
		dd_err_set(err, "cannot send the rule to faultd: %s", dd_strerror(rc));
		return rc;
	}
	/* answered after the add: the reading holds the new rule */
	(void)run_fault_stats(r, rp, ELOG_STATS_INJECT, NULL, NULL);
	f = &rp->faults[rp->n_faults++];
	memset(f, 0, sizeof(*f));
	f->handle = q->handle;
	f->state = FAULT_ADDING;
	*handle = q->handle;
	return 0;
oom:
	dd_err_set(err, "out of memory");
	return DD_ENOMEM;
}

int
run_fault_clear(struct run *r, struct run_proc *rp, uint64_t handle, struct dd_err *err)
{
	struct run_clear *cl = calloc(1, sizeof(*cl));

	if (cl == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	cl->rp = rp;
	cl->outstanding = 1;   /* held until every deletion is under way */
	/* sent before any deletion: the reading holds the rules' last hits */
	if (!r->stop)
		(void)run_fault_stats(r, rp, ELOG_STATS_CLEAR, NULL, NULL);
	if (handle != 0)
		snprintf(cl->text, sizeof(cl->text), "rule %llu", (unsigned long long)handle);
	else
		snprintf(cl->text, sizeof(cl->text), "all injected rules");
	for (size_t i = 0; i < rp->n_faults; i++) {
		struct run_fault *f = &rp->faults[i];

		if ((handle != 0 && f->handle != handle) || f->clear != NULL ||
		    f->state == FAULT_DELETING)
			continue;
		cl->outstanding++;
		if (f->state == FAULT_ADDING) {
			f->clear = cl;      /* deleted once faultd says its id */
		} else {
			send_del(rp, f, cl);
		}
	}
	clear_done(cl, !r->stop);
	return 0;
}

void
run_fault_settle(struct run *r, struct run_proc *rp)
{
	uint64_t deadline = dd_now_us() + FAULT_CTL_TIMEOUT_US + 500000;
	bool busy = true;

	while (busy && dd_now_us() < deadline) {
		busy = false;
		for (size_t i = 0; i < rp->n_faults; i++)
			busy = busy || rp->faults[i].state != FAULT_ACTIVE;
		if (busy)
			ev_loop_once(r->loop, 20000);
	}
}

bool
run_fault_is_ours(const struct run_proc *rp, unsigned long long fid)
{
	for (size_t i = 0; i < rp->n_faults; i++)
		if (rp->faults[i].state != FAULT_ADDING && rp->faults[i].fid == fid)
			return true;
	return false;
}

void
run_fault_close(struct run_proc *rp)
{
	ctl_client_free(rp->ctl);   /* pending callbacks run, cancelled */
	rp->ctl = NULL;
	free(rp->faults);
	rp->faults = NULL;
	rp->n_faults = rp->cap_faults = 0;
}
