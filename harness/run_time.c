/*
 * run_time.c -- the distortions of a compressed run (harness/run_time.h):
 * foreseen from the scenario, observed from faultd's counters, and warned
 * about by `dnsdrill check`.
 */
#include "harness/run_time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "faultd/rule.h"
#include "harness/resolvconf.h"
#include "lib/util.h"

/* A rule's ttl= or negttl= that the floor decides at this speed. */
static int
rule_floor(const struct sc_dns *d, const char *text, const char *term,
    uint32_t ttl, double speed, struct timescale_list *out)
{
	char what[640], note[160], a[32];
	bool floored;

	(void)dd_ttl_scale(ttl, speed, &floored);
	if (!floored)
		return 0;
	snprintf(what, sizeof(what), "dns %s: rule '%s': %s=%u", d->name, text, term,
	    (unsigned)ttl);
	snprintf(note, sizeof(note), "%s in proportion, under the 1 s floor of a TTL",
	    timescale_fmt_duration((double)ttl / speed, a, sizeof(a)));
	return timescale_add_distortion(out, TIMESCALE_FLOOR, what, ttl, 1, note);
}

static int
forecast_dns(const struct scenario *sc, bool with_hint, struct timescale_list *out)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sc->n_dns; i++) {
		const struct sc_dns *d = &sc->dns[i];

		for (size_t j = 0; rc == 0 && j < d->n_rules; j++) {
			struct rule *r;
			struct dd_err err;

			if (rule_parse(d->rules[j], &r, &err) < 0)
				continue;       /* check reports it on its own */
			if (r->has_ttl)
				rc = rule_floor(d, d->rules[j], "ttl", r->ttl, sc->speed, out);
			if (rc == 0 && r->has_negttl)
				rc = rule_floor(d, d->rules[j], "negttl", r->negttl, sc->speed, out);
			rule_free(r);
		}
		if (rc == 0 && with_hint && sc->speed > 1) {
			char what[160], note[200], a[32];

			snprintf(what, sizeof(what), "dns %s: any TTL under %s (zones, rules, "
			    "forwarded answers)", d->name,
			    timescale_fmt_duration(sc->speed, a, sizeof(a)));
			snprintf(note, sizeof(note), "faultd serves TTLs divided by %g; one under "
			    "1 s in proportion is served as 1 s (faultd(1) --time-scale)", sc->speed);
			rc = timescale_add_distortion(out, TIMESCALE_FLOOR, what, -1, 1, note);
		}
	}
	return rc;
}

static int
forecast_probes(const struct scenario *sc, struct timescale_list *out)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sc->n_probes; i++) {
		const struct sc_probe *p = &sc->probes[i];
		char what[160], note[240], a[32], b[32], c[32];

		snprintf(what, sizeof(what), "probe %s: every %s", p->name,
		    timescale_fmt_duration((double)p->interval_us / 1e6, a, sizeof(a)));
		snprintf(note, sizeof(note), "the observer, in real time by design: "
		    "incident-time metrics are known to about one sample (%s); its "
		    "timeout %s is network time, not scaled",
		    timescale_fmt_duration((double)p->interval_us / 1e6 * sc->speed, b, sizeof(b)),
		    timescale_fmt_duration((double)p->timeout_us / 1e6, c, sizeof(c)));
		rc = timescale_add_distortion(out, TIMESCALE_OBSERVER, what, -1,
		    (double)p->interval_us / 1e6, note);
	}
	return rc;
}

/* A host's stub resolver: only hosts whose resolv.conf the scenario
 * writes (others see the machine's, not part of the incident). */
static int
forecast_resolv(const struct scenario *sc, struct timescale_list *out)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sc->n_hosts; i++) {
		const struct sc_host *h = &sc->hosts[i];
		struct resolvconf_wait w;
		char what[200], note[240];

		if (h->resolv == NULL)
			continue;
		resolvconf_stub_worst(h->resolv, &w);
		snprintf(what, sizeof(what), "host %s: stub resolver timeout:%d attempts:%d",
		    h->name, w.timeout_s, w.attempts);
		snprintf(note, sizeof(note), "resolv.conf timers are real time: a lookup on "
		    "silent servers waits up to %ds with glibc, %lds with c-ares (which doubles "
		    "the timeout each round)", w.glibc_s, w.cares_s);
		rc = timescale_add_distortion(out, TIMESCALE_UNSCALED, what, w.timeout_s,
		    w.timeout_s, note);
	}
	return rc;
}

static int
forecast_procs(const struct scenario *sc, struct timescale_list *out)
{
	char unknown[512] = "";
	size_t used = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sc->n_procs; i++) {
		const struct sc_process *p = &sc->procs[i];

		if (!p->timers_set) {
			int n = snprintf(unknown + used, sizeof(unknown) - used, "%s%s",
			    used ? ", " : "", p->name);
			if (n > 0 && (size_t)n < sizeof(unknown) - used)
				used += (size_t)n;
			continue;
		}
		for (size_t j = 0; rc == 0 && j < p->n_timers; j++) {
			const struct sc_timer *t = &p->timers[j];
			double inc = (double)t->incident_us / 1e6, real = (double)t->real_us / 1e6;
			char what[200];

			/* in proportion (within 5 %; 0 is 0 at any speed): nothing
			 * to say */
			if (!t->has_real || (t->incident_us == 0 && t->real_us == 0) || (inc > 0 &&
			    real * sc->speed >= inc * 0.95 && real * sc->speed <= inc * 1.05))
				continue;
			snprintf(what, sizeof(what), "process %s: %s", p->name, t->name);
			rc = timescale_add_distortion(out, t->real_us == t->incident_us ?
			    TIMESCALE_UNSCALED : TIMESCALE_PARTIAL, what, inc, real, t->note);
		}
	}
	if (rc == 0 && used > 0) {
		char what[600];

		snprintf(what, sizeof(what), "timers inside processes %s", unknown);
		rc = timescale_add_distortion(out, TIMESCALE_UNKNOWN, what, -1, -1,
		    "timers inside processes are not scaled unless a profile scales them "
		    "(process { timers = ... })");
	}
	return rc;
}

