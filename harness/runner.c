/*
 * runner.c -- see runner.h.  The order of a run:
 *
 *   load + validate  ->  preflight (binaries, privilege)  ->  build network
 *   ->  faultd per dns server  ->  processes (with readiness)  ->  captures
 *   ->  probes  ->  timeline  ->  stop everything  ->  teardown  ->  score
 *   ->  result.json, junit.xml, summary
 *
 * Every failure after the build jumps to the same teardown.
 */
#include "harness/runner.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/evloop.h"
#include "harness/capture.h"
#include "model/elog.h"
#include "harness/fctl.h"
#include "harness/lua_api.h"
#include "harness/probe.h"
#include "harness/proc.h"
#include "harness/scenario.h"
#include "model/score.h"
#include "lib/log.h"
#include "netns/netns.h"
#include "model/result.h"
#include "reports/report.h"
#include "lib/util.h"

struct rproc {
	struct runner *r;
	struct proc *p;
	struct sc_process *decl;   /* NULL for a dns server */
	struct sc_dns *dns;        /* NULL for a process */
	char sock[108];
	uint64_t *rule_ids;        /* rules injected by the timeline */
	size_t n_rule_ids;
	bool ready;
	regex_t ready_re;
	bool has_ready_re;
};

struct rwatch {
	struct sc_watch *w;
	regex_t re;
	long count;
};

struct rcap {
	struct sc_capture *c;
	struct capture *cap;
	uint64_t last_count;
};

struct runner {
	const struct run_opts *o;
	struct scenario *sc;
	struct sc_lua *S;
	struct netns_topo *topo;
	struct ev_loop *loop;
	struct elog *log;
	struct prober *prober;
	uint64_t t0_us;
	char out[PATH_MAX];
	struct rproc *procs;
	size_t nprocs;
	struct rwatch *watches;
	size_t nwatches;
	struct rcap *caps;
	size_t ncaps;
	int *probe_last;
	char phase[64];
	bool phase_open;
	int sigfd;
	bool stop;                 /* leave the main loop */
	int code;                  /* exit code when stopping early */
	struct dd_err err;         /* message for an early stop */
	bool tty, quiet;
	struct ev_timer *status_timer, *rate_timer;
	uint64_t rate_last_ms;
	bool status_shown;
	uint64_t timeline_t0_ms;   /* when the timeline began */
};

/* ---------------- events ---------------- */

static uint64_t
now_ms(struct runner *r)
{
	return (dd_now_us() - r->t0_us) / 1000;
}

static void
clear_status(struct runner *r)
{
	if (r->status_shown) {
		fputs("\r\033[K", stderr);
		r->status_shown = false;
	}
}

static void
say(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	if (r->quiet)
		return;
	clear_status(r);
	fprintf(stderr, "%8.3fs  ", (double)now_ms(r) / 1000.0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---------------- processes ---------------- */

static struct rproc *
find_rproc(struct runner *r, const char *name)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (strcmp(proc_name(r->procs[i].p), name) == 0)
			return &r->procs[i];
	return NULL;
}

static void
on_line(void *arg, struct proc *p, int stream, const char *line)
{
	struct rproc *rp = arg;
	struct runner *r = rp->r;
	const char *name = proc_name(p);

	if (rp->has_ready_re && !rp->ready && regexec(&rp->ready_re, line, 0, NULL, 0) == 0)
		rp->ready = true;
	for (size_t i = 0; i < r->nwatches; i++) {
		struct rwatch *w = &r->watches[i];
		if (strcmp(w->w->process, name) != 0 || !(w->w->stream & stream))
			continue;
		if (regexec(&w->re, line, 0, NULL, 0) != 0)
			continue;
		w->count++;
		elog_watch(r->log, now_ms(r), w->w->name, line);
		say(r, "watch %s: %s", w->w->name, line);
	}
}

static void
on_exit_cb(void *arg, struct proc *p, int code, int sig)
{
	struct rproc *rp = arg;
	struct runner *r = rp->r;

	elog_proc_exit(r->log, now_ms(r), proc_name(p), sig ? -1 : code, sig);
	if (!proc_stopping(p)) {
		if (sig)
			say(r, "process %s died unexpectedly (signal %d)", proc_name(p), sig);
		else
			say(r, "process %s exited unexpectedly (status %d)", proc_name(p), code);
	}
}

static int
start_rproc(struct runner *r, struct rproc *rp)
{
	char cmd[1024] = "";
	struct dd_err err;
	size_t o = 0;

	if (proc_start(rp->p, &err) < 0) {
		r->code = RUN_ENV;
		dd_err_set(&r->err, "%s", err.msg);
		return -1;
	}
	const char *const *argv = rp->decl ? (const char *const *)rp->decl->argv : NULL;
	if (argv)
		for (size_t i = 0; i < rp->decl->argc && o + 2 < sizeof(cmd); i++)
			o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, "%s%s", i ? " " : "", argv[i]);
	else
		snprintf(cmd, sizeof(cmd), "faultd (dns %s)", rp->dns->name);
	elog_proc_start(r->log, now_ms(r), proc_name(rp->p), cmd);
	say(r, "started %s on host %s (pid %d)", proc_name(rp->p),
	    rp->decl ? rp->decl->host : rp->dns->host, (int)proc_pid(rp->p));
	return 0;
}

