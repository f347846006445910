/*
 * run_build.c -- everything a run sets up before its timeline: the network
 * (described to netns from the scenario, then built), faultd's command
 * line per dns server (its control socket), the processes in declaration
 * order (their version commands first, scratch() expanded, each waited
 * for until ready), the captures with their query-rate sampling, and the
 * probes.  run_build_close() undoes the observers; processes and the
 * network are the skeleton's to stop and tear down.
 *
 * The scenario's mistakes found here (a bad address in a probe, a network
 * netns refuses) are DD_EINVAL with file:line; everything else is the
 * environment's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/capture.h"
#include "harness/probe.h"
#include "harness/proc.h"
#include "harness/run_internal.h"
#include "lib/buf.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/elog.h"
#include "netns/netns.h"

/* ---------------- the network ---------------- */

static int
describe_hosts(struct netns_topo *t, const struct scenario *sc)
{
	int rc;

	for (size_t i = 0; i < sc->n_hosts; i++) {
		const struct sc_host *h = &sc->hosts[i];
		if ((rc = netns_host_add(t, h->name)) < 0 ||
		    (h->forward && (rc = netns_host_forward(t, h->name, true)) < 0) ||
		    (h->resolv && (rc = netns_host_resolv_conf(t, h->name, h->resolv)) < 0) ||
		    (h->hosts && (rc = netns_host_hosts(t, h->name, h->hosts)) < 0) ||
		    (h->intercept && (rc = netns_host_intercept_dns(t, h->name, h->intercept)) < 0))
			return rc;
		for (size_t k = 0; k < h->n_lo_addrs; k++)
			if ((rc = netns_addr_add(t, h->name, "lo", h->lo_addrs[k])) < 0)
				return rc;
	}
	return 0;
}

static int
describe_nets(struct netns_topo *t, const struct scenario *sc)
{
	int rc;

	for (size_t i = 0; i < sc->n_nets; i++) {
		const struct sc_net *n = &sc->nets[i];
		if (n->is_link) {
			if ((rc = netns_link_add(t, n->members[0].host, n->name, n->members[1].host,
			    n->name)) < 0)
				return rc;
		} else {
			if ((rc = netns_segment_add(t, n->name)) < 0)
				return rc;
			for (size_t k = 0; k < n->n_members; k++)
				if ((rc = netns_segment_attach(t, n->name, n->members[k].host, n->name)) < 0)
					return rc;
		}
		for (size_t k = 0; k < n->n_members; k++)
			for (size_t a = 0; a < n->members[k].n_addrs; a++)
				if ((rc = netns_addr_add(t, n->members[k].host, n->name,
				    n->members[k].addrs[a])) < 0)
					return rc;
	}
	return 0;
}

static int
describe_routes(struct netns_topo *t, const struct scenario *sc)
{
	int rc;

	for (size_t i = 0; i < sc->n_hosts; i++) {
		const struct sc_host *h = &sc->hosts[i];
		for (size_t k = 0; k < h->n_routes; k++)
			if ((rc = netns_route_add(t, h->name, h->routes[k].dst, h->routes[k].via,
			    h->routes[k].dev)) < 0)
				return rc;
	}
	return 0;
}

int
run_build_describe(struct run *r)
{
	int rc;

	if ((rc = describe_hosts(r->topo, r->sc)) < 0 ||
	    (rc = describe_nets(r->topo, r->sc)) < 0 ||
	    (rc = describe_routes(r->topo, r->sc)) < 0 ||
	    (rc = netns_validate(r->topo)) < 0)
		return rc == DD_ENOMEM ? DD_ENOMEM : DD_EINVAL;
	return 0;
}

/* A program named by an absolute path under /tmp or /run (a SUT built
 * there) stays visible in the hosts' private /tmp and /run: its folder is
 * kept like the run's own.  Anything else is visible anyway. */
