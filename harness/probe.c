/*
 * probe.c -- the prober: probes from specs, their schedule, their results.
 *
 * This file knows the kinds only as the table below: a spec's kind picks
 * its struct probe_ops once, when the probe is built, and everything
 * kind-specific (checks, sockets, children, what a reply means) goes
 * through it.  Attempts are started, settled and dropped through the
 * attempt layer (probe_attempt.c), which hands finished ones back to
 * report() here.
 *
 * The schedule is an absolute grid on the prober's clock: attempt k of a
 * probe is due at grid_start + k * interval, whenever the tick before it
 * ran.  Time is read only through p->env.clock, so a virtual clock drives
 * all of it in tests.
 */
#include "harness/probe.h"
#include "harness/probe_kind.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"
#include "netns/netns.h"

/* The kinds, by enum probe_kind: the one place that names them. */
static const struct probe_ops *const kinds[] = {
	[PROBE_DNS] = &probe_dns_ops,
	[PROBE_HTTP] = &probe_http_ops,
	[PROBE_TCP] = &probe_tcp_ops,
	[PROBE_EXEC] = &probe_exec_ops,
};

/* A probe with its place in the prober. */
struct slot {
	struct probe pr;              /* first: what the kind sees */
	struct prober *owner;
	struct slot *next;

	/* schedule */
	bool scheduled;
	uint64_t grid_start, k;
	void *tick;                   /* clock timer */
	struct probe_attempt *running;
	struct probe_stats stats;

	/* prober_once() */
	bool once;
	probe_cb once_cb;
	void *once_arg;
};

struct prober {
	struct probe_env env;         /* what its probes share */
	probe_cb cb;
	void *cb_arg;
	probe_sched_hook hook;
	void *hook_arg;
	struct slot *probes;          /* scheduled ones, in add order */
	struct slot *onces;
	bool started;
};

static void schedule_next(struct slot *s, uint64_t now);

static uint64_t
now_us(const struct prober *p)
{
	return p->env.clock.now_us(p->env.clock.ctx);
}

static void *
timer_at(struct prober *p, uint64_t when, void (*cb)(struct ev_loop *, void *),
    void *arg)
{
	return p->env.clock.timer_at(p->env.clock.ctx, when, cb, arg);
}

static void
timer_cancel(struct prober *p, void **t)
{
	if (*t != NULL)
		p->env.clock.timer_cancel(p->env.clock.ctx, *t);
	*t = NULL;
}

/* ------------------------------------------------------------------ */
/* the real clock: monotonic time, timers on the loop */

static uint64_t
real_now(void *ctx)
{
	(void)ctx;
	return dd_now_us();
}

static void *
real_timer_at(void *ctx, uint64_t when, void (*cb)(struct ev_loop *, void *),
    void *arg)
{
	uint64_t now = dd_now_us();

	return ev_timer_add(ctx, when > now ? when - now : 0, cb, arg);
}

static void
real_timer_cancel(void *ctx, void *t)
{
	ev_timer_cancel(ctx, t);
}

/* ------------------------------------------------------------------ */
/* names */

static const struct probe_ops *
kind_ops(int kind)
{
	if (kind < 0 || (size_t)kind >= DD_ARRAY_LEN(kinds))
		return NULL;
	return kinds[kind];
}

const char *
probe_kind_name(enum probe_kind kind)
{
	const struct probe_ops *ops = kind_ops((int)kind);

	return ops != NULL ? ops->name : "?";
}

int
probe_kind_parse(const char *s)
{
	for (size_t k = 0; s != NULL && k < DD_ARRAY_LEN(kinds); k++)
		if (kinds[k] != NULL && strcasecmp(s, kinds[k]->name) == 0)
			return (int)k;
	return -1;
}

/* ------------------------------------------------------------------ */
/* spec copy and validation */