static void
fail_start(struct runner *r, struct rproc *rp, const char *why)
{
	char tail[3000];
	proc_poll_output(rp->p);
	proc_tail(rp->p, tail, sizeof(tail), 8);
	r->code = RUN_ENV;
	dd_err_set(&r->err, "process '%s' on host '%s' %s\n%s", proc_name(rp->p),
	    rp->decl ? rp->decl->host : rp->dns->host, why, tail[0] ? tail : "  (no output)\n");
}

struct once_wait {
	bool done, ok;
	char detail[128];
};

static void
once_cb(void *arg, const char *name, bool ok, double latency_ms, const char *detail)
{
	struct once_wait *w = arg;
	(void)name;
	(void)latency_ms;
	w->done = true;
	w->ok = ok;
	snprintf(w->detail, sizeof(w->detail), "%s", detail);
}

/* Pump the loop until rp is ready, it dies, or the timeout. */
static int
wait_ready(struct runner *r, struct rproc *rp)
{
	struct sc_process *d = rp->decl;
	uint64_t deadline = dd_now_us() + (d ? d->ready_timeout_us : 5000000);
	uint64_t ready_at = 0;
	struct once_wait w = { 0 };
	bool probing = false;

	if (d != NULL && d->ready == READY_DELAY)
		ready_at = dd_now_us() + d->ready_delay_us;
	while (!r->stop) {
		if (!proc_running(rp->p)) {
			fail_start(r, rp, "exited during start-up");
			return -1;
		}
		if (dd_now_us() >= deadline) {
			fail_start(r, rp, "did not become ready in time");
			return -1;
		}
		if (d == NULL) {
			/* faultd: ready when its control socket answers */
			struct dd_err e;
			if (fctl_request(rp->sock, "ping", NULL, 500, &e) == 0)
				rp->ready = true;
		} else if (d->ready == READY_NONE) {
			rp->ready = true;
		} else if (d->ready == READY_DELAY) {
			rp->ready = dd_now_us() >= ready_at;
		} else if (d->ready == READY_TCP || d->ready == READY_HTTP) {
			if (w.done && w.ok)
				rp->ready = true;
			if (!probing || w.done) {
				struct probe_spec s = { .name = "ready", .host = d->host,
					.timeout_us = 500000 };
				struct dd_err e;
				if (w.done)
					ev_loop_once(r->loop, 100000);   /* retry pacing */
				memset(&w, 0, sizeof(w));
				if (d->ready == READY_TCP) {
					s.kind = PROBE_TCP;
					if (dd_sockaddr_parse(d->ready_arg, -1, &s.addr) < 0) {
						r->code = RUN_USAGE;
						dd_err_set(&r->err, "%s:%d: process '%s': ready tcp '%s' is not ADDR:PORT",
						    r->sc->file, d->line, d->name, d->ready_arg);
						return -1;
					}
				} else {
					s.kind = PROBE_HTTP;
					s.url = d->ready_arg;
				}
				if (prober_once(r->prober, &s, once_cb, &w, &e) < 0) {
					r->code = RUN_USAGE;
					dd_err_set(&r->err, "%s:%d: process '%s': ready: %s", r->sc->file,
					    d->line, d->name, e.msg);
					return -1;
				}
				probing = true;
			}
		}
		if (rp->ready)
			return 0;
		ev_loop_once(r->loop, 20000);
	}
	return -1;
}

static int
add_rproc(struct runner *r, const char *name, const char *host, char **argv,
    char **env, size_t n_env, const char *cwd, struct sc_process *decl, struct sc_dns *dns)
{
	struct rproc *rp;
	const char **envp = NULL;

	/* r->procs is sized once in start_everything(): callbacks keep &rp */
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
			return DD_ENOMEM;
		for (size_t i = 0; i < n; i++)
			envp[i] = environ[i];
		for (size_t i = 0; i < n_env; i++)
			envp[n + i] = env[i];
	}
	struct proc_spec s = { .name = name, .host = host, .argv = (const char *const *)argv,
		.envp = envp, .cwd = cwd, .out_dir = r->out };
	rp->p = proc_new(r->loop, r->topo, &s, on_line, on_exit_cb, rp);
	free(envp);
	if (rp->p == NULL)
		return DD_ENOMEM;
	return 0;
}

/* ---------------- timeline operations ---------------- */

static void
op_phase(void *arg, const char *name)
{
	struct runner *r = arg;
	uint64_t t = now_ms(r);
	if (r->phase_open)
		elog_phase(r->log, t, false, r->phase);
	snprintf(r->phase, sizeof(r->phase), "%s", name);
	r->phase_open = true;
	elog_phase(r->log, t, true, name);
	say(r, "phase %s", name);
}

static void
op_mark(void *arg, const char *text)
{
	struct runner *r = arg;
	elog_mark(r->log, now_ms(r), "scenario", text);
	say(r, "mark: %s", text);
}