int
run_time_forecast(const struct scenario *sc, bool with_hint, struct timescale_list *out)
{
	int rc;

	if (sc->speed == 1.0)
		return 0;
	if ((rc = forecast_dns(sc, with_hint, out)) < 0 ||
	    (rc = forecast_procs(sc, out)) < 0 ||
	    (rc = forecast_resolv(sc, out)) < 0 ||
	    (rc = forecast_probes(sc, out)) < 0)
		return rc;
	return 0;
}

static uint64_t
counter(const struct elog_stats *s, const char *name)
{
	for (size_t i = 0; i < s->n_counters; i++)
		if (strcmp(s->counters[i].name, name) == 0)
			return s->counters[i].value;
	return 0;
}

int
run_time_observed(const struct scenario *sc, const struct elog *log,
    struct timescale_list *out)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sc->n_dns; i++) {
		const struct elog_stats *s = elog_stats_last(log, sc->dns[i].name);
		uint64_t n, lo, hi;
		char what[200], note[200], a[32];

		if (s == NULL || (n = counter(s, "ttl_floored")) == 0)
			continue;
		lo = counter(s, "ttl_floored_min");
		hi = counter(s, "ttl_floored_max");
		snprintf(what, sizeof(what), "dns %s: %llu TTLs served at the 1 s floor "
		    "(%llu..%llu s)", sc->dns[i].name, (unsigned long long)n,
		    (unsigned long long)lo, (unsigned long long)hi);
		snprintf(note, sizeof(note), "the shortest, %llu s, would be %s in proportion",
		    (unsigned long long)lo,
		    timescale_fmt_duration((double)lo / sc->speed, a, sizeof(a)));
		rc = timescale_add_distortion(out, TIMESCALE_FLOOR, what, (double)lo, 1, note);
	}
	return rc;
}

/* At a speed other than 1, an expectation bounding a *_s metric in real
 * seconds gives a verdict that depends on the speed: say so, with the
 * bound's incident-time equivalent.  Returns how many. */
static int
warn_real_bounds(const struct scenario *sc, FILE *f)
{
	int n = 0;

	if (sc->speed == 1.0)
		return 0;
	for (size_t i = 0; i < sc->n_expect; i++) {
		const struct score_expect *ex = &sc->expect[i];
		char label[160], a[32], b[32];

		if (ex->incident || ex->counter != SCORE_COUNTER_NONE ||
		    (ex->metric != SCORE_DETECTION && ex->metric != SCORE_FAILOVER &&
		    ex->metric != SCORE_RECOVERY))
			continue;
		score_expect_label(ex, label, sizeof(label));
		timescale_fmt_duration(ex->bound, a, sizeof(a));
		/* in one unit, as an expectation's bound is written */
		if (ex->bound * sc->speed >= 60 && fmod(ex->bound * sc->speed, 60) == 0)
			snprintf(b, sizeof(b), "%gm", ex->bound * sc->speed / 60);
		else
			snprintf(b, sizeof(b), "%gs", ex->bound * sc->speed);
		fprintf(f, "dnsdrill: warning: time: %s:%d: expectation '%s %s' bounds real "
		    "seconds (%s is %s of the incident at speed %g): its verdict depends on "
		    "the speed; '%s %s %s in incident time%s' means the same at any speed\n",
		    sc->file, sc->expect_line != NULL ? sc->expect_line[i] : 0, label,
		    ex->bound_text, a, b, sc->speed, label, score_op_name(ex->op), b,
		    ex->if_disrupted ? " if disrupted" : "");
		n++;
	}
	return n;
}

int
run_time_warn(const struct scenario *sc, FILE *f)
{
	struct timescale_list l = { 0 };
	char line[1024];
	int n;

	if (run_time_forecast(sc, true, &l) < 0) {
		timescale_list_free(&l);
		return 0;
	}
	/* the probes are the observer: a note, not a warning */
	for (size_t i = 0; i < l.n; i++)
		fprintf(f, "dnsdrill: %s: time: %s\n",
		    l.v[i].kind == TIMESCALE_OBSERVER ? "note" : "warning",
		    timescale_fmt_distortion(&l.v[i], sc->speed, line, sizeof(line)));
	if (l.n > 0)
		fprintf(f, "dnsdrill: at speed %g, 1 real second is %s of the incident; a lower "
		    "speed keeps more in proportion (doc/scenario-api.md, \"Time\")\n",
		    sc->speed, timescale_fmt_duration(sc->speed, line, sizeof(line)));
	n = (int)l.n;
	timescale_list_free(&l);
	n += warn_real_bounds(sc, f);
	return n;
}