static void
keep_program(struct run *r, const char *prog)
{
	char dir[PATH_MAX], real[PATH_MAX], *slash;

	if (prog == NULL || prog[0] != '/' || strlen(prog) >= sizeof(dir))
		return;
	memcpy(dir, prog, strlen(prog) + 1);
	if ((slash = strrchr(dir, '/')) == dir)
		return;
	*slash = '\0';
	if (realpath(dir, real) == NULL ||
	    (strncmp(real, "/tmp/", 5) != 0 && strncmp(real, "/run/", 5) != 0))
		return;
	if (netns_keep(r->topo, real) < 0)
		log_warnx("%s", netns_errmsg(r->topo));
}

int
run_build_network(struct run *r)
{
	int rc;

	if (r->sc->no_topology) {
		/* scenario { topology = false }: nothing to build; everything
		 * runs in the namespaces dnsdrill runs in */
		run_say(r, "no topology: probes and processes run here");
		return 0;
	}
	if ((rc = run_build_describe(r)) < 0)
		return run_fail(r, rc, "%s: network: %s", r->sc->file, netns_errmsg(r->topo));
	if ((rc = netns_build(r->topo)) < 0)
		return run_fail(r, rc == DD_EINVAL ? DD_EINVAL : DD_EIO, "%s: network: %s",
		    r->sc->file, netns_errmsg(r->topo));
	/* every host has a private /tmp and /run: what the processes must
	 * still see there is the run's output and the scenario's folder (and
	 * the programs bin() names) */
	if ((rc = netns_keep(r->topo, r->out)) < 0 || (rc = netns_keep(r->topo, r->sc->dir)) < 0)
		return run_fail(r, DD_EIO, "%s: network: %s", r->sc->file, netns_errmsg(r->topo));
	if (netns_keep(r->topo, r->o->build_dir) < 0)
		log_warnx("%s", netns_errmsg(r->topo));
	for (size_t i = 0; i < r->sc->n_procs; i++)
		if (r->sc->procs[i].argc > 0)
			keep_program(r, r->sc->procs[i].argv[0]);
	for (size_t i = 0; i < r->sc->n_probes; i++)
		if (r->sc->probes[i].argc > 0)
			keep_program(r, r->sc->probes[i].argv[0]);
	run_say(r, "network up: %zu hosts (run %s)", r->sc->n_hosts, netns_run_id(r->topo));
	return 0;
}

/* ---------------- faultd and the processes ---------------- */

/* Write text to path, a new file in the run's folder (anything already
 * there, a link planted included, is refused: dd_open_new).  0 or -errno. */
static int
write_file(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	int fd = dd_open_new(path, 0644), rc = 0;

	if (fd < 0)
		return fd;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
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

/* argv for one faultd (NULL-terminated, owned by the caller), or NULL when
 * out of memory or an inline zone could not be written into the run's
 * folder (then with run_fail). */
static char **
faultd_argv(struct run *r, const struct sc_dns *d, const char *sock)
{
	char **v = NULL;
	size_t n = 0;
	bool oom = false;
	char path[PATH_MAX], seed[32];

#define ARG(s) do { char **slot_ = sc_push(&v, &n, sizeof(char *)); \
	if (slot_ == NULL || (*slot_ = sc_strdup(s)) == NULL) oom = true; } while (0)
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
		int rc = write_file(path, d->zone_texts[i]);
		if (rc < 0) {
			run_fail(r, DD_EIO, "dns '%s': %s: %s", d->name, path, strerror(-rc));
			oom = true;
			break;
		}
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
	for (size_t i = 0; i < d->n_sign; i++) {
		char spec[3 * PATH_MAX];
		ARG("--sign");
		if (run_keys_sign_arg(r, &d->sign[i], spec, sizeof(spec)) < 0)
			oom = true;
		ARG(spec);
	}
	if (d->nsec3)
		ARG("--nsec3");
	if (d->upstream_timeout) {
		ARG("--upstream-timeout");
		ARG(d->upstream_timeout);
	}
	if (d->cap_qps > 0) {
		char qps[40], queue[24];

		snprintf(qps, sizeof(qps), "%.17g", d->cap_qps);
		ARG("--capacity");
		ARG(qps);
		if (d->cap_queue >= 0) {
			snprintf(queue, sizeof(queue), "%d", d->cap_queue);
			ARG("--queue");
			ARG(queue);
		}
		if (d->cap_overflow != NULL) {
			ARG("--overflow");
			ARG(d->cap_overflow);
		}
	}
	ARG("--control");
	ARG(sock);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->sc->seed);
	ARG("--seed");
	ARG(seed);
	if (r->sc->speed != 1.0) {
		/* the incident's TTLs on the incident's clock (faultd(1)) */
		snprintf(seed, sizeof(seed), "%.17g", r->sc->speed);
		ARG("--time-scale");
		ARG(seed);
	}