static struct rproc *
dns_rproc(struct runner *r, const char *dns)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].dns && strcmp(r->procs[i].dns->name, dns) == 0)
			return &r->procs[i];
	return NULL;
}

static int
op_inject(void *arg, const char *dns, const char *rule, uint64_t *id, struct dd_err *err)
{
	struct runner *r = arg;
	struct rproc *rp = dns_rproc(r, dns);
	int rc;

	if (rp == NULL) {
		dd_err_set(err, "no dns server '%s'", dns);
		return DD_ENOTFOUND;
	}
	rc = fctl_rule_add(rp->sock, rule, id, err);
	if (rc < 0)
		return rc;
	uint64_t *slot = sc_push(&rp->rule_ids, &rp->n_rule_ids, sizeof(*slot));
	if (slot)
		*slot = *id;
	elog_fault(r->log, now_ms(r), true, dns, rule);
	say(r, "fault injected on %s (rule %llu): %s", dns, (unsigned long long)*id, rule);
	return 0;
}

static int
op_clear(void *arg, const char *dns, uint64_t id, struct dd_err *err)
{
	struct runner *r = arg;
	struct rproc *rp = dns_rproc(r, dns);
	char text[64];

	if (rp == NULL) {
		dd_err_set(err, "no dns server '%s'", dns);
		return DD_ENOTFOUND;
	}
	for (size_t i = 0; i < rp->n_rule_ids; i++) {
		if (id != 0 && rp->rule_ids[i] != id)
			continue;
		int rc = fctl_rule_del(rp->sock, rp->rule_ids[i], err);
		if (rc < 0)
			return rc;
		rp->rule_ids[i] = rp->rule_ids[--rp->n_rule_ids];
		i--;
		if (id != 0)
			break;
	}
	if (id != 0)
		snprintf(text, sizeof(text), "rule %llu", (unsigned long long)id);
	else
		snprintf(text, sizeof(text), "all injected rules");
	elog_fault(r->log, now_ms(r), false, dns, text);
	say(r, "fault cleared on %s: %s", dns, text);
	return 0;
}

static int
op_proc(void *arg, const char *name, const char *what, struct dd_err *err)
{
	struct runner *r = arg;
	struct rproc *rp = find_rproc(r, name);

	if (rp == NULL) {
		dd_err_set(err, "no process '%s'", name);
		return DD_ENOTFOUND;
	}
	if (strcmp(what, "start") == 0) {
		if (proc_running(rp->p)) {
			dd_err_set(err, "already running");
			return DD_EINVAL;
		}
		if (start_rproc(r, rp) < 0) {
			dd_err_set(err, "%s", r->err.msg);
			r->stop = true;
			return DD_EIO;
		}
		return 0;
	}
	if (!proc_running(rp->p)) {
		dd_err_set(err, "not running");
		return DD_EINVAL;
	}
	elog_mark(r->log, now_ms(r), name, what);
	say(r, "%s %s", what, name);
	return proc_signal(rp->p, strcmp(what, "kill") == 0 ? SIGKILL : SIGTERM);
}

static long
op_watch_count(void *arg, const char *name)
{
	struct runner *r = arg;
	for (size_t i = 0; i < r->nwatches; i++)
		if (strcmp(r->watches[i].w->name, name) == 0)
			return r->watches[i].count;
	return -1;
}

static int
op_probe_last(void *arg, const char *name)
{
	struct runner *r = arg;
	for (size_t i = 0; i < r->sc->n_probes; i++)
		if (strcmp(r->sc->probes[i].name, name) == 0)
			return r->probe_last[i];
	return -1;
}

/* ---------------- probes, captures, status ---------------- */

static void
on_probe(void *arg, const char *name, bool ok, double latency_ms, const char *detail)
{
	struct runner *r = arg;
	elog_probe(r->log, now_ms(r), name, ok, latency_ms, detail);
	for (size_t i = 0; i < r->sc->n_probes; i++) {
		if (strcmp(r->sc->probes[i].name, name) != 0)
			continue;
		if (r->probe_last[i] != (int)ok)
			say(r, "probe %s %s (%s, %.1f ms)", name, ok ? "ok" : "FAILING", detail, latency_ms);
		r->probe_last[i] = ok;
	}
}

static void
on_cap(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	capture_dispatch(arg);
}

static void
on_rate(struct ev_loop *loop, void *arg)
{
	struct runner *r = arg;
	uint64_t t = now_ms(r);

	r->rate_timer = NULL;
	for (size_t i = 0; i < r->ncaps; i++) {
		struct rcap *c = &r->caps[i];
		capture_dispatch(c->cap);
		if (c->c->count_from == NULL)
			continue;
		uint64_t n = capture_queries(c->cap);
		uint64_t win = t - r->rate_last_ms;
		if (win > 0)
			elog_rate(r->log, t, c->c->name, (double)(n - c->last_count) * 1000.0 / (double)win, win);
		c->last_count = n;
	}
	r->rate_last_ms = t;
	r->rate_timer = ev_timer_add(loop, 1000000, on_rate, r);
}