static char *
xstrdup(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

static const char **
strv_dup(const char *const *v, bool *oom)
{
	size_t n = 0;
	const char **d;

	if (v == NULL)
		return NULL;
	while (v[n] != NULL)
		n++;
	if ((d = calloc(n + 1, sizeof(*d))) == NULL) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = xstrdup(v[i], oom);
	return d;
}

static void
strv_free(const char *const *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free((char *)(uintptr_t)v[i]);
	free((void *)(uintptr_t)v);
}

static void
slot_free(struct slot *s)
{
	struct probe_spec *sp;

	if (s == NULL)
		return;
	sp = &s->pr.spec;
	if (s->pr.ops != NULL)
		s->pr.ops->release(&s->pr);
	free((char *)(uintptr_t)sp->name);
	free((char *)(uintptr_t)sp->host);
	free((char *)(uintptr_t)sp->qname);
	free((char *)(uintptr_t)sp->expect_answer);
	free((char *)(uintptr_t)sp->url);
	free((char *)(uintptr_t)sp->body_match);
	strv_free(sp->argv);
	strv_free(sp->envp);
	free(s);
}

/* Build a probe from spec: copy, apply defaults, check, derive.  env may
 * be NULL (only checking). */
static int
slot_build(struct probe_env *env, const struct probe_spec *spec, bool have_topo,
    bool need_name, struct slot **out, struct dd_err *err)
{
	const struct probe_ops *ops = kind_ops((int)spec->kind);
	const char *nm = spec->name ? spec->name : "once";
	struct probe_spec *sp;
	struct slot *s;
	bool oom = false;
	int r;

	*out = NULL;
	if (need_name && (spec->name == NULL || spec->name[0] == '\0')) {
		dd_err_set(err, "probe: missing name");
		return DD_EINVAL;
	}
	if (spec->host != NULL && !have_topo) {
		dd_err_set(err, "probe '%s': host '%s' given but there is no topology",
		    nm, spec->host);
		return DD_EINVAL;
	}
	if (ops == NULL) {
		dd_err_set(err, "probe '%s': unknown kind %d", nm, (int)spec->kind);
		return DD_EINVAL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return DD_ENOMEM;
	s->pr.env = env;
	sp = &s->pr.spec;
	*sp = *spec;
	sp->name = xstrdup(nm, &oom);
	sp->host = xstrdup(spec->host, &oom);
	sp->qname = xstrdup(spec->qname, &oom);
	sp->expect_answer = xstrdup(spec->expect_answer, &oom);
	sp->url = xstrdup(spec->url, &oom);
	sp->body_match = xstrdup(spec->body_match, &oom);
	sp->argv = strv_dup(spec->argv, &oom);
	sp->envp = strv_dup(spec->envp, &oom);
	if (oom) {
		r = DD_ENOMEM;
		goto fail;
	}
	if (sp->interval_us == 0)
		sp->interval_us = PROBE_DEFAULT_INTERVAL_US;
	if (sp->timeout_us == 0)
		sp->timeout_us = sp->interval_us < PROBE_DEFAULT_TIMEOUT_US ?
		    sp->interval_us : PROBE_DEFAULT_TIMEOUT_US;
	s->pr.ops = ops;
	if ((r = ops->prepare(&s->pr, err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	slot_free(s);
	return r;
}

int
probe_spec_check(const struct probe_spec *spec, bool have_topo, struct dd_err *err)
{
	struct slot *s;
	int r = slot_build(NULL, spec, have_topo, true, &s, err);

	slot_free(s);
	return r;
}

/* ------------------------------------------------------------------ */
/* results */

static void
unlink_once(struct prober *p, struct slot *s)
{
	for (struct slot **pp = &p->onces; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			return;
		}
}

/* env->report: a finished attempt is counted, reported and freed. */
static void
report(struct probe_attempt *a)
{
	struct slot *s = (struct slot *)a->pr;
	struct prober *p = s->owner;
	char detail[PROBE_DETAIL_MAX];
	bool ok = a->ok;
	double lat = (double)(a->end_us - a->start_us) / 1000.0;
	uint64_t start = a->start_us;

	/* a timeout reports the timeout, not when we got round to it */
	if (a->timed_out)
		lat = (double)s->pr.spec.timeout_us / 1000.0;
	memcpy(detail, a->detail, sizeof(detail));
	s->running = NULL;
	probe_attempt_free(a);
	if (s->once) {
		unlink_once(p, s);
		s->once_cb(s->once_arg, s->pr.spec.name, ok, lat, start, detail);
		slot_free(s);
		return;
	}
	if (ok)
		s->stats.ok++;
	else
		s->stats.fail++;
	s->stats.last_latency_ms = lat;
	if (p->cb != NULL)
		p->cb(p->cb_arg, s->pr.spec.name, ok, lat, start, detail);
}

static void
abandon(struct slot *s)
{
	struct probe_attempt *a = s->running;

	s->running = NULL;
	probe_attempt_free(a);
}

/* Start an attempt of s due at due_us (0: not on a grid).  0 or
 * DD_ENOMEM. */
static int
attempt_start(struct slot *s, uint64_t due_us)
{
	struct probe_attempt *a = probe_attempt_new(&s->pr);
	uint64_t now = now_us(s->owner);

	if (a == NULL)
		return DD_ENOMEM;
	s->running = a;
	/* deadline measured from the grid so timeout <= interval never
	 * overlaps the next tick */
	if (probe_attempt_run(a, now, (due_us ? due_us : now) + s->pr.spec.timeout_us) < 0) {
		abandon(s);
		return DD_ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* schedule */

static void
tick_cb(struct ev_loop *loop, void *arg)
{
	struct slot *s = arg;
	struct prober *p = s->owner;
	uint64_t now = now_us(p);
	uint64_t due = s->grid_start + s->k * s->pr.spec.interval_us;
	bool started = false;

	s->tick = NULL;
	if (now > due && now - due > s->stats.late_max_us)
		s->stats.late_max_us = now - due;
	/* an attempt that ended or is past its deadline, with its timer not
	 * run yet, is reported now (its callback may stop us) */
	if (s->running != NULL)
		probe_attempt_settle(s->running, now);
	if (!s->scheduled)
		return;
	if (s->running != NULL) {
		s->stats.skipped++;
	} else if (attempt_start(s, due) < 0) {
		log_warnx("probe '%s': out of memory, attempt skipped", s->pr.spec.name);
		s->stats.skipped++;
	} else {
		s->stats.sent++;
		started = true;
	}
	if (p->hook != NULL)
		p->hook(p->hook_arg, s->pr.spec.name, due, now, started);
	if (s->scheduled && s->tick == NULL)
		schedule_next(s, now);
}

static void
schedule_next(struct slot *s, uint64_t now)
{
	uint64_t iv = s->pr.spec.interval_us;
	uint64_t next = s->k + 1;

	/* grid points already past were never run: count them as skipped */
	if (s->grid_start + next * iv <= now) {
		uint64_t first_future = (now - s->grid_start) / iv + 1;
		s->stats.skipped += first_future - next;
		next = first_future;
	}
	s->k = next;
	s->tick = timer_at(s->owner, s->grid_start + next * iv, tick_cb, s);
	if (s->tick == NULL) {
		log_warnx("probe '%s': out of memory, schedule stopped", s->pr.spec.name);
		s->scheduled = false;
	}
}

static int
slot_schedule(struct slot *s, uint64_t start)
{
	s->grid_start = start;
	s->k = 0;
	s->scheduled = true;
	s->tick = timer_at(s->owner, start, tick_cb, s);
	if (s->tick == NULL) {
		s->scheduled = false;
		return DD_ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* public */

struct prober *
prober_new_clock(struct ev_loop *loop, struct netns_topo *topo,
    const struct probe_clock *clock, probe_cb cb, void *arg)
{
	struct prober *p;

	if (loop == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->env.loop = loop;
	p->env.topo = topo;
	if (clock != NULL)
		p->env.clock = *clock;
	else
		p->env.clock = (struct probe_clock){ .ctx = loop, .now_us = real_now,
			.timer_at = real_timer_at, .timer_cancel = real_timer_cancel };
	p->env.report = report;
	p->cb = cb;
	p->cb_arg = arg;
	return p;
}

struct prober *
prober_new(struct ev_loop *loop, struct netns_topo *topo, probe_cb cb, void *arg)
{
	return prober_new_clock(loop, topo, NULL, cb, arg);
}

static int
check_host(struct prober *p, const struct slot *s, struct dd_err *err)
{
	const char *host = s->pr.spec.host;

	if (host != NULL && netns_nsname(p->env.topo, host) == NULL) {
		dd_err_set(err, "probe '%s': unknown host '%s'", s->pr.spec.name, host);
		return DD_EINVAL;
	}
	return 0;
}

int
prober_add(struct prober *p, const struct probe_spec *spec, struct dd_err *err)
{
	struct slot *s, **tail;
	int r;

	if ((r = slot_build(&p->env, spec, p->env.topo != NULL, true, &s, err)) < 0)
		return r;
	if ((r = check_host(p, s, err)) < 0)
		goto fail;
	for (tail = &p->probes; *tail != NULL; tail = &(*tail)->next)
		if (strcmp((*tail)->pr.spec.name, s->pr.spec.name) == 0) {
			dd_err_set(err, "probe '%s': name used twice", s->pr.spec.name);
			r = DD_EINVAL;
			goto fail;
		}
	s->owner = p;
	if (p->started && (r = slot_schedule(s, now_us(p))) < 0)
		goto fail;
	*tail = s;
	return 0;
fail:
	slot_free(s);
	return r;
}

int
prober_start(struct prober *p)
{
	uint64_t start = now_us(p);

	if (p->started)
		return 0;
	for (struct slot *s = p->probes; s != NULL; s = s->next) {
		if (s->scheduled)
			continue;
		if (slot_schedule(s, start) < 0) {
			prober_stop(p);
			return DD_ENOMEM;
		}
	}
	p->started = true;
	return 0;
}

void
prober_stop(struct prober *p)
{
	if (p == NULL)
		return;
	for (struct slot *s = p->probes; s != NULL; s = s->next) {
		timer_cancel(p, &s->tick);
		s->scheduled = false;
		abandon(s);
	}
	p->started = false;
}

void
prober_free(struct prober *p)
{
	struct slot *s;

	if (p == NULL)
		return;
	prober_stop(p);
	while ((s = p->probes) != NULL) {
		p->probes = s->next;
		slot_free(s);
	}
	while ((s = p->onces) != NULL) {
		p->onces = s->next;
		abandon(s);
		slot_free(s);
	}
	for (size_t k = 0; k < DD_ARRAY_LEN(kinds); k++)
		if (kinds[k] != NULL && kinds[k]->env_fini != NULL)
			kinds[k]->env_fini(&p->env);
	free(p);
}

int
prober_stats(const struct prober *p, const char *name, struct probe_stats *out)
{
	for (const struct slot *s = p->probes; s != NULL; s = s->next)
		if (strcmp(s->pr.spec.name, name) == 0) {
			*out = s->stats;
			return 0;
		}
	return DD_ENOTFOUND;
}

void
prober_set_sched_hook(struct prober *p, probe_sched_hook hook, void *arg)
{
	p->hook = hook;
	p->hook_arg = arg;
}

int
prober_once(struct prober *p, const struct probe_spec *spec, probe_cb cb,
    void *arg, struct dd_err *err)
{
	struct slot *s;
	int r;

	if (cb == NULL) {
		dd_err_set(err, "probe '%s': no callback", spec->name ? spec->name : "once");
		return DD_EINVAL;
	}
	if ((r = slot_build(&p->env, spec, p->env.topo != NULL, false, &s, err)) < 0)
		return r;
	if ((r = check_host(p, s, err)) < 0) {
		slot_free(s);
		return r;
	}
	s->owner = p;
	s->once = true;
	s->once_cb = cb;
	s->once_arg = arg;
	s->next = p->onces;
	p->onces = s;
	if ((r = attempt_start(s, 0)) < 0) {
		unlink_once(p, s);
		slot_free(s);
		return r;
	}
	return 0;
}