#undef ARG
	if (oom || sc_push(&v, &n, sizeof(char *)) == NULL) {
		/* v is not NULL-terminated here */
		for (size_t k = 0; k < n; k++)
			free(v[k]);
		free(v);
		return NULL;
	}
	return v;
}

static int
add_faultd(struct run *r, struct sc_dns *d)
{
	char sock[108], bind[108];
	char **argv;
	int rc;

	/* the control socket in the run's folder, or, when that path is too
	 * long for a socket, in the host's private /tmp, which we reach
	 * through the run directory */
	if (snprintf(sock, sizeof(sock), "%s/%s.ctl", r->out, d->name) < (int)sizeof(sock)) {
		snprintf(bind, sizeof(bind), "%s", sock);
	} else {
		const char *tmp = netns_host_tmp(r->topo, d->host);
		snprintf(bind, sizeof(bind), "/tmp/faultd-%s.ctl", d->name);
		if (tmp == NULL || snprintf(sock, sizeof(sock), "%s/faultd-%s.ctl", tmp, d->name) >=
		    (int)sizeof(sock))
			return run_fail(r, DD_EIO, "dns '%s': no place for faultd's control socket "
			    "(paths too long)", d->name);
	}
	if ((argv = faultd_argv(r, d, bind)) == NULL)
		return r->rc < 0 ? r->rc : run_fail(r, DD_ENOMEM, "out of memory");
	rc = run_proc_add(r, d->name, d->host, argv, NULL, 0, NULL, NULL, d);
	free_argv(argv);
	if (rc < 0)
		return rc;
	snprintf(r->procs[r->nprocs - 1].sock, sizeof(r->procs[0].sock), "%s", sock);
	return run_fault_connect(r, &r->procs[r->nprocs - 1]);
}