static void
on_status(struct ev_loop *loop, void *arg)
{
	struct runner *r = arg;
	char line[512];
	size_t o = 0;

	r->status_timer = NULL;
	if (r->sc->duration_us > 0)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "[%6.1fs / %.1fs] %s",
		    (double)now_ms(r) / 1000.0,
		    (double)r->sc->duration_us / r->sc->speed / 1e6 + (double)r->timeline_t0_ms / 1000.0,
		    r->phase_open ? r->phase : "starting");
	else
		o += (size_t)snprintf(line + o, sizeof(line) - o, "[%6.1fs] %s",
		    (double)now_ms(r) / 1000.0, r->phase_open ? r->phase : "starting");
	for (size_t i = 0; i < r->sc->n_probes && o < sizeof(line) - 40; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, " | %s %s", r->sc->probes[i].name,
		    r->probe_last[i] < 0 ? "-" : r->probe_last[i] ? "ok" : "FAIL");
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	r->status_shown = true;
	r->status_timer = ev_timer_add(loop, 250000, on_status, r);
}

static void
on_signal(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct runner *r = arg;
	struct signalfd_siginfo si;
	(void)loop;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		r->stop = true;
		r->code = RUN_ENV;
		dd_err_set(&r->err, "interrupted by signal %u; everything torn down", si.ssi_signo);
	}
}

/* ---------------- building ---------------- */

static int
topo_fail(struct runner *r, int rc)
{
	r->code = rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
	dd_err_set(&r->err, "%s: network: %s", r->sc->file, netns_errmsg(r->topo));
	return -1;
}

static int
describe_topology(struct runner *r)
{
	struct scenario *sc = r->sc;
	struct netns_topo *t = r->topo;

	for (size_t i = 0; i < sc->n_hosts; i++) {
		struct sc_host *h = &sc->hosts[i];
		if (netns_host_add(t, h->name) < 0 ||
		    (h->forward && netns_host_forward(t, h->name, true) < 0) ||
		    (h->resolv && netns_host_resolv_conf(t, h->name, h->resolv) < 0) ||
		    (h->hosts && netns_host_hosts(t, h->name, h->hosts) < 0) ||
		    (h->intercept && netns_host_intercept_dns(t, h->name, h->intercept) < 0))
			return -1;
		for (size_t k = 0; k < h->n_lo_addrs; k++)
			if (netns_addr_add(t, h->name, "lo", h->lo_addrs[k]) < 0)
				return -1;
	}
	for (size_t i = 0; i < sc->n_nets; i++) {
		struct sc_net *n = &sc->nets[i];
		if (n->is_link) {
			if (netns_link_add(t, n->members[0].host, n->name, n->members[1].host, n->name) < 0)
				return -1;
		} else {
			if (netns_segment_add(t, n->name) < 0)
				return -1;
			for (size_t k = 0; k < n->n_members; k++)
				if (netns_segment_attach(t, n->name, n->members[k].host, n->name) < 0)
					return -1;
		}
		for (size_t k = 0; k < n->n_members; k++)
			for (size_t a = 0; a < n->members[k].n_addrs; a++)
				if (netns_addr_add(t, n->members[k].host, n->name, n->members[k].addrs[a]) < 0)
					return -1;
	}
	for (size_t i = 0; i < sc->n_hosts; i++) {
		struct sc_host *h = &sc->hosts[i];
		for (size_t k = 0; k < h->n_routes; k++)
			if (netns_route_add(t, h->name, h->routes[k].dst, h->routes[k].via,
			    h->routes[k].dev) < 0)
				return -1;
	}
	return netns_validate(t);
}

