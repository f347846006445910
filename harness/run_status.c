/*
 * run_status.c -- what every phase of the runner needs and nothing else:
 * the run's clock, its progress lines and the status line on a terminal,
 * and the one place an error is recorded and later turned into an exit
 * status.  It calls no other part of the runner.
 */
#include <stdarg.h>
#include <stdio.h>

#include "harness/run_internal.h"
#include "lib/evloop.h"
#include "lib/util.h"
#include "model/timescale.h"

uint64_t
run_now_ms(const struct run *r)
{
	return (dd_now_us() - r->t0_us) / 1000;
}

void
run_clear_status(struct run *r)
{
	if (r->status_shown) {
		fputs("\r\033[K", stderr);
		r->status_shown = false;
	}
}

void
run_say(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->quiet)
		return;
	run_clear_status(r);
	fprintf(stderr, "%8.3fs  ", (double)run_now_ms(r) / 1000.0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
on_status(struct ev_loop *loop, void *arg)
{
	struct run *r = arg;
	const char *phase = r->phase_open ? r->phase : "starting";
	double now_s = (double)run_now_ms(r) / 1000.0;
	char line[512];
	size_t o = 0;

	r->status_timer = NULL;
	if (r->sc->duration_us > 0)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "[%6.1fs / %.1fs] %s", now_s,
		    (double)r->sc->duration_us / r->sc->speed / 1e6 + (double)r->timeline_t0_ms / 1000.0,
		    phase);
	else
		o += (size_t)snprintf(line + o, sizeof(line) - o, "[%6.1fs] %s", now_s, phase);
	/* the incident's clock beside the real one, once the timeline runs */
	if ((r->sc->speed != 1.0 || r->sc->incident_start != NULL) &&
	    r->timeline_t0_ms > 0 && o < sizeof(line) - 40) {
		char clock[40];

		timescale_fmt_clock(r->sc->incident_start,
		    (double)(run_now_ms(r) - r->timeline_t0_ms) / 1000.0, r->sc->speed, false,
		    clock, sizeof(clock));
		o += (size_t)snprintf(line + o, sizeof(line) - o, " | incident %s%s", clock,
		    r->sc->incident_start != NULL ? " UTC" : "");
	}
	for (size_t i = 0; i < r->sc->n_probes && o < sizeof(line) - 40; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, " | %s %s", r->sc->probes[i].name,
		    r->probe_last[i] < 0 ? "-" : r->probe_last[i] ? "ok" : "FAIL");
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	r->status_shown = true;
	r->status_timer = ev_timer_add(loop, 250000, on_status, r);
}

void
run_status_start(struct run *r)
{
	r->status_timer = ev_timer_add(r->loop, 250000, on_status, r);
}

void
run_status_stop(struct run *r)
{
	ev_timer_cancel(r->loop, r->status_timer);
	r->status_timer = NULL;
	run_clear_status(r);
}

int
run_fail(struct run *r, int rc, const char *fmt, ...)
{
	va_list ap;

	r->rc = rc < 0 ? rc : DD_EIO;
	va_start(ap, fmt);
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
	va_end(ap);
	return r->rc;
}

int
run_exit_code(int rc)
{
	if (rc == 0)
		return RUN_PASS;
	return rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
}