static void
free_strs(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* cmd, env and cwd with scratch() expanded; the cwd is the scratch folder
 * unless the scenario names one. */
static int
add_process(struct run *r, struct sc_process *p)
{
	char **argv = calloc(p->argc + 1, sizeof(char *));
	char **env = calloc(p->n_env + 1, sizeof(char *));
	char *cwd = NULL, dir[PATH_MAX];
	int rc = 0;

	if (argv == NULL || env == NULL) {
		rc = run_fail(r, DD_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->argc && rc == 0; i++)
		if ((argv[i] = run_scratch_expand(r, p, p->argv[i])) == NULL)
			rc = r->rc;
	for (size_t i = 0; i < p->n_env && rc == 0; i++)
		if ((env[i] = run_scratch_expand(r, p, p->env[i])) == NULL)
			rc = r->rc;
	run_scratch_dir(r, p, dir, sizeof(dir));
	if (rc == 0 && (cwd = run_scratch_expand(r, p, p->cwd ? p->cwd : dir)) == NULL)
		rc = r->rc;
	if (rc == 0)
		rc = run_proc_add(r, p->name, p->host, argv, env, p->n_env, cwd, p, NULL);
out:
	free_strs(argv, p->argc);
	free_strs(env, p->n_env);
	free(cwd);
	return rc;
}

/* A probe's result, logged when it came (t_ms) with the moment its
 * attempt started (start_ms): both on the run's clock, which is the
 * prober's monotonic clock counted from the run's start. */
static void
on_probe(void *arg, const char *name, bool ok, double latency_ms, uint64_t start_us,
    const char *detail)
{
	struct run *r = arg;
	uint64_t start_ms = start_us > r->t0_us ? (start_us - r->t0_us) / 1000 : 0;

	elog_probe_at(r->log, run_now_ms(r), start_ms, name, ok, latency_ms, detail);
	for (size_t i = 0; i < r->sc->n_probes; i++) {
		if (strcmp(r->sc->probes[i].name, name) != 0)
			continue;
		if (r->probe_last[i] != (int)ok)
			run_say(r, "probe %s %s (%s, %.1f ms)", name, ok ? "ok" : "FAILING", detail,
			    latency_ms);
		r->probe_last[i] = ok;
	}
}

int
run_build_start(struct run *r)
{
	struct scenario *sc = r->sc;
	int rc;

	/* the prober first: readiness checks use it */
	r->prober = prober_new(r->loop, r->topo, on_probe, r);
	r->probe_last = malloc((sc->n_probes + 1) * sizeof(int));
	r->procs = calloc(sc->n_dns + sc->n_procs + 1, sizeof(*r->procs));
	if (r->prober == NULL || r->probe_last == NULL || r->procs == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	for (size_t i = 0; i < sc->n_probes; i++)
		r->probe_last[i] = -1;
	if ((rc = run_proc_watches(r)) < 0)
		return rc;
	/* what each process says its version is, before anything starts */
	for (size_t i = 0; i < sc->n_procs; i++)
		if ((rc = run_scratch_version(r, &sc->procs[i])) < 0)
			return rc;
	/* the DNSSEC keys faultd signs with, then faultd per dns server, then
	 * the processes in declaration order */
	if ((rc = run_keys_write(r)) < 0)
		return rc;
	for (size_t i = 0; i < sc->n_dns; i++)
		if ((rc = sc->dns[i].remote ? run_remote_add(r, &sc->dns[i]) :
		    add_faultd(r, &sc->dns[i])) < 0)
			return rc;
	for (size_t i = 0; i < sc->n_procs; i++)
		if ((rc = add_process(r, &sc->procs[i])) < 0)
			return rc;
	for (size_t i = 0; i < r->nprocs; i++) {
		struct run_proc *rp = &r->procs[i];
		if ((rp->decl && !rp->decl->autostart) || rp->remote)
			continue;   /* the timeline's; a remote runs on its own */
		if ((rc = run_proc_start(r, rp)) < 0 || (rc = run_proc_wait_ready(r, rp)) < 0)
			return rc;
		/* without a ready check, run_proc_settle() decides later */
		if (rp->decl == NULL || rp->decl->ready != READY_NONE)
			run_say(r, "%s is ready", proc_name(rp->p));
	}
	return 0;
}

/* ---------------- captures and probes ---------------- */

/* Read what a capture holds.  A capture of ours that broke ends the run:
 * its evidence is incomplete.  Every read checks, on_rate's too: a deleted
 * link makes the fd readable only once (libpcap's reads fail from then on,
 * but the fd never turns readable again), so when on_rate's read meets the
 * error first, on_cap is never called to see it. */
static void
cap_read(struct run_cap *c)
{
	struct run *r = c->r;

	if (capture_dispatch(c->cap) < 0 && !r->stop) {
		run_fail(r, DD_EIO, "%s:%d: capture '%s' failed; the run cannot go on",
		    r->sc->file, c->c->line, c->c->name);
		r->stop = true;
	}
}

static void
on_cap(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	cap_read(arg);
}

/* Every second: each counting capture's query rate over the last window
 * (one with sut = ADDR counts that source's queries; one that score
 * amplification names without sut counts every query it sees). */
static void
on_rate(struct ev_loop *loop, void *arg)
{
	struct run *r = arg;
	uint64_t t = run_now_ms(r);

	r->rate_timer = NULL;
	for (size_t i = 0; i < r->ncaps; i++) {
		struct run_cap *c = &r->caps[i];
		cap_read(c);
		if (c->c->count_from == NULL && !c->c->count_all)
			continue;
		uint64_t n = capture_queries(c->cap);
		uint64_t win = t - r->rate_last_ms;
		if (win > 0)
			elog_rate(r->log, t, c->c->name, (double)(n - c->last_count) * 1000.0 / (double)win,
			    win);
		c->last_count = n;
	}
	r->rate_last_ms = t;
	r->rate_timer = ev_timer_add(loop, 1000000, on_rate, r);
}

static int
open_captures(struct run *r)
{
	struct dd_err err;

	r->caps = calloc(r->sc->n_caps + 1, sizeof(*r->caps));
	if (r->caps == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->sc->n_caps; i++) {
		struct sc_capture *c = &r->sc->caps[i];
		char path[PATH_MAX + 64];
		snprintf(path, sizeof(path), "%s/%s.pcap", r->out, c->name);
		r->caps[i].c = c;
		r->caps[i].cap = capture_open(r->topo, c->host, c->iface, path,
		    c->count_all ? "any" : c->count_from, &err);
		if (r->caps[i].cap == NULL)
			return run_fail(r, DD_EIO, "%s:%d: capture '%s': %s", r->sc->file, c->line,
			    c->name, err.msg);
		r->ncaps++;
		r->caps[i].r = r;
		ev_io_add(r->loop, capture_fd(r->caps[i].cap), EV_READ, on_cap, &r->caps[i]);
	}
	r->rate_last_ms = run_now_ms(r);
	if (r->ncaps)
		r->rate_timer = ev_timer_add(r->loop, 1000000, on_rate, r);
	return 0;
}

static int
to_probe_spec(struct run *r, const struct sc_probe *p, struct probe_spec *s)
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
		if (dd_sockaddr_parse(p->server, 53, &s->server) < 0)
			return run_fail(r, DD_EINVAL, "%s:%d: probe '%s': server '%s' is not ADDR[:PORT]",
			    r->sc->file, p->line, p->name, p->server);
		break;
	case SC_PROBE_HTTP:
		s->kind = PROBE_HTTP;
		s->url = p->url;
		s->expect_status = p->expect_status;
		s->body_match = p->body_match;
		break;
	case SC_PROBE_TCP:
		s->kind = PROBE_TCP;
		if (dd_sockaddr_parse(p->addr, -1, &s->addr) < 0)
			return run_fail(r, DD_EINVAL, "%s:%d: probe '%s': tcp '%s' is not ADDR:PORT",
			    r->sc->file, p->line, p->name, p->addr);
		break;
	case SC_PROBE_EXEC:
		s->kind = PROBE_EXEC;
		s->argv = (const char *const *)p->argv;
		s->expect_exit = p->expect_exit;
		break;
	}
	return 0;
}

int
run_build_observe(struct run *r)
{
	struct dd_err err;
	int rc;

	if ((rc = open_captures(r)) < 0)
		return rc;
	for (size_t i = 0; i < r->sc->n_probes; i++) {
		struct probe_spec s;
		if ((rc = to_probe_spec(r, &r->sc->probes[i], &s)) < 0)
			return rc;
		if (prober_add(r->prober, &s, &err) < 0)
			return run_fail(r, DD_EINVAL, "%s:%d: %s", r->sc->file, r->sc->probes[i].line,
			    err.msg);
	}
	prober_start(r->prober);
	return 0;
}

void
run_build_stop_probes(struct run *r)
{
	if (r->prober)
		prober_stop(r->prober);
}

void
run_build_close(struct run *r)
{
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
	prober_free(r->prober);
	r->prober = NULL;
}