static int
to_probe_spec(struct runner *r, const struct sc_probe *p, struct probe_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->name = p->name;
	s->host = p->host;
	s->interval_us = p->interval_us;
	s->timeout_us = p->timeout_us;
	switch (p->kind) {
	case SC_PROBE_DNS:
		s->kind = PROBE_DNS;
		s->qname = p->qname;
		s->qtype = p->qtype;
		s->use_tcp = p->use_tcp;
		s->expect_rcode = p->expect_rcode;
		s->expect_answer = p->expect_answer;
		s->expect_empty = p->expect_empty;
		if (dd_sockaddr_parse(p->server, 53, &s->server) < 0) {
			dd_err_set(&r->err, "%s:%d: probe '%s': server '%s' is not ADDR[:PORT]",
			    r->sc->file, p->line, p->name, p->server);
			return -1;
		}
		break;
	case SC_PROBE_HTTP:
		s->kind = PROBE_HTTP;
		s->url = p->url;
		s->expect_status = p->expect_status;
		s->body_match = p->body_match;
		break;
	case SC_PROBE_TCP:
		s->kind = PROBE_TCP;
		if (dd_sockaddr_parse(p->addr, -1, &s->addr) < 0) {
			dd_err_set(&r->err, "%s:%d: probe '%s': tcp '%s' is not ADDR:PORT",
			    r->sc->file, p->line, p->name, p->addr);
			return -1;
		}
		break;
	case SC_PROBE_EXEC:
		s->kind = PROBE_EXEC;
		s->argv = (const char *const *)p->argv;
		s->expect_exit = p->expect_exit;
		break;
	}
	return 0;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* argv for one faultd */
static char **
faultd_argv(struct runner *r, struct sc_dns *d, const char *sock)
{
	struct dd_buf tmp = { 0 };
	char **v = NULL;
	size_t n = 0;
	char path[PATH_MAX];

#define ARG(s) do { char **slot_ = sc_push(&v, &n, sizeof(char *)); if (slot_) *slot_ = sc_strdup(s); } while (0)
	snprintf(path, sizeof(path), "%s/faultd", r->o->build_dir);
	ARG(getenv("DNSDRILL_FAULTD") ? getenv("DNSDRILL_FAULTD") : path);
	for (size_t i = 0; i < d->n_listen; i++) {
		ARG("--listen");
		ARG(d->listen[i]);
	}
	for (size_t i = 0; i < d->n_zone_files; i++) {
		ARG("--zone");
		ARG(d->zone_files[i]);
	}
	for (size_t i = 0; i < d->n_zone_texts; i++) {
		snprintf(path, sizeof(path), "%s/%s-zone%zu.zone", r->out, d->name, i + 1);
		if (write_file(path, d->zone_texts[i]) < 0)
			log_warn("%s", path);
		ARG("--zone");
		ARG(path);
	}
	for (size_t i = 0; i < d->n_upstreams; i++) {
		ARG("--upstream");
		ARG(d->upstreams[i]);
	}
	for (size_t i = 0; i < d->n_rules; i++) {
		ARG("--rule");
		ARG(d->rules[i]);
	}
	if (d->upstream_timeout) {
		ARG("--upstream-timeout");
		ARG(d->upstream_timeout);
	}
	ARG("--control");
	ARG(sock);
	dd_buf_printf(&tmp, "%llu", (unsigned long long)r->sc->seed);
	dd_buf_append(&tmp, "", 1);
	ARG("--seed");
	ARG((const char *)tmp.data);
	dd_buf_free(&tmp);
	char **end = sc_push(&v, &n, sizeof(char *));
	(void)end;
#undef ARG
	return v;
}

static void
free_argv(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int
start_everything(struct runner *r)
{
	struct scenario *sc = r->sc;

	r->procs = calloc(sc->n_dns + sc->n_procs + 1, sizeof(*r->procs));
	if (r->procs == NULL) {
		r->code = RUN_ENV;
		dd_err_set(&r->err, "out of memory");
		return -1;
	}
	/* faultd per dns server, then the processes in declaration order */
	for (size_t i = 0; i < sc->n_dns; i++) {
		struct sc_dns *d = &sc->dns[i];
		char sock[108];
		if (snprintf(sock, sizeof(sock), "%s/%s.ctl", r->out, d->name) >= (int)sizeof(sock))
			snprintf(sock, sizeof(sock), "/tmp/dnsdrill-%s-%s.ctl", netns_run_id(r->topo), d->name);
		char **argv = faultd_argv(r, d, sock);
		if (argv == NULL || add_rproc(r, d->name, d->host, argv, NULL, 0, NULL, NULL, d) < 0) {
			free_argv(argv);
			dd_err_set(&r->err, "out of memory");
			r->code = RUN_ENV;
			return -1;
		}
		free_argv(argv);
		struct rproc *rp = &r->procs[r->nprocs - 1];
		snprintf(rp->sock, sizeof(rp->sock), "%s", sock);
	}
	for (size_t i = 0; i < sc->n_procs; i++) {
		struct sc_process *p = &sc->procs[i];
		char **argv = calloc(p->argc + 1, sizeof(char *));
		if (argv == NULL)
			return -1;
		memcpy(argv, p->argv, p->argc * sizeof(char *));
		int rc = add_rproc(r, p->name, p->host, argv, p->env, p->n_env, p->cwd, p, NULL);
		free(argv);
		if (rc < 0)
			return -1;
		struct rproc *rp = &r->procs[r->nprocs - 1];
		if (p->ready == READY_LOG) {
			if (regcomp(&rp->ready_re, p->ready_arg, REG_EXTENDED | REG_NOSUB) == 0)
				rp->has_ready_re = true;
		}
	}
	for (size_t i = 0; i < r->nprocs; i++) {
		struct rproc *rp = &r->procs[i];
		if (rp->decl && !rp->decl->autostart)
			continue;
		if (start_rproc(r, rp) < 0 || wait_ready(r, rp) < 0)
			return -1;
		say(r, "%s is ready", proc_name(rp->p));
	}
	return 0;
}

/* ---------------- the run ---------------- */

static void
iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
write_results(struct runner *r, const struct score_result *res, const char *started)
{
	struct result *out = result_new(r->sc->name);
	char path[PATH_MAX + 32];
	FILE *f;
	int rc = 0;

	if (out == NULL)
		return -1;
	result_set_description(out, r->sc->description);
	result_set_started(out, started);
	result_set_seed(out, r->sc->seed);
	for (size_t i = 0; i < r->sc->n_params; i++)
		result_set_param(out, r->sc->params[i].name, r->sc->params[i].value);
	{
		char sp[32];
		snprintf(sp, sizeof(sp), "%g", r->sc->speed);
		result_set_param(out, "speed", sp);
	}
	result_set_version(out, "dnsdrill", DNSDRILL_VERSION);
	result_set_version(out, "faultd", DNSDRILL_VERSION);
	result_set_score(out, res);
	result_take_events(out, r->log);
	r->log = NULL;

	snprintf(path, sizeof(path), "%s/result.json", r->out);
	if ((f = fopen(path, "w")) == NULL || result_json_write(out, f) < 0 || fclose(f) != 0)
		rc = -1;
	snprintf(path, sizeof(path), "%s/junit.xml", r->out);
	if ((f = fopen(path, "w")) == NULL || result_junit_write(out, f) < 0 || fclose(f) != 0)
		rc = -1;
	snprintf(path, sizeof(path), "%s/report.html", r->out);
	if ((f = fopen(path, "w")) == NULL || result_html_write(out, f) < 0 || fclose(f) != 0)
		rc = -1;
	if (r->o->junit && ((f = fopen(r->o->junit, "w")) == NULL ||
	    result_junit_write(out, f) < 0 || fclose(f) != 0))
		rc = -1;
	if (!r->o->no_summary) {
		result_text_write(out, stdout);
		printf("results: %s/result.json, %s/junit.xml\nreport:  %s/report.html\n",
		    r->out, r->out, r->out);
	}
	result_free(out);
	return rc;
}

static void
drive_timeline(struct runner *r)
{
	struct dd_err err;
	uint64_t next = 0, limit_ms = now_ms(r) + r->sc->max_duration_us / 1000;

	r->timeline_t0_ms = now_ms(r);
	if (sc_lua_timeline_start(r->S, now_ms(r), &err) < 0) {
		r->code = RUN_USAGE;
		r->err = err;
		r->stop = true;
		return;
	}
	while (!r->stop) {
		int rc = sc_lua_timeline_step(r->S, now_ms(r), &next, &err);
		if (rc < 0) {
			r->code = RUN_USAGE;
			r->err = err;
			r->stop = true;
			break;
		}
		if (rc == 1 || r->stop)
			break;
		if (now_ms(r) >= limit_ms) {
			say(r, "timeline exceeded max_duration; stopping");
			elog_mark(r->log, now_ms(r), "dnsdrill", "timeline exceeded max_duration");
			break;
		}
		uint64_t t = now_ms(r), wait_ms = 1000;
		if (next != UINT64_MAX)
			wait_ms = next > t ? next - t : 0;
		if (sc_lua_waiting(r->S) && wait_ms > 20)
			wait_ms = 20;    /* conditions are polled */
		ev_loop_once(r->loop, wait_ms * 1000);
	}
	/* keep watching for one stability window (plus a probe interval's
	 * slack), so the state the timeline ended in can be scored as stable */
	if (!r->stop) {
		uint64_t tail_end = now_ms(r) + r->sc->stable_ms + 500;
		while (!r->stop && now_ms(r) < tail_end)
			ev_loop_once(r->loop, (tail_end - now_ms(r)) * 1000);
	}
	if (r->phase_open)
		elog_phase(r->log, now_ms(r), false, r->phase);
	r->phase_open = false;
}

static void
shutdown_all(struct runner *r)
{
	if (r->prober)
		prober_stop(r->prober);
	/* processes first (reverse start order), faultd last */
	for (size_t i = r->nprocs; i-- > 0;)
		if (r->procs[i].p && proc_running(r->procs[i].p))
			proc_stop_wait(r->procs[i].p, 2000);
	for (size_t i = 0; i < r->ncaps; i++) {
		if (r->caps[i].cap) {
			capture_dispatch(r->caps[i].cap);
			ev_io_del(r->loop, capture_fd(r->caps[i].cap));
			capture_close(r->caps[i].cap);
			r->caps[i].cap = NULL;
		}
	}
	ev_timer_cancel(r->loop, r->rate_timer);
	r->rate_timer = NULL;
	ev_timer_cancel(r->loop, r->status_timer);
	r->status_timer = NULL;
	clear_status(r);
	prober_free(r->prober);
	r->prober = NULL;
	for (size_t i = 0; i < r->nprocs; i++) {
		proc_free(r->procs[i].p);
		r->procs[i].p = NULL;
		if (r->procs[i].has_ready_re)
			regfree(&r->procs[i].ready_re);
		free(r->procs[i].rule_ids);
		if (r->procs[i].dns)
			unlink(r->procs[i].sock);
	}
	if (r->topo) {
		if (netns_teardown(r->topo) < 0)
			log_warnx("teardown: %s", netns_errmsg(r->topo));
	}
}

static int
load(struct runner *r)
{
	const struct run_opts *o = r->o;
	struct dd_err err;

	r->sc = scenario_new(o->scenario);
	if (r->sc == NULL)
		return RUN_ENV;
	if (access(o->scenario, R_OK) < 0) {
		fprintf(stderr, "dnsdrill: %s: %s\n", o->scenario, strerror(errno));
		return RUN_USAGE;
	}
	for (size_t i = 0; i < o->n_sets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		if (eq == NULL || eq == o->sets[i]) {
			fprintf(stderr, "dnsdrill: --set '%s': expected key=value\n", o->sets[i]);
			return RUN_USAGE;
		}
		struct sc_kv *kv = sc_push(&r->sc->sets, &r->sc->n_sets, sizeof(*kv));
		if (kv == NULL)
			return RUN_ENV;
		kv->key = strndup(o->sets[i], (size_t)(eq - o->sets[i]));
		kv->value = strdup(eq + 1);
	}
	r->sc->set_used = calloc(r->sc->n_sets + 1, sizeof(bool));
	r->sc->seed = o->seed_set ? o->seed : (dd_now_us() ^ (uint64_t)getpid()) % 1000000007u;
	r->sc->seed_set = o->seed_set;
	r->S = sc_lua_new(r->sc, r->sc->seed, o->build_dir);
	if (r->S == NULL || r->sc->set_used == NULL)
		return RUN_ENV;
	if (sc_lua_load(r->S, &err) < 0) {
		fprintf(stderr, "dnsdrill: %s\n", err.msg);
		return RUN_USAGE;
	}
	return RUN_PASS;
}

int
runner_main(const struct run_opts *o)
{
	struct runner rr, *r = &rr;
	struct score_result res;
	struct dd_err err;
	char started[32];
	sigset_t mask;
	int code;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->sigfd = -1;
	r->quiet = o->quiet;
	r->tty = !o->quiet && isatty(2);
	code = load(r);
	if (code != RUN_PASS)
		goto out;
	if (o->check_only) {
		if (!o->quiet)
			printf("%s: ok: scenario '%s', %zu hosts, %zu dns servers, %zu processes, %zu probes, "
		    "%zu expectations\n", o->scenario, r->sc->name, r->sc->n_hosts, r->sc->n_dns,
		    r->sc->n_procs, r->sc->n_probes, r->sc->n_expect);
		/* the network description too, without building it */
		r->topo = netns_topo_new(NULL);
		if (r->topo == NULL || describe_topology(r) < 0) {
			fprintf(stderr, "dnsdrill: %s: network: %s\n", o->scenario,
			    r->topo ? netns_errmsg(r->topo) : "out of memory");
			code = RUN_USAGE;
		}
		goto out;
	}

	/* preflight: programs exist, privilege */
	for (size_t i = 0; i < r->sc->n_procs; i++) {
		struct sc_process *p = &r->sc->procs[i];
		if (proc_check_exec(p->argv[0], &err) < 0) {
			fprintf(stderr, "dnsdrill: %s:%d: process '%s': cannot run %s\n", r->sc->file,
			    p->line, p->name, err.msg);
			code = RUN_ENV;
			goto out;
		}
	}
	if (r->sc->n_dns > 0) {
		char fd_path[PATH_MAX];
		snprintf(fd_path, sizeof(fd_path), "%s/faultd", o->build_dir);
		if (proc_check_exec(getenv("DNSDRILL_FAULTD") ? getenv("DNSDRILL_FAULTD") : fd_path, &err) < 0) {
			fprintf(stderr, "dnsdrill: faultd not found: %s (build it with make)\n", err.msg);
			code = RUN_ENV;
			goto out;
		}
	}
	if (netns_check_privilege(&err) < 0) {
		fprintf(stderr, "dnsdrill: %s\n", err.msg);
		code = RUN_ENV;
		goto out;
	}

	/* output folder */
	if (o->out_dir) {
		snprintf(r->out, sizeof(r->out), "%s", o->out_dir);
	} else {
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		snprintf(r->out, sizeof(r->out), "dnsdrill-out/%s-%s", r->sc->name, ts);
	}
	if (mkdir_p(r->out) < 0) {
		fprintf(stderr, "dnsdrill: --out %s: %s\n", r->out, strerror(errno));
		code = RUN_ENV;
		goto out;
	}
	if (r->out[0] != '/') {
		char cwd[PATH_MAX], abs[PATH_MAX * 2];
		if (getcwd(cwd, sizeof(cwd)) != NULL) {
			snprintf(abs, sizeof(abs), "%s/%s", cwd, r->out);
			snprintf(r->out, sizeof(r->out), "%s", abs);
		}
	}

	/* signals: stop cleanly, tear down */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	r->loop = ev_loop_new();
	r->log = elog_new();
	r->topo = netns_topo_new(NULL);
	if (r->loop == NULL || r->log == NULL || r->topo == NULL) {
		code = RUN_ENV;
		goto out;
	}
	r->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sigfd >= 0)
		ev_io_add(r->loop, r->sigfd, EV_READ, on_signal, r);
	iso_now(started, sizeof(started));
	r->t0_us = dd_now_us();
	say(r, "scenario %s (seed %llu, speed %g), output in %s", r->sc->name,
	    (unsigned long long)r->sc->seed, r->sc->speed, r->out);

	if (describe_topology(r) < 0) {
		topo_fail(r, DD_EINVAL);
		goto stop;
	}
	{
		int rc = netns_build(r->topo);
		if (rc < 0) {
			topo_fail(r, rc == DD_EINVAL ? DD_EINVAL : DD_EIO);
			goto stop;
		}
	}
	say(r, "network up: %zu hosts (run %s)", r->sc->n_hosts, netns_run_id(r->topo));

	r->prober = prober_new(r->loop, r->topo, on_probe, r);
	r->probe_last = malloc((r->sc->n_probes + 1) * sizeof(int));
	r->watches = calloc(r->sc->n_watches + 1, sizeof(*r->watches));
	if (r->prober == NULL || r->probe_last == NULL || r->watches == NULL) {
		r->code = RUN_ENV;
		dd_err_set(&r->err, "out of memory");
		goto stop;
	}
	for (size_t i = 0; i < r->sc->n_probes; i++)
		r->probe_last[i] = -1;
	for (size_t i = 0; i < r->sc->n_watches; i++) {
		r->watches[i].w = &r->sc->watches[i];
		regcomp(&r->watches[i].re, r->sc->watches[i].regex, REG_EXTENDED | REG_NOSUB);
		r->nwatches++;
	}
	if (start_everything(r) < 0)
		goto stop;

	/* captures */
	r->caps = calloc(r->sc->n_caps + 1, sizeof(*r->caps));
	for (size_t i = 0; r->caps && i < r->sc->n_caps; i++) {
		struct sc_capture *c = &r->sc->caps[i];
		char path[PATH_MAX + 64];
		snprintf(path, sizeof(path), "%s/%s.pcap", r->out, c->name);
		r->caps[i].c = c;
		r->caps[i].cap = capture_open(r->topo, c->host, c->iface, path, c->count_from, &err);
		if (r->caps[i].cap == NULL) {
			r->code = RUN_ENV;
			dd_err_set(&r->err, "%s:%d: capture '%s': %s", r->sc->file, c->line, c->name, err.msg);
			goto stop;
		}
		r->ncaps++;
		ev_io_add(r->loop, capture_fd(r->caps[i].cap), EV_READ, on_cap, r->caps[i].cap);
	}
	r->rate_last_ms = now_ms(r);
	if (r->ncaps)
		r->rate_timer = ev_timer_add(r->loop, 1000000, on_rate, r);

	/* probes */
	for (size_t i = 0; i < r->sc->n_probes; i++) {
		struct probe_spec s;
		if (to_probe_spec(r, &r->sc->probes[i], &s) < 0) {
			r->code = RUN_USAGE;
			goto stop;
		}
		if (prober_add(r->prober, &s, &err) < 0) {
			r->code = RUN_USAGE;
			dd_err_set(&r->err, "%s:%d: %s", r->sc->file, r->sc->probes[i].line, err.msg);
			goto stop;
		}
	}
	prober_start(r->prober);
	if (r->tty)
		r->status_timer = ev_timer_add(r->loop, 250000, on_status, r);

	{
		struct sc_ops ops = { .arg = r, .phase = op_phase, .mark = op_mark,
			.inject = op_inject, .clear = op_clear, .proc = op_proc,
			.watch_count = op_watch_count, .probe_last = op_probe_last };
		sc_lua_set_ops(r->S, &ops);
	}
	drive_timeline(r);

stop:
	{
		uint64_t end_ms = r->log ? now_ms(r) : 0;
		shutdown_all(r);
		if (r->stop || r->code != RUN_PASS) {
			code = r->code != RUN_PASS ? r->code : RUN_ENV;
			clear_status(r);
			fprintf(stderr, "dnsdrill: %s\n", r->err.msg);
			goto out;
		}
		struct score_match *detect = calloc(r->sc->n_detect + 1, sizeof(*detect));
		struct score_defs defs;
		scenario_score_defs(r->sc, detect, &defs);
		defs.horizon_ms = end_ms;
		if (score_run(r->log, &defs, &res) < 0) {
			free(detect);
			code = RUN_ENV;
			goto out;
		}
		code = res.pass ? RUN_PASS : RUN_FAIL;
		if (write_results(r, &res, started) < 0) {
			fprintf(stderr, "dnsdrill: cannot write results in %s: %s\n", r->out, strerror(errno));
			code = RUN_ENV;
		}
		score_result_fini(&res);
		free(detect);
	}
out:
	if (r->sigfd >= 0) {
		if (r->loop)
			ev_io_del(r->loop, r->sigfd);
		close(r->sigfd);
	}
	for (size_t i = 0; i < r->nwatches; i++)
		regfree(&r->watches[i].re);
	free(r->watches);
	free(r->caps);
	free(r->procs);
	free(r->probe_last);
	netns_topo_free(r->topo);
	elog_free(r->log);
	ev_loop_free(r->loop);
	sc_lua_free(r->S);
	scenario_free(r->sc);
	return code;
}
